"""Bootstrap leaves Apache running the configuration it wrote: after root's graceful reload (or start) returns,
the runner waits, bounded, until Apache's pid file is rewritten (``provision.wait_loaded``), the very date the
gate's in-force check (``cw_in_force``) judges the configuration in force by. ``apache2ctl graceful`` returns on
the signal; Apache's parent re-reads on its next tick, so a gate started in that tick would fail a clean server.
The waiting program runs here for real on a temp file; bootstrap's flow with fakes for the server's replies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_bootstrap_checks import look

from deploytests.errors import DeployError
from deploytests.pipeline import provision
from deploytests.stacks import for_platform
from deploytests.verify import collect_login


def loaded(path, before, timeout):
    return subprocess.run([sys.executable, "-I", "-S", "-c", provision.LOADED.decode(), str(path), repr(before),
                           str(timeout)]).returncode


def rewrite_soon(path, after=0.3):
    def later():
        time.sleep(after)
        path.write_text("4242\n")
        os.utime(path, (time.time() + 5, time.time() + 5))  # (a coarse clock cannot make it look unchanged)
    thread = threading.Thread(target=later)
    thread.start()
    return thread


def test_the_wait_ends_when_apache_rewrites_its_pid_file(tmp_path):
    pid = tmp_path / "apache2.pid"
    pid.write_text("4242\n")
    thread = rewrite_soon(pid)
    assert loaded(pid, os.stat(pid).st_mtime, 20) == 0
    thread.join()


def test_the_wait_ends_when_a_started_apache_first_writes_it(tmp_path):
    pid = tmp_path / "apache2.pid"
    thread = rewrite_soon(pid)
    assert loaded(pid, -1.0, 20) == 0
    thread.join()


def test_the_wait_gives_up_when_apache_never_rewrites_it(tmp_path):
    pid = tmp_path / "apache2.pid"
    pid.write_text("4242\n")
    assert loaded(pid, os.stat(pid).st_mtime, 0.3) == 1


class Server:
    """A connection whose ``run`` records the command lines and answers ``ok``."""

    user, host, port, label = "admin", "web", 22, "web"

    def __init__(self, ok=True):
        self.lines, self.ok = [], ok

    def run(self, line, **kw):
        if "st_mtime != before" not in line:  # (the wait for a start in progress, before root runs: below)
            assert " apache2 30 0" in line and not self.lines
            return SimpleNamespace(ok=True, stdout="", stderr="", exited=0)
        self.lines.append(line)
        return SimpleNamespace(ok=self.ok, stdout="", stderr="", exited=0 if self.ok else 1)


def bootstrap(monkeypatch, changes, server, pid_st):
    seen = look()
    seen["sites"] = ""
    if pid_st is not None:
        seen["files"][collect_login.PIDFILE] = {"st": pid_st}
    monkeypatch.setattr(provision, "before_bootstrap", lambda c, app, python: seen)
    monkeypatch.setattr(provision, "call_agent", lambda *a, **kw: {
        "event": "result", "changed": bool(changes), "changes": changes, "timings": {}, "machine": "x86_64"})
    cfg = SimpleNamespace(app="app", app_user="app", deploy_user="deployer", port=80, server_name="app.example")
    monkeypatch.setattr(provision, "bootstrap_args", lambda *a, **kw: {"app_user": "app", "deploy_user": "deployer"})
    return provision.bootstrap(server, cfg, stack=for_platform("debian12"))


ST = [0o100644, 0, 0, 5, 1765000000.123456, 77, 1765000000.123456]


@pytest.mark.parametrize("change", ["apache reloaded (graceful)", "apache started"])
def test_bootstrap_waits_for_the_configuration_it_reloaded(monkeypatch, change):
    server = Server()
    bootstrap(monkeypatch, ["file written: /etc/apache2/sites-available/app.conf", change], server, ST)
    [line] = server.lines
    assert f" {collect_login.PIDFILE} {ST[4]!r} " in line and "st_mtime != before" in line


def test_bootstrap_waits_for_a_pid_file_that_was_absent(monkeypatch):
    server = Server()
    bootstrap(monkeypatch, ["apache started"], server, None)
    assert f" {collect_login.PIDFILE} -1.0 " in server.lines[0]


def test_bootstrap_that_reloaded_nothing_does_not_wait(monkeypatch):
    server = Server()
    bootstrap(monkeypatch, ["user created: app"], server, ST)
    assert server.lines == []


def test_apache_that_never_loads_it_fails_bootstrap_in_one_line(monkeypatch):
    with pytest.raises(DeployError) as caught:
        bootstrap(monkeypatch, ["apache reloaded (graceful)"], Server(ok=False), ST)
    assert "did not load its new configuration" in str(caught.value) and "\n" not in caught.value.args[0]


def test_the_changes_waited_for_are_the_root_agents_own_words():
    from deploytests.pipeline import agent_root

    source = Path(agent_root.__file__).read_text()
    assert all(f'"{change}"' in source for change in provision.RELOADS)


def test_the_look_before_root_runs_records_the_pid_file():
    out = collect_login.collect({"app": "app", "check": True})
    assert collect_login.PIDFILE in out["files"]  # (its lstat, or why not: none here)


# Class: the pipeline's reload sent while Apache is still starting (a container's entrypoint, a server just booted,
# just installed): what root wrote meanwhile may or may not be read by that start, a graceful sent then lands in
# it, and the gate rightly cannot tell (CI: bootstrap's ServerName written 0.16 s before the first start's pid
# file; the in-force check failed a clean host). Bootstrap waits, as the login, until Apache has started.
def started(path, name, timeout):
    return subprocess.run([sys.executable, "-I", "-S", "-c", provision.STARTED.decode(), str(path), name,
                           str(timeout), str(os.getuid())], capture_output=True, text=True)


def test_bootstrap_waits_while_apache_is_starting(tmp_path):
    pid = tmp_path / "apache2.pid"
    name = f"dt{os.getpid() % 10000}"  # (a process of this name and uid: Apache's parent before its pid file)
    os.symlink("/bin/sleep", tmp_path / name)
    parent = subprocess.Popen([str(tmp_path / name), "30"])
    try:
        assert started(pid, "dt-nothing-of-this-name", 5).returncode == 0  # not running: nothing to wait for
        got = started(pid, name, 0.3)
        assert got.returncode == 1 and str(parent.pid) in got.stdout.split()  # starting: named, after the bound
        thread = threading.Thread(target=lambda: (time.sleep(0.3), pid.write_text(f"{parent.pid}\n")))
        thread.start()
        assert started(pid, name, 20).returncode == 0  # started: its pid file names it
        thread.join()
    finally:
        parent.kill()
        parent.wait()
