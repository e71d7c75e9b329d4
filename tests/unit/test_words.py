"""Counts in messages agree with their number (``1 scheduled job``, ``2 scheduled jobs``), everywhere.

Class: a count written next to a fixed plural (``f"{len(lines)} {what} not accounted for"`` gave "1 scheduled
jobs", "1 systemd units", "1 entries"), or dodged with ``(s)`` ("1 host(s)"). Every count a message shows goes
through :func:`deploytests.words.count`; this test reads every f-string of the package for the two shapes left."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import deploytests
from deploytests.words import count

PACKAGE = Path(deploytests.__file__).parent
WORD = re.compile(r"^ ([a-z][a-z'-]*)(\(s\)|\(es\))?(?: ([a-z][a-z'-]*))?")
# "{n} failed host(s)": "(s)" a word or two after the count
BRACKETED = re.compile(r"^ (?:[a-z][a-z'-]* ){0,2}[a-z][a-z'-]*\((e)?s\)")
UNITS = {"s", "ms", "bytes", "chars", "seconds", "minutes", "days", "ok", "of", "in", "at", "from", "more", "is",
         "was", "has", "with", "and", "or", "to", "for", "on", "by", "as", "per", "not", "left", "still"}


def test_count_agrees_with_its_number():
    assert [count(n, "scheduled job") for n in (0, 1, 2)] == ["0 scheduled jobs", "1 scheduled job",
                                                              "2 scheduled jobs"]
    assert count(1, "file[s] of Apache's configuration") == "1 file of Apache's configuration"
    assert count(3, "file[s] of Apache's configuration") == "3 files of Apache's configuration"
    assert count(1, "account[s] that stop[s|] logging in") == "1 account that stops logging in"
    assert count(2, "account[s] that stop[s|] logging in") == "2 accounts that stop logging in"
    assert [count(2, w) for w in ("entry", "process", "host", "batch")] == ["2 entries", "2 processes",
                                                                            "2 hosts", "2 batches"]


def _counts_left(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        for value, after in zip(node.values, node.values[1:], strict=False):
            if not isinstance(value, ast.FormattedValue) or not isinstance(after, ast.Constant):
                continue
            m = WORD.match(str(after.value))
            if not m:
                continue
            counted = isinstance(value.value, ast.Call) and getattr(value.value.func, "id", "") == "len"
            plural = m[1] not in UNITS and any(w and w.endswith("s") and w not in UNITS for w in (m[1], m[3]))
            if m[2] or BRACKETED.match(str(after.value)) or (counted and plural):
                found.append(f"{node.lineno}: {{{ast.unparse(value.value)}}}{m[0]}")
    return found


def test_no_count_in_a_message_is_left_without_agreement():
    left = {str(p.relative_to(PACKAGE)): hits for p in sorted(PACKAGE.rglob("*.py"))
            if (hits := _counts_left(ast.parse(p.read_text(), str(p))))}
    assert not left, f"counts not through deploytests.words.count: {left}"


def test_no_percent_format_count_says_s_in_brackets():
    # the server-side programs (stdlib only, %-formatted) are the other member: "post_deploy 1 command(s)"
    shape = re.compile(r"%d [a-z]+\((e)?s\)")
    left = {str(p.relative_to(PACKAGE)): [n.value for n in ast.walk(ast.parse(p.read_text()))
                                          if isinstance(n, ast.Constant) and isinstance(n.value, str)
                                          and shape.search(n.value)] for p in sorted(PACKAGE.rglob("*.py"))}
    assert not {k: v for k, v in left.items() if v}


def test_the_guard_sees_both_shapes():
    tree = ast.parse('f"{len(bad)} of {len(hosts)} host(s) failed"\nf"{len(lines)} scheduled jobs"\n'
                     'f"{count(len(lines), \'job\')} left"\nf"{len(data)} bytes"\n'
                     'f"up to {n} failed host(s) tolerated"\n')
    assert [hit.split(":")[0] for hit in _counts_left(tree)] == ["1", "2", "5"], _counts_left(tree)
