"""Flask's "Deploying with Fabric" recipe, made safe: the ``fab`` tasks, a thin layer over
:class:`deploytests.session.Session` (the same session the pytest plugin uses).

A project's ``fabfile.py`` is one line (``deploytests init`` writes it)::

    from deploytests.tasks import *  # noqa: F401,F403  (pack, bootstrap, deploy, rollback, status, run, target)

Then, in the project::

    fab -H appuser@web1.example.com pack deploy     # the recipe: build, upload, install, switch, gate
    fab -H appuser@web1,appuser@web2 deploy         # many hosts: in parallel, every failed host reported
    fab -H appuser@web3.example.com bootstrap       # prepare a new server (needs passwordless sudo)
    fab target staging pack deploy                  # every host of a target of targets.toml, in parallel
    fab target staging deploy --canary 1 --batch 25% --max-failed 1   # a gated rollout
    fab rollback --target staging                   # the same, as a task option
    fab target staging status
    fab target staging run "django-admin migrate --plan"   # a one-off command in the live release, as the app

Which app: ``--app PATH`` on a task or ``DEPLOYTESTS_APP`` (default: the current directory), with its
``deploy.toml`` or ``[tool.deploytests]``. Which servers: ``-H user@host[:port],...`` (host keys checked
against ``DEPLOYTESTS_KNOWN_HOSTS`` or ``~/.ssh/known_hosts``, identity from ``-i`` or ``DEPLOYTESTS_IDENTITY``),
or a target of the inventory (``targets.toml`` in the current directory, or ``DEPLOYTESTS_TARGETS``) named by
the ``target NAME`` task placed before the others, by ``--target NAME`` after a task, or by
``DEPLOYTESTS_TARGET``. (Options before the first task are Fabric's own: ``fab --target staging deploy`` is
refused by Fabric itself, hence the ``target`` task.) Every option has the env var and meaning it has for
pytest (:mod:`deploytests.settings`).

Many hosts run together (``-H a,b`` as well as a target): Fabric calls a task once per ``-H`` host with that
host's Connection; each call only adds its host, and the task's post-task (which Fabric runs once, after the
calls of every host) runs the step on all of them at once, at most ``--parallel`` at a time, so every failed
host is reported, none hidden by the first. ``deploy`` follows the rollout policy (``--canary``, ``--batch``,
``--max-failed``; ``--rolling`` is ``--batch 1``): one summary line per phase and a final per-host table.
Every step prints one line per host with its duration. ``pack`` keeps its artifact for the ``deploy`` of the
same ``fab`` run; ``deploy`` packs once per distinct server Python (a fleet may mix Debian 12 and 13).
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fabric import Connection, task

from . import pipeline
from .closedpipe import tolerate_closed_pipes
from .errors import DeployError, DeployTestsError, HostsFailed, by_text
from .words import count

if TYPE_CHECKING:
    from .pipeline.releases import ReleaseInfo
from .pipeline.hosts import print_lines
from .redaction import NONE, Secrets, secrets_of
from .session import Session, cli_host, fab_settings
from .stacks import DEFAULT

__all__ = ["pack", "bootstrap", "deploy", "rollback", "status", "run", "target"]

# one fab run: hosts keep their connection, the app's config is loaded once, artifacts are packed once
STATE: dict = {"target": None, "calls": {}, "artifacts": {}, "hosts": {}, "configs": {}, "warned": set(),
               "platforms": {}}


def one_line_errors(fn):
    """A task whose errors (bad deploy.toml, a failed build, failed hosts) end ``fab`` with one line (then each
    failed host's detail), not a traceback; values of the app's config file are redacted from it."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        name = getattr(wrapper, "step", fn.__name__)
        session = args[0] if args and isinstance(args[0], Session) else None
        tolerate_closed_pipes()  # `fab ... | head -1`: a rollout never stops because no one reads its output
        try:
            return fn(*args, **kwargs)
        except HostsFailed as exc:  # each host's error is on its own line already: name the hosts, then details
            bad = [o.host for o in exc.outcomes if not o.ok]
            text = (f"{exc.step} failed on {len(bad)} of {count(len(exc.outcomes), 'host')}: {', '.join(bad)} (each "
                    "error is on its host's line above)" + (f"\n{exc.detail}" if exc.detail else ""))
            sys.exit(f"fab {name}: {_redacted(text, session)}")
        except DeployTestsError as exc:
            sys.exit(f"fab {name}: {_redacted(exc.render(), session)}")
        except pipeline.Interrupted as exc:  # the per-host lines were printed; exit like a signalled process
            print(f"fab {name}: interrupted ({exc.signame}); " + _redacted("; ".join(exc.lines), session),
                  file=sys.stderr)
            sys.exit(130 if exc.signame == "SIGINT" else 143)
    return wrapper


def _secrets(session: Session | None) -> Secrets:
    """The values of the app's config file to redact (:mod:`deploytests.redaction`); its warnings (values that
    cannot be known statically) said once per fab run."""
    try:
        secrets = secrets_of(session.config.config_file) if session is not None else NONE
    except DeployTestsError:
        return NONE  # no readable config: nothing of it can be in the text either
    for warning in secrets.warnings:
        if warning not in STATE["warned"]:
            STATE["warned"].add(warning)
            print(f"fab: warning: {warning}", file=sys.stderr)
    return secrets


def _redacted(text: str, session: Session | None) -> str:
    return _secrets(session).redact(text)


def _progress(session: Session):
    """``print_progress`` with the values of the app's config file redacted: a host's line carries its error."""
    redact = _secrets(session).redact

    def progress(host: str, step: str, seconds: float, message: str = "") -> None:
        pipeline.print_progress(host, step, seconds, redact(message))
    return progress


def session_of(step: str, conns: list[Connection], options: dict) -> Session:
    """The session of one step: settings from the task's options (same names and env vars as pytest's), the
    ``-H`` hosts (Fabric's Connections) unless a target is named (``--target``, the ``target`` task,
    ``DEPLOYTESTS_TARGET``). A host keeps its :class:`~deploytests.servers.Server` (and connection) for the run."""
    given = {k: v for k, v in options.items() if k != "config" and v not in (None, False)}
    if STATE["target"] and "target" not in given:
        given["target"] = STATE["target"]
    settings = fab_settings(given)
    hosts = [cli_host(c, settings) for c in conns]
    hosts = list({h.label: STATE["hosts"].setdefault(h.label, h) for h in hosts}.values())
    named = settings.source_of("target") != "default"
    if not named and not hosts:
        raise DeployTestsError("no servers: give -H user@host[:port][,...], or a target: `fab target NAME "
                               f"{step}` or `fab {step} --target NAME`")
    config = Path(options["config"]) if options.get("config") else None
    key = (settings.app, config, settings.target if named else None)  # deploy.toml is loaded once per fab run
    session = Session(settings, hosts=[] if named else hosts, config_file=config, artifacts=STATE["artifacts"],
                      config=STATE["configs"].get(key), platforms=STATE.setdefault("platforms", {}))
    session.provider  # noqa: B018 - an unknown target or a bad targets.toml is said first, once
    session.progress = _progress(session)
    STATE["configs"][key] = session.config
    return session


def fleet_task(help: dict[str, str], *, changes: bool = True):
    """A ``fab`` task run once on the whole fleet: ``fn(session, servers, **options)``. Each of Fabric's
    per-host calls adds its host (``c.user``, ``c.host``, ``c.port``: Fabric's public Connection); the post-task,
    which Fabric runs once after all of them, builds the session and runs ``fn``. ``changes``: the task changes
    what runs on the servers (the session refuses it on a target without the ``deploy`` right)."""
    def decorate(fn: Callable) -> Callable:
        step = fn.__name__

        def finish(c):
            call = STATE["calls"].pop(step, None)
            if call is not None:
                _run(call["hosts"], call["options"])

        @one_line_errors
        def _run(hosts, options):
            session = session_of(step, hosts, options)
            with session.servers(changes=step if changes else "") as servers:
                return fn(session, servers, **options)
        _run.step = step

        @functools.wraps(fn)
        def collect(c, **options):
            call = STATE["calls"].setdefault(step, {"hosts": [], "options": options})
            if isinstance(c, Connection):
                call["hosts"].append(c)
        collect.__signature__ = _signature(fn)  # type: ignore[attr-defined]
        return task(collect, name=step, help=help, post=[task(finish, name=f"{step}-all")])
    return decorate


def _signature(fn):
    """``fn``'s signature as a task's: ``(c, option=default, ...)`` (Fabric reads the options from it)."""
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())[2:]  # (session, servers, ...)
    return sig.replace(parameters=[inspect.Parameter("c", inspect.Parameter.POSITIONAL_OR_KEYWORD), *params])


