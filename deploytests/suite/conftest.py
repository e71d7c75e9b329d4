"""Suite-local hooks and the scenario runner (the suite otherwise uses the plugin's public fixtures, see
test_promises.py for the gate's own: the servers' facts, gathered once per server, and what the servers should look
like). On the docker target the lifecycle scenarios run in worker threads, each on a container of its own
(:class:`~deploytests.suite.lab.Scenarios`), started with the run's first test: they share no server with the
session's containers, so they run while the session bootstraps, deploys and checks its own; their tests come last
and report the outcome of their runs. The terminal summary adds the drift since the deploy and where the run's time
went."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from deploytests.suite.lab import (
    SCENARIOS,
    Run,
    Scenarios,
    busy,
    is_scenario,
    scenario_config,
    scenario_slots,
    submit,
    switches_of,
)

SCENARIO_TIMEOUT = 600  # seconds; each scenario's own waits are bounded far below this
STARTED = pytest.StashKey[tuple[float, float]]()  # when the tests began (collection done), the runner's CPU then
SESSION_CPU = pytest.StashKey[float]()  # CPU seconds the session's own containers used (docker target)


def pytest_collection_modifyitems(session, config, items):
    """The scenarios' tests last (in their order): their runs start with the first test (:func:`scenarios_early`)
    and go on in worker threads while the session's own deploy and checks run here; by the time their tests are
    reached most have ended."""
    items.sort(key=is_scenario)


def to_run(item) -> bool:
    """A scenario's test that will run: not skipped by a marker (the plugin marks what the target refuses:
    ``destructive = false``, ``--no-deploy``), whose scenario may start ahead of its test."""
    return is_scenario(item) and item.get_closest_marker("skip") is None


@pytest.fixture(scope="session")
def scenarios(request, tmp_path_factory):
    """The docker target's scenario runner (:class:`~deploytests.suite.lab.Scenarios`): every scenario selected in
    the run starts at once, each on a fresh container of its own; the tests then wait for their own. Under xdist
    (which hands a worker its tests one by one) each starts when its test is reached, the scenarios that make a
    release live most often first (:func:`~deploytests.suite.lab.switches`). It needs the target's settings only
    (the provider, not yet opened), so the scenarios' first containers start beside the session's own, before
    those are up. On a busy machine (:func:`~deploytests.suite.lab.busy`) it waits for the session's containers
    first (``deploy_target``): started beside them, six containers start at once, each Apache preloading the app,
    and at load average 27 a scenario's sshd missed the 30 s bound for its banner. How many at once:
    :func:`~deploytests.suite.lab.scenario_slots`, at most ``--parallel`` (each is a host worked on). The app under
    test's name (:func:`~deploytests.suite.lab.scenario_config`) comes from its deploy.toml as the plugin loads it
    (no server needed); a config that does not load is ``deploy_config``'s one-line stop."""
    from deploytests.errors import DeployTestsError
    from deploytests.plugin import PROVIDER, SETTINGS
    from deploytests.plugin.hooks import load_config

    target, load = request.config.stash[PROVIDER], os.getloadavg()[0]
    if busy(load=load):
        target = request.getfixturevalue("deploy_target")
    try:
        app = load_config(request.config).app
    except DeployTestsError:
        app = request.getfixturevalue("deploy_config").app  # stops the session with the error's one line
    runner = Scenarios(config_file=scenario_config(target.config_file, app),
                       workers=min(request.config.stash[SETTINGS].parallel, scenario_slots(load=load)))
    request.config.stash[SCENARIOS] = runner
    try:
        if not hasattr(request.config, "workerinput"):
            for item in sorted((i for i in request.session.items if to_run(i)), key=switches_of, reverse=True):
                submit(runner, item, target, tmp_path_factory)
        # the session's containers start now, beside the scenarios' first; requested from here, they are removed
        # after this fixture's teardown, so the scenarios' last removals overlap theirs
        request.getfixturevalue("deploy_target")
        yield runner
    finally:
        # the last containers' removals go on while the session's own containers are removed (deploy_target's
        # teardown, next): the run's tail is the longer of the two, not their sum; pytest_sessionfinish waits
        runner.close(wait=False)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    """Every scenario container removed before the summary (their removal times are in it) and the exit."""
    runner = session.config.stash.get(SCENARIOS, None)
    if runner is not None:
        runner.finish()


