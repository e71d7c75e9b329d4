"""What Apache and the daemons actually load, and what Apache's configuration does (issue 17, blind round 4's
classes 5 and 9), as pure functions of parsed facts: the stock server of both platforms passes (measured on the
project's Debian 12 and 13 images: ``data/loads-stock.json``); each mechanism fails naming what, where and why
whatever file says it and whatever is allowed; neither keys on a fault's file name, path or port."""

from __future__ import annotations

import copy
import dataclasses
import importlib._bootstrap_external as bootstrap_external
import json
import os
import py_compile
import re
import sys
from pathlib import Path

import pytest
import requests
from stock import outcome, with_stock_loads

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import parse, reader
from deploytests.verify.facts import Facts
from deploytests.verify.promises import CLOSED_WORLD, Expected, _describe

APP = APPS / "yourapplication"
RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())
R = "/var/www/yourapplication"
LIVE = RECORDED["tree"]["current"].split("/")[-1]


def clean_facts(platform: str = "debian12") -> Facts:
    return with_stock_loads(Facts("docker://web-1", remote=copy.deepcopy(RECORDED)), platform)


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APP), "appuser")


def allowing(exp, **kw):
    return dataclasses.replace(exp, allow=Allowances(**kw))


def inv(facts):
    return facts.remote["inventory"]


def failing(facts, exp):
    results = {p.id: outcome(p.id, facts, exp) for p in CLOSED_WORLD}
    return {k: v for k, v in results.items() if v.startswith("fail")}


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_what_a_stock_server_maps_and_compiles_passes(exp, platform):
    facts = clean_facts(platform)
    assert outcome("cw_mapped", facts, exp) == "pass"
    assert outcome("cw_bytecode", facts, exp) == "pass"
    assert failing(facts, exp) == {}


# ---------------------------------------------------------------- mapped files: the kernel's view

def snapshot(maps: dict[int, str], stats: dict[str, list | None], exe="/usr/sbin/apache2") -> parse.Snapshot:
    passwd = "root:x:0:0::/root:/bin/sh\nvendor:x:999:999::/:/usr/sbin/nologin\nwww-data:x:33:33::/:/bin/false\n"
    group = "root:x:0:\nvendor:x:999:\nwww-data:x:33:\n"
    return parse.Snapshot({"files": {"/etc/passwd": {"data": passwd}, "/etc/group": {"data": group}},
                           "proc": {str(pid): {"exe": exe, "maps": m} for pid, m in maps.items()}, "mapped": stats})


DIR, FILE = 0o40755, 0o100644


def test_mapped_files_come_from_the_kernels_maps_with_who_may_change_them():
    maps = ("7f00-7f01 r--p 00000000 00:28 11 /opt/vendor/lib/libz.so.1\n"
            "7f01-7f02 r-xp 00001000 00:28 11 /opt/vendor/lib/libz.so.1\n"
            "7f02-7f03 rw-s 00000000 00:01 12 /dev/zero (deleted)\n"
            "7f03-7f04 r-xp 00000000 00:28 13 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
            "7f04-7f05 r-xp 00000000 00:28 14 /usr/lib/old.so (deleted)\n"
            "7f05-7f06 rw-p 00000000 00:00 0 [heap]\n")
    stats = {"/": [DIR, 0, 0, 0, 0, 1], "/opt": [DIR, 0, 0, 0, 0, 2], "/opt/vendor": [DIR, 999, 999, 0, 0, 3],
             "/opt/vendor/lib": [DIR, 0, 0, 0, 0, 4], "/opt/vendor/lib/libz.so.1": [FILE, 0, 0, 0, 0, 5],
             "/usr": [DIR, 0, 0, 0, 0, 6], "/usr/lib": [DIR, 0, 0, 0, 0, 7],
             "/usr/lib/x86_64-linux-gnu": [DIR, 0, 0, 0, 0, 8], "/usr/lib/x86_64-linux-gnu/libc.so.6": [FILE, 0, 0, 0,
                                                                                                       0, 9],
             "/usr/lib/old.so (deleted)": None}  # (root's lstat of a deleted file's whole name: nothing there)
    found = parse.mapped_files(snapshot({27: maps, 251: maps}, stats))
    assert [m["path"] for m in found] == ["/opt/vendor/lib/libz.so.1", "/usr/lib/x86_64-linux-gnu/libc.so.6"]
    assert found[0]["loose"] == "/opt/vendor 0755 vendor:vendor" and found[0]["pids"] == [27, 251]
    assert found[1]["loose"] is None
    stats["/opt/vendor"] = [DIR, 0, 33, 0, 0, 3]  # root's, but Apache's workers' group may write it
    stats["/opt/vendor"][0] |= 0o020
    assert parse.mapped_files(snapshot({27: maps}, stats))[0]["loose"] == "/opt/vendor 0775 root:www-data"
    stats["/opt/vendor"] = None  # not looked at: not known to be root's
    assert parse.mapped_files(snapshot({27: maps}, stats))[0]["loose"] == "/opt/vendor (not looked at)"
    assert parse.mapped_files(snapshot({27: None}, stats)) is None  # maps not readable: not "nothing mapped"
    assert parse.mapped_files(snapshot({27: maps}, stats, exe="/usr/bin/python3.11")) is None  # not Apache's


