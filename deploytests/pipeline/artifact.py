"""pack: the app's wheel + its dependencies for the server's Python -> one artifact file.

The artifact is an uncompressed, deterministic tar (sorted names, zero mtimes and owners)::

    manifest.json          name, version, app, app_wheel, installer_wheel, install, wheels, tree, python_version,
                           platform, source_hash, git_sha (+ placeholder, site_packages with a tree)
    tree/deps.tar          the dependencies installed into a venv layout, byte-compiled  } when the runner's
    tree/app.tar           the app's wheel installed the same way                        } Python is the server's
    wheels/*.whl           otherwise: the app's wheel, every dependency, and pypa's ``installer``

Prebuilt tree (the usual case): the wheels listed in ``install`` are installed once, here, with pypa
``installer`` into ``lib/pythonX.Y/site-packages`` + ``bin/`` and compiled to unchecked-hash byte-code (see
:func:`tree_part`). A server then makes ``python3 -m venv --without-pip venv``, extracts the tars into it and
rewrites the console scripts' placeholder shebang: no installer run and no compilation per server and per
deploy (0.5 s of CPU alone, 3 s each with 8 servers deploying at once on 2 cores). The deps part is cached by
its wheels + Python version, the app part by the app wheel's sha256.

The tree is built by an interpreter of the server's ``major.minor`` (byte-code is per version): the runner's own,
or another one found on PATH or in pyenv (``python3.13`` for Debian 13, see :func:`.bytecode.interpreter_for`).
Fallback (no such interpreter on the runner): the wheels are shipped and the server installs those listed in
``install`` with ``installer`` (imported from its
wheel) and compiles them itself, as before.

named ``<app>-<version>-<sha8>.tar`` after its own sha256, so the same inputs give the same file and the same sha
(a re-deploy of it is recognised as a no-op). Costs and caches:

- the app's wheel is built by calling the PEP 517 backend's ``build_wheel`` in a subprocess on a copy of the
  source tree (the project dir stays clean), in the runner's environment (falling back to an isolated env made
  by ``build`` when the backend is missing here); it is cached by a hash of the source tree, so an unchanged project packs in milliseconds;
- third-party wheels come from ``pip download --only-binary=:all: --python-version X.Y --platform
  manylinux2014_x86_64 --implementation cp`` (MarkupSafe is compiled: wheels must match the server), cached by a
  hash of the requirements + target, with the runner's pip config file ignored (``PIP_CONFIG_FILE=/dev/null``:
  this machine's find-links / extra indexes would make the wheelhouse depend on the machine). ``PIP_INDEX_URL``
  is still honoured for a private mirror.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from ..config import DeployConfig
from ..errors import CommandFailed, DeployError, tail
from . import bytecode

SKIP_DIRS = {".git", ".hg", ".tox", ".nox", ".venv", "venv", "__pycache__", "build", "dist", ".eggs",
             ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules"}
PLATFORM = "manylinux2014_x86_64"
TOOL = "installer"  # pypa/installer: installs wheels on the server (shipped in the artifact)
PIP_ENV_DROPPED = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_NO_INDEX", "PIP_REQUIRE_VIRTUALENV",
                   "PIP_TARGET", "PIP_USER", "PIP_PREFIX")


@dataclass(frozen=True)
class Artifact:
    """One packed release: ``path`` of the tar, the app ``name``/``version``, its ``sha256`` and ``size``."""

    path: Path
    app: str
    name: str
    version: str
    sha256: str
    size: int
    python_version: str
    manifest: dict = field(default_factory=dict, compare=False, repr=False)
    seconds: float = 0.0
    cached: bool = False

    @property
    def short_sha(self) -> str:
        return self.sha256[:8]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "deploytests"


def pack(project_dir: Path | str, cfg: DeployConfig, *, python_version: str = "3.11",
         cache_dir: Path | str | None = None, out_dir: Path | str | None = None) -> Artifact:
    """Build (or reuse) the artifact of ``project_dir`` for CPython ``python_version`` on manylinux x86_64."""
    started = time.monotonic()
    project_dir = Path(project_dir).resolve()
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    source_hash = tree_hash(project_dir)
    app_wheel, built = app_wheel_for(project_dir, source_hash, cache / "apps")
    meta = wheel_metadata(app_wheel)
    deps = dependency_wheels(meta["requires"], python_version, cache / "wheels")
    install = install_list(app_wheel, deps, meta["requires"])
    tool = next(w for w in deps if w.name.startswith(f"{TOOL}-"))
    manifest = {
        "app": cfg.app, "name": meta["name"], "version": meta["version"], "app_wheel": app_wheel.name,
        "installer_wheel": tool.name, "install": install, "python_version": python_version,
        "platform": PLATFORM, "source_hash": source_hash, "git_sha": git_sha(project_dir),
    }
    tree_cache = cache / "tree"
    builder = bytecode.interpreter_for(python_version)  # this Python, or another of the server's X.Y here
    if builder:  # install once here; servers only extract
        installed = [w for w in deps if w.name in install]
        parts = {"tree/deps.tar": installed, "tree/app.tar": [app_wheel] if app_wheel.name in install else []}
        keys = {name: tree_key(wheels, tool, python_version) for name, wheels in parts.items()}
        manifest.update(wheels=[], tree=sorted(parts), placeholder=PLACEHOLDER,
                        site_packages=site_packages(python_version))
        shipped = []
    else:  # no interpreter of the server's Python here: it installs the wheels itself (and compiles)
        parts, keys, shipped = {}, {}, [app_wheel, *deps]
        manifest.update(wheels=sorted(w.name for w in shipped), tree=[])
    out = Path(out_dir) if out_dir else cache / "artifacts"
    # an unchanged project: the index names the artifact these inputs made, no multi-MiB read, tar or hash
    index = cache / "index" / hashlib.sha256(json.dumps([manifest, keys, str(out)], sort_keys=True).encode()
                                              ).hexdigest()[:32]
    known = index.read_text().split() if index.is_file() else []
    if len(known) == 3 and (out / known[0]).is_file():
        path, sha, size = out / known[0], known[1], int(known[2])
    else:
        extra = {name: tree_part(wheels, tool, python_version, tree_cache, keys[name], python=builder)
                 for name, wheels in parts.items()}
        data = artifact_bytes(manifest, shipped, extra)
        sha, size = hashlib.sha256(data).hexdigest(), len(data)
        path = out / f"{cfg.app}-{meta['version']}-{sha[:8]}.tar"
        if not path.exists():
            out.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, data)
        _write_atomic(_mkdir(index.parent) / index.name, f"{path.name} {sha} {size}\n".encode())
    return Artifact(path=path, app=cfg.app, name=meta["name"], version=meta["version"], sha256=sha, size=size,
                    python_version=python_version, manifest=manifest, seconds=time.monotonic() - started,
                    cached=not built)


# ---------------------------------------------------------------- the app's wheel

def tree_hash(project_dir: Path) -> str:
    """sha256 over the relative paths and contents of the project's files (build/VCS/cache dirs skipped)."""
    digest = hashlib.sha256()
    for path in sorted(source_files(project_dir)):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def source_files(project_dir: Path):
    for dirpath, dirnames, filenames in os.walk(project_dir, followlinks=True):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")):
                yield Path(dirpath) / name


