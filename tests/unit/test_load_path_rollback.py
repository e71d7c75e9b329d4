"""Who may write what loads code, setuid programs, and kept releases checked by content, as pure logic over
facts: the runner's parsers (:func:`parse.load_path`, :func:`parse.privileged_files`) over a made-up collector reply,
the tree reader's RECORD check over a real directory, and the rules' one-line messages. The same on real servers:
tests/integration/test_load_path_and_rollback.py."""

from __future__ import annotations

import base64
import copy
import grp
import hashlib
import json
import os
import pwd
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import parse, reader
from deploytests.verify.facts import Facts
from deploytests.verify.promises import CLOSED_WORLD, Expected, NotApplicable, verify

RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())
LIVE = RECORDED["tree"]["current"].split("/")[-1]
D, F, L = stat.S_IFDIR, stat.S_IFREG, stat.S_IFLNK
PASSWD = "root:x:0:0::/root:/bin/sh\nappuser:x:1000:1000::/home/appuser:/bin/sh\n"
GROUP = "root:x:0:\nappuser:x:1000:\nshadow:x:42:\n"


def snapshot(entries: dict, dirs: dict | None = None, data: dict | None = None) -> parse.Snapshot:
    """A collector reply: ``entries`` {path: (type, mode, uid, gid)}; every directory above each is root's 0755."""
    files: dict = {"/etc/passwd": {"st": [F | 0o644, 0, 0, 1, 0, 1], "data": PASSWD},
                   "/etc/group": {"st": [F | 0o644, 0, 0, 1, 0, 2], "data": GROUP}}
    for path in list(entries):
        parts = path.split("/")
        for i in range(1, len(parts)):
            files.setdefault("/".join(parts[:i]) or "/", {"st": [D | 0o755, 0, 0, 1, 0, 3]})
    for path, (kind, mode, uid, gid) in entries.items():
        files[path] = {"st": [kind | mode, uid, gid, 1, 0, 4]}
        if kind == L:
            files[path]["link"] = "x"
    for path, text in (data or {}).items():
        files.setdefault(path, {"st": [F | 0o644, 0, 0, 1, 0, 5]})["data"] = text
    return parse.Snapshot({"files": files, "dirs": dirs or {}, "python": "3.11"})


HOME = parse.PYTHON_HOME
STOCK = {HOME: (D, 0o755, 0, 0), f"{HOME}/lib": (D, 0o755, 0, 0), f"{HOME}/lib64": (L, 0o777, 0, 0),
         "/usr/lib/python3.11/json": (D, 0o755, 0, 0), "/usr/local/lib": (D, 0o755, 0, 0),
         "/etc/ld.so.conf.d/libc.conf": (F, 0o644, 0, 0), "/tmp": (D, 0o1777, 0, 0),
         "/usr/bin/sudo": (F, 0o4755, 0, 0), "/usr/bin/crontab": (F, 0o2755, 0, 42)}
CONF = {"/etc/ld.so.conf": "include /etc/ld.so.conf.d/*.conf\n",
        "/etc/ld.so.conf.d/libc.conf": "# libc default configuration\n/usr/local/lib\n/usr/local/lib/nowhere\n"}
LISTS = {"/var/lib/dpkg/info/sudo.list": "/.\n/usr\n/usr/bin\n/usr/bin/sudo\n",
         "/var/lib/dpkg/info/cron.list": "/bin/crontab\n"}  # a merged-/usr twin: the file is /usr/bin/crontab
DIRS = {"/etc/ld.so.conf.d": ["libc.conf"], "/usr/bin": ["crontab", "sudo"],
        "/var/lib/dpkg/info": ["cron.list", "python3.11.list", "sudo.list"]}


def test_a_stock_load_path_and_packaged_setuid_programs_are_no_findings():
    snap = snapshot(STOCK, DIRS, {**CONF, **LISTS})
    assert parse.load_path(snap, "3.11") == []  # links 0777, a sticky /tmp, a named dir that does not exist: fine
    assert parse.ld_dirs(snap) == (["/usr/local/lib", "/usr/local/lib/nowhere"], [])
    assert [(f["path"], f["state"], f["package"]) for f in parse.privileged_files(snap)] == [
        ("/usr/bin/crontab", "2755 root:shadow", "cron"), ("/usr/bin/sudo", "4755 root:root", "sudo")]


