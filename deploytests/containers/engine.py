"""The Docker engine: connect to it (Docker SDK), or bring one up on a bare Debian machine.

:func:`docker_client` is what the harness uses; it never installs anything and, without an engine, raises
:class:`~deploytests.errors.EngineUnavailable` naming the command that brings one up.
:func:`engine_up` is that command (``deploytests engine up``): it installs ``docker.io`` (and
``debootstrap``, needed to build the base image without a registry) with apt when missing, starts
``dockerd`` in the background and waits for it to answer. Only this module runs ``apt-get`` or ``dockerd``.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..errors import ConfigError, EngineUnavailable
from ..waiting import wait_until

ENGINE_UP_COMMAND = "deploytests engine up"  # the console script: never `python -m` in a checkout
DOCKERD_LOG = Path("/var/log/deploytests-dockerd.log")
DOCKERD_PIDFILE = Path("/run/deploytests-dockerd.pid")
APT_PACKAGES = ("docker.io", "debootstrap")


LOOPBACK = ("127.0.0.1", "localhost", "::1")
ADDRESS_ENV = "DEPLOYTESTS_DOCKER_HOST_ADDRESS"
PUBLISH_ENV = "DEPLOYTESTS_DOCKER_PUBLISH_ADDRESS"


@dataclass(frozen=True)
class EngineAddress:
    """Where the runner reaches the ports containers publish (``reach``), the engine-side address they are
    published on (``bind``), and where that came from (for messages)."""

    reach: str
    bind: str
    source: str

    @property
    def local(self) -> bool:
        return self.bind == "127.0.0.1"


def _address_word(value: str, env: str) -> str:
    """An address given in ``env``: a host name or an IP, nothing else (no scheme, port, path or spaces)."""
    word = value.strip()
    if word.startswith("[") and word.endswith("]"):
        word = word[1:-1]
    if not word or any(ch in word for ch in " /@\t") or (word.count(":") == 1):
        raise ConfigError(f"{env}={value!r} (environment variable): expected a host name or an IP address (no "
                          "scheme, port or path)", hint=f"e.g. {env}=10.0.0.5")
    return word


def _resolve(host: str, source: str) -> str:
    """``host`` as an IP address (the engine binds published ports to an address, not a name)."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise EngineUnavailable(f"cannot resolve the engine's host {host!r} (from {source}): {exc.strerror or exc}",
                                hint=f"fix the name, or set {ADDRESS_ENV} to the engine's IP address") from None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # IPv4 first: what docker's port bindings expect
    return str(infos[0][4][0])


def engine_address(environ=os.environ, *, resolve=None) -> EngineAddress:
    """Where containers' published ports are reached, and on which engine-side address they are published.

    The local engine (no ``DOCKER_HOST``, a unix socket, or ``tcp://`` on loopback): published on 127.0.0.1 and
    reached there, nothing else. Another engine (``tcp://HOST:PORT``, ``ssh://user@HOST``, a ``docker:dind``
    service): reached at HOST, as testcontainers does, and published on HOST's address only (never on every
    interface of the engine's machine). ``DEPLOYTESTS_DOCKER_HOST_ADDRESS`` overrides where they are reached
    (a runner in a container whose engine is the host's, a name that resolves differently on the runner);
    ``DEPLOYTESTS_DOCKER_PUBLISH_ADDRESS`` the engine-side address they are published on (an engine behind NAT,
    whose public address is not one of its own: publish on its private address, or ``0.0.0.0``).
    ``resolve(host, source)`` turns a name into the address to publish on (default: the runner's resolver)."""
    raw = environ.get("DOCKER_HOST", "")
    if environ.get(ADDRESS_ENV, "").strip():
        reach, source = _address_word(environ[ADDRESS_ENV], ADDRESS_ENV), f"{ADDRESS_ENV} environment variable"
    else:
        try:
            url = urlparse(raw)
            host = url.hostname
        except ValueError:
            url, host = None, None
        if url is None or url.scheme not in ("", "unix", "npipe", "tcp", "http", "https", "ssh") or \
                (url.scheme in ("tcp", "http", "https", "ssh") and not host):
            raise ConfigError(f"DOCKER_HOST={raw!r} (environment variable): not an engine address deploytests "
                              "understands", hint="use unix:///path, tcp://HOST:PORT or ssh://USER@HOST, or unset it")
        if url.scheme in ("", "unix", "npipe") or host in LOOPBACK:
            reach, source = "127.0.0.1", "the local engine"
        else:
            reach, source = str(host), "DOCKER_HOST environment variable"
    if reach in LOOPBACK:
        reach = "127.0.0.1"
    if environ.get(PUBLISH_ENV, "").strip():
        bind = _address_word(environ[PUBLISH_ENV], PUBLISH_ENV)
    else:
        bind = reach if reach == "127.0.0.1" else (resolve or _resolve)(reach, source)
    return EngineAddress(reach=reach, bind=bind, source=source)


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
            hint=f"run `sudo apt-get install -y {' '.join(APT_PACKAGES)}` (or `{ENGINE_UP_COMMAND}` as root, from an "
                 "install of root's), or start dockerd / set DOCKER_HOST",
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
