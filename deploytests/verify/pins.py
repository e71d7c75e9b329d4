"""Allowances that pin content: where a host's snapshot and the target's written allowances meet.

An allowance of a container of code (:data:`deploytests.allowances.PINNED`: a file root runs later, a file Apache
includes, a systemd unit, a privileged file, a command in /usr/local) holds only while what it names hashes to
the pin written with it (``"/etc/cron.d/backup sha256:<hex>"``). :func:`effective` resolves the pins once per
check against the host's facts: the rules see the bare names whose content still matches (``x in
exp.allow.cron`` as before), and the hint (:func:`hint`) prints the pinned form with the hash found now, saying
when a written pin is stale or missing. What each pin covers (:func:`digest`):

- a cron, hook or Apache file: the sha256 of its bytes (after root's links; ``sha256sum FILE``);
- a unit: the sha256 of ``sha256sum``'s lines (``HEX  PATH``) of its unit file and every drop-in the gate reads
  for it, in systemd's search order (a link whose target is not read: its ``-> target`` text);
- a privileged file or a /usr/local command: the login collector's sha256 of the regular file (through root's
  links only; a file that login may not read has none, and no pin holds for it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from ..allowances import PINNED, Allowances, split_pin


def _bytes(facts, path: str) -> bytes | None:
    """``path``'s bytes as the probe sent them (after links; the login collector's, of what root's files name,
    too: :func:`rootacts.view`); None when it sent none."""
    from .rootacts import view

    snap: Any = getattr(facts, "raw", None)
    if getattr(snap, "files", None):
        for seen in (snap, view(snap)):
            found = seen.data(path)
            found = found if found is not None else seen.data(seen.realpath(path))
            if found is not None:
                return found
        return None
    texts = {t.get("path"): t.get("text") for t in (facts.get("inventory") or {}).get("texts") or []
             if isinstance(t, dict)}
    text = texts.get(path)
    return None if text is None or text.startswith("-> ") else text.encode("utf-8", "surrogateescape")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unit(facts, name: str) -> str | None:
    from .mechanisms import texts, units

    raw = texts(facts)
    if raw is None:
        return None
    unit, lines = units(raw).get(name), []  # type: ignore[arg-type]  # (a Texts: its units parsed once)
    for path in unit.files if unit else []:
        data = _bytes(facts, path)
        lines.append(f"{_sha(data if data is not None else raw.get(path, '').encode())}  {path}\n")
    return _sha("".join(lines).encode())


def digest(facts, kind: str, name: str) -> str | None:
    """The content hash an allowance of ``kind`` naming ``name`` pins, as found on this host; None when the
    probe sent no bytes of it (then no pin holds)."""
    inv = facts.get("inventory") or {}
    if kind == "units":
        return _unit(facts, name)
    sent = (getattr(getattr(facts, "raw", None), "raw", None) or {}).get("digests") or {}  # the login collector's
    if kind in ("cron", "apache_conf"):
        info = ((inv.get("apache") or {}).get("files") or {}).get(name) if kind == "apache_conf" else None
        data = _bytes(facts, name)
        named = next((e["sha256"] for e in inv.get("mentions") or [] if e.get("file") == name and e.get("sha256")),
                     sent.get(name))  # (a file of /etc the login sent lines of: its hash)
        return info["sha256"] if info and info.get("sha256") else _sha(data) if data is not None else named
    path = name.split(" ")[0]
    entries = inv.get("privileged" if kind == "privileged" else "shadowing") or []
    data = _bytes(facts, path)  # (a root's script in /usr/local, read for what it runs: the same bytes)
    return next((e["sha256"] for e in entries if e.get("path") == path and e.get("sha256")),
                sent.get(path) or (_sha(data) if data is not None else None))


def effective(facts, allow: Allowances) -> Allowances:
    """``allow`` as this host's rules see it: each pinned entry by its bare name when its thing's content hashes
    to the pin, else left out (recorded in ``unheld``: the hint says so); ``user@NAME`` units take no pin."""
    kept: dict[str, Any] = {}
    unheld: dict[tuple[str, str], str] = {}
    for kind in PINNED:
        names = []
        for entry in getattr(allow, kind):
            name, pin = split_pin(entry)
            if kind == "units" and name.startswith("user@") or pin is not None and pin == digest(facts, kind, name):
                names.append(name)
            else:
                unheld[(kind, name)] = pin or ""
        kept[kind] = tuple(names)
    return dataclasses.replace(allow, **kept, unheld=unheld, digest=lambda kind, name: digest(facts, kind, name))


def hint(exp, key: str, value: str) -> str:
    """What to write to allow ``value`` (one line, after "if it is meant to be there, "): the pinned form with
    the hash found now, and, when targets.toml has a stale pin or none for it, which line and what to do."""
    allow, kind = exp.allow, key[len("allow_"):]
    if kind not in PINNED or allow.digest is None or kind == "units" and value.startswith("user@"):
        return f"allow it: {key} = [{json.dumps(value)}] in {allow.where}"
    found = allow.digest(kind, value)
    where = allow.lines.get(key) or allow.where
    if found is None:
        return (f"make its content readable to the gate (root's, not writable by others; the gate's login may "
                f"read it), then allow it pinned: {key} = [{json.dumps(value + ' sha256:<its sha256>')}] in {where}")
    written = allow.unheld.get((kind, value))
    why = "" if written is None else (
        f"review it ({where} pins it to sha256:{written[:12]}…, but it has changed since), then " if written else
        f"review it ({where} allows it with no pin of its content), then ")
    return f"{why}allow it: {key} = [{json.dumps(f'{value} sha256:{found}')}] in {where}"
