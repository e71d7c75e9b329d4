# ruff: noqa: E501
"""Eighth blind round (blind8): realistic drift, security regressions, broken rollback targets and mechanisms
disabled by configuration, by mechanisms none of the earlier rounds used (blind: f01-f29, v1-v5; blind3: b01-b56,
a01-a05; blind4: c01-c47; blind5: d01-d35, x01-x06, y*; blind7: e01-e26, w01-w05; blind7s: s01-s09, r01-r07,
m01-m07, a01-a04).

Written before reading deploytests/verify/**, deploytests/faults/catalogue.py, docs/promises.md, the promises
modules or the tests that inject faults: from README's gate section, docs/architecture.md,
deploytests/faults/run.py, an explore container of the campaign's snapshot (its sshd_config has no Include line
and UsePAM no; its apt sources have no security suite; cron, git and bash-completion are not installed), and
what an operator, a package, a hardening guide (DevSec linux/ssh baselines, CIS Apache / Debian) or a
half-finished job does to a live Debian Apache + mod_wsgi server deployed by deploytests.

Each fault is a shell script run as root on a container of the campaign's deployed snapshot (live release + one
previous release), as ``deploytests.faults.run.Campaign`` injects its own. Placeholders (the campaign's values):
{root} {app_user} {app_group} {login} {live} {prev} {site} {prev_site} {python_version} {config} {vhost}
{package} {server_name} {port} (literal braces doubled).

The ``promise`` field is ``KIND/AREA``: KIND one of drift (an operator's hand edit, a half-finished clean-up, a
tool left running), security (a control of the baselines broken), rollback (a kept release a rollback would
switch to, that would not work), mechanism (what a deploy, rollback or the gate relies on, disabled by
configuration); AREA what it touches: serve, run, grant or load.

Each fault says its consequence; ``blind8/effects8.py`` shows it on a container of the campaign's snapshot
(BENIGN: none shown, not counted). ``ALLOWED`` faults hide behind an allowance the operator had a real reason to
write (README's gate section): run them with the target keys of ``ALLOW_KEYS``.
"""
from deploytests.faults.catalogue import Fault

RESTART = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); "
           "done; apache2ctl start; sleep 1; pgrep -x apache2 >/dev/null")
GRACEFUL = "apache2ctl graceful; sleep 1"
APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
# sshd in the image runs as '/usr/sbin/sshd -D -e' (no init): SIGHUP re-executes it with the new configuration,
# as 'systemctl reload ssh' does on a server; checked first, as the unit's ExecReload does
SSHD_RELOAD = "/usr/sbin/sshd -t; kill -HUP $(pgrep -o -x sshd); sleep 1; pgrep -x sshd >/dev/null"
HOME = "l=$(getent passwd {login} | cut -d: -f6)"
# Debian's stock sshd_config starts with this line (the image's has none): drop-ins are read first, first value wins
INCLUDE = ("grep -q '^Include /etc/ssh/sshd_config.d/' /etc/ssh/sshd_config || sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' "
           "/etc/ssh/sshd_config; mkdir -p /etc/ssh/sshd_config.d")


def bg(cmd: str) -> str:
    return f"setsid nohup {cmd} </dev/null >/dev/null 2>&1 & sleep 1"


def wait_port(hexport: str, proto: str = "tcp") -> str:
    state = "0A" if proto == "tcp" else "07"
    return (f"i=0; until grep -q ':{hexport} [0-9A-F]*:0000 {state}' /proc/net/{proto} /proc/net/{proto}6 2>/dev/null || [ $i -ge 150 ]; "
            f"do i=$((i+1)); sleep 0.1; done; grep -q ':{hexport} ' /proc/net/{proto} /proc/net/{proto}6")


