# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""In the container: time each step of a collector or the reader (CPU of this process, user+sys, outermost step
only), the module's source run from a file. ``python3 -I -S prof.py MODULE.py ARGSJSON [EXTRA...]`` (repeats: env
REPEAT). Also its JSON+zlib of the reply."""
import base64
import json
import os
import resource
import sys
import zlib


def cpu():
    t = resource.getrusage(resource.RUSAGE_SELF)
    return t.ru_utime + t.ru_stime

src, argv = sys.argv[1], sys.argv[2:]
t0 = cpu()
ns = {"__name__": "prof"}
exec(compile(open(src).read(), src, "exec"), ns)
t1 = cpu()
spent, depth = {}, [0]
def wrap(name, f):
    def w(*a, **k):
        if depth[0]:
            return f(*a, **k)
        depth[0] += 1
        s = cpu()
        try:
            return f(*a, **k)
        finally:
            depth[0] -= 1
            key = name + ("(" + str(a[1])[:40] + ")" if name in ("read", "note", "tree") and len(a) > 1 else "")
            spent[key] = spent.get(key, 0) + cpu() - s
    return w
skip = {"main", "wrap", "cpu", "collect", os.environ.get("FN", "collect")}
for k, v in list(ns.items()):
    if callable(v) and getattr(v, "__module__", None) == "prof" and k not in skip and not isinstance(v, type):
        ns[k] = wrap(k, v)
args = json.loads(argv[0])
s = cpu()
fn = os.environ.get("FN", "collect")
out = ns[fn](args, *argv[1:2])
t2 = cpu()
if out is not None:
    reply = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
    t3 = cpu()
    z = base64.b64encode(zlib.compress(reply, 1))
    t4 = cpu()
    print("json %.4f zlib+b64 %.4f size %d -> %d" % (t3 - t2, t4 - t3, len(reply), len(z)))
print("load %.4f collect %.4f total-with-start %.4f" % (t1 - t0, t2 - s, cpu()))
for k, v in sorted(spent.items(), key=lambda kv: -kv[1])[:40]:
    if v >= 0.001:
        print("  %-60s %.4f" % (k, v))
if out is not None:
    for k in sorted(out, key=lambda k: -len(json.dumps(out[k], ensure_ascii=False)))[:12]:
        print("  size %-30s %d" % (k, len(json.dumps(out[k], ensure_ascii=False))))
if out is not None and os.environ.get("FILES"):
    import collections
    by = collections.Counter()
    for p, v in out["files"].items():
        by[os.path.dirname(p) if p.startswith(("/var/lib/dpkg/info", "/proc")) else p] += len(json.dumps(v, ensure_ascii=False))
    for k, v in by.most_common(25):
        print("  file %-50s %d" % (k, v))
    print("  files", len(out["files"]), "dirs", len(out["dirs"]))
