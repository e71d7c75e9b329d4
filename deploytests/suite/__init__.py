"""The verification suite (the gate: every promise of docs/promises.md, plus the lifecycle scenarios).

It uses only the plugin's public fixtures, so it runs the same on containers (``pytest --pyargs deploytests.suite``,
or ``pytest deploytests/suite`` in this repository) and on real targets (``... --target staging``). In a project,
the gate adds the project's own deploy tests: ``pytest --pyargs deploytests.suite tests/deploy``."""
