"""Run inside a container: the login collector's steps, CPU seconds each (median of N runs), and the total."""
import importlib.util, json, sys, time, statistics, zlib, os
spec = importlib.util.spec_from_file_location("cl", sys.argv[1]); cl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cl)
args = json.loads(sys.argv[2]); n = int(sys.argv[3]) if len(sys.argv) > 3 else 5
times = {}
def wrap(name):
    f = getattr(cl, name)
    def w(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            times.setdefault(name, []).append(time.process_time() - t)
    setattr(cl, name, w)
for name in ["tree", "verdict", "acts", "logs", "served_dirs", "outputs", "programs", "mentions", "system_dirs",
             "ld_dirs", "hooks", "links", "polkit", "host_keys", "acls", "unix_diag", "unix_sockets"]:
    if hasattr(cl, name):
        wrap(name)
tot = []
per = {}
for i in range(n):
    times.clear()
    t = time.process_time()
    out = cl.collect(args)
    t1 = time.process_time()
    reply = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
    t2 = time.process_time()
    z = zlib.compress(reply, 1)
    t3 = time.process_time()
    for k, v in times.items():
        per.setdefault(k, []).append(sum(v))
    per.setdefault("(json)", []).append(t2 - t1); per.setdefault("(zlib)", []).append(t3 - t2)
    tot.append(t3 - t)
for k, v in sorted(per.items(), key=lambda kv: -statistics.median(kv[1])):
    print("%-14s %.4f" % (k, statistics.median(v)))
print("total          %.4f  reply %d bytes, compressed %d" % (statistics.median(tot), len(reply), len(z)))
