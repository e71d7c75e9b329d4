"""Targets: the inventory (``targets.toml``) and one provider per kind behind a tiny registry.

:data:`PROVIDERS` maps a kind to its class (like testinfra's backends); adding a kind is a module and a
line here. :func:`provider_for` turns the settings into a ready (not yet opened) provider::

    provider = provider_for(settings)
    provider.labels()          # ['docker://web-1', 'docker://web-2'], no network needed
    with provider as servers:  # containers started / hosts connected; closed and removed on exit
        ...
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .base import Rights, Server
from .docker import DockerProvider
from .inventory import HostSpec, TargetSpec, find_target, load_inventory, parse_host
from .provider import Provider
from .ssh import SshProvider

PROVIDERS: dict[str, type[Provider]] = {"docker": DockerProvider, "ssh": SshProvider}


def provider_for(settings, *, targets_file: Path | None = None, progress=print) -> Provider:
    """The provider for ``settings.target`` (looked up in ``targets_file`` or ``settings.targets_file``)."""
    spec = find_target(settings.target, settings.targets_file or targets_file)
    cls = PROVIDERS.get(spec.kind)
    if cls is None:
        raise ConfigError(f"target {spec.name!r}: unknown kind {spec.kind!r}; known kinds: "
                          f"{', '.join(sorted(PROVIDERS))}", where=spec.where)
    return cls(spec, settings, progress=progress)


__all__ = ["PROVIDERS", "HostSpec", "Provider", "Rights", "Server", "TargetSpec", "find_target",
           "load_inventory", "parse_host", "provider_for"]
