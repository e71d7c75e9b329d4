"""The root agent's bootstrap and config helper, whole, against a Debian server in a temp dir (``fake_debian``).

``agent_root.py`` takes the system it runs on as one object (``agent_root.SYSTEM``: the file tree's root, the
account database, the command runner, file ownership, the euid). Here that object is a temp dir, in-memory
accounts, recorded commands that change the tree as Debian's would, and recorded owners, so every step runs
for real (the same fd walk, ``O_EXCL`` temp files, renames, ``fchown``/``fchmod`` on the fds) as any user, and
each safety decision is asserted where it is taken. The same steps as root on real servers:
tests/integration/test_root_safety.py, test_plain_debian.py, test_config_lifecycle.py.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest
from fake_debian import DEPLOYER_UID, FakeDebian

from deploytests.pipeline import agent_root as ar

RULES = ["deployer ALL=(app) NOPASSWD: /var/www/app/releases/*/venv/bin/python",
         "deployer ALL=(root) NOPASSWD: %s -I /var/lib/deploytests/agent_root.py config app" % sys.executable]
SUDOERS = "/etc/sudoers.d/deploytests-app"
HELPER_SOURCE = b"# the root agent, as bundled\n"
# Files of the machine running the tests that a bootstrap of app ``app`` would touch if it escaped its root.
REAL = ["/etc/app", SUDOERS, "/var/www/app", "/var/lib/deploytests/app.json",
        "/etc/apache2/sites-available/app.conf"]


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A Debian server in ``tmp_path/server``, installed as the root agent's system for this test."""
    debian = FakeDebian(tmp_path / "server")
    monkeypatch.setattr(ar, "SYSTEM", debian.system)
    return debian


def events(capsys):
    return [json.loads(ln[len(ar.EVENT):]) for ln in capsys.readouterr().out.splitlines() if ln.startswith(ar.EVENT)]


def feed(monkeypatch, data: bytes):
    monkeypatch.setattr(ar.sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))


@pytest.fixture
def bootstrap(server, monkeypatch, capsys):
    """``bootstrap(config=..., **fields)``: one run of ``agent_root.py bootstrap`` as the runner starts it (the
    arguments as JSON, the config then the helper's source on stdin); (exit code, events)."""

    def run(config: bytes | None = b"A=1\n", **overrides):
        args = server.args(config_size=None if config is None else len(config), helper_size=len(HELPER_SOURCE),
                           **overrides)
        feed(monkeypatch, (config or b"") + HELPER_SOURCE)
        code = ar.main(["bootstrap", args.to_json()])
        return code, events(capsys)

    return run


@pytest.fixture
def helper(server, monkeypatch, capsys):
    """``helper(request, data=b"")``: one run of the config helper (``agent_root.py config app``); (code, last
    event)."""

    def run(request: dict, data: bytes = b"", app: str = "app"):
        feed(monkeypatch, json.dumps(request).encode() + b"\n" + data)
        code = ar.main(["config", app])
        return code, events(capsys)[-1]

    return run


def ok(result):
    code, evs = result
    assert code == 0 and evs[-1]["event"] == "result", evs[-1]
    return evs[-1]


def failed(result):
    code, evs = result
    assert code == 3 and evs[-1]["event"] == "error", evs[-1]
    return evs[-1]


# -- a whole bootstrap ---------------------------------------------------------------------------------------

