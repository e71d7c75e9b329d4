"""The deploy pipeline: pack, bootstrap, deploy, rollback, status (docs/architecture.md).

Plain functions of a Fabric connection ``c`` (or, for ``pack``, of the project dir) that return small result
objects; no pytest anywhere. Remote work is one agent run per step (:mod:`.agent` as the deploy user,
:mod:`.agent_root` for what runs as root: bootstrap only), so each step costs one SSH round
trip. Many hosts go through :func:`run_on_hosts`; a whole fleet through :mod:`.fleet` (``bootstrap_all``,
``deploy_all``, ``read_live``).

The names below are loaded on first use (PEP 562), not when the package is imported: the pytest plugin is
loaded into every pytest run of a user's environment and imports :mod:`.fleet` at start-up, which must not drag
in the packer, the transport or Fabric.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

# public name -> the submodule that defines it
_WHERE = {
    "Artifact": "artifact", "pack": "artifact",
    "Interrupted": "hosts", "host_state": "hosts", "print_progress": "hosts", "run_on_hosts": "hosts",
    "BootstrapResult": "provision", "bootstrap": "provision",
    "DeployResult": "releases", "ReleaseInfo": "releases", "Status": "releases", "deploy": "releases",
    "release_id": "releases", "rollback": "releases", "status": "releases",
    "Bootstrapped": "fleet", "Deployment": "fleet", "HostState": "fleet", "artifact_for": "fleet",
    "bootstrap_all": "fleet", "deploy_all": "fleet", "each_host": "fleet", "read_live": "fleet",
}

__all__ = [
    "Artifact", "BootstrapResult", "Bootstrapped", "DeployResult", "Deployment", "HostState", "Interrupted",
    "ReleaseInfo", "Status", "artifact_for", "bootstrap", "bootstrap_all", "deploy", "deploy_all", "each_host",
    "host_state", "pack", "print_progress", "read_live", "release_id", "rollback", "run_on_hosts", "status",
]

if TYPE_CHECKING:
    from .artifact import Artifact, pack
    from .fleet import (
        Bootstrapped,
        Deployment,
        HostState,
        artifact_for,
        bootstrap_all,
        deploy_all,
        each_host,
        read_live,
    )
    from .hosts import Interrupted, host_state, print_progress, run_on_hosts
    from .provision import BootstrapResult, bootstrap
    from .releases import DeployResult, ReleaseInfo, Status, deploy, release_id, rollback, status


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())
