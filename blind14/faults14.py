# ruff: noqa: E501
"""blind14: faults and controls written BLIND (before reading any gate code: deploytests/verify, deploytests/suite,
docs/promises.md or earlier blind reports' findings), from README.md, docs/architecture.md's overview and the
faults harness API only.

Each item is a ``sh -e`` script run as root in a fresh container of the faults snapshot (the example app deployed
twice: ``{live}`` with ``{prev}`` to roll back to). Scripts end with an assertion that the fault took effect
(an injection that exits non-zero is reported as a problem, not as a miss). ``expect`` is the verdict a right
gate gives: "fail" (a fault) or "pass" (a control: ordinary admin tooling; "pass" also admits one failure line
that names the allowance to write, as the brief allows). ``effect``: a shell command run after the read-only
gate, showing what the fault does; ``action``: a pipeline step run from the runner after the gate ("rollback":
roll back to {prev}; "deploy": deploy a new variant) to show a broken rollback target or a disabled mechanism.
``why``: why it matters. ``kind``: the class the item was written for.
"""
from __future__ import annotations

from dataclasses import dataclass

from deploytests.faults.catalogue import Fault


@dataclass(frozen=True)
class B14(Fault):
    why: str = ""
    expect: str = "fail"
    kind: str = ""
    effect: str = ""
    action: str = ""
    platforms: tuple[str, ...] = ("debian12",)


CONF = "/etc/apache2/conf-available"
CURL = "curl -s -o /dev/null -w '%{{http_code}}' http://127.0.0.1:{port}"
APT = "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
DAEMON_PIDS = "$(ps -eo pid,args | awk '/^ *[0-9]+ \\(wsgi:/ {{print $1}}')"

# (after the blind phase, an injection fix) a graceful restart waited for: Apache rewrites its pid file once it has
# read its configuration again, under load seconds after the signal; a file removed before that is never in force
GRACEFUL_DONE = ("t=$(stat -c %.9Y /run/apache2/apache2.pid); apache2ctl graceful; i=0; "
                 "while [ \"$(stat -c %.9Y /run/apache2/apache2.pid)\" = \"$t\" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; sleep 1")

