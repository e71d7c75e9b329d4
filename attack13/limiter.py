"""The deploy login's helper (atk_rlimit.sh): the moment its uid's copy of the gate's program appears (root's
collector after ``become``: a process of this uid whose command line names deploytests-collect-root), lower its
RLIMIT_NOFILE with prlimit(2) (allowed: same real/effective/saved uid and gid as this login), so every open(),
listdir() and socket() it makes fails with EMFILE while lstat/readlink go on. argv: the soft/hard limit (default 3),
how long to watch (s)."""
import os
import resource
import sys
import time

lim, done = int(sys.argv[1]) if sys.argv[1:] else 3, set()
until = time.time() + float(sys.argv[2] if sys.argv[2:] else 60)
me = os.getuid()
while time.time() < until:
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid in done:
            continue
        try:
            if b"deploytests-collect-root" not in open("/proc/%s/cmdline" % pid, "rb").read():
                continue
            status = open("/proc/%s/status" % pid).read()
            uid = int(status.split("Uid:")[1].split()[0])
            if uid != me:
                continue  # still root: not yet the reader
            resource.prlimit(int(pid), resource.RLIMIT_NOFILE, (lim, lim))
            done.add(pid)
            print("prlimit NOFILE=%d on pid %s" % (lim, pid), flush=True)
        except (OSError, IndexError, ValueError) as exc:
            if pid not in done and "Operation not permitted" in str(exc):
                print("refused on", pid, exc, flush=True)
                done.add(pid)
    time.sleep(0.002)
