"""Scratch: where a deploy's and a rollback's time goes on a scenario container (from the snapshot).

    python perf8/steps.py DAEMONS ROUNDS
"""
import os
import sys
import time

from deploytests.stacks import for_platform
from deploytests.suite.lab import Scenarios

procs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
n = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def timed(what, fn):
    t = time.monotonic()
    r = fn()
    print(f"{what}: {time.monotonic() - t:.2f}s wall, agent {r.seconds:.2f}s {r.timings}", flush=True)


def scenario(lab):
    for _ in range(n):
        timed("deploy v2", lambda: lab.deploy("yourapplication-v2"))
        timed("rollback ", lab.rollback)


runner = Scenarios()
run = runner.submit("x", "x", for_platform("debian12"), scenario, {}, processes=None if procs == 2 else 1)
try:
    run.result(600)
finally:
    print(run.times, "cpu", run.cpu, "load", os.getloadavg())
    runner.close()
