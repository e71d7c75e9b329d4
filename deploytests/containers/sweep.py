"""Sweep containers left behind by runs that were killed.

Every container carries labels: the project label, the run id, the owning process (hostname, pid and the
process start time, so a reused pid is not mistaken for the owner) and ``keep`` (set by
``--keep-containers``). :func:`should_sweep` is the pure decision; :func:`sweep` applies it.

A run's temp dir (``$TMPDIR/deploytests-<run>-*``: its client key and known_hosts) carries the same labels in
``owner.json``, so a run that died after its containers were gone (or before any started) is swept as well; so do
the snapshot images a run commits from its containers (the lifecycle scenarios', the faults campaign's).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..words import count

LABEL = "deploytests"
L_RUN, L_HOST, L_PID, L_START, L_KEEP = (f"{LABEL}.{k}" for k in ("run", "host", "pid", "pidstart", "keep"))


def process_start(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (field 22 of /proc/PID/stat), or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def owner_labels(run_id: str, *, keep: bool = False) -> dict[str, str]:
    """The labels that tie a container to this process."""
    pid = os.getpid()
    return {LABEL: "server", L_RUN: run_id, L_HOST: socket.gethostname(), L_PID: str(pid),
            L_START: process_start(pid) or "", L_KEEP: "1" if keep else "0"}


def should_sweep(labels: dict[str, str], *, this_host: str,
                 start_of: Callable[[int], str | None] = process_start) -> tuple[bool, str]:
    """Decide whether a labelled container is a leftover. Returns ``(sweep?, reason)``.

    Kept: containers started with keep-containers; containers of another machine (we cannot see its
    processes); containers whose owner process still runs (same pid *and* same start time).
    """
    if labels.get(L_KEEP) == "1":
        return False, "kept on request (--keep-containers)"
    if labels.get(L_HOST) != this_host:
        return False, f"owned by another machine ({labels.get(L_HOST)!r})"
    try:
        pid = int(labels.get(L_PID, ""))
    except ValueError:
        return True, "no owner recorded"
    started = start_of(pid)
    if started is None:
        return True, f"owner pid {pid} is gone"
    if started != labels.get(L_START):
        return True, f"pid {pid} now belongs to another process"
    return False, f"owner pid {pid} still runs"


OWNER_FILE = "owner.json"


def write_owner(workdir: Path, labels: dict[str, str]) -> None:
    """Record the run's owner labels in its temp dir, for :func:`sweep_workdirs`."""
    (workdir / OWNER_FILE).write_text(json.dumps(labels))


def sweep_workdirs(*, this_host: str | None = None, tmp: Path | None = None,
                   start_of: Callable[[int], str | None] = process_start) -> list[Path]:
    """Remove the temp dirs of dead runs (same decision as for containers); return them.

    Only real directories (not links) owned by this user and holding an ``owner.json`` are considered: the
    temp dir is shared with everyone on the machine."""
    this_host = this_host or socket.gethostname()
    removed = []
    for path in Path(tmp or tempfile.gettempdir()).glob("deploytests-*-*"):
        try:
            st = os.lstat(path)
            if not os.path.isdir(path) or os.path.islink(path) or st.st_uid != os.getuid():
                continue
            labels = json.loads((path / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not a run dir of ours, or already gone
        if isinstance(labels, dict) and should_sweep(labels, this_host=this_host, start_of=start_of)[0]:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def sweep(client, *, progress: Callable[[str], None] = print) -> list[str]:
    """Remove leftover containers of killed runs; return their names. Safe when runs sweep concurrently.

    The list is sparse (labels and names come with it): the SDK's full list inspects each container after
    listing, and raises NotFound when another run removed one in between."""
    import docker

    removed = []
    this_host = socket.gethostname()
    for container in client.containers.list(all=True, sparse=True, filters={"label": f"{LABEL}=server"}):
        labels = container.attrs.get("Labels") or {}
        leftover, why = should_sweep(labels, this_host=this_host)
        if leftover:
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                continue  # another run swept it first
            except docker.errors.APIError as exc:
                if exc.status_code != 409:  # 409: removal already in progress (another run sweeping)
                    raise
                continue
            removed.append((container.attrs.get("Names") or [container.id])[0].lstrip("/"))
    if removed:
        progress(f"swept {count(len(removed), 'leftover container[s] of killed runs')}: {', '.join(removed)}")
    _sweep_snapshots(client, this_host)
    sweep_workdirs(this_host=this_host)  # the dead runs' temp dirs (their client keys), by their owner.json
    return removed


def _sweep_snapshots(client, this_host: str) -> None:
    """Remove snapshot images (committed from a run's server container, so carrying its owner labels) of dead runs;
    a run removes its own at its end. Images built from the Dockerfiles carry ``deploytests=image``: never these."""
    import docker

    # the engine's own listing, one call: the SDK's ``images.list`` inspects each image it listed and raises
    # ImageNotFound when another run evicts or sweeps one in between (it failed scenarios' container starts)
    for image in client.api.images(filters={"label": f"{LABEL}=server"}):
        if should_sweep(image.get("Labels") or {}, this_host=this_host)[0]:
            try:  # not forced: an image a container still uses stays
                client.images.remove(image["Id"])
            except docker.errors.APIError:
                continue  # gone already, in use, or another run's sweep is removing it
