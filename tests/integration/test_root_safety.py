"""Bootstrap runs as root: hostile input must not turn it against the server (issue 16, and issue 10 before it).

One plain Debian server set up by hand (``handmade.py``: not the project's images), with an ``admin`` login
that may sudo and a ``deployer`` login that may not, used in file order like an operator would. Every attack
fails safely: one clear line, and the server unchanged (a snapshot of its files, owners, modes, sizes and
mtimes, users and groups, compared before and after), or, where the input is simply not root's to take, no
effect at all.

1. a held dpkg lock: bootstrap waits with a message, then stops with one clear line;
2. ``python`` in deploy.toml naming a file the deploy login wrote (a path, a link, a relative path, a path
   through /proc): never run as root, never in the sudoers rule;
3. ``app_user = "admin"`` (a login with sudo), ``deploy_user = "nobody"``, a system account as app user, the
   deploy login as app user, an app user as deploy login: refused in one line, nothing changed;
4. a second app with the first's ``server_name``, and a name an admin's own site answers as an alias: refused;
5. links the deploy login planted in its tree (a file, ``releases/``, a data folder): never opened by root,
   which makes nothing inside ``/var/www/<app>``; a directory root writes in that others may write: refused;
6. the root config helper of earlier versions: gone, no rule runs anything as root;
7. a failed bootstrap leaves no grant; six bootstraps at once all succeed.
"""

from __future__ import annotations

import shlex
import threading
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from handmade import server_by_hand

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.errors import DeployError
from deploytests.pipeline import templates
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "deploytests" / "examples" / "apps" / "yourapplication"
RULE = "deployer ALL=(yourapplication) NOPASSWD: /var/www/yourapplication/releases/*/venv/bin/python"

HOLD_DPKG_LOCK = ("import fcntl, os, time\n"
                  "fd = os.open('/var/lib/dpkg/lock-frontend', os.O_RDWR | os.O_CREAT, 0o640)\n"
                  "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
                  "open('/tmp/dpkg-holder.pid', 'w').write(str(os.getpid()))\n"
                  "time.sleep(120)\n")
LOCK_IS_HELD = ("import fcntl, os, sys\n"
                "fd = os.open('/var/lib/dpkg/lock-frontend', os.O_RDWR)\n"
                "try:\n    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n    sys.exit(0)\n"
                "sys.exit(1)\n")
# What the deploy login plants for root to run: a python that records who ran it, then runs python3.
WRAPPER = "#!/bin/sh\nid -u >> /tmp/planted-python-ran\nexec /usr/bin/python3 \"$@\"\n"
SNAPSHOT = ("find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp -o -path /var/log "
            "-o -path /var/cache -o -path /var/lib/apt/lists -o -path /home/admin \\) -prune -o "
            "-printf '%p %m %U:%G %s %T@ %l\\n' | sort; getent passwd; getent group")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with server_by_hand(tmp_path_factory.mktemp("root-safety-key"), "rootsafety", ("admin", "deployer")) as s:
        yield s


def config(**changes):
    return replace(load_config(APP), **{"deploy_user": "deployer", **changes})


def admin(server, command: str) -> str:
    res = server["container"].exec_run(["sh", "-c", command])
    return res.output.decode(errors="replace").strip()


def as_deployer(server, command: str):
    c = server["connect"]("deployer")
    try:
        return c.run(command, hide=True, warn=True, in_stream=False)
    finally:
        c.close()


def bootstrap(server, cfg):
    c = server["connect"]("admin")
    try:
        return pipeline.bootstrap(c, cfg)
    finally:
        c.close()


def refused(server, cfg) -> str:
    """Bootstrap ``cfg``, which must fail: its one line (and that the server did not change)."""
    before = admin(server, SNAPSHOT)
    with pytest.raises(DeployError) as info:
        bootstrap(server, cfg)
    after = admin(server, SNAPSHOT)
    assert after == before, "bootstrap changed the server:\n" + "\n".join(
        sorted(set(after.splitlines()) ^ set(before.splitlines())))
    lines = info.value.render().splitlines()
    return lines[0]


