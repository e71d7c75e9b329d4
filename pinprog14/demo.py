"""pinprog14's demonstration on one Debian 12 container (not a test: its output is recorded in REPORT.md).

Three programs an admin allows, each a member of "an allowance of what runs or listens names a container, not
its content": a binary listening on *:9100 (a copy of python3.11 serving http.server, /usr/local/bin/ops-exporter),
a root Python agent on localhost:7071 (/usr/bin/python3 /usr/local/sbin/agent.py) and a process of the app user
(/usr/bin/python3 /opt/report/report.py). Then each is replaced by another program under the same name: the
exporter's binary swapped for perl serving a shell on the same port and path, the agent's script replaced by a
shell server, the report's script replaced. The gate of a given checkout (its .venv's python and its suite) runs
read-only against the container with the allowances given; each run prints its failure lines.

usage: python pinprog14/demo.py BRANCH_REPO MAIN_REPO
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
AGENT = """#!/usr/bin/python3
import http.server
http.server.HTTPServer(("127.0.0.1", 7071), http.server.SimpleHTTPRequestHandler).serve_forever()
"""
SHELL = """#!/usr/bin/python3
import socket, subprocess
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 7071)); s.listen()
while True:
    c, _ = s.accept(); subprocess.Popen(["/bin/sh", "-i"], stdin=c, stdout=c, stderr=c)
"""
REPORT = "import time\nwhile True:\n    time.sleep(60)\n"
EVIL = ("import os, time\nwhile True:\n    os.system('cp /var/www/yourapplication/shared/* /tmp/ 2>/dev/null')\n"
        "    time.sleep(60)\n")
START = r"""
cd /
setsid -f /usr/local/bin/ops-exporter -m http.server 9100 --bind 0.0.0.0 >/dev/null 2>&1 </dev/null
setsid -f /usr/bin/python3 /usr/local/sbin/agent.py >/dev/null 2>&1 </dev/null
setsid -f runuser -u yourapplication -- /usr/bin/python3 /opt/report/report.py >/dev/null 2>&1 </dev/null
sleep 2
"""
STOP = ("pkill -f '^/usr/local/bin/ops-exporter' || true\n"
        "pkill -f '^/usr/bin/python3 /usr/local/sbin/agent.py' || true\n"
        "pkill -f '^/usr/bin/python3 /opt/report/report.py' || true; sleep 1\n")
ADD = (f"cp /usr/bin/python3.11 /usr/local/bin/ops-exporter\nmkdir -p /opt/report\n"
       f"cat > /usr/local/sbin/agent.py <<'X'\n{AGENT}X\nchmod 755 /usr/local/sbin/agent.py\n"
       f"cat > /opt/report/report.py <<'X'\n{REPORT}X\n" + START)
# the same names, other programs: perl at the exporter's path serving a shell on its port; the agent's script a
# shell server; the report's script another job
PERL = ("use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 9100, Listen => 5, ReuseAddr => 1) or die; "
        "while (my $c = $s->accept) { if (!fork) { open STDIN, q(<&), $c; open STDOUT, q(>&), $c; exec q(/bin/sh) } }")
CHANGE = (STOP + "cp /usr/bin/perl /usr/local/bin/ops-exporter\n"
          f"cat > /usr/local/sbin/agent.py <<'X'\n{SHELL}X\ncat > /opt/report/report.py <<'X'\n{EVIL}X\n"
          f"cd / && setsid -f /usr/local/bin/ops-exporter -e '{PERL}' >/dev/null 2>&1 </dev/null\n"
          + START.replace("setsid -f /usr/local/bin/ops-exporter -m http.server 9100 --bind 0.0.0.0 >/dev/null 2>&1 "
                          "</dev/null\n", ""))
# last round's form of the allowances (no pin; the agent by its script alone, as that form named an interpreter's)
BARE = ('allow_listen = ["*:9100 root /usr/local/bin/ops-exporter", "localhost:7071 root /usr/local/sbin/agent.py"]\n'
        'allow_processes = ["yourapplication: /usr/bin/python3 /opt/report/report.py"]\n')


def gate(repo: Path, tmp: Path, s, key, known, extra: str) -> list[str]:
    """The failure lines (``test: - item``) of the repo's built-in suite read-only on the container."""
    (tmp / "targets.toml").write_text(
        f'[targets.ops]\nhosts = [{{ name = "web", address = "{s.user}@{s.host}:{s.port}", base_url = '
        f'"{s.base_url}" }}]\nidentity_file = "{key}"\nknown_hosts = "{known}"\ndeploy = false\n{extra}')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYTESTS_", "PYTEST_ADDOPTS"))}
    junit = tmp / "junit.xml"
    junit.unlink(missing_ok=True)
    proc = subprocess.run([str(repo / ".venv/bin/python"), "-m", "pytest",
                           str(repo / "deploytests/suite/test_promises.py"), "--target", "ops", "--targets-file",
                           str(tmp / "targets.toml"), "--app", str(APP), "-p", "no:cacheprovider", "-q", "--junitxml",
                           str(junit)], cwd=tmp, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    if not junit.exists():
        return ["NO JUNIT: " + (proc.stdout + proc.stderr).decode(errors="replace")[-2000:]]
    out = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        node = case.find("failure") if case.find("failure") is not None else case.find("error")
        if node is not None:
            text = (node.get("message") or "") + "\n" + (node.text or "")
            items = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text, re.M)}) or \
                [(node.get("message") or "").strip()]
            out += [f"{case.get('name')}: {i}" for i in items]
    return out


