"""pack: the app's wheel + its dependencies for the server's Python -> one artifact file.

The artifact is an uncompressed, deterministic tar (sorted names, zero mtimes and owners)::

    manifest.json          name, version, app, app_wheel, installer_wheel, install, wheels, tree, python_version,
                           platform, machine, platform_wheels (+ placeholder, site_packages with a tree)
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

named ``<app>-<version>-<sha8>.tar`` after its own sha256: a hash of what is shipped, never of the project's
source tree (where it came from, the source hash and git sha, is recorded on the server but not in the artifact),
so the same wheels give the same file and the same sha (a re-deploy of it is recognised as a no-op), and editing a
test, the targets file or a local database makes no new release. Costs and caches:

- the app's wheel is built the way pip and ``build`` do it: the project's own PEP 517 backend, in an isolated
  build environment holding only its ``[build-system] requires``, installed from the index by pip (see
  :func:`build_wheel`), on a copy of the source tree (the project dir stays clean). The environment is made once
  per set of build requirements (seconds, cold) and kept; the wheel is cached by a hash of the source tree, so an
  unchanged project packs in milliseconds and an edited one in one backend subprocess;
- third-party wheels come from ``pip download --only-binary=:all: --python-version X.Y --platform
  manylinux2014_<machine> --implementation cp`` (MarkupSafe is compiled: wheels must match the server's Python
  and CPU), plus the deploy config's ``find_links``. A requirement with no such wheel is built from its sdist on
  the runner; the result must fit the server (pure Python, or compiled on a runner that is such a server), else
  pack refuses naming it (see :func:`resolve_wheels`). Cached by a hash of the requirements + target +
  find-links, with the runner's pip config ignored (``PIP_CONFIG_FILE=/dev/null`` and ``PIP_FIND_LINKS`` and
  the like dropped: this machine's find-links / extra indexes would make the wheelhouse depend on the machine).
  ``PIP_INDEX_URL`` is still honoured for a private index.
"""

from __future__ import annotations

import ast
import glob
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

from ..cache import cache_dir as default_cache_dir
from ..cache import file_lock
from ..config import DeployConfig
from ..errors import CommandFailed, DeployError, tail, why_failed
from ..schema import toml_loads
from ..words import count
from . import bytecode
from .programs import source as program_source

SKIP_DIRS = {".git", ".hg", ".tox", ".nox", ".venv", "venv", "__pycache__", "build", "dist", ".eggs",
             ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules"}
MANYLINUX = "manylinux2014"  # the glibc baseline of the wheels pack asks for (see platform_tag)
DEFAULT_MACHINE = "x86_64"  # pytest packs for the machine bootstrap reports; fab and callers may say otherwise
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
    machine: str = "x86_64"
    warnings: tuple[str, ...] = ()  # one line each: what the user should know before it ships (see :func:`pack`)


def pack(project_dir: Path | str, cfg: DeployConfig, *, python_version: str = "3.11",
         machine: str = DEFAULT_MACHINE, cache_dir: Path | str | None = None,
         out_dir: Path | str | None = None) -> Artifact:
    """Build (or reuse) the artifact of ``project_dir`` for CPython ``python_version`` on Linux ``machine``
    (``os.uname().machine`` of the server: x86_64, aarch64...).

    Its sha256 (the release id's ``sha8``) is a hash of what is shipped only: the installed tree or the wheels
    and the manifest describing them. Editing what the app's wheel does not contain (tests, a README that is not
    the package's description, targets.toml, a local database) packs the same artifact.
    """
    started = time.monotonic()
    if not re.match(r"^[a-z0-9_]+$", machine or ""):
        raise DeployError(f"not a CPU architecture: {machine!r}", where="pack",
                          hint="give the server's `uname -m`, such as x86_64 or aarch64")
    project_dir = Path(project_dir).resolve()
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    run_build(project_dir, cfg)
    static = static_files(project_dir, cfg)
    source_hash = tree_hash(project_dir)
    app_wheel, built = app_wheel_for(project_dir, source_hash, cache)
    local = runner_builds_for(python_version, machine)
    if not wheel_fits(app_wheel.name, python_version, machine, local=local):  # compiled: the server's Python builds it
        builder = builder_for(python_version, machine)
        if builder:
            app_wheel, built = app_wheel_for(project_dir, source_hash, cache, python=builder)
            local = True
    meta = wheel_metadata(app_wheel)
    if not wheel_fits(app_wheel.name, python_version, machine, local=local):
        raise DeployError(f"the app's wheel {app_wheel.name}, built on this runner, does not run on the server "
                          f"(CPython {python_version} on {machine})", where=str(project_dir),
                          hint=_build_here(python_version, machine))
    deps = dependency_wheels(meta["requires"], python_version, cache / "wheels", machine=machine,
                             find_links=cfg.find_links)
    install = install_list(app_wheel, deps, meta["requires"])
    entry_module_shipped(cfg, app_wheel, [w for w in [app_wheel, *deps] if w.name in install])
    tool = next(w for w in deps if w.name.startswith(f"{TOOL}-"))
    manifest = {  # what ships: nothing here may depend on files the wheels do not contain
        "app": cfg.app, "name": meta["name"], "version": meta["version"], "app_wheel": app_wheel.name,
        "installer_wheel": tool.name, "install": install, "python_version": python_version,
        "platform": platform_tag(machine), "machine": machine,
        "platform_wheels": sorted(n for n in install if not is_pure(n)),
    }
    if static:  # the static dirs ship as files of the release (extracted beside venv/), served by Apache
        manifest["static"] = sorted({d for _, d in cfg.static})
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
    static_key = hashlib.sha256(b"".join(n.encode() + b"\0" + hashlib.sha256(d).digest()
                                         for n, d in sorted(static.items()))).hexdigest()
    index = cache / "index" / hashlib.sha256(json.dumps([manifest, keys, str(out), app_wheel.parent.name, static_key],
                                                        sort_keys=True).encode()).hexdigest()[:32]
    known = index.read_text().split() if index.is_file() else []
    if len(known) == 3 and (out / known[0]).is_file():
        path, sha, size = out / known[0], known[1], int(known[2])
    else:
        extra = {name: tree_part(wheels, tool, python_version, tree_cache, keys[name], python=builder)
                 for name, wheels in parts.items()}
        data = artifact_bytes(manifest, shipped, {**extra, **static})
        sha, size = hashlib.sha256(data).hexdigest(), len(data)
        path = out / f"{cfg.app}-{meta['version']}-{sha[:8]}.tar"
        if not path.exists():
            out.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, data)
        _write_atomic(_mkdir(index.parent) / index.name, f"{path.name} {sha} {size}\n".encode())
    # where it came from is recorded on the server (RELEASE.json) but is not part of the artifact's bytes
    info = dict(manifest, source_hash=source_hash, git_sha=git_sha(project_dir))
    return Artifact(path=path, app=cfg.app, name=meta["name"], version=meta["version"], sha256=sha, size=size,
                    python_version=python_version, manifest=info, seconds=time.monotonic() - started,
                    cached=not built, machine=machine,
                    warnings=tuple(ignored_but_shipped(project_dir, app_wheel) + uncompiled_catalogs(app_wheel)
                                   + unheld_imports(app_wheel)
                                   + dropped_extensions([w for w in [app_wheel, *deps] if w.name in install])))


