"""The only deploytests code that runs as root: ``bootstrap``, one command, one process, this one file.

The runner starts it as ``sudo -n <the stack's python, a fixed path> -I -S -c <this source> bootstrap '<json>'``.
It imports nothing of deploytests and reads nothing from stdin. Its inputs are a closed set (:data:`PATTERNS`),
each checked in full against a fixed pattern before anything is done; every path is built here from the app's
name. It never reads, runs, loads or follows what the deploy login or the app user own or name:

- users: the app user is created here (``useradd --system``) or was (``/var/lib/deploytests/users``), with a uid
  in the admin's system range; the deploy user is an existing login with a uid in the admin's login range
  (both from ``/etc/login.defs``); never root, never each other, never an app user as deploy user;
- files: opened component by component from ``/`` with ``O_NOFOLLOW`` (a link anywhere is refused), attributes
  set with ``fchown``/``fchmod`` on the fd, new content written to an ``O_EXCL`` temp file beside its target and
  renamed; a regular file with more than one link is refused;
- one grant, written last and checked by ``visudo``: the deploy login may run its releases' python as the app
  user. A failed bootstrap removes the grants it added. No config, no copy of itself, nothing as root.

What it knows of the server is one object, :data:`SYSTEM` (the unit tests give it a temp dir and fakes).
Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests. The lines that
can run as root are counted in docs/security.md.
"""

import contextlib
import errno
import fcntl
import grp
import json
import os
import posixpath
import pwd
import re
import stat
import subprocess
import sys
import time
from types import SimpleNamespace

EVENT = "@@DT "
STATE_DIR = "/var/lib/deploytests"  # root's: bootstrap.lock, users (the app users bootstrap created), python/
APPS_ROOT = "/var/www"
DPKG_LOCK = "/var/lib/dpkg/lock-frontend"
PYTHON_HOME = STATE_DIR + "/python"  # the daemons' python-home (every app's): an empty venv
SERVERNAME = "deploytests-servername"  # conf-available/<this>.conf: a global ServerName when Apache has none
MARK = "deploytests app user"  # GECOS of the app users bootstrap creates
WORD = r"[A-Za-z0-9_][A-Za-z0-9._-]*"
ABS = r"(/%s)+" % WORD  # an absolute path; no component starts with '.', so none is '..'
PATTERNS = {  # the closed set of inputs: each field and the pattern its whole value must match
    "app": r"[a-z][a-z0-9_]{0,31}", "app_user": r"[a-z_][a-z0-9_-]{0,31}", "deploy_user": r"[a-z_][a-z0-9_-]{0,31}",
    "packages": r"[a-z0-9][a-z0-9.+-]{1,63}", "shared_paths": r"%s(/%s)*" % (WORD, WORD),
    "dpkg_lock_timeout": r"[0-9]{1,5}(\.[0-9]+)?", "lock_timeout": r"[0-9]{1,5}(\.[0-9]+)?",
    "vhost": r"[^\0]{1,65536}", "wsgi": r"[^\0]{1,65536}",  # text built on the admin's runner from checked values
    "apache.default_site": WORD, "apache.wsgi_module": WORD,
}
PATTERNS.update(("apache." + k, ABS) for k in ("sites_available", "sites_enabled", "mods_enabled",
                                               "conf_available", "pid_file", "apachectl", "a2enmod", "a2ensite",
                                               "a2dissite", "a2enconf"))  # the stack's paths and tools
LISTS = ("packages", "shared_paths")
NUMBERS = ("dpkg_lock_timeout", "lock_timeout")


class AgentError(Exception):
    """A step failed; ``what`` is one line, ``hint`` the next step, ``detail`` longer output."""

    def __init__(self, what, hint="", detail="", step=""):
        super().__init__(what)
        self.what, self.hint, self.detail, self.step = what, hint, detail, step


def emit(event, **fields):
    sys.stdout.write(EVENT + json.dumps(dict(fields, event=event), sort_keys=True) + "\n")
    sys.stdout.flush()


# The server as this program touches it: ``root`` (the file tree's prefix: "" is ``/``), ``passwd``/``group``
# (the ``pwd``/``grp`` modules), ``run`` (``subprocess.run``), ``fchown(fd, uid, gid)``, ``owner(stat) -> (uid,
# gid)``. Only the unit tests pass other values (a temp dir, fakes).
SYSTEM = SimpleNamespace(root="", passwd=pwd, group=grp, run=subprocess.run, fchown=os.fchown,
                         owner=lambda st: (st.st_uid, st.st_gid))


def at(server_path):  # the file of the server's absolute path (the unit tests' root is a temp dir)
    return SYSTEM.root + server_path


