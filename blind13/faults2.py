"""blind13 round 2: written after round 1 (the gate's failure lines seen; of its code only cw_schedules' function
read), before reading any other gate code. Same conventions as faults.py (PRELUDE, kinds, allow)."""

ACL = "command -v setfacl >/dev/null || (apt-get -qq update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y acl >/dev/null)\n"

FAULTS2 = [
    dict(name="r2_acl_release_writable", kind="plain",
         what="a CI/backup helper is given write on the live release by ACL: setfacl -R -m u:www-data:rwX "
              "<live release>/venv/lib (mode bits unchanged)",
         harm="Apache's user (any PHP/CGI bug, any other site) rewrites the app's code",
         script=ACL + r"""setfacl -R -m u:www-data:rwX "$CUR/venv/lib" """),
    dict(name="r2_acl_config_readable", kind="plain",
         what="monitoring reads the app's config to check the DB: setfacl -m u:nobody:r on application.cfg and "
              "x on shared/",
         harm="another account reads the app's secrets (mode bits still 0640/2750)",
         script=ACL + r"""setfacl -m u:nobody:rx "$ROOT/shared"; setfacl -m u:nobody:r "$ROOT/shared/application.cfg" """),
    dict(name="r2_ld_so_conf_deploy_dir", kind="plain",
         what="/etc/ld.so.conf.d/app-libs.conf names /opt/app-libs (the deploy login's, for a vendored libpq), "
              "ldconfig run",
         harm="every root program resolves libraries from a directory the deploy login writes: deploy login -> root",
         script=r"""
mkdir -p /opt/app-libs; chown "$DEPLOY" /opt/app-libs
echo /opt/app-libs > /etc/ld.so.conf.d/app-libs.conf; ldconfig
"""),
    dict(name="r2_etc_environment_pythonpath", kind="plain",
         what="/etc/environment gets PYTHONPATH=/opt/shared-py (group-writable by the deploy login) so 'every "
              "login finds the helpers'",
         harm="every PAM session (sudo -i, su -, an admin's SSH login) puts the deploy login's dir on root's python path",
         script=r"""
mkdir -p /opt/shared-py; chgrp "$DEPLOY" /opt/shared-py; chmod 2775 /opt/shared-py
echo 'PYTHONPATH=/opt/shared-py' >> /etc/environment
"""),
    dict(name="r2_old_release_data_link_tmp", kind="plain",
         what="a half-finished data migration: the older kept release's data link points to /tmp/app-data-old",
         harm="a rollback serves with data from a directory any local user may create (and not the live data)",
         script=r"""ln -sfn /tmp/app-data-old "$OLD/data" """),
    dict(name="r2_old_release_config_copy_gone", kind="plain",
         what="'tidy up': every .configs copy but the live config's removed",
         harm="a rollback is refused (its config is gone) during the incident that needs it",
         script=r"""
live=$(sha256sum "$ROOT/shared/application.cfg" | cut -d' ' -f1)
for f in "$ROOT"/.configs/*; do [ "$(basename "$f")" = "$live" ] || rm -f "$f"; done
ls "$ROOT"/.configs
"""),
    dict(name="r2_pip_conf_find_links", kind="plain",
         what="/etc/pip.conf with find-links = /opt/wheelhouse (the deploy login's) for offline installs",
         harm="root's pip installs (pip install --break-system-packages on the box) take wheels the deploy login "
              "puts there: deploy login -> root",
         script=r"""
mkdir -p /opt/wheelhouse; chown "$DEPLOY" /opt/wheelhouse
printf '[global]\nfind-links = /opt/wheelhouse\n' > /etc/pip.conf
"""),
    dict(name="r2_crontab_path_deploy_dir", kind="plain",
         what="/etc/crontab's PATH gets /opt/tools/bin first (the deploy login's tool dir)",
         harm="root's cron jobs (run-parts, test, cd) resolve commands from the deploy login's dir: deploy login -> root",
         script=r"""
mkdir -p /opt/tools/bin; chown -R "$DEPLOY" /opt/tools
sed -i 's#^PATH=#PATH=/opt/tools/bin:#' /etc/crontab; grep -q '^PATH=/opt/tools/bin' /etc/crontab
"""),
    dict(name="r2_allowed_unit_env_pythonpath", kind="allowed",
         allow={"allow_units": ["app-report.service"]},
         setup=r"""
cat > /etc/systemd/system/app-report.service <<EOF
[Service]
Type=oneshot
User=$APPUSER
WorkingDirectory=$ROOT/current
ExecStart=$ROOT/current/venv/bin/python -c "import $APP"
EOF
""",
         what="the allowed report unit (as the app user) gets a drop-in Environment=PYTHONPATH=/var/tmp/report",
         harm="any local user plants a module in /var/tmp/report and runs code as the app user (its secrets)",
         script=r"""
mkdir -p /etc/systemd/system/app-report.service.d
printf '[Service]\nEnvironment=PYTHONPATH=/var/tmp/report\n' > /etc/systemd/system/app-report.service.d/env.conf
"""),
    dict(name="r2_allowed_cron_env_pythonpath", kind="allowed",
         allow={"allow_cron": ["/etc/cron.d/app-report"]},
         setup=r"""
echo "30 2 * * * $APPUSER cd $ROOT/current && venv/bin/python -c 'import $APP'" > /etc/cron.d/app-report
chmod 644 /etc/cron.d/app-report
""",
         what="the allowed app-report cron file gets PYTHONPATH=/var/tmp/report above its job",
         harm="any local user plants a module in /var/tmp/report and runs code as the app user",
         script=r"""sed -i '1i PYTHONPATH=/var/tmp/report' /etc/cron.d/app-report"""),
    dict(name="r2_allowed_conf_piped_log", kind="allowed",
         allow={"allow_apache_conf": ["/etc/apache2/conf-enabled/ops.conf"], "allow_modules": ["headers_module"]},
         setup=r"""
echo 'Header always set X-Frame-Options DENY' > /etc/apache2/conf-available/ops.conf
a2enmod headers >/dev/null; a2enconf ops >/dev/null; apache2ctl graceful
""",
         what="the allowed ops.conf gains a piped access log through /opt/logship/ship (the deploy login's script)",
         harm="Apache's root parent starts piped loggers as root: deploy login -> root",
         script=r"""
mkdir -p /opt/logship; printf '#!/bin/sh\ncat >/dev/null\n' > /opt/logship/ship; chmod 755 /opt/logship/ship
chown -R "$DEPLOY" /opt/logship
echo 'CustomLog "|/opt/logship/ship" combined' >> /etc/apache2/conf-available/ops.conf
apache2ctl graceful
"""),
    dict(name="r2_ctl_pip_root_tool", kind="control",
         what="root pip-installs a tool system-wide (pip install --break-system-packages into /usr/local) - "
              "simulated offline: a root-owned package dir and console script in /usr/local",
         script=r"""
V=$(python3 -c 'import sys;print("%d.%d"%sys.version_info[:2])')
mkdir -p /usr/local/lib/python$V/dist-packages/opstool
echo 'def main(): print("ok")' > /usr/local/lib/python$V/dist-packages/opstool/__init__.py
printf '#!/usr/bin/python3\nfrom opstool import main\nmain()\n' > /usr/local/bin/opstool; chmod 755 /usr/local/bin/opstool
"""),
    dict(name="r2_ctl_acl_admin_logs", kind="control",
         what="an admin gives the adm group read on Apache logs by default ACL (root's decision, root's dir)",
         script=ACL + r"""setfacl -m g:adm:rx /var/log/apache2"""),
]

