"""The remote agent's decisions, run on the runner: naming, pruning, rollback target, lock, gate, release tree.

The agent is stdlib-only; the same source runs on servers, so these tests exercise the real remote logic.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests.pipeline import agent
from deploytests.testing import FakeClock, current_user, deploy_args, rollback_args

IDS = ["20260101T000000Z-aaaaaaaa", "20260102T000000Z-bbbbbbbb", "20260103T000000Z-cccccccc",
       "20260104T000000Z-dddddddd", "20260105T000000Z-eeeeeeee"]


def test_plan_prune_removes_oldest_but_never_live_or_previous():
    assert agent.plan_prune(IDS, IDS[4], IDS[3], keep=3) == IDS[:2]
    assert agent.plan_prune(IDS, IDS[4], IDS[3], keep=5) == []
    # after a rollback the live release is old: it and the previous one survive, newer ones go first by age
    assert agent.plan_prune(IDS, IDS[0], IDS[4], keep=2) == IDS[1:4]
    assert agent.plan_prune(IDS, None, None, keep=2) == IDS[:3]


def test_previous_of_is_the_newest_older_release():
    assert agent.previous_of(IDS, IDS[2]) == IDS[1]
    assert agent.previous_of(IDS, IDS[0]) is None
    assert agent.previous_of([], None) is None


def test_next_release_id_sorts_after_every_existing_release():
    existing = {"20261126T170000Z-aaaaaaaa", "20261126T170005Z-bbbbbbbb", "failed.log", ".tmp"}
    assert agent.next_release_id("20261126T170010Z-cccccccc", existing) == "20261126T170010Z-cccccccc"
    # same second as the newest, or a runner clock behind the server's history: moved one second past it
    assert agent.next_release_id("20261126T170005Z-cccccccc", existing) == "20261126T170006Z-cccccccc"
    assert agent.next_release_id("20261126T165900Z-cccccccc", existing) == "20261126T170006Z-cccccccc"
    assert agent.next_release_id("20261126T235959Z-cccccccc", {"20261126T235959Z-x"}) == "20261127T000000Z-cccccccc"
    assert agent.next_release_id("20261126T170000Z-aaaaaaaa", set()) == "20261126T170000Z-aaaaaaaa"


def test_emit_reports_a_gone_runner_instead_of_raising(monkeypatch):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(agent, "_RUNNER", {"connected": True})
    monkeypatch.setattr(agent.sys, "stdout", Closed())
    assert agent.emit("step", step="switch") is False
    assert agent.emit("step", step="gate") is False and agent._RUNNER == {"connected": False}


def test_unique_release_id_and_complete_releases():
    assert agent.unique_release_id("r", {"x"}) == "r"
    assert agent.unique_release_id("r", {"r", "r-2"}) == "r-3"
    names = IDS[:3] + [".current.1", "failed.log"]
    assert agent.complete_releases(names, lambda n: n != IDS[1] and n != "failed.log") == [IDS[0], IDS[2]]


def test_lock_is_exclusive_waits_then_fails_naming_the_holder(tmp_path):
    path = str(tmp_path / ".deploy.lock")
    held = agent.acquire_lock(path, 1)
    agent.write_lock_owner(held, {"pid": 42, "user": "deployer", "by": "me@runner", "release": "r1", "since": "t"})
    clock, waits = FakeClock(), []
    with pytest.raises(agent.AgentError) as info:
        agent.acquire_lock(path, 2, on_wait=waits.append, clock=clock, sleep=clock.sleep)
    assert "pid=42 user=deployer by=me@runner release=r1" in info.value.what and "gave up after 2s" in info.value.what
    assert waits == ["pid=42 user=deployer by=me@runner release=r1 since=t"] and clock.now >= 2
    os.close(held)  # the holder "dies": the kernel frees the lock, no stale-lock handling needed
    os.close(agent.acquire_lock(path, 0))


def test_the_lock_is_the_deploy_logins_alone_and_a_holder_that_is_not_the_deploy_it_names_is_said(tmp_path):
    """``.deploy.lock`` was 0644, and flock(2) needs only an open fd, a read-only one too: the app user (code in
    the app) took it and held it, and every deploy and every rollback waited out its bound and failed with
    "another deploy holds .deploy.lock (pid=249 user=deployer ... since=<the last deploy>)" and "a dead holder frees
    the lock by itself": a compromised app blocked its own replacement, and the line sent the operator to wait.
    Class: a lock others may take. The lock is 0600 (made so, and made so again by every agent that opens it: an
    older 0644 one too), and a wait that times out says when the deploy its line names is gone (someone else holds
    it open: find it as root)."""
    import stat as st

    path = tmp_path / ".deploy.lock"
    path.write_text("pid=249 user=deployer by=me@runner release=r0 since=t\n")
    path.chmod(0o644)
    other = os.open(path, os.O_RDONLY)  # opened while it was 0644: by anyone
    fcntl.flock(other, fcntl.LOCK_EX)
    clock = FakeClock()
    dead = subprocess.Popen(["true"])
    dead.wait()
    path.write_text(f"pid={dead.pid} user=deployer by=me@runner release=r0 since=t\n")
    with pytest.raises(agent.AgentError) as info:
        agent.acquire_lock(str(path), 2, clock=clock, sleep=clock.sleep)
    assert st.S_IMODE(path.stat().st_mode) == 0o600
    assert f"pid {dead.pid} is gone" in info.value.what and "fuser" in info.value.hint, info.value
    os.close(other)
    os.close(agent.acquire_lock(str(path), 0))
    fresh = tmp_path / "new.lock"
    os.close(agent.acquire_lock(str(fresh), 0))
    assert st.S_IMODE(fresh.stat().st_mode) == 0o600


def test_gate_polls_until_the_new_release_answers_and_reports_the_last_answer():
    answers = iter([ConnectionRefusedError("refused"), (200, "old"), (503, "new"), (200, "new"), (200, "old"),
                    (200, "new"), (200, "new"), (200, "new")])  # a process still on the old release restarts the count

    def probe(port, path, host, timeout=5.0):
        a = next(answers)
        if isinstance(a, Exception):
            raise a
        return a

    clock = FakeClock()
    args = rollback_args("/var/www/app", port=80, server_name="localhost")
    ok = agent.gate(args, "new", 5, clock=clock, sleep=clock.sleep, probe=probe, stale=lambda app, since: [])
    assert ok == (True, 8, "HTTP 200 from release new")
    clock = FakeClock()
    ok, attempts, last = agent.gate(args, "new", 1, clock=clock, sleep=clock.sleep, probe=lambda *a: (500, None))
    assert not ok and attempts == 21 and last == "HTTP 500 from release (no X-Deploy-Release header)"


def test_gate_lets_the_answers_decide_when_the_new_release_starts_answering_at_its_bound():
    """Seen live (a busy 2-core machine, Pyramid importing for 15 s in each new daemon): the new release
    answered 200 with its id as the 30 s bound passed, one answer of the 3 in a row the gate wants: refused and
    rolled back with "health gate failed after 30s (7 attempts): HTTP 200 from release <new>", a failure whose
    evidence says the release works. Class: a bound that cuts off a check that is succeeding (the stale daemon's
    burst already lets the next answer decide past it). Members: the settle finished past the bound passes; an
    answer from another release past the bound still fails."""
    args = rollback_args("/var/www/app", port=80, server_name="localhost")
    for late, expected in (([(200, "new")] * 3, True), ([(200, "new"), (200, "old")], False)):
        clock = FakeClock()
        answers = iter(late)

        def probe(port, path, host, timeout=5.0, clock=clock, answers=answers):
            return (200, "old") if clock() < 1.0 else next(answers)

        ok, attempts, last = agent.gate(args, "new", 1, clock=clock, sleep=clock.sleep, probe=probe,
                                        stale=lambda app, since: [])
        assert ok is expected and last == f"HTTP 200 from release {'new' if expected else 'old'}", (ok, last)


def test_gate_waits_longer_for_an_answer_that_comes_later_than_its_first_wait():
    """A release whose daemons answer in 12 s (importing the app on a loaded server: a request given up on is
    still served) was refused: every GET gave up after a fixed 5 s, within a 60 s bound. Each GET now waits
    twice as long after one that ran out, up to what is left of the bound; a release that never answers is still
    refused at the bound."""
    args = rollback_args("/var/www/app", port=80, server_name="localhost")
    for takes, expected in ((12.0, True), (1e9, False)):
        clock, waits = FakeClock(), []

        def slow(port, path, host, timeout=5.0, clock=clock, takes=takes, waits=waits):
            waits.append(timeout)
            clock.sleep(min(timeout, takes))
            if timeout < takes:
                raise TimeoutError("no complete answer within %gs" % timeout)
            return 200, "new"

        ok, attempts, last = agent.gate(args, "new", 60, clock=clock, sleep=clock.sleep, probe=slow,
                                        stale=lambda app, since: [])
        assert ok is expected, (ok, attempts, last, waits)
        assert waits[:3] == [5.0, 10.0, 20.0] and clock() < 60 + 2 * 60, waits


def test_gate_wakes_a_daemon_the_polls_never_reached():
    """Three answers in a row from the new release can all come from one mod_wsgi daemon: while /proc shows a
    daemon of the app started before the reload, the gate sends requests at once (one reaches it: it restarts)."""
    clock, asked, left = FakeClock(), [], [[4242], [4242], []]
    args = rollback_args("/var/www/app", port=80, server_name="localhost")

    def probe(port, path, host, timeout=5.0):
        asked.append(path)
        return 200, "new"

    ok = agent.gate(args, "new", 5, clock=clock, sleep=clock.sleep, probe=probe, stale=lambda app, since: left.pop(0))
    assert ok[0] and len(asked) > 3 + 8 and not left  # polls, two bursts of 8, until no daemon is from before
    clock, left = FakeClock(), [[4242]] * 500
    assert agent.gate(args, "new", 1, clock=clock, sleep=clock.sleep, probe=probe,
                      stale=lambda app, since: left.pop())[0]  # past the bound: the answers decide, as before
    assert agent.stale_daemons(SimpleNamespace(app="no-such-app-here", app_user="root"), time.time()) == []


def test_gate_touches_again_backing_off_while_another_release_answers_or_a_daemon_from_before_stays():
    """A touch a daemon took in while loading is made again: 1 s after the caller's, then 2 s, 4 s later, while
    another release answers; answers right, when a daemon from before the switch is still shown 3 s after the
    first burst (one a burst reached exits in a moment: no touch for it, which would restart every daemon twice);
    never while the new release answers and no daemon is from before."""
    args = rollback_args("/var/www/app", port=80, server_name="localhost")
    for probe, stale, want in [(lambda *a: (200, "old"), lambda app, since: [], [1, 3, 7]),
                               (lambda *a: (200, "new"), lambda app, since: [4242], [3, 5])]:  # (3 s after a burst)
        clock, touches = FakeClock(), []
        agent.gate(args, "new", 8, clock=clock, sleep=clock.sleep, probe=probe, stale=stale,
                   retouch=lambda touches=touches, clock=clock: touches.append(round(clock.now)))
        assert touches == want, touches
    clock, touches = FakeClock(), []
    assert agent.gate(args, "new", 8, clock=clock, sleep=clock.sleep, probe=lambda *a: (200, "new"),
                      stale=lambda app, since: [], retouch=lambda: touches.append(clock.now))[0] and touches == []


def test_after_a_touch_made_again_a_daemon_restarted_before_it_is_from_before():
    """Class: the pipeline changes what the daemons load after some of them started. Touching application.wsgi
    again (a daemon took the first touch in while loading) moves its ctime past the start of a daemon that had
    already restarted for the first touch; the gate counted daemons from before the switch only, returned with that
    one running, and the read-only gate then said a file it loads changed after it started (a false alarm after a
    rollback, under load). Every touch moves the line: daemons must start after the last one."""
    args = rollback_args("/var/www/app", port=80, server_name="localhost")
    clock, seen, touches = FakeClock(), [], []
    answers = iter([(200, "old")] * 30 + [(200, "new")] * 100)

    def stale(app, since):
        seen.append(since)
        return []

    assert agent.gate(args, "new", 8, clock=clock, sleep=clock.sleep, probe=lambda *a: next(answers), stale=stale,
                      since=agent.boot_clock() - 60, retouch=lambda: touches.append(clock.now))[0]
    assert touches and seen and min(seen) > agent.boot_clock() - 60, (touches, seen)  # the line moved to the touch


def test_a_burst_that_outlasts_the_bound_does_not_refuse_a_release_that_answers():
    """Class: the gate's bound checked between a good streak and the answer that follows it. With the answers
    right and a daemon from before still shown, a burst that took the gate past its bound made it refuse the
    release (a rollback switched back, at load 15-20) where the bound means: the answers decide."""
    clock = FakeClock()
    args = rollback_args("/var/www/app", port=80, server_name="localhost")

    def probe(port, path, host, timeout=5.0):
        clock.sleep(0.1)  # every request takes time, the burst's too
        return 200, "new"

    assert agent.gate(args, "new", 1, clock=clock, sleep=clock.sleep, probe=probe, stale=lambda app, since: [4242])[0]
    clock = FakeClock()

    def later_old(port, path, host, timeout=5.0):  # the old release answers again once the bound has passed
        clock.sleep(0.1)
        return 200, "new" if clock() < 1 else "old"

    ok = agent.gate(args, "new", 1, clock=clock, sleep=clock.sleep, probe=later_old, stale=lambda app, since: [4242])
    assert not ok[0] and ok[2] == "HTTP 200 from release old"  # past the bound, a wrong answer still refuses


def test_a_daemon_started_just_before_the_switch_is_stale_and_one_started_after_is_not(monkeypatch):
    """The gate's /proc reading of the app's daemons (a real process titled as mod_wsgi titles them, the title cut to
    the length of Apache's argv[0]: compared whole, it never matched an app name over 10 characters): started 0.3 s
    before the switch is stale (with the wall clock and the boot time's whole seconds it was not: the margin was a
    second, and after a rollback right behind a deploy such a daemon served the old release); started after the
    switch is not (else the gate would burst until its bound). This test's process stands for Apache's root process
    (``apache_child``); a process of another user, or one another process started, is no daemon whatever its title:
    titled so outside Apache, it held every deploy and rollback at the gate's bound."""
    import pwd
    import subprocess

    me = SimpleNamespace(app="perfapplication", app_user=pwd.getpwuid(os.getuid()).pw_name)
    monkeypatch.setattr(agent, "apache_child", lambda ppid: ppid == os.getpid())
    before = agent.boot_clock()
    time.sleep(0.3)
    # titled as mod_wsgi titles a daemon of "perfapplication" under /usr/sbin/apache2: cut to 17 characters
    proc = subprocess.Popen(["bash", "-c", 'exec -a "(wsgi:perfapplic" sleep 30'])
    outside = subprocess.Popen(["bash", "-c", '(exec -a "(wsgi:perfapplic" sleep 30) & wait'])  # bash's child
    try:
        wait_for = time.monotonic() + 5
        while not agent.stale_daemons(me, agent.boot_clock() + 1) and time.monotonic() < wait_for:
            time.sleep(0.01)  # until it has exec'd under its title
        time.sleep(0.05)  # more than a clock tick since it started
        assert agent.stale_daemons(me, agent.boot_clock()) == [proc.pid]  # it started before "now"
        assert agent.stale_daemons(me, before) == []  # it started after that switch
        assert agent.stale_daemons(me, None) == []  # no clock: nothing known beyond the answers
        other = "nobody" if me.app_user != "nobody" else "root"
        assert agent.stale_daemons(SimpleNamespace(app="perfapplication", app_user=other), agent.boot_clock()) == []
        monkeypatch.setattr(agent, "apache_child", lambda ppid: False)  # the same processes, outside Apache
        assert agent.stale_daemons(me, agent.boot_clock()) == []
    finally:
        for p in (proc, outside):
            p.kill()
            p.wait()
    assert not agent.apache_child(os.getpid()) and not agent.apache_child(1) or open("/proc/1/comm").read() in (
        "apache2\n", "httpd\n")  # a process not named as Apache's root is none (this one; init)


def test_daemon_titles_as_mod_wsgi_writes_them():
    assert agent.is_daemon_title("(wsgi:yourapplica", "yourapplication")  # cut to /usr/sbin/apache2's length
    assert agent.is_daemon_title("(wsgi:app)", "app")
    assert not agent.is_daemon_title("(wsgi:otherapp)", "app")
    assert not agent.is_daemon_title("(wsgi:", "app") and not agent.is_daemon_title("/usr/sbin/apache2", "app")


def serve_once(answer: bytes, *, hold: float = 0.0):
    """A listener on 127.0.0.1 answering one request with ``answer`` (then holding the connection ``hold``
    seconds before closing it); returns (port, the request it received, the thread)."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    got: list[bytes] = []

    def serve():
        conn, _ = listener.accept()
        with conn, listener:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            got.append(data)
            conn.sendall(answer)
            time.sleep(hold)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], got, thread


@pytest.mark.parametrize("answer, expected", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-deploy-release: 20260101T000000Z-aaaaaaaa\r\n\r\nok",
     (200, "20260101T000000Z-aaaaaaaa")),
    (b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nnot r\r\n0\r\n\r\n",
     (503, None)),
])
def test_probe_reads_the_status_and_release_header_of_a_real_answer(answer, expected):
    port, got, thread = serve_once(answer)
    assert agent.probe(port, "/health", "app.example") == expected
    thread.join(5)
    request = got[0].decode()
    assert request.startswith("GET /health HTTP/1.1\r\n") and "\r\nHost: app.example\r\n" in request, request


def test_probe_refuses_what_is_not_http_and_bounds_a_silent_server():
    port, _, thread = serve_once(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    with pytest.raises(ValueError, match="not an HTTP answer: 'SSH-2.0-OpenSSH_9.2'"):
        agent.probe(port, "/health", "app.example")
    thread.join(5)
    # the head never ends and the connection stays open for 3 s: the bound ends the probe first (without it
    # the probe would read to the close and return)
    port, _, thread = serve_once(b"HTTP/1.1 200 OK\r\n", hold=3)
    with pytest.raises(OSError):
        agent.probe(port, "/health", "app.example", timeout=0.5)
    thread.join(5)


def make_release(tree, rid, **meta):
    os.makedirs(tree.release(rid))
    if meta is not None:
        with open(os.path.join(tree.release(rid), "RELEASE.json"), "w") as f:
            json.dump(dict(meta, id=rid), f)


def test_tree_switch_is_a_symlink_rename_and_leftovers_are_recovered(tmp_path):
    tree = agent.Tree(str(tmp_path))
    os.makedirs(tree.releases)
    open(tree.wsgi, "w").close()
    make_release(tree, IDS[0], version="1.0")
    make_release(tree, IDS[1], version="2.0")
    os.makedirs(tree.release(IDS[2]))  # a dead deploy's half-built release: no RELEASE.json
    tree.record_failure("r0", "0.1", "refused")
    tree.switch(IDS[0])
    tree.switch(IDS[1])
    assert os.readlink(tree.current) == "releases/" + IDS[1] and tree.live() == IDS[1]
    assert tree.listing() == IDS[:2] and tree.meta(IDS[0])["version"] == "1.0"
    assert tree.remove_incomplete() == [IDS[2]] and not os.path.exists(tree.release(IDS[2]))
    assert sorted(os.listdir(tmp_path)) == ["application.wsgi", "current", "releases"]
    assert sorted(os.listdir(tree.releases)) == [*IDS[:2], "failed.log"]


def test_check_tree_explains_a_missing_bootstrap(tmp_path):
    with pytest.raises(agent.AgentError, match="releases is missing or not writable") as info:
        agent.check_tree(agent.Tree(str(tmp_path)))
    assert "run bootstrap first" in info.value.hint


def test_as_app_uses_sudo_only_for_another_user_and_only_for_the_release_python():
    """The sudoers rule allows the release venv's python as the app user, nothing else: no ``sudo env``."""
    import pwd
    me = pwd.getpwuid(os.getuid()).pw_name
    py = "/var/www/a/releases/r1/venv/bin/python"
    assert agent.as_app(rollback_args("/var/www/a", app_user=me), [py, "-c", "1"]) == [py, "-c", "1"]
    assert agent.as_app(rollback_args("/var/www/a", app_user="someone"), [py, "-c", "1"]) == [
        "sudo", "-n", "-u", "someone", "--", py, "-c", "1"]


def test_unpack_refuses_unsafe_members(tmp_path):
    import io
    import tarfile
    bad = tmp_path / "bad.tar"
    with tarfile.open(bad, "w") as tar:
        info = tarfile.TarInfo("../escape")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(agent.AgentError, match="unsafe entry '../escape'"):
        agent.unpack(str(bad), str(tmp_path / "out"))


def test_receive_checks_size_and_sha(tmp_path):
    import hashlib
    import io
    data = b"artifact bytes"
    agent.receive(io.BytesIO(data), str(tmp_path / "a"), len(data), hashlib.sha256(data).hexdigest())
    assert (tmp_path / "a").read_bytes() == data
    with pytest.raises(agent.AgentError, match="arrived damaged"):
        agent.receive(io.BytesIO(data[:-1]), str(tmp_path / "b"), len(data), hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------- prebuilt tree, release check

def _tar(path, files):
    import io
    import tarfile

    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755 if name.startswith("bin/") else 0o644
            tar.addfile(info, io.BytesIO(data))


def test_extract_tree_rewrites_the_placeholder_shebang_and_refuses_unsafe_members(tmp_path):
    venv, placeholder = str(tmp_path / "rel" / "venv"), "/__deploytests_venv__/bin/python"
    _tar(tmp_path / "deps.tar", {"bin/flask": b"#!" + placeholder.encode() + b"\nimport sys\n",
                                 "bin/data.sh": b"#!/bin/sh\necho hi\n",
                                 "lib/python3.11/site-packages/m.py": b"X = 1\n"})
    assert agent.extract_tree(str(tmp_path / "deps.tar"), venv, placeholder) == 3
    assert Path(venv, "bin/flask").read_bytes() == ("#!%s/bin/python\nimport sys\n" % venv).encode()
    assert os.access(venv + "/bin/flask", os.X_OK)
    assert Path(venv, "bin/data.sh").read_bytes() == b"#!/bin/sh\necho hi\n"
    for bad in ("../escape.py", "/etc/passwd", "lib/../../x"):
        _tar(tmp_path / "bad.tar", {bad: b"x"})
        with pytest.raises(agent.AgentError, match="unsafe entry"):
            agent.extract_tree(str(tmp_path / "bad.tar"), venv, placeholder)
    assert not (tmp_path / "rel" / "escape.py").exists()


def test_shebang_falls_back_to_sh_for_long_or_spaced_paths():
    assert agent.shebang("/r/venv/bin/python") == b"#!/r/venv/bin/python"
    long = "/" + "x" * 130 + "/bin/python"
    assert agent.shebang(long).startswith(b"#!/bin/sh\n'''exec' '" + long.encode() + b"' \"$0\" \"$@\"\n")
    assert agent.shebang("/a b/python").startswith(b"#!/bin/sh\n")


@pytest.fixture
def release(tmp_path, monkeypatch):
    """A release dir whose venv python is this interpreter, an app module beside it, run as ourselves."""
    import pwd
    import sys

    rel = tmp_path / "rel"
    (rel / "venv" / "bin").mkdir(parents=True)
    os.symlink(sys.executable, rel / "venv" / "bin" / "python")
    events = []
    monkeypatch.setattr(agent, "emit", lambda event, **f: events.append(f))
    args = deploy_args(str(tmp_path), entry_point="app:app", health_path="/health", server_name="x.test",
                       config_env="APP_CFG", config_path=str(tmp_path / "app.cfg"),
                       app_user=pwd.getpwuid(os.getuid()).pw_name, post_deploy=["echo ran > marker; echo $APP_CFG"])
    return rel, args, events


APP = """
import os
from pathlib import Path
def app(environ, start_response):
    ok = os.path.exists("marker") and environ["PATH_INFO"] == "/health"
    start_response("200 OK" if ok else "500 BOOM", [])
    return [b"x"]
"""


def test_release_check_imports_once_runs_post_deploy_then_gets_health(release):
    rel, args, events = release
    (rel / "app.py").write_text(APP)
    steps = agent.Steps()
    agent.check_release(args, str(rel), steps)
    assert [e["step"] for e in events if "seconds" in e] == ["import", "post_deploy", "preflight"]
    assert (rel / "marker").read_text() == "ran\n" and set(steps.timings) == {"import", "post_deploy", "preflight"}
    events.clear()
    agent.check_release(args.replace(post_deploy=[]), str(rel), agent.Steps(), health=False)
    assert [e["step"] for e in events] == ["import"]


UNTOUCHED, RAN = "the live release was not touched", "the live release still serves, but post_deploy already ran"


@pytest.mark.parametrize("source, post, step, message, hint", [
    ("raise ImportError('no such thing')", ["true"], "import",
     "failed its preflight (import app:app) (exit 1): ImportError: no such thing", UNTOUCHED),
    (APP, ["echo first; echo oops >&2; exit 7"], "post_deploy",
     "post-deploy command 'echo first; echo oops >&2; exit 7' failed (exit 7): oops", RAN),
    (APP, [], "preflight",
     "failed its preflight (GET /health in-process) (exit 1): preflight: GET /health -> 500 BOOM", UNTOUCHED),
    (APP.replace('"marker"', '"other"'), ["true"], "preflight",
     "failed its preflight (GET /health in-process) (exit 1): preflight: GET /health -> 500 BOOM", RAN),
])
def test_release_check_failures_name_their_step(release, source, post, step, message, hint):
    rel, args, events = release
    (rel / "app.py").write_text(source)
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args.replace(post_deploy=post), str(rel), agent.Steps())
    assert info.value.step == step and message in info.value.what, info.value.what
    assert info.value.hint.startswith(hint), info.value.hint


# The class: the app runs without the config the deploy installed (it reads another path, another env var, or
# none), and nothing failed. Each member below is refused at import, before post_deploy, with where it looked.
READS = {
    "its config": 'import os\nCONFIG = open(os.environ["APP_CFG"]).read()\n',
    "its config through a link": 'import os\nos.symlink(os.environ["APP_CFG"], "via")\nCONFIG = open("via").read()\n',
}
IGNORES = {  # the app's source (VENV: the release's venv), and what the hint must say
    "nothing": ("", []),
    "Flask's default instance folder": (  # an installed package's: <sys.prefix>/var/<name>-instance
        'try:\n    open("VENV/var/app-instance/config.py")\nexcept OSError:\n    pass\n',
        ["it looked for ", "/venv/var/app-instance/config.py (missing)", "instance_path="]),
    "another env var": (
        'import os\npath = os.environ.get("APP_SETTINGS")\nCONFIG = open(path).read() if path else ""\n',
        ["the environment variable APP_SETTINGS (not set)", "set config_env to that name"]),
}


@pytest.mark.parametrize("name", READS)
def test_an_app_reading_its_config_at_start_passes(release, name):
    rel, args, events = release
    Path(args.config_path).write_text("A = 1\n")
    (rel / "app.py").write_text(READS[name] + APP)
    agent.check_release(args, str(rel), agent.Steps(), config=True)
    assert (rel / "marker").is_file()


def test_an_app_reading_its_config_at_its_first_request_passes(release):
    """Read lazily, at the first request: one watched GET of the health path before post_deploy sees it (its
    answer not judged then: this app answers 500 until post_deploy has run); the health GET after judges."""
    rel, args, events = release
    Path(args.config_path).write_text("A = 1\n")
    (rel / "app.py").write_text(APP + "_inner = app\nCONFIG = []\ndef app(environ, start_response):\n"
                                "    CONFIG or CONFIG.append(open(os.environ['APP_CFG']).read())\n"
                                "    return _inner(environ, start_response)\n")
    agent.check_release(args, str(rel), agent.Steps(), config=True)
    assert (rel / "marker").is_file()


@pytest.mark.parametrize("name", IGNORES)
def test_an_app_not_reading_its_config_is_refused_before_post_deploy(release, name, tmp_path):
    rel, args, events = release
    Path(args.config_path).write_text("A = 1\n")
    source, said = IGNORES[name]
    (rel / "app.py").write_text(source.replace("VENV", str(rel / "venv")) + APP)
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps(), config=True)
    err = info.value
    assert err.step == "import" and not (rel / "marker").exists()  # post_deploy never ran on the live data
    assert f"the app never opened {args.config_path}, where the deploy installed config_file" in err.what, err.what
    assert err.hint.startswith("the live release was not touched; "), err.hint
    # the way out for an app that reads its config lazily is named too (newuser5 F17: only "change the app" or
    # "drop the config" were)
    for text in said + ["make the app read the file $APP_CFG names",
                        f"point health_path in deploy.toml at a route that reads it: the check watches the start "
                        f"and one GET of health_path (now {args.health_path})"]:
        assert text in err.hint, err.hint
    # without a config to install (config_file unset) the same app deploys: nothing to read
    (rel / "marker").unlink(missing_ok=True)
    agent.check_release(args, str(rel), agent.Steps(), config=False)
    assert (rel / "marker").is_file()