def test_what_is_mapped_is_judged_by_who_may_name_it_never_by_words_its_name_may_hold(exp):
    """Class: a mapping left out by the text of its name, which its mapper chooses in part (the kernel adds
    `` (deleted)`` to a file's path, and a file's own name may end so; ``/dev/`` holds ``/dev/shm``, where every user
    makes files; a memfd's name is its maker's). The app's daemon loaded a library from ``/proc/self/fd`` of a
    memfd (``/memfd:librt (deleted)``, code no file holds): every rule passed. Other members: a library the app
    user named ``librt.so (deleted)`` in its data dir (it passed for a package upgrade's), one in ``/dev/shm``
    (exec on a stock server: nothing judged it). Memory is the kernel's name at ``/``; a deleted file is one root
    found gone, in root's directories; a device's memory mapped as data stays no file."""
    data = f"{R}/shared/data"
    maps = ("7f00-7f01 r-xp 00003000 00:01 3504 /memfd:librt (deleted)\n"  # code in memory: a finding
            "7f01-7f02 rw-p 00000000 00:01 3505 /memfd:buffer (deleted)\n"  # data in memory: none
            "7f02-7f03 rw-s 00000000 00:01 12 /dev/zero (deleted)\n"  # Apache's scoreboard: none
            "7f03-7f04 r-xp 00000000 00:1d 40 /dev/shm/librt.so\n"  # code in a file any user makes: judged
            "7f04-7f05 rw-s 00000000 00:1d 41 /dev/shm/psm_1\n"  # shared memory of a pool, data: none
            f"7f05-7f06 r-xp 00000000 00:3a 42 {data}/librt.so (deleted)\n"  # a name ending so: judged
            "7f06-7f07 r-xp 00001000 00:28 14 /usr/lib/old.so (deleted)\n"  # deleted in root's dir: upgrade's
            "7f07-7f08 r-xp 00000000 08:01 43 /tmp/librt.so (deleted)\n")  # deleted from /tmp: anyone's
    stats = {"/": [DIR, 0, 0, 0, 0, 1], "/dev": [DIR, 0, 0, 0, 0, 2], "/dev/shm": [DIR | 0o1777, 0, 0, 0, 0, 3],
             "/dev/shm/librt.so": [FILE, 999, 999, 0, 0, 40], "/var": [DIR, 0, 0, 0, 0, 4],
             "/var/www": [DIR, 0, 0, 0, 0, 5], R: [DIR | 0o2000, 1000, 999, 0, 0, 6], "/usr": [DIR, 0, 0, 0, 0, 7],
             "/usr/lib": [DIR, 0, 0, 0, 0, 8], "/usr/lib/old.so (deleted)": None, "/memfd": None,
             "/tmp": [DIR | 0o1777, 0, 0, 0, 0, 9], "/tmp/librt.so (deleted)": None}
    found = {m["path"]: m for m in parse.mapped_files(snapshot({342: maps}, stats))}
    assert sorted(found) == ["/dev/shm/librt.so", "/memfd:librt (deleted)", "/tmp/librt.so (deleted)",
                             f"{data}/librt.so (deleted)"]
    assert found["/tmp/librt.so (deleted)"]["loose"] == "/tmp (anyone's to write: who made the file deleted since " \
        "is not known)"
    assert found["/memfd:librt (deleted)"]["memory"] and found["/memfd:librt (deleted)"]["code"]
    assert found["/dev/shm/librt.so"]["loose"] == "/dev/shm/librt.so 0644 vendor:vendor"
    assert found[f"{data}/librt.so (deleted)"]["loose"].startswith(f"{R} 2755")
    assert parse.deleted_maps(maps, stats) == ["/usr/lib/old.so"]  # (the loader rule's upgrade: the real one only)
    facts = clean_facts()
    inv(facts)["mapped"].append(found["/memfd:librt (deleted)"])
    msg = failing(facts, exp)
    assert list(msg) == ["cw_mapped"] and "/memfd:librt (deleted) (mapped as code by pid 342): code in memory no " \
        "file on disk holds" in msg["cw_mapped"], msg
    assert outcome("cw_mapped", facts, allowing(exp, mapped=("/memfd:librt (deleted)",))).startswith("fail")


def test_maps_root_could_not_read_are_named_never_judged_empty(exp):
    """Class: a fact not read taken for none. Root without ``CAP_SYS_PTRACE`` (a Docker-in-Docker engine's
    containers) reads Apache's root parent's ``maps`` (its own uid) but not its workers' or the app's daemons': a
    library a daemon loaded at run time from the app user's data dir passed ``cw_mapped`` (the parent's maps were
    read, so the rule ran, on them alone). The children whose maps were not read are named: a skip when nothing
    else was found, one more line when something was."""
    stat = lambda ppid: f"x (apache2) S {ppid} 1 1 0 -1 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 10"  # noqa: E731
    libc = "7f03-7f04 r-xp 00000000 00:28 13 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    snap = snapshot({30: libc}, {})
    snap.raw["proc"].update({"30": dict(snap.raw["proc"]["30"], stat=stat(1)),
                             "344": {"exe": None, "maps": None, "stat": stat(30)},  # a daemon: not read
                             "400": {"exe": None, "maps": None, "stat": stat(1)},  # another's: not Apache's
                             "345": {"exe": None, "maps": None, "stat": stat(30).replace(" S ", " Z ")}})  # gone
    assert parse.maps_unread(snap) == [344]
    facts = clean_facts()
    assert outcome("cw_mapped", facts, exp) == "pass"
    inv(facts)["maps_unread"] = [344]
    assert outcome("cw_mapped", facts, exp) == "skip: root could not read the maps of 1 pid 344 (Apache's " \
        "workers, the app's daemons: no CAP_SYS_PTRACE?): what they load at run time is not judged here"
    inv(facts)["mapped"].append({"path": "/srv/apm/lib/libapm.so", "pids": [27], "package": None,
                                 "loose": "/srv/apm 0755 apm:apm"})
    msg = outcome("cw_mapped", facts, exp)
    assert "/srv/apm/lib/libapm.so" in msg and "root could not read the maps of 1 pid 344" in msg, msg