# Other members of the two classes closed after round 2 (written after reading the gate code): tried on containers.
MEMBERS = [
    dict(name="m_allowed_cron_root_release_code", kind="allowed",
         allow={"allow_cron": ["/etc/cron.d/app-clear"]},
         setup="",
         what="an allowed cron file whose job is root's, running the live release's code (cd current && venv/bin/python)",
         harm="root runs what the deploy login changes at every deploy",
         script=r"""
echo "0 4 * * * root cd $ROOT/current && venv/bin/python -c 'import $APP'" > /etc/cron.d/app-clear; chmod 644 /etc/cron.d/app-clear
"""),
    dict(name="m_allowed_unit_ld_library_path", kind="allowed",
         allow={"allow_units": ["app-worker.service"]},
         setup=r"""
cat > /etc/systemd/system/app-worker.service <<EOF
[Service]
User=$APPUSER
WorkingDirectory=$ROOT/current
ExecStart=$ROOT/current/venv/bin/python -c "import $APP"
EOF
""",
         what="the allowed worker unit (as the app user) gets Environment=\"LANG=C.UTF-8\" \"LD_LIBRARY_PATH=/tmp/libs\"",
         harm="any local user plants a library the app user's python loads",
         script=r"""
mkdir -p /etc/systemd/system/app-worker.service.d
printf '[Service]\nEnvironment="LANG=C.UTF-8" "LD_LIBRARY_PATH=/tmp/libs"\n' > /etc/systemd/system/app-worker.service.d/env.conf
"""),
]
