"""The runner's per-user cache dir and the file lock parallel runs (xdist workers, two terminals) share there.

Runner side only: the agents sent to servers are standard-library programs and keep their own locks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def cache_dir() -> Path:
    """Per-user cache (build envs, wheels, image lock files, debootstrap tarballs): ``$XDG_CACHE_HOME/deploytests``
    (``~/.cache/deploytests`` when unset), created if missing."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = root / "deploytests"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def file_lock(path: Path, timeout: float | None = None, *,
              stuck: Callable[[], BaseException] | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block.

    The kernel releases it when its holder dies, so a lock is never stale. ``timeout`` None waits for the
    holder (whose own work is bounded); otherwise after ``timeout`` seconds ``stuck()`` is raised."""
    with open(path, "a") as fh:
        if timeout is None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise (stuck() if stuck else TimeoutError(f"{path} stayed locked for {timeout}s")) from None
                    time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
