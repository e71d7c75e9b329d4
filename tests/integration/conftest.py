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


# The modules that take longest, first (each is one xdist worker's: ``--dist loadfile``): scheduled in name order, a
# long one that starts last keeps the run going while the other workers idle. Ordered by CI's per-module sums
# (printed at the end of each run, below); the rest keep their order.
FIRST = ("test_admin_tooling.py", "test_admin_tooling_debian13.py", "test_closed_world.py",
         "test_what_runs_serves_and_grants_beyond.py", "test_rollout.py", "test_root_safety.py",
         "test_logins_packages_and_kept_releases.py", "test_transport_hosts.py", "test_pipeline.py",
         "test_own_project.py", "test_gate_trust.py", "test_framework_apps.py", "test_admin_tooling_secrets.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(FIRST)))  # (stable: a module's tests keep their order)


def pytest_terminal_summary(terminalreporter):
    """Each module's summed setup, call and teardown time (its worker's wall time for it), the 12 longest: where
    the run's time goes, module by module, which ``FIRST`` follows."""
    spent: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) in ("setup", "call", "teardown"):
                module = report.nodeid.split("::")[0]
                spent[module] = spent.get(module, 0.0) + report.duration
    if spent:
        top = sorted(spent.items(), key=lambda kv: -kv[1])[:12]
        terminalreporter.write_sep("-", f"modules by time ({sum(spent.values()):.0f}s in all, {len(spent)} modules)")
        for module, seconds in top:
            terminalreporter.write_line(f"{seconds:8.1f}s {module}")
