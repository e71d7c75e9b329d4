"""The fact probe's parts: the tree reader run here on a temp tree (the same source runs on the servers as the
deploy user), the runner's parsers, the error log filter of the diagnostics, and the command that starts both
programs (run here with a stand-in ``sudo`` that records who it would run them as)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from deploytests.verify import parse, reader

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
    facts = reader.tree_facts({"root": str(root), "shared_paths": ["data"]})
    live = facts["live"]
    assert (facts["current"], live["id"], live["installed_version"]) == (f"releases/{RID}", RID, "1.0.dev1")
    assert facts["releases"][RID]["has_manifest"] and live["manifest"] == {"name": "your-app"}
    assert facts["incomplete"] == ["20990101T000000Z-halfbuilt"] and len(facts["failed"]) == 1
    assert sorted(p.rsplit("/", 2)[-2] for p in live["hashes"]) == ["your_app", "your_app-1.0.dist-info"]
    assert live["shared"]["data"]["kind"] == "symbolic link" and live["loose_count"] == 0
    os.chmod(site / "your_app" / "__init__.py", 0o666)
    loose = reader.tree_facts({"root": str(root), "shared_paths": ["data"]})["live"]
    assert loose["loose_count"] == 1 and "your_app/__init__.py 0666" in loose["loose"][0]



def test_a_release_record_there_but_unread_is_not_taken_for_missing(tmp_path, monkeypatch):
    """Class (blind7s's r04: the previous release's RELEASE.json rewritten by root 0600): a read error is not
    absence. A release whose RELEASE.json is there but unread -- not readable by the deploy login, a link, a
    directory -- is a kept release with a broken record (test_release_records names why; the deploy keeps it),
    never 'a dead deploy's leftover the next deploy removes' or 'gone'; one without it stays incomplete."""
    root, _ = make_tree(tmp_path)
    other = root / "releases" / "20261128T020700Z-00000000"
    other.mkdir()
    record = other / "RELEASE.json"
    record.write_text("{}")
    real_open = os.open

    def refuse(path, *a, **kw):  # the tests run as root, who reads a 0600 file of root's: refuse as the login is
        if str(path) == str(record):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr(reader.os, "open", refuse)
    facts = reader.tree_facts({"root": str(root)})
    assert facts["incomplete"] == ["20990101T000000Z-halfbuilt"], facts["incomplete"]
    assert facts["releases"][other.name]["unreadable"].startswith("RELEASE.json cannot be read by the deploy login")
    monkeypatch.undo()
    record.unlink()
    record.symlink_to("/etc/hostname")  # another member: a link where the record goes
    assert reader.tree_facts({"root": str(root)})["releases"][other.name]["unreadable"] == "RELEASE.json is a link"
    record.unlink()
    record.mkdir()
    assert reader.tree_facts({"root": str(root)})["releases"][other.name]["unreadable"] == \
        "RELEASE.json is not a regular file"

def test_the_deploy_logins_json_is_bounded_where_read_and_only_what_the_checks_read_crosses(tmp_path):
    """attack5 #7 (class: nesting bounded where parsed, not where used): RELEASE.json nested 700 deep parsed (the
    reader's json.loads stops near 1000 levels) and went whole into the reply; what walked it later recursed and
    every test of the gate errored. Each JSON file of the deploy login's is refused deeper than JSON_DEPTH where it
    is read (RELEASE.json, SNAPSHOT.json, the kept releases'), and a release's record carries only the keys the
    checks read."""
    root, _ = make_tree(tmp_path)
    path = root / "releases" / RID / "RELEASE.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps(dict(meta, x=[["deep"]], settings={"a": 1})))
    record = reader.tree_facts({"root": str(root)})["releases"][RID]
    assert record == {"id": RID, "name": "your-app", "version": "1.0", "has_manifest": True,
                      "settings_changed": ["settings"]}  # (settings its settings_sha256 does not hash to: the verdict)
    path.write_text(json.dumps(dict(meta, x=json.loads("[" * 700 + "]" * 700))))
    facts = reader.tree_facts({"root": str(root)})
    assert facts["releases"][RID] == {"unreadable": f"RELEASE.json is nested deeper than {reader.JSON_DEPTH} levels",
                                      "has_manifest": False}
    json.dumps(facts)  # the reply is made without recursing past the limit
    (root / "releases" / RID / "SNAPSHOT.json").write_text("{\"a\": " + "[" * 700 + "]" * 700 + "}")
    assert reader.json_file(str(root / "releases" / RID / "SNAPSHOT.json")) == {
        "unreadable": f"nested deeper than {reader.JSON_DEPTH} levels"}
    assert reader.load_json(b"[" * 100000)[1] == "not JSON"


def test_nothing_deployed_and_lstat_facts(tmp_path):
    (tmp_path / "app" / "releases").mkdir(parents=True)
    facts = reader.tree_facts({"root": str(tmp_path / "app")})
    assert facts["current"] is None and facts["live"] is None and facts["releases"] == {}
    assert reader.lstat_facts(str(tmp_path / "nope")) == {"kind": "missing"}
    os.symlink("/etc/shadow", tmp_path / "link")
    assert reader.read_nofollow(str(tmp_path / "link")) is None  # never through a link
    assert reader.lstat_facts(str(tmp_path / "link"))["target"] == "/etc/shadow"


def test_dist_version_normalizes_names(tmp_path):
    (tmp_path / "Flask_Login-0.6.3.dist-info").mkdir()
    (tmp_path / "Flask_Login-0.6.3.dist-info" / "METADATA").write_text("Name: Flask-Login\nVersion: 0.6.3\n")
    assert reader.dist_version(str(tmp_path), "flask-login") == "0.6.3"
    assert reader.dist_version(str(tmp_path), "flask") is None


