"""The container driver against a real Docker engine: real sshd, pinned keys, cleanup and sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from deploytests.containers import Fleet, docker_client
from deploytests.containers.sweep import L_RUN
from deploytests.errors import ConnectError, HostKeyError
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration


def run_containers(client, run_id):
    return client.containers.list(all=True, filters={"label": f"{L_RUN}={run_id}"})


def test_two_containers_run_commands_as_user_and_root_then_vanish():
    client = docker_client()
    with Fleet(count=2, progress=lambda m: None) as fleet:
        assert len(run_containers(client, fleet.run_id)) == 2
        seen = set()
        for server in fleet.servers:
            c = server.connection()
            assert c.client.get_transport().sock.getsockopt(6, 1) == 1  # TCP_NODELAY
            assert c.run("id -un", hide=True).stdout.strip() == "appuser"
            assert c.sudo("id -un", hide=True).stdout.strip() == "root"
            seen.add(c.run("hostname", hide=True).stdout.strip())
            assert server.host == "127.0.0.1" and server.base_url.startswith("http://127.0.0.1:")
            ports = client.containers.get(server.container_id).attrs["NetworkSettings"]["Ports"]
            assert {b["HostIp"] for bindings in ports.values() for b in bindings} == {"127.0.0.1"}
        assert seen == {"web-1", "web-2"}
        run_id = fleet.run_id
        workdir = fleet.workdir
    assert run_containers(client, run_id) == []
    assert not workdir.exists()


def test_host_key_changed_after_pinning_is_refused():
    with Fleet(count=1, progress=lambda m: None) as fleet:
        server = fleet.servers[0]
        c = server.connection()
        c.sudo("sh -c 'rm -f /etc/ssh/ssh_host_ed25519_key* && "
               "ssh-keygen -q -t ed25519 -N \"\" -f /etc/ssh/ssh_host_ed25519_key && "
               "kill -HUP $(pgrep -o -x sshd)'", hide=True, warn=True)
        server.close()

        def attempt():
            # sshd re-execs on HUP: connection errors mean "not back yet"; a key error is the answer
            try:
                server.new_connection().close()
            except HostKeyError as exc:
                return exc
            except ConnectError:
                return None
            return "connected with a changed key"

        outcome = wait_until(attempt, what="sshd to come back after HUP", timeout=10)
        assert isinstance(outcome, HostKeyError), outcome
        msg = str(outcome)
        assert msg.startswith("docker://web-1: host key CHANGED: server offered ssh-ed25519")
        assert str(fleet.known_hosts) in msg and "Hint:" in msg and "\n" not in msg


def test_unknown_host_key_is_refused(tmp_path):
    with Fleet(count=1, progress=lambda m: None) as fleet:
        server = fleet.servers[0]
        empty = tmp_path / "known_hosts"
        empty.write_text("")
        server.known_hosts = empty
        with pytest.raises(HostKeyError, match=r"host key unknown: \[127\.0\.0\.1\]:\d+ is not in "):
            server.new_connection()


HOLDER = textwrap.dedent("""
    import sys, time
    from deploytests.containers import Fleet
    fleet = Fleet(count=2, progress=lambda m: None).__enter__()
    print(fleet.run_id, flush=True)
    time.sleep(600)
""")


def test_killed_run_leaves_containers_that_the_next_run_sweeps():
    client = docker_client()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        run_id = holder.stdout.readline().strip()
        assert len(run_containers(client, run_id)) == 2
        messages = []
        # the holder is alive: a new run must leave its containers alone
        with Fleet(count=1, progress=messages.append):
            pass
        assert len(run_containers(client, run_id)) == 2
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert len(run_containers(client, run_id)) == 2  # kill -9: nothing cleaned up
    with Fleet(count=1, progress=messages.append):
        assert run_containers(client, run_id) == []
    # What is asserted is that a kill -9 leaves nothing behind once the next run starts. Which run's sweep takes
    # them is not: another xdist worker's Fleet, starting at the same moment, may take one or both first (each
    # sweep removes what it finds; CI saw 'swept 1'). When this run's sweep took any, it names them.
    ours = [m for m in messages if f"dt-{run_id}-" in m]
    assert all(m.startswith("swept ") and "leftover container" in m for m in ours), messages
    assert not list(Path(tempfile.gettempdir()).glob(f"deploytests-{run_id}-*"))  # its private key is gone too
