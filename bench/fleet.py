"""Large fleets: the per-host costs of a rollout, measured, for the 500-host model in docs/performance.md.

N containers (already running, started here and not timed), then through :class:`deploytests.session.Session`:
bootstrap (idempotent, the image is ready), read each host's Python, pack (cached), deploy v1 (first deploy),
deploy v2 (a new release on a warm host) under ``--parallel P``, status. For each step: wall time, the runner's
CPU seconds (user + system of this process), its peak thread count and RSS, and the bytes sent (artifact size x
hosts), and the threads and RSS once the step is over (what the hosts cost at rest: ``fab``'s rollout closes each
host's connection after its turn). Each host count runs in a process of its own (a peak RSS is a process's
peak), and the last lines fit each figure against the host count: its cost per host (the slope) and what it
costs whatever the fleet (the intercept). Figures only; nothing asserts a time.

    python bench/fleet.py --hosts 8 16 32 --parallel 8
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploytests.containers import Fleet  # noqa: E402
from deploytests.examples import APPS  # noqa: E402
from deploytests.pipeline import status  # noqa: E402
from deploytests.session import Session  # noqa: E402
from deploytests.settings import Settings  # noqa: E402


class Peak:
    """The most threads this process had while a step ran (sampled every 20 ms)."""

    def __init__(self):
        self.threads, self.stop = 0, threading.Event()
        self.sampler = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while not self.stop.wait(0.02):
            self.threads = max(self.threads, threading.active_count())

    def __enter__(self):
        self.sampler.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.sampler.join()


def measure(name: str, fn, rows: list, hosts: int, parallel: int, sent: int = 0):
    cpu0 = sum(os.times()[:2])
    started = time.monotonic()
    with Peak() as peak:
        value = fn()
    wall, cpu = time.monotonic() - started, sum(os.times()[:2]) - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    time.sleep(0.3)  # the step's short-lived threads (stdin writers, keepalive requests) end
    rows.append((hosts, parallel, name, wall, cpu, peak.threads, threading.active_count(), rss, rss_now(), sent))
    return value


def rss_now() -> float:
    """This process's resident memory now (MiB), from /proc (0 where there is none)."""
    try:
        line = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024


def run(hosts: int, parallels: list[int], rows: list) -> None:
    with Fleet(count=hosts, name_prefix="bench", progress=lambda m: None) as fleet:
        for parallel in parallels:
            one_round(fleet.servers, hosts, parallel, rows)


def one_round(servers, hosts: int, parallel: int, rows: list) -> None:
    """The servers are passed to each step directly: the sessions open no target of their own."""
    session = Session(Settings(app=APPS / "yourapplication", parallel=parallel), say=lambda m: None)
    measure("bootstrap", lambda: session.bootstrap(servers), rows, hosts, parallel)
    arts = measure("facts+pack", lambda: session.artifacts(servers), rows, hosts, parallel)
    size = next(iter(arts.values())).size
    measure("deploy", lambda: session.deploy(servers, artifacts=arts), rows, hosts, parallel, size * hosts)
    v2 = Session(Settings(app=APPS / "yourapplication-v2", parallel=parallel), say=lambda m: None)
    arts2 = {label: v2.pack(*where) for label, where in session.platforms(servers).items()}
    measure("deploy new release", lambda: v2.deploy(servers, artifacts=arts2), rows, hosts, parallel, size * hosts)
    measure("status", lambda: session.run(servers, lambda c: status(c, session.config), "status"), rows, hosts,
            parallel)


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares ``y = a + b * x``: (a, b)."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b


def slopes(rows: list) -> list[str]:
    """Per step and ``--parallel``: peak threads, threads at rest, peak RSS, RSS at rest and CPU fitted against
    the host count (a figure flat in the fleet has a slope near 0)."""
    lines = []
    figures = (("peak threads", 5), ("threads at rest", 6), ("peak rss MiB", 7), ("rss at rest MiB", 8),
               ("cpu s", 4))
    for par, name in dict.fromkeys((r[1], r[2]) for r in rows):
        mine = [r for r in rows if (r[1], r[2]) == (par, name)]
        if len({r[0] for r in mine}) < 2:
            continue
        parts = []
        for label, i in figures:
            a, b = fit([(r[0], r[i]) for r in mine])
            parts.append(f"{label} {a:.1f} + {b:.3f}/host")
        lines.append(f"  --parallel {par}, {name}: " + ", ".join(parts))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[16])
    parser.add_argument("--parallel", type=int, nargs="+", default=[32])
    parser.add_argument("--json-rows", action="store_true", help=argparse.SUPPRESS)  # one host count, rows as JSON
    args = parser.parse_args()
    rows: list = []
    if args.json_rows:
        run(args.hosts[0], args.parallel, rows)
        print(json.dumps(rows))
        return
    for n in args.hosts:  # a process per host count: its peak RSS is its own
        proc = subprocess.run([sys.executable, __file__, "--json-rows", "--hosts", str(n), "--parallel",
                               *map(str, args.parallel)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"bench: {n} hosts failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        rows += [tuple(r) for r in json.loads(proc.stdout.strip().splitlines()[-1])]
    print(f"{'hosts':>5} {'par':>4}  {'step':<19} {'wall s':>7} {'cpu s':>6} {'s/host':>7} {'cpu/host':>8} "
          f"{'threads':>7} {'at rest':>7} {'rss MiB':>7} {'at rest':>7} {'MB sent':>8}")
    for hosts, par, name, wall, cpu, threads, rest, rss, rss_rest, sent in rows:
        print(f"{hosts:>5} {par:>4}  {name:<19} {wall:7.2f} {cpu:6.2f} {wall / hosts:7.3f} {cpu / hosts:8.3f} "
              f"{threads:>7} {rest:>7} {rss:7.0f} {rss_rest:7.0f} {sent / 1e6:8.1f}", flush=True)
    print("fitted against the host count (a + b x hosts):")
    for line in slopes(rows):
        print(line)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
