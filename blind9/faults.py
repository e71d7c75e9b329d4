"""Ninth blind round (blind9): realistic drift, security regressions, broken rollback targets and mechanisms
disabled by configuration, by mechanisms none of the earlier rounds' fault files used (blind7 e*/w*, blind7s
s*/r*/m*/a*, blind8 h*/k*, and the mechanisms their reports list for the rounds before).

Written before reading deploytests/verify/**, deploytests/faults/catalogue.py's faults, docs/promises.md or the
tests that inject faults: from README's gate section, docs/architecture.md's outline, deploytests/faults/run.py,
an explore container of the campaign's snapshot (sshd: no Include, UsePAM no, PermitRootLogin no, Subsystem sftp
internal-sftp, run by the entrypoint as the container's main process; no systemd, cron, acl or less; the app user's
home is the app's root; the app's code is in each release's venv site-packages, its sources dated 1970), and what an
operator, a package, a hardening guide (DevSec ssh/linux, CIS Apache/Debian, ssh-audit) or an intruder does to a
live Debian Apache + mod_wsgi server deployed by deploytests.

Each fault is a shell script run as root on a container of the campaign's deployed snapshot (live release + one
previous release), as ``deploytests.faults.run.Campaign`` injects its own. Placeholders (the campaign's values):
{root} {app_user} {app_group} {login} {live} {prev} {site} {prev_site} {python_version} {config} {vhost}
{package} {server_name} {port} (literal braces doubled).

``promise`` is ``KIND/AREA``: KIND drift (an operator's or a package's change), security (a control of the
baselines broken, or an intruder's persistence), rollback (a kept release a rollback would switch to that would
not work, or would run other code), mechanism (what a deploy, a rollback or the gate relies on, disabled by
configuration); AREA what it touches: serve, run, grant or load.

Each fault says its consequence; ``blind9/effects9.py`` shows it on a fresh container (BENIGN: none shown, not
counted). ``ALLOWED`` faults hide behind an allowance the operator wrote for something else: run them with
``ALLOW_KEYS``.
"""
from deploytests.faults.catalogue import Fault

RESTART = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); "
           "done; apache2ctl start; sleep 1; pgrep -x apache2 >/dev/null")
GRACEFUL = "apache2ctl graceful; sleep 1"
APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
# sshd is the container's main process ('/usr/sbin/sshd -D -e'): SIGHUP re-executes it with the new
# configuration, as 'systemctl reload ssh' does; checked first, as the unit's ExecReload does
SSHD_RELOAD = "/usr/sbin/sshd -t; kill -HUP $(pgrep -o -x sshd); sleep 1; pgrep -x sshd >/dev/null"
HOME = "l=$(getent passwd {login} | cut -d: -f6)"
PREV_PKG = "{prev_site}/{package}"