def test_a_database_inside_the_release_is_named_whatever_the_framework(tmp_path):
    args = deploy_args(str(tmp_path), shared_paths=["data"])
    (tmp_path / "shared" / "data").mkdir(parents=True)  # writable: not what the hint is about
    rel = str(tmp_path / "releases" / "r1")
    db = rel + "/venv/lib/python3.11/site-packages/db.sqlite3"
    out = ["django.db.utils.OperationalError: unable to open database file"]
    hint = agent.instance_hint(args, rel, out, {"framework": "django", "databases": [db]})
    assert hint.startswith(f"the app's SQLite database {db} lies inside the release") and "DATABASES' NAME" in hint
    assert "Flask" not in hint
    assert agent.instance_hint(args, rel, out, {"framework": "django", "databases": ["/srv/x.db"]}) is None
    assert "instance_path=" in agent.instance_hint(args, rel, out, {"framework": "flask"})


def test_release_check_names_and_kills_what_post_deploy_and_the_app_leave_running(release):
    """A post_deploy background job and a process the app's import starts: named in the deploy's steps, killed;
    neither holds the check (each would sleep an hour)."""
    rel, args, events = release
    (rel / "app.py").write_text(APP + "import subprocess\nsubprocess.Popen(['sleep', '3631'])\n")
    agent.check_release(args.replace(post_deploy=["echo ran > marker; sleep 3632 &"]), str(rel), agent.Steps())
    said = {e["step"]: e.get("message", "") for e in events if "seconds" in e}
    # the job is named by its command line as the kernel has it: `sleep 3632`, or the shell's forked child that
    # has not exec'd sleep yet (`sh -c echo ran > marker; sleep 3632 &`): either way it is named and killed
    assert "left running after it ended: " in said["post_deploy"], said
    # (or, read in the instant its execve swaps its memory, by the kernel's name for it: `[sleep]`)
    assert re.search(r"\d+ ([^(]*sleep 3632[^(]*|\[sleep\]) \(killed\)", said["post_deploy"]), said
    assert "sleep 3631 (killed)" in said["strays"], said


