"""One main job run of the code at --root (its bench/run.py's main_job_run), one JSON line appended to --out.

python perf13/mj.py --root /tmp/perf13-A --label before --out perf13/runs.jsonl [--sample]
"""

import argparse
import inspect
import json
import os
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--root", type=Path, required=True)
ap.add_argument("--label", required=True)
ap.add_argument("--out", type=Path, required=True)
ap.add_argument("--sample", action="store_true", help="the bench's /proc sampler on during the run")
args = ap.parse_args()
args.out = args.out.resolve()
root = args.root.resolve()
os.environ["PYTHONPATH"] = str(root)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code cached, as docs/performance.md measures
os.chdir(root)
sys.path[:0] = [str(root / "bench"), str(root)]
import run as bench  # noqa: E402

assert Path(bench.ROOT) == root, bench.ROOT
load = os.getloadavg()[0]
t = time.strftime("%H:%M:%S")
ct = Path(f"/tmp/perf13-cputime-{os.getpid()}.jsonl")
os.environ["PERF13_CPUTIME"] = str(ct)
os.environ["PYTHONPATH"] = f"{Path(__file__).resolve().parent}:{root}"  # cputime.py
os.environ["PYTEST_ADDOPTS"] = "-p cputime"
own0 = os.times()
if "sample" in inspect.signature(bench.main_job_run).parameters:
    r = bench.main_job_run(sample=args.sample)
else:
    r = bench.main_job_run()  # the old bench: always samples
own1 = os.times()
life = r["lifecycle"]
kinds = {k: v["cpu"] for k, v in (r["kinds"] or {}).get("kinds", {}).items()}
own = r.get("own_cpu")
if own is None:  # the old bench: this process's CPU and its children's but the job's
    own = (own1.user + own1.system - own0.user - own0.system + own1.children_user + own1.children_system
           - own0.children_user - own0.children_system - r["runner_process_cpu"])
rec = {"label": args.label, "at": t, "load0": load, "load1": os.getloadavg()[0], "wall": r["wall"],
       "tests": r["tests"], "runner": r["runner_process_cpu"], "session": life.get("session_cpu"),
       "scen": life.get("cpu"), "workers": life.get("workers"), "scen_wall": life.get("wall"),
       "run_wall": life.get("run_wall"), "head": life.get("head"), "own_cpu": own, "kinds": kinds,
       "cgroups": (r["kinds"] or {}).get("cgroups"), "session_steps": r["run"], "steps": life.get("steps"),
       "summed": life.get("summed"),
       "runs": {n: {k: v for k, v in x.items() if k != "container steps"} for n, x in life.get("runs", {}).items()}}
lines = [json.loads(ln) for ln in ct.read_text().splitlines()] if ct.exists() else []
main = max(lines, key=lambda x: len(x["calls"])) if lines else {"calls": [], "tail": []}
calls = main["calls"]
rec["tail"] = main.get("tail", [])
rec["cputime"] = calls
rec["cputime_sum"] = sum(d for _, d in calls)
rec["cputime_tail"] = sum(d for who, d in calls if who == "MainThread")
rec["total"] = rec["runner"] + (rec["session"] or 0) + (rec["scen"] or 0)
with args.out.open("a") as f:
    f.write(json.dumps(rec) + "\n")
last = max(rec["runs"].items(), key=lambda kv: kv[1].get("ended") or 0)
print(f"{args.label} {t} wall {r['wall']:.1f} load {load:.1f}->{rec['load1']:.1f} CPU {rec['total']:.1f} "
      f"(runner {rec['runner']:.2f} session {rec['session']:.2f} scen {rec['scen']:.2f}) own {own:.2f} "
      f"x{rec['workers']} window {rec['scen_wall']:.1f} rest {rec['run_wall'] - rec['scen_wall']:.2f} "
      f"last {last[0][:40]} | stats reads {len(calls)}: {rec['cputime_sum']:.2f}s summed, "
      f"{rec['cputime_tail']:.2f}s on the tail | {r['tests']}", flush=True)
print("   tail after the last scenario's end: " + ", ".join(f"{w} +{t:.2f}" for w, t in rec["tail"]), flush=True)
