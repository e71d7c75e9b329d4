"""Waits with a deadline, a poll interval and a message (never ``while not ready: sleep``).

The clock and the sleep are injectable so the loop is unit-testable without real time passing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

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
