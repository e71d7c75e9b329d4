"""The runner's cache dir and its file lock (deploytests.cache), shared by pack and the image builds."""

from __future__ import annotations

import pytest

from deploytests.cache import cache_dir, file_lock
from deploytests.containers import images
from deploytests.errors import DeployError
from deploytests.pipeline import artifact


def test_cache_dir_follows_xdg_and_is_the_one_both_sides_use(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "deploytests" and cache_dir().is_dir()
    assert images.cache_dir is cache_dir and artifact.default_cache_dir is cache_dir


def test_a_held_lock_names_the_path_when_the_wait_runs_out(tmp_path, monkeypatch):
    monkeypatch.setattr(artifact, "PIP_TIMEOUT", 0)  # the pack lock's bound: 2 * PIP_TIMEOUT
    path = tmp_path / "env.lock"
    with file_lock(path):
        with pytest.raises(TimeoutError, match="env.lock stayed locked"), file_lock(path, timeout=0):
            pass
        with pytest.raises(DeployError, match="stayed locked by another pack"), artifact._locked(path):
            pytest.fail("took a lock another holder has")  # pragma: no cover
    with file_lock(path, timeout=0):  # released on exit: free again at once
        pass
