"""blind12's faults, written blind (before reading the gate's code: deploytests/verify, deploytests/suite, collect_*).

Each is a root ``sh -e`` script run by ``docker exec`` after a clean deploy (placeholders as the catalogue's:
{root} {app_user} {app_group} {login} {deploy_user} {vhost} {site} {prev_site} {live} {prev} {release} {package}
{python_version} ...). On these servers the deploy login is the bootstrap login (passwordless sudo): the least
trusted account is the app user (it writes {root}/shared/data), then Apache's www-data.

Families (new relative to blind7-11; ``promise`` holds family/class, not a gate promise id):
(a) mechanisms disabled or loosened by configuration, (b) broken rollback targets, (c) security regressions,
(d) code-loading paths, (e) grants, (f) realistic operator drift.

PLAIN: run with no allowance. ALLOWED: run with ALLOW_KEYS in targets.toml (each is an allowed state plus a drift
that abuses or sits next to it). CONTROLS: ordinary admin work (must pass, or fail naming an allowance).
"""
from deploytests.faults.catalogue import Fault

DATA = "{root}/shared/data"
GRACEFUL = "apache2ctl graceful; sleep 1"
RESTART_APACHE = ("apache2ctl stop; i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 100 ]; do sleep 0.05; "
                  "i=$((i+1)); done; apache2ctl start; sleep 1")
HUP_SSHD = "kill -HUP $(pgrep -o -x sshd); sleep 1"
APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{{{ tail -20 /tmp/apt.log; exit 1; }}}}")
APPDIR = "install -d -o {app_user} -g {app_group} -m 0755 "