def test_error_log_since_the_deploy_began(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    log = ("[Sat Nov 28 01:00:00.000001 2026] [wsgi:error] bootstrap noise\n"
           "Fatal Python error: init_fs_encoding\n"
           "[Sat Nov 28 02:07:59.123456 2026] [wsgi:error] after the deploy\n"
           "Traceback: continuation line\n")
    try:
        assert parse.lines_since(log, "2026-11-28T02:07:58+00:00") == (
            "[Sat Nov 28 02:07:59.123456 2026] [wsgi:error] after the deploy\nTraceback: continuation line\n")
        assert parse.lines_since(log, None) == "(no live release to date its deploy by)\n"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_installed_distributions_are_read_from_metadata_never_imported(tmp_path):
    root, site = make_tree(tmp_path)
    (site / "zz_hook.pth").write_text(f"import os; open({str(tmp_path / 'ran')!r}, 'w')\n")
    assert reader.installed_distributions(str(site)) == ["your-app==1.0"]
    report = reader.tree_report({"root": str(root)})
    assert report["installed"] == ["your-app==1.0"] and report["current"] == f"releases/{RID}"
    assert not (tmp_path / "ran").exists()


def test_the_venv_python_is_judged_by_its_links(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    os.symlink(sys.executable, venv_bin / "python3")
    os.symlink("python3", venv_bin / "python")
    found = reader.interpreter(str(venv_bin / "python"))
    assert [h["to"] for h in found["hops"]][:2] == ["python3", sys.executable] and "error" not in found
    (venv_bin / "python").unlink()
    (venv_bin / "python").write_text(f"#!/bin/sh\ntouch {tmp_path}/ran\nexec {sys.executable} \"$@\"\n")
    swapped = reader.interpreter(str(venv_bin / "python"))
    assert swapped["hops"] == [] and swapped["facts"]["kind"] == "regular file" and not swapped["root_owned"]
    assert not (tmp_path / "ran").exists()


def test_packages_are_read_from_dpkgs_database():
    status = (b"Package: apache2\nStatus: install ok installed\nVersion: 2.4\n\n"
              b"Package: python3-venv\nStatus: deinstall ok config-files\n\n")
    assert parse.packages(status, ["apache2", "python3-venv", "iproute2"]) == {
        "apache2": "installed", "python3-venv": "deinstall ok config-files", "iproute2": "not installed"}
    with pytest.raises(RuntimeError, match="not a regular file owned by root"):  # the collector did not read it
        parse.packages(None, ["apache2"])


def test_names_the_deploy_login_chose_cannot_forge_diagnostics_lines():
    """A release dir named ``zz\\n\\ncurrent -> releases\\u22152099-trusted`` forged a ``current`` line in the
    diagnostics' releases section. Class: a name from the less trusted side inside a multi-line report. Every
    such name (release dirs, the link target, failed.log's lines) is one visible line."""
    assert reader.one_line("zz\n\ncurrent -> releases\u22152099-trusted") == \
        "zz\\n\\ncurrent -> releases\\u22152099-trusted"
    assert reader.one_line("20261205T050852Z-33383e1e") == "20261205T050852Z-33383e1e"


FAKE_SUDO = """#!/bin/sh
# stands in for sudo: records who it would run the command as, then runs it as the caller
who=root
while [ $# -gt 0 ]; do case $1 in -n) shift;; -u) who=$2; shift 2;; *) break;; esac; done
echo "$who $1" >> "$SUDO_LOG"
[ -n "$SUDO_REFUSE" ] && exit 1
# stopped once the file $SUDO_STOP exists (as the deploy user may), at most 60 s on
[ -n "$SUDO_STOP" ] && [ "$1" != true ] && (i=0; until [ -e "$SUDO_STOP" ] || [ $i -ge 1200 ]; do sleep 0.05; \
  i=$((i+1)); done; kill -STOP $$) &
[ -n "$SUDO_FORGE" ] && [ "$1" != true ] && printf '%s\\n' "$SUDO_FORGE"  # a line in the shared output
exec "$@"
"""


def run_command(tmp_path, deploy_user, refuse="", stop="", forge="", nonce="0" * 32, port=9):
    """Run :func:`probe_command`'s line here, with a stand-in ``sudo`` first on PATH: both programs really run
    (as the caller; the reader as ``deploy_user`` when the caller is root), each fed its source; returns
    (stdout, the stand-in's log). ``refuse``: no sudo; ``stop``: the program is stopped once that file exists;
    ``forge``: a line printed into the shared output before the programs run."""
    import subprocess

    from deploytests.verify import facts

    (tmp_path / "bin").mkdir(exist_ok=True)
    (tmp_path / "bin" / "sudo").write_text(FAKE_SUDO)
    (tmp_path / "bin" / "sudo").chmod(0o755)
    (tmp_path / "app" / "releases").mkdir(parents=True, exist_ok=True)
    log = tmp_path / "sudo.log"
    log.write_text("")
    args = {"app": "app", "root": str(tmp_path / "app"), "app_user": "nobody", "deploy_user": deploy_user,
            "config_path": str(tmp_path / "app" / "shared" / "application.cfg"), "port": port, "health_path": "/",
            "server_name": "localhost", "shared_paths": []}
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "SUDO_LOG": str(log), "SUDO_REFUSE": refuse,
           "SUDO_STOP": stop, "SUDO_FORGE": forge}
    command = facts.probe_command(args, sys.executable)
    res = subprocess.run(command, shell=True, env=env, input=b"".join(facts.probe_stdin(nonce)), capture_output=True,
                         timeout=120)
    return res.stdout.decode(), [ln.split()[0] for ln in log.read_text().splitlines()]


def test_one_round_trip_runs_the_collector_as_root_then_the_reader_as_the_deploy_user(tmp_path):
    """One program under ``sudo -n``: the collector as root, then, its reply out, the tree reader as the deploy
    user (``collect_root.become``: the uid change leaves it non-dumpable, so no process of the deploy user can
    attach to it or take its stdout -- under ``sudo -u`` it could, and forged the tree's reply); a deploy user
    that is root or does not exist reads as ``nobody``; without sudo both run as the login. Nothing of the tree
    runs as root."""
    import pwd

    from deploytests.verify import collect_root, facts

    other = next(p.pw_name for p in pwd.getpwall() if p.pw_uid not in (0, os.getuid()) and p.pw_name != "nobody")
    out, ran = run_command(tmp_path, other)
    assert ran == ["root", "root"]  # `sudo -n true`, then the one program
    assert out.count(collect_root.MARK) == 1 and out.count(reader.MARK) == 1
    res = facts.ProbeResult(0, out, "", "0" * 32)
    assert facts.read_root(res)["uid"] == os.getuid()
    me = pwd.getpwuid(os.getuid()).pw_name
    assert facts.read_tree(res)["user"] == (other if os.getuid() == 0 else me)
    for user in ("root", "no-such-user-here"):
        res = facts.ProbeResult(0, run_command(tmp_path, user)[0], "", "0" * 32)
        assert facts.read_tree(res)["user"] == ("nobody" if os.getuid() == 0 else me)
    out, ran = run_command(tmp_path, other, refuse="1")
    assert ran == ["root", "root"]  # `sudo -n true` refused, then `sudo -n -l` (what the login may run): nothing else
    assert facts.read_tree(facts.ProbeResult(0, out, "", "0" * 32))["user"] == me


def test_a_stopped_program_is_killed_and_named_the_collectors_facts_still_count(tmp_path, monkeypatch):
    """The tree reader runs as the deploy user, who may SIGSTOP it: the root probe waited forever for its forked
    reader (the admin's gate hung). Class: an unbounded wait on a process the less trusted side controls. The
    program runs under ``timeout`` (then ``KILL``, which a stopped process cannot refuse); the round trip ends,
    the tree's facts are one line naming the failure, the collector's reply (out before the reader ran) whole."""
    import pwd
    import signal
    import socket
    import threading

    from deploytests.verify import facts

    # the program is stopped when the reader, after the collector's reply, reaches the site it GETs (not at a
    # fixed second: on a loaded machine the collector itself was still running then, and its reply was cut); the
    # collector's share of the bound leaves it time on a loaded machine
    monkeypatch.setattr(facts, "READER_TIMEOUT", 4)
    monkeypatch.setattr(facts, "COLLECTOR_TIMEOUT", 12)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # hermetic: the shell must see its children end
    silent = socket.socket()  # the site the reader GETs: accepts, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    reached, held = tmp_path / "reached", []

    def accept():
        try:
            held.append(silent.accept()[0])  # held open, never answered: the reader waits there
        except OSError:
            return
        reached.touch()
    threading.Thread(target=accept, daemon=True).start()
    other = next(p.pw_name for p in pwd.getpwall() if p.pw_uid not in (0, os.getuid()) and p.pw_name != "nobody")
    try:
        out, ran = run_command(tmp_path, other, stop=str(reached), port=silent.getsockname()[1])
    finally:
        for sock in [silent, *held]:
            sock.close()
    res = facts.ProbeResult(137, out, "killed", "0" * 32)
    assert facts.read_tree(res) == {"errors": {"tree": "the tree reader did not finish (exit 137): killed"}}
    assert facts.read_root(res)["files"]["/etc/passwd"]["data"]


def test_the_collector_takes_names_only():
    """The root collector's inputs are a closed set of names matched in full: no path, nothing else."""
    from deploytests.verify import collect_root

    for bad in ({"app": "app", "app_user": "a", "deploy_user": "d", "root": "/etc"},
                {"app": "../etc", "app_user": "a", "deploy_user": "d"}, {"app": "app", "app_user": "a"},
                {"app": "app", "app_user": "a b", "deploy_user": "d"}):
        with pytest.raises(SystemExit):
            collect_root.check(bad)
    collect_root.check({"app": "app", "diagnose": True})


def test_the_collectors_stack_constants_are_every_stacks():
    """The collector takes no path from its arguments: the stack's Apache layout is its constants, the same for
    every supported stack (a stack with another layout fails here, not on a server)."""
    from deploytests.stacks import STACKS
    from deploytests.verify import collect_login as c
    from deploytests.verify import collect_root as r

    for stack in STACKS.values():
        a = stack.apache
        assert (a.apachectl, a.error_log, a.sites_enabled, stack.wsgi_module_file, a.site_file("x"), a.run_user) == (
            c.APACHECTL, r.ERROR_LOG, c.SERVER_ROOT + "/sites-enabled", c.MODULES + "/mod_wsgi.so",
            c.SERVER_ROOT + "/sites-available/x.conf", r.APACHE_USER)
    assert (r.APACHECTL, r.APACHE_BIN, r.NONCE) == (c.APACHECTL, c.APACHE_BIN, c.NONCE)


def test_every_program_deploytests_starts_on_a_server_runs_isolated(tmp_path):
    """The agents ran as ``python3 -c BOOT`` without ``-I``: a ``json.py`` in the directory the session starts in
    (or a ``PYTHONPATH``, a user site) was imported into the deploy agent -- and into the root agent at bootstrap.
    Class: an interpreter we start loading code from places someone else may write. Every program deploytests
    starts on a server (the agents, the root agent, the probe's two programs) runs isolated."""
    import subprocess

    from deploytests.pipeline import remote
    from deploytests.verify import facts

    (tmp_path / "json.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').write('imported')\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)}
    for source in (remote.AGENT_SOURCE, remote.ROOT_AGENT_SOURCE):
        line = remote.agent_command("nosuchcommand", {}, python=sys.executable, source=source)
        subprocess.run(line, shell=True, cwd=tmp_path, env=env, input=source, capture_output=True, timeout=60)
        assert not (tmp_path / "ran").exists(), line
        assert " -I -S -c " in line
    assert facts.probe_command({"app": "a", "root": "/var/www/a", "app_user": "a", "deploy_user": "d"},
                               "/usr/bin/python3").count(" -I -S -c ") == 5  # two programs with sudo, three without


def test_the_collector_sends_a_root_file_whole_or_not_at_all(tmp_path):
    """A file larger than its bound, or than what is left of the reply's, is not sent in part (a sudoers or
    Apache file cut in the middle would be parsed as if it ended there): its ``lstat`` and why, no bytes."""
    from deploytests.verify import collect_root as c

    (tmp_path / "big").write_bytes(b"x" * 100)
    os.mkfifo(tmp_path / "fifo")
    out: dict = {"files": {}, "dirs": {}, "errors": {}, "size": 0}
    assert c.read(out, str(tmp_path / "big"), limit=10, anyone=True) is None
    assert "data" not in out["files"][str(tmp_path / "big")] and "larger" in out["files"][str(tmp_path / "big")]["why"]
    c.read(out, str(tmp_path / "big"), limit=200, anyone=True)
    assert out["files"][str(tmp_path / "big")]["data"] == "x" * 100 and out["size"] == 102  # (quoted: JSON)
    c.read(out, str(tmp_path / "big"), limit=10, anyone=True, tail=0)
    assert out["files"][str(tmp_path / "big")]["data"] == "x" * 10  # a log's tail: its end
    assert c.read(out, str(tmp_path / "fifo"), anyone=True) is None  # opened without blocking, never read
    assert "regular file" in out["files"][str(tmp_path / "fifo")]["why"]


def test_every_walk_of_the_deploy_logins_tree_is_bounded_and_says_so(tmp_path, monkeypatch):
    """``walk_release`` had no bound (entries or depth) and the inventory's walk no depth bound: a deploy login's
    tree of any size or depth held the gate (os.walk recursing 10,000 levels raised RecursionError). Class: a
    walk of a tree the less trusted side owns without a bound. Both are bounded and say so in one line."""
    root, site = make_tree(tmp_path)
    deep = site / "/".join(["d"] * (reader.DEPTH + 3))
    deep.mkdir(parents=True)
    facts = reader.tree_facts({"root": str(root), "shared_paths": ["data"]})
    assert any(f"deeper than {reader.DEPTH} levels" in b for b in facts["live"]["bounds"]), facts["live"]["bounds"]
    assert any(f"deeper than {reader.DEPTH} levels" in b for b in reader.tree_inventory(str(root))["bounds"])
    monkeypatch.setattr(reader, "ENTRIES", 5)
    bounds = reader.tree_facts({"root": str(root), "shared_paths": ["data"]})["live"]["bounds"]
    assert any("more than 5 entries" in b and "\n" not in b for b in bounds), bounds


def test_roots_reply_is_neither_crashed_nor_forged_by_names_and_lines_the_deploy_login_chose(tmp_path):
    """The attack: a process whose executable's name is not UTF-8 (``x\\xff``) crashed the root collector at its
    reply (no line at all), and the deploy login, holding a copy of its reader's stdout, wrote a root line of its
    own making, which the runner took for root's. Classes: a root program that dies on names others chose; a
    less trusted program's output accepted where the more trusted one's answer belongs. Every OS name goes out
    as its bytes (latin-1) and each part's failure is in ``errors``; the runner takes only the line carrying the
    nonce it sent on the collector's stdin (never on a command line), exactly once."""
    import base64
    import pwd
    import shutil
    import subprocess
    import zlib

    from deploytests.verify import collect_root, facts

    odd = os.fsencode(tmp_path) + b"/x\xff"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", odd)
    proc = subprocess.Popen([odd, "60"])
    other = next(p.pw_name for p in pwd.getpwall() if p.pw_uid not in (0, os.getuid()) and p.pw_name != "nobody")
    body = base64.b64encode(zlib.compress(json.dumps({"uid": 0, "proc": {}, "errors": {}}).encode())).decode()
    nonce = facts.new_nonce()
    try:
        forged = [f"{collect_root.MARK}{'f' * len(nonce)} {body}", f"{collect_root.MARK}{body}"]
        out = run_command(tmp_path, other, forge="\n".join(forged), nonce=nonce)[0]
    finally:
        proc.kill()
        proc.wait()
    assert nonce not in facts.probe_command({"app": "app", "app_user": "a", "deploy_user": "d", "root": "/srv/a"},
                                            "/usr/bin/python3")
    raw = facts.read_root(facts.ProbeResult(0, out, "", nonce))
    assert raw["uid"] == os.getuid() and raw["proc"][str(proc.pid)]["exe"].endswith("/x\\xff")
    with pytest.raises(RuntimeError, match="^the collector's reply is missing: "):
        facts.read_root(facts.ProbeResult(0, "\n".join(forged), "", nonce))
    with pytest.raises(RuntimeError, match="^the collector's reply is duplicated: 2 lines carry this run's nonce"):
        facts.read_root(facts.ProbeResult(0, f"{out}\n{collect_root.MARK}{nonce} {body}", "", nonce))


def test_a_bound_hit_in_the_collector_is_in_its_errors(monkeypatch):
    """The process bound was silent: more processes than it looked at passed as 'nothing else runs'. Every
    bound of the collector says when it was hit."""
    from deploytests.verify import collect_root

    monkeypatch.setattr(collect_root, "PIDS", 1)
    out = {"errors": {}, "proc": {}, "size": 0}
    collect_root.processes(out, set())
    assert out["errors"]["processes"] == "more than 1: the rest not looked at" and len(out["proc"]) <= 1


class Dripping:
    """A probe channel whose command exited, while a process the deploy login left holds its output open and
    writes a newline every ``every`` seconds (of the fake clock ``t``)."""

    def __init__(self, every):
        self.t, self.next, self.every, self.closed, self.eof_received = 0.0, 0.0, every, False, False

    def exec_command(self, command):
        pass

    def recv_ready(self):
        return self.t >= self.next

    def recv(self, n):
        assert self.t < 100000, "the runner never stopped reading"
        self.next = self.t + self.every
        self.t += 0.01
        return b"\n"

    def recv_stderr_ready(self):
        return False

    def exit_status_ready(self):
        return True

    def recv_exit_status(self):
        return 0

    def sendall(self, data):
        pass

    def shutdown_write(self):
        pass

    def close(self):
        self.closed = True


def test_a_probe_whose_output_is_kept_open_ends_within_its_bounds(monkeypatch):
    """The attack: the deploy login kept the reader's stdout open and wrote a newline every 20 s; the runner
    waited for EOF and gave up only after 90 s of silence: the gate waited on that host forever. Class: a wait
    with no absolute bound. Output is read a short grace after the exit status; the round trip has a deadline,
    named with the host in one line."""
    import functools
    from types import SimpleNamespace

    from deploytests.pipeline import remote
    from deploytests.verify import facts

    def readable(chan, timeout):
        if chan.recv_ready():
            return True
        chan.t += timeout
        return False

    def probe(every):
        chan = Dripping(every)
        c = SimpleNamespace(open=lambda: None, transport=SimpleNamespace(open_session=lambda timeout=None: chan),
                            lost=None)
        monkeypatch.setattr(remote, "exec_stream", functools.partial(exec_stream, clock=lambda: chan.t))
        try:
            return facts.run_programs(SimpleNamespace(label="web-9", connection=lambda: c),
                                      {"deploy_user": "d", "app": "a", "app_user": "u", "root": "/srv/a"},
                                      "/usr/bin/python3")
        finally:
            assert chan.t <= facts.DEADLINE + 1

    exec_stream = remote.exec_stream
    monkeypatch.setattr(remote, "_readable", readable)
    assert probe(20.0).exited == 0  # a newline every 20 s after the exit status: read a short grace more
    with pytest.raises(RuntimeError, match=f"^web-9: the probe's round trip did not end within {facts.DEADLINE} s"):
        probe(0.0)  # output that never pauses: the deadline


def test_roots_view_of_its_paths_wins_over_the_readers():
    """The merge let the tree reader's entries (the deploy user's program) replace root's ``lstat`` of root's
    paths (the vhost, the python home). Class: a less trusted reply overriding a more trusted one. Root's view
    is kept; the reader's is taken only for paths under the app's root."""
    from types import SimpleNamespace

    from deploytests.stacks import DEFAULT
    from deploytests.verify import facts

    cfg = SimpleNamespace(app="app", root="/var/www/app", app_user="app", port=80, health_path="/",
                          remote_config_path="/var/www/app/shared/application.cfg", server_name="x", shared_paths=[])
    args = dict(facts.probe_args(cfg, "deployer", "admin", DEFAULT), python="/usr/bin/python3")
    raw = {"uid": 0, "files": {args["vhost"]: {"st": [0o100644, 0, 0, 10, 0, 1]}}, "dirs": {}, "proc": {},
           "errors": {}, "runs": {}}
    forged = {"kind": "regular file", "mode": "0644", "owner": "0", "group": "0"}
    tree = {"stat": {args["vhost"]: dict(forged, owner="1000"), parse.PYTHON_HOME: forged,
                     "/var/www/app/current": {"kind": "symbolic link"}, "/var/www/apple": forged}}
    got = parse.facts(raw, tree, args)["stat"]
    assert got[args["vhost"]]["owner"] == "0" and got[parse.PYTHON_HOME] == {"kind": "missing"}
    assert got["/var/www/app/current"] == {"kind": "symbolic link"} and "/var/www/apple" not in got


def test_the_directories_above_the_apps_root_reach_the_checks_roots_view_first():
    """The reader's lstat of the directories above the app's root (the tree rule's: who may rename the root aside)
    was dropped by the merge (only paths under the root were taken), so a check of them saw nothing. They are
    taken, root's view first where the collectors looked; the reader is asked for them."""
    from types import SimpleNamespace

    from deploytests.stacks import DEFAULT
    from deploytests.verify import facts

    cfg = SimpleNamespace(app="app", root="/var/www/app", app_user="app", port=80, health_path="/",
                          remote_config_path="/var/www/app/shared/application.cfg", server_name="x", shared_paths=[])
    args = dict(facts.probe_args(cfg, "deployer", "admin", DEFAULT), python="/usr/bin/python3")
    assert {"/var/www", "/var", "/"} <= set(facts.reader_args(args)["paths"])
    raw = {"uid": 0, "files": {"/var": {"st": [0o40755, 0, 0, 10, 0, 1]}}, "dirs": {}, "proc": {}, "errors": {},
           "runs": {}}
    theirs = {"kind": "directory", "mode": "0755", "owner": "www-data", "group": "www-data"}
    got = parse.facts(raw, {"stat": {"/var/www": theirs, "/var": dict(theirs, owner="1000")}}, args)["stat"]
    assert got["/var/www"] == theirs and got["/var"]["owner"] in ("root", "0")  # (no /etc/passwd here: by uid)


def test_the_readers_diagnostics_bounds_say_when_they_were_hit(tmp_path):
    """Two bounds of the reader's diagnostics were silent (the distributions of a venv, the release list): a
    list cut short read as the whole list. Each now says so in the list it shows."""
    for i in range(2001):
        (tmp_path / f"d{i:04d}-1.0.dist-info").mkdir()
    assert f"({tmp_path}: more than 2000 distributions; the rest not looked at)" in \
        reader.installed_distributions(str(tmp_path))
    for i in range(201):
        (tmp_path / "app" / "releases" / f"r{i:03d}").mkdir(parents=True)
    assert reader.tree_report({"root": str(tmp_path / "app")})["releases"][0] == \
        "(201 entries; only the first 200 by name shown)"


def test_root_runs_apache2ctl_only_on_the_login_collectors_zero_and_says_the_logins_reason(monkeypatch):
    """The look at what ``apache2ctl`` makes root load moved out of root, to the login collector (unprivileged);
    root acts on its exit status only: anything but ``0`` (it refused, it crashed, it was killed) and nothing
    runs. The runner shows the login's reason when it gave one."""
    import base64
    import zlib

    from deploytests.verify import collect_login, collect_root, facts

    started: list = []
    monkeypatch.setattr(collect_root.subprocess, "run", lambda *a, **k: started.append(a) or
                        collect_root.subprocess.CompletedProcess(a, 0, b"Syntax OK", b""))
    monkeypatch.setattr(collect_root.os.path, "lexists", lambda p: True)
    for verdict in ("3", "1", "124", "", "00"):
        out: dict = {"uid": 0, "runs": {}, "errors": {}}
        collect_root.runs(out, verdict)
        assert out["runs"]["refused"].startswith("not run as root: ") and not started, verdict
    out = {"uid": 0, "runs": {}, "errors": {}}
    collect_root.runs(out, "0")
    assert len(started) == len(collect_root.RUNS) and set(out["runs"]) == set(collect_root.RUNS)

    def line(mark, reply):
        return f"{mark}{'0' * 32} {base64.b64encode(zlib.compress(json.dumps(reply).encode())).decode()}"

    root = {"uid": 0, "files": {"/etc/sudoers": {"data": "x"}}, "runs": {"refused": "not run as root: the login's "
                                                                           "look at Apache's files said no (3)"}}
    login = {"files": {"/etc/passwd": {"data": "y"}, "/etc/sudoers": {"why": "Permission denied"}},
             "refused": "/srv/x may be changed by someone other than root"}
    raw = facts.read_root(facts.ProbeResult(0, line(collect_login.MARK, login) + "\n" + line(collect_root.MARK, root),
                                            "", "0" * 32))
    assert raw["runs"] == {"refused": "not run as root: /srv/x may be changed by someone other than root"}
    assert raw["files"] == {"/etc/sudoers": {"data": "x"}, "/etc/passwd": {"data": "y"}} and raw["uid"] == 0


def test_the_verdict_reads_apaches_file_naming_lines_as_apache_does_or_says_no():
    """attack5: the login collector's verdict read ``Include*``/``LoadModule``/``LoadFile`` lines with a regex
    where Apache reads them otherwise -- a quoted path with a space, a continued line, LoadFile's second argument
    -- so a directory the deploy login owns passed unseen, and root's ``apache2ctl`` loaded its library (uid 0).
    Class: a security decision taken on our own reading of a language that differs from the reader it guards.
    :func:`collect_login.named` takes only words Apache reads one way, every argument of LoadFile, and says no to
    the rest (other members tried: a directive split by a continuation, a ``${variable}``, a ``<Macro>``
    parameter, ServerRoot moved)."""
    from deploytests.verify.collect_login import named

    assert named("IncludeOptional mods-enabled/*.load\n  include\t'/etc/x.conf'\nLoadModule m /usr/lib/m.so\n"
                 "# Include \\\n/srv/comment\n") == [("includeoptional", "mods-enabled/*.load"),
                                                     ("include", "/etc/x.conf"), ("loadmodule", "/usr/lib/m.so")]
    assert named("LoadFile /usr/lib/libz.so.1 /srv/site-conf/libx.so") == [
        ("loadfile", "/usr/lib/libz.so.1"), ("loadfile", "/srv/site-conf/libx.so")]
    for text in ('IncludeOptional "/srv/site conf/*.conf"', "Include \\\n    /srv/site-conf/*.conf",
                 "Inc\\\nlude /srv/x.conf", "Include ${DIR}/x.conf", "LoadFile a\\b", "Include 'x'y",
                 "<Macro Site $dir>\n  IncludeOptional $dir/*.conf\n</Macro>\nUse Site /srv/site-conf",
                 "LoadFile %p/libx.so", "Include @d/x.conf",
                 "ServerRoot /srv/apache"):
        assert isinstance(named(text), str) and "root runs nothing" in named(text), text


def test_roots_reads_of_proc_share_the_replys_one_bound(monkeypatch):
    """attack5: the root collector read a MiB of ``maps`` (and ``environ``) of every app-user process with no total:
    250 such processes took it to 772 MiB. Class: a bound per item with none in all. ``/proc`` reads spend the
    reply's one budget (64 MiB with the files); past it, nothing more is read and the bound is named."""
    from deploytests.verify import collect_root as c

    out: dict = {"files": {}, "dirs": {}, "errors": {}, "size": 0, "proc": {}}
    c.processes(out, {os.getuid()})  # this test's own processes are watched: their maps are read
    spent = out["size"]
    assert spent > 0 and "/proc" not in out["errors"]
    monkeypatch.setattr(c, "BIG", spent // 2)
    out = {"files": {}, "dirs": {}, "errors": {}, "size": 0, "proc": {}}
    c.processes(out, {os.getuid()})
    assert out["size"] <= spent // 2 and out["errors"]["/proc"] == f"more than {spent // 2} bytes in all: the rest " \
        "not read", out["errors"]


def test_the_root_collectors_one_budget_counts_link_targets_too():
    """attack6 #4 (class: a per-item bound with no total, again): ``/proc``'s link targets (``exe``, ``cwd``,
    every open file) were not counted, so 600 processes made a 149 MB reply counted as 1 MB. Each target now
    spends the reply's one budget, and past it nothing more is read, the bound named."""
    from deploytests.verify import collect_root

    out: dict = {"size": 0, "errors": {}}
    target = collect_root.kernel(out, "/proc/self/exe")
    assert target and out["size"] == len(json.dumps(target))
    out["size"] = collect_root.BIG - 100
    assert collect_root.kernel(out, "/proc/self/exe") is None and "/proc" in out["errors"]


def test_a_process_map_or_environment_past_roots_bound_is_not_read_never_read_whole(monkeypatch):
    """Class: a read of ``/proc`` cut at its bound taken for the whole. Root read at most 1 MiB of a process's
    ``maps`` and 64 KiB of its ``environ``, silently: the app's daemon (code the app user runs) that made a MiB of
    mappings before loading a library from /tmp had that library in no line the mapped-files rule saw, and
    ``LD_PRELOAD`` after 64 KiB of variables is no loader variable the rules saw. Root now reads one byte more than
    the bound; the runner names each read it cut as a fact not read (``test_host_answers``). Other member: the
    environment. Here on this process, the bounds made small."""
    from deploytests.verify import collect_root as c

    monkeypatch.setattr(c, "WATCHED", [("environ", 64), ("maps", 2048), ("cgroup", 4096)])
    out: dict = {"size": 0, "errors": {}, "proc": {}}
    c.processes(out, {os.getuid()})
    me, pid = out["proc"][str(os.getpid())], os.getpid()
    assert len(me["maps"]) == 2049 and len(me["environ"]) == 65, (len(me["maps"]), len(me["environ"]))
    assert parse.cut_proc(out) == {
        f"root: /proc/{pid}/maps": "more than 2048 bytes: what comes after them was not read",
        f"root: /proc/{pid}/environ": "more than 64 bytes: what comes after them was not read"} | {
        k: v for k, v in parse.cut_proc(out).items() if f"/{pid}/" not in k}
    monkeypatch.setattr(c, "WATCHED", [("environ", 1 << 20), ("maps", 1 << 22), ("cgroup", 4096)])
    out = {"size": 0, "errors": {}, "proc": {}}
    c.processes(out, {os.getuid()})
    assert not [k for k in parse.cut_proc(out) if f"/{pid}/" in k]  # whole: nothing said


def test_the_error_log_since_verification_began_is_cut_from_the_tails_start():
    """attack6 #6: the lines since the mark were cut by the size taken before the read, so while the log grew the
    first lines after the mark -- the cause -- were dropped. The tail starts at the size less the collector's
    limit; what came on while it was read stays; a log shorter than the mark (rotated) is shown whole."""
    from deploytests.verify import collect_root
    from deploytests.verify.diagnostics import since

    old, cause, later = "x" * 100 + "\n", "the cause\n", "written while root read it\n"
    entry = {"st": [0o100640, 0, 4, len(old + cause), 0, 1], "data": old + cause + later}
    assert since(entry, len(old)) == cause + later
    assert since({"st": [0, 0, 0, 5, 0, 1], "data": "new\n"}, len(old)) == "new\n"  # rotated
    big = "y" * (collect_root.LIMIT + 50)
    entry = {"st": [0o100640, 0, 4, len(big), 0, 1], "data": big[50:] + later}
    assert since(entry, len(big) - 10) == "y" * 10 + later
    assert since({"st": [0, 0, 0, 1, 0, 1]}, 0) is None


@pytest.mark.parametrize("answer, expected", [
    (b"HTTP/1.1 200 OK\r\nX-Deploy-Release: r1\r\nContent-Length: 2\r\n\r\nok", (200, "r1", "ok")),
    (b"HTTP/1.1 200 OK\r\nx-deploy-release: a\r\nX-Deploy-Release: b\r\n\r\n", (200, "a, b", "")),  # as http.client
    (b"HTTP/1.1 503 Service Unavailable\r\n\r\nnothing deployed yet\n", (503, None, "nothing deployed yet\n")),
    (b"SSH-2.0-OpenSSH\r\n\r\n", (None, None, None)),
    (b"", (None, None, None)),
])
def test_the_readers_get_reads_the_status_and_release_of_an_answer(answer, expected):
    """The tree reader's GET on 127.0.0.1 (a plain socket: http.client's import was an eighth of its CPU): the
    status, the X-Deploy-Release header (repeated ones joined as http.client joined them), the body's start; no
    HTTP answer is a status of None with the reason."""
    import socket
    import threading

    from deploytests.verify import reader

    server = socket.create_server(("127.0.0.1", 0))
    seen = []

    def serve():
        conn, _ = server.accept()
        with conn:
            seen.append(conn.recv(4096))
            conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    got = reader.get({"port": server.getsockname()[1], "server_name": "example.test"}, "/health")
    server.close()
    assert (got["status"], got.get("release"), got.get("body")) == expected, got
    assert seen[0].startswith(b"GET /health HTTP/1.1\r\nHost: example.test\r\n")
    assert (got["status"] is None) == ("error" in got)


def test_the_probe_sends_its_programs_compiled_for_the_same_python_else_their_source(tmp_path):
    """Each program goes as a stub: the code the runner compiled from its file when the server's Python has the
    runner's bytecode magic number, else the file's source, compiled there; either way the program runs as
    ``__main__`` with its arguments, reads what follows it on stdin, and a traceback names it."""
    import ast
    import base64
    import importlib.util
    import re
    import subprocess
    import zlib
    from types import SimpleNamespace

    from deploytests.verify import facts

    program = tmp_path / "prog.py"
    program.write_text("import sys\nprint('ran', __name__, sys.argv[1:], sys.stdin.read())\n"
                       "if sys.argv[1:] == ['fail']:\n    raise SystemExit(1 / 0)\n")
    stub = facts.sent(SimpleNamespace(__file__=str(program)), "deploytests-test")
    other = stub.replace(repr(importlib.util.MAGIC_NUMBER).encode(), repr(b"\0\0\r\n").encode(), 1)
    source = ast.literal_eval(re.findall(rb"a2b_base64\((b'[^']*')\)", stub)[-1].decode())
    assert other != stub and b"print('ran'" in zlib.decompress(base64.b64decode(source))  # (for the other Python)
    for sent in (stub, other):
        boot = facts.BOOT.format(n=len(sent), name="deploytests-test")
        ran = subprocess.run([sys.executable, "-I", "-S", "-c", boot, "x"], input=sent + b"rest", capture_output=True)
        assert ran.stdout == b"ran __main__ ['x'] rest\n", ran.stderr
        failed = subprocess.run([sys.executable, "-I", "-S", "-c", boot, "fail"], input=sent, capture_output=True)
        assert failed.returncode == 1 and b'File "deploytests-test", line 4' in failed.stderr, failed.stderr


def _kernel_procs(*rows):
    """``/proc`` as root's collector sends it: ``(pid, uid, ppid, comm, argv, exe)`` each (``exe`` None: no memory
    left, an exiting process, ``vsize`` 0; ``""``: not readable by root, no CAP_SYS_PTRACE); passwd to name them."""
    st = {"st": [0o100644, 0, 0, 100, 0, 0], "data": "root:x:0:0::/root:/bin/sh\n"
          "yourapplication:x:999:999::/var/www/yourapplication:/usr/sbin/nologin\nwww-data:x:33:33::/:/bin/sh\n"}
    proc = {str(pid): {"uid": uid, "stat": f"{pid} ({comm}) S {ppid} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 "
                                           f"{0 if exe is None else 4096} 0",
                       "cmdline": "\0".join(argv.split()) + "\0" if argv else "", "exe": exe or None}
            for pid, uid, ppid, comm, argv, exe in rows}
    return parse.Procs(parse.Snapshot({"proc": proc, "files": {"/etc/passwd": st}}))


@pytest.mark.parametrize("argv, comm, exe", [
    ("/usr/sbin/apache2 - -k start", "apache2", "/usr/bin/python3.11"),  # exec'd in place, shown as a worker
    ("/usr/sbin/apache2 -k start", "apache2", "/usr/sbin/apache2"),  # the daemon itself, renamed (/proc/self/mem)
    ("python3 /tmp/.x/run.py", "python3", "/usr/bin/python3.11"),
    ("", "apache2", "/usr/bin/python3.11"),  # execve(path, [], env): no argv, but a program
    ("", "apache2", ""),  # the same where root may not read its exe (no CAP_SYS_PTRACE): it has memory still
])
def test_every_process_of_the_app_user_apache_forked_is_judged_as_a_daemon_whatever_it_shows(argv, comm, exe):
    """Class: a process identified by what it says of itself. A mod_wsgi daemon (the app's code runs there) may
    exec another program in place, or rewrite its argv: the pid, its parent (Apache's root process) and its start
    time stay, and no deploy restarts it (it never answers mod_wsgi again). Taken for a daemon by its display name
    only, it passed the process rule as 'a daemon still starting' and no daemon check saw it: the gate passed a
    backdoor of the app user that outlived the next deploy. Every such process is a daemon, so its program, its
    start and its release are judged; an exiting daemon (no argv, no program left) is none; neither is the app
    user's process another parent forked (the process rule's)."""
    procs = _kernel_procs((10, 0, 1, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (11, 33, 10, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (12, 999, 10, "apache2", "(wsgi:yourapplica -k start", "/usr/sbin/apache2"),
                          (13, 999, 10, comm, argv, exe),
                          (14, 999, 10, "apache2", "", None),  # exiting after a reload
                          (15, 999, 12, "apache2", "(wsgi:yourapplica -k start", "/usr/sbin/apache2"),
                          (16, 999, 13, "sh", "sh -c id", "/usr/bin/dash"))
    _, daemons = procs.processes("yourapplication", "(wsgi:{app})", "yourapplication")
    assert [(d["pid"], d["exe"] or "") for d in daemons] == [(12, "/usr/sbin/apache2"), (13, exe)]  # (15: a titled
    # child of a daemon is the process rule's: outside Apache's control, as it was before; not a daemon too)


def test_when_every_child_of_apache_runs_as_the_app_user_they_are_its_workers_not_daemons():
    """APACHE_RUN_USER = the app user: every worker is an app-user child of Apache showing Apache's name. They are
    workers (sec_apache_user names the run user in force: one cause, one line), not daemons each failing the
    daemon checks; only the titled daemons are daemons then."""
    procs = _kernel_procs((10, 0, 1, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (11, 999, 10, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (12, 999, 10, "apache2", "(wsgi:yourapplica -k start", "/usr/sbin/apache2"),
                          (13, 999, 10, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"))
    _, daemons = procs.processes("yourapplication", "(wsgi:{app})", "yourapplication")
    assert [d["pid"] for d in daemons] == [12]


def _leaderless(view: bool) -> dict:
    """A mod_wsgi daemon whose leader thread exited alone (the raw exit syscall): the leader's ``stat`` shows ``Z``
    and ``vsize`` 0, its ``status`` the thread group's live threads; ``view``: root's collector read the rest
    (argv, program, maps) from a live thread, else the leader's (nothing)."""
    return {"uid": 999, "stat": "13 (apache2) Z 10 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 17 0 100 0 0",
            "status": f"State:\t{'S (sleeping)' if view else 'Z (zombie)'}\nUmask:\t0007\nThreads:\t17\n",
            "cmdline": "(wsgi:yourapplica\0-k\0start\0" if view else "", "exe": "/usr/sbin/apache2" if view else None}


@pytest.mark.parametrize("view", [True, False], ids=["the collector's live-thread view", "the leader's only"])
def test_a_process_whose_leader_thread_exited_alone_is_judged_as_the_process_its_threads_run(view):
    """Class: a process judged by its leader thread. ``/proc/<pid>/stat`` and the leader's ``cmdline``, ``exe``,
    ``maps`` and fds describe one thread: a daemon's code may make that thread alone exit (``syscall(SYS_exit)`` in a
    handler of a signal sent to it), and the kernel shows the process as a zombie (``Z``, ``vsize`` 0, no argv, no
    program, no fds) while its other threads go on. Skipped as "a zombie runs nothing" and as "an exiting daemon",
    the app user's daemon outlived the next deploy and the gate passed. Its live threads (``Threads:``) say it
    runs: it is a daemon, judged by its start; a zombie (one thread: the dead leader) is none."""
    procs = _kernel_procs((10, 0, 1, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (11, 33, 10, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (12, 999, 10, "apache2", "(wsgi:yourapplica -k start", "/usr/sbin/apache2"),
                          (14, 999, 10, "apache2", "", None))
    procs.proc["13"] = _leaderless(view)
    procs.proc["14"]["stat"] = procs.proc["14"]["stat"].replace(" S ", " Z ")
    procs.proc["14"]["status"] = "State:\tZ (zombie)\nThreads:\t1\n"  # a zombie: its one thread is the dead leader
    procs.table = {p["pid"]: p for p in (procs.brief(int(pid)) for pid in procs.proc) if p}
    listed, daemons = procs.processes("yourapplication", "(wsgi:{app})", "yourapplication")
    assert [d["pid"] for d in daemons] == [12, 13] and [p["pid"] for p in listed] == [10, 11, 12, 13]
    assert daemons[1]["started"] == procs.table[12]["started"] and daemons[1]["umask"] == "0007"
    assert (daemons[1]["exe"], procs.table[13]["state"]) == (("/usr/sbin/apache2", "S") if view else (None, "S"))


# SYS_exit (the calling thread alone, not the group) by architecture: x86-64's, the generic table's (arm64,
# riscv64), the old ones' (i386, arm, ppc, s390); another machine's number is added here, never skipped
SYS_EXIT = {"x86_64": 60, "aarch64": 93, "riscv64": 93, "i686": 1, "armv7l": 1, "ppc64le": 1, "s390x": 1}
LEADER_EXITS = """
import ctypes, os, sys, threading, time
threading.Thread(target=time.sleep, args=(60,)).start()
print("ready", flush=True)
ctypes.CDLL(None).syscall(%d, 0)  # SYS_exit: the leader thread alone
""" % SYS_EXIT[os.uname().machine]


def test_the_root_collector_reads_a_process_whose_leader_thread_exited_from_its_live_thread(tmp_path):
    """The root collector, on a real process of this machine whose leader thread exited alone: its ``stat`` is the
    leader's (``Z``: its start is the process's), its program, argv and the rest a live thread's (the thread group's
    one memory): the runner judges what the process runs, not what its dead leader shows."""
    import subprocess

    from deploytests.verify import collect_root

    child = subprocess.Popen([sys.executable, "-I", "-c", LEADER_EXITS, "marker-arg"], stdout=subprocess.PIPE)
    try:
        assert child.stdout and child.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 10
        while ") Z " not in Path(f"/proc/{child.pid}/stat").read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        out = {"errors": {}, "proc": {}, "size": 0}
        collect_root.processes(out, {os.getuid()})
        entry = out["proc"][str(child.pid)]
        assert ") Z " in entry["stat"] and "marker-arg" in entry["cmdline"]
        assert entry["exe"] == os.path.realpath(sys.executable) and "Threads:\t2" in entry["status"]
        assert entry["maps"] and entry["sockets"] is not None
        brief = parse.Procs(parse.Snapshot({"proc": {str(child.pid): entry}})).brief(child.pid)
        assert brief and brief["state"] != "Z" and brief["memory"]
    finally:
        child.kill()
        child.wait()
        child.stdout and child.stdout.close()


NAMED_ZOMBIE = """
import ctypes, os, threading, time
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(15, b"x) Z y", 0, 0, 0)  # PR_SET_NAME: the leader's own name, as /proc/<pid>/stat shows it
def elsewhere():
    libc.unshare(0x200)  # CLONE_FS: this thread alone gets a working directory of its own
    os.chdir("/")
    print("ready", flush=True)
    time.sleep(60)
threading.Thread(target=elsewhere).start()
"""


def test_the_root_collector_reads_a_process_by_its_state_never_by_the_name_it_gave_itself(tmp_path):
    """Class: root deciding from text a less trusted process wrote. Root's collector read a process's live thread
    instead of its leader when its ``stat`` held ``) Z `` anywhere, and the process's name (``comm``, in that line,
    before its state) is its own to set: one named ``x) Z y`` had its newest thread read, whose working directory
    and file descriptors may be its own (``unshare(CLONE_FS)``, ``CLONE_FILES``). The state is the word after the
    last ``)``."""
    import subprocess

    from deploytests.verify import collect_root

    child = subprocess.Popen([sys.executable, "-I", "-c", NAMED_ZOMBIE], stdout=subprocess.PIPE, cwd=tmp_path)
    try:
        assert child.stdout and child.stdout.readline() == b"ready\n"
        out = {"errors": {}, "proc": {}, "size": 0}
        collect_root.processes(out, {os.getuid()})
        entry = out["proc"][str(child.pid)]
        assert "(x) Z y) S " in entry["stat"] and entry["cwd"] == str(tmp_path), entry["cwd"]
    finally:
        child.kill()
        child.wait()
        child.stdout and child.stdout.close()


def test_a_process_showing_the_daemons_title_outside_apache_is_no_daemon():
    """Class: a process identified by what it says of itself. A process of the app user (or anyone's) started
    outside Apache and titled as mod_wsgi titles the daemons (``exec -a '(wsgi:yourapplication)'``) was taken for
    a daemon: the gate named it a stale daemon ("deploy reloads by touching application.wsgi": no deploy ever
    restarts it), with the wrong umask, beside the process rule's line (four lines, one cause). A daemon is a
    process of the app user that root's Apache forked: the title is the process's own to write."""
    procs = _kernel_procs((10, 0, 1, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (11, 33, 10, "apache2", "/usr/sbin/apache2 -k start", "/usr/sbin/apache2"),
                          (12, 999, 10, "apache2", "(wsgi:yourapplica -k start", "/usr/sbin/apache2"),
                          (17, 999, 1, "sleep", "(wsgi:yourapplication) 900", "/usr/bin/sleep"),
                          (18, 33, 1, "sleep", "(wsgi:yourapplication) 900", "/usr/bin/sleep"))
    listed, daemons = procs.processes("yourapplication", "(wsgi:{app})", "yourapplication")
    assert [d["pid"] for d in daemons] == [12] and {17, 18} <= {p["pid"] for p in listed}


def test_the_deploy_user_cannot_set_the_resource_limits_of_its_reader():
    """The tree reader runs as the deploy user (``collect_root.become``), who may signal it (a stopped or killed
    reader is named: the test above) and, while it had the deploy user's real, effective and saved uid *and gid*,
    could set its resource limits: prlimit(2) asks no more (not dumpable is no bar). RLIMIT_NOFILE lowered as it
    ran made every open() and listdir() past the limit fail with EMFILE, which the reader's walks take for "not
    there": a deploy login's systemd user unit passed the gate (its home is walked by directory fds, one a level).
    Class: the deploy user changes its reader's state with the rights equal ids give it. The reader's real and
    saved gid are a group the deploy user is not in (``nogroup``): its file rights are the deploy user's (effective
    gid, groups), and prlimit(2) of any limit is refused. (Needs root, as the probe's program has: a fork becomes
    another user of this machine, a second fork as that user tries.)"""
    import grp
    import pwd
    import resource
    import time

    from deploytests.verify import collect_root

    nogroup = grp.getgrnam("nogroup").gr_gid
    other = next(p for p in pwd.getpwall() if p.pw_uid not in (0, os.getuid()) and p.pw_gid != nogroup)
    r, w = os.pipe()
    reader = os.fork()
    if reader == 0:  # the probe's program after its reply: becomes the deploy user, then reads (here: waits)
        os.close(r)
        collect_root.become(other.pw_name)
        os.write(w, b"x")
        time.sleep(30)
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    try:
        ids = {ln.split(":")[0]: ln.split()[1:] for ln in Path(f"/proc/{reader}/status").read_text().splitlines()
               if ln.startswith(("Uid:", "Gid:"))}
        assert ids["Uid"] == [str(other.pw_uid)] * 4  # (real, effective, saved, file system)
        # it reads as the deploy user (effective and file system gid, groups); its real and saved gid are nogroup
        assert ids["Gid"] == [str(nogroup), str(other.pw_gid), str(nogroup), str(other.pw_gid)]
        assert str(other.pw_gid) in Path(f"/proc/{reader}/status").read_text().split("Groups:")[1].split("\n")[0]
        tried = {}
        for limit in (resource.RLIMIT_NOFILE, resource.RLIMIT_AS, resource.RLIMIT_NPROC):
            attacker = os.fork()
            if attacker == 0:  # the deploy login: its own uid, gid and groups
                os.initgroups(other.pw_name, other.pw_gid)
                os.setgid(other.pw_gid)
                os.setuid(other.pw_uid)
                try:
                    resource.prlimit(reader, limit, (8, 8))
                except PermissionError:
                    os._exit(0)
                os._exit(1)
            tried[limit] = os.waitstatus_to_exitcode(os.waitpid(attacker, 0)[1])
        assert tried == {resource.RLIMIT_NOFILE: 0, resource.RLIMIT_AS: 0, resource.RLIMIT_NPROC: 0}, (
            "the deploy user set its reader's limits (1: it could)")
    finally:
        os.kill(reader, 9)
        os.waitpid(reader, 0)


@pytest.mark.parametrize("location, follows", [
    ("https://example.test/health", True),  # certbot --redirect: the same URL over TLS, its copy of the site
    ("https://elsewhere.example/health", False), ("http://example.test/health", False), (None, False),
])
def test_the_readers_inside_get_follows_only_the_sites_own_redirect_to_tls(monkeypatch, location, follows):
    """GET http://127.0.0.1 (Host: server_name) answered 301 once the site redirects to TLS: the inside check
    failed on a site that serves. The reader asks again over TLS on 127.0.0.1:443 only when it is sent to the same
    name and path over https (the certificate not judged: it asks the server itself); any other answer stands."""
    from deploytests.verify import reader

    asked = []

    def get(args, path, limit=1 << 16, tls=False):
        asked.append(tls)
        return {"status": 200, "release": "r1", "body": "ok"} if tls else \
            {"status": 301, "release": None, "body": "", **({"location": location} if location else {})}

    monkeypatch.setattr(reader, "get", get)
    got = reader.inside({"port": 80, "server_name": "example.test"}, "/health")
    assert asked == ([False, True] if follows else [False])
    assert got == ({"status": 200, "release": "r1", "body": "ok", "tls": True} if follows else
                   {"status": 301, "release": None, "body": "", **({"location": location} if location else {})})


def test_a_5xx_failure_names_the_exception_the_app_logged():
    """Class: a check's 5xx reported without the app's error, which only the Apache error log holds (shown with -v
    only): a Bottle app's template SyntaxError was "GET / answered 500" and its error page. Members: the suite's
    homepage check ("GET / answered 500"), a project's own deploy test through deploy_http ("GET url -> 500"); a
    traceback logged before the verification began is not this failure's."""
    import time as _time

    from deploytests.plugin.reporting import ANSWERED_5XX
    from deploytests.verify.diagnostics import app_error

    def stamp(t):
        return _time.strftime("[%a %b %d %H:%M:%S.000001 %Y] [wsgi:error] [pid 7:tid 9] [remote 172.17.0.1:5]",
                              _time.localtime(t))

    now = _time.time()
    old = f"{stamp(now - 600)} Traceback (most recent call last):\n{stamp(now - 600)} KeyError: 'old'\n"
    new = (f"{stamp(now)} Traceback (most recent call last):\n{stamp(now)}   File \"x.tpl\", line 3\n"
           f"{stamp(now)}     % end</ul>\n{stamp(now)} SyntaxError: invalid syntax\n"
           f"[{_time.strftime('%a %b %d %H:%M:%S.1 %Y', _time.localtime(now))}] [authz_core:error] [pid 1] "
           "AH01630: client denied by server configuration: /var/www/x/application.wsgi\n")
    assert app_error(old + new, now - 1) == "SyntaxError: invalid syntax"
    assert app_error(old, now - 1) is None
    assert ANSWERED_5XX.search("GET / answered 500") and ANSWERED_5XX.search("GET http://h/ -> 502: x")
    assert not ANSWERED_5XX.search("GET / answered 404") and not ANSWERED_5XX.search("POST http://h/ -> 303")


def test_snapshot_realpath_resolves_recorded_links_and_dot_names():
    """The collector's recorded links resolved as the kernel would: relative and absolute targets, ``.`` and
    ``..`` in a path or a target, a link to ``/``, a chain; what is not recorded stays as written."""
    st = [0o120777, 0, 0, 1, 0, 1, 0]
    snap = parse.Snapshot({"files": {
        "/bin": {"st": st, "link": "usr/bin"}, "/etc/alternatives/py": {"st": st, "link": "/usr/bin/python3.11"},
        "/usr/bin/python3": {"st": st, "link": "../bin/./python3.11"}, "/top": {"st": st, "link": "/"},
        "/usr/lib/up": {"st": st, "link": ".."}, "/chain": {"st": st, "link": "/etc/alternatives/py"}}})
    assert snap.realpath("/bin/python3") == "/usr/bin/python3.11"
    assert snap.realpath("/etc/alternatives/py") == "/usr/bin/python3.11"
    assert snap.realpath("/chain") == "/usr/bin/python3.11"
    assert snap.realpath("/top/bin/x") == "/usr/bin/x"
    assert snap.realpath("/top/top/etc") == "/etc"
    assert snap.realpath("/usr/lib/up/share") == "/usr/share"
    assert snap.realpath("/usr/./lib/../share/a") == "/usr/share/a"
    assert snap.realpath("/../etc/./passwd") == "/etc/passwd"
    assert snap.realpath("/") == "/"
    assert snap.realpath("//srv//www/") == "/srv/www"


def test_the_root_collectors_budget_counts_bytes_as_the_reply_writes_them(monkeypatch, tmp_path):
    """The budget counted the bytes read, and the reply writes a control byte as ``\\u0001``, six: 1100 processes
    of the deploy user, each holding a 64 KiB environment of them, took root's collector to 856 MiB on a real
    container and its reply to 362 MiB inflated, past the runner's 64 MiB (the host's probe failed, every fact of
    root's lost, naming no cause). Each read now spends what it costs in the reply, within 48 MiB in all, and past
    that the bound is named, the rest of the reply sent."""
    from deploytests.verify import collect_root as c

    assert c.BIG <= 48 << 20  # (below the runner's 64 MiB: room for the reply's own structure)
    monkeypatch.setattr(c, "BIG", 1 << 20)
    monkeypatch.setattr(os, "readlink", lambda p: "\x01" * 65536)
    out: dict = {"files": {}, "errors": {}, "size": 0}
    read = [c.kernel(out, "/proc/self/exe") for _ in range(64)]  # 4 MiB raw, 24 MiB as JSON
    assert "/proc" in out["errors"] and len(json.dumps(read)) < (1 << 20) + 6 * 65536, len(json.dumps(read))
    job = tmp_path / "a0001"  # the other member: an at job or a crontab, its owner's bytes
    job.write_bytes(b"\x01" * 65536)
    out = {"files": {}, "errors": {}, "size": 0}
    c.read(out, str(job), 65536, True)
    assert out["size"] == len(json.dumps(out["files"][str(job)]["data"])) == 6 * 65536 + 2, out["size"]


def test_the_apps_exception_is_found_behind_a_traceback_longer_than_the_shown_tail():
    """Seen as a user: a Django release with a migration forgotten answered 500 on `/` and `POST /add/`; the log held
    `django.db.utils.OperationalError: no such column: photos_photo.camera` (LOGGING to the console, as init says),
    yet the root causes said only `GET / answered 500`: Django's chained traceback (the sqlite3 error, "The above
    exception was the direct cause of...", the handler's frames) ran past the 40 lines the search was given, so its
    header was not among them. Class: the app's error missed for a traceback longer than the shown tail. Other
    member: a Flask traceback through a deep template chain (60 frames)."""
    import time as _time

    from deploytests.verify.diagnostics import app_error

    now = _time.time()
    pre = _time.strftime("[%a %b %d %H:%M:%S.000001 %Y] [wsgi:error] [pid 7:tid 9] [remote 172.17.0.1:5]",
                         _time.localtime(now))

    def traceback(frames: int, last: str, cause: str = "") -> str:
        lines = [f"{pre} Internal Server Error: /", f"{pre} Traceback (most recent call last):"]
        if cause:
            lines += [f'{pre}   File "/v/site-packages/django/db/backends/utils.py", line 105, in _execute',
                      f"{pre}     return self.cursor.execute(sql, params)", f"{pre} {cause}", pre,
                      f"{pre} The above exception was the direct cause of the following exception:", pre,
                      f"{pre} Traceback (most recent call last):"]
        for n in range(frames):
            lines += [f'{pre}   File "/v/site-packages/pkg/mod{n}.py", line {n}, in f{n}', f"{pre}     f{n + 1}()",
                      f"{pre}     ^^^^^^^^^^"]
        return "\n".join(lines + [f"{pre} {last}"]) + "\n"

    django = traceback(40, "django.db.utils.OperationalError: no such column: photos_photo.camera",
                       cause="sqlite3.OperationalError: no such column: photos_photo.camera")
    assert app_error(django, now - 1) == "django.db.utils.OperationalError: no such column: photos_photo.camera"
    flask = traceback(60, "jinja2.exceptions.UndefinedError: 'quote' is undefined")
    assert app_error(flask, now - 1) == "jinja2.exceptions.UndefinedError: 'quote' is undefined"
