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
"""

F = []


def fault(id, area, inject, check, harm, kind="fault"):
    F.append(dict(id=id, kind=kind, area=area, inject=inject.strip(), check=check.strip(), harm=harm))


def control(id, area, inject, check, harm):
    fault(id, area, inject, check, harm, kind="control")


# ---------------------------------------------------------------- what serves
fault("proxy-forward-open", "serves", r"""
a2enmod -q proxy proxy_http
printf '<IfModule mod_proxy.c>\nProxyRequests On\n<Proxy *>\nRequire all granted\n</Proxy>\n</IfModule>\n' > /etc/apache2/mods-available/proxy.conf
apache2ctl graceful
""", r"""apache2ctl -M 2>/dev/null | grep -q proxy_http && grep -q 'ProxyRequests On' /etc/apache2/mods-enabled/proxy.conf""",
      "Apache is an open forward proxy: anyone uses the server to reach the internal network (and its loopback)")

fault("cgi-enabled-script-of-the-deploy-login", "serves", r"""
a2enmod -q cgid
printf '#!/bin/sh\necho Content-Type: text/plain; echo; uptime\n' > /usr/lib/cgi-bin/uptime
chown $DEPU /usr/lib/cgi-bin/uptime; chmod 755 /usr/lib/cgi-bin/uptime
apache2ctl graceful
""", r"""apache2ctl -M 2>/dev/null | grep -q cgid && test "$(stat -c %U /usr/lib/cgi-bin/uptime)" = "$DEPU" """,
      "Debian's stock /cgi-bin/ alias now runs scripts; one is the deploy login's: it runs what it likes as www-data on every request")

fault("second-apache-instance", "serves", r"""
cp -a /etc/apache2 /etc/apache2-ops
rm -f /etc/apache2-ops/sites-enabled/*
printf 'Listen 127.0.0.1:8081\n' > /etc/apache2-ops/ports.conf
printf '<VirtualHost 127.0.0.1:8081>\nAlias /tree %s\n<Directory %s>\nRequire all granted\nOptions Indexes\n</Directory>\n</VirtualHost>\n' $R $R > /etc/apache2-ops/sites-enabled/ops.conf
mkdir -p /run/apache2-ops /var/log/apache2-ops
sed -e 's|apache2\$SUFFIX|apache2-ops|g' /etc/apache2/envvars > /etc/apache2-ops/envvars
sh -c '. /etc/apache2-ops/envvars; /usr/sbin/apache2 -d /etc/apache2-ops -k start'
i=0; while ! grep -q ':1F91 00000000:0000 0A' /proc/net/tcp && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
""", r"""python3 -c 'import urllib.request,sys; sys.exit(0 if b"application.wsgi" in urllib.request.urlopen("http://127.0.0.1:8081/tree/").read() else 1)'""",
      "a second Apache (root parent, its own config dir the gate never reads) lists and serves the app's tree on loopback: every local process reads the releases")

fault("udp-listener-root", "serves", r"""
setsid python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("0.0.0.0",5514));
while True: open("/var/log/remote.log","ab").write(s.recv(65535))' </dev/null >/dev/null 2>&1 &
sleep 0.5
""", r"""grep -q ':158A ' /proc/net/udp""",
      "a root UDP 'syslog relay' on every address: anyone on the network writes into a root-owned log")

fault("sshd-gateway-ports", "serves", r"""
sed -i '1i GatewayPorts yes' /etc/ssh/sshd_config
""", r"""sshd -T 2>/dev/null | grep -qi '^gatewayports yes'""",
      "any login (the deploy login) republishes a loopback-only service (server-status, the MTA, the app's daemons' port) on every address with ssh -R")

fault("cron-reboot-file-server", "serves", r"""
mkdir -p /var/spool/cron/crontabs
echo '@reboot cd /var/www && python3 -m http.server 8099 --bind 0.0.0.0' > /var/spool/cron/crontabs/root
chmod 600 /var/spool/cron/crontabs/root
""", r"""grep -q 'http.server 8099' /var/spool/cron/crontabs/root""",
      "at the next boot root serves /var/www (the releases, every file root reads there) to the world; nothing listens yet")

fault("unit-root-file-server-at-boot", "serves", r"""
printf '[Unit]\nDescription=debug files\n[Service]\nExecStart=/usr/bin/python3 -m http.server 8000 --directory /\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/debug-files.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /etc/systemd/system/debug-files.service /etc/systemd/system/multi-user.target.wants/debug-files.service
""", r"""test -L /etc/systemd/system/multi-user.target.wants/debug-files.service""",
      "an enabled unit (not running now: a container) serves / as root on every address at the next boot: /etc/shadow, the app's config")

fault("sshd-lowercase-root-login", "grants", r"""
sed -i '1i permitrootlogin yes' /etc/ssh/sshd_config
echo 'root:Winter2026root' | chpasswd
""", r"""sshd -T 2>/dev/null | grep -qi '^permitrootlogin yes'""",
      "root logs in over SSH with a password (keyword written lowercase, as sshd accepts it)")

# ---------------------------------------------------------------- what runs
fault("root-cron-glob-runs-every-release", "runs", r"""
echo '30 4 * * * root for d in /var/www/*/current; do "$d"/venv/bin/python -m compileall -q "$d" >/dev/null; done' > /etc/cron.d/precompile
""", r"""grep -q 'venv/bin/python' /etc/cron.d/precompile && ls /var/www/*/current/venv/bin/python >/dev/null""",
      "root runs the release venv's python nightly (its site-packages .pth files, the deploy login's): code as root; the path is a glob, not the app's name")

fault("root-cron-pythonpath-env", "runs", r"""
printf 'PYTHONPATH=%s\n15 * * * * root python3 -m %s >/dev/null 2>&1\n' "$SITE" "$PKG" > /etc/cron.d/app-stats
""", r"""grep -q "^PYTHONPATH=$R" /etc/cron.d/app-stats""",
      "root's cron imports the app's package from the live venv (a cron environment line points there): the deploy login's code as root")

fault("root-process-cwd-in-release", "runs", r"""
cd $REL && setsid python3 -c 'import time; time.sleep(10**6)' </dev/null >/dev/null 2>&1 &
sleep 0.5
""", r"""for p in $(pgrep -u root -f 'time.sleep\(10\*\*6\)'); do [ "$(readlink /proc/$p/cwd)" = "$REL" ] && exit 0; done; exit 1""",
      "a root python runs with the deploy login's release as its working directory (sys.path[0]): any later import it makes is the deploy login's file first")

fault("unit-environment-pythonpath", "runs", r"""
printf '[Service]\nType=oneshot\nEnvironment=PYTHONPATH=%s\nExecStart=/usr/bin/python3 -m %s\n' "$SITE" "$PKG" > /etc/systemd/system/app-stats.service
printf '[Timer]\nOnCalendar=hourly\n[Install]\nWantedBy=timers.target\n' > /etc/systemd/system/app-stats.timer
mkdir -p /etc/systemd/system/timers.target.wants
ln -sf /etc/systemd/system/app-stats.timer /etc/systemd/system/timers.target.wants/app-stats.timer
""", r"""grep -q "PYTHONPATH=$R" /etc/systemd/system/app-stats.service""",
      "a root timer imports the app's package through Environment=PYTHONPATH: the deploy login's code as root every hour")

fault("unit-www-data-runs-tmp-script", "runs", r"""
printf '[Service]\nUser=www-data\nExecStart=/bin/sh /tmp/cache-warm.sh\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/cache-warm.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /etc/systemd/system/cache-warm.service /etc/systemd/system/multi-user.target.wants/cache-warm.service
""", r"""grep -q /tmp/cache-warm.sh /etc/systemd/system/cache-warm.service""",
      "whoever writes /tmp/cache-warm.sh first (any local user, the app) runs code as Apache's user at boot")

fault("unit-root-runs-world-writable-dir", "runs", r"""
install -d -m 0777 /var/tmp/maint
printf '#!/bin/sh\nfind /var/log -name "*.gz" -mtime +30 -delete\n' > /var/tmp/maint/run.sh; chmod 755 /var/tmp/maint/run.sh
printf '[Service]\nType=oneshot\nExecStart=/var/tmp/maint/run.sh\n' > /etc/systemd/system/maint.service
printf '[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n' > /etc/systemd/system/maint.timer
mkdir -p /etc/systemd/system/timers.target.wants
ln -sf /etc/systemd/system/maint.timer /etc/systemd/system/timers.target.wants/maint.timer
""", r"""test "$(stat -c %a /var/tmp/maint)" = 777""",
      "a root timer runs a script from a world-writable directory: anyone (the app) replaces it and runs as root")

fault("debug-shell-enabled", "runs", r"""
test -f /lib/systemd/system/debug-shell.service
mkdir -p /etc/systemd/system/sysinit.target.wants
ln -sf /lib/systemd/system/debug-shell.service /etc/systemd/system/sysinit.target.wants/debug-shell.service
""", r"""test -e /etc/systemd/system/sysinit.target.wants/debug-shell.service""",
      "systemd's debug shell enabled: a root shell with no password on tty9 from boot (the console, a cloud serial console)")

fault("getty-autologin-root", "runs", r"""
mkdir -p /etc/systemd/system/serial-getty@ttyS0.service.d
printf '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %%I $TERM\n' > /etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf
""", r"""grep -q 'autologin root' /etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf""",
      "the serial console logs in as root with no password (a provider's web console is a root shell)")

fault("cron-daily-link-into-shared", "runs", r"""
printf '#!/bin/sh\nfind "$(dirname "$0")" -name "*.tmp" -delete\n' > $SH0/cleanup.sh; chown $APPU:$APPG $SH0/cleanup.sh; chmod 755 $SH0/cleanup.sh
ln -sf $SH0/cleanup.sh /etc/cron.daily/app-cleanup
""", r"""test "$(readlink /etc/cron.daily/app-cleanup)" = "$SH0/cleanup.sh" """,
      "run-parts runs, as root, a script the app itself writes (shared/)")

fault("deploy-lock-held-by-a-stuck-job", "runs", r"""
setsid flock $R/.deploy.lock sleep 1000000 </dev/null >/dev/null 2>&1 &
sleep 0.5
""", r"""! runuser -u $DEPU -- flock -n $R/.deploy.lock true""",
      "a forgotten root job holds the deploy lock: every deploy and rollback waits for it and fails")

fault("root-bashrc-sources-shared", "runs", r"""
echo ". $SH0/ops.env 2>/dev/null" >> /root/.bashrc
""", r"""grep -q "$SH0/ops.env" /root/.bashrc""",
      "every root shell (sudo -i, an operator's su) sources a file the app writes: the app's code as root")

fault("modprobe-install-hook-in-shared", "runs", r"""
mkdir -p /etc/modprobe.d
echo "install dccp $SH0/hook.sh" > /etc/modprobe.d/ops.conf
""", r"""grep -q "$SH0/hook.sh" /etc/modprobe.d/ops.conf""",
      "any user opening a DCCP socket makes the kernel run modprobe as root, which runs a script the app writes")

fault("core-pattern-pipes-to-shared", "runs", r"""
mkdir -p /etc/sysctl.d
echo "kernel.core_pattern = |$SH0/crash-report %p" > /etc/sysctl.d/60-crash.conf
""", r"""grep -q "$SH0/crash-report" /etc/sysctl.d/60-crash.conf""",
      "after the next boot every crash runs a program the app writes, as root (the kernel's core pipe)")

fault("binfmt-interpreter-in-tree", "runs", r"""
mkdir -p /etc/binfmt.d
echo ":appx:E::appx::$SH0/runner:C" > /etc/binfmt.d/appx.conf
""", r"""grep -q "$SH0/runner" /etc/binfmt.d/appx.conf""",
      "from the next boot, executing any *.appx file runs an interpreter the app writes, with the credentials of the file run (C flag: a setuid one's)")

# ---------------------------------------------------------------- what grants
fault("new-account-in-the-app-group", "grants", r"""
useradd -r -g $APPG -s /usr/sbin/nologin metrics
""", r"""test "$(id -gn metrics)" = "$APPG" && test -n "$CFG" && runuser -u metrics -- cat "$CFG" >/dev/null""",
      "a new account with the app's group as its primary group reads the app's config (secrets)")

fault("nobody-in-the-app-group", "grants", r"""
gpasswd -a nobody $APPG >/dev/null
""", r"""id -nG nobody | grep -qw $APPG""",
      "every process of nobody (a debugging server, any daemon dropping to nobody) reads the app's secrets")

fault("app-user-in-shadow", "grants", r"""
usermod -aG shadow $APPU
""", r"""id -nG $APPU | grep -qw shadow""",
      "the app's code reads /etc/shadow")

fault("second-uid0-account", "grants", r"""
useradd -o -u 0 -g 0 -M -d /root -s /bin/bash toor
echo 'toor:Winter2026toor' | chpasswd
""", r"""test "$(id -u toor)" = 0""",
      "a second root account with a password (BSD habit): su toor from any account is root")

fault("root-password-empty", "grants", r"""
passwd -d root >/dev/null
""", r"""test -z "$(getent shadow root | cut -d: -f2)" """,
      "root's password deleted: with Debian's nullok, any local user (the app's code) su's to root with no password")

fault("sudo-rule-for-www-data", "grants", r"""
echo 'www-data ALL=(root) NOPASSWD: /usr/sbin/apache2ctl' > /etc/sudoers.d/web-reload; chmod 0440 /etc/sudoers.d/web-reload
""", r"""visudo -c >/dev/null && grep -q www-data /etc/sudoers.d/web-reload""",
      "Apache's user runs apache2ctl as root with any arguments (-f another config: LoadModule its own .so): root")

fault("sudo-rule-for-the-app-group", "grants", r"""
echo "%$APPG ALL=(root) NOPASSWD: /usr/bin/systemctl reload apache2" > /etc/sudoers.d/app-reload; chmod 0440 /etc/sudoers.d/app-reload
""", r"""visudo -c >/dev/null""",
      "the app's group (the app's code) reloads Apache as root: any unchecked config applied on the app's say")

fault("sudo-requiretty-for-the-app-user", "grants", r"""
echo "Defaults>$APPU requiretty" > /etc/sudoers.d/tty; chmod 0440 /etc/sudoers.d/tty
""", r"""visudo -c >/dev/null && ! runuser -u $DEPU -- sudo -n -u $APPU $REL/venv/bin/python -c 1 2>/dev/null""",
      "the deploy's own sudo (the release python as the app user) refused without a tty: every deploy step that runs as the app user fails")

fault("www-data-login", "grants", r"""
usermod -s /bin/bash www-data
h=$(getent passwd www-data | cut -d: -f6); mkdir -p $h/.ssh
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsWebDeployKeyForStaticSync0000000000000 sync' > $h/.ssh/authorized_keys
chown -R www-data $h/.ssh; chmod 700 $h/.ssh; chmod 600 $h/.ssh/authorized_keys
""", r"""getent passwd www-data | grep -q /bin/bash$""",
      "Apache's user logs in over SSH with a key (a static-sync habit): a shell as the user every site's files trust")

fault("setuid-shell-in-libexec", "grants", r"""
cp /bin/dash /usr/libexec/ops-rootsh; chmod 4755 /usr/libexec/ops-rootsh
""", r"""test -u /usr/libexec/ops-rootsh""",
      "a setuid-root shell outside root's PATH: any local user is root")

fault("capability-python-in-opt", "grants", r"""
mkdir -p /opt/tools; cp /usr/bin/python$PYV /opt/tools/pyread
python3 -c 'import os,struct,sys; os.setxattr(sys.argv[1],"security.capability",struct.pack("<IIIII",0x02000001,1<<2,0,0,0))' /opt/tools/pyread
""", r"""python3 -c 'import os,sys; os.getxattr(sys.argv[1],"security.capability")' /opt/tools/pyread""",
      "a python with cap_dac_read_search: any user reads every file (shadow, the app's config)")

fault("default-acl-opens-shared", "grants", r"""
python3 -c 'import os,struct,sys; os.setxattr(sys.argv[1],"system.posix_acl_default",struct.pack("<I",2)+b"".join(struct.pack("<HHI",t,p,0xffffffff) for t,p in ((1,7),(4,7),(0x20,6))))' $SH0
""", r"""runuser -u $APPU -- sh -c "umask 0007; echo x > $SH0/.blindprobe" && test "$(stat -c %a $SH0/.blindprobe)" = 666 && rm -f $SH0/.blindprobe""",
      "a default ACL on a shared dir overrides the daemons' umask: what the app writes there is world-readable and writable")

fault("login-defs-umask-000", "grants", r"""
sed -i 's/^UMASK.*/UMASK\t\t000/' /etc/login.defs
grep -q pam_umask /etc/pam.d/common-session || echo 'session optional pam_umask.so' >> /etc/pam.d/common-session
""", r"""test "$(runuser -l $DEPU -c umask 2>/dev/null)" = 0000""",
      "the deploy login's sessions run with umask 000: what it writes without an explicit mode (pip's venv files) is world-writable")

fault("pam-time-refuses-deploys-on-sundays", "grants", r"""
sed -i '1i account required pam_time.so' /etc/pam.d/sshd
echo "sshd;*;$DEPU;MoTuWeThFrSa0000-2400" >> /etc/security/time.conf
""", r"""grep -q pam_time /etc/pam.d/sshd && grep -q "$DEPU;MoTuWeThFrSa" /etc/security/time.conf""",
      "the deploy login is refused every Sunday: a hotfix or rollback on a Sunday cannot log in")

fault("diverted-apache2ctl-sources-shared", "grants", r"""
dpkg-divert --quiet --local --rename --add /usr/sbin/apache2ctl
printf '#!/bin/sh\n[ -r %s/apachectl.env ] && . %s/apachectl.env\nexec /usr/sbin/apache2ctl.distrib "$@"\n' $SH0 $SH0 > /usr/sbin/apache2ctl
chmod 755 /usr/sbin/apache2ctl
""", r"""dpkg-divert --list /usr/sbin/apache2ctl | grep -q local && grep -q "$SH0" /usr/sbin/apache2ctl""",
      "apache2ctl (run as root by logrotate's reload and by admins) sources a file the app writes: the app's code as root")

# ---------------------------------------------------------------- what loads code
fault("ld-so-conf-into-shared", "loads", r"""
echo "$SH0" > /etc/ld.so.conf.d/app-native.conf; ldconfig
""", r"""ldconfig -v 2>/dev/null | grep -q "^$SH0:" """,
      "the linker's search path includes a dir the app writes: the next ldconfig (any apt run) caches its libraries for every root binary")

fault("usr-local-site-pth", "loads", r"""
d=/usr/local/lib/python$PYV/dist-packages; mkdir -p $d
echo 'import os; os.environ.setdefault("OPS_TRACE", "1")' > $d/ops-trace.pth
""", r"""python3 -c 'import os,sys; sys.exit(0 if os.environ.get("OPS_TRACE")=="1" else 1)'""",
      "every root python3 (apt hooks, the gate's own root collector) runs code from a .pth no package ships")

fault("dist-packages-app-group-writable", "loads", r"""
chgrp $APPG /usr/lib/python3/dist-packages; chmod g+w /usr/lib/python3/dist-packages
""", r"""runuser -u $APPU -- sh -c "touch /usr/lib/python3/dist-packages/.w && rm /usr/lib/python3/dist-packages/.w" """,
      "the app writes into root's python3 site dir: a .pth there runs in every root python3")

fault("default-environment-ld-preload", "loads", r"""
mkdir -p /etc/systemd/system.conf.d
printf '[Manager]\nDefaultEnvironment=LD_PRELOAD=%s/libfast.so\n' $SH0 > /etc/systemd/system.conf.d/env.conf
""", r"""grep -q "LD_PRELOAD=$SH0" /etc/systemd/system.conf.d/env.conf""",
      "from the next boot every service, Apache's root parent too, preloads a library the app writes")

fault("apache-dropin-pythonpath", "loads", r"""
mkdir -p /etc/systemd/system/apache2.service.d
printf '[Service]\nEnvironment=PYTHONPATH=%s\n' $SH0 > /etc/systemd/system/apache2.service.d/python.conf
""", r"""grep -q "PYTHONPATH=$SH0" /etc/systemd/system/apache2.service.d/python.conf""",
      "from Apache's next start the daemons import first from a dir the app writes (its own data shadows any module)")

fault("apache-dropin-protectsystem", "loads", r"""
mkdir -p /etc/systemd/system/apache2.service.d
printf '[Service]\nProtectSystem=strict\nPrivateTmp=yes\n' > /etc/systemd/system/apache2.service.d/hardening.conf
""", r"""grep -q 'ProtectSystem=strict' /etc/systemd/system/apache2.service.d/hardening.conf""",
      "a hardening drop-in: from Apache's next start the whole filesystem is read-only for it and its daemons: the app cannot write shared/ (uploads, its database)")

fault("apache-envvars-umask-000", "loads", r"""
echo 'umask 000' >> /etc/apache2/envvars
""", r"""grep -q '^umask 000' /etc/apache2/envvars""",
      "Apache's parent (and its logs at the next start) runs with umask 000: logs and files it creates world-writable")

fault("mod-wsgi-so-replaced", "loads", r"""
m=$(readlink -f /usr/lib/apache2/modules/mod_wsgi.so); printf '\0localbuild' >> $m
""", r"""! dpkg --verify libapache2-mod-wsgi-py3 >/dev/null 2>&1""",
      "Apache loads a mod_wsgi that is not Debian's (a local build copied over): unreviewed code in Apache's root parent")

fault("pip-conf-find-links-shared", "loads", r"""
printf '[global]\nfind-links = %s\n' $SH0 > /etc/pip.conf
""", r"""runuser -u $DEPU -- python3 -m pip config list 2>/dev/null | grep -q find-links""",
      "every pip run, the deploy's install too, looks for wheels in a dir the app writes: the app chooses the next release's dependencies")

fault("error-log-to-dev-null", "loads", r"""
ln -sf /dev/null /var/log/apache2/error.log; apache2ctl graceful
""", r"""test "$(readlink /var/log/apache2/error.log)" = /dev/null""",
      "Apache's error log (the app's tracebacks, mod_wsgi's daemon restarts) goes nowhere: failures are invisible")

fault("access-log-link-into-shared", "loads", r"""
touch $SH0/access.log; chown $APPU:$APPG $SH0/access.log
ln -sf $SH0/access.log /var/log/apache2/access.log; apache2ctl graceful
""", r"""test "$(readlink /var/log/apache2/access.log)" = "$SH0/access.log" """,
      "root (Apache's parent, logrotate) opens a log by a path the app controls: it repoints it and root appends to / chowns any file")

# ---------------------------------------------------------------- rollback targets
fault("prev-module-unreadable-by-app", "rollback", r"""
chmod 0600 $PREVSITE/$PKG/__init__.py
""", r"""! runuser -u $APPU -- cat $PREVSITE/$PKG/__init__.py >/dev/null 2>&1 && runuser -u $DEPU -- cat $PREVSITE/$PKG/__init__.py >/dev/null""",
      "the rollback target's package unreadable by the app user (the deploy login still reads it): a rollback answers 500")

fault("prev-release-dir-closed", "rollback", r"""
chmod 0700 $PREVREL
""", r"""! runuser -u $APPU -- ls $PREVREL >/dev/null 2>&1""",
      "the rollback target's directory closed to the app user: a rollback's daemons cannot enter it")

fault("configs-copies-removed", "rollback", r"""
test -n "$(ls -A $R/.configs)"; rm -rf $R/.configs/*
""", r"""test -z "$(ls -A $R/.configs)" """,
      "the configs kept for rollbacks removed: a rollback cannot restore the config its release ran with")

fault("prev-pth-with-forged-snapshot", "rollback", r"""
echo 'import os' > $PREVSITE/zz_prev.pth; chown $DEPU $PREVSITE/zz_prev.pth
python3 - "$PREVREL" "$PREVSITE" <<'EOF'
import hashlib, json, os, sys
rel, site = sys.argv[1], sys.argv[2]
p = os.path.join(rel, "SNAPSHOT.json")
snap = json.load(open(p))
new = os.path.join(site, "zz_prev.pth")
sha = hashlib.sha256(open(new, "rb").read()).hexdigest()
def walk(o):
    if isinstance(o, dict):
        keys = [k for k in o if isinstance(k, str) and "site-packages/" in k]
        if keys:
            k0 = keys[0]
            prefix = k0[: k0.index("site-packages/") + len("site-packages/")]
            v0 = o[k0]
            o[prefix + "zz_prev.pth"] = sha if isinstance(v0, str) else v0
            return True
        return any(walk(v) for v in o.values())
    if isinstance(o, list):
        return any(walk(v) for v in o)
    return False
assert walk(snap)
json.dump(snap, open(p, "w"))
EOF
""", r"""test -f $PREVSITE/zz_prev.pth && grep -q zz_prev.pth $PREVREL/SNAPSHOT.json""",
      "the deploy login plants a .pth in the rollback target and rewrites its record: a rollback runs it")

fault("prev-static-dir-closed", "rollback", r"""
S=$(find $PREVREL -mindepth 1 -maxdepth 1 -type d ! -name venv ! -name __pycache__ | sort | head -n 1); test -n "$S"
chmod 0700 $S
""", r"""S=$(find $PREVREL -mindepth 1 -maxdepth 1 -type d ! -name venv ! -name __pycache__ | sort | head -n 1); ! runuser -u www-data -- ls $S >/dev/null 2>&1""",
      "the rollback target's static dir closed to Apache's user: after a rollback every static file answers 403")

# ---------------------------------------------------------------- controls (must pass)
control("ctl-admin-tools-installed", "control", r"""
DEBIAN_FRONTEND=noninteractive apt-get install -y -q less htop >/dev/null 2>&1
""", r"""command -v htop >/dev/null""", "ordinary tools installed from Debian")

control("ctl-admin-login", "control", r"""
useradd -m -s /bin/bash -G sudo ops
mkdir -p /home/ops/.ssh; echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsAdminKey000000000000000000000000000000000 ops@laptop' > /home/ops/.ssh/authorized_keys
chown -R ops:ops /home/ops/.ssh; chmod 700 /home/ops/.ssh; chmod 600 /home/ops/.ssh/authorized_keys
""", r"""id -nG ops | grep -qw sudo""", "an admin login in the sudo group with a key")

control("ctl-motd-hosts-timezone", "control", r"""
echo 'Production web server: ask #ops before changes' > /etc/motd
echo '10.0.0.5 db.internal' >> /etc/hosts
ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime; echo Europe/Berlin > /etc/timezone
""", r"""grep -q db.internal /etc/hosts""", "a motd, a hosts entry, the timezone")

control("ctl-root-cron-tmp-cleanup", "control", r"""
echo '17 3 * * * root /usr/bin/find /tmp -xdev -type f -mtime +7 -delete' > /etc/cron.d/tmp-cleanup
""", r"""test -f /etc/cron.d/tmp-cleanup""", "a root cron job of stock tools on /tmp")

control("ctl-logrotate-own-log", "control", r"""
touch /var/log/ops.log
printf '/var/log/ops.log {\n    weekly\n    rotate 4\n    compress\n    missingok\n}\n' > /etc/logrotate.d/ops
""", r"""test -f /etc/logrotate.d/ops""", "a logrotate rule for an admin's own root log")

control("ctl-dpkg-dist-left", "control", r"""
cp /etc/apache2/conf-available/security.conf /etc/apache2/conf-available/security.conf.dpkg-dist
""", r"""test -f /etc/apache2/conf-available/security.conf.dpkg-dist""", "an upgrade's .dpkg-dist copy left (not enabled)")

control("ctl-sysctl-swappiness", "control", r"""
mkdir -p /etc/sysctl.d; echo 'vm.swappiness = 10' > /etc/sysctl.d/99-local.conf
""", r"""test -f /etc/sysctl.d/99-local.conf""", "a performance sysctl")

FAULTS = [f for f in F if f["kind"] == "fault"]
CONTROLS = [f for f in F if f["kind"] == "control"]
