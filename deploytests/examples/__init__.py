"""Example projects shipped with deploytests (package data), used by the lifecycle scenarios and the tests.

``apps/yourapplication`` is Flask's "yourapplication" as the recipe deploys it (setup.py, a health route, visits
counted in a shared data dir); ``apps/yourapplication-v2`` is the same code as version 2.0; ``apps/broken-import``
cannot be imported and ``apps/broken-health`` answers 500 on its health route; ``apps/pyproject-app`` is a
pyproject-only project with ``[tool.deploytests]``. ``config/`` holds their app configs and ``targets.toml`` an
example inventory.
"""

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
APPS = EXAMPLES / "apps"
CONFIG = EXAMPLES / "config"