PLAIN = (
    # ------------------------------------------------------------------ serve
    Fault("h01-apache-forward-proxy-for-build-agents", "security/serve",
          "mod_proxy + mod_proxy_http enabled and a conf-enabled/forward-proxy.conf with 'ProxyRequests On' so the "
          "build agents can fetch through this host (CIS Apache: disable proxy modules unless needed; no <Proxy> "
          "block restricts it): anyone who reaches port 80 uses the server as an open proxy, to the internet and to "
          "everything only this host may reach: its loopback services, the VPC's internal hosts, the metadata service",
          "a2enmod -q proxy proxy_http; printf '# build agents fetch through this host (internal mirror access)\\n"
          "ProxyRequests On\\nProxyVia On\\n' > /etc/apache2/conf-available/forward-proxy.conf; a2enconf -q forward-proxy; "
          + RESTART),
    Fault("h02-userdir-enabled-for-intern-docs", "drift/serve",
          "'a2enmod userdir' so an intern can publish the API docs from ~/public_html: every local account serves "
          "its own HTML and scripts on the app's origin (/~intern/), where the app's cookies and same-origin "
          "requests are theirs to use",
          "a2enmod -q userdir; useradd -m -s /bin/bash intern; install -d -o intern -g intern -m 0755 /home/intern/public_html; "
          "printf '<html><body><h1>API docs</h1></body></html>\\n' > /home/intern/public_html/index.html; "
          "chown intern:intern /home/intern/public_html/index.html; chmod 0711 /home/intern; " + GRACEFUL),
    # ------------------------------------------------------------------ run
    Fault("h03-pager-alternative-in-tools-opt", "drift/run",
          "bat installed from its release tarball into /opt/bat by the 'tools' account and registered as the "
          "system pager ('update-alternatives --install /usr/bin/pager pager /opt/bat/bin/bat 200'): every root "
          "'systemctl status', 'journalctl', 'man', 'git log' pages through /usr/bin/pager: root runs a binary that "
          "account may replace",
          "useradd -m -s /bin/bash tools; install -d -o tools -g tools /opt/bat /opt/bat/bin; cp /usr/bin/more /opt/bat/bin/bat; "
          "chown tools:tools /opt/bat/bin/bat; update-alternatives --install /usr/bin/pager pager /opt/bat/bin/bat 200 >/dev/null; "
          "test \"$(readlink -f /usr/bin/pager)\" = /opt/bat/bin/bat"),
    Fault("h04-ssh-client-match-exec-bastion-script", "drift/run",
          "/etc/ssh/ssh_config.d/20-bastion.conf: 'Match exec \"/opt/bastion/bin/off-vpn\"' then ProxyJump through "
          "the bastion when the VPN is down; the script kept in /opt/bastion by the 'bastion' account that syncs "
          "it: every ssh, scp, rsync-over-ssh or git-over-ssh root runs (backups, an admin's hop) runs that "
          "account's script as root first",
          "useradd -r -m -d /var/lib/bastion -s /bin/sh bastion; install -d -o bastion -g bastion /opt/bastion /opt/bastion/bin; "
          "printf '#!/bin/sh\\n# exit 0 when the office VPN is down\\nip route get 10.20.0.1 >/dev/null 2>&1 && exit 1\\nexit 0\\n' "
          "> /opt/bastion/bin/off-vpn; chown bastion:bastion /opt/bastion/bin/off-vpn; chmod 0755 /opt/bastion/bin/off-vpn; "
          "mkdir -p /etc/ssh/ssh_config.d; printf 'Match exec \"/opt/bastion/bin/off-vpn\"\\n    ProxyJump bastion.example.com\\n' "
          "> /etc/ssh/ssh_config.d/20-bastion.conf"),
    Fault("h05-root-bashrc-sources-app-env", "drift/run",
          "the app's environment file {root}/shared/app.env (the deploy login's, for the app's manage commands) "
          "sourced from root's own ~/.bashrc ('set -a; . {root}/shared/app.env') so an admin's 'sudo -i' has the "
          "app's settings: every interactive root shell runs, as shell code, a file the deploy login writes",
          "printf 'APP_ENV=production\\nAPP_CONFIG={config}\\n' > {root}/shared/app.env; chown {login}:{app_group} {root}/shared/app.env; "
          "chmod 0640 {root}/shared/app.env; printf '\\n# the app settings, for manage commands as root\\n"
          "[ -f {root}/shared/app.env ] && {{ set -a; . {root}/shared/app.env; set +a; }}\\n' >> /root/.bashrc"),
    Fault("h06-profile-d-acl-for-ops", "security/run",
          "acl installed and 'setfacl -m u:ops:rwx /etc/profile.d' so the ops account can drop its prompt and "
          "proxy snippets without root (the directory still lists as root's): every root login shell (sudo -i, "
          "su -, a console login) sources whatever file that account puts there",
          APT.format(pkgs="acl") + "; useradd -m -s /bin/bash ops; setfacl -m u:ops:rwx /etc/profile.d; "
          "getfacl -p /etc/profile.d | grep -q '^user:ops:rwx'"),
    Fault("h07-sudo-secure-path-ops-dir-first", "security/run",
          "a sudoers.d snippet 'Defaults secure_path=\"/opt/ops/bin:/usr/local/sbin:...\"' so the team's wrappers "
          "(kept by the 'ops' account in /opt/ops/bin) are found under sudo: every command any sudo rule runs by "
          "name (an admin's 'sudo apt-get', 'sudo systemctl', the deploy login's 'sudo id') resolves there first: "
          "root runs what that account puts in its directory",
          "useradd -m -s /bin/bash ops; install -d -o ops -g ops /opt/ops /opt/ops/bin; printf '# team wrappers first\\n"
          "Defaults secure_path=\"/opt/ops/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\\n' "
          "> /etc/sudoers.d/10-ops-path; chmod 0440 /etc/sudoers.d/10-ops-path; visudo -c >/dev/null"),
    # ------------------------------------------------------------------ grant
    Fault("h08-app-user-in-shadow-for-pam-login", "drift/grant",
          "the app user added to group shadow 'so the app can check local users' passwords' (python-pam / "
          "pam_unix reads /etc/shadow), Apache restarted so the daemons get the group: the app, and any code "
          "running in it, reads every account's password hash",
          "usermod -aG shadow {app_user}; id {app_user} | grep -q shadow; " + RESTART),
    Fault("h09-www-data-in-app-group-for-xsendfile", "drift/grant",
          "www-data added to the app's group in /etc/group ('usermod -aG {app_group} www-data') so Apache can "
          "serve the app's uploads with X-Sendfile, Apache restarted: Apache's workers, which serve every site "
          "and run every module, now read the app's config (0640, group {app_group}: SECRET_KEY) and write its data",
          "usermod -aG {app_group} www-data; id www-data | grep -q '({app_group})'; " + RESTART),
    Fault("h10-config-acl-for-www-data", "security/grant",
          "acl installed and 'setfacl -m u:www-data:r {config}' (and u:www-data:x on shared/, to reach it) so a status page served by Apache can show the "
          "app's settings: the config still lists as 0640 {login}:{app_group}, but Apache's workers (every site, "
          "every module) read SECRET_KEY",
          APT.format(pkgs="acl") + "; setfacl -m u:www-data:x {root}/shared; setfacl -m u:www-data:r {config}; getfacl -p {config} | grep -q '^user:www-data:r--'"),
    Fault("h12-sshd-authorized-keys-file-extra-global", "security/grant",
          "an intruder's persistence: sshd's AuthorizedKeysFile given a second, global file "
          "('AuthorizedKeysFile .ssh/authorized_keys /usr/share/misc/.kbd-cache', the same file for every user, "
          "root's and 0644 so StrictModes passes) holding the intruder's key: that key logs in as any account "
          "sshd lets in, the deploy login (passwordless sudo) included, and no user's own authorized_keys shows it",
          "ssh-keygen -q -t ed25519 -N '' -C backup@nas01 -f /root/.h12-intruder; cp /root/.h12-intruder.pub /usr/share/misc/.kbd-cache; "
          "chmod 0644 /usr/share/misc/.kbd-cache; "
          "sed -i 's@^AuthorizedKeysFile.*@AuthorizedKeysFile .ssh/authorized_keys /usr/share/misc/.kbd-cache@' /etc/ssh/sshd_config; "
          "grep -q '^AuthorizedKeysFile .ssh/authorized_keys /usr/share/misc/.kbd-cache$' /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("h14-su-pam-wheel-trust-adm", "security/grant",
          "Debian's commented 'auth sufficient pam_wheel.so trust' line in /etc/pam.d/su uncommented with "
          "'group=adm' so the on-call engineers (in adm for the logs) su to root without a password; the "
          "on-call account 'oncall' in adm: every member of adm, a group that reads logs and nothing more by "
          "itself, is root with 'su'",
          "sed -i 's/^# *auth *sufficient *pam_wheel.so trust$/auth       sufficient pam_wheel.so trust group=adm/' /etc/pam.d/su; "
          "grep -q '^auth *sufficient pam_wheel.so trust group=adm$' /etc/pam.d/su; useradd -m -s /bin/bash -G adm oncall"),
    # ------------------------------------------------------------------ load
    Fault("h15-systemd-default-environment-otel-pythonpath", "drift/load",
          "OpenTelemetry's Python auto-instrumentation set up machine-wide: /etc/systemd/system.conf.d/otel.conf "
          "'DefaultEnvironment=\"PYTHONPATH=/opt/otel/autoinstrumentation\"', that directory the 'otel' account's "
          "(its agent updates it): every service systemd starts, root's included (unattended-upgrades, "
          "certbot, an admin's python units), imports the sitecustomize that account writes there",
          "useradd -r -m -d /var/lib/otel -s /usr/sbin/nologin otel; install -d -o otel -g otel /opt/otel /opt/otel/autoinstrumentation; "
          "printf '# opentelemetry auto-instrumentation bootstrap\\n' > /opt/otel/autoinstrumentation/sitecustomize.py; "
          "chown otel:otel /opt/otel/autoinstrumentation/sitecustomize.py; mkdir -p /etc/systemd/system.conf.d; "
          "printf '[Manager]\\nDefaultEnvironment=\"PYTHONPATH=/opt/otel/autoinstrumentation\" \"OTEL_SERVICE_NAME=web\"\\n' "
          "> /etc/systemd/system.conf.d/otel.conf"),
    Fault("h16-root-user-site-editable-from-deploy-home", "drift/load",
          "an ops CLI installed for root with 'pip install --user -e ~{login}/src/opscli' (editable, from the deploy "
          "login's checkout): root's user site /root/.local/lib/python{python_version}/site-packages gets a .pth naming "
          "that checkout: every root python3 has the deploy login's directory on sys.path, and imports its "
          "usercustomize.py at start-up",
          HOME + "; install -d -o {login} -g {login} $l/src $l/src/opscli $l/src/opscli/opscli; "
          "printf 'def main():\\n    print(\"opscli\")\\n' > $l/src/opscli/opscli/__init__.py; chown -R {login}:{login} $l/src; "
          "d=/root/.local/lib/python{python_version}/site-packages; mkdir -p $d; printf '%s\\n' \"$l/src/opscli\" > $d/__editable__.opscli-0.1.pth; "
          "python3 -c 'import opscli' "),
    Fault("h17-wsgi-import-script-apm-agent", "drift/load",
          "an APM vendor's mod_wsgi instructions followed: a site file zz-yourapplication-apm.conf (after the app's: the daemon group is defined there) with "
          "'WSGIImportScript /opt/apm/bootstrap.py process-group={app_user} application-group=%{{GLOBAL}}' (the "
          "agent's bootstrap, kept in /opt/apm by the 'apm' account that updates it): at every daemon start the "
          "app's own process runs that account's script as the app user: it reads the config and every request",
          "useradd -r -m -d /var/lib/apm -s /usr/sbin/nologin apm; install -d -o apm -g apm /opt/apm; "
          "printf '# apm agent bootstrap\\nimport os\\nos.environ.setdefault(\"APM_SERVICE\", \"web\")\\n' > /opt/apm/bootstrap.py; "
          "chown apm:apm /opt/apm/bootstrap.py; printf 'WSGIImportScript /opt/apm/bootstrap.py process-group={app_user} "
          "application-group=%%{{GLOBAL}}\\n' > /etc/apache2/sites-available/zz-yourapplication-apm.conf; a2ensite -q zz-yourapplication-apm; "
          + RESTART),
    Fault("h18-apache-loadfile-oracle-client", "drift/load",
          "Oracle's instant client unpacked into /opt/oracle by the 'oracle' account and loaded into Apache for the "
          "app's database driver ('LoadFile /opt/oracle/instantclient_21/libclntsh.so.21.1' in conf-enabled, as "
          "the driver's how-to says for mod_wsgi): Apache's root parent maps, at every start, a library that "
          "account may replace",
          "useradd -r -m -d /var/lib/oracle -s /bin/sh oracle; install -d -o oracle -g oracle /opt/oracle /opt/oracle/instantclient_21; "
          "cp -L $(ldconfig -p | awk '/libz.so.1 /{{print $NF; exit}}') /opt/oracle/instantclient_21/libclntsh.so.21.1; "
          "chown oracle:oracle /opt/oracle/instantclient_21/libclntsh.so.21.1; "
          "printf '# oracle client for the app database driver\\nLoadFile /opt/oracle/instantclient_21/libclntsh.so.21.1\\n' "
          "> /etc/apache2/conf-available/oracle.conf; a2enconf -q oracle; " + RESTART),
    Fault("h19-python-sitecustomize-adds-vendor-dir", "drift/load",
          "Debian's /etc/python{python_version}/sitecustomize.py (the conffile every python{python_version} imports) "
          "given 'site.addsitedir(\"/opt/newrelic/python\")' for the APM agent, that directory the 'newrelic' "
          "account's: every python3 on the host, root's included, processes the .pth files that account puts "
          "there (a .pth 'import' line runs at start-up)",
          "useradd -r -m -d /var/lib/newrelic -s /usr/sbin/nologin newrelic; install -d -o newrelic -g newrelic /opt/newrelic /opt/newrelic/python; "
          "printf '\\n# APM agent\\nimport site\\nsite.addsitedir(\"/opt/newrelic/python\")\\n' >> /etc/python{python_version}/sitecustomize.py; "
          "python3 -c 'import sys; assert \"/opt/newrelic/python\" in sys.path'"),
    # ------------------------------------------------------------------ rollback
    Fault("h20-prev-release-other-bits-removed", "rollback/grant",
          "a hardening clean-up of 'old releases' ('chmod -R o-rwx releases/{prev}', world-readable files are a "
          "CIS finding): the app user reads its release only through the 'other' bits (the files are "
          "{login}:{login}): a rollback switches to a release the app cannot import: 500s right when it is needed",
          "chmod -R o-rwx {root}/releases/{prev}; test \"$(stat -c %a {root}/releases/{prev})\" = 750"),
    Fault("h21-prev-release-editable-hotfix-checkout-gone", "rollback/load",
          "a hotfix made on the previous release during an incident: its package moved to an editable checkout in "
          "the deploy login's home (a .pth in its site-packages naming ~{login}/hotfix), the checkout removed in a "
          "later home clean-up: the kept release no longer has its code: a rollback fails to import",
          HOME + "; mkdir -p $l/hotfix; cp -a " + PREV_PKG + " $l/hotfix/; rm -rf " + PREV_PKG + "; "
          "printf '%s\\n' \"$l/hotfix\" > {prev_site}/__editable__.{package}-hotfix.pth; chown {login}:{login} {prev_site}/__editable__.{package}-hotfix.pth; "
          "rm -rf $l/hotfix; test ! -e " + PREV_PKG),
    Fault("h22-prev-release-pyc-poisoned", "rollback/load",
          "an intruder's persistence in the kept release: its package's __pycache__/__init__.cpython-*.pyc "
          "replaced by bytecode of other code with the source's recorded mtime and size in its header (the "
          "source untouched): Python takes the .pyc: a rollback runs the intruder's code as the app user",
          "cd " + PREV_PKG + " && python3 -c \"\nimport importlib.util, importlib._bootstrap_external as be, os, sys, marshal\n"
          "src = open('__init__.py').read()\nst = os.stat('__init__.py')\n"
          "evil = 'import os as _o\\nopen(\\'/tmp/h22-ran-as\\', \\'w\\').write(str(_o.getuid()))\\n' + src\n"
          "code = compile(evil, os.path.abspath('__init__.py'), 'exec')\n"
          "data = be._code_to_timestamp_pyc(code, int(st.st_mtime), st.st_size)\n"
          "p = importlib.util.cache_from_source(os.path.abspath('__init__.py'))\n"
          "open(p, 'wb').write(data)\nprint(p)\n\" && chown {login}:{login} __pycache__/*.pyc"),
    Fault("h23-config-copies-cleaned", "rollback/run",
          "a 'stale files' clean-up removing the kept config copies ({root}/.configs/*, 'nobody reads those'): "
          "a rollback no longer has the config its release started with",
          "rm -f {root}/.configs/*; test -z \"$(ls -A {root}/.configs)\""),
    # ------------------------------------------------------------------ mechanisms disabled by configuration
    Fault("h24-sshd-sftp-subsystem-removed", "mechanism/serve",
          "the 'Subsystem sftp' line commented out by a hardening review ('no file transfer on app servers'): "
          "every SFTP session is refused: a deploy that uploads its artifact over SFTP fails",
          "sed -i 's@^Subsystem[[:space:]]*sftp.*@# Subsystem sftp disabled: no file transfer on app servers@' /etc/ssh/sshd_config; "
          "! grep -q '^Subsystem' /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("h25-sshd-no-tcp-forwarding-devsec", "mechanism/serve",
          "DevSec ssh-baseline's 'AllowTcpForwarding no' and 'AllowStreamLocalForwarding no' prepended to "
          "sshd_config: no channel to a port of the server through SSH: a runner that reaches the server's own "
          "ports through its SSH connection (a health check, a probe) fails",
          "sed -i '1i AllowTcpForwarding no\\nAllowStreamLocalForwarding no' /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("h26-sudo-secure-path-without-sbin", "mechanism/run",
          "a hardening template's 'Defaults secure_path=\"/usr/bin:/bin\"' in /etc/sudoers.d/50-path (read after "
          "/etc/sudoers: the last one wins): commands run through sudo by name no longer find /usr/sbin "
          "(apache2ctl, a2ensite, visudo): a deploy step or bootstrap that runs them by name as root fails",
          "printf 'Defaults secure_path=\"/usr/bin:/bin\"\\n' > /etc/sudoers.d/50-path; chmod 0440 /etc/sudoers.d/50-path; visudo -c >/dev/null"),
    Fault("h27-sshd-ssh-audit-hardening", "mechanism/serve",
          "ssh-audit's hardening guide for Debian 12 applied to sshd_config (KexAlgorithms sntrup761x25519 and "
          "curve25519 only, Ciphers chacha20/aes-gcm only, MACs '-etm' only, HostKeyAlgorithms ed25519): a client "
          "without these (older paramiko, older OpenSSH) cannot connect: the runner's deploys and gates fail",
          "sed -i '1i KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org\\n"
          "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com\\n"
          "MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com\\n"
          "HostKeyAlgorithms ssh-ed25519,sk-ssh-ed25519@openssh.com' /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("h28-sudo-umask-0077-override", "mechanism/grant",
          "'Defaults umask=0077' and 'Defaults umask_override' (a CIS-style 'sudo files private' snippet): every "
          "file a command under sudo creates is 0600 whatever the command asks: files a deploy or bootstrap "
          "writes as root (the config, the vhost, the wsgi file) are unreadable by the users who need them",
          "printf 'Defaults umask=0077\\nDefaults umask_override\\n' > /etc/sudoers.d/40-umask; chmod 0440 /etc/sudoers.d/40-umask; "
          "visudo -c >/dev/null"),
    Fault("h29-cis-umask-027-in-bash-bashrc", "mechanism/run",
          "CIS Debian's 'default user umask 027' applied by prepending 'umask 027' to /etc/bash.bashrc (before its "
          "'not interactive: return' line, as the benchmark's remediation script does): bash reads that file for "
          "every command sshd runs, so every file the deploy login creates is no longer readable by others: a "
          "release a deploy unpacks is unreadable by the app user (who reads it as 'other')",
          "sed -i '1i # CIS 5.4.4: default user umask\\numask 027' /etc/bash.bashrc; head -2 /etc/bash.bashrc | grep -q '^umask 027$'"),
    Fault("h30-sshd-force-command-sftp-for-deploy", "mechanism/serve",
          "a review's 'deploy accounts get file transfer only': 'Match User {login}' + 'ForceCommand internal-sftp' "
          "appended to sshd_config: every command the deploy login runs over SSH is replaced by an SFTP server: "
          "no deploy, no rollback, no gate",
          "printf '\\nMatch User {login}\\n    ForceCommand internal-sftp\\n' >> /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("h31-etc-nologin-left-by-maintenance", "mechanism/serve",
          "a maintenance script's /etc/nologin ('System maintenance until 02:00') never removed: sshd (no PAM) "
          "refuses every login but root's while it exists: the deploy login cannot log in: no deploy, rollback "
          "or gate",
          "printf 'System maintenance until 02:00 UTC\\n' > /etc/nologin"),
    Fault("h32-rpcbind-pulled-by-nfs-common", "drift/serve",
          "nfs-common installed to mount the team's share, which pulls rpcbind, started as its package does "
          "('rpcbind -w', every address, TCP and UDP 111; CIS Debian: remove rpcbind): anyone who reaches the host "
          "lists its RPC services and uses it as a UDP amplifier",
          APT.format(pkgs="nfs-common rpcbind") + "; mkdir -p /run/rpcbind; (setsid rpcbind -f -w </dev/null >/tmp/rpcbind.log 2>&1 &); i=0; until grep -q ':006F ' /proc/net/tcp /proc/net/tcp6 2>/dev/null || [ $i -ge 100 ]; "
          "do i=$((i+1)); sleep 0.1; done; grep -q ':006F ' /proc/net/tcp /proc/net/tcp6 || {{ cat /tmp/rpcbind.log; exit 1; }}"),
)

