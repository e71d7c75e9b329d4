"""The plugin's settings: one frozen :class:`Settings`, resolved once from defaults < ini < env var < CLI.

Every option has three spellings (see :data:`OPTIONS`); the environment variable is ``DEPLOYTESTS_`` + the
upper-cased name and the ini key ``deploytests_`` + the name (``--targets-file``: ``DEPLOYTESTS_TARGETS``,
``deploytests_targets``):

- ``--target NAME``: ``docker`` (local containers, the default) or a target of the inventory;
- ``--targets-file PATH``: the inventory (default: ``targets.toml`` in the rootdir);
- ``--app PATH``: the project to deploy (default: a conftest's hook, else the rootdir when it has a deploy
  config, see the plugin);
- ``--containers N``: hosts of the docker target (default 2);
- ``--no-deploy``: deploy nothing, verify what is live;
- ``--keep-containers``: keep the containers and print an ssh line per host;
- ``--platform NAME[,NAME...]``: the docker target's server platform(s), e.g. ``debian12`` (the default),
  ``debian13``, or ``debian12,debian13`` for a mixed fleet (containers take the platforms in turn).
- ``--host-timeout SECONDS``: the bound on every wait for a host (connect, login, a step without any answer;
  default 30).
- the rollout policy (:mod:`deploytests.session`), the same for ``fab deploy`` and ``pytest --target``:
  ``--canary N|P%`` (hosts deployed and gated first, default none), ``--batch N|P%`` (hosts per batch after it,
  default all), ``--max-failed N|P%`` (failed hosts tolerated before the rollout stops, default 0),
  ``--parallel N`` (hosts worked on at once, default min(32, 4 x CPUs)), ``--rolling`` (= ``--batch 1``),
  ``--gate-tests PATH[,PATH]|none`` (the project's deploy tests run between phases, read-only: default, under
  pytest, those this run collected; under ``fab``, ``<app>/tests/deploy`` when it exists) and ``--gate-timeout
  SECONDS`` (their bound per phase, default 300).
- for ``fab -H`` hosts only (``pytest`` has no option or ini key for them: a target names its own), read from
  the environment alone: ``DEPLOYTESTS_IDENTITY`` (the login's key, when ``fab -i`` is not given; default
  ``~/.ssh/id_ed25519``) and ``DEPLOYTESTS_KNOWN_HOSTS`` (default ``~/.ssh/known_hosts``).

A bad value raises :class:`~deploytests.errors.ConfigError` that says where it came from, e.g.
``--containers=abc (from DEPLOYTESTS_CONTAINERS environment variable): not a positive integer``.
Relative paths are resolved against the directory of their source: the ini file's directory for ini keys,
the current directory for env vars and options. Nothing here imports pytest: :func:`resolve` takes plain
mappings, so it is unit-testable and usable from scripts (the bench).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .stacks import DEFAULT, platforms

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Count:
    """A number of hosts, absolute (``3``) or a percentage of the fleet (``25%``): :meth:`of` says how many."""

    number: int
    percent: bool = False

    def of(self, total: int) -> int:
        """How many hosts of ``total`` (a percentage rounds up: 10% of 5 hosts is 1 host, never 0)."""
        return min(total, math.ceil(total * self.number / 100) if self.percent else self.number)

    def __str__(self) -> str:
        return f"{self.number}{'%' if self.percent else ''}"


def default_parallel() -> int:
    """Hosts worked on at once by default: min(32, 4 x the runner's CPUs); each host's work is remote."""
    return min(32, 4 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class Settings:
    """What the user asked for. ``app`` and ``targets_file`` are absolute paths or None."""

    target: str = "docker"
    targets_file: Path | None = None
    app: Path | None = None
    containers: int = 2
    no_deploy: bool = False
    keep_containers: bool = False
    platform: tuple[str, ...] = (DEFAULT.platform,)
    host_timeout: float = 30.0
    canary: Count = Count(0)
    batch: Count | None = None  # None: all the hosts after the canary at once
    max_failed: Count = Count(0)
    parallel: int = default_parallel()
    rolling: bool = False
    gate_tests: tuple[Path, ...] | None = None  # None: the default (see the option); (): none
    gate_timeout: float = 300.0
    identity: Path = Path("~/.ssh/id_ed25519")  # fab -H hosts: the login's key (fab -i wins)
    known_hosts: Path = Path("~/.ssh/known_hosts")  # fab -H hosts: their host keys
    sources: tuple[tuple[str, str], ...] = ()
    origins: tuple[tuple[str, str], ...] = ()

    def source_of(self, name: str) -> str:
        """Where the value of field ``name`` came from ("default", "ini", "environment", "command line")."""
        return dict(self.sources).get(name, "default")

    def origin(self, name: str) -> str:
        """The value of option ``name`` as the user wrote it and where: ``--target=nosuch (from
        DEPLOYTESTS_TARGET environment variable)``, ``--target=nosuch`` (command line); "" when not given."""
        return dict(self.origins).get(name, "")


def blame(settings: object, name: str, exc: ConfigError) -> ConfigError:
    """``exc`` (a problem with the value of option ``name`` found after parsing: an unknown target, a missing
    targets file or app) prefixed with the option's value and source, as a bad value's parse error is. An
    option not given (its default) or settings built without sources (scripts) leave ``exc`` as it is."""
    origin = settings.origin(name) if isinstance(settings, Settings) else ""
    if not origin:
        return exc
    return ConfigError(f"{origin}: {exc.what}", where=exc.where, hint=exc.hint, detail=exc.detail)


@dataclass(frozen=True)
class Option:
    """One setting and its three spellings. ``flag`` options take no value on the command line. ``pytest``:
    False for what only ``fab``'s ``-H`` hosts use (their login's key and known_hosts; a target of targets.toml
    names its own): pytest offers no option or ini key for it, and only its environment variable is read."""

    name: str
    help: str
    parse: Callable[[str, Path], object]
    flag: bool = False
    metavar: str = ""
    pytest: bool = True

    @property
    def cli(self) -> str:
        """The short spelling (``--target``): ``fab``'s option, and pytest's alias when no one else took it."""
        return "--" + self.name.replace("_", "-")

    @property
    def prefixed(self) -> str:
        """pytest's canonical spelling (``--deploytests-target``), always registered: a generic name such as
        ``--app`` may be a project's own option, and pytest refuses two options of one name."""
        return "--deploytests-" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "DEPLOYTESTS_" + self.name.upper() if self.name != "targets_file" else "DEPLOYTESTS_TARGETS"

    @property
    def ini(self) -> str:
        return "deploytests_" + self.name if self.name != "targets_file" else "deploytests_targets"


