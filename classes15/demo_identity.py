"""classes15's demonstration of identity pins (not a test: its output is recorded in REPORT.md).

One container of a platform, bootstrapped and deployed. Root makes a netops tool the gate's login may not read
(a copy of socat at /usr/local/bin/netprobe, root:netops 4750, the login not in netops) and runs it as root on
*:9101 serving `date`. The gate's rules judge it with no allowance, then with the lines its hints print; then
root replaces the tool's bytes (the same name, mode and owner) and restarts it. Run it with PYTHONPATH naming the
checkout whose code is judged.

usage: PYTHONPATH=CHECKOUT python classes15/demo_identity.py debian12|debian13
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
MAKE = ("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat >/dev/null 2>&1; "
        "groupadd -f netops; install -o root -g netops -m 4750 /usr/bin/socat /usr/local/bin/netprobe")
START = ("cd / && setsid -f /usr/local/bin/netprobe TCP-LISTEN:9101,fork,reuseaddr SYSTEM:date >/dev/null 2>&1 "
         "</dev/null; sleep 1")
SWAP = ("pkill -f '^/usr/local/bin/netprobe'; sleep 1; cat /usr/bin/perl > /usr/local/bin/netprobe; "
        "chown root:netops /usr/local/bin/netprobe; chmod 4750 /usr/local/bin/netprobe")


def judged(s, cfg, title, allow=None):
    allow = allow or Allowances(where="targets.toml")
    lines = host_problems(s, cfg, deployed=None, allow=allow)
    print(f"\n### {title}: {len(lines)} failure line(s)", flush=True)
    for ln in lines:
        print("  " + ln, flush=True)
    return lines


def pinned(lines):
    keys: dict[str, list[str]] = {}
    for ln in lines:
        for m in re.finditer(r'(allow_\w+) = \["(.*?)"\]', ln):
            keys.setdefault(m.group(1)[len("allow_"):], []).append(m.group(2))
    return keys


def main(platform: str) -> None:
    print(f"code: {deploytests.__file__}", flush=True)
    cfg, stack = load_config(APP), for_platform(platform)
    with Fleet(count=1, name_prefix="classes15ident", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        s, box = fleet.servers[0], fleet.containers[0]
        print(f"container {box.id[:12]} ({platform})", flush=True)
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        root = lambda cmd: box.exec_run(["sh", "-c", cmd], user="root").output.decode(errors="replace")  # noqa: E731
        judged(s, cfg, "clean server, no allowances (control)")
        print(root(MAKE + "; " + START + f"; ls -l /usr/local/bin/netprobe; id {s.user}; "
                   f"su {s.user} -s /bin/sh -c 'head -c1 /usr/local/bin/netprobe' 2>&1"), flush=True)
        lines = judged(s, cfg, "netprobe (4750 root:netops, unreadable to the login) on *:9101, no allowances")
        keys = pinned(lines)
        print(f"\nthe entries the hints print: {keys}", flush=True)
        lines = {"allow_listen": "targets.toml:7", "allow_privileged": "targets.toml:8"}
        allow = Allowances(**{k: tuple(v) for k, v in keys.items()}, where="targets.toml", lines=lines)
        judged(s, cfg, "allowed with those entries (control)", allow)
        root(SWAP + "; " + START)
        print(root("ls -l /usr/local/bin/netprobe; ps -eo pid,user,args | grep '[n]etprobe'"), flush=True)
        judged(s, cfg, "netprobe's bytes replaced (same name, owner, mode), restarted; the same entries", allow)


if __name__ == "__main__":
    main(sys.argv[1])