def test_held_dpkg_lock_waits_with_a_message_then_stops_clearly(server):
    container = server["container"]
    container.exec_run(["python3", "-c", HOLD_DPKG_LOCK], detach=True)
    wait_until(lambda: container.exec_run(["python3", "-c", LOCK_IS_HELD]).exit_code == 0,
               what="the dpkg lock to be held by the test's holder", timeout=20)
    seen = []
    c = server["connect"]("admin")
    try:
        with pytest.raises(DeployError) as info:
            pipeline.bootstrap(c, config(), dpkg_lock_timeout=2,
                               progress=lambda host, step, seconds, message: seen.append((step, message)))
    finally:
        c.close()
        container.exec_run(["sh", "-c", "kill $(cat /tmp/dpkg-holder.pid)"])
    line = info.value.render().splitlines()[0]
    assert "dpkg lock" in line and "gave up after 2s" in line and "exit 100" not in line, line
    assert any(step == "dpkg_wait" and "waiting for the dpkg lock" in message for step, message in seen), seen


@pytest.fixture(scope="module")
def ready(server):
    """Bootstrapped once (apt, the app user, the tree), with deploy.toml's ``python`` naming a file the deploy
    login wrote: what root runs is the stack's python, never that."""
    as_deployer(server, f"printf '{WRAPPER}' > ~/py && chmod 0755 ~/py && ln -sf ~/py ~/python3")
    result = bootstrap(server, config(python="/home/deployer/py"))
    assert result.changed and result.stack == "debian12-apache-wsgi"
    assert admin(server, "cat /tmp/planted-python-ran 2>/dev/null || echo never") == "never"
    return server


@pytest.mark.parametrize("python", ["/home/deployer/py", "/home/deployer/python3", "../../home/deployer/py",
                                    "/proc/self/root/home/deployer/py", "/proc/1/cwd/../home/deployer/py"])
def test_python_named_by_deploy_toml_never_runs_as_root(ready, python):
    """Issue 16: ``sudo -n <python>`` accepted any path; as a link it also landed in the sudoers rule."""
    before = admin(ready, SNAPSHOT)
    result = bootstrap(ready, config(python=python))
    assert (result.changed, result.changes) == (False, [])
    assert admin(ready, "cat /tmp/planted-python-ran 2>/dev/null || echo never") == "never"
    rules = admin(ready, "cat /etc/sudoers.d/deploytests-yourapplication").splitlines()
    assert [r for r in rules if not r.startswith("#")] == [RULE]
    assert admin(ready, SNAPSHOT) == before


@pytest.mark.parametrize("changes, line", [
    ({"app_user": "admin"}, "app_user 'admin' is an existing account (uid 1000) that bootstrap did not create"),
    ({"deploy_user": "nobody"}, "deploy_user 'nobody' (uid 65534) is not a login of this server"),
    ({"app_user": "www-data"}, "app_user 'www-data' is an existing account (uid 33)"),
    ({"app_user": "daemon"}, "app_user 'daemon' is an existing account (uid 1)"),
    ({"app_user": "deployer"}, "app_user 'deployer' is also the deploy_user"),
    ({"deploy_user": "yourapplication"}, "app_user 'yourapplication' is also the deploy_user"),
    ({"app": "otherapp", "app_user": "otherapp", "deploy_user": "yourapplication", "server_name": "other.test"},
     "is not a login of this server"),
    ({"app_user": "root"}, "app_user 'root' is root"),
    # attack6 #2, #3 (class: bootstrap binds nothing to an app): another app's app user; another deploy login
    ({"app": "otherapp", "app_user": "yourapplication", "server_name": "other.test"},
     "app_user 'yourapplication' is another app's (its home is /var/www/yourapplication)"),
    ({"deploy_user": "admin"}, "/var/www/yourapplication is deployer's, the deploy login bootstrap gave it to, not "
                               "admin's"),
])
def test_a_user_bootstrap_may_not_take_is_refused_in_one_line_and_nothing_changes(ready, changes, line):
    """Issue 16: ``app_user = "admin"`` gave the deploy login ``sudo -u admin``, hence root; ``deploy_user =
    "nobody"`` was accepted and joined the app group."""
    found = refused(ready, config(**changes))
    assert line in found, found
    assert "sudo" not in admin(ready, "id -nG deployer").split()


