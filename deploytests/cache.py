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


def owned_alone(path: Path | str, what: str, hint: str = "make it and the directories above it yours or root's "
                                                         "alone (chmod go-w, chown)") -> None:
    """Refuse (:class:`~deploytests.errors.ConfigError`, one line) unless ``path``, where its links lead, and every
    directory above it are this login's or root's and no one else may write them (a sticky directory of root's,
    ``/tmp``, excepted), as OpenSSH's ``StrictModes`` judges a home: what the runner takes from there -- the wheels a
    deploy ships, the servers' host keys, the targets file's hosts and allowances, the config a deploy ships -- is
    then this login's word, not another local user's. A name not there yet is for its reader to report."""
    real = Path(os.path.realpath(path))
    for place in [real, *real.parents]:
        try:
            st = os.lstat(place)
        except FileNotFoundError:
            continue
        sticky = st.st_mode & 0o1000 and st.st_uid == 0
        if st.st_uid not in (os.getuid(), 0) or st.st_mode & 0o022 and not sticky:
            from .errors import ConfigError

            raise ConfigError(f"refused: {place} is {st.st_mode & 0o7777:04o} uid {st.st_uid}: someone but you and "
                              f"root may change {what} {path}; {hint}")


def cache_dir() -> Path:
    """Per-user cache (build envs, wheels, image lock files, debootstrap tarballs): ``$XDG_CACHE_HOME/deploytests``
    (``~/.cache/deploytests`` when unset), created if missing, and refused unless no one but this login and root may
    change it (:func:`owned_alone`): what is there is what a deploy ships (wheels), what packing runs (the build env)
    and what the gate takes for the artifact this runner packed (a kept release's reference). A ``$XDG_CACHE_HOME``
    under ``/tmp`` that another local user made first was theirs, and the gate took their tar for this runner's
    artifact."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = root / "deploytests"
    path.mkdir(parents=True, exist_ok=True)
    owned_alone(path, "deploytests' cache", "it holds the wheels a deploy ships, the build env packing runs, the "
                "artifacts the gate compares releases with: make it yours alone, or set XDG_CACHE_HOME to a directory "
                "of yours")
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
