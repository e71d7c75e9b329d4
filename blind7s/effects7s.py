"""(blind7s, from blind5's effects5.py) Show a fault's consequence (what a user, the next deploy/rollback or an attacker gets), on containers of the
campaign's own snapshot (bootstrap, deploy v1, deploy v2, docker commit), two at a time: inject the fault exactly
as the campaign does, then a shell as root (``before``), a pipeline step (deploy v3 / rollback / status / login)
and a shell as root (``after``).

    python blind7s/effects7s.py PLATFORM ID [ID ...]
"""
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from deploytests import pipeline
from deploytests.config import load_config
from deploytests.faults.catalogue import Fault
from deploytests.faults.run import Campaign, Item
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

from faults import ALLOWED, BLIND7S, LATER

APP = APPS / "yourapplication"
H = "-H 'Host: localhost' http://127.0.0.1"
# consequence: (shell as root before the step, step or None, shell as root after)
HOME = "l=$(getent passwd {login} | cut -d: -f6); "


def pth(tag: str) -> str:
    """The deploy login plants a .pth in its live release's venv that records who ran it."""
    return ("d=$(ls -d {root}/current/venv/lib/python*/site-packages); "
            f"printf 'import os; open(\"/tmp/{tag}-ran-as\", \"w\").write(str(os.getuid()))\\n' > $d/zz-{tag}.pth; "
            f"chown {{login}} $d/zz-{tag}.pth; rm -f /tmp/{tag}-ran-as")


