# ruff: noqa  (scratch: perf15, run by hand)
import sys; sys.argv=["x","1"]
__file__ = "perf15/runner.py"; exec(open("perf15/runner.py").read().split("rows = {}")[0])
import cProfile, pstats
F.fetch(s, paths, site_host(s.base_url, cfg.server_name), "https://x.invalid")
pr = cProfile.Profile(); pr.enable()
for _ in range(10):
    F.fetch(s, paths, site_host(s.base_url, cfg.server_name), "https://x.invalid")
pr.disable()
pstats.Stats(pr).sort_stats("cumtime").print_stats(45)
