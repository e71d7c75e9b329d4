"""The ``ssh`` target: real servers from the inventory, reached with a pinned key and one identity.

Rights come from the inventory (``deploy``, ``destructive``; both default to false). :meth:`SshProvider.open`
connects to every host in parallel and reports every failure (unknown or changed host key, unreachable,
refused login), not only the first. A host key problem stops the run (it may be an attack); a host that cannot
be reached (down, frozen: no answer within the host timeout) stops it only when no host can be reached:
otherwise that host is named, its checks error with the reason, and the other hosts are deployed and verified.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import ConnectError, DeployTestsError, HostKeyError
from ..words import count
from .base import Server
from .provider import Provider


class SshProvider(Provider):
    kind = "ssh"

    def check(self) -> None:
        spec = self.spec
        if not spec.hosts:
            raise self.fail("no hosts: set hosts = [\"user@host[:port]\", ...]")
        for key in ("identity_file", "known_hosts"):
            if getattr(spec, key) is None:
                raise self.fail(f"missing key {key!r}", hint="real targets need an identity file and a "
                                "known_hosts file with the servers' keys")
        if not (spec.identity_file and spec.identity_file.is_file()):
            raise self.fail(f"identity file {spec.identity_file} does not exist",
                            hint="set identity_file to a readable private key")
        missing = [h.label for h in spec.hosts if not (h.base_url or spec.base_url)]
        if missing and self.http:  # only the tests reach the site from here; fab's steps do not
            raise self.fail(f"no base_url for {', '.join(missing)}",
                            hint="set base_url (one URL for all hosts, or a table host -> URL)")

    def labels(self) -> list[str]:
        return [h.label for h in self.spec.hosts]

    def describe(self) -> str:
        hosts = ", ".join(f"{h.user}@{h.host}:{h.port}" for h in self.spec.hosts)
        return f"{count(len(self.spec.hosts), 'host')} over SSH ({hosts}) [{self.spec.where}]"

    def _server(self, host) -> Server:
        return Server(name=host.name or host.host, label=host.label, host=host.host, port=host.port,
                      user=host.user, key_filename=_given(self.spec.identity_file),
                      known_hosts=_given(self.spec.known_hosts),
                      base_url=host.base_url or self.spec.base_url,
                      timeout=getattr(self.settings, "host_timeout", None))

    def open(self) -> list[Server]:
        self.servers = [self._server(h) for h in self.spec.hosts]
        with ThreadPoolExecutor(max_workers=min(8, len(self.servers))) as pool:
            results = list(pool.map(self._try_connect, self.servers))
        errors = [e for e in results if e is not None]
        partial = len(errors) < len(self.servers) and all(
            isinstance(e, ConnectError) and not isinstance(e, HostKeyError) for e in errors)
        if errors and partial:
            for server, error in zip(self.servers, results, strict=True):
                if error is not None:
                    server.unreachable(error)  # its checks error with this line; the others go on
                    self.progress(f"{server.label}: {error.what}; the other hosts go on")
            return self.servers
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise type(errors[0])("; ".join(str(e).rstrip(".") for e in errors))
        return self.servers

    @staticmethod
    def _try_connect(server: Server) -> DeployTestsError | None:
        try:
            server.connection()
        except DeployTestsError as exc:
            return exc
        return None


def _given(path: Path | None) -> Path:
    """A path :meth:`SshProvider.check` made sure the inventory gives."""
    assert path is not None, "checked by SshProvider.check"
    return path
