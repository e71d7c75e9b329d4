# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""Offline: the runner's parse of one host's recorded replies (perf15/facts-TAG.pickle: the snapshot's raw reply and
the reader's keys), CPU median of N, a fresh copy each round (as a new host's); PROFILE=1 for cProfile."""
import json, os, pickle, statistics, sys, time
from pathlib import Path
from deploytests.verify.parse import facts
from deploytests import untrusted
from deploytests.verify.facts import MULTILINE
HERE = Path(__file__).resolve().parent
d = pickle.loads((HERE / ("facts-%s.pickle" % sys.argv[1])).read_bytes())
lab = json.loads((HERE / "lab.json").read_text())
raw = {k: v for k, v in d["raw"].raw.items() if k != "app_links"}
keys = ("tree", "wsgi_sha256", "config_sha256", "tree_inventory", "http", "login_files", "packaged", "bytecode",
        "login_keys", "loaded", "held_keys", "secret_acls", "lock_ino", "stat", "app_keys", "user_units")
tree = {k: d["remote"].get(k) for k in keys}
blob = pickle.dumps((raw, tree))
args = dict(lab["args"], python=lab["python"])
times = []
import cProfile, pstats
pr = cProfile.Profile() if os.environ.get("PROFILE") else None
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 7):
    r, t = pickle.loads(blob)
    t0 = time.process_time()
    if pr and i: pr.enable()
    found = facts(r, t, args)
    found.pop("raw")
    untrusted.data(found, multiline=MULTILINE)
    if pr and i: pr.disable()
    times.append(time.process_time() - t0)
print("parse median %.4f" % statistics.median(times), [round(x, 4) for x in times])
if pr:
    pstats.Stats(pr).sort_stats(os.environ["PROFILE"]).print_stats(30)
