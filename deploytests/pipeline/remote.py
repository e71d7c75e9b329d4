"""Running the agent on a server: one SSH channel per step, its source and payload on stdin, events back.

:func:`call_agent` is the only way the pipeline does remote work. It opens one exec channel on the connection's
transport (no SFTP, no temp files), writes ``agent.py``'s source followed by the binary payload (artifact or
config) to the channel's stdin from a thread, and reads ``@@DT {json}`` event lines from stdout as they arrive,
handing ``step`` events to a progress callback live. Invoke's ``in_stream`` is not used because it decodes
what it forwards as text, which would corrupt a binary artifact.

Every wait is bounded. The connection's watchdog (:class:`deploytests.ssh.Watchdog`) closes it when the host
answers nothing for the host timeout (frozen, unplugged); an agent that prints nothing for ``step_timeout``
seconds while its host still answers is stopped too. Either way, and when the host drops the connection, the
error is one line naming the host, what happened and the step in progress (the step after the last one the
agent reported): ``docker://web-2: no answer for 30 s during step install``.
"""

from __future__ import annotations

import hashlib
import json
import select
import shlex
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import untrusted
from ..errors import CommandFailed, ConnectError, DeployError, tail
from . import agent
from .bundle import module_source, program
from .contract import Message

STEP_TIMEOUT = 900.0  # an agent step silent for 15 minutes while its host answers is stuck (apt is slower)
OUTPUT_LIMIT = untrusted.OUTPUT_LIMIT  # bytes of a program's stdout kept at most (events are read as they come, too)
POLL = 0.5
GRACE = 2.0  # seconds output is still read after the command's exit status came (a child may keep it open)
# the steps each command reports, in order (optional ones are skipped when the args say they do not run)
STEPS = {
    "deploy": ("lock", "upload", "unpack", "install", "import", "post_deploy", "preflight", "switch", "gate",
               "prune"),
    "rollback": ("lock", "switch", "gate"),
    "bootstrap": ("packages", "users", "tree", "apache"),
}

# The programs sent to servers: each agent bundled with the modules it imports (bundle.py)
AGENT_SOURCE = program("deploytests.pipeline.agent", "deploytests.pipeline.contract", "deploytests.pipeline.programs",
                       "deploytests.pipeline.programs.preflight", "deploytests.pipeline.programs.install_wheels",
                       "deploytests.pipeline.programs.spawn", "deploytests.pipeline.programs.bootloader",
                       "deploytests.pipeline.programs.app_command")
# bootstrap: what runs as root is its own program, one self-contained file, sent as it is
ROOT_AGENT_SOURCE = module_source("deploytests.pipeline.agent_root").encode("utf-8")
BOOT = "import sys;exec(compile(sys.stdin.buffer.read({n}),'deploytests-agent','exec'))"

Progress = Callable[[str, str, float, str], None]


def label_of(c) -> str:
    """How a connection is named in messages: its ``label`` (PinnedConnection) or ``user@host:port``."""
    return getattr(c, "label", "") or f"ssh://{c.user}@{c.host}:{c.port}"


def agent_command(command: str, args: Message | dict, *, python: str = "python3", sudo: bool = False,
                  source: bytes | None = None) -> str:
    """The remote command line: ``[sudo -n] python3 -I -S -c BOOT <command> '<json args>'`` (no secrets in
    args); ``args`` one of the contract's messages (``contract.DeployArgs`` & co.). Isolated mode (``-I``): the
    agent loads nothing from the current directory, ``PYTHON*`` variables or the login's user site -- places
    someone else may have written (a ``json.py`` in the directory a session starts in ran inside the agent);
    ``-S``: nor the ``.pth`` files and ``sitecustomize`` of the system's site dirs (``/usr/local/lib/pythonX.Y``
    is one an admin may open to a group: a ``.pth`` there is code every plain ``python3`` runs, root's too). It
    needs none of them (its modules are bundled, sent on stdin)."""
    boot = BOOT.format(n=len(AGENT_SOURCE if source is None else source))
    data = args.to_dict() if isinstance(args, Message) else args
    argv = [python, "-I", "-S", "-c", boot, command, json.dumps(data, sort_keys=True)]
    prefix = "sudo -n " if sudo else ""
    return prefix + " ".join(shlex.quote(a) for a in argv)


