"""Run as an unprivileged login on the server: what an ordinary app's temp or cache files do (made, removed), as
fast as it goes, in a directory the walk lists (argv[1], default /var/tmp/churn), for argv[2] seconds (default
30): 500 files and a directory, made and removed in turn."""
import os
import sys
import time

top = sys.argv[1] if len(sys.argv) > 1 else "/var/tmp/churn"
end = time.time() + float(sys.argv[2] if len(sys.argv) > 2 else 30)
os.makedirs(top, exist_ok=True)
n, d = 0, top + "/tmpdir"
names = ["%s/cache%03d" % (top, i) for i in range(500)]
while time.time() < end:
    for f in names:
        os.close(os.open(f, os.O_CREAT | os.O_WRONLY, 0o600))
    os.mkdir(d)
    for f in names:
        os.unlink(f)
    os.rmdir(d)
    n += 1
print("churn rounds:", n)