def test_a_post_deploy_command_past_its_bound_refuses_the_release_in_one_line(release):
    rel, args, events = release
    (rel / "app.py").write_text(APP)
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args.replace(post_deploy=["exec >&- 2>&-; sleep 3633"], post_deploy_timeout=3),
                            str(rel), agent.Steps())
    assert info.value.step == "post_deploy"
    assert info.value.what == ("post-deploy command 'exec >&- 2>&-; sleep 3633' ran longer than post_deploy_timeout "
                               "(3s) and was killed with its process group")
    assert "raise post_deploy_timeout in deploy.toml" in info.value.hint


def test_a_release_check_past_its_bound_is_killed_and_refused_in_one_line(release):
    """An app whose import never ends: the check as a whole is bounded (post_deploy_timeout, plus one period)."""
    rel, args, events = release
    (rel / "app.py").write_text(APP + "import time\ntime.sleep(3634)\n")
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args.replace(post_deploy=[], post_deploy_timeout=1), str(rel), agent.Steps())
    assert info.value.step == "import"
    assert info.value.what.startswith("the release check (import app:app) ran longer than 1s"), info.value.what
    assert info.value.hint.startswith(UNTOUCHED)


def test_install_refuses_compiled_wheels_for_another_machine_before_making_the_venv(tmp_path):
    here = "%d.%d" % __import__("sys").version_info[:2]
    other = "aarch64" if os.uname().machine != "aarch64" else "x86_64"
    manifest = {"tree": ["tree/deps.tar"], "python_version": here, "machine": other, "placeholder": "/p",
                "platform_wheels": ["markupsafe-2.1.5-cp311-cp311-manylinux2014_%s.whl" % other]}
    args = deploy_args(str(tmp_path))
    with pytest.raises(agent.AgentError) as info:
        agent.install(args, str(tmp_path), manifest)
    assert str(info.value) == ("the artifact was packed for %s (markupsafe-2.1.5-cp311-cp311-manylinux2014_%s.whl "
                               "is compiled for it), this server is %s" % (other, other, os.uname().machine))
    assert info.value.hint == "pack for %s (pytest packs for the machine bootstrap reports)" % os.uname().machine
    assert not (tmp_path / "venv").exists()
    # only pure-Python wheels: the machine does not matter, the install goes on (no artifact.tar here to extract)
    with pytest.raises(FileNotFoundError, match="artifact.tar"):
        agent.install(args, str(tmp_path), dict(manifest, platform_wheels=[]))
    assert (tmp_path / "venv" / "bin" / "python").exists()
