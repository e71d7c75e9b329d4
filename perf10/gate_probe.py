"""Where a release's gate waits, on a scenario container with the app's 2 daemons: deploy v2 on the v1 snapshot with
Apache's LogLevel at info (mod_wsgi then logs each daemon's stop and start), and print the agent's steps beside the
error log's lines. Measurement only."""
import sys
import time

from deploytests.stacks import for_platform
from deploytests.suite.lab import Scenarios


def scenario(lab):
    lab.sudo("sed -i 's/^LogLevel .*/LogLevel info/' /etc/apache2/apache2.conf && apache2ctl graceful && sleep 3"
             " && : > /var/log/apache2/error.log")
    for name in ("yourapplication-v2", "yourapplication"):
        t0 = time.time()
        marks = []
        r = lab.deploy(name, progress=lambda h, step, s, m, marks=marks, t0=t0: marks.append(
            (time.time() - t0, step, round(s, 2))))
        print(name, f"{r.seconds:.2f}s", [(f"{t:.2f}", s, d) for t, s, d in marks])
        log = lab.sudo("cat /var/log/apache2/error.log; : > /var/log/apache2/error.log")
        for line in log.splitlines():
            if "wsgi" in line.lower() and ("Starting" in line or "Shutdown" in line or "Stopping" in line
                                           or "modified" in line or "Exiting" in line or "Attach" in line
                                           or "Initializ" in line or "Imported" in line or "Loading" in line):
                stamp = line[1:].split("]")[0].split()[3]
                h, m, s = stamp.split(":")
                secs = int(h) * 3600 + int(m) * 60 + float(s)
                lt = time.gmtime(t0)
                base = lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (t0 % 1)
                print(f"   {secs - base:6.2f} {line.split('] ', 3)[-1][:150]}")


runner = Scenarios(workers=1)
run = runner.submit("probe", "probe", for_platform(sys.argv[1] if len(sys.argv) > 1 else "debian12"), scenario, {},
                    processes=None)
try:
    run.result(300)
finally:
    runner.close()
    print("\n".join(run.notes))
