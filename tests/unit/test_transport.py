"""Transport and input (issue 10, findings 4, 5, 7-12): every decision without Docker, with fakes and fake clocks.

Bounded waits (the watchdog, the lost-host message), redaction of escaped secrets, targets.toml types, key
files (permissions, passphrase, agent), interrupts of a many-host step, the sweep racing another run, one-line
HTTP failures, the agent's status and no-change prune.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from deploytests.errors import ConfigError, ConnectError, DeployError, HostOutcome
from deploytests.pipeline import agent, remote
from deploytests.pipeline.contract import StatusArgs
from deploytests.pipeline.hosts import run_on_hosts
from deploytests.testing import FakeClock, FakeConn, deploy_args

# ---------------------------------------------------------------- 4: bounded waits

def test_watchdog_declares_a_host_lost_once_nothing_answered_for_the_bound():
    from deploytests.ssh import Watchdog

    clock, answers, lost, asked = FakeClock(), iter([True, True]), [], []

    def ask():  # answers the first two requests at once, then never
        asked.append(clock.now)
        answered = next(answers, False)
        return lambda: answered

    dog = Watchdog(ask, bound=3, interval=1, on_lost=lost.append, clock=clock)
    looks = []
    while (then := dog.tick()) is not None:  # each look says when the next is due: nothing looks in between
        looks.append(then)
        clock.now = then
    assert lost == ["no answer for 3 s"] and asked == pytest.approx([0, 1, 2])
    assert looks == pytest.approx([1, 2, 1 + 3])  # the next asks, then the bound's end from the last answer (t=1)
    assert clock.now == pytest.approx(1 + 3)


def test_watchdog_sees_an_answer_when_woken_before_the_bound():
    from deploytests.ssh import Watchdog

    clock, answered, lost = FakeClock(), [], []
    dog = Watchdog(lambda: (lambda: bool(answered)), bound=3, interval=1, on_lost=lost.append, clock=clock)
    assert dog.tick() == pytest.approx(3)  # asked at 0, unanswered: looks again at the bound's end at the latest
    clock.now, answered[:] = 0.5, [True]  # the answer came (its thread wakes the watchdog)
    assert dog.tick() == pytest.approx(1.5) and lost == []  # the next ask, an interval after that answer


def test_watchdog_stops_quietly_when_the_connection_closes():
    from deploytests.ssh import Watchdog

    lost, asked = [], []
    dog = Watchdog(lambda: asked.append(1) or (lambda: False), bound=3, interval=1, on_lost=lost.append,
                   clock=FakeClock())
    assert dog.tick() is not None and asked == [1]
    dog.stop()
    assert dog.tick() is None and lost == [] and asked == [1]


def test_one_thread_keeps_every_deadline():
    """The runner's deadlines (each connection's watchdog, each HTTP request's bound) on one thread, which sleeps
    until the earliest one: an entry due sooner than that wakes it; an entry's due() says when it is due again."""
    import threading
    import time

    from deploytests.ssh import Watchdog
    from deploytests.waiting import Deadlines

    deadlines, called, done = Deadlines(), [], threading.Event()

    class Entry:
        def __init__(self, name, again=None):
            self.name, self.again = name, list(again or [])

        def due(self):
            called.append(self.name)
            if self.name == "soon" and len(called) >= 3:
                done.set()
            return time.monotonic() + self.again.pop() if self.again else None

    dogs = [Watchdog(lambda: (lambda: True), bound=30, interval=3600, on_lost=print) for _ in range(50)]
    before = threading.active_count()
    for dog in dogs:
        deadlines.at(dog, time.monotonic() + 3600)
    deadlines.at(Entry("late"), time.monotonic() + 3600)
    deadlines.at(Entry("soon", [0.01, 0.01]), time.monotonic() + 0.01)  # sooner than the thread sleeps until
    assert done.wait(10) and called == ["soon"] * 3  # woken, and called again when it asked to be
    assert threading.active_count() == before + 1
    for dog in dogs:
        dog.stop()
        deadlines.drop(dog)
    assert len(deadlines.when) == 1  # the late entry alone


def test_host_timeout_setting_and_env(monkeypatch):
    from deploytests.settings import resolve
    from deploytests.ssh import host_timeout

    assert host_timeout({}) == 30.0 and host_timeout({"DEPLOYTESTS_HOST_TIMEOUT": "4.5"}) == 4.5
    with pytest.raises(ConfigError, match="DEPLOYTESTS_HOST_TIMEOUT=abc: not a positive number of seconds"):
        host_timeout({"DEPLOYTESTS_HOST_TIMEOUT": "abc"})
    base = dict(cli={}, ini={}, cwd=os.getcwd(), ini_dir=os.getcwd())
    assert resolve(env={}, **base).host_timeout == 30.0
    assert resolve(env={"DEPLOYTESTS_HOST_TIMEOUT": "5"}, **base).host_timeout == 5.0
    with pytest.raises(ConfigError, match=r"--host-timeout=0 \(from DEPLOYTESTS_HOST_TIMEOUT environment"):
        resolve(env={"DEPLOYTESTS_HOST_TIMEOUT": "0"}, **base)


@pytest.mark.parametrize("command, args, done, expected", [
    ("deploy", {}, [], "lock"),
    ("deploy", {}, ["lock", "upload", "unpack"], "install"),
    ("deploy", {"post_deploy": ["x"]}, ["lock", "upload", "unpack", "install", "import"], "post_deploy"),
    ("deploy", {"post_deploy": []}, ["lock", "upload", "unpack", "install", "import"], "preflight"),
    ("deploy", {}, ["lock", "lock_wait"], "upload"),
    ("rollback", {}, ["lock"], "switch"),
    ("status", {}, [], "status"),
])
def test_the_step_in_progress_is_the_one_after_the_last_reported(command, args, done, expected):
    assert remote.step_in_progress(command, args, done) == expected


def _channel_ends(monkeypatch, events):
    """exec_stream as it returns when the host vanished: some step events, then EOF without an exit status."""
    lines = [agent.EVENT + json.dumps(e) for e in events]

    def fake(c, line, stdin, on_event, **kwargs):
        for e in events:
            on_event(e)
        return remote.ChannelResult(-1, "\n".join(lines), "", events)

    monkeypatch.setattr(remote, "exec_stream", fake)


