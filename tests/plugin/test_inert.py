"""Installed, the plugin is loaded into every pytest run of the environment: it must be invisible to projects
that do not use it, and a project's own fixtures must win over its short aliases.

The projects here are run in a subprocess with ``-W error`` and their own ``filterwarnings = ["error"]``, as a
strict team runs its suite: any warning of ours (an unclosed file, a deprecation) would fail them.
"""

from __future__ import annotations

import re

import pytest


def ours(out: str) -> list[str]:
    """Lines deploytests printed (header lines, its summary); pytest's own plugin list names it too."""
    return [ln for ln in out.splitlines() if ln.startswith("deploytests") or "deploytests summary" in ln]


STRICT_INI = '[pytest]\nfilterwarnings =\n    error\n'

OWN_FIXTURES = '''
import pytest


class Server:
    """The project's own idea of a server: no ``label``, nothing of deploytests."""

    def __init__(self, name):
        self.name = name


@pytest.fixture
def server():
    return Server("mine")


@pytest.fixture
def http():
    return {"base": "http://example.invalid"}


@pytest.fixture
def artifact(tmp_path):
    path = tmp_path / "build.zip"
    path.write_bytes(b"PK")
    return path


@pytest.fixture
def deployment():
    return "blue-green"
'''

OWN_TESTS = '''
def test_server(server):
    assert server.name == "mine"


def test_http_and_artifact(http, artifact):
    assert http["base"].startswith("http://") and artifact.read_bytes() == b"PK"


def test_deployment(deployment):
    assert deployment == "blue-green"


def test_fails_with_own_server(server):
    assert server.name == "other", "deliberate: the report of a failed test of the project's own server"
'''


