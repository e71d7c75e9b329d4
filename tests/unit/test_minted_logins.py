"""SSH trust anchors a less trusted party can mint credentials from (``cw_become``: :func:`minted_logins`), as pure
functions of recorded facts: a user CA sshd trusts whose private key the deploy login may read (in its home, or
beside the CA's public file with a mode others may read), a key of root's ``authorized_keys`` whose private half
the deploy login holds; and the tree reader's own part: the public half of an OpenSSH private key, encrypted too,
read without decrypting it. The other member the issue names, an ``AuthorizedKeysCommand`` the deploy login may
write, is ``cw_sshd``'s (held here)."""

from __future__ import annotations

import dataclasses
import stat

import pytest
from stock import outcome
from test_root_reach import PLATFORMS, exp, host, sshd_plus  # noqa: F401  (exp: the fixture)

from deploytests.allowances import Allowances
from deploytests.verify import reader
from deploytests.verify.logins import fingerprint

# throwaway keys made for this test by ssh-keygen -t ed25519 (one with a passphrase): never used anywhere
CA_PRIVATE = """-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACB24MqYY+MlpFrvdC9qzzysBbfmlfb2zvK6Woh92boxZgAAAIiqXbhTql24
UwAAAAtzc2gtZWQyNTUxOQAAACB24MqYY+MlpFrvdC9qzzysBbfmlfb2zvK6Woh92boxZg
AAAECRg9yu3yw01gHfTHfXsyECbtILvU57LLjqwpoVrDfuWnbgyphj4yWkWu90L2rPPKwF
t+aV9vbO8rpaiH3ZujFmAAAAAmNhAQID
-----END OPENSSH PRIVATE KEY-----
"""
CA_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbgyphj4yWkWu90L2rPPKwFt+aV9vbO8rpaiH3ZujFm ca"
ENCRYPTED_PRIVATE = """-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABDSlRWHWJ
EIhbg00WzadKfsAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIAH11KwakT5cEc+G
c9FQN4sAF3xsZ7WKCrCMmdQjWMcaAAAAkBCBYNCJI7q739Ocx40vGlNUGntf4qUfHXfRwE
WFO7SfI4HUSTpzHZpFDlSKtmhgWDvg0tMyXkBodbQD1EOOgkFP5Uo+HinsshWdy1IPZldK
bRmUL3hCjWoi81W57v8od7p3BGxJpxCKIFBOOnjPihKCQtWVELLifKZd/BTC4o6qLmypRA
4aHsD9JtXmCvDV0w==
-----END OPENSSH PRIVATE KEY-----
"""
ENCRYPTED_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAH11KwakT5cEc+Gc9FQN4sAF3xsZ7WKCrCMmdQjWMca enc"
F, D = stat.S_IFREG, stat.S_IFDIR


def test_the_public_half_of_an_openssh_private_key_is_read_without_decrypting_it(tmp_path):
    assert reader.public_half(CA_PRIVATE.encode()) == " ".join(CA_PUBLIC.split()[:2])
    assert reader.public_half(ENCRYPTED_PRIVATE.encode()) == " ".join(ENCRYPTED_PUBLIC.split()[:2])
    home = tmp_path / "home"
    (home / "ca").mkdir(parents=True)
    (home / "ca" / "user_ca").write_text(CA_PRIVATE)
    (home / "notes.txt").write_text("no key here")
    (home / "ca" / "old-rsa").write_text("-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----\n")
    (home / "ca" / "old-rsa.pub").write_text("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ old")
    found = reader.held_keys([(str(home), 2)])
    assert found == {str(home / "ca" / "user_ca"): " ".join(CA_PUBLIC.split()[:2]),
                     str(home / "ca" / "old-rsa"): "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ"}
    assert "(bound)" in reader.held_keys([(str(home), 2)], most=1)


