# ruff: noqa
"""A seventh blind fault set, of SECURITY regressions: written from README.md and docs/ only (and the five earlier
blind sets' fault lists, to pick kinds they did not try), before reading any gate code.

Anchors: DevSec linux-baseline (os-03 /etc/passwd's mode, sysctl-* kernel hardening, os-13 cron/at access),
DevSec apache-baseline / CIS Apache (the service's sandbox), mod_wsgi's security notes (temp files).
Kinds not in blind16..20: the account database writable by all; kernel hardening settings outside the ones the docs
list (mmap_min_addr, unprivileged userfaultfd); an environment variable that runs a file in every bash (BASH_ENV in
/etc/environment) or in every less (LESSOPEN in profile.d); root's chosen editor (~/.selected_editor) in the
deploy login's home; dpkg's own post-invoke hook and logrotate's compresscmd naming a program the deploy login owns
outside its home; a root loop reading commands from a world-writable FIFO; root's ssh-agent socket opened to all;
Apache's PrivateTmp sandbox switched off by a drop-in; at.deny emptied (system accounts schedule jobs); a secret value
(not a copy of the config) in a world-readable script and in a unit's Environment=; the config dumped into a
world-readable log under /var/log; a private key world-readable under /usr/local/share; the kept configs opened;
the local CA directory given to the deploy login; a .netrc with a password world-readable in a home; a udev rule
opening raw disks to everyone.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm (what an
attacker gets). Every snippet runs after PRELUDE (blind20's), which finds the deployed state on the server itself.
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
MARK=/tmp/.sec21-mark
OPS() { mkdir -p "$1"; chown "$DEPU:$DEPU" "$1"; chmod 0755 "$1"; }   # a tools dir the deploy login owns
HOOK() { printf '#!/bin/sh\ntouch %s-$(id -u)\nexit 0\n' "$MARK" > "$1"; chown "$2" "$1"; chmod 0755 "$1"; }
RAN_AS_ROOT() { test -e $MARK-0 && rm -f $MARK-0; }
NOBODY_READS() { runuser -u nobody -- cat "$1" >/dev/null 2>&1; }
"""

# ---------------------------------------------------------------- grants widened: the account database
fault("passwd-world-writable", "grants", r"""
chmod 0666 /etc/passwd
""", r"""runuser -u nobody -- test -w /etc/passwd""",
      "/etc/passwd left 0666 by a restore from a tar made without -p: any local user (the app's code, Apache's "
      "user after a module's hole) empties root's password field or adds a uid-0 line and su's to it: root")

# ---------------------------------------------------------------- kernel hardening undone (not the listed keys)
fault("vm-mmap-min-addr-zero", "hardening", r"""
printf '# wine / dosemu need page 0\nvm.mmap_min_addr = 0\n' > /etc/sysctl.d/60-wine.conf
""", r"""grep -qx 'vm.mmap_min_addr = 0' /etc/sysctl.d/60-wine.conf""",
      "vm.mmap_min_addr = 0 from a wine/dosemu guide: from the next boot any local user's code (the app's) maps "
      "page 0, and every kernel NULL-pointer dereference becomes a local root exploit (what the 64 KiB floor closes)")

fault("unprivileged-userfaultfd-on", "hardening", r"""
printf '# CRIU live migration of containers\nvm.unprivileged_userfaultfd = 1\n' > /etc/sysctl.d/60-criu.conf
""", r"""grep -qx 'vm.unprivileged_userfaultfd = 1' /etc/sysctl.d/60-criu.conf""",
      "vm.unprivileged_userfaultfd = 1 from a CRIU guide: from the next boot any local user's code may stall the "
      "kernel mid-copy with userfaultfd, the standard primitive that turns a kernel race (use-after-free) into a "
      "reliable root exploit; Debian keeps it 0")

# ---------------------------------------------------------------- code run for root: names of programs in root's environment and tools
fault("environment-bash-env-from-srv", "root-code", r"""
OPS /srv/ops; HOOK /srv/ops/shellenv "$DEPU"
printf 'BASH_ENV=/srv/ops/shellenv\n' >> /etc/environment
""", r"""su root -c true; RAN_AS_ROOT""",
      "BASH_ENV=/srv/ops/shellenv in /etc/environment (an ops team's shared shell settings, kept in a dir the "
      "deploy login owns): pam_env sets it for every su, ssh login and PAM'd cron job, and every bash started "
      "non-interactively sources it: the deploy login's file runs as root at root's next su -c, ssh root@ command "
      "or bash cron script")