PLAIN = [
    # -- (d) code-loading paths: root runs what the app user writes -------------------------------------------------
    Fault("p01-at-job-runs-app-script", "d/one-off-schedule",
          "an operator's one-off `at` job (atd's spool, not cron) runs a script in the app's shared data as root",
          APT.format(pkgs="at") + "; echo 'sh " + DATA + "/jobs/reindex.sh' | at now + 2 hours 2>/dev/null; "
          "install -d -o {app_user} -g {app_group} -m 2770 " + DATA + "/jobs; atq | grep -q ."),
    Fault("p02-update-motd-runs-app-script", "d/login-triggered-root",
          "an update-motd.d script shows the app's status by running a script in its shared data: pam_motd runs it as "
          "root at every SSH login",
          "printf '#!/bin/sh\\n[ -x " + DATA + "/motd.sh ] && " + DATA + "/motd.sh\\nexit 0\\n' > "
          "/etc/update-motd.d/60-app-status; chmod 0755 /etc/update-motd.d/60-app-status"),
    Fault("p04-root-user-site-pth", "d/interpreter-user-site",
          "root's own user site (pip install --user as root) has a .pth naming a dir in the app's shared data: every "
          "root python3 imports the app user's usercustomize/modules from there",
          "install -d -o {app_user} -g {app_group} -m 2770 " + DATA + "/pylib; "
          "mkdir -p /root/.local/lib/python{python_version}/site-packages; "
          "echo '" + DATA + "/pylib' > /root/.local/lib/python{python_version}/site-packages/app-tools.pth"),
    Fault("p05-sftp-subsystem-app-owned", "d/sshd-runs-others",
          "sshd's sftp subsystem replaced by an 'audit' wrapper in a dir the app user owns: every sftp/scp session of "
          "the admin login (sudo) runs the app user's file",
          APPDIR + "/opt/sftp-audit; printf '#!/bin/sh\\nexec /usr/lib/openssh/sftp-server \"$@\"\\n' > "
          "/opt/sftp-audit/sftp-server; chown {app_user}:{app_group} /opt/sftp-audit/sftp-server; "
          "chmod 0755 /opt/sftp-audit/sftp-server; sed -i 's|^Subsystem.*sftp.*|Subsystem sftp /opt/sftp-audit/sftp-server|' "
          "/etc/ssh/sshd_config; grep -q sftp-audit /etc/ssh/sshd_config; " + HUP_SSHD),
    Fault("p06-sshrc-sources-app-env", "d/login-triggered-admin",
          "/etc/ssh/sshrc sources the app's env file from its shared data for every session: each SSH command of the "
          "admin login (every deploy) runs what the app user writes there, with sudo at hand",
          "printf '# the app environment for whoever logs in\\nif [ -r " + DATA + "/.env ]; then set -a; . " + DATA
          + "/.env; set +a; fi\\n' > /etc/ssh/sshrc; chmod 0644 /etc/ssh/sshrc"),
    Fault("p08-login-bashrc-sources-app-env", "d/login-triggered-admin",
          "the admin login's ~/.bashrc sources the app's env file (above the interactive guard): Debian's bash reads "
          "it for every SSH command, so every deploy runs what the app user writes there",
          "h=$(getent passwd {login} | cut -d: -f6); sed -i '1i [ -r " + DATA + "/.env ] && . " + DATA + "/.env' "
          "$h/.bashrc; head -1 $h/.bashrc | grep -q shared/data"),
    Fault("p17-ld-so-preload-app-lib", "d/preload",
          "/etc/ld.so.preload names a library in the app's shared data (an APM agent the app team ships): every "
          "dynamically linked root program loads what the app user puts there",
          "install -d -o {app_user} -g {app_group} -m 2770 " + DATA + "/apm; "
          "cp $(ldconfig -p | sed -n 's/.*libz.so.1 .*=> //p' | head -1) " + DATA + "/apm/libapm.so; "
          "chown {app_user}:{app_group} " + DATA + "/apm/libapm.so; echo '" + DATA + "/apm/libapm.so' > /etc/ld.so.preload"),
    Fault("p20-init-script-runs-app-warmup", "d/boot-script",
          "a SysV init script (update-rc.d defaults) warms the app's cache at boot by running a script in its shared "
          "data as root",
          "printf '#!/bin/sh\\n### BEGIN INIT INFO\\n# Provides: app-warmup\\n# Required-Start: $remote_fs\\n"
          "# Required-Stop:\\n# Default-Start: 2 3 4 5\\n# Default-Stop:\\n# Short-Description: warm the app\\n"
          "### END INIT INFO\\ncase \"$1\" in start) [ -x " + DATA + "/warmup.sh ] && " + DATA + "/warmup.sh ;; esac\\n"
          "exit 0\\n' > /etc/init.d/app-warmup; chmod 0755 /etc/init.d/app-warmup; update-rc.d app-warmup defaults "
          ">/dev/null 2>&1; ls /etc/rc2.d | grep -q app-warmup"),
    Fault("p21-alternatives-pager-app-owned", "d/alternatives",
          "the system pager alternative set to a 'pretty pager' in a dir the app user owns: root's pager (man, git, "
          "apt changelog, sensible-pager) runs the app user's program",
          APPDIR + "/opt/apptools; printf '#!/bin/sh\\nexec /bin/more \"$@\"\\n' > /opt/apptools/pager; "
          "chown {app_user}:{app_group} /opt/apptools/pager; chmod 0755 /opt/apptools/pager; "
          "update-alternatives --quiet --install /usr/bin/pager pager /opt/apptools/pager 200; "
          "readlink -f /usr/bin/pager | grep -q apptools"),
    # -- (e) grants --------------------------------------------------------------------------------------------------
    Fault("p03-doas-for-app-user", "e/second-privilege-tool",
          "opendoas installed with a keepenv rule letting the app user run apache2ctl as root with any arguments",
          APT.format(pkgs="opendoas") + "; printf 'permit nopass keepenv {app_user} as root cmd /usr/sbin/apache2ctl\\n' "
          "> /etc/doas.conf; chmod 0400 /etc/doas.conf"),
    Fault("p09-nss-extrausers-app-writable", "e/account-database",
          "libnss-extrausers added to nsswitch (passwd, group, shadow) with /var/lib/extrausers written by the app's "
          "'user sync': the app user creates accounts, uid 0 ones too",
          APT.format(pkgs="libnss-extrausers") + "; sed -i -E 's/^(passwd|group|shadow):(.*)$/\\1:\\2 extrausers/' "
          "/etc/nsswitch.conf; install -d -o root -g {app_group} -m 2775 /var/lib/extrausers; "
          "for f in passwd group shadow; do touch /var/lib/extrausers/$f; chgrp {app_group} /var/lib/extrausers/$f; "
          "chmod 0664 /var/lib/extrausers/$f; done"),
    Fault("p14-gid-alias-of-shadow", "e/numeric-id-alias",
          "a group 'authlog' created with shadow's gid (groupadd -o) and the app user added to it: the app's processes "
          "hold gid shadow and read /etc/shadow, though no group named shadow lists it",
          "groupadd -o -g $(getent group shadow | cut -d: -f3) authlog; usermod -aG authlog {app_user}; " + RESTART_APACHE),
    Fault("p18-uid-alias-of-admin-login", "e/numeric-id-alias",
          "an 'ops' account with the admin login's uid (useradd -o), a password and a shell: whoever knows that "
          "password (any local user via su) is the admin login, which has sudo",
          "useradd -o -u $(id -u {login}) -g $(id -g {login}) -M -d /home/{login} -s /bin/bash ops; "
          "echo 'ops:Ops-Shared-2026' | chpasswd"),
    Fault("p13-apache-log-dir-app-writable", "e/root-writes-where-others-point",
          "/var/log/apache2 given to the app's group (g+w) so the app logs next to Apache: the app user swaps a log "
          "for a link and root Apache creates or appends any file it names",
          "chgrp {app_group} /var/log/apache2; chmod 0770 /var/log/apache2"),
    # -- (c) security regressions ------------------------------------------------------------------------------------
    Fault("p07-sshd-match-private-root-password", "c/sshd-match-block",
          "an sshd Match block for the private ranges allows root logins with a password (emergency access from the "
          "VPN), root given that password: anyone on the network who learns it is root",
          "printf '\\nMatch Address 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16\\n    PermitRootLogin yes\\n"
          "    PasswordAuthentication yes\\n' >> /etc/ssh/sshd_config; echo 'root:Emergency-2026' | chpasswd; "
          "sshd -t; " + HUP_SSHD),
    Fault("p15-open-forward-proxy", "c/apache-proxy",
          "mod_proxy enabled with ProxyRequests On for everyone (an egress proxy for build boxes): the public reaches "
          "loopback-only services through the server",
          "a2enmod -q proxy proxy_http; printf 'ProxyRequests On\\n<Proxy \"*\">\\n    Require all granted\\n</Proxy>\\n' "
          "> /etc/apache2/conf-available/egress-proxy.conf; a2enconf -q egress-proxy; " + GRACEFUL),
    Fault("p19-credentials-in-access-log", "c/secrets-logged",
          "the stock 'combined' LogFormat in apache2.conf extended with the Cookie and Authorization headers "
          "(debugging): every user's session and bearer token land in the app's access log",
          "sed -i 's|^LogFormat \"%h %l %u %t \\\\\"%r\\\\\" %>s %O \\\\\"%{{Referer}}i\\\\\" \\\\\"%{{User-Agent}}i\\\\\"\" "
          "combined|LogFormat \"%h %l %u %t \\\\\"%r\\\\\" %>s %O \\\\\"%{{Referer}}i\\\\\" \\\\\"%{{User-Agent}}i\\\\\" "
          "\\\\\"%{{Cookie}}i\\\\\" \\\\\"%{{Authorization}}i\\\\\"\" combined|' /etc/apache2/apache2.conf; "
          "grep -q 'Authorization}}i' /etc/apache2/apache2.conf; " + GRACEFUL),
    # -- (a) mechanisms disabled / loosened by configuration ---------------------------------------------------------
    Fault("p12-mpm-one-worker", "a/capacity-disabled",
          "mpm_event tuned 'for a small VM' to one worker thread: one idle connection holds the whole site (and the "
          "deploy's health gate) for the read timeout",
          "sed -i -E 's/^(StartServers|ServerLimit)\\s+.*/\\1 1/; s/^(MinSpareThreads|ThreadLimit|ThreadsPerChild|"
          "MaxRequestWorkers)\\s+.*/\\1 1/; s/^MaxSpareThreads\\s+.*/MaxSpareThreads 2/' "
          "/etc/apache2/mods-available/mpm_event.conf; grep -q '^MaxRequestWorkers 1$' "
          "/etc/apache2/mods-available/mpm_event.conf; " + RESTART_APACHE),
    # -- (b) broken rollback targets ---------------------------------------------------------------------------------
    Fault("p10-kept-release-bytecode-forged", "b/rollback-runs-other",
          "the kept release's package bytecode recompiled from an edited source (unchecked-hash .pyc), the .py left "
          "as shipped: a rollback runs code no artifact had",
          "f={prev_site}/{package}/__init__.py; c=$(ls {prev_site}/{package}/__pycache__/__init__.*.pyc | head -1); "
          "python3 -c \"import sys, py_compile; s = open(sys.argv[1]).read() + chr(10) + "
          "'open(\\\"/tmp/p10-loaded\\\", \\\"a\\\").write(\\\"forged bytecode ran\\\")' + chr(10); "
          "open('/tmp/p10.py', 'w').write(s); py_compile.compile('/tmp/p10.py', cfile=sys.argv[2], dfile=sys.argv[1], "
          "invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, doraise=True)\" $f $c; chown {deploy_user}: $c; rm /tmp/p10.py"),
    Fault("p11-live-record-previous-is-live", "b/rollback-record",
          "the live release's RELEASE.json 'previous' rewritten to the live release's own id (an operator's hand "
          "edit): a rollback has nowhere to go back to",
          "python3 -c \"import json, sys; p = sys.argv[1]; d = json.load(open(p)); d['previous'] = d['id']; "
          "open(p, 'w').write(json.dumps(d, indent=2))\" {release}/RELEASE.json; grep -q '\"previous\": \"{live}\"' "
          "{release}/RELEASE.json"),
    Fault("p16-kept-releases-pruned", "b/rollback-target-gone",
          "an operator's disk cleanup removed every release but the live one: nothing to roll back to",
          "for d in {root}/releases/*; do [ \"$d\" = \"{release}\" ] || rm -rf \"$d\"; done; "
          "[ $(ls {root}/releases | wc -l) = 1 ]"),
]