def with_ca(platform: str, held: dict, key_mode: int | None = None):
    facts = sshd_plus(host(platform, files={"/etc/ssh/user_ca.pub": (F | 0o644, 0, CA_PUBLIC + "\n")}),
                      "\nTrustedUserCAKeys /etc/ssh/user_ca.pub\n")
    if key_mode is not None:
        facts.raw.files["/etc/ssh/user_ca"] = {"st": [F | key_mode, 0, 0, 411, 0, 12], "why": "Permission denied"}
    facts.remote["held_keys"] = held
    return facts


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_user_ca_whose_private_key_the_deploy_login_may_read_fails(exp, platform):  # noqa: F811
    # blind7's e23: the CA's signing key lies in the deploy login's home
    facts = with_ca(platform, {"/home/appuser/ca/user_ca": " ".join(CA_PUBLIC.split()[:2])}, 0o600)
    msg = outcome("cw_become", facts, exp)
    assert msg.startswith("fail: ") and "/etc/ssh/user_ca.pub:1: a user CA sshd trusts" in msg and \
        "its private key /home/appuser/ca/user_ca is readable by the deploy login appuser" in msg, msg
    # another member: the signing key beside the CA's public file, readable by everyone (found by its mode)
    msg = outcome("cw_become", with_ca(platform, {}, 0o644), exp)
    assert "TrustedUserCAKeys /etc/ssh/user_ca.pub: its private key /etc/ssh/user_ca (0644 root:root) may be read " \
        "by appuser (the deploy login)" in msg and "any local user" in msg, msg
    # root's alone (0600), and a private key the deploy login holds that sshd does not trust: the CA itself is
    # a key that opens every login (deny by default: allowed in writing by its fingerprint), nothing else
    clean = with_ca(platform, {"/home/appuser/.ssh/id_ed25519": " ".join(ENCRYPTED_PUBLIC.split()[:2])}, 0o600)
    fp = fingerprint(CA_PUBLIC.split()[1])
    msg = outcome("cw_become", clean, exp)
    assert "- a user CA sshd trusts: 1 key beyond the one this gate logs in with: /etc/ssh/user_ca.pub:1 " \
           f"ssh-ed25519 {fp} ca: whoever holds one signs a certificate for any login" in msg and \
           f'allow_keys = ["* {fp}"]' in msg and "1 way" in msg, msg
    assert outcome("cw_become", clean, dataclasses.replace(exp, allow=Allowances(keys=(f"* {fp}",)))) == "pass"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_key_that_opens_root_whose_private_half_the_deploy_login_holds_fails(exp, platform):  # noqa: F811
    def root_by(setting):
        facts = host(platform, files={"/root/.ssh/authorized_keys": (F | 0o600, 0, ENCRYPTED_PUBLIC + "\n")})
        facts.remote["held_keys"] = {"/var/www/yourapplication/shared/backup_key": " ".join(
            ENCRYPTED_PUBLIC.split()[:2])}
        sshd = facts.raw.files["/etc/ssh/sshd_config"]
        sshd["data"] = sshd["data"].replace("PermitRootLogin no", f"PermitRootLogin {setting}")
        return facts

    msg = outcome("cw_become", root_by("prohibit-password"), exp)
    assert "/root/.ssh/authorized_keys:1: it logs in as root; its private key /var/www/yourapplication/shared/" \
        "backup_key is readable by the deploy login appuser" in msg, msg
    assert outcome("cw_become", root_by("no"), exp) == "pass"  # sshd lets no one in as root


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_authorized_keys_command_the_deploy_login_may_write_fails(exp, platform):  # noqa: F811
    facts = sshd_plus(host(platform, files={"/srv/ops/keys.sh": (F | 0o775, 1000, "#!/bin/sh\ncat /srv/keys\n")}),
                      "\nAuthorizedKeysCommand /srv/ops/keys.sh %u\nAuthorizedKeysCommandUser nobody\n")
    msg = outcome("cw_sshd", facts, exp)
    assert "AuthorizedKeysCommand /srv/ops/keys.sh %u" in msg and "/srv/ops/keys.sh" in msg and "appuser" in msg, msg


