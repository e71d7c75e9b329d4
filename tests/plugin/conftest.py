"""The plugin level is hermetic like the unit level (see tests/unit/conftest.py): SIGINT and SIGTERM set to
Python's defaults, ``HOME`` and ``XDG_CACHE_HOME`` in this session's temp dir, no network unless marked
``network``. pytester's in-process runs inherit it; its subprocess runs get its own temp ``HOME``."""

from __future__ import annotations

import pytest

from deploytests.testing import hermetic


@pytest.fixture(scope="session")
def hermetic_home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session", autouse=True)
def _hermetic_session(hermetic_home):
    with hermetic(hermetic_home, network=True):
        yield


@pytest.fixture(autouse=True)
def _hermetic(request, hermetic_home):
    with hermetic(hermetic_home, network=request.node.get_closest_marker("network") is not None):
        yield
