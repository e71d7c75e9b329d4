# ruff: noqa
"""A ninth blind fault set, of SECURITY regressions: written from README.md and docs/ only (and the fault lists of
blind16..21 and sec21, to pick kinds they did not try), before reading any gate code.

Anchors: DevSec linux-baseline (sysctl core dumps, kernel modules, account passwords, world-readable secrets,
logging), CIS Debian Linux (su restricted by pam_wheel, swap, core dumps, journald storage, sudo logging, system
accounts without a shell or password, no login in the disk group), CIS Apache (the forward proxy off, the error
log kept, what Apache's root parent loads), mod_wsgi's security notes (the app's secrets kept to the daemon's user).
Kinds not in the earlier sets: a kernel core_pattern pipe, a modprobe install command, an NSS module, systemd's
manager-wide DefaultEnvironment, PAM's su trust and cron's session stack, login.defs' root PATH, pip's site-wide
find-links, an emptied password, the disk group, the unit dir given to the app's group, Apache's user given a
shell and a password, an open forward proxy, Apache's LoadFile, a world-readable swap file, a secret on a root
process's command line, an ACL giving Apache's user the app's config, journald and sudo records switched off,
Apache's error log silenced.

Who receives a grant: in the lab the deploy login is an admin with sudo; every grant here goes to the image's
other login without sudo (`deployer`, $OTH), to the app user or to Apache's user, or to every local user.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm (what an
attacker gets). Every snippet runs after PRELUDE (blind20's, sec21's), which finds the deployed state on the server.
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
# a secret value of the app's config (a quoted or bare value of 8+ characters), for the leak faults
SECRETV=$(sed -n "s/^[A-Za-z_][A-Za-z0-9_]*[ ]*[=:][ ]*['\"]\{0,1\}\([^'\" ]\{8,\}\)['\"]\{0,1\}[ ]*$/\1/p" "$CFG" | head -n 1)
MARK=/tmp/.sec22-mark
OPS() { mkdir -p "$1"; chown "$DEPU:$DEPU" "$1"; chmod 0755 "$1"; }   # a tools dir the deploy login owns
HOOK() { printf '#!/bin/sh\ntouch %s-$(id -u)\nexit 0\n' "$MARK" > "$1"; chown "$2" "$1"; chmod 0755 "$1"; }
RAN_AS_ROOT() { test -e $MARK-0 && rm -f $MARK-0; }
NOBODY_READS() { runuser -u nobody -- cat "$1" >/dev/null 2>&1; }
"""


PRELUDE += r"""
# the image's other login, without sudo: who receives the grants (the deploy login is an admin in the lab)
OTH=deployer; id -u $OTH >/dev/null
OOPS() { mkdir -p "$1"; chown "$OTH:$OTH" "$1"; chmod 0755 "$1"; }   # a tools dir the login without sudo owns
APACHEPID() { cat /run/apache2/apache2.pid 2>/dev/null || pgrep -o apache2; }
HAS_SYSTEMD() { test -d /usr/lib/systemd/system || test -d /lib/systemd/system; dpkg -s systemd >/dev/null 2>&1; }
"""

# ---------------------------------------------------------------- code run for root: kernel upcalls and the system's libraries
fault("core-pattern-pipes-to-other-login", "root-code", r"""
OOPS /opt/crashd; HOOK /opt/crashd/collect "$OTH"
printf '# crash reports to the vendor\nkernel.core_pattern = |/opt/crashd/collect %%p %%e\n' > /etc/sysctl.d/60-crashd.conf
""", r"""grep -q '^kernel.core_pattern = |/opt/crashd/collect' /etc/sysctl.d/60-crashd.conf && test "$(stat -c %U /opt/crashd/collect)" = "$OTH" """,
      "kernel.core_pattern piped to a crash collector in a dir a login without sudo owns: from the next boot the "
      "kernel runs that program as root (full capabilities) at every core dump, and any local user (the app's code) "
      "makes one by crashing its own process: the login's program runs as root on demand")

fault("modprobe-install-runs-other-login", "root-code", r"""
command -v modprobe >/dev/null 2>&1 || test -x /usr/sbin/modprobe || test -x /sbin/modprobe || APT kmod
OOPS /opt/ops; HOOK /opt/ops/modhook "$OTH"
mkdir -p /etc/modprobe.d
printf '# log who loads dccp, then load it\ninstall dccp /opt/ops/modhook; /sbin/modprobe --ignore-install dccp\n' > /etc/modprobe.d/dccp-audit.conf
""", r"""(test -x /usr/sbin/modprobe || test -x /sbin/modprobe) && grep -q '^install dccp /opt/ops/modhook' /etc/modprobe.d/dccp-audit.conf && test "$(stat -c %U /opt/ops/modhook)" = "$OTH" """,
      "a modprobe 'install' command naming a program a login without sudo owns: any local user's "
      "socket(AF_INET, SOCK_DCCP) makes the kernel run modprobe as root, which runs that program: root on demand")

