"""The plugin's transport behaviour with pytester and no container (issue 10, findings 7 and 9).

``pytest -n`` on a real target: a stop of the session in a worker keeps its reason (no ``INTERNALERROR ...
AssertionError``); destructive scenarios go to one worker and never overlap the other workers' checks of the
same target. A signal during a many-host step: one line per host, no ``threading.py`` traceback.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess

import pytest

# how pytest prints a stop made with its public ``pytest.exit`` (framed with ``!``): ``<class>: <reason>``
EXIT = f"{pytest.exit.Exception.__module__}.{pytest.exit.Exception.__qualname__}: "


def target(pytester, hosts: str, destructive: str = "false") -> None:
    key = pytester.path / "id_test"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    (pytester.path / "known_hosts").write_text("")
    pytester.makefile(".toml", targets=(
        f"[targets.staging]\nhosts = {hosts}\nidentity_file = \"id_test\"\nknown_hosts = \"known_hosts\"\n"
        f"base_url = \"http://127.0.0.1:9\"\ndeploy = true\ndestructive = {destructive}\n"))



@pytest.mark.parametrize("dist", [[], ["--dist", "loadfile"]], ids=["default", "explicit"])
def test_xdist_on_a_real_target_says_it_runs_a_module_on_one_worker(pytester, dist, closed_port):
    """``-n`` on a target the workers share: xdist's ``--dist load`` becomes ``loadscope``, and the header says so
    (a user's option is never changed silently); another ``--dist`` given is left alone, and nothing is said."""
    target(pytester, f'["appuser@127.0.0.1:{closed_port}"]')
    pytester.makepyfile("def test_a(server):\n    pass\n")
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "mine"\nentry_point = "mine:app"\n')
    result = pytester.runpytest_subprocess("--target", "staging", "--app", str(app), "-p", "no:cacheprovider",
                                           "-n", "2", "--co", *dist)
    notes = [ln for ln in result.stdout.lines if "--dist loadscope instead of load" in ln]
    assert len(notes) == (0 if dist else 1), result.stdout.str()



def test_xdist_on_a_real_target_named_by_the_environment_says_it_too(pytester, monkeypatch, closed_port):
    """The controller resolves nothing in a run that does not use deploytests, but one whose environment names
    the target must still choose loadscope before its workers collect (xdist makes its scheduler first)."""
    target(pytester, f'["appuser@127.0.0.1:{closed_port}"]')
    pytester.makepyfile("def test_a(server):\n    pass\n")
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "mine"\nentry_point = "mine:app"\n')
    monkeypatch.setenv("DEPLOYTESTS_TARGET", "staging")
    monkeypatch.setenv("DEPLOYTESTS_APP", str(app))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--co")
    notes = [ln for ln in result.stdout.lines if "--dist loadscope instead of load" in ln]
    assert len(notes) == 1, result.stdout.str()

def test_a_stop_in_workers_keeps_its_reason_without_internalerror(pytester, closed_port):
    port = closed_port
    target(pytester, f'["appuser@127.0.0.1:{port}"]')
    pytester.makepyfile("\n".join(f"def test_{i}(server):\n    pass\n" for i in range(6)))
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "mine"\nentry_point = "mine:app"\n')
    result = pytester.runpytest_subprocess("--target", "staging", "--app", str(app), "-p", "no:cacheprovider",
                                           "-n", "2")
    out = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in out and "AssertionError" not in out, out
    assert result.ret == pytest.ExitCode.USAGE_ERROR, out  # as without xdist
    reason = f"ssh://appuser@127.0.0.1:{port}: connection refused by 127.0.0.1:{port}"
    # the controller ends the session with the worker's line, framed as without xdist (not xdist's Interrupted)
    stops = [ln for ln in out.splitlines() if ln.startswith("!")]
    assert len(stops) == 1 and stops[0].startswith(f"! {EXIT}deploytests: {reason}") and stops[0].endswith(" !"), out


RECORD = """
import json, os, time, pytest

def record(name):
    start = time.monotonic()
    yield
    with open(os.environ["RECORD"], "a") as f:
        f.write(json.dumps({"test": name, "worker": os.environ.get("PYTEST_XDIST_WORKER"),
                            "start": start, "end": time.monotonic()}) + "\\n")

@pytest.fixture
def rec(request):
    yield from record(request.node.name)

"""


def test_destructive_scenarios_run_on_one_worker_never_beside_other_checks(pytester, tmp_path):
    target(pytester, '["appuser@web1"]', destructive="true")
    body = RECORD + "".join(f"@pytest.mark.destructive\ndef test_scenario_{i}(rec):\n    pass\n\n" for i in range(6))
    body += "".join(f"@pytest.mark.deploys\ndef test_check_{i}(rec):\n    pass\n\n" for i in range(12))
    pytester.makepyfile(body)
    record = tmp_path / "record.jsonl"
    os.environ["RECORD"] = str(record)
    try:
        result = pytester.runpytest_subprocess("--target", "staging", "-p", "no:cacheprovider", "-n", "3")
    finally:
        del os.environ["RECORD"]
    assert result.ret == 0, result.stdout.str()
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    scenarios = [r for r in rows if r["test"].startswith("test_scenario")]
    checks = [r for r in rows if r["test"].startswith("test_check")]
    assert len(scenarios) == 6 and len(checks) == 12
    assert len({r["worker"] for r in scenarios}) == 1, scenarios
    span = (min(r["start"] for r in scenarios), max(r["end"] for r in scenarios))
    for r in checks:
        assert r["end"] <= span[0] or r["start"] >= span[1], (r, span)


def test_the_target_lock_is_shared_for_checks_and_exclusive_for_scenarios(tmp_path):
    from deploytests.targets.sharing import TargetLock

    path = tmp_path / "t.rwlock"
    scenario, check = TargetLock(path), TargetLock(path)
    other = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        check.hold(exclusive=False)
        fcntl.flock(other, fcntl.LOCK_SH | fcntl.LOCK_NB)  # another check may run beside it
        fcntl.flock(other, fcntl.LOCK_UN)
        check.release()
        scenario.hold(exclusive=True)
        scenario.hold(exclusive=False)  # a shared request inside an exclusive span changes nothing
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_SH | fcntl.LOCK_NB)
        scenario.release()
        fcntl.flock(other, fcntl.LOCK_SH | fcntl.LOCK_NB)
    finally:
        os.close(other)
        scenario.close()
        check.close()


INTERRUPTED = """
import os, signal
from types import SimpleNamespace
from deploytests.pipeline import run_on_hosts

def test_deploy_interrupted():
    hosts = [SimpleNamespace(label=f"ssh://u@web{i}", user="u", host=f"web{i}", port=22) for i in (1, 2)]

    def step(c):  # the runner gets SIGTERM while web1 deploys; web2 waits its turn (rolling)
        if c.label.endswith("web1"):
            os.kill(os.getpid(), signal.SIGTERM)
        return SimpleNamespace(release_id="r-" + c.host)

    run_on_hosts(hosts, step, step="deploy", rolling=True)
"""


def test_a_signal_during_a_deploy_says_what_each_host_is(pytester):
    pytester.makepyfile(INTERRUPTED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED, out
    assert "deploytests: ssh://u@web1: finished (serves r-web1)" in out, out
    assert "deploytests: ssh://u@web2: untouched (interrupted before it started)" in out, out
    assert "threading.py" not in out and "Traceback" not in out, out
