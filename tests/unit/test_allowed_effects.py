"""An allowance accounts for a thing's presence, never for its effect (issue 17, blind round 5's class 1): what an
allowed thing sources, runs, grants, answers, logs or writes is judged by every effect rule, whatever is allowed.
Pure functions of parsed facts: the stock Debian 12 and 13 servers pass, with ordinary allowances too; each member
fails naming what, where and why, however it is named or wherever it is put (no fault's file name, path or port)."""

from __future__ import annotations

import copy
import dataclasses
import json
import posixpath
import stat as s
from pathlib import Path
from unittest import mock

import pytest
from stock import LOGINS, outcome, with_cross_origin, with_stock_loads, with_stock_logins

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_login
from deploytests.verify.facts import CROSS_ORIGIN, Facts
from deploytests.verify.promises import CLOSED_WORLD, Expected

R = "/var/www/yourapplication"
RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def allowing(exp, **kw):
    return dataclasses.replace(exp, allow=Allowances(**kw))


def clean(platform="debian12") -> Facts:
    return with_stock_logins(with_stock_loads(Facts("docker://web-1", remote=copy.deepcopy(RECORDED)), platform))


RAW = LOGINS | {"cw_sudoers", "cw_load_path", "cw_schedules"}  # read with the recorded snapshot


def failing(facts, exp):
    """{rule: message} of every closed-world and security rule that fails (the snapshot's rules on ``facts``, the
    others on the recorded inventory alone, as the recorded host had them)."""
    plain = copy.copy(facts)
    plain.raw = None
    results = {p.id: outcome(p.id, facts if p.id in RAW else plain, exp) for p in CLOSED_WORLD}
    return {k: v for k, v in results.items() if v.startswith("fail")}


# ---------------------------------------------------------------- what apache2ctl's envvars sources or runs

def login_view(envvars: str, extra=None):
    """The login collector's own lstat records of a server (the logic, not this machine's files)."""
    d, f = s.S_IFDIR | 0o755, s.S_IFREG | 0o644
    out = {p: {"st": [d, 0, 0, 0, 0, 0]} for p in ("/", "/etc", "/etc/apache2", "/etc/default", "/usr", "/usr/sbin",
                                                      "/usr/lib", "/usr/lib/apache2", "/usr/lib/apache2/modules")}
    out.update({p: {"st": [f, 0, 0, 0, 0, 0]} for p in ("/usr/sbin/apache2ctl", "/usr/sbin/apache2",
                                                         "/etc/apache2/apache2.conf", "/etc/apache2/envvars",
                                                         "/etc/default/locale")})
    for path, (mode, uid) in (extra or {}).items():
        out[path] = {"st": [mode, uid, 0, 0, 0, 0]}
    out["/etc/apache2/apache2.conf"]["data"] = "ServerRoot /etc/apache2\n"
    out["/etc/apache2/envvars"]["data"] = envvars
    out["/etc/default/locale"]["data"] = "LANG=C.UTF-8\n"
    # what stock envvars' and OpenSSL's lines name, so the verdict never looks at this machine's own files
    out.update({p: {"st": [d, 0, 0, 0, 0, 0]} for p in ("/etc/ssl", "/var", "/run", "/run/apache2", "/var/log",
                                                      "/var/log/apache2") if p not in out})
    out.update({p: {"st": [s.S_IFLNK | 0o777, 0, 0, 0, 0, 0], "link": t} for p, t in (("/var/run", "/run"),
                                                                                     ("/var/lock", "/run/lock"))})
    out["/etc/ssl/openssl.cnf"] = {"st": [f, 0, 0, 0, 0, 0], "data": "openssl_conf = openssl_init\n[openssl_init]\n"}
    return {"files": out, "dirs": {}, "errors": {}, "size": 0}


STOCK_ENVVARS = next(t["text"] for t in RECORDED["inventory"]["texts"] if t["path"] == "/etc/apache2/envvars")


def test_envvars_sourcing_or_running_what_someone_else_may_change_stops_apache2ctl_as_root():
    """apache2ctl sources envvars as root (the gate's root collector, every reload, logrotate): a file it sources
    or a program it runs that someone but root may change is code as root, whatever is allowed. The login
    collector's verdict says no, naming envvars:line, so root never runs it; the stock file and a root's
    ``. /etc/default/locale`` (Debian's own commented line) pass."""
    assert collect_login.loose(login_view(STOCK_ENVVARS)) is None
    locale = STOCK_ENVVARS.replace("#. /etc/default/locale", ". /etc/default/locale")
    assert collect_login.loose(login_view(locale)) is None
    d = s.S_IFDIR
    for where, line in [(f"{R}/shared/data/env.sh", ". {p}"), ("/srv/tuning/apache.env", "source {p}"),
                        ("/opt/agent/bin/setenv", "{p} --export"), ("/opt/agent/bin/setenv", "X=$({p})")]:
        top = where.rsplit("/", 1)[0]
        extra = {top: (d | 0o2770, 999), where: (s.S_IFREG | 0o664, 999)}
        extra.update({p: (d | 0o755, 0) for p in ("/var", "/var/www", R, f"{R}/shared", "/srv", "/opt",
                                                   "/opt/agent") if not where.startswith(p + "/") or p != top})
        view = login_view(locale + "\n" + line.format(p=where) + "\n", extra)
        with mock.patch.object(collect_login, "read", side_effect=lambda out, p, *a: out["files"][p].get("data")):
            why = collect_login.loose(view)
        n = len((locale + "\n").splitlines()) + 1
        assert why is not None and why.startswith(f"/etc/apache2/envvars:{n} ") and where in why, why
        assert "root runs it at every apache2ctl" in why
    assert "cannot resolve" in collect_login.loose(login_view(STOCK_ENVVARS + ". ${HOME}/env\n"))


# ---------------------------------------------------------------- the runner's rules, on parsed facts

def server(platform="debian12", edit=None) -> Facts:
    """A stock deployed server's facts (``edit``: a change to the recorded inventory, before the snapshot)."""
    facts = with_stock_loads(Facts("docker://web-1", remote=copy.deepcopy(RECORDED)), platform)
    if edit:
        edit(facts.remote["inventory"])
    return with_cross_origin(with_stock_logins(facts))


def add_conf(inventory, path, text):
    ap = inventory["apache"]
    ap["includes"].append({"at": "222", "path": path, "depth": 4, "from": "/etc/apache2/apache2.conf"})
    ap["files"][path] = {"real": path, "loose": None, "md5": "0" * 32, "sha256": "0" * 64, "package": None,
                         "dpkg_changed": False, "dpkg_package": None, "mtime": 1.0, "directives": []}
    inventory["texts"].append({"path": path, "text": text})


def add_sudo(inventory, path, text, line=1):
    inventory["sudoers"].append({"file": path, "line": line, "mode": "0440", "owner": "root", "text": text})


def put(facts, path, mode, uid=0, link=None):
    """A file the collector looked at (its lstat, and its directories' when not already recorded: root's 0755)."""
    parts = path.split("/")
    for i in range(2, len(parts)):
        facts.raw.files.setdefault("/".join(parts[:i]), {"st": [s.S_IFDIR | 0o755, 0, 0, 0, 0, 0]})
    facts.raw.files[path] = dict({"st": [mode, uid, 0, 0, 0, 0]}, **({"link": link} if link else {}))
    top = path.rsplit("/", 1)[0]
    facts.raw.dirs[top] = sorted(set(facts.raw.dirs.get(top) or []) | {parts[-1]})


ORDINARY = dict(sudo=("%ops ALL=(ALL) ALL", "nagios ALL=(root) NOPASSWD: /usr/lib/nagios/plugins/check_apt"),
                commands=("/usr/local/bin/python3",), apache_conf=("/etc/apache2/conf-enabled/ops.conf",),
                modules=("headers_module",), cron=("/etc/cron.d/ops-backup",))
OPS_CONF = ('Header always set X-Frame-Options DENY\nHeader always set Access-Control-Allow-Origin '
            '"https://app.example.com"\nLogFormat "%h %u %t \\"%r\\" %>s %{ms}T" timed\n'
            'CustomLog ${APACHE_LOG_DIR}/timed.log timed\n')


def ordinary(inventory):
    add_conf(inventory, "/etc/apache2/conf-enabled/ops.conf", OPS_CONF)
    add_sudo(inventory, "/etc/sudoers.d/ops", ORDINARY["sudo"][0])
    add_sudo(inventory, "/etc/sudoers.d/ops", ORDINARY["sudo"][1], 2)


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_a_stock_server_with_ordinary_allowances_passes(exp, platform):
    """The stock server passes; so does one whose admin wrote ordinary things and allowed them: a sudo rule for a
    team, one for a packaged check, a link /usr/local/bin/python3 to the packaged python, a conf setting a fixed
    trusted origin and a log format of its own."""
    assert failing(server(platform), exp) == {}
    facts = server(platform, ordinary)
    put(facts, "/usr/local/bin/python3", s.S_IFLNK | 0o777, link="/usr/bin/python3")
    put(facts, "/usr/bin/python3", s.S_IFLNK | 0o777, link="python3.11")
    put(facts, "/usr/bin/python3.11", s.S_IFREG | 0o755)
    assert failing(facts, allowing(exp, **ORDINARY)) == {}


def test_an_included_sudoers_file_the_gate_cannot_read_is_refused_whatever_is_allowed(exp):
    """sudo reads an ``@include``d file as root; the gate reads /etc/sudoers and /etc/sudoers.d only: an include
    elsewhere grants what no one checked. Writing its line in allow_sudo accounts for the line, never for the
    rules it brings: it stays a finding, saying what to do."""
    for line in ("@include /etc/sudoers.local (not looked at)", "#include /srv/ops/sudo-rules (not looked at)",
                 "@includedir /etc/sudoers.ops.d (not looked at)"):
        facts = server(edit=lambda i, line=line: add_sudo(i, "/etc/sudoers", line, 57))
        msg = failing(facts, allowing(exp, sudo=(line,)))
        assert list(msg) == ["cw_sudoers"], msg
        assert f"/etc/sudoers:57: {line!r}: sudo reads the rules there as root, the gate could not" in msg["cw_sudoers"]
        assert "no allowance accounts for what it grants" in msg["cw_sudoers"]


@pytest.mark.parametrize("command", ["/opt/monitoring/checks/", "/srv/ops/bin/", "/usr/local/lib/probe/",
                                     "/srv/ops/bin/check_*"])
