"""Scratch: cProfile of the login collector in a container (as the gate's login).  python perf8/profile_login.py CID"""
import json
import subprocess
import sys

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as f

cid = sys.argv[1]
args = f.root_args(f.probe_args(load_config(APPS / "yourapplication"), "deployer", "appuser"))
n = len(f.LOGIN_SOURCE)
code = ("import cProfile,pstats,sys,io;src=sys.stdin.buffer.read(%d);p=cProfile.Profile();g={'__name__':'__main__'};"
        "o=sys.stdout;sys.stdout=io.StringIO();p.enable();\ntry:\n exec(compile(src,'collect_login','exec'),g)\n"
        "except SystemExit:\n pass\np.disable();sys.stdout=o;pstats.Stats(p).sort_stats("
        "sys.argv[2] if len(sys.argv)>2 else 'tottime').print_stats("
        "int(sys.argv[3]) if len(sys.argv)>3 else 25)" % n)
stdin = f.LOGIN_SOURCE + f.new_nonce().encode() + b"\n"
out = subprocess.run(["docker", "exec", "-i", "-u", "appuser", cid, "python3", "-I", "-S", "-c", code,
                      json.dumps(args), *sys.argv[2:]], input=stdin, capture_output=True)
print(out.stdout.decode()[-6000:], out.stderr.decode()[-2000:])