def test_bootstrap_makes_a_plain_server_ready_inside_its_root_only(server, bootstrap):
    before = {p: os.path.lexists(p) for p in REAL}
    code, evs = bootstrap()
    assert code == 0 and [e["step"] for e in evs if e["event"] == "step"] == [
        "packages", "users", "tree", "apache", "sudoers"]
    assert server.runner.programs() == [
        "dpkg-query", "dpkg-query", "apt-get", "apt-get", "useradd", "usermod", os.path.basename(sys.executable),
        "a2enmod", "a2dissite", "a2ensite", "apache2ctl", "a2enconf", "apache2ctl", "apache2ctl", "visudo"]
    assert server.runner.calls[3][-1] == "libapache2-mod-wsgi-py3"  # only the missing package
    assert server.runner.kwargs[3]["env"]["DEBIAN_FRONTEND"] == "noninteractive"
    # the app user: a system account marked as deploytests', recorded; the deploy user joins its group
    app = server.accounts.getpwnam("app")
    assert (app.pw_uid, app.pw_gecos, app.pw_dir, app.pw_shell) == (999, ar.MARK, "/var/www/app", "/usr/sbin/nologin")
    assert server.accounts.getgrnam("app").gr_mem == ["deployer"]
    assert server.path("/var/lib/deploytests/users").read_text() == "app\n"
    # the tree: the deploy user's where deploys write, root's (the app group reads) where they must not
    tree = {p: (server.owner(p), server.mode(p)) for p in [
        "/var/www", "/var/www/app", "/var/www/app/releases", "/var/www/app/shared", "/var/www/app/.deploy.lock",
        "/var/www/app/application.wsgi", "/var/www/app/python", "/etc/app", "/etc/app/app.cfg",
        "/var/lib/deploytests", "/var/lib/deploytests/agent_root.py", "/var/lib/deploytests/app.json", SUDOERS]}
    assert tree == {
        "/var/www": ("root:root", "0o755"), "/var/www/app": ("deployer:deployer", "0o755"),
        "/var/www/app/releases": ("deployer:deployer", "0o755"), "/var/www/app/shared": ("root:app", "0o750"),
        "/var/www/app/.deploy.lock": ("deployer:deployer", "0o644"),
        "/var/www/app/application.wsgi": ("deployer:deployer", "0o644"),
        "/var/www/app/python": ("root:root", "0o755"), "/etc/app": ("root:app", "0o750"),
        "/etc/app/app.cfg": ("root:app", "0o640"), "/var/lib/deploytests": ("root:root", "0o755"),
        "/var/lib/deploytests/agent_root.py": ("root:root", "0o644"),
        "/var/lib/deploytests/app.json": ("root:root", "0o644"), SUDOERS: ("root:root", "0o440")}
    assert server.path("/etc/app/app.cfg").read_bytes() == b"A=1\n"
    assert server.path("/var/lib/deploytests/agent_root.py").read_bytes() == HELPER_SOURCE
    settings = json.loads(server.path("/var/lib/deploytests/app.json").read_text())
    assert (settings["config_path"], settings["app_group"], settings["config_command"]) == (
        "/etc/app/app.cfg", "app", ["sudo", "-n", sys.executable, "-I", ar.HELPER, "config", "app"])
    assert (server.path("/var/www/app/python/pyvenv.cfg").is_file()
            and server.files("/var/lib/deploytests") == ["agent_root.py", "app.json", "bootstrap.lock", "users"])
    # Apache: the vhost enabled, the catch-all site off, a global ServerName so configtest is clean, started
    assert server.path("/etc/apache2/sites-available/app.conf").read_text() == "# vhost\n"
    assert server.files("/etc/apache2/sites-enabled") == ["app.conf"]
    assert server.files("/etc/apache2/conf-enabled") == [ar.SERVERNAME + ".conf"]
    result = evs[-1]
    assert result["apache_pid"] == os.getpid() and result["changed"]
    assert result["changes"][-1] == ("sudoers written: %s (deployer may run the release python as app and the config "
                                     "helper)" % SUDOERS)
    # what a bootstrap on the machine itself would have touched is as it was: all of it went to the temp root
    assert {p: os.path.lexists(p) for p in REAL} == before


def test_the_sudoers_file_is_exactly_the_two_rules_visudo_checked(server, bootstrap):
    ok(bootstrap())
    text = server.path(SUDOERS).read_text()
    assert [ln for ln in text.splitlines() if not ln.startswith("#")] == RULES
    assert server.visudo_saw == [text]  # checked before it was moved in (in a temp name beside it)
    assert server.files("/etc/sudoers.d") == ["deploytests-app"]


def test_a_second_bootstrap_changes_nothing_and_runs_no_installer(server, bootstrap):
    ok(bootstrap())
    server.runner.calls.clear()
    result = ok(bootstrap())
    assert (result["changed"], result["changes"]) == (False, [])
    assert server.runner.programs() == ["dpkg-query", "dpkg-query", "apache2ctl"]  # configtest only; no reload


