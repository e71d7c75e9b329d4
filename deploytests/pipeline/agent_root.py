"""The root half of the pipeline: the only deploytests code that runs as root on a server.

Two commands, each one process, stdlib only, the same event protocol as ``agent.py`` (``@@DT {json}`` lines):

- ``bootstrap`` (sent over SSH by ``sudo -n python3 -c ...``, the config file on stdin): packages, the app
  user, the sudoers rule, the app's tree, the config, Apache; under a server-wide lock;
- ``config <app>`` (run by the deploy user through ONE exact sudoers rule, from the copy bootstrap installs at
  ``/var/lib/deploytests/agent_root.py``): installs the config read on stdin at the path bootstrap recorded
  for that app in ``/var/lib/deploytests/<app>.json`` (root-owned), or restores the previous one.

Written as if the deploy login and the config were hostile:

- no path it writes, chowns or chmods is followed through a link: every path is opened component by component
  from ``/`` with ``O_NOFOLLOW`` (directories with ``O_DIRECTORY``, children by ``dir_fd``), attributes are set
  with ``fchown``/``fchmod`` on the opened fd, a regular file with more than one hard link is refused, new
  files are written to an ``O_EXCL`` temp name in the same directory and renamed into place;
- the config path must lie in the app's own trees (``/etc/<app>/...`` or ``/var/www/<app>/shared/...``),
  decided on normalised path components, never by string prefix, and again by the fd walk (no link anywhere);
- the app user and the deploy user are never root, never a system account deploytests did not create;
- the sudoers file grants exactly what deploys run (the release venv's python as the app user; this program's
  ``config <app>`` as root), is checked by ``visudo`` before it is moved into place, is written last, and a
  failed bootstrap removes every grant it added (the sudoers file, the group membership).

What it knows of the server (the file tree's root, the accounts, how commands run, how files get their owner,
who it runs as) is one object, :data:`SYSTEM` (a :class:`System`): the real server everywhere but in the unit
tests, which give it a temp dir and fakes and so run every step, and assert every decision above, as any user.

The runner sends this module bundled with :mod:`.contract` (its arguments and results, which the runner imports
too; see ``bundle.py``), and bootstrap installs that same bundle as the config helper.

Rules for this file: standard library only, Python >= 3.7 syntax; from deploytests only its bundled sibling
``.contract``, which follows the same rules.
"""

from __future__ import annotations

import errno
import fcntl
import grp
import hashlib
import json
import os
import posixpath
import pwd
import stat
import subprocess
import sys
import time

from .contract import ApacheArgs, BootstrapArgs, BootstrapReply, ConfigReply, ConfigRequest, ContractError

EVENT = "@@DT "
STATE_DIR = "/var/lib/deploytests"
HELPER = STATE_DIR + "/agent_root.py"
LOCK_NAME = ".deploy.lock"
DPKG_LOCK = "/var/lib/dpkg/lock-frontend"
APPS_ROOT = "/var/www"
FIRST_LOGIN_UID = 1000  # Debian: system accounts below, logins from here (adduser.conf FIRST_UID)
MARK = "deploytests app user"  # GECOS of the app users bootstrap creates


class AgentError(Exception):
    """A step failed; ``what`` is one line, ``hint`` the next step, ``detail`` longer output."""

    def __init__(self, what, hint="", detail="", step=""):
        super().__init__(what)
        self.what, self.hint, self.detail, self.step = what, hint, detail, step


def emit(event, **fields):
    fields["event"] = event
    try:
        sys.stdout.write(EVENT + json.dumps(fields, sort_keys=True) + "\n")
        sys.stdout.flush()
    except OSError:
        return False
    return True


class Steps:
    """Times named steps and emits one ``step`` event per step: ``with steps("users"): ...``."""

    def __init__(self):
        self.timings, self.current, self.message = {}, "", ""

    def __call__(self, name, message=""):
        self.current, self.message = name, message
        return self

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.timings[self.current] = round(time.monotonic() - self.started, 3)
        if exc_type is None:
            emit("step", step=self.current, seconds=self.timings[self.current], message=self.message)
        elif isinstance(exc, AgentError) and not exc.step:
            exc.step = self.current
        return False


def file_owner(st):
    """The (uid, gid) owning a file, from its ``os.stat`` result."""
    return st.st_uid, st.st_gid


