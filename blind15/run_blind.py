"""Run blind15's faults and controls on real containers (a deployed snapshot: live release + previous one).

python blind15/run_blind.py debian12 [ID_SUBSTRING ...]  -> prints the table, writes blind15/results-<platform>.json

Each fault: PRELUDE + inject as root (docker exec), then PRELUDE + check: valid only when the check exits 0.
Each control is a legitimate change: any failed test on it is a false alarm. One clean host per run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import faults as blind  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign, Item  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"
ALL = blind.FAULTS + getattr(blind, "MEMBERS", [])


def sh(container, body: str):
    res = container.exec_run(["bash", "-c", blind.PRELUDE + "\n" + body], user="root")
    return res.exit_code, res.output.decode(errors="replace").strip()[-300:]


class Blind(Campaign):
    valid: dict[str, str]

    def items(self):
        batches = super().items()
        controls = [Item(c["id"], "state", state=self.control(c)) for c in blind.CONTROLS if self.select(c["id"])]
        size = self.batch
        return batches + [controls[i:i + size] for i in range(0, len(controls), size)]

    def select(self, name: str) -> bool:
        return not self.only or any(s in name for s in self.only)

    def control(self, c):
        def make(campaign, server, container):
            code, out = sh(container, c["inject"])
            code2, out2 = sh(container, c["check"])
            self.valid[c["id"]] = "valid" if code2 == 0 else f"NOT VALID (inject {code}: {out}; check {code2}: {out2})"
        return make

    def make(self, item, server, container) -> None:
        if item.fault is None:
            return super().make(item, server, container)
        f = next(x for x in ALL if x["id"] == item.name)
        code, out = sh(container, f["inject"])
        code2, out2 = sh(container, f["check"])
        self.valid[item.name] = "valid" if code2 == 0 else f"NOT VALID (inject {code}: {out}; check {code2}: {out2})"


def main() -> None:
    platform, only = sys.argv[1], sys.argv[2:]
    faults = [Fault(f["id"], "?", f["harm"], "true") for f in ALL
              if not only or any(s in f["id"] for s in only)]
    campaign = Blind(APP, load_config(APP), faults=faults, clean=1, batch=3, cwd=HERE, progress=print,
                     stack=for_platform(platform), states=False)
    campaign.valid, campaign.only = {}, only
    report = campaign.run()
    rows = []
    for i in report.items:
        rows.append(dict(id=i.name, kind=i.kind, valid=campaign.valid.get(i.name, "-"), failed=i.failed,
                         passed=i.passed, skipped=i.skipped, problem=i.problem))
    print("\n".join(report.lines()))
    print()
    for r in rows:
        tests = sorted({t.split("::")[-1].split("[")[0] for t in r["failed"]})
        verdict = ("caught: " + ", ".join(tests)) if tests else ("MISSED" if r["kind"] == "fault" else "clean")
        print(f"{r['id']:<48} {r['kind']:<6} {r['valid'][:60]:<12} {verdict}")
    tag = "-".join(only) if only else "all"
    (HERE / f"results-{platform}-{tag}.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
