"""A server of a target: the :class:`Server` handle, reachable over SSH with a pinned host key.

Its own module, below both :mod:`deploytests.targets` and :mod:`deploytests.containers` (which makes them):
neither imports the other for it. :mod:`deploytests.targets.base` re-exports it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConnectError, DeployTestsError
from .stacks import Stack, detect

if TYPE_CHECKING:  # fabric/paramiko load only when a connection is opened, not with the plugin
    from .ssh import PinnedConnection


@dataclass
class Server:
    """One server of a target, reachable over SSH with a pinned host key.

    ``label`` is the readable id used in test ids and messages: ``docker://web-1``, ``ssh://appuser@web1``.
    ``base_url`` is where the runner reaches the site over HTTP (``http://127.0.0.1:32768``).
    ``connection()`` opens one :class:`~deploytests.ssh.PinnedConnection` per server and reuses it for
    the whole run (Fabric steps and Testinfra checks share it).
    """

    name: str
    label: str
    host: str
    port: int
    user: str
    key_filename: Path
    known_hosts: Path
    base_url: str
    container_id: str | None = None
    timeout: float | None = None  # the host timeout in seconds (None: DEPLOYTESTS_HOST_TIMEOUT or 30)
    lost: str | None = None  # why the host stopped answering ("no answer for 30 s"); not tried again
    key_from: tuple[str, str] | None = None  # where key_filename came from, what to do if it names no file
    known_from: tuple[str, str] | None = None  # the same for known_hosts (default: the target's, targets.toml)
    _unreachable: DeployTestsError | None = field(default=None, repr=False, compare=False)  # why, when it was the
    _told: bool = field(default=False, repr=False, compare=False)  # first connection; said once as it happened
    _conn: PinnedConnection | None = field(default=None, repr=False, compare=False)
    _stack: Stack | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def connection(self) -> PinnedConnection:
        """The shared, open connection to this server (opened on first use).

        Once the host stopped answering (its connection's watchdog gave up), every later call raises that
        reason at once: a frozen host costs the bound once per run, not once per check."""
        with self._lock:
            if self._conn is not None and getattr(self._conn, "lost", None):
                self.lost = self.lost or self._conn.lost
            if self.lost:
                cause = self._unreachable if self._unreachable is not None and self._unreachable.what == self.lost \
                    else None
                if cause is not None and not self._told:  # its first report: the error as it happened
                    self._told = True
                    raise ConnectError(cause.what, where=self.label, hint=cause.hint)
                raise ConnectError(f"{self.lost} earlier in this run; not tried again", where=self.label,
                                   hint=cause.hint if cause is not None and cause.hint else
                                   "the host is frozen or unreachable; check it and run again")
            if self._conn is None or not self._conn.is_connected:
                if self._conn is not None:
                    self._conn.close()  # a dropped transport still holds its client and socket
                self._conn = self.new_connection()
            return self._conn

    def unreachable(self, error: DeployTestsError) -> None:
        """The first connection failed (the other hosts go on): the next use raises ``error`` as it was, the uses
        after it say it failed earlier (with the same hint); none tries again."""
        with self._lock:
            self.lost, self._unreachable, self._told = error.what, error, False

    @property
    def stack(self) -> Stack:
        """The server's stack (:mod:`deploytests.stacks`), picked from its ``/etc/os-release`` on first use.
        Raises :class:`~deploytests.stacks.UnsupportedServer` naming the OS and the supported ones."""
        if self._stack is None:
            self._stack = detect(self.connection(), where=self.label)
        return self._stack

    @stack.setter
    def stack(self, value: Stack) -> None:
        """Bootstrap already read it: no second round trip."""
        self._stack = value

    def new_connection(self, *, user: str | None = None) -> PinnedConnection:
        """A fresh, separate connection (for concurrency tests or another login user)."""
        from .ssh import connect

        conn = connect(self.host, user=user or self.user, port=self.port, key_filename=self.key_filename,
                       known_hosts=self.known_hosts, label=self.label, timeout=self.timeout, key_from=self.key_from,
                       known_from=self.known_from)
        conn.name = self.name  # what targets.toml calls it: picks its file of a per-host config directory
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def ssh_command(self) -> str:
        """A ready-to-paste OpenSSH command line for this server, checking the pinned key."""
        return (f"ssh -i {self.key_filename} -p {self.port} -o UserKnownHostsFile={self.known_hosts} "
                f"-o StrictHostKeyChecking=yes {self.user}@{self.host}")