class System:
    """The server as this program touches it: every fact of the system it depends on, in one object.

    ``SYSTEM`` (the real server) is the only instance outside tests; the unit tests put in their own (the
    fakes in ``deploytests.testing``) and so run every step as the current user against a temp dir. Each
    attribute is what the code would otherwise reach for directly, so the default behaves exactly as if
    there were no such object:

    - ``root``: the directory holding the server's file tree (``/``). Every path in this program is the
      server's (``/etc/sudoers.d/...``: in messages, the sudoers rule, the recorded settings); :meth:`path`
      turns it into a filesystem path only where a syscall or a command needs one, and the link-proof walk
      (:func:`open_dir`) starts at an fd of ``root``;
    - ``passwd``, ``group``: the account database (the ``pwd`` and ``grp`` modules: ``getpwnam``,
      ``getpwuid``; ``getgrnam``, ``getgrgid``);
    - ``run``: how a command runs (``subprocess.run``: called with its keyword arguments, returns its
      ``CompletedProcess``);
    - ``fchown(fd, uid, gid)`` and ``owner(stat_result) -> (uid, gid)``: how a file gets its owner and how
      its owner is read (``os.fchown`` on the open fd; the stat's ids);
    - ``geteuid()``: who this process runs as (root: 0).
    """

    def __init__(self, root="/", passwd=pwd, group=grp, run=subprocess.run, fchown=os.fchown, owner=file_owner,
                 geteuid=os.geteuid):
        self.root, self.passwd, self.group, self.run = root, passwd, group, run
        self.fchown, self.owner, self.geteuid = fchown, owner, geteuid

    def path(self, server_path):
        """The filesystem path of the server's absolute path ``server_path``."""
        if self.root == "/":
            return server_path
        return self.root.rstrip("/") + server_path


SYSTEM = System()