def app_wheel_for(project_dir: Path, source_hash: str, cache: Path) -> tuple[Path, bool]:
    """The cached wheel for this source hash, building it first if needed; (path, whether it was built)."""
    slot = cache / source_hash[:32]
    found = sorted(slot.glob("*.whl")) if slot.is_dir() else []
    if found:
        return found[0], False
    with tempfile.TemporaryDirectory(prefix="deploytests-build-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(project_dir, src, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.egg-info", "*.pyc"))
        wheel = build_wheel(src, Path(tmp) / "out", where=str(project_dir))
        slot.mkdir(parents=True, exist_ok=True)
        final = slot / wheel.name
        part = final.with_name(f"{final.name}.{os.getpid()}.part")
        shutil.copy2(wheel, part)
        os.replace(part, final)
    return final, True


HOOK = (
    "import importlib, sys\n"
    "sys.path[:0] = [p for p in sys.argv[3:]]\n"
    "mod, _, obj = sys.argv[1].partition(':')\n"
    "backend = importlib.import_module(mod)\n"
    "for part in filter(None, obj.split('.')):\n"
    "    backend = getattr(backend, part)\n"
    "print('@@WHEEL ' + backend.build_wheel(sys.argv[2]))\n"
)


def build_system(src: Path) -> tuple[str, list[str]]:
    """(build-backend, backend-path) of a project; setup.py-only projects get setuptools' legacy backend."""
    pyproject = src / "pyproject.toml"
    table = tomllib.loads(pyproject.read_text()).get("build-system", {}) if pyproject.is_file() else {}
    backend = table.get("build-backend", "setuptools.build_meta:__legacy__")
    return backend, [str(src / p) for p in table.get("backend-path", [])]


