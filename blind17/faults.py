# ruff: noqa
"""A blind fault set: written from the docs only (README, docs/, the shared notes), before reading any gate code.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm.

Every snippet runs after PRELUDE, which finds the deployed state on the server itself (no placeholders from the
project's own catalogue code):
  APP app name, R app root, APPU app user, APPG app group, DEPU deploy user (owner of R), LIVE/PREV release ids,
  REL live release dir, PREVREL previous release dir, SITE/PREVSITE their site-packages, PYV python X.Y,
  PKG the app's top package (from the entry point), CFG the config path, SH0 the first shared dir (path).
"""

PRELUDE = r"""
set -e
SUD=$(ls /etc/sudoers.d/deploytests-* | head -n 1); APP=${SUD##*/deploytests-}
VH=/etc/apache2/sites-available/$APP.conf
R=$(sed -n 's|^ *WSGIScriptAlias / \(.*\)/application.wsgi.*|\1|p' $VH | head -n 1)
APPU=$(sed -n 's/.*WSGIDaemonProcess [^ ]* .*user=\([^ ]*\).*/\1/p' $VH | head -n 1)
APPG=$(stat -c %G $R)
DEPU=$(stat -c %U $R)
LIVE=$(readlink $R/current | sed 's|releases/||')
PREV=$(ls $R/releases | grep -v "^$LIVE$" | sort | tail -n 1)
REL=$R/releases/$LIVE
PREVREL=$R/releases/$PREV
SITE=$(ls -d $REL/venv/lib/python3*/site-packages)
PREVSITE=$(ls -d $PREVREL/venv/lib/python3*/site-packages)
PYV=$(basename $(dirname $SITE) | sed 's/python//')
PKG=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entry_point"].split(":")[0].split(".")[0])' $REL/RELEASE.json)
CFG=$(find $R/shared -maxdepth 1 -type f | head -n 1)
SH0=$(find $R/shared -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ7m0Zb2q3bq0ZkVtq4yUuYh0F9o6W8s9Zq1mX0aB1cD"
"""

F = []


def fault(id, area, inject, check, harm, kind="fault"):
    F.append(dict(id=id, kind=kind, area=area, inject=inject.strip(), check=check.strip(), harm=harm))


def control(id, area, inject, check, harm):
    fault(id, area, inject, check, harm, kind="control")



# ---------------------------------------------------------------- what serves
fault("default-ssl-enabled", "serves", r"""
a2enmod -q ssl; a2ensite -q default-ssl; apache2ctl graceful; sleep 1
""", r"""apache2ctl -S 2>/dev/null | grep -q ':443'""",
      "an operator 'turned on https' with Debian's default-ssl site: /var/www/html on 443 beside the app")

fault("userdir-public-html", "serves", r"""
useradd -m -s /bin/bash ops; mkdir -p /home/ops/public_html; echo hi > /home/ops/public_html/index.html
chown -R ops:ops /home/ops/public_html; chmod 755 /home/ops
a2enmod -q userdir; apache2ctl graceful; sleep 1
""", r"""apache2ctl -M 2>/dev/null | grep -q userdir""",
      "mod_userdir: every login's ~/public_html is served on the app's site; what a login puts there is the site's")

fault("backups-alias-conf", "serves", r"""
printf 'Alias /backups /var/backups\n<Directory /var/backups>\n  Options +Indexes\n  Require all granted\n</Directory>\n' > /etc/apache2/conf-available/backups.conf
a2enconf -q backups; apache2ctl graceful; sleep 1
""", r"""test -L /etc/apache2/conf-enabled/backups.conf && curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/backups/ | grep -q 200""",
      "an operator's download alias: /var/backups (dpkg status, passwd backups) listed to anyone on every site")

fault("mpm-workers-cut-in-place", "serves", r"""
sed -i 's/^\(\s*MaxRequestWorkers\s*\).*/\14/' /etc/apache2/mods-available/mpm_event.conf
apache2ctl graceful; sleep 1
""", r"""grep -Eq '^\s*MaxRequestWorkers\s+4$' /etc/apache2/mods-available/mpm_event.conf""",
      "a 'low-memory tuning' edit of Debian's mpm_event.conf: 4 slow clients hold every worker")

