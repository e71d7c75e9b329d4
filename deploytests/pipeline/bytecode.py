"""Byte-code compiled once on the runner and shipped, instead of compiled on every server.

Compiling Flask's dependency set costs ~0.5 s of CPU per server and per deploy; with a fleet on a small
machine that CPU is the bottleneck. When the runner's Python has the server's ``major.minor`` (same byte-code
magic), pack installs the wheels into a venv layout here and compiles its modules into *unchecked-hash*
``.pyc`` files (PEP 552: valid whatever the file mtimes after extraction; releases are immutable, so the source
never changes under them), see :func:`deploytests.pipeline.artifact.tree_part`. ``co_filename`` is fixed up by
the import system at load time (``_imp._fix_co_filename``), so tracebacks show the real server paths.
"""

from __future__ import annotations

import sys


def runner_matches(python_version: str) -> bool:
    """True when this interpreter writes byte-code the server's ``python_version`` (``"3.11"``) can load."""
    return python_version == f"{sys.version_info.major}.{sys.version_info.minor}"
