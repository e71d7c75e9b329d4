"""Classes a blind fault set found the gate missing, as pure functions of parsed facts (blind round 14):

- Apache's configuration in force is not what is on disk: a file removed without a reload keeps its lines in
  force (an ``Alias`` serving the tree, ``WSGIScriptReloading Off``), unseen by every check that reads the files
  (dated by Apache's pid file, which it writes at every start and graceful restart);
- a root job's copy of the host's secrets others may read; the linker's cache naming directories its configuration
  does not; logs holding every request's credentials; mod_wsgi directives changing how the daemons run the release;
  a release record changed after its deploy; a process running a program from a directory everyone writes; sudo
  Defaults lines that repeat what is in force (each class below, with the faults that found it).
"""

from __future__ import annotations

import copy
import errno
import json
import os
import shlex
from pathlib import Path

import pytest
from stock import outcome, with_stock_logins

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_login as C
from deploytests.verify.facts import Facts
from deploytests.verify.promises import Expected

PIDFILE = "/run/apache2/apache2.pid"  # (collect_login.PIDFILE spelled out: this file runs on the code before it too)
APP = APPS / "yourapplication"
RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APP), "appuser")


def loaded_at(facts, when: float, pid: int | None = None):
    """``facts`` whose Apache wrote its pid file (the running root parent's pid unless ``pid``) at ``when``."""
    parent = next(p["pid"] for p in facts.remote["apache"] if p["user"] == "root")
    facts.raw.files[PIDFILE] = {"st": [0o100644, 0, 0, 3, when, 1, when], "data": f"{pid or parent}\n"}
    return facts


def clean(platform: str = "debian12"):
    facts = with_stock_logins(Facts("docker://web-1", remote=copy.deepcopy(RECORDED)), platform)
    files = facts.remote["inventory"]["apache"]["files"]
    newest = max(f["mtime"] or 0 for f in files.values())
    for d in {p.rsplit("/", 1)[0] for p in files} - {C.SERVER_ROOT}:  # the dirs its Includes read, as made then
        facts.raw.files[d] = {"st": [0o40755, 0, 0, 4096, newest, 2, newest]}
    return loaded_at(facts, newest + 5)


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_a_server_whose_apache_loaded_its_files_after_they_changed_passes(exp, platform):
    assert outcome("cw_in_force", clean(platform), exp) == "pass"


def test_a_conf_removed_without_a_reload_fails_by_its_directory(exp):
    """b14-inforce-alias-releases: a conf with an Alias of releases/, a2enconf, graceful, a2disconf and rm: the
    files on disk are stock again; only conf-enabled's ctime says something left after Apache loaded it."""
    facts = clean()
    when = facts.raw.files[PIDFILE]["st"][4] + 30
    facts.raw.files[C.SERVER_ROOT + "/conf-enabled"]["st"][6] = when
    got = outcome("cw_in_force", facts, exp)
    assert got.startswith("fail: Apache's configuration on disk is not the one in force"), got
    assert f"{C.SERVER_ROOT}/conf-enabled changed at " in got and "a file of it was removed, added or renamed" in got


def test_a_file_put_back_without_a_reload_fails_by_its_ctime(exp):
    """Another member: the app's vhost edited (WSGIScriptReloading Off), reloaded, then its backup copied back
    with cp -p (content and mtime as bootstrap wrote them): its ctime is after the pid file's."""
    facts = clean()
    vhost = next(p for p in facts.remote["inventory"]["apache"]["files"] if p.endswith("/yourapplication.conf"))
    facts.remote["inventory"]["apache"]["files"][vhost]["mtime"] = facts.raw.files[PIDFILE]["st"][4] + 1
    got = outcome("cw_in_force", facts, exp)
    assert got.startswith("fail: ") and vhost in got, got


@pytest.mark.parametrize("include,emptied", [("IncludeOptional /etc/apache2/custom/*.conf", "/etc/apache2/custom"),
                                             ("Include custom.d/", "/etc/apache2/custom.d"),
                                             # a wildcard in a directory's name: each directory it matches
                                             ("IncludeOptional vhosts/*/conf/*.conf", "/etc/apache2/vhosts/a/conf")])
