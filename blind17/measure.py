# ruff: noqa
"""Run the blind fault set against the read-only gate on fresh deployed containers (4 at a time, sequential).

    .venv/bin/python blind17/measure.py debian12 [ids...]   -> blind17/results-<platform>.json

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


# after the first run, two injections were completed and four validity checks made exact (the faults are unchanged)
CHECK_FIX = {
    # the claimed harm is a root login by that key: the images' sshd_config says PermitRootLogin no (first value wins)
    "root-authorized-key-added": r"""grep -q vendor-support /root/.ssh/authorized_keys && ! /usr/sbin/sshd -T 2>/dev/null | grep -qi '^permitrootlogin no'""",
    "shadow-copy-in-var-backups": r"""test "$(stat -c %a /var/backups/shadow.before-edit)" = 644 && grep -q '^ops3:[$]' /var/backups/shadow.before-edit""",
    # the package's import needs its config's env var: the pyc is read instead (valid for the source, the hot-patch in it)
    "prev-pyc-from-a-hotfix": r"""python3 - $PREVSITE/$PKG/__init__.py <<'PYEOF'
import importlib.util, marshal, os, struct, sys
src = sys.argv[1]; st = os.stat(src); data = open(importlib.util.cache_from_source(src), "rb").read()
flags, mtime, size = struct.unpack("<III", data[4:16])
ok = flags == 0 and mtime == int(st.st_mtime) & 0xFFFFFFFF and size == st.st_size and "HOTFIX" in marshal.loads(data[16:]).co_names
sys.exit(0 if ok else 1)
PYEOF
""",
    # systemd-sysctl's order (by file name across its dirs, /etc first): the last value is what boot applies
    "sysctl-protected-symlinks-off": r"""python3 - <<'PYEOF'
import glob, os, sys
files = {}
for d in ("/usr/lib/sysctl.d", "/lib/sysctl.d", "/usr/local/lib/sysctl.d", "/run/sysctl.d", "/etc/sysctl.d"):
    for f in glob.glob(d + "/*.conf"):
        files[os.path.basename(f)] = f
value = None
for name in sorted(files) + ["/etc/sysctl.conf"]:
    for line in open(files.get(name, name)) if os.path.exists(files.get(name, name)) else []:
        k, _, v = line.partition("=")
        if k.strip().replace("/", ".") == "fs.protected_symlinks":
            value = v.strip()
sys.exit(0 if value == "0" else 1)
PYEOF
""",
}
INJECT_FIX = {
    # the images' accounts have no password hash ('*'): a copy of their shadow exposes nothing to crack; an admin
    # login with a password (for its sudo) is made first, as on a server where the copy matters
    "shadow-copy-in-var-backups": "useradd -m -s /bin/bash ops3; echo 'ops3:Winter-2026-x' | chpasswd; ",
    # the image has no ssl-cert package: Debian's default-ssl names its snakeoil pair, made here as make-ssl-cert would
    "default-ssl-enabled": "mkdir -p /etc/ssl/private; openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost "
                           "-keyout /etc/ssl/private/ssl-cert-snakeoil.key -out /etc/ssl/certs/ssl-cert-snakeoil.pem >/dev/null 2>&1; ",
}


def as_fault(entry: dict) -> Fault:
    entry = dict(entry, check=CHECK_FIX.get(entry["id"], entry["check"]),
                 inject=INJECT_FIX.get(entry["id"], "") + entry["inject"])
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
    tmp = Path(tempfile.mkdtemp(prefix="blind17-"))
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