def test_a_deploy_user_who_is_the_app_user_gets_only_the_config_helper(server, bootstrap):
    server.accounts.add_user("web", 1002, home="/home/web", shell="/bin/bash")
    ok(bootstrap(app_user="web", deploy_user="web"))
    assert "usermod" not in server.runner.programs()
    lines = [ln for ln in server.path(SUDOERS).read_text().splitlines() if not ln.startswith("#")]
    assert lines == [RULES[1].replace("deployer", "web")]
    assert server.owner("/var/www/app") == "web:web"


def test_config_under_the_shared_tree_gets_root_app_dirs(server, bootstrap):
    ok(bootstrap(config_path="/var/www/app/shared/conf/app.cfg", shared_paths=["data/uploads"]))
    assert {p: server.owner(p) + " " + server.mode(p) for p in [
        "/var/www/app/shared/conf", "/var/www/app/shared/conf/app.cfg", "/var/www/app/shared/data",
        "/var/www/app/shared/data/uploads"]} == {
        "/var/www/app/shared/conf": "root:app 0o750", "/var/www/app/shared/conf/app.cfg": "root:app 0o640",
        "/var/www/app/shared/data": "app:app 0o770", "/var/www/app/shared/data/uploads": "app:app 0o770"}
    assert not server.path("/etc/app").exists()


def test_a_changed_config_restarts_the_live_release_and_a_changed_vhost_reloads_apache(server, bootstrap):
    ok(bootstrap(config=None))
    assert not server.path("/etc/app").exists()  # no config given: none written
    server.path("/var/www/app/releases/r1").mkdir()
    os.symlink("releases/r1", server.path("/var/www/app/current"))
    os.utime(server.path("/var/www/app/application.wsgi"), (1, 1))
    result = ok(bootstrap(config=b"A=2\n"))
    assert result["changes"][-1] == "app reloaded: the live release restarts with the new config"
    assert server.path("/var/www/app/application.wsgi").stat().st_mtime > 1
    assert "graceful" not in [c[-1] for c in server.runner.calls]
    result = ok(bootstrap(config=b"A=2\n", vhost="# vhost 2\n"))
    assert result["changes"] == ["file written: /etc/apache2/sites-available/app.conf", "apache reloaded (graceful)"]
    assert server.runner.calls[-1] == ["/usr/sbin/apache2ctl", "graceful"]


@pytest.mark.parametrize("pid_file", ["", "not a pid\n", "999999999\n"])
def test_apache_that_is_not_running_is_started(server, bootstrap, pid_file):
    ok(bootstrap())
    server.path("/var/run/apache2/apache2.pid").write_text(pid_file)
    result = ok(bootstrap())
    assert result["changes"] == ["apache started"] and result["apache_pid"] == os.getpid()


def test_an_app_user_made_by_an_older_bootstrap_is_reused(server, bootstrap):
    server.accounts.add_user("app", 998, home="/var/www/app", shell="/usr/sbin/nologin")
    ok(bootstrap())
    assert "useradd" not in server.runner.programs() and server.owner("/etc/app/app.cfg") == "root:app"


# -- refusals: users, paths, links ---------------------------------------------------------------------------

@pytest.mark.parametrize("fields, what", [
    ({"app_user": "root"}, "app_user 'root' is root (uid 0): deploys never run as root"),
    ({"app_user": "www-data"}, "app_user 'www-data' is an existing system account (uid 33) that deploytests did "
                               "not create"),
    ({"deploy_user": "root"}, "deploy_user 'root' is root (uid 0): deploys never run as root"),
    ({"deploy_user": "ghost"}, "deploy_user 'ghost' does not exist"),
])
def test_root_or_a_foreign_account_as_app_or_deploy_user_is_refused_before_any_change(server, bootstrap, fields,
                                                                                        what):
    error = failed(bootstrap(**fields))
    assert (error["what"], error["step"]) == (what, "users")
    assert server.runner.programs() == ["dpkg-query", "dpkg-query", "apt-get", "apt-get"]  # no useradd/usermod
    assert server.files("/etc/sudoers.d") == [] and not server.path("/var/www/app").exists()


