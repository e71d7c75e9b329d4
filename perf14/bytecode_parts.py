# ruff: noqa  (scratch: perf14's lab scripts, run by hand)
import json
import resource


def cpu():
    t = resource.getrusage(resource.RUSAGE_SELF); return t.ru_utime + t.ru_stime
ns = {"__name__": "x"}
exec(compile(open("/tmp/base/reader.py").read(), "r", "exec"), ns)
args = json.load(open("/tmp/ra.json"))
pats = args["verify_packages"]
a = cpu(); rows = list(ns["md5sums"](pats)); b = cpu()
print("md5sums", round(b - a, 4), len(rows), "py", sum(r[3].endswith(".py") for r in rows))
for _k in range(3):
    a = cpu(); p = ns["packaged"](pats, lambda p: rows); b = cpu(); bc = ns["bytecode"](pats, lambda p: rows); c = cpu()
    print("packaged", round(b - a, 4), p["checked"], p["hashed"], "bytecode", round(c - b, 4), bc["checked"], bc["compared"])
