"""Byte-code compiled once on the runner and shipped, instead of compiled on every server.

Compiling Flask's dependency set costs ~0.5 s of CPU per server and per deploy; with a fleet on a small
machine that CPU is the bottleneck. When the runner's Python has the server's ``major.minor`` (same byte-code
magic), :func:`overlay` compiles the modules of each wheel here into *unchecked-hash* ``.pyc`` files (PEP 552:
valid whatever the file mtimes after extraction; releases are immutable, so the source never changes under
them) and returns a tar of the ``__pycache__`` entries, laid out relative to ``site-packages``. The server
extracts it after installing the wheels. ``co_filename`` is fixed up by the import system at load time
(``_imp._fix_co_filename``), so tracebacks show the real server paths.

Tars are cached per wheel by the wheel's sha256, so a re-pack produces byte-identical artifacts.
"""

from __future__ import annotations

import compileall
import hashlib
import io
import py_compile
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath


def runner_matches(python_version: str) -> bool:
    """True when this interpreter writes byte-code the server's ``python_version`` (``"3.11"``) can load."""
    return python_version == f"{sys.version_info.major}.{sys.version_info.minor}"


def site_path(name: str) -> str | None:
    """Where a wheel member lands under site-packages (``None``: not a module, or outside site-packages)."""
    parts = PurePosixPath(name).parts
    if not name.endswith(".py"):
        return None
    if parts[0].endswith(".data"):
        return str(PurePosixPath(*parts[2:])) if len(parts) > 2 and parts[1] in ("purelib", "platlib") else None
    return name


def compile_wheel(wheel: Path) -> bytes:
    """A tar of ``__pycache__/*.pyc`` for every module in ``wheel`` (paths relative to site-packages)."""
    with tempfile.TemporaryDirectory(prefix="deploytests-pyc-") as tmp, zipfile.ZipFile(wheel) as zf:
        root = Path(tmp)
        for member in zf.namelist():
            dest = site_path(member)
            if dest:
                (root / dest).parent.mkdir(parents=True, exist_ok=True)
                (root / dest).write_bytes(zf.read(member))
        compileall.compile_dir(root, quiet=2, workers=1, ddir="",
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for pyc in sorted(root.rglob("__pycache__/*.pyc")):
                data = pyc.read_bytes()
                info = tarfile.TarInfo(pyc.relative_to(root).as_posix())
                info.size, info.mode, info.mtime, info.uname, info.gname = len(data), 0o644, 0, "root", "root"
                tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()


def overlay(wheel: Path, cache: Path) -> bytes:
    """:func:`compile_wheel` of ``wheel``, cached under ``cache`` by the wheel's sha256."""
    key = hashlib.sha256(wheel.read_bytes()).hexdigest()[:32]
    slot = cache / f"{key}-{sys.version_info.major}{sys.version_info.minor}.tar"
    if slot.is_file():
        return slot.read_bytes()
    data = compile_wheel(wheel)
    slot.parent.mkdir(parents=True, exist_ok=True)
    part = slot.with_suffix(".part")
    part.write_bytes(data)
    part.replace(slot)
    return data