STEPS = [{"event": "step", "step": s, "seconds": 0.1, "message": ""} for s in ("lock", "upload", "unpack")]


@pytest.mark.parametrize("error", [EOFError(), OSError("Socket is closed"), "ssh"])
def test_the_upload_thread_ends_quietly_when_the_connection_dies_under_it(tmp_path, error):
    """A host lost mid-upload is reported by the reading side; the writer thread must not raise (paramiko raises
    EOFError or SSHException from ``sendall`` then), which pytest would turn into an unhandled-thread error."""
    from paramiko import SSHException

    exc = SSHException("channel closed") if error == "ssh" else error
    sent = []

    class DyingChannel:
        def sendall(self, data):
            if sent:
                raise exc
            sent.append(data)

        def shutdown_write(self):
            raise AssertionError("no EOF after a failed send")

    big = tmp_path / "artifact.tar"
    big.write_bytes(b"x" * 10)
    caught = []
    hook, threading.excepthook = threading.excepthook, caught.append
    try:
        writer = threading.Thread(target=remote._feed, args=(DyingChannel(), (b"source", big)))
        writer.start()
        writer.join(5)
    finally:
        threading.excepthook = hook
    assert not writer.is_alive() and caught == [] and sent == [b"source"]


def test_a_frozen_host_is_one_line_naming_host_bound_and_step(monkeypatch):
    _channel_ends(monkeypatch, STEPS)
    c = FakeConn("docker://web-2", lost="no answer for 30 s")
    with pytest.raises(ConnectError) as info:
        remote.call_agent(c, "deploy", {}, step="deploy")
    assert str(info.value).startswith("docker://web-2: no answer for 30 s during step install.")
    assert "@@DT" not in info.value.render() and "\n" not in str(info.value)


def test_a_lost_host_is_one_line_not_protocol_text(monkeypatch):
    _channel_ends(monkeypatch, STEPS)
    with pytest.raises(ConnectError) as info:
        remote.call_agent(FakeConn("docker://web-2"), "deploy", {}, step="deploy")
    assert str(info.value).startswith("docker://web-2: connection lost during step install")
    assert "@@DT" not in info.value.render()


def test_an_agent_killed_on_a_live_connection_is_not_a_lost_host(monkeypatch):
    from deploytests.errors import CommandFailed

    _channel_ends(monkeypatch, STEPS)
    with pytest.raises(CommandFailed, match=r"deploy: the agent did not finish during step install \(exit -1\): "
                                            r"no output\. Hint: the agent was killed") as info:
        remote.call_agent(FakeConn("docker://web-2", active=True), "deploy", {}, step="deploy")
    assert "@@DT" not in info.value.render()


class SilentChannel:
    """A paramiko channel whose agent prints one step and then nothing, until closed."""

    def __init__(self):
        self.sent, self.closed, self.first, self.eof_received = [], False, True, False

    def exec_command(self, command):
        pass

    def recv_ready(self):
        return self.first

    def recv(self, n):
        if self.first:
            self.first = False
            return (agent.EVENT + json.dumps({"event": "step", "step": "lock", "seconds": 0}) + "\n").encode()
        return b""

    def recv_stderr(self, n):
        return b""

    def recv_stderr_ready(self):
        return False

    def exit_status_ready(self):
        return False

    def recv_exit_status(self):
        return -1

    def sendall(self, data):
        self.sent.append(data)

    def shutdown_write(self):
        pass

    def close(self):
        self.closed = True


def test_an_agent_that_makes_no_progress_is_stopped_at_its_deadline(monkeypatch):
    clock, chan = FakeClock(), SilentChannel()
    transport = SimpleNamespace(open_session=lambda timeout=None: chan, is_active=lambda: True)
    c = SimpleNamespace(open=lambda: None, transport=transport, label="docker://web-1", lost=None)

    def readable(ch, timeout):  # nothing more arrives: every poll costs its timeout on the fake clock
        if ch.recv_ready() or ch.closed:
            return True
        clock.sleep(timeout)
        return False

    monkeypatch.setattr(remote, "_readable", readable)
    with pytest.raises(ConnectError, match=r"docker://web-1: no progress for 12 s during step upload"):
        remote.call_agent(c, "deploy", {}, step="deploy", step_timeout=12, clock=clock)
    assert chan.closed


# ---------------------------------------------------------------- 5: redaction

SECRET = "Zürich-s3cret pass/word"


@pytest.mark.parametrize("shown", [
    SECRET,
    "Z\\xc3\\xbcrich-s3cret pass/word",              # repr of the UTF-8 bytes
    "Z\\xfcrich-s3cret pass/word",                   # ascii() of the str
    "Z\\u00fcrich-s3cret pass/word",                 # JSON (ensure_ascii)
    "Z\\u00FCrich-s3cret pass/word",
    "Z%C3%BCrich-s3cret%20pass%2Fword",              # URL-encoded
    "Z%c3%bcrich-s3cret+pass%2fword",                # form-encoded, lower-case hex
    json.dumps({"k": SECRET})[7:-2],                 # inside a JSON document
])
def test_redaction_matches_what_logs_write(shown):
    from deploytests.redaction import REDACTED, Secrets

    text = f"before {shown} after"
    assert Secrets((SECRET,)).redact(text) == f"before {REDACTED} after"


def test_a_json_escaped_secret_with_quotes_is_redacted():
    from deploytests.redaction import REDACTED, Secrets

    secret = 'a"b\\c-long-secret'
    assert Secrets((secret,)).redact(json.dumps({"v": secret})) == '{"v": "%s"}' % REDACTED


PREFLIGHT_500 = """
import sys, traceback
SECRET = "Zürich-s3cret pass/word"
def app(environ, start_response):
    try:
        raise RuntimeError("database refused password " + SECRET)
    except RuntimeError:
        environ["wsgi.errors"].write(traceback.format_exc())
    start_response("500 INTERNAL SERVER ERROR", [])
    return [b"error"]
"""


