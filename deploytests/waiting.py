"""Waits with a deadline, a poll interval and a message (never ``while not ready: sleep``), and the one thread
that keeps the runner's deadlines (:data:`DEADLINES`).

The clock and the sleep are injectable so the loop is unit-testable without real time passing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import WaitTimeout

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T],
    *,
    what: str,
    where: str = "",
    timeout: float = 30.0,
    interval: float = 0.05,
    hint: str = "",
    detail: Callable[[], str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``probe`` until it returns a truthy value; return that value.

    ``probe`` may raise to mean "not yet"; the last exception is quoted in the timeout error.
    On timeout raise :class:`WaitTimeout` naming ``what`` was awaited, ``where``, how long, the
    last failure, ``hint`` and (in its detail block) ``detail()``, typically a container log tail.
    """
    deadline = clock() + timeout
    last: str = "never became ready"
    attempts = 0
    while True:
        attempts += 1
        try:
            value = probe()
        except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
            last = f"{type(exc).__name__}: {exc}"
        else:
            if value:
                return value
            last = f"last answer: {value!r}"
        if clock() >= deadline:
            raise WaitTimeout(
                f"timed out after {timeout:g}s ({attempts} attempts) waiting for {what}; {last}",
                where=where,
                hint=hint,
                detail=detail() if detail else "",
            )
        sleep(interval)


class Deadlines:
    """One thread that calls each entry's ``due()`` when its time comes: every deadline of the runner (each HTTP
    request's whole-answer bound, each SSH connection's watchdog) on one thread, whatever the fleet's size. It
    sleeps until the earliest time it holds; :meth:`at` wakes it only when the new time is sooner than that (no
    tick: a thread started per deadline was ~0.25 ms of the runner's CPU each, one ticking every 0.1 s woke for
    nothing). ``due()`` runs on this thread, outside its lock: it must not block; it returns when it wants to be
    called again (``time.monotonic()`` time), or None. Started with the first entry (a daemon)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:  # (also in a forked child: the parent's thread is not there)
        self.lock = threading.Condition()
        self.when: dict[Any, float] = {}  # entry -> when its due() is called next (anything with a due())
        self.due = float("inf")  # when the thread wakes next
        self.thread: threading.Thread | None = None

    def at(self, entry, when: float) -> None:
        """Call ``entry.due()`` at ``when`` (or sooner, when it was due sooner already)."""
        with self.lock:
            self.when[entry] = min(when, self.when.get(entry, when))
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="deploytests-deadlines", daemon=True)
                self.thread.start()
            if when < self.due:
                self.due = when
                self.lock.notify()

    def drop(self, entry) -> None:
        with self.lock:
            self.when.pop(entry, None)

    def run(self) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                due = [e for e, t in self.when.items() if t <= now]
                for entry in due:
                    del self.when[entry]
                self.due = min(self.when.values(), default=now + 3600)
                if not due:
                    self.lock.wait(self.due - now)
            for entry in due:
                try:
                    again = entry.due()
                except Exception:  # noqa: BLE001 - one broken entry must not stop the others'
                    again = None
                if again is not None:
                    self.at(entry, again)  # (sooner if at() asked for it meanwhile)


DEADLINES = Deadlines()
os.register_at_fork(after_in_child=DEADLINES.reset)
