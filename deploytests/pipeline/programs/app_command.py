"""A one-off command in the live release (``fab run``), run by the agent in the release's venv as the app user.

``python -c <this source> ENV_JSON COMMAND [ENV_FILE]`` (cwd: the release dir): set the environment (the config
env var, the app's own env, the release's venv first on PATH; with ENV_FILE, the config file's NAME=value lines
under deploy.toml's ``config_as_env``), the daemons' umask, then replace this process with
``sh -c COMMAND``: its output and exit status are the command's own.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import json
import os
import sys

from . import spawn


def main(argv):
    own = json.loads(argv[0])
    os.environ.update(own)
    if len(argv) > 2 and argv[2]:  # config_as_env: the config file's NAME=value lines, as the daemons get them
        spawn.load_env_file(argv[2], keep=set(own))
    os.umask(0o007)  # as the mod_wsgi daemon: files the command creates are not world-readable
    sys.stdout.flush()
    os.execvp("sh", ["sh", "-c", argv[1]])
    return 127  # not reached: execvp raises or never returns


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
