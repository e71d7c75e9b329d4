# ruff: noqa  (scratch)
"""8 gathers at once of the lab host (gather_all of 8 Server objects for it) + checks, as the bench does: time the
cyclic GC takes (gc.callbacks, CPU), collections by generation; runner CPU with the GC on and off alternated."""
import sys, time, gc, statistics
sys.argv = ["x", "1"]
__file__ = "perf15/runner.py"
exec(open("perf15/runner.py").read().split("rows = {}")[0])
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify
servers = [Server(name="perf15-%d" % i, label="h%d" % i, host=s.host, port=s.port, user=s.user, key_filename=s.key_filename,
                  known_hosts=s.known_hosts, base_url=s.base_url, container_id=s.container_id) for i in range(8)]
for x in servers: x.connection()
spent, t0 = [0.0, 0, 0, 0], [0]
def cb(phase, info):
    if phase == "start": t0[0] = time.process_time()
    else:
        spent[0] += time.process_time() - t0[0]; spent[1 + info["generation"]] += 1
gc.callbacks.append(cb)
def once():
    facts = F.gather_all(servers, cfg)
    for x in servers:
        exp = Expected.from_config(cfg, x.user, stack=x.stack, host=x.host, port=x.port, artifact=None)
        for p in PROMISES:
            try:
                verify(p.id, facts[x.label], exp)
            except (NotApplicable, AssertionError):
                pass
    return facts
keep = once()
res = {"on": [], "off": []}
for i in range(4):
    for mode in ("on", "off"):
        (gc.enable if mode == "on" else gc.disable)()
        spent[:] = [0.0, 0, 0, 0]
        t = time.process_time(); keep = once(); res[mode].append(time.process_time() - t)
        gc.enable()
        print(mode, "gc cpu %.4f collections gen0/1/2 %s" % (spent[0], spent[1:]), "objects", len(gc.get_objects()), flush=True)
for k, v in res.items():
    print(k, "%.4f" % statistics.median(v), [round(x, 4) for x in v])
