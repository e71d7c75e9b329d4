"""An ephemeral ed25519 client key per run (0600, in the run's temp dir) and the run's known_hosts."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClientKey:
    """A private key file (mode 0600) and its OpenSSH public line."""

    path: Path
    public: str

    @classmethod
    def generate(cls, directory: Path, comment: str = "deploytests") -> ClientKey:
        from cryptography.hazmat.primitives import serialization  # late: not needed to load the plugin
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                    serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
        path = Path(directory) / "id_ed25519"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private)
        (Path(directory) / "id_ed25519.pub").write_text(f"{public} {comment}\n")
        return cls(path=path, public=f"{public} {comment}")


def parse_host_key(log: str) -> str | None:
    """The host public key a server container printed (``DEPLOYTESTS-HOSTKEY ssh-ed25519 AAAA...``)."""
    for line in log.splitlines():
        if line.startswith("DEPLOYTESTS-HOSTKEY "):
            parts = line.split()
            if len(parts) >= 3:
                return f"{parts[1]} {parts[2]}"
    return None


_PIN_LOCK = threading.Lock()


def pin(known_hosts: Path, host: str, port: int, public_key: str) -> None:
    """Add the pinned key for ``host:port`` to ``known_hosts``, replacing any older line for it.

    Fleets pin from several threads: the read-modify-write is serialized, and the file is replaced
    atomically, so a connection loading it never sees it half-written."""
    from ..ssh import known_hosts_line

    entry = known_hosts_line(host, port, public_key)
    prefix = entry.split()[0] + " "
    with _PIN_LOCK:
        lines = known_hosts.read_text().splitlines(keepends=True) if known_hosts.exists() else []
        lines = [ln for ln in lines if not ln.startswith(prefix)]
        tmp = known_hosts.with_name(f".{known_hosts.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text("".join(lines) + entry)
        os.chmod(tmp, 0o600)
        os.replace(tmp, known_hosts)