def test_plan_deploy_a_changed_config_alone_is_a_new_release():
    same = {"settings_sha256": "s" * 64}
    live = {"artifact_sha256": "a" * 64, "config_sha256": "c" * 64, **same}
    assert agent.plan_deploy("r1", live, "a" * 64, "c" * 64, same) == (True, False, [])   # no change
    assert agent.plan_deploy("r1", live, "a" * 64, "d" * 64, same) == (True, True, [])    # config alone: a deploy
    assert agent.plan_deploy("r1", live, "b" * 64, "c" * 64, same) == (False, False, [])  # new code, same config
    assert agent.plan_deploy("r1", live, "a" * 64, None, same) == (True, False, [])       # no config sent
    assert agent.plan_deploy(None, {}, "a" * 64, "c" * 64, same) == (False, True, [])     # first deploy
    assert agent.plan_deploy("r0", {"artifact_sha256": "a" * 64, **same}, "a" * 64, "c" * 64, same) == \
        (True, True, [])


@pytest.mark.parametrize("change", [
    {"entry_point": "yourapplication:create_app()"},
    {"post_deploy": ("true",)},
    {"post_deploy_timeout": 42.0},
    {"health_path": "/healthz"},
    {"static": (("/assets", "yourapplication/static"),)},
    {"env": (("FEATURE", "on"),)},
])
def test_plan_deploy_a_changed_setting_alone_is_a_new_release_naming_it(change):
    """Class: the release's identity missed inputs that change what runs (entry_point, post_deploy alone were
    "no change" and never applied). The runner records every such deploy.toml input and their digest."""
    import datetime as dt

    from deploytests.config import load_config
    from deploytests.examples import APPS
    from deploytests.pipeline.artifact import Artifact
    from deploytests.pipeline.releases import release_meta

    cfg = load_config(APPS / "yourapplication")
    art = Artifact(path=Path("/nonexistent"), app="yourapplication", name="yourapplication", version="1.0",
                   sha256="a" * 64, size=1, python_version="3.11")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    live = dict(release_meta(cfg, art, now), config_sha256=None)
    assert agent.plan_deploy("r1", live, "a" * 64, None, release_meta(cfg, art, now)) == (True, False, [])
    name = next(iter(change))
    changed = replace(cfg, **change)
    assert agent.plan_deploy("r1", live, "a" * 64, None, release_meta(changed, art, now)) == (True, False, [name])
    # a live release from before settings were recorded: changed once, said as such
    old = {k: v for k, v in live.items() if k not in ("settings", "settings_sha256")}
    assert agent.plan_deploy("r1", old, "a" * 64, None, release_meta(cfg, art, now))[2]


