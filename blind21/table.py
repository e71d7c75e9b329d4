# ruff: noqa
"""Merge the runs' result files into one line per fault and platform (later files override earlier ones).

    .venv/bin/python blind21/table.py   -> the table REPORT.md holds, and one summary line per phase and platform
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import after  # noqa: E402
import faults  # noqa: E402

# before: main's code. results-debian12.json (the whole set, run before any edit); results-debian13.json (its first
# five batches ran main's code; the later ones ran while the fix was being written in this worktree and are replaced
# by results-debian13-after-rerun-main.json, main's code again, with after.py's members); members on Debian 12:
# results-debian12-after-members-main.json. after: this branch's code.
RUNS = {
    "before": {"debian12": ["results-debian12.json", "results-debian12-after-members-main.json",
                            "results-debian12-after-members-main2.json", "results-debian12-after-members-main3.json",
                            "results-debian12-after-members-main4.json", "results-debian12-after-members-main5.json"],
               "debian13": ["results-debian13.json", "results-debian13-after-rerun-main.json",
                            "results-debian13-after-rerun-main2.json", "results-debian13-after-rerun-main3.json",
                            "results-debian13-after-rerun-main4.json", "results-debian13-after-rerun-main5.json"]},
    "after": {pl: [f"results-{pl}-after-after.json", f"results-{pl}-after-after3.json",
                   f"results-{pl}-after-after4.json", f"results-{pl}-after-after5.json"] for pl in ("debian12", "debian13")},
}
# judged after reading the pipeline (not misses: no harm here)
VOID = {
    "environment-http-proxy-no-bypass": "the deploy's health probe is a plain socket to 127.0.0.1 (agent.probe): no "
                                        "proxy variable is read (and these images' sshd runs without PAM)",
    "pip-conf-user-install": "deploys run no pip on the server: the prebuilt tree is extracted, or pypa's installer runs",
    "cis-umask-027-for-every-session": "the agent sets its own umask 022 first (agent.main)",
    "bash-bashrc-banner-on-stdout": "the runner reads '@@DT {json}' event lines from stdout and leaves other text aside "
                                    "(pipeline.remote); the gate's probe passed with the banner too",
    "sshd-sftp-subsystem-removed": "the pipeline uses no SFTP (one exec channel: pipeline.remote)",
}
# the injection took effect but the clean host is in the same state: no fault to tell apart
INVALID = {
    "apt-sources-without-security-suite": "the project's images list the main suite only (debootstrap's one line): "
                                          "the clean host has no security source either",
}
# members tried that main already caught by another rule (the units rule: a mask link by hand): not counted
NOT_MEMBERS = {"after-ssh-masked", "after-apache-masked"}
NOT_CONTROLS = {
    "ctl-deploy-password-locked": "not harmless here: these images' sshd runs with UsePAM no, so a locked password "
                                  "refuses the key too (the docs say so); the gate could not log in (caught)",
}


def merged(phase, platform):
    out = merged("before", platform) if phase == "after" else {}
    for name in RUNS[phase][platform]:
        p = HERE / name
        if p.exists():
            out.update(json.loads(p.read_text()))
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
            mem = [i for i in members if i in r and i not in NOT_MEMBERS]
            ctl = [i for i in [e["id"] for e in faults.F if e["kind"] == "control"] + extra
                   if i in r and i not in NOT_CONTROLS]
            fa = [i for i in ctl if verdict(i, r.get(i)) == "FALSE ALARM"]
            print(f"{ph} {pl}: blind set {len(caught)}/{len(valid)} caught; members "
                  f"{sum(verdict(i, r.get(i)) == 'caught' for i in mem)}/{len(mem)} caught; false alarms {len(fa)} of "
                  f"{len(ctl)} controls/clean/states {fa}")


if __name__ == "__main__":
    main()
