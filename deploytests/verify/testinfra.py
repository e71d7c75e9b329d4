"""A testinfra ``Host`` over a server's already-open, pinned connection.

testinfra's own paramiko backend opens its own SSH client (``WarningPolicy``: unknown keys are accepted), reads
``~/.ssh/config``, and ``testinfra.get_host`` caches hosts process-wide by spec (a reused
``127.0.0.1:<port>`` hands back a stale host). :class:`PinnedBackend` keeps testinfra's command handling
but takes its ``client`` from :meth:`deploytests.targets.Server.connection`: same transport as Fabric, host
key already checked, TCP_NODELAY set, one login per server for the whole run.
"""

from __future__ import annotations

import functools

import testinfra.host
from testinfra.backend.paramiko import ParamikoBackend


class PinnedBackend(ParamikoBackend):
    """testinfra's paramiko backend whose SSH client is the server's shared pinned connection."""

    NAME = "deploytests"

    def __init__(self, server, **kwargs):
        self.server = server
        super().__init__(f"{server.user}@{server.host}:{server.port}", **kwargs)

    @functools.cached_property
    def client(self):
        return self.server.connection().client

    def get_hostname(self) -> str:
        return self.server.label


def host_for(server, *, sudo: bool = False) -> testinfra.host.Host:
    """A fresh testinfra Host for ``server`` (never cached by spec)."""
    return testinfra.host.Host(PinnedBackend(server, sudo=sudo))
