import json, sys, cProfile, pstats
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.servers import Server
from deploytests.verify import facts as F
cfg = load_config(APPS / "yourapplication")
info = json.loads((ROOT / "perf11" / "lab.json").read_text())[0]
s = Server(**dict(info, key_filename=Path(info["key_filename"]), known_hosts=Path(info["known_hosts"])))
s.connection(); F.gather(s, cfg)
import threading
threading.setprofile(None)
pr = cProfile.Profile(); pr.enable()
for _ in range(5):
    F.gather(s, cfg)
pr.disable()
pstats.Stats(pr).sort_stats(sys.argv[1] if len(sys.argv) > 1 else "tottime").print_stats(35)