@pytest.mark.parametrize("planted", ["link", "file"])
def test_a_shared_paths_parent_that_is_no_directory_is_named_with_its_path_and_who_may_write_there(tmp_path, planted):
    """The app user writes the parents of a nested shared path (``shared/venv/var`` for Flask's instance folder: 2770,
    group app). It put a link (or a file) there; the next deploy stopped in make_tree with ``[Errno 20] Not a
    directory: 'var'`` and the hint 'free space, or make the root this login's again (fab bootstrap)': neither the
    path nor the cause. The line names the path and says who may write there and what to do."""
    root = tmp_path / "app"
    (root / "releases").mkdir(parents=True)
    (root / "shared" / "venv").mkdir(parents=True)
    var = root / "shared" / "venv" / "var"
    var.symlink_to(tmp_path) if planted == "link" else var.write_text("")
    args = deploy_args(str(root), shared_paths=["data", "venv/var/x-instance"])
    with pytest.raises(agent.AgentError) as info:
        agent.check_tree(agent.Tree(str(root)), make=args)
    assert f"{var}: not a directory" in info.value.what and "the app user" in info.value.hint, info.value
    assert (root / "shared" / "data").is_dir() and tmp_path.is_dir() and not (tmp_path / "x-instance").exists()


@pytest.mark.parametrize("framework", ["flask", "django"])
def test_a_database_whose_directory_is_missing_is_named_not_guessed(tmp_path, framework):
    """newuser12: a fleet host whose config set SQLALCHEMY_DATABASE_URI to sqlite:////nonexistent/dir/notes.sqlite
    was refused with "if it lies in the app's instance folder ... pass instance_path=..." although deploy.toml kept
    the instance folder (venv/var/notes-instance, as init writes it) and the app had connected to a path the
    release check saw. Class: a hint that guesses where the facts name the thing. The database the app connected
    to, in a directory that does not exist, is named with that directory, whatever the framework."""
    args = deploy_args(str(tmp_path), shared_paths=["venv/var/notes-instance"])
    rel = str(tmp_path / "releases" / "r1")
    db = str(tmp_path / "nonexistent" / "dir" / "notes.sqlite")
    out = ["sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) unable to open database file"]
    hint = agent.instance_hint(args, rel, out, {"framework": framework, "databases": [db]})
    assert hint == (f"the app's SQLite database {db} cannot be opened: its directory {tmp_path}/nonexistent/dir "
                    "does not exist: set the database's path in the config file (config_file in deploy.toml) to a file "
                    "under a shared path, "
                    f"e.g. {tmp_path}/shared/data/ with \"data\" in shared_paths"), hint


