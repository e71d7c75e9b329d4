# ruff: noqa  (scratch)
"""The runner's whole gather + checks of the lab host, the cyclic GC on and off alternated (CPU of this process);
gc.get_stats() collections counted."""
import sys, time, gc, statistics
sys.argv = ["x", "1"]
__file__ = "perf15/runner.py"
exec(open("perf15/runner.py").read().split("rows = {}")[0])
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify
def once():
    f = F.gather(s, cfg)
    exp = Expected.from_config(cfg, s.user, stack=s.stack, host=s.host, port=s.port, artifact=None)
    for p in PROMISES:
        try:
            verify(p.id, f, exp)
        except (NotApplicable, AssertionError):
            pass
once()
res = {"on": [], "off": []}
for i in range(6):
    for mode in ("on", "off"):
        (gc.enable if mode == "on" else gc.disable)()
        c0 = [x["collections"] for x in gc.get_stats()]
        t = time.process_time(); once(); res[mode].append(time.process_time() - t)
        c1 = [x["collections"] for x in gc.get_stats()]
        gc.enable()
        if i == 0: print(mode, "collections", [b - a for a, b in zip(c0, c1)], "objects", len(gc.get_objects()))
for k, v in res.items():
    print(k, "%.4f" % statistics.median(v), [round(x, 4) for x in v])
