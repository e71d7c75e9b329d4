"""blind11's faults, written blind (before reading the gate's code, docs/promises.md or earlier rounds' fault files).

Each is a root ``sh -e`` script run by ``docker exec`` after a clean deploy (placeholders as the catalogue's:
{root} {app_user} {app_group} {login} {deploy_user} {vhost} {site} {prev_site} {live} {prev} {release} {package}
...). Families (the brief's): (a) mechanisms disabled by configuration, (b) broken rollback targets, (c) security
regressions in Apache/mod_wsgi/sshd/sudo/PAM, (d) code-loading paths nobody listed, (e) grants drift.
``promise`` holds the family letter and a short class name (for the tables), not a gate promise id.

PLAIN: run with no allowance. ALLOWED: run with ALLOW_KEYS in targets.toml (each fault is something the user allowed
plus a drift next to it). BENIGN: ordinary admin work a clean server sees; the gate must pass (or name an allowance).
"""
from deploytests.faults.catalogue import Fault

DATA = "{root}/shared/data"
GRACEFUL = "apache2ctl graceful; sleep 1"
HUP_SSHD = "kill -HUP $(pgrep -o -x sshd); sleep 1"
APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
# a POSIX ACL entry user:<uid>:rwx on a path without the acl package (system.posix_acl_access, version 2)
ACL = ("python3 -c \"import os,pwd,struct,sys; p=sys.argv[1]; u=pwd.getpwnam(sys.argv[2]).pw_uid; "
       "e=[(1,7,0xffffffff),(2,7,u),(4,5,0xffffffff),(0x10,7,0xffffffff),(0x20,5,0xffffffff)]; "
       "os.setxattr(p,'system.posix_acl_access',struct.pack('<I',2)+b''.join(struct.pack('<HHI',*x) for x in e))\" ")