fault("nss-module-of-other-login", "root-code", r"""
cp "$(ls /usr/lib/x86_64-linux-gnu/libz.so.1* /lib/x86_64-linux-gnu/libz.so.1* 2>/dev/null | head -n 1)" /usr/local/lib/libnss_cache.so.2
chown "$OTH:$OTH" /usr/local/lib/libnss_cache.so.2
sed -i 's/^\(passwd:[ \t]*files\)/\1 cache/; s/^\(group:[ \t]*files\)/\1 cache/' /etc/nsswitch.conf
ldconfig
""", r"""grep -q '^passwd:.*files cache' /etc/nsswitch.conf && python3 -c '
import pwd, sys
try: pwd.getpwnam("no-such-user-sec22")
except KeyError: pass
sys.exit(0 if "libnss_cache.so.2" in open("/proc/self/maps").read() else 1)' && test "$(stat -c %U /usr/local/lib/libnss_cache.so.2)" = "$OTH" """,
      "an NSS module ('passwd: files cache', libnss_cache from a vendor's tarball) a login without sudo owns: every "
      "process that looks up a user or group it does not find in files (sshd, sudo, cron, root's shells) maps that "
      "login's library: its code runs in root's processes")

fault("systemd-default-environment-pythonpath", "root-code", r"""
OOPS /opt/ops; OOPS /opt/ops/py
mkdir -p /etc/systemd/system.conf.d
printf '[Manager]\nDefaultEnvironment=PYTHONPATH=/opt/ops/py http_proxy=http://proxy.internal:3128\n' > /etc/systemd/system.conf.d/10-env.conf
""", r"""HAS_SYSTEMD && grep -q '^DefaultEnvironment=PYTHONPATH=/opt/ops/py' /etc/systemd/system.conf.d/10-env.conf && test "$(stat -c %U /opt/ops/py)" = "$OTH" """,
      "systemd's manager-wide DefaultEnvironment puts a dir a login without sudo owns on PYTHONPATH for every "
      "service: from the next boot each Python service root runs (unattended-upgrades, apt hooks' tools, the "
      "app's own helpers) imports that login's modules first: its code as root")

fault("pam-exec-in-cron-session", "root-code", r"""
test -e /etc/pam.d/cron || APT cron
OOPS /opt/ops; HOOK /opt/ops/cron-session "$OTH"
printf 'session optional pam_exec.so quiet /opt/ops/cron-session\n' >> /etc/pam.d/cron
""", r"""grep -q '^session optional pam_exec.so quiet /opt/ops/cron-session' /etc/pam.d/cron && test "$(stat -c %U /opt/ops/cron-session)" = "$OTH" """,
      "cron's PAM session stack runs a program a login without sudo owns (pam_exec, 'to audit jobs'): cron opens "
      "a session as root for every job, root's included, so that login's program runs as root every minute")

fault("login-defs-root-path-other-login", "root-code", r"""
OOPS /opt/ops; OOPS /opt/ops/bin
sed -i 's|^ENV_SUPATH.*|ENV_SUPATH\tPATH=/opt/ops/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|' /etc/login.defs
grep -q '^ENV_SUPATH.*/opt/ops/bin' /etc/login.defs || printf 'ENV_SUPATH\tPATH=/opt/ops/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' >> /etc/login.defs
printf 'ALWAYS_SET_PATH\tyes\n' >> /etc/login.defs
""", r"""su -s /bin/sh -c 'echo $PATH' root </dev/null | grep -q '^/opt/ops/bin:' && test "$(stat -c %U /opt/ops/bin)" = "$OTH" """,
      "login.defs' ENV_SUPATH (root's PATH after su, ALWAYS_SET_PATH yes) starts with a dir a login without sudo owns: that login drops "
      "an 'ls' or 'systemctl' there and an admin's next command after 'su' runs it as root")

