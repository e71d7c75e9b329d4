"""What bootstrap sends the root agent for an Apache + mod_wsgi stack: the stack's arguments (its packages,
Apache's paths and tools: :func:`agent_args`) and the site file (the stack's vhost template, :data:`VHOST` unless
the platform names another, with a ``Listen`` line for a port other than 80/443 and an ``Alias`` per static dir).

Pure functions of a :class:`~deploytests.config.DeployConfig` and the :class:`~deploytests.stacks.Stack`, so the
unit tests read exactly what the server gets (root writes it; the root agent checks every value again against
its fixed patterns, see ``pipeline.agent_root``)."""

from __future__ import annotations

from ...config import DeployConfig, static_problem
from ..base import Stack

RUNTIME = "/var/lib/deploytests/python"  # the daemons' python-home, an empty venv (bootstrap makes it, root's)

STATIC = """\
    # {prefix}: static files served by Apache from the live release ({dir} of the project, shipped by pack);
    # through current/, so a rollback serves the old files. No listing, no links followed, no .htaccess.
    Alias {prefix}/ {root}/current/{dir}/
    <Directory {root}/current/{dir}>
        Options None
        AllowOverride None
        Require all granted
    </Directory>
"""


def agent_args(stack: Stack) -> dict:
    """What the root agent's bootstrap needs of ``stack`` (plain JSON data; the agent imports nothing): its
    packages. Apache's paths and tools are the root agent's constants (``agent_root.APACHE``: every supported
    stack shares Debian's layout; a unit test holds them equal to ``stack.apache``)."""
    return {"packages": " ".join(stack.packages)}  # the interpreter is stack.python


def vhost(cfg: DeployConfig, stack: Stack) -> str:
    """The site file's text from ``stack``'s template; a ``Listen`` line is added for a port other than 80/443."""
    listen = "" if cfg.port in (80, 443) else f"Listen {cfg.port}\n"
    return stack.vhost_template.format(app=cfg.app, app_user=cfg.app_user, app_group=cfg.app_user,
                                       root=cfg.root, port=cfg.port, server_name=cfg.server_name, listen=listen,
                                       runtime=RUNTIME, static=static_block(cfg), daemons=cfg.processes)


def static_block(cfg: DeployConfig) -> str:
    """The vhost's ``Alias`` + ``<Directory>`` lines of ``cfg.static``. This text is written by root: each pair is
    checked again here with the loader's strict patterns (a DeployConfig built by hand never slips through)."""
    out = []
    for prefix, directory in cfg.static:
        problem = static_problem(prefix, directory, cfg.shared_paths, cfg.health_path)
        if problem:
            raise ValueError(f"static: {problem}")
        out.append(STATIC.format(prefix=prefix, dir=directory, root=cfg.root))
    return "".join(out)