def test_a_sudo_command_directory_grants_every_file_in_it_whatever_is_allowed(exp, command):
    """A sudoers command ending in '/' lets the grantee run every file in that directory as root: one whose
    grantee (or anyone but root) may add a file there, or that the gate did not see, is a finding, allowed or
    not; a directory root alone may change, allowed, passes."""
    rule = f"monitor ALL=(root) NOPASSWD: {command}"
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/monitor", rule))
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert f"/etc/sudoers.d/monitor:1: {rule!r}: {command} is a directory or pattern: sudo runs every file it " \
           "matches" in msg
    assert "the gate did not see who may add a file there" in msg and "allow_sudo accounts for the line" in msg
    top = command.rsplit("/", 1)[0]
    put(facts, top, s.S_IFDIR | 0o755, uid=998)  # the grantee's own directory
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert f"{top} 0755 998:root may be changed by someone but root" in msg
    put(facts, top, s.S_IFDIR | 0o755)  # root's alone
    assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(rule,)))


def test_a_sudo_command_someone_else_may_replace_is_a_finding_whatever_is_allowed(exp):
    rule = "backup ALL=(root) NOPASSWD: /usr/local/sbin/run-backup --nightly, /usr/bin/systemctl restart apache2"
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/backup", rule))
    put(facts, "/usr/local/sbin/run-backup", s.S_IFREG | 0o775, uid=997)
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert "/usr/local/sbin/run-backup: /usr/local/sbin/run-backup 0775 997:root may be changed by someone but " \
           "root: whoever that is replaces the command" in msg
    put(facts, "/usr/local/sbin/run-backup", s.S_IFREG | 0o755)
    assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(rule,)))




PY = "/var/www/yourapplication/releases/*/venv/bin/python"


@pytest.mark.parametrize("line,caught", [
    ("Defaults:appuser noexec", "sudo stops the release's python from running any program"),
    ("Defaults>yourapplication intercept", "sudo lets the release's python run no program its rules do not name"),
    (f"Defaults!{PY} noexec", "sudo stops the release's python"),
    ("Defaults:ALL requiretty", "sudo refuses without a terminal"),
    (f"appuser ALL=(yourapplication) NOPASSWD:NOEXEC: {PY}", "a later rule for appuser as yourapplication with the "
                                                               "NOEXEC tag"),
    ("Defaults:ops noexec", None),
    ("Defaults>root requiretty", None),
    ("Defaults use_pty, log_subcmds", None),
])
def test_a_sudo_setting_that_stops_the_deploys_sudo_is_a_finding_whatever_is_allowed(exp, line, caught):
    """Class (a mechanism disabled by configuration: the deploy's sudo): the release check is the deploy login
    running its release's python as the app user through sudo, over an SSH exec without a terminal, and it runs
    the post_deploy commands. A Defaults line reaching that sudo (all, the deploy login, the app user as run-as,
    the releases' python) with noexec, intercept or requiretty, or a later rule of that login with NOEXEC:,
    refuses every deploy and rollback: judged whatever is allowed; a line scoped to others, or harmless, passes."""
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/zz-hardening", line))
    msg = failing(facts, allowing(exp, sudo=(line,)))
    if caught is None:
        assert "cw_sudoers" not in msg, msg
    else:
        assert caught in msg["cw_sudoers"] and "refused at its release check" in msg["cw_sudoers"], msg
        assert "allow_sudo accounts for the line, not for what it stops" in msg["cw_sudoers"], msg


@pytest.mark.parametrize("rule", ["deployer ALL=(root) NOPASSWD: /srv/tools/restart-app",
                                  "deployer ALL=(root) NOPASSWD: /srv/tools/restart-app, /usr/bin/id",
                                  "Cmnd_Alias RESTART = /usr/bin/id, /srv/tools/restart-app"])
@pytest.mark.parametrize("mine", ["dir", "file"])
def test_a_sudo_command_only_roots_lstat_saw_is_judged_by_it(exp, rule, mine):
    """attack10 (shown on a container: the deploy login replaced its allowed restart script and ran it as root;
    the gate passed): the gate's login cannot read sudoers, so it never lstats a rule's command; the root
    collector does (``mapped``), and the command rule judged only the login's view. Class: what root's own files
    name judged without root's lstat (``rootacts.view``): the command in the deploy team's directory, or the
    deploy login's file in root's directory, fails whatever is allowed; root's own passes."""
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/ops", rule))
    for path in [p for p in list(facts.raw.files) if p.startswith("/srv")]:
        facts.raw.files.pop(path)
    D, F = s.S_IFDIR | 0o755, s.S_IFREG | 0o755
    tools = [s.S_IFDIR | 0o2775, 0, 1001, 0, 0, 4] if mine == "dir" else [D, 0, 0, 0, 0, 4]
    app = [F, 0, 0, 0, 0, 5] if mine == "dir" else [F, 1001, 1001, 0, 0, 5]
    facts.raw.raw["mapped"] = {"/": [D, 0, 0, 0, 0, 2], "/srv": [D, 0, 0, 0, 0, 3], "/srv/tools": tools,
                               "/srv/tools/restart-app": app}
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    owner = "/srv/tools 2775 root:deployer" if mine == "dir" else "/srv/tools/restart-app 0755 deployer:deployer"
    assert f"/srv/tools/restart-app: {owner} may be changed by someone but root: whoever that is replaces the " \
           "command" in msg and "allow_sudo accounts for the line" in msg, msg
    facts.raw.raw["mapped"].update({"/srv/tools": [D, 0, 0, 0, 0, 4], "/srv/tools/restart-app": [F, 0, 0, 0, 0, 5]})
    facts.raw.acts_view = None
    assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(rule,)))


@pytest.mark.parametrize("script,said", [
    # blind10 k03 (shown: the app wrote a line into the file; on-call's sudo ran it as root)
    ("#!/bin/sh\nset -e\n. /var/www/yourapplication/shared/data/maintenance.env\necho \"$MAINT_MSG\"\n",
     "sources /var/www/yourapplication/shared/data/maintenance.env (the app's tree)"),
    # another member: the root script runs a program another account may replace
    ("#!/bin/sh\nexec /opt/tools/bin/flush --all\n", "runs /opt/tools/bin/flush, which someone but root may change")])
def test_an_allowed_sudo_rules_root_script_that_runs_what_others_change_is_a_finding(exp, script, said):
    """Class: the command an allowed rule runs as root is a root-owned script (its file passes) that sources or
    runs what the app or another account may change: read as a root job's script is (the login collector reads
    root's scripts in /usr/local/{bin,sbin}), whatever allow_sudo says. The same script running root's own files
    passes."""
    rule = "%webops ALL=(root) NOPASSWD: /usr/local/sbin/app-maintenance"
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/webops", rule))
    put(facts, "/usr/local/sbin/app-maintenance", s.S_IFREG | 0o755)
    F = s.S_IFREG | 0o755
    facts.raw.raw["named"] = {"/usr/local/sbin/app-maintenance": {"st": [F, 0, 0, len(script), 0, 7], "data": script},
                              "/opt": {"st": [s.S_IFDIR | 0o755, 0, 0, 0, 0, 8]},
                              "/opt/tools": {"st": [s.S_IFDIR | 0o755, 997, 997, 0, 0, 9]},
                              "/opt/tools/bin": {"st": [s.S_IFDIR | 0o755, 997, 997, 0, 0, 10]},
                              "/opt/tools/bin/flush": {"st": [F, 997, 997, 0, 0, 11]}}
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert "/usr/local/sbin/app-maintenance runs as root and " in msg and said in msg, msg
    assert "allow_sudo accounts for the line, not for what it reaches" in msg
    facts.raw.raw["named"]["/usr/local/sbin/app-maintenance"]["data"] = "#!/bin/sh\n. /etc/default/maint\n"
    facts.raw.acts_view = None
    assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(rule,)))


@pytest.mark.parametrize("rule,said", [
    ("%adm ALL=(root) NOPASSWD: /usr/bin/less /var/log/apache2/*", "/usr/bin/less is interactive"),  # blind7s a03
    ("oncall ALL=(ALL) NOPASSWD: /usr/bin/vim /etc/apache2/sites-available/app.conf", "/usr/bin/vim is interactive"),
    ("ops ALL=NOPASSWD: /usr/bin/find", "/usr/bin/find with any arguments (none written: sudo allows any)"),
    ("backup ALL=(root) NOPASSWD: /bin/tar czf /var/backups/app.tgz *", "/bin/tar with a wildcard"),
    ("logs ALL=(root) NOPASSWD: /usr/bin/tail -n 200 /var/log/apache2/*",
     "/usr/bin/tail -n 200 /var/log/apache2/*: sudo's wildcards in arguments match '/', '..' and spaces"),
    ("deployer ALL=(root:root) NOPASSWD: /usr/bin/python3.11", "/usr/bin/python3.11 with any arguments"),
    # blind8's k01 (shown: the on-call account made root source its file), and the class's other members
    ("%webops ALL=(root) NOPASSWD:SETENV: /usr/sbin/apache2ctl graceful", "SETENV: whoever the line names sets any "
     "environment variable for /usr/sbin/apache2ctl as root"),
    ("Defaults:%webops setenv", "it lets the users it applies to set the environment of every command"),
    ("Defaults:oncall !env_reset", "it lets the users it applies to set the environment of every command")])
def test_an_allowed_sudo_rule_whose_program_makes_its_grantee_root_is_a_finding(exp, rule, said):
    """Class (blind7s's a03: an allowed '%adm ... /usr/bin/less /var/log/apache2/*'): what a root rule's program
    does for whoever runs it -- an interactive program (a pager's !sh, an editor's :!sh), a program that runs
    commands or writes files with free arguments, a wildcard in a path argument (sudo's '*' matches '../') --
    is a finding whatever is allowed; exact arguments of such a program, a rule run as another user, and a
    plain program with a wildcard outside a path pass."""
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/ops", rule))
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert f"/etc/sudoers.d/ops:1: {rule!r}: {said}" in msg and "allow_sudo accounts for the line" in msg, msg
    for fine in ("backup ALL=(root) NOPASSWD: /usr/bin/systemctl restart apache2",
                 "backup ALL=(root) NOPASSWD: /bin/tar czf /var/backups/app.tgz /etc/apache2",
                 "report ALL=(nobody) NOPASSWD: /usr/bin/less",
                 "ops ALL=(root) NOPASSWD: /usr/sbin/apache2ctl -t -D x*",
                 "report ALL=(nobody) NOPASSWD:SETENV: /usr/bin/wc -l /var/log/app.log", "Defaults:ops !setenv"):
        facts = server(edit=lambda i, fine=fine: add_sudo(i, "/etc/sudoers.d/ops", fine))
        assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(fine,))), fine


