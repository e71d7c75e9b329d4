"""A one-off command in the live release (``fab run``), run by the agent in the release's venv as the app user.

``python -c <this source> ENV_JSON COMMAND`` (cwd: the release dir): set the environment (the config env var, the
app's own env, the release's venv first on PATH), the daemons' umask, then replace this process with
``sh -c COMMAND``: its output and exit status are the command's own.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import json
import os
import sys


def main(argv):
    os.environ.update(json.loads(argv[0]))
    os.umask(0o007)  # as the mod_wsgi daemon: files the command creates are not world-readable
    sys.stdout.flush()
    os.execvp("sh", ["sh", "-c", argv[1]])
    return 127  # not reached: execvp raises or never returns


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
