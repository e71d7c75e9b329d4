"""``deploytests init``: the starter files of a project that deploys with deploytests.

In a Flask project's directory it writes, never over an existing file:

- ``deploy.toml``: app name and entry point detected from the project (a ``create_app`` factory or a module-level
  ``app = Flask(...)``), the config env var it reads (``from_envvar("...")``) with the config file uploaded for it,
  a health route and the instance folder kept across releases when the code shows them; every key commented. A
  detected ``init-db`` command is written commented out: post_deploy runs on every deploy against the live data,
  and reading the code cannot show that a command is safe to repeat (a ``DROP TABLE`` in the project is named);
- ``config/deploy.cfg``: a commented config file, only when the app reads a config env var and the project has no
  config file init could name (``config/*.cfg`` and the like);
- ``targets.toml``: an example inventory (the docker target, a staging target with every key explained);
- ``fabfile.py``: one import line (the recipe's ``fab`` tasks);
- ``tests/deploy/test_deploy.py``: an example deploy test (``deploy_http`` with a POST, ``deploy_host``);
- the pytest ini keys (``[tool.pytest.ini_options]`` in ``pyproject.toml`` when the project has no pytest
  configuration yet; otherwise they are printed to be added by hand; :func:`ini_keys`),
- the project's packaging, when it has none: Django's packages, else the entry point's module or package
  (:func:`packaging`),

then prints what to do next. An app using the instance folder without passing ``instance_path=`` to
``Flask(...)`` gets a warning (printed and in deploy.toml): installed, Flask's default instance path lies inside
the release's venv. Every free text in deploy.toml (notes, warnings) is written by :func:`comment`. A kept
deploy config is summarised as it is (``load_config``), never with the notes of the file init would have
written. :func:`detect` is the pure part (reads files, writes nothing).
"""

from __future__ import annotations

import ast
import errno
import functools
import json
import mimetypes
import os
import re
import tomllib
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import PLACEHOLDER, DeployConfig, env_problem, has_table, load_config
from .errors import ConfigError
from .pipeline.programs.spawn import env_lines
from .schema import regular_bytes, toml_loads, within

SKIP = {"tests", "test", "docs", "doc", "build", "dist", "venv", ".venv", "node_modules", "migrations", "instance"}
TOOLS = ("setup", "fabfile", "conftest", "noxfile", "manage")  # top-level modules that are no part of the app
# calls whose first argument is a file to read: a config file's path, when it comes from the environment
# what opens the file its first argument names (the frameworks' and libraries' config loaders too: Bottle's
# ConfigDict.load_config, python-dotenv, runpy); what keeps a path a path (no file opened); a Path's opening methods
FILE_CALLS = {"open", "from_pyfile", "from_file", "read_text", "read", "read_file", "load", "exec_file",
              "load_config", "load_dotenv", "dotenv_values", "run_path"}
PATH_CALLS = {"Path", "PurePath", "abspath", "expanduser", "realpath", "normpath", "resolve", "absolute"}
OPEN_METHODS = {"open", "read_text", "read_bytes"}
SECRET_NAME_RE = re.compile(r"SECRET|PASSW|PWD|TOKEN|KEY|AUTH|CRED|PRIVATE|SALT|DSN|DATABASE_URL")
SIGNING_KEY_RE = re.compile(r"SECRET_KEY$|SALT$")  # a key the app only signs with: any random value serves it
FLASK_IMPORT_RE = re.compile(r"^\s*(?:from\s+flask\s+import|import\s+flask\b)", re.M)
FACTORIES = ("create_app", "make_app")
APP_RE = re.compile(r"^(\w+)\s*=\s*(?:flask\.)?Flask\(", re.M)
ENVVAR_RE = re.compile(r"""from_envvar\(\s*["']([A-Z_][A-Z0-9_]*)["']"""
                       r"""|(?:environ\.get\(|environ\[|getenv\()\s*["']([A-Z_][A-Z0-9_]*_CONFIG)["']""")
# a health route by the names in use: Kubernetes' probes (livez, readyz), Rails' /up, load balancers' heartbeat ...
HEALTH_ROUTES = ("health", "healthz", "healthcheck", "health-check", "health_check", "_health", "livez", "readyz",
                 "ready", "alive", "up", "heartbeat", "ping", "status")
_HEALTH = "|".join(re.escape(name) for name in HEALTH_ROUTES)
ROUTE_RE = re.compile(rf"""\.(?:route|get)\(\s*["'](/(?:{_HEALTH}))["']""")
# Django: manage.py names the settings module; urls.py's path("health/", ...); wsgi.py's application
SETTINGS_RE = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w.]*)["']""")
ROOT_URLCONF_RE = re.compile(r"""^ROOT_URLCONF\s*=\s*["']([A-Za-z_][\w.]*)["']""", re.M)
DJANGO_ROUTE_RE = re.compile(rf"""\bpath\(\s*["']((?:{_HEALTH})/?)["']""")
STATIC_URL_RE = re.compile(r"""^STATIC_URL\s*=\s*["']/?([\w/-]*?)/?["']""", re.M)
MEDIA_URL_RE = re.compile(r"""^MEDIA_URL\s*=\s*["']/?([\w/-]*?)/?["']""", re.M)
# a static files storage that reads its manifest (staticfiles.json in STATIC_ROOT) at run time: Django's, whitenoise's
MANIFEST_RE = re.compile(r"Manifest\w*StaticFilesStorage|whitenoise\.storage\.Compressed\w*")
ADMIN_RE = re.compile(r"""["']django\.contrib\.admin["']""")
# Flask's from_prefixed_env(prefix="FLASK"): the secret key it reads is <prefix>_SECRET_KEY
PREFIXED_ENV_RE = re.compile(r"""from_prefixed_env\(\s*(?:(?:prefix\s*=\s*)?["']([A-Za-z_]\w*)["'])?""")
PYFILE_RE = re.compile(r"""from_pyfile\(\s*["']([\w.-]+)["']""")  # Flask: a config file in the instance folder
# plain WSGI: the standard name first (mod_wsgi's default), then the common one
WSGI_NAMES = ("application", "app")
PLAIN_ROUTE_RE = re.compile(rf"""["'](/(?:{_HEALTH}))/?["']""")
COMMAND_RE = re.compile(r"""\.command\(\s*["']((?:init|create)[-_]?db)["']""")
INSTANCE_RE = re.compile(r"instance_relative_config\s*=\s*True|instance_path")
USES_INSTANCE_RE = re.compile(r"instance_relative_config\s*=\s*True|\.instance_path\b")
FLASK_CALL_RE = re.compile(r"\bFlask\(")
INSTANCE_ARG_RE = re.compile(r"\binstance_path\s*=")
DROP_RE = re.compile(r"\bDROP\s+TABLE\b", re.I)
CONFIG_DIRS = ("config", "conf", "etc")
SYSTEM_ENV_RE = re.compile(r"TMPDIR$|TEMP$|TMP$|XDG_")  # dirs every library shares: never set to the app's data
CONFIG_SUFFIXES = (".cfg", ".py", ".conf", ".ini", ".toml", ".json")  # what CONFIG_FORMATS' readers parse
CONFIG_PREFERRED = ("deploy", "production", "prod", "docker", "staging")  # the first found is named
CONFIG_DEVELOPERS = ("development", "dev", "local", "test", "testing")  # the developer's and the tests': never named
PYTEST_INI = ("pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg")

_PROJECT: ContextVar[Path | None] = ContextVar("project", default=None)  # the project init or the gate reads


def _in_project(fn):
    """``fn(root, ...)`` with ``root`` the project every read and write of init's lies in (:func:`_inside`)."""
    @functools.wraps(fn)
    def run(root, *args, **kwargs):
        token = _PROJECT.set(Path(root).resolve())
        try:
            return fn(root, *args, **kwargs)
        finally:
            _PROJECT.reset(token)
    return run


def _inside(path: Path) -> Path:
    """``path`` when its real path lies in the project's (:func:`~deploytests.schema.within`), else a one-line
    ConfigError: a repository's link leading out names a file of this machine, which init and the gate's warnings
    neither read nor write (``pyproject.toml`` linked to a missing ``~/.bash_login``: init made it, its packaging
    tables in it, a requirement line's ``$(...)`` among them, run by bash at the next login)."""
    root = _PROJECT.get()
    if root is None or within(path, root):  # (None: a helper called alone, as the unit tests do)
        return path
    raise ConfigError(f"{path} leads out of the project {root} (to {os.path.realpath(path)}): neither read nor written",
                      hint="a link of the repository's leading out of it names a file of this machine, not of the "
                           "project: make it a file or directory of the project")


def _text(path: Path, errors: str = "strict") -> str:
    """A file of the project as text, read as data: a regular file only, bounded (:func:`~deploytests.schema.
    regular_bytes`: a link of the repository's to ``/dev/zero`` or a FIFO is one line, not a hang), inside the
    project (:func:`_inside`)."""
    try:
        return regular_bytes(_inside(path)).decode("utf-8", errors)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EFBIG):  # (not there, not readable: the caller's case, as before)
            raise
        raise ConfigError(f"{path}: {exc.strerror}: not read", hint="a project's file init reads must be a regular "
                          "file of at most 4 MiB (a link to a device or a FIFO is not read)") from None



@dataclass
class Detected:
    """What :func:`detect` found in a project; ``notes`` say what was guessed (printed and in comments)."""

    name: str
    app: str
    entry_point: str
    config_env: str = ""
    health_path: str = ""
    health_get_only: bool = False  # health_path is a route found in the code that answers GET only (a POST: 405)
    post_deploy: list[str] = field(default_factory=list)
    shared_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    config_file: str = ""  # relative to the project: an existing config file, or a new one (new_config())
    new_config: bool = False  # config_file is new, init writes it (the project has no config file)
    drops_tables: list[str] = field(default_factory=list)  # project files with a DROP TABLE
    default_instance: str = ""  # the module whose Flask(...) uses the instance folder at Flask's default path
    framework: str = "flask"  # flask, django or wsgi (plain)
    env: dict[str, str] = field(default_factory=dict)
    static: dict[str, str] = field(default_factory=dict)  # URL prefix -> dir of the project
    build: list[str] = field(default_factory=list)
    post_deploy_safe: bool = False  # post_deploy is a migration tool (idempotent): written active
    settings: str = ""  # Django's settings module
    config_path: str = ""  # where the app reads its config on the server, when not through config_env
    config_format: tuple[str, ...] = ()  # (format, a commented example): config_format()
    config_note: str = "the instance folder's config (from_pyfile), in shared/instance"  # config_path's comment
    config_as_env: bool = False  # config_file is an env file (NAME=value) the app gets as its environment
    env_names: list[str] = field(default_factory=list)  # the variables the app reads: the env file's lines
    env_values: dict[str, str] = field(default_factory=dict)  # those whose value init knows (data_places)
    places: dict[str, str] = field(default_factory=dict)  # the variables placing the app's data: their place
    config_values: dict[str, str] = field(default_factory=dict)  # "[section] key" of its INI config -> its place
    written_module: tuple[str, ...] = ()  # (project-relative path, text) of a module init writes


def flask_calls(text: str) -> list[str]:
    """The argument text of each ``Flask(...)`` call in ``text`` (parentheses balanced, so nested calls stay in)."""
    calls = []
    for m in FLASK_CALL_RE.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        calls.append(text[m.end():i - 1])
    return calls


def kept_instance(d: Detected) -> str:
    """The shared path of Flask's default instance folder of an installed package, ``venv/var/<name>-instance``
    under the release (Flask: ``<prefix>/var/<import name>-instance``), or "" when the app passes one."""
    return f"venv/var/{d.default_instance}-instance" if d.default_instance else ""


def instance_note(d: Detected) -> list[str]:
    """Where Flask's default instance folder is on a server and how deploy.toml keeps it (lines of at most ~110
    characters; printed joined, written as deploy.toml comments). Empty when the app passes instance_path=."""
    if not (kept := kept_instance(d)):
        return []
    return [f"{d.default_instance} uses Flask's default instance folder (no instance_path= in Flask(...)): installed, "
            "as on the servers,",
            f"that is <release>/{kept}, inside each release; shared_paths lists {kept!r}:",
            f"every release links it to /var/www/{d.app}/shared/{kept}, kept across releases and rollbacks",
            '(or pass instance_path=os.path.abspath("instance") to Flask(...) and list "instance" instead).']


@_in_project
def gate_warnings(root: Path) -> list[str]:
    """What init warned about, read again from the project's source at every gate run (nothing imported): an app
    whose code uses Flask's default instance folder, which on a server lies inside the release's venv, while
    deploy.toml does not keep it in shared/ (its deploy is refused when a config is installed: the app never
    opens it). One line per warning; none for a project that cannot be read."""
    try:
        d = detect(Path(root))
    except (OSError, ValueError, ConfigError):  # (a file that is no regular file: not read)
        return []
    try:
        cfg = load_config(Path(root))
    except (ConfigError, OSError, ValueError):  # a deploy.toml that does not load is said by the run itself
        cfg = None
    found = []
    if (kept := kept_instance(d)) and kept not in (cfg.shared_paths if cfg else ()):
        found.append(f"WARNING {d.default_instance} uses Flask's default instance folder (no instance_path= in "
                     f"Flask(...)): on the servers that is <release>/{kept}, not the deployed config or "
                     "shared/instance; a deploy with a config_file is refused (the app never opens it), and "
                     f"without one the app's data has nowhere to go: list {kept!r} in deploy.toml's "
                     "shared_paths (`deploytests init` explains)")
    return found + (unset_places(cfg, d) if cfg else [])


def unset_places(cfg: DeployConfig, d: Detected) -> list[str]:
    """A warning naming the variables that place the app's data (:func:`written_places`) which deploy.toml (``cfg``)
    sets neither in ``env`` nor in its env file (``config_as_env``): on the servers they take their default, in
    the release. None when its env file cannot be read."""
    try:
        env_file = cfg.config_file if cfg.config_as_env and cfg.config_file and cfg.config_file.is_file() else None
        in_file = {n for n, _ in env_lines(_text(env_file))} if env_file else set()
    except (OSError, ValueError):
        return []
    unset = {var: value for var, value in d.places.items() if var not in cfg.env_vars and var not in in_file}
    if not unset:
        return []
    where = f"deploy.toml's env file ({env_file.name})" if env_file else "deploy.toml's env"
    lines = (f"a line {var}={value}" if env_file else f"{var} = \"{value}\"" for var, value in unset.items())
    return [f"WARNING {', '.join(unset)} place{'s' if len(unset) == 1 else ''} the app's data (its code writes "
            f"there) and {where} does not set {'it' if len(unset) == 1 else 'them'}: on the servers the default "
            "lies in the release, which the app user cannot write and every release replaces: set "
            + ", ".join(lines) + f" in {where}" + listed(cfg, unset.values())]


def listed(cfg: DeployConfig, places) -> str:
    """The shared paths the places (``/var/www/<app>/shared/<dir>/...``) need that deploy.toml does not list (the
    deploy makes only those: a place in another dir of shared/ does not exist on the servers), as a clause."""
    shared = f"{cfg.root}/shared/"
    dirs = sorted({v[len(shared):].split("/")[0] for v in places if v.startswith(shared) and v[len(shared):]}
                  - set(cfg.shared_paths))
    return f", and list {', '.join(map(repr, dirs))} in deploy.toml's shared_paths" if dirs else ""


def _backend_metadata(have: dict) -> dict:
    """The metadata table a build backend reads instead of ``[project]``: poetry-core's ``[tool.poetry]``,
    flit's ``[tool.flit.metadata]`` (its distribution named by ``dist-name``, else ``module``)."""
    tool = have.get("tool", {})
    flit = tool.get("flit", {}).get("metadata", {})
    return tool.get("poetry") or ({"name": flit.get("dist-name") or flit.get("module")} if flit else {})


