"""Gather a server's facts for the promise checks: one round trip per server, all servers at once.

:func:`gather` runs :mod:`deploytests.verify.probe` on the server (under ``sudo -n`` when the login may) and
GETs the site from the runner, both at the same time, and returns a :class:`Facts`. :func:`gather_all` does
that for every server of a target concurrently, so verifying 8 hosts costs about what one costs. Nothing on
the server is changed. A host that cannot be asked is a :class:`Facts` whose ``error`` says why: the checks
of that host are skipped with that reason and one check (``test_host_answers``) fails naming it.
"""

from __future__ import annotations

import json
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import probe as _probe

PROBE_SOURCE = Path(_probe.__file__).read_bytes()
BOOT = "import sys;exec(compile(sys.stdin.buffer.read({n}),'deploytests-probe','exec'))"
# what the runner GETs: the health path, the homepage, and the files that must never be served
PRIVATE = ("/application.wsgi", "/shared/application.cfg", "/application.cfg", "/releases/", "/current/RELEASE.json",
           "/.deploy.lock", "/current/venv/bin/python")
EXPOSED = ("/server-status", "/server-info")  # Apache's own pages: never served beyond the server (sec_status)


@dataclass
class Facts:
    """What one server showed: ``remote`` (the probe's JSON), ``responses`` (path -> requests Response or the
    exception text) from the runner, ``error`` when the host could not be asked at all."""

    label: str
    remote: dict = field(default_factory=dict)
    responses: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    stack: object = None  # the server's deploytests.stacks.Stack (None: the host could not name its OS)

    def __getitem__(self, key):
        return self.remote.get(key)

    def get(self, key, default=None):
        return self.remote.get(key, default)

    @property
    def tree(self) -> dict:
        return self.remote.get("tree") or {}

    @property
    def live(self) -> dict | None:
        return self.tree.get("live")


def probe_args(cfg, deploy_user: str, login: str, stack=None) -> dict:
    """The probe's arguments (pure): where the app's tree, config and vhost are, who owns what, and the server
    stack's facts (packages, Apache's paths and tools, how its daemons show in ``ps``)."""
    from ..stacks import DEFAULT

    stack = stack or DEFAULT
    a = stack.apache
    return {"app": cfg.app, "root": cfg.root, "app_user": cfg.app_user, "deploy_user": deploy_user,
            "config_path": cfg.remote_config_path, "vhost": a.site_file(cfg.app),
            "port": cfg.port, "health_path": cfg.health_path, "server_name": cfg.server_name,
            "shared_paths": list(cfg.shared_paths), "packages": list(stack.packages), "error_log": a.error_log,
            "sites_enabled": a.sites_enabled, "apachectl": a.apachectl, "process_name": a.process_name,
            "service": a.service, "daemon_display": stack.daemon_display,
            "wsgi_module_file": stack.wsgi_module_file, "login": login}


PROBE_LIMIT = 64 << 20  # bytes of probe output read at most
MULTILINE = frozenset({"vhost", "stderr", "body", "text", "detail"})  # the probe's multi-line facts


def probe_command(args: dict, python: str) -> str:
    """``sh -c`` line: the probe under ``sudo -n`` when the login may, else as the login itself; ``python`` (the
    stack's system interpreter at its fixed path) in isolated mode (``-I``: no user site, no ``PYTHON*``
    variables, no current directory on the path), so nothing of the app's trees or the login's environment is
    loaded into it."""
    boot = BOOT.format(n=len(PROBE_SOURCE))
    run = " ".join(shlex.quote(a) for a in (python, "-I", "-c", boot, json.dumps(args, sort_keys=True)))
    script = f"if sudo -n true 2>/dev/null; then exec sudo -n {run}; else exec {run}; fi"
    return "sh -c " + shlex.quote(script)


def read_reply(res, mark: str, what: str, multiline: frozenset[str] = MULTILINE) -> dict:
    """The JSON document after ``mark`` in a server program's output, parsed as data: bounded in size, every
    string made safe for terminals and reports (:func:`deploytests.untrusted.data`)."""
    from .. import untrusted

    line = next((ln for ln in res.stdout.splitlines() if ln.startswith(mark)), None)
    if line is None:
        last = (res.stderr.strip() or res.stdout.strip() or "no output").splitlines()[-1]
        raise RuntimeError(f"the {what} did not finish (exit {res.exited}): {untrusted.line(last, 500)}")
    if len(line) > PROBE_LIMIT:
        raise RuntimeError(f"the {what} sent {len(line)} bytes, more than the {PROBE_LIMIT} read")
    reply = json.loads(line[len(mark):])
    if not isinstance(reply, dict):
        raise RuntimeError(f"the {what} sent {type(reply).__name__}, not a JSON object")
    return untrusted.data(reply, multiline=multiline)


def run_probe(server, args: dict, python: str) -> dict:
    """Run the probe on ``server`` (one round trip) and return its facts."""
    from ..pipeline.remote import exec_stream

    res = exec_stream(server.connection(), probe_command(args, python), (PROBE_SOURCE,), limit=PROBE_LIMIT)
    return read_reply(res, _probe.MARK, "fact probe")


def fetch(server, paths, host_header: str | None = None) -> dict:
    """GET each path from the runner (no redirects, no proxies): path -> Response, or the error's text."""
    from .http import HttpClient

    client = HttpClient(server.base_url, host_header=host_header)
    out: dict[str, object] = {}
    try:
        for path in paths:
            try:
                out[path] = client.get(path)
            except Exception as exc:  # noqa: BLE001 - a refused connection is a fact the checks report
                out[path] = f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return out


def gather(server, cfg, *, deploy_user: str | None = None, python: str | None = None) -> Facts:
    """The facts of one server (never raises: a host that cannot be asked is ``Facts.error``). The probe runs
    with the server stack's python at its fixed path, as bootstrap does: never ``python`` from deploy.toml (the
    probe may run under sudo; that key names the deploy login's interpreter)."""
    from ..stacks import DEFAULT
    from .diagnostics import mark_log

    started = time.monotonic()
    facts = Facts(server.label)
    with ThreadPoolExecutor(max_workers=1) as pool:
        responses = pool.submit(fetch, server, ("/", cfg.health_path, *PRIVATE, *EXPOSED))
        try:
            args = probe_args(cfg, deploy_user or cfg.deploy_user or server.user, server.user, server.stack)
            facts.stack = server.stack
            facts.remote = run_probe(server, args, python or (server.stack or DEFAULT).python)
        except Exception as exc:  # noqa: BLE001 - the host is gone, frozen, refuses: one fact, named
            facts.error = f"{type(exc).__name__}: {exc}"
        facts.responses = responses.result()
    if facts.remote.get("error_log_size") is not None:
        mark_log(server.label, facts.remote["error_log_size"])
    facts.seconds = time.monotonic() - started
    return facts


def gather_all(servers, cfg, **kwargs) -> dict[str, Facts]:
    """:func:`gather` on every server at once: label -> Facts."""
    if not servers:
        return {}
    with ThreadPoolExecutor(max_workers=min(16, len(servers))) as pool:
        return dict(zip([s.label for s in servers], pool.map(lambda s: gather(s, cfg, **kwargs), servers),
                        strict=True))