FAULTS: tuple[B14, ...] = (
    # ---------------------------------------------------------------- broken rollback targets
    B14("b14-rb-prev-unreadable", "rollback", "the kept release's venv/lib made unreadable to the app user "
        "(chmod -R go-rwx: an admin tightening 'unused' old releases)",
        "chmod -R go-rwx {root}/releases/{prev}/venv/lib\n"
        "! runuser -u {app_user} -- ls {prev_site} >/dev/null 2>&1",
        why="a rollback switches to a release the daemons (the app user) cannot import: the site answers 500 "
            "exactly when it is needed", kind="rollback target", action="rollback"),
    B14("b14-rb-configs-gone", "rollback", "the config copies a rollback restores removed (a clean-up of "
        "hidden dirs under /var/www)",
        "rm -f {root}/.configs/*\ntest -z \"$(ls -A {root}/.configs)\"",
        why="rollback is refused (the config its release started with is gone): no way back", kind="rollback target",
        action="rollback"),
    B14("b14-rb-prev-env", "rollback", "the deploy login's attacker edits the kept release's RELEASE.json env "
        "(SSL_CERT_FILE into the app-writable data dir, HTTPS_PROXY), mtime kept",
        "runuser -u {deploy_user} -- python3 -c \"import json,sys; p=sys.argv[1]; d=json.load(open(p)); "
        "d['env']={{'SSL_CERT_FILE': '{root}/shared/{shared0}/ca.pem', 'HTTPS_PROXY': 'http://127.0.0.1:3128'}}; "
        "open(p,'w').write(json.dumps(d, indent=2, sort_keys=True)+chr(10))\" {root}/releases/{prev}/RELEASE.json\n"
        "touch -r {root}/releases/{prev}/SNAPSHOT.json {root}/releases/{prev}/RELEASE.json\n"
        "grep -q HTTPS_PROXY {root}/releases/{prev}/RELEASE.json",
        why="after a rollback the app trusts a CA file the app user writes and sends its outgoing HTTPS through "
            "a proxy: an env the runner never checked", kind="rollback target", action="rollback"),
    B14("b14-rb-prev-shared-link", "rollback", "the kept release's shared link (data -> shared/data) removed "
        "(a clean-up of 'dangling' links)",
        "rm {root}/releases/{prev}/{shared0}\n! test -e {root}/releases/{prev}/{shared0}",
        why="after a rollback the app's data path is gone: uploads/DB writes fail or land elsewhere",
        kind="rollback target", action="rollback"),
    B14("b14-rb-prev-pth-nosnapshot", "rollback", "the deploy login's attacker removes the kept release's "
        "SNAPSHOT.json and adds a .pth putting the app-writable data dir first on sys.path",
        "runuser -u {deploy_user} -- sh -ec 'rm {root}/releases/{prev}/SNAPSHOT.json; "
        "printf \"import sys; sys.path.insert(0, \\\"{root}/shared/{shared0}\\\")\\n\" > {prev_site}/zz_local.pth'\n"
        "test -f {prev_site}/zz_local.pth",
        why="after a rollback, code the app user (any upload) writes is imported by the daemons",
        kind="rollback target", action="rollback"),
    # ---------------------------------------------------------------- mechanisms disabled by configuration
    B14("b14-inforce-reloading-off", "mechanism", "WSGIScriptReloading Off in force, file removed without a "
        "reload (an operator's experiment reverted on disk only)",
        f"echo 'WSGIScriptReloading Off' > {CONF}/zz-perf.conf\na2enconf -q zz-perf\n{GRACEFUL_DONE}\n"
        f"a2disconf -q zz-perf\nrm {CONF}/zz-perf.conf\n! grep -rqi WSGIScriptReloading /etc/apache2",
        why="the next deploy's touch of application.wsgi does nothing: every deploy and rollback fails its gate "
            "until someone reloads Apache; the configuration on disk looks clean", kind="in force vs on disk",
        action="deploy"),
    B14("b14-inforce-alias-releases", "serve", "an Alias serving the app's releases/ in force, its file removed "
        "without a reload",
        f"printf 'Alias /b14src {{root}}/releases\\n<Directory {{root}}/releases>\\n  Require all granted\\n"
        f"</Directory>\\n' > {CONF}/zz-debug.conf\na2enconf -q zz-debug\n{GRACEFUL_DONE}\n"
        f"a2disconf -q zz-debug\nrm {CONF}/zz-debug.conf\n"
        f"test \"$({CURL}/b14src/{{live}}/RELEASE.json)\" = 200",
        why="the app's code and release records are downloadable; the configuration on disk looks clean",
        kind="in force vs on disk"),
    B14("b14-pyhome-system-site", "mechanism", "the daemons' python-home venv switched to "
        "include-system-site-packages = true (an operator making python3-psycopg2 visible)",
        "sed -i 's/^include-system-site-packages = false/include-system-site-packages = true/' {python_home}/pyvenv.cfg\n"
        "grep -q '= true' {python_home}/pyvenv.cfg\napache2ctl graceful",
        why="the daemons import from /usr/lib/python3/dist-packages and /usr/local/lib/python3.X/dist-packages "
            "before the release's venv: the app runs other code than the release", kind="daemon import path"),
    B14("b14-pyhome-bin-gone", "mechanism", "the python-home venv's bin/python links removed (a half-finished "
        "clean-up of 'unused' interpreters)",
        "rm -f {python_home}/bin/python*\n! test -e {python_home}/bin/python3",
        why="the running daemons serve, but the next restart (logrotate's reload, a reboot) may not start the "
            "interpreter", kind="daemon interpreter",
        effect=f"apache2ctl graceful; sleep 3; echo health=$({CURL}{{health}}); tail -3 /var/log/apache2/error.log"),
    B14("b14-sitecustomize-path", "mechanism", "sitecustomize.py (Debian's /etc/pythonX.Y one) puts a dir the "
        "app user owns first on every Python's sys.path",
        "install -d -o {app_user} -g {app_user} /srv/pylib\n"
        "printf '\\nimport sys\\nsys.path.insert(0, \"/srv/pylib\")\\n' >> /etc/python{python_version}/sitecustomize.py\n"
        "python3 -c 'import sys; assert sys.path[0] == \"/srv/pylib\" or \"/srv/pylib\" in sys.path'\n"
        "apache2ctl graceful",
        why="every Python on the host, root's too, imports what the app user writes there", kind="daemon import path"),
    B14("b14-envvars-pythonpath", "mechanism", "PYTHONPATH exported in /etc/apache2/envvars (root's dir, for a "
        "legacy app), Apache restarted",
        "mkdir -p /opt/legacy/lib\necho 'export PYTHONPATH=/opt/legacy/lib' >> /etc/apache2/envvars\n"
        "apache2ctl stop\ni=0; while pgrep -x apache2 >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done\n"
        "apache2ctl start\nsleep 2\n"
        f"for p in {DAEMON_PIDS}; do tr '\\0' '\\n' < /proc/$p/environ | grep -q PYTHONPATH=/opt/legacy/lib; done\n"
        "test -n \"" + DAEMON_PIDS + "\"",
        why="the daemons' sys.path starts with a dir the release does not hold: a module there shadows the "
            "release's (sitecustomize too)", kind="daemon import path"),
    B14("b14-python-optimize", "mechanism", "WSGIPythonOptimize 2 in a conf (a 'performance' snippet), reloaded",
        f"echo 'WSGIPythonOptimize 2' > {CONF}/zz-tune.conf\na2enconf -q zz-tune\napache2ctl configtest 2>/dev/null\n"
        "apache2ctl graceful",
        why="the daemons run the release with asserts and docstrings stripped: not what the deploy's release "
            "check imported and proved", kind="daemon interpreter"),
    B14("b14-sshd-match-maxsessions", "mechanism", "a Match block limiting the gate's/deploy login to 2 "
        "sessions (hardening)",
        "printf '\\nMatch User {login},{deploy_user}\\n    MaxSessions 2\\n' >> /etc/ssh/sshd_config\n/usr/sbin/sshd -t",
        why="the pipeline's parallel sessions on one connection are refused at random", kind="mechanism"),
    B14("b14-ldcache-vendor-lib", "load", "a vendor installer ran `ldconfig /opt/vendor/lib` (not in "
        "ld.so.conf): the linker cache maps libexpat to a dir its service account owns",
        "useradd -r -M -s /usr/sbin/nologin vendor\ninstall -d -o vendor /opt/vendor/lib\n"
        "cp /lib/*-linux-gnu/libexpat.so.1.* /opt/vendor/lib/\nchown -R vendor /opt/vendor\nldconfig /opt/vendor/lib\n"
        "ldconfig -p | grep -q /opt/vendor/lib/libexpat",
        why="Apache (root) and every program linking expat load a library the vendor account may replace at "
            "their next start", kind="ld.so"),
    # ---------------------------------------------------------------- security regressions / attacker leftovers
    B14("b14-log-forensic", "security", "mod_log_forensic left enabled (a debugging session): every request's "
        "full headers logged",
        f"a2enmod -q log_forensic\necho 'ForensicLog ${{{{APACHE_LOG_DIR}}}}/forensic.log' > {CONF}/zz-forensic.conf\n"
        "a2enconf -q zz-forensic\napache2ctl graceful\nsleep 1\n"
        "curl -s -o /dev/null -H 'Authorization: Bearer b14token' http://127.0.0.1:{port}{health}\nsleep 0.5\n"
        "grep -q b14token /var/log/apache2/forensic.log",
        why="API tokens and session cookies (WSGIPassAuthorization On) written to a log the adm group reads",
        kind="secrets in logs"),
    B14("b14-pam-skip-mfa", "security", "common-auth: `[success=done] pam_succeed_if user ingroup nomfa` "
        "(skip MFA for a group) with a second admin in it",
        "useradd -m -s /bin/bash -G sudo alice\necho 'alice:Alice-S3cret-99' | chpasswd\ngroupadd nomfa\n"
        "usermod -aG nomfa alice\n"
        "sed -i '/^auth.*pam_unix.so/i auth\\t[success=done default=ignore]\\tpam_succeed_if.so quiet user ingroup nomfa' "
        "/etc/pam.d/common-auth\n"
        "runuser -u {app_user} -- su alice -c id </dev/null | grep -q alice",
        why="anyone (the app user's code) su's to a sudo admin without a password: root", kind="PAM"),
    B14("b14-nss-db-root", "security", "nsswitch takes passwd/shadow from libnss-db too, whose db holds a uid-0 "
        "account",
        f"{APT} libnss-db >/dev/null\n"
        "printf '.sysop sysop:x:0:0:ops:/root:/bin/bash\\n00 sysop:x:0:0:ops:/root:/bin/bash\\n' "
        "| makedb -o /var/lib/misc/passwd.db -\n"
        "sed -i 's/^passwd:.*/passwd:         files db/' /etc/nsswitch.conf\ngetent passwd sysop | grep -q ':0:0:'",
        why="a second root the gate never reads from /etc/passwd", kind="nsswitch"),
    B14("b14-pam-env-pythonpath", "security", "pam_env.conf sets PYTHONPATH to a name in /var/tmp for every "
        "PAM session (su, sudo, SSH)",
        "echo 'PYTHONPATH DEFAULT=/var/tmp/.pylib' >> /etc/security/pam_env.conf\n"
        "su - root -c 'printenv PYTHONPATH' | grep -q /var/tmp/.pylib",
        why="root's Python (after su/sudo, an admin's SSH login) imports what the first local user to create "
            "/var/tmp/.pylib puts there", kind="environment"),
    B14("b14-apt-allow-insecure", "security", "apt.conf.d snippet allowing unsigned repositories (a quick fix "
        "for an internal repo)",
        "printf 'Acquire::AllowInsecureRepositories \"true\";\\nAPT::Get::AllowUnauthenticated \"true\";\\n' "
        "> /etc/apt/apt.conf.d/99-internal-repo\napt-config dump | grep -qi 'AllowUnauthenticated \"true\"'",
        why="root installs whatever the network answers: the stack's updates unauthenticated", kind="apt trust"),
    B14("b14-ssh-weak-kex-cbc", "security", "sshd re-enables a SHA-1 group-exchange kex and a CBC cipher "
        "(for an old Java client)",
        "sed -i '1i KexAlgorithms +diffie-hellman-group-exchange-sha1\\nCiphers +aes128-cbc' /etc/ssh/sshd_config\n"
        "/usr/sbin/sshd -t\n/usr/sbin/sshd -T | grep -q aes128-cbc",
        why="weak key exchange and cipher offered to every client", kind="ssh"),
    B14("b14-ssh-match-root-password", "security", "root password set and a Match Address block allowing root "
        "password logins from private ranges (the 'admin VPN')",
        "echo 'root:Tr0ub4dor-b14' | chpasswd\n"
        "printf '\\nMatch Address 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16\\n    PermitRootLogin yes\\n"
        "    PasswordAuthentication yes\\n' >> /etc/ssh/sshd_config\n/usr/sbin/sshd -t",
        why="root by password from any host on those networks (the docker bridge included)", kind="ssh"),
    B14("b14-root-exe-devshm", "security", "a root process running a binary from /dev/shm, deleted after start "
        "(a tool left running / an attacker's implant)",
        # (after the blind phase, an injection fix: Docker mounts /dev/shm noexec, so the blind script's program never
        # ran and `pgrep -f` matched the script itself; /var/tmp, and the effect read from /proc/PID/exe)
        "cp /bin/sleep /var/tmp/.kworker\nsetsid /var/tmp/.kworker 999999 </dev/null >/dev/null 2>&1 &\nsleep 0.5\n"
        "rm /var/tmp/.kworker\nfor p in /proc/[0-9]*; do readlink $p/exe; done | grep -q '^/var/tmp/.kworker (deleted)$'",
        why="root runs a program anyone could have replaced, now gone from disk", kind="processes"),
    B14("b14-bashrc-world-writable", "security", "/etc/bash.bashrc made 0666 (a dotfiles tool's chmod)",
        "chmod 0666 /etc/bash.bashrc", why="any user's line runs in every root shell", kind="file modes"),
    B14("b14-mod-info-public", "security", "mod_info enabled with /server-info granted to all",
        f"a2enmod -q info\nprintf '<Location /server-info>\\n  SetHandler server-info\\n  Require all granted\\n"
        f"</Location>\\n' > {CONF}/zz-info.conf\na2enconf -q zz-info\napache2ctl graceful\nsleep 1\n"
        "curl -s http://127.0.0.1:{port}/server-info | grep -q 'Server Settings'",
        why="the whole configuration in force (paths, daemons, env) served to anyone", kind="status pages"),
    B14("b14-cron-etc-backup", "security", "a root cron job tars /etc to /var/backups with the default umask "
        "(world-readable copy of /etc/shadow and the SSH host keys)",
        f"{APT} cron >/dev/null\n"
        "printf 'SHELL=/bin/sh\\n15 2 * * * root tar czf /var/backups/etc-nightly.tgz /etc 2>/dev/null\\n' "
        "> /etc/cron.d/etc-backup\ncron\ntar czf /var/backups/etc-nightly.tgz /etc 2>/dev/null\n"
        "test \"$(stat -c %a /var/backups/etc-nightly.tgz)\" = 644",
        why="every local user reads the password hashes and host private keys", kind="copies of secrets"),
    # ---------------------------------------------------------------- Debian 13
    B14("b14-d13-deb822-trusted", "security", "Debian 13: `Trusted: yes` in the deb822 debian.sources",
        "apt modernize-sources -y >/dev/null 2>&1\n"  # (the image has a one-line sources.list; trixie's own way)
        "f=$(ls /etc/apt/sources.list.d/*.sources | head -1)\ntest -f \"$f\"\n"
        "sed -i '/^Components:/a Trusted: yes' \"$f\"\ngrep -q '^Trusted: yes' \"$f\"",
        why="the distribution's packages installed unauthenticated", kind="apt trust", platforms=("debian13",)),
    B14("b14-d13-pyhome-system-site", "mechanism", "Debian 13: python-home include-system-site-packages = true",
        "sed -i 's/^include-system-site-packages = false/include-system-site-packages = true/' {python_home}/pyvenv.cfg\n"
        "grep -q '= true' {python_home}/pyvenv.cfg\napache2ctl graceful",
        why="as b14-pyhome-system-site", kind="daemon import path", platforms=("debian13",)),
    B14("b14-d13-configs-gone", "rollback", "Debian 13: the rollback's config copies removed",
        "rm -f {root}/.configs/*\ntest -z \"$(ls -A {root}/.configs)\"",
        why="as b14-rb-configs-gone", kind="rollback target", action="rollback", platforms=("debian13",)),
    B14("b14-d13-sitecustomize", "mechanism", "Debian 13: sitecustomize puts an app-user dir first on sys.path",
        "install -d -o {app_user} -g {app_user} /srv/pylib\n"
        "printf '\\nimport sys\\nsys.path.insert(0, \"/srv/pylib\")\\n' >> /etc/python{python_version}/sitecustomize.py\n"
        "python3 -c 'import sys; assert \"/srv/pylib\" in sys.path'\napache2ctl graceful",
        why="as b14-sitecustomize-path", kind="daemon import path", platforms=("debian13",)),
    B14("b14-d13-inforce-alias", "serve", "Debian 13: an Alias of releases/ in force, gone from disk",
        f"printf 'Alias /b14src {{root}}/releases\\n<Directory {{root}}/releases>\\n  Require all granted\\n"
        f"</Directory>\\n' > {CONF}/zz-debug.conf\na2enconf -q zz-debug\n{GRACEFUL_DONE}\n"
        f"a2disconf -q zz-debug\nrm {CONF}/zz-debug.conf\n"
        f"test \"$({CURL}/b14src/{{live}}/RELEASE.json)\" = 200",
        why="as b14-inforce-alias-releases", kind="in force vs on disk", platforms=("debian13",)),
    B14("b14-d13-pam-env-pythonpath", "security", "Debian 13: pam_env.conf PYTHONPATH in /var/tmp",
        "echo 'PYTHONPATH DEFAULT=/var/tmp/.pylib' >> /etc/security/pam_env.conf\n"
        "su - root -c 'printenv PYTHONPATH' | grep -q /var/tmp/.pylib",
        why="as b14-pam-env-pythonpath", kind="environment", platforms=("debian13",)),
)

