# ruff: noqa
"""A fifth blind fault set: written from README.md and docs/ only (and the four earlier blind sets' fault lists, to
pick kinds they did not try), before reading any gate code.

Kinds not in blind16..19: the SSH server's next start offering nothing the runner's SSH client speaks (key exchange,
cipher, host key algorithm, the deploy key's algorithm), moving its port or binding loopback only, a central keys
directory without the deploy login's key, a key option that expires the deploy key in days, host keys regenerated on
disk; a TLS private key readable by every local user; login records sent to /dev/null, auth logs forwarded in clear
to another host, Apache's logs kept zero rotations; an unpackaged agent run as a system account, a root process of a
deleted binary; policy-rc.d refusing every service action (upgrades, logrotate's reload); Apache's pid file gone;
Apache's run dir (the daemons' sockets) given to Apache's user; a kept config closed to the deploy login; the app's
data copied out world-readable; the packaged python3 link replaced by a wrapper adding a path; a CPAN module
shadowing a core one for root's perl tools; new passwords hashed with MD5 (PAM's password stack); every login's ssh
client forwarding its agent everywhere.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm.
Every snippet runs after PRELUDE (blind19's), which finds the deployed state on the server itself.
(The header was lost by a shell redirection in the first commit; the entries are unchanged.)
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

# ---------------------------------------------------------------- the deploy's own mechanism: SSH at sshd's next start
fault("sshd-kex-without-runners-algorithms", "mechanisms", r"""
sed -i '1i KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'kexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256'""",
      "a 'post-quantum only' key exchange list from a hardening guide, without the curve25519-sha256@libssh.org "
      "alias: the runner's SSH client (paramiko: mlkem768x25519, curve25519@libssh.org, ecdh, dh) shares none of "
      "them; at sshd's next start (a reboot, an openssh upgrade) every deploy, rollback and gate run fails at key "
      "exchange")

fault("sshd-ciphers-chacha-only", "mechanisms", r"""
sed -i '1i Ciphers chacha20-poly1305@openssh.com' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'ciphers chacha20-poly1305@openssh.com'""",
      "ciphers narrowed to chacha20-poly1305 (a common 'modern only' line): the runner's SSH client has no "
      "chacha20-poly1305; at sshd's next start no deploy, rollback or gate run connects")

fault("sshd-hostkey-algorithms-rsa-only", "mechanisms", r"""
ssh-keygen -q -t rsa -b 3072 -N '' -f /etc/ssh/ssh_host_rsa_key
sed -i '1i HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256' /etc/ssh/sshd_config
sed -i '1i HostKey /etc/ssh/ssh_host_rsa_key' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'hostkeyalgorithms rsa-sha2-512,rsa-sha2-256' && test -s /etc/ssh/ssh_host_ed25519_key.pub""",
      "an 'RSA host keys only' compliance change: at sshd's next start the server proves itself with a new RSA key "
      "only; the runner pinned its ed25519 host key, so every deploy and gate run refuses the host (or, told to "
      "accept it, learns to trust a key nobody checked)")

fault("sshd-pubkey-algorithms-exclude-deploy-key", "mechanisms", r"""
sed -i '1i PubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'pubkeyacceptedalgorithms rsa-sha2-512,rsa-sha2-256' && grep -q '^ssh-ed25519 \|[ "]ssh-ed25519 ' $DEPH/.ssh/authorized_keys""",
      "user keys restricted to RSA: the deploy login's key is ed25519; at sshd's next start the key is refused and "
      "every deploy and rollback fails at login")

fault("sshd-port-moved", "mechanisms", r"""
sed -i 's/^Port 22$/Port 2222/' /etc/ssh/sshd_config
grep -q '^Port 2222' /etc/ssh/sshd_config || sed -i '1i Port 2222' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'port 2222' && ! SSHDT | grep -qx 'port 22'""",
      "SSH moved to port 2222 ('fewer scanners in the logs'): at sshd's next start nothing answers on the port the "
      "targets name; every deploy, rollback and gate run fails to connect")