def test_a_mapped_file_someone_but_root_may_change_fails_the_releases_own_aside(exp):
    facts = clean_facts()
    inv(facts)["mapped"].append({"path": "/srv/apm/lib/libapm.so", "pids": [27, 251], "package": None,
                                 "loose": "/srv/apm 0755 apm:apm"})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_mapped"], msg
    assert "/srv/apm/lib/libapm.so (mapped by pid 27, 251; no installed package ships it): /srv/apm 0755 apm:apm " \
           "may be changed by someone but root" in msg["cw_mapped"]
    assert 'skip_rules = { cw_mapped = "..." }' in msg["cw_mapped"]
    ours = clean_facts()  # a release's own .so (the deploy login's): test_installed_files_match_artifact's
    assert any(m["path"].startswith(f"{R}/releases/") and m["loose"] for m in inv(ours)["mapped"])
    inv(ours)["mapped"] = None
    assert outcome("cw_mapped", ours, exp).startswith("skip: root could not read the maps")


@pytest.mark.parametrize("path", [
    "/usr/local/lib/libz.so.1.99",  # a blind fault: a zlib built by hand in /usr/local/lib, root's, preferred
    "/opt/instantclient/libclntsh.so.21.1",  # another member: a vendor's library on a root's ld.so.conf.d dir
    "/usr/lib/x86_64-linux-gnu/libexpat.so.1.8.99"])  # and one copied among the packages' own libraries
def test_code_mapped_that_no_package_ships_fails_whoever_may_change_it(exp, path):
    """Class (a blind fault): what Apache and the daemons map was judged by who may change it only; a root's
    library no package ships passed (docs: 'not inventoried'), though deny by default says what loads code is
    a package's or ours. Code only: a data file mapped (a locale archive) is no finding."""
    facts = clean_facts()
    inv(facts)["mapped"].append({"path": path, "pids": [27, 251], "package": None, "loose": None, "code": True})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_mapped"] and f"{path} (mapped as code by pid 27, 251): no installed package ships " \
        "it" in msg["cw_mapped"], msg
    inv(facts)["mapped"][-1]["code"] = False
    assert outcome("cw_mapped", facts, exp) == "pass"
    maps = "7f00-7f01 r--p 00000000 00:28 11 /usr/lib/locale/locale-archive\n7f01-7f02 r-xp 00001000 00:28 12 " + path
    assert {m["path"]: m["code"] for m in parse.mapped_files(snapshot({27: maps}, {}))} == {
        "/usr/lib/locale/locale-archive": False, path: True}


def test_code_mapped_that_no_package_ships_is_allowed_pinned_to_the_identity_root_sees(exp):
    """A vendor's library no package ships, mapped by Apache (root's, in root's dirs: only root may change it):
    the line names ``allow_mapped`` pinned to its identity as the root collector's ``lstat`` gives it (mode, owner,
    size, mtime, inode: no gate program hashes what only root sees mapped, and the collectors' inputs stay names);
    the pin holds while the file is that one, and a rewrite (its size, mtime) or a replacement (its inode) ends it:
    the line is back, saying the pin no longer holds. Allowed, a loose one still fails (who may change it)."""
    from deploytests.allowances import Allowances

    path = "/opt/instantclient/libclntsh.so.21.1"
    facts = clean_facts()
    inv(facts)["mapped"].append({"path": path, "pids": [27, 251], "package": None, "loose": None, "code": True})
    facts.raw = parse.Snapshot({"files": {}, "mapped": {path: [FILE, 0, 0, 4096, 1700000000.5, 77]}})  # (root's)
    msg = outcome("cw_mapped", facts, exp)
    pin = re.search(rf'allow_mapped = \["{re.escape(path)} sha256:([0-9a-f]{{64}})"\]', msg)
    assert pin and "review it as root first (sha256sum" in msg, msg
    mine = lambda: dataclasses.replace(exp, allow=Allowances(mapped=(f"{path} sha256:{pin.group(1)}",)))  # noqa: E731
    assert outcome("cw_mapped", facts, mine()) == "pass"
    facts.raw.raw["mapped"][path] = [FILE, 0, 0, 4096, 1700000000.5, 78]  # (replaced: another inode)
    assert "it has changed since" in outcome("cw_mapped", facts, mine())
    facts.raw.raw["mapped"][path] = [FILE, 0, 0, 4096, 1700000000.5, 77]
    inv(facts)["mapped"][-1]["loose"] = "/opt/instantclient 0775 root:ops"
    assert "may be changed by someone but root" in outcome("cw_mapped", facts, mine())


# ---------------------------------------------------------------- bytecode: compiled, compared, never run

def md5sums(tmp_path, monkeypatch, *sources) -> None:
    info = tmp_path / "info"
    info.mkdir()
    (info / "libpython-test.md5sums").write_text("".join(f"{'0' * 32}  {s.as_posix()[1:]}\n" for s in sources))
    monkeypatch.setattr(reader, "DPKG_INFO", str(info))


def pyc_of(src: Path, opt: str = "") -> Path:
    return src.parent / "__pycache__" / f"{src.stem}.{sys.implementation.cache_tag}{opt}.pyc"


