"""The plugin seen from the outside (pytester): options, header, test ids, safety skips, one-line errors.

No test here starts a container: errors are provoked before any would (or with a dead Docker socket).
"""

from __future__ import annotations

import re
import subprocess

import pytest

USES_SERVER = "def test_site(server):\n    pass\n"

# how pytest prints a stop made with its public ``pytest.exit`` (framed with ``!``): ``<class>: <reason>``
EXIT = f"{pytest.exit.Exception.__module__}.{pytest.exit.Exception.__qualname__}: "


def write_inventory(pytester, body: str):
    key = pytester.path.joinpath("id_test")  # a real key, private like OpenSSH wants (it is checked before connecting)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    pytester.path.joinpath("known_hosts").write_text("")
    return pytester.makefile(".toml", targets=body)


def staging(hosts='["appuser@web1", "appuser@web2:2222"]', deploy="true", destructive="false", extra=""):
    return (f"[targets.staging]\nhosts = {hosts}\nidentity_file = \"id_test\"\nknown_hosts = \"known_hosts\"\n"
            f"base_url = \"http://127.0.0.1:9\"\ndeploy = {deploy}\ndestructive = {destructive}\n{extra}")



def one_error_line(result, text: str):
    """The session stopped with exactly one line carrying ``text`` and no traceback, as the README shows it:
    pytest's public ``pytest.exit`` line, ``_pytest.outcomes.Exit: deploytests: <what>``, framed with ``!``
    (never xdist's ``Interrupted:``)."""
    out = result.stdout.str() + result.stderr.str()
    lines = [ln for ln in out.splitlines() if text in ln]
    assert len(lines) == 1, out
    assert "Traceback" not in out, out
    assert re.fullmatch(r"(!+) %sdeploytests: .* \1" % re.escape(EXIT), lines[0]), lines[0]
    return lines[0]


def an_app(pytester) -> str:
    """A project with a valid deploy config (the stops below come before it is packed)."""
    app = pytester.mkdir("app")
    app.joinpath("deploy.toml").write_text('app = "mine"\nentry_point = "mine:app"\n')
    return str(app)


def test_options_in_help(pytester):
    result = pytester.runpytest("--help")
    out = result.stdout.str()
    for opt in ("--target=NAME", "--targets-file=PATH", "--app=PATH", "--containers=N", "--no-deploy",
                "--keep-containers", "DEPLOYTESTS_TARGET", "deploytests_containers"):
        assert opt in out, opt
    assert "deploy an app to a target and verify it (deploytests)" in out


def test_fixtures_have_docstrings(pytester):
    out = pytester.runpytest("--fixtures").stdout.str()
    for name in ("deploy_settings", "deploy_target", "deploy_config", "deploy_bootstrapped", "deploy_artifact",
                 "deployment", "deploy_server", "deploy_host", "deploy_http",
                 "server", "testinfra_host", "http", "artifact", "bootstrapped"):
        assert f"{name} [session scope]" in out, name
    assert "no fixture docstring" not in out.split("deploytests.plugin")[-1]


def test_report_header_docker(pytester):
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest("--co", "--containers", "3", "--app", "myapp")
    result.stdout.fnmatch_lines([
        "deploytests: target 'docker': 3 containers of deploytests/debian-apache-wsgi:*",
        "deploytests: hosts: docker://web-1, docker://web-2, docker://web-3",
        f"deploytests: app: {pytester.path}/myapp (command line)",
        "deploytests: rights: deploy=yes, destructive=yes; deploying before verifying",
    ])


def test_ids_are_readable(pytester):
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest("--co", "-q")
    result.stdout.fnmatch_lines(["*test_site[[]docker://web-1[]]", "*test_site[[]docker://web-2[]]"])
    write_inventory(pytester, staging())
    result = pytester.runpytest("--co", "-q", "--target", "staging")
    result.stdout.fnmatch_lines(["*test_site[[]ssh://appuser@web1[]]", "*test_site[[]ssh://appuser@web2:2222[]]"])


