"""Byte-code compiled once on the runner and shipped, instead of compiled on every server.

Compiling Flask's dependency set costs ~0.5 s of CPU per server and per deploy; with a fleet on a small
machine that CPU is the bottleneck. When the runner has an interpreter of the server's ``major.minor`` (same
byte-code magic) -- its own, or another one (``python3.13`` on PATH or from pyenv, for Debian 13) -- pack installs
the wheels into a venv layout with it and compiles the modules into *unchecked-hash* ``.pyc`` files (PEP 552:
valid whatever the file mtimes after extraction; releases are immutable, so the source never changes under them),
see :func:`deploytests.pipeline.artifact.tree_part`. ``co_filename`` is fixed up by the import system at load
time (``_imp._fix_co_filename``), so tracebacks show the real server paths. Without such an interpreter the
wheels are shipped and the server installs and compiles them itself.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path


def runner_matches(python_version: str) -> bool:
    """True when this interpreter writes byte-code the server's ``python_version`` (``"3.11"``) can load."""
    return python_version == f"{sys.version_info.major}.{sys.version_info.minor}"


@functools.cache
def interpreter_for(python_version: str) -> str | None:
    """A runner interpreter of ``python_version`` (``X.Y``): this one, else the first that runs and reports that
    version of ``pythonX.Y`` on PATH and pyenv's ``$PYENV_ROOT/versions/X.Y.*`` (newest first), resolved to its
    real executable (a pyenv shim of a version not selected does not run; one that does needs its environment,
    which the tree build drops). None when there is none: the server then installs the wheels itself."""
    if runner_matches(python_version):
        return sys.executable
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    pyenv = sorted(root.glob(f"versions/{python_version}.*/bin/python{python_version}"),
                   key=lambda p: [int(x) if x.isdigit() else -1 for x in p.parts[-3].split(".")], reverse=True)
    for candidate in [shutil.which(f"python{python_version}"), *map(str, pyenv)]:
        found = candidate and _reports(candidate, python_version)
        if found:
            return found
    return None


def _reports(interpreter: str, python_version: str) -> str | None:
    """``sys.executable`` of ``interpreter`` when it runs and is ``python_version``, else None."""
    try:
        proc = subprocess.run([interpreter, "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2], "
                               "sys.executable)"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    version, _, executable = proc.stdout.strip().partition(" ")
    return executable if proc.returncode == 0 and version == python_version and executable else None