def _packaged_by_backend(have: dict) -> bool:
    """Whether pyproject.toml's build backend packages the project without ``[project]``: every backend but
    setuptools' reads tables of its own (poetry-core, flit, an in-tree one) or refuses to build, never falling
    back, as setuptools does, to a nameless distribution that tables init writes could name."""
    backend = have.get("build-system", {}).get("build-backend", "")
    return bool(_backend_metadata(have)) or bool(backend) and not backend.startswith("setuptools")


def project_name(root: Path) -> str:
    """The distribution name: ``[project].name`` of pyproject.toml (or its build backend's own table's),
    ``name=`` in setup.py/setup.cfg, else the directory's name."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            have = toml_loads(_text(pyproject))
            name = have.get("project", {}).get("name") or _backend_metadata(have).get("name")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            name = None
        if isinstance(name, str) and name:
            return name
    candidates = ((root / "setup.cfg", r"^name\s*=\s*(\S+)"), (root / "setup.py", r"""name\s*=\s*["']([^"']+)"""))
    for path, pattern in candidates:
        if path.is_file():
            match = re.search(pattern, _text(path, "replace"), re.M)
            if match:
                return match.group(1)
    return root.resolve().name


def app_name(name: str) -> str:
    """A valid ``app`` (``[a-z][a-z0-9_]{0,31}``) from a distribution or directory name."""
    app = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    if not app or not app[0].isalpha():
        app = "app_" + app
    return app[:32].rstrip("_")


def modules(root: Path):
    """``(dotted module name, path)`` of the project's importable code, wherever the build backends ship it
    from: in ``src/`` (the src layout) and the project dir (the flat one), packages at any depth (each one's
    ``__init__`` first, then its modules, then its subpackages) then single modules (``src/app.py``, ``app.py``);
    tests and tools skipped. Under ``src/`` a directory without ``__init__.py`` is a namespace package (PEP 420:
    ``src/acme/inventory/``); in the project dir it is a plain folder (scripts, assets), not code."""
    bases = [root / "src", root] if (root / "src").is_dir() else [root]
    found: list[tuple[str, Path]] = []

    def package(pkg: Path, dotted: str, src: bool) -> None:
        if (pkg / "__init__.py").is_file():
            found.append((dotted, pkg / "__init__.py"))
        found.extend((f"{dotted}.{m.stem}", m) for m in sorted(pkg.glob("*.py"))
                     if m.stem != "__init__" and m.stem.isidentifier())
        for sub in _package_dirs(pkg, src):
            package(sub, f"{dotted}.{sub.name}", src)

    for base in bases:
        for pkg in _package_dirs(base, base != root):
            package(pkg, pkg.name, base != root)
    for base in bases:
        found += [(m.stem, m) for m in sorted(base.glob("*.py"))
                  if m.stem.isidentifier() and m.stem not in TOOLS and not m.stem.startswith("test")]
    return found


def _package_dirs(base: Path, src: bool) -> list[Path]:
    """The package dirs right under ``base``: with an ``__init__.py``, or (under ``src/``) any identifier-named
    dir holding Python code somewhere below (a namespace package); tests, tools and data dirs skipped."""
    return sorted(p for p in base.iterdir() if p.is_dir() and p.name not in SKIP and p.name.isidentifier()
                  and ((p / "__init__.py").is_file() or (src and next(p.rglob("*.py"), None) is not None)))


def namespace_top(root: Path, top: str) -> bool:
    """Whether ``top`` is a namespace package of the src layout (no ``__init__.py``): a name many projects share."""
    return (root / "src" / top).is_dir() and not (root / "src" / top / "__init__.py").is_file()


def factory(text: str) -> str | None:
    """The app factory ``text`` (Python source) defines at its top, ``create_app``/``make_app``, when it can be
    called with no argument (``entry_point = "mod:create_app()"``); one that needs arguments is no entry point
    (the module-level app it builds may be)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return next((f.name for f in tree.body if isinstance(f, ast.FunctionDef) and f.name in FACTORIES
                 and len(f.args.defaults) == len(f.args.posonlyargs + f.args.args)
                 and all(d is not None for d in f.args.kw_defaults)), None)


def _wsgi_args(f: ast.FunctionDef, method: bool = False) -> bool:
    """Whether ``f`` takes a WSGI call's two arguments, ``(environ, start_response)`` (after ``self``)."""
    names = [a.arg for a in f.args.posonlyargs + f.args.args][1 if method else 0:]
    return len(names) == 2 and names[1] == "start_response"


def wsgi_callable(text: str) -> str | None:
    """The WSGI callable ``text`` (Python source) defines at its top, by its shape whatever its name (PEP 3333's
    ``simple_app``): a function of ``(environ, start_response)``, or a module-level instance of a class whose
    ``__call__`` takes them."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    funcs = [f.name for f in tree.body if isinstance(f, ast.FunctionDef) and _wsgi_args(f)]
    classes = {c.name for c in tree.body if isinstance(c, ast.ClassDef) and any(
        isinstance(f, ast.FunctionDef) and f.name == "__call__" and _wsgi_args(f, method=True) for f in c.body)}
    made = [t.id for a in tree.body if isinstance(a, ast.Assign) and isinstance(a.value, ast.Call)
            and isinstance(a.value.func, ast.Name) and a.value.func.id in classes
            for t in a.targets if isinstance(t, ast.Name)]
    return next(iter(funcs + made), None)


def blueprint_prefix(texts: dict[str, str], route: str) -> str:
    """The URL prefix of the Flask blueprint whose ``@bp.get("/health")`` is ``route`` (its text): the
    ``url_prefix=`` of its ``Blueprint(...)``, else of the ``register_blueprint(...)`` naming that module's object
    (``main.bp``, ``from .main import bp as main_bp``: the tutorial names every module's blueprint ``bp``); "" for
    the app's own routes."""
    for mod, text in texts.items():
        if (at := text.find(route)) < 0:
            continue
        var = re.search(r"(\w+)\s*$", text[:at])
        made = re.search(rf"^{var.group(1)}\s*=\s*(?:flask\.)?Blueprint\(([^)]*)\)", text, re.M) if var else None
        if var is None or made is None:
            return ""
        prefix = re.search(r"""url_prefix\s*=\s*["']([^"']*)["']""", made.group(1))
        named = (mod, var.group(1))
        own = prefix.group(1) if prefix else next(
            (p for here, t in texts.items() for at_, p in _registered(t, here, texts) if at_ == named), "")
        return own.rstrip("/")
    return ""


def _registered(text: str, here: str, texts: dict[str, str]):
    """``((module, name), url_prefix)`` of each ``register_blueprint(X, url_prefix=...)`` in module ``here``'s
    ``text``: X resolved through the module's imports to the module defining it and its name there."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    package = here if any(k.startswith(here + ".") for k in texts) else here.rpartition(".")[0]
    names: dict[str, tuple[str, str | None]] = {}  # local name -> (module, attr) or (module, None) for a module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name.split(".")[0]] = (a.name if a.asname else a.name.split(".")[0], None)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]) if node.level else ""
            origin = ".".join(p for p in (base, node.module or "") if p)
            for a in node.names:
                sub = f"{origin}.{a.name}" if origin else a.name
                names[a.asname or a.name] = (sub, None) if sub in texts else (origin, a.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args \
                and node.func.attr == "register_blueprint":
            prefix = next((k.value.value for k in node.keywords if k.arg == "url_prefix"
                           and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)), "")
            yield _named(node.args[0], here, names), prefix


def _named(expr: ast.expr, here: str, names: dict[str, tuple[str, str | None]]) -> tuple[str, str] | None:
    """The ``(module, name)`` an expression naming a module's object (``bp``, ``api.bp``, ``pkg.api.bp``) stands for."""
    if isinstance(expr, ast.Name):
        module, attr = names.get(expr.id, (here, expr.id))
        return (module, attr) if attr else None
    path: list[str] = []
    while isinstance(expr, ast.Attribute):
        path.insert(0, expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name) or not path:
        return None
    module, attr = names.get(expr.id, (expr.id, None))
    return (".".join([module, *([attr] if attr else []), *path[:-1]]), path[-1])


def _own_nodes(scope: ast.AST):
    """The nodes of ``scope`` (a module or function) outside the functions and classes it defines: one scope's
    names."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def env_reads(text: str) -> list[str]:
    """Every environment variable ``text`` (Python source) reads by name, in order; empty when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found = sorted((node.lineno, node.col_offset, var) for node in ast.walk(tree)
                   if isinstance(node, (ast.Call, ast.Subscript)) and (var := _env_read(node)))
    return list(dict.fromkeys(var for _, _, var in found))


def fixed_sqlite(text: str) -> int | None:
    """The line of Django settings' SQLite database whose ``NAME`` is not read from the environment (startproject's
    ``BASE_DIR / 'db.sqlite3'``), or None."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DATABASES" for t in node.targets) \
                and isinstance(node.value, ast.Dict):
            for db in node.value.values:
                keys = {k.value: v for k, v in zip(getattr(db, "keys", []), getattr(db, "values", []), strict=True)
                        if isinstance(k, ast.Constant)}
                engine, name = keys.get("ENGINE"), keys.get("NAME")
                if isinstance(engine, ast.Constant) and str(engine.value).endswith("sqlite3") and name is not None \
                        and not _env_in(name):
                    return name.lineno
    return None


def fixed_media_at(root: Path, settings: str, texts: dict[str, str], name: str = "MEDIA_ROOT") -> str | None:
    """``file:line`` of ``MEDIA_ROOT`` (or ``name``: ``STATIC_ROOT``) not read from the environment (Django's
    ``BASE_DIR / "media"``: in the release's venv on the servers), in the module of the settings chain that sets
    it last, or None."""
    for module in reversed(settings_chain(root, settings, texts)):
        try:
            tree = ast.parse(module_text(root, module, texts) or "")
        except (SyntaxError, ValueError):
            return None
        node = next((n for n in reversed(tree.body) if isinstance(n, ast.Assign)
                     and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)), None)
        if node is not None:
            return f"{module_file(root, module)}:{node.lineno}" if not _env_in(node.value) else None
    return None


def fixed_sqlite_at(root: Path, settings: str, texts: dict[str, str]) -> str | None:
    """``file:line`` of :func:`fixed_sqlite` in the module of the settings chain that sets ``DATABASES`` last (a
    split settings' ``prod.py`` may set it again over ``base.py``'s), or None."""
    for module in reversed(settings_chain(root, settings, texts)):
        text = module_text(root, module, texts) or ""
        if re.search(r"^DATABASES\s*=", text, re.M):
            line = fixed_sqlite(text)
            return f"{module_file(root, module)}:{line}" if line else None
    return None


def data_places(text: str, app: str) -> dict[str, str]:
    """The environment variables Django settings (``text``) place the app's data with, and where that data goes
    on the servers: ``MEDIA_ROOT`` read from one -> ``shared/media``; a SQLite database's ``NAME`` read from one
    -> ``shared/data/db.sqlite3`` (both shared paths init lists); and ``ALLOWED_HOSTS`` read from one ->
    ``localhost``, the Host the health GETs send (server_name's default; without it every request is a 400).
    Their defaults lie in ``BASE_DIR``: on the servers, the release's venv, which the app user may not write and
    every release replaces."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    shared, found = f"/var/www/{app}/shared", {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        if node.targets[0].id == "MEDIA_ROOT" and (var := _env_in(node.value)):
            found[var] = f"{shared}/media"
        if node.targets[0].id == "ALLOWED_HOSTS" and (var := _env_in(node.value)):
            found[var] = "localhost"  # the Host the gate's and the servers' health GETs send (server_name's default)
        if node.targets[0].id == "DATABASES" and isinstance(node.value, ast.Dict):
            for db in node.value.values:
                keys = {k.value: v for k, v in zip(getattr(db, "keys", []), getattr(db, "values", []), strict=True)
                        if isinstance(k, ast.Constant)}
                engine = keys.get("ENGINE")
                if (isinstance(engine, ast.Constant) and str(engine.value).endswith("sqlite3")
                        and (var := _env_in(keys.get("NAME")))):
                    found[var] = f"{shared}/data/db.sqlite3"
    return found


class Flow:
    """Where a path expression of the project's code comes from, across its modules: through names, config keys
    (``DATABASE=...``, ``config["DATABASE"]``, ``{"DATABASE": ...}``), attributes kept on ``self``, a function's
    parameters (bound to the arguments its callers pass, by position or keyword, else to its default; a class's
    to its ``__init__``'s), ``Path()``, ``os.path.join``, ``/`` and f-strings. A name is bound to its first
    binding: a reading of the code, not a proof."""

    def __init__(self, texts: list[str]):
        trees = []
        for text in texts:
            try:
                trees.append(ast.parse(text))
            except (SyntaxError, ValueError):
                pass
        self.nodes = [n for tree in trees for n in ast.walk(tree)]
        self.params: dict[int, str] = {}  # id() of a Name that is a parameter of an enclosing function -> key
        funcs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for tree in trees:
            self._scopes(tree, {}, funcs)
        self.bound: dict[str, ast.expr] = {}  # names, config keys, self.<attr>, <function>.<param> -> expression
        for n in self.nodes:
            if isinstance(n, ast.Assign) and len(n.targets) == 1:
                lhs = n.targets[0]
                key = lhs.id if isinstance(lhs, ast.Name) else _const_key(lhs.slice) \
                    if isinstance(lhs, ast.Subscript) else f"self.{lhs.attr}" \
                    if isinstance(lhs, ast.Attribute) and _callee(lhs.value) == "self" else None
                if key:
                    self.bound.setdefault(key, n.value)
            elif isinstance(n, ast.Call):
                self.bound.update({k.arg: k.value for k in n.keywords if k.arg and k.arg.isupper()})
                if (func := funcs.get(_callee(n.func))) is not None:
                    names = [a.arg for a in func.args.posonlyargs + func.args.args]
                    if names[:1] in (["self"], ["cls"]):
                        names = names[1:]
                    passed = [*zip(names, n.args, strict=False), *((k.arg, k.value) for k in n.keywords if k.arg)]
                    for name, value in passed:
                        self.bound.setdefault(f"{func.name}.{name}", value)
            elif isinstance(n, ast.Dict):
                self.bound.update({k.value: v for k, v in zip(n.keys, n.values, strict=True)
                                   if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value.isupper()})
        for func in funcs.values():  # what a function returns (its first return), for a call of it
            ret = next((n.value for n in _own_nodes(func) if isinstance(n, ast.Return) and n.value is not None), None)
            if ret is not None:
                self.bound.setdefault(f"{func.name}()", ret)
        self.funcs = funcs
        # Bottle's ConfigDict: ``app.config.load_config(path)`` reads an INI file, its keys "section.key"
        self.ini_dicts = {ast.unparse(n.func.value) for n in self.nodes if isinstance(n, ast.Call)
                          and isinstance(n.func, ast.Attribute) and n.func.attr == "load_config"}
        for func in funcs.values():  # a parameter no caller passes: its default
            args = func.args.posonlyargs + func.args.args
            for arg, default in zip(args[len(args) - len(func.args.defaults):], func.args.defaults, strict=True):
                self.bound.setdefault(f"{func.name}.{arg.arg}", default)

    def _scopes(self, node: ast.AST, params: dict[str, str], funcs: dict) -> None:
        """Record each Name that reads a parameter of an enclosing function (the innermost), and the project's
        functions by name (a class by its own: its ``__init__``)."""
        for child in ast.iter_child_nodes(node):
            inner = params
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                funcs.setdefault(child.name, child)
                a = child.args
                inner = {**params, **{x.arg: f"{child.name}.{x.arg}" for x in a.posonlyargs + a.args + a.kwonlyargs}}
            elif isinstance(child, ast.ClassDef):
                init = next((f for f in child.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
                if init is not None:
                    funcs.setdefault(child.name, init)
            elif isinstance(child, ast.Name) and child.id in params:
                self.params[id(child)] = params[child.id]
            self._scopes(child, inner, funcs)

    def key(self, node: ast.expr) -> str | None:
        """The binding ``node`` reads: a name (a parameter's as ``<function>.<param>``), a config key, ``self.x``."""
        if isinstance(node, ast.Name):
            return self.params.get(id(node), node.id)
        if isinstance(node, ast.Subscript) and not _os_environ(node.value):
            return _const_key(node.slice)
        if isinstance(node, ast.Call) and _callee(node.func) == "get" and node.args:
            return _const_key(node.args[0])
        if isinstance(node, ast.Attribute) and (_callee(node.value) == "self" or f"self.{node.attr}" in self.bound):
            return f"self.{node.attr}"  # (``config.db_path`` outside the class: the attribute its methods set)
        if isinstance(node, ast.Attribute) and node.attr.isupper() and node.attr in self.bound:
            return node.attr  # ``settings.DATA_DIR``: a config class's attribute (its body binds the name)
        if isinstance(node, ast.Call) and _callee(node.func) in self.funcs:
            return f"{_callee(node.func)}()"
        return None

    def ini_key(self, node: ast.expr) -> str | None:
        """``[section] key`` when ``node`` reads a key of an INI file through configparser: ``p.get("s", "k",
        fallback=...)`` or ``p["s"]["k"]``, ``p`` a ``ConfigParser()`` (through names, parameters, returns); or
        through a dict that loaded it, Bottle's ``app.config["s.k"]`` or ``app.config.get("s.k")``."""
        held: tuple[ast.expr, str | None] | None = (node.value, _const_key(node.slice)) \
            if isinstance(node, ast.Subscript) else (node.func.value, _const_key(node.args[0])) \
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args else None
        if held and held[1] and "." in held[1] and ast.unparse(held[0]) in self.ini_dicts:
            section, _, option = held[1].rpartition(".")
            return f"[{section}] {option}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and len(node.args) >= 2 and (sec := _const_key(node.args[0])) and (opt := _const_key(node.args[1])):
            return f"[{sec}] {opt}" if self.parser(node.func.value) else None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript) \
                and (opt := _const_key(node.slice)) and (sec := _const_key(node.value.slice)):
            return f"[{sec}] {opt}" if self.parser(node.value.value) else None
        return None

    def parser(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether ``node`` is a configparser parser."""
        if depth > 8:
            return False
        if isinstance(node, ast.Call) and _callee(node.func) in ("ConfigParser", "RawConfigParser"):
            return True
        key = self.key(node) if not isinstance(node, ast.Subscript) else None
        return key in self.bound and self.parser(self.bound[key], depth + 1)

    def source(self, node: ast.expr, depth: int = 0) -> tuple[str, bool, ast.expr] | None:
        """(variable, below it, its read) for a path expression."""
        if depth > 8:
            return None
        if var := _env_read(node) or self.ini_key(node):
            return var, False, node
        if key := self.key(node):
            return self.source(self.bound[key], depth + 1) if key in self.bound else None
        if isinstance(node, ast.BoolOp):
            return next((s for v in node.values if (s := self.source(v, depth + 1))), None)
        below: ast.expr | None = None
        if isinstance(node, ast.Call) and _callee(node.func) in PATH_CALLS | {"str", "fspath"}:
            inner = node.args[0] if node.args else node.func.value if isinstance(node.func, ast.Attribute) else None
            return self.source(inner, depth + 1) if inner is not None else None
        if isinstance(node, ast.Call) and _callee(node.func) == "join" and len(node.args) > 1:
            below = node.args[0]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            below = node.left
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.FormattedValue):
            below = node.values[0].value
        found = self.source(below, depth + 1) if below is not None else None
        return (found[0], True, found[2]) if found else None

    def literal(self, node: ast.expr, depth: int = 0) -> str | None:
        """The constant path ``node`` is (``__file__/`` first when built on the module's own path), else None."""
        if depth > 8:
            return None
        if isinstance(node, ast.Name) and node.id == "__file__":
            return "__file__"
        if isinstance(node, (ast.Name, ast.Attribute)):
            key = self.key(node)
            return self.literal(self.bound[key], depth + 1) if key in self.bound else None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        parts: list[ast.expr] = []
        if isinstance(node, ast.Call) and _callee(node.func) in PATH_CALLS | {"str", "fspath", "dirname", "join"}:
            parts = list(node.args) or ([node.func.value] if isinstance(node.func, ast.Attribute) else [])
        elif isinstance(node, ast.Attribute) and node.attr == "parent":
            parts = [node.value]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [node.left, node.right]
        found = [self.literal(p, depth + 1) for p in parts]
        if not found or None in found:
            return None
        return "/".join(p for p in found if p)

    def opened(self) -> list[str]:
        """The environment variables whose value the code opens as a file (its config): passed, whatever the
        way (:meth:`source`), as the first argument of ``open``, ``from_pyfile``, ``ConfigParser.read`` and the
        like, or opened by a Path's ``read_text()``/``open()``; not a path below it. A config env var is known by
        what the code does with it, not by its name."""
        found: list[str] = []
        for n in self.nodes:
            if not isinstance(n, ast.Call):
                continue
            hit = self.source(n.args[0]) if n.args and _callee(n.func) in FILE_CALLS else None
            if hit is None and isinstance(n.func, ast.Attribute) and n.func.attr in OPEN_METHODS:
                hit = self.source(n.func.value)
            if hit and not hit[1] and hit[0] not in found:
                found.append(hit[0])
        return found


def written_places(texts: list[str] | Flow, app: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The environment variables that place the app's data, read from what the code does with their values, and
    where that data goes on the servers (``shared/``, kept across releases; their defaults lie in the release dir
    or its venv, which every release replaces): a value the code makes, writes a file in, or connects SQLite to
    below it is a dir (``shared/data``; Flask's ``instance_path=``: ``shared/instance``); one SQLite connects to,
    or a file opened for writing, a file there (its default's name); a config value with a ``sqlite:`` default, a
    SQLite URL. Values flow as :class:`Flow` follows them. A value only read (templates) is no place. Also
    the constant paths the app writes (``"data/app.db"``, built on ``__file__``), with what is written there."""
    flow = texts if isinstance(texts, Flow) else Flow(texts)  # (detect() reads the project once)
    shared, places = f"/var/www/{app}/shared", {}
    constants: list[tuple[str, str]] = []  # (constant path, what is written there): no variable to set
    for n in flow.nodes:
        if not isinstance(n, ast.Call):
            continue
        target: ast.expr | None
        name, target, kind = _callee(n.func), None, "dir"
        method = n.func.value if isinstance(n.func, ast.Attribute) else None
        if name in ("makedirs", "mkdir"):
            target = n.args[0] if (method is None or _callee(method) == "os") and n.args else method
        elif name == "connect" and method is not None and _callee(method) == "sqlite3" and n.args:
            target, kind = n.args[0], "sqlite"
        elif name == "open" and n.args and not method and len(n.args) > 1 and _writes(n.args[1]):
            target, kind = n.args[0], "file"
        elif name in ("write_text", "write_bytes", "touch") or (name == "open" and method and n.args
                                                                 and _writes(n.args[0])):
            target, kind = method, "file"
        for k in n.keywords:
            if k.arg == "instance_path" and (found := flow.source(k.value)) and not found[1] \
                    and not _default_absolute(found[2]):
                places[found[0]] = f"{shared}/instance"
        hit = flow.source(target) if target is not None else None
        if hit is None:
            if target is not None and (path := flow.literal(target)):
                constants.append((path, kind))
            continue
        var, below, read = hit
        if _default_absolute(read):  # the developer chose a place on the server: theirs
            continue
        places.setdefault(var, f"{shared}/data" if below or kind == "dir" else
                          f"{shared}/data/{_default_name(read) or app + ('.sqlite3' if kind == 'sqlite' else '')}")
    for value in flow.bound.values():  # a SQLite URL: a config value read from a variable, its default sqlite:
        url, read_var = _sqlite_default(value), _env_read(value)
        if read_var and read_var not in places and url is not None:
            places[read_var] = f"sqlite:///{shared}/data/{url.rpartition('/')[2] or app + '.sqlite3'}"
    return places, constants


def _const_key(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _writes(mode: ast.expr) -> bool:
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(set(mode.value) & set("wax+"))


def _default(read: ast.expr) -> ast.expr | None:
    """The default of an environment read (``os.environ.get("X", default)``) or of a configparser read
    (``p.get("s", "k", fallback=default)``)."""
    if not isinstance(read, ast.Call):
        return None
    if not _env_read(read):
        return next((k.value for k in read.keywords if k.arg == "fallback"), read.args[2] if len(read.args) > 2
                    else None)
    return read.args[1] if len(read.args) > 1 else None


def _default_absolute(read: ast.expr) -> bool:
    """Whether an environment read's default is an absolute path (``os.environ.get("DATA", "/srv/app")``)."""
    default = _default(read)
    return isinstance(default, ast.Constant) and isinstance(default.value, str) and default.value.startswith("/")


def _default_name(read: ast.expr) -> str:
    """The file name in an environment read's default (``os.environ.get("DB", join(dir, "app.sqlite"))``)."""
    default = _default(read)
    names = [n.value for n in ast.walk(default) if isinstance(n, ast.Constant) and isinstance(n.value, str)] \
        if default is not None else []
    return next((PurePosixPath(v).name for v in reversed(names) if "." in PurePosixPath(v).name), "")


def _sqlite_default(read: ast.expr) -> str | None:
    """The ``sqlite:`` URL a read's default is, else None."""
    default = _default(read)
    return default.value if isinstance(default, ast.Constant) and isinstance(default.value, str) \
        and default.value.startswith("sqlite:") else None


def _env_in(node: ast.expr | None) -> str | None:
    """The first environment variable read anywhere in ``node`` (``str(os.environ.get(...))`` too)."""
    return next((v for n in ast.walk(node) if isinstance(n, ast.expr) and (v := _env_read(n))), None) \
        if node is not None else None


def _callee(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _os_environ(node: ast.expr) -> bool:
    """``os.environ`` (not a WSGI app's ``environ`` argument, the request's)."""
    return isinstance(node, ast.Attribute) and node.attr == "environ" and _callee(node.value) == "os"


def _env_read(node: ast.expr) -> str | None:
    """The variable ``node`` reads from the environment (``os.environ["X"]``, ``.get("X", ...)``, ``getenv``;
    ``a or b``: either), else None."""
    if isinstance(node, ast.BoolOp):
        return next((v for v in map(_env_read, node.values) if v), None)
    if isinstance(node, ast.Subscript) and _os_environ(node.value):
        key = node.slice
    elif isinstance(node, ast.Call) and node.args and (
            _callee(node.func) == "getenv" or (isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                                                and _os_environ(node.func.value))):
        key = node.args[0]
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def config_dirs(root: Path) -> list[str]:
    """The project's directories of config files: ``config/``, ``conf/``, ``etc/``, each unless it is a package
    of the app's code (``__init__.py``: cookiecutter-django's ``config/`` holds the settings and ``wsgi.py``)."""
    return [d for d in CONFIG_DIRS if (root / d).is_dir() and not (root / d / "__init__.py").exists()]


def new_config(root: Path, name: str) -> str:
    """Where init writes a config file ``name`` the project lacks: its first config dir that is no package."""
    return f"{next((d for d in CONFIG_DIRS if not (root / d / '__init__.py').exists()), 'deploy')}/{name}"


def config_files(root: Path, notes: list[str] | None = None) -> list[str]:
    """The project's config files (relative paths) an app reading its config through ``from_envvar`` could be
    given: ``*.cfg``/``*.py``/``*.conf`` in its config dirs (:func:`config_dirs`: never a module of its code) and
    ``*.cfg`` at the top (not setup.cfg); the preferred names (deploy, production, prod, docker, staging) first.
    The developer's and the tests' (CONFIG_DEVELOPERS: ``local.cfg``, ``development.cfg``) are never the servers':
    named in ``notes`` and passed."""
    found = [p for d in config_dirs(root) for p in sorted((root / d).iterdir())
             if p.is_file() and p.suffix in CONFIG_SUFFIXES]
    found += [p for p in sorted(root.glob("*.cfg")) if p.is_file() and p.name != "setup.cfg"]
    if notes is not None and (dev := [p.relative_to(root).as_posix() for p in found if p.stem in CONFIG_DEVELOPERS]):
        notes.append(f"{', '.join(dev)} not taken for the servers' config: by its name the developer's or the tests' "
                     "(a deploy or production file is taken before any other)")
    found = [p for p in found if p.stem not in CONFIG_DEVELOPERS]

    def rank(p: Path) -> int:
        return CONFIG_PREFERRED.index(p.stem) if p.stem in CONFIG_PREFERRED else len(CONFIG_PREFERRED)
    return [p.relative_to(root).as_posix() for p in sorted(found, key=rank)]


def config_file(root: Path, fmt: str = "", notes: list[str] | None = None) -> tuple[str, bool]:
    """(config_file, whether init writes it): the project's first config file that reads in ``fmt`` (the format
    the app parses its config in, one of CONFIG_FORMATS'; Python syntax by default), else a new ``deploy.cfg``.
    A file that does not (a tool's own ``babel.cfg``, ``.bumpversion.cfg``) is named in ``notes`` and passed."""
    fmt = fmt or CONFIG_FORMATS[0][1]
    for rel in config_files(root, notes):
        if not (why := unreadable_as(root / rel, fmt)):
            return rel, False
        if notes is not None:
            notes.append(f"{rel} is not taken for the app's config: {why}, and the app reads "
                         f"{fmt.split(':')[0].split(' (')[0]}")
    return new_config(root, "deploy.cfg"), True


def unreadable_as(path: Path, fmt: str) -> str:
    """Why ``path`` is no config in ``fmt`` (a CONFIG_FORMATS format), "" when it reads as one: Python syntax
    assigning an UPPERCASE name (Flask's from_envvar/from_pyfile and Django's settings take only those), INI with
    a section, NAME=value lines, TOML, JSON."""
    import configparser

    text = _text(path, "replace")
    kind = next(i for i, (_, f, _) in enumerate(CONFIG_FORMATS) if f == fmt)
    try:
        if kind == 0:
            tree = ast.parse(text)
            if not any(isinstance(t, ast.Name) and t.id.isupper() for a in tree.body if isinstance(a, ast.Assign)
                       for t in a.targets):
                return "it assigns no UPPERCASE setting"
        elif kind == 1:
            parser = configparser.RawConfigParser()
            parser.read_string(text)
        elif kind == 2:
            bad = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip() and not
                        re.match(r"\s*(#|(export\s+)?[A-Za-z_]\w*\s*=)", line)), 0)
            if bad:
                return f"line {bad} is no NAME=value line"
        elif kind == 3:
            toml_loads(text)
        else:
            json.loads(text)
    except SyntaxError as e:
        return f"line {e.lineno} is not Python syntax"
    except (configparser.Error, tomllib.TOMLDecodeError, ValueError) as e:
        return f"it does not parse ({str(e).splitlines()[0][:80]})"
    return ""


def tables_dropped(root: Path, mods) -> list[str]:
    """Project files (relative paths) whose code or SQL drops a table: the modules and the ``*.sql`` files
    beside them (a tutorial-style ``init-db`` runs ``DROP TABLE IF EXISTS`` from a schema.sql)."""
    paths = [path for _, path in mods]
    for pkg in {path.parent for path in paths if path.name == "__init__.py"}:
        paths += sorted(pkg.rglob("*.sql"))
    paths += sorted(root.glob("*.sql"))
    found = []
    for path in paths:
        if DROP_RE.search(_text(path, "replace")):
            rel = path.relative_to(root).as_posix()
            if rel not in found:
                found.append(rel)
    return found


ENV_CONFIG = """\
# The app's environment on the servers (deploy.toml: config_file = "{path}", config_as_env = true): a
# variable per line (its name, "=", its value), set for the mod_wsgi daemons, post_deploy, the release check and
# `fab run`; installed 0640 (the deploy login and the app user read it) and never shown in any output. Written
# by `deploytests init` from the variables the code reads; keep the real file out of version control (a target
# may name its own in targets.toml).

{lines}
"""


def place_data(d: Detected, found: tuple[dict[str, str], list[tuple[str, str]]], root: Path | None = None) -> list[str]:
    """Set each variable that places the app's data (:func:`written_places`) to its place in ``shared/``: in the
    env file when there is one, else in deploy.toml's ``env``; its dir in ``shared_paths``; a note says so. A
    constant relative dir it writes in is in the working dir, the release dir: listed in ``shared_paths`` it is
    linked there; a file in the working dir itself, or next to the code (``__file__``), gets a note. Returns the
    variables, dirs and config keys placed."""
    places, constants = found
    found_dirs: list[str] = []
    for path, kind in constants:
        what = "its SQLite database" if kind == "sqlite" else "a file" if kind == "file" else "a dir"
        name = PurePosixPath(path).name
        if path.startswith("__file__"):
            d.notes.append(f"it writes {name} next to its own code (__file__): on the servers inside the release's "
                           f"venv, which the app user cannot write and every release replaces: read {what}'s place "
                           "from an environment variable (init sets it to a dir under shared/) or use a dir "
                           "relative to the working dir, listed in shared_paths")
        elif not path.startswith(("/", "~", ".")) and "/" not in path.rstrip("/") and kind != "dir":
            d.notes.append(f"it writes {name} in its working dir (the release dir, replaced by every release, which "
                           f"the app user cannot write): keep {what} in a dir such as data/ and list that dir in "
                           "shared_paths")
        elif not path.startswith(("/", "~", ".")) and re.fullmatch(r"[A-Za-z0-9_-]+", top := path.split("/")[0]) \
                and top not in ("venv", "static"):
            found_dirs.append(top)
            if top not in d.shared_paths:
                d.shared_paths.append(top)
    d.config_values = {key: value for key, value in places.items() if key.startswith("[")}  # the config file's
    places = {var: value for var, value in places.items() if not SYSTEM_ENV_RE.match(var)
              and env_problem(var, value, d.config_env) is None}  # HOME, TMPDIR, XDG_*: the system's, not the app's
    for value in d.config_values.values():
        if (sub := value.removeprefix(f"/var/www/{d.app}/shared/").split("/")[0]) not in d.shared_paths:
            d.shared_paths.append(sub)
    unset = {k: v for k, v in d.config_values.items() if root is None or d.new_config
             or not ini_sets(root / d.config_file, k, v)}  # a key the project's config already sets there: said
    if d.config_values and not unset:
        d.notes.append(f"{', '.join(d.config_values)} of its config file ({d.config_file}) "
                       f"place{'s' if len(d.config_values) == 1 else ''} the app's data "
                       "under shared/, as it should (in shared_paths, kept across releases)")
    elif unset:
        one = len(unset) == 1
        d.notes.append(f"{', '.join(unset)} of its config file place{'s' if one else ''} the app's data: "
                       + ", ".join(f"{k} = {v}" for k, v in unset.items())
                       + (" in the config file init wrote" if d.new_config else
                          f" in the servers' config ({d.config_file or 'config_file'}): set them there")
                       + ", under shared/ (in shared_paths, kept across releases)")
    if d.config_as_env:
        places = {var: value for var, value in places.items() if var in d.env_names}
        d.env_values.update(places)
    else:
        d.env.update(places)
    d.places.update(places)
    for value in places.values():
        sub = value.removeprefix("sqlite:///").removeprefix(f"/var/www/{d.app}/shared/").split("/")[0]
        if sub not in d.shared_paths:
            d.shared_paths.append(sub)
    if places:
        d.notes.append(f"{', '.join(places)} place{'s' if len(places) == 1 else ''} the app's data (what its code "
                       "does with the value): " + ", ".join(f"{var}={value}" for var, value in places.items())
                       + f" in {'the env file' if d.config_as_env else 'env'}, under shared/ (in shared_paths, kept "
                       "across releases; the defaults lie in the release, which every release replaces)")
    return [*places, *found_dirs, *d.config_values]


def new_secret() -> str:
    """A signing key for the servers' config (Flask's and Django's ``SECRET_KEY``): random, made here, so that no
    config init writes carries a key known to anyone who read init's source (a placeholder left in deploys)."""
    import secrets

    return secrets.token_urlsafe(50)


def ini_sets(path: Path, key: str, value: str) -> bool:
    """Whether the INI file ``path`` sets ``key`` (``"[section] option"``) to ``value``."""
    import configparser

    section, _, option = key[1:].partition("] ")
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(_text(path, "replace"))
    except (OSError, configparser.Error):
        return False
    return parser.get(section, option, fallback=None) == value


def env_config(root: Path, d: Detected, names: list[str]) -> bool:
    """When the app reads a secret from its environment (a name like ``*SECRET*``, ``*TOKEN*``, ``*PASSWORD*``, or
    Flask's ``from_prefixed_env()``: FLASK_SECRET_KEY) and no config file: the twelve-factor way, the config file
    as an env file (``config_as_env``) holding every variable it reads: a signing key gets a random value (a
    placeholder would reach the servers as a key anyone can read here), other secrets a placeholder to replace,
    the others a commented line. False (nothing set) when none of them is a secret: deploy.toml's ``env`` will do."""
    secrets = [n for n in names if SECRET_NAME_RE.search(n)]
    if not secrets:
        return False
    d.config_as_env, d.env_names = True, names
    d.config_file, d.new_config = new_config(root, "deploy.env"), True
    d.notes.append(f"it reads {', '.join(names[:8])} from the environment, {', '.join(secrets[:4])} a secret: "
                   f"config_file = {d.config_file!r} with config_as_env = true gives the servers' daemons, "
                   "post_deploy and `fab run` its lines as environment variables (init made a random value for "
                   "each signing key, *SECRET_KEY, and wrote a placeholder for each other secret: replace it, a deploy "
                   "refuses it; a "
                   f"data dir a variable names goes under /var/www/{d.app}/shared/, its name in shared_paths)")
    return True


def compile_catalogs(root: Path, d: Detected) -> None:
    """gettext catalogs (``<dir>/<lang>/LC_MESSAGES/<domain>.po``) are read compiled (``.mo``), which git usually
    ignores: a fresh clone (CI) has none, and the servers would answer untranslated text. ``build`` compiles them
    before pack builds the wheel: ``pybabel compile`` per catalog dir and domain (Babel, Flask-Babel), Django's
    ``compilemessages`` (GNU gettext's msgfmt on this machine). A catalog dir outside the packages never ships."""
    found = sorted({(p.parents[2].relative_to(root).as_posix(), p.stem) for p in root.rglob("LC_MESSAGES/*.po")
                    if not SKIP.intersection(p.relative_to(root).parts[:-1])})
    if not found:
        return
    if d.framework == "django":
        commands = ["python manage.py compilemessages"]
    else:
        commands = [f"pybabel compile -d {where}" + (f" -D {domain}" if domain != "messages" else "")
                    for where, domain in found]
    d.build = [c for c in d.build if c not in commands] + commands
    d.notes.append(f"gettext catalogs in {', '.join(dict.fromkeys(w for w, _ in found))}: the app reads them compiled "
                   f"(.mo), which a fresh clone lacks when git ignores them: build = {commands!r} compiles them "
                   "before pack builds the wheel" + ("" if d.framework != "django" else
                                                     " (it needs GNU gettext's msgfmt on this machine)"))
    if ship_package_data(root).startswith("where poetry"):  # poetry-core asks git what to leave out
        dirs = dict.fromkeys(w for w, _ in found)
        d.notes.append("poetry-core leaves out of the wheel the files git ignores: when git ignores the compiled .mo "
                       "files, add to [tool.poetry] include = "
                       + ", ".join(f'[{{ path = "{w}/**/*.mo", format = "wheel" }}]' for w in dirs))
    outside = [w for w, _ in found if "/" not in w.removeprefix("src/")]  # at the top: no package's
    if outside:
        d.notes.append(f"{outside[0]}/ lies outside the app's packages: its catalogs are not in the wheel, so the "
                       "servers never get them; move it into a package (Django: an app's locale/) and ship its "
                       ".mo files as package data")


@_in_project
def detect(root: Path) -> Detected:
    """Read the project and guess its deploy settings (nothing is written): a Django project (manage.py naming
    its settings module), else a Flask app (a factory or ``app = Flask(...)``), else plain WSGI (a module-level
    ``application``, then ``app``)."""
    root = Path(root)
    name = project_name(root)
    mods = modules(root)
    texts = {mod: _text(path, "replace") for mod, path in mods}
    manage = root / "manage.py"
    if manage.is_file() and (m := SETTINGS_RE.search(_text(manage, "replace"))):
        return detect_django(root, name, m.group(1), texts)
    if paste := paste_app(root):
        return detect_paste(root, name, *paste, texts)
    notes: list[str] = []
    framework = "flask"
    entry = next((f"{mod}:{made}()" for mod, text in texts.items() if (made := factory(text))), None)
    if entry is None:
        entry = next((f"{mod}:{m.group(1)}" for mod, text in texts.items() if (m := APP_RE.search(text))), None)
    if entry is not None and not FLASK_IMPORT_RE.search(texts[entry.split(":")[0]]):
        framework = "wsgi"  # a create_app() of another framework's (Falcon, Bottle): known by what it imports
    if entry is None:
        framework = "wsgi"
        entry = next((f"{mod}:{attr}" for attr in WSGI_NAMES for mod, text in texts.items()
                      if re.search(rf"^(?:def {attr}\(|{attr}\s*[:=])", text, re.M)), None)
    if entry is None:  # another name: known by its shape, (environ, start_response)
        entry = next((f"{mod}:{attr}" for mod, text in texts.items() if (attr := wsgi_callable(text))), None)
    if entry is None:
        first = mods[0][0].split(".")[0] if mods else app_name(name)
        entry = f"{first}:application"
        notes.append(f"no WSGI app found (create_app(), `app = Flask(...)`, a module-level `application` or `app`, "
                     f"a function of (environ, start_response)): entry_point guessed as {entry!r}; set it to "
                     "module:callable of your installed package")
    package = entry.split(":")[0].split(".")[0]
    # a namespace (src/acme/) is shared, and so is a single module's name (app.py, main.py): the project names the app
    own = mods and not namespace_top(root, package) and any((base / package).is_dir() for base in (root, root / "src"))
    detected = Detected(name=name, app=app_name(package if own else name), entry_point=entry, notes=notes,
                        framework=framework)
    everything = "\n".join(texts.values())
    flow = Flow(list(texts.values()))
    opened = flow.opened()
    if (m := ENVVAR_RE.search(everything)) or opened:
        detected.config_env = m.group(1) or m.group(2) if m else opened[0]
        detected.config_format = config_format(texts, detected.config_env)
    elif (m := PYFILE_RE.search(everything)) and INSTANCE_RE.search(everything):
        # Flask's tutorial layout: config.py in the instance folder, beside the database (a shared path)
        detected.config_path = f"/var/www/{detected.app}/shared/instance/{m.group(1)}"
    if detected.config_env or detected.config_path:  # the app reads a config: an existing file, or one to write
        fmt = detected.config_format[0] if detected.config_format else ""
        detected.config_file, detected.new_config = config_file(root, fmt, notes)
    else:
        prefixed = [f"{m.group(1) or 'FLASK'}_SECRET_KEY" for m in PREFIXED_ENV_RE.finditer(everything)]
        env_config(root, detected, list(dict.fromkeys(prefixed + [v for t in texts.values() for v in env_reads(t)])))
    if m := (ROUTE_RE if framework == "flask" else PLAIN_ROUTE_RE).search(everything):
        detected.health_path = blueprint_prefix(texts, m.group(0)) + m.group(1) if framework == "flask" \
            else m.group(1)
        if framework == "flask":  # .get(...), or .route(...) without methods= naming more than GET/HEAD
            call = everything[m.start():everything.find(")", m.end()) + 1]
            methods = re.search(r"methods\s*=\s*[\[(]([^\])]*)", call)
            detected.health_get_only = call.startswith(".get(") or methods is None or not (
                set(re.findall(r"\w+", methods.group(1).upper())) - {"GET", "HEAD"})
    else:
        notes.append("no /health route found: the deploy gate GETs '/' (add a route that answers 200 when the app "
                     "is ready, and set health_path)")
    if INSTANCE_RE.search(everything):
        detected.shared_paths = ["instance"]
    placed = place_data(detected, written_places(flow, detected.app), root)
    if framework == "wsgi":
        unread = "" if placed else "where the app keeps its data cannot be read from the code. "
        notes.append(f"plain WSGI: {unread}{'A' if unread else 'a'} dir it writes, relative to its working dir (the "
                     "release dir), must be listed in shared_paths (kept across releases); a command that creates "
                     f"or upgrades its schema goes in post_deploy (e.g. python -m {package}.migrate)")
        read = [v for v in dict.fromkeys(v for text in texts.values() for v in env_reads(text))
                if v != detected.config_env and v not in placed]
        if read and not detected.config_as_env:
            notes.append(f"it reads {', '.join(read[:6])} from the environment (not as a config file it opens): "
                         "give each in deploy.toml's env; a data dir one names goes under "
                         f"/var/www/{detected.app}/shared/ (its name in shared_paths), kept across releases")
    static = next((p for p in (root / package / "static", root / "src" / package / "static") if p.is_dir()), None)
    if static is not None:  # Flask's static folder (and many WSGI apps'): served by Apache at /static
        detected.static = {"/static": static.relative_to(root).as_posix()}
    if m := COMMAND_RE.search(everything):
        detected.post_deploy = [f"flask --app {package} {m.group(1)}"]
        detected.drops_tables = tables_dropped(root, mods)
    elif re.search(r"^\s*(?:from flask_migrate import|import flask_migrate)", everything, re.M):
        detected.post_deploy = [f"flask --app {package} db upgrade"]  # Flask-Migrate (Alembic): safe to repeat
        detected.post_deploy_safe = True
    detected.default_instance = next(
        (mod for mod, text in texts.items() if USES_INSTANCE_RE.search(text)
         and any(not INSTANCE_ARG_RE.search(args) for args in flask_calls(text))), "")
    if kept := kept_instance(detected):  # the release's own instance folder, linked to shared/ like any data dir
        detected.shared_paths = [kept] + [p for p in detected.shared_paths if p not in ("instance", kept)]
        shared = f"/var/www/{detected.app}/shared/"
        if detected.config_path.startswith(shared + "instance/"):
            detected.config_path = shared + kept + detected.config_path[len(shared + "instance"):]
            detected.config_note = f"the instance folder's config (from_pyfile), in shared/{kept}"
    name = PurePosixPath(detected.config_path).name
    if detected.config_path and (root / "instance" / name).is_file():  # the developer's, as Flask's docs keep it
        notes.append(f"instance/{name} is this checkout's instance config (the development server's; Flask's docs "
                     f"keep it out of version control): the servers never get it, they get config_file, installed "
                     f"as {detected.config_path}: copy there the other settings they need (its SECRET_KEY is theirs)")
    compile_catalogs(root, detected)
    return detected


DJANGO_CONFIG = """\
# The servers' Django settings (deploy.toml: config_file = "{path}"), installed on each server at the path
# ${env} names; {settings_file} runs this file (Python) after its own settings. Written by `deploytests init`:
# SECRET_KEY is random, made by this init (a key only these servers know); fill in your site's name; keep the
# real file out of version control (a target may name its own).

SECRET_KEY = "{secret}"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]  # add your site's name
# the app's data lives in shared/ on the servers (deploy.toml's shared_paths): it survives every release
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": "{root}/shared/data/db.sqlite3"}}}}
MEDIA_ROOT = "{root}/shared/media"
FILE_UPLOAD_PERMISSIONS = 0o640  # Django's default, 0o644, would make uploads readable by every server user
"""

SETTINGS_HOOK = ('if os.environ.get("{env}"):  # the servers\' settings (deploytests installs the file)\n'
                 '    exec(Path(os.environ["{env}"]).read_text())')


PASTE_SECTION_RE = re.compile(r"^\[app:main\]", re.M)
# a value of [app:main] placing a file: a SQLite URL, ZODB's file:// URI, or a path from %(here)s (the ini's dir)
INI_PATH_RE = re.compile(r"^(sqlite:///|file://)?(%\(here\)s/\S+|(?<=///)[^/\s]\S*)$")


def ini_data_paths(ini: Path) -> list[tuple[str, str, str]]:
    """``(key, scheme, path)`` of each ``[app:main]`` setting of ``ini`` that places a file in the dir the ini is
    installed in (``%(here)s/...``: ``shared/``, closed to the app user) or relative to the daemon's working dir (a
    SQLite URL's relative path: the release dir): ``sqlalchemy.url = sqlite:///%(here)s/x.sqlite`` (Pyramid's
    starter), ``zodbconn.uri = file://%(here)s/Data.fs``, ``myapp.db = %(here)s/x.sqlite``. Already under
    ``%(here)s/data/`` (a shared path): none."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(_text(ini, "replace"))
        items = parser.items("app:main")
    except (OSError, configparser.Error):
        return []
    return [(key, m.group(1) or "", m.group(2)) for key, value in items
            if (m := INI_PATH_RE.match(value.strip())) and not m.group(2).startswith("%(here)s/data/")]
SCHEMA_SCRIPT_RE = re.compile(r"""["']?\b(initiali[sz]e_\w*db|\w*(?:init|create|setup)_?db\w*)\s*=\s*[\w.]+:\w+""")
PASTE_ENTRY_RE = re.compile(r"""\bmain\s*=\s*["']?([A-Za-z_][\w.]*):([A-Za-z_]\w*)""")
PASTE_WSGI = '''\
"""The app for mod_wsgi, as {framework}'s deployment docs build it: from the ini file whose path ${env} names
(deploytests installs deploy.toml's config_file there; entry_point = "{package}.wsgi:make_wsgi_app()" calls it once).
Importing this module does nothing ({framework}'s config.scan() imports every module of the package). Written by
`deploytests init`."""
import os


def make_wsgi_app():
    {imports}

    ini_path = os.environ["{env}"]
    {body}
'''
PASTE_LOADERS = {
    "Pyramid": ("from pyramid.paster import get_app, setup_logging",
                'setup_logging(ini_path)\n    return get_app(ini_path, "main")'),
    "PasteDeploy": ("from paste.deploy import loadapp", 'return loadapp("config:" + ini_path)'),
}


def paste_app(root: Path) -> tuple[str, str] | None:
    """``(module, factory)`` of a PasteDeploy app (Pyramid's layout): a ``paste.app_factory`` entry point named
    ``main`` in setup.py, setup.cfg or pyproject.toml, with an ini file holding ``[app:main]`` beside it. Such an
    app has no module-level WSGI callable: its factory, ``main(global_config, **settings)``, needs the ini's
    settings."""
    for name in ("pyproject.toml", "setup.cfg", "setup.py"):
        path = root / name
        text = _text(path, "replace") if path.is_file() else ""
        if (at := text.find("paste.app_factory")) >= 0 and (m := PASTE_ENTRY_RE.search(text, at, at + 400)):
            return m.group(1), m.group(2)
    return None


def paste_ini(root: Path) -> str:
    """The ini file the servers run: ``production.ini`` when there, else the first with ``[app:main]`` that is not
    the developer's or the tests' (``development.ini``, ``testing.ini``); '' when none."""
    inis = [p for p in sorted(root.glob("*.ini")) if p.name != "pytest.ini"
            and PASTE_SECTION_RE.search(_text(p, "replace"))]
    ranked = sorted(inis, key=lambda p: (p.stem != "production", p.stem in CONFIG_DEVELOPERS))
    return ranked[0].name if ranked and ranked[0].stem not in CONFIG_DEVELOPERS else ""


def detect_paste(root: Path, name: str, module: str, factory: str, texts: dict[str, str]) -> Detected:
    """A PasteDeploy app (Pyramid): the servers run a small ``<package>/wsgi.py`` (written when missing) that
    builds the app from the ini file at ``config_path``, the way Pyramid's mod_wsgi docs do; the ini is the
    ``config_file`` (an ``.ini`` name: plaster picks its loader by the extension)."""
    package = module.split(".")[0]
    app = app_name(package)
    framework = "Pyramid" if any(re.search(r"^\s*(?:from|import)\s+pyramid\b", t, re.M) for t in texts.values()) \
        else "PasteDeploy"
    ini = paste_ini(root)
    d = Detected(name=name, app=app, entry_point=f"{package}.wsgi:make_wsgi_app()", framework="wsgi",
                 config_env=f"{app.upper()}_CONFIG", config_file=ini,
                 config_path=f"/var/www/{app}/shared/{ini or 'production.ini'}", config_note="the ini file "
                 f"{package}/wsgi.py builds the app from ({module}:{factory} with its [app:main] settings)")
    imports, body = PASTE_LOADERS[framework]
    pkg_dir = module_file(root, package).rpartition("/")[0]
    d.written_module = (f"{pkg_dir}/wsgi.py", PASTE_WSGI.format(framework=framework, env=d.config_env,
                                                                  imports=imports, body=body, package=package))
    if not ini:
        d.notes.append("no production ini file ([app:main]) found beside development.ini: copy it to "
                       "production.ini with the servers' settings and set config_file to it")
    everything = "\n".join(texts.values())
    if m := PLAIN_ROUTE_RE.search(everything):
        d.health_path = m.group(1)
    else:
        d.notes.append("no /health route found: the deploy gate GETs '/' (add a route that answers 200 when the app "
                       "is ready, and set health_path)")
    static = root / pkg_dir / "static"
    if static.is_dir():
        d.static = {"/static": static.relative_to(root).as_posix()}
    for key, scheme, url in ini_data_paths(root / ini) if ini else []:
        file = url.rpartition("/")[2]
        where = (f"/var/www/{app}/shared/ (where {ini} is installed: %(here)s), which the app user cannot write"
                 if url.startswith("%(here)s/") else "the release dir (the daemon's working dir), which every release "
                 "replaces")
        d.shared_paths = ["data"]
        d.notes.append(f"{ini}: [app:main] {key} = {scheme}{url} puts the app's data in {where}: set it to "
                       f"{scheme}%(here)s/data/{file} (shared_paths = [\"data\"]: /var/www/{app}/shared/data, "
                       "kept across releases, the app's to write)")
    scripts = [_text(root / f, "replace") for f in ("setup.py", "setup.cfg", "pyproject.toml")
               if (root / f).is_file()]
    if schema := next((m.group(1) for t in scripts if (m := SCHEMA_SCRIPT_RE.search(t))), None):
        d.post_deploy = [f'{schema} "${d.config_env}"']  # Pyramid's initialize_<pkg>_db <ini>: commented out
    return d


def django_packages(root: Path, project: str) -> list[str]:
    """The project package and each app package of a Django project (a package dir at the top with an apps.py,
    models.py or migrations/), in name order."""
    return sorted({project} | {p.name for p in root.iterdir() if p.is_dir() and p.name not in SKIP
                               and (p / "__init__.py").is_file()
                               and any((p / f).exists() for f in ("apps.py", "models.py", "migrations"))})


REQUIREMENT_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*([<>=!~;].*)?$")


def requirements_txt(root: Path) -> list[str]:
    """The plain requirement lines of the project's requirements.txt (comments, options such as ``-r`` and
    ``-e``, URLs and paths left out: pack installs what the wheel declares, never this file)."""
    path = root / "requirements.txt"
    try:
        lines = _text(path, "replace").splitlines() if path.is_file() else []
    except OSError:
        return []
    return [req for line in lines if (req := line.split(" #")[0].strip()) and REQUIREMENT_RE.match(req)]


def _dist(requirement: str) -> str:
    m = REQUIREMENT_RE.match(requirement.strip())
    return re.sub(r"[-_.]+", "-", m.group(1)).lower() if m else requirement.strip().lower()


def unlisted_requirements(root: Path) -> list[str]:
    """requirements.txt's requirements whose distribution ``[project].dependencies`` of pyproject.toml does not
    name (none when the dependencies are dynamic: the build backend may read the file)."""
    try:
        project = toml_loads(_text(root / "pyproject.toml")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    if not project or "dependencies" in project.get("dynamic", []):
        return []
    declared = {_dist(r) for r in project.get("dependencies", []) if isinstance(r, str)}
    return [r for r in requirements_txt(root) if _dist(r) not in declared]


def packaging(root: Path, d: Detected) -> str:
    """The packaging tables pyproject.toml lacks, for a project without any (class closed: packaging assumed.
    startproject writes none, and setuptools' own discovery refuses Django's flat layout; a one-module WSGI app
    got a wheel named after init's ``config/`` dir, holding no module): ``[build-system]``, ``[project]`` with
    its framework as a dependency (the installed minor release, when importable here) and requirements.txt's
    lines, and what to ship -- Django's project and app packages, else the entry point's module
    (``py-modules``) or package, in the flat or src layout -- with templates and static files. Empty when the
    project packages itself (``[project]``, a build backend's own tables, setup.py or setup.cfg), or when the
    entry module is not found (pack then refuses a wheel without it, naming what to do)."""
    pyproject = root / "pyproject.toml"
    text = _text(pyproject) if pyproject.is_file() else ""
    try:
        have = toml_loads(text)
    except tomllib.TOMLDecodeError:
        return ""  # not ours to fix: pack names the file's error
    if "project" in have or _packaged_by_backend(have) or (root / "setup.py").is_file() or \
            (root / "setup.cfg").is_file():
        return ""
    ship = _find_packages(django_packages(root, d.settings.split(".")[0])) if d.framework == "django" else \
        _entry_layout(root, d.entry_point.split(":")[0].split(".")[0])
    if ship is None:
        return ""
    wanted = requirements_txt(root)  # the project's other requirements; its own framework line wins
    framework = [] if d.framework == "wsgi" or any(_dist(r) == d.framework for r in wanted) else [_pinned(d.framework)]
    blocks = []
    if "build-system" not in have:
        blocks.append('[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n')
    blocks.append(f'[project]\nname = {_toml(d.name)}\nversion = "0.1.0"\n'
                  f"dependencies = {_toml(framework + wanted)}  # what the servers install (pack does not read "
                  "requirements.txt)\n")
    if "setuptools" not in have.get("tool", {}):
        blocks.append(ship)
    return "\n".join(blocks)


def unshipped_templates(root: Path, d: Detected, tables: str) -> list[str]:
    """Template dirs of the project that the wheel init wrote the packaging of does not ship: ``views/`` (Bottle's
    default) or ``templates/`` beside a single-module app (``py-modules``), a Django project's top-level
    ``templates/`` (``BASE_DIR / "templates"``: on the servers, the release venv's site-packages)."""
    pyproject = root / "pyproject.toml"  # (init run again: the packaging it wrote before)
    if "py-modules" not in tables + (_text(pyproject, "replace") if pyproject.is_file() else "") \
            and d.framework != "django":
        return []
    names = ("templates",) if d.framework == "django" else ("views", "templates")
    return [name for name in names if (root / name).is_dir() and not (root / name / "__init__.py").exists()]


DIRS_RE = re.compile(r"""BASE_DIR\s*/\s*(['"])templates\1|os\.path\.join\(\s*BASE_DIR\s*,\s*(['"])templates\2\s*\)""")


def django_templates(root: Path, d: Detected, folder: str) -> str | None:
    """For a Django project's top-level ``templates/`` named in its settings (``BASE_DIR / "templates"``), the
    exact change: the dir into the settings' package, and the settings' line naming it there (``BASE_DIR`` is the
    release venv's site-packages on the servers, where the package is). None otherwise."""
    if d.framework != "django" or not d.settings:
        return None
    rel = module_file(root, d.settings)
    for number, line in enumerate(_text(root / rel, "replace").splitlines(), 1):
        if DIRS_RE.search(line):
            package = d.settings.split(".")[0]
            return (f"move it into the settings' package ({package}/{folder}/), which the wheel ships, and at "
                    f"{rel}:{number} name it there: BASE_DIR / \"{package}\" / \"{folder}\" (on the servers "
                    "BASE_DIR is the release's site-packages)")
    return None


def _pinned(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(x) for x in version(dist).split(".")[:2])
        return f"{dist}>={major}.{minor},<{major}.{minor + 1}"
    except (PackageNotFoundError, ValueError):
        return dist


def into_package(root: Path, d: Detected, folder: str) -> str:
    """How a dir the wheel does not ship gets into the app's package: moved there, or, for an app that is one
    module (``app.py``: no package to move it into), by making the app a package first."""
    module = d.entry_point.split(":")[0]
    if "." in module or not (root / f"{module}.py").is_file():
        return "move it into the app's package"
    return (f"make the app a package ({module}.py -> {d.app}/__init__.py, {folder}/ inside it, packages = "
            f"[\"{d.app}\"] for py-modules in pyproject.toml)")


def ship_package_data(root: Path) -> str:
    """How the project's build backend ships a data dir moved into the package: setuptools (and a project without
    one) by a table to write; hatchling, flit, poetry-core and pdm-backend ship a package's files as they are."""
    try:
        backend = toml_loads(_text(root / "pyproject.toml")).get("build-system", {}).get("build-backend", "")
    except (OSError, tomllib.TOMLDecodeError):
        backend = ""
    if not backend or backend.startswith("setuptools"):
        return "ship it as package data ([tool.setuptools.package-data])"
    return f"where {backend.split('.')[0]} ships it with the package's other files (unless git ignores it)"


def _find_packages(packages: list[str], src: bool = False) -> str:
    return ("[tool.setuptools.packages.find]\n" + ('where = ["src"]\n' if src else "")
            + f"include = {_toml([n for p in packages for n in (p, p + '.*')])}\nnamespaces = false\n\n"
            "[tool.setuptools.package-data]\n"
            '"*" = ["templates/**/*", "static/**/*"]\n')


def _entry_layout(root: Path, top: str) -> str | None:
    """The setuptools tables that ship the entry point's top-level ``top``: a package dir or a single module, in
    ``src/`` or the project dir; None when neither is there."""
    for base, src in ((root / "src", True), (root, False)):
        if (base / top / "__init__.py").is_file():
            return _find_packages([top], src)
        if (base / f"{top}.py").is_file():
            return (f'[tool.setuptools]\npy-modules = ["{top}"]  # the app is one module\n'
                    + ('package-dir = {"" = "src"}\n' if src else ""))
    return None


def module_file(root: Path, module: str) -> str:
    """The project-relative file of ``module`` (a package's ``__init__.py``); a module's usual path if none."""
    for base in (root, root / "src"):
        for path in (base / (module.replace(".", "/") + ".py"), base / module.replace(".", "/") / "__init__.py"):
            if path.is_file():
                return path.relative_to(root).as_posix()
    return module.replace(".", "/") + ".py"


def module_text(root: Path, module: str, texts: dict[str, str]) -> str | None:
    """The source of the project's ``module`` (scanned by :func:`modules`, or a deeper one read from its file)."""
    if module in texts:
        return texts[module]
    for base in (root, root / "src"):
        for path in (base / (module.replace(".", "/") + ".py"), base / module.replace(".", "/") / "__init__.py"):
            if path.is_file():
                return _text(path, "replace")
    return None


def django_health(root: Path, urlconf: str, texts: dict[str, str], prefix: str = "",
                  seen: frozenset = frozenset(), views: list[str] | None = None) -> tuple[str | None, str]:
    """The health route of a Django urlconf, with the prefixes of the ``include()``s it is under, read with
    ``ast`` from the project's own modules (nothing imported): ``path("polls/", include("polls.urls"))`` and
    ``path("health/", ...)`` in polls/urls.py give ``polls/health/``. (route or None, what could not be read:
    an include of something other than a module name, a urlconf that is not the project's). ``views`` gets the
    routes of views that take no argument, in order (an app's ``*.urls``, the admin's, left out)."""
    views = [] if views is None else views
    text = module_text(root, urlconf, texts)
    if text is None or urlconf in seen:
        return None, f"{urlconf} is not a module of the project" if text is None else ""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None, f"{urlconf} does not parse"
    unread = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "path"
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            continue
        route, target = node.args[0].value, node.args[1]
        if isinstance(target, ast.Call) and getattr(target.func, "id", getattr(target.func, "attr", "")) == "include":
            module = target.args[0] if target.args else None
            if isinstance(module, ast.Tuple) and module.elts:
                module = module.elts[0]
            if isinstance(module, ast.Constant) and isinstance(module.value, str):
                found, why = django_health(root, module.value, texts, prefix + route, seen | {urlconf}, views)
                if found:
                    return found, ""
                unread += [why] if why else []
            else:
                unread.append(f"include() under {prefix + route!r} in {urlconf} names no module")
        elif route.rstrip("/") in HEALTH_ROUTES:
            return prefix + route, ""
        elif "<" not in route and not (isinstance(target, ast.Attribute) and target.attr == "urls"):
            views.append(prefix + route)
    return None, "; ".join(unread)


def django_project(settings: str, texts: dict[str, str]) -> tuple[str, str, list[str]]:
    """(the project package, the settings module the servers run, notes) of a Django project whose manage.py
    names ``settings``. The project package is the one whose ``wsgi.py`` the server imports (startproject puts it
    beside the settings; a settings package, ``mysite/settings/{base,dev,prod}.py``, is one level deeper), and
    the servers run the settings that ``wsgi.py`` names: manage.py's are the developer's (``mysite.settings.dev``
    beside ``mysite.settings.prod``)."""
    wsgi = max((mod for mod, text in texts.items() if mod.endswith(".wsgi") and settings.startswith(mod[:-4])
                and re.search(r"^application\s*=", text, re.M)), key=len, default=None)
    if wsgi is None:
        return settings.rsplit(".", 1)[0], settings, []
    served = m.group(1) if (m := SETTINGS_RE.search(texts[wsgi])) else settings
    if served == settings:
        return wsgi[:-5], settings, []
    return wsgi[:-5], served, [f"DJANGO_SETTINGS_MODULE = {served!r}: the settings {wsgi.replace('.', '/')}.py "
                               f"names, which the servers run (manage.py names {settings!r}, the developer's)"]


PROD_SETTINGS_RE = re.compile(r"(?:^|_)prod(?:uction)?(?:_|$)")


def production_settings(root: Path, settings: str, texts: dict[str, str]) -> tuple[str, list[str]]:
    """(the settings the servers run, notes) when manage.py and wsgi.py both name ``settings``: Django's deployment
    docs choose the servers' settings by the environment (DJANGO_SETTINGS_MODULE on the server), so the project's
    one module named for production (``settings_production``, ``production_settings``, ``settings/prod.py``) that
    is built on ``settings`` (star-imports it) is theirs. Two such modules are no choice: a note names them."""
    found = [mod for mod in texts if mod != settings and PROD_SETTINGS_RE.search(mod.rsplit(".", 1)[-1])
             and settings in settings_chain(root, mod, texts)]
    if len(found) == 1:
        return found[0], [f"DJANGO_SETTINGS_MODULE = {found[0]!r}: the production settings built on {settings!r} "
                          "(which manage.py and wsgi.py name: the developer's); the servers run them"]
    if found:
        return settings, [f"DJANGO_SETTINGS_MODULE = {settings!r}, manage.py's: the project has {', '.join(found)}, "
                          "built on it; set the one the servers run in env"]
    return settings, []


def settings_chain(root: Path, settings: str, texts: dict[str, str], seen: frozenset = frozenset()) -> list[str]:
    """The modules Django runs for the settings module ``settings``, in order: each module it star-imports (a
    split settings package's ``from .base import *``) before it, so a setting made in a base is the module's
    unless the module sets it again."""
    if settings in seen:
        return []
    try:
        tree = ast.parse(module_text(root, settings, texts) or "")
    except SyntaxError:
        return [settings]
    package = settings.rsplit(".", 1)[0] if "." in settings else ""
    if module_file(root, settings).endswith("/__init__.py"):  # a settings package: its level 1 is itself
        package = settings
    chain = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            up = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = f"{up}.{node.module}" if node.level and node.module else (up if node.level else node.module)
            if module:
                chain += settings_chain(root, module, texts, seen | {settings})
    return chain + [settings]


def settings_source(root: Path, settings: str, texts: dict[str, str]) -> str:
    """The source of the settings module ``settings`` after the source of each module it star-imports."""
    return "\n".join(module_text(root, m, texts) or "" for m in settings_chain(root, settings, texts))


def _path(node: ast.expr, names: dict[str, PurePosixPath], here: PurePosixPath) -> PurePosixPath | None:
    """The path ``node`` computes, or None: the forms settings build paths with (``Path(__file__).resolve()
    .parent.parent``, ``BASE_DIR / "static"``, ``os.path.join(BASE_DIR, "static")``, ``os.path.dirname(...)``,
    ``str(...)``), with ``__file__`` the settings module's own file; a relative string is relative to the project
    (manage.py's directory, where pack runs collectstatic)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return PurePosixPath("/", node.value) if node.value.startswith("/") else PurePosixPath(node.value)
    if isinstance(node, ast.Name):
        return here if node.id == "__file__" else names.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _path(node.left, names, here), _path(node.right, names, here)
        return left / right if left is not None and right is not None else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return base.parent if (base := _path(node.value, names, here)) is not None else None
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    if _env_read(node) and len(node.args) == 2:  # os.environ.get("X", default): on the runner (collectstatic), default
        return _path(node.args[1], names, here)
    callee, args = _callee(node.func), [_path(a, names, here) for a in node.args]
    if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute") and not node.args:
        return _path(node.func.value, names, here)
    if isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath" and None not in args:
        base = _path(node.func.value, names, here)
        return base.joinpath(*args) if base is not None else None  # type: ignore[arg-type]
    if None in args or not args:
        return None
    if callee in ("Path", "PurePath", "str", "abspath", "realpath", "normpath") and len(args) == 1:
        return args[0]
    if callee == "dirname" and len(args) == 1:
        return args[0].parent  # type: ignore[union-attr]
    if callee == "join":
        return PurePosixPath(*args)  # type: ignore[arg-type]
    return None


def settings_path(root: Path, settings: str, texts: dict[str, str], name: str) -> PurePosixPath | None:
    """The path the setting ``name`` (``STATIC_ROOT``) names, relative to the project when it lies in it (an
    absolute path when not), as Django computes it: each module of the settings' chain with its own
    ``__file__`` (``BASE_DIR`` is where the settings file says, not the project's top: a src/ layout's
    ``Path(__file__).resolve().parent.parent`` is ``src``). None: not set, or computed some other way."""
    top = PurePosixPath("/", root.resolve().as_posix())
    names: dict[str, PurePosixPath] = {}
    for module in settings_chain(root, settings, texts):
        try:
            tree = ast.parse(module_text(root, module, texts) or "")
        except SyntaxError:
            continue
        here = top / module_file(root, module)
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = _path(node.value, names, here)
                if value is None:
                    names.pop(node.targets[0].id, None)
                else:
                    names[node.targets[0].id] = value if value.is_absolute() else top / value
    found = names.get(name)
    if found is None:
        return None
    found = PurePosixPath(os.path.normpath(found))
    return found.relative_to(top) if found.is_relative_to(top) else found


def build_settings(root: Path, texts: dict[str, str], developer: str, served: str,
                   static_root: PurePosixPath) -> tuple[list[str], str]:
    """(build, a note) for a Django project whose servers' settings read secrets from the environment
    (``config_as_env``): pack runs ``collectstatic`` on this machine, where that environment is not, so their
    import fails (``KeyError: 'DJANGO_SECRET_KEY'``). manage.py's settings (the developer's) collect into the same
    STATIC_ROOT when split settings share it: build with those; else the note says what to change."""
    if developer != served and settings_path(root, developer, texts, "STATIC_ROOT") == static_root:
        return ([f"python manage.py collectstatic --noinput --settings {developer}"],
                f"build collects static files with {developer} (manage.py's settings, the same STATIC_ROOT): "
                f"{served} needs the servers' environment (config_as_env), which pack, on this machine, has not")
    return (["python manage.py collectstatic --noinput"],
            f"pack runs collectstatic on this machine with {served}, without the servers' environment "
            "(config_as_env): read its secrets with os.environ.get(...) so that the settings import without them, "
            "or the build fails with a KeyError")


def media_note(url: str, texts: dict[str, str], placed: bool = True) -> str:
    """Uploads (MEDIA_ROOT: shared/media on the servers) are answered at MEDIA_URL by nothing there unless the app
    serves them: Apache may not read shared/, and Django's ``static()`` helper adds no URL when DEBUG is False."""
    helper = (" (the urls' static(settings.MEDIA_URL, ...) adds no URL when DEBUG is False)"
              if re.search(r"\bstatic\(\s*(?:settings\.)?MEDIA_URL", "\n".join(texts.values())) else "")
    where = "uploads go to shared/media on the servers" if placed else \
        "uploads belong in shared/media on the servers (see MEDIA_ROOT above)"
    return (f"MEDIA_URL {url}: {where}, which Apache may not read, so nothing "
            f"answers {url} there{helper}: serve them with a view of the app, e.g. "
            f"re_path(r'^{url[1:]}(?P<path>.*)$', django.views.static.serve, "
            "{'document_root': settings.MEDIA_ROOT}) in the urls, or a view that checks "
            "who may see the file and returns a FileResponse")


def detect_django(root: Path, name: str, settings: str, texts: dict[str, str]) -> Detected:
    """A Django project: ``<project>.wsgi:application``, DJANGO_SETTINGS_MODULE in ``env``, ``migrate`` after
    each deploy (a migration tool: safe to repeat), ``collectstatic`` at pack time into STATIC_ROOT (a dir of
    each release, served by Apache at STATIC_URL: a rollback serves the old files), the database and media in
    shared paths (the config file init writes points Django there)."""
    developer = settings  # manage.py's
    project, settings, split = django_project(settings, texts)
    if settings == developer:
        settings, split = production_settings(root, settings, texts)
    d = Detected(name=name, app=app_name(project), entry_point=f"{project}.wsgi:application", framework="django",
                 settings=settings, env={"DJANGO_SETTINGS_MODULE": settings}, shared_paths=["data", "media"],
                 post_deploy=["django-admin migrate --noinput"], post_deploy_safe=True)
    d.notes += split
    if not re.search(r"^application\s*=", texts.get(f"{project}.wsgi", ""), re.M):
        d.notes.append(f"{project}/wsgi.py has no module-level `application` (Django's startproject writes one): "
                       "set entry_point to your WSGI callable")
    settings_text = settings_source(root, settings, texts)
    if m := ENVVAR_RE.search(settings_text):
        d.config_env = m.group(1) or m.group(2)
    elif env_config(root, d, env_reads(settings_text)):
        d.config_env, d.env_values = f"{d.app.upper()}_CONFIG", data_places(settings_text, d.app)
        d.places.update(d.env_values)  # (an env file kept from an earlier init may lack them: unset_places)
        if at := fixed_sqlite_at(root, settings, texts):  # an env file cannot move it: the code must read a variable
            d.notes.append(f"{at}: DATABASES' SQLite NAME is not read from the "
                           "environment: on the servers it lies in the release's venv, which the app user cannot "
                           "write and every release replaces (the deploy is refused); read it from a variable, "
                           "'NAME': os.environ.get(\"DJANGO_DB_PATH\", BASE_DIR / \"db.sqlite3\"), and set "
                           f"DJANGO_DB_PATH=/var/www/{d.app}/shared/data/db.sqlite3 in the env file ({d.config_file})")
        if media_at := fixed_media_at(root, settings, texts):
            d.notes.append(f"{media_at}: MEDIA_ROOT is not read from the environment: on the servers it lies in the "
                           "release's venv, which the app user cannot write and every release replaces (uploads "
                           "fail); read it from a variable, MEDIA_ROOT = os.environ.get(\"DJANGO_MEDIA_ROOT\", "
                           f"BASE_DIR / \"media\"), and set DJANGO_MEDIA_ROOT=/var/www/{d.app}/shared/media in the env "
                           f"file ({d.config_file})")
    else:
        d.config_env = f"{d.app.upper()}_CONFIG"
        read = env_reads(settings_text)
        besides = (f" (it reads {', '.join(read[:6])} from the environment: deploy.toml's env may give the ones "
                   "that are not secret; secrets belong in the config file)") if read else ""
        d.notes.append(f"{module_file(root, settings)} runs no config file of the servers'{besides}; the deploy "
                       "refuses a release that does not read the config it installs: add at its end (with "
                       f"`import os` and `from pathlib import Path`):\n{SETTINGS_HOOK.format(env=d.config_env)}")
    if not d.config_as_env:
        d.config_file, d.new_config = config_file(root, notes=d.notes)
    urlconf = ROOT_URLCONF_RE.search(settings_text)
    views: list[str] = []
    found, unread = django_health(root, urlconf.group(1) if urlconf else f"{project}.urls", texts, views=views)
    if found:
        d.health_path = "/" + found
    elif m := DJANGO_ROUTE_RE.search("\n".join(texts.values())):
        d.health_path = "/" + m.group(1)
        d.notes.append(f"health_path = {d.health_path!r} is a guess: a path({m.group(1)!r}, ...) was found, but not "
                       "through the urls' include()s" + (f" ({unread})" if unread else "") + ": a route under "
                       "include('<prefix>', ...) is served at /<prefix>" + m.group(1) + "; check health_path")
    else:
        d.health_path = "/" + (views[0] if views else "")  # a path the urls serve: '/' may be none
        d.notes.append(f"no health/ route found in the urls: the deploy gate GETs {d.health_path!r}, "
                       + ("the first view without arguments in them" if views else "which no view of them serves")
                       + " (add a view that answers 200 when the app is ready, and set health_path)")
    static_root = settings_path(root, settings, texts, "STATIC_ROOT")
    static_url = STATIC_URL_RE.search(settings_text)
    if static_root and not static_root.is_absolute() and static_url and static_url.group(1):
        d.static = {"/" + static_url.group(1): static_root.as_posix()}
        d.build = ["python manage.py collectstatic --noinput"]
        if d.config_as_env:  # pack builds here, without the servers' environment their settings need
            d.build, note = build_settings(root, texts, developer, settings, static_root)
            d.notes.append(note)
        if MANIFEST_RE.search(settings_text) and (at := fixed_media_at(root, settings, texts, "STATIC_ROOT")):
            where = f"DJANGO_STATIC_ROOT=/var/www/{d.app}/current/staticfiles in the env file ({d.config_file})" \
                if d.config_as_env else f"that variable to /var/www/{d.app}/current/staticfiles on the servers"
            d.notes.append(f"{at}: STATIC_ROOT is not read from the environment, and the manifest storage reads "
                           "its staticfiles.json from there whenever a page names a static file: on the servers "
                           "STATIC_ROOT lies in the release's venv, where nothing was collected (the page answers "
                           "500: Missing staticfiles manifest entry; the admin's login does); read it from a "
                           "variable, STATIC_ROOT = os.environ.get(\"DJANGO_STATIC_ROOT\", BASE_DIR / "
                           f"\"staticfiles\"), and set {where}, the files Apache serves")
    elif static_root and static_root.is_absolute():
        d.notes.append(f"STATIC_ROOT is {static_root}, outside the project: pack ships static files from a dir of "
                       "the project (STATIC_ROOT = BASE_DIR / 'staticfiles'), then static and build in deploy.toml")
    else:
        d.notes.append("no STATIC_ROOT (a path such as BASE_DIR / 'staticfiles') and STATIC_URL in the settings: "
                       "static files are not served (set both, then static and build in deploy.toml)")
    if (media := MEDIA_URL_RE.search(settings_text)) and media.group(1):
        d.notes.append(media_note("/" + media.group(1) + "/", texts, placed=not (
            d.config_as_env and fixed_media_at(root, settings, texts))))
    if not re.search(r"^LOGGING\b", settings_text, re.M):
        d.notes.append("no LOGGING in the settings: with DEBUG = False Django logs a 500's traceback nowhere but in a "
                       "mail to ADMINS, so neither Apache's error log nor the gate's report can name it; log "
                       "django.request to the console (mod_wsgi writes it to the error log): LOGGING = "
                       "{\"version\": 1, \"disable_existing_loggers\": False, \"handlers\": {\"console\": {\"class\": "
                       "\"logging.StreamHandler\"}}, \"loggers\": {\"django\": {\"handlers\": [\"console\"], "
                       "\"level\": \"INFO\"}}}")
    if ADMIN_RE.search(settings_text):
        d.notes.append('the admin is installed: create its user on the servers once deployed, with fab target NAME '
                       'run "DJANGO_SUPERUSER_PASSWORD=... django-admin createsuperuser --noinput --username admin '
                       '--email you@example.com" (fab run is not interactive)')
    compile_catalogs(root, d)
    return d


def deploy_toml(d: Detected) -> str:
    """The commented ``deploy.toml`` for ``d``."""
    def opt(key: str, value, comment: str, active: bool = True) -> str:
        text = f"{key:<14} = {_toml(value)}"
        return f"{'' if active else '# '}{text:<44} # {comment}"

    lines = [
        f"# deploytests: how {d.name} is deployed (written by `deploytests init`; edit freely).",
        "# Every key but app and entry_point is optional. `pytest --fixtures` and the README say more.",
        "",
        opt("app", d.app, "the server tree /var/www/<app>, vhost, daemon"),
        opt("entry_point", d.entry_point, "module:attr or module:factory()"),
        opt("config_env", d.config_env or f"{d.app.upper()}_CONFIG",
            "env var naming the config file" + ("" if d.config_env else " (none found)"),
            active=bool(d.config_env)),
        *([opt("config_path", d.config_path, d.config_note)] if d.config_path else []),
        opt("config_file", d.config_file or "config/production.cfg",
            "app config uploaded to the servers (0640, group <app>)", active=bool(d.config_file)),
        *([opt("config_as_env", True, "config_file's NAME=value lines are the app's environment")]
          if d.config_as_env else []),
        opt("health_path", d.health_path or "/", "must answer 200 from the new release"),
        opt("shared_paths", d.shared_paths or ["instance"],
            "dirs under shared/, linked into every release",
            active=bool(d.shared_paths)),
    ]
    if d.default_instance:
        lines += comment("\n".join(instance_note(d)), "#   ", "#   ")
    elif d.shared_paths == ["instance"]:
        lines += comment("the daemon runs in the release dir: Flask(__name__, instance_path=os.path.abspath("
                         "\"instance\"))\nkeeps the instance folder (a SQLite database) in shared/instance across "
                         "releases", "#   ")
    if d.env:
        lines.append(opt("env", d.env, "the app's environment (not secret): daemons, post_deploy, build, run"))
    else:
        lines.append(opt("env", {"FEATURE_FLAG": "1"}, "the app's environment (not secret)", active=False))
    lines.append(opt("static", d.static or {"/static": f"{d.app}/static"}, "served by Apache from each release",
                     active=bool(d.static)))
    if d.build:
        lines.append(opt("build", d.build, "run by pack here, before the wheel and static dirs"))
    lines += [
        "# post_deploy: commands run in the new release before it goes live, on EVERY deploy (a config change, a",
        "#   release then refused by its health check too), against the live shared data (shared/, the database).",
        "#   They must be safe to repeat: CREATE TABLE IF NOT EXISTS, a migration tool -- never a DROP TABLE.",
    ]
    if d.post_deploy and not d.post_deploy_safe:
        lines.append("#   Found in the code; check that the command keeps existing data, then uncomment it.")
    for path in d.drops_tables:
        lines += comment(f"{path} drops tables (DROP TABLE): as a post_deploy it would empty the\n"
                         "live database on every deploy.", "#   WARNING: ", "#   ")
    lines += [
        opt("post_deploy", d.post_deploy or ([f"python -m {d.entry_point.split(':')[0].split('.')[0]}.migrate"]
                                             if d.framework == "wsgi" else
                                             [f"flask --app {d.entry_point.split(':')[0]} init-db"]),
            "a migration tool: safe to repeat" if d.post_deploy_safe else "only if it keeps the data (see above)"
            if d.post_deploy else "an example (no such command found): your schema command, if it keeps the data",
            active=d.post_deploy_safe),
        opt("keep_releases", 5, ">= 2: the live release and the one to roll back to", active=False),
        opt("server_name", "localhost", "the vhost's ServerName", active=False),
        opt("port", 80, "the vhost's port", active=False),
        opt("app_user", d.app, "system user the mod_wsgi daemon runs as", active=False),
        opt("deploy_user", "deployer", "login owning releases/ (default: the bootstrap login)", active=False),
    ]
    for note in d.notes:
        lines += comment(note, "# NOTE: ")
    text = "\n".join(lines) + "\n"
    toml_loads(text)  # every value went through _toml and every free text through comment()
    return text


def comment(text: str, first: str = "# ", rest: str = "") -> list[str]:
    """``text`` (any lines: a note, a warning, code to copy) as TOML comment lines: ``first`` before the first
    line, ``rest`` (default: ``#`` and first's width in spaces) before each further one. The one way init writes
    free text into a TOML file, so a line break in the text cannot end the comment."""
    rest = rest or "#" + " " * (len(first) - 1)
    return [(first if i == 0 else rest) + line
            for i, line in enumerate(text.replace("\r", "\n").split("\n"))]


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a TOML basic string: JSON's escapes (\\, \", \n, \uXXXX) are TOML's
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k if re.fullmatch(r'[A-Za-z0-9_-]+', k) else _toml(k)} = {_toml(v)}"
                                for k, v in value.items()) + " }"
    return str(value)


TARGETS_TOML = """\
# deploytests inventory (written by `deploytests init`): `pytest ... --target NAME`, `fab target NAME deploy`.
# Relative paths are relative to this file. Host keys are always checked against known_hosts.

# The built-in target: throwaway containers (Debian, sshd, Apache + mod_wsgi) on this machine's Docker engine.
# It needs no entry; one may name the app config uploaded there.
# [targets.docker]
# kind = "docker"
# config_file = "config/docker.cfg"

# A real target, commented out until its servers exist:
# [targets.staging]
# hosts = ["deployer@web1.staging.example.com", "deployer@web2.staging.example.com:2222"]
# identity_file = "~/.ssh/deploy_staging"        # the deploy login's private key
# known_hosts = "staging_known_hosts"            # the servers' host keys (an unknown or changed key stops the run)
# base_url = "https://staging.example.com"       # where the runner reaches the site
# config_file = "config/staging.cfg"             # the app config uploaded there (default: deploy.toml's)
# deploy = true                                  # the gate may deploy there (default false: verify only)
# destructive = false                            # failure-injection scenarios (default false)
"""

CONFIG_CFG = """\
# The app config deploytests uploads to the servers (deploy.toml: config_file = "{path}"). It is installed
# 0640 (the deploy login and the app user read it) at the path the app reads from ${env}, in the format the
# app reads: {fmt}. Put the servers' settings here, or point
# config_file (in deploy.toml, or per target in targets.toml) at a file kept out of version control. Written
# by `deploytests init`; edit freely.

{example}
"""
# How the module that reads the config env var parses the file (the first that matches): what init's file says
CONFIG_FORMATS = (
    (re.compile(r"from_envvar\(|from_pyfile\(|\bexec\(|\brun_path\("),
     'Python syntax (Flask\'s app.config.from_envvar("{env}"))', '# SECRET_KEY = "change me"'),
    (re.compile(r"\bconfigparser\b|ConfigParser\(|\.load_config\("),
     "INI (configparser): a [section] line, then key = value lines",
     "# [{app}]\n# secret_key = change me"),
    (re.compile(r"\bload_dotenv\(|\bdotenv_values\("), "NAME=value lines (python-dotenv)",
     "# SECRET_KEY=change me"),
    (re.compile(r"\btomllib\b|\btoml\.load"), "TOML", '# secret_key = "change me"'),
    (re.compile(r"\bjson\.load"), "JSON (json.load): replace this whole file with the app's JSON object, JSON has no "
     "comments", '# {{"secret_key": "change me"}}'),
)


# A Flask app's key in each format Flask's own loaders read into app.config (from_envvar/from_pyfile, from_file with
# tomllib or json): UPPERCASE whatever the format (Flask takes only those), valid as the whole file for JSON
FLASK_KEYS = {CONFIG_FORMATS[0][1]: 'SECRET_KEY = "{}"  # random, made by init: these servers\' own',
              CONFIG_FORMATS[3][1]: 'SECRET_KEY = "{}"  # random, made by init',
              CONFIG_FORMATS[4][1]: '{{"SECRET_KEY": "{}"}}'}


def flask_key(d: Detected) -> bool:
    """Whether the config init writes for ``d`` is a Flask app's config in a format Flask reads: it then sets a
    random SECRET_KEY (commented out, or lowercase as a TOML example would be, the servers' sessions would be signed
    with the factory's ``SECRET_KEY="dev"``, or with none)."""
    return d.framework == "flask" and not d.config_values and \
        (d.config_format or CONFIG_FORMATS[0][1:])[0] in FLASK_KEYS


def config_format(texts: dict[str, str], env: str) -> tuple[str, str]:
    """(the format, a commented example) of the config the modules reading ``env`` parse; Python syntax if unknown."""
    reading = "\n".join(t for t in texts.values() if env in t)
    return next(((fmt, example) for pattern, fmt, example in CONFIG_FORMATS if pattern.search(reading)),
                CONFIG_FORMATS[0][1:])

PYFILE_CFG = """\
# The app config deploytests uploads to the servers (deploy.toml: config_file = "{path}"), installed as
# {config_path}: the instance folder's config the app reads with from_pyfile (Python syntax), beside its
# database. Put the servers' settings here; keep the real file out of version control. Written by
# `deploytests init`, with a random SECRET_KEY of its own making (a key only these servers know).

SECRET_KEY = "{secret}"
"""

FABFILE = "from deploytests.tasks import *  # noqa: F401,F403  pack, bootstrap, deploy, rollback, status, run, target\n"

DEPLOY_TEST = '''\
"""Deploy checks of {name}: they run against the deployed site, once per server.

Run with the built-in suite (the gate): ``pytest --pyargs deploytests.suite tests/deploy`` (throwaway
containers), or ``... --target staging`` (servers of targets.toml). The fixtures (``pytest --fixtures``):
``deploy_http`` (a requests session for the server's site), ``deploy_host`` (a testinfra Host over SSH),
``deploy_server``, ``deploy_config`` (deploy.toml), ``deployment`` (the release each server serves).
"""

import pytest


def test_health_answers_from_the_deployed_release(deploy_http, deploy_server, deploy_config, deployment):
    resp = deploy_http.get(deploy_config.health_path)
    assert resp.status_code == 200, f"GET {{resp.url}} -> {{resp.status_code}}: {{resp.text[:200]!r}}"
    served, deployed = resp.headers.get("X-Deploy-Release"), deployment[deploy_server.label].release_id
    assert served == deployed, f"GET {{resp.url}} answered from release {{served}}, not from the deployed {{deployed}}"


{post_test}{static_test}

def test_current_points_at_a_complete_release(deploy_host, deploy_config):
    current = deploy_host.file(f"{{deploy_config.root}}/current")
    assert current.is_symlink, f"{{deploy_config.root}}/current is not a symlink"
    assert deploy_host.file(f"{{current.linked_to}}/RELEASE.json").is_file, f"{{current.linked_to}}: no RELEASE.json"


@pytest.mark.deploytests_deploys  # skipped (with the reason) on targets without deploy = true
def test_live_release_is_the_packed_one(deploy_host, deploy_config, deploy_artifact):
    python = f"{{deploy_config.root}}/current/venv/bin/python"
    out = deploy_host.check_output(f"{{python}} -c 'import importlib.metadata as m; "
                                   f"print(m.version(\\"{{deploy_artifact.name}}\\"))'")
    assert out.strip() == deploy_artifact.version, (f"the live release runs {{deploy_artifact.name}} {{out.strip()}}, "
                                                    f"not the packed {{deploy_artifact.version}}")
'''

POST_TESTS = {
    "flask": '''def test_health_route_refuses_a_post(deploy_http, deploy_config):
    # A POST, with the session's cookies kept between requests. Replace with one of your app's forms or APIs:
    #   resp = deploy_http.post("/items", json={"name": "x"}); assert resp.status_code == 201
    #   assert deploy_http.get("/items").json()[-1]["name"] == "x"
    resp = deploy_http.post(deploy_config.health_path, data={"probe": "1"})
    assert resp.status_code == 405, f"POST {resp.url} -> {resp.status_code}, expected 405 (GET only)"
''',
    "django": '''def test_admin_login_form_posts_with_its_csrf_token(deploy_http):
    # A form POST through Django's CSRF protection: GET the form (the session keeps its csrftoken cookie), then
    # POST with the token. Replace with one of your app's forms.
    form = deploy_http.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token, f"GET {form.url} -> {form.status_code}: {form.text[:200]!r}"
    resp = deploy_http.post("/admin/login/", data={"csrfmiddlewaretoken": token[1], "username": "nobody",
                                                   "password": "wrong"})
    # the login is refused (200, the form again), not the POST (403: "CSRF verification failed")
    assert resp.status_code == 200 and "CSRF verification failed" not in resp.text, \
        f"POST {resp.url} -> {resp.status_code}: {resp.text[:200]!r}"
''',
    "any": '''def test_a_post_gets_an_answer(deploy_http, deploy_config):
    # A POST, with the session's cookies kept between requests. init found no GET-only health route, so this
    # checks only that the app answers it (no 5xx). Replace with one of your app's forms or APIs:
    #   resp = deploy_http.post("/items", json={"name": "x"}); assert resp.status_code == 201
    resp = deploy_http.post(deploy_config.health_path, data={"probe": "1"})
    assert resp.status_code < 500, f"POST {resp.url} -> {resp.status_code}: {resp.text[:200]!r}"
''',
}

STATIC_TEST = '''

def test_static_file_is_served_by_apache(deploy_http):
    # a file of your static dir (deploy.toml's static), answered by Apache itself: no X-Deploy-Release
    resp = deploy_http.get("{path}")
    assert resp.status_code == 200, f"GET {{resp.url}} -> {{resp.status_code}}: not a file of the static dir"
    kind = resp.headers.get("Content-Type", "")
    assert kind.startswith("{type}"), f"GET {{resp.url}} -> Content-Type {{kind!r}}, expected {type}"
    assert "X-Deploy-Release" not in resp.headers, f"GET {{resp.url}} was answered by the app, not by Apache"
'''


def deploy_test(d: Detected, root: Path) -> str:
    """The example deploy test for ``d``'s framework: a POST that passes on it (Django: CSRF-aware), and a
    static file served by Apache when the project has a static dir."""
    static = ""
    admin = d.framework == "django" and bool(ADMIN_RE.search(settings_source(root, d.settings, {})))
    # a check that passes on the app as init read it: a GET-only health route refuses a POST (405); Django's
    # admin login form takes one with its CSRF token; anything else only has to answer a POST without a 5xx
    post = "flask" if d.framework == "flask" and d.health_get_only else "django" if admin else "any"
    if admin:
        prefix = next(iter(d.static), "")
        if prefix:
            static = STATIC_TEST.format(path=f"{prefix}/admin/css/base.css", type="text/css")
    elif d.static:
        prefix, directory = next(iter(d.static.items()))
        files = sorted(p for p in _inside(root / directory).rglob("*") if p.is_file())
        if files:
            kind = mimetypes.guess_type(files[0].name)[0] or ""
            static = STATIC_TEST.format(path=f"{prefix}/{files[0].relative_to(root / directory).as_posix()}",
                                        type=kind)
    text = DEPLOY_TEST.format(name=d.name, post_test="{post_test}", static_test="{static_test}")
    text = text.replace("{post_test}", POST_TESTS[post]).replace("{static_test}", static)
    return text.replace("import pytest\n", "import re\n\nimport pytest\n") if post == "django" else text


IGNORE_DEPLOY = "--ignore=tests/deploy"


def ini_keys(root: Path, d: Detected) -> dict:
    """The pytest ini keys for the project: ``addopts`` leaves tests/deploy out of a plain ``pytest`` (the gate
    names it); ``testpaths = ["tests"]`` only when tests/ holds pytest files besides tests/deploy (a testpaths
    that collects nothing makes a plain ``pytest`` exit 5), never for Django (its tests are ``<app>/tests.py``,
    run by ``manage.py test``)."""
    tests = root / "tests"
    found = d.framework != "django" and tests.is_dir() and any(
        p.relative_to(tests).parts[0] != "deploy" for pattern in ("test_*.py", "*_test.py")
        for p in tests.rglob(pattern))
    return {**({"testpaths": ["tests"]} if found else {}), "addopts": IGNORE_DEPLOY}


INI_COMMENT = ("# tests/deploy deploys to servers: plain `pytest` leaves it out; the gate names it:\n"
               "#   pytest --pyargs deploytests.suite tests/deploy")

NEXT = """\
Next:
  1. Check deploy.toml (entry_point, config_file: the app config your servers get; post_deploy: runs on every
     deploy against the live data, so only a command that keeps it).
  2. The gate on throwaway containers (needs Docker: `deploytests engine up` as root):
       pytest --pyargs deploytests.suite tests/deploy
  3. Real servers: fill in targets.toml, then
       fab target staging bootstrap          # once per new server (passwordless sudo)
       fab target staging pack deploy        # or: fab -H deployer@web1,deployer@web2 pack deploy
       pytest --pyargs deploytests.suite tests/deploy --target staging
"""


def pytest_config(root: Path) -> str | None:
    """Where the project configures pytest already (a file name), or None."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "pytest" in toml_loads(_text(pyproject)).get("tool", {}):
                return "pyproject.toml"
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return "pyproject.toml"
    for name in PYTEST_INI:
        path = root / name
        if path.is_file() and (name == "pytest.ini" or "[pytest]" in _text(path, "replace")
                               or "[tool:pytest]" in _text(path, "replace")):
            return name
    return None


def ini_block(keys: dict, toml: bool = True) -> str:
    """The ini ``keys``, as a ``[tool.pytest.ini_options]`` table (``toml``) or as ini lines."""
    if toml:
        return "[tool.pytest.ini_options]\n" + INI_COMMENT + "\n" + "".join(
            f"{k} = {_toml(v)}\n" for k, v in keys.items())
    return INI_COMMENT + "\n" + "".join(
        f"{k} = {' '.join(v) if isinstance(v, list) else v}\n" for k, v in keys.items())


def wsgi_scripts(root: Path) -> list[str]:
    """The project's own mod_wsgi scripts (``*.wsgi``: Pyramid's and Flask's mod_wsgi docs write one, its paths
    hard-coded for one machine), at the top or one dir down: the servers run deploytests' ``application.wsgi``."""
    return sorted(p.relative_to(root).as_posix() for pattern in ("*.wsgi", "*/*.wsgi") for p in root.glob(pattern)
                  if p.is_file() and not any(d.startswith(".") or d in SKIP for d in p.relative_to(root).parts[:-1]))


@_in_project
def init(root: Path, *, out=print) -> int:
    """Write the starter files into ``root`` (never over a file); return the number of files written."""
    root = Path(root).resolve()
    d = detect(root)
    d.notes += [f"{script} is not what the servers run: their application.wsgi (deploytests') imports entry_point = "
                f"{d.entry_point!r}, the config's path in ${d.config_env or d.app.upper() + '_CONFIG'}; keep in "
                "entry_point's module what the script does beyond that" for script in wsgi_scripts(root)]
    files = {
        "deploy.toml": deploy_toml(d),
        "targets.toml": TARGETS_TOML,
        "fabfile.py": FABFILE,
        "tests/deploy/test_deploy.py": deploy_test(d, root),
    }
    if d.written_module:
        files[d.written_module[0]] = d.written_module[1]
    if d.new_config and d.config_as_env:
        files[d.config_file] = ENV_CONFIG.format(path=d.config_file, lines="\n".join(
            f"{n}={d.env_values[n]}" if n in d.env_values else
            f"{n}={new_secret()}" if SIGNING_KEY_RE.search(n) else
            f"{n}={PLACEHOLDER}" if SECRET_NAME_RE.search(n) else f"# {n}=" for n in d.env_names))
    elif d.new_config and d.framework == "django":
        files[d.config_file] = DJANGO_CONFIG.format(path=d.config_file, env=d.config_env, root=f"/var/www/{d.app}",
                                                    secret=new_secret(),
                                                    settings_file=module_file(root, d.settings))
    elif d.new_config and d.config_path:
        files[d.config_file] = PYFILE_CFG.format(path=d.config_file, config_path=d.config_path, secret=new_secret())
    elif d.new_config:
        fmt, example = d.config_format or CONFIG_FORMATS[0][1:]
        example = example.format(app=d.app)
        if d.config_values:  # keys read through configparser: INI, whichever module reads the variable
            fmt, example = CONFIG_FORMATS[1][1:]
            example = example.format(app=d.app)
        elif flask_key(d):  # Flask signs sessions with it: a key of these servers' own, never the code's default
            example = FLASK_KEYS[fmt].format(new_secret())
        files[d.config_file] = CONFIG_CFG.format(path=d.config_file, env=d.config_env,
                                                 fmt=fmt.format(env=d.config_env), example=example)
        if fmt == CONFIG_FORMATS[4][1] and flask_key(d):  # JSON has no comments: the file is the object alone
            files[d.config_file] = example + "\n"
        sections: dict[str, list[str]] = {}
        for key, value in d.config_values.items():  # the keys placing the app's data, at their place in shared/
            section, _, option = key[1:].partition("] ")
            sections.setdefault(section, []).append(f"{option} = {value}")
        files[d.config_file] += "".join(f"\n[{sec}]\n" + "\n".join(lines) + "\n" for sec, lines in sections.items())
    for rel in [*files, "pyproject.toml"]:  # (every file init may write, before it writes one)
        _inside(root / rel)
    written, kept = 0, False
    has_deploy_config = has_table(root / "pyproject.toml")
    for rel, text in files.items():
        path = root / rel
        if rel == "deploy.toml" and has_deploy_config:
            out(f"  kept    {rel} (not written: pyproject.toml has [tool.deploytests])")
            kept = True
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x") as f:  # "x": never over an existing file, even one created meanwhile
                f.write(text)
        except FileExistsError:
            out(f"  kept    {rel} (exists; not overwritten)")
            kept = kept or rel == "deploy.toml"
            continue
        written += 1
        out(f"  wrote   {rel}" + (f"  (entry_point {d.entry_point})" if rel == "deploy.toml" else ""))
    if kept:  # what the kept file says, not what init would have written
        cfg = existing(root, out)
        if cfg is not None:  # the instance warning names the kept app and config file
            d.app = cfg.app
            d.config_file = _rel(cfg.config_file, root) if cfg.config_file is not None else ""
            for warning in unset_places(cfg, d):  # what the code now reads that the kept files do not set
                out(f"  {warning}")
    elif d.config_as_env:
        out(f"  note    config_file = {d.config_file!r}, config_as_env = true: the servers' environment for the app "
            "(its secrets too); a signing key (*SECRET_KEY) is random, made by init; replace each other placeholder "
            "there (a deploy refuses it)")
    elif d.written_module and d.config_file:
        out(f"  note    config_file = {d.config_file!r} is installed as {d.config_path}, where {d.written_module[0]} "
            f"reads it (${d.config_env}): put the servers' settings there (a target may name another ini)")
    elif d.config_file and not d.new_config:
        out(f"  note    config_file = {d.config_file!r}: the app reads {d.config_env}, and this file is what the "
            "servers get (a target may name another in targets.toml)")
    elif d.config_file and d.config_path:
        out(f"  note    config_file = {d.config_file!r} is installed as {d.config_path} (the instance folder's "
            "config), with a random SECRET_KEY made by init: keep it out of version control")
    elif d.config_file and d.framework == "django":
        out(f"  note    config_file = {d.config_file!r}: the servers' Django settings, read through {d.config_env}; "
            "its SECRET_KEY is random, made by init; fill in your site's name (ALLOWED_HOSTS) there")
    elif d.config_file:
        what = "the data places below, the rest commented" if d.config_values else \
            "a random SECRET_KEY made by init" if flask_key(d) else "commented settings only"
        out(f"  note    config_file = {d.config_file!r} ({what}): the app reads {d.config_env}; put "
            "the servers' settings there")
    if d.static and not kept:
        out(f"  note    static = {d.static!r}: Apache serves these from each release"
            + (f"; pack runs {d.build[0]!r} first (build)" if d.build else ""))
    if d.post_deploy and not kept and not d.post_deploy_safe:
        out(f"  note    post_deploy {d.post_deploy[0]!r} found but left commented out: it would run on every "
            "deploy against the live data; uncomment it only if it keeps existing data")
    for dropped in d.drops_tables:
        out(f"  WARNING {dropped} drops tables (DROP TABLE): as a post_deploy it would empty the live database on "
            "every deploy; make it CREATE TABLE IF NOT EXISTS (or use a migration tool) first")
    if tables := packaging(root, d):
        had = _append(root / "pyproject.toml", tables)
        names = ", ".join(re.findall(r"^(\[[^\]]+\])", tables, re.M))
        out(f"  {'added  ' if had else 'wrote  '} {names} to pyproject.toml: the project had no packaging "
            + ("(pack builds a wheel of the project and its apps, with their templates, static files and "
               "migrations)" if d.framework == "django" else "(pack builds a wheel of the app's module)")
            + ("; its dependencies: requirements.txt's lines" if requirements_txt(root) else
               "; add your requirements to [project] dependencies"))
    if (root / "migrations" / "env.py").is_file() and not (root / "migrations" / "__init__.py").exists():
        out("  WARNING migrations/ (Alembic's, as `flask db init` makes it) is outside the app's packages: the app's "
            "wheel, all a release holds of the project, does not ship it, so `flask db upgrade` in post_deploy "
            f"fails (Path doesn't exist: migrations); {into_package(root, d, 'migrations')}, "
            f"{ship_package_data(root)} and name it from the package: Migrate(app, db, directory=os.path."
            "join(os.path.dirname(__file__), \"migrations\"))")
    for folder in unshipped_templates(root, d, tables):
        how = django_templates(root, d, folder) or (f"{into_package(root, d, folder)}, {ship_package_data(root)} and "
                                                    "point the framework at it from the package "
                                                    "(os.path.dirname(__file__))")
        out(f"  WARNING {folder}/ holds templates outside the app's packages: the app's wheel, all a release holds "
            f"of the project, does not ship it, so the servers answer 'template not found'; {how}")
    if missing := unlisted_requirements(root):
        out(f"  WARNING requirements.txt lists {', '.join(missing)}, which [project].dependencies of pyproject.toml "
            "does not: the servers install only what the wheel declares (pack does not read requirements.txt); "
            "add them to [project].dependencies")
    keys, where = ini_keys(root, d), pytest_config(root)
    if where is not None and all(f"{k} =" in _text(root / where) for k in keys) \
            and IGNORE_DEPLOY in _text(root / where):
        out(f"  kept    {where}: its pytest keys are set")
    elif where is None:
        _append(root / "pyproject.toml", ini_block(keys))
        out(f"  added   [tool.pytest.ini_options] to pyproject.toml ({', '.join(keys)})")
    else:  # a key the file has already gets a value added, never a second line (pytest refuses duplicates)
        text = _text(root / where, "replace")
        have = {k for k in keys if re.search(rf"(?m)^[ \t]*{k}[ \t]*=", text)}
        out(f"  kept    {where}: it configures pytest already; add to it yourself:")
        if "addopts" in have and IGNORE_DEPLOY not in text:
            out(f"            {IGNORE_DEPLOY} in its addopts (tests/deploy deploys to servers: plain `pytest` "
                "leaves it out; the gate names it)")
        if new := {k: v for k, v in keys.items() if k not in have}:
            for line in ini_block(new, toml=where == "pyproject.toml").splitlines():
                out(f"            {line}")
    if d.framework == "django":
        out("  note    Django's tests (<app>/tests.py) run with `python manage.py test`, not a plain `pytest`; "
            "the deploy tests run with the gate: pytest --pyargs deploytests.suite tests/deploy")
    for note in [] if kept else d.notes:
        out(f"  note    {note}")
    if d.default_instance:
        out("  note    " + " ".join(instance_note(d)))
    out("")
    out(NEXT.rstrip("\n"))
    return written


def _append(pyproject: Path, tables: str) -> str:
    """Add ``tables`` at the end of ``pyproject`` (made if missing), after a blank line; return what it held."""
    text = _text(pyproject) if _inside(pyproject).is_file() else ""
    with open(pyproject, "a") as f:
        f.write(("\n" if text and not text.endswith("\n\n") else "") + tables)
    return text


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def existing(root: Path, out=print) -> DeployConfig | None:
    """Print what the project's kept deploy config says (the keys init would have guessed); return it (None when
    it does not load)."""
    try:
        cfg = load_config(root)
    except ConfigError as exc:
        out(f"  note    the kept deploy config does not load: {exc}")
        return None
    config = "(none)" if cfg.config_file is None else repr(_rel(cfg.config_file, root))
    out(f"  note    {_rel(cfg.source, root)} says: entry_point = {cfg.entry_point!r}, config_file = {config}, "
        f"post_deploy = {list(cfg.post_deploy)!r}")
    return cfg
