# ruff: noqa  (scratch)
"""cProfile (CPU clock) of the runner's probe round trip on the lab container (run_programs), N times."""
import sys, time, cProfile, pstats
sys.argv = ["x", "1"]
__file__ = "perf15/runner.py"
exec(open("perf15/runner.py").read().split("rows = {}")[0])
F.run_programs(s, args, DEFAULT.python)
pr = cProfile.Profile(time.process_time); pr.enable()
for _ in range(8):
    res = F.run_programs(s, args, DEFAULT.python)
    raw, tree = F.read_root(res), F.read_tree(res)
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(25)
