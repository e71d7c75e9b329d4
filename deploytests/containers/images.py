"""Server images: tagged by a hash of their content, built only when that tag is missing.

Each image lives in ``dockerfiles/<name>/`` and is built with ``dockerfiles/`` as the build context, so
files shared by all images sit in ``dockerfiles/common/``. The tag is ``deploytests/<name>:<hash>`` where the
hash covers the image folder, ``common/`` and the base image name: a warm run builds nothing, and any edit
gives a new tag.

The base (``BASE`` build arg, default ``debian:bookworm-slim``) is used when present, pulled when a registry
answers, and otherwise built locally with ``debootstrap --variant=minbase`` + ``docker import``.
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
from collections.abc import Callable
from pathlib import Path

from ..cache import cache_dir, file_lock
from ..errors import DeployTestsError

# deploytests/dockerfiles links to the top-level dockerfiles/ in a checkout, and is a copy in an installed wheel
DOCKERFILES = Path(__file__).resolve().parent.parent / "dockerfiles"
DEFAULT_BASE = "debian:bookworm-slim"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
LABEL = "deploytests"

Progress = Callable[[str], None]


def content_hash(folders: list[Path], base: str) -> str:
    """A 12-hex-digit hash of every file under ``folders`` (relative path, mode bit x, bytes) and ``base``."""
    h = hashlib.sha256(f"base={base}\n".encode())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder.parent).as_posix()
            h.update(f"{rel}\0{os.access(path, os.X_OK)}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:12]


def image_folders(name: str, root: Path = DOCKERFILES) -> list[Path]:
    folder = root / name
    if not (folder / "Dockerfile").is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "Dockerfile").is_file())
        raise DeployTestsError(f"unknown image {name!r}", where=str(root),
                               hint=f"choose one of: {', '.join(known)}")
    return [folder, root / "common"]


def image_tag(name: str, base: str = DEFAULT_BASE, root: Path = DOCKERFILES) -> str:
    """``deploytests/<name>:<content hash>``."""
    return f"deploytests/{name}:{content_hash(image_folders(name, root), base)}"


def _has_image(client, ref: str) -> bool:
    import docker

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_base(client, base: str = DEFAULT_BASE, progress: Progress = print) -> str:
    """Make ``base`` exist locally: present, pulled, or built with debootstrap + import. Returns ``base``."""
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
            progress(f"cannot pull {base} ({type(exc).__name__}); building it with debootstrap")
        debootstrap_import(client, base, progress)
    return base


def debootstrap_import(client, base: str, progress: Progress = print) -> None:
    """Build ``base`` from Debian's mirror with ``debootstrap --variant=minbase`` and import it."""
    suite = base.partition(":")[2].split("-")[0] or "bookworm"
    debootstrap = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    if not Path(debootstrap).exists():
        raise DeployTestsError(
            f"base image {base} is missing, cannot be pulled, and debootstrap is not installed",
            hint="run `python -m deploytests engine up` (installs debootstrap) or `apt-get install debootstrap`",
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deploytests-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        progress(f"debootstrap {suite} (minbase) from {DEBIAN_MIRROR} ...")
        proc = subprocess.run([debootstrap, "--variant=minbase", suite, str(rootfs), DEBIAN_MIRROR],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise DeployTestsError(f"debootstrap {suite} failed (exit {proc.returncode})",
                                   hint="check that the Debian mirror is reachable and you are root",
                                   detail=(proc.stdout + proc.stderr)[-3000:])
        progress(f"importing {base} ...")
        tarball = Path(tmp) / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        repo, _, tag = base.partition(":")
        client.api.import_image_from_file(str(tarball), repository=repo, tag=tag or "latest")
    progress(f"built base image {base} in {time.monotonic() - started:.0f}s")


def _build_context(name: str, root: Path) -> io.BytesIO:
    """A tar of ``<name>/`` and ``common/`` (the only files the build may see)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for folder in image_folders(name, root):
            tar.add(folder, arcname=folder.name)
    buf.seek(0)
    return buf


def ensure_image(client, name: str, *, base: str = DEFAULT_BASE, root: Path = DOCKERFILES,
                 progress: Progress = print) -> str:
    """Return the tag of image ``name``, building it (and its base) only if the tag is missing."""
    tag = image_tag(name, base, root)
    if _has_image(client, tag):
        return tag
    with file_lock(cache_dir() / f"image-{name}.lock"):
        if _has_image(client, tag):
            return tag
        ensure_base(client, base, progress)
        started = time.monotonic()
        progress(f"building image {tag} ...")
        try:
            client.images.build(fileobj=_build_context(name, root), custom_context=True,
                                dockerfile=f"{name}/Dockerfile", tag=tag, buildargs={"BASE": base},
                                rm=True, forcerm=True, labels={LABEL: "image"})
        except Exception as exc:
            log = "".join(str(line.get("stream", line)) for line in getattr(exc, "build_log", []) or [])
            raise DeployTestsError(f"building image {tag} failed: {exc}", where=f"dockerfiles/{name}",
                                   detail=log[-4000:]) from None
        progress(f"built image {tag} in {time.monotonic() - started:.0f}s")
    return tag