def test_the_error_line_is_the_exception_not_a_note_printed_after_it():
    """newuser12: the fleet's table said `refused ... (exit 1): (Background on this error at:
    https://sqlalche.me/e/21/e3q8)`: the last line of SQLAlchemy's traceback, a note it prints after the exception.
    Class: the one-line error taken as the output's last line (PEP 678 notes, library footers). After a traceback
    the line is its last exception line; output without a traceback keeps its last line."""
    sqla = ["Traceback (most recent call last):", '  File "x.py", line 1, in <module>',
            "sqlite3.OperationalError: unable to open database file", "",
            "The above exception was the direct cause of the following exception:", "",
            "Traceback (most recent call last):", '  File "y.py", line 2, in <module>',
            "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) unable to open database file",
            "(Background on this error at: https://sqlalche.me/e/21/e3q8)"]
    assert agent.error_line(sqla) == sqla[-2]
    noted = ["Traceback (most recent call last):", '  File "z.py", line 3, in <module>', "ValueError: bad port",
             "note: set PORT in the config"]
    assert agent.error_line(noted) == "ValueError: bad port"
    assert agent.error_line(["migrating...", "error: no such table", ""]) == "error: no such table"
    # an exception whose class is not called *Error (Django's ImproperlyConfigured, jinja2's TemplateNotFound) is
    # the line after its frames, not the program's own last line
    django = ["Traceback (most recent call last):", '  File "m.py", line 9, in <module>', "    setup()",
              "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must not be empty.",
              "preflight: GET /health -> 500 Internal Server Error"]
    assert agent.error_line(django) == django[3]
    # a traceback a framework logs behind its own prefix (Falcon's error handler, to wsgi.errors)
    falcon = ["2026-12-07 01:19:12 [FALCON] [ERROR] GET /health => Traceback (most recent call last):",
              '  File "things/resources.py", line 6, in on_get', '    resp.media = {"db": self.missing}',
              "AttributeError: 'HealthResource' object has no attribute 'missing'",
              "preflight: GET /health -> 500 Internal Server Error"]
    assert agent.error_line(falcon) == falcon[3]
    assert agent.error_line([]) == "no output"


def test_a_database_hint_for_an_app_configured_from_its_environment_names_a_variable_not_the_config_file(tmp_path):
    # Class: a hint telling the user to write a setting where it cannot go. startproject's DATABASES (NAME under
    # BASE_DIR: in the release's venv on the servers), deployed with config_as_env (an env file: NAME=value lines),
    # got "set DATABASES' NAME in the config file": an env file holds no Django setting. Other member: the hint for
    # a database whose directory does not exist.
    rel = str(tmp_path / "releases" / "r1")
    out = ["django.db.utils.OperationalError: unable to open database file"]
    inside = {"framework": "django", "databases": [rel + "/venv/lib/python3.11/site-packages/db.sqlite3"]}
    gone = {"framework": "django", "databases": ["/srv/nowhere/db.sqlite3"]}
    env = deploy_args(str(tmp_path), shared_paths=["data"], release={"settings": {"config_as_env": True}})
    for facts in (inside, gone):
        hint = agent.instance_hint(env, rel, out, facts)
        assert "from an environment variable in the code" in hint and "in the env file (config_file in deploy.toml)" \
            in hint and "in the config file" not in hint, hint
    plain = deploy_args(str(tmp_path), shared_paths=["data"])
    assert "set DATABASES' NAME in the config file (config_file in deploy.toml) to a file under a shared path" in \
        agent.instance_hint(plain, rel, out, inside)


