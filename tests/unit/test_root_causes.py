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


def _made_report(rep: Reporting, item, call, when: str):
    report = SimpleNamespace(failed=call.excinfo is not None, when=when, user_properties=[], longrepr=None,
                             sections=[], nodeid="tests/deploy/test_deploy.py::test_home[docker://web-1]")
    hook = rep.pytest_runtest_makereport(item, call)
    next(hook)
    try:
        hook.send(report)
    except StopIteration as done:
        return done.value
    raise AssertionError("the hook wrapper did not finish")


def test_a_project_check_that_got_a_5xx_names_the_5xx_not_its_own_message(tmp_path):
    """Seen as a user: a project's check `assert resp.status_code == 200 and "Less is more" in resp.text,
    resp.text[:300]` failed on a 500 from a broken template, and its root cause was `<!doctype html>` (its
    message's first line), a second cause beside the built-in `GET / answered 500: the app logged
    TemplateAssertionError`. The 5xx answers of the session's deploy_http during the test are the cause. Other
    member: a bare `assert resp.ok` (no message: "failed with no message"). A 5xx before the test began, or a
    message that names the 5xx itself, keeps the check's own words."""
    import http.server
    import threading

    import pytest

    from deploytests.plugin.state import USED
    from deploytests.verify.http import HttpClient

    class Broken(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(500 if self.path == "/" else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = HttpClient(f"http://127.0.0.1:{server.server_address[1]}")
    try:
        config = SimpleNamespace(get_verbosity=lambda: 0, stash=pytest.Stash(), option=SimpleNamespace())
        config.stash[USED] = True
        rep = Reporting(config)

        def run(body, before=None):
            item = SimpleNamespace(funcargs={"deploy_http": client}, stash=pytest.Stash(), user_properties=[],
                                   callspec=SimpleNamespace(params={"deploy_server": "docker://web-1"}))
            if before:
                before()
            _made_report(rep, item, SimpleNamespace(excinfo=None), "setup")
            try:
                body()
            except (AssertionError, pytest.fail.Exception):
                excinfo = pytest.ExceptionInfo.from_current()
            return _made_report(rep, item, SimpleNamespace(excinfo=excinfo), "call").user_properties

        def with_body():
            resp = client.get("/")
            assert resp.status_code == 200, "<!doctype html>\n<title>500</title>"

        def bare():
            assert client.get("/").ok

        cause = [(f"{CAUSE} docker://web-1", "GET / answered 500")]
        assert run(with_body) == cause and run(bare) == cause
        # the 5xx came before this test's call: the check's own message
        assert run(lambda: pytest.fail("other"), before=lambda: client.get("/")) == [
            (f"{CAUSE} docker://web-1", "other")]
        assert run(lambda: pytest.fail("GET / -> 503 from the proxy"), before=None) == [
            (f"{CAUSE} docker://web-1", "GET / -> 503 from the proxy")]
    finally:
        client.close()
        server.shutdown()
        server.server_close()
