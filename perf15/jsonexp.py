# ruff: noqa  (scratch: perf15, run in the container)
"""The login collector's reply: json.dumps with and without sort_keys, zlib levels; CPU, median of 9."""
import json, sys, time, zlib, statistics, base64
src, args = sys.argv[1], json.loads(sys.argv[2])
ns = {"__name__": "j"}
exec(compile(open(src).read(), src, "exec"), ns)
out = ns["collect"](args)
def t(f, n=9):
    r = []
    for _ in range(n):
        a = time.process_time(); f(); r.append(time.process_time() - a)
    return statistics.median(r)
print("dumps sorted   %.4f" % t(lambda: json.dumps(out, sort_keys=True, ensure_ascii=False)))
print("dumps unsorted %.4f" % t(lambda: json.dumps(out, ensure_ascii=False)))
print("dumps sorted, ascii %.4f" % t(lambda: json.dumps(out, sort_keys=True)))
reply = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
print("encode %.4f" % t(lambda: json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")))
for lvl in (1, 2, 3, 6):
    print("zlib %d %.4f -> %d" % (lvl, t(lambda: zlib.compress(reply, lvl)), len(zlib.compress(reply, lvl))))
z = zlib.compress(reply, 1)
print("b64 %.4f" % t(lambda: base64.b64encode(z)))
asc = json.dumps(out, sort_keys=True).encode("ascii")
print("ascii size %d vs %d; zlib1 %.4f -> %d" % (len(asc), len(reply), t(lambda: zlib.compress(asc, 1)), len(zlib.compress(asc, 1))))
print("ascii dumps+encode %.4f" % t(lambda: json.dumps(out, sort_keys=True).encode("ascii")))
