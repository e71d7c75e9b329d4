"""Run as the deploy login: a daemon left after its session ends (double fork, setsid, cwd /), sleeping argv[1]
seconds; with argv[2] == "undumpable" it first makes itself non-dumpable (prctl PR_SET_DUMPABLE 0), which any
process may do to itself: the kernel then shows its /proc/<pid> as root's."""
import ctypes
import os
import sys
import time

if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
os.chdir("/")
for fd in (0, 1, 2):
    os.close(fd)
if sys.argv[2:] == ["undumpable"]:
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
time.sleep(float(sys.argv[1]))
