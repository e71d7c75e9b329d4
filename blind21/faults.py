# ruff: noqa
"""A sixth blind fault set: written from README.md and docs/ only (and the five earlier blind sets' fault lists, to
pick kinds they did not try), before reading any gate code.

Kinds not in blind16..20: operator drift that breaks the pipeline's own mechanisms from outside the files the
pipeline writes (a corporate proxy in /etc/environment that the deploy's health GET to 127.0.0.1 goes through, a
site-wide pip.conf that makes every venv install refuse, a CIS umask for every PAM session, a banner printed on
every SSH command's stdout, the stack's packages marked auto-installed for the next `apt autoremove`); the next
start of sshd or of the server refusing outright (a MAC list naming an algorithm OpenSSH removed, a client-only
option in sshd_config.d, ssh not started at boot, an fstab disk that is gone, Apache's log directory removed,
MFA for every login, channels closed when idle); what an operator's hands do to the tree and its rollback material
(a kept config copy deduplicated into a link to the live config, a hand backup copy of the live release inside
releases/, the config rewritten by root's `sed -i`, bootstrap's record of the users it created removed, logrotate
run as root in the app's data dir); logs and updates switched off by configuration (sudo's records dropped by
rsyslog, apt sources without the security suite, apt's Valid-Until check off); SFTP removed.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm.
Every snippet runs after PRELUDE (blind19's and blind20's), which finds the deployed state on the server itself.
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

# ---------------------------------------------------------------- the pipeline's mechanisms, broken from outside its files
fault("environment-http-proxy-no-bypass", "mechanisms", r"""
cat >> /etc/environment <<'X'
http_proxy="http://proxy.corp.example:3128"
https_proxy="http://proxy.corp.example:3128"
HTTP_PROXY="http://proxy.corp.example:3128"
X
""", r"""grep -q '^http_proxy=' /etc/environment && ! grep -qi 'no_proxy' /etc/environment && grep -q 'pam_env' /etc/pam.d/sshd \
&& http_proxy=http://proxy.corp.example:3128 python3 -c 'import sys, urllib.request as u; sys.exit(1 if u.proxy_bypass("127.0.0.1") or "http" not in u.getproxies() else 0)'""",
      "the corporate proxy written into /etc/environment (pam_env puts it into every SSH session, the deploy "
      "login's too) with no no_proxy: the deploy's health gate on the server (GET http://127.0.0.1:<port>/health) "
      "goes through a proxy that cannot reach the server's loopback; every deploy and rollback is refused or waits "
      "its whole timeout (or the proxy answers in the app's place)")

fault("pip-conf-user-install", "mechanisms", r"""
cat > /etc/pip.conf <<'X'
[global]
timeout = 60
[install]
user = true
X
""", r"""sudo -u $DEPU -H sh -c 'cd /tmp; python3 -m venv --without-pip /tmp/pv-b21 && python3 -m pip --python /tmp/pv-b21/bin/python install --no-index --find-links /tmp six; rm -rf /tmp/pv-b21' 2>&1 | grep -qi 'user site-packages are not visible'""",
      "a site-wide /etc/pip.conf that makes pip install into the user's site (`user = true`: 'never break the "
      "system Python'): pip refuses every install into a venv ('Can not perform a --user install. User "
      "site-packages are not visible in this virtualenv'): every deploy fails at install")

fault("cis-umask-027-for-every-session", "mechanisms", r"""
sed -i 's/^UMASK.*/UMASK\t\t027/' /etc/login.defs
grep -q 'pam_umask' /etc/pam.d/common-session || sed -i '/pam_unix.so/i session optional\t\t\tpam_umask.so' /etc/pam.d/common-session
""", r"""su -s /bin/sh -c umask $DEPU | grep -q '027$'""",
      "CIS 'default user umask 027' applied through pam_umask for every PAM session: the deploy login's SSH "
      "sessions make files 0640 and dirs 0750; what a deploy creates without setting its own umask (a release's "
      "files, its static files) is closed to others: Apache's user cannot serve the static files of the next "
      "release, which breaks at its switch")

fault("bash-bashrc-banner-on-stdout", "mechanisms", r"""
sed -i '1i echo "*** PRODUCTION SERVER - all sessions are recorded ***"' /etc/bash.bashrc
""", r"""getent passwd $DEPU | grep -q '/bash$' && env SHLVL=0 SSH_CLIENT='127.0.0.1 40000 22' su $DEPU -c 'echo ok' 2>/dev/null | head -n 1 | grep -q PRODUCTION""",
      "a warning banner added at the top of /etc/bash.bashrc, above its 'not interactive: return' line: bash reads "
      "it for every SSH command (Debian builds bash with SSH_SOURCE_BASHRC), so every command the runner sends "
      "prints a line on stdout before its own output: the deploy's and the gate's replies read from stdout")

