"""The one runner of the agent's commands for the app (``programs/spawn.py``), on this machine: what a command
leaves running is named and killed, and nothing it leaves can hold the wait (the class: a child that outlives its
command and keeps the deploy's output open). The members: a plain background job, ``nohup``, a double-forked
``setsid`` daemon, a command that closes its output and carries on (bounded by the timeout).

Each case runs in a child Python that makes itself the subreaper first, as the agent and the release check do
(never this pytest process: it would adopt every orphan of the session).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploytests.pipeline.programs import spawn

DRIVER = """
import json, sys
sys.path.insert(0, %r)
from deploytests.pipeline.programs import spawn
spawn.subreaper()
done = spawn.run(["sh", "-c", sys.argv[1]], float(sys.argv[2]))
print(json.dumps({"code": done.code, "output": done.output, "timed_out": done.timed_out,
                  "leftovers": done.leftovers, "line": done.leftover_line()}))
""" % str(Path(spawn.__file__).parents[3])

DAEMON = ("python3 -c 'import os, time\nif os.fork() == 0:\n os.setsid()\n if os.fork() == 0: time.sleep(%s)\n"
          " os._exit(0)'")


# each sleep's length names this process (other runs on the machine, a CI clone's, run the same tests at once)
ID = os.getpid()


def running(marker: str) -> list[str]:
    """Command lines of this machine's processes that contain ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmd and "sh -c" not in cmd and "DRIVER" not in cmd:
            found.append(cmd)
    return found


def drive(command: str, timeout: float = 60) -> dict:
    out = subprocess.run([sys.executable, "-c", DRIVER, command, str(timeout)], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=120, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("command, marker, comm", [
    (f"echo hi; sleep {ID}.1 &", f"sleep {ID}.1", "[sleep]"),
    (f"nohup sleep {ID}.2 >/dev/null 2>&1 &", f"sleep {ID}.2", "[sleep]"),
    (DAEMON % f"{ID}.3", f"time.sleep({ID}.3)", "[python3]"),
], ids=["background", "nohup", "setsid-daemon"])
def test_what_a_command_leaves_running_is_named_and_killed(command, marker, comm):
    """Named by its command line (or, read in the instant its execve swaps its memory, by the kernel's name for
    it, ``comm``), killed, and gone."""
    done = drive(command)
    assert done["code"] == 0 and not done["timed_out"]
    assert any((marker in cmd or cmd == comm) and fate == "killed" for _, cmd, fate in done["leftovers"]), done
    assert done["line"].startswith("left running after it ended: ") and "(killed)" in done["line"]
    assert running(marker.split("(")[-1].rstrip(")")) == []


def test_a_command_that_closes_its_output_and_carries_on_is_bounded_and_its_group_killed():
    # (the bound leaves the shell time to start and echo on a loaded machine: at 1 s, at load 20, it once had not)
    done = drive(f"echo before; exec >&- 2>&-; sleep {ID}.4", timeout=5)
    assert done["timed_out"] and done["code"] < 0 and done["output"] == "before\n"
    assert running(f"sleep {ID}.4") == []


def test_output_is_read_as_it_comes_and_a_clean_command_leaves_nothing():
    lines = []
    done = spawn.run(["sh", "-c", "echo one; echo two >&2; printf three"], 60, on_line=lines.append)
    assert (done.code, done.timed_out, done.leftovers, done.leftover_line()) == (0, False, [], "")
    assert sorted(lines) == ["one", "three", "two"] and sorted(done.output.split()) == ["one", "three", "two"]


def test_nothing_found_is_believed_only_after_a_second_look(monkeypatch):
    """Class: one look at a changing process tree taken for the whole of it. A look lists /proc, then reads each
    entry: a process that forks and exits in between is in neither (CI: ``setsid sh -c 'sleep 3603 & exit 0' &``
    in post_deploy, the sleep not named, then spared by the next command's sweep as a child from before). The
    sweep looks again before it believes nothing is left; what the second look finds is named and killed."""
    child = subprocess.Popen(["sleep", "30"])
    looks = []

    def strays(sessions, before=()):
        looks.append(1)
        return [] if len(looks) == 1 or child.poll() is not None else [child.pid]  # the first look misses it

    monkeypatch.setattr(spawn, "strays", strays)
    try:
        found = spawn.sweep({child.pid}, grace=5)
    finally:
        child.kill()
        child.wait()
    assert found == [(child.pid, "sleep 30", "killed")], found


ESCAPE = """
import json, subprocess, sys
sys.path.insert(0, %r)
from deploytests.pipeline.programs import spawn
spawn.subreaper()
own = subprocess.Popen(["sleep", "%s.7"])  # the caller's own child, from before any command: never a stray
alone = subprocess.Popen(["sleep", "%s.8"], start_new_session=True)  # in a session of its own, from before too
sweep = spawn.sweep
spawn.sweep = lambda *a, **k: []  # the first command's sweep misses what it left (however it escaped)
spawn.run(["sh", "-c", sys.argv[1]], 60)
spawn.sweep = sweep
import time; time.sleep(0.3)  # (the orphan has landed here)
done = spawn.run(["true"], 60)
print(json.dumps({"leftovers": done.leftovers, "own": own.poll(), "alone": alone.poll()}))
own.kill(); alone.kill()
""" % (str(Path(spawn.__file__).parents[3]), ID, ID)


@pytest.mark.parametrize("command", [
    f"sleep {ID}.5 &",
    DAEMON % f"{ID}.6",
], ids=["background", "setsid-daemon"])
def test_a_stray_that_escaped_one_sweep_is_swept_by_the_next_not_spared_as_a_child_from_before(command):
    """Class: a process that escaped every look of one command's sweep (a race, a look that missed it) becomes a
    child of the subreaper, and the next command took every child it found at its start for the caller's own: spared
    forever. The evidence that tells them apart: a command's descendants are never in the caller's session (run()
    starts each command in a new session, and a session is only inherited or made new), and each was born after the
    first command this process ran. The caller's own children from before (in its session, or born before any
    command) are spared; the stray is named and killed by the next command's sweep."""
    out = subprocess.run([sys.executable, "-c", ESCAPE, command], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=120, check=True)
    done = json.loads(out.stdout)
    marker = f"{ID}.5" if "sleep" in command.split()[0] else f"time.sleep({ID}.6)"
    assert any(marker in cmd and fate == "killed" for _, cmd, fate in done["leftovers"]), done
    assert done["own"] is None and done["alone"] is None, done  # (still running: not swept)
    assert running(marker.split("(")[-1].rstrip(")")) == []