BLIND8 = (
    # ------------------------------------------------------------------ serve
    Fault("h01-mod-info-open-to-vpc", "security/serve",
          "mod_info enabled (a2enmod info, to see which modules a directive comes from) and Debian's info.conf "
          "opened from 'Require local' to the VPC's range ('Require ip 172.16.0.0/12', where the monitoring hosts "
          "live; CIS Apache 2.x: disable mod_info): every host of that network (and anything that proxies for it) "
          "reads /server-info: the whole configuration in force, every file:line, paths, modules and their settings",
          "a2enmod -q info; sed -i 's@^\\([[:space:]]*\\)#Require ip 192.0.2.0/24@\\1Require ip 172.16.0.0/12@' "
          "/etc/apache2/mods-available/info.conf; grep -q 'Require ip 172.16.0.0/12' /etc/apache2/mods-available/info.conf; "
          + GRACEFUL),
    Fault("h02-memcached-opened-for-second-node", "drift/serve",
          "memcached (the app's session and cache store, Debian's package) opened from '-l 127.0.0.1' to all "
          "interfaces in /etc/memcached.conf so the second web node can share it, restarted: no authentication, "
          "every host that reaches the server reads and rewrites the cached sessions and flushes the cache",
          APT.format(pkgs="memcached") + "; sed -i 's/^-l 127.0.0.1/-l 0.0.0.0/' /etc/memcached.conf; "
          "grep -q '^-l 0.0.0.0' /etc/memcached.conf; pkill -x memcached || true; sleep 0.5; "
          "/usr/bin/memcached -d -u memcache -m 64 -p 11211 -l 0.0.0.0 -P /run/memcached.pid; " + wait_port("2BCB")),
    # ------------------------------------------------------------------ run
    Fault("h04-certbot-venv-owned-by-admin", "drift/run",
          "certbot installed the way its own instructions say (a venv in /opt/certbot, its script linked into "
          "/usr/bin, a renew line appended to /etc/crontab as root), then the venv chowned to the admin's account "
          "'opsadmin' so plugins can be pip-installed without sudo: twice a day root runs the python and the "
          "script that account may rewrite",
          APT.format(pkgs="cron") + "; useradd -m -s /bin/bash opsadmin; python3 -m venv --without-pip /opt/certbot; "
          "printf '#!/opt/certbot/bin/python\\n# -*- coding: utf-8 -*-\\nimport sys\\nprint(\"certbot renew: no certificates due\")\\n' "
          "> /opt/certbot/bin/certbot; chmod 0755 /opt/certbot/bin/certbot; ln -sfn /opt/certbot/bin/certbot /usr/bin/certbot; "
          "echo \"0 0,12 * * * root /opt/certbot/bin/python -c 'import random; import time; time.sleep(random.random() * 3600)' "
          "&& certbot renew -q\" >> /etc/crontab; chown -R opsadmin:opsadmin /opt/certbot"),
    Fault("h05-system-git-hookspath-deploy-home", "drift/run",
          "git installed and the team's shared hooks made system-wide ('git config --system core.hooksPath "
          "~{login}/git-hooks', a secret-scanning pre-commit kept in the deploy login's home): every commit root "
          "makes (etckeeper's at every apt run, an admin's in /etc or /srv) runs the deploy login's script as root",
          APT.format(pkgs="git") + "; " + HOME + "; install -d -o {login} -g {login} -m 0755 $l/git-hooks; "
          "printf '#!/bin/sh\\n# refuse commits that add private keys\\ngit diff --cached --name-only | grep -q \"id_rsa$\" && exit 1\\nexit 0\\n' "
          "> $l/git-hooks/pre-commit; chown {login}:{login} $l/git-hooks/pre-commit; chmod 0755 $l/git-hooks/pre-commit; "
          "git config --system core.hooksPath $l/git-hooks; git config --system --get core.hooksPath"),
    Fault("h06-pip-conf-find-links-deploy-dir", "drift/load",
          "python3-pip installed and /etc/pip.conf written after PEP 668 refused a root 'pip install' "
          "('break-system-packages = true') with 'find-links' naming the deploy login's ~/wheels (the team's "
          "internal wheels): every root pip install takes whatever wheel of the highest version the deploy login "
          "drops there, into /usr/local (a .pth in it then runs in every root python3)",
          APT.format(pkgs="python3-pip") + "; " + HOME + "; install -d -o {login} -g {login} -m 0755 $l/wheels; "
          "printf '[global]\\nbreak-system-packages = true\\nfind-links = %s/wheels\\n' \"$l\" > /etc/pip.conf"),
    Fault("h07-bash-completion-runs-release-flask", "drift/run",
          "bash-completion installed and Click's completion line for the app's flask CLI put in "
          "/etc/bash_completion.d/flask for every admin ('eval \"$(_FLASK_COMPLETE=bash_source "
          "{root}/current/venv/bin/flask)\"'): every interactive root shell (sudo -i, su -) runs the live "
          "release's interpreter and site-packages, the deploy login's files, as root",
          APT.format(pkgs="bash-completion") + "; mkdir -p /etc/bash_completion.d; printf '# flask CLI completion (Click)\\n"
          "[ -x {root}/current/venv/bin/flask ] && eval \"$(_FLASK_COMPLETE=bash_source {root}/current/venv/bin/flask 2>/dev/null)\"\\n' "
          "> /etc/bash_completion.d/flask"),
    Fault("h08-system-shutdown-hook-release-python", "drift/run",
          "an executable in /usr/lib/systemd/system-shutdown/ (systemd-shutdown runs every file there as root at the "
          "very end of each shutdown and reboot) that flushes the app's queue with the live release's python: root "
          "runs the deploy login's interpreter and site-packages at every reboot",
          "mkdir -p /usr/lib/systemd/system-shutdown; printf '#!/bin/sh\\n# flush the app queue before the machine goes down\\n"
          "{root}/current/venv/bin/python -c \"import {package}\" >/dev/null 2>&1 || true\\n' "
          "> /usr/lib/systemd/system-shutdown/app-flush; chmod 0755 /usr/lib/systemd/system-shutdown/app-flush"),
    Fault("h18-root-cron-curl-pipe-sh-http", "security/run",
          "a 'config management light' job /etc/cron.d/ops-pull: every 30 minutes root runs 'curl -fsS "
          "http://ops-config.internal/bootstrap.sh | sh' (plain HTTP, no signature): whoever answers for that name "
          "or sits on the path (DNS, ARP, a proxy) runs any command as root",
          APT.format(pkgs="cron") + "; printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n"
          "# pull the ops bootstrap (until config management is back)\\n*/30 * * * * root curl -fsS http://ops-config.internal/bootstrap.sh | sh\\n' "
          "> /etc/cron.d/ops-pull"),
    # ------------------------------------------------------------------ grant
    Fault("h09-sshd-config-d-writable-by-adm", "security/grant",
          "Debian's 'Include /etc/ssh/sshd_config.d/*.conf' in force and that directory made group-writable by adm "
          "(chgrp adm, 2775) so the ops team can drop snippets without root; logcheck's account is in adm, as its "
          "package puts it: any member of adm writes sshd's configuration (read first, first value wins: "
          "PermitRootLogin, AuthorizedKeysCommand ...), root's at sshd's next start or reload",
          INCLUDE + "; useradd -r -M -g adm -s /usr/sbin/nologin logcheck; chgrp adm /etc/ssh/sshd_config.d; "
          "chmod 2775 /etc/ssh/sshd_config.d; " + SSHD_RELOAD),
    Fault("h10-app-user-in-ssl-cert", "drift/grant",
          "ssl-cert installed (the snakeoil key and the group that may read /etc/ssl/private) and the app user "
          "added to group ssl-cert 'so the app can read its client certificate key': the app, and any code "
          "running in it, reads every TLS private key of the server",
          APT.format(pkgs="ssl-cert") + "; usermod -aG ssl-cert {app_user}; id {app_user} | grep -q ssl-cert"),
    Fault("h11-deploy-login-password-cloud-init-pwauth", "security/grant",
          "a password set on the deploy login for the hoster's web console during an incident, and cloud-init's "
          "/etc/ssh/sshd_config.d/50-cloud-init.conf 'PasswordAuthentication yes' (ssh_pwauth) in force through "
          "Debian's Include: that login (passwordless sudo to root) now logs in over SSH with a guessable password",
          INCLUDE + "; echo '{login}:Welcome2026' | chpasswd; printf 'PasswordAuthentication yes\\n' "
          "> /etc/ssh/sshd_config.d/50-cloud-init.conf; " + SSHD_RELOAD),
    Fault("h12-sshd-hostbased-shosts-equiv", "security/grant",
          "host-based authentication turned on for the jump host and the local admin scripts "
          "('HostbasedAuthentication yes', 'IgnoreRhosts no', /etc/ssh/shosts.equiv listing 10.20.0.5 and "
          "127.0.0.1, their host keys in /etc/ssh/ssh_known_hosts; DevSec ssh-baseline: both off): any process "
          "on a trusted host logs in here as the account of the same name, the deploy login included, with no key",
          "sed -i '1i HostbasedAuthentication yes\\nIgnoreRhosts no' /etc/ssh/sshd_config; "
          "printf '# the jump host and local admin scripts\\n10.20.0.5\\n127.0.0.1\\n' > /etc/ssh/shosts.equiv; "
          "k=$(cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2); echo \"10.20.0.5,127.0.0.1 $k\" >> /etc/ssh/ssh_known_hosts; "
          + SSHD_RELOAD),
    Fault("h13-apache-run-group-app-group", "drift/grant",
          "APACHE_RUN_GROUP set to the app's group in /etc/apache2/envvars so Apache can serve the app's uploads "
          "(group {app_group}), Apache restarted: Apache's workers, which serve every site and module, now read the "
          "app's config (0640, group {app_group}: SECRET_KEY) and write its data",
          "sed -i 's/^export APACHE_RUN_GROUP=.*/export APACHE_RUN_GROUP={app_group}/' /etc/apache2/envvars; "
          "grep -q '^export APACHE_RUN_GROUP={app_group}$' /etc/apache2/envvars; " + RESTART),
    Fault("h16-config-copy-left-in-tmp", "security/grant",
          "a copy of the app's config taken by root during an incident ('cp {config} /tmp/application.cfg.20261205') "
          "and left: root's umask makes it 0644: every local user, www-data and nobody included, reads SECRET_KEY",
          "cp {config} /tmp/application.cfg.20261205; chmod 0644 /tmp/application.cfg.20261205"),
    # ------------------------------------------------------------------ load
    Fault("h14-pam-module-from-vendor-dir", "drift/load",
          "a compliance vendor's session module appended to /etc/pam.d/common-session-noninteractive by absolute "
          "path, /opt/secaudit/lib/security/pam_secaudit.so, its directory owned by the vendor's account "
          "'secaudit' (its updater): every sudo (each deploy's release check included), su and cron session loads "
          "into a root process a library that account may replace",
          "useradd -r -M -s /usr/sbin/nologin secaudit; mkdir -p /opt/secaudit/lib/security; "
          "cp -L /lib/x86_64-linux-gnu/security/pam_permit.so /opt/secaudit/lib/security/pam_secaudit.so; "
          "chown -R secaudit:secaudit /opt/secaudit; "
          "echo 'session optional /opt/secaudit/lib/security/pam_secaudit.so' >> /etc/pam.d/common-session-noninteractive"),
    Fault("h15-perl5lib-in-etc-environment", "drift/load",
          "'PERL5LIB=/opt/monitoring/perl5' in /etc/environment for the monitoring plugins, that dir the nagios "
          "account's: pam_env sets it in every session it runs in (su, cron, SSH with UsePAM), root's too, so "
          "root's Perl (debconf, needrestart, an admin's scripts) loads modules that account writes before Perl's own",
          "useradd -r -m -d /var/lib/nagios -s /bin/sh nagios; mkdir -p /opt/monitoring/perl5; chown -R nagios:nagios "
          "/opt/monitoring; echo 'PERL5LIB=/opt/monitoring/perl5' >> /etc/environment"),
    Fault("h17-apt-pin-holds-stack-version", "security/load",
          "an apt pin /etc/apt/preferences.d/apache2-pin ('Pin: version <installed>', priority 1001) written during "
          "an upgrade regression and never removed: apt and unattended-upgrades never install a newer apache2, "
          "mod_wsgi or their libraries: the stack's security updates stop, silently (no 'held' mark)",
          "v=$(dpkg-query -W -f '${{Version}}' apache2); w=$(dpkg-query -W -f '${{Version}}' libapache2-mod-wsgi-py3); "
          "printf '# 2.4 regression with our proxy, pin until fixed\\nPackage: apache2 apache2-bin apache2-data apache2-utils\\n"
          "Pin: version %s\\nPin-Priority: 1001\\n\\nPackage: libapache2-mod-wsgi-py3\\nPin: version %s\\nPin-Priority: 1001\\n' "
          "\"$v\" \"$w\" > /etc/apt/preferences.d/apache2-pin"),
    # ------------------------------------------------------------------ rollback
    Fault("h19-kept-config-copies-rewritten", "rollback/run",
          "SECRET_KEY 'rotated' by hand in the kept config copies ({root}/.configs/*: sed -i as root, so a rollback "
          "gets the new key too; the next deploy brings the new config): every copy no longer has the content its "
          "name records, so a rollback is refused (the config its release started with is 'changed') right when "
          "it is needed",
          "for f in {root}/.configs/*; do sed -i 's/^SECRET_KEY = .*/SECRET_KEY = \"rotated-20261205\"/' \"$f\"; done; "
          "grep -l rotated-20261205 {root}/.configs/* >/dev/null"),
    Fault("h20-prev-static-removed-cdn", "rollback/serve",
          "the previous release's static files deleted in a 'the assets are on the CDN now' clean-up (rm -rf "
          "releases/{prev}/{package}/static; Apache still serves /static/ from current/): a rollback switches to a "
          "release whose /static/ answers 404: pages without their CSS and scripts",
          "rm -rf {root}/releases/{prev}/{package}/static; test ! -e {root}/releases/{prev}/{package}/static"),
    # ------------------------------------------------------------------ mechanisms disabled by configuration
    Fault("h22-sshd-per-source-max-startups-1", "mechanism/serve",
          "'PerSourceMaxStartups 1' from an anti-brute-force snippet (OpenSSH 8.5+; CIS: MaxStartups): a second "
          "unauthenticated connection from the same address is dropped while one is pending: a runner's parallel "
          "connections (xdist workers, a rollout's deploy and gate, the gate's login and root collectors) to this "
          "host fail at random",
          "sed -i '1i PerSourceMaxStartups 1' /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("h24-deploy-login-shell-rbash", "mechanism/run",
          "the deploy login's shell changed to /bin/rbash by a hardening review ('deploy accounts get no full "
          "shell'): every command sshd runs for it goes through restricted bash (no '/' in command names, no "
          "redirections, no cd)",
          "chsh -s /bin/rbash {login}; getent passwd {login} | grep -q ':/bin/rbash$'"),
    Fault("h25-sshd-max-sessions-1", "mechanism/serve",
          "'MaxSessions 1' in sshd_config (a hardening guide: one session per connection, no multiplexing): a "
          "connection gets one channel at a time: a runner that opens a second channel on its connection (a "
          "status while a deploy streams, testinfra beside the probe) is refused",
          "sed -i 's/^MaxSessions .*/MaxSessions 1/' /etc/ssh/sshd_config; grep -q '^MaxSessions 1$' /etc/ssh/sshd_config; "
          + SSHD_RELOAD),
    Fault("h26-sudoers-later-line-shadows-deploy-rule", "mechanism/grant",
          "an audit's '{login} ALL=(ALL) PASSWD: ALL' in /etc/sudoers.d/zz-audit ('root only with a password'): "
          "sudo takes the last matching line, so it also shadows bootstrap's NOPASSWD rule for the releases' "
          "python: the deploy login (no password) can no longer run its release check as the app user: every "
          "deploy and rollback check fails",
          "printf '# audit 2026-11: root only with a password\\n{login} ALL=(ALL) PASSWD: ALL\\n' > /etc/sudoers.d/zz-audit; "
          "chmod 0440 /etc/sudoers.d/zz-audit; visudo -c >/dev/null"),
)

