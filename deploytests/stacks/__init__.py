"""Server stacks: one module per platform, found through :data:`STACKS` (like testinfra's backends), and one
package per kind of stack (``apache_wsgi``) holding that kind's data and behaviour.

A stack (:class:`Stack`) is a platform's facts as data: packages, Apache paths and tools, the vhost template,
log locations, how the app's mod_wsgi daemons show in ``ps``, the Python that serves the app, its container
images (their names and base; the Dockerfiles in ``dockerfiles/`` are shared per role), and its ``kind``: the
package whose modules write its site file and read its logs (:meth:`Stack.behaviour`). The runner reads the
server's ``/etc/os-release`` at bootstrap and picks the stack that matches (:func:`detect`), or refuses with one
line naming the supported platforms. Adding a platform of a known kind is one module in this package defining
``STACK``: every module here that defines one is registered (:func:`discover`), in the order of the module names.
"""

from __future__ import annotations

import importlib
import pkgutil

from .. import untrusted
from ..errors import ConfigError, DeployTestsError
from .apache_wsgi import ApacheLayout
from .base import OS_RELEASE, OS_RELEASE_FALLBACK, ImageSpec, Stack, describe_release, parse_os_release


def discover(package: str = __name__) -> dict[str, Stack]:
    """``{name: stack}`` of every module of ``package`` that defines ``STACK``, in module-name order.

    Two stacks with one name, one ``--platform`` word or one image name are refused (each must be unique)."""
    found: dict[str, Stack] = {}
    for mod in sorted(pkgutil.iter_modules(importlib.import_module(package).__path__), key=lambda m: m.name):
        stack = getattr(importlib.import_module(f"{package}.{mod.name}"), "STACK", None)
        if not isinstance(stack, Stack):
            continue
        for other in found.values():
            clash = [what for what, a, b in (("name", stack.name, other.name),
                                              ("platform", stack.platform, other.platform))
                     if a == b] + [f"image {n}" for n in {stack.image, stack.bare_image} & {other.image,
                                                                                           other.bare_image}]
            if clash:
                raise DeployTestsError(f"stack module {package}.{mod.name} repeats the {', '.join(clash)} of "
                                       f"stack {other.name}", hint="give each stack its own name, platform and "
                                                                   "image names")
        found[stack.name] = stack
    return found


# The registry. The default platform (what --platform and a bare `docker` target mean) is Debian 12.
STACKS: dict[str, Stack] = discover()
DEFAULT = STACKS["debian12-apache-wsgi"]


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


def detect(c, where: str, timeout: float = 30) -> Stack:
    """Read ``/etc/os-release`` (or ``/usr/lib/os-release``, its fallback in os-release(5)) over the connection
    ``c`` (named ``where`` in errors) in one round trip, within ``timeout`` seconds, and pick the stack."""
    res = c.run(f"cat {OS_RELEASE} 2>/dev/null || cat {OS_RELEASE_FALLBACK}", hide=True, warn=True,
                in_stream=False, timeout=timeout)
    return for_os_release(untrusted.text(res.stdout) if res.ok else "", where=where)  # server text: data


__all__ = ["DEFAULT", "OS_RELEASE", "STACKS", "ApacheLayout", "ImageSpec", "Stack", "UnsupportedServer",
           "describe_release", "detect", "discover",
           "for_os_release", "for_platform", "get", "parse_os_release", "platforms", "supported"]
