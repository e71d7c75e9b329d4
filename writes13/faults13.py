"""writes13: members of the three classes (where root's jobs write, links under a served root, an allowed sudo
wrapper forwarding its arguments), each behind an allowance as an ordinary ops team writes them, plus controls.

BASE: a backup cron job (root script, tar into root's /var/backups/app), a usage report cron job (root, du into
root's /var/log), a /tmp stamp job, two sudo rules for the app user (reload Apache; flush a cache), a status site
with an Alias /docs; all accounted for by ALLOW_KEYS. Each fault is one drift on top; ``effect`` runs after the
read-only gate, in the same container, as the less trusted account (runuser), and shows what it gets.
"""
from dataclasses import dataclass

from deploytests.faults.catalogue import Fault


@dataclass(frozen=True)
class F(Fault):
    effect: str = ""
    family: str = ""


APP = "runuser -u {app_user} -- "
GRACEFUL = "apache2ctl graceful; sleep 1"


def heredoc(path: str, text: str) -> str:
    return f"cat > {path} <<'EOF_W13'\n{text.rstrip()}\nEOF_W13\n"


BASE = (
    "mkdir -p /etc/cron.d /var/backups/app; chmod 0700 /var/backups/app\n"
    + heredoc("/usr/local/sbin/app-backup", "#!/bin/sh\nset -e\numask 077\n"
              "tar czf /var/backups/app/data.tgz -C {root}/shared data")
    + "chmod 0755 /usr/local/sbin/app-backup\n"
    + "echo '15 3 * * * root /usr/local/sbin/app-backup' > /etc/cron.d/app-backup\n"
    + "echo '30 2 * * * root du -sh {root}/shared/data > /var/log/app-usage.txt 2>&1' > /etc/cron.d/app-report\n"
    + "echo '0 4 * * * root date > /tmp/app-cron-stamp' > /etc/cron.d/tmp-stamp\n"
    + "chmod 0644 /etc/cron.d/app-backup /etc/cron.d/app-report /etc/cron.d/tmp-stamp\n"
    + heredoc("/usr/local/sbin/app-reload", "#!/bin/sh\nexec /usr/sbin/apache2ctl graceful")
    + "mkdir -p /var/cache/app-cache; chown {app_user} /var/cache/app-cache\n"
    + heredoc("/usr/local/sbin/app-cache-flush", "#!/bin/sh\nset -e\nfind /var/cache/app-cache -mindepth 1 -xdev -delete")
    + "chmod 0755 /usr/local/sbin/app-reload /usr/local/sbin/app-cache-flush\n"
    + "printf '%s\\n' '{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-reload' "
      "'{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush' > /etc/sudoers.d/app-ops\n"
    + "chmod 0440 /etc/sudoers.d/app-ops; visudo -c >/dev/null\n"
    + "mkdir -p /var/www/status /srv/docs; echo ok > /var/www/status/index.html; echo docs > /srv/docs/index.html\n"
    + heredoc("/etc/apache2/sites-available/zz-status.conf",
              "<VirtualHost *:80>\n    ServerName status.example.com\n    DocumentRoot /var/www/status\n"
              "    <Directory /var/www/status>\n        Require all granted\n    </Directory>\n"
              "    Alias /docs /srv/docs\n    <Directory /srv/docs>\n        Require all granted\n    </Directory>\n"
              "</VirtualHost>")
    + "a2ensite -q zz-status\n" + GRACEFUL + "\n"
)

ALLOW_KEYS = """allow_cron = ["/etc/cron.d/app-backup", "/etc/cron.d/app-report", "/etc/cron.d/tmp-stamp"]
allow_sudo = ["{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-reload", "{app_user} ALL=(root) NOPASSWD: /usr/local/sbin/app-cache-flush"]
allow_apache_conf = ["/etc/apache2/sites-enabled/zz-status.conf"]
allow_sites = ["status.example.com"]
"""

VICTIM = "echo root-only > /etc/w13-victim; chmod 600 /etc/w13-victim; "
SHOW = "ls -l /etc/w13-victim; head -c 12 /etc/w13-victim | od -c | head -n 1"


def A(id_: str, what: str, drift: str, effect: str = "") -> F:
    return F(id_, "allowed", what, BASE + drift, effect=effect, family="behind an allowance")


