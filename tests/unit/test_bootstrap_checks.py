"""Bootstrap's checks made on the runner before root runs, from what the login looked at (no sudo): the users
(``provision.users_problem``) against root's account files as the login collector read them (``/etc/passwd``,
``/etc/login.defs``, ``/var/lib/deploytests/users``), and the sites another app answers (``provision.clashes``,
from ``apache2ctl -S``).
Root holds its own invariants again (tests/unit/test_agent_root.py); the same refusals on a hand-made server
through ``fab bootstrap``: tests/integration/test_root_safety.py."""

from __future__ import annotations

import pytest

from deploytests.errors import DeployError
from deploytests.pipeline.provision import (
    ACCOUNTS,
    DPKG_STATUS,
    RANGES,
    clashes,
    missing_packages,
    user_problem,
    users_problem,
)
from deploytests.verify import collect_login

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
admin:x:1000:1000::/home/admin:/bin/bash
deployer:x:1001:1001::/home/deployer:/bin/bash
app:x:999:999:deploytests app user:/var/www/app:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""


def look(passwd=PASSWD, login_defs=None, users="app\n", why=None):
    """The login collector's check-mode reply as far as the user checks read it (``why``: a path not read)."""
    files = {ACCOUNTS[0]: {"data": passwd}, ACCOUNTS[1]: {"data": login_defs} if login_defs is not None else
             {"why": "No such file or directory"}, ACCOUNTS[2]: {"data": users}}
    files[DPKG_STATUS] = {"data": STATUS}
    files.update({path: {"why": reason} for path, reason in (why or {}).items()})
    return {"files": files, "refused": None}


STATUS = """Package: apache2
Status: install ok installed
Version: 2.4.62-1

Package: libapache2-mod-wsgi-py3
Status: deinstall ok config-files
Version: 4.9.4-1

Package: python3-venv
Architecture: amd64
Status: install ok installed
"""


def entry(uid, shell="/usr/sbin/nologin"):
    return {"uid": uid, "shell": shell}


def test_the_login_collector_reads_what_the_checks_need():
    assert tuple(collect_login.ACCOUNTS) == ACCOUNTS


@pytest.mark.parametrize("role, name, ent, ours, other, problem", [
    ("app_user", "app", None, set(), "deployer", None),                    # created by bootstrap
    ("app_user", "app", entry(999), {"app"}, "deployer", None),           # created by an earlier bootstrap
    ("app_user", "root", entry(0), set(), "deployer", "app_user 'root' is root"),
    ("app_user", "admin", entry(1000, "/bin/bash"), set(), "deployer",
     "app_user 'admin' is an existing account (uid 1000) that bootstrap did not create"),
    ("app_user", "www-data", entry(33), set(), "deployer", "app_user 'www-data' is an existing account (uid 33)"),
    ("app_user", "admin", entry(1000, "/bin/bash"), {"admin"}, "deployer", "app_user 'admin' is an existing"),
    ("app_user", "app", entry(999, "/bin/bash"), {"app"}, "deployer", "app_user 'app' is an existing account"),
    ("app_user", "deployer", entry(1001, "/bin/bash"), set(), "deployer", "app_user 'deployer' is also the "
                                                                           "deploy_user"),
    ("deploy_user", "deployer", entry(1001, "/bin/bash"), set(), "app", None),
    ("deploy_user", "nobody", entry(65534), set(), "app",
     "deploy_user 'nobody' (uid 65534) is not a login of this server: logins have uids from 1000 to 60000"),
    ("deploy_user", "daemon", entry(1), set(), "app", "deploy_user 'daemon' (uid 1) is not a login"),
    ("deploy_user", "app2", entry(998), {"app2"}, "app", "deploy_user 'app2' (uid 998) is not a login"),
    ("deploy_user", "ghost", None, set(), "app", "deploy_user 'ghost' does not exist"),
    ("deploy_user", "root", entry(0), set(), "app", "deploy_user 'root' is root"),
])
def test_user_decisions(role, name, ent, ours, other, problem):
    found = user_problem(role, name, ent, ours, RANGES, other)
    assert (found is None) if problem is None else (found or "").startswith(problem), found


@pytest.mark.parametrize("app_user, deploy_user, problem", [
    ("app", "deployer", None), ("new", "deployer", None),
    ("admin", "deployer", ("app_user", "app_user 'admin' is an existing account (uid 1000) that bootstrap did not")),
    ("new", "nobody", ("deploy_user", "deploy_user 'nobody' (uid 65534) is not a login of this server")),
    ("two", "app", ("deploy_user", "deploy_user 'app' (uid 999) is not a login")),  # another app's user
    ("app", "app", ("app_user", "app_user 'app' is also the deploy_user")),
])
def test_the_users_are_checked_against_roots_account_files(app_user, deploy_user, problem):
    found = users_problem(look(), app_user, deploy_user)
    assert found == problem if problem is None else (found[0], found[1][:len(problem[1])]) == problem, found


