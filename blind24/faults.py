# ruff: noqa: E501  (shell scripts, one line each as an operator types them)
"""A blind fault set for the gate: 24 faults and 6 controls, written from README.md, docs/ and public anchors
only (DevSec apache/linux/ssh baselines, CIS Apache 2.4, mod_wsgi's configuration docs, Debian's packaging),
before reading the gate's code, its fault catalogue or its tests.

Each entry: name, kind (drift | security | rollback | mechanism | control), ``inject`` (bash run as root by
``docker exec`` on a deployed server with a live and a previous release), ``took`` (bash, exit 0 when the
injection took effect: a fault whose ``took`` fails is invalid and reported as such), ``expect`` and ``why``.

The preamble gives every script: ROOT (the app's tree), APP, APPUSER, APPGROUP, DEPLOY (the deploy login),
LIVE / PREV (release ids), PY (python3.X), PORT (the app's port).

Run: python3 blind24/faults.py CONTAINER NAME   (or ``list``)
"""

import subprocess
import sys

PREAMBLE = r'''
set -e
ROOT=$(dirname "$(ls -d /var/www/*/current | head -n 1)")
APP=$(basename "$ROOT")
APPUSER=$(head -n 1 /var/lib/deploytests/users)
APPGROUP=$(stat -c %G "$ROOT")
DEPLOY=$(stat -c %U "$ROOT")
LIVE=$(basename "$(readlink "$ROOT/current")")
PREV=$(ls "$ROOT/releases" | grep -vx "$LIVE" | sort | tail -n 1)
PY=$(basename "$(readlink -f "$ROOT/releases/$LIVE/venv/bin/python")")
PORT=$(grep -ho '<VirtualHost \*:[0-9]*' /etc/apache2/sites-enabled/$APP.conf | head -n 1 | cut -d: -f2)
reload() { apache2ctl -k graceful >/dev/null 2>&1 || true; sleep 2; }
'''

