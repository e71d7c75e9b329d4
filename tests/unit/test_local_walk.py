"""The login collector's walk of the host's local file systems for setuid, setgid and capability files, wherever
they lie (``/var/tmp``, ``/opt``, ``/srv``, a home, ``/usr/lib``), bounded, from the kernel's mount table; and the
runner's verdict on what it finds (``cw_setuid``). Shown on Debian 12 and 13 stack containers too."""

from __future__ import annotations

import os
import stat

import pytest

from deploytests.verify import collect_login as C


def mountinfo(tmp_path, rows):
    """A ``mountinfo`` file with one row per ``(point, options, type)``."""
    path = tmp_path / "mountinfo"
    path.write_text("".join(f"{n} 1 0:{n} / {p.replace(' ', chr(92) + '040')} {o} shared:1 - {t} none rw\n"
                            for n, (p, o, t) in enumerate(rows, 20)))
    return str(path)


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A small host: ``/`` (ext4) with a setuid shell in var/tmp, a setgid copy under opt, a capability file
    under usr/lib, a nosuid mount (its setuid file runs without privilege), a proc mount, the app's tree."""
    root = tmp_path / "host"
    for d in ("var/tmp", "opt/tool/bin", "usr/lib/x86_64-linux-gnu/helper", "usr/bin", "home/some one",
              "mnt/nosuid", "proc/1", "var/www/app/releases"):
        (root / d).mkdir(parents=True)
    for f, mode in (("var/tmp/.rs", 0o4755), ("opt/tool/bin/shadow-reader", 0o2755), ("usr/bin/ls", 0o755),
                    ("usr/lib/x86_64-linux-gnu/helper/capped", 0o755), ("home/some one/sh", 0o4755),
                    ("mnt/nosuid/sh", 0o4755), ("proc/1/exe", 0o4755), ("var/www/app/releases/sh", 0o4755)):
        (root / f).write_text("#!/bin/sh\n")
        (root / f).chmod(mode)
    monkeypatch.setattr(C, "MOUNTINFO", mountinfo(tmp_path, [
        (str(root), "rw,relatime", "ext4"), (str(root / "mnt/nosuid"), "rw,nosuid,nodev", "tmpfs"),
        (str(root / "proc"), "rw,relatime", "proc"), (str(root / "home/some one"), "rw", "ext4")]))
    monkeypatch.setattr(C, "SYSTEM", [str(root / "usr")])
    monkeypatch.setattr(C, "beyond", lambda p: False)  # (pytest's own tmp dir is root's 0700)
    real = C.caps
    monkeypatch.setattr(C, "caps", lambda p: {"caps": "\x01\x00\x00\x02"} if p.endswith("capped") else real(p))
    return root


def walked(root, **kw):
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    C.local_files(out, [str(root / "var/www/app")], **kw)
    return out, sorted(p[len(str(root)):] for p, e in out["files"].items()
                       if e.get("st") and stat.S_ISREG(e["st"][0]) and (e["st"][0] & 0o6000 or "caps" in e))


def test_every_privileged_file_on_a_local_mount_is_recorded_wherever_it_lies(host):
    """The class: a setuid shell in /var/tmp, a setgid copy under /opt, a capability file under /usr/lib, a setuid
    file in a home on its own mount: each recorded with its lstat (and caps), for cw_setuid to judge. Not walked:
    a nosuid mount (the kernel runs its files without their bits), the kernel's views (proc), the app's tree (the
    tree reader's walk judges it)."""
    out, found = walked(host)
    assert found == ["/home/some one/sh", "/opt/tool/bin/shadow-reader", "/usr/lib/x86_64-linux-gnu/helper/capped",
                     "/var/tmp/.rs"], found
    assert out["files"][str(host / "var/tmp/.rs")]["st"][0] & 0o7777 == 0o4755
    assert "ctime" in out["files"][str(host / "opt/tool/bin/shadow-reader")]  # (was it set after dpkg's install?)
    assert not out["errors"] and out["unwalked"] == []


def test_a_bound_of_the_walk_hit_is_an_error_never_a_silent_pass(host):
    out, _ = walked(host, most=3)
    assert "more than 3 entries" in out["errors"]["local files"], out["errors"]
    out, _ = walked(host, seconds=-1)
    assert "more than -1 CPU seconds" in out["errors"]["local files"], out["errors"]


def test_a_directory_others_may_enter_that_the_login_cannot_list_is_named_one_only_root_enters_is_not(host):
    """What only root may go through holds nothing anyone else runs (a container engine's 0710 layers): not
    walked, not named. One others may enter that this login may not list (another login's home, root:adm
    logs): named in ``unwalked``."""
    shut = host / "var/log/apache2"
    shut.mkdir(parents=True)
    (shut / "sh").write_text("")
    os.chown(shut, 0, 4) if os.getuid() == 0 else None
    shut.chmod(0o750)
    real = os.open
    refuse = {str(shut), str(host / "var/lib/docker")}
    (host / "var/lib/docker").mkdir(parents=True)
    (host / "var/lib/docker").chmod(0o710)

    def opened(path, flags, *a, **kw):  # (the walk opens each directory to list it: root may open any)
        if str(path) in refuse:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *a, **kw)

    C.os.open, saved = opened, real
    try:
        out, _ = walked(host)
    finally:
        C.os.open = saved
    names = [p for p, *_ in out["unwalked"]]
    assert str(shut) in names, out["unwalked"]
    assert (str(host / "var/lib/docker") in names) == (os.getuid() != 0), out["unwalked"]  # (root's: only root)


