"""Server images: one Dockerfile per role, the platform as a build arg, tagged by a hash of every input.

Each image is an :class:`~deploytests.stacks.ImageSpec` that a server stack names (:meth:`Stack.images
<deploytests.stacks.Stack.images>`): its name, the role folder ``dockerfiles/<role>/`` holding the Dockerfile
(``apache-wsgi``: a ready server; ``bare``: a fresh one for bootstrap), and the base it is built FROM (the
``BASE`` build arg) with the debootstrap suite that makes that base when it cannot be pulled. Every image is
built with ``dockerfiles/`` as the build context, so files shared by all images sit in ``dockerfiles/common/``.

The tag is ``deploytests/<name>:<hash>``: the name is unique per stack, and the hash covers the role folder,
``common/`` and every build arg, so a warm run builds nothing, any edit gives a new tag, and two images share a
tag only when their inputs are the same. The base is used when present, pulled when a registry answers, and
otherwise built on the runner with ``debootstrap --variant=minbase <suite>`` and imported. Everything goes
through the Docker SDK to the engine ``DOCKER_HOST`` names (a remote one too): the build context and the base's
tar are streamed to it, never handed to a ``docker`` command line.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import stacks as registry
from ..cache import cache_dir, file_lock
from ..errors import DeployTestsError
from ..stacks import ImageSpec, Stack

# deploytests/dockerfiles links to the top-level dockerfiles/ in a checkout, and is a copy in an installed wheel
DOCKERFILES = Path(__file__).resolve().parent.parent / "dockerfiles"
LABEL = "deploytests"

Progress = Callable[[str], None]


def image_specs(stacks: Iterable[Stack] | None = None) -> dict[str, ImageSpec]:
    """``{name: spec}`` of every image the stacks name (default: the registry's), ready and bare, in order.

    One name is one image: two stacks may share an image only with the very same inputs."""
    specs: dict[str, ImageSpec] = {}
    for stack in registry.STACKS.values() if stacks is None else stacks:
        for spec in stack.images():
            if specs.setdefault(spec.name, spec) != spec:
                raise DeployTestsError(f"image {spec.name!r} is named twice with different inputs: "
                                       f"{specs[spec.name]} and {spec} (stack {stack.name})",
                                       hint="give each stack's images their own names")
    return specs


def image_spec(image: str | ImageSpec, base: str | None = None) -> ImageSpec:
    """The spec of an image name (or ``image`` itself); ``base``, when given, must be the one it is built on."""
    if isinstance(image, ImageSpec):
        spec = image
    else:
        specs = image_specs()
        if image not in specs:
            raise DeployTestsError(f"unknown image {image!r}", where="deploytests.stacks",
                                   hint=f"choose one of: {', '.join(specs)}")
        spec = specs[image]
    if base is not None and base != spec.base:
        raise DeployTestsError(f"image {spec.name!r} is built FROM {spec.base}, not {base}",
                               hint="another base is another stack: name its images in its stack module")
    return spec


def image_folders(spec: ImageSpec, root: Path = DOCKERFILES) -> list[Path]:
    """The role folder and ``common/``: the only files the build sees."""
    folder = root / spec.dockerfile
    if not (folder / "Dockerfile").is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "Dockerfile").is_file())
        raise DeployTestsError(f"image {spec.name!r} names the Dockerfile folder {spec.dockerfile!r}, which has no "
                               f"Dockerfile", where=str(root), hint=f"choose one of: {', '.join(known)}")
    return [folder, root / "common"]


def content_hash(folders: list[Path], build_args: dict[str, str]) -> str:
    """A 12-hex-digit hash of every file under ``folders`` (path relative to their parent, mode bit x, bytes)
    and of every build arg (sorted by name)."""
    h = hashlib.sha256()
    for key in sorted(build_args):
        h.update(f"arg\0{key}\0{build_args[key]}\0".encode())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder.parent).as_posix()
            h.update(f"file\0{rel}\0{os.access(path, os.X_OK)}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:12]


def image_tag(image: str | ImageSpec, base: str | None = None, root: Path = DOCKERFILES) -> str:
    """``deploytests/<name>:<content hash>`` of an image name or spec."""
    spec = image_spec(image, base)
    return f"deploytests/{spec.name}:{content_hash(image_folders(spec, root), spec.build_args())}"


def _has_image(client, ref: str) -> bool:
    import docker

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_base(client, spec: ImageSpec, progress: Progress = print) -> str:
    """Make ``spec.base`` exist locally: present, pulled, or built with debootstrap + import. Returns it."""
    base = spec.base
    if _has_image(client, base):
        return base
    with file_lock(cache_dir() / "base.lock"):
        if _has_image(client, base):
            return base
        try:
            repo, _, tag = base.partition(":")
            client.images.pull(repo, tag=tag or "latest")
            progress(f"pulled base image {base}")
            return base
        except Exception as exc:  # noqa: BLE001 - no registry: fall back to a local build
            progress(f"cannot pull {base} ({type(exc).__name__}); building it with debootstrap {spec.suite}")
        debootstrap_import(client, base, spec.suite, spec.mirror, progress)
    return base


def debootstrap_import(client, base: str, suite: str, mirror: str, progress: Progress = print) -> None:
    """Build ``base`` from ``mirror`` with ``debootstrap --variant=minbase <suite>`` and import it."""
    debootstrap = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    if not Path(debootstrap).exists():
        raise DeployTestsError(
            f"base image {base} is missing, cannot be pulled, and debootstrap is not installed",
            hint="run `deploytests engine up` (installs debootstrap) or `apt-get install debootstrap`",
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deploytests-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        progress(f"debootstrap {suite} (minbase) from {mirror} ...")
        proc = subprocess.run([debootstrap, "--variant=minbase", suite, str(rootfs), mirror],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise DeployTestsError(f"debootstrap {suite} failed (exit {proc.returncode})",
                                   hint=f"check that {mirror} is reachable and you are root",
                                   detail=(proc.stdout + proc.stderr)[-3000:])
        progress(f"importing {base} ...")
        import_rootfs(client, rootfs, base)
    progress(f"built base image {base} in {time.monotonic() - started:.0f}s")


def import_rootfs(client, rootfs: Path, ref: str) -> None:
    """Make image ``ref`` of the directory ``rootfs`` through the engine's API (``client``: whichever engine
    ``DOCKER_HOST`` names, local or not; the ``docker`` command line is never used). The tar is written beside
    the tree with ``tar`` (it keeps device nodes, owners and modes as debootstrap made them) and streamed to
    the engine."""
    tarball = rootfs.parent / f"{rootfs.name}.tar"
    subprocess.run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
    try:
        repo, _, tag = ref.partition(":")
        client.api.import_image_from_file(str(tarball), repository=repo, tag=tag or "latest")
    finally:
        tarball.unlink(missing_ok=True)


def _build_context(spec: ImageSpec, root: Path) -> io.BytesIO:
    """A tar of ``<role>/`` and ``common/`` (the only files the build may see)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for folder in image_folders(spec, root):
            tar.add(folder, arcname=folder.name)
    buf.seek(0)
    return buf


