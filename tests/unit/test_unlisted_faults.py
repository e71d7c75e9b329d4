"""The misses of a blind fault set (faults written from the docs only, run on real containers), one class each:
each test fails on the gate before its fix and names the fault it was found by and another member of its class."""

from __future__ import annotations

import pytest
from stock import outcome

from deploytests.config import load_config
from deploytests.verify.promises import Expected
from tests.unit.test_closed_world import APP, add_text, allowing, clean_facts, failing


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APP), "appuser")


SHARED = "/var/www/yourapplication/shared/data"


# ---- a link in a run-parts dir: run-parts runs what it reaches (it was skipped as a link)

@pytest.mark.parametrize("target", [
    f"{SHARED}/cleanup.sh",  # the blind fault: a script the app writes
    "../../var/www/yourapplication/current/venv/bin/python",  # the class: a relative link into the release
])
def test_a_link_run_parts_runs_is_judged_by_what_it_reaches(exp, target):
    facts = clean_facts()
    add_text(facts, "/etc/cron.daily/app-cleanup", f"-> {target}")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and "/etc/cron.daily/app-cleanup: runs " in msg["cw_schedules"], msg


def test_a_link_run_parts_skips_by_its_name_is_not_a_job(exp):
    facts = clean_facts()
    add_text(facts, "/etc/cron.daily/app.sh", f"-> {SHARED}/cleanup.sh")  # (a dot: run-parts skips it)
    assert outcome("cw_schedules", facts, exp) == "pass"


# ---- what a root unit's program loads by (Environment=), and a path in a ':' list, reach the app's tree

@pytest.mark.parametrize("env", [
    "PYTHONPATH=/var/www/yourapplication/current/venv/lib/python3.11/site-packages",  # the blind fault
    '"LD_PRELOAD=/usr/lib/libc.so.6:/var/www/yourapplication/current/venv/lib/libfast.so"',  # a list, 2nd entry
])
def test_a_root_units_environment_into_the_apps_tree_fails(exp, env):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/app-stats.service",
             f"[Service]\nType=oneshot\nEnvironment={env}\nExecStart=/usr/bin/python3 -m yourapplication.stats\n")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and "app-stats.service" in msg["cw_units"], msg


def test_a_root_config_line_in_another_syntax_naming_the_tree_fails(exp):
    facts = clean_facts()
    line = f":appx:E::appx::{SHARED}/runner:C"  # binfmt.d: the interpreter after '::'
    facts.remote["inventory"].setdefault("mentions", []).append(
        {"where": "/etc/binfmt.d/appx.conf:1", "file": "/etc/binfmt.d/appx.conf", "user": "root", "job": line})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and "/etc/binfmt.d/appx.conf:1" in msg["cw_schedules"], msg


# ---- a unit that runs as Apache's user: a process of it, started later (cw_processes accounts for each one running)

@pytest.mark.parametrize("user", ["www-data", "999"])  # the blind fault; the class: a watched user by uid (the app's)
def test_a_unit_of_apaches_user_fails(exp, user):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/cache-warm.service",
             f"[Service]\nUser={user}\nExecStart=/bin/sh /tmp/cache-warm.sh\n[Install]\nWantedBy=multi-user.target\n")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and "cache-warm.service" in msg["cw_units"], msg
    assert outcome("cw_units", facts, allowing(exp, units=("cache-warm.service",))) == "pass"


# ---- an import line of a .pth in the system Python's site dirs that no package ships: code in every root python3

@pytest.mark.parametrize("top", [
    "/usr/local/lib/python3.11/dist-packages",  # the blind fault (a root pip install's .pth)
    "/root/.local/lib/python3.11/site-packages",  # the class: root's own user site (pip install --user as root)
])
def test_an_import_line_of_a_pth_no_package_ships_fails(exp, top):
    import stat as s

    from tests.unit.test_allowed_effects import put, server

    facts = server()
    put(facts, f"{top}/ops-trace.pth", s.S_IFREG | 0o644)
    facts.raw.files[f"{top}/ops-trace.pth"]["data"] = "import os; os.environ.setdefault('OPS_TRACE', '1')\n"
    msg = outcome("cw_load_path", facts, exp)
    assert f"- {top}/ops-trace.pth:1: " in msg and "no package ships this .pth" in msg, msg
    facts.raw.files[f"{top}/ops-trace.pth"]["data"] = "# a comment, then a dir of root's\n/usr/share/ops\n"
    put(facts, "/usr/share/ops", s.S_IFDIR | 0o755, uid=0)
    assert outcome("cw_load_path", facts, exp) == "pass"


# ---- a local dpkg-divert: an admin's file at a package's path, never compared (a package's own diversion is dpkg's)