def run(cmd, what, hint="", env=None, check=True, **kw):
    proc = SYSTEM.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, **kw)
    out = proc.stdout.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        last = out.strip().splitlines()[-1] if out.strip() else "no output"
        raise AgentError("%s (exit %d): %s" % (what, proc.returncode, last), hint=hint,
                         detail="$ %s\n%s" % (" ".join(cmd), "\n".join(out.splitlines()[-25:])))
    return proc.returncode, out


# ---------------------------------------------------------------- the inputs (pure, unit-tested)

def check_args(data):
    """``data`` after checking the closed set: exactly the fields of :data:`PATTERNS` (``apache.*`` in a table),
    each value matching its pattern in full (numbers as numbers). Raises a one-line AgentError naming the field."""
    apache = data.get("apache") if isinstance(data, dict) else None
    flat = {k: v for k, v in (data.items() if isinstance(apache, dict) else ()) if k != "apache"}
    flat.update(("apache." + k, v) for k, v in (apache.items() if isinstance(apache, dict) else ()))
    if sorted(flat) != sorted(PATTERNS):
        raise AgentError("bootstrap arguments: expected exactly the fields %s" % ", ".join(sorted(PATTERNS)))
    for key, pattern in PATTERNS.items():
        for value in (flat[key] if isinstance(flat[key], list) else [None]) if key in LISTS else [flat[key]]:
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not (number if key in NUMBERS else isinstance(value, str)) or not re.fullmatch(pattern, str(value)):
                raise AgentError("bootstrap arguments: %s: %r does not match %s" % (key, value, pattern))
    return data


def sudoers_rule(deploy_user, app_user, app):
    """The one grant: the deploy login may run its releases' python as the app user (the release check: the
    deploy login wrote that code; the rule gives it no more than running its own code as the app). Nothing as
    root. The path is built from the app's name."""
    return ("# Written by deploytests bootstrap for %s; the next bootstrap rewrites it.\n"
            "%s ALL=(%s) NOPASSWD: %s/%s/releases/*/venv/bin/python\n" % (app, deploy_user, app_user, APPS_ROOT, app))


# ---------------------------------------------------------------- link-proof file operations

O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def refuse_link(path, exc):
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK, errno.ENXIO):
        raise AgentError("refusing %s: it (or a directory above it) is a symbolic link or not what bootstrap "
                         "made" % path, hint="someone planted it: inspect and remove it, then bootstrap again")
    raise exc


def open_dir(path, create=False):
    """An fd of directory ``path`` (built here, absolute), walked from ``/`` with ``O_NOFOLLOW``; ``create``:
    make a missing last component (0700, attributes are set by the caller). (On a refusal the process ends: its
    fds with it.)"""
    parts, fd = [p for p in path.split("/") if p], os.open(SYSTEM.root or "/", O_DIR)
    for i, name in enumerate(parts):
        try:
            if create and i == len(parts) - 1:
                with contextlib.suppress(FileExistsError):  # there already: opened below, never followed
                    os.mkdir(name, 0o700, dir_fd=fd)
            child = os.open(name, O_DIR, dir_fd=fd)
        except OSError as exc:
            refuse_link("/" + "/".join(parts[:i + 1]), exc)
        os.close(fd)
        fd = child
    return fd


def set_attrs(fd, path, uid, gid, mode, changes):
    """chown/chmod through the open fd (never the name); a regular file with other hard links is refused."""
    st = os.fstat(fd)
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
        raise AgentError("refusing %s: it has %d hard links (one may be a system file)" % (path, st.st_nlink),
                         hint="someone planted it: remove it, then bootstrap again")
    if SYSTEM.owner(st) != (uid, gid):
        SYSTEM.fchown(fd, uid, gid)
        changes.append("owner set: %s %d:%d" % (path, uid, gid))
    if st.st_mode & 0o7777 != mode:
        os.fchmod(fd, mode)
        changes.append("mode set: %s %o" % (path, mode))


def ensure_dir(path, uid, gid, mode, changes):
    existed, fd = os.path.lexists(at(path)), open_dir(path, create=True)
    set_attrs(fd, path, uid, gid, mode, changes if existed else [])
    os.close(fd)
    changes.extend([] if existed else ["dir created: " + path])


