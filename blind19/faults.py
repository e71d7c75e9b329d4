# ruff: noqa
"""A fourth blind fault set: written from README.md and docs/ only (and the earlier blind sets' fault lists, to pick
kinds they did not try), before reading any gate code.

Kinds not in blind16/17/18: grants through NSS (a second user database), gshadow's group administrators, subordinate
uid ranges, adduser's defaults, SSH keys for a no-login user from a central keys directory, sshd Match blocks on a
group or user that cut the deploy login off at sshd's next start, /etc/nologin left behind, a restricted shell and an
interpreter closed to non-root (hardening that breaks deploys), parents of the app's root and of the python-home
handed to another account, the daemons' socket directory opened, POSIX ACLs on root's directories and on releases
(named-user entries), a config copy outside the app's tree, sysctl knobs outside the baseline list (forwarding,
unprivileged ports), a /usr/local/lib library shadowing a system one for Apache, a stock CGI module with a root CGI
script on the app's site, the access log dropped with a2disconf, a cron clean-up deleting releases by age, rotated
logs moved world-readable, a dependency shadowed from the stdlib dir, apt's sandbox off, unattended-upgrades'
blacklist holding the stack back, a tracer on sshd, a rollback target frozen by root.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm.

Every snippet runs after PRELUDE (blind18's, extended), which finds the deployed state on the server itself:
  APP app name, R app root, APPU app user, APPG app group, DEPU deploy user (owner of R), LIVE/PREV release ids,
  REL live release dir, PREVREL previous release dir, SITE/PREVSITE their site-packages, PYV python X.Y,
  PKG the app's top package (from the entry point), CFG the config path, SH0 the first shared dir (path),
  PORT/SN the vhost's port and ServerName; APT pkg...: installs Debian packages; ACL_ADD file uid perm: a POSIX
  ACL named-user entry; GET path: status and body of the app's site from inside; HUPSSHD: sshd reloads its config.
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
PORT=$(sed -n 's/.*<VirtualHost [^>]*:\([0-9][0-9]*\)>.*/\1/p' $VH | head -n 1); PORT=${PORT:-80}
SN=$(awk 'tolower($1)=="servername"{print $2; exit}' $VH); SN=${SN:-localhost}
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
GET() { python3 - "$1" "$SN" "$PORT" <<'GETEOF'
import sys, urllib.error, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[3], sys.argv[1]), headers={"Host": sys.argv[2]})
try:
    r = urllib.request.urlopen(req, timeout=10)
    print(r.status); print(r.read().decode(errors="replace"))
except urllib.error.HTTPError as e:
    print(e.code)
GETEOF
}
SSHDPID() { ps -eo pid=,args= | awk '$0 ~ /sshd.*-D/ && $0 !~ /awk/ {print $1; exit}'; }  # (its title: 'sshd: /usr/sbin/sshd -D -e [listener] ...')
HUPSSHD() { kill -HUP $(SSHDPID); sleep 1; }
SSHOPT="-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5"
"""

F = []


def fault(id, area, inject, check, harm, kind="fault"):
    F.append(dict(id=id, kind=kind, area=area, inject=inject.strip(), check=check.strip(), harm=harm))


def control(id, area, inject, check, harm):
    fault(id, area, inject, check, harm, kind="control")


# ---------------------------------------------------------------- what serves
fault("cgid-root-cgi-on-app-site", "serves", r"""
a2enmod -q cgid >/dev/null
cat > /usr/lib/cgi-bin/status <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\n\n'
echo OPS-STATUS; id; uptime; env
CGI
chmod 0755 /usr/lib/cgi-bin/status
# (changed after the first run: cgid's daemon starts with Apache, not at a graceful: the admin restarted Apache)
apache2ctl stop; for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -x apache2 >/dev/null || break; sleep 1; done
apache2ctl start; sleep 3
""", r"""GET /cgi-bin/status | grep -q OPS-STATUS""",
      "a stock module (cgid) enabled with Debian's stock serve-cgi-bin: an admin's root-owned status script answers on "
      "the app's own site, to anyone, running as www-data (its environment, the server's uptime) - served, not ours")

