"""Where the gate leaves the facts it gathered for the end of the run (the drift section of the report).

A module of its own, imported by the suite's test module and its conftest alike, so both name the same stash key
whatever import mode pytest uses for test files.
"""

from __future__ import annotations

import pytest

DRIFT = pytest.StashKey[dict]()  # host label -> deploytests.verify.facts.Facts
