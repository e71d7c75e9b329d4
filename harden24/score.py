"""Score harden.py's --each output: per step, the failure items it added (none: passes; each naming an allowance
with 'allow it:' / 'allow_': allowance); per fault, whether an item it added names it (its EXPECT string).

    python harden24/score.py OUT.json
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.argv += [] if len(sys.argv) > 1 else ["-"]
r = json.loads(Path(sys.argv[1]).read_text())
sys.path.insert(0, str(Path(__file__).parent))
src = (Path(__file__).parent / "harden.py").read_text()
STEPS = re.findall(r'\("(H\d\d)", "([^"]+)"', src)
FAULTS = re.findall(r'\("(F\d)", "(H\d\d)", "([^"]+)",.*?"\s*,\s*\n\s*"([^"]+)"\),', src, re.S)


def items(run: dict) -> set[str]:
    out = set()
    for name, (msg, text) in run["failed"].items():
        text = re.sub(r" in /tmp/\S+/targets\.toml:\d+", "", text + "\n" + msg)  # (each run's own file)
        found = re.findall(r"^\s*- (.+)$", text, re.M)
        test = name.split("[")[0]
        out |= {f"[{test}] {x.strip()[:400]}" for x in found} or {f"[{test}] {msg.strip()[:400]}"}
    return out


prev = items(r["baseline"])
print(f"## {r['platform']} ({r['tree']})\nbaseline: {len(prev)} items")
passed = 0
for sid, anchor in STEPS:
    now = items(r[sid])
    new = sorted(now - prev)
    verdict = "pass" if not new else "allowance" if all("allow_" in x and "make its content readable" not in x
                                                        for x in new) else "FAIL"
    passed += verdict != "FAIL"
    print(f"{sid} {verdict}: {anchor}")
    for x in new:
        print(f"    + {x}")
    prev = now
print(f"hardening steps passing (or one line naming an allowance): {passed}/{len(STEPS)}")
caught = 0
for fid, step, what, named in FAULTS:
    now = items(r[fid])
    new = sorted(now - prev)
    hit = [x for x in new if named.lower() in x.lower()]
    caught += bool(hit)
    print(f"{fid} {'caught' if hit else 'MISSED'} (hidden by {step}): {what}")
    for x in hit or new:
        print(f"    + {x}")
    prev = now
print(f"hidden faults caught, named: {caught}/{len(FAULTS)}")
