# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""In the container: run ``sh -c CMD < STDIN`` and print the CPU seconds of it and its children (JSON line)."""
import json
import resource
import subprocess
import sys

cmd, stdin, out = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(stdin, "rb") as f:
    p = subprocess.run(["sh", "-c", open(cmd).read()], stdin=f, capture_output=True)
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
if out:
    open(out, "wb").write(p.stdout)
print(json.dumps({"cpu": round(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, 4),
                  "user": round(r1.ru_utime - r0.ru_utime, 4), "sys": round(r1.ru_stime - r0.ru_stime, 4),
                  "rc": p.returncode, "out": len(p.stdout), "err": p.stderr[-300:].decode(errors="replace")}))
