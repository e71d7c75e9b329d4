"""Flask's "Deploying with Fabric" recipe, made safe: the ``fab`` tasks over :mod:`deploytests.pipeline`.

A project's ``fabfile.py`` is one line (``deploytests init`` writes it)::

    from deploytests.tasks import *  # noqa: F401,F403  (pack, bootstrap, deploy, rollback, status, target)

Then, in the project::

    fab -H appuser@web1.example.com pack deploy     # the recipe: build, upload, install, switch, gate
    fab -H appuser@web1,appuser@web2 deploy         # many hosts: in parallel, every failed host reported
    fab -H appuser@web3.example.com bootstrap       # prepare a new server (needs passwordless sudo)
    fab target staging pack deploy                  # every host of a target of targets.toml, in parallel
    fab rollback --target staging                   # the same, as a task option
    fab target staging status

Which app: ``--app PATH`` on a task or ``DEPLOYTESTS_APP`` (default: the current directory), with its
``deploy.toml`` or ``[tool.deploytests]``. Which servers: ``-H user@host[:port],...`` (host keys checked
against ``DEPLOYTESTS_KNOWN_HOSTS`` or ``~/.ssh/known_hosts``, identity from ``-i`` or ``DEPLOYTESTS_IDENTITY``),
or a target of the inventory (``targets.toml`` in the current directory, or ``DEPLOYTESTS_TARGETS``) named by
the ``target NAME`` task placed before the others, by ``--target NAME`` after a task, or by
``DEPLOYTESTS_TARGET``. (Options before the first task are Fabric's own: ``fab --target staging deploy`` is
refused by Fabric itself, hence the ``target`` task.)

Many hosts always run in parallel (``-H a,b`` as well as a target): Fabric would call a task once per ``-H``
host, one after the other, stopping at the first failure; here the first call runs the step on every host at
once and the later calls of that step are no-ops, so every failed host is reported, none hidden by the first.
``deploy --rolling`` deploys one host at a time and stops at the first failure. Every step prints one line per
host with its duration. ``pack`` keeps its artifact for the ``deploy`` of the same ``fab`` run.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from fabric import Connection, task

from . import pipeline
from .config import load_config
from .errors import DeployTestsError, HostsFailed
from .pipeline.hosts import print_lines
from .ssh import connect

__all__ = ["pack", "bootstrap", "deploy", "rollback", "status", "target"]

STATE: dict = {"artifact": None, "connections": {}, "target": None, "done": set()}


def one_line_errors(fn):
    """A task whose errors (bad deploy.toml, a failed build, failed hosts) end ``fab`` with one line (then each
    failed host's detail), not a traceback; values of the app's config file are redacted from it."""
    @functools.wraps(fn)
    def wrapper(c, *args, **kwargs):
        try:
            return fn(c, *args, **kwargs)
        except HostsFailed as exc:  # each host's error is on its own line already: name the hosts, then details
            bad = [o.host for o in exc.outcomes if not o.ok]
            text = (f"{exc.step} failed on {len(bad)} of {len(exc.outcomes)} host(s): {', '.join(bad)} (each "
                    "error is on its host's line above)" + (f"\n{exc.detail}" if exc.detail else ""))
            sys.exit(f"fab {fn.__name__}: {_redacted(text, kwargs.get('app'), kwargs.get('config'))}")
        except DeployTestsError as exc:
            sys.exit(f"fab {fn.__name__}: {_redacted(exc.render(), kwargs.get('app'), kwargs.get('config'))}")
        except pipeline.Interrupted as exc:  # the per-host lines were printed; exit like a signalled process
            print(f"fab {fn.__name__}: interrupted ({exc.signame}); " +
                  _redacted("; ".join(exc.lines), kwargs.get("app"), kwargs.get("config")), file=sys.stderr)
            sys.exit(130 if exc.signame == "SIGINT" else 143)
    return wrapper


def _progress(cfg):
    """``print_progress`` with the values of ``cfg``'s config file redacted: a host's line carries its error."""
    from .redaction import secrets_of

    secrets = secrets_of(cfg.config_file)
    for warning in secrets.warnings:
        if warning not in STATE.setdefault("warned", set()):
            STATE["warned"].add(warning)
            print(f"fab: warning: {warning}", file=sys.stderr)

    def progress(host: str, step: str, seconds: float, message: str = "") -> None:
        pipeline.print_progress(host, step, seconds, secrets.redact(message))
    return progress


def _redacted(text: str, app: str | None, config: str | None = None) -> str:
    from .redaction import redact

    try:
        config_file = load_config(_app(app), target_config=config).config_file
    except DeployTestsError:
        return text  # no readable config: nothing of it can be in the text either
    return redact(text, config_file)


def _app(app: str | None) -> Path:
    return Path(app or os.environ.get("DEPLOYTESTS_APP") or ".").resolve()


def cli_hosts() -> list[str]:
    """The ``-H`` hosts of the running ``fab`` (Fabric's own program), or [] when not run by ``fab -H``."""
    try:
        from fabric.main import program

        value = program.core[0].args.hosts.value if getattr(program, "core", None) else None
    except (ImportError, AttributeError, IndexError, KeyError):
        return []
    return [h.strip() for h in value.split(",") if h.strip()] if value else []


class _Host:
    """A ``-H`` host for :func:`~deploytests.pipeline.run_on_hosts`: connected (pinned) inside its own step, so
    a host that cannot be reached is one failed host among the others, not the end of the run."""

    def __init__(self, c: Connection):
        self.c = c
        self.label = f"{c.user}@{c.host}" + (f":{c.port}" if c.port != 22 else "")

    def connection(self):
        return _pinned(self.c, self.label)


def _pinned(c: Connection, label: str):
    """Our pinned connection (RejectPolicy, TCP_NODELAY) for a ``-H`` host; one per host per fab run."""
    key, key_from = identity(c)
    known = os.environ.get(KNOWN_HOSTS_ENV) or DEFAULT_KNOWN_HOSTS
    known_from = (KNOWN_HOSTS_ENV, f"set {KNOWN_HOSTS_ENV} to the file that has them") \
        if os.environ.get(KNOWN_HOSTS_ENV) else (f"the default {DEFAULT_KNOWN_HOSTS}: {KNOWN_HOSTS_ENV} unset",
                                                 f"set {KNOWN_HOSTS_ENV} to the file that has them")
    where = (c.user, c.host, c.port)
    if where not in STATE["connections"]:
        STATE["connections"][where] = connect(c.host, user=c.user, port=c.port, key_filename=key,
                                              known_hosts=Path(known).expanduser(), label=label, key_from=key_from,
                                              known_from=known_from)
    return STATE["connections"][where]


KNOWN_HOSTS_ENV = "DEPLOYTESTS_KNOWN_HOSTS"
DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"
IDENTITY_ENV = "DEPLOYTESTS_IDENTITY"
DEFAULT_IDENTITY = "~/.ssh/id_ed25519"


def identity(c: Connection, env=os.environ) -> tuple[Path, tuple[str, str]]:
    """The private key for a ``-H`` host and ``(where its path came from, what to do if it names no file)``:
    fab's ``-i``, else ``DEPLOYTESTS_IDENTITY``, else ``~/.ssh/id_ed25519``."""
    given = c.connect_kwargs.get("key_filename")
    given = given[0] if isinstance(given, (list, tuple)) and given else given
    if given:
        return Path(given).expanduser(), ("fab -i", "give -i the path of the deploy login's private key")
    if env.get(IDENTITY_ENV):
        return Path(env[IDENTITY_ENV]).expanduser(), (IDENTITY_ENV, f"set {IDENTITY_ENV} to the deploy login's "
                                                                    "private key, or give fab -i PATH")
    return Path(DEFAULT_IDENTITY).expanduser(), (
        f"the default {DEFAULT_IDENTITY}: no -i given, {IDENTITY_ENV} unset",
        f"give fab -i PATH or set {IDENTITY_ENV} to the deploy login's private key")


def _servers_given(c, target: str | None, step: str) -> str | None:
    """The target named for this step (``--target``, the ``target`` task, ``DEPLOYTESTS_TARGET``), None for the
    ``-H`` hosts; a one-line error when neither names a server."""
    target = target or STATE["target"] or os.environ.get("DEPLOYTESTS_TARGET")
    if not target and not isinstance(c, Connection):
        raise DeployTestsError("no servers: give -H user@host[:port][,...], or a target: `fab target NAME "
                               f"{step}` or `fab {step} --target NAME`")
    return target


def _each_host(c, target: str | None, step: str, fn, *, app=None, config=None, rolling: bool = False):
    """Run ``fn(connection, cfg)`` on every host, in parallel: the ``-H`` hosts of this ``fab`` run, or the
    hosts of ``target``; ``cfg`` is the app's deploy config with the config file of ``--config``, else the
    target's, else the app's own. Returns None when this step already ran on every ``-H`` host."""
    target = _servers_given(c, target, step)
    if isinstance(c, Connection) and not target:
        hosts = cli_hosts()
        if len(hosts) > 1:
            if step in STATE["done"]:
                return None  # Fabric calls the task once per -H host; the first call ran them all
            STATE["done"].add(step)
            connections = [Connection(h, config=c.config) for h in hosts]
        else:
            connections = [c]
        cfg = load_config(_app(app), target_config=config)
        return pipeline.run_on_hosts([_Host(x) for x in connections], lambda conn: fn(conn, cfg), step=step,
                                     rolling=rolling, progress=_progress(cfg))
    assert target, "checked by _servers_given"
    from .settings import Settings
    from .targets import provider_for

    inventory = Path(os.environ.get("DEPLOYTESTS_TARGETS", "targets.toml"))
    settings = Settings(target=target, targets_file=inventory.resolve() if inventory.is_file() else None)
    provider = provider_for(settings, http=False)  # no fab step makes an HTTP request: base_url is not needed
    if provider.kind == "docker":
        raise DeployTestsError(
            f"target {target!r} is throwaway containers that live for one pytest run: a fab step on it would start "
            "new ones and remove them when done", hint="keep the gate's containers (pytest --pyargs "
            "deploytests.suite --keep-containers) and use the -H line it prints, or name a target of targets.toml")
    cfg = load_config(_app(app), target_config=config or provider.config_file)
    with provider as servers:
        return pipeline.run_on_hosts(servers, lambda conn: fn(conn, cfg), step=step, rolling=rolling,
                                     progress=_progress(cfg))


APP_HELP = "the app's project directory (default: DEPLOYTESTS_APP, else the current directory)"
TARGET_HELP = "a target of targets.toml (DEPLOYTESTS_TARGETS) instead of the -H hosts"
CONFIG_HELP = ("the app config file (or per-host directory) to upload, relative to the current directory; "
               "default: the target's config_file, else deploy.toml's (with -H: always deploy.toml's)")


@task(help={"name": "a target of targets.toml, for the tasks after this one"})
def target(c, name):
    """Name the target (of targets.toml) for the tasks after it: ``fab target staging pack deploy``."""
    STATE["target"] = name


@task(help={"app": APP_HELP, "python": "the servers' Python version (X.Y) the wheels are built for"})
@one_line_errors
def pack(c, app=None, python="3.11"):
    """Build the app's wheel + dependency wheelhouse into one artifact (cached: instant when unchanged)."""
    project = _app(app)
    cfg = load_config(project)
    if STATE["artifact"] is None or STATE["artifact"][0] != project:
        art = pipeline.pack(project, cfg, python_version=python)
        pipeline.print_progress("runner", "pack", art.seconds, f"{art.path.name} ({art.size} bytes"
                                f"{', cached' if art.cached else ''})")
        STATE["artifact"] = (project, art)


@task(help={"app": APP_HELP, "target": TARGET_HELP, "config": CONFIG_HELP})
@one_line_errors
def bootstrap(c, app=None, target=None, config=None):
    """Prepare servers: packages, users, tree, config upload, vhost (idempotent; reports what changed)."""
    _each_host(c, target, "bootstrap",
               lambda conn, cfg: _show(pipeline.bootstrap(conn, cfg, progress=_progress(cfg))),
               app=app, config=config)


@task(help={"app": APP_HELP, "target": TARGET_HELP, "config": CONFIG_HELP,
            "rolling": "one host at a time, stopping at the first failure (default: all hosts in parallel)"})
@one_line_errors
def deploy(c, app=None, target=None, config=None, rolling=False):
    """Deploy the artifact of ``pack`` (packing first if this run did not): new release, switch, health gate."""
    if "deploy" in STATE["done"]:
        return  # Fabric calls the task once per -H host; the first call deployed to all of them
    _servers_given(c, target, "deploy")  # before packing: no build when there is nowhere to deploy it
    if STATE["artifact"] is None or app is not None:  # pack reuses this run's artifact when it is the same app
        pack(c, app=app)
    project, art = STATE["artifact"]
    _each_host(c, target, "deploy",
               lambda conn, cfg: _show(pipeline.deploy(conn, cfg, art, progress=_progress(cfg))),
               app=str(project), config=config, rolling=rolling)


@task(help={"app": APP_HELP, "target": TARGET_HELP,
            "to": "the release id to switch to (default: the previous release; `fab status` lists them)"})
@one_line_errors
def rollback(c, app=None, target=None, to=None):
    """Switch back to the previous release (or ``--to ID``) through the same health gate."""
    _each_host(c, target, "rollback",
               lambda conn, cfg: _show(pipeline.rollback(conn, cfg, to, progress=_progress(cfg))),
               app=app)


@task(help={"app": APP_HELP, "target": TARGET_HELP})
@one_line_errors
def status(c, app=None, target=None):
    """List each host's releases (oldest first) and which one is live."""
    _each_host(c, target, "status", lambda conn, cfg: _show(pipeline.status(conn, cfg)), app=app)


def _show(result):
    """Print the summary of a step's result (a status: one line per release) in one write, and return it."""
    if isinstance(result, pipeline.Status):
        lines = [f"[{result.host}] {'*' if r.live else ' '} {r.id}  {r.version:<10} {r.created_at}  {r.deployed_by}"
                 for r in result.releases]
        if not result.live:  # nothing deployed, or current dangling: say which
            lines.append(f"[{result.host}] {result.describe_live()}")
    elif isinstance(result, pipeline.BootstrapResult):
        lines = [f"[{result.host}] bootstrap: " + ("; ".join(result.changes) if result.changed else "no change")]
    else:
        what = f"live: {result.release_id} ({result.version})" if result.changed else \
            f"no change: {result.release_id} is live"
        if getattr(result, "config_changed", False):
            what += " with a changed config"
        lines = [f"[{result.host}] {what}, previous {result.previous}, {result.seconds:.2f}s"]
    print_lines(lines)
    return result
