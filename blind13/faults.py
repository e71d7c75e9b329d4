"""blind13: a fault set written BEFORE reading the gate's code, docs/promises.md or earlier rounds' faults.

Each entry is drift a real team's Apache + mod_wsgi server gets into: an operator's hand edit, a half-finished
clean-up, a "hardening" snippet, a tool left running, a security regression, a broken rollback target, a
mechanism disabled by configuration. Every script runs as root inside a deployed Debian 12 container (after at
least two deploys, so a rollback target exists), via `bash -c PRELUDE + script`. In `allow` values, DEPLOY, APPUSER, APP and ROOT are replaced by the
server's names before targets.toml is written.

kind: "plain"   -- must be caught, no allowance involved
      "allowed" -- the `allow` allowances are written in targets.toml first; `setup` (benign, must pass on its
                   own) is run, then `script` does the harmful thing inside/through the allowed thing
      "control" -- benign admin tooling / hand edits (with `allow` when the user would write one): must pass
"""

PRELUDE = r"""
set -e
APP=$(ls /etc/sudoers.d | sed -n 's/^deploytests-//p' | head -1)
ROOT=/var/www/$APP
DEPLOY=$(stat -c %U "$ROOT")
APPUSER=$(stat -c %G "$ROOT")
CUR=$(readlink -f "$ROOT/current")
OLD=$(ls -d "$ROOT"/releases/* | grep -v "$(basename "$CUR")" | tail -1)
SITE=$(ls -d "$CUR"/venv/lib/python3*/site-packages)
PYV=$(basename "$(dirname "$SITE")")
PYHOME=/var/lib/deploytests/python
VHOST=/etc/apache2/sites-available/$APP.conf
bg() { setsid -f "$@" >/dev/null 2>&1 < /dev/null; sleep 1; }
"""