def test_a_preflight_500_carries_the_apps_traceback(tmp_path, monkeypatch):
    import pwd
    import sys

    rel = tmp_path / "rel"
    (rel / "venv" / "bin").mkdir(parents=True)
    os.symlink(sys.executable, rel / "venv" / "bin" / "python")
    (rel / "app.py").write_text(PREFLIGHT_500)
    monkeypatch.setattr(agent, "emit", lambda event, **f: None)
    args = deploy_args(str(tmp_path), entry_point="app:app", health_path="/health", server_name="x.test",
                       config_env="APP_CFG", config_path=str(tmp_path / "app.cfg"),
                       app_user=pwd.getpwuid(os.getuid()).pw_name, post_deploy=[])
    with pytest.raises(agent.AgentError) as info:
        agent.check_release(args, str(rel), agent.Steps())
    assert "Traceback (most recent call last)" in info.value.detail
    assert "RuntimeError: database refused password" in info.value.detail


# ---------------------------------------------------------------- 10: targets.toml types

TARGET = '[targets.t]\nidentity_file = "k"\nknown_hosts = "kh"\nbase_url = "http://x"\n'


@pytest.mark.parametrize("extra, message", [
    ('user = 5\nhosts = ["web1"]', r"target 't': key 'user' must be a login name \(a string\), got 5"),
    ('hosts = [{ name = 5, address = "u@web1" }]', r"target 't': host 1: key 'name' must be a short name"),
    ('hosts = [{ name = "a b", address = "u@web1" }]', r"target 't': host 1: key 'name' must be a short name"),
    ('hosts = [{ address = 5 }]', r"target 't': host 1: key 'address' must be 'user@host\[:port\]', got 5"),
    ('kind = 5\nhosts = ["u@web1"]', r"target 't': key 'kind' must be a string"),
    ('hosts = ["u@web1", { name = "w", address = "u@web1:22" }]', r"key 'hosts' lists u@web1:22 twice"),
    ('hosts = [5]', r"host 5 is not 'user@host\[:port\]'"),
])
def test_every_targets_field_is_type_checked(tmp_path, extra, message):
    from deploytests.targets import load_inventory

    path = tmp_path / "targets.toml"
    path.write_text(TARGET + extra + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_inventory(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_a_non_utf8_targets_file_is_one_line(tmp_path):
    from deploytests.targets import load_inventory

    path = tmp_path / "targets.toml"
    path.write_bytes(b"[targets.t]\n# Z\xfcrich\nhosts = []\n")
    with pytest.raises(ConfigError, match=r"targets.toml:2: not UTF-8 text \(byte 0xfc\)") as info:
        load_inventory(path)
    assert "save the file as UTF-8" in str(info.value)


# ---------------------------------------------------------------- 11: keys

def keygen(path, passphrase=""):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "t", "-f", str(path)], check=True)
    return path


def test_a_private_key_readable_by_others_is_refused_like_openssh(tmp_path):
    from deploytests.ssh import load_identity

    key = keygen(tmp_path / "id")
    key.chmod(0o644)
    with pytest.raises(ConnectError, match=r"identity file .*/id is readable by others \(mode 0644\).*"
                                           r"Hint: chmod 600 .*/id") as info:
        load_identity(key, env={}, interactive=False)
    assert "\n" not in str(info.value)
    key.chmod(0o600)
    assert load_identity(key, env={}, interactive=False).get_name() == "ssh-ed25519"


def test_a_passphrase_comes_from_the_env_or_a_prompt_or_the_agent(tmp_path):
    from deploytests.ssh import load_identity

    key = keygen(tmp_path / "id", "pass phrase")
    pkey = load_identity(key, env={"DEPLOYTESTS_KEY_PASSPHRASE": "pass phrase"}, interactive=False)
    assert pkey.get_name() == "ssh-ed25519"
    asked = []
    assert load_identity(key, env={}, interactive=True,
                         prompt=lambda text: asked.append(text) or "pass phrase").get_name() == "ssh-ed25519"
    assert asked == [f"Passphrase for {key}: "]
    with pytest.raises(ConnectError, match=r"wrong passphrase for .*/id \(from DEPLOYTESTS_KEY_PASSPHRASE\)"):
        load_identity(key, env={"DEPLOYTESTS_KEY_PASSPHRASE": "nope"}, interactive=False)
    with pytest.raises(ConnectError, match=r"identity file .*/id is protected by a passphrase.*Hint: set "
                                           r"DEPLOYTESTS_KEY_PASSPHRASE, or add the key to ssh-agent \(ssh-add "):
        load_identity(key, env={}, interactive=False, agent_keys=[])
    public = SimpleNamespace(asbytes=lambda: _pub_blob(key), get_name=lambda: "ssh-ed25519")
    other = SimpleNamespace(asbytes=lambda: b"other", get_name=lambda: "ssh-ed25519")
    assert load_identity(key, env={}, interactive=False, agent_keys=[other, public]) is public


def _pub_blob(key):
    import base64

    return base64.b64decode((key.parent / (key.name + ".pub")).read_text().split()[1])


# ---------------------------------------------------------------- 9: signals

def _outcome_value(rid):
    return SimpleNamespace(release_id=rid, changed=True)


@pytest.fixture
def interrupts():
    """Ctrl-C raises KeyboardInterrupt and SIGTERM is default, whatever the parent process left (a CI job started
    in the background inherits SIGINT ignored: Python then installs no handler)."""
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGINT, before[0])
    signal.signal(signal.SIGTERM, before[1])