def test_bytecode_that_is_not_its_sources_is_found_without_running_it(tmp_path, monkeypatch):
    good, forged, stale, hashed = (tmp_path / f"{n}.py" for n in ("good", "forged", "stale", "hashed"))
    monkeypatch.setattr(sys, "pycache_prefix", None)  # (a server's layout, whatever the runner's PYTHONPYCACHEPREFIX)
    for src in (good, forged, stale, hashed):
        src.write_text(f"import os\nNAME = {src.stem!r}\n")
        py_compile.compile(str(src), doraise=True)
    st = os.stat(forged)  # the same header (its source's mtime and size), other code: Python loads it
    bad = compile("raise SystemExit('ran')\n", str(forged), "exec")
    pyc_of(forged).write_bytes(bootstrap_external._code_to_timestamp_pyc(bad, st.st_mtime, st.st_size))
    pyc_of(stale).write_bytes(bootstrap_external._code_to_timestamp_pyc(bad, st.st_mtime + 7, 1))  # never loaded
    pyc_of(hashed).write_bytes(bootstrap_external._code_to_hash_pyc(bad, b"12345678", checked=False))
    md5sums(tmp_path, monkeypatch, good, forged, stale, hashed)
    assert reader.bytecode(["libpython-*"])["compared"] == 0  # written with their sources: a package's own compile
    monkeypatch.setattr(reader, "PYC_WINDOW", -10)  # as if written well after their sources
    found = reader.bytecode(["libpython-*"])
    assert found["compared"] == 3 and found["bounds"] == []
    assert sorted(f[0] for f in found["forged"]) == sorted(str(pyc_of(s)) for s in (forged, hashed))
    assert reader.bytecode(["other-*"])["checked"] == 0


def test_forged_bytecode_fails_naming_the_pyc_its_source_and_package(exp):
    facts = clean_facts()
    facts.remote["bytecode"]["forged"] = [["/usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc",
                                          "/usr/lib/python3.11/json/__init__.py", "libpython3.11-stdlib"]]
    msg = failing(facts, exp)
    assert list(msg) == ["cw_bytecode"], msg
    assert "/usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc: not what /usr/lib/python3.11/json/" \
           "__init__.py compiles to (libpython3.11-stdlib's module)" in msg["cw_bytecode"]
    facts.remote["bytecode"] = {"checked": 1, "compared": 0, "forged": [], "bounds": ["more than 1 bytes"]}
    assert "more than 1 bytes: not compared" in outcome("cw_bytecode", facts, exp)


# ---------------------------------------------------------------- what Apache's configuration does

def add_apache_text(facts, path, text, *, package=None):
    ap = inv(facts)["apache"]
    ap["includes"].append({"at": "222", "path": path, "depth": 4, "from": "/etc/apache2/apache2.conf"})
    ap["files"][path] = {"real": path, "loose": None, "md5": "0" * 32, "sha256": "0" * 64, "package": package,
                         "dpkg_changed": False, "dpkg_package": package, "mtime": 1.0, "directives": []}
    inv(facts)["texts"].append({"path": path, "text": text})


SITE = "<VirtualHost *:80>\n ServerName {name}\n {line}\n</VirtualHost>\n"


@pytest.mark.parametrize("line,caught", [
    ("DocumentRoot /var/www", True),  # blind4 c02z: Debian's <Directory /var/www/> grants it
    ("Alias /files /var/www/", True),
    ("AliasMatch ^/f/(.*)$ /var/$1", True),
    ("DocumentRoot /var/www/html", False),  # beside the app's tree, not above it
    ("DocumentRoot /srv/docs", False),
    ("DocumentRoot /var", True),  # /var is denied, but /var/www/ (the app's root's nearest) is granted
    ("DocumentRoot /", True),
])
def test_a_site_serving_a_directory_above_the_apps_tree_fails_whatever_is_allowed(exp, line, caught):
    facts = clean_facts()
    path = "/etc/apache2/sites-enabled/zz-docs.conf"
    add_apache_text(facts, path, SITE.format(name="docs.example.com", line=line))
    found = failing(facts, allowing(exp, apache_conf=(path,), sites=("docs.example.com",)))
    assert list(found) == (["cw_served"] if caught else []), found
    if caught:
        assert f"{path}:3: " in found["cw_served"] and f"which holds the app's tree {R}" in found["cw_served"]
        assert "Require all granted at /etc/apache2/apache2.conf:" in found["cw_served"]


def test_a_global_deny_over_the_apps_tree_keeps_a_served_parent_from_reaching_it(exp):
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/sites-enabled/zz-docs.conf",
                    SITE.format(name="docs.example.com", line="DocumentRoot /var/www"))
    add_apache_text(facts, "/etc/apache2/conf-enabled/deny.conf",
                    f"<Directory {R}>\n Require all denied\n</Directory>\n")
    assert outcome("cw_served", facts, exp) == "pass"


@pytest.mark.parametrize("text,what", [
    ("<Directory /srv/share>\n Dav On\n</Directory>\n", "Dav On for /srv/share and no Require of a user"),
    ("<Location /drop>\n Dav On\n Require ip 10.0.0.0/8\n</Location>\n", "Dav On for /drop and no Require of a user"),
    (SITE.format(name="status.example.com", line="WSGIDaemonProcess status user=yourapplication group=yourapplication"
                 " processes=1"), "WSGIDaemonProcess status runs as user=yourapplication (the app's user)"),
    ("WSGIDaemonProcess cron-ui group=appuser\n", "WSGIDaemonProcess cron-ui runs as group=appuser"),
    ("WSGISocketPrefix /tmp/wsgi\n", "WSGISocketPrefix /tmp/wsgi: the daemons' sockets are made in /tmp"),
])
def test_a_handler_that_writes_or_runs_code_for_whoever_asks_fails_whatever_is_allowed(exp, text, what):
    facts = clean_facts()
    path = "/etc/apache2/conf-enabled/ops.conf"
    add_apache_text(facts, path, text)
    found = failing(facts, allowing(exp, apache_conf=(path,), sites=("status.example.com",)))
    assert list(found) == ["cw_handlers"], found
    assert what in found["cw_handlers"], found["cw_handlers"]


