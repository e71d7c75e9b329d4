"""Tenth blind round (blind10): realistic drift, security regressions, broken rollback targets and mechanisms
disabled by configuration on a live Debian Apache + mod_wsgi server deployed by deploytests, by mechanisms none of
the earlier rounds' fault files used (blind7 e*/w*, blind7s s*/r*/m*/a*, blind8 h*/k*, blind9 h*/k*).

Written before reading deploytests/verify/**, deploytests/suite/**, deploytests/faults/catalogue.py's faults or
the tests that inject faults; from README.md's gate section and allowances, docs/promises.md's table (what each
check says it covers), deploytests/pipeline (what a deploy and a rollback do) and one explore container of the
campaign's snapshot (deploy login appuser with 'ALL=(ALL) NOPASSWD:ALL' in the lab; the app user's home is the
app's root; shared/data 2770 appuser:yourapplication, written by the app; no git, less, vim, tmux, kmod, anacron,
strace in the image; perl without usesitecustomize).

Each fault is a shell script run as root on a container of the campaign's deployed snapshot (live release + one
previous release), as ``deploytests.faults.run.Campaign`` injects its own. Placeholders (the campaign's values):
{root} {app_user} {app_group} {login} {live} {prev} {site} {prev_site} {python_version} {config} {vhost}
{package} {server_name} {port} (literal braces doubled).

``promise`` is ``KIND/AREA``: KIND drift (an operator's, a tool's or a package's change), security (a control
broken, or an intruder's persistence), rollback (a kept release a rollback would switch to that would not work or
would run other code), mechanism (what a deploy or the gate relies on, disabled by configuration); AREA serve, run,
grant or load.

New mechanisms (none in the earlier rounds' files): mod_log_forensic; git's safe.directory; vim's system vimrc;
less's LESSOPEN; perl's site library dir; a POSIX ACL read grant on /etc/shadow; a service account in shadow;
Apache's GlobalLog opened by root in a dir the app writes; apt's Update::Post-Invoke; rc.local; anacrontab;
modprobe.d 'install'; login.defs ENV_SUPATH; tmux's system config; sudo 'noexec'; sshd RevokedKeys; a kept
release chowned to the app user; a kept release's SNAPSHOT.json rewritten with its code; an Alias to an export
dir; a root agent whose script's directory another account owns (python's sys.path[0]); behind allowances: a root
listener's script owned by another account, a root cron 'python3 -m' in a dir the app writes, an allowed sudo
script that sources the app's file, allow_groups shadow, an allowed site's ErrorLog in another account's dir, an
allowed conf that includes another account's files, cap_sys_ptrace on strace, a /usr/local/bin wrapper script
exec'ing another account's binary, a unit's StandardOutput=append: into the app's dir, a root cron extracting the
app's archive.

``blind10/effects10.py`` shows each consequence on a fresh container (BENIGN: none shown, not counted).
``ALLOWED`` faults hide behind the allowance a team would write (``ALLOW_KEYS``).
"""
from deploytests.faults.catalogue import Fault

RESTART = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); "
           "done; apache2ctl start; sleep 1; pgrep -x apache2 >/dev/null")
GRACEFUL = "apache2ctl graceful; sleep 1"
APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
SSHD_RELOAD = "/usr/sbin/sshd -t; kill -HUP $(pgrep -o -x sshd); sleep 1; pgrep -x sshd >/dev/null"


def acct(name: str, home: str = "") -> str:
    """A local account the way its package or an admin makes it."""
    return f"id -u {name} >/dev/null 2>&1 || useradd -r -m -d {home or '/var/lib/' + name} -s /usr/sbin/nologin {name}"