def test_a_second_app_with_the_same_server_name_is_refused_in_one_line(ready):
    """Issue 16.7: a second app bootstrapped with the default server_name took over the first's site."""
    found = refused(ready, config(app="second", app_user="second"))
    assert ("server_name 'localhost' port 80 is already served by /etc/apache2/sites-enabled/yourapplication.conf"
            in found), found
    assert "set server_name in deploy.toml" in found


def test_a_name_an_admins_own_site_answers_as_an_alias_is_refused(ready):
    """A new member of the class: not a deploytests site, and the name only one of its aliases."""
    admin(ready, "printf '<VirtualHost *:80>\\n    ServerName shop.example\\n    ServerAlias www.shop.example\\n"
                 "</VirtualHost>\\n' > /etc/apache2/sites-available/shop.conf && a2ensite -q shop && "
                 "apache2ctl graceful")
    try:
        found = refused(ready, config(app="third", app_user="third", server_name="www.shop.example"))
        assert "server_name 'www.shop.example' port 80 is already served by /etc/apache2/sites-enabled/shop.conf" \
            in found, found
    finally:
        admin(ready, "a2dissite -q shop && rm /etc/apache2/sites-available/shop.conf && apache2ctl graceful")


@pytest.mark.parametrize("planted, target, restore", [
    ("ln -sf /etc/shadow /var/www/yourapplication/.deploy.lock", "/etc/shadow",
     "rm /var/www/yourapplication/.deploy.lock"),
    ("ln -s /etc/cron.d /var/www/yourapplication/releases", "/etc/cron.d", "rm /var/www/yourapplication/releases"),
    ("ln -s /etc /var/www/yourapplication/shared", "/etc", "rm /var/www/yourapplication/shared"),
    ("cd /var/www/yourapplication && rm -f application.wsgi && (ln /etc/hosts application.wsgi 2>/dev/null || "
     "ln -s /etc/hosts application.wsgi)", "/etc/hosts", "rm /var/www/yourapplication/application.wsgi"),
])
def test_a_link_the_deploy_login_planted_in_its_tree_is_never_followed_by_root(ready, planted, target, restore):
    """Issue 10 finding 1 (.deploy.lock -> /etc/shadow) and new members: a directory of the tree replaced by a
    link to a system directory before the next bootstrap. Class: root acting by name in a tree another user owns.
    Closed by design: root makes ``/var/www/<app>`` and nothing in it (the deploy login makes its tree at its
    first deploy), so a later bootstrap goes through and never opens what was planted; the target is untouched."""
    stat = f"stat -c '%a %U:%G' {target}"
    before = admin(ready, stat)
    assert as_deployer(ready, planted).ok
    try:
        bootstrap(ready, config(shared_paths=("data",)))
        assert admin(ready, stat) == before
    finally:
        assert as_deployer(ready, restore).ok


def test_a_directory_root_writes_in_that_others_may_write_is_refused(ready):
    """Another member of the class, one level up: an admin opened ``/var/www`` to everyone (so the deploy login
    "can make its folder"); the deploy login then swaps the app's directory for a link to ``/etc``. Root writes
    only in directories of root's that only root may write, each checked from ``/`` down: refused in one line,
    ``/etc`` untouched."""
    before = admin(ready, "stat -c '%a %U:%G' /etc")
    admin(ready, "chmod 1777 /var/www")
    try:
        assert as_deployer(ready, "mv /var/www/yourapplication /var/www/yourapplication.real && "
                                  "ln -s /etc /var/www/yourapplication").ok
        found = refused(ready, config(shared_paths=("data",)))
        assert "refusing /var/www/yourapplication: /var/www is not a directory of root's that only root may write" \
            in found, found
        assert admin(ready, "stat -c '%a %U:%G' /etc") == before
    finally:
        admin(ready, "rm -f /var/www/yourapplication && mv /var/www/yourapplication.real /var/www/yourapplication "
                     "&& chmod 0755 /var/www")
    bootstrap(ready, config(shared_paths=("data",)))