def open_file(dir_fd, name, path):
    """An fd of the regular file ``name`` in ``dir_fd`` (None when absent); a link or non-file is refused."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        refuse_link(path, exc)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise AgentError("refusing %s: not a regular file" % path, hint="remove it, then bootstrap again")
    return fd


def read_file(path):
    """The bytes of the regular file ``path`` (None when absent), read without following a link."""
    dir_fd = open_dir(posixpath.dirname(path))
    fd = open_file(dir_fd, posixpath.basename(path), path)
    os.close(dir_fd)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read()


def ensure_file(path, content, uid, gid, mode, changes, check=None, replace=True):
    """``path`` holds ``content`` with these attributes; written (``O_EXCL`` temp + rename) only when it differs
    (``replace=False``: only when it is missing). ``check(temp_path)`` runs on the written temp file before the
    rename (visudo)."""
    head, name = posixpath.split(path)
    dir_fd = open_dir(head)
    fd = open_file(dir_fd, name, path)
    if fd is not None:
        same = not replace or os.read(fd, len(content) + 1) == content
        set_attrs(fd, path, uid, gid, mode, changes if same else [])  # refuses a hard-linked file
        os.close(fd)
        if same:
            return os.close(dir_fd)
    tmp = ".%s.dt-%s" % (name, os.urandom(6).hex())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        SYSTEM.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.write(fd, content)
        os.fsync(fd)
        os.close(fd)
        if check:
            check(posixpath.join(head, tmp))
        os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        os.unlink(tmp, dir_fd=dir_fd)
        raise
    os.close(dir_fd)
    changes.append("file written: " + path)


def remove(path):
    """Unlink a file of root's own directories (sites-available, /var/lib/deploytests), where no one else writes."""
    if os.path.lexists(at(path)):
        os.unlink(at(path))


