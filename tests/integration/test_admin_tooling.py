"""A deployed server with the admin tooling a team ordinarily adds from Debian's mirror, installed by hand as root
(issue 17, "0 false alarms"): the read-only gate must pass, or fail only with one line per item naming the
allowance to write, and pass once that line is written.

What counts as ordinary here (an independent tester's choice, not read from the gate's baseline):

- Debian's standard services an installer or a first config-management run adds: ``cron`` (with a root job in
  ``/etc/cron.d`` and root's crontab), ``rsyslog``, ``logrotate`` (run once: it reloads Apache as it does
  nightly), ``unattended-upgrades``, ``chrony`` (NTP; binds its command port on loopback), Debian's default
  MTA ``exim4-daemon-light`` (listens on 127.0.0.1:25 and ::1:25 only, setuid ``exim4``), ``fail2ban``, ``at``
  (``6755 daemon:daemon``), ``iputils-ping`` with ``libcap2-bin`` (ping's ``cap_net_raw`` on Debian 12), ``fuse``
  (its postinst, not its unpack, makes ``fusermount`` setuid);
- an ``admin`` login with a key of its own (its holder's, not the gate's: ``0600`` in its home, read by the root
  collector; one line naming ``allow_keys``), in Debian's ``sudo`` and ``adm`` groups (Debian's own ``%sudo``
  rule);
- a cron job running ``munin-run``; a backup script in ``/usr/local/sbin`` (umask 077: its copies of ``shared/``
  are root's alone) run by a systemd timer;
- ``haproxy`` installed, not configured (its shipped ``rsyslog.d`` file has rsyslogd open a second log socket in
  its chroot: a log input, as ``/dev/log`` is);
- four listeners that must be allowed in writing, each named in one line: ``prometheus-node-exporter`` on
  ``*:9100``, ``zabbix-agent`` on ``*:10050`` and ``nagios-nrpe-server`` on ``*:5666`` (Debian's defaults:
  reachable from outside; the agent's config, ucf's, names its own pid file and log, its account's) and
  munin-node on loopback run as root (a root daemon answers every local process, the app's user too: loopback is
  no boundary; the MTA is the stack's baseline). Then the allowed agents configured to run what their client
  names (nrpe's ``dont_blame_nrpe=1`` and a command taking ``$ARG1$`` in ``nrpe.d``; zabbix's
  ``AllowKey=system.run[*]`` in its ``conf.d``): one line each, naming the changed files and the entry to update
  (the pin of an allowed program covers its configuration not as its package ships it).

Then four things an operator ordinarily does that the gate's rules say need an allowance, each expected to
fail with exactly one line naming it and to pass with that line: a NOPASSWD sudoers file for the admin login,
``ServerTokens Prod`` written into Debian's ``security.conf`` (the hardening its own comments suggest), a
``/server-status`` conf restricted to localhost for a local scraper, and Apache's logs rotated weekly (``daily``,
a line Debian's ``logrotate.d/apache2`` ships, replaced). Last, the same tooling configured unsafely stays caught
in one line: the agent's config made world-writable (any local user writes what the root-started agent reads).

Last, the web tier's own tooling (``WEB_TIER``): Apache's TLS as Debian ships it (``a2enmod ssl``, ``a2ensite
default-ssl`` with ssl-cert's snakeoil certificate), ModSecurity with OWASP's Core Rule Set as Debian packages them
(``libapache2-mod-security2``, ``modsecurity-crs``: ~30 rule files under ``/usr/share``, no conffiles, which the
module's own ``security2.conf`` includes; rule actions such as ``msg:'...'`` and a regex's ``${``) with its
recommended ``modsecurity.conf`` copied into place as its README says (``SecTmpDir /tmp/``: the children's; Apache
restarted as the module's postinst would, which this container's invoke-rc.d blocks: see ``RESTART``), DevSec's
SSH baseline as a ``sshd_config.d`` file, and openbsd-inetd removed, not purged (its start links stay until a
purge): one line per module (ssl, socache_shmcb; security2, unique_id), the TLS port, the site (its line naming
its vhost's ``allow_sites`` too) and the copied ``modsecurity.conf``; written, the gate passes in one round.

Last, on Debian 13 (``DIRECTORY``): a directory client as Debian packages it (sssd for LDAP with its NSS, PAM and
sudo responders; libnss-sss and libsss-sudo add ``sss`` to nsswitch.conf's passwd, group, shadow and sudoers) and
iptables-persistent's saved rules: one line per item naming its allowance (the source, ``allow_sudo = ["nsswitch:
sss"]``; each root responder's socket anyone may connect to; each PAM module its profile adds), none for the
packages' own capabilities (sssd-krb5-common's postinst setcaps) or the unit aliases a packaged drop-in declares
(netfilter-persistent's, made by systemctl preset); written, the gate passes. Then clamav-daemon and logcheck as
Debian packages them: freshclam's start links (its postinst's debconf choice) and clamav-daemon's drop-in (written
through ucf) are theirs; the places of /etc their postinsts hand to their accounts (``freshclam.conf``, read by
freshclam as root, to clamav; ``/etc/logcheck`` to logcheck) are one line each naming ``allow_privileged``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wholesuite import gate_read_only

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

pytestmark = pytest.mark.integration
APP = APPS / "yourapplication"
LISTENER = "test_every_listener_is_accounted_for[ssh://appuser@web]"
UNITS = "test_no_unaccounted_systemd_units[ssh://appuser@web]"
SCHEDULES = "test_no_unaccounted_scheduled_jobs[ssh://appuser@web]"
BECOME = "test_no_one_else_becomes_root[ssh://appuser@web]"

PACKAGES = ("unattended-upgrades", "cron", "rsyslog", "logrotate", "prometheus-node-exporter", "chrony",
            "exim4-daemon-light", "fail2ban", "at", "iputils-ping", "libcap2-bin", "munin-node",
            "fuse",  # (borgbackup's recommends): its postinst makes fusermount 4755, the package's own bits
            "zabbix-agent", "haproxy", "nagios-nrpe-server")
# No init system in the container: start each daemon as its package would, then wait (bounded) until the
# listeners are up: node exporter TCP 9100 (238C), exim TCP 25 (0019), chrony UDP 323 (0143), munin-node TCP 4949
# (1355) on loopback as its admin sets it (a Perl program run as root: its own lines are no root script to read),
# zabbix-agent TCP 10050 (2742), nrpe TCP 5666 (1622). (start-stop-daemon may time out waiting for munin-node's
# notification on a loaded machine while the daemon runs: a running one is started.)
START = """
sed -i 's/^host \\*$/host 127.0.0.1/' /etc/munin/munin-node.conf
service munin-node start || kill -0 "$(cat /run/munin/munin-node.pid)" || munin-node
service cron start
service rsyslog start || rsyslogd
setsid runuser -u prometheus -- /usr/bin/prometheus-node-exporter </dev/null >/dev/null 2>&1 &
chronyd -x
service exim4 start
service fail2ban start || fail2ban-client start
service zabbix-agent start
service nagios-nrpe-server start
i=0
until grep -q ':238C [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 \
   && grep -q ':0019 [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 \
   && grep -q ':0143 ' /proc/net/udp /proc/net/udp6 && grep -q ':1355 00000000:0000 0A' /proc/net/tcp \
   && grep -q ':2742 [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 \
   && grep -q ':1622 [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6; do
  i=$((i+1)); [ $i -lt 600 ] || { echo 'listeners not up after 600 polls'; exit 1; }; sleep 0.05
done
"""
ADMIN = """
printf 'SHELL=/bin/sh\\n30 2 * * * root /usr/bin/find /var/tmp -mtime +7 -delete\\n' > /etc/cron.d/tmpclean
printf '*/10 * * * * root /usr/sbin/munin-run cpu >/dev/null 2>&1\\n' > /etc/cron.d/munin-check
printf '#!/bin/sh\\nset -eu\\numask 077\\nmkdir -p /var/backups/app\\n' > /usr/local/sbin/backup-app
echo 'tar -czf "/var/backups/app/shared-$(date +%F).tgz" -C /var/www/yourapplication shared' \\
  >> /usr/local/sbin/backup-app
chmod 0755 /usr/local/sbin/backup-app && /usr/local/sbin/backup-app
printf '[Service]\\nType=oneshot\\nExecStart=/usr/local/sbin/backup-app\\n' > /etc/systemd/system/backup-app.service
printf '[Timer]\\nOnCalendar=*-*-* 02:30:00\\n\\n[Install]\\nWantedBy=timers.target\\n' \\
  > /etc/systemd/system/backup-app.timer
mkdir -p /etc/systemd/system/timers.target.wants
ln -sf /etc/systemd/system/backup-app.timer /etc/systemd/system/timers.target.wants/backup-app.timer
printf '0 4 * * * /usr/sbin/logrotate /etc/logrotate.conf\\n' | crontab -
useradd -m -s /bin/bash -G sudo,adm admin
install -d -m 0700 -o admin -g admin /home/admin/.ssh
ssh-keygen -q -t ed25519 -N '' -C admin@laptop -f /root/admin-key
cp /root/admin-key.pub /home/admin/.ssh/authorized_keys
chown admin:admin /home/admin/.ssh/authorized_keys && chmod 0600 /home/admin/.ssh/authorized_keys
logrotate -f /etc/logrotate.d/apache2
i=0; until [ -s /var/run/apache2/apache2.pid ] && kill -0 "$(cat /var/run/apache2/apache2.pid)" || [ $i -ge 100 ]; do
  i=$((i+1)); sleep 0.1; done
"""
# an agent configured to run what its client names: nrpe's command arguments, zabbix's system.run
CONFIGURED = """
sed -i 's/^dont_blame_nrpe=0/dont_blame_nrpe=1/' /etc/nagios/nrpe.cfg
echo 'command[check_any]=/usr/lib/nagios/plugins/check_procs $ARG1$' > /etc/nagios/nrpe.d/remote.cfg
printf 'AllowKey=system.run[*]\\n' > /etc/zabbix/zabbix_agentd.conf.d/remote.conf
"""
MORE = """
borg init -e none /var/backups/borg
printf '15 3 * * * root /usr/bin/borg create /var/backups/borg::{now} /etc\\n' > /etc/cron.d/borg
useradd -m -s /bin/sh offsite
install -d -m 0700 -o offsite -g offsite /home/offsite/.ssh
ssh-keygen -q -t ed25519 -N '' -C offsite -f /root/offsite-key
printf 'command="/usr/bin/rrsync -ro /var/backups/borg/",restrict %s\\n' "$(cut -d' ' -f1,2 /root/offsite-key.pub)" \\
  > /home/offsite/.ssh/authorized_keys
chown offsite:offsite /home/offsite/.ssh/authorized_keys && chmod 0600 /home/offsite/.ssh/authorized_keys
ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime && echo Europe/Berlin > /etc/timezone
htpasswd -bc /etc/apache2/.htpasswd ops ops-pass 2>/dev/null
chown root:www-data /etc/apache2/.htpasswd && chmod 0640 /etc/apache2/.htpasswd
"""
# graceful returns when Apache has the signal; the parent reads its configuration on its next tick (a second or more
# on a loaded machine), then rewrites its pid file: the admin's reload is done when that file is new (10 s at most)
RELOAD = ('p=$(stat -c %y /run/apache2/apache2.pid); apache2ctl graceful; i=0; '
          'while [ "$(stat -c %y /run/apache2/apache2.pid)" = "$p" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done')
# what a package's maintainer script does after enabling a module (apache2-maintscript-helper: a module is a restart,
# a conf or site a reload), which this container's invoke-rc.d blocks ("No init system and policy-rc.d missing!
# Defaulting to block"): the init script's stop then start. Without it the module is first loaded by the next
# graceful, which no Debian server does, and ModSecurity 2.9.7 (Debian 12) loaded into a running parent (graceful
# or SIGHUP) segfaults its children at their first audit-log write (a core: apr_global_mutex_lock called from
# sec_audit_logger_native, the audit log's global mutex never made in that parent); loaded at a start, it does not
RESTART = "service apache2 restart >/dev/null"
NEEDS_ALLOWANCE = """
echo 'admin ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/90-admin && chmod 0440 /etc/sudoers.d/90-admin
sed -i 's/^ServerTokens OS/ServerTokens Prod/; s/^ServerSignature On/ServerSignature Off/' \
  /etc/apache2/conf-available/security.conf
printf '<Location /server-status-local>\\n  SetHandler server-status\\n  Require local\\n</Location>\\n' \
  > /etc/apache2/conf-available/monitoring.conf
a2enconf -q monitoring
sed -i 's/^\tdaily$/\tweekly/' /etc/logrotate.d/apache2
""" + RELOAD


# an admin's login hardening: CIS's pam_faillock profiles, enabled as CIS does; Google Authenticator for the admin
# login's SSH (a key, then a code), sshd switched to PAM as Debian ships it
HARDENING = """
f=/usr/share/pam-configs/faillock
printf 'Name: Enable pam_faillock to deny access\\nDefault: yes\\nPriority: 0\\n' > $f
printf 'Auth-Type: Primary\\nAuth:\\n\\t[default=die]\\tpam_faillock.so authfail\\n' >> $f
f=/usr/share/pam-configs/faillock_notify
printf 'Name: Notify of failed login attempts and reset count upon success\\nDefault: yes\\nPriority: 1024\\n' > $f
printf 'Auth-Type: Primary\\nAuth:\\n\\trequisite\\tpam_faillock.so preauth\\n' >> $f
printf 'Account-Type: Primary\\nAccount:\\n\\trequired\\tpam_faillock.so\\n' >> $f
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable faillock faillock_notify
sed -i 's/^# *deny *=.*/deny = 5/; s/^# *unlock_time *=.*/unlock_time = 900/' /etc/security/faillock.conf
sed -i '/@include common-auth/a auth required pam_google_authenticator.so nullok' /etc/pam.d/sshd
sed -i 's/^UsePAM no/UsePAM yes/' /etc/ssh/sshd_config
printf 'Match User admin\\n  KbdInteractiveAuthentication yes\\n' >> /etc/ssh/sshd_config
printf '  AuthenticationMethods publickey,keyboard-interactive\\n' >> /etc/ssh/sshd_config
"""


# start entries written by hand that a later start runs (none runs now: the gate saw nothing of them before): a getty
# drop-in logging root in on the console, a packaged unit enabled by hand (a .requires link; systemd's debug shell
# where systemd is installed), another unit's drop-in starting a listener, a root @reboot job, rc.local, an rc2.d
# start link to a script of no package's, an inittab respawn line, a kernel command line word in a grub.d file
BOOT = """
mkdir -p /etc/systemd/system/getty@tty1.service.d /etc/systemd/system/multi-user.target.requires \\
  /etc/systemd/system/cron.service.d /etc/default/grub.d
printf '[Service]\\nExecStart=\\nExecStart=-/sbin/agetty --autologin root --noclear %%I $TERM\\n' \\
  > /etc/systemd/system/getty@tty1.service.d/override.conf
ln -s /lib/systemd/system/apache-htcacheclean.service /etc/systemd/system/multi-user.target.requires/
printf '[Service]\\nExecStartPost=/usr/bin/python3 -m http.server 8082\\n' \\
  > /etc/systemd/system/cron.service.d/share.conf
if command -v systemctl >/dev/null; then systemctl enable -q debug-shell.service; fi
(crontab -l; echo '@reboot python3 -m http.server 8081') | crontab -
printf '#!/bin/sh -e\\nnohup python3 -m http.server 8083 >/dev/null 2>&1 &\\nexit 0\\n' > /etc/rc.local
chmod 0755 /etc/rc.local
printf '#!/bin/sh\\nnc -l -p 4444 -e /bin/sh\\n' > /etc/init.d/share && chmod 0755 /etc/init.d/share
ln -s ../init.d/share /etc/rc2.d/S99share
echo '1:2345:respawn:/sbin/getty --autologin root 38400 tty1' > /etc/inittab
echo 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX systemd.debug_shell"' > /etc/default/grub.d/50-debug.cfg
mkdir -p /usr/lib/systemd/system/multi-user.target.wants
printf '[Service]\nExecStart=/usr/bin/python3 -m http.server 8084\n' > /usr/lib/systemd/system/ops-share.service
ln -s ../ops-share.service /usr/lib/systemd/system/multi-user.target.wants/ops-share.service
printf '[Service]\nExecStart=/usr/bin/ssh -NR 2222:localhost:22 relay\n' > /usr/lib/systemd/user/tunnel.service
"""
# packaged init scripts started by hand on sysvinit (no unit of theirs enabled: update-rc.d enable also enables the
# unit, Debian 12 and 13, which is the unit rule's line): a start link to the one its package disables, and one into
# a runlevel its header does not start it in
SYSV = """
rm -f /etc/systemd/system/multi-user.target.requires/apache-htcacheclean.service
ln -s ../init.d/apache-htcacheclean /etc/rc3.d/S01apache-htcacheclean
ln -s ../init.d/procps /etc/rc2.d/S01procps
"""
# what opens a login beside its key files (a key source), as ordinary directory-backed setups write it: a program
# printing each login's keys for every login; then a user CA with a principals file (the CA and the mapping: two)
# (at sshd_config's top: the file ends in the admin's Match block)
KEY_SOURCE = """
{ printf 'AuthorizedKeysCommand /usr/bin/cat /etc/ssh/keys/%%u\\nAuthorizedKeysCommandUser nobody\\n'
  cat /etc/ssh/sshd_config; } > /tmp/sshd_config && cat /tmp/sshd_config > /etc/ssh/sshd_config
"""
PRINCIPALS = """
ssh-keygen -q -t ed25519 -N '' -C ops-ca -f /etc/ssh/ops_ca
mkdir -p /etc/ssh/principals && echo ops-team > /etc/ssh/principals/admin
{ printf 'TrustedUserCAKeys /etc/ssh/ops_ca.pub\\nAuthorizedPrincipalsFile /etc/ssh/principals/%%u\\n'
  cat /etc/ssh/sshd_config; } > /tmp/sshd_config && cat /tmp/sshd_config > /etc/ssh/sshd_config
"""


# the web tier's own tooling: Apache's TLS as Debian ships it (mod_ssl, the snakeoil certificate of ssl-cert, the
# default-ssl site), ModSecurity with OWASP's Core Rule Set as Debian packages them (its rules, no conffiles, under
# /usr/share) and its recommended configuration copied into place, as its README says; DevSec's SSH
# baseline as a sshd_config.d file (Debian's sshd_config includes that directory first); and openbsd-inetd, unused,
# removed (not purged: its init script and start links stay until a purge; no unit of its script's name)
WEB_TIER = """
a2enmod -q ssl && a2ensite -q default-ssl
if [ -d /etc/modsecurity ]; then cp /etc/modsecurity/modsecurity.conf-recommended /etc/modsecurity/modsecurity.conf; fi
mkdir -p /etc/ssh/sshd_config.d && f=/etc/ssh/sshd_config.d/50-devsec.conf
printf 'KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256@libssh.org\\n' > $f
printf 'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr\\n' >> $f
printf 'MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256\\n' >> $f
printf '%s\\n' 'LogLevel VERBOSE' 'MaxAuthTries 2' 'MaxSessions 10' 'LoginGraceTime 30s' 'ClientAliveInterval 300' \\
  'AllowTcpForwarding no' 'AllowAgentForwarding no' 'PermitTunnel no' 'PermitUserEnvironment no' 'Compression no' \\
  'IgnoreRhosts yes' 'HostbasedAuthentication no' 'DebianBanner no' >> $f
{ echo 'Include /etc/ssh/sshd_config.d/*.conf'; cat /etc/ssh/sshd_config; } > /tmp/sshd_config
cat /tmp/sshd_config > /etc/ssh/sshd_config && sshd -t
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq openbsd-inetd >/dev/null
""" + RELOAD

# a directory client as Debian packages it (sssd for LDAP: its NSS, PAM and sudo responders, libnss-sss and
# libsss-sudo adding sss to nsswitch.conf's passwd, group, shadow and sudoers, libpam-sss's pam-auth-update profile;
# on Debian 13 sssd-krb5-common's postinst setcaps its helpers), and iptables-persistent's saved rules (on Debian 13
# deb-systemd-helper enables netfilter-persistent with systemctl, which makes the aliases its packaged drop-in names)
DIRECTORY = """
printf '[sssd]\nservices = nss, pam, sudo\ndomains = example.com\n\n[domain/example.com]\n' > /etc/sssd/sssd.conf
printf 'id_provider = ldap\nauth_provider = ldap\nsudo_provider = ldap\n' >> /etc/sssd/sssd.conf
printf 'ldap_uri = ldap://ldap.example.com\nldap_search_base = dc=example,dc=com\n' >> /etc/sssd/sssd.conf
chmod 0600 /etc/sssd/sssd.conf && sssd -D
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 9100 -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n' \
  > /etc/iptables/rules.v4
i=0; until [ -S /var/lib/sss/pipes/nss ] && [ -S /var/lib/sss/pipes/pam ]; do
  i=$((i+1)); [ $i -lt 300 ] || { echo 'sssd not up after 300 polls'; exit 1; }; sleep 0.1; done
"""


def gate(tmp_path: Path, fleet, extra: str = "") -> dict[str, list[str]]:
    """The built-in suite read-only against the fleet as a real target: {test: the failure's item lines}."""
    failed = {}
    for name, (message, text) in gate_read_only(tmp_path, fleet, extra)[0].items():
        items = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text + "\n" + message, re.M)})
        failed[name] = items or [message.strip()]
    return failed


