"""Apps laid out the way their framework's own docs lay them out, deployed from a user's seat: the wheel in a
fresh venv outside this repository, ``deploytests init`` run unchanged (the user only fills in what init says),
then for each app the gate, ``fab pack deploy`` v1 -> v2 (a schema change) -> rollback, with the data kept, a
form POST working and static files served by Apache (not the app) from the live release.

- ``mysite`` (fixtures/projects/mysite): a Django project as ``startproject`` lays it out, with the admin, a
  model and its migrations, a CSRF-protected form; v2 (fixtures/projects/mysite-v2) adds a nullable column.
- ``flaskr``, ``hello``: Flask's tutorial layout, a plain WSGI package.
- ``linkbox``: a Flask factory in a src/ layout built with hatchling, config and SQLite in Flask's instance
  folder; ``shoutbox``: a plain WSGI single module in a src/ layout built with pdm-backend, its settings file
  named by an env var of its own choosing. Both check the class "the deployed config is not what the app runs
  on": an app that starts without opening its config is refused before anything touches the live data.

One venv for the module; one container per app, kept by the gate (``--keep-containers``) for the fab steps and
removed at the end. The gate here is the built-in promise suite (``deploytests.suite.test_promises``: every
promise, the static one included, on the app's own server) and the project's deploy tests; the lifecycle
scenarios, which deploy the bundled example apps whatever the project, run from a user's seat in
test_own_project.py, so this module stays within a few minutes per app.
"""

from __future__ import annotations

import re
import shutil

import pytest
import requests
from venvs import ROOT, Seat, ok, user_venv

