"""Fakes for testing code that uses deploytests without servers or real time (as ``fabric.testing`` does for
Fabric): a clock, the agent's HTTP probe, and the contract's messages with test defaults.

They are fakes for pure logic only; what is about servers, SSH, Apache or HTTP is tested on real ones.

- :class:`FakeClock` -- a monotonic clock and its ``sleep`` for every ``clock=``/``sleep=`` parameter
  (``deploytests.waiting``, the agents' locks and gate): sleeping moves the clock, nothing waits.
- :class:`FakeSite` -- the agent's HTTP ``probe`` for a release tree: answers with the release ``current``
  names, or as told (``status`` per release, ``down``, a release served until the next reload).
- :func:`deploy_args`, :func:`rollback_args`, :func:`bootstrap_args` -- the agents' arguments for a tree under
  a temp dir, run as the current user, with any field overridden.
- :class:`FakeConn` -- what the pipeline reads of a Fabric connection when it only names a host (label, user,
  host, port; ``lost`` and the transport's ``is_active`` as the watchdog leaves them).
- :func:`stand_in_wheel` -- a minimal valid wheel (one module, dist-info, optional console scripts).
- :class:`FakeRunner`, :class:`FakeAccounts`, :class:`FakeOwners` -- a server's commands, account database and
  file ownership for code that takes them injected (the root agent's ``System``): commands are recorded and
  answered by handlers, accounts live in memory, owners are recorded per file while the files stay the
  current user's. Together they let root-only code run against a temp dir, as any user.
- :func:`hermetic` -- what a test level without servers relies on, set rather than inherited: SIGINT and SIGTERM
  dispositions, ``HOME`` and ``XDG_CACHE_HOME`` (so no user's cache or ``~/.ssh/config``), and no network
  (:class:`NetworkForbidden` on a connect to anything but loopback or a Unix socket).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import pwd
import signal
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .pipeline.contract import DeployArgs, RollbackArgs
from .stacks import DEFAULT
from .targets.base import Rights


class FakeClock:
    """``clock()`` returns ``now``; ``clock.sleep(s)`` records ``s`` and moves ``now`` on by it."""

    def __init__(self, now: float = 0.0):
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeConn:
    """A connection named ``name`` (name, label, host) as far as host bookkeeping reads it: ``user`` "u", port 22,
    ``lost`` (the watchdog's reason, or None) and ``transport.is_active()`` answering ``active``."""

    def __init__(self, name: str, lost: str | None = None, active: bool = False):
        self.name, self.label, self.user, self.host, self.port = name, name, "u", name, 22
        self.lost = lost
        self.transport = SimpleNamespace(is_active=lambda: active)


@dataclass
class FakeSite:
    """The site of the app whose tree is at ``root``, for the agent's ``probe(port, path, host)``.

    It serves the release ``current`` names, answering ``status[release]`` (default 200) with that release's
    id, as the app's ``X-Deploy-Release`` header does; with nothing live it answers 503. ``down``: every
    request fails to connect; ``starting``: releases whose daemons are still importing them (a request is taken,
    no answer comes within the probe's bound). :meth:`serve_until_reload` makes it keep serving one release until
    ``application.wsgi`` is touched (a deploy that died between switching ``current`` and the reload), as
    mod_wsgi does. ``requests`` records every (port, path, host) asked."""

    root: str
    status: dict[str, int] = field(default_factory=dict)
    down: bool = False
    starting: set[str] = field(default_factory=set)
    requests: list[tuple[int, str, str]] = field(default_factory=list)
    pinned: str | None = None
    _pinned_mtime: int | None = 0

    @property
    def wsgi(self) -> str:
        return os.path.join(self.root, "application.wsgi")

    def serve_until_reload(self, rid: str, loading: bool = False) -> None:
        """Serve ``rid`` whatever ``current`` says, until the ``.wsgi`` file is touched. ``loading``: the daemon is
        still loading ``rid`` and takes the file's mtime when it first answers (as mod_wsgi's preload does, after
        the load), so a touch made before that answer is lost: only a later one reloads it."""
        os.utime(self.wsgi, ns=(1_000_000_000, 1_000_000_000))  # any touch from now on changes it
        self.pinned, self._pinned_mtime = rid, (None if loading else 1_000_000_000)

    def serving(self) -> str | None:
        if self.pinned is not None and self._pinned_mtime is None:
            self._pinned_mtime = os.stat(self.wsgi).st_mtime_ns
        if self.pinned is not None and os.stat(self.wsgi).st_mtime_ns == self._pinned_mtime:
            return self.pinned
        self.pinned = None
        try:
            return os.path.basename(os.readlink(os.path.join(self.root, "current")))
        except OSError:
            return None

    def probe(self, port: int, path: str, host: str, timeout: float = 5.0) -> tuple[int, str | None]:
        self.requests.append((port, path, host))
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        rid = self.serving()
        if rid is None or not os.path.isdir(os.path.join(self.root, "releases", rid)):
            return 503, None
        if rid in self.starting:
            raise TimeoutError("no complete answer within 5s")
        return self.status.get(rid, 200), rid


def current_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def _gate_fields(root: str) -> dict:
    return {"app": "app", "root": root, "port": 8080, "health_path": "/health", "server_name": "app.test",
            "lock_timeout": 1.0, "gate_timeout": 1.0, "app_user": current_user(), "config_env": "APP_CONFIG",
            "config_path": os.path.join(root, "shared", "app.cfg"), "entry_point": "app:app"}


def deploy_args(root: str, **overrides) -> DeployArgs:
    """A deploy of a tree at ``root`` as the current user (no sudo), this interpreter making the venv."""
    fields = dict(_gate_fields(root), release_id="20260101T000000Z-00000000", artifact_sha256="0" * 64,
                  artifact_size=0, release={"version": "1.0", "deployed_by": "tests@runner"},
                  python=sys.executable, keep_releases=3)
    fields.update(overrides)
    return DeployArgs(**fields)


def rollback_args(root: str, **overrides) -> RollbackArgs:
    return RollbackArgs(**dict(_gate_fields(root), **overrides))


def bootstrap_args(**overrides) -> dict:
    """The root agent's arguments for app ``app`` (tree /var/www/app) as the runner sends them; any field
    overridden."""
    fields: dict[str, Any] = {**DEFAULT.behaviour("bootstrap").agent_args(DEFAULT), "app": "app", "app_user": "app",
                              "deploy_user": current_user(), "packages": "apache2", "vhost": "# vhost\n",
                              "dpkg_lock_timeout": "120", "lock_timeout": "300"}
    fields.update(overrides)
    return fields


def stand_in_wheel(path: Path, scripts: dict[str, str] | None = None) -> None:
    """A minimal valid wheel (one module, dist-info, optional console scripts) named like ``path``
    (``<name>-<version>-py3-none-any.whl``); its module ``<name>`` holds ``NAME = <file name>``."""
    name, version = path.name.split("-")[:2]
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f"NAME = {path.name!r}\n",
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    if scripts:
        files[f"{info}/entry_points.txt"] = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())
    files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in files.items():
            zf.writestr(member, text)


