"""The release check, run by the agent in the new release's venv as the app user, before ``current`` moves.

``python -c <program> MODULE ATTR CALL PATH HOST COMMANDS_JSON ENV_JSON TIMEOUT [CONFIG]`` (cwd: the release dir; the
program is this module bundled with :mod:`.spawn`, see :func:`deploytests.pipeline.programs.bundled`): import the
entry point (``CALL`` "1": call it, an app factory), run each post-deploy command (``sh -c``, with the env and
cwd the program started with, through :func:`.spawn.run`: its own session, at most ``TIMEOUT`` seconds, what it
leaves running killed and named), then, when ``PATH`` is set, GET it in-process through WSGI with ``Host: HOST``.
While the app starts (its import and factory call) the program watches what it does (:class:`Start`: files
opened, SQLite databases, environment variables asked for and unset) and reports it as the ``started`` mark;
when ``CONFIG`` (the config the deploy installed) is given and the app never opened it, the check ends there
with :data:`CONFIG_UNREAD`, before any post-deploy command touches the live data.
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
import traceback
from wsgiref.util import setup_testing_defaults

from . import spawn

MARK = "@@PF "
FAILED = 3  # a post-deploy command failed (its output is in the @@PF line)
CONFIG_UNREAD = 4  # the app started without opening the config the deploy installed (the ``started`` mark)
MISPLACED = 5  # a place the app's settings name for its files lies in the release or is not the app's to write
PUBLIC_KEY = 6  # the app signs with a key written in its own code (the ``started`` mark's ``public_key``)
DEBUG_MODE = 7  # the app runs in its framework's debug mode (the ``started`` mark's ``debug``)


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
    if call != "1":
        return target
    try:
        return target()
    except ImportError as exc:  # what the factory imports (its blueprints, Pyramid's scan): named as the module's
        mark(entry=import_failure(module, exc, False))
        raise


class Start:
    """What the app does while it starts, as facts: the files it opens (Python's audit hooks, PEP 578: ``open``
    covers ``open()``, ``io``, ``os.open`` and the imports' ``open_code``), the SQLite databases it connects to,
    the environment variables its own code (modules of the entry point's top-level package, not the libraries
    it uses) asks for that are not set. Recorded only while ``on``: the import and factory call, as the mod_wsgi
    daemon starts the app, and, when the app had not read its config by then, one GET of the health path before
    any post-deploy command (an app may read it at its first request); the rest is not watched."""

    def __init__(self, package=""):
        self.on, self.opened, self.databases, self.unset = False, [], [], []
        self.package, self.environ, self.hooked = package, type(os.environ), False

    def asked_by_the_app(self):
        """Whether the code looking up an environment variable (the first frame outside ``os`` and the mapping
        ABCs) is a module of the app's own package."""
        try:
            frame = sys._getframe(2)
            while frame is not None and frame.f_globals.get("__name__") in ("os", "_collections_abc",
                                                                             "collections.abc"):
                frame = frame.f_back
            name = str(frame.f_globals.get("__name__", "")) if frame is not None else ""
        except Exception:  # noqa: BLE001 - a watcher never fails the app's own lookup
            return False
        return bool(self.package) and (name == self.package or name.startswith(self.package + "."))

    def hook(self, event, args):
        if not self.on:
            return
        try:
            if event == "open" and args and not isinstance(args[0], int) and reading(*args[1:3]):
                self.opened.append(os.path.abspath(os.fsdecode(os.fspath(args[0]))))
            elif event == "sqlite3.connect" and args and not isinstance(args[0], int):
                self.databases.append(os.fsdecode(os.fspath(args[0])))
        except Exception:  # noqa: BLE001 - a watcher never fails the app's own call
            pass

    def watch(self):
        """Start recording (hooks installed once per process: an audit hook cannot be removed)."""
        if not self.hooked:  # once per process
            self.hooked = hasattr(sys, "addaudithook")  # Python >= 3.8; else nothing is known, nothing refused
            if self.hooked:
                sys.addaudithook(self.hook)
        start, self.environ = self, type(os.environ)

        class Environ(self.environ):  # os.environ as it is, noting the names asked for and not set
            def __getitem__(self, key):
                try:
                    return super().__getitem__(key)
                except KeyError:
                    if start.on and key not in start.unset and start.asked_by_the_app():
                        start.unset.append(key)
                    raise

        try:
            os.environ.__class__ = Environ
        except TypeError:  # an interpreter whose os.environ is not the stdlib's class: no names, the rest stays
            pass
        self.on = True

    def stop(self):
        self.on = False
        if type(os.environ) is not self.environ:
            os.environ.__class__ = self.environ  # as it was: nothing of the watch stays but the (idle) hook

    def facts(self, app, config):
        """The ``started`` mark: ``read``: the app opened ``config`` (the same file, whatever path or link it went
        through; None without a config, or without audit hooks to tell); ``tried``: files it opened that do not
        exist (where it looked instead); ``unset``; ``databases``: the SQLite files it connected to and, for
        Django, the ones its settings name; ``framework``: ``django``, ``flask`` or ``""``."""
        framework, databases = "", list(self.databases)
        if "django.conf" in sys.modules:
            framework = "django"
            try:
                from django.conf import settings
                databases += [str(db["NAME"]) for db in settings.DATABASES.values()
                              if "sqlite" in str(db.get("ENGINE", "")) and db.get("NAME")]
            except Exception:  # noqa: BLE001 - settings that do not load: no names rather than a wrong one
                pass
        elif hasattr(app, "url_map") and hasattr(app, "config"):
            framework = "flask"
        tried = []
        for path in self.opened:  # (a missing .pyc is the import system's cache probe, not the app looking)
            if path not in tried and not path.endswith(".pyc") and not os.path.exists(path):
                tried.append(path)
        read = None
        if config and self.hooked:
            read = False
            for path in set(self.opened):
                try:
                    read = read or os.path.samefile(path, config)
                except OSError:
                    continue
        files = []  # (":memory:" and "file:" URIs are no file of the app's)
        for db in databases:
            if db and db != ":memory:" and not db.startswith("file:") and os.path.abspath(db) not in files:
                files.append(os.path.abspath(db))
        return {"read": read, "tried": tried[:5], "unset": self.unset[:10], "framework": framework,
                "databases": files[:5]}


def written_settings(app):
    """``[setting, path]`` of the places the app's framework writes files to, as the app's own settings name them
    (none set: nothing): Django's ``MEDIA_ROOT`` (uploads), ``FILE_UPLOAD_TEMP_DIR``, a file-based cache's
    ``LOCATION``, ``SESSION_FILE_PATH`` of file sessions, ``EMAIL_FILE_PATH`` of the file e-mail backend; Flask's
    ``UPLOAD_FOLDER`` (its docs' uploads pattern). Read once the app has started; nothing is written."""
    found = []
    try:
        if "django.conf" in sys.modules:
            from django.conf import settings
            found += [("MEDIA_ROOT", settings.MEDIA_ROOT), ("FILE_UPLOAD_TEMP_DIR", settings.FILE_UPLOAD_TEMP_DIR)]
            found += [("CACHES[%r] LOCATION" % name, cache.get("LOCATION")) for name, cache in settings.CACHES.items()
                      if "FileBasedCache" in str(cache.get("BACKEND", ""))]
            if str(settings.SESSION_ENGINE).endswith(".file"):
                found.append(("SESSION_FILE_PATH", settings.SESSION_FILE_PATH))
            if "filebased" in str(settings.EMAIL_BACKEND):
                found.append(("EMAIL_FILE_PATH", getattr(settings, "EMAIL_FILE_PATH", None)))
        elif hasattr(app, "url_map") and hasattr(app, "config"):
            found.append(("UPLOAD_FOLDER", app.config.get("UPLOAD_FOLDER")))
    except Exception:  # noqa: BLE001 - settings that do not load: no places rather than a wrong one
        return []
    return [[name, os.fsdecode(os.fspath(path))] for name, path in found if isinstance(path, (str, bytes, os.PathLike))
            and os.fspath(path)]


def misplaced(places, release):
    """``[setting, path, why]`` of each place (:func:`written_settings`) the app cannot keep its files in: ``inside``
    the release dir ``release`` (every release replaces it; its links to ``shared/`` lead out of it), or ``denied:
    DIR`` (the nearest existing dir of the path is not the app user's to write: this program runs as that user)."""
    top, found = os.path.realpath(release), []
    for name, path in places:
        real = os.path.realpath(path)  # (relative: to the working dir, the release dir, as the daemon's)
        if real == top or real.startswith(top.rstrip("/") + "/"):
            found.append([name, real, "inside"])
            continue
        existing = real
        while not os.path.exists(existing) and os.path.dirname(existing) != existing:
            existing = os.path.dirname(existing)
        if not os.access(existing, os.W_OK | os.X_OK):
            found.append([name, real, "denied: " + existing])
    return found


def public_key(app, package):
    """``[setting, file, line]`` when the started app's signing key (Flask's ``SECRET_KEY``, Django's) is a string
    written in its own code: a ``.py`` file of its package (a single module: that file) or of Django's settings
    module. Anyone who reads the code (the wheel, the repository) can then forge its sessions, signed cookies and
    tokens: a factory's ``SECRET_KEY="dev"``, startproject's ``django-insecure-...``, that the config never
    replaced. ``[]`` otherwise; the key itself is never reported."""
    try:
        if "django.conf" in sys.modules:
            from django.conf import settings
            key = settings.SECRET_KEY
            mods = [package, os.environ.get("DJANGO_SETTINGS_MODULE", "")]
        elif hasattr(app, "url_map") and hasattr(app, "config"):
            key, mods = app.config.get("SECRET_KEY"), [package]
        else:
            return []
    except Exception:  # noqa: BLE001 - settings that do not load: nothing to judge
        return []
    key = key.decode("latin-1") if isinstance(key, bytes) else key
    if not isinstance(key, str) or not key:
        return []
    quoted = ('"%s"' % key, "'%s'" % key)
    files = []
    for name in mods:
        mod = sys.modules.get(name)
        for top in list(getattr(mod, "__path__", None) or []):
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                files += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py")]
        if getattr(mod, "__file__", None):
            files.append(mod.__file__)
    for path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, 1):
            if any(q in line for q in quoted):
                return ["SECRET_KEY", path, number]
    return []


