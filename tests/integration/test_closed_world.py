"""The closed-world gate on real servers (issue 17): drift the fault catalogue does not name is caught (ordinary
admin tooling installed by hand: tests/integration/test_admin_tooling.py).

Drift here is written by mechanism and on purpose unlike the catalogue's own faults (other names, ports,
paths, files), so a gate that keyed on the catalogue's fingerprints would miss it. Each runs on its own
container of a deployed snapshot (:class:`deploytests.faults.run.Campaign`), with clean hosts and the states the
pipeline produces (rollback, refused release, interrupted deploy) as controls, on Debian 12 and 13. (The other
closed-world campaigns, one per class of rules, run on Debian 12: every rule runs on every host of this module's
Debian 13 campaign and its legitimate states, which keeps the CI run within its 20 minutes.) Last, one server booted
with systemd as PID 1 per platform (Debian 12 and 13): a clean pass with the deploy login's own user manager up,
then start entries made at run time and by hand (warm images, load average 40-60 on a 2-core machine: 74 s for
Debian 12, 153 s for Debian 13).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from campaigns import assert_caught_by_their_rules
from wholesuite import gate_read_only

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.catalogue import WAIT_APACHE_GONE, Fault
from deploytests.suite.lab import APPS

pytestmark = pytest.mark.integration
APP = APPS / "yourapplication"
GRACEFUL = "apache2ctl graceful"

DRIFT = (
    Fault("site-enabled-by-hand", "cw_apache_files", "an operator's status site enabled by hand",
          "printf '<VirtualHost *:80>\\n ServerName ops.example.com\\n DocumentRoot /var/www/html\\n</VirtualHost>\\n'"
          f" > /etc/apache2/sites-available/ops.conf; a2ensite -q ops; {GRACEFUL}"),
    Fault("listen-in-ports-conf", "cw_apache_files", "'Listen 8080' added to Debian's ports.conf (reloaded)",
          f"echo 'Listen 8080' >> /etc/apache2/ports.conf; {GRACEFUL}"),
    Fault("cron-d-job", "cw_schedules", "a cron.d job run as the app user",
          "mkdir -p /etc/cron.d; echo '17 3 * * * {app_user} find /tmp -delete' > /etc/cron.d/app-cleanup"),
    Fault("pth-in-live-venv", "files", "a .pth of another name dropped into the live venv",
          "echo 'import sys' > {site}/00-debug.pth; chown {deploy_user} {site}/00-debug.pth"),
    Fault("nopasswd-for-a-login", "cw_sudoers", "a NOPASSWD line for another login in a numbered sudoers file",
          "echo 'deployer ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/90-deployer; "
          "chmod 0440 /etc/sudoers.d/90-deployer"),
    Fault("python-left-running", "cw_processes", "a Python one-liner left running as the app user",
          "su -s /bin/sh {app_user} -c 'nohup python3 -c \"import time; time.sleep(10**6)\" >/dev/null 2>&1 &'"),
    Fault("previous-release-python-gone", "rollback_ready", "the previous release's venv python removed",
          "rm {root}/releases/{prev}/venv/bin/python"),
    Fault("status-opened-in-stock-conf", "sec_status", "server-status opened to everyone in Debian's status.conf",
          f"sed -i 's/Require local/Require all granted/' /etc/apache2/mods-available/status.conf; {GRACEFUL}"),
    Fault("headers-module", "cw_modules", "mod_headers enabled by hand", f"a2enmod -q headers; {GRACEFUL}"),
    Fault("upload-dir-world-writable", "cw_tree_special", "an upload dir in shared/ opened to everyone",
          "mkdir {root}/shared/{shared0}/uploads; chmod 0777 {root}/shared/{shared0}/uploads"),
    Fault("pythonpath-in-envvars", "cw_loader", "PYTHONPATH exported in Apache's envvars, Apache restarted",
          f"echo 'export PYTHONPATH=/opt/py' >> /etc/apache2/envvars; apache2ctl stop; {WAIT_APACHE_GONE}; "
          "apache2ctl start"),
    # the reload turned off in a stock file of another name (Debian's own mod_wsgi conf): keyed on no file name
    Fault("reload-off-in-stock-wsgi-conf", "reload", "WSGIScriptReloading Off appended to Debian's wsgi.conf",
          f"echo 'WSGIScriptReloading Off' >> /etc/apache2/mods-available/wsgi.conf; {GRACEFUL}"),
    Fault("htaccess-allowed-over-var-www", "reload", "AllowOverride All for /var/www in Debian's apache2.conf: a "
          ".htaccess the deploy login writes may switch the reload off",
          "sed -i '/<Directory \\/var\\/www\\/>/,/<\\/Directory>/s/AllowOverride None/AllowOverride All/' "
          f"/etc/apache2/apache2.conf; grep -q 'AllowOverride All' /etc/apache2/apache2.conf; {GRACEFUL}"),
    Fault("unit-as-deploy-login", "cw_units", "a service left enabled that runs as the deploy login",
          "printf '[Service]\\nUser={deploy_user}\\nExecStart=/usr/bin/sleep infinity\\n' > "
          "/etc/systemd/system/sync-cache.service; mkdir -p /etc/systemd/system/multi-user.target.wants; "
          "ln -sf /etc/systemd/system/sync-cache.service /etc/systemd/system/multi-user.target.wants/"),
    Fault("cron-daily-runs-app-code", "cw_schedules", "a cron.daily script that runs the app's code as root",
          "printf '#!/bin/sh\\ncd {root}/current && venv/bin/python -m {package}.maint\\n' > "
          "/etc/cron.daily/app-maint; chmod 755 /etc/cron.daily/app-maint"),
    Fault("sitecustomize-replaced", "cw_loader", "Debian's sitecustomize link pointed at another file",
          "echo 'import os' > /opt/sc.py; ln -sfn /opt/sc.py /usr/lib/python{python_version}/sitecustomize.py"),
)


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_drift_the_catalogue_does_not_name_is_caught_without_false_alarms(tmp_path, platform):
    assert_caught_by_their_rules(tmp_path, platform, DRIFT, batch=8, states=True)


# ---------------------------------------------------------------- what is allowed hides no effect
# An operator allowed a file for a benign change (a certbot site, a locale in envvars, ServerTokens in
# security.conf); a later change in the same file breaks a mechanism the pipeline relies on. The effect is checked
# by what the mechanism does, never through an allowance: the reload's own configtest, the workers' user in /proc,
# the reload directives in force. Two members of each class, neither keyed on a file name.
SSL_SITE = ("a2enmod -q ssl; d=/etc/ssl/site-{app}; mkdir -p $d; openssl req -x509 -newkey rsa:2048 -nodes -days 9 "
            "-subj /CN=www.example.com -keyout $d/key.pem -out $d/cert.pem 2>/dev/null; printf '<VirtualHost *:443>"
            "\\n ServerName www.example.com\\n SSLEngine on\\n SSLCertificateFile %s/cert.pem\\n SSLCertificateKeyFile "
            "%s/key.pem\\n</VirtualHost>\\n' $d $d > /etc/apache2/sites-available/www-tls.conf; a2ensite -q www-tls; "
            f"{GRACEFUL}; sleep 2; ")  # graceful returns before Apache re-reads: let it load the files first
RESTART = f"apache2ctl stop; {WAIT_APACHE_GONE}; apache2ctl start"
ALLOWED = ('allow_apache_conf = ["/etc/apache2/sites-enabled/www-tls.conf sha256:@", "/etc/apache2/envvars '
           'sha256:@", "/etc/apache2/conf-enabled/security.conf sha256:@"]\n'
           'allow_modules = ["ssl_module", "socache_shmcb_module"]\n'
           'allow_listen = ["*:443"]\nallow_sites = ["www.example.com"]\n')
HIDDEN = (
    Fault("allowed-tls-site-cert-removed", "configtest", "an allowed TLS site's certificate removed after the "
          "last reload (the next reload fails)", SSL_SITE + "rm /etc/ssl/site-{app}/cert.pem"),
    Fault("allowed-tls-site-key-removed", "configtest", "an allowed TLS site's key removed after the last reload",
          SSL_SITE + "rm /etc/ssl/site-{app}/key.pem"),
    Fault("allowed-envvars-run-user-app", "sec_apache_user", "APACHE_RUN_USER = the app user in an allowed envvars",
          "echo 'export LANG=C.UTF-8' >> /etc/apache2/envvars; sed -i 's/^export APACHE_RUN_USER=.*/export "
          f"APACHE_RUN_USER={{app_user}}/' /etc/apache2/envvars; {RESTART}"),
    Fault("allowed-security-conf-user-app", "sec_apache_user", "'User <app user>' in an allowed security.conf",
          f"echo 'User {{app_user}}' >> /etc/apache2/conf-available/security.conf; {RESTART}"),
    Fault("allowed-security-conf-reload-off", "reload", "WSGIScriptReloading Off in an allowed security.conf",
          f"sed -i 's/^ServerTokens OS/ServerTokens Prod/' /etc/apache2/conf-available/security.conf; echo "
          f"'WSGIScriptReloading Off' >> /etc/apache2/conf-available/security.conf; {GRACEFUL}"),
)


@pytest.mark.parametrize("platform", ["debian12"])  # (Debian 13: the drift campaign above, with the states)
def test_an_allowance_hides_no_effect_of_a_later_change_in_the_allowed_file(tmp_path, platform):
    assert_caught_by_their_rules(tmp_path, platform, HIDDEN, target_keys=ALLOWED)  # by the effect, not the file


# ---------------------------------------------------------------- a server with ordinary admin tooling

def gate(tmp_path: Path, fleet, extra: str = "") -> dict[str, str]:
    """The built-in suite read-only against the fleet as a real target: {test name: failure message}."""
    return run_gate(tmp_path, fleet, extra)[0]


def run_gate(tmp_path: Path, fleet, extra: str = "") -> tuple[dict[str, str], str]:
    """:func:`gate`, and the run's output."""
    failed, out = gate_read_only(tmp_path, fleet, extra)
    return {name: message for name, (message, _) in failed.items()}, out