def test_an_admins_rollback_never_acts_in_the_deploy_logins_tree(ready):
    """attack5 #3 (class: an agent that changes the tree acts, by path, in a tree another user owns, its right to
    act decided by a permission that owner sets): the deploy login opened releases/ to all and put a link at
    .deploy.lock naming the admin's authorized_keys; the admin's fab rollback truncated them. The agent now acts
    only in a tree of the login running it: refused in one line, the admin's file untouched."""
    keys = "/home/admin/.ssh/authorized_keys"
    before = admin(ready, f"sha256sum {keys}")
    assert as_deployer(ready, f"cd /var/www/yourapplication && mkdir -m 0777 releases && "
                              f"ln -sfn {keys} .deploy.lock").ok
    c = ready["connect"]("admin")
    try:
        with pytest.raises(DeployError) as info:
            pipeline.rollback(c, config())
    finally:
        c.close()
        assert as_deployer(ready, "cd /var/www/yourapplication && rm .deploy.lock && rmdir releases").ok
    line = info.value.render().splitlines()[0]
    assert "/var/www/yourapplication is deployer's, not admin's" in line and "run it as deployer" in line, line
    assert admin(ready, f"sha256sum {keys}") == before


def test_no_rule_runs_anything_as_root_and_the_old_config_helper_is_gone(ready):
    """Issue 16: the root ``config`` command, its copy in /var/lib/deploytests, its record and its sudoers rule
    are gone; the deploy login may run only its releases' python, only as the app user."""
    assert admin(ready, "ls /var/lib/deploytests").split() == ["bootstrap.lock", "python", "users"]
    listed = as_deployer(ready, "sudo -n -l")
    assert "/var/www/yourapplication/releases/*/venv/bin/python" in listed.stdout and "(root)" not in listed.stdout
    for command in ("sudo -n /usr/bin/python3 -I /var/lib/deploytests/agent_root.py config yourapplication",
                    "sudo -n -u yourapplication /usr/bin/python3 -c 'print(1)'",
                    "sudo -n /var/www/yourapplication/releases/x/venv/bin/python -c 'print(1)'"):
        res = as_deployer(ready, command)
        assert not res.ok and "password is required" in res.stderr, (command, res.stdout, res.stderr)


def test_failed_bootstrap_leaves_no_grant_behind(ready, monkeypatch):
    monkeypatch.setattr(templates, "vhost", lambda cfg, **kw: "<VirtualHost *:80>\n    NoSuchDirective x\n")
    with pytest.raises(DeployError) as info:
        bootstrap(ready, config(app="failapp", app_user="failapp", server_name="failapp.test"))
    assert "configtest" in info.value.render().splitlines()[0]
    assert admin(ready, "ls /etc/sudoers.d/deploytests-failapp 2>&1 || true").endswith("No such file or directory")
    assert "failapp" not in admin(ready, "id -nG deployer").split()


def test_six_concurrent_bootstraps_all_succeed(ready):
    cfg, errors = config(), []

    def one():
        try:
            bootstrap(ready, cfg)
        except Exception as exc:  # noqa: BLE001 - collected and shown below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, [str(e) for e in errors]


