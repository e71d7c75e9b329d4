"""The only deploytests code that runs as root: ``bootstrap``, one command, one process, this one file.

The runner starts it as ``sudo -n <the stack's python, a fixed path> -I -S -c <this source> bootstrap '<json>'``.
It imports nothing of deploytests and reads nothing from stdin. Its inputs are a closed set (:data:`PATTERNS`),
each checked in full against a fixed pattern before anything is done; every path is built here from the app's
name. It never reads, runs, loads or follows what the deploy login or the app user own or name:

- users: the app user is created here (``useradd --system``) or was (``/var/lib/deploytests/users``), with a uid
  in the admin's system range; the deploy user is an existing login with a uid in the admin's login range
  (both from ``/etc/login.defs``); never root, never each other, never an app user as deploy user;
- files: root writes only in directories of root's that only root may write, every one from ``/`` down checked
  (:func:`root_only`), so no one else can plant, swap or hard-link a name there; new content goes to an
  ``O_EXCL`` temp file beside its target, then renamed; the one directory it gives away, ``/var/www/<app>``
  (the deploy user's, group app, setgid), is made in root's ``/var/www`` and its attributes set through an
  ``O_NOFOLLOW`` fd. In it root only creates a placeholder ``application.wsgi`` where nothing is (``O_EXCL``);
  the deploy login makes the rest of its tree at its first deploy;
- one grant, written last and checked by ``visudo``: the deploy login may run its releases' python as the app
  user. A failed bootstrap removes the grants it added. No config, no copy of itself, nothing as root.

What it knows of the server is one object, :data:`SYSTEM` (the unit tests give it a temp dir and fakes).
Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests. The lines that
can run as root are counted in docs/security.md.
"""

import contextlib
import fcntl
import grp
import json
import os
import pwd
import re
import stat
import subprocess
import sys
import time
from types import SimpleNamespace

# an event line's start; the GECOS of the app users bootstrap creates; conf-available/<this>.conf: a global
# ServerName when Apache has none
EVENT, MARK, SERVERNAME = "@@DT ", "deploytests app user", "deploytests-servername"
# root's: bootstrap.lock, users (the app users bootstrap created), python/ (the daemons' python-home, every app's:
# an empty venv); where the apps' trees are; dpkg's lock
STATE_DIR, APPS_ROOT, DPKG_LOCK = "/var/lib/deploytests", "/var/www", "/var/lib/dpkg/lock-frontend"
PYTHON_HOME = STATE_DIR + "/python"
# application.wsgi until the first deploy writes the app's: the daemons load it when they start, so that deploy's
# new file restarts them (mod_wsgi restarts a daemon whose script changed since it loaded it)
PLACEHOLDER = (b"def application(environ, start_response):  # deploytests bootstrap: the first deploy replaces it\n"
               b"    start_response('503 Service Unavailable', [('Content-Type', 'text/plain')])\n"
               b"    return [b'nothing deployed yet\\n']\n")
# Apache's configuration and tools: every supported stack shares Debian's layout (a unit test holds them equal to
# the stacks' data), so no path is an input
ETC, SBIN, PID_FILE = "/etc/apache2", "/usr/sbin", "/var/run/apache2/apache2.pid"
# the closed set of inputs: each field and the pattern its whole value (a string) must match (``vhost``: text built
# on the admin's runner from checked values; ``packages``: what is missing, one blank between names)
NAME, SECONDS, PACKAGE = r"[a-z_][a-z0-9_-]{0,31}", r"[0-9]{1,5}(\.[0-9]+)?", r"[a-z0-9][a-z0-9.+-]{1,63}"
PATTERNS = {"app": r"[a-z][a-z0-9_]{0,31}", "app_user": NAME, "deploy_user": NAME, "vhost": r"[^\0]{1,65536}",
            "packages": "(%s( %s)*)?" % (PACKAGE, PACKAGE), "dpkg_lock_timeout": SECONDS, "lock_timeout": SECONDS}