fault("admin-wsgi-app-embedded", "serves", r"""
mkdir -p /srv/admin; printf 'def application(e, s):\n    s("200 OK", [("Content-Type", "text/plain")])\n    return [b"admin"]\n' > /srv/admin/admin.wsgi
printf 'WSGIScriptAlias /admin /srv/admin/admin.wsgi\n<Directory /srv/admin>\n  Require all granted\n</Directory>\n' > /etc/apache2/conf-available/admin.conf
a2enconf -q admin; apache2ctl graceful; sleep 1
""", r"""curl -s http://127.0.0.1/admin | grep -q admin""",
      "a second WSGI app run in Apache's own workers (embedded mode) on every site: code that is not the release answers on the app's URL space")

fault("root-http-server-ipv6-any", "serves", r"""
cd /var/backups && setsid nohup python3 -m http.server --bind :: 8000 >/dev/null 2>&1 < /dev/null &
sleep 1.5
""", r"""grep -qi ':1F40 00000000000000000000000000000000:0000 0A' /proc/net/tcp6""",
      "root's python3 -m http.server left on [::]:8000 after copying a backup off: /var/backups to anyone")

fault("loopback-admin-vhost-on-logs", "serves", r"""
echo 'Listen 127.0.0.1:8080' >> /etc/apache2/ports.conf
printf '<VirtualHost 127.0.0.1:8080>\n  DocumentRoot /var/log\n  <Directory /var/log>\n    Options +Indexes\n    Require all granted\n  </Directory>\n</VirtualHost>\n' > /etc/apache2/sites-available/logs-local.conf
a2ensite -q logs-local; apache2ctl graceful; sleep 1
""", r"""apache2ctl -S 2>/dev/null | grep -q '127.0.0.1:8080'""",
      "a 'loopback only, for ssh -L' vhost serving /var/log: every local process (the app's code) reads Apache's logs root:adm keeps from it")

fault("deploy-login-http-server-left", "serves", r"""
runuser -u $DEPU -- setsid nohup python3 -m http.server --bind 127.0.0.1 8001 --directory $R >/dev/null 2>&1 < /dev/null &
sleep 1.5
""", r"""grep -qi ':1F41 00000000:0000 0A' /proc/net/tcp""",
      "the deploy login's http.server left after a debug session, serving the app's tree (its config too) to every local process")

# ---------------------------------------------------------------- what runs
fault("root-watcher-runs-shared-hook", "runs", r"""
printf '#!/bin/sh\n# run the post-upload hook the app leaves\nwhile :; do [ -f %s/post-upload.sh ] && sh %s/post-upload.sh; sleep 30; done\n' "$SH0" "$SH0" > /usr/local/sbin/upload-watch
chmod 755 /usr/local/sbin/upload-watch
setsid nohup /usr/local/sbin/upload-watch >/dev/null 2>&1 < /dev/null &
sleep 1
""", r"""pgrep -f /usr/local/sbin/upload-watch >/dev/null""",
      "a root watcher script left running runs whatever the app writes into its shared dir as root")

fault("www-data-script-hung", "runs", r"""
runuser -u www-data -- setsid nohup python3 -c 'import time; time.sleep(10**6)' >/dev/null 2>&1 < /dev/null &
sleep 1
""", r"""pgrep -u www-data -f 'time.sleep' >/dev/null""",
      "a maintenance script run as Apache's user by hand, hung and left: a process of www-data that is not Apache")

fault("deploy-login-tail-left", "runs", r"""
runuser -u $DEPU -- setsid nohup tail -f /dev/null >/dev/null 2>&1 < /dev/null &
sleep 1
""", r"""pgrep -u $DEPU -x tail >/dev/null""",
      "a deploy login's tail -f survived its SSH session (nohup): the deploy login runs things outside any session")

