"""Wheels installed into an empty venv layout and byte-compiled, run by pack on the runner (``tree_part``).

``python -S -c <this source> PLAN_JSON`` with a fixed hash seed, the plan being ``{"tool": <installer wheel>,
"wheels": [...], "root": <venv dir>, "site": "lib/pythonX.Y/site-packages", "python": "X.Y", "interpreter":
<placeholder for console scripts>, "ddir": <site-packages as the server sees it>}``. Byte-code is compiled to
*unchecked-hash* ``.pyc`` files (valid whatever the file mtimes after extraction), in sorted order: the same
wheels give the same bytes.

Rules for this file: standard library only (plus ``installer`` from the plan's wheel), Python >= 3.7 syntax, no
imports from deploytests.
"""

import compileall
import json
import py_compile
import sys


def main(argv):
    plan = json.loads(argv[0])
    sys.path.insert(0, plan["tool"])  # pypa installer, imported straight from its wheel
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile
    root, site = plan["root"], plan["root"] + "/" + plan["site"]
    scheme = {"purelib": site, "platlib": site, "scripts": root + "/bin", "data": root,
              "headers": root + "/include/site/python" + plan["python"]}
    dest = SchemeDictionaryDestination(scheme, interpreter=plan["interpreter"], script_kind="posix",
                                       bytecode_optimization_levels=())
    for wheel in plan["wheels"]:
        with WheelFile.open(wheel) as source:
            install(source, dest, {"INSTALLER": b"deploytests"})
    # a module that does not compile (a Python 2 example file in a wheel) stays source only, as pip leaves it
    compileall.compile_dir(site, quiet=2, workers=1, ddir=plan["ddir"],
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