def build_wheel(src: Path, out: Path, where: str = "") -> Path:
    """PEP 517 ``build_wheel`` of ``src`` into ``out``; works for pyproject.toml and setup.py-only projects.

    First in the runner's own environment (one subprocess, well under a second, no download); if that fails,
    for instance because the backend is not installed here, in an isolated env made by ``build`` (when it is
    installed), which downloads the backend's requirements.
    """
    out.mkdir(parents=True, exist_ok=True)
    backend, paths = build_system(src)
    proc = subprocess.run([sys.executable, "-c", HOOK, backend, str(out), *paths], cwd=src, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    names = [ln[8:] for ln in proc.stdout.splitlines() if ln.startswith("@@WHEEL ")]
    if proc.returncode == 0 and names:
        return out / names[-1]
    output = proc.stdout + proc.stderr
    backend_missing = "No module named" in output and backend.split(":")[0].split(".")[0] in output
    if not backend_missing:
        raise _build_failed(where or src.name, backend, output)
    try:
        return _build_isolated(src, out, where or src.name)
    except ImportError:
        raise DeployError(f"building the app's wheel failed: its build backend {backend} is not installed here",
                          where=where or src.name,
                          hint="install it (and `wheel` for old setuptools) on the runner, or `pip install build` "
                               "to let pack build in an isolated env", detail=tail(output, 30)) from None


def _build_failed(where: str, backend: str, output: str) -> DeployError:
    last = tail(output, 1) or "no output"
    return DeployError(f"building the app's wheel failed ({backend}): {last}", where=where,
                       hint="run `python -m build --wheel` (or `pip wheel .`) in the project to see why",
                       detail=tail(output, 30))


def _build_isolated(src: Path, out: Path, where: str) -> Path:
    import build
    import build.env

    with build.env.DefaultIsolatedEnv() as env:
        builder = build.ProjectBuilder.from_isolated_env(env, src, runner=_quiet_runner)
        try:  # a project that fails already when asked for its build requirements fails here
            env.install(builder.build_system_requires)
            env.install(builder.get_requires_for_build("wheel"))
            return Path(builder.build("wheel", out))
        except build.BuildBackendException as exc:
            detail = getattr(exc.exception, "output", b"") or b""
            raise _build_failed(where, "isolated env", tail(detail, 30) or str(exc)) from None


def _quiet_runner(cmd, cwd=None, extra_environ=None):
    """pyproject_hooks runner that captures the backend's chatter and keeps it for the error."""
    env = dict(os.environ, **(extra_environ or {}))
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd, output=proc.stdout)


