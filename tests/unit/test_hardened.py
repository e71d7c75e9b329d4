"""Ordinary hardening (CIS's and DevSec's file permission controls, root's umask 027) makes places the gate's login
read root's alone: a 0700 ``/etc/cron.d``, a 0600 ``/etc/crontab`` and ``sshd_config``. Class: a file or directory
hardening makes root's alone, which the gate read as its login: the probe failed (``Permission denied``, no
allowance to write) or a rule said only that it could not read it, and whatever hid inside (a root job running what
the deploy login writes, ``PermitRootLogin yes``) was not judged. Root's collector reads those places as it reads
sudoers (root's regular files, not writable by group or others, by path), and its copy stands for the login's
refused read; a place neither could read stays named."""

from __future__ import annotations

import base64
import json
import stat
import zlib

from deploytests.verify import collect_login, collect_root, facts

F, D = stat.S_IFREG, stat.S_IFDIR
# the places CIS's Debian benchmark, DevSec's os- and ssh-hardening and Lynis make root's alone, of those the
# login collector reads: cron's (0700 directories, 0600 crontab), sshd's (0600 file, 0700 drop-in directory),
# PAM's and limits' (o-rwx), and login shells' hooks (root's umask 027: each file root writes there is 0640)
HARDENED_FILES = ["/etc/crontab", "/etc/ssh/sshd_config", "/etc/security/limits.conf", "/etc/security/pam_env.conf"]
HARDENED_DIRS = ["/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
                 "/etc/ssh/sshd_config.d", "/etc/pam.d", "/etc/security/limits.d", "/etc/profile.d"]


def line(mark: str, reply: dict) -> str:
    return f"{mark}{'0' * 32} {base64.b64encode(zlib.compress(json.dumps(reply).encode())).decode()}"


def merged(login: dict, root: dict) -> dict:
    return facts.read_root(facts.ProbeResult(0, line(collect_login.MARK, login) + "\n" + line(collect_root.MARK, root),
                                             "", "0" * 32))


def test_root_reads_every_place_of_the_logins_that_hardening_makes_roots_alone():
    """Each is a place the login collector reads and judges, and one root's collector reads too (by path, as
    sudoers: its bytes only when it is root's regular file not writable by group or others)."""
    login_trees = {t[0] for t in collect_login.TREES if t[2]}
    assert set(HARDENED_FILES) <= set(collect_login.FILES) and set(HARDENED_DIRS) <= login_trees
    root_dirs = {t[0] for t in collect_root.ROOT_ONLY if not t[2]}  # (root's files: read as sudoers' are)
    assert set(HARDENED_FILES) <= set(collect_root.HIDDEN), set(HARDENED_FILES) - set(collect_root.HIDDEN)
    assert set(HARDENED_DIRS) <= root_dirs, set(HARDENED_DIRS) - root_dirs


def test_roots_copy_stands_for_the_logins_refused_read_and_what_neither_read_stays_named():
    login = {"files": {"/etc/ssh/sshd_config": {"st": [F | 0o600, 0, 0, 20, 0, 5, 0], "why": "Permission denied"},
                       "/etc/passwd": {"st": [F | 0o644, 0, 0, 1, 0, 6, 77], "data": "y"},
                       "/etc/cron.d": {"st": [D | 0o700, 0, 0, 0, 0, 7, 0]}},
             "errors": {"/etc/cron.d": "Permission denied", "/etc/cron.daily": "Permission denied",
                        "/etc/apache2": "Permission denied"}}
    root = {"uid": 0, "files": {"/etc/ssh/sshd_config": {"st": [F | 0o600, 0, 0, 20, 0, 5],
                                                        "data": "PermitRootLogin yes\n"},
                                "/etc/passwd": {"st": [F | 0o644, 0, 0, 1, 0, 6], "data": "y"},
                                "/etc/cron.d/backup": {"st": [F | 0o640, 0, 0, 9, 0, 8],
                                                       "data": "* * * * * root /x\n"}},
            "dirs": {"/etc/cron.d": ["backup"]},
            "errors": {"/etc/cron.daily": "OSError: [Errno 5] Input/output error"}}
    raw = merged(login, root)
    assert raw["files"]["/etc/ssh/sshd_config"]["data"] == "PermitRootLogin yes\n"  # what hid there is judged
    assert raw["files"]["/etc/cron.d/backup"]["data"] and raw["dirs"]["/etc/cron.d"] == ["backup"]
    assert "/etc/cron.d" not in raw["errors"]  # root listed it: the login's refusal is no longer a fact not read
    # read by neither: named (root's why); a place root does not read (Apache's tree): the login's refusal stands
    assert raw["errors"]["/etc/cron.daily"].startswith("OSError") and raw["errors"]["/etc/apache2"]
    # the same bytes read by both: the login's entry, with what only it records (its ctime)
    assert raw["files"]["/etc/passwd"]["st"][6] == 77


