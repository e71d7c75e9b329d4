"""One real target shared by xdist workers: deploy once (:func:`once_per_run`), and a readers-writer lock, so
destructive scenarios never overlap checks.

On a real target the first worker to ask bootstraps and deploys; the others wait on a file lock and read its
result (or its one-line error: a failed deploy is not retried by each worker).

On a real target every xdist worker verifies the same servers. The lifecycle scenarios (``destructive``)
deploy other releases there and put the session's release back at the end, so nothing else may run on the
target meanwhile. The plugin schedules by module (xdist's ``loadscope``: the scenarios, one module, run on one
worker) and holds this lock around each test: shared for ordinary checks, exclusive from the first destructive
test of a run of them to the last one (whose teardown restores the release). The lock is an ``flock`` on one
file per run (``$TMPDIR/deploytests-<xdist run id>/<target>.rwlock``): the kernel drops it with a dead worker.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path

from ..cache import file_lock, owned_alone
from ..errors import DeployTestsError


def shared_dir(path: Path) -> None:
    """Make the run's shared directory (``$TMPDIR/deploytests-<xdist run id>``), or refuse in one line unless it is
    this login's alone (:func:`~deploytests.cache.owned_alone`): its files say whether the deploy was done and which
    release the workers check. A run id given on the command line (xdist's ``--testrunuid``) is known in advance:
    another local user who made that directory first wrote the record, and the workers took it for the deploy."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    owned_alone(path, "the run's shared directory", "give each run a new --testrunuid, or remove the directory")


def once_per_run(path: Path, produce: Callable[[], str]) -> str:
    """Run ``produce`` in the first process to get here and hand its text to every later one.

    Processes (xdist workers) serialize on :func:`~deploytests.cache.file_lock` of ``path.lock`` (no timeout:
    the holder's own steps are bounded by ``--host-timeout``); the first writes ``path``, the others read it. If
    ``produce`` raised, the error's line is stored and re-raised by everyone.
    """
    shared_dir(path.parent)
    with file_lock(path.with_suffix(".lock")):
        if not path.exists():
            try:
                path.write_text(json.dumps({"ok": produce()}))
            except Exception as exc:  # any failure: the other workers must not try the real target again
                text = exc.render() if isinstance(exc, DeployTestsError) else f"{type(exc).__name__}: {exc}"
                path.write_text(json.dumps({"error": text}))
                raise
        data = json.loads(path.read_text())
    if "error" in data:
        raise DeployTestsError(f"the deploy of another worker failed: {data['error'].splitlines()[0]}",
                               detail=data["error"])
    return data["ok"]


class TargetLock:
    """``hold(exclusive)`` / ``release()`` over an flock; holding exclusive already covers shared."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fd: int | None = None
        self.mode: int | None = None

    def hold(self, exclusive: bool) -> None:
        want = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        if self.mode == fcntl.LOCK_EX or self.mode == want:
            return
        if self.fd is None:
            shared_dir(self.path.parent)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, want)
        self.mode = want

    def release(self) -> None:
        if self.fd is not None and self.mode is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.mode = None

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