def wheel_metadata(wheel: Path) -> dict:
    """name, version and Requires-Dist of a wheel, read from its METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        msg = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    return {"name": msg["Name"], "version": msg["Version"], "requires": sorted(msg.get_all("Requires-Dist") or [])}


def git_sha(project_dir: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(project_dir), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


# ---------------------------------------------------------------- third-party wheels

def install_list(app_wheel: Path, deps: list[Path], requires: list[str]) -> list[str]:
    """Wheels the server installs: all but the ``installer`` tool itself, unless the app requires it."""
    wanted = {re.split(r"[\s<>=!~;\[(]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requires}
    return sorted(w.name for w in [app_wheel, *deps] if not w.name.startswith(f"{TOOL}-") or TOOL in wanted)


def dependency_wheels(requires: list[str], python_version: str, cache: Path) -> list[Path]:
    """Wheels of ``requires`` (+ the installer tool) for the target, from the cache or ``pip download``."""
    key = hashlib.sha256(json.dumps([TOOL, requires, python_version, PLATFORM]).encode()).hexdigest()[:32]
    slot = cache / key
    if (slot / ".complete").is_file():
        return [slot / n for n in json.loads((slot / ".complete").read_text())]
    tmp = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=_mkdir(cache)))
    pip_download([TOOL, *requires], python_version, tmp)
    names = sorted(p.name for p in tmp.glob("*.whl"))
    (tmp / ".complete").write_text(json.dumps(names))
    try:
        os.rename(tmp, slot)  # atomic; fails if another process (an xdist worker) filled the slot first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (slot / ".complete").is_file():
            raise
        names = json.loads((slot / ".complete").read_text())
    return [slot / n for n in names]


def pip_download_command(requires: list[str], python_version: str, dest: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
            "--python-version", python_version, "--platform", PLATFORM, "--implementation", "cp",
            "--dest", str(dest), *requires]


def pip_env() -> dict:
    """The runner's environment without the pip settings that tie a wheelhouse to this machine."""
    env = {k: v for k, v in os.environ.items() if k not in PIP_ENV_DROPPED}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def pip_download(requires: list[str], python_version: str, dest: Path) -> None:
    cmd = pip_download_command(requires, python_version, dest)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=pip_env())
    if proc.returncode != 0:
        raise CommandFailed("runner", " ".join(cmd), proc.returncode, proc.stdout, proc.stderr,
                            what="downloading dependency wheels failed",
                            hint=f"the runner needs PyPI (or PIP_INDEX_URL) and binary wheels for "
                                 f"CPython {python_version} on {PLATFORM}")


# ---------------------------------------------------------------- the artifact file

PLACEHOLDER = "/__deploytests_venv__/bin/python"  # console scripts' interpreter; the server rewrites it
TREE_FORMAT = 1  # bump when the tree's layout or contents change: invalidates cached parts

BUILD_TREE = r"""
import compileall, json, py_compile, sys
plan = json.loads(sys.argv[1])
sys.path.insert(0, plan["tool"])  # pypa installer, imported straight from its wheel
from installer import install
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile
root, site = plan["root"], plan["root"] + "/" + plan["site"]
scheme = {"purelib": site, "platlib": site, "scripts": root + "/bin", "data": root,
          "headers": root + "/include/site/python" + plan["python"]}
dest = SchemeDictionaryDestination(scheme, interpreter=plan["interpreter"], script_kind="posix",
                                   bytecode_optimization_levels=())
for wheel in plan["wheels"]:
    with WheelFile.open(wheel) as source:
        install(source, dest, {"INSTALLER": b"deploytests"})
ok = compileall.compile_dir(site, quiet=2, workers=1, ddir=plan["ddir"],
                            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
"""


def site_packages(python_version: str) -> str:
    """Where a venv's modules live, relative to the venv (Debian venvs use the posix_prefix scheme)."""
    return f"lib/python{python_version}/site-packages"


def tree_key(wheels: list[Path], tool: Path, python_version: str) -> str:
    """Cache key of a tree part: the wheels (name, size, and their cache slot, which is named after what they
    were built or downloaded from: wheels are never rewritten in place, so their bytes need no re-hashing on
    every pack), the Python version, the layout's format."""
    digest = hashlib.sha256(json.dumps([TREE_FORMAT, python_version, PLACEHOLDER, tool.name]).encode())
    for wheel in sorted(wheels, key=lambda p: p.name):
        digest.update(f"{wheel.parent.name}/{wheel.name}:{wheel.stat().st_size}\0".encode())
    return digest.hexdigest()[:32]