@pytest.mark.parametrize("config_path", ["/etc/app/../shadow", "/etc/shadow", "/etc/app", "/var/www/app/releases/x",
                                         "/var/www/app/shared/../current/app.cfg", "etc/app/app.cfg"])
def test_a_config_path_outside_the_apps_trees_stops_bootstrap_before_anything(server, bootstrap, config_path):
    error = failed(bootstrap(config_path=config_path))
    assert error["what"].startswith("config_path %r must" % config_path) and error["step"] == "config"
    assert server.runner.calls == [] and not server.path("/var/lib/deploytests").exists()


def plant(server, where: str, kind: str):
    """Something the deploy login could have left at ``where`` (server path): a link to /etc/shadow, or to
    a directory of root's."""
    server.path("/etc/shadow").write_text("root:*:::\n")
    os.symlink("/etc/shadow" if kind == "file" else "/etc/apache2", server.path(where))


@pytest.mark.parametrize("where, kind, step", [
    ("/var/www/app/.deploy.lock", "file", "tree"),
    ("/var/www/app/application.wsgi", "file", "tree"),
    ("/var/www/app/shared", "dir", "tree"),
    ("/var/www/app/python", "dir", "tree"),
    ("/etc/app", "dir", "tree"),
    (SUDOERS, "file", "sudoers"),
])
def test_a_planted_link_is_refused_and_what_it_points_at_is_untouched(server, bootstrap, where, kind, step):
    ok(bootstrap())
    server.path(where).unlink() if not server.path(where).is_dir() else os.rename(
        server.path(where), server.path(where + ".moved"))
    plant(server, where, kind)
    shadow, apache = server.path("/etc/shadow"), server.path("/etc/apache2")
    seen = (shadow.read_bytes(), oct(shadow.stat().st_mode), server.owners.of(shadow), oct(apache.stat().st_mode),
            server.owners.of(apache), sorted(os.listdir(apache)))
    error = failed(bootstrap(config=b"A=2\n", wsgi="# wsgi 2\n"))
    assert error["what"].startswith("refusing %s" % where) and error["step"] == step, error
    assert (shadow.read_bytes(), oct(shadow.stat().st_mode), server.owners.of(shadow), oct(apache.stat().st_mode),
            server.owners.of(apache), sorted(os.listdir(apache))) == seen


def test_a_link_planted_at_roots_state_dir_is_refused_before_the_lock(server, bootstrap):
    server.path("/var/lib/elsewhere").mkdir()
    os.symlink("elsewhere", server.path("/var/lib/deploytests"))
    error = failed(bootstrap())
    assert error["what"].startswith("refusing /var/lib/deploytests: it (or a directory above it) is a symbolic link")
    assert error["step"] == "bootstrap" and os.listdir(server.path("/var/lib/elsewhere")) == []


def test_a_hard_link_to_a_system_file_where_bootstrap_writes_is_refused(server, bootstrap):
    ok(bootstrap())
    server.path("/etc/shadow").write_text("root:*:::\n")
    wsgi = server.path("/var/www/app/application.wsgi")
    wsgi.unlink()
    os.link(server.path("/etc/shadow"), wsgi)
    error = failed(bootstrap(wsgi="# new\n"))
    assert error["what"] == "refusing /var/www/app/application.wsgi: it has 2 hard links (one may be a system file)"
    assert server.path("/etc/shadow").read_text() == "root:*:::\n"


def test_etc_app_of_someone_else_is_refused(server, bootstrap):
    server.path("/etc/app").mkdir()
    server.owners.chown(server.path("/etc/app"), 33, 33)
    error = failed(bootstrap())
    assert error["what"] == ("config_path '/etc/app/app.cfg': /etc/app exists and is not the app's (owner "
                             "www-data:www-data, expected root:app)")
    assert os.listdir(server.path("/etc/app")) == []


def test_a_directory_where_a_file_goes_is_refused(server, bootstrap):
    server.path("/var/www/app/application.wsgi").mkdir(parents=True)
    error = failed(bootstrap())
    assert error["what"] == "refusing /var/www/app/application.wsgi: not a regular file"


