"""Fakes for testing code that uses deploytests without servers or real time (as ``fabric.testing`` does for
Fabric): a clock, the agent's HTTP probe, and the contract's messages with test defaults.

They are fakes for pure logic only; what is about servers, SSH, Apache or HTTP is tested on real ones.

- :class:`FakeClock` -- a monotonic clock and its ``sleep`` for every ``clock=``/``sleep=`` parameter
  (``deploytests.waiting``, the agents' locks and gate): sleeping moves the clock, nothing waits.
- :class:`FakeSite` -- the agent's HTTP ``probe`` for a release tree: answers with the release ``current``
  names, or as told (``status`` per release, ``down``, a release served until the next reload).
- :func:`deploy_args`, :func:`rollback_args`, :func:`bootstrap_args` -- the agents' arguments for a tree under
  a temp dir, run as the current user, with any field overridden.
- :class:`FakeConn` -- what the pipeline reads of a Fabric connection when it only names a host (label, user,
  host, port; ``lost`` and the transport's ``is_active`` as the watchdog leaves them).
- :func:`stand_in_wheel` -- a minimal valid wheel (one module, dist-info, optional console scripts).
"""

from __future__ import annotations

import os
import pwd
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .pipeline.contract import ApacheArgs, BootstrapArgs, DeployArgs, RollbackArgs


class FakeClock:
    """``clock()`` returns ``now``; ``clock.sleep(s)`` records ``s`` and moves ``now`` on by it."""

    def __init__(self, now: float = 0.0):
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeConn:
    """A connection named ``name`` (label, host) as far as host bookkeeping reads it: ``user`` "u", port 22,
    ``lost`` (the watchdog's reason, or None) and ``transport.is_active()`` answering ``active``."""

    def __init__(self, name: str, lost: str | None = None, active: bool = False):
        self.label, self.user, self.host, self.port = name, "u", name, 22
        self.lost = lost
        self.transport = SimpleNamespace(is_active=lambda: active)


@dataclass
class FakeSite:
    """The site of the app whose tree is at ``root``, for the agent's ``probe(port, path, host)``.

    It serves the release ``current`` names, answering ``status[release]`` (default 200) with that release's
    id, as the app's ``X-Deploy-Release`` header does; with nothing live it answers 503. ``down``: every
    request fails to connect. :meth:`serve_until_reload` makes it keep serving one release until
    ``application.wsgi`` is touched (a deploy that died between switching ``current`` and the reload), as
    mod_wsgi does. ``requests`` records every (port, path, host) asked."""

    root: str
    status: dict[str, int] = field(default_factory=dict)
    down: bool = False
    requests: list[tuple[int, str, str]] = field(default_factory=list)
    pinned: str | None = None
    _pinned_mtime: int = 0

    @property
    def wsgi(self) -> str:
        return os.path.join(self.root, "application.wsgi")

    def serve_until_reload(self, rid: str) -> None:
        """Serve ``rid`` whatever ``current`` says, until the ``.wsgi`` file is touched."""
        os.utime(self.wsgi, ns=(1_000_000_000, 1_000_000_000))  # any touch from now on changes it
        self.pinned, self._pinned_mtime = rid, 1_000_000_000

    def serving(self) -> str | None:
        if self.pinned is not None and os.stat(self.wsgi).st_mtime_ns == self._pinned_mtime:
            return self.pinned
        self.pinned = None
        try:
            return os.path.basename(os.readlink(os.path.join(self.root, "current")))
        except OSError:
            return None

    def probe(self, port: int, path: str, host: str) -> tuple[int, str | None]:
        self.requests.append((port, path, host))
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        rid = self.serving()
        if rid is None or not os.path.isdir(os.path.join(self.root, "releases", rid)):
            return 503, None
        return self.status.get(rid, 200), rid


def current_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def _gate_fields(root: str) -> dict:
    return {"app": "app", "root": root, "port": 8080, "health_path": "/health", "server_name": "app.test",
            "lock_timeout": 1.0, "gate_timeout": 1.0, "app_user": current_user(), "config_env": "APP_CONFIG",
            "config_path": os.path.join(root, "shared", "app.cfg"), "entry_point": "app:app"}


def deploy_args(root: str, **overrides) -> DeployArgs:
    """A deploy of a tree at ``root`` as the current user (no sudo), this interpreter making the venv."""
    fields = dict(_gate_fields(root), release_id="20260101T000000Z-00000000", artifact_sha256="0" * 64,
                  artifact_size=0, release={"version": "1.0", "deployed_by": "tests@runner"},
                  python=sys.executable, keep_releases=3)
    fields.update(overrides)
    return DeployArgs(**fields)


def rollback_args(root: str, **overrides) -> RollbackArgs:
    return RollbackArgs(**dict(_gate_fields(root), **overrides))


def bootstrap_args(root: str, **overrides) -> BootstrapArgs:
    apache = ApacheArgs(sites_available="/etc/apache2/sites-available", sites_enabled="/etc/apache2/sites-enabled",
                        mods_enabled="/etc/apache2/mods-enabled", conf_available="/etc/apache2/conf-available",
                        default_site="000-default", pid_file="/var/run/apache2/apache2.pid",
                        apachectl="/usr/sbin/apache2ctl", a2enmod="/usr/sbin/a2enmod", a2ensite="/usr/sbin/a2ensite",
                        a2dissite="/usr/sbin/a2dissite", a2enconf="/usr/sbin/a2enconf", wsgi_module="wsgi")
    fields: dict[str, Any] = {"stack": "debian12-apache-wsgi", "apache": apache,
                              "app": "app", "root": root, "app_user": "app", "deploy_user": current_user(),
                              "packages": ["apache2"], "config_path": "/etc/app/app.cfg", "wsgi": "# wsgi\n",
                              "vhost": "# vhost\n", "helper_size": 0}
    fields.update(overrides)
    return BootstrapArgs(**fields)


def stand_in_wheel(path: Path, scripts: dict[str, str] | None = None) -> None:
    """A minimal valid wheel (one module, dist-info, optional console scripts) named like ``path``
    (``<name>-<version>-py3-none-any.whl``); its module ``<name>`` holds ``NAME = <file name>``."""
    name, version = path.name.split("-")[:2]
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f"NAME = {path.name!r}\n",
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    if scripts:
        files[f"{info}/entry_points.txt"] = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())
    files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in files.items():
            zf.writestr(member, text)