@pytest.mark.parametrize("path, text", [
    ("/etc/apache2/conf-enabled/wsgi-tuning.conf", "WSGIRestrictEmbedded On\nWSGILazyInitialization Off\n"),  # w02
    ("/etc/apache2/mods-enabled/wsgi.conf", "<IfModule mod_wsgi.c>\n  WSGILazyInitialization off\n</IfModule>\n")])
def test_python_started_in_apaches_root_parent_fails_whatever_is_allowed(exp, path, text):
    """blind7's w02: an allowed tuning conf with a how-to's 'WSGILazyInitialization Off': the system Python's site
    hooks then ran as root in Apache's parent (shown: a .pth of /usr/local/lib/python3.11/dist-packages ran as uid
    0), and on Debian 13 no daemon started at all. The allowance accounts for the file, not for that."""
    facts = clean_facts()
    add_apache_text(facts, path, text)
    found = failing(facts, allowing(exp, apache_conf=(path,)))
    assert "cw_apache_effects" in found and "WSGILazyInitialization " in found["cw_apache_effects"] and \
        "mod_wsgi starts Python in Apache's root parent" in found["cw_apache_effects"], found


def test_the_login_collector_looks_at_the_directories_apaches_handlers_run_files_from(tmp_path):
    """The rule above judges who may write a <Directory> (or a script alias's target) from the collector's lstat:
    on a real server /srv/media was never looked at, so blind7's w01 passed the gate after its rule existed."""
    from deploytests.verify import collect_login

    media = tmp_path / "media"
    media.mkdir()
    conf = f'<Directory "{media}/">\n Options +ExecCGI\n AddHandler wsgi-script .py\n</Directory>\n' \
           f"WSGIScriptAlias /ops {tmp_path}/ops.wsgi\n"
    tree = tmp_path / "www"  # the app's tree: the deploy login's, never looked at (its links are the login's)
    (tree / "releases" / "r").mkdir(parents=True)
    (tree / "current").symlink_to("releases/r")
    conf += f'<Directory "{tree}/current/static">\n</Directory>\nWSGIScriptAlias / {tree}/application.wsgi\n'
    out = {"files": {"/etc/apache2/conf-available/media.conf": {"data": conf}}, "dirs": {}, "errors": {}}
    (tmp_path / "tools").mkdir()
    out["files"]["/etc/apache2/conf-available/media.conf"]["data"] += f"Alias /tools {tmp_path}/tools\n"
    collect_login.served_dirs(out, str(tree))
    assert out["files"][str(media)]["st"] and str(tmp_path / "ops.wsgi") in out["files"]
    assert out["files"][str(tmp_path / "tools")]["st"]  # an Alias target (attack8: a <Location>'s handler)
    assert not [p for p in out["files"] if p.startswith(str(tree))], out["files"]


def test_a_script_apache_runs_for_whoever_asks_is_roots_alone():
    from deploytests.verify.mechanisms import handler_problems, parse_file

    cfg = load_config(APP)
    text = "WSGIScriptAlias /ops /srv/ops/ops.wsgi\nScriptAlias /cgi-bin/ /srv/cgi/\n"
    directives = parse_file("/etc/apache2/conf-enabled/ops.conf", text)[0]
    loose = {"/srv/ops/ops.wsgi": "/srv/ops 0775 root:ops", "/srv/cgi": "/srv/cgi 0755 appuser:appuser"}.get
    found = handler_problems(directives, cfg, "", {}, {}, loose, lambda d: None, cgi=True)
    assert found == ["/etc/apache2/conf-enabled/ops.conf:1: wsgiscriptalias /ops runs /srv/ops/ops.wsgi: Apache runs "
                     "it for whoever asks, and /srv/ops 0775 root:ops: whoever that is runs code on this host",
                     "/etc/apache2/conf-enabled/ops.conf:2: scriptalias /cgi-bin/ runs /srv/cgi/: Apache runs it for "
                     "whoever asks, and /srv/cgi 0755 appuser:appuser: whoever that is runs code on this host"]
    assert len(handler_problems(directives, cfg, "", {}, {}, loose, lambda d: None, cgi=False)) == 1  # no CGI module


@pytest.mark.parametrize("text, cgi", [
    ("<Directory /srv/media>\n Options +ExecCGI\n AddHandler wsgi-script .py\n</Directory>\n", False),  # w01
    ("<Directory /srv/media/>\n Options Indexes ExecCGI\n AddHandler wsgi-script .wsgi .py\n</Directory>\n", False),
    ("<Directory /srv/media>\n Options +ExecCGI\n SetHandler cgi-script\n</Directory>\n", True)])
