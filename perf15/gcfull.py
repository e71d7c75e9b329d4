# ruff: noqa  (scratch)
"""Offline: a full collection's CPU with N hosts' facts alive after their checks ran (caches made), and the
tracked objects they hold. ``gcfull.py TAG N``"""
import gc, json, pickle, sys, time, collections
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
def full():
    t = time.process_time(); gc.collect(); return time.process_time() - t
gc.collect(); n0 = len(gc.get_objects()); base = min(full() for _ in range(3))
keep = []
for i in range(int(sys.argv[2])):
    f = pickle.loads(pickle.dumps(d))
    facts = Facts("h%d" % i, remote=f["remote"], raw=f["raw"], stack=DEFAULT)
    exp = Expected.from_config(cfg, lab["login"], stack=DEFAULT, host="127.0.0.1", port=22, artifact=None)
    for p in PROMISES:
        try:
            verify(p.id, facts, exp)
        except (NotApplicable, AssertionError):
            pass
    keep.append(facts)
gc.collect()
print("tracked objects %d -> %d; a full collection %.4f s -> %.4f s" % (n0, len(gc.get_objects()), base, min(full() for _ in range(3))))
