"""A failing gate's report ends with its root causes, one line each (what, where, what to do), the hosts and
tests that failed on it; the servers' diagnostics are shown with -v (junitxml keeps them always).

Class: a failing gate's report that buries the one line an operator needs. A cron job and a setuid file added
to one host gave 357 lines (two failures, each with the Apache error log, the vhost, application.wsgi, the
releases and the installed distributions), and their lines started "1 scheduled jobs" / "1 privileged files".
Other members: a deploy that failed on every host (one cause, every test of both hosts), a test of the
project's own (its assertion's first line)."""

from __future__ import annotations

from types import SimpleNamespace

from deploytests.plugin.reporting import CAUSE, Reporting, causes_of

CRON = ("1 scheduled job not accounted for (not made by deploytests, not on a stock server of this stack, not "
        "allowed):\n- /etc/cron.d/ops:2: runs 'x' as ledger. if it is meant to be there, allow it: allow_cron = "
        "[\"/etc/cron.d/ops sha256:ab\"] in targets.toml:9\n- /etc/cron.d/ops:3: runs 'y' as ledger ...\n"
        "if this is meant to be so, switch the rule off with a reason: skip_rules = { cw_cron = \"...\" }")


def test_each_item_of_a_closed_world_failure_is_a_root_cause():
    assert causes_of(CRON) == [
        "/etc/cron.d/ops:2: runs 'x' as ledger. if it is meant to be there, allow it: allow_cron = "
        "[\"/etc/cron.d/ops sha256:ab\"] in targets.toml:9", "/etc/cron.d/ops:3: runs 'y' as ledger ..."]
    # as pytest's assertion rewriting shows a message of several lines: indented
    assert causes_of(CRON.replace("\n", "\n  ")) == causes_of(CRON)
    assert causes_of("") == ["failed with no message (its traceback is above)"]  # a bare assert is a cause too
    assert causes_of("GET /inventory/ -> 500: 'boom'\nassert 500 == 200") == ["GET /inventory/ -> 500: 'boom'"]


def _reporting(verbose: int) -> Reporting:
    config = SimpleNamespace(get_verbosity=lambda: verbose)
    return Reporting(config)


def _report(nodeid: str, label: str, causes: list[str]):
    return SimpleNamespace(nodeid=nodeid, user_properties=[(f"{CAUSE} {label}", c) for c in causes])


def test_one_line_per_root_cause_naming_its_hosts_and_tests():
    rep = _reporting(0)
    for n in (1, 2):
        for test in ("test_a", "test_b", "test_c"):  # a deploy failure: every test of every host
            rep.pytest_runtest_logreport(_report(f"t.py::{test}[docker://web-{n}]", f"docker://web-{n}",
                                                 [f"deploy failed on docker://web-{n}"]))
    rep.pytest_runtest_logreport(_report("t.py::test_cron[docker://web-1]", "docker://web-1", causes_of(CRON)))
    lines = rep.cause_lines()
    assert lines[0].startswith("3 root causes of the failures (each failure's full text is above and, with -v, ")
    assert lines[1] == "- deploy failed on docker://web-1, docker://web-2 [test_a, test_b and 1 more test]"
    assert lines[2].startswith("- docker://web-1: /etc/cron.d/ops:2: runs 'x'") and lines[2].endswith(
        "in targets.toml:9 [test_cron]")
    assert len(lines) == 4
    assert "-v" not in _reporting(1).cause_lines() and _reporting(0).cause_lines() == []
    one = _reporting(1)
    one.pytest_runtest_logreport(_report("t.py::test_x", "", ["assert 1 == 2"]))
    assert one.cause_lines() == ["1 root cause of the failures (each failure's full text is above):",
                                 "- assert 1 == 2 [test_x]"]


def test_hosts_that_failed_alike_are_one_cause_said_once():
    from deploytests.errors import DeployError, HostOutcome, HostsFailed

    alike = [HostOutcome(h, error=DeployError(f"{h}: deploy failed at post_deploy: no database",
                                              detail="Traceback ...\nOperationalError")) for h in ("web-1", "web-2")]
    err = HostsFailed("deploy", [*alike, HostOutcome("web-3", error=DeployError("web-3: other", detail="x"))])
    assert str(err) == "deploy failed on 3 of 3 hosts: web-1, web-2: deploy failed at post_deploy: no database.; " \
                       "web-3: other."
    assert err.detail == "[web-1, web-2]\nTraceback ...\nOperationalError\n\n[web-3]\nx"
