"""The admin's two root-capable acts, bootstrap and the read-only gate, load nothing of the repository.

`fab bootstrap` run in the project's checkout (as the README told the admin) ran the repository's `fabfile.py` in
the admin's process, with the admin's keys (root on every server), and `pytest` there took the repository's
`pytest.ini` (`pythonpath = .`, `addopts = -p repo_plugin`): its plugin ran inside the admin's gate, which it may
make pass. Class: the admin's tools load the repository's code from the directory they run in (a fabfile and the
Fabric/Invoke project config beside it; pytest's ini, its `addopts` plugins, a `conftest.py`). `deploytests fab`
runs Fabric with deploytests' own tasks as its collection (no fabfile nor project config searched for) and
`deploytests gate` runs pytest from an empty directory with an empty ini of its own and no conftest of the
project: what the project gives them is its deploy.toml, read as data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = """\
import os
open(os.environ["MARK"], "a").write("{what} ran\\n")
"""


def planted(tmp_path: Path) -> Path:
    """A project whose repository carries code for every loader the admin's tools consult in its directory."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "fabfile.py").write_text("from deploytests.tasks import *  # noqa\n" + REPO.format(what="fabfile.py"))
    (project / "fabric.yaml").write_text("tasks:\n  collection_name: evil\n")
    (project / "evil.py").write_text(REPO.format(what="evil.py (the collection fabric.yaml names)"))
    (project / "pytest.ini").write_text("[pytest]\npythonpath = .\naddopts = -p repo_plugin\n")
    (project / "repo_plugin.py").write_text(REPO.format(what="repo_plugin.py (pytest.ini's -p)"))
    (project / "conftest.py").write_text(REPO.format(what="conftest.py"))
    return project


def run(project: Path, *argv: str) -> subprocess.CompletedProcess:
    mark = project.parent / "ran"
    cli = Path(sys.executable).with_name("deploytests")
    return subprocess.run([str(cli), *argv], cwd=project, env=dict(os.environ, MARK=str(mark)), capture_output=True,
                          text=True, timeout=120)


def test_deploytests_fab_runs_the_tasks_without_the_projects_fabfile_or_fabric_config(tmp_path):
    project = planted(tmp_path)
    res = run(project, "fab", "--list")
    assert res.returncode == 0, res.stderr
    assert "bootstrap" in res.stdout and "deploy" in res.stdout
    assert not (tmp_path / "ran").exists(), (tmp_path / "ran").read_text()


def test_deploytests_gate_runs_pytest_without_the_projects_ini_plugins_or_conftest(tmp_path):
    project = planted(tmp_path)
    res = run(project, "gate", "--help")
    assert res.returncode == 0, res.stderr
    assert "--deploytests-target" in res.stdout
    assert not (tmp_path / "ran").exists(), (tmp_path / "ran").read_text()


def test_the_gates_relative_paths_are_taken_from_where_it_was_run(tmp_path, monkeypatch):
    from deploytests.__main__ import _absolute

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "t.toml").write_text("")
    assert _absolute(["--deploytests-app=app", "--targets-file", "t.toml", "-k", "app", "-q", "--junitxml=o.xml"]) == [
        f"--deploytests-app={tmp_path / 'app'}", "--targets-file", str(tmp_path / "t.toml"), "-k", "app", "-q",
        "--junitxml=o.xml"]


