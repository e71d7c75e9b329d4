"""Every rollout outcome, on three containers through `fab` (the user's seat; the pytest plugin runs the same
session code): a failed canary leaves the rest untouched and goes back to the old release; batch 2 of 3 failing
leaves batch 1 new, rolls batch 2 back and leaves batch 3 untouched; ``--max-failed`` tolerates failures up to
its threshold; hooks that fail or time out fail their host; an interrupted rollout says per host where it
stopped.

One fleet for the module: bootstrapped, v1 deployed (release ``R1`` on every host); each test rolls out v2
(``yourapplication-v2``) with a per-host fault, then puts every host back on ``R1``. The fault is a runner-side
``after_host`` hook failing for one host (that host went live, then failed: the session must roll it back), or
``before_host`` sleeping past ``hook_timeout``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.examples import APPS
from deploytests.pipeline import status
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
FAB = str(Path(sys.executable).parent / "fab")
V1, V2 = APPS / "yourapplication", APPS / "yourapplication-v2"


def fails_on(name: str, code: int = 3) -> str:
    """A hook command that fails (exit ``code``) for the host named ``name`` only."""
    return f'case "$DEPLOYTESTS_HOST" in */{name}|*@{name}) echo "lb: {name} refused" >&2; exit {code};; esac'


class World:
    def __init__(self, fleet: Fleet, tmp: Path):
        self.fleet, self.tmp = fleet, tmp
        self.names = [s.name for s in fleet.servers]
        self.cfg = load_config(V1)

    def inventory(self, **hooks) -> Path:
        hosts = ", ".join(f'{{ name = "{s.name}", address = "appuser@{s.host}:{s.port}", base_url = "{s.base_url}" }}'
                          for s in self.fleet.servers)
        extra = "".join(f"{k} = {v!r}\n" if isinstance(v, int) else f"{k} = '''{v}'''\n" for k, v in hooks.items())
        path = self.tmp / f"targets-{len(list(self.tmp.glob('targets-*')))}.toml"
        path.write_text(f'[targets.fleet]\nhosts = [{hosts}]\nidentity_file = "{self.fleet.key.path}"\n'
                        f'known_hosts = "{self.fleet.known_hosts}"\ndeploy = true\n{extra}')
        return path

    def env(self, inventory: Path, app: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEPLOYTESTS_")}
        return dict(env, DEPLOYTESTS_TARGETS=str(inventory), DEPLOYTESTS_APP=str(app))

    def fab(self, *args, app: Path = V2, **hooks) -> subprocess.CompletedProcess:
        res = subprocess.run([FAB, "target", "fleet", *args], cwd=ROOT, env=self.env(self.inventory(**hooks), app),
                             capture_output=True, text=True, timeout=300)
        self.last_err = res.stderr
        return res

    def served(self) -> dict[str, str]:
        return {s.name: requests.get(s.base_url + "/health", timeout=10).headers.get("X-Deploy-Release", "")
                for s in self.fleet.servers}

    def releases(self) -> dict[str, list[str]]:
        return {s.name: [r.id for r in status(s.connection(), self.cfg).releases] for s in self.fleet.servers}

    def row(self, out: str, name: str) -> str:
        """The host's row of the final per-host table."""
        rows = [ln for ln in out.splitlines() if re.match(rf"ssh://appuser@{re.escape(name)}\s", ln)]
        assert rows, out + self.last_err
        return rows[-1]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with Fleet(count=3, name_prefix="roll", progress=lambda m: None) as fleet:
        w = World(fleet, tmp_path_factory.mktemp("rollout"))
        for step in (("bootstrap",), ("deploy",)):
            res = w.fab(*step, app=V1)
            assert res.returncode == 0, res.stdout + res.stderr
        w.r1 = set(w.served().values()).pop()
        yield w


@pytest.fixture
def fresh(world):
    """Every host back on R1 after the test (whatever it left)."""
    assert set(world.served().values()) == {world.r1}
    yield world
    res = world.fab("rollback", "--to", world.r1, app=V1)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_failed_canary_goes_back_and_nothing_else_is_touched(fresh):
    w = fresh
    before = w.releases()
    first, *rest = w.names
    res = w.fab("deploy", "--canary", "1", after_host=fails_on(first))
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert re.search(r"^\[rollout\] canary: 1 host, 0 ok, 1 failed .*; rolled back: ssh://appuser@roll-1; "
                     r"rollout STOPPED, 2 hosts untouched$", res.stdout, re.M), out
    assert "rolled back (serves " + w.r1 in w.row(res.stdout, first), out
    assert "after_host command failed (exit 3): lb: roll-1 refused" in w.row(res.stdout, first), out
    for name in rest:
        assert "untouched (not attempted: the rollout stopped after canary)" in w.row(res.stdout, name), out
    assert w.served() == {n: w.r1 for n in w.names}
    after = w.releases()
    assert {n: after[n] for n in rest} == {n: before[n] for n in rest}  # no release even built there
    assert "rollout stopped after canary" in res.stderr, out


