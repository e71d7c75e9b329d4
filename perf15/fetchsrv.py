# ruff: noqa  (scratch)
"""The container's CPU (cgroup) for one host's GETs (fetch), and for one ssh round trip of `true`; median of 9."""
import sys, statistics, time
sys.argv = ["x", "1"]
__file__ = "perf15/runner.py"
exec(open("perf15/runner.py").read().split("rows = {}")[0])
from deploytests.suite.lab import container_cpu
cl = docker_client()
def srv(fn, n=9):
    out = []
    for _ in range(n):
        a = container_cpu(cl, lab["id"]); fn(); time.sleep(0.3); out.append(container_cpu(cl, lab["id"]) - a)
    return statistics.median(out)
print("GETs          %.4f" % srv(lambda: F.fetch(s, paths, site_host(s.base_url, cfg.server_name), "https://x.invalid")))
print("nothing       %.4f" % srv(lambda: None))
print("ssh true      %.4f" % srv(lambda: s.connection().run("true", hide=True)))