def test_the_console_script_loads_no_module_of_the_directory_it_runs_in(tmp_path):
    """Another member: ``python -m deploytests`` puts the current directory first on ``sys.path``, so in a checkout
    the repository's ``textwrap.py`` (argparse imports it) ran in the README's ``sudo .venv/bin/python -m
    deploytests engine up``, as root. The console script puts its own directory there; ``-I`` drops it too."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("textwrap", "shutil", "gettext"):
        (project / f"{name}.py").write_text(REPO.format(what=f"{name}.py") + "raise ImportError\n")
    cli = Path(sys.executable).with_name("deploytests")
    for argv in ([str(cli), "--help"], [sys.executable, "-I", "-m", "deploytests", "--help"]):
        subprocess.run(argv, cwd=project, env=dict(os.environ, MARK=str(tmp_path / "ran")), capture_output=True,
                       timeout=60, check=True)
        assert not (tmp_path / "ran").exists(), (argv, (tmp_path / "ran").read_text())


def test_the_docs_and_hints_give_the_console_script_never_python_dash_m():
    """What the README, the CI page and the product's own hints tell a user to run (as root, in a project's
    directory) is ``deploytests ...``: a plain ``python -m deploytests`` there runs the checkout's modules."""
    import re

    root = Path(__file__).resolve().parents[2]
    texts = {p: p.read_text() for p in [root / "README.md", root / "docs" / "ci.md", *(root / "deploytests").rglob(
        "*.py")] if "record_conffiles" not in p.name}
    said = {str(p.relative_to(root)): m.group(0) for p, t in texts.items()
            for m in re.finditer(r"python3?\s+-m\s+deploytests\s+(engine|images|init|fab|gate)\b", t)}  # (across lines)
    assert said == {}


def test_the_gate_starts_pytest_without_a_warning_about_deploytests_being_imported(tmp_path):
    """``deploytests gate`` imports deploytests, then starts pytest in the same process, which marks each pytest11
    plugin's packages (from the installed wheel's RECORD) for assertion rewriting: "Module already imported so
    cannot be rewritten; deploytests" ended every gate run, a warning the user can do nothing about. ``-p
    deploytests`` makes pytest mark it here too (an editable install's RECORD lists no package)."""
    code = ("import sys, deploytests, pytest; sys.exit(pytest.main(['-p', 'no:cacheprovider', '-p', 'deploytests',"
            f" '--co', '-q', {str(tmp_path)!r}]))")
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "no tests collected" in res.stdout, res.stdout + res.stderr
    assert "Warning" not in res.stdout + res.stderr, res.stdout + res.stderr


def test_deploytests_gate_loads_no_pytest_plugin_of_the_environment_but_its_own(tmp_path):
    """Another member: installed into the project's environment (as the README installs it), the admin's
    gate autoloaded every ``pytest11`` entry point there, so a dependency the repository names (pip installs it in
    the same environment) ran its plugin inside the admin's gate, which made every check pass (shown on a deployed
    container: a root worker sourcing the deploy login's file, 84 passed). Only deploytests' and testinfra's are
    loaded; ``-p NAME`` loads another (xdist)."""
    site = tmp_path / "site"  # what pip puts there for a dependency with a pytest11 entry point
    (site / "evilplug-1.0.dist-info").mkdir(parents=True)
    (site / "evilplug-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: evilplug\nVersion: 1.0\n")
    (site / "evilplug-1.0.dist-info" / "entry_points.txt").write_text("[pytest11]\nevilplug = evilplug\n")
    (site / "evilplug.py").write_text(REPO.format(what="evilplug (a pytest11 plugin of the environment)"))
    project = tmp_path / "project"
    project.mkdir()
    mark, cli = tmp_path / "ran", Path(sys.executable).with_name("deploytests")
    env = dict(os.environ, MARK=str(mark), PYTHONPATH=str(site))
    res = subprocess.run([str(cli), "gate", "--help"], cwd=project, env=env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0 and "--deploytests-target" in res.stdout, res.stderr
    assert not mark.exists(), mark.read_text()
    res = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=project, env=env, capture_output=True,
                         text=True, timeout=120)
    assert mark.exists()  # (the same environment's plain pytest loads it: the plugin is real)


