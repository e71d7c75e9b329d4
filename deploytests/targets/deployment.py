"""The session's deployment, shared between xdist workers: :func:`once_per_run`.

Fleet orchestration (:func:`bootstrap_all`, :func:`deploy_all`, :func:`read_live`, :func:`each_host`) and its
plain data (:class:`Deployment`, :class:`HostState`, :class:`Bootstrapped`) live in
:mod:`deploytests.pipeline.fleet`; they are re-exported here.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable
from pathlib import Path

from ..errors import DeployTestsError
from ..pipeline.fleet import (
    Bootstrapped,
    Deployment,
    HostState,
    artifact_for,
    bootstrap_all,
    deploy_all,
    each_host,
    read_live,
)

__all__ = ["Bootstrapped", "Deployment", "HostState", "artifact_for", "bootstrap_all", "deploy_all", "each_host",
           "once_per_run", "read_live"]


def once_per_run(path: Path, produce: Callable[[], str]) -> str:
    """Run ``produce`` in the first process to get here and hand its text to every later one.

    Processes (xdist workers) serialize on an flock of ``path.lock``; the first writes ``path``, the others
    read it. If ``produce`` raised, the error's line is stored and re-raised by everyone, so a failed deploy
    is not retried by each worker.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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
