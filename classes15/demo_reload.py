"""classes15's demonstration of bootstrap's reload (not a test: its output is recorded in REPORT.md).

One container of a platform: bootstrap and deploy. Then N times: root appends a comment to the app's vhost (so
bootstrap's next run rewrites it and reloads Apache gracefully), bootstrap runs, and the moment it returns the
gate's own in-force check (``cw_in_force`` on freshly gathered facts, as the rollout's gate does) judges the
server; the pid file's and the vhost's mtimes are read as root as bootstrap returns. A last run waits 3 s after
bootstrap (control). Run it with PYTHONPATH naming the checkout whose code is judged.

usage: PYTHONPATH=CHECKOUT python classes15/demo_reload.py debian12|debian13 [N]
"""

from __future__ import annotations

import sys
import time

import deploytests
from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS
from deploytests.verify.gate import host_problems

APP = APPS / "yourapplication"
VHOST = "/etc/apache2/sites-available/yourapplication.conf"
PID = "/run/apache2/apache2.pid"


def main(platform: str, n: int) -> None:
    print(f"code: {deploytests.__file__}", flush=True)
    cfg, stack = load_config(APP), for_platform(platform)
    with Fleet(count=1, name_prefix="classes15reload", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        s, box = fleet.servers[0], fleet.containers[0]
        print(f"container {box.id[:12]} ({platform})", flush=True)
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        caught = 0
        for i in range(n + 1):
            box.exec_run(["sh", "-c", f"printf '# edited by hand {i}\\n' >> {VHOST}"], user="root")
            started = time.monotonic()
            boot = pipeline.bootstrap(c, cfg)
            took = time.monotonic() - started
            if i == n:
                time.sleep(3)  # control: the reload long done
            at = box.exec_run(["stat", "-c", "%n %.6Y", PID, VHOST], user="root").output.decode().split()
            lines = host_problems(s, cfg, deployed=None)
            in_force = [ln for ln in lines if ln.startswith("test_apache_config_on_disk_is_in_force")]
            caught += bool(in_force) and i < n
            print(f"\n[{'control, 3 s later' if i == n else i}] bootstrap {took:.2f}s: "
                  f"{'; '.join(boot.changes)}\n  as it returned: pid file mtime {at[1]}, vhost mtime {at[3]} "
                  f"({'pid file older' if float(at[1]) < float(at[3]) else 'pid file newer'})"
                  f"\n  gate: {len(lines)} failure line(s); in force: {in_force or 'passes'}", flush=True)
        print(f"\nin-force failures right after bootstrap: {caught} of {n}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
