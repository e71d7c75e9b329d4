"""The rollout gate of hosts given by ``fab -H`` (no target, so no allowances): its hints must say where an
allowance can be written, since ``-H`` hosts have no table of targets.toml to write it in."""

from __future__ import annotations

import copy
import json
import types
from pathlib import Path

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import gate
from deploytests.verify.facts import Facts

RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())


def test_a_hint_for_h_hosts_says_they_need_a_target_to_hold_an_allowance(monkeypatch):
    facts = Facts("ssh://appuser@10.0.0.5", remote=copy.deepcopy(RECORDED))
    facts.remote["inventory"]["texts"].append({"path": "/etc/cron.d/report", "text": "* * * * * appuser /bin/true\n"})
    monkeypatch.setattr(gate, "facts_of", lambda server, cfg: facts)
    host = types.SimpleNamespace(host="10.0.0.5", port=22, name="10.0.0.5", user="appuser")
    problems = gate.host_problems(host, load_config(APPS / "yourapplication"), deployed=None)
    assert len(problems) == 1 and problems[0].startswith("test_no_unaccounted_scheduled_jobs: "), problems
    assert 'allow_cron = ["/etc/cron.d/report sha256:' in problems[0], problems
    assert "fab target NAME" in problems[0] and "-H" in problems[0], problems


def test_the_rollout_gates_5xx_names_the_exception_the_app_logged(monkeypatch):
    """Seen as a user: `fab target kept pack deploy` of a release whose template raised on `/` was rolled back with
    `gate: test_homepage_is_the_app: GET / answered 500`, while pytest's report of the same fault named the app's
    exception (`the app logged jinja2.exceptions.TemplateAssertionError: No filter named ...`). Class: the app's
    logged error behind a 5xx named by one path of the gate and not another. Other member: the health path's 5xx
    (test_health_from_runner), in the same line."""
    from tests.unit.test_promises import clean_facts, response

    facts = clean_facts()
    facts.responses["/"] = response(500, body="<title>500 Internal Server Error</title>")
    monkeypatch.setattr(gate, "facts_of", lambda server, cfg: facts)
    from deploytests.untrusted import GUTTER
    from deploytests.verify import diagnostics

    seen = []  # the server's diagnostics, as root's collector reads the Apache error log
    monkeypatch.setattr(diagnostics, "collect", lambda server, app, root, deploy_user=None: seen.append(server) or {
        diagnostics.APP_ERROR: GUTTER + "jinja2.exceptions.TemplateAssertionError: No filter named 'nosuchfilter'."})
    host = types.SimpleNamespace(host="127.0.0.1", port=2222, name="web-1", user="appuser", label="docker://web-1")
    problems = gate.host_problems(host, load_config(APPS / "yourapplication"), deployed=None)
    assert [p for p in problems if p.startswith("test_homepage_is_the_app: ")] == [
        "test_homepage_is_the_app: GET / answered 500: the app logged jinja2.exceptions.TemplateAssertionError: No "
        "filter named 'nosuchfilter'."], problems
    facts.responses["/health"] = response(503, body="down", path="/health")
    problems = gate.host_problems(host, load_config(APPS / "yourapplication"), deployed=None)
    health = [p for p in problems if p.startswith("test_health_from_runner: ")]
    assert len(health) == 1 and health[0].endswith(": the app logged jinja2.exceptions.TemplateAssertionError: No "
                                                   "filter named 'nosuchfilter'."), problems
    facts.responses["/"] = response(body="yourapplication 1.0")
    facts.responses["/health"] = response(body='{"status":"ok"}', path="/health")
    seen.clear()
    gate.host_problems(host, load_config(APPS / "yourapplication"), deployed=None)
    assert seen == []  # no 5xx: nothing more is read from the server