APP_HELP = "the app's project directory (default: DEPLOYTESTS_APP, else the current directory)"
TARGET_HELP = "a target of targets.toml (DEPLOYTESTS_TARGETS) instead of the -H hosts"
CONFIG_HELP = ("the app config file (or per-host directory) to upload, relative to the current directory; "
               "default: the target's config_file, else deploy.toml's (with -H: always deploy.toml's)")
PARALLEL_HELP = "hosts worked on at once (default: DEPLOYTESTS_PARALLEL, else min(32, 4 x CPUs))"


@task(help={"name": "a target of targets.toml, for the tasks after this one"})
def target(c, name):
    """Name the target (of targets.toml) for the tasks after it: ``fab target staging pack deploy``."""
    STATE["target"] = name


@task(help={"app": APP_HELP, "python": "the servers' Python version (X.Y) the wheels are built for (default: "
                                       "each named server's own, asked; with none named, Debian 12's)"})
@one_line_errors
def pack(c, app=None, python=None):
    """Build the app's wheel + dependency wheelhouse into one artifact (cached: instant when unchanged): for
    ``--python``, else for each named server's own Python and CPU (``-H`` hosts, a target), else Debian 12's."""
    named = isinstance(c, Connection) or STATE["target"] or fab_settings({}).source_of("target") != "default"
    if python or not named:
        session = Session(fab_settings({"app": app} if app else {}), artifacts=STATE["artifacts"])
        session.progress = _progress(session)
        session.pack(python or DEFAULT.python_version)
        return
    session = session_of("pack", [c] if isinstance(c, Connection) else [], {"app": app} if app else {})
    with session.servers() as servers:  # a Debian 13 fleet gets 3.13 wheels here, not an unused 3.11 artifact
        arts = session.artifacts(servers)
    if servers and not arts and not isinstance(c, Connection):  # (-H: one host a call; the rollout counts it)
        raise DeployTestsError(f"nothing packed: none of the {count(len(servers), 'named host')} said its Python "
                               f"({', '.join(sorted(arts.lost))}: each line above says why)",
                               hint="check that the hosts are up and answer SSH (`fab status`), or pack for a "
                                    "given Python with `fab pack --python 3.11`")