def st(mode, uid=0, gid=0):
    return os.stat_result((mode, 1, 1, 2, uid, gid, 0, 0, 0, 0))


@pytest.mark.parametrize("mode, uid, gid, only", [
    (stat.S_IFDIR | 0o700, 0, 0, True), (stat.S_IFDIR | 0o710, 0, 0, True),  # /root, /var/lib/docker
    (stat.S_IFDIR | 0o750, 0, 4, False),  # /var/log/apache2: adm goes through
    (stat.S_IFDIR | 0o711, 0, 0, False),  # /run/sudo: anyone goes through
    (stat.S_IFDIR | 0o700, 1000, 1000, False),  # a login's own home: its owner runs what lies there
])
def test_only_root_goes_through(mode, uid, gid, only):
    assert C.root_only(st(mode, uid, gid)) is only


def test_the_mount_table_is_read_with_its_points_options_and_types(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "MOUNTINFO", mountinfo(tmp_path, [("/", "rw,relatime", "overlay"),
                                                             ("/srv/my data", "rw,nosuid", "ext4")]))
    assert C.mounts() == [("/", "overlay", "rw,relatime"), ("/srv/my data", "ext4", "rw,nosuid")]


def test_a_mount_below_a_directory_only_root_goes_through_is_not_walked(tmp_path):
    """A container engine's layers (``/var/lib/docker/overlay2/*/merged``, under a 0710 root dir): what only root
    reaches runs as no one else."""
    (tmp_path / "engine" / "merged").mkdir(parents=True)
    (tmp_path / "engine").chmod(0o710)
    assert C.beyond(str(tmp_path / "engine" / "merged")) is (os.stat(tmp_path).st_uid == 0)
    (tmp_path / "engine").chmod(0o711)
    assert C.beyond(str(tmp_path / "engine" / "merged")) is C.beyond(str(tmp_path))


def acl_bytes(*entries):
    """A ``system.posix_acl_access`` value: version 2, then ``(tag, perm, id)`` entries."""
    import struct
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i & 0xFFFFFFFF) for t, p, i in entries)


@pytest.mark.parametrize("named, only", [
    ((), True),  # a minimal ACL: the mode says it all
    (((0x02, 1, 1001),), False),  # setfacl -m u:deployer:x: that user goes through
    (((0x08, 5, 50),), False),  # setfacl -m g:staff:rx: that group goes through
    (((0x02, 4, 1001),), True),  # read without search: no one reaches what lies below
])
def test_an_acl_entry_opens_a_directory_its_mode_says_only_root_enters(named, only, monkeypatch):
    """The mode's group bits of a directory with an ACL show its mask, not whom it names: ``setfacl -m u:NAME:x``
    on a ``0700 root:root`` directory shows ``0710 root:root``, which the bits alone took for root's alone — and the
    walk left a setuid-root python there unwalked and unnamed. A named entry with search opens it."""
    value = acl_bytes((0x01, 7, -1), *named, (0x04, 0, -1), (0x10, 1 if named else 0, -1), (0x20, 0, -1))
    monkeypatch.setattr(C.os, "getxattr", lambda path, name, follow_symlinks=True: value)
    assert C.root_only(st(stat.S_IFDIR | 0o710), "/opt/.ops-tools") is only
    assert C.root_only(st(stat.S_IFDIR | 0o710)) is True  # (no path: the bits alone, as before)


def test_a_root_directory_an_acl_opens_that_the_login_cannot_list_fails_cw_setuid():
    """The runner's verdict: a directory root's by its bits that the walk still found open to someone (an ACL's
    named entry) and could not list is a finding (Debian's packages set no ACL); another login's 0700 home or
    ``root:adm`` logs stay a note of the drift section."""
    from stock import outcome
    from test_closed_world import clean_facts

    from deploytests.config import load_config
    from deploytests.examples import APPS
    from deploytests.verify.promises import Expected

    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = clean_facts()
    facts.remote["inventory"]["unwalked"] = [["/var/log/apache2", stat.S_IFDIR | 0o750, 0, 4],
                                            ["/home/alice", stat.S_IFDIR | 0o700, 1001, 1001]]
    assert outcome("cw_setuid", facts, exp) == "pass"
    facts.notes.clear()
    facts.remote["inventory"]["unwalked"].append(["/opt/.ops-tools", stat.S_IFDIR | 0o710, 0, 0])
    found = outcome("cw_setuid", facts, exp)
    assert found.startswith("fail") and "/opt/.ops-tools (0710 " in found and "its mode lets only root through, but " \
        "an entry of its ACL lets a named user or group search it" in found, found
    assert "/var/log/apache2" not in found and "/home/alice" not in found
