"""Replay measured scenario slot times (container + scenario) on N slots in two submission orders."""

import heapq
import json
import sys

OLD = ["concurrent", "redeploy", "rollback", "interrupted", "upgrade", "deploy_user", "health_gate", "bootstrap",
       "changed_host"]
NEW = ["concurrent", "interrupted", "redeploy", "rollback", "upgrade", "changed_host", "deploy_user", "health_gate",
       "bootstrap"]


def rank(order, name):
    return next(i for i, key in enumerate(order) if key in name)


def replay(runs, order, slots):
    names = sorted(runs, key=lambda n: rank(order, n))  # stable: the collection order within a rank
    free = [0.0] * slots
    ends = {}
    for n in names:
        t = heapq.heappop(free)
        ends[n] = t + runs[n]
        heapq.heappush(free, ends[n])
    last = max(ends, key=ends.get)
    return ends[last], last


for line in open(sys.argv[1]):
    r = json.loads(line)
    if not r["label"].startswith(sys.argv[2]):
        continue
    runs = {n: x.get("snapshot", 0) + x.get("container", 0) + x.get("scenario", 0) for n, x in r["runs"].items()}
    # collection order (the file's): stable sort keeps it within a rank
    runs = dict(sorted(runs.items(), key=lambda kv: list(r["runs"]).index(kv[0])))
    old, new = replay(runs, OLD, r["workers"]), replay(runs, NEW, r["workers"])
    print(f"{r['label']} {r['at']} load {r['load0']:.1f}: measured {r['scen_wall']:.1f}; replayed old order "
          f"{old[0]:.1f} ({old[1][:40]}), new {new[0]:.1f} ({new[1][:40]})")


def lpt_check(paths):
    """Each run replayed in the order of the scenarios' median slot time over all runs (longest first)."""
    import statistics

    recs = [json.loads(line) for p in paths for line in open(p)]
    recs = [r for r in recs if r["label"][0] in "AO" and "runs" in r]
    keys = {}
    for r in recs:
        for n, x in r["runs"].items():
            keys.setdefault(n, []).append(x.get("container", 0) + x.get("scenario", 0))
    med = {n: statistics.median(v) for n, v in keys.items()}
    for n, v in sorted(med.items(), key=lambda kv: -kv[1]):
        print(f"  {v:6.1f} {n[:70]}")
    for r in recs:
        runs = {n: x.get("snapshot", 0) + x.get("container", 0) + x.get("scenario", 0) for n, x in r["runs"].items()}
        free, ends = [0.0] * r["workers"], {}
        for n in sorted(runs, key=lambda n: -med[n]):
            t = heapq.heappop(free)
            ends[n] = t + runs[n]
            heapq.heappush(free, ends[n])
        end = max(ends.values())
        print(f"  {r['label']} {r['at']}: measured {r['scen_wall']:.1f}, longest-first by median {end:.1f}")


if len(sys.argv) > 3:
    lpt_check(sys.argv[3:])
