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


def test_a_failed_deploy_is_reported_once_per_test_without_a_chained_traceback(pytester):
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "notes"\nentry_point = "notes:app"\n')
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile("def test_one(deployment):\n    pass\n\ndef test_two(deployment):\n    pass\n")
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest("--app", str(app), "-p", "no:cacheprovider")
    out = result.stdout.str()
    result.assert_outcomes(errors=2)
    assert "During handling of the above exception" not in out, out
    # once per erroring test in its report (the session fixture failed once; pytest repeats it for each test)
    assert out.count("UNIQUE-DETAIL") == 2 and out.count("UNIQUE-LINE") == 2, out
