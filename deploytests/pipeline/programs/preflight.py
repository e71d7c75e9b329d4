"""The release check, run by the agent in the new release's venv as the app user, before ``current`` moves.

``python -c <this source> MODULE ATTR CALL PATH HOST COMMANDS_JSON ENV_JSON`` (cwd: the release dir): import the
entry point (``CALL`` "1": call it, an app factory), run each post-deploy command (``sh -c``, with the env and
cwd the program started with), then, when ``PATH`` is set, GET it in-process through WSGI with ``Host: HOST``.
Progress goes to stdout as ``@@PF {json}`` lines (``phase`` import / post_deploy; a failed command as
``failed``, ``exit``, ``output``); the health answer is the exit code: 0 when it answered 200. One import of the
app for the three checks.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import importlib
import json
import os
import subprocess
import sys
from wsgiref.util import setup_testing_defaults

MARK = "@@PF "
FAILED = 3  # a post-deploy command failed (its output is in the @@PF line)


def mark(**fields):
    sys.stdout.write(MARK + json.dumps(fields) + "\n")
    sys.stdout.flush()


CANDIDATES = "entry_point candidates: "
NAMES = ("application", "app", "create_app", "make_app")


def candidates(module):
    """What would work as entry_point in ``module`` (or its ``wsgi`` submodule: Django's layout), when the given
    one does not import: ``module:name`` (``()`` for a factory) of the usual names found there."""
    found = []
    for name in (module, module + ".wsgi"):
        try:
            mod = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - any failure: nothing to offer from this module
            continue
        for attr in NAMES:
            if callable(getattr(mod, attr, None)):
                found.append("%s:%s%s" % (name, attr, "()" if attr.endswith("_app") else ""))
    return found


def load_app(module, attr, call):
    target = getattr(importlib.import_module(module), attr)
    return target() if call == "1" else target


def post_deploy(commands, env, cwd):
    """Run each command; the failed one's mark and False at the first failure."""
    for command in commands:
        proc = subprocess.run(["sh", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, cwd=cwd, check=False)
        if proc.returncode != 0:
            mark(phase="post_deploy", failed=command, exit=proc.returncode,
                 output=proc.stdout.decode("utf-8", "replace")[-16000:])
            return False
    return True


def get(app, path, host):
    """GET ``path`` (with its query) from the WSGI ``app`` in-process: the status line, or None."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": host,
               "SERVER_NAME": host, "SERVER_PORT": "80"}
    setup_testing_defaults(environ)
    environ["wsgi.errors"] = sys.stderr  # the app's error log (its traceback) goes to the output we report
    seen = []

    def start_response(status, headers, exc_info=None):
        seen.append(status)
        return lambda data: None

    body = app(environ, start_response)
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    return seen[0] if seen else None


def main(argv):
    module, attr, call, path, host = argv[:5]
    commands = json.loads(argv[5])
    os.environ.update(json.loads(argv[6]))
    os.umask(0o007)  # as the mod_wsgi daemon: files the app creates are not world-readable
    env, cwd = dict(os.environ), os.getcwd()  # what post_deploy commands get, whatever the import changes
    try:
        app = load_app(module, attr, call)
    except (ImportError, AttributeError):
        print(CANDIDATES + json.dumps(candidates(module)))  # for the hint naming entry_point (the agent's)
        raise
    mark(phase="import")
    if not post_deploy(commands, env, cwd):
        return FAILED
    if commands:
        mark(phase="post_deploy")
    if not path:
        return 0
    status = get(app, path, host)
    print("preflight: GET %s -> %s" % (path.partition("?")[0], status or "no response"))
    return 0 if status and status.startswith("200") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