class AgentError(Exception):
    """A step failed; ``what`` is one line, ``hint`` the next step, ``detail`` longer output."""

    def __init__(self, what, hint="", detail="", step=""):
        super().__init__(what)
        self.what, self.hint, self.detail, self.step = what, hint, detail, step


def emit(event, **fields):
    print(EVENT + json.dumps(dict(fields, event=event), sort_keys=True), flush=True)


# The server as this program touches it: ``root`` (the file tree's prefix: "" is ``/``), ``passwd``/``group``
# (the ``pwd``/``grp`` modules), ``run`` (``subprocess.run``, each command killed past the runner's 15-minute bound
# for a silent step: a stuck one never holds the bootstrap lock after its runner gave up), ``fchown(fd, uid,
# gid)``, ``owner(stat) -> (uid, gid)``. Only the unit tests pass other values (a temp dir, fakes).
SYSTEM = SimpleNamespace(root="", passwd=pwd, group=grp, fchown=os.fchown, owner=lambda st: (st.st_uid, st.st_gid),
                         run=lambda *a, **kw: subprocess.run(*a, timeout=900, **kw))


def at(server_path):  # the file of the server's absolute path (the unit tests' root is a temp dir)
    return SYSTEM.root + server_path


def run(cmd, what, hint="", env=None, check=True):
    proc = SYSTEM.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        raise AgentError("%s (exit %d): %s" % (what, proc.returncode, (out.strip().splitlines() or ["no output"])[-1]),
                         hint=hint, detail="$ %s\n%s" % (" ".join(cmd), "\n".join(out.splitlines()[-25:])))
    return proc.returncode, out


# ---------------------------------------------------------------- the inputs (pure, unit-tested)

def check_args(data):
    """``data`` after checking the closed set: exactly the fields of :data:`PATTERNS`, each value a string matching
    its pattern in full. Raises a one-line AgentError naming the field."""
    if not isinstance(data, dict) or sorted(data) != sorted(PATTERNS):
        raise AgentError("bootstrap arguments: expected exactly the fields %s" % ", ".join(sorted(PATTERNS)))
    for key, pattern in PATTERNS.items():
        if not isinstance(data[key], str) or not re.fullmatch(pattern, data[key]):
            raise AgentError("bootstrap arguments: %s: %r does not match %s" % (key, data[key], pattern))
    return data


# ---------------------------------------------------------------- root writes only in root's directories

def root_only(path):
    """Refuse unless every directory from ``/`` to ``path``'s own is a directory of root's that only root may
    write (no link): there no one else can plant, swap or hard-link a name root writes."""
    parts = path.split("/")[1:-1]
    for p in ["/" + "/".join(parts[:i]) for i in range(len(parts) + 1)]:
        st = os.lstat(at(p))
        if not stat.S_ISDIR(st.st_mode) or SYSTEM.owner(st)[0] != 0 or st.st_mode & 0o022:
            raise AgentError("refusing %s: %s is not a directory of root's that only root may write" % (path, p),
                             hint="someone changed it: make it root's, mode 0755, then bootstrap again")