def test_project_with_its_own_server_http_artifact_fixtures_is_untouched(pytester, monkeypatch, tmp_path):
    """No parametrization, no header or summary, no engine contacted, no INTERNALERROR from our report hook
    (the project's ``server`` has no ``label``), no warning under ``-W error``."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")  # nothing may try to reach an engine
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(OWN_FIXTURES)
    pytester.makepyfile(test_own=OWN_TESTS)
    result = pytester.runpytest_subprocess("-W", "error", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    out = result.stdout.str() + result.stderr.str()
    assert not ours(out), out
    assert "docker://" not in out and "INTERNALERROR" not in out, out
    result.stdout.fnmatch_lines(["*test_own.py::test_server PASSED*",
                                 "*test_own.py::test_fails_with_own_server FAILED*"])


def test_project_without_deploytests_sees_no_markers_of_ours_but_its_own(pytester):
    result = pytester.runpytest("--markers")
    out = result.stdout.str()
    assert "@pytest.mark.deploytests_deploys" in out and "@pytest.mark.deploytests_destructive" in out
    assert "@pytest.mark.deploys:" not in out and "@pytest.mark.destructive:" not in out
    assert "@pytest.mark.integration" not in out  # this repository's own marker, not the plugin's


def test_plain_run_has_no_header_and_no_summary(pytester):
    pytester.makeini(STRICT_INI)
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not ours(result.stdout.str() + result.stderr.str()), result.stdout.str()


@pytest.mark.parametrize("fixture", ["deploy_server", "server", "deploy_http", "http", "deploy_host",
                                     "testinfra_host"])
def test_our_fixtures_and_aliases_run_once_per_server(pytester, fixture):
    pytester.makepyfile(f"def test_site({fixture}):\n    pass\n")
    result = pytester.runpytest("--co", "-q", "--containers", "2")
    result.stdout.fnmatch_lines(["*test_site[[]docker://web-1[]]", "*test_site[[]docker://web-2[]]"])
    result.stdout.fnmatch_lines(["deploytests: hosts: docker://web-1, docker://web-2"])


def test_own_server_beside_ours_in_one_run(pytester):
    """One module overrides ``server``; another uses ``deploy_server``: only the latter is parametrized."""
    pytester.mkpydir("own").joinpath("conftest.py").write_text(OWN_FIXTURES)
    pytester.path.joinpath("own", "test_own.py").write_text("def test_own(server):\n    assert server.name\n")
    pytester.makepyfile(test_deploy="def test_site(deploy_server):\n    pass\n")
    result = pytester.runpytest("--co", "-q")
    result.stdout.fnmatch_lines(["own/test_own.py::test_own", "*test_site[[]docker://web-1[]]"])
    assert "test_own[" not in result.stdout.str()


def test_app_defaults_to_the_project_with_a_deploy_config(pytester):
    pytester.makefile(".toml", deploy='app = "mine"\nentry_point = "mine:app"\n')
    pytester.makepyfile("def test_site(deploy_http):\n    pass\n")
    result = pytester.runpytest("--co")
    result.stdout.fnmatch_lines([f"deploytests: app: {pytester.path} (the project at the rootdir)"])


def test_app_from_pyproject_table_and_conftest_hook_wins(pytester):
    pytester.makefile(".toml", pyproject='[tool.deploytests]\napp = "mine"\nentry_point = "mine:app"\n')
    pytester.makepyfile("def test_site(deploy_http):\n    pass\n")
    pytester.makeini("[pytest]\n")  # rootdir stays the project; pyproject.toml is still there
    result = pytester.runpytest("--co")
    result.stdout.fnmatch_lines([f"deploytests: app: {pytester.path} (the project at the rootdir)"])
    pytester.makeconftest("from pathlib import Path\n\n"
                          "def pytest_deploytests_default_app(config):\n    return Path('elsewhere')\n")
    result = pytester.runpytest("--co")
    result.stdout.fnmatch_lines(["deploytests: app: */elsewhere (conftest default)"])


def test_no_app_when_the_project_has_no_deploy_config(pytester):
    pytester.makefile(".toml", pyproject='[tool.other]\nx = 1\n')
    pytester.makepyfile("def test_site(deploy_http):\n    pass\n")
    result = pytester.runpytest("--co")
    result.stdout.fnmatch_lines(["deploytests: app: (none: set --app)"])


PLAIN_CHECKS = '''
import sys


def test_no_fault_campaign_loaded(pytestconfig):
    assert not pytestconfig.pluginmanager.has_plugin("deploytests.faults.plugin")
    assert not any(name.startswith("deploytests.faults") for name in sys.modules), sorted(sys.modules)
'''


def test_the_fault_campaign_is_loaded_only_when_asked_for(pytester):
    """Not in an ordinary run (not even imported); ``-p deploytests.faults.plugin`` loads it, and without
    ``--deploytests-faults`` it changes nothing (the tests run)."""
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(test_plain=PLAIN_CHECKS)
    pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    pytester.makepyfile(test_loaded="def test_loaded(pytestconfig):\n"
                                    "    assert pytestconfig.pluginmanager.has_plugin('deploytests.faults.plugin')\n")
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider", "-p", "deploytests.faults.plugin",
                                           "test_loaded.py")
    result.assert_outcomes(passed=1)


def _sections(help_text: str) -> dict[str, set[str]]:
    """``pytest --help``: the options (``--name``) of each section and the ini keys, by section title."""
    sections: dict[str, set[str]] = {}
    title = ""
    for line in help_text.splitlines():
        if line and not line.startswith(" "):
            title = line.rstrip(":")
            continue
        words = line.split()
        if not words:
            continue
        if words[0].startswith("--"):
            sections.setdefault(title, set()).add(words[0].split("=")[0].rstrip(","))
        elif title.startswith("[pytest]") and line.startswith("  ") and not line.startswith("   "):
            sections.setdefault(title, set()).add(words[0])
    return sections


def test_every_option_and_ini_key_of_ours_is_in_our_group_and_named_for_us(pytester):
    """What the plugin adds to ``pytest --help``: options only in its own group, ini keys only ``deploytests_*``;
    nothing in pytest's own sections or in another plugin's."""
    ours = _sections(pytester.runpytest("--help").stdout.str())
    plain = _sections(pytester.runpytest("--help", "-p", "no:deploytests").stdout.str())
    added = {title: names - plain.get(title, set()) for title, names in ours.items()}
    added = {title: names for title, names in added.items() if names}
    group = "deploy an app to a target and verify it (deploytests)"
    ini = next(title for title in added if title.startswith("[pytest]"))
    assert set(added) == {group, ini}, added
    assert "--deploytests-faults" in added[group] and "--app" in added[group]
    assert all(key.startswith("deploytests_") for key in added[ini]), added[ini]


def _normalized(out: str) -> list[str]:
    """A run's output without what differs between two identical runs (timings, the plugin list)."""
    return [re.sub(r" in [\d.]+s", "", line) for line in out.splitlines()
            if not line.startswith(("plugins:", "rootdir:", "cachedir:"))]


def test_a_plain_run_prints_exactly_what_it_prints_without_the_plugin(pytester):
    """Output byte for byte as with ``-p no:deploytests`` (nothing printed, no header, no note), for a passing and
    a failing test and under ``-rA``; also under xdist."""
    pytester.makeini(STRICT_INI)
    pytester.makepyfile("def test_ok():\n    print('out')\n\n\ndef test_bad():\n    assert 1 == 2\n")
    for extra in ([], ["-n", "2"]):
        args = ["-W", "error", "-p", "no:cacheprovider", "-rA", *extra]
        with_plugin = pytester.runpytest_subprocess(*args)
        without = pytester.runpytest_subprocess(*args, "-p", "no:deploytests")
        with_plugin.assert_outcomes(passed=1, failed=1)
        if extra:  # xdist's worker lines carry the order the workers finished in
            assert not ours(with_plugin.stdout.str() + with_plugin.stderr.str())
            continue
        assert _normalized(with_plugin.stdout.str()) == _normalized(without.stdout.str())
        assert with_plugin.stderr.str() == without.stderr.str()


