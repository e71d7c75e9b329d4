"""deploy, rollback, status: release management on one server, each one agent run (one SSH round trip).

deploy, as the deploy user (no sudo needed), with the artifact streamed on the same channel:

1. **lock**: ``flock`` on ``/var/www/<app>/.deploy.lock``, held by the agent process for the whole deploy. A
   second deploy waits up to ``lock_timeout`` seconds, then fails naming the holder (pid, user, release, since
   when; written into the lock file). A deploy that died (killed, SSH dropped) holds nothing: the kernel drops
   a flock with its process, so its lock is taken over at once, and the release dir it left without
   RELEASE.json is removed ("recovered").
2. **no-op**: if the live release came from the same artifact sha256, with the same settings (their digest:
   :func:`release_settings`) and config, and the site answers with it, nothing is done (``changed=False``).
   If ``current`` names it but the site serves another release (a deploy died between the switch and the
   reload), the switch is finished: reload + gate (``changed=True``).
2b. **config**: the target's config for this host travels before the artifact; when it differs from the one the
   live release started with (``config_sha256`` in its RELEASE.json), the agent installs it -- the deploy
   login's own file, no sudo -- and a new release is built even from the same artifact ("config changed"); a
   refused release puts the previous config back.
3. **build** ``releases/<id>`` (id ``YYYYmmddTHHMMSSZ-<sha8>``, sortable): receive + check sha256, unpack,
   ``python3 -m venv --without-pip`` + the tree prebuilt by pack extracted into it (or, when the runner's Python
   differs, the shipped wheels installed by pypa ``installer``), symlink the shared paths, then one process as
   the app user with the config env set: import the entry point, run the post-deploy commands, **preflight**
   (GET the health path in-process through WSGI); RELEASE.json last (a release without it is incomplete).
   Any failure here removes the new dir and the live release keeps serving. The import comes before the
   post-deploy commands (a release that cannot load its app never touches the live data), the health GET after
   them (the new code may need the tables they create); a refusal once they ran says that they ran against the
   shared data, which no switch-back undoes: post-deploy commands must be safe to repeat.
4. **switch** ``current`` atomically (new symlink renamed over the old one) and **reload** by touching the .wsgi.
5. **gate**: from the server itself, GET ``http://127.0.0.1:<port><health_path>`` with ``Host: server_name``
   until it answers 200 with ``X-Deploy-Release: <id>``, within ``gate_timeout``. On failure switch back, touch,
   check the old release answers again, log the failure in ``releases/failed.log``, remove the release, and
   raise :class:`DeployError` with the tail of Apache's error log.
6. **prune** to ``keep_releases`` (never the live one nor the previous).

Reload: touch vs graceful. Touching the .wsgi (owned by the deploy user) restarts only this app's mod_wsgi
daemon, on the next request, and needs no sudo; ``apache2ctl graceful`` needs root and recycles every Apache
child of every site. Measured on the debian-apache-wsgi container (switch ``current``, reload, then time until
the first 200 carrying the new release id, polled on the server; 8 runs each, alternating): touch median
0.55 s (0.38-1.23 s, the tail is mod_wsgi's 1-second maintenance tick), graceful median 0.49 s (0.41-0.80 s).
The 60 ms median difference does not buy a sudo requirement for every deploy user and a reload of unrelated
sites, so deploy touches. In both cases the first request waits for the new daemon rather than failing, and
Apache's parent process is never restarted by a deploy.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import PLACEHOLDER, DeployConfig, env_problem
from ..errors import DeployError, DeployTestsError
from ..stacks import detect
from . import templates
from .artifact import Artifact
from .contract import DeployArgs, DeployReply, RollbackArgs, RunArgs, RunReply, StatusArgs, StatusReply
from .programs import spawn
from .remote import Progress, Resumable, call_agent, label_of


@dataclass
class DeployResult:
    """Outcome of a deploy or rollback on one host."""

    host: str
    release_id: str
    changed: bool
    previous: str | None = None
    version: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    pruned: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    config_changed: bool = False


@dataclass
class ReleaseInfo:
    id: str
    version: str
    created_at: str
    artifact_sha256: str
    deployed_by: str = ""
    live: bool = False


@dataclass
class Status:
    host: str
    live: str | None
    releases: list[ReleaseInfo]
    bootstrapped: bool = True
    dangling: str | None = None  # where ``current`` points when that release does not exist

    def describe_live(self) -> str:
        """One line on what is live: the release, or why none is (dangling ``current``, nothing deployed)."""
        if self.live:
            return f"serves {self.live} ({self.live_version})"
        if self.dangling:
            return (f"current -> {self.dangling}, which does not exist: no release is live (the site cannot "
                    "serve the app); deploy again, or roll back to a listed release")
        if not self.bootstrapped:
            return "not bootstrapped: no release is live"
        return "no release is live: nothing deployed yet"

    @property
    def live_version(self) -> str | None:
        return next((r.version for r in self.releases if r.live), None)


def release_id(now: dt.datetime, sha256: str) -> str:
    """Sortable, unique-enough release id: UTC timestamp + artifact sha (the agent adds ``-2`` on a clash)."""
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + sha256[:8]


def deployed_by() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}"


def release_settings(cfg: DeployConfig) -> dict:
    """Every deploy.toml input that changes what runs in a release or what its check does (pure): with the
    artifact and the config, the release's identity. Their digest (:func:`settings_digest`) is recorded in
    RELEASE.json; the agent makes a new release when it differs from the live one's, naming the keys that did."""
    return {
        "entry_point": cfg.entry_point, "post_deploy": list(cfg.post_deploy),
        "post_deploy_timeout": float(cfg.post_deploy_timeout), "health_path": cfg.health_path,
        "server_name": cfg.server_name, "static": {prefix: d for prefix, d in cfg.static},
        "shared_paths": list(cfg.shared_paths), "env": dict(cfg.env_vars), "config_env": cfg.config_env,
        **({"config_as_env": True} if cfg.config_as_env else {}),  # absent when false: old releases' digests hold
    }