@pytest.mark.usefixtures("interrupts")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_lets_running_hosts_finish_then_says_what_each_host_is(signum):
    from deploytests.pipeline.hosts import Interrupted

    started, c_started = threading.Event(), threading.Event()
    release_b = threading.Event()

    def step(c):
        if c.label == "a":
            return _outcome_value("r-a")
        if c.label == "b":
            started.set()
            assert release_b.wait(10)
            return _outcome_value("r-b")
        c_started.set()
        raise DeployError("deploy failed at gate: release r-c refused: ...", where="c", live="r-0", serving=True)

    def interrupter():  # once b runs and c has begun: a finished, b still running, c failing
        started.wait(10)
        c_started.wait(10)
        signal.pthread_kill(threading.main_thread().ident, signum)
        release_b.set()

    threading.Thread(target=interrupter, daemon=True).start()
    before = signal.getsignal(signal.SIGTERM)
    lines = []
    with pytest.raises(Interrupted) as info:
        run_on_hosts([FakeConn("a"), FakeConn("b"), FakeConn("c")], step, step="deploy",
                     progress=lambda *a: lines.append(a))
    assert isinstance(info.value, KeyboardInterrupt)
    assert info.value.lines == ["a: finished (serves r-a)", "b: finished (serves r-b)",
                                "c: rolled back (serves r-0)"]
    assert info.value.signame == signal.Signals(signum).name
    assert signal.getsignal(signal.SIGTERM) == before and len(lines) == 3 + 3


@pytest.mark.usefixtures("interrupts")
def test_a_second_interrupt_never_reports_a_running_deploy_as_abandoned(monkeypatch, capsys):
    """Issue 16: a second Ctrl-C "abandoned" a deploy that then went live. Now the run waits a bounded grace, then
    asks the host what it serves (bounded) and says so: the host is "unknown, still running", with what it
    served when asked, never "abandoned"."""
    from deploytests.pipeline import hosts
    from deploytests.pipeline.hosts import Interrupted

    monkeypatch.setattr(hosts, "GRACE", 0.3)
    running, finish = threading.Event(), threading.Event()

    def step(c):
        if c.label == "a":
            return _outcome_value("r-a")
        running.set()
        finish.wait(10)  # the deploy goes on past the grace (its agent would carry on without us)
        return _outcome_value("r-b")

    said = threading.Event()
    monkeypatch.setattr(hosts, "_say", lambda text: said.set() or print(text, file=sys.stderr))

    def interrupter():  # Ctrl-C until the second one was seen (a busy machine may merge two quick signals)
        running.wait(10)
        for _ in range(20):
            if said.is_set():
                return
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            said.wait(0.3)

    threading.Thread(target=interrupter, daemon=True).start()
    try:
        with pytest.raises(Interrupted) as info:
            run_on_hosts([FakeConn("a"), FakeConn("b")], step, step="deploy", ask=lambda c: f"serves r-0 on {c.label}")
    finally:
        finish.set()
    a, b = info.value.lines
    assert a == "a: finished (serves r-a)"
    assert b.startswith("b: unknown (still running deploy when the run stopped; when asked at ") and \
        b.endswith(": serves r-0 on b)"), b
    assert "abandon" not in " ".join(info.value.lines)
    assert "interrupted again; waiting at most 0.3 s more for 1 host still working" in capsys.readouterr().err


@pytest.mark.usefixtures("interrupts")
def test_an_interrupt_in_rolling_mode_leaves_later_hosts_untouched():
    from deploytests.pipeline.hosts import Interrupted

    def step(c):
        if c.label == "a":
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        return _outcome_value("r-" + c.label)

    with pytest.raises(Interrupted) as info:
        run_on_hosts([FakeConn("a"), FakeConn("b")], step, step="deploy", rolling=True)
    assert info.value.lines == ["a: finished (serves r-a)", "b: untouched (interrupted before it started)"]


@pytest.mark.parametrize("error, line", [
    (None, "h: finished (serves r1)"),
    (DeployError("deploy failed at preflight: the new release failed its preflight", where="h"),
     "h: refused, live release untouched (deploy failed at preflight: the new release failed its preflight)"),
    (DeployError("deploy failed at gate: release r2 refused: x", where="h", live="r1", serving=True),
     "h: rolled back (serves r1)"),
    (DeployError("deploy failed at gate: release r2 refused: x", where="h", live="r1", serving=False),
     "h: rolled back to r1, which does NOT serve"),
    (ConnectError("no answer for 3 s during step install", where="h"),
     "h: unknown (no answer for 3 s during step install)"),
])
def test_host_state_line(error, line):
    from deploytests.pipeline.hosts import host_state

    outcome = HostOutcome("h", value=None if error else _outcome_value("r1"), error=error)
    assert host_state(outcome) == line


# ---------------------------------------------------------------- 8: the sweep races another run

class VanishingClient:
    """The Docker SDK's behaviour when another run removes a container between list and inspect: the full
    list (``sparse=False``) inspects each container and raises NotFound; the sparse one does not."""

    def __init__(self):
        import docker

        self.removed = []
        owner = {"deploytests": "server", "deploytests.host": socket.gethostname(), "deploytests.pid": "1",
                 "deploytests.pidstart": "0", "deploytests.run": "r", "deploytests.keep": "0"}
        rows = [SimpleNamespace(id=n, attrs={"Id": n, "Names": ["/" + n], "Labels": owner},
                                remove=lambda n=n, **kw: self.removed.append(n)) for n in ("gone", "left")]

        def remove_gone(**kw):
            raise docker.errors.NotFound("No such container: gone")

        rows[0].remove = remove_gone

        def listing(all=False, filters=None, sparse=False, ignore_removed=False):
            if not sparse and not ignore_removed:
                raise docker.errors.NotFound("No such container: gone")
            return rows

        self.containers = SimpleNamespace(list=listing)
        # images likewise: the SDK's images.list inspects each listed image (ImageNotFound for one evicted
        # meanwhile); the engine's own listing does not
        self.images_removed = []
        dead = {**owner, "deploytests.keep": "0"}
        kept = {**owner, "deploytests.keep": "1"}  # a lab snapshot: kept for later runs

        def image_list(**kw):
            raise docker.errors.ImageNotFound("No such image: sha256:gone")

        def image_remove(image_id, force=False):
            if image_id == "sha256:gone":
                raise docker.errors.NotFound("No such image: sha256:gone")
            self.images_removed.append((image_id, force))

        self.images = SimpleNamespace(list=image_list, remove=image_remove)
        self.api = SimpleNamespace(images=lambda filters=None: [
            {"Id": "sha256:gone", "Labels": dead}, {"Id": "sha256:dead", "Labels": dead},
            {"Id": "sha256:kept", "Labels": kept}])