PLAIN = [
    # -- (a) mechanisms disabled by configuration ----------------------------------------------------------------
    Fault("p01-wsgi-script-reloading-off", "a/reload-disabled",
          "WSGIScriptReloading Off added to the stock mods-available/wsgi.conf: touching application.wsgi (the deploy's "
          "and rollback's reload) no longer restarts the app's daemons",
          "sed -i 's|^</IfModule>|    WSGIScriptReloading Off\\n</IfModule>|' /etc/apache2/mods-available/wsgi.conf; "
          "grep -q 'WSGIScriptReloading Off' /etc/apache2/mods-available/wsgi.conf; " + GRACEFUL),
    Fault("p02-daemon-python-path-pinned", "a/rollback-loads-other",
          "the vhost's WSGIDaemonProcess given python-path= the kept previous release's site-packages: every later "
          "deploy or rollback runs that release's code while X-Deploy-Release names the new one",
          "sed -i 's| python-home=| python-path={prev_site} python-home=|' {vhost}; grep -q 'python-path=' {vhost}; "
          + GRACEFUL),
    Fault("p03-public-maintenance-loopback-passes", "a/health-gate-bypassed",
          "a maintenance snippet left on: every client but loopback gets 503, so the deploy's health gate (which GETs "
          "127.0.0.1) passes while the public sees nothing of the release",
          "a2enmod -q rewrite; printf 'RewriteEngine On\\nRewriteOptions InheritDown\\n"
          "RewriteCond %%{{REMOTE_ADDR}} !^127\\\\.0\\\\.0\\\\.1$\\nRewriteRule ^ - [R=503,L]\\n' "
          "> /etc/apache2/conf-available/maintenance.conf; a2enconf -q maintenance; " + GRACEFUL),
    Fault("p25-apt-unauthenticated", "a/tool-guard-off",
          "apt's signature checks switched off (AllowUnauthenticated, AllowInsecureRepositories) in apt.conf.d: root's "
          "apt installs packages nobody signed",
          "printf 'APT::Get::AllowUnauthenticated \"true\";\\nAcquire::AllowInsecureRepositories \"true\";\\n"
          "Acquire::AllowDowngradeToInsecureRepositories \"true\";\\n' > /etc/apt/apt.conf.d/99-mirror-workaround"),
    Fault("p04-sshd-strictmodes-off-keys-group-writable", "a/tool-guard-off",
          "sshd's StrictModes off and the admin login's authorized_keys group-writable by the app group: the app user "
          "adds a key to a login with sudo",
          "sed -i 's/^PubkeyAuthentication yes/PubkeyAuthentication yes\\nStrictModes no/' /etc/ssh/sshd_config; "
          "h=$(getent passwd {login} | cut -d: -f6); chgrp {app_group} $h/.ssh $h/.ssh/authorized_keys; "
          "chmod 0770 $h/.ssh; chmod 0660 $h/.ssh/authorized_keys; " + HUP_SSHD),
    # -- (b) broken rollback targets ------------------------------------------------------------------------------
    Fault("p20-prev-package-is-live", "b/rollback-loads-other",
          "the kept previous release's package dir replaced by a link to the live release's: a rollback reports the old "
          "release but runs the new code",
          "rm -rf {prev_site}/{package}; ln -s {site}/{package} {prev_site}/{package}; "
          "chown -h {deploy_user}:{deploy_user} {prev_site}/{package}"),
    Fault("p21-prev-site-packages-moved", "b/rollback-wont-load",
          "the kept previous release's lib/python3.X renamed to another Python's: it looks complete but a rollback "
          "cannot import it",
          "mv {root}/releases/{prev}/venv/lib/python{python_version} {root}/releases/{prev}/venv/lib/python3.99"),
    Fault("p22-prev-data-link-stale", "b/rollback-loads-other",
          "the kept previous release's data link repointed to a stale copy of the shared data: after a rollback the app "
          "reads and writes an old copy",
          "cp -a {root}/shared/data {root}/shared/data-2026-11; ln -sfn {root}/shared/data-2026-11 "
          "{root}/releases/{prev}/data; chown -h {deploy_user}:{app_group} {root}/releases/{prev}/data"),
    Fault("p23-prev-release-root-only", "b/rollback-wont-load",
          "the kept previous release chowned to root and closed (an operator's chown -R of old releases): the app user "
          "cannot read it after a rollback",
          "chown -R root:root {root}/releases/{prev}; chmod -R go-rwx {root}/releases/{prev}"),
    # -- (c) security regressions in Apache / mod_wsgi / sshd / sudo / PAM ------------------------------------------
    Fault("p05-sshd-keys-command-app-file", "c/sshd",
          "sshd's AuthorizedKeysCommand reads keys from the app's shared data: the app user decides who logs in as any "
          "account (the admin login included)",
          "mkdir -p " + DATA + "/keys; chown {app_user}:{app_group} " + DATA + "/keys; "
          "printf 'AuthorizedKeysCommand /bin/cat " + DATA + "/keys/%%u\\nAuthorizedKeysCommandUser nobody\\n' "
          ">> /etc/ssh/sshd_config; chmod o+x {root} {root}/shared " + DATA + "; chmod o+rx " + DATA + "/keys; "
          + HUP_SSHD),
    Fault("p06-sudo-user-alias-apache2ctl", "c/sudo",
          "a sudoers rule through a User_Alias lets the app user run apache2ctl as root with any arguments",
          "printf 'User_Alias WEBAPP = {app_user}\\nWEBAPP ALL=(root) NOPASSWD: /usr/sbin/apache2ctl\\n' "
          "> /etc/sudoers.d/webapp-reload; chmod 0440 /etc/sudoers.d/webapp-reload; visudo -c >/dev/null"),
    Fault("p07-root-password-empty", "c/pam",
          "root's password emptied (passwd -d; Debian's common-auth has nullok): any account, the app user too, su's "
          "to root without a password",
          "passwd -d root >/dev/null"),
    Fault("p08-server-status-public", "c/apache",
          "mod_status's /server-status opened to everyone (stock status.conf's Require local -> all granted): the "
          "public reads every client's request line",
          "sed -i 's/Require local/Require all granted/' /etc/apache2/mods-available/status.conf; "
          "grep -q 'Require all granted' /etc/apache2/mods-available/status.conf; " + GRACEFUL),
    Fault("p09-trace-enabled", "c/apache",
          "TraceEnable On in the stock security.conf: TRACE echoes a request's cookies and Authorization (XST)",
          "sed -i 's/^TraceEnable Off/TraceEnable On/' /etc/apache2/conf-available/security.conf; "
          "grep -q '^TraceEnable On' /etc/apache2/conf-available/security.conf; " + GRACEFUL),
    Fault("p10-apache-run-group-app", "c/apache",
          "APACHE_RUN_GROUP set to the app's group in envvars: every Apache child (all sites) holds the app's group and "
          "reads its config and data",
          "sed -i 's/^export APACHE_RUN_GROUP=www-data/export APACHE_RUN_GROUP={app_group}/' /etc/apache2/envvars; "
          "apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); "
          "done; apache2ctl start; sleep 1"),
    Fault("p11-embedded-wsgi-script-in-data", "c/mod_wsgi",
          "a WSGIScriptAlias to a script in the app's shared data, without a process group: mod_wsgi runs the app "
          "user's file in embedded mode, inside Apache's own children",
          "printf 'def application(e, s):\\n    s(\"200 OK\", [])\\n    return [b\"ok\"]\\n' > " + DATA + "/ops.wsgi; "
          "chown {app_user}:{app_group} " + DATA + "/ops.wsgi; chmod o+x {root} {root}/shared " + DATA + "; "
          "chmod o+r " + DATA + "/ops.wsgi; printf 'WSGIScriptAlias /ops " + DATA + "/ops.wsgi\\n<Directory " + DATA
          + ">\\n    Require all granted\\n</Directory>\\n' > /etc/apache2/conf-available/ops.conf; "
          "a2enconf -q ops; " + GRACEFUL),
    # -- (d) code-loading paths nobody listed ----------------------------------------------------------------------
    Fault("p12-envvars-pythonpath-data", "d/interpreter-env",
          "PYTHONPATH pointing into the app's shared data exported in Apache's envvars: the app's daemons import "
          "whatever the app user leaves there, across every deploy and rollback",
          "echo 'export PYTHONPATH=" + DATA + "/lib' >> /etc/apache2/envvars; mkdir -p " + DATA + "/lib; "
          "chown {app_user}:{app_group} " + DATA + "/lib; apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && "
          "[ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; apache2ctl start; sleep 1"),
    Fault("p13-etc-environment-pythonpath", "d/interpreter-env",
          "PYTHONPATH into the app's shared data in /etc/environment: root's su/login sessions (pam_env) import the app "
          "user's modules",
          "mkdir -p " + DATA + "/lib; chown {app_user}:{app_group} " + DATA + "/lib; "
          "echo 'PYTHONPATH=" + DATA + "/lib' >> /etc/environment"),
    Fault("p14-sitecustomize-adds-data", "d/interpreter-config",
          "Debian's /etc/python3.X/sitecustomize.py adds a site dir in the app's shared data: every root python3 "
          "processes the app user's .pth files",
          "mkdir -p " + DATA + "/site; chown {app_user}:{app_group} " + DATA + "/site; "
          "printf '\\nimport site\\nsite.addsitedir(\"" + DATA + "/site\")\\n' >> /etc/python{python_version}/sitecustomize.py"),
    Fault("p15-openssl-include-data", "d/library-config",
          "the system openssl.cnf .include's a file in the app's shared data: root's openssl/curl/apt load engines the "
          "app user names",
          "touch " + DATA + "/tls.cnf; chown {app_user}:{app_group} " + DATA + "/tls.cnf; "
          "printf '\\n.include " + DATA + "/tls.cnf\\n' >> /etc/ssl/openssl.cnf"),
    Fault("p16-ld-so-conf-data", "d/library-config",
          "an ld.so.conf.d file naming a dir in the app's shared data (ldconfig run): root's binaries resolve shared "
          "libraries the app user leaves there",
          "mkdir -p " + DATA + "/lib64; chown {app_user}:{app_group} " + DATA + "/lib64; "
          "echo '" + DATA + "/lib64' > /etc/ld.so.conf.d/zz-app.conf; ldconfig"),
    # -- (e) grants drift ------------------------------------------------------------------------------------------
    Fault("p17-acl-apache-conf-enabled", "e/acl",
          "a POSIX ACL gives the app user rwx on /etc/apache2/conf-enabled (mode bits unchanged but the mask): the app "
          "user writes config root's Apache loads",
          ACL + "/etc/apache2/conf-enabled {app_user}"),
    Fault("p18-tar-cap-dac-read-search", "e/capability",
          "cap_dac_read_search=ep on /usr/bin/tar (a backup shortcut): every user reads every file (/etc/shadow, the "
          "app's config)",
          "setcap cap_dac_read_search=ep /bin/tar"),
    Fault("p19-sudo-runas-alias-tar", "e/sudo",
          "a sudoers rule through a Runas_Alias lets the app's group run tar as the admin login: the app user becomes "
          "that login (tar --checkpoint-action), then root",
          "printf 'Runas_Alias BACKUP = {login}\\n%%{app_group} ALL=(BACKUP) NOPASSWD: /bin/tar\\n' > "
          "/etc/sudoers.d/app-backup; chmod 0440 /etc/sudoers.d/app-backup; visudo -c >/dev/null"),
]

