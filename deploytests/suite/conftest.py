"""Suite-local hooks; no fixtures (the suite uses the plugin's public fixtures, see test_promises.py for the gate's
own: the servers' facts, gathered once per server, and what the servers should look like). On the docker target
the lifecycle scenarios run in worker threads, each on a container of its own
(:class:`~deploytests.suite.lab.Scenarios`): a scenario's test reports the outcome of its run. The terminal
summary adds the drift since the deploy and where the scenarios' time went."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from deploytests.suite.lab import SCENARIOS, Run

SCENARIO_TIMEOUT = 600  # seconds; each scenario's own waits are bounded far below this
STARTED = pytest.StashKey[float]()  # when the tests began (collection done): the run's wall time in the summary


def pytest_collection_finish(session):
    session.config.stash[STARTED] = time.monotonic()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """A scenario that ran on the runner: wait for it, print its figures, raise what it raised."""
    run = pyfuncitem.funcargs.get("lab")
    if not isinstance(run, Run):
        return None
    __tracebackhide__ = True
    try:
        run.result(SCENARIO_TIMEOUT)
    finally:
        for note in run.notes:
            print(note)
    return True


def pytest_terminal_summary(terminalreporter, config):
    drift_section(terminalreporter, config)
    lifecycle_section(terminalreporter, config)


def drift_section(terminalreporter, config) -> None:
    """The drift section: per host, what changed on the server since its live release was deployed
    (:func:`deploytests.verify.promises.drift_report`), from the facts the gate gathered (no round trip)."""
    from deploytests.verify.promises import drift_report
    from deploytests.verify.report import DRIFT

    facts = config.stash.get(DRIFT, None)
    if not facts:
        return
    terminalreporter.write_sep("-", "deploytests drift since the deploy")
    from deploytests.verify.drift import NOTE

    terminalreporter.write_line(f"({NOTE})")
    for label, f in facts.items():
        for line in drift_report(f):
            terminalreporter.write_line(line if line.startswith("  ") else f"{label}: {line}")


def lifecycle_section(terminalreporter, config) -> None:
    """Where the scenarios' time went; as JSON too, beside ``$DEPLOYTESTS_TIMINGS_JSON`` (``<stem>-lifecycle.json``,
    for the bench) when that is set."""
    runner = config.stash.get(SCENARIOS, None)
    lines = runner.summary() if runner is not None else []
    if not lines:
        return
    figures = runner.figures()
    started = config.stash.get(STARTED, None)
    if started is not None:  # the whole run beside the scenarios' part, and how busy the machine was
        figures["run_wall"], figures["load"] = time.monotonic() - started, os.getloadavg()[0]
        lines.insert(0, f"run: {figures['run_wall']:.2f}s wall from the first test to this summary: the scenarios "
                        f"{figures['wall']:.2f}s of it (first start to last end), the rest "
                        f"{figures['run_wall'] - figures['wall']:.2f}s (the session's containers, bootstrap, deploy "
                        f"and checks); load average {figures['load']:.1f} on {os.cpu_count()} cores")
    terminalreporter.write_sep("-", "deploytests lifecycle scenarios")
    for line in lines:
        terminalreporter.write_line(line)
    out = os.environ.get("DEPLOYTESTS_TIMINGS_JSON")
    if out:
        path = Path(out)
        path.with_name(f"{path.stem}-lifecycle.json").write_text(json.dumps(figures, indent=1))
