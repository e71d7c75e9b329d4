"""The app's deploy config: ``deploy.toml`` or ``[tool.deploytests]`` in the app's ``pyproject.toml``.

One frozen :class:`DeployConfig` per app, validated on load. Every bad value raises a one-line
:class:`~deploytests.errors.ConfigError` naming the file, the key and what is allowed::

    deploy.toml: key 'keep_releases' must be an integer >= 2, got 1.

Keys (all but ``app`` and ``entry_point`` optional)::

    app            = "yourapplication"         # a-z, 0-9, _ ; names the server tree /var/www/<app>
    entry_point    = "yourapplication:app"     # or "pkg.module:create_app()" (a factory called once)
    config_env     = "YOURAPPLICATION_CONFIG"  # env var the app reads its config path from
    config_path    = "/etc/yourapplication/app.cfg"  # where the app expects its config: a file in /etc/<app>/
                                               # or /var/www/<app>/shared/ (default shared/application.cfg)
    config_file    = "config/docker.cfg"       # file to upload (relative to this file), or a directory with one
                                               # <host>.cfg per host; targets may override
    health_path    = "/health"
    server_name    = "localhost"
    port           = 80
    keep_releases  = 5                         # >= 2: the live release and the one to roll back to
    shared_paths   = ["data"]                  # dirs under shared/ symlinked into every release
    post_deploy    = ["flask --app yourapplication init-db"]  # run in the release venv, config env set
    app_user       = "yourapplication"         # system user the mod_wsgi daemon runs as (default: app)
    deploy_user    = "deployer"                # login owning releases/ (default: the bootstrap login)
    python         = "python3"                 # the server's interpreter for venvs
    find_links     = ["vendor"]                # where pack also looks for dependencies: dirs (relative to
                                               # this file) or URLs; sdists found there are built into wheels
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .errors import ConfigError

APPS_ROOT = "/var/www"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
USER_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
ENTRY_RE = re.compile(r"^(?P<module>[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*)(?P<call>\(\))?$")


def config_path_problem(path: str, app: str) -> str | None:
    """Why ``path`` may not be ``app``'s config path on the server (None when it may).

    Bootstrap writes it as root, so it must name a file in the app's own trees, ``/etc/<app>/...`` or
    ``/var/www/<app>/shared/...`` (the rest of ``/var/www/<app>`` belongs to the deploy user). Decided on the
    normalised path components (``//`` and ``/./`` collapse, ``..`` is refused), never by string prefix; the
    root agent decides again on the server, where it also refuses any link on the way."""
    if not path.startswith("/") or "\0" in path:
        return "must be an absolute path on the server"
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return "must not contain '..'"
    trees = (["etc", app], ["var", "www", app, "shared"])
    if not any(parts[:len(t)] == t and len(parts) > len(t) for t in trees):
        return f"must name a file in the app's own trees: /etc/{app}/... or {APPS_ROOT}/{app}/shared/..."
    return None


KNOWN_KEYS = (
    "app", "entry_point", "config_env", "config_path", "config_file", "health_path", "server_name", "port",
    "keep_releases", "shared_paths", "post_deploy", "app_user", "deploy_user", "python", "find_links",
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
    health_path: str = "/health"
    server_name: str = "localhost"
    port: int = 80
    keep_releases: int = 5
    shared_paths: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()  # absolute dirs or URLs (pack's extra places to find dependencies)
    post_deploy: tuple[str, ...] = ()
    app_user: str = ""
    deploy_user: str | None = None
    python: str = "python3"

    @property
    def root(self) -> str:
        return f"{APPS_ROOT}/{self.app}"

    @property
    def remote_config_path(self) -> str:
        return self.config_path or f"{self.root}/shared/application.cfg"

    @property
    def entry_module(self) -> str:
        return self._entry()["module"]

    @property
    def entry_attr(self) -> str:
        return self._entry()["attr"]

    @property
    def entry_is_factory(self) -> bool:
        return bool(self._entry()["call"])

    def _entry(self) -> re.Match[str]:
        match = ENTRY_RE.match(self.entry_point)
        assert match is not None, self.entry_point  # validated on load
        return match

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

    def config_for(self, host: str, port: int = 22) -> Path | None:
        """The config file for the server ``host`` (``port``): ``config_file`` itself, or when it is a directory
        (per-host configs, e.g. a checkout of a config repository) its ``<host>:<port>.cfg`` or ``<host>.cfg``.
        Only that host's file is uploaded to that host: other hosts' secrets never land there."""
        if self.config_file is None or not self.config_file.is_dir():
            return self.config_file
        for name in (f"{host}:{port}.cfg", f"{host}.cfg"):
            if (self.config_file / name).is_file():
                return self.config_file / name
        raise ConfigError(f"no config for host {host} in {self.config_file} (expected {host}.cfg or "
                          f"{host}:{port}.cfg)", where=str(self.source),
                          hint="add that host's file to the config directory")


def load_config(project_dir: Path | str, *, target_config: Path | str | None = None) -> DeployConfig:
    """Read and validate the deploy config of the project in ``project_dir``.

    ``deploy.toml`` wins over ``[tool.deploytests]`` in ``pyproject.toml``; with neither, a ConfigError says
    what to create. ``target_config`` (the per-target config file from the inventory) overrides ``config_file``.
    """
    project_dir = Path(project_dir).resolve()
    source, data = _read_source(project_dir)
    cfg = _validate(data, source, project_dir)
    return cfg.with_config_file(target_config)


def _read_source(project_dir: Path) -> tuple[Path, dict]:
    deploy_toml, pyproject = project_dir / "deploy.toml", project_dir / "pyproject.toml"
    if deploy_toml.is_file():
        return deploy_toml, _parse(deploy_toml)
    if pyproject.is_file():
        section = _parse(pyproject).get("tool", {}).get("deploytests")
        if section is not None:
            return pyproject, section
    raise ConfigError(
        f"no deploy config in {project_dir}", where=str(project_dir),
        hint="create deploy.toml (keys: app, entry_point, ...) or a [tool.deploytests] table in pyproject.toml",
    )


def _parse(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path)) from None


def _validate(data: dict, source: Path, project_dir: Path) -> DeployConfig:
    v = _Validator(data, source)
    unknown = sorted(set(data) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(KNOWN_KEYS)}", where=str(source))
    app = v.required("app", NAME_RE, "a name of a-z, 0-9 and _ starting with a letter")
    return DeployConfig(
        app=app,
        entry_point=v.required("entry_point", ENTRY_RE, "'pkg.module:app' or 'pkg:create_app()'"),
        source=source,
        project_dir=project_dir,
        config_env=v.match("config_env", ENV_RE, "an env var name of A-Z, 0-9 and _") or f"{app.upper()}_CONFIG",
        config_path=v.config_path("config_path", app),
        config_file=v.local_file("config_file"),
        health_path=v.url_path("health_path") or "/health",
        server_name=v.match("server_name", re.compile(r"^[A-Za-z0-9.-]+$"), "a host name") or "localhost",
        port=v.integer("port", 1, 65535, 80),
        keep_releases=v.integer("keep_releases", 2, 1000, 5),
        shared_paths=v.rel_paths("shared_paths"),
        post_deploy=v.strings("post_deploy"),
        app_user=v.user("app_user") or app,
        deploy_user=v.user("deploy_user"),
        python=v.match("python", re.compile(r"^[\w./-]+$"), "an interpreter name or absolute path") or "python3",
        find_links=v.find_links("find_links"),
    )


class _Validator:
    """Typed getters over one TOML table; each failure names the file and the key."""

    def __init__(self, data: dict, source: Path):
        self.data, self.source = data, source

    def fail(self, key: str, allowed: str):
        got = self.data.get(key)
        raise ConfigError(f"key {key!r} must be {allowed}, got {got!r}", where=str(self.source))

    def match(self, key: str, pattern: re.Pattern, allowed: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise ConfigError(f"missing required key {key!r} ({allowed})", where=str(self.source))
            return None
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(key, allowed)
        return value

    def required(self, key: str, pattern: re.Pattern, allowed: str) -> str:
        value = self.match(key, pattern, allowed, required=True)
        assert value is not None  # match() raised for a missing required key
        return value

    def integer(self, key: str, low: int, high: int, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(key, f"an integer from {low} to {high}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            self.fail(key, "a list of non-empty strings")
        return tuple(value)

    def rel_paths(self, key: str) -> tuple[str, ...]:
        paths = self.strings(key)
        for p in paths:
            pure = PurePosixPath(p)
            if pure.is_absolute() or ".." in pure.parts or not re.match(r"^[\w./-]+$", p):
                self.fail(key, "a list of relative paths without '..' (dirs under shared/)")
        return tuple(str(PurePosixPath(p)) for p in paths)

    def optional(self, key: str, ok, allowed: str) -> str | None:
        """The string at ``key`` (None when absent) if ``ok(value)``, else a ConfigError saying ``allowed``."""
        value = self.data.get(key)
        if value is not None and (not isinstance(value, str) or not ok(value)):
            self.fail(key, allowed)
        return value

    def config_path(self, key: str, app: str) -> str | None:
        value = self.optional(key, lambda v: True, "a path")
        problem = value is not None and config_path_problem(value, app)
        if problem:
            raise ConfigError(f"key {key!r} {problem}, got {value!r}", where=str(self.source),
                              hint=f"bootstrap writes it as root; use e.g. /etc/{app}/app.cfg")
        return value

    def user(self, key: str) -> str | None:
        value = self.match(key, USER_RE, "a system user name")
        if value == "root":
            raise ConfigError(f"key {key!r} may not be 'root': the app and its deploys never run as root",
                              where=str(self.source), hint="use a dedicated user (the app user is created by "
                                                           "bootstrap; the deploy user is a login)")
        return value

    def url_path(self, key: str) -> str | None:
        return self.optional(key, lambda v: re.match(r"^/[\w./~%-]*$", v), "a URL path starting with '/'")

    def find_links(self, key: str) -> tuple[str, ...]:
        """URLs as given; paths resolved against this file's directory and required to be directories."""
        out = []
        for value in self.strings(key):
            if re.match(r"^(https?|file)://", value):
                out.append(value)
                continue
            path = (self.source.parent / value).expanduser().resolve()
            if not path.is_dir():
                raise ConfigError(f"key {key!r}: {path} is not a directory", where=str(self.source),
                                  hint="give directories (relative to this file) or http(s):// URLs")
            out.append(str(path))
        return tuple(out)

    def local_file(self, key: str) -> Path | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.fail(key, "a path to a file, relative to this file")
        path = (self.source.parent / value).expanduser().resolve()
        if not path.is_file() and not path.is_dir():
            raise ConfigError(f"key 'config_file': {path} does not exist", where=str(self.source),
                              hint="create it or fix the path (relative to this file); a directory holds one "
                                   "<host>.cfg per host")
        return path