def test_a_name_the_login_could_not_read_does_not_hide_roots_copy_of_it():
    """A 0700 ``/etc/cron.daily``: the login's ``lstat`` of what ``/etc/crontab``'s run-parts line names was refused
    and, laid over root's copy in what root's jobs are judged on, hid its bytes: Apache's stock
    ``cron.daily/apache2`` (its conffile, as shipped) was no longer the package's, and its cache directory, Apache's
    run user's by design, a place someone but root may change."""
    import hashlib

    from deploytests.verify import parse, rootacts

    job = "#!/bin/sh\nHTCACHECLEAN_PATH=/var/cache/apache2/mod_cache_disk\n"
    status = (f"Package: apache2\nStatus: install ok installed\nConffiles:\n /etc/cron.daily/apache2 "
              f"{hashlib.md5(job.encode()).hexdigest()}\n")
    snap = parse.Snapshot({"files": {"/etc/cron.daily/apache2": {"st": [F | 0o755, 0, 0, 60, 0, 8, 9], "data": job},
                                     "/var/lib/dpkg/status": {"st": [F | 0o644, 0, 0, 1, 0, 7, 9], "data": status}},
                           "named": {"/etc/cron.daily/apache2": {"why": "Permission denied"},
                                     "/srv/other": {"st": [D | 0o755, 1000, 1000, 0, 0, 6, 9]}},
                           "mapped": {"/var/cache/apache2/mod_cache_disk": [D | 0o755, 33, 33, 0, 0, 5, 9]}})
    view = rootacts.view(snap)
    assert view.data("/etc/cron.daily/apache2") == job.encode() and view.st("/srv/other")
    assert rootacts.packaged(view, "/etc/cron.daily/apache2") == "apache2"


def test_apaches_configuration_the_gates_login_may_not_read_names_read_access_as_the_remedy():
    """``chmod -R o-rwx /etc/apache2`` (beyond CIS's Apache benchmark, which asks only o-w), or a conf root wrote
    0640 under its umask 027: the login's look at Apache's files said no, and the line told the admin to make
    root's alone what already was. The remedy it names is read access for the gate's login."""
    import pytest

    from deploytests.config import load_config
    from deploytests.examples import APPS
    from deploytests.verify.facts import Facts
    from deploytests.verify.promises import Expected, cw_apache_files

    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    for why, says in [("/etc/apache2/conf-enabled/x.conf was not read here (Permission denied): what it names is "
                       "not known", "let it read them (chmod o+r on the file, o+rx on its directories"),
                      ("/srv/conf/x.conf may be changed by someone other than root", "make what it names root's")]:
        facts = Facts("docker://web-1", remote={"inventory": {"apache": {"refused": "not run as root: " + why}}})
        with pytest.raises(AssertionError) as failed:
            cw_apache_files(facts, exp)
        assert says in str(failed.value), failed.value
