"""A testinfra ``Host`` over a server's already-open, pinned connection.

testinfra's own paramiko backend opens its own SSH client (``WarningPolicy``: unknown keys are accepted), reads
``~/.ssh/config``, and ``testinfra.get_host`` caches hosts process-wide by spec (a reused
``127.0.0.1:<port>`` hands back a stale host). :class:`PinnedBackend` keeps testinfra's command handling
but takes its ``client`` from :meth:`deploytests.targets.Server.connection`: same transport as Fabric, host
key already checked, TCP_NODELAY set, one login per server for the whole run.
"""

from __future__ import annotations

import time

import paramiko
import testinfra.host
from testinfra.backend.paramiko import ParamikoBackend


class PinnedBackend(ParamikoBackend):
    """testinfra's paramiko backend whose SSH client is the server's shared pinned connection."""

    NAME = "deploytests"

    def __init__(self, server, **kwargs):
        self.server = server
        super().__init__(f"{server.user}@{server.host}:{server.port}", **kwargs)

    @property
    def client(self):
        """The server's shared client, asked for each command: a host lost meanwhile (frozen, gone) raises
        its one-line reason at once instead of a closed client's AttributeError."""
        return self.server.connection().client

    def run(self, command, *args, **kwargs):
        """testinfra's run; a host that stopped answering meanwhile is one line (its watchdog's reason), not
        paramiko's EOFError traceback."""
        try:
            return super().run(command, *args, **kwargs)
        except (EOFError, OSError, paramiko.SSHException) as exc:
            conn = self.server._conn
            # paramiko's own timer (opening a channel) may fire just before the watchdog's of the same length
            # names the host lost: its verdict is waited for, as long as its bound and a second at most
            deadline = time.monotonic() + float(getattr(conn, "timeout", 0) or 0) + 1.0
            while not (lost := getattr(conn, "lost", None) or self.server.lost) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not lost:
                raise
            from ..errors import ConnectError

            raise ConnectError(f"{lost} during a check ({type(exc).__name__})", where=self.server.label,
                               hint="the host is frozen or unreachable") from None

    def _exec_command(self, command: bytes) -> tuple[int, bytes, bytes]:
        """testinfra's, with the bounds every command of deploytests has: the request to run it answered within the
        connection's bound (:func:`deploytests.ssh.session`), stdout and stderr read side by side, each kept to
        :data:`deploytests.untrusted.OUTPUT_LIMIT` bytes (past it the channel is closed). testinfra read stdout to its
        end before stderr: a command writing more than the channel's window (2 MiB) to stderr -- a hostile host, the
        deploy login's shell start-up for a check run as that login -- blocked on it and never ended, and an endless
        answer was held whole."""
        from concurrent.futures import ThreadPoolExecutor

        from .. import untrusted
        from ..ssh import session

        chan = session(self.server.connection())
        if self.get_pty:
            chan.get_pty()
        chan.exec_command(command)

        def read(stream) -> bytes:
            data = stream.read(untrusted.OUTPUT_LIMIT + 1)
            if len(data) > untrusted.OUTPUT_LIMIT:
                chan.close()
            return data[:untrusted.OUTPUT_LIMIT]

        with ThreadPoolExecutor(2) as pool:
            out, err = pool.map(read, (chan.makefile("rb"), chan.makefile_stderr("rb")))
        return chan.recv_exit_status(), out, err

    def get_hostname(self) -> str:
        return self.server.label


def host_for(server, *, sudo: bool = False) -> testinfra.host.Host:
    """A fresh testinfra Host for ``server`` (never cached by spec)."""
    return testinfra.host.Host(PinnedBackend(server, sudo=sudo))
