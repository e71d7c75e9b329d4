# ruff: noqa  (scratch: perf15, run in the container)
"""Each step of the login collector's collect(): user and system CPU (``python3 -I -S steps.py MODULE.py ARGSJSON``),
median of REPEAT runs in one process (the later runs: warm caches, as the kernel's dentry cache is between probes)."""
import json, os, resource, sys, statistics
src, args = sys.argv[1], json.loads(sys.argv[2])
ns = {"__name__": "steps"}
exec(compile(open(src).read(), src, "exec"), ns)
def t():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime
spent = {}
orig = ns["collect"]
for name in ["local_files", "mentions", "verdict", "acts", "ld_dirs", "hooks", "tree", "read", "digests", "served_links", "ran", "programs", "links", "login_homes", "note", "unix_sockets", "unix_diag", "outputs", "logs", "served_dirs", "polkit", "acls", "host_keys", "own_keys"]:
    f = ns[name]
    def w(*a, _f=f, _n=name, **k):
        if ns.get("_depth"):
            return _f(*a, **k)
        ns["_depth"] = 1
        u0, s0 = t()
        try:
            return _f(*a, **k)
        finally:
            ns["_depth"] = 0
            u1, s1 = t()
            spent.setdefault(_n, []).append((u1 - u0, s1 - s0))
    ns[name] = w
ns["_depth"] = 0
runs = int(os.environ.get("REPEAT", "5"))
tot = []
for i in range(runs):
    before = {k: len(v) for k, v in spent.items()}
    u0, s0 = t()
    out = orig(args)
    u1, s1 = t()
    tot.append((u1 - u0, s1 - s0))
    import base64, zlib
    reply = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
    u2, s2 = t()
    z = base64.b64encode(zlib.compress(reply, 1))
    u3, s3 = t()
    spent.setdefault("json", []).append((u2 - u1, s2 - s1))
    spent.setdefault("zlib", []).append((u3 - u2, s3 - s2))
print("collect user %.4f sys %.4f" % (statistics.median(x[0] for x in tot), statistics.median(x[1] for x in tot)))
for k, v in sorted(spent.items(), key=lambda kv: -sum(map(sum, kv[1]))):
    per = [v[i::1] for i in range(1)][0]
    n = len(v) // runs
    # sum per run, then median over runs
    sums = [(sum(x[0] for x in v[i * n:(i + 1) * n]), sum(x[1] for x in v[i * n:(i + 1) * n])) for i in range(runs)]
    u, s = statistics.median(x[0] for x in sums), statistics.median(x[1] for x in sums)
    if u + s >= 0.0008:
        print("  %-16s user %.4f sys %.4f  (%d calls/run)" % (k, u, s, n))
