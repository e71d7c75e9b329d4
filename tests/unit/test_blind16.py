"""The misses of a blind fault set (faults written from the docs only, run on real containers), one class each:
each test fails on the gate before its fix and names the fault it was found by and another member of its class."""

from __future__ import annotations

import pytest
from stock import outcome

from tests.unit.test_closed_world import add_text, allowing, clean_facts, exp, failing  # noqa: F401 - exp: a fixture

SHARED = "/var/www/yourapplication/shared/data"


# ---- a link in a run-parts dir: run-parts runs what it reaches (it was skipped as a link)

@pytest.mark.parametrize("target", [
    f"{SHARED}/cleanup.sh",  # the blind fault: a script the app writes
    "../../var/www/yourapplication/current/venv/bin/python",  # the class: a relative link into the release
])
def test_a_link_run_parts_runs_is_judged_by_what_it_reaches(exp, target):
    facts = clean_facts()
    add_text(facts, "/etc/cron.daily/app-cleanup", f"-> {target}")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and "/etc/cron.daily/app-cleanup: runs " in msg["cw_schedules"], msg


def test_a_link_run_parts_skips_by_its_name_is_not_a_job(exp):
    facts = clean_facts()
    add_text(facts, "/etc/cron.daily/app.sh", f"-> {SHARED}/cleanup.sh")  # (a dot: run-parts skips it)
    assert outcome("cw_schedules", facts, exp) == "pass"


# ---- what a root unit's program loads by (Environment=), and a path in a ':' list, reach the app's tree

@pytest.mark.parametrize("env", [
    "PYTHONPATH=/var/www/yourapplication/current/venv/lib/python3.11/site-packages",  # the blind fault
    '"LD_PRELOAD=/usr/lib/libc.so.6:/var/www/yourapplication/current/venv/lib/libfast.so"',  # a list, 2nd entry
])
def test_a_root_units_environment_into_the_apps_tree_fails(exp, env):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/app-stats.service",
             f"[Service]\nType=oneshot\nEnvironment={env}\nExecStart=/usr/bin/python3 -m yourapplication.stats\n")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and "app-stats.service" in msg["cw_units"], msg


def test_a_root_config_line_in_another_syntax_naming_the_tree_fails(exp):
    facts = clean_facts()
    line = f":appx:E::appx::{SHARED}/runner:C"  # binfmt.d: the interpreter after '::'
    facts.remote["inventory"].setdefault("mentions", []).append(
        {"where": "/etc/binfmt.d/appx.conf:1", "file": "/etc/binfmt.d/appx.conf", "user": "root", "job": line})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and "/etc/binfmt.d/appx.conf:1" in msg["cw_schedules"], msg


# ---- a unit that runs as Apache's user: a process of it, started later (cw_processes accounts for each one running)

@pytest.mark.parametrize("user", ["www-data", "999"])  # the blind fault; the class: a watched user by uid (the app's)
def test_a_unit_of_apaches_user_fails(exp, user):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/cache-warm.service",
             f"[Service]\nUser={user}\nExecStart=/bin/sh /tmp/cache-warm.sh\n[Install]\nWantedBy=multi-user.target\n")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and "cache-warm.service" in msg["cw_units"], msg
    assert outcome("cw_units", facts, allowing(exp, units=("cache-warm.service",))) == "pass"


# ---- an import line of a .pth in the system Python's site dirs that no package ships: code in every root python3

@pytest.mark.parametrize("top", [
    "/usr/local/lib/python3.11/dist-packages",  # the blind fault (a root pip install's .pth)
    "/root/.local/lib/python3.11/site-packages",  # the class: root's own user site (pip install --user as root)
])
def test_an_import_line_of_a_pth_no_package_ships_fails(exp, top):
    import stat as s

    from tests.unit.test_allowed_effects import put, server

    facts = server()
    put(facts, f"{top}/ops-trace.pth", s.S_IFREG | 0o644)
    facts.raw.files[f"{top}/ops-trace.pth"]["data"] = "import os; os.environ.setdefault('OPS_TRACE', '1')\n"
    msg = outcome("cw_load_path", facts, exp)
    assert f"- {top}/ops-trace.pth:1: " in msg and "no package ships this .pth" in msg, msg
    facts.raw.files[f"{top}/ops-trace.pth"]["data"] = "# a comment, then a dir of root's\n/usr/share/ops\n"
    put(facts, "/usr/share/ops", s.S_IFDIR | 0o755, uid=0)
    assert outcome("cw_load_path", facts, exp) == "pass"
