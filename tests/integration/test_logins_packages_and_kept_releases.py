"""The blind test's round-3 misses (docs/promises.md), closed by class and tried here with members of each class
written differently from the blind test's own (other files, directives, users, packages):

- a login that may become root, but not without a password (``sudo``; the blind test: the login's NOPASSWD rule
  turned into a password one; here NOPASSWD narrowed to apt-get: root still, the gate's collector not);
- the SSH server's configuration as its next start reads it (``cw_sshd``; the blind test: AuthorizedKeysFile in
  shared/, AllowUsers, a Match block; here AllowGroups and an AuthorizedKeysCommand the deploy login owns);
- the login stack (``cw_pam``; the blind test: pam_wheel trust in su, nproc 25, PATH in /etc/environment; here
  pam_listfile reading a list in shared/, a low nofile for the app's group, LD_PRELOAD in /etc/environment);
- what a login runs (``cw_login_files``; the blind test: ~/.bashrc of the app's group; here a world-writable
  ~/.ssh/rc);
- packaged files changed in place (``cw_packaged``; the blind test: the stdlib's json, mod_wsgi.so; here
  apache2's a2enmod);
- kept releases against what their deploy recorded (``rollback_ready``; the blind test: a .pyc, a .pth dist, a
  static file, the entry point, the release removed; here a sitecustomize.py, a new static file, another missing
  entry attribute, the release moved away);
- unsigned apt sources (``sec_apt``; the blind test: a one-line [trusted=yes]; here a deb822 ``Trusted: yes``);
- AllowOverride in an allowed file on a directory the deploy login owns (``cw_apache_effects``; the blind test:
  ``All`` on an app-owned uploads dir; here ``FileInfo`` on the login's dir).

Each on its own container of a deployed snapshot with a clean host (the allowance in force for all), on Debian
12 and 13; each was shown missed by the gate before the fix (the blind test's driver on the same faults: see the
commit that added this file).
"""

from __future__ import annotations

import pytest
from campaigns import assert_caught_by_their_rules

from deploytests.faults.catalogue import GRACEFUL, Fault

pytestmark = pytest.mark.integration
HOME = "h=$(getent passwd {login} | cut -d: -f6)"
CONF = "/etc/apache2/conf-enabled/ops-files.conf"

VARIANTS = (
    Fault("login-nopasswd-narrowed-to-apt", "sudo", "the login's NOPASSWD: ALL narrowed to apt-get (root through "
          "apt still; the gate's collector refused)", "f=$(grep -l '^{login} ALL=(ALL) NOPASSWD' /etc/sudoers.d/* | "
          "head -n 1); sed -i 's|NOPASSWD: *ALL$|NOPASSWD: /usr/bin/apt-get|' $f; visudo -c >/dev/null"),
    Fault("sshd-allow-groups-without-the-login", "cw_sshd", "AllowGroups naming a group the deploy login is not in",
          "echo 'AllowGroups sshusers' >> /etc/ssh/sshd_config; /usr/sbin/sshd -t"),
    Fault("sshd-keys-command-of-the-login", "cw_sshd", "an AuthorizedKeysCommand the deploy login owns",
          "install -o {deploy_user} -m 0755 /bin/true /srv/keys-lookup; printf 'AuthorizedKeysCommand /srv/keys-lookup "
          "%%u\\nAuthorizedKeysCommandUser nobody\\n' >> /etc/ssh/sshd_config; /usr/sbin/sshd -t"),
    Fault("su-trusts-a-list-in-shared", "cw_pam", "pam_listfile as 'sufficient' in su, reading a user list in shared/",
          "sed -i '1i auth sufficient pam_listfile.so item=user sense=allow file={root}/shared/{shared0}/admins "
          "onerr=fail' /etc/pam.d/su"),
    Fault("app-group-nofile-64", "cw_pam", "a nofile limit of 64 for the app's group",
          "echo '@{app_group} hard nofile 64' > /etc/security/limits.d/50-fds.conf"),
    Fault("ld-preload-for-every-login", "cw_pam", "LD_PRELOAD set in /etc/environment",
          "echo 'LD_PRELOAD=/opt/fastlib/libfast.so' >> /etc/environment"),
    Fault("login-ssh-rc-world-writable", "cw_login_files", "the login's ~/.ssh/rc, world-writable",
          f"{HOME}; mkdir -p $h/.ssh; touch $h/.ssh/rc; chmod 0666 $h/.ssh/rc"),
    Fault("a2enmod-edited-in-place", "cw_packaged", "apache2's a2enmod script edited in place",
          "echo '# ops: local change' >> /usr/sbin/a2enmod"),
    Fault("kept-release-sitecustomize", "rollback_ready", "a sitecustomize.py added to the previous release's venv",
          "printf 'import os\\n' > {prev_site}/sitecustomize.py; chown {deploy_user} {prev_site}/sitecustomize.py"),
    Fault("kept-release-static-file-added", "rollback_ready", "a script added to the previous release's static files",
          "f={root}/releases/{prev}/{package}/static/extra.js; echo 'alert(1)' > $f; chown {deploy_user} $f"),
    Fault("kept-release-entry-attribute-gone", "rollback_ready", "the previous release's entry point renamed to an "
          "attribute its module does not define", "sed -i 's/\"entry_point\": \"{package}:app\"/\"entry_point\": "
          "\"{package}:application\"/' {root}/releases/{prev}/RELEASE.json; grep -q '{package}:application' "
          "{root}/releases/{prev}/RELEASE.json"),
    Fault("kept-release-moved-away", "rollback_ready", "the previous release moved to /var/backups (a disk clean-up)",
          "mv {root}/releases/{prev} /var/backups/"),
    Fault("apt-deb822-trusted", "sec_apt", "a deb822 source with 'Trusted: yes'",
          "printf 'Types: deb\\nURIs: http://apt.ops.example/debian\\nSuites: stable\\nComponents: main\\nTrusted: "
          "yes\\n' > /etc/apt/sources.list.d/ops.sources"),
    Fault("allowed-conf-overrides-in-the-logins-dir", "cw_apache_effects", "an allowed conf with AllowOverride "
          "FileInfo on a directory the deploy login owns", "install -d -o {deploy_user} /srv/ops-files; printf "
          "'Alias /files /srv/ops-files\\n<Directory /srv/ops-files>\\n  AllowOverride FileInfo\\n  Require all "
          "granted\\n</Directory>\\n' > /etc/apache2/conf-available/ops-files.conf; a2enconf -q ops-files; "
          + GRACEFUL),
)