def test_a_foreign_pyvenv_cfg_in_the_python_home_is_refused(server, bootstrap):
    ok(bootstrap())
    server.owners.chown(server.path("/var/www/app/python/pyvenv.cfg"), DEPLOYER_UID, DEPLOYER_UID)
    error = failed(bootstrap())
    assert error["what"] == "refusing /var/www/app/python/pyvenv.cfg: not a regular file of root's"


# -- failures: one line, its step, and no grant left behind --------------------------------------------------

def test_a_command_failing_mid_bootstrap_is_one_line_naming_its_step(server, bootstrap):
    server.installed.discard("apache2")
    server.runner.fail("apt-get", "Hit:1 http://deb.debian.org/debian bookworm InRelease\nE: Failed to fetch "
                       "http://deb.debian.org/debian/dists/bookworm/InRelease", code=100)
    error = failed(bootstrap())
    assert error["what"] == ("apt-get update failed (exit 100): E: Failed to fetch "
                             "http://deb.debian.org/debian/dists/bookworm/InRelease")
    assert error["step"] == "packages" and "needs its Debian mirror, or install apache2 libapache2-mod-wsgi-py3" \
        in error["hint"]
    assert error["detail"].startswith("$ apt-get -o DPkg::Lock::Timeout=120 update -qq\nHit:1")


def test_an_interrupted_dpkg_is_named_with_the_command_that_finishes_it(server, bootstrap):
    server.runner.fail("apt-get", "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct "
                       "the problem.", code=100, when=lambda cmd: "install" in cmd)
    error = failed(bootstrap())
    assert error["what"].startswith("apt-get install failed (exit 100): E: dpkg was interrupted")
    assert "run `sudo dpkg --configure -a` on the server" in error["hint"]


def test_a_failing_useradd_says_so_with_no_output(server, bootstrap):
    server.runner.fail("useradd", "", code=9)
    error = failed(bootstrap())
    assert (error["what"], error["step"]) == ("useradd app failed (exit 9): no output", "users")


def test_a_rule_visudo_rejects_is_never_moved_in_and_the_group_grant_is_taken_back(server, bootstrap):
    server.runner.fail("visudo", ">>> /etc/sudoers.d/.deploytests-app.dt-x: syntax error near line 2 <<<")
    error = failed(bootstrap())
    assert (error["what"], error["step"]) == ("the generated sudoers rule is invalid (exit 1): >>> /etc/sudoers.d/"
                                              ".deploytests-app.dt-x: syntax error near line 2 <<<", "sudoers")
    assert server.files("/etc/sudoers.d") == []  # not the rule, nor its temp file
    assert server.runner.calls[-1] == ["gpasswd", "-d", "deployer", "app"]
    assert server.accounts.getgrnam("app").gr_mem == []


def test_a_failure_after_the_sudoers_step_removes_a_new_rule_and_restores_an_old_one(server, bootstrap,
                                                                                     monkeypatch):
    real = ar.ensure_sudoers

    def then_fail(args, changes, undo):
        real(args, changes, undo)
        raise ar.AgentError("something after the rule failed")

    monkeypatch.setattr(ar, "ensure_sudoers", then_fail)
    assert failed(bootstrap())["what"] == "something after the rule failed"
    assert server.files("/etc/sudoers.d") == [] and server.accounts.getgrnam("app").gr_mem == []
    monkeypatch.setattr(ar, "ensure_sudoers", real)
    ok(bootstrap())
    old = b"# an older deploytests' rule\n" + RULES[1].encode() + b"\n"
    server.path(SUDOERS).unlink()  # (the file is 0440: replaced, as root would overwrite it)
    server.path(SUDOERS).write_bytes(old)
    server.path(SUDOERS).chmod(0o440)
    monkeypatch.setattr(ar, "ensure_sudoers", then_fail)
    failed(bootstrap())
    assert server.path(SUDOERS).read_bytes() == old and server.mode(SUDOERS) == "0o440"


def test_configtest_failing_on_the_first_bootstrap_removes_the_site_and_every_grant(server, bootstrap):
    error = failed(bootstrap(vhost="Broken directive\n"))
    assert error["what"] == "apache2ctl configtest failed: AH00526: Syntax error on line 1 of /etc/apache2/" \
                            "sites-enabled/app.conf:"
    assert error["step"] == "apache" and "Apache was not reloaded" in error["hint"]
    assert server.files("/etc/apache2/sites-available") == ["000-default.conf"]
    assert server.files("/etc/apache2/sites-enabled") == [] and server.files("/etc/sudoers.d") == []
    assert server.accounts.getgrnam("app").gr_mem == [] and "start" not in [c[-1] for c in server.runner.calls]


