"""The app's deploy config: ``deploy.toml`` or ``[tool.deploytests]`` in the app's ``pyproject.toml``.

One frozen :class:`DeployConfig` per app, validated on load. Every bad value raises a one-line
:class:`~deploytests.errors.ConfigError` naming the file, the key and what is allowed::

    deploy.toml: key 'keep_releases' must be an integer from 2 to 1000, got 1.

Keys: :data:`FIELDS` (name, kind, default, doc and example of each, in one place: the same table checks a
file, names the allowed keys in errors and renders README.md's example block). ``app`` and ``entry_point`` are
required; ``config_env`` defaults to ``<APP>_CONFIG`` and ``app_user`` to ``app``. The rules shared with
``targets.toml`` (types, ranges, paths, unknown keys, encoding) live in :mod:`deploytests.schema`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError
from .schema import (
    Custom,
    Field,
    Flag,
    Integer,
    LocalPath,
    RelPaths,
    Strings,
    Table,
    Text,
    read_toml,
    regular_bytes,
    toml_loads,
    within,
)

APPS_ROOT = "/var/www"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
USER_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
ENTRY_RE = re.compile(r"^(?P<module>[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*)(?P<call>\(\))?$")


def config_path_problem(path: str, app: str) -> str | None:
    """Why ``path`` may not be ``app``'s config path on the server (None when it may).

    The deploy login installs it (its own file, the app group's to read), so it must name a file under
    ``/var/www/<app>/shared/`` (``shared/`` itself, a shared path such as Flask's instance folder, or a directory
    made for it). Decided on the normalised path components (``//`` and ``/./`` collapse, ``..`` is refused),
    never by string prefix; the deploy agent decides again on the server, where it also refuses any link."""
    if not path.startswith("/") or "\0" in path:
        return "must be an absolute path on the server"
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return "must not contain '..'"
    tree = ["var", "www", app, "shared"]
    if parts[:len(tree)] != tree or len(parts) == len(tree):
        return f"must name a file under {APPS_ROOT}/{app}/shared/ (the app's own tree, where deploys install it)"
    return None


# set while ``deploytests gate`` (the admin's gate) runs: the project is data, never code, and names no file of this
# machine outside itself: a run that deploys nothing does not pack it (packing runs its ``build`` commands and its
# build backend here), and a path its deploy.toml names is read only inside the project (:func:`confined`)
DATA_ONLY = "DEPLOYTESTS_GATE_DATA_ONLY"


def confined(cfg: DeployConfig) -> DeployConfig:
    """``cfg`` when the config file it names lies inside its project (real paths: a link of the checkout leading
    out is outside), or when none is named; else a ConfigError: the repository's deploy.toml named a file of this
    machine (``~/.aws/credentials``) that the admin's gate would read, hash and parse."""
    path, project = cfg.config_file, Path(cfg.project_dir).resolve()
    if path is None or within(path, project):
        return cfg
    raise ConfigError(f"config_file {path} lies outside the project {project}: the admin's gate and bootstrap "
                      f"(deploytests gate, deploytests fab bootstrap) read no file of this machine that the "
                      f"repository's deploy config names", where=str(cfg.source),
                      hint="name this app's config file in the target (targets.toml: config_file = \"...\")")


NO_ROOT = {"root": ("the app and its deploys never run as root",
                    "use a dedicated user (the app user is created by bootstrap; the deploy user is a login)")}

# The keys of deploy.toml / [tool.deploytests], in the order README.md shows them (its example block is
# rendered from these by tests/unit/test_schema.py, which keeps them equal).
FIELDS: tuple[Field, ...] = (
    Field("app", Text(NAME_RE.pattern, "a name of a-z, 0-9 and _ starting with a letter"), required=True,
          doc="a-z, 0-9, _ ; names the server tree /var/www/<app>", example='"yourapplication"'),
    Field("entry_point", Text(ENTRY_RE.pattern, "'pkg.module:app' or 'pkg:create_app()'"), required=True,
          doc='or "pkg.module:create_app()" (a factory called once)', example='"yourapplication:app"'),
    Field("config_env", Text(ENV_RE.pattern, "an env var name of A-Z, 0-9 and _"),
          doc="env var the app reads its config path from (default <APP>_CONFIG)",
          example='"YOURAPPLICATION_CONFIG"'),
    Field("config_path", Text(r"[^\0]+", "a path"),
          doc="where the app expects its config: a file under\n"
              "/var/www/<app>/shared/ (default shared/application.cfg)",
          example='"/var/www/yourapplication/shared/application.cfg"'),
    Field("config_file", LocalPath("a path to a file, relative to this file", exists=True,
                                   missing_hint="create it or fix the path (relative to this file); a directory "
                                                "holds one <host>.cfg per host"),
          doc="file to upload (relative to this file), or a directory with one\n"
              "<host>.cfg per host; a target may override it; none: no config", example='"config/docker.cfg"'),
    Field("config_as_env", Flag(), default=False,
          doc="true: config_file is NAME=value lines (an env file) that the\n"
              "daemons, post_deploy, the release check and `fab run` get as environment\n"
              "variables (apps configured from the environment: secrets too)", example="false"),
    Field("health_path", Text(r"/[\w./~%-]*", "a URL path starting with '/'"), default="/health",
          example='"/health"'),
    Field("server_name", Text(r"[A-Za-z0-9.-]+", "a host name"), default="localhost", example='"localhost"'),
    Field("port", Integer(1, 65535), default=80, example="80"),
    Field("processes", Integer(1, 64), default=2,
          doc="mod_wsgi daemon processes (1-64) serving the app, each with 15\nthreads and its own import of the "
              "app; bootstrap writes it into the vhost",
          example="2"),
    Field("keep_releases", Integer(2, 1000), default=5,
          doc=">= 2: the live release and the one to roll back to", example="5"),
    Field("shared_paths", RelPaths("a list of relative paths without '..' (dirs under shared/)"), default=(),
          doc="dirs under shared/ linked into every release", example='["data"]'),
    Field("post_deploy", Strings(), default=(), doc="on EVERY deploy, on the live data: idempotent",
          example='["flask --app yourapplication init-data"]'),
    Field("post_deploy_timeout", Integer(1, 600), default=300,
          doc="seconds (1-600) each post_deploy command may run (then its\nprocess group is killed and the release "
              "refused)",
          example="300"),
    Field("health_timeout", Integer(1, 600), default=30,
          doc="seconds (1-600) the new release has, once live, to answer\nhealth_path through Apache (its daemons "
              "import it anew; a slow\nstarter raises it); past it the deploy switches back",
          example="30"),
    Field("app_user", Text(USER_RE.pattern, "a system user name", refuse=NO_ROOT),
          doc="system user the mod_wsgi daemon runs as (default: app); never root", example='"yourapplication"'),
    Field("deploy_user", Text(USER_RE.pattern, "a system user name", refuse=NO_ROOT),
          doc="login owning releases/ (default: the bootstrap login); never root;\ndeploy, rollback and run "
          "log in as it: another login is refused", example='"deployer"'),
    Field("python", Text(r"python3(\.[0-9]+)?", "python3 or python3.X: a name the login's own PATH resolves, "
                         "never a path (a file someone else wrote would run as that login)"), default="python3",
          doc="the interpreter deploys run and make venvs with (a name)", example='"python3"'),
    Field("find_links", Strings(unique=True), default=(),
          doc="dirs (relative to this file) or URLs where pack also looks for\n"
              "dependencies, e.g. sdists of libraries published nowhere as wheels", example='["vendor"]'),
    # issue 18 (apps): the app's environment, its static files, what pack builds
    Field("env", Custom("a table of NAME = \"value\" strings"),
          doc="the app's environment (not secret: secrets go in the config): the\n"
              "daemons, post_deploy, the release check, build and `fab run` get it",
          example='{ DJANGO_SETTINGS_MODULE = "mysite.settings" }'),
    Field("static", Custom("a table of \"/url-prefix\" = \"dir\""),
          doc="served by Apache, not the app: URL prefix -> a dir of the project\n"
              "shipped in each release (after build); rollback serves the old files",
          example='{ "/static" = "staticfiles" }'),
    Field("build", Strings(), default=(),
          doc="run by pack in the project dir on this machine, with env, before\n"
              "the static dirs are shipped (collectstatic)",
          example='["python manage.py collectstatic --noinput"]'),
)


@dataclass(frozen=True)
class DeployConfig:
    """Validated deploy settings of one app; ``source`` is the file they came from.

    Derived server paths (docs/architecture.md, "What lands on the server"): :attr:`root` is ``/var/www/<app>``, the
    uploaded config lives at :attr:`remote_config_path` (``config_path`` if given, else
    ``<root>/shared/application.cfg``).
    """

    app: str
    entry_point: str
    source: Path
    project_dir: Path
    config_env: str = ""
    config_path: str | None = None
    config_file: Path | None = None
    config_as_env: bool = False  # config_file is an env file: its NAME=value lines are the app's environment
    health_path: str = "/health"
    server_name: str = "localhost"
    port: int = 80
    processes: int = 2
    keep_releases: int = 5
    shared_paths: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()  # absolute dirs or URLs (pack's extra places to find dependencies)
    post_deploy: tuple[str, ...] = ()
    post_deploy_timeout: int = 300
    health_timeout: int = 30
    app_user: str = ""
    deploy_user: str | None = None
    python: str = "python3"
    env: tuple[tuple[str, str], ...] = ()  # (NAME, value), sorted: hashable, so DeployConfig stays frozen
    static: tuple[tuple[str, str], ...] = ()  # (URL prefix, dir of the release), sorted
    build: tuple[str, ...] = ()

    @property
    def env_vars(self) -> dict[str, str]:
        return dict(self.env)

    @property
    def root(self) -> str:
        return f"{APPS_ROOT}/{self.app}"

    @property
    def remote_config_path(self) -> str:
        return self.config_path or f"{self.root}/shared/application.cfg"

    def with_config_file(self, path: Path | str | None) -> DeployConfig:
        """A copy uploading ``path`` instead (a target's own config: a file, or a directory with one file per
        host); ``None`` keeps the current one."""
        if path is None:
            return self
        path = Path(path).expanduser().resolve()
        if not path.is_file() and not path.is_dir():
            raise ConfigError(f"config file {path} does not exist", where=str(self.source),
                              hint="point config_file (or the target's config) at a readable file, or a "
                                   "directory with one <host>.cfg per host")
        return replace(self, config_file=path)

    def with_env(self, extra: dict[str, str] | None) -> DeployConfig:
        """A copy whose env has ``extra`` (a target's env) laid over it; each name is checked again against this
        app's config_env."""
        if not extra:
            return self
        for name, value in extra.items():
            problem = env_problem(name, value, self.config_env)
            if problem:
                raise ConfigError(f"target env: {problem}", where=str(self.source), hint="remove it from targets.toml")
        return replace(self, env=tuple(sorted({**self.env_vars, **extra}.items())))

    def config_for(self, host: str, port: int = 22, name: str = "") -> Path | None:
        """The config file for the server ``host`` (``port``; ``name``: a host table's, what targets.toml calls it):
        ``config_file`` itself, or when it is a directory (per-host configs, e.g. a checkout of a config
        repository) its ``<name>.cfg``, ``<host>:<port>.cfg`` or ``<host>.cfg``. Only that host's file is uploaded
        to that host: other hosts' secrets never land there."""
        if self.config_file is None or not self.config_file.is_dir():
            return self.config_file
        names = list(dict.fromkeys(n for n in (f"{name}.cfg" if name else "", f"{host}:{port}.cfg", f"{host}.cfg")
                                   if n))
        for file in names:
            if (self.config_file / file).is_file():
                return self.config_file / file
        raise ConfigError(f"no config for host {name or host} in this directory (expected "
                          f"{', '.join(names[:-1])} or {names[-1]})", where=f"config_file {self.config_file}",
                          hint="add that host's file to the config directory")


def load_config(project_dir: Path | str, *, target_config: Path | str | None = None,
                target_env: dict[str, str] | None = None) -> DeployConfig:
    """Read and validate the deploy config of the project in ``project_dir``.

    ``deploy.toml`` wins over ``[tool.deploytests]`` in ``pyproject.toml``; with neither, a ConfigError says
    what to create. ``target_config`` (the per-target config file from the inventory) overrides ``config_file``;
    ``target_env`` (the target's ``env``) is laid over ``env``. The target's config is refused unless no one but
    this login and root may change it (:func:`deploytests.cache.owned_alone`): a deploy ships it to the servers.
    """
    if target_config is not None:
        from .cache import owned_alone

        owned_alone(target_config, "the config file", "a deploy ships it (the app's secrets) to the servers: make it "
                    "and the directories above it yours or root's alone (chmod go-w, chown)")
    project_dir = Path(project_dir).resolve()
    source, table = _read_source(project_dir)
    cfg = _validate(table, source, project_dir)
    return cfg.with_config_file(target_config).with_env(target_env)


def _read_source(project_dir: Path) -> tuple[Path, Table]:
    """The deploy config's file and its checked table: deploy.toml, else pyproject.toml's [tool.deploytests]."""
    deploy_toml, pyproject = project_dir / "deploy.toml", project_dir / "pyproject.toml"
    if deploy_toml.is_file():
        doc = read_toml(deploy_toml, what="deploy config")
        return deploy_toml, Table(doc.data, FIELDS, where=doc.where(), base=deploy_toml.parent, doc=doc)
    if pyproject.is_file():
        doc = read_toml(pyproject, what="pyproject file")
        tool = doc.data.get("tool", {})
        section = tool.get("deploytests") if isinstance(tool, dict) else None
        if section is not None:
            return pyproject, Table(section, FIELDS, where=doc.where(doc.table_line("tool", "deploytests")),
                         label="[tool.deploytests]", base=pyproject.parent, form="[tool.deploytests]", doc=doc,
                         header=("tool", "deploytests"))
    above = next((d for d in project_dir.parents if has_deploy_config(d)), None)
    raise ConfigError(
        f"no deploy config in {project_dir}", where=str(project_dir),
        hint=f"{project_dir} is inside the project {above} (it has one): run from there, or pass --app {above}"
        if above is not None else
        "create deploy.toml (keys: app, entry_point, ...) or a [tool.deploytests] table in pyproject.toml",
    )


def has_table(pyproject: Path) -> bool:
    """Whether ``pyproject`` has a ``[tool.deploytests]`` table (a file that cannot be read has none)."""
    try:
        return pyproject.is_file() and "deploytests" in toml_loads(regular_bytes(pyproject).decode()).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError):
        return False


def has_deploy_config(project_dir: Path) -> bool:
    """Whether ``project_dir`` has a deploy config: a ``deploy.toml``, or ``[tool.deploytests]`` in its
    pyproject.toml."""
    return (project_dir / "deploy.toml").is_file() or has_table(project_dir / "pyproject.toml")


def _validate(t: Table, source: Path, project_dir: Path) -> DeployConfig:
    app = t.get("app")
    return DeployConfig(
        app=app,
        entry_point=t.get("entry_point"),
        source=source,
        project_dir=project_dir,
        config_env=t.get("config_env", f"{app.upper()}_CONFIG"),
        config_path=_config_path(t, app),
        config_file=t.get("config_file"),
        config_as_env=t.get("config_as_env"),
        health_path=t.get("health_path"),
        server_name=t.get("server_name"),
        port=t.get("port"),
        processes=t.get("processes"),
        keep_releases=t.get("keep_releases"),
        shared_paths=t.get("shared_paths"),
        post_deploy=t.get("post_deploy"),
        post_deploy_timeout=t.get("post_deploy_timeout"),
        health_timeout=t.get("health_timeout"),
        app_user=t.get("app_user", app),
        deploy_user=t.get("deploy_user"),
        python=t.get("python"),
        find_links=_find_links(t),
        env=env_table(t, t.get("config_env", f"{app.upper()}_CONFIG")),
        static=_static(t, t.get("shared_paths"), t.get("health_path")),
        build=t.get("build"),
    )


def _config_path(t: Table, app: str) -> str | None:
    value = t.get("config_path")
    problem = value is not None and config_path_problem(value, app)
    if problem:
        raise t.error(f"key 'config_path' {problem}, got {value!r}",
                      hint=f"deploys install it in the app's tree; use e.g. {APPS_ROOT}/{app}/shared/application.cfg",
                      key="config_path")
    return value


def _find_links(t: Table) -> tuple[str, ...]:
    """URLs as given; paths resolved against this file's directory and required to be directories."""
    out = []
    for value in t.get("find_links"):
        if re.match(r"^(https?|file)://", value):
            out.append(value)
            continue
        path = t.resolve(value)
        if not path.is_dir():
            raise t.error(f"key 'find_links': {path} is not a directory",
                          hint="give directories (relative to this file) or http(s):// URLs", key="find_links")
        out.append(str(path))
    return tuple(out)


# ---------------------------------------------------------------- env, static (issue 18)

# set by deploytests itself (PATH, HOME, LANG: the release's venv and the app's tree) or changing how Python and the
# dynamic loader start (what code runs before the app): never from deploy.toml
RESERVED_ENV = ("PATH", "HOME", "LANG", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE",
                "PYTHONEXECUTABLE", "PYTHONINSPECT", "PYTHONPLATLIBDIR", "PYTHONSAFEPATH", "PYTHONNOUSERSITE")
STATIC_PREFIX_RE = re.compile(r"^(/[A-Za-z0-9_-]+)+$")
STATIC_DIR_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$")
RELEASE_NAMES = ("venv", "wheels", "tree", "manifest.json", "RELEASE.json", "artifact.tar")  # the release's own


# the value `deploytests init` writes for a secret it cannot make (a token, a password): a string in deploytests'
# public source, so a server given it would accept (or send) a secret anyone can read: never deployed
PLACEHOLDER = "change me: a long random string"


def env_problem(name: object, value: object, config_env: str) -> str | None:
    """Why ``name = value`` may not be in the app's environment (None when it may): names of A-Z, 0-9 and _,
    string values without newline or NUL (they end up in a Python literal and an ``sh -c`` environment), and
    none of the names deploytests sets itself or that change what runs before the app (``LD_*``, PYTHONPATH...)."""
    if not isinstance(name, str) or not ENV_RE.fullmatch(name):
        return f"env name {name!r} must be of A-Z, 0-9 and _ (not starting with a digit)"
    if not isinstance(value, str) or "\n" in value or "\r" in value or "\0" in value:
        return f"env {name} must be a string without newlines or NUL, got {value!r}"
    if name in RESERVED_ENV or name.startswith("LD_") or name == config_env:
        why = "config_env: deploytests sets it to config_path" if name == config_env else \
            "deploytests sets it, or it changes what code runs before the app"
        return f"env {name} may not be set ({why})"
    if value.strip().startswith(PLACEHOLDER):
        return f"env {name} is still the placeholder deploytests init wrote (\"change me: ...\"): set the real value"
    return None


def _pairs(t: Table, key: str, like: str, problem, hint: str) -> tuple[tuple[str, str], ...]:
    """The table ``key`` (``like``: its form) as sorted pairs, each refused with ``problem(k, v)``'s reason."""
    value = t.raw(key)
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise t.fail(key, like, value)
    for k, v in value.items():
        if why := problem(k, v):
            raise t.error(f"key {key!r}: {why}", key=key, hint=hint)
    return tuple(sorted(value.items()))


def env_table(t: Table, config_env: str = "") -> tuple[tuple[str, str], ...]:
    """The ``env`` table of deploy.toml or of a target (whose app's ``config_env`` is checked when they merge)."""
    return _pairs(t, "env", 'a table like { NAME = "value" }', lambda name, v: env_problem(name, v, config_env),
                  'set plain app settings only, e.g. env = { DJANGO_SETTINGS_MODULE = "mysite.settings" }')


def static_problem(prefix: object, directory: object, shared_paths: tuple[str, ...], health_path: str) -> str | None:
    """Why ``prefix = directory`` may not be a static alias (None when it may). Both end up in the vhost that
    bootstrap writes as root, so they are checked against strict patterns: a URL prefix of ``/`` and
    ``[A-Za-z0-9_-]`` segments; a relative dir of plain segments (none starting with ``.``: no ``..``), not one of
    the release's own entries (venv/, RELEASE.json...) and not a shared path (those hold the app's data, which
    Apache must not publish)."""
    if not isinstance(prefix, str) or not STATIC_PREFIX_RE.fullmatch(prefix):
        return f"URL prefix {prefix!r} must be '/' and segments of A-Z, a-z, 0-9, _ and - (like '/static')"
    if not isinstance(directory, str) or not STATIC_DIR_RE.fullmatch(directory):
        return (f"{prefix}: dir {directory!r} must be a relative path of plain segments (no '..', no leading '.' "
                "or '/')")
    if directory.split("/")[0] in RELEASE_NAMES:
        return f"{prefix}: dir {directory!r} is the release's own {directory.split('/')[0]} (never served)"
    for shared in shared_paths:
        if directory == shared or directory.startswith(shared + "/") or shared.startswith(directory + "/"):
            return f"{prefix}: dir {directory!r} overlaps shared path {shared!r} (the app's data is never served)"
    if health_path == prefix or health_path.startswith(prefix + "/"):
        return f"{prefix}: covers health_path {health_path!r}, which the app must answer"
    return None


def _static(t: Table, shared_paths: tuple[str, ...], health_path: str) -> tuple[tuple[str, str], ...]:
    pairs = _pairs(t, "static", 'a table like { "/static" = "staticfiles" }',
                   lambda prefix, directory: static_problem(prefix, directory, shared_paths, health_path),
                   'e.g. static = { "/static" = "staticfiles" } (a dir of the project, shipped by pack)')
    for (a, _), (b, _) in zip(pairs, pairs[1:], strict=False):
        if b.startswith(a + "/"):
            raise t.error(f"key 'static': {b} lies inside {a}", key="static", hint="give one of them")
    return pairs