@pytest.mark.parametrize("rule,said", [
    # blind9's k07 (shown: on-call's module ran as root), and the class's other members
    ('Defaults:%webops env_keep += "PYTHONPATH"', "env_keep keeps PYTHONPATH from the caller"),
    ("Defaults env_keep+=EDITOR", "env_keep keeps EDITOR from the caller"),  # visudo runs $EDITOR as root
    ('Defaults:ops env_reset, env_keep = "LANG LD_LIBRARY_PATH"', "env_keep keeps LD_LIBRARY_PATH from the caller"),
    # blind9's k01 (tee: on-call wrote a piped ErrorLog into Apache's config: root) and k02 (install from /tmp:
    # the CI account read /etc/shadow), with other members
    ("%webops ALL=(root) NOPASSWD: /usr/bin/tee /etc/apache2/conf-available/maintenance.conf, "
     "/usr/sbin/apache2ctl graceful", "/usr/bin/tee /etc/apache2/conf-available/maintenance.conf: it writes, as "
     "root, what its caller pipes in"),
    ("ops ALL=(root) NOPASSWD: /bin/dd of=/etc/motd", "/bin/dd of=/etc/motd: it writes, as root, what its caller"),
    ("%ci ALL=(root) NOPASSWD: /usr/bin/install /tmp/app.tgz /srv/in/", "/usr/bin/install /tmp/app.tgz /srv/in/: "
     "/tmp/app.tgz is in a directory anyone may create names in"),
    ("b ALL=(root) NOPASSWD: /bin/tar -xzf /var/tmp/r.tgz", "/bin/tar -xzf /var/tmp/r.tgz: /var/tmp/r.tgz is in "
     "a directory anyone may create"),
    # blind9's h07 (shown: the deploy login's 'sudo id' ran the ops account's wrapper as root), allowed
    ('Defaults secure_path="/opt/ops/bin:/usr/sbin:/usr/bin:/sbin:/bin"', "secure_path has /opt/ops/bin: sudo "
     "finds every command it runs by name there"),
    ("Defaults:%adm secure_path=/home/admin/bin:/usr/bin", "secure_path has /home/admin/bin")])
def test_an_allowed_sudo_rule_whose_caller_chooses_roots_input_is_a_finding(exp, rule, said):
    """Class (blind9's k01, k02, k07): a root rule whose every argument is fixed still lets its caller choose
    what root loads or reads -- variables env_keep keeps (PYTHONPATH, LD_*, EDITOR), the data a writer copies
    from stdin, a fixed path in a directory anyone may create names in -- a finding whatever is allowed;
    inert variables (locale, proxies), a dd reading a fixed file and arguments root's alone pass."""
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/ops", rule))
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert f"/etc/sudoers.d/ops:1: {rule!r}: {said}" in msg and "allow_sudo accounts for the line" in msg, msg
    for fine in ('Defaults:%sudo env_keep += "http_proxy https_proxy no_proxy LC_ALL TZ"',
                 'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin"',
                 "ops ALL=(root) NOPASSWD: /bin/dd if=/dev/zero of=/srv/swapfile bs=1M count=64",
                 "backup ALL=(root) NOPASSWD: /bin/tar czf /var/backups/app.tgz /etc/apache2"):
        facts = server(edit=lambda i, fine=fine: add_sudo(i, "/etc/sudoers.d/ops", fine))
        assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(fine,))), fine


@pytest.mark.parametrize("rule,arg,owner", [
    # blind9's k09 (shown: the CI account's archive put a setuid-root python in the extract dir: ci became root)
    ("%deploy-ci ALL=(root) NOPASSWD: /usr/bin/tar -xzf /srv/ci/app-release.tgz -C /var/www/incoming",
     "/srv/ci/app-release.tgz", "/srv/ci"),
    # another member: a fixed copy whose source is in another account's home (root copies what they put there)
    ("ops ALL=(root) NOPASSWD: /usr/bin/install -m 0644 /home/ops/site.conf /etc/apache2/conf-available/site.conf",
     "/home/ops/site.conf", "/home/ops")])
def test_an_allowed_sudo_rules_fixed_argument_someone_else_may_change_is_a_finding(exp, rule, arg, owner):
    """Class: a root command's fixed path argument that someone but root may change or create (its directory
    theirs): the caller's account chooses what root reads, writes or runs through the line, whatever allow_sudo
    says. The gate's login cannot read sudoers: the root collector lstats the absolute paths root's sudoers files
    name (``mapped``), from / down, never past a directory someone else may change; an argument where root alone
    may change it passes."""
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/ops", rule))
    D = s.S_IFDIR | 0o755
    parts = owner.split("/")
    above = {"/".join(parts[:i]): [D, 0, 0, 0, 0, 3 + i] for i in range(2, len(parts))}
    facts.raw.raw["mapped"] = {"/": [D, 0, 0, 0, 0, 2], **above, owner: [D, 1001, 1001, 0, 0, 9]}
    for path in [p for p in list(facts.raw.files) if p == owner or p.startswith(owner + "/")]:
        facts.raw.files.pop(path)
    msg = failing(facts, allowing(exp, sudo=(rule,)))["cw_sudoers"]
    assert f"{arg}: {owner} 0755 deployer:deployer may be changed by someone but root: whoever that is chooses " \
           "what root reads, writes or runs through this line" in msg and "allow_sudo accounts for the line" in msg, msg
    facts.raw.raw["mapped"][owner] = [D, 0, 0, 0, 0, 9]
    facts.raw.acts_view = None
    assert "cw_sudoers" not in failing(facts, allowing(exp, sudo=(rule,)))


def status_answer(code: int, url: str = "http://127.0.0.1:8080/server-status", **headers):
    import requests

    resp = requests.Response()
    resp.status_code, resp._content, resp.url = code, b"<dl><dt>Server Version: Apache/2.4</dt>" if code == 200 \
        else b"Forbidden", url
    resp.headers.update(headers)
    return resp


def test_a_server_that_takes_a_clients_word_for_its_address_fails_sec_status(exp):
    """Class (blind7s's a01: an allowed remoteip.conf trusting the private ranges, the runner's among them): the
    runner's GET /server-status claiming the server's own address in the headers a proxy sets is answered while
    the plain one is refused: anyone passes every IP rule with one header. Whatever made it so (mod_remoteip's
    RemoteIPInternalProxy or RemoteIPTrustedProxy, a SetEnvIf on X-Real-IP with Require env, any allowance) the
    same two answers fail; refused both ways, or the app's own answer (its X-Deploy-Release), pass."""
    from deploytests.verify.facts import SPOOFED

    facts = server()
    apps = status_answer(404, **{"X-Deploy-Release": "20261205T000000Z-00000000"})
    for spoofed, plain, verdict in ((status_answer(200), status_answer(403), "fail"),
                                    (status_answer(403), status_answer(403), "pass"),
                                    (apps, status_answer(404), "pass")):
        facts.responses = dict(facts.responses or {}, **{SPOOFED: spoofed, "/server-status": plain})
        found = outcome("sec_status", facts, allowing(exp, modules=("remoteip_module",)))
        assert found.startswith(verdict), found
        if verdict == "fail":
            assert "when the request claims the server's own address (X-Forwarded-For: 127.0.0.1" in found and \
                "403 without: Apache takes a client's word for its address" in found, found

@pytest.mark.parametrize("name,target", [("python3", "/opt/python3/bin/python3"), ("pip", "/srv/tools/pip/bin/pip"),
                                         ("flask", "../../../home/builder/bin/flask")])
def test_an_allowed_command_link_into_a_tree_someone_else_owns_is_a_finding(exp, name, target):
    """allow_commands accounts for a name in /usr/local/{bin,sbin} taking a packaged command's place, never for
    what it runs: a link reaching a file (or a directory above it) someone but root may change is code as root."""
    facts = server()
    path = f"/usr/local/bin/{name}"
    real = posixpath.normpath(posixpath.join("/usr/local/bin", target))
    put(facts, path, s.S_IFLNK | 0o777, link=target)
    put(facts, real, s.S_IFREG | 0o755)
    facts.raw.files[real.rsplit("/", 2)[0]] = {"st": [s.S_IFDIR | 0o755, 996, 996, 0, 0, 0]}  # another account's
    facts.raw.raw["digests"] = {path: "cd" * 32}  # (the login collector's hash of the file the link reaches)
    msg = failing(facts, allowing(exp, commands=(path,)))["cw_load_path"]
    assert f"{path} -> {real}: {real.rsplit('/', 2)[0]} 0755 996:996 may be changed by someone but root" in msg
    assert "allow_commands accounts for its name, not for what it runs" in msg


@pytest.mark.parametrize("name,script,said", [
    # blind10 k08 (shown: root's 'openssl version' ran the build account's binary)
    ("openssl", '#!/bin/sh\nexec /opt/openssl-3.3/bin/openssl "$@"\n', "runs /opt/openssl-3.3/bin/openssl, which "
     "someone but root may change"),
    # another member: a wrapper that sources a file in the app's tree first
    ("python3", '#!/bin/sh\n. /var/www/yourapplication/shared/data/env.sh\nexec /usr/bin/python3.11 "$@"\n',
     "sources /var/www/yourapplication/shared/data/env.sh (the app's tree)")])
def test_an_allowed_command_wrapper_script_running_what_others_change_is_a_finding(exp, name, script, said):
    """Class: what a command-dir entry runs, judged as resolved: a root wrapper script in /usr/local/{bin,sbin} is
    a link by other means; allow_commands accounts for its name, not for what it runs. The same wrapper running
    root's own files passes."""
    facts = server()
    path = f"/usr/local/bin/{name}"
    put(facts, path, s.S_IFREG | 0o755)
    D, F = s.S_IFDIR | 0o755, s.S_IFREG | 0o755
    facts.raw.raw["named"] = {path: {"st": [F, 0, 0, len(script), 0, 5], "data": script},
                              "/opt": {"st": [D, 0, 0, 0, 0, 6]},
                              "/opt/openssl-3.3": {"st": [D, 996, 996, 0, 0, 7]},
                              "/opt/openssl-3.3/bin": {"st": [D, 996, 996, 0, 0, 8]},
                              "/opt/openssl-3.3/bin/openssl": {"st": [F, 996, 996, 0, 0, 9]}}
    msg = failing(facts, allowing(exp, commands=(path,)))["cw_load_path"]
    assert f"{path}: root (cron, sudo's secure_path, an admin)" in msg and said in msg, msg
    assert "allow_commands accounts for its name, not for what it runs" in msg
    facts.raw.raw["named"][path]["data"] = '#!/bin/sh\nexec /usr/bin/openssl "$@"\n'
    facts.raw.acts_view = None
    assert "cw_load_path" not in failing(facts, allowing(exp, commands=(path,)))