fault("wsgi-socket-dir-world-writable", "serves", r"""
S=$(find /run /var/run /var/log/apache2 /etc/apache2 -name '*.sock' 2>/dev/null | grep -i wsgi | head -n 1)
chmod 0777 $(dirname $S)
""", r"""S=$(find /run /var/run /var/log/apache2 /etc/apache2 -name '*.sock' 2>/dev/null | grep -i wsgi | head -n 1)
test -n "$S" && runuser -u nobody -- test -w $(dirname $S)""",
      "the directory of the app daemons' UNIX sockets made 0777 (the classic fix for mod_wsgi's 'permission denied'): "
      "any local user may unlink a daemon's socket and bind its own: Apache's workers then hand it every request, "
      "cookies and credentials included")

# ---------------------------------------------------------------- what runs
fault("cron-daily-prunes-releases-by-age", "rollback", r"""
APT cron
cat > /etc/cron.daily/prune-old-releases <<'JOB'
#!/bin/sh
# disk was filling up: drop releases older than two weeks
find /var/www/*/releases -mindepth 1 -maxdepth 1 -type d -mtime +14 -exec rm -rf {} +
JOB
chmod 0755 /etc/cron.daily/prune-old-releases
""", r"""test -x /usr/sbin/cron && find /var/www/*/releases -mindepth 1 -maxdepth 1 -type d | grep -q "/$PREV$" """,
      "a root daily job deletes every release older than 14 days: the rollback targets go, and so does the live "
      "release once it has been live two weeks (the site then serves nothing)")

fault("strace-on-sshd-left-running", "runs", r"""
APT strace
P=$(SSHDPID); test -n "$P"
setsid strace -f -qq -p $P -e trace=read,write -s 4096 -o /var/log/sshd-debug.trace </dev/null >/dev/null 2>&1 &
sleep 2
""", r"""P=$(SSHDPID); test -n "$P"
test "$(awk '/^TracerPid/{print $2}' /proc/$P/status)" != 0""",
      "an admin's strace of sshd left running (chasing a login problem): every later SSH session's child is traced "
      "too, the deploy's uploads and the config it writes recorded in clear")

# ---------------------------------------------------------------- grants
fault("nss-extrausers-uid0", "grants", r"""
APT libnss-extrausers
mkdir -p /var/lib/extrausers
# (changed after the first try: libnss-extrausers ignores uid/gid below 1000, so uid 0 is refused; the account takes
# the uid of the deploy login, which may become root here)
U=$(id -u $DEPU); G=$(id -g $DEPU)
echo "ops:x:$U:$G:ops:/home/ops:/bin/bash" > /var/lib/extrausers/passwd
echo "ops:$(openssl passwd -6 'Winter2026!'):20000:0:99999:7:::" > /var/lib/extrausers/shadow
chmod 0640 /var/lib/extrausers/shadow; chgrp shadow /var/lib/extrausers/shadow
sed -i -E 's/^(passwd|group|shadow):(.*)$/\1:\2 extrausers/' /etc/nsswitch.conf
""", r"""getent passwd ops | grep -q ":$(id -u $DEPU):" && getent shadow ops | grep -q 'ops:\$6\$' && ! grep -q '^ops:' /etc/passwd""",
      "a second user database through NSS (libnss-extrausers): an account 'ops' with the deploy login's uid and "
      "a password, which /etc/passwd does not list: whoever knows the password is the deploy login (su), which may become root")

fault("gshadow-group-admin-of-app-group", "grants", r"""
useradd -m -s /bin/bash lead
gpasswd -A lead $APPG
""", r"""runuser -u lead -- gpasswd -a lead $APPG >/dev/null 2>&1 && id -nG lead | grep -qw $APPG; rc=$?
gpasswd -d lead $APPG >/dev/null 2>&1 || true; test $rc = 0""",
      "a plain login made administrator of the app's group (gshadow): it adds itself or anyone to the group "
      "with gpasswd, no root needed, and then reads the app's config and writes its shared data")

