"""This repository's own choices for its test runs (the only ``pytest_plugins`` of the project).

- ``pytester`` for the plugin's own tests (``tests/plugin``);
- the example app the suite deploys when nothing else names one (``--app``, ``DEPLOYTESTS_APP``, ini);
- ``closed_port``: a port that refuses connections for the whole test, at every level.
"""

import socket

import pytest

from deploytests.examples import APPS

pytest_plugins = ["pytester"]

EXAMPLE_APP = APPS / "yourapplication"


def pytest_deploytests_default_app(config):
    return EXAMPLE_APP


@pytest.fixture
def closed_port() -> int:
    """A TCP port of 127.0.0.1 that refuses every connection for the whole test: bound by this socket, never
    listening. (A port bound, released, then used was free a moment ago only: another process — a container's
    published port, another test's server, a build — may take it meanwhile, and the test then meets something
    that answers, or stays silent.)"""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
