# ruff: noqa
"""Other members of the classes closed, written after reading the gate (filled in later)."""
ENTRIES = []
