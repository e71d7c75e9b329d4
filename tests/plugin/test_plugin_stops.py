"""A pack or bootstrap failure stops the session once (pytester), instead of one error per test.

The target is a stand-in (no containers: this is about the plugin's reaction); pack runs for real on a project
whose build fails, bootstrap's failure is the error ``bootstrap_all`` raises when hosts fail.
"""

from __future__ import annotations

import pytest

# how pytest prints a stop made with its public ``pytest.exit`` (framed with ``!``): ``<class>: <reason>``
EXIT = f"{pytest.exit.Exception.__module__}.{pytest.exit.Exception.__qualname__}: "

STUB_TARGET = '''
import os
import pytest
from deploytests.pipeline.fleet import Bootstrapped
from deploytests.testing import StubTarget

@pytest.fixture(scope="session")
def deploy_target(pytestconfig):
    pytestconfig.rootpath.joinpath("stub-target-used").touch()  # proof that no container was started
    return StubTarget()

@pytest.fixture(scope="session", autouse=True)
def bootstrap_outcome():
    from deploytests.pipeline import fleet
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fleet, "bootstrap_all", BOOTSTRAP)
        yield
'''

MANY_TESTS = ("import pytest\n\n@pytest.mark.parametrize('n', range(30))\n"
              "def test_uses_the_artifact(artifact, n):\n    pass\n")


def broken_app(pytester):
    app = pytester.mkdir("app")
    app.joinpath("setup.py").write_text("raise SystemExit('setup.py is broken')\n")
    app.joinpath("deploy.toml").write_text('app = "broken"\nentry_point = "broken:app"\n')
    return app


def stopped_once(result, text: str) -> str:
    out = result.stdout.str() + result.stderr.str()
    lines = [ln for ln in out.splitlines() if text in ln]
    assert len(lines) == 1, out
    assert "Traceback" not in out and " ERROR at setup " not in out, out
    assert result.ret == pytest.ExitCode.TESTS_FAILED, out
    return lines[0]


@pytest.mark.network  # builds the app in a build env made from the package index (empty hermetic cache)
def test_a_pack_failure_stops_the_session_with_one_line(pytester, monkeypatch):
    from deploytests.pipeline.artifact import default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(default_cache_dir().parent))  # pytester's HOME has no build envs
    app = broken_app(pytester)
    pytester.makeconftest(STUB_TARGET.replace(
        "BOOTSTRAP", "lambda servers, cfg: Bootstrapped(python_version='3.11', machine=os.uname().machine)"))
    pytester.makepyfile(MANY_TESTS)
    pytester.makeini("[pytest]\n")  # the rootdir (and the conftest's reach) is this dir, not the app's
    result = pytester.runpytest("--app", str(app), "-p", "no:cacheprovider")
    assert pytester.path.joinpath("stub-target-used").is_file()
    line = stopped_once(result, "building the app's wheel failed")
    assert (f"! {EXIT}deploytests: {app}: building the app's wheel failed (setuptools.build_meta:__legacy__): "
            "setup.py is broken. Hint: run `python -m build --wheel` (or `pip wheel .`) in the project to see "
            "why.") in line
    assert result.stdout.lines.count("setup.py is broken") == 1  # the builder's output, once
    # no test ran, none errored: "no tests ran" (an in-process run may count pytest's own warning that the
    # already-imported deploytests cannot be assertion-rewritten again; that is not a test outcome)
    outcomes = {k: v for k, v in result.parseoutcomes().items() if k not in ("warnings", "warning")}
    assert outcomes == {}, result.stdout.str()


def test_a_bootstrap_failure_stops_the_session_with_one_line_and_its_detail(pytester):
    pytester.makeconftest(STUB_TARGET.replace("BOOTSTRAP", "fail") + '''
from deploytests.errors import DeployError

def fail(servers, cfg):
    raise DeployError("bootstrap failed on 2 of 2 host(s): web-1: apt-get failed; web-2: apt-get failed",
                      detail="--- web-1 ---\\nE: Unable to locate package apache2\\nSECRET_KEY=hunter2-secret")
''')
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "ok"\nentry_point = "ok:app"\nconfig_file = "app.cfg"\n')
    app.joinpath("app.cfg").write_text("SECRET_KEY = 'hunter2-secret'\n")
    pytester.makepyfile(MANY_TESTS)
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_subprocess("--app", str(app), "-p", "no:cacheprovider")
    assert pytester.path.joinpath("stub-target-used").is_file()
    stopped_once(result, "bootstrap failed on 2 of 2 host(s)")
    out = result.stdout.str()
    assert "E: Unable to locate package apache2" in out  # the detail is shown once, above the line
    assert "hunter2-secret" not in out  # values of the target's config file are redacted


def test_a_line_said_while_a_fixture_sets_up_reaches_the_terminal(pytester):
    """The image build, the sweep, a pack or config warning are said in a session fixture's set-up, where pytest
    captures fd 1: in a real (subprocess) run the line must still reach the terminal, in its place, and a fixture
    that then passes must not take it into a discarded capture."""
    pytester.makeconftest('''
import pytest
from deploytests.plugin.state import say

@pytest.fixture(scope="session")
def slow_target(pytestconfig):
    say(pytestconfig, "building image deploytests/x:1 ...")
    yield
    say(pytestconfig, "removed 1 container(s)")
''')
    pytester.makepyfile("def test_one(slow_target):\n    pass\n")
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    out = result.stdout.str()
    assert result.ret == 0, out
    building = out.index("deploytests: building image deploytests/x:1 ...")
    assert building < out.index(" passed"), out
    assert "deploytests: removed 1 container(s)" in out, out


def test_a_target_that_cannot_open_stops_with_its_line_and_the_detail_its_hint_names(pytester):
    """Seen as a user on a loaded machine: `docker://web-1 (127.0.0.1:33136): timed out after 30s ... waiting for
    the SSH banner ... Hint: sshd did not start: read the container log below.` and nothing below: the stop printed
    the error's line and dropped its detail (the container's log). Class: a session stop that drops the detail
    its line points to. Other member: the deploy config's stop (deploy_config), through the same ``stop``."""
    pytester.makeconftest('''
import pytest
from deploytests.errors import DeployTestsError
from deploytests.plugin.state import PROVIDER

def pytest_collection_finish(session):  # the target is resolved once a test of deploytests is collected
    provider = session.config.stash.get(PROVIDER, None)
    if provider is not None:
        def refuse():
            raise DeployTestsError("timed out after 30s waiting for the SSH banner", where="docker://web-1",
                                   hint="sshd did not start: read the container log below",
                                   detail="--- container log dt-x-web-1 ---\\nsshd: no hostkeys available")
        provider.open, provider.close = refuse, lambda: None
''')
    pytester.makepyfile(test_site="def test_site(deploy_target):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "read the container log below" in out and "sshd: no hostkeys available" in out, out
    assert out.index("sshd: no hostkeys available") < out.index("read the container log below"), out