def settings_digest(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def release_meta(cfg: DeployConfig, artifact: Artifact, now: dt.datetime) -> dict:
    """What RELEASE.json records (besides id, the artifact manifest and the config's sha256): who and what, and
    the release's settings with their digest (``settings_sha256``, compared by the agent's ``plan_deploy``)."""
    settings = release_settings(cfg)
    return {
        "app": cfg.app, "version": artifact.version, "name": artifact.name, "artifact_sha256": artifact.sha256,
        "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"), "deployed_by": deployed_by(),
        "source": artifact.manifest.get("git_sha"), "entry_point": cfg.entry_point,
        "settings": settings, "settings_sha256": settings_digest(settings),
    }


def gate_args(cfg: DeployConfig, *, lock_timeout: float, gate_timeout: float) -> dict:
    """Arguments shared by deploy and rollback (pure): the fields of :class:`~.contract.GateArgs`."""
    return {
        "app": cfg.app, "root": cfg.root, "port": cfg.port, "health_path": cfg.health_path,
        "server_name": cfg.server_name,
        "lock_timeout": lock_timeout, "gate_timeout": gate_timeout, "app_user": cfg.app_user,
        "config_env": cfg.config_env, "config_path": cfg.remote_config_path, "entry_point": cfg.entry_point,
    }


def deploy_args(cfg: DeployConfig, artifact: Artifact, *, now: dt.datetime, lock_timeout: float,
                gate_timeout: float, preflight: bool = True, config_size: int | None = None) -> DeployArgs:
    """The agent's arguments for a deploy (pure: the unit tests check them). The config's bytes (``config_size``
    of them, None: no config) travel on stdin before the artifact, never in the arguments."""
    return DeployArgs(
        **gate_args(cfg, lock_timeout=lock_timeout, gate_timeout=gate_timeout), config_size=config_size,
        release_id=release_id(now, artifact.sha256), artifact_sha256=artifact.sha256, artifact_size=artifact.size,
        release=release_meta(cfg, artifact, now), python=cfg.python, keep_releases=cfg.keep_releases,
        shared_paths=list(cfg.shared_paths), post_deploy=list(cfg.post_deploy),
        post_deploy_timeout=cfg.post_deploy_timeout, preflight=preflight, env=cfg.env_vars,
        wsgi=templates.wsgi(cfg),
    )


def deploy(c, cfg: DeployConfig, artifact: Artifact, *, lock_timeout: float = 60, gate_timeout: float | None = None,
           preflight: bool = True, progress: Progress | None = None, now: dt.datetime | None = None) -> DeployResult:
    """Install ``artifact`` as a new release on ``c``'s server and make it live through the health gate.

    ``gate_timeout``: seconds for the live release to answer its health path (default: deploy.toml's
    ``health_timeout``). ``preflight=False`` skips the in-process check before the switch (only to exercise the
    HTTP gate's switch-back path in tests). Raises :class:`DeployError` naming the host and the failed step.
    """
    started = time.monotonic()
    config_file = cfg.config_for(c.host, c.port, getattr(c, "name", ""))
    config = config_file.read_bytes() if config_file else None
    if config is not None and cfg.config_as_env:
        env_file_problem(cfg, config_file, config)  # type: ignore[arg-type]
    args = deploy_args(cfg, artifact, now=now or dt.datetime.now(dt.UTC), lock_timeout=lock_timeout,
                       gate_timeout=cfg.health_timeout if gate_timeout is None else gate_timeout, preflight=preflight,
                       config_size=len(config) if config is not None else None)
    payload = (config or b"", Resumable(artifact.path))  # the artifact from where a cut upload of it ended
    res = _with_error_log(c, lambda: call_agent(c, "deploy", args, payload=payload,
                                                python=cfg.python, step="deploy", progress=progress))
    return _result(c, res, started, version=artifact.version)


