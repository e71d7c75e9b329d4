"""This repository's own choices for its test runs (the only ``pytest_plugins`` of the project).

- ``pytester`` for the plugin's own tests (``tests/plugin``);
- the example app the suite deploys when nothing else names one (``--app``, ``DEPLOYTESTS_APP``, ini).
"""

from pathlib import Path

pytest_plugins = ["pytester"]

EXAMPLE_APP = Path(__file__).parent / "fixtures" / "apps" / "yourapplication"


def pytest_deploytests_default_app(config):
    return EXAMPLE_APP