@pytest.mark.parametrize("name,end,owner", [("pager", "/opt/bat/bin/bat", "/opt/bat"),  # blind9's h03 (shown)
                                            ("editor", "/home/dev/.local/bin/nvim", "/home/dev")])
def test_a_packaged_command_dirs_link_reaching_a_file_someone_else_owns_is_a_finding(exp, name, end, owner):
    """Class (blind9's h03: the system pager registered with update-alternatives as a binary the 'tools' account
    keeps in /opt): every link in root's command dirs, the packaged ones too, is judged by the file it reaches
    through /etc/alternatives: someone but root who may change it runs code as root (systemctl, journalctl, man
    and git page through /usr/bin/pager; visudo and crontab -e run /usr/bin/editor); an alternative reaching
    root's file passes."""
    facts = server()
    put(facts, f"/usr/bin/{name}", s.S_IFLNK | 0o777, link=f"/etc/alternatives/{name}")
    put(facts, f"/etc/alternatives/{name}", s.S_IFLNK | 0o777, link=end)
    put(facts, end, s.S_IFREG | 0o755)
    facts.raw.files[owner] = {"st": [s.S_IFDIR | 0o755, 996, 996, 0, 0, 0]}  # another account's
    msg = failing(facts, exp)["cw_load_path"]
    assert f"/usr/bin/{name} -> {end}: {owner} 0755 996:996 may be changed by someone but root: root" in msg, msg
    facts.raw.files[owner] = {"st": [s.S_IFDIR | 0o755, 0, 0, 0, 0, 0]}
    assert "cw_load_path" not in failing(facts, exp)


def test_a_command_dirs_link_to_a_packages_unchanged_file_of_another_owner_is_the_stock_baseline(exp):
    """A false alarm of the rule above on the admin-tooling stage: Debian's ``at`` installs /usr/bin/atq -> at and
    /usr/bin/at 6755 daemon:daemon (the package's choice of owner). A package's file as dpkg unpacked it is the
    stock baseline (class: a 'who may change it' judge that forgets the package baseline; the PATH walk of root's
    jobs had the same false alarm); the same file changed after its package's list was written is judged."""
    def facts(changed: bool) -> Facts:
        f = server()
        put(f, "/usr/bin/atq", s.S_IFLNK | 0o777, link="at")
        put(f, "/usr/bin/at", s.S_IFREG | 0o6755, uid=1)
        put(f, "/var/lib/dpkg/info/at.list", s.S_IFREG | 0o644)
        f.raw.files["/var/lib/dpkg/info/at.list"].update(data="/usr/bin/at\n/usr/bin/atq\n", ctime=1000.0)
        f.raw.files["/usr/bin/at"]["st"] = f.raw.files["/usr/bin/at"]["st"][:6] + [2000.0 if changed else 999.0]
        f.raw.dpkg = None
        return f

    assert "/usr/bin/atq" not in (failing(facts(False), exp).get("cw_load_path") or "")
    assert "/usr/bin/atq -> /usr/bin/at: /usr/bin/at 6755" in failing(facts(True), exp)["cw_load_path"]


@pytest.mark.parametrize("changed, caught", [(5.0, False), (60.0, True)])
def test_a_file_its_packages_postinst_changed_during_the_install_is_still_the_packages(exp, changed, caught):
    """Class: a package's file its own maintainer script changed (chown, chmod, setcap) read as changed by hand,
    its inode later than its list's (written at the unpack; the postinst runs at the configure, seconds or minutes
    later in one apt run). lldpd's postinst records ``dpkg-statoverride --update --add _lldpd adm 4750
    /usr/sbin/lldpcli`` (4750 _lldpd:adm, the package's design, as at's 6755 daemon:daemon): the link
    /usr/sbin/lldpctl -> lldpcli was a line with no allowance. Within the time the install took in dpkg's log
    (unpack to end) it is the package's, as :func:`parse.privileged_files` judges its bits; later, an admin's
    change, still judged (the other member: a chmod a minute after the install)."""
    f = server()
    put(f, "/usr/sbin/lldpctl", s.S_IFLNK | 0o777, link="lldpcli")
    put(f, "/usr/sbin/lldpcli", s.S_IFREG | 0o4750, uid=104)
    put(f, "/var/lib/dpkg/info/lldpd.list", s.S_IFREG | 0o644)
    f.raw.files["/var/lib/dpkg/info/lldpd.list"].update(data="/usr/sbin/lldpcli\n/usr/sbin/lldpctl\n", ctime=1000.0)
    f.raw.files["/usr/sbin/lldpcli"]["st"] = f.raw.files["/usr/sbin/lldpcli"]["st"][:6] + [1000.0 + changed]
    put(f, "/var/log/dpkg.log", s.S_IFREG | 0o644)
    f.raw.files["/var/log/dpkg.log"]["data"] = ("2026-12-07 18:57:42 status unpacked lldpd:amd64 1.0.16-1\n"
                                                "2026-12-07 18:57:52 status unpacked lldpd:amd64 1.0.16-1\n"
                                                "2026-12-07 18:57:53 status installed lldpd:amd64 1.0.16-1\n")
    f.raw.dpkg = None
    assert ("/usr/sbin/lldpctl -> /usr/sbin/lldpcli" in (failing(f, exp).get("cw_load_path") or "")) is caught


LOG = 'LogFormat "%h %l %u %t \\"%r\\" %>s %O {item}" {nick}\nCustomLog ${{APACHE_LOG_DIR}}/{log} {nick}\n'


@pytest.mark.parametrize("item,inline", [('\\"%{Cookie}i\\"', False), ("%{Authorization}i", False),
                                         ("%400{cookie}i", True), ("%{Set-Cookie}o", False)])
def test_a_log_format_in_force_writing_credentials_is_a_finding_whatever_is_allowed(exp, item, inline):
    """A LogFormat in force (its nickname used by a CustomLog, or a format given inline) that writes the
    Cookie, Authorization or Set-Cookie header puts every session in a log: judged in any file, allowed or not;
    Debian's own formats (Referer, User-Agent) pass."""
    text = (f'CustomLog /var/log/apache2/x.log "%h {item}"\n' if inline else
            LOG.format(item=item, nick="withsession", log="sessions.log"))
    facts = server(edit=lambda i: add_conf(i, "/etc/apache2/conf-enabled/logging.conf", text))
    msg = failing(facts, allowing(exp, apache_conf=("/etc/apache2/conf-enabled/logging.conf",)))
    assert list(msg) == ["sec_logs"], msg
    assert "/etc/apache2/conf-enabled/logging.conf:" in msg["sec_logs"] and "every session cookie or password" \
        in msg["sec_logs"]


@pytest.mark.parametrize("text,caught", [
    ("LogLevel emerg\n", "LogLevel emerg for mod_wsgi"),
    ("LogLevel warn wsgi:crit\n", "LogLevel crit for mod_wsgi"),
    ("<VirtualHost *:80>\n ServerName localhost\n LogLevel alert\n</VirtualHost>\n", "LogLevel alert for mod_wsgi"),
    ("<Location />\n LogLevel mod_wsgi.c:crit\n</Location>\n", "LogLevel crit for mod_wsgi"),
    ("ErrorLog /dev/null\n", "ErrorLog /dev/null: the app's errors (the daemons' own messages and stderr) are "
                              "discarded"),
    ("<VirtualHost *:80>\n ServerName localhost\n ErrorLog /dev/null\n</VirtualHost>\n",
     "ErrorLog /dev/null: the app's errors (its requests) are discarded"),
    ("LogLevel crit\nLogLevel wsgi:info\n", None),  # (mod_wsgi's own level wins: its errors are kept)
    ("LogLevel info ssl:warn\n", None),
    ("<VirtualHost *:80>\n ServerName other.example\n LogLevel emerg\n</VirtualHost>\n", None),
])
def test_a_log_level_or_error_log_that_drops_the_apps_errors_is_a_finding_whatever_is_allowed(exp, text, caught):
    """Class (logging disabled by configuration): a LogLevel in force for the app (the main server's, its vhost's,
    a Location over it; mod_wsgi's own ``wsgi:`` level first) above ``error``, where mod_wsgi writes tracebacks,
    or an ErrorLog into /dev/null: a failed deploy's report (the error log's tail) and the operator find no cause.
    Judged in any file, allowed or not; another vhost's, or a level that keeps mod_wsgi's errors, passes."""
    facts = server(edit=lambda i: add_conf(i, "/etc/apache2/conf-enabled/quiet.conf", text))
    msg = failing(facts, allowing(exp, apache_conf=("/etc/apache2/conf-enabled/quiet.conf",)))
    if caught is None:
        assert "sec_logs" not in msg, msg
    else:
        assert list(msg) == ["sec_logs"] and caught in msg["sec_logs"], msg
        assert "/etc/apache2/conf-enabled/quiet.conf:" in msg["sec_logs"], msg


def test_debians_combined_format_edited_in_apache2_conf_is_caught_where_the_vhost_uses_it(exp):
    """The app's own vhost logs with 'combined': an edit of that nickname in apache2.conf (an allowed file) is
    found at the vhost's CustomLog, naming the LogFormat's file:line."""
    def edit(i):  # (the recorded texts are keyed by the enabled link; the rules read the file it reaches)
        files = i["apache"]["files"]
        i["texts"] += [{"path": files[t["path"]]["real"], "text": t["text"]} for t in list(i["texts"])
                       if files.get(t["path"], {}).get("real", t["path"]) != t["path"]]
        t = next(t for t in i["texts"] if t["path"] == "/etc/apache2/apache2.conf")
        agent = '\\"%{User-Agent}i\\"'
        t["text"] = t["text"].replace(f'{agent}" combined', f'{agent} \\"%{{Cookie}}i\\"" combined')
    facts = server(edit=edit)
    msg = failing(facts, allowing(exp, apache_conf=("/etc/apache2/apache2.conf",)))["sec_logs"]
    assert "/etc/apache2/sites-enabled/yourapplication.conf:" in msg and "writes %{Cookie}i (its format: " \
        "/etc/apache2/apache2.conf:" in msg