FAULTS = [
    # ---------------------------------------------------------------- realistic drift
    dict(name="data-file-rewritten-by-root", kind="drift",
         inject=r'''f=$(find "$ROOT/shared" -mindepth 2 -type f | head -n 1)
if [ -z "$f" ]; then f="$ROOT/shared/data/notes.db"; fi
mkdir -p "$(dirname "$f")"; cp "$f" /tmp/x 2>/dev/null || : > /tmp/x; rm -f "$f"; cp /tmp/x "$f"; chmod 0644 "$f"; rm -f /tmp/x''',
         took=r'''[ -n "$(find "$ROOT/shared" -mindepth 2 -type f -user root -perm -0004)" ]''',
         expect="caught: a file of the app's data the app user can no longer write (root's 0644)",
         why="the operator ran the app's init-data/management command as root at 3 a.m.: the data file is "
             "now root's 0644; the app reads it (200) but every write fails, and every local user reads it"),
    dict(name="apm-hook-in-python-sitecustomize", kind="drift",
         inject=r'''mkdir -p /opt/apm-agent && printf 'import os\nos.environ.setdefault("APM_ON", "1")\n' > /opt/apm-agent/apm_boot.py
chmod 0755 /opt/apm-agent; chmod 0644 /opt/apm-agent/apm_boot.py
printf '\n# APM agent (vendor install guide)\nimport sys\nsys.path.insert(0, "/opt/apm-agent")\ntry:\n    import apm_boot\nexcept Exception:\n    pass\n' >> /etc/$PY/sitecustomize.py
touch "$ROOT/application.wsgi"; sleep 2; curl -s -m 10 -o /dev/null http://127.0.0.1:$PORT/ || true''',
         took=r'''runuser -u "$APPUSER" -- /var/lib/deploytests/python/bin/python -c 'import sys; sys.exit(0 if "apm_boot" in sys.modules else 1)' ''',
         expect="caught: code no package ships loaded into the daemons through the stack's sitecustomize",
         why="a vendor's APM guide appends an import to /etc/python3.X/sitecustomize.py (a conffile): every "
             "python of the box, the app's daemons included, runs /opt code first"),
    dict(name="support-tunnel-left-running", kind="drift",
         inject=r'''cd /; setsid nohup ssh -N -o StrictHostKeyChecking=no -o ProxyCommand='sleep 86400' -R 8022:127.0.0.1:22 -R 8080:127.0.0.1:$PORT support@relay.vendor.example >/dev/null 2>&1 < /dev/null &
sleep 1''',
         took=r'''pgrep -u root -f 'ssh -N .*-R 8022' >/dev/null''',
         expect="caught: a root process outside any session holding a reverse tunnel to sshd and the app",
         why="a vendor's support tunnel (ssh -R of sshd and the app to a relay) started by root and left: "
             "whoever holds the relay reaches this server's sshd and app from outside"),
    dict(name="hotfix-copy-of-live-release-left", kind="drift",
         inject=r'''cp -a "$ROOT/releases/$LIVE" "$ROOT/releases/$LIVE-hotfix"
m=$(find "$ROOT/releases/$LIVE-hotfix/venv/lib" -path '*site-packages/*' -name '__init__.py' -not -path '*dist-info*' | head -n 1)
printf '\n# hotfix: skip auth check\n' >> "$m"''',
         took=r'''[ -d "$ROOT/releases/$LIVE-hotfix" ]''',
         expect="caught: a release dir no deploy made (a rollback or prune may take it)",
         why="a hotfix tried on a copy of the live release in releases/ and left: its name sorts after the "
             "live one, so a rollback or a prune by order may pick code nobody reviewed"),
    dict(name="state-dir-closed", kind="drift",
         inject=r'''chmod 0700 /var/lib/deploytests''',
         took=r'''! runuser -u "$APPUSER" -- test -x /var/lib/deploytests/python/bin/python''',
         expect="caught: the daemons' python-home unreachable by the app user (the next daemon start fails)",
         why="'lock down root's state dir' hardening: the daemons' python-home is below it; the running "
             "daemons still answer 200, the next deploy's restart fails to start Python"),
    dict(name="maintenance-lock-left-held", kind="drift",
         inject=r'''cd /; setsid nohup flock "$ROOT/.deploy.lock" sleep 86400 >/dev/null 2>&1 < /dev/null &
sleep 1''',
         took=r'''pgrep -u root -f "flock $ROOT/.deploy.lock" >/dev/null''',
         expect="caught: a root process holding the deploy lock (every deploy and rollback waits)",
         why="a maintenance window froze deploys with flock on the deploy lock and the holder was never "
             "stopped: the site answers, every deploy and rollback hangs on the lock"),
    # ---------------------------------------------------------------- security regressions
    dict(name="qa-account-with-password-login", kind="security",
         inject=r'''useradd -m -s /bin/bash qa; echo 'qa:qa2026' | chpasswd
sed -i '1i # QA logins (temporary)\nPasswordAuthentication yes' /etc/ssh/sshd_config''',
         took=r'''sshd -T 2>/dev/null | grep -qi '^passwordauthentication yes' && getent shadow qa | grep -q '\$' ''',
         expect="caught: sshd takes passwords from the network for a login with a shell",
         why="a QA account with a guessable password and password logins switched on for it: the network "
             "gets a shell by guessing (DevSec ssh-baseline: PasswordAuthentication no)"),
    dict(name="binfmt-interpreter-of-the-deploy-login", kind="security",
         inject=r'''mkdir -p /opt/tools /etc/binfmt.d; chown "$DEPLOY" /opt/tools
printf '#!/bin/sh\nexec java -jar "$@"\n' > /opt/tools/jarwrapper; chown "$DEPLOY" /opt/tools/jarwrapper; chmod 0755 /opt/tools/jarwrapper
printf ':jar:E::jar::/opt/tools/jarwrapper:OC\n' > /etc/binfmt.d/jar.conf''',
         took=r'''[ -f /etc/binfmt.d/jar.conf ] && [ "$(stat -c %U /opt/tools/jarwrapper)" = "$DEPLOY" ]''',
         expect="caught: a binfmt_misc interpreter (registered at boot, credentials flag) the deploy login owns",
         why="the kernel runs the registered interpreter for every .jar anyone executes, with the binary's "
             "credentials (C): the deploy login's script runs as whoever runs a jar, root too"),
    dict(name="deploy-login-keypair-readable-by-all", kind="security",
         inject=r'''H=$(getent passwd "$DEPLOY" | cut -d: -f6)
runuser -u "$DEPLOY" -- ssh-keygen -q -t ed25519 -N '' -C git-pull@server -f "$H/.ssh/id_gitpull"
chmod 0644 "$H/.ssh/id_gitpull"; chmod o+x "$H" "$H/.ssh"
cat "$H/.ssh/id_gitpull.pub" >> "$H/.ssh/authorized_keys"''',
         took=r'''H=$(getent passwd "$DEPLOY" | cut -d: -f6); runuser -u "$APPUSER" -- cat "$H/.ssh/id_gitpull" >/dev/null''',
         expect="caught: a private key that opens the deploy login, readable by every local user (the app too)",
         why="a key made on the server for a git pull loop and added to the deploy login's authorized_keys, "
             "left 0644: the app's code (or any local user) logs in as the deploy login and changes releases"),
    dict(name="apache-log-dir-writable-by-app-group", kind="security",
         inject=r'''chgrp "$APPGROUP" /var/log/apache2; chmod 2770 /var/log/apache2''',
         took=r'''runuser -u "$APPUSER" -- test -w /var/log/apache2''',
         expect="caught: a directory root (Apache's parent, logrotate) opens files in, writable by the app",
         why="'let the app write its own logs next to Apache's': the app plants a link as error.log and "
             "Apache's root parent appends to any file at its next start; logrotate acts there as root"),
    dict(name="sysctl-ip-forward-left-on", kind="security",
         inject=r'''printf 'net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.accept_redirects = 1\nnet.ipv4.conf.all.send_redirects = 1\n' > /etc/sysctl.d/60-vpn.conf''',
         took=r'''grep -q 'ip_forward = 1' /etc/sysctl.d/60-vpn.conf''',
         expect="caught: boot turns the host into a router accepting ICMP redirects (linux-baseline sysctl-01..)",
         why="left from a VPN/docker experiment: at the next boot the server forwards packets between its "
             "networks and takes redirects (DevSec linux-baseline, CIS Debian 3.1/3.2)"),
    dict(name="cron-service-umask-opened", kind="security",
         inject=r'''mkdir -p /etc/systemd/system/cron.service.d
printf '[Service]\nUMask=0000\n' > /etc/systemd/system/cron.service.d/umask.conf''',
         took=r'''grep -q 'UMask=0000' /etc/systemd/system/cron.service.d/umask.conf''',
         expect="caught: every root cron job's files made world-writable from the next start of cron",
         why="a drop-in to 'fix a permission denied' of a shared report: root's jobs (backups, logs) now make "
             "files every local user may change"),
    # ---------------------------------------------------------------- broken rollback targets
    dict(name="kept-release-closed-to-the-app", kind="rollback",
         inject=r'''chmod -R go-rwx "$ROOT/releases/$PREV"''',
         took=r'''[ -n "$PREV" ] && ! runuser -u "$APPUSER" -- test -r "$ROOT/releases/$PREV/venv/pyvenv.cfg"''',
         expect="caught: a rollback target the daemons' user cannot read",
         why="'old releases should not be readable' clean-up: the deploy login still reads them (its own), "
             "the daemons would not: a rollback switches to a release that cannot import"),
    dict(name="kept-release-acl-denies-the-app", kind="rollback",
         inject=r'''uid=$(id -u "$APPUSER")
/var/lib/deploytests/python/bin/python - "$ROOT/releases/$PREV" "$uid" <<'PY'
import os, struct, sys, stat
top, uid = sys.argv[1], int(sys.argv[2])
def acl(mode):
    e = [(1, (mode >> 6) & 7, 0xFFFFFFFF), (2, 0, uid), (4, (mode >> 3) & 7, 0xFFFFFFFF),
         (0x10, (mode >> 3) & 7, 0xFFFFFFFF), (0x20, mode & 7, 0xFFFFFFFF)]
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *x) for x in e)
os.setxattr(top, "system.posix_acl_access", acl(stat.S_IMODE(os.stat(top).st_mode)))
PY''',
         took=r'''[ -n "$PREV" ] && ! runuser -u "$APPUSER" -- test -r "$ROOT/releases/$PREV/venv/pyvenv.cfg"''',
         expect="caught: a rollback target an ACL entry closes to the daemons' user (mode bits unchanged)",
         why="an ACL written to 'quarantine' an old release from the app: ls -l shows the same bits, the "
             "daemons cannot enter it after a rollback"),
    dict(name="kept-config-copy-made-roots", kind="rollback",
         inject=r'''for f in "$ROOT"/.configs/*; do cp "$f" /tmp/c; rm -f "$f"; (umask 077; cp /tmp/c "$f"); done; rm -f /tmp/c''',
         took=r'''[ -n "$(find "$ROOT/.configs" -type f -user root)" ]''',
         expect="caught: kept config copies the deploy login cannot read (a rollback cannot put them back)",
         why="a root 'restore from backup' of .configs under umask 077: root's 0600 copies; the next "
             "rollback cannot read the config its release started with"),
    dict(name="sudo-rule-narrowed-to-the-live-release", kind="rollback",
         inject=r'''f=$(ls /etc/sudoers.d/deploytests-* | head -n 1)
sed -i "s#$ROOT/releases/\*/venv/bin/python#$ROOT/releases/$LIVE/venv/bin/python#" "$f"''',
         took=r'''! grep -q "releases/\*/venv" /etc/sudoers.d/deploytests-*''',
         expect="caught: the deploys' sudo rule no longer lets a kept release's python run as the app user",
         why="'tighten the wildcard' security review: the deploy login may run only the live release's python "
             "as the app user, so a rollback's check of its target (and the next deploy's) is refused"),
    dict(name="kept-release-data-link-moved", kind="rollback",
         inject=r'''l=$(find "$ROOT/releases/$PREV" -maxdepth 1 -type l | head -n 1)
mkdir -p /var/tmp/app-data-migration; ln -sfn /var/tmp/app-data-migration "$l"''',
         took=r'''[ "$(readlink "$(find "$ROOT/releases/$PREV" -maxdepth 1 -type l | head -n 1)")" = /var/tmp/app-data-migration ]''',
         expect="caught: a kept release's shared link leading out of shared/ (a rollback writes the app's data into /var/tmp)",
         why="a data migration half done: the previous release's shared link points at a scratch dir in "
             "/var/tmp; a rollback runs the app on the wrong, world-enterable data"),
    dict(name="kept-release-env-debug-on", kind="rollback",
         inject=r'''f="$ROOT/releases/$PREV/RELEASE.json"
runuser -u "$DEPLOY" -- /var/lib/deploytests/python/bin/python - "$f" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
env = d.get("env")
if isinstance(env, dict):
    env["FLASK_DEBUG"] = "1"
else:
    d["env"] = {"FLASK_DEBUG": "1"}
open(p, "w").write(json.dumps(d, indent=2))
PY''',
         took=r'''grep -q FLASK_DEBUG "$ROOT/releases/$PREV/RELEASE.json"''',
         expect="caught: a kept release's recorded env changed since its deploy",
         why="the previous release's recorded env edited ('to debug a rollback'): a rollback would run it with "
             "Flask's debugger on (code execution for whoever triggers an error)"),
    # ---------------------------------------------------------------- mechanisms disabled by configuration
    dict(name="error-log-format-drops-messages", kind="mechanism",
         inject=r'''printf 'ErrorLogFormat "[%%t] [%%l] [pid %%P]"\n' > /etc/apache2/conf-available/errorlog-short.conf
a2enconf -q errorlog-short; reload''',
         took=r'''apache2ctl configtest >/dev/null 2>&1 && apache2ctl -t -D DUMP_INCLUDES 2>/dev/null | grep -q errorlog-short''',
         expect="caught: the error log in force keeps no message (%M dropped): the app's tracebacks are gone",
         why="a 'shorter log lines' format from a blog: every error line is a timestamp and a pid, no "
             "message; a failed deploy's or rollback's cause is never written"),
    dict(name="error-log-linked-to-null", kind="mechanism",
         inject=r'''ln -sf /dev/null /var/log/apache2/error.log; reload''',
         took=r'''[ "$(readlink /var/log/apache2/error.log)" = /dev/null ]''',
         expect="caught: the error log Apache writes is a link to /dev/null",
         why="'error.log fills the disk' at 3 a.m.: linked to /dev/null and Apache reloaded; the site "
             "answers, every error since goes nowhere"),
    dict(name="logrotate-reload-removed", kind="mechanism",
         inject=r'''sed -i '/postrotate/,/endscript/d' /etc/logrotate.d/apache2''',
         took=r'''! grep -q postrotate /etc/logrotate.d/apache2''',
         expect="caught: Apache's logs rotated without a reload (it writes into the rotated, then deleted file)",
         why="a half-finished edit of Apache's logrotate file ('the reload drops connections'): from the second "
             "night Apache writes into a compressed-away, deleted file: no logs"),
    dict(name="wsgi-lazy-initialization-off", kind="mechanism",
         inject=r'''printf 'WSGILazyInitialization Off\n' > /etc/apache2/conf-available/wsgi-tuning.conf
a2enconf -q wsgi-tuning; apache2ctl -k restart >/dev/null 2>&1 || true; sleep 3''',
         took=r'''apache2ctl -t -D DUMP_INCLUDES 2>/dev/null | grep -q wsgi-tuning && curl -s -m 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/ | grep -q 200''',
         expect="caught: Python initialized in Apache's root parent, before the daemons (python-home no longer the daemons' own)",
         why="a 'faster startup' tuning: mod_wsgi initializes Python in the root parent process and the "
             "daemons inherit it; what the daemons load is no longer what the vhost's python-home says"),
    dict(name="wsgi-trusts-every-proxy-header", kind="mechanism",
         inject=r'''printf 'WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto X-Forwarded-Host\nWSGITrustedProxies 0.0.0.0/1 128.0.0.0/1\n' > /etc/apache2/conf-available/behind-lb.conf
a2enconf -q behind-lb; reload''',
         took=r'''apache2ctl configtest >/dev/null 2>&1 && apache2ctl -t -D DUMP_INCLUDES 2>/dev/null | grep -q behind-lb''',
         expect="caught: mod_wsgi takes every client's X-Forwarded-* as its address, scheme and host",
         why="'we are behind a load balancer' snippet trusting all addresses: any client sets REMOTE_ADDR, "
             "https and the Host the app builds links with (password-reset links to an attacker's host)"),
    dict(name="authorization-header-stripped", kind="mechanism",
         inject=r'''a2enmod -q headers
printf 'RequestHeader unset Authorization\n' > /etc/apache2/conf-available/no-auth-leak.conf
a2enconf -q no-auth-leak; apache2ctl -k restart >/dev/null 2>&1 || true; sleep 3''',
         took=r'''apache2ctl -t -D DUMP_INCLUDES 2>/dev/null | grep -q no-auth-leak && apache2ctl -M 2>/dev/null | grep -q headers_module''',
         expect="caught: the Authorization header the vhost passes to the app (WSGIPassAuthorization On) removed before it",
         why="'stop tokens leaking into logs': the app's API tokens and Basic logins never reach it; every "
             "authenticated call fails while / answers 200"),
]

