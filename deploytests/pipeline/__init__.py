"""The deploy pipeline: pack, bootstrap, deploy, rollback, status (docs/architecture.md).

Plain functions of a Fabric connection ``c`` (or, for ``pack``, of the project dir) that return small result
objects; no pytest anywhere. Remote work is one agent run per step (:mod:`.agent` as the deploy user,
:mod:`.agent_root` for what runs as root: bootstrap only), so each step costs one SSH round
trip. Many hosts go through :func:`run_on_hosts`; a whole fleet through :mod:`.fleet` (``bootstrap_all``,
``roll_out`` under a ``Policy``, ``read_live``).

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
    "CommandResult": "releases", "run_command": "releases",
    "Bootstrapped": "fleet", "Deployment": "fleet", "HostState": "fleet", "Hooks": "fleet", "HostReport": "fleet",
    "Policy": "fleet", "RolloutResult": "fleet", "bootstrap_all": "fleet", "each_host": "fleet",
    "read_live": "fleet", "roll_out": "fleet",
}

__all__ = [
    "CommandResult", "run_command",
    "Artifact", "BootstrapResult", "Bootstrapped", "DeployResult", "Deployment", "Hooks", "HostReport", "HostState",
    "Interrupted", "Policy", "ReleaseInfo", "RolloutResult", "Status", "bootstrap", "bootstrap_all", "deploy",
    "each_host", "host_state", "pack", "print_progress", "read_live", "release_id", "roll_out", "rollback",
    "run_on_hosts", "status",
]

if TYPE_CHECKING:
    from .artifact import Artifact, pack
    from .fleet import (
        Bootstrapped,
        Deployment,
        Hooks,
        HostReport,
        HostState,
        Policy,
        RolloutResult,
        bootstrap_all,
        each_host,
        read_live,
        roll_out,
    )
    from .hosts import Interrupted, host_state, print_progress, run_on_hosts
    from .provision import BootstrapResult, bootstrap
    from .releases import (
        CommandResult,
        DeployResult,
        ReleaseInfo,
        Status,
        deploy,
        release_id,
        rollback,
        run_command,
        status,
    )


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals())
