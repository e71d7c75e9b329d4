"""Where an Apache + mod_wsgi server explains a failed deploy: the tail of Apache's error log (the app's
traceback at import, mod_wsgi's own errors), added to a gate failure's detail by ``pipeline.releases`` (the
agent's hint, the same for every stack, points at it: "see the server's error log below")."""

from __future__ import annotations

from invoke.exceptions import CommandTimedOut

from ... import untrusted
from ...errors import DeployTestsError
from ..base import Stack

TIMEOUT = 30  # seconds the tail may take


def error_log_tail(c, stack: Stack, lines: int = 20) -> str:
    """The last lines of Apache's error log, titled with its path (the stack says where it is; read via ``sudo -n``
    when the login may, else directly, else a note)."""
    log = stack.apache.error_log
    cmd = f"sudo -n tail -n {lines} {log} 2>/dev/null || tail -n {lines} {log} 2>&1"
    try:  # (bounded: a host that never ends the command must not keep the deploy's own error from being told)
        res = c.run(cmd, hide=True, warn=True, in_stream=False, timeout=TIMEOUT)
    except (CommandTimedOut, DeployTestsError) as exc:
        why = f"not read within {TIMEOUT} s" if isinstance(exc, CommandTimedOut) else f"not read: {exc}"
        return f"--- {log} (tail) ---\n({why})"
    text = untrusted.block(res.stdout.strip()) if res.stdout.strip() else ""  # lines the app wrote: data, shown
    return f"--- {log} (tail) ---\n" + (text or f"({log} not readable by {c.user})")