fault("profile-d-lessopen-app-group-dir", "root-code", r"""
APT less
mkdir -p /usr/local/lib/lessfilter; chown root:$APPG /usr/local/lib/lessfilter; chmod 2775 /usr/local/lib/lessfilter
printf '#!/bin/sh\ncase "$1" in *.gz) gzip -dc "$1";; esac\n' > /usr/local/lib/lessfilter/lesspipe; chmod 0755 /usr/local/lib/lessfilter/lesspipe
printf 'export LESSOPEN="| /usr/local/lib/lessfilter/lesspipe %%s"\n' > /etc/profile.d/lessfilter.sh
""", r"""command -v less >/dev/null && bash -lc 'echo "$LESSOPEN"' | grep -q '/usr/local/lib/lessfilter/lesspipe' && runuser -u $APPU -- test -w /usr/local/lib/lessfilter""",
      "LESSOPEN set in profile.d to a filter kept in a dir group-writable by the app's group (the app team's "
      "log decoder): the app user (its code) replaces the filter, and root's next less (journalctl, systemctl "
      "status, man, a log it pages) runs it as root")

fault("root-selected-editor-in-deploy-home", "root-code", r"""
OPS $DEPH/bin; HOOK $DEPH/bin/vi "$DEPU"
printf '# Generated by /usr/bin/select-editor\nSELECTED_EDITOR="%s/bin/vi"\n' "$DEPH" > /root/.selected_editor
""", r"""env -u EDITOR -u VISUAL HOME=/root sensible-editor /dev/null </dev/null >/dev/null 2>&1; RAN_AS_ROOT""",
      "root's ~/.selected_editor (select-editor's choice) names an editor in the deploy login's ~/bin (a vim "
      "build an admin liked): root's next crontab -e, sensible-editor or git commit runs the deploy login's "
      "program as root")

fault("dpkg-post-invoke-from-opt", "root-code", r"""
OPS /opt/ops; HOOK /opt/ops/etc-snapshot "$DEPU"
printf 'post-invoke="/opt/ops/etc-snapshot"\n' > /etc/dpkg/dpkg.cfg.d/etc-snapshot
""", r"""dpkg --configure -a >/dev/null 2>&1; RAN_AS_ROOT""",
      "dpkg's own post-invoke hook (dpkg.cfg.d, not apt's conf) runs an etckeeper-like snapshot script from the "
      "deploy login's tools dir /opt/ops: the deploy login's program runs as root at every package install and "
      "upgrade (unattended-upgrades, nightly)")

fault("logrotate-compresscmd-from-opt", "root-code", r"""
APT logrotate
OPS /opt/ops; HOOK /opt/ops/zstd-wrap "$DEPU"
mkdir -p /var/log/ops; echo start > /var/log/ops/jobs.log
printf '/var/log/ops/*.log {\n    weekly\n    rotate 4\n    compress\n    compresscmd /opt/ops/zstd-wrap\n    compressext .zst\n    missingok\n}\n' > /etc/logrotate.d/ops-jobs
""", r"""logrotate -f /etc/logrotate.d/ops-jobs >/dev/null 2>&1; RAN_AS_ROOT""",
      "a logrotate file whose compresscmd is a wrapper in the deploy login's tools dir /opt/ops: logrotate "
      "(root, daily) runs the deploy login's program as root at every rotation")

# ---------------------------------------------------------------- exposure: root reads commands from a world-writable FIFO
fault("root-fifo-command-loop", "exposure", r"""
mkdir -p /run/ops; mkfifo -m 0666 /run/ops/cmd; chmod 0666 /run/ops/cmd
setsid nohup sh -c 'while true; do sh < /run/ops/cmd; done' >/dev/null 2>&1 </dev/null &
sleep 0.3
""", r"""runuser -u nobody -- sh -c "echo 'touch $MARK-0' > /run/ops/cmd"; sleep 1; test "$(stat -c %u $MARK-0)" = 0 && rm -f $MARK-0""",
      "a root job left reading shell lines from a FIFO in /run, mode 0666 (a 'run this on the box' channel for a "
      "deploy script): no socket, no port: any local user (the app's code) writes a line and root runs it")

# ---------------------------------------------------------------- the service's sandbox undone
fault("apache-privatetmp-off", "hardening", r"""
mkdir -p /etc/systemd/system/apache2.service.d
printf '[Service]\n# the report job reads the uploads from /tmp\nPrivateTmp=false\n' > /etc/systemd/system/apache2.service.d/shared-tmp.conf
""", r"""grep -q '^PrivateTmp=true' /lib/systemd/system/apache2.service && grep -qx 'PrivateTmp=false' /etc/systemd/system/apache2.service.d/shared-tmp.conf""",
      "a drop-in switching off Debian's PrivateTmp=true for apache2.service: from Apache's next start by systemd "
      "the app's daemons write their temp files (uploads being received, tempfile's) in the shared /tmp: every "
      "local user lists and reads them, and plants the names the app will open")