@pytest.mark.parametrize("path, change, area", [
    (f"{HOME}/lib", (D, 0o757, 0, 0), "python-home"),                     # f14: opened to everyone
    (f"{HOME}/lib", (D, 0o755, 1000, 1000), "python-home"),               # owned by the deploy login
    ("/usr/lib/python3.11/json", (D, 0o775, 0, 1000), "standard library"),
    ("/usr/local/lib", (D, 0o775, 0, 1000), "dynamic linker searches"),  # a stock dir, group-writable
    ("/etc/ld.so.conf.d/libc.conf", (F, 0o644, 1000, 1000), "linker's configuration"),
    ("/usr/local/lib/nowhere", (D, 0o755, 1000, 1000), "dynamic linker searches"),  # f26: a named dir
    ("/usr/bin/sudo", (F, 0o4777, 0, 0), "command directory"),
])
def test_anything_on_the_load_path_someone_but_root_may_write_is_named(path, change, area):
    snap = snapshot(dict(STOCK, **{path: change}), DIRS, {**CONF, **LISTS})
    found = parse.load_path(snap, "3.11")
    assert [f["path"].split()[0] for f in found] == [path] and area in found[0]["area"], found


@pytest.mark.parametrize("top", ["/usr/local/lib", "/usr/local/bin"])
def test_a_directory_under_a_search_dir_the_searcher_does_not_read_is_no_finding(top):
    """M7: the linker (and PATH) look one level down by name; /usr/local/lib/nagios (custom Nagios plugins, owned by
    nagios) holds nothing the linker or root's PATH reads, whatever is collected under it."""
    own = {f"{top}/nagios": (D, 0o755, 1000, 0), f"{top}/nagios/plugins": (D, 0o775, 1000, 1000),
           f"{top}/nagios/plugins/check_x": (F, 0o755, 1000, 1000)}
    snap = snapshot(dict(STOCK, **own), dict(DIRS, **{top: ["nagios"]}), {**CONF, **LISTS})
    assert parse.load_path(snap, "3.11") == []


@pytest.mark.parametrize("own, named", [
    ({"/usr/local/lib/libobserve.so.1": (F, 0o755, 1000, 0)}, "/usr/local/lib/libobserve.so.1"),  # its own file
    ({"/usr/local/lib/glibc-hwcaps": (D, 0o755, 0, 0), "/usr/local/lib/glibc-hwcaps/x86-64-v3": (D, 0o755, 1000, 0)},
     "/usr/local/lib/glibc-hwcaps/x86-64-v3"),  # a subdir the linker does search (glibc >= 2.33)
    ({"/usr/local/lib/tls": (D, 0o755, 0, 0), "/usr/local/lib/tls/libz.so.1": (F, 0o666, 0, 0)},
     "/usr/local/lib/tls/libz.so.1"),  # a legacy one (glibc 2.36, Debian 12)
    ({"/usr/local/lib/libz.so.1": (L, 0o777, 0, 0), "/opt/vendor": (D, 0o755, 1000, 0)},
     "/usr/local/lib/libz.so.1 -> /opt/vendor"),  # a link: where it leads
])
def test_what_the_linker_reads_under_its_dirs_someone_else_may_change_is_named(own, named):
    """A file of the dir, a subdir the linker searches (glibc-hwcaps/<level>, the legacy platform ones) and where
    a link of the dir leads, each judged; nothing keys on a name but the linker's own subdirs."""
    snap = snapshot(dict(STOCK, **own), DIRS, {**CONF, **LISTS})
    if "/opt/vendor" in own:
        snap.files["/usr/local/lib/libz.so.1"]["link"] = "/opt/vendor/lib/libz.so.1.3"
    assert [f["path"].rsplit(" ", 2)[0] for f in parse.load_path(snap, "3.11")] == [named]


def test_a_missing_named_dir_under_a_dir_someone_else_owns_is_named():
    snap = snapshot(dict(STOCK, **{"/srv/vendor": (D, 0o755, 1000, 1000)}), DIRS,
                    {**CONF, "/etc/ld.so.conf.d/libc.conf": "/srv/vendor/lib\n", **LISTS})
    assert [f["path"].split()[0] for f in parse.load_path(snap, "3.11")] == ["/srv/vendor"]


def test_an_ld_conf_line_the_gate_does_not_follow_is_named():
    snap = snapshot(STOCK, DIRS, {**CONF, "/etc/ld.so.conf": "include /opt/ld/*.conf\n", **LISTS})
    assert parse.ld_dirs(snap)[1] == ["/etc/ld.so.conf:1: 'include /opt/ld/*.conf'"]


@pytest.mark.parametrize("path, mode, gid, package", [("/usr/local/bin/pyroot", 0o4755, 0, None),  # f12
                                                      ("/usr/sbin/opsh", 0o2755, 42, None),
                                                      ("/usr/bin/python3.11", 0o4755, 0, "python3.11")])
