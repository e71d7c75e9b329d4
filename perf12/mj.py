"""One main job run of the code at --root (bench/run.py's main_job_run), one JSON line appended to --out.

python perf12/mj.py --root /tmp/perf12-A --label before --out perf12/runs.jsonl
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--root", type=Path, required=True)
ap.add_argument("--label", required=True)
ap.add_argument("--out", type=Path, required=True)
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
tl = Path(f"/tmp/perf12-tl-{os.getpid()}.json")
os.environ["PERF12_TIMELINE"] = str(tl)
os.environ["PERF12_DUMP"] = f"/tmp/perf12-dump-{args.label}-{os.getpid()}.txt"
os.environ["PYTHONPATH"] = f"{Path(__file__).resolve().parent}:{root}"  # timeline.py
os.environ["PYTEST_ADDOPTS"] = "-p timeline"
r = bench.main_job_run()
timeline = json.loads(tl.read_text()) if tl.exists() else {}
life = r["lifecycle"]
kinds = {k: v["cpu"] for k, v in (r["kinds"] or {}).get("kinds", {}).items()}
rec = {
    "label": args.label,
    "at": t,
    "load0": load,
    "load1": os.getloadavg()[0],
    "wall": r["wall"],
    "tests": r["tests"],
    "runner": r["runner_process_cpu"],
    "runner_cpu": life.get("runner_cpu"),
    "session": life.get("session_cpu"),
    "scen": life.get("cpu"),
    "workers": life.get("workers"),
    "scen_wall": life.get("wall"),
    "run_wall": life.get("run_wall"),
    "kinds": kinds,
    "cgroups": (r["kinds"] or {}).get("cgroups"),
    "session_steps": r["run"],
    "per_container": (r["kinds"] or {}).get("per_container"),
    "steps": life.get("steps"),
    "timeline": timeline,
    "runs": {
        n: {k: v for k, v in x.items() if k != "container steps"} for n, x in life.get("runs", {}).items()
    },
}
rec["total"] = rec["runner"] + (rec["session"] or 0) + (rec["scen"] or 0)
with args.out.open("a") as f:
    f.write(json.dumps(rec) + "\n")
top = ", ".join(f"{k.split(' (')[0]} {v:.2f}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:8])
print(
    f"{args.label} {t} wall {r['wall']:.1f} load {load:.1f}->{rec['load1']:.1f} CPU {rec['total']:.1f} "
    f"(runner {rec['runner']:.2f} session {rec['session']:.2f} scen {rec['scen']:.2f}) x{rec['workers']} "
    f"scen_wall {rec['scen_wall']:.1f} | {top} | {r['tests']} | "
    + ", ".join(f"{k} {v:.2f}" for k, v in sorted(timeline.items(), key=lambda kv: kv[1])),
    flush=True,
)