def test_the_admins_commands_refuse_an_install_others_may_change(tmp_path, monkeypatch, capsys):
    """Class: the admin's own environment is code the admin's root-capable commands run. A ``.pth`` file in a site
    directory runs at every start of that Python, before deploytests; a site directory (or deploytests' own
    package, or a directory above them) that another local user may write lets that user's code run with the
    admin's keys. ``deploytests fab``/``gate`` refuse such an install in one line, as OpenSSH's StrictModes
    refuses a home others may write; a sticky, root-owned directory above (``/tmp``) is no such place."""
    from deploytests import __main__ as entry

    site = tmp_path / "lib" / "site-packages"
    site.mkdir(parents=True)
    (site / "zz.pth").write_text("import os\n")
    tmp_path.chmod(0o755)
    assert entry.loose_install([str(site)]) is None
    for loose, mode in ((site, 0o775), (site / "zz.pth", 0o666), (tmp_path / "lib", 0o777)):
        loose.chmod(mode)
        line = entry.loose_install([str(site)])
        assert line is not None and line.startswith(f"{loose} is {mode:04o} uid "), line
        loose.chmod(0o755 if loose.is_dir() else 0o644)
    monkeypatch.setattr(entry, "loose_install", lambda: f"{site} is 0775 uid 0: someone but you and root may ...")
    assert entry.main(["gate", "--version"]) == 2
    assert capsys.readouterr().err.startswith(f"deploytests: refused: {site} is 0775")
    # the name another local user gave a file there is shown escaped, never acted on by the terminal (a title set,
    # a screen cleared, a line forged): the refusal quotes it
    planted = site / "x\x1b]0;owned\x07\x1b[2J\r\u202e.py"
    planted.write_text("")
    planted.chmod(0o666)
    monkeypatch.undo()
    monkeypatch.setattr(entry, "loose_install", lambda judge=entry.loose_install: judge([str(site)]))
    assert entry.main(["gate", "--version"]) == 2
    err = capsys.readouterr().err
    assert "\\x1b]0;owned\\x07\\x1b[2J\\r\\u202e.py is 0666" in err and not {"\x1b", "\r", "\u202e"} & set(err), err


def test_the_admins_commands_judge_every_place_python_imports_from_whole(tmp_path, monkeypatch):
    """The same class, beyond the site directories' top: ``import`` looks in the console script's own directory
    (``sys.path[0]``) before the standard library, so a ``pytest.py`` another user dropped in a ``bin/`` of the
    admin's environment that they may write ran in ``deploytests gate``; a dependency's module deep in a site
    directory (``paramiko/transport.py``), or a package dir a link there leads to, is code the command runs as
    well. Every directory on ``sys.path`` is judged whole, and where its links lead."""
    from deploytests import __main__ as entry

    tmp_path.chmod(0o755)
    bin_, site, shared = tmp_path / "bin", tmp_path / "site-packages", tmp_path / "shared"
    deep = site / "paramiko" / "sub"
    for d in (bin_, deep, shared / "pkg"):
        d.mkdir(parents=True)
    (deep / "transport.py").write_text("")
    (site / "pkg").symlink_to(shared / "pkg")
    assert entry.loose_install([str(bin_), str(site)]) is None
    for loose, mode in ((bin_, 0o775), (deep / "transport.py", 0o666), (deep, 0o777), (shared / "pkg", 0o777)):
        loose.chmod(mode)
        line = entry.loose_install([str(bin_), str(site)])
        assert line is not None and line.startswith(f"{loose} is {mode:04o} uid "), line
        loose.chmod(0o755 if loose.is_dir() else 0o644)
    assert entry.loose_install([str(bin_), str(site)], most=3).endswith("not taken for yours")
    bin_.chmod(0o775)  # by default: sys.path (the console script's dir is its first entry)
    monkeypatch.setattr(sys, "path", [str(bin_)])
    monkeypatch.setattr("site.getsitepackages", lambda: [])
    monkeypatch.setattr("site.getusersitepackages", lambda: str(tmp_path / "none"))
    line = entry.loose_install()
    assert line is not None and line.startswith(f"{bin_} is 0775 uid "), line