def test_a_local_diversion_of_a_stack_packages_file_is_reported(tmp_path, monkeypatch):
    import hashlib

    from deploytests.verify import reader

    info = tmp_path / "info"
    info.mkdir()
    ctl, mod, shell = tmp_path / "apache2ctl", tmp_path / "json_init.py", tmp_path / "sh"
    for p in (ctl, mod, shell):
        p.write_bytes(b"shipped\n")
    (info / "apache2.md5sums").write_text(
        "".join(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {str(p)[1:]}\n" for p in (ctl, mod, shell)))
    diversions = f"{ctl}\n{ctl}.distrib\n:\n{mod}\n{mod}.distrib\n:\n{shell}\n{shell}.distrib\ndash\n"
    real = reader.read_nofollow
    monkeypatch.setattr(reader, "read_nofollow", lambda path, most: diversions.encode()
                        if path == "/var/lib/dpkg/diversions" else real(path, most))
    monkeypatch.setattr(reader, "DPKG_INFO", str(info))
    found = reader.packaged(["apache2"])
    # the blind fault (apache2ctl, a wrapper sourcing the app's file) and the class (a stdlib module moved aside);
    # a package's own diversion (dash's of sh) is dpkg's record
    assert sorted(found["diverted"]) == [[str(ctl), "apache2", f"{ctl}.distrib"],
                                         [str(mod), "apache2", f"{mod}.distrib"]], found


def test_a_local_diversion_fails_the_packaged_rule(exp):
    from tests.unit.test_logins import facts_of

    facts = facts_of()
    facts.remote["packaged"] = {"checked": 900, "hashed": 0, "bounds": [], "changed": [],
                                "diverted": [["/usr/sbin/apache2ctl", "apache2", "/usr/sbin/apache2ctl.distrib"]]}
    msg = outcome("cw_packaged", facts, exp)
    assert "/usr/sbin/apache2ctl: moved aside by a local dpkg-divert" in msg, msg


# ---- the release's own directory is judged as its entries are (it was the one entry the walk never looked at)

@pytest.mark.parametrize("mode,found", [
    (0o700, "unreadable"),  # the blind fault: the rollback target closed to the app user (its daemons cannot enter)
    (0o777, "loose"),  # the class: the live release's dir open to all (anyone swaps its venv for their own)
])
def test_the_release_directory_itself_is_judged(tmp_path, mode, found):
    import os
    import pwd

    from deploytests.verify import reader

    rel = tmp_path / "releases" / "20261207T000000Z-abcdef12"
    (rel / "venv" / "lib").mkdir(parents=True)
    (rel / "venv" / "lib" / "m.py").write_text("x = 1\n")
    rel.chmod(mode)
    me = pwd.getpwuid(os.getuid()).pw_name
    unreadable: list = []
    _, loose, _ = reader.walk_release(str(rel), me, [], [], reader=(os.getuid() + 4242, [os.getgid() + 4242]),
                                      unreadable=unreadable)
    assert [x.split()[0] for x in (unreadable if found == "unreadable" else loose)] == ["."], (unreadable, loose)
    rel.chmod(0o755)
    unreadable.clear()
    _, loose, _ = reader.walk_release(str(rel), me, [], [], reader=(os.getuid() + 4242, [os.getgid() + 4242]),
                                      unreadable=unreadable)
    assert unreadable == [] and loose == []


# ---- a default ACL's other entry: what is made there later gets it instead of the umask (the daemons' 0007)

def _default_acl(other: int) -> str:
    import struct

    return (struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, 0xFFFFFFFF)
                                            for t, p in ((1, 7), (4, 7), (0x20, other)))).hex()


def _named_default_acl(uid: int) -> str:
    import struct

    return (struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in (
        (1, 7, 0xFFFFFFFF), (2, 7, uid), (4, 7, 0xFFFFFFFF), (0x10, 7, 0xFFFFFFFF), (0x20, 0, 0xFFFFFFFF)))).hex()


@pytest.mark.parametrize("acl,found", [
    (_default_acl(6), "its default ACL has other::rw-"),  # the blind fault: the umask overridden for all
    (_named_default_acl(65534), "its default ACL has user:"),  # the class: a named user given what the app makes
])
def test_a_default_acl_of_a_shared_path_fails(exp, acl, found):
    path = "/var/www/yourapplication/shared/data"
    facts = clean_facts()
    facts.remote["secret_acls"] = {path: {"default": acl}}
    msg = outcome("shared", facts, exp)
    assert msg.startswith("fail") and f"{path}: {found}" in msg, msg
    assert outcome("config_mode", facts, exp) == "pass"  # (one cause, one failure)
    facts.remote["secret_acls"] = {path: {"default": _default_acl(0)}}
    assert outcome("shared", facts, exp) == "pass"


def test_a_default_acl_other_entry_above_the_config_alone_is_no_finding(exp):
    """The deploy writes the config with an explicit mode, which a default ACL only narrows."""
    facts = clean_facts()
    facts.remote["secret_acls"] = {"/var/www/yourapplication/shared": {"default": _default_acl(4)}}
    assert outcome("config_mode", facts, exp) == "pass" and outcome("shared", facts, exp) == "pass"


# ---- a sandbox override of Apache's unit: what the server and the daemons may write after the next start

@pytest.mark.parametrize("text", [
    "[Service]\nProtectSystem=strict\nPrivateTmp=yes\n",  # the blind fault: / read-only, shared/ too
    "[Service]\nReadOnlyPaths=/var/www\n",  # the class: the app's tree read-only by another key
])
def test_a_sandbox_override_of_apaches_unit_fails_until_allowed(exp, text):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/apache2.service.d/hardening.conf", text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and "apache2.service is overridden" in msg["cw_units"], msg
    assert outcome("cw_units", facts, allowing(exp, units=("apache2.service",))) == "pass"
