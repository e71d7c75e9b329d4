"""What the deploy login or the app user may put in the login collector's way: processes whose command lines it
chooses (setuid programs run as root with them), names that go away between a listing and a look, more of
anything than a bound. Nothing of theirs may choose what the collector reads as root's, crowd root's out of a
bound, or stop a step: a bound hit is named, a name gone is gone."""

from __future__ import annotations

import os
import stat

import pytest

from deploytests.verify import collect_login as C


def small_root_files(count: int, script: bool = False) -> list[str]:
    """``count`` root's regular files of at most 64 KiB from the system's command dirs (``#!`` scripts when
    ``script``): what a command line may name."""
    found = []
    for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin"):
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            path = os.path.realpath(os.path.join(d, name))
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_uid == 0 and 0 < st.st_size <= 65536 and path not in found:
                with open(path, "rb") as f:
                    if (f.read(2) == b"#!") == script:
                        found.append(path)
            if len(found) == count:
                return found
    raise AssertionError(f"this machine has fewer than {count} small root files in its command dirs")


def fake_proc(tmp_path, procs: dict[int, tuple[str, list[str]]]):
    """A ``/proc`` with each ``pid: (uid line, argv)``."""
    top = tmp_path / "proc"
    for pid, (uids, argv) in procs.items():
        (top / str(pid)).mkdir(parents=True)
        (top / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
        (top / str(pid) / "status").write_text(f"Name:\tx\nUid:\t{uids}\nGid:\t0\t0\t0\t0\n")
        (top / str(pid) / "comm").write_text(os.path.basename(argv[0]) + "\n")
    return str(top)


def empty():
    return {"errors": {}, "files": {}, "dirs": {}, "size": 0}


def test_setuid_programs_another_user_started_do_not_choose_which_scripts_are_read_as_roots(tmp_path):
    """the deploy login, from its own live session, left ten ``sudo -S FILE...`` waiting for a password
    (root's effective uid, its own real uid; command lines it chose, naming 70 small root files); the admin's
    root worker started after, running a root script that sources a file of the deploy login's share. Root
    processes' scripts were read at most 64, in pid order, a process counted as root's by its ``/proc`` entry's
    owner (the effective uid): the worker's script was never read, and the gate passed. Only a process whose real
    and effective uids are root's counts, and more scripts than the bound are named."""
    decoys, script = small_root_files(70), small_root_files(1, script=True)[0]
    procs = {100 + i: ("1001\t0\t0\t0", ["sudo", "-S"] + decoys[7 * i:7 * i + 7]) for i in range(10)}
    procs[900] = ("0\t0\t0\t0", ["/bin/sh", script])
    out = empty()
    C.programs(out, proc=fake_proc(tmp_path, procs))
    assert str(out["named"].get(script, {}).get("data", "")).startswith("#!"), out["named"].get(script)
    assert not any(d in out["named"] and "data" in out["named"][d] for d in decoys)
    assert not [k for k in out["errors"] if k.startswith("programs")]


@pytest.mark.parametrize("argv", [
    ["/usr/bin/python3", "-c", "import sys; sys.path.insert(0, '{share}'); import envmod"],
    ["/bin/sh", "-c", "while :; do . {share}/env.sh; sleep 5; done"],
    ["/usr/bin/python3", "-m", "worker", "--plugins={share}"]])
def test_a_path_inside_a_root_process_s_command_line_word_is_looked_at(tmp_path, argv):
    """An admin's root worker whose command line names the deploy login's share inside a word (``-c CODE``,
    ``sh -c``'s commands, ``--opt=/path``) passed the gate: only words that were paths were lstat'ed (and judged),
    so the runner had nothing to judge. Every path a command line names is looked at, wherever in a word."""
    share = tmp_path / "share"
    share.mkdir()
    (share / "env.sh").write_text(":\n")
    argv = [a.replace("{share}", str(share)) for a in argv]
    out = empty()
    C.programs(out, proc=fake_proc(tmp_path, {900: ("0\t0\t0\t0", argv)}))
    assert out["named"].get(str(share), {}).get("st"), sorted(out["named"])


def test_a_bound_on_processes_or_root_scripts_is_named_never_passed_over(tmp_path, monkeypatch):
    """More processes than the bound, more root scripts than the bound, more path words in a root script than the
    bound: each is named in ``errors`` (the gate's ``test_host_answers``), never taken for clean."""
    scripts = small_root_files(3, script=True)
    procs = {10 + i: ("0\t0\t0\t0", ["/bin/sh", s]) for i, s in enumerate(scripts)}
    monkeypatch.setattr(C, "SCRIPTS", 2)
    out = empty()
    C.programs(out, proc=fake_proc(tmp_path, procs))
    assert "more than 2 root processes' scripts" in out["errors"]["programs: root processes' scripts"]
    out = empty()
    C.programs(out, most=2, proc=str(tmp_path / "proc"))
    assert "more than 2 processes" in out["errors"]["programs: processes"]
    big = tmp_path / "many-words"
    big.write_text("#!/bin/sh\n" + "".join(f"cat /srv/f{i}\n" for i in range(C.SCRIPT_WORDS + 1)))
    monkeypatch.setattr(C, "read", lambda out, path, limit: big.read_text() if path == str(big) else None)
    monkeypatch.setattr(C, "note", lambda out, path: [stat.S_IFREG | 0o755, 0, 0, 10, 0, 1, 0]
                        if path == str(big) else None)
    out = empty()
    C.programs(out, proc=fake_proc(tmp_path / "2", {7: ("0\t0\t0\t0", ["/bin/sh", str(big)])}))
    assert "more than %d path words" % C.SCRIPT_WORDS in out["errors"][str(big)]


@pytest.mark.parametrize("kind", ["file", "dir"])
def test_a_name_gone_between_the_walks_listing_and_its_look_is_gone_not_a_failed_step(tmp_path, monkeypatch, kind):
    """an app's temp or cache files made and removed in a directory the walk of the local file systems
    lists (/var/tmp, Debian 12's /tmp): an entry removed between ``scandir`` and its ``lstat`` raised out of the
    whole step (``errors["local files"]``: the gate failed ``test_host_answers`` now and then, and the rest of the
    walk was not done). A name gone is gone: nothing is recorded of it, and the walk goes on."""
    root = tmp_path / "host"
    (root / "var/tmp/churn").mkdir(parents=True)
    (root / "var/tmp/churn/a").mkdir() if kind == "dir" else (root / "var/tmp/churn/a").write_text("")
    (root / "opt").mkdir()
    (root / "opt/rs").write_text("#!/bin/sh\n")
    (root / "opt/rs").chmod(0o4755)
    rows = tmp_path / "mountinfo"
    rows.write_text(f"20 1 0:20 / {root} rw,relatime shared:1 - ext4 none rw\n")
    monkeypatch.setattr(C, "MOUNTINFO", str(rows))
    monkeypatch.setattr(C, "beyond", lambda p: False)
    real = os.scandir

    class Listing:  # the listing as it was; the name removed right after it
        def __init__(self, path):  # (a path, or a directory's fd)
            self.entries = list(real(path))
            if (os.readlink(f"/proc/self/fd/{path}") if isinstance(path, int) else str(path)).endswith("churn"):
                gone = root / "var/tmp/churn/a"
                gone.rmdir() if gone.is_dir() else gone.unlink()

        def __enter__(self):
            return iter(self.entries)

        def __exit__(self, *a):
            return False

    monkeypatch.setattr(C.os, "scandir", Listing)
    out = empty()
    C.local_files(out)
    assert "local files" not in out["errors"], out["errors"]
    assert str(root / "opt/rs") in out["files"]
    assert str(root / "var/tmp/churn/a") not in out["files"]


def test_setuid_files_of_others_do_not_crowd_roots_out_of_the_digests(tmp_path):
    """The deploy login may set the setuid bit on its own files, as many as it likes (each its own finding): the
    digest step took the first 256 privileged files in path order, whoever's, and cut the rest silently: root's
    privileged files after them (/usr/...) went unhashed, so no pin of theirs held. Only root's are hashed, and a
    bound hit is named."""
    prog = small_root_files(1)[0]
    files = {f"/home/deployer/s{i:03d}": {"st": [stat.S_IFREG | 0o4755, 1001, 1001, 1, 0, i, 0]} for i in range(300)}
    files[prog] = {"st": [stat.S_IFREG | 0o4755, 0, 0, os.lstat(prog).st_size, 0, 1, 0]}
    out = dict(empty(), files=files)
    C.digests(out)
    assert prog in out["digests"] and "digests" not in out["errors"]
    out = dict(empty(), files=dict(files, **{f"/usr/lib/r{i}": files[prog] for i in range(3)}))
    C.digests(out, most=2)
    assert "more than 2 files to hash" in out["errors"]["digests"]


def test_a_directory_the_kernel_will_not_open_by_its_path_is_named_never_skipped(tmp_path, monkeypatch):
    """the deploy login nests directories until their path is longer than PATH_MAX (each opened relative
    to the one above: the kernel takes that) and keeps a setuid copy of a shell of its own at the bottom, which
    anyone may reach step by step. A walk that opens directories by path gets ENAMETOOLONG there, and then also
    for their ``lstat``: that directory was skipped unnamed (taken for gone). It is named in ``errors``."""
    root = tmp_path / "host"
    (root / "var/tmp/k/deep").mkdir(parents=True)
    rows = tmp_path / "mountinfo"
    rows.write_text(f"20 1 0:20 / {root} rw,relatime shared:1 - ext4 none rw\n")
    monkeypatch.setattr(C, "MOUNTINFO", str(rows))
    monkeypatch.setattr(C, "beyond", lambda p: False)
    deep, real = str(root / "var/tmp/k/deep"), {"open": os.open, "scandir": os.scandir, "lstat": os.lstat}

    def refusing(name):  # (as for a path past PATH_MAX: ENAMETOOLONG, whether opened, listed or lstat'ed by path)
        def call(path, *a, **k):
            if str(path) == deep:
                raise OSError(36, os.strerror(36), str(path))
            return real[name](path, *a, **k)
        return call

    for name in real:
        monkeypatch.setattr(C.os, name, refusing(name))
    out = empty()
    C.local_files(out)
    assert "File name too long" in out["errors"].get("local files: " + deep[:200], ""), out["errors"]


def test_deep_paths_on_command_lines_are_bounded_in_all_and_named(tmp_path, monkeypatch):
    """The deploy login left 300 processes each named by a path of 2,000 components (``exec -a /nxN/a/a/...``: no
    directory needs to exist): the collector recorded every directory above each (2,000 names of up to 4 KiB a
    process, 1.2 GB in all), never finished, and the gate lost the host's every fact. What command lines' paths
    make it record is bounded in all, and the bound hit is named; a word deeper than any program's is not
    resolved for hashing (no pin of it holds)."""
    monkeypatch.setattr(C, "NAMED", 1 << 20, raising=False)
    procs = {100 + i: ("1001\t1001\t1001\t1001", [f"/nx{i}" + "/a" * 1990]) for i in range(40)}
    out = empty()
    C.programs(out, proc=fake_proc(tmp_path, procs))
    assert "more than 1048576 bytes" in out["errors"]["programs: bytes of paths their command lines name"]
    assert sum(len(p) for p in out["named"]) <= 1 << 20
    resolved = []
    monkeypatch.setattr(C.os.path, "realpath", lambda p: resolved.append(p) or p)
    C.ran(out)
    assert not [p for p in resolved if p.startswith("/nx")], resolved[:1]