def _target(value: str, _base: Path) -> str:
    if not value.strip() or any(c.isspace() for c in value.strip()):
        raise ValueError("not a target name (one word, as in targets.toml)")
    return value.strip()


def _path(value: str, base: Path) -> Path:
    if not value.strip():
        raise ValueError("empty path")
    return (base / Path(value.strip()).expanduser()).resolve()


def _positive(cast: Callable[[str], Any], what: str) -> Callable[[str, Path], Any]:
    """The parser of a positive ``cast`` (int, float), refusing anything else as "not a positive ``what``"."""
    def parse(value: str, _base: Path) -> Any:
        try:
            number = cast(value.strip())
        except ValueError:
            number = 0
        if not number > 0:
            raise ValueError(f"not a positive {what}")
        return number
    return parse


_positive_int = _positive(int, "integer")
seconds = _positive(float, "number of seconds")  # also the host timeout's env var alone (deploytests.ssh)


def _platforms(value: str, _base: Path) -> tuple[str, ...]:
    words = [w.strip() for w in value.split(",")]
    known = platforms()
    unknown = [w for w in words if w not in known]
    if not value.strip() or unknown:
        raise ValueError(f"unknown platform {', '.join(map(repr, unknown)) or repr(value)}; choose from "
                         f"{', '.join(known)} (comma-separated for a mixed fleet)")
    return tuple(dict.fromkeys(words))


def _test_paths(value: str, base: Path) -> tuple[Path, ...]:
    """``PATH[,PATH...]`` (each must exist), or ``none``: no project tests between a rollout's phases."""
    if value.strip().lower() == "none":
        return ()
    paths = [_path(word, base) for word in value.split(",") if word.strip()]
    missing = [str(p) for p in paths if not p.exists()]
    if not paths or missing:
        raise ValueError(f"no such file or directory: {', '.join(missing)}" if missing else
                         "not a comma-separated list of test paths, or none")
    return tuple(dict.fromkeys(paths))


def _count(value: str, _base: Path, *, least: int = 0) -> Count:
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = int(text[:-1] if percent else text)
    except ValueError:
        number = -1
    if number < least or (percent and number > 100):
        raise ValueError(f"not a number of hosts (N) or a percentage of them (P%) of at least {least}")
    return Count(number, percent)


def _bool(value: str, _base: Path) -> bool:
    word = str(value).strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ValueError(f"not a boolean (use one of {', '.join(sorted(TRUE | FALSE - {''}))})")