# Class: the plugin in others' errors. A project's own fixture whose import fails (a package not installed) printed,
# in its error, our pytest_runtest_setup wrapper's source (its docstring and `return (yield)`) between the test and
# the fixture: the error read as deploytests'. Members: a fixture's error, a test's own failure, a conftest that
# does not import (at load time), a conftest hook that raises: each prints as without the plugin.
@pytest.mark.parametrize("conftest, tests", [
    ("import pytest\n@pytest.fixture\ndef db():\n    import nonexistent_pkg_xyz\n",
     "def test_ok():\n    pass\n\n\ndef test_db(db):\n    pass\n"),
    ("", "def test_bad():\n    import nonexistent_pkg_xyz\n"),
    ("import nonexistent_pkg_xyz\n", "def test_ok():\n    pass\n"),
    ("def pytest_collection_modifyitems(items):\n    raise RuntimeError('boom')\n", "def test_ok():\n    pass\n"),
])
def test_a_projects_own_errors_print_as_without_the_plugin(pytester, conftest, tests):
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(conftest)
    pytester.makepyfile(tests)
    args = ["-p", "no:cacheprovider"]
    with_plugin = pytester.runpytest_subprocess(*args)
    without = pytester.runpytest_subprocess(*args, "-p", "no:deploytests")
    assert with_plugin.ret == without.ret and with_plugin.ret != 0
    assert _normalized(with_plugin.stdout.str()) == _normalized(without.stdout.str()), with_plugin.stdout.str()
    assert with_plugin.stderr.str() == without.stderr.str()


OWN_OPTIONS = '''
def pytest_addoption(parser):
    parser.addoption("--app", default="default-app", help="the project's own app name")
    parser.addoption("--target", default="local", help="the project's own target")
'''

OWN_OPTION_TESTS = '''
def test_own_options(pytestconfig):
    assert pytestconfig.getoption("app") == "shop"
    assert pytestconfig.getoption("target") == "eu"
'''


def test_a_project_that_defines_our_short_option_names_keeps_them(pytester):
    """A conftest with ``parser.addoption("--app")`` and ``--target`` (generic names any project may use): the run
    is the project's, as without the plugin (exit code, outcomes), and our prefixed ``--deploytests-target``
    still reaches deploytests."""
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(OWN_OPTIONS)
    pytester.makepyfile(test_own=OWN_OPTION_TESTS)
    args = ["-W", "error", "-p", "no:cacheprovider", "--app", "shop", "--target=eu"]
    result = pytester.runpytest_subprocess(*args)
    without = pytester.runpytest_subprocess(*args, "-p", "no:deploytests")
    assert (result.ret, without.ret) == (0, 0), result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1)
    assert not ours(result.stdout.str() + result.stderr.str())
    pytester.makepyfile(test_deploy="def test_site(deploy_server):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--app", "shop", "--target=eu",
                                           "--deploytests-target", "nosuch")
    out = result.stdout.str() + result.stderr.str()
    assert "deploytests: " in out and "unknown target 'nosuch'" in out, out
    assert result.ret != 0
    # the aliases the project did not take are still ours
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--app", "shop", "--target=eu", "--co",
                                           "--containers", "3", "test_deploy.py")
    result.stdout.fnmatch_lines(["*test_site[[]docker://web-3[]]*"])


def test_every_option_has_a_prefixed_form(pytester):
    out = pytester.runpytest("--help").stdout.str()
    for name in ("target", "targets-file", "app", "containers", "no-deploy", "keep-containers", "platform",
                 "host-timeout", "canary", "batch", "max-failed", "parallel", "rolling"):
        assert f"--deploytests-{name}" in out, name


def test_another_plugin_that_defines_our_short_option_names_keeps_them(pytester):
    """The same for a plugin (``-p``, as an installed one is loaded) with a ``--parallel`` and a ``--rolling``
    flag of its own; ``pytest --help`` works and lists both spellings of the rest."""
    pytester.makepyfile(otherplugin='def pytest_addoption(parser):\n'
                                    '    parser.addoption("--parallel", type=int, default=1)\n'
                                    '    parser.addoption("--rolling", action="store_true")\n')
    pytester.makepyfile(test_other='def test_other(pytestconfig):\n'
                                   '    assert pytestconfig.getoption("parallel") == 4\n'
                                   '    assert pytestconfig.getoption("rolling") is True\n')
    pytester.syspathinsert()
    result = pytester.runpytest_subprocess("-p", "otherplugin", "-p", "no:cacheprovider", "--parallel", "4",
                                           "--rolling")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1)
    out = pytester.runpytest_subprocess("-p", "otherplugin", "--help").stdout.str()
    assert "--deploytests-parallel=N" in out and "--target=NAME" in out and "same as --deploytests-target" in out