@fleet_task(help={"app": APP_HELP, "target": TARGET_HELP, "parallel": PARALLEL_HELP})
def bootstrap(session, servers, app=None, target=None, parallel=None):
    """Prepare servers: packages, users, tree, config upload, vhost (idempotent; reports what changed)."""
    def one(c):
        res = pipeline.bootstrap(c, session.config, progress=session.progress)
        print_lines([f"[{res.host}] bootstrap: " + ("; ".join(res.changes) if res.changed else "no change")])
    session.run(servers, one, "bootstrap")


@fleet_task(help={"app": APP_HELP, "target": TARGET_HELP, "config": CONFIG_HELP, "parallel": PARALLEL_HELP,
                  "rolling": "one host at a time, stopping at the first failure (= --batch 1 --max-failed 0)",
                  "canary": "deploy and gate N hosts (or P%) first; any failure there stops the rollout",
                  "batch": "then N hosts (or P%) per batch, each gated before the next (default: all at once)",
                  "max_failed": "failed hosts tolerated (N or P% of all) before the rollout stops (default 0)",
                  "gate_tests": "the project's deploy tests run read-only on each phase's hosts before the next "
                                "(PATH[,PATH]; default: <app>/tests/deploy when it exists; none: only the "
                                "built-in promises)",
                  "gate_timeout": "seconds those tests may take per phase (default 300)"})
