"""Fleet orchestration: the session's deployment of one app to every server of a target, as plain data.

:func:`bootstrap_all`, then (after the caller packed once per distinct server Python: a fleet may mix
platforms) :func:`roll_out` under a :class:`Policy` (canary, batches, failures tolerated, bounded parallelism);
:func:`read_live` is the ``--no-deploy`` twin that only reads what is live. Both give a :class:`Deployment`
(:func:`deployment_of` for a rollout): per host, the live release id, the version and artifact sha256 it claims
(from its ``RELEASE.json``) and the seconds each step took. It is JSON-friendly so that
xdist workers sharing a real target can deploy once and hand the result to each other
(:func:`deploytests.targets.sharing.once_per_run`).

One host's failure does not stop the others: a host whose bootstrap or deploy failed (refused release,
frozen or lost host) keeps its one-line ``error`` in its :class:`HostState`, the others are deployed and
verified, and only that host's checks error with that line. When every host failed, the step raises as a
whole (:class:`~deploytests.errors.HostsFailed`). With ``--no-deploy``, a host with no live release (nothing
deployed yet, ``current`` dangling) gets that as its error at once, instead of timing out request by request.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from ..errors import ConfigError, ConnectError, DeployError, DeployTestsError, HostOutcome, HostsFailed, tail
from ..servers import Server
from ..settings import Count, default_parallel
from ..words import count


@dataclass
class HostState:
    """What is live on one host: ``release_id`` (None: nothing deployed), and step durations in seconds."""

    label: str
    release_id: str | None = None
    version: str | None = None
    artifact_sha256: str | None = None
    releases: list[str] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # one line, ``host: what``: why nothing of this host can be verified (its step failed)
    detail: str = ""  # the failure's detail (agent output, Apache log tail), for the report
    hint: str = ""  # the failure's next step
    nothing_live: bool = False  # ``error`` says only that no release is live (--no-deploy): the host answered

    def message(self) -> str:
        """The error with its hint, as one line: ``host: what. Hint: next step.``"""
        line = self.error or ""
        return f"{line.rstrip('.')}. Hint: {self.hint.rstrip('.')}." if self.hint else line


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
    hints: dict[str, str] = field(default_factory=dict)

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


def _error(outcome: HostOutcome) -> tuple[str, str, str]:
    """The one line (``host: what``), the hint and the detail of a failed host's outcome (typed: never parsed
    back out of a message)."""
    return _parts(outcome.host, outcome.error)


def _parts(host: str, error: BaseException | None) -> tuple[str, str, str]:
    if isinstance(error, DeployTestsError):
        line = (f"{error.where}: {error.what}" if error.where else error.what).rstrip(".") + "."
        return (line if line.startswith(f"{host}:") else f"{host}: {line}"), error.hint, error.detail
    return f"{host}: {type(error).__name__}: {error}", "", ""


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
                        failed={h: e[0] for h, e in failed.items()}, hints={h: e[1] for h, e in failed.items()},
                        details={h: e[2] for h, e in failed.items()})


def read_live(servers, cfg) -> Deployment:
    """What is live on each server (``--no-deploy``); nothing is changed. A host with no live release gets
    that as its error (``no release is live: nothing deployed yet``, or ``current`` dangling)."""
    from .. import pipeline  # late: this module is part of the pipeline package

    hosts = {}
    for o in each_host(servers, lambda c: pipeline.status(c, cfg), step="status"):
        if not o.ok:
            line, hint, detail = _error(o)
            hosts[o.host] = HostState(o.host, error=line, hint=hint, detail=detail)
            continue
        hosts[o.host] = _state(o.host, o.value)
        if not o.value.live:
            hosts[o.host].error = f"{o.host}: {o.value.describe_live()}"
            hosts[o.host].nothing_live = True
    return Deployment(deployed=False, hosts=hosts)


# ---------------------------------------------------------------- the rollout: canary, batches, gate, hooks

@dataclass(frozen=True)
class Policy:
    """How a deploy reaches the fleet: ``canary`` hosts first (any failure there stops), then batches of ``batch``
    hosts (None: all the rest at once), each gated before the next; the rollout stops when more than
    ``max_failed`` hosts (of the whole fleet) failed. At most ``parallel`` hosts are worked on at once."""

    canary: Count = Count(0)
    batch: Count | None = None
    max_failed: Count = Count(0)
    parallel: int = field(default_factory=default_parallel)

    def phases(self, labels: list[str]) -> list[tuple[str, list[str]]]:
        """``[(name, hosts), ...]`` in order (pure): ``canary``, then ``batch 1/3``..., or ``all``."""
        first = self.canary.of(len(labels))
        rest = labels[first:]
        size = max(1, self.batch.of(len(labels))) if self.batch else max(1, len(rest))
        chunks = [rest[i:i + size] for i in range(0, len(rest), size)]
        names = [f"batch {i}/{len(chunks)}" for i in range(1, len(chunks) + 1)] if len(chunks) > 1 else \
            ["all"] * len(chunks)  # none: the canary took every host
        return ([("canary", labels[:first])] if first else []) + list(zip(names, chunks, strict=True))


class HookFailed(DeployError):
    """A runner-side ``before_host``/``after_host`` command failed or timed out: the host counts as failed."""


@dataclass(frozen=True)
class Hooks:
    """Runner-side commands around each host's deploy (``before_host``: drain it from a load balancer;
    ``after_host``: put it back), each run by ``/bin/sh -c`` on the runner with the host in ``DEPLOYTESTS_HOST_NAME``
    (its name: a host table's ``name``, else the host of ``user@host:port``: what a load balancer calls it),
    ``DEPLOYTESTS_HOST`` (its label, ``ssh://deployer@web1``), ``DEPLOYTESTS_HOST_ADDRESS`` and
    ``DEPLOYTESTS_HOST_PORT`` (sshd's), bounded by ``timeout`` seconds
    (then its whole process group is killed). A non-zero exit or a timeout fails the host."""

    before_host: str = ""
    after_host: str = ""
    timeout: float = 60.0

    def run(self, which: str, server) -> None:
        command = getattr(self, which)
        if not command:
            return
        env = dict(os.environ, DEPLOYTESTS_HOST_NAME=server.name, DEPLOYTESTS_HOST=server.label,
                   DEPLOYTESTS_HOST_ADDRESS=str(server.host), DEPLOYTESTS_HOST_PORT=str(server.port))
        proc = subprocess.Popen(["/bin/sh", "-c", command], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise HookFailed(f"{which} command did not finish within {self.timeout:g} s (killed): {command}",
                             where=server.label, hint="fix the command, or raise hook_timeout in targets.toml") \
                from None
        if proc.returncode:
            text = tail(out, 5)
            last = text.splitlines()[-1] if text else "no output"
            raise HookFailed(f"{which} command failed (exit {proc.returncode}): {last}", where=server.label,
                             detail=f"command: {command}\n--- output (tail) ---\n{text}" if text else "")


# what a host is after a rollout: its state word and how its line reads
STATES = {
    "new": "new (serves {live})",
    "unchanged": "unchanged (serves {live}, already live)",
    "refused": "refused, live release untouched",
    "rolled back": "rolled back (serves {live})",
    "back, not serving": "rolled back to {live}, which does NOT serve",
    "failed": "FAILED, serves {live}",
    "failed, not serving": "FAILED, on {live}, which does NOT serve",
    "unknown": "unknown",
    "untouched": "untouched",
}


@dataclass
class HostReport:
    """One host in a rollout (typed, from the agent's reply): its phase, its state (a key of :data:`STATES`),
    the release live now (when known), the one it replaced, and why it failed."""

    host: str
    phase: str = ""
    state: str = "untouched"
    live: str | None = None
    previous: str | None = None
    went_live: bool = False  # this rollout made a new release live there (a failed batch rolls it back)
    undone: bool = False  # ... and rolled it back
    version: str = ""
    sha256: str = ""
    error: str = ""
    hint: str = ""
    detail: str = ""
    seconds: float = 0.0
    refusal: str = ""  # a refused deploy: what the host is, from the agent's typed fields (DeployError.refused_state)
    attempted: bool = False  # its phase ran (a later phase's host, never attempted, fails nothing)

    def state_line(self) -> str:
        text = self.refusal if self.state == "refused" and self.refusal else \
            STATES[self.state].format(live=self.live or "nothing")
        return f"{text} ({self.error})" if self.error and not self.state.startswith("failed") else \
            (f"{text}: {self.error}" if self.error else text)

    def fail(self, exc: BaseException, state: str | None = None) -> None:
        line, self.hint, self.detail = _parts(self.host, exc)
        self.error = line[len(self.host) + 2:].rstrip(".")
        if state:
            self.state = state


@dataclass
class RolloutResult:
    """Every host's :class:`HostReport` in fleet order, one summary line per phase, where it stopped (or "")."""

    reports: list[HostReport]
    summaries: list[str] = field(default_factory=list)
    stopped: str = ""

    @property
    def failed(self) -> list[HostReport]:
        return [r for r in self.reports if r.error and r.attempted]

    def table(self) -> list[str]:
        """The final per-host state table."""
        width = max([len("host"), *(len(r.host) for r in self.reports)])
        phase = max([len("phase"), *(len(r.phase) for r in self.reports)])
        return [f"{'host':<{width}}  {'phase':<{phase}}  now"] + [
            f"{r.host:<{width}}  {r.phase:<{phase}}  {r.state_line()}" for r in self.reports]


Gate = Callable[[object, object, HostReport, object], "str | None"]  # (c, server, report, artifact) -> problem


Tests = Callable[[list], "dict[str, list[str]]"]  # (the phase's servers) -> problems by host label


def roll_out(servers, cfg, artifact_of: Callable[[str], object], policy: Policy, *, hooks: Hooks = Hooks(),
             gate: Gate | None = None, tests: Tests | None = None, progress=None,
             say: Callable[[str], None] = print, keep_connections: bool = True) -> RolloutResult:
    """Deploy to ``servers`` phase by phase (:meth:`Policy.phases`): per host the ``before_host`` hook, the deploy
    (its own server-side health gate), ``gate(c, server, report, artifact)`` (a problem's line, or None; each host
    of a phase in its own worker, so a phase's hosts are gated at once), ``after_host``. With ``tests`` (the
    project's deploy tests, :class:`deploytests.verify.between.ProjectTests`), once the phase's hosts are done,
    ``tests(servers)`` runs once on those that passed the gate (its problems fail their host like a failed gate),
    and only then does each host's ``after_host`` run: a host is back in its load balancer once it is verified.
    ``keep_connections=False`` (``fab``: nothing reads the hosts afterwards) closes each host's connection at the
    end of its turn, so the runner holds at most ``parallel`` connections (and their threads and buffers) at once,
    whatever the fleet's size; a rollback opens a new one.
    After each phase: when the canary failed, or more than ``max_failed`` hosts failed so far, the rollout stops,
    the hosts this phase made live go back to their previous release, the later phases stay untouched; else the
    failed hosts that went live go back alone and the next phase starts. Ctrl-C raises
    :class:`~deploytests.pipeline.Interrupted` with one line per host saying where it stopped."""
    from .. import pipeline  # late: this module is part of the pipeline package
    from ..verify.between import one_line as between_line
    from .hosts import NotStarted, _interrupts
    from .remote import label_of

    by = {s.label: s for s in servers}
    reports = {label: HostReport(label) for label in by}
    phases = policy.phases(list(by))
    now = _dt.datetime.now(_dt.UTC)  # one release id for the whole rollout, whatever second each host starts in
    limit = policy.max_failed.of(len(by))
    result = RolloutResult([reports[label] for label in by])

    def one(c) -> HostReport:
        """One host's turn; its line (``[host] deploy 1.23s ok`` or ``FAILED: why``) printed when it ends."""
        started = time.monotonic()
        try:
            rep = turn(c)
        except Exception as exc:
            if progress:
                progress(label_of(c), "deploy", time.monotonic() - started, f"FAILED: {exc}")
            raise
        if progress:
            hint = f". Hint: {rep.hint.rstrip('.')}." if rep.error and rep.hint else ""
            progress(rep.host, "deploy", rep.seconds, f"FAILED: {rep.error}{hint}" if rep.error else "ok")
        return rep

    def turn(c) -> HostReport:
        rep, server, started = reports[label_of(c)], by[label_of(c)], time.monotonic()
        try:
            hooks.run("before_host", server)
        except HookFailed as exc:
            rep.fail(exc, "refused")
            rep.seconds = time.monotonic() - started
            return rep
        try:
            if stopping.is_set():  # interrupted while its before_host ran: its deploy never begins
                raise NotStarted("interrupted before its deploy began", where=rep.host)
            art = artifact_of(rep.host)
            _deploy(c, rep, art)
            problem = gate(c, server, rep, art) if gate and rep.state in ("new", "unchanged") else None
            if problem:
                rep.error, rep.state = f"gate: {problem}", "failed"
        finally:
            if tests is None:
                after(rep, server)
            else:
                deferred.append(rep.host)  # after the phase's tests
            if not keep_connections and callable(getattr(server, "close", None)):
                server.close()
            rep.seconds = time.monotonic() - started
        return rep

    def after(rep: HostReport, server) -> None:
        started = time.monotonic()
        try:
            hooks.run("after_host", server)
        except HookFailed as exc:
            rep.fail(exc, "failed" if rep.state in ("new", "unchanged") else None)
        rep.seconds += time.monotonic() - started

    def after_deferred() -> None:
        """The deferred ``after_host`` hooks of the phase, at most ``parallel`` at once (also after an interrupt:
        a drained host is put back whatever happened)."""
        waiting, deferred[:] = list(deferred), []
        if waiting and hooks.after_host:
            with ThreadPoolExecutor(max_workers=min(policy.parallel, len(waiting))) as pool:
                list(pool.map(lambda label: after(reports[label], by[label]), waiting))

    def project_tests(phase: str, labels: list[str]) -> None:
        """The project's deploy tests on the phase's hosts that passed so far; each failing host fails."""
        good = [label for label in labels if reports[label].state in ("new", "unchanged") and not
                reports[label].error]
        if tests is None or not good:
            return
        started = time.monotonic()
        with _interrupts() as caught:  # Ctrl-C or SIGTERM: the child is killed, every host says where it is
            try:
                found = tests([by[label] for label in good])
            except KeyboardInterrupt:
                raise pipeline.Interrupted(f"tests {phase}", caught.get("name", "SIGINT"),
                                           [HostOutcome(label, value=reports[label]) for label in labels]) from None
        for label in good:
            problems = found.get(label)
            if problems:
                reports[label].error, reports[label].state = f"gate: {between_line(problems)}", "failed"
            if progress:
                progress(label, "tests", time.monotonic() - started,
                         f"FAILED: {reports[label].error}" if problems else "ok")

    def _deploy(c, rep: HostReport, art) -> None:
        try:
            res = pipeline.deploy(c, cfg, art, progress=progress, now=now)
        except DeployError as exc:
            # switched back: "rolled back" only when the release it went back to was seen serving
            rep.fail(exc, ("rolled back" if exc.serving else "back, not serving") if exc.live else "refused")
            rep.live, rep.refusal = exc.live, "" if exc.live else exc.refused_state()
            return
        rep.live, rep.previous, rep.went_live = res.release_id, res.previous, res.changed
        rep.state, rep.version, rep.sha256 = ("new" if res.changed else "unchanged"), res.version, art.sha256

    def lost_before(labels) -> dict[str, ConnectError]:
        """The phase's hosts already known unreachable (no artifact: their Python could not be read)."""
        known = {}
        for label in labels:
            try:
                artifact_of(label)
            except ConnectError as exc:
                known[label] = exc
            except Exception:  # (any other error is the host's turn's to report)
                pass
        return known

    failed, stopping, deferred = 0, threading.Event(), list[str]()
    for k, (phase, labels) in enumerate(phases):
        for label in labels:
            reports[label].phase, reports[label].attempted = phase, True
        lost = lost_before(labels)
        if lost and (phase == "canary" or failed + len(lost) > limit):
            # the phase would fail whatever its other hosts do: touch none of them (no switch there and back)
            failed += len(lost)
            for label, exc in lost.items():
                reports[label].fail(exc, "unknown")
            names = ", ".join(lost)
            for label in [label for label in labels if label not in lost] + [
                    label for _, more in phases[k + 1:] for label in more]:
                reports[label].phase = next(p for p, more in phases if label in more)
                reports[label].attempted = False
                reports[label].error = f"not attempted: {names} could not be reached before {phase} began"
            untouched = len(by) - len(lost) - sum(len(more) for _, more in phases[:k])
            line = (f"{phase}: {count(len(labels), 'host')}, not started: {count(len(lost), 'host')} could not be "
                    f"reached ({names}; {failed} failed so far, {'none' if phase == 'canary' else limit} allowed); "
                    f"rollout STOPPED, {count(untouched, 'host')} untouched")
            result.stopped = phase
            result.summaries.append(line)
            say(f"[rollout] {line}")
            break
        try:
            try:
                outcomes = pipeline.run_on_hosts([by[label] for label in labels], one,
                                                 step=f"deploy {phase}", workers=policy.parallel, progress=None,
                                                 ask=lambda c: pipeline.status(c, cfg).describe_live(),
                                                 stopping=stopping)
            except HostsFailed as exc:  # a host lost or an unexpected error: its report says so
                outcomes = exc.outcomes
            for o in outcomes:
                if o.error is not None:
                    # (a host's own config refused before anything reached it: untouched, serving what it did)
                    reports[o.host].fail(o.error, "unknown" if isinstance(o.error, ConnectError) else
                                         "untouched" if isinstance(o.error, ConfigError) else "failed")
            project_tests(phase, labels)
        except pipeline.Interrupted as exc:
            raise _interrupted(exc, reports, phases[k + 1:], NotStarted) from None
        finally:
            after_deferred()
        bad = [reports[label] for label in labels if reports[label].error]
        failed += len(bad)
        stop = bool(bad) and (phase == "canary" or failed > limit)
        undo = [reports[label] for label in labels if reports[label].went_live and (stop or reports[label].error)]
        kept = _roll_back(pipeline, [by[r.host] for r in undo], cfg, reports, policy) if undo else {}
        line = (f"{phase}: {count(len(labels), 'host')}, {len(labels) - len(bad)} ok, {len(bad)} failed "
                f"({failed} failed so far, {'none' if phase == 'canary' else limit} allowed)")
        if done := [r.host for r in undo if r.host not in kept]:
            line += f"; rolled back: {', '.join(done)}"
        if kept:
            line += f"; not rolled back: {', '.join(f'{host} ({why})' for host, why in kept.items())}"
        if stop:
            later = [label for _, more in phases[k + 1:] for label in more]
            line += f"; rollout STOPPED, {count(len(later), 'host')} untouched"
            for label in later:
                reports[label].phase = next(p for p, more in phases if label in more)
                reports[label].error = f"not attempted: the rollout stopped after {phase}"
            result.stopped = phase
        result.summaries.append(line)
        say(f"[rollout] {line}")
        if stop:
            break
    return result


def _roll_back(pipeline, servers, cfg, reports: dict[str, HostReport], policy: Policy) -> dict[str, str]:
    """Put each of ``servers`` back on the release the rollout replaced (through the agent's lock and gate);
    return why, per host that could not be (a first deploy has none to go back to), for the phase's line."""
    from .remote import label_of

    def back(c):
        rep = reports[label_of(c)]
        if not rep.previous:
            raise DeployError("no previous release to go back to (this was the first deploy)", where=rep.host)
        return pipeline.rollback(c, cfg, rep.previous)

    try:
        outcomes = pipeline.run_on_hosts(servers, back, step="rollback", workers=policy.parallel)
    except HostsFailed as exc:
        outcomes = exc.outcomes
    kept = {}
    for o in outcomes:
        rep = reports[o.host]
        rep.error = rep.error or "its batch failed"
        if o.ok:
            rep.state, rep.live, rep.went_live, rep.undone = "rolled back", o.value.release_id, False, True
        else:  # where the agent's rollback ended (its switch back), "serves" only when seen serving there
            rep.state, kept[o.host] = "failed", getattr(o.error, "what", None) or str(o.error)
            if getattr(o.error, "live", None):
                rep.live, rep.state = o.error.live, "failed" if o.error.serving else "failed, not serving"
            rep.error += f"; rolling it back failed: {o.error}"
    return kept


def _interrupted(exc, reports: dict[str, HostReport], later, not_started):
    """The rollout's :class:`~deploytests.pipeline.Interrupted`: every host's line, the current phase's from the
    interrupted step, the earlier ones from their reports, the later ones untouched."""
    from .hosts import Interrupted

    current = {o.host: o for o in exc.outcomes}
    waiting = {label for _, labels in later for label in labels}
    outcomes = []
    for label, rep in reports.items():
        if label in current:
            outcomes.append(current[label])
        elif label in waiting:
            outcomes.append(HostOutcome(label, error=not_started("its batch had not started", where=label)))
        else:
            outcomes.append(HostOutcome(label, value=rep))
    return Interrupted(exc.step, exc.signame, outcomes)


def artifact_for(label: str, artifact, artifacts: dict | None, boot: Bootstrapped | None):
    """The artifact packed for host ``label``'s Python (``artifacts``: Python ``X.Y`` -> artifact), else
    ``artifact``."""
    python = boot.pythons.get(label) if boot else None
    return (artifacts or {}).get(python, artifact)


def deploy_all(servers, cfg, artifact, *, pack_seconds: float = 0.0, boot: Bootstrapped | None = None,
               artifacts: dict | None = None, policy: Policy | None = None, hooks: Hooks = Hooks(),
               gate: Gate | None = None, tests: Tests | None = None,
               say: Callable[[str], None] = print) -> Deployment:
    """The plugin's deploy: :func:`roll_out` on the servers whose bootstrap worked (each gets the artifact packed
    for its Python: ``artifacts`` by ``X.Y``, with ``boot`` saying each host's Python, else ``artifact``), as a
    :class:`Deployment`. A host serving the new release is verified; any other carries its one line (what it
    is now and why) as its error. When every host failed, raises :class:`HostsFailed` (one host a line)."""
    skipped = dict(boot.failed) if boot else {}
    ready = [s for s in servers if s.label not in skipped]
    result = roll_out(ready, cfg, lambda label: artifact_for(label, artifact, artifacts, boot), policy or Policy(),
                      hooks=hooks, gate=gate, tests=tests, say=say) if ready else RolloutResult([])
    hosts = {}
    for label, line in skipped.items():
        assert boot is not None  # only a bootstrap can have failed hosts
        hosts[label] = HostState(label, error=line, hint=boot.hints.get(label, ""), detail=boot.details.get(label, ""),
                                 times={"bootstrap": boot.seconds.get(label, 0.0)})
    for r in result.reports:
        times = {"bootstrap": boot.seconds.get(r.host, 0.0)} if boot else {}
        times["deploy"] = r.seconds
        if r.error or r.state not in ("new", "unchanged"):
            now = f"; rolled back to {r.live}" if r.undone else ""
            hosts[r.host] = HostState(r.host, times=times, error=f"{r.host}: {r.error}{now}.", hint=r.hint,
                                      detail=r.detail)
        else:
            hosts[r.host] = HostState(r.host, release_id=r.live, version=r.version, artifact_sha256=r.sha256,
                                      times=times)
    if result.reports and not any(r.state in ("new", "unchanged") and not r.error for r in result.reports):
        raise HostsFailed("deploy", [HostOutcome(r.host, error=DeployError(r.error, where=r.host, hint=r.hint,
                                                                           detail=r.detail))
                                     for r in result.reports])
    return Deployment(deployed=True, hosts=hosts, artifact_sha256=artifact.sha256, version=artifact.version,
                      times={"pack": pack_seconds})
