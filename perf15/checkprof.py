# ruff: noqa  (scratch)
"""cProfile (CPU) of one check on a recorded host's facts, fresh snapshot each round: ``checkprof.py TAG CHECK``."""
import json, pickle, sys, time, cProfile, pstats
from pathlib import Path
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify.facts import Facts
from deploytests.verify.promises import Expected, NotApplicable, verify
from deploytests.stacks import DEFAULT
HERE = Path(__file__).resolve().parent
d = pickle.loads((HERE / ("facts-%s.pickle" % sys.argv[1])).read_bytes())
cfg = load_config(APPS / "yourapplication")
lab = json.loads((HERE / "lab.json").read_text())
pr = cProfile.Profile(time.process_time)
for r in range(6):
    f = pickle.loads(pickle.dumps(d))
    facts = Facts("x", remote=f["remote"], raw=f["raw"], stack=DEFAULT)
    exp = Expected.from_config(cfg, lab["login"], stack=DEFAULT, host="127.0.0.1", port=22, artifact=None)
    if r: pr.enable()
    try:
        verify(sys.argv[2], facts, exp)
    except (NotApplicable, AssertionError):
        pass
    pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(20)