EFFECT = {
    "s01": ("mkdir -p /tmp/repo; : > /tmp/repo/Packages; printf 'Origin: x\\nSuite: x\\nCodename: x\\n' > /tmp/repo/Release; "
            "echo 'deb file:/tmp/repo ./' > /tmp/repo.list", None,
            "apt-config dump | grep -i -E 'AllowUnauthenticated|AllowInsecure'; "
            "apt-get update -o Dir::Etc::sourcelist=/tmp/repo.list -o Dir::Etc::sourceparts=- >/tmp/u.log 2>&1; "
            "echo \"apt-get update of an unsigned repository: exit $?\"; grep -i -E 'not signed|^E:|^W:' /tmp/u.log | head -2; "
            "apt-get update -o Dir::Etc::sourcelist=/tmp/repo.list -o Dir::Etc::sourceparts=- -o Acquire::AllowInsecureRepositories=false "
            ">/tmp/u2.log 2>&1; echo \"the same with the stock setting: exit $?\"; grep -m1 '^E:' /tmp/u2.log"),
    "s02": ("rm -f /tmp/k2*; ssh-keygen -q -t ed25519 -N '' -f /tmp/k2; " + HOME + "cat /tmp/k2.pub >> $l/.ssh/authorized_keys", None,
            "ssh -i /tmp/k2 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ExitOnForwardFailure=yes "
            "-f -N -R 0.0.0.0:8443:127.0.0.1:80 {login}@127.0.0.1; sleep 1; grep ':20FB ' /proc/net/tcp; a=$(hostname -i | cut -d' ' -f1); "
            "curl -s -i -H 'Host: localhost' http://$a:8443/ | head -1; echo '(port 8443 on every interface, opened by the deploy login)'"),
    "s03": ("", None,
            "runuser -u pki -- sh -c 'cd /var/lib/pki; rm -f k3*; ssh-keygen -q -t ed25519 -N \"\" -f k3; ssh-keygen -q -s user_ca -I attacker -n {login} k3.pub; "
            "ssh -i k3 -o CertificateFile=k3-cert.pub -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes {login}@127.0.0.1 sudo -n id' 2>&1 | tail -1"),
    "s04": ("setsid nohup python3 -c 'import socket, time; s = [socket.create_connection((\"127.0.0.1\", 22)) for _ in range(3)]; time.sleep(120)' "
            "</dev/null >/dev/null 2>&1 & sleep 3", "login",
            "rm -f /tmp/k4*; ssh-keygen -q -t ed25519 -N '' -f /tmp/k4; ssh -i /tmp/k4 -o ConnectTimeout=10 -o StrictHostKeyChecking=no "
            "-o UserKnownHostsFile=/dev/null -o BatchMode=yes {login}@127.0.0.1 true 2>&1 | tail -1"),
    "s05": ("curl -s -o /dev/null -d 'username=alice&password=hunter2-s05' -H 'Cookie: session=s3cr3t-s05' " + H + "/health", None,
            "sleep 1; grep -c -E 'hunter2-s05|s3cr3t-s05' /var/log/apache2/error.log; grep -m1 -o 'password=hunter2-s05' /var/log/apache2/error.log; "
            "ls -l /var/log/apache2/error.log"),
    "s06": ("", None, "ls -l {config}; runuser -u nobody -- cat $(readlink -f {config}) | grep SECRET_KEY; runuser -u www-data -- cat $(readlink -f {config}) | grep -c SECRET_KEY; curl -s " + H + "/"),
    "s07": ("", None, "runuser -u nobody -- rsync rsync://127.0.0.1/app/shared/application.cfg /tmp/s07.cfg && grep SECRET_KEY /tmp/s07.cfg; "
            "echo '# written by nobody' > /tmp/s07; chmod 644 /tmp/s07; runuser -u nobody -- rsync /tmp/s07 rsync://127.0.0.1/app/s07-proof; "
            "ls -l {root}/s07-proof"),
    "s08": ("printf 'open(\"/tmp/s08-ran-as\", \"w\").write(str(os.getuid()))\\n' > /tmp/s08.py; chmod 644 /tmp/s08.py; "
            "runuser -u {app_user} -- sh -c 'cat /tmp/s08.py >> {root}/application.wsgi; touch {root}/application.wsgi' && echo 'the app user appended to application.wsgi'", None,
            "grep -c s08-ran-as {root}/application.wsgi; curl -s -o /dev/null " + H + "/; sleep 1; echo \"ran as uid $(cat /tmp/s08-ran-as)\""),
    "s09": ("", None, "ssh-keyscan -t rsa 127.0.0.1 2>/dev/null | ssh-keygen -lf -"),
    "r01": ("", "rollback", "readlink {root}/current; readlink -f {root}/current/venv; curl -s -i " + H + "/ | grep -i -E '^HTTP|x-deploy'"),
    "r02": ("", "rollback", "readlink {root}/current; curl -s -i " + H + "/ | head -1"),
    "r03": ("", "rollback", "readlink {root}/current; curl -s -i " + H + "/ | head -1"),
    "r04": ("", "rollback", "ls -l {root}/releases/{prev}/RELEASE.json; readlink {root}/current; curl -s -i " + H + "/ | head -1"),
    "r05": ("", "rollback", "ls {root}/releases; readlink {root}/current; curl -s -i " + H + "/ | grep -i -E '^HTTP|x-deploy'"),
    "r06": ("", "rollback", "readlink {root}/current; curl -s -i " + H + "/ | head -1"),
    "r07": ("", "rollback", "readlink {root}/current; curl -s -i " + H + "/ | head -1; grep -m1 -i 'error' /var/log/apache2/error.log | tail -c 300"),
    "m01": ("", None,
            "runuser -u {login} -- python3 -c \"import fcntl, os, time; fd = os.open('{root}/.deploy.lock', os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); "
            "print('deploy A holds the lock', os.fstat(fd).st_ino, flush=True); time.sleep(6)\" & sleep 2; "
            "touch -d '10 minutes ago' {root}/.deploy.lock; sh -c \"$(sed -n 's/^[^#A-Z].* root //p' /etc/cron.d/stale-locks)\"; "
            "runuser -u {login} -- python3 -c \"import fcntl, os; fd = os.open('{root}/.deploy.lock', os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('deploy B got the lock too', os.fstat(fd).st_ino)\"; wait"),
    "m02": ("", "deploy-slow-post",
            "s=$(date +%s); runuser -u {login} -- sudo -n -u {app_user} {root}/current/venv/bin/python -c 'import time; time.sleep(15); print(\"finished\")'; "
            "echo \"exit $? after $(( $(date +%s) - s )) s\""),
    "m03": ("curl -s " + H + "/; curl -s " + H + "/", None,
            "logrotate -f /etc/logrotate.d/yourapplication; ls -la {root}/shared/data; curl -s " + H + "/; curl -s -i " + H + "/health | head -1"),
    "m04": ("", "deploy+runner-get", ""),
    "m05": ("", None, "kill -WINCH $(cat /var/run/apache2/apache2.pid); sleep 3; pgrep -x apache2 || echo 'apache2: no process left'; "
            "curl -s -m 5 -i " + H + "/ | head -1; echo \"curl exit $?\""),
    "m06": ("", "deploy", "curl -s -i " + H + "/health | grep -i x-deploy"),
    "m07": ("", "deploy", "id {app_user}"),
    "a01": ("", "http-status-xff", ""),
    "a02": ("", "deploy", "for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{{http_code}} ' " + H + "/health; done; echo"),
    "a03": ("", None, "runuser -u oncall -- sudo -n /usr/bin/less /var/log/apache2/../../../etc/shadow | head -2"),
    "a04": ("", None, "readlink {root}/current; p=$(pgrep -u {app_user} -f 'current/venv/bin/python -c' | tail -1); ps -o user,pid,args -p $p; "
            "grep -o '/var/www/[^ ]*' /proc/$p/maps | sort -u | head -3"),
    "a04z": ("", None, "readlink {root}/current; p=$(pgrep -u {app_user} -f 'current/venv/bin/python -c' | tail -1); ps -o user,ppid,pid,args -p $p; "
             "grep -o '/var/www/[^ ]*' /proc/$p/maps | sort -u | head -3"),
    "ctl": ("", "rollback", "readlink {root}/current; curl -s -i " + H + "/ | grep -i -E '^HTTP|x-deploy'"),
}


