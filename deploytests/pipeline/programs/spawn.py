"""The one way the agent and the release check start a command for the app: :func:`run`.

Every command the deploy runs on the app's behalf -- the release check (the app's import and health GET, as the
app user), each ``post_deploy`` command (``sh -c``, inside the release check), the venv and its installer -- goes
through :func:`run`, which:

- starts it in a session (and process group) of its own, stdin ``/dev/null``, stdout and stderr to a pipe this
  process reads: never the deploy's SSH channel, so nothing the command leaves behind can hold the deploy open;
- waits for the *process*, not for the end of its output: a background job that keeps the pipe open (``sleep 45
  &``, ``nohup x &``, a daemon, a command that closes its stdout and carries on) cannot stall the wait;
- bounds the wait: past ``timeout`` seconds the whole process group gets SIGTERM, then SIGKILL, and the result
  says so (``timed_out``);
- then sweeps what the command left running: every process still in its session, and every orphan reparented to
  this process (the agent and the release check make themselves *child subreapers*: a double-forked ``setsid``
  daemon lands there, not at init). Each one is named (pid and command line), sent SIGTERM, then SIGKILL, and
  reported with what was done
  (``killed``, or ``left`` when this user may not signal it). A daemon that must outlive the deploy belongs to the
  system's service manager, not to ``post_deploy``.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests (it is bundled into
the agent and into the release check's program, see :mod:`deploytests.pipeline.bundle`).
"""

import os
import select
import signal
import subprocess
import time

GRACE = 2.0  # seconds between SIGTERM and SIGKILL
KEEP = 64 * 1024  # bytes of output kept (the tail)
PR_SET_CHILD_SUBREAPER = 36


class Finished:
    """What :func:`run` saw: ``code`` (negative: killed by that signal), ``output`` (the tail, text),
    ``timed_out``, ``leftovers`` (``[(pid, command line, "killed" | "left")]``)."""

    def __init__(self, code, output, timed_out, leftovers):
        self.code, self.output, self.timed_out, self.leftovers = code, output, timed_out, leftovers

    def leftover_line(self):
        """One line naming what the command left running and what was done, or ""."""
        return leftover_line(self.leftovers)


def leftover_line(leftovers):
    """``[(pid, command line, fate), ...]`` as one line for the deploy's output, or "" when there are none."""
    if not leftovers:
        return ""
    named = ", ".join("%s %s (%s)" % tuple(item) for item in leftovers)
    return "left running after it ended: %s (a daemon belongs to the service manager, not post_deploy)" % named


def subreaper():
    """Make this process the child subreaper of its descendants (Linux >= 3.4): orphans are reparented here,
    so :func:`sweep` finds them even when they left the command's session. False where that is not possible."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError, ImportError):
        return False


def stat(pid):
    """``(ppid, pgid, sid, start)`` of ``pid`` from ``/proc`` (``start``: when it started, in clock ticks since
    boot), or None when it is gone (or a zombie: it has ended)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rpartition(b")")[2].split()
        if fields[0] in (b"Z", b"X"):
            reap([pid])
            return None
        return int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def cmdline(pid, limit=200):
    """The command line of ``pid``, printable and at most ``limit`` characters (it is the app's data)."""
    for _ in range(5):  # empty while the kernel swaps its memory in execve: read again a moment later
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                raw = f.read(4096)
        except OSError:
            return "?"
        text = raw.rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", "replace")
        if text:
            break
        time.sleep(0.01)
    if not text:  # still empty (a zombie, a kernel thread): the name the kernel has for it
        try:
            with open("/proc/%d/comm" % pid, "rb") as f:
                text = "[%s]" % f.read(64).strip().decode("utf-8", "replace")
        except OSError:
            return "?"
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def processes():
    """``{pid: (ppid, pgid, sid, start)}`` of every process this one can see."""
    seen = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            info = stat(int(name))
            if info is not None:
                seen[int(name)] = info
    return seen


def ancestors(table, pid):
    """``pid`` and the pids above it (never swept: this process and whoever started it)."""
    chain = set()
    while pid > 1 and pid not in chain:
        chain.add(pid)
        pid = table.get(pid, (0,))[0]
    return chain


def children():
    """The pids whose parent is this process."""
    me = os.getpid()
    return {pid for pid, (ppid, _, _, _) in processes().items() if ppid == me}


OWN = {}  # type: dict  # the caller's children when the first command :func:`run` began: {pid: start}
STARTED = []  # type: list  # whether a command has begun in this process


def earlier(table, pid, me):
    """Whether ``pid``, a child of this process when a command started, is the caller's own rather than what an
    earlier command left (a stray that escaped every look of that command's sweep lands here later, and was once
    spared as "a child from before" by every later sweep). What tells them apart: every descendant of a command
    :func:`run` started is outside this process's session (each command gets a new one, and a session is only
    inherited or made new) and was not a child of this process when the first such command began; a child of the
    caller's own is in its session, or was one of those children (the same pid and start: an exact record, where
    a start time compared with a clock is not, at the kernel's tick)."""
    info = table.get(pid)
    return info is not None and (info[2] == table.get(me, (0, 0, 0, 0))[2] or not STARTED
                                 or OWN.get(pid) == info[3])


