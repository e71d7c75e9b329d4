"""bootstrap: make a server ready for deploys, idempotently, in one SSH round trip.

First the server's ``/etc/os-release`` is read and its stack picked (:mod:`deploytests.stacks`; an OS no stack
matches is refused in one line naming the supported ones): the stack supplies the packages, Apache's paths and
tools and the vhost template, passed to the agent as data. Then one agent run as root (``sudo -n python3 …``,
the config file on stdin, never in the command line or output):

- installs what is missing of the stack's packages (``apache2 libapache2-mod-wsgi-py3 python3-venv`` on Debian)
  with apt (only when missing: a second run does not even call apt);
- creates the app's system user (``--system --user-group``, no login shell) and adds the deploy user to its
  group; lets the deploy user run commands as the app user (``/etc/sudoers.d/deploytests-<app>``, checked with
  ``visudo -c``) so a deploy user without general sudo can still run the preflight and post-deploy commands;
- makes the tree of DESIGN §3: ``/var/www/<app>`` + ``releases/`` + ``.deploy.lock`` + ``application.wsgi``
  owned by the deploy user (it switches ``current`` and touches the .wsgi, no sudo needed); ``shared/`` root:<app
  group> 0750; each shared path owned by the app user; the config at 0640 root:<app group>, replaced only when
  its sha256 differs;
- writes the vhost, enables mod_wsgi and the site, disables ``000-default`` (it answers 200 for every name),
  runs ``apache2ctl configtest`` and reloads (graceful) only when something Apache reads changed and the test
  passed; a failing configtest restores the previous vhost and reports Apache's message. Apache is started
  with ``apache2ctl start`` when not running (containers have no systemd).

The agent reports each change as one line; a run that changes nothing reports ``changed=False``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..config import DeployConfig
from ..stacks import Stack, detect
from . import templates
from .remote import Progress, call_agent, label_of


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
    stack: str = ""


def bootstrap_args(cfg: DeployConfig, stack: Stack, *, deploy_user: str, config_size: int | None) -> dict:
    """The agent's arguments (pure; everything but the config bytes, which travel on stdin): the app's, and
    the stack's data (``packages``, ``apache`` paths and tools)."""
    return {
        **stack.agent_args(),
        "app": cfg.app, "root": cfg.root, "app_user": cfg.app_user, "deploy_user": deploy_user,
        "config_path": cfg.remote_config_path, "config_size": config_size,
        "shared_paths": list(cfg.shared_paths), "wsgi": templates.wsgi(cfg),
        "vhost": templates.vhost(cfg, stack=stack),
    }


def bootstrap(c, cfg: DeployConfig, *, progress: Progress | None = None, stack: Stack | None = None
              ) -> BootstrapResult:
    """Prepare the server behind ``c`` for ``cfg``'s app and upload its ``config_file`` (a target's own config
    comes in through ``load_config(..., target_config=...)``, which checks it).

    ``c`` must be a login with passwordless sudo. The deploy user is ``cfg.deploy_user`` or, if unset, ``c.user``.
    ``stack`` is read from the server's ``/etc/os-release`` unless given (raises
    :class:`~deploytests.stacks.UnsupportedServer` for an OS no stack matches).
    """
    started = time.monotonic()
    stack = stack or detect(c, where=label_of(c))
    config = cfg.config_file.read_bytes() if cfg.config_file else None
    args = bootstrap_args(cfg, stack, deploy_user=cfg.deploy_user or c.user,
                          config_size=len(config) if config else None)
    res = call_agent(c, "bootstrap", args, payload=config or b"", sudo=True, python=cfg.python, step="bootstrap",
                     progress=progress)
    return BootstrapResult(host=label_of(c), changed=res["changed"], changes=res["changes"],
                           timings=res["timings"], seconds=time.monotonic() - started,
                           python_version=res["python_version"], apache_pid=res["apache_pid"], stack=stack.name)