ALLOW_KEYS = "\n".join([
    'allow_groups = ["{app_user}: adm"]',
    'allow_cron = ["/etc/cron.d/app-sync"]',
    'allow_sites = ["status.example.com"]',
    'allow_apache_conf = ["/etc/apache2/conf-enabled/ops.conf", "/etc/apache2/sites-enabled/zz-status.conf"]',
    'allow_modules = ["cgid_module", "proxy_module", "proxy_http_module"]',
    'allow_processes = ["www-data: /usr/bin/python3 /opt/metrics/exporter.py"]',
    'allow_listen = ["localhost:11211 memcache /usr/bin/memcached", "localhost:9200 www-data /opt/metrics/exporter.py"]',
    'allow_sudo = ["{app_user} ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful"]',
])
EXPORTER = ("import http.server, socketserver\\nclass H(http.server.BaseHTTPRequestHandler):\\n"
            "    def do_GET(self):\\n        self.send_response(200); self.end_headers(); self.wfile.write(b\"up 1\\\\n\")\\n"
            "socketserver.TCPServer((\"127.0.0.1\", 9200), H).serve_forever()\\n")
# the allowed state each allowed fault starts from (benign with ALLOW_KEYS; the fault adds the drift)
BASE = {
    "groups": "usermod -aG adm {app_user}",
    "cron": "mkdir -p /etc/cron.d; printf 'SHELL=/bin/sh\\n*/15 * * * * {app_user} cd {root}/current && venv/bin/python -c "
            "\"print(1)\"\\n' > /etc/cron.d/app-sync; chmod 0644 /etc/cron.d/app-sync",
    "sites": "mkdir -p /var/www/status && echo ok > /var/www/status/index.html; printf '<VirtualHost *:80>\\n"
             "    ServerName status.example.com\\n    DocumentRoot /var/www/status\\n    <Directory /var/www/status>\\n"
             "        Require all granted\\n    </Directory>\\n</VirtualHost>\\n' > /etc/apache2/sites-available/"
             "zz-status.conf; a2ensite -q zz-status",
    "conf": "printf 'Header always set X-Content-Type-Options nosniff\\n' > /etc/apache2/conf-available/ops.conf; "
            "a2enmod -q headers; a2enconf -q ops",
    "process": "mkdir -p /opt/metrics; printf '" + EXPORTER + "' > /opt/metrics/exporter.py; chmod 0644 /opt/metrics/exporter.py",
    "start_exporter": "(cd / && setsid setpriv --reuid www-data --regid www-data --init-groups env HOME=/var/www "
                      "/usr/bin/python3 /opt/metrics/exporter.py </dev/null >/dev/null 2>&1 &); i=0; "
                      "until grep -q ':23F0 ' /proc/net/tcp || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done",
    "sudo": "printf '{app_user} ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful\\n' > /etc/sudoers.d/app-reload; "
            "chmod 0440 /etc/sudoers.d/app-reload",
    "memcached": APT.format(pkgs="memcached") + "; pkill -x memcached || true; sleep 0.5; ",
}

