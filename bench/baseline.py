"""The same work done the straightforward way, for comparison (bench only; not part of the harness).

What a team writes first, following the recipe literally: hosts one after another; every remote command is
a fresh ``ssh`` process (no connection reuse); ``pip wheel`` of the app and its dependencies on every run; a
venv created with pip inside; files copied with ``scp`` one by one; each host check its own ``ssh`` call.
Host keys are still pinned (ssh-keyscan once into a private known_hosts, then StrictHostKeyChecking=yes):
the baseline is naive about speed, not about safety. Readiness polls with a deadline.

The server tree, vhost and ``.wsgi`` are the pipeline's own (``deploytests.pipeline.templates``), so the
result is the same site the harness deploys.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploytests.config import load_config
from deploytests.containers import docker_client, ensure_image
from deploytests.containers.keys import ClientKey
from deploytests.examples import APPS
from deploytests.pipeline import templates
from deploytests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
APP = APPS / "yourapplication"
LABEL = "deploytests.bench=baseline"
DEBUG = bool(os.environ.get("BASELINE_DEBUG"))


class Host:
    def __init__(self, name: str, tag: str, key: ClientKey, work: Path):
        self.name, self.key, self.work = name, key, work
        self.cid = subprocess.check_output(
            ["docker", "run", "-d", "--init", "--label", LABEL, "-p", "127.0.0.1::22", "-p", "127.0.0.1::80",
             "-e", f"DEPLOYTESTS_AUTHORIZED_KEY={key.public}", tag], text=True).strip()
        ports = json.loads(subprocess.check_output(["docker", "inspect", "-f", "{{json .NetworkSettings.Ports}}",
                                                    self.cid], text=True))
        self.ssh_port = int(ports["22/tcp"][0]["HostPort"])
        self.http_port = int(ports["80/tcp"][0]["HostPort"])
        self.known_hosts = work / f"known_hosts-{name}"

    def scan(self) -> bool:
        out = subprocess.run(["ssh-keyscan", "-t", "ed25519", "-p", str(self.ssh_port), "127.0.0.1"],
                             capture_output=True, text=True).stdout
        if out.strip():
            self.known_hosts.write_text(out)
            return True
        return False

    def ssh_args(self) -> list[str]:
        return ["-i", str(self.key.path), "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-F", "/dev/null"]

    def ssh(self, command: str, check: bool = True) -> subprocess.CompletedProcess:
        if DEBUG:
            print(f"[{time.monotonic():.1f}] {self.name}$ {command[:100]}", file=sys.stderr)
        return subprocess.run(["ssh", *self.ssh_args(), "-p", str(self.ssh_port), "appuser@127.0.0.1", command],
                              capture_output=True, text=True, check=check)

    def scp(self, local: Path, remote: str) -> None:
        subprocess.run(["scp", "-q", "-r", *self.ssh_args(), "-P", str(self.ssh_port), str(local),
                        f"appuser@127.0.0.1:{remote}"], check=True)

    def remove(self) -> None:
        subprocess.run(["docker", "rm", "-f", self.cid], capture_output=True)


def build_wheelhouse(work: Path) -> Path:
    """``pip wheel`` of a copy of the app (an in-tree build leaves ``build/`` in the source: not in this repo's)."""
    wheels, src = work / "wheels", work / "src"
    shutil.copytree(APP, src, dirs_exist_ok=True)
    subprocess.run(["python3", "-m", "pip", "wheel", "-q", "--wheel-dir", str(wheels), str(src)], check=True,
                   stderr=subprocess.DEVNULL)
    return wheels


def deploy(host: Host, cfg, wheels: Path) -> None:
    root, app = cfg.root, cfg.app
    rel = f"{root}/releases/baseline"
    for cmd in [f"sudo useradd --system --home-dir {root} --no-create-home {app} || true",
                # the daemons' python-home the vhost template names (an empty venv, root's: bootstrap makes it)
                "sudo mkdir -p /var/lib/deploytests && sudo python3 -m venv --without-pip /var/lib/deploytests/python",
                f"sudo mkdir -p {rel} {root}/shared/data",
                f"sudo chown -R appuser {root}",
                "mkdir -p /tmp/wheels"]:
        host.ssh(cmd)
    host.scp(wheels, "/tmp/")
    host.ssh(f"python3 -m venv {rel}/venv")
    host.ssh(f"{rel}/venv/bin/pip install -q --no-index --find-links /tmp/wheels {app}")
    files = {
        "RELEASE.json": json.dumps({"entry_point": cfg.entry_point, "version": "1.0"}),
        "application.wsgi": templates.wsgi(cfg),
        "site.conf": templates.vhost(cfg),
        "application.cfg": Path(cfg.config_file).read_text(),
    }
    for name, text in files.items():
        (host.work / name).write_text(text)
        host.scp(host.work / name, f"/tmp/{name}")
    for cmd in [f"mv /tmp/RELEASE.json {rel}/RELEASE.json",
                f"mv /tmp/application.wsgi {root}/application.wsgi",
                f"ln -sfn {rel} {root}/current",
                f"sudo mv /tmp/application.cfg {cfg.remote_config_path}",
                f"sudo chown root:{app} {cfg.remote_config_path}",
                f"sudo chmod 0640 {cfg.remote_config_path}",
                f"sudo chown {app} {root}/shared/data",
                f"ln -sfn {root}/shared/data {rel}/data",
                f"cd {rel} && sudo -u {app} env {cfg.config_env}={cfg.remote_config_path} "
                f"{rel}/venv/bin/flask --app {app} init-data",
                f"sudo mv /tmp/site.conf /etc/apache2/sites-available/{app}.conf",
                "sudo /usr/sbin/a2dissite -q 000-default",
                f"sudo /usr/sbin/a2ensite -q {app}",
                "sudo /usr/sbin/apache2ctl configtest",
                "sudo /usr/sbin/apache2ctl graceful"]:
        host.ssh(cmd)
    wait_until(lambda: "200" in host.ssh(f"curl -s -m 5 -o /dev/null -w '%{{http_code}}' "
                                         f"http://127.0.0.1{cfg.health_path}", check=False).stdout,
               what="the health route", where=host.name, timeout=30, interval=0.2)


CHECKS = [
    "dpkg -s apache2", "dpkg -s libapache2-mod-wsgi-py3", "dpkg -s python3-venv",
    "pgrep -x apache2", "sudo /usr/sbin/apache2ctl -M | grep wsgi_module", "sudo /usr/sbin/apache2ctl configtest",
    "ss -ltn | grep ':80 '", "getent passwd yourapplication", "test -d /var/www/yourapplication/releases",
    "test -d /var/www/yourapplication/shared", "readlink /var/www/yourapplication/current",
    "cat /var/www/yourapplication/current/RELEASE.json",
    "/var/www/yourapplication/current/venv/bin/pip show yourapplication",
    "ps -o user= -C apache2", "stat -c %a /var/www/yourapplication/shared/application.cfg",
    "grep python-home /etc/apache2/sites-available/yourapplication.conf",
    "curl -sf http://127.0.0.1/", "curl -sf http://127.0.0.1/health", "curl -sI http://127.0.0.1/ | grep X-Deploy",
    "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/application.wsgi",
    "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/shared/application.cfg",
]


def verify(host: Host) -> None:
    for check in CHECKS:
        host.ssh(check)
    import requests

    assert requests.get(f"http://127.0.0.1:{host.http_port}/", timeout=5).status_code == 200


def run(n_hosts: int) -> dict[str, float]:
    """Deploy and verify ``n_hosts`` containers one after another; return seconds per step."""
    times: dict[str, float] = {}

    def timed(step, fn, *args, **kwargs):
        t = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            times[step] = times.get(step, 0.0) + time.monotonic() - t

    start = time.monotonic()
    tag = ensure_image(docker_client(), "debian-apache-wsgi", progress=lambda m: None)
    cfg = load_config(APP)
    with tempfile.TemporaryDirectory(prefix="deploytests-baseline-") as tmp:
        work = Path(tmp)
        key = ClientKey.generate(work)
        wheels = timed("pack", build_wheelhouse, work)
        for i in range(1, n_hosts + 1):
            host = timed("container start", Host, f"web-{i}", tag, key, work)
            try:
                timed("ssh ready", wait_until, host.scan, what="sshd", where=host.name, timeout=30, interval=0.2)
                timed("deploy", deploy, host, cfg, wheels)
                timed("verify", verify, host)
            finally:
                if not os.environ.get("BASELINE_KEEP"):
                    timed("teardown", host.remove)
    times["total"] = time.monotonic() - start
    return times


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1), indent=1))