def tree_part(wheels: list[Path], tool: Path, python_version: str, cache: Path, key: str,
              python: str | None = None) -> bytes:
    """A tar of ``wheels`` installed into an empty venv layout (``lib/pythonX.Y/site-packages``, ``bin/``), cached
    under ``cache`` by :func:`tree_key`.

    Installed here with pypa ``installer`` (from its wheel, in a subprocess) and byte-compiled into
    *unchecked-hash* ``.pyc`` (see :mod:`.bytecode`). Console scripts name :data:`PLACEHOLDER` as their
    interpreter; RECORD lists them without hash and size, since the server rewrites their first line. The
    subprocess starts the same way every time (``-S``, fixed hash seed, minimal env) and compiles in sorted
    order, so a part rebuilt from scratch is byte-identical to the cached one. ``python``: the interpreter (of
    ``python_version``) that installs and compiles, by default this one.
    """
    slot = cache / f"{key}.tar"
    if slot.is_file():
        return slot.read_bytes()
    with tempfile.TemporaryDirectory(prefix="deploytests-tree-") as tmp:
        root = Path(tmp) / "venv"
        site = site_packages(python_version)
        (root / site).mkdir(parents=True)
        plan = {"tool": str(tool), "wheels": [str(w) for w in sorted(wheels, key=lambda p: p.name)],
                "root": str(root), "site": site, "python": python_version, "interpreter": PLACEHOLDER,
                "ddir": PLACEHOLDER.rsplit("/bin/", 1)[0] + "/" + site}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8"}
        proc = subprocess.run([python or sys.executable, "-S", "-c", BUILD_TREE, json.dumps(plan)], capture_output=True,
                              text=True, env=env)
        if proc.returncode != 0:
            raise DeployError("installing the wheels into the release tree failed", where="pack",
                              hint="a wheel may be broken; delete the wheel cache and pack again",
                              detail=tail(proc.stdout + proc.stderr, 30))
        _strip_script_hashes(root / site)
        data = tar_tree(root)
    _write_atomic(_mkdir(cache) / slot.name, data)
    return data


def _strip_script_hashes(site: Path) -> None:
    """RECORD rows of ``bin/`` files lose hash and size: the server rewrites those files' shebang."""
    for record in sorted(site.glob("*.dist-info/RECORD")):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        out = []
        for line in lines:
            body = line.rstrip("\r\n")
            path = body.rsplit(",", 2)[0]
            if path.startswith("../../../bin/") and body.count(",") >= 2:
                line = path + ",," + line[len(body):]
            out.append(line)
        record.write_text("".join(out), encoding="utf-8")


def tar_tree(root: Path) -> bytes:
    """A deterministic tar of the files under ``root`` (sorted, mtime 0, root owner, mode 0644 or 0755)."""
    files = sorted((p for p in root.rglob("*") if p.is_file() and not p.is_symlink()),
                   key=lambda p: p.relative_to(root).as_posix())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            _add(tar, path.relative_to(root).as_posix(), path.read_bytes(),
                 0o755 if path.stat().st_mode & 0o100 else 0o644)
    return buf.getvalue()


def artifact_bytes(manifest: dict, wheels: list[Path], extra: dict[str, bytes] | None = None) -> bytes:
    """A deterministic tar of manifest.json + wheels/ + ``extra`` files (sorted, mtime 0, root owner)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        for wheel in sorted(wheels, key=lambda p: p.name):
            _add(tar, f"wheels/{wheel.name}", wheel.read_bytes())
        for name, data in sorted((extra or {}).items()):
            _add(tar, name, data)
    return buf.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.uname, info.gname = len(data), mode, 0, "root", "root"
    tar.addfile(info, io.BytesIO(data))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
