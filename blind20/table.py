# ruff: noqa
"""Merge the runs' result files into one line per fault and platform (later files override earlier ones).

    .venv/bin/python blind20/table.py   -> the table REPORT.md holds
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import after  # noqa: E402
import faults  # noqa: E402

# before: main's code (this worktree before any gate edit: the runs were made before the fix was copied in):
# results-debian12.json (the blind set), results-debian12-rerun.json (the batch the host key fault stopped, and
# the two checks corrected), results-debian13.json (all but the host key fault), results-debian13-hostkey.json
# (that one alone: on Debian 12 it stops the whole run), results-<platform>-after-members-main.json (after.py's
# members). after: this branch's code (run from an export of it with PYTHONPATH), blind set + members + the
# pipeline's states: results-<platform>-after-after.json
RUNS = {
    "before": {"debian12": ["results-debian12.json", "results-debian12-rerun.json",
                            "results-debian12-after-members-main.json", "results-debian12-after-members-main2.json",
                            "results-debian12-after-members-main3.json",
                            "results-debian12-after-members-main4.json"],
               "debian13": ["results-debian13.json", "results-debian13-hostkey.json",
                            "results-debian13-after-members-main.json", "results-debian13-after-members-main2.json",
                            "results-debian13-after-members-main3.json",
                            "results-debian13-after-members-main4.json"]},
    "after": {pl: [f"results-{pl}-after-after.json", f"results-{pl}-after-after2.json",
                   f"results-{pl}-after-after3.json", f"results-{pl}-after-after4.json",
                   f"results-{pl}-after-after5.json"] for pl in ("debian12",
                                                                                                   "debian13")},
}
# tried as members, but caught on main by another rule (the envvars rule on Apache's run dir): not counted
NOT_MEMBERS = {"after-run-dir-group-writable-www-data", "after-run-dir-owned-by-deploy-login",
               "after-pam-passwd-bigcrypt"}
VOID = {"prev-kept-config-closed-to-deploy": "harm not real here: both releases run the same config, and a rollback "
                                             "reads the kept copy only when the target's config differs (the agent's "
                                             "rollback: wanted != now)"}


def merged(phase, platform):
    out = merged("before", platform) if phase == "after" else {}
    for name in RUNS[phase][platform]:
        p = HERE / name
        if p.exists():
            out.update(json.loads(p.read_text()))
    return out


def verdict(r, name=""):
    if name in VOID:
        return "void"
    if r is None:
        return "-"
    if r["problem"]:
        return "invalid" if r["problem"] != "NOT RUN" else "not run"
    if r["kind"] in ("fault",):
        return "caught" if r["failed"] else "MISSED"
    return "FALSE ALARM" if r["failed"] else "pass"


def tests(r):
    if r and r.get("problem"):
        return ""
    found = sorted({t.split("::")[-1].split("[")[0][:60] for t in (r or {}).get("failed") or []})
    if "test_host_answers" in found and len(found) > 6:  # (the host did not answer: every check of it fails)
        return f"test_host_answers (and the {len(found) - 1} others: the host did not answer)"
    return ", ".join(found)


if __name__ == "__main__":
    res = {(ph, pl): merged(ph, pl) for ph in RUNS for pl in RUNS[ph]}
    print("| fault | kind | area | main D12 | main D13 | after D12 | after D13 | caught by (after, D12; D13 if other) |")
    print("|---|---|---|---|---|---|---|---|")
    for e in faults.F + after.ENTRIES:
        cells = [verdict(res[(ph, pl)].get(e["id"]), e["id"]) for ph in RUNS for pl in ("debian12", "debian13")]
        t12, t13 = tests(res[("after", "debian12")].get(e["id"])), tests(res[("after", "debian13")].get(e["id"]))
        by = t12 + (f"; D13: {t13}" if t13 != t12 else "")
        print(f"| `{e['id']}` | {e['kind']} | {e['area']} | " + " | ".join(cells) + f" | {by} |")
    for name in ("clean-1", "after-rollback", "after-refused-release", "after-interrupted-deploy", "after-config-change"):
        cells = [verdict(res[(ph, pl)].get(name)) for ph in RUNS for pl in ("debian12", "debian13")]
        print(f"| `{name}` | control | state | " + " | ".join(cells) + " | |")
    for ph in RUNS:
        for pl in ("debian12", "debian13"):
            r = res[(ph, pl)]
            out = []
            for what, ids in (("blind set", {e["id"] for e in faults.F}), ("members", {e["id"] for e in after.ENTRIES} - NOT_MEMBERS)):
                valid = [k for k, v in r.items() if v["kind"] == "fault" and not v["problem"] and k in ids and
                         k not in VOID]
                out.append(f"{what} {len([k for k in valid if r[k]['failed']])}/{len(valid)} caught")
            ctl = [k for k, v in r.items() if v["kind"] != "fault"]
            fa = [k for k in ctl if r[k]["failed"]]
            print(f"{ph} {pl}: {'; '.join(out)}; false alarms {len(fa)} of {len(ctl)} controls/clean/states {fa}")