ALLOW_KEYS = "\n".join([
    'allow_groups = ["{app_user}: adm"]',
    'allow_cron = ["/etc/cron.d/app-backup"]',
    'allow_sites = ["status.example.com"]',
    'allow_apache_conf = ["/etc/apache2/conf-enabled/ops.conf"]',
    'allow_processes = ["www-data: /usr/bin/python3 /opt/metrics/exporter.py"]',
    'allow_listen = ["localhost:11211 memcache /usr/bin/memcached", "localhost:9200 www-data /opt/metrics/exporter.py"]',
    'allow_sudo = ["{app_user} ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful"]',
])
# the allowed state each allowed fault starts from (benign with ALLOW_KEYS; the fault adds the drift)
BASE = {
    "groups": "usermod -aG adm {app_user}",
    "cron": "mkdir -p /etc/cron.d; printf 'SHELL=/bin/sh\\n15 3 * * * {app_user} cd {root}/current && venv/bin/python -c \"print(1)\"\\n' "
            "> /etc/cron.d/app-backup; chmod 0644 /etc/cron.d/app-backup",
    "sites": "mkdir -p /var/www/status && echo ok > /var/www/status/index.html; printf '<VirtualHost *:80>\\n"
             "    ServerName status.example.com\\n    DocumentRoot /var/www/status\\n    <Directory /var/www/status>\\n"
             "        Require all granted\\n    </Directory>\\n</VirtualHost>\\n' > /etc/apache2/sites-available/"
             "status.conf; a2ensite -q status",
    "conf": "printf 'Header always set X-Content-Type-Options nosniff\\n' > /etc/apache2/conf-available/ops.conf; "
            "a2enmod -q headers; a2enconf -q ops",
    "process": "mkdir -p /opt/metrics; printf 'import http.server, socketserver\\nclass H(http.server.BaseHTTPRequestHandler):\\n"
               "    def do_GET(self):\\n        self.send_response(200); self.end_headers(); self.wfile.write(b\"up 1\\\\n\")\\n"
               "socketserver.TCPServer((\"127.0.0.1\", 9200), H).serve_forever()\\n' > /opt/metrics/exporter.py; "
               "chmod 0644 /opt/metrics/exporter.py",
    "start_exporter": "(cd / && setsid runuser -u www-data -- /usr/bin/python3 /opt/metrics/exporter.py </dev/null "
                      ">/dev/null 2>&1 &); i=0; until grep -q ':23F0 ' /proc/net/tcp || [ $i -ge 100 ]; do sleep 0.1; "
                      "i=$((i+1)); done",
    "sudo": "printf '{app_user} ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful\\n' > /etc/sudoers.d/app-reload; "
            "chmod 0440 /etc/sudoers.d/app-reload",
}