CONTROLS = [
    dict(name="cis-request-limits", kind="control",
         inject=r'''printf 'LimitRequestFields 100\nLimitRequestLine 8190\nLimitRequestFieldSize 8190\nTimeout 60\nKeepAliveTimeout 5\n' > /etc/apache2/conf-available/cis-limits.conf
a2enconf -q cis-limits; reload''',
         took=r'''apache2ctl -t -D DUMP_INCLUDES 2>/dev/null | grep -q cis-limits''',
         expect="pass, or one line naming allow_apache_conf", why="CIS Apache 2.4 request limits"),
    dict(name="logrotate-keeps-longer", kind="control",
         inject=r'''sed -i 's/rotate 14/rotate 52/; s/^\tdaily/\tweekly/' /etc/logrotate.d/apache2''',
         took=r'''grep -q 'rotate 52' /etc/logrotate.d/apache2''',
         expect="pass, or one line naming an allowance", why="longer log retention (audit asked for a year)"),
    dict(name="weekly-graceful-restart", kind="control",
         inject=r'''printf 'SHELL=/bin/sh\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n30 4 * * 0 root /usr/sbin/apache2ctl graceful\n' > /etc/cron.d/apache-graceful; chmod 0644 /etc/cron.d/apache-graceful''',
         took=r'''[ -f /etc/cron.d/apache-graceful ]''',
         expect="pass, or one line naming allow_cron", why="a weekly graceful restart (a leak workaround)"),
    dict(name="sysctl-tuning", kind="control",
         inject=r'''printf 'net.core.somaxconn = 1024\nvm.swappiness = 10\nnet.ipv4.tcp_fin_timeout = 30\n' > /etc/sysctl.d/70-tuning.conf''',
         took=r'''[ -f /etc/sysctl.d/70-tuning.conf ]''',
         expect="pass", why="ordinary network/memory tuning"),
    dict(name="security-headers", kind="control",
         inject=r'''a2enmod -q headers
printf 'Header always set X-Content-Type-Options nosniff\nHeader always set X-Frame-Options SAMEORIGIN\n' > /etc/apache2/conf-available/sec-headers.conf
a2enconf -q sec-headers; apache2ctl -k restart >/dev/null 2>&1 || true; sleep 3''',
         took=r'''curl -sI -m 10 http://127.0.0.1:$PORT/ | grep -qi nosniff''',
         expect="pass, or lines naming allow_apache_conf and allow_modules", why="DevSec/CIS security headers"),
    dict(name="admin-motd-and-bash-aliases", kind="control",
         inject=r'''printf 'Production web server: changes through the deploy pipeline only.\n' > /etc/motd
printf "alias ll='ls -alF'\n" > /etc/profile.d/aliases.sh; chmod 0644 /etc/profile.d/aliases.sh''',
         took=r'''[ -f /etc/profile.d/aliases.sh ]''',
         expect="pass, or one line naming an allowance", why="an admin's motd and aliases"),
]

