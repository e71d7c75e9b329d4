# ruff: noqa  (scratch: perf15, run in the container)
"""cProfile of a collector's collect(): ``python3 -I -S cprof.py MODULE.py ARGSJSON [sort] [n]``."""
import cProfile, json, pstats, sys
src, args = sys.argv[1], json.loads(sys.argv[2])
ns = {"__name__": "cprof"}
exec(compile(open(src).read(), src, "exec"), ns)
ns["collect"](args)
pr = cProfile.Profile(); pr.enable()
for _ in range(3):
    out = ns["collect"](args)
    json.dumps(out, sort_keys=True, ensure_ascii=False)
pr.disable()
pstats.Stats(pr).sort_stats(sys.argv[3] if len(sys.argv) > 3 else "tottime").print_stats(int(sys.argv[4]) if len(sys.argv) > 4 else 35)