ALLOWED = (
    Fault("k01-allowed-sudo-setenv-graceful", "security/grant",
          "an allowed sudoers line for the on-call team (allow_sudo '%webops ALL=(root) NOPASSWD:SETENV: "
          "/usr/sbin/apache2ctl graceful', SETENV 'so the proxy variables reach it') and the on-call account "
          "'oncall' in webops: with SETENV, 'sudo APACHE_ENVVARS=/tmp/x apache2ctl graceful' makes root source any "
          "file: every member of webops is root",
          "groupadd webops; useradd -m -s /bin/bash -G webops oncall; printf '%%webops ALL=(root) NOPASSWD:SETENV: "
          "/usr/sbin/apache2ctl graceful\\n' > /etc/sudoers.d/webops; chmod 0440 /etc/sudoers.d/webops; visudo -c >/dev/null"),
    Fault("k02-allowed-tmp-cleaner-find-follows-links", "drift/run",
          "an allowed /etc/cron.d/app-tmp-clean (allow_cron) deleting the app's temp files older than a day, as "
          "root, with 'find -L {root}/shared/data/tmp ... -delete' (-L 'so linked upload dirs are cleaned too'): "
          "the app user links its tmp dir anywhere (/etc, /var/backups) and root deletes the old files there",
          APT.format(pkgs="cron") + "; install -d -o {app_user} -g {app_group} -m 2770 {root}/shared/data/tmp; "
          "printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n# the app temp files older than a day\\n"
          "17 * * * * root find -L {root}/shared/data/tmp -type f -mmin +1440 -delete\\n' > /etc/cron.d/app-tmp-clean"),
    Fault("k03-allowed-tcpdump-capability", "security/grant",
          "tcpdump given cap_net_raw with setcap so ops can capture without sudo, and allowed "
          "(allow_privileged '/usr/bin/tcpdump 0755 root:root cap_net_raw=eip'): the file stays 0755, so every "
          "local user, www-data and the app user included, captures every packet: session cookies and form "
          "passwords of every request on port 80",
          APT.format(pkgs="tcpdump libcap2-bin") + "; setcap cap_net_raw=eip /usr/bin/tcpdump; getcap /usr/bin/tcpdump"),
    Fault("k04-allowed-unit-ambient-dac-override", "drift/grant",
          "an allowed app-report.service (allow_units: the app's nightly report, User={app_user}) whose "
          "'AmbientCapabilities=CAP_DAC_OVERRIDE' comes from a how-to 'so the report can read Apache's logs': the "
          "release's code runs as the app user with the right to read and write every file on the server",
          "mkdir -p /etc/systemd/system/timers.target.wants; printf '[Unit]\\nDescription=app nightly report\\n\\n[Service]\\n"
          "Type=oneshot\\nUser={app_user}\\nGroup={app_group}\\nWorkingDirectory={root}/current\\n"
          "AmbientCapabilities=CAP_DAC_OVERRIDE\\nExecStart={root}/current/venv/bin/python -m {package}.report\\n' "
          "> /etc/systemd/system/app-report.service; printf '[Unit]\\nDescription=app nightly report\\n\\n[Timer]\\n"
          "OnCalendar=*-*-* 03:30\\n\\n[Install]\\nWantedBy=timers.target\\n' > /etc/systemd/system/app-report.timer; "
          "ln -sfn /etc/systemd/system/app-report.timer /etc/systemd/system/timers.target.wants/app-report.timer"),
    Fault("k05-allowed-snmpd-public-full-view", "security/serve",
          "snmpd opened for the NMS (agentaddress udp:161, allowed: allow_listen '*:161 Debian-snmp /usr/sbin/snmpd') "
          "and Debian's '-V systemonly' dropped from 'rocommunity public default' for process monitoring: any host "
          "reads the full MIB with the community 'public': every process with its arguments, installed software, "
          "open connections",
          APT.format(pkgs="snmpd") + "; sed -i 's/^agentaddress .*/agentaddress udp:161/' /etc/snmp/snmpd.conf; "
          "sed -i 's/^\\(rocommunity  *public  *default\\) .*-V systemonly.*/\\1/' /etc/snmp/snmpd.conf; "
          "sed -i 's/^\\(rocommunity6  *public  *default\\) .*-V systemonly.*/\\1/' /etc/snmp/snmpd.conf; "
          "grep -q '^agentaddress udp:161$' /etc/snmp/snmpd.conf; mkdir -p /var/lib/snmp; chown -R Debian-snmp /var/lib/snmp 2>/dev/null || true; "
          "/usr/sbin/snmpd -LOw -u Debian-snmp -g Debian-snmp -I -smux,mteTrigger,mteTriggerConf -p /run/snmpd.pid; "
          + wait_port("00A1", "udp")),
    Fault("k06-allowed-rewritemap-prg-release-python", "drift/load",
          "an allowed canon.conf (allow_apache_conf, allow_modules rewrite_module) for canonical URLs, whose "
          "'RewriteMap canon \"prg:{root}/current/venv/bin/python -m {package}.canon\"' has Apache start the live "
          "release's interpreter at every start: a program of the deploy login's tree that Apache runs beside "
          "its workers, outside the daemons",
          "a2enmod -q rewrite; printf 'RewriteEngine On\\n# canonical URLs, computed by the app itself\\n"
          "RewriteMap canon \"prg:{root}/current/venv/bin/python -m {package}.canon\"\\n' > /etc/apache2/conf-available/canon.conf; "
          "a2enconf -q canon; " + RESTART),
    Fault("k08-allowed-setenv-secret-in-conf", "security/grant",
          "an allowed app-env.conf (allow_apache_conf: 'the settings the app reads from the WSGI environ') into which "
          "SECRET_KEY was moved as 'SetEnv APP_SECRET_KEY ...': the file is 0644 like all of Apache's "
          "configuration: every local user, www-data and nobody included, reads the app's secret",
          "k=$(sed -n 's/^SECRET_KEY = //p' {config} | tr -d '\"'); test -n \"$k\"; "
          "printf '# settings the app reads from the WSGI environ\\nSetEnv APP_SECRET_KEY %s\\n' \"$k\" "
          "> /etc/apache2/conf-available/app-env.conf; a2enconf -q app-env; " + GRACEFUL),
    Fault("k09-allowed-loopback-status-vhost", "mechanism/serve",
          "an allowed loopback status site (allow_sites status.local, allow_apache_conf its sites-enabled file) "
          "written as '<VirtualHost 127.0.0.1:80>' so only local tools reach /server-status: an address-based vhost "
          "takes every request that arrives at 127.0.0.1:80, whatever its Host: the deploy's and the rollback's "
          "health gate, which asks the server on 127.0.0.1, gets the status site: every deploy and rollback is "
          "refused while the site looks fine from outside",
          "printf '<VirtualHost 127.0.0.1:80>\\n    ServerName status.local\\n    <Location /server-status>\\n"
          "        SetHandler server-status\\n        Require local\\n    </Location>\\n</VirtualHost>\\n' "
          "> /etc/apache2/sites-available/status-local.conf; a2ensite -q status-local; " + GRACEFUL),
)

