"""Fixtures the unit tests share (fakes of pure logic live in ``deploytests.testing``).

The unit level is hermetic (``tests/hermetic.py``, shared with the plugin level). A test that needs the package
index is marked ``network``: by hand, or here when it uses a fixture that fetches (:data:`NETWORK_FIXTURES`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deploytests.pipeline import artifact as packmod
from tests.hermetic import _hermetic, _hermetic_session, hermetic_home  # noqa: F401 - fixtures, defined once

NETWORK_FIXTURES = {"installer_wheel", "build_envs"}  # they fill this session's empty cache from the index


def pytest_collection_modifyitems(items):
    for item in items:
        if NETWORK_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.network)


@pytest.fixture(scope="session")
def installer_wheel(tmp_path_factory) -> Path:
    """pypa installer's real wheel, downloaded once per session from the package index (``network``)."""
    dest = tmp_path_factory.mktemp("installer")
    cmd = packmod.pip_download_command(["installer"], "3.11", dest)
    subprocess.run(cmd, check=True, capture_output=True, env=packmod.pip_env())
    return next(dest.glob("installer-*-py3-none-any.whl"))


@pytest.fixture
def own_install(monkeypatch):
    """For tests that run ``main`` in this process, whose ``sys.path`` holds the checkout (an editable install: under
    CI its ``.tox`` holds the other workers' temporary directories, some made 0770 on purpose), and CI runs them
    as root, when every command first judges its install (test_admin_entry's subject): here the install is the
    runner's own, as a user's wheel in a venv of theirs is."""
    import deploytests.__main__ as entry

    monkeypatch.setattr(entry, "loose_install", lambda *a, **k: None)