def test_the_gate_probe_on_a_hand_made_server_reads_as_root_only_roots_files(ready):
    """The gate on a server deploytests did not shape (Debian's default sudoers, ``use_pty`` included), its login
    the ``admin`` with sudo, the app deployed by ``deployer``: one round trip runs the root collector under sudo
    and then, once it became ``deployer``, the tree reader, fed its own source; the facts parse whole."""
    from types import SimpleNamespace

    from deploytests.stacks import STACKS
    from deploytests.verify import facts as F

    cfg = config()
    c = ready["connect"]("deployer")
    try:
        release = pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version="3.11")).release_id
    finally:
        c.close()
    c = ready["connect"]("admin")
    try:
        server = SimpleNamespace(label="handmade", user="admin", stack=STACKS["debian12-apache-wsgi"],
                                 connection=lambda: c, base_url=f"http://127.0.0.1:{ready['http']}")
        res = F.run_programs(server, F.probe_args(cfg, "deployer", "admin", server.stack), server.stack.python)
        assert F.read_root(res)["uid"] == 0 and F.read_tree(res)["user"] == "deployer", res.stderr[-2000:]
        facts = F.gather(server, cfg, deploy_user="deployer")
    finally:
        c.close()
    assert facts.error == "" and facts["as_root"] and facts["errors"] == {}, (facts.error, facts["errors"])
    assert facts.live["id"] == release and facts["configtest"]["rc"] == 0 and facts["daemons"]
    assert facts["sudoers"]["stat"]["owner"] == "root" and facts["inventory"]["apache"]["includes"]


def collected(ready) -> dict:
    """The root collector's reply from one probe round trip, the admin's login running it (sudo)."""
    from deploytests.stacks import STACKS
    from deploytests.verify import facts as F

    c = ready["connect"]("admin")
    try:
        server = SimpleNamespace(label="handmade", user="admin", connection=lambda: c)
        stack = STACKS["debian12-apache-wsgi"]
        return F.read_root(F.run_programs(server, F.probe_args(config(), "deployer", "admin", stack), stack.python))
    finally:
        c.close()


# What the admin's Apache config names outside /etc/apache2 and the deploy login can write (class: root runs a
# program whose input a less trusted party may write; apache2ctl -S, configtest and the gate's dumps parse every
# included file and load every LoadModule/LoadFile as root). Each: (root's lines in conf-available/extra.conf,
# what the deployer writes, the path the refusal names).
OUTSIDE = [
    ("IncludeOptional /srv/site-conf/*.conf", "install -d -o deployer -g deployer /srv/site-conf",
     "printf 'Define DEPLOYER_WAS_HERE\\n' > /srv/site-conf/x.conf", "/srv/site-conf"),  # its own directory
    ("Include /etc/extra-apache/main.conf", "install -d /srv/site-conf && install -o deployer /dev/null "
     "/srv/site-conf/inner.conf", "printf 'Define DEPLOYER_WAS_HERE\\n' > /srv/site-conf/inner.conf",
     "/srv/site-conf/inner.conf"),  # a root file outside /etc/apache2 includes a file the deploy login owns
    ("LoadFile /srv/site-conf/libx.so", "install -d /srv/site-conf && install -o deployer /dev/null "
     "/srv/site-conf/libx.so", "cp /bin/true /srv/site-conf/libx.so", "/srv/site-conf/libx.so"),  # a library
]


# The same, written in forms a regex misread (attack5: root's apache2ctl loaded the deploy login's library, uid 0):
# a quoted path with a space, a continued line, LoadFile's second argument. Each: (root's line, what the refusal
# says after "root does not run apache2ctl here: ").
MISREAD = [
    ('IncludeOptional "/srv/site conf/*.conf"', "/etc/apache2/conf-enabled/extra.conf: 'IncludeOptional "),
    ("Include \\\n    /srv/site conf/*.conf", "/etc/apache2/conf-enabled/extra.conf: 'Include \\\\': "),
    ("LoadFile /usr/lib/x86_64-linux-gnu/libz.so.1 /srv/site/x.so", "/srv/site/x.so may be changed by someone "
     "other than root"),
]


@pytest.mark.parametrize("line, says", MISREAD, ids=["quoted", "continued", "loadfile-second"])
def test_apache_lines_apache_reads_otherwise_than_a_regex_are_never_run_as_root(ready, line, says):
    """Bootstrap refuses in one line and the gate's collector runs no apache2ctl as root, naming the line."""
    admin(ready, "install -d -o deployer '/srv/site conf' && install -d /srv/site && install -o deployer /dev/null "
                 f"/srv/site/x.so && printf '%s\\n' {shlex.quote(line)} > /etc/apache2/conf-available/extra.conf && "
                 "a2enconf -q extra")
    try:
        said = refused(ready, config())
        assert f"bootstrap refused: root does not run apache2ctl here: {says}" in said, said
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith(f"not run as root: {says}") and "dump" not in runs, runs
        if "may be changed" not in says:
            assert "Apache may read this line otherwise than this check can" in said, said
    finally:
        admin(ready, "a2disconf -q extra; rm -rf /etc/apache2/conf-available/extra.conf '/srv/site conf' /srv/site")