fault("adduser-extra-groups-app-group", "grants", r"""
command -v adduser >/dev/null || APT adduser
sed -i -E 's/^#? *EXTRA_GROUPS=.*/EXTRA_GROUPS="users '"$APPG"'"/; s/^#? *ADD_EXTRA_GROUPS=.*/ADD_EXTRA_GROUPS=1/' /etc/adduser.conf
grep -q '^EXTRA_GROUPS=' /etc/adduser.conf || printf 'EXTRA_GROUPS="users %s"\nADD_EXTRA_GROUPS=1\n' "$APPG" >> /etc/adduser.conf
""", r"""adduser --disabled-password --gecos '' zzprobe >/dev/null 2>&1; id -nG zzprobe | grep -qw $APPG; rc=$?
deluser zzprobe >/dev/null 2>&1 || userdel zzprobe; gpasswd -d zzprobe $APPG >/dev/null 2>&1 || true; test $rc = 0""",
      "adduser's defaults put every new login in the app's group ('give the devs the app's logs'): the next colleague "
      "an admin adds reads the app's secrets and writes its data")

fault("subuid-range-covers-root", "grants", r"""
APT uidmap
echo "$APPU:0:65536" >> /etc/subuid; echo "$APPU:0:65536" >> /etc/subgid
""", r"""runuser -u $APPU -- unshare --user --map-auto --map-root-user cat /etc/shadow >/dev/null 2>&1""",
      "a subordinate uid/gid range for the app user starting at 0 (rootless containers, a typo for 100000): "
      "newuidmap maps host root into its user namespace: the app's code reads and owns root's files")

fault("app-user-key-in-central-keys-dir", "grants", r"""
sed -i 's|^AuthorizedKeysFile .*|AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys/%u|' /etc/ssh/sshd_config
install -d -m 0755 /etc/ssh/authorized_keys
ssh-keygen -q -t ed25519 -N '' -C ci@runner -f /root/ci_key
install -m 0644 /root/ci_key.pub /etc/ssh/authorized_keys/$APPU
usermod -p '*' $APPU  # (added after the first run: sshd without PAM refuses a locked account; the admin "unlocked" it as the other logins are)
HUPSSHD
""", r"""ssh -i /root/ci_key $SSHOPT -p 22 $APPU@127.0.0.1 true 2>&1 | grep -qi 'not available'""",
      "a central keys directory (root's) holds a CI key for the app user: the key logs in as the app user (its "
      "nologin shell refuses a command, not -N: forwards to every loopback service as the app)")

fault("var-www-owned-by-www-data", "grants", r"""
chown www-data:www-data $(dirname $R)
""", r"""runuser -u www-data -- test -w $(dirname $R)""",
      "the directory holding the app's root given to Apache's user ('so the CMS can write'): Apache's workers may "
      "rename the app's root aside and put their own application.wsgi where the daemons load it")

fault("config-copy-in-etc-world-readable", "grants", r"""
test -n "$CFG"; cp $CFG /etc/$APP.cfg.orig; chmod 0644 /etc/$APP.cfg.orig
""", r"""runuser -u nobody -- cat /etc/$APP.cfg.orig >/dev/null""",
      "a copy of the app's config kept 'before the edit' in /etc, 0644: every local user reads the app's secrets")

fault("logrotate-apache-olddir-world-readable", "grants", r"""
APT logrotate
sed -i -E 's/^([[:space:]]*)create .*/\1create 644 root adm\n\1olddir \/var\/backups\/apache2\n\1createolddir 755 root root/' /etc/logrotate.d/apache2
sed -i -E 's/^([[:space:]]*)delaycompress/\1nodelaycompress/; s/^([[:space:]]*)notifempty/\1ifempty/' /etc/logrotate.d/apache2
logrotate -f /etc/logrotate.d/apache2 >/dev/null 2>&1 || true
apache2ctl graceful; sleep 2; GET /health >/dev/null; GET / >/dev/null
logrotate -f /etc/logrotate.d/apache2 >/dev/null 2>&1 || true
apache2ctl graceful; sleep 2
""", r"""runuser -u nobody -- sh -c 'for f in /var/backups/apache2/*; do zcat -f "$f" 2>/dev/null | head -c1 | grep -q . && exit 0; done; exit 1'""",
      "Apache's rotated logs moved to /var/backups/apache2 and created 0644 'for the analytics team': every local "
      "user reads the request lines (query strings with tokens), client addresses and the app's errors")

