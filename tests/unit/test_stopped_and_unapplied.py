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


# ---------------------------------------------------------------- the deploys' sudo rule not in force

LISTING = ("Matching Defaults entries for appuser on web:\t    env_reset\t\tUser appuser may run the following "
           "commands on web:\t    (yourapplication) NOPASSWD: /var/www/yourapplication/releases/*/venv/bin/python\t")


def test_the_deploy_rule_sudo_does_not_apply_fails_when_the_gates_login_is_the_deploy_login(exp):  # noqa: F811
    """Class: the sudo rule deploys rely on is on disk and exact, but sudo does not apply it. The blind set's
    member: the @includedir line dropped from /etc/sudoers (sudo then asks the deploy login a password for
    everything, and the root checks skip: the gate passed). Other members: the rule file moved into a
    subdirectory of /etc/sudoers.d (sudo reads none): the same listing, nothing of it; a later line for the app
    user asking a password (sudo takes the last matching line)."""
    facts = clean_facts()
    facts.remote.update(login="appuser", as_root=False, sudo_refused="sudo: a password is required",
                        sudo_list="sudo: a password is required")
    found = outcome("sudo", facts, exp)
    assert found.startswith("fail: sudo asks the deploy login appuser a password on docker://web-1 and does not "
                            "apply bootstrap's rule (appuser may run /var/www/yourapplication/releases/*/venv/bin/"
                            "python as yourapplication, NOPASSWD"), found
    facts.remote["sudo_list"] = LISTING  # a deploy login without root (least privilege): its rule applied
    assert outcome("sudo", facts, exp).startswith("skip: appuser has no passwordless sudo")
    facts.remote["sudo_list"] = LISTING + "    (yourapplication) PASSWD: ALL\t"  # shadowed: the last line asks one
    assert "its sudo -n -l lists no such rule" in outcome("sudo", facts, exp)  # (sudo takes the last matching line)
    facts.remote.update(login="reader", sudo_list="sudo: a password is required")  # a read-only gate's own login
    assert outcome("sudo", facts, exp).startswith("skip: reader has no passwordless sudo")
