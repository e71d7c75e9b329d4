"""Scratch: the probe's three programs run one by one in a container (docker exec), each timed and its CPU and
reply size printed: where a host's probe time goes on the server.

    python perf8/probe_parts.py CONTAINER [ROUNDS]
"""
import json
import statistics
import subprocess
import sys

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as f

cid = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
cfg = load_config(APPS / "yourapplication")
args = f.probe_args(cfg, "deployer", "appuser")
nonce = f.new_nonce()
TIMED = ("import resource,time,subprocess,sys;t=time.perf_counter();p=subprocess.run(sys.argv[1:],stdin=sys.stdin,"
         "stdout=subprocess.PIPE);r=resource.getrusage(resource.RUSAGE_CHILDREN);"
         "print(round(time.perf_counter()-t,3),round(r.ru_utime+r.ru_stime,3),len(p.stdout))")
progs = {
    "login collector (appuser)": (["appuser"], f.LOGIN_SOURCE + nonce.encode() + b"\n", f.LOGIN_SOURCE,
                                  "deploytests-collect-login", f.root_args(args), []),
    "root collector + reader (root)": (["root"], f.ROOT_SOURCE + nonce.encode() + b"\n" + f.READER_SOURCE,
                                       f.ROOT_SOURCE, "deploytests-collect-root", f.root_args(args),
                                       ["0", json.dumps(f.reader_args(args), sort_keys=True)]),
}
for name, (user, stdin, source, pname, pargs, extra) in progs.items():
    walls, cpus, sizes = [], [], []
    for _ in range(rounds):
        boot = f.BOOT.format(n=len(source), name=pname)
        cmd = ["docker", "exec", "-i", "-u", user[0], cid, "python3", "-c", TIMED, "/usr/bin/python3", "-I", "-S",
               "-c", boot, json.dumps(pargs, sort_keys=True), *extra]
        out = subprocess.run(cmd, input=stdin, capture_output=True, check=True).stdout.decode().split()
        walls.append(float(out[0])), cpus.append(float(out[1])), sizes.append(int(out[2]))
    print(f"{name}: wall {statistics.median(walls):.3f}s, cpu {statistics.median(cpus):.3f}s, "
          f"stdout {statistics.median(sizes) / 1024:.0f} KiB (median of {rounds})")