def test_batch_2_of_3_fails_batch_1_stays_new_batch_2_rolled_back_batch_3_untouched(fresh):
    w = fresh
    one, two, three = w.names
    res = w.fab("deploy", "--batch", "1", after_host=fails_on(two))
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    summaries = [ln for ln in res.stdout.splitlines() if ln.startswith("[rollout] ")]
    assert [s.split(":")[0] for s in summaries] == ["[rollout] batch 1/3", "[rollout] batch 2/3"], out
    assert "rollout STOPPED, 1 host untouched" in summaries[1], out
    served = w.served()
    assert served[one] != w.r1 and "new (serves " + served[one] in w.row(res.stdout, one), out
    assert served[two] == w.r1 and "rolled back (serves " + w.r1 in w.row(res.stdout, two), out
    assert served[three] == w.r1 and "untouched" in w.row(res.stdout, three), out


# faults that leave the site answering 200 from the new release: (what, put there as root, taken away, the line)
UNSEEN = {
    "cron-job": ("echo '17 3 * * * {app_user} find /tmp -delete' > /etc/cron.d/app-cleanup",
                 "rm -f /etc/cron.d/app-cleanup",
                 "gate: test_no_unaccounted_scheduled_jobs: 1 scheduled job not accounted for"),
    "world-writable-upload-dir": ("mkdir {root}/shared/data/uploads; chmod 0777 {root}/shared/data/uploads",
                                  "rmdir {root}/shared/data/uploads",
                                  "gate: test_no_setuid_or_world_writable_in_app_tree: "),
}


@pytest.mark.parametrize("fault", list(UNSEEN))
def test_the_gate_between_batches_runs_the_promises_a_health_check_cannot_see(fresh, fault):
    """Batch 2's host breaks a built-in promise its site does not show (put there by hand as root before the
    rollout: the new release still answers 200 on /health, which the health-only gate accepted): the gate between
    batches fails that host with the promise's line, batch 2 goes back, batch 3 stays untouched."""
    w = fresh
    one, two, three = w.names
    box = w.fleet.servers[1].container_id
    put, take, line = (x.format(app_user=w.cfg.app_user, root=w.cfg.root) for x in UNSEEN[fault])
    subprocess.run(["docker", "exec", box, "sh", "-c", put], check=True, timeout=60)
    try:
        res = w.fab("deploy", "--batch", "1")
    finally:
        subprocess.run(["docker", "exec", box, "sh", "-c", take], check=True, timeout=60)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    served = w.served()
    assert served[one] != w.r1 and "new (serves " + served[one] in w.row(res.stdout, one), out
    row = w.row(res.stdout, two)
    assert served[two] == w.r1 and "rolled back (serves " + w.r1 in row, out
    assert line in row, out
    assert served[three] == w.r1 and "untouched" in w.row(res.stdout, three), out


@pytest.mark.parametrize("allowed, completes", [("1", True), ("0", False)])
def test_max_failed_tolerates_failures_up_to_its_threshold(fresh, allowed, completes):
    w = fresh
    one, two, three = w.names
    res = w.fab("deploy", "--batch", "1", "--max-failed", allowed, after_host=fails_on(two))
    out = res.stdout + res.stderr
    assert res.returncode == 1, out  # a failed host is a failed deploy, even when tolerated
    served = w.served()
    assert served[two] == w.r1 and "rolled back (serves " + w.r1 in w.row(res.stdout, two), out
    if completes:
        assert served[one] != w.r1 and served[three] != w.r1, out
        assert "(rollout completed;" in res.stderr and "1 failed so far, 1 allowed" in res.stdout, out
    else:
        assert served[one] != w.r1 and served[three] == w.r1, out
        assert "rollout stopped after batch 2/3" in res.stderr, out


