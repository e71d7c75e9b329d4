"""`fab` against an inventory target with two hosts: bootstrap, then the recipe (`fab pack deploy`) on both in
parallel, one progress line per host per step; both hosts then serve the same new release over HTTP, and
`fab target NAME status` (the target named before the tasks) lists it live on both. `fab -H a,b deploy` on a
fleet mixing Debian 12 and 13 deploys both, each with the artifact built for its own Python."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from deploytests import stacks
from deploytests.containers import Fleet
from deploytests.examples import APPS

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def fab(*args, env):
    return subprocess.run([str(Path(sys.executable).parent / "fab"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


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
        assert "[fleet]" not in status.stdout, status.stdout  # one version everywhere: nothing to add
        # a host that cannot be reached before the rollout begins (a name that does not resolve), with the
        # default --max-failed 0: the phase does not start, the others are not switched there and back
        ghost = '{ name = "ghost", address = "appuser@ghost.invalid:22", base_url = "http://ghost.invalid" }, '
        text = inventory.read_text()
        inventory.write_text(text + text.replace("[targets.fleet]", "[targets.ghost]").replace("hosts = [",
                                                                                                 "hosts = [" + ghost))
        lost = fab("pack", "deploy", "--target", "ghost", env=dict(env, DEPLOYTESTS_APP=str(APPS /
                                                                                           "yourapplication-v2")))
        out = lost.stdout + lost.stderr
        assert lost.returncode == 1 and "rollout STOPPED, 2 hosts untouched" in out, out
        assert re.search(r"^ssh://appuser@ghost +all +unknown \(cannot resolve the host name 'ghost\.invalid'", out,
                         re.M), out
        for server in fleet.servers:
            assert "untouched (not attempted: ssh://appuser@ghost could not be reached before all began)" in out, out
            assert requests.get(server.base_url + "/", timeout=5).headers["X-Deploy-Release"] == release
        assert " upload " not in out and "rolled back" not in out, out
        # a release that reached one host only (here a target of one; a rollout killed part way is the same):
        # status says, in one line, that the fleet is mixed and which host serves what
        first, second = fleet.servers
        inventory.write_text(inventory.read_text() + f"""
[targets.first]
hosts = [{{ name = "{first.name}", address = "appuser@{first.host}:{first.port}", base_url = "{first.base_url}" }}]
identity_file = "{fleet.key.path}"
known_hosts = "{fleet.known_hosts}"
deploy = true
""")
        one = fab("pack", "deploy", "--target", "first", env=dict(env, DEPLOYTESTS_APP=str(APPS /
                                                                                          "yourapplication-v2")))
        assert one.returncode == 0, one.stdout + one.stderr
        status = fab("target", "fleet", "status", env=env)
        assert status.returncode == 0, status.stdout + status.stderr
        assert re.search(rf"^\[fleet\] mixed: 1 serves version 2\.0: ssh://appuser@{first.name}; 1 serves version "
                         rf"1\.0: ssh://appuser@{second.name} \(", status.stdout, re.M), status.stdout


def test_fab_h_deploys_a_fleet_mixing_debian_12_and_13():
    """Issue 19: `fab -H a,b deploy` packed for one Python and the Debian 13 host refused the artifact. Now the
    hosts come from Fabric's own per-host Connections, each host's Python is read, and each gets its artifact."""
    bookworm, trixie = stacks.for_platform("debian12"), stacks.for_platform("debian13")
    with Fleet(count=2, name_prefix="fabmix", mix=[(bookworm.image, bookworm.base_image),
                                                    (trixie.image, trixie.base_image)],
               progress=lambda m: None) as fleet:
        hosts = ",".join(f"appuser@{s.host}:{s.port}" for s in fleet.servers)
        env = dict(os.environ, DEPLOYTESTS_KNOWN_HOSTS=str(fleet.known_hosts),
                   DEPLOYTESTS_APP=str(APPS / "yourapplication"))
        for name in ("DEPLOYTESTS_TARGET", "DEPLOYTESTS_TARGETS"):
            env.pop(name, None)
        key = str(fleet.key.path)
        boot = fab("-H", hosts, "-i", key, "bootstrap", env=env)
        assert boot.returncode == 0, boot.stdout + boot.stderr
        result = fab("-H", hosts, "-i", key, "deploy", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        for python in (bookworm.python_version, trixie.python_version):  # one pack per server Python
            assert re.search(rf"^\[runner\] pack .*; Python {re.escape(python)}, x86_64\)$", result.stdout, re.M), \
                result.stdout
        served = {}
        for server in fleet.servers:
            label = f"appuser@{server.host}:{server.port}"
            assert re.search(rf"^\[{re.escape(label)}\] live: \S+ \(1\.0\)", result.stdout, re.M), result.stdout
            res = requests.get(server.base_url + "/health", timeout=10)
            assert res.status_code == 200, res.text
            served[server.name] = res.headers["X-Deploy-Release"]
        shas = {rid.rsplit("-", 1)[1] for rid in served.values()}
        assert len(shas) == 2, served  # two artifacts: one per Python
