"""`deploytests init`: what it detects in a project, what it writes, and that it never overwrites a file."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from deploytests.__main__ import main
from deploytests.config import load_config
from deploytests.init import app_name, detect, gate_warnings, init

pytestmark = pytest.mark.usefixtures("own_install")  # (main() in this process: conftest.own_install)


NEW_CONFIG = "config/deploy.cfg"  # the commented config file init writes when the project has none
FACTORY = '''\
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_path=os.path.abspath("instance"), instance_relative_config=True)
    app.config.from_envvar("NOTES_SETTINGS", silent=True)

    @app.get("/healthz")
    def health():
        return "ok"

    @app.cli.command("init-db")
    def init_db():
        pass

    return app
'''

MODULE_APP = '''\
from flask import Flask

application = Flask(__name__)
'''


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_factory_in_package_with_config_env_health_command_and_instance(tmp_path):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "Team-Notes"\nversion = "1"\n',
                              "notes/__init__.py": FACTORY, "tests/test_x.py": "def create_app(): pass\n"})
    d = detect(root)
    assert (d.name, d.app, d.entry_point) == ("Team-Notes", "notes", "notes:create_app()")
    assert (d.config_env, d.health_path) == ("NOTES_SETTINGS", "/healthz")
    assert d.post_deploy == ["flask --app notes init-db"] and d.shared_paths == ["instance"] and not d.notes
    assert d.config_file == NEW_CONFIG and d.drops_tables == []


def test_factory_in_a_module_of_a_src_layout_package(tmp_path):
    root = project(tmp_path, {"src/shop/__init__.py": "", "src/shop/web.py": FACTORY, "setup.py":
                              "from setuptools import setup\nsetup(name='shop')\n"})
    d = detect(root)
    assert (d.name, d.app, d.entry_point) == ("shop", "shop", "shop.web:create_app()")


def test_module_level_flask_app(tmp_path):
    root = project(tmp_path, {"wsgi_site/__init__.py": "", "wsgi_site/main.py": MODULE_APP})
    d = detect(root)
    assert d.entry_point == "wsgi_site.main:application" and d.app == "wsgi_site"
    assert d.config_env == "" and d.health_path == "" and d.post_deploy == [] and d.shared_paths == []
    assert any("no /health route found" in n for n in d.notes)


def test_nothing_found_is_a_guess_that_says_so(tmp_path):
    root = project(tmp_path / "My Project", {"mypkg/__init__.py": "VALUE = 1\n"})
    d = detect(root)
    assert d.entry_point == "mypkg:application"  # the standard WSGI name
    assert any("entry_point guessed as 'mypkg:application'; set it to module:callable" in n for n in d.notes)


PLAIN = '''
def application(environ, start_response):
    if environ["PATH_INFO"] == "/health":
        pass
'''


@pytest.mark.parametrize("text, entry", [(PLAIN, "hello.wsgi:application"),
                                         ("import falcon\napp = falcon.App()\n", "hello.wsgi:app"),
                                         ("application: object = make()\napp = other()\n", "hello.wsgi:application")])
def test_plain_wsgi_tries_application_then_app(tmp_path, text, entry):
    root = project(tmp_path, {"hello/__init__.py": "", "hello/wsgi.py": text, "hello/static/site.css": "a{}"})
    d = detect(root)
    assert (d.framework, d.entry_point, d.static) == ("wsgi", entry, {"/static": "hello/static"})
    assert (d.health_path == "/health") == (text == PLAIN)
    assert any("no /health route found" in n for n in d.notes) == (text != PLAIN)



# Class: a WSGI callable known only by two names. PEP 3333's own example is `def simple_app(environ,
# start_response)`; a project naming its callable otherwise (`stockroom_app` in src/acme/stockroom/web.py) got "no
# WSGI app found" and entry_point 'acme:application', the shared namespace package. A callable is known by its
# shape, whatever its name. Other member: an instance of a class whose __call__ takes (environ, start_response).
@pytest.mark.parametrize("text, attr", [
    ("import os\n\ndef _db():\n    pass\n\n\ndef stockroom_app(environ, start_response):\n"
     "    start_response('200 OK', [])\n    return [b'ok']\n", "stockroom_app"),
    ("class Stock:\n    def __init__(self, path):\n        self.path = path\n\n"
     "    def __call__(self, env, start_response):\n        return []\n\n\nstock = Stock('x')\n", "stock"),
])
def test_a_wsgi_callable_of_another_name_is_known_by_its_shape(tmp_path, text, attr):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "acme-stockroom"\nversion = "1"\n',
                              "src/acme/stockroom/__init__.py": "", "src/acme/stockroom/web.py": text})
    d = detect(root)
    assert (d.framework, d.entry_point, d.app) == ("wsgi", f"acme.stockroom.web:{attr}", "acme_stockroom")
    assert not any("no WSGI app found" in n for n in d.notes), d.notes



# Class: a project file taken for the app's config without reading it in the app's format. Flask-Babel's
# extraction mapping `babel.cfg` (`[python: pkg/**.py]`) at the top was named config_file for an app reading
# from_envvar (Python): the servers would exec it. A candidate must read in the format the app parses: Python
# assigning an UPPERCASE setting (Flask and Django take only those), INI, NAME=value lines, TOML, JSON. Other
# members: bumpversion's `.bumpversion.cfg` (INI: not Python), and a JSON-reading app's `config/app.cfg` in Python.
@pytest.mark.parametrize("files, reading, taken", [
    ({"babel.cfg": "[python: lingua/**.py]\n[jinja2: lingua/templates/**.html]\n"},
     'app.config.from_envvar("LINGUA_SETTINGS")', NEW_CONFIG),
    ({".bumpversion.cfg": "[bumpversion]\ncurrent_version = 0.1.0\n"},
     'app.config.from_envvar("LINGUA_SETTINGS")', NEW_CONFIG),
    ({"babel.cfg": "[python: lingua/**.py]\n", "config/production.cfg": 'SECRET_KEY = "x"\n'},
     'app.config.from_envvar("LINGUA_SETTINGS")', "config/production.cfg"),
    ({"config/app.cfg": 'SECRET_KEY = "x"\n'},
     'app.config.from_file(os.environ["LINGUA_SETTINGS"], load=json.load)', NEW_CONFIG),
])
def test_a_config_file_is_one_the_app_can_read(tmp_path, files, reading, taken):
    app = ("import json\nimport os\nfrom flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"
           f"    {reading}\n    return app\n")
    d = detect(project(tmp_path, {"lingua/__init__.py": app, **files}))
    assert (d.config_env, d.config_file) == ("LINGUA_SETTINGS", taken)
    passed = [f for f in files if f != taken and taken == NEW_CONFIG]  # the preferred names are read first
    assert [n.split(" is not taken")[0] for n in d.notes if " is not taken for the app's config" in n] == passed



# Class: a file the app reads at run time that a build step makes, absent from a fresh checkout. Flask-Babel's
# catalogs are read compiled (.mo), which projects gitignore: a clean clone's release served English and the gate
# passed. init writes the build step that compiles them before pack builds the wheel. Other member: a Django app's
# locale/ (compilemessages), and a top-level locale/ (LOCALE_PATHS), which no wheel ships: a note says so.
def test_gettext_catalogs_are_compiled_by_build(tmp_path):
    app = ("from flask import Flask\nfrom flask_babel import Babel\n\n\ndef create_app():\n"
           "    app = Flask(__name__)\n    Babel(app)\n    return app\n")
    root = project(tmp_path / "lingua", {"lingua/__init__.py": app, "lingua/translations/de/LC_MESSAGES/messages.po":
                                         "", "lingua/translations/fr/LC_MESSAGES/messages.po": "",
                                         ".venv/lib/x/locale/de/LC_MESSAGES/other.po": ""})
    d = detect(root)
    assert d.build == ["pybabel compile -d lingua/translations"]
    assert any(n.startswith("gettext catalogs in lingua/translations: ") for n in d.notes), d.notes
    assert not any("poetry-core" in n for n in d.notes)
    (root / "pyproject.toml").write_text('[build-system]\nrequires = ["poetry-core"]\n'
                                         'build-backend = "poetry.core.masonry.api"\n')
    assert any(n.endswith('include = [{ path = "lingua/translations/**/*.mo", format = "wheel" }]')
               for n in detect(root).notes)
    (root / "pyproject.toml").unlink()
    lines: list[str] = []
    init(root, out=lines.append)
    assert load_config(root).build == ("pybabel compile -d lingua/translations",)


def test_django_catalogs_are_compiled_by_build_and_a_top_level_locale_is_named(tmp_path):
    import shutil

    root = tmp_path / "mysite"
    shutil.copytree(FIXTURES / "mysite", root)
    (root / "guestbook" / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    (root / "guestbook" / "locale" / "de" / "LC_MESSAGES" / "django.po").write_text("")
    d = detect(root)
    assert d.build == ["python manage.py collectstatic --noinput", "python manage.py compilemessages"]
    assert not any("outside the app's packages" in n for n in d.notes)
    (root / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    (root / "locale" / "de" / "LC_MESSAGES" / "django.po").write_text("")
    assert any(n.startswith("locale/ lies outside the app's packages") for n in detect(root).notes)


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


def test_django_project_as_startproject_lays_it_out(tmp_path):
    import shutil

    root = tmp_path / "mysite"
    shutil.copytree(FIXTURES / "mysite", root)
    d = detect(root)
    assert (d.framework, d.app, d.entry_point, d.env) == ("django", "mysite", "mysite.wsgi:application",
                                                          {"DJANGO_SETTINGS_MODULE": "mysite.settings"})
    assert (d.config_env, d.health_path, d.shared_paths) == ("MYSITE_CONFIG", "/health/", ["data", "media"])
    assert (d.static, d.build) == ({"/static": "staticfiles"}, ["python manage.py collectstatic --noinput"])
    assert d.post_deploy == ["django-admin migrate --noinput"] and d.post_deploy_safe
    lines: list[str] = []
    init(root, out=lines.append)
    cfg = load_config(root)  # what init wrote loads, with the keys it found
    assert cfg.env_vars == {"DJANGO_SETTINGS_MODULE": "mysite.settings"}
    assert cfg.static == (("/static", "staticfiles"),)
    assert cfg.post_deploy == ("django-admin migrate --noinput",) and list(cfg.build) == d.build
    config = (root / NEW_CONFIG).read_text()
    assert re.search(r'\nSECRET_KEY = "[\w-]{60,}"\n', config) and "/var/www/mysite/shared/data/db.sqlite3" in config
    test = (root / "tests/deploy/test_deploy.py").read_text()
    assert "csrfmiddlewaretoken" in test and "/static/admin/css/base.css" in test and "405" not in test
    compile(test, "test_deploy.py", "exec")


def test_django_settings_that_read_no_config_get_the_lines_to_add(tmp_path):
    root = project(tmp_path, {"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
                              "proj/__init__.py": "", "proj/settings.py": "DEBUG = True\n",
                              "proj/wsgi.py": "application = get_wsgi_application()\n"})
    d = detect(root)
    assert d.config_env == "PROJ_CONFIG" and d.static == {}
    assert any('exec(Path(os.environ["PROJ_CONFIG"]).read_text())' in n for n in d.notes), d.notes
    assert any("no health/ route" in n for n in d.notes) and any("STATIC_ROOT" in n for n in d.notes)


SPLIT_BASE = ('from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\n'
              'INSTALLED_APPS = ["django.contrib.admin", "stock"]\nROOT_URLCONF = "{pkg}.urls"\n'
              'STATIC_URL = "static/"\nSTATIC_ROOT = BASE_DIR / "staticfiles"\n')


# Class: a Django project read as if its settings were one module named by manage.py. Settings split by
# environment (a settings package: base, dev, prod; manage.py naming dev, wsgi.py prod) gave app
# "inventory_settings", entry_point "inventory.settings.wsgi:application", the dev settings for the servers, and
# "no STATIC_ROOT" (it is in base.py, star-imported). Other members: cookiecutter-django's config/settings/
# {base,local,production}.py beside config/wsgi.py, and a settings package whose __init__ star-imports its base.
@pytest.mark.parametrize("pkg, manage, served, leaf", [
    ("inventory", "inventory.settings.dev", "inventory.settings.prod", "prod"),
    ("config", "config.settings.local", "config.settings.production", "production"),
    ("inventory", "inventory.settings", "inventory.settings", "__init__"),
])
def test_django_settings_split_by_environment(tmp_path, pkg, manage, served, leaf):
    root = project(tmp_path, {
        "manage.py": f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{manage}")\n',
        f"{pkg}/__init__.py": "", f"{pkg}/settings/base.py": SPLIT_BASE.format(pkg=pkg),
        f"{pkg}/settings/dev.py": "from .base import *\nDEBUG = True\n",
        f"{pkg}/settings/{leaf}.py": "import os\nfrom .base import *  # noqa\nDEBUG = False\n",
        f"{pkg}/urls.py": 'urlpatterns = [path("admin/", admin.site.urls), path("stock/", include("stock.urls"))]\n',
        f"{pkg}/wsgi.py": f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{served}")\n'
                          "application = get_wsgi_application()\n",
        "stock/__init__.py": "", "stock/models.py": "", "stock/urls.py": 'urlpatterns = [path("healthz/", v)]\n'})
    d = detect(root)
    assert (d.app, d.entry_point, d.env) == (pkg, f"{pkg}.wsgi:application", {"DJANGO_SETTINGS_MODULE": served})
    assert (d.health_path, d.static) == ("/stock/healthz/", {"/static": "staticfiles"}), d.notes
    assert any(n.startswith(f"DJANGO_SETTINGS_MODULE = {served!r}") for n in d.notes) == (manage != served)
    assert not any("STATIC_ROOT" in n or "is a guess" in n for n in d.notes), d.notes
    init(root, out=lambda line: None)
    assert "/static/admin/css/base.css" in (root / "tests/deploy/test_deploy.py").read_text()  # base.py's admin
    note = next(n for n in d.notes if "runs no config file" in n)
    assert note.startswith(f"{pkg}/settings/{leaf}.py runs no config file"), note  # the file to add the lines to
    assert load_config(root).env_vars == {"DJANGO_SETTINGS_MODULE": served}


# Class: a settings path read as if BASE_DIR were the project's top. A startproject moved under src/ (settings
# in src/notesite/, BASE_DIR = Path(__file__).resolve().parent.parent is src/) with STATIC_ROOT =
# BASE_DIR.parent / "staticfiles" got "no STATIC_ROOT" and no static files served; BASE_DIR / "staticfiles" there
# was read as the project's staticfiles/ (it is src/staticfiles/). The path is now computed as Django does, with
# each settings module's own __file__. Other members: Django < 3.1's os.path BASE_DIR with os.path.join, a nested
# STATIC_ROOT, a split settings package under src/, and one outside the project (named in a note).
@pytest.mark.parametrize("settings_file, base, static_root, expected", [
    ("src/notesite/settings.py", "Path(__file__).resolve().parent.parent", 'BASE_DIR.parent / "staticfiles"',
     "staticfiles"),
    ("src/notesite/settings.py", "Path(__file__).resolve().parent.parent", 'BASE_DIR / "staticfiles"',
     "src/staticfiles"),
    ("notesite/settings.py", "os.path.dirname(os.path.dirname(os.path.abspath(__file__)))",
     'os.path.join(BASE_DIR, "collected")', "collected"),
    ("notesite/settings.py", "Path(__file__).resolve().parent.parent", 'str(BASE_DIR / "var" / "static")',
     "var/static"),
    ("src/notesite/settings/__init__.py", "Path(__file__).resolve().parent.parent.parent",
     'BASE_DIR.parent.joinpath("public", "static")', "public/static"),
    ("notesite/settings.py", "Path(__file__).resolve().parent.parent", '"/var/www/static"', None),
])
def test_django_static_root_is_computed_from_the_settings_file(tmp_path, settings_file, base, static_root,
                                                               expected):
    src = "src/" if settings_file.startswith("src/") else ""
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")\n',
        f"{src}notesite/__init__.py": "", f"{src}notesite/wsgi.py": "application = get_wsgi_application()\n",
        settings_file: f"import os\nfrom pathlib import Path\nBASE_DIR = {base}\nSTATIC_URL = 'static/'\n"
                       f"STATIC_ROOT = {static_root}\n"})
    d = detect(root)
    if expected is None:
        assert d.static == {} and any("STATIC_ROOT is /var/www/static, outside the project" in n
                                      for n in d.notes), d.notes
    else:
        assert (d.static, d.build) == ({"/static": expected}, ["python manage.py collectstatic --noinput"]), d.notes
        assert not any("STATIC_ROOT" in n for n in d.notes), d.notes


@pytest.mark.parametrize("name, app", [("Team-Notes", "team_notes"), ("9lives", "app_9lives"),
                                       ("x" * 40, "x" * 32), ("a.b c", "a_b_c")])
def test_app_name_is_always_valid(name, app):
    assert app_name(name) == app


def test_init_writes_valid_files_and_the_ini_keys(tmp_path, capsys):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "notes"\nversion = "1"\n',
                              "notes/__init__.py": FACTORY, "tests/unit/test_notes.py": "def test_x(): pass\n"})
    assert main(["init", str(root)]) == 0
    out = capsys.readouterr().out
    for rel in ("deploy.toml", "targets.toml", "fabfile.py", "tests/deploy/test_deploy.py"):
        assert f"wrote   {rel}" in out, out
    assert "pytest --pyargs deploytests.suite tests/deploy" in out
    cfg = load_config(root)
    assert (cfg.app, cfg.entry_point, cfg.config_env, cfg.health_path) == (
        "notes", "notes:create_app()", "NOTES_SETTINGS", "/healthz")
    assert cfg.shared_paths == ("instance",)
    # the detected command is offered, commented out: post_deploy runs on every deploy against the live data
    assert cfg.post_deploy == () and '# post_deploy    = ["flask --app notes init-db"]' in (
        root / "deploy.toml").read_text()
    assert "post_deploy 'flask --app notes init-db' found but left commented out" in out
    assert "DROP TABLE" not in out
    # the app reads NOTES_SETTINGS and the project had no config file: a commented one is written and named
    assert cfg.config_file == root / NEW_CONFIG and f"wrote   {NEW_CONFIG}" in out
    # Flask signs sessions with SECRET_KEY: the config sets one of the servers' own (commented out, the factory's
    # "dev" would sign them, and the release check refuses a key written in the code)
    assert f"config_file = {NEW_CONFIG!r} (a random SECRET_KEY made by init)" in out
    assert re.search(r'^SECRET_KEY = "[\w-]{40,}"', (root / NEW_CONFIG).read_text(), re.M)
    compile((root / NEW_CONFIG).read_text(), NEW_CONFIG, "exec")  # from_envvar reads it as Python
    assert 'from_envvar("NOTES_SETTINGS")' in (root / NEW_CONFIG).read_text()
    tomllib.loads((root / "targets.toml").read_text())  # valid TOML (every target commented out)
    assert (root / "fabfile.py").read_text().startswith("from deploytests.tasks import *")
    compile((root / "tests/deploy/test_deploy.py").read_text(), "test_deploy.py", "exec")
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "notes"
    assert pyproject["tool"]["pytest"]["ini_options"] == {"testpaths": ["tests"],
                                                          "addopts": "--ignore=tests/deploy"}


def test_init_never_overwrites(tmp_path, capsys):
    mine = {"deploy.toml": "# mine\napp = 'keep'\nentry_point = 'keep:app'\n", "fabfile.py": "# my tasks\n",
            "tests/deploy/test_deploy.py": "# my deploy test\n",
            "pyproject.toml": '[project]\nname = "notes"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n',
            "notes/__init__.py": FACTORY}
    root = project(tmp_path, mine)
    init(root)
    out = capsys.readouterr().out
    for rel, text in mine.items():
        assert (root / rel).read_text() == text, rel
    for rel in ("deploy.toml", "fabfile.py", "tests/deploy/test_deploy.py"):
        assert f"kept    {rel} (exists; not overwritten)" in out
    assert "wrote   targets.toml" in out
    assert "pyproject.toml: it configures pytest already; add to it yourself" in out
    assert "--ignore=tests/deploy in its addopts" in out and "addopts =" not in out  # it has one: no second
    init(root)  # a second run writes nothing new
    assert "wrote" not in capsys.readouterr().out


def test_init_keeps_a_pyproject_deploy_table_and_prints_ini_keys_for_pytest_ini(tmp_path, capsys):
    root = project(tmp_path, {"pyproject.toml": '[tool.deploytests]\napp = "notes"\nentry_point = "notes:app"\n',
                              "pytest.ini": "[pytest]\nfilterwarnings = error\n", "notes/__init__.py": MODULE_APP})
    before = {p: (root / p).read_text() for p in ("pyproject.toml", "pytest.ini")}
    init(root)
    out = capsys.readouterr().out
    assert not (root / "deploy.toml").exists() and "kept    deploy.toml (not written: pyproject.toml has" in out
    assert (root / "pytest.ini").read_text() == before["pytest.ini"]
    # the deploy table is kept; the packaging the project lacked is added after it (a wheel holding notes)
    assert (root / "pyproject.toml").read_text().startswith(before["pyproject.toml"])
    assert tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
        "include"] == ["notes", "notes.*"]
    assert "kept    pytest.ini: it configures pytest already" in out and "addopts = --ignore=tests/deploy" in out
    assert "in its addopts" not in out  # it has none: the whole line


@pytest.mark.parametrize("name, text", [("pytest.ini", "[pytest]\naddopts = -q\n"),
                                        ("tox.ini", "[pytest]\naddopts =\n    -q\n"),
                                        ("pyproject.toml", '[tool.pytest.ini_options]\naddopts = ["-q"]\n')])
def test_init_says_to_extend_an_existing_addopts_never_to_add_a_second_one(tmp_path, capsys, name, text):
    """newuser5 F18: init printed `addopts = --ignore=tests/deploy` for a pytest.ini with an addopts; appended as
    told, pytest stopped: duplicate name 'addopts'."""
    root = project(tmp_path, {name: text, "notes/__init__.py": MODULE_APP, "tests/test_x.py": "def test_x(): pass\n"})
    init(root)
    out = capsys.readouterr().out
    assert f"kept    {name}: it configures pytest already" in out, out
    assert "--ignore=tests/deploy in its addopts" in out and "addopts =" not in out, out
    assert "testpaths" in out  # a key it lacks is still printed as a line


def test_init_refuses_a_missing_directory(tmp_path, capsys):
    assert main(["init", str(tmp_path / "nope")]) == 2
    assert "is not a directory" in capsys.readouterr().err


TUTORIAL_DB = '''\
import click
from importlib import resources


def init_db():
    db = get_db()
    db.executescript(resources.files("shop").joinpath("schema.sql").read_text())


@click.command("init-db")
def init_db_command():
    init_db()
'''


def test_a_schema_that_drops_tables_is_named_and_post_deploy_stays_commented(tmp_path, capsys):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "shop"\n',
                              "src/shop/__init__.py": FACTORY.replace('@app.cli.command("init-db")', "@app.cli"),
                              "src/shop/db.py": TUTORIAL_DB,
                              "src/shop/schema.sql": "drop table if exists items;\nCREATE TABLE items (id INT);\n"})
    d = detect(root)
    assert d.post_deploy == ["flask --app shop init-db"] and d.drops_tables == ["src/shop/schema.sql"]
    init(root)
    out = capsys.readouterr().out
    assert ("  WARNING src/shop/schema.sql drops tables (DROP TABLE): as a post_deploy it would empty the live "
            "database on every deploy") in out
    text = (root / "deploy.toml").read_text()
    assert "#   WARNING: src/shop/schema.sql drops tables" in text and "on EVERY deploy" in text
    assert load_config(root).post_deploy == ()


@pytest.mark.parametrize("files, chosen", [
    ({"config/docker.cfg": "A = 1\n", "config/production.cfg": "A = 2\n", "setup.cfg": "[x]\n"},
     "config/production.cfg"),
    ({"config/docker.cfg": "A = 1\n", "config/zz.cfg": "A = 2\n"}, "config/docker.cfg"),
    ({"settings.cfg": "A = 1\n", "setup.cfg": "[x]\n"}, "settings.cfg"),
    ({"conf/app.py": "A = 1\n"}, "conf/app.py"),  # a conf/ package's modules are code: see below
    ({NEW_CONFIG: "MINE = 1\n"}, NEW_CONFIG),  # an existing config/deploy.cfg is named, never rewritten
])
def test_an_app_reading_a_config_env_gets_an_existing_config_file(tmp_path, capsys, files, chosen):
    root = project(tmp_path, {"notes/__init__.py": FACTORY, **files})
    before = {rel: (root / rel).read_text() for rel in files}
    init(root)
    out = capsys.readouterr().out
    assert load_config(root).config_file == root / chosen
    assert f"config_file = {chosen!r}" in out
    assert {rel: (root / rel).read_text() for rel in files} == before
    assert (root / NEW_CONFIG).exists() == (chosen == NEW_CONFIG)
    assert "commented settings only" not in out and f"wrote   {NEW_CONFIG}" not in out


def test_an_app_without_a_config_env_gets_no_config_file(tmp_path, capsys):
    root = project(tmp_path, {"wsgi_site/__init__.py": "", "wsgi_site/main.py": MODULE_APP,
                              "config/docker.cfg": "A = 1\n"})
    init(root)
    assert load_config(root).config_file is None and not (root / NEW_CONFIG).exists()
    assert '# config_file    = "config/production.cfg"' in (root / "deploy.toml").read_text()


LEDGER = '''\
import os

from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DATABASE=os.path.join(app.instance_path, "ledger.sqlite"))
    app.config.from_envvar("LEDGER_SETTINGS")

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.cli.command("init-db")
    def init_db():
        pass

    return app
'''


@pytest.mark.parametrize("source, default", [
    (LEDGER, "ledger"),
    (FACTORY, ""),  # instance_path= given (the notes fixture's pattern)
    (LEDGER.replace("Flask(__name__,", 'Flask(__name__, instance_path=os.environ.get("I", os.path.abspath("i")),'),
     ""),  # nested calls inside Flask(...)
    (MODULE_APP, ""),  # no instance folder used
])
def test_an_instance_folder_at_flasks_default_path_is_detected(tmp_path, source, default):
    root = project(tmp_path, {"ledger/__init__.py": source})
    assert detect(root).default_instance == default


def test_init_keeps_flasks_default_instance_folder_of_a_src_layout_in_shared(tmp_path, capsys):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "ledger"\n', "src/ledger/__init__.py": LEDGER,
                              "config/local.cfg": "SECRET_KEY = 'x'\n"})
    init(root)
    out = capsys.readouterr().out
    note = next(line for line in out.splitlines() if line.startswith("  note    ledger uses Flask's default instance"))
    assert "<release>/venv/var/ledger-instance" in note and "/var/www/ledger/shared/venv/var/ledger-instance" in note
    text = (root / "deploy.toml").read_text()
    assert "#   ledger uses Flask's default instance folder" in text and "WARNING" not in text
    assert load_config(root).shared_paths == ("venv/var/ledger-instance",)


def test_a_rerun_keeping_deploy_toml_prints_what_it_says_not_what_init_would_write(tmp_path, capsys):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "ledger"\n', "src/ledger/__init__.py": LEDGER,
                              "config/docker.cfg": "A = 1\n", "config/local.cfg": "A = 2\n"})
    init(root)
    assert "note    config_file = 'config/docker.cfg'" in capsys.readouterr().out
    path = root / "deploy.toml"
    path.write_text(path.read_text().replace('"config/docker.cfg"', '"config/local.cfg"')
                    .replace("# post_deploy    =", "post_deploy    ="))
    init(root)
    out = capsys.readouterr().out
    assert "kept    deploy.toml (exists; not overwritten)" in out
    assert "config/docker.cfg" not in out and "left commented out" not in out, out
    assert ("note    deploy.toml says: entry_point = 'ledger:create_app()', config_file = 'config/local.cfg', "
            "post_deploy = ['flask --app ledger init-db']") in out
    assert "shared_paths lists 'venv/var/ledger-instance'" in out  # the instance folder's note, said again
    path.write_text("app = 'ledger'\n")  # a kept file that does not load is said so, in one line
    init(root)
    out = capsys.readouterr().out
    assert "note    the kept deploy config does not load: " in out and "entry_point" in out


def startproject(tmp_path: Path) -> Path:
    """The mysite fixture as a new user has it: `django-admin startproject mysite` plus an app (no packaging, no
    pytest config, settings that read no server config), after a collectstatic (staticfiles/)."""
    import shutil

    root = tmp_path / "mysite"
    shutil.copytree(FIXTURES / "mysite", root, ignore=shutil.ignore_patterns("pyproject.toml", "tests"))
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text().split('if os.environ.get("MYSITE_CONFIG")')[0])
    (root / "staticfiles/admin").mkdir(parents=True)
    (root / "staticfiles/admin/base.css").write_text("body {}\n")
    return root


def fixture_copy(tmp_path: Path, name: str) -> Path:
    import shutil

    if name == "startproject":
        return startproject(tmp_path)
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("deploy.toml", "tests"))
    return root


@pytest.mark.parametrize("name", sorted({p.name for p in FIXTURES.iterdir() if p.is_dir()} | {"startproject"}))
def test_every_deploy_toml_init_writes_is_toml_its_loader_takes(tmp_path, name):
    """Class: free text (notes, warnings, found commands, code to copy) written into a TOML file without its
    commenting per line. Each fixture project, and a plain startproject (whose settings note carries code lines)."""
    root = fixture_copy(tmp_path, name)
    init(root, out=lambda line: None)
    text = (root / "deploy.toml").read_text()
    tomllib.loads(text)
    load_config(root)
    if (root / "pyproject.toml").is_file():
        tomllib.loads((root / "pyproject.toml").read_text())


def test_free_text_and_values_with_line_breaks_stay_toml():
    from deploytests.init import Detected, deploy_toml

    d = Detected(name="x", app="x", entry_point="x:app", health_path="/a\n\"b\"\x7f",
                 notes=["two\nlines = 1", "[table]\r\nkey = 2"], drops_tables=["a\nb = 3"], default_instance="x",
                 post_deploy=["echo 'x'\ny = 1"])
    parsed = tomllib.loads(deploy_toml(d))
    assert parsed["health_path"] == "/a\n\"b\"\x7f" and "lines" not in parsed and "table" not in parsed
    assert set(parsed) == {"app", "entry_point", "health_path"}


def test_a_startproject_gets_packaging_that_builds_a_wheel_with_its_apps_files(tmp_path):
    import subprocess
    import sys
    import zipfile

    root = startproject(tmp_path)
    lines: list[str] = []
    init(root, out=lines.append)
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "mysite" and pyproject["project"]["dependencies"][0].startswith("django")
    assert pyproject["tool"]["setuptools"]["packages"]["find"]["include"] == [
        "guestbook", "guestbook.*", "mysite", "mysite.*"]
    assert any("to pyproject.toml: the project had no packaging" in line for line in lines), lines
    # plain `pytest` must not collect nothing: Django's tests run with manage.py; only the deploy tests are left out
    assert pyproject["tool"]["pytest"]["ini_options"] == {"addopts": "--ignore=tests/deploy"}
    assert any("python manage.py test" in line for line in lines), lines
    out = tmp_path / "wheel"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(out), str(root)], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PIP_NO_CACHE_DIR": "1", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    names = zipfile.ZipFile(next(out.glob("mysite-*.whl"))).namelist()
    for shipped in ("mysite/settings.py", "mysite/wsgi.py", "guestbook/migrations/0001_initial.py",
                    "guestbook/templates/guestbook/index.html"):
        assert shipped in names, names
    assert not any(n.startswith(("staticfiles/", "config/", "tests/")) for n in names), names


def test_a_pyproject_without_project_gets_the_packaging_added(tmp_path):
    root = startproject(tmp_path)
    (root / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    init(root, out=lambda line: None)
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["tool"]["black"] == {"line-length": 100} and pyproject["project"]["version"] == "0.1.0"
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    root2 = fixture_copy(tmp_path / "b", "mysite")  # packaged already: untouched
    before = (root2 / "pyproject.toml").read_text()
    init(root2, out=lambda line: None)
    assert tomllib.loads((root2 / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"] == [
        "mysite", "guestbook", "guestbook.migrations"] and (root2 / "pyproject.toml").read_text().startswith(before)


@pytest.mark.parametrize("route, refuses_post", [
    ('@bp.route("/health")', True), ('@bp.get("/health")', True),
    ('@bp.route("/health", methods=["GET", "HEAD"])', True),
    ('@bp.route("/health", methods=("GET", "POST"))', False), ('@bp.route("/hello")', False),  # no health route
])
def test_the_example_post_check_fits_the_route_init_found(tmp_path, route, refuses_post):
    root = fixture_copy(tmp_path, "flaskr")
    views = root / "flaskr/views.py"
    views.write_text(views.read_text().replace('@bp.route("/health")', route))
    init(root, out=lambda line: None)
    test = (root / "tests/deploy/test_deploy.py").read_text()
    assert ("status_code == 405" in test) == refuses_post, test
    assert refuses_post or "resp.status_code < 500" in test
    compile(test, "test_deploy.py", "exec")


class _Answer:
    """What ``deploy_http`` gives the generated checks: an answer of ``status`` with ``headers``."""

    def __init__(self, url, status, headers, text=""):
        from requests.structures import CaseInsensitiveDict

        self.url, self.status_code, self.headers, self.text = url, status, CaseInsensitiveDict(headers), text


@pytest.mark.parametrize("name", ["flaskr", "startproject"])
def test_the_example_checks_fail_in_one_line_naming_what_they_asked_and_got(tmp_path, name):
    """Class: a generated check whose failure does not say what it asked and what came back. A Flask release whose
    template names a static file no longer shipped failed init's static check with the answer's headers dict; a
    health answer from another release with a bare KeyError. Each generated check's line names the request, the
    answer and what was expected."""
    root = fixture_copy(tmp_path, name)
    init(root, out=lambda line: None)
    checks: dict = {}
    exec(compile((root / "tests/deploy/test_deploy.py").read_text(), "test_deploy.py", "exec"), checks)
    base = "http://127.0.0.1:8080"

    class Site:  # every GET: ``answer``; a POST: a 403 (Django's CSRF refusal)
        answer = _Answer(base + "/x", 404, {"Content-Type": "text/html"})

        def get(self, path):
            form = '<input name="csrfmiddlewaretoken" value="t">'
            return _Answer(base + path, self.answer.status_code, self.answer.headers, form)

        def post(self, path, data=None):
            return _Answer(base + path, 403, {}, "CSRF verification failed")

    site, server = Site(), type("Server", (), {"label": "docker://web-1"})()
    deployment = {"docker://web-1": type("Live", (), {"release_id": "20260101T000000Z-aaaaaaaa"})()}
    config = load_config(root)
    lines = {}
    for test, run in [("test_static_file_is_served_by_apache", lambda f: f(site)),
                      ("test_health_answers_from_the_deployed_release", lambda f: f(site, server, config, deployment)),
                      ("test_admin_login_form_posts_with_its_csrf_token", lambda f: f(site))]:
        if test in checks:
            Site.answer = _Answer(base, 200 if "health" in test or "admin" in test else 404,
                                  {"Content-Type": "text/html", "X-Deploy-Release": "20251231T000000Z-bbbbbbbb"})
            with pytest.raises(AssertionError) as info:
                run(checks[test])
            lines[test] = str(info.value).splitlines()[0]
    static = next(p for p in lines["test_static_file_is_served_by_apache"].split() if p.startswith(base))
    assert lines["test_static_file_is_served_by_apache"] == f"GET {static} -> 404: not a file of the static dir"
    assert lines["test_health_answers_from_the_deployed_release"] == (
        f"GET {base}{config.health_path} answered from release 20251231T000000Z-bbbbbbbb, not from the deployed "
        "20260101T000000Z-aaaaaaaa")
    assert name == "flaskr" or lines["test_admin_login_form_posts_with_its_csrf_token"] == (
        f"POST {base}/admin/login/ -> 403: 'CSRF verification failed'")


def test_a_django_project_without_the_admin_gets_no_admin_login_check(tmp_path):
    root = startproject(tmp_path)
    settings = root / "mysite/settings.py"
    settings.write_text(settings.read_text().replace('"django.contrib.admin",', ""))
    init(root, out=lambda line: None)
    test = (root / "tests/deploy/test_deploy.py").read_text()
    assert "/admin/login/" not in test and "resp.status_code < 500" in test
    compile(test, "test_deploy.py", "exec")


def test_flasks_tutorial_keeps_its_default_instance_folder_in_shared_without_a_code_change(tmp_path):
    """Class: a framework's documented layout that only deploys after a code change. Flask's tutorial factory makes
    its instance folder at Flask's default path and reads config.py from it; installed, that path is
    ``<release>/venv/var/flaskr-instance``. Init lists that path in shared_paths (each release links it to
    shared/, as any data dir) and installs the config there: nothing in the app changes."""
    root = fixture_copy(tmp_path, "flaskr")
    lines: list[str] = []
    init(root, out=lines.append)
    note = next(line for line in lines if line.startswith("  note    flaskr uses Flask's default instance folder"))
    assert "shared_paths lists 'venv/var/flaskr-instance'" in note and "/var/www/flaskr/shared/venv/var/" in note
    cfg = load_config(root)
    assert cfg.shared_paths == ("venv/var/flaskr-instance",)
    assert cfg.config_path == "/var/www/flaskr/shared/venv/var/flaskr-instance/config.py"
    assert "WARNING" not in "\n".join(lines) and "DATABASE" not in (root / "deploy.toml").read_text()
    assert gate_warnings(root) == []  # kept in shared/: nothing to repeat at every gate run
    (root / "deploy.toml").write_text((root / "deploy.toml").read_text().replace(
        'shared_paths   = ["venv/var/flaskr-instance"]', 'shared_paths   = ["instance"]'))
    assert "list 'venv/var/flaskr-instance' in deploy.toml's shared_paths" in gate_warnings(root)[0]


def django_polls(tmp_path: Path, root_urls: str, polls_urls: str) -> Path:
    return project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
        "mysite/__init__.py": "", "mysite/settings.py": 'ROOT_URLCONF = "mysite.urls"\n',
        "mysite/wsgi.py": "application = get_wsgi_application()\n", "mysite/urls.py": root_urls,
        "polls/__init__.py": "", "polls/apps.py": "", "polls/urls.py": polls_urls,
        "polls/api/__init__.py": "", "polls/api/urls.py": 'urlpatterns = [path("ping/", views.ping)]\n'})


ROOT_URLS = ('from django.urls import include, path\nurlpatterns = [\n    path("admin/", admin.site.urls),\n'
             '    path("polls/", include("polls.urls")),\n]\n')


def test_django_health_route_under_an_include_carries_its_prefix(tmp_path):
    """Class: init's guesses. path("health/", ...) in polls/urls.py, included under "polls/", is served at
    /polls/health/ (was written as /health/). Another member: two levels of include()s (a namespaced tuple)."""
    d = detect(django_polls(tmp_path / "a", ROOT_URLS, 'urlpatterns = [path("health/", views.health)]\n'))
    assert d.health_path == "/polls/health/" and not any("health_path" in n for n in d.notes), d.notes
    nested = ROOT_URLS.replace('include("polls.urls")', 'include(("polls.urls", "polls"), namespace="polls")')
    d = detect(django_polls(tmp_path / "b", nested, 'urlpatterns = [path("v1/", include("polls.api.urls"))]\n'))
    assert d.health_path == "/polls/v1/ping/", d.health_path


def test_django_health_route_whose_prefix_cannot_be_read_is_said_to_be_a_guess(tmp_path):
    root = django_polls(tmp_path, ROOT_URLS.replace('include("polls.urls")', "include(router.urls)"),
                        'urlpatterns = [path("health/", views.health)]\n')
    d = detect(root)
    assert d.health_path == "/health/"
    note = next(n for n in d.notes if "health_path" in n)
    assert note.startswith("health_path = '/health/' is a guess: a path('health/', ...) was found, but not through "
                           "the urls' include()s (include() under 'polls/' in mysite.urls names no module)"), note


def test_requirements_txt_reaches_the_dependencies_init_writes_or_is_warned_about(tmp_path, capsys):
    """Class: a hint that guesses without checking (a release missing `requests` blamed on entry_point). pack
    installs what the wheel declares, never requirements.txt: init carries its lines into the [project] it
    writes (Django without packaging), and warns for a project whose own [project] lacks some."""
    root = startproject(tmp_path / "dj")
    (root / "requirements.txt").write_text("# ours\nDjango>=5.0\nrequests==2.32.3  # http\n-r dev.txt\n")
    init(root, out=lambda line: None)
    project_table = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project_table["dependencies"] == ["Django>=5.0", "requests==2.32.3"]
    flask = project(tmp_path / "fl", {
        "pyproject.toml": '[project]\nname = "shop"\nversion = "1"\ndependencies = ["flask"]\n',
        "requirements.txt": "Flask==3.1\nrequests\npython_dateutil>=2\n",
        "src/shop/__init__.py": "from flask import Flask\napp = Flask(__name__)\n"})
    lines: list[str] = []
    init(flask, out=lines.append)
    warning = next(ln for ln in lines if "requirements.txt" in ln)
    assert warning.startswith("  WARNING requirements.txt lists requests, python_dateutil>=2, which "
                              "[project].dependencies of pyproject.toml does not"), warning


# The class: init reads the project only in the spelling of its examples (a package, a `*_CONFIG` name). What
# the build backends ship and what the code does are what count: each layout below is read the same way.
SHOUTBOX = '''\
import os
import tomllib


def load_settings():
    path = os.environ.get("{env}")
    if path:
        with open(path, "rb") as f:
            return tomllib.load(f)
    return {{}}


SETTINGS = load_settings()


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")  # the request's environ, not the process's: no config env var
    if path == "/healthz":
        start_response("200 OK", [])
        return [b"ok"]
    start_response("404 Not Found", [])
    return [b""]
'''


@pytest.mark.parametrize("module", ["src/shoutbox.py", "shoutbox.py", "src/shoutbox/__init__.py",
                                    "shoutbox/app.py"])
def test_a_plain_wsgi_app_is_read_in_every_layout_with_its_config_env_var_by_what_the_code_does(tmp_path, module):
    files = {"pyproject.toml": '[project]\nname = "shoutbox"\nversion = "1"\n',
             module: SHOUTBOX.format(env="SB_SETTINGS"), "tests/unit/test_x.py": "application = None\n",
             "manage.py": "application = None\n"}
    if module == "shoutbox/app.py":
        files["shoutbox/__init__.py"] = ""
    d = detect(project(tmp_path, files))
    dotted = module.removeprefix("src/").removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    assert (d.entry_point, d.framework, d.health_path, d.config_env) == (
        f"{dotted}:application", "wsgi", "/healthz", "SB_SETTINGS")
    assert not any(note.startswith("no WSGI app found") for note in d.notes), d.notes
    assert d.config_file == NEW_CONFIG  # the app reads a config file and the project has none: one is written


LOOK_CONFIG = ("import os\nimport pathlib\n\nclass Config:\n    def __init__(self):\n"
               "        self.storage_path = pathlib.Path(os.environ.get('LOOK_STORAGE_PATH', '/tmp/look'))\n"
               "        self.storage_path.mkdir(parents=True, exist_ok=True)\n")
LOOK_APP = ("import {fw}\n\nfrom .config import Config\n\n\ndef create_app(config=None):\n"
            "    config = config or Config()\n    app = {fw}.{cls}()\n    return app\n\n\n"
            "def get_app():\n    return create_app()\n")


# Class: a framework taken from a function's name, and a path env var taken for the config file's. Falcon's
# tutorial (look/app.py: create_app(config=None) and get_app(), falcon.App(); look/config.py: LOOK_STORAGE_PATH,
# a dir it mkdirs) got framework flask (flask>=3.1 written into its [project] dependencies, a config "in Flask's
# from_envvar Python syntax") and config_env = "LOOK_STORAGE_PATH": the deploy set it to the config file's path
# and the app's mkdir failed (FileExistsError). Other members: Bottle's create_app() (bottle.Bottle()), a data dir
# bound to a name (DATA = Path(os.getenv("DATA_DIR")); sqlite3.connect(DATA / "x.db")), and a config read through
# Path(...).read_text() and a bound name's .open() (still a config env).
@pytest.mark.parametrize("fw, cls", [("falcon", "App"), ("bottle", "Bottle")])
def test_a_create_app_of_another_framework_is_plain_wsgi_and_a_data_dir_env_is_no_config(tmp_path, fw, cls):
    root = project(tmp_path, {"look/__init__.py": "", "look/config.py": LOOK_CONFIG,
                              "look/app.py": LOOK_APP.format(fw=fw, cls=cls), "requirements.txt": f"{fw}\n"})
    d = detect(root)
    assert (d.framework, d.entry_point, d.config_env, d.config_file) == ("wsgi", "look.app:create_app()", "", ""), d
    assert any(n.startswith("it reads LOOK_STORAGE_PATH from the environment") for n in d.notes), d.notes
    init(root, out=lambda line: None)
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps == [fw], deps
    assert "flask" not in (root / "deploy.toml").read_text()


@pytest.mark.parametrize("code, env", [
    ('DATA = Path(os.getenv("DATA_DIR", "data"))\nDB = sqlite3.connect(DATA / "x.db")\n', ""),
    ('CONF = Path(os.environ["APP_CONF"]).read_text()\n', "APP_CONF"),
    ('where = os.environ.get("APP_CONF")\nconf = Path(where).resolve()\nwith conf.open() as f:\n    f.read()\n',
     "APP_CONF"),
])
def test_a_config_env_is_one_the_code_opens_not_one_it_builds_a_path_on(tmp_path, code, env):
    source = f"import os\nimport sqlite3\nfrom pathlib import Path\n{code}\n\ndef application(e, s):\n    pass\n"
    assert detect(project(tmp_path, {"box.py": source})).config_env == env


def test_an_env_var_read_but_never_opened_is_no_config_env(tmp_path):
    source = ('import os\nDEBUG = os.environ.get("SB_DEBUG") == "1"\nTITLE = os.getenv("SB_TITLE", "x")\n'
              'CONFIG = open(os.environ["SB_CONF"]).read()\n\ndef application(environ, start_response):\n'
              '    return [open(environ["PATH_INFO"]).read()]\n')
    d = detect(project(tmp_path, {"src/sb.py": source}))
    assert d.config_env == "SB_CONF"
    assert detect(project(tmp_path / "none", {"src/sb.py": source.replace('open(os.environ["SB_CONF"]).read()',
                                                                           '"x"')})).config_env == ""


def test_django_settings_reading_the_environment_are_told_what_init_saw(tmp_path):
    settings = ('import os\nSECRET_KEY = os.environ["DJ_KEY"]\nDEBUG = os.environ.get("DJ_DEBUG") == "1"\n'
                'ROOT_URLCONF = "site1.urls"\n')
    root = project(tmp_path, {"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
                              "site1/__init__.py": "", "site1/settings.py": settings,
                              "site1/wsgi.py": "application = None\n"})
    d = detect(root)  # DJ_KEY is a secret: the env file (config_as_env) carries both, no settings hook to add
    note = next(n for n in d.notes if n.startswith("it reads DJ_KEY, DJ_DEBUG from the environment, DJ_KEY a secret"))
    assert d.config_as_env and d.env_names == ["DJ_KEY", "DJ_DEBUG"] and "config_as_env = true" in note, note
    settings = settings.replace('os.environ["DJ_KEY"]', '"x"')  # no secret read: the hook, as before
    (root / "site1/settings.py").write_text(settings)
    note = next(n for n in detect(root).notes if n.startswith("site1/settings.py runs no config file"))
    assert "(it reads DJ_DEBUG from the environment" in note and "refuses a release" in note, note
    assert 'exec(Path(os.environ["SITE1_CONFIG"]).read_text())' in note



def test_django_from_the_environment_with_startprojects_database_is_told_it_lies_in_the_release(tmp_path):
    # Class: a setting init sees the servers cannot change. startproject's DATABASES (NAME = BASE_DIR /
    # 'db.sqlite3') with settings read from the environment: init chose an env file (config_as_env), which
    # cannot move the database, and said nothing; the deploy was then refused (unable to open database file).
    # Other member: a NAME read from a variable is placed by init (no note).
    db = ('from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n'
          'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n')
    settings = 'import os\nSECRET_KEY = os.environ.get("DJ_KEY")\nROOT_URLCONF = "site1.urls"\n' + db
    root = project(tmp_path, {"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
                              "site1/__init__.py": "", "site1/settings.py": settings,
                              "site1/wsgi.py": "application = None\n"})
    d = detect(root)
    note = [n for n in d.notes if "DATABASES' SQLite NAME is not read from the environment" in n]
    assert d.config_as_env and note and note[0].startswith("site1/settings.py:6: "), d.notes
    assert "/var/www/site1/shared/data/db.sqlite3" in note[0]
    (root / "site1/settings.py").write_text(settings.replace('BASE_DIR / "db.sqlite3"',
                                                             'os.environ.get("DJ_DB", BASE_DIR / "db.sqlite3")'))
    d = detect(root)
    assert not [n for n in d.notes if "SQLite NAME" in n] and d.env_values.get("DJ_DB") == \
        "/var/www/site1/shared/data/db.sqlite3", (d.notes, d.env_values)


COUNTER = '''import json
import os


def application(environ, start_response):
    with open(os.environ["COUNTER_SETTINGS"]) as f:
        name = json.load(f)["name"]
    start_response("200 OK", [])
    return [name.encode()]
'''


# Class: packaging assumed (init wrote it for Django only). A one-module plain WSGI project without packaging
# got no [project]; setuptools named its wheel after init's config/ dir and shipped no module. Other members:
# the module under src/, a package, a Flask module.
@pytest.mark.parametrize("files, shipped", [
    ({"counter.py": COUNTER}, "counter.py"),
    ({"src/counter.py": COUNTER}, "counter.py"),
    ({"counter/__init__.py": COUNTER, "counter/templates/a.html": "x"}, "counter/templates/a.html"),
    ({"counter.py": "from flask import Flask\napp = Flask(__name__)\n", "requirements.txt": "requests\n"},
     "counter.py"),
])
def test_a_project_without_packaging_gets_one_that_ships_its_entry_module(tmp_path, files, shipped):
    import subprocess
    import sys
    import zipfile

    root = project(tmp_path / "counter", files)
    lines: list[str] = []
    init(root, out=lines.append)
    assert (root / "config").is_dir() or "Flask" in str(files)  # what misled setuptools' discovery
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "counter", pyproject
    if "requirements.txt" in files:
        assert pyproject["project"]["dependencies"][0].startswith("flask") and "requests" in pyproject["project"][
            "dependencies"]
    assert any("to pyproject.toml: the project had no packaging" in line for line in lines), lines
    out = tmp_path / "wheel"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(out), str(root)], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PIP_NO_CACHE_DIR": "1", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    names = zipfile.ZipFile(next(out.glob("counter-*.whl"))).namelist()
    assert shipped in names and not any(n.startswith(("config/", "tests/")) for n in names), names


# Class: the config file init writes says the format of one reader (Flask's from_envvar: Python syntax) whatever
# reads it. A plain WSGI app reading TALLY_SETTINGS with configparser was told "Python syntax"; written so, the
# app cannot parse it. Other members: a JSON reader, a TOML reader; Flask's from_envvar keeps Python syntax.
@pytest.mark.parametrize("reader, fmt, example", [
    ("import configparser\np = configparser.ConfigParser()\np.read_file(open(os.environ['TALLY_SETTINGS']))\n",
     "INI (configparser)", "# [tally]\n# secret_key = change me"),
    ("import json\nconf = json.load(open(os.environ['TALLY_SETTINGS']))\n", "JSON (json.load)",
     '# {"secret_key": "change me"}'),
    ("import tomllib\nconf = tomllib.load(open(os.environ['TALLY_SETTINGS'], 'rb'))\n", "TOML",
     '# secret_key = "change me"'),
    ("from flask import Flask\napp = Flask(__name__)\napp.config.from_envvar('TALLY_SETTINGS')\n",
     'Python syntax (Flask\'s app.config.from_envvar("TALLY_SETTINGS"))',
     "  # random, made by init: these servers' own"),
])
def test_the_config_init_writes_names_the_format_the_app_reads(tmp_path, reader, fmt, example):
    import configparser

    source = "import os\n" + reader + "def application(e, s):\n    return []\n"
    root = project(tmp_path, {"tally/__init__.py": "", "tally/wsgi.py": source})
    init(root, out=lambda line: None)
    text = (root / NEW_CONFIG).read_text()
    assert f"in the format the\n# app reads: {fmt}" in text and text.endswith(example + "\n"), text
    if fmt.startswith("INI"):
        configparser.ConfigParser().read_string(text)  # comments only: the app reads it as it is


def test_a_post_deploy_init_did_not_find_is_written_as_an_example(tmp_path):
    # Class: a placeholder that reads like a finding. A Flask app whose schema command is `ensure-schema` got
    # "# post_deploy = [\"flask --app bookshelf init-db\"] # only if it keeps the data", as if init had found it.
    root = project(tmp_path, {"bookshelf/__init__.py": "from flask import Flask\ndef create_app():\n"
                              "    return Flask(__name__)\n"})
    init(root, out=lambda line: None)
    line = next(ln for ln in (root / "deploy.toml").read_text().splitlines() if ln.startswith("# post_deploy "))
    assert "init-db" in line and "an example (no such command found)" in line, line


BOTTLE = '''\
import bottle

app = bottle.Bottle()


@app.get("/ping")
def ping():
    return "pong"
'''


@pytest.mark.parametrize("files, entry, app", [
    # a PEP 420 namespace package under src/ (no acme/__init__.py): the app is named after the project, not
    # after the namespace every project of the company shares
    ({"src/acme/inventory/__init__.py": "", "src/acme/inventory/app.py": BOTTLE,
      "pyproject.toml": '[project]\nname = "acme-inventory"\nversion = "1"\n'}, "acme.inventory.app:app",
     "acme_inventory"),
    # a module of a subpackage, two levels down
    ({"shop/__init__.py": "", "shop/web/__init__.py": "", "shop/web/site.py": BOTTLE}, "shop.web.site:app", "shop"),
    # a single module at the top, as a PythonAnywhere or Heroku app keeps it (app.py + wsgi.py): the module's name
    # is a word many projects share ("app": /var/www/app, a system user "app"); the project names the app. Other
    # member: main.py, and a project naming itself in [project]
    ({"app.py": BOTTLE, "wsgi.py": "from app import app as application\n"}, "app:app", "project_dir"),
    ({"main.py": BOTTLE, "pyproject.toml": '[project]\nname = "Bean-Counter"\nversion = "1"\n'}, "main:app",
     "bean_counter"),
])
def test_app_in_a_namespace_package_or_a_subpackage_is_found(tmp_path, files, entry, app):
    d = detect(project(tmp_path / "project-dir", files))
    assert (d.entry_point, d.app, d.health_path) == (entry, app, "/ping")
    assert not any("no WSGI app found" in n for n in d.notes)


def test_a_flat_layout_folder_without_init_is_not_code(tmp_path):
    root = project(tmp_path, {"scripts/tool/run.py": "app = 1\n", "site_app/__init__.py": "",
                              "site_app/web.py": BOTTLE})
    assert detect(root).entry_point == "site_app.web:app"


PYRAMID_INIT = '''\
from pyramid.config import Configurator


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.add_route("health", "/healthz")
        config.scan()
    return config.make_wsgi_app()
'''
PASTE_INI = "[app:main]\nuse = egg:tutorial\n\n[server:main]\nuse = egg:waitress#main\n"


def test_pyramid_paste_factory_gets_a_wsgi_module_reading_the_production_ini(tmp_path):
    # Pyramid's starter layout: main(global_config, **settings), a paste.app_factory entry point in setup.py,
    # development.ini and production.ini: no module-level WSGI callable exists until the ini's settings are read
    root = project(tmp_path, {
        "setup.py": "from setuptools import setup\nsetup(name='tutorial', entry_points={\n"
                    "    'paste.app_factory': [\n        'main = tutorial:main',\n    ],\n})\n",
        "tutorial/__init__.py": PYRAMID_INIT, "tutorial/static/theme.css": "",
        "development.ini": PASTE_INI, "production.ini": PASTE_INI})
    assert init(root, out=lambda *a: None) >= 5
    cfg = load_config(root)
    assert (cfg.entry_point, cfg.config_env, cfg.config_path, cfg.health_path) == (
        "tutorial.wsgi:make_wsgi_app()", "TUTORIAL_CONFIG", "/var/www/tutorial/shared/production.ini", "/healthz")
    assert cfg.config_file == root / "production.ini" and dict(cfg.static) == {"/static": "tutorial/static"}
    wsgi = (root / "tutorial/wsgi.py").read_text()
    assert 'get_app(ini_path, "main")' in wsgi and 'os.environ["TUTORIAL_CONFIG"]' in wsgi
    # Pyramid's config.scan() imports every module of the package, in the developer's runs and unit tests too:
    # importing it without the servers' environment must do nothing (it raised KeyError: 'TUTORIAL_CONFIG')
    namespace: dict = {}
    exec(compile(wsgi, "wsgi.py", "exec"), namespace)
    assert callable(namespace["make_wsgi_app"])


def test_plain_pastedeploy_app_from_pyproject_entry_points_in_a_src_layout(tmp_path):
    root = project(tmp_path, {
        "pyproject.toml": '[project]\nname = "hello"\nversion = "1"\n\n'
                          '[project.entry-points."paste.app_factory"]\nmain = "hello.app:make"\n',
        "src/hello/__init__.py": "", "src/hello/app.py": "def make(global_config, **settings):\n    pass\n",
        "deploy.ini": PASTE_INI, "development.ini": PASTE_INI})
    d = detect(root)
    assert (d.entry_point, d.config_file, d.config_path) == (
        "hello.wsgi:make_wsgi_app()", "deploy.ini", "/var/www/hello/shared/deploy.ini")
    assert d.written_module[0] == "src/hello/wsgi.py" and 'loadapp("config:" + ini_path)' in d.written_module[1]
    namespace: dict = {}
    exec(compile(d.written_module[1], "wsgi.py", "exec"), namespace)  # importing it does nothing
    assert callable(namespace["make_wsgi_app"])


ENV_FLASK = '''\
import os

from flask import Flask


def create_app():
    app = Flask(__name__)
    app.config.from_prefixed_env()
    app.config.setdefault("DATABASE", os.environ.get("SHORTY_DATABASE", "shorty.sqlite"))
    return app
'''
ENV_BOTTLE = "import os\nimport bottle\n\nTOKEN = os.environ['API_TOKEN']\napp = bottle.Bottle()\n"
ENV_DJANGO = ("import os\n\nfrom .base import *  # noqa\n\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n"
              "DB = os.environ.get('DJANGO_DB_PATH')\n")


@pytest.mark.parametrize("files, names", [
    ({"src/shorty/__init__.py": ENV_FLASK}, ["FLASK_SECRET_KEY", "SHORTY_DATABASE"]),  # Flask's from_prefixed_env
    # a prefix of the app's own: it reads SHORTY_SECRET_KEY, not FLASK_SECRET_KEY
    ({"src/shorty/__init__.py": ENV_FLASK.replace("from_prefixed_env()", 'from_prefixed_env("SHORTY")')},
     ["SHORTY_SECRET_KEY", "SHORTY_DATABASE"]),
    ({"src/shorty/__init__.py": ENV_FLASK.replace("from_prefixed_env()", "from_prefixed_env(prefix='SHORTY')")},
     ["SHORTY_SECRET_KEY", "SHORTY_DATABASE"]),
    ({"svc/__init__.py": "", "svc/web.py": ENV_BOTTLE}, ["API_TOKEN"]),  # a plain WSGI app's token
    ({"manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n",
      "mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/base.py": "DEBUG = False\n",
      "mysite/settings/dev.py": "from .base import *\n", "mysite/settings/prod.py": ENV_DJANGO,
      "mysite/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.prod')\n"
                        "application = 1\n"}, ["DJANGO_SECRET_KEY", "DJANGO_DB_PATH"]),  # split Django settings
])
def test_an_app_reading_its_secrets_from_the_environment_gets_an_env_file_config(tmp_path, files, names):
    root = project(tmp_path, files)
    init(root, out=lambda *a: None)
    cfg = load_config(root)
    assert cfg.config_as_env and cfg.config_file == root / "config/deploy.env"
    text = (root / "config/deploy.env").read_text()
    assert re.findall(r"(?m)^(?:# )?([A-Z_][A-Z0-9_]*)=", text) == names  # every variable the code reads
    from deploytests.pipeline.programs.spawn import env_lines

    assert [n for n, _ in env_lines((root / "config/deploy.env").read_text())] == names[:1]  # secrets, not commented


def test_an_app_reading_only_plain_settings_from_the_environment_keeps_deploy_toml_env(tmp_path):
    root = project(tmp_path, {"look/__init__.py": "import os\nimport falcon\nDIR = os.environ['LOOK_STORAGE_PATH']\n"
                                                  "app = falcon.App()\n"})
    d = detect(root)
    assert not d.config_as_env and any("it reads LOOK_STORAGE_PATH from the environment" in n for n in d.notes)


# Class: the runner's build step runs the servers' settings, which need the servers' environment. A Django
# production.py reading os.environ["DJANGO_SECRET_KEY"] (config_as_env) made pack's collectstatic fail with
# KeyError on the runner. Members: split settings sharing base.py's STATIC_ROOT (built with manage.py's), one
# settings module (a note saying to read the secret with .get).
@pytest.mark.parametrize("split", [True, False])
def test_collectstatic_of_env_configured_settings_runs_without_the_servers_environment(tmp_path, split):
    base = "from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\n" \
           "STATIC_URL = 'static/'\nSTATIC_ROOT = BASE_DIR / 'staticfiles'\n"
    files = {"mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/base.py": base,
             "mysite/settings/dev.py": "from .base import *\n", "mysite/settings/prod.py": ENV_DJANGO}
    served = "mysite.settings.prod"
    developer = "mysite.settings.dev" if split else served
    files["manage.py"] = f"os.environ.setdefault('DJANGO_SETTINGS_MODULE', '{developer}')\n"
    files["mysite/wsgi.py"] = f"os.environ.setdefault('DJANGO_SETTINGS_MODULE', '{served}')\napplication = 1\n"
    d = detect(project(tmp_path, files))
    assert d.config_as_env and d.static == {"/static": "staticfiles"}
    if split:
        assert d.build == ["python manage.py collectstatic --noinput --settings mysite.settings.dev"]
    else:
        assert d.build == ["python manage.py collectstatic --noinput"]
        assert any("read its secrets with os.environ.get(...)" in n for n in d.notes)


# Class: a module of the app's own code taken for its config file. A Django project started as `startproject
# config .` (cookiecutter-django's layout: the settings, urls and wsgi.py in a `config/` package) got
# config_file = "config/asgi.py": the servers would have been given a module of the app as their settings, and a
# new config would have been written into that package (shipped with it by a backend that packs every file).
# Other members: a Flask app whose `config/` package holds its config classes (from_envvar beside
# from_object), an `etc/` package of a plain WSGI app, and the env file of settings read from the environment.
CONFIG_PKG_SETTINGS = ('import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\n'
                       'INSTALLED_APPS = ["photos"]\nSTATIC_URL = "static/"\nSTATIC_ROOT = BASE_DIR / "staticfiles"\n')


def test_a_package_named_config_is_code_not_a_config_dir(tmp_path):
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n',
        "config/__init__.py": "", "config/settings.py": CONFIG_PKG_SETTINGS,
        "config/asgi.py": "application = get_asgi_application()\n", "config/urls.py": "urlpatterns = []\n",
        "config/wsgi.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n'
                          "application = get_wsgi_application()\n",
        "photos/__init__.py": "", "photos/models.py": ""})
    d = detect(root)
    assert d.new_config and not d.config_file.startswith("config/"), d.config_file
    init(root, out=lambda line: None)
    assert (root / d.config_file).is_file() and not (root / "config/deploy.cfg").exists()
    assert load_config(root).config_file == root / d.config_file


@pytest.mark.parametrize("files, expected", [
    ({"config/__init__.py": "class Config:\n    DEBUG = False\n", "config/production.py": "SECRET_KEY = 1\n",
      "notes/__init__.py": FACTORY, "conf/notes.cfg": "SECRET_KEY = 'x'\n"}, "conf/notes.cfg"),
    ({"etc/__init__.py": "", "etc/defaults.py": "X = 1\n",
      "hello/__init__.py": "", "hello/wsgi.py": 'import os\nCFG = open(os.environ["HELLO_CONF"]).read()\n'
                                                "def application(environ, start_response):\n    pass\n"}, None),
    ({"config/__init__.py": "", "config/base.py": "X = 1\n",
      "hello/__init__.py": "", "hello/wsgi.py": 'import os\nTOKEN = os.environ["API_TOKEN"]\n'
                                                "def application(environ, start_response):\n    pass\n"}, None),
])
def test_no_module_of_the_project_is_taken_for_its_config(tmp_path, files, expected):
    root = project(tmp_path, files)
    d = detect(root)
    assert d.config_file and not d.config_file.endswith(".py"), d.config_file
    if expected:
        assert (d.config_file, d.new_config) == (expected, False)
    else:
        assert d.new_config and not (root / d.config_file).parent.joinpath("__init__.py").exists(), d.config_file
        init(root, out=lambda line: None)
        assert (root / d.config_file).is_file()


# Class: the servers' Django settings chosen by the environment, as Django's deployment docs do
# (DJANGO_SETTINGS_MODULE set on the server), so that neither manage.py nor wsgi.py names them. init gave the
# servers the developer's settings (DEBUG = True, startproject's insecure SECRET_KEY) and told to add the config
# hook there, though the project has production settings built on them. Other members: settings_production.py
# beside settings.py, production_settings.py importing the settings absolutely, prod.py in a settings package
# built on its __init__; two candidates are no choice (a note names them).
@pytest.mark.parametrize("files, served", [
    ({"config/settings_production.py": 'import os\nfrom .settings import *\nDEBUG = False\n'
                                       'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n'}, "config.settings_production"),
    ({"config/production_settings.py": "from config.settings import *  # noqa\nDEBUG = False\n"},
     "config.production_settings"),
    ({"config/settings_prod.py": "from .settings import *\n", "config/settings_production.py":
      "from .settings import *\n"}, "config.settings"),
])
def test_django_servers_settings_chosen_by_the_environment(tmp_path, files, served):
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n',
        "config/__init__.py": "", "config/settings.py": CONFIG_PKG_SETTINGS, "config/urls.py": "urlpatterns = []\n",
        "config/wsgi.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n'
                          "application = get_wsgi_application()\n", **files})
    d = detect(root)
    assert d.env == {"DJANGO_SETTINGS_MODULE": served}, d.notes
    if served == "config.settings":
        assert any("config.settings_prod, config.settings_production" in n for n in d.notes), d.notes
    else:
        assert any(n.startswith(f"DJANGO_SETTINGS_MODULE = {served!r}") for n in d.notes), d.notes
        assert d.static == {"/static": "staticfiles"}
    if "DJANGO_SECRET_KEY" in str(files):  # read from the environment: the env file, built with manage.py's
        assert d.config_as_env and d.build == ["python manage.py collectstatic --noinput --settings config.settings"]


def test_django_settings_in_a_package_chosen_by_the_environment(tmp_path):
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
        "mysite/__init__.py": "", "mysite/settings/__init__.py": CONFIG_PKG_SETTINGS.replace(".parent\n",
                                                                                          ".parent.parent\n"),
        "mysite/settings/prod.py": "from . import *  # noqa\nDEBUG = False\n",
        "mysite/wsgi.py": "application = get_wsgi_application()\n"})
    d = detect(root)
    assert d.env == {"DJANGO_SETTINGS_MODULE": "mysite.settings.prod"}, d.notes
    assert d.static == {"/static": "staticfiles"}


# Class: URLs the development server answers that nothing answers on the servers. Uploads (MEDIA_ROOT) live in
# shared/media, which Apache may not read, and Django's static() helper serves nothing when DEBUG is False:
# every uploaded file's URL was a 404 on the servers, and neither init nor the docs said so. Other member: a
# project publishing MEDIA_URL with no route for it at all. A project without MEDIA_URL gets no note.
@pytest.mark.parametrize("urls, media", [
    ("urlpatterns = [] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)\n", True),
    ("urlpatterns = []\n", True),
    ("urlpatterns = []\n", False),
])
def test_django_uploads_are_said_to_need_a_view(tmp_path, urls, media):
    settings = CONFIG_PKG_SETTINGS + ('MEDIA_URL = "media/"\nMEDIA_ROOT = BASE_DIR / "media"\n' if media else "")
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
        "site1/__init__.py": "", "site1/settings.py": settings, "site1/urls.py": urls,
        "site1/wsgi.py": "application = get_wsgi_application()\n"})
    notes = [n for n in detect(root).notes if "MEDIA_URL" in n]
    assert bool(notes) == media, notes
    if media:
        assert "/media/" in notes[0] and "django.views.static.serve" in notes[0], notes
        assert ("static(settings.MEDIA_URL" in notes[0]) == ("static(" in urls), notes


# Class: environment variables that place the app's data, left blank in the env file init writes. gallery's
# production settings read MEDIA_ROOT and the SQLite database's NAME from GALLERY_MEDIA_ROOT and GALLERY_DB
# (defaults inside BASE_DIR: on the servers, the release's venv); init wrote "# GALLERY_DB=" and
# "# GALLERY_MEDIA_ROOT=", so a deploy as written put the database where the app user cannot write and each
# release would start empty. Other members: os.getenv in the database's NAME, a subscript read for MEDIA_ROOT;
# a PostgreSQL NAME (a database's name, not a path) stays commented.
@pytest.mark.parametrize("db, media, engine, expected", [
    ('os.environ.get("GALLERY_DB", str(BASE_DIR / "db.sqlite3"))', 'os.environ.get("GALLERY_MEDIA", "m")',
     "sqlite3", {"GALLERY_DB": "/var/www/site1/shared/data/db.sqlite3",
                 "GALLERY_MEDIA": "/var/www/site1/shared/media"}),
    ('os.getenv("DB_FILE")', 'os.environ["MEDIA_DIR"]', "sqlite3",
     {"DB_FILE": "/var/www/site1/shared/data/db.sqlite3", "MEDIA_DIR": "/var/www/site1/shared/media"}),
    ('os.environ["PG_NAME"]', '"/srv/media"', "postgresql", {}),
])
def test_env_file_places_the_apps_data_in_shared(tmp_path, db, media, engine, expected):
    settings = (CONFIG_PKG_SETTINGS + f'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nMEDIA_ROOT = {media}\n'
                f'DATABASES = {{"default": {{"ENGINE": "django.db.backends.{engine}", "NAME": {db}}}}}\n')
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
        "site1/__init__.py": "", "site1/settings.py": settings,
        "site1/wsgi.py": "application = get_wsgi_application()\n"})
    init(root, out=lambda line: None)
    d = detect(root)
    text = (root / d.config_file).read_text()
    for name, value in expected.items():
        assert f"\n{name}={value}\n" in text, text
    for name in {"GALLERY_DB", "DB_FILE", "PG_NAME", "MEDIA_DIR", "GALLERY_MEDIA"} & set(d.env_names) - set(expected):
        assert f"\n# {name}=\n" in text, text
    assert re.search(r"\nDJANGO_SECRET_KEY=[\w-]{60,}\n", text), text


# Class: environment variables that place the app's data, left for the user to find (newuser10's F9 closed it for
# Django's MEDIA_ROOT and SQLite NAME only). A plain WSGI guestbook writing its SQLite file and a log under
# GUESTBOOK_DATA_DIR (default "data": on the servers, relative to the release dir, which every release replaces)
# got only a note "give each in deploy.toml's env" and no shared path. Members: a data dir made and written under
# (plain WSGI), a variable naming the SQLite file itself, a Flask DATABASE config key read from the environment and
# connected to in another module, Flask's instance_path from the environment, a Flask-SQLAlchemy sqlite URL
# default, and the env file's line when the app also reads a secret; a template dir only read, and a PostgreSQL
# URL, are no data places.
GUESTBOOK = '''import os, sqlite3
DATA_DIR = os.environ.get("GUESTBOOK_DATA_DIR", "data")
def _db():
    os.makedirs(DATA_DIR, exist_ok=True)
    return sqlite3.connect(os.path.join(DATA_DIR, "guestbook.sqlite3"))
def application(environ, start_response):
    with open(os.path.join(DATA_DIR, "posts.log"), "a") as log:
        log.write("x")
    with open(os.path.join(os.environ.get("GUESTBOOK_TEMPLATES", "t"), "page.html")) as f:
        return [f.read().encode()]
'''
FLASK_DB = '''import os, sqlite3
from flask import Flask, current_app
def create_app():
    app = Flask(__name__, instance_path={instance})
    app.config.from_mapping(SECRET_KEY="dev", DATABASE=os.environ.get("SHOP_DATABASE", os.path.join(
        app.instance_path, "shop.sqlite")), SQLALCHEMY_DATABASE_URI=os.environ.get("SHOP_DB_URL", {url!r}))
    return app
'''
SHOP_DB = ('import sqlite3\nfrom flask import current_app\ndef get_db():\n'
           '    return sqlite3.connect(current_app.config["DATABASE"])\n')


@pytest.mark.parametrize("files, env", [
    ({"guestbook.py": GUESTBOOK}, {"GUESTBOOK_DATA_DIR": "/var/www/guestbook/shared/data"}),
    ({"quotes.py": 'import os, sqlite3\nDB = os.environ["QUOTES_DB"]\napplication = None\n'
                   'def store():\n    return sqlite3.connect(DB)\n'},
     {"QUOTES_DB": "/var/www/quotes/shared/data/quotes.sqlite3"}),
    ({"shop/__init__.py": FLASK_DB.format(instance='os.environ.get("SHOP_INSTANCE", os.path.abspath("instance"))',
                                          url="sqlite:///shop.db"), "shop/db.py": SHOP_DB},
     {"SHOP_INSTANCE": "/var/www/shop/shared/instance", "SHOP_DATABASE": "/var/www/shop/shared/data/shop.sqlite",
      "SHOP_DB_URL": "sqlite:////var/www/shop/shared/data/shop.db"}),
    ({"shop/__init__.py": FLASK_DB.format(instance='os.path.abspath("instance")', url="postgresql://db/shop"),
      "shop/db.py": SHOP_DB}, {"SHOP_DATABASE": "/var/www/shop/shared/data/shop.sqlite"}),
])
def test_deploy_toml_env_places_the_apps_data_in_shared(tmp_path, files, env):
    root = project(tmp_path / Path(next(iter(files))).stem, files)  # its dir named as its module
    init(root, out=lambda line: None)
    config = load_config(root)
    assert config.env_vars == env
    assert "data" in config.shared_paths
    assert all(not value.startswith("/var/www/") or value.startswith(f"/var/www/{config.app}/shared/")
               for value in env.values())


def test_a_system_variable_is_never_placed(tmp_path):
    """HOME (deploytests sets it: env may not hold it, and deploy.toml would not load), TMPDIR and XDG_* (every
    library's, not the app's) are the system's; only the app's own variable is placed."""
    source = ('import os, sqlite3\nCACHE = os.path.join(os.environ["HOME"], ".cache", "gb")\n'
              'TMP = os.environ.get("TMPDIR", "/tmp")\nXDG = os.environ.get("XDG_DATA_HOME", "x")\n'
              'os.makedirs(CACHE, exist_ok=True)\nos.makedirs(TMP, exist_ok=True)\nos.makedirs(XDG, exist_ok=True)\n'
              'DB = sqlite3.connect(os.environ.get("GB_DB", "gb.sqlite3"))\napplication = None\n')
    root = project(tmp_path / "gb", {"gb.py": source})
    init(root, out=lambda line: None)
    assert load_config(root).env_vars == {"GB_DB": "/var/www/gb/shared/data/gb.sqlite3"}


def test_env_file_of_a_plain_wsgi_app_places_its_data_dir(tmp_path):
    source = GUESTBOOK.replace("def application", 'TOKEN = os.environ["GUESTBOOK_TOKEN"]\ndef application')
    root = project(tmp_path / "guestbook", {"guestbook.py": source})
    init(root, out=lambda line: None)
    config = load_config(root)
    text = (root / config.config_file).read_text()
    assert config.config_as_env and "\nGUESTBOOK_DATA_DIR=/var/www/guestbook/shared/data\n" in text, text
    assert "\n# GUESTBOOK_TEMPLATES=\n" in text and "data" in config.shared_paths


# The same class, placed by a constant instead of a variable: a relative dir the app writes in is its working dir's
# (the release dir's) and works once listed in shared_paths (linked there); a file written straight into the
# working dir, or next to the code (__file__: inside the release's venv on the servers), cannot be linked: a note.
@pytest.mark.parametrize("code, shared, note", [
    ('os.makedirs("data", exist_ok=True)\nDB = sqlite3.connect("data/q.db")\n', ["data"], None),
    ('DB = sqlite3.connect(Path("uploads") / "q.db")\n', ["uploads"], None),
    ('DB = sqlite3.connect("q.db")\n', [], "writes q.db in its working dir (the release dir"),
    ('HERE = os.path.dirname(os.path.abspath(__file__))\nDB = sqlite3.connect(os.path.join(HERE, "q.db"))\n', [],
     "writes q.db next to its own code (__file__): on the servers inside the release's venv"),
])
def test_a_constant_data_path_is_a_shared_path_or_a_note(tmp_path, code, shared, note):
    source = f"import os, sqlite3\nfrom pathlib import Path\n{code}application = None\n"
    d = detect(project(tmp_path, {"q.py": source}))
    assert d.shared_paths == shared and not d.env
    written = [n for n in d.notes if n.startswith("it writes ")]
    assert (len(written) == 1 and note in written[0]) if note else not written, d.notes


# The same class for a project whose deploy.toml was written before init placed its data (or by hand): the gate's
# header says which variable places the app's data and is set neither in deploy.toml's env nor in its env file,
# at every run, as it repeats init's instance-folder warning. A default that is an absolute path is the
# developer's choice of a server location: neither placed by init nor warned about.
def test_the_gate_header_names_a_data_variable_deploy_toml_leaves_unset(tmp_path):
    from deploytests.init import gate_warnings

    root = project(tmp_path / "guestbook", {"guestbook.py": GUESTBOOK})
    init(root, out=lambda line: None)
    assert gate_warnings(root) == []  # as init wrote it
    toml = root / "deploy.toml"
    toml.write_text(re.sub(r"(?m)^env .*\n", "", toml.read_text()))
    (line,) = gate_warnings(root)
    assert line.startswith("WARNING GUESTBOOK_DATA_DIR places the app's data") and \
        "set GUESTBOOK_DATA_DIR = \"/var/www/guestbook/shared/data\" in deploy.toml's env" in line, line
    absolute = project(tmp_path / "abs", {"gb.py": GUESTBOOK.replace('"GUESTBOOK_DATA_DIR", "data"',
                                                                     '"GUESTBOOK_DATA_DIR", "/srv/gb"')})
    init(absolute, out=lambda line: None)
    assert load_config(absolute).env_vars == {} and gate_warnings(absolute) == []


def test_the_gate_header_reads_the_env_file_for_a_data_variable(tmp_path):
    from deploytests.init import gate_warnings

    source = GUESTBOOK.replace("def application", 'TOKEN = os.environ["GUESTBOOK_TOKEN"]\ndef application')
    root = project(tmp_path, {"guestbook.py": source})
    init(root, out=lambda line: None)
    assert gate_warnings(root) == []
    env_file = root / load_config(root).config_file
    env_file.write_text(env_file.read_text().replace("\nGUESTBOOK_DATA_DIR=", "\n# GUESTBOOK_DATA_DIR="))
    (line,) = gate_warnings(root)
    assert "in deploy.toml's env file" in line, line


# Class: a value init follows through names and config keys but not through a function's parameters (newuser11's
# open gap): a plain WSGI pastebin built by a factory create_app(settings_path, upload_dir), called at module level
# with two environment reads, got entry_point "create_app()" (a factory that needs two arguments: the release check
# fails on a TypeError), PASTEBIN_SETTINGS "read, not as a config file it opens" (it is: configparser reads it in
# another function) and PASTEBIN_UPLOADS left to the user (save_upload(upload_dir, ...) makes and writes it). Members:
# positional and keyword arguments, a parameter passed on to another function, a class whose __init__ keeps the
# value on self, a parameter's own default, the config file read through a parameter.
PASTEBIN_STORAGE = '''import os
def save_upload(upload_dir, name, data):
    os.makedirs(upload_dir, exist_ok=True)
    with open(os.path.join(upload_dir, name), "wb") as f:
        f.write(data)
'''
PASTEBIN_WSGI = '''import configparser, os
from .storage import save_upload
def load_settings(path):
    parser = configparser.ConfigParser()
    parser.read(path)
    return parser
def create_app(settings_path, upload_dir):
    settings = load_settings(settings_path)
    def application(environ, start_response):
        save_upload(upload_dir, "x.txt", b"x")
        return [b""]
    return application
{call}
'''


@pytest.mark.parametrize("call", [
    'application = create_app(os.environ["PASTEBIN_SETTINGS"], os.environ.get("PASTEBIN_UPLOADS", "uploads"))',
    'application = create_app(upload_dir=os.environ.get("PASTEBIN_UPLOADS", "uploads"),\n'
    '                         settings_path=os.environ["PASTEBIN_SETTINGS"])',
])
def test_values_are_followed_through_function_parameters(tmp_path, call):
    root = project(tmp_path, {"pyproject.toml": '[project]\nname = "pastebin"\nversion = "1"\n',
                              "pastebin/__init__.py": "", "pastebin/storage.py": PASTEBIN_STORAGE,
                              "pastebin/wsgi.py": PASTEBIN_WSGI.format(call=call)})
    d = detect(root)
    assert d.entry_point == "pastebin.wsgi:application"
    assert d.config_env == "PASTEBIN_SETTINGS" and d.config_format[0].startswith("INI"), d.config_format
    assert d.env == {"PASTEBIN_UPLOADS": "/var/www/pastebin/shared/data"} and "data" in d.shared_paths, d


@pytest.mark.parametrize("code, env, shared", [
    # a class keeping the value on self
    ('class Store:\n    def __init__(self, root):\n        self.root = root\n'
     '    def put(self, data):\n        os.makedirs(self.root, exist_ok=True)\n'
     'STORE = Store(os.environ.get("UP_DIR", "up"))\n', {"UP_DIR": "/var/www/q/shared/data"}, ["data"]),
    # a parameter passed on to another function
    ('def inner(where):\n    return sqlite3.connect(where)\ndef outer(db):\n    return inner(db)\n'
     'CONN = outer(os.environ.get("Q_DB", "q.sqlite3"))\n', {"Q_DB": "/var/www/q/shared/data/q.sqlite3"}, ["data"]),
    # a parameter's own default: a constant dir
    ('def save(data, dest="uploads"):\n    os.makedirs(dest, exist_ok=True)\n', {}, ["uploads"]),
])
def test_data_places_through_parameters(tmp_path, code, env, shared):
    d = detect(project(tmp_path / "q", {"q.py": f"import os, sqlite3\n{code}application = None\n"}))
    assert d.env == env and d.shared_paths == shared, (d.env, d.shared_paths, d.notes)


def test_a_factory_that_needs_arguments_is_no_entry_point(tmp_path):
    """A create_app() whose parameters have defaults is the entry; one that needs arguments is not callable as
    ``create_app()``: the module-level app it builds is."""
    code = 'def create_app(config):\n    return None\napp = create_app("x")\n'
    assert detect(project(tmp_path, {"site.py": code})).entry_point == "site:app"
    code = 'def create_app(config=None):\n    return None\n'
    assert detect(project(tmp_path / "b", {"site.py": code})).entry_point == "site:create_app()"


# Class: a setting Django needs to serve at all, read from the environment, left commented in the env file init
# writes (newuser12: the tutorial's settings split for production read ALLOWED_HOSTS from DJANGO_ALLOWED_HOSTS; init
# wrote "# DJANGO_ALLOWED_HOSTS=", every request of the gate got 400). The gate's requests send Host: server_name
# (localhost by default): that is the value. Members: a comma split, a whitespace split, a one-element list.
@pytest.mark.parametrize("hosts, var", [
    ('os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")', "DJANGO_ALLOWED_HOSTS"),
    ('os.environ["HOSTS"].split()', "HOSTS"),
    ('[os.getenv("SITE_HOST")]', "SITE_HOST"),
])
def test_env_file_allows_the_host_the_gate_sends(tmp_path, hosts, var):
    settings = (CONFIG_PKG_SETTINGS + f'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\nALLOWED_HOSTS = {hosts}\n')
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
        "site1/__init__.py": "", "site1/settings.py": settings,
        "site1/wsgi.py": "application = get_wsgi_application()\n"})
    init(root, out=lambda line: None)
    text = (root / detect(root).config_file).read_text()
    assert f"\n{var}=localhost\n" in text, text


# The same class for a value read from the app's own config file (the other half of newuser11's gap): the pastebin
# reads its database path from its INI file ([storage] database, fallback "pastes.sqlite3": the release dir on the
# servers) and init wrote a config file with a generic "# [pastebin] / # secret_key" example. A key the code reads
# through configparser and writes at is written into the config init makes, at its place in shared/. Members:
# .get(section, key, fallback=...), parser[section][key], a parser returned by a function of the project; a dict's
# .get("A", "b") is no config key.
@pytest.mark.parametrize("read, make, expected", [
    ('settings.get("storage", "database", fallback="pastes.sqlite3")', "sqlite3.connect(where)",
     "[storage]\ndatabase = /var/www/pastebin/shared/data/pastes.sqlite3\n"),
    ('settings["storage"]["upload_dir"]', "os.makedirs(where, exist_ok=True)",
     "[storage]\nupload_dir = /var/www/pastebin/shared/data\n"),
])
def test_a_config_file_key_the_app_writes_at_is_placed_in_the_config_init_writes(tmp_path, read, make, expected):
    code = ('import configparser, os, sqlite3\ndef load(path):\n    p = configparser.ConfigParser()\n    p.read(path)\n'
            f'    return p\nsettings = load(os.environ["PASTEBIN_SETTINGS"])\nwhere = {read}\n{make}\n'
            'OTHER = {"A": "b"}.get("A", "b.sqlite3")\nsqlite3.connect(OTHER)\napplication = None\n')
    root = project(tmp_path / "pastebin", {"pastebin.py": code})
    init(root, out=lambda line: None)
    config = load_config(root)
    text = (root / config.config_file).read_text()
    assert expected in text and "data" in config.shared_paths and not config.env_vars, (text, config.env_vars)


# Class: a health path init writes without checking it against the routes it read (newuser12): Django's tutorial
# (polls/ and admin/ only) got health_path "/" (404), a Flask factory whose health route is in a blueprint registered
# with url_prefix="/api" got "/health" (404). Members: Django's first view without arguments through include(), a
# Flask blueprint's prefix at register_blueprint(), and at Blueprint(...).
def test_django_without_a_health_route_gets_its_first_view_without_arguments(tmp_path):
    root = project(tmp_path, {
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n',
        "site1/__init__.py": "", "site1/settings.py": CONFIG_PKG_SETTINGS + 'ROOT_URLCONF = "site1.urls"\n',
        "site1/urls.py": 'urlpatterns = [path("admin/", admin.site.urls), path("polls/", include("polls.urls"))]\n',
        "site1/wsgi.py": "application = get_wsgi_application()\n", "polls/__init__.py": "",
        "polls/urls.py": 'urlpatterns = [path("<int:pk>/", views.detail), path("", views.IndexView.as_view())]\n'})
    d = detect(root)
    assert d.health_path == "/polls/", d.health_path
    assert any("'/polls/'" in n and "no health/ route" in n for n in d.notes), d.notes


@pytest.mark.parametrize("api", [
    ("bp = Blueprint('api', __name__)\n", "app.register_blueprint(api.bp, url_prefix='/api')"),
    ("bp = Blueprint('api', __name__, url_prefix='/api')\n", "app.register_blueprint(api.bp)"),
])
def test_a_flask_health_route_in_a_blueprint_carries_its_prefix(tmp_path, api):
    blueprint, register = api
    factory = ("from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    from . import api\n"
               f"    {register}\n    return app\n")
    root = project(tmp_path, {"notes/__init__.py": factory, "notes/api.py": "from flask import Blueprint\n"
                              + blueprint + "@bp.get('/health')\ndef health():\n    return 'ok'\n"})
    assert detect(root).health_path == "/api/health"


# Class: a blueprint known by its variable name alone. Flask's tutorial names every blueprint module's
# object `bp`, so `register_blueprint(api.bp, url_prefix="/api")` gave the `/api` prefix to `main.bp`'s `/health`
# too (health_path "/api/health": 404). A register_blueprint() names a module's object; the prefix is the one of the
# call naming the health route's own module. Members: `main.bp` beside `api.bp`, `from .main import bp as main_bp`,
# `from .api import bp` registered with its prefix while the route is in another module's `bp`.
@pytest.mark.parametrize("imports, registers", [
    ("    from . import api, main\n", "    app.register_blueprint(main.bp)\n"
                                      "    app.register_blueprint(api.bp, url_prefix='/api')\n"),
    ("    from .main import bp as main_bp\n    from .api import bp as api_bp\n",
     "    app.register_blueprint(api_bp, url_prefix='/api')\n    app.register_blueprint(main_bp)\n"),
    ("    import notes.main\n    from .api import bp\n",
     "    app.register_blueprint(bp, url_prefix='/api')\n    app.register_blueprint(notes.main.bp, url_prefix='/')\n"),
])
def test_a_blueprint_is_known_by_its_module_not_by_its_name(tmp_path, imports, registers):
    factory = ("from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n"
               f"{imports}{registers}    return app\n")
    bp = "from flask import Blueprint\nbp = Blueprint({!r}, __name__)\n"
    root = project(tmp_path, {"notes/__init__.py": factory,
                              "notes/api.py": bp.format("api") + "@bp.get('/tasks')\ndef tasks():\n    return []\n",
                              "notes/main.py": bp.format("main")
                              + "@bp.route('/health')\ndef health():\n    return 'ok'\n"})
    assert detect(root).health_path == "/health"


def test_a_prefixed_blueprint_in_the_routes_module_gives_its_prefix(tmp_path):
    factory = ("from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    from . import main, api\n"
               "    app.register_blueprint(main.bp)\n    app.register_blueprint(api.bp, url_prefix='/v1/')\n"
               "    return app\n")
    bp = "from flask import Blueprint\nbp = Blueprint({!r}, __name__)\n"
    root = project(tmp_path, {"notes/__init__.py": factory,
                              "notes/main.py": bp.format("main") + "@bp.route('/')\ndef index():\n    return 'hi'\n",
                              "notes/api.py": bp.format("api")
                              + "@bp.get('/health')\ndef health():\n    return 'ok'\n"})
    assert detect(root).health_path == "/v1/health"


# Class: where a PasteDeploy app's data goes, read nowhere. Pyramid's starter (SQLAlchemy backend) keeps
# `sqlalchemy.url = sqlite:///%(here)s/<pkg>.sqlite` in production.ini; installed as shared/production.ini, %(here)s
# is shared/ itself, which the app user cannot write: the first deploy was refused. init names the setting and its
# place under a shared path, and writes shared_paths. Members: %(here)s, a path relative to the release dir; an
# absolute path the admin chose, left alone. And its schema script (console_scripts `initialize_<pkg>_db`) is found,
# written commented out like Flask's init-db.
# Other members (a file placed by a setting not a SQLite URL): ZODB's `zodbconn.uri = file://%(here)s/Data.fs`
# (Pyramid's ZODB starter), an app's own `tally.db = %(here)s/tally.sqlite` (the gate: 500, "unable to open
# database file"); one already under %(here)s/data/ is left alone.
@pytest.mark.parametrize("key, url, place", [
    ("sqlalchemy.url", "sqlite:///%(here)s/tutorial.sqlite", "sqlite:///%(here)s/data/tutorial.sqlite"),
    ("sqlalchemy.url", "sqlite:///tutorial.sqlite", "sqlite:///%(here)s/data/tutorial.sqlite"),
    ("sqlalchemy.url", "sqlite:////srv/db/tutorial.sqlite", None),
    ("zodbconn.uri", "file://%(here)s/Data.fs", "file://%(here)s/data/Data.fs"),
    ("tutorial.db", "%(here)s/tutorial.sqlite", "%(here)s/data/tutorial.sqlite"),
    ("tutorial.db", "%(here)s/data/tutorial.sqlite", None),
])
def test_a_pyramid_ini_database_is_placed_under_a_shared_path(tmp_path, key, url, place):
    ini = PASTE_INI.replace("use = egg:tutorial\n", f"use = egg:tutorial\n{key} = {url}\n")
    root = project(tmp_path, {
        "setup.py": "from setuptools import setup\nsetup(name='tutorial', entry_points={\n"
                    "    'paste.app_factory': ['main = tutorial:main'],\n"
                    "    'console_scripts': ['initialize_tutorial_db=tutorial.scripts.initialize_db:main'],\n})\n",
        "tutorial/__init__.py": PYRAMID_INIT, "development.ini": ini, "production.ini": ini})
    d = detect(root)
    assert d.post_deploy == ['initialize_tutorial_db "$TUTORIAL_CONFIG"'] and not d.post_deploy_safe, d.post_deploy
    if place is None:
        assert d.shared_paths == [] and not any(key in n for n in d.notes), d.notes
        return
    assert d.shared_paths == ["data"], d.shared_paths
    assert any(n.startswith(f"production.ini: [app:main] {key} = {url} puts the app's data ") and place in n
               for n in d.notes), d.notes


# Class: a note's file:line taken from a concatenation of modules. Split Django settings (prod.py
# star-importing base.py, where startproject's DATABASES is): init said "gallery/settings/prod.py:79: DATABASES'
# SQLite NAME is not read from the environment", prod.py being 8 lines long. The note names the module of the
# settings chain that sets DATABASES last, at its own line. Members: base.py's DATABASES; prod.py setting it again
# from the environment (no note: the servers run prod.py's).
@pytest.mark.parametrize("prod_db, expected", [
    ("", "mysite/settings/base.py:4"),
    ("DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['DJANGO_DB_PATH']}}\n",
     None),
])
def test_a_split_settings_sqlite_note_names_the_module_that_sets_databases(tmp_path, prod_db, expected):
    base = ("from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\n\n"
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n")
    d = detect(project(tmp_path, {
        "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n",
        "mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/base.py": base,
        "mysite/settings/dev.py": "from .base import *\n", "mysite/settings/prod.py": ENV_DJANGO + prod_db,
        "mysite/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.prod')\n"
                          "application = 1\n"}))
    said = [n.partition(": DATABASES' SQLite NAME")[0] for n in d.notes if "DATABASES' SQLite NAME" in n]
    assert said == ([expected] if expected else []), d.notes


# Class: a note whose "run init again" cannot do what it says. init's note on startproject's DATABASES
# said "read it from a variable ... and run init again: it sets that variable to .../shared/data/db.sqlite3 in the
# env file"; run again, init kept config/deploy.env (it never overwrites a file) and said nothing: the servers'
# database stayed in the release. A variable placing the app's data that the kept env file does not set is named,
# with its value, by init run again and by every gate run's header. Members: Django's settings (DJANGO_DB_PATH), a
# Flask app's (written_places: its own path already warned at the gate).
def test_a_data_place_the_kept_env_file_lacks_is_named_when_init_runs_again(tmp_path):
    base = ("import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\n"
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n")
    root = project(tmp_path, {
        "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n",
        "mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/base.py": base,
        "mysite/settings/dev.py": "from .base import *\n",
        "mysite/settings/prod.py": ENV_DJANGO.replace("DB = os.environ.get('DJANGO_DB_PATH')\n", ""),
        "mysite/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.prod')\n"
                          "application = 1\n"})
    init(root, out=lambda *a: None)
    assert "DJANGO_DB_PATH" not in (root / "config/deploy.env").read_text()
    (root / "mysite/settings/base.py").write_text(base.replace("BASE_DIR / 'db.sqlite3'",
                                                               "os.environ.get('DJANGO_DB_PATH', 'db.sqlite3')"))
    said: list[str] = []
    init(root, out=said.append)
    want = "a line DJANGO_DB_PATH=/var/www/mysite/shared/data/db.sqlite3 in deploy.toml's env file (deploy.env)"
    assert any(want in line for line in said), said
    assert any(want in line for line in gate_warnings(root)), gate_warnings(root)


# Class: a data place the settings compute that an env file cannot move (live). DATABASES' NAME was
# named; MEDIA_ROOT = BASE_DIR / "media" (Django's docs) was not, and init said "uploads go to shared/media on the
# servers": with config_as_env the settings never run the config file that sets it, so on the servers it is
# <venv>/lib/python3.11/site-packages/media, and the first upload answered 500 (the gate passed: nothing uploads).
# Members: MEDIA_ROOT fixed in base.py (named at its line), MEDIA_ROOT read from a variable (placed, no note).
@pytest.mark.parametrize("media, expected", [
    ("MEDIA_ROOT = BASE_DIR / 'media'\n", "mysite/settings/base.py:4"),
    ("MEDIA_ROOT = os.environ.get('DJANGO_MEDIA_ROOT', BASE_DIR / 'media')\n", None),
])
def test_a_media_root_an_env_file_cannot_move_is_named(tmp_path, media, expected):
    base = ("import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\n"
            + media + "MEDIA_URL = 'media/'\n")
    d = detect(project(tmp_path, {
        "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n",
        "mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/base.py": base,
        "mysite/settings/dev.py": "from .base import *\n", "mysite/settings/prod.py": ENV_DJANGO,
        "mysite/wsgi.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.prod')\n"
                          "application = 1\n"}))
    said = [n.partition(": MEDIA_ROOT")[0] for n in d.notes if ": MEDIA_ROOT is not read from the environment" in n]
    assert said == ([expected] if expected else []), d.notes
    if expected:
        assert not any("uploads go to shared/media" in n for n in d.notes), d.notes
    else:
        assert d.env_values.get("DJANGO_MEDIA_ROOT") == "/var/www/mysite/shared/media", d.env_values


# Class: a variable placing the app's data that init's reading of the code does not follow, so the env file does
# not set it and the default (a file in the working dir: the release dir) stays: the gate passed (its health route
# touches no data) and every data route answered 500 ("unable to open database file"). Falcon's docs' layout:
# a Config object whose __init__ reads the variable, passed to a store that connects to ``config.db_path``
# (an attribute read outside its class); other member: a config class's attribute (``settings.DATA_DIR``).
@pytest.mark.parametrize("files, var, place", [
    ({"things/config.py": "import os\nclass Config:\n    def __init__(self):\n"
                          "        self.db_path = os.environ.get('THINGS_DB_PATH', 'things.sqlite3')\n",
      "things/db.py": "import sqlite3\nclass Store:\n    def __init__(self, path):\n        self.path = path\n"
                      "    def connect(self):\n        return sqlite3.connect(self.path)\n",
      "things/app.py": "from .config import Config\nfrom .db import Store\ndef create_app(config=None):\n"
                       "    config = config or Config()\n    store = Store(config.db_path)\n    return store\n"
                       "app = create_app()\n"},
     "THINGS_DB_PATH", "/var/www/things/shared/data/things.sqlite3"),
    ({"things/settings.py": "import os\nclass Settings:\n    DATA_DIR = os.environ.get('THINGS_DATA', 'data')\n"
                            "settings = Settings()\n",
      "things/app.py": "import os\nfrom .settings import settings\nos.makedirs(settings.DATA_DIR, exist_ok=True)\n"
                       "def app(environ, start_response):\n    return []\n"},
     "THINGS_DATA", "/var/www/things/shared/data"),
])
def test_a_data_place_read_through_an_objects_attribute_is_placed_in_shared(tmp_path, files, var, place):
    from deploytests.init import written_places

    assert written_places(list(files.values()), "things")[0] == {var: place}
    # init run again over a kept env file without the variable names it, and the shared path its place needs
    root = project(tmp_path, {**files, "things/__init__.py": "",
                              "pyproject.toml": "[project]\nname = 'things'\nversion = '1'\n"})
    (root / "deploy.toml").write_text('app = "things"\nentry_point = "things.app:app"\nconfig_file = "deploy.env"\n'
                                      "config_as_env = true\n")
    (root / "deploy.env").write_text("OTHER=1\n")
    said = gate_warnings(root)
    assert any(f"set a line {var}={place} in deploy.toml's env file (deploy.env), and list 'data' in deploy.toml's "
               "shared_paths" in line for line in said), said


# Class: templates outside the app's packages, which the wheel (all a release holds of the project) does not ship.
# Bottle's tutorial keeps views/ beside its single module: the first deploy was refused with "Template 'make_table'
# not found" and nothing said why. Other members: templates/ beside a single-module Flask app, a Django project's
# top-level templates/ (BASE_DIR / "templates").
@pytest.mark.parametrize("files, folder", [
    ({"todo.py": "from bottle import default_app, route, template\n@route('/')\ndef index():\n"
                 "    return template('make_table', rows=[])\napplication = default_app()\n",
      "views/make_table.tpl": "<table></table>\n"}, "views"),
    ({"hello.py": "from flask import Flask, render_template\napp = Flask(__name__)\n@app.route('/')\n"
                  "def index():\n    return render_template('index.html')\n",
      "templates/index.html": "<p>hi</p>\n"}, "templates"),
])
def test_templates_the_wheel_does_not_ship_are_named_by_init(tmp_path, files, folder):
    said: list[str] = []
    init(project(tmp_path, files), out=said.append)
    assert any(line.startswith(f"  WARNING {folder}/ holds templates outside the app's packages") for line in said), \
        said
    # a single module has no package to move it into: the advice says to make one (seen: flatnotes' app.py)
    module = next(name for name in files if name.endswith(".py"))[:-3]
    app = load_config(tmp_path).app
    assert any(f"make the app a package ({module}.py -> {app}/__init__.py, {folder}/ inside it" in line
               for line in said), said
    said.clear()
    init(tmp_path, out=said.append)  # again: the packaging it wrote is the project's now
    assert any(line.startswith(f"  WARNING {folder}/ holds templates") for line in said), said


def test_an_alembic_migrations_dir_beside_a_single_module_app_says_to_make_a_package(tmp_path):
    # advice presuming a layout the project lacks (the templates' member, seen with flatnotes' app.py): a
    # single-module Flask-Migrate app has no package to move migrations/ into
    said: list[str] = []
    root = project(tmp_path / "ledgerly", {"app.py": "from flask import Flask\nfrom flask_migrate import Migrate\n"
                                                    "app = Flask(__name__)\n", "migrations/env.py": ""})
    init(root, out=said.append)
    assert any(line.startswith("  WARNING migrations/ (Alembic's") and "make the app a package (app.py -> "
               "ledgerly/__init__.py, migrations/ inside it" in line for line in said), said


def test_an_alembic_migrations_dir_outside_the_packages_is_named_by_init(tmp_path):
    # the templates' class, Flask-Migrate's member: `flask db init` writes migrations/ beside the package
    said: list[str] = []
    root = project(tmp_path, {"app/__init__.py": "from flask import Flask\ndef create_app():\n"
                                                 "    return Flask(__name__)\n",
                              "migrations/env.py": "", "migrations/versions/abc_init.py": "",
                              "pyproject.toml": "[project]\nname = 'fm'\nversion = '1'\n"})
    init(root, out=said.append)
    assert any(line.startswith("  WARNING migrations/ (Alembic's, as `flask db init` makes it) is outside the app's "
                               "packages") for line in said), said
    # and its migration tool is the post_deploy, active (safe to repeat), as Django's migrate
    (root / "app/__init__.py").write_text("from flask import Flask\nfrom flask_migrate import Migrate\n"
                                          "def create_app():\n    return Flask(__name__)\n")
    assert detect(root).post_deploy == ["flask --app app db upgrade"] and detect(root).post_deploy_safe


@pytest.mark.parametrize("backend, advice", [
    ("", "ship it as package data ([tool.setuptools.package-data])"),
    ('requires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"', "([tool.setuptools.package-data])"),
    ('requires = ["hatchling"]\nbuild-backend = "hatchling.build"', "where hatchling ships it with the package's"),
    ('requires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"', "where poetry ships it with the"),
])
def test_the_advice_to_ship_a_dir_with_the_package_fits_the_projects_build_backend(tmp_path, backend, advice):
    """Class: advice naming one tool's configuration whatever the project uses. A hatchling project was told to
    write [tool.setuptools.package-data], a table hatchling ignores (it ships the package's files as they are).
    Other member: poetry-core. (The templates' warning says the same, from the same function.)"""
    said: list[str] = []
    build = f"[build-system]\n{backend}\n" if backend else ""
    root = project(tmp_path, {"app/__init__.py": "from flask import Flask\ndef create_app():\n"
                                                 "    return Flask(__name__)\n", "migrations/env.py": "",
                              "pyproject.toml": f"{build}[project]\nname = 'fm'\nversion = '1'\n"})
    init(root, out=said.append)
    warnings = [line for line in said if line.startswith("  WARNING migrations/")]
    assert len(warnings) == 1 and all(advice in w for w in warnings), said
    assert backend.startswith("requires = [\"setuptools") or not backend \
        or not any("tool.setuptools" in w for w in warnings), warnings


# Class: a framework's or library's config loader is not seen opening the file its argument names. A Bottle app
# doing what Bottle's docs do, app.config.load_config(os.environ["TINYURLS_SETTINGS"]), was told "it reads
# TINYURLS_SETTINGS from the environment (not as a config file it opens)": no config_env, no config_file, its
# config/*.ini not found, and the INI key placing its database (app.config["storage.database"]) not followed.
# Other members: python-dotenv's load_dotenv(os.environ[...]), runpy.run_path(os.environ[...]).
@pytest.mark.parametrize("reader, fmt", [
    ("from bottle import Bottle\napp = Bottle()\napp.config.load_config(os.environ['TALLY_SETTINGS'])\n"
     "def db():\n    return sqlite3.connect(app.config['storage.database'])\n", "INI (configparser)"),
    ("from dotenv import load_dotenv\nload_dotenv(os.environ['TALLY_SETTINGS'])\n", "NAME=value lines"),
    ("import runpy\nCONF = runpy.run_path(os.environ['TALLY_SETTINGS'])\n", "Python syntax"),
])
def test_a_config_loader_of_a_framework_or_library_opens_the_config(tmp_path, reader, fmt):
    source = "import os, sqlite3\n" + reader + "def application(e, s):\n    return []\n"
    root = project(tmp_path, {"tally/__init__.py": "", "tally/server.py": source})
    d = detect(root)
    assert d.config_env == "TALLY_SETTINGS" and d.config_format[0].startswith(fmt), (d.config_env, d.config_format)
    assert not [n for n in d.notes if "not as a config file it opens" in n], d.notes
    if "bottle" in reader:
        assert not [n for n in d.notes if "cannot be read from the code" in n], d.notes
        assert d.config_values == {"[storage] database": "/var/www/tally/shared/data/tally.sqlite3"}, d.config_values
        assert d.shared_paths == ["data"], d.shared_paths
        (root / "config").mkdir()
        (root / "config/production.ini").write_text("[storage]\ndatabase = x.sqlite3\n")
        d = detect(root)
        assert d.config_file == "config/production.ini"  # the project's own INI file, not a new one
        assert [n for n in d.notes if "in the servers' config (config/production.ini): set them there" in n], d.notes
        (root / "config/production.ini").write_text("[storage]\ndatabase = /var/www/tally/shared/data/tally.sqlite3\n")
        assert [n for n in detect(root).notes if n.startswith("[storage] database of its config file (config/"
                                                              "production.ini) places the app's data under shared/")]


# Class: a placeholder secret init wrote reaches the servers. config/deploy.cfg's SECRET_KEY = "change me: a long
# random string" (a string in deploytests' public source) deployed without a word when the user did not replace it:
# sessions signed with a key anyone can read. Members: Flask's instance config (from_pyfile), Django's settings
# hook config, an env file's DJANGO_SECRET_KEY / FLASK_SECRET_KEY; each init makes its own key. A secret init cannot
# make (a password, an API token, a DATABASE_URL) keeps its placeholder: the app fails on it where it is used.
@pytest.mark.parametrize("files, key", [
    ({"notes/__init__.py": "import os\nfrom flask import Flask\ndef create_app():\n"
      "    app = Flask(__name__, instance_relative_config=True)\n    app.config.from_pyfile('config.py', silent=True)\n"
      "    return app\n"}, "SECRET_KEY"),
    ({"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n', "site1/__init__.py": "",
      "site1/settings.py": 'ROOT_URLCONF = "site1.urls"\n', "site1/wsgi.py": "application = None\n"}, "SECRET_KEY"),
    ({"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n', "site1/__init__.py": "",
      "site1/settings.py": 'import os\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n'
      'API_TOKEN = os.environ["SITE_API_TOKEN"]\nROOT_URLCONF = "site1.urls"\n',
      "site1/wsgi.py": "application = None\n"},
     "DJANGO_SECRET_KEY"),
])
def test_init_writes_no_signing_key_anyone_knows(tmp_path, files, key):
    keys = []
    for run in ("a", "b"):
        root = project(tmp_path / run, files)
        init(root, out=lambda line: None)
        config = next(p for p in (root / "config").iterdir())
        text = config.read_text()
        m = re.search(rf"^{key}\s*=\s*\"?([^\"\n]*)", text, re.M)
        assert m and len(m.group(1)) >= 60 and "change me" not in m.group(1), text
        keys.append(m.group(1))
        if "SITE_API_TOKEN" in text:
            assert "\nSITE_API_TOKEN=change me" in text, text  # a secret init cannot make: replaced by you
    assert keys[0] != keys[1]  # each init its own


# Class: a project file that looks like the servers' config, silently not sent. A Flask app laid out as Flask's docs
# lay it out (instance/config.py with the SECRET_KEY, out of version control) got config/deploy.cfg and no word about
# its instance/config.py. Other member: from_pyfile("settings.cfg") with instance/settings.cfg.
@pytest.mark.parametrize("name", ["config.py", "settings.cfg"])
def test_the_checkouts_instance_config_is_named_as_not_what_the_servers_get(tmp_path, name):
    code = ("from flask import Flask\ndef create_app():\n    app = Flask(__name__, instance_relative_config=True)\n"
            f"    app.config.from_pyfile({name!r}, silent=True)\n    return app\n")
    root = project(tmp_path, {"notes/__init__.py": code})
    assert not [n for n in detect(root).notes if n.startswith("instance/")]
    (root / "instance").mkdir()
    (root / "instance" / name).write_text('SECRET_KEY = "dev-only"\n')
    note = next(n for n in detect(root).notes if n.startswith(f"instance/{name} is this checkout's instance config"))
    assert f"/var/www/notes/shared/venv/var/notes-instance/{name}" in note, note


@pytest.mark.parametrize("name", ["up", "livez", "readyz", "healthcheck", "heartbeat"])
def test_a_health_route_by_another_common_name_is_found_in_every_kind_of_app(tmp_path, name):
    """Class: a health route known only by a short list of names (health, healthz, ping, status): Rails' /up,
    Kubernetes' /livez and /readyz, a load balancer's /healthcheck or /heartbeat were not found, so the deploy gate
    GOT '/' (which may need the database, or log in). One list of names serves Flask, plain WSGI and Django."""
    flask = FACTORY.replace('@app.get("/healthz")', f'@app.get("/{name}")')
    assert detect(project(tmp_path / "flask", {"notes/__init__.py": flask})).health_path == f"/{name}"
    falcon = f"import falcon\n\napp = falcon.App()\napp.add_route('/{name}', Health())\n"
    d = detect(project(tmp_path / "falcon", {"look/__init__.py": "", "look/app.py": falcon}))
    assert (d.framework, d.health_path) == ("wsgi", f"/{name}"), d.notes
    d = detect(django_polls(tmp_path / "django", ROOT_URLS, f'urlpatterns = [path("{name}/", views.health)]\n'))
    assert d.health_path == f"/polls/{name}/", d.notes


SHOP_SETTINGS = '''\
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev")
ROOT_URLCONF = "shop.urls"
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGE
'''


@pytest.mark.parametrize("storage", [
    'STORAGES = {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}',
    'STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"',
])
def test_a_manifest_static_storage_with_static_root_in_the_code_is_named_with_the_change(tmp_path, storage):
    """Class: a file the app reads at run time from its build output, placed by the code (BASE_DIR), which on the
    servers is the installed package in the release's venv, while the build output ships in the release dir: a
    startproject + whitenoise site answered 500 on the admin's login (Missing staticfiles manifest entry), with
    nothing said by init. Other member: Django's own ManifestStaticFilesStorage."""
    files = {"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
             "shop/__init__.py": "", "shop/settings.py": SHOP_SETTINGS.replace("STORAGE", storage),
             "shop/wsgi.py": "application = get_wsgi_application()\n",
             "shop/urls.py": 'urlpatterns = [path("readyz/", views.ready)]\n'}
    d = detect(project(tmp_path / "a", files))
    note = next((n for n in d.notes if "manifest storage" in n), "")
    assert note.startswith("shop/settings.py:8: STATIC_ROOT is not read from the environment") and \
        "DJANGO_STATIC_ROOT=/var/www/shop/current/staticfiles in the env file (config/deploy.env)" in note, d.notes
    fixed = SHOP_SETTINGS.replace('STATIC_ROOT = BASE_DIR / "staticfiles"', 'STATIC_ROOT = os.environ.get('
                                  '"DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles")').replace("STORAGE", storage)
    d = detect(project(tmp_path / "b", dict(files, **{"shop/settings.py": fixed})))
    assert not any("manifest storage" in n for n in d.notes), d.notes
    assert d.static == {"/static": "staticfiles"} and d.build, (d.static, d.build)  # collectstatic's default here


def test_a_django_project_without_logging_is_told_its_500s_are_logged_nowhere(tmp_path):
    """Class: a 5xx whose exception nothing on the server records: Django with DEBUG = False and no LOGGING mails
    a 500's traceback to ADMINS only, so the gate's root-cause line could not name it (startproject's default)."""
    files = {"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
             "shop/__init__.py": "", "shop/settings.py": SHOP_SETTINGS.replace("STORAGE", ""),
             "shop/wsgi.py": "application = get_wsgi_application()\n", "shop/urls.py": "urlpatterns = []\n"}
    d = detect(project(tmp_path / "a", files))
    assert any(n.startswith("no LOGGING in the settings: with DEBUG = False Django logs a 500's traceback nowhere")
               for n in d.notes), d.notes
    files["shop/settings.py"] += 'LOGGING = {"version": 1}\n'
    assert not any(n.startswith("no LOGGING") for n in detect(project(tmp_path / "b", files)).notes)


def test_a_repositorys_link_to_a_device_or_a_fifo_is_not_read_by_the_gate_or_init(tmp_path):
    """Every gate run (the admin's read-only ``deploytests gate --app CHECKOUT`` too) reads the project's source at
    its start for init's warnings (:func:`gate_warnings`), and init reads it: a repository's ``models.py`` that is a
    link to ``/dev/zero`` filled the runner's memory (1.8 GiB, then MemoryError, under a 2 GiB cap), one to a FIFO
    (or a terminal) waited for ever. Class: a file of the repository read by path, following its link to what is no
    file. Now only a regular file, at most 4 MiB, is read; the rest is not read (no warning from it)."""
    import os
    import shutil
    import threading

    from deploytests.errors import ConfigError
    from deploytests.examples import APPS

    root = tmp_path / "proj"
    shutil.copytree(APPS / "yourapplication", root)
    fifo = root / "fifo"  # (inside the project: a link out of it is not followed at all, the test below)
    os.mkfifo(fifo)
    (root / "yourapplication" / "models.py").symlink_to(fifo)
    found: list = []
    worker = threading.Thread(target=lambda: found.append(gate_warnings(root)), daemon=True)
    worker.start()
    worker.join(20)  # (this test's bound: main waited for a writer for ever)
    if worker.is_alive():  # let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert found == [[]], found
    (root / "yourapplication" / "models.py").unlink()
    (root / "yourapplication" / "models.py").symlink_to("/dev/zero")
    assert gate_warnings(root) == []
    with pytest.raises(ConfigError, match=r"models.py leads out of the project .* neither read nor written\. "):
        detect(root)


def test_init_and_the_gate_neither_read_nor_write_through_a_repositorys_link_out_of_the_project(tmp_path):
    """A repository's link leading out of the project names a file of the developer's (or the admin's) machine:
    init and the gate's warnings neither read nor write there. ``pyproject.toml`` linked to a missing
    ``~/.bash_login``: init appended its packaging tables there (the file made), a requirements.txt line's
    ``$(...)`` among them, which bash ran at the next login; a module linked to ``~/.aws/credentials``: read as text
    for the warnings' regexes at every gate's start. Class: a path of the project followed by a link out of it, read
    or written. Now each of init's reads and writes is of a real path inside the project, else one line."""
    import shutil

    from deploytests.errors import ConfigError
    from deploytests.examples import APPS
    from deploytests.init import init

    home = tmp_path / "home"
    home.mkdir()
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = x\n")
    repo = home / "src" / "repo"
    repo.mkdir(parents=True)
    (repo / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (repo / "requirements.txt").write_text('flask\nrequests; python_version > "$(id >/tmp/pwned)"\n')
    (repo / "pyproject.toml").symlink_to("../../.bash_login")  # (missing: open(..., "a") would make it)
    with pytest.raises(ConfigError, match=r"pyproject\.toml.* leads out of the project"):
        init(repo, out=lambda line: None)
    assert not (home / ".bash_login").exists() and not (repo / "deploy.toml").exists()  # (refused before any write)
    # another member: a directory init writes into, linked out (tests/ -> a directory of the home)
    (repo / "pyproject.toml").unlink()
    (home / "elsewhere").mkdir()
    (repo / "tests").symlink_to(home / "elsewhere")
    with pytest.raises(ConfigError, match=r"tests/deploy/test_deploy\.py.* leads out of the project"):
        init(repo, out=lambda line: None)
    assert list((home / "elsewhere").iterdir()) == []
    # reads: a module of the app linked to a file of the machine is not read, by init or by the gate's warnings
    root = tmp_path / "proj"
    shutil.copytree(APPS / "yourapplication", root)
    (root / "yourapplication" / "models.py").symlink_to(home / ".aws" / "credentials")
    with pytest.raises(ConfigError, match=r"models\.py.* leads out of the project"):
        detect(root)
    assert gate_warnings(root) == []
    # a link inside the project is the project's own: read as before
    (root / "yourapplication" / "models.py").unlink()
    (root / "yourapplication" / "models.py").symlink_to(root / "yourapplication" / "__init__.py")
    assert detect(root).entry_point


# Class: the config init writes for a Flask app in a format Flask reads but with a key Flask ignores. hearth (Flask's
# app.config.from_file(os.environ["HEARTH_CONFIG"], load=tomllib.load, text=False), as Flask's docs show) got
# `# secret_key = "change me"`: Flask takes only UPPERCASE keys, so uncommented it set nothing, and the servers ran
# with SECRET_KEY None (the gate passed). A Python config got a random SECRET_KEY; every format Flask reads gets one
# now, as the format writes it. Other members: JSON (from_file with json.load: the file was comments only, which
# json.load refuses at the deploy's import).
@pytest.mark.parametrize("reading", [
    'app.config.from_file(os.environ["HEARTH_CONFIG"], load=tomllib.load, text=False)',
    'app.config.from_file(os.environ["HEARTH_CONFIG"], load=json.load)',
    'app.config.from_envvar("HEARTH_CONFIG")',
])
def test_a_flask_config_in_any_format_sets_a_key_flask_takes(tmp_path, reading):
    from flask import Flask  # the framework itself reads the file init wrote, as on the servers

    module = "tomllib" if "tomllib" in reading else "json" if "json" in reading else "sys"
    app = (f"import {module}\nimport os\nfrom flask import Flask\n\n\ndef create_app():\n"
           f"    app = Flask(__name__)\n    {reading}\n    return app\n")
    root = project(tmp_path, {"hearth/__init__.py": app})
    init(root, out=lambda line: None)
    path = root / NEW_CONFIG
    flask = Flask("x")
    if "tomllib" in reading:
        flask.config.from_file(str(path), load=tomllib.load, text=False)
    elif "json" in reading:
        flask.config.from_file(str(path), load=json.load)
    else:
        flask.config.from_pyfile(str(path))
    assert len(flask.config["SECRET_KEY"]) >= 32, path.read_text()


# Class: advice a user must translate into the framework's own terms. gallery (startproject, with the top-level
# templates/ Django's docs use: "DIRS": [BASE_DIR / "templates"]) got "move it into the app's package ... point the
# framework at it from the package (os.path.dirname(__file__))": right, but which package, and what to write where?
# BASE_DIR is site-packages once installed, so the exact change is the settings' package and one line of the
# settings. Other member: the os.path.join(BASE_DIR, "templates") spelling of older startprojects.
@pytest.mark.parametrize("dirs", ['BASE_DIR / "templates"', "os.path.join(BASE_DIR, 'templates')"])
def test_a_django_projects_top_level_templates_get_the_exact_change(tmp_path, dirs):
    import shutil

    root = tmp_path / "mysite"
    shutil.copytree(FIXTURES / "mysite", root)
    settings = root / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace('"DIRS": [],', f'"DIRS": [{dirs}],'))
    (root / "pyproject.toml").unlink()  # init writes the packaging, as for a project that had none
    (root / "templates").mkdir()
    (root / "templates" / "base.html").write_text("<html></html>\n")
    said: list[str] = []
    init(root, out=said.append)
    line = next(ln for ln in said if ln.startswith("  WARNING templates/ holds templates outside"))
    assert line.endswith("move it into the settings' package (mysite/templates/), which the wheel ships, and at "
                         'mysite/settings.py:41 name it there: BASE_DIR / "mysite" / "templates" (on the servers '
                         "BASE_DIR is the release's site-packages)"), line


# Class: packaging read from PEP 621's [project] only. A project packaged by its build backend's own table (poetry's
# [tool.poetry], poetry-core 1.x's layout) was taken for one without packaging: init added [project] named after
# the directory and setuptools tables poetry-core ignores, and the wheel no longer built ("No file/folder found
# for package poe"). Other members: flit's [tool.flit.metadata]; any backend but setuptools owns its packaging.
@pytest.mark.parametrize("pyproject, name", [
    ('[tool.poetry]\nname = "shortener"\nversion = "0.2.0"\ndescription = ""\nauthors = ["J <j@x.org>"]\n\n'
     '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0"\n\n'
     '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n', "shortener"),
    ('[build-system]\nrequires = ["flit_core >=3.2,<4"]\nbuild-backend = "flit_core.buildapi"\n\n'
     '[tool.flit.metadata]\nmodule = "shortener"\nauthor = "J"\nrequires = ["flask"]\n', "shortener"),
    ('[build-system]\nrequires = ["my-backend"]\nbuild-backend = "my_backend.api"\n', "poe"),
])
def test_a_project_packaged_by_its_build_backends_own_table_is_left_packaged(tmp_path, pyproject, name):
    root = project(tmp_path / "poe", {"pyproject.toml": pyproject, "shortener/__init__.py": MODULE_APP,
                                      "shortener/templates/index.html": "x"})
    lines: list[str] = []
    init(root, out=lines.append)
    after = tomllib.loads((root / "pyproject.toml").read_text())
    assert "project" not in after and "setuptools" not in after.get("tool", {}), after
    assert not any("had no packaging" in line for line in lines), lines
    assert f"# deploytests: how {name} is deployed" in (root / "deploy.toml").read_text()


# Class: the developer's config taken for the servers'. Only PasteDeploy's ini was ranked by the names of the
# developer's and the tests' files (development.ini, testing.ini); a Flask project whose one config was
# config/local.cfg (its dev-only key) got it as config_file, "what the servers get". Other members:
# development/dev/test/testing names, a JSON config of a plain WSGI app; a deploy name is still taken.
@pytest.mark.parametrize("files, env_reader, taken", [
    ({"config/local.cfg": 'SECRET_KEY = "dev-only"\n'}, "app.config.from_envvar('SHORTENER_SETTINGS')", None),
    ({"config/development.cfg": 'SECRET_KEY = "dev-only"\n', "testing.cfg": "TESTING = True\n"},
     "app.config.from_envvar('SHORTENER_SETTINGS')", None),
    ({"conf/dev.json": '{"a": 1}', "conf/test.json": '{"a": 2}'},
     "import json\nconf = json.load(open(os.environ['SHORTENER_SETTINGS']))", None),
    ({"config/local.cfg": 'SECRET_KEY = "x"\n', "config/site.cfg": 'SECRET_KEY = "y"\n'},
     "app.config.from_envvar('SHORTENER_SETTINGS')", "config/site.cfg"),
])
def test_the_developers_config_is_never_the_servers(tmp_path, files, env_reader, taken):
    code = "import os\nfrom flask import Flask\napp = Flask(__name__)\n" + env_reader + "\n"
    root = project(tmp_path, {"shortener/__init__.py": code, **files})
    lines: list[str] = []
    init(root, out=lines.append)
    conf = tomllib.loads((root / "deploy.toml").read_text())
    if taken:
        assert conf["config_file"] == taken, conf
    else:
        assert conf["config_file"].startswith(("config/deploy.", "conf/deploy.")), conf
        assert (root / conf["config_file"]).is_file()
        dev = next(iter(files))
        assert any(dev in line and "developer" in line for line in lines), lines


# Class: a file of the project that does the same job as one init writes, passed over in silence. A Pyramid project
# with the `pyramid.wsgi` of Pyramid's mod_wsgi docs (get_app of a hard-coded ini path) got myproj/wsgi.py and
# no word that its own script is not what the servers run. Other member: Flask's mod_wsgi docs'
# `yourapplication.wsgi` (`from yourapplication import app as application`).
@pytest.mark.parametrize("script, text", [
    ("pyramid.wsgi", "from pyramid.paster import get_app, setup_logging\nini_path = '/srv/production.ini'\n"
                     "setup_logging(ini_path)\napplication = get_app(ini_path, 'main')\n"),
    ("deploy/shortener.wsgi", "import sys\nsys.path.insert(0, '/srv/shortener')\n"
                              "from shortener import app as application\n"),
])
def test_the_projects_own_mod_wsgi_script_is_named(tmp_path, script, text):
    root = project(tmp_path / "p", {"shortener/__init__.py": MODULE_APP, script: text})
    lines: list[str] = []
    init(root, out=lines.append)
    said = [line for line in lines if script in line]
    assert said and "not what the servers run" in said[0] and "entry_point" in said[0], lines
