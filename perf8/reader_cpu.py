"""Scratch: CPU of the tree reader alone (as the deploy user) and of the root collector alone (no reader).

    python perf8/reader_cpu.py CONTAINER N
"""
import json
import statistics
import subprocess
import sys

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as f

cid, n = sys.argv[1], int(sys.argv[2])
args = f.probe_args(load_config(APPS / "yourapplication"), "deployer", "appuser")
TIMED = ("import resource,subprocess,sys;p=subprocess.run(sys.argv[1:],stdin=sys.stdin,stdout=subprocess.PIPE);"
         "r=resource.getrusage(resource.RUSAGE_CHILDREN);print(r.ru_utime+r.ru_stime,len(p.stdout))")


def run(user, source, name, argv, stdin):
    boot = f.BOOT.format(n=len(source), name=name)
    out = subprocess.run(["docker", "exec", "-i", "-u", user, cid, "python3", "-c", TIMED, "/usr/bin/python3", "-I",
                          "-S", "-c", boot, *argv], input=stdin, capture_output=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


for what, user, source, name, argv, extra in (
        ("reader (deployer)", "deployer", f.READER_SOURCE, "deploytests-reader",
         [json.dumps(f.reader_args(args), sort_keys=True)], b""),
        ("root collector alone (root, $ok=0)", "root", f.ROOT_SOURCE, "deploytests-collect-root",
         [json.dumps(f.root_args(args), sort_keys=True), "0"], f.new_nonce().encode() + b"\n")):
    cpu = [run(user, source, name, argv, source + extra) for _ in range(n)]
    print(f"{what}: CPU {statistics.median(c for c, _ in cpu):.3f}s, reply {cpu[0][1] / 1024:.0f} KiB (median of {n})")
