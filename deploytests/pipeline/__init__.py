"""The deploy pipeline: pack, bootstrap, deploy, rollback, status (docs/architecture.md).

Plain functions of a Fabric connection ``c`` (or, for ``pack``, of the project dir) that return small result
objects; no pytest anywhere. Remote work is one agent run per step (:mod:`.agent` as the deploy user,
:mod:`.agent_root` for what runs as root: bootstrap and the config helper), so each step costs one SSH round
trip. Many hosts go through :func:`run_on_hosts`.
"""

from .artifact import Artifact, pack
from .hosts import Interrupted, host_state, print_progress, run_on_hosts
from .provision import BootstrapResult, bootstrap
from .releases import DeployResult, ReleaseInfo, Status, deploy, release_id, rollback, status

__all__ = [
    "Artifact", "BootstrapResult", "DeployResult", "Interrupted", "host_state", "ReleaseInfo", "Status", "bootstrap",
    "deploy", "pack",
    "print_progress", "release_id", "rollback", "run_on_hosts", "status",
]
