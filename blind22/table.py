# ruff: noqa
"""Merge the runs' result files into one line per fault and platform (later files override earlier ones).

    .venv/bin/python blind22/table.py   -> the table REPORT.md holds, and one summary line per phase and platform
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import after  # noqa: E402
import faults  # noqa: E402

# before: main's code from a clean export (git archive main), never this worktree. after: this branch's code.
RUNS = {
    "before": {"debian12": ["results-debian12.json", "results-debian12-after-main.json"],
               "debian13": ["results-debian13.json", "results-debian13-rerun.json", "results-debian13-rerun2.json", "results-debian13-after-main.json", "results-debian13-after-main2.json"]},
    "after": {pl: [f"results-{pl}-after-after.json", f"results-{pl}-after-after2.json"] for pl in ("debian12", "debian13")},
}
# judged after reading the pipeline (not misses: no harm here)
VOID: dict = {}
# the injection did not take effect (its check exited 97), or took effect with no difference from the clean host
INVALID = {
    "environment-pycache-prefix-in-tmp": "Debian's /etc/pam.d/sudo has no pam_env line: sudo hands /etc/environment "
                                         "to nothing (the check saw sys.pycache_prefix None)",
}
NOT_MEMBERS: set = set()
NOT_CONTROLS: dict = {}


def merged(phase, platform):
    out = merged("before", platform) if phase == "after" else {}
    for name in RUNS[phase][platform]:
        p = HERE / name
        if p.exists():
            new = json.loads(p.read_text())  # (a later run the loaded machine cut keeps an earlier valid one)
            out.update({k: v for k, v in new.items() if not (v.get("problem") and k in out and not out[k].get("problem"))})
    return out


def verdict(entry, r):
    if r is None:
        return "-"
    if entry in VOID:
        return "void"
    if entry in INVALID or r.get("problem"):
        return "invalid"
    kind = r.get("kind")
    if kind in ("control", "clean", "state"):
        if entry in NOT_CONTROLS:
            return "(not a control)"
        return "FALSE ALARM" if r["failed"] else "pass"
    return "caught" if r["failed"] else "MISSED"


def main():
    entries = [(e["id"], e["kind"], e["area"]) for e in faults.F + after.ENTRIES]
    extra = ["clean-1", "after-rollback", "after-refused-release", "after-interrupted-deploy", "after-config-change"]
    res = {(ph, pl): merged(ph, pl) for ph in ("before", "after") for pl in ("debian12", "debian13")}
    print("| fault | kind | area | main D12 | main D13 | after D12 | after D13 | caught by (after, D12) |")
    print("|---|---|---|---|---|---|---|---|")
    for eid, kind, area in entries + [(x, "control", "state") for x in extra]:
        cells = [verdict(eid, res[k].get(eid)) for k in (("before", "debian12"), ("before", "debian13"),
                                                          ("after", "debian12"), ("after", "debian13"))]
        r = res[("after", "debian12")].get(eid) or {}
        by = ", ".join(t.split("::")[-1].split("[")[0] for t in r.get("failed") or [])[:120]
        print(f"| `{eid}` | {kind} | {area} | " + " | ".join(cells) + f" | {by} |")
    print()
    members = {e["id"] for e in after.ENTRIES}
    for ph in ("before", "after"):
        for pl in ("debian12", "debian13"):
            r = res[(ph, pl)]
            blind = [e["id"] for e in faults.F if e["kind"] == "fault"]
            valid = [i for i in blind if verdict(i, r.get(i)) in ("caught", "MISSED")]
            caught = [i for i in valid if verdict(i, r.get(i)) == "caught"]
            mem = [i for i in members if i in r and i not in NOT_MEMBERS and r[i].get("kind") != "control"]
            ctl = [i for i in [e["id"] for e in faults.F + after.ENTRIES if e["kind"] == "control"] + extra
                   if i in r and i not in NOT_CONTROLS]
            fa = [i for i in ctl if verdict(i, r.get(i)) == "FALSE ALARM"]
            print(f"{ph} {pl}: blind set {len(caught)}/{len(valid)} caught; members "
                  f"{sum(verdict(i, r.get(i)) == 'caught' for i in mem)}/{len(mem)} caught; false alarms {len(fa)} of "
                  f"{len(ctl)} controls/clean/states {fa}")


if __name__ == "__main__":
    main()
