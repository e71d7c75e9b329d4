"""Error types that render themselves.

Every error raised on purpose by deploytests is a :class:`DeployTestsError`. Its ``str()`` is one line that
says what was wrong, where it came from and what to do next (the ``hint``); longer material (command
output, a container log) is kept in ``detail`` and shown by :meth:`DeployTestsError.render` only.
Secrets never go into these messages: callers pass command lines and output that hold no config contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import untrusted
from .untrusted import block
from .words import count


def tail(text: str | bytes | None, lines: int = 15) -> str:
    """The last ``lines`` lines of ``text`` (decoded leniently), for error reports."""
    if not text:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return "\n".join(text.rstrip().splitlines()[-lines:])


_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)')


def why_failed(output: str | bytes | None, base: str | Path | None = None) -> str:
    """One line saying why a command failed, from its output: the last line it wrote, and when that ends a
    Python traceback, where it was raised: the innermost frame in ``base`` (the project), else the innermost one,
    as ``path:line`` (``KeyError: 'SECRET' (mysite/settings.py:24)``). The output itself belongs in the error's
    detail: the one line must say what and where without it."""
    lines = [ln for ln in tail(output, 400).splitlines() if ln.strip()]
    if not lines:
        return "no output"
    last = lines[-1].strip()
    frames = [(m[1], m[2]) for m in map(_FRAME.match, lines) if m]
    if not frames:
        return last[:300]
    root = str(base).rstrip("/") + "/" if base else ""
    frames = [(p[len(root):] if root and p.startswith(root) else p, n) for p, n in frames]
    ours = [f for f in frames if root and not f[0].startswith(("/", "<"))]  # in base (a relative path: its cwd's)
    path, line = (ours or frames)[-1]
    return f"{last[:300]} ({path}:{line})"


class DeployTestsError(Exception):
    """Base error: ``what`` failed, ``where`` (a file, host, option...), ``hint`` (the next step)."""

    def __init__(self, what: str, *, where: str = "", hint: str = "", detail: str = ""):
        # Made safe here, whatever they carry (a server's banner, its os-release, a command's last line): an error
        # is one line, and nothing in it acts on the terminal or the report (:mod:`deploytests.untrusted`)
        self.what, self.where, self.hint = (untrusted.line(str(s), limit=1 << 20) for s in (what, where, hint))
        self.detail = untrusted.text(str(detail), limit=1 << 22)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.hint:
            parts.append(f"Hint: {self.hint}")
        return " ".join(p.rstrip(".") + "." for p in parts)

    def render(self) -> str:
        """The one-line message plus the detail block (command output, logs), for reports. What a server wrote
        in it is behind a gutter from where it entered (:func:`deploytests.untrusted.block`)."""
        return self.one_line() + (f"\n{self.detail}" if self.detail else "")


class ConfigError(DeployTestsError):
    """A bad value in a settings source (file, ini key, env var, command-line option)."""


class EngineUnavailable(DeployTestsError):
    """No Docker engine answers."""


class WaitTimeout(DeployTestsError):
    """A readiness wait passed its deadline."""


class HostKeyError(DeployTestsError):
    """A server's host key is unknown or differs from the pinned one."""


class ConnectError(DeployTestsError):
    """A server could not be reached or refused the login."""


class CommandFailed(DeployTestsError):
    """A remote command exited non-zero. Carries host, command, exit code and the output tail."""

    def __init__(self, host: str, command: str, exited: int, stdout: str = "", stderr: str = "",
                 *, what: str = "", hint: str = ""):
        self.host, self.command, self.exited = host, command, exited
        self.stdout, self.stderr = stdout, stderr
        out = tail(stderr) or tail(stdout)
        first = why_failed(out)
        detail = f"command: {command}\nexit code: {exited}\n--- output (tail) ---\n{block(out)}" if out else ""
        super().__init__(
            f"{what or 'command failed'} (exit {exited}): {first}",
            where=host, hint=hint, detail=detail,
        )


class DeployError(DeployTestsError):
    """A pipeline step failed on a host (gate refused, lock busy, import check failed...). When the agent switched
    the host back after a failed gate, ``live`` is the release it switched back to and ``serving`` whether that
    release answered again (the agent's reply says so: no message to parse)."""

    def __init__(self, what: str, *, live: str | None = None, serving: bool | None = None,
                 post_deploy_ran: bool = False, nothing_live: bool = False, **kwargs: str):
        super().__init__(what, **kwargs)
        self.live, self.serving = live, serving
        self.post_deploy_ran, self.nothing_live = post_deploy_ran, nothing_live  # a refused deploy (the agent's)

    def refused_state(self) -> str:
        """What a host is after this refused deploy (never switched), from the agent's typed fields: whether a
        release was live, and whether the deploy's post_deploy commands ran against the live data."""
        if self.nothing_live:
            return "refused, nothing was live" + ("; post_deploy already ran against the data" if
                                                  self.post_deploy_ran else "")
        if self.post_deploy_ran:
            return "refused, the live release still serves, but post_deploy already ran against the live data"
        return "refused, live release untouched"


@dataclass
class HostOutcome:
    """What one host made of a step: its value, or the error it raised, and the time it took."""

    host: str
    value: Any = None
    error: BaseException | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def named(host: str, message: str) -> str:
    """``message`` prefixed with ``host`` unless it already names it first."""
    return message if message.startswith(f"{host}:") else f"{host}: {message}"


def _detail(error: BaseException) -> str:
    """What to show under the one-line summary for a host: our errors' detail block (their one line is in the
    summary already), or the repr of anything unexpected."""
    return error.detail if isinstance(error, DeployTestsError) else repr(error)


def by_text(pairs) -> dict[str, list[str]]:
    """``{text: [hosts]}``: the hosts that said the same, in order."""
    out: dict[str, list[str]] = {}
    for host, text in pairs:
        out.setdefault(text, []).append(host)
    return out


@dataclass
class HostsFailed(DeployTestsError):
    """Some hosts failed a step; every host's outcome is kept (like Fabric's GroupException)."""

    step: str
    outcomes: list[HostOutcome] = field(default_factory=list)

    def __post_init__(self):
        bad = [o for o in self.outcomes if not o.ok]
        said = by_text((o.host, named(o.host, str(o.error)).removeprefix(f"{o.host}: ")) for o in bad)
        details = by_text((o.host, _detail(o.error)) for o in bad if _detail(o.error))
        DeployTestsError.__init__(  # hosts that failed alike are one root cause, said once
            self,
            f"{self.step} failed on {len(bad)} of {count(len(self.outcomes), 'host')}: "
            + "; ".join(f"{', '.join(hosts)}: {text}" for text, hosts in said.items()),
            detail="\n\n".join(f"[{', '.join(hosts)}]\n{text}" for text, hosts in details.items()),
        )

    def __str__(self) -> str:
        return self.one_line()