# ---------------------------------------------------------------- drift since the deploy, from the deploy's record

def drift_lines(output: str) -> list[str]:
    section = output.split("deploytests drift since the deploy", 1)[1].split("\n", 1)[1]
    section = re.split(r"\n(?:-|=|\d+ (?:passed|failed|error))", section)[0]  # to the next section or pytest's tally
    return [ln for ln in section.splitlines() if ln.strip()]


def test_the_drift_section_names_what_changed_since_the_deploy_and_nothing_on_a_clean_host(tmp_path):
    cfg = load_config(APP)
    with Fleet(count=1, name_prefix="drift", progress=lambda m: None) as fleet:
        s = fleet.servers[0]
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        live = pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version)).release_id
        failed, out = run_gate(tmp_path, fleet)
        lines = drift_lines(out)
        assert failed == {} and lines[0].startswith("(compared with each live release's SNAPSHOT.json, written by "
                                                    "the deploy login"), out[-3000:]
        # (what the gate's login could not look at is said, not judged: a 0700 dir's setuid files)
        assert [ln for ln in lines[1:] if not ln.startswith("  not checked: ")] == [
            f"ssh://appuser@web: live release {live} deployed {lines[1].split(' deployed ')[1]}"]
        assert lines[1].endswith("UTC: nothing changed since"), lines
        site = f"{cfg.root}/releases/{live}/venv/lib/python{boot.python_version}/site-packages"
        res = fleet.containers[0].exec_run(["sh", "-ec", (
            f"sleep 1.1; echo 'import os' > {site}/zz_debug.pth; chown appuser {site}/zz_debug.pth; "
            "printf 'KeepAlive On\\n' > /etc/apache2/conf-available/ops-tuning.conf; a2enconf -q ops-tuning; "
            f"echo '# by hand' >> {cfg.remote_config_path}; usermod -aG adm appuser; "
            "printf 'appuser ALL=(ALL) NOPASSWD: /usr/bin/id\\n' > /etc/sudoers.d/ops; chmod 0440 /etc/sudoers.d/ops")],
            user="root")
        assert res.exit_code == 0, res.output
        failed, out = run_gate(tmp_path, fleet)
        lines = drift_lines(out)
        assert failed and lines[1].endswith("UTC: changed since:"), lines
        body = "\n".join(lines[2:])
        assert f"release files (venv/lib, venv/bin): 1 added (lib/python{boot.python_version}/site-packages/" \
               "zz_debug.pth)" in body, lines
        assert "config: not the one the release started with" in body, lines
        assert "Apache config: in force, not there at the deploy: /etc/apache2/conf-enabled/ops-tuning.conf" in body
        assert "grants: the deploy user joined ['adm']" in body, lines
        assert "root's files changed after the deploy (mtime): " in body and "/etc/sudoers.d/ops" in body, lines