FAULTS = (
    # class 1: where a root job writes
    A("w1-backup-dir-owned-by-app", "(blind12b a12) the allowed backup job's output dir given to the app user",
      "chown {app_user} /var/backups/app",
      VICTIM + APP + "ln -sf /etc/w13-victim /var/backups/app/data.tgz; echo '[cron, as root:] app-backup'; "
      "/usr/local/sbin/app-backup; " + SHOW),
    A("w2-report-tee-into-app-dir", "the allowed report job now tees its output into /srv/reports, the app user's",
      "mkdir -p /srv/reports; chown {app_user} /srv/reports; "
      "echo '30 2 * * * root du -sh {root}/shared/data | tee /srv/reports/usage.txt >/dev/null' "
      "> /etc/cron.d/app-report",
      VICTIM + APP + "ln -sf /etc/w13-victim /srv/reports/usage.txt; echo '[cron, as root:]'; "
      "du -sh {root}/shared/data | tee /srv/reports/usage.txt >/dev/null; " + SHOW),
    A("w3-motd-script-writes-app-dir", "a motd script (pam_motd, every SSH login) stamps logins in a dir the app reads",
      "mkdir -p /var/lib/app-status; chown {app_user} /var/lib/app-status; "
      + heredoc("/etc/update-motd.d/60-app-status", "#!/bin/sh\ndate > /var/lib/app-status/last-login")
      + "chmod 0755 /etc/update-motd.d/60-app-status",
      VICTIM + APP + "ln -sf /etc/w13-victim /var/lib/app-status/last-login; echo '[pam_motd, as root:]'; "
      "/etc/update-motd.d/60-app-status; " + SHOW),
    A("w4-backup-relative-after-cd", "the backup script rewritten to work from /var/backups (cd, then a relative "
      "archive name), its app/ dir given to the app user",
      "printf '#!/bin/sh\\nset -e\\numask 077\\ncd /var/backups\\ntar czf app/data.tgz -C {root}/shared data\\n' "
      "> /usr/local/sbin/app-backup; chown {app_user} /var/backups/app",
      VICTIM + APP + "ln -sf /etc/w13-victim /var/backups/app/data.tgz; echo '[cron, as root:] app-backup'; "
      "/usr/local/sbin/app-backup; " + SHOW),
    # class 2: links under a served root
    A("l1-status-docroot-links-app-tree", "(blind12b a06) a link from the allowed status site's docroot to the app",
      "ln -s {root} /var/www/status/app",
      "curl -s -H 'Host: status.example.com' http://127.0.0.1/app/application.wsgi | head -n 4"),
    A("l2-docs-alias-links-apache-conf", "a link under the status site's /docs Alias to Apache's configuration",
      "ln -s /etc/apache2 /srv/docs/apache-conf",
      "curl -s -H 'Host: status.example.com' http://127.0.0.1/docs/apache-conf/ports.conf | grep -m2 Listen"),
    # class 3: an allowed sudo wrapper that forwards its arguments
    A("s1-reload-wrapper-forwards-args", "(blind12b a10) the allowed reload wrapper passes its arguments to "
      "apache2ctl", "printf '#!/bin/sh\\nexec /usr/sbin/apache2ctl \"${{@:-graceful}}\"\\n' > /usr/local/sbin/app-reload",
      APP + "sudo -n /usr/local/sbin/app-reload -V | head -n 2"),
    A("s2-cache-flush-takes-names", "the allowed cache flush made to flush named entries (a loop over its arguments)",
      "printf '#!/bin/bash\\nfor d in \"$@\"; do rm -rf -- \"/var/cache/app-cache/$d\"; done\\n' "
      "> /usr/local/sbin/app-cache-flush",
      "mkdir -p /etc/w13-victim-dir; touch /etc/w13-victim-dir/keep; " + APP
      + "sudo -n /usr/local/sbin/app-cache-flush ../../../etc/w13-victim-dir; ls -ld /etc/w13-victim-dir 2>&1"),
)


def C(id_: str, what: str, command: str, effect: str = "") -> F:
    return F(id_, "control", what, command, effect=effect, family="control")


CONTROLS = (
    C("c1-allowed-baseline", "BASE alone (a /tmp stamp job: root writes in a sticky dir; must pass)", BASE),
    C("c2-links-apache-does-not-follow", "a link out of the status docroot with Options -FollowSymLinks there, and "
      "a link inside it", BASE + "ln -s {root} /var/www/status/app; ln -s index.html /var/www/status/home.html; "
      "sed -i 's#^\\(    <Directory /var/www/status>\\)$#\\1\\n        Options -FollowSymLinks#' "
      "/etc/apache2/sites-available/zz-status.conf; " + GRACEFUL,
      "curl -s -o /dev/null -w '%{{http_code}}\\n' -H 'Host: status.example.com' http://127.0.0.1/app/application.wsgi; "
      "curl -s -H 'Host: status.example.com' http://127.0.0.1/home.html"),
)

ALL = FAULTS + CONTROLS