@pytest.mark.parametrize("line, setup, plant, named", OUTSIDE, ids=["glob", "nested", "loadfile"])
def test_apache_config_the_deploy_login_can_write_is_never_parsed_as_root(ready, line, setup, plant, named):
    """Bootstrap refuses in one line and changes nothing; the gate's collector does not run apache2ctl as root
    (before: the dump listed the deployer's file among the includes: root had parsed it) and says why."""
    admin(ready, f"{setup} && install -d /etc/extra-apache && echo 'Include /srv/site-conf/inner.conf' > "
                 f"/etc/extra-apache/main.conf && echo '{line}' > /etc/apache2/conf-available/extra.conf && "
                 "a2enconf -q extra")
    try:
        assert as_deployer(ready, plant).ok
        said = refused(ready, config())
        assert f"bootstrap refused: root does not run apache2ctl here: {named} may be changed by someone other " \
               "than root" in said, said
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith(f"not run as root: {named} may") and "dump" not in runs, runs
    finally:
        admin(ready, "a2disconf -q extra; rm -rf /etc/apache2/conf-available/extra.conf /etc/extra-apache "
                     "/srv/site-conf")


# What a (re)start makes root do beyond a syntax check (attack6: bootstrap's graceful ran the deploy login's piped
# logger as root, and opened a log through its link to /etc/ld.so.preload): an admin's line naming a directory the
# deploy login's group may write (2775 root:deployer). Each: (root's line, what the deployer plants there).
STARTED = [
    ('CustomLog "|/srv/logtools/ship-log" combined',
     "printf '#!/bin/sh\\nid -u > /tmp/piped-root-ran\\nexec cat >/dev/null\\n' > /srv/logtools/ship-log && "
     "chmod 0755 /srv/logtools/ship-log"),  # root runs it at every start
    ("CustomLog /srv/logtools/access.log combined", "ln -s /etc/nologin /srv/logtools/access.log"),  # opened by root
    # a path inside a word (attack7: "PYTHONPATH=/srv/logtools" was judged as the name "/PYTHONPATH=...", not there
    # in root's /, so root's to make; root's piped logger imported the deploy login's module at bootstrap's graceful)
    ('CustomLog "|/usr/bin/env PYTHONPATH=/srv/logtools /usr/bin/python3 -m shiplog" combined',
     "printf 'import os\\nopen(\"/tmp/piped-root-ran\", \"w\").write(str(os.getuid()))\\n' > "
     "/srv/logtools/shiplog.py"),
]


@pytest.mark.parametrize("line, plant", STARTED, ids=["piped-log", "log-file", "path-in-a-word"])
def test_apache_lines_a_start_makes_root_run_or_open_where_the_deploy_login_writes_are_refused(ready, line, plant):
    """Bootstrap refuses in one line naming file:line and why, runs nothing as root (no reload: the piped logger
    never ran, no file made through the link) and changes nothing; the gate's collector runs no apache2ctl as root
    and says the same (class: the check before root runs Apache read less than a start of Apache does as root)."""
    admin(ready, f"install -d -m 2775 -o root -g deployer /srv/logtools && printf '%s\\n' {shlex.quote(line)} > "
                 "/etc/apache2/conf-available/extra.conf && a2enconf -q extra")
    try:
        assert as_deployer(ready, plant).ok
        said = refused(ready, config())
        gid = admin(ready, "getent group deployer | cut -d: -f3")
        why = f"/etc/apache2/conf-enabled/extra.conf:1: {line!r}: /srv/logtools"
        assert f"bootstrap refused: root does not run apache2ctl here: {why}" in said, said
        assert f"may be changed by someone other than root: /srv/logtools is 2775 0:{gid}" in said, said
        assert admin(ready, "cat /tmp/piped-root-ran 2>/dev/null; ls /etc/nologin 2>/dev/null; echo done") == "done"
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith(f"not run as root: {why}") and "dump" not in runs, runs
    finally:
        admin(ready, "a2disconf -q extra; rm -rf /etc/apache2/conf-available/extra.conf /srv/logtools "
                     "/tmp/piped-root-ran")