fault("pip-conf-find-links-other-login", "app-code", r"""
OOPS /srv/wheelhouse
printf '[global]\nfind-links = /srv/wheelhouse\ntimeout = 30\n' > /etc/pip.conf
""", r"""grep -q '^find-links = /srv/wheelhouse' /etc/pip.conf && test "$(stat -c %U /srv/wheelhouse)" = "$OTH" && (python3 -m pip config list 2>/dev/null | grep -q find-links || ! python3 -m pip --version >/dev/null 2>&1)""",
      "the site-wide /etc/pip.conf adds find-links to a dir a login without sudo owns: every pip install on the "
      "server (root's, the deploy's into the app's venv) also takes that login's wheels, the highest version "
      "winning: its code in the app and in root's tools")

fault("apache-loadfile-of-other-login", "root-code", r"""
OOPS /opt/ops
cp "$(ls /usr/lib/x86_64-linux-gnu/libz.so.1* /lib/x86_64-linux-gnu/libz.so.1* 2>/dev/null | head -n 1)" /opt/ops/libapm.so
chown "$OTH:$OTH" /opt/ops/libapm.so
printf '# APM agent\nLoadFile /opt/ops/libapm.so\n' > /etc/apache2/conf-available/apm.conf
a2enconf -q apm >/dev/null; apache2ctl graceful; sleep 2
""", r"""grep -q /opt/ops/libapm.so /proc/$(APACHEPID)/maps && test "$(stat -c %U /opt/ops/libapm.so)" = "$OTH" """,
      "Apache's LoadFile (an APM agent's library) from a dir a login without sudo owns: Apache's root parent maps "
      "that login's library at every start and graceful, its code runs as root and in every worker and daemon "
      "(the app's secrets)")

# ---------------------------------------------------------------- grants widened: who becomes whom
fault("su-pam-wheel-trust-for-a-group", "grants", r"""
getent group ops >/dev/null || groupadd ops
usermod -aG ops "$OTH"
sed -i '0,/^auth[ \t]*sufficient[ \t]*pam_rootok.so/s//&\nauth       sufficient pam_wheel.so trust group=ops/' /etc/pam.d/su
""", r"""test "$(runuser -u $OTH -- su -c 'id -u' root </dev/null 2>/dev/null)" = 0""",
      "su's PAM stack trusts a group (pam_wheel trust group=ops, 'so ops need no root password'): the login without "
      "sudo in that group becomes root with 'su' and no password")

fault("deploy-login-password-emptied", "grants", r"""
passwd -d "$DEPU" >/dev/null
""", r"""test "$(getent shadow $DEPU | cut -d: -f2)" = "" && test "$(runuser -u nobody -- su -s /bin/sh -c 'id -un' $DEPU </dev/null 2>/dev/null)" = "$DEPU" """,
      "the deploy login's password emptied ('passwd -d' to get past a locked account): any local user (Apache's, "
      "the app's code) runs 'su <deploy login>' with no password (Debian's pam_unix nullok) and gets its files, "
      "its keys and its sudo rules")

fault("other-login-in-disk-group", "grants", r"""
usermod -aG disk "$OTH"
""", r"""id -nG "$OTH" | tr ' ' '\n' | grep -qx disk""",
      "a login without sudo added to 'disk' ('to run smartctl'): it reads and writes the raw block devices, so it "
      "reads /etc/shadow and the app's config off the disk and can rewrite any root file: root")

fault("systemd-unit-dir-writable-by-app-group", "grants", r"""
mkdir -p /etc/systemd/system
chgrp "$APPG" /etc/systemd/system; chmod 2775 /etc/systemd/system
""", r"""runuser -u "$APPU" -- test -w /etc/systemd/system""",
      "/etc/systemd/system given to the app's group ('so deploys can install the worker unit'): the app's code "
      "writes a unit (User=root, ExecStart= its own program) and a wants link, and systemd starts it as root at the "
      "next boot or daemon-reload")

fault("apache-user-shell-and-password", "exposure", r"""
usermod -s /bin/bash www-data
echo 'www-data:www-data-2026' | chpasswd
""", r"""getent shadow www-data | cut -d: -f2 | grep -q '^\$' && test "$(getent passwd www-data | cut -d: -f7)" = /bin/bash && test "$APPU" != www-data""",
      "Apache's user given a shell and a password ('so we can rsync the uploads as www-data'): any network client "
      "that guesses it logs in over SSH (Debian's PasswordAuthentication yes) and any local user su's to it: "
      "Apache's key material, every site's files Apache reads")

