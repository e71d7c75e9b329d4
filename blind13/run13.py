"""blind13's runner: each fault of faults.py on a fresh container of one deployed snapshot (bootstrap, two
deploys, docker commit: deploytests.faults.run.Campaign), then one read-only gate run per batch of hosts.

usage: run13.py PLATFORM MODE [name,...]   MODE: plain | allowed | controls | clean
Allowed faults and controls run with the union of their allowances in targets.toml (DEPLOY/APPUSER/APP/ROOT
filled). `allowed` also runs one host with every allowed fault's setup alone (must pass).
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from deploytests.config import load_config
from deploytests.faults.catalogue import Fault
from deploytests.faults.run import Item
from deploytests.stacks import for_platform

sys.path.insert(0, str(Path(__file__).parent))
from common13 import C, app_path  # noqa: E402
from faults import FAULTS, PRELUDE  # noqa: E402
from faults2 import FAULTS2  # noqa: E402

if os.environ.get("BLIND_ROUND2") == "all":  # every list, for a run of named items
    from faults2 import MEMBERS
    FAULTS = FAULTS + FAULTS2 + MEMBERS
elif os.environ.get("BLIND_ROUND2"):
    FAULTS = FAULTS2

platform, mode = sys.argv[1], sys.argv[2]
select = sys.argv[3].split(",") if len(sys.argv) > 3 else None
kinds = {"plain": ("plain",), "allowed": ("allowed",), "controls": ("control",), "clean": (), "all": ("plain", "allowed", "control")}[mode]
pool = [f for f in FAULTS if f["kind"] in kinds and (not select or f["name"] in select)]


def command(f, setup_only=False):
    body = f.get("setup", "") + ("" if setup_only else f["script"])
    return PRELUDE + body


items = [Item(f["name"], "fault", fault=Fault(f["name"], f["kind"], f["what"], command(f))) for f in pool]
if mode in ("allowed", "all"):
    items.append(Item("allowed-states", "fault", fault=Fault("allowed-states", "control", "setups",
                                                             PRELUDE + "".join(f.get("setup", "") for f in pool if f["kind"] == "allowed"))))
items.append(Item("clean-1", "fault", fault=Fault("clean-1", "control", "nothing", "true")))

APP = app_path()
camp = C(APP, load_config(APP), faults=[], clean=1, batch=2, progress=print, stack=for_platform(platform))
tag = camp.snapshot()
v = camp.values
allow: dict[str, list[str]] = {}
for f in pool:
    for k, vals in f.get("allow", {}).items():
        for val in vals:
            for a, b in (("DEPLOY", v["deploy_user"]), ("APPUSER", v["app_user"]), ("ROOT", v["root"])):
                val = val.replace(a, b)
            if val not in allow.setdefault(k, []):
                allow[k].append(val)
camp.target_keys = "".join(f"{k} = {json.dumps(vals)}\n" for k, vals in allow.items())
print("snapshot", tag, camp.base, "\nallow:\n" + camp.target_keys, flush=True)
results = {}
size = int(os.environ.get("BLIND_BATCH", "4"))
try:
    for i in range(0, len(items), size):
        batch = items[i:i + size]
        for attempt in range(3):  # a loaded machine: sshd may miss the harness's 30 s banner wait
            try:
                fleet, _ = camp.prepare(batch, tag)
                break
            except Exception as exc:  # noqa: BLE001
                print("prepare failed, retrying:", str(exc)[:200], flush=True)
                for it in batch:
                    it.problem = ""
        else:
            raise SystemExit("prepare failed 3 times")
        try:
            camp.gate(batch, fleet)
            run = sorted(camp.workdir.glob(f"run-{fleet.run_id}"))[0]
            cases = list(ET.parse(run / "junit.xml").getroot().iter("testcase")) if (run / "junit.xml").exists() else []
            for item in batch:
                lines = {}
                for case in cases:
                    name = case.get("name", "")
                    if f"@{item.name}]" not in name and "[" in name:
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
                        print(f"    - {ln[:900]}", flush=True)
            if not any(results[i.name]["failed"] or results[i.name]["problem"] for i in batch):
                print((run / "output.txt").read_text()[-1500:])
        finally:
            fleet.__exit__(None, None, None)
finally:
    camp.remove_image()
    out = Path(os.environ.get("BLIND_OUT", str(Path(__file__).parent / f"logs/results-{platform}-{mode}.json")))
    out.parent.mkdir(exist_ok=True)
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(results)
    out.write_text(json.dumps(old, indent=1))