def test_header_for_ssh_target_and_settings_from_env_and_ini(pytester, monkeypatch):
    write_inventory(pytester, staging(deploy="false"))
    pytester.makeini("[pytest]\ndeploytests_target = nope\ndeploytests_app = apps/mine\n")
    monkeypatch.setenv("DEPLOYTESTS_TARGET", "staging")
    monkeypatch.setenv("DEPLOYTESTS_NO_DEPLOY", "1")
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest("--co")
    result.stdout.fnmatch_lines([
        "deploytests: target 'staging': 2 hosts over SSH (appuser@web1:22, appuser@web2:2222) [[]*targets.toml:1]",
        f"deploytests: app: {pytester.path}/apps/mine (ini)",
        "deploytests: rights: deploy=no, destructive=no; verifying what is live (--no-deploy)",
    ])


def test_platform_is_refused_for_an_ssh_target_and_noted_from_env(pytester, monkeypatch):
    write_inventory(pytester, staging(deploy="false"))
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest("--target", "staging", "--platform", "debian13")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "--platform=debian13: does not apply to target 'staging' (ssh): its servers' OS decides "
                           "their platform. Hint: drop --platform for this target")
    monkeypatch.setenv("DEPLOYTESTS_PLATFORM", "debian13")
    result = pytester.runpytest("--target", "staging", "--co")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["deploytests: rights: *", "deploytests: note: --platform=debian13 (from "
                                 "DEPLOYTESTS_PLATFORM environment variable) does not apply to target 'staging' "
                                 "(ssh): its servers' OS decides their platform"])


def test_rights_skip_with_reason(pytester):
    write_inventory(pytester, staging(deploy="false"))
    pytester.makepyfile("""
        import pytest

        @pytest.mark.deploytests_destructive
        def test_break_things():
            raise AssertionError("must never run")

        @pytest.mark.deploytests_deploys
        def test_deploy_things():
            raise AssertionError("must never run")

        def test_read_only():
            pass
    """)
    result = pytester.runpytest("--target", "staging", "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([
        "*target 'staging' does not allow destructive tests (destructive = false in the targets file)",
        "*target 'staging' does not allow deploys (deploy = false in the targets file)",
    ])


def test_docker_has_every_right(pytester):
    pytester.makepyfile("import pytest\n@pytest.mark.deploytests_destructive\ndef test_x():\n    pass\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_bad_option_value_names_its_source(pytester, monkeypatch):
    monkeypatch.setenv("DEPLOYTESTS_CONTAINERS", "abc")
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest("--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "--containers=abc (from DEPLOYTESTS_CONTAINERS environment variable): "
                           "not a positive integer")


def test_bad_settings_do_not_break_runs_that_do_not_use_deploytests(pytester, monkeypatch):
    """The plugin is active in every pytest run of the environment: someone else's suite must not fail
    because of a stray DEPLOYTESTS_* variable or a targets.toml that is not ours."""
    monkeypatch.setenv("DEPLOYTESTS_CONTAINERS", "abc")
    pytester.makefile(".toml", targets="[targets]\nnot = 'ours'\n")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not [ln for ln in result.stdout.lines if ln.startswith("deploytests")], result.stdout.str()


def test_unknown_target_lists_targets(pytester):
    write_inventory(pytester, staging() + "\n[targets.prod]\nhosts = []\n")
    result = pytester.runpytest("--target", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "unknown target 'nope'; targets in ")
    assert "targets.toml: docker, prod, staging." in result.stdout.str()


def test_missing_targets_file(pytester):
    result = pytester.runpytest("--target", "staging", "--targets-file", "nothere.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, f"targets file {pytester.path}/nothere.toml does not exist")


def test_malformed_targets_file_names_line(pytester):
    write_inventory(pytester, "[targets.staging]\nhosts = [\"appuser@web1\"\ndeploy = true\n")
    result = pytester.runpytest("--target", "staging")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "targets.toml:3: not valid TOML")


def test_missing_key_file(pytester):
    write_inventory(pytester, staging().replace('"id_test"', '"no_such_key"'))
    result = pytester.runpytest("--target", "staging")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "target 'staging': identity file ")
    assert "no_such_key does not exist" in result.stdout.str()


