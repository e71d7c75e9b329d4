"""This repository's own choices for its test runs (the only ``pytest_plugins`` of the project).

- ``pytester`` for the plugin's own tests (``tests/plugin``);
- the example app the suite deploys when nothing else names one (``--app``, ``DEPLOYTESTS_APP``, ini).
"""

from deploytests.examples import APPS

pytest_plugins = ["pytester"]

EXAMPLE_APP = APPS / "yourapplication"


def pytest_deploytests_default_app(config):
    return EXAMPLE_APP