# ---------------------------------------------------------------- build commands, static dirs (issue 18)

def run_build(project_dir: Path, cfg: DeployConfig) -> None:
    """Run deploy.toml's ``build`` commands (``sh -c``) in the project dir, with this Python's bin dir first on
    PATH and the app's ``env`` set (``DJANGO_SETTINGS_MODULE``): what makes the static dirs (``collectstatic``).
    A failed command stops pack with its output tail."""
    env = dict(os.environ, **cfg.env_vars)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for command in cfg.build:
        proc = _run(["sh", "-c", command], f"build command {command!r}", str(cfg.source), cwd=project_dir, env=env,
                    stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise DeployError(f"build command {command!r} failed (exit {proc.returncode}): "
                              f"{why_failed(proc.stdout + proc.stderr, project_dir)}", where=str(cfg.source),
                              detail=tail(proc.stdout + proc.stderr, 30),
                              hint="fix the command (key 'build' in the deploy config), or what it runs: it ran "
                                   f"in {project_dir} on this machine with deploy.toml's env "
                                   f"({', '.join(f'{k}={v}' for k, v in cfg.env_vars.items()) or 'none'}): the "
                                   "servers' settings, without their config file; then pack again")


def static_files(project_dir: Path, cfg: DeployConfig) -> dict[str, bytes]:
    """The files of the static dirs (``static`` in the deploy config), as artifact members ``<dir>/<path>``.
    Regular files only: a link is refused (Apache would follow it out of the release, or the server would get
    a file from outside the project)."""
    files: dict[str, bytes] = {}
    for prefix, directory in cfg.static:
        base = project_dir / directory
        if not base.is_dir() or base.is_symlink():
            raise DeployError(f"static {prefix!r} = {directory!r}: {base} is not a directory", where=str(cfg.source),
                              hint="create it, or add the command that makes it (e.g. collectstatic) to build")
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(project_dir).as_posix()
            if path.is_symlink():
                raise DeployError(f"static {prefix!r}: {rel} is a symbolic link", where=str(cfg.source),
                                  hint="ship regular files (collectstatic without --link)")
            if path.is_file():
                files[rel] = path.read_bytes()
    return files


# ---------------------------------------------------------------- the app's wheel

def tree_hash(project_dir: Path) -> str:
    """sha256 over the relative paths and contents of the project's files (build/VCS/cache dirs skipped).

    Only the key of the app wheel's cache: when it changes the wheel is built again, and the artifact's id
    changes only if what the wheel installs changed."""
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


# bump when how pack builds the app's wheel changes what it holds (the copy it builds from: a git repo for the
# backends that ask git what to leave out): a wheel an older deploytests cached is then built again
APP_FORMAT = 2


def app_wheel_for(project_dir: Path, source_hash: str, cache: Path, python: str | None = None) -> tuple[Path, bool]:
    """The cached wheel for this source hash, building it first if needed; (path, whether it was built).
    ``cache`` is the cache root: wheels go to ``apps/``, build environments to ``buildenv/``. ``python`` (another
    interpreter of this runner, :func:`builder_for`) builds a compiled app for a server of its version."""
    version = vcs_version(project_dir, cache / "buildenv")
    key = hashlib.sha256(f"{source_hash}\0{version}\0{APP_FORMAT}\0{python or ''}".encode()).hexdigest()
    slot = cache / "apps" / key[:32]
    found = sorted(slot.glob("*.whl")) if slot.is_dir() else []
    if found:
        return found[0], False
    with tempfile.TemporaryDirectory(prefix="deploytests-build-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(project_dir, src, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.egg-info", "*.pyc"))
        backend = build_system(project_dir, str(project_dir))[1]
        if version and backend.startswith("setuptools"):
            vcs_manifest(project_dir, src)
        if backend.startswith(VCS_IGNORING) and git_sha(project_dir):
            _git(["init", "-q", str(src)])  # its .gitignore files are copied: the backend asks git, as in the checkout
        wheel = build_wheel(src, Path(tmp) / "out", where=str(project_dir), envs=cache / "buildenv",
                            extra_env={"SETUPTOOLS_SCM_PRETEND_VERSION": version} if version else None, python=python)
        final = _mkdir(slot) / wheel.name
        _write_atomic(final, wheel.read_bytes())
    return final, True


# backends that leave out of the wheel what git ignores, by asking git (poetry-core: `git ls-files --others -i
# --exclude-standard`); the copy the wheel is built from has no .git, so without one they would ship those files
VCS_IGNORING = ("poetry.core",)