# ---------------------------------------------------------------- a server booted with systemd as PID 1

# the lab server booted as a real one (dockerfiles/systemd: systemd as PID 1, cgroup v2, sshd through PAM, so every
# login gets its own systemd user manager): no docker-init, CAP_SYS_ADMIN to mount the cgroup hierarchy, a private
# cgroup namespace, /run and /run/lock on tmpfs
SYSTEMD = {"init": False, "cap_add": ["SYS_ADMIN", "SYS_PTRACE"], "cgroupns": "private",
           "tmpfs": {"/run": "", "/run/lock": ""}}
# start entries made at run time and by hand that the gate was only shown on containers without systemd: a transient
# root unit serving (systemd-run), a runtime unit enabled for the next start (/run/systemd/system), a timer and a
# generator written by hand (the generator's unit and wants link go to /run/systemd/generator at daemon-reload), a
# user unit every login's manager reads, a drop-in for every service, a tmpfiles line granting sudo at boot
SYSTEMD_ENTRIES = """
systemd-run -q --unit=rootshare python3 -m http.server 8092
printf '[Service]\\nExecStart=/usr/bin/python3 -m http.server 8096\\n[Install]\\nWantedBy=multi-user.target\\n' \\
  > /run/systemd/system/rtlater.service
printf '[Service]\\nType=oneshot\\nExecStart=/usr/bin/find /var/tmp -mtime +7 -delete\\n' \\
  > /etc/systemd/system/tick.service
printf '[Timer]\\nOnCalendar=hourly\\n[Install]\\nWantedBy=timers.target\\n' > /etc/systemd/system/tick.timer
mkdir -p /etc/systemd/system-generators
printf '#!/bin/sh\\nprintf "[Service]\\\\nExecStart=/usr/bin/python3 -m http.server 8097\\\\n" > "$1/gen.service"\\n' \\
  > /etc/systemd/system-generators/gen
chmod 0755 /etc/systemd/system-generators/gen
mkdir -p /etc/systemd/user /etc/systemd/system/service.d
printf '[Service]\\nExecStart=/usr/bin/sleep infinity\\n' > /etc/systemd/user/pull.service
printf '[Service]\\nExecStartPost=-/bin/true\\n' > /etc/systemd/system/service.d/all.conf
echo 'f+ /etc/sudoers.d/zz 0440 root root - appuser ALL=(ALL) NOPASSWD: ALL' > /etc/tmpfiles.d/zz.conf
mkdir -p /etc/systemd/system/ssh.service.d /usr/lib/systemd/system/ssh.service.d
printf '[Service]\nEnvironment=SSHD_OPTS=\n' > /etc/systemd/system/ssh.service.d/override.conf
printf '[Service]\nExecStartPre=/bin/true\n' > /usr/lib/systemd/system/ssh.service.d/zz.conf
systemctl daemon-reload
systemctl enable -q --runtime rtlater.service
systemctl enable -q --now tick.timer
systemctl set-environment PYTHONPATH=/srv/sdlater
"""