def test_the_sweep_tolerates_containers_and_images_vanishing_under_it():
    from deploytests.containers.sweep import sweep

    client = VanishingClient()
    assert sweep(client, progress=lambda msg: None) == ["left"] and client.removed == ["left"]
    assert client.images_removed == [("sha256:dead", False)]  # not forced: an image a container uses stays


# ---------------------------------------------------------------- 12: messages


def test_a_site_that_refuses_connections_is_one_line_once_per_host(closed_port):
    from deploytests.verify.http import HttpClient, SiteDown

    port = closed_port
    client = HttpClient(f"http://127.0.0.1:{port}")
    with pytest.raises(SiteDown) as first:
        client.get("/health")
    text = str(first.value)
    assert text == f"GET http://127.0.0.1:{port}/health: connection refused (nothing listens there: is Apache " \
                   f"running?)", text
    assert first.value.__cause__ is None and first.value.__suppress_context__
    with pytest.raises(SiteDown, match="connection refused") as again:
        client.get("/")
    assert "(failed before: not tried again)" in str(again.value)


def make_release(tree, rid, **meta):
    os.makedirs(tree.release(rid))
    with open(os.path.join(tree.release(rid), "RELEASE.json"), "w") as f:
        json.dump(dict(meta, id=rid), f)


def test_status_names_a_dangling_current(tmp_path):
    tree = agent.Tree(str(tmp_path))
    os.makedirs(tree.releases)
    os.symlink("releases/20260101T000000Z-aaaaaaaa", tree.current)
    res = agent.cmd_status(StatusArgs(root=str(tmp_path)))
    assert res["live"] is None and res["dangling"] == "releases/20260101T000000Z-aaaaaaaa"


IDS = [f"2026010{i}T000000Z-{c * 8}" for i, c in zip(range(1, 8), "abcdefg", strict=True)]


def test_a_no_change_deploy_still_prunes(tmp_path, monkeypatch):
    tree = agent.Tree(str(tmp_path))
    os.makedirs(tree.releases)
    open(tree.wsgi, "w").close()
    for rid in IDS:
        make_release(tree, rid, artifact_sha256="s" + rid[-1], version="1")
    tree.switch(IDS[-1])
    monkeypatch.setattr(agent, "emit", lambda event, **f: None)
    monkeypatch.setattr(agent, "serving", lambda args: IDS[-1])
    args = deploy_args(str(tmp_path), release_id="x", artifact_sha256="s" + IDS[-1][-1], keep_releases=3,
                       lock_timeout=1, release={})
    res = agent.cmd_deploy(args)
    assert res["changed"] is False and res["pruned"] == IDS[:4]
    assert tree.listing() == IDS[4:]


def test_fab_tasks_end_an_interrupt_with_one_line_per_host_and_the_signal_exit_code(capsys):
    from deploytests import tasks as fabfile
    from deploytests.pipeline import Interrupted

    outcomes = [HostOutcome("web1", value=_outcome_value("r1")),
                HostOutcome("web2", error=ConnectError("no answer for 30 s during step install", where="web2"))]

    @fabfile.one_line_errors
    def deploy(c):
        raise Interrupted("deploy", "SIGTERM", outcomes)

    with pytest.raises(SystemExit) as info:
        deploy(None)
    assert info.value.code == 143
    assert capsys.readouterr().err == ("fab deploy: interrupted (SIGTERM); web1: finished (serves r1); "
                                       "web2: unknown (no answer for 30 s during step install)\n")


# ---------------------------------------------------------------- an unreachable host: what happened, fitting hint

