"""Targets: the inventory (``targets.toml``) and one provider per kind behind a tiny registry.

:data:`PROVIDERS` maps a kind to the ``module:Class`` of its provider (like testinfra's backends); adding a
kind is a module and a line here. A kind's module is imported the first time a target of that kind is built,
and the names below on first use (PEP 562): the pytest plugin is loaded into every pytest run of a user's
environment and must not drag in the container driver, Fabric or paramiko. :func:`provider_for` turns the
settings into a ready (not yet opened) provider::

    provider = provider_for(settings)
    provider.labels()          # ['docker://web-1', 'docker://web-2'], no network needed
    with provider as servers:  # containers started / hosts connected; closed and removed on exit
        ...
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ..errors import ConfigError

if TYPE_CHECKING:
    from .base import Rights, Server
    from .inventory import HostSpec, TargetSpec, find_target, load_inventory, parse_host
    from .provider import Provider

# kind -> "module:Class" of its provider (relative to this package)
PROVIDERS: dict[str, str] = {"docker": ".docker:DockerProvider", "ssh": ".ssh:SshProvider"}

# public name -> the submodule that defines it
_WHERE = {"Rights": "base", "Server": "base", "Provider": "provider", "HostSpec": "inventory",
          "TargetSpec": "inventory", "find_target": "inventory", "load_inventory": "inventory",
          "parse_host": "inventory"}


def provider_class(kind: str) -> type[Provider]:
    """The provider class of ``kind`` (its module imported now); KeyError for an unknown kind."""
    module, _, name = PROVIDERS[kind].partition(":")
    return getattr(importlib.import_module(module, __name__), name)


def provider_for(settings, *, targets_file: Path | None = None, progress=print, http: bool = True) -> Provider:
    """The provider for ``settings.target`` (looked up in ``targets_file`` or ``settings.targets_file``).

    A target or targets file that does not exist is an error naming the option that asked for it and where that
    came from (``--target=nosuch (from DEPLOYTESTS_TARGET environment variable): unknown target 'nosuch'; ...``);
    an error inside the targets file names its file and line instead. ``http=False``: nothing will make an HTTP
    request to the servers (``fab`` tasks: the health gate runs on the server), so no ``base_url`` is required."""
    from ..settings import blame
    from .inventory import find_target, load_inventory

    path = settings.targets_file or targets_file
    try:
        inventory = load_inventory(path) if path is not None else {}
    except ConfigError as exc:
        raise (exc if exc.where else blame(settings, "targets_file", exc)) from None
    try:
        spec = find_target(settings.target, path, inventory=inventory)
    except ConfigError as exc:
        raise blame(settings, "target", exc) from None
    if spec.kind not in PROVIDERS:
        raise ConfigError(f"target {spec.name!r}: unknown kind {spec.kind!r}; known kinds: "
                          f"{', '.join(sorted(PROVIDERS))}", where=spec.where)
    return provider_class(spec.kind)(spec, settings, progress=progress, http=http)


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())


__all__ = ["PROVIDERS", "HostSpec", "Provider", "Rights", "Server", "TargetSpec", "find_target",
           "load_inventory", "parse_host", "provider_class", "provider_for"]