def test_configtest_failing_on_a_later_bootstrap_puts_the_previous_vhost_back(server, bootstrap):
    ok(bootstrap())
    failed(bootstrap(vhost="Broken\n"))
    assert server.path("/etc/apache2/sites-available/app.conf").read_text() == "# vhost\n"
    assert server.files("/etc/apache2/sites-enabled") == ["app.conf"]
    assert server.files("/etc/sudoers.d") == ["deploytests-app"]  # the grant of the earlier bootstrap stays
    assert "graceful" not in [c[-1] for c in server.runner.calls]


def test_a_failing_venv_for_the_python_home_is_one_line_and_leaves_no_stage(server, bootstrap):
    server.runner.fail(os.path.basename(sys.executable), "Error: ensurepip is not available\nThe virtual "
                       "environment was not created successfully", code=1)
    error = failed(bootstrap())
    assert error["what"] == ("creating the daemons' python-home /var/www/app/python failed: The virtual environment "
                             "was not created successfully")
    assert error["step"] == "tree" and error["hint"] == "is python3-venv installed?"
    assert "python-home" not in " ".join(server.files("/var/lib/deploytests"))


def test_a_python_home_that_cannot_be_renamed_into_place_is_refused_and_its_stage_removed(server, bootstrap):
    server.path("/var/www/app/python").mkdir(parents=True)
    server.path("/var/www/app/python/planted").write_text("x")  # not empty: rename(2) refuses to replace it
    error = failed(bootstrap())
    assert error["what"] == "cannot move the daemons' python-home into /var/www/app/python: Directory not empty"
    assert server.runner.calls[-2][:3] == ["rm", "-rf", "--one-file-system"]  # then the group grant's undo
    assert "python-home" not in " ".join(server.files("/var/lib/deploytests"))


HOLD = textwrap.dedent("""
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    (fcntl.lockf if sys.argv[2] == "lockf" else fcntl.flock)(fd, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.read()
""")


@pytest.fixture
def hold():
    """``hold(path, kind)``: another process holds an exclusive lock (``lockf`` as dpkg does, or ``flock``) on
    ``path`` until the test ends."""
    holders = []

    def start(path, kind):
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), kind], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        holders.append(proc)
        assert proc.stdout.readline() == "held\n"

    yield start
    for proc in holders:
        proc.stdin.close()
        proc.wait(10)
        proc.stdout.close()


def test_a_held_dpkg_lock_is_waited_for_within_the_bound_then_named(server, bootstrap, hold):
    server.installed.discard("libapache2-mod-wsgi-py3")
    hold(server.path("/var/lib/dpkg/lock-frontend"), "lockf")
    code, evs = bootstrap(dpkg_lock_timeout=0)
    assert code == 3 and [e["step"] for e in evs[:-1]] == ["dpkg_wait"]
    assert evs[0]["message"] == ("waiting for the dpkg lock /var/lib/dpkg/lock-frontend (another apt or dpkg runs), "
                                 "up to 0s")
    assert evs[-1]["what"] == "the dpkg lock: /var/lib/dpkg/lock-frontend is held by another process; gave up after 0s"
    assert evs[-1]["step"] == "packages" and "apt-get" not in server.runner.programs()


def test_no_dpkg_lock_file_means_nothing_to_wait_for(server, bootstrap):
    server.installed.discard("libapache2-mod-wsgi-py3")
    server.path("/var/lib/dpkg/lock-frontend").unlink()
    ok(bootstrap(dpkg_lock_timeout=0))


