"""The remote half of the pipeline that runs as the deploy user (deploy, rollback, status): one stdlib-only
Python program run on the server per step. What runs as root (bootstrap) is its own program, ``agent_root.py``;
nothing here runs as root. The one sudoers rule bootstrap writes lets this login run the stack's python as the
app user (the release check); the config is this login's own file, installed and restored here without sudo.

Why a Python program and not a shell script: every server we deploy to has ``python3`` (it runs the app), so
the remote side of each step can be one process started over one SSH channel (one round trip), with real
data structures, ``fcntl.flock``, deadlines, JSON results, and logic that the unit tests run on the runner
against a temp dir (the same source is what runs on the server). The runner sends this module's source --
bundled with the modules it imports, :mod:`.contract` (its arguments and results, which the runner imports
too) and the :mod:`.programs` it starts in a release's venv (see ``bundle.py``) -- followed by the payload
(config bytes, then the artifact) on stdin::

    python3 -c 'import sys;exec(compile(sys.stdin.buffer.read(N),"deploytests-agent","exec"))' \
        deploy '{"root": "/var/www/app", ...}'

The arguments are parsed into the command's contract class (:class:`.contract.DeployArgs` & co.): an unknown,
missing or mistyped field is refused in one line before anything is done.

The agent prints one JSON event per line, prefixed ``@@DT ``: ``step`` events (name, seconds, message) as the
work goes on, then one ``result`` or ``error`` event. Nothing it prints contains config contents.

Rules for this file: standard library only, Python >= 3.7 syntax; from deploytests only its bundled siblings
(``.contract``, ``.programs``), which follow the same rules.
"""

from __future__ import annotations

import errno
import fcntl
import grp
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import sys
import tarfile
import threading
import time

from .contract import (
    ContractError,
    DeployArgs,
    DeployReply,
    GateArgs,
    RollbackArgs,
    RunArgs,
    RunReply,
    StatusArgs,
    StatusReply,
)
from .programs import bundled, spawn
from .programs import source as program_source

EVENT = "@@DT "
LOCK_NAME = ".deploy.lock"
JSON_DEPTH = 32  # levels a RELEASE.json may nest (deploy writes 3): a deeper one is not what a deploy wrote
SHOWN = ("version", "created_at", "artifact_sha256", "deployed_by")  # what status shows of each release
FIELD_MAX = 200  # characters of one shown value
FAILED_LOG = "failed.log"


class AgentError(Exception):
    """A step failed; ``what`` is one line, ``hint`` the next step, ``detail`` longer output."""

    def __init__(self, what, hint="", detail="", step="", live=None, serving=None):
        super().__init__(what)
        self.what, self.hint, self.detail, self.step = what, hint, detail, step
        self.live, self.serving = live, serving  # after a failed gate: the release switched back to, and if it serves
        self.post_deploy_ran = False  # a refused deploy: its post_deploy commands ran against the live data
        self.nothing_live = False  # a refused deploy: no release was live before it (a first deploy)
        self.config_put_back = False  # a refused switch: the config was put back already (put_back)


# ---------------------------------------------------------------- output

_RUNNER = {"connected": True}


def emit(event, **fields):
    """Print one ``@@DT {json}`` event line and flush (the runner reads them as they come).

    Returns False once the runner is gone (its SSH channel closed: EPIPE). The agent then carries on without
    reporting: a deploy that lost its runner after switching ``current`` still reloads, runs the health gate
    and switches back on failure, instead of dying with an ungated release live."""
    if not _RUNNER["connected"]:
        return False
    fields["event"] = event
    try:
        sys.stdout.write(EVENT + json.dumps(fields, sort_keys=True) + "\n")
        sys.stdout.flush()
    except OSError:
        _RUNNER["connected"] = False
        return False
    return True


class Steps:
    """Times named steps and emits one ``step`` event per step: ``with steps("venv"): ...``."""

    def __init__(self):
        self.timings = {}
        self.current = ""

    def __call__(self, name, message=""):
        self.current, self.message = name, message
        return self

    def record(self, name, seconds, message=""):
        """A step timed elsewhere (a phase of the release check): record it and emit its event."""
        self.timings[name] = round(seconds, 3)
        emit("step", step=name, seconds=self.timings[name], message=message)

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.record(self.current, time.monotonic() - self.started, self.message)
            return False
        self.timings[self.current] = round(time.monotonic() - self.started, 3)
        if isinstance(exc, AgentError) and not exc.step:
            exc.step = self.current
        return False


def shown(cmd):
    """A command line for messages: inline scripts (multi-line arguments) shown as ``<script>``."""
    return " ".join("<script>" if "\n" in a else a for a in cmd)


RUN_TIMEOUT = 600  # seconds for one installing command (a venv, the wheels): far above what they take
RUN_COMMAND_TIMEOUT = 3600  # seconds for a one-off command (fab run): a data fix may be long, never unbounded


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Failure|Warning)\b")
RAISED_LINE = re.compile(r"^[A-Za-z_][\w.]*(?::|$)")  # an exception's name (and message) right after its frames


def error_line(lines):
    """The line that says what failed in a command's output: after a Python traceback, its last exception line
    (a library may print notes after it: SQLAlchemy's "(Background on this error at: ...)", PEP 678's notes);
    else the last line that is not blank."""
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        return "no output"
    start = max((i for i, ln in enumerate(lines)  # (after a log prefix too: Falcon's "... [ERROR] GET /x => ")
                 if ln.rstrip().endswith("Traceback (most recent call last):")), default=-1)
    if start >= 0:  # (an exception line follows the frames' indented lines, whatever its class is called:
        tail = lines[start:]  # jinja2's TemplateNotFound, Django's ImproperlyConfigured)
        found = [ln for i, ln in enumerate(tail) if EXCEPTION_LINE.match(ln) or (
            i and tail[i - 1].startswith(" ") and RAISED_LINE.match(ln))]
        if found:
            return found[-1]
    return lines[-1]


def ended(code):
    """How a process ended, for a message: ``exit N``, or the signal that killed it (a negative code). A SIGKILL
    deploytests did not send (its bounds say so in their own words) came from outside: the kernel's out-of-memory
    killer or another process, not the app's own failure."""
    if code >= 0:
        return "exit %d" % code
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = "signal %d" % -code
    return "killed by %s%s" % (name, ", from outside: out of memory (the kernel's OOM killer: see dmesg) or "
                                     "another process" if -code == signal.SIGKILL else "")


def run(cmd, what, hint="", env=None, cwd=None, check=True, timeout=RUN_TIMEOUT):
    """Run ``cmd`` (a list) through :func:`.programs.spawn.run` (its own session, no stdin, bounded, what it
    leaves running killed); raise AgentError with the output tail if it fails or runs past ``timeout``."""
    done = spawn.run(cmd, timeout, env=env, cwd=cwd)
    out, code = done.output, done.code
    detail = "$ %s\n%s" % (shown(cmd), "\n".join(out.splitlines()[-25:]))
    if done.timed_out:
        raise AgentError("%s: %s ran longer than %gs and was killed with its process group"
                         % (what, shown(cmd)[:200], timeout), hint=hint, detail=detail)
    if check and code != 0:
        last = error_line(out.splitlines())
        if "No space left on device" in out:  # whatever the step, the server's state explains it
            hint = "the server's disk is full: free space and deploy again"
        raise AgentError("%s (%s): %s" % (what, ended(code), last), hint=hint, detail=detail)
    if done.leftovers:
        emit("step", step="strays", seconds=0, message="%s %s" % (shown(cmd)[:120], done.leftover_line()))
    return code, out


# ---------------------------------------------------------------- pure decisions (unit-tested)

def complete_releases(names, is_complete):
    """Sorted ids of finished releases: dirs with a RELEASE.json, ignoring dot-names."""
    return sorted(n for n in names if not n.startswith(".") and is_complete(n))


def previous_of(releases, live, recorded=None):
    """The rollback target: the release that was live when ``live`` was deployed (``recorded``: the ``previous``
    of its RELEASE.json), while it is kept; else (a release made before that was recorded, or one pruned) the
    newest release older than ``live``; or None. Not simply the newest older one: after v2 was rolled back to v1
    and v3 deployed, the release before v3 by name is v2, the one rolled back from."""
    if isinstance(recorded, str) and recorded in releases and recorded != live:
        return recorded
    older = [r for r in sorted(releases) if live is None or r < live]
    return older[-1] if older else None


def plan_prune(releases, live, previous, keep):
    """Releases to delete so that at most ``keep`` remain: the oldest first, never ``live`` nor ``previous``."""
    protected = {live, previous}
    removable = [r for r in sorted(releases) if r not in protected]
    excess = len(releases) - keep
    return removable[:max(0, excess)]


def next_release_id(wanted, existing):
    """The id of a new release: ``wanted`` (``<UTC stamp>-<sha8>``, made on the runner) moved past the newest
    existing release when it does not sort after it (runner clocks disagree, or deploys share a second), then
    made unique. Chosen under the deploy lock, so sorting release dirs by name is deploy order."""
    stamp, sep, rest = wanted.partition("-")
    stamps = [e.partition("-")[0] for e in existing if len(e) > 16 and e[8:9] == "T" and e[15:16] == "Z"]
    latest = max(stamps, default="")
    if sep and stamp <= latest:
        import calendar  # only here: a clock behind the newest release (time.strptime imports it anyway)

        try:
            after = calendar.timegm(time.strptime(latest, "%Y%m%dT%H%M%SZ")) + 1
        except ValueError:
            after = None
        if after is not None:
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(after))
    return unique_release_id(stamp + sep + rest, existing)


def unique_release_id(wanted, existing):
    """``wanted``, or ``wanted-2``, ``-3``... when a dir of that name exists already (same second, same sha)."""
    n, rid = 1, wanted
    while rid in existing:
        n += 1
        rid = "%s-%d" % (wanted, n)
    return rid


def plan_deploy(live, live_meta, artifact_sha, config_sha, release):
    """(same artifact as the live release, config differs from the one the live release started with, the
    settings that differ from the live release's). A release's identity is its artifact, its config and its
    settings (every deploy.toml input that changes what runs: ``release["settings"]``, digest
    ``release["settings_sha256"]``, made on the runner by ``releases.release_settings``); any of them changed
    is a new release. ``config_sha`` None: the deploy carries no config (nothing to compare). A live release
    without a recorded config or settings digest (deployed by an older version) counts as changed: once."""
    same_artifact = bool(live) and live_meta.get("artifact_sha256") == artifact_sha
    new_config = config_sha is not None and live_meta.get("config_sha256") != config_sha
    changed = []
    if live and live_meta.get("settings_sha256") != release.get("settings_sha256"):
        old, new = live_meta.get("settings") or {}, release.get("settings") or {}
        old = old if isinstance(old, dict) else {}  # RELEASE.json is the deploy login's file: any JSON
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)) or ["settings"]
    return same_artifact, new_config, changed


def lock_owner_line(info):
    """The line a lock holder writes into the lock file: who, where, since when."""
    return "pid=%(pid)s user=%(user)s by=%(by)s release=%(release)s since=%(since)s" % info


def acquire_lock(path, timeout, on_wait=None, clock=time.monotonic, sleep=time.sleep, interval=0.1, dir_fd=None,
                 shown=None):
    """Take an exclusive ``flock`` on ``path`` (relative to ``dir_fd``: the app's root, opened by
    :func:`check_tree`) within ``timeout`` seconds; return the open fd. Opened with ``O_NOFOLLOW``: a link at the
    lock's name is refused, never written through (``write_lock_owner`` truncates it).

    The kernel drops a flock when its holder dies (killed deploy, dropped SSH session), so a "stale lock" cannot
    exist: a dead holder's lock is simply free, and is taken over here without any pid/boot-id guesswork. The fd
    is not inherited by child processes (``O_CLOEXEC``), so a daemon started by a post-deploy command cannot keep
    the lock. While waiting, ``on_wait(holder_line)`` is called once. On timeout raise AgentError naming the holder.

    The lock is this login's alone (0600, made so again when an older one is 0644): flock(2) needs only an open fd,
    a read-only one too, so a lock others may open is one the app user may hold for ever, and every deploy and
    rollback then waits out its bound. A holder that is not the deploy its line names is said so (see
    :func:`lock_held_why`).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", path)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, 0o600)
    deadline = clock() + timeout
    waited = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            holder = read_lock_owner(fd)
            if not waited and on_wait:
                on_wait(holder)
            waited = True
            if clock() >= deadline:
                os.close(fd)
                gone = lock_held_why(holder)
                raise AgentError("%s holds %s (%s); gave up after %gs" % (
                    "another deploy" if not gone else "a process that is not the deploy its line names (%s)" % gone,
                    shown or path, holder, timeout), step="lock", hint="wait for it to finish, or raise lock_timeout; "
                    "a dead holder frees the lock by itself" if not gone else "another process holds the file open (a "
                    "lock others could open, an older 0644 one, the app user or Apache's user may hold): find it "
                    "as root (fuser -v %s), end it, then deploy again" % (shown or path)) from None
            sleep(interval)


def lock_held_why(holder):
    """Why the lock's holder is not the deploy its line names (its pid is gone, or is not this login's process),
    or None when that deploy runs."""
    found = re.match(r"pid=(\d+) ", holder)
    if not found:
        return None
    try:
        os.kill(int(found.group(1)), 0)
    except ProcessLookupError:
        return "pid %s is gone" % found.group(1)
    except PermissionError:
        return "pid %s is not this login's process" % found.group(1)
    return None


def read_lock_owner(fd):
    """The holder's line, read from the lock file we hold open (never reopened by path)."""
    try:
        return os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "holder unknown"
    except OSError:
        return "holder unknown"


def write_lock_owner(fd, info):
    os.ftruncate(fd, 0)
    os.pwrite(fd, (lock_owner_line(info) + "\n").encode(), 0)


