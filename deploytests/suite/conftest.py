"""Suite-local fixtures built from the plugin's public ones (nothing here knows the target's kind)."""

from __future__ import annotations

import pytest

from deploytests.verify import stat_paths
from deploytests.verify.testinfra import host_for


@pytest.fixture(scope="session")
def sudo_host(deploy_server, deploy_host):
    """A testinfra host running commands under ``sudo -n``, or None when the login may not sudo."""
    return host_for(deploy_server, sudo=True) if deploy_host.run("sudo -n true").rc == 0 else None


@pytest.fixture(scope="session")
def admin(deploy_server, sudo_host):
    """:func:`sudo_host` — the test is skipped (with the reason) where the login may not sudo."""
    if sudo_host is None:
        pytest.skip(f"{deploy_server.user} on {deploy_server.label} has no passwordless sudo; "
                    "this check needs root")
    return sudo_host


@pytest.fixture(scope="session")
def stack(deploy_server):
    """The server's stack (:mod:`deploytests.stacks`), picked from its /etc/os-release: what to expect there."""
    return deploy_server.stack


@pytest.fixture(scope="session")
def layout(deploy_server, deploy_host, sudo_host, deploy_config):
    """Expected owners and the stat facts of the app tree, gathered in one round trip per server (under
    sudo where the login may: an SSH session opened before bootstrap lacks the app group it was given)."""
    cfg = deploy_config
    looker = sudo_host or deploy_host
    deploy_user = cfg.deploy_user or deploy_server.user
    groups = deploy_host.check_output(f"id -gn {cfg.app_user}; id -gn {deploy_user}").split()
    paths = [cfg.root, f"{cfg.root}/releases", f"{cfg.root}/shared", cfg.remote_config_path,
             f"{cfg.root}/application.wsgi", f"{cfg.root}/current", f"{cfg.root}/.deploy.lock"]
    return {"deploy_user": deploy_user, "app_group": groups[0], "deploy_group": groups[-1],
            "facts": stat_paths(looker, paths)}
