"""Many hosts: run one pipeline step on every server, in parallel or rolling, and keep every host's outcome.

Like Fabric's ``GroupResult``/``GroupException``: one host's failure never hides another's result. Parallel
mode runs every host (threads; the work is remote and the SSH channels are independent) and raises
:class:`~deploytests.errors.HostsFailed` listing each failed host after all have finished. Rolling mode runs
one host at a time and stops at the first failure (the hosts after it are reported as not attempted), which is
what you want when a bad release must not reach the whole fleet.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from ..errors import DeployError, HostOutcome, HostsFailed
from .remote import label_of


def connection_of(target):
    """A Fabric connection from a :class:`~deploytests.targets.base.Server` (its shared one) or a connection."""
    return target.connection() if hasattr(target, "connection") and callable(target.connection) else target


def run_on_hosts(targets: Iterable, fn: Callable, *, step: str = "step", parallel: bool = True,
                 rolling: bool = False, progress: Callable | None = None) -> list[HostOutcome]:
    """Call ``fn(c)`` for each target's connection; return one :class:`HostOutcome` per target, in order.

    ``progress(host, step, seconds, message)`` gets one line per host when its step ends. Raises
    :class:`HostsFailed` (carrying all outcomes) when any host failed.
    """
    targets = list(targets)
    if rolling or not parallel or len(targets) <= 1:
        outcomes = _sequential(targets, fn, step, stop_at_failure=rolling, progress=progress)
    else:
        with ThreadPoolExecutor(max_workers=min(16, len(targets))) as pool:
            outcomes = list(pool.map(lambda t: _one(t, fn, step, progress), targets))
    if any(not o.ok for o in outcomes):
        raise HostsFailed(step, outcomes)
    return outcomes


def _sequential(targets, fn, step, *, stop_at_failure, progress):
    outcomes = []
    for t in targets:
        if stop_at_failure and any(not o.ok for o in outcomes):
            outcomes.append(HostOutcome(label_of(t), error=DeployError(
                f"not attempted: rolling {step} stopped at the first failed host", where=label_of(t))))
            continue
        outcomes.append(_one(t, fn, step, progress))
    return outcomes


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


def print_progress(host: str, step: str, seconds: float, message: str = "", *, file=None) -> None:
    """The default progress line: ``[host] step   1.23s  message``."""
    print(f"[{host}] {step:<12} {seconds:6.2f}s  {message}".rstrip(), file=file or sys.stdout, flush=True)