def test_a_hook_that_times_out_fails_its_host_and_its_batch_goes_back(fresh):
    w = fresh
    one, two, three = w.names
    slow = f'case "$DEPLOYTESTS_HOST" in *@{three}) exec sleep 30;; esac'
    res = w.fab("deploy", before_host=slow, hook_timeout=2)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert f"before_host command did not finish within 2 s (killed): {slow}" in w.row(res.stdout, three), out
    assert "refused, live release untouched" in w.row(res.stdout, three), out
    for name in (one, two):  # the batch (all hosts at once) failed: the hosts it made live go back
        assert "rolled back (serves " + w.r1 in w.row(res.stdout, name), out
    assert w.served() == {n: w.r1 for n in w.names}


def test_an_interrupted_rollout_says_per_host_where_it_stopped(fresh, tmp_path):
    """Ctrl-C while batch 2's host waits in its before_host hook: batch 1 stays new, that host never begins its
    deploy, batch 3 is untouched; fab exits 130 with one line per host. The hook says when it has started (a
    marker file), so the interrupt lands inside it however loaded the machine is."""
    w = fresh
    one, two, three = w.names
    marker = tmp_path / "hook-started"
    inventory = w.inventory(before_host=f'case "$DEPLOYTESTS_HOST" in *@{two}) touch {marker}; sleep 8;; esac')
    proc = subprocess.Popen([FAB, "target", "fleet", "deploy", "--batch", "1"], cwd=ROOT,
                            env=w.env(inventory, V2), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # Ctrl-C works there
    wait_until(lambda: marker.exists() or proc.poll() is not None, what="batch 2's before_host hook to start",
               timeout=120, interval=0.05)
    proc.send_signal(signal.SIGINT)
    lines: list[str] = []
    out, err = proc.communicate(timeout=120)
    out = "".join(lines) + out
    assert proc.returncode == 130, out + err
    [said] = [ln for ln in err.splitlines() if ln.startswith("fab deploy: interrupted (SIGINT); ")]
    assert f"ssh://appuser@{one}: new (serves " in said, said
    assert f"ssh://appuser@{two}: untouched (interrupted before its deploy began)" in said, said
    assert f"ssh://appuser@{three}: untouched (its batch had not started)" in said, said
    served = w.served()
    assert served[one] != w.r1 and served[two] == served[three] == w.r1, said


def test_pytest_follows_the_same_rollout_policy(pytester):
    """The plugin deploys through the same session: ``--canary 1`` on two containers, the policy in the header, a
    line per phase in the summary, and the tests run on both hosts."""
    pytester.makepyfile(test_site="""
        def test_release_header(http, deployment, server):
            assert http.get("/").headers["X-Deploy-Release"] == deployment[server.label].release_id
    """)
    result = pytester.runpytest_subprocess("--app", str(V1), "--containers", "2", "--canary", "1",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "deploytests: rollout: canary 1, then all at once; up to 0 failed hosts tolerated*",
        "*deploytests summary*",
        "[[]gate[]] project deploy tests: 1 run, 1 passed, 0 failed on 1 host",  # the project's, on the canary
        "[[]rollout[]] canary: 1 host, 1 ok, 0 failed (0 failed so far, none allowed)",
        "[[]gate[]] project deploy tests: 1 run, 1 passed, 0 failed on 1 host",
        "[[]rollout[]] all: 1 host, 1 ok, 0 failed (0 failed so far, 0 allowed)",
    ])


# ---------------------------------------------------------------- the project's own deploy tests between phases

MARK = "/etc/deploytests-gate-marker"
PROJECT_TESTS = f'''
import time

import pytest

MARK = "{MARK}"


def test_the_site_answers(deploy_http):
    assert deploy_http.get("/health").status_code == 200


def test_no_marker(deploy_host):
    marker = deploy_host.file(MARK)
    if marker.exists and marker.content_string.strip() == "hang":
        time.sleep(600)
    assert not marker.exists, f"{{MARK}} is there: {{marker.content_string.strip()}}"


@pytest.mark.deploytests_deploys
def test_a_deploying_test_never_runs_between_phases(deploy_host):
    raise AssertionError("a deploying test ran between phases")
'''


@pytest.fixture(scope="module")
def gated_app(tmp_path_factory):
    """v2 as a project with its own deploy tests in tests/deploy (where ``deploytests init`` puts them): they
    fail on a host that has the marker file (``fail``), or hang there (``hang``)."""
    import shutil

    root = tmp_path_factory.mktemp("gated")
    app = root / "apps" / "app"
    shutil.copytree(V2, app)
    shutil.copytree(V2.parents[1] / "config", root / "config")  # deploy.toml's ../../config/docker.cfg
    (app / "tests" / "deploy").mkdir(parents=True)
    (app / "tests" / "deploy" / "test_gate.py").write_text(PROJECT_TESTS)
    return app