def debug_mode(app):
    """``[setting, whose]`` when the started app runs in its framework's development mode, which that framework's
    deployment docs say never to serve: Django's ``DEBUG`` (its 404 and 500 pages show the URL patterns, the
    settings and a traceback with local variables to anyone), Werkzeug's ``DebuggedApplication`` around the app or
    its ``wsgi_app`` (a console that runs any Python sent to it), Flask's ``DEBUG``, Bottle's ``debug(True)``
    (tracebacks in error pages). Read from the started app, as the servers' config left it. ``[]`` otherwise."""
    try:
        if "django.conf" in sys.modules:
            from django.conf import settings
            if settings.DEBUG:
                return ["DEBUG", "Django's settings %s" % os.environ.get("DJANGO_SETTINGS_MODULE", "")]
            return []
        debugger = getattr(sys.modules.get("werkzeug.debug"), "DebuggedApplication", None)
        if debugger is not None and any(isinstance(a, debugger) for a in (app, getattr(app, "wsgi_app", None))):
            return ["DebuggedApplication", "Werkzeug's interactive debugger, around the entry point"]
        if hasattr(app, "url_map") and hasattr(app, "config") and app.config.get("DEBUG"):
            return ["DEBUG", "Flask's config"]
        if getattr(sys.modules.get("bottle"), "DEBUG", False) is True:
            return ["debug", "Bottle's bottle.debug(True)"]
    except Exception:  # noqa: BLE001 - settings that do not load: nothing to judge
        return []
    return []


