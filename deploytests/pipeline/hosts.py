"""Many hosts: run one pipeline step on every server, in parallel or rolling, and keep every host's outcome.

Like Fabric's ``GroupResult``/``GroupException``: one host's failure never hides another's result. Parallel
mode runs every host (threads; the work is remote and the SSH channels are independent) and raises
:class:`~deploytests.errors.HostsFailed` listing each failed host after all have finished. Rolling mode runs
one host at a time and stops at the first failure (the hosts after it are reported as not attempted), which is
what you want when a bad release must not reach the whole fleet.

Parallelism is bounded: at most ``workers`` hosts at once (``--parallel``, default min(32, 4 x CPUs)), one
pool thread each, whatever the fleet's size.

Ctrl-C and SIGTERM: the hosts' work runs in worker threads, the main thread only waits. An interrupt lets the
steps already running finish (each is bounded by the host timeout; their agents would carry on without us
anyway), starts nothing new, then raises :class:`Interrupted` whose ``lines`` say, per host, ``finished``,
``refused``, ``rolled back``, ``untouched`` or ``unknown`` (a lost host). A second interrupt does not abandon the
running hosts silently (a deploy reported abandoned could still go live): it waits a bounded grace for them
(:data:`GRACE` seconds) and then asks each host still running what it serves (bounded too); such a host is
reported ``unknown (still running ...; serves X when asked)``, never as abandoned.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from .. import untrusted
from ..errors import ConnectError, DeployError, DeployTestsError, HostOutcome, HostsFailed
from ..settings import default_parallel
from ..words import count
from .remote import label_of


class NotStarted(DeployError):
    """A host whose step never began (rolling stopped, or the run was interrupted)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a many-host step; ``lines`` say what each host is now (one per host)."""

    def __init__(self, step: str, signame: str, outcomes: list[HostOutcome]):
        self.step, self.signame, self.outcomes = step, signame, outcomes
        self.lines = [host_state(o) for o in outcomes]
        super().__init__(f"{step} interrupted ({signame}): " + "; ".join(self.lines))


def host_state(outcome: HostOutcome) -> str:
    """``host: state``: what a host is after a step (pure): finished, refused, rolled back, untouched, unknown."""
    return f"{outcome.host}: {_state(outcome)}"


def _state(outcome: HostOutcome) -> str:
    error = outcome.error
    if error is None:
        said = getattr(outcome.value, "state_line", None)
        if callable(said):  # a rollout's per-host report says it itself
            return said()
        rid = getattr(outcome.value, "release_id", None)
        return f"finished (serves {rid})" if rid else "finished"
    what = error.what if isinstance(error, DeployTestsError) else f"{type(error).__name__}: {error}"
    if isinstance(error, NotStarted):
        return f"untouched ({what})"
    if isinstance(error, ConnectError):
        return f"unknown ({what})"
    if isinstance(error, DeployError) and error.live:  # the agent switched the host back after a failed gate
        return f"rolled back (serves {error.live})" if error.serving else f"rolled back to {error.live}, which " \
            "does NOT serve"
    if isinstance(error, DeployError):
        return f"{error.refused_state()} ({what})"
    return f"failed ({what})"


def connection_of(target):
    """A Fabric connection from a :class:`~deploytests.targets.base.Server` (its shared one) or a connection."""
    return target.connection() if hasattr(target, "connection") and callable(target.connection) else target


GRACE = 30.0  # after a second interrupt: seconds more to wait for the running hosts, then each is asked (bounded)


def run_on_hosts(targets: Iterable, fn: Callable, *, step: str = "step", parallel: bool = True,
                 rolling: bool = False, progress: Callable | None = None, workers: int | None = None,
                 ask: Callable | None = None, stopping: threading.Event | None = None) -> list[HostOutcome]:
    """Call ``fn(c)`` for each target's connection, at most ``workers`` at once; return one :class:`HostOutcome`
    per target, in order.

    ``progress(host, step, seconds, message)`` gets one line per host when its step ends. Raises
    :class:`HostsFailed` (carrying all outcomes) when any host failed, :class:`Interrupted` on Ctrl-C/SIGTERM.
    ``ask(c)``: what a host serves, asked after a second interrupt for the hosts still running (one line).
    ``stopping`` is set on an interrupt: a host's ``fn`` may look at it between its own steps.
    """
    targets = list(targets)
    run = _Run(targets, fn, step, progress)
    sequential = rolling or not parallel or len(targets) <= 1
    size = 1 if sequential else max(1, min(workers or default_parallel(), len(targets)))
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=f"deploytests-{step}")
    with _interrupts() as caught:
        try:
            if sequential:
                for i, t in enumerate(targets):
                    if rolling and any(not o.ok for o in run.done.values()):
                        run.record(i, HostOutcome(label_of(t), error=NotStarted(
                            f"not attempted: rolling {step} stopped at the first failed host", where=label_of(t))))
                        continue
                    pool.submit(run.task, i)
                    run.wait({i})
            else:
                for i in range(len(targets)):
                    pool.submit(run.task, i)
                run.wait(set(range(len(targets))))
        except KeyboardInterrupt:
            if stopping is not None:
                stopping.set()
            done = run.interrupted(caught.get("name", "SIGINT"), ask)
            pool.shutdown(wait=False, cancel_futures=True)
            for o, line in zip(done.outcomes, done.lines, strict=True):
                if progress:
                    progress(o.host, "interrupted", 0.0, line.split(": ", 1)[1])
            raise done from None
    pool.shutdown(wait=True)
    result = [run.done[i] for i in range(len(targets))]
    if any(not o.ok for o in result):
        raise HostsFailed(step, result)
    return result


class _Run:
    """The hosts' tasks of one step: which started, which are done (under one condition, so that an interrupt
    sees exactly which hosts are running and none starts after it)."""

    def __init__(self, targets, fn, step, progress):
        self.targets, self.fn, self.step, self.progress = targets, fn, step, progress
        self.started: set[int] = set()
        self.done: dict[int, HostOutcome] = {}
        self.stopped = False
        self.cond = threading.Condition()

    def record(self, i: int, outcome: HostOutcome) -> None:
        with self.cond:
            self.done[i] = outcome
            self.cond.notify_all()

    def task(self, i: int) -> None:
        host = label_of(self.targets[i])
        with self.cond:
            if self.stopped:
                self.done[i] = HostOutcome(host, error=NotStarted("interrupted before it started", where=host))
                self.cond.notify_all()
                return
            self.started.add(i)
        try:
            outcome = _one(self.targets[i], self.fn, self.step, self.progress)
        except BaseException as exc:  # noqa: BLE001 - its progress line too (a closed stdout): a host left
            outcome = HostOutcome(host, error=exc)  # without an outcome would be waited for forever
        self.record(i, outcome)

    def wait(self, indexes: set[int], timeout: float | None = None) -> bool:
        """Wait until every host of ``indexes`` is done (True), or ``timeout`` seconds passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.cond:
            while not indexes <= set(self.done):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def interrupted(self, signame: str, ask: Callable | None = None) -> Interrupted:
        """Stop starting hosts, wait for the running ones, and describe all. A second interrupt shortens the wait
        to :data:`GRACE` seconds; a host still running then is asked what it serves (bounded), never dropped
        as "abandoned": its agent carries on on the server and may yet switch."""
        with self.cond:
            self.stopped = True
            running = set(self.started)
        try:
            self.wait(running)
        except KeyboardInterrupt:
            with contextlib.suppress(KeyboardInterrupt):  # a third Ctrl-C changes nothing: both waits are bounded
                _say(f"{self.step}: interrupted again; waiting at most {GRACE:g} s more for "
                     f"{count(len(running - set(self.done)), 'host')} still working, then asking them what they serve")
                self.wait(running, GRACE)
        outcomes = []
        for i, t in enumerate(self.targets):
            host = label_of(t)
            outcome = self.done.get(i)
            if outcome is None:
                error = (ConnectError(f"still running {self.step} when the run stopped; {self._asked(t, ask)}",
                                      where=host, hint="its agent finishes on the server by itself; run "
                                      "status to see what it serves")
                         if i in running else NotStarted("interrupted before it started", where=host))
                outcome = HostOutcome(host, error=error)
            outcomes.append(outcome)
        return Interrupted(self.step, signame, outcomes)

    @staticmethod
    def _asked(target, ask: Callable | None) -> str:
        """What the host serves now, asked in a thread bounded by :data:`GRACE` (an interrupt stops the wait)."""
        if ask is None:
            return "what it serves was not asked"
        answer: list[str] = []
        asker = threading.Thread(target=lambda: answer.append(_ask(ask, target)), daemon=True)
        asker.start()
        with contextlib.suppress(KeyboardInterrupt):
            asker.join(GRACE)
        return answer[0] if answer else f"it did not say what it serves within {GRACE:g} s"


