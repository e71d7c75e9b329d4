"""The lifecycle scenarios' workbench: one server, the example releases, and what to look at there.

:class:`Lab` wraps a :class:`~deploytests.targets.Server` with the bundled example releases
(``deploytests/examples/apps``, package data: yourapplication v1 and v2, broken-import, broken-health), packed once
for the server's Python, and the probes the scenarios compare before and after: the release list, ``current``, the
tree's fingerprint, what the site serves. Deploys log in as ``deploy_user`` (``deployer``, a login without sudo, on
the containers); bootstrap and the probes use the server's own login (passwordless sudo).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path

import requests

from .. import pipeline
from ..config import load_config
from ..examples import APPS
from . import fingerprint as fingerprint_program

FINGERPRINT = Path(fingerprint_program.__file__).read_text(encoding="utf-8")  # run on the server as root

EXAMPLES = ("yourapplication", "yourapplication-v2", "broken-import", "broken-health")


class Lab:
    """One server for the scenarios; ``deploy_user`` logs in for deploys (default: the server's login)."""

    def __init__(self, server, *, deploy_user: str | None = None, config_file: Path | None = None):
        self.server, self.deploy_user, self.config_file = server, deploy_user or server.user, config_file
        self.admin = server.connection()
        self.artifacts: dict[str, pipeline.Artifact] = {}
        self.python_version = ""

    # -- setup -----------------------------------------------------------------------------------------
    def config(self, name: str = "yourapplication", project: Path | None = None):
        cfg = load_config(project or APPS / name, target_config=self.config_file)
        return replace(cfg, deploy_user=self.deploy_user)

    def bootstrap(self, name: str = "yourapplication") -> pipeline.BootstrapResult:
        result = pipeline.bootstrap(self.admin, self.config(name))
        self.python_version = result.python_version
        return result

    def artifact(self, name: str, project: Path | None = None) -> pipeline.Artifact:
        """The example release ``name`` (or the project at ``project``), packed once for the server's Python."""
        if name not in self.artifacts:
            self.artifacts[name] = pipeline.pack(project or APPS / name, self.config(name, project),
                                                 python_version=self.python_version or self.stack.python_version)
        return self.artifacts[name]

    @property
    def stack(self):
        """The server's stack (:mod:`deploytests.stacks`): where Apache keeps sites and logs there."""
        return self.server.stack

    def login(self):
        """A new, separate connection as the deploy user (close it when done)."""
        return self.server.new_connection(user=self.deploy_user)

    # -- actions ---------------------------------------------------------------------------------------
    def deploy(self, name: str, c=None, **kwargs) -> pipeline.DeployResult:
        """Deploy example release ``name`` (config of the v1 app: one tree, one vhost) as the deploy user."""
        own = c is None
        c = c or self.login()
        try:
            return pipeline.deploy(c, self.config(), self.artifact(name), **kwargs)
        finally:
            if own:
                c.close()

    def rollback(self, to: str | None = None, **kwargs) -> pipeline.DeployResult:
        c = self.login()
        try:
            return pipeline.rollback(c, self.config(), to, **kwargs)
        finally:
            c.close()

    # -- probes ----------------------------------------------------------------------------------------
    def sudo(self, command: str) -> str:
        res = self.admin.run(f"sudo -n sh -c {shlex.quote(command)}", hide=True, warn=True, in_stream=False)
        if res.exited != 0:
            raise AssertionError(f"on {self.server.label}: {command!r} exited {res.exited}:\n{res.stderr}")
        return res.stdout

    def status(self) -> pipeline.Status:
        return pipeline.status(self.admin, self.config())

    def releases(self) -> list[str]:
        """Every dir under releases/ (complete or not), sorted."""
        root = self.config().root
        return sorted(self.sudo(f"cd {root}/releases && find . -mindepth 1 -maxdepth 1 -type d "
                                f"-printf '%f\\n'").split())

    def live(self) -> str | None:
        return self.status().live

    def fingerprint(self) -> list[str]:
        """What bootstrap and deploy manage on the server, one line per entry (see :mod:`.fingerprint`)."""
        cfg = self.config()
        apache, program = self.stack.apache, shlex.quote(FINGERPRINT)
        paths = (cfg.root, apache.site_file(cfg.app), apache.sites_enabled, "/etc/sudoers.d")
        return self.sudo(f"python3 -c {program} {' '.join(map(shlex.quote, paths))}").splitlines()

    def url(self, path: str = "/") -> str:
        return self.server.base_url.rstrip("/") + path

    def get(self, path: str = "/") -> requests.Response:
        with requests.Session() as s:
            s.trust_env = False
            return s.get(self.url(path), timeout=10, allow_redirects=False)

    def serving(self) -> str | None:
        """The release id the site answers with (health path)."""
        resp = self.get(self.config().health_path)
        assert resp.status_code == 200, f"GET {resp.url} -> {resp.status_code}: {resp.text[:200]!r}"
        return resp.headers.get("X-Deploy-Release")


def fingerprint_diff(before: list[str], after: list[str]) -> str:
    """The lines only in ``before`` (-) or only in ``after`` (+), for assertion messages."""
    old, now = set(before), set(after)
    gone = [f"- {line}" for line in before if line not in now]
    new = [f"+ {line}" for line in after if line not in old]
    return "\n".join(gone[:20] + new[:20]) or "(identical)"


def example_release(where: Path, version: str) -> Path:
    """A copy of the example app with another version (``where/yourapplication-<version>``): same code,
    same deploy.toml (its config_file made absolute), its own VERSION file."""
    src, project = APPS / "yourapplication", where / f"yourapplication-{version}"
    project.mkdir(parents=True)
    for name in ("setup.py", "yourapplication"):
        (project / name).symlink_to(src / name)
    (project / "VERSION").write_text(version + "\n")
    config_file = load_config(src).config_file
    toml = re.sub(r'(?m)^config_file = .*$', f'config_file = "{config_file}"', (src / "deploy.toml").read_text())
    (project / "deploy.toml").write_text(toml)
    return project
