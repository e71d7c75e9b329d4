"""(writes13, copied from blind12/run_blind.py) Run the writes13 items (faults and controls, ALLOW_KEYS for all hosts)
BLIND_BATCH at a time; per item the failed checks and their item lines, then each fault's effect run in the same
container after the read-only gate (what the less trusted account gets).

    python writes13/run12b.py debian12 [ID-PREFIX,...]
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from deploytests.config import load_config
from deploytests.faults.run import Campaign, Item
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

from faults13 import ALL, ALLOW_KEYS

APP = APPS / "yourapplication"
platform = sys.argv[1]
select = sys.argv[2].split(",") if len(sys.argv) > 2 else None
pool, mode = ALL, "all"
faults = [f for s in select for f in pool if f.id.startswith(s)] if select else list(pool)  # in the order asked

camp = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=2, progress=print, stack=for_platform(platform),
                target_keys="")
tag = camp.snapshot()
camp.target_keys = (os.environ.get("BLIND_KEYS") or ALLOW_KEYS).format(**camp.values)
print("snapshot", tag, camp.base, flush=True)
items = [Item(f.id, "fault", fault=f) for f in faults] + [Item("clean-1", "clean")]
results = {}
size = int(os.environ.get("BLIND_BATCH", "4"))  # hosts per gate run (blind8: 4, the machine is shared)
try:
    for i in range(0, len(items), size):
        batch = items[i:i + size]
        fleet, _ = camp.prepare(batch, tag)
        try:
            camp.gate(batch, fleet)
            run = sorted(camp.workdir.glob(f"run-{fleet.run_id}"))[0]
            cases = list(ET.parse(run / "junit.xml").getroot().iter("testcase")) if (run / "junit.xml").exists() else []
            for item in batch:
                lines = {}
                for case in cases:
                    name = case.get("name", "")
                    if f"@{item.name}]" not in name:
                        continue
                    node = case.find("failure") if case.find("failure") is not None else case.find("error")
                    if node is None:
                        continue
                    text = (node.text or "") + "\n" + (node.get("message") or "")
                    its = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text, re.M)})
                    lines[name.split("[")[0]] = its or [(node.get("message") or "").strip()[:600]]
                results[item.name] = {"problem": item.problem, "failed": lines, "passed": item.passed,
                                      "skipped": item.skipped}
                print(f"=== {item.name}: problem={item.problem!r} passed={item.passed} skipped={item.skipped}",
                      flush=True)
                for t, ls in lines.items():
                    print(f"  FAIL {t}", flush=True)
                    for ln in ls:
                        print(f"    - {ln[:700]}", flush=True)
            for item, container in zip(batch, fleet.containers, strict=True):  # the effect, after the read-only gate
                eff = getattr(item.fault, "effect", "") if item.fault else ""
                if eff:
                    res = container.exec_run(["sh", "-c", eff.format(**camp.values)], user="root")
                    out = res.output.decode(errors="replace").strip()
                    results[item.name]["effect"] = out[-1500:]
                    print(f"--- effect {item.name} (exit {res.exit_code}):\n{out[-1500:]}", flush=True)
            if not any(results[i.name]["failed"] or results[i.name]["problem"] for i in batch):
                print((run / "output.txt").read_text()[-1500:])
        finally:
            fleet.__exit__(None, None, None)
finally:
    camp.client.images.remove(camp.image.id, force=True)
    out = Path(os.environ.get("BLIND_OUT", f"/tmp/writes13-results-{platform}.json"))
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(results)
    out.write_text(json.dumps(old, indent=1))
