"""The PEP 517 ``build_wheel`` call, run by pack in the app's isolated build environment (as pip and ``build``).

``<build env>/bin/python -I -c <this source> PLAN_JSON`` in the project dir; the plan is ``{"backend":
"module:object", "backend_path": [...], "out": <dir>, "have": [requirements installed]}``. Prints ``@@NEED
<json list>`` when the backend's ``get_requires_for_build_wheel`` asks for requirements not installed yet (pack
installs them and runs it again), else builds and prints ``@@WHEEL <file name>``.

Rules for this file: standard library only (plus the build backend), Python >= 3.7 syntax, no imports from
deploytests.
"""

import importlib
import json
import sys


def load_backend(spec, backend_path):
    """The backend object ``module:object.attr`` (PEP 517), with its in-tree ``backend-path`` first."""
    sys.path[:0] = backend_path
    mod, _, obj = spec.partition(":")
    backend = importlib.import_module(mod)
    for part in filter(None, obj.split(".")):
        backend = getattr(backend, part)
    return backend


def main(argv):
    plan = json.loads(argv[0])
    backend = load_backend(plan["backend"], plan["backend_path"])
    get_requires = getattr(backend, "get_requires_for_build_wheel", None)
    missing = [r for r in (get_requires() if get_requires else []) if r not in plan["have"]]
    if missing:
        print("\n@@NEED " + json.dumps(missing))
    else:
        print("\n@@WHEEL " + backend.build_wheel(plan["out"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