@pytest.mark.parametrize("framework", ["", "flask", "django"])
@pytest.mark.parametrize("blocked", ["dir", "file"])
def test_a_database_the_app_user_cannot_write_is_named_with_what_blocks_it(tmp_path, framework, blocked):
    """Pyramid's starter ini (sqlalchemy.url = sqlite:///%(here)s/wiki.sqlite, the ini installed as
    shared/production.ini) put the database in shared/ itself, which the app user cannot write: refused with
    "if it lies in the app's instance folder ... Flask's default ... pass instance_path= to Flask(...)", for an app
    that is no Flask app, although the release check had seen the path it connected to. Class: a hint that guesses
    where the facts name the thing (as for a missing directory). Members: the directory not writable (SQLite writes
    its journal beside the file), the file itself read-only; whatever the framework."""
    args = deploy_args(str(tmp_path), shared_paths=["data"])
    (tmp_path / "shared" / "data").mkdir(parents=True)
    rel = str(tmp_path / "releases" / "r1")
    db = tmp_path / "shared" / "wiki.sqlite"
    db.write_text("")
    (db if blocked == "file" else db.parent).chmod(0o440 if blocked == "file" else 0o550)
    out = ["sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) unable to open database file"]
    try:
        hint = agent.instance_hint(args, rel, out, {"framework": framework, "databases": [str(db)]})
    finally:
        db.parent.chmod(0o750)
    what = db if blocked == "file" else db.parent
    mode = "0440" if blocked == "file" else "0550"
    assert hint.startswith(f"the app's SQLite database {db} cannot be opened: the app user {current_user()} cannot "
                           f"write {what} (owner "), hint
    assert f"mode {mode})" in hint and f'{tmp_path}/shared/data/ with "data" in shared_paths' in hint, hint
    assert "Flask" not in hint and "instance_path" not in hint, hint


@pytest.mark.parametrize("missing, said", [
    ("PIL", "the app imports 'PIL', which is not installed in the release"),
    ("app.views_gone", "the app imports 'app.views_gone' (part of the app), which is not in the release"),
])
def test_a_module_the_release_lacks_is_named_wherever_its_import_fails(missing, said):
    """Seen live: a Django view importing PIL (Pillow not declared) failed in post_deploy (migrate's system
    checks import the urls and views), and the hint said "fix the command and deploy again": the command was
    right, the release lacked a dependency. Class: the missing-module facts used only when the entry point's
    import fails. Members: a library (the dependency to declare), a module of the app (the wheel lacks it); in
    post_deploy's output and in the health GET's (a view imported at the first request)."""
    output = ["Traceback (most recent call last):", '  File "views.py", line 1, in <module>',
              f"ModuleNotFoundError: No module named '{missing}'"]
    hint = agent.missing_module_hint(rollback_args("/var/www/app", entry_point="app.wsgi:application"), output)
    assert hint is not None and hint.startswith(said), hint
    assert agent.missing_module_hint(rollback_args("/var/www/app"), ["KeyError: 'X'"]) is None


DJANGO_CONF = """
class _Settings:
    MEDIA_ROOT, FILE_UPLOAD_TEMP_DIR, SESSION_ENGINE, EMAIL_BACKEND = MEDIA, None, "x.db", "x.smtp.EmailBackend"
    CACHES, DATABASES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                     "LOCATION": CACHE}}, {}
settings = _Settings()
"""
FLASK_LIKE = "class _App:\n    url_map, config = {}, {'UPLOAD_FOLDER': UPLOADS}\n    __call__ = staticmethod(app)\n" \
             "app = _App()\n"


@pytest.mark.parametrize("framework", ["django-media", "django-cache", "flask-uploads"])
def test_a_release_whose_settings_keep_files_inside_it_is_refused_before_post_deploy(release, framework):
    # Class: a place the app writes to, named by its settings, lies in the release (its venv: startproject's
    # BASE_DIR / "media"), which the app user cannot write and every release replaces: the app starts and answers
    # its health GET, the deploy passed (192 tests), the first upload answered 500, and an upload that did land
    # would be lost at the next release. Members: Django's MEDIA_ROOT, a file-based cache's LOCATION, Flask's
    # UPLOAD_FOLDER. Read from the started app's settings, judged as the app user, before post_deploy.
    rel, args, events = release
    inside = str(rel / "venv" / "lib" / "python3.11" / "site-packages" / "media")
    shared = str(Path(args.root) / "shared" / "cache")
    (rel / "django").mkdir()
    (rel / "django" / "__init__.py").write_text("")
    media, cache = (inside, shared) if framework == "django-media" else (shared, inside)
    (rel / "django" / "conf.py").write_text(f"MEDIA, CACHE = {media!r}, {cache!r}\n" + DJANGO_CONF)
    if framework == "flask-uploads":
        (rel / "app.py").write_text(f"UPLOADS = {inside!r}\n" + APP + FLASK_LIKE)
    else:
        (rel / "app.py").write_text("import django.conf\n" + APP)
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps())
    err, name = info.value, {"django-media": "MEDIA_ROOT", "django-cache": "CACHES['default'] LOCATION",
                             "flask-uploads": "UPLOAD_FOLDER"}[framework]
    assert err.step == "import" and not (rel / "marker").exists(), err  # post_deploy never ran
    assert err.what.startswith(f"the new release keeps the app's files inside the release ({rel}), which the app "
                               "user cannot write and every release replaces") and f"{name} is {inside}" in err.what
    assert err.hint.startswith("the live release was not touched; ") and "\n" not in err.what + err.hint
    sub = {"MEDIA_ROOT": "media", "UPLOAD_FOLDER": "uploads"}.get(name, "data")
    assert f"{args.root}/shared/{sub} is kept across releases" in err.hint and f'list "{sub}" in shared_paths' in \
        err.hint, err.hint


def test_settings_placing_files_in_shared_pass_the_release_check(release):
    rel, args, events = release
    (rel / "django").mkdir()
    (rel / "django" / "__init__.py").write_text("")
    media = Path(args.root) / "shared" / "media"
    media.mkdir(parents=True)
    (rel / "media").symlink_to(media)  # a shared path's link in the release leads out of it
    (rel / "django" / "conf.py").write_text(f"MEDIA, CACHE = {str(rel / 'media')!r}, ''\n" + DJANGO_CONF)
    (rel / "app.py").write_text("import django.conf\n" + APP)
    agent.check_release(args, str(rel), agent.Steps())
    assert (rel / "marker").is_file()


