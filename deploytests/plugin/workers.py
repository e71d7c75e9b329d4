"""pytest-xdist: workers sharing one real target (a readers-writer lock, a deploy done once), a worker's session
stop carried to the controller, and what the workers send back for the summary. Inert without xdist."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from ..targets.sharing import TargetLock, once_per_run
from .reporting import timings
from .state import DESTRUCTIVE, PENDING, PROVIDER, RUN, USED, is_worker, shares_real_target, stop, uses_deploytests

SHARED_LOCK = pytest.StashKey[object]()  # xdist on a real target: the readers-writer lock (targets/sharing.py)


def run_dir(uid: str) -> Path:
    """The run's directory shared by its workers (``$TMPDIR/deploytests-<testrunuid>``)."""
    return Path(tempfile.gettempdir()) / f"deploytests-{uid}"


def shared(config, provider, step: str, produce):
    """Run ``produce`` here, or once for all xdist workers when they share a real target. Only a process that is
    itself an xdist worker shares (``workerinput``): a pytest run started from inside a worker (a test running
    pytest) inherits the worker's ``PYTEST_XDIST_TESTRUNUID`` but must deploy for itself."""
    uid = config.workerinput.get("testrunuid") if is_worker(config) else None
    if provider.kind == "docker" or not uid:
        return produce()
    return once_per_run(run_dir(uid) / f"{provider.name}-{step}.json", produce)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """xdist on a real target: ordinary checks hold the target's lock shared, destructive scenarios exclusive
    (from the first of a run of them to the last, whose teardown restores the release): see targets/sharing."""
    __tracebackhide__ = True  # a guest: never a frame of the project's own errors
    config = item.config
    if not (is_worker(config) and shares_real_target(config) and uses_deploytests(item)):
        return (yield)
    if SHARED_LOCK not in config.stash:
        uid = config.workerinput.get("testrunuid", "run")
        config.stash[SHARED_LOCK] = TargetLock(run_dir(uid) / f"{config.stash[PROVIDER].name}.rwlock")
    lock = config.stash[SHARED_LOCK]
    destructive = item.get_closest_marker(DESTRUCTIVE) is not None
    lock.hold(exclusive=destructive)
    try:
        return (yield)
    finally:
        following = nextitem is not None and nextitem.get_closest_marker(DESTRUCTIVE) is not None
        if not (destructive and following):  # exclusive from the first destructive test of a run to the last
            lock.release()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """In an xdist worker, a test of ours first raises the stop found at collection (see
    ``hooks.pytest_collection_modifyitems``), and a session stop (``pytest.exit``) becomes this test's error plus
    ``shouldstop``: the worker ends cleanly, sends the stop to the controller (:func:`pytest_sessionfinish`),
    which ends the session with it (:func:`pytest_runtestloop`). pytest-xdist turns a worker's ``pytest.exit``
    into ``INTERNALERROR ... AssertionError`` (pytest-dev/pytest-xdist#1239)."""
    __tracebackhide__ = True  # a guest: never a frame of the project's own errors
    config = item.config
    try:
        if PENDING in config.stash and uses_deploytests(item):
            stop(config, config.stash[PENDING])
        return (yield)
    except pytest.exit.Exception as exc:
        if not is_worker(config):
            raise
        stopped = exc
    code = None if stopped.returncode is None else int(stopped.returncode)  # sent to the controller: plain data
    config.stash[RUN].setdefault("stop", {"msg": stopped.msg, "returncode": code})
    item.session.shouldstop = stopped.msg
    pytest.fail(stopped.msg, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    """On the xdist controller: a worker's stop (see :func:`pytest_runtest_setup`) ends the session as it does
    without xdist (xdist raises its own ``Interrupted`` for a worker's ``shouldstop``)."""
    __tracebackhide__ = True  # a guest: never a frame of the project's own errors
    try:
        return (yield)
    except KeyboardInterrupt:
        stops = session.config.stash[RUN].get("stops")
        if not stops:
            raise
        pytest.exit(stops[0]["msg"], returncode=stops[0]["returncode"])


def pytest_sessionfinish(session):
    """An xdist worker sends its stop, timings and keep lines to the controller (``workeroutput``)."""
    config = session.config
    if not is_worker(config):
        return
    run = config.stash[RUN]
    if "stop" in run:
        config.workeroutput["deploytests_stop"] = run["stop"]
    if PROVIDER in config.stash and config.stash[USED]:
        provider = config.stash[PROVIDER]
        config.workeroutput["deploytests"] = {"timings": timings(provider, run), "keep": provider.keep_lines()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the xdist controller: collect what each worker sent (see :func:`pytest_sessionfinish`)."""
    run, output = node.config.stash[RUN], getattr(node, "workeroutput", {})
    if output.get("deploytests_stop"):
        run.setdefault("stops", []).append(output["deploytests_stop"])
    if output.get("deploytests"):
        run.setdefault("workers", {})[node.gateway.id] = output["deploytests"]
    uid = getattr(node, "workerinput", {}).get("testrunuid")
    if uid:  # the workers' shared dir (a real target's lock, the deploy-once record): removed at the end
        run.setdefault("runuids", set()).add(uid)


def pytest_unconfigure(config):
    """On the xdist controller, once every worker is down: remove the run's shared dir, which only this run's
    workers wrote."""
    if not is_worker(config):
        for uid in config.stash.get(RUN, {}).get("runuids", ()):
            shutil.rmtree(run_dir(uid), ignore_errors=True)