def test_the_last_file_removed_from_a_directory_an_include_reads_fails_by_that_directory(exp, include, emptied):
    """An admin's conf (allowed) with 'IncludeOptional /etc/apache2/custom/*.conf'; custom/leak.conf aliased /etc,
    graceful, then rm (no reload): Apache served /etc on the lab while the gate passed, since only the
    directories of the files there now were dated, and custom/ held none. Every directory an Include reads is."""
    facts = clean()
    when = facts.raw.files[PIDFILE]["st"][4]
    conf = C.SERVER_ROOT + "/conf-enabled/custom.conf"
    facts.remote["inventory"]["apache"]["files"][conf] = {"real": conf, "mtime": when - 60, "loose": None}
    facts.raw.files[conf] = {"st": [0o100644, 0, 0, 50, when - 60, 9, when - 60], "data": include + "\n"}
    facts.raw.files[emptied] = {"st": [0o40755, 0, 0, 4096, when + 30, 10, when + 30]}
    facts.raw.dirs.update({"/etc/apache2/vhosts": ["a", "README"], "/etc/apache2/vhosts/a": ["conf"]})
    facts.raw.files["/etc/apache2/vhosts/README"] = {"st": [0o100644, 0, 0, 9, when + 30, 11, when + 30]}
    got = outcome("cw_in_force", facts, exp)
    assert f"{emptied} changed at " in got and "a file of it was removed, added or renamed" in got, got
    facts.raw.files[emptied]["st"][6] = when - 60
    assert outcome("cw_in_force", facts, exp) == "pass"


def included(include: str, dirs: dict[str, list[str]], changed: str):
    """Clean facts with an admin's conf holding ``include``, the directories ``dirs`` (root's), ``changed`` (one of
    them) changed after Apache's last load."""
    facts = clean()
    when = facts.raw.files[PIDFILE]["st"][4]
    conf = C.SERVER_ROOT + "/conf-enabled/custom.conf"
    facts.remote["inventory"]["apache"]["files"][conf] = {"real": conf, "mtime": when - 60, "loose": None}
    facts.raw.files[conf] = {"st": [0o100644, 0, 0, 50, when - 60, 9, when - 60], "data": include + "\n"}
    for d in {*dirs, *(f"{d}/{n}" for d, ns in dirs.items() for n in ns)}:
        facts.raw.files[d] = {"st": [0o40755, 0, 0, 4096, when - 60, 10, when + 30 if d == changed else when - 60]}
    facts.raw.dirs.update(dirs)
    return facts


@pytest.mark.parametrize("include,dirs,emptied", [
    ("Include custom.d/", {"/etc/apache2/custom.d": ["sub"], "/etc/apache2/custom.d/sub": []},
     "/etc/apache2/custom.d/sub"),
    ("IncludeOptional conf.d/*.conf", {"/etc/apache2/conf.d": ["x.conf"], "/etc/apache2/conf.d/x.conf": ["deep"],
                                       "/etc/apache2/conf.d/x.conf/deep": []}, "/etc/apache2/conf.d/x.conf/deep")])
def test_a_directory_apache_reads_whole_is_dated_with_every_directory_below_it(exp, include, dirs, emptied):
    """Class: the gate's reading of Apache's configuration differs from Apache's. Apache reads a
    directory an Include names whole, or one its glob's last part matches, with every directory below it, in turn;
    the dating took only the directory itself, so the last file removed from a subdirectory (no reload) stayed in
    force, undated."""
    got = outcome("cw_in_force", included(include, dirs, emptied), exp)
    assert f"{emptied} changed at " in got and "a file of it was removed, added or renamed" in got, got
    assert outcome("cw_in_force", included(include, dirs, ""), exp) == "pass"


@pytest.mark.parametrize("include", ["IncludeOptional \\\n    /etc/apache2/custom/*.conf",
                                     "IncludeOptional ${CUSTOM_DIR}/*.conf",
                                     'Include "/etc/apache2/my custom/*.conf"'])
def test_an_include_line_read_otherwise_than_apache_does_is_named_not_passed_over(exp, include):
    """The dating read Include lines by a pattern of its own: a continued line (its word taken for
    ``\\``), a ``${variable}`` (skipped) and a quoted path with a blank (cut at the blank) left the directory Apache
    reads undated, while the login collector's verdict reads them otherwise. One reading now (``named``): what it
    cannot read as Apache does is a line naming the file, never passed over."""
    got = outcome("cw_in_force", included(include, {"/etc/apache2/custom": []}, "/etc/apache2/custom"), exp)
    assert "conf-enabled/custom.conf: " in got and "Apache may read this line otherwise" in got and \
        "are not dated" in got, got


