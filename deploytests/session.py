"""One session behind both front-ends: what ``fab`` tasks and the pytest plugin share, written once.

A :class:`Session` owns, for one run:

- the **settings**: one :class:`~deploytests.settings.Settings` resolved from the one table of options
  (:data:`deploytests.settings.OPTIONS`: command line < env var < ini < default). pytest passes its options and
  ini keys; ``fab`` passes the task's options (:func:`fab_settings`), with the same env vars;
- the **target**: the ``-H`` hosts of a ``fab`` run (:func:`cli_host`, one per Connection Fabric made), or a
  target of ``targets.toml`` through its provider;
- **one load of the app's deploy config** (:attr:`Session.config`);
- **bootstrap**, **packing once per server Python** (a fleet may mix Debian 12 and 13: each host gets the
  artifact built for its own Python, :meth:`Session.artifacts`), and
- the **rollout policy** (:class:`~deploytests.pipeline.fleet.Policy` from ``--canary``, ``--batch``,
  ``--max-failed``, ``--parallel``, ``--rolling``) with the target's runner-side hooks and the gate run on the
  hosts just deployed (:meth:`Session.gate`: every built-in promise; :meth:`Session.project_tests`: the
  project's own read-only deploy tests, one child pytest per phase).

Nothing here imports pytest or Fabric's command line: ``deploytests.tasks`` and ``deploytests.plugin`` are thin
layers over it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from . import pipeline
from .config import DATA_ONLY, confined, load_config
from .errors import DeployTestsError, HostsFailed
from .pipeline.fleet import Hooks, Policy, roll_out
from .redaction import secrets_of
from .servers import Server
from .settings import OPTIONS, Count, Settings, resolve
from .stacks import OS_RELEASE, OS_RELEASE_FALLBACK, for_os_release
from .targets import provider_for
from .verify.between import ProjectTests


def fab_settings(options: Mapping[str, object], env: Mapping[str, str] = os.environ,
                 cwd: Path | None = None) -> Settings:
    """The settings of a ``fab`` run: the task's options (names of :data:`~deploytests.settings.OPTIONS`; None:
    not given) over the same ``DEPLOYTESTS_*`` env vars pytest reads; the app defaults to the current directory
    and the inventory to its ``targets.toml``."""
    cwd = cwd or Path.cwd()
    defaults: dict[str, object] = {"app": cwd.resolve()}
    if (cwd / "targets.toml").is_file():
        defaults["targets_file"] = (cwd / "targets.toml").resolve()
    return resolve(cli=options, env=env, ini={}, cwd=cwd, ini_dir=cwd, defaults=defaults,
                   default_source="the current directory")


FAB_PATHS = {  # the settings only -H hosts use: what to do when the path names no file, what "unset" means
    "identity": ("set {env} to the deploy login's private key, or give fab -i PATH", "no -i given, "),
    "known_hosts": ("set {env} to the file that has them", ""),
}


class Artifacts(dict):
    """The artifact of each host (by label); a host in ``lost`` has none: asking for it raises its error, so a
    rollout fails that host alone (``unknown`` for a host it could not reach) under its canary and
    ``--max-failed`` rules."""

    def __init__(self, packed: dict, lost: dict[str, BaseException]):
        super().__init__(packed)
        self.lost = lost

    def __missing__(self, label: str):
        if label in self.lost:
            raise self.lost[label]
        raise KeyError(label)


def _fab_path(settings: Settings, name: str) -> tuple[Path, tuple[str, str]]:
    """The path of ``-H`` hosts' setting ``name`` and (where it came from, what to do if it names no file)."""
    env = next(o.env for o in OPTIONS if o.name == name)
    hint, unset = FAB_PATHS[name]
    value: Path = getattr(settings, name)
    if settings.source_of(name) == "default":
        return value.expanduser(), (f"the default {value}: {unset}{env} unset", hint.format(env=env))
    return value, (env, hint.format(env=env))


def cli_host(c, settings: Settings | None = None) -> Server:
    """The :class:`~deploytests.servers.Server` of a ``-H`` host, from the Connection Fabric made for it
    (``c.user``, ``c.host``, ``c.port``, ``-i`` in ``c.connect_kwargs``; else the settings' ``identity``, and their
    ``known_hosts``: ``DEPLOYTESTS_IDENTITY``, ``DEPLOYTESTS_KNOWN_HOSTS``). Connected (pinned) on first use inside
    its own step, so a host that cannot be reached is one failed host among the others; the connection is kept
    for every later step of the run."""
    settings = settings or fab_settings({})
    key, key_from = _fab_path(settings, "identity")
    given = c.connect_kwargs.get("key_filename")
    given = given[0] if isinstance(given, (list, tuple)) and given else given
    if given:
        key, key_from = Path(given).expanduser(), ("fab -i", "give -i the path of the deploy login's private key")
    known, known_from = _fab_path(settings, "known_hosts")
    label = f"{c.user}@{c.host}" + (f":{c.port}" if c.port != 22 else "")
    return Server(name=label, label=label, host=c.host, port=c.port, user=c.user, key_filename=key,
                  known_hosts=known, base_url="", key_from=key_from, known_from=known_from)


