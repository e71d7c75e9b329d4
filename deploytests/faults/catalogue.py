"""The catalogue of deploy faults: each one root command on a throwaway server and the promise it breaks.

Built from the promise list (:data:`deploytests.verify.promises.PROMISES`): every promise that a read-only
gate can judge has at least one fault here, chosen as what really happens to servers (a hand edit, a package
removed, a wrong chmod, a deploy half-done by hand, a file changed in the live venv). A fault's ``command`` is
a ``sh -e`` script run as root inside the container after a clean deploy; its placeholders are filled by
:func:`render` from the app's config, the server's stack (``{vhost}``, ``{sites_enabled}``, ``{default_site}``)
and the deployed state (``{root}``, ``{live}``, ``{site}``...). The commands use Debian's Apache tooling
(``apache2ctl``, ``a2ensite``, ``/etc/apache2/ports.conf``): the catalogue is for the Debian Apache stacks.
``alone`` faults make the whole host unreachable: they run in a gate run of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..stacks import DEFAULT
from ..stacks.apache_wsgi.bootstrap import RUNTIME


@dataclass(frozen=True)
class Fault:
    id: str
    promise: str  # the id of the promise it breaks (deploytests.verify.promises)
    what: str
    command: str
    alone: bool = False


GRACEFUL = "apache2ctl graceful"
# bounded waits inside injections: Apache's parent exits a moment after `apache2ctl stop`
WAIT_APACHE_GONE = "i=0; while pgrep -x apache2 >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done"
FIRST_PY = "$(find {site} \\( -path '*/{package}/*' -o -name '{package}.py' \\) -name '*.py' | sort | head -n 1)"

FAULTS: tuple[Fault, ...] = (
    # -- host, packages, Apache --------------------------------------------------------------------
    Fault("login-key-removed", "host", "the login's authorized key removed: the host refuses the gate",
          "rm \"$(getent passwd {login} | cut -d: -f6)/.ssh/authorized_keys\"", alone=True),
    Fault("sudo-setuid-bit-removed", "sudo", "sudo's setuid bit removed: sudo refuses every login, not for want of a "
          "password", "chmod u-s /usr/bin/sudo"),
    Fault("venv-package-removed", "packages", "python3-venv removed (dpkg --force-depends)",
          "dpkg --remove --force-depends python3-venv >/dev/null 2>&1"),
    Fault("apache-stopped", "apache", "Apache stopped", f"apache2ctl stop; {WAIT_APACHE_GONE}"),
    Fault("apache-no-boot", "boot", "Apache disabled at boot (systemd and rc links removed)",
          "rm -f /etc/systemd/system/multi-user.target.wants/apache2.service /etc/rc[2345].d/S*apache2"),
    Fault("ssh-masked", "boot", "the SSH server masked (systemctl mask ssh): it serves now, and after the next boot "
          "nothing starts it (no deploy, rollback or gate run reaches the server)",
          "ln -sfn /dev/null /etc/systemd/system/ssh.service"),
    Fault("sshd-keyword-misspelt", "cw_sshd", "a misspelt keyword in sshd_config (PasswordAuthentification): sshd's "
          "next start refuses its whole configuration", "sed -i '1i PasswordAuthentification no' /etc/ssh/sshd_config"),
    Fault("sshd-silent-sessions-cut", "cw_sshd", "sshd set to close session channels silent for 90 s (ChannelTimeout): "
          "from its next start a deploy step that prints nothing that long loses its session",
          "sed -i '1i ChannelTimeout session*=90s' /etc/ssh/sshd_config"),
    Fault("kept-config-copies-truncated", "rollback_ready", "the kept config copies truncated by a disk clean-up: "
          "after the next config change no rollback can put its release's config back",
          "truncate -s 0 {root}/.configs/*"),
    Fault("bootstrap-record-lists-deploy-login", "app_user", "the deploy login added by hand to bootstrap's record of "
          "the app users it created: the next bootstrap refuses the server",
          "echo {deploy_user} >> /var/lib/deploytests/users"),
    Fault("login-defs-system-uids-narrowed", "app_user", "the system uid range narrowed in /etc/login.defs "
          "(SYS_UID_MAX "
          "below the app user's uid): the next bootstrap takes the app user for an account it did not create and "
          "refuses the server", "sed -i '1i SYS_UID_MAX 99' /etc/login.defs"),
    Fault("dpkg-package-left-half-installed", "sec_updates", "a package's unpack cut short (reinstreq half-installed "
          "in dpkg's status): every apt run stops there and the stack takes no security update",
          "sed -i '/^Package: procps$/,/^$/ s/^Status: install ok installed$/Status: install reinstreq "
          "half-installed/' /var/lib/dpkg/status"),
    Fault("access-log-removed-under-apache", "sec_logs", "the access log of every site removed by a disk clean-up "
          "while Apache holds it: requests are written into a deleted file until the next reload",
          "rm -f /var/log/apache2/other_vhosts_access.log"),
    Fault("bogus-conf", "configtest", "a conf-enabled file with an unknown directive (the next reload fails)",
          "echo 'BogusDirective on' > /etc/apache2/conf-enabled/zz-bogus.conf"),
    Fault("mod-wsgi-disabled", "mod_wsgi", "mod_wsgi disabled (a2dismod -f wsgi)", "a2dismod -q -f wsgi"),
    Fault("port-moved", "port", "Apache moved to another port", f"sed -i 's/^Listen 80$/Listen 8081/' "
          f"/etc/apache2/ports.conf; sed -i 's/:80>/:8081>/' {{vhost}}; {GRACEFUL}"),
    Fault("default-site-on", "sites", "Debian's 000-default site enabled again",
          f"a2ensite -q {{default_site}}; {GRACEFUL}"),
    Fault("vhost-edited", "vhost", "the vhost edited by hand (one daemon process), not yet reloaded",
          "sed -i 's/processes=2/processes=1/' {vhost}"),
    Fault("vhost-daemon-user", "daemon_mode", "the vhost's daemon runs as www-data", f"sed -i "
          f"'s/user={{app_user}} /user=www-data /' {{vhost}}; {GRACEFUL}"),
    Fault("vhost-serves-files", "private", "an Alias serves application.wsgi, the tree allowed",
          "sed -i 's|^    WSGIScriptAlias|    Alias /application.wsgi {root}/application.wsgi\\n    WSGIScriptAlias|; "
          f"s|Require all denied|Require all granted|' {{vhost}}; {GRACEFUL}"),
    Fault("static-alias-removed", "static", "the static Alias removed from the vhost (reloaded): the app answers "
          "its static files itself", "sed -i '/^    Alias /d' {vhost}; " + GRACEFUL),
    Fault("static-dir-listed", "static", "the static dir's Options opened to Indexes (reloaded): Apache lists it",
          "sed -i 's/^        Options None$/        Options Indexes/' {vhost}; " + GRACEFUL),
    Fault("daemon-umask-opened", "umask", "the daemons' umask opened to 0000 in the vhost (reloaded)",
          "sed -i -E 's/ umask=[0-7]+//; s/display-name=/umask=0000 display-name=/' {vhost}; " + GRACEFUL),
    Fault("health-denied", "health", "the health path denied by a <Location>", "sed -i 's|^</VirtualHost>|"
          "    <Location {health}>\\n        Require all denied\\n    </Location>\\n</VirtualHost>|' {vhost}; "
          f"{GRACEFUL}"),
    Fault("homepage-redirected", "homepage", "/ redirected to a maintenance page by hand (the app never answers it)",
          "sed -i 's|^    WSGIScriptAlias|    RedirectMatch 302 ^/$ /maintenance.html\\n    WSGIScriptAlias|' {vhost}; "
          f"{GRACEFUL}"),
    # -- users and rights --------------------------------------------------------------------------
    Fault("app-user-shell", "app_user", "the app user given a login shell", "usermod -s /bin/bash {app_user}"),
    Fault("deploy-user-out-of-group", "deploy_group", "the deploy user removed from the app group",
          "gpasswd -d {deploy_user} {app_group} >/dev/null"),
    Fault("sudoers-widened", "sudoers", "the deploy user's sudoers rule widened to any user",
          "echo '{deploy_user} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploytests-{app}"),
    # -- the tree ----------------------------------------------------------------------------------
    Fault("releases-world-writable", "tree", "releases/ made world-writable", "chmod 0777 {root}/releases"),
    Fault("lock-owned-by-root", "tree", ".deploy.lock owned by root (the next deploy cannot lock)",
          "chown root:root {root}/.deploy.lock"),
    Fault("lock-removed", "tree", ".deploy.lock removed", "rm {root}/.deploy.lock"),
    Fault("wsgi-world-writable", "tree", "application.wsgi made world-writable", "chmod 0666 {root}/application.wsgi"),
    Fault("python-home-removed", "tree", "the daemons' python-home venv removed (daemons cannot start again)",
          "rm -rf /var/lib/deploytests/python"),
    Fault("app-root-to-app-user", "tree", "the app's root dir given to the app user", "chown {app_user} {root}"),
    Fault("shared-world-readable", "shared", "shared/ opened to others", "chmod 0755 {root}/shared"),
    Fault("shared-data-world-writable", "shared", "a shared path made world-writable",
          "chmod 0777 {root}/shared/{shared0}"),
    Fault("config-world-readable", "config_mode", "the config made world-readable", "chmod 0644 {config}"),
    Fault("config-edited", "config", "the config edited by hand on the server", "echo '# edited' >> {config}"),
    Fault("wsgi-edited", "wsgi", "application.wsgi edited by hand",
          "echo '# edited by hand' >> {root}/application.wsgi"),
    # -- releases and current ----------------------------------------------------------------------
    Fault("current-removed", "current", "the current link removed", "rm {root}/current"),
    Fault("current-to-half-release", "current", "current pointed at a release dir without RELEASE.json",
          "mkdir {root}/releases/29990101T000000Z-halfdone; ln -sfn releases/29990101T000000Z-halfdone {root}/.c; "
          "mv -T {root}/.c {root}/current"),
    Fault("current-switched-no-reload", "serves", "current switched to the previous release without a reload",
          "ln -sfn releases/{prev} {root}/.c; mv -T {root}/.c {root}/current"),
    Fault("release-json-field-removed", "records", "RELEASE.json's entry_point removed",
          "sed -i '/\"entry_point\"/d' {release}/RELEASE.json"),
    Fault("release-json-version-altered", "installed", "RELEASE.json claims another version",
          "sed -i 's/\"version\": \"{version}\"/\"version\": \"{version}.post9\"/' {release}/RELEASE.json"),
    Fault("installed-version-altered", "installed", "the installed distribution's version altered in the live venv",
          "sed -i 's/^Version: .*/Version: {version}.dev1/' {site}/{dist_info}/METADATA"),
    Fault("release-json-sha-altered", "artifact", "RELEASE.json records another artifact sha256",
          "sed -i 's/\"artifact_sha256\": \"{sha}\"/\"artifact_sha256\": \"{other_sha}\"/' {release}/RELEASE.json"),
    Fault("venv-file-changed", "files", "a module of the app changed in the live venv",
          f"echo '# changed on the server' >> \"{FIRST_PY}\""),
    Fault("venv-file-added", "files", "a .pth file dropped into the live venv's site-packages",
          "echo 'import os' > {site}/zz_injected.pth; chown {deploy_user} {site}/zz_injected.pth"),
    Fault("venv-file-removed", "files", "a file of the live venv removed",
          "rm \"$(find {site} -name '*.py' | sort | tail -n 1)\""),
    Fault("venv-file-writable", "code_mode", "a module of the live venv made world-writable",
          f"chmod o+w \"{FIRST_PY}\""),
    Fault("venv-owned-by-app", "code_mode", "the live venv's lib/ given to the app user",
          "chown -R {app_user} {release}/venv/lib"),
    Fault("venv-of-another-python", "python", "the live venv recorded as made by another Python (pyvenv.cfg)",
          "sed -i -E 's/^(version|version_info) *= *3[.][0-9]+/\\1 = 3.9/' {release}/venv/pyvenv.cfg"),
    Fault("venv-python-removed", "venv_python", "the live venv's python link removed", "rm {release}/venv/bin/python"),
    Fault("venv-python-swapped", "venv_python", "the live venv's python replaced by a wrapper script (the gate must "
          "judge it by its links, never run it)", "rm {release}/venv/bin/python; printf '#!/bin/sh\\nexec "
          "/usr/bin/python3 \"$@\"\\n' > {release}/venv/bin/python; chmod 755 {release}/venv/bin/python; "
          "chown {deploy_user} {release}/venv/bin/python"),
    Fault("shared-link-replaced", "shared_links", "a shared path of the live release replaced by a plain dir",
          "rm {release}/{shared0}; mkdir {release}/{shared0}; chown {deploy_user} {release}/{shared0}"),
    Fault("releases-not-pruned", "prune", "more releases kept than keep_releases",
          "for i in $(seq 1 {keep}); do cp -a {release} {root}/releases/20000101T00000${{i}}Z-0000000$i; done"),
    Fault("half-built-release-left", "prune", "a half-built release dir left with no deploy running",
          "mkdir {root}/releases/29990101T000000Z-halfbuilt; "
          "chown {deploy_user} {root}/releases/29990101T000000Z-halfbuilt"),
    Fault("reload-turned-off", "reload", "a 'tuning' snippet with WSGIScriptReloading Off enabled (reloaded): the "
          "next deploy's touch of application.wsgi restarts nothing", "printf '# tuning\\nWSGIScriptReloading Off\\n'"
          " > /etc/apache2/conf-available/zz-tuning.conf; a2enconf -q zz-tuning; " + GRACEFUL),
    Fault("current-relinked-no-reload", "daemon_code",
          "current re-made (same release) by hand after the daemons started",
          "sleep 0.1; ln -sfn releases/{live} {root}/.c; mv -T {root}/.c {root}/current"),
    Fault("code-loaded-then-restored", "loaded", "a module of the live release changed, loaded by the daemons "
          "(application.wsgi touched, one request), then put back byte for byte with its old mtime and .pyc",
          "f={site}/{package}/__init__.py; c=$(echo {site}/{package}/__pycache__/__init__.*.pyc); "
          "cp -p $f /tmp/dt-orig; mv $c /tmp/dt-pyc; echo 'CHANGED = 1' >> $f; touch {root}/application.wsgi; "
          "python3 -c \"import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:{port}{health}', "
          "headers=dict(Host='{server_name}')), timeout=60).read()\"; cat /tmp/dt-orig > $f; "
          "touch -r /tmp/dt-orig $f; mv /tmp/dt-pyc $c"),
    Fault("daemon-runs-code-from-memory", "cw_mapped", "a module of the live release changed to copy a library "
          "into a memfd and load it from there (application.wsgi touched, one request), then put back byte for byte "
          "with its old mtime and .pyc: the daemons run code no file on disk holds",
          "f={site}/{package}/__init__.py; c=$(echo {site}/{package}/__pycache__/__init__.*.pyc); "
          "cp -p $f /tmp/dt-orig; mv $c /tmp/dt-pyc; printf '%s\\n' 'import ctypes as _c, os as _o' "
          "'_m = _o.memfd_create(\"lib\")' '_o.write(_m, open(\"/lib/x86_64-linux-gnu/libz.so.1\", \"rb\").read())' "
          "'_c.CDLL(\"/proc/self/fd/\" + str(_m))' >> $f; touch {root}/application.wsgi; "
          "python3 -c \"import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:{port}{health}', "
          "headers=dict(Host='{server_name}')), timeout=60).read()\"; cat /tmp/dt-orig > $f; "
          "touch -r /tmp/dt-orig $f; mv /tmp/dt-pyc $c"),
    Fault("embedded-mode", "daemon_user", "daemon mode removed from the vhost: the app runs inside Apache's workers",
          "sed -i '/WSGIDaemonProcess/,/locale=/d; /WSGIProcessGroup/d; /WSGIImportScript/d' {vhost}; "
          f"{GRACEFUL}"),
    Fault("health-inside-broken", "inside", "the site answers only for other names (a catch-all vhost first)",
          "printf '<VirtualHost *:80>\\n    ServerName {server_name}\\n    Redirect 410 /\\n</VirtualHost>\\n' "
          f"> {{sites_enabled}}/000-catchall.conf; {GRACEFUL}"),
    # -- closed world: what nobody listed (serves, runs, grants, loads code) ----------------------------
    Fault("tool-left-listening", "cw_listen", "a debugging HTTP server left listening on every address (nobody)",
          "setsid runuser -u nobody -- python3 -m http.server 8765 --bind 0.0.0.0 </dev/null >/dev/null 2>&1 & "
          "i=0; while ! grep -q ':223D 00000000:0000 0A' /proc/net/tcp && [ $i -lt 100 ]; do sleep 0.05; "
          "i=$((i+1)); done"),
    Fault("conf-snippet-by-hand", "cw_apache_files", "a 'hardening' snippet by hand in conf-enabled (reloaded)",
          "printf 'ServerSignature Off\\nListen 8088\\n' > /etc/apache2/conf-available/hardening.conf; "
          f"a2enconf -q hardening; {GRACEFUL}"),
    Fault("stock-module-enabled", "cw_modules", "a stock module not enabled on a stock server enabled by hand",
          f"a2enmod -q info; {GRACEFUL}"),
    Fault("stock-site-renamed", "cw_apache_files", "Debian's default site (a package file, unchanged) enabled "
          "again under another name", "ln -s \"$(dirname {vhost})/{default_site}.conf\" {sites_enabled}/zzz-old.conf; "
          + GRACEFUL),
    Fault("second-vhost-in-app-site", "cw_vhosts", "a second vhost appended to the app's site file (reloaded)",
          "printf '<VirtualHost *:{port}>\\n    ServerName ops.invalid\\n    Redirect 302 / http://ops.invalid/\\n"
          "</VirtualHost>\\n' >> {vhost}; " + GRACEFUL),
    Fault("conf-edited-not-reloaded", "cw_in_force", "the vhost edited by hand and left for the next reload",
          "sed -i 's/threads=15/threads=16/' {vhost}"),
    Fault("app-user-process-left", "cw_processes", "a shell job left running as the app user",
          "setsid runuser -u {app_user} -- sleep 100000 </dev/null >/dev/null 2>&1 &"),
    Fault("unit-runs-app-code-as-root", "cw_units", "a systemd service and timer by hand that run the app's code "
          "as root every night", "printf '[Service]\\nType=oneshot\\nExecStart={root}/current/venv/bin/python -m "
          "{package}.report\\n' > /etc/systemd/system/app-report.service; printf '[Timer]\\nOnCalendar=daily\\n"
          "[Install]\\nWantedBy=timers.target\\n' > /etc/systemd/system/app-report.timer; mkdir -p "
          "/etc/systemd/system/timers.target.wants; ln -sf /etc/systemd/system/app-report.timer "
          "/etc/systemd/system/timers.target.wants/app-report.timer"),
    Fault("backup-timer-copy-for-all", "cw_schedules", "a backup script by hand, run by a systemd timer, that "
          "tars shared/ (the config's secrets) into a file every local user may read",
          "printf '#!/bin/sh\\nmkdir -p /var/backups/app\\ntar -czf /var/backups/app/shared-$(date +%%F).tgz -C "
          "{root} shared\\n' > /usr/local/sbin/backup-app; chmod 0755 /usr/local/sbin/backup-app; "
          "/usr/local/sbin/backup-app; printf '[Service]\\nType=oneshot\\nExecStart=/usr/local/sbin/backup-app\\n' > "
          "/etc/systemd/system/backup-app.service; printf '[Timer]\\nOnCalendar=daily\\n' > "
          "/etc/systemd/system/backup-app.timer"),
    # what a later start runs: nothing of it runs when the gate looks (a console login at boot, a listener an
    # @reboot job starts)
    Fault("console-autologin-at-boot", "cw_units", "a getty drop-in by hand that logs root in on the first console "
          "at the next boot, without a password", "mkdir -p /etc/systemd/system/getty@tty1.service.d; printf "
          "'[Service]\\nExecStart=\\nExecStart=-/sbin/agetty --autologin root --noclear %%I $TERM\\n' > "
          "/etc/systemd/system/getty@tty1.service.d/override.conf"),
    Fault("unit-among-the-packages-units", "cw_units", "a service by hand, and the link enabling it, put among the "
          "packages' own units (/lib/systemd/system): it serves / over HTTP at the next boot",
          "d=/lib/systemd/system; mkdir -p $d/multi-user.target.wants; printf '[Service]\\nExecStart=/usr/bin/python3 "
          "-m http.server 8097\\n' > $d/ops-share.service; ln -sf $d/ops-share.service "
          "$d/multi-user.target.wants/ops-share.service"),
    Fault("packaged-init-script-enabled-by-hand", "cw_schedules", "a start link by hand in rc3.d to a packaged "
          "init script its package disables (apache-htcacheclean): sysvinit starts it at the next boot",
          "ln -sf /etc/init.d/apache-htcacheclean /etc/rc3.d/S01apache-htcacheclean"),
    Fault("listener-at-reboot", "cw_schedules", "a root @reboot job by hand that serves / over HTTP at the next boot",
          "mkdir -p /var/spool/cron/crontabs; echo '@reboot cd / && python3 -m http.server 8099' >> "
          "/var/spool/cron/crontabs/root; chmod 600 /var/spool/cron/crontabs/root"),
    Fault("app-user-cron", "cw_schedules", "a cron job for the app user (its crontab)",
          "mkdir -p /var/spool/cron/crontabs; echo '*/5 * * * * /bin/true' > /var/spool/cron/crontabs/{app_user}; "
          "chmod 600 /var/spool/cron/crontabs/{app_user}"),
    Fault("at-deny-lets-apache-queue", "cw_schedules", "at installed, Apache's user taken off at's /etc/at.deny "
          "(0640 root:daemon: only root reads it): www-data may queue at jobs that outlive any deploy",
          "apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
          "--no-install-recommends at >/dev/null 2>&1; sed -i '/^www-data$/d' /etc/at.deny"),
    Fault("cron-allow-names-the-app-user", "cw_schedules", "cron installed and a cron.allow made 0600 as hardening "
          "guides say, listing root and the app user: the app may queue crontab jobs that outlive any deploy",
          "apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
          "--no-install-recommends cron >/dev/null 2>&1; printf 'root\\n{app_user}\\n' > /etc/cron.allow; "
          "chmod 600 /etc/cron.allow"),
    Fault("tmpfiles-hands-releases-to-the-app", "cw_root_acts", "a tmpfiles.d line by hand that makes releases/ "
          "the app user's at every boot (the app may then change the code a deploy made)",
          "mkdir -p /etc/tmpfiles.d; echo 'z {root}/releases 0775 {app_user} {app_group} -' > "
          "/etc/tmpfiles.d/ops-perms.conf"),
    Fault("daemon-traced-by-root", "cw_traced", "one of the app's daemons traced by a root process (ptrace, as "
          "strace -p does) left running", "p=$(pgrep -u {app_user} | head -n 1); test -n \"$p\"; setsid nohup "
          "python3 -c \"import ctypes, time; c = ctypes.CDLL(None); c.ptrace.argtypes = [ctypes.c_long] * 4; "
          "assert c.ptrace(0x4206, $p, 0, 0) == 0; time.sleep(10 ** 6)\" </dev/null >/dev/null 2>&1 & sleep 1"),
    Fault("sudoers-rule-for-app-user", "cw_sudoers", "a NOPASSWD rule for the app user in a new sudoers file",
          "echo '{app_user} ALL=(root) NOPASSWD: /usr/sbin/apache2ctl' > /etc/sudoers.d/ops; "
          "chmod 0440 /etc/sudoers.d/ops"),
    Fault("app-user-in-root-group", "cw_groups", "the app user added to the disk group (raw disks: every file)",
          "usermod -aG disk {app_user}"),
    Fault("app-user-authorized-key", "cw_app_login", "an authorized_keys file for the app user",
          "h=$(getent passwd {app_user} | cut -d: -f6); mkdir -p \"$h/.ssh\"; "
          "echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ops' > \"$h/.ssh/authorized_keys\""),
    Fault("setuid-in-shared", "cw_tree_special", "a setuid copy of a shell in a shared path",
          "cp /bin/dash {root}/shared/{shared0}/.t; chmod 4755 {root}/shared/{shared0}/.t"),
    Fault("python-home-pth", "cw_loader", "a .pth file dropped into the daemons' python-home",
          "echo 'import os' > {python_home}/lib/python{python_version}/site-packages/zz.pth"),
    Fault("stdlib-module-added", "cw_loader", "a 'hotfixed' copy of a dependency put into the stack's stdlib dir "
          "for every app on the box (it comes before the venv on the daemons' path)",
          "cp -a {site}/markupsafe /usr/lib/python{python_version}/markupsafe"),
    Fault("root-file-server-on-loopback", "cw_listen", "a file server left as root on 127.0.0.1 (packaged python's "
          "http.server over /: every local process, the app too, reads any file through it)",
          "setsid python3 -m http.server 8766 --bind 127.0.0.1 --directory / </dev/null >/dev/null 2>&1 & "
          "i=0; while ! grep -q ':223E 00000000:0000 0A' /proc/net/tcp && [ $i -lt 100 ]; do sleep 0.05; "
          "i=$((i+1)); done"),
    Fault("root-agent-on-open-unix-socket", "cw_listen", "an agent's control socket left by root in /run with "
          "mode 0666 (no network: every local user, the app's code too, sends it commands run as root)",
          "setsid python3 -c 'import os,socket,time; s=socket.socket(socket.AF_UNIX); s.bind(\"/run/ops-agent.sock\"); "
          "os.chmod(\"/run/ops-agent.sock\", 0o666); s.listen(); time.sleep(86400)' </dev/null >/dev/null 2>&1 & "
          "i=0; while ! grep -q ' /run/ops-agent.sock$' /proc/net/unix && [ $i -lt 100 ]; do sleep 0.05; "
          "i=$((i+1)); done"),
    Fault("wsgi-daemon-socket-opened", "cw_listen", "the app's mod_wsgi daemon socket made 0777 by hand (a "
          "'permission denied' fixed with chmod): every local user hands the app's daemons a request with an environ "
          "of its own (REMOTE_USER, REMOTE_ADDR), past Apache's access rules",
          "s=$(find /run/apache2 -maxdepth 1 -name 'wsgi.*.sock' | head -n 1); test -n \"$s\"; "
          "chmod 0777 /run/apache2/wsgi.*.sock"),
    Fault("logrotate-hook-dir-runs-the-release", "cw_schedules", "a script in /etc/logrotate.d/httpd-prerotate/ "
          "(Debian's apache2 logrotate file runs the directory with run-parts, as root, daily) warming the release's "
          "python", "mkdir -p /etc/logrotate.d/httpd-prerotate; printf '#!/bin/sh\\n{root}/current/venv/bin/python "
          "-c \"import {package}\" || true\\n' > /etc/logrotate.d/httpd-prerotate/app-warm; chmod 755 "
          "/etc/logrotate.d/httpd-prerotate/app-warm"),
    Fault("cron-path-into-the-release", "cw_schedules", "a cron.d file whose PATH puts the live release's venv "
          "first (its jobs run root's commands from there)", "mkdir -p /etc/cron.d; printf "
          "'PATH={root}/current/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin\\n0 4 * * * root run-parts /etc/cron.daily\\n' "
          "> /etc/cron.d/ops-path"),
    Fault("program-conf-names-the-tree", "cw_schedules", "a sysctl.d core_pattern piping every crash to the "
          "release's python (the kernel runs it as root)", "echo 'kernel.core_pattern = |{root}/current/venv/bin/"
          "python -m {package}.crash %p' > /etc/sysctl.d/60-ops-crash.conf"),
    Fault("rollback-target-broken", "rollback_ready", "the previous release's package removed (a half clean-up)",
          "rm -rf {root}/releases/{prev}/venv/lib/python{python_version}/site-packages/{package}"),
    Fault("kept-release-of-the-app-user", "rollback_ready", "the previous release's venv chowned to the app user "
          "(the app may plant code a rollback makes live)", "chown -R {app_user} {root}/releases/{prev}/venv/lib"),
    Fault("kept-release-file-gone", "rollback_ready", "a file another distribution's RECORD lists removed from the "
          "previous release (a rollback would fail at import)", "d=$(ls -d {prev_site}/*.dist-info | grep -v "
          "'/{package}-' | head -n 1); rm {prev_site}/$(grep -v '^\\.\\.\\|dist-info\\|__pycache__' $d/RECORD "
          "| grep ',sha256=' | head -n 1 | cut -d, -f1)"),
    # -- who may write what loads code, or runs as root --------------------------------------------------------
    Fault("python-home-world-writable", "cw_load_path", "the daemons' python-home's lib/ opened to everyone",
          "chmod -R o+w {python_home}/lib"),
    Fault("ld-dir-of-the-deploy-login", "cw_load_path", "a library dir the deploy login owns named first in "
          "/etc/ld.so.conf.d (ldconfig run)", "mkdir -p /opt/vendor/lib; chown -R {deploy_user} /opt/vendor; "
          "echo /opt/vendor/lib > /etc/ld.so.conf.d/00-vendor.conf; ldconfig"),
    Fault("setuid-copy-of-python", "cw_setuid", "a setuid-root copy of the stack's python in /usr/local/bin",
          "cp /usr/bin/python{python_version} /usr/local/bin/pyroot; chmod 4755 /usr/local/bin/pyroot"),
    Fault("setuid-behind-acl-opened-dir", "cw_setuid", "a setuid-root copy of the stack's python in a 0700 root "
          "directory that an ACL entry opens to nobody (its mode shows 0710 root:root: the ACL's mask)",
          "mkdir -m 0700 /opt/.ops; cp /usr/bin/python{python_version} /opt/.ops/py; chmod 4755 /opt/.ops/py; "
          "python3 -c 'import os, struct; e = lambda t, p, i: struct.pack(\"<HHI\", t, p, i & 0xFFFFFFFF); "
          "os.setxattr(\"/opt/.ops\", \"system.posix_acl_access\", struct.pack(\"<I\", 2) + e(1, 7, -1) + "
          "e(2, 1, 65534) + e(4, 0, -1) + e(16, 1, -1) + e(32, 0, -1))'"),
    Fault("login-defs-umask-opened", "cw_schedules", "login.defs' UMASK set to 000 (useradd makes every new login's "
          "home writable by everyone: anyone plants its ~/.bashrc)",
          "if grep -q '^UMASK' /etc/login.defs; then sed -i 's/^UMASK.*/UMASK 000/' /etc/login.defs; "
          "else echo 'UMASK 000' >> /etc/login.defs; fi"),
    Fault("setuid-shell-left-in-var-tmp", "cw_setuid", "a setuid-root copy of bash an admin left in /var/tmp",
          "cp /bin/bash /var/tmp/.rs; chmod 4755 /var/tmp/.rs"),
    Fault("module-from-outside-the-module-dir", "cw_apache_effects", "a conf by hand loading a copy of a stock "
          "module from /opt (reloaded)", "mkdir -p /opt/apache-mods; cp /usr/lib/apache2/modules/mod_headers.so "
          "/opt/apache-mods/; echo 'LoadModule headers_module /opt/apache-mods/mod_headers.so' > "
          "/etc/apache2/conf-available/ops-headers.conf; a2enconf -q ops-headers; " + GRACEFUL),
    Fault("trace-enabled", "sec_trace", "TraceEnable On in the app's vhost (reloaded)",
          "sed -i 's|^</VirtualHost>|    TraceEnable On\\n</VirtualHost>|' {vhost}; " + GRACEFUL),
    Fault("server-tokens-full", "sec_tokens", "ServerTokens Full in the app's vhost file (reloaded)",
          "sed -i '1a ServerTokens Full' {vhost}; " + GRACEFUL),
    Fault("status-exposed", "sec_status", "server-status opened to everyone in the app's vhost (reloaded)",
          "sed -i 's|^</VirtualHost>|    <Location /server-status>\\n        SetHandler server-status\\n        "
          "Require all granted\\n    </Location>\\n</VirtualHost>|' {vhost}; " + GRACEFUL),
    Fault("cors-reflects-any-origin", "sec_cors", "a conf echoing each request's Origin into Access-Control-Allow-"
          "Origin with Access-Control-Allow-Credentials: true (mod_headers enabled, reloaded)",
          "a2enmod -q headers; printf 'SetEnvIf Origin \"^(.+)$\" CORS_ORIGIN=$1\\nHeader always set Access-Control-"
          "Allow-Origin \"%%\\173CORS_ORIGIN\\175e\" env=CORS_ORIGIN\\nHeader always set Access-Control-Allow-"
          "Credentials true env=CORS_ORIGIN\\n' > /etc/apache2/conf-available/api-cors.conf; a2enconf -q api-cors; "
          + GRACEFUL),
    # -- what Apache and the daemons actually load; what Apache's configuration does -----------------------------
    Fault("library-dir-in-the-linker-cache-only", "cw_mapped", "'ldconfig DIR' for a dir the deploy login owns (in "
          "/etc/ld.so.cache, no ld.so.conf line) holding a libz, Apache restarted: its parent maps it",
          "mkdir -p /opt/vendor-libs; cp -L /lib/x86_64-linux-gnu/libz.so.1 /opt/vendor-libs/; chown -R {deploy_user} "
          f"/opt/vendor-libs; ldconfig /opt/vendor-libs; apache2ctl stop; {WAIT_APACHE_GONE}; apache2ctl start"),
    Fault("stdlib-bytecode-forged", "cw_bytecode", "the stdlib json package's bytecode made from another source, "
          "its header naming the real source's mtime and size (Python loads it), reloaded",
          "cd /usr/lib/python{python_version}/json; python{python_version} -c \"import importlib._bootstrap_external "
          "as b, os, sys; st = os.stat('__init__.py'); code = compile(open('__init__.py').read() + '_forged = 1', "
          "os.path.abspath('__init__.py'), 'exec'); open('__pycache__/__init__.' + sys.implementation.cache_tag + "
          "'.pyc', 'wb').write(b._code_to_timestamp_pyc(code, st.st_mtime, st.st_size))\"; " + GRACEFUL),
    Fault("site-serving-var-www", "cw_served", "a docs site by hand whose DocumentRoot is /var/www, the app's "
          "root's parent (Debian's <Directory /var/www/> grants it), reloaded",
          "printf '<VirtualHost *:{port}>\\n ServerName docs.example.com\\n DocumentRoot /var/www\\n</VirtualHost>\\n' "
          "> /etc/apache2/sites-available/zz-docs.conf; a2ensite -q zz-docs; " + GRACEFUL),
    Fault("anonymous-webdav", "cw_handlers", "WebDAV switched on for an upload dir, no user required (reloaded)",
          "a2enmod -q dav_fs; mkdir -p /var/www/html/upload; chown www-data /var/www/html/upload; printf '<Directory "
          "/var/www/html/upload>\\n Dav On\\n</Directory>\\n' > /etc/apache2/conf-available/upload.conf; a2enconf -q "
          "upload; " + GRACEFUL),
    Fault("cache-in-front-of-the-app", "cw_in_front", "a disk cache enabled for every URL (the health answer "
          "cached too), reloaded", "a2enmod -q cache_disk; printf 'CacheEnable disk /\\nCacheIgnoreNoLastMod On\\n' > "
          "/etc/apache2/conf-available/speed.conf; a2enconf -q speed; " + GRACEFUL),
    # -- who logs in, and what a login runs -----------------------------------------------------------------
    Fault("sshd-gateway-ports", "cw_sshd", "'GatewayPorts yes' left in sshd_config after a vendor's tunnel (a "
          "login's forwards listen on every address)", "echo 'GatewayPorts yes' >> /etc/ssh/sshd_config"),
    Fault("sshd-trusts-a-ca-key-in-shared", "cw_sshd", "sshd told to trust a CA key kept in a shared path (the app "
          "writes it: it signs keys for any user)", "echo 'TrustedUserCAKeys {root}/shared/{shared0}/ca.pub' >> "
          "/etc/ssh/sshd_config"),
    Fault("pam-permit-first-in-common-auth", "cw_pam", "'auth sufficient pam_permit.so' put first in common-auth "
          "(a debugging shortcut left in): every su and sudo lets in without a password",
          "sed -i '1i auth sufficient pam_permit.so' /etc/pam.d/common-auth"),
    Fault("deploy-login-refused-elsewhere-by-pam-access", "cw_pam", "pam_access added to common-account with an "
          "access.conf rule refusing the deploy login from another network: the gate's own login, from here, still "
          "gets in", "printf -- '-:{deploy_user}:10.99.0.0/16\\n' >> /etc/security/access.conf; "
          "echo 'account required pam_access.so' >> /etc/pam.d/common-account"),
    Fault("sshd-match-address-refuses-deploy-login", "cw_sshd", "a Match Address block in sshd_config refusing the "
          "deploy login from another network (at sshd's next start)",
          "printf 'Match Address 10.99.0.0/16\\n  DenyUsers {deploy_user}\\n' >> /etc/ssh/sshd_config"),
    Fault("login-profile-of-the-app-group", "cw_login_files", "the login's ~/.profile group-writable by the app's "
          "group", "h=$(getent passwd {login} | cut -d: -f6); chgrp {app_group} $h/.profile; chmod g+w $h/.profile"),
    Fault("admin-bashrc-of-the-app-user", "cw_login_files", "a new admin login (sudo) whose ~/.bashrc the app user "
          "owns (a home copied with the app's files)", "useradd -m -s /bin/bash -G sudo opsadmin; "
          "chown {app_user} /home/opsadmin/.bashrc"),
    Fault("admin-profile-the-app-group-writes", "cw_login_files", "a new admin login (sudo) whose ~/.profile the "
          "app's group may write (Debian 13: in a 0700 home only it and root may enter)",
          "useradd -m -s /bin/bash -G sudo opsadmin2; chgrp {app_group} /home/opsadmin2/.profile; "
          "chmod 0664 /home/opsadmin2/.profile"),
    Fault("stdlib-module-appended", "cw_packaged", "a line appended to the stack's stdlib os.py (a local 'fix')",
          "echo '# local fix' >> /usr/lib/python{python_version}/os.py"),
    Fault("stdlib-module-diverted", "cw_packaged", "the stack's stdlib json/__init__.py moved aside with a local "
          "dpkg-divert and a changed copy put in its place (the 'fix' hidden from dpkg's md5sums)",
          "f=/usr/lib/python{python_version}/json/__init__.py; dpkg-divert --quiet --local --rename --add $f; "
          "cp $f.distrib $f; echo '# local fix' >> $f"),
    Fault("apt-source-trusted", "sec_apt", "an apt source marked [trusted=yes]",
          "echo 'deb [trusted=yes] http://apt.ops.example/debian stable main' > /etc/apt/sources.list.d/ops.list"),
    Fault("apt-sandbox-user-root", "sec_apt", "apt's privilege drop for its methods turned off: its downloads and "
          "signature checks (http, gpgv) run as root instead of _apt", "echo 'APT::Sandbox::User \"root\";' > "
          "/etc/apt/apt.conf.d/99sandbox"),
    Fault("apt-no-drop-privs-in-a-scope", "sec_apt", "apt's debug switch that keeps root for its methods, written "
          "in apt's scope syntax (as chroot scripts write it)",
          "printf 'Debug \\173\\n  NoDropPrivs \"true\";\\n\\175;\\n' > /etc/apt/apt.conf.d/00no-drop-privs"),
    # -- who becomes root, whose login stops, the host's baseline ---------------------------------------------
    Fault("system-account-given-a-shell-and-no-password", "cw_become", "a system account (games) given a login "
          "shell and its password deleted (a debugging shortcut): anyone su's to it", "usermod -s /bin/bash games; "
          "passwd -d games >/dev/null"),
    Fault("deploy-login-password-ages-out", "cw_deploy_account", "the deploy login's password aged to expire in 5 "
          "days (chage -M 90, last changed 85 days ago): every deploy after that fails at login",
          "chage -d $(date -u -d '-85 days' +%Y-%m-%d) -M 90 {deploy_user}"),
    Fault("gshadow-readable", "sec_secrets", "/etc/gshadow made 0644 (its group password hashes readable by all)",
          "chmod 0644 /etc/gshadow"),
    Fault("ssh-legacy-mac", "sec_ssh_crypto", "a line for an old SFTP client appended to sshd_config: MACs "
          "+hmac-sha1-96 (a truncated tag; the next sshd start offers it)",
          "echo 'MACs +hmac-sha1-96' >> /etc/ssh/sshd_config"),
    Fault("logrotate-takes-app-data", "cw_schedules", "a logrotate file for 'every site's logs' whose glob "
          "/var/www/*/shared/*/* takes the app's data (renamed, compressed and emptied daily)",
          "printf '/var/www/*/shared/*/* \\173\\n    daily\\n    rotate 3\\n    missingok\\n\\175\\n' > "
          "/etc/logrotate.d/sites"),
    Fault("cron-chown-from-above", "cw_schedules", "a nightly 'fix permissions' job: chown -R www-data: /var/www "
          "(the deploy login loses its releases, the app its config)",
          "mkdir -p /etc/cron.d; echo '0 3 * * * root chown -R www-data: /var/www' > /etc/cron.d/www-perms"),
    Fault("prev-record-made-roots", "rollback_ready", "the previous release's RELEASE.json copied over by root "
          "under umask 077 (an annotation edit): root's 0600, unread by the deploy login and the app user",
          "f={root}/releases/{prev}/RELEASE.json; cp $f /tmp/r.json; rm -f $f; (umask 077; cp /tmp/r.json $f)"),
    Fault("kept-release-package-acl-closed-to-the-app", "rollback_ready", "an ACL entry by hand closing the "
          "previous release's app package to the app's group (a 'quarantine' of old code; its mode still shows "
          "0755, the ACL's mask): after a rollback the daemons cannot import it",
          "g=$(getent group {app_group} | cut -d: -f3); python3 -c \"import os, struct, sys; e = lambda t, p, i: "
          "struct.pack('<HHI', t, p, i & 0xFFFFFFFF); os.setxattr(sys.argv[1], 'system.posix_acl_access', "
          "struct.pack('<I', 2) + e(1, 7, -1) + e(4, 5, -1) + e(8, 0, int(sys.argv[2])) + e(16, 5, -1) + "
          "e(32, 5, -1))\" {prev_site}/{package} $g"),
    Fault("password-login-for-a-qa-account", "cw_become", "a QA account with a shell and a guessable password, "
          "and password logins turned on for it at the top of sshd_config (first value wins): the network gets a "
          "shell on the server by guessing", "useradd -m -s /bin/bash qa; echo 'qa:qa2026' | chpasswd; "
          "sed -i '1i PasswordAuthentication yes' /etc/ssh/sshd_config"),
    Fault("remoteip-trusts-every-client", "sec_status", "mod_remoteip enabled behind a 'load balancer' with "
          "RemoteIPHeader X-Real-IP and RemoteIPInternalProxy for the whole IPv4 space: a client's header is its "
          "address (Debian's Require local on /server-status passes)", "a2enmod -q remoteip; printf "
          "'RemoteIPHeader X-Real-IP\\nRemoteIPInternalProxy 0.0.0.0/1 128.0.0.0/1\\n' > "
          "/etc/apache2/conf-available/lb.conf; a2enconf -q lb; " + GRACEFUL),
    Fault("worker-pinned-to-old-release", "cw_processes", "a queue worker of the app user started by hand from the "
          "previous release's venv (by its id) and left running: it runs code that is not live",
          "setsid nohup setpriv --reuid={app_user} --regid={app_group} --init-groups "
          "{root}/releases/{prev}/venv/bin/python -c 'import time; time.sleep(3600)' </dev/null >/dev/null 2>&1 & "
          "sleep 1"),
    Fault("apache-reload-is-a-stop", "cw_units", "a drop-in for apache2.service whose reload is apachectl's "
          "graceful-stop (logrotate's nightly reload takes the site down)", "mkdir -p "
          "/etc/systemd/system/apache2.service.d; printf '[Service]\\nExecReload=\\nExecReload=/usr/sbin/apachectl "
          "graceful-stop\\n' > /etc/systemd/system/apache2.service.d/reload.conf"),
    Fault("apache-unit-masked", "cw_units", "apache2.service masked during an incident and never unmasked "
          "(systemd never starts it again)", "ln -sfn /dev/null /etc/systemd/system/apache2.service"),
    Fault("sudo-rule-runs-find", "cw_sudoers", "a clean-up grant in sudoers.d: 'ops ALL=(root) NOPASSWD: "
          "/usr/bin/find' (no arguments written: any, -exec included: its grantee is root)",
          "echo 'ops ALL=(root) NOPASSWD: /usr/bin/find' > /etc/sudoers.d/ops-find; "
          "chmod 0440 /etc/sudoers.d/ops-find"),
    Fault("ssh-x11-display-public", "sec_ssh_limits", "X11 forwarding turned on for a GUI installer with "
          "X11UseLocalhost no (a login's forwarded display listens on every interface)",
          "sed -i 's/^X11Forwarding no/X11Forwarding yes/; 1i X11UseLocalhost no' /etc/ssh/sshd_config"),
    Fault("ssh-preauth-unbounded", "sec_ssh_limits", "an anti-brute-force snippet: LoginGraceTime 0 (a connection "
          "that never authenticates holds its slot for good)", "sed -i '1i LoginGraceTime 0' /etc/ssh/sshd_config"),
    Fault("ssh-weak-host-key", "sec_ssh_limits", "an old provisioning script's 1536-bit RSA host key under "
          "/etc/ssh/keys, offered by a HostKey line", "mkdir -p /etc/ssh/keys; ssh-keygen -q -t rsa -b 1536 -N '' "
          "-f /etc/ssh/keys/host_rsa; echo 'HostKey /etc/ssh/keys/host_rsa' >> /etc/ssh/sshd_config"),
    Fault("apache-log-dir-enterable", "sec_logs", "Apache's log directory opened to others (0711: its logs opened "
          "by name)", "chmod 0711 /var/log/apache2"),
    Fault("reqtimeout-switched-off", "sec_guards", "RequestReadTimeout set to 0 after Debian's (slow uploads were cut "
          "off): mod_reqtimeout loaded and doing nothing (reloaded)", "echo 'RequestReadTimeout handshake=0 header=0 "
          "body=0' >> /etc/apache2/mods-available/reqtimeout.conf; " + GRACEFUL),
    Fault("sysctl-kptr-open", "sec_sysctl", "a sysctl.d file from a profiling guide: kernel.kptr_restrict = 0",
          "mkdir -p /etc/sysctl.d; echo 'kernel.kptr_restrict = 0' > /etc/sysctl.d/60-profiling.conf"),
    Fault("run-lock-not-sticky", "sec_sticky", "/run/lock made 0777 (its sticky bit gone)", "chmod 0777 /run/lock"),
    Fault("apache-runs-as-root", "sec_apache_user", "Apache's run user set to root in envvars (restart refused: "
          "only the next start would)", "sed -i 's/^export APACHE_RUN_USER=.*/export APACHE_RUN_USER=root/' "
          "/etc/apache2/envvars"),
    # logins without the user's own key; root's programs configured into a less trusted login's files; code from
    # the network; every place systemd runs scripts from; secrets outside the config; who may write sshd's config
    Fault("key-command-for-every-login", "cw_become", "an AuthorizedKeysCommand by hand, at sshd_config's top: "
          "sshd takes the keys a program prints as opening every login (the deploy login's too), which the gate "
          "does not see", "sed -i '1i AuthorizedKeysCommandUser nobody' /etc/ssh/sshd_config; sed -i "
          "'1i AuthorizedKeysCommand /usr/bin/cat /etc/ssh/keys/%u' /etc/ssh/sshd_config"),
    Fault("second-admin-key-added", "cw_become", "a second admin login (group sudo) whose authorized_keys, 0600 in "
          "its home, holds a key that is not the operator's (a former colleague's, left behind)", "useradd -m -s "
          "/bin/bash -G sudo ops2; install -d -m 0700 -o ops2 -g ops2 /home/ops2/.ssh; ssh-keygen -q -t ed25519 -N '' "
          "-C former@laptop -f /root/former; install -m 0600 -o ops2 -g ops2 /root/former.pub "
          "/home/ops2/.ssh/authorized_keys; rm -f /root/former /root/former.pub"),
    Fault("admin-key-in-a-named-key-file", "cw_become", "AuthorizedKeysFile extended to /etc/ssh/authorized_keys/%u "
          "(a central key directory) and a second admin (group sudo) whose key lives there, 0600 its own (only root "
          "and it may read it)", "sed -i '1i AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys/%u' "
          "/etc/ssh/sshd_config; install -d -m 0755 /etc/ssh/authorized_keys; useradd -m -s /bin/bash -G sudo ops3; "
          "ssh-keygen -q -t ed25519 -N '' -C vendor@support -f /root/vendor; install -m 0600 -o ops3 -g ops3 "
          "/root/vendor.pub /etc/ssh/authorized_keys/ops3; rm -f /root/vendor /root/vendor.pub"),
    Fault("second-admin-keys-behind-a-link", "cw_become", "a second admin login (group sudo) whose ~/.ssh is a "
          "link to a key directory of its own elsewhere (sshd follows it; root's collector never follows a link): "
          "the keys that open it cannot be read", "useradd -m -s /bin/bash -G sudo ops4; install -d -m 0700 -o ops4 "
          "-g ops4 /srv/keys-ops4; ssh-keygen -q -t ed25519 -N '' -C vendor@support -f /root/ops4; install -m 0600 "
          "-o ops4 -g ops4 /root/ops4.pub /srv/keys-ops4/authorized_keys; ln -s /srv/keys-ops4 /home/ops4/.ssh; "
          "chown -h ops4:ops4 /home/ops4/.ssh; rm -f /root/ops4 /root/ops4.pub"),
    Fault("admin-key-in-a-percent-named-key-file", "cw_become", "AuthorizedKeysFile extended to a central key "
          "directory whose file names start with a literal % (/etc/ssh/keys/%%%u: sshd reads /etc/ssh/keys/%ops5) "
          "and a second admin (group sudo) whose key lives there", "sed -i '1i AuthorizedKeysFile "
          ".ssh/authorized_keys /etc/ssh/keys/%%%u' /etc/ssh/sshd_config; install -d -m 0755 /etc/ssh/keys; "
          "useradd -m -s /bin/bash -G sudo ops5; ssh-keygen -q -t ed25519 -N '' -C vendor@support -f /root/ops5; "
          "install -m 0600 -o ops5 -g ops5 /root/ops5.pub /etc/ssh/keys/%ops5; rm -f /root/ops5 /root/ops5.pub"),
    Fault("password-login-for-the-deploy-login", "cw_become", "a password set on the deploy login and password "
          "logins turned on in sshd_config (read first: first value wins)", "echo '{login}:Spring2026x' | chpasswd; "
          "sed -i '1i PasswordAuthentication yes' /etc/ssh/sshd_config"),
    Fault("host-based-ssh-logins", "cw_sshd", "HostbasedAuthentication on, with a trusted host in /etc/hosts.equiv "
          "(same-named accounts there log in with no key)", "sed -i '1i HostbasedAuthentication yes' "
          "/etc/ssh/sshd_config; echo 10.0.0.7 > /etc/hosts.equiv"),
    Fault("root-conf-in-the-deploy-logins-home", "cw_schedules", "/etc/npmrc's prefix in the deploy login's home "
          "(root's global npm installs and runs what that login puts there)", "l=$(getent passwd {login} | cut -d: "
          "-f6); printf 'prefix=%s/.npm-global\\n' \"$l\" > /etc/npmrc"),
    Fault("root-job-runs-a-network-fetch", "cw_schedules", "a root cron job piping a plain-HTTP download into bash",
          "mkdir -p /etc/cron.d; printf '*/15 * * * * root wget -qO- http://sync.example.internal/run | bash\\n' "
          "> /etc/cron.d/ops-sync"),
    Fault("sleep-hook-runs-the-release", "cw_root_acts", "a systemd-sleep hook (root, every suspend and resume) "
          "running the release's python", "mkdir -p /usr/lib/systemd/system-sleep; printf '#!/bin/sh\\n"
          "{root}/current/venv/bin/python -c \"import {package}\" || true\\n' > /usr/lib/systemd/system-sleep/app; "
          "chmod 755 /usr/lib/systemd/system-sleep/app"),
    Fault("config-copy-outside-the-tree", "sec_secrets", "a copy of the app's config left in /var/tmp, 0644",
          "cp {config} /var/tmp/app-settings.old; chmod 0644 /var/tmp/app-settings.old"),
    Fault("secret-value-in-apache-conf", "sec_secrets", "the config's SECRET_KEY value put in an Apache conf "
          "(SetEnv), 0644 like all of Apache's configuration", "k=$(sed -n 's/^SECRET_KEY = //p' {config} | tr -d "
          "'\"'); test -n \"$k\"; printf 'SetEnv APP_KEY %s\\n' \"$k\" > /etc/apache2/conf-available/keys.conf; "
          "a2enconf -q keys; " + GRACEFUL),
    Fault("sshd-config-writable-by-a-group", "cw_sshd", "sshd_config made group-writable for adm (whoever is in "
          "adm sets how sshd lets in at its next start)", "chgrp adm /etc/ssh/sshd_config; chmod 0664 "
          "/etc/ssh/sshd_config"),
    Fault("sudo-setenv-rule", "cw_sudoers", "a sudoers rule with SETENV on a root command (its users set "
          "APACHE_ENVVARS: root sources their file)", "printf '%%adm ALL=(root) NOPASSWD:SETENV: /usr/sbin/apache2ctl "
          "configtest\\n' > /etc/sudoers.d/ops-setenv; chmod 0440 /etc/sudoers.d/ops-setenv; visudo -c >/dev/null"),
    # a group judged by what it owns, not its name; what holds the stack's updates back; sshd's limits below the
    # pipeline's own sessions and connections; a later sudoers line shadowing a passwordless one
    Fault("app-user-in-a-secret-files-group", "cw_groups", "the app user put in a team's group that owns a token "
          "file under /etc (0640): the app's code reads it", "groupadd -r vaultread; install -d -m 0750 -g vaultread "
          "/etc/vault; echo token=x > /etc/vault/token; chgrp vaultread /etc/vault/token; chmod 0640 /etc/vault/token; "
          "usermod -aG vaultread {app_user}"),
    Fault("apt-release-ranked-above-security", "sec_updates", "an apt pin ranking the release above its security "
          "suite for sshd and OpenSSL (their security updates never installed)", "c=$(. /etc/os-release; echo "
          "$VERSION_CODENAME); printf 'Package: openssh-server libssl*\\nPin: release n=%s\\nPin-Priority: 990\\n' "
          "\"$c\" > /etc/apt/preferences.d/stable-only"),
    Fault("uu-blacklists-the-stack", "sec_updates", "unattended-upgrades installed (switched on, as its package "
          "sets it) with Apache in its Package-Blacklist: the server's automatic security updates skip Apache, "
          "silently", "apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
          "--no-install-recommends unattended-upgrades >/dev/null 2>&1; printf 'Unattended-Upgrade::Package-Blacklist "
          "\\173 \"apache2\"; \\175;\\n' > /etc/apt/apt.conf.d/52local"),
    Fault("ssh-server-left-to-autoremove", "sec_updates", "openssh-server marked installed automatically "
          "(apt-mark auto: a clean-up of what was installed by hand) with nothing installed by hand needing it: "
          "the next apt autoremove takes away the deploy's and the gate's way in",
          "apt-mark auto openssh-server >/dev/null"),
    Fault("service-policy-skips-reloads", "cw_root_acts", "a policy-rc.d by hand answering 101 to restarts and "
          "reloads (kept from a maintenance window): upgrades never restart what they fixed, logrotate never reloads "
          "Apache", "printf '#!/bin/sh\\ncase \"$2\" in restart|reload|force-reload) exit 101;; esac\\nexit 0\\n' "
          "> /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d"),
    Fault("tls-key-open-to-all", "sec_secrets", "a TLS private key Apache does not use, kept under another name in a "
          "directory of its own, left 0644 (every local user, the app's code too, reads it)",
          "mkdir -p /etc/ssl/edge; chmod 0755 /etc/ssl/edge; openssl genrsa -traditional 2048 2>/dev/null "
          "> /etc/ssl/edge/lb.pem; chmod 0644 /etc/ssl/edge/lb.pem"),
    Fault("app-data-copied-out", "sec_secrets", "a file the app keeps private in its shared data copied to /srv "
          "under another name, 0644, before a migration", "runuser -u {app_user} -- sh -c 'umask 007; head -c 300 "
          "/dev/urandom | base64 > {root}/shared/{shared0}/tokens.csv'; mkdir -p /srv/export; cp "
          "{root}/shared/{shared0}/tokens.csv /srv/export/t.csv; chmod 0644 /srv/export/t.csv"),
    Fault("ssh-client-lends-agent", "sec_ssh_limits", "every login's ssh client forwarding its agent to the hosts of "
          "a domain (ssh_config itself)", "printf 'Host *.internal\\n    ForwardAgent yes\\n' >> /etc/ssh/ssh_config"),
    Fault("failed-logins-to-a-device", "sec_logs", "the record of failed logins replaced by a null device "
          "(lastb shows nothing: a password guessing run leaves no trace)",
          "rm -f /var/log/btmp; mknod -m 0660 /var/log/btmp c 1 3"),
    Fault("perl-module-by-hand-for-root", "cw_load_path", "a patched copy of a packaged perl module put in "
          "/etc/perl, first in every perl's @INC: debconf, run as root by every package install, loads it",
          "mkdir -p /etc/perl/Debconf; (echo 'our $PATCHED = 1;'; cat /usr/share/perl5/Debconf/Log.pm) > "
          "/etc/perl/Debconf/Log.pm"),
    Fault("python-module-by-hand-for-root", "cw_load_path", "a patched copy of a packaged Python module put in "
          "/usr/local's site dir, before the packaged one on every python3 root runs' sys.path",
          "cp -a /usr/lib/python3/dist-packages/pip /usr/local/lib/python{python_version}/dist-packages/; "
          "echo '# local fix' >> /usr/local/lib/python{python_version}/dist-packages/pip/__init__.py"),
    Fault("apt-default-release", "sec_updates", "APT::Default-Release set to stable (990 to it: the security suite, "
          "another release, never wins)", "echo 'APT::Default-Release \"stable\";' > /etc/apt/apt.conf.d/99release"),
    Fault("sshd-sessions-below-the-pipelines", "sec_ssh_limits", "MaxSessions 2 and PerSourceMaxStartups 3 from a "
          "hardening guide (the pipeline's sessions on one connection and its parallel connections refused at random)",
          "sed -i '1i MaxSessions 2\\nPerSourceMaxStartups 3' /etc/ssh/sshd_config"),
    Fault("secret-lines-in-an-env-file", "sec_secrets", "the config's secret lines copied into a report job's env "
          "file under /opt, 0644 (not a whole copy: by value)", "mkdir -p /opt/report; grep -iE "
          "'^[A-Za-z_]*(SECRET|KEY|TOKEN|PASSW)' {config} > /opt/report/.env; chmod 0644 /opt/report/.env"),
    Fault("private-key-left-in-srv", "sec_secrets", "a backup job's SSH private key left in /srv, 0644 (outside "
          "/etc: by its key block)", "mkdir -p /srv/backup; ssh-keygen -q -t ed25519 -N '' -f /srv/backup/id_backup; "
          "chmod 0644 /srv/backup/id_backup"),
    Fault("logrotate-program-of-another-account", "cw_schedules", "a logrotate file whose uncompresscmd is a "
          "wrapper in a tools dir another account owns (logrotate runs it as root)", "mkdir -p /opt/logtools "
          "/etc/logrotate.d; printf '#!/bin/sh\\nexec gzip \"$@\"\\n' > /opt/logtools/gz; chmod 0755 "
          "/opt/logtools/gz; chown -R nobody /opt/logtools; printf '/var/log/ops.log \\173\\n    compress\\n    "
          "uncompresscmd /opt/logtools/gz\\n\\175\\n' > /etc/logrotate.d/ops"),
    Fault("root-vimrc-sources-another-accounts-file", "cw_schedules", "root's ~/.vimrc sourcing a team's vim file "
          "another account owns (every root edit, visudo's too, runs it)", "mkdir -p /opt/vimfiles; echo 'set number' "
          "> /opt/vimfiles/team.vim; chown -R nobody /opt/vimfiles; echo 'source /opt/vimfiles/team.vim' > "
          "/root/.vimrc"),
    Fault("sysctl-ipv6-source-routing", "sec_sysctl", "a sysctl.d file accepting source-routed IPv6 packets",
          "printf 'net.ipv6.conf.all.accept_source_route = 1\\n' > /etc/sysctl.d/60-lab.conf"),
    Fault("udev-input-devices-for-all", "cw_root_acts", "a udev rule by hand making input devices readable by "
          "every local user (a kiosk's keyboard reader): every keystroke typed there, from the next boot",
          "mkdir -p /etc/udev/rules.d; printf 'SUBSYSTEM==\"input\", MODE=\"0664\"\\n' > "
          "/etc/udev/rules.d/99-input.rules"),
    Fault("sudo-later-rule-asks-a-password", "sudo", "a later sudoers file giving every account root with its "
          "password: sudo takes the last matching line: the login's passwordless rule is shadowed",
          "printf 'ALL ALL=(ALL) PASSWD: ALL\\n' > /etc/sudoers.d/zz-all; chmod 0440 /etc/sudoers.d/zz-all; "
          "visudo -c >/dev/null"),
    Fault("swap-file-for-the-adm-group", "sec_secrets", "a swap file in fstab made 0640 root:adm (so the log readers "
          "may check it): from the next boot every member of adm reads what the kernel swaps out (every process's "
          "memory, the app's secrets)", "dd if=/dev/zero of=/var/swap bs=1024 count=1024 status=none; chgrp adm "
          "/var/swap; chmod 0640 /var/swap; mkswap /var/swap >/dev/null 2>&1 || true; echo '/var/swap none swap sw 0 "
          "0' >> /etc/fstab"),
    Fault("apache-errors-at-crit-only", "sec_logs", "Apache's LogLevel raised to crit in apache2.conf ('too much "
          "noise', reloaded): mod_wsgi's tracebacks (error) are no longer written, a failed deploy's report has no "
          "cause", "sed -i 's/^LogLevel .*/LogLevel crit/' /etc/apache2/apache2.conf; " + GRACEFUL),
    Fault("sudo-noexec-for-the-app-user", "cw_sudoers", "a 'no shell escapes' hardening line for sudo to the app "
          "user: the release check cannot run post_deploy, every deploy is refused",
          "printf 'Defaults>{app_user} noexec\\n' > /etc/sudoers.d/50-no-escapes; chmod 0440 "
          "/etc/sudoers.d/50-no-escapes"),
    Fault("app-script-in-embedded-mode", "reload", "a Files block selecting mod_wsgi's embedded mode for the app's "
          "script (reloaded): its requests leave the daemon, the deploy's touch restarts nothing",
          "printf '<Files \"application.wsgi\">\\n    WSGIProcessGroup %%\\173GLOBAL\\175\\n</Files>\\n' > "
          "/etc/apache2/conf-available/wsgi-files.conf; a2enconf -q wsgi-files; " + GRACEFUL),
    Fault("journal-keeps-warnings-only", "sec_logs", "journald told to store warnings and worse only ('too much "
          "noise'): sshd's logins and sudo's commands are no longer kept", "mkdir -p /etc/systemd/journald.conf.d; "
          "printf '[Journal]\\nMaxLevelStore=warning\\n' > /etc/systemd/journald.conf.d/50-quiet.conf"),
)

def render(fault: Fault, values: dict) -> str:
    """The fault's shell script with its placeholders filled (values are quoted-safe tokens: paths, names)."""
    for key, value in values.items():
        if any(c in str(value) for c in "'\"`$;&|<> \n"):
            raise ValueError(f"{key}={value!r}: not a plain path or name, refusing to put it into a script")
    return fault.command.format(**values)