fault("sshd-central-keys-dir-without-deploy-key", "mechanisms", r"""
mkdir -p /etc/ssh/authorized_keys
chmod 0755 /etc/ssh/authorized_keys
sed -i 's|^AuthorizedKeysFile.*|AuthorizedKeysFile /etc/ssh/authorized_keys/%u|' /etc/ssh/sshd_config
grep -q '^AuthorizedKeysFile /etc/ssh/authorized_keys/%u' /etc/ssh/sshd_config || sed -i '1i AuthorizedKeysFile /etc/ssh/authorized_keys/%u' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'authorizedkeysfile /etc/ssh/authorized_keys/%u' && ! test -e /etc/ssh/authorized_keys/$DEPU""",
      "keys moved to a central root-owned directory (a common hardening), but the deploy login's key was not "
      "copied there: at sshd's next start the deploy login has no key and every deploy and rollback fails at login")

fault("deploy-key-expiry-time", "mechanisms", r"""
D=$(date -u -d '+10 days' +%Y%m%d)
sed -i "s/^\(ssh-\|ecdsa-\|sk-\)/expiry-time=\"$D\" \1/" $DEPH/.ssh/authorized_keys
""", r"""D=$(date -u -d '+10 days' +%Y%m%d); grep -q "^expiry-time=\"$D\" " $DEPH/.ssh/authorized_keys""",
      "a key-rotation policy put expiry-time on the deploy login's key: it works today, and in 10 days every "
      "deploy and rollback fails at login (the account's own expiry is not involved)")

fault("hostkey-regenerated-on-disk", "mechanisms", r"""
ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub > /run/blind20-oldfp
rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub
ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
""", r"""test "$(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)" != "$(cat /run/blind20-oldfp)" """,
      "the host keys regenerated on disk ('cloned VM, new keys'): sshd serves the new key (at once where each "
      "connection loads it, else at its next start); the runner's pinned key no longer matches and every deploy "
      "and gate run refuses the host")

# ---------------------------------------------------------------- certificates and keys
fault("tls-key-world-readable", "grants", r"""
openssl genpkey -algorithm ed25519 -out /etc/ssl/private/www.example.com.key 2>/dev/null
chmod 0755 /etc/ssl/private
chmod 0644 /etc/ssl/private/www.example.com.key
""", r"""runuser -u nobody -- cat /etc/ssl/private/www.example.com.key | grep -q 'PRIVATE KEY'""",
      "the site's TLS private key (kept on the server for its load balancer) and /etc/ssl/private opened to every "
      "local user ('a service could not read it'): the app's code, Apache's workers, any account reads it and "
      "impersonates the site")

control("ctl-tls-key-root-only", "control", r"""
openssl genpkey -algorithm ed25519 -out /etc/ssl/private/www.example.com.key 2>/dev/null
chmod 0600 /etc/ssl/private/www.example.com.key
""", r"""test -s /etc/ssl/private/www.example.com.key && ! runuser -u nobody -- cat /etc/ssl/private/www.example.com.key >/dev/null 2>&1""",
        "a TLS key kept as Debian intends: /etc/ssl/private 0700, the key 0600 root")

# ---------------------------------------------------------------- logs and auditing
fault("login-records-to-dev-null", "logs", r"""
for f in wtmp btmp lastlog; do ln -sfn /dev/null /var/log/$f; done
""", r"""test "$(readlink /var/log/wtmp)" = /dev/null && test "$(readlink /var/log/btmp)" = /dev/null""",
      "wtmp, btmp and lastlog linked to /dev/null ('they filled the disk'): no record of who logged in, when, from "
      "where, nor of failed logins: a deploy or an intrusion leaves no login trace")