def test_unreachable_host_stops_the_session(pytester, closed_port):
    port = closed_port
    write_inventory(pytester, staging(hosts=f'["appuser@127.0.0.1:{port}"]'))
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest_subprocess("--target", "staging", "--app", an_app(pytester), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, f"ssh://appuser@127.0.0.1:{port}: connection refused by 127.0.0.1:{port}")


def test_no_docker_engine_stops_the_session(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest_subprocess("--app", an_app(pytester), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    line = one_error_line(result, "no Docker engine answers at unix://")
    assert "run `sudo apt-get install -y docker.io debootstrap` (or `deploytests engine up` as root" in line


def test_unit_tests_need_no_target(pytester, monkeypatch, tmp_path):
    """A run that uses no server fixture never touches the target (no engine needed)."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")
    pytester.makepyfile("def test_plain():\n    pass\n")
    pytester.runpytest().assert_outcomes(passed=1)


RUNS_FIRST = '''
import pytest

@pytest.mark.deploytests_deploys
def test_a_scenario_that_needs_no_app(pytestconfig):  # as the lifecycle scenarios: bundled apps, no deploy.toml
    pytestconfig.rootpath.joinpath("scenario-ran").touch()

def test_site(deploy_http):
    pass
'''


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_a_bad_deploy_config_stops_the_session_before_any_test_runs(pytester, xdist):
    """The app's deploy config is read when the run uses deploytests, after collection: a typo stops the
    session before the scenarios that need no app ran (they took a minute), not at the first test needing it."""
    pytester.makefile(".toml", deploy='app = "mine"\nentry_point = "mine:app"\nkeep_release = 3\n')
    pytester.makepyfile(RUNS_FIRST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *xdist)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    line = f"deploytests: {pytester.path}/deploy.toml:3: unknown key 'keep_release'; allowed keys: "
    assert not pytester.path.joinpath("scenario-ran").exists(), result.stdout.str()
    if not xdist:
        one_error_line(result, line)
        result.stdout.fnmatch_lines(["collected 3 items", "*no tests ran*"])
    else:  # each worker's first test errors with the line (no test ran), then the session stops with it
        stops = [ln for ln in result.stdout.lines if ln.startswith("!")]
        assert len(stops) == 1 and stops[0].startswith(f"! {EXIT}{line}"), result.stdout.str()
        assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_no_app_stops_the_session_before_any_test_runs(pytester):
    pytester.makepyfile(RUNS_FIRST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "deploytests: no app to deploy. Hint: pass --app PATH")
    assert not pytester.path.joinpath("scenario-ran").exists()
    pytester.makepyfile(RUNS_FIRST.split("def test_site")[0])  # no test needs the app: nothing to refuse
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_an_app_named_by_an_env_var_without_deploy_config_names_the_env_var(pytester, monkeypatch):
    monkeypatch.setenv("DEPLOYTESTS_APP", "nowhere")
    pytester.makepyfile(USES_SERVER)
    result = pytester.runpytest("-p", "no:cacheprovider")
    one_error_line(result, f"deploytests: --app=nowhere (from DEPLOYTESTS_APP environment variable): no deploy "
                           f"config in {pytester.path}/nowhere. Hint: create deploy.toml")


def test_a_broken_deploy_config_does_not_touch_runs_that_do_not_use_deploytests(pytester):
    pytester.makefile(".toml", deploy='app = "mine"\nkeep_release = 3\n')
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not [ln for ln in result.stdout.lines if ln.startswith(("deploytests", "!"))], result.stdout.str()


def test_a_bad_option_on_the_command_line_stops_like_every_other_stop(pytester):
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--containers", "abc", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    one_error_line(result, "deploytests: --containers=abc: not a positive integer.")
