"""Fabric connections with pinned host keys, TCP_NODELAY and no stdin.

:func:`connect` is the only way deploytests opens SSH: to containers and to real servers alike.

- Host keys are checked against a known_hosts file with paramiko's ``RejectPolicy``: an unknown key or a
  changed key stops with :class:`~deploytests.errors.HostKeyError`. Fabric's default ``AutoAddPolicy`` is
  replaced before the first connect; nothing in the project auto-adds keys.
- ``TCP_NODELAY`` is set on the socket: paramiko never sets it, and each round trip then waits ~48 ms
  for Nagle + delayed ACK instead of ~3 ms.
- ``run.in_stream=False``: commands never read our stdin (reading it under pytest's capture fails).
- The user's ``~/.ssh/config`` is not loaded, and no default keys are tried: the identity given is the only
  one used, so runs are reproducible. It is checked like OpenSSH checks it (:func:`load_identity`): a key
  readable by others is refused; a passphrase comes from ``DEPLOYTESTS_KEY_PASSPHRASE``, a prompt when a
  terminal is attached, or ssh-agent holding that very key.
- Every wait is bounded by the host timeout (:func:`host_timeout`, default 30 s, ``--host-timeout`` /
  ``DEPLOYTESTS_HOST_TIMEOUT``): TCP connect, the SSH banner, authentication, opening a channel, and, once
  connected, a :class:`Watchdog` that asks sshd for a keepalive reply (``keepalive@openssh.com``, as
  OpenSSH's ``ServerAliveInterval`` does). A host that answers nothing for the bound (frozen, cable cut) gets
  its connection closed, so every read on it ends at once, and is marked ``lost``: the next use of the
  server fails at once with that reason instead of waiting again.
"""

from __future__ import annotations

import errno
import getpass
import logging
import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import fabric
import paramiko

from . import untrusted
from .errors import ConfigError, ConnectError, HostKeyError
from .settings import seconds
from .waiting import DEADLINES

# paramiko's transport thread logs a host that sends no banner ("Exception (client): Error reading SSH protocol
# banner" and two tracebacks), and urllib3 a full pool, at WARNING: with no handler configured (fab, deploytests
# fab) Python's last-resort handler printed them on stderr, beside the one line naming the host that our own
# error says. A handler of their own keeps them off the terminal; a run that configures logging (pytest's log
# capture, the project's own) still receives them through the root logger.
for _lib in ("paramiko", "urllib3"):
    logging.getLogger(_lib).addHandler(logging.NullHandler())

DEFAULT_TIMEOUT = 30.0
TIMEOUT_ENV = "DEPLOYTESTS_HOST_TIMEOUT"
PASSPHRASE_ENV = "DEPLOYTESTS_KEY_PASSPHRASE"


def host_timeout(env: Mapping[str, str] = os.environ) -> float:
    """The bound on every wait for a host, in seconds: ``DEPLOYTESTS_HOST_TIMEOUT`` or 30."""
    raw = env.get(TIMEOUT_ENV, "").strip()
    try:
        return seconds(raw, Path()) if raw else DEFAULT_TIMEOUT
    except ValueError as exc:
        raise ConfigError(f"{TIMEOUT_ENV}={raw}: {exc}") from None


