"""Scratch: which of the gate's checks cost the runner's CPU per host (one recorded probe reply, each check timed).

    python perf8/checks_profile.py CONTAINER
"""
import shlex
import subprocess
import sys
import time

from deploytests import untrusted
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.verify import facts as f
from deploytests.verify.parse import facts as parsed
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify

cid = sys.argv[1]
cfg = load_config(APPS / "yourapplication")
stack = for_platform("debian12")
args = f.probe_args(cfg, "deployer", "appuser", stack)
nonce = f.new_nonce()
res = subprocess.run(["docker", "exec", "-i", "-u", "appuser", cid, "sh", "-c",
                      shlex.split(f.probe_command(args, stack.python))[2]],
                     input=b"".join(f.probe_stdin(nonce)), capture_output=True)
probe = f.ProbeResult(res.returncode, res.stdout.decode("utf-8", "surrogateescape"), "", nonce)
costs: dict[str, float] = {}
for _ in range(3):
    found = parsed(f.read_root(probe), f.read_tree(probe), dict(args, python=stack.python))
    snapshot = found.pop("raw")
    facts = f.Facts("lab", remote=untrusted.data(found, multiline=f.MULTILINE), raw=snapshot, stack=stack)
    exp = Expected.from_config(cfg, "appuser", stack=stack, host="127.0.0.1", port=80)
    for p in PROMISES:
        t = time.process_time()
        try:
            verify(p.id, facts, exp)
        except (NotApplicable, AssertionError, Exception):  # noqa: BLE001
            pass
        costs[p.id] = costs.get(p.id, 0.0) + (time.process_time() - t) / 3
for pid, c in sorted(costs.items(), key=lambda kv: -kv[1])[:10]:
    print(f"{c:.4f}s {pid}")
print(f"all {sum(costs.values()):.3f}s")

if len(sys.argv) > 2:  # cProfile of one check: python perf8/checks_profile.py CONTAINER CHECK_ID
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(3):
        try:
            verify(sys.argv[2], facts, exp)
        except (NotApplicable, AssertionError, Exception):  # noqa: BLE001
            pass
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