def test_a_path_envvars_exports_where_the_deploy_login_writes_is_refused(ready):
    """apache2ctl sources envvars as root and then runs commands by bare name with the PATH it exported (attack7: the
    read-only gate's root collector ran the deploy login's `id` at its configtest; bootstrap at its graceful). Every
    path word of every envvars line is judged: bootstrap refuses naming envvars:line, the gate's collector runs no
    apache2ctl as root, the deploy login's program never runs."""
    admin(ready, "cp /etc/apache2/envvars /etc/apache2/envvars.keep && install -d -m 2775 -o root -g deployer "
                 "/srv/tools && echo 'export PATH=/srv/tools:/usr/sbin:/usr/bin:/sbin:/bin' >> /etc/apache2/envvars")
    try:
        plant = "printf '#!/bin/sh\\n/usr/bin/id -u > /tmp/piped-root-ran\\nexec /usr/bin/id \"$@\"\\n'"
        assert as_deployer(ready, plant + " > /srv/tools/id && chmod 0755 /srv/tools/id").ok
        said = refused(ready, config())
        n = admin(ready, "wc -l < /etc/apache2/envvars")
        why = f"/etc/apache2/envvars:{n}: 'export PATH=/srv/tools:/usr/sbin:/usr/bin:/sbin:/bin': /srv/tools may be"
        assert f"bootstrap refused: root does not run apache2ctl here: {why}" in said, said
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith(f"not run as root: {why}") and "dump" not in runs, runs
        assert admin(ready, "cat /tmp/piped-root-ran 2>/dev/null; echo done") == "done"
    finally:
        admin(ready, "mv /etc/apache2/envvars.keep /etc/apache2/envvars; rm -rf /srv/tools /tmp/piped-root-ran")


def test_a_file_openssl_cnf_includes_where_the_deploy_login_writes_is_refused(ready):
    """Apache's root parent reads openssl.cnf at every apache2ctl once a module linking OpenSSL is loaded (attack7:
    the read-only gate's `apache2 -t` loaded the provider that the deploy login's file, .included by root's
    openssl.cnf, named). Bootstrap refuses naming the line, the gate's collector runs no apache2ctl as root."""
    admin(ready, "cp /etc/ssl/openssl.cnf /etc/ssl/openssl.cnf.keep && install -d -m 2775 -o root -g deployer "
                 "/srv/sslconf && sed -i '1i .include /srv/sslconf/team.cnf' /etc/ssl/openssl.cnf")
    try:
        assert as_deployer(ready, "printf '[team]\\nactivate = 1\\n' > /srv/sslconf/team.cnf").ok
        said = refused(ready, config())
        why = "/etc/ssl/openssl.cnf:1: '.include /srv/sslconf/team.cnf': /srv/sslconf/team.cnf was not read here"
        assert f"bootstrap refused: root does not run apache2ctl here: {why}" in said, said
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith(f"not run as root: {why}") and "dump" not in runs, runs
    finally:
        admin(ready, "mv /etc/ssl/openssl.cnf.keep /etc/ssl/openssl.cnf; rm -rf /srv/sslconf")


