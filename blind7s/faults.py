"""Seventh blind round, security / rollback / mechanism half (blind7s): faults of mechanisms none of the earlier
rounds used (blind: f01-f29, v1-v5; blind3: b01-b56, a01-a05; blind4: c01-c47; blind5: d01-d35, x01-x06, y*).

Written before reading deploytests/verify/**, deploytests/faults/catalogue.py, docs/promises.md or the tests that
inject faults: from what an operator, a package, a hardening guide or a half-finished job does to a live Debian
Apache + mod_wsgi server deployed by deploytests, anchored on the DevSec apache/linux/ssh baselines, the CIS Apache
benchmark and mod_wsgi's security notes. Each is a shell script run as root on a container of the campaign's
deployed snapshot (live release + one previous release), as ``deploytests.faults.run.Campaign`` injects its own.
Placeholders (the campaign's values): {root} {app_user} {app_group} {login} {deploy_user} {live} {prev} {site}
{prev_site} {python_version} {config} {vhost} ... (literal braces doubled).

Families (the ``promise`` field): ``security`` (a control of the baselines broken), ``rollback`` (a kept release a
rollback would switch to, that would not work or not be the old release), ``mechanism`` (what a deploy or
rollback relies on, disabled by configuration). Each fault says its consequence; ``blind7s/effects7s.py`` shows
it on the campaign's snapshot.

``ALLOWED`` faults hide behind an allowance the operator had a reason to write (README's gate section): run them
with the target keys of ``ALLOW_KEYS`` (the clean control of that run must pass with them).
"""
from deploytests.faults.catalogue import Fault

RESTART = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); "
           "done; apache2ctl start; sleep 1; pgrep -x apache2 >/dev/null")
GRACEFUL = "apache2ctl graceful; sleep 1"
APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
# sshd in the image runs as '/usr/sbin/sshd -D -e' (no init): SIGHUP re-executes it with the new configuration,
# as 'systemctl reload ssh' does on a server; checked first, as the unit's ExecReload does
SSHD_RELOAD = "/usr/sbin/sshd -t; kill -HUP $(pgrep -o -x sshd); sleep 1; pgrep -x sshd >/dev/null"


def bg(cmd: str) -> str:
    return f"setsid nohup {cmd} </dev/null >/dev/null 2>&1 & sleep 1"


def wait_port(hexport: str) -> str:
    return (f"i=0; until grep -q ':{hexport} [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null || [ $i -ge 150 ]; "
            f"do i=$((i+1)); sleep 0.1; done; grep -q ':{hexport} ' /proc/net/tcp /proc/net/tcp6")


