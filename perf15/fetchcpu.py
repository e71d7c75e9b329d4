# ruff: noqa  (scratch)
"""fetch()'s CPU per host on the lab container: as it is, and with the per-request Timer thread not started."""
import sys, statistics, time
sys.argv = ["x", "1"]
__file__ = "perf15/runner.py"
exec(open("perf15/runner.py").read().split("rows = {}")[0])
from deploytests.verify import http as H
def cpu(n=15):
    out = []
    for _ in range(n):
        a = time.process_time(); F.fetch(s, paths, site_host(s.base_url, cfg.server_name), "https://x.invalid"); out.append(time.process_time() - a)
    return statistics.median(out)
print("as is        %.4f" % cpu())
class NoThread:
    def start(self): pass
    def cancel(self): pass
orig = H._Watch.__init__
def init(self, seconds):
    orig(self, seconds); self.timer = NoThread()
H._Watch.__init__ = init
print("no timer     %.4f" % cpu())
H._Watch.__init__ = orig
print("as is        %.4f" % cpu())
for i in range(3):
    print("as is        %.4f" % cpu())
    H._Watch.__init__ = init
    print("no timer     %.4f" % cpu())
    H._Watch.__init__ = orig