def test_the_admin_gate_packs_nothing_of_the_repository(tmp_path, monkeypatch):
    """``deploytests gate --no-deploy --app .`` (the README's admin gate) packed the project to compare
    provenance with: pack ran deploy.toml's ``build`` commands (``sh -c``) and the project's build backend
    (``setup.py``) on the admin's machine, as the admin. Class: the admin's gate runs what the repository wrote.
    Under ``deploytests gate`` a run that deploys nothing packs nothing (its provenance checks skip, saying so)."""
    from types import SimpleNamespace

    import pytest

    from deploytests import __main__ as cli

    seen = {}
    monkeypatch.setattr(pytest, "main", lambda argv: seen.setdefault("env", os.environ.get(cli.DATA_ONLY)) and 0)
    monkeypatch.delenv(cli.DATA_ONLY, raising=False)
    assert cli._gate(SimpleNamespace(rest=["-q"])) == 0
    assert seen["env"] == "1" and cli.DATA_ONLY not in os.environ
    monkeypatch.setenv(cli.DATA_ONLY, "1")
    assert _artifact_source(tmp_path) is None


def _artifact_source(app):
    """The suite's artifact source of a run that deploys nothing, the project at ``app`` given (its fixture called
    with what it asks for, by name)."""
    import inspect
    from types import SimpleNamespace

    from deploytests.suite.test_promises import deploy_artifact_source

    given = {"request": None, "pytestconfig": None, "deploy_settings": SimpleNamespace(app=app),
             "deploy_config": None, "deployment": SimpleNamespace(deployed=False)}
    wants = inspect.signature(deploy_artifact_source.__wrapped__).parameters
    return deploy_artifact_source.__wrapped__(**{k: v for k, v in given.items() if k in wants})


def test_a_run_that_deploys_nothing_packs_nothing_whatever_runs_it(tmp_path, monkeypatch):
    """``pytest --pyargs deploytests.suite --no-deploy --app CHECKOUT`` (plain pytest, tox, or pytest in the project
    with the plugin: every entry but ``deploytests gate``) packed the project to compare provenance with: pack ran
    deploy.toml's ``build`` commands and the project's build backend on the admin's machine (lab: the build's
    ``id`` printed uid 0). Class: a command of the more trusted side runs what the repository wrote. A run that
    deploys nothing packs nothing, whatever runs it: the provenance checks compare with the artifact the live
    release's record names, as this runner packed it (test_promises: found, or a skip naming the file)."""
    from deploytests import config, pipeline

    monkeypatch.delenv(config.DATA_ONLY, raising=False)
    monkeypatch.setattr(pipeline, "pack", lambda *a, **kw: (_ for _ in ()).throw(AssertionError("packed")))
    source = _artifact_source(tmp_path)
    assert source is None or not callable(source) or source("3.11") is None


def test_a_path_the_repositorys_deploy_toml_names_is_read_only_inside_the_project(tmp_path, monkeypatch):
    """The admin's gate read the runner's file deploy.toml's ``config_file`` named (``/home/admin/.ssh/
    id_ed25519``: hashed, printed by prefix, parsed for secrets), and listed and read through a link of the checkout
    a static dir led to (``static -> ~/secrets``: the first file's name was sent to the server as a URL). Class: a
    value of the repository's deploy.toml names a path the admin's side reads. Under ``deploytests gate`` the
    config file must lie inside the project (real paths), and a static dir leading out of it is none."""
    import pytest

    from deploytests.config import DATA_ONLY, confined, load_config
    from deploytests.errors import ConfigError
    from deploytests.verify.promises import static_known_file

    secret = tmp_path / "home" / ".ssh"
    secret.mkdir(parents=True)
    (secret / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "app.cfg").write_text("SECRET_KEY = 'x'\n")
    os.symlink(secret, project / "conf")
    os.symlink(secret, project / "pkg" / "static")
    base = 'app = "demo"\nentry_point = "pkg:app"\nstatic = { "/static" = "pkg/static" }\n'
    for named in (str(secret / "id_ed25519"), "conf/id_ed25519", "../home/.ssh/id_ed25519"):
        (project / "deploy.toml").write_text(base + f'config_file = "{named}"\n')
        with pytest.raises(ConfigError, match="lies outside the project"):
            confined(load_config(project))
    (project / "deploy.toml").write_text(base + 'config_file = "app.cfg"\n')
    cfg = load_config(project)
    assert confined(cfg) is cfg
    assert static_known_file(cfg, "pkg/static") == "id_ed25519"  # (a developer's own run: its own links)
    monkeypatch.setenv(DATA_ONLY, "1")
    assert static_known_file(cfg, "pkg/static") is None  # (a link out of the project: nothing listed, nothing read)
    os.unlink(project / "pkg" / "static")
    (project / "pkg" / "static").mkdir()
    (project / "pkg" / "static" / "app.css").write_text("body {}\n")
    assert static_known_file(cfg, "pkg/static") == "app.css"


