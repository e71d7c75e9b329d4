"""What the next bootstrap checks, judged by the gate on the server as it stands (its users against login.defs' uid
ranges, as bootstrap's own check reads them: ``provision.users_problem``)."""

from __future__ import annotations

import pytest
from stock import outcome

from deploytests.verify.facts import Facts
from tests.unit.stock import with_stock_logins
from tests.unit.test_closed_world import clean_facts, exp  # noqa: F401 (the fixture)

DEFS = "UID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\n#SYS_UID_MIN\t\t  101\n#SYS_UID_MAX\t\t  999\n"


def with_accounts(defs: str = DEFS, *, passwd_extra: str = "") -> Facts:
    """A clean server whose root account files bootstrap reads are in the snapshot: the app user bootstrap made
    (uid 999, nologin), the deploy login appuser (uid 1000), its tree the deploy login's."""
    facts = with_stock_logins(clean_facts())
    files = facts.raw.files
    files["/etc/passwd"]["data"] += \
        "yourapplication:x:999:999::/var/www/yourapplication:/usr/sbin/nologin\n" + passwd_extra
    files["/etc/login.defs"] = {"st": [0o100644, 0, 0, len(defs), 1.0, 7], "data": defs}
    files["/var/lib/deploytests/users"] = {"st": [0o100644, 0, 0, 16, 1.0, 8], "data": "yourapplication\n"}
    files["/var/www/yourapplication"] = {"st": [0o42755, 1000, 999, 4096, 1.0, 9]}
    return facts


def test_a_clean_server_passes_what_the_next_bootstrap_checks(exp):  # noqa: F811
    assert outcome("app_user", with_accounts(), exp) == "pass"
    assert outcome("app_user", with_accounts(DEFS + "PASS_MAX_DAYS\t365\n"), exp) == "pass"  # (a policy: harmless)


@pytest.mark.parametrize("defs, says", [
    # the blind fault: UID_MIN raised for directory-service alignment, the deploy login (1000) below it
    (DEFS.replace(" 1000", "10000"), "deploy_user 'appuser' (uid 1000) is not a login of this server"),
    # other members: UID_MAX lowered below the deploy login; SYS_UID_MAX below the app user bootstrap made
    (DEFS.replace("60000", "  999"), "deploy_user 'appuser' (uid 1000) is not a login of this server"),
    (DEFS.replace("#SYS_UID_MAX\t\t  999", "SYS_UID_MAX\t\t  499"),
     "app_user 'yourapplication' is an existing account (uid 999) that bootstrap did not create"),
])
def test_account_settings_the_next_bootstrap_refuses_fail(exp, defs, says):  # noqa: F811
    found = outcome("app_user", with_accounts(defs), exp)
    assert found.startswith("fail: the next bootstrap") and says in found, found


def test_an_older_probe_without_login_defs_is_not_judged(exp):  # noqa: F811
    facts = with_accounts(DEFS.replace(" 1000", "10000"))
    del facts.raw.files["/etc/login.defs"]
    assert outcome("app_user", facts, exp) == "pass"


# ---------------------------------------------------------------- dpkg's own state that makes every apt run refuse

JOURNAL = "/var/lib/dpkg/updates"


def stanza(name: str, status: str) -> str:
    return f"Package: {name}\nStatus: {status}\nPriority: optional\nVersion: 1.0\n"


def with_status(extra: str) -> Facts:
    facts = with_stock_logins(clean_facts())
    entry = facts.raw.files.setdefault("/var/lib/dpkg/status", {"st": [0o100644, 0, 0, 0, 1.0, 10], "data": ""})
    entry["data"] = (entry.get("data") or stanza("base-files", "install ok installed")) + "\n" + extra
    return facts


@pytest.mark.parametrize("journal, extra, says", [
    (["0001"], "", "/var/lib/dpkg/updates/0001: dpkg was interrupted"),                    # the blind fault
    ([], stanza("procps", "install reinstreq half-installed"), "procps is 'install reinstreq half-installed'"),
    ([], stanza("procps", "install ok half-installed"), "procps is 'install ok half-installed'"),
])
def test_dpkg_state_that_stops_every_apt_run_fails(exp, journal, extra, says):  # noqa: F811
    facts = with_status(extra)
    facts.raw.dirs[JOURNAL] = journal + ["tmp.i"]
    found = outcome("sec_updates", facts, exp)
    assert found.startswith("fail: ") and says in found, found


def test_dpkg_at_rest_passes(exp):  # noqa: F811
    facts = with_status(stanza("old-lib", "deinstall ok config-files"))
    facts.raw.dirs[JOURNAL] = ["tmp.i"]  # (dpkg's own scratch name, not a journal entry)
    assert outcome("sec_updates", facts, exp) == "pass"


# ---------------------------------------------------------------- a root link judged by what it reaches

def with_log_dir_moved(mode: int, owner: int = 0) -> Facts:
    """Apache's log directory moved to another disk by root, a link of root's left in its place."""
    facts = with_stock_logins(clean_facts())
    files = facts.raw.files
    files["/var/log/apache2"] = {"st": [0o120777, owner, 0, 17, 1.0, 11], "link": "/srv/apache2-logs"}
    files["/srv"] = {"st": [0o40755, 0, 0, 4096, 1.0, 12]}
    files["/srv/apache2-logs"] = {"st": [0o40000 | mode, 0, 4, 4096, 1.0, 13]}
    return facts


def test_a_log_dir_moved_behind_roots_link_is_judged_by_what_it_reaches(exp):  # noqa: F811
    assert outcome("sec_logs", with_log_dir_moved(0o750), exp) == "pass"  # (the control: a link's own mode is 0777)
    found = outcome("sec_logs", with_log_dir_moved(0o755), exp)
    assert found.startswith("fail: ") and "/var/log/apache2 -> /srv/apache2-logs (0755 root:" in found, found


# ---------------------------------------------------------------- a log Apache holds open, gone from disk

def with_open_logs(logs: list[str], gone: str | None) -> Facts:
    """Apache's processes holding ``logs`` open (root's view of their fds), ``gone`` removed from disk since."""
    facts = with_stock_logins(clean_facts())
    procs = facts.raw.raw.setdefault("proc", {})
    for p in facts.get("apache") or []:
        procs.setdefault(str(p["pid"]), {})["open"] = [
            log + (" (deleted)" if gone and log.endswith("/" + gone) else "") for log in logs]
    return facts


@pytest.mark.parametrize("gone", ["error.log"])  # (the fixture's configuration in force names this one)
def test_a_log_removed_while_apache_holds_it_fails_in_one_line(exp, gone):  # noqa: F811
    facts = with_open_logs(["/var/log/apache2/error.log", "/var/log/apache2/other_vhosts_access.log"], gone)
    found = outcome("sec_logs", facts, exp)
    assert found.startswith("fail: ") and f"/var/log/apache2/{gone} (" in found and \
        "removed while Apache holds it open" in found and found.count("- /var/log/apache2/") == 1, found


def test_apaches_logs_all_there_pass(exp):  # noqa: F811
    facts = with_open_logs(["/var/log/apache2/error.log", "/var/log/apache2/other_vhosts_access.log"], None)
    assert outcome("sec_logs", facts, exp) == "pass"
