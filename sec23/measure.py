# ruff: noqa
"""Run the blind fault set against the read-only gate on fresh deployed containers (a few at a time).

    PYTHONPATH=/tmp/sec23-main .venv/bin/python sec23/measure.py debian12 [--tag=NAME] [ids...]
        -> sec23/results-<platform>[-NAME].json

Which deploytests is measured is the one first on sys.path (PYTHONPATH: a clean export of main, or the worktree);
the gate's pytest subprocess inherits PYTHONPATH, so it runs the same code. The script prints the path it imported.
Each item: a fresh container of a snapshot deployed twice (live + previous release), the fault injected as root,
its validity check run (exit 97 = the injection did not take effect or grants nothing: INVALID, not counted),
then the gate read-only (--no-deploy) against the batch.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(1, str(HERE))

import faults as blind  # noqa: E402

import deploytests  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign, Item  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"
# a loaded shared machine (load 40-60 on 2 cores): sshd in a fresh container takes longer than the campaign's 30 s
Campaign.ready = property(lambda self: float(os.environ.get("SEC23_READY", "180")))  # type: ignore[assignment]


def as_fault(entry: dict) -> Fault:
    body = blind.PRELUDE + "\n" + entry["inject"] + "\n( " + entry["check"] + "\n) || exit 97\n"
    return Fault(entry["id"], "blind", entry["harm"], body.replace("{", "{{").replace("}", "}}"))


def main(platform: str, args: list[str]) -> None:
    tag_out = next((o[6:] for o in args if o.startswith("--tag=")), "")
    only = [o for o in args if not o.startswith("--")]
    print("deploytests imported from", Path(deploytests.__file__).parent, flush=True)
    entries = [e for e in blind.F if not only or e["id"] in only]
    faults = [as_fault(e) for e in entries]
    kinds = {e["id"]: e["kind"] for e in entries}
    tmp = Path(tempfile.mkdtemp(prefix="sec23-"))
    camp = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=int(os.environ.get("BLIND_BATCH", "5")),
                    cwd=tmp, progress=print, stack=for_platform(platform), states=False)
    tag = camp.snapshot()
    print("snapshot", tag, camp.base, flush=True)
    items = [Item(f.id, "fault", fault=f) for f in faults]
    if not only:
        items.append(Item("clean-1", "clean"))
    out = HERE / f"results-{platform}{'-' + tag_out if tag_out else ''}.json"
    results: dict = {}
    try:
        for n in range(0, len(items), camp.batch):
            batch = items[n:n + camp.batch]
            fleet = None
            for attempt in range(3):
                try:
                    fleet, _ = camp.prepare(batch, tag)
                    break
                except Exception as exc:  # a loaded machine: again
                    print("prepare failed:", type(exc).__name__, str(exc)[:200], flush=True)
                    for i in batch:
                        i.problem = ""
            if fleet is None:
                for i in batch:
                    results[i.name] = dict(kind=kinds.get(i.name, i.kind), failed=[], problem="NOT RUN", passed=0,
                                           skipped=0)
                    print(f"{i.name:42} NOT RUN (no container answered)", flush=True)
                continue
            try:
                camp.gate(batch, fleet)
            finally:
                fleet.__exit__(None, None, None)
            for i in batch:
                kind = kinds.get(i.name, i.kind)
                results[i.name] = dict(kind=kind, failed=i.failed, problem=i.problem, passed=i.passed,
                                       skipped=i.skipped)
                verdict = ("INVALID " + i.problem[-160:]) if i.problem else \
                    ("FAILED " + ", ".join(t.split("::")[-1].split("[")[0] for t in i.failed)) if i.failed else "passed"
                print(f"{i.name:42} {kind:8} {verdict}", flush=True)
            out.write_text(json.dumps(results, indent=1))
    finally:
        camp.remove_image()
    print("workdir", camp.workdir, "runs in", camp.workdir)
    f = [r for r in results.values() if r["kind"] == "fault" and not r["problem"]]
    m = [r for r in results.values() if r["kind"] == "member" and not r["problem"]]
    c = [r for r in results.values() if r["kind"] in ("control", "clean") and not r["problem"]]
    print(f"members caught {sum(1 for r in m if r['failed'])}/{len(m)} valid")
    print(f"faults caught {sum(1 for r in f if r['failed'])}/{len(f)} valid; controls/clean failing "
          f"{sum(1 for r in c if r['failed'])}/{len(c)}; invalid {sum(1 for r in results.values() if r['problem'])}",
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
