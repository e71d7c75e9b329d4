"""A process that keeps running after its main thread has exited: the kernel then shows its thread group leader as a
zombie (``State: Z``) with no command line, no ``exe`` and no open files, while its other thread runs on (and holds
its sockets). Run as the deploy login (or, from the app's code, as the app user): ``python3 zombie_leader.py [PORT]``.
It double-forks away from the session, listens on 127.0.0.1:PORT (0: none) and writes a line to /tmp/zl.<uid> each
10 s: it is alive."""
import ctypes
import os
import socket
import sys
import threading
import time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if os.fork():
    sys.exit(0)
os.setsid()
if os.fork():
    os._exit(0)
for fd in (0, 1, 2):
    os.dup2(os.open("/dev/null", os.O_RDWR), fd)


def work():
    srv = None
    if port:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen()
        srv.settimeout(10)
    while True:
        with open("/tmp/zl.%d" % os.getuid(), "a") as f:
            f.write("alive %d %s\n" % (os.getpid(), time.strftime("%T")))
        if srv:
            try:
                c, _ = srv.accept()
                c.sendall(b"hello from the hidden listener\n")
                c.close()
            except OSError:
                pass
        else:
            time.sleep(10)


threading.Thread(target=work).start()
time.sleep(0.5)
ctypes.CDLL(None).pthread_exit(None)  # the main thread ends (ctypes drops the GIL): the process does not
