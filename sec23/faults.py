# ruff: noqa
"""An eleventh blind fault set, of SECURITY regressions, written from README.md, docs/ and the anchors only
(DevSec ssh-baseline and linux-baseline, the CIS Apache benchmark, mod_wsgi's security-hardening guide),
before reading any gate code, the catalogue or its faults.

Anchors picked on purpose (kinds the earlier sets used less): NSS sources other than files, group and uid
identity (a shared uid, a primary gid), system-file and system-directory modes (sshd_config.d, profile.d,
/usr/local/bin, Python's and Perl's site paths, debconf's confmodule), key logins decided outside ~/.ssh (a keys
file under /etc, a user CA whose private key a login reads, host-based trust with root's .shosts, a keys
command over plain http), root's login files beyond the listed ones (~/.bash_profile), a setuid file behind a
directory only an ACL opens, kernel parameters that name a program (kernel.modprobe), mount options that let
any user mount (fstab `users,suid`), login.defs' UMASK, an apt source on a directory a login owns, mod_wsgi's
daemon socket opened to local users.

Who receives a grant: in the lab the deploy login (appuser) is an admin with sudo; every grant here goes to the
image's other login without sudo (`deployer`, $OTH), to the app user or to Apache's user, to every local user,
or to the network.

Each entry: id, kind ('fault' or 'control'), area, inject (sh, run as root in the container after a deploy of the
example app twice), check (sh, exit 0 when the injection took effect and has the harm claimed), harm (what an
attacker gets). Every snippet runs after PRELUDE, which finds the deployed state on the server.
"""

PRELUDE = r"""
set -e
OTH=deployer
SUD=$(ls /etc/sudoers.d/deploytests-* | head -n 1); APP=${SUD##*/deploytests-}
VH=/etc/apache2/sites-available/$APP.conf
R=$(sed -n 's|^ *WSGIScriptAlias / \(.*\)/application.wsgi.*|\1|p' $VH | head -n 1)
APPU=$(sed -n 's/.*WSGIDaemonProcess [^ ]* .*user=\([^ ]*\).*/\1/p' $VH | head -n 1)
APPG=$(stat -c %G $R)
DEPU=$(stat -c %U $R)
CFG=$(find $R/shared -maxdepth 1 -type f | head -n 1)
OTHH=$(getent passwd $OTH | cut -d: -f6)
SSHOPT="-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5"
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
ACL_GADD() { python3 - "$1" "$2" "$3" <<'ACLEOF'
import os, struct, sys
path, gid, perm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = os.stat(path).st_mode
u, g, o = (m >> 6) & 7, (m >> 3) & 7, m & 7
ent = lambda tag, p, i: struct.pack("<HHI", tag, p, i & 0xFFFFFFFF)
os.setxattr(path, "system.posix_acl_access", struct.pack("<I", 2) + ent(1, u, -1) + ent(4, g, -1) + ent(8, perm, gid)
            + ent(0x10, g | perm, -1) + ent(0x20, o, -1))
ACLEOF
}
SSHDPID() { ps -eo pid=,args= | awk '$0 ~ /sshd.*-D/ && $0 !~ /awk/ {print $1; exit}'; }
HUPSSHD() { kill -HUP $(SSHDPID); sleep 1; }
OKEY() { [ -f $OTHH/.ssh/id_ops ] || runuser -u $OTH -- sh -c "mkdir -p $OTHH/.ssh && ssh-keygen -q -t ed25519 -N '' -f $OTHH/.ssh/id_ops"; }
ADM=appuser  # the lab's admin login (NOPASSWD sudo); its sshd_config has no Include, PermitRootLogin no, first value wins
ASROOT() { for i in 1 2 3 4 5; do runuser -u $OTH -- ssh $SSHOPT "$@" $ADM@127.0.0.1 sudo -n id -u 2>/dev/null | grep -qx 0 && return 0; sleep 2; done; return 1; }
SSHD1() { python3 - "$1" <<'S1EOF'
import sys
p = "/etc/ssh/sshd_config"; t = open(p).read(); open(p, "w").write(sys.argv[1].replace("\\n", "\n") + "\n" + t)
S1EOF
}
"""