_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm3Y0b14b14b14b14b14b14b14b14b14b14b14b14b14b bob@laptop")

CONTROLS: tuple[B14, ...] = (
    B14("b14-ctl-admin-bob", "control", "a second admin: bob in sudo with an SSH key, password locked",
        "useradd -m -s /bin/bash -G sudo bob\ninstall -d -m 700 -o bob -g bob /home/bob/.ssh\n"
        f"echo '{_KEY}' > /home/bob/.ssh/authorized_keys\nchown bob:bob /home/bob/.ssh/authorized_keys\n"
        "chmod 600 /home/bob/.ssh/authorized_keys", expect="pass", kind="control"),
    B14("b14-ctl-sshd-hardening", "control", "an sshd hardening snippet (CIS-style)",
        "sed -i '1i ClientAliveInterval 300\\nClientAliveCountMax 2\\nMaxAuthTries 4\\nLoginGraceTime 30\\n"
        "AllowAgentForwarding no\\nAllowTcpForwarding no\\nPermitEmptyPasswords no\\nIgnoreRhosts yes\\n"
        "HostbasedAuthentication no\\nBanner /etc/issue.net' /etc/ssh/sshd_config\n/usr/sbin/sshd -t",
        expect="pass", kind="control"),
    B14("b14-ctl-fail2ban-rsyslog", "control", "fail2ban and rsyslog installed and running",
        f"{APT} rsyslog fail2ban python3-systemd >/dev/null\nrsyslogd\ntouch /var/log/auth.log\n"
        "fail2ban-client -x start >/dev/null 2>&1 || true\nsleep 2\npgrep -f fail2ban-server >/dev/null",
        expect="pass", kind="control"),
    B14("b14-ctl-unattended-cron", "control", "cron + unattended-upgrades, cron running, an admin's log "
        "clean-up job",
        f"{APT} cron unattended-upgrades >/dev/null\n"
        "printf '17 3 * * * root find /var/log/apache2 -name \"*.gz\" -mtime +30 -delete\\n' > /etc/cron.d/log-cleanup\n"
        "cron\npgrep -x cron >/dev/null", expect="pass", kind="control"),
    B14("b14-ctl-node-exporter-local", "control", "prometheus-node-exporter on 127.0.0.1:9100 as its system user",
        f"{APT} prometheus-node-exporter >/dev/null\n"
        "runuser -u prometheus -- setsid /usr/bin/prometheus-node-exporter --web.listen-address=127.0.0.1:9100 "
        "</dev/null >/dev/null 2>&1 &\nsleep 2\nss -ltn | grep -q 127.0.0.1:9100", expect="pass", kind="control"),
    B14("b14-ctl-logrotate-needrestart", "control", "logrotate and needrestart installed",
        f"{APT} logrotate needrestart >/dev/null\ntest -f /etc/logrotate.d/apache2", expect="pass", kind="control"),
    B14("b14-ctl-sysctl-limits-tmout", "control", "sysctl hardening, core dumps off, TMOUT for shells",
        "printf 'kernel.kptr_restrict = 2\\nkernel.dmesg_restrict = 1\\nfs.suid_dumpable = 0\\n"
        "net.ipv4.conf.all.rp_filter = 1\\nnet.ipv4.conf.all.accept_redirects = 0\\nkernel.yama.ptrace_scope = 2\\n' "
        "> /etc/sysctl.d/99-hardening.conf\necho '* hard core 0' > /etc/security/limits.d/10-core.conf\n"
        "printf 'TMOUT=900\\nreadonly TMOUT\\nexport TMOUT\\n' > /etc/profile.d/tmout.sh",
        expect="pass", kind="control"),
    B14("b14-ctl-root-tools-running", "control", "root's tools left running: a df loop and tail -F of Apache's "
        "error log",
        "setsid sh -c 'while sleep 60; do df -h >/dev/null; done' </dev/null >/dev/null 2>&1 &\n"
        "setsid tail -F /var/log/apache2/error.log </dev/null >/dev/null 2>&1 &\nsleep 0.5\npgrep -x tail >/dev/null",
        expect="pass", kind="control"),
    B14("b14-ctl-apache-hardening", "control", "an Apache hardening snippet (ServerTokens Prod, headers)",
        f"a2enmod -q headers\nprintf 'ServerTokens Prod\\nServerSignature Off\\nFileETag None\\n"
        f"Header always set X-Content-Type-Options nosniff\\nHeader always set X-Frame-Options SAMEORIGIN\\n' "
        f"> {CONF}/zz-hardening.conf\na2enconf -q zz-hardening\napache2ctl graceful",
        expect="pass", kind="control"),
    B14("b14-ctl-sudo-hardening", "control", "a sudo hardening snippet (use_pty, logfile, passwd_tries)",
        "printf 'Defaults use_pty\\nDefaults logfile=\"/var/log/sudo.log\"\\nDefaults passwd_tries=3\\n"
        "Defaults timestamp_timeout=5\\n' > /etc/sudoers.d/10-hardening\nchmod 0440 /etc/sudoers.d/10-hardening\n"
        "visudo -c >/dev/null", expect="pass", kind="control"),
    B14("b14-d13-ctl-admin-bob", "control", "Debian 13: a second admin with sudo and a key",
        "useradd -m -s /bin/bash -G sudo bob\ninstall -d -m 700 -o bob -g bob /home/bob/.ssh\n"
        f"echo '{_KEY}' > /home/bob/.ssh/authorized_keys\nchown bob:bob /home/bob/.ssh/authorized_keys\n"
        "chmod 600 /home/bob/.ssh/authorized_keys", expect="pass", kind="control", platforms=("debian13",)),
    B14("b14-d13-ctl-sshd-sysctl", "control", "Debian 13: sshd + sysctl hardening",
        "sed -i '1i ClientAliveInterval 300\\nMaxAuthTries 4\\nAllowAgentForwarding no\\nPermitEmptyPasswords no' "
        "/etc/ssh/sshd_config\n/usr/sbin/sshd -t\n"
        "printf 'kernel.kptr_restrict = 2\\nkernel.dmesg_restrict = 1\\nfs.suid_dumpable = 0\\n' "
        "> /etc/sysctl.d/99-hardening.conf", expect="pass", kind="control", platforms=("debian13",)),
)

ALL = FAULTS + CONTROLS


def for_platform(platform: str) -> list[B14]:
    return [f for f in ALL if platform in f.platforms]
