"""The docker target on a second Docker engine that is not the runner's: Docker-in-Docker, reached over TCP.

The test starts the engine itself: a container of Debian's ``docker.io`` (``dind/Dockerfile``, built once per
content hash) running ``dockerd -H tcp://0.0.0.0:2375``, reached at its address on the outer engine's bridge
network — the only address besides 127.0.0.1 the tests contact, and only because this test started it. Our
server image is copied into it through the two engines' APIs (``save`` from the outer, ``load`` into the inner).
With ``DOCKER_HOST=tcp://<its address>:2375`` the containers run inside it and publish their ports on its
address; the gate reaches them there. Unprivileged: ``--privileged`` is not needed (nor allowed on every CI
machine); the capabilities below are what dockerd needs to run containers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploytests.cache import cache_dir, file_lock
from deploytests.containers import Fleet, docker_client, ensure_image
from deploytests.containers.images import content_hash, import_rootfs
from deploytests.containers.sweep import L_PID, L_RUN, L_START, owner_labels
from deploytests.stacks import ImageSpec, for_platform
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration

DIND = Path(__file__).resolve().parent / "dind"
ROOT = Path(__file__).resolve().parents[2]
PORT = 2375


def dind_image(client) -> str:
    """The engine image, built once per content hash of ``dind/`` (apt-get only on the first run)."""
    import docker

    tag = f"deploytests-test/dind:{content_hash([DIND], {})}"
    with file_lock(cache_dir() / "dind-image.lock"):
        try:
            client.images.get(tag)
        except docker.errors.ImageNotFound:
            client.images.build(path=str(DIND), tag=tag, rm=True, forcerm=True, labels={"deploytests": "test-image"})
    return tag


def inner_client(address: str, timeout: int = 300):
    import docker

    return docker.DockerClient(base_url=f"tcp://{address}:{PORT}", timeout=timeout)


def _answers(address: str) -> bool:
    client = inner_client(address, timeout=5)
    try:
        return bool(client.ping())
    finally:
        client.close()


@pytest.fixture(scope="module")
def remote_engine():
    """``(address, its client, the runner's own engine's client)``: a fresh second engine holding the Debian 12
    server image; removed afterwards.

    It carries the harness's owner labels: a run killed before its teardown leaves it to the next run's sweep."""
    outer = docker_client()
    server_tag = ensure_image(outer, for_platform("debian12").image, progress=lambda m: None)
    labels = owner_labels(f"dind-{os.getpid()}-{time.monotonic_ns() % 10**6}")
    started = time.monotonic()
    engine = outer.containers.run(
        dind_image(outer), detach=True, labels=labels, cap_add=["SYS_ADMIN", "NET_ADMIN"],
        security_opt=["seccomp=unconfined", "apparmor=unconfined"], cgroupns="host",
        volumes={"/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"}})
    inner = None
    try:
        engine.reload()
        address = engine.attrs["NetworkSettings"]["IPAddress"]
        wait_until(lambda: _answers(address), what="the inner dockerd to answer", where=f"tcp://{address}:{PORT}",
                   timeout=60, interval=0.2, detail=lambda: engine.logs().decode(errors="replace")[-2000:])
        up = time.monotonic() - started
        inner = inner_client(address)
        inner.images.load(outer.images.get(server_tag).save(named=True))
        print(f"\nremote engine: up {up:.1f}s, server image loaded {time.monotonic() - started - up:.1f}s")
        yield address, inner, outer
    finally:
        if inner is not None:
            inner.close()
        engine.remove(force=True, v=True)
        outer.close()


@pytest.fixture
def docker_host(remote_engine, monkeypatch):
    """DOCKER_HOST names the remote engine; nothing else the harness reads is inherited."""
    address = remote_engine[0]
    monkeypatch.setenv("DOCKER_HOST", f"tcp://{address}:{PORT}")
    for name in ("DEPLOYTESTS_DOCKER_HOST_ADDRESS", "DEPLOYTESTS_DOCKER_PUBLISH_ADDRESS", "DOCKER_TLS_VERIFY",
                 "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    return address


def bindings(client, container_id: str) -> set[str]:
    ports = client.containers.get(container_id).attrs["NetworkSettings"]["Ports"]
    return {b["HostIp"] for found in ports.values() for b in found or []}


def test_fleet_publishes_on_the_engines_address_and_is_reached_there(docker_host, remote_engine):
    _, inner, outer = remote_engine
    with Fleet(count=2, progress=lambda m: None) as fleet:
        for server in fleet.servers:
            assert (server.host, server.base_url.split(":")[1]) == (docker_host, f"//{docker_host}")
            assert bindings(inner, server.container_id) == {docker_host}  # the engine's address, not 0.0.0.0
            assert server.connection().run("hostname", hide=True).stdout.strip() == server.name
        run = {"label": f"{L_RUN}={fleet.run_id}"}
        assert len(inner.containers.list(all=True, filters=run)) == 2
        assert outer.containers.list(all=True, filters=run) == []  # nothing on the runner's own engine
    assert inner.containers.list(all=True, filters=run) == []


def test_a_dead_runs_leftovers_on_the_remote_engine_are_swept(docker_host, remote_engine):
    """A container and a snapshot image of a run whose process is gone: the next run's sweep removes both."""
    inner = remote_engine[1]
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    labels = {**owner_labels("deadrun"), L_PID: dead.stdout.strip(), L_START: "1"}
    image = inner.images.list(name="deploytests/debian-apache-wsgi")[0].tags[0]
    left = inner.containers.create(image, labels=labels, name=f"dt-deadrun-{os.getpid()}")
    snapshot = left.commit(repository="deploytests/lab-snapshot", tag=f"deadrun-{os.getpid()}")  # as a run commits
    with Fleet(count=1, progress=lambda m: None):
        pass
    import docker

    with pytest.raises(docker.errors.NotFound):
        inner.containers.get(left.id)
    with pytest.raises(docker.errors.ImageNotFound):
        inner.images.get(snapshot.id)


