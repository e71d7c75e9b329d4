"""The root agent's decisions and link-proof file operations, run on the runner against temp dirs.

``agent_root.py`` is stdlib-only; the same source runs as root on servers (bootstrap, the config helper).
Each test names the issue 10 finding it reproduces.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from deploytests.pipeline import agent_root as ar
from deploytests.testing import FakeClock, FakeOwners, bootstrap_args


def me():
    return os.getuid(), os.getgid()


# -- finding 1: never follow a link ----------------------------------------------------------------------

def test_planted_symlink_at_the_lock_is_refused_and_its_target_untouched(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:x:::\n")
    secret.chmod(0o640)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".deploy.lock").symlink_to(secret)
    with pytest.raises(ar.AgentError, match=r"refusing .*/app/\.deploy\.lock: it \(or a directory above it\) is a "
                                            r"symbolic link"):
        ar.ensure_empty_file(str(tmp_path / "app" / ".deploy.lock"), *me(), 0o644, [])
    assert oct(secret.stat().st_mode & 0o777) == "0o640" and secret.read_text() == "root:x:::\n"


def test_planted_symlink_at_a_written_file_or_dir_is_refused(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "f").write_text("keep")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "application.wsgi").symlink_to(target / "f")
    with pytest.raises(ar.AgentError, match="symbolic link"):
        ar.ensure_file(str(tmp_path / "app" / "application.wsgi"), b"new", *me(), 0o644, [])
    assert (target / "f").read_text() == "keep"
    (tmp_path / "app" / "shared").symlink_to(target)
    with pytest.raises(ar.AgentError, match="symbolic link"):
        ar.ensure_dir(str(tmp_path / "app" / "shared"), *me(), 0o750, [])
    with pytest.raises(ar.AgentError, match="symbolic link"):  # a link ABOVE the file is refused too
        ar.ensure_file(str(tmp_path / "app" / "shared" / "app.cfg"), b"x", *me(), 0o640, [])
    assert sorted(p.name for p in target.iterdir()) == ["f"] and oct(target.stat().st_mode & 0o777) != "0o750"


def test_hard_linked_file_is_refused(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "sys").write_text("system")
    os.link(tmp_path / "sys", tmp_path / "app" / ".deploy.lock")
    with pytest.raises(ar.AgentError, match="has 2 hard links"):
        ar.ensure_empty_file(str(tmp_path / "app" / ".deploy.lock"), *me(), 0o600, [])
    assert oct((tmp_path / "sys").stat().st_mode & 0o777) != "0o600"


def test_ensure_file_writes_atomically_only_when_changed_and_keeps_the_previous(tmp_path):
    path, changes = str(tmp_path / "app.cfg"), []
    assert ar.ensure_file(path, b"A", *me(), 0o640, changes)
    assert not ar.ensure_file(path, b"A", *me(), 0o640, changes)
    assert ar.ensure_file(path, b"B", *me(), 0o640, changes, keep_previous=True)
    assert (tmp_path / "app.cfg").read_bytes() == b"B" and (tmp_path / ".app.cfg.previous").read_bytes() == b"A"
    assert oct((tmp_path / "app.cfg").stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".app.cfg.previous", "app.cfg"]  # no temp left
    assert ar.restore_config({"config_path": path})
    assert (tmp_path / "app.cfg").read_bytes() == b"A"
    (tmp_path / "app.cfg").chmod(0o644)
    ar.ensure_file(path, b"A", *me(), 0o640, changes)
    assert changes[-1] == f"mode set: {path} 640"


# -- finding 3: config path confined, by components ------------------------------------------------------

@pytest.mark.parametrize("path", ["/etc/./passwd", "/etc//passwd", "/etc/passwd", "/etc/ld.so.preload",
                                  "/etc/cron.hourly/x", "/etc/other/app.cfg", "/etc/web/../passwd", "/etc/web",
                                  "/etc/web/", "/var/www/web/releases/x", "/var/www/web/current/app.cfg",
                                  "/var/www/web/.deploy.lock", "/var/www/web/shared", "relative/app.cfg"])
def test_config_path_outside_the_apps_trees_is_refused(path):
    assert ar.config_path_problem(path, "web")


@pytest.mark.parametrize("path", ["/etc/web/app.cfg", "/etc//web/./app.cfg", "/var/www/web/shared/application.cfg"])
def test_config_path_in_the_apps_trees_is_allowed(path):
    assert ar.config_path_problem(path, "web") is None


# -- finding 2: users and grants -------------------------------------------------------------------------

def entry(name, uid, home="/", shell="/bin/sh", gecos=""):
    return SimpleNamespace(pw_name=name, pw_uid=uid, pw_gid=uid, pw_gecos=gecos, pw_dir=home, pw_shell=shell)


@pytest.mark.parametrize("role, name, ent, ours, problem", [
    ("app_user", "root", entry("root", 0), False, "app_user 'root' is root (uid 0)"),
    ("app_user", "toor", entry("toor", 0), True, "app_user 'toor' is root (uid 0)"),
    ("deploy_user", "root", entry("root", 0), False, "deploy_user 'root' is root"),
    ("app_user", "www-data", entry("www-data", 33), False, "an existing system account (uid 33) that deploytests "
                                                           "did not create"),
    ("deploy_user", "daemon", entry("daemon", 1), False, "existing system account (uid 1)"),
    ("deploy_user", "ghost", None, False, "deploy_user 'ghost' does not exist"),
    ("app_user", "web", None, False, None),                  # created by bootstrap
    ("app_user", "web", entry("web", 998), True, None),      # created by bootstrap earlier
    ("deploy_user", "deployer", entry("deployer", 1001), False, None),  # a login
])
def test_user_decisions(role, name, ent, ours, problem):
    got = ar.user_problem(role, name, ent, ours)
    assert (got is None) if problem is None else (problem in got), got


def test_sudoers_rule_grants_only_the_release_python_and_the_config_helper():
    rule = ar.sudoers_rule("deployer", "web", "web", "/var/www/web", "/usr/bin/python3")
    lines = [ln for ln in rule.splitlines() if not ln.startswith("#")]
    assert lines == ["deployer ALL=(web) NOPASSWD: /var/www/web/releases/*/venv/bin/python",
                     "deployer ALL=(root) NOPASSWD: /usr/bin/python3 -I /var/lib/deploytests/agent_root.py "
                     "config web"]
    assert "ALL=(root) NOPASSWD: ALL" not in rule and ": ALL" not in rule
    same = ar.sudoers_rule("web", "web", "web", "/var/www/web", "/usr/bin/python3")
    assert "ALL=(web)" not in same  # the deploy user is the app user: nothing to grant there


# -- finding 8: locks ------------------------------------------------------------------------------------

HOLD = textwrap.dedent("""
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    (fcntl.lockf if sys.argv[2] == "lockf" else fcntl.flock)(fd, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.read()
""")


@pytest.mark.parametrize("kind", ["lockf", "flock"])
def test_held_lock_waits_with_a_message_then_gives_up_in_one_line(tmp_path, kind):
    path = tmp_path / "lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), kind], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        clock, waits = FakeClock(), []
        with pytest.raises(ar.AgentError, match=r"the dpkg lock: .*/lock is held by another process; gave up "
                                                r"after 5s"):
            ar.acquire_flock(str(path), 5, "the dpkg lock", on_wait=lambda: waits.append(1), clock=clock,
                             sleep=clock.sleep, lockf=kind == "lockf")
        assert waits == [1] and clock.now >= 5
    finally:
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()
    fd = ar.acquire_flock(str(path), 5, "x", lockf=kind == "lockf")  # free once the holder is gone
    os.close(fd)


def test_lock_file_planted_as_a_link_is_refused(tmp_path):
    (tmp_path / "lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        ar.acquire_flock(str(tmp_path / "lock"), 1, "bootstrap lock")
    assert not (tmp_path / "elsewhere").exists()


def test_main_refuses_to_run_unless_root(monkeypatch, capsys):
    monkeypatch.setattr(ar, "SYSTEM", ar.System(geteuid=lambda: 1000))
    assert ar.main(["bootstrap", "{}"]) == 3
    assert "bootstrap must run as root" in capsys.readouterr().out


def test_an_app_user_of_an_older_bootstrap_is_still_ours_and_www_data_is_not():
    old = entry("web", 998, home="/var/www/web", shell="/usr/sbin/nologin")
    www = entry("www-data", 33, home="/var/www", shell="/usr/sbin/nologin")
    groups = {998: "web", 33: "www-data"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ar.grp, "getgrgid", lambda gid: SimpleNamespace(gr_name=groups[gid]))
        assert ar.created_by_old_bootstrap("app_user", old, "/var/www/web")
        assert not ar.created_by_old_bootstrap("app_user", www, "/var/www/web")
        assert not ar.created_by_old_bootstrap("deploy_user", old, "/var/www/web")
        assert ar.created_by_old_bootstrap("app_user", entry("x", 990, gecos=ar.MARK), "/var/www/web")


def test_an_interrupted_dpkg_gets_the_command_that_finishes_it(monkeypatch):
    monkeypatch.setattr(ar, "installed", lambda p: False)
    monkeypatch.setattr(ar, "wait_for_dpkg", lambda timeout: None)
    out = "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.\n"
    monkeypatch.setattr(ar, "run", lambda cmd, what, **kw: (100, out) if "install" in cmd else (0, ""))
    with pytest.raises(ar.AgentError) as info:
        ar.ensure_packages(bootstrap_args("/var/www/app", packages=["apache2"]), [])
    assert info.value.what == ("apt-get install failed (exit 100): E: dpkg was interrupted, you must manually run "
                               "'dpkg --configure -a' to correct the problem.")
    assert "run `sudo dpkg --configure -a` on the server" in info.value.hint


def test_kept_config_versions_are_root_copies_and_only_the_newest_stay(tmp_path, monkeypatch):
    import grp
    owners = FakeOwners()  # root's copies, made by whoever runs the tests
    monkeypatch.setattr(ar, "SYSTEM", ar.System(fchown=owners.fchown, owner=owners.owner))
    settings = {"config_path": str(tmp_path / "app.cfg"), "app_group": grp.getgrgid(os.getgid()).gr_name}
    monkeypatch.setattr(ar, "KEEP_VERSIONS", 3)
    for i in range(5):
        ar.keep_version(settings, b"V=%d\n" % i)
        os.utime(tmp_path / ar.version_name("app.cfg", __import__("hashlib").sha256(b"V=%d\n" % i).hexdigest()),
                 (i, i))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == 3 and all(k.startswith(".app.cfg.v-") for k in kept)
    assert all(oct(p.stat().st_mode & 0o777) == "0o640" for p in tmp_path.iterdir())
    assert {owners.of(p) for p in tmp_path.iterdir()} == {(0, os.getgid())}
    with pytest.raises(ar.AgentError, match="bad sha256"):
        ar.activate_version(settings, "../../etc/passwd")
    assert ar.activate_version(settings, "0" * 64) == (False, False)  # not kept: nothing changes


# -- the daemons' python-home (<root>/python): made by root under the deploy user's tree ---------------------

def test_python_home_is_built_in_roots_state_dir_and_renamed_into_place(tmp_path, monkeypatch):
    state, app = tmp_path / "state", tmp_path / "app"
    state.mkdir()
    app.mkdir()
    monkeypatch.setattr(ar, "STATE_DIR", str(state))
    changes = []
    ar.ensure_runtime(str(app / "python"), changes, *me())
    assert changes == [f"venv created: {app}/python (the daemons' python-home)"]
    assert (app / "python" / "pyvenv.cfg").is_file() and oct((app / "python").stat().st_mode & 0o777) == "0o755"
    assert list(state.iterdir()) == []  # the staging dir was renamed away, nothing left behind
    again = []
    ar.ensure_runtime(str(app / "python"), again, *me())
    assert again == []


def test_python_home_planted_as_a_link_or_with_a_foreign_pyvenv_cfg_is_refused(tmp_path, monkeypatch):
    state, app, target = tmp_path / "state", tmp_path / "app", tmp_path / "etc"
    for d in (state, app, target):
        d.mkdir()
    monkeypatch.setattr(ar, "STATE_DIR", str(state))
    (app / "python").symlink_to(target)
    with pytest.raises(ar.AgentError, match=r"refusing .*/app/python: not a directory"):
        ar.ensure_runtime(str(app / "python"), [], *me())
    assert list(target.iterdir()) == [] and list(state.iterdir()) == []
    (app / "python").unlink()
    (app / "python").mkdir()
    (app / "python" / "pyvenv.cfg").symlink_to(target / "x")
    with pytest.raises(ar.AgentError, match=r"pyvenv.cfg: not a regular file of root's"):
        ar.ensure_runtime(str(app / "python"), [], *me())


# -- the contract at the root agent's door ----------------------------------------------------------------

def root_events(capsys):
    return [json.loads(ln[len(ar.EVENT):]) for ln in capsys.readouterr().out.splitlines() if ln.startswith(ar.EVENT)]


@pytest.mark.parametrize("args, what", [
    ({"app": "x"}, "root agent arguments: BootstrapArgs: missing fields 'stack', 'apache', 'root', 'app_user', "
                   "'deploy_user', 'packages', 'config_path', 'wsgi', 'vhost', 'helper_size'"),
    (dict(bootstrap_args("/var/www/app").to_dict(), apache={"apachectl": "/bin/sh"}),
     "root agent arguments: BootstrapArgs.apache: ApacheArgs: missing fields 'sites_available', 'sites_enabled', "
     "'mods_enabled', 'conf_available', 'default_site', 'pid_file', 'a2enmod', 'a2ensite', 'a2dissite', "
     "'a2enconf', 'wsgi_module'"),
    (dict(bootstrap_args("/var/www/app").to_dict(), sudo_all=True), "root agent arguments: BootstrapArgs: unknown "
                                                                      "field 'sudo_all'"),
    (dict(bootstrap_args("/var/www/app").to_dict(), packages="apache2"), "root agent arguments: BootstrapArgs."
                                                                         "packages: expected list[str], got str "
                                                                         "\"apache2\""),
])
def test_bootstrap_arguments_are_checked_before_anything_runs_as_root(monkeypatch, capsys, args, what):
    monkeypatch.setattr(ar, "SYSTEM", ar.System(geteuid=lambda: 0))
    monkeypatch.setattr(ar, "cmd_bootstrap", lambda a: pytest.fail("bootstrap ran on bad arguments"))
    assert ar.main(["bootstrap", json.dumps(args)]) == 3
    assert root_events(capsys) == [{"event": "error", "what": what, "step": "bootstrap", "detail": "",
                                    "hint": "the runner and this agent come from one deploytests version: a bug, "
                                            "report it"}]


def test_the_config_helper_reads_one_request_and_answers_through_the_contract(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(ar, "SYSTEM", ar.System(geteuid=lambda: 0))
    monkeypatch.setattr(ar, "load_settings", lambda app: {"app": app})
    monkeypatch.setattr(ar, "restore_config", lambda settings: calls.append("restore") or True)
    monkeypatch.setattr(ar, "activate_version", lambda settings, sha: calls.append(sha) or (True, True))
    monkeypatch.setattr(ar, "install_config",
                        lambda settings, config, changes, keep_previous: calls.append(config) or True)
    monkeypatch.setattr(ar, "keep_version", lambda settings, config: None)

    def helper(stdin):
        monkeypatch.setattr(ar.sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(stdin)})())
        code = ar.main(["config", "app"])
        return code, root_events(capsys)[-1]

    assert helper(b'{"op": "restore"}\n') == (0, {"event": "result", "changed": True, "found": True,
                                                   "sha256": None, "changes": []})
    assert helper(b'{"op": "activate", "sha256": "' + b"a" * 64 + b'"}\n')[1]["found"] is True
    code, event = helper(b'{"op": "install", "size": 4}\nA=1\n')
    assert code == 0 and event["sha256"] == hashlib.sha256(b"A=1\n").hexdigest()
    assert calls == ["restore", "a" * 64, b"A=1\n"]
    code, event = helper(b'{"op": "install", "size": 9}\nA=1\n')
    assert (code, event["what"]) == (3, "config helper: the config arrived cut short")
    code, event = helper(b'{"op": "chmod", "path": "/etc/shadow"}\n')
    assert code == 3 and event["what"] == ("config helper: expected an install, restore or activate request on "
                                           "stdin: ConfigRequest: unknown field 'path'")
    code, event = helper(b'{"op": "install"}\n')
    assert event["what"].endswith("ConfigRequest: an install needs its size")


def test_packages_are_installed_only_when_missing(monkeypatch):
    ran = []
    monkeypatch.setattr(ar, "wait_for_dpkg", lambda timeout: None)
    monkeypatch.setattr(ar, "run", lambda cmd, what, **kw: ran.append(cmd) or (0, ""))
    monkeypatch.setattr(ar, "installed", lambda p: p != "iproute2")
    changes = []
    ar.ensure_packages(bootstrap_args("/var/www/app", packages=["apache2", "iproute2"]), changes)
    assert [cmd[3] for cmd in ran] == ["update", "install"] and ran[1][-1] == "iproute2"
    assert changes == ["packages installed: iproute2"]
    ran.clear()
    monkeypatch.setattr(ar, "installed", lambda p: True)
    ar.ensure_packages(bootstrap_args("/var/www/app", packages=["apache2", "iproute2"]), changes)
    assert ran == []  # a second bootstrap does not even call apt


# -- bootstrap's order and undo, the root-only steps replaced by recorders ---------------------------------

@pytest.fixture
def recorded(tmp_path, monkeypatch, capsys):
    """cmd_bootstrap with every step that needs root recorded instead (what each step does is tested above
    and on real servers): the order of the steps, what they were given, the undo of a failed bootstrap."""
    calls = []
    monkeypatch.setattr(ar, "STATE_DIR", str(tmp_path))
    monkeypatch.setattr(ar, "state_dir", lambda: calls.append("state_dir"))
    monkeypatch.setattr(ar, "ensure_packages", lambda args, changes: calls.append(("packages", args.packages)))

    def ensure_users(args, changes, undo):
        calls.append("users")
        changes.append("user created: app")
        undo.append(lambda: calls.append("undo group"))
        return os.getuid(), os.getgid(), os.getuid(), os.getgid()

    monkeypatch.setattr(ar, "ensure_users", ensure_users)
    monkeypatch.setattr(ar, "ensure_tree", lambda args, ids, changes: calls.append("tree"))
    monkeypatch.setattr(ar, "ensure_file", lambda path, content, *a, **kw: calls.append(("file", path, content)))
    monkeypatch.setattr(ar, "install_config", lambda settings, config, changes: calls.append(("config", config)))
    monkeypatch.setattr(ar, "ensure_apache", lambda args, changes: calls.append("apache") or False)
    monkeypatch.setattr(ar, "ensure_running", lambda changed, changes, apache: 4242)
    monkeypatch.setattr(ar, "ensure_sudoers", lambda args, changes, undo: calls.append("sudoers"))

    def bootstrap(stdin, **overrides):
        monkeypatch.setattr(ar.sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(stdin)})())
        monkeypatch.setattr(ar, "SYSTEM", ar.System(geteuid=lambda: 0))
        args = bootstrap_args(str(tmp_path / "www"), **overrides)
        code = ar.main(["bootstrap", args.to_json()])
        return code, root_events(capsys)

    return calls, bootstrap


def test_bootstrap_runs_its_steps_in_order_with_the_sudoers_rule_last(recorded, tmp_path):
    calls, bootstrap = recorded
    code, events = bootstrap(b"A=1\nHELPER", config_size=4, helper_size=6)
    assert code == 0 and [e["step"] for e in events[:-1]] == ["packages", "users", "tree", "apache", "sudoers"]
    settings = json.loads(calls[5][2])
    assert calls == ["state_dir", ("packages", ["apache2"]), "users", "tree", ("file", ar.HELPER, b"HELPER"),
                     ("file", "%s/app.json" % tmp_path, calls[5][2]), ("config", b"A=1\n"), "apache", "sudoers"]
    assert settings["config_command"][-2:] == ["config", "app"] and settings["config_path"] == "/etc/app/app.cfg"
    result = events[-1]
    assert (result["changed"], result["changes"], result["apache_pid"]) == (True, ["user created: app"], 4242)


def test_a_failed_bootstrap_takes_back_the_grants_it_added(recorded, monkeypatch):
    calls, bootstrap = recorded

    def broken_apache(args, changes):
        raise ar.AgentError("apache2ctl configtest failed: Syntax error", step="apache")

    monkeypatch.setattr(ar, "ensure_apache", broken_apache)
    code, events = bootstrap(b"", helper_size=0)
    assert code == 3 and events[-1]["what"] == "apache2ctl configtest failed: Syntax error"
    assert calls[-1] == "undo group" and "sudoers" not in calls


def test_a_config_path_outside_the_apps_trees_stops_bootstrap_before_anything(recorded):
    calls, bootstrap = recorded
    code, events = bootstrap(b"", config_path="/etc/passwd")
    assert code == 3 and events[-1]["what"].startswith("config_path '/etc/passwd' must name a file in the app's own")
    assert calls == []
