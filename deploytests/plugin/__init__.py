"""pytest plugin (entry point ``deploytests``): options, markers, report header, per-server parametrization
and thin fixtures over :mod:`deploytests.targets`, :mod:`deploytests.pipeline` and :mod:`deploytests.verify`.

Fixtures, one state change each: see :mod:`.fixtures`. Tests that use ``deploy_server`` run once per server of the
target, with ids like ``[docker://web-1]``; it is the only parametrized fixture. Short aliases (``server``,
``http``, ``artifact``, ``testinfra_host``, ``bootstrapped``) return the ``deploy_`` fixtures; a project's own
fixture of such a name (in its conftest) wins and is never parametrized or touched. Tests marked
``deploytests_deploys`` or ``deploytests_destructive`` are skipped (never run) where the target does not grant
that right. Errors that make the whole session pointless stop it with one line (``pytest.exit``, which pytest
prints as ``!!! _pytest.outcomes.Exit: deploytests: <what>. Hint: <next step> !!!``): a bad option, targets file
or deploy config (after collection, before any test runs), no Docker engine, a host key mismatch, no reachable
host (when the target is opened), a failed pack or bootstrap.

The plugin is loaded in every pytest run of an environment where deploytests is installed. It stays inert in
runs that use none of its fixtures or markers and pass none of its options: no header lines, no summary, no
parametrization, no network, no errors from its settings, and nothing resolved: no settings, no target, no file of
its own read (targets.toml, deploy.toml) until a run uses it (``hooks.resolved``).

Split by role, as pytest-xdist splits its plugin: :mod:`.hooks` (options, configure, collection),
:mod:`.fixtures`, :mod:`.workers` (pytest-xdist: a shared real target, a worker's stop), :mod:`.reporting`
(header, diagnostics, summary, and the redaction of every report; registered for the run by
``hooks.pytest_configure``), :mod:`.state` (what they share). This module is the entry point (``pytest11``): it
registers the others through ``pytest_plugins``.
"""

import pytest

pytest.register_assert_rewrite("deploytests.verify")  # the verify helpers' plain asserts get pytest's messages

from .state import PROVIDER, RUN, SETTINGS  # noqa: E402 (for the built-in suite)

# in import order: each is registered (and marked for assertion rewriting) before a later one imports it
pytest_plugins = ("deploytests.plugin.hooks", "deploytests.plugin.workers", "deploytests.plugin.fixtures")

__all__ = ["PROVIDER", "RUN", "SETTINGS"]
