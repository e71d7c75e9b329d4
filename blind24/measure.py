"""Measure the blind set with the project's campaign helpers: one deployed snapshot per platform (a live and a
previous release), each fault and control on a fresh container of it, the read-only gate (built-in suite,
``deploy = false``) per batch of at most four containers, one batch at a time.

python blind24/measure.py PLATFORM OUT.json [--keys FILE] [--only NAME,...]
A fault's injection ends with its ``took`` check: one that did not take exits 97 and is reported invalid.
"""

import base64
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faults import AFTER, CONTROLS, FAULTS, PREAMBLE  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign, Item  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"


def as_fault(f):
    body = (PREAMBLE + f["inject"] + "\n( " + f["took"] + " ) || "
            "{ echo 'INVALID: the injection did not take'; exit 97; }\n")
    b64 = base64.b64encode(body.encode()).decode()
    return Fault(f["name"], f["kind"], f["why"], f"echo {b64} | base64 -d | bash")


def main():
    platform, out = sys.argv[1], Path(sys.argv[2])
    keys = ""
    if "--keys" in sys.argv:
        keys = Path(sys.argv[sys.argv.index("--keys") + 1]).read_text()
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    chosen = [f for f in FAULTS + CONTROLS + AFTER if only is None or f["name"] in only]
    faults = [as_fault(f) for f in chosen]
    if "--catalogue" in sys.argv:  # catalogue faults by id, as the catalogue injects them
        from deploytests.faults.catalogue import FAULTS as CATALOGUE
        ids = sys.argv[sys.argv.index("--catalogue") + 1].split(",")
        faults += [f for f in CATALOGUE if f.id in ids]
    os.environ["DEPLOYTESTS_FAULTS_KEEP"] = "1"
    c = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=4, cwd=Path.cwd(), stack=for_platform(platform),
                 target_keys=keys, states=False, progress=lambda m: print(m, flush=True),
                 ready_timeout=120.0)  # (a loaded shared engine: sshd may take a minute to answer)
    t0 = time.monotonic()
    tag = c.snapshot()
    print("snapshot", tag, round(time.monotonic() - t0), "s", flush=True)
    items = [Item(f.id, "fault", fault=f) for f in faults] + [Item("clean-1", "clean")]
    if "--states" in sys.argv:  # the pipeline's legitimate states (a rollback, a refused release ...) as controls
        from deploytests.faults.run import STATES
        items += [Item(name, "state", state=fn) for name, fn in STATES.items()]
    try:
        for i in range(0, len(items), 4):
            batch = items[i:i + 4]
            try:
                fleet, _ = c.prepare(batch, tag)
            except Exception as exc:  # noqa: BLE001 - a host that did not come up: the batch once more
                print("batch not started, again:", str(exc)[:200], flush=True)
                fleet, _ = c.prepare(batch, tag)
            try:
                c.gate(batch, fleet)
            finally:
                fleet.__exit__(None, None, None)
            print("batch", [(x.name, len(x.failed), x.problem[:80]) for x in batch], round(time.monotonic() - t0),
                  "s", flush=True)
    finally:
        c.remove_image()
    out.write_text(json.dumps({"platform": platform, "workdir": str(c.workdir), "items": [
        dict(name=x.name, failed=x.failed, passed=x.passed, skipped=x.skipped, problem=x.problem) for x in items]},
        indent=1))


if __name__ == "__main__":
    main()