ALLOWED = [
    Fault("a01-adm-group-writes-apache-conf", "e/group-allowed",
          "the app user is in adm (allowed: it reads logs); a stock Apache conf made group adm-writable: the app user "
          "writes config root's Apache loads",
          BASE["groups"] + "; chgrp adm /etc/apache2/conf-available/other-vhosts-access-log.conf; "
          "chmod g+w /etc/apache2/conf-available/other-vhosts-access-log.conf"),
    Fault("a02-allowed-cron-path-into-data", "d/cron-allowed",
          "the allowed cron file also sets PATH with the app's shared data first and runs a root tar job: root's cron "
          "runs the app user's 'tar'",
          BASE["cron"] + "; mkdir -p " + DATA + "/bin; chown {app_user}:{app_group} " + DATA + "/bin; "
          "printf 'PATH=" + DATA + "/bin:/usr/sbin:/usr/bin:/sbin:/bin\\n30 3 * * * root tar czf "
          "/var/backups/app-data.tgz -C {root}/shared data\\n' >> /etc/cron.d/app-backup"),
    Fault("a03-allowed-site-serves-app-data", "c/site-allowed",
          "the allowed status site's DocumentRoot moved to the app's shared data (granted): the public downloads the "
          "app's private data",
          BASE["sites"] + "; sed -i 's|/var/www/status|" + DATA + "|g' /etc/apache2/sites-available/status.conf; "
          "chmod o+x {root} {root}/shared " + DATA + "; chmod o+r " + DATA + "/visits; " + GRACEFUL),
    Fault("a04-allowed-conf-includes-data", "d/apache-conf-allowed",
          "the allowed ops.conf IncludeOptional's *.conf from the app's shared data: the app user writes config root's "
          "Apache loads",
          BASE["conf"] + "; mkdir -p " + DATA + "/apache; chown {app_user}:{app_group} " + DATA + "/apache; "
          "echo 'IncludeOptional " + DATA + "/apache/*.conf' >> /etc/apache2/conf-available/ops.conf; " + GRACEFUL),
    Fault("a05-allowed-process-dir-app-writable", "e/process-allowed",
          "the allowed www-data exporter's directory /opt/metrics group-writable by the app's group: the app user drops "
          "a module its python imports first (sys.path[0])",
          BASE["process"] + "; chgrp {app_group} /opt/metrics; chmod 2775 /opt/metrics; " + BASE["start_exporter"]),
    Fault("a06-allowed-memcached-public", "c/listen-allowed",
          "memcached (allowed on localhost) started on every address: anyone reads and writes the cache",
          APT.format(pkgs="memcached") + "; pkill -x memcached || true; sleep 0.5; "
          "memcached -d -u memcache -l 0.0.0.0 -p 11211; i=0; until grep -q ':2BCB ' /proc/net/tcp || [ $i -ge 100 ]; "
          "do sleep 0.1; i=$((i+1)); done"),
    Fault("a07-allowed-sudo-keeps-apache-env", "c/sudo-allowed",
          "the allowed 'apache2ctl graceful' rule plus Defaults env_keep of APACHE_ARGUMENTS/APACHE_ENVVARS: the app "
          "user points root's apache2ctl at its own config or shell file",
          BASE["sudo"] + "; printf 'Defaults:{app_user} env_keep += \"APACHE_ARGUMENTS APACHE_ENVVARS\"\\n' > "
          "/etc/sudoers.d/app-reload-env; chmod 0440 /etc/sudoers.d/app-reload-env; visudo -c >/dev/null"),
    Fault("a08-allowed-exporter-pythonpath", "d/process-allowed",
          "the allowed www-data exporter started with PYTHONPATH in the app's shared data: it imports the app user's "
          "modules",
          BASE["process"] + "; mkdir -p " + DATA + "/lib; chown {app_user}:{app_group} " + DATA + "/lib; "
          + BASE["start_exporter"].replace("runuser -u www-data -- ", "runuser -u www-data -- env PYTHONPATH=" + DATA
                                             + "/lib ")),
]

