"""The config's secret appears in no output, log or report of a whole plugin run.

A real run of the suite (one container, a subprocess) with ``--junitxml`` and ``-rA`` (every test's captured
output in the terminal report), plus one test that fails on purpose so the report carries the diagnostics
sections (Apache error log, vhost, .wsgi, releases, installed distributions) and prints the server's Apache logs
into its captured output. The secret value of the uploaded config must be in none of it. The rest of the least-privilege
scenario (deploy user without sudo, daemons not root, config 0640) is
``deploytests/suite/test_lifecycle.py::test_deploy_user_without_sudo_deploys_and_nothing_runs_as_root``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploytests.config import load_config
from deploytests.redaction import secrets_of
from deploytests.suite.lab import APPS

pytestmark = pytest.mark.integration

SUITE = Path(__file__).resolve().parents[2] / "deploytests" / "suite"

FAILS_ON_PURPOSE = '''
def test_fails_on_purpose_with_the_apache_logs_in_its_output(server, testinfra_host):
    logs = testinfra_host.run("sudo -n sh -c 'cat /var/log/apache2/*.log'")
    print(logs.stdout)
    assert logs.rc == 0 and "GET /health" in logs.stdout
    assert False, "failing on purpose: the report must carry diagnostics, never the secret"
'''


def test_secret_in_no_output_log_or_report(pytester):
    app = APPS / "yourapplication"
    secrets = secrets_of(load_config(app).config_file).keyed
    assert secrets == ("s3cr3t-do-not-print",)
    extra = pytester.makepyfile(test_on_purpose=FAILS_ON_PURPOSE)
    junit = pytester.path / "report.xml"
    result = pytester.runpytest_subprocess(
        str(SUITE / "test_promises.py"), str(extra), "--containers", "1",
        "--app", str(app), "--junitxml", str(junit), "-rA", "-v", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1 and outcomes.get("passed", 0) >= 20, result.stdout.str()[-3000:]
    out = result.stdout.str() + result.stderr.str()
    assert "deploytests docker://web-1: Apache error log" in out and "GET /health" in out  # the report is full
    for where, text in {"terminal output": out, "junit xml": junit.read_text()}.items():
        assert not any(s in text for s in secrets), f"the config's secret appears in the {where}"
