"""classes15's demonstration of arguments pinned (not a test: its output is recorded in REPORT.md).

One container of a platform, bootstrapped and deployed. A root socat serving `date` on *:9100 is allowed with
the line the gate prints; then the same socat binary, same user, same port, serves a root shell
(`EXEC:/bin/sh`). The gate's rules (gate.host_problems, every promise, the allowance given as a target's
targets.toml would) judge each state. Run it with PYTHONPATH naming the checkout whose code is judged.

usage: PYTHONPATH=CHECKOUT python classes15/demo_args.py debian12|debian13
"""

from __future__ import annotations

import re
import sys

import deploytests
from deploytests import pipeline
from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS
from deploytests.verify.gate import host_problems

APP = APPS / "yourapplication"
START = "cd / && setsid -f socat TCP-LISTEN:9100,fork,reuseaddr {what} >/dev/null 2>&1 </dev/null; sleep 1"
STOP = "pkill -x socat; sleep 1"


def judged(s, cfg, title, listen=()):
    allow = Allowances(listen=tuple(listen), where="targets.toml", lines={"allow_listen": "targets.toml:7"})
    lines = host_problems(s, cfg, deployed=None, allow=allow)
    print(f"\n### {title}: {len(lines)} failure line(s)", flush=True)
    for ln in lines:
        print("  " + ln, flush=True)
    return lines


def main(platform: str) -> None:
    print(f"code: {deploytests.__file__}", flush=True)
    cfg, stack = load_config(APP), for_platform(platform)
    with Fleet(count=1, name_prefix="classes15args", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        s, box = fleet.servers[0], fleet.containers[0]
        print(f"container {box.id[:12]} ({platform})", flush=True)
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        root = lambda cmd: box.exec_run(["sh", "-c", cmd], user="root").output.decode(errors="replace")  # noqa: E731
        judged(s, cfg, "clean server, no allowances (control)")
        root("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat >/dev/null 2>&1")
        root(START.format(what="SYSTEM:date"))
        print(root("ps -eo pid,user,args | grep '[s]ocat'"), flush=True)
        lines = judged(s, cfg, "socat serving date, no allowances")
        entry = re.search(r'allow_listen = \["(.*?)"\]', " ".join(lines)).group(1)
        print(f"\nthe entry the hint prints: {entry}", flush=True)
        judged(s, cfg, "socat serving date, allowed with that entry (control)", [entry])
        words = entry.split()
        bare = " ".join(words[:3] + words[-1:])  # the program alone, pinned: last round's form
        judged(s, cfg, f"socat serving date, allowed with the program alone ({bare})", [bare])
        root(STOP)
        root(START.format(what="EXEC:/bin/sh"))
        print(root("ps -eo pid,user,args | grep '[s]ocat'; printf 'id\\n' | timeout 3 socat - TCP:127.0.0.1:9100"),
              flush=True)
        judged(s, cfg, "socat serving a root shell, the entry the hint printed for date", [entry])


if __name__ == "__main__":
    main(sys.argv[1])