def test_a_pid_file_of_another_process_dates_nothing(exp):
    """A pid file that does not name the running root parent (a stale one, someone else's) dates nothing: the
    oldest of Apache's children does, as before."""
    facts = loaded_at(clean(), 4e9, pid=4242)  # (far in the future: it would hide every change)
    kids = min(p["started"] for p in facts.remote["inventory"]["processes"] if p["ppid"] in
               {q["pid"] for q in facts.remote["apache"] if q["user"] == "root"} and p.get("started"))
    facts.raw.files[C.SERVER_ROOT + "/conf-enabled"]["st"][6] = kids + 30
    assert f"{C.SERVER_ROOT}/conf-enabled changed at" in outcome("cw_in_force", facts, exp)


# Class: a change made during a reload, dated against the wrong instant. Apache reads its files after the restart
# signal and writes its pid file after reading them (Debian 12, measured: the signal logged at .092, the pid file
# at .490): a file changed in between was dated before the pid file, so "in force", though Apache may have read it
# before the change. The load's start is now the last restart signal Apache's root parent logged (before it reads
# anything), else, for a first load, the parent's start; a change after it and before the pid file is one line.
def signalled(facts, *stamps: float, zone: str = "Etc/UTC", pid: int | None = None):
    """``facts`` whose Apache error log holds a restart signal line of the root parent (or ``pid``) at each of
    ``stamps`` (epoch), in the server's local time of ``zone`` (``/etc/localtime``'s link)."""
    import datetime as dt
    import zoneinfo

    from deploytests.verify import collect_root as R

    parent = pid or next(p["pid"] for p in facts.remote["apache"] if p["user"] == "root")
    lines = ""
    for t in stamps:
        local = dt.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(zone))
        lines += (f"[{local.strftime('%a %b %d %H:%M:%S.%f %Y')}] [mpm_event:notice] [pid {parent}:tid {parent}] "
                  f"AH00493: SIGUSR1 received.  Doing graceful restart\n")
    facts.raw.files[R.ERROR_LOG] = {"st": [0o100640, 0, 4, len(lines), stamps[-1], 3, stamps[-1]], "data": lines}
    facts.raw.files["/etc/localtime"] = {"st": [0o120777, 0, 0, 20, 0, 4, 0], "link": f"/usr/share/zoneinfo/{zone}"}
    return facts


def vhost_changed(facts, when: float):
    vhost = next(p for p in facts.remote["inventory"]["apache"]["files"] if p.endswith("/yourapplication.conf"))
    facts.remote["inventory"]["apache"]["files"][vhost]["mtime"] = when
    return vhost


@pytest.mark.parametrize("zone", ["Etc/UTC", "Europe/Berlin", "America/St_Johns"])
def test_a_file_changed_after_the_reload_began_and_before_its_pid_file_fails(exp, zone):
    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    vhost = vhost_changed(signalled(facts, pid - 0.4, zone=zone), pid - 0.2)
    got = outcome("cw_in_force", facts, exp)
    assert got.startswith("fail: ") and f"{vhost} changed at " in got and "while Apache was loading" in got, got


def test_a_zone_set_after_apaches_start_does_not_date_its_logs_lines(exp):
    """Class: a log's local time read in a zone other than the one it was written in (dpkg's log, the same
    round). Apache's parent reads the zone once, at its start: the admin's zone set later (Europe/Berlin after
    UTC) read its restart signal an hour early, so an ordinary edit then graceful was "changed while Apache was
    loading" on a parent older than that hour. A zone set after the parent's start: the load's start is not
    known (the window unjudged, as for a first load); set before it, its lines are read in it (another member:
    a zone west of UTC, whose misread line was later than the pid file and dropped, now judged when known)."""
    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    parent = next(p for p in facts.remote["apache"] if p["user"] == "root")
    parent["started"] = pid - 7200
    vhost_changed(signalled(facts, pid - 0.4), pid - 0.6)  # (Apache writes UTC, its zone at its start)
    facts.raw.files["/etc/localtime"] = {"st": [0o120777, 0, 0, 20, 0, 4, pid - 3000],
                                         "link": "/usr/share/zoneinfo/Europe/Berlin"}  # (set since)
    assert outcome("cw_in_force", facts, exp) == "pass"
    vhost_changed(signalled(facts, pid - 0.4, zone="America/St_Johns"), pid - 0.2)
    facts.raw.files["/etc/localtime"]["st"][6] = pid - 8000  # (its zone before its start: its lines' zone)
    got = outcome("cw_in_force", facts, exp)
    assert "while Apache was loading" in got, got


