"""What a failed test's report carries about a server: read in one round trip, nothing run.

:func:`collect` runs the fact probe's three programs in their diagnostics mode, the same way as the probe (one
round trip, the system ``python3 -I``): the login collector returns the vhost's bytes, the root collector (under
``sudo -n`` when the login may) the Apache error log's tail (``0640 root:adm``), and the tree reader, run as the
deploy user (the root collector's process once it became it), reads the app tree (the releases, ``current``,
application.wsgi, the live venv's installed distributions from their ``METADATA``); the runner parses them here
(:func:`sections`). No
program of the app's trees is run -- ``pip freeze`` in the live venv would run a python the deploy login can
replace -- and no link is followed. The sections come back as JSON and are made safe for terminals and reports
(:mod:`deploytests.untrusted`). A traceback in the error log may quote the app config's values: they are
redacted where the sections are output, with the rest of the report (the plugin's ``reporting``). The app
config itself is never read.
"""

from __future__ import annotations

import re
import time

from .. import untrusted
from . import collect_root as _root

_MARKS: dict[str, int] = {}  # server label -> error log size when its verification began
_BEGAN: dict[str, float] = {}  # server label -> when its verification began (its requests may precede the size)
APP_ERROR = "the app's last exception in the Apache error log since verification began"
LOG_PREFIX = re.compile(r"^(?:\[[^\]]*\] )+")  # Apache's "[time] [wsgi:error] [pid N] [remote A] " before each line


def mark_log(label: str, size: int, began: float | None = None) -> None:
    """Remember the error log's size when verification of ``label`` began (the gate's fact probe calls it):
    its diagnostics then show the lines logged since, not the log's whole history. ``began``: the time the probe
    and the gate's requests started (they run at once: what the requests made the app log may precede the
    size), from which the app's exception is taken (:data:`APP_ERROR`)."""
    _MARKS.setdefault(label, size)
    if began is not None:
        _BEGAN.setdefault(label, began)


def since(entry: dict, offset: int | None) -> str | None:
    """What the error log gained from byte ``offset`` on, from root's tail of it (``entry``: its file entry; the
    tail starts at the size it had less the collector's limit, and runs to its end, lines written while it was read
    included): sliced from its start, so what came on after the size was taken is kept; never more than that tail;
    the whole tail when the log is now shorter than ``offset`` (rotated since)."""
    if offset is None or "data" not in entry:
        return None
    size, data = entry["st"][3], entry["data"]
    return data[max(0, offset - max(0, size - _root.LIMIT)):] if size >= offset else data


def app_error(log: str, began: float) -> str | None:
    """The exception line of the last Python traceback the Apache error log (``log``, its tail) holds from
    ``began`` on (to the second, the log's stamps), its line prefixes cut: what the app logged behind a 5xx
    (Bottle's, Flask's and Django's error pages say nothing of it); None without one."""
    from ..pipeline.agent import error_line
    from .parse import lines_since

    # every line since (a Django 500's chained traceback runs past a hundred lines: its header is not in the last 40)
    recent = lines_since(log, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(began)), last=None)
    if "Traceback (most recent call last):" not in recent:
        return None
    return error_line([LOG_PREFIX.sub("", ln) for ln in recent.splitlines()])


def sections(raw: dict, tree: dict, root: str, vhost: str, error_log: str,
             offset: int | None = None, began: float | None = None) -> dict[str, str]:
    """The sections ``{title: text}`` from the collector's raw reply (root's files: the error log's tail, the
    vhost) and the tree reader's (the releases, ``current``, the last refusals, application.wsgi, the live
    release's date and distributions), parsed here as data; each section's text made safe and behind the
    gutter (:func:`deploytests.untrusted.block`)."""
    from .parse import Snapshot, lines_since

    snap = Snapshot(raw)
    log = snap.text(error_log)
    why = (snap.files.get(error_log) or {}).get("why")
    unreadable = f"({error_log}: not readable here as root's regular file: {why})\n"
    out = {}
    new = since((raw.get("files") or {}).get(error_log) or {}, offset)
    if new is not None:
        new = new.encode("latin-1").decode("utf-8", "replace")
        out["Apache error log since verification began"] = "".join(new.splitlines(True)[-40:])
    if log and began and (found := app_error(log, began)):
        out[APP_ERROR] = found
    out["Apache error log since the deploy of the live release began"] = unreadable if log is None \
        else lines_since(log, tree.get("created_at"))
    text = snap.text(vhost)
    out["vhost " + vhost] = "(not root's regular file)" if text is None else text
    if "errors" in tree and "releases" not in tree:
        out["app tree"] = untrusted.line(tree["errors"].get("tree"))
        return {k: untrusted.block(v) for k, v in out.items()}
    wsgi = tree.get("wsgi")
    out[root + "/application.wsgi"] = wsgi if isinstance(wsgi, str) else "(not a regular file)"
    current = untrusted.line(tree.get("current"))  # names the deploy login chose: one line each
    failed = ["failed.log: " + untrusted.line(line) for line in tree.get("failed") or []]
    out["releases"] = "\n".join([untrusted.line(r) for r in tree.get("releases") or []] +
                                 ["", f"current -> {current}"] + failed)
    out["installed distributions (live venv, read from METADATA)"] = "\n".join(untrusted.line(d) for d in
                                                                               tree.get("installed") or [])
    return {k: untrusted.block(v) for k, v in out.items()}  # server text, shown: each line behind the gutter


_COLLECTED: dict[str, tuple[float, dict[str, str]]] = {}
REUSE_SECONDS = 5.0  # failures of one host this close together share one collection


def app_logged(server, cfg) -> str | None:
    """The exception the app logged behind a 5xx answer to a check on ``server`` (:data:`APP_ERROR`, one line),
    for the failure's one line: the app wrote it into the Apache error log, not into its error page."""
    found = collect(server, cfg.app, cfg.root, deploy_user=cfg.deploy_user or server.user).get(APP_ERROR)
    return found.removeprefix(untrusted.GUTTER) if found else None


def collect(server, app: str, root: str, deploy_user: str | None = None) -> dict[str, str]:
    """The diagnostics sections of ``server`` (see the module doc); never raises (the host may be gone, or run
    an OS no stack knows: that is a section).

    The gate's checks of a host judge one snapshot of its facts, so when several of them fail, the sections
    collected for the first failure are reused for those failing within :data:`REUSE_SECONDS` (one round trip
    instead of one per failed check)."""
    label = getattr(server, "label", "")
    hit = _COLLECTED.get(label)
    if hit is not None and time.monotonic() - hit[0] < REUSE_SECONDS:
        return hit[1]
    found = _collect(server, app, root, deploy_user or server.user)
    _COLLECTED[label] = (time.monotonic(), found)
    return found


def _collect(server, app: str, root: str, deploy_user: str) -> dict[str, str]:
    from .facts import read_root, read_tree, run_programs

    try:
        # the collector gets the app's name, the reader the tree
        args = {"diagnose": True, "app": app, "root": root, "deploy_user": deploy_user}
        res = run_programs(server, args, server.stack.python)
        found = sections(read_root(res), read_tree(res, "tree reader"), root,
                         server.stack.apache.site_file(app), server.stack.apache.error_log, _MARKS.get(server.label),
                         _BEGAN.get(server.label))
        return {untrusted.line(k): v for k, v in found.items()}
    except Exception as exc:  # noqa: BLE001 - diagnostics must not hide the test's own failure
        return {"diagnostics": untrusted.line(f"could not collect: {type(exc).__name__}: {exc}")}