def parse_event(line: str) -> dict | None:
    """The event dict of an ``@@DT {json}`` line, or None for any other output line (or a line that is not a
    JSON object). What the server sent is data: every string of the event is made safe for a terminal and a
    report here, once (:func:`deploytests.untrusted.data`: controls escaped, one line except an error's
    ``detail``, bounded), so a ``RELEASE.json`` the deploy login wrote reaches no terminal raw."""
    if not line.startswith(agent.EVENT):
        return None
    try:  # (nested past agent.JSON_DEPTH: not an event; every walk of it after, untrusted.data's too, recurses)
        event = json.loads(line[len(agent.EVENT):])
    except (ValueError, RecursionError):
        return None
    return untrusted.data(event) if isinstance(event, dict) and isinstance(event.get("event"), str) and not \
        agent.nested_deeper(event, agent.JSON_DEPTH) else None


@dataclass
class ChannelResult:
    exited: int
    stdout: str
    stderr: str
    events: list[dict] = field(default_factory=list)


@dataclass
class Stalled(Exception):
    """The agent printed nothing for ``seconds`` while its host still answered."""

    seconds: float
    result: ChannelResult


@dataclass
class Overdue(Exception):
    """The command's output went on past the ``deadline`` given to :func:`exec_stream`."""

    seconds: float
    result: ChannelResult


def exec_stream(c, command: str, stdin: Sequence[bytes | Path | Resumable | Confirm],
                on_event: Callable[[dict], None] | None = None, *, step_timeout: float = STEP_TIMEOUT,
                clock: Callable[[], float] = time.monotonic, limit: int = OUTPUT_LIMIT,
                on_output: Callable[[str], None] | None = None, deadline: float | None = None) -> ChannelResult:
    """Run ``command`` on one channel, feeding the ``stdin`` parts (bytes, or files streamed in 1 MiB chunks:
    an artifact is never held in memory once per host) from a thread; call ``on_event`` per event line.

    Reads poll every 0.5 s: a channel closed under us (the watchdog closed a frozen host's connection, the host
    went away) ends the loop at once; ``step_timeout`` seconds without any output closes the channel and raises
    :class:`Stalled`. More than ``limit`` bytes of output close the channel: what was read is the result (a
    server cannot fill the runner's memory). The output's text (``stdout``, ``stderr``) has its control
    characters escaped (:func:`deploytests.untrusted.text`); events are made safe by :func:`parse_event`.
    Once the command's exit status came, output is read :data:`GRACE` seconds more at most (a process it left
    may hold its output open and write now and then); past ``deadline`` seconds in all the channel is closed and
    :class:`Overdue` raised."""
    from ..ssh import session

    c.open()
    chan = session(c)  # (its request to run ``command`` answered within the connection's bound)
    chan.exec_command(command)
    writer = threading.Thread(target=_feed, args=(chan, stdin), daemon=True)
    writer.start()
    err: list[bytes] = []
    out, events, pending = [], [], []  # (pending: the pieces of the line not ended yet)
    last, received, begun, exited_at = clock(), 0, clock(), None

    def take(line_bytes: bytes):
        line = line_bytes.decode("utf-8", "replace")
        out.append(line)
        event = parse_event(line)
        if event is not None:
            events.append(event)
            if on_event:
                on_event(event)
        elif on_output:  # any other line (a one-off command's output), as it comes: made safe like every
            on_output(untrusted.line(line))  # other text from the server (no escapes, no CR, bounded)

    while True:
        now = clock()
        if deadline is not None and now - begun >= deadline:
            chan.close()
            raise Overdue(deadline, ChannelResult(-1, untrusted.text("\n".join(out), limit),
                                                  untrusted.text(_text(err), limit), events))
        if exited_at is None and chan.exit_status_ready():
            exited_at = now
        if exited_at is not None and now - exited_at >= GRACE and not chan.recv_ready():
            break  # what the command wrote before it exited came before its exit status
        if not _readable(chan, POLL):  # never a channel timeout: it would cut the writer's sendall short too
            _drain_stderr(chan, err)
            if clock() - last >= step_timeout:
                chan.close()
                raise Stalled(step_timeout, ChannelResult(-1, untrusted.text("\n".join(out), limit),
                                                          untrusted.text(_text(err), limit), events)) from None
            continue
        data = chan.recv(1 << 16)
        if not data:
            break
        last = clock()
        received += len(data)
        if received > limit:  # the program goes on sending: stop reading it, the result has no exit status
            chan.close()
            break
        head, end, tail = data.rpartition(b"\n")  # (a probe's reply is one line of ~0.5 MB: its pieces joined once,
        if not end:  # not the whole of it copied and split again at each piece that came)
            pending.append(data)
            continue
        for line in b"".join(pending + [head]).split(b"\n"):
            take(line)
        pending = [tail]
    if b"".join(pending):
        take(b"".join(pending))
    exited = chan.recv_exit_status() if chan.exit_status_ready() or (
        getattr(c, "lost", None) is None and received <= limit) else -1
    _drain_stderr(chan, err)
    writer.join(5)
    chan.close()
    stdout = untrusted.text("\n".join(out), limit)
    if received > limit:
        stdout += f"\n(output cut: more than {limit} bytes)"
    return ChannelResult(exited, stdout, untrusted.text(_text(err), limit), events)