PLAIN = (
    # ------------------------------------------------------------------ serve
    Fault("p01-forensic-log-for-debugging", "security/serve",
          "a developer debugging a client's odd requests enables mod_log_forensic ('a2enmod log_forensic' and "
          "'ForensicLog ${{APACHE_LOG_DIR}}/forensic.log' in conf-available/forensic.conf): every request's every "
          "header, Cookie and Authorization included, is written to a log the adm group and every log shipper reads: "
          "whoever reads logs replays any user's session",
          "a2enmod -q log_forensic; printf '# temporary: debugging odd client requests\\nForensicLog ${{APACHE_LOG_DIR}}/forensic.log\\n' "
          "> /etc/apache2/conf-available/forensic.conf; a2enconf -q forensic; " + RESTART),
    Fault("p08-globallog-into-app-data-dir", "security/serve",
          "so the app's own log viewer shows traffic, a 'GlobalLog {root}/shared/data/logs/access.log combined' "
          "(conf-available/app-globallog.conf; GlobalLog logs every vhost's requests) into a dir the app writes: "
          "Apache's root parent opens it at every start, following whatever link the app user puts there: root "
          "creates and appends request lines to any file (/etc/ld.so.preload: a request path becomes a library "
          "every process loads)",
          "install -d -o {app_user} -g {app_group} -m 2770 {root}/shared/data/logs; printf 'GlobalLog {root}/shared/data/logs/access.log combined\\n' "
          "> /etc/apache2/conf-available/app-globallog.conf; a2enconf -q app-globallog; " + RESTART),
    Fault("p19-alias-exports-for-bi-team", "drift/serve",
          "the BI team fetches the nightly user export over HTTP: 'Alias /exports/ /srv/exports/' with "
          "'Options +Indexes' and 'Require all granted' (conf-available/exports.conf, server-wide: on the app's site "
          "too): the export (names, emails) is listed and downloadable by anyone who reaches port 80",
          "install -d -m 0755 /srv/exports; printf 'id,name,email\\n1,Ada Lovelace,ada@example.com\\n2,Alan Turing,alan@example.com\\n' "
          "> /srv/exports/users-2026-12-05.csv; chmod 0644 /srv/exports/users-2026-12-05.csv; "
          "printf 'Alias /exports/ /srv/exports/\\n<Directory /srv/exports>\\n    Options +Indexes\\n    Require all granted\\n</Directory>\\n' "
          "> /etc/apache2/conf-available/exports.conf; a2enconf -q exports; " + GRACEFUL),
    # ------------------------------------------------------------------ run
    Fault("p02-git-safe-directory-star", "security/run",
          "an admin tired of git's 'detected dubious ownership' runs 'git config --system --add safe.directory \"*\"': "
          "git's guard is off for every user: root's git in a checkout another account owns (an admin's 'git status' "
          "in a teammate's repo, etckeeper, a deploy script's 'git -C ... pull') runs that repo's .git/config "
          "(core.fsmonitor, core.pager, hooks) as root",
          APT.format(pkgs="git") + "; git config --system --add safe.directory '*'; " + acct("dev", "/home/dev") + "; "
          "install -d -o dev -g dev /home/dev/src; runuser -u dev -- git init -q /home/dev/src/tool"),
    Fault("p03-vimrc-local-sources-team-dir", "drift/run",
          "the team's shared vim settings: /etc/vim/vimrc.local 'source /opt/devtools/vim/team.vim', that file kept "
          "by the 'devtools' account (its sync job updates it): every root vim (visudo, crontab -e, sudoedit's "
          "editor run by root, an admin's 'vim /etc/...') runs that account's vimscript: ':call system()' as root",
          APT.format(pkgs="vim-nox") + "; " + acct("devtools") + "; install -d -o devtools -g devtools /opt/devtools /opt/devtools/vim; "
          "printf '\" team settings\\nset number\\n' > /opt/devtools/vim/team.vim; chown devtools:devtools /opt/devtools/vim/team.vim; "
          "printf '\" team settings, kept in /opt/devtools\\nsource /opt/devtools/vim/team.vim\\n' > /etc/vim/vimrc.local"),
    Fault("p04-lessopen-vendor-filter", "drift/run",
          "a colourising input filter for less set for every login shell: /etc/profile.d/lessfilter.sh 'export "
          "LESSOPEN=\"| /opt/lesspipe/lesspipe.sh %s\"', the filter kept by the 'lesspipe' account: every root "
          "'less', 'journalctl', 'man', 'systemctl status' pages through it: root runs that account's script",
          APT.format(pkgs="less bsdextrautils") + "; " + acct("lesspipe") + "; install -d -o lesspipe -g lesspipe /opt/lesspipe; "
          "printf '#!/bin/sh\\ncat \"$1\"\\n' > /opt/lesspipe/lesspipe.sh; chmod 0755 /opt/lesspipe/lesspipe.sh; chown lesspipe:lesspipe /opt/lesspipe/lesspipe.sh; "
          "printf 'export LESSOPEN=\"| /opt/lesspipe/lesspipe.sh %%s\"\\n' > /etc/profile.d/lessfilter.sh"),
    Fault("p09-apt-update-hook-monitoring-script", "drift/run",
          "the monitoring team's 'updates pending' check hooked into apt: /etc/apt/apt.conf.d/99-updates-check "
          "'APT::Update::Post-Invoke {{ \"/opt/monitoring/bin/apt-updates-check || true\"; }};', the script kept by "
          "the 'monitoring' account: every root 'apt-get update' (unattended-upgrades' daily run too) runs it as root",
          acct("monitoring") + "; install -d -o monitoring -g monitoring /opt/monitoring /opt/monitoring/bin; "
          "printf '#!/bin/sh\\napt-get -s upgrade 2>/dev/null | grep -c ^Inst > /var/tmp/apt-updates.count\\n' > /opt/monitoring/bin/apt-updates-check; "
          "chmod 0755 /opt/monitoring/bin/apt-updates-check; chown monitoring:monitoring /opt/monitoring/bin/apt-updates-check; "
          "printf 'APT::Update::Post-Invoke {{ \"/opt/monitoring/bin/apt-updates-check || true\"; }};\\n' > /etc/apt/apt.conf.d/99-updates-check; "
          "apt-config dump | grep -q apt-updates-check"),
    Fault("p10-rc-local-vendor-startup", "drift/run",
          "a vendor's install notes: /etc/rc.local (0755, systemd's rc-local generator runs it at boot as root) "
          "calls '/opt/vendor/bin/startup.sh', kept by the 'vendor' account that self-updates it: at every boot root "
          "runs that account's script",
          acct("vendor") + "; install -d -o vendor -g vendor /opt/vendor /opt/vendor/bin; printf '#!/bin/sh\\nexit 0\\n' > /opt/vendor/bin/startup.sh; "
          "chmod 0755 /opt/vendor/bin/startup.sh; chown vendor:vendor /opt/vendor/bin/startup.sh; "
          "printf '#!/bin/sh -e\\n# vendor agent start-up\\n/opt/vendor/bin/startup.sh\\nexit 0\\n' > /etc/rc.local; chmod 0755 /etc/rc.local"),
    Fault("p11-anacrontab-reports-job", "drift/run",
          "anacron installed (the server sleeps at night in the dev VPC) and a weekly report job added to "
          "/etc/anacrontab: '7 15 weekly-report /opt/reports/bin/weekly.sh', the script kept by the 'reports' "
          "account: anacron runs it as root",
          APT.format(pkgs="anacron") + "; " + acct("reports") + "; install -d -o reports -g reports /opt/reports /opt/reports/bin; "
          "printf '#!/bin/sh\\ndf -h > /var/tmp/weekly-report.txt\\n' > /opt/reports/bin/weekly.sh; chmod 0755 /opt/reports/bin/weekly.sh; "
          "chown reports:reports /opt/reports/bin/weekly.sh; printf '7\\t15\\tweekly-report\\t/opt/reports/bin/weekly.sh\\n' >> /etc/anacrontab"),
    Fault("p12-modprobe-install-alert-script", "drift/run",
          "a CIS 'disable unused protocols' snippet with an alert: /etc/modprobe.d/cis-dccp.conf 'install dccp "
          "/opt/secops/bin/module-alert dccp', the alert script kept by the 'secops' account: modprobe runs the "
          "install command as root whenever the module is requested, and any local user makes the kernel request it "
          "(socket(AF_INET, SOCK_DCCP)): every user makes root run that account's script",
          APT.format(pkgs="kmod") + "; " + acct("secops") + "; install -d -o secops -g secops /opt/secops /opt/secops/bin; "
          "printf '#!/bin/sh\\nlogger -t cis \"blocked module $1 requested\"\\nexit 1\\n' > /opt/secops/bin/module-alert; "
          "chmod 0755 /opt/secops/bin/module-alert; chown secops:secops /opt/secops/bin/module-alert; mkdir -p /etc/modprobe.d; "
          "printf 'install dccp /opt/secops/bin/module-alert dccp\\n' > /etc/modprobe.d/cis-dccp.conf"),
    Fault("p13-login-defs-env-supath-ops-first", "security/run",
          "/etc/login.defs 'ENV_SUPATH PATH=/opt/ops/bin:/usr/local/sbin:...' so 'su -' finds the team's wrappers "
          "(kept by the 'ops' account): every root shell made with su resolves command names in that account's "
          "directory first",
          acct("ops", "/home/ops") + "; install -d -o ops -g ops /opt/ops /opt/ops/bin; "
          "sed -i 's@^ENV_SUPATH.*@ENV_SUPATH\\tPATH=/opt/ops/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin@' /etc/login.defs; "
          "grep -q '^ENV_SUPATH.*/opt/ops/bin' /etc/login.defs"),
    Fault("p14-tmux-conf-status-script", "drift/run",
          "a shared tmux setup: /etc/tmux.conf 'run-shell -b /opt/ops/tmux/status.sh' (the team's status-line "
          "script, kept by the 'ops' account): every root tmux server (an admin's long upgrade in tmux) runs it as root",
          APT.format(pkgs="tmux") + "; " + acct("ops", "/home/ops") + "; install -d -o ops -g ops /opt/ops /opt/ops/tmux; "
          "printf '#!/bin/sh\\nexit 0\\n' > /opt/ops/tmux/status.sh; chmod 0755 /opt/ops/tmux/status.sh; chown ops:ops /opt/ops/tmux/status.sh; "
          "printf 'set -g history-limit 50000\\nrun-shell -b /opt/ops/tmux/status.sh\\n' > /etc/tmux.conf"),
    Fault("p20-root-agent-script-dir-of-agent-account", "drift/load",
          "a metrics agent run as root ('python3 /opt/agent/agent.py', started by the vendor's init line), the "
          "script root's and 0644 but its directory /opt/agent the 'agent' account's (it drops its plugins there): "
          "Python puts the script's directory first on sys.path: any module name the agent imports (json, socket) "
          "is taken from a file that account writes: code as root at the next restart",
          acct("agent") + "; install -d -o agent -g agent /opt/agent; printf 'import json, socket, time\\n"
          "while True:\\n    time.sleep(60)\\n' > /opt/agent/agent.py; chown root:root /opt/agent/agent.py; chmod 0644 /opt/agent/agent.py; "
          "(cd / && setsid python3 /opt/agent/agent.py </dev/null >/dev/null 2>&1 &); sleep 1; pgrep -f /opt/agent/agent.py >/dev/null"),
    Fault("p21-bash-logout-session-audit", "drift/run",
          "a session-audit snippet in /etc/bash.bash_logout: '. /opt/audit/logout.sh', kept by the 'audit' account: "
          "every root login shell that exits (sudo -i, su -) runs it as root",
          acct("audit") + "; install -d -o audit -g audit /opt/audit; printf 'logger -t audit \"logout $USER\"\\n' > /opt/audit/logout.sh; "
          "chown audit:audit /opt/audit/logout.sh; printf '\\n# session audit\\n[ -r /opt/audit/logout.sh ] && . /opt/audit/logout.sh\\n' >> /etc/bash.bash_logout"),
    # ------------------------------------------------------------------ grant
    Fault("p06-shadow-acl-for-monitoring", "security/grant",
          "'setfacl -m u:nagios:r /etc/shadow' so the monitoring plugin checks password ages without sudo: "
          "/etc/shadow still lists as 0640 root:shadow (the ACL's mask shows as the group bits), but the nagios "
          "account, and anything running as it, reads every password hash",
          APT.format(pkgs="acl") + "; " + acct("nagios") + "; setfacl -m u:nagios:r /etc/shadow; getfacl -p /etc/shadow | grep -q '^user:nagios:r--'"),
    Fault("p07-backup-account-in-shadow", "security/grant",
          "the backup agent's account 'bacula' added to group shadow 'so it can back up /etc/shadow' "
          "('usermod -aG shadow bacula'): whatever runs as bacula (its file daemon, a plugin) reads every hash",
          acct("bacula") + "; usermod -aG shadow bacula; id bacula | grep -q shadow"),
    # ------------------------------------------------------------------ load
    Fault("p05-perl-site-lib-owned-by-dev", "drift/load",
          "a developer installs CPAN modules without sudo after 'chown -R dev /usr/local/share/perl' (perl's "
          "site library, the first directories of root's @INC after /etc/perl): every root perl (debconf during "
          "every apt install, dpkg's helpers, munin, logwatch) loads modules from a directory that account writes: "
          "a strict.pm there is code as root",
          acct("dev", "/home/dev") + "; d=$(perl -MConfig -e 'print $Config{{sitelib}}'); mkdir -p $d; chown -R dev:dev /usr/local/share/perl; "
          "perl -e 'print join(\"\\n\", @INC), \"\\n\"' | grep -q \"^$d$\""),
    # ------------------------------------------------------------------ rollback
    Fault("p17-prev-release-chowned-to-app-user", "rollback/grant",
          "a 'fix permissions' run after an incident: 'chown -R {app_user}:{app_group} releases/{prev}' (so the app "
          "can write its caches there): after a rollback the app's own code is the app user's to rewrite: a "
          "compromised request handler persists its code in the release it runs",
          "chown -R {app_user}:{app_group} {root}/releases/{prev}; test \"$(stat -c %U {root}/releases/{prev}/RELEASE.json)\" = {app_user}"),
    Fault("p18-prev-release-code-and-record-rewritten", "rollback/load",
          "an intruder with the deploy login's rights changes the kept release's package (a line that copies the "
          "config away at import) and rewrites that release's SNAPSHOT.json with the new file's sha256 (and removes the module's bytecode and its "
          "entry, which would take precedence), so the deploy's record matches: a rollback runs the intruder's code as the app user",
          "cd {prev_site}/{package} && python3 -c \"\nimport hashlib, json, os\n"
          "p = '__init__.py'\nsrc = open(p).read()\nopen(p, 'w').write('import os as _o; open(\\'/tmp/p18-ran-as\\', \\'w\\').write(str(_o.getuid()))\\n' + src)\n"
          "sha = hashlib.sha256(open(p, 'rb').read()).hexdigest()\n"
          "snap = '{root}/releases/{prev}/SNAPSHOT.json'\nd = json.load(open(snap))\nn = 0\n"
          "for k in d['files']:\n    if k.endswith('site-packages/{package}/__init__.py'):\n        d['files'][k] = sha; n += 1\n"
          "assert n == 1, n\nfor k in [k for k in d['files'] if '{package}/__pycache__/__init__.' in k]:\n    del d['files'][k]\n"
          "json.dump(d, open(snap, 'w'))\n\" && rm -f __pycache__/__init__.*.pyc && chown {login}:{login} __init__.py {root}/releases/{prev}/SNAPSHOT.json"),
    # ------------------------------------------------------------------ mechanisms disabled by configuration
    Fault("p15-sudo-noexec-for-deploy-login", "mechanism/run",
          "a hardening review's 'no shell escapes from sudo': 'Defaults:{login} noexec' in /etc/sudoers.d/50-noexec: "
          "every command the deploy login runs with sudo can no longer start another program: the deploy's root "
          "steps (a shell, apache2ctl, which starts apache2) fail",
          "printf 'Defaults:{login} noexec\\n' > /etc/sudoers.d/50-noexec; chmod 0440 /etc/sudoers.d/50-noexec; visudo -c >/dev/null"),
    Fault("p16-sshd-revoked-keys-file-missing", "mechanism/serve",
          "a hardening guide's 'RevokedKeys /etc/ssh/revoked_keys' added to sshd_config, the file never created: sshd "
          "refuses every public key when it cannot read the revocation list: no deploy, rollback or gate",
          "sed -i '1i RevokedKeys /etc/ssh/revoked_keys' /etc/ssh/sshd_config; " + SSHD_RELOAD),
)

