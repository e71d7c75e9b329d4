# ruff: noqa  (scratch: perf15, run in the container)
"""cProfile (CPU clock) of one step of the login collector after the steps before it: ``python3 -I -S cprof2.py
MODULE.py ARGSJSON STEP [n]``."""
import cProfile, json, pstats, sys, time
src, args, step = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
ns = {"__name__": "cprof"}
exec(compile(open(src).read(), src, "exec"), ns)
real = ns[step]
pr = cProfile.Profile(time.process_time)
def wrapped(*a, **k):
    pr.enable()
    try:
        return real(*a, **k)
    finally:
        pr.disable()
ns[step] = wrapped
for _ in range(3):
    ns["collect"](args)
pstats.Stats(pr).sort_stats("tottime").print_stats(int(sys.argv[4]) if len(sys.argv) > 4 else 25)
