"""Fixtures the unit tests share (fakes of pure logic live in ``deploytests.testing``).

The unit level is hermetic (:func:`deploytests.testing.hermetic`): every test runs with SIGINT and SIGTERM set to
Python's defaults, ``HOME`` and ``XDG_CACHE_HOME`` in this session's temp dir (the user's deploytests cache and
ssh config are never read or written) and no network. A test that needs the package index is marked
``network``: by hand, or here when it uses a fixture that fetches (:data:`NETWORK_FIXTURES`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploytests.pipeline import artifact as packmod
from deploytests.testing import hermetic

NETWORK_FIXTURES = {"installer_wheel", "build_envs"}  # they fill this session's empty cache from the index


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


def pytest_collection_modifyitems(items):
    for item in items:
        if NETWORK_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.network)


@pytest.fixture(scope="session")
def installer_wheel(tmp_path_factory) -> Path:
    """pypa installer's real wheel, downloaded once per session from the package index (``network``)."""
    dest = tmp_path_factory.mktemp("installer")
    packmod.pip_download(["installer"], "3.11", dest)
    return next(dest.glob("installer-*-py3-none-any.whl"))