def deploy(session, servers, app=None, target=None, config=None, rolling=False, canary=None, batch=None,
           max_failed=None, parallel=None, gate_tests=None, gate_timeout=None):
    """Deploy the app (packed once per server Python): new release, switch, health gate, per the rollout policy."""
    result = session.deploy(servers)
    lines = []
    for r in result.reports:
        if r.state == "new":
            lines.append(f"[{r.host}] live: {r.live} ({r.version}), previous {r.previous}, {r.seconds:.2f}s")
        elif r.state == "unchanged":
            lines.append(f"[{r.host}] no change: {r.live} is live, previous {r.previous}, {r.seconds:.2f}s")
    print_lines(lines + result.table())
    if result.failed or result.stopped:
        bad = result.failed
        where = f"rollout stopped after {result.stopped}" if result.stopped else "rollout completed"
        alike = by_text((r.host, (f" Hint: {r.hint}" if r.hint else "") + (f"\n{r.detail}" if r.detail else ""))
                         for r in bad if r.detail or r.hint)  # hosts that failed alike: their output once
        raise DeployTestsError(f"deploy failed on {len(bad)} of {count(len(result.reports), 'host')}: "
                               f"{', '.join(r.host for r in bad)} ({where}; each host's state is in the table "
                               "above)",
                               detail="\n\n".join(f"[{', '.join(hosts)}]{text}" for text, hosts in alike.items()))


@fleet_task(help={"app": APP_HELP, "target": TARGET_HELP, "parallel": PARALLEL_HELP,
                  "to": "the release id to switch to (default: the previous release; `fab status` lists them)"})
def rollback(session, servers, app=None, target=None, to=None, parallel=None):
    """Switch back to the previous release (or ``--to ID``) through the same health gate. Without ``--to`` on
    several hosts, only the hosts serving the fleet's newest release (:func:`newest_hosts`)."""
    if to is None and len(servers) > 1:
        servers = newest_hosts(session, servers)

    def one(c):
        r = pipeline.rollback(c, session.config, to, progress=session.progress)
        what = f"live: {r.release_id} ({r.version})" if r.changed else f"no change: {r.release_id} is live"
        what += " with a changed config" if r.config_changed else ""
        print_lines([f"[{r.host}] {what}, previous {r.previous}, {r.seconds:.2f}s"])
    session.run(servers, one, "rollback")


def newest_hosts(session, servers) -> list:
    """The hosts a fleet's rollback steps back: those whose live release has the version of the newest live
    release of the fleet (the last rollout's). A host it did not reach (refused by a hook, rolled back within
    --max-failed, down then) serves an older one: stepping it back too would take it past what the fleet ran
    before; it is named and left as it is. A host whose status cannot be read is kept (its rollback says why)."""
    live: dict[str, ReleaseInfo | None] = {}

    def look(c):
        st = pipeline.status(c, session.config)
        live[c.label] = next((r for r in st.releases if r.live), None)
    try:
        session.run(servers, look, "status")
    except DeployTestsError:
        pass  # the hosts that could not say are rolled back as asked: their rollback names the error
    known = [r for r in live.values() if r is not None]
    if not known:
        return servers
    newest = max(known, key=lambda r: r.id)
    keep = []
    for s in servers:
        r = live.get(s.label)
        if r is None or r.version == newest.version:
            keep.append(s)
        else:
            print_lines([f"[{s.label}] untouched: serves {r.id} ({r.version}), not the fleet's newest release "
                         f"{newest.id} ({newest.version}): the last rollout did not reach it (roll it back on "
                         "its own with fab -H ... rollback, if meant)"])
    return keep


@fleet_task(help={"app": APP_HELP, "target": TARGET_HELP}, changes=False)
def status(session, servers, app=None, target=None):
    """List each host's releases (oldest first) and which one is live."""
    import shutil

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    seen: list = []

    def one(c):
        st = pipeline.status(c, session.config)
        seen.append(st)
        print_lines(status_lines(st, width))
    try:
        session.run(servers, one, "status")
    finally:  # the hosts that answered, even when others could not
        print_lines(fleet_lines(seen))


