"""A check's own failure text never shows the app's config values (pytester; a stand-in target, no containers).

The diagnostics sections were redacted, but a check whose assertion quoted a command's output (``assert_ok(host,
"cat %s && false", config_path)``) printed the config's ``SECRET_KEY`` in the terminal and the junit xml.
"""

from __future__ import annotations

SECRET = "rv2-SUPERSECRET-value-5d2e8f"

CONFTEST = '''
import pytest
from deploytests.testing import StubTarget

@pytest.fixture(scope="session")
def deploy_target():
    return StubTarget()
'''

CHECK = '''
import sys

def test_quotes_the_config(deploy_config):
    text = deploy_config.config_file.read_text()
    print("stdout:", text)
    print("stderr:", text, file=sys.stderr)
    assert False, "command failed on web-1\\n" + text
'''


def test_a_failing_check_that_quotes_the_config_is_redacted_everywhere(pytester):
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "mine"\nentry_point = "mine:app"\nconfig_file = "app.cfg"\n')
    app.joinpath("app.cfg").write_text(f'SECRET_KEY = "{SECRET}"\nGREETING = "hi"\n')
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(CHECK)
    xml = pytester.path / "junit.xml"
    result = pytester.runpytest("--app", str(app), "-p", "no:cacheprovider", "-rA", f"--junitxml={xml}")
    result.assert_outcomes(failed=1)
    out = result.stdout.str() + result.stderr.str()
    assert SECRET not in out, out
    assert SECRET not in xml.read_text(), xml.read_text()
    assert out.count("[redacted]") >= 3 and "command failed on web-1" in out, out  # the failure, stdout, stderr