FAULTS = [
    # ------------------------------------------------------------------ plain
    dict(name="cfg_backup_served", kind="plain",
         what="operator re-enables the stock site to test something and leaves a copy of the app's config in "
              "its docroot (`cp application.cfg /var/www/html/app.cfg.bak`)",
         harm="the app's secrets (SECRET_KEY, DB password) served to anyone over HTTP",
         script=r"""
a2ensite 000-default >/dev/null
cp "$ROOT/shared/application.cfg" /var/www/html/app.cfg.bak 2>/dev/null || cp /etc/passwd /var/www/html/app.cfg.bak
chmod 644 /var/www/html/app.cfg.bak
apache2ctl graceful
"""),
    dict(name="envvars_pythonpath", kind="plain",
         what="debugging an import error, an operator adds `export PYTHONPATH=/var/tmp/pydebug` to "
              "/etc/apache2/envvars (a stock file) and restarts Apache",
         harm="every mod_wsgi daemon imports modules from a directory any local user can create: code execution "
              "as the app user with its secrets",
         script=r"""
echo 'export PYTHONPATH=/var/tmp/pydebug' >> /etc/apache2/envvars
apache2ctl graceful
"""),
    dict(name="apache_dropin_execstartpre_appcode", kind="plain",
         what="a systemd drop-in for apache2 warms the app's cache before Apache starts: "
              "ExecStartPre=<root>/current/venv/bin/python -c 'import <app>' (no User=, so root)",
         harm="root runs code the deploy login writes (current/ and the venv): deploy login -> root",
         script=r"""
mkdir -p /etc/systemd/system/apache2.service.d
cat > /etc/systemd/system/apache2.service.d/warmup.conf <<EOF
[Service]
ExecStartPre=$ROOT/current/venv/bin/python -c "import $APP"
EOF
"""),
    dict(name="ports_conf_second_listen", kind="plain",
         what="operator appends `Listen 8080` to the stock ports.conf for a quick test behind the firewall and "
              "forgets it",
         harm="the app (the first vhost for that port) answers on a port nobody put behind the LB/TLS/WAF",
         script=r"""
echo 'Listen 8080' >> /etc/apache2/ports.conf
apache2ctl graceful
"""),
    dict(name="logrotate_postrotate_appcode", kind="plain",
         what="a logrotate file for the app's logs whose postrotate runs the app's own reopen-logs command "
              "from current/ (logrotate runs as root)",
         harm="root runs the deploy login's code nightly: deploy login -> root",
         script=r"""
cat > /etc/logrotate.d/$APP-app <<EOF
/var/log/$APP/*.log {
    daily
    rotate 7
    postrotate
        $ROOT/current/venv/bin/python -m $APP.reopen_logs || true
    endscript
}
EOF
"""),
    dict(name="world_writable_release_code", kind="plain",
         what="someone fixing a permissions error runs `chmod o+w` on the live release's package __init__.py",
         harm="any local user (www-data, a CI user) rewrites the code the app runs with its secrets",
         script=r"""
f=$(ls "$SITE"/*/__init__.py | grep -v -e '/pip/' -e '/_distutils' | head -1)
chmod o+w "$f"
"""),
    dict(name="old_release_venv_removed", kind="plain",
         what="a disk clean-up removes the venv of an older kept release ('only current matters')",
         harm="the rollback target is broken: `fab rollback` during an incident fails or serves 500",
         script=r"""rm -rf "$OLD/venv" """),
    dict(name="cgi_from_shared", kind="plain",
         what="a legacy report script is made available: a2enmod cgi and a conf with "
              "ScriptAlias /reports/ <root>/shared/<data dir>/ (the app's writable data dir)",
         harm="anything the app user (a compromised app) writes there runs as www-data via HTTP",
         script=r"""
D=$(find "$ROOT/shared" -mindepth 1 -maxdepth 1 -type d | head -1); D=${D:-$ROOT/shared}
a2enmod cgi >/dev/null 2>&1 || a2enmod cgid >/dev/null
cat > /etc/apache2/conf-available/reports.conf <<EOF
ScriptAlias /reports/ $D/
<Directory $D>
    Options +ExecCGI
    Require all granted
</Directory>
EOF
a2enconf reports >/dev/null
apache2ctl graceful
"""),
    dict(name="cron_app_user_fetch_run", kind="plain",
         what="a hotfix job: /etc/cron.d/<app>-hotfix as the app user fetches a script into shared/ and runs it "
              "with the release's python",
         harm="code from the network (plain http) runs as the app user with its secrets; and the app can "
              "rewrite what runs next",
         script=r"""
cat > /etc/cron.d/$APP-hotfix <<EOF
*/10 * * * * $APPUSER cd $ROOT/shared && curl -fsS http://10.0.0.5/hotfix.py -o hotfix.py && $ROOT/current/venv/bin/python hotfix.py
EOF
chmod 644 /etc/cron.d/$APP-hotfix
"""),
    dict(name="sshd_root_password", kind="plain",
         what="a drop-in /etc/ssh/sshd_config.d/00-rescue.conf left from an incident: PermitRootLogin yes, "
              "PasswordAuthentication yes",
         harm="root reachable over SSH by password guessing",
         script=r"""
printf 'PermitRootLogin yes\nPasswordAuthentication yes\n' > /etc/ssh/sshd_config.d/00-rescue.conf
"""),
    dict(name="pam_su_permit", kind="plain",
         what="'su keeps asking for a password in the runbook': auth sufficient pam_permit.so added at the top "
              "of /etc/pam.d/su",
         harm="any local user (the app user through the app, www-data) becomes root with su",
         script=r"""sed -i '1i auth sufficient pam_permit.so' /etc/pam.d/su"""),
    dict(name="sudoers_deploy_tail_glob", kind="plain",
         what="the deploy login may read Apache's logs: `<deploy> ALL=(root) NOPASSWD: /usr/bin/tail -n * "
              "/var/log/apache2/*` in /etc/sudoers.d/logs",
         harm="the glob matches ../../../etc/shadow and extra arguments: the deploy login reads any file as root",
         script=r"""
echo "$DEPLOY ALL=(root) NOPASSWD: /usr/bin/tail -n * /var/log/apache2/*" > /etc/sudoers.d/logs
chmod 440 /etc/sudoers.d/logs
"""),
    dict(name="root_timer_shared_script", kind="plain",
         what="a systemd timer (enabled) runs <root>/shared/cleanup.sh nightly; the service has no User=",
         harm="root runs a file in a directory the deploy login owns (and writes): deploy login -> root",
         script=r"""
printf '#!/bin/sh\nfind %s/shared -name "*.tmp" -mtime +7 -delete\n' "$ROOT" > "$ROOT/shared/cleanup.sh"
chown "$DEPLOY:$APPUSER" "$ROOT/shared/cleanup.sh"; chmod 750 "$ROOT/shared/cleanup.sh"
cat > /etc/systemd/system/app-cleanup.service <<EOF
[Unit]
Description=clean the app's temp files
[Service]
Type=oneshot
ExecStart=$ROOT/shared/cleanup.sh
EOF
cat > /etc/systemd/system/app-cleanup.timer <<EOF
[Timer]
OnCalendar=daily
[Install]
WantedBy=timers.target
EOF
mkdir -p /etc/systemd/system/timers.target.wants
ln -sf /etc/systemd/system/app-cleanup.timer /etc/systemd/system/timers.target.wants/app-cleanup.timer
"""),
    dict(name="release_link_into_tmp", kind="plain",
         what="a release moved away to free disk is replaced by a symlink: releases/<id> -> /tmp/<id> (the "
              "copy later cleaned by tmpreaper)",
         harm="a rollback target that is whatever any local user puts at /tmp/<id> (code as the app user), "
              "or missing",
         script=r"""
id=$(basename "$OLD"); mv "$OLD" "/tmp/$id"; ln -s "/tmp/$id" "$OLD"; rm -rf "/tmp/$id"
"""),
    dict(name="embedded_mode", kind="plain",
         what="a 'performance tweak' on the vhost: WSGIProcessGroup line commented out",
         harm="the app runs embedded in Apache's workers as www-data, not the app user, without the daemon's "
              "python-home/umask; deploy's touch-reload no longer restarts it",
         script=r"""
sed -i -E 's/^(\s*)(WSGIProcessGroup)/\1#\2/; s/process-group=[^ ]*//' "$VHOST"
apache2ctl graceful
"""),
    dict(name="pth_in_python_home", kind="plain",
         what="to share an in-house library across apps, root drops shared-libs.pth into the daemons' "
              "python-home site-packages, naming /opt/shared-libs, which ops made group-writable for deployers",
         harm="the daemons import from a directory others write: code as the app user",
         script=r"""
mkdir -p /opt/shared-libs; chgrp "$DEPLOY" /opt/shared-libs; chmod 2775 /opt/shared-libs
echo /opt/shared-libs > "$(ls -d $PYHOME/lib/python3*/site-packages)/shared-libs.pth"
"""),
    dict(name="etc_sitecustomize_path", kind="plain",
         what="Debian's /etc/python3.X/sitecustomize.py (loaded by every python, venvs included) edited to "
              "append /usr/local/share/py-hotfix to sys.path, a dir chowned to the deploy login",
         harm="every python on the box, root's included, imports from a deploy-login dir: deploy login -> root",
         script=r"""
V=$(python3 -c 'import sys;print("%d.%d"%sys.version_info[:2])')
mkdir -p /usr/local/share/py-hotfix; chown "$DEPLOY" /usr/local/share/py-hotfix
printf '\nimport sys\nsys.path.append("/usr/local/share/py-hotfix")\n' >> /etc/python$V/sitecustomize.py
"""),
    dict(name="apache2conf_include_tmp", kind="plain",
         what="apache2.conf (stock) gets `IncludeOptional /tmp/apache.d/*.conf` to test snippets",
         harm="any local user creates /tmp/apache.d/x.conf: arbitrary config (LoadModule, Alias /) at the "
              "next reload, parsed by root",
         script=r"""
echo 'IncludeOptional /tmp/apache.d/*.conf' >> /etc/apache2/apache2.conf
apache2ctl graceful
"""),
    dict(name="root_http_server_loopback", kind="plain",
         what="root starts `python3 -m http.server -b 127.0.0.1 8000 -d /` to copy a file off the box through "
              "an SSH tunnel, and leaves it running",
         harm="every local user (the app user through the app) reads any file as root: /etc/shadow, keys",
         script=r"""
cd / && bg python3 -m http.server -b 127.0.0.1 8000 -d /
"""),
    dict(name="deploy_login_flask_debug_loopback", kind="plain",
         what="a developer, logged in as the deploy login, runs the app with `flask --debug run` on "
              "127.0.0.1:5000 in the background to reproduce a bug",
         harm="Werkzeug's debugger console: any local user gets code execution as the deploy login "
              "(which owns every release)",
         script=r"""
cd "$CUR"
# (corrected after the blind run: the app reads <APP>_CONFIG at import; without it flask exited at once and the
# first injection left nothing running. The check below makes a silent non-injection fail.)
CFGVAR=$(echo "${APP}_CONFIG" | tr a-z A-Z)
su -s /bin/sh "$DEPLOY" -c "cd $CUR && $CFGVAR=$ROOT/shared/application.cfg setsid -f $CUR/venv/bin/python -m flask --app $APP --debug run -h 127.0.0.1 -p 5000 >/dev/null 2>&1 </dev/null"
for i in $(seq 30); do ss -ltn | grep -q 127.0.0.1:5000 && break; sleep 1; done
ss -ltn | grep -q 127.0.0.1:5000
"""),
    dict(name="server_status_public", kind="plain",
         what="for a dashboard, the stock mods-available/status.conf is edited: `Require local` -> "
              "`Require all granted`",
         harm="/server-status shows every client IP and every request URL (tokens in query strings) to anyone",
         script=r"""
a2enmod status >/dev/null
sed -i 's/Require local/Require all granted/' /etc/apache2/mods-available/status.conf
apache2ctl graceful
"""),
    dict(name="wsgi_script_reloading_off", kind="plain",
         what="a 'stability' snippet: conf-enabled/wsgi-tuning.conf with `WSGIScriptReloading Off`",
         harm="the deploy's reload (touch application.wsgi) no longer restarts the daemons: the next deploy "
              "or rollback switches `current` but the old code keeps serving",
         script=r"""
echo 'WSGIScriptReloading Off' > /etc/apache2/conf-available/wsgi-tuning.conf
a2enconf wsgi-tuning >/dev/null
apache2ctl graceful
"""),
    dict(name="sudo_requiretty", kind="plain",
         what="a CIS 'hardening' snippet: /etc/sudoers.d/00-hardening with `Defaults requiretty`",
         harm="the deploy's `sudo -u <app>` (release check, post_deploy) has no tty: every next deploy fails",
         script=r"""
echo 'Defaults requiretty' > /etc/sudoers.d/00-hardening; chmod 440 /etc/sudoers.d/00-hardening
"""),
    dict(name="python_home_closed", kind="plain",
         what="hardening: `chmod 700 /var/lib/deploytests` ('root's state dir should be private')",
         harm="the daemons' python-home is unreadable to the app user: they keep running until the next "
              "restart (deploy, logrotate reload), then never start again",
         script=r"""chmod 700 /var/lib/deploytests"""),
    dict(name="app_user_shell_password", kind="plain",
         what="to debug as the app user over SSH, someone gives it /bin/bash and a password",
         harm="a second way in: SSH as the app user (all secrets) by password",
         script=r"""
usermod -s /bin/bash "$APPUSER"; echo "$APPUSER:Welcome2026" | chpasswd
"""),
    dict(name="configs_world_readable", kind="plain",
         what="'backups need to read it': chmod -R a+rX <root>/.configs",
         harm="every past config's secrets readable by any local user",
         script=r"""chmod -R a+rX "$ROOT/.configs" """),
    dict(name="root_cron_chown_glob", kind="plain",
         what="/etc/cron.d/fix-perms as root: chown <app>:<app> <root>/shared/<data>/* every hour",
         harm="the app user plants a symlink there to /etc/shadow and gets it chowned: app user -> root "
              "(writes13's class: where root writes)",
         script=r"""
D=$(find "$ROOT/shared" -mindepth 1 -maxdepth 1 -type d | head -1); D=${D:-$ROOT/shared}
echo "17 * * * * root chown $APPUSER:$APPUSER $D/*" > /etc/cron.d/fix-perms; chmod 644 /etc/cron.d/fix-perms
"""),
    dict(name="old_release_interpreter_gone", kind="plain",
         what="the older release was built when the venv's python was a hand-built /opt/python3; it is removed "
              "(simulated: its venv's pyvenv.cfg home and python link point to /opt/python3/bin)",
         harm="the rollback target cannot start",
         script=r"""
sed -i 's#^home = .*#home = /opt/python3/bin#' "$OLD/venv/pyvenv.cfg"
for f in "$OLD"/venv/bin/python*; do [ -L "$f" ] && ln -sfn /opt/python3/bin/python3 "$f"; done; true
"""),
    dict(name="debugged_wsgi", kind="plain",
         what="an operator wraps the app in Werkzeug's debugger in application.wsgi to see a traceback",
         harm="the interactive debugger console is reachable: remote code execution as the app user",
         script=r"""
W=$ROOT/application.wsgi
printf '\nfrom werkzeug.debug import DebuggedApplication as _D\napplication = _D(application, evalex=True)\n' >> "$W"
touch "$W"
"""),
    dict(name="python_home_system_site", kind="plain",
         what="'module not found' fixed by setting include-system-site-packages = true in the daemons' "
              "python-home pyvenv.cfg (and pip-installing the module as root into /usr/local)",
         harm="the daemons import from /usr/local/lib/python3.X/dist-packages and Debian's dist-packages: code "
              "not from the release, on the app's import path",
         script=r"""
sed -i 's/^include-system-site-packages = .*/include-system-site-packages = true/' $PYHOME/pyvenv.cfg
apache2ctl graceful
"""),

    # --------------------------------------------------------------- allowed
    dict(name="allowed_cron_second_line_root", kind="allowed",
         allow={"allow_cron": ["/etc/cron.d/app-backup"]},
         setup=r"""
echo "30 2 * * * $APPUSER cd $CUR && $ROOT/current/venv/bin/python -c 'import $APP' >/dev/null" > /etc/cron.d/app-backup
chmod 644 /etc/cron.d/app-backup
""",
         what="the allowed app-backup cron file gains a second line: root runs <root>/shared/backup-hook.sh",
         harm="root runs a file the deploy login writes",
         script=r"""
echo "45 2 * * * root $ROOT/shared/backup-hook.sh" >> /etc/cron.d/app-backup
"""),
    dict(name="allowed_agent_script_app_writable", kind="allowed",
         allow={"allow_listen": ["localhost:9100 nobody /usr/local/bin/metrics-agent"]},
         setup=r"""
cat > /usr/local/bin/metrics-agent <<'EOF'
#!/usr/bin/python3
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"up 1\n")
http.server.HTTPServer(("127.0.0.1", 9100), H).serve_forever()
EOF
chmod 755 /usr/local/bin/metrics-agent
bg su -s /bin/sh nobody -c /usr/local/bin/metrics-agent
""",
         what="the allowed metrics agent's script is handed to the app's group to 'let the app add metrics' "
              "(chgrp <app>, g+w)",
         harm="the app user rewrites a program that runs as another user (nobody) and at the next start; "
              "the allowance now covers whatever the app writes",
         script=r"""chgrp "$APPUSER" /usr/local/bin/metrics-agent; chmod 775 /usr/local/bin/metrics-agent"""),
    dict(name="allowed_agent_plugins_from_shared", kind="allowed",
         allow={"allow_listen": ["localhost:9101 nobody /usr/local/bin/metrics-agent2"]},
         setup="",
         what="an allowed metrics agent loads collector plugins from <root>/shared/metrics (sys.path.insert), a "
              "dir the deploy login owns",
         harm="the deploy login's code runs in the agent (class (2): what an allowed program loads by its code)",
         script=r"""
mkdir -p "$ROOT/shared/metrics"; chown "$DEPLOY:$APPUSER" "$ROOT/shared/metrics"
cat > /usr/local/bin/metrics-agent2 <<EOF
#!/usr/bin/python3
import sys, glob, os, http.server
sys.path.insert(0, "$ROOT/shared/metrics")
for p in glob.glob("$ROOT/shared/metrics/*.py"):
    __import__(os.path.basename(p)[:-3])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"up 1\n")
http.server.HTTPServer(("127.0.0.1", 9101), H).serve_forever()
EOF
chmod 755 /usr/local/bin/metrics-agent2
bg su -s /bin/sh nobody -c /usr/local/bin/metrics-agent2
"""),
    dict(name="allowed_conf_alias_shared", kind="allowed",
         allow={"allow_apache_conf": ["/etc/apache2/conf-enabled/ops.conf"], "allow_modules": ["headers_module"]},
         setup=r"""
echo 'Header always set X-Frame-Options DENY' > /etc/apache2/conf-available/ops.conf
a2enmod headers >/dev/null; a2enconf ops >/dev/null; apache2ctl graceful
""",
         what="the allowed ops.conf gains `Alias /dl <root>/current` + Options +Indexes, Require all granted "
              "(someone wanted to fetch a wheel from the live release)",
         harm="the app's source and venv served as files to anyone (class (1) and (6))",
         script=r"""
cat >> /etc/apache2/conf-available/ops.conf <<EOF
Alias /dl $ROOT/current
<Directory $ROOT/current>
    Options +Indexes
    Require all granted
</Directory>
EOF
apache2ctl graceful
"""),
    dict(name="allowed_site_serves_release", kind="allowed",
         allow={"allow_sites": ["status.example.com"],
                "allow_apache_conf": ["/etc/apache2/sites-enabled/zz-status.conf"]},
         setup=r"""
mkdir -p /var/www/status; echo ok > /var/www/status/index.html
cat > /etc/apache2/sites-available/zz-status.conf <<EOF
<VirtualHost *:80>
    ServerName status.example.com
    DocumentRoot /var/www/status
</VirtualHost>
EOF
a2ensite zz-status >/dev/null; apache2ctl graceful
""",
         what="the allowed status site's DocumentRoot is pointed at the app's live release to 'show the version'",
         harm="the app's source and venv are served as files (class 6, writes13's)",
         script=r"""
sed -i "s#DocumentRoot /var/www/status#DocumentRoot $ROOT/current#" /etc/apache2/sites-available/zz-status.conf
printf '<Directory %s/current>\n Options +Indexes\n Require all granted\n</Directory>\n' "$ROOT" >> /etc/apache2/sites-available/zz-status.conf
apache2ctl graceful
"""),
    dict(name="allowed_tmux_child_server", kind="allowed",
         allow={"allow_processes": ["DEPLOY: tmux", "DEPLOY: -sh"]},
         setup=r"""
command -v tmux >/dev/null || (apt-get -qq update && apt-get -qq install -y tmux >/dev/null)
su -s /bin/sh "$DEPLOY" -c "tmux new-session -d -s ops"
""",
         what="in the allowed tmux session the deploy login runs python3 -m http.server on 127.0.0.1:8001 "
              "serving <root>",
         harm="any local user reads shared/ (the config) through the deploy login",
         script=r"""
su -s /bin/sh "$DEPLOY" -c "tmux send-keys -t ops 'cd $ROOT && python3 -m http.server -b 127.0.0.1 8001' Enter"
sleep 2
"""),
    dict(name="allowed_unit_dropin_root", kind="allowed",
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
         what="an operator 'fixes' a PermissionError of the allowed report unit with a drop-in User=root",
         harm="root runs the deploy login's code (class (1): the allowance names the unit, not its content)",
         script=r"""
mkdir -p /etc/systemd/system/app-report.service.d
printf '[Service]\nUser=root\n' > /etc/systemd/system/app-report.service.d/override.conf
"""),
    dict(name="allowed_sudo_group_gains_deploy", kind="allowed",
         allow={"allow_sudo": ["%ops ALL=(ALL) NOPASSWD: ALL"]},
         setup=r"""
groupadd -f ops; echo '%ops ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/ops; chmod 440 /etc/sudoers.d/ops
""",
         what="the deploy login is added to the allowed `ops` admin group ('so CI can restart things')",
         harm="the deploy login (and whoever can deploy) is root",
         script=r"""usermod -aG ops "$DEPLOY" """),
    dict(name="allowed_command_writable", kind="allowed",
         allow={"allow_commands": ["/usr/local/bin/python3"]},
         setup=r"""
printf '#!/bin/sh\nexec /usr/bin/python3 "$@"\n' > /usr/local/bin/python3; chmod 755 /usr/local/bin/python3
""",
         what="the allowed /usr/local/bin/python3 wrapper is chowned to the deploy login so CI can update it",
         harm="root's `python3` (first on root's PATH) is the deploy login's file: deploy login -> root",
         script=r"""chown "$DEPLOY" /usr/local/bin/python3"""),

    # --------------------------------------------------------------- controls
    dict(name="ctl_metrics_agent_loopback", kind="control",
         allow={"allow_listen": ["localhost:9100 nobody /usr/local/bin/metrics-agent"]},
         what="a node-exporter-like agent on 127.0.0.1:9100 as nobody, root-owned script, with its allowance",
         script=r"""
cat > /usr/local/bin/metrics-agent <<'EOF'
#!/usr/bin/python3
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"up 1\n")
http.server.HTTPServer(("127.0.0.1", 9100), H).serve_forever()
EOF
chmod 755 /usr/local/bin/metrics-agent
bg su -s /bin/sh nobody -c /usr/local/bin/metrics-agent
"""),
    dict(name="ctl_unattended_upgrades", kind="control",
         what="apt-get install unattended-upgrades (enabled by its package's debconf default)",
         script=r"""
apt-get -qq update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y unattended-upgrades >/dev/null
echo 'APT::Periodic::Update-Package-Lists "1"; APT::Periodic::Unattended-Upgrade "1";' > /etc/apt/apt.conf.d/20auto-upgrades
"""),
    dict(name="ctl_rsyslog_forward", kind="control",
         what="rsyslog installed and running, forwarding everything to a log host",
         script=r"""
apt-get -qq update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y rsyslog >/dev/null
echo '*.* @@logs.example.com:514' > /etc/rsyslog.d/50-forward.conf
pgrep -x rsyslogd >/dev/null || rsyslogd
sleep 1
"""),
    dict(name="ctl_root_cron_root_script", kind="control",
         what="an admin's nightly /etc/cron.d/etc-backup running a root-owned 0755 /usr/local/sbin/etc-backup",
         script=r"""
printf '#!/bin/sh\ntar czf /var/backups/etc-$(date +%%u).tgz /etc 2>/dev/null\n' > /usr/local/sbin/etc-backup
chmod 755 /usr/local/sbin/etc-backup
echo '15 3 * * * root /usr/local/sbin/etc-backup' > /etc/cron.d/etc-backup; chmod 644 /etc/cron.d/etc-backup
"""),
    dict(name="ctl_motd_banner", kind="control",
         what="motd edit and an sshd Banner",
         script=r"""
echo 'Authorized use only. Ops: #ops-oncall' > /etc/motd
cp /etc/motd /etc/issue.net
echo 'Banner /etc/issue.net' > /etc/ssh/sshd_config.d/10-banner.conf
"""),
    dict(name="ctl_second_admin", kind="control",
         what="a second admin login `alice` with sudo (group sudo, password) and an SSH key",
         script=r"""
useradd -m -s /bin/bash -G sudo alice
echo 'alice:S3cure-Passphrase-2026' | chpasswd
mkdir -p -m 700 /home/alice/.ssh
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBlind13ControlKeyxxxxxxxxxxxxxxxxxxxxxxxxxx alice@laptop' > /home/alice/.ssh/authorized_keys
chmod 600 /home/alice/.ssh/authorized_keys; chown -R alice:alice /home/alice/.ssh
"""),
    dict(name="ctl_sshd_hardening", kind="control",
         what="a real hardening snippet: PermitRootLogin no, PasswordAuthentication no, X11Forwarding no",
         script=r"""
printf 'PermitRootLogin no\nPasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 3\n' > /etc/ssh/sshd_config.d/90-hardening.conf
"""),
    dict(name="ctl_apache_security_conf", kind="control",
         what="the stock conf-enabled/security.conf hardened by hand: ServerTokens Prod, ServerSignature Off",
         script=r"""
sed -i -E 's/^ServerTokens .*/ServerTokens Prod/; s/^ServerSignature .*/ServerSignature Off/' /etc/apache2/conf-available/security.conf
apache2ctl graceful
"""),
    dict(name="ctl_admin_tools", kind="control",
         what="ordinary tools installed by hand: htop vim-tiny curl git less",
         script=r"""
apt-get -qq update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y htop vim-tiny curl git less >/dev/null
"""),
]

# Added after the blind run (not blind): the image's sshd_config has no `Include sshd_config.d/*.conf` (stock
# Debian's has), so sshd_root_password's drop-in is read by nothing there: the same drift done where this sshd
# reads it.
FAULTS.append(dict(name="sshd_root_password_main", kind="plain", corrected=True,
                   what="the same rescue edit made in /etc/ssh/sshd_config itself (PermitRootLogin yes, "
                        "PasswordAuthentication yes)",
                   harm="root reachable over SSH by password guessing",
                   script=r"""
sed -i -E 's/^PermitRootLogin .*/PermitRootLogin yes/; s/^PasswordAuthentication .*/PasswordAuthentication yes/' /etc/ssh/sshd_config
grep -q '^PermitRootLogin yes' /etc/ssh/sshd_config
"""))