def test_a_handler_that_runs_the_files_of_a_directory_others_write_fails(text, cgi):
    """blind7's w01: an allowed uploads conf whose <Directory> (copied from a how-to) maps .py to mod_wsgi with
    ExecCGI, on a dir the app user writes: an uploaded .py ran, shown as the app's uid. The same with cgi-script
    (a CGI module loaded) is the other member; without ExecCGI, or in a root's dir, nothing runs."""
    from deploytests.verify.mechanisms import handler_problems, parse_file

    cfg = load_config(APP)
    directives = parse_file("/etc/apache2/conf-enabled/media.conf", text)[0]
    loose = {"/srv/media": "/srv/media 0755 yourapplication:yourapplication"}.get
    found = handler_problems(directives, cfg, "", {}, {}, loose, lambda d: None, cgi=cgi)
    assert len(found) == 1 and found[0].startswith("/etc/apache2/conf-enabled/media.conf:3: ") and \
        "(with ExecCGI): Apache runs every such file there for whoever asks it by URL, and /srv/media 0755 " \
        "yourapplication:yourapplication" in found[0], found
    assert handler_problems(directives, cfg, "", {}, {}, lambda p: None, lambda d: None, cgi=cgi) == []  # root's
    plain = parse_file("/etc/apache2/conf-enabled/media.conf", text.replace("ExecCGI", "FollowSymLinks"))[0]
    assert handler_problems(plain, cfg, "", {}, {}, loose, lambda d: None, cgi=cgi) == []


@pytest.mark.parametrize("text", [
    "Alias /tools /srv/tools\n<Location /tools>\n SetHandler cgi-script\n Options +ExecCGI\n</Location>\n",  # attack8
    "<VirtualHost *:80>\n DocumentRoot /srv/tools\n AddHandler cgi-script .cgi\n <Directory /srv/tools>\n"
    "  Options +ExecCGI\n </Directory>\n</VirtualHost>\n",  # the handler for a vhost, ExecCGI in its <Directory>
    "AliasMatch ^/t/(.*) /srv/tools/$1\n<LocationMatch ^/t/>\n SetHandler cgi-script\n Options ExecCGI\n"
    "</LocationMatch>\n"])
def test_a_handler_for_urls_runs_the_files_they_map_to_and_others_write_there_fails(text):
    """attack8: the handler rule judged a handler in a <Directory> only: 'Alias /tools /srv/tools' with
    <Location /tools> SetHandler cgi-script (the deploy team's 2775 directory, the conf allowed in writing) ran the
    deploy login's script as www-data for whoever asked, and the gate passed. A handler for URLs (a <Location>,
    <Files>, a vhost's, the server's) runs what they map to: every Alias/AliasMatch target and DocumentRoot is
    judged; the login collector lstats those too."""
    from deploytests.verify.mechanisms import handler_problems, parse_file

    cfg = load_config(APP)
    directives = parse_file("/etc/apache2/conf-enabled/tools.conf", text)[0]
    loose = {"/srv/tools": "/srv/tools 2775 root:deployer"}.get
    found = handler_problems(directives, cfg, "", {}, {}, loose, lambda d: None, cgi=True)
    assert len(found) == 1 and "maps URLs to /srv/tools" in found[0] and \
        ": /srv/tools 2775 root:deployer" in found[0], found
    assert handler_problems(directives, cfg, "", {}, {}, lambda p: None, lambda d: None, cgi=True) == []  # root's
    assert handler_problems(directives, cfg, "", {}, {}, loose, lambda d: None, cgi=False) == []  # no CGI module


@pytest.mark.parametrize("text", [
    "<Location /dav>\n Dav On\n AuthType Basic\n AuthName x\n AuthUserFile /etc/apache2/dav.passwd\n"
    " Require valid-user\n</Location>\n",
    "WSGIDaemonProcess reports user=www-data\n",
    "# WSGISocketPrefix /tmp/wsgi\n",
])
def test_a_handler_with_a_user_required_or_of_nobody_the_gate_watches_passes(exp, text):
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/ops.conf", text)
    assert outcome("cw_handlers", facts, exp) == "pass"


@pytest.mark.parametrize("text,caught", [
    ("CacheEnable disk /\nCacheIgnoreNoLastMod On\n", "cacheenable disk /: in force for the app's site: a cache"),
    ("<Location />\n CacheEnable socache\n</Location>\n", "cacheenable socache: in force"),
    ("ProxyPass /api http://127.0.0.1:9000/\n", "proxypass /api http://127.0.0.1:9000/: in force"),
    ("Alias /health /var/www/html/health.txt\n", "takes /health (what the deploy's health gate asks)"),
    ("RedirectMatch 302 ^/(.*)$ https://maintenance.example.com/\n", "takes /health"),
    ("<Location /health>\n SetHandler server-status\n</Location>\n", "takes /health"),
    ("<Directory /var/www>\n RewriteEngine On\n RewriteRule ^ - [E=x:1]\n</Directory>\n", "rewriterule ^ - [E=x:1]"),
    (SITE.format(name="other.example.com", line="CacheEnable disk /"), None),  # another site's
    ("ProxyPass /api !\n", None),
    # blind9's h01 (shown: the runner read a loopback-only service through port 80), and inside a vhost of the app
    ("ProxyRequests On\nProxyVia On\n", "proxyrequests On: in force for the app's site: Apache is a forward proxy"),
    (SITE.format(name="localhost", line="ProxyRequests on"), "proxyrequests on: in force for the app's site"),
    ("ProxyRequests Off\n", None),
    ("Alias /docs /usr/share/doc\n", None),  # beside the app's URLs the deploy relies on
    ("<Location /server-status>\n SetHandler server-status\n Require local\n</Location>\n", None),
])
def test_what_stands_between_clients_and_the_app_fails_whatever_is_allowed(exp, text, caught):
    facts = clean_facts()
    path = "/etc/apache2/conf-enabled/speed.conf"
    add_apache_text(facts, path, text)
    found = outcome("cw_in_front", facts, allowing(exp, apache_conf=(path,)))
    assert (caught in found and found.startswith("fail")) if caught else found == "pass", found