fault("app-config-acl-for-apache-user", "secrets", r"""
ACL_ADD "$CFG" "$(id -u www-data)" 4
D=$(dirname "$CFG"); while [ "$D" != / ] && ! runuser -u www-data -- test -x "$D"; do ACL_ADD "$D" "$(id -u www-data)" 5; D=$(dirname "$D"); done
""", r"""runuser -u www-data -- cat "$CFG" >/dev/null 2>&1 && test "$APPU" != www-data""",
      "an ACL giving Apache's user read on the app's config ('the status page needs the DB name'): a hole in any "
      "module or another site's script in Apache's workers reads the app's secrets, the separation mod_wsgi's "
      "daemon mode (user=) exists for undone")

# ---------------------------------------------------------------- exposure
fault("apache-open-forward-proxy", "exposure", r"""
a2enmod -q proxy proxy_http >/dev/null
printf '# outbound for the app (temporary)\nProxyRequests On\n<Proxy "*">\n    Require all granted\n</Proxy>\n' > /etc/apache2/conf-available/outbound-proxy.conf
a2enconf -q outbound-proxy >/dev/null; apache2ctl graceful; sleep 2
""", r"""python3 - "$PORT" <<'PXEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET http://127.0.0.1:9/ HTTP/1.0\r\nHost: 127.0.0.1:9\r\n\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.exit(0 if (b" 502 " in data.split(b"\r\n")[0] or b" 503 " in data.split(b"\r\n")[0]) and b"roxy" in data else 1)
PXEOF""",
      "an open forward proxy (ProxyRequests On, every client granted): any network client makes requests from the "
      "server's address: to loopback services (the app's own admin paths, the metrics exporter), to the internal "
      "network, and to the cloud metadata address (the host's credentials)")

# ---------------------------------------------------------------- secrets left readable
fault("swapfile-world-readable", "secrets", r"""
dd if=/dev/zero of=/swapfile bs=1M count=8 status=none
chmod 0644 /swapfile
mkswap /swapfile >/dev/null 2>&1 || true
printf '/swapfile none swap sw 0 0\n' >> /etc/fstab
""", r"""runuser -u nobody -- head -c 4096 /swapfile >/dev/null && grep -q '^/swapfile none swap' /etc/fstab && dd if=/swapfile bs=1 skip=4086 count=10 status=none | grep -q SWAPSPACE2""",
      "a swap file made 0644 (fallocate + mkswap without chmod 0600): from the next boot every local user reads "
      "the pages swapped out of every process: the app daemons' secrets, session keys, root's buffers")

fault("secret-on-a-root-command-line", "secrets", r"""
test -n "$SECRETV"
setsid nohup python3 -c 'import time; time.sleep(10**7)' db-sync --every=3600 --password="$SECRETV" >/dev/null 2>&1 </dev/null &
sleep 1
""", r"""runuser -u nobody -- python3 - "$SECRETV" <<'CLEOF'
import os, sys
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            if sys.argv[1].encode() in open("/proc/%s/cmdline" % p, "rb").read():
                sys.exit(0)
        except OSError:
            pass
sys.exit(1)
CLEOF""",
      "a root sync job started by hand with the app's secret on its command line: every local user (the app's "
      "code, Apache's, any login) reads it in /proc/<pid>/cmdline (ps) as long as it runs")

# ---------------------------------------------------------------- logging and audit switched off
fault("journald-storage-none", "logging", r"""
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\n# the disk kept filling up\nStorage=none\n' > /etc/systemd/journald.conf.d/10-nolog.conf
""", r"""HAS_SYSTEMD && grep -q '^Storage=none' /etc/systemd/journald.conf.d/10-nolog.conf""",
      "journald told to keep nothing (Storage=none): from the next boot sshd's, sudo's, cron's and the kernel's "
      "records are dropped (Debian 12 and 13 keep no syslog by default; on a server without systemd: invalid): a break-in, a sudo by a stolen login, "
      "leave no trace")

fault("sudo-syslog-off", "logging", r"""
printf 'Defaults !syslog\nDefaults !log_denied\n' > /etc/sudoers.d/zz-quiet
chmod 0440 /etc/sudoers.d/zz-quiet
""", r"""visudo -c >/dev/null 2>&1 && grep -q '^Defaults !syslog' /etc/sudoers.d/zz-quiet""",
      "sudo's logging switched off ('too noisy from the deploys'): every command run as root with sudo, by an "
      "admin or by whoever took an admin's login, and every refused attempt leave no record")

