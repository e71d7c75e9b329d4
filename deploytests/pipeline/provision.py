"""bootstrap: make a server ready for deploys, idempotently, in one SSH round trip.

First the server's ``/etc/os-release`` is read and its stack picked (:mod:`deploytests.stacks`; an OS no stack
matches is refused in one line naming the supported ones): the stack supplies the packages, Apache's paths and tools
and the vhost template, passed to the agent as data. Then one run of the root agent (``agent_root.py``: ``sudo -n
python3 …``, the config file and the agent's own source on stdin, never in the command line or output), under a
server-wide lock (``/var/lib/deploytests/bootstrap.lock``):

- installs what is missing of the stack's packages (``apache2 libapache2-mod-wsgi-py3 python3-venv iproute2`` on
  Debian) with apt (only when missing: a second run does not even call apt), after waiting (bounded, with a
  message) for dpkg's lock;
- creates the app's system user (``--system --user-group``, no login shell, recorded as deploytests') and adds
  the deploy user to its group; neither may be root or a system account deploytests did not create;
- makes the tree: ``/var/www/<app>`` + ``releases/`` + ``.deploy.lock`` + ``application.wsgi`` owned by the
  deploy user (it switches ``current`` and touches the .wsgi, no sudo needed); ``shared/`` root:<app group>
  0750; each shared path owned by the app user; the config at 0640 root:<app group> in the app's own trees
  (``/etc/<app>/`` or ``shared/``), replaced only when it differs -- every write link-proof (``O_NOFOLLOW``
  walks, ``fchown``/``fchmod`` on the fd, ``O_EXCL`` temp files renamed into place);
- installs itself as the config helper (``/var/lib/deploytests/agent_root.py``) with the app's settings;
- writes the vhost, enables mod_wsgi and the site, disables ``000-default`` (it answers 200 for every name), adds
  a global ``ServerName`` if Apache has none, runs ``apache2ctl configtest`` and reloads (graceful) only when
  something Apache reads changed and the test passed; a failing configtest restores the previous vhost.
  Apache is started with ``apache2ctl start`` when not running (containers have no systemd);
- last, ``/etc/sudoers.d/deploytests-<app>`` (checked by ``visudo``): the deploy user may run the release
  venv's python as the app user and the config helper as root. A failed bootstrap removes the grants it added.

The agent reports each change as one line; a run that changes nothing reports ``changed=False``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..config import DeployConfig
from ..stacks import Stack, detect
from . import templates
from .contract import BootstrapArgs, BootstrapReply
from .remote import ROOT_AGENT_SOURCE, Progress, call_agent, label_of


@dataclass
class BootstrapResult:
    """What bootstrap did on one host: ``changes`` (one line each, no secrets), per-step ``timings``."""

    host: str
    changed: bool
    changes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    python_version: str = ""
    apache_pid: int | None = None
    machine: str = ""  # os.uname().machine of the server: the wheels' platform must match it
    stack: str = ""


def bootstrap_args(cfg: DeployConfig, stack: Stack, *, deploy_user: str, config_size: int | None,
                   dpkg_lock_timeout: float = 120, lock_timeout: float = 300) -> BootstrapArgs:
    """The root agent's arguments (pure; everything but the config bytes, which travel on stdin): the app's, and
    the stack's data (``packages``, ``apache`` paths and tools), checked by the contract. ``helper`` is the root
    agent's own source: bootstrap installs it as the config helper deploys call through sudo."""
    return BootstrapArgs.from_dict({
        **stack.agent_args(),
        "app": cfg.app, "root": cfg.root, "app_user": cfg.app_user, "deploy_user": deploy_user,
        "config_path": cfg.remote_config_path, "config_size": config_size,
        "shared_paths": list(cfg.shared_paths), "wsgi": templates.wsgi(cfg),
        "vhost": templates.vhost(cfg, stack=stack),
        "dpkg_lock_timeout": dpkg_lock_timeout, "lock_timeout": lock_timeout,
        "helper_size": len(ROOT_AGENT_SOURCE),
    })


def bootstrap(c, cfg: DeployConfig, *, progress: Progress | None = None, dpkg_lock_timeout: float = 120,
              lock_timeout: float = 300, stack: Stack | None = None) -> BootstrapResult:
    """Prepare the server behind ``c`` for ``cfg``'s app and upload its ``config_file`` (a target's own config
    comes in through ``load_config(..., target_config=...)``, which checks it).

    ``c`` must be a login with passwordless sudo. The deploy user is ``cfg.deploy_user`` or, if unset, ``c.user``.
    ``stack`` is read from the server's ``/etc/os-release`` unless given (raises
    :class:`~deploytests.stacks.UnsupportedServer` for an OS no stack matches).
    """
    started = time.monotonic()
    stack = stack or detect(c, where=label_of(c))
    config_file = cfg.config_for(c.host, c.port)
    config = config_file.read_bytes() if config_file else None
    args = bootstrap_args(cfg, stack, deploy_user=cfg.deploy_user or c.user,
                          config_size=len(config) if config is not None else None,
                          dpkg_lock_timeout=dpkg_lock_timeout, lock_timeout=lock_timeout)
    event = call_agent(c, "bootstrap", args, payload=(config or b"", ROOT_AGENT_SOURCE), sudo=True, python=cfg.python,
                       step="bootstrap", progress=progress, source=ROOT_AGENT_SOURCE)
    res = BootstrapReply.from_dict(event, ignore=("event",))
    return BootstrapResult(host=label_of(c), changed=res.changed, changes=res.changes, timings=res.timings,
                           seconds=time.monotonic() - started, python_version=res.python_version,
                           apache_pid=res.apache_pid, machine=res.machine, stack=stack.name)