def policy_of(s) -> Policy:
    """The rollout policy of resolved settings (``--rolling``: ``--batch 1 --max-failed 0``)."""
    return Policy(canary=s.canary, batch=Count(1) if s.rolling else s.batch,
                  max_failed=Count(0) if s.rolling else s.max_failed, parallel=s.parallel)


class Session:
    """One run against one fleet (see the module docstring). ``hosts``: the ``-H`` hosts (then the settings'
    target is not used); ``config_file``: the app config to upload instead of the target's or the app's own."""

    def __init__(self, settings: Settings, *, hosts: list[Server] | None = None, config_file: Path | None = None,
                 progress=None, say=print, provider=None, config=None, artifacts: dict | None = None,
                 platforms: dict | None = None):
        self.settings, self.hosts, self.progress, self.say = settings, list(hosts or []), progress, say
        self._config_file, self._provider, self._config = config_file, provider, config
        self._artifacts: dict = {} if artifacts is None else artifacts  # (app, python, machine) -> Artifact
        # label -> (python, machine), or the error the host gave: asked once per run (``fab pack deploy`` asks a
        # frozen host once, not once per task: every wait of a lost host is paid once)
        self._platforms: dict = {} if platforms is None else platforms

    # -- the target ------------------------------------------------------------------------------------
    @property
    def provider(self):
        """The target's provider (None for ``-H`` hosts), built once."""
        if self._provider is None and not self.hosts:
            self._provider = provider_for(self.settings, http=False)
        return self._provider

    def require_deploy_right(self, step: str) -> None:
        """Refuse ``step`` (one that changes what runs: deploy, rollback, bootstrap, run) on a target whose
        ``deploy`` right is not granted in targets.toml (default false: read-only verification), for both
        front-ends alike. ``-H`` hosts are the operator's explicit choice: allowed."""
        if self.hosts:
            return
        provider = self.provider
        if provider.rights.deploy:
            return
        spec = getattr(provider, "spec", None)
        where = (getattr(spec, "rights_where", "") or getattr(spec, "where", "")) if spec is not None else ""
        raise DeployTestsError(
            f"target {provider.name!r} may not {step}: its key 'deploy' is not true (default false: read-only "
            "verification)", where=where, hint=f"set deploy = true in that target's table to let fab and pytest "
            f"{step} there, or give the hosts with -H")

    @contextlib.contextmanager
    def servers(self, *, throwaway: bool = False, changes: str = "") -> Iterator[list]:
        """The fleet, connected lazily per host, closed on exit. ``throwaway=False`` refuses the docker target
        (its containers would live for this one step only). ``changes``: the step about to change what runs
        there (deploy, rollback, bootstrap, run): refused unless the target has the ``deploy`` right."""
        if changes:
            self.require_deploy_right(changes)
        if self.hosts:  # the caller's: their connections stay open for its later steps
            yield self.hosts
            return
        provider = self.provider
        if provider.kind == "docker" and not throwaway:
            raise DeployTestsError(
                f"target {provider.name!r} is throwaway containers that live for one pytest run: a fab step on it "
                "would start new ones and remove them when done", hint="keep the gate's containers (pytest "
                "--pyargs deploytests.suite --keep-containers) and use the -H line it prints, or name a target "
                "of targets.toml")
        with provider as servers:
            yield servers

    # -- the app ---------------------------------------------------------------------------------------
    @property
    def config(self):
        """The app's deploy config (loaded once), with ``config_file``, else the target's, else its own."""
        if self._config is None:
            target_file = None if self.hosts else getattr(self.provider, "config_file", None)
            target_env = None if self.hosts else getattr(self.provider, "env", None)
            config = load_config(self.app, target_config=self._config_file or target_file, target_env=target_env)
            data_only = os.environ.get(DATA_ONLY) and not (self._config_file or target_file)  # (the admin's bootstrap)
            self._config = confined(config) if data_only else config  # (kept only once it passed)
        return self._config

    @property
    def app(self) -> Path:
        return self.settings.app or Path.cwd().resolve()

    @property
    def hooks(self):
        spec = getattr(self.provider, "spec", None) if not self.hosts else None
        if spec is None:
            return Hooks()
        return Hooks(spec.before_host, spec.after_host, float(spec.hook_timeout))

    @property
    def policy(self):
        return policy_of(self.settings)

    # -- steps -----------------------------------------------------------------------------------------
    def run(self, servers, fn, step: str):
        """``fn(c)`` on every server, at most ``--parallel`` at once (:func:`~deploytests.pipeline.run_on_hosts`).
        Each host's connection is closed at the end of its turn (a later step opens it again), so the runner holds
        at most ``--parallel`` connections, and their threads and buffers, whatever the fleet's size."""
        by = {s.label: s for s in servers}

        def turn(c):
            try:
                return fn(c)
            finally:
                close = getattr(by.get(getattr(c, "label", "")), "close", None)
                if callable(close):
                    close()

        return pipeline.run_on_hosts(servers, turn, step=step, workers=self.settings.parallel,
                                     progress=self.progress,
                                     ask=lambda c: pipeline.status(c, self.config).describe_live())

    def pack(self, python: str, machine: str = "x86_64"):
        """The artifact for one server Python (built once per session; the build cache makes repeats instant)."""
        key = (self.app, python, machine)
        if key not in self._artifacts:
            art = pipeline.pack(self.app, self.config, python_version=python, machine=machine)
            pipeline.print_progress("runner", "pack", art.seconds, f"{art.path.name} ({art.size} bytes"
                                    f"{', cached' if art.cached else ''}; Python {python}, {machine})")
            for warning in art.warnings:
                pipeline.print_progress("runner", "pack", 0, f"warning: {warning}")
            self._artifacts[key] = art
        return self._artifacts[key]

    def platforms(self, servers) -> dict[str, object]:
        """Each server's Python ``X.Y`` and CPU architecture, read in one round trip per host (``uname -m`` and
        ``/etc/os-release``, bounded); for a host that cannot say (down, frozen, another OS), the error it gave:
        that host fails alone, later, where the rollout's rules count it, not the whole fleet here."""
        def facts(c):
            res = c.run(f"uname -m; cat {OS_RELEASE} 2>/dev/null || cat {OS_RELEASE_FALLBACK}", hide=True,
                        warn=True, in_stream=False, timeout=self.settings.host_timeout)
            machine, _, release = res.stdout.partition("\n")
            stack = for_os_release(release if res.ok else "", where=getattr(c, "label", c.host))
            return stack.python_version, machine.strip() or "x86_64"

        todo = [s for s in servers if s.label not in self._platforms]
        try:
            outcomes = self.run(todo, facts, "facts") if todo else []
        except HostsFailed as exc:
            outcomes = exc.outcomes
        self._platforms.update({o.host: o.value if o.error is None else o.error for o in outcomes})
        return {s.label: self._platforms[s.label] for s in servers}

    def artifacts(self, servers) -> Artifacts:
        """The artifact each server gets: the one packed for its own Python (one pack per distinct Python). A
        host whose Python could not be read gets none (said in one line); asking for it raises its error."""
        packed, lost = {}, {}
        for label, where in self.platforms(servers).items():
            if isinstance(where, BaseException):
                lost[label] = where
                why = str(where).split(". Hint:")[0].rstrip(".")
                pipeline.print_progress("runner", "pack", 0, f"no artifact for {label}: its Python could not be "
                                        f"read ({why}); a deploy counts it as failed")
            else:
                packed[label] = self.pack(*where)  # type: ignore[misc]  # (python, machine)
        return Artifacts(packed, lost)

    def bootstrap(self, servers):
        return self.run(servers, lambda c: pipeline.bootstrap(c, self.config, progress=self.progress), "bootstrap")

    def deploy(self, servers, *, artifacts: Mapping[str, object] | None = None, gate=None):
        """Roll the app out to ``servers`` under the session's policy and hooks; ``artifacts`` by host label
        (default: packed here per server Python). Returns the :class:`~deploytests.pipeline.RolloutResult`."""
        tests = self.project_tests(servers)
        arts = artifacts if artifacts is not None else self.artifacts(servers)
        return roll_out(servers, self.config, arts.__getitem__, self.policy, hooks=self.hooks,
                        gate=gate or self.gate, tests=tests.run if tests else None, progress=self.progress,
                        say=self.say, keep_connections=False)

    def project_tests(self, servers, *, collected: tuple[str, ...] | None = None, cwd: Path | None = None,
                      pytest_args: tuple[str, ...] = ()) -> ProjectTests | None:
        """The project's deploy tests the gate runs between phases (None: none): ``--gate-tests`` when given
        (``none``: none); else ``collected`` (pytest: the project's tests this run collected, as node ids relative
        to ``cwd``; none collected, none run); else (``fab``) ``<app>/tests/deploy`` when it exists. They reach
        each host's site, so every host needs a ``base_url``: given tests on hosts without one are refused before
        anything is deployed; the default ones are then left out, said in one line. They are collected here, as
        the rollout's children will collect them (:meth:`ProjectTests.check`): a file that cannot be collected
        stops the rollout before any host is touched."""
        given = self.settings.gate_tests
        default = self.app / "tests" / "deploy"
        if given is not None:
            tests = tuple(str(p) for p in given)
        elif collected is not None:
            tests = collected
        else:
            tests = (str(default),) if default.is_dir() else ()
        if not tests:
            return None
        missing = [s.label for s in servers if not getattr(s, "base_url", "")]
        if missing:
            what = f"the project's deploy tests ({', '.join(tests[:3])}) reach each host's site, but " \
                   f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no base_url"
            hint = "set base_url for them in targets.toml, or --gate-tests none"
            if given is None and collected is None:
                self.say(f"[rollout] note: {what}: they do not run between phases ({hint})")
                return None
            raise DeployTestsError(what, hint=hint)
        spec = None if self.hosts else getattr(self.provider, "spec", None)
        found = ProjectTests(tests=tests, app=self.app, cwd=cwd or self.app, timeout=self.settings.gate_timeout,
                             host_timeout=self.settings.host_timeout, config_file=self.config.config_file,
                             env=tuple(getattr(spec, "env", ()) or ()),
                             pytest_args=pytest_args or (f"--rootdir={self.app}",),
                             redact=secrets_of(self.config.config_file).redact, say=self.say,
                             logged=self.app_logged)
        found.check(servers)  # a test file that cannot be collected stops here, before any host is touched
        return found

    def app_logged(self, server) -> str | None:
        """The exception the app logged behind a 5xx a check met on ``server`` (one line), or None."""
        from .verify.diagnostics import app_logged

        return app_logged(server, self.config)

    def rollout_gate(self, labels: list[str], *, suite_follows: bool):
        """The gate for a rollout to ``labels``: :meth:`gate` (every built-in promise) when the policy has more
        than one phase or no suite follows (``fab deploy``); else (pytest, one phase: the suite checks every host
        right after the rollout) :meth:`health_gate`, so no host is probed twice for the same verdict."""
        return self.gate if not suite_follows or (labels and len(self.policy.phases(labels)) > 1) else self.health_gate

    def gate(self, c, server, report, artifact=None) -> str | None:
        """The gate run on each host just deployed, before the next phase starts (read-only): every built-in
        promise (:func:`deploytests.verify.gate.host_problems`: one fact probe, the runner's GETs when the host has
        a ``base_url``, the checks the suite's ``test_promises`` runs) with the release just made live and the
        artifact sent. A failing promise fails the host with its one line; the rollout then rolls its phase back.
        The deploy's own server-side health gate already ran before this."""
        from .verify.gate import host_problems, one_line

        spec = None if self.hosts else getattr(self.provider, "spec", None)
        return one_line(host_problems(server, self.config, deployed=report.live, artifact=artifact,
                                      allow=getattr(spec, "allow", None)))

    def health_gate(self, c, server, report, artifact=None) -> str | None:
        """The light gate: the host's agent says the new release is live (``current`` names it, its RELEASE.json
        is complete), and when the server has a ``base_url`` the runner GETs the health path there and expects a
        200 from that release (its ``X-Deploy-Release`` header)."""
        live = pipeline.status(c, self.config).live
        if live != report.live:
            return f"the host serves {live or 'nothing'} after the deploy of {report.live}"
        base_url = getattr(server, "base_url", "")
        if not base_url:
            return None
        import requests

        from .verify import http

        url = base_url.rstrip("/") + self.config.health_path
        host = http.site_host(base_url, self.config.server_name)
        # the answer is the app's code's: read within one deadline in all (a per-read timeout alone let an app
        # that paces its answer keep the rollout waiting for ever), and its body not at all
        client = http.HttpClient(base_url, timeout=min(10.0, self.settings.host_timeout), host_header=host,
                                 deadline=http.DEADLINE)
        try:
            res = client.get(self.config.health_path, stream=True)
            res.close()
        except http.SiteDown as exc:
            return str(exc)
        except requests.RequestException as exc:
            return f"GET {url}: {type(exc).__name__}"
        finally:
            client.close()
        served = res.headers.get("X-Deploy-Release")
        if res.status_code != 200 or served != report.live:
            return (f"GET {url}{f' (Host: {host})' if host else ''}: {res.status_code}, X-Deploy-Release {served!r} "
                    f"(expected 200 from {report.live})")
        return None