fault("rsyslog-forwards-auth-plain-udp", "logs", r"""
APT rsyslog
echo 'auth,authpriv.*  @203.0.113.9:514' > /etc/rsyslog.d/50-forward-auth.conf
test -s /run/rsyslogd.pid && kill $(cat /run/rsyslogd.pid) && sleep 1 || true
rsyslogd; sleep 1
""", r"""pgrep -x rsyslogd >/dev/null && rsyslogd -N1 >/dev/null 2>&1 && grep -q '@203.0.113.9' /etc/rsyslog.d/50-forward-auth.conf""",
      "auth and authpriv logs (login names, sudo command lines, a password typed as a user name) forwarded in clear "
      "over UDP to an outside address: anyone on the path reads them, anyone may forge entries")

fault("logrotate-apache-keeps-nothing", "logs", r"""
APT logrotate
sed -i 's/^\(\s*\)rotate [0-9]*/\1rotate 0/' /etc/logrotate.d/apache2
""", r"""command -v logrotate >/dev/null && grep -q 'rotate 0' /etc/logrotate.d/apache2""",
      "Apache's logs rotated with 'rotate 0' (disk pressure): at each rotation the access and error logs are "
      "deleted, not kept: no request history to investigate an incident or a bad release with")

# ---------------------------------------------------------------- what runs
fault("system-account-runs-unpackaged-agent", "runs", r"""
mkdir -p /opt/sysmon
cp /bin/sleep /opt/sysmon/sysmond
chmod 0755 /opt/sysmon/sysmond
setsid setpriv --reuid=nobody --regid=nogroup --init-groups /opt/sysmon/sysmond 100000 </dev/null >/dev/null 2>&1 &
sleep 1
""", r"""pgrep -u nobody -f /opt/sysmon/sysmond >/dev/null""",
      "a vendor's monitoring agent (a binary no package ships, in /opt) left running as nobody, outside any "
      "session and any service: code nobody accounts for runs on the server")

# ---------------------------------------------------------------- mechanisms disabled by configuration
fault("policy-rc-d-denies-service-actions", "mechanisms", r"""
printf '#!/bin/sh\n# image build: never start services\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
""", r"""invoke-rc.d apache2 reload >/dev/null 2>&1; test $? -eq 101""",
      "a policy-rc.d left from an image build denies every service action: package upgrades (a security fix of "
      "Apache, OpenSSH, libssl) never restart what they fix, and logrotate's 'invoke-rc.d apache2 reload' never "
      "reloads Apache (it writes on into a rotated, later deleted log)")

fault("apache-pid-file-removed", "mechanisms", r"""
. /etc/apache2/envvars
rm -f "$APACHE_PID_FILE"
""", r"""( . /etc/apache2/envvars; test ! -e "$APACHE_PID_FILE" ) && pgrep -x apache2 >/dev/null""",
      "Apache's pid file deleted by a clean-up of /run: apache2ctl graceful/stop (bootstrap's reload, logrotate's) "
      "find no running server and try to start a second one, which fails: no reload takes effect")

fault("apache-run-dir-given-to-www-data", "grants", r"""
. /etc/apache2/envvars
chown www-data:www-data "$APACHE_RUN_DIR"
""", r"""( . /etc/apache2/envvars; ls "$APACHE_RUN_DIR"/wsgi.*.sock >/dev/null 2>&1 && runuser -u www-data -- test -w "$APACHE_RUN_DIR" )""",
      "Apache's run directory (the pid file and the app daemons' UNIX sockets) chowned to www-data ('Apache could "
      "not write there'): Apache's workers (any module or CGI hole) may unlink a daemon's socket and bind their own "
      "in its place, receiving every request for the app, cookies included, and replace the pid file")

