# ruff: noqa
"""Run the blind fault set against the read-only gate on fresh deployed containers (4 at a time, sequential).

    .venv/bin/python blind22/measure.py debian12 [ids...]   -> blind22/results-<platform>.json

Each item: a fresh container of a snapshot deployed twice (live + previous release), the fault injected as root,
its validity check run (exit 97 = the injection did not take effect: not counted), then the gate read-only.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODE = os.environ.get("BLIND_CODE", str(HERE.parent))  # main measured from a clean export, never this worktree
sys.path.insert(0, CODE)
sys.path.insert(0, str(HERE))

import faults as blind  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign, Item  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"


# corrections after a run (the faults unchanged): a check made exact, an injection completed
CHECK_FIX: dict = {}
INJECT_FIX: dict = {}
INJECT_SET: dict = {
    # usermod refuses while the deploy login has a process (the harness's): the same renumbering done the way an
    # operator then does it, vipw (the passwd line) and its home chowned (the fault unchanged: the tree keeps the old uid)
    "deploy-login-uid-renumbered": 'sed -i "s/^$DEPU:x:$(id -u $DEPU):/$DEPU:x:4343:/" /etc/passwd; chown -R 4343 $DEPH',
    # useradd leaves the password locked ('!'), which sshd without PAM refuses for keys too: '*' (no password, not
    # locked), as an operator gives a key-only login
    "alias-login-with-app-uid": [e for e in blind.F if e["id"] == "alias-login-with-app-uid"][0]["inject"]
                                + "\nusermod -p '*' appdebug",
}


def as_fault(entry: dict) -> Fault:
    entry = dict(entry, check=CHECK_FIX.get(entry["id"], entry["check"]),
                 inject=INJECT_FIX.get(entry["id"], "") + INJECT_SET.get(entry["id"], entry["inject"]))
    body = blind.PRELUDE + "\n" + entry["inject"] + "\n( " + entry["check"] + " ) || exit 97\n"
    # Fault.command goes through str.format: braces doubled
    return Fault(entry["id"], "blind", entry["harm"], body.replace("{", "{{").replace("}", "}}"))


def main(platform: str, only: list[str]) -> None:
    after, states = "--after" in only, "--states" in only
    tag_out = next((o[6:] for o in only if o.startswith("--tag=")), "")
    only = [o for o in only if o not in ("--after", "--states") and not o.startswith("--tag=")]
    if after:
        import after as later
    entries = [e for e in blind.F + (later.ENTRIES if after else []) if not only or e["id"] in only]
    faults = [as_fault(e) for e in entries]
    kinds = {e["id"]: e["kind"] for e in entries}
    tmp = Path(tempfile.mkdtemp(prefix="blind22-"))
    camp = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=int(os.environ.get('BLIND_BATCH', '4')), cwd=tmp, progress=print,
                    stack=for_platform(platform), states=False)
    import deploytests
    print("code", deploytests.__file__, flush=True)
    tag = camp.snapshot()
    print("snapshot", tag, camp.base, flush=True)
    items = [Item(f.id, "fault", fault=f) for f in faults] + [Item("clean-1", "clean")]
    if states:  # the pipeline's legitimate states (after a rollback, a refused release ...): controls
        from deploytests.faults.run import STATES
        items += [Item(name, "state", state=fn) for name, fn in STATES.items()]
    out = HERE / f"results-{platform}{'-after' if after else ''}{'-' + tag_out if tag_out else ''}.json"
    results = {}
    try:
        for n in range(0, len(items), camp.batch):
            batch = items[n:n + camp.batch]
            try:
                fleet, _ = camp.prepare(batch, tag)
            except Exception as exc:  # (a loaded machine: sshd slow to start) once more, then give up on the batch
                print("prepare failed, once more:", type(exc).__name__, exc, flush=True)
                for i in batch:
                    i.problem = ""
                try:
                    fleet, _ = camp.prepare(batch, tag)
                except Exception as exc:  # (still no sshd: the batch is recorded as not run, the rest goes on)
                    print("prepare failed twice, batch not run:", [i.name for i in batch], type(exc).__name__, flush=True)
                    for i in batch:
                        results[i.name] = dict(kind=kinds.get(i.name, i.kind), failed=[], problem="NOT RUN",
                                               passed=[], skipped=[])
                    continue
            try:
                camp.gate(batch, fleet)
            finally:
                fleet.__exit__(None, None, None)
            for i in batch:
                results[i.name] = dict(kind=kinds.get(i.name, i.kind), failed=i.failed, problem=i.problem,
                                       passed=i.passed, skipped=i.skipped)
                print(f"{i.name:45} {kinds.get(i.name, i.kind):8} "
                      f"{'INVALID ' + i.problem[-120:] if i.problem else ('FAILED ' + ', '.join(t.split('::')[-1].split('[')[0] for t in i.failed)) if i.failed else 'passed'}",
                      flush=True)
            out.write_text(json.dumps(results, indent=1))
    finally:
        camp.remove_image()
    print("workdir", camp.workdir)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