fault("apache-loglevel-emerg", "logging", r"""
printf '# quieter logs\nLogLevel emerg\n' > /etc/apache2/conf-available/quiet.conf
a2enconf -q quiet >/dev/null; apache2ctl graceful; sleep 1
""", r"""! grep -qi '^[ \t]*LogLevel' "$VH" && apache2ctl -t -D DUMP_INCLUDES >/dev/null 2>&1 && test -e /etc/apache2/conf-enabled/quiet.conf""",
      "Apache's error log told to keep emergencies only: the app's tracebacks, mod_wsgi's daemon crashes, "
      "access refusals and request timeouts (an attack's traces) are no longer written")

# ---------------------------------------------------------------- controls: the same mechanisms used as the baselines say
control("ctl-core-pattern-root-dir", "hardening", r"""
mkdir -p -m 0700 /var/lib/cores
printf 'kernel.core_pattern = /var/lib/cores/core.%%e.%%p\nfs.suid_dumpable = 0\n' > /etc/sysctl.d/60-cores.conf
""", r"""grep -q '^kernel.core_pattern = /var/lib/cores' /etc/sysctl.d/60-cores.conf""",
      "core dumps to a root-only dir: no harm")

control("ctl-modprobe-cis-blacklist", "hardening", r"""
command -v modprobe >/dev/null 2>&1 || test -x /usr/sbin/modprobe || test -x /sbin/modprobe || APT kmod
mkdir -p /etc/modprobe.d
printf 'install cramfs /bin/false\nblacklist cramfs\ninstall udf /bin/false\nblacklist udf\ninstall dccp /bin/false\n' > /etc/modprobe.d/cis.conf
""", r"""grep -q '^install dccp /bin/false' /etc/modprobe.d/cis.conf""",
      "CIS's unused-filesystem and protocol blacklist: root's /bin/false, no harm")

control("ctl-su-restricted-to-sudo-group", "hardening", r"""
sed -i 's/^#[ \t]*auth[ \t]*required[ \t]*pam_wheel.so$/auth       required   pam_wheel.so group=sudo/' /etc/pam.d/su
grep -q '^auth *required *pam_wheel.so group=sudo' /etc/pam.d/su || sed -i '0,/^auth[ \t]*sufficient[ \t]*pam_rootok.so/s//&\nauth       required   pam_wheel.so group=sudo/' /etc/pam.d/su
""", r"""grep -q '^auth *required *pam_wheel.so group=sudo' /etc/pam.d/su""",
      "su restricted to the sudo group (CIS): a tightening, no harm")

control("ctl-sudo-logfile", "logging", r"""
printf 'Defaults logfile="/var/log/sudo.log"\nDefaults log_input, log_output\n' > /etc/sudoers.d/logging
chmod 0440 /etc/sudoers.d/logging
""", r"""visudo -c >/dev/null 2>&1""",
      "sudo's own log file and session recording (CIS): more records, no harm")

control("ctl-swapfile-root-only", "hardening", r"""
dd if=/dev/zero of=/swapfile bs=1M count=8 status=none
chmod 0600 /swapfile
mkswap /swapfile >/dev/null 2>&1 || true
printf '/swapfile none swap sw 0 0\n' >> /etc/fstab
""", r"""! runuser -u nobody -- head -c 1 /swapfile >/dev/null 2>&1""",
      "a swap file 0600 root as mkswap asks: no harm")

control("ctl-journald-persistent", "logging", r"""
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=persistent\nSystemMaxUse=500M\nForwardToSyslog=no\n' > /etc/systemd/journald.conf.d/10-keep.conf
""", r"""HAS_SYSTEMD && grep -q '^Storage=persistent' /etc/systemd/journald.conf.d/10-keep.conf""",
      "journald kept on disk with a size cap: no harm")

control("ctl-nsswitch-hosts-files-dns", "hardening", r"""
sed -i 's/^hosts:.*/hosts:          files dns/' /etc/nsswitch.conf
""", r"""grep -q '^hosts: *files dns$' /etc/nsswitch.conf""",
      "name lookups reordered to files then DNS (an admin's edit of a conffile): no harm")

control("ctl-systemd-default-limits", "hardening", r"""
mkdir -p /etc/systemd/system.conf.d
printf '[Manager]\nDefaultLimitNOFILE=65536\nDefaultTimeoutStopSec=30s\n' > /etc/systemd/system.conf.d/10-limits.conf
""", r"""HAS_SYSTEMD && grep -q '^DefaultLimitNOFILE=65536' /etc/systemd/system.conf.d/10-limits.conf""",
      "systemd's manager-wide limits raised: no harm")