def ensure_image(client, image: str | ImageSpec, *, base: str | None = None, root: Path = DOCKERFILES,
                 progress: Progress = print) -> str:
    """Return the tag of ``image`` (a name the stacks give, or a spec), building it (and its base) only if the
    tag is missing. ``base``, when given, must be the one the image is built on."""
    spec = image_spec(image, base)
    tag = image_tag(spec, root=root)
    if _has_image(client, tag):
        return tag
    with file_lock(cache_dir() / f"image-{spec.name}.lock"):
        if _has_image(client, tag):
            return tag
        ensure_base(client, spec, progress)
        started = time.monotonic()
        progress(f"building image {tag} ...")
        try:
            client.images.build(fileobj=_build_context(spec, root), custom_context=True,
                                dockerfile=f"{spec.dockerfile}/Dockerfile", tag=tag, buildargs=spec.build_args(),
                                rm=True, forcerm=True, labels={LABEL: "image"})
        except Exception as exc:
            log = "".join(str(line.get("stream", line)) for line in getattr(exc, "build_log", []) or [])
            raise DeployTestsError(f"building image {tag} failed: {exc}", where=f"dockerfiles/{spec.dockerfile}",
                                   detail=log[-4000:]) from None
        progress(f"built image {tag} in {time.monotonic() - started:.0f}s")
    return tag