fault("stack-packages-marked-auto", "mechanisms", r"""
apt-mark auto libapache2-mod-wsgi-py3 python3-venv iproute2 >/dev/null
""", r"""apt-get -s autoremove 2>/dev/null | grep -q '^Remv libapache2-mod-wsgi-py3' && apt-get -s autoremove 2>/dev/null | grep -q '^Remv python3-venv'""",
      "the stack's packages marked automatically installed (`apt-mark auto $(apt-mark showmanual)`, a clean-up "
      "recipe): nothing depends on them, so the next `apt autoremove` (every apt run suggests it) removes mod_wsgi "
      "(the site stops serving at Apache's next start), python3-venv (every deploy fails at venv) and iproute2")

# ---------------------------------------------------------------- the next start refuses outright
fault("sshd-macs-with-removed-algorithm", "mechanisms", r"""
sed -i '1i MACs hmac-sha2-512,hmac-sha2-256,hmac-ripemd160' /etc/ssh/sshd_config
""", r"""! /usr/sbin/sshd -t >/dev/null 2>&1""",
      "a MAC list from an old hardening guide naming hmac-ripemd160 (removed in OpenSSH 7.6): sshd refuses its "
      "whole configuration ('Bad SSH2 mac spec') at its next start (a reboot, an openssh upgrade's restart): no "
      "deploy, rollback, gate run or admin login reaches the server")

fault("sshd-client-option-in-server-config", "mechanisms", r"""
mkdir -p /etc/ssh/sshd_config.d
printf '# CVE-2016-0777\nUseRoaming no\n' > /etc/ssh/sshd_config.d/cve-2016-0777.conf
grep -q '^Include /etc/ssh/sshd_config.d' /etc/ssh/sshd_config || sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config
""", r"""! /usr/sbin/sshd -t >/dev/null 2>&1""",
      "the CVE-2016-0777 advice (`UseRoaming no`, an ssh client option) dropped into sshd_config.d: sshd's next "
      "start fails on the unknown keyword: no deploy, rollback, gate run or admin login reaches the server")

fault("ssh-not-started-at-boot", "mechanisms", r"""
rm -f /etc/systemd/system/multi-user.target.wants/ssh.service /etc/systemd/system/sshd.service
update-rc.d ssh disable >/dev/null 2>&1 || true
""", r"""! ls /etc/rc2.d/S*ssh >/dev/null 2>&1 && ! test -e /etc/systemd/system/multi-user.target.wants/ssh.service""",
      "`systemctl disable ssh` (meant for the socket unit, or to 'stop it starting twice'): the SSH server runs now "
      "but is not started at the next boot: after it, no deploy, rollback, gate run or admin login reaches the "
      "server, while the site keeps serving whatever was live")

fault("fstab-names-a-detached-disk", "mechanisms", r"""
mkdir -p /srv/data
echo 'UUID=3f1c2a9e-7b4d-4c1e-9a51-0d6e2b7c8f10 /srv/data ext4 defaults 0 2' >> /etc/fstab
""", r"""grep -q '^UUID=3f1c2a9e-7b4d-4c1e-9a51-0d6e2b7c8f10 /srv/data ext4 defaults 0 2' /etc/fstab && ! test -e /dev/disk/by-uuid/3f1c2a9e-7b4d-4c1e-9a51-0d6e2b7c8f10""",
      "a data volume detached (moved to another VM) while /etc/fstab still names it, without nofail: the next boot "
      "waits 90 s for the device, fails local-fs.target and stops in emergency mode: no sshd, no Apache")

fault("apache-log-dir-removed", "mechanisms", r"""
rm -rf /var/log/apache2
""", r"""! test -e /var/log/apache2""",
      "`rm -rf /var/log/apache2` to free disk space (meant: its files): Apache keeps its open logs, but its next "
      "start or reload (logrotate's nightly one, a bootstrap's graceful) cannot open its error log and the server "
      "stops serving")