def ensure_dir(path, uid, gid, mode, changes):
    """``path`` a directory (made when missing), attributes set through its fd (``O_NOFOLLOW``: never a link)."""
    root_only(path)
    with contextlib.suppress(FileExistsError):
        os.mkdir(at(path), 0o700)
        changes.append("dir created: " + path)
    try:
        fd = os.open(at(path), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise AgentError("refusing %s: %s" % (path, exc.strerror), hint="remove it, then bootstrap again") from None
    st = os.fstat(fd)
    if SYSTEM.owner(st) != (uid, gid):
        SYSTEM.fchown(fd, uid, gid)
        changes.append("owner set: %s %d:%d" % (path, uid, gid))
    if st.st_mode & 0o7777 != mode:
        os.fchmod(fd, mode)
        changes.append("mode set: %s %o" % (path, mode))
    return fd


def read_file(path):
    """The bytes of root's file ``path`` (None when absent)."""
    root_only(path)
    with contextlib.suppress(FileNotFoundError), open(at(path), "rb", opener=lambda p, f: os.open(
            p, f | os.O_NOFOLLOW)) as f:
        return f.read()


def ensure_file(path, content, mode, changes, check=lambda tmp: None):
    """``path`` holds ``content``, root's, ``mode``: when it differs, written to an ``O_EXCL`` temp file beside it,
    ``check(temp path)`` (visudo), renamed in."""
    if read_file(path) == content and os.lstat(at(path)).st_mode & 0o7777 == mode:
        return
    tmp = "%s/.%s.dt-%s" % (os.path.dirname(path), os.path.basename(path), os.urandom(6).hex())
    fd = os.open(at(tmp), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, mode)
        os.write(fd, content)
        os.fsync(fd)
        os.close(fd)
        check(tmp)
        os.rename(at(tmp), at(path))
    except BaseException:
        os.unlink(at(tmp))
        raise
    changes.append("file written: " + path)


def acquire(path, timeout, what, posix=False):
    """An fd holding an exclusive lock on ``path`` (flock, or POSIX ``lockf`` as dpkg uses) within ``timeout``
    seconds, emitting one ``*_wait`` step when it has to wait; a one-line AgentError when it gives up (the process
    then ends: its fd with it)."""
    root_only(path)  # (dpkg's own directory, or root's state dir)
    fd, deadline = os.open(at(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600), None
    while True:
        try:
            (fcntl.lockf if posix else fcntl.flock)(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except (BlockingIOError, PermissionError):
            if deadline is None:  # (the first refusal: the wait starts)
                emit("step", step="dpkg_wait" if posix else "lock_wait", seconds=0, message="waiting for %s %s "
                     "(another apt, dpkg or bootstrap runs), up to %gs" % (what, path, timeout))
                deadline = time.monotonic() + timeout
            if time.monotonic() >= deadline:
                raise AgentError("%s: %s is held by another process; gave up after %gs" % (what, path, timeout),
                                 hint="wait until it finishes (ps -ef | grep -e apt -e dpkg), then run bootstrap "
                                      "again") from None
            time.sleep(0.1)


# ---------------------------------------------------------------- the steps

def ensure_packages(changes, args):
    missing = args["packages"].split()  # (what the runner's look found missing)
    timeout = float(args["dpkg_lock_timeout"])
    for action in (["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends"] + missing) if missing else ():
        if os.path.exists(at(DPKG_LOCK)):
            os.close(acquire(DPKG_LOCK, timeout, "the dpkg lock", posix=True))
        run(["apt-get", "-o", "DPkg::Lock::Timeout=%d" % max(1, int(timeout))] + action,
            "apt-get %s failed" % action[0], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            hint="the server needs its Debian mirror, or install %s by hand; if an earlier install was interrupted, "
                 "run `sudo dpkg --configure -a`; then bootstrap again" % " ".join(missing))
    changes.extend(["packages installed: " + " ".join(missing)] if missing else [])


def ensure_users(changes, args, undo):
    """The app user (created when missing, recorded as ours) and the deploy user (an existing login); the deploy
    user joins the app group. Returns (app gid, deploy uid, deploy gid). The runner checked both names against
    root's account files just before (``provision.users_problem``: uid ranges, shells, its one-line reasons); root
    holds its own invariants here: two users, neither root, the app user absent or one bootstrap created, the deploy
    user an existing account bootstrap did not create."""
    user, deploy = args["app_user"], args["deploy_user"]
    ours = set((read_file(STATE_DIR + "/users") or b"").decode().split())
    uids = {entry.pw_name: entry.pw_uid for entry in SYSTEM.passwd.getpwall()}
    if user == deploy or user in uids and user not in ours or deploy not in uids or deploy in ours or 0 in (
            uids.get(user), uids[deploy]):
        raise AgentError("refusing app_user %r, deploy_user %r: two users, neither root, the app user one bootstrap "
                         "creates, the deploy user an existing login" % (user, deploy), step="users")
    if user not in uids:
        ensure_file(STATE_DIR + "/users", ("\n".join(sorted(ours | {user})) + "\n").encode(), 0o644, [])
        run(["useradd", "--system", "--user-group", "--home-dir", APPS_ROOT + "/" + args["app"], "--no-create-home",
             "--comment", MARK, "--shell", "/usr/sbin/nologin", user], "useradd %s failed" % user)
        changes.append("user created: " + user)
    app_entry, deploy_entry = SYSTEM.passwd.getpwnam(user), SYSTEM.passwd.getpwnam(deploy)
    group = SYSTEM.group.getgrgid(app_entry.pw_gid).gr_name
    if deploy not in SYSTEM.group.getgrnam(group).gr_mem:
        run(["usermod", "-aG", group, deploy], "usermod failed")
        changes.append("%s added to group %s" % (deploy, group))
        undo.append(["gpasswd", "-d", deploy, group])
    return app_entry.pw_gid, deploy_entry.pw_uid, deploy_entry.pw_gid


def ensure_tree(changes, args, got):
    """``/var/www/<app>``: the deploy user's, group app, setgid (what the deploy login makes in it is the app
    group's: the config in ``shared/``); in it root only creates :data:`PLACEHOLDER` as ``application.wsgi`` when
    nothing is at that name, given to the deploy user (the deploy login makes the rest at its first deploy). The
    daemons' python-home, every app's: an empty venv in root's own state dir."""
    app_gid, uid, gid = got["users"]
    fd = ensure_dir(APPS_ROOT + "/" + args["app"], uid, app_gid, 0o2755, changes)
    with contextlib.suppress(FileExistsError):  # O_EXCL: only where nothing is, never what the deploy login put there
        wsgi = os.open("application.wsgi", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=fd)
        os.write(wsgi, PLACEHOLDER)
        SYSTEM.fchown(wsgi, uid, gid)
        os.close(wsgi)
        changes.append("file written: %s/%s/application.wsgi (until the first deploy)" % (APPS_ROOT, args["app"]))
    os.close(fd)
    if not os.path.exists(at(PYTHON_HOME + "/pyvenv.cfg")):
        run([sys.executable, "-I", "-S", "-m", "venv", "--without-pip", at(PYTHON_HOME)],
            "creating the daemons' python-home %s failed" % PYTHON_HOME, hint="is python3-venv installed?")
        changes.append("venv created: %s (the daemons' python-home)" % PYTHON_HOME)


def ensure_apache(changes, args):
    """The vhost, modules, sites, a global ServerName if Apache lacks one; configtest before any reload; a failed
    configtest restores the previous vhost."""
    app, vhost = args["app"], "%s/sites-available/%s.conf" % (ETC, args["app"])
    old, before = read_file(vhost), len(changes)
    ensure_file(vhost, args["vhost"].encode(), 0o644, changes)
    for needed, tool, name, change in [
            (not os.path.exists(at(ETC + "/mods-enabled/wsgi.load")), "a2enmod", "wsgi", "module enabled"),
            (os.path.lexists(at(ETC + "/sites-enabled/000-default.conf")), "a2dissite", "000-default", "site disabled"),
            (not os.path.lexists(at("%s/sites-enabled/%s.conf" % (ETC, app))), "a2ensite", app, "site enabled")]:
        if needed:
            run([SBIN + "/" + tool, "-q", name], tool + " failed")
            changes.append("apache %s: %s" % (change, name))
    code, out = run([SBIN + "/apache2ctl", "configtest"], "configtest", check=False)
    if code == 0 and "AH00558" in out:  # no global ServerName: say one, so configtest is clean
        ensure_file("%s/conf-available/%s.conf" % (ETC, SERVERNAME), b"# Written by deploytests bootstrap: a "
                    b"global ServerName (AH00558).\nServerName localhost\n", 0o644, changes)
        run([SBIN + "/a2enconf", "-q", SERVERNAME], "a2enconf failed")
        code, out = run([SBIN + "/apache2ctl", "configtest"], "configtest", check=False)
    if code != 0:
        if old is not None:
            ensure_file(vhost, old, 0o644, [])
        else:
            run([SBIN + "/a2dissite", "-q", app], "a2dissite failed", check=False)
            os.unlink(at(vhost))
        raise AgentError("apache2ctl configtest failed: %s" % next((ln for ln in out.splitlines() if ln.strip()),
                         "no output"), detail=out, step="apache", hint="Apache was not reloaded, the running site "
                         "is untouched; the previous vhost was restored")
    verb = "graceful" if apache_runs() else "start"
    if verb == "start" or len(changes) > before:
        run([SBIN + "/apache2ctl", verb], "apache2ctl %s failed" % verb)
        changes.append("apache reloaded (graceful)" if verb == "graceful" else "apache started")


def apache_runs():
    with contextlib.suppress(OSError, ValueError), open(at(PID_FILE)) as f:  # (None: no pid file, or a stale one)
        return os.kill(int(f.read()), 0) is None


def sudoers_rule(deploy_user, app_user, app):
    """The one grant: the deploy login may run its releases' python as the app user (the release check: the
    deploy login wrote that code; the rule gives it no more than running its own code as the app). Nothing as
    root. The path is built from the app's name. (The gate expects exactly this text.)"""
    return ("# Written by deploytests bootstrap for %s; the next bootstrap rewrites it.\n"
            "%s ALL=(%s) NOPASSWD: %s/%s/releases/*/venv/bin/python\n" % (app, deploy_user, app_user, APPS_ROOT, app))


def ensure_sudoers(changes, args):
    """``/etc/sudoers.d/deploytests-<app>``: checked by visudo on the temp file, then renamed in."""
    ensure_file("/etc/sudoers.d/deploytests-" + args["app"], sudoers_rule(args["deploy_user"], args["app_user"],
                args["app"]).encode(), 0o440, changes, check=lambda tmp: run(["/usr/sbin/visudo", "-cqf", at(tmp)],
                "the generated sudoers rule is invalid", hint="a deploytests bug: report it"))


def bootstrap(args):
    """The steps in order, under the bootstrap lock (the runner checked the site clash and the users just before);
    the sudoers rule last, so a failed bootstrap never leaves a grant (and takes back the group membership it
    added)."""
    changes, undo, timings, got = [], [], {}, {}
    steps = [("packages", ensure_packages, args), ("users", ensure_users, args, undo),
             ("tree", ensure_tree, args, got), ("apache", ensure_apache, args), ("sudoers", ensure_sudoers, args)]
    os.close(ensure_dir(STATE_DIR, 0, 0, 0o755, []))
    lock, name = acquire(STATE_DIR + "/bootstrap.lock", float(args["lock_timeout"]), "the bootstrap lock"), "bootstrap"
    try:
        for name, fn, *more in steps:
            started = time.monotonic()
            got[name] = fn(changes, *more)
            timings[name] = round(time.monotonic() - started, 3)
            emit("step", step=name, seconds=timings[name], message="")
    except BaseException as exc:
        for cmd in undo:  # take back the group membership this bootstrap added
            SYSTEM.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        exc.step = getattr(exc, "step", "") or name  # (the step it failed in)
        raise
    finally:
        os.close(lock)
    return {"changed": bool(changes), "changes": changes, "timings": timings, "machine": os.uname().machine}


def main(argv):
    """``bootstrap '<json>'`` (the runner's only command; anything else fails the argument check). Not root, it
    fails at its first write; a crash is a traceback on stderr, which the runner shows with the exit status."""
    os.umask(0o022)  # what apt and useradd expect; every file written here gets its mode through its fd
    try:
        emit("result", **bootstrap(check_args(json.loads(argv[-1]) if argv[:1] == ["bootstrap"] else None)))
        return 0
    except AgentError as exc:
        emit("error", what=exc.what, hint=exc.hint, detail=exc.detail, step=exc.step or "bootstrap")
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