def reading(mode=None, flags=0):
    """Whether an ``open`` audit event opens for reading: ``mode`` as ``open()`` takes it (``r``, ``rb``; None for
    ``os.open``), else the ``flags``' access mode. Files the app creates or writes are no place it looked."""
    if isinstance(mode, str):
        return "r" in mode and "+" not in mode
    return isinstance(flags, int) and flags & 3 == os.O_RDONLY


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


LOCATION: list[str] = []  # the last answer's Location header


def print_exception(sender=None, **kwargs):
    traceback.print_exc(file=sys.stderr)


def show_errors():
    """Django answers an exception in a view with a 500 and, DEBUG off, logs it nowhere this output sees (its
    ``django.request`` logger's console handler requires DEBUG; the other mails admins): print it, as Flask's,
    Bottle's and Falcon's own handlers write theirs to ``wsgi.errors``, so a refused release names its error."""
    if "django.core.signals" in sys.modules:
        from django.core.signals import got_request_exception

        got_request_exception.connect(print_exception, dispatch_uid="deploytests-preflight")


def get(app, path, host):
    """GET ``path`` (with its query) from the WSGI ``app`` in-process: the status line, or None (a redirect's
    ``Location`` is kept in ``LOCATION``)."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": host,
               "SERVER_NAME": host, "SERVER_PORT": "80"}
    setup_testing_defaults(environ)
    environ["wsgi.errors"] = sys.stderr  # the app's error log (its traceback) goes to the output we report
    seen = []

    def start_response(status, headers, exc_info=None):
        seen.append(status)
        LOCATION[:] = [v for k, v in headers if k.lower() == "location"][:1]
        return lambda data: None

    show_errors()
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
                from django.urls import get_resolver

                facts["routes"] = django_routes(get_resolver().url_patterns, "/")
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
                facts["routes"] = [r.rule for r in app.url_map.iter_rules()
                                   if not r.arguments and "GET" in (r.methods or ()) and r.endpoint != "static"]
            except Exception:  # noqa: BLE001 - a redirect, a method not allowed: the path is a route
                facts["route"] = True
    except Exception:  # noqa: BLE001 - whatever the app's settings hold: no facts rather than a wrong one
        return {}
    if "routes" in facts:  # the ones ending like path first (a prefix the path lacks), a few
        last = path.rstrip("/").rpartition("/")[2]
        facts["routes"] = sorted(facts["routes"], key=lambda r: r.rstrip("/").rpartition("/")[2] != last)[:8]
    return facts


def django_routes(patterns, prefix):
    """The paths of Django URL patterns (``include()``s walked) that take no argument."""
    found = []
    for p in patterns:
        text = str(getattr(p, "pattern", ""))
        if "<" in text or "(" in text or "[" in text:  # a converter or a regex group: takes an argument
            continue
        text = text.lstrip("^").rstrip("$")
        if hasattr(p, "url_patterns"):
            found += django_routes(p.url_patterns, prefix + text)
        else:
            found.append(prefix + text)
    return found


def terminated(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through spawn.run's and main's clean-up


def main(argv):
    module, attr, call, path, host = argv[:5]
    commands = json.loads(argv[5])
    own = json.loads(argv[6])
    os.environ.update(own)
    timeout = float(argv[7])
    config = argv[8] if len(argv) > 8 else ""
    if len(argv) > 9 and argv[9]:  # config_as_env: the config is the app's environment, read here, not by the app
        spawn.load_env_file(argv[9], keep=set(own))
        config = ""
    os.umask(0o007)  # as the mod_wsgi daemon: files the app creates are not world-readable
    signal.signal(signal.SIGTERM, terminated)
    spawn.subreaper()
    before = spawn.children()
    env, cwd = dict(os.environ), os.getcwd()  # what post_deploy commands get, whatever the import changes
    try:
        return check(module, attr, call, path, host, commands, env, cwd, timeout, config)
    finally:
        sys.stdout.flush()
        strays = spawn.sweep((), before)  # what the app's import or health route started and left running
        if strays:
            mark(left=[list(item) for item in strays])


def check(module, attr, call, path, host, commands, env, cwd, timeout, config=""):
    start = Start(module.split(".")[0])
    start.watch()
    try:
        app = load_app(module, attr, call)
    except BaseException:
        mark(started=start.facts(None, config))  # what it did before it failed (a database it could not open)
        raise
    finally:
        start.stop()
    started = start.facts(app, config)
    if started["read"] is False and path:  # it may read it at its first request: one GET, watched, its answer not
        start.watch()                      # judged (no post-deploy command has run yet: no migration)
        sys.stdout.flush()
        sys.stderr.flush()
        saved, quiet = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)  # what it writes (a traceback: no table yet) is not this check's to report
        try:
            get(app, path, host)
        except Exception:  # noqa: BLE001 - judged after post_deploy, by the health GET itself
            pass
        finally:
            start.stop()
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            os.close(quiet)
        started = start.facts(app, config)
    started["misplaced"] = misplaced(written_settings(app), cwd)
    started["public_key"] = public_key(app, module.split(".")[0])
    started["debug"] = debug_mode(app)
    mark(started=started)
    if started["read"] is False:
        print("preflight: the app started%s without opening its config %s" % (
            " and answered GET %s" % path.partition("?")[0] if path else "", config))
        return CONFIG_UNREAD
    if started["misplaced"]:
        print("preflight: %s is %s, where the app user cannot keep files" % tuple(started["misplaced"][0][:2]))
        return MISPLACED
    if started["public_key"]:
        print("preflight: the app's %s is written in its code, %s:%d" % tuple(started["public_key"]))
        return PUBLIC_KEY
    if started["debug"]:
        print("preflight: the app runs in debug mode: %s is on (%s)" % tuple(started["debug"]))
        return DEBUG_MODE
    mark(phase="import")
    leftovers = post_deploy(commands, env, cwd, timeout)
    if leftovers is None:
        return FAILED
    if commands:
        mark(phase="post_deploy", left=leftovers)
    if not path:
        return 0
    start.watch()  # the app may connect its database at its first request (SQLAlchemy's engine does)
    try:
        status = get(app, path, host)
    finally:
        start.stop()
        if start.databases != started["databases"]:
            mark(started=start.facts(app, config))  # the database it could not open, for the agent's hint
    facts = routing(app, path, host) if status and status[:1] == "4" else {}
    if status and status[:1] == "3" and LOCATION:
        facts["location"] = LOCATION[0][:300]
    mark(health=status or "", **facts)  # the status line and facts, for the agent's hint on a 4xx
    print("preflight: GET %s -> %s" % (path.partition("?")[0], status or "no response"))
    return 0 if status and status.startswith("200") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