fault("apt-post-invoke-runs-release", "runs", r"""
printf 'DPkg::Post-Invoke { "cd %s/current && ./venv/bin/python -c \\"import %s\\" || true"; };\n' "$R" "$PKG" > /etc/apt/apt.conf.d/99app-warm-cache
""", r"""grep -q current /etc/apt/apt.conf.d/99app-warm-cache""",
      "an apt hook (every apt-get install/upgrade, as root) imports the app's release: the deploy login's code as root")

fault("profile-d-pythonpath-release", "runs", r"""
echo "export PYTHONPATH=$R/current/venv/lib/python$PYV/site-packages" > /etc/profile.d/app-env.sh
""", r"""grep -q site-packages /etc/profile.d/app-env.sh""",
      "every login shell (root's and admins' too) imports from the live venv first: root's python runs the deploy login's files")

fault("sshrc-sources-shared", "runs", r"""
printf '#!/bin/sh\n[ -r %s/motd.txt ] && . %s/motd.txt\n' "$SH0" "$SH0" > /etc/ssh/sshrc
""", r"""grep -q "$SH0" /etc/ssh/sshrc""",
      "/etc/ssh/sshrc (run by every SSH login, root's and admins') sources a file in the app's shared dir")

fault("sudo-secure-path-into-venv", "runs", r"""
echo "Defaults secure_path=\"$R/current/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"" > /etc/sudoers.d/app-path
chmod 440 /etc/sudoers.d/app-path
""", r"""visudo -c >/dev/null && grep -q venv/bin /etc/sudoers.d/app-path""",
      "sudo's secure_path starts with the live venv's bin/: an admin's 'sudo python3' or 'sudo flask' runs the release's python and scripts as root")

fault("sudo-env-keep-pythonpath", "grants", r"""
echo 'Defaults env_keep += "PYTHONPATH PYTHONHOME LD_LIBRARY_PATH"' > /etc/sudoers.d/keep-env
chmod 440 /etc/sudoers.d/keep-env
""", r"""visudo -c >/dev/null && grep -q PYTHONPATH /etc/sudoers.d/keep-env""",
      "a blog's sudo snippet keeps PYTHONPATH and LD_LIBRARY_PATH: whoever sudo runs a python or program for chooses what it loads")

# ---------------------------------------------------------------- what grants
fault("sudo-tail-logs-glob-for-deploy", "grants", r"""
echo "$DEPU ALL=(root) NOPASSWD: /usr/bin/tail -n 200 /var/log/apache2/*" > /etc/sudoers.d/deploy-logs
chmod 440 /etc/sudoers.d/deploy-logs
""", r"""visudo -c >/dev/null && sudo -l -U $DEPU | grep -q tail""",
      "the deploy login may tail Apache's logs as root, by a glob: /var/log/apache2/../../shadow reads any file")

fault("sudo-graceful-for-deploy", "grants", r"""
echo "$DEPU ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful" > /etc/sudoers.d/deploy-reload
chmod 440 /etc/sudoers.d/deploy-reload
""", r"""visudo -c >/dev/null && sudo -l -U $DEPU | grep -q apache2ctl""",
      "the deploy login may run apache2ctl as root (it sources envvars and the whole configuration): a root rule no one accounted for")

fault("setcap-bind-on-system-python", "grants", r"""
PY=$(readlink -f /usr/bin/python3)
python3 - "$PY" <<'PYEOF'
import os, struct, sys
# cap_net_bind_service+ep, as setcap writes it (VFS_CAP_REVISION_2)
os.setxattr(sys.argv[1], "security.capability", struct.pack("<IIIII", 0x02000001, 1 << 10, 1 << 10, 0, 0))
PYEOF
""", r"""python3 -c 'import os; os.getxattr(os.path.realpath("/usr/bin/python3"), "security.capability")'""",
      "a blog's 'let python bind port 80' setcap on the system python: every python (the app's venv too) binds privileged ports")

fault("deploy-login-in-adm", "grants", r"""
usermod -aG adm $DEPU
""", r"""id -nG $DEPU | grep -qw adm""",
      "'so deploys can read the logs': the deploy login in adm reads every log (credentials in them)")

fault("www-data-in-app-group", "grants", r"""
usermod -aG $APPG www-data
""", r"""id -nG www-data | grep -qw $APPG""",
      "'so Apache can serve uploads directly': Apache's user in the app's group reads the config and the app's data")