# ---------------------------------------------------------------- rollback readiness
fault("prev-kept-config-closed-to-deploy", "rollback", r"""
K=$(find $R/.configs -type f -name "*$PREV*" 2>/dev/null | head -n 1)
[ -n "$K" ] || K=$(find $R/.configs -type f 2>/dev/null | sort | head -n 1)
chown root:root "$K"; chmod 0600 "$K"
""", r"""K=$(find $R/.configs -type f -user root 2>/dev/null | head -n 1); test -n "$K" && ! runuser -u $DEPU -- cat "$K" >/dev/null 2>&1""",
      "a kept config (what a rollback restores) chowned to root 0600 by an admin 'securing' it: the deploy login "
      "cannot read it, so a rollback cannot restore the config of the release it switches to")

# ---------------------------------------------------------------- data
fault("app-data-copy-world-readable", "grants", r"""
runuser -u $APPU -- sh -c "umask 007; printf 'id,email,pwhash\n1,alice@example.com,pbkdf2:sha256:600000\$salt\$hash\n' > $SH0/users.db"
cp $SH0/users.db /var/backups/users.db.$(date +%F)
chmod 0644 /var/backups/users.db.*
""", r"""runuser -u nobody -- cat /var/backups/users.db.* | grep -q alice@example.com""",
      "the app's data (its users and password hashes, written by the app in shared/) copied by hand to /var/backups "
      "before a migration, left 0644: every local user reads it")

# ---------------------------------------------------------------- loads code
fault("python3-link-replaced-by-wrapper", "loads", r"""
mkdir -p /opt/company/lib
echo 'COMPANY = 1' > /opt/company/lib/companyhooks.py
rm -f /usr/bin/python3
printf '#!/bin/sh\nPYTHONPATH=/opt/company/lib${PYTHONPATH:+:$PYTHONPATH} exec /usr/bin/python%s "$@"\n' "$PYV" > /usr/bin/python3
chmod 0755 /usr/bin/python3
""", r"""python3 -c 'import sys; print(sys.path)' | grep -q /opt/company/lib && test ! -L /usr/bin/python3""",
      "the packaged /usr/bin/python3 link replaced by an admin's wrapper that puts /opt/company/lib first on every "
      "python3's path: every root tool written in Python (apt's hooks, unattended-upgrades, admins' scripts) loads "
      "code from a directory no package ships, and the next python3-minimal upgrade silently undoes it")

fault("cpan-shadows-core-module-for-root", "loads", r"""
SL=$(perl -V:sitelib | sed "s/sitelib='\(.*\)';/\1/")
mkdir -p $SL/Getopt
F=$(perl -MGetopt::Long -e 'print $INC{"Getopt/Long.pm"}')
{ echo '$ENV{CPAN_GETOPT} = 1;'; cat $F; } > $SL/Getopt/Long.pm
""", r"""perl -MGetopt::Long -e 'print $INC{"Getopt/Long.pm"}' | grep -q '^/usr/local/' && perl -MGetopt::Long -e 'print $ENV{CPAN_GETOPT}' | grep -q 1""",
      "'cpan Getopt::Long' as root: a module no package ships in /usr/local/share/perl shadows perl's own for every "
      "perl root runs (a2enmod, a2ensite, update-rc.d, debconf, deb-systemd-helper)")

# ---------------------------------------------------------------- grants
fault("pam-new-passwords-md5", "grants", r"""
sed -i 's/\(pam_unix.so.*\) yescrypt/\1 md5/' /etc/pam.d/common-password
""", r"""useradd -M blind20tmp && echo 'blind20tmp:Xy-123-plain' | chpasswd && H=$(getent shadow blind20tmp | cut -d: -f2); userdel blind20tmp; case "$H" in '$1$'*) true;; *) false;; esac""",
      "PAM's password stack set to md5 (an old LDAP sync tool wanted it): every password set from now on (root's, "
      "an admin's, with passwd or chpasswd) is stored as MD5-crypt, cracked in hours from any copy of /etc/shadow")

fault("ssh-client-forwards-agent-everywhere", "grants", r"""
printf 'Host *\n    ForwardAgent yes\n' > /etc/ssh/ssh_config.d/10-ops.conf
""", r"""ssh -G example.org 2>/dev/null | grep -qx 'forwardagent yes'""",
      "every login's ssh client forwards its agent to every host it connects to (an ops convenience): an admin who "
      "jumps from here to another server lends that server's root every key in the agent")