@pytest.fixture
def marked(world):
    """``marked(i, "fail"|"hang")`` puts the marker on host i as root; every marker is removed afterwards."""
    boxes = [s.container_id for s in world.fleet.servers]

    def put(i: int, what: str) -> None:
        subprocess.run(["docker", "exec", boxes[i], "sh", "-c", f"echo {what} > {MARK}"], check=True, timeout=60)
    yield put
    for box in boxes:
        subprocess.run(["docker", "exec", box, "rm", "-f", MARK], check=True, timeout=60)


def test_a_project_deploy_test_failing_on_the_canary_stops_the_rollout(fresh, gated_app, marked):
    w = fresh
    first, *rest = w.names
    marked(0, "fail")
    before = w.releases()
    res = w.fab("deploy", "--canary", "1", app=gated_app)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    row = w.row(res.stdout, first)
    assert "rolled back (serves " + w.r1 in row, out
    assert (f"gate: tests/deploy/test_gate.py::test_no_marker[ssh://appuser@{first}]: AssertionError: {MARK} is "
            "there: fail") in row, out
    assert "[gate] project deploy tests: 2 run, 1 passed, 1 failed on 1 host" in res.stdout, out
    assert "rollout STOPPED, 2 hosts untouched" in res.stdout, out
    for name in rest:
        assert "untouched (not attempted: the rollout stopped after canary)" in w.row(res.stdout, name), out
    assert w.served() == {n: w.r1 for n in w.names}
    after = w.releases()
    assert {n: after[n] for n in rest} == {n: before[n] for n in rest}
    assert "a deploying test ran" not in out


def test_a_project_deploy_test_failing_on_one_batch_rolls_back_that_batch_only(fresh, gated_app, marked):
    w = fresh
    one, two, three = w.names
    marked(1, "fail")
    res = w.fab("deploy", "--batch", "1", app=gated_app)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    served = w.served()
    assert served[one] != w.r1 and "new (serves " + served[one] in w.row(res.stdout, one), out
    row = w.row(res.stdout, two)
    assert served[two] == w.r1 and "rolled back (serves " + w.r1 in row, out
    assert f"test_no_marker[ssh://appuser@{two}]: AssertionError: {MARK} is there: fail" in row, out
    assert served[three] == w.r1 and "untouched" in w.row(res.stdout, three), out
    assert f"[ssh://appuser@{one}] tests" in res.stdout and "ok" in res.stdout, out


def test_passing_project_deploy_tests_let_the_rollout_finish(fresh, gated_app):
    w = fresh
    res = w.fab("deploy", "--canary", "1", "--batch", "1", app=gated_app)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    served = w.served()
    assert all(served[n] != w.r1 and "new (serves " in w.row(res.stdout, n) for n in w.names), out
    assert res.stdout.count("[gate] project deploy tests: 2 run, 2 passed, 0 failed on 1 host") == 3, out
    assert "a deploying test ran" not in out


def test_a_hanging_project_deploy_test_is_bounded_named_and_fails_its_host(fresh, gated_app, marked):
    w = fresh
    one, two, three = w.names
    marked(1, "hang")
    res = w.fab("deploy", "--batch", "1", "--gate-timeout", "25", app=gated_app)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    row = w.row(res.stdout, two)
    assert "rolled back (serves " + w.r1 in row, out
    assert f"tests/deploy/test_gate.py::test_no_marker[ssh://appuser@{two}]: did not finish within 25 s (killed)" \
        in row, out
    assert "untouched" in w.row(res.stdout, three) and "new (serves " in w.row(res.stdout, one), out


def test_gate_tests_none_runs_only_the_built_in_promises(fresh, gated_app, marked):
    w = fresh
    marked(0, "fail")
    res = w.fab("deploy", "--canary", "1", "--gate-tests", "none", app=gated_app)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[gate] project deploy tests" not in res.stdout


def test_a_project_deploy_test_file_that_cannot_be_collected_stops_the_rollout_before_any_host(fresh, gated_app):
    """A test file of the project's that fails to import stops ``fab deploy`` in one line (the file, the error, what
    to do) before any host is touched: no canary went live, no release was even built."""
    w = fresh
    broken = gated_app / "tests" / "deploy" / "test_broken.py"
    broken.write_text("import nosuchmodule_dt\n\n\ndef test_x(deploy_http):\n    pass\n")
    before = w.releases()
    try:
        res = w.fab("deploy", "--canary", "1", app=gated_app)
    finally:
        broken.unlink()
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    said = [ln for ln in out.splitlines() if "cannot be collected" in ln]
    assert len(said) == 1, out
    assert ("tests/deploy/test_broken.py: the project's deploy tests cannot be collected, nothing was deployed: "
            "ModuleNotFoundError: No module named 'nosuchmodule_dt'. Hint: fix it") in said[0], out
    assert "[rollout]" not in res.stdout and "[gate]" not in res.stdout, out
    assert w.releases() == before and w.served() == {n: w.r1 for n in w.names}


