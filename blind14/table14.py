"""blind14: the report's tables from the runs' JSON (blind, the blind fixes of injections, the official run)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from faults14 import ALL  # noqa: E402
from members14 import MEMBERS  # noqa: E402

HERE = Path(__file__).parent
load = lambda n: json.loads((HERE / n).read_text()) if (HERE / n).exists() else {}  # noqa: E731
blind = {**load("results-blind-debian12.json"), **load("results-blind-debian13.json"),
         **load("results-blind-debian13-injection-fix.json")}
allowed = load("results-blind-debian12-allowed.json")
after = {**load("results-official-debian12.json"), **load("results-official-debian13.json")}
INVALID = {"b14-rb-configs-gone": "no effect (rollback OK)", "b14-d13-configs-gone": "no effect (rollback OK)",
           "b14-pyhome-bin-gone": "no effect (health 200 after a graceful)",
           "b14-root-exe-devshm": "as written blind: /dev/shm noexec (fixed: /var/tmp, official run only)"}


def verdict(r, expect):
    if not r:
        return "-"
    if r.get("problem"):
        return f"injection failed: {r['problem'][:60]}"
    tests = sorted(t.replace("test_", "") for t in r["failed"])
    if expect == "pass":
        return "pass" if not tests else "FAIL " + ", ".join(tests)
    return ("caught: " + ", ".join(tests)) if tests else "**MISSED**"


rows = ["| id | platform | simulates | exp | blind | after the fixes | action/effect |",
        "|---|---|---|---|---|---|---|"]
for f in list(ALL) + list(MEMBERS):
    b = blind.get(f.id)
    if f.id in dict.fromkeys(allowed) and f.expect == "fail":
        b = dict(b, note=f"allowed: {verdict(allowed[f.id], f.expect)}")
    tag = " (member, not blind)" if f in MEMBERS else ""
    bv = (INVALID.get(f.id) and f"invalid: {INVALID[f.id]}" or verdict(b, f.expect)) if f not in MEMBERS else "-"
    if b and b.get("note"):
        bv += f"; {b['note'].replace('caught: ', '')}"
    a = after.get(f.id) or {}
    act = (a.get("action") or (b or {}).get("action") or "")[:70].replace("|", "/")
    av = verdict(a, f.expect)
    if f.id in INVALID and f.id != "b14-root-exe-devshm":
        av = "invalid: " + ("passes" if av == "**MISSED**" else av)
    rows.append(f"| `{f.id}`{tag} | {','.join(p[-2:] for p in f.platforms)} | {f.what[:110]} | {f.expect} | {bv} | "
                f"{av} | {act} |")
print("\n".join(rows))
