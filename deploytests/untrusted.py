"""Text from servers is data: made safe once, where it enters the runner, before any terminal or report sees it.

Whatever a server sends -- an agent's events and results (release ids, versions, who deployed, error messages
and their detail), the fact probe's JSON, the diagnostics' sections -- may have been written by the deploy
login or the app (a ``RELEASE.json``, a file name, a log line, an app's traceback). Printed raw, an ``ESC``
sequence clears the operator's screen or hides text, an OSC 8 sequence plants a hyperlink, a carriage return or a
newline fakes a line of our own output (``[web-1] deploy ok``), a bidi override reverses what is read.

So the parsers of server output (:mod:`deploytests.pipeline.remote` for the agents, :mod:`deploytests.verify.facts`
and :mod:`deploytests.verify.diagnostics` for the probe) pass every string they decode through :func:`data`:

- every C0 control but newline and tab, DEL, every C1 control, the bidi embeddings, overrides and isolates, the
  line and paragraph separators, the BOM and lone surrogates (the bytes of a name that is not UTF-8) become a
  visible escape (``\\x1b``, ``\\u202e``): what the server sent
  stays readable, it is never acted on;
- a newline stays a newline only in the fields that are multi-line by contract (an error's ``detail``: command
  output, a traceback); in every other field it is shown as ``\\n``, so a value is always one line; where
  multi-line text is shown, each of its lines is behind a gutter (:func:`block`), so it cannot forge a line;
- every string is cut to a bound (:data:`LINE_LIMIT` for one-line values, :data:`TEXT_LIMIT` for multi-line
  ones), saying how much was cut; dict keys (file names) are treated like values.

Pure functions, no state; the unit tests exercise each class of character.
"""

from __future__ import annotations

import re
from typing import Any

LINE_LIMIT = 2000        # characters of a one-line value
TEXT_LIMIT = 64 * 1024   # characters of a multi-line value (an error's detail, a log tail)
OUTPUT_LIMIT = 16 << 20  # bytes of a command's output the runner keeps at most (each stream); past it the command stops
MULTILINE = frozenset({"detail"})  # the fields whose newlines are the server's content, by contract
SHOWN = frozenset({"detail"})  # of those, the ones that are only ever shown: kept behind the gutter (block)

# C0 but \t \n, DEL, C1; ALM, LRM, RLM; LRE RLE PDF LRO RLO; LRI RLI FSI PDI; LS, PS; BOM; lone surrogates (a name
# that is not UTF-8, decoded with surrogateescape: printed, each goes out as its raw byte -- 0x9b is an 8-bit CSI)
_UNSAFE = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
           "\ud800-\udfff")
_IN_TEXT = re.compile(f"[{_UNSAFE}]")
_IN_LINE = re.compile(f"[{_UNSAFE}\n]")


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    if ch == "\n":
        return "\\n"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


CUT = re.compile(r"\.\.\. \(\d+ more characters cut\)")  # what :func:`_cut` appends (redaction looks for it)


def _cut(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    return s[:limit] + f"... ({len(s) - limit} more characters cut)"


def line(value: Any, limit: int = LINE_LIMIT) -> str:
    """``value`` as one safe line: controls (newline included) escaped, at most ``limit`` characters."""
    s = value if isinstance(value, str) else str(value)
    if len(s) <= limit and not _IN_LINE.search(s):  # (nearly every string: nothing to escape or cut)
        return s
    return _cut(_IN_LINE.sub(_escape, s.replace("\r\n", "\n")), limit)


def text(value: Any, limit: int = TEXT_LIMIT) -> str:
    """``value`` as safe multi-line text: newlines kept (``\\r\\n`` made ``\\n``), other controls escaped, cut to
    ``limit`` characters."""
    s = value if isinstance(value, str) else str(value)
    return _cut(_IN_TEXT.sub(_escape, s.replace("\r\n", "\n")), limit)


GUTTER = "  | "  # how every line of multi-line server text starts where it is shown


def block(value: Any, limit: int = TEXT_LIMIT) -> str:
    """Multi-line server text as it is shown (a report's section, an error's detail, a config quoted in a
    check's message): made safe like :func:`text`, and every line behind :data:`GUTTER`, so no line of it can
    pass for a line of deploytests' own output (``FAILED ...``, ``[web-1] deploy ok``) or of pytest's."""
    return "\n".join(GUTTER + ln for ln in text(value, limit).split("\n"))


def data(obj: Any, *, multiline: frozenset[str] = MULTILINE, _key: str = "") -> Any:
    """A decoded JSON value with every string (dict keys too) made safe: one line each, except the values of
    the keys in ``multiline`` (multi-line text; an error's ``detail``, only ever shown, behind the gutter of
    :func:`block`). Numbers, booleans and None pass as they are."""
    if isinstance(obj, str):
        return (block(obj) if obj and _key in SHOWN else text(obj)) if _key in multiline else line(obj)
    if isinstance(obj, dict):
        return {line(k): data(v, multiline=multiline, _key=k if isinstance(k, str) else "") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [data(v, multiline=multiline) for v in obj]
    return obj
