"""A pytest plugin (``-p cputime``, on PYTHONPATH) that times every call of the suite's ``container_cpu`` (the
read of a container's CPU before its removal) and marks the run's tail (the last scenario's end, the session
fixtures' teardowns, the session's finish, the summary), appended as one JSON line to ``$PERF13_CPUTIME``."""

import json
import os
import threading
import time

CALLS: list = []
MARKS: list = []


def mark(what):
    MARKS.append([what, time.monotonic()])


def pytest_configure(config):
    from deploytests.suite import lab

    real = lab.container_cpu

    def timed(*args, **kwargs):
        started = time.monotonic()
        try:
            return real(*args, **kwargs)
        finally:
            CALLS.append([threading.current_thread().name, round(time.monotonic() - started, 4)])

    lab.container_cpu = timed


def pytest_runtest_logfinish(nodeid, location):
    mark("test end " + nodeid.split("::")[-1][:30])


def pytest_fixture_post_finalizer(fixturedef, request):
    if fixturedef.scope == "session" and getattr(fixturedef, "cached_result", None) is not None:
        mark("teardown " + fixturedef.argname)


def pytest_sessionfinish(session):
    mark("sessionfinish")


def pytest_terminal_summary(terminalreporter):
    mark("summary")


def pytest_unconfigure(config):
    mark("unconfigure")
    from deploytests.suite.lab import SCENARIOS

    runner = config.stash.get(SCENARIOS, None)
    ended = getattr(runner, "ended", None)
    marks = [[w, round(t - ended, 3)] for w, t in MARKS if ended is not None and t >= ended - 0.001]
    out = os.environ.get("PERF13_CPUTIME")
    if out:
        with open(out, "a") as f:
            f.write(json.dumps({"pid": os.getpid(), "calls": CALLS, "tail": marks}) + "\n")
