"""Byte-code compiled once on the runner and shipped, instead of compiled on every server.

Compiling Flask's dependency set costs ~0.5 s of CPU per server and per deploy; with a fleet on a small
machine that CPU is the bottleneck. When the runner has an interpreter of the server's ``major.minor`` (same
byte-code magic) -- its own, or another one on PATH such as ``python3.13`` for a Debian 13 server -- pack installs
the wheels into a venv layout with it and compiles the modules into *unchecked-hash* ``.pyc`` files (PEP 552:
valid whatever the file mtimes after extraction; releases are immutable, so the source never changes under them),
see :func:`deploytests.pipeline.artifact.tree_part`. ``co_filename`` is fixed up by the import system at load
time (``_imp._fix_co_filename``), so tracebacks show the real server paths. Without such an interpreter the
wheels are shipped and the server installs and compiles them itself.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys


def runner_matches(python_version: str) -> bool:
    """True when this interpreter writes byte-code the server's ``python_version`` (``"3.11"``) can load."""
    return python_version == f"{sys.version_info.major}.{sys.version_info.minor}"


@functools.lru_cache(maxsize=None)
def interpreter_for(python_version: str) -> str | None:
    """A runner interpreter of ``python_version`` (``X.Y``): this one, else the one ``pythonX.Y`` on PATH runs
    when it reports that version (a pyenv shim of a version not selected does not), else None."""
    if runner_matches(python_version):
        return sys.executable
    found = shutil.which(f"python{python_version}")
    if found is None:
        return None
    try:
        proc = subprocess.run([found, "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    version, _, executable = proc.stdout.strip().partition(" ")
    # the interpreter itself, not a wrapper (a pyenv shim needs its environment, which the tree build drops)
    return executable if proc.returncode == 0 and version == python_version and executable else None