# Written after reading the gate (not part of the blind measure): another member of each class closed.
AFTER = [
    dict(name="kept-release-lib-acl-read-without-search", kind="rollback",
         inject=r'''uid=$(id -u "$APPUSER")
python3 - "$ROOT/releases/$PREV/venv/lib" "$uid" <<'PY'
import os, struct, sys
d, uid = sys.argv[1], int(sys.argv[2])
e = lambda t, p, i: struct.pack("<HHI", t, p, i & 0xFFFFFFFF)
os.setxattr(d, "system.posix_acl_access", struct.pack("<I", 2) + e(1, 7, -1) + e(2, 4, uid) + e(4, 5, -1)
            + e(16, 5, -1) + e(32, 5, -1))
PY''',
         took=r'''[ -n "$PREV" ] && ! runuser -u "$APPUSER" -- test -r "$ROOT/releases/$PREV/venv/lib/$PY/site-packages"''',
         expect="caught: a named user entry giving the app user read but no search on a kept release's venv/lib",
         why="'read-only for the app' written as r-- on a directory: the app user may list venv/lib but not "
             "enter it; a rollback's daemons cannot import anything"),
]
AFTER += [
    dict(name="support-login-password-in-a-match-block", kind="security",
         inject=r'''useradd -m -s /bin/sh support; echo 'support:Support1' | chpasswd
printf '\n# vendor support access\nMatch User support\n    PasswordAuthentication yes\n' >> /etc/ssh/sshd_config''',
         took=r'''sshd -T -C user=support,host=x,addr=192.0.2.1 2>/dev/null | grep -qi '^passwordauthentication yes' ''',
         expect="caught: sshd takes a password for the support login (a Match block), /bin/sh",
         why="a vendor's support account with a password, password logins switched on for it alone at the end "
             "of sshd_config: the network guesses its way to a shell"),
]

ALL = {f["name"]: f for f in FAULTS + CONTROLS + AFTER}


def run(container, name):
    f = ALL[name]
    inj = subprocess.run(["docker", "exec", "-u", "0", container, "bash", "-c", PREAMBLE + f["inject"]],
                         capture_output=True, text=True)
    took = subprocess.run(["docker", "exec", "-u", "0", container, "bash", "-c", PREAMBLE + f["took"]],
                          capture_output=True, text=True)
    return inj.returncode, took.returncode == 0, (inj.stderr + took.stderr)[-400:]


if __name__ == "__main__":
    if sys.argv[1] == "list":
        for f in FAULTS + CONTROLS:
            print(f["kind"], f["name"])
    else:
        print(run(sys.argv[1], sys.argv[2]))
