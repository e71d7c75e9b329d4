# ruff: noqa
"""An eighth blind fault set: written from README.md and docs/ only (and the fault lists of blind16..blind21, to pick
kinds they did not try), before reading any gate code.

Kinds not in blind16..21: operator drift that switches off a mechanism a deploy or a rollback needs from outside the
files the pipeline writes (sudo refusing to run as a login without a listed shell; a process limit for the app user
that sudo's PAM session applies to every deploy step; a bytecode prefix in /etc/environment that sudo's pam_env hands
to the deploy's steps as the app user; an sshd AllowGroups the deploy login is not in); users renumbered or aliased
by hand (the app group's gid and the deploy login's uid changed without their files; a second login sharing the app
user's uid; UID_MIN raised above the deploy login); apt/dpkg state (an interrupted dpkg run, dpkg's lock held by a
stuck job, sources frozen on a snapshot); logging switched off or lost (Apache's LogLevel, its error log deleted
while open, sudo's syslog); Apache's config in force taking away the release header the deploy's gate reads; the
rollback target's pyvenv.cfg removed by a clean-up; a hand-staged directory in releases/; a setgid sweep of the tree.
(Time: a container cannot set its clock (no CAP_SYS_TIME), so no clock fault is in this set.)

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm.
Every snippet runs after PRELUDE (blind21's), which finds the deployed state on the server itself.
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


PRELUDE += r"""
SSHDT() { /usr/sbin/sshd -T -C user=$DEPU,host=runner,addr=127.0.0.1 2>/dev/null; }  # sshd's next start, for the deploy login
DEPH=$(getent passwd $DEPU | cut -d: -f6)
"""

PRELUDE += r"""
HDRS() { python3 - "$1" "$SN" "$PORT" <<'HEOF'
import sys, urllib.error, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[3], sys.argv[1]), headers={"Host": sys.argv[2]})
try:
    r = urllib.request.urlopen(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
print(r.status); print(str(r.headers))
HEOF
}
ASAPP() { su -s /bin/sh $DEPU -c "sudo -n -u $APPU $*"; }   # a deploy step: the deploy login's sudo to the app user
"""

# ---------------------------------------------------------------- mechanisms a deploy needs, switched off by configuration
fault("sudo-runas-check-shell", "mechanisms", r"""
printf 'Defaults runas_check_shell\n' > /etc/sudoers.d/zz-cis-hardening
chmod 0440 /etc/sudoers.d/zz-cis-hardening
""", r"""
! ASAPP $REL/venv/bin/python -c 1 >/dev/null 2>&1
""", "sudo runs commands only as users whose shell /etc/shells lists: the app user's nologin is not, so every deploy's "
     "and rollback's sudo -n -u <app user> is refused: no release goes out or comes back")

fault("limits-nproc-for-app-user", "mechanisms", r"""
printf '%s hard nproc 8\n' $APPU > /etc/security/limits.d/90-service-accounts.conf
""", r"""
! ASAPP $REL/venv/bin/python -c 1 >/dev/null 2>&1
""", "a fork-bomb guard for service accounts: sudo's PAM session applies it to every deploy step run as the app user, "
     "whose daemons already hold more tasks: install, import, preflight and post_deploy fail to start (EAGAIN); the "
     "daemons Apache starts are not limited, so nothing shows until the next deploy or rollback")

fault("environment-pycache-prefix-in-tmp", "loads", r"""
printf 'PYTHONPYCACHEPREFIX=/tmp/pycache\n' >> /etc/environment
""", r"""
ASAPP $REL/venv/bin/python -c "'import sys; print(sys.pycache_prefix)'" 2>/dev/null | grep -q '^/tmp/pycache$'
""", "sudo's pam_env gives every deploy step run as the app user a bytecode prefix in /tmp: any local user creates "
     "/tmp/pycache/var/www/... first and plants .pyc files the app user's import step loads (code run as the app "
     "user, with its secrets, at every deploy and rollback)")

fault("sshd-allowgroups-without-deploy-login", "mechanisms", r"""
groupadd -f sshusers
printf '\n# only admins by ssh (CIS 5.2.4)\nAllowGroups sshusers\n' >> /etc/ssh/sshd_config
""", r"""
SSHDT | grep -qi '^allowgroups sshusers' && ! id -nG $DEPU | tr ' ' '\n' | grep -qx sshusers
""", "at sshd's next start (a reload, a reboot, an openssh upgrade) only the sshusers group may log in: the deploy "
     "login is refused, and no deploy, rollback or gate run reaches the server again")

# ---------------------------------------------------------------- users renumbered or aliased by hand
fault("app-group-gid-renumbered", "users", r"""
groupmod -g 4242 $APPG
""", r"""
[ -z "$(getent group $(stat -c %g $R))" ] && [ "$(id -g $APPU)" = 4242 ]
""", "the app group renumbered (uid/gid alignment) without its files: at the daemons' next start (the next deploy's "
     "reload, any restart) they run as gid 4242 and the config (0640 <old gid>) and the shared data dirs are closed "
     "to them: the app fails, every deploy is refused and a rollback starts the same way")

fault("deploy-login-uid-renumbered", "users", r"""
usermod -u 4343 $DEPU
""", r"""
[ -z "$(getent passwd $(stat -c %u $R/releases))" ] && [ "$(id -u $DEPU)" = 4343 ]
""", "the deploy login renumbered without its tree: releases/, current, .deploy.lock and shared/ stay the old uid's, "
     "so every deploy and rollback fails at its lock or unpack, and the next account given the old uid owns the app's "
     "code")

fault("alias-login-with-app-uid", "grants", r"""
useradd -o -u $(id -u $APPU) -g $APPG -M -d /home/appdebug -s /bin/bash appdebug
mkdir -p /home/appdebug/.ssh
ssh-keygen -q -t ed25519 -N '' -f /root/appdebug_key
cp /root/appdebug_key.pub /home/appdebug/.ssh/authorized_keys
chown -R appdebug:$APPG /home/appdebug; chmod 0700 /home/appdebug /home/appdebug/.ssh
chmod 0600 /home/appdebug/.ssh/authorized_keys
""", r"""
[ "$(ssh -i /root/appdebug_key $SSHOPT appdebug@127.0.0.1 id -u 2>/dev/null)" = "$(id -u $APPU)" ] && ssh -i /root/appdebug_key $SSHOPT appdebug@127.0.0.1 "head -c1 $CFG" >/dev/null 2>&1
""", "a debug login sharing the app user's uid: whoever holds its key logs in as the app user with a shell, reads the "
     "config's secrets and writes the app's data")

fault("login-defs-uid-min-raised", "users", r"""
sed -i 's/^UID_MIN.*/UID_MIN\t\t\t10000/; s/^GID_MIN.*/GID_MIN\t\t\t10000/' /etc/login.defs
""", r"""
grep -q '^UID_MIN[[:space:]]*10000' /etc/login.defs && [ $(id -u $DEPU) -lt 10000 ]
""", "UID_MIN raised for directory-service alignment: the deploy login's uid is now in the system range login.defs "
     "gives, and the next bootstrap (its deploy user a login, uids as login.defs allows) refuses the server")

# ---------------------------------------------------------------- apt / dpkg state
fault("dpkg-interrupted-blocks-apt", "apt", r"""
mkdir -p /var/lib/dpkg/updates
dpkg-query -s base-files | sed '/^$/q' | sed 's/^Status: .*/Status: install ok half-configured/' > /var/lib/dpkg/updates/0001
""", r"""
apt-get install -y -q base-files 2>&1 | grep -q 'dpkg was interrupted'
""", "an upgrade cut mid-run (a reboot, the OOM killer) left dpkg interrupted: every apt run refuses until someone runs "
     "dpkg --configure -a, so the stack's security updates stop silently and the next bootstrap's package step fails")

fault("apt-lock-held-by-stuck-job", "apt", r"""
setsid sh -c 'exec flock /var/lib/dpkg/lock-frontend flock /var/lib/dpkg/lock sleep 2147483' </dev/null >/dev/null 2>&1 &
sleep 1
""", r"""
! flock -n /var/lib/dpkg/lock-frontend true
""", "a stuck package job holds dpkg's locks: every apt and dpkg run waits and gives up, the stack takes no security "
     "update, the next bootstrap waits its bound and fails")

fault("apt-sources-frozen-snapshot", "apt", r"""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed -E -i 's#https?://[^ ]*debian[^ ]*#http://snapshot.debian.org/archive/debian/20240101T000000Z/#' "$f"
done
true
""", r"""
grep -rqs 'snapshot.debian.org/archive/debian/2024' /etc/apt/sources.list /etc/apt/sources.list.d/
""", "apt reads an archive frozen on one day (a reproducible-build pin left in place): nothing fails, every upgrade "
     "says 0 upgraded, and the stack (Apache, OpenSSL, sudo, sshd, Python) never takes a security update again")

# ---------------------------------------------------------------- logging switched off or lost
fault("apache-loglevel-crit", "logs", r"""
sed -i 's/^LogLevel .*/LogLevel crit/' /etc/apache2/apache2.conf
apache2ctl graceful; sleep 2
""", r"""
grep -q '^LogLevel crit' /etc/apache2/apache2.conf && ! grep -qi '^ *loglevel' $VH
""", "Apache and mod_wsgi log nothing below crit: the app's tracebacks, a daemon that cannot start, a WSGI script that "
     "cannot be loaded go unrecorded: a failed deploy or rollback cannot be diagnosed and attacks leave no error trail")

fault("apache-error-logs-deleted-while-open", "logs", r"""
rm -f /var/log/apache2/*error.log
""", r"""
ls -l /proc/$(pgrep -o apache2)/fd 2>/dev/null | grep -q 'error.log (deleted)'
""", "error logs removed to free space while Apache holds them: Apache and the daemons write into deleted files until "
     "the next reload: nothing anyone reads records the app's errors or attacks, and the space is not freed")

fault("sudo-syslog-switched-off", "logs", r"""
printf 'Defaults !syslog\n' > /etc/sudoers.d/zz-quiet
chmod 0440 /etc/sudoers.d/zz-quiet
""", r"""
visudo -c -q && grep -q '!syslog' /etc/sudoers.d/zz-quiet
""", "sudo records nothing: neither the deploy's sudo to the app user nor anyone's use of a root grant leaves a trace")

# ---------------------------------------------------------------- Apache's configuration in force
fault("apache-header-unset-release-id", "mechanisms", r"""
a2enmod -q headers >/dev/null
cat > /etc/apache2/conf-available/hide-internal-headers.conf <<'X'
# security review: do not leak build information
<IfModule mod_headers.c>
    Header unset X-Deploy-Release
    Header always unset X-Deploy-Release
</IfModule>
X
a2enconf -q hide-internal-headers >/dev/null
apache2ctl graceful; sleep 2
""", r"""
HDRS /health | head -n 1 | grep -q '^200$' && ! HDRS /health | grep -qi '^x-deploy-release'
""", "the release header is stripped: the deploy's gate waits for X-Deploy-Release and never sees it, so every deploy "
     "is refused and rolled back, and nobody can tell which release serves")

# ---------------------------------------------------------------- the tree and its rollback targets
fault("prev-pyvenv-cfg-removed", "rollback", r"""
find $PREVREL -name '*.cfg' -delete
""", r"""
[ ! -e $PREVREL/venv/pyvenv.cfg ] && ! su -s /bin/sh $APPU -c "$PREVREL/venv/bin/python -c 'import $PKG'" 2>/dev/null
""", "a clean-up of *.cfg files took the rollback target's pyvenv.cfg: its python runs as the bare system Python "
     "without the release's site-packages, so a rollback fails at import")

fault("hand-staged-dir-in-releases", "rollback", r"""
mkdir -p $R/releases/99991231T000000Z-handbuild
cp -a $REL/RELEASE.json $R/releases/99991231T000000Z-handbuild/NOTES
""", r"""
[ -d $R/releases/99991231T000000Z-handbuild ] && [ "$(ls $R/releases | sort | tail -n 1)" = 99991231T000000Z-handbuild ]
""", "a hand build staged in releases/ as root sorts after every real release: the next prune counts it as the newest "
     "and removes a real rollback target, and cannot remove it (root's)")

fault("app-tree-setgid-swept", "grants", r"""
find $R -xdev -type d -perm -2000 -exec chmod g-s {} +
""", r"""
[ ! -g $R ] && [ ! -g $R/shared ]
""", "a setuid/setgid sweep (find / -perm /6000) cleared the tree's setgid bits: what the deploy makes next (a "
     "release, the config) gets the deploy login's own group instead of the app's, and what the app makes in shared/ "
     "loses the app group: the next config change closes the config to the daemons")

# ---------------------------------------------------------------- controls: harmless changes a careful operator makes
control("ctl-sshd-allowgroups-with-deploy-login", "control", r"""
groupadd -f sshusers
usermod -aG sshusers $DEPU
printf '\n# only members of sshusers by ssh\nAllowGroups sshusers\n' >> /etc/ssh/sshd_config
HUPSSHD
""", r"""
SSHDT | grep -qi '^allowgroups sshusers' && id -nG $DEPU | tr ' ' '\n' | grep -qx sshusers
""", "AllowGroups naming a group the deploy login is in, sshd reloaded")

control("ctl-sshd-loglevel-verbose", "control", r"""
printf '\nLogLevel VERBOSE\n' >> /etc/ssh/sshd_config
HUPSSHD
""", r"""
SSHDT | grep -qi '^loglevel verbose'
""", "CIS's sshd LogLevel VERBOSE (key fingerprints logged), sshd reloaded")

control("ctl-apt-mirror-switched", "control", r"""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed -E -i 's#https?://[^ ]*debian[^ ]*#http://ftp.de.debian.org/debian/#' "$f"
done
true
""", r"""
grep -rqs 'ftp.de.debian.org' /etc/apt/sources.list /etc/apt/sources.list.d/
""", "apt's sources moved to another official Debian mirror")

control("ctl-login-defs-pass-policy", "control", r"""
sed -i 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t365/; s/^PASS_WARN_AGE.*/PASS_WARN_AGE\t14/' /etc/login.defs
""", r"""
grep -q '^PASS_MAX_DAYS[[:space:]]*365' /etc/login.defs
""", "a password policy for logins made later (login.defs), existing accounts untouched")

control("ctl-deploy-login-gecos", "control", r"""
chfn -f 'Deploy bot (CI)' $DEPU
""", r"""
getent passwd $DEPU | cut -d: -f5 | grep -q 'Deploy bot'
""", "the deploy login's full name set (chfn)")

control("ctl-apache-graceful-by-hand", "control", r"""
apache2ctl graceful; sleep 3
""", r"""
GET /health | head -n 1 | grep -q '^200$'
""", "Apache reloaded by hand with no change (apache2ctl graceful)")

control("ctl-apache-logs-moved-behind-link", "control", r"""
mkdir -p /srv
mv /var/log/apache2 /srv/apache2-logs
ln -s /srv/apache2-logs /var/log/apache2
apache2ctl graceful; sleep 3
""", r"""
[ -L /var/log/apache2 ] && [ "$(stat -c '%a %U %G' /srv/apache2-logs)" = "750 root adm" ] && GET /health | head -n 1 | grep -q '^200$'
""", "Apache's logs moved to a bigger disk behind a link (root:adm 0750 kept), Apache reloaded")

control("ctl-negotiation-deflate-disabled", "control", r"""
a2dismod -q -f negotiation deflate >/dev/null
apache2ctl graceful; sleep 3
""", r"""
! apache2ctl -M 2>/dev/null | grep -q 'negotiation_module\|deflate_module' && GET /health | head -n 1 | grep -q '^200$'
""", "mod_negotiation (CIS) and mod_deflate disabled, Apache reloaded")

control("ctl-curl-root-only", "control", r"""
chmod 0700 /usr/bin/curl
""", r"""
[ "$(stat -c %a /usr/bin/curl)" = 700 ]
""", "curl restricted to root (a web shell cannot download with it)")