def sh(box, text, label):
    res = box.exec_run(["sh", "-c", text], user="root")
    out = res.output.decode(errors="replace").strip().splitlines()[-25:]
    return f"  [{label}] $ {text[:240]}\n  rc={res.exit_code}\n" + "\n".join("  | " + ln for ln in out)


def one(camp, fault, server, container):
    fid = fault.id.split("-")[0]
    before, step, after = EFFECT[fid]
    v = dict(camp.values)
    lines = [f"==== {fault.id}: {fault.what}"]
    try:
        if before:
            lines.append(sh(container, before.format(**v), "before"))
        if step:
            try:
                if step == "deploy":
                    r = pipeline.deploy(server.new_connection(), camp.cfg, camp.variant(3))
                    lines.append(f"  deploy v3: ok {r.release_id}")
                elif step == "deploy2":
                    for n in (3, 4):
                        r = pipeline.deploy(server.new_connection(), camp.cfg, camp.variant(n))
                        lines.append(f"  deploy v{n}: ok {r.release_id} pruned={r.pruned}")
                elif step == "config-rollback":
                    import dataclasses
                    other = camp.workdir / "other.cfg"
                    other.write_bytes(Path(camp.cfg.config_file).read_bytes().replace(b"docker", b"other!"))
                    r = pipeline.deploy(server.new_connection(), dataclasses.replace(camp.cfg, config_file=other),
                                        camp.artifact)
                    lines.append(f"  config-only deploy (CONFIG_NAME other!): ok {r.release_id} config_changed={r.config_changed}")
                    r = pipeline.rollback(server.new_connection(), camp.cfg)
                    lines.append(f"  rollback: ok {r}")
                elif step == "rollback":
                    r = pipeline.rollback(server.new_connection(), camp.cfg)
                    lines.append(f"  rollback: ok {r}")
                elif step == "status":
                    r = pipeline.status(server.new_connection(), camp.cfg)
                    lines.append(f"  status: ok {str(r)[:300]}")
                elif step == "login":
                    r = server.new_connection().run("true", hide=True, warn=True)
                    lines.append(f"  ssh login as {server.user}: exit {r.exited}")
                elif step == "root-login":
                    key = server.key_filename
                    p = subprocess.run(["ssh", "-i", str(key), "-p", str(server.port), "-o", "StrictHostKeyChecking=no",
                                        "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o",
                                        "ConnectTimeout=20", f"root@{server.host}", "id"],
                                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
                    lines.append(f"  ssh root@{server.host}:{server.port} with the deploy key: rc={p.returncode} {p.stdout.strip()} {p.stderr.strip()[-200:]}")
                elif step == "root-password":
                    import paramiko
                    cl = paramiko.SSHClient()
                    cl.set_missing_host_key_policy(paramiko.AutoAddPolicy())
                    cl.connect(server.host, port=server.port, username="root", password="Summer2026!", timeout=20,
                               allow_agent=False, look_for_keys=False)
                    _, out, _ = cl.exec_command("id")
                    lines.append(f"  ssh root@{server.host}:{server.port} with the password: {out.read().decode().strip()}")
                    cl.close()
                elif step == "deploy+runner-get":
                    r = pipeline.deploy(server.new_connection(), camp.cfg, camp.variant(3))
                    lines.append(f"  deploy v3: ok {r.release_id}")
                    import requests
                    g = requests.get(server.base_url.rstrip("/") + "/", headers={"Host": "localhost"}, timeout=20)
                    lines.append(f"  GET {server.base_url.rstrip('/')}/ from the runner: {g.status_code} {g.text[:80]!r}")
                    g = requests.get(server.base_url.rstrip("/") + "/health", headers={"Host": "localhost"}, timeout=20)
                    lines.append(f"  GET {server.base_url.rstrip('/')}/health from the runner: {g.status_code} {g.text[:80]!r}")
                elif step == "http-status-xff":
                    import requests
                    for hdrs in ({}, {"X-Forwarded-For": "127.0.0.1"}):
                        g = requests.get(server.base_url.rstrip("/") + "/server-status", headers={"Host": "localhost", **hdrs}, timeout=20)
                        lines.append(f"  GET /server-status from the runner {hdrs}: {g.status_code} "
                                     f"{[ln for ln in g.text.splitlines() if 'Server Version' in ln or 'requests currently' in ln][:2]}")
                elif step == "deploy-slow-post":
                    import dataclasses
                    slow = dataclasses.replace(camp.cfg, post_deploy=[*camp.cfg.post_deploy, "sleep 15"])
                    r = pipeline.deploy(server.new_connection(), slow, camp.variant(3))
                    lines.append(f"  deploy v3 with a post_deploy of 15 s: ok {r.release_id}")
                elif step == "http-status":
                    p = subprocess.run(["curl", "-s", "--max-time", "20", f"{server.base_url.rstrip('/')}/server-status"],
                                       capture_output=True, text=True, timeout=60)
                    got = [ln for ln in p.stdout.splitlines() if "Server Version" in ln or "requests currently" in ln]
                    lines.append(f"  GET {server.base_url.rstrip('/')}/server-status from the runner: {got[:2]}")
            except Exception as exc:  # noqa: BLE001
                lines.append(f"  {step} FAILED: {type(exc).__name__}: {str(exc)[:1200]}")
        if after:
            lines.append(sh(container, after.format(**v), "after"))
    except Exception:  # noqa: BLE001
        lines.append(traceback.format_exc())
    return "\n".join(lines)


platform = sys.argv[1]
ids = sys.argv[2:]
CONTROL = Fault("ctl-noop", "control", "no fault (the control for an effect)", "true")
faults = [f for i in ids for f in BLIND7S + ALLOWED + LATER + (CONTROL,) if f.id.startswith(i + "-")]
camp = Campaign(APP, load_config(APP), faults=faults, clean=0, batch=2, progress=print, stack=for_platform(platform))
tag = camp.snapshot()
print("snapshot", tag, camp.base, flush=True)
try:
    for i in range(0, len(faults), 2):
        batch = [Item(f.id, "fault", fault=f) for f in faults[i:i + 2]]
        fleet, _ = camp.prepare(batch, tag)
        try:
            for item in batch:
                if item.problem:
                    print(f"==== {item.name}: INJECTION PROBLEM {item.problem}", flush=True)
            ok = [(it, s, c) for it, s, c in zip(batch, fleet.servers, fleet.containers, strict=True) if not it.problem]
            with ThreadPoolExecutor(max_workers=2) as pool:
                for text in pool.map(lambda a: one(camp, a[0].fault, a[1], a[2]), ok):
                    print(text, flush=True)
        finally:
            fleet.__exit__(None, None, None)
finally:
    camp.client.images.remove(camp.image.id, force=True)