# ---------------------------------------------------------------- grants widened: who may schedule jobs
fault("at-deny-emptied", "grants", r"""
APT at
grep -qx www-data /etc/at.deny
: > /etc/at.deny
""", r"""command -v at >/dev/null && su -s /bin/sh www-data -c 'echo true | at -q z now + 1 year' >/dev/null 2>&1 && for j in $(atq -q z | cut -f1); do atrm $j; done""",
      "at installed and Debian's /etc/at.deny (www-data, nobody, the system accounts) emptied: Apache's user (a "
      "hole in any module) and every system account schedule jobs that run again after the hole is patched and "
      "Apache restarted: persistence")

# ---------------------------------------------------------------- secrets leaked: a value, not a copy; places outside the usual ones
fault("secret-in-usr-local-script", "secrets", r"""
test -n "$SECRETV"
printf '#!/bin/sh\n# nightly export for the reporting team\nexport APP_TOKEN=%s\nexit 0\n' "$SECRETV" > /usr/local/sbin/app-export
chmod 0755 /usr/local/sbin/app-export
""", r"""runuser -u nobody -- grep -qF "$SECRETV" /usr/local/sbin/app-export""",
      "a secret value of the app's config written into a root script in /usr/local/sbin, 0755 like every "
      "command there: any local user reads it (and with it signs sessions or calls the app's API as the app)")

fault("config-dump-in-var-log", "secrets", r"""
mkdir -p /var/log/app-migrate; chmod 0755 /var/log/app-migrate
cp "$CFG" /var/log/app-migrate/settings-2026-12-07.log; chmod 0644 /var/log/app-migrate/settings-2026-12-07.log
""", r"""NOBODY_READS /var/log/app-migrate/settings-2026-12-07.log && cmp -s "$CFG" /var/log/app-migrate/settings-2026-12-07.log""",
      "a migration run that logged the settings it loaded, under /var/log, 0644: any local user reads the app's "
      "config, every secret in it")

fault("mtls-key-world-readable-usr-local-share", "secrets", r"""
mkdir -p /usr/local/share/app-mtls
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f /usr/local/share/app-mtls/client.key
rm -f /usr/local/share/app-mtls/client.key.pub
chmod 0644 /usr/local/share/app-mtls/client.key
""", r"""NOBODY_READS /usr/local/share/app-mtls/client.key && grep -q 'BEGIN RSA PRIVATE KEY' /usr/local/share/app-mtls/client.key""",
      "the private key of the app's client certificate (mTLS to a partner API) kept under /usr/local/share, "
      "0644: any local user takes the app's identity to that API")

fault("secret-in-unit-environment", "secrets", r"""
test -n "$SECRETV"
printf '[Unit]\nDescription=nightly usage report\n[Service]\nType=oneshot\nEnvironment=REPORT_TOKEN=%s\nExecStart=/bin/true\n' "$SECRETV" > /etc/systemd/system/usage-report.service
chmod 0644 /etc/systemd/system/usage-report.service
""", r"""NOBODY_READS /etc/systemd/system/usage-report.service && grep -qF "$SECRETV" /etc/systemd/system/usage-report.service""",
      "a secret value of the app's config in a unit's Environment= (0644 as units are; systemctl show prints it "
      "to any user): any local user reads it")

fault("kept-configs-opened", "secrets", r"""
ls $R/.configs/* >/dev/null
chmod 0755 $R/.configs; chmod 0644 $R/.configs/*
""", r"""F=$(ls $R/.configs/* | head -n 1); NOBODY_READS "$F" """,
      "the kept configs (.configs/<sha256>, 0700/0600 as deploys make them) opened by a 'fix permissions' pass: "
      "any local user reads the config of the live and of earlier releases, every secret in them")

fault("deploy-login-netrc-world-readable", "secrets", r"""
printf 'machine backup.internal login deploy password Tr0ub4dor-%s\n' "$(date +%s)" > $DEPH/.netrc
chown $DEPU:$DEPU $DEPH/.netrc; chmod 0644 $DEPH/.netrc
""", r"""NOBODY_READS $DEPH/.netrc""",
      "a .netrc with the backup host's password in the deploy login's home, 0644 (the home 0755, Debian 12's "
      "default): any local user (the app's code) logs into the backup host, every copy of the app's data")

# ---------------------------------------------------------------- trust: the CA store, devices
fault("ca-store-dir-of-deploy-login", "grants", r"""
chown $DEPU /usr/local/share/ca-certificates
""", r"""runuser -u $DEPU -- test -w /usr/local/share/ca-certificates""",
      "/usr/local/share/ca-certificates given to the deploy login ('it installs the corp CA at deploys'): it plants "
      "a CA there, and root's next update-ca-certificates (every ca-certificates upgrade) makes every TLS client "
      "on the host trust it (root's https apt sources, pip, curl | sh, the app's calls): the deploy login "
      "impersonates any site to root")

