"""The Docker engine: connect to it (Docker SDK), or bring one up on a bare Debian machine.

:func:`docker_client` is what the harness uses; it never installs anything and, without an engine, raises
:class:`~deploytests.errors.EngineUnavailable` naming the command that brings one up.
:func:`engine_up` is that command (``python -m deploytests engine up``): it installs ``docker.io`` (and
``debootstrap``, needed to build the base image without a registry) with apt when missing, starts
``dockerd`` in the background and waits for it to answer. Only this module runs ``apt-get`` or ``dockerd``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from ..errors import EngineUnavailable
from ..waiting import wait_until

ENGINE_UP_COMMAND = "python -m deploytests engine up"
DOCKERD_LOG = Path("/var/log/deploytests-dockerd.log")
DOCKERD_PIDFILE = Path("/run/deploytests-dockerd.pid")
APT_PACKAGES = ("docker.io", "debootstrap")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def engine_address() -> str:
    """Where to reach the ports containers publish: always 127.0.0.1, so the engine must be on this machine.

    ``DOCKER_HOST`` may name the local engine any way (unix socket, ``tcp://127.0.0.1:PORT``); a remote engine
    is refused with one line, because its containers' ports are published on *its* loopback (the network rule:
    nothing but 127.0.0.1 is ever contacted)."""
    raw = os.environ.get("DOCKER_HOST", "")
    url = urlparse(raw)
    if url.scheme in ("", "unix", "npipe") or (url.scheme in ("tcp", "http", "https") and url.hostname in LOOPBACK):
        return "127.0.0.1"
    raise EngineUnavailable(
        f"DOCKER_HOST={raw} names an engine on another machine; containers publish their ports on 127.0.0.1 "
        "of the engine's machine, which this runner cannot reach",
        hint="run the harness on the engine's machine, or point DOCKER_HOST at a local engine")


def _unix_socket_answers() -> None:
    """Connect to a unix-socket engine with a socket of our own first: docker's client leaks its socket
    (a ResourceWarning in the caller's test run) when nothing listens there. Raises OSError."""
    url = urlparse(engine_name())
    if url.scheme in ("unix", "http+unix"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(url.path)


def engine_name() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def docker_client(timeout: int = 120):
    """A connected :class:`docker.DockerClient` (``DOCKER_HOST`` respected, API version negotiated)."""
    import docker

    try:
        _unix_socket_answers()
        client = docker.from_env(timeout=timeout)
        client.ping()
    except Exception as exc:  # docker raises DockerException, requests errors, FileNotFoundError...
        raise EngineUnavailable(
            f"no Docker engine answers at {engine_name()} ({type(exc).__name__})",
            hint=f"run `{ENGINE_UP_COMMAND}` (as root), or start dockerd / set DOCKER_HOST",
        ) from None
    return client


def _engine_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        return subprocess.run([docker, "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _missing_packages() -> list[str]:
    want = {"docker.io": "dockerd", "debootstrap": "debootstrap"}
    return [pkg for pkg, binary in want.items()
            if shutil.which(binary) is None and not Path("/usr/sbin", binary).exists()]


def _say(msg: str) -> None:
    print(f"deploytests engine: {msg}", flush=True)


def engine_up(*, timeout: float = 60.0) -> int:
    """Make sure a Docker engine answers (and debootstrap, for the base image, is installed); install and
    start what is missing. Returns a process exit code."""
    missing = _missing_packages()
    if _engine_answers() and "debootstrap" not in missing:
        _say(f"an engine answers at {engine_name()}; nothing to do")
        return 0
    if missing:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            _say(f"missing {', '.join(missing)} and cannot install them (needs root and apt-get). "
                 f"Install them by hand: `sudo apt-get install -y {' '.join(APT_PACKAGES)}`, then "
                 "`sudo dockerd &` and check with `docker info`.")
            return 2
        _say(f"installing {' '.join(missing)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    if _engine_answers():
        _say(f"an engine answers at {engine_name()}")
        return 0
    if os.geteuid() != 0:
        _say("dockerd is installed but not running, and starting it needs root: run `sudo dockerd &`")
        return 2
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    log = DOCKERD_LOG.open("ab")
    proc = subprocess.Popen([dockerd], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    DOCKERD_PIDFILE.write_text(f"{proc.pid}\n")
    _say(f"started dockerd (pid {proc.pid}, log {DOCKERD_LOG}); waiting for it to answer")
    started = time.monotonic()
    wait_until(_engine_answers, what="dockerd to answer `docker info`", where=engine_name(),
               timeout=timeout, interval=0.2, hint=f"read {DOCKERD_LOG}",
               detail=lambda: DOCKERD_LOG.read_text(errors="replace")[-2000:])
    _say(f"engine up after {time.monotonic() - started:.1f}s")
    return 0