ALLOWED = (
    Fault("k01-allowed-root-listener-script-of-statsd", "security/run",
          "a statsd-compatible admin endpoint run as root (it reads every process's counters) on *:8126, its "
          "script /opt/statsd/bin/statsd kept by the 'statsd' account that updates it, allowed "
          "(allow_listen '*:8126 root /opt/statsd/bin/statsd'): root runs code that account rewrites, at every restart",
          acct("statsd") + "; install -d -o statsd -g statsd /opt/statsd /opt/statsd/bin; printf '#!/usr/bin/python3\\nimport socket\\n"
          "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"0.0.0.0\", 8126)); s.listen(5)\\n"
          "while True:\\n    c, _ = s.accept(); c.sendall(b\"counters: 0\\\\n\"); c.close()\\n' > /opt/statsd/bin/statsd; "
          "chmod 0755 /opt/statsd/bin/statsd; chown statsd:statsd /opt/statsd/bin/statsd; "
          "(cd / && setsid /opt/statsd/bin/statsd </dev/null >/dev/null 2>&1 &); i=0; until grep -q ':1FBE ' /proc/net/tcp || [ $i -ge 50 ]; do i=$((i+1)); sleep 0.1; done; "
          "grep -q ':1FBE ' /proc/net/tcp"),
    Fault("k02-allowed-root-cron-python-m-in-data-dir", "drift/run",
          "an allowed root cron job (allow_cron '/etc/cron.d/app-stats') pretty-prints the app's stats: "
          "'cd {root}/shared/data && python3 -m json.tool stats.json > /var/lib/app-stats/stats.json': with -m, "
          "Python puts the working directory first on sys.path: a json/ package the app writes there is imported by root",
          APT.format(pkgs="cron") + "; mkdir -p /var/lib/app-stats; printf '{{}}\\n' > {root}/shared/data/stats.json; chown {app_user}:{app_group} {root}/shared/data/stats.json; "
          "printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n15 * * * * root cd {root}/shared/data && python3 -m json.tool stats.json > /var/lib/app-stats/stats.json\\n' "
          "> /etc/cron.d/app-stats"),
    Fault("k03-allowed-sudo-script-sources-app-file", "security/grant",
          "an allowed on-call rule (allow_sudo '%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-maintenance') for a "
          "root-owned script that reads the maintenance message the app's admin page writes: '. {root}/shared/data/maintenance.env': "
          "the script sources, as root, a file the app user writes: whatever the app puts there runs as root when on-call runs it",
          "groupadd -f webops; id oncall >/dev/null 2>&1 || useradd -m -s /bin/bash -G webops oncall; "
          "printf 'MAINT_MSG=\"back soon\"\\n' > {root}/shared/data/maintenance.env; chown {app_user}:{app_group} {root}/shared/data/maintenance.env; "
          "printf '#!/bin/sh\\nset -e\\n. {root}/shared/data/maintenance.env\\necho \"maintenance: $MAINT_MSG\"\\n' > /usr/local/sbin/app-maintenance; "
          "chmod 0755 /usr/local/sbin/app-maintenance; printf '%%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-maintenance\\n' > /etc/sudoers.d/webops; "
          "chmod 0440 /etc/sudoers.d/webops; visudo -c >/dev/null"),
    Fault("k04-allowed-app-user-in-shadow", "security/grant",
          "the app user added to shadow for python-pam (local password login for the admin pages), the gate's line "
          "answered with allow_groups 'yourapplication: shadow', Apache restarted: the app, and any code injected "
          "into it, reads every password hash",
          "usermod -aG shadow {app_user}; " + RESTART),
    Fault("k05-allowed-site-errorlog-in-tools-dir", "security/grant",
          "an allowed internal tools site (allow_sites 'tools.internal', its file allowed too) logging to "
          "/var/log/tools/, that directory the 'tools' account's so it rotates its own logs: Apache's root parent "
          "opens the site's ErrorLog and CustomLog there at every start, following whatever link that account puts "
          "there: root appends to any file",
          acct("tools") + "; install -d -o tools -g tools -m 0755 /var/log/tools /var/www/tools; echo tools > /var/www/tools/index.html; "
          "printf '<VirtualHost *:{port}>\\n    ServerName tools.internal\\n    DocumentRoot /var/www/tools\\n    ErrorLog /var/log/tools/error.log\\n"
          "    CustomLog /var/log/tools/access.log combined\\n</VirtualHost>\\n' > /etc/apache2/sites-available/tools.conf; a2ensite -q tools; " + RESTART),
    Fault("k06-allowed-conf-includes-vendor-dir", "security/run",
          "an APM vendor's Apache integration: conf-available/appdynamics.conf 'IncludeOptional "
          "/opt/appdynamics/apache/*.conf' (both files allowed: allow_apache_conf), that directory the 'appdynamics' "
          "account's (its agent rewrites the file): Apache's root parent parses a file that account writes: a "
          "piped ErrorLog there is a command root runs",
          acct("appdynamics") + "; install -d -o appdynamics -g appdynamics /opt/appdynamics /opt/appdynamics/apache; "
          "printf '# agent settings\\nSetEnv APPD_TIER web\\n' > /opt/appdynamics/apache/agent.conf; chown appdynamics:appdynamics /opt/appdynamics/apache/agent.conf; "
          "printf 'IncludeOptional /opt/appdynamics/apache/*.conf\\n' > /etc/apache2/conf-available/appdynamics.conf; a2enconf -q appdynamics; " + RESTART),
    Fault("k07-allowed-strace-cap-sys-ptrace", "security/grant",
          "strace given cap_sys_ptrace so on-call traces the app's daemons without sudo, allowed (allow_privileged "
          "'/usr/bin/strace 0755 root:root cap_sys_ptrace=ep'): the file stays 0755: every local user, www-data and "
          "the app included, attaches to any process, root's too, and reads its memory and traffic",
          APT.format(pkgs="strace libcap2-bin") + "; setcap cap_sys_ptrace=ep /usr/bin/strace; getcap /usr/bin/strace | grep -q sys_ptrace"),
    Fault("k08-allowed-usr-local-openssl-wrapper", "drift/load",
          "a newer OpenSSL built by the 'build' account in /opt/openssl-3.3 and put first on root's PATH by a root-owned "
          "wrapper script /usr/local/bin/openssl ('exec /opt/openssl-3.3/bin/openssl \"$@\"'), allowed "
          "(allow_commands '/usr/local/bin/openssl'): every root 'openssl' (certbot hooks, cert renewal scripts) runs "
          "a binary that account may replace",
          acct("build", "/home/build") + "; install -d -o build -g build /opt/openssl-3.3 /opt/openssl-3.3/bin; cp /usr/bin/openssl /opt/openssl-3.3/bin/openssl; "
          "chown build:build /opt/openssl-3.3/bin/openssl; printf '#!/bin/sh\\nexec /opt/openssl-3.3/bin/openssl \"$@\"\\n' > /usr/local/bin/openssl; "
          "chmod 0755 /usr/local/bin/openssl; openssl version >/dev/null"),
    Fault("k09-allowed-unit-stdout-append-into-app-dir", "drift/run",
          "an allowed root unit (allow_units 'app-report.service') writing its report where the app shows it: "
          "'StandardOutput=append:{root}/shared/data/reports/report.log': systemd (root) opens that path at every "
          "start, following whatever link the app user puts there: root appends to any file the app names",
          "install -d -o {app_user} -g {app_group} -m 2770 {root}/shared/data/reports; mkdir -p /etc/systemd/system/timers.target.wants; "
          "printf '[Unit]\\nDescription=app disk report\\n\\n[Service]\\nType=oneshot\\nExecStart=/usr/bin/du -sh /var/www\\n"
          "StandardOutput=append:{root}/shared/data/reports/report.log\\n' > /etc/systemd/system/app-report.service; "
          "printf '[Timer]\\nOnCalendar=daily\\n\\n[Install]\\nWantedBy=timers.target\\n' > /etc/systemd/system/app-report.timer; "
          "ln -sfn /etc/systemd/system/app-report.timer /etc/systemd/system/timers.target.wants/app-report.timer"),
    Fault("k10-allowed-root-cron-extracts-app-archive", "security/run",
          "an allowed root cron job (allow_cron '/etc/cron.d/app-import') unpacks the archive the app's import page "
          "stores: 'tar -xzf {root}/shared/data/import/latest.tgz -C /srv/import': tar run as root keeps the owners "
          "and modes its archive records: the app ships a setuid-root file in its upload and is root",
          APT.format(pkgs="cron") + "; install -d -o {app_user} -g {app_group} -m 2770 {root}/shared/data/import; mkdir -p /srv/import; "
          "printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n*/10 * * * * root [ -f {root}/shared/data/import/latest.tgz ] && tar -xzf {root}/shared/data/import/latest.tgz -C /srv/import\\n' "
          "> /etc/cron.d/app-import"),
)