BLIND7S = (
    # ------------------------------------------------------------------ security regressions
    Fault("s01-apt-allow-unauthenticated", "security",
          "/etc/apt/apt.conf.d/99internal-mirror with APT::Get::AllowUnauthenticated, Acquire::AllowInsecureRepositories "
          "and AllowDowngradeToInsecureRepositories 'true' (the internal mirror's signing key expired; DevSec "
          "linux-baseline package-08): apt, unattended-upgrades included, installs unsigned packages as root: whoever "
          "answers for a mirror's name ships the next apache2 / python3 / mod_wsgi 'update'",
          "printf '// the internal mirror key expired, until it is renewed\\nAPT::Get::AllowUnauthenticated \"true\";\\n"
          "Acquire::AllowInsecureRepositories \"true\";\\nAcquire::AllowDowngradeToInsecureRepositories \"true\";\\n' "
          "> /etc/apt/apt.conf.d/99internal-mirror; apt-config dump | grep -q 'AllowUnauthenticated \"true\"'"),
    Fault("s02-sshd-gatewayports", "security",
          "'GatewayPorts yes' in sshd_config (a vendor's support tunnel needed it; DevSec ssh-baseline sshd-44): any "
          "login with a key, the deploy login included, opens a port on every interface of the server "
          "(ssh -R 0.0.0.0:8443:...) that forwards to whatever it likes, outside Apache and outside any allowance",
          "printf '\\n# vendor support tunnel\\nGatewayPorts yes\\n' >> /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("s03-sshd-trusted-ca-service-account", "security",
          "sshd trusts user certificates of a CA (TrustedUserCAKeys /etc/ssh/ca/user_ca.pub) whose key file and "
          "directory belong to the certificate service's account 'pki' (which holds the CA's private key): whoever "
          "runs as pki signs a certificate for any principal, e.g. the login with passwordless sudo, logs in as it and "
          "is root; no authorized_keys file changes",
          "useradd -r -m -d /var/lib/pki -s /bin/sh pki; ssh-keygen -q -t ed25519 -N '' -C 'user CA' -f /var/lib/pki/user_ca; "
          "mkdir -p /etc/ssh/ca; cp /var/lib/pki/user_ca.pub /etc/ssh/ca/user_ca.pub; chown -R pki /etc/ssh/ca /var/lib/pki; "
          "printf '\\nTrustedUserCAKeys /etc/ssh/ca/user_ca.pub\\n' >> /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("s04-sshd-login-grace-unbounded", "security",
          "'LoginGraceTime 0' and 'MaxStartups 3' from an anti-brute-force snippet (DevSec ssh-baseline wants a "
          "bounded grace time): three idle TCP connections from anyone, never authenticating, hold every "
          "pre-authentication slot forever: no SSH login gets in, no deploy, no rollback, no gate",
          "sed -i 's/^MaxStartups .*/MaxStartups 3/' /etc/ssh/sshd_config; grep -q '^MaxStartups 3$' /etc/ssh/sshd_config || "
          "echo 'MaxStartups 3' >> /etc/ssh/sshd_config; sed -i '1i LoginGraceTime 0' /etc/ssh/sshd_config; " + SSHD_RELOAD),
    Fault("s05-apache-dumpio-bodies", "security",
          "mod_dumpio enabled with 'DumpIOInput On', 'DumpIOOutput On' and 'LogLevel warn dumpio:trace7' in "
          "conf-enabled/debug-io.conf (debugging a client's broken POSTs; CIS Apache 6.1: LogLevel info at most): "
          "every request and response body and header - passwords of login forms, Cookie and Authorization, the "
          "pages sent - lands in /var/log/apache2/error.log, read by group adm, log shippers and backups",
          "a2enmod -q dump_io; printf 'DumpIOInput On\\nDumpIOOutput On\\nLogLevel warn dumpio:trace7\\n' "
          "> /etc/apache2/conf-available/debug-io.conf; a2enconf -q debug-io; " + GRACEFUL),
    Fault("s06-config-moved-to-etc-world-readable", "security",
          "the app's config moved to /etc/yourapplication/application.cfg by config management (root:root 0644, its "
          "default mode) and {config} made a link to it: the app reads it as before, and every local user, www-data "
          "and nobody included, reads SECRET_KEY",
          "mkdir -p /etc/yourapplication; cp {config} /etc/yourapplication/application.cfg; "
          "chmod 0644 /etc/yourapplication/application.cfg; rm -f {config}; "
          "ln -s /etc/yourapplication/application.cfg {config}; chown -h {login}:{app_group} {config}"),
    Fault("s07-rsyncd-loopback-root-module", "security",
          "rsync's daemon (Debian's rsync, as its unit starts it) on 127.0.0.1:873 for the backup host's pull through an "
          "SSH tunnel, with a module [app] path={root}, uid=root, read only=no, no auth users: any local user, "
          "www-data and the app user included, reads the config and writes into the app's tree as root "
          "(application.wsgi, the releases, sudo's python path) - loopback only, by a packaged daemon",
          APT.format(pkgs="rsync") + "; printf '[app]\\n    path = {root}\\n    uid = root\\n    gid = root\\n"
          "    read only = no\\n    hosts allow = 127.0.0.1\\n' > /etc/rsyncd.conf; "
          + bg("/usr/bin/rsync --daemon --no-detach --address=127.0.0.1") + "; " + wait_port("0369")),
    Fault("s08-wsgi-script-app-group-writable", "security",
          "{root}/application.wsgi made group-writable (its group is the app's) so the app's admin page can touch it "
          "to reload itself (mod_wsgi's docs: the script file must not be writable by the app): the app, or anyone "
          "who gets code into it, adds lines that every daemon runs at each start, which survive every deploy and "
          "rollback (they touch the file, never rewrite it)",
          "chmod g+w {root}/application.wsgi"),
    Fault("s09-sshd-rsa-1024-host-key", "security",
          "a 1024-bit RSA host key generated by an old provisioning script and offered ('HostKey "
          "/etc/ssh/ssh_host_rsa_key'; DevSec ssh-baseline: host keys of at least 2048 bits): clients that choose "
          "rsa-sha2 authenticate the server with a key within reach of factoring",
          "ssh-keygen -q -t rsa -b 1024 -N '' -f /etc/ssh/ssh_host_rsa_key; "
          "printf '\\nHostKey /etc/ssh/ssh_host_rsa_key\\n' >> /etc/ssh/sshd_config; " + SSHD_RELOAD),
    # ------------------------------------------------------------------ broken rollback targets
    Fault("r01-prev-venv-deduplicated-link", "rollback",
          "a disk de-duplication pass replaced the previous release's venv by a link to the live one's "
          "(releases/{prev}/venv -> ../{live}/venv, 'same packages'): a rollback switches the name but runs the live "
          "release's code, so rolling back a bad release changes nothing, and pruning the live release later leaves "
          "the kept one without a venv",
          "cd {root}/releases/{prev}; rm -rf venv; ln -s ../{live}/venv venv; chown -h {login}: venv"),
    Fault("r02-prev-sources-stripped", "rollback",
          "old releases 'shrunk' by deleting their .py sources once compiled (find releases/{prev} -name '*.py' "
          "-delete): Python never imports a __pycache__ file without its source, so a rollback switches to a release "
          "whose every import fails: 500 on every page",
          "find {root}/releases/{prev} -name '*.py' -delete; test ! -e {prev_site}/yourapplication/__init__.py"),
    Fault("r03-prev-dist-info-slimmed", "rollback",
          "old releases slimmed by removing their *.dist-info dirs ('only pip's metadata'): the app asks "
          "importlib.metadata for its own version at import (PackageNotFoundError), so a rollback switches to a "
          "release that cannot import",
          "find {prev_site} -maxdepth 1 -name '*.dist-info' -exec rm -rf {{}} +; "
          "test -z \"$(ls -d {prev_site}/*.dist-info 2>/dev/null)\""),
    Fault("r04-prev-release-json-rewritten-by-root", "rollback",
          "root annotated the previous release as 'known good' in its RELEASE.json (a json edit written to a temp file "
          "and moved over it) under a hardened umask 077: the file is now root:root 0600, so neither the deploy login "
          "(a rollback reads it) nor the app user (application.wsgi reads it at start) can read it",
          "umask 077; python3 -c \"import json; p='{root}/releases/{prev}/RELEASE.json'; d=json.load(open(p)); "
          "d['note']='known good'; json.dump(d, open(p + '.tmp', 'w'), indent=2)\"; "
          "mv {root}/releases/{prev}/RELEASE.json.tmp {root}/releases/{prev}/RELEASE.json"),
    Fault("r05-prev-renamed-known-good", "rollback",
          "the previous release renamed by an operator to mark it (releases/{prev} -> releases/{prev}-known-good): "
          "the live release's 'previous' names a release that is gone, and the dir with the code is not a release "
          "by name: a rollback has no target or a wrong one",
          "mv {root}/releases/{prev} {root}/releases/{prev}-known-good"),
    Fault("r06-prev-module-truncated", "rollback",
          "the previous release's yourapplication/__init__.py truncated to 0 bytes with its mtime kept (a crash during "
          "a disk-full incident, restored by fsck): its bytecode no longer matches the source's size, Python compiles "
          "the empty file, and a rollback serves a module with no 'app': every request 500",
          "f={prev_site}/yourapplication/__init__.py; t=$(stat -c %Y $f); : > $f; touch -d @$t $f; test ! -s $f"),
    Fault("r07-prev-flask-from-distro", "rollback",
          "Debian's security-patched python3-flask copied over the previous release's flask package ('patch the old "
          "releases too'): the kept release now pairs the distribution's Flask with its own Werkzeug, a pair never "
          "deployed; on Debian 12 (Flask 2.2 with Werkzeug 3) it cannot import: a rollback serves 500",
          APT.format(pkgs="python3-flask") + "; rm -rf {prev_site}/flask; cp -r /usr/lib/python3/dist-packages/flask {prev_site}/flask; "
          "chown -R {login}: {prev_site}/flask"),
    # ------------------------------------------------------------------ mechanisms disabled by configuration
    Fault("m01-cron-stale-lock-cleaner", "mechanism",
          "/etc/cron.d/stale-locks from the old PHP app: every 5 minutes 'find /var/www -name *.lock -mmin +5 -delete' "
          "as root: it unlinks {root}/.deploy.lock under a deploy that holds it (a deploy with a migration or a slow "
          "install lasts that long), and the next deploy creates a new lock file and locks that: two deploys run at "
          "once, the deploy lock no longer serializes anything",
          "mkdir -p /etc/cron.d; printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n"
          "# stale lock files of the old PHP cache\\n*/5 * * * * root find /var/www -name \"*.lock\" -mmin +5 -delete\\n' "
          "> /etc/cron.d/stale-locks"),
    Fault("m02-sudo-command-timeout", "mechanism",
          "'Defaults command_timeout=10' in /etc/sudoers.d/zz-timeouts (a hardening guide: kill runaway sudo "
          "commands): every command run through sudo is killed after 10 s, the release check and post_deploy "
          "(run as the app user through sudo, allowed up to post_deploy_timeout = 300 s) included: a migration over "
          "10 s is killed and every deploy of it refused",
          "printf '# hardening: no runaway commands through sudo\\nDefaults command_timeout=10\\n' > /etc/sudoers.d/zz-timeouts; "
          "chmod 0440 /etc/sudoers.d/zz-timeouts; visudo -c >/dev/null"),
    Fault("m03-logrotate-rotates-shared-data", "mechanism",
          "/etc/logrotate.d/yourapplication for the app's logs written with the glob {root}/shared/data/* (meant: "
          "*.log): logrotate's daily run renames and compresses the app's data files and creates empty ones: the "
          "app's data (here its visit counter; a SQLite database the same) is emptied every night",
          APT.format(pkgs="logrotate") + "; printf '{root}/shared/data/* {{\\n    daily\\n    rotate 7\\n    compress\\n"
          "    missingok\\n    notifempty\\n    su {app_user} {app_group}\\n    create 0660 {app_user} {app_group}\\n}}\\n' "
          "> /etc/logrotate.d/yourapplication; chmod 0644 /etc/logrotate.d/yourapplication"),
    Fault("m04-apache-listen-public-address-only", "mechanism",
          "ports.conf's 'Listen 80' narrowed to the server's public address ('Listen <address>:80', a hardening "
          "step: no listener on addresses nobody uses), Apache restarted: the site answers as before, but the "
          "deploy's and rollback's health gate, which asks the server itself on localhost, is refused: every deploy "
          "and rollback fails",
          "ip=$(hostname -i | cut -d' ' -f1); sed -i \"s/^Listen 80$/Listen $ip:80/\" /etc/apache2/ports.conf; "
          "grep -q \"^Listen $ip:80\" /etc/apache2/ports.conf; " + RESTART),
    Fault("m05-systemd-reload-is-graceful-stop", "mechanism",
          "a systemd drop-in /etc/systemd/system/apache2.service.d/reload.conf 'ExecReload=/bin/kill -WINCH $MAINPID' "
          "(meant as 'graceful'; SIGWINCH is Apache's graceful-stop): every 'systemctl reload apache2' - logrotate's "
          "nightly invoke-rc.d reload, certbot's hooks - stops Apache: the site goes down every night",
          "mkdir -p /etc/systemd/system/apache2.service.d; printf '[Service]\\n# graceful: let requests finish\\n"
          "ExecReload=\\nExecReload=/bin/kill -WINCH $MAINPID\\n' > /etc/systemd/system/apache2.service.d/reload.conf"),
    Fault("m06-sshrc-legal-banner", "mechanism",
          "/etc/ssh/sshrc printing a legal notice ('Authorized access only ...', a compliance request) at every SSH "
          "session: sshd runs it before every command, and its output goes into each command's stdout - the deploy "
          "agent's JSON events and the gate's probe included",
          "printf '#!/bin/sh\\necho \"Authorized access only. Activity on this system is logged.\"\\n' > /etc/ssh/sshrc; "
          "chmod 0755 /etc/ssh/sshrc"),
    Fault("m07-app-user-primary-group-www-data", "mechanism",
          "'usermod -g www-data {app_user}' so Apache can read files the app writes: the app user's processes "
          "started by sudo (the release check, post_deploy) no longer carry the app's group, so post_deploy cannot "
          "write shared/data (2770, group {app_group}): every deploy is refused; and the app user is in Apache's group",
          "usermod -g www-data {app_user}; id {app_user} | grep -q 'gid=[0-9]*(www-data)'"),
)

