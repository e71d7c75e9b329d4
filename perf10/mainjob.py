"""The main job, warm, measured: wall, load, the runner's CPU (wait4), the session's and the scenarios' containers'
CPU (the suite's own figures), the engine's processes' CPU over the run (dockerd, containerd, shims, docker-proxy,
runc: /proc deltas, an upper bound on a shared engine), and each scenario's place on the timeline.

    python perf10/mainjob.py --runs 3 --label after [--code DIR] [--slots N] [--out perf10/runs.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "docker-proxy", "runc",
          "docker-init")


def engine_cpu() -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                head, rest = f.read().rsplit(")", 1)
            comm = head.split("(", 1)[1]
            if comm not in ENGINE and not comm.startswith("containerd-shim"):
                continue
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return total


def machine_idle() -> float:
    with open("/proc/stat") as f:
        cpu = f.readline().split()[1:]
    return (int(cpu[3]) + int(cpu[4])) / os.sysconf("SC_CLK_TCK")


def one(code: Path, slots: int | None, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        env = dict(os.environ, DEPLOYTESTS_TIMINGS_JSON=str(out), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
                   PYTHONPATH=f"{code}:{ROOT}")
        if slots:
            env["PERF10_SLOTS"] = str(slots)
        cmd = [str(ROOT / ".venv/bin/python"), "-m", "pytest", "deploytests/suite", "-q", "-p", "no:cacheprovider",
               "-p", "deploytests.plugin", *(["-p", "perf10.force_slots"] if slots else []), *extra]
        load0, eng0, idle0 = os.getloadavg()[0], engine_cpu(), machine_idle()
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        load1, eng1, idle1 = os.getloadavg()[0], engine_cpu(), machine_idle()
        text = stdout.decode(errors="replace")
        lpath = out.with_name(f"{out.stem}-lifecycle.json")
        life = json.loads(lpath.read_text()) if lpath.exists() else {}
    tail = [ln for ln in text.splitlines() if " passed" in ln or " failed" in ln or " error" in ln]
    return {"at": time.strftime("%H:%M:%S", time.gmtime()), "wall": wall, "load": [load0, load1],
            "runner": usage.ru_utime + usage.ru_stime, "session": life.get("session_cpu"),
            "scenarios": life.get("cpu"), "engine": eng1 - eng0, "idle": (idle1 - idle0) / (os.cpu_count() or 1),
            "lifecycle_wall": life.get("wall"), "run_wall": life.get("run_wall"), "workers": life.get("workers"),
            "steps": life.get("steps"), "summed": life.get("summed"),
            "runs": life.get("runs", {}), "result": tail[-1] if tail else text[-2000:],
            "exit": os.waitstatus_to_exitcode(status), "output": text if os.waitstatus_to_exitcode(status) else ""}


def show(label: str, r: dict) -> None:
    cpu = sum(x for x in (r["runner"], r["session"], r["scenarios"]) if x)
    print(f"{label:10} {r['at']} wall {r['wall']:6.2f} load {r['load'][0]:5.1f}->{r['load'][1]:5.1f} "
          f"slots {r['workers']} cpu {cpu:5.1f} (runner {r['runner']:.2f} session {r['session'] or 0:.2f} "
          f"scenarios {r['scenarios'] or 0:.2f}) engine {r['engine']:.2f} idle/core {r['idle']:.1f}s "
          f"lifecycle {r['lifecycle_wall'] or 0:.2f} | {r['result']}", flush=True)


def timeline(r: dict) -> None:
    for name, t in sorted(r["runs"].items(), key=lambda kv: kv[1].get("began") or 0):
        print(f"   {t.get('began') or 0:6.2f} -> {t.get('ended') or 0:6.2f}  cont {t.get('container', 0):5.2f} "
              f"scen {t.get('scenario', 0):5.2f} rm {t.get('removal', 0):4.2f} cpu {t.get('cpu') or 0:4.2f}  "
              f"{name[:90]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--label", default="run")
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--slots", type=int, default=None)
    ap.add_argument("--timeline", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "perf10/runs.jsonl")
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    for _ in range(args.runs):
        r = one(args.code.resolve(), args.slots, args.extra)
        r["label"] = args.label
        show(args.label, r)
        if args.timeline:
            timeline(r)
        with args.out.open("a") as f:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
