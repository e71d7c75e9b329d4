"""Suite-local hooks; no fixtures (the suite uses the plugin's public fixtures, see test_promises.py for the gate's
own). On the docker target the lifecycle scenarios run in worker threads, each on a container of its own
(:class:`~deploytests.suite.lab.Scenarios`): a scenario's test reports the outcome of its run, and the terminal
summary says where their time went."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deploytests.suite.lab import SCENARIOS, Run

SCENARIO_TIMEOUT = 600  # seconds; each scenario's own waits are bounded far below this


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
    """Where the scenarios' time went; as JSON too, beside ``$DEPLOYTESTS_TIMINGS_JSON`` (``<stem>-lifecycle.json``,
    for the bench) when that is set."""
    runner = config.stash.get(SCENARIOS, None)
    lines = runner.summary() if runner is not None else []
    if lines:
        terminalreporter.write_sep("-", "deploytests lifecycle scenarios")
        for line in lines:
            terminalreporter.write_line(line)
    out = os.environ.get("DEPLOYTESTS_TIMINGS_JSON")
    if out and lines:
        path = Path(out)
        path.with_name(f"{path.stem}-lifecycle.json").write_text(json.dumps(runner.figures(), indent=1))