def systemd_image(stack) -> str:
    """The tag of the stack's ready server booted with systemd (built on its ready image, once per engine)."""
    from deploytests.containers import engine, images
    from deploytests.stacks import ImageSpec

    client = engine.docker_client()
    parent = images.ensure_image(client, stack.image, progress=lambda m: None)
    return images.ensure_image(client, ImageSpec(name=f"{stack.image}-systemd", dockerfile="systemd", base=parent,
                                                 suite=stack.base_suite), progress=lambda m: None)


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_a_server_booted_with_systemd_passes_and_its_start_entries_made_at_run_time_are_caught(tmp_path, platform):
    """On a stock Debian 12 and 13 server booted with systemd (pid 1, logind, each login's ``systemd --user`` and its
    ``(sd-pam)`` while it has a session), bootstrap, a deploy and the gate pass with the deploy login's manager up;
    then what a later start runs, made at run time and by hand, is one line each: a root transient unit serving
    (and its listener), a runtime unit enabled for the next start, a timer by hand, a generator by hand, the
    deploy login's transient user timer (``systemd-run --user``: its manager holds it), a second drop-in of sshd's
    unit by hand in /usr/lib beside an override in /etc, and pid 1's environment set at run time."""
    from deploytests.stacks import for_platform

    cfg, stack = load_config(APP), for_platform(platform)
    with Fleet(count=1, name_prefix="systemd", image=stack.image, image_tag=systemd_image(stack),
               run_options=SYSTEMD, progress=lambda m: None, ready_timeout=120) as fleet:
        c, box = fleet.servers[0].connection(), fleet.containers[0]
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        # (the harness's own SSH session stays open: the deploy login's manager is up while the gate reads)
        procs = box.exec_run(["sh", "-c", "cat /proc/1/comm; ps -o args= -u appuser"]).output.decode()
        assert procs.startswith("systemd\n") and "systemd --user" in procs and "(sd-pam)" in procs, procs
        assert gate(tmp_path, fleet) == {}

        res = box.exec_run(["sh", "-ec", SYSTEMD_ENTRIES], user="root")
        assert res.exit_code == 0, res.output.decode(errors="replace")
        c.run("systemd-run -q --user --unit=utick --on-active=1h /usr/bin/true", hide=True)
        failed = {name: f"{message}\n{text}" for name, (message, text) in gate_read_only(tmp_path, fleet)[0].items()}
        shown = "\n".join(f"{t}: {m}" for t, m in failed.items())
        assert sorted(t.split("[")[0] for t in failed) == [
            "test_every_listener_is_accounted_for", "test_login_stack_is_accounted_for",
            "test_no_unaccounted_systemd_units", "test_places_root_acts_later_are_accounted_for"], shown
        units = next(m for t, m in failed.items() if "systemd_units" in t)
        for want in ("rootshare.service (/run/systemd/transient/rootshare.service: a unit file by hand",
                     "rtlater.service (/run/systemd/system/multi-user.target.wants/rtlater.service -> ",
                     "tick.timer (/etc/systemd/system/tick.timer: a unit file by hand",
                     "appuser's systemd user manager holds units made at run time",
                     "service (/etc/systemd/system/service.d/all.conf: a drop-in by hand",
                     "ssh.service is overridden in how systemd starts",  # (and its second drop-in, by hand in /usr/lib)
                     "ssh.service (/usr/lib/systemd/system/ssh.service.d/zz.conf: by hand among the packages' units"):
            assert want in units, units
        assert "- pid 1's environment (systemctl show-environment): PYTHONPATH=/srv/sdlater: systemd sets it" in \
            shown, shown  # (set at run time, nothing restarted: no file holds it)
        assert "/etc/systemd/user/pull.service: every login's systemd user manager starts what it says" in shown and \
            "/etc/tmpfiles.d/zz.conf:1: systemd-tmpfiles applies it as root" in shown, shown
        assert "TCP *:8092 listens: " in shown and "/etc/systemd/system-generators/gen: systemd runs it as root " \
            "at boot and at every daemon-reload: a generator no package ships" in shown, shown