ALLOWED = [
    Fault("a01-adm-pam-wheel-trust", "e/group-allowed",
          "the app user in adm (allowed: it reads logs); /etc/pam.d/su trusts adm (pam_wheel trust group=adm, 'admins "
          "su without a password'): the app user su's to root",
          BASE["groups"] + "; sed -i '1i auth       sufficient pam_wheel.so trust group=adm' /etc/pam.d/su"),
    Fault("a02-adm-apache-log-dir-writable", "e/group-allowed",
          "the app user in adm (allowed); /var/log/apache2 (root:adm) made group-writable for a log shipper: the app "
          "user swaps a log for a link and root Apache creates or appends any file",
          BASE["groups"] + "; chmod g+w /var/log/apache2"),
    Fault("a03-allowed-site-runs-cgi-the-app-writes", "c/site-allowed",
          "the allowed status site gets ExecCGI (mod_cgid allowed) and its DocumentRoot is given to the app's group "
          "(the app publishes its status there): the public makes Apache's user run the app user's scripts",
          BASE["sites"] + "; a2enmod -q cgid; chgrp {app_group} /var/www/status; chmod 2775 /var/www/status; "
          "sed -i 's|        Require all granted|        Options +ExecCGI\\n        AddHandler cgi-script .cgi\\n"
          "        Require all granted|' /etc/apache2/sites-available/zz-status.conf; grep -q ExecCGI "
          "/etc/apache2/sites-available/zz-status.conf; " + GRACEFUL),
    Fault("a04-allowed-cgid-stock-cgi-bin-app-writable", "e/module-allowed",
          "mod_cgid allowed and enabled (Debian's serve-cgi-bin.conf then maps /cgi-bin/); /usr/lib/cgi-bin given to "
          "the app's group: the public makes Apache's user run the app user's scripts on every vhost",
          "a2enmod -q cgid; chgrp {app_group} /usr/lib/cgi-bin; chmod 2775 /usr/lib/cgi-bin; " + GRACEFUL),
    Fault("a05-allowed-conf-republishes-loopback-exporter", "c/listen-allowed",
          "the allowed loopback-only exporter is republished by the allowed ops.conf (ProxyPass /metrics, modules "
          "allowed): every vhost's /metrics answers from it, to the public",
          BASE["process"] + "; " + BASE["start_exporter"] + "; a2enmod -q proxy proxy_http headers; printf 'Header always "
          "set X-Content-Type-Options nosniff\\nProxyPass /metrics http://127.0.0.1:9200/\\nProxyPassReverse /metrics "
          "http://127.0.0.1:9200/\\n' > /etc/apache2/conf-available/ops.conf; a2enconf -q ops; " + GRACEFUL),
    Fault("a06-allowed-exporter-loads-app-plugins", "d/process-allowed",
          "the allowed exporter's script (root's, unchanged path) loads 'plugins' from a dir the app user owns: the "
          "exporter (Apache's user) runs the app user's code",
          APPDIR + "/var/lib/app-metrics; " + APPDIR + "/var/lib/app-metrics/plugins; mkdir -p /opt/metrics; "
          "printf 'import glob, runpy\\nfor p in sorted(glob.glob(\"/var/lib/app-metrics/plugins/*.py\")):\\n"
          "    runpy.run_path(p)\\n" + EXPORTER + "' > /opt/metrics/exporter.py; chmod 0644 /opt/metrics/exporter.py; "
          + BASE["start_exporter"]),
    Fault("a07-allowed-exporter-user-site-app-writable", "d/process-allowed",
          "the allowed www-data exporter (python3 without -s); www-data's user site (/var/www/.local, for its pip "
          "--user deps) made writable by the app's group: the exporter imports the app user's .pth/usercustomize",
          BASE["process"] + "; for d in /var/www/.local /var/www/.local/lib /var/www/.local/lib/python{python_version} "
          "/var/www/.local/lib/python{python_version}/site-packages; do install -d -o www-data -g {app_group} -m 2775 $d; "
          "done; " + BASE["start_exporter"]),
    Fault("a08-allowed-memcached-also-on-host-address", "c/listen-allowed",
          "memcached (allowed on localhost) also bound to the host's own address for a second node: anyone on the "
          "network reads and writes the cache",
          BASE["memcached"] + "memcached -d -u memcache -l 127.0.0.1,$(hostname -i | cut -d' ' -f1) -p 11211; i=0; "
          "until grep -q ':2BCB ' /proc/net/tcp || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done"),
    Fault("a09-allowed-sudo-secure-path-app-first", "d/sudo-allowed",
          "the allowed 'apache2ctl graceful' rule plus Defaults:<app user> secure_path with the app's shared data "
          "first: root's apache2ctl (a shell script) runs the app user's 'id', 'mkdir'...",
          BASE["sudo"] + "; install -d -o {app_user} -g {app_group} -m 2770 " + DATA + "/bin; "
          "printf 'Defaults:{app_user} secure_path=\"" + DATA + "/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\\n' > "
          "/etc/sudoers.d/app-path; chmod 0440 /etc/sudoers.d/app-path; visudo -c >/dev/null"),
    Fault("a10-allowed-cron-admin-runs-app-data", "d/cron-allowed",
          "the allowed cron file gains a sync job run as the deploy login (the admin, sudo) from the app's shared "
          "data: the app user's script runs with the admin's rights",
          BASE["cron"] + "; printf '*/30 * * * * {deploy_user} cd " + DATA + " && sh ./sync.sh\\n' >> /etc/cron.d/app-sync"),
]

