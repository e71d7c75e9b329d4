"""Scratch: CPU seconds of the login collector, two sources alternating.  python perf8/cpu_login.py CID ORIG.py N"""
import json
import statistics
import subprocess
import sys
from pathlib import Path

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as f

cid, orig, n = sys.argv[1], Path(sys.argv[2]).read_bytes(), int(sys.argv[3])
args = f.root_args(f.probe_args(load_config(APPS / "yourapplication"), "deployer", "appuser"))
TIMED = ("import resource,subprocess,sys;p=subprocess.run(sys.argv[1:],stdin=sys.stdin,stdout=subprocess.DEVNULL);"
         "r=resource.getrusage(resource.RUSAGE_CHILDREN);print(r.ru_utime+r.ru_stime)")
cpu: dict[str, list[float]] = {"before": [], "after": []}
for _ in range(n):
    for name, source in (("before", orig), ("after", f.LOGIN_SOURCE)):
        boot = f.BOOT.format(n=len(source), name="deploytests-collect-login")
        out = subprocess.run(["docker", "exec", "-i", "-u", "appuser", cid, "python3", "-c", TIMED, "/usr/bin/python3",
                              "-I", "-S", "-c", boot, json.dumps(args)], input=source + f.new_nonce().encode() + b"\n",
                             capture_output=True, check=True).stdout
        cpu[name].append(float(out))
for name, xs in cpu.items():
    print(f"{name}: CPU s median {statistics.median(xs):.3f} (min {min(xs):.3f}, max {max(xs):.3f}, n={len(xs)})")