def strays(sessions, before=()):
    """Processes left by a command: in one of ``sessions``, or orphans reparented to this process since then
    (not in ``before``, its children when the command started, unless :func:`earlier` says an earlier command
    left it), and what is in those orphans' sessions. Never this process or its ancestors."""
    table, me = processes(), os.getpid()
    spared = ancestors(table, me) | {p for p in before if earlier(table, p, me)}
    orphans = {pid for pid, (ppid, _, _, _) in table.items() if ppid == me and pid not in spared}
    sessions = set(sessions) | {table[pid][2] for pid in orphans}
    sessions -= {table[p][2] for p in spared if p in table}
    return sorted(pid for pid, (_, _, sid, _) in table.items()
                  if pid not in spared and (sid in sessions or pid in orphans))


def reap(pids):
    """Collect the exit status of those of ``pids`` that are (now) our children and have ended."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def sweep(sessions, before=(), grace=GRACE, rounds=4, settle=0.02):
    """SIGTERM, then SIGKILL, everything :func:`strays` finds; ``[(pid, cmdline, "killed" | "left")]``. Nothing
    found is believed only when a second look ``settle`` seconds later finds nothing either: one look lists
    ``/proc`` and then reads each entry, so a process that forks and exits in between is in neither (``sh -c
    'sleep 3603 & exit 0'``: the shell gone when read, its child born after the listing), and its orphan, which
    lands here a moment later, was left running (a later command's sweep then spared it as this one's child)."""
    found = {}

    def look():
        return [p for p in strays(sessions, before) if found.get(p, ("", ""))[1] != "left"]

    for attempt in range(rounds):
        pids = look()
        if not pids:
            time.sleep(settle)
            pids = look()
        if not pids:
            break
        for pid in pids:
            if pid not in found:
                found[pid] = (cmdline(pid), "killed")
            try:
                os.kill(pid, signal.SIGTERM if attempt == 0 else signal.SIGKILL)
            except ProcessLookupError:
                pass
            except PermissionError:  # another user's process (sudo's child): say so, do not pretend
                found[pid] = (found[pid][0], "left")
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            reap(pids)
            if not any(stat(p) is not None for p in pids if found[p][1] != "left"):
                break
            time.sleep(0.02)
    return [(pid, cmd, fate) for pid, (cmd, fate) in sorted(found.items())]


def stop_group(proc, grace=GRACE):
    """SIGTERM the process group of ``proc`` (it leads its own session), SIGKILL after ``grace``; reaped."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            if sig == signal.SIGKILL:
                proc.kill()  # sudo as the leader: the group's other members may be another user's
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def run(argv, timeout, env=None, cwd=None, on_line=None):
    """Run ``argv`` as described in this module's docstring; ``on_line(text)`` is called for each line of output
    as it comes. Returns a :class:`Finished`. An exception while waiting (Ctrl-C, SIGTERM turned into one) stops
    the command's group and sweeps before it propagates. Orphans are found only where the process called
    :func:`subreaper` (the agent and the release check do, as their first act)."""
    before = children()
    if not STARTED:
        STARTED.append(True)
        OWN.update((pid, info[3]) for pid in before for info in [stat(pid)] if info is not None)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, cwd=cwd, start_new_session=True)
    assert proc.stdout is not None  # stdout=PIPE
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    out, partial, timed_out, done = bytearray(), [b""], False, False
    deadline = time.monotonic() + timeout

    def take(reads=64):
        for _ in range(reads):  # bounded: a stray that writes without end cannot keep us here
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return True
            if not chunk:
                return False  # every writer closed it
            out.extend(chunk)
            del out[:-KEEP]
            lines = (partial[0] + chunk).split(b"\n")
            partial[0] = lines.pop()
            for line in lines:
                if on_line is not None:
                    on_line(line.decode("utf-8", "replace"))
        return True

    try:
        open_pipe = True
        while proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                stop_group(proc)
                break
            if open_pipe:
                if select.select([fd], [], [], min(left, 0.2))[0]:
                    open_pipe = take()
            else:
                try:
                    proc.wait(timeout=min(left, 0.2))
                except subprocess.TimeoutExpired:
                    pass
        take()
        done = True
    finally:
        if not done:
            stop_group(proc)
        proc.stdout.close()
        leftovers = sweep({proc.pid}, before)
    if partial[0] and on_line is not None:
        on_line(partial[0].decode("utf-8", "replace"))
    return Finished(proc.returncode, out.decode("utf-8", "replace"), timed_out, leftovers)


def env_lines(text):
    """The ``NAME=value`` pairs of an env file (deploy.toml's ``config_as_env``: the config file as the app's
    environment, the twelve-factor way): blank lines and ``#`` lines skipped, an ``export`` before a name
    allowed, one pair of matching quotes around a value taken off; nothing expanded. A line of another form
    raises ``ValueError`` naming its number only (the file holds secrets). The runner checks the file with it
    before the upload; the release check, ``fab run`` and ``application.wsgi`` (which embeds this function's
    source) read it with it on the server."""
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, eq, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not name.isascii() or not name.replace("_", "a").isalnum() or name[0].isdigit():
            raise ValueError("line %d is not NAME=value" % number)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        pairs.append((name, value))
    return pairs


def load_env_file(path, keep):
    """Set the pairs of the env file at ``path`` in ``os.environ``, but none named in ``keep`` (what deploytests
    sets: PATH, HOME, the config env var) nor a loader variable (``LD_*``, ``PYTHON*``): the runner refused those
    before the upload; this is the server's own guard."""
    with open(path, encoding="utf-8") as f:
        pairs = env_lines(f.read())
    os.environ.update({k: v for k, v in pairs
                       if k not in keep and not k.startswith("LD_") and not k.startswith("PYTHON")})