def test_a_directory_changed_during_the_reload_fails(exp):
    """Another member: a conf removed from conf-enabled in the window (only the directory's ctime says so)."""
    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    signalled(facts, pid - 0.4)
    facts.raw.files[C.SERVER_ROOT + "/conf-enabled"]["st"][6] = pid - 0.1
    got = outcome("cw_in_force", facts, exp)
    assert f"{C.SERVER_ROOT}/conf-enabled changed at " in got and "while Apache was loading" in got, got


def test_an_edit_then_graceful_passes_and_a_forged_earlier_signal_moves_nothing(exp):
    """The admin's ordinary edit, then apache2ctl graceful (its configtest runs first: the edit is before the
    signal); a signal line the app writes into the log (its stderr) with an earlier time is not the last one."""
    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    vhost_changed(signalled(facts, pid - 30, pid - 0.4), pid - 0.6)
    assert outcome("cw_in_force", facts, exp) == "pass"


def test_a_first_load_is_dated_from_the_parents_start_and_an_unknown_reload_start_judges_no_window(exp):
    """No signal line of this parent (a first start): the load's start is not known (a start the kernel dates by
    its tick cannot tell a file written just before it, as bootstrap's are), and the window stays unjudged, as
    before (no false alarm); a change after the pid file is still a line."""
    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    parent = next(p for p in facts.remote["apache"] if p["user"] == "root")
    parent["started"] = pid - 0.5
    vhost_changed(facts, pid - 0.2)
    assert outcome("cw_in_force", facts, exp) == "pass"
    vhost_changed(facts, pid + 1)
    assert "after Apache last loaded" in outcome("cw_in_force", facts, exp)



def test_a_reload_logrotate_made_is_dated_from_the_rotated_logs_signal_line_not_from_a_busy_logs(exp):
    """logrotate renames error.log, then reloads Apache, which logs its restart signal to the file it has open, the
    renamed error.log.1 (Debian's delaycompress keeps it plain; measured on Debian 12: the new error.log begins with
    the load's own lines): the window of the most common reload was not judged. Class: the evidence of a load's start
    looked for in one file only. The root collector sends error.log.1's tail too; it is read only when error.log,
    sent whole, holds no signal line (a busier log's older line in error.log.1 would date an earlier reload)."""
    from deploytests.verify import collect_root as R

    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    vhost_changed(signalled(facts, pid - 0.4), pid - 0.2)
    facts.raw.files[R.ERROR_LOG + ".1"] = facts.raw.files.pop(R.ERROR_LOG)  # (rotated: the line is in .1)
    new = "[Mon Dec 07 04:10:45.588369 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: resuming normal operations\n"
    facts.raw.files[R.ERROR_LOG] = {"st": [0o100640, 0, 4, len(new), pid, 5, pid], "data": new}
    assert "while Apache was loading" in outcome("cw_in_force", facts, exp)
    facts.raw.files[R.ERROR_LOG]["st"][3] = 1 << 20  # (error.log longer than its tail: the .1 line may be older)
    assert outcome("cw_in_force", facts, exp) == "pass"


# Class: a root job's copy of a secret seen only when the secret is the app's. A root cron job `tar czf
# /var/backups/etc-nightly.tgz /etc` (the default umask) left a 0644 archive holding /etc/shadow and the SSH host
# keys and the gate passed. Members: the tar of /etc, a host key written out with a redirect; a job that writes
# but copies nothing secret, and one writing 0600, pass.
@pytest.mark.parametrize("line,copy_,caught", [
    ("15 2 * * * root tar czf /var/backups/etc-nightly.tgz /etc", "/var/backups/etc-nightly.tgz", True),
    ("@daily root cat /etc/ssh/ssh_host_ed25519_key > /srv/keys/host.key", "/srv/keys/host.key", True),
    ("@hourly root df -h / > /var/log/df.log", "/var/log/df.log", False),
    ("17 3 * * * root find /var/log/apache2 -name '*.gz' -mtime +30 -delete", "/var/log/apache2", False)])
