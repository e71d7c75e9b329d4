"""The lifecycle scenarios' workbench: one server, the example releases, and what to look at there.

:class:`Lab` wraps a :class:`~deploytests.targets.Server` with the bundled example releases
(``deploytests/examples/apps``, package data: yourapplication v1 and v2, broken-import, broken-health), packed once
for the server's Python, and the probes the scenarios compare before and after: the release list, ``current``, the
tree's fingerprint, what the site serves. Deploys log in as ``deploy_user`` (``deployer``, a login without sudo, on
the containers); bootstrap and the probes use the server's own login (passwordless sudo).

:class:`Scenarios` runs scenarios on the docker target: each on a container of its own, several at once (they share
no server, so nothing orders them), with the seconds each spent starting its container, bootstrapping and running.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import shlex
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import requests

from .. import pipeline
from ..config import load_config
from ..containers.sweep import L_KEEP, owner_labels
from ..examples import APPS
from ..words import count
from . import fingerprint as fingerprint_program

SCENARIOS: pytest.StashKey[Scenarios] = pytest.StashKey()  # the run's scenario runner (for the summary)
FINGERPRINT = Path(fingerprint_program.__file__).read_text(encoding="utf-8")  # run on the server as root

EXAMPLES = ("yourapplication", "yourapplication-v2", "broken-import", "broken-health")
FIRST = "yourapplication"  # the release live on a scenario's container unless it starts_with() another
ONE_DAEMON = 1  # mod_wsgi daemons on a scenario's container unless it is about several_daemons()
Which = tuple[str, str, "int | None"]  # a snapshot: (stack name, live example, daemons; None: deploy.toml's)


def starts_with(live: str) -> Callable[[Callable], Callable]:
    """Mark a scenario that begins by deploying example ``live`` (after :data:`FIRST`): on the docker target its
    container starts from a snapshot with ``live`` already live (made once, kept like the first one), so its own
    first deploy of ``live`` is a no-op (or :meth:`Lab.deployed_in_turn` finds both); on a real target that
    deploy does the work."""
    def mark(function: Callable) -> Callable:
        function.lab_live = live  # type: ignore[attr-defined]
        return function
    return mark


def switches(n: int) -> Callable[[Callable], Callable]:
    """Mark a scenario that makes a release live ``n`` times (deploys and rollbacks that change what serves; 1
    when unmarked): each costs a release check, the daemons' restart and the gate, most of a scenario's time. On
    the docker target the scenarios are submitted by it, most first, so a long one never starts last and ends
    the run alone while the other slots are idle."""
    def mark(function: Callable) -> Callable:
        function.lab_switches = n  # type: ignore[attr-defined]
        return function
    return mark


def longer(n: int) -> Callable[[Callable], Callable]:
    """Mark a scenario with long work besides the releases it makes live, counted as ``n`` more of them in the order
    the scenarios are submitted (:func:`switches_of`): an interrupted deploy before the recovery, a second pytest.
    Without it such a scenario was submitted among the short ones and ended the run alone (the changed host key's,
    last in every run measured with 6 at once)."""
    def mark(function: Callable) -> Callable:
        function.lab_longer = n  # type: ignore[attr-defined]
        return function
    return mark


def switches_of(item) -> int:
    """How long ``item``'s scenario takes, in releases made live (:func:`switches`, plus :func:`longer`'s): the
    scenarios are submitted by it, most first."""
    function = getattr(item, "function", None)
    return getattr(function, "lab_switches", 1) + getattr(function, "lab_longer", 0)


def several_daemons(function: Callable) -> Callable:
    """Mark a scenario about what the app's several mod_wsgi daemons do together (every daemon serves the live
    release after a deploy or rollback, none fails a request while they restart): on the docker target its
    container runs as many as the app's deploy.toml says (``processes``, 2 by default). The other scenarios'
    containers run :data:`ONE_DAEMON`: each daemon imports the app when it starts and again after every deploy,
    the largest share of the scenarios' CPU, and they test the lock, the release check, the tree and the
    logins, which one daemon serves alike. On a real target every scenario runs on the server as bootstrapped."""
    function.lab_processes = None  # type: ignore[attr-defined]
    return function


def scenario_config(target_config: Path | None, app: str) -> Path | None:
    """The app config the scenarios deploy their example app (:data:`FIRST`) with: the target's
    (``[targets.docker] config_file``, ``--config``) only when the example is the app under test (``app``); another
    app's config (its format, its keys) is no config of the example's, which then takes its own."""
    return target_config if app == FIRST else None


class Lab:
    """One server for the scenarios; ``deploy_user`` logs in for deploys (default: the server's login)."""

    def __init__(self, server, *, deploy_user: str | None = None, config_file: Path | None = None,
                 artifacts: Artifacts | None = None, processes: int | None = None):
        self.server, self.deploy_user, self.config_file = server, deploy_user or server.user, config_file
        self.processes = processes  # mod_wsgi daemons bootstrap writes into the vhost (None: deploy.toml's)
        self.admin = server.connection()
        self._deployer = None  # the deploy user's connection for deploy/rollback, opened once (see deployer())
        self.artifacts = artifacts or Artifacts()
        self.python_version = ""
        self.container = None  # the container's handle on the docker target (None: a real server)
        self.notes: list[str] = []
        self.say: Callable[[str], None] = self.notes.append  # a scenario's figures (printed with its test)
        self.steps: dict[str, float] = {}  # the agent's step seconds in this lab's deploys and rollbacks, summed

    # -- setup -----------------------------------------------------------------------------------------
    def config(self, name: str = "yourapplication", project: Path | None = None):
        cfg = load_config(project or APPS / name, target_config=self.config_file)
        cfg = replace(cfg, deploy_user=self.deploy_user)
        return cfg if self.processes is None else replace(cfg, processes=self.processes)

    def bootstrap(self, name: str = "yourapplication") -> pipeline.BootstrapResult:
        result = pipeline.bootstrap(self.admin, self.config(name))
        self.python_version = result.python_version
        return result

    def artifact(self, name: str, project: Path | None = None) -> pipeline.Artifact:
        """The example release ``name`` (or the project at ``project``), packed once for the server's Python."""
        version = self.python_version or self.stack.python_version
        return self.artifacts.get(name, version, lambda: pipeline.pack(project or APPS / name,
                                                                       self.config(name, project),
                                                                       python_version=version))

    @property
    def stack(self):
        """The server's stack (:mod:`deploytests.stacks`): where Apache keeps sites and logs there."""
        return self.server.stack

    def login(self):
        """A new, separate connection as the deploy user (close it when done)."""
        return self.server.new_connection(user=self.deploy_user)

    def deployer(self):
        """The lab's own connection as the deploy user, opened on first use and kept until :meth:`close`: the
        deploys and rollbacks of a scenario share it (one SSH login, not one per step), as ``fab`` and the gate
        use one connection per host. A scenario about a new login (a changed host key) uses :meth:`login`."""
        if self._deployer is None:
            self._deployer = self.login()
        return self._deployer

    def close(self) -> None:
        if self._deployer is not None:
            self._deployer.close()
            self._deployer = None

    # -- actions ---------------------------------------------------------------------------------------
    def deploy(self, name: str, c=None, **kwargs) -> pipeline.DeployResult:
        """Deploy example release ``name`` (config of the v1 app: one tree, one vhost) as the deploy user, on
        ``c`` or the lab's :meth:`deployer` connection."""
        return self._count(pipeline.deploy(c or self.deployer(), self.config(), self.artifact(name), **kwargs))

    def rollback(self, to: str | None = None, **kwargs) -> pipeline.DeployResult:
        return self._count(pipeline.rollback(self.deployer(), self.config(), to, **kwargs))

    def _count(self, result: pipeline.DeployResult) -> pipeline.DeployResult:
        for step, seconds in result.timings.items():
            self.steps[step] = self.steps.get(step, 0.0) + seconds
        return result

    def deployed_in_turn(self, *names: str) -> list[str]:
        """The ids of releases of the examples ``names`` deployed one after another, the last one live: the
        server's own when its newest releases are exactly those artifacts in that order with the last one live
        (a scenario's snapshot, :func:`starts_with`, deployed them), else each deployed now, in turn."""
        status = self.status()
        have = status.releases[-len(names):]
        if (len(have) == len(names) and status.live == have[-1].id
                and [r.artifact_sha256 for r in have] == [self.artifact(n).sha256 for n in names]):
            return [r.id for r in have]
        return [self.deploy(name).release_id for name in names]

    # -- probes ----------------------------------------------------------------------------------------
    def sudo(self, command: str) -> str:
        res = self.admin.run(f"sudo -n sh -c {shlex.quote(command)}", hide=True, warn=True, in_stream=False)
        if res.exited != 0:
            raise AssertionError(f"on {self.server.label}: {command!r} exited {res.exited}:\n{res.stderr}")
        return res.stdout

    def status(self) -> pipeline.Status:
        return pipeline.status(self.admin, self.config())

    def releases(self) -> list[str]:
        """Every dir under releases/ (complete or not), sorted."""
        root = self.config().root
        return sorted(self.sudo(f"cd {root}/releases && find . -mindepth 1 -maxdepth 1 -type d "
                                f"-printf '%f\\n'").split())

    def live(self) -> str | None:
        return self.status().live

    def fingerprint(self) -> list[str]:
        """What bootstrap and deploy manage on the server, one line per entry (see :mod:`.fingerprint`)."""
        cfg = self.config()
        apache, program = self.stack.apache, shlex.quote(FINGERPRINT)
        paths = (cfg.root, apache.site_file(cfg.app), apache.sites_enabled, "/etc/sudoers.d")
        return self.sudo(f"python3 -c {program} {' '.join(map(shlex.quote, paths))}").splitlines()

    def url(self, path: str = "/") -> str:
        return self.server.base_url.rstrip("/") + path

    def headers(self) -> dict[str, str]:
        """``Host: server_name`` when the site's URL is an address (see :func:`deploytests.verify.http.site_host`)."""
        from ..verify.http import site_host

        host = site_host(self.server.base_url, self.config().server_name)
        return {"Host": host} if host else {}

    def get(self, path: str = "/") -> requests.Response:
        with requests.Session() as s:
            s.trust_env = False
            return s.get(self.url(path), timeout=10, allow_redirects=False, headers=self.headers())

    def serving(self) -> str | None:
        """The release id the site answers with (health path)."""
        resp = self.get(self.config().health_path)
        assert resp.status_code == 200, f"GET {resp.url} -> {resp.status_code}: {resp.text[:200]!r}"
        return resp.headers.get("X-Deploy-Release")


class Artifacts:
    """Packed example releases by (name, server Python), shared by the labs of a run: each packed once, also when
    several scenarios ask at the same time."""

    def __init__(self):
        self._packed: dict[tuple[str, str], pipeline.Artifact] = {}
        self._lock = threading.Lock()

    def get(self, name: str, python_version: str, pack: Callable[[], pipeline.Artifact]) -> pipeline.Artifact:
        with self._lock:
            if (name, python_version) not in self._packed:
                self._packed[name, python_version] = pack()
            return self._packed[name, python_version]


@dataclass
class Run:
    """One scenario submitted to :class:`Scenarios`: where it stands, its seconds per phase, its notes."""

    name: str
    future: Future = field(repr=False)
    times: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cpu: float | None = None  # CPU seconds its container used (sshd, Apache, the agents, the app)
    container_id: str = ""  # its container's id (to match a run with per-process figures: bench/procs.py)
    container: dict[str, float] = field(default_factory=dict)  # its container's start, by step (Fleet.times)
    steps: dict[str, float] = field(default_factory=dict)  # the agent's steps in its lab's deploys, summed
    submitted: float = 0.0  # time.monotonic() when submitted; when its slot began and ended (0: not yet)
    began: float = 0.0
    ended: float = 0.0

    def result(self, timeout: float) -> None:
        """Wait for the scenario (at most ``timeout`` seconds); re-raise what it raised."""
        self.future.result(timeout)


def scenario_slots(cores: int | None = None, load: float | None = None) -> int:
    """How many scenarios run at once: 3 per core unless the machine is busy when the run starts (its 1-minute
    load average at :data:`BUSY` per core or more), then 2 per core. A scenario mostly waits (Apache's 1-second
    tick before a daemon restarts, the app's import, the loads' pacing, the interrupted deploys' pauses): on a
    2-core machine 4 at once leave the cores idle half the time (~30 CPU seconds in a ~29 s run at load 5), and 6
    at once took less wall than 4 in every pair measured at load 14-46 (idle, the two were within each other's
    spread). On a very busy machine the load's CPU is what slows a daemon's restart, and a request waiting through
    it has a 10 s bound (the loads'): 3 per core failed one such request in each of three Debian 13 runs at load
    average 20-32 (2 per core at 30 too), while every run at 3 per core that started below load 16 passed. The
    bound was the core count: a run started right after another (a benchmark's, a CI job's) saw that one's own
    load (5-6 on 2 cores) and ran 4 at once on an otherwise idle machine."""
    cores = cores or os.cpu_count() or 1
    return (2 if busy(cores, load) else 3) * cores


def busy(cores: int | None = None, load: float | None = None) -> bool:
    """Whether the machine is busy (its 1-minute load average at :data:`BUSY` per core or more): then the
    scenarios run 2 per core (:func:`scenario_slots`) and start only once the session's containers are up (the
    suite's ``scenarios`` fixture), so fewer containers start at once."""
    cores = cores or os.cpu_count() or 1
    return (os.getloadavg()[0] if load is None else load) >= BUSY * cores


BUSY = 4  # load average per core from which scenario_slots runs 2 scenarios per core instead of 3


class Scenarios:
    """Scenarios on the docker target, each on a container of its own, up to ``workers`` at once.

    :meth:`submit` starts ``scenario(lab, **kwargs)`` in a worker thread, where ``lab`` is a :class:`Lab` on a
    fresh container of ``stack`` (removed when the scenario ends, whatever its outcome); the returned :class:`Run`
    says when it ended and re-raises its failure. Submitting a name twice returns the first run. :meth:`close`
    cancels what has not started and waits for the rest and for their containers' removal. One engine client
    serves every container. A scenario's container starts in its slot (started ahead of a free slot, more
    containers started at once on a loaded machine: see docs/performance.md) and is removed off it (:meth:`_remove`).

    The containers start from a snapshot (per stack): a container bootstrapped for the example app with its v1
    release live (the state every scenario begins from: their first deploy of v1 is then a no-op), committed after
    its host key and Apache's pid file were removed, so each container makes its own. The snapshot is kept on the
    engine for later runs, found by a key of everything it depends on (:func:`snapshot_key`: the server image,
    this deploytests' files, the v1 artifact, the config file), so a warm run of the same code makes none; the
    sweep passes it by (``keep``), and the newest :data:`KEPT_SNAPSHOTS` stay (:func:`evict_snapshots`). While
    this run uses a snapshot, a container of the run created from it (never started) holds it: the engine
    refuses to remove an image a container uses, so another run's eviction cannot take it away before this run's
    last scenario starts (:meth:`_hold`; removed by :meth:`close`, swept like the run's other containers).
    ``snapshot=False``: fresh containers, each bootstrapped (nothing deployed).
    """

    def __init__(self, *, config_file: Path | None = None, workers: int | None = None, snapshot: bool = True):
        from ..containers import Fleet

        workers = workers or scenario_slots()
        self._fleet, self.config_file, self.workers, self.snapshot = Fleet, config_file, workers, snapshot
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="deploytests-scenario")
        # a scenario's container is removed here, off its slot: the next scenario starts meanwhile
        self.removals = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deploytests-removal")
        self._removed: list[Future] = []
        self.runs: dict[str, Run] = {}
        self.artifacts = Artifacts()
        self.started: float | None = None
        self.ended: float | None = None
        # (stack name, live example, daemons) -> (image id, server Python, seconds), and the snapshot's key
        self.bases: dict[Which, tuple[str, str, float]] = {}
        self.keys: dict[Which, str] = {}
        self._lock = threading.Lock()
        self._base_locks: dict[Which, threading.Lock] = {}  # one per snapshot: made once, others wait
        self._client: Any = None  # the engine the snapshots were made in
        self.cached: set[Which] = set()  # the snapshots a run before this one made
        self.run_id = uuid.uuid4().hex[:10]  # the holders' owner (:meth:`_hold`)
        self.holders: list[Any] = []

    def submit(self, key: str, name: str, stack, scenario: Callable[..., object], kwargs: dict,
               live: str = FIRST, processes: int | None = ONE_DAEMON) -> Run:
        """Run ``scenario`` on a container whose live release is the example ``live`` (:func:`starts_with`),
        bootstrapped with ``processes`` mod_wsgi daemons (None: deploy.toml's; :func:`several_daemons`)."""
        with self._lock:
            if key not in self.runs:
                self.started = self.started or time.monotonic()
                run = self.runs[key] = Run(name, Future(), submitted=time.monotonic())
                run.future = self.pool.submit(self._run, run, stack, scenario, kwargs, live, processes)
            return self.runs[key]

    def _lab(self, fleet, processes: int | None) -> Lab:
        lab = Lab(fleet.servers[0], deploy_user="deployer", config_file=self.config_file, artifacts=self.artifacts,
                  processes=processes)
        lab.container = fleet.containers[0]
        return lab

    def _base(self, stack, live: str = FIRST, processes: int | None = ONE_DAEMON) -> tuple[str, str, float]:
        """The snapshot of ``stack`` with example ``live`` live and ``processes`` daemons: the one a run of the
        same code made before, when the engine still has it (see :func:`snapshot_key`), else made by the first
        scenario that needs it (the others wait for it) and kept for the next run. :data:`FIRST` is bootstrapped
        on a fresh container; another release is deployed on a container of :data:`FIRST`'s snapshot."""
        which = (stack.name, live, processes)
        with self._lock:
            lock = self._base_locks.setdefault(which, threading.Lock())
        with lock:
            if which in self.bases:
                return self.bases[which]
            started = time.monotonic()
            parent = self._base(stack, FIRST, processes) if live != FIRST else None
            version = parent[1] if parent else stack.python_version
            cfg = replace(load_config(APPS / live, target_config=self.config_file), deploy_user="deployer")  # a Lab's
            artifact = self.artifacts.get(live, version,
                                          lambda: pipeline.pack(APPS / live, cfg, python_version=version))
            key = self.keys[which] = (snapshot_key(self.client(), stack, self.config_file, artifact, processes)
                                      if parent is None
                                      else hashlib.sha256(f"{self.keys[stack.name, FIRST, processes]}\0{live}\0"
                                                          f"{artifact.sha256}".encode()).hexdigest())
            cached = cached_snapshot(self.client(), key)
            if cached is not None and self._hold(cached["Id"]):
                self.cached.add(which)
                self.bases[which] = (cached["Id"], cached["Labels"][L_SNAPSHOT_PYTHON], time.monotonic() - started)
                return self.bases[which]
            with self._fleet(count=1, name_prefix="lab-base", image=stack.image, base=stack.base_image,
                             image_tag=parent[0] if parent else None, client=self.client(),
                             progress=lambda msg: None) as fleet:
                lab = self._lab(fleet, processes)
                try:
                    if parent:
                        lab.python_version = parent[1]
                    else:
                        lab.bootstrap()
                    lab.deploy(live)
                finally:
                    lab.close()
                lab.sudo(f"rm -f {shlex.quote(stack.apache.pid_file)} /etc/ssh/ssh_host_*")
                # kept (the sweep passes it by), found by its key by the next run of the same code
                image = fleet.containers[0].commit(
                    repository="deploytests/lab-snapshot", tag=key[:12],
                    conf={"Labels": {L_KEEP: "1", L_SNAPSHOT: key, L_SNAPSHOT_PYTHON: lab.python_version}})
            if not self._hold(image.id):
                raise RuntimeError(f"snapshot {image.id[:19]} was removed from the engine right after it was made")
            evict_snapshots(self.client(), keep=KEPT_SNAPSHOTS)
            self.bases[which] = (image.id, lab.python_version, time.monotonic() - started)
            return self.bases[which]

    def _hold(self, image_id: str) -> bool:
        """Keep snapshot ``image_id`` on the engine for this run: a container of the run created from it, never
        started (the engine refuses to remove an image a container uses; the sweep removes the holder of a run
        that died). False when the image is gone already (another run evicted it after it was listed)."""
        import docker

        try:
            holder = self.client().containers.create(
                image_id, name=f"dt-{self.run_id}-hold-{uuid.uuid4().hex[:8]}",  # one per snapshot, any thread
                labels={**owner_labels(self.run_id), "deploytests.name": "snapshot-holder"})
        except docker.errors.ImageNotFound:
            return False
        self.holders.append(holder)
        return True

    def client(self):
        """One engine client for every container of the scenarios (not one connection and version check each)."""
        with self._lock:
            if self._client is None:
                from ..containers.engine import docker_client

                self._client = docker_client()
            return self._client

    def _run(self, run: Run, stack, scenario, kwargs, live: str = FIRST, processes: int | None = ONE_DAEMON) -> None:
        run.began = time.monotonic()
        run.times["waited"] = run.began - run.submitted  # for a free slot
        try:
            base = self._base(stack, live, processes) if self.snapshot else None
            t0 = time.monotonic()
            run.times["snapshot"] = t0 - run.began  # found, made, or waited for while another scenario made it
            # no sweep of killed runs' leftovers per scenario: the session's fleet does it once for the run
            # (an engine listing and an owner check each, 0.02-0.23 s of a slot)
            fleet = self._fleet(count=1, name_prefix="lab", image=stack.image, base=stack.base_image,
                                image_tag=base[0] if base else None, client=self.client(), progress=lambda msg: None,
                                sweep=False)
            fleet.__enter__()  # on failure it removes what it started, then raises
            try:
                t1 = time.monotonic()
                run.times["container"] = t1 - t0
                run.container = dict(fleet.times)  # its steps: the sweep, the container's start, ssh ready
                run.container_id = fleet.containers[0].id
                lab = self._lab(fleet, processes)
                lab.say, lab.steps = run.notes.append, run.steps
                try:
                    if base:
                        lab.python_version = base[1]
                    else:
                        lab.bootstrap()
                        run.times["bootstrap"] = time.monotonic() - t1
                    t2 = time.monotonic()
                    try:
                        scenario(lab, **kwargs)
                    finally:
                        run.times["scenario"] = time.monotonic() - t2
                        run.cpu = container_cpu(fleet.client, fleet.containers[0].id)
                finally:
                    lab.close()
            finally:
                self._remove(run, fleet)
        finally:
            run.ended = time.monotonic()
            with self._lock:
                self.ended = run.ended

    def _remove(self, run: Run, fleet) -> None:
        """Remove the scenario's container (its connections closed first) off the scenario's slot: the removal
        (0.3-2.5 s of the engine's work, most of it waiting for it) runs in a thread of its own while the slot's next
        scenario starts; :meth:`close` waits for every removal."""
        def remove() -> None:
            started = time.monotonic()
            try:
                fleet.stop()
            finally:
                run.times["removal"] = time.monotonic() - started

        with self._lock:
            self._removed.append(self.removals.submit(remove))

    # a scenario's slot: the snapshot found (or waited for), its container started, bootstrapped (no snapshot),
    # the scenario; ``waited``: for a free slot, before all of them; ``removal``: its container's, off the slot
    PHASES = ("waited", "snapshot", "container", "bootstrap", "scenario", "removal")
    SLOT = ("snapshot", "container", "bootstrap", "scenario")  # the removal is off the slot

    def figures(self) -> dict:
        """Where the scenarios' time went, as data: wall time of all of them, phases summed, per scenario."""
        if not self.runs or self.started is None:
            return {}
        runs = list(self.runs.values())
        cpu = [r.cpu for r in runs if r.cpu is not None]
        wall = (self.ended or time.monotonic()) - self.started
        busy = sum(r.times.get(p, 0.0) for r in runs for p in self.SLOT)
        return {"scenarios": len(runs), "workers": self.workers, "wall": wall,
                "slots": {"busy": busy, "of": self.workers * wall},
                "summed": {p: sum(r.times.get(p, 0.0) for r in runs) for p in self.PHASES
                           if any(p in r.times for r in runs)},
                "cpu": sum(cpu) if len(cpu) == len(runs) else None,
                "snapshots": {f"{stack} {live} processes={processes or 'deploy.toml'}": seconds
                              for (stack, live, processes), (_, _, seconds) in self.bases.items()},
                "steps": {k: sum(r.steps.get(k, 0.0) for r in runs) for k in dict.fromkeys(
                    k for r in runs for k in r.steps)},
                "runs": {r.name: {**r.times, "cpu": r.cpu, "container steps": r.container, "id": r.container_id,
                                  "began": r.began - self.started if r.began else None,
                                  "ended": r.ended - self.started if r.ended else None} for r in runs}}

    def summary(self) -> list[str]:
        """:meth:`figures` as lines: the scenarios together, then one line per scenario."""
        data = self.figures()
        if not data:
            return []
        cpu = "" if data["cpu"] is None else f"; CPU in their containers {data['cpu']:.2f}s"
        snapshots = "".join(
            f"; snapshot ({stack}, {live} live, daemons: {processes or 'the app config'}: "
            + ("made by a run before, found" if (stack, live, processes) in self.cached
               else "bootstrap, deploy, commit" if live == FIRST else f"{FIRST}'s snapshot, deploy, commit")
            + f") {seconds:.2f}s" for (stack, live, processes), (_, _, seconds) in self.bases.items())
        lines = [f"lifecycle: {count(data['scenarios'], 'scenario')} on a container each, "
                 f"up to {data['workers']} at once "
                 f"({data['workers'] / (os.cpu_count() or 1):g} per core): "
                 f"{data['wall']:.2f}s wall{snapshots}; summed: "
                 + ", ".join(f"{p} {v:.2f}s" for p, v in data["summed"].items()) + cpu]
        slots = data["slots"]
        last = max(data["runs"].items(), key=lambda kv: kv[1]["ended"] or 0.0)
        lines.append(f"slots: busy {slots['busy']:.2f}s of {data['workers']} x {data['wall']:.2f}s "
                     f"({100 * slots['busy'] / max(slots['of'], 1e-9):.0f} %); the last to end: {last[0]} "
                     f"(+{last[1]['began'] or 0.0:.2f}s to +{last[1]['ended'] or 0.0:.2f}s)")
        if data["steps"]:
            lines.append("in the labs' deploys and rollbacks (the agent's steps, summed): " + ", ".join(
                f"{k} {v:.2f}s" for k, v in sorted(data["steps"].items(), key=lambda kv: -kv[1]) if v >= 0.05))
        for name, times in data["runs"].items():
            when = (f" (+{times['began']:.2f}s to +{times['ended']:.2f}s)" if times["began"] is not None
                    and times["ended"] is not None else "")
            steps = ", ".join(f"{k} {v:.2f}s" for k, v in times["container steps"].items() if v >= 0.01)
            lines.append(f"{name}{when}: " + ", ".join(f"{p} {times[p]:.2f}s" + (f" ({steps})" if p == "container"
                                                                                 and steps else "")
                                                       for p in self.PHASES if p in times)
                         + (f", container CPU {times['cpu']:.2f}s" if times["cpu"] is not None else ""))
        return lines

    def close(self, wait: bool = True) -> None:
        """Cancel what has not started and wait for the rest; the snapshots stay (kept for the next run), their
        holders go, beside the last containers' removals (every scenario has started: nothing of this run needs a
        snapshot held any more, and one a container still uses is not removed). ``wait=False`` returns without
        waiting for those removals, so the caller's own teardown runs beside them: :meth:`finish` waits."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._removed += [self.removals.submit(_remove_holder, holder) for holder in self.holders]
            self.holders.clear()
        if wait:
            self.finish()

    def finish(self) -> None:
        """Wait for every removal :meth:`close` left going. Closes first: a session stopped before the fixture
        that closes it tore down (``pytest.exit`` while the session's containers start) runs this first, and
        a close after it finds nothing left to submit to the shut-down removals."""
        self.close(wait=False)
        self.removals.shutdown(wait=True)


def _remove_holder(holder) -> None:
    import docker

    try:
        holder.remove(force=True)
    except docker.errors.APIError:
        pass  # gone already (a sweep)


L_SNAPSHOT = "deploytests.lab-snapshot"  # a scenario snapshot's key (snapshot_key)
L_SNAPSHOT_PYTHON = "deploytests.lab-python"  # the server's Python in it
KEPT_SNAPSHOTS = 12  # the newest kept for later runs (runs of different code on one engine each have their own 3)


def snapshot_key(client, stack, config_file: Path | None, artifact: pipeline.Artifact,
                 processes: int | None = ONE_DAEMON) -> str:
    """What a scenario snapshot depends on, hashed: the server image (its tag is its Dockerfiles' content
    hash), this deploytests' own files (bootstrap, the agents, the templates, the example apps), the v1
    artifact deployed in it (its sha256: the app and its dependencies as packed now), the target's config
    file and the daemons bootstrap wrote into the vhost (``processes``). Another run of the same code on the
    same engine finds the snapshot this one made; any change makes another (a run of other code beside it
    finds its own)."""
    from ..containers import images

    digest = hashlib.sha256()
    tag = images.ensure_image(client, stack.image, base=stack.base_image, progress=lambda msg: None)
    package = Path(__file__).resolve().parents[1]
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f"{path.relative_to(package)}\0".encode() + path.read_bytes() + b"\0")
    config = config_file.read_bytes() if config_file is not None and config_file.is_file() else b""
    digest.update(f"{stack.name}\0{tag}\0{artifact.sha256}\0{processes}\0".encode() + config)
    return digest.hexdigest()


def snapshots(client, label: str) -> list[dict]:
    """The engine's images with ``label`` (``name`` or ``name=value``), newest first, as the engine lists them
    (``Id``, ``Created``, ``Labels``): one call, no inspection per image, so an image another run removes
    meanwhile is not an error (the SDK's ``images.list`` inspects each one it listed and fails on such)."""
    return sorted(client.api.images(filters={"label": label}), key=lambda image: image.get("Created", 0),
                  reverse=True)


def cached_snapshot(client, key: str) -> dict | None:
    """The newest image with snapshot key ``key`` on the engine (:func:`snapshots`), or None."""
    return next(iter(snapshots(client, f"{L_SNAPSHOT}={key}")), None)


EVICT_AFTER = 900.0  # seconds: a snapshot younger than this is never evicted (another run may have just made it)


def evict_snapshots(client, *, keep: int, now: float | None = None) -> None:
    """Remove the scenario snapshots older than the ``keep`` newest, unless a container still uses one (the
    engine then refuses, and it stays) or it was made less than :data:`EVICT_AFTER` ago: runs of other code on
    the same engine make their own, so disk stays bounded to a few. The age bound closes a race: a run holds its
    snapshot (:meth:`Lab._hold`) just after committing it, and several runs committing at once (cold snapshots,
    CI's concurrent suites) evicted each other's in that instant: ``ImageNotFound`` for every scenario after."""
    import docker

    now = time.time() if now is None else now
    for image in snapshots(client, L_SNAPSHOT)[keep:]:
        if now - float(image.get("Created") or 0) < EVICT_AFTER:
            continue
        try:
            client.images.remove(image["Id"])
        except docker.errors.APIError:
            continue  # in use by a container, or gone already


def container_cpu(client, container_id: str, cgroups: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPU seconds a container has used so far, None when unknown: its cgroup's own counter when the engine runs
    on this machine (the file the engine's stats read too), else one sample from the engine's API. The file
    first: the engine answers a stats request on its collector's 1-second tick, so a request made within a second
    of another one (any container's, any client's) waited for the next tick, ~1 s (measured: 0.004 s for the
    first of five requests in a row, 1.0 s for each of the others): each scenario read its container's CPU on
    its slot, and the session's two containers were read one after the other before their removal, on the run's
    tail. An engine elsewhere (``DOCKER_HOST``, a nested one) has no such file here."""
    for path in (cgroups / f"cpuacct/docker/{container_id}/cpuacct.usage",
                 cgroups / f"system.slice/docker-{container_id}.scope/cpu.stat"):
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.name == "cpu.stat":  # cgroup v2: usage_usec
            return next((int(v) / 1e6 for k, v in (ln.split() for ln in text.splitlines()) if k == "usage_usec"),
                        None)
        return int(text) / 1e9
    try:
        stats = client.api.stats(container_id, stream=False, one_shot=True)
        return stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9 or None
    except Exception:  # noqa: BLE001 - a figure for the summary; an engine without it has none
        return None


LIFECYCLE = Path(__file__).with_name("test_lifecycle.py")  # the scenarios' module


def is_scenario(item) -> bool:
    """A lifecycle scenario's test: one of :data:`LIFECYCLE` that asks for ``lab`` (a project's own ``lab``
    fixture is not one)."""
    path = getattr(item, "path", None)
    if "lab" not in getattr(item, "fixturenames", ()) or path is None or path.name != LIFECYCLE.name:
        return False
    try:
        return path == LIFECYCLE or os.path.samefile(path, LIFECYCLE)
    except OSError:
        return False


def submit(runner: Scenarios, item, target, tmp_path_factory) -> Run:
    """Start ``item``'s scenario (the test function itself) on the runner; the same run when already started."""
    from ..stacks import for_platform

    params = getattr(getattr(item, "callspec", None), "params", {})
    folder = re.sub(r"\W+", "-", item.name)[:40]
    kwargs = scenario_kwargs(item.function, params, lambda: tmp_path_factory.mktemp(folder))
    callspec = getattr(item, "callspec", None)  # a fleet of several platforms: the lab's id names its platform
    platform = target.settings.platform[0]
    platform = callspec.params.get("lab", platform) if callspec else platform
    return runner.submit(item.nodeid, item.name, for_platform(platform), item.function, kwargs,
                         live=getattr(item.function, "lab_live", FIRST),
                         processes=getattr(item.function, "lab_processes", ONE_DAEMON))


def scenario_kwargs(function, params: dict, tmp_dir: Callable[[], Path]) -> dict:
    """The arguments of a scenario function besides ``lab``: its parametrized values, and ``tmp_path``."""
    kwargs = {}
    for name in inspect.signature(function).parameters:
        if name == "lab":
            continue
        if name == "tmp_path":
            kwargs[name] = tmp_dir()
        elif name in params:
            kwargs[name] = params[name]
        else:
            raise TypeError(f"scenario {function.__name__} asks for {name!r}: a scenario gets only lab, tmp_path "
                            "and its parametrized values")
    return kwargs


def fingerprint_diff(before: list[str], after: list[str]) -> str:
    """The lines only in ``before`` (-) or only in ``after`` (+), for assertion messages."""
    old, now = set(before), set(after)
    gone = [f"- {line}" for line in before if line not in now]
    new = [f"+ {line}" for line in after if line not in old]
    return "\n".join(gone[:20] + new[:20]) or "(identical)"


def example_release(where: Path, version: str) -> Path:
    """A copy of the example app with another version (``where/yourapplication-<version>``): same code,
    same deploy.toml (its config_file made absolute), its own VERSION file."""
    src, project = APPS / "yourapplication", where / f"yourapplication-{version}"
    project.mkdir(parents=True)
    for name in ("setup.py", "yourapplication"):
        (project / name).symlink_to(src / name)
    (project / "VERSION").write_text(version + "\n")
    config_file = load_config(src).config_file
    toml = re.sub(r'(?m)^config_file = .*$', f'config_file = "{config_file}"', (src / "deploy.toml").read_text())
    (project / "deploy.toml").write_text(toml)
    return project
