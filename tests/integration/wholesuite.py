"""Shared by the integration tests that point the whole built-in suite at one server as a real target."""

from __future__ import annotations

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
