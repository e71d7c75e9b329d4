"""The fact probe's pure parts, run here on a temp tree (the same source runs on the servers), and the error
log filter of the diagnostics."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from deploytests.verify import probe

RID = "20261128T020758Z-df7f7fcb"


def make_tree(tmp_path, *, version="1.0", record="1.0"):
    root = tmp_path / "app"
    release = root / "releases" / RID
    site = release / "venv" / "lib" / ("python%d.%d" % sys.version_info[:2]) / "site-packages"
    (site / "your_app-1.0.dist-info").mkdir(parents=True)
    (site / "your_app-1.0.dist-info" / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: your-app\nVersion: {version}\n")
    (site / "your_app").mkdir()
    (site / "your_app" / "__init__.py").write_text("x = 1\n")
    (root / "shared" / "data").mkdir(parents=True)
    os.symlink(root / "shared" / "data", release / "data")
    (release / "RELEASE.json").write_text(json.dumps({"id": RID, "name": "your-app", "version": record,
                                                      "manifest": {"name": "your-app"}}))
    (root / "releases" / "20990101T000000Z-halfbuilt").mkdir()
    (root / "releases" / "failed.log").write_text('{"release": "x", "reason": "refused"}\n')
    os.symlink(f"releases/{RID}", root / "current")
    return root, site


def test_tree_facts_read_the_live_release_without_running_it(tmp_path):
    root, site = make_tree(tmp_path, version="1.0.dev1")
    facts = probe.tree_facts({"root": str(root), "shared_paths": ["data"]})
    live = facts["live"]
    assert (facts["current"], live["id"], live["installed_version"]) == (f"releases/{RID}", RID, "1.0.dev1")
    assert facts["releases"][RID]["has_manifest"] and live["manifest"] == {"name": "your-app"}
    assert facts["incomplete"] == ["20990101T000000Z-halfbuilt"] and len(facts["failed"]) == 1
    assert sorted(p.rsplit("/", 2)[-2] for p in live["hashes"]) == ["your_app", "your_app-1.0.dist-info"]
    assert live["shared"]["data"]["kind"] == "symbolic link" and live["loose_count"] == 0
    os.chmod(site / "your_app" / "__init__.py", 0o666)
    loose = probe.tree_facts({"root": str(root), "shared_paths": ["data"]})["live"]
    assert loose["loose_count"] == 1 and "your_app/__init__.py 0666" in loose["loose"][0]


def test_nothing_deployed_and_lstat_facts(tmp_path):
    (tmp_path / "app" / "releases").mkdir(parents=True)
    facts = probe.tree_facts({"root": str(tmp_path / "app")})
    assert facts["current"] is None and facts["live"] is None and facts["releases"] == {}
    assert probe.lstat_facts(str(tmp_path / "nope")) == {"kind": "missing"}
    os.symlink("/etc/shadow", tmp_path / "link")
    assert probe.read_nofollow(str(tmp_path / "link")) is None  # never through a link
    assert probe.lstat_facts(str(tmp_path / "link"))["target"] == "/etc/shadow"


def test_dist_version_normalizes_names(tmp_path):
    (tmp_path / "Flask_Login-0.6.3.dist-info").mkdir()
    (tmp_path / "Flask_Login-0.6.3.dist-info" / "METADATA").write_text("Name: Flask-Login\nVersion: 0.6.3\n")
    assert probe.dist_version(str(tmp_path), "flask-login") == "0.6.3"
    assert probe.dist_version(str(tmp_path), "flask") is None


def test_error_log_since_the_deploy_began(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    log = ("[Sat Nov 28 01:00:00.000001 2026] [wsgi:error] bootstrap noise\n"
           "Fatal Python error: init_fs_encoding\n"
           "[Sat Nov 28 02:07:59.123456 2026] [wsgi:error] after the deploy\n"
           "Traceback: continuation line\n")
    try:
        assert probe.lines_since(log, "2026-11-28T02:07:58+00:00") == (
            "[Sat Nov 28 02:07:59.123456 2026] [wsgi:error] after the deploy\nTraceback: continuation line\n")
        assert probe.lines_since(log, None) == "(no live release to date its deploy by)\n"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_installed_distributions_are_read_from_metadata_never_imported(tmp_path):
    root, site = make_tree(tmp_path)
    (site / "zz_hook.pth").write_text(f"import os; open({str(tmp_path / 'ran')!r}, 'w')\n")
    assert probe.installed_distributions(str(site)) == ["your-app==1.0"]
    report = probe.tree_report({"root": str(root)})
    assert report["installed"] == ["your-app==1.0"] and report["current"] == f"releases/{RID}"
    assert not (tmp_path / "ran").exists()


def test_the_venv_python_is_judged_by_its_links(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    os.symlink(sys.executable, venv_bin / "python3")
    os.symlink("python3", venv_bin / "python")
    found = probe.interpreter(str(venv_bin / "python"))
    assert [h["to"] for h in found["hops"]][:2] == ["python3", sys.executable] and "error" not in found
    (venv_bin / "python").unlink()
    (venv_bin / "python").write_text(f"#!/bin/sh\ntouch {tmp_path}/ran\nexec {sys.executable} \"$@\"\n")
    swapped = probe.interpreter(str(venv_bin / "python"))
    assert swapped["hops"] == [] and swapped["facts"]["kind"] == "regular file" and not swapped["root_owned"]
    assert not (tmp_path / "ran").exists()


def test_elf_needed_reads_a_shared_object_as_data():
    import sysconfig

    libdir = sysconfig.get_config_var("LIBDIR") or "/usr/lib"
    candidates = [os.path.join(libdir, n) for n in os.listdir(libdir) if n.startswith("libssl.so")] + \
        ["/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3"]
    path = next(p for p in candidates if os.path.isfile(p))
    with open(path, "rb") as f:
        needed = probe.elf_needed(f.read())
    assert any(n.startswith("libcrypto.so") for n in needed), needed
    with pytest.raises(ValueError):
        probe.elf_needed(b"#!/bin/sh\n")


def test_packages_are_read_from_dpkgs_database(tmp_path):
    status = tmp_path / "status"
    status.write_text("Package: apache2\nStatus: install ok installed\nVersion: 2.4\n\n"
                      "Package: python3-venv\nStatus: deinstall ok config-files\n\n")
    if os.getuid() == 0:
        assert probe.packages(["apache2", "python3-venv", "iproute2"], str(status)) == {
            "apache2": "installed", "python3-venv": "deinstall ok config-files", "iproute2": "not installed"}
    else:  # only root's file is read
        with pytest.raises(RuntimeError):
            probe.packages(["apache2"], str(status))


def test_the_app_tree_is_never_read_as_root():
    """As root, the tree's reader is a child dropped to the deploy user, or to nobody when that user is root or
    does not exist; as anyone else the work runs in-process."""
    import pwd

    whoami = os.getuid
    if os.getuid() != 0:
        assert probe.as_reader({"deploy_user": "root"}, whoami) == os.getuid()
        return
    nobody = pwd.getpwnam("nobody").pw_uid
    assert probe.as_reader({"deploy_user": "root"}, whoami) == nobody
    assert probe.as_reader({"deploy_user": "no-such-user-here"}, whoami) == nobody


def test_the_dropped_reader_is_bounded_a_stopped_one_is_killed_and_named(monkeypatch):
    """The tree reader runs as the deploy user, who may SIGSTOP it: the root probe waited forever (the admin's
    read-only gate hung, a root process stayed on the server). Class: an unbounded wait on a process the less
    trusted side controls. The wait is bounded; the reader is killed; the error names the user and the bound."""
    import pwd
    import signal as signals

    from deploytests.verify import probe as p

    for name in ("setgroups", "setgid", "setuid"):  # the drop itself needs root; what is tested is the wait
        monkeypatch.setattr(p.os, name, lambda *a: None)
    me = pwd.getpwuid(os.getuid()).pw_name
    stopped = lambda: os.kill(os.getpid(), signals.SIGSTOP)  # noqa: E731 - as the deploy user would
    with pytest.raises(RuntimeError, match=rf"the reader running as {me} gave no answer within 1s"):
        p.as_user(me, stopped, timeout=1)
    flood = lambda: "x" * 4096  # noqa: E731
    with pytest.raises(RuntimeError, match="answered more than 1000 bytes"):
        p.as_user(me, flood, limit=1000)
    assert p.as_user(me, lambda: {"ok": 1}) == {"ok": 1}


def test_names_the_deploy_login_chose_cannot_forge_diagnostics_lines():
    """A release dir named ``zz\\n\\ncurrent -> releases\\u22152099-trusted`` forged a ``current`` line in the
    diagnostics' releases section. Class: a name from the less trusted side inside a multi-line report. Every
    such name (release dirs, the link target, failed.log's lines) is one visible line."""
    from deploytests.verify import probe as p

    assert p.one_line("zz\n\ncurrent -> releases\u22152099-trusted") == \
        "zz\\n\\ncurrent -> releases\\u22152099-trusted"
    assert p.one_line("20261205T050852Z-33383e1e") == "20261205T050852Z-33383e1e"
