"""The built-in ``docker`` target: N throwaway containers (:class:`~deploytests.containers.Fleet`).

All rights (deploy, destructive): nothing lives there that the run did not create. Labels are known before
any container starts (``docker://web-1`` ... ``docker://web-N``), so test ids are stable. Each pytest
process (each xdist worker too) gets its own fleet with its own run id. ``--platform`` picks the servers'
stack(s) (:mod:`deploytests.stacks`): each platform's ready image; with several, the containers take them in
turn (``debian12,debian13``: web-1 Debian 12, web-2 Debian 13, ...).
"""

from __future__ import annotations

import json

from .. import words
from ..stacks import Stack, for_platform
from .base import Rights, Server
from .provider import Provider


class DockerProvider(Provider):
    kind = "docker"
    ignores = ()

    @property
    def rights(self) -> Rights:
        return Rights(deploy=True, destructive=True)

    @property
    def stacks(self) -> list[Stack]:
        """The platforms' stacks, in the order containers take them."""
        return [for_platform(word) for word in self.settings.platform]

    def mix(self) -> list[tuple[str, str]]:
        """``(image, base)`` per platform, for :class:`Fleet`."""
        return [(s.image, s.base_image) for s in self.stacks]

    def labels(self) -> list[str]:
        return [f"docker://web-{i}" for i in range(1, self.settings.containers + 1)]

    def describe(self) -> str:
        # the container driver (and the Docker SDK) loads here, on first use: this module is imported in every
        # pytest run of a user's environment (the default target is ``docker``)
        from ..containers.images import image_tag

        tags = []
        for image, base in self.mix():
            try:
                tags.append(image_tag(image, base))
            except Exception as exc:  # noqa: BLE001 - a header must not fail the session
                tags.append(f"{image} (tag unknown: {exc})")
        keep = ", kept after the run" if self.settings.keep_containers else ""
        count = self.settings.containers
        if len(tags) == 1:
            return f"{words.count(count, 'container')} of {tags[0]}{keep}"
        turns = ", ".join(f"{tag} ({stack.platform})" for tag, stack in zip(tags, self.stacks, strict=True))
        return f"{words.count(count, 'container')} of {turns}, in turn{keep}"

    def open(self) -> list[Server]:
        from ..containers import Fleet

        # --host-timeout bounds each container's coming up too (sshd's banner, the login, Apache): a loaded runner
        # may need longer than the default 30 s, and the option is how a host is given longer
        timeout = getattr(self.settings, "host_timeout", None) or 30.0
        self.fleet = Fleet(count=self.settings.containers, mix=self.mix(), keep=self.settings.keep_containers,
                           progress=self.progress, ready_timeout=timeout)
        self.fleet.__enter__()
        self.servers = self.fleet.servers
        for server in self.servers:
            server.timeout = getattr(self.settings, "host_timeout", None)
        self.times = self.fleet.times
        return self.servers

    def close(self) -> None:
        fleet = getattr(self, "fleet", None)
        if fleet is not None:
            fleet.__exit__(None, None, None)
            self.times = fleet.times
        super().close()

    def keep_lines(self) -> list[str]:
        """Per kept container its id, URL and ssh line; then the targets.toml table naming them all, with the
        commands that point the suite and ``fab`` at them, and the one that removes them."""
        if not self.settings.keep_containers or not self.servers:
            return []
        lines = []
        for s in self.servers:
            lines += [f"{s.label}: container {(s.container_id or '?')[:12]}, http {s.base_url}",
                      f"{s.label}: {s.ssh_command()}"]
        return lines + kept_target(self.servers)


def kept_target(servers: list[Server], name: str = "kept") -> list[str]:
    """The ``[targets.kept]`` table of targets.toml for kept containers (one host table each: they share the
    host name 127.0.0.1, so each carries its own ``base_url``), and how to use and remove them."""
    q = json.dumps  # a TOML basic string
    hosts = [f"    {{ name = {q(s.label.split('://', 1)[-1])}, address = {q(f'{s.user}@{s.host}:{s.port}')}, "
             f"base_url = {q(s.base_url)} }}," for s in servers]
    ids = " ".join((s.container_id or "?")[:12] for s in servers)
    return [f"to point the suite or fab at {'this container' if len(servers) == 1 else 'these containers'}, "
            "add to targets.toml:",
            f"  [targets.{name}]", "  hosts = [", *hosts, "  ]",
            f"  identity_file = {q(str(servers[0].key_filename))}",
            f"  known_hosts = {q(str(servers[0].known_hosts))}",
            "  deploy = true   # fab and the suite may deploy there (without it: read-only)",
            f"then: pytest --pyargs deploytests.suite tests/deploy --target {name} --no-deploy (or: fab target "
            f"{name} status); remove them when done: docker rm -f {ids}"]
