"""Record data/baseline-stock.json: the host-baseline facts of running stock servers, read by the gate's own
collectors (the login collector as nobody, the root collector as root, apache2ctl not run), cut to what the
baseline rules read. Usage: python record_baseline.py baseline-stock.json KEY=CONTAINER=PYTHON ... (the
containers: the project's images started as the gate starts them, and debian:{bookworm,trixie}-slim with systemd,
procps, openssh-server, apache2, python3 and sudo installed from Debian's mirror)."""
import base64
import json
import shlex
import subprocess
import sys
import zlib
from pathlib import Path

WT = Path(__file__).resolve().parents[3]  # the repository
LOGIN = (WT / "deploytests/verify/collect_login.py").read_bytes()
ROOT = (WT / "deploytests/verify/collect_root.py").read_bytes()
ARGS = json.dumps({"app": "yourapplication", "app_user": "yourapplication", "deploy_user": "appuser"})
KEEP = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/tmp", "/var/tmp", "/dev/shm", "/run/lock",
        "/etc/ssh", "/etc/sysctl", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d",
        "/var/log/apache2", "/root/.ssh")


def run(name, cmd, source):
    nonce = b"0" * 32 + b"\n"
    out = subprocess.run(["docker", "exec", "-i", name, "sh", "-c", cmd], input=source + nonce,
                         capture_output=True, check=False).stdout.decode()
    line = [ln for ln in out.splitlines() if ln.startswith("@@DT-")][0]
    return json.loads(zlib.decompress(base64.b64decode(line.split(" ", 2)[2])))


def record(name, py):
    boot = "import sys; exec(compile(sys.stdin.buffer.read(%d), 'c', 'exec'))"
    q = shlex.quote
    login = run(name, f"su -s /bin/sh nobody -c {q(py + ' -I -S -c ' + q(boot % len(LOGIN)) + ' ' + q(ARGS))}",
                LOGIN)
    root = run(name, f"{py} -I -S -c {q(boot % len(ROOT))} {q(ARGS)} 3", ROOT)
    files = {p: e for p, e in {**login["files"], **root["files"]}.items() if p.startswith(KEEP)}
    dirs = {d: n for d, n in {**login["dirs"], **root["dirs"]}.items() if d.startswith(KEEP)}
    return {"files": files, "dirs": dirs, "shadow": root.get("shadow"), "time": root["time"], "uid": 0}


if __name__ == "__main__":
    out = json.loads(Path(sys.argv[1]).read_text()) if Path(sys.argv[1]).exists() else {}
    for spec in sys.argv[2:]:
        key, name, py = spec.split("=")
        out[key] = record(name, py)
        print(key, len(out[key]["files"]), out[key]["shadow"][:2])
    Path(sys.argv[1]).write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