@pytest.mark.parametrize("allowed,credentials,caught", [("{origin}", "true", True), ("{origin}", "false", False),
                                                         ("*", "true", False), ("https://app.example.com", "true",
                                                                                False)])
def test_an_answer_reflecting_another_sites_origin_with_credentials_is_a_finding(exp, allowed, credentials, caught):
    """The runner's GET / with a random foreign Origin: echoed back in Access-Control-Allow-Origin with
    credentials is a finding, whatever file (or the app) says it; '*' (browsers send no cookies with it), a
    fixed trusted origin, or no credentials pass."""
    facts = server()
    origin = facts.responses[CROSS_ORIGIN].request.headers["Origin"]
    with_cross_origin(facts, **{"Access-Control-Allow-Origin": allowed.format(origin=origin),
                                "Access-Control-Allow-Credentials": credentials})
    msg = failing(facts, exp)
    assert ("sec_cors" in msg) == caught
    if caught:
        assert f"with Origin: {origin} (a site the app never heard of) -> Access-Control-Allow-Origin: {origin} " \
               "and Access-Control-Allow-Credentials: true" in msg["sec_cors"]


@pytest.mark.parametrize("line,copy", [
    ("30 2 * * * root tar czf /var/backups/app-$(date +\\%F).tgz -C {R} shared .configs",
     "/var/backups/app-2026-12-05.tgz"),
    ("15 3 * * 0 root cp -a {R}/shared /srv/snapshots/", "/srv/snapshots/shared"),
    ("@daily root zip -qr /opt/dumps/site.zip {R}/.configs", "/opt/dumps/site.zip")])
def test_an_allowed_job_copying_the_apps_tree_where_others_read_is_a_finding(exp, line, copy):
    """A cron job that names the app's tree (its config's secrets) and writes elsewhere: a copy there that every
    local user may read is a finding, allowed or not, naming the copy and the job; a copy 0600 (or in a
    directory others may not enter) passes."""
    line = line.format(R=R)

    def edit(i):
        i["texts"].append({"path": "/etc/cron.d/nightly", "text": "SHELL=/bin/sh\n" + line + "\n"})
    facts = server(edit=edit)
    word = next(w for w in collect_login.WORD.findall(line) if not w.startswith(R))
    facts.raw.raw["outputs"] = {word: [copy]}
    put(facts, copy, s.S_IFREG | 0o644)
    msg = failing(facts, allowing(exp, cron=("/etc/cron.d/nightly",)))
    assert list(msg) == ["cw_schedules"], msg
    assert f"{copy} (0644 root:root): written by /etc/cron.d/nightly:2" in msg["cw_schedules"]
    assert "every local user, the app's code too, reads that copy" in msg["cw_schedules"]
    put(facts, copy, s.S_IFREG | 0o600)
    assert failing(facts, allowing(exp, cron=("/etc/cron.d/nightly",))) == {}


BACKUP = ("#!/bin/sh\nset -eu\nmkdir -p /var/backups/app\n"
          "tar -czf \"/var/backups/app/shared-$(date +%F).tgz\" -C {R} shared\n")
SERVICE = "[Unit]\nDescription=backup\n\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/backup-app\n"


# Class: a root job's copy of the app's secrets seen only when the cron line names the tree itself. A systemd
# timer's service running /usr/local/sbin/backup-app (which tars shared/: the config's SECRET_KEY, the database)
# left /var/backups/app/shared-2026-12-05.tgz 0644 and the gate passed. Members: the timer's service, a cron
# line running the same script (allowed), the cron line naming the tree (above).
@pytest.mark.parametrize("where, text, allow", [
    ("/etc/systemd/system/backup-app.service", SERVICE, ()),
    ("/etc/cron.d/backup", "30 2 * * * root /usr/local/sbin/backup-app\n", ("/etc/cron.d/backup",))])
def test_a_root_script_a_job_runs_copying_the_apps_tree_where_others_read_is_a_finding(exp, where, text, allow):
    def edit(i):
        i["texts"].append({"path": where, "text": text})
    facts = server(edit=edit)
    script = BACKUP.format(R=R)
    put(facts, "/usr/local/sbin/backup-app", s.S_IFREG | 0o755)
    facts.raw.raw["named"] = {"/usr/local/sbin/backup-app": dict(facts.raw.files["/usr/local/sbin/backup-app"],
                                                                 data=script)}
    copy_ = "/var/backups/app/shared-2026-12-05.tgz"
    facts.raw.raw["outputs"] = {"/var/backups/app/shared-": [copy_], "/var/backups/app": [copy_]}
    put(facts, copy_, s.S_IFREG | 0o644)
    msg = failing(facts, allowing(exp, cron=allow))
    assert list(msg) == ["cw_schedules"], msg
    assert msg["cw_schedules"].count(f"- {copy_} (0644 root:root): written by {where}") == 1, msg  # one line
    put(facts, copy_, s.S_IFREG | 0o600)
    assert failing(facts, allowing(exp, cron=allow)) == {}


def test_an_allowed_jobs_own_log_is_no_copy_of_the_apps_secrets(exp):
    """A job that runs in the app's tree (``cd ROOT``) and logs elsewhere copies none of its secrets: its
    world-readable log is no finding (the job itself is cw_schedules' to judge: root running the release's code,
    which no allowance accounts for, its one line)."""
    line = f"0 5 * * * root cd {R} && ./current/venv/bin/python -m yourapplication.purge >> /var/log/purge.log 2>&1"

    def edit(i):
        i["texts"].append({"path": "/etc/cron.d/purge", "text": line + "\n"})
    facts = server(edit=edit)
    facts.raw.raw["outputs"] = {"/var/log/purge.log": ["/var/log/purge.log"]}
    put(facts, "/var/log/purge.log", s.S_IFREG | 0o644)
    msg = failing(facts, allowing(exp, cron=("/etc/cron.d/purge",)))
    assert list(msg) == ["cw_schedules"] and "written by" not in msg["cw_schedules"] and \
        "no allowance accounts for handing root's rights" in msg["cw_schedules"], msg


def test_the_login_collector_records_what_is_where_a_cron_job_writes(tmp_path):
    """The collector's side: a name built at run time (cut at its ``$``) gives its directory's entries starting
    with it; a directory its entries; nothing under the system's own trees."""
    (tmp_path / "bk").mkdir()
    for name in ("app-2026-12-04.tgz", "app-2026-12-05.tgz", "other.tgz"):
        (tmp_path / "bk" / name).write_bytes(b"x")
    (tmp_path / "copies").mkdir()
    (tmp_path / "copies" / "shared").mkdir()
    job = f"30 2 * * * root tar czf {tmp_path}/bk/app-$(date +%F).tgz -C {R} shared; cp -a {R}/.configs " \
          f"{tmp_path}/copies/ && ls /usr/bin\n"
    out = {"files": {"/etc/cron.d/nightly": {"data": job}}, "dirs": {}, "errors": {}}
    collect_login.outputs(out, R)
    assert out["outputs"][f"{tmp_path}/bk/app-"] == [f"{tmp_path}/bk/app-2026-12-04.tgz",
                                                     f"{tmp_path}/bk/app-2026-12-05.tgz"]
    assert out["outputs"][f"{tmp_path}/copies/"] == [f"{tmp_path}/copies/shared"]
    assert "/usr/bin" not in out["outputs"] and out["files"][f"{tmp_path}/bk/app-2026-12-05.tgz"]["st"]
    assert not [w for w in out["outputs"] if w.startswith(R)]  # the app's tree: never listed here

    # a timer's service and the root script it runs (read by acts() into named): their words too
    (tmp_path / "bk2").mkdir()
    (tmp_path / "bk2" / "shared-2026-12-05.tgz").write_bytes(b"x")
    # (after 300 words of the system's own trees, which are never listed: they take none of the 256 words)
    out = {"files": {"/etc/cron.daily/big": {"data": " ".join(f"/usr/bin/x{i}" for i in range(300))},
                     "/etc/systemd/system/b.service": {"data": "[Service]\nExecStart=/usr/local/sbin/b\n"}},
           "named": {"/usr/local/sbin/b": {
               "data": f"#!/bin/sh\ntar czf {tmp_path}/bk2/shared-$(date).tgz -C {R} shared\n"}},
           "dirs": {}, "errors": {}}
    collect_login.outputs(out, R)
    assert out["outputs"][f"{tmp_path}/bk2/shared-"] == [f"{tmp_path}/bk2/shared-2026-12-05.tgz"], out["outputs"]

# ---------------------------------------------------------------- what the stack's Python imports before the venv

@pytest.mark.parametrize("name, where", [
    ("markupsafe", "/usr/lib/python3.11"),  # blind7's e26: a 'hotfixed' copy for every app on the box
    ("flask.py", "/usr/lib/python3.11"),
    ("_speedups.cpython-311-x86_64-linux-gnu.so", "/usr/lib/python3.11/lib-dynload")])
def test_a_module_no_package_ships_in_the_stdlib_dirs_shadows_the_releases(exp, name, where):
    """The daemons' sys.path has python311.zip, the stdlib dir and lib-dynload before the release's venv: an entry
    no package ships there (root's, 0755: no writability rule sees it) shadows a module of the release in every
    kept release. Each top entry is dpkg's (``__pycache__`` aside); the zip, which Debian does not ship, is absent."""
    facts = server()
    stdlib = ["json", "os.py", "__pycache__", "lib-dynload", "sitecustomize.py"]
    facts.raw.dirs["/usr/lib/python3.11"] = stdlib
    facts.raw.dirs["/usr/lib/python3.11/lib-dynload"] = ["_json.cpython-311-x86_64-linux-gnu.so"]
    listed = "\n".join(f"/usr/lib/python3.11/{n}" for n in stdlib if n != "__pycache__") + \
        "\n/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so\n"
    facts.raw.files["/var/lib/dpkg/info/libpython3.11-stdlib.list"] = {"st": [s.S_IFREG | 0o644, 0, 0, 1, 0, 0],
                                                                         "data": listed}
    facts.raw.dirs["/var/lib/dpkg/info"] = sorted(set(facts.raw.dirs.get("/var/lib/dpkg/info") or []) |
                                                  {"libpython3.11-stdlib.list"})
    facts.raw.dpkg = None
    assert outcome("cw_loader", facts, exp) == "pass"
    facts.raw.dirs[where] = facts.raw.dirs[where] + [name]
    facts.raw.dpkg = None
    msg = outcome("cw_loader", facts, exp)
    assert f"- {where}/{name}: in the stack's Python standard library ({where}), which no package ships: the " \
           "daemons import from there before the release's venv" in msg, msg
    facts.raw.dirs[where].remove(name)
    put(facts, "/usr/lib/python311.zip", s.S_IFREG | 0o644)  # the other member: the zip Debian never ships
    msg = outcome("cw_loader", facts, exp)
    assert "- /usr/lib/python311.zip exists: first on the sys.path of every python3.11" in msg, msg