@pytest.fixture(scope="session", autouse=True)
def scenarios_early(request):
    """With the run's first test, on the docker target: the scenarios start (:func:`scenarios`), so their
    containers work while the session's deploy and checks do (nothing is shared: each scenario has its own
    server). Nothing when no scenario is selected, under xdist, or on another target."""
    if hasattr(request.config, "workerinput") or not any(to_run(i) for i in request.session.items):
        return
    from deploytests.plugin import PROVIDER

    provider = request.config.stash.get(PROVIDER, None)
    if provider is not None and provider.kind == "docker":
        request.getfixturevalue("scenarios")


def pytest_collection_finish(session):
    session.config.stash[STARTED] = (time.monotonic(), runner_cpu())


def runner_cpu() -> float:
    """CPU seconds of this process and the children it waited for (a child pytest, the builders)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before the last test's teardown removes the session's containers: the CPU they used (for the summary)."""
    if nextitem is not None:
        return
    from deploytests.plugin import PROVIDER
    from deploytests.suite.lab import container_cpu

    provider = item.config.stash.get(PROVIDER, None)
    ids = [s.container_id for s in getattr(provider, "servers", None) or () if getattr(s, "container_id", None)]
    runner = item.config.stash.get(SCENARIOS, None)
    if not ids or getattr(provider, "kind", "") != "docker" or runner is None:
        return
    cpu = [container_cpu(runner.client(), i) for i in ids]
    if None not in cpu:
        item.config.stash[SESSION_CPU] = sum(c for c in cpu if c is not None)


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
        figures["run_wall"], figures["load"] = time.monotonic() - started[0], os.getloadavg()[0]
        figures["runner_cpu"], figures["session_cpu"] = runner_cpu() - started[1], config.stash.get(SESSION_CPU, None)
        figures["head"] = runner.started - started[0]  # the first test's start to the first scenario's
        lines.insert(0, f"run: {figures['run_wall']:.2f}s wall from the first test to this summary: the scenarios "
                        f"{figures['wall']:.2f}s of it (first start to last end; the session's containers, "
                        f"bootstrap, deploy and checks run meanwhile), before them {figures['head']:.2f}s, after "
                        f"them {figures['run_wall'] - figures['wall'] - figures['head']:.2f}s (the removals, the "
                        f"teardown); load average {figures['load']:.1f} on {os.cpu_count()} cores")
        lines.insert(1, cpu_line(figures))
    terminalreporter.write_sep("-", "deploytests lifecycle scenarios")
    for line in lines:
        terminalreporter.write_line(line)
    out = os.environ.get("DEPLOYTESTS_TIMINGS_JSON")
    if out:
        path = Path(out)
        path.with_name(f"{path.stem}-lifecycle.json").write_text(json.dumps(figures, indent=1))


def cpu_line(figures: dict) -> str:
    """The run's CPU seconds by who used them, and the wall time they take at least on this machine's cores
    (the engine's own work, starting and removing containers, is not counted)."""
    parts = {"the scenarios' containers": figures.get("cpu"), "the session's containers": figures.get("session_cpu"),
             "the runner (pytest and its children)": figures.get("runner_cpu")}
    known = {k: v for k, v in parts.items() if v is not None}
    total, cores = sum(known.values()), os.cpu_count() or 1
    return ("cpu: " + ", ".join(f"{k} {v:.2f}s" for k, v in known.items()) + f"; {total:.2f}s in all, at least "
            f"{total / cores:.2f}s of wall on {cores} cores (the engine's own work not counted)")
