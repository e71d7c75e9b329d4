"""Where an Apache + mod_wsgi server explains a failed deploy: the tail of Apache's error log (the app's
traceback at import, mod_wsgi's own errors), added to a gate failure's detail by ``pipeline.releases`` (the
agent's hint, the same for every stack, points at it: "see the server's error log below")."""

from __future__ import annotations

from ... import untrusted
from ..base import Stack


def error_log_tail(c, stack: Stack, lines: int = 20) -> str:
    """The last lines of Apache's error log, titled with its path (the stack says where it is; read via ``sudo -n``
    when the login may, else directly, else a note)."""
    log = stack.apache.error_log
    cmd = f"sudo -n tail -n {lines} {log} 2>/dev/null || tail -n {lines} {log} 2>&1"
    res = c.run(cmd, hide=True, warn=True, in_stream=False)
    text = untrusted.text(res.stdout.strip())  # lines the app wrote: data, made safe for the terminal
    return f"--- {log} (tail) ---\n" + (text or f"({log} not readable by {c.user})")