def acquire(path, timeout, what, posix=False):
    """An fd holding an exclusive lock on ``path`` (flock, or POSIX ``lockf`` as dpkg uses) within ``timeout``
    seconds, emitting one ``*_wait`` step when it has to wait; a one-line AgentError when it gives up (the process
    then ends: its fd with it)."""
    fd = os.open(at(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    deadline, waited = time.monotonic() + timeout, False
    while True:
        try:
            (fcntl.lockf if posix else fcntl.flock)(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except (BlockingIOError, PermissionError):
            if not waited:
                emit("step", step="dpkg_wait" if posix else "lock_wait", seconds=0, message="waiting for %s %s "
                     "(another apt, dpkg or bootstrap runs), up to %gs" % (what, path, timeout))
            if time.monotonic() >= deadline:
                raise AgentError("%s: %s is held by another process; gave up after %gs" % (what, path, timeout),
                                 hint="wait until it finishes (ps -ef | grep -e apt -e dpkg), then run bootstrap "
                                      "again") from None
            waited = True
            time.sleep(0.1)


# ---------------------------------------------------------------- the steps

def ensure_packages(changes, args):
    missing = [p for p in args["packages"] if not run(["dpkg-query", "-W", "-f=${Status}", p], "dpkg-query",
                                                        check=False)[1].strip().endswith("install ok installed")]
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
    ours, accounts = set((read_file(STATE_DIR + "/users") or b"").decode().split()), SYSTEM.passwd.getpwall()
    uids = {entry.pw_name: entry.pw_uid for entry in accounts}
    if user == deploy or user in uids and user not in ours or deploy not in uids or deploy in ours or 0 in (
            uids.get(user), uids[deploy]):
        raise AgentError("refusing app_user %r, deploy_user %r: two users, neither root, the app user one bootstrap "
                         "creates, the deploy user an existing login" % (user, deploy), step="users")
    if user not in uids:
        ensure_file(STATE_DIR + "/users", ("\n".join(sorted(ours | {user})) + "\n").encode(), 0, 0, 0o644, [])
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
    """``/var/www/<app>`` and what the deploy user owns in it. ``shared/`` and its data dirs: the deploy user's,
    group app, setgid (what the deploy writes there is the app group's: the config), the data dirs
    group-writable (the app writes its data)."""
    app_gid, u, g = got["users"]  # the deploy user's uid, gid: what it writes is its own, a new deploy user's too
    root = APPS_ROOT + "/" + args["app"]
    dirs = [(APPS_ROOT, 0, 0, 0o755), (root, u, g, 0o755), (root + "/releases", u, g, 0o755),
            (root + "/.configs", u, g, 0o700), (root + "/shared", u, app_gid, 0o2750)]
    for rel in args["shared_paths"]:
        parts = rel.split("/")
        dirs += [(root + "/shared/" + "/".join(parts[:i + 1]), u, app_gid, 0o2770) for i in range(len(parts))]
    for path, uid, gid, mode in dirs:
        ensure_dir(path, uid, gid, mode, changes)
    ensure_file(root + "/.deploy.lock", b"", u, g, 0o644, changes, replace=False)
    ensure_file(root + "/application.wsgi", args["wsgi"].encode(), u, g, 0o644, changes)
    # the daemons' python-home, every app's: an empty venv in root's own state dir (venv works by path: there
    # no one else can plant anything on it)
    if not os.path.exists(at(PYTHON_HOME + "/pyvenv.cfg")):
        run([sys.executable, "-I", "-S", "-m", "venv", "--without-pip", at(PYTHON_HOME)],
            "creating the daemons' python-home %s failed" % PYTHON_HOME, hint="is python3-venv installed?")
        changes.append("venv created: %s (the daemons' python-home)" % PYTHON_HOME)


def ensure_apache(changes, args):
    """The vhost, modules, sites, a global ServerName if Apache lacks one; configtest before any reload; a failed
    configtest restores the previous vhost. Apache's pid."""
    a, app = args["apache"], args["app"]
    vhost = "%s/%s.conf" % (a["sites_available"], app)
    old, before = read_file(vhost), len(changes)
    ensure_file(vhost, args["vhost"].encode(), 0, 0, 0o644, changes)
    steps = [(not os.path.exists(at("%s/%s.load" % (a["mods_enabled"], a["wsgi_module"]))),
              [a["a2enmod"], "-q", a["wsgi_module"]], "apache module enabled: wsgi"),
             (os.path.lexists(at("%s/%s.conf" % (a["sites_enabled"], a["default_site"]))),
              [a["a2dissite"], "-q", a["default_site"]], "apache site disabled: " + a["default_site"]),
             (not os.path.lexists(at("%s/%s.conf" % (a["sites_enabled"], app))),
              [a["a2ensite"], "-q", app], "apache site enabled: " + app)]
    for needed, cmd, change in steps:
        if needed:
            run(cmd, cmd[0] + " failed")
            changes.append(change)
    code, out = run([a["apachectl"], "configtest"], "configtest", check=False)
    if code == 0 and "AH00558" in out:  # no global ServerName: say one, so configtest is clean
        ensure_file("%s/%s.conf" % (a["conf_available"], SERVERNAME), b"# Written by deploytests bootstrap: a "
                    b"global ServerName (AH00558).\nServerName localhost\n", 0, 0, 0o644, changes)
        run([a["a2enconf"], "-q", SERVERNAME], "a2enconf failed")
        code, out = run([a["apachectl"], "configtest"], "configtest", check=False)
    if code != 0:
        if old is not None:
            ensure_file(vhost, old, 0, 0, 0o644, [])
        else:
            run([a["a2dissite"], "-q", app], "a2dissite failed", check=False)
            remove(vhost)
        raise AgentError("apache2ctl configtest failed: %s" % next((ln for ln in out.splitlines() if ln.strip()),
                         "no output"), detail=out, step="apache", hint="Apache was not reloaded, the running site "
                         "is untouched; the previous vhost was restored")
    pid = apache_pid(a)
    if not pid or len(changes) > before:
        run([a["apachectl"], "graceful" if pid else "start"], "apache2ctl %s failed" % ("graceful" if pid else "start"))
        changes.append("apache reloaded (graceful)" if pid else "apache started")
    return apache_pid(a)


def apache_pid(a):
    try:
        with open(at(a["pid_file"])) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def ensure_sudoers(changes, args):
    """``/etc/sudoers.d/deploytests-<app>``: checked by visudo on the temp file, then renamed in."""
    ensure_file("/etc/sudoers.d/deploytests-" + args["app"], sudoers_rule(args["deploy_user"], args["app_user"],
                args["app"]).encode(), 0, 0, 0o440, changes, check=lambda tmp: run(["/usr/sbin/visudo", "-cqf",
                at(tmp)], "the generated sudoers rule is invalid", hint="a deploytests bug: report it"))


def bootstrap(args):
    """The steps in order, under the bootstrap lock (the runner checked the site clash and the users just before);
    the sudoers rule last, so a failed bootstrap never leaves a grant (and takes back the group membership it
    added)."""
    changes, undo, timings, got = [], [], {}, {}
    steps = [("packages", ensure_packages, args), ("users", ensure_users, args, undo),
             ("tree", ensure_tree, args, got), ("apache", ensure_apache, args), ("sudoers", ensure_sudoers, args)]
    ensure_dir(STATE_DIR, 0, 0, 0o755, [])
    lock = acquire(STATE_DIR + "/bootstrap.lock", float(args["lock_timeout"]), "the bootstrap lock")
    try:
        for old in ("/agent_root.py", "/%s.json" % args["app"]):  # an older version's root config helper, record
            remove(STATE_DIR + old)
        for name, fn, *more in steps:
            started = time.monotonic()
            try:
                got[name] = fn(changes, *more)
            except AgentError as exc:
                exc.step = exc.step or name
                raise
            timings[name] = round(time.monotonic() - started, 3)
            emit("step", step=name, seconds=timings[name], message="")
    except BaseException:
        for cmd in undo:  # take back the group membership this bootstrap added
            SYSTEM.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        raise
    finally:
        os.close(lock)
    return {"changed": bool(changes), "changes": changes, "timings": timings, "apache_pid": got["apache"],
            "python_version": "%d.%d" % sys.version_info[:2], "machine": os.uname().machine}


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
