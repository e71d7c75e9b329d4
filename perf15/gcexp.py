# ruff: noqa  (scratch: perf15, run in the container)
"""The login collector's collect()+JSON+zlib with the cyclic GC on and off, alternated (CPU of this process)."""
import gc, json, sys, time, zlib, base64, statistics
src, args = sys.argv[1], json.loads(sys.argv[2])
ns = {"__name__": "gcexp"}
exec(compile(open(src).read(), src, "exec"), ns)
ns["collect"](args)
res = {"on": [], "off": []}
for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 6):
    for mode in ("on", "off"):
        gc.collect()
        (gc.enable if mode == "on" else gc.disable)()
        t = time.process_time()
        out = ns["collect"](args)
        reply = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
        z = base64.b64encode(zlib.compress(reply, 1))
        res[mode].append(time.process_time() - t)
        del out, reply, z
        gc.enable()
for k, v in res.items():
    print(k, "%.4f" % statistics.median(v), [round(x, 4) for x in v])