def test_the_uid_ranges_are_the_admins_from_login_defs():
    found = users_problem(look(login_defs="# the admin's ranges\nUID_MIN 2000\nUID_MAX\t3000\n"), "app", "deployer")
    assert found == ("deploy_user", "deploy_user 'deployer' (uid 1001) is not a login of this server: logins have "
                                    "uids from 2000 to 3000 (/etc/login.defs)")


@pytest.mark.parametrize("path, why", [
    ("/etc/passwd", "not a regular file of root's, not writable by group or others: not read"),
    ("/var/lib/deploytests/users", "not a regular file of root's, not writable by group or others: not read"),
    ("/etc/login.defs", "Permission denied"),
])
def test_an_account_file_the_login_could_not_read_refuses_rather_than_guessing(path, why):
    """What was not read is not taken as empty (a users record someone else made writable could name any account
    as bootstrap's); only a login.defs or users record that does not exist is: Debian's defaults, no app users."""
    found = users_problem(look(why={path: why}), "app", "deployer")
    assert found and found[1].startswith(f"bootstrap refused: {path} could not be read ({why})"), found


def test_no_users_record_yet_means_no_app_users_of_bootstraps():
    found = users_problem(look(why={ACCOUNTS[2]: "No such file or directory"}), "app", "deployer")
    assert found and found[1].startswith("app_user 'app' is an existing account (uid 999) that bootstrap did not")
    assert users_problem(look(why={ACCOUNTS[2]: "No such file or directory"}), "fresh", "deployer") is None


S_OUTPUT = """VirtualHost configuration:
*:80                   is a NameVirtualHost
         default server localhost (/etc/apache2/sites-enabled/first.conf:2)
         port 80 namevhost localhost (/etc/apache2/sites-enabled/first.conf:2)
         port 80 namevhost shop.example.com (/etc/apache2/sites-enabled/shop.conf:2)
                 alias www.shop.example.com
*:8080                 admin.example.com (/etc/apache2/sites-enabled/admin.conf:1)
ServerRoot: "/etc/apache2"
"""


@pytest.mark.parametrize("port, name, own, found", [
    (80, "localhost", ("second.conf",), ["/etc/apache2/sites-enabled/first.conf"]),
    (80, "LOCALHOST", ("second.conf",), ["/etc/apache2/sites-enabled/first.conf"]),
    (80, "localhost", ("first.conf",), []),                                 # its own site: a re-bootstrap
    (80, "www.shop.example.com", ("x.conf",), ["/etc/apache2/sites-enabled/shop.conf"]),  # an alias
    (8080, "admin.example.com", ("x.conf",), ["/etc/apache2/sites-enabled/admin.conf"]),  # one vhost on a port
    (8080, "localhost", ("x.conf",), []), (80, "other.example.com", ("x.conf",), []),
])
def test_sites_answering_the_same_name_and_port_are_found(port, name, own, found):
    assert clashes(S_OUTPUT, port, name, own) == found


def test_an_app_user_belongs_to_its_app_and_an_apps_tree_to_its_deploy_login():
    """attack6 #2, #3 (class: bootstrap binds nothing to an app): repository B's deploy.toml naming app A's app
    user gave B's deploy login A's group and sudo as A's user; a re-bootstrap with another deploy login handed over
    only the tree's root. Both are refused in one line from root's files: the app user's home is its app's tree
    (``useradd --home-dir``), and the tree's owner is the deploy login bootstrap gave it to (only root chowns)."""
    assert users_problem(look(), "app", "deployer", "app") is None
    found = users_problem(look(), "app", "deployer", "shop")
    assert found and found[0] == "app_user" and found[1].startswith(
        "app_user 'app' is another app's (its home is /var/www/app): each app has its own app user"), found
    tree = look()
    tree["files"]["/var/www/app"] = {"st": [0o42755, 1000, 999, 4096, 0, 1, 0]}  # admin's (uid 1000)
    found = users_problem(tree, "app", "deployer", "app")
    assert found and found[0] == "deploy_user" and found[1].startswith(
        "/var/www/app is admin's, the deploy login bootstrap gave it to, not deployer's"), found
    for uid in (1001, 0):  # the deploy login's, or root's (made by an admin or a volume): root gives it on
        tree["files"]["/var/www/app"]["st"][1] = uid
        assert users_problem(tree, "app", "deployer", "app") is None


def test_root_installs_what_the_logins_look_found_missing_of_the_stacks_packages():
    """Root runs no query of dpkg's database (anyone may read it): the runner names what is missing, one blank
    between names, from the look; a package removed with its configuration kept is missing; a database the look
    could not read stops bootstrap in one line."""
    c = type("C", (), {"user": "admin", "host": "web", "port": 22, "label": "web"})()
    wanted = ("apache2", "libapache2-mod-wsgi-py3", "python3-venv", "iproute2")
    assert missing_packages(c, look(), wanted) == "libapache2-mod-wsgi-py3 iproute2"
    assert missing_packages(c, look(), ("apache2", "python3-venv")) == ""
    with pytest.raises(DeployError, match=r"^web: bootstrap refused: the look could not read /var/lib/dpkg/stat"):
        missing_packages(c, look(why={DPKG_STATUS: "Permission denied"}), wanted)