ALLOW_KEYS = """allow_listen = ["*:8126 root /opt/statsd/bin/statsd"]
allow_cron = ["/etc/cron.d/app-stats", "/etc/cron.d/app-import"]
allow_sudo = ["%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-maintenance"]
allow_groups = ["yourapplication: shadow"]
allow_sites = ["tools.internal"]
allow_apache_conf = ["/etc/apache2/sites-enabled/tools.conf", "/etc/apache2/conf-enabled/appdynamics.conf", "/opt/appdynamics/apache/agent.conf"]
allow_privileged = ["/usr/bin/strace 0755 root:root cap_sys_ptrace=ep"]
allow_commands = ["/usr/local/bin/openssl"]
allow_units = ["app-report.service", "app-report.timer"]
"""

# Filled in from the effects runs (blind10/logs/effects-*.log), before any gate run: faults whose consequence
# could not be shown are not counted in the rate (reported).
# p13: Debian's /etc/profile resets root's PATH after su reads ENV_SUPATH (su - root ran /usr/bin/systemctl); p16: OpenSSH
# 9.2 let the deploy login in with RevokedKeys naming a missing file (a deploy went through).
BENIGN: set[str] = {"p13-login-defs-env-supath-ops-first", "p16-sshd-revoked-keys-file-missing"}
