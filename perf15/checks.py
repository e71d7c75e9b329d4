# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""Offline: one host's recorded facts (perf15/facts-TAG.pickle), every check timed (CPU, median of N rounds),
the top ones printed; the total."""
import json, pickle, statistics, sys, time
from pathlib import Path
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify.facts import Facts
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify
from deploytests.stacks import DEFAULT
HERE = Path(__file__).resolve().parent
d = pickle.loads((HERE / ("facts-%s.pickle" % sys.argv[1])).read_bytes())
cfg = load_config(APPS / "yourapplication")
lab = json.loads((HERE / "lab.json").read_text())
per = {}
totals = []
for r in range(int(sys.argv[2]) if len(sys.argv) > 2 else 7):
    f = pickle.loads(pickle.dumps(d))  # a fresh snapshot each round (its caches empty, as a new host's)
    facts = Facts("x", remote=f["remote"], raw=f["raw"], stack=DEFAULT)
    exp = Expected.from_config(cfg, lab["login"], stack=DEFAULT, host="127.0.0.1", port=22, artifact=None)
    t0 = time.process_time()
    for p in PROMISES:
        s = time.process_time()
        try:
            verify(p.id, facts, exp)
        except (NotApplicable, AssertionError):
            pass
        per.setdefault(p.id, []).append(time.process_time() - s)
    totals.append(time.process_time() - t0)
print("checks total median %.4f" % statistics.median(totals), [round(t, 4) for t in totals])
for k, v in sorted(per.items(), key=lambda kv: -statistics.median(kv[1]))[:15]:
    print("  %-40s %.4f" % (k, statistics.median(v)))