def _key_pair(tmp_path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    (tmp_path / "known_hosts").write_text("")
    return tmp_path / "id", tmp_path / "known_hosts"


def test_why_a_host_cannot_be_reached_gets_a_hint_that_fits_the_cause():
    import errno

    from paramiko.ssh_exception import NoValidConnectionsError

    from deploytests.ssh import unreachable

    dns = unreachable("web1.exampel.com", 22, socket.gaierror(-2, "Name or service not known"), 30)
    assert dns == ("cannot resolve the host name 'web1.exampel.com': Name or service not known",
                   "check the host name (the -H value or the target's hosts in targets.toml) and this machine's DNS")
    refused = unreachable("10.0.0.5", 2222, NoValidConnectionsError({("10.0.0.5", 2222): ConnectionRefusedError(
        errno.ECONNREFUSED, "Connection refused")}), 30)
    assert refused == ("connection refused by 10.0.0.5:2222",
                       "nothing listens on port 2222 there: check that sshd runs and that 2222 is its port")
    what, hint = unreachable("10.0.0.5", 22, TimeoutError("timed out"), 7)
    assert what == "no answer for 7 s while connecting to 10.0.0.5:22" and "frozen or a firewall" in hint
    what, hint = unreachable("10.0.0.5", 22, NoValidConnectionsError({("10.0.0.5", 22): OSError(
        errno.EHOSTUNREACH, "No route to host")}), 7)
    assert what == "no route to 10.0.0.5:22" and "down or off this network" in hint


def test_a_real_unresolvable_name_and_a_real_closed_port_say_so(tmp_path, closed_port):
    from deploytests.ssh import connect

    key, known = _key_pair(tmp_path)
    with pytest.raises(ConnectError) as info:
        connect("no-such-host.invalid", user="u", key_filename=key, known_hosts=known, label="ssh://u@web1", timeout=5)
    assert str(info.value).startswith("ssh://u@web1: cannot resolve the host name 'no-such-host.invalid': ")
    assert "Hint: check the host name" in str(info.value)
    port = closed_port  # nothing listens there
    with pytest.raises(ConnectError) as info:
        connect("127.0.0.1", user="u", port=port, key_filename=key, known_hosts=known, timeout=5)
    assert f"connection refused by 127.0.0.1:{port}. Hint: nothing listens on port {port} there" in str(info.value)


@pytest.mark.parametrize("reset", [False, True])
def test_an_sshd_closing_before_its_banner_is_named_so_not_called_frozen(tmp_path, reset):
    """Blind round 4, M2: sshd with host keys it will not use (0644) closed every connection at once, and the gate
    said "no answer for 30 s ... frozen or overloaded". A real listener that accepts and closes at once (``reset``:
    with SO_LINGER 0, as a close with the client's banner unread arrives)."""
    import struct

    from deploytests.ssh import connect

    key, known = _key_pair(tmp_path)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        port = server.getsockname()[1]

        def close_each():  # (at once: with the client's banner unread, the close may arrive as a reset)
            for _ in range(4):
                try:
                    conn = server.accept()[0]
                except OSError:
                    return
                if reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()

        threading.Thread(target=close_each, daemon=True).start()
        with pytest.raises(ConnectError) as info:
            connect("127.0.0.1", user="u", port=port, key_filename=key, known_hosts=known, timeout=20)
    said = str(info.value)
    assert f"sshd on 127.0.0.1:{port} closed the connection before its banner" in said, said
    assert "check sshd's log" in said and "frozen" not in said


def test_an_unreachable_host_first_says_what_happened_then_that_it_is_not_tried_again(tmp_path, monkeypatch):
    """Reviewer: `fab target kept status` said "... earlier in this run; not tried again. Hint: the host is frozen
    or unreachable" on its first and only report of a host whose name does not resolve."""
    from deploytests.servers import Server
    from deploytests.settings import Settings
    from deploytests.targets.inventory import HostSpec, TargetSpec
    from deploytests.targets.ssh import SshProvider

    key, known = _key_pair(tmp_path)
    try:
        socket.getaddrinfo("no-such-host.invalid", 22)
    except socket.gaierror as exc:
        reason = exc.strerror  # "Name or service not known" (the resolver's words)
    spec = TargetSpec(name="kept", hosts=(HostSpec("appuser", "no-such-host.invalid", name="web1"),
                                          HostSpec("appuser", "127.0.0.1", 2222, name="web2")),
                      identity_file=key, known_hosts=known, base_url="http://127.0.0.1:1")
    real = Server.new_connection
    monkeypatch.setattr(Server, "new_connection", lambda self, **kw: SimpleNamespace(is_connected=True, lost=None)
                        if self.name == "web2" else real(self, **kw))
    said: list[str] = []
    servers = SshProvider(spec, Settings(), progress=said.append).open()
    assert said == [f"ssh://appuser@web1: cannot resolve the host name 'no-such-host.invalid': {reason}; the "
                    "other hosts go on"]
    with pytest.raises(ConnectError) as first:
        servers[0].connection()
    assert str(first.value) == (f"ssh://appuser@web1: cannot resolve the host name 'no-such-host.invalid': {reason}. "
                                "Hint: check the host name (the -H value or the target's hosts "
                                "in targets.toml) and this machine's DNS.")
    with pytest.raises(ConnectError) as again:
        servers[0].connection()
    assert str(again.value) == (f"ssh://appuser@web1: cannot resolve the host name 'no-such-host.invalid': {reason} "
                                "earlier in this run; not tried again. Hint: check the host name "
                                "(the -H value or the target's hosts in targets.toml) and this machine's DNS.")
    assert servers[1].connection().is_connected


@pytest.mark.parametrize("logger", ["paramiko.transport", "urllib3.connectionpool"])
def test_a_library_warning_never_reaches_the_terminal_of_a_run_without_logging(logger):
    """Class: a library's log record printed by Python's last-resort handler where nothing configures logging
    (fab, deploytests fab): a frozen host gave "Exception (client): Error reading SSH protocol banner" and two
    paramiko tracebacks beside deploytests' one line naming it. Other member: urllib3's "Connection pool is full"
    under parallel HTTP checks. Without deploytests.ssh imported, the same record is printed (the class is real)."""
    import subprocess
    import sys

    code = ("import logging, sys\n{imp}\ntry:\n    raise TimeoutError()\nexcept TimeoutError:\n"
            f"    logging.getLogger({logger!r}).error('Exception (client): Error reading SSH protocol banner', "
            "exc_info=True)\n")
    for imp, printed in (("import deploytests.ssh", False), ("", True)):
        done = subprocess.run([sys.executable, "-c", code.format(imp=imp)], capture_output=True, text=True,
                              timeout=60)
        assert ("Traceback" in done.stderr) is printed, done.stderr


@pytest.fixture
def lying_sshd(tmp_path, monkeypatch):
    """A real SSH server (paramiko's, on 127.0.0.1) that lets any key in, answers keepalives and opens channels,
    and never answers a request to run a command (``lies["exec"]`` False: it answers it, and then the command never
    ends): a compromised host answering the gate's probe."""
    import paramiko
    from paramiko.common import MSG_CHANNEL_REQUEST

    plain, lies = paramiko.Transport._channel_handler_table[MSG_CHANNEL_REQUEST], {"exec": True}

    def handle(chan, m):
        at = m.packet.tell()
        kind = m.get_text()
        m.packet.seek(at)
        if not (chan.transport.server_mode and kind == "exec" and lies["exec"]):  # (the client's table too)
            return plain(chan, m)

    monkeypatch.setitem(paramiko.Transport._channel_handler_table, MSG_CHANNEL_REQUEST, handle)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hk")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "ck")], check=True)
    host_key = paramiko.Ed25519Key.from_private_key_file(str(tmp_path / "hk"))

    class Anyone(paramiko.ServerInterface):
        def get_allowed_auths(self, username):
            return "publickey"

        def check_auth_publickey(self, username, key):
            return paramiko.AUTH_SUCCESSFUL

        def check_channel_request(self, kind, chanid):
            return paramiko.OPEN_SUCCEEDED

        def check_channel_exec_request(self, channel, command):
            if lies.get("stderr"):  # that much on stderr, then a line on stdout, exit 0
                threading.Thread(target=answer, args=(channel, lies["stderr"]), daemon=True).start()
            if lies.get("flood"):  # an endless answer: the same bytes for ever, until the channel closes
                threading.Thread(target=flood, args=(channel, lies["flood"]), daemon=True).start()
            return True  # (and nothing more: no output, no exit status)

    def answer(channel, data):
        try:
            channel.sendall_stderr(data)
            channel.sendall(b"ok\n")
            channel.send_exit_status(0)
            channel.close()
        except (OSError, EOFError, paramiko.SSHException):
            return

    def flood(channel, data):
        try:
            while True:
                channel.sendall(data)
        except (OSError, EOFError, paramiko.SSHException):
            return

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    transports = []

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            t = paramiko.Transport(conn)
            t.add_server_key(host_key)
            t.start_server(server=Anyone())
            transports.append(t)

    threading.Thread(target=serve, daemon=True).start()
    port = sock.getsockname()[1]
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key.get_name()} {host_key.get_base64()}\n")
    yield port, tmp_path / "ck", tmp_path / "known_hosts", lies
    sock.close()
    for t in transports:
        t.close()


