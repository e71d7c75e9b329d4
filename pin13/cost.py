"""pin13: the CPU cost of the login collector's digest step on a deployed Debian 12 container (recorded in REPORT.md).

In the container, as the deploy login (the gate's login), the branch's collect_login.collect() runs N times with
its digest step and N times with it replaced by a no-op, alternating; each run's CPU seconds (process_time) are
printed, then the medians. Also the digest step alone on the reply of a full run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
INSIDE = r"""
import json, statistics, sys, time
sys.path.insert(0, "/tmp")
import collect_login as C
args = {"app": "yourapplication", "app_user": "yourapplication", "deploy_user": "appuser"}
real, on, off = C.digests, [], []
for i in range(int(sys.argv[1])):
    for flag, into in ((True, on), (False, off)):
        C.digests = real if flag else (lambda out, *a, **k: None)
        t = time.process_time(); out = C.collect(args); into.append(time.process_time() - t)
C.digests = real
out = C.collect(args)
alone = []
for i in range(int(sys.argv[1])):
    out.pop("digests", None)
    t = time.process_time(); C.digests(out); alone.append(time.process_time() - t)
print(json.dumps({"with": on, "without": off, "median_with": statistics.median(on),
                  "median_without": statistics.median(off), "digest_step_alone": alone,
                  "median_alone": statistics.median(alone), "hashed": len(out.get("digests", {})),
                  "paths": sorted(out.get("digests", {}))}))
"""


def main(n: int) -> None:
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="pin13cost", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        c = fleet.servers[0].connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        src = Path(__file__).resolve().parents[1] / "deploytests/verify/collect_login.py"
        c.put(str(src), "/tmp/collect_login.py")
        Path("/tmp/pin13_inside.py").write_text(INSIDE)
        c.put("/tmp/pin13_inside.py", "/tmp/pin13_inside.py")
        res = c.run(f"/usr/bin/python3 -I /tmp/pin13_inside.py {n}", hide=True)
        print(json.dumps(json.loads(res.stdout), indent=1))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
