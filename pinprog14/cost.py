"""The cost of the login collector's new step (hashing what processes' command lines name), in CPU seconds, on a
deployed Debian 12 container, as the deploy login (the gate's login on the docker target). Not a test.

usage: python pinprog14/cost.py RUNS
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
SOURCE = Path(__file__).resolve().parents[1] / "deploytests" / "verify" / "collect_login.py"
PROBE = r"""
import sys, time, json
sys.path.insert(0, "/tmp/pp14")
import collect_login as c
runs = int(sys.argv[1]); steps = []; whole = []
for _ in range(runs):
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    t0 = time.process_time(); c.programs(out); t1 = time.process_time(); c.ran(out); t2 = time.process_time()
    steps.append(t2 - t1)
    t3 = time.process_time()
    c.collect({"app": "yourapplication", "app_user": "yourapplication", "deploy_user": "appuser"})
    whole.append(time.process_time() - t3)
steps.sort(); whole.sort()
print(json.dumps({"ran_median": steps[len(steps) // 2], "collect_median": whole[len(whole) // 2],
                  "hashed": len(out["programs"]), "bytes": sum(0 for _ in out["programs"]),
                  "files": sorted(out["programs"]), "errors": {k: v for k, v in out["errors"].items() if "hash" in v}}))
"""


def main(runs: int) -> None:
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="pinprog14cost", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        c = fleet.servers[0].connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        c.run("mkdir -p /tmp/pp14", hide=True)
        c.put(io.BytesIO(SOURCE.read_bytes()), "/tmp/pp14/collect_login.py")
        c.put(io.BytesIO(PROBE.encode()), "/tmp/pp14/probe.py")
        print(c.run(f"/usr/bin/python3 -I -S /tmp/pp14/probe.py {runs}", hide=True).stdout, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
