# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""Compare two replies (JSON files): keys whose values differ, ignoring /proc and the counters named."""
import json
import sys

a, b = (json.load(open(p)) for p in sys.argv[1:3])
IGN = ("/proc", "seconds", "size", "/var/log/apache2", "uptime", "time")
def walk(x, y, at):
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y)):
            if any(str(k).startswith(i) or str(k) == i for i in IGN):
                continue
            if k not in x or k not in y:
                print("only in", "new" if k in y else "base", at + [k]); continue
            walk(x[k], y[k], at + [k])
    elif x != y:
        print("differs", at, str(x)[:150], "|", str(y)[:150])
walk(a, b, [])
print("compared")
