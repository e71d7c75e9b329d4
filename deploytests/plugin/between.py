"""The child side of the project's deploy tests between a rollout's phases (:mod:`deploytests.verify.between`).

Never part of an ordinary run: the rollout loads it with ``-p deploytests.plugin.between`` into the child pytest
it starts (``--deploytests-no-deploy`` on a read-only target of exactly the phase's hosts). It keeps, of what was
collected, the project's read-only deploy tests only (they use deploytests; not marked ``deploytests_deploys``
or ``deploytests_destructive``; not deploytests' own built-in suite, which the rollout's gate already ran), and
writes what happened as JSON lines to ``--deploytests-between-report PATH`` as it happens (a killed child still
leaves what it did): each file or directory that could not be collected with the error's line (the rollout checks
this with ``--collect-only`` before any host is touched), the tests planned with their host, each test's start,
each failure's first line, each end. The parent reads that file, never the child's terminal output.
"""

from __future__ import annotations

import json
from pathlib import Path

from .state import DEPLOYS, DESTRUCTIVE, uses_deploytests

PACKAGE = Path(__file__).resolve().parents[1]  # deploytests/: its built-in suite is not the project's


def pytest_addoption(parser):
    parser.getgroup("deploytests").addoption(
        "--deploytests-between-report", metavar="PATH", default=None,
        help="(the rollout's child run) write the project's deploy tests' results here, as JSON lines")


def pytest_configure(config):
    path = config.getoption("deploytests_between_report")
    if path:
        config.pluginmanager.register(Recorder(path), "deploytests-between-recorder")


def read_only_project_test(item) -> bool:
    """A test of the project's that uses deploytests and changes nothing on the target."""
    if not uses_deploytests(item) or any(item.get_closest_marker(m) for m in (DEPLOYS, DESTRUCTIVE)):
        return False
    return PACKAGE not in Path(item.path).resolve().parents


def host_of(item) -> str | None:
    """The label of the server ``item`` runs on (its ``deploy_server`` parameter), None when it has none."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("deploy_server") if callspec is not None else None


def error_line(report) -> str:
    """What a failed report says, in one line: the exception's own line (pytest's ``E   ModuleNotFoundError: ...``
    lines for a test module that fails to import; its crash line otherwise), else its first line."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    raised = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    return ((raised or lines or ["failed"])[-1 if raised else 0])[:1000]


class Recorder:
    """Writes the child's JSON lines, each flushed as it is written."""

    def __init__(self, path: str) -> None:
        self.out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - closed at unconfigure

    def write(self, record: dict) -> None:
        self.out.write(json.dumps(record) + "\n")

    def pytest_collectreport(self, report):
        """A file (or directory) that could not be collected: its path and the error's line."""
        if report.failed:
            self.write({"uncollectable": report.nodeid or str(report.fspath), "message": error_line(report)})

    def pytest_collection_modifyitems(self, config, items):
        """Keep the project's read-only deploy tests (before deploytests' own hook, which is ``trylast``)."""
        keep = [item for item in items if read_only_project_test(item)]
        dropped = [item for item in items if item not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        self.write({"planned": [[item.nodeid, host_of(item)] for item in keep]})

    def pytest_runtest_logstart(self, nodeid, location):
        """Written before the test runs: a test that hangs until the child is killed is named by this line."""
        self.write({"start": nodeid})

    def pytest_runtest_logreport(self, report):
        if not report.failed:
            return
        self.write({"failed": report.nodeid, "when": report.when, "message": error_line(report)})

    def pytest_runtest_logfinish(self, nodeid, location):
        self.write({"end": nodeid})

    def pytest_unconfigure(self, config):
        self.out.close()
