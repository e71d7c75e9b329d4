"""Install wheels into the running interpreter's environment with pypa ``installer`` (imported from its wheel).

Run by the agent in a new release's venv when the artifact ships wheels instead of a prebuilt tree (the runner's
Python differed from the server's): ``venv/bin/python -c <this source> PLAN_JSON``, the plan being
``{"tool": <installer wheel>, "wheels": [<wheel>, ...]}``. Byte-code is compiled (level 0): the daemon's user
cannot write ``__pycache__`` into the release.

Rules for this file: standard library only (plus ``installer`` from the plan's wheel), Python >= 3.7 syntax, no
imports from deploytests.
"""

import json
import sys
import sysconfig


def main(argv):
    plan = json.loads(argv[0])
    sys.path.insert(0, plan["tool"])  # the installer wheel: pure Python, imported straight from the zip
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile
    paths = sysconfig.get_paths()
    paths.setdefault("headers", paths["include"])
    dest = SchemeDictionaryDestination({k: paths[k] for k in ("purelib", "platlib", "headers", "scripts", "data")},
                                       interpreter=sys.executable, script_kind="posix",
                                       bytecode_optimization_levels=(0,))
    for wheel in plan["wheels"]:
        with WheelFile.open(wheel) as source:
            install(source, dest, {"INSTALLER": b"deploytests"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