ALLOW_KEYS = """allow_sudo = ["%webops ALL=(root) NOPASSWD:SETENV: /usr/sbin/apache2ctl graceful"]
allow_cron = ["/etc/cron.d/app-tmp-clean"]
allow_privileged = ["/usr/bin/tcpdump 0755 root:root cap_net_raw=eip"]
allow_units = ["app-report.service", "app-report.timer"]
allow_listen = ["*:161 Debian-snmp /usr/sbin/snmpd"]
allow_apache_conf = ["/etc/apache2/conf-enabled/canon.conf", "/etc/apache2/conf-enabled/app-env.conf", "/etc/apache2/sites-enabled/status-local.conf"]
allow_modules = ["rewrite_module"]
allow_sites = ["status.local"]
"""

# Filled in from the effects runs (blind8/logs/effects-*.log), before any gate run: faults whose consequence
# could not be shown are not counted in the rate (reported).
# h19: the rollback went through (both kept releases started with the same config; the changed copy was not
# needed); h24: a deploy of another build as the rbash login went through; h25: the same with MaxSessions 1.
BENIGN: set[str] = {"h19-kept-config-copies-rewritten", "h24-deploy-login-shell-rbash", "h25-sshd-max-sessions-1"}

# gaps9: other members of the classes: the catalogue's faults added this round
from deploytests.faults.catalogue import FAULTS  # noqa: E402

