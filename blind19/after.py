# ruff: noqa
"""Other members of each class fixed, written after reading the gate (not blind): run with ``measure.py --after``."""

ENTRIES = []


def member(id, area, inject, check, harm):
    ENTRIES.append(dict(id=id, kind="fault", area=area, inject=inject.strip(), check=check.strip(), harm=harm))