def _readable(chan, timeout: float) -> bool:
    """Wait up to ``timeout`` for output (or EOF) on ``chan``; True when ``recv`` will not block."""
    if chan.recv_ready() or chan.closed or chan.eof_received:
        return True
    return bool(select.select([chan], [], [], timeout)[0])


def _drain_stderr(chan, err: list[bytes], limit: int = OUTPUT_LIMIT) -> None:
    while chan.recv_stderr_ready() and sum(map(len, err)) < limit:
        err.append(chan.recv_stderr(1 << 16))


def _text(parts: list[bytes]) -> str:
    return b"".join(parts).decode("utf-8", "replace")


def step_in_progress(command: str, args: dict, done: Sequence[str]) -> str:
    """The step a command was in when it went silent: the one after the last step it reported (pure)."""
    order = [s for s in STEPS.get(command, ()) if s != "post_deploy" or args.get("post_deploy", True)]
    reported = [s for s in done if s in order]
    if not order:
        return command
    if not reported:
        return order[0]
    index = order.index(reported[-1]) + 1
    return order[index] if index < len(order) else order[-1]


@dataclass
class Resumable:
    """A file (the artifact) sent from where the server's kept copy of it ends. The agent offers, in an
    ``upload`` event, how many bytes of it it kept from a cut upload and their sha256; the runner hashes its own
    file up to there and answers (one line) the offset it sends from: that one when the hashes match, else 0 (a
    damaged copy is sent again whole). The agent checks the whole file's sha256 against the runner's at the end."""

    path: Path
    offer: dict | None = None
    sent_from: int = 0  # the offset the runner sent from (the bytes it skipped)
    ready: threading.Event = field(default_factory=threading.Event)

    def take(self, event: dict) -> None:
        """The reading side's events: the agent's offer releases the writer; so does its ask for the switch
        without one (a deploy finishing a switch an earlier one made needs no artifact): nothing is sent then."""
        if event.get("event") in ("upload", "ready") and not self.ready.is_set():
            self.offer = event if event["event"] == "upload" else None
            self.ready.set()

    def offset(self) -> int:
        """Where to send from (pure on the offer and the file): the offered offset when this file's bytes up to
        there hash to the offered sha256, else 0. The offer is the server's: anything else is 0."""
        offer = self.offer or {}
        n, prefix = offer.get("offset"), offer.get("prefix_sha256")
        if type(n) is not int or not isinstance(prefix, str) or not 0 < n <= self.path.stat().st_size:
            return 0
        digest, left = hashlib.sha256(), n
        with self.path.open("rb") as f:
            while left and (chunk := f.read(min(left, 1 << 20))):
                digest.update(chunk)
                left -= len(chunk)
        return n if not left and digest.hexdigest() == prefix else 0

    def send(self, chan) -> None:
        """Wait for the offer while the channel lives (the reading side bounds it: a silent agent is closed
        after its step timeout, a lost host by the connection's watchdog), then answer and send the rest."""
        while not self.ready.wait(0.05):
            if chan.closed or chan.exit_status_ready():  # the agent ended without asking (no-op deploy, refusal)
                return
        if self.offer is None:  # it asked for its switch instead: the parts after this one go on
            return
        self.sent_from = self.offset()
        chan.sendall(b"%d\n" % self.sent_from)
        with self.path.open("rb") as f:
            f.seek(self.sent_from)
            while chunk := f.read(1 << 20):
                chan.sendall(chunk)


