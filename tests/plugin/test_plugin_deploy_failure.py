"""A failed session deploy errors the tests that need it with the failure said once (pytester).

The target and artifact are stand-ins (no containers: this is about how the plugin reports), and ``deploy_all``
raises what it raises when hosts fail. pytest chains an exception raised while another is handled: the report
showed the one line, "During handling of the above exception, another exception occurred:", then the one line
again with its detail.
"""

from __future__ import annotations

CONFTEST = '''
import pytest
from deploytests.errors import DeployError
from deploytests.pipeline.fleet import Bootstrapped
from deploytests.testing import StubTarget

@pytest.fixture(scope="session")
def deploy_target():
    return StubTarget()

@pytest.fixture(scope="session")
def deploy_bootstrapped():
    return Bootstrapped(python_version="3.11", machine="x86_64")

@pytest.fixture(scope="session")
def deploy_artifact():
    return object()

def failing_deploy(*args, **kwargs):
    raise DeployError("deploy failed on 1 of 1 host(s): docker://web-1: UNIQUE-LINE",
                      detail="UNIQUE-DETAIL")

@pytest.fixture(scope="session", autouse=True)
def deploy_outcome():
    from deploytests.pipeline import fleet
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fleet, "deploy_all", failing_deploy)
        yield
'''


def run_project(pytester, conftest: str, tests: str, *args: str):
    """A project with a valid deploy.toml, ``conftest`` and the test module ``tests``, run in-process."""
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "notes"\nentry_point = "notes:app"\n')
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_x=tests)
    pytester.makeini("[pytest]\n")
    return pytester.runpytest("--app", str(app), "-p", "no:cacheprovider", *args)


def test_a_failed_deploy_is_reported_once_per_test_without_a_chained_traceback(pytester):
    result = run_project(pytester, CONFTEST,
                         "def test_one(deployment):\n    pass\n\ndef test_two(deployment):\n    pass\n")
    out = result.stdout.str()
    result.assert_outcomes(errors=2)
    assert "During handling of the above exception" not in out, out
    # the session fixture failed once and pytest repeats it for each test: the detail is said once, in the
    # first error; the second test gets one line that says where the detail is
    assert out.count("UNIQUE-DETAIL") == 1, out
    assert "docker://web-1: UNIQUE-LINE (details in the first error above)" in out, out


HOSTS_FAILED = CONFTEST.replace(
    'raise DeployError("deploy failed on 1 of 1 host(s): docker://web-1: UNIQUE-LINE",\n'
    '                      detail="UNIQUE-DETAIL")',
    'from deploytests.errors import HostsFailed, HostOutcome\n'
    '    raise HostsFailed("deploy", [HostOutcome(s, error=DeployError(f"{s}: deploy failed at import: "\n'
    '        "SECRET-VALUE is wrong", detail=f"{s} TRACEBACK")) for s in ("docker://web-1", "docker://web-2")])')


def test_a_deploy_failed_on_every_host_stops_the_session_with_one_line_and_each_hosts_detail_once(pytester):
    # Class: one root cause repeated by every test. A deploy refused on both hosts (startproject's SQLite file in
    # the release) errored all 178 tests, each with its ERROR section and its short-summary line: 619 lines for
    # one cause. Nothing is left to verify, so the session stops as a failed pack or bootstrap does: the hosts'
    # output once (hosts that said the same grouped), then one line naming the hosts and the cause.
    assert HOSTS_FAILED != CONFTEST
    result = run_project(pytester, HOSTS_FAILED, "import pytest\n\n@pytest.mark.parametrize('n', range(2))\n"
                         "def test_each(deploy_server, n):\n    pass\n")
    out = result.stdout.str() + result.stderr.str()
    assert out.count("docker://web-1 TRACEBACK") == 1 and out.count("docker://web-2 TRACEBACK") == 1, out
    assert " ERROR at setup " not in out and "Traceback" not in out, out
    assert result.ret == 1, out
    line = [ln for ln in out.splitlines() if "deploy failed on 2 of 2 hosts" in ln]
    assert len(line) == 1 and line[0].endswith("deploytests: deploy failed on 2 of 2 hosts: docker://web-1, "
                                               "docker://web-2: deploy failed at import: SECRET-VALUE is wrong. !"), out


HOST_FAILED = CONFTEST.replace(
    'raise DeployError("deploy failed on 1 of 1 host(s): docker://web-1: UNIQUE-LINE",\n'
    '                      detail="UNIQUE-DETAIL")',
    'from deploytests.pipeline.fleet import Deployment, HostState\n'
    '    return Deployment(deployed=True, hosts={s: HostState(s, error=f"{s}: bootstrap failed: no sudo", hint="x",\n'
    '        detail=f"{s} AGENT-OUTPUT") for s in ("docker://web-1", "docker://web-2")})').replace(
    '    return StubTarget()',
    '    from types import SimpleNamespace\n    target = StubTarget()\n'
    '    target.servers = [SimpleNamespace(label=s) for s in ("docker://web-1", "docker://web-2")]\n'
    '    return target')


def test_a_host_whose_step_failed_says_its_detail_in_its_first_error_only(pytester, monkeypatch):
    assert HOST_FAILED != CONFTEST
    monkeypatch.setenv("COLUMNS", "150")
    result = run_project(pytester, HOST_FAILED, "import pytest\n\n@pytest.mark.parametrize('n', range(3))\n"
                         "def test_each(deploy_server, n):\n    pass\n", "-rE")
    out = result.stdout.str()
    result.assert_outcomes(errors=6)
    assert out.count("docker://web-1 AGENT-OUTPUT") == 1 and out.count("docker://web-2 AGENT-OUTPUT") == 1, out
    line = "docker://web-2: bootstrap failed: no sudo (details in the first error above)"
    assert out.count(line) == 4, out  # two later errors, two short-summary lines
    assert f"ERROR test_x.py::test_each[docker://web-2-2] - Failed: {line}" in out, out