def test_a_systemd_drop_in_for_apache_naming_where_the_deploy_login_writes_is_refused(ready):
    """On a systemd host Debian's apache2ctl hands start and graceful to systemd, which runs apache2.service's
    ExecReload with its Environment as root, and a drop-in changes both (attack8; the container has no systemd:
    /run/systemd/system is made, as Debian's apache2ctl and the collector test for it). Bootstrap refuses naming
    the drop-in's line; the gate's collector runs no apache2ctl as root; the package's unit alone passes."""
    dropin = "/etc/systemd/system/apache2.service.d/ops.conf"
    admin(ready, f"install -d -m 2775 -o root -g deployer /srv/tools && mkdir -p /run/systemd/system "
                 f"{dropin.rsplit('/', 1)[0]} && printf '[Service]\\nExecReload=\\nExecReload=-/srv/tools/reload\\n' "
                 f"> {dropin}")
    try:
        said = refused(ready, config())
        why = f"{dropin}:3: 'ExecReload=/srv/tools/reload': /srv/tools/reload may be changed by someone other than root"
        assert f"bootstrap refused: root does not run apache2ctl here: {why}" in said, said
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith(f"not run as root: {why}") and "dump" not in runs, runs
        admin(ready, f"rm -rf {dropin.rsplit('/', 1)[0]}")
        assert "refused" not in collected(ready)["runs"]  # the package's apache2.service: root's
    finally:
        admin(ready, f"rm -rf {dropin.rsplit('/', 1)[0]} /run/systemd/system /srv/tools")


def test_what_the_gate_login_cannot_look_at_in_apaches_config_is_not_run_as_root(ready):
    """Whether root runs ``apache2ctl`` is decided by the login collector, unprivileged: what it cannot look at
    must count against the run, never pass unseen (class: a verdict over what was not looked at; root would read
    it, and a file there may be someone else's through a hard link). An admin makes a directory under
    ``/etc/apache2`` root-only, with a file the deploy login owns in it: bootstrap and the gate both refuse to run
    ``apache2ctl`` as root, naming the directory; made readable again, both run it."""
    admin(ready, "install -d -m 0700 /etc/apache2/conf-available/private && install -o deployer /dev/null "
                 "/etc/apache2/conf-available/private/x.conf")
    try:
        said = refused(ready, config())
        assert "bootstrap refused: root does not run apache2ctl here: /etc/apache2/conf-available/private was not " \
               "looked at whole here (Permission denied)" in said, said
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith("not run as root: /etc/apache2/conf-available/private was not "
                                                  "looked at whole") and "dump" not in runs, runs
        admin(ready, "chmod 0755 /etc/apache2/conf-available/private")  # now seen: the deployer's file is named
        runs = collected(ready)["runs"]
        assert runs.get("refused", "").startswith("not run as root: /etc/apache2/conf-available/private/x.conf "
                                                  "may be changed"), runs
    finally:
        admin(ready, "rm -rf /etc/apache2/conf-available/private")
    assert "refused" not in collected(ready)["runs"]


def test_root_python_runs_no_site_hook_the_deploy_login_can_write(ready):
    """The root programs run the stack's python with ``-I -S``: a ``.pth`` (or ``sitecustomize``) in a site dir an
    admin opened to the deploy login's group is never run, not by bootstrap, the gate's collector or the agents
    (class: code loaded at interpreter start from a place someone else writes; before: ``-I`` alone ran it)."""
    site = "/usr/local/lib/python3.11/dist-packages"
    admin(ready, f"chgrp deployer {site} && chmod 2775 {site}")
    try:
        assert as_deployer(ready, f"echo \"import os; open('/tmp/site-hook-ran', 'a').write('%d ' % os.getuid())\" "
                                  f"> {site}/zz-hook.pth && printf 'import os\\n' > {site}/sitecustomize.py").ok
        assert bootstrap(ready, config()).stack == "debian12-apache-wsgi"
        assert collected(ready)["uid"] == 0
        assert admin(ready, "cat /tmp/site-hook-ran 2>/dev/null || echo never") == "never"
        assert admin(ready, "python3 -c 'import sys' && cat /tmp/site-hook-ran") == "0"  # the hook is live
    finally:
        admin(ready, f"rm -f {site}/zz-hook.pth {site}/sitecustomize.py /tmp/site-hook-ran; chgrp root {site}; "
                     f"chmod 0755 {site}")