def merged(allowed: str, lines: list[str]) -> str:
    """``allowed`` (``key = [...]`` lines) with the pinned entry each failure line names added to its key."""
    keys: dict[str, list[str]] = {}
    for key, entries in re.findall(r"^(allow_\w+) = \[(.*)\]$", allowed, re.M) + [
            re.match(r"(allow_\w+) = \[(.*)\]$", allowance(ln, pinned=True)).groups() for ln in lines]:
        keys.setdefault(key, []).append(entries)
    return "".join(f"{k} = [{', '.join(v)}]\n" for k, v in keys.items())


def root(box, script: str) -> None:
    res = box.exec_run(["sh", "-ec", script], user="root")
    assert res.exit_code == 0, res.output.decode(errors="replace")[-3000:]


def installed(box, tmp_path: Path, fleet, allowed: str, packages: str, script: str) -> list[str]:
    """``packages`` installed with apt (no recommends), ``script`` run as root, then the gate: its failure lines,
    sorted, each naming the allowance to write."""
    root(box, f"DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {packages} "
              ">/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }")
    root(box, script)
    lines = sorted(ln for items in gate(tmp_path, fleet, allowed).values() for ln in items)
    assert all("allow it: " in ln for ln in lines), "\n".join(lines)
    return lines


def allowance(line: str, *, pinned: bool = False) -> str:
    """The ``key = [...]`` the failure line tells the user to write; without ``pinned``, with the content pin an
    allowance of a file carries (``sha256:HEX``, the hash of what is on the container now) left out."""
    found = re.search(r"allow it: (allow_\w+ = \[.*\]) in ", line)
    assert found, f"the failure names no allowance to write: {line}"
    return found.group(1) if pinned else re.sub(r" sha256:[0-9a-f]{64}\"", '"', found.group(1))