Answer = int | tuple[int, str] | None


class FakeRunner:
    """``subprocess.run`` for code that takes its runner injected: records every command (``calls``: the argument
    lists, ``kwargs``: what each was run with) and answers it from the handler registered for its program.

    ``on(program, handler)``: ``handler(cmd, **kwargs)`` answers the commands whose ``argv[0]`` has the basename
    ``program``: an exit code, ``(code, output)``, or None (exit 0, no output); it may change files meanwhile,
    as the real command would. A command without a handler exits 0 with no output. :meth:`fail` makes one fail.
    """

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.kwargs: list[dict[str, Any]] = []
        self.handlers: dict[str, Callable[..., Answer]] = {}

    def on(self, program: str, handler: Callable[..., Answer]) -> None:
        self.handlers[program] = handler

    def fail(self, program: str, output: str, code: int = 1, when: Callable[[list[str]], bool] | None = None) -> None:
        """Make ``program`` exit ``code`` printing ``output`` (only the commands ``when(cmd)`` is true for; the
        others still go to the handler registered before)."""
        before = self.handlers.get(program)

        def failing(cmd: list[str], **kwargs: Any) -> Answer:
            if when is None or when(cmd):
                return code, output
            return before(cmd, **kwargs) if before else None

        self.handlers[program] = failing

    def __call__(self, cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
        self.calls.append(list(cmd))
        self.kwargs.append(kwargs)
        handler = self.handlers.get(os.path.basename(cmd[0]))
        answer = handler(list(cmd), **kwargs) if handler else None
        code, output = (answer, "") if isinstance(answer, int) else (answer or (0, ""))
        captured = output.encode() if kwargs.get("stdout") == subprocess.PIPE else None
        return subprocess.CompletedProcess(cmd, code, stdout=captured)

    def programs(self) -> list[str]:
        """The basename of each command run, in order."""
        return [os.path.basename(cmd[0]) for cmd in self.calls]


class FakeAccounts:
    """A server's account database in memory, with the lookups of the ``pwd`` and ``grp`` modules (``getpwnam``,
    ``getpwuid``, ``getgrnam``, ``getgrgid``: entries with the attributes of ``struct_passwd``/``struct_group``,
    KeyError when absent). It starts with root (uid 0, group root)."""

    def __init__(self) -> None:
        self.users: dict[str, SimpleNamespace] = {}
        self.groups: dict[str, SimpleNamespace] = {}
        self.add_user("root", 0, home="/root", shell="/bin/bash")

    def add_group(self, name: str, gid: int, members: Iterable[str] = ()) -> SimpleNamespace:
        self.groups[name] = SimpleNamespace(gr_name=name, gr_passwd="x", gr_gid=gid, gr_mem=list(members))
        return self.groups[name]

    def add_user(self, name: str, uid: int, gid: int | None = None, gecos: str = "", home: str = "/nonexistent",
                 shell: str = "/usr/sbin/nologin") -> SimpleNamespace:
        """A user; with no ``gid``, its own group of the same name and id (useradd --user-group)."""
        if gid is None:
            gid = self.add_group(name, uid).gr_gid
        self.users[name] = SimpleNamespace(pw_name=name, pw_passwd="x", pw_uid=uid, pw_gid=gid, pw_gecos=gecos,
                                           pw_dir=home, pw_shell=shell)
        return self.users[name]

    def join(self, user: str, group: str) -> None:
        g = self.groups[group]
        if user not in g.gr_mem:
            self.add_group(group, g.gr_gid, [*g.gr_mem, user])

    def leave(self, user: str, group: str) -> None:
        g = self.groups[group]
        self.add_group(group, g.gr_gid, [m for m in g.gr_mem if m != user])

    def getpwnam(self, name: str) -> SimpleNamespace:
        return self.users[name]

    def getpwall(self) -> list[SimpleNamespace]:
        return list(self.users.values())

    def getpwuid(self, uid: int) -> SimpleNamespace:
        return next(u for u in self._by(self.users.values(), "pw_uid", uid))

    def getgrnam(self, name: str) -> SimpleNamespace:
        return self.groups[name]

    def getgrgid(self, gid: int) -> SimpleNamespace:
        return next(g for g in self._by(self.groups.values(), "gr_gid", gid))

    @staticmethod
    def _by(entries: Iterable[Any], attr: str, value: int) -> Iterable[Any]:
        found = [e for e in entries if getattr(e, attr) == value]
        if not found:
            raise KeyError(f"{attr} not found: {value}")
        return found


class FakeOwners:
    """File ownership for code that takes ``fchown(fd, uid, gid)`` and ``owner(stat_result)`` injected, run by a
    user who may not give files away: :meth:`fchown` really calls ``os.fchown`` on the fd (to the current user's
    ids, a no-op any user may do) and records the owner it was asked for against the file's inode; :meth:`owner`
    reads it back. Files it never chowned belong to ``default`` (root:root, as a server's own files do)."""

    def __init__(self, default: tuple[int, int] = (0, 0)) -> None:
        self.default = default
        self.table: dict[tuple[int, int], tuple[int, int]] = {}

    def fchown(self, fd: int, uid: int, gid: int) -> None:
        os.fchown(fd, os.getuid(), os.getgid())
        st = os.fstat(fd)
        self.table[(st.st_dev, st.st_ino)] = (uid, gid)

    def owner(self, st: os.stat_result) -> tuple[int, int]:
        return self.table.get((st.st_dev, st.st_ino), self.default)

    def of(self, path: str | Path) -> tuple[int, int]:
        """The recorded owner of ``path`` (not following a link)."""
        return self.owner(os.lstat(path))

    def chown(self, path: str | Path, uid: int, gid: int) -> None:
        """Give ``path`` (not following a link) to ``uid:gid``: what someone else did on the server."""
        st = os.lstat(path)
        self.table[(st.st_dev, st.st_ino)] = (uid, gid)


class StubTarget:
    """A stand-in for the ``deploy_target`` fixture with no servers: for tests of how the plugin reacts to a
    step's outcome (pack, bootstrap or deploy failing), where starting containers would prove nothing."""

    name, kind, config_file = "stub", "docker", None

    def __init__(self) -> None:
        self.servers: list = []
        self.rights = Rights(deploy=True, destructive=True)


class NetworkForbidden(OSError):
    """A test that is not marked ``network`` tried to reach another host."""


def _loopback(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX: a path (or an abstract name)
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:  # a name: resolving it already is the network
        return False


@contextlib.contextmanager
def hermetic(home: Path, *, network: bool = False) -> Iterator[None]:
    """For the ``with`` block: SIGINT raises KeyboardInterrupt and SIGTERM kills (whatever the parent process
    left: a job started in the background inherits SIGINT ignored), ``HOME`` is ``home`` and ``XDG_CACHE_HOME``
    ``home/.cache`` (the user's cache and ssh config are never read or written), and, unless ``network``, a
    socket connect to anything but loopback or a Unix socket raises :class:`NetworkForbidden` (child processes
    are not covered: a test that runs pip against an index needs the ``network`` mark). All restored after."""
    saved_signals = {signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
                     signal.SIGTERM: signal.signal(signal.SIGTERM, signal.SIG_DFL)}
    saved_env = {name: os.environ.get(name) for name in ("HOME", "XDG_CACHE_HOME")}
    os.environ.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    real = socket.socket.connect, socket.socket.connect_ex

    def guard(method):
        def connect(sock, address):
            if not _loopback(address):
                raise NetworkForbidden(f"network access in a test not marked `network`: connect to {address!r}")
            return method(sock, address)
        return connect

    if not network:
        socket.socket.connect, socket.socket.connect_ex = guard(real[0]), guard(real[1])  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = real  # type: ignore[method-assign]
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for signum, handler in saved_signals.items():
            signal.signal(signum, handler)
