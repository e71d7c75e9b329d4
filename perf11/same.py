"""In a container: the login collector's reply by two versions, compared (keys whose values differ)."""
import importlib.util, json, sys
def load(p, n):
    spec = importlib.util.spec_from_file_location(n, p); m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m); return m
a, b = load(sys.argv[1], "a"), load(sys.argv[2], "b")
args = json.loads(sys.argv[3])
x, y = a.collect(args), b.collect(args)
bad = 0
for k in sorted(set(x) | set(y)):
    if k in ("files", "named"):
        for p in sorted(set(x.get(k, {})) | set(y.get(k, {}))):
            if x[k].get(p) != y[k].get(p) and not p.startswith("/proc"):
                bad += 1; print(k, p, str(x[k].get(p))[:150], "|", str(y[k].get(p))[:150])
    elif x.get(k) != y.get(k):
        bad += 1; print(k, str(x.get(k))[:300], "|", str(y.get(k))[:300])
print("differences:", bad, "system_dirs:", len(x.get("system_dirs") or []), len(y.get("system_dirs") or []),
      "mentions:", len(x.get("mentions") or {}))
