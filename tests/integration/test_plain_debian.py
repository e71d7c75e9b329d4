"""A server set up by hand from plain Debian, with no project Dockerfile: bootstrap + the whole built-in suite.

From ``debian:bookworm-slim`` exactly as an admin would: ``apt-get install openssh-server sudo python3``, a login
with passwordless sudo, our key in its ``authorized_keys``, ``ssh-keygen -A``, sshd started. Its host key is
read from the server and pinned; a ``targets.toml`` points ``--target`` at it; the plugin bootstraps it and
runs the suite: green (issue 10, finding 6: ``AH00558 ServerName`` and the missing ``ss`` failed it before).
"""

from __future__ import annotations

import shlex
import uuid

import pytest
from wholesuite import run_whole_suite

from deploytests.containers import engine, keys
from deploytests.containers.driver import read_banner
from deploytests.containers.sweep import owner_labels
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration


BY_HAND = """
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends openssh-server sudo python3 >/dev/null
useradd --create-home --shell /bin/bash admin
usermod -p '*' admin
echo 'admin ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/admin
chmod 0440 /etc/sudoers.d/admin
install -d -m 0700 -o admin -g admin /home/admin/.ssh
printf '%s\\n' {key} > /home/admin/.ssh/authorized_keys
chown admin:admin /home/admin/.ssh/authorized_keys
chmod 0600 /home/admin/.ssh/authorized_keys
ssh-keygen -A
mkdir -p /run/sshd
/usr/sbin/sshd
"""


def published(container, port: str) -> int:
    container.reload()
    return int(container.attrs["NetworkSettings"]["Ports"][port][0]["HostPort"])


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    client = engine.docker_client()
    run_id = uuid.uuid4().hex[:10]
    workdir = tmp_path_factory.mktemp("plain-debian-key")  # pytest's: removed with its old runs
    key = keys.ClientKey.generate(workdir, comment="plain-debian")
    container = client.containers.run(
        "debian:bookworm-slim", ["sleep", "infinity"], detach=True, init=True, name=f"dt-{run_id}-plain",
        hostname="plain", labels={**owner_labels(run_id), "deploytests.name": "plain"},
        ports={"22/tcp": ("127.0.0.1", None), "80/tcp": ("127.0.0.1", None)})
    try:
        res = container.exec_run(["sh", "-c", BY_HAND.format(key=shlex.quote(key.public))])
        assert res.exit_code == 0, res.output.decode(errors="replace")[-3000:]
        ssh_port, http_port = published(container, "22/tcp"), published(container, "80/tcp")
        wait_until(lambda: read_banner("127.0.0.1", ssh_port).startswith(b"SSH-"), what="sshd of the plain server",
                   timeout=30, interval=0.05)
        host_key = container.exec_run(["cat", "/etc/ssh/ssh_host_ed25519_key.pub"]).output.decode().split()
        known_hosts = workdir / "known_hosts"
        keys.pin(known_hosts, "127.0.0.1", ssh_port, f"{host_key[0]} {host_key[1]}")
        yield {"ssh": ssh_port, "http": http_port, "key": key.path, "known_hosts": known_hosts}
    finally:
        container.remove(force=True)


def test_plain_debian_bootstrapped_passes_the_whole_suite(pytester, plain):
    run_whole_suite(pytester, "plain", f"admin@127.0.0.1:{plain['ssh']}", key=plain["key"],
                    known_hosts=plain["known_hosts"], base_url=f"http://127.0.0.1:{plain['http']}")
