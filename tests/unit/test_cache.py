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


def test_the_runners_files_of_trust_someone_else_may_change_are_refused_in_one_line(tmp_path):
    """The same class, other members: what the runner takes its trust from, when another local user may change it.
    Shown on a server: a targets file in a directory another user owns (uid 4242) whose ``skip_rules`` switched off
    the rule naming the deploy login's stray process: the admin's read-only gate passed (83 passed, 15 skipped); a
    ``known_hosts`` there (the key a run logs in to, sends the config to and vouches for) was taken as it was. Now
    the targets file, the known_hosts file and the config a target names are each judged as the cache is
    (:func:`deploytests.cache.owned_alone`): refused in one line naming the place; a group-writable one of the
    login's own too."""
    import os
    import subprocess

    from deploytests import ssh
    from deploytests.config import load_config
    from deploytests.errors import ConfigError
    from deploytests.examples import APPS
    from deploytests.targets.inventory import load_inventory

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    places = tmp_path / "places"
    places.mkdir()
    targets, known, cfg = places / "targets.toml", places / "known_hosts", places / "app.cfg"
    targets.write_text('[targets.ro]\nhosts = ["admin@web1"]\nidentity_file = "../id"\nknown_hosts = "known_hosts"\n'
                       'deploy = false\n')
    known.write_text("")
    cfg.write_text("SECRET_KEY = 'x'\n")
    uses = {targets: lambda: load_inventory(targets),
            known: lambda: ssh.connect("web1", user="admin", key_filename=tmp_path / "id", known_hosts=known,
                                       open_now=False),
            cfg: lambda: load_config(APPS / "yourapplication", target_config=cfg)}
    for path, use in uses.items():
        use()  # (the login's own, 0644 or 0600: taken)
        mode = path.stat().st_mode & 0o777
        path.chmod(mode | 0o020)
        with pytest.raises(ConfigError, match=rf"refused: {path} is 0{mode | 0o020:o} uid {os.getuid()}: someone "
                                              r"but you and root may change the "):
            use()
        path.chmod(mode)
    if os.getuid() == 0:  # (another owner: only root may chown)
        os.chown(places, 4242, 4242)
        for use in uses.values():
            with pytest.raises(ConfigError, match=rf"refused: {places} is 0755 uid 4242"):
                use()
