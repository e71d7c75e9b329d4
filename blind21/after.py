# ruff: noqa
"""Other members of the classes closed, written after reading the gate (each to be missed by main, caught after).

Class 1 (a service the pipeline needs is not started at the next boot): the SSH server masked (`systemctl mask
ssh`: its wants link stays, systemd starts nothing), Apache masked the same way (main's boot rule read the wants
link only; both turned out caught on main by the units rule: a mask link by hand), Debian's
/etc/ssh/sshd_not_to_be_run left after maintenance.
Class 3 (a keyword the server's sshd does not take: its next start refuses the whole configuration): a typo
(`PermitRootLogon no`) in the main file.
Class 4 (a kept release's config copy in .configs is not the config it started with, while both releases run one
config): the copies deleted.
Class 5 (sshd's next start closes the pipeline's silent session channels sooner than its steps' bounds):
`ChannelTimeout session=2m`.
Class 2 (bootstrap's record of the app users it created no longer says what bootstrap did): the record restored
from an older backup that predates this app; the deploy login added to it by hand ('the deploytests users').
"""
import faults

ENTRIES = []


def member(id, cls, area, inject, check, harm):
    ENTRIES.append(dict(id=id, kind="fault", area=area, cls=cls, inject=inject.strip(), check=check.strip(),
                        harm=harm))


member("after-ssh-masked", 1, "mechanisms", r"""
ln -sfn /dev/null /etc/systemd/system/ssh.service
""", r"""test "$(readlink /etc/systemd/system/ssh.service)" = /dev/null && test -e /etc/systemd/system/multi-user.target.wants/ssh.service""",
       "`systemctl mask ssh` (meant to stop a second sshd): the wants link stays, but systemd starts nothing of a "
       "masked unit: after the next reboot no deploy, rollback, gate run or admin login reaches the server")

member("after-apache-masked", 1, "mechanisms", r"""
ln -sfn /dev/null /etc/systemd/system/apache2.service
""", r"""test "$(readlink /etc/systemd/system/apache2.service)" = /dev/null""",
       "`systemctl mask apache2` during maintenance, never unmasked: Apache runs now, not after the next reboot")

member("after-ssh-not-to-be-run", 1, "mechanisms", r"""
touch /etc/ssh/sshd_not_to_be_run
""", r"""test -e /etc/ssh/sshd_not_to_be_run && grep -q sshd_not_to_be_run /etc/init.d/ssh""",
       "Debian's own switch to keep sshd from starting (/etc/ssh/sshd_not_to_be_run, tested by ssh.service's "
       "ConditionPathExists and by the init script), touched during maintenance and left: the SSH server runs now, "
       "and nothing starts it at the next boot or restart")

member("after-sshd-keyword-typo", 3, "mechanisms", r"""
sed -i '1i PermitRootLogon no' /etc/ssh/sshd_config
""", r"""! /usr/sbin/sshd -t >/dev/null 2>&1""",
       "a typo in a hardening edit (`PermitRootLogon no`): sshd's next start refuses its whole configuration ('Bad "
       "configuration option'): no deploy, rollback, gate run or admin login reaches the server")

member("after-kept-config-copies-removed", 4, "rollback", r"""
sudo -u $DEPU sh -c "rm -f $R/.configs/*"
""", r"""test -z "$(ls -A $R/.configs)" """,
       "the kept config copies deleted as 'stale duplicates of the live config' (both releases run one config "
       "today): after the next config change a rollback, or a refused release putting the previous config back, "
       "has no config to put back")

member("after-sshd-session-channels-cut", 5, "mechanisms", r"""
sed -i '1i ChannelTimeout session=2m' /etc/ssh/sshd_config
""", r"""/usr/sbin/sshd -t >/dev/null 2>&1 && SSHDT | grep -qi '^channeltimeout session=2m'""",
       "session channels closed after 2 minutes of silence ('no forgotten shells'): from sshd's next start a "
       "post_deploy migration silent for 2 minutes (its bound: post_deploy_timeout, 300 s) loses its session")

member("after-users-record-older-copy", 2, "rollback", r"""
echo other-app > /var/lib/deploytests/users
""", r"""! grep -qx "$APPU" /var/lib/deploytests/users""",
       "/var/lib restored from a backup older than this app's bootstrap: the record lists another app only; the next "
       "bootstrap refuses the server (the app user is not one it created)")

member("after-users-record-lists-deploy-login", 2, "rollback", r"""
echo $DEPU >> /var/lib/deploytests/users
""", r"""grep -qx "$DEPU" /var/lib/deploytests/users""",
       "the deploy login added by hand to 'the deploytests users': the next bootstrap refuses it (the deploy user "
       "must be an existing login bootstrap did not create)")

faults.F  # (the blind set's prelude is reused)