@pytest.mark.parametrize("top, line", [
    ("/usr/local/lib/python3.11/dist-packages", "/home/appuser/pylib"),  # blind7's e25: the deploy login's dir
    ("/usr/lib/python3/dist-packages", "/opt/tools/lib"),  # another member: an account's dir in dpkg's site dir
    # root's own user site (blind9's h16: a .pth there naming the deploy login's checkout ran its code as uid 0 in
    # every root python3; /root is 0700: only the root collector reads it, and lstats what its .pth files name)
    ("/root/.local/lib/python3.11/site-packages", "/home/appuser/checkout/src")])
def test_a_pth_of_the_system_python_naming_a_dir_others_write_fails(exp, top, line):
    """Every python3 root runs (unattended-upgrades, apt's hooks, an admin's script) processes the system site
    dirs' .pth files: a directory line there comes before /usr/lib/python3/dist-packages, so a module planted in a
    dir someone but root may write (shown: the deploy login's _distutils_hack ran as uid 0 at every python3 start)
    runs as root. A .pth naming root's own dir passes."""
    facts = server()
    put(facts, f"{top}/team-tools.pth", s.S_IFREG | 0o644)
    facts.raw.files[f"{top}/team-tools.pth"]["data"] = f"# helpers\n{line}\n"
    put(facts, line, s.S_IFDIR | 0o755, uid=1000)
    msg = outcome("cw_load_path", facts, exp)
    assert f"- {top}/team-tools.pth:2: {line}: every python3 root runs" in msg and "runs code as root" in msg, msg
    put(facts, line, s.S_IFDIR | 0o755, uid=0)
    assert outcome("cw_load_path", facts, exp) == "pass"


def test_roots_user_site_pth_is_judged_by_the_root_collectors_lstat_of_what_it_names(exp):
    """On a real server only the root collector sees /root (0700): it reads the user site's .pth files and lstats
    the paths they name (``mapped``), walking from / and stopping at a directory someone but root may change. The
    rule judges through that lstat (rootacts.view): the deploy login's home there is theirs."""
    facts = server()
    top = "/root/.local/lib/python3.11/site-packages"
    put(facts, f"{top}/dev.pth", s.S_IFREG | 0o644)
    facts.raw.files[f"{top}/dev.pth"]["data"] = "/home/appuser/checkout/src\n"
    D = s.S_IFDIR | 0o755
    facts.raw.raw["mapped"] = {"/": [D, 0, 0, 0, 0, 2], "/home": [D, 0, 0, 0, 0, 3],
                               "/home/appuser": [D, 1000, 1000, 0, 0, 4]}
    facts.raw.files.pop("/home/appuser", None)
    msg = outcome("cw_load_path", facts, exp)
    assert f"- {top}/dev.pth:1: /home/appuser/checkout/src: every python3 root runs" in msg, msg
    assert "/home/appuser 0755" in msg, msg
    facts.raw.raw["mapped"]["/home/appuser"] = [D, 0, 0, 0, 0, 4]
    facts.raw.acts_view = None
    assert outcome("cw_load_path", facts, exp) == "pass"


def only_unpackaged(found: str, pid: int) -> bool:
    """The process is said once, by the rule of root's processes left to pid 1 that run what no package ships
    (these fakes hold no dpkg lists): what someone but root may change is no longer said of it."""
    return found.count(f"pid {pid} ") == 1 and "which someone but root may change" not in found and \
        "service or scheduler (its parent is pid 1), runs" in found


@pytest.mark.parametrize("argv,path,owner", [
    # blind10 k01 (allowed listener; shown: the statsd account rewrote the script, the restarted root listener ran it)
    (["/usr/bin/python3", "/opt/statsd/bin/statsd"], "/opt/statsd/bin/statsd", "/opt/statsd"),
    # blind10 p20 (no allowance; shown: the agent account's socket.py beside the root script was imported by root)
    (["python3", "/opt/agent/agent.py"], "/opt/agent/agent.py", "/opt/agent"),
    # another member: a root daemon whose executable another account may replace
    (["/opt/vendor/bin/agentd", "-f"], "/opt/vendor/bin/agentd", "/opt/vendor"),
    # the script after interpreter options and their values (the 6th word; only 4 were judged)
    (["/usr/bin/python3", "-W", "ignore", "-X", "utf8", "/opt/ops/worker.py"], "/opt/ops/worker.py", "/opt/ops"),
    (["/usr/bin/python3", "-u", "-B", "-E", "/opt/agent/agent.py"], "/opt/agent/agent.py", "/opt/agent"),
    # a path inside a word (only words that were paths were judged): -c CODE, sh -c's commands, --opt=/path, a : list
    (["/usr/bin/python3", "-c", 'import sys; sys.path.insert(0, "/opt/ops/lib"); import w'], "/opt/ops/lib",
     "/opt/ops"),
    (["/bin/sh", "-c", "while :; do . /opt/ops/env.sh; sleep 5; done"], "/opt/ops/env.sh", "/opt/ops"),
    (["/usr/bin/python3", "-m", "worker", "--plugins=/opt/ops/plugins"], "/opt/ops/plugins", "/opt/ops"),
    (["/usr/bin/java", "-Dloader.path=/usr/share/java:/opt/ops/lib", "-jar", "/usr/share/java/w.jar"],
     "/opt/ops/lib", "/opt/ops"),
    (["/usr/bin/java", "-cp", "/usr/share/java/w.jar:/opt/ops/lib/x.jar", "W"], "/opt/ops/lib/x.jar", "/opt/ops")])
def test_a_root_process_running_what_someone_else_may_change_is_a_finding_whatever_is_allowed(exp, argv, path, owner):
    """Class: a root process (outside a live SSH session) whose program, or the script it gives an interpreter,
    someone but root may change, or its directories: whoever that is runs code as root at its next start. The
    process rule judged it already (rootacts.process_problems), but the probe never looked at those paths (no
    claim); the login collector now lstats every root process's absolute argv words (collect_login.programs), and
    allow_processes / allow_listen account for the process or its socket, not for who may change what it runs.
    The same files root's alone pass."""
    from deploytests.verify import collect_login as C

    facts = server()
    exe = "/usr/bin/python3.11" if "python" in argv[0] else argv[0]
    facts.raw.raw.setdefault("proc", {})["812"] = {
        "uid": 0, "stat": "812 (x) S 1 812 812 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0", "exe": exe, "cwd": "/",
        "cmdline": "\0".join(argv) + "\0"}
    D, F = s.S_IFDIR | 0o755, s.S_IFREG | 0o755
    named = {"/opt": {"st": [D, 0, 0, 0, 0, 1]}, owner: {"st": [D, 997, 997, 0, 0, 2]},
             posixpath.dirname(path): {"st": [D, 997, 997, 0, 0, 3]}, path: {"st": [F, 997, 997, 0, 0, 4]}}
    facts.raw.raw["named"] = named
    keys = allowing(exp, listen=(f"*:8126 root {path}",), processes=(f"root: {argv[0]}",))
    said = f"pid 812 (root) '{' '.join(argv)}', outside any login session: runs {path}, which someone but root may " \
           f"change ({path} 0755 997:997)"
    msg = outcome("cw_processes", facts, keys)
    assert said in msg and "no allowance accounts for it" in msg and msg.count("pid 812") == 1, msg
    named[path]["st"][1:3] = [0, 0]  # the file root's, its directory another account's: it renames another in
    facts.raw.acts_view = None
    assert f"which someone but root may change ({posixpath.dirname(path)} 0755 997:997)" in outcome(
        "cw_processes", facts, keys)
    for p in named:
        named[p]["st"][1:3] = [0, 0]
    facts.raw.acts_view = None
    assert only_unpackaged(outcome("cw_processes", facts, keys), 812)
    assert callable(C.programs)


def test_a_root_process_whose_program_someone_else_may_change_is_a_finding_whatever_its_title(exp):
    """A root daemon (an admin's vendor agent) whose program another account may replace, which set its own title
    (``exec -a 'agentd: worker'``, ``setproctitle``): its command line names no path, and only command lines were
    judged. Its program is the kernel's exe, which the root collector lstats (``mapped``)."""
    facts = server()
    facts.raw.raw.setdefault("proc", {})["1816"] = {
        "uid": 0, "stat": "1816 (agentd) S 1 1816 1816 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0",
        "exe": "/opt/vendor/bin/agentd", "cwd": "/", "cmdline": "agentd: worker\x009000\x00"}
    D, F = s.S_IFDIR | 0o755, s.S_IFREG | 0o755
    facts.raw.raw["mapped"] = {"/": [D, 0, 0, 0, 0, 1], "/opt": [D, 0, 0, 0, 0, 2],
                               "/opt/vendor": [D, 1001, 1001, 0, 0, 3]}
    msg = outcome("cw_processes", facts, exp)
    assert "pid 1816 (root) 'agentd: worker 9000', outside any login session: runs /opt/vendor/bin/agentd, which " \
           "someone but root may change (/opt/vendor 0755" in msg, msg
    facts.raw.raw["mapped"]["/opt/vendor"][1:3] = [0, 0]
    facts.raw.raw["mapped"].update({"/opt/vendor/bin": [D, 0, 0, 0, 0, 4],
                                    "/opt/vendor/bin/agentd": [F, 0, 0, 0, 0, 5]})
    facts.raw.acts_view = None
    assert only_unpackaged(outcome("cw_processes", facts, exp), 1816)


@pytest.mark.parametrize("path,owner", [
    ("/usr/local/share/perl/5.36.0", "/usr/local/share/perl"),  # blind10 p05 (shown: root's 'use strict' ran dev's)
    ("/usr/local/lib/site_perl", "/usr/local/lib/site_perl"),   # other members: the old site dir, /etc/perl
    ("/etc/perl", "/etc/perl")])
