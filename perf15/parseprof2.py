# ruff: noqa  (scratch)
"""cProfile (CPU) of the runner's parse (parse.facts) of the lab host's probe reply, 8 times."""
import sys, time, cProfile, pstats
sys.argv = ["x", "1"]
__file__ = "perf15/runner.py"
exec(open("perf15/runner.py").read().split("rows = {}")[0])
res = F.run_programs(s, args, DEFAULT.python)
raw, tree = F.read_root(res), F.read_tree(res)
import copy
pr = cProfile.Profile(time.process_time)
for _ in range(8):
    r, t = copy.deepcopy(raw), copy.deepcopy(tree)
    pr.enable(); parse_facts(r, t, dict(args, python=DEFAULT.python)); pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(18)
