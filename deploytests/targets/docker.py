"""The built-in ``docker`` target: N throwaway containers (:class:`~deploytests.containers.Fleet`).

All rights (deploy, destructive): nothing lives there that the run did not create. Labels are known before
any container starts (``docker://web-1`` ... ``docker://web-N``), so test ids are stable. Each pytest
process (each xdist worker too) gets its own fleet with its own run id.
"""

from __future__ import annotations

from ..containers import Fleet, image_tag
from .base import Rights, Server
from .provider import Provider

IMAGE = "debian-apache-wsgi"


class DockerProvider(Provider):
    kind = "docker"

    @property
    def rights(self) -> Rights:
        return Rights(deploy=True, destructive=True)

    def labels(self) -> list[str]:
        return [f"docker://web-{i}" for i in range(1, self.settings.containers + 1)]

    def describe(self) -> str:
        try:
            tag = image_tag(IMAGE)
        except Exception as exc:  # noqa: BLE001 - a header must not fail the session
            tag = f"{IMAGE} (tag unknown: {exc})"
        keep = ", kept after the run" if self.settings.keep_containers else ""
        return f"{self.settings.containers} container(s) of {tag}{keep}"

    def open(self) -> list[Server]:
        self.fleet = Fleet(count=self.settings.containers, image=IMAGE, keep=self.settings.keep_containers,
                           progress=self.progress)
        self.fleet.__enter__()
        self.servers = self.fleet.servers
        for server in self.servers:
            server.timeout = getattr(self.settings, "host_timeout", None)
        self.times = self.fleet.times.values
        return self.servers

    def close(self) -> None:
        fleet = getattr(self, "fleet", None)
        if fleet is not None:
            fleet.__exit__(None, None, None)
            self.times = fleet.times.values
        super().close()

    def keep_lines(self) -> list[str]:
        if not self.settings.keep_containers:
            return []
        return [f"{s.label}: {s.ssh_command()}" for s in self.servers]