def _git(args: list[str]) -> None:
    try:
        subprocess.run(["git", *args], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pass


VCS_VERSIONED = re.compile(r"^\s*(?:setuptools[-_]scm|hatch[-_]vcs)\b", re.I)  # (hatch-vcs: setuptools-scm's)


def vcs_version(project_dir: Path, envs: Path) -> str:
    """The version a VCS-versioned project (setuptools-scm or hatch-vcs in its build requirements) has in its
    checkout, or "". The wheel is built from a copy of the project's files, without ``.git`` nor what lies above
    the project (a monorepo's ``root = "../.."``): setuptools-scm there finds no version and the build fails. So
    its version is taken here, by the build environment's setuptools-scm in the checkout itself (which reads
    only; its config from pyproject.toml), and given to the copy's build as ``SETUPTOOLS_SCM_PRETEND_VERSION``:
    the version ``pip wheel .`` would give. A checkout it cannot read leaves the build to say why."""
    where = str(project_dir)
    requires, _, _ = build_system(project_dir, where)
    if not any(VCS_VERSIONED.match(r) for r in requires):
        return ""
    env = build_env(requires, envs, where)
    run_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = _run([str(env / "bin" / "python"), "-I", "-m", "setuptools_scm"], "reading the version from the VCS",
                where, cwd=project_dir, env=dict(run_env, PYTHONDONTWRITEBYTECODE="1"))
    lines = proc.stdout.split()
    return lines[-1] if proc.returncode == 0 and lines else ""


def vcs_manifest(project_dir: Path, src: Path) -> None:
    """setuptools-scm also tells setuptools which files a package holds (its file finder: git's list), and
    ``include_package_data`` ships them: the copy, without ``.git``, would leave out every data file no
    ``MANIFEST.in`` or ``package-data`` names (a template, a migration's SQL), silently. So the files git lists
    in the checkout are added to the copy's ``MANIFEST.in``: the wheel ``pip wheel .`` builds there."""
    try:  # (no git here: a version setuptools-scm read from PKG-INFO or .git_archival.txt; nothing to add)
        proc = _run(["git", "-C", str(project_dir), "ls-files", "-z"], "listing the project's files with git",
                    str(project_dir))
    except OSError:
        return
    names = [n for n in proc.stdout.split("\0") if n and not any(c.isspace() or c in "\"'" for c in n)]
    if proc.returncode == 0 and names:
        manifest = src / "MANIFEST.in"
        before = manifest.read_text() if manifest.is_file() else ""
        manifest.write_text(before + ("\n" if before and not before.endswith("\n") else "")
                            + "".join(f"include {n}\n" for n in names))


# PEP 517/518 defaults for a project without [build-system] (what pip and build use)
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ["setuptools>=40.8.0"]
BUILD_ENV_FORMAT = 1  # bump when the build environments' layout changes: they are made again
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01: wheels built from the same files are the same bytes
PIP_TIMEOUT = 900  # seconds for one command of pack (a pip run, a build, a build command, the tree install)

HOOK = program_source("build_hook")  # the PEP 517 build_wheel call: deploytests/pipeline/programs/build_hook.py


def build_system(src: Path, where: str = "") -> tuple[list[str], str, list[str]]:
    """(requires, build-backend, backend-path) of a project, with the PEP 517/518 defaults pip uses:
    no ``[build-system]`` table (or no pyproject.toml) means setuptools' legacy backend."""
    pyproject = src / "pyproject.toml"
    where = f"{where or src}/pyproject.toml"
    try:
        data = toml_loads(pyproject.read_text(encoding="utf-8")) if pyproject.is_file() else {}
    except tomllib.TOMLDecodeError as exc:
        raise DeployError(f"not valid TOML: {exc}", where=where) from None
    table = data.get("build-system")
    if table is None:
        return list(LEGACY_REQUIRES), LEGACY_BACKEND, []
    requires = table.get("requires")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise DeployError("[build-system] needs 'requires', a list of requirement strings", where=where,
                          hint='for example requires = ["setuptools>=61"]')
    backend = table.get("build-backend", LEGACY_BACKEND)
    return requires, backend, [str(src / p) for p in table.get("backend-path", [])]


def build_wheel(src: Path, out: Path, where: str = "", envs: Path | None = None,
                extra_env: dict[str, str] | None = None, python: str | None = None) -> Path:
    """PEP 517 ``build_wheel`` of ``src`` into ``out``, as pip and ``build`` do it: the project's own build
    backend, in an isolated environment holding only its ``[build-system] requires`` (+ what the backend's
    ``get_requires_for_build_wheel`` asks for), installed by pip from the index. The environment is made once
    per set of requirements and kept under ``envs`` (``<cache>/buildenv``): the next build is one subprocess.
    Works for pyproject.toml and setup.py-only projects. ``SOURCE_DATE_EPOCH`` is fixed (unless set), so the
    same files give the same wheel bytes.
    """
    out.mkdir(parents=True, exist_ok=True)
    where = where or src.name
    requires, backend, paths = build_system(src, where)
    env = build_env(requires, envs or default_cache_dir() / "buildenv", where, python=python)
    run_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    run_env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1")
    run_env.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    run_env.update(extra_env or {})
    for _ in range(2):  # a second round only after installing what get_requires_for_build_wheel asked for
        have = json.loads((env / ".extras").read_text()) if (env / ".extras").is_file() else []
        plan = {"backend": backend, "backend_path": paths, "out": str(out), "have": requires + have}
        proc = _run([str(env / "bin" / "python"), "-I", "-c", HOOK, json.dumps(plan)],
                    f"building the app's wheel ({backend})", where, cwd=src, env=run_env)
        lines = proc.stdout.splitlines()
        need = [json.loads(ln[7:]) for ln in lines if ln.startswith("@@NEED ")]
        names = [ln[8:] for ln in lines if ln.startswith("@@WHEEL ")]
        if proc.returncode == 0 and names:
            return out / names[-1]
        if proc.returncode != 0 or not need:
            raise _build_failed(where, backend, proc.stdout + proc.stderr)
        install_extras(env, need[-1], where, python)
    raise DeployError(f"the build backend {backend} keeps asking for more requirements", where=where)


def _build_failed(where: str, backend: str, output: str) -> DeployError:
    return DeployError(f"building the app's wheel failed ({backend}): {why_failed(output)}", where=where,
                       hint="run `python -m build --wheel` (or `pip wheel .`) in the project to see why",
                       detail=tail(output, 30))


def build_env_key(requires: list[str], python: str | None = None) -> str:
    """Build environments are shared by projects with the same build requirements and runner Python (``python``,
    another interpreter here, has its own)."""
    here = [sys.version, sys.base_prefix, sys.implementation.name] if python is None else [python]
    return hashlib.sha256(json.dumps([BUILD_ENV_FORMAT, sorted(requires), *here]).encode()).hexdigest()[:32]


def build_env(requires: list[str], envs: Path, where: str, python: str | None = None) -> Path:
    """A venv (no pip, no system site-packages) of ``python`` (default: this one) with ``requires`` installed,
    made once per key under a lock (xdist workers and parallel runs share it); ``.complete`` marks a finished one."""
    env = envs / build_env_key(requires, python)
    if (env / ".complete").is_file():
        return env
    with _locked(_mkdir(envs) / f"{env.name}.lock"):
        if (env / ".complete").is_file():
            return env
        shutil.rmtree(env, ignore_errors=True)  # a half-made one from a killed run
        proc = _run([python or sys.executable, "-m", "venv", "--without-pip", str(env)], "making the build environment",
                    where)
        if proc.returncode != 0:
            raise DeployError("making the build environment failed", where=where,
                              hint="the runner's Python needs its venv module", detail=tail(proc.stdout + proc.stderr))
        _pip_install(env, requires, where, "the app's build requirements", python)
        (env / ".complete").write_text(json.dumps(sorted(requires)))
    return env


def install_extras(env: Path, extras: list[str], where: str, python: str | None = None) -> None:
    """Install what the backend's ``get_requires_for_build_wheel`` asked for into ``env``; remembered in
    ``.extras`` so the next build does not ask pip again."""
    with _locked(env.parent / f"{env.name}.lock"):
        have = json.loads((env / ".extras").read_text()) if (env / ".extras").is_file() else []
        missing = [r for r in extras if r not in have]
        if missing:
            _pip_install(env, missing, where, "the build backend's extra requirements", python)
            _write_atomic(env / ".extras", json.dumps(sorted({*have, *missing})).encode())


def _pip_install(env: Path, requires: list[str], where: str, what: str, python: str | None = None) -> None:
    """pip of ``python`` (the env's own interpreter's install: another version's pip may not run it) installs."""
    if not requires:
        return
    cmd = [python or sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install", "--quiet",
           "--disable-pip-version-check", "--no-warn-script-location", *requires]
    proc = _run(cmd, f"installing {what} ({', '.join(requires)})", where, env=pip_env())
    if proc.returncode != 0:
        last = why_failed(proc.stderr or proc.stdout)
        raise DeployError(f"installing {what} ({', '.join(requires)}) failed: {last}", where=where,
                          hint="check [build-system] requires in pyproject.toml; the runner needs PyPI (or "
                               "PIP_INDEX_URL)", detail=tail(proc.stdout + proc.stderr, 30))


def _locked(path: Path):
    """The pack lock on ``path``: the holder's pip runs are bounded by PIP_TIMEOUT each."""
    return file_lock(path, 2 * PIP_TIMEOUT, stuck=lambda: DeployError(
        f"{path} stayed locked by another pack for {2 * PIP_TIMEOUT}s",
        hint="is another deploytests run stuck? end it and pack again"))


def wheel_metadata(wheel: Path) -> dict:
    """name, version and Requires-Dist of a wheel, read from its METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        msg = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    return {"name": msg["Name"], "version": msg["Version"], "requires": sorted(msg.get_all("Requires-Dist") or [])}


def top_level(wheel: Path) -> set[str]:
    """The top-level names a wheel installs (``pkg/...``, ``mod.py``, ``mod.cpython-311-x86_64-linux-gnu.so``,
    and those under ``*.data/purelib`` or ``platlib``), its ``.dist-info`` and other data left out."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    found = set()
    for name in names:
        parts = name.split("/")
        if len(parts) > 2 and parts[0].endswith(".data") and parts[1] in ("purelib", "platlib"):
            parts = parts[2:]
        elif parts[0].endswith((".data", ".dist-info")):
            continue
        found.add(parts[0] if len(parts) > 1 else parts[0].split(".")[0] if parts[0].endswith((".py", ".so", ".pyd"))
                  else "")
    return found - {""}


def entry_module_shipped(cfg: DeployConfig, app_wheel: Path, installed: list[Path]) -> None:
    """Refuse an artifact no wheel of which holds the entry point's top-level module (class: packaging assumed:
    setuptools' discovery of a one-module project without packaging named its wheel after the ``config/`` dir
    and shipped no module; the deploy then failed on the server, blaming entry_point). Before anything is
    uploaded, naming what the app's wheel holds."""
    module = cfg.entry_point.split(":")[0].split(".")[0]
    if any(module in top_level(w) for w in installed):
        return
    held = sorted(top_level(app_wheel))
    raise DeployError(f"the app's wheel {app_wheel.name} holds no module {module!r} (entry_point "
                      f"{cfg.entry_point!r}); it holds {', '.join(held) if held else 'no module at all'}",
                      where=_entry_where(cfg.source),
                      hint=f"package {module!r}: in pyproject.toml, [project] with [tool.setuptools] py-modules = "
                           f'["{module}"] (one module) or packages (a package dir); `deploytests init` writes them '
                           "for a project without packaging; or fix entry_point")


def _entry_where(source: Path) -> str:
    """``file:line`` of entry_point in the deploy config (the file alone when it is not written plainly)."""
    from ..schema import key_line

    try:
        text = source.read_text()
    except (OSError, UnicodeDecodeError):
        return str(source)
    line = key_line(text, ("tool", "deploytests") if source.name == "pyproject.toml" else (), "entry_point")
    return f"{source}:{line}" if line else str(source)


def ignored_but_shipped(project_dir: Path, wheel: Path) -> list[str]:
    """A warning per file of the app's wheel whose source the project's VCS ignores (git's ignore rules, asked
    with one ``git check-ignore`` over the wheel's files; nothing when the project is not in a git work tree or
    git is missing). An ignored file inside the package is usually a local one (``local_settings.py`` with a
    SECRET_KEY, a ``.env``): the wheel ships it and every server installs it readable by any local user; the
    deploy config's ``config_file`` is the way settings reach the servers (redacted, 0640). A generated file
    that belongs in the wheel (setuptools-scm's ``_version.py``) is said too: a warning, not a refusal."""
    with zipfile.ZipFile(wheel) as zf:
        entries = [n for n in zf.namelist() if not n.endswith("/") and ".dist-info/" not in n]
    by_name: dict[str, list[str]] = {}
    for path in source_files(project_dir):
        rel = path.relative_to(project_dir).as_posix()
        by_name.setdefault(path.name, []).append(rel)
    sources = sorted({rel for e in entries for rel in by_name.get(e.rsplit("/", 1)[-1], [])
                      if rel == e or rel.endswith("/" + e)})
    if not sources:
        return []
    try:
        proc = subprocess.run(["git", "-C", str(project_dir), "check-ignore", "-v", "-z", "--stdin"],
                              input="\0".join(sources) + "\0", capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    fields = proc.stdout.split("\0")  # source, line, pattern, path per ignored file
    ignored = [(f"{src}:{line}: {pattern}", path) for src, line, pattern, path
               in zip(fields[0::4], fields[1::4], fields[2::4], fields[3::4], strict=False) if path]
    made = built_from_tracked(project_dir, [path for _, path in ignored])
    by_rule: dict[str, list[str]] = {}
    for rule, path in ignored:
        if path not in made:
            by_rule.setdefault(rule, []).append(path)
    return [(f"{paths[0]} is ignored by git ({rule}) but the app's wheel ships it: every server installs it"
             if len(paths) == 1 else f"{paths[0]} and {count(len(paths) - 1, 'other file')} are ignored by git "
             f"({rule}) but the app's wheel ships them: every server installs them")
            + ", readable by any local user; if it holds settings or secrets, keep it out of the package "
            "(or exclude it from the build) and give the servers their settings with config_file in the deploy "
            "config" for rule, paths in by_rule.items()]


# the ABI tag of an extension module's file name (PEP 3149: `.cpython-311-x86_64-linux-gnu.so`, `.abi3.so`)
EXTENSION_TAG = re.compile(r"\.(?:cpython-[^.]+|abi3)\.so$")


def built_from_tracked(project_dir: Path, paths: list[str]) -> set[str]:
    """Those of ``paths`` (ignored files) that a build makes from a file git tracks beside them, of the same name
    but its suffix (``messages.mo`` compiled from ``messages.po``, ``site.css`` from ``site.scss``, an extension
    module ``_speed.cpython-311-x86_64-linux-gnu.so`` or ``_fast.abi3.so`` from ``_speed.c``, ``_fast.pyx``): the
    build's output of what the repository holds, not a local file."""
    def stem(name: str) -> str:
        return Path(EXTENSION_TAG.sub(".so", name)).stem
    siblings = {p: [s.relative_to(project_dir).as_posix() for s in (project_dir / p).parent.glob(
        glob.escape(stem(Path(p).name)) + ".*") if s.name != Path(p).name] for p in paths}
    wanted = sorted({s for found in siblings.values() for s in found})
    if not wanted:
        return set()
    try:
        proc = subprocess.run(["git", "-C", str(project_dir), "ls-files", "-z", "--", *wanted],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return set()
    tracked = set(proc.stdout.split("\0"))
    return {p for p, found in siblings.items() if tracked.intersection(found)}


def uncompiled_catalogs(wheel: Path) -> list[str]:
    """A warning when the app's wheel ships gettext catalogs (``.po``) without their compiled ``.mo`` beside them:
    gettext (Babel, Django) reads only the ``.mo``, so the servers would answer untranslated text. One line."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    bare = sorted(n for n in names if n.endswith(".po") and n[:-3] + ".mo" not in names)
    if not bare:
        return []
    more = f" and {count(len(bare) - 1, 'other catalog')}" if len(bare) > 1 else ""
    return [f"the app's wheel ships {bare[0]}{more} without the compiled .mo beside it: gettext reads only .mo "
            "files, so the servers would answer untranslated text; compile them in the deploy config's build "
            "(`pybabel compile -d <package>/translations`, Django's `python manage.py compilemessages`), before pack "
            "builds the wheel, and ship the .mo files as package data (poetry-core leaves out what git ignores: "
            "include = [{ path = \"<package>/translations/**/*.mo\", format = \"wheel\" }] in [tool.poetry])"]


def unheld_imports(wheel: Path) -> list[str]:
    """One warning when the app's wheel's own code imports a module of its own packages that the wheel does not
    hold (no ``.py``, package or compiled module of that name): its build left it out -- an extension its setup
    skipped when it could not compile it (the wheel is then tagged ``py3-none-any``: nothing in its name says an
    extension was meant), a module its packaging config does not list -- and the servers get ImportError there or
    run its fallback. Read from the wheel's files (``ast``): nothing of it runs. ``from pkg import name`` counts only
    when ``pkg/__init__.py`` binds no ``name`` (an attribute is no module) and has no ``*`` import or
    ``__getattr__``."""
    with zipfile.ZipFile(wheel) as zf:
        files = [n for n in zf.namelist() if ".dist-info/" not in n and ".data/" not in n and not n.endswith("/")]
        held: set[str] = set()
        packages: set[str] = set()
        for name in files:
            parts = name.split("/")
            packages.update(".".join(parts[:i]) for i in range(1, len(parts)))  # (every directory: a package)
            stem = parts[-1].split(".")[0]  # (tallyho/_speed.cpython-311-x86_64-linux-gnu.so: tallyho._speed)
            if parts[-1].endswith((".py", ".so", ".pyd")):
                held.add(".".join(parts[:-1] + ([] if stem == "__init__" else [stem])))
        held |= packages
        sources = {}
        for name in files:
            if name.endswith(".py"):
                try:
                    sources[name] = ast.parse(zf.read(name))
                except (SyntaxError, ValueError):  # (not Python this interpreter reads: not judged)
                    continue
    unheld: dict[str, str] = {}
    for name, tree in sorted(sources.items()):
        package = name[:-3].split("/")[:-1]  # (the package a relative import starts from)
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in
                       ast.unparse(node.test) for n in ast.walk(node)}  # (never imported at run time)
        for node in ast.walk(tree):
            wanted = []
            if isinstance(node, ast.Import) and id(node) not in typing_only:
                wanted = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and id(node) not in typing_only:
                base = ".".join((package[:len(package) - node.level + 1] if node.level else []) +
                                ([node.module] if node.module else []))
                wanted = [base] if base not in held else [] if base not in packages else [  # (a module's names:
                    f"{base}.{a.name}" for a in node.names if a.name != "*" and not _binds(  # its attributes)
                        sources.get(base.replace(".", "/") + "/__init__.py"), a.name, base)]
            for module in wanted:
                parent, _, last = module.rpartition(".")
                if module not in held and not last.startswith("__") and _closed(sources.get(
                        parent.replace(".", "/") + "/__init__.py")):
                    unheld.setdefault(module, f"{name}:{getattr(node, 'lineno', 0)}")  # (an import: its line)
    if not unheld:
        return []
    (module, where), more = next(iter(unheld.items())), len(unheld) - 1
    return [f"the app's wheel {wheel.name} does not hold {module}, which {where} imports"
            + (f" (and {count(more, 'other module')} of its own)" if more else "") + ": its build left it out (a "
            "compiled extension its setup skipped when it could not compile it, the wheel then tagged py3-none-any; "
            "a module its packaging config does not list), so the servers get ImportError there or run its fallback; "
            "make the build hold it (`pip wheel -v .` shows what it built and skipped), then pack again"]


def _closed(init: ast.Module | None) -> bool:
    """Whether a package's ``__init__`` (None: none in the wheel, a namespace another distribution shares, or no
    package of its own) leaves its submodules to be files of it: no ``__path__`` it extends, no import hook it
    adds (``sys.meta_path``, ``path_hooks``: a vendoring shim), no module ``__getattr__``."""
    return init is not None and not any(
        isinstance(n, ast.Name) and n.id == "__path__" and isinstance(n.ctx, ast.Store)
        or isinstance(n, ast.Attribute) and n.attr in ("meta_path", "path_hooks", "__path__")
        or isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__getattr__" for n in ast.walk(init))


def _binds(init: ast.Module | None, name: str, package: str) -> bool:
    """Whether a package's ``__init__`` (None: it has none, a namespace) binds ``name`` otherwise than by importing
    it from the package itself, or may (a ``*`` import, a module ``__getattr__``): then ``from package import
    name`` needs no module of that name."""
    for node in ast.walk(init) if init is not None else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in (name,
                                                                                                    "__getattr__"):
            return True
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == name:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not (isinstance(node, ast.ImportFrom) and (
                node.level == 1 and not node.module or node.module == package)):
            if any(a.name == "*" or (a.asname or a.name.split(".")[0]) == name for a in node.names):
                return True
    return False


def dropped_extensions(wheels: list[Path]) -> list[str]:
    """One warning naming the wheels built on this runner (``linux_<machine>``: an index takes only manylinux
    ones) for one platform that hold no compiled module: setuptools tags a project with extensions so even when
    its ``build_ext`` failed and its setup.py went on without them (msgpack 1.0.5 on CPython 3.13), leaving the
    servers its pure-Python fallback, or nothing to import."""
    found = []
    for wheel in wheels:
        if re.search(r"-linux_[a-z0-9_]+\.whl$", wheel.name):
            with zipfile.ZipFile(wheel) as zf:
                if not any(n.endswith(".so") or ".so." in n for n in zf.namelist()):
                    found.append(wheel.name)
    if not found:
        return []
    names = " and ".join(found) if len(found) <= 2 else f"{found[0]} and {count(len(found) - 1, 'other wheel')}"
    return [f"{names}: built on this runner for one platform, yet no compiled module in the wheel: its build left "
            "the extension out (a compile that failed and was tolerated), so the servers run the pure-Python code, "
            "if there is any; require a release of it published as a wheel for the servers' Python (often a newer "
            "one), or make its build succeed here (`pip wheel -v` shows the compiler's errors)"]


def git_sha(project_dir: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(project_dir), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


# ---------------------------------------------------------------- third-party wheels

DEPS_FORMAT = 2  # bump when the dependency slots' contents change: they are resolved again
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


def platform_tag(machine: str) -> str:
    """The platform pip downloads wheels for: manylinux2014 (glibc 2.17, every supported Debian has more)."""
    return f"{MANYLINUX}_{machine}"


def runner_builds_for(python_version: str, machine: str) -> bool:
    """True when a compiled wheel built on this runner runs on a server with ``python_version`` on ``machine``:
    the same CPython ``major.minor``, Linux, the same CPU architecture."""
    return (sys.implementation.name == "cpython" and sys.platform == "linux"
            and bytecode.runner_matches(python_version) and os.uname().machine == machine)


def builder_for(python_version: str, machine: str) -> str | None:
    """An interpreter of this runner that builds compiled wheels the server runs: CPython ``python_version`` on
    Linux of the server's ``machine``, this one or another here (:func:`bytecode.interpreter_for`: ``pythonX.Y``
    on PATH, pyenv's); None when there is none."""
    if sys.implementation.name != "cpython" or sys.platform != "linux" or os.uname().machine != machine:
        return None
    return bytecode.interpreter_for(python_version)


def target_platforms(machine: str, *, local: bool) -> list[str]:
    """Platform tags a server of ``machine`` accepts: manylinux up to glibc 2.17 (the baseline pack asks pip for),
    and ``linux_<machine>`` (a wheel built on this runner) only when ``local``: the runner is such a server."""
    plats = [f"manylinux_2_{minor}_{machine}" for minor in range(17, 4, -1)]
    plats += [f"{legacy}_{machine}" for legacy in ("manylinux2014", "manylinux2010", "manylinux1")]
    return plats + ([f"linux_{machine}"] if local else [])


def wheel_fits(filename: str, python_version: str, machine: str, *, local: bool = False) -> bool:
    """Does the wheel ``filename`` install on CPython ``python_version`` (``"3.11"``) on Linux ``machine``
    (``os.uname().machine``: x86_64, aarch64...)? Decided by its tags, like pip does; ``local`` also accepts
    ``linux_<machine>`` wheels (built on a runner that is such a server)."""
    from packaging.tags import compatible_tags, cpython_tags
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        tags = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return False
    version = tuple(int(x) for x in python_version.split("."))[:2]
    plats = target_platforms(machine, local=local)
    supported = set(cpython_tags(version, platforms=plats)) | set(
        compatible_tags(version, f"cp{version[0]}{version[1]}", plats))
    return bool(tags & supported)


def is_pure(filename: str) -> bool:
    """A wheel for any platform (``-any``): it cannot mismatch the server's CPU."""
    return filename.endswith("-any.whl")


def _unfit(what: str, wheel: str, python_version: str, machine: str, *, built: bool) -> DeployError:
    """The one-line refusal for a wheel that cannot run on the server."""
    target = f"CPython {python_version} on {machine}"
    runner = f"CPython {sys.version_info[0]}.{sys.version_info[1]} on {os.uname().machine}"
    if built:  # pip wheel by this runner's own Python: a wheel it found for itself, or built from the sdist
        return DeployError(f"{what}: no wheel of it for {target} exists, and the one this runner's pip made for "
                           f"it ({wheel}: found for, or built from its sdist by, {runner}) is compiled for {runner}",
                           where="pack", hint=_build_here(python_version, machine)
                           + f", require a release of it that publishes {platform_tag(machine)} wheels, or publish one")
    return DeployError(f"{what}: {wheel} does not run on the server ({target})", where="pack",
                       hint=f"the server needs a wheel for {platform_tag(machine)} or a pure-Python one")


def _build_here(python_version: str, machine: str) -> str:
    """What makes compiled code for the server here: its Python on this runner, or a runner like the server."""
    if os.uname().machine == machine:
        return (f"install CPython {python_version} on this runner (pack builds with python{python_version} on PATH "
                f"or pyenv's)")
    return f"pack on a runner with CPython {python_version} on {machine}"


def install_list(app_wheel: Path, deps: list[Path], requires: list[str]) -> list[str]:
    """Wheels the server installs: all but the ``installer`` tool itself, unless the app requires it."""
    wanted = {re.split(r"[\s<>=!~;\[(@]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requires}
    return sorted(w.name for w in [app_wheel, *deps] if not w.name.startswith(f"{TOOL}-") or TOOL in wanted)


def _links_state(find_links: tuple[str, ...] | list[str]) -> list:
    """What the cache key sees of the find-links: a directory's file names and sizes (a new sdist dropped in
    resolves again), a URL as given."""
    state: list = []
    for link in find_links:
        path = Path(link)
        if path.is_dir():
            state.append([link, sorted((p.name, p.stat().st_size) for p in path.iterdir() if p.is_file())])
        else:
            state.append(link)
    return state


def dependency_wheels(requires: list[str], python_version: str, cache: Path, *, machine: str = DEFAULT_MACHINE,
                      find_links: tuple[str, ...] | list[str] = ()) -> list[Path]:
    """Wheels of ``requires`` (+ the installer tool) for the server, from the cache or resolved by
    :func:`resolve_wheels`; cached by the requirements, the server's Python and machine, and the find-links."""
    key = hashlib.sha256(json.dumps([TOOL, requires, python_version, platform_tag(machine), DEPS_FORMAT,
                                     _links_state(find_links)]).encode()).hexdigest()[:32]
    slot = cache / key
    if (slot / ".complete").is_file():
        return [slot / n for n in json.loads((slot / ".complete").read_text())]
    tmp = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=_mkdir(cache)))
    try:
        resolve_wheels([TOOL, *requires], python_version, machine, tmp, find_links=find_links)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
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


def resolve_wheels(requires: list[str], python_version: str, machine: str, dest: Path, *,
                   find_links: tuple[str, ...] | list[str] = ()) -> None:
    """Fill ``dest`` with one wheel per distribution ``requires`` needs on the server, or refuse naming the one
    that cannot be had.

    pip resolves for the server (``--python-version``, ``--platform``, wheels only). A requirement that has no
    such wheel (pip: "No matching distribution found for X") is built from its sdist on this runner with
    ``pip wheel`` (pip's own isolated build); a pure-Python result (``-any``) is fine for every server, a compiled
    one only when this runner is such a server (:func:`runner_builds_for`); the built wheel is then offered to
    pip through a find-links dir and the resolution runs again. A direct reference to an sdist (``name @ URL``)
    is saved by pip as the sdist itself: built the same way. Every wheel is finally checked against the server's
    Python and machine (:func:`wheel_fits`).
    """
    builder = builder_for(python_version, machine)  # the server's Python here builds what has no wheel for it
    local = builder is not None
    built = _mkdir(dest / ".built")
    links = [*find_links, str(built)]
    tried: list[str] = []
    while True:
        cmd = pip_download_command(requires, python_version, dest, machine=machine, find_links=links, local=local)
        proc = _run_pip(cmd, "resolving the dependencies")
        if proc.returncode == 0:
            break
        if index_unreachable(proc.stdout + proc.stderr):  # not a missing wheel: nothing to build from source
            raise CommandFailed("runner", " ".join(cmd), proc.returncode, proc.stdout, proc.stderr,
                                what="the package index is unreachable from the runner",
                                hint="pack needs PyPI (or PIP_INDEX_URL) for dependencies not in its cache")
        missing = missing_requirement(proc.stderr)
        if missing is None or missing in tried or len(tried) >= 50:
            raise CommandFailed("runner", " ".join(cmd), proc.returncode, proc.stdout, proc.stderr,
                                what="downloading dependency wheels failed",
                                hint=f"the runner needs PyPI (or PIP_INDEX_URL) and wheels for CPython "
                                     f"{python_version} on {platform_tag(machine)}, or sdists to build them from")
        tried.append(missing)
        build_from_source(missing, built, python_version, machine, find_links=find_links, local=local,
                          python=builder)
    for sdist in sorted(p for p in dest.iterdir() if p.is_file() and p.name.endswith(SDIST_SUFFIXES)):
        build_from_source(str(sdist), dest, python_version, machine, find_links=find_links, local=local,
                          what=f"requirement {sdist.name} (a direct reference to an sdist)", python=builder)
        sdist.unlink()
    for wheel in sorted(dest.glob("*.whl")):
        if not wheel_fits(wheel.name, python_version, machine, local=local):
            raise _unfit(f"dependency {wheel.name.split('-')[0]}", wheel.name, python_version, machine, built=False)


UNREACHABLE = ("Failed to establish a new connection", "Temporary failure in name resolution",
               "Name or service not known", "ConnectTimeoutError", "Network is unreachable", "Connection refused")


def index_unreachable(output: str) -> bool:
    """pip could not reach an index (its retries say why); then "no matching distribution" means nothing."""
    return any(sign in (output or "") for sign in UNREACHABLE)


def missing_requirement(stderr: str) -> str | None:
    """The requirement pip found no acceptable wheel for ("No matching distribution found for X"), or None."""
    found = re.findall(r"No matching distribution found for (\S.*?)\s*$", stderr or "", re.MULTILINE)
    return found[-1] if found else None


def build_from_source(requirement: str, dest: Path, python_version: str, machine: str, *,
                      find_links: tuple[str, ...] | list[str] = (), local: bool = False, what: str = "",
                      python: str | None = None) -> Path:
    """``pip wheel --no-deps`` of ``requirement`` (a requirement or an sdist's path) on this runner into ``dest``,
    by ``python`` (an interpreter of the server's version, :func:`builder_for`), else by this one (a pure-Python
    result runs anywhere); refused with one line when it fails or the wheel cannot run on the server."""
    what = what or f"requirement {requirement!r}"
    with tempfile.TemporaryDirectory(prefix="deploytests-sdist-") as tmp:
        cmd = [python or sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
               "--wheel-dir", tmp, *[a for link in find_links for a in ("--find-links", link)], requirement]
        proc = _run_pip(cmd, f"building {requirement}", extra_env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
        wheels = sorted(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            last = why_failed(proc.stderr or proc.stdout)
            raise DeployError(f"{what}: no wheel of it for CPython {python_version} on {machine}, and building "
                              f"one from source on this runner failed: {last}", where="pack",
                              hint="publish a wheel of it, or make its sdist reachable (find_links in the deploy "
                                   "config, or PIP_INDEX_URL)", detail=tail(proc.stdout + proc.stderr, 30))
        wheel = wheels[0]
        if not wheel_fits(wheel.name, python_version, machine, local=local):
            raise _unfit(what, wheel.name, python_version, machine, built=True)
        final = dest / wheel.name
        shutil.move(str(wheel), final)
    return final


def _run_pip(cmd: list[str], what: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    return _run(cmd, what, "pack", "is the package index reachable from the runner?",
                env=dict(pip_env(), **(extra_env or {})))


def _run(cmd: list[str], what: str, where: str, hint: str = "", **kwargs) -> subprocess.CompletedProcess:
    """``cmd`` run on the runner, its output captured as text, bounded by :data:`PIP_TIMEOUT` seconds: past it,
    one line saying that ``what`` took longer."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT, **kwargs)
    except subprocess.TimeoutExpired:
        raise DeployError(f"{what} took more than {PIP_TIMEOUT}s", where=where, hint=hint) from None


def pip_download_command(requires: list[str], python_version: str, dest: Path, *, machine: str = DEFAULT_MACHINE,
                         find_links: list[str] | tuple[str, ...] = (), local: bool = False) -> list[str]:
    plats = [platform_tag(machine)] + ([f"linux_{machine}"] if local else [])
    return [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
            "--python-version", python_version, *[a for p in plats for a in ("--platform", p)],
            "--implementation", "cp", *[a for link in find_links for a in ("--find-links", link)],
            "--dest", str(dest), *requires]


def pip_env() -> dict:
    """The runner's environment without the pip settings that tie a wheelhouse to this machine."""
    env = {k: v for k, v in os.environ.items() if k not in PIP_ENV_DROPPED}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


# ---------------------------------------------------------------- the artifact file

PLACEHOLDER = "/__deploytests_venv__/bin/python"  # console scripts' interpreter; the server rewrites it
TREE_FORMAT = 1  # bump when the tree's layout or contents change: invalidates cached parts

BUILD_TREE = program_source("install_wheels")  # into a venv layout: deploytests/pipeline/programs/install_wheels.py


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
        proc = _run([python or sys.executable, "-S", "-c", BUILD_TREE, json.dumps(plan)],
                    "installing the wheels into the release tree", "pack", env=env)
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


def packed(sha256: str, *where: Path | str) -> Artifact | None:
    """The artifact this runner packed whose sha256 is ``sha256``, from the directories it packs into (``where``,
    then the cache's ``artifacts/``), or None: a file named after its sha8 whose bytes hash to ``sha256`` (the
    runner's own file, out of any server login's reach: the reference a kept release is compared with)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        return None
    for folder in [Path(w) for w in where] + [default_cache_dir() / "artifacts"]:
        for path in sorted(folder.glob(f"*-{sha256[:8]}.tar")) if folder.is_dir() else []:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha256:
                continue
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                member = tar.extractfile("manifest.json")
                manifest = json.loads(member.read()) if member else {}
            return Artifact(path=path, app=str(manifest.get("app")), name=str(manifest.get("name")),
                            version=str(manifest.get("version")), sha256=sha256, size=len(data),
                            python_version=str(manifest.get("python_version")), manifest=manifest, cached=True)
    return None


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
