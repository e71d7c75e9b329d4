"""Counts in messages, in agreement: ``count(1, "scheduled job")`` is ``1 scheduled job``, ``count(3, ...)``
``3 scheduled jobs``. A phrase whose head noun is not its last word marks its changing words:
``count(n, "file[s] of Apache's configuration")``, ``count(n, "account[s] that stop[s|] logging in")``
(``[s]``: nothing when one, ``s`` when more; ``[one|more]`` in general). Every count a message shows goes through
:func:`count`: a unit test reads the sources for ``{n} thing(s)`` and ``{len(x)} things`` left in f-strings."""

from __future__ import annotations

import re

ANSWERED_5XX = re.compile(r"(?:answered|->) ?5\d\d\b")  # a check's message about an HTTP 5xx answer
_MARK = re.compile(r"\[([^]|]*)(?:\|([^]]*))?\]")
_IRREGULAR = {"entry": "entries", "directory": "directories", "process": "processes", "address": "addresses",
              "policy": "policies", "is": "are", "was": "were", "has": "have"}


def plural(word: str) -> str:
    """The plural of one English noun as our messages use them (``host``, ``entry``, ``process``)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + "es" if word.endswith(("s", "x", "ch", "sh")) else word + "s"


def count(n: int, noun: str) -> str:
    """``n`` and ``noun`` in agreement (``1 host``, ``2 hosts``, ``0 hosts``); ``noun`` is singular, its last word
    the one that changes, unless it marks its changing words (see the module doc)."""
    one = n == 1
    if "[" in noun:
        return f"{n} " + _MARK.sub(lambda m: (m[1] if m[2] is not None else "") if one else
                                   (m[2] if m[2] is not None else m[1]), noun)
    if one:
        return f"{n} {noun}"
    head, _, last = noun.rpartition(" ")
    return f"{n} {head + ' ' if head else ''}{plural(last)}"
