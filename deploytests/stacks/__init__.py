"""Server stacks: one module per platform, found through :data:`STACKS` (like testinfra's backends).

A stack (:class:`Stack`) is a platform's facts as data: packages, Apache paths and tools, the vhost template,
log locations, how the app's mod_wsgi daemons show in ``ps``, the Python that serves the app, its container
images. The runner reads the server's ``/etc/os-release`` at bootstrap and picks the stack that matches
(:func:`detect`), or refuses with one line naming the supported platforms. Adding a platform is one module
defining ``STACK``, its ``dockerfiles/`` folders, and one line in :data:`MODULES`.
"""

from __future__ import annotations

import importlib

from ..errors import ConfigError, DeployTestsError
from .base import OS_RELEASE, OS_RELEASE_FALLBACK, ApacheLayout, Stack, describe_release, parse_os_release

# The registry: one line per stack module (each defines STACK). The first is the default platform.
MODULES = (
    "debian12_apache_wsgi",
    "debian13_apache_wsgi",
)
STACKS: dict[str, Stack] = {s.name: s for s in (importlib.import_module(f"{__name__}.{m}").STACK for m in MODULES)}
DEFAULT = next(iter(STACKS.values()))


class UnsupportedServer(DeployTestsError):
    """The server's OS matches no stack."""


def supported() -> str:
    """``debian12-apache-wsgi (Debian 12 (bookworm)), ...`` for messages."""
    return ", ".join(f"{s.name} ({s.title})" for s in STACKS.values())


def get(name: str) -> Stack:
    """The stack called ``name``; an unknown name lists the valid ones."""
    try:
        return STACKS[name]
    except KeyError:
        raise ConfigError(f"unknown server stack {name!r}; known: {', '.join(STACKS)}") from None


def platforms() -> dict[str, Stack]:
    """``{"debian12": stack, ...}``: the container platforms (``--platform``)."""
    return {s.platform: s for s in STACKS.values()}


def for_platform(word: str) -> Stack:
    """The stack of a container platform (``debian13``); an unknown word lists the valid ones."""
    try:
        return platforms()[word]
    except KeyError:
        raise ConfigError(f"unknown platform {word!r}; choose from {', '.join(platforms())}") from None


def for_os_release(text: str, where: str = "") -> Stack:
    """The stack whose platform ``/etc/os-release`` (its text) names, or :class:`UnsupportedServer`."""
    release = parse_os_release(text)
    found = [s for s in STACKS.values() if s.matches(release)]
    if not found:
        raise UnsupportedServer(f"unsupported server OS {describe_release(release)}; deploytests supports "
                                f"{supported()}", where=where,
                                hint="use a supported release, or add a stack (deploytests/stacks)")
    return found[0]


def detect(c, where: str = "", timeout: float = 30) -> Stack:
    """Read ``/etc/os-release`` (or ``/usr/lib/os-release``, its fallback in os-release(5)) over the connection
    ``c`` in one round trip, within ``timeout`` seconds, and pick the stack."""
    res = c.run(f"cat {OS_RELEASE} 2>/dev/null || cat {OS_RELEASE_FALLBACK}", hide=True, warn=True,
                in_stream=False, timeout=timeout)
    return for_os_release(res.stdout if res.ok else "", where=where or _label(c))


def _label(c) -> str:
    return getattr(c, "label", "") or f"ssh://{c.user}@{c.host}:{c.port}"


__all__ = ["DEFAULT", "MODULES", "OS_RELEASE", "STACKS", "ApacheLayout", "Stack", "UnsupportedServer",
           "describe_release", "detect",
           "for_os_release", "for_platform", "get", "parse_os_release", "platforms", "supported"]