def test_the_admins_bootstrap_reads_no_file_deploy_toml_names_outside_the_project(tmp_path, monkeypatch):
    """Another member of the class above: ``deploytests fab bootstrap`` (the admin's) read and parsed
    the runner file deploy.toml's ``config_file`` named (for redaction; bootstrap sends no config). It runs
    data-only too: the same one line, before anything is done."""
    from types import SimpleNamespace

    import pytest
    from fabric.main import Fab

    from deploytests import __main__ as cli
    from deploytests.config import DATA_ONLY
    from deploytests.errors import ConfigError
    from deploytests.session import Session
    from deploytests.settings import Settings

    seen = {}
    monkeypatch.delenv(DATA_ONLY, raising=False)
    monkeypatch.setattr(Fab, "run", lambda self, argv, exit=True: seen.setdefault("env", os.environ.get(DATA_ONLY)))
    cli._fab(SimpleNamespace(rest=["-H", "admin@web1", "bootstrap"]))
    assert seen["env"] == "1"
    outside = tmp_path / "id_ed25519"
    outside.write_text("KEY = 'not the app s'\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "deploy.toml").write_text(f'app = "demo"\nentry_point = "pkg:app"\nconfig_file = "{outside}"\n')
    session = Session(Settings(app=project))
    for _ in range(2):  # (asked again, as fab's redaction asks after swallowing the first error: still refused)
        with pytest.raises(ConfigError, match="lies outside the project"):
            _ = session.config
    monkeypatch.delenv(DATA_ONLY)
    assert Session(Settings(app=project)).config.config_file == outside  # (a deploy login's own run: its own file)


def test_a_command_run_as_root_refuses_an_install_another_login_may_change(tmp_path, monkeypatch, capsys):
    """The quick start ran ``sudo .venv/bin/deploytests engine up``: the project's environment (its dependencies,
    their ``.pth`` files and modules), a login's to change, run by root with nothing said. Class: root on the runner
    runs code a less trusted login may change (the admin's ``fab``/``gate`` were judged so; other commands were
    not). Every command run as root is judged as they are, ``engine up`` among them: an install another login owns
    is refused in one line before the command runs."""
    from deploytests import __main__ as entry

    ran: list = []
    monkeypatch.setattr("deploytests.containers.engine.engine_up", lambda **kw: ran.append(kw) or 0)
    monkeypatch.setattr(entry, "loose_install", lambda: "/home/dev/proj/.venv/lib is 0755 uid 1000: someone but "
                        "you and root may change the code this command runs ...")
    monkeypatch.setattr(entry.os, "geteuid", lambda: 0)
    assert entry.main(["engine", "up"]) == 2 and ran == []
    assert capsys.readouterr().err.startswith("deploytests: refused: /home/dev/proj/.venv/lib is 0755 uid 1000")
    monkeypatch.setattr(entry.os, "geteuid", lambda: 1000)  # a login's own command: its own install is its own
    assert entry.main(["engine", "up"]) == 0 and len(ran) == 1
    monkeypatch.setattr(entry, "loose_install", lambda: None)  # root's own install: the command runs
    monkeypatch.setattr(entry.os, "geteuid", lambda: 0)
    assert entry.main(["engine", "up"]) == 0 and len(ran) == 2
