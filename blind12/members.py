"""blind12: the other member of each class closed (written after reading the gate's code, to try each class on a
real container): not blind. Run with KEYS in targets.toml (BLIND_POOL=members)."""
from deploytests.faults.catalogue import Fault

from faults import APPDIR, BASE, DATA, EXPORTER

KEYS = "\n".join([
    'allow_cron = ["/etc/cron.d/app-sync"]',
    'allow_processes = ["www-data: /usr/bin/python3 /opt/metrics/exporter.py"]',
    'allow_listen = ["localhost:9200 www-data /opt/metrics/exporter.py"]',
])

MEMBERS = [
    Fault("m1-login-bashrc-runs-app-program", "d/login-triggered-admin",
          "(class of p08) the admin login's ~/.bashrc runs a 'notify' program from the app's shared data (not a "
          "source): every SSH command of the login (each deploy) runs the app user's program",
          "h=$(getent passwd {login} | cut -d: -f6); install -d -o {app_user} -g {app_group} -m 2770 " + DATA + "/bin; "
          "sed -i '1i [ -x " + DATA + "/bin/notify-login ] && " + DATA + "/bin/notify-login' $h/.bashrc"),
    Fault("m2-nss-group-extrausers", "e/account-database",
          "(class of p09) only group comes from extrausers (files written by the app's group): the app user adds "
          "itself to shadow there and its processes read /etc/shadow",
          "(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
          "--no-install-recommends libnss-extrausers >/tmp/apt.log 2>&1; sed -i -E 's/^(group):(.*)$/\\1:\\2 extrausers/' "
          "/etc/nsswitch.conf; install -d -o root -g {app_group} -m 2775 /var/lib/extrausers; touch "
          "/var/lib/extrausers/group; chgrp {app_group} /var/lib/extrausers/group; chmod 0664 /var/lib/extrausers/group"),
    Fault("m3-uid-alias-of-app-user", "e/numeric-id-alias",
          "(class of p18) a 'support' account with the app user's uid, a password and a shell: whoever knows the "
          "password is the app user (its config's secrets, its data)",
          "useradd -o -u $(id -u {app_user}) -g $(id -g {app_user}) -M -d /nonexistent -s /bin/sh support; "
          "echo 'support:Support-2026' | chpasswd"),
    Fault("m4-allowed-exporter-user-site-app-owned", "d/process-allowed",
          "(class of a07) the allowed www-data exporter; www-data's user site owned by the app user (0755): the "
          "exporter imports what the app user puts there",
          BASE["process"] + "; for d in /var/www/.local /var/www/.local/lib /var/www/.local/lib/python{python_version} "
          "/var/www/.local/lib/python{python_version}/site-packages; do install -d -o {app_user} -g {app_group} -m 0755 "
          "$d; done; " + BASE["start_exporter"]),
    Fault("m5-allowed-cron-root-relative-script", "d/cron-allowed",
          "(class of a10) the allowed cron file gains a root job that cd's into the app's shared data and runs "
          "./rotate.sh from there",
          BASE["cron"] + "; printf '0 4 * * * root cd " + DATA + " && ./rotate.sh\\n' >> /etc/cron.d/app-sync"),
]
_ = (APPDIR, EXPORTER)
