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


def test_a_cache_someone_else_may_change_is_refused_in_one_line(tmp_path, monkeypatch):
    """Class: a place the runner takes reference data or code from that another local user may change (the cache:
    the wheels a deploy ships, the build env packing runs, the artifact the gate compares a kept release with). An
    ``XDG_CACHE_HOME`` under ``/tmp`` another user made first (uid 4242) was theirs: ``packed(sha256)`` returned
    their tar as this runner's artifact. Other member: a cache directory its group may write."""
    import hashlib
    import os

    from deploytests.errors import ConfigError

    data = artifact.artifact_bytes({"app": "yourapplication", "version": "6.6.6"}, [])
    sha = hashlib.sha256(data).hexdigest()
    xdg = tmp_path / "xdg"
    (xdg / "deploytests" / "artifacts").mkdir(parents=True)
    (xdg / "deploytests" / "artifacts" / f"planted-{sha[:8]}.tar").write_bytes(data)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    assert artifact.packed(sha) is not None  # (the login's own: found)
    (xdg / "deploytests").chmod(0o775)
    with pytest.raises(ConfigError, match=rf"refused: {xdg}/deploytests is 0775 uid {os.getuid()}: someone but you "
                                          r"and root may change deploytests' cache"):
        artifact.packed(sha)
    (xdg / "deploytests").chmod(0o755)
    if os.getuid() == 0:  # (another owner: only root may chown)
        os.chown(xdg, 4242, 4242)
        with pytest.raises(ConfigError, match=rf"refused: {xdg} is 0755 uid 4242"):
            artifact.packed(sha)
