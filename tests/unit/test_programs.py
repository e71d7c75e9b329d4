"""The programs the pipeline runs in other interpreters (deploytests/pipeline/programs), imported and run here,
and the bundle that carries the agents' modules to servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploytests.pipeline import bundle, remote
from deploytests.pipeline.programs import build_hook, install_wheels, preflight, source
from deploytests.testing import stand_in_wheel

APP = """
import os
CALLS = []
def create_app():
    CALLS.append(1)
    return app
def app(environ, start_response):
    ok = (environ["PATH_INFO"], environ["HTTP_HOST"], environ["QUERY_STRING"]) == ("/health", "app.test", "deep=1")
    start_response("200 OK" if ok and os.environ["APP_CONFIG"] == "/etc/app.cfg" else "500 BOOM", [])
    return iter([b"x"])
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A dir holding ``papp.py`` as the cwd and first on sys.path (as ``python -c`` in a release dir); the
    process's environment and umask restored afterwards."""
    (tmp_path / "papp.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(os, "environ", dict(os.environ))
    umask = os.umask(0o022)
    yield tmp_path
    os.umask(umask)
    sys.modules.pop("papp", None)


def marks(out):
    return [json.loads(line[len(preflight.MARK):]) for line in out.splitlines() if line.startswith(preflight.MARK)]


def test_preflight_imports_the_factory_runs_post_deploy_then_gets_health(project, capsys):
    env = json.dumps({"APP_CONFIG": "/etc/app.cfg"})
    code = preflight.main(["papp", "create_app", "1", "/health?deep=1", "app.test", json.dumps(["touch ran"]), env,
                           "60"])
    out = capsys.readouterr().out
    started = {"read": None, "tried": [], "unset": [], "framework": "", "databases": [], "misplaced": [],
               "public_key": [], "debug": []}  # no config
    assert code == 0 and marks(out) == [{"started": started}, {"phase": "import"}, {"ran": 1},
                                        {"phase": "post_deploy", "left": []},
                                        {"health": "200 OK"}]
    assert out.splitlines()[-1] == "preflight: GET /health -> 200 OK" and (project / "ran").exists()
    assert os.umask(0o022) == 0o007  # as the mod_wsgi daemon's
    assert sys.modules["papp"].CALLS == [1]


def test_preflight_exit_codes_say_what_failed(project, capsys):
    env = json.dumps({"APP_CONFIG": "/elsewhere"})
    assert preflight.main(["papp", "app", "0", "/health?deep=1", "app.test", "[]", env, "60"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "preflight: GET /health -> 500 BOOM"
    assert preflight.main(["papp", "app", "0", "", "app.test", "[]", env, "60"]) == 0  # no health path: import only
    code = preflight.main(["papp", "app", "0", "/health", "app.test", json.dumps(["echo out; exit 4", "touch no"]),
                           env, "60"])
    failed = marks(capsys.readouterr().out)[-1]
    assert code == preflight.FAILED and failed == {"phase": "post_deploy", "failed": "echo out; exit 4", "exit": 4,
                                                   "output": "out\n", "timeout": None, "left": []}
    assert not (project / "no").exists()


FLASK_APP = """
import os
from flask import Flask
from werkzeug.debug import DebuggedApplication
def create_app():
    app = Flask(__name__)
    app.config.from_mapping(DEBUG=os.environ.get("DEBUG") == "1")
    if os.environ.get("CONSOLE") == "1":  # the pattern of old tutorials: the debugger around the wsgi_app
        app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
    app.add_url_rule("/health", "health", lambda: "ok")
    return app
"""


CONSOLE = ["DebuggedApplication", "Werkzeug's interactive debugger, around the entry point"]


@pytest.mark.parametrize("env, found", [({}, []), ({"DEBUG": "1"}, ["DEBUG", "Flask's config"]),
                                        ({"CONSOLE": "1"}, CONSOLE)])
def test_an_app_in_its_frameworks_debug_mode_is_refused_before_post_deploy(project, capsys, env, found):
    """Class: the app served in its framework's development mode (a config value the servers' config leaves on).
    A Flask app with DEBUG from its config, Werkzeug's console around its wsgi_app (runs any Python sent to it):
    refused at import, before post_deploy runs; the same app with both off passes."""
    (project / "papp.py").write_text(FLASK_APP)
    code = preflight.main(["papp", "create_app", "1", "/health", "app.test", json.dumps(["touch ran"]),
                           json.dumps(env), "60"])
    started = marks(capsys.readouterr().out)[0]["started"]
    assert started["debug"] == found and code == (preflight.DEBUG_MODE if found else 0)
    assert (project / "ran").exists() is not bool(found)


def test_build_hook_asks_for_missing_requirements_then_builds(tmp_path, monkeypatch, capsys):
    (tmp_path / "backend.py").write_text(
        "class Api:\n"
        "    @staticmethod\n"
        "    def get_requires_for_build_wheel():\n"
        "        return ['wheel']\n"
        "    @staticmethod\n"
        "    def build_wheel(out):\n"
        "        return 'app-1.0-py3-none-any.whl'\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    plan = {"backend": "backend:Api", "backend_path": [str(tmp_path)], "out": str(tmp_path), "have": []}
    assert build_hook.main([json.dumps(plan)]) == 0
    assert capsys.readouterr().out == '\n@@NEED ["wheel"]\n'
    assert build_hook.main([json.dumps(dict(plan, have=["wheel"]))]) == 0
    assert capsys.readouterr().out == "\n@@WHEEL app-1.0-py3-none-any.whl\n"
    sys.modules.pop("backend", None)


def test_install_wheels_into_a_venv_layout_with_unchecked_pyc(tmp_path, monkeypatch, installer_wheel):
    wheel = tmp_path / "tiny-1.0-py3-none-any.whl"
    stand_in_wheel(wheel, scripts={"tiny-tool": "tiny:main"})
    site = "lib/python3.11/site-packages"
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "pycache_prefix", None)  # (in-process: pack's own run has no PYTHONPYCACHEPREFIX)
    plan = {"tool": str(installer_wheel), "wheels": [str(wheel)], "root": str(tmp_path / "venv"), "site": site,
            "python": "3.11", "interpreter": "/placeholder/bin/python", "ddir": "/placeholder/" + site}
    assert install_wheels.main([json.dumps(plan)]) == 0
    assert (tmp_path / "venv" / site / "tiny" / "__init__.py").is_file()
    assert (tmp_path / "venv" / "bin" / "tiny-tool").read_text().startswith("#!/placeholder/bin/python\n")
    pyc = next((tmp_path / "venv" / site / "tiny" / "__pycache__").glob("__init__.*.pyc")).read_bytes()
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # PEP 552: hash-based, unchecked


def test_install_wheels_installs_into_the_interpreter_that_runs_it(tmp_path, installer_wheel):
    """Run as the agent runs it: ``<venv>/bin/python -c <source> PLAN`` in a fresh venv."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    wheel = tmp_path / "tiny-1.0-py3-none-any.whl"
    stand_in_wheel(wheel)
    python = str(tmp_path / "venv" / "bin" / "python")
    plan = {"tool": str(installer_wheel), "wheels": [str(wheel)]}
    subprocess.run([python, "-c", source("install_wheels"), json.dumps(plan)], check=True, capture_output=True)
    out = subprocess.run([python, "-c", "import tiny; print(tiny.NAME, tiny.__cached__)"], capture_output=True,
                         text=True, check=True, cwd=tmp_path).stdout.split()
    assert out[0] == "tiny-1.0-py3-none-any.whl" and os.path.isfile(out[1])  # byte-compiled at install


def test_program_sources_are_the_files():
    assert source("preflight") == Path(preflight.__file__).read_text()
    with pytest.raises(ImportError, match="no module 'deploytests.pipeline.programs.nothing'"):
        source("nothing")


def test_the_bundle_serves_its_modules_and_nothing_else_of_deploytests(tmp_path):
    """The agent bundle run as a server runs it: the modules it carries import each other; a ``deploytests``
    package in the current directory (or installed) is never picked up."""
    planted = tmp_path / "deploytests"
    planted.mkdir()
    (planted / "__init__.py").write_text("raise SystemExit('planted package imported')\n")
    probe = ("import sys\n"
             "from deploytests.pipeline import agent, contract\n"
             "from deploytests.pipeline.programs import source\n"
             "print(len(source('preflight')), agent.DeployArgs is contract.DeployArgs, agent.__file__)\n"
             "try:\n"
             "    import deploytests.config\n"
             "except ImportError as exc:\n"
             "    print('refused', exc.name)\n")
    modules = {name: bundle.module_source(name) if name.count(".") > 1 else "" for name in
               ("deploytests", "deploytests.pipeline", "deploytests.pipeline.agent", "deploytests.pipeline.contract",
                "deploytests.pipeline.programs", "deploytests.pipeline.programs.preflight",
                "deploytests.pipeline.programs.spawn")}
    packages = ["deploytests", "deploytests.pipeline", "deploytests.pipeline.programs"]
    text = (bundle.module_source("deploytests.pipeline.programs.bootloader")
            + "\nsys.meta_path.insert(0, Bundle(%r, %r))\n" % (modules, packages) + probe)
    # on stdin, as the runner sends it (one argument may hold at most 128 KiB: the bundle is larger)
    out = subprocess.run([sys.executable, "-"], input=text, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "%d True <deploytests>/deploytests/pipeline/agent.py" % len(source("preflight"))
    assert lines[1] == "refused deploytests.config"


def test_the_agent_bundle_refuses_bad_arguments_in_one_event(tmp_path):
    line = remote.agent_command("status", [], python=sys.executable)
    out = subprocess.run(["sh", "-c", line], input=remote.AGENT_SOURCE, capture_output=True, cwd=tmp_path,
                         check=False)
    event = json.loads(out.stdout.decode().splitlines()[-1][len("@@DT "):])
    assert event["what"] == "agent arguments: StatusArgs: expected a JSON object, got list []"


def test_the_suite_fingerprint_sees_modes_owners_links_and_contents_but_not_bytecode(tmp_path):
    import grp
    import hashlib
    import pwd

    from deploytests.suite import fingerprint

    root = tmp_path / "app"
    (root / "releases" / "r1" / "__pycache__").mkdir(parents=True)
    (root / "releases" / "r1" / "m.py").write_text("X = 1\n")
    (root / "releases" / "r1" / "m.pyc").write_bytes(b"junk")
    (root / "releases" / "r1" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"junk")
    (root / "current").symlink_to("releases/r1")
    (root / ".deploy.lock").write_text("pid=1 user=x\n")
    os.chmod(root / "releases" / "r1" / "m.py", 0o640)
    me = "%s:%s" % (pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name)
    tops = [str(root), "/etc/apache2/sites-available/no-such-app.conf"]
    before = [line for line in fingerprint.fingerprint(tops) if str(root) in line]
    m = root / "releases" / "r1" / "m.py"
    assert f"{root}/current 777 {me} releases/r1" in before and f"{m} 640 {me} " in before
    assert [line for line in before if "  " in line] == ["%s  %s" % (hashlib.sha256(b"X = 1\n").hexdigest(), m)]
    assert not any("pyc" in line or "__pycache__" in line for line in before)
    (root / ".deploy.lock").write_text("pid=2 user=y\n")  # a new holder's line is not a change
    assert [line for line in fingerprint.fingerprint(tops) if str(root) in line] == before
    m.write_text("X = 2\n")
    assert [line for line in fingerprint.fingerprint(tops) if str(root) in line] != before
    assert "/etc/apache2/sites-available/no-such-app.conf absent" in fingerprint.fingerprint(tops)


@pytest.mark.parametrize("same_python", [True, False])
def test_the_bundle_loads_the_runners_compiled_modules_only_on_the_same_python(tmp_path, same_python):
    """The runner sends the modules compiled (marshalled) beside their sources: a server whose Python has the
    runner's magic number loads them, another compiles the sources; a traceback shows source lines either way."""
    from deploytests.pipeline.programs import bootloader

    def module(said):  # the agent formats its own tracebacks (the traceback module reads linecache)
        return (f"import traceback\ndef main(argv):\n    print({said!r})\n    try:\n        raise ValueError('boom')\n"
                "    except ValueError:\n        print(traceback.format_exc())\n")

    magic, text = bootloader.compiled({"pkg": "", "pkg.mod": module("compiled")}, {"pkg"})
    program = bootloader.program(bundle.module_source("deploytests.pipeline.programs.bootloader"),
                                 {"pkg": "", "pkg.mod": module("from source")}, {"pkg"}, "pkg.mod",
                                 (magic if same_python else b"\0\0\r\n", text))
    out = subprocess.run([sys.executable, "-I", "-S", "-"], input=program, capture_output=True, text=True,
                         cwd=tmp_path, check=False)
    said, _, shown = out.stdout.partition("\n")
    assert said == ("compiled" if same_python else "from source"), out.stderr
    assert "<deploytests>/pkg/mod.py\", line 5, in main\n    raise ValueError('boom')" in shown, shown


ENV_APP = """
import os
SECRET = os.environ["FLASK_SECRET_KEY"]  # a twelve-factor app: its secret from the environment, at import
def app(environ, start_response):
    start_response("200 OK" if os.environ.get("PATH") != "/evil" else "500 PATH", [])
    return iter([SECRET.encode()])
"""


def test_preflight_reads_an_env_file_config_into_the_apps_and_post_deploys_environment(project, capsys):
    (project / "papp.py").write_text(ENV_APP)
    (project / "prod.env").write_text('FLASK_SECRET_KEY="k e y"\nPATH=/evil\nLD_PRELOAD=/x.so\n')
    env = json.dumps({"APP_CONFIG": str(project / "prod.env"), "PATH": os.environ["PATH"]})
    cmd = json.dumps(['test "$FLASK_SECRET_KEY" = "k e y" && test -z "$LD_PRELOAD" && touch ran'])
    code = preflight.main(["papp", "app", "0", "/health", "app.test", cmd, env, "60", str(project / "prod.env"),
                           str(project / "prod.env")])
    out = capsys.readouterr().out
    assert code == 0, out  # the app never opens the file itself: no "does not read its config" refusal
    assert (project / "ran").exists() and out.splitlines()[-1] == "preflight: GET /health -> 200 OK"


def test_the_agent_starts_without_the_dataclasses_module(tmp_path):
    """Class: an agent's start paying for imports its work does not need. ``dataclasses`` (with ``inspect``,
    ``ast``, ``dis``, ``tokenize``) was a quarter of each step's start on a server; the messages are plain classes
    at run time (mypy still reads them as dataclasses)."""
    line = remote.agent_command("status", {"root": str(tmp_path)}, python=sys.executable)
    line = line.replace(" -I ", " -X importtime -I ", 1)
    out = subprocess.run(["sh", "-c", line], input=remote.AGENT_SOURCE, capture_output=True, cwd=tmp_path, check=False)
    imported = {ln.split("|")[-1].strip() for ln in out.stderr.decode().splitlines() if ln.startswith("import time:")}
    assert out.returncode == 0 and "deploytests.pipeline.contract" in imported, out.stderr[-2000:]
    assert not imported & {"dataclasses", "inspect", "typing"}, sorted(imported & {"dataclasses", "inspect", "typing"})


def test_messages_behave_as_frozen_dataclasses():
    """What the runner and the agent rely on: fields by keyword or in order (a base's first), defaults and fresh
    default factories, refusal of unknown, doubled, missing fields and of assignment, equality by value, a deep
    copy on the wire, ``replace``."""
    from deploytests.pipeline.contract import DeployReply, RollbackArgs, StatusArgs, StatusReply

    a, b = DeployReply(True, "r1"), DeployReply(changed=True, release_id="r1")
    assert a == b and a != DeployReply(True, "r2") and a != StatusArgs("/x") and hash(a.previous) == hash(None)
    assert a.timings == {} and a.timings is not b.timings and a.pruned == [] and a.previous is None
    assert repr(StatusArgs("/x")) == "StatusArgs(root='/x')"
    gate = dict(app="a", root="/r", port=80, health_path="/h", server_name="s", lock_timeout=1.0, gate_timeout=1.0,
                app_user="u", config_env="E", config_path="/c", entry_point="m:app")
    args = RollbackArgs(**gate, to="r0")
    assert list(args.to_dict()) == [*gate, "to", "confirm_timeout"] and RollbackArgs(**gate).to is None
    for bad in (lambda: StatusArgs("/x", root="/y"), lambda: StatusArgs(rooot="/x"), lambda: StatusArgs(),
                lambda: StatusArgs("/x", "/y")):
        with pytest.raises(TypeError):
            bad()
    with pytest.raises(AttributeError):
        args.to = "r1"  # type: ignore[misc]
    reply = StatusReply(live="r1", releases=[{"id": "r1"}], bootstrapped=True)
    wire = reply.to_dict()
    wire["releases"][0]["id"] = "changed"
    assert reply.releases == [{"id": "r1"}] and reply.replace(live=None) == StatusReply(None, [{"id": "r1"}], True)
    assert reply.replace(live=None) is not reply and reply.live == "r1"
