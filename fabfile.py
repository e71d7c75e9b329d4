"""Flask's "Deploying with Fabric" recipe, made safe: thin ``fab`` tasks over :mod:`deploytests.pipeline`.

::

    fab -H appuser@web1.example.com pack deploy     # the recipe: build, upload, install, switch, gate
    fab -H appuser@web3.example.com bootstrap       # prepare a new server (needs passwordless sudo)
    fab rollback --target staging                   # go back one release on every host of a target
    fab status --target staging

Which app: ``--app PATH`` on a task or ``DEPLOYTESTS_APP`` (default: the current directory), with its
``deploy.toml`` or ``[tool.deploytests]``. Which servers: ``-H user@host[:port]`` (one connection per host,
host keys checked against ``DEPLOYTESTS_KNOWN_HOSTS`` or ``~/.ssh/known_hosts``, identity from ``-i`` or
``DEPLOYTESTS_IDENTITY``), or ``--target NAME`` / ``DEPLOYTESTS_TARGET`` from ``targets.toml``
(``DEPLOYTESTS_TARGETS`` names another inventory), where all hosts run in parallel. Every step prints one line
per host with its duration. ``pack`` keeps its artifact for the ``deploy`` of the same ``fab`` run.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from fabric import Connection, task

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.errors import DeployTestsError
from deploytests.ssh import connect

STATE: dict = {"artifact": None, "connections": {}}


def one_line_errors(fn):
    """A task whose errors (bad deploy.toml, a failed build, failed hosts) end ``fab`` with one line (then each
    failed host's detail), not a traceback; values of the app's config file are redacted from it."""
    @functools.wraps(fn)
    def wrapper(c, *args, **kwargs):
        try:
            return fn(c, *args, **kwargs)
        except DeployTestsError as exc:
            sys.exit(f"fab {fn.__name__}: {_redacted(exc.render(), kwargs.get('app'), kwargs.get('config'))}")
        except pipeline.Interrupted as exc:  # the per-host lines were printed; exit like a signalled process
            print(f"fab {fn.__name__}: interrupted ({exc.signame}); " + "; ".join(exc.lines), file=sys.stderr)
            sys.exit(130 if exc.signame == "SIGINT" else 143)
    return wrapper


def _redacted(text: str, app: str | None, config: str | None = None) -> str:
    from deploytests.verify.diagnostics import redact, secret_values

    try:
        config_file = load_config(_app(app), target_config=config).config_file
    except DeployTestsError:
        return text  # no readable config: nothing of it can be in the text either
    return redact(text, secret_values(config_file))


def _app(app: str | None) -> Path:
    return Path(app or os.environ.get("DEPLOYTESTS_APP") or ".").resolve()


def _pinned(c: Connection):
    """Our pinned connection (RejectPolicy, TCP_NODELAY) for a ``-H`` host; one per host per fab run."""
    key = (c.connect_kwargs.get("key_filename") or [os.environ.get("DEPLOYTESTS_IDENTITY", "~/.ssh/id_ed25519")])
    key = key[0] if isinstance(key, (list, tuple)) else key
    known = os.environ.get("DEPLOYTESTS_KNOWN_HOSTS", "~/.ssh/known_hosts")
    where = (c.user, c.host, c.port)
    if where not in STATE["connections"]:
        STATE["connections"][where] = connect(c.host, user=c.user, port=c.port, key_filename=Path(key).expanduser(),
                                              known_hosts=Path(known).expanduser(), label=f"{c.user}@{c.host}")
    return STATE["connections"][where]


def _each_host(c, target: str | None, step: str, fn, *, rolling: bool = False):
    """Run ``fn(connection)`` on the ``-H`` host of ``c``, or on every host of ``target`` in parallel."""
    target = target or os.environ.get("DEPLOYTESTS_TARGET")
    if isinstance(c, Connection) and not target:
        return [pipeline.run_on_hosts([_pinned(c)], fn, step=step, progress=pipeline.print_progress)]
    if not target:
        raise DeployTestsError("no servers: give -H user@host[:port] or --target NAME")
    from deploytests.settings import Settings
    from deploytests.targets import provider_for

    inventory = Path(os.environ.get("DEPLOYTESTS_TARGETS", "targets.toml"))
    settings = Settings(target=target, targets_file=inventory.resolve() if inventory.is_file() else None)
    with provider_for(settings) as servers:
        return pipeline.run_on_hosts(servers, fn, step=step, rolling=rolling, progress=pipeline.print_progress)


@task
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


@task
@one_line_errors
def bootstrap(c, app=None, target=None, config=None):
    """Prepare servers: packages, users, tree, config upload, vhost (idempotent; reports what changed)."""
    cfg = load_config(_app(app), target_config=config)
    _each_host(c, target, "bootstrap", lambda conn: _show(pipeline.bootstrap(conn, cfg,
                                                                             progress=pipeline.print_progress)))


@task
@one_line_errors
def deploy(c, app=None, target=None, rolling=False):
    """Deploy the artifact of ``pack`` (packing first if this run did not): new release, switch, health gate."""
    if STATE["artifact"] is None or app is not None:  # pack reuses this run's artifact when it is the same app
        pack(c, app=app)
    project, art = STATE["artifact"]
    cfg = load_config(project)
    _each_host(c, target, "deploy", lambda conn: _show(pipeline.deploy(conn, cfg, art,
                                                                       progress=pipeline.print_progress)),
               rolling=rolling)


@task
@one_line_errors
def rollback(c, app=None, target=None, to=None):
    """Switch back to the previous release (or ``--to ID``) through the same health gate."""
    cfg = load_config(_app(app))
    _each_host(c, target, "rollback", lambda conn: _show(pipeline.rollback(conn, cfg, to,
                                                                           progress=pipeline.print_progress)))


@task
@one_line_errors
def status(c, app=None, target=None):
    """List each host's releases (oldest first) and which one is live."""
    cfg = load_config(_app(app))
    _each_host(c, target, "status", lambda conn: _show(pipeline.status(conn, cfg)))


def _show(result):
    """Print the one-line summary of a step's result and return it."""
    if isinstance(result, pipeline.Status):
        for r in result.releases:
            print(f"[{result.host}] {'*' if r.live else ' '} {r.id}  {r.version:<10} {r.created_at}  {r.deployed_by}")
        if not result.live:  # nothing deployed, or current dangling: say which
            print(f"[{result.host}] {result.describe_live()}")
    elif isinstance(result, pipeline.BootstrapResult):
        print(f"[{result.host}] bootstrap: " + ("; ".join(result.changes) if result.changed else "no change"))
    else:
        what = f"live: {result.release_id} ({result.version})" if result.changed else \
            f"no change: {result.release_id} is live"
        print(f"[{result.host}] {what}, previous {result.previous}, {result.seconds:.2f}s")
    return result
