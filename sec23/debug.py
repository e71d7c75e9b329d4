# ruff: noqa
"""Run one entry's injection and check with `sh -x` in a fresh container of IMAGE (no gate): why a fault is INVALID.

    python3 sec23/debug.py IMAGE ID
"""
import subprocess, sys, uuid
sys.path.insert(0, __file__.rsplit("/", 1)[0])
import faults as blind

image, fid = sys.argv[1], sys.argv[2]
e = next(e for e in blind.F if e["id"] == fid)
name = "sec23-dbg-" + uuid.uuid4().hex[:6]
subprocess.run(["docker", "run", "-d", "--name", name, "--label", "sec23=1", image], check=True, capture_output=True)
try:
    subprocess.run(["sleep", "6"])
    body = blind.PRELUDE + "\n" + e["inject"] + "\nset +e\n( set -x; " + e["check"] + "\n); echo CHECK-RC=$?\n"
    r = subprocess.run(["docker", "exec", name, "sh", "-c", body], capture_output=True, text=True)
    print(r.stdout[-3000:], r.stderr[-5000:])
finally:
    subprocess.run(["docker", "rm", "-f", name], capture_output=True)
