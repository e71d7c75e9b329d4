"""``pip freeze`` without pip (release venvs are made ``--without-pip``), run by the diagnostics in the live venv.

``python -c <this source>``: prints every installed distribution as ``name==version``, one a line, sorted.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import importlib.metadata
import sys


def main(argv):
    del argv
    names = {"%s==%s" % (d.metadata["Name"], d.version) for d in importlib.metadata.distributions()}
    for line in sorted(names):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