ALLOWED = (
    Fault("k01-allowed-sudo-tee-maintenance-conf", "security/grant",
          "an allowed sudoers line for on-call's maintenance switch (allow_sudo '%webops ALL=(root) NOPASSWD: "
          "/usr/bin/tee /etc/apache2/conf-available/maintenance.conf, /usr/sbin/apache2ctl graceful', the conf "
          "enabled and allowed): tee writes any content there as root: a piped 'ErrorLog \"|cmd\"' line is a "
          "command Apache's root parent runs at the graceful: every member of webops is root",
          "groupadd webops; useradd -m -s /bin/bash -G webops oncall; printf '# maintenance page off\\n' > /etc/apache2/conf-available/maintenance.conf; "
          "a2enconf -q maintenance; printf '%%webops ALL=(root) NOPASSWD: /usr/bin/tee /etc/apache2/conf-available/maintenance.conf, "
          "/usr/sbin/apache2ctl graceful\\n' > /etc/sudoers.d/webops; chmod 0440 /etc/sudoers.d/webops; visudo -c >/dev/null; " + GRACEFUL),
    Fault("k02-allowed-sudo-install-from-tmp", "security/grant",
          "an allowed sudoers line for the CI account (allow_sudo '%deploy-ci ALL=(root) NOPASSWD: /usr/bin/install "
          "-m 0644 /tmp/app-release.tgz /var/www/incoming/', every argument fixed): the source lies in /tmp, where "
          "anyone makes it a link: root copies any file (/etc/shadow) into a 0644 copy",
          "groupadd deploy-ci; useradd -m -s /bin/bash -G deploy-ci ci; mkdir -p /var/www/incoming; "
          "printf '%%deploy-ci ALL=(root) NOPASSWD: /usr/bin/install -m 0644 /tmp/app-release.tgz /var/www/incoming/\\n' "
          "> /etc/sudoers.d/deploy-ci; chmod 0440 /etc/sudoers.d/deploy-ci; visudo -c >/dev/null"),
    Fault("k03-allowed-tar-cap-dac-override", "security/grant",
          "tar given cap_dac_override with setcap so the backup account can archive and restore /etc and /var "
          "without sudo, and allowed (allow_privileged '/usr/bin/tar 0755 root:root cap_dac_override=ep'): the file "
          "stays 0755, so every local user, www-data and the app user included, reads every file: /etc/shadow, "
          "the app's config, the TLS and SSH host keys",
          APT.format(pkgs="libcap2-bin") + "; setcap cap_dac_override=ep /usr/bin/tar; getcap /usr/bin/tar | grep -q dac_override"),
    Fault("k04-allowed-unit-supplementary-shadow", "drift/grant",
          "an allowed unit app-authd.service (allow_units: the app's login helper, User={app_user}) with "
          "'SupplementaryGroups=shadow' 'so it can check local passwords through PAM': the release's code runs "
          "as the app user with every password hash of the server readable",
          "mkdir -p /etc/systemd/system/multi-user.target.wants; printf '[Unit]\\nDescription=app login helper\\n\\n[Service]\\n"
          "User={app_user}\\nGroup={app_group}\\nSupplementaryGroups=shadow\\nWorkingDirectory={root}/current\\n"
          "ExecStart={root}/current/venv/bin/python -m {package}.authd\\n\\n[Install]\\nWantedBy=multi-user.target\\n' "
          "> /etc/systemd/system/app-authd.service; ln -sfn /etc/systemd/system/app-authd.service "
          "/etc/systemd/system/multi-user.target.wants/app-authd.service"),
    Fault("k05-allowed-root-cron-redirect-into-app-dir", "drift/run",
          "an allowed /etc/cron.d/app-usage (allow_cron): nightly, root writes a disk usage report of the app's "
          "uploads into a directory the app writes ('du -sh {root}/shared/data/* > {root}/shared/data/reports/"
          "usage.txt'): the shell's '>' follows whatever link the app user puts there: root truncates and "
          "rewrites any file of the server the app names",
          APT.format(pkgs="cron") + "; install -d -o {login} -g {app_group} -m 2770 {root}/shared/data/reports; "
          "printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n# disk usage of the uploads, for the weekly review\\n"
          "30 2 * * * root du -sh {root}/shared/data/* > {root}/shared/data/reports/usage.txt 2>&1\\n' > /etc/cron.d/app-usage"),
    Fault("k06-allowed-acme-webroot-writable-by-www-data", "security/serve",
          "an allowed acme.conf (allow_apache_conf) for certbot's webroot: 'Alias /.well-known/acme-challenge/ "
          "/var/www/acme/.well-known/acme-challenge/', the directory www-data's so the renewal hook running as "
          "www-data can write it: on every site, the app's included, anything running as www-data (another "
          "site's code, a module) serves its own HTML and scripts on the app's origin",
          "install -d -o www-data -g www-data /var/www/acme /var/www/acme/.well-known /var/www/acme/.well-known/acme-challenge; "
          "printf 'Alias /.well-known/acme-challenge/ /var/www/acme/.well-known/acme-challenge/\\n<Directory /var/www/acme/.well-known/acme-challenge>\\n"
          "    Options None\\n    AllowOverride None\\n    Require all granted\\n</Directory>\\n' > /etc/apache2/conf-available/acme.conf; "
          "a2enconf -q acme; " + GRACEFUL),
    Fault("k07-allowed-sudo-env-keep-pythonpath", "security/grant",
          "an allowed sudoers file for on-call's cache flush: '%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush' "
          "(root's python script) and, so the team's proxy and tool paths reach it, 'Defaults:%webops env_keep += "
          "\"PYTHONPATH\"' (both lines allowed): 'sudo PYTHONPATH=~/x app-cache-flush' runs the caller's modules as root",
          "groupadd webops; useradd -m -s /bin/bash -G webops oncall; printf '#!/usr/bin/python3\\nimport json, os\\n"
          "print(json.dumps({{\"flushed\": True}}))\\n' > /usr/local/sbin/app-cache-flush; chmod 0755 /usr/local/sbin/app-cache-flush; "
          "printf 'Defaults:%%webops env_keep += \"PYTHONPATH\"\\n%%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush\\n' "
          "> /etc/sudoers.d/webops; chmod 0440 /etc/sudoers.d/webops; visudo -c >/dev/null"),
    Fault("k08-allowed-usr-local-python3-pyenv-of-dev", "drift/load",
          "a newer Python built with pyenv by the 'dev' account in /opt/pyenv and linked as /usr/local/bin/python3 "
          "for everyone, allowed (allow_commands '/usr/local/bin/python3'): /usr/local/bin comes first on root's "
          "PATH: every root 'python3' and '#!/usr/bin/env python3' script runs a binary that account may replace",
          "useradd -m -s /bin/bash dev; install -d -o dev -g dev /opt/pyenv /opt/pyenv/versions /opt/pyenv/versions/3.12.8 "
          "/opt/pyenv/versions/3.12.8/bin; cp /usr/bin/python3 /opt/pyenv/versions/3.12.8/bin/python3.12; "
          "chown dev:dev /opt/pyenv/versions/3.12.8/bin/python3.12; ln -sfn /opt/pyenv/versions/3.12.8/bin/python3.12 /usr/local/bin/python3; "
          "/usr/local/bin/python3 -c pass"),
    Fault("k09-allowed-sudo-tar-extract-ci-upload", "security/grant",
          "an allowed sudoers line for the CI account (allow_sudo '%deploy-ci ALL=(root) NOPASSWD: /usr/bin/tar -xzf "
          "/srv/ci/app-release.tgz -C /var/www/incoming', every argument fixed; /srv/ci the CI account's upload "
          "dir): tar run as root keeps the owners and modes its archive records: the CI account ships a "
          "setuid-root file in its archive and is root",
          "groupadd deploy-ci; useradd -m -s /bin/bash -G deploy-ci ci; install -d -o ci -g ci /srv/ci; mkdir -p /var/www/incoming; "
          "printf '%%deploy-ci ALL=(root) NOPASSWD: /usr/bin/tar -xzf /srv/ci/app-release.tgz -C /var/www/incoming\\n' "
          "> /etc/sudoers.d/deploy-ci; chmod 0440 /etc/sudoers.d/deploy-ci; visudo -c >/dev/null"),
)

