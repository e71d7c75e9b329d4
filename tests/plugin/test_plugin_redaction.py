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


# Each secret as the config file writes it, and the value the app reads: an escaped quote, an inline comment,
# bytes, a TOML table, a dotenv line. The raw-text reader of old saw `k3y-\"-q` (with the backslash), the
# comment as part of the value, and `b"..."` with its prefix: the real values leaked.
CONFIGS = {
    "app.cfg": ('SECRET_KEY = "Qk3y-\\"-quoted-secret"  # comment\nAPI_TOKEN = \'tok-inline-1\'  # a comment\n'
                'BIN_KEY = b"bytes-valued-secret"\n', ['Qk3y-"-quoted-secret', "tok-inline-1", "bytes-valued-secret"]),
    "app.toml": ('[db]\npassword = "toml-db-password-9"\n', ["toml-db-password-9"]),
    ".env": ('export SESSION_SECRET="dotenv-secret-77" # note\n', ["dotenv-secret-77"]),
}

LEAKY = '''
import json, sys
from urllib.parse import quote

def test_passes_but_prints(deploy_config, record_property):
    values = json.loads({values!r})
    for v in values:
        print("raw", v, "json", json.dumps(v), "url", quote(v, safe=""), "bytes", v.encode(), "repr", repr(v))
        print("err", json.dumps({{"k": v}}), file=sys.stderr)
    record_property("leak", " ".join(values))

def test_fails_quoting(deploy_config):
    assert False, {values!r}
'''


def test_every_form_of_every_config_kind_is_redacted_in_passed_and_failed_reports(pytester):
    import json
    from urllib.parse import quote

    for name, (text, secrets) in CONFIGS.items():
        app = pytester.mkdir(f"app-{name.strip('.')}")
        app.joinpath("deploy.toml").write_text(f'app = "mine"\nentry_point = "mine:app"\nconfig_file = "{name}"\n')
        app.joinpath(name).write_text(text)
        pytester.makeconftest(CONFTEST)
        test = pytester.makepyfile(**{f"test_leaky_{name.strip('.').replace('.', '_')}":
                                      LEAKY.format(values=json.dumps(secrets))})
        xml = pytester.path / f"junit-{name}.xml"
        result = pytester.runpytest(str(test), "--app", str(app), "-p", "no:cacheprovider", "-rA",
                                    f"--junitxml={xml}", "-o", "junit_family=xunit1")
        result.assert_outcomes(passed=1, failed=1)
        out = result.stdout.str() + result.stderr.str()
        report = xml.read_text()
        for secret in secrets:
            for form in (secret, json.dumps(secret)[1:-1], quote(secret, safe=""), repr(secret.encode())[2:-1]):
                assert form not in out, f"{name}: {form!r} in the terminal:\n{out}"
                assert form not in report and form.replace('"', "&quot;") not in report, f"{name}: {form!r} in junit"
        assert out.count("[redacted]") >= 4 * len(secrets), out


def test_a_computed_secret_is_named_in_a_warning(pytester):
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "mine"\nentry_point = "mine:app"\nconfig_file = "app.cfg"\n')
    app.joinpath("app.cfg").write_text('import os\nSECRET_KEY = os.environ["MINE_KEY"]\n')
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile("def test_uses(deploy_config):\n    pass\n")
    result = pytester.runpytest("--app", str(app), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"deploytests: warning: {app}/app.cfg:2: SECRET_KEY = os.environ[[]\"MINE_KEY\"[]]: "
                                 "computed when the app starts*cannot be redacted"])
