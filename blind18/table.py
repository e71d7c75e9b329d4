# ruff: noqa
"""Merge the runs' result files into one line per fault and platform (later files override earlier ones)."""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import after  # noqa: E402
import faults  # noqa: E402

RUNS = {
    "before": {"debian12": ["results-debian12-before.json", "results-debian12-before-rerun.json",
                            "results-debian12-before-rerun2.json", "results-debian12-after-before-members.json",
                            "results-debian12-after-before-members2.json"],
               "debian13": ["results-debian13-before-part1.json", "results-debian13-before-part2.json",
                            "results-debian13-after-before-members.json", "results-debian13-after-before-members2.json"]},
    # (the after-runs re-ran the misses, the controls, a clean host, the pipeline's states and the other members; a
    # fault caught before and not re-run keeps its verdict: the fixes only add findings)
    "after": {"debian12": ["results-debian12-after-after.json", "results-debian12-after-after2.json",
                           "results-debian12-after-after3.json"],
              "debian13": ["results-debian13-after-after.json", "results-debian13-after-after2.json",
                           "results-debian13-after-after3.json"]},
}


# validity corrections (a check made exact after the runs): they hold for both phases, whatever the code
CORRECTIONS = {"debian12": ["results-debian12-after4.json"], "debian13": ["results-debian13-after4.json"]}


def merged(phase, platform):
    out = merged("before", platform) if phase == "after" else {}
    for name in RUNS[phase][platform]:
        p = HERE / name
        if p.exists():
            for k, v in json.loads(p.read_text()).items():
                if not (phase == "after" and v["problem"] and k in out and not out[k]["problem"]):  # (an after-run
                    # whose injection did not take this time keeps the before-run's valid verdict)
                    out[k] = v
    for name in CORRECTIONS[platform]:
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


if __name__ == "__main__":
    res = {(ph, pl): merged(ph, pl) for ph in RUNS for pl in RUNS[ph]}
    for e in faults.F + after.ENTRIES:
        cells = [verdict(res[(ph, pl)].get(e["id"])) for ph in RUNS for pl in ("debian12", "debian13")]
        print(f"{e['id']:45} {e['kind']:8} {e['area']:11} " + " | ".join(f"{c:11}" for c in cells))
    for ph in RUNS:
        for pl in ("debian12", "debian13"):
            r = res[(ph, pl)]
            rows = [(e, verdict(r.get(e["id"]))) for e in faults.F if e["kind"] == "fault"]
            valid = [v for _, v in rows if v in ("caught", "MISSED")]
            alarms = sum(1 for k, v in r.items() if v["kind"] != "fault" and v["failed"] and not v["problem"])
            ctl = sum(1 for k, v in r.items() if v["kind"] != "fault" and not v["problem"])
            print(f"{ph:6} {pl}: valid {len(valid)}, caught {valid.count('caught')}, missed {valid.count('MISSED')}, "
                  f"controls/clean/states run {ctl}, false alarms {alarms}")
