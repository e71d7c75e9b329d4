"""Host state of every server: packages, Apache and mod_wsgi, the app user, the tree and its modes."""

from __future__ import annotations

import json

import pytest

from deploytests.pipeline.provision import PACKAGES  # what bootstrap installs
from deploytests.verify import assert_ok, assert_path, stat_paths, wsgi_daemons


def test_packages_installed(deploy_host):
    missing = [p for p in PACKAGES if not deploy_host.package(p).is_installed]
    assert not missing, f"packages not installed: {', '.join(missing)} (expected all of {', '.join(PACKAGES)})"


def test_apache_running(deploy_host):
    procs = deploy_host.process.filter(comm="apache2")
    assert procs, "no apache2 process runs (ps shows none with comm=apache2)"
    assert any(p.user == "root" for p in procs), \
        f"no apache2 parent process owned by root; found users {sorted({p.user for p in procs})}"


def test_mod_wsgi_loaded(admin):
    modules = assert_ok(admin, "/usr/sbin/apache2ctl -M")
    assert "wsgi_module" in modules, f"wsgi_module is not among Apache's loaded modules:\n{modules}"


def test_configtest_clean(admin):
    result = admin.run("/usr/sbin/apache2ctl configtest")
    output = (result.stdout + result.stderr).strip()
    assert result.rc == 0 and output == "Syntax OK", \
        f"expected exit 0 and only 'Syntax OK', got exit {result.rc}:\n{output}"


def test_port_listening(deploy_host, deploy_config):
    port = deploy_config.port
    listening = deploy_host.socket.get_listening_sockets()
    assert any(s.startswith("tcp://") and s.endswith(f":{port}") for s in listening), \
        f"nothing listens on TCP port {port}; listening: {listening}"


def test_app_user(deploy_host, deploy_config):
    user = deploy_host.user(deploy_config.app_user)
    assert user.exists, f"app user {deploy_config.app_user!r} does not exist"
    assert user.uid != 0, f"app user {user.name!r} has uid 0"
    assert user.shell in ("/usr/sbin/nologin", "/bin/false", "/sbin/nologin"), \
        f"app user {user.name!r} has a login shell: {user.shell}"


def test_tree_modes_and_owners(layout, deploy_config):
    f, cfg, app_group = layout["facts"], deploy_config, layout["app_group"]
    deploy_user, deploy_group = layout["deploy_user"], layout["deploy_group"]
    assert_path(f[cfg.root], kind="directory", mode="0755", owner=deploy_user, group=deploy_group)
    assert_path(f[f"{cfg.root}/releases"], kind="directory", mode="0755", owner=deploy_user)
    assert_path(f[f"{cfg.root}/shared"], kind="directory", mode="0750", owner="root", group=app_group)
    assert_path(f[f"{cfg.root}/application.wsgi"], kind="regular file", mode="0644", owner=deploy_user)
    assert_path(f[f"{cfg.root}/current"], kind="symbolic link")
    assert_path(f[f"{cfg.root}/.deploy.lock"], kind="regular file", owner=deploy_user)


def test_config_not_world_readable(layout, deploy_config):
    facts = layout["facts"][deploy_config.remote_config_path]
    assert_path(facts, kind="regular file", mode="0640", owner="root", group=layout["app_group"])


def test_current_is_newest_release(deploy_server, deploy_host, deployment, deploy_config):
    root = deploy_config.root
    listing = deploy_host.check_output(f"ls -1 {root}/releases").split()
    marks = stat_paths(deploy_host, [f"{root}/releases/{r}/RELEASE.json" for r in listing]) if listing else {}
    releases = sorted(r for r in listing if marks[f"{root}/releases/{r}/RELEASE.json"].kind == "regular file")
    current = deploy_host.check_output(f"readlink {root}/current")
    assert releases, f"no complete release under {root}/releases (listing: {listing})"
    assert current.rstrip("/").endswith(f"releases/{releases[-1]}"), \
        f"current -> {current}, expected the newest release releases/{releases[-1]} (all: {releases})"
    assert releases[-1] == deployment[deploy_server.label].release_id, \
        f"newest release {releases[-1]} is not the one this session saw live: " \
        f"{deployment[deploy_server.label]}"


@pytest.mark.deploytests_deploys
def test_release_json_matches_artifact(deploy_host, deploy_config, deploy_artifact):
    meta = json.loads(deploy_host.file(f"{deploy_config.root}/current/RELEASE.json").content_string)
    found = {k: meta.get(k) for k in ("artifact_sha256", "version")}
    assert found == {"artifact_sha256": deploy_artifact.sha256, "version": deploy_artifact.version}, \
        f"current/RELEASE.json says {found}, the packed artifact is sha256 {deploy_artifact.sha256} " \
        f"version {deploy_artifact.version}"


@pytest.mark.deploytests_deploys
def test_installed_version_is_packed_version(deploy_host, deploy_config, deploy_artifact):
    python = f"{deploy_config.root}/current/venv/bin/python"
    found = assert_ok(deploy_host, f"{python} -c %s",
                      f"import importlib.metadata as m; print(m.version({deploy_artifact.name!r}))").strip()
    assert found == deploy_artifact.version, \
        f"{deploy_artifact.name} {found} is installed in the live venv, " \
        f"the packed version is {deploy_artifact.version}"


def test_daemon_processes_run_as_app_user(deploy_host, deploy_config):
    daemons = wsgi_daemons(deploy_host, deploy_config.app)
    assert daemons, f"no mod_wsgi daemon process '(wsgi:{deploy_config.app})' runs (daemon mode not active?)"
    users = sorted({user for user, _ in daemons})
    assert users == [deploy_config.app_user], \
        f"mod_wsgi daemons of {deploy_config.app} run as {users}, expected only {deploy_config.app_user!r}"


def test_vhost_daemon_mode_and_python_home(deploy_host, deploy_config, deploy_server, deployment):
    cfg = deploy_config
    vhost = deploy_host.file(f"/etc/apache2/sites-available/{cfg.app}.conf").content_string
    assert f"WSGIProcessGroup {cfg.app}" in vhost or f"process-group={cfg.app}" in vhost, \
        f"the vhost does not put the app in daemon process group {cfg.app!r}:\n{vhost}"
    home = next((w.split("=", 1)[1] for w in vhost.split() if w.startswith("python-home=")), None)
    assert home, f"no python-home= in the vhost:\n{vhost}"
    resolved = deploy_host.check_output(f"readlink -f {home}")
    live = f"{cfg.root}/releases/{deployment[deploy_server.label].release_id}/venv"
    assert resolved == live, f"python-home={home} resolves to {resolved}, expected the live release's venv {live}"
