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

    def __init__(self, spec: TargetSpec, settings, *, progress: Progress = print):
        self.spec, self.settings, self.progress = spec, settings, progress
        self.servers: list[Server] = []
        self.times: dict[str, float] = {}
        self.check()

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
