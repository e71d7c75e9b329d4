"""The release check, run by the agent in the new release's venv as the app user, before ``current`` moves.

``python -c <program> MODULE ATTR CALL PATH HOST COMMANDS_JSON ENV_JSON TIMEOUT`` (cwd: the release dir; the
program is this module bundled with :mod:`.spawn`, see :func:`deploytests.pipeline.programs.bundled`): import the
entry point (``CALL`` "1": call it, an app factory), run each post-deploy command (``sh -c``, with the env and
cwd the program started with, through :func:`.spawn.run`: its own session, at most ``TIMEOUT`` seconds, what it
leaves running killed and named), then, when ``PATH`` is set, GET it in-process through WSGI with ``Host: HOST``.
Progress goes to stdout as ``@@PF {json}`` lines (``phase`` import / post_deploy, with ``left``: what the commands
left running; a failed command as ``failed``, ``exit``, ``output``, ``timeout``; before exiting, ``left`` alone:
what the app's import or health GET left running, killed too; ``health``: the health GET's status line); the
health answer is the exit code: 0 when it answered 200. One import of the app for the three checks. SIGTERM
(the agent's bound on the whole check) ends it through the same clean-up.

Rules for this file: standard library only, Python >= 3.7 syntax, from deploytests only its bundled sibling
:mod:`.spawn`.
"""

import importlib
import json
import os
import signal
import sys
from wsgiref.util import setup_testing_defaults

from . import spawn

MARK = "@@PF "
FAILED = 3  # a post-deploy command failed (its output is in the @@PF line)


def mark(**fields):
    sys.stdout.write(MARK + json.dumps(fields) + "\n")
    sys.stdout.flush()


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


def import_failure(module, exc, imported):
    """What went wrong with the entry point, as facts for the agent's hint (the ``entry`` mark): ``missing``:
    the module Python did not find (None: something else failed); ``found``: whether the entry module itself was
    found (a module it imports may be what is missing); ``imported``: the module imported and only the attribute
    is not there; ``error``: the exception's last line."""
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    entry_missing = missing is not None and (module == missing or module.startswith(missing + "."))
    return {"error": "%s: %s" % (type(exc).__name__, exc), "missing": missing, "imported": imported,
            "found": imported or not entry_missing,
            "candidates": candidates(module) if imported or entry_missing else []}


def load_app(module, attr, call):
    try:
        mod = importlib.import_module(module)
    except Exception as exc:
        mark(entry=import_failure(module, exc, False))
        raise
    try:
        target = getattr(mod, attr)
    except AttributeError as exc:
        mark(entry=import_failure(module, exc, True))
        raise
    return target() if call == "1" else target


def left(finished):
    """What a command left running, as data for a mark: ``[[pid, command line, "killed" | "left"], ...]``."""
    return [list(item) for item in finished.leftovers]


def post_deploy(commands, env, cwd, timeout):
    """Run each command; what they left running (a list for the mark), or None after the failed one's mark."""
    leftovers = []
    for number, command in enumerate(commands, 1):
        done = spawn.run(["sh", "-c", command], timeout, env=env, cwd=cwd)
        leftovers += left(done)
        if done.code != 0:
            mark(phase="post_deploy", failed=command, exit=done.code, output=done.output[-16000:],
                 timeout=timeout if done.timed_out else None, left=leftovers)
            return None
        mark(ran=number)
    return leftovers


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


def routing(app, path, host):
    """Facts for the agent's hint on a 4xx answer, from the framework the app imported (none for a plain WSGI
    app): ``route``: whether ``path`` is one of the app's routes; ``host``: whether it allows Host ``host``.
    Django: its URL resolver and ALLOWED_HOSTS (as its ``get_host`` reads them); Flask: its URL map and
    TRUSTED_HOSTS. A fact that cannot be read is left out."""
    facts = {}
    path = path.partition("?")[0]
    try:
        if "django.conf" in sys.modules:
            from django.conf import settings
            from django.http.request import validate_host
            from django.urls import Resolver404, resolve

            allowed = list(settings.ALLOWED_HOSTS) or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
            facts["host"] = bool(validate_host(host, allowed))
            try:
                resolve(path)
                facts["route"] = True
            except Resolver404:
                facts["route"] = False
        elif hasattr(app, "url_map") and hasattr(app, "config"):
            from werkzeug.exceptions import NotFound
            from werkzeug.wsgi import host_is_trusted

            server_name, trusted = app.config.get("SERVER_NAME"), app.config.get("TRUSTED_HOSTS")
            if trusted:
                facts["host"] = bool(host_is_trusted(host, trusted))
            elif not server_name or host == server_name:  # (Flask < 3.1 routes only SERVER_NAME: unknown)
                facts["host"] = True
            try:
                app.url_map.bind(server_name or "localhost", script_name="/").match(path, method="GET")
                facts["route"] = True
            except NotFound:
                facts["route"] = False
            except Exception:  # noqa: BLE001 - a redirect, a method not allowed: the path is a route
                facts["route"] = True
    except Exception:  # noqa: BLE001 - whatever the app's settings hold: no facts rather than a wrong one
        return {}
    return facts


def terminated(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through spawn.run's and main's clean-up


def main(argv):
    module, attr, call, path, host = argv[:5]
    commands = json.loads(argv[5])
    os.environ.update(json.loads(argv[6]))
    timeout = float(argv[7])
    os.umask(0o007)  # as the mod_wsgi daemon: files the app creates are not world-readable
    signal.signal(signal.SIGTERM, terminated)
    spawn.subreaper()
    before = spawn.children()
    env, cwd = dict(os.environ), os.getcwd()  # what post_deploy commands get, whatever the import changes
    try:
        return check(module, attr, call, path, host, commands, env, cwd, timeout)
    finally:
        sys.stdout.flush()
        strays = spawn.sweep((), before)  # what the app's import or health route started and left running
        if strays:
            mark(left=[list(item) for item in strays])


def check(module, attr, call, path, host, commands, env, cwd, timeout):
    app = load_app(module, attr, call)
    mark(phase="import")
    leftovers = post_deploy(commands, env, cwd, timeout)
    if leftovers is None:
        return FAILED
    if commands:
        mark(phase="post_deploy", left=leftovers)
    if not path:
        return 0
    status = get(app, path, host)
    facts = routing(app, path, host) if status and status[:1] == "4" else {}
    mark(health=status or "", **facts)  # the status line and facts, for the agent's hint on a 4xx
    print("preflight: GET %s -> %s" % (path.partition("?")[0], status or "no response"))
    return 0 if status and status.startswith("200") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
