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