def test_a_stock_file_as_shipped_is_not_judged_for_what_stands_in_front(exp):
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/cache.conf", "CacheEnable disk /\n", package="apache2")
    assert outcome("cw_in_front", facts, exp) == "pass"


# ---------------------------------------------------------------- the messages of blind4 (M1, M3, M5)

def test_configtest_not_run_is_the_apache_files_rules_one_failure(exp):
    """M1: root did not run apache2ctl (the login's look said no): one failure, the file rule's."""
    facts = clean_facts()
    why = "not run as root: /etc/apache2/conf-enabled may be changed by someone other than root"
    facts.remote["configtest"] = {"rc": None, "stderr": why, "modules": []}
    inv(facts)["apache"]["refused"] = why
    assert outcome("configtest", facts, exp).startswith("skip: /usr/sbin/apache2ctl configtest was not run: "
                                                        "not run as root: ")
    assert "test_every_apache_file_is_accounted_for" in outcome("configtest", facts, exp)
    assert outcome("cw_apache_files", facts, exp).startswith("fail: Apache's configuration was not run as root")
    switched = allowing(exp, skip_rules={"cw_apache_files": "by hand"})
    assert outcome("configtest", facts, switched).startswith("fail")  # never both silent


def with_responses(facts, host="127.0.0.1"):
    resp = requests.Response()
    resp.status_code, resp._content, resp.url = 200, b"ok", f"http://{host}:8080/health"
    facts.responses = {"/health": resp, "/": resp}
    return facts


def test_another_site_taking_the_default_vhost_is_one_line_naming_it(exp):
    """M3: a site sorting before the app's became Apache's default virtual host; the runner's requests (by address)
    reach it: one line naming it, and the checks of the app over HTTP skip naming that root failure."""
    facts = with_responses(clean_facts())
    path = "/etc/apache2/sites-enabled/intranet.conf"
    inv(facts)["apache"]["vhosts"] = [
        {"name": "intranet.example.com", "file": path, "line": 1,
         "shown": f"port 80 namevhost intranet.example.com ({path}:1)"},
        {"name": "localhost", "file": "/etc/apache2/sites-enabled/yourapplication.conf", "line": 2,
         "shown": "port 80 namevhost localhost (/etc/apache2/sites-enabled/yourapplication.conf:2)"}]
    add_apache_text(facts, path, SITE.format(name="intranet.example.com", line="DocumentRoot /srv/intranet"))
    allowed = allowing(exp, apache_conf=(path,), sites=("intranet.example.com",))
    found = outcome("cw_vhosts", facts, allowed)
    assert found.startswith("fail") and f"intranet.example.com at {path}:1 is Apache's default virtual host for " \
                                       "port 80" in found, found
    for check in ("health", "homepage", "serves", "private", "sec_status"):
        said = outcome(check, facts, allowed)
        assert said.startswith("skip: the runner's requests reach intranet.example.com") and \
            "test_every_vhost_is_accounted_for" in said, (check, said)
    named = with_responses(copy.deepcopy(facts), host="localhost")  # the runner names the app: no matter
    assert outcome("cw_vhosts", named, allowed) == "pass"


def test_a_linked_dir_shows_what_it_leads_to(exp, tmp_path):
    """M5: the risk of a shared dir replaced by a link is its target's mode and owner."""
    target = tmp_path / "appdata"
    target.mkdir()
    target.chmod(0o777)
    (tmp_path / "data").symlink_to(target)
    st = reader.lstat_facts(str(tmp_path / "data"))
    assert st["kind"] == "symbolic link" and st["resolved"].startswith("directory 0777 ")
    shown = _describe(f"{R}/shared/data", dict(st, mode="0777", owner="appuser", group="appuser"))
    assert shown.endswith(f" -> {target} ({st['resolved']})")


def test_root_resolves_no_name_another_user_made_when_it_looks_at_mapped_files(tmp_path):
    """rootcut's review: root's ``lstat`` of a mapped path resolved every directory above it, links another user
    made included (a FUSE or automount path could hold root's collector, a link shows root what lies behind it).
    Class: root following a name a less trusted party made. It walks from ``/`` down and stops at the first link
    or directory someone but root may change; the rule names that one."""
    from deploytests.verify import collect_root

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "lib").symlink_to("/usr/lib")
    out = {"proc": {"1": {"maps": f"7f00-7f01 r-xp 0 08:01 1 {mine}/lib/x86_64-linux-gnu/libc.so.6\n"}},
           "mapped": {}, "errors": {}, "files": {}, "size": 0}
    os.chmod(mine, 0o777)
    collect_root.mapped(out)
    assert not any(p.startswith(f"{mine}/lib/") for p in out["mapped"]), out["mapped"]  # never through the link