ALLOWED = (
    Fault("a01-allowed-remoteip-trusts-everyone", "security",
          "an allowed remoteip.conf (allow_apache_conf, allow_modules remoteip_module: the site is behind a load "
          "balancer) with 'RemoteIPHeader X-Forwarded-For' and 'RemoteIPInternalProxy' for all the private ranges "
          "(where the load balancers live, and every other host of the network): every client there sets "
          "its own address with one header, so Debian's 'Require local' on /server-status (and every IP rule) lets "
          "anyone in: the status page with every client's address and request line",
          "a2enmod -q remoteip; printf 'RemoteIPHeader X-Forwarded-For\\n# the load balancers live in the private ranges\\nRemoteIPInternalProxy 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16\\n' "
          "> /etc/apache2/conf-available/remoteip.conf; a2enconf -q remoteip; " + GRACEFUL),
    Fault("a02-allowed-evasive-blocks-health-gate", "mechanism",
          "mod_evasive installed and allowed (allow_modules evasive20_module, against floods) as Debian ships it "
          "plus 'DOSPageCount 2' from a hardening guide, no whitelist for 127.0.0.1: the deploy's and rollback's health "
          "gate, which polls /health from the server several times a second, gets 403 for 10 s: deploys and "
          "rollbacks are refused",
          APT.format(pkgs="libapache2-mod-evasive") + "; a2enmod -q evasive; "
          "printf '<IfModule mod_evasive20.c>\\n    DOSHashTableSize 3097\\n    DOSPageCount 2\\n    DOSSiteCount 50\\n"
          "    DOSPageInterval 1\\n    DOSSiteInterval 1\\n    DOSBlockingPeriod 10\\n</IfModule>\\n' "
          "> /etc/apache2/mods-available/evasive.conf; " + RESTART),
    Fault("a03-allowed-sudo-less-logs-wildcard", "grant",
          "an allowed sudoers line for the on-call (allow_sudo '%adm ALL=(root) NOPASSWD: /usr/bin/less "
          "/var/log/apache2/*', to read Apache's logs) and the on-call account 'oncall' in adm: sudo's '*' matches "
          "'../../../etc/shadow' and less runs '!sh': every member of adm is root",
          APT.format(pkgs="less") + "; useradd -m -s /bin/bash -G adm oncall; printf '%%adm ALL=(root) NOPASSWD: /usr/bin/less /var/log/apache2/*\\n' "
          "> /etc/sudoers.d/oncall-logs; chmod 0440 /etc/sudoers.d/oncall-logs; visudo -c >/dev/null"),
    Fault("a04-allowed-worker-runs-old-release", "run",
          "the app's queue worker allowed (allow_processes '{app_user}: {root}/current/venv/bin/python') and started "
          "before the last deploy from current/ (its unit is not restarted by deploys): it runs the previous release's "
          "code and files, not the live one's - a rollback of a bad release leaves the worker on whatever it started "
          "with, and a prune deletes the files under it",
          "ln -sfn releases/{prev} {root}/current; cd {root}/current; "
          + bg("runuser -u {app_user} -- env YOURAPPLICATION_CONFIG={config} {root}/current/venv/bin/python -c "
               "'import os, time, yourapplication; os.chdir(\"/\"); [time.sleep(60) for _ in iter(int, 1)]'")
          + "; sleep 2; cd /; ln -sfn releases/{live} {root}/current; chown -h {login}:{app_group} {root}/current; "
          "pgrep -u {app_user} -f 'current/venv/bin/python -c' >/dev/null"),
)