def fleet_lines(statuses) -> list[str]:
    """One line when the hosts that answered do not all serve one version (a rollout or rollback stopped part way:
    killed, a host lost, ``--max-failed`` reached): which version each group serves, newest release first, and how
    to bring them level. Grouped by the version, as the fleet's rollback compares hosts: one deploy makes a release
    id per artifact, one per server Python. Nothing when they agree: each host's own lines already say it."""
    groups: dict[str | None, list] = {}
    for st in statuses:
        groups.setdefault(st.live_version if st.live else None, []).append(st)
    if len(groups) < 2:
        return []

    def serves(version: str | None, group: list) -> str:
        hosts = sorted(st.host for st in group)
        names = ", ".join(hosts[:4]) + (f" and {len(hosts) - 4} more" if len(hosts) > 4 else "")
        what = f"version {_cut(_cells(version), FIELD)}" if version is not None else "nothing"
        return f"{len(hosts)} serve{'s' if len(hosts) == 1 else ''} {what}: {names}"
    order = sorted(groups, key=lambda v: max(st.live or "" for st in groups[v]), reverse=True)
    return ["[fleet] mixed: " + "; ".join(serves(v, groups[v]) for v in order)
            + " (a rollout or rollback did not reach every host: `fab deploy` brings them to the newest, "
              "`fab -H HOST rollback` takes one back)"]


FIELD = 100  # characters of a value from RELEASE.json shown at most


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:max(most - 3, 0)] + "..."


def _cells(text: str) -> str:
    """``text`` in ASCII, a tab and every other character as its escape: one character, one terminal cell."""
    return text.encode("ascii", "backslashreplace").decode().replace("\t", "\\t")


def status_lines(st, width: int | None = None) -> list[str]:
    """``fab status``'s lines for one host. The version, date and deployer come from ``RELEASE.json``, the deploy
    login's file (made safe: one line each): each is cut to :data:`FIELD` characters, and on a terminal every line
    to its ``width``: a value padded to the width made the terminal wrap it into a row of its own that read as a
    release line (``[host] * 29990101T000000Z-forged 9.9``). Each value is shown in ASCII, a tab and every other
    character as its escape, so a character is one terminal cell and the cut holds: a wide character (two cells)
    or a tab (up to eight) made the row wrap again."""
    lines = [f"[{st.host}] {'*' if r.live else ' '} {_cells(r.id)}  {_cut(_cells(r.version), FIELD):<10} "
             f"{_cut(_cells(r.created_at), FIELD)}  {_cut(_cells(r.deployed_by), FIELD)}" for r in st.releases]
    if not st.live:  # nothing deployed, or current dangling: say which
        lines.append(f"[{st.host}] {st.describe_live()}")
    return [_cut(line, width - 1) if width else line for line in lines]


@fleet_task(help={"command": "the command line, run with sh -c (quote it): \"django-admin migrate\", \"flask --app pkg "
                             "init-db\"", "app": APP_HELP, "target": TARGET_HELP, "parallel": PARALLEL_HELP})
def run(session, servers, command, app=None, target=None, parallel=None):
    """Run COMMAND on each host in the live release, as the app user, with its config and env (a one-off:
    ``fab target staging run "django-admin createsuperuser --noinput"``). Output streams per host; a host whose
    command exits non-zero fails the task. (Not ``fab -H ... -- CMD``: Fabric itself runs that as the login.)"""
    redact = _secrets(session).redact  # the command's output is the app's: config values never shown

    def line(host: str, text: str) -> None:
        print_lines([redact(f"[{host}] {text}")])

    def one(c):
        result = pipeline.run_command(c, session.config, command, output=line)
        if result.exit != 0:
            raise DeployError(f"the command exited with status {result.exit} (in release {result.release_id})",
                              where=result.host, hint="its output is above, on the host's lines")
        print_lines([f"[{result.host}] run: exit 0 in release {result.release_id}"])
    session.run(servers, one, "run")