def test_pytest_a_gate_tests_file_that_cannot_be_collected_stops_before_bootstrap(pytester):
    """Under pytest, ``--gate-tests`` naming a file that cannot be collected stops the run with its line before the
    containers are bootstrapped (nothing deployed, no rollout)."""
    pytester.makepyfile(test_gate=PROJECT_TESTS)
    (pytester.path / "gate").mkdir()
    (pytester.path / "gate" / "test_broken.py").write_text("def test_x(deploy_http:\n    pass\n")
    result = pytester.runpytest_subprocess(f"--app={V1}", "--containers=2", "--canary=1", "-p", "no:cacheprovider",
                                           f"--gate-tests={pytester.path / 'gate'}", "test_gate.py")
    out = result.stdout.str()
    assert result.ret != pytest.ExitCode.OK, out
    said = [ln for ln in out.splitlines() if "cannot be collected" in ln]
    assert said and "gate/test_broken.py: the project's deploy tests cannot be collected, nothing was deployed: " \
                    "SyntaxError" in said[0], out
    assert "no tests ran" in out and "[rollout]" not in out and "[docker://web-1]" not in out, out


def _docker_marker_hook(host: str, what: str) -> str:
    """A before_host hook (for the docker target) putting the marker on ``host``'s container, found by its
    published SSH port."""
    return (f'if [ "$DEPLOYTESTS_HOST" = "{host}" ]; then id=$(docker ps --format "{{{{.ID}}}} {{{{.Ports}}}}" | '
            f'grep -F ":$DEPLOYTESTS_HOST_PORT->" | cut -d" " -f1); docker exec "$id" sh -c "echo {what} > {MARK}"; '
            'fi')


def test_pytest_runs_the_project_deploy_tests_between_phases(pytester):
    """Under pytest, the project's tests this run collected run on the canary before the rest: the canary's host
    (broken by a before_host hook) fails them, the rollout stops, the other host is never deployed."""
    pytester.makepyfile(test_gate=PROJECT_TESTS)
    hook = _docker_marker_hook("docker://web-1", "fail")
    pytester.makefile(".toml", targets=f"[targets.docker]\nbefore_host = '''{hook}'''\n")
    result = pytester.runpytest_subprocess(f"--app={V1}", "--containers=2", "--canary=1", "-p", "no:cacheprovider",
                                           "test_gate.py")  # --opt=value: a separate value would set the rootdir
    out = result.stdout.str()
    assert "[rollout] canary: 1 host, 0 ok, 1 failed" in out, out
    assert "rollout STOPPED, 1 host untouched" in out, out
    assert f"gate: test_gate.py::test_no_marker[docker://web-1]: AssertionError: {MARK} is there: fail" in out, out
    assert "[gate] project deploy tests: 2 run, 1 passed, 1 failed on 1 host" in out, out  # not the deploying one


def test_pytest_a_project_deploy_test_failing_on_batch_2_fails_that_batch_only(pytester):
    """``--batch 1`` on two containers, batch 2's host broken by a before_host hook: batch 1 passes the project's
    tests and stays new (its tests pass in the run), batch 2 fails them and its host's tests error with the line."""
    pytester.makepyfile(test_gate=PROJECT_TESTS)
    hook = _docker_marker_hook("docker://web-2", "fail")
    pytester.makefile(".toml", targets=f"[targets.docker]\nbefore_host = '''{hook}'''\n")
    result = pytester.runpytest_subprocess(f"--app={V1}", "--containers=2", "--batch=1", "-p", "no:cacheprovider",
                                           "-k", "not deploying", "test_gate.py")
    out = result.stdout.str()
    result.assert_outcomes(passed=2, errors=2)  # web-1's two tests pass; web-2's error with its gate line
    assert "[rollout] batch 1/2: 1 host, 1 ok, 0 failed" in out, out
    assert "[rollout] batch 2/2: 1 host, 0 ok, 1 failed" in out, out
    assert f"gate: test_gate.py::test_no_marker[docker://web-2]: AssertionError: {MARK} is there: fail" in out, out