fault("sshd-mfa-for-every-login", "mechanisms", r"""
sed -i 's/^KbdInteractiveAuthentication no/KbdInteractiveAuthentication yes/' /etc/ssh/sshd_config
grep -q '^KbdInteractiveAuthentication yes' /etc/ssh/sshd_config || sed -i '1i KbdInteractiveAuthentication yes' /etc/ssh/sshd_config
sed -i '1i AuthenticationMethods publickey,keyboard-interactive' /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -t >/dev/null 2>&1 && SSHDT | grep -qx 'authenticationmethods publickey,keyboard-interactive'""",
      "a second factor for every login (`AuthenticationMethods publickey,keyboard-interactive`, the OTP through "
      "PAM): the deploy login has a key and no one to type a code: from sshd's next start every deploy, rollback "
      "and gate run fails at login")

fault("sshd-idle-channels-closed", "mechanisms", r"""
sed -i '1i ChannelTimeout *=30s' /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -t >/dev/null 2>&1 && SSHDT | grep -qi '^channeltimeout \*=30'""",
      "an 'idle session timeout' (`ChannelTimeout *=30s`, meant for forgotten shells): from sshd's next start "
      "every channel silent for 30 s is closed: a deploy whose install, post_deploy migration or health wait "
      "prints nothing for 30 s loses its session midway, and so does `fab run`")

fault("sshd-sftp-subsystem-removed", "mechanisms", r"""
sed -i 's/^Subsystem/#Subsystem/' /etc/ssh/sshd_config
""", r"""! SSHDT | grep -qi '^subsystem'""",
      "'no file transfer on production' (SFTP subsystem commented out): from sshd's next start whatever the "
      "pipeline uploads over SFTP fails")

# ---------------------------------------------------------------- the tree and its rollback material by hand
fault("kept-config-copy-linked-to-live-config", "rollback", r"""
C=$(ls $R/.configs | head -n 1); test -n "$C"
sudo -u $DEPU ln -sfn $CFG $R/.configs/$C
""", r"""test -L "$R/.configs/$(ls $R/.configs | head -n 1)" """,
      "the kept copies of installed configs 'deduplicated' into a link to the live config: the copy a rollback "
      "restores now follows whatever config is installed next (a rollback runs the old code with the new "
      "config, the pairing the copies exist to prevent), or is refused as a link")

fault("hand-backup-copy-of-live-release", "rollback", r"""
sudo -u $DEPU cp -a $REL $R/releases/${LIVE}.bak
""", r"""test -f $R/releases/${LIVE}.bak/RELEASE.json""",
      "a hand backup of the live release inside releases/ (`cp -a releases/ID releases/ID.bak` before a risky "
      "change): the next prune counts it among the kept releases (it sorts after every real one), so a real "
      "rollback target is pruned in its place, and a rollback may pick a release under an id that is not its own")

fault("config-rewritten-by-roots-sed", "rollback", r"""
sed -i 's/^#NOSUCHSETTING.*//' $CFG
""", r"""test "$(stat -c %U:%G $CFG)" = root:root && ! sudo -u $APPU cat $CFG >/dev/null 2>&1""",
      "an operator's `sudo sed -i` on the app's config (a pattern that matched nothing): sed -i writes a new file, "
      "root:root 0640: the app user can no longer read its config: the daemons fail at their next start, and the "
      "next deploy (same config: nothing to install) is refused at its release check")

fault("bootstrap-users-record-removed", "rollback", r"""
rm -rf /var/lib/deploytests/users
""", r"""! test -e /var/lib/deploytests/users && id $APPU >/dev/null""",
      "bootstrap's record of the app users it created removed ('stale state' clean-up of /var/lib): the next "
      "bootstrap (a new server_name, a second app, a deploytests upgrade) takes the app user for an account it did "
      "not create and refuses the server")

fault("logrotate-as-root-in-app-data", "grants", r"""
touch $SH0/app.log; chown $APPU:$APPG $SH0/app.log
cat > /etc/logrotate.d/$APP-app <<X
$SH0/*.log {
    weekly
    rotate 8
    compress
    missingok
    su root root
    create 0640 $APPU $APPG
}
X
""", r"""logrotate -d /etc/logrotate.d/$APP-app 2>&1 | grep -q "$SH0" && ! logrotate -d /etc/logrotate.d/$APP-app 2>&1 | grep -qi 'insecure permissions'""",
      "logrotate for the app's log in its data dir, with `su root root` to silence logrotate's 'parent directory "
      "has insecure permissions': root renames, creates and chowns files every night in a directory the app user "
      "writes: the app swaps a name for a link and root creates or chowns the file it names (a root file write)")

