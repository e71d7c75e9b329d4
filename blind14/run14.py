"""blind14 (copied from the lead's run12b harness): run the blind14 items of a platform BLIND_BATCH at a time
against the read-only gate; per item the failed checks and their lines, then each item's effect (shell, root) and
action (a rollback to {prev} or a deploy of a new variant, from the runner) in the same container after the gate.

    python blind14/run14.py debian12 [ID-PREFIX,...]      (BLIND_OUT=results.json, BLIND_KEYS=allowances)
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from faults14 import for_platform

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.faults.run import Campaign, Item
from deploytests.stacks import for_platform as stack_for
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
platform = sys.argv[1]
select = sys.argv[2].split(",") if len(sys.argv) > 2 else None
pool = for_platform(platform)
if os.environ.get("BLIND_POOL") == "members":  # after the fixes (not blind): the other members, then the blind items
    from members14 import KEYS, MEMBERS
    pool = [m for m in MEMBERS if platform in m.platforms] + pool
    os.environ.setdefault("BLIND_KEYS", KEYS)
faults = [f for s in select for f in pool if f.id.startswith(s)] if select else list(pool)
cfg = load_config(APP)
camp = Campaign(APP, cfg, faults=faults, clean=1, batch=2, progress=print, stack=stack_for(platform), target_keys="")
tag = camp.snapshot()
camp.target_keys = os.environ.get("BLIND_KEYS", "").format(**camp.values)
print("snapshot", tag, camp.base, flush=True)
items = [Item(f.id, "fault", fault=f) for f in faults] + [Item(f"clean-{platform}", "clean")]
results = {}
size = int(os.environ.get("BLIND_BATCH", "4"))
out = Path(os.environ.get("BLIND_OUT", f"/tmp/blind14-results-{platform}.json"))


def act(item, server):
    """The item's pipeline action after the gate: what a rollback or the next deploy does on this server."""
    action = getattr(item.fault, "action", "") if item.fault else ""
    if not action:
        return ""
    try:
        c = server.connection()
        if action == "rollback":
            r = pipeline.rollback(c, cfg, progress=lambda *a: None)
        else:
            r = pipeline.deploy(c, cfg, camp.variant(3), progress=lambda *a: None)
        return f"{action} OK: live {getattr(r, 'release_id', r)}"
    except Exception as exc:  # noqa: BLE001 - the outcome is the finding
        return f"{action} FAILED: {type(exc).__name__}: {str(exc)[:600]}"


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
                                      "skipped": item.skipped,
                                      "expect": getattr(item.fault, "expect", "pass") if item.fault else "pass"}
                print(f"=== {item.name}: problem={item.problem!r} passed={item.passed} skipped={item.skipped}",
                      flush=True)
                for t, ls in lines.items():
                    print(f"  FAIL {t}", flush=True)
                    for ln in ls:
                        print(f"    - {ln[:700]}", flush=True)
            for item, server, container in zip(batch, fleet.servers, fleet.containers, strict=True):
                eff = getattr(item.fault, "effect", "") if item.fault else ""
                if eff:
                    res = container.exec_run(["sh", "-c", eff.format(**camp.values)], user="root")
                    o = res.output.decode(errors="replace").strip()
                    results[item.name]["effect"] = o[-1500:]
                    print(f"--- effect {item.name} (exit {res.exit_code}):\n{o[-1500:]}", flush=True)
                a = act(item, server)
                if a:
                    results[item.name]["action"] = a
                    print(f"--- action {item.name}: {a}", flush=True)
            if not any(results[i.name]["failed"] or results[i.name]["problem"] for i in batch):
                print((run / "output.txt").read_text()[-1500:])
        finally:
            fleet.__exit__(None, None, None)
            old = json.loads(out.read_text()) if out.exists() else {}
            old.update(results)
            out.write_text(json.dumps(old, indent=1))
finally:
    camp.client.images.remove(camp.image.id, force=True)
