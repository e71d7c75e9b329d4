"""Install wheels with pypa ``installer`` (imported from its wheel): ``python -c <this source> PLAN_JSON``.

Two uses, one program:

- on the server, by the agent in a new release's venv when the artifact ships wheels instead of a prebuilt tree
  (the runner's Python differed from the server's): the plan is ``{"tool": <installer wheel>, "wheels": [...]}``
  and the wheels go into the running interpreter's environment, byte-compiled (level 0: the daemon's user
  cannot write ``__pycache__`` into the release);
- on the runner, by pack (``tree_part``, ``python -S`` with a fixed hash seed): the plan adds ``"root"`` (an
  empty venv dir), ``"site"`` (``lib/pythonX.Y/site-packages``), ``"python"`` (``X.Y``), ``"interpreter"`` (the
  placeholder for console scripts) and ``"ddir"`` (site-packages as the server sees it); byte-code is compiled
  to *unchecked-hash* ``.pyc`` files (valid whatever the file mtimes after extraction), in sorted order: the
  same wheels give the same bytes.

Rules for this file: standard library only (plus ``installer`` from the plan's wheel), Python >= 3.7 syntax, no
imports from deploytests.
"""

import compileall
import json
import py_compile
import sys
import sysconfig


def main(argv):
    plan = json.loads(argv[0])
    sys.path.insert(0, plan["tool"])  # the installer wheel: pure Python, imported straight from the zip
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile
    if "root" in plan:  # a venv layout on the runner
        root, site = plan["root"], plan["root"] + "/" + plan["site"]
        scheme = {"purelib": site, "platlib": site, "scripts": root + "/bin", "data": root,
                  "headers": root + "/include/site/python" + plan["python"]}
        interpreter, levels = plan["interpreter"], ()
    else:  # this interpreter's environment
        paths = sysconfig.get_paths()
        paths.setdefault("headers", paths["include"])
        scheme = {k: paths[k] for k in ("purelib", "platlib", "headers", "scripts", "data")}
        interpreter, levels = sys.executable, (0,)
    dest = SchemeDictionaryDestination(scheme, interpreter=interpreter, script_kind="posix",
                                       bytecode_optimization_levels=levels)
    for wheel in plan["wheels"]:
        with WheelFile.open(wheel) as source:
            install(source, dest, {"INSTALLER": b"deploytests"})
    if "root" in plan:  # a module that does not compile (a Python 2 example in a wheel) stays source only, as pip
        compileall.compile_dir(site, quiet=2, workers=1, ddir=plan["ddir"],  # leaves it
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