CONTROLS = [
    Fault("b01-memcached-localhost", "benign", "memcached installed as Debian ships it (127.0.0.1:11211, memcache)",
          APT.format(pkgs="memcached") + "; pgrep -x memcached || memcached -d -u memcache -l 127.0.0.1 -p 11211; "
          "i=0; until grep -q ':2BCB ' /proc/net/tcp || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done"),
    Fault("b02-logrotate-app-logs", "benign", "logrotate installed and a rule for the app's logs (su to the app user)",
          APT.format(pkgs="logrotate") + "; mkdir -p " + DATA + "/logs; chown {app_user}:{app_group} " + DATA + "/logs; "
          "printf '" + DATA + "/logs/*.log {{\\n    su {app_user} {app_group}\\n    weekly\\n    rotate 4\\n    compress\\n"
          "    missingok\\n    notifempty\\n    create 0640 {app_user} {app_group}\\n}}\\n' > /etc/logrotate.d/{app}; "
          "logrotate -d /etc/logrotate.conf >/dev/null 2>&1"),
    Fault("b03-admin-user-sudo", "benign", "an admin user (alice) in the sudo group with her SSH key",
          "useradd -m -s /bin/bash -G sudo alice; install -d -m 0700 -o alice -g alice /home/alice/.ssh; "
          "echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG8xJY1YkQpB8n7qZr0h5M5m5o9b0eQ0Qy2Yb5yq1y3u alice@laptop' > "
          "/home/alice/.ssh/authorized_keys; chown alice:alice /home/alice/.ssh/authorized_keys; "
          "chmod 0600 /home/alice/.ssh/authorized_keys"),
    Fault("b04-sysctl-tuning", "benign", "a sysctl tuning file (somaxconn, swappiness)",
          "printf 'net.core.somaxconn = 1024\\nvm.swappiness = 10\\n' > /etc/sysctl.d/60-tuning.conf"),
    Fault("b05-apt-backports-pinned", "benign", "Debian backports added with signed-by and pinned low",
          ". /etc/os-release; printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
          "http://deb.debian.org/debian %s-backports main\\n' $VERSION_CODENAME > /etc/apt/sources.list.d/backports.list; "
          "printf 'Package: *\\nPin: release a=%s-backports\\nPin-Priority: 100\\n' $VERSION_CODENAME > "
          "/etc/apt/preferences.d/backports"),
]
BENIGN = {f.id for f in CONTROLS}
# every allowed state of ALLOW_KEYS at once, without the drifts (run with ALLOW_KEYS: the gate must pass)
CONTROLS_ALLOWED = [
    Fault("b06-allowed-states", "benign", "the allowed states of ALLOW_KEYS, as an operator sets them up",
          "; ".join([BASE["groups"], BASE["cron"], BASE["sites"], BASE["conf"], BASE["process"], BASE["sudo"],
                     APT.format(pkgs="memcached"), "pgrep -x memcached || memcached -d -u memcache -l 127.0.0.1 "
                     "-p 11211", BASE["start_exporter"], GRACEFUL])),
]
BENIGN = {f.id for f in CONTROLS + CONTROLS_ALLOWED}
