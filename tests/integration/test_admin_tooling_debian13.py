"""Ordinary admin tooling on Debian 13: ``test_admin_tooling``'s run (its docstring says what is installed and what
each item must print), in a module of its own so that CI's ``--dist loadfile`` runs it on another worker than the
Debian 12 run."""

from __future__ import annotations

from test_admin_tooling import admin_tooling


def test_ordinary_admin_tooling_needs_only_the_allowances_it_names(tmp_path):
    admin_tooling(tmp_path, "debian13")