pytestmark = pytest.mark.integration
PROJECTS = ROOT / "fixtures" / "projects"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The wheel built from a copy of this repository and a fresh venv with it, Django and Flask (from PyPI)."""
    base = tmp_path_factory.mktemp("apps")
    venv, _ = user_venv(base, "django>=4.2", "flask>=2.3")
    state = {"base": base, "venv": venv, "seat": Seat(venv)}
    yield state
    state["seat"].remove_kept()  # only the containers this module's gates kept


class App:
    """One project of the module: its dir, and after the gate its kept host (ssh line, URL) for fab."""

    def __init__(self, world, name):
        self.world, self.venv = world, world["venv"]
        self.project = world["base"] / name
        shutil.copytree(PROJECTS / name, self.project, ignore=shutil.ignore_patterns("__pycache__", "deploy"))
        self.host = self.url = ""
        self.env: dict = {}
        self.headers: dict = {}  # the Host the site answers (its server_name)

    def run(self, *args, timeout=600):
        return self.world["seat"].run(*args, cwd=self.project, env=self.env, timeout=timeout)

    def gate(self, suite="deploytests.suite.test_promises"):
        result = self.run("pytest", "--pyargs", suite, "tests/deploy", "--keep-containers",
                          "--containers", "1", "-p", "no:cacheprovider", "-v", timeout=900)
        out = result.stdout
        kept = re.findall(r"^docker://web-1: container ([0-9a-f]{12}), http (http://127\.0\.0\.1:\d+)$", out, re.M)
        ssh = re.search(r"^docker://web-1: ssh -i (\S+) -p (\d+) -o UserKnownHostsFile=(\S+) "
                        r"-o StrictHostKeyChecking=yes (\w+)@127\.0\.0\.1$", out, re.M)
        ok(result)
        assert kept and ssh, out[-3000:]
        self.container, self.url = kept[0]
        self.host = f"{ssh[4]}@127.0.0.1:{ssh[2]}"
        self.env = {"DEPLOYTESTS_IDENTITY": ssh[1], "DEPLOYTESTS_KNOWN_HOSTS": ssh[3]}
        return out

    def fab(self, *args):
        return self.run("fab", "-H", self.host, *args)

    def get(self, path, **kw):
        return requests.get(self.url + path, timeout=10, headers=self.headers, **kw)

    def root_sh(self, script):
        from deploytests.containers import docker_client

        client = docker_client()
        try:
            code, out = client.containers.get(self.container).exec_run(["sh", "-ec", script], user="root")
        finally:
            client.close()
        assert code == 0, out
        return out.decode()


def assert_served_by_apache(resp, content_type):
    __tracebackhide__ = True
    assert resp.status_code == 200, (resp.url, resp.status_code, resp.text[:200])
    assert resp.headers["Content-Type"].startswith(content_type), resp.headers
    assert "X-Deploy-Release" not in resp.headers, f"{resp.url} was answered by the app, not Apache"


# ---------------------------------------------------------------- Django

@pytest.fixture(scope="module")
def django_app(world):
    return App(world, "mysite")


def test_django_init_finds_the_project(django_app):
    out = ok(django_app.run("deploytests", "init"))
    assert "wrote   deploy.toml  (entry_point mysite.wsgi:application)" in out, out
    assert "its SECRET_KEY is random, made by init" in out and "collectstatic" in out, out
    toml = (django_app.project / "deploy.toml").read_text()
    for line in ('env            = { DJANGO_SETTINGS_MODULE = "mysite.settings" }',
                 'static         = { "/static" = "staticfiles" }',
                 'post_deploy    = ["django-admin migrate --noinput"]',
                 'shared_paths   = ["data", "media"]', 'health_path    = "/health/"'):
        assert line in toml, toml
    # the secret key init made itself (no placeholder to forget); then the team's own deploy test
    config = django_app.project / "config" / "deploy.cfg"
    assert "change me" not in config.read_text()
    # and the site's real name, allowed alone: the runner's GETs to 127.0.0.1:PORT (the gate's own and the
    # project's deploy_http) send Host: server_name (newuser5 F5: they sent 127.0.0.1:PORT and got 400)
    config.write_text(re.sub(r"(?m)^ALLOWED_HOSTS = .*$", 'ALLOWED_HOSTS = ["www.example.com"]', config.read_text()))
    toml = django_app.project / "deploy.toml"
    toml.write_text(re.sub(r'(?m)^# server_name += "localhost"', 'server_name = "www.example.com"', toml.read_text()))
    django_app.headers = {"Host": "www.example.com"}
    shutil.copytree(PROJECTS / "mysite" / "tests" / "deploy", django_app.project / "tests" / "deploy",
                    dirs_exist_ok=True)


def test_django_gate_is_green(django_app):
    out = django_app.gate()
    for test in ("test_admin_login_form_posts_with_its_csrf_token", "test_static_file_is_served_by_apache",
                 "test_sign_the_guestbook", "test_admin_css_is_served_by_apache", "test_static_served_by_apache"):
        assert re.search(rf"::{test}\[docker://web-1\] PASSED", out), out[-4000:]
    assert assert_served_by_apache(django_app.get("/static/admin/css/base.css"), "text/css") is None
    assert requests.get(django_app.url + "/health/", timeout=10).status_code == 400  # the name is what it allows


def sign(app, text):
    s = requests.Session()
    s.headers.update(app.headers)
    form = s.get(app.url + "/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    resp = s.post(app.url + "/", data={"csrfmiddlewaretoken": token, "text": text}, allow_redirects=False,
                  timeout=10)
    assert resp.status_code == 302, resp.text[:500]


def test_django_v1_v2_rollback_keeps_the_data(django_app):
    app = django_app
    ok(app.fab("pack", "deploy"))
    sign(app, "kept across releases")
    assert "Guestbook 1.0" in app.get("/").text
    # v2: a model change and its migration, run by post_deploy (migrate) with the deploy's env and config
    shutil.copytree(PROJECTS / "mysite-v2", app.project, dirs_exist_ok=True)
    pyproject = app.project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0"', 'version = "2.0"'))
    out = ok(app.fab("pack", "deploy"))
    assert re.search(r"post_deploy +\d+\.\d\ds  1 command", out), out
    page = app.get("/").text
    assert "Guestbook 2.0" in page and "kept across releases" in page, page
    out = ok(app.fab("run", "django-admin showmigrations guestbook"))
    assert f"[{app.host}]  [X] 0002_entry_author" in out, out
    sign(app, "signed on v2")
    ok(app.fab("rollback"))
    page = app.get("/").text
    assert "Guestbook 1.0" in page and "kept across releases" in page and "signed on v2" in page, page
    sign(app, "signed after the rollback")  # v1's code on v2's schema: the nullable column lets it insert
    assert "signed after the rollback" in app.get("/").text
    assert_served_by_apache(app.get("/static/admin/css/base.css"), "text/css")


def test_django_one_off_commands_run_as_the_app_with_its_env(django_app):
    app = django_app
    count = "from guestbook.models import Entry; print(Entry.objects.count())"
    out = ok(app.fab("run", f'django-admin shell -v 0 -c "{count}" && id -un && echo "$DJANGO_SETTINGS_MODULE '
                     '$MYSITE_CONFIG"'))
    lines = [ln.split("] ", 1)[1] for ln in out.splitlines() if ln.startswith(f"[{app.host}] ")]
    # the gate's entry, v1's, v2's and the one after the rollback; as the app user, with env and config env
    assert lines[:2] == ["4", "mysite"] and re.fullmatch(r"mysite\.settings /var/www/mysite/\S+", lines[2]), out
    assert f"[{app.host}] run: exit 0 in release " in out, out
    failed = app.fab("run", "echo about to fail; exit 3")
    assert failed.returncode != 0, failed.stdout
    assert f"[{app.host}] about to fail" in failed.stdout, failed.stdout
    assert "the command exited with status 3" in failed.stdout + failed.stderr, failed.stdout + failed.stderr


def test_django_static_alias_reaches_nothing_else(django_app):
    app = django_app
    for path in ("/static/%2e%2e/RELEASE.json", "/static/..%2fRELEASE.json", "/static/%2e%2e/venv/pyvenv.cfg",
                 "/static/", "/static/admin/"):
        resp = app.get(path)
        assert resp.status_code >= 400 or "X-Deploy-Release" in resp.headers, (path, resp.status_code, resp.text[:200])
        assert "artifact_sha256" not in resp.text and "home = " not in resp.text, (path, resp.text[:200])
    # a link planted in the live static dir (by a hostile deploy login, say) is not followed
    app.root_sh("ln -s /var/www/mysite/current/RELEASE.json /var/www/mysite/current/staticfiles/leak.json; "
                "ln -s /etc /var/www/mysite/current/staticfiles/etc")
    for path in ("/static/leak.json", "/static/etc/passwd"):
        resp = app.get(path)
        assert resp.status_code == 403, (path, resp.status_code, resp.text[:200])


# ---------------------------------------------------------------- Flask (the tutorial's layout) and plain WSGI

def fill_in(app, path, old, new):
    file = app.project / path
    text = file.read_text()
    assert old in text, (path, text)
    file.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def flask_app(world):
    return App(world, "flaskr")


def test_flask_init_says_what_to_fill_in(flask_app):
    app = flask_app
    out = ok(app.run("deploytests", "init"))
    assert "wrote   deploy.toml  (entry_point flaskr:create_app())" in out, out
    assert "installed as /var/www/flaskr/shared/venv/var/flaskr-instance/config.py" in out, out
    assert "shared_paths lists 'venv/var/flaskr-instance'" in out, out  # Flask's default folder: no code change
    assert "post_deploy 'flask --app flaskr init-db' found but left commented out" in out, out
    # what init said: post_deploy once checked (CREATE TABLE IF NOT EXISTS)
    assert "change me" not in (app.project / "config/deploy.cfg").read_text()  # a random SECRET_KEY, init's
    fill_in(app, "deploy.toml", '# post_deploy    = ["flask --app flaskr init-db"]',
            'post_deploy    = ["flask --app flaskr init-db"]  ')
    shutil.copytree(PROJECTS / "flaskr" / "tests" / "deploy", app.project / "tests" / "deploy", dirs_exist_ok=True)


def test_flask_journey(flask_app):
    app = flask_app
    out = app.gate()
    assert re.search(r"::test_write_a_post\[docker://web-1\] PASSED", out), out[-3000:]
    assert re.search(r"::test_static_served_by_apache\[docker://web-1\] PASSED", out), out[-3000:]
    ok(app.fab("pack", "deploy"))
    assert requests.post(app.url + "/", data={"body": "kept"}, allow_redirects=False, timeout=10).status_code == 302
    shutil.copytree(PROJECTS / "flaskr-v2", app.project, dirs_exist_ok=True)  # v2: a new table
    fill_in(app, "pyproject.toml", 'version = "1.0"', 'version = "2.0"')
    ok(app.fab("pack", "deploy"))
    tables = "select name from sqlite_master"
    out = ok(app.fab("run", f"python -c \"import sqlite3; print(sorted(r[0] for r in sqlite3.connect("
                     f"'venv/var/flaskr-instance/flaskr.sqlite').execute('{tables}')))\""))
    assert "'tag'" in out, out
    page = app.get("/").text
    assert "Flaskr 2.0" in page and "kept" in page, page
    ok(app.fab("rollback"))
    assert requests.post(app.url + "/", data={"body": "after rollback"}, allow_redirects=False,
                         timeout=10).status_code == 302
    page = app.get("/").text
    assert "Flaskr 1.0" in page and "kept" in page and "after rollback" in page, page
    assert_served_by_apache(app.get("/static/style.css"), "text/css")


@pytest.fixture(scope="module")
def wsgi_app(world):
    return App(world, "hello")


def test_plain_wsgi_init_finds_application(wsgi_app):
    app = wsgi_app
    out = ok(app.run("deploytests", "init"))
    assert "wrote   deploy.toml  (entry_point hello.wsgi:application)" in out, out
    assert "must be listed in shared_paths" in out and "python -m hello.migrate" in out, out
    # the data dir the code writes in (DATABASE = "data/hello.sqlite") is a shared path as init wrote it; what
    # init said: the schema command as post_deploy
    assert '\nshared_paths   = ["data"]' in (app.project / "deploy.toml").read_text()
    fill_in(app, "deploy.toml", '# post_deploy    = ["python -m hello.migrate"]',
            'post_deploy    = ["python -m hello.migrate"]  ')
    shutil.copytree(PROJECTS / "hello" / "tests" / "deploy", app.project / "tests" / "deploy", dirs_exist_ok=True)


def test_plain_wsgi_journey(wsgi_app):
    app = wsgi_app
    out = app.gate()
    assert re.search(r"::test_leave_a_message\[docker://web-1\] PASSED", out), out[-3000:]
    # an Authorization header reaches the app through Apache (mod_wsgi drops it unless the vhost passes it on)
    assert re.search(r"::test_an_api_token_reaches_the_app\[docker://web-1\] PASSED", out), out[-3000:]
    ok(app.fab("pack", "deploy"))
    assert requests.post(app.url + "/", data={"text": "kept"}, allow_redirects=False, timeout=10).status_code == 303
    shutil.copytree(PROJECTS / "hello-v2", app.project, dirs_exist_ok=True)  # v2: a new column
    fill_in(app, "pyproject.toml", 'version = "1.0"', 'version = "2.0"')
    out = ok(app.fab("pack", "deploy"))
    out = ok(app.fab("run", "python -m hello.migrate"))
    assert f"[{app.host}] schema ready (v2)" in out, out
    assert "hello 2.0" in app.get("/").text and "kept" in app.get("/").text
    ok(app.fab("rollback"))
    assert requests.post(app.url + "/", data={"text": "after rollback"}, allow_redirects=False,
                         timeout=10).status_code == 303
    page = app.get("/").text
    assert "hello 1.0" in page and "kept" in page and "after rollback" in page, page
    assert_served_by_apache(app.get("/static/hello.css"), "text/css")


def refused_gate(app):
    """The gate on one container that is removed at the end: its output, after asserting it failed."""
    result = app.run("pytest", "--pyargs", "deploytests.suite.test_promises", "tests/deploy", "--containers", "1",
                     "-p", "no:cacheprovider", timeout=900)
    assert result.returncode != 0, result.stdout[-3000:]
    return result.stdout + result.stderr


def refused_deploy(app, path, change):
    """``fab pack deploy`` with ``path`` changed by ``change`` (put back after): its output, after asserting it
    failed."""
    kept = path.read_text()
    path.write_text(change(kept))
    try:
        out = app.fab("pack", "deploy")
    finally:
        path.write_text(kept)
    assert out.returncode != 0, out.stdout + out.stderr
    return out.stdout + out.stderr


def test_django_settings_not_running_the_config_is_refused_before_migrate(django_app):
    """The class's Django member: a settings module that never runs the config file would serve on its own
    DEBUG and SECRET_KEY; the deploy refuses it at import (migrate never runs) and says what to add."""
    app = django_app
    live = app.get("/").headers["X-Deploy-Release"]
    said = refused_deploy(app, app.project / "mysite" / "settings.py",
                          lambda text: text.replace('if os.environ.get("MYSITE_CONFIG"):', "if False:"))
    assert ("deploy failed at import: the new release does not read its config: starting (import "
            "mysite.wsgi:application and GET /health/), the app never opened /var/www/mysite/shared/application.cfg"
            ) in said, said
    assert 'have the settings module run the file: if os.environ.get("MYSITE_CONFIG")' in said, said
    assert not re.search(r"\] post_deploy +\d", said), said  # refused before migrate touched the live data
    assert app.get("/").headers["X-Deploy-Release"] == live


def test_django_media_root_inside_the_release_is_refused_before_migrate(django_app):
    """Class: a place the app writes, named by its settings, inside the release (startproject's BASE_DIR / "media"
    is in the release's venv on the servers): the app starts and answers /health/, the first upload fails, and an
    upload would be lost at the next release. A config without init's MEDIA_ROOT line is refused at import."""
    app = django_app
    live = app.get("/").headers["X-Deploy-Release"]
    said = refused_deploy(app, app.project / "config" / "deploy.cfg",
                          lambda text: re.sub(r"(?m)^MEDIA_ROOT = .*$", "", text))
    assert re.search(r"deploy failed at import: the new release keeps the app's files inside the release "
                     r"\(/var/www/mysite/releases/\S+\), which the app user cannot write and every release replaces"
                     r".*: MEDIA_ROOT is /var/www/mysite/releases/\S+/venv/lib/python3\.\d+/site-packages/media",
                     said), said
    assert 'set MEDIA_ROOT in the config file (config_file in deploy.toml) to /var/www/mysite/shared/media' in said
    assert not re.search(r"\] post_deploy +\d", said), said  # refused before migrate touched the live data
    assert app.get("/").headers["X-Deploy-Release"] == live


@pytest.fixture(scope="module")
def linkbox_app(world):
    return App(world, "linkbox")


def test_flask_src_layout_with_its_default_instance_folder_deploys_as_init_wrote_it(linkbox_app):
    """Flask's default instance folder of an installed package is <release>/venv/var/linkbox-instance: init keeps
    it in shared/ (shared_paths), with no change to the app. A deploy.toml that keeps shared/instance instead (the
    app never opens the config installed there) is refused, the hint naming both fixes."""
    app = linkbox_app
    out = ok(app.run("deploytests", "init"))
    assert "wrote   deploy.toml  (entry_point linkbox:create_app())" in out, out
    assert "installed as /var/www/linkbox/shared/venv/var/linkbox-instance/config.py" in out, out
    toml = (app.project / "deploy.toml").read_text()
    for line in ('health_path    = "/ping"', 'static         = { "/static" = "src/linkbox/static" }',
                 'shared_paths   = ["venv/var/linkbox-instance"]'):
        assert line in toml, toml
    assert "change me" not in (app.project / "config/deploy.cfg").read_text()  # a random SECRET_KEY, init's
    shutil.copytree(PROJECTS / "linkbox" / "tests" / "deploy", app.project / "tests" / "deploy", dirs_exist_ok=True)
    # a hand-written deploy.toml keeping shared/instance: the app would run on SECRET_KEY = "dev" with no database
    fill_in(app, "deploy.toml", 'shared_paths   = ["venv/var/linkbox-instance"]', 'shared_paths   = ["instance"]')
    fill_in(app, "deploy.toml", "/var/www/linkbox/shared/venv/var/linkbox-instance/config.py",
            "/var/www/linkbox/shared/instance/config.py")
    out = refused_gate(app)
    assert re.search(r"the new release does not read its config: starting \(import linkbox:create_app\(\)"
                     r"( and GET \S+)?\), the app never opened /var/www/linkbox/shared/instance/config\.py", out), \
        out[-4000:]
    assert re.search(r"it looked for /var/www/linkbox/releases/\S+/venv/var/linkbox-instance/config\.py "
                     r"\(missing\); keep that folder in shared/: list \"venv/var/linkbox-instance\" in "
                     r"shared_paths", out), out[-4000:]
    # what the line says (init's deploy.toml): then the gate is green, the folder kept across v2 and a rollback
    fill_in(app, "deploy.toml", 'shared_paths   = ["instance"]', 'shared_paths   = ["venv/var/linkbox-instance"]')
    fill_in(app, "deploy.toml", "/var/www/linkbox/shared/instance/config.py",
            "/var/www/linkbox/shared/venv/var/linkbox-instance/config.py")
    out = app.gate()
    for test in ("test_saved_link_is_listed", "test_database_is_in_the_shared_instance_folder",
                 "test_static_served_by_apache"):
        assert re.search(rf"::{test}\[docker://web-1\] PASSED", out), out[-4000:]
    assert requests.post(app.url + "/links/add", data={"url": "https://example.org/kept", "title": "kept"},
                         allow_redirects=False, timeout=10).status_code == 302
    fill_in(app, "pyproject.toml", 'version = "0.1.0"', 'version = "0.2.0"')
    ok(app.fab("pack", "deploy"))
    assert "kept" in app.get("/links/").text
    ok(app.fab("rollback"))
    assert "kept" in app.get("/links/").text
    assert_served_by_apache(app.get("/static/linkbox.css"), "text/css")


@pytest.fixture(scope="module")
def shoutbox_app(world):
    return App(world, "shoutbox")


def test_plain_wsgi_single_module_in_src_is_read_with_its_own_settings_variable(shoutbox_app):
    app = shoutbox_app
    out = ok(app.run("deploytests", "init"))
    assert "wrote   deploy.toml  (entry_point shoutbox:application)" in out, out
    assert "no WSGI app found" not in out and "no /health route found" not in out, out
    toml = (app.project / "deploy.toml").read_text()
    for line in ('config_env     = "SHOUTBOX_SETTINGS"', 'config_file    = "config/deploy.cfg"',
                 'health_path    = "/healthz"'):
        assert line in toml, toml
    # what init said: the data dir as a shared path, the settings (TOML, as the app reads them) in the config
    fill_in(app, "deploy.toml", '# shared_paths   = ["instance"]', 'shared_paths   = ["data"]')
    (app.project / "config" / "deploy.cfg").write_text(
        'title = "Shoutbox (production)"\ndata_dir = "/var/www/shoutbox/shared/data"\n')
    shutil.copytree(PROJECTS / "shoutbox" / "tests" / "deploy", app.project / "tests" / "deploy", dirs_exist_ok=True)
    out = app.gate()
    for test in ("test_a_shout_is_stored_and_listed", "test_title_comes_from_the_deployed_config"):
        assert re.search(rf"::{test}\[docker://web-1\] PASSED", out), out[-4000:]
