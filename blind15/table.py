"""The report's table from the runs' JSON results: blind (the first run; the 5 re-written injections from the
run that first had them valid), after the fixes, per platform. python blind15/table.py > table.md"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REWRITTEN = ("D4-", "S5-", "S8-", "G7-")  # injections fixed after the first run: their first valid run
NOT_COUNTED = {"S6-": "not valid: the images have no security source to drop",
               "R4-": "no harm now (by design: see R4)"}


def load(name):
    p = HERE / name
    return {r["id"]: r for r in json.loads(p.read_text())} if p.is_file() else {}


def verdict(r):
    if r is None:
        return "-"
    if r["valid"] != "valid":
        return "NOT VALID"
    tests = sorted({t.split("::")[-1].split("[")[0] for t in r["failed"]})
    if r["kind"] != "fault":
        return "FALSE ALARM: " + ", ".join(tests) if tests else "clean"
    return ", ".join(t.removeprefix("test_") for t in tests) if tests else "**MISSED**"


def main():
    first12, first13 = load("first/results-debian12-all.json"), load("first/results-debian13-all.json")
    after12, after13 = load("results-debian12-after.json"), load("results-debian13-after.json")
    g6_12 = load("results-debian12-G6-C2.json")
    rows = ["| id | valid | blind, Debian 12 | blind, Debian 13 | after, Debian 12 | after, Debian 13 |",
            "|---|---|---|---|---|---|"]
    counts = {"blind": [0, 0], "b13": [0, 0], "a12": [0, 0], "a13": [0, 0]}
    for fid in list(after12) + [k for k in g6_12 if k not in after12]:
        r12 = after12.get(fid)
        if r12 is None or r12["kind"] == "clean":
            continue
        blind, b13 = first12.get(fid), first13.get(fid)
        if fid.startswith(REWRITTEN):
            blind, b13 = after12.get(fid), after13.get(fid)
        if fid.startswith("G6-"):
            blind, r12, b13 = g6_12.get(fid), g6_12.get(fid), after13.get(fid)
        member = fid[:3] in ("R2b", "R2c", "S1b", "S1c")
        skip = next((v for k, v in NOT_COUNTED.items() if fid.startswith(k)), None)
        valid = skip or ("valid" if r12 and r12["valid"] == "valid" else "NOT VALID")
        b = "(written after reading the code)" if member else verdict(blind)
        c = "(idem)" if member else verdict(b13) + (" (the pyvenv rule was on disk)" if fid.startswith("R2-") else "")
        rows.append(f"| {fid} | {valid} | {b} | {c} | {verdict(r12)} | {verdict(after13.get(fid))} |")
        if r12 and r12["kind"] == "fault" and not skip:
            for key, r in (("blind", None if member else blind), ("b13", None if member else b13), ("a12", r12),
                           ("a13", after13.get(fid))):
                if r is not None and r["valid"] == "valid":
                    counts[key][1] += 1
                    counts[key][0] += bool(r["failed"])
    print("\n".join(rows))
    print()
    for key, title in (("blind", "blind, Debian 12"), ("b13", "blind, Debian 13 (R2 not blind)"),
                       ("a12", "after, Debian 12"), ("a13", "after, Debian 13")):
        c, n = counts[key]
        print(f"- {title}: {c}/{n} valid faults caught ({c / n:.1%})" if n else f"- {title}: no run")


if __name__ == "__main__":
    main()