def run(cmd, what, hint="", env=None, check=True, stdin=None):
    proc = SYSTEM.run(cmd, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        last = out.strip().splitlines()[-1] if out.strip() else "no output"
        raise AgentError("%s (exit %d): %s" % (what, proc.returncode, last), hint=hint,
                         detail="$ %s\n%s" % (" ".join(cmd), "\n".join(out.splitlines()[-25:])))
    return proc.returncode, out


# ---------------------------------------------------------------- paths (pure decisions, unit-tested)

def parts_of(path):
    """The components of an absolute path after normalising ``//`` and ``/./``; None when it holds ``..``
    (refused, never resolved: a ``..`` after a link would resolve somewhere else than it reads)."""
    if not isinstance(path, str) or not path.startswith("/") or "\0" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    return parts


def config_path_problem(path, app):
    """Why ``path`` may not be the app's config (None when it may): it must name a file below ``/etc/<app>/``
    or ``/var/www/<app>/shared/``, the app's own trees that only root writes (the rest of ``/var/www/<app>``
    belongs to the deploy user). Decided on path components, not strings."""
    parts = parts_of(path)
    if parts is None:
        return "must be an absolute path without '..'"
    trees = (["etc", app], ["var", "www", app, "shared"])
    if not any(parts[:len(t)] == t and len(parts) > len(t) for t in trees):
        return "must name a file in the app's own trees: /etc/%s/... or %s/%s/shared/..." % (app, APPS_ROOT, app)
    return None


def user_problem(role, name, entry, created_by_us):
    """Why ``name`` may not be the app or deploy user (None when it may). ``entry`` is its pwd entry or None
    (absent: bootstrap creates an app user; a deploy user must exist), ``created_by_us`` whether deploytests
    created it. Never root; never an existing system account (uid < 1000) deploytests did not create."""
    if name == "root" or (entry is not None and entry.pw_uid == 0):
        return "%s %r is root (uid 0): deploys never run as root" % (role, name)
    if entry is None:
        return None if role == "app_user" else "deploy_user %r does not exist" % name
    if entry.pw_uid < FIRST_LOGIN_UID and not created_by_us:
        return ("%s %r is an existing system account (uid %d) that deploytests did not create"
                % (role, name, entry.pw_uid))
    return None


def sudoers_rule(deploy_user, app_user, app, root, python):
    """The grant deploys need, and nothing more: the release venv's python as the app user (the release check:
    import, post-deploy commands, preflight) and the config helper as root for this app only."""
    lines = ["# Written by deploytests bootstrap for %s; the next bootstrap rewrites it." % app]
    if deploy_user != app_user:
        lines.append("%s ALL=(%s) NOPASSWD: %s/releases/*/venv/bin/python" % (deploy_user, app_user, root))
    lines.append("%s ALL=(root) NOPASSWD: %s -I %s config %s" % (deploy_user, python, HELPER, app))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- link-proof file operations

O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def refuse_link(path, exc):
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        raise AgentError("refusing %s: it (or a directory above it) is a symbolic link or not what bootstrap "
                         "made" % path, hint="someone planted it: inspect and remove it, then bootstrap again")
    raise exc


def open_dir(path, create=None):
    """An fd of directory ``path``, walked from ``/`` one component at a time with ``O_NOFOLLOW``: no link is
    followed anywhere on the way. ``create(dir_fd, name)`` is called for a missing last component."""
    parts = parts_of(path)
    if parts is None:
        raise AgentError("refusing %s: not an absolute path without '..'" % path)
    fd = os.open(SYSTEM.root, O_DIR)
    try:
        for i, name in enumerate(parts):
            try:
                child = os.open(name, O_DIR, dir_fd=fd)
            except FileNotFoundError:
                if create is None or i != len(parts) - 1:
                    raise
                create(fd, name)
                child = os.open(name, O_DIR, dir_fd=fd)
            except OSError as exc:
                refuse_link("/" + "/".join(parts[:i + 1]), exc)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def split(path):
    head, name = posixpath.split(path)
    if not name or name in (".", ".."):
        raise AgentError("refusing %s: not a file path" % path)
    return head or "/", name


def set_attrs(fd, path, uid, gid, mode, changes):
    """chown/chmod through the open fd (never the name); a regular file with other hard links is refused."""
    st = os.fstat(fd)
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
        raise AgentError("refusing %s: it has %d hard links (one may be a system file)" % (path, st.st_nlink),
                         hint="someone planted it: remove it, then bootstrap again")
    if SYSTEM.owner(st) != (uid, gid):
        SYSTEM.fchown(fd, uid, gid)
        changes.append("owner set: %s %s:%s" % (path, name_of_uid(uid), name_of_gid(gid)))
    if st.st_mode & 0o7777 != mode:
        os.fchmod(fd, mode)
        changes.append("mode set: %s %o" % (path, mode))


def name_of_uid(uid):
    try:
        return SYSTEM.passwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def name_of_gid(gid):
    try:
        return SYSTEM.group.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def ensure_dir(path, uid, gid, mode, changes):
    """Make ``path`` a directory (its parents must exist) with these attributes; returns nothing."""
    def create(dir_fd, name):
        try:
            os.mkdir(name, 0o700, dir_fd=dir_fd)
            changes.append("dir created: " + path)
        except FileExistsError:  # made by a concurrent run meanwhile: opened (no link) and checked below
            pass
    fd = open_dir(path, create=create)
    try:
        set_attrs(fd, path, uid, gid, mode, changes)
    finally:
        os.close(fd)


def open_existing(dir_fd, name, path, flags=os.O_RDONLY):
    """An fd of the regular file ``name`` in ``dir_fd`` (None when absent); a link or non-file is refused."""
    try:
        fd = os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        refuse_link(path, exc)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise AgentError("refusing %s: not a regular file" % path, hint="remove it, then bootstrap again")
    return fd


def read_fd(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def write_new(dir_fd, name, content, uid, gid, mode):
    """Write ``content`` to a fresh ``O_EXCL`` temp file in ``dir_fd`` with its final attributes; its name."""
    tmp = ".%s.dt-%s" % (name, os.urandom(6).hex())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        SYSTEM.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp, dir_fd=dir_fd)
        raise
    os.close(fd)
    return tmp


def ensure_file(path, content, uid, gid, mode, changes, label=None, keep_previous=False):
    """``path`` holds ``content`` with these attributes; written (temp + rename) only when it differs.
    ``keep_previous`` keeps the replaced content as ``.<name>.previous`` (same attributes). True if written."""
    head, name = split(path)
    dir_fd = open_dir(head)
    try:
        fd = open_existing(dir_fd, name, path)
        if fd is not None:
            try:
                if read_fd(fd) == content:
                    set_attrs(fd, path, uid, gid, mode, changes)
                    return False
                set_attrs(fd, path, uid, gid, mode, [])  # refuses a hard-linked file before linking it again
            finally:
                os.close(fd)
        tmp = write_new(dir_fd, name, content, uid, gid, mode)
        if fd is not None and keep_previous:
            prev = ".%s.previous" % name
            link_tmp = prev + ".dt-" + os.urandom(6).hex()
            os.link(name, link_tmp, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            os.rename(link_tmp, prev, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        changes.append("file written: " + (label or path))
        return True
    finally:
        os.close(dir_fd)


def ensure_empty_file(path, uid, gid, mode, changes):
    """Create ``path`` if absent (never truncating it) and set its attributes through the fd."""
    head, name = split(path)
    dir_fd = open_dir(head)
    try:
        fd = open_existing(dir_fd, name, path)
        if fd is None:
            try:
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                             dir_fd=dir_fd)
            except OSError as exc:
                refuse_link(path, exc)
        try:
            set_attrs(fd, path, uid, gid, mode, changes)
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


def remove_file(path):
    """Unlink ``path`` (never following a link above it); True if it existed."""
    head, name = split(path)
    try:
        dir_fd = open_dir(head)
    except FileNotFoundError:
        return False
    try:
        os.unlink(name, dir_fd=dir_fd)
        return True
    except FileNotFoundError:
        return False
    finally:
        os.close(dir_fd)


def touch(path):
    """Set ``path``'s times to now through an fd opened without following links (mod_wsgi reload)."""
    head, name = split(path)
    dir_fd = open_dir(head)
    try:
        fd = open_existing(dir_fd, name, path)
        if fd is None:
            return False
        try:
            os.utime(fd)
        finally:
            os.close(fd)
        return True
    finally:
        os.close(dir_fd)


# ---------------------------------------------------------------- locks

def acquire_flock(path, timeout, what, on_wait=None, clock=time.monotonic, sleep=time.sleep, interval=0.1,
                  lockf=False):
    """An fd holding an exclusive lock on ``path`` (flock, or POSIX ``lockf`` as dpkg uses), within
    ``timeout`` seconds; ``on_wait()`` once when it has to wait; a one-line AgentError when it gives up."""
    fd = os.open(SYSTEM.path(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    lock = (lambda: fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)) if lockf else \
        (lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB))
    deadline, waited = clock() + timeout, False
    while True:
        try:
            lock()
            return fd
        except (BlockingIOError, PermissionError):
            if not waited and on_wait:
                on_wait()
            waited = True
            if clock() >= deadline:
                os.close(fd)
                raise AgentError("%s: %s is held by another process; gave up after %gs" % (what, path, timeout),
                                 hint="wait until it finishes (ps -ef | grep -e apt -e dpkg), then run bootstrap "
                                      "again") from None
            sleep(interval)


def wait_for_dpkg(timeout, path=DPKG_LOCK, **kw):
    """Wait (bounded) until no other package manager holds dpkg's frontend lock; release it again at once
    (apt-get takes it itself, with its own short ``DPkg::Lock::Timeout`` for the remaining race)."""
    if not os.path.exists(SYSTEM.path(path)):
        return
    fd = acquire_flock(path, timeout, "the dpkg lock", lockf=True, on_wait=lambda: emit(
        "step", step="dpkg_wait", seconds=0,
        message="waiting for the dpkg lock %s (another apt or dpkg runs), up to %gs" % (path, timeout)), **kw)
    os.close(fd)


def state_dir():
    """``/var/lib/deploytests`` (root 0755), created if missing."""
    changes = []
    ensure_dir(STATE_DIR, 0, 0, 0o755, changes)
    return changes


# ---------------------------------------------------------------- bootstrap steps

def installed(package):
    code, out = run(["dpkg-query", "-W", "-f=${Status}", package], "dpkg-query", check=False)
    return code == 0 and out.strip().endswith("install ok installed")


def ensure_packages(args: BootstrapArgs, changes):
    missing = [p for p in args.packages if not installed(p)]
    if not missing:
        return
    timeout = float(args.dpkg_lock_timeout)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    hint = "the server needs its Debian mirror, or install %s by hand" % " ".join(missing)
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=%d" % max(1, int(timeout))]
    wait_for_dpkg(timeout)
    run(apt + ["update", "-qq"], "apt-get update failed", env=env, hint=hint)
    wait_for_dpkg(timeout)
    code, out = run(apt + ["install", "-y", "-qq", "--no-install-recommends"] + missing, "apt-get install",
                    env=env, check=False)
    if code != 0:
        last = out.strip().splitlines()[-1] if out.strip() else "no output"
        if "dpkg --configure -a" in out:  # an earlier run was killed mid-install: dpkg needs finishing first
            hint = "an earlier install was interrupted: run `sudo dpkg --configure -a` on the server, then " \
                   "bootstrap again"
        raise AgentError("apt-get install failed (exit %d): %s" % (code, last), hint=hint,
                         detail="\n".join(out.splitlines()[-25:]))
    changes.append("packages installed: " + " ".join(missing))


def registry():
    """App users deploytests created on this server (``/var/lib/deploytests/users``, root-owned)."""
    try:
        dir_fd = open_dir(STATE_DIR)
    except FileNotFoundError:
        return set()
    try:
        fd = open_existing(dir_fd, "users", STATE_DIR + "/users")
        if fd is None:
            return set()
        try:
            return set(read_fd(fd).decode().split())
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


def created_by_old_bootstrap(role, entry, root):
    """An app user made by a bootstrap from before the registry: home = this app's tree, no login shell, its
    own group (what ``useradd --system --user-group --home-dir <root> --shell nologin`` made). Only root can
    give an account these attributes."""
    if role != "app_user" or entry is None:
        return False
    try:
        own_group = SYSTEM.group.getgrgid(entry.pw_gid).gr_name == entry.pw_name
    except KeyError:
        own_group = False
    return entry.pw_gecos == MARK or (entry.pw_dir == root and entry.pw_shell == "/usr/sbin/nologin" and own_group)


def getpw(name):
    try:
        return SYSTEM.passwd.getpwnam(name)
    except KeyError:
        return None


def ensure_users(args: BootstrapArgs, changes, undo):
    """The app user (created when missing, recorded as ours) and the deploy user (must exist), both checked;
    the deploy user joins the app group. Returns (app uid, app gid, deploy uid, deploy gid)."""
    user, deploy, ours = args.app_user, args.deploy_user, registry()
    app_entry, deploy_entry = getpw(user), getpw(deploy)
    for role, name, entry in (("app_user", user, app_entry), ("deploy_user", deploy, deploy_entry)):
        created = name in ours or created_by_old_bootstrap(role, entry, args.root)
        problem = user_problem(role, name, entry, created)
        if problem:
            raise AgentError(problem, hint="set %s in deploy.toml to a dedicated user (the app user is created "
                                           "by bootstrap)" % role, step="users")
    if app_entry is None:
        run(["useradd", "--system", "--user-group", "--home-dir", args.root, "--no-create-home",
             "--comment", MARK, "--shell", "/usr/sbin/nologin", user], "useradd %s failed" % user)
        changes.append("user created: " + user)
        ensure_file(STATE_DIR + "/users", ("\n".join(sorted(ours | {user})) + "\n").encode(), 0, 0, 0o644, [])
        app_entry = SYSTEM.passwd.getpwnam(user)
    group = SYSTEM.group.getgrgid(app_entry.pw_gid).gr_name
    if deploy != user and deploy not in SYSTEM.group.getgrnam(group).gr_mem:
        run(["usermod", "-aG", group, deploy], "usermod failed")
        changes.append("%s added to group %s" % (deploy, group))
        undo.append(lambda: run(["gpasswd", "-d", deploy, group], "gpasswd -d failed", check=False))
    return app_entry.pw_uid, app_entry.pw_gid, deploy_entry.pw_uid, deploy_entry.pw_gid


def ensure_tree(args: BootstrapArgs, ids, changes):
    """``/var/www/<app>`` and what the deploy user owns in it; ``shared/`` (root:app 0750) and its data dirs."""
    app_uid, app_gid, deploy_uid, deploy_gid = ids
    root = args.root
    ensure_dir(APPS_ROOT, 0, 0, 0o755, changes)
    ensure_dir(root, deploy_uid, deploy_gid, 0o755, changes)
    ensure_dir(root + "/releases", deploy_uid, deploy_gid, 0o755, changes)
    ensure_dir(root + "/shared", 0, app_gid, 0o750, changes)
    for rel in args.shared_paths:
        path = root + "/shared"
        for part in rel.split("/"):
            path += "/" + part
            ensure_dir(path, app_uid, app_gid, 0o770, changes)
    ensure_empty_file(root + "/" + LOCK_NAME, deploy_uid, deploy_gid, 0o644, changes)
    ensure_file(root + "/application.wsgi", args.wsgi.encode(), deploy_uid, deploy_gid, 0o644, changes)
    ensure_runtime(root + "/" + RUNTIME, changes)


RUNTIME = "python"  # <root>/python: the daemons' python-home (an empty venv, root's); the vhost names it


def ensure_runtime(path, changes, uid=0, gid=0):
    """The mod_wsgi daemons' python-home: an empty venv, root:root 0755, there from bootstrap on, so the daemons
    start cleanly before the first release exists (application.wsgi adds the live release's site-packages).

    Its parent is the deploy user's, so ``venv`` (which works by path) never runs there: it builds the venv in
    root's own state directory (no one else can plant a link on that path), which is then renamed into place
    by directory fds (``renameat``: no link followed; it replaces only a missing name or an empty directory).
    ``uid``/``gid``: its owner (root; the unit tests pass their own)."""
    head, name = split(path)
    parent = open_dir(head)
    try:
        try:
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            st = None
        if st is not None:
            if not stat.S_ISDIR(st.st_mode):
                raise AgentError("refusing %s: not a directory (a link or a file is there)" % path,
                                 hint="someone planted it: remove it, then bootstrap again")
            fd = os.open(name, O_DIR, dir_fd=parent)
            try:
                try:
                    cfg = os.stat("pyvenv.cfg", dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    cfg = None
                if cfg is not None:
                    if not stat.S_ISREG(cfg.st_mode) or SYSTEM.owner(cfg)[0] != uid:
                        raise AgentError("refusing %s/pyvenv.cfg: not a regular file of root's" % path,
                                         hint="someone planted it: remove %s, then bootstrap again" % path)
                    set_attrs(fd, path, uid, gid, 0o755, changes)
                    return
            finally:
                os.close(fd)
        stage_name = "python-home.dt-%s" % os.urandom(6).hex()
        state = STATE_DIR
        stage = state + "/" + stage_name
        proc = SYSTEM.run([sys.executable, "-I", "-m", "venv", "--without-pip", SYSTEM.path(stage)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        state_fd = open_dir(state)
        try:
            if proc.returncode != 0:
                out = proc.stdout.decode("utf-8", "replace")
                raise AgentError("creating the daemons' python-home %s failed: %s" % (
                    path, (out.strip().splitlines() or ["no output"])[-1]), detail=out, step="tree",
                    hint="is python3-venv installed?")
            try:
                os.rename(stage_name, name, src_dir_fd=state_fd, dst_dir_fd=parent)
            except OSError as exc:
                raise AgentError("cannot move the daemons' python-home into %s: %s" % (path, exc.strerror),
                                 hint="%s must be on the same filesystem as %s, and %s absent or empty"
                                      % (head, state, path)) from None
        finally:
            if os.path.lexists(SYSTEM.path(stage)):
                SYSTEM.run(["rm", "-rf", "--one-file-system", SYSTEM.path(stage)], stdin=subprocess.DEVNULL)
            os.close(state_fd)
        fd = os.open(name, O_DIR, dir_fd=parent)
        try:
            set_attrs(fd, path, uid, gid, 0o755, [])
        finally:
            os.close(fd)
        changes.append("venv created: %s (the daemons' python-home)" % path)
    finally:
        os.close(parent)


def install_config(settings, config, changes, keep_previous=False):
    """Write ``config`` (bytes) at the app's config path, 0640 root:<app group>, after checking the path again
    (components) and while writing (no link followed). The parent dirs below the app's tree are made
    root:<app group> 0750; ``/etc/<app>`` must be ours if it exists. True when the content changed."""
    path, app = settings["config_path"], settings["app"]
    problem = config_path_problem(path, app)
    if problem:
        raise AgentError("config_path %r %s" % (path, problem), step="config",
                         hint="set config_path in deploy.toml to e.g. /etc/%s/app.cfg" % app)
    gid = SYSTEM.group.getgrnam(settings["app_group"]).gr_gid
    parts = parts_of(path)
    base = ["etc", app] if parts[0] == "etc" else ["var", "www", app, "shared"]
    own = "/" + "/".join(base)
    if base[0] == "etc":
        try:
            fd = open_dir(own)
        except FileNotFoundError:
            fd = None
        if fd is not None:
            st = os.fstat(fd)
            os.close(fd)
            owner = SYSTEM.owner(st)
            if owner != (0, gid):
                raise AgentError("config_path %r: %s exists and is not the app's (owner %s:%s, expected root:%s)"
                                 % (path, own, name_of_uid(owner[0]), name_of_gid(owner[1]),
                                    settings["app_group"]), step="config",
                                 hint="it belongs to something else on this server: choose another config_path")
    for i in range(len(base), len(parts)):
        ensure_dir("/" + "/".join(parts[:i]), 0, gid, 0o750, changes)
    return ensure_file(path, config, 0, gid, 0o640, changes, keep_previous=keep_previous,
                       label="%s (config, sha256 %s)" % (path, hashlib.sha256(config).hexdigest()[:12]))


def restore_config(settings):
    """Put back the config the last install replaced (a refused release must not leave its config live)."""
    head, name = split(settings["config_path"])
    dir_fd = open_dir(head)
    try:
        try:
            os.rename(".%s.previous" % name, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            return True
        except FileNotFoundError:
            return False
    finally:
        os.close(dir_fd)


def ensure_sudoers(args: BootstrapArgs, changes, undo):
    """``/etc/sudoers.d/deploytests-<app>``: checked by visudo in a root-only temp file, then renamed in."""
    if args.deploy_user == "root":
        return
    path = "/etc/sudoers.d/deploytests-%s" % args.app
    rule = sudoers_rule(args.deploy_user, args.app_user, args.app, args.root, sys.executable)
    dir_fd = open_dir("/etc/sudoers.d")
    try:
        fd = open_existing(dir_fd, os.path.basename(path), path)
        old = None
        if fd is not None:
            old = read_fd(fd)
            os.close(fd)
        if old == rule.encode():
            return
        tmp = write_new(dir_fd, os.path.basename(path), rule.encode(), 0, 0, 0o440)
        try:
            run(["/usr/sbin/visudo", "-cqf", SYSTEM.path("/etc/sudoers.d/" + tmp)],
                "the generated sudoers rule is invalid",
                hint="this is a deploytests bug: report it with the rule below")
            os.rename(tmp, os.path.basename(path), src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            os.unlink(tmp, dir_fd=dir_fd)
            raise
    finally:
        os.close(dir_fd)
    changes.append("sudoers written: %s (%s may run the release python as %s and the config helper)"
                   % (path, args.deploy_user, args.app_user))
    if old is None:
        undo.append(lambda: remove_file(path))
    else:
        undo.append(lambda: ensure_file(path, old, 0, 0, 0o440, []))


SERVERNAME = "deploytests-servername"  # conf-available/<this>.conf


def configtest(a: ApacheArgs):
    return run([a.apachectl, "configtest"], "configtest", check=False)


def ensure_apache(args: BootstrapArgs, changes):
    """Vhost, modules, sites, a global ServerName if Apache lacks one; configtest before any reload; a failed
    configtest restores the previous vhost. Paths and tools are the server stack's (``args.apache``)."""
    a = args.apache
    vhost = "%s/%s.conf" % (a.sites_available, args.app)
    dir_fd = open_dir(a.sites_available)
    fd = open_existing(dir_fd, args.app + ".conf", vhost)
    os.close(dir_fd)
    old = None
    if fd is not None:
        old = read_fd(fd)
        os.close(fd)
    before = len(changes)
    ensure_file(vhost, args.vhost.encode(), 0, 0, 0o644, changes)
    if not os.path.exists(SYSTEM.path("%s/%s.load" % (a.mods_enabled, a.wsgi_module))):
        run([a.a2enmod, "-q", a.wsgi_module], "a2enmod wsgi failed")
        changes.append("apache module enabled: wsgi")
    if os.path.lexists(SYSTEM.path("%s/%s.conf" % (a.sites_enabled, a.default_site))):
        run([a.a2dissite, "-q", a.default_site], "a2dissite 000-default failed")
        changes.append("apache site disabled: 000-default")
    if not os.path.lexists(SYSTEM.path("%s/%s.conf" % (a.sites_enabled, args.app))):
        run([a.a2ensite, "-q", args.app], "a2ensite failed")
        changes.append("apache site enabled: " + args.app)
    code, out = configtest(a)
    if code == 0 and "AH00558" in out:  # no global ServerName: say one, so configtest is clean
        ensure_file("%s/%s.conf" % (a.conf_available, SERVERNAME),
                    b"# Written by deploytests bootstrap: a global ServerName (AH00558).\n"
                    b"ServerName localhost\n", 0, 0, 0o644, changes)
        run([a.a2enconf, "-q", SERVERNAME], "a2enconf failed")
        code, out = configtest(a)
    if code != 0:
        if old is not None:
            ensure_file(vhost, old, 0, 0, 0o644, [])
        else:
            run([a.a2dissite, "-q", args.app], "a2dissite failed", check=False)
            remove_file(vhost)
        first = next((ln for ln in out.splitlines() if ln.strip()), "no output")
        raise AgentError("apache2ctl configtest failed: %s" % first, detail=out, step="apache",
                         hint="Apache was not reloaded, the running site is untouched; the previous vhost "
                              "was restored")
    return len(changes) > before


def apache_pid(a: ApacheArgs):
    try:
        with open(SYSTEM.path(a.pid_file)) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def ensure_running(apache_changed, changes, a: ApacheArgs):
    if apache_pid(a) is None:
        run([a.apachectl, "start"], "apache2ctl start failed")
        changes.append("apache started")
    elif apache_changed:
        run([a.apachectl, "graceful"], "apache2ctl graceful failed")
        changes.append("apache reloaded (graceful)")
    return apache_pid(a)


def settings_of(args: BootstrapArgs, app_group):
    """What the config helper needs, recorded by bootstrap in root's state dir (never taken from its caller)."""
    return {"app": args.app, "root": args.root, "app_user": args.app_user, "app_group": app_group,
            "deploy_user": args.deploy_user, "config_path": args.config_path,
            "config_command": ["sudo", "-n", sys.executable, "-I", HELPER, "config", args.app]}


def cmd_bootstrap(args: BootstrapArgs):
    steps, changes, undo = Steps(), [], []  # type: Steps, list, list
    config = sys.stdin.buffer.read(args.config_size) if args.config_size is not None else None
    helper = sys.stdin.buffer.read(args.helper_size)  # this program's own source, installed as the helper
    problem = config_path_problem(args.config_path, args.app)
    if problem:
        raise AgentError("config_path %r %s" % (args.config_path, problem), step="config",
                         hint="set config_path in deploy.toml to e.g. /etc/%s/app.cfg" % args.app)
    state_dir()
    lock = acquire_flock(STATE_DIR + "/bootstrap.lock", float(args.lock_timeout), "bootstrap lock",
                         on_wait=lambda: emit("step", step="lock_wait", seconds=0,
                                              message="waiting for another bootstrap on this server"))
    try:
        with steps("packages"):
            ensure_packages(args, changes)
        try:
            with steps("users"):
                ids = ensure_users(args, changes, undo)
                app_group = SYSTEM.group.getgrgid(ids[1]).gr_name
            with steps("tree"):
                ensure_tree(args, ids, changes)
                settings = settings_of(args, app_group)
                ensure_file(HELPER, helper, 0, 0, 0o644, changes)
                ensure_file("%s/%s.json" % (STATE_DIR, args.app),
                            (json.dumps(settings, indent=1, sort_keys=True) + "\n").encode(), 0, 0, 0o644, changes)
                config_changed = config is not None and install_config(settings, config, changes)
            with steps("apache"):
                apache_changed = ensure_apache(args, changes)
                pid = ensure_running(apache_changed, changes, args.apache)
            if config_changed and os.path.lexists(SYSTEM.path(args.root + "/current")) and not apache_changed:
                touch(args.root + "/application.wsgi")  # the live release restarts with the new config
                changes.append("app reloaded: the live release restarts with the new config")
            with steps("sudoers"):  # last: a failed bootstrap never leaves a grant
                ensure_sudoers(args, changes, undo)
        except BaseException:
            for fn in reversed(undo):
                try:
                    fn()
                except Exception:  # noqa: BLE001 - best effort; the original error is what matters
                    pass
            raise
    finally:
        os.close(lock)
    return {"changed": bool(changes), "changes": changes, "timings": steps.timings, "apache_pid": pid,
            "python_version": "%d.%d" % sys.version_info[:2], "machine": os.uname().machine}


# ---------------------------------------------------------------- the config helper (sudo, deploy user)

def load_settings(app):
    if not isinstance(app, str) or not app.replace("_", "").isalnum():
        raise AgentError("no such app %r" % (app,))
    path = "%s/%s.json" % (STATE_DIR, app)
    dir_fd = open_dir(STATE_DIR)
    try:
        fd = open_existing(dir_fd, app + ".json", path)
        if fd is None:
            raise AgentError("%s is missing: the app was not bootstrapped here" % path, hint="run bootstrap")
        try:
            st = os.fstat(fd)
            if SYSTEM.owner(st)[0] != 0 or st.st_mode & 0o022:
                raise AgentError("refusing %s: not root's own file" % path, hint="run bootstrap again")
            return json.loads(read_fd(fd).decode())
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


KEEP_VERSIONS = 10  # configs kept for rollbacks (besides the one in use)


def version_name(name, sha256):
    return ".%s.v-%s" % (name, sha256[:16])


def keep_version(settings, config):
    """Keep a copy of ``config`` beside the config (``.<name>.v-<sha16>``, 0640 root:<app group>) so that a
    rollback can put back the config its release started with; only the newest copies are kept."""
    head, name = split(settings["config_path"])
    gid = SYSTEM.group.getgrnam(settings["app_group"]).gr_gid
    ensure_file(posixpath.join(head, version_name(name, hashlib.sha256(config).hexdigest())), config, 0, gid,
                0o640, [])
    dir_fd = open_dir(head)
    try:
        prefix = ".%s.v-" % name
        versions = []
        for entry in os.listdir(dir_fd):
            if entry.startswith(prefix) and ".dt-" not in entry:
                st = os.stat(entry, dir_fd=dir_fd, follow_symlinks=False)
                versions.append((st.st_mtime, entry))
        for _, entry in sorted(versions)[:-KEEP_VERSIONS]:
            os.unlink(entry, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def activate_version(settings, sha256):
    """Put the kept config with this sha256 in place; (changed, found). Only root's own copies are used."""
    head, name = split(settings["config_path"])
    if not isinstance(sha256, str) or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise AgentError("config helper: bad sha256 %r" % (sha256,))
    dir_fd = open_dir(head)
    try:
        fd = open_existing(dir_fd, version_name(name, sha256), posixpath.join(head, version_name(name, sha256)))
        if fd is None:
            return False, False
        try:
            if SYSTEM.owner(os.fstat(fd))[0] != 0:
                raise AgentError("refusing %s: not root's own copy" % version_name(name, sha256))
            config = read_fd(fd)
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)
    if hashlib.sha256(config).hexdigest() != sha256:
        return False, False
    return install_config(settings, config, [], keep_previous=True), True


def cmd_config(app):
    """One request on stdin: ``{"op": "install", "size": N}\\n`` + N bytes (install, keeping the replaced
    config for ``restore`` and a copy of each for ``activate``), ``{"op": "restore"}`` (put back the config the
    last install replaced) or ``{"op": "activate", "sha256": ...}`` (put back a kept config: rollbacks)."""
    settings = load_settings(app)
    try:
        request = ConfigRequest.from_json(sys.stdin.buffer.readline().decode("utf-8", "replace") or "{}")
    except ContractError as exc:
        raise AgentError("config helper: expected an install, restore or activate request on stdin: %s" % exc) \
            from None
    if request.op == "restore":
        return {"changed": restore_config(settings)}
    if request.op == "activate":
        changed, found = activate_version(settings, request.sha256)
        return {"changed": changed, "found": found}
    config = sys.stdin.buffer.read(request.size)
    if len(config) != request.size:
        raise AgentError("config helper: the config arrived cut short", hint="deploy again")
    changes = []
    changed = install_config(settings, config, changes, keep_previous=True)
    keep_version(settings, config)
    return {"changed": changed, "sha256": hashlib.sha256(config).hexdigest(), "changes": changes}


def main(argv):
    command = argv[0] if argv else ""
    os.umask(0o022)  # what apt and useradd expect; every file written here gets its mode through its fd
    try:
        if SYSTEM.geteuid() != 0:
            raise AgentError("%s must run as root" % command, hint="bootstrap needs a login with passwordless sudo")
        if command == "bootstrap" and len(argv) == 2:
            try:
                args = BootstrapArgs.from_json(argv[1])
            except ContractError as exc:
                raise AgentError("root agent arguments: %s" % exc, hint="the runner and this agent come from one "
                                 "deploytests version: a bug, report it") from None
            result = BootstrapReply.from_dict(cmd_bootstrap(args)).to_dict()
        elif command == "config" and len(argv) == 2:
            result = ConfigReply.from_dict(cmd_config(argv[1])).to_dict()
        else:
            raise AgentError("unknown command %r" % command)
        emit("result", **result)
        return 0
    except AgentError as exc:
        emit("error", what=exc.what, hint=exc.hint, detail=exc.detail, step=exc.step or command)
        return 3
    except Exception as exc:  # a bug or an unexpected server state: one line, traceback in the detail
        import traceback
        emit("error", what="root agent crashed: %s: %s" % (type(exc).__name__, exc), step=command,
             hint="this is a deploytests bug or an unexpected server state; see the traceback",
             detail=traceback.format_exc())
        return 4


if __name__ == "__main__":  # pragma: no cover - servers run the bundle (bundle.py), which calls main() itself
    sys.exit(main(sys.argv[1:]))
