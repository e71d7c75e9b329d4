"""The programs sent to servers, built from real modules: one source per program, run by ``exec`` on stdin.

An agent is a few stdlib-only modules of this package (the agent itself, :mod:`.contract` which the runner
imports too, the :mod:`.programs` the agent starts in a release's venv). :func:`program` joins their sources
into one program: :mod:`.programs.bootloader`'s text, then one call serving the modules from memory under their
own names and running ``main(sys.argv[1:])`` of the first. So the modules import each other as they do here,
the unit tests import and run the very same files, and a step stays one process on one SSH channel. The
modules also travel compiled by the runner's Python (marshalled): a server with the same Python version loads
them instead of compiling the sources, ~25 ms of CPU less per step (a third of an agent's start); another
version compiles the sources.
"""

from __future__ import annotations

import importlib.util
from functools import cache

from .programs import bootloader, module_source

# Packages around the bundled modules are served empty on the server: their real ``__init__`` (which imports
# Fabric) is the runner's business, and nothing else of an installed deploytests may be picked up there.
EMPTY_PACKAGES = ("deploytests", "deploytests.pipeline")


@cache
def program(main: str, *modules: str) -> bytes:
    """One program: the bootloader, then ``run`` with ``main`` and ``modules`` (full module names) bundled,
    calling ``main``'s ``main(sys.argv[1:])`` and exiting with its return value. Bytes, as sent on stdin."""
    sources = {name: "" for name in EMPTY_PACKAGES}
    packages = set(EMPTY_PACKAGES)
    for name in (main, *modules):
        sources[name] = module_source(name)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations is not None:
            packages.add(name)
    loader = module_source("deploytests.pipeline.programs.bootloader")
    return bootloader.program(loader, sources, packages, main, bootloader.compiled(sources, packages)).encode("utf-8")
