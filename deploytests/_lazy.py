"""Package names loaded on first use (PEP 562), for the packages the pytest plugin imports at start-up.

The plugin is loaded into every pytest run of a user's environment, so a package it imports must not drag in
its heavy submodules (the container driver, the packer, Fabric, paramiko) until a name from them is used::

    __getattr__, __dir__ = lazy_names(__name__, {"Server": "base", ...}, globals())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, where: Mapping[str, str],
               namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package``: each name of ``where`` (name -> the
    submodule defining it) is imported from its submodule on first use, then kept in ``namespace`` (the
    package's globals) so the next lookup is a plain attribute."""

    def __getattr__(name: str) -> Any:
        submodule = where.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{submodule}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