class Watchdog:
    """Declares a host lost when it has answered nothing for ``bound`` seconds.

    ``ask()`` sends the host one request for a sign of life and returns a function saying whether it has
    answered yet (:meth:`PinnedConnection._ask` sends an SSH keepalive request). :meth:`tick`, called often,
    asks every ``interval`` seconds once the last request was answered; when a request stays unanswered for the
    bound since the last answer, ``on_lost("no answer for N s")`` is called once and the watchdog ends. Nothing
    here blocks: the runner's one deadline thread (:data:`deploytests.waiting.DEADLINES`) calls every open
    connection's watchdog when it is due, so a fleet's connections cost no thread each beyond paramiko's own.
    ``clock`` is injectable so the decision is unit-tested without a network or real time.
    """

    def __init__(self, ask: Callable[[], Callable[[], bool]], *, bound: float, on_lost: Callable[[str], None],
                 interval: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.ask, self.bound, self.on_lost, self.clock = ask, float(bound), on_lost, clock
        self.interval = interval if interval is not None else max(0.2, min(5.0, self.bound / 3))
        self.last_answer = self.next_ask = clock()
        self.pending: Callable[[], bool] | None = None
        self.finished = False

    def stop(self) -> None:
        self.finished = True
        DEADLINES.drop(self)

    def tick(self) -> float | None:
        """One look: collect an answer, declare the host lost, or ask again when due. When to look next (the
        clock's time: the next ask, or, while a request is unanswered, the bound's end: its answer wakes the
        watchdog sooner, :meth:`PinnedConnection._ask`); None once it ended."""
        if self.finished:
            return None
        now = self.clock()
        if self.pending is None and now >= self.next_ask:
            self.pending = self.ask()
        if self.pending is not None:
            if self.pending():
                self.pending, self.last_answer, self.next_ask = None, now, now + self.interval
            elif now - self.last_answer >= self.bound:
                self.finished = True
                self.on_lost(f"no answer for {self.bound:g} s")
                return None
        return self.next_ask if self.pending is None else self.last_answer + self.bound

    due = tick  # (what the deadline thread calls)


def load_identity(path: str | Path, *, env: Mapping[str, str] = os.environ, interactive: bool | None = None,
                  prompt: Callable[[str], str] = getpass.getpass, agent_keys=None) -> paramiko.PKey:
    """The private key of ``path``, checked as OpenSSH checks it.

    - A key file that group or others may read is refused (OpenSSH: "UNPROTECTED PRIVATE KEY FILE").
    - A passphrase-protected key is opened with ``DEPLOYTESTS_KEY_PASSPHRASE``, else with a prompt when
      ``interactive`` (a terminal on stdin), else through ssh-agent when the agent holds this key (matched by
      the public key in ``PATH.pub``; ``agent_keys`` defaults to the agent's keys); else one line says how.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise ConnectError(f"identity file {path} cannot be read: {exc.strerror}", where="",
                           hint="set identity_file to a readable private key") from None
    if mode & 0o077 and os.getuid() == path.stat().st_uid:
        raise ConnectError(f"identity file {path} is readable by others (mode {mode:04o}); OpenSSH refuses such a "
                           "private key too", hint=f"chmod 600 {path}")
    try:
        return paramiko.PKey.from_path(path)
    except paramiko.PasswordRequiredException:
        pass
    except TypeError as exc:  # cryptography's way of saying "encrypted" for OpenSSH-format keys
        if "password" not in str(exc):
            raise
    except (paramiko.SSHException, ValueError, UnicodeDecodeError) as exc:
        reason = str(exc).split(".")[0].strip() or type(exc).__name__
        raise ConnectError(f"identity file {path} is not a valid OPENSSH private key file, nor PEM ({reason})",
                           hint="set identity_file to a private key (ssh-keygen -t ed25519 makes one)") from None
    passphrase, source = env.get(PASSPHRASE_ENV), f"from {PASSPHRASE_ENV}"
    if passphrase is None and (sys.stdin.isatty() if interactive is None else interactive):
        passphrase, source = prompt(f"Passphrase for {path}: "), "typed at the prompt"
    if passphrase is not None:
        try:
            return paramiko.PKey.from_path(path, passphrase.encode())
        except (paramiko.SSHException, ValueError, TypeError) as exc:
            raise ConnectError(f"wrong passphrase for {path} ({source}): {exc}",
                               hint=f"check {PASSPHRASE_ENV}, or add the key to ssh-agent (ssh-add {path})") from None
    agent_key = _agent_key_for(path, agent_keys)
    if agent_key is not None:
        return agent_key
    raise ConnectError(f"identity file {path} is protected by a passphrase and none was given",
                       hint=f"set {PASSPHRASE_ENV}, or add the key to ssh-agent (ssh-add {path}) and keep "
                            "SSH_AUTH_SOCK set, or run interactively to be asked")


def _agent_key_for(path: Path, agent_keys):
    """The ssh-agent key whose public blob equals the one in ``PATH.pub`` (None if no agent or no match)."""
    import base64

    pub = path.with_name(path.name + ".pub")
    try:
        blob = base64.b64decode(pub.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    if agent_keys is None:
        if not os.environ.get("SSH_AUTH_SOCK"):
            return None
        try:
            agent_keys = _ssh_agent(os.environ["SSH_AUTH_SOCK"]).get_keys()
        except paramiko.SSHException:
            return None
    return next((k for k in agent_keys if k.asbytes() == blob), None)


_AGENTS: dict[str, paramiko.Agent] = {}


def _ssh_agent(sock: str) -> paramiko.Agent:
    """One ssh-agent connection per socket for the process: its keys sign logins made later, so it stays open
    until exit, when it is closed (no socket left for the garbage collector to warn about)."""
    if sock not in _AGENTS:
        import atexit

        agent = _AGENTS[sock] = paramiko.Agent()
        atexit.register(agent.close)
    return _AGENTS[sock]


def known_hosts_name(host: str, port: int) -> str:
    """The host name as OpenSSH writes it in known_hosts: ``host`` for port 22, else ``[host]:port``."""
    return host if int(port) == 22 else f"[{host}]:{port}"


def known_hosts_line(host: str, port: int, public_key: str) -> str:
    """A known_hosts line for ``public_key`` (``"ssh-ed25519 AAAA... comment"``)."""
    keytype, blob = public_key.split()[:2]
    return f"{known_hosts_name(host, port)} {keytype} {blob}\n"


class BoundedRemote(fabric.runners.Remote):
    """Fabric's runner of a command on a server, its output held within a bound and made safe where it enters.

    invoke keeps every chunk a command prints and joins all of them again at each chunk (for its watchers): a server
    that answers endlessly (a flood from a hostile host, or from the deploy login's shell start-up when the command
    runs as that login) kept the runner's CPU busy (quadratically) past the command's own timeout, and
    invoke's error quoted the output raw. Here each stream keeps at most :data:`deploytests.untrusted.OUTPUT_LIMIT`
    bytes (as the agents' and the probe's channel does): past it the command is stopped and its output says it was
    cut. The output is made safe (:func:`deploytests.untrusted.text`) before any result or error holds it."""

    read_chunk_size = 1 << 16
    expired: threading.Event | None = None

    def start_timer(self, timeout):
        """invoke's timer kills the command at its bound, and ``timed_out`` asks whether the timer's thread has
        ended: while that thread is still in ``kill``, the command (its channel closed by the kill) was taken as
        ended with no output, and a host that never answered read as an empty answer (``not readable``). Here the
        bound is an event set before the kill. The kill closes the command's channel: on a connection already
        closed (by its watchdog, or by its owner once the command's wait ended) there is nothing left to stop, and
        paramiko's ``EOFError`` there was an exception in a thread of its own, printed as a traceback."""
        if timeout is not None:
            self.expired = expired = threading.Event()

            def expire():
                expired.set()
                try:
                    self.kill()
                except (EOFError, OSError, paramiko.SSHException):
                    pass  # the connection is gone, and the command with it
            self._timer = threading.Timer(timeout, expire)
            self._timer.start()

    @property
    def timed_out(self) -> bool:
        return self.expired is not None and self.expired.is_set()

    def _handle_output(self, buffer_, hide, output, reader):
        kept = 0
        for data in self.read_proc_output(reader):
            if not hide:
                self.write_our_output(stream=output, string=untrusted.text(data))
            if kept + len(data) > untrusted.OUTPUT_LIMIT:
                buffer_.append(f"{data[:untrusted.OUTPUT_LIMIT - kept]}\n(output cut: more than "
                               f"{untrusted.OUTPUT_LIMIT} characters; the command was stopped)")
                self.kill()
                break
            kept += len(data)
            buffer_.append(data)
            if self.watchers:  # (invoke joins the whole buffer for them at every chunk)
                self.respond(buffer_)

    def generate_result(self, **kwargs):
        for stream in ("stdout", "stderr"):
            kwargs[stream] = untrusted.text(kwargs.get(stream) or "", limit=2 * untrusted.OUTPUT_LIMIT)
        return super().generate_result(**kwargs)


def fabric_config() -> fabric.Config:
    """Fabric config used for every connection: stdin not read, no ssh_config files loaded, each command's output
    bounded and made safe (:class:`BoundedRemote`)."""
    return fabric.Config(overrides={"run": {"in_stream": False}, "load_ssh_configs": False,
                                    "runners": {"remote": BoundedRemote}}, lazy=True)


class PinnedConnection(fabric.Connection):
    """A :class:`fabric.Connection` that rejects unknown host keys and sets TCP_NODELAY once open.

    ``label`` names the server in errors and test ids (``docker://web-1`` or ``ssh://appuser@web1``).
    """

    def __init__(self, host, *, known_hosts: str | Path, label: str = "", timeout: float | None = None,
                 known_from: tuple[str, str] | None = None, **kwargs):
        kwargs.setdefault("config", fabric_config())
        super().__init__(host, **kwargs)
        self.known_hosts = Path(known_hosts)
        self.label = label or f"ssh://{self.user}@{self.host}:{self.port}"
        self.name = ""  # the server's name in targets.toml (a host table's name), when it has one
        self.timeout = float(timeout) if timeout else host_timeout()
        self.lost: str | None = None  # set by the watchdog: "no answer for N s"
        self.watchdog: Watchdog | None = None
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        if not self.known_hosts.is_file():
            source, other = known_from or ("known_hosts in targets.toml", "set known_hosts to the file that has them")
            raise HostKeyError(
                f"known_hosts file {self.known_hosts} (from {source}) does not exist", where=self.label,
                hint=f"create it with `ssh-keyscan -p PORT HOST > FILE` after checking the key out of band, or "
                     f"{other}",
            )
        from .cache import owned_alone

        owned_alone(self.known_hosts, "the known_hosts file", "a key written there is the server this run logs in "
                    "to, sends the config to and vouches for: make it and the directories above it yours or root's "
                    "alone (chmod go-w, chown)")
        self.client.load_host_keys(str(self.known_hosts))

    def open(self):
        """Connect (if not yet connected), translating paramiko's errors into one-line ones."""
        if self.is_connected:
            return None
        started = time.monotonic()
        try:
            result = super().open()
        except paramiko.BadHostKeyException as exc:
            raise HostKeyError(
                f"host key CHANGED: server offered {exc.key.get_name()} {exc.key.fingerprint}, "
                f"{self.known_hosts} pins {exc.expected_key.fingerprint}",
                where=self.label,
                hint="if the server was rebuilt on purpose, verify the new key out of band and update known_hosts; "
                     "otherwise treat this as an attack",
            ) from None
        except paramiko.SSHException as exc:
            if "not found in known_hosts" in str(exc):
                raise HostKeyError(
                    f"host key unknown: {known_hosts_name(self.host, self.port)} is not in {self.known_hosts}",
                    where=self.label,
                    hint="add the server's key to that file (ssh-keyscan, then verify the fingerprint)",
                ) from None
            silent = time.monotonic() - started >= 0.9 * self.timeout  # paramiko words a timeout many ways
            if "protocol banner" in str(exc) and isinstance(exc.__context__, (EOFError, ConnectionError)) and \
                    not silent:
                raise ConnectError(f"sshd on {self.host}:{self.port} closed the connection before its banner",
                                   where=self.label, hint=CLOSED_HINT) from None
            # paramiko's own bound on the login ends in an AuthenticationException too: a host frozen after its
            # banner was told "authentication failed ... check the identity file", the key being fine
            login = isinstance(exc, paramiko.AuthenticationException)
            if "protocol banner" in str(exc) or (silent and not login) or (login and "timeout" in str(exc).lower()):
                stage = "no SSH banner" if "protocol banner" in str(exc) else "after its banner"
                raise ConnectError(f"no answer for {self.timeout:g} s while connecting to {self.host}:{self.port} "
                                   f"({stage})", where=self.label, hint="the host or its sshd is frozen or "
                                   "overloaded; check it, or raise --host-timeout") from None
            if isinstance(exc, paramiko.AuthenticationException):
                raise ConnectError(
                    f"authentication failed for user {self.user!r}: {exc}", where=self.label,
                    hint="check the identity file and that its public key is in the user's authorized_keys",
                ) from None
            raise ConnectError(f"SSH failed: {exc}", where=self.label) from None
        except (OSError, EOFError) as exc:
            what, hint = unreachable(self.host, self.port, exc, self.timeout)
            raise ConnectError(what, where=self.label, hint=hint) from None
        self.transport.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.lost = None
        self.watchdog = Watchdog(self._ask, bound=self.timeout, on_lost=self._lose)
        DEADLINES.at(self.watchdog, time.monotonic())
        return result

    def _ask(self) -> Callable[[], bool]:
        """Send one keepalive request that wants a reply (sshd answers even while a command runs); the returned
        function says whether it was answered. The request waits in a short-lived thread (paramiko's own wait has
        no deadline): it ends with the reply, or when the watchdog closes the connection, and wakes the watchdog."""
        transport = self.transport
        if transport is None or not transport.is_active():
            if self.watchdog is not None:
                self.watchdog.stop()
            return lambda: True
        done, dog = threading.Event(), self.watchdog

        def ask():
            try:
                transport.global_request("keepalive@openssh.com", wait=True)
            except Exception:  # noqa: BLE001 - a closed transport: the watchdog stops on its next look
                pass
            done.set()
            if dog is not None:
                DEADLINES.at(dog, time.monotonic())  # (its next look: now, not the bound's end)

        threading.Thread(target=ask, name=f"deploytests-keepalive {self.label}", daemon=True).start()
        return lambda: done.is_set() or not transport.is_active()

    def _lose(self, reason: str) -> None:
        """The host answered nothing for the bound: remember why and close (in a thread of its own, so the
        watchdogs of the other connections go on), ending every blocked read."""
        self.lost = reason

        def close():
            try:
                self.client.close()
            except Exception:  # noqa: BLE001 - closing a dead transport may complain; it is closed either way
                pass

        threading.Thread(target=close, name=f"deploytests-close {self.label}", daemon=True).start()

    def create_session(self):
        """Every command's channel (``run``, ``sudo``; the pipeline's streams: :func:`session`), its requests
        answered within the connection's bound."""
        return session(self)

    def close(self):
        if self.watchdog is not None:
            self.watchdog.stop()
        return super().close()


def session(c) -> paramiko.Channel:
    """A session channel on ``c``'s transport whose ``exec_command`` waits for the server's answer
    ``c.timeout`` seconds at most (the channel's opening is bounded by paramiko's ``channel_timeout``). paramiko
    waits for that answer without a bound, and Fabric's ``run(timeout=...)`` starts its timer only once it came:
    a host that answers the watchdog's keepalives but never the request to run a command (a lying sshd) kept the
    gate waiting for ever, every other host's result with it. Past the bound the channel is closed and one
    :class:`~deploytests.errors.ConnectError` line says so."""
    bound = getattr(c, "timeout", None) or host_timeout()
    chan = c.transport.open_session(timeout=bound)
    request = chan.exec_command

    def give_up(late: threading.Event) -> None:
        late.set()
        try:
            chan.close()  # (wakes the wait: the channel is marked closed before its close is sent)
        except Exception:  # noqa: BLE001 - a transport already gone: closed either way
            pass

    def exec_command(command):
        late = threading.Event()
        timer = threading.Timer(bound, give_up, (late,))
        timer.daemon = True
        timer.start()
        try:
            request(command)
        except paramiko.SSHException:
            if not late.is_set():
                raise
        finally:
            timer.cancel()
        if late.is_set():  # (the answer, if any, came as the bound ran out: the channel is closed either way)
            raise ConnectError(f"no answer for {bound:g} s to the request to run a command (the host answers SSH "
                               f"keepalives but not that request)", where=getattr(c, "label", ""),
                               hint="its sshd or the host is stuck or not what it should be; check it, or raise "
                                    "--host-timeout")

    chan.exec_command = exec_command
    return chan


CLOSED_HINT = ("its host answers, its sshd refuses every connection: check sshd's log (host keys it will not use, "
               "MaxStartups, a DenyHosts-like filter, sshd -t)")


def unreachable(host: str, port: int, exc: BaseException, timeout: float) -> tuple[str, str]:
    """``(what, hint)`` for a connection that never reached sshd, the hint fitting the cause (pure): a name that
    does not resolve, a port where nothing listens, no route, no answer at all, or an sshd that closed it at once
    (a close with the client's banner unread arrives as a reset)."""
    errors = list(getattr(exc, "errors", {}).values()) or [exc]  # paramiko's NoValidConnectionsError: one per address
    if isinstance(exc, (EOFError, ConnectionResetError, ConnectionAbortedError)):
        return f"sshd on {host}:{port} closed the connection before its banner", CLOSED_HINT
    if isinstance(exc, socket.gaierror):
        return (f"cannot resolve the host name {host!r}: {exc.strerror or exc}",
                "check the host name (the -H value or the target's hosts in targets.toml) and this machine's DNS")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return (f"no answer for {timeout:g} s while connecting to {host}:{port}",
                "the host is down, frozen or a firewall drops the packets; check it, or raise --host-timeout")
    if all(isinstance(e, ConnectionRefusedError) for e in errors):
        return (f"connection refused by {host}:{port}",
                f"nothing listens on port {port} there: check that sshd runs and that {port} is its port")
    if all(getattr(e, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH) for e in errors):
        return (f"no route to {host}:{port}", "the host is down or off this network; check its address and "
                "the network")
    return f"cannot reach {host}:{port}: {exc}", "check the host, the port and that sshd runs there"


def login_key(conn) -> str | None:
    """``"type base64-blob"`` of the public key ``conn``'s transport authenticated with (paramiko's auth handler
    keeps the key it signed with, an agent's copy too), or None (not connected, not by a key). ``conn``: a
    connection, or a server whose ``connection()`` is one."""
    try:
        transport = (conn if hasattr(conn, "client") else conn.connection()).client.get_transport()
    except (AttributeError, OSError, paramiko.SSHException):  # (a server stand-in of a test, a closed one)
        return None
    key = getattr(getattr(transport, "auth_handler", None), "private_key", None)
    if key is None or transport is None or not transport.is_authenticated():
        return None
    return f"{key.get_name()} {key.get_base64()}"


def server_key(conn) -> str | None:
    """``"type base64-blob"`` of the host key ``conn``'s server proved itself with (the one known_hosts pins), or
    None (not connected)."""
    try:
        transport = (conn if hasattr(conn, "client") else conn.connection()).client.get_transport()
        key = transport.get_remote_server_key() if transport is not None else None
    except (AttributeError, OSError, paramiko.SSHException):
        return None
    return f"{key.get_name()} {key.get_base64()}" if key is not None else None


# what this runner's SSH client offers, by sshd's keyword (paramiko's lists): an sshd that shares none of one refuses it
CLIENT_ALGORITHMS = {"kexalgorithms": list(paramiko.Transport._preferred_kex),
                     "ciphers": list(paramiko.Transport._preferred_ciphers),
                     "macs": list(paramiko.Transport._preferred_macs)}


def connect(host: str, *, user: str, port: int = 22, key_filename: str | Path, known_hosts: str | Path,
            label: str = "", timeout: float | None = None, open_now: bool = True,
            key_from: tuple[str, str] | None = None,
            known_from: tuple[str, str] | None = None) -> PinnedConnection:
    """Open a pinned connection to ``user@host:port`` authenticating with ``key_filename`` only (its key,
    or ssh-agent's copy of it; see :func:`load_identity`). Every wait is bounded by ``timeout`` seconds
    (default :func:`host_timeout`). ``key_from``: where the key's path came from and what to do when it names no
    file (default: a target's ``identity_file``). ``known_from``: the same for ``known_hosts`` (where its path
    came from, how else to name the file with the servers' keys)."""
    key_filename = Path(key_filename)
    if not key_filename.is_file():
        source, hint = key_from or ("identity_file in targets.toml", "set identity_file to a readable private key")
        raise ConnectError(f"identity file {key_filename} (from {source}) does not exist", where=label or host,
                           hint=hint)
    try:
        pkey = load_identity(key_filename)
    except ConnectError as exc:
        raise ConnectError(exc.what, where=label or host, hint=exc.hint) from None
    bound = float(timeout) if timeout else host_timeout()
    conn = PinnedConnection(
        host, user=user, port=int(port), known_hosts=known_hosts, label=label, timeout=bound,
        connect_timeout=bound, known_from=known_from,
        connect_kwargs={"pkey": pkey, "look_for_keys": False, "allow_agent": False,
                        "banner_timeout": bound, "auth_timeout": bound, "channel_timeout": bound},
    )
    if open_now:
        conn.open()
    return conn
