"""What a failed test's report carries about a server: read in one round trip, nothing run.

:func:`collect` runs the fact probe's diagnostics mode (:func:`deploytests.verify.probe.diagnose`) on the server,
the same way as the probe (the system ``python3 -I``, under ``sudo -n`` when the login may): root reads only
root's files (the Apache error log, the vhost) and a child dropped to the deploy user reads the app tree (the
releases, ``current``, application.wsgi, the live venv's installed distributions from their ``METADATA``). No
program of the app's trees is run -- ``pip freeze`` in the live venv would run a python the deploy login can
replace -- and no link is followed. The sections come back as JSON and are made safe for terminals and reports
(:mod:`deploytests.untrusted`). A traceback in the error log may quote the app config's values: they are
redacted where the sections are output, with the rest of the report (the plugin's ``reporting``). The app
config itself is never read.
"""

from __future__ import annotations

import time

from .. import untrusted

_MARKS: dict[str, int] = {}  # server label -> error log size when its verification began


def mark_log(label: str, size: int) -> None:
    """Remember the error log's size when verification of ``label`` began (the gate's fact probe calls it):
    its diagnostics then show the lines logged since, not the log's whole history."""
    _MARKS.setdefault(label, size)


def diagnose_args(server, app: str, root: str, deploy_user: str, since: int | None = None) -> dict:
    """The probe's arguments for its diagnostics mode (pure)."""
    stack = server.stack
    return {"diagnose": True, "app": app, "root": root, "deploy_user": deploy_user, "since": since,
            "error_log": stack.apache.error_log, "vhost": stack.apache.site_file(app)}


_COLLECTED: dict[str, tuple[float, dict[str, str]]] = {}
REUSE_SECONDS = 5.0  # failures of one host this close together share one collection


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
    sections = _collect(server, app, root, deploy_user or server.user)
    _COLLECTED[label] = (time.monotonic(), sections)
    return sections


def _collect(server, app: str, root: str, deploy_user: str) -> dict[str, str]:
    from ..pipeline.remote import exec_stream
    from . import probe
    from .facts import PROBE_SOURCE, read_reply
    from .facts import probe_command as command

    try:
        args = diagnose_args(server, app, root, deploy_user, _MARKS.get(server.label))
        res = exec_stream(server.connection(), command(args, server.stack.python), (PROBE_SOURCE,), step_timeout=30)
        sections = read_reply(res, probe.MARK, "diagnostics").get("sections") or []  # made safe: data
        return {s["title"]: s["text"] for s in sections}
    except Exception as exc:  # noqa: BLE001 - diagnostics must not hide the test's own failure
        return {"diagnostics": untrusted.line(f"could not collect: {type(exc).__name__}: {exc}")}
