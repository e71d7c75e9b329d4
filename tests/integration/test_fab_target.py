"""`fab` against an inventory target with two hosts: bootstrap, then the recipe (`fab pack deploy`) on both in
parallel, one progress line per host per step; both hosts then serve the same new release over HTTP, and
`fab target NAME status` (the target named before the tasks) lists it live on both."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from deploytests.containers import Fleet
from deploytests.examples import APPS

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def fab(*args, env):
    return subprocess.run(["fab", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_fab_target_with_two_hosts(tmp_path):
    with Fleet(count=2, name_prefix="fab", progress=lambda m: None) as fleet:
        hosts = ", ".join(f'{{ name = "{s.name}", address = "appuser@{s.host}:{s.port}", base_url = "{s.base_url}" }}'
                          for s in fleet.servers)
        inventory = tmp_path / "targets.toml"
        inventory.write_text(f"""
[targets.fleet]
hosts = [{hosts}]
identity_file = "{fleet.key.path}"
known_hosts = "{fleet.known_hosts}"
deploy = true
""")
        env = dict(os.environ, DEPLOYTESTS_TARGETS=str(inventory),
                   DEPLOYTESTS_APP=str(APPS / "yourapplication"))
        boot = fab("bootstrap", "--target", "fleet", env=env)
        assert boot.returncode == 0, boot.stdout + boot.stderr
        result = fab("pack", "deploy", "--target", "fleet", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        out = result.stdout
        for server in fleet.servers:
            label = f"ssh://appuser@{server.name}"
            for step in ("upload", "install", "gate"):
                assert re.search(rf"^\[{re.escape(label)}\] {step} +\d+\.\d\ds", out, re.M), out
        live = {requests.get(s.base_url + "/", timeout=5).headers["X-Deploy-Release"] for s in fleet.servers}
        assert len(live) == 1 and re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", release := live.pop())
        # the target named before the tasks, like -H (Fabric refuses `fab --target NAME ...` itself)
        status = fab("target", "fleet", "status", env=env)
        assert status.returncode == 0, status.stdout + status.stderr
        for server in fleet.servers:
            assert f"[ssh://appuser@{server.name}] * {release}  1.0" in status.stdout, status.stdout
