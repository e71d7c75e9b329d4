"""A plain Debian server set up by hand, the way an admin would, from ``debian:bookworm-slim`` (not the project's
images): ``apt-get install openssh-server sudo python3``, an ``admin`` login with passwordless sudo, a ``deployer``
login without sudo, our key in both ``authorized_keys``, ``ssh-keygen -A``, sshd started. Its host key is read
from the server and pinned. Shared by the integration tests that need a server deploytests did not shape.
"""

from __future__ import annotations

import contextlib
import shlex
import uuid

from deploytests import ssh
from deploytests.containers import engine, keys
from deploytests.containers.driver import read_banner
from deploytests.containers.sweep import owner_labels
from deploytests.waiting import wait_until

LOGIN = """
useradd --create-home --shell /bin/bash {login}
usermod -p '*' {login}
install -d -m 0700 -o {login} -g {login} /home/{login}/.ssh
printf '%s\\n' {key} > /home/{login}/.ssh/authorized_keys
chown {login}:{login} /home/{login}/.ssh/authorized_keys
chmod 0600 /home/{login}/.ssh/authorized_keys
"""
BY_HAND = """
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends openssh-server sudo python3 >/dev/null
{logins}
echo 'admin ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/admin
chmod 0440 /etc/sudoers.d/admin
ssh-keygen -A
mkdir -p /run/sshd
/usr/sbin/sshd
"""


def published(container, port: str) -> int:
    container.reload()
    return int(container.attrs["NetworkSettings"]["Ports"][port][0]["HostPort"])


@contextlib.contextmanager
def server_by_hand(workdir, name: str, logins=("admin",)):
    """The server, running; yields a dict: ``ssh``/``http`` (ports on 127.0.0.1), ``key`` (path), ``known_hosts``,
    ``container``, and ``connect(user)`` (a pinned connection). Removed on exit."""
    client = engine.docker_client()
    run_id = uuid.uuid4().hex[:10]
    key = keys.ClientKey.generate(workdir, comment=name)
    container = client.containers.run(
        "debian:bookworm-slim", ["sleep", "infinity"], detach=True, init=True, name=f"dt-{run_id}-{name}",
        hostname=name, labels={**owner_labels(run_id), "deploytests.name": name},
        ports={"22/tcp": ("127.0.0.1", None), "80/tcp": ("127.0.0.1", None)})
    try:
        script = BY_HAND.format(logins="".join(LOGIN.format(login=u, key=shlex.quote(key.public)) for u in logins))
        res = container.exec_run(["sh", "-c", script])
        assert res.exit_code == 0, res.output.decode(errors="replace")[-3000:]
        ssh_port, http_port = published(container, "22/tcp"), published(container, "80/tcp")
        wait_until(lambda: read_banner("127.0.0.1", ssh_port).startswith(b"SSH-"), what=f"sshd of {name}",
                   timeout=30, interval=0.05)
        host_key = container.exec_run(["cat", "/etc/ssh/ssh_host_ed25519_key.pub"]).output.decode().split()
        known_hosts = workdir / "known_hosts"
        keys.pin(known_hosts, "127.0.0.1", ssh_port, f"{host_key[0]} {host_key[1]}")

        def connect(user: str):
            return ssh.connect("127.0.0.1", user=user, port=ssh_port, key_filename=key.path,
                               known_hosts=known_hosts, label=f"ssh://{user}@{name}")

        yield {"ssh": ssh_port, "http": http_port, "key": key.path, "known_hosts": known_hosts,
               "container": container, "connect": connect}
    finally:
        container.remove(force=True)


@contextlib.contextmanager
def deployed_by_hand(workdir, name: str):
    """A hand-made server (``admin`` with sudo, ``deployer`` without) bootstrapped by ``admin`` and the example
    app deployed by ``deployer``: a :class:`deploytests.suite.lab.Lab` (``lab.container``, ``lab.release``)."""
    from pathlib import Path

    from deploytests.servers import Server
    from deploytests.suite.lab import Lab

    with server_by_hand(workdir, name, ("admin", "deployer")) as s:
        server = Server(name=name, label=f"ssh://admin@{name}", host="127.0.0.1", port=s["ssh"], user="admin",
                        key_filename=Path(s["key"]), known_hosts=Path(s["known_hosts"]),
                        base_url=f"http://127.0.0.1:{s['http']}")
        lab = Lab(server, deploy_user="deployer")
        lab.container = s["container"]
        try:
            lab.bootstrap()
            lab.release = lab.deploy("yourapplication").release_id
            yield lab
        finally:
            server.close()