def show(title: str, lines: list[str]) -> list[str]:
    print(f"\n### {title}: {len(lines)} failure line(s)", flush=True)
    for ln in lines:
        print("  " + ln, flush=True)
    return lines


def pinned(lines: list[str]) -> str:
    """The allowances the gate's hints say to write, merged per key."""
    keys: dict[str, list[str]] = {}
    for ln in lines:
        for m in re.finditer(r"allow it: (allow_\w+) = \[(.*?)\] in ", ln):
            keys.setdefault(m.group(1), []).append(m.group(2))
    return "".join(f"{k} = [{', '.join(dict.fromkeys(v))}]\n" for k, v in keys.items())


def main(branch: Path, main_repo: Path) -> None:
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"pinprog14-demo-{os.getpid()}"
    tmp.mkdir(parents=True)
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="pinprog14demo", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        s, box = fleet.servers[0], fleet.containers[0]
        print(f"container {box.id[:12]}", flush=True)
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        run = lambda repo, extra="": gate(repo, tmp, s, fleet.key.path, fleet.known_hosts, extra)  # noqa: E731
        show("branch, clean server, no allowances (control)", run(branch))
        res = box.exec_run(["sh", "-ec", ADD], user="root")
        assert res.exit_code == 0, res.output.decode(errors="replace")
        first = show("branch, the three programs running, no allowances", run(branch))
        show("branch, last round's allowances (no pin)", run(branch, BARE))
        allow = pinned(first)
        print("\npinned allowances from the hints:\n" + allow, flush=True)
        show("branch, pinned allowances (control: the allowed programs unchanged)", run(branch, allow))
        show("main, last round's allowances, before the change", run(main_repo, BARE))
        res = box.exec_run(["sh", "-ec", CHANGE], user="root")
        assert res.exit_code == 0, res.output.decode(errors="replace")
        print(box.exec_run(["sh", "-c", "ps -eo pid,user,args | grep -E 'ops-exporter|agent.py|report.py' | "
                                  "grep -v grep; ss -ltnp"], user="root").output.decode(errors="replace"), flush=True)
        show("main, last round's allowances, after each program was replaced", run(main_repo, BARE))
        show("branch, pinned allowances, after each program was replaced", run(branch, allow))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
