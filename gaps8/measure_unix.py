"""Measure root's UNIX sockets on running containers with the gate's own collectors (the login collector as
nobody, the root collector as root), then judge them as cw_listen does (deploytests.verify.sockets).
Usage: .venv/bin/python gaps8/measure_unix.py CONTAINER=PLATFORM ... (PLATFORM: debian12 | debian13)."""
import base64
import json
import shlex
import subprocess
import sys
import zlib
from pathlib import Path

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.verify import parse, sockets
from deploytests.verify.promises import Expected

WT = Path(__file__).resolve().parents[1]
LOGIN = (WT / "deploytests/verify/collect_login.py").read_bytes()
ROOT = (WT / "deploytests/verify/collect_root.py").read_bytes()
ARGS = json.dumps({"app": "yourapplication", "app_user": "yourapplication", "deploy_user": "appuser"})


def run(name, cmd, source):
    out = subprocess.run(["docker", "exec", "-i", name, "sh", "-c", cmd], input=source + b"0" * 32 + b"\n",
                         capture_output=True, check=False).stdout.decode()
    line = [ln for ln in out.splitlines() if ln.startswith("@@DT-")][0]
    return json.loads(zlib.decompress(base64.b64decode(line.split(" ", 2)[2])))


class F(dict):
    raw = None


def main():
    for spec in sys.argv[1:]:
        name, platform = spec.split("=")
        stack = for_platform(platform)
        py, boot, q = stack.python, "import sys; exec(compile(sys.stdin.buffer.read(%d), 'c', 'exec'))", shlex.quote
        login = run(name, f"su -s /bin/sh nobody -c {q(py + ' -I -S -c ' + q(boot % len(LOGIN)) + ' ' + q(ARGS))}",
                    LOGIN)
        root = run(name, f"{py} -I -S -c {q(boot % len(ROOT))} {q(ARGS)} 3", ROOT)
        merged = dict(login, **root)
        for key in ("files", "dirs", "errors"):
            merged[key] = {**(login.get(key) or {}), **(root.get(key) or {})}
        snap = parse.Snapshot(merged)
        found = sockets.unix_listeners(snap, parse.Procs(snap))
        exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
        exp = exp.__class__(**{**exp.__dict__, "stack": stack}) if hasattr(exp, "stack") else exp
        facts = F(inventory={"apache_user": "www-data"})
        facts.raw = snap
        print(f"== {name} ({platform}): {len(found)} named UNIX sockets taking connections or datagrams")
        for s in found:
            print("  ", s["type"], s["name"], [(p["pid"], p["user"], p["exe"]) for p in s["procs"]],
                  sockets.how(snap, s["name"]), "reach:", sockets.reachers(snap, s["name"], sockets.parties(
                      snap, {"deploy": "appuser", "app": "yourapplication", "apache": "www-data"})))
        lines = sockets.unix_lines(facts, exp, found, "/usr/sbin/apache2")
        print(f"   findings: {len(lines)}")
        for ln in lines:
            print("   -", ln[:300])


if __name__ == "__main__":
    main()
