"""What the server's next start and the pipeline's next bootstrap need, as pure functions of small snapshots shaped
like the collectors' (blind round 6's misses): the SSH server every deploy, rollback and gate run comes in by is
started at boot (a wants link, its socket's, or an rc start link) and not masked, and so is Apache; and root's
record of the app users bootstrap created still lists the app user (and not the deploy login), or the next
bootstrap refuses the server. Each stock state passes; each fault, written as members of its class besides the
blind test's own, fails naming what and where."""

from __future__ import annotations

import pytest

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import parse
from deploytests.verify.facts import Facts
from deploytests.verify.promises import Expected, apache_starts_at_boot, app_user

LINK, FILE, DIR = 0o120777, 0o100644, 0o040755
WANTS = "/etc/systemd/system/multi-user.target.wants"


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def snapshot(files: dict) -> parse.Snapshot:
    """``files``: path -> a link's target (``"-> T"``), a file's text, or None for a directory; each parent lists it."""
    raw: dict = {"files": {}, "dirs": {}}
    for path, spec in files.items():
        if spec is None:
            raw["files"][path] = {"st": [DIR, 0, 0, 0, 0, 0]}
            raw["dirs"].setdefault(path, [])
        elif spec.startswith("-> "):
            raw["files"][path] = {"st": [LINK, 0, 0, 0, 0, 0], "link": spec[3:]}
        else:
            raw["files"][path] = {"st": [FILE, 0, 0, len(spec), 0, 0], "data": spec}
        d, name = path.rsplit("/", 1)
        raw["dirs"][d] = sorted(set(raw["dirs"].get(d, [])) | {name})
    return parse.Snapshot(raw)


# the stock Debian 12 and 13 images: both services enabled by systemd's wants link and their rc start links
STOCK_BOOT = {"/etc/systemd/system": None, WANTS: None, "/etc/rc2.d": None, "/etc/rc3.d": None,
              f"{WANTS}/apache2.service": "-> /lib/systemd/system/apache2.service",
              f"{WANTS}/ssh.service": "-> /lib/systemd/system/ssh.service",
              "/etc/systemd/system/sshd.service": "-> /lib/systemd/system/ssh.service",
              "/etc/rc2.d/S01apache2": "-> ../init.d/apache2", "/etc/rc2.d/S01ssh": "-> ../init.d/ssh",
              "/etc/rc3.d/S01apache2": "-> ../init.d/apache2", "/etc/rc3.d/S01ssh": "-> ../init.d/ssh"}


def boot_facts(files: dict) -> Facts:
    snap = snapshot(files)
    links = getattr(parse, "boot_links", getattr(parse, "apache_boot", None))  # (the facts' "boot", as parse makes it)
    facts = Facts("docker://web-1", remote={"boot": links(snap, "apache2")})
    facts.raw = snap
    return facts


def outcome(check, facts, exp) -> str:
    try:
        check(facts, exp)
        return "pass"
    except AssertionError as failed:
        return f"fail: {failed}"


def without(files: dict, *paths: str, **more: str | None) -> dict:
    out = {p: s for p, s in files.items() if p not in paths}
    out.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in more.items()})
    return out


@pytest.mark.parametrize("case", ["stock", "socket-activated", "rc-links-only", "systemd-only"])
def test_services_started_at_boot_pass(case, exp):
    files = {"stock": STOCK_BOOT,
             "socket-activated": without(STOCK_BOOT, f"{WANTS}/ssh.service", "/etc/rc2.d/S01ssh", "/etc/rc3.d/S01ssh")
             | {"/etc/systemd/system/sockets.target.wants": None,
                "/etc/systemd/system/sockets.target.wants/ssh.socket": "-> /lib/systemd/system/ssh.socket"},
             "rc-links-only": without(STOCK_BOOT, f"{WANTS}/ssh.service", f"{WANTS}/apache2.service"),
             "systemd-only": without(STOCK_BOOT, "/etc/rc2.d/S01ssh", "/etc/rc3.d/S01ssh", "/etc/rc2.d/S01apache2",
                                     "/etc/rc3.d/S01apache2")}[case]
    assert outcome(apache_starts_at_boot, boot_facts(files), exp) == "pass"


