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
