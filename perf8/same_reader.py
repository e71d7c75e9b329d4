"""Scratch: the tree reader's reply from two sources compared (its ``seconds`` aside), and their CPU, alternating.

    python perf8/same_reader.py CONTAINER ORIGINAL.py N
"""
import json
import statistics
import subprocess
import sys
from pathlib import Path

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as f

cid, orig, n = sys.argv[1], Path(sys.argv[2]).read_bytes(), int(sys.argv[3])
args = json.dumps(f.reader_args(f.probe_args(load_config(APPS / "yourapplication"), "deployer", "appuser")),
                  sort_keys=True)
TIMED = ("import resource,subprocess,sys;p=subprocess.run(sys.argv[1:],stdin=sys.stdin,stdout=subprocess.PIPE);"
         "r=resource.getrusage(resource.RUSAGE_CHILDREN);sys.stdout.write('%f\\n' % (r.ru_utime+r.ru_stime));"
         "sys.stdout.flush();"
         "sys.stdout.buffer.write(p.stdout)")


def run(source):
    boot = f.BOOT.format(n=len(source), name="deploytests-reader")
    out = subprocess.run(["docker", "exec", "-i", "-u", "deployer", cid, "python3", "-c", TIMED, "/usr/bin/python3",
                          "-I", "-S", "-c", boot, args], input=source, capture_output=True, check=True).stdout
    cpu, _, rest = out.partition(b"\n")
    reply = json.loads(rest.decode().split("@@DT-TREE ", 1)[1])
    reply.pop("seconds", None)
    return float(cpu), reply


cpu = {"before": [], "after": []}
for _ in range(n):
    for name, source in (("before", orig), ("after", f.READER_SOURCE)):
        c, reply = run(source)
        cpu[name].append(c)
        if name == "before":
            old = reply
        elif reply != old:
            print("differs:", [k for k in reply if reply[k] != old.get(k)], reply.get("http"), old.get("http"))
for name, xs in cpu.items():
    print(f"{name}: CPU s median {statistics.median(xs):.3f} (min {min(xs):.3f}, max {max(xs):.3f}, n={len(xs)})")
