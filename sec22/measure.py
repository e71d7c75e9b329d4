# ruff: noqa
"""Run the blind fault set against the read-only gate on fresh deployed containers (4 at a time, sequential).

    .venv/bin/python sec22/measure.py debian12 [ids...]   -> sec22/results-<platform>.json

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
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import faults as blind  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.faults.catalogue import Fault  # noqa: E402
from deploytests.faults.run import Campaign, Item  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"


# corrections after a run (the faults unchanged): a check made exact, an injection completed
CHECK_FIX: dict = {
    # the first check wanted "proxy" in the body: Apache's 503 for a closed port says "Service Unavailable" only; a
    # 502/503 for an absolute URI to a closed port is the forward proxy answering (without it: the vhost's 200/404)
    "apache-open-forward-proxy": r"""python3 - "$PORT" <<'PXEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET http://127.0.0.1:9/ HTTP/1.0\r\nHost: 127.0.0.1:9\r\n\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.split(b"\r\n")[0])
sys.exit(0 if data.split(b"\r\n")[0].split(b" ")[1:2] in ([b"502"], [b"503"]) else 1)
PXEOF""",
    # Apache's parent maps the file after the graceful's re-read: wait for it (up to 10 s), not 2 s
    "apache-loadfile-of-other-login": r"""i=0; until grep -q /opt/ops/libapm.so /proc/$(APACHEPID)/maps || [ $i -ge 20 ]; do sleep 0.5; i=$((i+1)); done
grep -q /opt/ops/libapm.so /proc/$(APACHEPID)/maps && test "$(stat -c %U /opt/ops/libapm.so)" = "$OTH" """,
}
INJECT_FIX: dict = {}
INJECT_SET: dict = {}


def as_fault(entry: dict) -> Fault:
    entry = dict(entry, check=CHECK_FIX.get(entry["id"], entry["check"]),
                 inject=INJECT_FIX.get(entry["id"], "") + INJECT_SET.get(entry["id"], entry["inject"]))
    body = blind.PRELUDE + "\n" + entry["inject"] + "\n( " + entry["check"] + "\n) || exit 97\n"
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
    tmp = Path(tempfile.mkdtemp(prefix="sec22-"))
    camp = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=int(os.environ.get('BLIND_BATCH', '4')), cwd=tmp, progress=print,
                    stack=for_platform(platform), states=False)
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