def test_ordinary_admin_tooling_needs_only_the_allowances_it_names(tmp_path):
    """Debian 12's run. Debian 13's is ``test_admin_tooling_debian13``'s, a module of its own: CI's integration
    stage gives each file to one xdist worker (``--dist loadfile``), and the two runs, in one file, were its longest
    work (237 s and 156 s, one after the other)."""
    admin_tooling(tmp_path, "debian12")


def admin_tooling(tmp_path, platform: str) -> None:
    """The whole run on ``platform`` (the module's docstring)."""
    cfg, stack = load_config(APP), for_platform(platform)
    with Fleet(count=1, name_prefix="admintools", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        c = fleet.servers[0].connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        assert gate(tmp_path, fleet) == {}  # clean first
        box = fleet.containers[0]
        root(box, "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                  "--no-install-recommends " + " ".join(PACKAGES) + " >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; "
                  "exit 1; }")
        root(box, START)
        root(box, ADMIN)

        # ordinary tooling: what answers from outside (the exporter) and what answers every local process as root
        # (munin-node on loopback: loopback is no boundary between the app's user and root) need a line each,
        # and each names its line; the daemons of system accounts on loopback (chrony, exim) need none
        failed = gate(tmp_path, fleet)
        shown = "\n".join(f"{t}: {ln}" for t, items in failed.items() for ln in items)
        # the backup timer and its service, written and enabled by hand: a start entry of no package's, one line
        # naming both units to allow (what it will run is judged as what runs now)
        assert sorted(failed) == sorted([LISTENER, UNITS, BECOME]) and len(failed[UNITS]) == 1, shown
        # the admin's own key (its holder's, not the gate's), read by root from its 0600 file: one line naming the
        # allowance by login and fingerprint
        assert len(failed[BECOME]) == 1 and failed[BECOME][0].startswith(
            "admin: 1 key beyond the one this gate logs in with: /home/admin/.ssh/authorized_keys:1 ssh-ed25519 ") \
            and "admin@laptop: whoever holds one logs in as admin, who becomes root (sudo: its group sudo" in \
            failed[BECOME][0], shown
        assert re.fullmatch(r'allow_keys = \["admin SHA256:[A-Za-z0-9+/]{43}"\]', allowance(failed[BECOME][0])), shown
        keys = allowance(failed.pop(BECOME)[0]) + "\n"
        assert failed[UNITS][0].startswith("backup-app.timer (") and "it starts backup-app.service" in \
            failed[UNITS][0], shown
        assert allowance(failed[UNITS][0]) == 'allow_units = ["backup-app.timer", "backup-app.service"]', shown
        units = allowance(failed.pop(UNITS)[0], pinned=True) + "\n"
        assert len(failed[LISTENER]) == 4, shown
        bound = ['"*:10050 zabbix /usr/sbin/zabbix_agentd"',  # each binds its command line, pinned
                 '"*:5666 nagios /usr/sbin/nrpe -c /etc/nagios/nrpe.cfg -d"',
                 '"*:9100 prometheus /usr/bin/prometheus-node-exporter"',  # (every argument)
                 '"localhost:4949 root /usr/bin/perl -wT /usr/sbin/munin-node --foreground"']
        assert sorted(allowance(ln) for ln in failed[LISTENER]) == [f"allow_listen = [{b}]" for b in bound], shown
        listens = sorted(re.search(r"\[(.*)\]", allowance(ln, pinned=True)).group(1) for ln in failed[LISTENER])
        allowed = f"allow_listen = [{', '.join(listens)}]\n" + units + keys
        assert gate(tmp_path, fleet, allowed) == {}

        # what an allowed agent does is its configuration's to say: the agent that runs commands a client names
        # (nrpe's dont_blame_nrpe=1 and a command taking an argument; zabbix's system.run in a conf.d file) is not
        # the one allowed. One line each, naming the changed files and the allowance to update; passes with it
        root(box, CONFIGURED)
        failed = gate(tmp_path, fleet, allowed)
        shown = "\n".join(f"{t}: {ln}" for t, items in failed.items() for ln in items)
        assert list(failed) == [LISTENER] and len(failed[LISTENER]) == 2, shown
        nrpe, zabbix = sorted(failed[LISTENER], key=lambda ln: "zabbix" in ln)
        assert "/etc/nagios/nrpe.cfg (nagios-nrpe-server's conffile, changed)" in nrpe, nrpe
        assert "/etc/nagios/nrpe.d/remote.cfg (no package's)" in nrpe and "has changed since" in nrpe, nrpe
        assert "/etc/zabbix/zabbix_agentd.conf.d/remote.conf (no package's)" in zabbix, zabbix
        assert "zabbix_agentd.conf (" not in zabbix, zabbix  # (ucf's file, as its package ships it)
        renewed = {re.search(r"\[(.*)\]", allowance(ln, pinned=True)).group(1) for ln in failed[LISTENER]}
        listens = sorted(renewed | {e for e in listens if not any(e.split()[:2] == r.split()[:2] for r in renewed)})
        allowed = f"allow_listen = [{', '.join(listens)}]\n" + units + keys
        assert gate(tmp_path, fleet, allowed) == {}

        # what the rules say needs writing down: one line each, naming its allowance; passes with them
        root(box, NEEDS_ALLOWANCE)
        failed = gate(tmp_path, fleet, allowed)
        lines = [ln for items in failed.values() for ln in items]
        assert len(lines) == 4, "\n".join(lines)
        keys = sorted(allowance(ln) for ln in lines)
        assert keys == ['allow_apache_conf = ["/etc/apache2/conf-enabled/monitoring.conf"]',
                        'allow_apache_conf = ["/etc/apache2/conf-enabled/security.conf"]',
                        'allow_cron = ["/etc/logrotate.d/apache2"]',
                        'allow_sudo = ["admin ALL=(ALL) NOPASSWD:ALL"]'], failed
        # the files' allowances pin their content as the gate's own lines print it (computed on this container at
        # run time: the bytes depend on the package's version)
        confs, crons = ([re.search(r"\[(.*)\]", allowance(ln, pinned=True)).group(1) for ln in sorted(lines)
                         if key in ln] for key in ("allow_apache_conf", "allow_cron"))
        allowed += (f'allow_apache_conf = [{", ".join(confs)}]\nallow_cron = [{", ".join(crons)}]\n'
                    'allow_sudo = ["admin ALL=(ALL) NOPASSWD:ALL"]\n')
        assert gate(tmp_path, fleet, allowed) == {}
        # a line put into an allowed file later (a comment, even) is no longer what was allowed, and the agent's
        # config made writable by anyone (the same tooling, configured unsafely): one line each
        root(box, "printf '# reviewed by ops\\n' >> /etc/apache2/conf-available/security.conf && "
                  "chmod 0666 /etc/zabbix/zabbix_agentd.conf && " + RELOAD)
        failed = gate(tmp_path, fleet, allowed)
        lines = [ln for items in failed.values() for ln in items]
        assert len(lines) == 2, "\n".join(lines)
        assert any("/etc/apache2/conf-enabled/security.conf" in ln and "but it has changed since" in ln
                   for ln in lines), "\n".join(lines)
        assert any(ln.startswith("/etc/zabbix/zabbix_agentd.conf (0666 root:root): a file of the system's trees")
                   for ln in lines), "\n".join(lines)

        # more ordinary tooling, by hand: rkhunter (its /etc/default/rkhunter is ucf's, not a conffile, and as
        # shipped sets RUN_CHECK_ON_BATTERY="false": the package's line, no admin's switch), debsums (its default
        # CRON_CHECK=never), molly-guard (diverts shutdown and reboot), borgbackup run nightly by a cron job of
        # root's into a repository only root reads, and an off-site backup login whose key may only run rrsync
        # read-only, mtr-tiny (its postinst setcaps mtr-packet), the server's zone set to Europe/Berlin after those
        # installs (dpkg's log was written in UTC), and a password file for Apache's basic auth kept in /etc/apache2
        # as Apache's docs show it, 0640 root:www-data (no Include names it: root's, not configuration). None needs
        # an allowance; then the ucf file changed by the admin is judged as a changed conffile is: its guard-off
        # line is the admin's, one line naming it
        root(box, "chmod 0644 /etc/zabbix/zabbix_agentd.conf && sed -i '$d' "
                  "/etc/apache2/conf-available/security.conf && " + RELOAD)  # (back as allowed)
        root(box, "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rkhunter debsums "
                  "molly-guard borgbackup rsync mtr-tiny >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }")
        root(box, MORE)
        failed = gate(tmp_path, fleet, allowed)
        lines = [ln for items in failed.values() for ln in items]
        assert lines == [], "\n".join(lines)
        root(box, "cp /etc/default/rkhunter /root/rkhunter.orig && "
                  "sed -i 's/^APT_AUTOGEN=.*/APT_AUTOGEN=\"true\"/' /etc/default/rkhunter")  # (the admin's edit)
        failed = gate(tmp_path, fleet, allowed)
        lines = [ln for items in failed.values() for ln in items]
        assert len(lines) == 1 and "/etc/default/rkhunter" in lines[0] and "RUN_CHECK_ON_BATTERY" in lines[0], \
            "\n".join(lines)

        # common login hardening: libpam-pwquality (its pam-auth-update profile: password lines, which run at a
        # password change only), libpam-google-authenticator for the admin's logins (sshd, now using PAM, runs the
        # auth stack only for a login asked for more than a key: not the deploy login's), pam_faillock per CIS
        # (profiles of the admin's, enabled with pam-auth-update; faillock.conf set): faillock's account line is a
        # module beyond Debian's stock lines in the stacks sshd and sudo run for the deploy login, so one line
        # naming allow_pam (pinned to its lines and faillock.conf); passes with it
        root(box, "cp /root/rkhunter.orig /etc/default/rkhunter && DEBIAN_FRONTEND=noninteractive apt-get install "
                  "-y -qq --no-install-recommends libpam-pwquality libpam-google-authenticator >/tmp/apt.log 2>&1 || "
                  "{ tail -30 /tmp/apt.log; exit 1; }")
        root(box, HARDENING)
        failed = gate(tmp_path, fleet, allowed)
        lines = [ln for items in failed.values() for ln in items]
        assert len(lines) == 1 and lines[0].startswith("/etc/pam.d/common-account:") and \
            'allow_pam = ["pam_faillock.so sha256:' in lines[0], "\n".join(lines)
        allowed += allowance(lines[0], pinned=True) + "\n"
        assert gate(tmp_path, fleet, allowed) == {}

        # start entries by hand (BOOT): nothing of them runs now; each is one line naming its allowance (the
        # rkhunter edit above aside), and the gate passes with them written
        root(box, BOOT)
        failed = gate(tmp_path, fleet, allowed)
        lines = [ln for items in failed.values() for ln in items if "/etc/default/rkhunter" not in ln]
        shown = "\n".join(lines)
        want = ["getty@tty1.service (/etc/systemd/system/getty@tty1.service.d/override.conf: a drop-in by hand; it "
                "runs '-/sbin/agetty --autologin root", "apache-htcacheclean.service (/etc/systemd/system/multi-user."
                "target.requires/apache-htcacheclean.service -> ", "cron.service (/etc/systemd/system/cron.service.d/"
                "share.conf: a drop-in by hand", "/var/spool/cron/crontabs/root:",
                "/etc/rc.local:2: 'nohup python3 -m http.server 8083", "/etc/rc2.d/S99share -> "
                "../init.d/share", "/etc/inittab:1: ", "/etc/default/grub.d/50-debug.cfg: the kernel command line "
                "gets 'systemd.debug_shell'", "ops-share.service (/usr/lib/systemd/system/multi-user.target.wants/"
                "ops-share.service -> ../ops-share.service: by hand among the packages' units (no installed package's "
                "list holds it); /usr/lib/systemd/system/ops-share.service: by hand", "tunnel.service (/usr/lib/"
                "systemd/user/tunnel.service: by hand among the packages' units"] + (
                    ["debug-shell.service (/etc/systemd/system/sysinit.target.wants/debug-shell.service -> "]
                    if platform == "debian13" else [])
        assert len(lines) == len(want) and all(any(ln.startswith(w) for ln in lines) for w in want), shown
        assert all(re.search(r"allow it: allow_(units|cron) = \[", ln) for ln in lines), shown
        assert any(re.match(r"/var/spool/cron/crontabs/root:\d+: @reboot 'python3 -m http.server 8081' as root: ", ln)
                   for ln in lines), shown  # (its line number: after crontab's own header lines)
        allowed = merged(allowed, [ln for items in failed.values() for ln in items])
        assert gate(tmp_path, fleet, allowed) == {}

        # a packaged init script started by hand: one line per script naming what its postinst makes
        root(box, SYSV)
        failed = gate(tmp_path, fleet, allowed)
        lines = sorted(ln for items in failed.values() for ln in items)
        assert len(lines) == 2, "\n".join(lines)
        assert lines[0].startswith("/etc/rc2.d/S01procps -> ../init.d/procps: /etc/init.d/procps is procps's init "
                                   "script, and its postinst starts it in runlevels S only"), "\n".join(lines)
        assert lines[1].startswith("/etc/rc3.d/S01apache-htcacheclean -> ../init.d/apache-htcacheclean: /etc/init.d/"
                                   "apache-htcacheclean is apache2's init script, and its postinst disables it") and \
            'allow_cron = ["/etc/init.d/apache-htcacheclean ' in lines[1], "\n".join(lines)
        allowed = merged(allowed, lines)
        assert gate(tmp_path, fleet, allowed) == {}

        # a key source beside the key files, in force for every login (the deploy login, the gate's, root by key):
        # one line naming them and the allow_keys entries; then a user CA and its principals file: the CA's key line
        # and the mapping's, one each; each passes once written
        for step, count in ((KEY_SOURCE, 1), (PRINCIPALS, 2)):
            root(box, step)
            failed = gate(tmp_path, fleet, allowed)
            lines = [ln for items in failed.values() for ln in items]
            assert len(lines) == count and all("allow it: allow_keys = [" in ln for ln in lines), "\n".join(lines)
            said = "AuthorizedKeysCommand /usr/bin/cat /etc/ssh/keys/%u: sshd runs it at each key login" \
                if step == KEY_SOURCE else "AuthorizedPrincipalsFile /etc/ssh/principals/%u: sshd takes a certificate"
            assert any(ln.startswith("/etc/ssh/sshd_config:") and said in ln and "logs in as appuser" in ln and
                       "logs in as admin" in ln for ln in lines), "\n".join(lines)
            allowed = merged(allowed, lines)
            assert gate(tmp_path, fleet, allowed) == {}

        # the web tier's tooling (WEB_TIER): one line per module, the TLS port, the site (naming its vhost's allowance
        # too: written, it passes in one round) and the ModSecurity configuration copied by hand; the CRS's ~30 rule
        # files are libapache2-mod-security2's module's (its security2.conf includes them); DevSec's SSH baseline and
        # openbsd-inetd's leftovers need nothing
        lines = installed(box, tmp_path, fleet, allowed, "ssl-cert openbsd-inetd libapache2-mod-security2 "
                          "modsecurity-crs", RESTART + "\n" + WEB_TIER)  # (RESTART: what the module's postinst
        # does on a server with an init system)
        shown = "\n".join(lines)
        assert sorted(allowance(ln) for ln in lines) == sorted([
            'allow_apache_conf = ["/etc/apache2/sites-enabled/default-ssl.conf"]', 'allow_listen = ["*:443"]',
            'allow_modules = ["socache_shmcb_module"]', 'allow_modules = ["ssl_module"]',
            'allow_apache_conf = ["/etc/modsecurity/modsecurity.conf"]', 'allow_modules = ["security2_module"]',
            'allow_modules = ["unique_id_module"]']), shown
        site = next(ln for ln in lines if "default-ssl.conf (" in ln)
        sites = re.search(r", with what it serves: (allow_sites = \[.*\])$", site)
        assert sites and "it defines vhost " in site, site
        allowed = merged(allowed, lines) + sites.group(1) + "\n"
        assert gate(tmp_path, fleet, allowed) == {}

        # a directory client (DIRECTORY) and saved firewall rules: one line per item, each naming its allowance
        # (the source in nsswitch.conf, each root responder's socket anyone may connect to, each PAM module its
        # profile adds to the stacks sudo runs); the packages' own setcaps and unit aliases need none; written, passes
        # (Debian 13 only: its image has systemctl, so deb-systemd-helper enables with systemctl preset, and
        # sssd-krb5-common's postinst setcaps its helpers; the Debian 12 run adds nothing else and costs its apt-get)
        if platform != "debian13":
            return
        root(box, "printf 'iptables-persistent iptables-persistent/autosave_v%s boolean false\\n' 4 6 | "
                  "debconf-set-selections")
        lines = installed(box, tmp_path, fleet, allowed, "sssd-ldap libnss-sss libpam-sss libsss-sudo "
                          "iptables-persistent", DIRECTORY)
        shown = "\n".join(lines)
        keys = sorted(allowance(ln) for ln in lines)
        assert keys == sorted(['allow_sudo = ["nsswitch: sss"]', 'allow_pam = ["pam_localuser.so"]',
                               'allow_pam = ["pam_sss.so"]'] + [k for k in keys if k.startswith(
                                   'allow_listen = ["unix:/var/lib/sss/pipes/')]) and len(lines) == 5, shown
        assert any(ln.startswith("/etc/nsswitch.conf:") and "passwd, group, shadow, sudoers from sss too" in ln
                   for ln in lines), shown
        allowed = merged(allowed, lines)
        assert gate(tmp_path, fleet, allowed) == {}

        # a virus scanner's updater and a log checker as Debian packages them: clamav-freshclam's postinst chooses
        # (its debconf answer) between start links and none, in branches of one if; clamav-daemon's writes its
        # unit's drop-in through ucf; each hands a place of /etc to its service's account (freshclam.conf, which
        # freshclam reads as root, to clamav; /etc/logcheck to logcheck): one line each naming the allowance that
        # trusts that account with it, none for the start links or the drop-in; written, the gate passes
        lines = installed(box, tmp_path, fleet, allowed, "clamav-daemon logcheck", "true")
        assert sorted(allowance(ln) for ln in lines) == [
            'allow_privileged = ["/etc/clamav/freshclam.conf 0444 clamav:adm"]',
            'allow_privileged = ["/etc/logcheck/ 0750 logcheck:logcheck"]'], "\n".join(lines)
        allowed = merged(allowed, lines)
        assert gate(tmp_path, fleet, allowed) == {}
