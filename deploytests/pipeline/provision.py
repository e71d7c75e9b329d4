"""bootstrap: make a server ready for deploys, idempotently, in one SSH round trip; the only step that uses root.

First the server's ``/etc/os-release`` is read and its stack picked (:mod:`deploytests.stacks`; an OS no stack
matches is refused in one line naming the supported ones): the stack supplies the packages, Apache's paths and
tools, the vhost template and the interpreter root runs, a fixed path (``/usr/bin/python3.11`` on Debian 12). Then
one run of the root agent (``agent_root.py``: ``sudo -n <stack python> -c <its source> bootstrap '<json>'``; never
``python`` from deploy.toml, nothing on stdin), under a server-wide lock (``/var/lib/deploytests/bootstrap.lock``).
Its arguments are a closed set the agent checks against fixed patterns (``agent_root.PATTERNS``); it:

- installs what is missing of the stack's packages with apt, after waiting (bounded) for dpkg's lock;
- creates the app's system user (recorded as deploytests'; an existing account of any other kind is refused) and
  adds the deploy login (an existing login, never the app user) to its group;
- makes the tree: ``/var/www/<app>`` + ``releases/`` + ``.deploy.lock`` + ``application.wsgi`` owned by the
  deploy login; ``shared/`` and each shared path the deploy login's, group app, setgid (0750 / 0770: the app
  writes its data there); ``python/``, the daemons' python-home, root's -- every write link-proof;
- writes the vhost (refused in one line when another site answers the same server_name and port), enables
  mod_wsgi and the site, disables ``000-default``, adds a global ``ServerName`` if Apache has none, runs
  ``apache2ctl configtest`` and reloads only when something changed and the test passed;
- last, ``/etc/sudoers.d/deploytests-<app>`` (checked by ``visudo``): the deploy login may run its releases'
  python as the app user; nothing as root. A failed bootstrap removes the grants it added.

The config is not bootstrap's: deploys install it (the deploy login's file, the app group's to read).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..config import DeployConfig
from ..errors import DeployError
from ..stacks import Stack, detect
from ..verify.facts import apache_refused
from . import templates
from .contract import BootstrapReply
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


def bootstrap_args(cfg: DeployConfig, stack: Stack, *, deploy_user: str, dpkg_lock_timeout: float = 120,
                   lock_timeout: float = 300) -> dict:
    """The root agent's arguments (pure): the app's values deploy.toml's checks passed, and the stack's data
    (``packages``, ``apache`` paths and tools). The agent checks them again against its fixed patterns."""
    return {
        **stack.behaviour("bootstrap").agent_args(stack),
        "app": cfg.app, "app_user": cfg.app_user, "deploy_user": deploy_user, "server_name": cfg.server_name,
        "port": cfg.port, "shared_paths": list(cfg.shared_paths), "wsgi": templates.wsgi(cfg),
        "vhost": templates.vhost(cfg, stack=stack),
        "dpkg_lock_timeout": dpkg_lock_timeout, "lock_timeout": lock_timeout,
    }


def bootstrap(c, cfg: DeployConfig, *, progress: Progress | None = None, dpkg_lock_timeout: float = 120,
              lock_timeout: float = 300, stack: Stack | None = None) -> BootstrapResult:
    """Prepare the server behind ``c`` for ``cfg``'s app. The config is not sent: deploys install it.

    ``c`` must be a login with passwordless sudo. The deploy user is ``cfg.deploy_user`` or, if unset, ``c.user``.
    ``stack`` is read from the server's ``/etc/os-release`` unless given (raises
    :class:`~deploytests.stacks.UnsupportedServer` for an OS no stack matches); root runs its ``python``.
    """
    started = time.monotonic()
    stack = stack or detect(c, label_of(c))
    args = bootstrap_args(cfg, stack, deploy_user=cfg.deploy_user or c.user, dpkg_lock_timeout=dpkg_lock_timeout,
                          lock_timeout=lock_timeout)
    refused = apache_refused(c, cfg.app, stack.python)  # root runs apache2ctl: only on a config root alone controls
    if refused:
        raise DeployError(f"bootstrap refused: root does not run apache2ctl here: {refused}", where=label_of(c),
                          hint="make that file (and the directories above it) root's and not writable by others, "
                               "or remove the line of Apache's configuration that names it; then bootstrap again")
    event = call_agent(c, "bootstrap", args, sudo=True, python=stack.python, step="bootstrap", progress=progress,
                       source=ROOT_AGENT_SOURCE)
    res = BootstrapReply.from_dict(event, ignore=("event",))
    return BootstrapResult(host=label_of(c), changed=res.changed, changes=res.changes, timings=res.timings,
                           seconds=time.monotonic() - started, python_version=res.python_version,
                           apache_pid=res.apache_pid, machine=res.machine, stack=stack.name)