def test_a_root_job_leaving_a_copy_of_a_hosts_secret_others_read_is_a_finding(exp, line, copy_, caught):
    import stat as s

    from test_allowed_effects import allowing as allow
    from test_allowed_effects import failing, put, server

    def edit(i):
        i["texts"].append({"path": "/etc/cron.d/nightly", "text": "SHELL=/bin/sh\n" + line + "\n"})
    facts = server(edit=edit)
    put(facts, "/etc/ssh/ssh_host_ed25519_key", s.S_IFREG | 0o600)
    word = next(w for w in C.WORD.findall(line) if w.startswith(copy_.rsplit("/", 1)[0]))
    facts.raw.raw["outputs"] = {word: [copy_]}
    put(facts, copy_, s.S_IFREG | 0o644)
    msg = failing(facts, allow(exp, cron=("/etc/cron.d/nightly",)))
    assert ("cw_schedules" in msg) == caught, msg
    if caught:
        assert f"- {copy_} (0644 root:root): written by /etc/cron.d/nightly:2" in msg["cw_schedules"]
        assert "which others may not read: every local user" in msg["cw_schedules"]
        put(facts, copy_, s.S_IFREG | 0o600)
        assert failing(facts, allow(exp, cron=("/etc/cron.d/nightly",))) == {}


# Class: what the dynamic linker loads judged by its configuration only. A vendor installer's `ldconfig
# /opt/vendor/lib` (a dir its service account owns, named in no ld.so.conf file) made the cache map libexpat
# there for every program (Apache's root parent at its next start) and the gate passed. Members: `ldconfig DIR`,
# `ldconfig -f other.conf`; the stock caches of Debian 12 and 13 (their dirs and hwcaps subdirs) pass.
LD_CONF = {"/etc/ld.so.conf": "include /etc/ld.so.conf.d/*.conf\n",
           "/etc/ld.so.conf.d/libc.conf": "# libc default configuration\n/usr/local/lib\n",
           "/etc/ld.so.conf.d/x86_64-linux-gnu.conf": "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n"
                                                     "/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n"}


def with_cache(facts, *paths: str):
    """``facts`` whose linker cache maps a name to each of ``paths`` (its header, then name/path strings)."""
    for path, text in LD_CONF.items():
        facts.raw.files[path] = {"st": [0o100644, 0, 0, len(text), 0, 3, 0], "data": text}
    facts.raw.dirs["/etc/ld.so.conf.d"] = sorted(p.rsplit("/", 1)[1] for p in LD_CONF if "conf.d/" in p)
    data = cache_bytes(paths).decode("latin-1")
    facts.raw.files["/etc/ld.so.cache"] = {"st": [0o100644, 0, 0, len(data), 0, 4, 0], "data": data}
    return facts


def cache_bytes(paths) -> bytes:
    """glibc's linker cache (``glibc-ld.so.cache1.1``: a 48-byte header, 24-byte entries naming the library's name
    and file by offsets from the cache's start, then the strings) mapping each of ``paths`` by its file name."""
    import struct

    strings, at, base = b"", [], 48 + 24 * len(paths)
    for p in paths:
        name = p.rsplit("/", 1)[1].encode()
        at.append((base + len(strings), base + len(strings) + len(name) + 1))
        strings += name + b"\0" + p.encode() + b"\0"
    head = b"glibc-ld.so.cache1.1" + struct.pack("<IIB3sI12s", len(paths), len(strings), 2, b"", 0, b"")
    return head + b"".join(struct.pack("<iIIIQ", 0x303, k, v, 0, 0) for k, v in at) + strings


STOCK_LIBS = ("/lib/x86_64-linux-gnu/libexpat.so.1", "/usr/lib/x86_64-linux-gnu/libapr-1.so.0",
              "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1", "/usr/local/lib/libvendor.so.2")


@pytest.mark.parametrize("stray,caught", [((), False), (("/opt/vendor/lib/libexpat.so.1",), True),
                                          (("/home/appuser/lib/libssl.so.3", "/home/appuser/lib/libz.so.1"), True),
                                          # a directory with a blank, a name not ASCII: a pattern of paths passed them
                                          (("/var/tmp/my libs/libz.so.1",), True), (("/opt/v\u00e9/libz.so.1",), True)])
