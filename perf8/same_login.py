"""Scratch: the login collector's reply from two sources (the original and this tree's), compared (/proc's
files and times aside).   python perf8/same_login.py CID ORIGINAL.py"""
import base64
import json
import subprocess
import sys
import zlib
from pathlib import Path

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as f

cid, orig = sys.argv[1], Path(sys.argv[2]).read_bytes()
args = f.root_args(f.probe_args(load_config(APPS / "yourapplication"), "deployer", "appuser"))


def reply(source):
    nonce = f.new_nonce()
    boot = f.BOOT.format(n=len(source), name="deploytests-collect-login")
    out = subprocess.run(["docker", "exec", "-i", "-u", "appuser", cid, "python3", "-I", "-S", "-c", boot,
                          json.dumps(args)], input=source + nonce.encode() + b"\n", capture_output=True).stdout
    line = out.decode().split(nonce + " ", 1)[1].strip()
    return json.loads(zlib.decompress(base64.b64decode(line)))


def clean(r):
    r = dict(r)
    r["files"] = {k: v for k, v in r["files"].items() if not k.startswith("/proc/")}
    return r


a, b = clean(reply(orig)), clean(reply(f.LOGIN_SOURCE))
print("same keys:", sorted(a) == sorted(b))
for k in sorted(a):
    if a[k] != b.get(k):
        diff = ([x for x in a[k] if a[k][x] != b[k].get(x)] if isinstance(a[k], dict) else a[k])
        print("differs:", k, str(diff)[:500])
print("files:", len(a["files"]), len(b["files"]))