@dataclass
class Confirm:
    """The runner's go for the agent's switch (:func:`.agent.runner_confirms`): sent once the agent's ``ready``
    event came, and only while this runner still follows the host: its channel open and the connection not
    declared lost. A runner that left, or a host it lost, gets no go, and nothing goes live there unseen."""

    conn: object = None
    ready: threading.Event = field(default_factory=threading.Event)

    def take(self, event: dict) -> None:
        if event.get("event") == "ready":
            self.ready.set()

    def send(self, chan) -> None:
        while not self.ready.wait(0.05):
            if chan.closed or chan.exit_status_ready():  # the agent ended without asking (refused, no-op)
                return
        if not chan.closed and getattr(self.conn, "lost", None) is None:
            chan.sendall(b"go\n")


def _feed(chan, parts: Sequence[bytes | Path | Resumable | Confirm]) -> None:
    """Write the parts to the channel's stdin, then EOF.

    A remote that exits early (no-op deploy) is fine, and so is a connection that dies under the upload: paramiko
    then raises ``EOFError`` or ``SSHException`` (a closed socket: ``OSError``) here, while the reading side, which
    owns the outcome, reports the lost host with the step it was in. Nothing may escape this thread."""
    from paramiko import SSHException  # loaded already: there is a channel

    try:
        for part in parts:
            if isinstance(part, (Resumable, Confirm)):
                part.send(chan)
            elif isinstance(part, Path):
                with part.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        chan.sendall(chunk)
            else:
                chan.sendall(part)
        chan.shutdown_write()
    except (OSError, EOFError, SSHException):
        pass