# ---------------------------------------------------------------- ACLs (named-user entries)
fault("acl-deploy-writes-profile-d", "runs", r"""
ACL_ADD /etc/profile.d $(id -u $DEPU) 7
""", r"""runuser -u $DEPU -- test -w /etc/profile.d""",
      "an ACL lets the deploy login write /etc/profile.d: every root login shell (sudo -i, su -) sources what it puts there")

fault("acl-app-writes-usr-local-sbin", "runs", r"""
ACL_ADD /usr/local/sbin $(id -u $APPU) 7
""", r"""runuser -u $APPU -- test -w /usr/local/sbin""",
      "an ACL lets the app user write /usr/local/sbin, first on root's PATH: the app's code names a command "
      "root runs (apache2ctl, service) and root runs the app's file")

fault("acl-app-writes-live-package", "loads", r"""
ACL_ADD $SITE/$PKG $(id -u $APPU) 7
""", r"""runuser -u $APPU -- test -w $SITE/$PKG""",
      "an ACL lets the app user write its own live package: the app changes its own code, which survives its restarts")

fault("acl-app-writes-prev-release", "rollback", r"""
ACL_ADD $PREVSITE/$PKG $(id -u $APPU) 7
""", r"""runuser -u $APPU -- test -w $PREVSITE/$PKG""",
      "an ACL lets the app user write the rollback target's package: a rollback runs what the app wrote there")

# ---------------------------------------------------------------- what loads code
fault("stdlib-dir-shadows-dependency", "loads", r"""
DEP=$(cd $SITE && ls -d */ | tr -d / | grep -v -e dist-info -e __pycache__ -e "^$PKG$" -e '^_' -e '^pip$' -e '^setuptools$' | head -n 1)
cp -r $SITE/$DEP /usr/lib/python$PYV/$DEP
rm -rf /usr/lib/python$PYV/$DEP/__pycache__
echo '# pip install --target by hand' >> /usr/lib/python$PYV/$DEP/__init__.py
echo $DEP > /root/.dep
""", r"""DEP=$(cat /root/.dep); runuser -u $APPU -- $REL/venv/bin/python -c "import $DEP, sys; sys.exit(0 if $DEP.__file__.startswith('/usr/lib/python$PYV/') else 1)" """,
      "a dependency installed by hand into the stdlib directory (pip --target, 'for root's scripts'): it comes before "
      "the venv's site-packages on the daemons' path: the app runs that copy, not the artifact's, at its next restart")

fault("python-home-parent-owned-by-deploy", "loads", r"""
PH=$(grep -rhoi 'python-home=[^ ]*' /etc/apache2/ | head -n 1 | cut -d= -f2); PH=${PH:-/var/lib/deploytests/python}
chown $DEPU $(dirname $PH)
echo $PH > /root/.ph
""", r"""runuser -u $DEPU -- test -w $(dirname $(cat /root/.ph))""",
      "the directory holding the daemons' python-home given to the deploy login: it renames the python-home aside and "
      "puts its own there; Apache's root parent initialises Python from it at the next start")

fault("usr-local-lib-shadows-libz", "loads", r"""
L=$(ldconfig -p | awk '/libz.so.1 .*x86-64/{print $NF; exit}')
cp $L /usr/local/lib/libz.so.1.99; ln -sf libz.so.1.99 /usr/local/lib/libz.so.1; ldconfig
apache2ctl stop; for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -x apache2 >/dev/null || break; sleep 1; done
apache2ctl start; sleep 3; GET /health >/dev/null || true
""", r"""grep -l /usr/local/lib/libz /proc/[0-9]*/maps 2>/dev/null | grep -q .""",
      "a zlib built by hand in /usr/local/lib (make install for another tool): the linker prefers it, Apache and the "
      "app's Python load a library no package ships and no security update reaches")