def test_a_linker_cache_naming_a_directory_no_configuration_names_is_a_finding(exp, stray, caught):
    facts = with_cache(clean(), *STOCK_LIBS, *stray)
    got = outcome("cw_load_path", facts, exp)
    if not caught:
        assert "ld.so.cache" not in got, got
        return
    assert f"/etc/ld.so.cache maps libraries to {sorted(stray)[0]}" in got, got
    assert (f" and {len(stray) - 1} more" in got) == (len(stray) > 1)
    assert f"someone ran ldconfig {shlex.quote(sorted(stray)[0].rsplit('/', 1)[0])}" in got


@pytest.mark.parametrize("data,why", [(None, "not read: Permission denied"),
                                      ("ld.so-1.7.0" + "\0" * 64, "not a cache of glibc's format"),
                                      (cache_bytes(STOCK_LIBS)[:200].decode("latin-1"), "not a cache of glibc's "
                                                                                        "format")])
def test_a_linker_cache_not_read_whole_is_a_finding_never_taken_for_clean(exp, data, why):
    """What the cache maps is known only when it is read whole as the linker reads it: a cache not read, of
    another format, or cut short (an entry pointing past its end) says nothing of where libraries come from."""
    facts = with_cache(clean(), *STOCK_LIBS)
    facts.raw.files["/etc/ld.so.cache"].update({"data": data} if data is not None else {"why": "Permission denied"})
    if data is None:
        facts.raw.files["/etc/ld.so.cache"].pop("data")
    assert f"/etc/ld.so.cache: {why}" in outcome("cw_load_path", facts, exp)


# Class: credentials in Apache's logs judged by LogFormat items only. mod_log_forensic left enabled after a
# debugging session (ForensicLog, its conf and module allowed) logged every request's Authorization header and
# the gate passed. Members: ForensicLog, mod_dumpio's DumpIOInput, a token header or a cookie's value in a format.
@pytest.mark.parametrize("text", [
    "ForensicLog ${APACHE_LOG_DIR}/forensic.log\n",
    "DumpIOInput On\nLogLevel dumpio:trace7\n",
    'LogFormat "%h %t \\"%r\\" %>s %{X-Auth-Token}i" tokens\nCustomLog ${APACHE_LOG_DIR}/t.log tokens\n',
    'CustomLog ${APACHE_LOG_DIR}/s.log "%h %{sessionid}C"\n'])
def test_a_log_in_force_holding_every_requests_credentials_is_a_finding_whatever_is_allowed(exp, text):
    from test_allowed_effects import add_conf, failing, server
    from test_allowed_effects import allowing as allow

    path = "/etc/apache2/conf-enabled/debug.conf"
    facts = server(edit=lambda i: add_conf(i, path, text))
    msg = failing(facts, allow(exp, apache_conf=(path,)))
    assert list(msg) == ["sec_logs"], msg
    assert f"{path}:" in msg["sec_logs"] and "every session cookie or password" in msg["sec_logs"]


def test_a_log_format_of_ordinary_headers_passes(exp):
    from test_allowed_effects import add_conf, failing, server
    from test_allowed_effects import allowing as allow

    path, text = "/etc/apache2/conf-enabled/debug.conf", \
        'LogFormat "%h %{X-Forwarded-For}i %{Host}i %{Referer}i" fwd\nCustomLog ${APACHE_LOG_DIR}/f.log fwd\n'
    facts = server(edit=lambda i: add_conf(i, path, text))
    assert failing(facts, allow(exp, apache_conf=(path,))) == {}


# Class: mod_wsgi's server-wide directives that change how the app's daemons run its code, judged only as a file
# to allow. `WSGIPythonOptimize 2` (a 'performance' snippet, allowed) ran the release with assertions stripped and
# the gate passed. Members: WSGIPythonOptimize, WSGIPythonWarnings; an explicit WSGIPythonOptimize 0 (mod_wsgi's
# default) passes.
@pytest.mark.parametrize("text,caught", [
    ("WSGIPythonOptimize 2\n", True), ("WSGIPythonWarnings error\n", True),
    ("WSGIPythonOptimize 0\n", False)])