def test_images_are_imported_and_built_through_the_engines_api(docker_host, remote_engine, tmp_path):
    """A base image from a root file system (as debootstrap makes one) and an image built FROM it, both in the
    engine DOCKER_HOST names, not in the runner's own."""
    _, inner, outer = remote_engine
    rootfs = tmp_path / "rootfs"
    (rootfs / "etc").mkdir(parents=True)
    (rootfs / "etc" / "os-release").write_text('ID=probe\n')
    base = f"deploytests-test/base-probe:{os.getpid()}"
    dockerfiles = tmp_path / "dockerfiles"
    for folder, text in {"probe/Dockerfile": "ARG BASE\nFROM ${BASE}\nCOPY common/marker /marker\n",
                         "common/marker": f"{base}\n"}.items():
        (dockerfiles / folder).parent.mkdir(parents=True, exist_ok=True)
        (dockerfiles / folder).write_text(text)
    spec = ImageSpec(name=f"probe-{os.getpid()}", dockerfile="probe", base=base, suite="bookworm",
                     mirror="http://deb.debian.org/debian", args=())
    try:
        import_rootfs(inner, rootfs, base)
        tag = ensure_image(inner, spec, root=dockerfiles, progress=lambda m: None)
        files = inner.containers.create(tag, command=["/marker"])
        try:
            archive = b"".join(files.get_archive("/marker")[0])
        finally:
            files.remove(force=True)
        assert base.encode() in archive
        assert outer.images.list(name=tag.split(":")[0]) == [] and outer.images.list(name=base.split(":")[0]) == []
    finally:
        for ref in (f"deploytests/{spec.name}", base):
            for image in inner.images.list(name=ref.split(":")[0]):
                inner.images.remove(image.id, force=True)


def test_the_gate_runs_against_the_remote_engine(docker_host, remote_engine, tmp_path):
    """The main job on the remote engine: deploy to 2 containers there, the whole read-only suite, and the
    lifecycle scenarios that start servers of their own there (a redeploy under load through the published
    port, the host key changed, least privilege)."""
    inner = remote_engine[1]
    timings = tmp_path / "timings.json"
    env = {**os.environ, "DEPLOYTESTS_TIMINGS_JSON": str(timings)}
    scenarios = "not deploytests_destructive or under_load or host_key or without_sudo"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "deploytests" / "suite"),
         "-p", "no:cacheprovider", "-q", "-k", scenarios, "--keep-containers"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    print(result.stdout[result.stdout.rfind("deploytests summary"):])
    kept = re.findall(r"^(docker://web-\d): container ([0-9a-f]{12}), http (\S+)$", result.stdout, re.M)
    try:
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert re.search(r"^\d+ passed", result.stdout.splitlines()[-1]), result.stdout[-500:]
        assert [url.split(":")[1] for _, _, url in kept] == [f"//{docker_host}"] * 2, result.stdout[-2000:]
        assert set(json.loads(timings.read_text())["releases"]) == {"docker://web-1", "docker://web-2"}
    finally:
        for _, cid, _ in kept:  # kept on request above, to read where they were reached: ours to remove
            inner.containers.get(cid).remove(force=True, v=True)
    leftovers = inner.containers.list(all=True, filters={"label": "deploytests=server"})
    assert leftovers == [], [c.name for c in leftovers]