# ---------------------------------------------------------------- mechanisms the pipeline relies on
fault("sshd-match-group-sftp-only", "mechanisms", r"""
printf '\n# the app account: SFTP only\nMatch Group %s\n    ForceCommand internal-sftp\n    AllowTcpForwarding no\n' "$APPG" >> /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -T -C user=$DEPU,host=x,addr=192.0.2.1 2>/dev/null | grep -qi '^forcecommand internal-sftp'""",
      "a hardening Match block meant for the app's account matches its group, which the deploy login is in: at sshd's "
      "next start every deploy (and rollback) gets an SFTP server instead of a shell")

fault("sshd-deploy-login-needs-password", "mechanisms", r"""
printf '\nMatch User %s\n    AuthenticationMethods publickey,password\n' "$DEPU" >> /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -T -C user=$DEPU,host=x,addr=192.0.2.1 2>/dev/null | grep -qi '^authenticationmethods publickey,password'""",
      "two factors for the deploy login (key and password) while it has no password: at sshd's next start it cannot "
      "log in at all: no deploy, no rollback")

fault("nologin-left-after-maintenance", "mechanisms", r"""
echo 'Maintenance until 02:00 UTC' > /etc/nologin
""", r"""ssh-keygen -q -t ed25519 -N '' -f /root/probe_key; H=$(getent passwd $DEPU | cut -d: -f6); cp -p $H/.ssh/authorized_keys /root/ak.bak
cat /root/probe_key.pub >> $H/.ssh/authorized_keys; rc=0; out=$(ssh -i /root/probe_key $SSHOPT $DEPU@127.0.0.1 true 2>&1) || rc=$?
cp -p /root/ak.bak $H/.ssh/authorized_keys; rm -f /root/probe_key* /root/ak.bak; test $rc != 0 && echo "$out" | grep -q Maintenance""",
      "/etc/nologin left from a maintenance window: sshd refuses every login but root's: no deploy, no rollback")

fault("deploy-login-shell-rbash", "mechanisms", r"""
usermod -s /bin/rbash $DEPU
""", r"""SH=$(getent passwd $DEPU | cut -d: -f7); runuser -u $DEPU -- $SH -c "$REL/venv/bin/python -c 1" 2>&1 | grep -qi restricted""",
      "the deploy login 'locked down' with a restricted bash: no command with a slash runs: the next deploy fails")

fault("hardening-python-root-only", "mechanisms", r"""
chmod 0750 /usr/bin/python$PYV
""", r"""! runuser -u $DEPU -- $REL/venv/bin/python -c 1 2>/dev/null""",
      "a hardening snippet closes the interpreter to non-root (chmod 750): the site still serves (Apache embeds "
      "libpython), but the venv's python no longer runs for the deploy login: deploys and rollbacks fail")

fault("sysctl-ip-forward-left-on", "mechanisms", r"""
printf '# docker\nnet.ipv4.ip_forward=1\nnet.ipv6.conf.all.forwarding=1\n' > /etc/sysctl.d/99-docker.conf
""", r"""cat /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null | sed 's/ //g' | grep '^net.ipv4.ip_forward=' | tail -n 1 | grep -q '=1$'""",
      "left from a removed Docker: at the next boot the server routes packets between its interfaces "
      "(DevSec linux-baseline: forwarding off on a host that is no router)")

fault("sysctl-unprivileged-ports", "grants", r"""
printf 'net.ipv4.ip_unprivileged_port_start=0\n' > /etc/sysctl.d/60-node-port80.conf
""", r"""cat /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null | sed 's/ //g' | grep -q '^net.ipv4.ip_unprivileged_port_start=0$'""",
      "at the next boot any user may bind ports below 1024: the app's code (or any login) takes port 80 or 22 while "
      "Apache or sshd restarts, and answers in their place")

fault("apt-sandbox-user-root", "mechanisms", r"""
echo 'APT::Sandbox::User "root";' > /etc/apt/apt.conf.d/99no-sandbox-warning
""", r"""apt-config dump | grep -q '^APT::Sandbox::User "root";'""",
      "apt's download sandbox off (silencing 'Download is performed unsandboxed'): every fetch and parse of what a "
      "mirror sends runs as root")

