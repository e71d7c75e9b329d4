"""(blind12, copied from blind8) Run the blind faults BLIND_BATCH (default 4) containers at a time; print per fault the failed checks and their item lines."""
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

from faults import ALLOW_KEYS, ALLOWED, CONTROLS, CONTROLS_ALLOWED, PLAIN

APP = APPS / "yourapplication"
platform = sys.argv[1]
select = sys.argv[2].split(",") if len(sys.argv) > 2 else None
mode = os.environ.get("BLIND_MODE", "plain")  # plain: PLAIN without allowances; allowed: ALLOWED with ALLOW_KEYS
pool = {"plain": PLAIN, "allowed": ALLOWED, "controls": CONTROLS, "controls-allowed": CONTROLS_ALLOWED}[mode]
if os.environ.get("BLIND_POOL") == "members":  # the other members tried after the fixes (not blind)
    from members import KEYS, MEMBERS
    pool, ALLOW_KEYS, mode = MEMBERS, KEYS, "allowed"
faults = [f for f in pool if (not select or any(f.id.startswith(s) for s in select))]

camp = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=2, progress=print, stack=for_platform(platform),
                target_keys="")
tag = camp.snapshot()
if mode in ("allowed", "controls-allowed"):  # the keys name the app's accounts: filled from the campaign's values
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
            if not any(results[i.name]["failed"] or results[i.name]["problem"] for i in batch):
                print((run / "output.txt").read_text()[-1500:])
        finally:
            fleet.__exit__(None, None, None)
finally:
    camp.client.images.remove(camp.image.id, force=True)
    out = Path(os.environ.get("BLIND_OUT", f"/tmp/blind12-results-{platform}-{mode}.json"))
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(results)
    out.write_text(json.dumps(old, indent=1))