fault("sshd-listen-loopback-only", "mechanisms", r"""
sed -i '1i ListenAddress 127.0.0.1' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'listenaddress 127.0.0.1:22' && ! SSHDT | grep -qx 'listenaddress 0.0.0.0:22'""",
      "sshd bound to loopback only ('reach it through the bastion's tunnel'): at sshd's next start the runner "
      "reaches nothing; every deploy, rollback and gate run fails to connect")

fault("root-runs-deleted-unpackaged-binary", "runs", r"""
cp /bin/sleep /usr/local/sbin/rotate-helper
setsid /usr/local/sbin/rotate-helper 100000 </dev/null >/dev/null 2>&1 &
sleep 1
rm -f /usr/local/sbin/rotate-helper
""", r"""P=$(pgrep -f 'rotate-helper 100000' | head -n 1); test -n "$P" && readlink /proc/$P/exe | grep -q deleted""",
      "a root helper started by hand from /usr/local/sbin, then its file deleted: a root process outside any session "
      "runs a program no one can inspect any more (the classic way to hide a backdoor)")

# ---------------------------------------------------------------- controls: ordinary admin changes that must pass
control("ctl-dpkg-excludes-docs", "control", r"""
printf 'path-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/locale/*\n' > /etc/dpkg/dpkg.cfg.d/01-nodoc
""", r"""grep -q path-exclude /etc/dpkg/dpkg.cfg.d/01-nodoc""",
        "dpkg told not to install documentation, manuals and translations (a small-image habit)")

control("ctl-status-module-disabled", "control", r"""
a2dismod -q -f status >/dev/null
apache2ctl graceful; sleep 3
""", r"""test ! -e /etc/apache2/mods-enabled/status.load && pgrep -x apache2 >/dev/null""",
        "mod_status switched off (one stock module fewer) and Apache reloaded")

control("ctl-sshd-modern-kex-keeps-runners", "control", r"""
sed -i '1i KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512' /etc/ssh/sshd_config
sed -i '1i Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr' /etc/ssh/sshd_config
""", r"""SSHDT | grep -q '^kexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org'""",
        "ssh-audit's hardening of key exchanges and ciphers, keeping what common clients (the runner's too) speak")

control("ctl-sshd-moduli-trimmed", "control", r"""
awk '$5 >= 3071' /etc/ssh/moduli > /etc/ssh/moduli.safe && mv /etc/ssh/moduli.safe /etc/ssh/moduli
""", r"""test -s /etc/ssh/moduli && ! awk '$5 < 3071 && $1 !~ /^#/' /etc/ssh/moduli | grep -q .""",
        "ssh-audit's hardening: Diffie-Hellman groups under 3072 bits removed from /etc/ssh/moduli")

control("ctl-htcacheclean-daemon", "control", r"""
/etc/init.d/apache-htcacheclean start >/dev/null 2>&1 || htcacheclean -d 120 -p /var/cache/apache2/mod_cache_disk -l 300M -n
sleep 1
""", r"""pgrep -x htcacheclean >/dev/null""",
        "Debian's htcacheclean daemon started (apache2-utils' own init script, its stock settings)")

control("ctl-timezone-far-east", "control", r"""
ln -sfn /usr/share/zoneinfo/Pacific/Kiritimati /etc/localtime
echo Pacific/Kiritimati > /etc/timezone
""", r"""date +%z | grep -q '+1400'""",
        "the server's time zone changed to UTC+14 after Apache started (its logs' times now in another zone)")

control("ctl-sshd-client-alive", "control", r"""
sed -i '1i ClientAliveInterval 300' /etc/ssh/sshd_config
sed -i '1i ClientAliveCountMax 2' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'clientaliveinterval 300'""",
        "idle SSH sessions cut after 10 minutes (a CIS item)")
