"""deploy.toml / [tool.deploytests] loading and validation: every bad value names the file, the key, what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploytests.config import load_config
from deploytests.errors import ConfigError
from deploytests.examples import APPS


def write(tmp_path: Path, text: str, name: str = "deploy.toml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def test_recipe_app_defaults_and_paths():
    cfg = load_config(APPS / "yourapplication")
    assert (cfg.app, cfg.entry_point) == ("yourapplication", "yourapplication:app")
    assert cfg.config_env == "YOURAPPLICATION_CONFIG" and cfg.port == 80 and cfg.server_name == "localhost"
    assert cfg.root == "/var/www/yourapplication"
    assert cfg.remote_config_path == "/var/www/yourapplication/shared/application.cfg"
    assert cfg.config_file == (APPS.parent / "config" / "docker.cfg").resolve()
    assert cfg.app_user == "yourapplication" and cfg.deploy_user is None and cfg.keep_releases == 3
    assert cfg.shared_paths == ("data",) and cfg.post_deploy == ("flask --app yourapplication init-data",)


def test_pyproject_table_and_factory_entry_point():
    cfg = load_config(APPS / "pyproject-app")
    assert cfg.source.name == "pyproject.toml" and cfg.entry_point == "pyprojectapp:create_app()"
    assert cfg.config_env == "PYPROJECTAPP_SETTINGS" and cfg.health_path == "/healthz"


def test_deploy_toml_wins_over_pyproject(tmp_path):
    write(tmp_path, '[tool.deploytests]\napp = "other"\nentry_point = "x:app"\n', "pyproject.toml")
    write(tmp_path, 'app = "mine"\nentry_point = "m:app"\n')
    assert load_config(tmp_path).app == "mine"


def test_target_config_overrides_config_file(tmp_path):
    write(tmp_path, 'app = "a"\nentry_point = "a:app"\n')
    (tmp_path / "staging.cfg").write_text("X = 1\n")
    assert load_config(tmp_path, target_config=tmp_path / "staging.cfg").config_file == tmp_path / "staging.cfg"


def test_no_config_says_what_to_create(tmp_path):
    with pytest.raises(ConfigError, match=r"no deploy config in .*Hint: create deploy.toml"):
        load_config(tmp_path)


@pytest.mark.parametrize("name, text", [("deploy.toml", 'app = "a"\nentry_point = "a:app"\n'),
                                        ("pyproject.toml", '[tool.deploytests]\napp = "a"\nentry_point = "a:app"\n')])
def test_no_config_in_a_subdirectory_names_the_project_above(tmp_path, name, text):
    """newuser5 F15: `fab pack` from src/ (Fabric finds the fabfile upward) said to create a deploy.toml that
    exists one level up."""
    (tmp_path / name).write_text(text)
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pyproject.toml").write_text("[tool.black]\n")  # no deploy table: not the project
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "src" / "pkg")
    assert f"Hint: {tmp_path / 'src' / 'pkg'} is inside the project {tmp_path} (it has one): run from there, or " \
           f"pass --app {tmp_path}" in str(caught.value), str(caught.value)


@pytest.mark.parametrize("line, message", [
    ('port = 0', r"key 'port' must be an integer from 1 to 65535, got 0"),
    ('port = "80"', r"key 'port' must be an integer from 1 to 65535, got '80'"),
    ('keep_releases = 1', r"key 'keep_releases' must be an integer from 2 to 1000, got 1"),
    ('processes = 0', r"key 'processes' must be an integer from 1 to 64, got 0"),
    ('health_timeout = 0', r"key 'health_timeout' must be an integer from 1 to 600, got 0"),
    ('health_path = "health"', r"key 'health_path' must be a URL path starting with '/'"),
    ('shared_paths = ["../etc"]', r"key 'shared_paths' must be a list of relative paths without '..'"),
    ('shared_paths = "data"', r"key 'shared_paths' must be a list of non-empty strings"),
    ('post_deploy = [""]', r"key 'post_deploy' must be a list of non-empty strings"),
    ('config_path = "etc/app.cfg"', r"key 'config_path' must be an absolute path on the server"),
    ('config_env = "lower"', r"key 'config_env' must be an env var name"),
    ('app_user = "Bad User"', r"key 'app_user' must be a system user name"),
    ('colour = "blue"', r"unknown key 'colour'; allowed keys: app, entry_point, "),
    ('config_file = "missing.cfg"', r"key 'config_file': .*missing.cfg does not exist"),
])
def test_bad_values_name_file_key_and_allowed(tmp_path, line, message):
    write(tmp_path, f'app = "a"\nentry_point = "a:app"\n{line}\n')
    with pytest.raises(ConfigError, match=message) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(str(tmp_path / "deploy.toml") + ":3: ") and "\n" not in str(info.value)


@pytest.mark.parametrize("app, entry", [("Bad", "a:app"), ("a-b", "a:app"), ("a", "a"), ("a", "a:app()x"),
                                        ("a", "a.:app"), ("a", "a:create app()")])
def test_bad_names_and_entry_points(tmp_path, app, entry):
    write(tmp_path, f'app = "{app}"\nentry_point = "{entry}"\n')
    with pytest.raises(ConfigError, match=r"key '(app|entry_point)' must be"):
        load_config(tmp_path)


def test_missing_required_key_and_bad_toml(tmp_path):
    write(tmp_path, 'app = "a"\n')
    with pytest.raises(ConfigError, match=r"missing required key 'entry_point'"):
        load_config(tmp_path)
    write(tmp_path, 'app = \n')
    with pytest.raises(ConfigError, match=r"deploy.toml:1: not valid TOML: .*Hint: fix the TOML syntax"):
        load_config(tmp_path)


@pytest.mark.parametrize("path", ["/etc/passwd", "/etc/./passwd", "/etc//passwd", "/etc/ld.so.preload",
                                  "/etc/cron.hourly/x", "/etc/other/app.cfg", "/etc/web", "/etc/web/../passwd",
                                  "/var/www/web/releases/x.cfg", "/var/www/web/application.wsgi",
                                  "/var/www/other/shared/app.cfg", "/var/www/web/shared", "/usr/lib/x.cfg",
                                  "/etc/sudoers.d/web", "/root/app.cfg", "/etc/web/web.cfg",
                                  "/var/www/web/shared/../application.wsgi"])
def test_config_path_is_confined_to_the_apps_own_trees(tmp_path, path):
    """Issue 10 finding 3: a string compare let /etc/./passwd, /etc//passwd and any path not on a deny-list
    through; now only files below /var/www/<app>/shared/ pass (issue 16: the deploy login installs the config
    in the app's own tree; /etc/<app> is no longer used), decided on path components."""
    (tmp_path / "deploy.toml").write_text(f'app = "web"\nentry_point = "web:app"\nconfig_path = "{path}"\n')
    with pytest.raises(ConfigError, match=r"deploy.toml:3: key 'config_path' must (not contain '..'|name a file "
                                          r"under /var/www/web/shared/ \(the app's own tree, where deploys install "
                                          r"it\)), got"):
        load_config(tmp_path)


def test_find_links_are_dirs_relative_to_the_config_or_urls(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "deploy.toml").write_text('app = "x"\nentry_point = "x:app"\n'
                                          'find_links = ["vendor", "https://wheels.example/simple/x/"]\n')
    assert load_config(tmp_path).find_links == (str(tmp_path / "vendor"), "https://wheels.example/simple/x/")
    (tmp_path / "deploy.toml").write_text('app = "x"\nentry_point = "x:app"\nfind_links = ["missing"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == (f"{tmp_path}/deploy.toml:3: key 'find_links': {tmp_path}/missing is not a directory. "
                               "Hint: give directories (relative to this file) or http(s):// URLs.")
@pytest.mark.parametrize("path", ["/var/www/web/shared/instance/config.py", "/var/www//web/./shared/web.cfg",
                                  "/var/www/web/shared/application.cfg", "/var/www/web/shared/conf/app.cfg"])
def test_config_path_may_live_in_the_apps_own_trees(tmp_path, path):
    (tmp_path / "deploy.toml").write_text(f'app = "web"\nentry_point = "web:app"\nconfig_path = "{path}"\n')
    assert load_config(tmp_path).config_path == path


@pytest.mark.parametrize("key", ["app_user", "deploy_user"])
def test_app_and_deploy_user_are_never_root(tmp_path, key):
    """Issue 10 finding 2: app_user = "root" made bootstrap grant deployer ALL as root; refused up front now."""
    (tmp_path / "deploy.toml").write_text(f'app = "web"\nentry_point = "web:app"\n{key} = "root"\n')
    with pytest.raises(ConfigError, match=rf"deploy.toml:3: key '{key}' may not be 'root'"):
        load_config(tmp_path)


def test_config_directory_gives_each_host_its_own_file(tmp_path):
    (tmp_path / "hosts").mkdir()
    (tmp_path / "hosts" / "web1.example.com.cfg").write_text("NAME = 'web1'\n")
    (tmp_path / "hosts" / "127.0.0.1:2222.cfg").write_text("NAME = 'c2'\n")
    (tmp_path / "deploy.toml").write_text('app = "web"\nentry_point = "web:app"\nconfig_file = "hosts"\n')
    cfg = load_config(tmp_path)
    assert cfg.config_for("web1.example.com").name == "web1.example.com.cfg"
    assert cfg.config_for("127.0.0.1", 2222).name == "127.0.0.1:2222.cfg"
    with pytest.raises(ConfigError, match=r"hosts: no config for host web2.example.com in this directory \(expected "
                                          r"web2.example.com:22.cfg or web2.example.com.cfg\)"):
        cfg.config_for("web2.example.com")
    single = cfg.with_config_file(tmp_path / "hosts" / "web1.example.com.cfg")
    assert single.config_for("anything") == single.config_file


def test_secrets_of_every_host_config_are_redacted(tmp_path):
    from deploytests.redaction import secrets_of

    (tmp_path / "web1.cfg").write_text('SECRET_KEY = "one-secret-value"\n')
    (tmp_path / "web2.cfg").write_text('SECRET_KEY = "two-secret-value"\n')
    assert sorted(secrets_of(tmp_path).keyed) == ["one-secret-value", "two-secret-value"]


@pytest.mark.parametrize("python", ["/home/deployer/py", "../../home/deployer/py", "/proc/self/root/usr/bin/python3",
                                    "/usr/bin/python3", "python", "python3;id"])
def test_python_is_a_name_never_a_path(tmp_path, python):
    """Issue 16: deploy.toml's python ran as root at bootstrap (and as the login of every deploy and of the gate's
    probe); bootstrap and the probe now run the stack's fixed python, and deploys a name the login's PATH finds."""
    (tmp_path / "deploy.toml").write_text(f'app = "web"\nentry_point = "web:app"\npython = "{python}"\n')
    with pytest.raises(ConfigError, match=r"deploy.toml:3: key 'python' must be python3 or python3.X"):
        load_config(tmp_path)


def test_a_host_tables_name_picks_its_config_and_the_error_names_the_config_dir(tmp_path):
    """newuser12: a target of four containers on 127.0.0.1, each a host table with its `name` (web1..web4: what the
    hooks, the base_url keys and every output line call it), with config_file = "config/fleet" holding web1.cfg..:
    refused, `deploy.toml: no config for host 127.0.0.1 ... (expected 127.0.0.1.cfg or 127.0.0.1:33402.cfg)`: the
    name was not looked at, and the message named deploy.toml, which set no config_file (the target did). Class: a
    host's identity in one place and not in another. The name's file comes first; the error names the config dir
    and every file it looked for."""
    (tmp_path / "fleet").mkdir()
    (tmp_path / "fleet" / "web1.cfg").write_text("NAME = 'web1'\n")
    (tmp_path / "fleet" / "127.0.0.1:2200.cfg").write_text("NAME = 'by port'\n")
    (tmp_path / "deploy.toml").write_text('app = "web"\nentry_point = "web:app"\n')
    cfg = load_config(tmp_path, target_config=tmp_path / "fleet")
    assert cfg.config_for("127.0.0.1", 2200, name="web1").name == "web1.cfg"
    assert cfg.config_for("127.0.0.1", 2200, name="127.0.0.1").name == "127.0.0.1:2200.cfg"
    with pytest.raises(ConfigError) as exc:
        cfg.config_for("127.0.0.1", 2201, name="web2")
    line = exc.value.one_line()
    assert "deploy.toml" not in line and f"config_file {tmp_path / 'fleet'}" in line, line
    assert "web2.cfg, 127.0.0.1:2201.cfg or 127.0.0.1.cfg" in line, line


@pytest.mark.parametrize("line", [
    'static = { "/static\\n" = "pkg/static" }',  # the URL prefix: its Alias line in the site file root writes
    'static = { "/static" = "pkg/static\\n" }',  # the dir: its Alias and <Directory> lines
    'env = { "FOO\\n" = "x" }',  # a name of the app's environment (RELEASE.json, the agent's spawn env)
])
def test_a_value_of_deploy_toml_ending_in_a_newline_is_refused(tmp_path, line):
    """A value checked against ``^...$`` with ``re.match``: ``$`` also matches before a final newline, so the
    repository's ``static = { "/static\\n" = ... }`` passed and bootstrap sent root a site file whose ``Alias`` line
    the newline broke in two (``Alias /static`` / ``/ /var/www/<app>/current/...``): the repository chose where a
    line of root's file ends. (Here Apache's configtest refuses the result and root puts the previous site file
    back; the class is the check, not this file.) Class: a pattern check that lets a line break through. Each such
    value is matched in full (``fullmatch``), as the schema's fields already are: the other members, ``app``,
    ``server_name``, ``health_path`` and ``config_env`` with a final newline, are refused (below)."""
    write(tmp_path, f'app = "a"\nentry_point = "a:app"\n{line}\n')
    with pytest.raises(ConfigError, match="must be"):
        load_config(tmp_path)


@pytest.mark.parametrize("line", ['app = "a\\n"', 'server_name = "x\\n"', 'health_path = "/health\\n"',
                                  'config_env = "A_CONFIG\\n"'])
def test_the_schemas_fields_ending_in_a_newline_are_refused(tmp_path, line):
    body = "\n".join(x for x in ['app = "a"', 'entry_point = "a:app"'] if x.split()[0] != line.split()[0])
    write(tmp_path, f"{body}\n{line}\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path)
