"""Fleet orchestration: the session's deployment of one app to every server of a target, as plain data.

:func:`bootstrap_all`, then (after the caller packed once per distinct server Python: a fleet may mix
platforms) :func:`deploy_all`, each on all servers in parallel; :func:`read_live` is the ``--no-deploy`` twin that
only reads what is live. Both return a :class:`Deployment`: per host, the live release id, the version and
artifact sha256 it claims (from its ``RELEASE.json``) and the seconds each step took. It is JSON-friendly so that
xdist workers sharing a real target can deploy once and hand the result to each other
(:func:`deploytests.targets.sharing.once_per_run`).

One host's failure does not stop the others: a host whose bootstrap or deploy failed (refused release,
frozen or lost host) keeps its one-line ``error`` in its :class:`HostState`, the others are deployed and
verified, and only that host's checks error with that line. When every host failed, the step raises as a
whole (:class:`~deploytests.errors.HostsFailed`). With ``--no-deploy``, a host with no live release (nothing
deployed yet, ``current`` dangling) gets that as its error at once, instead of timing out request by request.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..errors import DeployTestsError, HostOutcome, HostsFailed
from ..servers import Server


@dataclass
class HostState:
    """What is live on one host: ``release_id`` (None: nothing deployed), and step durations in seconds."""

    label: str
    release_id: str | None = None
    version: str | None = None
    artifact_sha256: str | None = None
    releases: list[str] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # one line: why nothing of this host can be verified (its step failed)
    detail: str = ""  # the failure's detail (agent output, Apache log tail), for the report
    nothing_live: bool = False  # ``error`` says only that no release is live (--no-deploy): the host answered

    def serves(self) -> str:
        """What the host serves, for the summary: the release, or why nothing."""
        return f"serves {self.release_id}" if self.release_id else f"NOT VERIFIED: {self.error or 'nothing live'}"


@dataclass
class Deployment:
    """The session's deployment: ``deployed`` is False with ``--no-deploy`` (states read, not made)."""

    deployed: bool
    hosts: dict[str, HostState] = field(default_factory=dict)
    artifact_sha256: str | None = None
    version: str | None = None
    times: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, label: str) -> HostState:
        return self.hosts[label]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        data = json.loads(text)
        data["hosts"] = {k: HostState(**v) for k, v in data["hosts"].items()}
        return cls(**data)


def _state(label: str, status, times: dict[str, float] | None = None) -> HostState:
    """A HostState from the pipeline's :class:`~deploytests.pipeline.Status` of one host."""
    live = next((r for r in status.releases if r.id == status.live), None)
    return HostState(label=label, release_id=status.live, version=live and live.version,
                     artifact_sha256=live and live.artifact_sha256,
                     releases=[r.id for r in status.releases], times=dict(times or {}))


@dataclass
class Bootstrapped:
    """Result of bootstrapping every host: the first server's Python (``X.Y``), the servers' CPU architecture
    (``uname -m``, one for all), each server's Python and stack (``pythons``, ``stacks``: a fleet may mix
    platforms), per-host seconds and changes."""

    python_version: str
    machine: str = "x86_64"
    seconds: dict[str, float] = field(default_factory=dict)
    changes: dict[str, list[str]] = field(default_factory=dict)
    pythons: dict[str, str] = field(default_factory=dict)
    stacks: dict[str, str] = field(default_factory=dict)

    failed: dict[str, str] = field(default_factory=dict)  # host -> one line, for hosts whose bootstrap failed
    details: dict[str, str] = field(default_factory=dict)

    def python_versions(self) -> list[str]:
        """The distinct server Pythons, the first server's first: pack once for each."""
        return list(dict.fromkeys([self.python_version, *self.pythons.values()]))


def each_host(servers, fn, step: str) -> list[HostOutcome]:
    """:func:`~deploytests.pipeline.run_on_hosts`, keeping every outcome when only some hosts failed; raises
    :class:`HostsFailed` only when all of them did."""
    from .. import pipeline  # late: this module is part of the pipeline package

    try:
        return pipeline.run_on_hosts(servers, fn, step=step)
    except HostsFailed as exc:
        if not any(o.ok for o in exc.outcomes):
            raise
        return exc.outcomes


def _error(outcome: HostOutcome) -> tuple[str, str]:
    """The one line and the detail of a failed host's outcome."""
    error = outcome.error
    if isinstance(error, DeployTestsError):
        line = error.one_line()
        return (line if line.startswith(f"{outcome.host}:") else f"{outcome.host}: {line}"), error.detail
    return f"{outcome.host}: {type(error).__name__}: {error}", ""