OPTIONS: tuple[Option, ...] = (
    Option("target", "target to deploy to and verify: 'docker' (local containers, the default) or a "
           "name from the targets file", _target, metavar="NAME"),
    Option("targets_file", "inventory of real targets (TOML); default: targets.toml in the rootdir",
           _path, metavar="PATH"),
    Option("app", "project directory of the app to deploy (with its deploy.toml or pyproject.toml)",
           _path, metavar="PATH"),
    Option("containers", "number of containers of the docker target (default 2)", _positive_int, metavar="N"),
    Option("no_deploy", "deploy nothing: verify what is live on the target", _bool, flag=True),
    Option("keep_containers", "keep the docker target's containers after the run and print an ssh line "
           "per host", _bool, flag=True),
    Option("platform", "server platform(s) of the docker target's containers: debian12 (default), debian13, "
           "or a comma-separated mix (debian12,debian13)", _platforms, metavar="NAME[,NAME]"),
    Option("host_timeout", "seconds a host may answer nothing (connect, login, any step) before it is named "
           "as frozen or lost and the other hosts go on; the docker target's containers coming up too (default 30)",
           seconds, metavar="SECONDS"),
    Option("canary", "rollout: deploy and gate N hosts (or P% of them) first; any failure there stops the rollout "
           "(default: no canary)", _count, metavar="N|P%"),
    Option("batch", "rollout: then N hosts (or P%) per batch, each gated before the next (default: all at once)",
           lambda v, b: _count(v, b, least=1), metavar="N|P%"),
    Option("max_failed", "rollout: failed hosts tolerated (N or P% of all) before the rollout stops and the "
           "failed batch is rolled back (default 0)", _count, metavar="N|P%"),
    Option("parallel", "hosts worked on at once (default min(32, 4 x CPUs))", _positive_int, metavar="N"),
    Option("rolling", "rollout: one host at a time, stopping at the first failure (= --batch 1 --max-failed 0)",
           _bool, flag=True),
    Option("gate_tests", "rollout: the project's deploy tests run read-only on the hosts of each phase before the "
           "next (default: under pytest the ones this run collected, under fab <app>/tests/deploy when it exists; "
           "none: the built-in promises only)", _test_paths, metavar="PATH[,PATH]|none"),
    Option("gate_timeout", "rollout: seconds the project's deploy tests may take per phase (then they are killed "
           "and the hosts not verified fail; default 300)", seconds, metavar="SECONDS"),
    Option("identity", "fab -H hosts: the deploy login's private key (fab -i wins; default ~/.ssh/id_ed25519)",
           _path, metavar="PATH", pytest=False),
    Option("known_hosts", "fab -H hosts: the known_hosts file their host keys are checked against (default "
           "~/.ssh/known_hosts)", _path, metavar="PATH", pytest=False),
)


def resolve(*, cli: Mapping[str, object], env: Mapping[str, str], ini: Mapping[str, str],
            cwd: Path, ini_dir: Path, defaults: Mapping[str, object] | None = None,
            default_source: str = "conftest default", spellings: Mapping[str, str] | None = None) -> Settings:
    """Merge the layers (``defaults`` < ``ini`` < ``env`` < ``cli``) into :class:`Settings`.

    ``cli`` maps option names to the parsed command-line values (None or False: not given). ``ini`` maps
    ini keys to their raw strings (empty: not set). ``defaults`` holds values a conftest supplies
    (already typed, e.g. ``{"app": Path(...)}``); ``default_source`` says where they came from (the header
    shows it: "conftest default", "the project at the rootdir"). ``spellings``: how an option is written in messages
    when not :attr:`Option.cli` (pytest's ``--deploytests-app`` where a project owns ``--app``).
    """
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    for name, value in (defaults or {}).items():
        values[name], sources[name] = value, default_source
    for opt in OPTIONS:
        layers = (
            (ini.get(opt.ini), ini_dir, f"{opt.ini} ini key", "ini"),
            (env.get(opt.env), cwd, f"{opt.env} environment variable", "environment"),
            (_cli_text(cli.get(opt.name)), cwd, "command line", "command line"),
        ) if opt.pytest else ((env.get(opt.env), cwd, "", "environment"),)
        for raw, base, source, kind in layers:
            if raw is None or (raw == "" and not opt.flag):
                continue
            name = (spellings or {}).get(opt.name, opt.cli)
            shown = name if opt.flag and kind == "command line" else f"{name}={raw}"
            origin = f"{opt.env}={raw}" if not opt.pytest else shown if kind == "command line" else \
                f"{shown} (from {source})"
            try:
                values[opt.name] = opt.parse(raw, base)
            except ValueError as exc:
                raise ConfigError(f"{origin}: {exc}") from None
            sources[opt.name], origins[opt.name] = kind, origin
    return Settings(**values, sources=tuple(sorted(sources.items())), origins=tuple(sorted(origins.items())))


def _cli_text(value: object) -> str | None:
    """The command-line value as text, or None when the option was not given."""
    if value is None or value is False:
        return None
    return "1" if value is True else str(value)
