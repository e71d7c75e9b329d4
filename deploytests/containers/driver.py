"""Start N throwaway server containers and hand them out as :class:`~deploytests.servers.Server`.

:class:`Fleet` is a context manager (usable without pytest)::

    with Fleet(count=2) as fleet:
        for server in fleet.servers:
            server.connection().run("hostname")

On enter it sweeps leftovers of killed runs, makes sure the image exists, creates a per-run temp dir with an
ephemeral client key and a known_hosts file, starts the containers in parallel (random host ports, published
on 127.0.0.1 only for the local engine, on the engine's own address for another one: see
:func:`~deploytests.containers.engine.engine_address`; labelled with the run id), then waits for each: the SSH
banner, the host key printed by the container (pinned into known_hosts), an authenticated command over the pinned
key, and Apache answering (images that have it). If anything fails on enter, what was started is removed before the
error propagates. On exit every container of the run is removed unless ``keep=True``.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import DeployTestsError, EngineUnavailable, tail
from ..servers import Server
from ..waiting import wait_until
from . import engine, images, keys, sweep

Progress = Callable[[str], None]
LOGIN = "appuser"


def read_banner(host: str, port: int, timeout: float = 0.5) -> bytes:
    """Read the first bytes a server sends; a real sshd starts with ``SSH-``.

    docker-proxy accepts TCP on the published port before sshd listens, so "connect works" proves nothing.
    """
    with socket.create_connection((host, port), timeout=timeout) as sock:
        return sock.recv(64)


def _remove(container) -> None:
    """Remove a container and its anonymous volumes; one already gone is fine."""
    try:
        container.remove(force=True, v=True)
    except Exception:  # noqa: BLE001 - already removed (docker.errors.NotFound) or being removed
        pass


# whether each engine granted SYS_PTRACE to the first container this process asked it for (``DOCKER_HOST``: True,
# False), and the lock its first asks wait behind: a per-engine fact, learned once, not once per container (a
# Docker-in-Docker engine refuses it; each refused create had copied the whole image on its vfs storage)
PTRACE: dict[str, bool] = {}
_LEARNING = threading.Lock()


def with_ptrace(key: str, run: Callable, options: dict, discard: Callable[[], None], wait: bool = True):
    """``run(options)`` with ``cap_add=SYS_PTRACE`` (root may read every process's fds, as on a server) where the
    engine ``key`` grants it, without it where it refused it once (the server then runs without it: processes of
    other users show as not visible, as the gate says). Until an engine has answered, its creates go one at a
    time (``wait``: a remote engine's; the local engine's start at once, as it ordinarily grants it); a refused
    create's container (made, not started) is ``discard``ed. Options that set ``cap_add`` themselves are the
    caller's: a refusal of them is raised."""
    import docker

    if "cap_add" in options:
        return run(options)
    with _LEARNING if wait and key not in PTRACE else contextlib.nullcontext():
        if PTRACE.get(key) is False:
            return run(dict(options))
        try:
            container = run({"cap_add": ["SYS_PTRACE"], **options})
        except docker.errors.APIError:
            PTRACE[key] = False
            discard()
            return run(dict(options))
        PTRACE[key] = True
        return container


def _published(container, port: str) -> int:
    return int(container.ports[port][0]["HostPort"])


class Fleet:
    """N containers of one image (or of several, in turn), reachable over pinned SSH. See the module docstring.

    ``mix``: ``[(image, base), ...]``, container i runs ``mix[i % len(mix)]`` (a fleet of mixed platforms);
    without it every container runs ``image``. Images are names the stacks give (``debian13-bare``); a base,
    when given, must be the one the image's stack builds it on (None: that one).
    """

    def __init__(self, count: int = 2, *, image: str = "debian-apache-wsgi", name_prefix: str = "web",
                 keep: bool = False, client=None, run_id: str | None = None, workdir: Path | None = None,
                 progress: Progress = print, ready_timeout: float = 30.0, base: str | None = None,
                 run_options: dict | None = None, mix: Sequence[tuple[str, str | None]] | None = None,
                 image_tag: str | None = None, sweep: bool = True):
        if count < 1:
            raise DeployTestsError(f"a fleet needs at least one container, got {count}")
        self.mix = list(mix or [(image, base)])
        image, base = self.mix[0]
        self.count, self.image, self.name_prefix, self.keep = count, image, name_prefix, keep
        self.run_id = run_id or uuid.uuid4().hex[:10]
        self.progress, self.ready_timeout, self.base = progress, ready_timeout, base
        self._client, self._workdir_given = client, workdir
        self.run_options = dict(run_options or {})  # extra containers.run() kwargs, e.g. tmpfs={path: "size=12m"}
        self.workdir: Path | None = workdir
        self.containers: list = []
        self.servers: list[Server] = []
        self.times: dict[str, float] = {}  # seconds per step (the run summary and the bench)
        self.tag = ""
        self.tags: dict[str, str] = {}  # image name -> its tag
        self.image_tag = image_tag  # a ready image (e.g. a committed snapshot): every container runs it, never built
        self.sweeps = sweep  # False: another fleet of this run sweeps (the lifecycle scenarios' ones: once a run)

    # -- context manager -------------------------------------------------------------------------------
    def __enter__(self) -> Fleet:
        try:
            self.start()
        except BaseException:
            if self.keep and self.containers:  # kept as asked, for a look: said, with how to remove them
                ids = " ".join(c.short_id for c in self.containers)
                self.progress(f"the containers of this failed start are kept (--keep-containers): docker logs, "
                              f"docker exec to look; remove them when done: docker rm -f {ids}")
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- steps -----------------------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            self._client = engine.docker_client()
        return self._client

    def _timed(self, step: str, fn, *args):
        started = time.monotonic()
        try:
            return fn(*args)
        finally:
            self.times[step] = self.times.get(step, 0.0) + time.monotonic() - started

    def start(self) -> list:
        """Sweep, image, key, containers, readiness. Returns the servers."""
        self.engine = engine.engine_address()  # a bad DOCKER_HOST is refused before anything starts
        self.address = self.engine.reach
        self._timed("engine", lambda: self.client)
        if self.sweeps:
            self._timed("sweep", lambda: sweep.sweep(self.client, progress=self.progress))
        if self.image_tag:
            self.tags = {image: self.image_tag for image, _ in self.mix}
        else:
            self.tags = self._timed("images", lambda: {image: images.ensure_image(
                self.client, image, base=base, progress=self.progress) for image, base in dict(self.mix).items()})
        self.tag = self.tags[self.image]
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"deploytests-{self.run_id}-"))
        if self._workdir_given is None:  # ours: a later run removes it if this one dies without stop()
            sweep.write_owner(self.workdir, sweep.owner_labels(self.run_id, keep=self.keep))
        self.key = keys.ClientKey.generate(self.workdir, comment=f"deploytests-{self.run_id}")
        self.known_hosts = self.workdir / "known_hosts"
        self.known_hosts.touch(mode=0o600)
        names = [f"{self.name_prefix}-{i}" for i in range(1, self.count + 1)]
        # in parallel; each step is timed as wall time for the whole fleet
        with ThreadPoolExecutor(max_workers=min(8, self.count)) as pool:
            self.containers = self._timed("container start", lambda: list(pool.map(self._run, names)))
            self.servers = self._timed("ssh ready", lambda: list(pool.map(self._ready, self.containers)))
        return self.servers

    def image_of(self, name: str) -> str:
        """The image container ``<prefix>-<i>`` runs (the mix taken in turn)."""
        return self.mix[(int(name.rsplit("-", 1)[1]) - 1) % len(self.mix)][0]

    def _run(self, name: str):
        labels = sweep.owner_labels(self.run_id, keep=self.keep)
        import docker

        bind = self.engine.bind

        def run(options):
            return self.client.containers.run(self.tags[self.image_of(name)], **{
                "detach": True, "init": True, "name": f"dt-{self.run_id}-{name}", "hostname": name,
                "labels": {**labels, "deploytests.name": name},
                "environment": {"DEPLOYTESTS_AUTHORIZED_KEY": self.key.public},
                "ports": {"22/tcp": (bind, None), "80/tcp": (bind, None)}, **options})  # (init=False: its own init)

        try:
            container = with_ptrace(engine.engine_name(), run, self.run_options, lambda: self._discard(name),
                                    wait=not self.engine.local)
        except docker.errors.APIError as exc:
            if self.engine.local:
                raise
            raise EngineUnavailable(
                f"the engine at {engine.engine_name()} could not publish docker://{name}'s ports on {bind} "
                f"(from {self.engine.source}): {exc.explanation or exc}",
                hint=f"set {engine.PUBLISH_ENV} to an address of the engine's own machine (its private address "
                     "behind NAT)") from None
        container.reload()
        return container

    def _discard(self, name: str) -> None:
        """This run's container ``name``, made and not started by a refused create, goes."""
        for left in self.client.containers.list(all=True, filters={"name": f"dt-{self.run_id}-{name}"}):
            if left.name == f"dt-{self.run_id}-{name}":
                left.remove(force=True)

    def _log(self, container) -> str:
        try:
            return tail(container.logs(), 30)
        except Exception as exc:  # noqa: BLE001
            return f"(no log: {exc})"

    def _ready(self, container):
        name = container.labels["deploytests.name"]
        addr = self.address
        ssh_port, http_port = _published(container, "22/tcp"), _published(container, "80/tcp")
        where = f"docker://{name} ({addr}:{ssh_port})"
        log = lambda: f"--- container log {container.name} ---\n{self._log(container)}"  # noqa: E731
        wait_until(lambda: read_banner(addr, ssh_port).startswith(b"SSH-"), what="the SSH banner",
                   where=where, timeout=self.ready_timeout, interval=0.01, detail=log,
                   hint="sshd did not start: read the container log below (a loaded machine: give the "
                        "containers longer with --host-timeout SECONDS)")
        host_key = wait_until(lambda: keys.parse_host_key(container.logs().decode(errors="replace")),
                              what="the host key line in the container log", where=where,
                              timeout=self.ready_timeout, detail=log)
        keys.pin(self.known_hosts, addr, ssh_port, host_key)
        server = Server(name=name, label=f"docker://{name}", host=addr, port=ssh_port, user=LOGIN,
                        key_filename=self.key.path, known_hosts=self.known_hosts,
                        base_url=f"http://{addr}:{http_port}", container_id=container.id)
        wait_until(lambda: server.connection().run("true", hide=True).ok, what="an authenticated SSH command",
                   where=where, timeout=self.ready_timeout, interval=0.05, detail=log)
        if not self.image_of(name).endswith("-bare"):  # bare images have no Apache yet
            wait_until(lambda: self._http_ok(addr, http_port),
                       what="Apache to answer HTTP", where=f"docker://{name} ({addr}:{http_port})",
                       timeout=self.ready_timeout, interval=0.02, detail=log)
        return server

    @staticmethod
    def _http_ok(addr: str, port: int) -> bool:
        with socket.create_connection((addr, port), timeout=1) as sock:
            sock.sendall(b"HEAD / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/")

    def stop(self) -> None:
        """Close connections and remove the run's containers (unless kept). Safe to call twice."""
        for server in self.servers:
            server.close()
        if self.keep:
            return
        started = time.monotonic()
        leftovers = list(self.containers)
        # containers created by a run() that raised before returning are found by the run label
        if self._client is not None:
            known = {c.id for c in leftovers}
            leftovers += [c for c in self._client.containers.list(
                all=True, sparse=True, filters={"label": f"{sweep.L_RUN}={self.run_id}"}) if c.id not in known]
        if leftovers:
            with ThreadPoolExecutor(max_workers=min(8, len(leftovers))) as pool:
                list(pool.map(_remove, leftovers))
        self.containers = []
        self.times["teardown"] = self.times.get("teardown", 0.0) + time.monotonic() - started
        if self.workdir is not None and self._workdir_given is None:
            shutil.rmtree(self.workdir, ignore_errors=True)