ALLOW_KEYS = """allow_sudo = ["%webops ALL=(root) NOPASSWD: /usr/bin/tee /etc/apache2/conf-available/maintenance.conf, /usr/sbin/apache2ctl graceful", "%deploy-ci ALL=(root) NOPASSWD: /usr/bin/install -m 0644 /tmp/app-release.tgz /var/www/incoming/", "%deploy-ci ALL=(root) NOPASSWD: /usr/bin/tar -xzf /srv/ci/app-release.tgz -C /var/www/incoming", "Defaults:%webops env_keep += \\"PYTHONPATH\\"", "%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush"]
allow_privileged = ["/usr/bin/tar 0755 root:root cap_dac_override=ep"]
allow_units = ["app-authd.service"]
allow_cron = ["/etc/cron.d/app-usage"]
allow_apache_conf = ["/etc/apache2/conf-enabled/maintenance.conf", "/etc/apache2/conf-enabled/acme.conf"]
allow_commands = ["/usr/local/bin/python3"]
"""

# Filled in from the effects runs (blind9/logs/effects-*.log), before any gate run: faults whose consequence
# could not be shown are not counted in the rate (reported).
# h02: /~intern/ answered the app's 404 (WSGIScriptAlias / takes every path first); h23: the rollback went
# through (the live and kept releases share one config); h24-h29: a deploy of another build went through (the
# pipeline uploads and checks without SFTP, forwarding, sbin names or the umasks it meets); h30: the same with
# ForceCommand internal-sftp in force for the deploy login (sshd -T shows it). h32: rpcbind did not start in
# the container (injection failed twice): not counted either.
BENIGN: set[str] = {"h30-sshd-force-command-sftp-for-deploy", "h32-rpcbind-pulled-by-nfs-common", "h02-userdir-enabled-for-intern-docs", "h23-config-copies-cleaned", "h24-sshd-sftp-subsystem-removed",
                    "h25-sshd-no-tcp-forwarding-devsec", "h26-sudo-secure-path-without-sbin", "h27-sshd-ssh-audit-hardening",
                    "h28-sudo-umask-0077-override", "h29-cis-umask-027-in-bash-bashrc"}