fault("root-authorized-key-added", "grants", r"""
mkdir -p /root/.ssh; chmod 700 /root/.ssh; echo "$KEY vendor-support" >> /root/.ssh/authorized_keys; chmod 600 /root/.ssh/authorized_keys
""", r"""grep -q vendor-support /root/.ssh/authorized_keys""",
      "a vendor's support key in root's authorized_keys: whoever holds it logs in as root (sshd's default allows root keys)")

fault("deploy-authorized-keys-extra-key", "grants", r"""
H=$(getent passwd $DEPU | cut -d: -f6); echo "$KEY former-colleague" >> $H/.ssh/authorized_keys
""", r"""grep -q former-colleague $(getent passwd $DEPU | cut -d: -f6)/.ssh/authorized_keys""",
      "a former colleague's key left in the deploy login's authorized_keys: they still deploy")

fault("shadow-copy-in-var-backups", "grants", r"""
cp /etc/shadow /var/backups/shadow.before-edit; chmod 644 /var/backups/shadow.before-edit
""", r"""test "$(stat -c %a /var/backups/shadow.before-edit)" = 644""",
      "a copy of /etc/shadow made before a hand edit, world-readable: every local user (the app's code) reads the password hashes")

fault("ops-nopasswd-all", "grants", r"""
useradd -m -s /bin/bash ops2; echo 'ops2 ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/ops2; chmod 440 /etc/sudoers.d/ops2
""", r"""visudo -c >/dev/null && sudo -l -U ops2 | grep -q 'NOPASSWD: ALL'""",
      "a new admin login with passwordless root for everything (no one allowed it)")

fault("root-home-opened", "grants", r"""
chmod 755 /root
""", r"""test "$(stat -c %a /root)" = 755""",
      "'so the deploy login can read a script in /root': root's home (its history, its keys' names) readable by everyone")

# ---------------------------------------------------------------- what loads code
fault("usr-local-dist-packages-deploy-owned", "loads", r"""
D=/usr/local/lib/python$PYV/dist-packages; mkdir -p $D; chown -R $DEPU $D
""", r"""test "$(stat -c %U /usr/local/lib/python$PYV/dist-packages)" = "$DEPU" """,
      "'so deploys can pip install tools': /usr/local's dist-packages owned by the deploy login; root's python3 imports from it")

fault("etc-sitecustomize-appends-shared", "loads", r"""
F=/etc/python$PYV/sitecustomize.py; test -f $F
printf '\nimport sys\nsys.path.append("%s/plugins")\n' "$SH0" >> $F
""", r"""grep -q plugins /etc/python$PYV/sitecustomize.py""",
      "Debian's sitecustomize edited to add the app's shared plugins dir to every system python's path (root's too)")

fault("fix-perms-gw-on-current", "loads", r"""
chmod -R g+w $R/current/
""", r"""test -n "$(find $REL/venv/lib -perm -g+w -type f | head -n 1)" """,
      "a 'fix permissions' chmod -R g+w on current/: the app's group (the app user) may change the code it runs")

fault("envvars-ld-library-path-instantclient", "loads", r"""
mkdir -p /opt/oracle/instantclient; chown -R $DEPU /opt/oracle
echo 'export LD_LIBRARY_PATH=/opt/oracle/instantclient' >> /etc/apache2/envvars
apache2ctl graceful; sleep 1
""", r"""grep -q instantclient /etc/apache2/envvars""",
      "cx_Oracle's setup: Apache's envvars put a directory the deploy login owns first on the linker's path")

fault("app-package-dir-chowned-to-app-user", "loads", r"""
chown -R $APPU $SITE/$PKG
""", r"""test "$(stat -c %U $SITE/$PKG)" = "$APPU" """,
      "'the app could not write its cache': the live package dir chowned to the app user, who then changes the code it runs")