def bootstrap_all(servers, cfg) -> Bootstrapped:
    """Bootstrap all servers in parallel; each reports its stack and Python (one artifact per Python)."""
    from .. import pipeline  # late: this module is part of the pipeline package
    from ..stacks import get

    servers = list(servers)
    outcomes = each_host(servers, lambda c: pipeline.bootstrap(c, cfg), step="bootstrap")
    good = [o for o in outcomes if o.ok]
    machines = sorted({o.value.machine for o in good})
    if len(machines) > 1:
        raise DeployTestsError(f"the servers have different CPU architectures ({', '.join(machines)}); one "
                               "artifact cannot serve them all", hint="split them into separate targets")
    by_label = {s.label: s for s in servers}
    for outcome in good:
        server = by_label.get(outcome.host)
        if isinstance(server, Server):  # it need not read /etc/os-release again
            server.stack = get(outcome.value.stack)
    failed = {o.host: _error(o) for o in outcomes if not o.ok}
    return Bootstrapped(python_version=good[0].value.python_version, machine=machines[0] or "x86_64",
                        seconds={o.host: o.seconds for o in outcomes},
                        changes={o.host: list(o.value.changes) for o in good},
                        pythons={o.host: o.value.python_version for o in good},
                        stacks={o.host: o.value.stack for o in good},
                        failed={h: e[0] for h, e in failed.items()}, details={h: e[1] for h, e in failed.items()})


def artifact_for(label: str, artifact, artifacts: dict | None, boot: Bootstrapped | None):
    """The artifact packed for host ``label``'s Python (``artifacts``: Python ``X.Y`` -> artifact), else
    ``artifact``."""
    python = boot.pythons.get(label) if boot else None
    return (artifacts or {}).get(python, artifact)


def deploy_all(servers, cfg, artifact, *, pack_seconds: float = 0.0, boot: Bootstrapped | None = None,
               artifacts: dict | None = None) -> Deployment:
    """Deploy on all servers in parallel (those whose bootstrap failed keep that error): each server gets the
    artifact packed for its Python (``artifacts``, by ``X.Y``, with ``boot`` saying each host's Python), else
    ``artifact``. Each host's state is what its deploy made live (the agent reports it; the suite then checks
    the server itself: no second remote call here)."""
    from .. import pipeline  # late: this module is part of the pipeline package
    from .remote import label_of

    skipped = dict(boot.failed) if boot else {}
    ready = [s for s in servers if s.label not in skipped]
    chosen = {s.label: artifact_for(s.label, artifact, artifacts, boot) for s in ready}
    deploys = each_host(ready, lambda c: pipeline.deploy(c, cfg, chosen[label_of(c)]), step="deploy") \
        if ready else []
    hosts = {}
    for label, line in skipped.items():
        assert boot is not None  # only a bootstrap can have failed hosts
        hosts[label] = HostState(label, error=line, detail=boot.details.get(label, ""),
                                 times={"bootstrap": boot.seconds.get(label, 0.0)})
    for outcome in deploys:
        times = {"bootstrap": boot.seconds.get(outcome.host, 0.0)} if boot else {}
        times["deploy"] = outcome.seconds
        if not outcome.ok:
            line, detail = _error(outcome)
            hosts[outcome.host] = HostState(outcome.host, times=times, error=line, detail=detail)
            continue
        art = chosen[outcome.host]
        hosts[outcome.host] = HostState(outcome.host, release_id=outcome.value.release_id, version=art.version,
                                        artifact_sha256=art.sha256, times=times)
    return Deployment(deployed=True, hosts=hosts, artifact_sha256=artifact.sha256, version=artifact.version,
                      times={"pack": pack_seconds})


def read_live(servers, cfg) -> Deployment:
    """What is live on each server (``--no-deploy``); nothing is changed. A host with no live release gets
    that as its error (``no release is live: nothing deployed yet``, or ``current`` dangling)."""
    from .. import pipeline  # late: this module is part of the pipeline package

    hosts = {}
    for o in each_host(servers, lambda c: pipeline.status(c, cfg), step="status"):
        if not o.ok:
            line, detail = _error(o)
            hosts[o.host] = HostState(o.host, error=line, detail=detail)
            continue
        hosts[o.host] = _state(o.host, o.value)
        if not o.value.live:
            hosts[o.host].error = f"{o.host}: {o.value.describe_live()}"
            hosts[o.host].nothing_live = True
    return Deployment(deployed=False, hosts=hosts)