def call_agent(c, command: str, args: Message | dict, *,
               payload: bytes | Path | Resumable | Sequence[bytes | Path | Resumable] = b"",
               sudo: bool = False, python: str = "python3", step: str = "", progress: Progress | None = None,
               source: bytes | None = None, step_timeout: float = STEP_TIMEOUT,
               clock: Callable[[], float] = time.monotonic, on_output: Callable[[str], None] | None = None) -> dict:
    """Run one agent command on ``c`` and return its ``result`` event.

    An ``error`` event becomes a :class:`DeployError` naming the host, the step and the agent's hint; a host
    that stopped answering, went away or whose agent made no progress for ``step_timeout`` seconds a
    one-line :class:`ConnectError` naming the step in progress; any other failure (no python3, sudo
    refused) a :class:`CommandFailed` with the output tail. ``step`` events go to
    ``progress(host, step, seconds, message)``. ``source`` is the program to run (default ``agent.py``;
    ``ROOT_AGENT_SOURCE`` for what runs as root); ``payload`` one part or a sequence of parts sent after it.
    """
    host = label_of(c)
    args = args.to_dict() if isinstance(args, Message) else args  # plain data from here on (the wire's)

    parts = tuple(payload) if isinstance(payload, (list, tuple)) else (payload,)
    if command == "deploy":  # a file goes only when the agent asks for it: nothing unasked precedes the switch's go
        parts = tuple(Resumable(p) if isinstance(p, Path) else p for p in parts)
    resumable = [p for p in parts if isinstance(p, Resumable)]
    if resumable:  # the agent offers what it kept and reads where to send from (the payload decides, not the caller)
        args = dict(args, resume=True)
    answers: list[Resumable | Confirm] = list(resumable)
    if command in ("deploy", "rollback"):  # the switch waits for this runner's go, at most the host timeout
        from ..ssh import host_timeout

        answers.append(Confirm(c))
        parts += (answers[-1],)
        args = dict(args, confirm_timeout=getattr(c, "timeout", None) or host_timeout())

    def on_event(event):
        for part in answers:
            part.take(event)
        if event["event"] == "step" and progress:
            progress(host, event["step"], event.get("seconds", 0.0), event.get("message", ""))

    source = AGENT_SOURCE if source is None else source
    line = agent_command(command, args, python=python, sudo=sudo, source=source)
    try:
        res = exec_stream(c, line, (source, *parts), on_event, step_timeout=step_timeout, clock=clock,
                          on_output=on_output)
    except Stalled as stalled:
        raise ConnectError(f"no progress for {stalled.seconds:g} s during step "
                           f"{_current(command, args, stalled.result)}", where=host,
                           hint="the agent is stuck on the server; look at its processes there") from None
    final = next((e for e in reversed(res.events) if e["event"] in ("result", "error")), None)
    if final and final["event"] == "result":
        return final
    if final:
        raise DeployError(f"{step or command} failed at {final.get('step') or command}: {final['what']}",
                          where=host, hint=final.get("hint", ""), detail=final.get("detail", ""),
                          live=final.get("live"), serving=final.get("serving"),
                          post_deploy_ran=bool(final.get("post_deploy_ran")),
                          nothing_live=bool(final.get("nothing_live")))
    lost = getattr(c, "lost", None)
    if lost:
        raise ConnectError(f"{lost} during step {_current(command, args, res)}", where=host,
                           hint="the host is frozen or unreachable; the other hosts went on") from None
    transport = getattr(c, "transport", None)
    gone = transport is None or not transport.is_active()
    if res.exited == -1 and gone:  # no exit status and the connection is down: sshd or the host went away
        raise ConnectError(f"connection lost during step {_current(command, args, res)} (the SSH connection "
                           "closed without the agent's result)", where=host,
                           hint="the host went down or sshd was stopped; check it and run again") from None
    shown = f"{'sudo -n ' if sudo else ''}{python} -I -S -c <deploytests agent> {command}"
    output = "\n".join(line for line in res.stdout.splitlines() if parse_event(line) is None)  # no protocol text
    during = f" during step {_current(command, args, res)}" if res.events else ""
    raise CommandFailed(host, shown, res.exited, tail(output), tail(res.stderr),
                        what=f"{step or command}: the agent did not finish{during}",
                        hint=_hint_for(res.stderr, sudo, python) or (
                            "the agent was killed or its session ended on the server" if res.exited == -1 else ""))


def _current(command: str, args: dict, res: ChannelResult) -> str:
    return step_in_progress(command, args, [e.get("step", "") for e in res.events if e.get("event") == "step"])


def _hint_for(stderr: str, sudo: bool, python: str) -> str:
    if sudo and "password is required" in stderr:
        return "this login needs passwordless sudo for bootstrap"
    if "not found" in stderr:
        return f"is {python} installed on the server?"
    return ""