def test_a_host_that_never_answers_the_request_to_run_a_command_is_one_line_within_the_bound(lying_sshd):
    """Class: a wait on the server's answer outside the connection's bound. paramiko waits for the answer to
    ``exec`` without one, the watchdog sees the keepalives answered, and Fabric's ``run(timeout=...)`` starts its
    timer only once the answer came: a lying sshd kept the probe (``exec_stream``, step and deadline bounds set)
    and a ``run(timeout=10)`` waiting for ever (killed after 40 s), the other hosts' results with them. Both ways
    to run a command now end at the bound, in one line."""
    from deploytests import ssh

    port, key, known, _ = lying_sshd
    c = ssh.connect("127.0.0.1", user="x", port=port, key_filename=key, known_hosts=known, timeout=2)
    try:
        with pytest.raises(ConnectError, match=r"no answer for 2 s to the request to run a command \(the host "
                                               r"answers SSH keepalives but not that request\)"):
            remote.exec_stream(c, "true", [], step_timeout=5, deadline=10)
        with pytest.raises(ConnectError, match="no answer for 2 s to the request to run a command"):
            c.run("true", hide=True, warn=True, timeout=5)
    finally:
        c.close()


def test_a_failed_deploys_error_log_tail_ends_at_its_bound_on_a_host_that_never_answers(lying_sshd, monkeypatch):
    """Class above, other members: a command run with no bound at all (the error log's tail added to a failed
    deploy's error), on a host that never answers the request, and on one that answers it and never ends the
    command: the deploy's own error is still told, with one line for the tail."""
    from deploytests import ssh
    from deploytests.stacks import DEFAULT
    from deploytests.stacks.apache_wsgi import logs

    port, key, known, lies = lying_sshd
    monkeypatch.setattr(logs, "TIMEOUT", 2)
    tails = []
    for lie in (True, False):
        lies["exec"] = lie
        c = ssh.connect("127.0.0.1", user="x", port=port, key_filename=key, known_hosts=known, timeout=2)
        try:
            tails.append(logs.error_log_tail(c, DEFAULT))
        finally:
            c.close()
    head = f"--- {DEFAULT.apache.error_log} (tail) ---\n("
    assert tails[0].startswith(head + "not read: ") and "no answer for 2 s to the request to run a command" in \
        tails[0], tails
    assert tails[1] == head + "not read within 2 s)", tails


def test_a_host_that_answers_a_command_endlessly_is_cut_at_the_bound_and_made_safe(lying_sshd, monkeypatch):
    """Class: a server's answer held whole in the runner. Fabric's ``run`` (the platform look of a deploy, the
    stack's os-release read, bootstrap's waits, the error log's tail) kept every chunk and invoke joined all of them
    again at each chunk: a host answering endlessly (a hostile server; the deploy login's shell start-up when the
    command runs as that login) kept the runner busy past the command's own timeout (timeout 10 s: ended after
    16-20 s; 20 s: 63 s; 30 s: 51 s) and invoke's error quoted the flood raw. Now each stream keeps at most the
    bound, past it the command is stopped, and the output is made safe where it enters. (The agents' and the probe's
    channel, ``exec_stream``, had this bound already: the other member, held by
    ``test_a_server_that_floods_its_output_is_cut_at_the_bound_and_made_safe``.)"""
    from deploytests import ssh, untrusted

    monkeypatch.setattr(untrusted, "OUTPUT_LIMIT", 1 << 20, raising=False)
    port, key, known, lies = lying_sshd
    lies.update(exec=False, flood=b"x86_64\x1b]0;owned\x07\x1b[2J\r" * 4096)
    c = ssh.connect("127.0.0.1", user="x", port=port, key_filename=key, known_hosts=known, timeout=5)
    try:
        res = c.run("uname -m", hide=True, warn=True, in_stream=False, timeout=20)  # (a flood reaching it: raises)
    finally:
        c.close()
    assert res.stdout.endswith(f"(output cut: more than {1 << 20} characters; the command was stopped)")
    assert len(res.stdout) < 2 * (1 << 20) + (1 << 16) and "\x1b" not in res.stdout
    assert res.stdout.startswith("x86_64\\x1b]0;owned\\x07\\x1b[2J\\x0d")


def test_a_check_commands_stderr_past_the_channels_window_does_not_hang_it(lying_sshd):
    """Class above (a wait outside a bound), another member: the ``deploy_host`` fixture (testinfra over the pinned
    connection) read a command's stdout to its end before its stderr: a command writing more than the channel's
    window to stderr blocked on it and never ended (5 MB to stderr on the lab's real sshd: still waiting after
    20 s). Now both are read side by side, each within the runner's bound, and the request to run the command is
    answered within the connection's (``ssh.session``)."""
    from types import SimpleNamespace

    from deploytests import ssh
    from deploytests.verify.testinfra import PinnedBackend

    port, key, known, lies = lying_sshd
    lies.update(exec=False, stderr=b"e" * (5 << 20))
    c = ssh.connect("127.0.0.1", user="x", port=port, key_filename=key, known_hosts=known, timeout=5)
    server = SimpleNamespace(user="x", host="127.0.0.1", port=port, label="x", connection=lambda: c, _conn=c,
                             lost=None)
    done: dict = {}
    runner = threading.Thread(target=lambda: done.update(r=PinnedBackend(server).run("x")), daemon=True)
    try:
        runner.start()
        runner.join(120)  # (a liveness bound, not a timing: before, it waited for ever)
    finally:
        c.close()
    assert "r" in done, "the command never ended"
    assert (done["r"].rc, done["r"].stdout, len(done["r"].stderr_bytes)) == (0, "ok\n", 5 << 20)