@pytest.mark.parametrize("platform", ["debian12"])  # (Debian 13: test_closed_world's drift campaign)
def test_logins_packages_apt_and_kept_releases_are_caught_without_false_alarms(tmp_path, platform):
    assert_caught_by_their_rules(tmp_path, platform, VARIANTS, target_keys=f'allow_apache_conf = ["{CONF} sha256:@"]\n')


# blind round 4's misses by class (c11-c13, c35, c41-c45, c47), tried with members the blind test did not write
# and unlike the catalogue's own (deploytests.faults.catalogue: a system account with a shell and no password, the
# password aged out, gshadow, 0711 logs, RequestReadTimeout in reqtimeout.conf, kptr_restrict, /run/lock)
BECOME = (
    Fault("root-keys-hold-the-deploy-key", "cw_become", "the deploy login's keys copied into root's "
          "authorized_keys2 and root key logins allowed from the local networks by a Match block (not reloaded: "
          "the next start of sshd takes it)", f"{HOME}; install -d -m 700 /root/.ssh; cp $h/.ssh/authorized_keys "
          "/root/.ssh/authorized_keys2; chmod 600 /root/.ssh/authorized_keys2; printf 'Match Address "
          "127.0.0.1,172.16.0.0/12\\n    PermitRootLogin prohibit-password\\n' >> /etc/ssh/sshd_config; "
          "/usr/sbin/sshd -t"),
    Fault("login-narrower-root-rule", "cw_sudoers", "a narrower root rule for the gate's own login left by ops "
          "beside its root grant (journalctl as root: a pager, a shell)", "printf '{login} ALL=(root) NOPASSWD: "
          "/usr/bin/journalctl\\n' > /etc/sudoers.d/ops-journal; chmod 0440 /etc/sudoers.d/ops-journal; "
          "visudo -c >/dev/null"),
    Fault("debug-login-without-password", "cw_become", "a debug login made with useradd and its password deleted",
          "useradd -M -s /bin/bash opsdebug; passwd -d opsdebug >/dev/null"),
    Fault("deploy-login-expires-in-a-fortnight", "cw_deploy_account", "the deploy login's account set to expire in "
          "14 days (chage -E, a contractor clean-up script)",
          "chage -E $(date -u -d '+14 days' +%Y-%m-%d) {deploy_user}"),
    Fault("gshadow-group-of-the-login", "sec_secrets", "/etc/gshadow given to the deploy login's group (0640: its "
          "group reads the hashes)", "chgrp $(id -gn {deploy_user}) /etc/gshadow"),
    Fault("apache-logs-listable", "sec_logs", "Apache's log directory 0755", "chmod 0755 /var/log/apache2"),
    Fault("reqtimeout-off-in-a-conf", "sec_guards", "RequestReadTimeout body=0 in a conf of its own (reloaded)",
          "echo 'RequestReadTimeout header=20-40,MinRate=500 body=0' > /etc/apache2/conf-available/uploads.conf; "
          "a2enconf -q uploads; " + GRACEFUL),
    Fault("suid-dumpable-in-sysctl-conf", "sec_sysctl", "fs.suid_dumpable = 1 appended to /etc/sysctl.conf",
          "echo 'fs.suid_dumpable = 1' >> /etc/sysctl.conf"),
    Fault("var-tmp-given-to-the-app", "sec_sticky", "/var/tmp chowned to the app user (its owner removes anyone's "
          "files there)", "chown {app_user} /var/tmp"),
)


def test_who_becomes_root_the_deploy_login_and_the_host_baseline_are_caught(tmp_path):
    """One campaign on Debian 12 (CI time): each of the three classes of blind round 4 caught by its own rule."""
    assert_caught_by_their_rules(tmp_path, "debian12", BECOME, batch=8)
