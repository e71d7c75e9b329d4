"""--target against a server the harness did not start: a container brought up by hand (Fleet, outside the
plugin), described by a targets.toml that points at its 127.0.0.1 port with its host key in a known_hosts file.

The plugin's run is a subprocess (``runpytest_subprocess``) on the real suite: deploy = true deploys and
verifies; deploy = false only verifies and skips the rest with reasons; a wrong host key stops the run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deploytests.containers import Fleet
from deploytests.examples import APPS
from deploytests.ssh import known_hosts_line

pytestmark = pytest.mark.integration
SUITE = Path(__file__).resolve().parents[2] / "deploytests" / "suite"
APP = APPS / "yourapplication"


@pytest.fixture(scope="module")
def staging_server():
    with Fleet(count=1, name_prefix="staging", progress=lambda msg: None) as fleet:
        yield fleet.servers[0]


def inventory(pytester, server, *, deploy: bool, known_hosts: str | None = None) -> Path:
    kh = pytester.path / "known_hosts"
    kh.write_text(known_hosts if known_hosts is not None else Path(server.known_hosts).read_text())
    return pytester.makefile(".toml", targets=f"""
        [targets.staging]
        hosts = ["{server.user}@{server.host}:{server.port}"]
        identity_file = "{server.key_filename}"
        known_hosts = "known_hosts"
        base_url = "{server.base_url}"
        deploy = {str(deploy).lower()}
        destructive = false
    """)


def run_suite(pytester, *args):
    return pytester.runpytest_subprocess(str(SUITE), "--target", "staging", "--app", str(APP),
                                         "--targets-file", str(pytester.path / "targets.toml"),
                                         "-p", "no:cacheprovider", "-rs", *args)


def test_deploy_true_deploys_and_verifies(pytester, staging_server):
    inventory(pytester, staging_server, deploy=True)
    result = run_suite(pytester)
    label = f"ssh://appuser@127.0.0.1:{staging_server.port}"
    result.stdout.fnmatch_lines(["deploytests: target 'staging': 1 host over SSH*",
                                 "*deploytests summary*", f"{label}: release * bootstrap *s, deploy *s, verify *s"])
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("error", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 20


@pytest.fixture
def live_release(staging_server) -> str:
    """A release live on the staging server, deployed here with the library (as ``fab pack deploy`` does), so the
    read-only run below does not depend on another test having deployed first."""
    from deploytests import pipeline
    from deploytests.config import load_config

    cfg = load_config(APP)
    c = staging_server.connection()
    boot = pipeline.bootstrap(c, cfg)
    art = pipeline.pack(APP, cfg, python_version=boot.python_version, machine=boot.machine)
    return pipeline.deploy(c, cfg, art).release_id


def test_deploy_false_only_verifies(pytester, staging_server, live_release):
    inventory(pytester, staging_server, deploy=False)
    result = run_suite(pytester)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("error", 0) == 0, result.stdout.str()
    out = result.stdout.str()
    skips: dict[str, int] = {}
    for n, reason in re.findall(r"^SKIPPED \[(\d+)\] \S+: (.*)$", out, re.M):
        skips[reason] = skips.get(reason, 0) + int(n)
    no_deploy = "target 'staging' does not allow deploys (deploy = false in the targets file)"
    no_destructive = "target 'staging' does not allow destructive tests (destructive = false in the targets file)"
    # the whole gate runs read-only (provenance compared with the runner's artifact the live record names): only the
    # destructive scenarios are skipped, and they say why
    assert set(skips) == {no_destructive}, out
    assert no_deploy not in out and sum(skips.values()) == outcomes["skipped"], out
    assert outcomes["passed"] >= 34, out
    result.stdout.fnmatch_lines(["*rights: deploy=no, destructive=no; verifying what is live*"])


def test_wrong_host_key_stops_the_run(pytester, staging_server):
    wrong = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    inventory(pytester, staging_server, deploy=True,
              known_hosts=known_hosts_line(staging_server.host, staging_server.port, wrong))
    result = run_suite(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*deploytests: ssh://appuser@127.0.0.1:*: host key CHANGED: server offered *"])
    assert "passed" not in result.stdout.str().splitlines()[-1]


def test_read_only_run_names_both_versions_when_the_installed_one_was_altered(pytester, staging_server):
    """Production without deploy rights: the installed distribution's version no longer matches what was
    shipped (edited in the live venv); the read-only gate fails, naming the installed and the recorded version, and
    its drift section names the file changed."""
    inventory(pytester, staging_server, deploy=False)
    c = staging_server.connection()
    site = "/var/www/yourapplication/current/venv/lib/python3.11/site-packages/yourapplication-1.0.dist-info"
    c.run(f"sudo -n sed -i 's/^Version: 1.0$/Version: 1.0.dev1/' {site}/METADATA", hide=True)
    try:
        result = run_suite(pytester, "-k", "installed")
    finally:
        c.run(f"sudo -n sed -i 's/^Version: 1.0.dev1$/Version: 1.0/' {site}/METADATA", hide=True)
    out = result.stdout.str()
    # one root cause; the comparison with the artifact skips, saying why (a run that deploys nothing packs nothing:
    # packing runs the repository's build here), and the drift section names the file changed since the deploy
    assert result.parseoutcomes().get("failed") == 1, out
    assert "yourapplication 1.0.dev1 is installed in the live venv" in out and \
        "but current/RELEASE.json records version 1.0" in out, out
    assert "not compared" in out and "a run that deploys nothing packs nothing" in out, out
    assert "1 changed (lib/python3.11/site-packages/yourapplication-1.0.dist-info/METADATA)" in out, out