NEW = ("app-user-in-a-secret-files-group", "apt-release-ranked-above-security", "apt-default-release",
       "sshd-sessions-below-the-pipelines", "sudo-later-rule-asks-a-password")
EXTRA: tuple = tuple(f for f in FAULTS if f.id in NEW)

# gaps9: other members of the allowed classes (each behind its own allowance, ALLOW_KEYS9)
ALLOWED_EXTRA = (
    Fault("g02-allowed-rsync-copy-follows-links", "drift/run",
          "an allowed nightly copy of the app's shared dir as root with rsync -aL (links copied as files): the app "
          "links /etc/shadow into shared/ and root copies it out",
          "mkdir -p /etc/cron.d /srv/copies; printf 'SHELL=/bin/sh\\n30 2 * * * root rsync -aL {root}/shared/ /srv/copies/shared/\\n' "
          "> /etc/cron.d/app-copy"),
    Fault("g03-allowed-reader-capability", "security/grant",
          "a copy of perl given cap_dac_read_search for a log shipper, allowed as it is (0755): every local user reads every file",
          APT.format(pkgs="libcap2-bin") + "; cp /usr/bin/perl /usr/local/bin/logship-perl; "
          "setcap cap_dac_read_search=ep /usr/local/bin/logship-perl; getcap /usr/local/bin/logship-perl"),
    Fault("g04-allowed-unit-ambient-ptrace", "drift/grant",
          "an allowed app-profiler.service as the app user with AmbientCapabilities=CAP_SYS_PTRACE (a profiler's how-to)",
          "printf '[Service]\\nUser={app_user}\\nAmbientCapabilities=CAP_SYS_PTRACE\\nExecStart={root}/current/venv/bin/python -m {package}.profile\\n' "
          "> /etc/systemd/system/app-profiler.service"),
    Fault("g09-allowed-ipv6-loopback-vhost", "mechanism/serve",
          "an allowed status site written '<VirtualHost [::1]:80>': it takes every request to [::1]:80",
          "printf '<VirtualHost [::1]:80>\\n    ServerName status6.local\\n</VirtualHost>\\n' "
          "> /etc/apache2/sites-available/status6.conf; a2ensite -q status6; " + GRACEFUL),
)
ALLOW_KEYS9 = ALLOW_KEYS.replace('"*:161 Debian-snmp', '"udp/*:161 Debian-snmp').replace(
    'allow_cron = ["/etc/cron.d/app-tmp-clean"]', 'allow_cron = ["/etc/cron.d/app-tmp-clean", "/etc/cron.d/app-copy"]').replace(
    'allow_privileged = ["/usr/bin/tcpdump 0755 root:root cap_net_raw=eip"]',
    'allow_privileged = ["/usr/bin/tcpdump 0755 root:root cap_net_raw=eip", "/usr/local/bin/logship-perl 0755 root:root cap_dac_read_search=ep"]').replace(
    'allow_units = ["app-report.service", "app-report.timer"]', 'allow_units = ["app-report.service", "app-report.timer", "app-profiler.service"]').replace(
    '"/etc/apache2/sites-enabled/status-local.conf"]', '"/etc/apache2/sites-enabled/status-local.conf", "/etc/apache2/sites-enabled/status6.conf"]').replace(
    'allow_sites = ["status.local"]', 'allow_sites = ["status.local", "status6.local"]')