fault("uu-blacklists-stack-packages", "mechanisms", r"""
APT unattended-upgrades
printf 'Unattended-Upgrade::Package-Blacklist {\n    "apache2";\n    "libapache2-mod-wsgi-py3";\n    "python3";\n    "openssh-server";\n};\n' > /etc/apt/apt.conf.d/51ops-blacklist
""", r"""test -x /usr/bin/unattended-upgrade && apt-config dump | grep -A4 '^Unattended-Upgrade::Package-Blacklist' | grep -q apache2""",
      "unattended-upgrades told never to upgrade Apache, mod_wsgi, Python and sshd ('an upgrade broke us once'): the "
      "stack's security updates are never applied")

fault("access-log-dropped-a2disconf", "mechanisms", r"""
a2disconf -q other-vhosts-access-log; apache2ctl graceful; sleep 2
""", r"""! grep -qi customlog $VH && N1=$(cat /var/log/apache2/*access* 2>/dev/null | wc -l); GET /health >/dev/null; GET / >/dev/null; sleep 1
N2=$(cat /var/log/apache2/*access* 2>/dev/null | wc -l); test "$N1" = "$N2" """,
      "Debian's access log for virtual hosts switched off: the app's site logs no request any more (no trace of an "
      "attack, nothing for the incident)")

fault("prev-release-frozen-by-root", "rollback", r"""
chown -R root:root $PREVREL
""", r"""! runuser -u $DEPU -- test -w $PREVREL""",
      "an admin 'froze' the known-good release (chown -R root): the deploy login can no longer prune it (every "
      "prune fails) nor repair it, and the rollback target is no longer the deploy's")

# ---------------------------------------------------------------- controls: ordinary admin changes that must pass
control("ctl-sysctl-net-tuning", "control", r"""
printf 'net.core.somaxconn=1024\nnet.ipv4.tcp_fin_timeout=15\nnet.ipv4.ip_forward=0\nfs.inotify.max_user_watches=524288\n' > /etc/sysctl.d/60-tuning.conf
""", r"""test -s /etc/sysctl.d/60-tuning.conf""", "network tuning and forwarding explicitly off")

control("ctl-ops-login-in-adm", "control", r"""
useradd -m -s /bin/bash -G adm ops
install -d -m 0700 -o ops -g ops /home/ops/.ssh
ssh-keygen -q -t ed25519 -N '' -f /root/ops_key; install -m 0600 -o ops -g ops /root/ops_key.pub /home/ops/.ssh/authorized_keys
""", r"""id -nG ops | grep -qw adm""", "an operator's login that reads the logs (group adm), no sudo")

control("ctl-adduser-private-homes", "control", r"""
command -v adduser >/dev/null || APT adduser
sed -i -E 's/^#? *DIR_MODE=.*/DIR_MODE=0700/' /etc/adduser.conf; grep -q '^DIR_MODE=0700' /etc/adduser.conf || echo DIR_MODE=0700 >> /etc/adduser.conf
""", r"""grep -q '^DIR_MODE=0700' /etc/adduser.conf""", "new homes private (a hardening of adduser's defaults)")

control("ctl-group-admin-of-devs", "control", r"""
groupadd devs; useradd -m -s /bin/bash lead2; gpasswd -A lead2 devs
""", r"""getent gshadow devs | grep -q lead2""", "a team lead administers a group of no reach of its own")

control("ctl-ld-so-conf-root-vendor-dir", "control", r"""
install -d -m 0755 /opt/vendor/lib; echo /opt/vendor/lib > /etc/ld.so.conf.d/vendor.conf; ldconfig
""", r"""grep -q /opt/vendor/lib /etc/ld.so.conf.d/vendor.conf""", "a vendor's library dir, root's and empty, on the linker's path")

control("ctl-sshd-cis-hardening", "control", r"""
sed -i '1i ClientAliveInterval 300\nClientAliveCountMax 3\nMaxAuthTries 4\nLoginGraceTime 60\nAllowAgentForwarding no' /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -T 2>/dev/null | grep -qi '^maxauthtries 4'""", "CIS-style sshd hardening")