def env_file_problem(cfg: DeployConfig, path: Path, data: bytes) -> None:
    """Refuse, before anything is sent, a ``config_as_env`` config file that is not an env file the servers can
    read (:func:`.programs.spawn.env_lines`) or that sets a name the app's ``env`` may not hold (PATH, LD_*, the
    config env var: :func:`~deploytests.config.env_problem`). The message names the file and line, never a value."""
    try:
        pairs = spawn.env_lines(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise DeployError(f"{path}: config_as_env = true, but {e}", hint="write one NAME=value per line (# starts "
                          "a comment), or set config_as_env = false for a config file the app opens itself") from None
    for name, value in pairs:  # (the value only to say it is init's placeholder: a reason never quotes a secret)
        if (why := env_problem(name, PLACEHOLDER if PLACEHOLDER in value else "", cfg.config_env)) is not None:
            line = next(n for n, text in enumerate(data.decode("utf-8").splitlines(), 1)
                        if re.match(rf"\s*(?:export\s+)?{name}\s*=", text))
            raise DeployError(f"{path}:{line}: config_as_env = true: {why}", hint=(
                "put the secret there (one the app checks, an API token: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')" if PLACEHOLDER in value else
                "remove that line from the config file"))


def rollback(c, cfg: DeployConfig, to: str | None = None, *, lock_timeout: float = 60,
             gate_timeout: float | None = None,
             progress: Progress | None = None) -> DeployResult:
    """Make the previous release (or release ``to``) live again, through the same lock and gate as deploy, with
    the config it started with (``<root>/.configs`` keeps recent ones; ``config_changed`` says it was put back)."""
    started = time.monotonic()
    args = RollbackArgs(**gate_args(cfg, lock_timeout=lock_timeout, gate_timeout=cfg.health_timeout
                                    if gate_timeout is None else gate_timeout), to=to)
    res = _with_error_log(c, lambda: call_agent(c, "rollback", args, python=cfg.python, step="rollback",
                                                progress=progress))
    return _result(c, res, started)


@dataclass
class CommandResult:
    """A one-off command on one host: its exit status and the live release it ran in."""

    host: str
    exit: int
    release_id: str


def run_command(c, cfg: DeployConfig, command: str, *, output=None) -> CommandResult:
    """Run ``command`` (``sh -c``) on ``c``'s server in the live release, as the app user, with the app's config
    env var and the live release's env, in the release dir (what the daemons and post_deploy get). Each line of
    its output goes to ``output(host, line)`` as it comes; a command that exits non-zero is a result, not an error
    (the caller says which hosts failed)."""
    host = label_of(c)
    args = RunArgs(**gate_args(cfg, lock_timeout=0, gate_timeout=0), command=command)
    res = RunReply.from_dict(call_agent(c, "run", args, python=cfg.python, step="run",
                                        on_output=(lambda line: output(host, line)) if output else None),
                             ignore=("event",))
    return CommandResult(host=host, exit=res.exit, release_id=res.release_id)


def status(c, cfg: DeployConfig) -> Status:
    """Releases on the server (oldest first) with version and creation time, and which one is live."""
    res = StatusReply.from_dict(call_agent(c, "status", StatusArgs(root=cfg.root), python=cfg.python, step="status"),
                                ignore=("event",))
    def shown(r, key, default):  # RELEASE.json is the deploy login's file: any JSON value, shown as one line
        value = r.get(key, default)
        return value if isinstance(value, str) else json.dumps(value)

    releases = [ReleaseInfo(id=r["id"], version=shown(r, "version", "?"), created_at=shown(r, "created_at", "?"),
                            artifact_sha256=shown(r, "artifact_sha256", ""), deployed_by=shown(r, "deployed_by", ""),
                            live=r["id"] == res.live) for r in res.releases]
    return Status(host=label_of(c), live=res.live, releases=releases, bootstrapped=res.bootstrapped,
                  dangling=res.dangling)


def error_log_tail(c) -> str:
    """The server's explanation of a failed deploy, as its stack finds it (``stacks.<kind>.logs``: Apache's error
    log tail). Only called when a deploy failed."""
    try:
        stack = detect(c, label_of(c))
    except DeployTestsError as exc:
        return f"--- the server's error log: not read: {exc}"
    return stack.behaviour("logs").error_log_tail(c, stack)


def _with_error_log(c, call):
    """Run ``call``; a gate failure gets the server's error log tail added to its detail."""
    try:
        return call()
    except DeployError as exc:
        if "gate" in exc.what:
            exc.detail = f"{exc.detail}\n{error_log_tail(c)}".strip()
        raise


def _result(c, event: dict, started: float, version: str = "") -> DeployResult:
    res = DeployReply.from_dict(event, ignore=("event",))
    return DeployResult(host=label_of(c), release_id=res.release_id, changed=res.changed, previous=res.previous,
                        version=res.version or version, timings=res.timings, seconds=time.monotonic() - started,
                        pruned=res.pruned, recovered=res.recovered, config_changed=res.config_changed)
