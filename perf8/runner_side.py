"""Scratch: the runner's CPU per host for the gate: one probe's reply (run in a container with docker exec, as the
gate's login), then parsed and every promise checked here, N times; CPU seconds of this process (parse, checks).

    python perf8/runner_side.py CONTAINER N
"""
import shlex
import statistics
import subprocess
import sys
import time

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.verify import facts as f
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify

cid, n = sys.argv[1], int(sys.argv[2])
cfg = load_config(APPS / "yourapplication")
stack = for_platform("debian12")
args = f.probe_args(cfg, "deployer", "appuser", stack)
nonce = f.new_nonce()
cmd = f.probe_command(args, stack.python)
res = subprocess.run(["docker", "exec", "-i", "-u", "appuser", cid, "sh", "-c", shlex.split(cmd)[2]],
                     input=b"".join(f.probe_stdin(nonce)), capture_output=True)
probe = f.ProbeResult(res.returncode, res.stdout.decode("utf-8", "surrogateescape"),
                      res.stderr.decode("utf-8", "replace"), nonce)
print(f"reply: {len(res.stdout) / 1024:.0f} KiB, exit {res.returncode}")
parse, check = [], []
for _ in range(n):
    t = time.process_time()
    from deploytests import untrusted
    from deploytests.verify.parse import facts as parsed
    raw, tree = f.read_root(probe), f.read_tree(probe)
    found = parsed(raw, tree, dict(args, python=stack.python))
    snapshot = found.pop("raw")
    remote = untrusted.data(found, multiline=f.MULTILINE)
    t1 = time.process_time()
    facts = f.Facts("lab", remote=remote, raw=snapshot, stack=stack)
    exp = Expected.from_config(cfg, "appuser", stack=stack, host="127.0.0.1", port=80)
    failed = 0
    for p in PROMISES:
        try:
            verify(p.id, facts, exp)
        except NotApplicable:
            pass
        except (AssertionError, Exception):  # noqa: BLE001 - no HTTP answers here: those checks fail
            failed += 1
    parse.append(t1 - t)
    check.append(time.process_time() - t1)
print(f"runner CPU per host: parse {statistics.median(parse):.3f}s, {len(PROMISES)} checks "
      f"{statistics.median(check):.3f}s (median of {n}; {failed} checks failed without the HTTP answers)")
