"""Fixtures the unit tests share (fakes of pure logic live in ``deploytests.testing``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploytests.pipeline import artifact as packmod


@pytest.fixture(scope="session")
def installer_wheel(tmp_path_factory) -> Path:
    """pypa installer's real wheel: from this machine's deploytests cache, else downloaded once (PyPI)."""
    cached = sorted((packmod.default_cache_dir() / "wheels").glob("*/installer-*-py3-none-any.whl"))
    if cached:
        return cached[-1]
    dest = tmp_path_factory.mktemp("installer")
    packmod.pip_download(["installer"], "3.11", dest)
    return next(dest.glob("installer-*-py3-none-any.whl"))
