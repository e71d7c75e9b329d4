"""The provider interface: what every kind of target (``docker``, ``ssh``) gives the plugin.

A provider is built from a :class:`~deploytests.targets.inventory.TargetSpec` and the
:class:`~deploytests.settings.Settings`, *without* touching the network: the plugin asks it for the
server :meth:`~Provider.labels` at collection time (they become test ids) and for a
:meth:`~Provider.describe` line for the report header. :meth:`~Provider.open` then brings the servers up
(or connects to them) and returns them; :meth:`~Provider.close` releases everything. It is a context
manager, usable without pytest::

    with provider_for(settings) as servers:
        ...
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from ..errors import ConfigError
from .base import Rights, Server
from .inventory import TargetSpec

Progress = Callable[[str], None]


class Provider(ABC):
    """Base class: subclasses set :attr:`kind` and implement labels/describe/open."""

    kind = ""
    #: options this kind does not read (``platform``: the docker target's container platform; a real server's
    #: OS decides its own). Given on the command line they are refused; from an env var or ini key (which may be
    #: set for other runs) the report header says they do not apply (:meth:`notes`).
    ignores: tuple[str, ...] = ("platform",)

    def __init__(self, spec: TargetSpec, settings, *, progress: Progress = print, http: bool = True):
        self.spec, self.settings, self.progress = spec, settings, progress
        self.http = http  # the runner will reach the sites over HTTP (tests): each server needs its base_url
        self.servers: list[Server] = []
        self.times: dict[str, float] = {}
        self.check()
        for origin in self._ignored("command line"):
            raise ConfigError(f"{origin}: {self._why_ignored()}",
                              hint=f"drop {origin.split('=')[0]} for this target (it picks the docker target's "
                                   "container platform)")

    def _ignored(self, *kinds: str) -> list[str]:
        """The origins (``--platform=debian13 (from ...)``) of options this kind ignores, given from ``kinds``."""
        source_of, origin = getattr(self.settings, "source_of", None), getattr(self.settings, "origin", None)
        if source_of is None or origin is None:  # settings built by a script: nothing was given
            return []
        return [origin(name) for name in self.ignores if source_of(name) in kinds]

    def _why_ignored(self) -> str:
        return f"does not apply to target {self.name!r} ({self.kind}): its servers' OS decides their platform"

    def notes(self) -> list[str]:
        """Lines for the report header: options from an env var or ini key that this target ignores."""
        return [f"{origin} {self._why_ignored()}" for origin in self._ignored("environment", "ini")]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def rights(self) -> Rights:
        return self.spec.rights

    @property
    def config_file(self):
        """The app config to upload on this target (None: the app's own ``config_file``)."""
        return self.spec.config_file

    @property
    def env(self) -> dict[str, str]:
        """The app's env on this target, over deploy.toml's (``env`` in targets.toml)."""
        return dict(self.spec.env)

    def fail(self, msg: str, hint: str = "") -> ConfigError:
        return ConfigError(f"target {self.name!r}: {msg}", where=self.spec.where, hint=hint)

    def check(self) -> None:  # noqa: B027  (optional: kinds without checks keep it)
        """Validate the spec for this kind (no network). Raise :meth:`fail` errors."""

    @abstractmethod
    def labels(self) -> list[str]:
        """See the module docstring."""

    @abstractmethod
    def describe(self) -> str:
        """See the module docstring."""

    @abstractmethod
    def open(self) -> list[Server]:
        """See the module docstring."""

    def close(self) -> None:
        for server in self.servers:
            server.close()

    def keep_lines(self) -> list[str]:
        """Lines to print at the end of the run (e.g. how to log into kept containers)."""
        return []

    def __enter__(self) -> list[Server]:
        try:
            return self.open()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()
