"""Programs the pipeline runs in another Python process, each a real module (linted, typed, unit-tested) whose
source is sent as ``python -c <source> <args>``:

- :mod:`.preflight` and :mod:`.install_wheels` run on the server, started by the agent in a release's venv
  (the agent carries their sources: :mod:`deploytests.pipeline.bundle`);
- :mod:`.build_hook` (the PEP 517 ``build_wheel`` call) and :mod:`.install_wheels` again (wheels installed into a
  venv layout) run on the runner, in the build environment's and the runner's own interpreter;
- :mod:`.bootloader` is the head of every program sent to a server: it serves the bundled modules from memory;
- :mod:`.spawn` is no program but the one way the agent and the release check start a command for the app
  (bundled with them).

Rules for these files: standard library only (plus what the program's own interpreter provides: the app, pypa
``installer`` from its wheel), Python >= 3.7 syntax, no imports from deploytests but siblings bundled with them
(:func:`bundled`). Each has a ``main(argv)`` and exits with its return value when run as a program.
"""

import importlib.util
import os


def source(name: str) -> str:
    """The source of ``programs/<name>.py`` (:func:`module_source`): what ``python -c`` is given."""
    return module_source(__name__ + "." + name)


def module_source(module: str) -> str:
    """The source of ``module`` (a full name): read from its file on the runner (whatever loader imported it,
    pytest's assertion rewriter included, which has no ``get_source``), from the bundle on a server
    (:mod:`.bootloader` serves it)."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        raise ImportError("no module %r" % module)
    if spec.has_location and spec.origin and os.path.isfile(spec.origin):
        with open(spec.origin, encoding="utf-8") as f:
            return f.read()
    text = spec.loader.get_source(spec.name) if spec.loader and hasattr(spec.loader, "get_source") else None
    if text is None:
        raise ImportError("no source for %r" % module)
    return text


def bundled(main: str, *modules: str) -> str:
    """Program ``main`` with the sibling ``modules`` it imports (names in this package) as one ``python -c``
    source headed by :mod:`.bootloader`: built from the sources at hand, the files on the runner, the agent's
    bundle on a server (which must carry them and the bootloader)."""
    from .bootloader import program

    outer = ("deploytests", "deploytests.pipeline", __name__)
    sources = dict.fromkeys(outer, "")
    sources.update({__name__ + "." + name: source(name) for name in (main,) + modules})
    return program(source("bootloader"), sources, outer, __name__ + "." + main)