@pytest.mark.parametrize("case, names", [
    # the blind test's own: `systemctl disable ssh` (its wants link and alias gone) and update-rc.d's K links
    ("ssh-disabled", "the SSH server"),
    # other members: ssh masked (`systemctl mask ssh`: its wants link stays, systemd starts nothing), Apache masked
    ("ssh-masked", "the SSH server"),
    ("apache-masked", "Apache"),
    ("ssh-masked-at-run-time", "the SSH server"),
    # and Debian's own switch: ssh.service's ConditionPathExists and the init script both test this file
    ("ssh-not-to-be-run", "the SSH server"),
])
def test_a_service_the_pipeline_needs_not_started_at_boot_fails(case, names, exp):
    files = {"ssh-disabled": without(STOCK_BOOT, f"{WANTS}/ssh.service", "/etc/systemd/system/sshd.service",
                                     "/etc/rc2.d/S01ssh", "/etc/rc3.d/S01ssh")
             | {"/etc/rc2.d/K01ssh": "-> ../init.d/ssh", "/etc/rc3.d/K01ssh": "-> ../init.d/ssh"},
             "ssh-masked": STOCK_BOOT | {"/etc/systemd/system/ssh.service": "-> /dev/null"},
             "apache-masked": STOCK_BOOT | {"/etc/systemd/system/apache2.service": "-> /dev/null"},
             "ssh-masked-at-run-time": STOCK_BOOT | {"/run/systemd/system": None,
                                                     "/run/systemd/system/ssh.service": "-> /dev/null"},
             "ssh-not-to-be-run": STOCK_BOOT | {"/etc/ssh": None, "/etc/ssh/sshd_not_to_be_run": ""}}[case]
    got = outcome(apache_starts_at_boot, boot_facts(files), exp)
    assert got.startswith(f"fail: {names} is not started at boot"), got
    assert "systemctl unmask" in got.splitlines()[0], got  # one line: what, where, what to do


def test_the_ssh_server_is_not_judged_without_a_snapshot(exp):
    facts = Facts("docker://web-1", remote={"boot": ["systemd: multi-user.target.wants/apache2.service"]})
    assert outcome(apache_starts_at_boot, facts, exp) == "pass"  # (no listing of the unit dirs: nothing claimed)


# ---------------------------------------------------------------- bootstrap's record of the app users it created

STATE = "/var/lib/deploytests"


def user_facts(exp, record: str | None, listed: bool = True) -> Facts:
    files: dict = {STATE: None, f"{STATE}/python": None, f"{STATE}/bootstrap.lock": ""} if listed else {}
    if record is not None:
        files[f"{STATE}/users"] = record
    facts = Facts("docker://web-1", remote={"users": {"app": {"uid": 999, "shell": "/usr/sbin/nologin"}}})
    facts.raw = snapshot(files) if files else None
    return facts


@pytest.mark.parametrize("record", ["{app}\n", "other-app\n{app}\n"])
def test_bootstraps_record_listing_the_app_user_passes(record, exp):
    assert outcome(app_user, user_facts(exp, record.format(app=exp.cfg.app_user)), exp) == "pass"


def test_no_snapshot_of_the_state_dir_claims_nothing(exp):
    assert outcome(app_user, user_facts(exp, None, listed=False), exp) == "pass"


@pytest.mark.parametrize("case", ["removed", "emptied", "older-copy-without-the-app", "lists-the-deploy-login"])
def test_bootstraps_record_that_the_next_bootstrap_refuses_fails(case, exp):
    app, deploy = exp.cfg.app_user, exp.deploy_user
    record = {"removed": None, "emptied": "", "older-copy-without-the-app": "other-app\n",
              "lists-the-deploy-login": f"{app}\n{deploy}\n"}[case]
    got = outcome(app_user, user_facts(exp, record), exp)
    assert got.startswith(f"fail: {STATE}/users (bootstrap's record"), got
    assert "the next bootstrap" in got and "refuses the server" in got, got
    assert (f"lists the deploy login {deploy!r}" in got) == (case == "lists-the-deploy-login"), got