# ---------------------------------------------------------------- records and updates switched off by configuration
fault("rsyslog-drops-sudo-records", "logs", r"""
APT rsyslog
echo ':programname, isequal, "sudo" stop' > /etc/rsyslog.d/10-quiet-sudo.conf
(rsyslogd >/dev/null 2>&1 || true)
""", r"""test -f /etc/rsyslog.d/10-quiet-sudo.conf && rsyslogd -N1 >/dev/null 2>&1""",
      "sudo's log lines dropped by rsyslog (the deploys' and the gate's frequent sudo calls 'flood auth.log'): "
      "who ran what as whom through sudo (an intruder with the deploy key running as the app user, an admin's "
      "root commands) is no longer recorded")

fault("apt-sources-without-security-suite", "updates", r"""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do test -f "$f" && sed -i '/-security/d' "$f"; done
for f in /etc/apt/sources.list.d/*.sources; do test -f "$f" && python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
stanzas = open(p).read().split("\n\n")
open(p, "w").write("\n\n".join(s for s in stanzas if "-security" not in s))
PY
done
true
""", r"""! grep -rqs -- '-security' /etc/apt/sources.list /etc/apt/sources.list.d/""",
      "apt's sources rewritten for a local mirror of the main suite only (no bookworm-security/trixie-security): "
      "the stack's packages (Apache, OpenSSH, sudo, Python) silently take no security update again")

fault("apt-valid-until-check-off", "updates", r"""
echo 'Acquire::Check-Valid-Until "false";' > /etc/apt/apt.conf.d/99-snapshot-mirror
""", r"""apt-config dump | grep -q 'Acquire::Check-Valid-Until "false"'""",
      "apt's Valid-Until check off (set once for a snapshot mirror): an attacker on the path replays an old signed "
      "Release file forever: the server sees no security update and apt says nothing")

# ---------------------------------------------------------------- controls: harmless changes a real team makes
control("ctl-apt-no-recommends-and-proxy", "control", r"""
printf 'APT::Install-Recommends "false";\nAcquire::http::Proxy "http://proxy.corp.example:3128";\n' > /etc/apt/apt.conf.d/90-local
""", r"""apt-config dump | grep -q 'APT::Install-Recommends "false"'""",
        "apt installs no recommends and fetches through the corporate proxy")

control("ctl-pip-conf-corporate-index", "control", r"""
printf '[global]\nindex-url = https://pypi.corp.example/simple\ntimeout = 60\n' > /etc/pip.conf
""", r"""python3 -m pip config list 2>/dev/null | grep -q 'pypi.corp.example'""",
        "a site-wide pip.conf naming the corporate package index (deploys install from the shipped wheels only)")

control("ctl-limits-core-zero", "control", r"""
echo '* hard core 0' > /etc/security/limits.d/99-cis.conf
""", r"""test -f /etc/security/limits.d/99-cis.conf""",
        "no core dumps for logins (a CIS item)")

control("ctl-deploy-key-no-forwarding", "control", r"""
AK=$DEPH/.ssh/authorized_keys; O=$(stat -c %U:%G $AK); M=$(stat -c %a $AK)
sed -i 's/^\(ssh-\|ecdsa-\)/no-port-forwarding,no-X11-forwarding,no-agent-forwarding \1/' $AK
chown $O $AK; chmod $M $AK
""", r"""grep -q '^no-port-forwarding,no-X11-forwarding,no-agent-forwarding ' $DEPH/.ssh/authorized_keys""",
        "the deploy key may not forward ports, X11 or an agent (what a deploy key does not need)")

control("ctl-autoindex-disabled", "control", r"""
a2dismod -q -f autoindex >/dev/null 2>&1
apache2ctl graceful >/dev/null 2>&1; sleep 2
""", r"""! test -e /etc/apache2/mods-enabled/autoindex.load""",
        "mod_autoindex disabled and Apache reloaded (a CIS item: no directory listings)")

control("ctl-hardlink-dedup-releases", "control", r"""
hardlink --ignore-time $R/releases >/dev/null 2>&1 || hardlink -t $R/releases >/dev/null 2>&1 || true
""", r"""find $PREVREL -type f -links +1 | grep -q .""",
        "identical files of the kept releases hard-linked to save disk (util-linux hardlink): no file changes; "
        "deploys never write into a release's existing files")

control("ctl-deploy-password-locked", "control", r"""
passwd -l $DEPU >/dev/null
""", r"""getent shadow $DEPU | cut -d: -f2 | grep -q '^!'""",
        "the deploy login's password locked (`passwd -l`; it logs in with its key: Debian's sshd uses PAM)")

control("ctl-sshd-max-auth-tries", "control", r"""
sed -i '1i MaxAuthTries 3' /etc/ssh/sshd_config
""", r"""SSHDT | grep -qx 'maxauthtries 3'""",
        "at most 3 authentication attempts per connection (a CIS item)")
