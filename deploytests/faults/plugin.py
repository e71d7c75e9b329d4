"""``pytest --deploytests-faults``: run the fault catalogue against the project's gate instead of the tests.

Registered by :mod:`deploytests.plugin` only when ``--deploytests-faults`` is given (the option and its
companions are the main plugin's; ``-p deploytests.faults.plugin`` loads it by hand, inert without the
option): an ordinary pytest run of an environment where deploytests is installed never loads these hooks.

With the option, the session collects as usual, then, instead of running the tests, deploys the app
(``--app``, as for the suite) to throwaway containers, injects each fault of the catalogue, runs the gate
read-only against each (the built-in suite plus the paths on the command line, e.g. ``pytest
--deploytests-faults tests/deploy``), and prints the table fault -> caught by which test, the sensitivity and
the false alarms. The run fails unless every fault is caught and no clean host or legitimate state fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def arg_path(arg: str, pyargs: bool) -> str:
    """A command-line argument as the path each gate run collects: under ``--pyargs`` a package or module name
    (``deploytests.suite``) is its directory or file; a node id keeps its ``::`` part. A name that is neither stays
    as given: the gate run then says what pytest could not find (a run that did not run is no verdict)."""
    import importlib.util

    name, sep, rest = arg.partition("::")
    if pyargs and not Path(name).exists():
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            where = Path(spec.origin).parent if spec.submodule_search_locations else Path(spec.origin)
            return str(where) + sep + rest
    return str(Path(name).resolve()) + sep + rest


def pytest_collection_modifyitems(session, config, items):
    if config.getoption("deploytests_faults"):
        config.hook.pytest_deselected(items=list(items))
        items[:] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    config = session.config
    if not config.getoption("deploytests_faults"):
        return None
    from ..config import load_config
    from ..errors import DeployTestsError
    from ..plugin.state import ERROR, PROVIDER, SETTINGS, option, say, stop
    from ..stacks import for_platform
    from .run import Campaign

    if ERROR in config.stash:
        stop(config, config.stash[ERROR])
    settings, provider = config.stash[SETTINGS], config.stash[PROVIDER]
    if settings.app is None:
        stop(config, f"--deploytests-faults needs the app to deploy: pass {option(config, 'app')} PATH")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    try:
        cfg = load_config(settings.app, target_config=provider.config_file if provider.kind == "docker" else None)
    except DeployTestsError as exc:
        stop(config, exc)
    explicit = config.args_source == pytest.Config.ArgsSource.ARGS
    select = [s.strip() for s in config.getoption("deploytests_faults_select").split(",") if s.strip()]
    paths = [arg_path(a, config.getoption("pyargs")) for a in config.args] if explicit else []
    campaign = Campaign(settings.app, cfg, gate_paths=paths,
                        cwd=Path(config.invocation_params.dir), batch=config.getoption("deploytests_faults_batch"),
                        clean=config.getoption("deploytests_faults_clean"), select=select,
                        progress=lambda msg: say(config, msg),
                        stack=for_platform(settings.platform[0]) if settings.platform else None,
                        ready_timeout=settings.host_timeout)
    try:
        report = campaign.run()
    except DeployTestsError as exc:
        stop(config, f"--deploytests-faults: {exc}")
    if reporter:
        reporter.write_sep("=", "deploytests fault catalogue")
        for line in report.lines():
            reporter.write_line(line)
    else:
        print("\n".join(report.lines()))
    config.stash[REPORT] = report
    session.testsfailed = sum(not (i.caught and not i.problem) for i in report.faults) + len(report.false_alarms)
    return True


REPORT = pytest.StashKey[object]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """The fault run's verdict is the exit status: 0 when every fault was caught and no control failed (not
    "no tests collected": the run collects the gate's tests only to deselect them), 1 otherwise."""
    report = session.config.stash.get(REPORT, None)
    if report is not None:
        session.exitstatus = pytest.ExitCode.OK if report.ok else pytest.ExitCode.TESTS_FAILED
