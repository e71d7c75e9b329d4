"""The header's rollout line describes this run's rollout: its phases over its hosts, and the gate those phases
get (between phases: every promise and the project's tests; one phase: the light check, the suite follows)."""

from pathlib import Path

from deploytests.plugin.reporting import rollout_text
from deploytests.settings import resolve

HOSTS = ["docker://web-1", "docker://web-2", "docker://web-3"]


def header(cli, hosts=HOSTS):
    settings = resolve(cli=cli, env={}, ini={}, cwd=Path("/work"), ini_dir=Path("/work"))
    return rollout_text(settings, hosts)


def test_a_rollout_of_several_phases_says_them_and_their_gate_only():
    text = header({"canary": "1", "batch": "1"})
    assert "3 phases over 3 hosts" in text, text
    assert "gate between phases: every built-in promise" in text, text
    assert "one phase" not in text and "the suite follows" not in text, text


def test_a_rollout_that_is_one_phase_says_its_own_gate_not_the_phases_one():
    for cli, hosts in (({"batch": "100%"}, HOSTS), ({"canary": "1", "batch": "1"}, HOSTS[:1])):
        text = header(cli, hosts)
        assert "1 phase over" in text, text
        assert "gate: the release live per its agent + its health URL; the suite follows" in text, text
        assert "between phases" not in text, text


def test_rolling_is_one_host_a_phase():
    text = header({"rolling": True})
    assert text.startswith("one host at a time, stopping at the first failure (--rolling); 3 phases"), text
