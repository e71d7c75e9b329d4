"""Shared by the integration tests that point the whole built-in suite at one server as a real target."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "deploytests" / "suite"
APP = ROOT / "deploytests" / "examples" / "apps" / "yourapplication"


def run_whole_suite(pytester, name: str, host: str, *, key, known_hosts, base_url: str):
    """Write a one-host inventory ``name`` (deploy, not destructive), run the whole suite against it with the
    example app in a subprocess, and assert nothing failed or errored and at least 20 checks passed."""
    pytester.makefile(".toml", targets=f"""
        [targets.{name}]
        hosts = ["{host}"]
        identity_file = "{key}"
        known_hosts = "{known_hosts}"
        base_url = "{base_url}"
        deploy = true
        destructive = false
    """)
    result = pytester.runpytest_subprocess(str(SUITE), "--target", name, "--app", str(APP), "--targets-file",
                                           str(pytester.path / "targets.toml"), "-p", "no:cacheprovider", "-rfE")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("error", 0) == 0, result.stdout.str()[-6000:]
    assert outcomes["passed"] >= 20
    return result


def gate_read_only(tmp_path: Path, fleet, extra: str = "") -> tuple[dict[str, tuple[str, str]], str]:
    """The built-in promises read-only against the fleet's first server as a real target ``ops`` (``extra``: more
    lines of its table), the example app, in a subprocess: ``{test name: (failure message, failure text)}`` of
    the tests that failed or errored, and the run's output."""
    s = fleet.servers[0]
    (tmp_path / "targets.toml").write_text(
        f'[targets.ops]\nhosts = [{{ name = "web", address = "{s.user}@{s.host}:{s.port}", base_url = '
        f'"{s.base_url}" }}]\nidentity_file = "{fleet.key.path}"\nknown_hosts = "{fleet.known_hosts}"\n'
        f'deploy = false\n{extra}')
    junit = tmp_path / "junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYTESTS_", "PYTEST_ADDOPTS"))}
    proc = subprocess.run([sys.executable, "-m", "pytest", str(SUITE / "test_promises.py"), "--target", "ops",
                           "--targets-file", str(tmp_path / "targets.toml"), "--app", str(APP), "-p",
                           "no:cacheprovider", "-q", "--junitxml", str(junit)], cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert len(cases) > 40, proc.stdout.decode()[-3000:]
    failed = {}
    for case in cases:
        node = case.find("failure") if case.find("failure") is not None else case.find("error")
        if node is not None:
            failed[case.get("name", "")] = (node.get("message") or "", node.text or "")
    return failed, proc.stdout.decode(errors="replace")

