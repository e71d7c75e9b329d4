# ruff: noqa
"""Merge the runs' result files into one line per fault and platform (later files override earlier ones).

    .venv/bin/python blind19/table.py   -> the table REPORT.md holds
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import after  # noqa: E402
import faults  # noqa: E402

# before: main's code. results-*-before.json ran from this worktree while the first fixes were being written (see
# REPORT.md: a verdict there can only have gained a finding); results-*-before-main.json re-ran, from an export of
# main (PYTHONPATH), the injections completed after the first run, every control and the items that verdict touched
RUNS = {
    "before": {pl: [f"results-{pl}-before.json"] + [f"results-{pl}-before-main{n}.json" for n in ("", "2", "3", "4")]
               for pl in ("debian12", "debian13")},
    "after": {pl: [f"results-{pl}-after-after.json", f"results-{pl}-after-after2.json"] for pl in ("debian12", "debian13")},
}


def merged(phase, platform):
    out = merged("before", platform) if phase == "after" else {}
    for name in RUNS[phase][platform]:
        p = HERE / name
        if p.exists():
            out.update(json.loads(p.read_text()))
    return out


def verdict(r):
    if r is None:
        return "-"
    if r["problem"]:
        return "invalid" if r["problem"] != "NOT RUN" else "not run"
    if r["kind"] in ("fault",):
        return "caught" if r["failed"] else "MISSED"
    return "FALSE ALARM" if r["failed"] else "pass"


def tests(r):
    found = sorted({t.split("::")[-1].split("[")[0] for t in (r or {}).get("failed") or []})
    if "test_host_answers" in found and len(found) > 6:  # (the host did not answer: every check of it fails)
        return f"test_host_answers (and the {len(found) - 1} others: the host did not answer)"
    return ", ".join(found)


if __name__ == "__main__":
    res = {(ph, pl): merged(ph, pl) for ph in RUNS for pl in RUNS[ph]}
    print("| fault | kind | area | main D12 | main D13 | after D12 | after D13 | caught by (after, D12; D13 if other) |")
    print("|---|---|---|---|---|---|---|---|")
    for e in faults.F + after.ENTRIES:
        cells = [verdict(res[(ph, pl)].get(e["id"])) for ph in RUNS for pl in ("debian12", "debian13")]
        t12, t13 = tests(res[("after", "debian12")].get(e["id"])), tests(res[("after", "debian13")].get(e["id"]))
        by = t12 + (f"; D13: {t13}" if t13 != t12 else "")
        print(f"| `{e['id']}` | {e['kind']} | {e['area']} | " + " | ".join(cells) + f" | {by} |")
    for name in ("clean-1", "after-rollback", "after-refused-release", "after-interrupted-deploy", "after-config-change"):
        cells = [verdict(res[(ph, pl)].get(name)) for ph in RUNS for pl in ("debian12", "debian13")]
        print(f"| `{name}` | control | state | " + " | ".join(cells) + " | |")
    for ph in RUNS:
        for pl in ("debian12", "debian13"):
            r = res[(ph, pl)]
            ids = {e["id"] for e in faults.F + (after.ENTRIES if ph == "after" else [])}
            valid = [k for k, v in r.items() if v["kind"] == "fault" and not v["problem"] and k in ids]
            caught = [k for k in valid if r[k]["failed"]]
            ctl = [k for k, v in r.items() if v["kind"] != "fault"]
            fa = [k for k in ctl if r[k]["failed"]]
            print(f"{ph} {pl}: {len(caught)}/{len(valid)} valid faults caught; false alarms {len(fa)} of {len(ctl)} "
                  f"controls/clean/states {fa}")
