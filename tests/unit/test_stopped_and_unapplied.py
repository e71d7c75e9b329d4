"""Mechanisms present but not in effect (a blind fault set written from the docs only, before its writer read the
gate): a process the pipeline relies on that is stopped by a signal, a sudo rule the deploys rely on that sudo does
not apply. Each was missed by the gate before (shown failing here first); the other members are in the tests."""

from __future__ import annotations

import pytest
from stock import outcome

from tests.unit.test_closed_world import clean_facts, exp  # noqa: F401 - the fixture


# ---------------------------------------------------------------- a relied-on process stopped (state T)

def test_a_stopped_daemon_fails_and_running_ones_pass(exp):  # noqa: F811
    """Class: a process the pipeline relies on that is there but stopped (kill -STOP: state T) counts as running.
    The blind set's member: an app daemon stopped (its requests hang, no reload restarts it)."""
    facts = clean_facts()
    assert outcome("daemon_code", facts, exp) == "pass"
    facts.remote["daemons"][0]["state"] = "T"
    pid = facts.remote["daemons"][0]["pid"]
    found = outcome("daemon_code", facts, exp)
    assert found.startswith(f"fail: mod_wsgi daemons of yourapplication: pid {pid} (yourapplication, ") and \
        "is stopped (state T: kill -STOP)" in found and "kill -CONT" in found, found
    facts.remote["daemons"][0]["state"] = "t"  # a tracer's stop: the trace rule's line, not this one
    assert outcome("daemon_code", facts, exp) == "pass"


@pytest.mark.parametrize("who", ["parent", "worker"])
def test_a_stopped_apache_parent_or_worker_fails(exp, who):  # noqa: F811
    """Other members, written after reading the gate: Apache's root parent stopped (no reload reaches it: the
    deploys' graceful is a signal) and one of its workers stopped (the connections it holds hang)."""
    facts = clean_facts()
    assert outcome("apache", facts, exp) == "pass"
    procs = facts.remote["apache"]
    target = next(p for p in procs if (p["user"] == "root") == (who == "parent"))
    target["state"] = "T"
    found = outcome("apache", facts, exp)
    assert found.startswith(f"fail: Apache runs on docker://web-1 but pid {target['pid']} (") and \
        ("no reload" in found) == (who == "parent") and "kill -CONT" in found, found