@pytest.mark.parametrize("stall", ["login", "key exchange"])
def test_a_host_that_stops_answering_after_its_banner_is_frozen_not_a_refused_key(tmp_path, stall):
    """Class: a timeout reported as a refusal. A container paused (docker pause) while the gate logged in: every
    check of it erred "authentication failed for user 'appuser': Authentication timeout. Hint: check the identity
    file and that its public key is in the user's authorized_keys" -- paramiko's bound on the login ends in an
    AuthenticationException. A real in-process SSH server whose answer to the login (``login``) or to the key
    exchange (``key exchange``: a banner, then nothing) never comes: both are a host that answers nothing."""
    import paramiko

    from deploytests.ssh import connect

    key, known = _key_pair(tmp_path)
    host_key = paramiko.Ed25519Key.from_private_key_file(str(key))
    release = threading.Event()

    class Stalls(paramiko.ServerInterface):
        def get_allowed_auths(self, username):
            return "publickey"

        def check_auth_publickey(self, username, key):
            release.wait(20)  # the login's answer never comes within the client's bound
            return paramiko.AUTH_FAILED

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(2)
        port = server.getsockname()[1]
        known.write_text(f"[127.0.0.1]:{port} {host_key.get_name()} {host_key.get_base64()}\n")
        held = []

        def serve():
            conn = server.accept()[0]
            held.append(conn)
            if stall == "key exchange":
                conn.sendall(b"SSH-2.0-OpenSSH_9.2p1\r\n")  # then nothing, as a host frozen right after it
                return
            t = paramiko.Transport(conn)
            held.append(t)
            t.add_server_key(host_key)
            t.start_server(server=Stalls())

        threading.Thread(target=serve, daemon=True).start()
        try:
            with pytest.raises(ConnectError) as info:
                connect("127.0.0.1", user="u", port=port, key_filename=key, known_hosts=known, label="ssh://u@web2",
                        timeout=1)
        finally:
            release.set()
            for thing in held:
                thing.close()
    said = str(info.value)
    assert said.startswith(f"ssh://u@web2: no answer for 1 s while connecting to 127.0.0.1:{port} (after its "
                           "banner)"), said
    assert "frozen" in said and "authentication" not in said and "identity" not in said, said


def test_a_command_past_its_bound_is_a_timeout_even_while_the_timers_kill_is_still_running(lying_sshd, monkeypatch):
    """invoke's ``timed_out`` asked whether its timer's thread had ended: the kill closes the channel, the command's
    wait returns, and while that thread was still in ``kill`` the command read as ended with no output (CI: a host
    that never ends the error log's tail read as ``not readable by x``). Class: a command's bound read as its
    answer. The timer's kill is held open here after it closed the channel: the run still raises its timeout."""
    import fabric.runners
    from invoke.exceptions import CommandTimedOut

    from deploytests import ssh

    port, key, known, lies = lying_sshd
    lies["exec"] = False  # the request is answered; the command never ends
    killed = threading.Event()

    def slow_kill(self):
        try:
            self.channel.close()
            time.sleep(1.0)  # (the timer's thread still alive when the wait returns)
        finally:
            killed.set()
    monkeypatch.setattr(fabric.runners.Remote, "kill", slow_kill)
    c = ssh.connect("127.0.0.1", user="x", port=port, key_filename=key, known_hosts=known, timeout=2)
    try:
        with pytest.raises(CommandTimedOut):
            c.run("tail -f /dev/null", hide=True, warn=True, in_stream=False, timeout=1)
    finally:
        c.close()
        killed.wait(30)  # hermetic: the timer's thread ends within this test, not in the next one's


def test_a_timers_kill_after_the_connection_closed_is_quiet(lying_sshd, monkeypatch):
    """The timer's kill closes the command's channel. When the connection was closed first (by its watchdog on a
    loaded machine, or by its owner once the wait ended), paramiko raised ``EOFError`` in the timer's thread: a
    traceback printed beside the run's own lines, and in CI an "exception in thread" error charged to whichever
    test ran next. Class: a background thread's work on what its owner already released. The kill on a closed
    connection is nothing to do; the command is still its timeout."""
    import fabric.runners
    from invoke.exceptions import CommandTimedOut

    from deploytests import ssh

    port, key, known, lies = lying_sshd
    lies["exec"] = False
    c = ssh.connect("127.0.0.1", user="x", port=port, key_filename=key, known_hosts=known, timeout=30)
    done = threading.Event()

    def kill_on_a_dead_connection(self):  # closed, then what paramiko's send of the close raised in a loaded CI run
        try:
            self.channel.close()
            raise EOFError()
        finally:
            done.set()
    monkeypatch.setattr(fabric.runners.Remote, "kill", kill_on_a_dead_connection)
    seen = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_value))
    try:
        with pytest.raises(CommandTimedOut):
            c.run("tail -f /dev/null", hide=True, warn=True, in_stream=False, timeout=1)
        assert done.wait(30)
    finally:
        c.close()
    assert seen == [], seen  # and the timer's thread keeps it


def test_the_closed_port_refuses_and_no_one_else_can_take_it_during_the_test(closed_port):
    """The tests that need "nothing listens there" took a port bound and released a moment before: under load
    another process (a container's published port, another test's server) could bind it first, and the test met
    an answer or silence instead of a refusal (a plugin test failed once so in a loaded run). Class: a resource
    checked free, then used after letting go of it. The port stays bound, never listening, for the whole test."""
    import errno

    with socket.socket() as other:
        with pytest.raises(OSError) as taken:
            other.bind(("127.0.0.1", closed_port))
        assert taken.value.errno == errno.EADDRINUSE
    with socket.socket() as client:
        assert client.connect_ex(("127.0.0.1", closed_port)) == errno.ECONNREFUSED
