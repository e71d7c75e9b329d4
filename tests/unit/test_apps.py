"""Issue 18's pure parts: env and static keys checked on load, the vhost's static block, the app's env for what
the agent runs, the entry_point hint, and what application.wsgi does with a release's env."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests.config import load_config
from deploytests.errors import ConfigError
from deploytests.pipeline import agent, templates
from deploytests.pipeline.contract import GateArgs
from deploytests.stacks.apache_wsgi import bootstrap as site

BASE = 'app = "shop"\nentry_point = "shop:app"\nshared_paths = ["data"]\n'


def cfg_with(tmp_path: Path, extra: str):
    (tmp_path / "deploy.toml").write_text(BASE + extra)
    return load_config(tmp_path)


def test_env_and_static_load(tmp_path):
    cfg = cfg_with(tmp_path, 'env = { DJANGO_SETTINGS_MODULE = "shop.settings", FLAG = "" }\n'
                             'static = { "/static" = "staticfiles", "/assets/v1" = "shop/static" }\n')
    assert cfg.env_vars == {"DJANGO_SETTINGS_MODULE": "shop.settings", "FLAG": ""}
    assert cfg.static == (("/assets/v1", "shop/static"), ("/static", "staticfiles"))


@pytest.mark.parametrize("extra, said", [
    ('env = { lower = "x" }', "env name 'lower' must be of A-Z"),
    ('env = { A = "x\\ny" }', "env A must be a string without newlines"),
    ('env = { A = 1 }', "env A must be a string"),
    ('env = { PYTHONPATH = "/tmp" }', "env PYTHONPATH may not be set"),
    ('env = { LD_PRELOAD = "/tmp/x.so" }', "env LD_PRELOAD may not be set"),
    ('env = { SHOP_CONFIG = "/etc/x" }', "env SHOP_CONFIG may not be set (config_env"),
    ('env = { SHOP_TOKEN = "change me: a long random string" }', "env SHOP_TOKEN is still the placeholder"),
    ('env = "A=1"', "key 'env' must be a table"),
    ('static = { "/static/" = "s" }', "URL prefix '/static/' must be"),
    ('static = { "/" = "s" }', "URL prefix '/' must be"),
    ('static = { "/st atic" = "s" }', "URL prefix '/st atic' must be"),
    ('static = { "/s" = "../etc" }', "dir '../etc' must be a relative path"),
    ('static = { "/s" = "/etc" }', "dir '/etc' must be a relative path"),
    ('static = { "/s" = ".git" }', "dir '.git' must be a relative path"),
    ('static = { "/s" = "a\\nAlias / /" }', "must be a relative path"),
    ('static = { "/s" = "venv/lib" }', "is the release's own venv"),
    ('static = { "/s" = "data/uploads" }', "overlaps shared path 'data'"),
    ('static = { "/health" = "s" }', "covers health_path '/health'"),
    ('static = { "/a" = "x", "/a/b" = "y" }', "/a/b lies inside /a"),
])
def test_bad_env_and_static_are_one_line_errors(tmp_path, extra, said):
    with pytest.raises(ConfigError) as info:
        cfg_with(tmp_path, extra + "\n")
    text = str(info.value)
    assert said in text and "deploy.toml" in text and "\n" not in text, text


def test_vhost_static_block_follows_current_and_opens_nothing_else(tmp_path):
    cfg = cfg_with(tmp_path, 'static = { "/static" = "staticfiles" }\n')
    text = templates.vhost(cfg)
    block = site.static_block(cfg)
    assert "    Alias /static/ /var/www/shop/current/staticfiles/\n" in block
    assert "<Directory /var/www/shop/current/staticfiles>\n        Options None\n        AllowOverride None\n" \
           "        Require all granted\n" in block
    assert text.index("Alias /static/") < text.index("WSGIScriptAlias /")  # the more specific URL first
    assert text.count("Require all granted") == 2  # the static dir and application.wsgi, nothing else
    assert site.static_block(cfg_with(tmp_path, "")) == ""


def test_a_hand_made_config_with_a_bad_static_dir_never_reaches_the_vhost(tmp_path):
    from dataclasses import replace

    cfg = replace(cfg_with(tmp_path, ""), static=(("/static", "x\n</Directory>"),))
    with pytest.raises(ValueError, match="static: "):
        templates.vhost(cfg)


def gate_args(**kw) -> GateArgs:
    base = dict(app="shop", root="/var/www/shop", port=80, health_path="/health", server_name="localhost",
                lock_timeout=1, gate_timeout=1, app_user="shop", config_env="SHOP_CONFIG",
                config_path="/var/www/shop/shared/application.cfg", entry_point="shop.wsgi:application")
    base.update(kw)
    return GateArgs(**base)


def test_app_env_puts_what_deploytests_sets_last():
    env = agent.app_env(gate_args(), "/var/www/shop/releases/R", {"FLAG": "1", "PATH": "/evil"})
    assert env["FLAG"] == "1" and env["PATH"].startswith("/var/www/shop/releases/R/venv/bin:")
    assert env["SHOP_CONFIG"] == "/var/www/shop/shared/application.cfg"


def preflight_entry(tmp_path, files: dict[str, str], entry_point: str) -> str | None:
    """Run the real release check (the bundled program) on a release holding ``files``, and return the agent's
    hint from the facts it reported."""
    from deploytests.pipeline.programs import bundled

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    module, _, attr = entry_point.partition(":")
    proc = subprocess.run([sys.executable, "-c", bundled("preflight", "spawn"), module, attr.rstrip("()"),
                           "1" if attr.endswith("()") else "0", "", "localhost", "[]", "{}", "30"],
                          cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode != 0, proc
    marks = agent.Marks(None, [("import", "x")], 0)
    for line in proc.stdout.splitlines():
        marks.take(line)
    return agent.entry_hint(gate_args(entry_point=entry_point), marks.entry)


WSGI = "def application(environ, start_response):\n    return []\n"


def test_entry_hint_offers_a_value_that_imports_when_the_callable_is_not_there(tmp_path):
    hint = preflight_entry(tmp_path, {"site_a/__init__.py": "", "site_a/wsgi.py": WSGI}, "site_a:app")
    assert hint == ("entry_point = 'site_a:app' (deploy.toml): module 'site_a' has no 'app'; a value that imports: "
                    "entry_point = 'site_a.wsgi:application'")


def test_entry_hint_when_the_entry_module_is_not_there(tmp_path):
    hint = preflight_entry(tmp_path, {}, "hello:application")
    assert hint.startswith("entry_point = 'hello:application' (deploy.toml): no module 'hello' in the release; "
                           "give module:callable"), hint


def test_entry_hint_names_a_missing_dependency_not_the_entry_point(tmp_path):
    """Class: a hint that guesses the cause without checking. The entry module is there; what it imports is
    not: the hint says so and where dependencies come from, never "give module:callable"."""
    hint = preflight_entry(tmp_path, {"hello.py": "import requests_not_installed_here\n" + WSGI},
                           "hello:application")
    assert hint == ("entry_point = 'hello:application' (deploy.toml): module 'hello' was found, but it imports "
                    "'requests_not_installed_here', which is not installed in the release: the release gets the "
                    "dependencies the packed wheel declares ([project].dependencies in pyproject.toml, "
                    "[tool.poetry.dependencies] for poetry-core, or install_requires in setup.py or setup.cfg; pack "
                    "does not read a requirements.txt): add the distribution providing 'requests_not_installed_here' "
                    "there and pack again")


def test_entry_hint_names_a_module_of_the_app_the_release_lacks(tmp_path):
    hint = preflight_entry(tmp_path, {"shop/__init__.py": "from .views import index\n", "shop/wsgi.py": WSGI},
                           "shop.wsgi:application")
    assert ("module 'shop.wsgi' was found, but it imports 'shop.views' (part of the app), which is not in the "
            "release") in hint, hint


def test_entry_hint_for_an_error_inside_the_app_import(tmp_path):
    hint = preflight_entry(tmp_path, {"hello.py": "from os import no_such_name\n" + WSGI}, "hello:application")
    assert hint.startswith("entry_point = 'hello:application' (deploy.toml): module 'hello' was found, but "
                           "importing it failed (ImportError: cannot import name 'no_such_name'"), hint
    hint = preflight_entry(tmp_path, {"factory.py": "def create_app():\n    raise RuntimeError('no config')\n"},
                           "factory:create_app()")
    assert hint is None  # the factory ran (the module imported): the app's own traceback says it


def preflight_health(tmp_path, app: str, path: str, host: str = "localhost") -> tuple[str, str | None]:
    """The real release check's health GET of ``path`` on a Flask app: (the status line, the agent's hint)."""
    from deploytests.pipeline.programs import bundled

    (tmp_path / "fapp.py").write_text(app)
    proc = subprocess.run([sys.executable, "-c", bundled("preflight", "spawn"), "fapp", "app", "0", path, host,
                           "[]", "{}", "30"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])})
    marks = agent.Marks(SimpleNamespace(record=lambda *a: None), [("import", "x"), ("health", "y")], 0)
    for line in proc.stdout.splitlines():
        marks.take(line)
    return marks.health["health"], agent.host_hint(gate_args(health_path=path, server_name=host), marks.health)


FLASK_APP = ("from flask import Flask\napp = Flask(__name__)\n{config}\n"
             "@app.get('/health')\ndef health():\n    return 'ok'\n")


def test_a_health_404_says_the_path_is_no_route_when_it_is_not(tmp_path):
    """Class: a hint that guesses the cause without checking: a 404 of a path the app does not have was blamed
    on the Host header (ALLOWED_HOSTS)."""
    status, hint = preflight_health(tmp_path, FLASK_APP.format(config=""), "/polls/health/")
    assert status.startswith("404") and "Host" not in hint, hint
    assert hint.startswith("the health GET of /polls/health/ (health_path in deploy.toml) got 404 NOT FOUND: it is "
                           "not a route of the app"), hint


def test_a_health_4xx_of_a_host_the_app_refuses_names_the_host(tmp_path):
    app = FLASK_APP.format(config="app.config['TRUSTED_HOSTS'] = ['www.example.com']")
    status, hint = preflight_health(tmp_path, app, "/health", host="app.test")
    assert status.startswith("400"), status
    assert hint.startswith("the health GET sent Host: app.test (server_name in deploy.toml, default localhost) and "
                           "got 400 BAD REQUEST: the app does not allow that Host"), hint
    assert preflight_health(tmp_path, app, "/health", host="www.example.com") == ("200 OK", None)


def test_application_wsgi_sets_the_release_env_but_never_what_deploytests_sets(tmp_path):
    cfg = cfg_with(tmp_path, "")
    root = tmp_path / "srv"
    release = root / "releases" / "R"
    site = release / "venv" / "lib" / ("python%d.%d" % sys.version_info[:2]) / "site-packages"
    site.mkdir(parents=True)
    (site / "shop.py").write_text("import os\nSEEN = dict(os.environ)\ndef app(environ, start_response):\n"
                                  "    return []\n")
    (release / "RELEASE.json").write_text(json.dumps({"entry_point": "shop:app", "env": {
        "FLAG": "on", "LD_PRELOAD": "/x.so", "PYTHONPATH": "/x", "SHOP_CONFIG": "/elsewhere"}}))
    (root / "current").symlink_to("releases/R")
    text = templates.wsgi(cfg).replace(repr(cfg.root), repr(str(root)), 1)
    out = subprocess.run([sys.executable, "-c", text + "\nimport shop, json; print(json.dumps(shop.SEEN))"],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["FLAG"] == "on" and "LD_PRELOAD" not in seen and "PYTHONPATH" not in seen, out
    assert seen["SHOP_CONFIG"] == cfg.remote_config_path


def test_a_targets_env_is_laid_over_deploy_toml_and_checked(tmp_path):
    from deploytests.targets.inventory import load_inventory

    cfg = cfg_with(tmp_path, 'env = { SITE = "prod", FLAG = "1" }\n')
    (tmp_path / "targets.toml").write_text('[targets.staging]\nhosts = ["d@web1"]\nenv = { SITE = "staging" }\n')
    spec = load_inventory(tmp_path / "targets.toml")["staging"]
    merged = load_config(tmp_path, target_env=dict(spec.env))
    assert merged.env_vars == {"SITE": "staging", "FLAG": "1"} and cfg.env_vars["SITE"] == "prod"
    (tmp_path / "targets.toml").write_text('[targets.staging]\nhosts = ["d@web1"]\nenv = { LD_AUDIT = "x" }\n')
    with pytest.raises(ConfigError, match=r"targets.toml:3: target 'staging': key 'env': env LD_AUDIT may not"):
        load_inventory(tmp_path / "targets.toml")
    with pytest.raises(ConfigError, match="target env: env SHOP_CONFIG may not be set"):
        load_config(tmp_path, target_env={"SHOP_CONFIG": "/x"})


# ---------------------------------------------------------------- the agent: env in RELEASE.json, run

@pytest.fixture
def srv(tmp_path, monkeypatch, capsys):
    from test_agent_commands import Server

    return Server(tmp_path / "www" / "app", monkeypatch, capsys)


def test_env_is_recorded_per_release_and_a_changed_env_is_a_new_release(srv):
    from test_agent_commands import result

    from deploytests.pipeline.releases import settings_digest

    def with_env(args, env):  # as the runner sends it: the env, and the release's settings (env among them)
        settings = {"env": env}
        return args.replace(env=env, release=dict(args.release, settings=settings,
                                                 settings_sha256=settings_digest(settings)))

    args, payload = srv.deploy_args("1.0")
    args = with_env(args, {"FLAG": "on"})
    first = result(srv.run("deploy", args, payload)[1])
    meta = json.loads((srv.root / "releases" / first["release_id"] / "RELEASE.json").read_text())
    assert meta["env"] == {"FLAG": "on"}
    again = result(srv.run("deploy", args, payload)[1])
    assert not again["changed"]  # same artifact, same env
    changed = result(srv.run("deploy", with_env(args, {"FLAG": "off"}).replace(release_id=args.release_id + "x"),
                             payload)[1])
    assert changed["changed"] and changed["release_id"] != first["release_id"]


def test_run_executes_in_the_live_release_with_its_env_and_reports_the_exit_status(srv, tmp_path):
    from test_agent_commands import error, result

    from deploytests.pipeline.contract import RunArgs
    from deploytests.testing import rollback_args

    rid = result(srv.deploy("1.0", env={"FLAG": "on"})[1])["release_id"]
    out = tmp_path / "seen"
    fields = rollback_args(str(srv.root)).to_dict()
    fields.pop("to"), fields.pop("confirm_timeout")
    code, events = srv.run("run", RunArgs(**fields, command=f'echo "$FLAG $APP_CONFIG $(pwd)" > {out}; exit 7'))
    res = result(events)
    assert code == 0 and (res["exit"], res["release_id"]) == (7, rid)
    assert out.read_text().split() == ["on", str(srv.root / "shared" / "app.cfg"),
                                       os.path.realpath(srv.root / "releases" / rid)]
    (srv.root / "current").unlink()
    assert "nothing is live" in error(srv.run("run", RunArgs(**fields, command="true"))[1])["what"]


# ------------------------------------------- config_as_env: apps configured from the environment, secrets too

ENV_FILE = '# the servers\' secrets\nexport FLASK_SECRET_KEY="s3cr3t value"\nSHOP_DB=/var/www/shop/shared/db\n\n'


def test_an_env_file_config_is_the_apps_environment_in_the_daemon(tmp_path):
    # a twelve-factor app (Flask's from_prefixed_env, Django settings reading os.environ["DJANGO_SECRET_KEY"])
    # reads no config file: its secrets must reach os.environ before its import, never through argv or RELEASE.json
    cfg = cfg_with(tmp_path, 'config_as_env = true\n')
    root = tmp_path / "srv"
    release = root / "releases" / "R"
    site_dir = release / "venv" / "lib" / ("python%d.%d" % sys.version_info[:2]) / "site-packages"
    site_dir.mkdir(parents=True)
    (site_dir / "shop.py").write_text("import os\nSEEN = dict(os.environ)\ndef app(environ, start_response):\n"
                                      "    return []\n")
    config = tmp_path / "application.cfg"
    config.write_text(ENV_FILE + "PATH=/evil\nLD_PRELOAD=/x.so\nPYTHONPATH=/x\nSHOP_CONFIG=/elsewhere\n")
    settings = {"config_as_env": True}
    (release / "RELEASE.json").write_text(json.dumps({"entry_point": "shop:app", "settings": settings}))
    (root / "current").symlink_to("releases/R")
    text = templates.wsgi(cfg).replace(repr(cfg.root), repr(str(root)), 1).replace(
        repr(cfg.remote_config_path), repr(str(config)))
    out = subprocess.run([sys.executable, "-c", text + "\nimport shop, json; print(json.dumps(shop.SEEN))"],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert (seen["FLASK_SECRET_KEY"], seen["SHOP_DB"]) == ("s3cr3t value", "/var/www/shop/shared/db"), out
    assert seen["PATH"] == "/usr/bin:/bin" and "LD_PRELOAD" not in seen and "PYTHONPATH" not in seen
    assert seen["SHOP_CONFIG"] == str(config)
    settings["config_as_env"] = False  # a release deployed without it: the file is not read as env
    (release / "RELEASE.json").write_text(json.dumps({"entry_point": "shop:app", "settings": settings}))
    out = subprocess.run([sys.executable, "-c", text + "\nimport shop, json; print(json.dumps(shop.SEEN))"],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert "FLASK_SECRET_KEY" not in json.loads(out.stdout.strip().splitlines()[-1])
    # class: a kept release depends on what a later deploy rewrites (application.wsgi from today's deploy.toml): a
    # deploy that turned config_as_env off, then a rollback to a release deployed with it, started it without its
    # environment. The script is now the same whatever deploy.toml says; the release's RELEASE.json decides
    settings["config_as_env"] = True
    (release / "RELEASE.json").write_text(json.dumps({"entry_point": "shop:app", "settings": settings}))
    later = templates.wsgi(cfg_with(tmp_path, '')).replace(repr(cfg.root), repr(str(root)), 1).replace(
        repr(cfg.remote_config_path), repr(str(config)))
    out = subprocess.run([sys.executable, "-c", later + "\nimport shop, json; print(json.dumps(shop.SEEN))"],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout.strip().splitlines()[-1])["FLASK_SECRET_KEY"] == "s3cr3t value", out


@pytest.mark.parametrize("text, problem", [
    ("SECRET_KEY = abc\nnot a pair here\n", "line 2 is not NAME=value"),
    ("export 1ST=x\n", "line 1 is not NAME=value"),
    ("# ok\nLD_PRELOAD=/tmp/x.so\n", ":2: config_as_env = true: env LD_PRELOAD may not be set"),
    ("SHOP_CONFIG=/tmp/x\n", ":1: config_as_env = true: env SHOP_CONFIG may not be set (config_env"),
    ("A=1\n\nexport  PYTHONPATH = /tmp\n", ":3: config_as_env = true: env PYTHONPATH may not be set"),
    # init's placeholder for a secret it cannot make (an API token the app checks): a string anyone can read
    ("A=1\nSHOP_API_TOKEN=change me: a long random string\n", ":2: config_as_env = true: env SHOP_API_TOKEN is "
     "still the placeholder deploytests init wrote"),
    ('export SHOP_DB_PASSWORD="change me: a long random string"\n', ":1: config_as_env = true: env SHOP_DB_PASSWORD"),
])
def test_an_env_file_config_is_checked_on_the_runner_naming_the_line_never_a_value(tmp_path, text, problem):
    from deploytests.errors import DeployError
    from deploytests.pipeline.releases import env_file_problem

    cfg = cfg_with(tmp_path, 'config_as_env = true\n')
    with pytest.raises(DeployError) as e:
        env_file_problem(cfg, tmp_path / "prod.env", text.encode())
    assert str(e.value).startswith(f"{tmp_path / 'prod.env'}") and problem in str(e.value), str(e.value)
    assert "/tmp" not in str(e.value).replace(str(tmp_path), "") and "abc" not in str(e.value)
    env_file_problem(cfg, tmp_path / "prod.env", ENV_FILE.encode())  # a good one passes


def test_config_as_env_is_a_release_setting_and_a_flag(tmp_path):
    from deploytests.pipeline.releases import release_settings

    assert release_settings(cfg_with(tmp_path, 'config_as_env = true\n'))["config_as_env"] is True
    assert "config_as_env" not in release_settings(cfg_with(tmp_path, ''))  # old releases' digests unchanged
    with pytest.raises(ConfigError, match="config_as_env.*true or false"):
        cfg_with(tmp_path, 'config_as_env = "yes"\n')


def test_a_health_404_names_the_routes_the_app_has(tmp_path):
    """newuser12: init wrote health_path = "/health" for a Flask app whose health route is in a blueprint
    registered with url_prefix="/api", and "/" for Django's tutorial (polls/ and admin/ only): both refused with
    "it is not a route of the app; set health_path to a path it serves", naming none. Class: a hint that knows the
    answer and does not say it. The app's URL map is at hand in the release check: the hint names its GET routes
    without arguments, the one ending like health_path first."""
    app = ("from flask import Flask, Blueprint\napp = Flask(__name__)\nbp = Blueprint('api', __name__)\n"
           "@bp.get('/health')\ndef health():\n    return 'ok'\n@bp.get('/notes/<int:n>')\ndef note(n):\n"
           "    return 'n'\n@app.get('/')\ndef index():\n    return 'i'\n"
           "app.register_blueprint(bp, url_prefix='/api')\n")
    status, hint = preflight_health(tmp_path, app, "/health")
    assert status.startswith("404"), status
    assert hint.endswith("; the app's GET routes without arguments: /api/health, /"), hint


def test_an_import_that_fails_on_its_database_reports_the_database_it_tried(tmp_path):
    """newuser12, live: a factory whose db.create_all() could not open sqlite:////nonexistent/dir/notes.sqlite
    failed at import, before the `started` mark, so the hint had no database to name and guessed the instance
    folder. The facts of an import that fails are reported too."""
    from deploytests.pipeline.programs import bundled

    missing = tmp_path / "nonexistent" / "dir" / "notes.sqlite"
    (tmp_path / "notes.py").write_text(f"import sqlite3\nsqlite3.connect({str(missing)!r})\napp = None\n")
    proc = subprocess.run([sys.executable, "-c", bundled("preflight", "spawn"), "notes", "app", "0", "", "localhost",
                           "[]", "{}", "30"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path)})
    marks = agent.Marks(None, [("import", "x")], 0)
    for line in proc.stdout.splitlines():
        marks.take(line)
    assert proc.returncode != 0 and marks.facts.get("databases") == [str(missing)], proc.stdout
    hint = agent.instance_hint(gate_args(), str(tmp_path / "releases" / "r1"), proc.stderr.splitlines(), marks.facts)
    assert hint.startswith(f"the app's SQLite database {missing} cannot be opened: its directory "), hint


@pytest.mark.parametrize("when", ["request", "post_deploy_then_request"])
def test_a_database_the_app_connects_to_at_its_first_request_is_reported(tmp_path, when):
    """Seen live: SQLAlchemy's engine (Pyramid's starter, Flask-SQLAlchemy) connects at the first query, in
    the health GET, after the `started` mark: the hint had no database to name and guessed Flask's instance folder
    for a Pyramid app. Class: facts of the app's start gathered during its import only. The health GET is watched
    too (other member: with a post_deploy command run between the import and the GET)."""
    from deploytests.pipeline.programs import bundled

    missing = tmp_path / "nonexistent" / "dir" / "wiki.sqlite"
    (tmp_path / "wiki.py").write_text(f"import sqlite3\ndef app(environ, start_response):\n"
                                      f"    sqlite3.connect({str(missing)!r})\n")
    commands = '["true"]' if when == "post_deploy_then_request" else "[]"
    proc = subprocess.run([sys.executable, "-c", bundled("preflight", "spawn"), "wiki", "app", "0", "/health",
                           "localhost", commands, "{}", "30"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    marks = agent.Marks(agent.Steps(), [("import", "x"), ("post_deploy", "y"), ("preflight", "z")], 1)
    for line in proc.stdout.splitlines():
        marks.take(line)
    assert proc.returncode != 0 and marks.facts.get("databases") == [str(missing)], proc.stdout
    hint = agent.instance_hint(gate_args(), str(tmp_path / "releases" / "r1"), proc.stderr.splitlines(), marks.facts)
    assert hint.startswith(f"the app's SQLite database {missing} cannot be opened: its directory "), hint


@pytest.mark.parametrize("body", ["    import markdown_not_here\n", "    from . import views\n"])
def test_a_dependency_the_factory_imports_is_named_like_one_the_module_imports(tmp_path, body):
    """Seen live: Pyramid's config.scan() (in main(), called by the factory init writes) imported a view
    module using `markdown`, which setup.py did not declare: refused with "fix the app and deploy again", while a
    Flask app importing the same at module level was told which dependency to declare. Class: facts of a failed
    import gathered for the entry module only, not for its factory's call. Members: a library the factory imports
    (Pyramid's scan, a Flask create_app importing its blueprints), a module of the app the factory imports that
    imports an undeclared library."""
    from deploytests.pipeline.programs import bundled

    pkg = tmp_path / "wiki"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("def make():\n" + body + "    return None\n")
    (pkg / "views.py").write_text("import markdown_not_here\n")
    proc = subprocess.run([sys.executable, "-c", bundled("preflight", "spawn"), "wiki", "make", "1", "/health",
                           "localhost", "[]", "{}", "30"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path)})
    marks = agent.Marks(agent.Steps(), [("import", "x")], 0)
    for line in proc.stdout.splitlines():
        marks.take(line)
    hint = agent.entry_hint(gate_args(entry_point="wiki:make()"), marks.entry)
    assert proc.returncode != 0 and hint is not None, proc.stdout
    assert "it imports 'markdown_not_here', which is not installed in the release" in hint, hint


@pytest.mark.parametrize("location, said", [
    ("https://localhost/health", "the app sends plain-http requests to https"),
    ("/login?next=/health", "health_path must answer 200 itself"),
])
def test_a_health_redirect_names_where_it_goes_and_why(tmp_path, location, said):
    """newuser12: the same class as the Secure cookies (production settings that assume https, on servers Apache
    serves over http): Django's checklist's SECURE_SSL_REDIRECT answers the health GET 301 to https, and the hint
    said "fix the app". A redirect is named with where it goes: to https, the proxy and the target's config; else,
    a health path that must answer itself."""
    app = ("def app(environ, start_response):\n"
           f"    start_response('301 Moved Permanently', [('Location', {location!r})])\n    return [b'']\n")
    status, hint = preflight_health(tmp_path, app, "/health")
    assert status.startswith("301"), status
    assert hint is not None and said in hint and location in hint, hint


def test_a_module_of_the_app_the_release_lacks_is_not_blamed_on_the_wheel_alone(tmp_path):
    """Class: a hint that asserts a cause it did not check. A hatchling project's ``from notes.helpers import x``
    with no ``helpers.py`` anywhere was told "the wheel lacks it; check which files the project's build config
    packs": the server sees only the release, not the project, so it cannot tell a wrong import from a module
    left out of the wheel. The hint names both, the import first. Other member: the same module missing where
    a post_deploy command or the health GET imports it (agent.missing_module_hint)."""
    from deploytests.pipeline import agent

    hint = preflight_entry(tmp_path, {"shop/__init__.py": "from .helpers import slug\n", "shop/wsgi.py": WSGI},
                           "shop.wsgi:application")
    for said in (hint, agent.app_module_missing("shop.helpers")):
        assert "no module shop.helpers in the project" in said and "the wheel lacks it" in said, said
        assert said.index("the import is wrong") < said.index("the wheel lacks it"), said


def test_a_missing_dependency_names_poetrys_table_too():
    """Class: where the project declares its dependencies named for PEP 621 and setuptools only: a poetry-core
    project's place is [tool.poetry.dependencies]. One wording for the entry point's import (above) and for
    post_deploy's and the health GET's (the member)."""
    from deploytests.pipeline import agent

    said = agent.dependency_missing("falcon_cors")
    assert "[tool.poetry.dependencies] for poetry-core" in said and "'falcon_cors'" in said, said
