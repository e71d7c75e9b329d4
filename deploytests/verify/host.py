"""Host-state checks over an open connection, batched where that keeps messages precise.

Functions take a testinfra ``Host`` (``host.run`` / ``host.check_output``). :func:`stat_paths` stats many
paths in one round trip; :func:`assert_path` then compares one path's facts with what is expected and names
both. :func:`assert_ok` runs a command and, on failure, quotes the command, exit code and output.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..errors import tail
from ..stacks import DEFAULT, Stack


@dataclass(frozen=True)
class PathFacts:
    """What ``stat`` says about one path (``kind``: "directory", "regular file", "symbolic link", "missing")."""

    path: str
    kind: str
    mode: str = ""
    owner: str = ""
    group: str = ""
    target: str = ""

    def describe(self) -> str:
        if not self.mode:
            return f"{self.path}: {self.kind}"
        link = f" -> {self.target}" if self.target else ""
        return f"{self.path}: {self.kind} {self.mode} {self.owner}:{self.group}{link}"


def describe_result(result) -> str:
    """The command, its exit code and the tail of its output (a testinfra CommandResult; the server's text made
    safe for a terminal, :mod:`deploytests.untrusted`)."""
    from ..untrusted import text

    out = text(tail(result.stderr, 10) or tail(result.stdout, 10) or "(no output)", 8000)
    return f"command: {result.command!r}\nexit code: {result.rc}\noutput (tail):\n{out}"


def assert_ok(host, command: str, *args) -> str:
    """Run ``command`` (testinfra %-style args, quoted); fail with its result unless it exits 0. Returns stdout."""
    __tracebackhide__ = True
    result = host.run(command, *args)
    if result.rc != 0:
        raise AssertionError(f"command failed on {host.backend.get_hostname()}\n{describe_result(result)}")
    return result.stdout


def stat_paths(host, paths: list[str]) -> dict[str, PathFacts]:
    """Stat every path in one round trip (``stat`` + ``readlink``, one line each); missing ones say so. A link
    target (the server's text) is made safe for a terminal."""
    from ..untrusted import line as one_line

    script = "; ".join(
        f"if [ -e {q} ] || [ -L {q} ]; then echo \"$(stat -c '%n|%F|%a|%U|%G' {q})|$(readlink {q})\"; "
        f"elif [ -r \"$(dirname {q})\" ] && [ -x \"$(dirname {q})\" ]; then echo {q}'|missing||||'; "
        f"else echo {q}\"|not accessible to $(id -un) (parent directory $(dirname {q}))||||\"; fi"
        for q in map(shlex.quote, paths))
    records: list[str] = []
    for line in host.check_output(script).splitlines():  # one record per path, in order; a link target may hold
        if len(records) < len(paths) and line.startswith(paths[len(records)] + "|"):  # "|" and newlines: data
            records.append(line)
        elif records:
            records[-1] += "\n" + line
    facts = {}
    for record in records:
        path, kind, mode, owner, group, target = record.split("|", 5)
        facts[path] = PathFacts(path, kind, mode.zfill(4) if mode else "", owner, group, one_line(target.strip()))
    return facts


def assert_path(facts: PathFacts, *, kind: str, mode: str | None = None, owner: str | None = None,
                group: str | None = None) -> None:
    """Fail unless ``facts`` match; the message names the expected and the found attributes."""
    __tracebackhide__ = True
    want = PathFacts(facts.path, kind, mode or facts.mode, owner or facts.owner, group or facts.group,
                     facts.target)
    if (facts.kind, facts.mode, facts.owner, facts.group) != (want.kind, want.mode, want.owner, want.group):
        raise AssertionError(f"expected {want.describe()}\n   found {facts.describe()}")


def wsgi_daemons(host, app: str, stack: Stack = DEFAULT) -> list[tuple[str, int]]:
    """``(user, pid)`` of the mod_wsgi daemon processes of ``app``, as ``stack`` names them in ``ps``
    (``display-name=%{GROUP}``: ``(wsgi:<app>)``, truncated by the kernel, see :meth:`Stack.is_daemon_of`)."""
    found = []
    for line in host.check_output("ps -eo user:32,pid,args").splitlines()[1:]:
        user, pid, args = (line.split(None, 2) + ["", ""])[:3]
        word = args.split()[0] if args else ""
        if stack.is_daemon_of(word, app):
            found.append((user, int(pid)))
    return found