fault("root-compileall-in-live-release", "loads", r"""
find $REL -name __pycache__ -type d -prune -exec rm -rf {} +
python3 -m compileall -q $SITE/$PKG >/dev/null
""", r"""test "$(stat -c %U $(ls -d $SITE/$PKG/__pycache__/*.pyc | head -n 1))" = root""",
      "root ran compileall in the live release: bytecode the daemons load is root's, not the deploy's (not pruneable, not the artifact's)")

# ---------------------------------------------------------------- rollback targets
fault("prev-dependency-removed", "rollback", r"""
D=$(ls -d $PREVSITE/flask | head -n 1); rm -rf $D
""", r"""! test -e $PREVSITE/flask""",
      "disk space freed by deleting flask from the previous release's venv: a rollback serves ImportError")

fault("prev-venv-deleted-to-save-space", "rollback", r"""
rm -rf $PREVREL/venv
""", r"""! test -e $PREVREL/venv""",
      "the previous release's venv deleted to save space: the release dir stays, a rollback serves 500")

fault("prev-shared-link-to-tmp", "rollback", r"""
mkdir -p /tmp/data; ln -sfn /tmp/data $PREVREL/data
""", r"""test "$(readlink $PREVREL/data)" = /tmp/data""",
      "the previous release's shared link repointed to /tmp while debugging: a rollback writes the app's data to a world-writable dir")

fault("prev-venv-system-site-packages", "rollback", r"""
sed -i 's/^include-system-site-packages.*/include-system-site-packages = true/' $PREVREL/venv/pyvenv.cfg
""", r"""grep -q 'include-system-site-packages = true' $PREVREL/venv/pyvenv.cfg""",
      "an operator 'fixed' a missing module in the old release by opening its venv to the system's site-packages")

fault("prev-pyc-from-a-hotfix", "rollback", r"""
M=$PREVSITE/$PKG/__init__.py
python3 - "$M" <<'PYEOF'
import importlib.util, os, sys
from importlib._bootstrap_external import _code_to_timestamp_pyc
src = sys.argv[1]
st = os.stat(src)
code = compile(open(src).read() + "\nHOTFIX = 'left over'\n", src, "exec")
dst = importlib.util.cache_from_source(src)
os.makedirs(os.path.dirname(dst), exist_ok=True)
with open(dst, "wb") as f:
    f.write(_code_to_timestamp_pyc(code, st.st_mtime, st.st_size))
PYEOF
chown -R --reference=$M $(dirname $(python3 -c 'import importlib.util,sys; print(importlib.util.cache_from_source(sys.argv[1]))' $M))
""", r"""cd / && $PREVREL/venv/bin/python -c "import $PKG, sys; sys.exit(0 if getattr($PKG, 'HOTFIX', None) else 1)" """,
      "a hot-patch of the old release reverted in its source but not in its __pycache__: a rollback runs the hot-patch")

fault("prev-entry-module-syntax-error", "rollback", r"""
printf '\ndef maintenance(:\n' >> $PREVSITE/$PKG/__init__.py
""", r"""! $PREVREL/venv/bin/python -c "import ast,sys; ast.parse(open('$PREVSITE/$PKG/__init__.py').read())" 2>/dev/null""",
      "a hot edit of the previous release left a syntax error: a rollback serves 500")

# ---------------------------------------------------------------- mechanisms the pipeline relies on
fault("local-apache2ctl-wrapper-swallows-graceful", "mechanisms", r"""
printf '#!/bin/sh\n# incident 2026-11: no reloads during the freeze\ncase "$1" in graceful|restart) echo "reload skipped (freeze)"; exit 0;; esac\nexec /usr/sbin/apache2ctl "$@"\n' > /usr/local/sbin/apache2ctl
chmod 755 /usr/local/sbin/apache2ctl
""", r"""PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin apache2ctl graceful | grep -q skipped""",
      "a freeze-time wrapper first on root's PATH swallows apache2ctl graceful: reloads by name do nothing")

fault("envvars-pid-file-moved", "mechanisms", r"""
sed -i 's|^export APACHE_PID_FILE=.*|export APACHE_PID_FILE=/var/run/apache2/httpd.pid|' /etc/apache2/envvars
""", r"""grep -q httpd.pid /etc/apache2/envvars && ! test -e /var/run/apache2/httpd.pid""",
      "envvars' pid file renamed under a running Apache: apache2ctl graceful signals no one (or starts a second server)")