@pytest.mark.parametrize("framework", ["flask", "django", "from-config"])
def test_a_release_signing_with_a_key_written_in_its_code_is_refused_before_post_deploy(release, framework,
                                                                                        monkeypatch):
    # Class: a signing key anyone who reads the code knows. A Flask-Babel app's factory kept Flask's tutorial
    # SECRET_KEY="dev" and init's from_envvar config left SECRET_KEY commented out: both servers signed sessions
    # with "dev" and the gate passed (180 tests). Judged on the started app, whatever its config: its key found
    # written in a .py file of its package or its settings module. Other member: Django's settings module with
    # startproject's django-insecure key. A key the config sets passes. The key is never printed.
    rel, args, events = release
    key = "dev-key-written-in-code"
    if framework == "django":
        (rel / "django").mkdir()
        (rel / "django" / "__init__.py").write_text("")
        (rel / "django" / "conf.py").write_text(
            "import importlib, os\nsettings = importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE'])\n")
        (rel / "mysettings.py").write_text(f"DEBUG = False\nSECRET_KEY = {key!r}\nMEDIA_ROOT = ''\n"
                                           "FILE_UPLOAD_TEMP_DIR = None\nCACHES = {}\nSESSION_ENGINE = 'x.db'\n"
                                           "EMAIL_BACKEND = 'smtp'\n")
        monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "mysettings")
        (rel / "app.py").write_text("import django.conf\n" + APP)
    else:
        given = repr(key) if framework == "flask" else "os.environ['APP_CFG']"  # (a value the code does not hold)
        (rel / "app.py").write_text(APP + "class _App:\n    url_map = {}\n"
                                    f"    config = {{'SECRET_KEY': {given}}}\n"
                                    "    __call__ = staticmethod(app)\napp = _App()\n")
    if framework == "from-config":
        agent.check_release(args, str(rel), agent.Steps())
        assert (rel / "marker").is_file()
        return
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps())
    err = info.value
    where = "mysettings.py:2" if framework == "django" else "app.py:"
    assert err.step == "import" and not (rel / "marker").exists(), err  # post_deploy never ran
    assert err.what.startswith("the new release signs with a SECRET_KEY written in its own code (") and \
        where in err.what and "anyone who reads the code can forge its sessions" in err.what, err.what
    assert err.hint.startswith("the live release was not touched; set SECRET_KEY in the config file"), err.hint
    assert key not in err.what + err.hint + (err.detail or "") + repr(events) and "\n" not in err.what + err.hint


def test_a_misplaced_media_root_of_an_app_configured_from_its_environment_is_fixed_with_a_variable(tmp_path):
    rel = str(tmp_path / "releases" / "r1")
    facts = {"misplaced": [["MEDIA_ROOT", rel + "/venv/media", "inside"], ["UPLOAD_FOLDER", "/srv/up", "denied: /srv"]]}
    env = deploy_args(str(tmp_path), shared_paths=["data"], release={"settings": {"config_as_env": True}})
    what, hint = agent.misplaced_data(env, rel, facts)
    assert what.endswith(f"MEDIA_ROOT is {rel}/venv/media; also UPLOAD_FOLDER (/srv/up)"), what
    assert f'MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"), and set DJANGO_MEDIA_ROOT=' \
           f'{tmp_path}/shared/media in the env file' in hint and 'list "media" in shared_paths' in hint, hint
    what, hint = agent.misplaced_data(deploy_args(str(tmp_path), shared_paths=["media"]), rel,
                                      {"misplaced": [["MEDIA_ROOT", "/srv/m", "denied: /srv"]]})
    assert what.startswith("the new release keeps the app's files where the app user") and "/srv" in what, what
    assert hint == f"set MEDIA_ROOT in the config file (config_file in deploy.toml) to {tmp_path}/shared/media: " \
                   f"{tmp_path}/shared/media is kept across releases and rollbacks", hint


SIGNALS = """
import sys
class Signal:
    receivers = []
    def connect(self, receiver, dispatch_uid=None):
        self.receivers.append(receiver)
    def send(self, sender, **kwargs):
        for receiver in self.receivers:
            receiver(sender=sender, **kwargs)
got_request_exception = Signal()
"""
SWALLOWS = APP + """
from django.core.signals import got_request_exception
def app(environ, start_response):
    try:
        1 // 0
    except Exception:  # Django's convert_exception_to_response, DEBUG off: a 500, logged nowhere
        got_request_exception.send(sender=None, request=environ)
    start_response("500 Internal Server Error", [])
    return [b"<h1>Server Error (500)</h1>"]
"""


def test_a_health_get_answering_500_names_the_exception_the_framework_swallowed(release):
    # Django with DEBUG off answers a view's exception with a 500 and prints nothing: the refused release said
    # "preflight: GET /health/ -> 500 Internal Server Error", no cause. The release check prints what Django
    # reports through got_request_exception, as Flask, Bottle and Falcon write theirs to wsgi.errors.
    rel, args, events = release
    for name, text in (("django/__init__.py", ""), ("django/core/__init__.py", ""),
                       ("django/core/signals.py", SIGNALS)):
        (rel / name).parent.mkdir(parents=True, exist_ok=True)
        (rel / name).write_text(text)
    (rel / "app.py").write_text(SWALLOWS)
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps())
    assert info.value.what.endswith("(exit 1): ZeroDivisionError: integer division or modulo by zero"), info.value.what


@pytest.mark.parametrize("error", ["jinja2.exceptions.TemplateNotFound: index.html",
                                   "django.template.exceptions.TemplateDoesNotExist: home.html",
                                   "bottle.TemplateError: Template 'make_table' not found."])
def test_a_template_missing_from_the_release_is_explained_by_what_the_release_holds(release, error):
    # Class: files the app reads at run time that live in the project but outside the app's packages, so not in
    # the wheel, the only part of the project a release holds: Bottle's views/ beside its single module (the
    # tutorial's layout: "Template 'make_table' not found", hint "fix the app and deploy again"), Flask's
    # templates/ beside a single-module app, a Django project's BASE_DIR / "templates".
    rel, args, events = release
    trace = f'Traceback (most recent call last):\n  File "x.py", line 1, in view\n    render()\n{error}\n'
    (rel / "app.py").write_text(APP + f"""
import sys
def app(environ, start_response):
    sys.stderr.write({trace!r})
    start_response("500 Internal Server Error", [])
    return [b"error"]
""")
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps())
    assert info.value.what.endswith(error), info.value.what
    name = {"jinja2": "index.html", "django": "home.html", "bottle": "make_table"}[error.split(".")[0]]
    assert f"no file of the release is named {name}: the release holds the app's wheel ({rel}/venv), not the " \
           "project's other files, so a template dir outside the app's packages is not in it" in info.value.hint, \
        info.value.hint
    # the file is in the release (a template of the app's package): not this cause, not this hint
    (rel / "venv" / "views").mkdir(parents=True)
    (rel / "venv" / "views" / (name if "." in name else name + ".tpl")).write_text("x")
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps())
    assert "no file of the release" not in info.value.hint, info.value.hint


def test_a_migrations_dir_missing_from_the_release_is_explained_by_what_the_release_holds(release):
    # The same class as the templates' (files outside the app's packages): Flask-Migrate's `flask db init` makes
    # migrations/ beside the package; `flask db upgrade` as post_deploy failed with Alembic's "Path doesn't
    # exist: migrations." and the hint "fix the command and deploy again".
    rel, args, events = release
    (rel / "app.py").write_text(APP)
    failing = ["echo \"Error: Path doesn't exist: migrations.  Please use the 'init' command to create a new "
               "scripts folder.\" >&2; exit 1"]
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args.replace(post_deploy=failing), str(rel), agent.Steps())
    assert info.value.step == "post_deploy" and f"the release has no {rel}/migrations: it holds the app's wheel " \
        f"({rel}/venv), not the project's other files" in info.value.hint, info.value.hint
    (rel / "migrations").mkdir()  # there: another cause (the command's own), not this hint
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args.replace(post_deploy=failing), str(rel), agent.Steps())
    assert "the release has no" not in info.value.hint, info.value.hint
