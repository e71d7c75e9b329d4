"""The gate between a rollout's phases: every built-in promise, read-only, on one host just deployed.

:func:`host_problems` gathers the host's facts in one round trip (:func:`deploytests.verify.facts.gather`: the
fact probe on the server and, when the runner reaches the site, its GETs) and checks every promise of
:data:`~deploytests.verify.promises.PROMISES` on them, as the suite's ``test_promises`` does, with the release this
rollout deployed and the artifact it sent. A promise that cannot be judged there (the login has no sudo for a
root-only fact, the host has no ``base_url``) is not a failure; a failing one is a line ``test_x: why``.

The rollout calls it from each host's own turn, so the hosts of a batch are gated at the same time, each bounded
as every step on that connection is (the connection's watchdog, the probe's read limit, the HTTP timeouts).
Nothing is changed on the server.
"""

from __future__ import annotations

import re

from ..words import ANSWERED_5XX
from .diagnostics import app_logged
from .facts import Facts, gather, probe_args, run_probe
from .promises import PROMISES, Expected, NotApplicable, verify


def facts_of(server, cfg) -> Facts:
    """The host's facts: :func:`gather` when the runner reaches the site (``base_url``), else the probe alone
    (``fab`` on hosts without ``base_url``: the checks that GET from the runner are then not applicable)."""
    if getattr(server, "base_url", ""):
        return gather(server, cfg)
    facts = Facts(server.label)
    try:
        stack = facts.stack = server.stack
        facts.remote, facts.raw = run_probe(server, probe_args(cfg, cfg.deploy_user or server.user, server.user,
                                                               stack), stack.python)
    except Exception as exc:  # noqa: BLE001 - the host is gone, frozen, refuses: one fact, named (as gather does)
        facts.error = f"{type(exc).__name__}: {exc}"
    return facts


NO_TARGET = ("a target's table of targets.toml (hosts given by -H have no allowances: list them in a target and "
             "deploy with `fab target NAME pack deploy`)")


def host_problems(server, cfg, *, deployed: str | None, artifact=None, allow=None) -> list[str]:
    """Every promise that fails on ``server`` (one line each, ``test_x: why``), in the order of
    :data:`PROMISES`; empty when the host keeps them all. ``deployed``: the release this rollout made live there;
    ``artifact``: the one it sent (the provenance checks compare the live files with it); ``allow``: the
    target's written allowances (closed-world rules); none (``fab -H`` hosts): the hints say a target holds them."""
    from ..allowances import Allowances

    facts = facts_of(server, cfg)
    exp = Expected.from_config(cfg, cfg.deploy_user or server.user, stack=facts.stack, host=server.host,
                               port=server.port, name=server.name, deployed_release=deployed, artifact=artifact,
                               allow=allow or Allowances(where=NO_TARGET))
    problems = []
    live = (facts.tree.get("current") or "").rstrip("/").rsplit("/", 1)[-1] if not facts.error else None
    if live is not None and deployed and live != deployed:
        problems.append(f"current names {live or 'nothing'}, not the release just deployed ({deployed})")
    for p in PROMISES:
        try:
            verify(p.id, facts, exp)
        except NotApplicable:
            continue
        except AssertionError as failed:
            problems.append(f"{p.test}: {_line(str(failed))}")
    if any(ANSWERED_5XX.search(p) for p in problems) and (why := app_logged(server, cfg)):
        problems = [f"{p}: the app logged {why}" if ANSWERED_5XX.search(p) else p for p in problems]
    return problems


def one_line(problems: list[str]) -> str | None:
    """The gate's verdict on a host: None when it passed, else the first problem and how many more."""
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more: {', '.join(p.split(':', 1)[0] for p in problems[1:])})" \
        if len(problems) > 1 else ""
    return problems[0] + more


FIX_RE = re.compile(r"\s*(if (?:it|this) is meant to be (?:there|so), .*)$")


def _line(message: str, limit: int = 400) -> str:
    """A check's message as one line: its first line, and when that introduces a list (ends with ``:``) the
    list's first item, and the rule's switch when the message ends with one on a line of its own; cut at
    ``limit`` characters in the explanation, never in the allowance or switch that says what to do (``if it is
    meant to be there, allow it: allow_cron = [...] in targets.toml:19``)."""
    lines = [ln.strip() for ln in message.split("\nassert ")[0].strip().splitlines() if ln.strip()] or ["failed"]
    line = lines[0] + (f" {lines[1].lstrip('- ')}" if lines[0].endswith(":") and len(lines) > 1 else "")
    head, tail = line, ""
    if fix := FIX_RE.search(line):
        head, tail = line[:fix.start()], f" {fix.group(1)}"
    elif len(lines) > 1 and (fix := FIX_RE.match(lines[-1])):
        tail = f" {fix.group(1)}"
    if len(head) + len(tail) <= limit:
        return head + tail
    return head[:max(limit - len(tail) - 3, 0)] + "..." + tail
