"""One root cause, one failure, on a real server: bootstrapped, nothing deployed. The read-only gate fails
once (``test_current_is_a_complete_release``: nothing deployed) and skips every check of the live release with
that reason. And the bootstrap-time noise is gone: no ``init_fs_encoding`` in Apache's error log (the daemons'
python-home exists from bootstrap on); the site answers 503 "nothing deployed yet"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.examples import APPS
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration
SUITE = Path(__file__).resolve().parents[2] / "deploytests" / "suite"
APP = APPS / "yourapplication"


@pytest.fixture(scope="module")
def fresh(pytestconfig):
    """One container, bootstrapped, nothing deployed. Module-scoped, so it is made before ``pytester``
    snapshots ``sys.modules`` (modules first imported inside that snapshot, e.g. cryptography's for the client
    key, are dropped after the test and re-imported later against their already-loaded native parts)."""
    with Fleet(count=1, name_prefix="rootcause", progress=lambda msg: None) as fleet:
        pipeline.bootstrap(fleet.servers[0].connection(), load_config(APP))
        yield fleet.servers[0], fleet.containers[0]


def test_nothing_deployed_fails_once_and_skips_its_dependents(pytester, fresh):
    server, container = fresh
    # the daemons start (or, before, failed and retried) on their own
    wait_until(lambda: "(wsgi:" in container.exec_run(["ps", "-eo", "args"]).output.decode(),
               what="the app's mod_wsgi daemons to start", timeout=10, interval=0.1)
    log = container.exec_run(["cat", "/var/log/apache2/error.log"]).output.decode()
    assert "init_fs_encoding" not in log and "Fatal Python error" not in log, log
    first = container.exec_run(["curl", "-s", "-i", "-H", "Host: localhost", "http://127.0.0.1/"]).output.decode()
    assert first.startswith("HTTP/1.1 503") and "nothing deployed yet" in first, first
    pytester.makefile(".toml", targets=f"""
        [targets.fresh]
        hosts = ["{server.user}@{server.host}:{server.port}"]
        identity_file = "{server.key_filename}"
        known_hosts = "{server.known_hosts}"
        base_url = "{server.base_url}"
        deploy = false
    """)
    result = pytester.runpytest_subprocess(str(SUITE / "test_promises.py"), "--target", "fresh", "--app", str(APP),
                                           "--targets-file", str(pytester.path / "targets.toml"),
                                           "-p", "no:cacheprovider", "-rs")
    out = result.stdout.str()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1 and "test_current_is_a_complete_release" in out, out
    assert "nothing deployed: /var/www/yourapplication/current does not exist" in out, out
    reason = "nothing deployed: /var/www/yourapplication/current does not exist " \
             "(the root failure is test_current_is_a_complete_release)"
    skipped = sum(int(n) for n, why in re.findall(r"^SKIPPED \[(\d+)\] \S+: (.*)$", out, re.M) if why == reason)
    assert skipped == outcomes.get("skipped") and skipped >= 10, out