# ---------------------------------------------------------------- release tree

def nested_deeper(value, limit):
    """Whether parsed JSON ``value`` nests deeper than ``limit`` levels (found without recursion: everything that
    later walks it -- a copy, a comparison, ``dataclasses.asdict``, ``json.dumps`` -- recurses, and a RELEASE.json
    nested 500 deep parses but crashed them)."""
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def text(value):
    """A RELEASE.json value as one bounded string (None stays None)."""
    if value is None:
        return None
    return (value if isinstance(value, str) else json.dumps(value, sort_keys=True))[:FIELD_MAX]


class Tree:
    """Paths of one app's tree on the server."""

    def __init__(self, root):
        self.root = root
        self.releases = os.path.join(root, "releases")
        self.current = os.path.join(root, "current")
        self.wsgi = os.path.join(root, "application.wsgi")
        self.lock = os.path.join(root, LOCK_NAME)

    def release(self, rid):
        return os.path.join(self.releases, rid)

    def opened(self, rid=None):
        """A directory fd of ``releases`` (``rid``: of that release in it), no component a link: ``status`` may
        run as another login than the deploy user who can plant ``releases/<id> -> /somewhere/else``."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        top = os.open(self.releases, flags)
        if rid is None:
            return top
        try:
            return os.open(rid, flags, dir_fd=top)
        finally:
            os.close(top)

    def is_complete(self, rid):
        try:
            fd = self.opened(rid)
        except OSError:
            return False
        try:
            return stat.S_ISREG(os.stat("RELEASE.json", dir_fd=fd, follow_symlinks=False).st_mode)
        except OSError:
            return False
        finally:
            os.close(fd)

    def listing(self):
        try:
            fd = self.opened()
        except OSError:
            return complete_releases([], self.is_complete)
        try:
            names = os.listdir(fd)
        finally:
            os.close(fd)
        return complete_releases(names, self.is_complete)

    def live(self):
        try:
            return os.path.basename(os.readlink(self.current).rstrip("/"))
        except OSError:
            return None

    def meta(self, rid):
        """A release's RELEASE.json as data: no component through a link (:meth:`opened`), only a regular file, at
        most 1 MiB (``status`` may run as another login than the deploy user that wrote it: the gate's read-only
        runs)."""
        try:
            top = self.opened(rid)
            try:
                fd = os.open("RELEASE.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=top)
            finally:
                os.close(top)
            try:
                data = os.read(fd, 1 << 20) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
            finally:
                os.close(fd)
            meta = json.loads(data.decode("utf-8"))
            return meta if isinstance(meta, dict) and not nested_deeper(meta, JSON_DEPTH) else {}
        except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested 10^5 deep
            return {}

    def shown(self, rid, key):
        """One value of a release's RELEASE.json as one bounded string (None when absent): what crosses to the
        runner of what the deploy login wrote, never its structure."""
        return text(self.meta(rid).get(key))

    def previous(self, live):
        """The release to roll back to from ``live`` (:func:`previous_of`, with what its RELEASE.json recorded)."""
        return previous_of(self.listing(), live, self.meta(live).get("previous") if live else None)

    def switch(self, rid):
        """Point ``current`` at ``rid`` atomically: a new symlink renamed over the old one."""
        tmp = os.path.join(self.root, ".current.%d" % os.getpid())
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(os.path.join("releases", rid), tmp)
        os.replace(tmp, self.current)

    def reload(self):
        """Touch the .wsgi file: mod_wsgi restarts the daemon on the next request (see deploy.py on why)."""
        os.utime(self.wsgi, None)

    def remove_incomplete(self):
        """Delete release dirs a dead deploy left without RELEASE.json; return their names."""
        names = os.listdir(self.releases) if os.path.isdir(self.releases) else []
        dirs = [n for n in names if os.path.isdir(os.path.join(self.releases, n)) and not n.startswith(".")]
        gone = [n for n in dirs if n != self.live() and not self.is_complete(n)]
        for n in gone:
            shutil.rmtree(os.path.join(self.releases, n), ignore_errors=True)
        return sorted(gone)

    def record_failure(self, rid, version, reason):
        with open(os.path.join(self.releases, FAILED_LOG), "a") as f:
            f.write(json.dumps({"release": rid, "version": version, "reason": reason,
                                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}) + "\n")


# ---------------------------------------------------------------- HTTP gate

ANSWER_LIMIT = 1 << 20  # bytes of a probe's answer read at most


def probe(port, path, host, timeout=5.0):
    """One GET of ``http://127.0.0.1:<port><path>`` with ``Host: host``: (status, release header). A ValueError
    when the answer is no HTTP response. Over a plain socket: importing ``http.client`` (``email``, ``ssl``) cost
    every agent start ~20 ms of CPU, a third of its imports. The answer is read to its end (``Connection:
    close``; at most :data:`ANSWER_LIMIT` bytes, within ``timeout`` in all), so Apache never writes to a closed
    socket, then its head is parsed."""
    deadline = time.monotonic() + timeout
    request = "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: deploytests-gate\r\nAccept-Encoding: identity\r\n" \
              "Connection: close\r\n\r\n" % (path, host)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode("latin-1"))
        answer = b""
        while len(answer) < ANSWER_LIMIT:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete answer within %gs" % timeout)
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    status = head[0].split(None, 2)
    if len(status) < 2 or not status[0].startswith("HTTP/") or not (status[1].isdigit() and len(status[1]) == 3):
        raise ValueError("not an HTTP answer: %r" % head[0][:80])
    release = None
    for line in head[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "x-deploy-release":
            release = value.strip()
    return int(status[1]), release


def serving(args: GateArgs):
    """The release id the site answers with right now (one probe), or None when it does not answer."""
    try:
        return probe(args.port, args.health_path, args.server_name)[1]
    except (OSError, ValueError):
        return None


PATIENCE = 5.0  # seconds the gate's first GET waits for its answer; doubled after each that ran out, within the bound
SETTLE = 3  # consecutive answers from the new release: every daemon process has restarted, not just one


def boot_clock():
    """Seconds since boot: the clock of ``/proc``'s process start times (None where Python has no such clock)."""
    try:
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    except (AttributeError, OSError):
        return None


def is_daemon_title(title, app):
    """Whether ``title`` (a process's argv[0]) is one of ``app``'s mod_wsgi daemons, ``(wsgi:<app>)``: mod_wsgi writes
    it over Apache's own argv[0], so it is cut to that length (``(wsgi:yourapplica`` under ``/usr/sbin/apache2``);
    a non-empty prefix of the app's name matches, as the read-only gate reads it (``verify.parse.is_daemon_of``).
    The whole title compared, no daemon of an app with a name over 10 characters was ever found stale."""
    shown = title[len("(wsgi:"):]
    if shown.endswith(")"):
        shown = shown[:-1]
    return title.startswith("(wsgi:") and bool(shown) and app.startswith(shown)


APACHE_PARENT = ("apache2", "httpd")  # the name of Apache's root process (its comm: a root process's, no one else's)


def apache_child(ppid):
    """Whether ``ppid`` is Apache's root process: root's, named as Apache. A daemon is a process of the app user that
    process forked: the title a process shows is its own to write (``exec -a '(wsgi:app)'`` outside Apache held
    every deploy and rollback at its gate's bound, touching application.wsgi again and again)."""
    try:
        with open("/proc/%d/comm" % ppid) as f:
            return os.stat("/proc/%d" % ppid).st_uid == 0 and f.read().strip() in APACHE_PARENT
    except (OSError, ValueError):
        return False


def stale_daemons(args, since):
    """The pids of the app's mod_wsgi daemons (``args.app_user``'s processes Apache's root process forked, titled
    ``(wsgi:<app>)``) that started before ``since`` (:func:`boot_clock` seconds, taken after ``current`` was
    switched, before application.wsgi was touched): they run what they loaded before the touch (one started
    between the switch and the touch runs the new release, but mod_wsgi restarts it at its next request and the
    read-only gate dates the touch after its start). Both sides are the kernel's boot clock: a start time is
    whole clock ticks, so one tick (10 ms) is the margin (a daemon started that close to the touch is still
    starting Python, and never taken for stale when it started after). It was a second
    (the wall clock against the boot time's whole seconds): a daemon started within that second before a rollback
    (by the deploy just before it) was taken for a new one and went on serving the release rolled back from. Empty
    when ``/proc`` does not show them (``hidepid``), the app user is unknown or ``since`` is None: then nothing
    more is known than the answers."""
    if since is None:
        return []
    try:
        tick, uid = os.sysconf("SC_CLK_TCK"), pwd.getpwnam(args.app_user).pw_uid
    except (OSError, ValueError, KeyError):
        return []
    stale = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if not is_daemon_title(f.read(256).split(b"\0")[0].decode("utf-8", "replace"), args.app):
                    continue
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            mine = os.stat("/proc/" + pid).st_uid == uid
        except (OSError, ValueError, IndexError):
            continue
        if mine and int(fields[19]) / tick < since - 1.0 / tick and apache_child(int(fields[1])):
            stale.append(int(pid))
    return stale


