"""Fabric connections with pinned host keys, TCP_NODELAY and no stdin.

:func:`connect` is the only way deploytests opens SSH: to containers and to real servers alike.

- Host keys are checked against a known_hosts file with paramiko's ``RejectPolicy``: an unknown key or a
  changed key stops with :class:`~deploytests.errors.HostKeyError`. Fabric's default ``AutoAddPolicy`` is
  replaced before the first connect; nothing in the project auto-adds keys.
- ``TCP_NODELAY`` is set on the socket: paramiko never sets it, and each round trip then waits ~48 ms
  for Nagle + delayed ACK instead of ~3 ms.
- ``run.in_stream=False``: commands never read our stdin (reading it under pytest's capture fails).
- The user's ``~/.ssh/config`` is not loaded, and neither agent nor default keys are tried: the identity
  given is the only one used, so runs are reproducible.
"""

from __future__ import annotations

import socket
from pathlib import Path

import fabric
import paramiko

from .errors import ConnectError, HostKeyError


def known_hosts_name(host: str, port: int) -> str:
    """The host name as OpenSSH writes it in known_hosts: ``host`` for port 22, else ``[host]:port``."""
    return host if int(port) == 22 else f"[{host}]:{port}"


def known_hosts_line(host: str, port: int, public_key: str) -> str:
    """A known_hosts line for ``public_key`` (``"ssh-ed25519 AAAA... comment"``)."""
    keytype, blob = public_key.split()[:2]
    return f"{known_hosts_name(host, port)} {keytype} {blob}\n"


def fabric_config(**overrides) -> fabric.Config:
    """Fabric config used for every connection: stdin not read, no ssh_config files loaded."""
    data = {"run": {"in_stream": False}, "load_ssh_configs": False}
    data.update(overrides)
    return fabric.Config(overrides=data, lazy=True)


class PinnedConnection(fabric.Connection):
    """A :class:`fabric.Connection` that rejects unknown host keys and sets TCP_NODELAY once open.

    ``label`` names the server in errors and test ids (``docker://web-1`` or ``ssh://appuser@web1``).
    """

    def __init__(self, host, *, known_hosts: str | Path, label: str = "", **kwargs):
        kwargs.setdefault("config", fabric_config())
        super().__init__(host, **kwargs)
        self.known_hosts = Path(known_hosts)
        self.label = label or f"ssh://{self.user}@{self.host}:{self.port}"
        self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        if not self.known_hosts.is_file():
            raise HostKeyError(
                f"known_hosts file {self.known_hosts} does not exist", where=self.label,
                hint="create it with `ssh-keyscan -p PORT HOST > FILE` after checking the key out of band",
            )
        self.client.load_host_keys(str(self.known_hosts))

    def open(self):
        """Connect (if not yet connected), translating paramiko's errors into one-line ones."""
        if self.is_connected:
            return None
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
            if isinstance(exc, paramiko.AuthenticationException):
                raise ConnectError(
                    f"authentication failed for user {self.user!r}: {exc}", where=self.label,
                    hint="check the identity file and that its public key is in the user's authorized_keys",
                ) from None
            raise ConnectError(f"SSH failed: {exc}", where=self.label) from None
        except (OSError, EOFError) as exc:
            raise ConnectError(
                f"cannot reach {self.host}:{self.port}: {exc}", where=self.label,
                hint="check the host, the port and that sshd runs there",
            ) from None
        self.transport.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return result


def connect(host: str, *, user: str, port: int = 22, key_filename: str | Path, known_hosts: str | Path,
            label: str = "", connect_timeout: int = 10, open_now: bool = True) -> PinnedConnection:
    """Open a pinned connection to ``user@host:port`` authenticating with ``key_filename`` only."""
    key_filename = Path(key_filename)
    if not key_filename.is_file():
        raise ConnectError(f"identity file {key_filename} does not exist", where=label or host,
                           hint="set identity_file in targets.toml to a readable private key")
    conn = PinnedConnection(
        host, user=user, port=int(port), known_hosts=known_hosts, label=label,
        connect_timeout=connect_timeout,
        connect_kwargs={"key_filename": [str(key_filename)], "look_for_keys": False, "allow_agent": False},
    )
    if open_now:
        conn.open()
    return conn
