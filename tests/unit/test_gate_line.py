"""The gate's one line per failed promise in a rollout (``fab deploy``'s table, the phase line): it keeps the
allowance or switch that says what to do, whatever the length of the explanation before it."""

from deploytests.verify.gate import _line

CRON = ("1 scheduled job not accounted for (not made by deploytests, not on a stock server of this stack, not "
        "allowed):\n  - /etc/cron.d/gallery-clearsessions:2: runs 'cd /var/www/gallery/current && "
        "DJANGO_SETTINGS_MODULE=config.settings_production venv/bin/django-admin clearsessions' as gallery from the "
        "app's tree (/var/www/gallery): it works in /var/www/gallery/current (the app's tree): code on a schedule "
        "with that user's rights, outside any deploy (root reads or writes there what the deploy login or the app "
        "can change; a link planted there redirects it). if it is meant to be there, allow it: allow_cron = "
        '["/etc/cron.d/gallery-clearsessions"] in /srv/app/targets.toml:19\n  - /etc/cron.d/other:1: ...')
SKIP = ("1 process not accounted for (not made by deploytests, not on a stock server of this stack, not "
        "allowed):\n- pid 7 (gallery) 'sleep 1000': " + "x" * 500 + "\nif this is meant to be so, switch the rule "
        'off with a reason: skip_rules = { cw_processes = "..." } in /srv/app/targets.toml:19')


# Class: the one line of a failed promise cut before what to do. fab's rollout showed a cron job's finding as
# "... code on a schedule..." (cut at 400 characters): the allowance the message ends with, the one thing the
# user needs, was gone. Other member: the switch of a rule without an allowance (skip_rules), on a line of its
# own, never reached the one line even when short.
def test_the_allowance_survives_the_cut():
    line = _line(CRON)
    assert line.endswith('allow_cron = ["/etc/cron.d/gallery-clearsessions"] in /srv/app/targets.toml:19'), line
    assert line.startswith("1 scheduled job not accounted for") and len(line) <= 400 and "\n" not in line


def test_a_rule_switch_on_its_own_line_is_kept():
    line = _line(SKIP)
    assert line.endswith('skip_rules = { cw_processes = "..." } in /srv/app/targets.toml:19'), line
    assert len(line) <= 400 and "pid 7" in line
    short = _line(SKIP.replace("x" * 500, "x"))
    assert "'sleep 1000': x if this is meant to be so" in short, short


def test_a_message_without_a_fix_is_cut_at_its_end():
    assert _line("a" * 500).endswith("...") and len(_line("a" * 500)) == 400
    assert _line("GET / -> 500\nassert 500 == 200") == "GET / -> 500"