def test_what_changes_how_the_daemons_run_the_release_is_a_finding_whatever_is_allowed(exp, text, caught):
    from test_allowed_effects import add_conf, failing, server
    from test_allowed_effects import allowing as allow

    path = "/etc/apache2/conf-enabled/tune.conf"
    facts = server(edit=lambda i: add_conf(i, path, text))
    msg = failing(facts, allow(exp, apache_conf=(path,)))
    assert ("cw_apache_effects" in msg) == caught, msg
    if caught:
        assert f"{path}:1: {text.split()[0].lower()} " in msg["cw_apache_effects"], msg


# Class: a kept release's record of what it runs with, beyond its files. The deploy login's attacker edited the
# kept release's RELEASE.json env (SSL_CERT_FILE into the app-writable data dir, HTTPS_PROXY; mtime put back): a
# rollback ran the app with it (application.wsgi sets RELEASE.json's env) and the gate passed. Members: the env,
# the entry point, a settings value with its digest left as it was; a record rewritten whole, digest too, is what a
# deploy with another deploy.toml writes (the deploy login's power): not told apart.
def _meta(**change):
    import hashlib

    from deploytests.pipeline.releases import release_settings

    settings = release_settings(load_config(APP))
    meta = {"env": dict(settings["env"]), "entry_point": settings["entry_point"], "settings": settings,
            "settings_sha256": hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()}
    for key, value in change.items():
        if key.startswith("settings_"):
            meta["settings"] = dict(settings, **{key[len("settings_"):]: value})
        else:
            meta[key] = value
    return meta


@pytest.mark.parametrize("change,keys", [
    ({}, []), ({"env": {"HTTPS_PROXY": "http://127.0.0.1:3128"}}, ["env"]),
    ({"entry_point": "yourapplication.debug:app"}, ["entry_point"]),
    ({"settings_post_deploy": ["sh /var/www/yourapplication/shared/data/x"]}, ["settings"])])
def test_a_release_record_changed_after_its_deploy_is_told(change, keys):
    from deploytests.verify.reader import settings_changed

    meta = _meta(**change)
    assert settings_changed(meta, meta["settings"]).get("settings_changed", []) == keys


def test_a_release_whose_env_changed_fails_the_records_check(exp):
    from deploytests.verify.reader import settings_changed

    facts = clean()
    kept = next(iter(facts.remote["tree"]["releases"]))  # (the recorded host keeps one: the rule is every release's)
    meta = _meta(env={"SSL_CERT_FILE": "/var/www/yourapplication/shared/data/ca.pem"})
    facts.remote["tree"]["releases"][kept].update(settings_changed(meta, meta["settings"]))
    got = outcome("records", facts, exp)
    assert got.startswith("fail: releases with a broken record:") and f"{kept}: RELEASE.json's env not what its " \
        "deploy recorded" in got, got


# Class: what runs judged by who runs it and what it names, not by where its program is. A root process running a
# copy of sleep from /dev/shm (removed after start: a tool left running, an implant) passed the gate. Members: root's
# and another user's process from /dev/shm or /tmp, removed or not; one inside a live SSH session (an operator at
# work) is theirs.
SSHD = [{"pid": 40, "comm": "sshd", "user": "root", "exe": "/usr/sbin/sshd"}]


@pytest.mark.parametrize("user,exe,ancestors,caught", [
    ("root", "/dev/shm/.kworker (deleted)", [], True), ("nobody", "/tmp/x/agent", [], True),
    ("root", "/tmp/build/tool", SSHD, False)])
def test_a_process_running_a_program_from_a_directory_everyone_writes_is_a_finding(exp, user, exe, ancestors, caught):
    facts = clean()
    facts.remote["inventory"]["from_shared"] = [
        {"pid": 4242, "user": user, "uid": 0, "ppid": 1, "comm": "kworker", "cmdline": exe.split(" ")[0] + " 999999",
         "exe": exe, "started": 1.0, "ancestors": ancestors}]
    got = outcome("cw_processes", facts, exp)
    assert (f"runs {exe}, a program in a directory every local user may write" in got) == caught, got
    assert ("(and removed it since: it runs unseen)" in got) == (caught and "(deleted)" in exe)