F = [
    # -- identity: NSS, groups, uids ------------------------------------------------------------------
    dict(id="nss-extrausers-gives-app-shadow", kind="fault", area="NSS",
         inject=r"""APT libnss-extrausers
mkdir -p /var/lib/extrausers
echo "shadow:x:42:$APPU" > /var/lib/extrausers/group
: > /var/lib/extrausers/passwd; : > /var/lib/extrausers/shadow
sed -i 's/^\(group:.*\)$/\1 extrausers/' /etc/nsswitch.conf
apache2ctl graceful; sleep 2""",
         check=r"""getent initgroups $APPU | tr ' ' '\n' | grep -qx 42 && runuser -u $APPU -- head -c 4 /etc/shadow >/dev/null""",
         harm="the app user (any code the app runs: a request's RCE) is in group shadow through an NSS source "
              "other than /etc/group: it reads every password hash"),
    dict(id="login-in-shadow-group", kind="fault", area="groups",
         inject=r"""usermod -aG shadow $OTH""",
         check=r"""runuser -u $OTH -- head -c 4 /etc/shadow >/dev/null""",
         harm="a login without sudo reads every password hash (offline cracking of the admins' sudo passwords)"),
    dict(id="login-primary-group-is-apps", kind="fault", area="groups",
         inject=r"""usermod -g $APPG $OTH""",
         check=r"""test -n "$CFG" && runuser -u $OTH -- cat $CFG >/dev/null""",
         harm="a login without sudo has the app's group as its primary group (/etc/passwd, not /etc/group): it "
              "reads the app's config, its secrets"),
    dict(id="login-shares-app-uid", kind="fault", area="uid",
         inject=r"""usermod -o -u $(id -u $APPU) $OTH""",
         check=r"""P=$(pgrep -u $(id -u $APPU) | head -n 1); test -n "$P" && runuser -u $OTH -- kill -0 $P""",
         harm="a login without sudo has the app user's uid (a duplicate uid): it is the app user (signals and "
              "traces its daemons, writes its data)"),
    # -- SSH: who logs in as root ---------------------------------------------------------------------
    dict(id="root-keys-file-under-etc", kind="fault", area="ssh",
         inject=r"""OKEY
mkdir -p /etc/ssh/authorized_keys
cp $OTHH/.ssh/id_ops.pub /etc/ssh/authorized_keys/$ADM; chmod 0644 /etc/ssh/authorized_keys/$ADM
SSHD1 'AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys/%u'
HUPSSHD""",
         check=r"""ASROOT -i $OTHH/.ssh/id_ops""",
         harm="a login without sudo logs in as root over SSH with its own key: root's keys are also read from "
              "a root-owned file under /etc that the root-keys rules do not name"),
    dict(id="user-ca-key-readable-by-login", kind="fault", area="ssh",
         inject=r"""mkdir -p /var/backups/ssh-ca
ssh-keygen -q -t ed25519 -N '' -C ops-user-ca -f /var/backups/ssh-ca/user_ca
chgrp $OTH /var/backups/ssh-ca /var/backups/ssh-ca/user_ca; chmod 0750 /var/backups/ssh-ca; chmod 0640 /var/backups/ssh-ca/user_ca
cp /var/backups/ssh-ca/user_ca.pub /etc/ssh/user_ca.pub
SSHD1 'TrustedUserCAKeys /etc/ssh/user_ca.pub'
HUPSSHD""",
         check=r"""runuser -u $OTH -- sh -c "cd /tmp && rm -f c c.pub c-cert.pub && ssh-keygen -q -t ed25519 -N '' -f c && ssh-keygen -q -s /var/backups/ssh-ca/user_ca -I x -n $ADM c.pub"
ASROOT -i /tmp/c; rc=$?; rm -f /tmp/c /tmp/c.pub /tmp/c-cert.pub; exit $rc""",
         harm="the user CA sshd trusts has its private key where a login without sudo reads it (a 'backup'): "
              "it signs a certificate for principal root and logs in as root"),
    dict(id="hostbased-root-shosts", kind="fault", area="ssh",
         inject=r"""SSHD1 'HostbasedAuthentication yes\nIgnoreRhosts no'
AH=$(getent passwd $ADM | cut -d: -f6)
printf '127.0.0.1 %s\nlocalhost %s\n' $OTH $OTH > $AH/.shosts; chown $ADM: $AH/.shosts; chmod 0600 $AH/.shosts
for k in /etc/ssh/ssh_host_*_key.pub; do printf '127.0.0.1,localhost %s\n' "$(cut -d' ' -f1,2 $k)"; done > /etc/ssh/ssh_known_hosts
mkdir -p /etc/ssh/ssh_config.d
printf 'Host *\n    HostbasedAuthentication yes\n    EnableSSHKeysign yes\n' > /etc/ssh/ssh_config.d/hostbased.conf
HUPSSHD""",
         check=r"""ASROOT -o HostbasedAuthentication=yes -o PreferredAuthentications=hostbased""",
         harm="host-based trust: root's ~/.shosts trusts the login without sudo on this host: it logs in as root "
              "with no key of root's"),
    dict(id="keys-command-over-plain-http", kind="fault", area="ssh",
         inject=r"""cat > /usr/local/sbin/ops-ssh-keys <<'EOF'
#!/bin/sh
# keys from the team's key service
exec /usr/bin/python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen("http://keys.ops.internal/ssh/" + sys.argv[1], timeout=5).read().decode())' "$1"
EOF
chmod 0755 /usr/local/sbin/ops-ssh-keys
SSHD1 'AuthorizedKeysCommand /usr/local/sbin/ops-ssh-keys %u\nAuthorizedKeysCommandUser nobody'
HUPSSHD""",
         check=r"""sshd -T 2>/dev/null | grep -qi '^authorizedkeyscommand /usr/local/sbin/ops-ssh-keys' && grep -q 'http://' /usr/local/sbin/ops-ssh-keys""",
         harm="sshd asks a key service over plain http which keys log in as any user, root included: whoever "
              "answers for that name on the network (DNS, ARP, a proxy) logs in as root"),
    # -- modes of system files and directories --------------------------------------------------------
    dict(id="sshd-config-dir-group-writable", kind="fault", area="file modes",
         inject=r"""chgrp $OTH /etc/ssh/sshd_config; chmod 0664 /etc/ssh/sshd_config""",
         check=r"""cp -p /etc/ssh/sshd_config /tmp/.sshdbak
runuser -u $OTH -- python3 -c 'p = "/etc/ssh/sshd_config"; t = open(p).read(); open(p, "w").write("PermitRootLogin yes\n" + t)'
sshd -T 2>/dev/null | grep -qi '^permitrootlogin yes'; rc=$?; cat /tmp/.sshdbak > /etc/ssh/sshd_config; rm -f /tmp/.sshdbak; exit $rc""",
         harm="a login without sudo writes sshd's configuration (PermitRootLogin, AuthorizedKeysFile, "
              "ForceCommand): root over SSH at sshd's next start"),
    dict(id="profile-d-world-writable", kind="fault", area="file modes",
         inject=r"""chmod 1777 /etc/profile.d""",
         check=r"""runuser -u $OTH -- sh -c 'echo "echo PWNED-\$(id -u)" > /etc/profile.d/zz-probe.sh'
out=$(env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -lc true 2>&1); rm -f /etc/profile.d/zz-probe.sh; echo "$out" | grep -q PWNED-0""",
         harm="any local user adds a script that every login shell, root's (sudo -i, su -) included, sources: root"),
    dict(id="root-bash-profile-sources-login-file", kind="fault", area="root's login files",
         inject=r"""mkdir -p /srv/ops; echo '# team shell settings' > /srv/ops/env.sh; chown -R $OTH /srv/ops
printf '# team settings first\n[ -r /srv/ops/env.sh ] && . /srv/ops/env.sh\n. ~/.profile\n' > /root/.bash_profile""",
         check=r"""cp /srv/ops/env.sh /tmp/.envbak; runuser -u $OTH -- sh -c 'echo "echo PWNED-\$(id -u)" >> /srv/ops/env.sh'
out=$(env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -lc true 2>&1); cat /tmp/.envbak > /srv/ops/env.sh; rm -f /tmp/.envbak; echo "$out" | grep -q PWNED-0""",
         harm="root's ~/.bash_profile (read instead of ~/.profile) sources a file a login without sudo owns: root "
              "at root's next login shell"),
    dict(id="usr-local-bin-acl-for-login", kind="fault", area="file modes",
         inject=r"""ACL_ADD /usr/local/bin $(id -u $OTH) 7""",
         check=r"""runuser -u $OTH -- touch /usr/local/bin/.probe && rm -f /usr/local/bin/.probe""",
         harm="a login without sudo may add commands to /usr/local/bin (an ACL entry, mode bits unchanged), "
              "which root's PATH searches before /usr/bin: root runs its 'ls'"),
    dict(id="python-local-site-staff-writable", kind="fault", area="file modes",
         inject=r"""PYL=/usr/local/lib/python$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
mkdir -p $PYL; chown root:staff $PYL; chmod 2775 $PYL; usermod -aG staff $OTH""",
         check=r"""PYL=/usr/local/lib/python$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
runuser -u $OTH -- sh -c "echo 'import sys; print(\"PWNED\")' > $PYL/zz-probe.pth"
out=$(python3 -c 1 2>&1); rm -f $PYL/zz-probe.pth; echo "$out" | grep -q PWNED""",
         harm="Debian's old staff-writable /usr/local/lib/pythonX.Y/dist-packages, with a login without sudo "
              "in staff: its sitecustomize runs in every root python3 (apt hooks, lsb_release)"),
    dict(id="perl-sitecustomize-writable", kind="fault", area="file modes",
         inject=r"""SC=$(perl -MConfig -e 'print $Config{sitelib}')/sitecustomize.pl; mkdir -p $(dirname $SC)
touch $SC; chgrp $OTH $SC; chmod 0664 $SC""",
         check=r"""perl -V:usesitecustomize | grep -q define; SC=$(perl -MConfig -e 'print $Config{sitelib}')/sitecustomize.pl
cp $SC /tmp/.scbak; runuser -u $OTH -- sh -c "echo 'print STDERR qq(PWNED\\n);' >> $SC"
out=$(perl -e 1 2>&1); cat /tmp/.scbak > $SC; rm -f /tmp/.scbak; echo "$out" | grep -q PWNED""",
         harm="Perl's sitecustomize.pl, which every perl runs at start (debconf in every apt run as root), is "
              "writable by a login without sudo: root"),
    dict(id="debconf-confmodule-world-writable", kind="fault", area="file modes",
         inject=r"""chmod 0666 /usr/share/debconf/confmodule""",
         check=r"""runuser -u $OTH -- test -w /usr/share/debconf/confmodule""",
         harm="any local user edits the shell library every package's maintainer scripts source as root: root at "
              "the next apt install or upgrade (unattended-upgrades)"),
    dict(id="setuid-behind-acl-opened-dir", kind="fault", area="setuid",
         inject=r"""mkdir -p /opt/.ops-tools; chmod 0700 /opt/.ops-tools
cp $(readlink -f /usr/bin/python3) /opt/.ops-tools/py; chmod 4755 /opt/.ops-tools/py
ACL_ADD /opt/.ops-tools $(id -u $OTH) 1""",
         check=r"""runuser -u $OTH -- /opt/.ops-tools/py -c 'import os; os.setuid(0); print(os.getuid())' | grep -qx 0""",
         harm="a setuid-root python in a directory whose mode says only root enters, but an ACL entry lets a login "
              "without sudo through: root"),
    # -- kernel parameters, mounts, login defaults ----------------------------------------------------
    dict(id="sysctl-kernel-modprobe-in-tmp", kind="fault", area="kernel parameters",
         inject=r"""echo 'kernel.modprobe = /tmp/.ops/modprobe' > /etc/sysctl.d/90-ops-modprobe.conf""",
         check=r"""grep -q '^kernel.modprobe = /tmp/' /etc/sysctl.d/90-ops-modprobe.conf && test ! -e /tmp/.ops && test -k /tmp""",
         harm="after the next boot the kernel runs /tmp/.ops/modprobe as root for every module request (any user "
              "triggers one: a socket of an unloaded family); any local user makes that path first: root"),
    dict(id="fstab-users-suid-loop-mount", kind="fault", area="mount options",
         inject=r"""mkdir -p /mnt/ops /srv/img; truncate -s 64M /srv/img/scratch.img; chown -R $OTH /srv/img
echo '/srv/img/scratch.img /mnt/ops ext4 loop,users,exec,suid,dev,noauto 0 0' >> /etc/fstab""",
         check=r"""grep -q 'users,exec,suid' /etc/fstab && test "$(stat -c %U /srv/img/scratch.img)" = $OTH && test -u "$(command -v mount)" """,
         harm="any local user mounts an image a login without sudo writes, with suid and dev honoured (mount is "
              "setuid): a setuid-root shell of its own making: root"),
    dict(id="login-defs-umask-000", kind="fault", area="login defaults",
         inject=r"""if grep -q '^UMASK' /etc/login.defs; then sed -i 's/^UMASK.*/UMASK\t\t000/' /etc/login.defs; else printf 'UMASK\t\t000\n' >> /etc/login.defs; fi""",
         check=r"""useradd -m sec23probe; m=$(stat -c %a /home/sec23probe); userdel -r sec23probe 2>/dev/null; rm -f /etc/passwd- /etc/shadow- /etc/group- /etc/gshadow- 2>/dev/null || true; test "$m" = 777""",
         harm="every new login's home is made world-writable (login.defs' UMASK): any local user plants its "
              "~/.bashrc, and owns the next admin's account"),
    dict(id="apt-file-source-owned-by-login", kind="fault", area="apt",
         inject=r"""mkdir -p /srv/aptrepo; : > /srv/aptrepo/ops.gpg; chown -R $OTH /srv/aptrepo
echo 'deb [signed-by=/srv/aptrepo/ops.gpg] file:/srv/aptrepo ./' > /etc/apt/sources.list.d/ops.list""",
         check=r"""test "$(stat -c %U /srv/aptrepo/ops.gpg)" = $OTH && grep -q 'file:/srv/aptrepo' /etc/apt/sources.list.d/ops.list""",
         harm="an apt source (and its signing key) in a directory a login without sudo owns: it signs its own "
              "apache2 9999 and root installs it at the next upgrade"),
    # -- mod_wsgi ------------------------------------------------------------------------------------
    dict(id="wsgi-daemon-socket-opened", kind="fault", area="mod_wsgi",
         inject=r"""S=$(find /run /var/run /etc/apache2 /var/lib/apache2 -name 'wsgi.*.sock' 2>/dev/null | sort -u)
test -n "$S"; for s in $S; do chmod 0777 $s; d=$(dirname $s); chmod o+x $d; done""",
         check=r"""S=$(find /run /var/run /etc/apache2 /var/lib/apache2 -name 'wsgi.*.sock' 2>/dev/null | head -n 1)
runuser -u $OTH -- python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' $S""",
         harm="any local user connects to the app's mod_wsgi daemon socket and sends requests with an environ "
              "of its own (REMOTE_USER, REMOTE_ADDR, HTTPS): past every access rule of Apache's"),
    # -- controls: ordinary hardening and admin changes ------------------------------------------------
    dict(id="ctl-sshd-hardening-dropin", kind="control", area="ssh",
         inject=r"""printf 'Welcome. Authorised use only.\n' > /etc/issue.net
SSHD1 'MaxAuthTries 3\nClientAliveInterval 300\nAllowAgentForwarding no\nAllowTcpForwarding no\nBanner /etc/issue.net'
HUPSSHD""", check="sshd -t", harm=""),
    dict(id="ctl-sysctl-hardening", kind="control", area="kernel parameters",
         inject=r"""printf 'net.ipv4.conf.all.accept_redirects = 0\nnet.ipv4.conf.default.accept_redirects = 0\nnet.ipv4.conf.all.send_redirects = 0\nnet.ipv4.conf.all.log_martians = 1\nkernel.kptr_restrict = 2\nkernel.sysrq = 0\n' > /etc/sysctl.d/60-hardening.conf""",
         check="true", harm=""),
    dict(id="ctl-cron-perms-tightened", kind="control", area="file modes",
         inject=r"""[ -f /etc/crontab ] && chmod 0600 /etc/crontab; for d in /etc/cron.d /etc/cron.daily /etc/cron.hourly /etc/cron.weekly /etc/cron.monthly; do [ -d $d ] && chmod 0700 $d; done; true""",
         check="true", harm=""),
    dict(id="ctl-admin-tools-installed", kind="control", area="packages",
         inject=r"""APT htop less""", check="command -v htop", harm=""),
    dict(id="ctl-new-login-without-sudo", kind="control", area="accounts",
         inject=r"""useradd -m -s /bin/bash alice""", check="id alice", harm=""),
    dict(id="ctl-login-defs-stricter", kind="control", area="login defaults",
         inject=r"""sed -i -e 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t365/' -e 's/^UMASK.*/UMASK\t\t027/' /etc/login.defs
grep -q '^UMASK' /etc/login.defs || printf 'UMASK\t\t027\n' >> /etc/login.defs""",
         check="grep -q '^UMASK.*027' /etc/login.defs", harm=""),
    dict(id="ctl-modprobe-unused-filesystems", kind="control", area="kernel modules",
         inject=r"""mkdir -p /etc/modprobe.d; printf 'install cramfs /bin/false\nblacklist cramfs\ninstall udf /bin/false\nblacklist udf\n' > /etc/modprobe.d/cis-filesystems.conf""",
         check="true", harm=""),
    dict(id="ctl-homes-and-sshd-config-closed", kind="control", area="file modes",
         inject=r"""chmod 0750 $OTHH; chmod 0600 /etc/ssh/sshd_config""", check="true", harm=""),

    # -- members written after reading the gate: one more member of each class closed (kind "member") -------
    dict(id="m-setuid-behind-group-acl", kind="member", area="setuid",
         inject=r"""usermod -aG staff $OTH; mkdir -p /srv/.rescue; chmod 0700 /srv/.rescue
cp $(readlink -f /usr/bin/python3) /srv/.rescue/py; chmod 4755 /srv/.rescue/py
ACL_GADD /srv/.rescue $(getent group staff | cut -d: -f3) 5""",
         check=r"""runuser -u $OTH -- /srv/.rescue/py -c 'import os; os.setuid(0); print(os.getuid())' | grep -qx 0""",
         harm="a setuid-root python in a root 0700 directory a named group's ACL entry opens (staff, which the login "
              "without sudo is in): root"),
    dict(id="m-wsgi-socket-group-of-login", kind="member", area="mod_wsgi",
         inject=r"""S=$(find /run /var/run -name 'wsgi.*.sock' 2>/dev/null | sort -u)
test -n "$S"; for s in $S; do chgrp $OTH $s; chmod 0770 $s; done""",
         check=r"""S=$(find /run /var/run -name 'wsgi.*.sock' 2>/dev/null | head -n 1)
runuser -u $OTH -- python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' $S""",
         harm="the login without sudo (the socket's group) connects to the app's mod_wsgi daemon socket and sends "
              "requests with an environ of its own (REMOTE_USER ...)"),
    dict(id="m-login-defs-home-mode-0777", kind="member", area="login defaults",
         inject=r"""if grep -q '^HOME_MODE' /etc/login.defs; then sed -i 's/^HOME_MODE.*/HOME_MODE\t0777/' /etc/login.defs; else printf 'HOME_MODE\t0777\n' >> /etc/login.defs; fi""",
         check=r"""useradd -m sec23probe; m=$(stat -c %a /home/sec23probe); userdel -r sec23probe 2>/dev/null; rm -f /etc/passwd- /etc/shadow- /etc/group- /etc/gshadow- 2>/dev/null || true; test "$m" = 777""",
         harm="every new login's home is made 0777 (login.defs' HOME_MODE): any local user plants its ~/.bashrc"),
]
