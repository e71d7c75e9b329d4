"""The main job, warm, measured in CPU seconds: the runner (the pytest process and its children, from wait4's
rusage, start-up and collection included), the session's containers, each scenario's container (its cgroup,
read by the suite before its removal), and optionally the containers' CPU by process kind (bench/procs.py's
/proc sampler).

    python perf9/mainjob.py --runs 3 --label after [--code DIR] [--sample 0.02] [--out perf9/runs.jsonl]

``--code DIR``: run a copy of another commit (its ``deploytests`` on PYTHONPATH, started from DIR), for before/after
pairs on the same load. Prints one line per run, the per-scenario CPU, the kinds; appends each run as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def one(code: Path, sample: float | None, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        env = dict(os.environ, DEPLOYTESTS_TIMINGS_JSON=str(out), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
                   PYTHONPATH=str(code))
        cmd = [str(ROOT / ".venv/bin/python"), "-m", "pytest", "deploytests/suite", "-q", "-p", "no:cacheprovider",
               "-p", "deploytests.plugin", *extra]
        sampler = None
        if sample:
            from procs import Sampler

            sampler = Sampler(sample)
            sampler.start()
        load0 = os.getloadavg()[0]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if sampler is not None:
            sampler.track(proc.pid)
        stdout = b""
        assert proc.stdout is not None
        for chunk in iter(lambda: proc.stdout.read(65536), b""):
            stdout += chunk
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        load1 = os.getloadavg()[0]
        kinds = None
        if sampler is not None:
            sampler.stop()
            kinds = sampler.table(proc.pid)
            kinds["per_container"] = {c: v["kinds"] for c, v in kinds["per_container"].items()}
        text = stdout.decode(errors="replace")
        life = json.loads(out.with_name(f"{out.stem}-lifecycle.json").read_text()) if out.with_name(
            f"{out.stem}-lifecycle.json").exists() else {}
    tail = [ln for ln in text.splitlines() if " passed" in ln or " failed" in ln or " error" in ln]
    return {"wall": wall, "load": [load0, load1], "runner": usage.ru_utime + usage.ru_stime,
            "runner_user": usage.ru_utime, "runner_sys": usage.ru_stime,
            "session": life.get("session_cpu"), "scenarios": life.get("cpu"), "lifecycle_wall": life.get("wall"),
            "workers": life.get("workers"), "steps": life.get("steps"),
            "per_scenario": {k: v.get("cpu") for k, v in life.get("runs", {}).items()},
            "ids": {k: v.get("id", "") for k, v in life.get("runs", {}).items()},
            "result": tail[-1] if tail else text[-2000:], "output": text,
            "exit": os.waitstatus_to_exitcode(status), "kinds": kinds}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--label", default="run")
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--sample", type=float, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "perf9/runs.jsonl")
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    for _ in range(args.runs):
        r = one(args.code.resolve(), args.sample, args.extra)
        r.update(label=args.label, at=time.strftime("%H:%M:%S", time.gmtime()))
        log = Path(f"/tmp/perf9-mainjob-{args.label}-{r['at'].replace(':', '')}.log")
        log.write_text(r.pop("output"))
        r["log"] = str(log)
        with args.out.open("a") as f:
            f.write(json.dumps(r) + "\n")
        total = sum(x for x in (r["runner"], r["session"], r["scenarios"]) if x is not None)
        print(f"{args.label} {r['at']}: wall {r['wall']:.1f}s load {r['load'][0]:.1f}->{r['load'][1]:.1f} "
              f"CPU total {total:.1f}s = runner {r['runner']:.1f} (user {r['runner_user']:.1f} sys "
              f"{r['runner_sys']:.1f}) + session {r['session'] or 0:.1f} + scenarios {r['scenarios'] or 0:.1f} "
              f"[{r['workers']} slots] | {r['result']}", flush=True)
        if r["steps"]:
            print("  steps: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["steps"].items(), key=lambda kv: -kv[1])))
        per = (r["kinds"] or {}).get("per_container", {})
        for name, cpu in sorted(r["per_scenario"].items(), key=lambda kv: -(kv[1] or 0)):
            print(f"  {cpu or 0:5.2f}s  {name[:110]}")
            kinds = per.get(r["ids"].get(name, ""), {})
            if kinds:
                print("         " + ", ".join(f"{k.split(' (')[0]} {v:.2f}" for k, v in
                                            sorted(kinds.items(), key=lambda kv: -kv[1]) if v >= 0.02))
        if r["kinds"]:
            for name, k in r["kinds"]["kinds"].items():
                if k["cpu"] >= 0.05:
                    print(f"  kind {k['cpu']:6.2f}s {k['processes']:4d}  {name}")


if __name__ == "__main__":
    main()