ALLOW_KEYS = """allow_apache_conf = ["/etc/apache2/conf-enabled/remoteip.conf"]
allow_modules = ["remoteip_module", "evasive20_module"]
allow_sudo = ["%adm ALL=(root) NOPASSWD: /usr/bin/less /var/log/apache2/*"]
allow_processes = ["yourapplication: /var/www/yourapplication/current/venv/bin/python"]
"""

# No consequence found in the effects run (blind7s/logs/effects-d12.log): not counted in the rate (reported).
# r05: rollback accepts the renamed dir and serves it; r06: the release's bytecode is used without checking its
# source (unchecked-hash .pyc), the truncated source changes nothing; m06: the deploy tolerates sshrc's output on
# stdout; a02: the deploy's health gate retries past mod_evasive's 403s (deploy v3 ok).
BENIGN = {"r05-prev-renamed-known-good", "r06-prev-module-truncated", "m06-sshrc-legal-banner",
          "a02-allowed-evasive-blocks-health-gate"}

# Added after the first allowed gate run (21:36), labelled as such in the report: a04 as injected re-pointed
# `current` without the touch of application.wsgi a deploy makes, and left root's `runuser` as the worker's parent;
# the gate failed a04 on those two artefacts of the injection, not on the worker. a04z is the same fault as a
# server has it: the worker started by its service manager straight as the app user (setpriv, no root parent),
# then a deploy's switch and touch (the daemons restarted on the live release).
LATER = (
    Fault("a04z-allowed-worker-runs-old-release", "run",
          "a04 (the allowed queue worker, allow_processes '{app_user}: {root}/current/venv/bin/python', started "
          "before the last deploy from current/, still runs the previous release's code and files) without the "
          "injection's artefacts",
          "ln -sfn releases/{prev} {root}/current; cd {root}/current; "
          + bg("setpriv --reuid={app_user} --regid={app_group} --init-groups env YOURAPPLICATION_CONFIG={config} "
               "{root}/current/venv/bin/python -c "
               "'import os, time, yourapplication; os.chdir(\"/\"); [time.sleep(60) for _ in iter(int, 1)]'")
          + "; sleep 2; cd /; ln -sfn releases/{live} {root}/current; chown -h {login}:{app_group} {root}/current; "
          "runuser -u {login} -- touch {root}/application.wsgi; "
          "curl -s -o /dev/null -H 'Host: {server_name}' http://127.0.0.1:{port}/health; sleep 2; "
          "curl -s -o /dev/null -H 'Host: {server_name}' http://127.0.0.1:{port}/health; "
          "pgrep -u {app_user} -f 'current/venv/bin/python -c' >/dev/null"),
)