# Class: a sudo hardening snippet repeating what sudo and Debian's sudoers already set asked for allowances (a
# false alarm on ordinary tooling: 4 lines for one CIS-style file). Members: `Defaults use_pty` (Debian's sudoers
# sets it), `passwd_tries=3` and `timestamp_timeout=15` (sudo's built-in values on Debian); a line that changes
# something (a log file) still needs its allowance.
@pytest.mark.parametrize("line,needs", [("Defaults use_pty", False), ("Defaults passwd_tries=3", False),
                                        ("Defaults use_pty, passwd_tries=3, timestamp_timeout=15", False),
                                        ('Defaults logfile="/var/log/sudo.log"', True)])
def test_a_sudoers_defaults_line_repeating_what_is_in_force_needs_no_allowance(exp, line, needs):
    from test_allowed_effects import add_sudo, failing, server

    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/10-hardening", line))
    got = failing(facts, exp)
    assert ("cw_sudoers" in got) == needs, got


def test_one_loader_variable_apache_passes_to_every_daemon_is_one_line(exp):
    """b14-envvars-pythonpath (caught blind, one cause in 3 lines): PYTHONPATH exported in envvars reaches Apache's
    parent and each daemon; one line names the variable and every pid that has it."""
    facts = clean()
    daemons = facts.remote["inventory"]["loader"]["daemons"]
    for d in daemons:
        d["env"] = ["PYTHONPATH=/opt/legacy/lib"]
    got = outcome("cw_loader", facts, exp)
    assert len([ln for ln in got.splitlines() if ln.lstrip().startswith("- ") and "PYTHONPATH" in ln]) == 1, got
    assert f"{len(daemons)} pids {', '.join(str(d['pid']) for d in daemons[:6])} (Apache, its daemons inherit it) " \
        "have PYTHONPATH=/opt/legacy/lib" in got, got


def test_a_signal_line_of_an_earlier_parent_with_the_same_pid_dates_no_load(exp):
    """Class: evidence from an earlier life taken for this one. The error log outlives its parent: after a reboot,
    or in a container started from a snapshot image, the last restart signal line may be an earlier parent's, of
    the same pid (pids repeat), long before this parent started: a file written then (bootstrap's, before the
    snapshot) was judged changed while this parent loaded (CI: every clean host of a snapshot failed)."""
    facts = clean()
    pid = facts.raw.files[PIDFILE]["st"][4]
    parent = next(p for p in facts.remote["apache"] if p["user"] == "root")
    parent["started"] = pid - 2
    vhost_changed(signalled(facts, pid - 30), pid - 20)
    assert outcome("cw_in_force", facts, exp) == "pass"
    vhost_changed(signalled(facts, pid - 30, pid - 1.5), pid - 1)  # (this parent's own reload: judged)
    assert "while Apache was loading" in outcome("cw_in_force", facts, exp)


@pytest.mark.parametrize("change, said", [("gone", "is gone"), ("other", "names pid '4242'")])
def test_a_pid_file_that_does_not_name_the_running_parent_fails(exp, change, said):
    """Class (blind set 5): Apache's run directory, which its control relies on: its pid file deleted by a clean-up
    of /run (or naming another pid) passed; apache2ctl graceful and stop (bootstrap's reload, logrotate's) then
    reach no running server, and no reload takes effect."""
    facts = clean()
    if change == "gone":
        facts.raw.files[PIDFILE] = {"why": os.strerror(errno.ENOENT)}
    else:
        facts.raw.files[PIDFILE]["data"] = "4242\n"
    got = outcome("cw_in_force", facts, exp)
    assert f"{PIDFILE}: {said}, not Apache's running parent" in got and "no reload takes effect" in got, got


@pytest.mark.parametrize("owner, mode, fails", [(33, 0o40755, True), (0, 0o40775, True), (0, 0o40755, False)])
def test_the_daemons_default_socket_dir_someone_but_root_may_change_fails(exp, owner, mode, fails):
    """Class (blind set 5): with no WSGISocketPrefix, mod_wsgi makes the daemons' sockets in Apache's runtime dir;
    only a WSGISocketPrefix line was judged: the run dir given to www-data passed (its workers may replace a
    daemon's socket and receive the app's requests)."""
    facts = clean()
    for d in ("/run", "/var/run"):
        facts.raw.files.setdefault(d, {"st": [0o40755, 0, 0, 4096, 0, 2, 0]})
    facts.raw.files["/run/apache2"] = {"st": [mode, owner, owner, 4096, 0, 2, 0]}
    got = outcome("cw_handlers", facts, exp)
    assert ("where mod_wsgi makes the daemons' sockets" in got) is fails, got