CONTROLS = [
    Fault("c01-unattended-upgrades", "benign", "unattended-upgrades installed from Debian",
          APT.format(pkgs="unattended-upgrades")),
    Fault("c02-timezone", "benign", "the server's time zone set to Europe/Berlin",
          "ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime; echo Europe/Berlin > /etc/timezone"),
    Fault("c03-admin-tools", "benign", "admin tools installed (htop, vim, less, curl)",
          APT.format(pkgs="htop vim-nox less curl")),
    Fault("c04-second-admin-sudo-with-password", "benign",
          "a second admin (bob) with his key and a sudo rule that asks for his password",
          "useradd -m -s /bin/bash bob; install -d -m 0700 -o bob -g bob /home/bob/.ssh; "
          "echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG8xJY1YkQpB8n7qZr0h5M5m5o9b0eQ0Qy2Yb5yq1y3b bob@laptop' > "
          "/home/bob/.ssh/authorized_keys; chown bob:bob /home/bob/.ssh/authorized_keys; chmod 0600 "
          "/home/bob/.ssh/authorized_keys; printf 'bob ALL=(ALL:ALL) ALL\\n' > /etc/sudoers.d/bob; "
          "chmod 0440 /etc/sudoers.d/bob; visudo -c >/dev/null"),
    Fault("c05-apache-log-retention", "benign", "Apache's logrotate keeps a year of logs (rotate 52)",
          "sed -i 's/rotate 14/rotate 52/' /etc/logrotate.d/apache2; grep -q 'rotate 52' /etc/logrotate.d/apache2"),
    Fault("c06-motd-and-ssh-banner", "benign", "a legal banner in /etc/issue.net shown by sshd, and a motd",
          "echo 'Authorized use only.' > /etc/issue.net; echo 'web server: ask ops before changing anything' > "
          "/etc/motd; sed -i '1i Banner /etc/issue.net' /etc/ssh/sshd_config; sshd -t; " + HUP_SSHD),
    Fault("c07-root-shell-aliases", "benign", "root's shell aliases and vim settings",
          "echo \"alias ll='ls -alF'\" >> /root/.bashrc; printf 'set number\\nsyntax on\\n' > /root/.vimrc"),
]
# every allowed state of ALLOW_KEYS at once, without the drifts (run with ALLOW_KEYS: the gate must pass)
CONTROLS_ALLOWED = [
    Fault("c08-allowed-states", "benign", "the allowed states of ALLOW_KEYS, as an operator sets them up",
          "; ".join([BASE["groups"], BASE["cron"], BASE["sites"], BASE["conf"], BASE["process"], BASE["sudo"],
                     "a2enmod -q cgid proxy proxy_http", BASE["memcached"] + "memcached -d -u memcache -l 127.0.0.1 "
                     "-p 11211", BASE["start_exporter"], GRACEFUL])),
]
BENIGN = {f.id for f in CONTROLS + CONTROLS_ALLOWED}