def test_a_setuid_or_setgid_file_is_listed_with_its_bits_and_package(path, mode, gid, package):
    d, name = path.rsplit("/", 1)
    dirs = dict(DIRS, **{d: DIRS.get(d, []) + [name]})
    lists = dict(LISTS, **{"/var/lib/dpkg/info/python3.11.list": "/usr/bin/python3.11\n"})
    snap = snapshot(dict(STOCK, **{path: (F, mode, 0, gid)}), dirs, {**CONF, **lists})
    found = [f for f in parse.privileged_files(snap) if f["path"] == path]
    assert found == [{"path": path, "state": "%04o root:%s" % (mode, "root" if gid == 0 else "shadow"),
                      "package": package, "override": None, "override_by_hand": None, "sha256": None,
                      "unpacked": False}]  # (no ctime recorded: not known)


# ---------------------------------------------------------------- kept releases, by content

def _record(site: Path, dist: str, files: dict[str, bytes]) -> None:
    rows = []
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{rel},sha256={digest},{len(data)}")
    info = site / f"{dist}.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("\n".join(rows + [f"{dist}.dist-info/RECORD,,", "../../../bin/x,,"]) + "\n")


def test_record_check_names_each_missing_and_changed_file(tmp_path):
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    _record(site, "flask-3.0.0", {"flask/__init__.py": b"x = 1\n", "flask/app.py": b"app\n"})
    _record(site, "jinja2-3.1.0", {"jinja2/__init__.py": b"j\n"})
    bounds: list = []
    assert reader.record_check(str(site), bounds) == {"dists": 2, "checked": 3, "missing": [], "changed": [],
                                                      "unrecorded": []}
    (site / "flask" / "app.py").unlink()  # f17's mechanism: a dependency's file gone
    (site / "jinja2" / "__init__.py").write_bytes(b"j\n# hotfix\n")
    with open(site / "flask-3.0.0.dist-info" / "RECORD", "a") as f:
        f.write("../../../../../etc/passwd,sha256=AAAA,1\n")  # the deploy login's data: never read outside
    found = reader.record_check(str(site), bounds)
    assert found["missing"] == ["flask-3.0.0.dist-info: flask/app.py"]
    assert found["changed"] == ["flask-3.0.0.dist-info: ../../../../../etc/passwd (outside the venv: not read)",
                                "jinja2-3.1.0.dist-info: jinja2/__init__.py"]
    assert bounds == []


def outcome(facts, exp):
    try:
        verify("rollback_ready", facts, exp)
        return "pass"
    except NotApplicable as why:
        return f"skip: {why}"
    except AssertionError as failed:
        return f"fail: {str(failed).split(chr(10) + 'assert ')[0]}"


def test_a_kept_release_not_what_was_deployed_fails_one_line_per_release():
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    releases = facts.remote["tree_inventory"]["releases"]
    prev = "20000101T000000Z-00000000"
    python = json.loads(json.dumps(releases[LIVE]["python"]).replace(LIVE, prev))
    releases[prev] = dict(releases[LIVE], python=python, loose=["venv/lib 0755 yourapplication"], loose_count=1,
                          record={"dists": 7, "checked": 400, "missing": ["flask-3.0.0.dist-info: flask/app.py"],
                                  "changed": [], "unrecorded": []})
    msg = outcome(facts, exp)
    lines = [ln for ln in msg.splitlines() if prev in ln]
    assert len(lines) == 1, msg
    assert "1 entry not appuser's or writable by group/others" in lines[0] and "venv/lib 0755 yourapplication" \
        in lines[0] and "1 file its RECORDs list missing: flask-3.0.0.dist-info: flask/app.py" in lines[0], msg
    releases[prev].update(loose=[], loose_count=0, record=dict(releases[prev]["record"], missing=[]))
    assert outcome(facts, exp) == "pass"