def test_a_second_bootstrap_at_once_waits_for_the_lock_within_its_bound(server, bootstrap):
    ok(bootstrap())
    fd = os.open(server.path("/var/lib/deploytests/bootstrap.lock"), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # flock: a second open file of this process conflicts as another would
        code, evs = bootstrap(lock_timeout=0)
    finally:
        os.close(fd)
    assert code == 3 and evs[0]["step"] == "lock_wait"
    assert evs[-1]["what"] == ("bootstrap lock: /var/lib/deploytests/bootstrap.lock is held by another process; gave "
                               "up after 0s")


def test_the_root_check_is_the_systems(server, capsys):
    server.system.geteuid = lambda: DEPLOYER_UID
    assert ar.main(["config", "app"]) == 3
    assert events(capsys)[-1]["what"] == "config must run as root"


# -- the config helper, as a deploy runs it through its one sudoers rule -------------------------------------

def test_the_config_helper_installs_keeps_restores_and_activates(server, bootstrap, helper):
    ok(bootstrap())
    code, result = helper({"op": "install", "size": 4}, b"A=2\n")
    assert code == 0 and result["sha256"] == hashlib.sha256(b"A=2\n").hexdigest() and result["changed"]
    cfg = server.path("/etc/app/app.cfg")
    assert cfg.read_bytes() == b"A=2\n" and server.path("/etc/app/.app.cfg.previous").read_bytes() == b"A=1\n"
    assert (server.owner("/etc/app/app.cfg"), server.mode("/etc/app/app.cfg")) == ("root:app", "0o640")
    v2 = "/etc/app/" + ar.version_name("app.cfg", hashlib.sha256(b"A=2\n").hexdigest())
    assert (server.owner(v2), server.mode(v2), server.path(v2).read_bytes()) == ("root:app", "0o640", b"A=2\n")
    assert helper({"op": "restore"}) == (0, {"event": "result", "changed": True, "found": True, "sha256": None,
                                             "changes": []})
    assert cfg.read_bytes() == b"A=1\n"
    assert helper({"op": "restore"})[1]["changed"] is False  # nothing left to restore
    code, result = helper({"op": "activate", "sha256": hashlib.sha256(b"A=2\n").hexdigest()})
    assert (code, result["changed"], result["found"], cfg.read_bytes()) == (0, True, True, b"A=2\n")
    code, result = helper({"op": "activate", "sha256": hashlib.sha256(b"A=3\n").hexdigest()})
    assert (result["changed"], result["found"]) == (False, False)


def test_the_config_helper_uses_only_roots_own_kept_copies(server, bootstrap, helper):
    ok(bootstrap())
    helper({"op": "install", "size": 4}, b"A=2\n")
    sha = hashlib.sha256(b"A=2\n").hexdigest()
    kept = server.path("/etc/app/" + ar.version_name("app.cfg", sha))
    server.owners.chown(kept, DEPLOYER_UID, DEPLOYER_UID)
    code, error = helper({"op": "activate", "sha256": sha})
    assert (code, error["what"]) == (3, "refusing %s: not root's own copy" % kept.name)
    server.owners.chown(kept, 0, 0)
    kept.write_bytes(b"A=666\n")  # the copy does not hold what its name says: not used
    assert helper({"op": "activate", "sha256": sha})[1]["found"] is False


def test_the_config_helper_trusts_only_roots_record_of_the_app(server, bootstrap, helper):
    ok(bootstrap())
    record = server.path("/var/lib/deploytests/app.json")
    assert helper({"op": "restore"}, app="../app")[1]["what"] == "no such app '../app'"
    assert helper({"op": "restore"}, app="other")[1]["what"] == ("/var/lib/deploytests/other.json is missing: the app "
                                                                 "was not bootstrapped here")
    server.owners.chown(record, DEPLOYER_UID, DEPLOYER_UID)
    assert helper({"op": "restore"})[1]["what"] == "refusing /var/lib/deploytests/app.json: not root's own file"
    server.owners.chown(record, 0, 0)
    record.chmod(0o666)
    assert helper({"op": "restore"})[1]["what"] == "refusing /var/lib/deploytests/app.json: not root's own file"
    record.chmod(0o644)
    settings = json.loads(record.read_text())
    record.write_text(json.dumps(dict(settings, config_path="/etc/shadow")))  # even root's record is checked
    code, error = helper({"op": "install", "size": 4}, b"A=2\n")
    assert (code, error["what"]) == (3, "config_path '/etc/shadow' must name a file in the app's own trees: "
                                        "/etc/app/... or /var/www/app/shared/...")


def test_the_config_helper_refuses_a_config_dir_planted_as_a_link(server, bootstrap, helper):
    ok(bootstrap())
    os.rename(server.path("/etc/app"), server.path("/etc/app.moved"))
    server.path("/etc/elsewhere").mkdir()
    os.symlink("elsewhere", server.path("/etc/app"))
    code, error = helper({"op": "install", "size": 4}, b"A=2\n")
    assert code == 3 and error["what"].startswith("refusing /etc/app: it (or a directory above it) is a symbolic")
    assert os.listdir(server.path("/etc/elsewhere")) == []


# -- the program's edges ---------------------------------------------------------------------------------------

def test_an_unknown_command_and_an_unexpected_crash_are_one_line_each(server, capsys, monkeypatch):
    assert ar.main(["chown", "x"]) == 3 and events(capsys)[-1]["what"] == "unknown command 'chown'"
    monkeypatch.setattr(ar, "load_settings", lambda app: 1 / 0)
    assert ar.main(["config", "app"]) == 4
    crash = events(capsys)[-1]
    assert crash["what"] == "root agent crashed: ZeroDivisionError: division by zero" and crash["step"] == "config"
    assert "Traceback" in crash["detail"]


def test_events_on_a_closed_stdout_are_dropped_not_raised(monkeypatch):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(ar.sys, "stdout", Closed())
    assert ar.emit("step", step="x") is False


def test_paths_are_refused_unless_absolute_and_named(server):
    with pytest.raises(ar.AgentError, match="refusing etc/app: not an absolute path without '..'"):
        ar.open_dir("etc/app")
    with pytest.raises(ar.AgentError, match="refusing /etc/app/: not a file path"):
        ar.split("/etc/app/")
    assert ar.remove_file("/nowhere/x") is False and ar.remove_file("/etc/nothing") is False
    assert ar.touch("/etc/nothing") is False


def test_the_default_system_is_the_real_one():
    system = ar.System()
    assert (system.root, system.run, system.fchown, system.geteuid) == ("/", subprocess.run, os.fchown, os.geteuid)
    assert (system.passwd, system.group) == (ar.pwd, ar.grp) and system.path("/etc/x") == "/etc/x"
    assert system.owner(os.stat("/")) == (os.stat("/").st_uid, os.stat("/").st_gid)
    assert ar.System(root="/tmp/srv/").path("/etc/x") == "/tmp/srv/etc/x"


def test_a_temp_file_that_fails_midway_is_removed_and_the_target_untouched(server):
    def refuse(fd, uid, gid):
        raise PermissionError(1, "Operation not permitted")

    target = server.path("/etc/apache2/sites-available/000-default.conf")
    before = target.read_bytes()
    server.system.fchown = refuse
    with pytest.raises(PermissionError):
        ar.ensure_file("/etc/apache2/sites-available/000-default.conf", b"new", 0, 0, 0o644, [])
    assert target.read_bytes() == before and server.files("/etc/apache2/sites-available") == ["000-default.conf"]


def test_an_owner_without_an_account_is_named_by_its_id(server):
    changes = []
    ar.ensure_dir("/var/www/html", 4242, 4243, 0o755, changes)
    assert changes == ["owner set: /var/www/html 4242:4243"] and server.owners.of(server.path("/var/www/html")) == (
        4242, 4243)


def test_an_undo_that_fails_does_not_hide_the_error_that_caused_it(server, bootstrap, monkeypatch):
    def then_fail(args, changes, undo):
        undo.append(lambda: 1 / 0)
        raise ar.AgentError("the real failure")

    monkeypatch.setattr(ar, "ensure_sudoers", then_fail)
    assert failed(bootstrap())["what"] == "the real failure"
    assert server.accounts.getgrnam("app").gr_mem == []  # the other undo still ran


def test_no_state_dir_means_no_app_user_is_ours_and_root_as_deploy_user_gets_no_rule(server):
    assert ar.registry() == set()
    changes, undo = [], []
    ar.ensure_sudoers(server.args(deploy_user="root"), changes, undo)
    assert (changes, undo, server.files("/etc/sudoers.d")) == ([], [], [])
