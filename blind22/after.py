# ruff: noqa
"""Other members of the classes closed, written after reading the gate (not blind). Same shape as faults.py."""

ENTRIES = []


def member(id, area, inject, check, harm, kind="fault"):
    ENTRIES.append(dict(id=id, kind=kind, area=area, inject=inject.strip(), check=check.strip(), harm=harm))


# class 1: account settings the next bootstrap refuses (its own user checks against login.defs' uid ranges)
member("after-login-defs-uid-max-lowered", "users", r"""
sed -i 's/^UID_MAX.*/UID_MAX\t\t\t  999/' /etc/login.defs
""", r"""
grep -q '^UID_MAX[[:space:]]*999$' /etc/login.defs && [ $(id -u $DEPU) -gt 999 ]
""", "UID_MAX lowered below the deploy login's uid: the next bootstrap says the deploy login is not a login of this "
     "server and refuses it")

# class 2: dpkg's own state makes every apt run refuse (not a setting: an interrupted run, a package needing reinstall)
member("after-dpkg-package-needs-reinstall", "apt", r"""
python3 - <<'X'
import re
p = "/var/lib/dpkg/status"
s = open(p).read()
s2 = re.sub(r"(Package: procps\n(?:[^\n]+\n)*?)Status: install ok installed", r"\1Status: install reinstreq half-installed", s, count=1)
open(p, "w").write(s2)
X
""", r"""
apt-get install -y -q base-files 2>&1 | grep -q 'needs to be reinstalled'
""", "a package's unpack cut short (reinstreq half-installed): every apt run stops with 'needs to be reinstalled', so "
     "the stack takes no security update and the next bootstrap's package step fails")

# class 3 (a false alarm): a root link judged by its own lstat (0777) instead of what it reaches. Another control:
# the same move with a relative link, the target's group root (no adm on this server's logs)
member("after-ctl-apache-logs-behind-relative-link", "control", r"""
mkdir -p /srv/logs
mv /var/log/apache2 /srv/logs/apache2
chgrp root /srv/logs/apache2
ln -s ../../srv/logs/apache2 /var/log/apache2
apache2ctl graceful; sleep 3
""", r"""
[ -L /var/log/apache2 ] && [ "$(stat -c '%a %U %G' /srv/logs/apache2)" = "750 root root" ] && GET /health | head -n 1 | grep -q '^200$'
""", "Apache's logs moved behind a relative link, root's 0750, Apache reloaded", kind="control")

# class 4: a log Apache holds open removed from disk (it writes into a deleted file): another log, the access log of
# every vhost (Debian's other-vhosts-access-log.conf), removed by a disk clean-up
member("after-access-log-deleted-while-open", "logs", r"""
rm -f /var/log/apache2/other_vhosts_access.log
""", r"""
ls -l /proc/$(pgrep -o apache2)/fd 2>/dev/null | grep -q 'other_vhosts_access.log (deleted)'
""", "the access log of every site removed while Apache holds it: requests are logged into a deleted file until the "
     "next reload: no record of who asked what")
