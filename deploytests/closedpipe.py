"""Output to a pipe its reader closed (``deploytests init | head``, ``fab target staging status | head -1``).

The reader going away never changes what a command does: a deploy goes on, init writes every file; the output
nobody reads is dropped. Python ignores SIGPIPE, so a write to the closed pipe raises ``BrokenPipeError``; raised
from a print it would end the command halfway (a traceback), or kill a host's thread in the middle of a rollout.
The front-ends (``deploytests``, every ``fab`` task) wrap ``sys.stdout`` and ``sys.stderr`` once: the first write
that finds the pipe closed points the stream's descriptor at ``/dev/null`` (so the interpreter's own flush at
exit cannot fail either), and every later write goes there.
"""

from __future__ import annotations

import contextlib
import os
import sys


class ClosedPipeTolerant:
    """``stream``, but a closed pipe under it swallows the output instead of raising."""

    def __init__(self, stream):
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.reader_gone = True
        with contextlib.suppress(OSError, ValueError):  # a stream without a descriptor: nothing to redirect
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def tolerate_closed_pipes() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once) in :class:`ClosedPipeTolerant`."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, ClosedPipeTolerant):
            setattr(sys, name, ClosedPipeTolerant(stream))