def test_a_dir_of_root_perls_inc_someone_else_may_change_is_a_finding(exp, path, owner):
    """Class: root's interpreters' module paths, and every other directory of the system's trees (which program
    loads what from where is not for a list to know): Perl's @INC (debconf runs at every apt as root; the site
    dirs come first) is one member. The login collector's walk of /usr, /etc and /boot names the top directory
    someone else may change (what lies below, absent or not, is theirs); a root's 0755 dir passes."""
    facts = server()
    facts.remote["inventory"]["system_dirs"] = [[owner, s.S_IFDIR | 0o755, 1001, 1001]]
    msg = failing(facts, exp).get("cw_load_path", "")
    assert f"- {owner} (0755 deployer:" in msg and "a directory of the system's trees" in msg, msg
    facts.remote["inventory"]["system_dirs"] = []
    assert "a directory of the system's trees" not in failing(facts, exp).get("cw_load_path", "")


@pytest.mark.parametrize("started", [True, False])
def test_a_config_not_the_targets_says_whether_the_live_release_started_with_it(exp, started):
    """Seen live: after `fab target kept rollback` (the live release runs the config it started with) the
    read-only gate said only "... is not this host's config file ...: sha256 2cd8... on the server, c645... here":
    true, but no word of why nor what to do. Class: a failure line without its next step. Both members: the live
    release started with that config (a rollback), or nothing says where it came from."""
    from deploytests.verify.promises import config_is_targets

    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    other = "ab" * 32
    facts.remote["config_sha256"] = other
    if not started:
        for meta in facts.remote["tree"]["releases"].values():
            meta["config_sha256"] = "cd" * 32
    else:
        for meta in facts.remote["tree"]["releases"].values():
            meta["config_sha256"] = other
    with pytest.raises(AssertionError) as failed:
        config_is_targets(facts, dataclasses.replace(exp, config_sha256="ef" * 32))
    said = str(failed.value)
    assert said.endswith("deploy to install this host's config" + (
        " (the live release started with the one on the server: a rollback brings back its release's config)"
        if started else " (the live release did not start with the one on the server: find who changed it)")), \
        said


@pytest.mark.parametrize("variable", ["PYTHONPATH=/usr/lib/ops:/srv/appshare", "LD_PRELOAD=/srv/appshare/hook.so",
                                      "PATH=/srv/appshare/bin:/usr/sbin:/usr/bin", "PERL5LIB=/srv/appshare/lib"])
def test_a_root_process_whose_environment_finds_code_where_someone_else_may_change_is_a_finding(exp, variable):
    """Class: a root process takes code from a place another account may change, through the name it is given
    rather than its command line: its environment (an admin's worker started with ``PYTHONPATH`` at the deploy
    login's share ran that login's ``json.py`` as root; the gate passed: root's processes' environments were not
    read). The root collector reads every root process's environment and lstats the paths in it (``mapped``);
    the process rule judges each variable by which a program finds code (PYTHONPATH, LD_*, PATH, PERL5LIB ...).
    The same place root's alone passes; a variable that finds no code (HOME, PWD) is not judged."""
    facts = server()
    facts.raw.raw.setdefault("proc", {})["913"] = {
        "uid": 0, "stat": "913 (python3) S 1 913 913 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0",
        "exe": "/usr/bin/python3.11", "cwd": "/", "cmdline": "/usr/bin/python3\0/usr/lib/ops/worker.py\0",
        "environ": f"HOME=/root\0PWD=/home/deploy\0{variable}\0LANG=C\0"}
    D, F = s.S_IFDIR | 0o755, s.S_IFREG | 0o755
    facts.raw.raw.setdefault("mapped", {}).update({
        "/": [D, 0, 0, 0, 0, 2], "/srv": [D, 0, 0, 0, 0, 3], "/srv/appshare": [D, 1001, 1001, 0, 0, 4],
        "/usr": [D, 0, 0, 0, 0, 5], "/usr/lib": [D, 0, 0, 0, 0, 6], "/usr/lib/ops": [D, 0, 0, 0, 0, 7],
        "/usr/lib/ops/worker.py": [F, 0, 0, 0, 0, 8], "/usr/sbin": [D, 0, 0, 0, 0, 9], "/usr/bin": [D, 0, 0, 0, 0, 10],
        "/home": [D, 0, 0, 0, 0, 11], "/home/deploy": [D, 1001, 1001, 0, 0, 12], "/root": [D | 0o700, 0, 0, 0, 0, 13]})
    msg = outcome("cw_processes", facts, exp)
    assert "pid 913 (root)" in msg and f"its environment's {variable!r} names /srv/appshare" in msg and \
        "(/srv/appshare 0755 " in msg and "no allowance accounts for it" in msg and "/home/deploy" not in msg, msg
    assert msg.count("pid 913") == 1, msg
    facts.raw.raw["mapped"]["/srv/appshare"][1:3] = [0, 0]  # root's: the collector goes on down (absent: None)
    facts.raw.raw["mapped"].update({p: None for p in ("/srv/appshare/lib", "/srv/appshare/hook.so",
                                                    "/srv/appshare/bin")})
    facts.raw.acts_view = None
    assert only_unpackaged(outcome("cw_processes", facts, exp), 913)


@pytest.mark.parametrize("local, packaged", [
    ("/usr/local/share/perl/5.36.0/Getopt/Long.pm", "/usr/share/perl/5.36/Getopt/Long.pm"),
    ("/usr/local/lib/x86_64-linux-gnu/perl/5.36.0/List/Util.pm",
     "/usr/lib/x86_64-linux-gnu/perl/5.36/List/Util.pm"),
    ("/etc/perl/Debconf/Log.pm", "/usr/share/perl5/Debconf/Log.pm")])
def test_a_perl_module_no_package_ships_shadowing_a_packaged_one_fails(exp, local, packaged):
    """Class (blind: a root 'cpan Getopt::Long' put a module no package ships in /usr/local/share/perl, before the
    packaged one in every perl's @INC: a2enmod, a2ensite, debconf and update-rc.d, all perl, loaded it as root; the
    gate passed): the load path of root's interpreters, as root's PATH is judged for commands. Other members: an
    XS module's dir, /etc/perl (first of all). A local module of no packaged name passes; allow_commands (pinned
    to its bytes) accounts for one."""
    facts = server()
    lst = "/var/lib/dpkg/info/perl-modules-5.36.list"
    facts.raw.files[lst] = {"st": [s.S_IFREG | 0o644, 0, 0, 0, 0, 0], "data": packaged + "\n"}
    facts.raw.dirs["/var/lib/dpkg/info"] = sorted(set(facts.raw.dirs.get("/var/lib/dpkg/info") or []) |
                                                  {lst.rsplit("/", 1)[1]})
    facts.raw.dpkg = None
    mine = local.rsplit("/", 1)[0] + "/Mine.pm"
    for path in (local, mine):
        put(facts, path, s.S_IFREG | 0o644)
        facts.raw.files[path]["data"] = "package X; $ENV{CPAN} = 1; 1;\n"
    from deploytests.verify.parse import perl_shadowing

    facts.remote["inventory"]["perl_shadowing"] = perl_shadowing(facts.raw)  # (as the probe's parse makes it)
    msg = failing(facts, exp).get("cw_load_path", "")
    assert f"{local} comes before {packaged} in perl's @INC" in msg and "Mine.pm" not in msg, msg
    assert f'allow_commands = ["{local} sha256:' in msg, msg
    assert "cw_load_path" not in failing(facts, allowing(exp, commands=(local,)))


SITE, PACKAGED = "/usr/local/lib/python3.11/dist-packages", "/usr/lib/python3/dist-packages"
APT_SO = "apt_pkg.cpython-311-x86_64-linux-gnu.so"


def python_site(facts, local: dict, user_site=()):
    """python3-apt's and python3-pip's modules in the packaged dir, and ``local`` (name: the login collector's
    manifest hash, or None for a RECORD-only dist-info) in /usr/local's site dir; ``user_site``: root's."""
    lst = "/var/lib/dpkg/info/python3-apt.list"
    facts.raw.files[lst] = {"st": [s.S_IFREG | 0o644, 0, 0, 0, 0, 0],
                            "data": f"{PACKAGED}/apt\n{PACKAGED}/{APT_SO}\n{PACKAGED}/pip\n"}
    facts.raw.dirs["/var/lib/dpkg/info"] = sorted(set(facts.raw.dirs.get("/var/lib/dpkg/info") or []) |
                                                  {lst.rsplit("/", 1)[1]})
    facts.raw.dpkg = None
    for name in ("apt", APT_SO, "pip", "pip-23.0.1.dist-info"):
        put(facts, f"{PACKAGED}/{name}", s.S_IFDIR | 0o755)
    for name, sha in local.items():
        put(facts, f"{SITE}/{name}", s.S_IFDIR | 0o755)
        if sha:
            facts.raw.raw.setdefault("py_shadows", {})[f"{SITE}/{name}"] = sha
    for name in user_site:
        put(facts, f"/root/.local/lib/python3.11/site-packages/{name}", s.S_IFREG | 0o644)
    from deploytests.verify.parse import py_shadowing

    facts.remote["inventory"]["py_shadowing"] = py_shadowing(facts.raw)  # (as the probe's parse makes it)
    return facts