def test_a_kept_release_is_compared_with_the_artifact_the_runner_packed_not_its_own_record(tmp_path, monkeypatch):
    """Class: the rollback check's reference is the deploy login's own file (blind5's d23: a kept release patched
    with its RECORD line and SNAPSHOT.json rewritten passed; the rollback served a route dumping SECRET_KEY). The
    reference is the artifact the runner packed (its cache, by sha256); without it: one line in the drift section."""

    from deploytests.verify.drift import report

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # hermetic: the runner's cache is this one
    files = {"lib/python3.11/site-packages/yourapplication/__init__.py": b"app = 1\n",
             "lib/python3.11/site-packages/yourapplication-1.0.dist-info/RECORD": b"yourapplication/__init__.py,,\n"}
    data, sha = _packed(files)
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    releases = facts.remote["tree_inventory"]["releases"]
    prev = f"20000101T000000Z-{sha[:8]}"
    python = json.loads(json.dumps(releases[LIVE]["python"]).replace(LIVE, prev))
    hashes = {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    releases[prev] = dict(releases[LIVE], python=python, loose=[], loose_count=0, since_deploy=[], hashes=hashes)
    facts.remote["tree"]["releases"][prev] = dict(facts.tree["releases"][LIVE], id=prev, artifact_sha256=sha)
    assert outcome(facts, exp) == "pass"  # the runner has no such artifact: said, not failed
    assert facts.notes == [f"releases/{prev}: not compared with its artifact {sha[:12]}: the runner has no artifact "
                           "with that sha256 (packed elsewhere, or its cache cleared); only its own SNAPSHOT.json, "
                           "which the deploy login can rewrite, vouches for it"]
    assert any("not checked: releases/" in ln for ln in report(facts))
    (tmp_path / "cache" / "deploytests" / "artifacts").mkdir(parents=True)
    (tmp_path / "cache" / "deploytests" / "artifacts" / f"renamed-9.9-{sha[:8]}.tar").write_bytes(data)
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    assert outcome(facts, exp) == "pass"  # its files are the artifact's
    patched = dict(hashes, **{n: "0" * 64 for n in hashes})  # the module and its RECORD line rewritten alike
    releases[prev]["hashes"] = dict(patched, **{"lib/python3.11/site-packages/yourapplication/debug.py": "1" * 64})
    msg = outcome(facts, exp)
    assert f"releases/{prev}: 3 files of its venv are not the artifact {sha[:12]} the runner packed " \
           f"(renamed-9.9-{sha[:8]}.tar): changed lib/python3.11/site-packages/yourapplication-1.0.dist-info/RECORD" \
           in msg and "added lib/python3.11/site-packages/yourapplication/debug.py" in msg, msg
    releases[prev]["hashes"] = hashes
    facts.remote["tree"]["releases"][prev]["artifact_sha256"] = "f" * 64  # the record pointed elsewhere
    assert f"its RELEASE.json names artifact ffffffffffff, its id says {sha[:8]}" in outcome(facts, exp)


def test_a_kept_releases_static_files_are_compared_with_the_artifact_whatever_its_record_says(tmp_path,
                                                                                          monkeypatch):
    """blind: prev-snapshot-removed-static-changed: the rollback target's SNAPSHOT.json removed (it then reads
    as a release deployed before that record: only its RECORDs checked, which list no static file) and a static
    file changed: a rollback served what no deploy shipped, and the gate passed. Class: a part of a kept release
    whose only reference is the deploy login's own record. The static dirs ship in the artifact (members
    ``<dir>/<path>``): they are compared with the artifact the runner packed, as the venv is, SNAPSHOT or not.
    Other members: a file added there, one removed, and the SNAPSHOT rewritten to match (still compared)."""


    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    files = {"lib/python3.11/site-packages/yourapplication/__init__.py": b"app = 1\n"}
    static = {"static/app.css": b"body{}\n", "static/js/app.js": b"x()\n"}
    data, sha = _packed(files, static)
    (tmp_path / "cache" / "deploytests" / "artifacts").mkdir(parents=True)
    (tmp_path / "cache" / "deploytests" / "artifacts" / f"yourapplication-1.0-{sha[:8]}.tar").write_bytes(data)
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    releases = facts.remote["tree_inventory"]["releases"]
    prev = f"20000101T000000Z-{sha[:8]}"
    python = json.loads(json.dumps(releases[LIVE]["python"]).replace(LIVE, prev))
    shipped = {n: hashlib.sha256(d).hexdigest() for n, d in static.items()}
    releases[prev] = dict(releases[LIVE], python=python, loose=[], loose_count=0, since_deploy=[],
                          hashes={n: hashlib.sha256(d).hexdigest() for n, d in files.items()}, static=dict(shipped))
    facts.remote["tree"]["releases"][prev] = dict(facts.tree["releases"][LIVE], id=prev, artifact_sha256=sha)
    assert outcome(facts, exp) == "pass"
    for found, said in ((dict(shipped, **{"static/app.css": "0" * 64}), "changed static/app.css"),
                        (dict(shipped, **{"static/evil.html": "1" * 64}), "added static/evil.html"),
                        ({"static/app.css": shipped["static/app.css"]}, "missing static/js/app.js")):
        releases[prev]["static"] = found
        msg = outcome(facts, exp)
        assert f"releases/{prev}: 1 file of its static dirs is not the artifact {sha[:12]} the runner packed: " \
               f"{said}: after a rollback Apache serves them" in msg, msg


def test_the_reader_sends_a_kept_releases_static_files_with_or_without_its_snapshot(tmp_path):
    rel = tmp_path / "releases" / "R"
    (rel / "static").mkdir(parents=True)
    (rel / "static" / "app.css").write_bytes(b"body{}\n")
    (rel / "other.txt").write_bytes(b"x\n")
    tree: dict = {}
    import pwd

    reader.walk_release(str(rel), pwd.getpwuid(os.getuid()).pw_name, [], [], tree=tree)
    assert tree == {"static/app.css": hashlib.sha256(b"body{}\n").hexdigest(),
                    "other.txt": hashlib.sha256(b"x\n").hexdigest()}


def _packed(files: dict[str, bytes], static: dict[str, bytes] | None = None) -> tuple[bytes, str]:
    """An artifact of the example app whose venv tree holds ``files`` (and, with ``static``, a ``static`` dir of
    those members), and its sha256."""
    import io
    import tarfile

    from deploytests.pipeline.artifact import artifact_bytes

    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w") as tar:
        for name, data in files.items():
            tar.addfile(_info(name, data), io.BytesIO(data))
    data = artifact_bytes({"name": "yourapplication", "version": "1.0", "app": "yourapplication",
                           "tree": ["tree/app.tar"], "placeholder": "/x", "python_version": "3.11",
                           **({"static": ["static"]} if static else {})}, [],
                          {"tree/app.tar": inner.getvalue(), **(static or {})})
    return data, hashlib.sha256(data).hexdigest()


def _info(name: str, data: bytes):
    import tarfile

    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info


def test_a_kept_release_whose_config_is_no_longer_kept_fails_even_when_it_is_the_live_ones():
    """Class: a part of a rollback target that the rollback puts back with it, not checked (blind4's c30: with
    ``.configs`` cleaned up, a rollback after a config change ran the old code with the new config and said
    ``ok``). The release's config must be kept as it was; when it is the live release's own too, the rollback
    keeps it in place today, but the next config change needs the copy (a deploy keeps only the new config's)."""
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    releases = facts.remote["tree_inventory"]["releases"]
    prev = "20000101T000000Z-00000000"
    python = json.loads(json.dumps(releases[LIVE]["python"]).replace(LIVE, prev))
    releases[LIVE]["config_sha256"] = "b" * 64
    releases[prev] = dict(releases[LIVE], python=python, loose=[], loose_count=0, config_sha256="a" * 64,
                          config_kept=True)
    assert outcome(facts, exp) == "pass"
    releases[prev]["config_kept"] = False
    msg = outcome(facts, exp)
    assert f"releases/{prev}: the config it started with (sha256 aaaaaaaaaaaa) is no longer kept" in msg, msg
    releases[prev]["config_sha256"] = "b" * 64  # the live release's config: the rollback keeps it in place, but
    msg = outcome(facts, exp)  # the next config change needs the copy (blind round 6: a copy linked to the live one)
    assert f"releases/{prev}: the config it and the live release started with (sha256 bbbbbbbbbbbb) is no longer " \
           f"kept" in msg and "after the next config change" in msg, msg
    releases[prev]["config_kept"] = True
    assert outcome(facts, exp) == "pass"


def test_every_venvs_pyvenv_cfg_adds_nothing_to_what_its_python_loads():
    """Class: a venv's ``pyvenv.cfg`` that puts the system's site-packages (``include-system-site-packages``) or
    another standard library (``home``) on its python's path. It was judged for the daemons' python-home only: a
    kept release's (what a rollback runs) and the live release's (``fab run``, the next rollback
    target) passed. One rule (:func:`promises.pyvenv_problems`) for every venv."""
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    releases = facts.remote["tree_inventory"]["releases"]
    prev = "20000101T000000Z-00000000"
    python = json.loads(json.dumps(releases[LIVE]["python"]).replace(LIVE, prev))
    stock = {"home": "/usr/bin", "include-system-site-packages": "false"}  # what python3 -m venv writes
    releases[prev] = dict(releases[LIVE], python=python, loose=[], loose_count=0, pyvenv=dict(stock))
    assert outcome(facts, exp) == "pass"
    for key, value, said in (("include-system-site-packages", "true", "the system's site-packages"),
                             ("home", "/opt/py/bin", "standard library comes from there")):
        releases[prev]["pyvenv"] = dict(stock, **{key: value})
        msg = outcome(facts, exp)
        assert f"releases/{prev}: venv/pyvenv.cfg: {key} = {value}: " in msg and said in msg, msg
    live = facts.remote["tree"]["live"]
    live["pyvenv"] = dict(stock)
    verify("venv_python", facts, exp)
    live["pyvenv"]["include-system-site-packages"] = "True"
    with pytest.raises(AssertionError, match=r"current/venv/pyvenv.cfg: include-system-site-packages = True"):
        verify("venv_python", facts, exp)
    from deploytests.verify.promises import pyvenv_problems

    assert pyvenv_problems(stock, "x") == [] and pyvenv_problems({}, "x") == []  # (unset: venv's defaults)


def test_the_reader_reads_a_venvs_pyvenv_settings(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.11.2\n")
    assert reader.venv_settings(str(venv)) == {"home": "/usr/bin", "include-system-site-packages": "true"}
    assert reader.venv_settings(str(tmp_path / "none")) == {}


def test_the_reader_says_whether_a_kept_releases_config_is_kept_as_it_was(tmp_path):
    import hashlib

    root = tmp_path / "app"
    (root / "releases" / "r1").mkdir(parents=True)
    (root / "releases" / "r2").mkdir(parents=True)
    (root / ".configs").mkdir()
    old, new = b"SECRET_KEY = 'one'\n", b"SECRET_KEY = 'two'\n"
    for rid, data in (("r1", old), ("r2", new)):
        meta = {"version": "1.0", "entry_point": "app:app", "config_sha256": hashlib.sha256(data).hexdigest()}
        (root / "releases" / rid / "RELEASE.json").write_text(json.dumps(meta))
        (root / ".configs" / hashlib.sha256(data).hexdigest()).write_bytes(data)
    (root / "current").symlink_to(root / "releases" / "r2")
    assert reader.tree_inventory(str(root))["releases"]["r1"]["config_kept"] is True
    (root / ".configs" / hashlib.sha256(old).hexdigest()).write_bytes(b"changed\n")
    assert reader.tree_inventory(str(root))["releases"]["r1"]["config_kept"] is False
    (root / ".configs" / hashlib.sha256(old).hexdigest()).unlink()
    assert reader.tree_inventory(str(root))["releases"]["r1"]["config_kept"] is False
    assert "config_kept" not in reader.tree_inventory(str(root))["releases"]["r2"]  # the live one


def test_may_read_follows_the_mode_bits_of_owner_group_and_others():
    import stat as st_

    def st(mode, uid=1000, gid=1000, kind=st_.S_IFREG):
        return SimpleNamespace(st_mode=kind | mode, st_uid=uid, st_gid=gid)

    assert reader.may_read(st(0o640), 2000, {1000}) and not reader.may_read(st(0o600), 2000, {1000})
    assert reader.may_read(st(0o604), 2000, {3000}) and not reader.may_read(st(0o640), 2000, {3000})
    assert not reader.may_read(st(0o740, kind=st_.S_IFDIR), 2000, {1000})  # read, not enter
    assert reader.may_read(st(0o750, kind=st_.S_IFDIR), 2000, {1000})
    assert not reader.may_read(st(0o077, uid=2000), 2000, {1000})  # the owner's bits decide for the owner


def acl_bytes(*entries):
    """A ``system.posix_acl_access`` value: version 2, then (tag, perm, id) entries."""
    import struct

    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


ANY = 0xFFFFFFFF


def test_may_read_applies_an_access_acl_as_the_kernel_does():
    """Class: who may read is what the kernel decides, not the mode bits alone (an ACL entry closes a kept release
    to the daemons' user while its mode still shows 0755). A named user's entry, a group class none of whose
    matching entries grants, and the mask each deny; a named grant opens."""
    import stat as st_

    def st(mode, uid=1000, gid=1000, kind=st_.S_IFDIR):
        return SimpleNamespace(st_mode=kind | mode, st_uid=uid, st_gid=gid)

    base = [(0x01, 7, ANY), (0x04, 5, ANY), (0x10, 5, ANY), (0x20, 5, ANY)]
    app, app_group = 2000, 3000
    assert reader.may_read(st(0o755), app, {app_group})  # others' r-x, no ACL
    denied_user = acl_bytes(base[0], (0x02, 0, app), *base[1:])
    assert not reader.may_read(st(0o755), app, {app_group}, denied_user)  # setfacl -m u:app:---
    denied_group = acl_bytes(base[0], base[1], (0x08, 0, app_group), *base[2:])
    assert not reader.may_read(st(0o755), app, {app_group}, denied_group)  # setfacl -m g:app:---, others r-x
    masked = acl_bytes(base[0], (0x02, 5, app), base[1], (0x10, 0, ANY), base[3])
    assert not reader.may_read(st(0o705), app, {app_group}, masked)  # the mask takes the named grant away
    granted = acl_bytes(base[0], (0x02, 5, app), base[1], base[2], (0x20, 0, ANY))
    assert reader.may_read(st(0o750, gid=9), app, {app_group}, granted)  # a named grant, others nothing
    assert reader.may_read(st(0o700, uid=app), app, set(), denied_user)  # the owner's bits decide for the owner
    assert reader.may_read(st(0o755), app, {app_group}, b"")


def test_a_kept_release_an_acl_closes_to_the_app_user_is_unreadable(tmp_path, monkeypatch):
    """The walk of a kept release reads each entry's access ACL: one whose ACL denies the app user is named, with
    its mode (which shows the ACL's mask only) and the ACL said."""
    rel = tmp_path / "releases" / "r1"
    (rel / "venv" / "lib").mkdir(parents=True)
    (rel / "venv" / "lib" / "m.py").write_text("x = 1\n")
    for p in (rel, rel / "venv", rel / "venv" / "lib"):
        p.chmod(0o755)
    (rel / "venv" / "lib" / "m.py").chmod(0o644)
    me = os.getuid()
    app = (me + 1) % 60000 or 1
    closed = str(rel / "venv" / "lib" / "m.py")
    deny = acl_bytes((0x01, 6, ANY), (0x02, 0, app), (0x04, 4, ANY), (0x10, 4, ANY), (0x20, 4, ANY))
    monkeypatch.setattr(reader, "access_acl", lambda path: deny if path == closed else b"")
    unreadable: list[str] = []
    reader.walk_release(str(rel), pwd.getpwuid(me).pw_name, [], [], reader=(app, set()), unreadable=unreadable)
    assert unreadable == ["venv/lib/m.py 0644 %s:%s and an ACL closing it to the app user"
                          % (pwd.getpwuid(me).pw_name, grp.getgrgid(os.getgid()).gr_name)]


def test_both_new_rules_are_in_the_closed_world_block():
    assert {"cw_load_path", "cw_setuid"} <= {p.id for p in CLOSED_WORLD}
    assert os.path.basename(reader.__file__) == "reader.py"


def test_one_cause_one_line_a_missing_record_or_python_home_adds_no_second_line():
    """Class: a secondary line of one root cause (blind4's M4). A kept release whose RELEASE.json is not JSON names
    no entry point: release_records says so, and rollback_ready adds no "module '' is not in venv/?". A python-home
    that is not there is the tree check's finding; the load path adds no "(unreadable: not looked at)" for it."""
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    releases = facts.remote["tree_inventory"]["releases"]
    prev = "20000101T000000Z-00000000"
    python = json.loads(json.dumps(releases[LIVE]["python"]).replace(LIVE, prev))
    releases[prev] = dict(releases[LIVE], python=python, loose=[], loose_count=0, module="", module_found=False)
    assert outcome(facts, exp) == "pass"
    releases[prev].update(module="yourapplication")  # a module named and not found stays a finding
    assert "the entry point's module 'yourapplication' is not in venv/" in outcome(facts, exp)
    home_site = f"{HOME}/lib/python3.11/site-packages"
    assert parse.loader_facts(snapshot(STOCK), [], {})["home_entries"] == []  # absent: the tree check names it
    unlistable = snapshot(dict(STOCK, **{f"{HOME}/lib/python3.11": (D, 0o755, 0, 0), home_site: (D, 0o700, 0, 0)}))
    assert parse.loader_facts(unlistable, [], {})["home_entries"] == ["(unreadable: not looked at)"]


def test_the_reader_finds_copies_of_the_config_others_may_read_by_content():
    import tempfile

    with tempfile.TemporaryDirectory() as top:  # (pytest's tmp_path is under a 0700 dir: others reach nothing)
        _copies_found(Path(top))


def _copies_found(tmp_path):
    """Class 7 (d31 and its members): a kept config in ``.configs`` and a copy under any name anywhere in the tree,
    readable by others through directories they may enter, found by sha256 (not by name); the live config itself,
    a file of the same size but other bytes, and a copy behind a directory others may not enter are not."""
    root = tmp_path / "app"
    tmp_path.chmod(0o755)
    (root / ".configs").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "releases" / "r1").mkdir(parents=True)
    (root / "private").mkdir(mode=0o750)
    for d in (root, root / ".configs", root / "shared", root / "releases", root / "releases" / "r1"):
        d.chmod(0o755)
    cfg, old = b"SECRET_KEY = 'new'\n", b"SECRET_KEY = 'old'\n"
    live = root / "shared" / "application.cfg"
    live.write_bytes(cfg)
    kept = root / ".configs" / hashlib.sha256(old).hexdigest()
    kept.write_bytes(old)
    (root / "shared" / "settings.bak").write_bytes(cfg)  # renamed: found by content
    (root / "releases" / "r1" / "x.txt").write_bytes(old)
    (root / "shared" / "same-size").write_bytes(b"SECRET_KEY = 'xyz'\n")
    (root / "private" / "copy").write_bytes(cfg)
    for f in (live, kept, root / "shared" / "settings.bak", root / "releases" / "r1" / "x.txt",
              root / "shared" / "same-size", root / "private" / "copy"):
        f.chmod(0o644)
    found = reader.tree_inventory(str(root), config_path=str(live))["config_copies"]
    assert sorted(c["path"].split("/app/")[1] for c in found) == [
        f".configs/{kept.name}", "releases/r1/x.txt", "shared/settings.bak"], found
    for c in found:
        os.chmod(c["path"], 0o640)
    assert reader.tree_inventory(str(root), config_path=str(live))["config_copies"] == []


def test_a_kept_release_that_is_a_link_is_said_a_link_not_gone(tmp_path):
    """M3 (blind5's d24: the previous release moved away, a link left in releases/): the reader names the link and
    where it leads; the rule says so, not 'gone ... someone removed it'."""
    root = tmp_path / "app"
    (root / "releases" / "r2").mkdir(parents=True)
    (tmp_path / "old" / "r1").mkdir(parents=True)
    (root / "releases" / "r1").symlink_to(tmp_path / "old" / "r1")
    (root / "releases" / "r2" / "RELEASE.json").write_text(json.dumps({"version": "1.0", "entry_point": "a:b"}))
    (root / "current").symlink_to(root / "releases" / "r2")
    assert reader.tree_inventory(str(root))["linked"] == {"r1": str(tmp_path / "old" / "r1")}
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    prev = "20000101T000000Z-00000000"
    facts.remote["tree"]["releases"][LIVE]["previous"] = prev
    facts.remote["tree_inventory"]["linked"] = {prev: "/srv/old-releases/" + prev}
    msg = outcome(facts, exp)
    assert f"releases/{prev}: a link to /srv/old-releases/{prev}, not a directory the deploy made" in msg and \
        "someone removed it" not in msg, msg



def test_a_kept_release_whose_record_is_unread_is_said_so_not_gone(tmp_path):
    """Class (blind7s's r04: the previous release's RELEASE.json rewritten by root 0600; a read error taken for
    absence): the reader names a kept release whose RELEASE.json is there but unread (here another member: a
    directory where the record goes); the rule says what a rollback meets, not 'gone ... someone removed it'."""
    root = tmp_path / "app"
    (root / "releases" / "r1" / "RELEASE.json").mkdir(parents=True)
    (root / "releases" / "r2").mkdir(parents=True)
    (root / "releases" / "r2" / "RELEASE.json").write_text(json.dumps({"version": "1.0", "entry_point": "a:b"}))
    (root / "current").symlink_to(root / "releases" / "r2")
    assert reader.tree_inventory(str(root))["unread"] == {"r1": "RELEASE.json is not a regular file"}
    exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    prev = "20000101T000000Z-00000000"
    facts.remote["tree"]["releases"][LIVE]["previous"] = prev
    facts.remote["tree_inventory"]["unread"] = {prev: "RELEASE.json cannot be read by the deploy login (0600 0:0)"}
    msg = outcome(facts, exp)
    assert f"releases/{prev}: its RELEASE.json cannot be read by the deploy login (0600 0:0): a rollback to it " \
           "cannot read what it would switch to" in msg and "someone removed it" not in msg, msg


def test_a_kept_release_is_judged_by_the_shared_paths_it_was_deployed_with(tmp_path):
    """Adding a shared path (init's advice for Flask's instance folder: ``venv/var/<name>-instance``) failed every
    deploy's gate: each kept release lacks the new link, 'after a rollback the app would use that instead of its
    shared data', and the rollout rolled the deploy back, every time. A rollback runs a kept release with the links
    it was deployed with (its RELEASE.json's settings): those are what it is judged by; a release without that record,
    or with a path that is not a plain relative one, by deploy.toml's."""
    root = tmp_path / "app"
    for rid, paths in (("r1", ["data"]), ("r2", ["data", "venv/var/x-instance"]), ("r0", None), ("r3", ["../x"])):
        (root / "releases" / rid).mkdir(parents=True)
        settings = {} if paths is None else {"settings": {"shared_paths": paths}}
        (root / "releases" / rid / "RELEASE.json").write_text(json.dumps({"version": "1.0", **settings}))
        os.symlink(root / "shared" / "data", root / "releases" / rid / "data")
    (root / "current").symlink_to(root / "releases" / "r2")
    found = reader.tree_inventory(str(root), shared=["data", "venv/var/x-instance"])["releases"]
    assert sorted(found["r1"]["shared"]) == ["data"]
    assert sorted(found["r0"]["shared"]) == sorted(found["r3"]["shared"]) == ["data", "venv/var/x-instance"]
