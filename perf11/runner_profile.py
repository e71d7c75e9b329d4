"""The runner's CPU per host, offline: one host's probe result recorded (perf11/lab.json's first host), then its
reply parsed and every check run N times; CPU seconds per part, and a cProfile of the whole with --profile.

    python perf11/runner_profile.py [N] [--profile]
"""
import json, pickle, statistics, sys, time
from pathlib import Path
import os
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("CODE") or str(ROOT))  # CODE: another checkout's code, for before/after
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.servers import Server
from deploytests.verify import facts as F
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify
from deploytests import untrusted

cfg = load_config(APPS / "yourapplication")
rec = ROOT / "perf11" / "probe.pickle"
info = json.loads((ROOT / "perf11" / "lab.json").read_text())[0]
s = Server(**dict(info, key_filename=Path(info["key_filename"]), known_hosts=Path(info["known_hosts"])))
if not rec.exists() or "--record" in sys.argv:
    args = F.probe_args(cfg, cfg.deploy_user or s.user, s.user, s.stack)
    res = F.run_programs(s, args, s.stack.python)
    responses = F.fetch(s, ("/", cfg.health_path, *F.PRIVATE, *F.EXPOSED))
    rec.write_bytes(pickle.dumps((args, res, s.stack, responses)))
args, res, stack, responses = pickle.loads(rec.read_bytes())
n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5


def once(times):
    t0 = time.process_time()
    raw, tree = F.read_root(res), F.read_tree(res)
    t1 = time.process_time()
    found = F.parse_facts(raw, tree, dict(args, python=stack.python)) if hasattr(F, "parse_facts") else \
        __import__("deploytests.verify.parse", fromlist=["facts"]).facts(raw, tree, dict(args, python=stack.python))
    snapshot = found.pop("raw")
    t2 = time.process_time()
    remote = untrusted.data(found, multiline=F.MULTILINE)
    t3 = time.process_time()
    facts = F.Facts(s.label, remote=remote, responses=responses, stack=stack, raw=snapshot)
    exp = Expected.from_config(cfg, s.user, stack=stack, host=s.host, port=s.port)
    per = {}
    for p in PROMISES:
        t = time.process_time()
        try:
            verify(p.id, facts, exp)
        except (NotApplicable, AssertionError):
            pass
        per[p.id] = time.process_time() - t
    t4 = time.process_time()
    for k, v in (("inflate+json", t1 - t0), ("parse.facts", t2 - t1), ("untrusted.data", t3 - t2),
                 ("checks", t4 - t3)):
        times.setdefault(k, []).append(v)
    for k, v in per.items():
        times.setdefault("  " + k, []).append(v)


if "--profile" in sys.argv:
    import cProfile, pstats
    once({})  # (the first host's: lazy imports, compiled patterns)
    cProfile.run("once({})", "/tmp/perf11.prof")
    pstats.Stats("/tmp/perf11.prof").sort_stats(sys.argv[-1] if sys.argv[-1] in ("cumulative", "callers") else
                                                "tottime").print_stats(60)
    sys.exit()
times = {}
for _ in range(n):
    once(times)
tot = 0
rows = sorted(((statistics.median(v), k) for k, v in times.items()), reverse=True)
for v, k in rows:
    if not k.startswith("  "):
        tot += v
for v, k in rows[:30]:
    print("%-40s %.4f" % (k, v))
print("total %.4f" % tot)
