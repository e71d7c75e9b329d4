"""Running the agent on a server: one SSH channel per step, its source and payload on stdin, events back.

:func:`call_agent` is the only way the pipeline does remote work. It opens one exec channel on the connection's
transport (no SFTP, no temp files), writes ``agent.py``'s source followed by the binary payload (artifact or
config) to the channel's stdin from a thread, and reads ``@@DT {json}`` event lines from stdout as they arrive,
handing ``step`` events to a progress callback live. Invoke's ``in_stream`` is not used because it decodes
what it forwards as text, which would corrupt a binary artifact.
"""

from __future__ import annotations

import json
import shlex
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CommandFailed, DeployError, tail
from . import agent
from .bundle import program
from .contract import Message

# The programs sent to servers: each agent bundled with the modules it imports (bundle.py)
AGENT_SOURCE = program("deploytests.pipeline.agent", "deploytests.pipeline.contract", "deploytests.pipeline.programs",
                       "deploytests.pipeline.programs.preflight", "deploytests.pipeline.programs.install_wheels")
# bootstrap: what runs as root is its own program
ROOT_AGENT_SOURCE = program("deploytests.pipeline.agent_root", "deploytests.pipeline.contract")
BOOT = "import sys;exec(compile(sys.stdin.buffer.read({n}),'deploytests-agent','exec'))"

Progress = Callable[[str, str, float, str], None]


def label_of(c) -> str:
    """How a connection is named in messages: its ``label`` (PinnedConnection) or ``user@host:port``."""
    return getattr(c, "label", "") or f"ssh://{c.user}@{c.host}:{c.port}"


def agent_command(command: str, args: Message | dict, *, python: str = "python3", sudo: bool = False,
                  source: bytes = AGENT_SOURCE) -> str:
    """The remote command line: ``[sudo -n] python3 -c BOOT <command> '<json args>'`` (no secrets in args);
    ``args`` one of the contract's messages (``contract.DeployArgs`` & co.)."""
    boot = BOOT.format(n=len(source))
    data = args.to_dict() if isinstance(args, Message) else args
    argv = [python, "-c", boot, command, json.dumps(data, sort_keys=True)]
    prefix = "sudo -n " if sudo else ""
    return prefix + " ".join(shlex.quote(a) for a in argv)


def parse_event(line: str) -> dict | None:
    """The event dict of an ``@@DT {json}`` line, or None for any other output line."""
    if not line.startswith(agent.EVENT):
        return None
    try:
        return json.loads(line[len(agent.EVENT):])
    except ValueError:
        return None


@dataclass
class ChannelResult:
    exited: int
    stdout: str
    stderr: str
    events: list[dict] = field(default_factory=list)


def exec_stream(c, command: str, stdin: Sequence[bytes | Path],
                on_event: Callable[[dict], None] | None = None) -> ChannelResult:
    """Run ``command`` on one channel, feeding the ``stdin`` parts (bytes, or files streamed in 1 MiB chunks:
    an artifact is never held in memory once per host) from a thread; call ``on_event`` per event line."""
    c.open()
    chan = c.transport.open_session()
    chan.exec_command(command)
    writer = threading.Thread(target=_feed, args=(chan, stdin), daemon=True)
    writer.start()
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(chan.makefile_stderr("rb").read()), daemon=True)
    reader.start()
    out, events = [], []
    for raw in chan.makefile("rb"):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        out.append(line)
        event = parse_event(line)
        if event is not None:
            events.append(event)
            if on_event:
                on_event(event)
    exited = chan.recv_exit_status()
    reader.join(5)
    writer.join(5)
    chan.close()
    return ChannelResult(exited, "\n".join(out), b"".join(err).decode("utf-8", "replace"), events)


def _feed(chan, parts: Sequence[bytes | Path]) -> None:
    """Write the parts to the channel's stdin, then EOF. A remote that exits early (no-op deploy) is fine."""
    try:
        for part in parts:
            if isinstance(part, Path):
                with part.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        chan.sendall(chunk)
            else:
                chan.sendall(part)
        chan.shutdown_write()
    except OSError:
        pass


def call_agent(c, command: str, args: Message | dict, *, payload: bytes | Path | Sequence[bytes | Path] = b"",
               sudo: bool = False, python: str = "python3", step: str = "", progress: Progress | None = None,
               source: bytes = AGENT_SOURCE) -> dict:
    """Run one agent command on ``c`` and return its ``result`` event.

    An ``error`` event becomes a :class:`DeployError` naming the host, the step and the agent's hint; any other
    failure (no python3, sudo refused) a :class:`CommandFailed` with the output tail. ``step`` events go to
    ``progress(host, step, seconds, message)``. ``source`` is the program to run (``ROOT_AGENT_SOURCE`` for
    what runs as root); ``payload`` one part or a sequence of parts sent after it on stdin.
    """
    host = label_of(c)

    def on_event(event):
        if event["event"] == "step" and progress:
            progress(host, event["step"], event.get("seconds", 0.0), event.get("message", ""))

    line = agent_command(command, args, python=python, sudo=sudo, source=source)
    parts = tuple(payload) if isinstance(payload, (list, tuple)) else (payload,)
    res = exec_stream(c, line, (source, *parts), on_event)
    final = next((e for e in reversed(res.events) if e["event"] in ("result", "error")), None)
    if final and final["event"] == "result":
        return final
    if final:
        raise DeployError(f"{step or command} failed at {final.get('step') or command}: {final['what']}",
                          where=host, hint=final.get("hint", ""), detail=final.get("detail", ""))
    shown = f"{'sudo -n ' if sudo else ''}{python} -c <deploytests agent> {command}"
    raise CommandFailed(host, shown, res.exited, tail(res.stdout), tail(res.stderr),
                        what=f"{step or command}: the agent did not finish",
                        hint=_hint_for(res.stderr, sudo, python))


def _hint_for(stderr: str, sudo: bool, python: str) -> str:
    if sudo and "password is required" in stderr:
        return "this login needs passwordless sudo for bootstrap"
    if "not found" in stderr:
        return f"is {python} installed on the server?"
    return ""