ACME = ("Alias /.well-known/acme-challenge/ /var/www/acme/.well-known/acme-challenge/\n"
        "<Directory /var/www/acme/.well-known/acme-challenge>\n Require all granted\n</Directory>\n")


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
@pytest.mark.parametrize("text, owner, caught", [
    # blind9's k06: certbot's webroot, the directory www-data's so a renewal hook running as www-data writes it
    (ACME, 33, "alias /.well-known/acme-challenge/ /var/www/acme/.well-known/acme-challenge/: serves "
               "/var/www/acme/.well-known/acme-challenge on every site"),
    # other members: a server-wide downloads Alias to another account's directory; a DocumentRoot outside any vhost
    ("Alias /downloads /srv/ftp/pub\n<Directory /srv/ftp/pub>\n Require all granted\n</Directory>\n", 1001,
     "alias /downloads /srv/ftp/pub: serves /srv/ftp/pub on every site"),
    ("DocumentRoot /var/www/acme/.well-known/acme-challenge\n", 33, "documentroot"),
    # mod_userdir's stock conf once enabled: every local user's public_html on the app's origin
    ("UserDir public_html\nUserDir disabled root\n<Directory /home/*/public_html>\n Require all granted\n"
     "</Directory>\n", 0, "UserDir public_html: every local user's public_html is served on every site"),
    # passes: root's directory; another user's directory the most specific <Directory> denies; a vhost's own
    (ACME, 0, None),
    ("Alias /downloads /srv/ftp/pub\n<Directory /srv/ftp/pub>\n Require all denied\n</Directory>\n", 1001, None),
    (SITE.format(name="blog.example.com", line="DocumentRoot /var/www/acme/.well-known/acme-challenge"), 33, None),
])
def test_what_apache_serves_on_every_site_from_a_directory_others_write_fails_whatever_is_allowed(
        exp, platform, text, owner, caught):
    """blind9's k06: an allowed acme.conf (``Alias /.well-known/acme-challenge/`` server-wide, so on the app's site
    too) to a directory Apache's user may write: anything running as www-data (another site's code, a module)
    served its own HTML on the app's origin, and the gate passed. What Apache serves on every site is judged by who
    may write the directory it maps (the login collector lstats each one from / down), whatever is allowed."""
    from test_root_reach import host

    facts = host(platform, files={p: (0o40755, owner, None) for p in (
        "/var/www/acme", "/var/www/acme/.well-known", "/var/www/acme/.well-known/acme-challenge", "/srv/ftp",
        "/srv/ftp/pub")})
    for p in ("/var/www/acme/.well-known/acme-challenge", "/srv/ftp/pub"):
        facts.raw.files[p]["st"][0] = 0o40755
    path = "/etc/apache2/conf-enabled/acme.conf"
    add_apache_text(facts, path, text)
    facts.raw.files[path] = {"st": [0o100644, 0, 0, len(text), 0, 9], "data": text}
    found = outcome("cw_served", facts, allowing(exp, apache_conf=(path,), sites=("blog.example.com",)))
    if caught:
        assert found.startswith("fail: ") and caught in found and f"{path}:1: " in found, found
        assert "served on the app's origin" in found, found
    else:
        assert found == "pass", found


def test_root_looks_at_every_processs_program_whatever_its_title(tmp_path):
    """A root daemon whose program lies in a directory the deploy login may write, and which set its own title
    (``exec -a 'agentd: worker'``, ``setproctitle``), named no path on its command line: nothing looked at its
    program, and the gate passed. The root collector lstats every process's program (the kernel's exe)."""
    from deploytests.verify import collect_root

    exe = tmp_path / "vendor" / "agentd"
    exe.parent.mkdir()
    exe.write_bytes(b"\x7fELF")
    out = {"proc": {"1816": {"exe": str(exe), "cmdline": "agentd: worker\x009000\x00"}}, "mapped": {}, "errors": {},
           "files": {}, "size": 0}
    collect_root.mapped(out)
    assert str(exe.parent) in out["mapped"], sorted(out["mapped"])


def test_an_allowed_mapped_files_pin_ends_with_a_rewrite_in_place_whose_mtime_was_set_back(exp, tmp_path):
    """Class: an identity pin that a change can keep. ``allow_mapped`` was pinned to mode, owner, size, mtime and
    inode: root rewriting the library in place (same size, same inode) and setting its mtime back (``touch -d``)
    kept the pin. The root collector's ``mapped`` now gives the ``ctime`` too (the kernel sets it at every write,
    chmod and rename, and no one sets it back), and the pin covers it. What the other rules read of ``mapped``
    is unchanged: the view of root's files takes its first six fields. Other member: a ``chmod`` and back."""
    from deploytests.allowances import Allowances
    from deploytests.verify import collect_root, rootacts

    lib = tmp_path / "libvendor.so.1"
    lib.write_bytes(b"\x7fELF" + b"\0" * 60)
    out = {"proc": {"7": {"exe": None, "maps": None, "environ": f"LD_PRELOAD={lib}"}}, "errors": {}, "mapped": {},
           "files": {}, "size": 0}
    collect_root.mapped(out)
    st = os.lstat(lib)
    assert out["mapped"][str(lib)] == [st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime, st.st_ino,
                                       st.st_ctime], out["mapped"][str(lib)]
    path = "/opt/vendor/libvendor.so.1"
    facts = clean_facts()
    inv(facts)["mapped"].append({"path": path, "pids": [27], "package": None, "loose": None, "code": True})
    facts.raw = parse.Snapshot({"files": {}, "mapped": {path: [FILE, 0, 0, 4096, 1700000000.5, 77, 1700000000.5]}})
    assert rootacts.view(facts.raw).st(path) == [FILE, 0, 0, 4096, 1700000000.5, 77]  # (the rules' view: as before)
    pin = re.search(rf'allow_mapped = \["{re.escape(path)} sha256:([0-9a-f]{{64}})"\]', outcome("cw_mapped", facts,
                                                                                                exp)).group(1)
    mine = dataclasses.replace(exp, allow=Allowances(mapped=(f"{path} sha256:{pin}",)))
    assert outcome("cw_mapped", facts, mine) == "pass"
    for ctime in (1700000999.25, 1700001234.0):  # rewritten in place, mtime set back; chmod'ed and back
        facts.raw.raw["mapped"][path] = [FILE, 0, 0, 4096, 1700000000.5, 77, ctime]
        assert "it has changed since" in outcome("cw_mapped", facts, mine)
