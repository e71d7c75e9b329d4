import importlib.util, json, sys, collections
spec = importlib.util.spec_from_file_location("cl", sys.argv[1]); cl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cl)
out = cl.collect(json.loads(sys.argv[2]))
for k, v in out.items():
    print("%-12s %8d" % (k, len(json.dumps(v))))
by = collections.Counter(); cnt = collections.Counter()
for p, e in out["files"].items():
    key = "/".join(p.split("/")[:4])
    by[key] += len(json.dumps(e)); cnt[key] += 1
for k, v in by.most_common(25):
    print("  %-40s %8d %5d" % (k, v, cnt[k]))