fault("udev-disks-world-rw", "grants", r"""
APT udev
mkdir -p /etc/udev/rules.d
printf '# the backup agent reads the disk raw\nSUBSYSTEM=="block", MODE="0666"\n' > /etc/udev/rules.d/99-backup-raw.rules
""", r"""test -d /lib/udev/rules.d -o -d /usr/lib/udev/rules.d && grep -q 'MODE="0666"' /etc/udev/rules.d/99-backup-raw.rules""",
      "a udev rule making every block device 0666 (for a backup agent that reads the disk raw): from the next "
      "boot every local user (the app's code) reads and writes the raw disks: every file, /etc/shadow, root")

fault("ssh-known-hosts-of-deploy-login", "grants", r"""
touch /etc/ssh/ssh_known_hosts; chown $DEPU /etc/ssh/ssh_known_hosts; chmod 0644 /etc/ssh/ssh_known_hosts
""", r"""runuser -u $DEPU -- test -w /etc/ssh/ssh_known_hosts""",
      "the system-wide known hosts file (/etc/ssh/ssh_known_hosts) given to the deploy login ('it registers new "
      "hosts at deploys'): it adds a host key of its own for the backup host or a git server, and root's ssh, scp "
      "and rsync trust whoever answers with it: root's backups (the app's data, /etc) go to the deploy login")

# ---------------------------------------------------------------- controls: hardening and admin changes that must pass
control("ctl-sysctl-devsec-hardening", "hardening", r"""
printf 'net.ipv4.conf.all.accept_redirects = 0\nnet.ipv4.conf.default.accept_redirects = 0\nnet.ipv4.conf.all.log_martians = 1\nvm.mmap_min_addr = 65536\nkernel.kexec_load_disabled = 1\nvm.unprivileged_userfaultfd = 0\n' > /etc/sysctl.d/90-devsec.conf
""", r"""test -s /etc/sysctl.d/90-devsec.conf""", "DevSec linux-baseline sysctl values (stricter than or equal to Debian's)")

control("ctl-at-installed", "grants", r"""
APT at
""", r"""command -v at >/dev/null && grep -qx www-data /etc/at.deny""", "at installed as Debian ships it (at.deny kept)")

control("ctl-root-selected-editor-nano", "root-code", r"""
APT nano
printf '# Generated by /usr/bin/select-editor\nSELECTED_EDITOR="/bin/nano"\n' > /root/.selected_editor
""", r"""test -x /bin/nano""", "root picks nano with select-editor")

control("ctl-environment-pager", "root-code", r"""
printf 'PAGER=/bin/more\nEDITOR=/usr/bin/sensible-editor\n' >> /etc/environment
""", r"""grep -q '^PAGER=/bin/more' /etc/environment""", "PAGER and EDITOR set for every login to packaged programs")

control("ctl-dpkg-post-invoke-root-script", "root-code", r"""
printf '#!/bin/sh\nlogger -t dpkg "dpkg ran" 2>/dev/null || true\n' > /usr/local/sbin/dpkg-notify; chmod 0755 /usr/local/sbin/dpkg-notify
printf 'post-invoke="/usr/local/sbin/dpkg-notify"\n' > /etc/dpkg/dpkg.cfg.d/notify
""", r"""test -x /usr/local/sbin/dpkg-notify""", "a dpkg post-invoke hook running root's own script")

control("ctl-apache-dropin-protecthome", "hardening", r"""
mkdir -p /etc/systemd/system/apache2.service.d
printf '[Service]\nProtectHome=read-only\n' > /etc/systemd/system/apache2.service.d/harden.conf
""", r"""test -s /etc/systemd/system/apache2.service.d/harden.conf""",
        "a hardening drop-in for apache2.service (ProtectHome=read-only: the app lives in /var/www)")

control("ctl-root-only-script-with-secret", "secrets", r"""
test -n "$SECRETV"
printf '#!/bin/sh\nexport APP_TOKEN=%s\nexit 0\n' "$SECRETV" > /usr/local/sbin/app-export
chmod 0700 /usr/local/sbin/app-export
""", r"""! NOBODY_READS /usr/local/sbin/app-export""", "root's own export script holding a token, 0700")

control("ctl-udev-serial-group", "grants", r"""
APT udev
mkdir -p /etc/udev/rules.d
printf 'SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", GROUP="dialout", MODE="0660"\n' > /etc/udev/rules.d/70-ftdi.rules
""", r"""test -s /etc/udev/rules.d/70-ftdi.rules""", "a udev rule giving a USB serial adapter to dialout, 0660")
