"""CPU seconds (user+sys, bash's `time` in the container) of each probe program alone, run as the probe runs it
(sent compiled, the same arguments), median of N. Uses guard12/lab.json's first host.

    python guard12/programs_cpu.py (copied from perf11) [N]
"""
import json, statistics, subprocess, sys, shlex
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, __import__("os").environ.get("CODE") or str(ROOT))  # CODE: another checkout
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import facts as F

cfg = load_config(APPS / "yourapplication")
info = json.loads((ROOT / "guard12" / "lab.json").read_text())[0]
name = subprocess.run(["docker", "inspect", "-f", "{{.Name}}", info["container_id"]], capture_output=True,
                      text=True).stdout.strip().lstrip("/")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
args = F.probe_args(cfg, cfg.deploy_user or "deployer", "appuser")
nonce = "0" * 32
progs = {
    "login collector": ("appuser", F._program("/usr/bin/python3", F.LOGIN_SOURCE, "l", F.root_args(args)),
                        F.LOGIN_SOURCE + nonce.encode() + b"\n"),
    "root collector": ("root", F._program("/usr/bin/python3", F.ROOT_SOURCE, "r", F.root_args(args)) + " 0",
                       F.ROOT_SOURCE + nonce.encode() + b"\n"),
    "tree reader": ("deployer", F._program("/usr/bin/python3", F.READER_SOURCE, "t", F.reader_args(args)),
                    F.READER_SOURCE),
    "python -I -S -c pass": ("appuser", "/usr/bin/python3 -I -S -c pass", b""),
}
for what, (user, cmd, stdin) in progs.items():
    res = []
    for _ in range(n):
        p = subprocess.run(["docker", "exec", "-i", "-u", user, name, "bash", "-c",
                            "TIMEFORMAT='%U %S'; time (" + cmd + " >/dev/null 2>&1)"], input=stdin,
                           capture_output=True)
        u, s = p.stderr.decode().split()[-2:]
        res.append(float(u) + float(s))
    print("%-22s %.3f s (min %.3f)" % (what, statistics.median(res), min(res)))
