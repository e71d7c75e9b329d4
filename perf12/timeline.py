"""Seconds since the pytest process started, at the run's milestones; written as JSON to $PERF12_TIMELINE. After
each test a stack dump of every thread is armed (4 s, repeating, to $PERF12_DUMP): it caught the end-of-run stall.
Used by perf12/mj.py with ``-p timeline`` and this directory on PYTHONPATH."""

import faulthandler
import json
import os
import time

import pytest

T = {}
def now():
    with open("/proc/self/stat") as f:
        start = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    return time.clock_gettime(time.CLOCK_BOOTTIME) - start
def rel(m):
    return now() - (time.monotonic() - m)
T["plugin import"] = now()
def pytest_configure(config): T["configure"] = now()
def pytest_collection_finish(session): T["collection finish"] = now()
def pytest_runtest_call(item): T.setdefault("first test call", now())
def pytest_sessionfinish(session): T["sessionfinish"] = now()
def pytest_unconfigure(config):
    from deploytests.suite.lab import SCENARIOS
    r = config.stash.get(SCENARIOS, None)
    if r is not None and r.started:
        T["scenarios started"] = rel(r.started)
        T["scenarios ended"] = rel(r.ended)
        runs = [x for x in r.runs.values() if x.began]
        ready = [rel(x.began) + x.times.get("snapshot", 0) + x.times.get("container", 0) for x in runs]
        T["first scenario container ready"] = min(ready)
        T["last of first wave ready"] = sorted(ready)[min(len(ready), r.workers) - 1]
        last = max(runs, key=lambda x: x.ended)
        T["last scenario began"] = rel(last.began)
        T["last scenario: " + last.name[:50]] = rel(last.ended)
    T["unconfigure"] = now()
    out = os.environ.get("PERF12_TIMELINE")
    if out:
        with open(out, "w") as f:
            json.dump(T, f)


_dump = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logfinish(nodeid, location):
    """After every test: arm a stack dump of every thread if the process stays put for 4 s (re-armed each test)."""
    global _dump
    if _dump is None:
        _dump = open(os.environ.get("PERF12_DUMP", "/tmp/perf12-dump.txt"), "w")
    faulthandler.dump_traceback_later(4, repeat=True, file=_dump)


def pytest_runtest_logstart(nodeid, location):
    faulthandler.cancel_dump_traceback_later()
