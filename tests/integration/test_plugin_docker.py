"""The plugin on the docker target, end to end in a subprocess: xdist workers each with their own fleet and
the controller's summary of them; a failing check's diagnostics in the junit XML, without the config secret."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from deploytests.examples import APPS

pytestmark = pytest.mark.integration
APP = APPS / "yourapplication"
SECRET = "s3cr3t-do-not-print"


def test_xdist_workers_report_and_junit_carries_diagnostics(pytester):
    assert SECRET in (APP.parent.parent / "config" / "docker.cfg").read_text()  # the value we hunt for
    pytester.makepyfile(test_site="""
        def test_health(http):
            assert http.get("/health").status_code == 200

        def test_release_header(http, deployment, server):
            assert http.get("/").headers["X-Deploy-Release"] == deployment[server.label].release_id

        def test_fails_on_purpose(server):
            assert server.name == "not-this", "deliberate failure to get diagnostics"
    """)
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--app", str(APP), "--containers", "1",
                                           f"--junitxml={junit}", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(["*deploytests summary*", "[[]gw?[]] docker://web-1: release * deploy *"])
    assert {line[:5] for line in out.splitlines() if line.startswith("[gw")} == {"[gw0]", "[gw1]"}
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).iter("property")}
    assert any(name.endswith(": vhost /etc/apache2/sites-available/yourapplication.conf") for name in props)
    assert any("WSGIDaemonProcess yourapplication" in value for value in props.values())
    assert any("yourapplication==1.0" in value for value in props.values())
    assert SECRET not in out and SECRET not in junit.read_text()