fault("errorlog-to-syslog", "mechanisms", r"""
sed -i 's|^ErrorLog .*|ErrorLog syslog:local1|' /etc/apache2/apache2.conf
apache2ctl graceful; sleep 1
""", r"""grep -q '^ErrorLog syslog:local1' /etc/apache2/apache2.conf""",
      "'central logging': Apache's error log to syslog, which nothing reads here: reload and crash lines vanish")

fault("sysctl-protected-symlinks-off", "mechanisms", r"""
echo 'fs.protected_symlinks = 0' > /etc/sysctl.d/60-symlinks.conf
""", r"""grep -q 'protected_symlinks = 0' /etc/sysctl.d/60-symlinks.conf""",
      "a 'fix symlink errors' snippet turns the kernel's symlink guard off at the next boot: links in /tmp trap root")

fault("app-daemon-stopped-sigstop", "mechanisms", r"""
P=$(pgrep -u $APPU | head -n 1); kill -STOP $P
""", r"""grep -q '^State:.*T' /proc/$(pgrep -u $APPU | head -n 1)/status""",
      "an operator paused a daemon (kill -STOP) to look at it and forgot: the requests routed to it hang")

fault("sudoers-includedir-dropped", "mechanisms", r"""
sed -i '/includedir/d' /etc/sudoers
""", r"""! sudo -l -U $DEPU 2>/dev/null | grep -q venv/bin/python""",
      "a 'tidy' of /etc/sudoers removed its includedir: deploytests' rule is not in force, deploys' post_deploy cannot run as the app")

fault("wsgi-socket-prefix-tmp", "mechanisms", r"""
sed -i 's|^\(\s*\)#\?\s*WSGISocketPrefix.*|\1WSGISocketPrefix /tmp/wsgi|' /etc/apache2/mods-available/wsgi.conf
grep -q '^\s*WSGISocketPrefix /tmp/wsgi' /etc/apache2/mods-available/wsgi.conf || echo 'WSGISocketPrefix /tmp/wsgi' >> /etc/apache2/mods-available/wsgi.conf
apache2ctl graceful; sleep 1.5
""", r"""ls /tmp/wsgi* >/dev/null 2>&1""",
      "a RHEL blog's WSGISocketPrefix fix: the daemons' sockets in world-writable /tmp")

# ---------------------------------------------------------------- controls (harmless admin changes: must pass)
control("ctl-apt-tree-installed", "control", r"""
apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q tree >/dev/null 2>&1
""", r"""command -v tree >/dev/null""", "a plain tool installed from Debian")

control("ctl-plain-user-no-groups", "control", r"""
useradd -m -s /bin/bash alice
""", r"""id alice >/dev/null""", "a plain login with no groups, no sudo, no key")

control("ctl-issue-net-banner", "control", r"""
printf 'Authorized use only.\n' > /etc/issue.net; printf 'Authorized use only.\n' > /etc/issue
""", r"""grep -q Authorized /etc/issue.net""", "a legal banner text")

control("ctl-logrotate-apache-keep-30", "control", r"""
sed -i 's/rotate 14/rotate 30/' /etc/logrotate.d/apache2
""", r"""grep -q 'rotate 30' /etc/logrotate.d/apache2""", "Apache's logs kept 30 days instead of 14")

control("ctl-conf-available-not-enabled", "control", r"""
printf 'Header always set X-Frame-Options DENY\n' > /etc/apache2/conf-available/hardening.conf
""", r"""test -f /etc/apache2/conf-available/hardening.conf && ! test -e /etc/apache2/conf-enabled/hardening.conf""",
        "a hardening snippet saved in conf-available, not enabled")

control("ctl-journald-size", "control", r"""
mkdir -p /etc/systemd/journald.conf.d; printf '[Journal]\nSystemMaxUse=200M\n' > /etc/systemd/journald.conf.d/size.conf
""", r"""test -f /etc/systemd/journald.conf.d/size.conf""", "the journal's size capped")