FACTORY = '''
from flask import Flask


def create_app():
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev")
    app.config.from_pyfile("config.py", silent=True)
    return app
'''


def test_the_gate_repeats_inits_instance_folder_warning(pytester):
    """Class: init's guesses the gate forgets. A Flask factory on Flask's default instance folder has its deploy
    refused once a config is installed (it never opens it): init warned once; every gate run says it again."""
    pytester.makefile(".toml", deploy='app = "flaskr"\nentry_point = "flaskr:create_app()"\n')
    pytester.mkpydir("flaskr").joinpath("__init__.py").write_text(FACTORY)
    pytester.makepyfile("def test_site(deploy_http):\n    pass\n")
    result = pytester.runpytest("--co")
    result.stdout.fnmatch_lines(["deploytests: WARNING flaskr uses Flask's default instance folder *"
                                 "a deploy with a config_file is refused (the app never opens it)*"])
    pytester.path.joinpath("flaskr", "__init__.py").write_text(
        FACTORY.replace("instance_relative_config=True", 'instance_path="/srv/x", instance_relative_config=True'))
    assert "WARNING" not in pytester.runpytest("--co").stdout.str()


RECORDER = '''
import os
import sys

import pytest

LOG = os.environ["INERT_LOG"]


def record(line):
    with open(LOG, "a") as f:
        f.write(f"{os.getpid()}: {line}\\n")


def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.path.basename(os.fsdecode(args[0]))
        if name in ("targets.toml", "deploy.toml", "pyproject.toml"):
            record(f"read {name}")


sys.addaudithook(audit)


def pytest_deploytests_default_app(config):
    record("deploytests asked this conftest for the app")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    from deploytests.plugin.state import ERROR, PROVIDER, SETTINGS

    for key, name in ((SETTINGS, "settings"), (PROVIDER, "target"), (ERROR, "error")):
        if key in config.stash:
            record(f"resolved the {name}")
'''


@pytest.mark.parametrize("mode", [[], ["--co"], ["--help"], ["-n", "2"]], ids=["run", "co", "help", "xdist"])
def test_unrelated_run_resolves_nothing_and_reads_no_file_of_ours(pytester, monkeypatch, tmp_path, mode):
    """Installed, the plugin costs an unrelated run nothing beyond its import: no settings or target resolved, no
    targets.toml, deploy.toml or pyproject.toml read, no conftest hook of ours called -- in a plain run,
    ``--collect-only``, ``--help`` and each xdist worker. The project's files of those names are invalid and a
    stray env var names a target: none of it may matter (nor be read) where nothing uses deploytests."""
    log = tmp_path / "inert.log"
    monkeypatch.setenv("INERT_LOG", str(log))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/dead.sock")
    monkeypatch.setenv("DEPLOYTESTS_APP", str(tmp_path / "nosuch"))
    pytester.makeini(STRICT_INI)
    pytester.makeconftest(RECORDER)
    pytester.path.joinpath("targets.toml").write_text("[targets.staging\nkind = 'ssh'\n")  # invalid TOML
    pytester.path.joinpath("deploy.toml").write_text("app = \n")
    pytester.path.joinpath("pyproject.toml").write_text("[tool.deploytests]\napp = 'mine'\n")
    pytester.makepyfile(test_unit="def test_one():\n    pass\n\n\ndef test_two():\n    pass\n")
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider", *mode)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert not ours(result.stdout.str() + result.stderr.str()), result.stdout.str()
    assert not log.exists(), log.read_text()


@pytest.mark.parametrize("name", ["--app", "--platform", "--parallel"])
def test_a_conftest_below_the_rootdir_defining_one_of_our_short_names_runs(pytester, name):
    """Another member of "costs or effects on runs that do not use it": a conftest pytest registers at collection
    (not an initial one) may define ``--app`` or ``--platform`` for its own tests; had the plugin taken the short
    name in a run that never types it, argparse would refuse the conftest's option and the unrelated run would
    stop at collection (``conflicting option string``)."""
    sub = pytester.mkdir("sub")
    sub.joinpath("conftest.py").write_text(f"def pytest_addoption(parser):\n    parser.addoption({name!r}, "
                                           "default='mine')\n")
    sub.joinpath("test_own.py").write_text("def test_own():\n    pass\n")
    pytester.makeini(STRICT_INI)
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1)