def test_a_python_module_no_package_ships_before_a_packaged_one_on_roots_sys_path_fails(exp):
    """Class (the load path of root's interpreters: perl's @INC and root's PATH judged, Python's sys.path for .pth
    files only): a root ``pip install`` (or a copy by hand) into /usr/local/lib/python3.X/dist-packages, before
    /usr/lib/python3/dist-packages on every python3 root runs, takes a packaged module's name, and apt's hooks,
    unattended-upgrades, certbot import it. One line per install: a pip install's entries go together under its
    dist-info (its RECORD lists them), a copy by hand alone; pinned by the manifest of its files. Other member:
    root's own user site (no pin holds there). A local module of no packaged name passes."""
    from deploytests.verify import parse

    facts = python_site(server(), {"apt": "aa" * 32, "mine": None})
    msg = failing(facts, exp).get("cw_load_path", "")
    assert f"- {SITE}/apt: apt no package ships, before {PACKAGED}/apt (python3-apt) on the sys.path of every " \
           "python3 root runs" in msg, msg
    assert f'allow_commands = ["{SITE}/apt sha256:{"aa" * 32}"]' in msg and "mine" not in msg, msg
    assert "cw_load_path" not in failing(facts, allowing(exp, commands=(f"{SITE}/apt",)))
    # a root pip install of pip: its package and its dist-info, one line under the dist-info, pinned by both
    # (and the .pth it installs, which site.py runs: one install, one line, its bytes in the pin)
    facts = python_site(server(), {"pip": "bb" * 32, "pip-25.0.dist-info": None})
    facts.raw.files[f"{SITE}/pip-25.0.dist-info/RECORD"] = {"st": [s.S_IFREG | 0o644, 0, 0, 0, 0, 0], "data":
                                                           "pip/__init__.py,sha256=x,1\npip-25.0.dist-info/RECORD,,\n"
                                                           "pip-hook.pth,sha256=y,9\n"}
    put(facts, f"{SITE}/pip-hook.pth", s.S_IFREG | 0o644)
    facts.raw.files[f"{SITE}/pip-hook.pth"]["data"] = "import os\n"
    facts.remote["inventory"]["py_shadowing"] = parse.py_shadowing(facts.raw)
    msg = failing(facts, exp).get("cw_load_path", "")
    assert f"- {SITE}/pip-25.0.dist-info: pip and {SITE}/pip-hook.pth no package ships, before {PACKAGED}/pip" \
        in msg, msg
    assert msg.count(f"- {SITE}/") == 1, msg  # (no line for pip/ alone, none for its .pth)
    pin = facts.remote["inventory"]["py_shadowing"][0]["sha256"]
    facts.raw.files[f"{SITE}/pip-hook.pth"]["data"] = "import sys\n"
    assert parse.py_shadowing(facts.raw)[0]["sha256"] != pin
    # root's own user site: the root collector lists it; no pin holds
    facts = python_site(server(), {}, user_site=(APT_SO,))
    msg = failing(facts, exp).get("cw_load_path", "")
    assert f"/root/.local/lib/python3.11/site-packages/{APT_SO}: apt_pkg no package ships, before " \
           f"{PACKAGED}/{APT_SO} (python3-apt)" in msg and "Root's own user site: no pin of it holds" in msg, msg


def test_a_python_install_is_pinned_by_the_manifest_of_its_files(tmp_path, monkeypatch):
    """The login collector hashes each entry of /usr/local's site dir that takes a packaged module's name (a
    directory: every file under it, links as their targets, in name order) and reads the dist-infos' RECORDs;
    an entry of no packaged name is not hashed. A changed file changes the pin."""
    local, packaged = tmp_path / "local", tmp_path / "packaged"
    (local / "apt" / "sub").mkdir(parents=True)
    (packaged / "apt").mkdir(parents=True)
    (local / "apt" / "__init__.py").write_text("x = 1\n")
    (local / "apt" / "sub" / "m.py").write_text("y = 2\n")
    (local / "apt" / "link").symlink_to("/etc/passwd")
    (local / "mine").mkdir()
    (local / "apt-2.0.dist-info").mkdir()
    (local / "apt-2.0.dist-info" / "RECORD").write_text("apt/__init__.py,,\n")
    monkeypatch.setattr(collect_login, "ROOT_SITE", [str(local), str(packaged)])
    out: dict = {"errors": {}, "files": {}, "dirs": {str(local): sorted(p.name for p in local.iterdir()),
                                                     str(packaged): ["apt"]}, "size": 0}
    collect_login.py_shadows(out)
    import hashlib

    sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    expected = sha((f"{sha(b'x = 1' + bytes([10]))}  {local}/apt/__init__.py\n-> /etc/passwd  {local}/apt/link\n"
                    f"{sha(b'y = 2' + bytes([10]))}  {local}/apt/sub/m.py\n").encode())
    assert out["py_shadows"] == {f"{local}/apt": expected}, out
    assert out["files"][f"{local}/apt-2.0.dist-info/RECORD"]["data"] == "apt/__init__.py,,\n"
    (local / "apt" / "sub" / "m.py").write_text("y = 3\n")
    collect_login.py_shadows(out)
    assert out["py_shadows"][f"{local}/apt"] != expected
    with pytest.raises(OSError):
        collect_login.manifest(str(local / "apt"), [1, 1 << 20])  # (past the files it may hash: no pin)


# ---------------------------------------------------------------- an allowance never covers the server's records

@pytest.mark.parametrize("path,line,lost", [
    ("/etc/sudoers.d/quiet", "Defaults !syslog", "anything (no syslog, no log file) for anyone"),
    ("/etc/sudoers.d/quiet", "Defaults:deployer !syslog", "anything (no syslog, no log file) for the user deployer"),
    ("/etc/sudoers.d/quiet", "Defaults !syslog, logfile=/dev/null",
     "anything (no syslog, its log file /dev/null) for anyone"),
    ("/etc/sudoers", "Defaults>root !log_allowed", "the commands it runs (!log_allowed) for the run-as user root"),
    ("/etc/sudoers.d/quiet", "Defaults !log_denied", "its refusals (!log_denied) for anyone"),
])
def test_sudo_told_to_keep_no_record_fails_the_records_rule_though_the_line_is_allowed(exp, path, line, lost):
    """The class: an allowance of one thing silently covering the loss of the server's records. ``allow_sudo``
    accounts for the line (``cw_sudoers`` passes), never for sudo's records it drops: ``sec_logs`` names the line,
    what is no longer recorded and for whom, and how to switch the rule off if the loss is really meant."""
    facts = server(edit=lambda i: add_sudo(i, path, line, 3))
    msg = failing(facts, allowing(exp, sudo=(line,)))
    assert list(msg) == ["sec_logs"], msg
    assert f"{path}:3: {line!r}: sudo keeps no record of {lost}: a sudo by a stolen login leaves no trace " \
           "(allowed in targets.toml: allow_sudo accounts for the line, not for the records it drops)" in \
           msg["sec_logs"], msg["sec_logs"]
    assert 'skip_rules = { sec_logs = "..." }' in msg["sec_logs"]


@pytest.mark.parametrize("line,lost", [
    ("Defaults: deployer !syslog", "anything (no syslog, no log file) for the user deployer"),
    ("Defaults:ops , deployer !log_allowed", "the commands it runs (!log_allowed) for the user ops,deployer"),
    ("Defaults> root,  yourapplication !log_denied", "its refusals (!log_denied) for the run-as user "
                                                     "root,yourapplication"),
])
def test_a_defaults_line_is_read_as_sudo_reads_it_blanks_in_its_scope_too(exp, line, lost):
    """Class: a parser of a configuration narrower than the program that reads it. sudo's lexer takes blanks after
    a ``Defaults`` scope's mark and around its list's commas (visudo: parsed OK; ``sudo -l`` shows the option
    applied); the gate read the scope to the first blank, took the rest for an option of no one, and an allowed
    ``Defaults:ops , deployer !log_allowed`` dropped sudo's records with every rule passing. The other reader of
    the same parser: a blocking option for the deploy login so written (its sudo refused at every release check)."""
    facts = server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/quiet", line, 3))
    msg = failing(facts, allowing(exp, sudo=(line,)))
    assert list(msg) == ["sec_logs"] and f"sudo keeps no record of {lost}" in msg["sec_logs"], msg
    blocking = "Defaults: ops ,appuser requiretty"  # (the deploy login here: the gate's)
    msg = failing(server(edit=lambda i: add_sudo(i, "/etc/sudoers.d/quiet", blocking, 3)),
                  allowing(exp, sudo=(blocking,)))
    assert "every deploy and rollback is refused" in msg.get("cw_sudoers", ""), msg


@pytest.mark.parametrize("lines", [["Defaults !syslog, logfile=/var/log/sudo.log"], ["Defaults log_output"],
                                   ["Defaults syslog=local7"], ["Defaults logfile=/var/log/sudo.log",
                                                                "Defaults:deployer !syslog"]])
def test_sudo_logging_elsewhere_or_more_is_no_loss(exp, lines):
    """Records kept elsewhere (a log file), or more of them, or another facility: no loss."""
    def edit(i):
        for n, line in enumerate(lines, 1):
            add_sudo(i, "/etc/sudoers.d/audit", line, n)
    assert "sec_logs" not in failing(server(edit=edit), allowing(exp, sudo=tuple(lines)))


@pytest.mark.parametrize("text,lost", [
    ("LogLevel crit\n", "LogLevel crit for mod_wsgi: the app's errors (a release's traceback, a script that fails "
                        "to load, a daemon that dies) are written at error, below what Apache now records"),
    ("LogLevel warn wsgi:emerg\n", "LogLevel emerg for mod_wsgi"),
    ("<Directory /var/www/yourapplication>\n    LogLevel alert\n</Directory>\n", "LogLevel alert for mod_wsgi"),
    ("ErrorLog /dev/null\n", "ErrorLog /dev/null: the app's errors (the daemons' own messages and stderr) are "
                             "discarded"),
    ('CustomLog "/dev/null" combined\n', "customlog /dev/null: the access log (who asked for what, when, and what "
                                         "was answered) of every site without its own goes nowhere"),
])
def test_an_allowed_conf_that_discards_apaches_records_fails_the_records_rule(exp, text, lost):
    """An allowed conf (``allow_apache_conf`` accounts for the file) that lowers Apache's log level below error
    where the app's requests are served, or writes a log in force there to the null device: ``sec_logs``
    names the directive's file:line and what is no longer recorded."""
    conf = "/etc/apache2/conf-enabled/quiet.conf"
    facts = server(edit=lambda i: add_conf(i, conf, text))
    msg = failing(facts, allowing(exp, apache_conf=(conf,)))
    assert list(msg) == ["sec_logs"], msg
    assert f"{conf}:" in msg["sec_logs"] and lost in msg["sec_logs"], msg["sec_logs"]


@pytest.mark.parametrize("text", ["LogLevel info ssl:crit\n", "LogLevel warn\n", "ErrorLog syslog:local1\n",
                                  '<VirtualHost *:80>\n    ServerName health.internal\n    CustomLog /dev/null '
                                  'combined\n    LogLevel emerg\n</VirtualHost>\n'])
def test_logging_more_elsewhere_or_another_sites_quiet_is_no_loss_of_the_apps_records(exp, text):
    conf = "/etc/apache2/conf-enabled/logs.conf"
    facts = server(edit=lambda i: add_conf(i, conf, text))
    assert "sec_logs" not in failing(facts, allowing(exp, apache_conf=(conf,), sites=("health.internal",)))
