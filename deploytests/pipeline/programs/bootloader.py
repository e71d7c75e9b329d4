"""The head of every program the runner sends to a server: serves the bundled modules from memory.

The runner sends one source (:func:`deploytests.pipeline.bundle.program`): this module's text, then a call of
:func:`run` with the other modules' sources (the agent, the contract it shares with the runner, the programs it
starts) and the module whose ``main(argv)`` to run. :class:`Bundle` is a meta path finder placed first on
``sys.meta_path``, so those names resolve to the bundled text whatever the server has installed or holds in the
current directory; the modules import each other exactly as in the package on the runner. Nothing is written to
disk. Tracebacks show source lines (the loader gives linecache the text). The runner may add the modules
compiled by its own Python (marshalled): a server whose Python has the same magic number loads them instead of
compiling the sources (~25 ms of each agent start); any other compiles the sources, as before.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import importlib.util
import sys


class Bundle:
    """Modules ``{name: source}``; ``packages`` are the names that are packages (their submodules are only
    looked up here: nothing of a real ``deploytests`` on the server is ever imported).

    A meta path finder and loader by protocol (``find_spec``, ``create_module``, ``exec_module``, ``get_source``):
    not derived from ``importlib.abc``, whose import costs a server 20 ms per step (it imports
    ``importlib.resources`` and ``pathlib``)."""

    def __init__(self, sources, packages, codes=None):
        self.sources, self.packages = dict(sources), set(packages)
        self.codes = dict(codes or {})  # {name: code object}, compiled from the same sources (see run())

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.sources:
            if fullname.rpartition(".")[0] in self.packages:  # never another finder's (an installed deploytests)
                raise ModuleNotFoundError("not bundled: %s" % fullname, name=fullname)
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.filename(fullname),
                                               is_package=fullname in self.packages)

    def filename(self, fullname):
        leaf = "/__init__.py" if fullname in self.packages else ".py"
        return "<deploytests>/" + fullname.replace(".", "/") + leaf

    def is_package(self, fullname):
        return fullname in self.packages

    def get_source(self, fullname):
        if fullname not in self.sources:
            raise ImportError("not bundled: %s" % fullname, name=fullname)
        return self.sources[fullname]

    def create_module(self, spec):
        return None  # the default module object

    def get_code(self, fullname):
        code = self.codes.pop(fullname, None)
        if code is not None:
            return code
        return compile(self.get_source(fullname), self.filename(fullname), "exec", dont_inherit=True)

    def exec_module(self, module):
        module.__file__ = self.filename(module.__name__)
        exec(self.get_code(module.__name__), module.__dict__)  # noqa: S102 - what a loader does


def run(sources, packages, main, argv, compiled=None):
    """Install the bundle first on ``sys.meta_path``, import ``main`` and return its ``main(argv)``. ``compiled``:
    ``(magic, text)`` from :func:`compiled`, used only when ``magic`` is this Python's own."""
    codes = None
    if compiled is not None and compiled[0] == importlib.util.MAGIC_NUMBER:
        import binascii
        import marshal
        import zlib

        codes = marshal.loads(zlib.decompress(binascii.a2b_base64(compiled[1])))
    sys.meta_path.insert(0, Bundle(sources, packages, codes))
    return importlib.import_module(main).main(argv)


def compiled(sources, packages):
    """The modules of ``sources`` compiled by this Python as :func:`run` takes them: (this Python's magic number,
    base64 of the zlib'd ``marshal`` of ``{name: code}``); each code object carries the file name the loader
    gives it (tracebacks then read the sources, which travel beside it)."""
    import binascii
    import marshal
    import zlib

    bundle = Bundle(sources, packages)
    codes = {name: compile(text, bundle.filename(name), "exec", dont_inherit=True)
             for name, text in sources.items() if text}
    return importlib.util.MAGIC_NUMBER, binascii.b2a_base64(zlib.compress(marshal.dumps(codes), 9),
                                                            newline=False).decode("ascii")


def program(loader, sources, packages, main, compiled=None):
    """The text of one program: ``loader`` (this module's own source), then a call of :func:`run` serving
    ``sources`` (``{module name: source}``, ``packages`` the names that are packages) and running ``main``'s
    ``main(sys.argv[1:])``, with ``compiled`` (:func:`compiled`; None: the sources are compiled where it runs).
    Built on the runner (:func:`deploytests.pipeline.bundle.program`) and, for the programs the agent starts, on
    the server (:func:`deploytests.pipeline.programs.bundled`)."""
    return loader + ("\n\nif __name__ == \"__main__\":\n"
                     "    sys.exit(run(%r, %r, %r, sys.argv[1:], %r))\n" % (sources, sorted(packages), main, compiled))