def values_for(cfg, *, login: str, deploy_user: str, live: str, prev: str, python_version: str, artifact,
               stack=None) -> dict:
    """The placeholders of the catalogue's commands for one deployed server (``stack``: its platform's)."""
    apache = (stack or DEFAULT).apache
    release = f"{cfg.root}/releases/{live}"
    name = artifact.name
    normalized = name.replace("-", "_")
    other = ("0" if artifact.sha256[0] != "0" else "1") + artifact.sha256[1:]
    return {
        "login": login, "root": cfg.root, "app": cfg.app, "app_user": cfg.app_user, "app_group": cfg.app_user,
        "deploy_user": deploy_user, "config": cfg.remote_config_path,
        "vhost": apache.site_file(cfg.app), "sites_enabled": apache.sites_enabled,
        "default_site": apache.default_site, "live": live, "prev": prev, "release": release,
        "site": f"{release}/venv/lib/python{python_version}/site-packages", "version": artifact.version,
        "prev_site": f"{cfg.root}/releases/{prev}/venv/lib/python{python_version}/site-packages",
        "dist_info": f"{normalized}-{artifact.version}.dist-info",
        "package": cfg.entry_point.split(":")[0].split(".")[0],
        "sha": artifact.sha256, "other_sha": other, "keep": str(cfg.keep_releases), "health": cfg.health_path,
        "server_name": cfg.server_name, "shared0": (list(cfg.shared_paths) or ["data"])[0],
        "python_version": python_version, "port": str(cfg.port), "python_home": RUNTIME,
    }


def script(fault: Fault, values: dict) -> list[str]:
    """The argv that injects ``fault`` (``sh -ec <script>``)."""
    return ["sh", "-ec", render(fault, values)]


def table() -> str:
    """The Markdown table of the catalogue in docs/promises.md: fault, promise broken, injection."""
    rows = ["| fault | breaks promise | what | injection (root, `sh -e`) |", "|---|---|---|---|"]
    for f in FAULTS:
        cmd = f.command.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{f.id}` | `{f.promise}` | {f.what}{' (a gate run of its own)' if f.alone else ''} | `{cmd}` |")
    return "\n".join(rows)
