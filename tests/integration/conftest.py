"""The integration level's own environment: SIGTERM and SIGHUP end the test run as Ctrl-C does, set here rather
than inherited (a CI job may start pytest with them ignored, or default: death without teardown).

A test run stopped that way still runs every fixture's teardown, so what it started on the Docker engine, which
other runs may share, is removed: its containers and snapshot images, and the containers a child gate kept for it
(``venvs.Seat.remove_kept``: the sweep never removes kept containers).
"""

from __future__ import annotations

import signal
import threading

import pytest


@pytest.fixture(scope="session", autouse=True)
def _stopping_runs_the_teardowns():
    if threading.current_thread() is not threading.main_thread():  # (signals are the main thread's)
        yield
        return
    wanted = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {signum: signal.signal(signum, signal.default_int_handler) for signum in wanted}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