def burst(args, probe, n=8):
    """``n`` GETs at once: a daemon the sequential polls never reached handles one, sees the reload, restarts."""
    def one():
        try:
            probe(args.port, args.health_path, args.server_name)
        except Exception:  # noqa: BLE001 - the answers that count are the polls'
            pass
    threads = [threading.Thread(target=one, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)


RETOUCH = 1.0  # seconds after a touch before the gate touches again, doubled each time
LINGER = 3.0  # seconds a daemon from before may take to exit after the first burst reached it


def gate(args: GateArgs, rid, timeout, clock=time.monotonic, sleep=time.sleep, probe=probe, stale=stale_daemons,
         since=None, retouch=None):
    """Poll the health path on the server until it answers 200 with ``X-Deploy-Release: rid`` :data:`SETTLE` times
    in a row (any other answer starts the count again) and no daemon process of the app started before the
    touch (``since``, :func:`boot_clock` seconds; None: now): mod_wsgi runs several daemon processes, each
    restarts when it handles a request after the reload, and sequential polls may all reach the same one; so a
    daemon still from before gets a burst of requests at once. Past the bound with the answers right but such a
    daemon left, the gate passes on the answers as before (the read-only gate then names the process); answers
    from the new release that began just before the bound finish their count past it (a slow start under load).

    ``retouch`` (the caller's reload: touch the .wsgi file again) is called when, :data:`RETOUCH` seconds after
    the last touch (doubled each time), another release still answers, or when a daemon from before the switch
    is still shown :data:`LINGER` seconds after the first burst (a daemon a burst reached exits in a moment; a
    touch each time a deploy found one would restart every daemon twice). A touch can be lost: mod_wsgi preloads
    application.wsgi when a daemon starts and takes the file's mtime *after* that load, so a switch and touch
    made while a daemon was still importing the release ``current`` named before is recorded as that load's own,
    and the daemon serves the old release until the next touch (a rollback right after Apache restarted its
    daemons was refused that way, 553 answers in 30 s from the release rolled back from). Touching again is the
    reload itself, not another mechanism; it changes application.wsgi, so from then on ``since`` is the new touch:
    a daemon that restarted between the two touches must restart again (else the read-only gate finds a file it
    loads changed after it started, and is right: that was a false alarm after a rollback left by the pipeline).

    Each GET waits :data:`PATIENCE` seconds for its answer, twice as long after one that ran out, up to what is
    left of the bound: a daemon importing the app on a loaded server answers later than any fixed wait, and a
    request given up on is still served, so GETs that all give up too early refuse a release that works.

    Returns (ok, attempts, last) where ``last`` describes the last answer, for the error message.
    """
    since = boot_clock() if since is None else since  # the caller's: taken after the switch, before the touch
    deadline = clock() + timeout
    attempts, last, good = 0, "no answer", 0
    touched, wait = clock(), RETOUCH  # the caller touched the .wsgi file just before
    lingering = None  # when a daemon from before was first seen after the answers were right
    patience = PATIENCE

    def again():
        nonlocal touched, wait, since
        if retouch is not None and clock() - touched >= wait:
            since = boot_clock()  # a daemon that restarted after the first touch loaded a file changed since:
            retouch()  # it is from before now (the read-only gate dates what they load against their start)
            touched, wait = clock(), wait * 2

    while True:
        attempts += 1
        try:
            status, served = probe(args.port, args.health_path, args.server_name,
                                   max(PATIENCE, min(patience, deadline - clock())))
            last = "HTTP %s from release %s" % (status, served or "(no X-Deploy-Release header)")
            good = good + 1 if status == 200 and served == rid else 0
            if good >= SETTLE:
                if clock() >= deadline or not stale(args, since):
                    return True, attempts, last
                lingering = clock() if lingering is None else lingering
                burst(args, probe)
                if clock() - lingering >= LINGER:  # a daemon a burst reached exits in a moment: still there,
                    again()  # a request does not restart it (it lost the touch)
                sleep(0.05)
                continue  # the next answer decides, also when the burst took the gate past its bound
            if served and served != rid:
                again()  # a daemon loaded what ``current`` named before and took the touch for its own
        except (OSError, ValueError) as exc:
            good, last = 0, "%s: %s" % (type(exc).__name__, exc)
            patience *= 2 if isinstance(exc, (TimeoutError, socket.timeout)) else 1  # (3.9: not one)
        if clock() >= deadline and not good:  # past the bound, answers already right decide (at most SETTLE more)
            return False, attempts, last
        sleep(0.05)


# ---------------------------------------------------------------- running as the app user

def as_app(args: GateArgs, cmd):
    """``cmd`` (the release venv's python and its arguments) run as the app user via ``sudo -n -u``, unless we
    are that user. The sudoers rule bootstrap writes allows exactly ``<root>/releases/*/venv/bin/python`` as the
    app user, so the environment travels as an argument (the preflight program sets it), never through ``sudo env``."""
    me = pwd.getpwuid(os.getuid()).pw_name
    if me == args.app_user:
        return cmd
    return ["sudo", "-n", "-u", args.app_user, "--"] + cmd


def as_env(meta):
    """Whether a release (its RELEASE.json, or the deploy's ``release``) takes its config file as its environment
    (deploy.toml's ``config_as_env``)."""
    settings = meta.get("settings") if isinstance(meta, dict) else None
    return isinstance(settings, dict) and settings.get("config_as_env") is True


def app_env(args: GateArgs, release_dir, env=None):
    """The environment of everything the agent runs as the app user in ``release_dir`` (the release check,
    post_deploy, ``run``): the app's own ``env`` (deploy.toml, validated on the runner: no loader variables),
    then what deploytests sets, which wins. The daemons get the same ``env`` from RELEASE.json (application.wsgi)."""
    out = dict(env or {})
    out.update({
        args.config_env: args.config_path,
        "PATH": "%s/venv/bin:/usr/local/bin:/usr/bin:/bin" % release_dir,
        "HOME": args.root,
        "LANG": "C.UTF-8",
    })
    return out


NOT_TOUCHED = "the live release was not touched"


def post_deploy_note(root):
    """What a refusal says once post_deploy commands ran: they act on the live data, which no switch-back undoes."""
    return ("post_deploy already ran against the live data (%s/shared and any database the app uses): check that "
            "data (post_deploy runs on every deploy and must be safe to repeat)" % root)


def refused_hint(hint, post_deploy_ran, root):
    """The hint of a refused release, honest about post_deploy (pure, unit-tested): when its commands ran, the
    live release still serves but is no longer "untouched", whatever step refused the release afterwards."""
    note = post_deploy_note(root)
    if not post_deploy_ran or note in hint:
        return hint
    if NOT_TOUCHED in hint:
        return hint.replace(NOT_TOUCHED, "the live release still serves, but " + note)
    return (hint + "; " if hint else "") + note


def config_hint(args: GateArgs, output):
    """A hint when the release check failed because of the app's config file at ``config_path`` (the app reads it
    through ``config_env``, or from its instance folder): missing, the fix is a config to upload, named in
    deploy.toml; failing in the frame of a traceback that runs it (a Python config's syntax error, a name it does
    not define), the fix is in the config file, at that line, not in the app. None otherwise."""
    for line in output:
        if args.config_path in line and ("No such file" in line or "FileNotFoundError" in line):
            return ("the app reads its config from %s (%s) and none is installed there: set config_file in "
                    "deploy.toml (or the target's config_file) to the config the servers get"
                    % (args.config_path, args.config_env))
    frames = [m for line in output if (m := re.match(r'\s*File "([^"]+)", line (\d+)', line))]
    at = next((m for m in reversed(frames) if same_file(m.group(1), args.config_path)), None)
    if at is not None and args.config_path:
        return ("the error is in the app's config, line %s of the config file installed as %s: fix it in "
                "config_file (deploy.toml, or the target's in targets.toml) and deploy again"
                % (at.group(2), args.config_path))
    return None


def same_file(path, other):
    """Whether ``path`` (a traceback's) is ``other`` (the installed config), through the release's links to
    shared/ (a Flask instance folder in the release's venv)."""
    try:
        return os.path.realpath(path) == os.path.realpath(other)
    except (OSError, ValueError):
        return False


# a database without the table the app asked for: SQLite's, PostgreSQL's and MySQL's words. A hint's pattern is
# compiled when a refusal first needs it (``re`` keeps it): compiled here, every agent's start paid ~0.4 ms for it
NO_TABLE_RE = (r"""no such table: ([\w.]+)|relation "([\w.]+)" does not exist"""
               r"""|Table '([\w.]+)' doesn't exist""")


def schema_hint(args: DeployArgs, output):
    """A hint when the release check failed on a database without its tables: the app is not at fault, nothing
    created its schema on this server (no ``post_deploy``), or the ``post_deploy`` that ran did not create it.
    None otherwise."""
    found = next((m for line in output if (m := re.search(NO_TABLE_RE, line))), None)
    if found is None:
        return None
    table = next(g for g in found.groups() if g)
    if args.post_deploy:
        return ("the app's database has no table %s after post_deploy ran (%s): make post_deploy create the schema "
                "the app uses (keeping existing data: CREATE TABLE IF NOT EXISTS, a migration tool)"
                % (table, "; ".join(args.post_deploy)[:200]))
    return ("the app's database has no table %s: nothing created its schema on this server (deploy.toml has no "
            "post_deploy): add a post_deploy command that creates it and keeps existing data (CREATE TABLE IF NOT "
            "EXISTS, a migration tool: flask db upgrade, django-admin migrate); it runs on every deploy, before the "
            "health GET" % table)


DENIED_RE = r"PermissionError: \[Errno 13\] Permission denied: '([^']+)'"  # (as NO_TABLE_RE)


SCRIPTS_RE = re.compile(r"Path doesn't exist: '?([^'\s]+?)'?\.?(?:\s|$)")  # Alembic's missing scripts dir
TEMPLATE_RE = re.compile(r"(?:TemplateNotFound|TemplateDoesNotExist): (\S+)"
                         r"|TemplateError: Template '([^']+)' not found")


def unshipped_hint(release_dir, output):
    """A hint when a file of the project outside the app's packages is missing from the release: Alembic's
    scripts dir (``Path doesn't exist: migrations``: Flask-Migrate's ``flask db upgrade`` as ``post_deploy``), or
    a template (Jinja's ``TemplateNotFound``, Django's
    ``TemplateDoesNotExist``, Bottle's ``Template ... not found``) that no file of the release holds: the release
    holds the app's wheel (and the static dirs), nothing else of the project, so a template dir outside the app's
    packages is not in it (Bottle's ``views/`` and Flask's ``templates/`` beside a single-module app, Django's
    project-level ``BASE_DIR / "templates"``). None otherwise (the file is there: another cause)."""
    scripts = next((m for line in output if (m := SCRIPTS_RE.search(line))), None)
    if scripts is not None:  # Alembic's (Flask-Migrate's `flask db upgrade`): its scripts dir, relative to the cwd
        where = os.path.join(release_dir, scripts.group(1))
        if not os.path.exists(where):
            return ("the release has no %s: it holds the app's wheel (%s/venv), not the project's other files, so a "
                    "migrations dir outside the app's packages (`flask db init` makes it beside them) is not in "
                    "it; move it into the app's package, ship it as package data ([tool.setuptools.package-data]) "
                    "and name it from the package: Migrate(app, db, directory=os.path.join(os.path.dirname("
                    "__file__), \"migrations\"))" % (where, release_dir))
    found = next((m for line in output if (m := TEMPLATE_RE.search(line))), None)
    if found is None:
        return None
    name = os.path.basename((found.group(1) or found.group(2) or "").strip("'\"").rstrip("."))
    for _, _, files in os.walk(release_dir):
        if any(f == name or f.startswith(name + ".") for f in files):
            return None
    return ("no file of the release is named %s: the release holds the app's wheel (%s/venv), not the project's "
            "other files, so a template dir outside the app's packages is not in it (views/ or templates/ beside a "
            "single-module app, a Django project's BASE_DIR / \"templates\"); move it into the app's package, "
            "ship it as package data ([tool.setuptools.package-data]) and point the framework at it from the "
            "package (os.path.dirname(__file__)); or the name is wrong" % (name, release_dir))


def write_hint(args: DeployArgs, release_dir, output):
    """A hint when the app was refused writing into the release (a path relative to its working dir, the release
    dir, or one inside it; not its venv: :func:`instance_hint`): its data belongs in a shared path, which the
    release links to ``shared/``. None otherwise."""
    release = release_dir.rstrip("/") + "/"
    for line in output:
        found = re.search(DENIED_RE, line)
        if not found:
            continue
        path = found.group(1)
        inside = path if not path.startswith("/") else path[len(release):] if path.startswith(release) else None
        if inside is None or inside.startswith(("venv/", "../")) or inside in ("venv", ".."):
            continue
        top = inside.lstrip("./").split("/")[0] or inside
        if top in args.shared_paths:  # linked to shared/: not the release's (unwritable_data_dirs says why)
            continue
        return ("the app writes %s in the release (%s%s), which the app user cannot write and every release "
                "replaces: list %s in shared_paths in deploy.toml (each release's %s then links to %s/shared/%s, "
                "kept across releases), or have the app take that place from its config or an env variable "
                "pointing under %s/shared/" % (path, release, top, top, top, args.root, top, args.root))
    return None


def entry_hint(args: GateArgs, entry):
    """A hint when the entry point did not import, from the release check's facts (``entry`` mark, see
    ``preflight.import_failure``): the entry module not there (offer what would import), the callable not in it,
    a module the app imports not installed (a dependency the wheel does not declare, or a module of the app the
    wheel lacks), or the app's own import failing. None without facts."""
    if not entry:
        return None
    key = "entry_point = %r (deploy.toml)" % args.entry_point
    module, missing, error = args.entry_point.partition(":")[0], entry.get("missing"), entry.get("error") or ""
    names = [n for n in entry.get("candidates") or [] if isinstance(n, str)]
    offer = ("; a value that imports: %s" % " or ".join("entry_point = %r" % n for n in names)) if names else \
        "; give module:callable of your installed package (Django: 'mysite.wsgi:application', a Flask factory: " \
        "'pkg:create_app()')"
    if entry.get("imported"):
        return "%s: module %r has no %r%s" % (key, module, args.entry_point.partition(":")[2].rstrip("()"), offer)
    if not entry.get("found"):
        return "%s: no module %r in the release%s" % (key, missing or module, offer)
    if missing and missing.split(".")[0] == module.split(".")[0]:
        return "%s: module %r was found, but it imports %s" % (key, module, app_module_missing(missing))
    if missing:
        return "%s: module %r was found, but it imports %s" % (key, module, dependency_missing(missing))
    return "%s: module %r was found, but importing it failed (%s): fix the app" % (key, module, error)


def app_module_missing(missing):
    """What a module of the app's own package that the release lacks tells: the server sees the release, never the
    project, so both causes, the likelier first: an import naming a module the project lacks too, or one the
    project has that its build config left out of the wheel."""
    return ("%r (part of the app), which is not in the release: when there is no module %s in the project either, "
            "the import is wrong: fix it; else the wheel lacks it: check which files the project's build config "
            "packs" % (missing, missing))


def dependency_missing(missing):
    """What a module outside the app that the release lacks tells: where the project's build backend takes the
    dependencies the wheel declares (the server does not know which backend built it)."""
    return ("%r, which is not installed in the release: the release gets the dependencies the packed wheel declares "
            "([project].dependencies in pyproject.toml, [tool.poetry.dependencies] for poetry-core, or "
            "install_requires in setup.py or setup.cfg; pack does not read a requirements.txt): add the distribution "
            "providing %r there and pack again" % (missing, missing.split(".")[0]))


def missing_module_hint(args: GateArgs, output):
    """A hint when the output's error is a module the release lacks, wherever its import failed (a post_deploy
    command: Django's migrate imports the urls and views; the health GET: a view imported at the first request),
    in :func:`entry_hint`'s words. None otherwise."""
    found = next((m for line in reversed(output)
                  if (m := re.search(r"ModuleNotFoundError: No module named '([\w.]+)'", line))), None)
    if found is None:
        return None
    missing = found.group(1)
    if missing.split(".")[0] == args.entry_point.split(":")[0].split(".")[0]:
        return "the app imports %s" % app_module_missing(missing)
    return "the app imports %s" % dependency_missing(missing)


CONFIG_UNREAD = 4  # the release check's exit code (programs.preflight.CONFIG_UNREAD): the app ignored its config


def unread_config(args: DeployArgs, release_dir, started):
    """The error and hint (pure, unit-tested) of a release whose app started without opening the config the
    deploy installed at ``config_path``, from the facts of the ``started`` mark (:class:`.programs.preflight.Start`):
    where it looked instead (files it opened that do not exist), the environment variables it asked for and
    found unset, its framework. Each fix offered follows from one of those facts; the last one always applies."""
    tried = [p[:300] for p in started.get("tried") or [] if isinstance(p, str)]  # the app's process wrote these
    unset = [n[:100] for n in started.get("unset") or [] if isinstance(n, str)]
    what = ("the new release does not read its config: starting (import %s%s), the app never opened %s, where "
            "the deploy installed config_file; it would serve on its defaults" % (args.entry_point, " and GET %s" % (
                args.health_path.partition("?")[0]) if args.health_path else "", args.config_path))
    seen, fixes = [], []
    if tried:
        seen.append("it looked for %s (missing)" % ", ".join(tried[:3]))
    if unset:
        seen.append("it asked for the environment variable%s %s (not set)" % (
            "s" if len(unset) > 1 else "", ", ".join(unset[:5])))
    venv_var = release_dir.rstrip("/") + "/venv/var/"
    folders = sorted({p[len(venv_var):].split("/", 1)[0] for p in tried if p.startswith(venv_var)})
    if folders:  # (Flask's default instance folder of an installed package, inside the release's venv)
        kept = "venv/var/" + folders[0]
        fixes.append('keep that folder in shared/: list "%s" in shared_paths and set config_path = "%s/shared/%s/%s" '
                     "in deploy.toml (every release links it there, as any data dir); or pass instance_path="
                     'os.path.abspath("instance") to Flask(...) and list "instance"' % (
                         kept, args.root, kept, os.path.basename(args.config_path or "config.py")))
    if unset:
        fixes.append("if the app takes its config file's path from %s, set config_env to that name in deploy.toml "
                     "(the deploy sets %s=%s)" % ("one of them" if len(unset) > 1 else "it", args.config_env,
                                                    args.config_path))
    if started.get("framework") == "django":
        fixes.append('have the settings module run the file: if os.environ.get("%s"): '
                     'exec(Path(os.environ["%s"]).read_text())' % (args.config_env, args.config_env))
    fixes.append("make the app read the file $%s names (%s) when it starts; or, if it reads it lazily (on the "
                 "routes that need it), point health_path in deploy.toml at a route that reads it: the check watches "
                 "the start and one GET of health_path%s; or remove config_file from deploy.toml and the target if "
                 "the app takes no config file" % (args.config_env, args.config_path, " (now %s)" % (
                     args.health_path.partition("?")[0]) if args.health_path else ""))
    return what, "; ".join(seen + fixes)


MISPLACED = 5  # the release check's exit code (programs.preflight.MISPLACED): a place for the app's files is wrong
SHARED_DIR = {"MEDIA_ROOT": "media", "UPLOAD_FOLDER": "uploads"}  # the shared path a setting's files go to


def misplaced_data(args: DeployArgs, release_dir, started):
    """The error and hint (pure, unit-tested) of a release whose settings put the app's files (uploads, a file
    cache, file sessions) where the app user cannot keep them, from the ``misplaced`` facts of the ``started``
    mark (:func:`.programs.preflight.misplaced`): inside the release (in its venv: Django's ``BASE_DIR / "media"``),
    which the app user cannot write and every release replaces, or in a dir not the app user's to write. The
    app would start and answer its health GET, then fail at its first upload; refused before any post_deploy."""
    items = [i for i in started.get("misplaced") or [] if isinstance(i, list) and len(i) == 3
             and all(isinstance(x, str) for x in i)]
    name, path, why = (x[:300] for x in items[0])
    if why == "inside":
        where = ("inside the release (%s), which the app user cannot write and every release replaces: the app "
                 "would fail to write there, and what it wrote would be lost at the next release" % release_dir)
    else:
        blocked = why.partition(": ")[2]
        where = "where the app user %s cannot write (%s: %s)" % (args.app_user, blocked, unwritable(
            blocked, args.app_user) or "not writable")
    sub = SHARED_DIR.get(name, "data")
    place = "%s/shared/%s" % (args.root, sub)
    if as_env(getattr(args, "release", None)) and name == "MEDIA_ROOT":
        fix = ('read it from a variable in the settings, MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / '
               '"media"), and set DJANGO_MEDIA_ROOT=%s in the env file (config_file in deploy.toml)' % place)
    else:
        fix = "%s %s" % (set_in_config(args, name), place)
    listed = "" if sub in args.shared_paths else ', and list "%s" in shared_paths in deploy.toml' % sub
    others = "; also %s" % ", ".join("%s (%s)" % tuple(i[:2]) for i in items[1:4]) if len(items) > 1 else ""
    return ("the new release keeps the app's files %s: %s is %s%s" % (where, name, path, others),
            "%s%s: %s is kept across releases and rollbacks" % (fix, listed, place))


PUBLIC_KEY = 6  # the release check's exit code (programs.preflight.PUBLIC_KEY): it signs with a key in its code


def public_key(args: DeployArgs, started):
    """The error and hint (pure) of a release whose app signs with a key written in its own code (the
    ``public_key`` fact of the ``started`` mark, :func:`.programs.preflight.public_key`): file:line, never the key."""
    name, path, line = (started.get("public_key") or ["SECRET_KEY", "?", 0])[:3]
    where = "%s:%s" % (str(path).rpartition("/site-packages/")[2][:300], line)
    return ("the new release signs with a %s written in its own code (%s): anyone who reads the code can forge its "
            "sessions and signed cookies" % (name, where),
            "%s a random value of your own (python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" % (
                ("read %s from an environment variable in the code, with no default written there "
                 "(os.environ[\"%s\"]), and set it in the env file (config_file in deploy.toml) to" % (name, name))
                if as_env(getattr(args, "release", None)) else set_in_config(args, name)))


DEBUG_MODE = 7  # the release check's exit code (programs.preflight.DEBUG_MODE): it runs in debug mode


def debug_mode(args: DeployArgs, started):
    """The error and hint (pure) of a release whose app runs in its framework's debug mode (the ``debug`` fact of
    the ``started`` mark, :func:`.programs.preflight.debug_mode`), with the config the servers get."""
    setting, whose = (started.get("debug") or ["DEBUG", "?"])[:2]
    what = ("the new release runs in debug mode: %s is on (%s): its error pages show tracebacks, local variables "
            "and settings to anyone, and its framework's deployment docs say never to serve it" % (setting, whose))
    if setting == "DEBUG" and as_env(getattr(args, "release", None)):
        return what, ("set the variable the settings read DEBUG from to off in the env file (config_file in "
                      "deploy.toml, or the target's in targets.toml), or read DEBUG with a default of off")
    if setting == "DEBUG":
        return what, ("%s False, or make the code's default off (the config the servers get sets none)"
                      % set_in_config(args, "DEBUG"))
    return what, ("take %s out of what the entry point (%s) starts: keep it for the development server, where "
                  "the code asks for it" % (setting, args.entry_point))


def set_in_config(args: DeployArgs, setting):
    """How to set ``setting`` in what the app reads on the servers: its config file, or, when that file is its
    environment (``config_as_env``), a variable of that file the code reads (an env file holds no settings)."""
    if as_env(getattr(args, "release", None)):  # a deploy's (a gate's release check has its RELEASE.json's)
        return ("read %s from an environment variable in the code (os.environ.get(\"DATABASE_PATH\", ...)) and set "
                "that variable, in the env file (config_file in deploy.toml), to" % setting)
    return "set %s in the config file (config_file in deploy.toml) to" % setting


def instance_hint(args: DeployArgs, release_dir, output, started=None):
    """A hint when the release check failed because the app keeps its data inside the release: a SQLite database
    the app connected to, or that Django's settings name, under the release dir (``started``: the facts of the
    ``started`` mark), or Flask's default instance path, which for an installed package is
    ``<venv>/var/<name>-instance``: inside the release's venv, not writable by the app user and replaced by every
    release. Shown by a ``PermissionError`` (or another error) naming ``<release>/venv/var``, or by sqlite's
    "unable to open database file" (which names no path). None otherwise."""
    venv_var = release_dir.rstrip("/") + "/venv/var"
    named = any(venv_var in line and ("Error" in line or "denied" in line) for line in output)
    sqlite = any("unable to open database file" in line for line in output)
    if not named and not sqlite:
        return None
    started = started or {}
    inside = [db for db in started.get("databases") or [] if isinstance(db, str)
              and db.startswith(release_dir.rstrip("/") + "/")]
    if inside:
        setting = ("DATABASES' NAME" if started.get("framework") == "django" else "the database path")
        return ("the app's SQLite database %s lies inside the release, which the app user cannot write and every "
                "release replaces: %s a file under a shared path, e.g. %s/shared/data/ with shared_paths = "
                "[\"data\"]" % (inside[0], set_in_config(args, setting), args.root))
    for db in (db for db in started.get("databases") or [] if isinstance(db, str) and db.startswith("/")):
        parent = os.path.dirname(db)
        if not os.path.isdir(parent):
            why = "its directory %s does not exist" % parent
        else:  # (SQLite writes its journal beside the file: the directory too must be the app user's to write)
            why = next(("the app user %s cannot write %s (%s)" % (args.app_user, path, blocked) for path in (
                parent, db) if (blocked := unwritable(path, args.app_user, exists=path == parent))), "")
        if why:
            return ("the app's SQLite database %s cannot be opened: %s: %s a file under a shared path, e.g. "
                    "%s/shared/data/ with \"data\" in shared_paths"
                    % (db, why, set_in_config(args, "the database's path"), args.root))
    if started.get("framework") == "django":
        return None  # not Flask's instance folder; the database named nothing inside the release
    shared = "%s/shared/instance" % args.root
    if "instance" in args.shared_paths:
        link = "(the app and post_deploy run in the release dir, where instance/ links to %s)" % shared
    else:
        link = ('and set shared_paths = ["instance"] in deploy.toml (the app and post_deploy run in the release dir; '
                "each release's instance/ then links to %s)" % shared)
    fix = 'pass instance_path=os.path.abspath("instance") to Flask(...) %s' % link
    if named:  # (the folder itself, kept in shared/ as any data dir: no change to the app)
        folder = re.search(re.escape(venv_var) + r"/([\w.-]+-instance)", "\n".join(output))
        kept = "venv/var/%s" % (folder.group(1) if folder else "<package>-instance")
        fix = 'list "%s" in shared_paths (every release links it to %s/shared/%s), or %s' % (
            kept, args.root, kept, fix)
    where = ("Flask's default for an installed package (Flask(__name__) without instance_path=): inside the "
             "release's venv, which the app user cannot write and every release replaces")
    if named:  # the app itself writes there (os.makedirs(app.instance_path), ...): only its path can move
        return "the app's instance path is under %s/, %s: %s" % (venv_var, where, fix)
    # no path named: the database file, which the config may place elsewhere
    fix += (', or set the database path (e.g. DATABASE = "%s/<file>.sqlite") in the config file (config_file '
            'in deploy.toml)' % shared)
    blocked = unwritable_data_dirs(args)
    if blocked:
        return "the app cannot open its database file: the app user %s cannot write %s" % (
            args.app_user, "; ".join(blocked))
    return ("the app cannot open its database file; if it lies in the app's instance folder, that is under "
            "%s/, %s: %s" % (venv_var, where, fix))


class Marks:
    """Reads the release check's output as it comes (:func:`check_release`): ``@@PF`` marks become steps, the
    rest is kept (its last 200 lines) for the error."""

    def __init__(self, steps, phases, commands):
        self.steps, self.phases, self.commands = steps, phases, commands
        self.done, self.lines, self.failed, self.left = 0, [], None, []
        self.health = None  # the ``health`` mark: the health GET's status line (+ route/host facts on a 4xx)
        self.entry = None  # why the entry point did not import (``entry`` mark), as facts
        self.facts = {}  # what the app did while it started (``started`` mark: preflight.Start.facts)
        self.started = time.monotonic()

    def take(self, line):
        if not line.startswith("@@PF "):
            self.lines = self.lines[-199:] + [line]
            return
        try:
            mark = json.loads(line[5:])
        except (ValueError, RecursionError):  # the app printed something that only looks like a mark
            self.lines = self.lines[-199:] + [line]
            return
        self.left += mark.get("left", []) if "phase" not in mark or mark.get("failed") is not None else []
        if mark.get("failed") is not None:
            self.failed = mark
        elif isinstance(mark.get("started"), dict):
            self.facts = mark["started"]
        elif "entry" in mark:
            self.entry = mark["entry"] if isinstance(mark["entry"], dict) else None
        elif "health" in mark:
            self.health = {"health": str(mark["health"]), "route": mark.get("route"), "host": mark.get("host"),
                           "routes": mark.get("routes"), "location": mark.get("location")}
        elif "ran" in mark:  # one command done: the runner's channel hears from us (remote.STEP_TIMEOUT)
            emit("progress", message="post_deploy: %d of %d %s done" % (
                mark["ran"], self.commands, "command" if self.commands == 1 else "commands"))
        elif "phase" in mark:
            now, label = time.monotonic(), self.phases[self.done][1]
            self.steps.record(mark["phase"], now - self.started, label + (
                "; " + spawn.leftover_line(mark["left"]) if mark.get("left") else ""))
            self.done, self.started, self.lines = self.done + 1, now, []
            self.steps.current = self.phases[min(self.done, len(self.phases) - 1)][0]


def unwritable_data_dirs(args: DeployArgs):
    """The shared paths the app user cannot write, each with what blocks it (missing, or owner and mode)."""
    paths = [os.path.join(args.root, "shared", rel) for rel in args.shared_paths]
    return ["%s (%s)" % (path, why) for path in paths if (why := unwritable(path, args.app_user))]


def unwritable(path, user_name, exists=True):
    """Why the user cannot write ``path`` (its owner and mode; ``exists``: a missing path is a reason too), else
    "" (also when the user is unknown here)."""
    try:
        user = pwd.getpwnam(user_name)
        st = os.stat(path)
    except KeyError:
        return ""
    except OSError as exc:
        return exc.strerror if exists else ""
    bits = 0o200 if st.st_uid == user.pw_uid else 0o020 if st.st_gid == user.pw_gid else 0o002
    if st.st_mode & bits:
        return ""
    return "owner %s:%s, mode %04o" % (name_of(pwd.getpwuid, st.st_uid), name_of(grp.getgrgid, st.st_gid),
                                       st.st_mode & 0o7777)


def host_hint(args: GateArgs, health):
    """A hint when the preflight's health GET got a 4xx (``health``: the ``health`` mark: the status line, and
    when the framework told, whether the path is a route and the Host allowed). It sent ``Host: server_name``;
    a path that is no route answers 404, a Host the app does not allow 400 (Django's ALLOWED_HOSTS) or 404
    (Flask's SERVER_NAME). Says what the facts show, both causes when they do not tell. None otherwise."""
    status = (health or {}).get("health") or ""
    location = (health or {}).get("location")
    if status[:1] == "3" and isinstance(location, str):
        if location.startswith("https://"):
            return ("the health GET of %s got %s to %s: the app sends plain-http requests to https (Django's "
                    "SECURE_SSL_REDIRECT, Flask-Talisman), but Apache serves it over http (port %s), TLS ending "
                    "before it at a proxy: have the app trust that proxy's header (Django's SECURE_PROXY_SSL_HEADER) "
                    "and turn the redirect off in the config of a target served over http (the docker target: "
                    "[targets.docker] config_file in targets.toml)" % (args.health_path, status, location, args.port))
        return ("the health GET of %s got %s to %s: health_path must answer 200 itself (a redirect is not "
                "followed): set it to a path the app answers without a login or a redirect"
                % (args.health_path, status, location))
    if status[:1] != "4":
        return None
    route, host = health.get("route"), health.get("host")
    path = ("the health GET of %s (health_path in deploy.toml) got %s: it is not a route of the app; set "
            "health_path to a path it serves (a route under an include() or a blueprint carries its prefix)"
            % (args.health_path, status))
    routes = [r for r in health.get("routes") or [] if isinstance(r, str)]
    if routes:
        path += "; the app's GET routes without arguments: %s" % ", ".join(routes)
    named = ("the health GET sent Host: %s (server_name in deploy.toml, default localhost) and got %s: the app "
             "does not allow that Host (Django's ALLOWED_HOSTS, Flask's SERVER_NAME/TRUSTED_HOSTS): allow it in "
             "the app's config, or set server_name in deploy.toml to a name it allows" % (args.server_name, status))
    if route is False and host is not False:
        return path
    if host is False:
        return named
    if route is True and host is True:
        return None  # the route and the Host are fine: the app's own answer (its log above says why)
    return ("the health GET of %s with Host: %s (server_name in deploy.toml) got %s: either %s is not a route of "
            "the app (health_path in deploy.toml), or the app does not allow that Host (Django's ALLOWED_HOSTS, "
            "Flask's SERVER_NAME)" % (args.health_path, args.server_name, status, args.health_path))


def name_of(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def check_release(args: DeployArgs, release_dir, steps, health=True, config=False):
    """One process, as the app user with the config env set, in the new venv: import the entry point, run the
    post-deploy commands (each ``sh -c`` in a subprocess with that same user, env and cwd), then (``health``)
    GET the health path in-process through WSGI. One app import instead of two (import check + preflight).

    This runs before ``current`` is switched, so a release that cannot import, whose post-deploy command fails
    or whose health route fails is refused while the old release keeps serving. The order is deliberate: the
    import comes first, so a release that cannot even load its app is refused before its post-deploy commands
    touch the live data; the health GET comes after them, because the new code's health route may need what they
    create or migrate. A refusal after the commands ran says so (:func:`refused_hint`): the old release still
    serves, but the shared data is no longer as it was. It reports the phases as the steps ``import``,
    ``post_deploy`` and ``preflight``; each failure names its own step. With ``config`` (the deploy installed one
    at ``config_path``), an app that starts without opening it is refused at ``import``, before its post-deploy
    commands run: it would serve on its defaults, whatever the config says (:func:`unread_config`).

    Every process runs through :func:`.programs.spawn.run`: the check in its own session, bounded by
    ``post_deploy_timeout`` per command plus one more for the import and health GET; each command inside it in
    its own session, bounded by ``post_deploy_timeout``. What they leave running is killed and named in the
    ``post_deploy`` step (or a ``strays`` step); nothing the app starts can hold the deploy's channel.
    """
    module, _, attr = args.entry_point.partition(":")
    call = "1" if attr.endswith("()") else "0"
    commands = list(args.post_deploy)
    path = args.health_path if health else ""
    env = app_env(args, release_dir, args.env)
    cmd = [release_dir + "/venv/bin/python", "-c", bundled("preflight", "spawn"), module, attr.rstrip("()"), call,
           path, args.server_name, json.dumps(commands), json.dumps(env, sort_keys=True),
           "%g" % args.post_deploy_timeout, args.config_path if config else "",
           args.config_path if as_env(args.release) else ""]
    full = as_app(args, cmd)
    phases = [("import", "import %s" % args.entry_point)]
    if commands:
        phases.append(("post_deploy", "%d %s" % (len(commands), "command" if len(commands) == 1 else "commands")))
    if path:
        phases.append(("preflight", "GET %s in-process" % path))
    steps.current = "import"
    marks = Marks(steps, phases, len(commands))
    bound = args.post_deploy_timeout * (len(commands) + 1)
    finished = spawn.run(full, bound, cwd=release_dir, on_line=marks.take)
    done, lines, failed, code = marks.done, marks.lines, marks.failed, finished.code
    detail = "$ %s\n%s" % (shown(full), "\n".join(lines[-25:]))
    strays = marks.left + [list(item) for item in finished.leftovers]
    if strays:
        emit("step", step="strays", seconds=0, message=spawn.leftover_line(strays))
    if failed is not None:
        output = failed["output"].strip().splitlines()[-25:]
        last = error_line(output)
        if failed.get("timeout") is not None:
            what = "post-deploy command %r ran longer than post_deploy_timeout (%gs) and was killed with its " \
                   "process group" % (failed["failed"], failed["timeout"])
            hint = "make it finish sooner or raise post_deploy_timeout in deploy.toml (at most 600)"
        else:
            what = "post-deploy command %r failed (%s): %s" % (failed["failed"], ended(failed["exit"]), last)
            hint = (config_hint(args, output) or instance_hint(args, release_dir, output, marks.facts)
                    or schema_hint(args, output) or write_hint(args, release_dir, output)
                    or unshipped_hint(release_dir, output)
                    or missing_module_hint(args, output)
                    or (KILLED if failed["exit"] < 0 else "fix the command and deploy again"))
        raise AgentError(what, hint=refused_hint(NOT_TOUCHED + "; " + hint, True, args.root), step="post_deploy",
                         detail="$ sh -c %s\n%s" % (failed["failed"], "\n".join(output)))
    step, what = phases[min(done, len(phases) - 1)]
    if finished.timed_out:
        raise AgentError("the release check (%s) ran longer than %gs (post_deploy_timeout per command, plus one for "
                         "the import and health GET) and was killed" % (what, bound), step=step,
                         hint=refused_hint(NOT_TOUCHED + "; make the app's import and health route answer sooner, "
                                           "or raise post_deploy_timeout in deploy.toml", bool(commands)
                                           and step != "import", args.root), detail=detail)
    reported = len(phases) - (1 if path else 0)  # the child reports import and post_deploy; health = its exit
    if code == 0 and done == reported:
        if path:
            steps.record("preflight", time.monotonic() - marks.started, phases[-1][1])
        return
    if code == CONFIG_UNREAD and marks.facts.get("read") is False:
        what, hint = unread_config(args, release_dir, marks.facts)
        raise AgentError(what, step="import", hint="%s; %s" % (NOT_TOUCHED, hint), detail=detail)
    if code == MISPLACED and marks.facts.get("misplaced"):
        what, hint = misplaced_data(args, release_dir, marks.facts)
        raise AgentError(what, step="import", hint="%s; %s" % (NOT_TOUCHED, hint), detail=detail)
    if code == PUBLIC_KEY and marks.facts.get("public_key"):
        what, hint = public_key(args, marks.facts)
        raise AgentError(what, step="import", hint="%s; %s" % (NOT_TOUCHED, hint), detail=detail)
    if code == DEBUG_MODE and marks.facts.get("debug"):
        what, hint = debug_mode(args, marks.facts)
        raise AgentError(what, step="import", hint="%s; %s" % (NOT_TOUCHED, hint), detail=detail)
    if step == "post_deploy":  # the child died without its report (killed): still name the step
        what = "post-deploy commands"
    last = error_line(lines)
    hint = "%s; %s" % (NOT_TOUCHED, host_hint(args, marks.health) or config_hint(args, lines[-25:])
                       or instance_hint(args, release_dir, lines[-25:], marks.facts)
                       or (entry_hint(args, marks.entry) if step == "import" else None)
                       or schema_hint(args, lines[-25:]) or write_hint(args, release_dir, lines[-25:])
                       or unshipped_hint(release_dir, lines[-25:])
                       or missing_module_hint(args, lines[-25:]) or "fix the app and deploy again")
    if code < 0 and hint.endswith(GENERIC_FIXES[0]):  # killed: not the app's own failure
        hint = hint[:-len(GENERIC_FIXES[0])] + KILLED
    raise AgentError("the new release failed its preflight (%s) (%s): %s" % (what, ended(code), last), step=step,
                     hint=refused_hint(hint, bool(commands) and step != "import", args.root), detail=detail)


# ---------------------------------------------------------------- test hook: interrupted deploys

def pause_point(args: GateArgs, name):
    """Test hook of the interrupted-deploy scenarios (``"pause_at": name`` in the args; never set otherwise).

    Points: ``upload`` (after the first MiB of the artifact), ``install`` (venv made, nothing installed),
    ``reload`` (``current`` switched, the .wsgi not yet touched). There the agent emits a ``paused:<name>``
    step event carrying its pid and waits to be killed, writing a heartbeat event every 0.1 s so that a
    dropped SSH connection ends it too (the write fails) -- as it would end a real agent that reports progress.
    After ``pause_seconds`` (default 30) it gives up with an error, so a forgotten pause cannot hang a deploy.
    """
    if not isinstance(args, DeployArgs) or args.pause_at != name:  # rollbacks have no pause points
        return
    emit("step", step="paused:" + name, seconds=0, message="pid=%d" % os.getpid())
    limit = float(args.pause_seconds)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if not emit("heartbeat"):  # the scenario cut the connection here: stop as a killed agent would
            raise BrokenPipeError("the runner's connection was cut while paused at %s" % name)
    raise AgentError("paused at %s for %gs and nobody interrupted it" % (name, limit), step=name)


# ---------------------------------------------------------------- build a release

UPLOADS = ".uploads"  # <root>/.uploads/<sha256>: the last artifact as far as it arrived (0700): deploys resume there


def partial_upload(root, sha256):
    """This login's partial copy of artifact ``sha256``: ``(path, fd open for appending, bytes in it)``. Copies
    of other artifacts are removed (one partial at most); a name that is not a regular file is replaced."""
    where = os.path.join(root, UPLOADS)
    try:
        os.mkdir(where, 0o700)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(where).st_mode):
            raise AgentError("%s is not a directory" % where, hint="remove it; the next deploy makes it") from None
    for name in os.listdir(where):
        if name != sha256:
            remove_path(os.path.join(where, name))
    path = os.path.join(where, sha256)
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        remove_path(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    return path, fd, os.fstat(fd).st_size


def remove_path(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def offer_resume(stream, fd, have, size):
    """Offer the runner the ``have`` bytes kept of this artifact (with their sha256) and read back, on one line,
    the offset it sends from: ``have`` (its bytes hash the same) or 0 (they differ: the copy is replaced).
    Returns the sha256 object fed with what is kept."""
    digest = hashlib.sha256()
    if have > size:
        have = 0
    os.lseek(fd, 0, os.SEEK_SET)
    left = have
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    have -= left
    emit("upload", offset=have, prefix_sha256=digest.hexdigest(), size=size)
    answer = stream.readline(32)
    try:
        offset = int(answer)
    except ValueError:
        raise AgentError("the runner sent no upload offset (%r)" % answer[:32], hint="run the deploy again") from None
    if offset not in (0, have):
        raise AgentError("the runner asked for offset %d of %d kept bytes" % (offset, have),
                         hint="run the deploy again")
    return digest if offset else hashlib.sha256(), offset


def receive(stream, dest, size, sha256, after_first_chunk=None, root=None, resume=False):
    """Copy ``size`` bytes of the artifact from ``stream`` to ``dest``, checking its sha256 against the runner's.

    With ``root``, the bytes go to ``<root>/.uploads/<sha256>`` as they arrive (a cut upload leaves them there)
    and, with ``resume``, the runner is offered what is kept of them first (:func:`offer_resume`): it sends the
    rest, or everything when its own bytes hash otherwise (a damaged copy is replaced). A complete copy that does
    not hash to ``sha256`` is removed; the checked artifact is linked to ``dest`` and stays, whole: the next deploy
    of the same artifact (a config or settings change, a redeploy after a rollback) is offered all of it and
    receives nothing. One artifact is kept at most (:func:`partial_upload` removes the others)."""
    path = None
    if root is not None:
        try:
            path, fd, have = partial_upload(root, sha256)
        except OSError:  # the partial area is not this login's (another deploy login's) or not usable: no resume
            path = None
    if path is None:
        path, fd, have = dest, os.open(dest, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600), 0
    try:
        digest, offset = offer_resume(stream, fd, have, size) if resume else (hashlib.sha256(), 0)
        os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)
        left = size - offset
        while left:
            chunk = stream.read(min(left, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            view = memoryview(chunk)
            while view:  # unbuffered: what arrived is on disk when the connection is cut
                view = view[os.write(fd, view):]
            left -= len(chunk)
            if after_first_chunk and left and left + len(chunk) == size - offset:
                after_first_chunk()
    finally:
        os.close(fd)
    if not left and digest.hexdigest() != sha256:
        os.unlink(path)  # complete and wrong: nothing of it is worth resuming
    if left or digest.hexdigest() != sha256:
        kept = " (%d bytes kept: the next deploy of it resumes there)" % (size - left) if left and root else ""
        raise AgentError("artifact arrived damaged (%d bytes missing, sha256 %s, expected %s)%s"
                         % (left, digest.hexdigest()[:12], sha256[:12], kept), hint="run the deploy again")
    if path != dest:  # the checked copy stays: the next deploy of this artifact (a config-only change) sends nothing
        try:
            os.link(path, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copyfile(path, dest)  # releases/ on a file system of its own: the copy may meet a full disk
    return offset


def checked_members(tar, where, dirs=True):
    """The tar's members if every one is safe to extract: a relative path without ``..``, a regular file (or a
    directory when ``dirs``); modes reduced to rwx bits (no setuid/setgid/sticky from an artifact)."""
    members = tar.getmembers()
    for member in members:
        if member.name.startswith("/") or ".." in member.name.split("/") or not (
                member.isfile() or (dirs and member.isdir())):
            raise AgentError("%s holds an unsafe entry %r" % (where, member.name),
                             hint="pack the artifact again with deploytests; do not deploy artifacts from elsewhere")
        member.mode &= 0o777
    return members


def unpack(artifact, dest):
    """Check every entry of the artifact, extract all but the prebuilt trees (``tree/*``: :func:`install` reads
    them straight from the artifact, so they never sit on disk twice), and return the manifest."""
    with tarfile.open(artifact) as tar:
        members = checked_members(tar, "the artifact")
        extracted = [m for m in members if not m.name.startswith("tree/")]
        tar.extractall(dest, members=extracted)
    now = time.time()
    for m in extracted:  # the artifact's mtimes are 0 (deterministic): files Apache serves (static dirs) get the
        if m.isfile():   # release's time, so Last-Modified/ETag differ between releases
            os.utime(os.path.join(dest, m.name), (now, now))
    with open(os.path.join(dest, "manifest.json")) as f:
        return json.load(f)


def shebang(interpreter):
    """The first line(s) of a console script run by ``interpreter`` (bytes), as pypa installer writes it: plain
    when short and without spaces, else the ``/bin/sh`` re-exec form (the kernel's shebang limit is 127)."""
    raw = interpreter.encode("utf-8")
    if b" " not in raw and len(raw) + 3 <= 127:
        return b"#!" + raw
    quoted = "'" + interpreter.replace("'", "'\"'\"'") + "'"
    return b"#!/bin/sh\n'''exec' " + quoted.encode("utf-8") + b' "$0" "$@"\n' + b"' '''"


def extract_tree(part, venv, placeholder, fileobj=None):
    """Extract one prebuilt tree tar (the file ``part``, or ``fileobj`` named ``part``) into ``venv``: regular
    files only, no absolute or ``..`` paths; console scripts in ``bin/`` get their placeholder interpreter
    replaced by the venv's python. Returns the file count."""
    real = shebang(venv + "/bin/python")
    with tarfile.open(part, fileobj=fileobj) as tar:
        members = checked_members(tar, "the artifact's %s" % part, dirs=False)
        tar.extractall(venv, members=members)
    for member in members:
        if member.name.startswith("bin/"):
            path = os.path.join(venv, member.name)
            with open(path, "rb") as f:
                data = f.read()
            first, nl, rest = data.partition(b"\n")
            if first == b"#!" + placeholder.encode("utf-8"):
                with open(path, "wb") as f:
                    f.write(real + nl + rest)
    return len(members)


def install(args: DeployArgs, release_dir, manifest):
    """``python3 -m venv --without-pip venv``, then the prebuilt tree extracted into it (the usual case), or the
    shipped wheels installed with pypa's ``installer`` (the runner's Python differed from this server's).

    Measured per server for Flask + deps on the 2-core runner: venv 0.06 s; extracting the prebuilt tree (modules
    + byte-code the runner compiled, see ``deploytests.pipeline.artifact``) a few hundredths, where installing the
    wheels here took 0.44 s with shipped byte-code (0.7 s compiling it here) -- 3 s each when 8 servers of one
    machine deploy at once. Byte-code matters: the daemon runs as the app user, who cannot write ``__pycache__``
    into the release, and each cold import would cost 0.15 s more. Dependency resolution already happened on the
    runner (``pip download`` in pack): exactly the packed wheels end up installed.
    """
    venv = release_dir + "/venv"
    here = "%d.%d" % sys.version_info[:2]
    if manifest.get("tree") and here != manifest.get("python_version"):
        raise AgentError("the artifact was packed for Python %s, this server's %s is %s"
                         % (manifest.get("python_version"), args.python, here),
                         hint="pack for Python %s: `fab pack --python %s deploy` (pytest packs for the version "
                              "bootstrap reports)" % (here, here))
    machine = os.uname().machine
    if manifest.get("platform_wheels") and manifest.get("machine", machine) != machine:
        raise AgentError("the artifact was packed for %s (%s is compiled for it), this server is %s"
                         % (manifest["machine"], manifest["platform_wheels"][0], machine),
                         hint="pack for %s (pytest packs for the machine bootstrap reports)" % machine)
    run([args.python, "-m", "venv", "--without-pip", venv], "creating the venv failed",
        hint="is python3-venv installed? run bootstrap")
    pause_point(args, "install")
    if manifest.get("tree"):
        with tarfile.open(release_dir + "/artifact.tar") as artifact:
            for part in manifest["tree"]:
                extract_tree(part, venv, manifest["placeholder"], fileobj=artifact.extractfile(part))
        return
    wheels = release_dir + "/wheels"
    plan = {"tool": os.path.join(wheels, manifest["installer_wheel"]),
            "wheels": [os.path.join(wheels, w) for w in manifest["install"]]}
    run([venv + "/bin/python", "-c", program_source("install_wheels"), json.dumps(plan)],
        "installing the wheelhouse failed",
        hint="was the artifact packed for this server's Python (%s)?" % manifest.get("python_version"))


def link_shared(args: DeployArgs, release_dir):
    for rel in args.shared_paths:
        link = os.path.join(release_dir, rel)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(os.path.join(args.root, "shared", rel), link)


def build_release(args: DeployArgs, tree, rid, steps, config_sha=None, previous=None):
    """Make ``releases/<rid>`` complete: receive, unpack, venv + install, shared links, one checking process
    (import, post-deploy commands, in-process GET of the health path), RELEASE.json."""
    release_dir = tree.release(rid)
    os.mkdir(release_dir)
    with steps("upload", "%d bytes" % args.artifact_size) as step:
        offset = receive(FromRunner(args.confirm_timeout), release_dir + "/artifact.tar", args.artifact_size,
                         args.artifact_sha256, after_first_chunk=lambda: pause_point(args, "upload"),
                         root=args.root, resume=args.resume)
        if offset:
            step.message = "%d bytes, resumed at %d" % (args.artifact_size, offset)
    with steps("unpack"):
        manifest = unpack(release_dir + "/artifact.tar", release_dir)
    with steps("install", "%s==%s" % (manifest["name"], manifest["version"])):
        install(args, release_dir, manifest)
        os.unlink(release_dir + "/artifact.tar")
        shutil.rmtree(release_dir + "/wheels", ignore_errors=True)
        link_shared(args, release_dir)
    if args.post_deploy or args.preflight:
        check_release(args, release_dir, steps, health=args.preflight, config=config_sha is not None)
    meta = dict(args.release, id=rid, manifest=manifest, config_sha256=config_sha, env=args.env, previous=previous)
    with open(release_dir + "/" + SNAPSHOT, "w") as f:  # before RELEASE.json: a complete release has it
        json.dump(snapshot(args, release_dir), f, sort_keys=True)
    with open(release_dir + "/RELEASE.json", "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
    return meta


SNAPSHOT = "SNAPSHOT.json"
APACHE_DIR = "/etc/apache2"


def file_sha256(path, follow=False):
    """sha256 of the regular file ``path`` (its last component never a link unless ``follow``), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | (0 if follow else os.O_NOFOLLOW) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(args: DeployArgs, release_dir):
    """What the server looked like to this login when the release was made, for the gate's drift report
    (deploytests.verify.drift) and of what a rollback to it will run (test_rollback_targets_are_complete): every
    file of the release's venv/lib and venv/bin (sha256, relative to the venv), every other file of the release
    (``tree``: relative to it; its shared links and RELEASE.json aside),
    every entry under /etc/apache2 (a file's sha256; a link's target and the sha256 of what it reaches), and the
    groups of the app and deploy users. This login's file: it proves nothing the deploy login could not forge
    (the drift report says so); the rollback check compares a kept release with it, which catches a change by
    anyone who did not also rewrite it."""
    venv = os.path.join(release_dir, "venv")
    files, tree = {}, {}
    for top in ("lib", "bin"):
        for base, _dirs, names in os.walk(os.path.join(venv, top)):
            for name in names:
                path = os.path.join(base, name)
                digest = file_sha256(path)
                if digest is not None:
                    files[os.path.relpath(path, venv)] = digest
    shared = {os.path.join(release_dir, rel) for rel in args.shared_paths}
    for base, dirs, names in os.walk(release_dir):  # the release's other files (the static files Apache serves)
        dirs[:] = [d for d in dirs if os.path.join(base, d) not in shared and os.path.join(base, d) != venv]
        for name in names:
            path = os.path.join(base, name)
            digest = None if base == release_dir and name in ("RELEASE.json", SNAPSHOT) else file_sha256(path)
            if digest is not None:
                tree[os.path.relpath(path, release_dir)] = digest
    apache = {}
    for base, dirs, names in os.walk(APACHE_DIR):
        for name in dirs + names:
            path = os.path.join(base, name)
            if os.path.islink(path):
                apache[path] = {"link": os.readlink(path), "sha256": file_sha256(path, follow=True)}
            elif name in names:
                apache[path] = {"sha256": file_sha256(path)}
    groups = {}
    for role, user in (("app", args.app_user), ("deploy", pwd.getpwuid(os.getuid()).pw_name)):
        try:
            pw = pwd.getpwnam(user)
            groups[role] = sorted({name_of(grp.getgrgid, g) for g in os.getgrouplist(user, pw.pw_gid)})
        except KeyError:
            pass
    return {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": files, "tree": tree,
            "apache": apache, "groups": groups}


# ---------------------------------------------------------------- switch + gate (deploy and rollback)

def runner_confirms(rid, bound):
    """Whether the runner still follows this host, asked end to end: a ``ready`` event, then one line ``go`` on
    stdin within ``bound`` seconds. The runner answers only while it runs this host (:class:`.remote.Confirm`);
    a runner that left (its stdin's EOF), lost the host (its watchdog closed the connection) or cannot be reached
    (a network cut or a stopped sshd that this end's pipes do not show) gives no go, and nothing is switched."""
    if not emit("ready", release=rid):
        return False
    try:
        return FromRunner(bound).readline(16) == b"go\n"
    except RunnerSilent:
        return False


HEALTH_PATH = re.compile(r"/[\w./~%-]*", re.ASCII)  # deploy.toml's health_path (config.py), ASCII: a request line


def health_path_of(tree, rid, default):
    """The health path release ``rid`` was deployed with (its RELEASE.json's settings), else ``default``: the gate
    of a rollback, and of a switch back, GETs the route the release it waits for serves, not one deploy.toml
    names since (a release that added ``/health`` rolled back to one gated on ``/``, which answers it 404)."""
    settings = tree.meta(rid).get("settings")
    path = settings.get("health_path") if isinstance(settings, dict) else None
    return path if isinstance(path, str) and HEALTH_PATH.fullmatch(path) else default


def gated_as(args, tree, rid):
    """``args`` for the gate of release ``rid``: its own health path (:func:`health_path_of`)."""
    return args.replace(health_path=health_path_of(tree, rid, args.health_path))


def switch_and_gate(args: DeployArgs | RollbackArgs, tree, rid, previous, steps, undo=None, config=""):
    """Switch ``current`` to ``rid``, reload, gate. On a failed gate put ``config`` back (``undo``, see
    :func:`put_back`) *before* switching back to ``previous`` and reloading: the daemons that restart then load
    the config they ran with, and nothing they load changes after they started (the gate's ctime check). Never
    when the runner does not confirm the switch (:func:`runner_confirms`: Ctrl-C twice, a dropped connection, a
    network cut neither end noticed yet): its own checks (the suite, the project's tests,
    its hooks) could not follow what goes live, so nothing is switched and the release is abandoned; once the
    switch is made the agent sees it through (reload, gate, switch back on failure) runner or not."""
    if not runner_confirms(rid, args.confirm_timeout):
        raise AgentError("%s was not made live: the runner did not confirm the switch within %gs (it left, lost "
                         "this host, or cannot be reached: nothing its checks could not follow goes live)"
                         % (rid, args.confirm_timeout), step="switch", hint=NOT_TOUCHED)
    with steps("switch", "current -> %s" % rid):
        tree.switch(rid)
        pause_point(args, "reload")
        since = boot_clock()  # a daemon started before the touch runs what it loaded before: it must restart
        tree.reload()
    own = gated_as(args, tree, rid)
    with steps("gate", "GET %s until X-Deploy-Release: %s" % (own.health_path, rid)):
        ok, attempts, last = gate(own, rid, args.gate_timeout, since=since, retouch=tree.reload)
    if ok:
        return attempts
    reason = "health gate failed after %gs (%d attempts): %s" % (args.gate_timeout, attempts, last)
    slow = "" if not last.startswith("TimeoutError") else (  # Apache took the request, no answer: still starting
        "; an app that takes longer than %gs to start answering (its daemons import it anew) needs a higher "
        "health_timeout in deploy.toml (seconds, at most 600)" % args.gate_timeout)
    first = "see the server's error log below" + slow
    refused = AgentError("release %s refused: %s" % (rid, reason), step="gate", hint=first)
    put_back(refused, undo, config)
    restored, back = "", False
    if previous:
        with steps("switch_back", "current -> %s" % previous):
            tree.switch(previous)
            since = boot_clock()
            tree.reload()
            back, _, back_last = gate(gated_as(args, tree, previous), previous, args.gate_timeout, since=since,
                                      retouch=tree.reload)
        restored = "; switched back to %s (%s)" % (previous, "serving" if back else "NOT serving: " + back_last)
        if not back:  # the release it replaced fails the same gate: the server is the likelier cause, not the app
            refused.hint = ("the release it replaced does not answer either: look at the server first (Apache or "
                            "the app's daemons stopped, hung or out of memory; the gate's test_apache_running "
                            "names a stopped process%s), then deploy again; see the server's error log below"
                            % busy(args) + refused.hint[len(first):])  # (what put_back said of the config stays)
    else:
        os.unlink(tree.current)
        tree.reload()
    refused.what += restored
    refused.args = (refused.what,)
    refused.live, refused.serving = previous, bool(previous) and back
    raise refused


def load_average():
    """The server's 1-minute load average and its CPUs: (load, cpus), or None where /proc does not say."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0]), os.cpu_count() or 1
    except (OSError, ValueError, IndexError):
        return None


def busy(args: GateArgs):
    """The words a gate's hint adds when neither release answered and the server is that busy (more than twice
    as many runnable tasks as CPUs): its daemons import the app anew, slower than ``gate_timeout``. '' else."""
    load = load_average()
    if load is None or load[0] <= 2 * load[1]:
        return ""
    return ("; or too busy to answer: its load average is %.1f on %d CPUs, and daemons importing the app anew "
            "there need longer than %gs: deploy when it is quieter, or raise health_timeout in deploy.toml "
            "(seconds, at most 600)" % (load[0], load[1], args.gate_timeout))


def prune(tree, keep, live, previous):
    """Releases beyond ``keep`` (see :func:`plan_prune`), then every kept config no kept release started with: a
    config is kept exactly as long as a release a rollback may switch to needs it, never by count (refused
    deploys' configs would push a kept release's out)."""
    doomed = plan_prune(tree.listing(), live, previous, keep)
    for rid in doomed:
        shutil.rmtree(tree.release(rid), ignore_errors=True)
    needed = {tree.shown(rid, "config_sha256") for rid in tree.listing()}
    where = os.path.join(tree.root, CONFIGS)
    for name in os.listdir(where) if os.path.isdir(where) else []:
        if name not in needed:
            try:
                os.unlink(os.path.join(where, name))
            except OSError:  # (not a file: not one of ours, left as it is)
                pass
    return doomed


# ---------------------------------------------------------------- commands

def locked(args: GateArgs, tree, root_fd, rid, steps):
    with steps("lock", "flock %s" % tree.lock):
        try:
            fd = acquire_lock(LOCK_NAME, args.lock_timeout, dir_fd=root_fd, shown=tree.lock,
                              on_wait=lambda holder: emit("step", step="lock_wait", seconds=0,
                                                          message="waiting for " + holder))
        except OSError as exc:  # a link, a directory, a fifo at the lock's name: never followed or written
            raise AgentError("cannot take the lock %s: %s" % (tree.lock, exc.strerror), step="lock",
                             hint="it must be a regular file (bootstrap makes it); remove what is there and run "
                                  "bootstrap again") from None
        write_lock_owner(fd, {"pid": os.getpid(), "user": pwd.getpwuid(os.getuid()).pw_name,
                              "by": args.release.get("deployed_by", "?") if isinstance(args, DeployArgs) else "?",
                              "release": rid,
                              "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    return fd


class RunnerSilent(AgentError):
    """The runner sent nothing for the bound (:class:`FromRunner`)."""


class FromRunner:
    """The runner's stream (this agent's stdin: the config, the upload's offset, the artifact, the switch's go),
    every read of it within ``bound`` seconds (the host timeout, ``confirm_timeout``: the runner names a host that
    answers nothing for as long lost; a runner that sends nothing for as long is as gone). The runner sends each
    part as soon as it is asked; a link that died where this end is never told (a network cut, the host taken off
    its network: sshd's TCP waits hours for a peer that is gone) left a plain read waiting for ever, holding the
    deploy lock every later deploy then waited on. Past the bound the read raises :class:`RunnerSilent` (left
    blocked in a daemon thread, gone with the agent): the step fails, the live release untouched."""

    def __init__(self, bound, stream=None):
        self.bound, self.stream = bound, stream if stream is not None else sys.stdin.buffer

    def _within(self, read, size):
        box = []

        def reader():
            try:
                box.append((read(size), None))
            except Exception as exc:  # noqa: BLE001 - raised where the read was asked
                box.append((None, exc))

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        thread.join(self.bound)
        if not box:
            raise RunnerSilent("the runner sent nothing for %gs: its connection is gone where this server was not "
                               "told (a network cut) or it stopped" % self.bound, hint=NOT_TOUCHED)
        if box[0][1] is not None:
            raise box[0][1]
        return box[0][0]

    def read(self, size):
        """``size`` bytes, fewer only at EOF: the contract of the buffered stdin it stands for (the upload's chunks,
        and the pause point after its first, are whole MiB), each wait for more within the bound (a slow link that
        keeps sending is not silent)."""
        data = bytearray()
        while len(data) < size:
            chunk = self._within(self.stream.read1, size - len(data))
            if not chunk:
                break
            data += chunk
        return bytes(data)

    def readline(self, limit):
        return self._within(self.stream.readline, limit)


def read_config(args: DeployArgs):
    """The config bytes sent before the artifact (None when the deploy carries no config)."""
    size = args.config_size
    if size is None:
        return None
    try:
        data = FromRunner(args.confirm_timeout).read(size)
    except RunnerSilent as exc:
        exc.step = "config"
        raise
    if len(data) != size:
        raise AgentError("the config arrived cut short (%d of %d bytes)" % (len(data), size), step="config",
                         hint="deploy again")
    return data


# ---------------------------------------------------------------- the config: this login's file, the app's to read

CONFIGS = ".configs"  # <root>/.configs/<sha256>: copies of the configs deploys installed (0700), for rollbacks
O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def config_dir(args: GateArgs):
    """An fd of the config's directory, walked from ``<root>`` without following a link (the app user may write
    in a data folder: a link it planted is refused, never followed). A missing directory is made for the config
    alone (0750; group app and setgid come from ``shared/``); one that exists keeps its owner and mode."""
    rel = os.path.relpath(os.path.dirname(args.config_path), args.root).split("/")
    if rel[0] != "shared" or ".." in rel:
        raise AgentError("config_path %s is not under %s/shared" % (args.config_path, args.root), step="config",
                         hint="set config_path in deploy.toml to a file under %s/shared/" % args.root)
    fd = os.open(args.root, O_DIR)
    for i, part in enumerate(rel):
        try:
            try:
                os.mkdir(part, 0o750, dir_fd=fd)
            except FileExistsError:
                pass
            child = os.open(part, O_DIR, dir_fd=fd)
        except OSError as exc:
            os.close(fd)
            raise AgentError("refusing %s/%s: %s (a link or not a directory there is never followed)"
                             % (args.root, "/".join(rel[:i + 1]), exc.strerror), step="config",
                             hint="inspect and remove it, then deploy again") from None
        os.close(fd)
        fd = child
    return fd


def install_config(args: GateArgs, data):
    """``data`` at ``config_path``, 0640, group app: written to an ``O_EXCL`` temp file beside it and renamed in.
    Returns ``undo()``, which puts back what was there before (the same file, or no file)."""
    dir_fd, name = config_dir(args), os.path.basename(args.config_path)
    gid, prev = pwd.getpwnam(args.app_user).pw_gid, ".%s.previous" % name
    tmp = ".%s.dt-%s" % (name, os.urandom(6).hex())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        try:
            if os.fstat(fd).st_gid != gid:
                os.fchown(fd, -1, gid)
        except PermissionError:
            raise AgentError("cannot give %s the group %s: its directory is not setgid %s and this login is not in "
                             "that group" % (args.config_path, args.app_user, args.app_user), step="config",
                             hint="run bootstrap (it makes %s/shared setgid %s), then deploy again"
                                  % (args.root, args.app_user)) from None
        os.fchmod(fd, 0o640)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp, dir_fd=dir_fd)
        raise
    os.close(fd)
    try:
        os.unlink(prev, dir_fd=dir_fd)
    except FileNotFoundError:
        pass
    had = True
    try:  # keep the replaced file under another name until the deploy is through
        os.link(name, prev, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        had = False
    except PermissionError:  # not this login's file (an older deploytests' root-owned config): moved aside
        os.rename(name, prev, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)

    def undo():
        """Put back what was there; False when there was nothing (the installed config is removed)."""
        if had:
            os.rename(prev, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:
            os.unlink(name, dir_fd=dir_fd)
        return had
    return undo


def config_error(args: GateArgs, exc):
    """The one line for a config that could not be installed (a full disk, a directory this login cannot write)."""
    return AgentError("installing the config at %s failed: %s" % (args.config_path, exc), step="config",
                      hint="the config's directory and %s/.configs must be this login's: bootstrap gives them to "
                           "deploy_user (run it with this login as deploy_user); or free space; then deploy again"
                           % args.root)


def keep_config(args: GateArgs, data):
    """A copy of ``data`` in ``<root>/.configs/<sha256>`` (this login's, 0600) for rollbacks, until no kept release
    started with it (:func:`prune`)."""
    where = os.path.join(args.root, CONFIGS)
    os.makedirs(where, mode=0o700, exist_ok=True)
    path = os.path.join(where, hashlib.sha256(data).hexdigest())
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


def kept_config(args: GateArgs, sha256):
    """The kept config with this sha256 (None when it is no longer kept or not what its name says)."""
    try:
        fd = os.open(os.path.join(args.root, CONFIGS, sha256), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def put_back(exc, undo, config):
    """A refused switch: ``undo`` (None: nothing to undo) puts ``config`` back; ``exc``'s hint says if it could.
    Once per error: a refused gate puts it back before its switch back (:func:`switch_and_gate`)."""
    if undo is not None and not exc.config_put_back:
        exc.config_put_back = True
        try:
            note = ("%s was put back" % config) if undo() else \
                "the config installed for it was removed (none was there before)"
        except OSError as again:
            note = "%s could NOT be put back: %s" % (config, again)
        exc.hint = (exc.hint + "; " if exc.hint else "") + note


def reload_live(args: GateArgs, tree, live, exc):
    """After a release refused before its switch, whose config was installed then put back: reload the live
    release and gate it, so that every daemon runs the file put back (one that restarted meanwhile loaded the
    refused config; the others loaded what is now a file changed after they started: the read-only gate's
    ``test_daemons_run_what_is_on_disk`` would name it). ``exc``'s hint says how it went."""
    since = boot_clock()
    tree.reload()
    ok, _, last = gate(gated_as(args, tree, live), live, args.gate_timeout, since=since, retouch=tree.reload)
    exc.hint += ("; the live release's daemons were reloaded to run it" if ok else
                 "; the live release's daemons, reloaded to run it, are NOT serving: %s" % last)


KILLED = "look at the server's memory (dmesg) and at what kills processes there, then deploy again"
GENERIC_FIXES = ("fix the app and deploy again", "fix the command and deploy again", "fix the app")


def settings_blamed(hint, config_sha, changed):
    """``hint`` of a release refused that runs the live release's code (the same artifact) with another config
    (``config_sha``) or other settings (``changed``): those broke it, not the app; the generic "fix the app" is
    replaced by what to fix, a specific hint is kept and told so."""
    what = " and ".join(filter(None, ["its config (sha256 %s)" % config_sha[:12] if config_sha else "",
                                      "its settings (%s)" % ", ".join(changed) if changed else ""]))
    where = " and ".join(filter(None, ["the config file (config_file in deploy.toml, or the target's)" if config_sha
                                       else "", "deploy.toml's %s" % ", ".join(changed) if changed else ""]))
    note = ("this release runs the live release's code (the same artifact): only %s changed, so that is what "
            "failed: fix %s and deploy again" % (what, where))
    for generic in GENERIC_FIXES:
        if hint.endswith(generic):
            return hint[:-len(generic)] + note
    return "%s; %s" % (hint, note) if hint else note


def cmd_deploy(args: DeployArgs):
    tree, steps = Tree(args.root), Steps()
    config = read_config(args)
    config_sha = hashlib.sha256(config).hexdigest() if config is not None else None
    root_fd = check_tree(tree, make=args)
    fd = locked(args, tree, root_fd, args.release_id, steps)
    recovered = tree.remove_incomplete()
    if recovered:  # a step line: said where every deploy's steps are (fab's lines, pytest's progress)
        emit("step", step="recover", seconds=0, message="removed what an interrupted deploy left half-built: %s"
             % ", ".join(recovered))
    live = tree.live()
    same_artifact, new_config, changed = plan_deploy(live, tree.meta(live) if live else {}, args.artifact_sha256,
                                                     config_sha, args.release)
    if same_artifact and changed:  # same code, other settings: a new release, saying which (one step line)
        emit("step", step="settings", seconds=0, message="settings changed: %s" % ", ".join(changed))
    if same_artifact and not new_config and not changed:
        served = serving(args)
        if served == live:
            previous = tree.previous(live)
            with steps("prune"):  # a no-change deploy still trims releases beyond keep_releases
                pruned = prune(tree, args.keep_releases, live, previous)
            return {"changed": False, "release_id": live, "previous": previous, "pruned": pruned,
                    "recovered": recovered, "version": tree.shown(live, "version"), "timings": steps.timings}
        # A deploy died between the switch and the reload: ``current`` names this release, but the site still
        # serves another one. Finish that switch (reload + gate) instead of reporting "no change".
        previous = served if served in tree.listing() else tree.previous(live)
        switch_and_gate(args, tree, live, previous, steps)
        os.close(fd)
        return {"changed": True, "release_id": live, "previous": previous, "recovered": recovered,
                "version": tree.shown(live, "version"), "timings": steps.timings}
    rid = next_release_id(args.release_id, set(os.listdir(tree.releases)))
    undo = None
    try:
        if new_config:  # the new release starts with it: installed before its check, restored if refused
            with steps("config", "config changed (sha256 %s)" % (config_sha or "")[:12]):
                try:
                    undo = install_config(args, config)
                    keep_config(args, config)
                except OSError as exc:
                    raise config_error(args, exc) from None
        try:
            build_release(args, tree, rid, steps, config_sha, previous=live)
        except OSError as exc:  # disk full, permissions: the server's state, not a bug; one line like the rest
            raise AgentError("%s: %s" % (steps.current, exc), step=steps.current,
                             hint="%s; free space (or fix permissions) under %s and deploy again"
                                  % (NOT_TOUCHED, tree.releases)) from None
        switch_and_gate(args, tree, rid, live, steps, undo, "the previous config")
    except AgentError as exc:
        if same_artifact and (new_config or changed) and exc.step in ("import", "post_deploy", "preflight", "gate"):
            exc.hint = settings_blamed(exc.hint, new_config and config_sha, changed)
        ran = bool(args.post_deploy) and ("post_deploy" in steps.timings or exc.step == "post_deploy")
        exc.post_deploy_ran, exc.nothing_live = ran, live is None  # typed: the runner's state line reads them
        if exc.step == "gate":  # (only a deploy removes what its gate refused: a rollback keeps its target)
            exc.hint += "; the release was removed"
        exc.hint = refused_hint(exc.hint, ran, args.root)
        if live is None:  # a first deploy: nothing was live to keep serving
            exc.hint = exc.hint.replace("the live release still serves, but ", "nothing was live yet, and ") \
                .replace(NOT_TOUCHED, "nothing was live yet")
        shutil.rmtree(tree.release(rid), ignore_errors=True)  # first: on a full disk this frees the space
        put_back(exc, undo, "the previous config")
        if undo is not None and live is not None and exc.step != "gate":  # (a refused gate switched back: reloaded)
            reload_live(args, tree, live, exc)
        try:
            tree.record_failure(rid, args.release.get("version"), exc.what)
        except OSError:
            pass
        raise
    with steps("prune"):
        pruned = prune(tree, args.keep_releases, rid, live)
    os.close(fd)
    return {"changed": True, "release_id": rid, "previous": live, "pruned": pruned, "recovered": recovered,
            "version": tree.shown(rid, "version"), "timings": steps.timings, "config_changed": new_config}


def cmd_rollback(args: RollbackArgs):
    tree, steps = Tree(args.root), Steps()
    root_fd = check_tree(tree)
    fd = locked(args, tree, root_fd, args.to or "rollback", steps)
    releases, live = tree.listing(), tree.live()
    target = args.to or tree.previous(live)
    if target is None:
        raise AgentError("no release older than the live one (%s) to roll back to" % live, step="rollback",
                         hint="deploy an earlier version instead")
    if target not in releases:
        raise AgentError("no release %r; releases: %s" % (target, ", ".join(releases) or "none"), step="rollback",
                         hint="name one of the listed releases (fab status shows them with their versions)")
    if target == live:
        return {"changed": False, "release_id": live, "previous": live, "version": tree.shown(live, "version"),
                "timings": steps.timings}
    # the release goes back to the config it started with (kept in <root>/.configs while the release is kept)
    wanted, now = tree.shown(target, "config_sha256"), tree.shown(live, "config_sha256") if live else None
    undo = None
    if wanted and wanted != now:
        with steps("config", "config of %s (sha256 %s)" % (target, wanted[:12])):
            data = kept_config(args, wanted)
            if data is None:
                raise AgentError("the config %s started with (sha256 %s) is gone from %s/%s or changed: the "
                                 "rollback would run %s with the live release's config, a pairing never deployed"
                                 % (target, wanted[:12], args.root, CONFIGS, target), step="config",
                                 hint="%s; deploy version %s with its config instead"
                                      % (NOT_TOUCHED, tree.shown(target, "version") or target))
            try:
                undo = install_config(args, data)
            except OSError as exc:
                raise config_error(args, exc) from None
    activated = undo is not None
    try:
        rollback_check(args, tree, target, steps, config=bool(wanted))
    except AgentError as exc:
        put_back(exc, undo, "the live release's config")
        if undo is not None and live is not None:
            reload_live(args, tree, live, exc)
        raise
    try:
        switch_and_gate(args, tree, target, live, steps, undo, "the live release's config")
    except AgentError as exc:
        put_back(exc, undo, "the live release's config")
        raise
    os.close(fd)
    return {"changed": True, "release_id": target, "previous": live, "version": tree.shown(target, "version"),
            "timings": steps.timings, "config_changed": activated}


def rollback_check(args: RollbackArgs, tree, target, steps, config):
    """The release check of ``target`` (its own entry point, env and, with ``config``, the config it started
    with, installed), before a rollback makes it live: its import only, no post_deploy, no in-process GET (the
    gate GETs it through Apache). What a deploy refuses at import -- a signing key written in its code, a config
    it never opens, its files kept inside the release -- a rollback refuses too: the kept release may predate
    that check, or may no longer import (its files damaged since). One line naming the release."""
    meta = tree.meta(target)
    entry = meta.get("entry_point")
    gate = {key: getattr(args, key) for key in GateArgs._spec}
    gate["entry_point"] = entry if isinstance(entry, str) and ":" in entry else args.entry_point
    check = DeployArgs(**gate, release_id=target, artifact_sha256="", artifact_size=0, release=meta, python="",
                       keep_releases=2, env=meta.get("env") if isinstance(meta.get("env"), dict) else {})
    try:
        check_release(check, tree.release(target), steps, health=False, config=config)
    except AgentError as exc:
        exc.what = exc.what.replace("the new release", "the release to roll back to (%s)" % target, 1)
        exc.hint = ("%s; a rollback brings %s back as it was deployed, its code with its config: deploy a version "
                    "with that fixed, or roll back to another release (fab rollback --to ID; fab status lists them)"
                    % (NOT_TOUCHED, target))
        exc.args = (exc.what,)
        raise


def cmd_status(args: StatusArgs):
    tree = Tree(args.root)
    releases = []
    for rid in tree.listing():  # only what status shows, as bounded strings: never the file's structure
        meta = tree.meta(rid)
        releases.append(dict({k: text(meta[k]) for k in SHOWN if meta.get(k) is not None}, id=rid))
    live = tree.live()
    dangling = None
    if live and not tree.is_complete(live):  # current points at nothing (or at a half-built release)
        dangling, live = os.readlink(tree.current), None
    return {"changed": False, "live": live, "releases": releases, "dangling": dangling,
            "bootstrapped": os.path.isdir(tree.root)}  # (bootstrap makes the root; the first deploy the rest)


def cmd_run(args: RunArgs):
    """A one-off command in the live release (``fab run``): ``sh -c command`` as the app user, in the release dir,
    with the config env and the release's own env (from its RELEASE.json), started through the same sudoers rule
    as the release check (the release venv's python, the ``app_command`` program), through the one runner of app
    commands (:mod:`.programs.spawn`: own session, no stdin, at most ``RUN_COMMAND_TIMEOUT`` seconds, what it
    leaves running killed). Its output goes to the channel as it comes; the result event carries its exit status.
    No lock: it does not change the tree."""
    tree = Tree(args.root)
    os.close(check_tree(tree))
    live = tree.live()
    if not live or not tree.is_complete(live):
        raise AgentError("nothing is live in %s: no release to run the command in" % args.root, step="run",
                         hint="deploy first (fab pack deploy)")
    release_dir = tree.release(live)
    meta = tree.meta(live)
    env = app_env(args, release_dir, meta.get("env") or {})
    cmd = as_app(args, [release_dir + "/venv/bin/python", "-c", bundled("app_command", "spawn"),
                        json.dumps(env, sort_keys=True), args.command, args.config_path if as_env(meta) else ""])
    sys.stdout.flush()

    def line(text):  # the command's output to the channel as it comes (the runner shows it as [host] line)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    done = spawn.run(cmd, RUN_COMMAND_TIMEOUT, cwd=release_dir, on_line=line)  # the one runner of app commands
    if done.timed_out:
        raise AgentError("run: %s ran longer than %gs and was killed with its process group"
                         % (shown([args.command])[:200], RUN_COMMAND_TIMEOUT), step="run",
                         hint="split the work into shorter commands, or run it under the server's service manager")
    if done.leftovers:
        emit("step", step="strays", seconds=0, message=done.leftover_line())
    return {"exit": done.code, "release_id": live}


def make_tree(root_fd, args: DeployArgs):
    """What a deploy keeps in the app's tree, made when missing, with this login's rights (bootstrap makes only the
    root: this login's, group app, setgid, so what is made in it is the app group's): ``releases`` (0755),
    ``shared`` (2750: the app group reads the config there) and each shared path (2770: the app writes its data),
    ``application.wsgi`` (0644, rewritten when its text changed); the lock file is made when first taken. Modes
    are given at ``mkdir`` and never changed after (a chmod by a login whose session predates its joining the app
    group would drop the setgid bit)."""
    dirs = [("releases", 0o755), ("shared", 0o750)] + [("shared/" + "/".join(rel.split("/")[:i + 1]), 0o770)
                                                        for rel in args.shared_paths for i in range(rel.count("/") + 1)]
    umask = os.umask(0)
    try:
        for name, mode in dirs:  # each directory above a name opened without following a link (the app user may
            parent, walked = os.dup(root_fd), args.root  # write in a data dir: a link it put there is never followed)
            for part in os.path.dirname(name).split("/") if "/" in name else ():
                walked += "/" + part
                try:
                    parent, above = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent), parent
                except OSError as exc:
                    os.close(parent)
                    raise AgentError("%s: not a directory this login may walk (%s)" % (walked, exc.strerror),
                                     hint="the app user writes the shared paths' directories (group app, 2770) and "
                                     "may have put a link or a file there: see what it is, move it aside as this "
                                     "login, and deploy again") from None
                os.close(above)
            try:
                os.mkdir(os.path.basename(name), mode, dir_fd=parent)
                if name == "releases":  # not setgid: a release's files are this login's group's
                    os.chmod(name, mode, dir_fd=root_fd)
            except FileExistsError:
                pass
            finally:
                os.close(parent)
        wsgi, old = args.wsgi.encode(), None
        try:
            fd = os.open("application.wsgi", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=root_fd)
            with os.fdopen(fd, "rb") as f:
                old = f.read(len(wsgi) + 1)
        except FileNotFoundError:
            pass
        if wsgi and old != wsgi:
            fd = os.open(".application.wsgi.tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644,
                         dir_fd=root_fd)
            with os.fdopen(fd, "wb") as f:
                f.write(wsgi)
            os.rename(".application.wsgi.tmp", "application.wsgi", src_dir_fd=root_fd, dst_dir_fd=root_fd)
    finally:
        os.umask(umask)


def check_tree(tree, make=None):
    """The app's root opened (``O_NOFOLLOW``: a directory fd for the lock), when the login running the agent owns it
    and its ``releases``; else one line. Deploy, rollback and run act by path in the tree (the lock, failed.log,
    application.wsgi's touch, the prune of ``.configs``, the releases' python): in a tree another user owns every
    one of those paths is theirs to point anywhere (a link at .deploy.lock naming an admin's authorized_keys), and
    a permission they set (a 0777 ``releases``) says nothing about who they are. So the agent acts only in a tree
    of its own login, where a link it finds is that login's own doing, followed with that login's rights."""
    me = name_of(pwd.getpwuid, os.getuid())
    hint = "run bootstrap first (fab bootstrap), with the deploy user this deploy logs in as"
    try:
        fd = os.open(tree.root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        raise AgentError("%s is missing or not writable by %s" % (tree.releases, me), hint=hint) from None
    try:
        if make is not None and os.fstat(fd).st_uid == os.getuid():  # (another login's tree: refused below)
            try:
                make_tree(fd, make)
            except OSError as exc:
                raise AgentError("making the app's tree in %s failed: %s" % (tree.root, exc), hint="free space, or "
                                 "make %s this login's again (fab bootstrap); then deploy again" % tree.root) from None
        for path, st in ((tree.root, os.fstat(fd)), (tree.releases, os.stat("releases", dir_fd=fd,
                                                                            follow_symlinks=False))):
            if not stat.S_ISDIR(st.st_mode):
                raise AgentError("%s is missing or not writable by %s (a %s)" % (tree.releases, me, "link" if
                                 stat.S_ISLNK(st.st_mode) else "file"), hint=hint)
            if st.st_uid != os.getuid():
                owner = name_of(pwd.getpwuid, st.st_uid)
                raise AgentError("%s is %s's, not %s's: deploy, rollback and run act only in a tree of the login "
                                 "running them" % (path, owner, me),
                                 hint="run it as %s, the deploy_user bootstrap gave the tree to (fab -H %s@<host>)"
                                      % (owner, owner))
    except FileNotFoundError:
        os.close(fd)
        raise AgentError("%s is missing or not writable by %s" % (tree.releases, me), hint=hint) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


# command: (its function, the contract of its arguments, the contract of its result)
COMMANDS = {"deploy": (cmd_deploy, DeployArgs, DeployReply), "rollback": (cmd_rollback, RollbackArgs, DeployReply),
            "status": (cmd_status, StatusArgs, StatusReply), "run": (cmd_run, RunArgs, RunReply)}


def main(argv):
    command = argv[0] if argv else ""
    os.umask(0o022)
    spawn.subreaper()  # what the commands we start leave behind is reparented here, found and killed (spawn.run)
    try:
        if command not in COMMANDS or len(argv) != 2:
            raise AgentError("unknown command %r (expected one of %s and its JSON arguments)"
                             % (command, ", ".join(sorted(COMMANDS))), step=command)
        function, takes, gives = COMMANDS[command]
        try:
            args = takes.from_json(argv[1])
        except ContractError as exc:
            raise AgentError("agent arguments: %s" % exc, step=command,
                             hint="the runner and this agent come from one deploytests version: a bug, report it") \
                from None
        emit("result", **gives.from_dict(function(args)).to_dict())
        return 0
    except AgentError as exc:
        emit("error", what=exc.what, hint=exc.hint, detail=exc.detail, step=exc.step, live=exc.live,
             serving=exc.serving, post_deploy_ran=exc.post_deploy_ran, nothing_live=exc.nothing_live)
        return 3
    except Exception as exc:  # a bug or an unexpected server state: still one line, traceback in the detail
        import traceback
        emit("error", what="agent crashed: %s: %s" % (type(exc).__name__, exc), step=command,
             hint="this is a deploytests bug or an unexpected server state; see the traceback",
             detail=traceback.format_exc())
        return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
