"""A user's seat, for the integration tests that drive deploytests from outside this repository: the wheel built
from a copy of the repository into a fresh venv, commands run as the venv's user runs them, and the containers a
child gate keeps (``--keep-containers``) removed by the module that started it.

Kept containers are never swept (``deploytests.containers.sweep``: kept on request), so they are found by the
child's own owner labels (this host, the child's pid and start time), not by parsing its output: a child killed
mid-run (a timeout, or the test run stopped: SIGTERM and SIGHUP end it as Ctrl-C does, see conftest.py) leaves
none behind on a shared engine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from deploytests.containers import docker_client
from deploytests.containers.sweep import L_HOST, L_KEEP, L_PID, L_START, process_start

ROOT = Path(__file__).resolve().parents[2]
NOT_THE_USERS = ("DEPLOYTESTS_", "PYTEST_", "PYTHON", "VIRTUAL_ENV", "DJANGO_")


def ok(result) -> str:
    assert result.returncode == 0, f"$ {' '.join(result.args)}\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def user_venv(base: Path, *packages: str) -> tuple[Path, Path]:
    """The wheel built from a copy of this repository and a fresh venv in ``base`` with it and ``packages``
    (from the package index): (venv, wheel)."""
    src = base / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tox", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", ".pytest_cache"))
    ok(subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                       "-w", str(base / "dist"), str(src)], capture_output=True, text=True, timeout=600))
    wheel = next((base / "dist").glob("deploytests-*.whl"))
    venv = base / "venv"
    ok(subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300))
    ok(Seat(venv).run("pip", "install", "-q", str(wheel), *packages, cwd=base))
    return venv, wheel


class Seat:
    """Commands of one venv, as its user runs them (the venv's bin first on PATH, nothing of this repo's test run
    in the environment), with every child recorded by its owner labels for :meth:`remove_kept`."""

    def __init__(self, venv: Path):
        self.venv, self.children = venv, set()

    def run(self, *args: str, cwd: Path, env: dict | None = None, timeout: int = 600):
        environ = {k: v for k, v in os.environ.items() if not k.startswith(NOT_THE_USERS)}
        environ.update(PATH=f"{self.venv / 'bin'}{os.pathsep}{environ.get('PATH', '')}",
                       VIRTUAL_ENV=str(self.venv), **(env or {}))
        with subprocess.Popen(list(args), cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as proc:
            self.children.add((str(proc.pid), process_start(proc.pid) or ""))
            try:
                out, err = proc.communicate(timeout=timeout)
            except BaseException:  # a timeout, or the run stopped: the child goes, its kept containers below
                proc.kill()
                proc.communicate()
                raise
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def remove_kept(self) -> list[str]:
        """Remove the containers this seat's children kept (and only those); their names."""
        client = docker_client()
        try:
            # sparse: the full listing inspects each container, and another run may remove its own meanwhile
            mine = [c for c in client.containers.list(all=True, sparse=True, filters={"label": [
                f"{L_KEEP}=1", f"{L_HOST}={socket.gethostname()}"]})
                if ((c.attrs.get("Labels") or {}).get(L_PID), (c.attrs.get("Labels") or {}).get(L_START))
                in self.children]
            for container in mine:
                container.remove(force=True, v=True)
            return [(c.attrs.get("Names") or [c.id])[0].lstrip("/") for c in mine]
        finally:
            client.close()
