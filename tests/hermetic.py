"""The hermetic fixtures of the unit and plugin levels, defined once (each level's conftest imports them).

Every test runs with SIGINT and SIGTERM set to Python's defaults, ``HOME`` and ``XDG_CACHE_HOME`` in this
session's temp dir (the user's deploytests cache and ssh config are never read or written) and no network
unless marked ``network`` (:func:`deploytests.testing.hermetic`). pytester's in-process runs inherit it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploytests.testing import hermetic


@pytest.fixture(scope="session")
def hermetic_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session", autouse=True)
def _hermetic_session(hermetic_home):
    """Session fixtures (``installer_wheel``) run before any function's: they get the temp home too."""
    with hermetic(hermetic_home, network=True):
        yield


@pytest.fixture(autouse=True)
def _hermetic(request, hermetic_home):
    with hermetic(hermetic_home, network=request.node.get_closest_marker("network") is not None):
        yield