def _allowed(msg: str) -> tuple[str, ...]:
    import json
    import re
    return tuple(e for m in re.finditer(r"allow it: allow_keys = (\[.*?\]) in ", msg) for e in json.loads(m.group(1)))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_key_source_beside_the_key_files_opens_a_login_only_when_allowed(exp, platform):  # noqa: F811
    # the keys an AuthorizedKeysCommand prints (a directory's: sss, LDAP) open the deploy login and every other
    # login it applies to, and the gate sees none of them: deny by default, one line naming the logins it opens
    command = "\nAuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u\nAuthorizedKeysCommandUser nobody\n"
    msg = outcome("cw_become", sshd_plus(host(platform), command), exp)
    assert msg.startswith("fail: ") and "AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u: sshd runs it at " \
        "each key login" in msg and "logs in as appuser, who deploys the app's code" in msg, msg
    assert "appuser AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u" in _allowed(msg), msg
    allowed = dataclasses.replace(exp, allow=Allowances(keys=_allowed(msg)))
    assert outcome("cw_become", sshd_plus(host(platform), command), allowed) == "pass"
    # another member: the same in a Match block for the deploy login only; and one for another user: not in force
    # for any login that deploys or becomes root, no line
    msg = outcome("cw_become", sshd_plus(host(platform), "\nMatch User appuser\n  AuthorizedKeysCommand /usr/bin/"
                                                         "sss_ssh_authorizedkeys %u\n"), exp)
    assert "AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u: sshd runs it" in msg, msg
    assert outcome("cw_become", sshd_plus(host(platform), "\nMatch User backup\n  AuthorizedKeysCommand /usr/bin/"
                                                          "sss_ssh_authorizedkeys %u\n"), exp) == "pass"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_principals_a_trusted_ca_signs_for_open_a_login_only_when_allowed(exp, platform):  # noqa: F811
    # an AuthorizedPrincipalsFile maps a certificate's principals to the login (ops-team -> deployer): which the
    # CA's holder chose, the gate does not read; where no CA is trusted it decides nothing
    principals = "\nAuthorizedPrincipalsFile /etc/ssh/principals/%u\n"
    assert outcome("cw_become", sshd_plus(host(platform), principals), exp) == "pass"
    facts = with_ca(platform, {}, 0o600)
    msg = outcome("cw_become", sshd_plus(facts, principals), exp)
    assert "AuthorizedPrincipalsFile /etc/ssh/principals/%u: sshd takes a certificate of a CA it trusts" in msg and \
        "appuser AuthorizedPrincipalsFile /etc/ssh/principals/%u" in _allowed(msg), msg
    # the other member: a program that prints the principals
    facts = sshd_plus(with_ca(platform, {}, 0o600), "AuthorizedPrincipalsCommand /usr/local/sbin/principals %u\n"
                                                    "AuthorizedPrincipalsCommandUser nobody\n")
    msg = outcome("cw_become", facts, exp)
    assert "AuthorizedPrincipalsCommand /usr/local/sbin/principals %u: sshd runs it at each certificate login" in \
        msg, msg
    fp = fingerprint(CA_PUBLIC.split()[1])
    facts = sshd_plus(with_ca(platform, {}, 0o600), principals)
    assert outcome("cw_become", facts, dataclasses.replace(exp, allow=Allowances(keys=(f"* {fp}",) + _allowed(
        msg.replace("Command /usr/local/sbin/principals %u", "File /etc/ssh/principals/%u"))))) == "pass"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_key_source_names_the_deploy_login_even_when_its_key_files_were_not_read(exp, platform):  # noqa: F811
    facts = sshd_plus(host(platform), "\nAuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u\n")
    facts.remote["login_keys"] = None  # (the tree reader could not read them: its own note says so)
    msg = outcome("cw_become", facts, exp)
    assert "appuser AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys %u" in _allowed(msg), msg
