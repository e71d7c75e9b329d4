# ruff: noqa
"""Other members of each class fixed, written after reading the gate (not blind): run with ``measure.py --after``."""

ENTRIES = []


def member(id, area, inject, check, harm):
    ENTRIES.append(dict(id=id, kind="fault", area=area, inject=inject.strip(), check=check.strip(), harm=harm))


member("after-apache-parent-stopped", "mechanisms", r"""
kill -STOP $(pgrep -u root -o -x apache2)
""", r"""grep -q '^State:.*T' /proc/$(pgrep -u root -o -x apache2)/status""",
       "Apache's root parent stopped: no reload (a signal to it) takes effect")

member("after-apache-worker-stopped", "mechanisms", r"""
P=$(pgrep -u www-data -x apache2 | head -n 1); kill -STOP $P
""", r"""for p in $(pgrep -u www-data -x apache2); do grep -q '^State:.*T' /proc/$p/status && exit 0; done; exit 1""",
       "one of Apache's workers stopped: the connections it holds hang")

member("after-sudoers-moved-to-subdir", "mechanisms", r"""
mkdir -p /etc/sudoers.d/old; mv /etc/sudoers.d/appuser /etc/sudoers.d/deploytests-* /etc/sudoers.d/old/
""", r"""! sudo -l -U $DEPU 2>/dev/null | grep -q venv/bin/python""",
       "a tidy moved the rule files into a subdirectory sudo does not read: deploys' sudo -n -u <app> is refused")

member("after-hash-line-in-srv-note", "grants", r"""
useradd -m -s /bin/bash ops4; echo 'ops4:Spring-2026-y' | chpasswd
mkdir -p /srv/notes; grep '^ops4:' /etc/shadow > /srv/notes/todo.txt; chmod 644 /srv/notes/todo.txt
""", r"""grep -q '^ops4:[$]' /srv/notes/todo.txt && test "$(stat -c %a /srv/notes/todo.txt)" = 644""",
       "an admin's shadow line pasted into a note in /srv, world-readable")