def _ask(ask: Callable, target) -> str:
    try:
        return f"when asked at {time.strftime('%H:%M:%S')}: {ask(connection_of(target))}"
    except Exception as exc:  # noqa: BLE001 - a lost host: say so, in the host's line
        return f"asking what it serves failed: {exc}"


def _say(text: str) -> None:
    print_lines([text], file=sys.stderr)


@contextlib.contextmanager
def _interrupts():
    """In the main thread: SIGTERM raises KeyboardInterrupt like Ctrl-C does, and which one came is recorded;
    the previous handlers are restored on exit. Elsewhere (not the main thread) nothing changes."""
    caught: dict[str, str] = {}
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def handler(signum, frame):
        caught["name"] = signal.Signals(signum).name
        raise KeyboardInterrupt(caught["name"])

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        current = signal.getsignal(signum)
        if current in (signal.SIG_DFL, signal.default_int_handler, None):  # never replace someone's own handler
            previous[signum] = current
            signal.signal(signum, handler)
    try:
        yield caught
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _one(target, fn, step, progress) -> HostOutcome:
    started = time.monotonic()
    host = label_of(target)
    try:
        value = fn(connection_of(target))
    except Exception as exc:  # noqa: BLE001 - every failure is kept per host and re-raised in HostsFailed
        outcome = HostOutcome(host, error=exc, seconds=time.monotonic() - started)
    else:
        outcome = HostOutcome(host, value=value, seconds=time.monotonic() - started)
    if progress:
        progress(host, step, outcome.seconds, "ok" if outcome.ok else f"FAILED: {outcome.error}")
    return outcome


_OUTPUT = threading.Lock()  # the hosts' threads print whole lines, one host's lines together


def print_lines(lines: Iterable[str], *, file=None) -> None:
    """Print ``lines`` as one write under one lock: parallel hosts' output never shares a line, and one host's
    lines stay together (``print`` writes the text and its newline separately: two threads interleave). Each line
    is one safe line whatever it quotes (an exception's text with a server's output in it): nothing printed here
    acts on the terminal (:func:`deploytests.untrusted.line`)."""
    text = "".join(f"{untrusted.line(line, limit=1 << 20)}\n" for line in lines)
    if not text:
        return
    out = file or sys.stdout
    with _OUTPUT:
        out.write(text)
        out.flush()


def print_progress(host: str, step: str, seconds: float, message: str = "", *, file=None) -> None:
    """The default progress line: ``[host] step   1.23s  message``."""
    print_lines([f"[{host}] {step:<12} {seconds:6.2f}s  {message}".rstrip()], file=file)
