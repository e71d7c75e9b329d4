"""Host state of every server: packages, Apache and mod_wsgi, the app user, the tree and its modes.

What to expect (package names, Apache's paths and tools, the Python mod_wsgi embeds) is the server's stack
(:mod:`deploytests.stacks`, the ``stack`` fixture), picked from its /etc/os-release."""

from __future__ import annotations

import json

import pytest

from deploytests.verify import assert_ok, assert_path, stat_paths, wsgi_daemons


def test_packages_installed(deploy_host, stack):
    missing = [p for p in stack.packages if not deploy_host.package(p).is_installed]
    assert not missing, f"packages not installed: {', '.join(missing)} (expected all of " \
                        f"{', '.join(stack.packages)} on {stack.title})"


def test_apache_running(deploy_host, stack):
    name = stack.apache.process_name
    procs = deploy_host.process.filter(comm=name)
    assert procs, f"no {name} process runs (ps shows none with comm={name})"
    assert any(p.user == "root" for p in procs), \
        f"no {name} parent process owned by root; found users {sorted({p.user for p in procs})}"


def test_mod_wsgi_loaded(admin, stack):
    modules = assert_ok(admin, f"{stack.apache.apachectl} -M")
    module = f"{stack.wsgi_module}_module"
    assert module in modules, f"{module} is not among Apache's loaded modules:\n{modules}"


def test_mod_wsgi_and_live_venv_run_the_stacks_python(deploy_host, stack, deploy_config):
    """mod_wsgi embeds one Python; the live venv (python-home) must be of that same X.Y, the stack's."""
    linked = assert_ok(deploy_host, f"ldd {stack.wsgi_module_file}")
    embedded = sorted({w.split(".so")[0][len("libpython"):] for w in linked.split() if w.startswith("libpython")})
    venv = f"{deploy_config.root}/current/venv/bin/python"
    live = assert_ok(deploy_host, f"{venv} -c %s", "import sys; print('%d.%d' % sys.version_info[:2])").strip()
    assert embedded == [stack.python_version] and live == stack.python_version, \
        f"{stack.title} serves with Python {stack.python_version}: {stack.wsgi_module_file} links " \
        f"libpython {embedded}, the live venv {venv} is {live}"


def test_configtest_clean(admin, stack):
    result = admin.run(f"{stack.apache.apachectl} configtest")
    output = (result.stdout + result.stderr).strip()
    assert result.rc == 0 and output == stack.configtest_ok, \
        f"expected exit 0 and only {stack.configtest_ok!r}, got exit {result.rc}:\n{output}"


def test_port_listening(deploy_host, deploy_config):
    port = deploy_config.port
    listening = deploy_host.socket.get_listening_sockets()
    assert any(s.startswith("tcp://") and s.endswith(f":{port}") for s in listening), \
        f"nothing listens on TCP port {port}; listening: {listening}"


def test_app_user(deploy_host, deploy_config, stack):
    user = deploy_host.user(deploy_config.app_user)
    assert user.exists, f"app user {deploy_config.app_user!r} does not exist"
    assert user.uid != 0, f"app user {user.name!r} has uid 0"
    assert user.shell in stack.nologin_shells, \
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
def test_release_json_matches_artifact(deploy_host, deploy_config, deploy_server, deployment, deploy_artifact):
    # each server deploys the artifact packed for its Python (one per Python in a mixed fleet)
    packed = deployment[deploy_server.label]
    meta = json.loads(deploy_host.file(f"{deploy_config.root}/current/RELEASE.json").content_string)
    found = {k: meta.get(k) for k in ("artifact_sha256", "version")}
    assert found == {"artifact_sha256": packed.artifact_sha256, "version": deploy_artifact.version}, \
        f"current/RELEASE.json says {found}, the artifact packed for this server is sha256 " \
        f"{packed.artifact_sha256} version {deploy_artifact.version}"


@pytest.mark.deploytests_deploys
def test_installed_version_is_packed_version(deploy_host, deploy_config, deploy_artifact):
    python = f"{deploy_config.root}/current/venv/bin/python"
    found = assert_ok(deploy_host, f"{python} -c %s",
                      f"import importlib.metadata as m; print(m.version({deploy_artifact.name!r}))").strip()
    assert found == deploy_artifact.version, \
        f"{deploy_artifact.name} {found} is installed in the live venv, " \
        f"the packed version is {deploy_artifact.version}"


def test_daemon_processes_run_as_app_user(deploy_host, deploy_config, stack):
    daemons = wsgi_daemons(deploy_host, deploy_config.app, stack)
    shown = stack.daemon_display.format(app=deploy_config.app)
    assert daemons, f"no mod_wsgi daemon process '{shown}' runs (daemon mode not active?)"
    users = sorted({user for user, _ in daemons})
    assert users == [deploy_config.app_user], \
        f"mod_wsgi daemons of {deploy_config.app} run as {users}, expected only {deploy_config.app_user!r}"


def test_vhost_daemon_mode_and_python_home(deploy_host, deploy_config, deploy_server, deployment, stack):
    cfg = deploy_config
    vhost = deploy_host.file(stack.apache.site_file(cfg.app)).content_string
    assert f"WSGIProcessGroup {cfg.app}" in vhost or f"process-group={cfg.app}" in vhost, \
        f"the vhost does not put the app in daemon process group {cfg.app!r}:\n{vhost}"
    home = next((w.split("=", 1)[1] for w in vhost.split() if w.startswith("python-home=")), None)
    assert home, f"no python-home= in the vhost:\n{vhost}"
    resolved = deploy_host.check_output(f"readlink -f {home}")
    live = f"{cfg.root}/releases/{deployment[deploy_server.label].release_id}/venv"
    assert resolved == live, f"python-home={home} resolves to {resolved}, expected the live release's venv {live}"
