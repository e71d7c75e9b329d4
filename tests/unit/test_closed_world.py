"""The closed-world checks (issue 17) as pure functions of recorded facts: a clean server passes; each kind of
thing nobody listed fails naming what, where and the allowance that would accept it; the same mechanism under
another name, port or path is caught too (no check keys on a fault's fingerprint); allowances and
``skip_rules`` from targets.toml accept exactly what they name."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from unittest import mock

import pytest
from stock import outcome

from deploytests.allowances import SWITCHABLE, Allowances
from deploytests.config import load_config
from deploytests.errors import ConfigError
from deploytests.examples import APPS
from deploytests.targets.inventory import load_inventory
from deploytests.verify import collect_login, parse
from deploytests.verify.facts import Facts
from deploytests.verify.promises import CLOSED_WORLD, Expected
from tests.unit.stock import LOGINS, with_cross_origin, with_stock_loads, with_stock_logins

APP = APPS / "yourapplication"
RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())  # with its inventory
LIVE = RECORDED["tree"]["current"].split("/")[-1]
R = "/var/www/yourapplication"


def clean_facts(platform: str = "debian12") -> Facts:
    return with_stock_loads(Facts("docker://web-1", remote=copy.deepcopy(RECORDED)), platform)


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APP), "appuser")


def allowing(exp, **kw):
    return dataclasses.replace(exp, allow=Allowances(**kw))


def failing(facts, exp):
    """{promise id: message} of every closed-world rule that fails."""
    results = {p.id: outcome(p.id, facts, exp) for p in CLOSED_WORLD}
    return {k: v for k, v in results.items() if v.startswith("fail")}


def test_a_clean_server_passes_every_closed_world_rule(exp):
    found = {p.id: outcome(p.id, with_stock_logins(clean_facts()) if p.id in LOGINS else
                           with_cross_origin(clean_facts()) if p.id == "sec_cors" else clean_facts(), exp)
             for p in CLOSED_WORLD}
    assert found == {p.id: "pass" for p in CLOSED_WORLD}
    assert set(SWITCHABLE) == {p.id for p in CLOSED_WORLD}


def test_each_daemon_must_run_in_the_live_release_where_root_can_see_it(exp):
    facts = clean_facts()
    daemons = [d for d in inv(facts)["loader"]["daemons"] if d["pid"] != 27]
    for d in daemons:
        d.update(cwd=f"{R}/releases/{LIVE}", error=None)
    assert outcome("daemon_code", facts, exp) == "pass"  # recorded in a container: cwd None there, start times judge
    daemons[1]["cwd"] = f"{R}/releases/20000101T000000Z-00000000"
    assert outcome("daemon_code", facts, exp).startswith(
        f"fail: mod_wsgi daemons that do not run the live release {R}/releases/{LIVE} (their /proc cwd): pid "
        f"{daemons[1]['pid']} in {R}/releases/20000101T000000Z-00000000")



def test_a_daemon_apache_forked_that_shows_as_something_else_is_named_for_what_it_is(exp):
    """Finding 1 of this round's attack: a daemon the app's code replaced (exec) or renamed never restarts; the
    process facts take it for a daemon by its parent (parse.Procs.processes), and the stale-daemon line says what
    it shows and what to do, not only 'deploy reloads by touching application.wsgi'."""
    facts = clean_facts()
    backdoor = dict(facts.remote["daemons"][0], pid=4460, argv0="/usr/sbin/apache2", started=0.0)
    facts.remote["daemons"].append(backdoor)
    msg = outcome("daemon_code", facts, exp)
    assert msg.startswith("fail: mod_wsgi daemons [4460] started before current was switched") and \
        "pid 4460 shows as '/usr/sbin/apache2', not as a daemon: the app's code replaced, renamed or hid it" in msg, msg
    facts.remote["daemons"][-1]["argv0"] = "(wsgi:yourapplica"  # an old daemon still named: the plain line
    assert "not as a daemon" not in outcome("daemon_code", facts, exp)


@pytest.mark.parametrize("shown", ["exec'd", "leaderless"])
def test_a_daemon_from_before_the_switch_is_one_line_whatever_else_it_runs(exp, shown):
    """One root cause, one line. A daemon that outlived the switch (exec'd in place into another program, or its
    leader thread made to exit alone while its other threads run on: the kernel shows a zombie) is
    test_daemons_run_live_release's line, which says what it shows and runs and to kill it; the on-disk date
    (judged on the daemons started since) and the loader rule (the program) do not fail again for it."""
    facts = clean_facts()
    exe = "/usr/bin/python3.11" if shown == "exec'd" else None
    backdoor = dict(facts.remote["daemons"][0], pid=4460, argv0="/usr/sbin/apache2" if exe else "(wsgi:yourapplica",
                    started=0.0, exe=exe, leaderless=not exe)
    facts.remote["daemons"].append(backdoor)
    inv(facts)["loader"]["daemons"].append(dict(inv(facts)["loader"]["daemons"][0], pid=4460, exe=exe))
    msg = outcome("daemon_code", facts, exp)
    assert msg.startswith("fail: mod_wsgi daemons [4460] started before current was switched") and \
        ("pid 4460 shows as '/usr/sbin/apache2' and runs /usr/bin/python3.11" if exe else
         "pid 4460 shows as a zombie (ps: <defunct>): its leader thread exited alone") in msg and "kill it" in msg, msg
    assert (outcome("loaded", facts, exp), outcome("cw_loader", facts, exp)) == ("pass", "pass")

def inv(facts):
    return facts.remote["inventory"]


def proc(pid, user, cmdline, ppid=1, comm=None, ancestors=()):
    return {"pid": pid, "user": user, "ppid": ppid, "comm": comm or cmdline.split()[0].rsplit("/", 1)[-1],
            "cmdline": cmdline, "exe": program(cmdline), "started": 0.0, "ancestors": list(ancestors)}


def program(cmdline: str) -> str:
    """The executable the kernel shows for a process started as ``cmdline`` (an absolute first word, else from
    /usr/bin): what an ``allow_processes`` entry's first word must name."""
    word = cmdline.split()[0]
    return word if word.startswith("/") else "/usr/bin/" + word


# ---------------------------------------------------------------- serves

@pytest.mark.parametrize("host,port,name,exe", [
    ("0.0.0.0", 9100, "/usr/bin/prometheus-node-exporter", "/usr/bin/prometheus-node-exporter"),
    ("::", 8765, "python3 -m http.server", "/usr/bin/python3.11"),
    ("127.0.0.1", 6379, "/usr/bin/redis-server", "/usr/bin/redis-check-rdb")])
def test_any_listener_nobody_listed_fails_naming_process_and_allowance(exp, host, port, name, exe):
    facts = clean_facts()
    inv(facts)["listeners"].append({"proto": "tcp", "host": host, "port": port,
                                    "procs": [dict(proc(4242, "nobody", name), exe=exe)]})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_listen"], msg
    shown = f"{'*' if host in ('0.0.0.0', '::') else 'localhost'}:{port}"
    assert f"TCP {shown} listens: pid 4242 (nobody) {name!r}" in msg["cw_listen"]
    assert f'allow_listen = ["{shown} nobody {exe} sha256:' in msg["cw_listen"]  # the allowance binds the program
    assert outcome("cw_listen", facts, allowing(exp, listen=(f"{shown} nobody {exe}",))) == "pass"
    assert outcome("cw_listen", facts, allowing(exp, listen=(f"{shown}1 nobody {exe}",))).startswith("fail")


def test_an_allowed_port_taken_by_another_program_or_user_fails(exp):
    """blind4's c39: allow_listen written for a node exporter; root's python3 -m http.server took the port. An
    allowance binds the address to the program (the kernel's exe) and user it was written for; the address alone
    accounts for Apache's own sockets only."""
    facts = clean_facts()
    sock = {"proto": "tcp", "host": "0.0.0.0", "port": 9100,
            "procs": [dict(proc(4242, "root", "python3 -m http.server 9100"), exe="/usr/bin/python3.11")]}
    inv(facts)["listeners"].append(sock)
    for written in ("*:9100", "*:9100 prometheus /usr/bin/prometheus-node-exporter",
                    "*:9100 prometheus /usr/bin/python3.11", "*:9100 root /usr/bin/prometheus-node-exporter"):
        found = outcome("cw_listen", facts, allowing(exp, listen=(written,)))
        assert found.startswith("fail") and f"{written!r} in targets.toml allows this address for " in found, found
        assert 'allow_listen = ["*:9100 root /usr/bin/python3.11 sha256:' in found, found
    apache = copy.deepcopy(inv(facts)["listeners"][0])  # Apache's own Listen: the address alone is enough
    inv(facts)["listeners"][-1] = dict(apache, port=8443)
    assert outcome("cw_listen", facts, allowing(exp, listen=("*:8443",))) == "pass"


def test_apache_on_another_port_is_not_the_app(exp):
    facts = clean_facts()
    apache = inv(facts)["listeners"][0]
    inv(facts)["listeners"].append(dict(copy.deepcopy(apache), port=8443))
    assert "TCP *:8443 listens: pid 27 (root) '/usr/sbin/apache2 -k start'" in failing(facts, exp)["cw_listen"]


def add_conf(facts, path, *, package=None, changed=False, loose=None, directives=(), vhost=None):
    ap = inv(facts)["apache"]
    ap["includes"].append({"at": "222", "path": path, "depth": 4, "from": "/etc/apache2/apache2.conf"})
    ap["files"][path] = {"real": path, "loose": loose, "md5": "0" * 32, "sha256": "0" * 64, "package": package,
                         "dpkg_changed": changed, "dpkg_package": "apache2" if changed else None, "mtime": 1.0,
                         "directives": list(directives)}
    if vhost:
        ap["vhosts"].append({"name": vhost, "file": path, "line": 1, "shown": f"*:80 {vhost} ({path}:1)"})


@pytest.mark.parametrize("path", ["/etc/apache2/conf-enabled/hardening.conf", "/etc/apache2/sites-enabled/ops.conf",
                                  "/opt/site/extra.conf"])
def test_a_config_file_by_hand_is_one_failure_naming_its_include_and_effects(exp, path):
    facts = clean_facts()
    add_conf(facts, path, directives=[{"line": 2, "name": "listen", "value": "8088"}], vhost="ops.example.com")
    inv(facts)["listeners"].append({"proto": "tcp", "host": "0.0.0.0", "port": 8088,
                                    "procs": [proc(27, "root", "/usr/sbin/apache2 -k start")]})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_apache_files"], msg  # its vhost and its port are this one finding
    text = msg["cw_apache_files"]
    assert f"{path} (included from /etc/apache2/apache2.conf:222): no package ships it" in text
    assert "vhost ops.example.com (line 1), Listen 8088 (line 2)" in text
    assert f'allow_apache_conf = ["{path} sha256:' in text
    allowed = allowing(exp, apache_conf=(path,))
    left = failing(facts, allowed)  # allowing the file does not allow what it serves
    assert set(left) == {"cw_listen", "cw_vhosts"}, left
    assert failing(facts, allowing(exp, apache_conf=(path,), sites=("ops.example.com",), listen=("*:8088",))) == {}


@pytest.mark.parametrize("value, key, host", [("8443 https", "*:8443", "0.0.0.0"), ("[::]:8443", "*:8443", "::"),
                                              ("127.0.0.1:8081", "localhost:8081", "127.0.0.1"),
                                              ("192.0.2.7:8443 https", "192.0.2.7:8443", "192.0.2.7")])
def test_a_file_s_line_names_the_ports_it_opens_so_its_allowances_pass_in_one_round(exp, value, key, host):
    """Class: allowing a file by hand revealed the next line (its vhost's: allow_sites, then its port's: a
    ``Listen`` in a conf written by hand was one line naming allow_apache_conf; once written, the socket failed on
    its own, allow_listen). The file's line names what it opens too; written, the gate passes. Other member: a
    ``Listen 8443 https`` (a protocol word: the common TLS form) was not taken for the file's port, so its socket
    was a second line for one cause from the start."""
    facts = clean_facts()
    path = "/etc/apache2/conf-enabled/tls-port.conf"
    add_conf(facts, path, directives=[{"line": 1, "name": "listen", "value": value}])
    inv(facts)["listeners"].append({"proto": "tcp", "host": host, "port": 8443 if "8443" in key else 8081,
                                    "procs": [proc(27, "root", "/usr/sbin/apache2 -k start")]})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_apache_files"], msg
    assert f'with what it opens: allow_listen = ["{key}"]' in msg["cw_apache_files"], msg
    assert failing(facts, allowing(exp, apache_conf=(path,), listen=(key,))) == {}


def test_a_stock_file_edited_or_writable_by_others_fails(exp):
    facts = clean_facts()
    files = inv(facts)["apache"]["files"]
    files["/etc/apache2/ports.conf"].update(package=None, dpkg_changed=True, dpkg_package="apache2")
    files["/etc/apache2/conf-enabled/security.conf"]["loose"] = "/etc/apache2/conf-available 0775 root:appuser"
    text = failing(facts, exp)["cw_apache_files"]
    assert "/etc/apache2/ports.conf (included from /etc/apache2/apache2.conf:150): a conffile of apache2, changed" \
        in text
    assert "but /etc/apache2/conf-available 0775 root:appuser is writable by someone other than root" in text


def test_a_stock_file_not_enabled_on_a_stock_server_fails_and_a_module_is_its_own_rule(exp):
    facts = clean_facts()
    add_conf(facts, "/etc/apache2/conf-enabled/javascript-common.conf", package="javascript-common")
    add_conf(facts, "/etc/apache2/mods-enabled/info.load", package="apache2")
    facts.remote["configtest"]["modules"].append("info_module")
    msg = failing(facts, exp)
    assert set(msg) == {"cw_apache_files", "cw_modules"}
    assert "javascript-common.conf" in msg["cw_apache_files"] and "info.load" not in msg["cw_apache_files"]
    assert 'allow_modules = ["info_module"]' in msg["cw_modules"]


def test_config_changed_after_apache_loaded_it(exp):
    facts = clean_facts()
    kids = [p["started"] for p in inv(facts)["processes"]]
    inv(facts)["apache"]["files"]["/etc/apache2/sites-enabled/yourapplication.conf"]["mtime"] = min(kids) + 30
    msg = failing(facts, exp)
    assert list(msg) == ["cw_in_force"]
    assert "/etc/apache2/sites-enabled/yourapplication.conf changed at" in msg["cw_in_force"]


# ---------------------------------------------------------------- runs

@pytest.mark.parametrize("user,cmd,role", [("yourapplication", "python3 -m http.server", "the app user"),
                                           ("yourapplication", "/bin/sh -c sleep 9", "the app user"),
                                           ("appuser", "tmux new -d", "the deploy user"),
                                           ("www-data", "/usr/sbin/php-fpm8.2", "Apache's user")])
def test_a_process_nobody_listed_fails(exp, user, cmd, role):
    facts = clean_facts()
    inv(facts)["processes"].append(proc(777, user, cmd, ancestors=[{"pid": 1, "comm": "docker-init",
                                                                     "user": "root"}]))
    msg = failing(facts, exp)
    assert list(msg) == ["cw_processes"] and f"a process of {role} ({user})" in msg["cw_processes"]
    rights = {"the app user": "the app's rights", "the deploy user": "the deploy user's rights",
              "Apache's user": "Apache's user's rights"}
    assert all((f"with {r}" in msg["cw_processes"]) == (r == rights[role]) for r in rights.values()), msg
    word = cmd.split()[0]
    line = outcome("cw_processes", facts, allowing(exp, processes=(f"{user}: {word}",)))
    assert (line == "pass") == (role != "the deploy user"), line  # (the deploy login's memory is its own: no entry)
    assert role != "the deploy user" or f"its memory is {user}'s to write" in line, line



@pytest.mark.parametrize("cmd, exe, fails", [
    ("/usr/bin/htcacheclean -d 120 -p /var/cache/apache2/mod_cache_disk -l 300M -n", None, False),
    ("htcacheclean -d 120 -p /var/cache/apache2/mod_cache_disk", "/tmp/htcacheclean", True),
    ("/usr/bin/rotatelogs /tmp/x 86400", None, True)])
def test_a_stock_daemon_the_stacks_packages_run_as_apaches_user_passes(exp, cmd, exe, fails):
    """Class (a stock daemon of the stack's own packages taken for an unaccounted process): Debian's htcacheclean,
    which apache2's own start files run as www-data, failed cw_processes. It passes by its executable (the stack's
    baseline, among the files compared with dpkg's md5sums); the same name from elsewhere, or another of
    apache2-utils' programs run by that user outside Apache, still fails."""
    facts = clean_facts()
    p = proc(777, "www-data", cmd, ancestors=[{"pid": 1, "comm": "docker-init", "user": "root"}])
    p["exe"] = exe or p["exe"]
    inv(facts)["processes"].append(p)
    msg = outcome("cw_processes", facts, exp)
    assert (msg != "pass") == fails, msg


def test_an_allowed_process_that_runs_another_release_than_the_live_one_fails(exp):
    """Class (blind7s's a04z: an allowed worker started from current/ before the last deploy): allow_processes
    accounts for a process, not for the release it runs. One that names current and started before current was
    switched resolved the link then; one that names a release by id runs that release: each fails naming what it
    runs, allowed or not, the app's, the deploy login's or root's. One started after the switch passes."""
    root = "/var/www/yourapplication"
    facts = clean_facts()
    switched = facts["stat"][f"{root}/current"]["mtime"]
    older = "20000101T000000Z-00000000"
    cases = [("yourapplication", f"{root}/current/venv/bin/python {root}/current/venv/bin/app-worker", switched - 60,
              f"before current was switched to {LIVE}"),
             ("yourapplication", f"{root}/releases/{older}/venv/bin/app-report --daily", switched + 5,
              f"it runs release {older} by name, not the live {LIVE}"),
             ("root", f"/usr/bin/env {root}/current/venv/bin/flask --app app beat", switched - 600,
              "resolved current then and runs the release live at its start")]
    for n, (user, cmd, started, said) in enumerate(cases):
        facts = clean_facts()
        p = dict(proc(800 + n, user, cmd), started=started)
        inv(facts).setdefault("processes" if user != "root" else "reaching", []).append(p)
        mine = user != "root"  # (the app user's and the deploy login's: a prefix; anyone else's: every word)
        allowed = allowing(exp, processes=(f"{user}: {cmd.split()[0] if mine else cmd}",))
        msg = outcome("cw_processes", facts, allowed)
        assert msg.startswith("fail") and said in msg and "allow_processes accounts for the process, not for the " \
            "release it runs" in msg, (cmd, msg)
        p["started"], p["cmdline"] = switched + 5, cmd.replace(f"releases/{older}", f"releases/{LIVE}")
        p["exe"] = program(p["cmdline"])
        allowed = allowing(exp, processes=(f"{user}: {p['cmdline'].split()[0] if mine else p['cmdline']}",))
        assert outcome("cw_processes", facts, allowed) == "pass", cmd

@pytest.mark.parametrize("user, cmd", [("yourapplication", "/usr/bin/python3 -m yourapplication.worker"),
                                       ("yourapplication", "/usr/bin/python3 worker.py"),
                                       ("yourapplication", "/usr/bin/python3 -c import yourapplication.report")])
def test_an_allowed_process_working_in_the_live_release_that_started_before_the_switch_fails(exp, user, cmd):
    """This round's attack (class: a process judged by what it shows now, not by the kernel's start): an allowed
    worker that takes its code from its working directory (-m, -c, a relative script) passed while its cwd was the
    live release. A process of the app user's that the app's hole started with that argv, its code from a
    PYTHONPATH it then blanked in its own environ, followed `current` into each new release with chdir and
    outlived every deploy. What it imported at its start is the release live then: started before the switch, it
    is stale, whatever its working directory is now; started after, it passes."""
    facts = clean_facts()
    switched = facts["stat"][f"{R}/current"]["mtime"]
    facts.raw = parse.Snapshot({"files": {}, "dirs": {}, "proc": {"900": {"cwd": f"{R}/releases/{LIVE}"}}})
    p = dict(proc(900, user, cmd), started=switched - 60)
    inv(facts)["processes"].append(p)
    allowed = allowing(exp, processes=(f"{user}: {cmd}",))
    msg = outcome("cw_processes", facts, allowed)
    assert msg.startswith("fail") and f"before current was switched to {LIVE}" in msg and \
        f"(it works in {R}/releases/{LIVE} now)" in msg, msg
    p["started"] = switched + 5
    assert outcome("cw_processes", facts, allowed) == "pass"
    p.update(started=switched - 60, cmdline="/usr/bin/tmux", comm="tmux", exe="/usr/bin/tmux")  # an operator's
    allowed = allowing(exp, processes=(f"{user}: /usr/bin/tmux",))  # tmux server, started there: runs no code of it
    assert outcome("cw_processes", facts, allowed) == "pass"


def test_the_deploy_users_processes_in_a_live_ssh_session_are_its_own(exp):
    facts = clean_facts()
    session = [{"pid": 90, "comm": "sh", "user": "appuser"}, {"pid": 89, "comm": "sshd-session", "user": "appuser"},
               {"pid": 88, "comm": "sshd-session", "user": "root"}, {"pid": 20, "comm": "sshd", "user": "root"}]
    inv(facts)["processes"].append(proc(91, "appuser", "vim notes", ancestors=session))
    assert failing(facts, exp) == {}


def test_a_session_the_deploy_user_made_up_is_not_an_ssh_session(exp):
    """Names are the owner's to choose: an 'sshd' the deploy user runs itself (a copy named so, or the real
    binary on a port of its own) is no login session, and its socket is no SSH server of the host's."""
    facts = clean_facts()
    own = [{"pid": 90, "comm": "sshd", "user": "appuser"}, {"pid": 1, "comm": "docker-init", "user": "root"}]
    inv(facts)["processes"].append(proc(91, "appuser", "python3 miner.py", ancestors=own))
    fake = {"pid": 90, "user": "appuser", "ppid": 1, "comm": "sshd-agent", "cmdline": "/home/appuser/sshd-agent",
            "exe": "/home/appuser/sshd-agent", "started": 0.0}
    inv(facts)["listeners"].append({"proto": "tcp", "host": "0.0.0.0", "port": 4444, "procs": [fake],
                                    "owner": "appuser", "uid": 1000})
    found = failing(facts, exp)
    assert "pid 91" in found["cw_processes"] and "*:4444" in found["cw_listen"]


def test_a_daemon_lookalike_not_started_by_apache_fails(exp):
    facts = clean_facts()
    inv(facts)["processes"].append(proc(555, "yourapplication", "(wsgi:yourapplica -k start", ppid=1,
                                        comm="apache2"))
    assert "pid 555" in failing(facts, exp)["cw_processes"]


def add_text(facts, path, text):
    inv(facts)["texts"].append({"path": path, "text": text})


@pytest.mark.parametrize("path,text,where,user", [
    ("/var/spool/cron/crontabs/yourapplication", "MAILTO=x\n*/5 * * * * /bin/true\n",
     "/var/spool/cron/crontabs/yourapplication:2", "yourapplication"),
    ("/etc/cron.d/cleanup", "# by hand\n\n*/5 * * * * appuser /bin/true\n", "/etc/cron.d/cleanup:3", "appuser"),
    ("/etc/crontab", "SHELL=/bin/sh\n@daily www-data /bin/true\n", "/etc/crontab:2", "www-data"),
    # as root, but with the app's code: whoever writes the app's tree runs code as root
    ("/etc/cron.d/report", "0 4 * * * root /var/www/yourapplication/current/venv/bin/python -m x\n",
     "/etc/cron.d/report:1", "root"),
    ("/var/spool/cron/crontabs/root", "15 * * * * cd /var/www/yourapplication && ./tool\n",
     "/var/spool/cron/crontabs/root:1", "root"),
    ("/etc/cron.daily/app-backup", "#!/bin/sh\ntar cf /backup.tar /var/www/yourapplication/shared\n",
     "/etc/cron.daily/app-backup", "root"),
])
def test_a_scheduled_job_of_those_users_or_with_the_apps_code_fails_wherever_it_is(exp, path, text, where, user):
    facts = clean_facts()
    add_text(facts, path, text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and f"{where}: runs " in msg["cw_schedules"], msg
    assert f" as {user}" in msg["cw_schedules"]
    # allowed: a job of those users passes, and root only naming the tree; root running code from it (the deploy
    # login's releases) fails whatever is allowed (blind13: as allow_units never accounts for it)
    allowed = outcome("cw_schedules", facts, allowing(exp, cron=(path,)))
    assert (allowed == "pass") is (user != "root" or "tar " in text), allowed


@pytest.mark.parametrize("path,text", [
    ("/etc/cron.d/logs", "0 4 * * * root /usr/sbin/logrotate /etc/logrotate.conf\n"),
    ("/etc/cron.d/other", "0 4 * * * root /var/www/yourapplication2/tool  # another tree\n"),
    ("/etc/cron.daily/.placeholder", "# /var/www/yourapplication run-parts skips this name\n"),
])
def test_root_jobs_without_the_apps_code_are_not_findings(exp, path, text):
    facts = clean_facts()
    add_text(facts, path, text)
    assert outcome("cw_schedules", facts, exp) == "pass"


# ---------------------------------------------------------------- systemd units

REPORT_UNIT = """[Unit]
Description=nightly report

[Service]
Type=oneshot
ExecStart=/var/www/yourapplication/current/venv/bin/python -m yourapplication.report
"""


@pytest.mark.parametrize("files,name,found", [
    # a timer runs a script of the app's tree as root
    ({"/etc/systemd/system/app-report.service": REPORT_UNIT,
      "/etc/systemd/system/app-report.timer": "[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n",
      "/etc/systemd/system/timers.target.wants/app-report.timer": "-> /etc/systemd/system/app-report.timer"},
     "app-report.service", "app-report.service (/etc/systemd/system/app-report.service; started by "
                           "app-report.timer (enabled by /etc/systemd/system/timers.target.wants/app-report.timer)):"),
    # the same under another name, run through a working directory and a drop-in
    ({"/etc/systemd/system/nightly.service": "[Service]\nExecStart=/usr/bin/make run\n",
      "/etc/systemd/system/nightly.service.d/override.conf":
          "[Service]\nWorkingDirectory=/var/www/yourapplication/current\n"},
     "nightly.service", "workingdirectory reaches the app's tree"),
    # a tool left running as the deploy login
    ({"/etc/systemd/system/tunnel.service": "[Service]\nUser=appuser\nExecStart=/usr/bin/ssh -N x\n",
      "/etc/systemd/system/multi-user.target.wants/tunnel.service": "-> /etc/systemd/system/tunnel.service"},
     "tunnel.service", "it runs as appuser, the deploy login"),
    # a unit file kept in the app's tree, linked in (systemctl link)
    ({"/etc/systemd/system/worker.service": "-> /var/www/yourapplication/shared/data/worker.service",
      "/etc/systemd/system/multi-user.target.wants/worker.service":
          "-> /var/www/yourapplication/shared/data/worker.service"},
     "worker.service", "its unit file is /var/www/yourapplication/shared/data/worker.service, in the app's tree"),
    # a stock unit's drop-in that runs as the app user
    ({"/etc/systemd/system/cron.service.d/zz.conf": "[Service]\nUser=yourapplication\n"},
     "cron.service", "it runs as yourapplication, the app user"),
])
def test_a_unit_that_runs_as_our_users_or_the_apps_code_fails(exp, files, name, found):
    facts = clean_facts()
    for path, text in files.items():
        add_text(facts, path, text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"], msg
    assert "1 systemd unit not accounted for" in msg["cw_units"] and f"- {name} (" in msg["cw_units"], msg
    assert found in msg["cw_units"] and f'allow_units = ["{name} sha256:' in msg["cw_units"]
    allowed = outcome("cw_units", facts, allowing(exp, units=(name,)))
    if name not in ("app-report.service", "nightly.service"):  # (the two whose commands run as root)
        assert allowed == "pass"
    else:  # blind12b: a unit running the app's code as root (no User=) is no allowance's to account for
        assert allowed.startswith("fail: ") and "runs as root" in allowed and "no allowance accounts" in allowed


@pytest.mark.parametrize("key,group", [("SupplementaryGroups", "shadow"),  # blind9's k04 (shown: the app read it)
                                       ("Group", "docker"), ("SupplementaryGroups", "adm disk")])
def test_a_unit_granting_a_group_that_reaches_root_fails_even_allowed(exp, key, group):
    """Class (blind9's k04: an allowed unit of the app's, User=the app user, 'SupplementaryGroups=shadow'): a
    unit's Group= or SupplementaryGroups= is a membership for what it runs, judged as a user's membership is:
    a group that reaches root (shadow, disk, docker, sudo, a sudoers rule's %group) fails whatever allow_units
    says; the app's own group and a group that reaches nothing (adm) pass."""
    facts = clean_facts()
    name = "app-authd.service"
    add_text(facts, f"/etc/systemd/system/{name}", f"[Service]\nUser=yourapplication\n{key}={group}\n"
             "ExecStart=/var/www/yourapplication/current/venv/bin/python -m yourapplication.authd\n")
    msg = failing(facts, allowing(exp, units=(name,)))
    reached = group.split()[-1]
    assert list(msg) == ["cw_units"] and f"{name} runs what it starts with group {reached} ({key.lower()})" in \
        msg["cw_units"] and "allow_units accounts for the unit, not for the groups it grants" in msg["cw_units"], msg
    add_text(facts, f"/etc/systemd/system/{name}", f"[Service]\nUser=yourapplication\n{key}=yourapplication adm\n"
             "ExecStart=/var/www/yourapplication/current/venv/bin/python -m yourapplication.authd\n")
    assert outcome("cw_units", facts, allowing(exp, units=(name,))) == "pass"


@pytest.mark.parametrize("caps, fails", [
    ("CAP_DAC_OVERRIDE", True),  # blind8's k04: the app's report, allowed, with every file's rights
    ("CAP_SYS_PTRACE CAP_NET_BIND_SERVICE", True),  # another member: every process's memory
    ("CAP_NET_BIND_SERVICE", False)])  # a low port: nothing of anyone else's
def test_an_allowed_unit_giving_the_apps_code_a_wide_capability_fails(exp, caps, fails):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/app-report.service", "[Service]\nUser=yourapplication\n"
             "WorkingDirectory=/var/www/yourapplication/current\nAmbientCapabilities=" + caps + "\n"
             "ExecStart=/var/www/yourapplication/current/venv/bin/python -m yourapplication.report\n")
    found = outcome("cw_units", facts, allowing(exp, units=("app-report.service",)))
    assert (found != "pass") is fails, found
    if fails:
        assert "app-report.service (/etc/systemd/system/app-report.service:4): AmbientCapabilities" in found, found
        assert "allow_units accounts for the unit, not for that" in found and found.count("- app-report") == 1, found


def test_ordinary_admin_units_are_not_findings(exp):
    facts = clean_facts()
    add_text(facts, "/etc/systemd/system/node_exporter.service",
             "[Service]\nUser=prometheus\nExecStart=/usr/local/bin/node_exporter\n")
    add_text(facts, "/etc/systemd/system/multi-user.target.wants/prometheus-node-exporter.service",
             "-> /lib/systemd/system/prometheus-node-exporter.service")
    add_text(facts, "/etc/systemd/system/apache2.service.d/limits.conf", "[Service]\nLimitNOFILE=65536\n")
    assert outcome("cw_units", facts, exp) == "pass"



@pytest.mark.parametrize("path,text,said,always", [
    # blind7s m05: 'graceful' meant, SIGWINCH is Apache's graceful-stop
    ("/etc/systemd/system/apache2.service.d/reload.conf", "[Service]\nExecReload=\nExecReload=/bin/kill -WINCH "
     "$MAINPID\n", "apache2.service's reload stops it (/etc/systemd/system/apache2.service.d/reload.conf:3: "
     "execreload=/bin/kill -WINCH $MAINPID)", True),
    # other members: the same through apachectl's graceful-stop, in the runtime dir, and sshd's reload by signal
    ("/run/systemd/system/apache2.service.d/50-x.conf", "[Service]\nExecReload=/usr/sbin/apachectl graceful-stop\n",
     "apache2.service's reload stops it", True),
    ("/etc/systemd/system/ssh.service.d/override.conf", "[Service]\nExecReload=/bin/kill -s TERM $MAINPID\n",
     "ssh.service's reload stops it", True),
    # a mask (an incident's 'systemctl mask apache2', never undone)
    ("/etc/systemd/system/apache2.service", "-> /dev/null", "apache2.service is masked "
     "(/etc/systemd/system/apache2.service -> /dev/null): systemd never starts it", True),
    # a start changed: allowed by name, the operator's decision
    ("/etc/systemd/system/apache2.service.d/env.conf", "[Service]\nEnvironment=APACHE_STARTED_BY_SYSTEMD=false\n",
     "apache2.service is overridden in how systemd starts, reloads or stops it", False),
])
def test_an_override_of_the_units_the_site_relies_on_fails(exp, path, text, said, always):
    """Class (blind7s's m05): a drop-in, a unit file of its name or a mask in the admin's (or the runtime's) unit
    dirs that changes how systemd starts, reloads or stops Apache or sshd. A mask and a reload that stops the
    server fail whatever is allowed; any other change of those keys is allowed by the unit's name; a limit
    (LimitNOFILE) is no finding (test_ordinary_admin_units_are_not_findings)."""
    facts = clean_facts()
    add_text(facts, path, text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and said in msg["cw_units"], msg
    name = "ssh.service" if "/ssh.service" in path else "apache2.service"
    allowed = outcome("cw_units", facts, allowing(exp, units=(name,)))
    if always:
        assert said in allowed and "allow_units accounts for the unit, not for that" in allowed, allowed
    else:
        assert allowed == "pass", allowed

# ---------------------------------------------------------------- the reload deploys rely on

def add_apache_text(facts, path, text, parent="/etc/apache2/apache2.conf", at="222"):
    add_conf(facts, path, package="apache2")  # accounted for: only the reload rule may speak
    ap = inv(facts)["apache"]
    ap["includes"][-1].update(at=at, **{"from": parent})
    add_text(facts, path, text)


@pytest.mark.parametrize("path,text", [
    ("/etc/apache2/conf-enabled/hardening.conf", "ServerSignature Off\nWSGIScriptReloading Off\n"),
    ("/etc/apache2/conf-enabled/zz-perf.conf", "<IfModule mod_wsgi.c>\n  wsgiscriptreloading   off\n</IfModule>\n"),
    ("/srv/apache/tuning.include", '<Directory "/var/www">\n    WSGIScriptReloading \\\n        Off\n</Directory>\n'),
    ("/etc/apache2/mods-enabled/wsgi.conf", "<Location />\nWSGIScriptReloading Off\n</Location>\n"),
])
def test_a_directive_that_turns_the_reload_off_fails_wherever_it_is(exp, path, text):
    facts = clean_facts()
    add_apache_text(facts, path, text)
    msg = outcome("reload", facts, exp)
    assert msg.startswith("fail: the reload deploys rely on will not take effect"), msg
    assert f"{path}:2: WSGIScriptReloading" in msg and "the next deploy will not take effect" in msg, msg


@pytest.mark.parametrize("path,text,found", [
    ("/etc/apache2/conf-enabled/wsgi-embedded.conf", "<Location />\n    WSGIProcessGroup %{GLOBAL}\n</Location>\n",
     "embedded mode"),
    ("/etc/apache2/conf-enabled/perf.conf", '<Directory "/var/www/yourapplication">\nWSGIProcessGroup shared\n'
     '</Directory>\n', "process group shared"),
    ("/etc/apache2/conf-enabled/ops.conf", "<Location /health>\nWSGIProcessGroup %{GLOBAL}\n</Location>\n",
     "embedded mode"),
    ("/etc/apache2/conf-enabled/ops.conf", "WSGIProcessGroup %{GLOBAL}\n", None),  # (the vhost's own wins)
    ("/etc/apache2/conf-enabled/ops.conf", "<Directory /srv/other>\nWSGIProcessGroup %{GLOBAL}\n</Directory>\n", None),
    ("/etc/apache2/conf-enabled/ops.conf", "<Location />\nWSGIProcessGroup yourapplication\n</Location>\n", None),
])
def test_a_process_group_over_the_vhost_that_leaves_the_daemon_fails(exp, path, text, found):
    """Class (mod_wsgi's daemon mode disabled by configuration): a WSGIProcessGroup in a Location, Directory or Files
    reaching the app's script overrides its vhost's: its requests run in Apache's workers (embedded mode) or another
    group, which the deploy's touch does not restart; a main-server one (the vhost's wins), one elsewhere, or the
    app's own group passes."""
    facts = clean_facts()
    add_apache_text(facts, path, text)
    msg = outcome("reload", facts, exp)
    if found is None:
        assert msg == "pass", msg
    else:
        assert msg.startswith("fail: the reload deploys rely on will not take effect"), msg
        assert f"{path}:2: WSGIProcessGroup" in msg and found in msg, msg


@pytest.mark.parametrize("text", [
    "<VirtualHost *:80>\n ServerName other.example\n WSGIScriptReloading Off\n</VirtualHost>\n",
    "<Directory /srv/other>\n WSGIScriptReloading Off\n</Directory>\n",
    "<IfModule !mod_wsgi.c>\n WSGIScriptReloading Off\n</IfModule>\n",
    "# WSGIScriptReloading Off\nWSGIScriptReloading On\n",
])
def test_a_reload_directive_that_does_not_reach_the_app_is_not_a_finding(exp, text):
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/ops.conf", text)
    assert outcome("reload", facts, exp) == "pass"


def test_the_reload_directive_inside_the_apps_vhost_through_an_include_fails(exp):
    facts = clean_facts()
    vhost = "/etc/apache2/sites-enabled/yourapplication.conf"
    raw = {t["path"]: t for t in inv(facts)["texts"]}[vhost]
    raw["text"] = raw["text"].replace("</VirtualHost>", "    Include /etc/apache2/app-extra.conf\n</VirtualHost>")
    n = raw["text"].splitlines().index("    Include /etc/apache2/app-extra.conf") + 1
    add_apache_text(facts, "/etc/apache2/app-extra.conf", "WSGIScriptReloading Off\n", parent=vhost, at=str(n))
    assert "/etc/apache2/app-extra.conf:1: WSGIScriptReloading Off" in outcome("reload", facts, exp)


@pytest.mark.parametrize("text,found", [
    ("<Directory /var/www/>\n  AllowOverride All\n</Directory>\n", True),
    ("<Directory /var/www/yourapplication>\n  AllowOverride FileInfo AuthConfig\n</Directory>\n", True),
    ("<Directory /var/www/>\n  AllowOverride AuthConfig\n</Directory>\n", False),
    ("<Directory /srv/www/>\n  AllowOverride All\n</Directory>\n", False),
])
def test_a_htaccess_allowed_over_the_apps_tree_may_turn_the_reload_off(exp, text, found):
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/ops.conf", text)
    msg = outcome("reload", facts, exp)
    assert ("/etc/apache2/conf-enabled/ops.conf:2: AllowOverride" in msg) is found, msg


def test_the_apps_script_alias_to_another_file_fails(exp):
    facts = clean_facts()
    vhost = "/etc/apache2/sites-enabled/yourapplication.conf"
    raw = {t["path"]: t for t in inv(facts)["texts"]}[vhost]
    raw["text"] = raw["text"].replace(f"WSGIScriptAlias / {R}/application.wsgi", "WSGIScriptAlias / /srv/app.wsgi")
    assert "WSGIScriptAlias / loads /srv/app.wsgi, not /var/www/yourapplication/application.wsgi" in \
        outcome("reload", facts, exp)


# ---------------------------------------------------------------- grants

@pytest.mark.parametrize("file,text", [("/etc/sudoers.d/ops", "yourapplication ALL=(root) NOPASSWD: /usr/bin/id"),
                                       ("/etc/sudoers.d/zz", "deployer ALL=(ALL) NOPASSWD: ALL"),
                                       ("/etc/sudoers", "%adm ALL=(ALL) NOPASSWD: ALL"),
                                       ("/etc/sudoers.d/keep", 'Defaults env_keep += "http_proxy"')])
def test_a_sudoers_line_nobody_listed_fails_in_any_file(exp, file, text):
    facts = clean_facts()
    inv(facts)["sudoers"].append({"file": file, "line": 3, "text": text, "mode": "0440", "owner": "root"})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_sudoers"] and f"{file}:3: {text!r}" in msg["cw_sudoers"]
    assert outcome("cw_sudoers", facts, allowing(exp, sudo=(text,))) == "pass"


@pytest.mark.parametrize("text, passes", [
    ("Defaults !requiretty", True), ("Defaults:admin !requiretty, !visiblepw", True),
    ("Defaults env_reset", True), ("Defaults !requiretty, !env_reset", False),
    ("Defaults !requiretty, mail_badpass", True), ("Defaults !requiretty, mail_always", False),
    ("Defaults requiretty", False)])
def test_a_defaults_line_that_says_sudos_own_defaults_again_changes_nothing(exp, text, passes):
    """'Defaults !requiretty' (habitual in config management; requiretty is off in sudo as built) changes nothing:
    it asked for an allowance. A line of only sudo's own defaults (or Debian's sudoers' own: mail_badpass) passes;
    one option more is judged as before."""
    facts = clean_facts()
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/cm", "line": 1, "text": text, "mode": "0440",
                                  "owner": "root"})
    msg = outcome("cw_sudoers", facts, exp)
    assert (msg == "pass") is passes, msg


def test_the_targets_login_own_rules_are_the_operators(exp):
    facts = clean_facts()  # appuser (the login) has ALL=(ALL) NOPASSWD:ALL in the images: how bootstrap runs
    assert any(r["text"].startswith("appuser ALL=(ALL)") for r in inv(facts)["sudoers"])
    assert outcome("cw_sudoers", facts, exp) == "pass"


@pytest.mark.parametrize("group", ["sudo", "docker", "shadow", "disk", "appuser", "ssl-cert", "adm", "backup"])
def test_an_extra_group_of_the_app_user_that_reaches_root_or_the_app_fails(exp, group):
    facts = clean_facts()
    facts.remote["users"]["app"]["groups"].append(group)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_groups"] and f"yourapplication (the app user) is in group {group}" in msg["cw_groups"]
    allowed = outcome("cw_groups", facts, allowing(exp, groups=(f"yourapplication: {group}",)))
    if group in ("sudo", "docker", "shadow", "disk"):  # reaches root: the allowance accounts for the membership only
        assert allowed.startswith("fail: 1 group") and "not for the root it reaches" in allowed, allowed
    else:
        assert allowed == "pass"


@pytest.mark.parametrize("row, member", [
    (["shadow", "none", "yourapplication", ""], True),  # an administrator of shadow: gpasswd -a adds itself
    (["sudo", "locked", "", "yourapplication"], True),  # a member gshadow alone names: newgrp takes it in
    (["shadow", "none", "", ""], False),  # Debian's own line: nobody
])
def test_a_group_gshadow_opens_to_the_app_user_is_one_of_its_groups(row, member):
    """Class: a grant recorded in another account database than the one read (a blind tester's p03: the app user
    made administrator of shadow with gpasswd -A, then in it, read every hash). The collector sends /etc/gshadow
    without hashes; its administrators and members count as the group's members for every rule on membership."""
    passwd = "root:x:0:0::/root:/bin/sh\nyourapplication:x:999:999::/var/www/yourapplication:/usr/sbin/nologin\n"
    group = "root:x:0:\nsudo:x:27:\nshadow:x:42:\nyourapplication:x:999:\n"
    before = parse.Users(passwd, group).facts("yourapplication")["groups"]
    after = parse.Users(passwd, group, [row]).facts("yourapplication")["groups"]
    assert before == ["yourapplication"] and (row[0] in after) is member, after
    snap = parse.Snapshot({"files": {"/etc/passwd": {"data": passwd}, "/etc/group": {"data": group}},
                           "gshadow": [row]})
    assert (row[0] in snap.users.facts("yourapplication")["groups"]) is member


@pytest.mark.parametrize("who", ["app", "deploy"])
def test_an_allowed_group_that_reaches_root_still_fails(exp, who):
    """The allowance accounts for the membership, not for what the group reaches (blind10 k04: allow_groups
    'yourapplication: shadow' for python-pam: the app reads every hash); another member: a group a sudoers rule names;
    a group a sudoers rule names, and the deploy user in both."""
    facts = clean_facts()
    name = {"app": "yourapplication", "apache": "www-data", "deploy": "appuser"}[who]
    facts.remote["users"][who]["groups"] += ["shadow", "ops"]
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/ops", "line": 3, "text": "%ops ALL=(root) /usr/bin/x",
                                  "mode": "0440", "owner": "root"})
    inv(facts)["sudoers"] = [r for r in inv(facts)["sudoers"] if not r["text"].startswith("appuser ")]
    msg = outcome("cw_groups", facts, allowing(exp, groups=(f"{name}: shadow", f"{name}: ops")))
    assert msg.startswith("fail: 2 group") and "reads every password hash" in msg and "%ops" in msg, msg


CLOUD_GROUPS = ["adm", "dialout", "cdrom", "floppy", "sudo", "audio", "dip", "video", "plugdev", "netdev"]


def test_every_group_beyond_bootstraps_is_a_finding_whatever_its_name(exp):
    """Deny by default: a group's reach is what it owns (ssl-cert: the TLS keys; a group owning a secret under /etc
    or writing a script root runs), not its name; each membership is one line, each allowed by its own entry."""
    facts = clean_facts()
    extra = [g for g in CLOUD_GROUPS if g != "sudo"] + ["ssl-cert", "certreaders"]
    facts.remote["users"]["app"]["groups"] += extra
    lines = [ln.strip() for ln in failing(facts, exp)["cw_groups"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == len(extra) and all("allow_groups" in ln for ln in lines), lines
    assert "yourapplication (the app user) is in group certreaders: bootstrap did not put it there" in lines[-1]
    allow = tuple(f"yourapplication: {g}" for g in extra)
    assert outcome("cw_groups", facts, allowing(exp, groups=allow)) == "pass"
    assert outcome("cw_groups", facts, allowing(exp, groups=allow[1:])).startswith("fail: 1 group")


def test_a_group_a_sudoers_rule_names_reaches_root(exp):
    facts = clean_facts()
    facts.remote["users"]["app"]["groups"].append("ops")
    assert "is in group ops: bootstrap did not put it there" in failing(facts, exp)["cw_groups"]
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/ops", "line": 3, "text": "%ops ALL=(root) /usr/bin/x",
                                  "mode": "0440", "owner": "root"})
    assert "is in group ops: sudo rule /etc/sudoers.d/ops:3 is for %ops" in failing(facts, exp)["cw_groups"]


def test_a_login_holding_sudo_rules_of_its_own_holds_its_groups_as_the_operator(exp):
    facts = clean_facts()  # the login is the deploy user (the default), as Debian's cloud images make it
    facts.remote["users"]["deploy"]["groups"] += CLOUD_GROUPS
    assert failing(facts, exp) == {}
    facts = clean_facts()  # the same login without rules of its own: its sudo membership is a finding
    facts.remote["users"]["deploy"]["groups"] += CLOUD_GROUPS
    inv(facts)["sudoers"] = [r for r in inv(facts)["sudoers"] if not r["text"].startswith("appuser ")]
    lines = [ln.strip() for ln in failing(facts, exp)["cw_groups"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == len(CLOUD_GROUPS) and any("appuser (the deploy user) is in group sudo" in ln
                                                   for ln in lines), lines


def test_app_user_keys_and_special_files(exp):
    facts = clean_facts()
    inv(facts)["app_keys"] = ["/var/lib/yourapplication/.ssh/authorized_keys2"]
    facts.remote["tree_inventory"]["special"] = [
        {"path": f"{R}/shared/data/.t", "what": ["setuid"], "mode": "4755", "owner": "yourapplication"},
        {"path": f"{R}/releases/{LIVE}/venv/lib/x.py", "what": ["world-writable"], "mode": "0666", "owner": "appuser"}]
    msg = failing(facts, exp)
    assert set(msg) == {"cw_app_login", "cw_tree_special"}
    assert "authorized_keys2 exists" in msg["cw_app_login"]
    assert "shared/data/.t: setuid (4755" in msg["cw_tree_special"] and "x.py: world-writable" in \
        msg["cw_tree_special"]


# ---------------------------------------------------------------- loads code

@pytest.mark.parametrize("change,expect", [
    (lambda ld: ld["daemons"][0]["env"].append("PYTHONPATH=/opt/lib"), "has PYTHONPATH=/opt/lib"),
    (lambda ld: ld["daemons"][0]["env"].append("LD_PRELOAD=/tmp/x.so"), "has LD_PRELOAD=/tmp/x.so"),
    (lambda ld: ld.update(preload=True), "/etc/ld.so.preload exists"),
    (lambda ld: ld.update(home_entries=["evil.py"]), "holds ['evil.py']"),
    (lambda ld: ld.update(pyvenv_cfg=ld["pyvenv_cfg"].replace("= false", "= true")),
     "include-system-site-packages = true"),
    (lambda ld: ld["hooks"].append({"path": "/usr/lib/python3.11/lib-dynload/usercustomize.py",
                                    "real": "/usr/lib/python3.11/lib-dynload/usercustomize.py", "package": None}),
     "lib-dynload/usercustomize.py: a site hook"),
    (lambda ld: ld["hooks"].append({"path": "/usr/local/lib/python3.11/zz.pth", "real": "/usr/local/lib/python3.11/"
                                    "zz.pth", "package": None}), "zz.pth: a site hook"),
])
def test_anything_else_that_loads_code_into_the_daemons_fails(exp, change, expect):
    facts = clean_facts()
    change(inv(facts)["loader"])
    msg = failing(facts, exp)
    assert list(msg) == ["cw_loader"] and expect in msg["cw_loader"], msg


def test_a_broken_rollback_target_fails_naming_what_is_missing(exp):
    facts = clean_facts()
    releases = facts.remote["tree_inventory"]["releases"]
    swapped = {"hops": [], "target": f"{R}/releases/20000101T000000Z-00000000/venv/bin/python", "root_owned": False,
               "facts": {"kind": "regular file", "mode": "0755", "owner": "appuser", "group": "appuser"}}
    releases["20000101T000000Z-00000000"] = dict(releases[LIVE], module_found=False, python=swapped)
    msg = failing(facts, exp)
    assert list(msg) == ["rollback_ready"]
    assert "releases/20000101T000000Z-00000000: venv/bin/python is a regular file" in msg["rollback_ready"]
    assert "the entry point's module 'yourapplication' is not in" in msg["rollback_ready"]


# ---------------------------------------------------------------- security and switching rules off

def test_security_rules(exp):
    facts = clean_facts()
    sec = inv(facts)["apache"]["files"]["/etc/apache2/conf-enabled/security.conf"]["directives"]
    for d in sec:
        d["value"] = {"servertokens": "Full", "traceenable": "On"}.get(d["name"], d["value"])
    for p in facts.remote["apache"][1:3]:
        p["user"] = "root"
    msg = failing(facts, exp)
    assert {"sec_trace", "sec_tokens", "sec_apache_user"} <= set(msg)
    assert "TraceEnable is On (/etc/apache2/conf-enabled/security.conf:32)" in msg["sec_trace"]


def test_a_rule_switched_off_in_targets_toml_skips_with_its_reason(exp):
    facts = clean_facts()
    inv(facts)["apache"]["files"]["/etc/apache2/conf-enabled/security.conf"]["directives"][0]["value"] = "Full"
    off = allowing(exp, skip_rules={"sec_tokens": "a proxy strips the Server header"})
    assert outcome("sec_tokens", facts, off) == \
        "skip: switched off in targets.toml: skip_rules sec_tokens = 'a proxy strips the Server header'"


def test_targets_toml_allowances_and_their_errors(tmp_path):
    f = tmp_path / "targets.toml"
    f.write_text('[targets.prod]\nhosts = ["a@web1"]\nallow_listen = ["*:9100"]\n'
                 'skip_rules = { sec_tokens = "proxy" }\n')
    spec = load_inventory(f)["prod"]
    assert spec.allow.listen == ("*:9100",) and spec.allow.skip_rules == {"sec_tokens": "proxy"}
    assert spec.allow.where == f"{f}:4"
    f.write_text('[targets.prod]\nhosts = ["a@web1"]\nskip_rules = { host = "no" }\n')
    with pytest.raises(ConfigError, match=r"targets.toml:3: target 'prod': skip_rules: unknown rule 'host'"):
        load_inventory(f)
    f.write_text('[targets.prod]\nhosts = ["a@web1"]\nskip_rules = { sec_trace = "" }\n')
    with pytest.raises(ConfigError, match="needs a reason"):
        load_inventory(f)
    f.write_text('[targets.prod]\nhosts = ["a@web1"]\nallow_listen = "*:9100"\n')
    with pytest.raises(ConfigError, match="targets.toml:3: .*'allow_listen' must be a list of non-empty strings"):
        load_inventory(f)


# ---------------------------------------------------------------- the probe's parsers

def test_proc_net_addresses():
    assert parse.hex_address("0100007F:1F90") == ("127.0.0.1", 8080)
    assert parse.hex_address("00000000000000000000000000000000:0016") == ("::", 22)
    assert parse.hex_address("00000000000000000000000001000000:2382") == ("::1", 9090)


def test_apache_dump_is_parsed_with_each_files_includer_and_vhost_lines():
    out = ("Included configuration files:\n  (*) /etc/apache2/apache2.conf\n"
           "    (146) /etc/apache2/mods-enabled/alias.load\n    (225) /etc/apache2/sites-enabled/a.conf\n"
           "      (3) /srv/included.conf\nVirtualHost configuration:\n*:80                   is a NameVirtualHost\n"
           "         default server a.example (/etc/apache2/sites-enabled/a.conf:2)\n"
           "         port 80 namevhost a.example (/etc/apache2/sites-enabled/a.conf:2)\n"
           "*:8080                 b.example (/srv/included.conf:1)\n"
           'User: name="www-data" id=33\nGroup: name="www-data" id=33\n')

    dump = parse.apache_dump(out, 0)
    assert [(i["path"], i["from"], i["at"]) for i in dump["includes"]] == [
        ("/etc/apache2/apache2.conf", None, "*"),
        ("/etc/apache2/mods-enabled/alias.load", "/etc/apache2/apache2.conf", "146"),
        ("/etc/apache2/sites-enabled/a.conf", "/etc/apache2/apache2.conf", "225"),
        ("/srv/included.conf", "/etc/apache2/sites-enabled/a.conf", "3")]
    assert [(v["name"], v["file"], v["line"]) for v in dump["vhosts"]] == [
        ("a.example", "/etc/apache2/sites-enabled/a.conf", 2), ("a.example", "/etc/apache2/sites-enabled/a.conf", 2),
        ("b.example", "/srv/included.conf", 1)]
    assert dump["run"] == {"user": "www-data", "group": "www-data"}


@pytest.mark.parametrize("addr", ["127.0.0.1:80", "10.0.0.5:80", "[::1]:80"])
def test_a_vhost_bound_to_an_address_takes_every_request_there_one_line_naming_it(exp, addr):
    """blind8's k09: an allowed status site written '<VirtualHost 127.0.0.1:80>' takes every request to that
    address (the deploy's health check's): one line naming the address-based vhost, whatever is allowed, not 'its
    file sorts first'. Other members: a private address, IPv6 loopback; as *:80 it passes."""
    facts = clean_facts()
    path = "/etc/apache2/sites-enabled/status-local.conf"
    out = (f"VirtualHost configuration:\n{addr}          status.local ({path}:1)\n*:80                   is a "
           "NameVirtualHost\n         default server localhost (/etc/apache2/sites-enabled/yourapplication.conf:2)\n"
           "         port 80 namevhost localhost (/etc/apache2/sites-enabled/yourapplication.conf:2)\n")
    inv(facts)["apache"]["vhosts"] = parse.apache_dump(out, 0)["vhosts"]
    allowed = allowing(exp, sites=("status.local",), apache_conf=(path,))
    msg = failing(facts, allowed)
    lines = [ln for ln in msg.get("cw_vhosts", "").splitlines() if ln.strip().startswith("- ")]
    assert list(msg) == ["cw_vhosts"] and len(lines) == 1, msg
    assert f"status.local at {path}:1 is <VirtualHost {addr}>, the app's is <VirtualHost *:80>" in lines[0]
    assert ("health check asks the server at 127.0.0.1" in lines[0]) is (addr == "127.0.0.1:80")
    facts.remote["http"] = dict(facts.remote.get("http") or {}, health={"status": 404, "release": None})
    health = outcome("inside", facts, allowed)  # its effect: one failure, the cause's (loopback only)
    assert health.startswith("skip: status.local at") if addr == "127.0.0.1:80" else health.startswith("fail"), health
    star = out.replace(f"{addr}          status.local ({path}:1)\n", "").replace(
        "(/etc/apache2/sites-enabled/yourapplication.conf:2)\n", f"(/etc/apache2/sites-enabled/yourapplication.conf:2)"
        f"\n         port 80 namevhost status.local ({path}:1)\n", 1)
    inv(facts)["apache"]["vhosts"] = parse.apache_dump(star, 0)["vhosts"]
    assert failing(facts, allowed) == {}


def test_a_second_vhost_in_the_apps_own_site_file_is_not_the_app(exp):
    facts = clean_facts()
    ours = "/etc/apache2/sites-enabled/yourapplication.conf"
    inv(facts)["apache"]["vhosts"].append({"name": "ops.invalid", "file": ours, "line": 25,
                                           "shown": f"*:80 ops.invalid ({ours}:25)"})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_vhosts"] and f"ops.invalid at {ours}:25" in msg["cw_vhosts"]


# ---------------------------------------------------------------- drift since the deploy

def test_drift_report_compares_the_server_with_the_deploys_record():
    import datetime as dt

    from deploytests.verify.promises import drift_report

    facts = clean_facts()
    created = dt.datetime.fromisoformat(facts.tree["releases"][LIVE]["created_at"]).timestamp()
    head = f"live release {LIVE} deployed {dt.datetime.fromtimestamp(created, dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    inv(facts)["mtimes"] = {"/etc/passwd": created - 600}
    clean = drift_report(facts)
    assert clean == [f"{head}: nothing changed since"]
    live = facts.tree["live"]
    site = next(p for p in live["hashes"] if p.endswith("yourapplication/__init__.py")).rsplit("/", 2)[0]
    live["hashes"][f"{site}/zz.pth"] = "0" * 64
    live["hashes"][next(iter(live["hashes"]))] = "1" * 64
    facts.remote["config_sha256"] = "2" * 64
    ports = inv(facts)["apache"]["files"]["/etc/apache2/ports.conf"]
    ports["sha256"] = "3" * 64
    add_conf(facts, "/etc/apache2/conf-enabled/ops.conf")
    facts.remote["users"]["deploy"]["groups"].append("adm")
    inv(facts)["mtimes"]["/etc/sudoers.d/ops"] = created + 60
    started = min(d["started"] for d in facts.remote["daemons"])
    facts.remote["loaded"] = {"ctime": started + 60, "path": f"{R}/shared/application.cfg", "entries": 9}
    lines = drift_report(facts)
    assert lines[0] == f"{head}: changed since:"
    body = "\n".join(lines[1:])
    assert f"1 added ({site}/zz.pth); 1 changed" in body
    assert "config: not the one the release started with (sha256 222222222222 now" in body
    assert "Apache config: in force, not there at the deploy: /etc/apache2/conf-enabled/ops.conf; changed: " \
           "/etc/apache2/ports.conf" in body
    assert "grants: the deploy user joined ['adm']" in body
    assert "root's files changed after the deploy (mtime): /etc/sudoers.d/ops" in body
    assert f"what the daemons load: {R}/shared/application.cfg changed " in body and "after they started" in body
    assert len(lines) == 7
    live["snapshot"] = None  # a release deployed by an older deploytests
    assert f"(releases/{LIVE}/SNAPSHOT.json is missing (an older deploytests deployed it): only the config and " \
           "root's files compared)" in drift_report(facts)[0]


@pytest.mark.parametrize("forged", ["2027-01-01T00:00:00+00:00", "later"], ids=["a-day-later", "not-a-time"])
def test_a_forged_created_at_hides_no_drift(forged):
    """Class: the drift dated by the deploy login's claim alone. RELEASE.json's created_at is that login's file:
    edited to a later time (or to no time at all), it hid every change of root's files before it (or the whole
    report). The release id records the same instant (one clock reading at the deploy): the earlier is taken and
    the disagreement said."""
    import datetime as dt

    from deploytests.verify.promises import drift_report

    facts = clean_facts()
    created = dt.datetime.fromisoformat(facts.tree["releases"][LIVE]["created_at"]).timestamp()
    inv(facts)["mtimes"] = {"/etc/passwd": created - 600, "/etc/sudoers.d/ops": created + 60}
    facts.tree["releases"][LIVE]["created_at"] = forged
    lines = drift_report(facts)
    day = f"{dt.datetime.fromtimestamp(created, dt.UTC):%Y-%m-%d %H:%M:%S}"
    assert lines[0].startswith(f"live release {LIVE} deployed {day} UTC (by its id"), lines
    assert "root's files changed after the deploy (mtime): /etc/sudoers.d/ops" in "\n".join(lines), lines


def test_apache2ctl_is_not_run_as_root_over_a_config_someone_else_may_write(exp):
    """The root collector runs apache2ctl only when the login collector's look found everything it makes root
    run, source or load root's: a file under the ServerRoot someone else may write, or a link there naming a file
    outside root's, stops it. So does what the login could not look at (it runs unprivileged; root would read it):
    a directory it could not list, a configuration file it could not read (what it includes is unknown).
    (The collector's view is given here as its own ``lstat`` records: the logic, not this machine's files.)"""
    import stat as s

    def files(extra=None):
        d, f, ln = s.S_IFDIR | 0o755, s.S_IFREG | 0o644, s.S_IFLNK | 0o777
        out = {p: {"st": [d, 0, 0, 0, 0, 0]} for p in ("/", "/etc", "/etc/apache2", "/etc/apache2/conf-enabled",
                                                          "/usr", "/usr/sbin", "/usr/lib", "/usr/lib/apache2",
                                                          "/usr/lib/apache2/modules")}
        out.update({p: {"st": [f, 0, 0, 0, 0, 0]} for p in ("/usr/sbin/apache2ctl", "/usr/sbin/apache2",
                                                             "/etc/apache2/apache2.conf")})
        for path, (mode, uid, link) in (extra or {}).items():
            out[path] = dict({"st": [{"f": f, "ln": ln}[mode], uid, 0, 0, 0, 0]}, **({"link": link} if link else {}))
        out["/etc/apache2/apache2.conf"]["data"] = "ServerRoot /etc/apache2\n"
        out["/etc/ssl"] = {"st": [d, 0, 0, 0, 0, 0]}  # (OpenSSL's configuration, which Apache's root parent reads)
        out["/etc/ssl/openssl.cnf"] = {"st": [f, 0, 0, 0, 0, 0], "data": "openssl_conf = openssl_init\n"}
        return {"files": out, "dirs": {}, "errors": {}}

    assert collect_login.loose(files()) is None
    loose = files({"/etc/apache2/conf-enabled/x.conf": ("f", 1000, None)})
    assert collect_login.loose(loose) == "/etc/apache2/conf-enabled/x.conf may be changed by someone other than root"
    linked = files({"/etc/apache2/conf-enabled/x.conf": ("ln", 0, "/nonexistent-home/deployer/x.conf")})
    assert collect_login.loose(linked) == "/etc/apache2/conf-enabled/x.conf may be changed by someone other than root"
    unread = files({"/etc/apache2/conf-enabled/x.conf": ("f", 0, None)})
    unread["files"]["/etc/apache2/conf-enabled/x.conf"]["why"] = "Permission denied"
    unread["files"]["/etc/apache2/apache2.conf"]["data"] += "IncludeOptional conf-enabled/*.conf\n"  # (Apache reads it)
    with mock.patch.object(collect_login, "read", return_value=None):
        assert collect_login.loose(unread) == ("/etc/apache2/conf-enabled/x.conf was not read here (Permission "
                                               "denied): what it names is not known")
    unlisted = files()
    unlisted["errors"]["/etc/apache2/conf-enabled"] = "Permission denied"
    assert collect_login.loose(unlisted) == ("/etc/apache2/conf-enabled was not looked at whole here (Permission "
                                             "denied)")
    facts = clean_facts()
    inv(facts)["apache"] = parse.refused_dump("not run as root: ...")
    assert "whoever can write there controls Apache's root parent" in failing(facts, exp)["cw_apache_files"]


def test_someone_else_in_the_apps_group_fails(exp):
    facts = clean_facts()
    assert inv(facts)["app_group_members"] == ["appuser", "yourapplication"]
    inv(facts)["app_group_members"].append("www-data")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_groups"] and "www-data is in the app's group yourapplication" in msg["cw_groups"]


def test_apaches_user_in_the_apps_group_is_one_line(exp):
    """One membership, one line: Apache's user in the app's group is both one of the three users' extra groups and
    a member of the app's group; said once, allowed by one entry."""
    facts = with_stock_logins(clean_facts())
    group = facts.raw.files["/etc/group"]
    group["data"] += "yourapplication:x:999:appuser,www-data\n"
    facts.raw = parse.Snapshot(facts.raw.raw)
    inv(facts)["app_group_members"].append("www-data")
    lines = [ln.strip() for ln in failing(facts, exp)["cw_groups"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == 1 and "www-data (the apache user) is in group yourapplication" in lines[0], lines
    assert outcome("cw_groups", facts, allowing(exp, groups=("www-data: yourapplication",))) == "pass"


def test_dockers_resolver_passes_only_where_every_process_was_seen_and_none_holds_it(exp):
    facts = clean_facts()  # Docker's embedded DNS on a user-defined network: made in the netns by dockerd
    inv(facts)["listeners"].append({"proto": "udp", "host": "127.0.0.11", "port": 53211, "procs": [],
                                    "uid": 0, "owner": "root", "hidden": []})
    assert failing(facts, exp) == {}
    inv(facts)["listeners"][-1].update(host="127.0.0.1")  # another loopback address: not Docker's
    assert "UDP localhost:53211 listens: owner uid 0 (root), held by no process of this server" in \
        failing(facts, exp)["cw_listen"]


def test_a_socket_whose_holder_root_cannot_see_says_so_and_names_no_other_process(exp):
    facts = clean_facts()  # chrony's command port in a container without CAP_SYS_PTRACE
    for host in ("127.0.0.11", "127.0.0.1"):
        inv(facts)["listeners"].append({"proto": "udp", "host": host, "port": 323, "procs": [], "uid": 0,
                                        "owner": "root", "hidden": [12, 27]})
    msg = failing(facts, exp)["cw_listen"]
    assert "UDP localhost:323 listens: owner uid 0 (root), process not visible: root could not read the file " \
           "descriptors of 2 processes here" in msg
    assert "pid" not in msg.split("323 listens:")[1]  # no unrelated process of that uid named as its holder


def packaged(pid, user, uid, cmdline, package):
    return dict(proc(pid, user, cmdline), uid=uid, exe=cmdline.split()[0], package=package)


@pytest.mark.parametrize("holder", [packaged(900, "root", 0, "/usr/sbin/exim4 -bd -q30m", "exim4-daemon-light"),
                                    packaged(901, "_chrony", 104, "/usr/sbin/chronyd -x", "chrony")])
def test_a_packaged_system_daemon_on_loopback_is_the_distributions(exp, holder):
    facts = clean_facts()
    for host in ("127.0.0.1", "::1"):
        inv(facts)["listeners"].append({"proto": "tcp", "host": host, "port": 25, "procs": [holder], "uid": 0,
                                        "owner": "root", "hidden": []})
    assert failing(facts, exp) == {}
    for change in ({"package": None}, {"user": "yourapplication", "uid": 999}, {"user": "www-data", "uid": 33},
                   {"user": "alice", "uid": 1001}):  # not packaged; a user the gate watches; a person
        again = clean_facts()
        inv(again)["listeners"].append({"proto": "tcp", "host": "127.0.0.1", "port": 25, "uid": 0, "owner": "root",
                                        "procs": [dict(holder, **change)], "hidden": []})
        assert "TCP localhost:25 listens" in failing(again, exp)["cw_listen"], change
    inv(facts)["listeners"].append({"proto": "tcp", "host": "0.0.0.0", "port": 25, "procs": [holder], "uid": 0,
                                    "owner": "root", "hidden": []})  # public: always allowed in writing
    assert f'allow_listen = ["*:25 {holder["user"]} {holder["exe"]} sha256:' in failing(facts, exp)["cw_listen"]


@pytest.mark.parametrize("holder", [
    packaged(910, "root", 0, "/usr/bin/socat TCP-LISTEN:4444,bind=127.0.0.1,fork EXEC:/bin/bash", "socat"),
    packaged(911, "root", 0, "/usr/sbin/inetd", "openbsd-inetd"),  # a line of inetd.conf: 'root /bin/sh sh -i'
    packaged(912, "root", 0, "/usr/bin/rsync --daemon", "rsync"),  # a read-write module as the deploy login
    dict(packaged(913, "root", 0, "/usr/bin/python3 -m http.server --bind 127.0.0.1 8000", "python3-minimal"),
         exe="/usr/bin/python3.11"),
    packaged(914, "root", 0, "/bin/nc.traditional -l -p 7777 -s 127.0.0.1 -e /bin/sh", "netcat-traditional")])
def test_a_packaged_program_answering_on_loopback_as_root_is_accounted_for_in_writing(exp, holder):
    """Loopback is no trust boundary: the app's code, Apache's workers and an SSRF in the app reach it. A packaged
    program holding such a socket as root is the distribution's only as the stack's baseline (the MTA); any other
    (blind7's inetd 'sh -i' line, socat's EXEC, an rsync daemon's writable module) is root's door for every local
    process: one line naming it and the allowance that binds its program."""
    facts = clean_facts()
    inv(facts)["listeners"].append({"proto": "tcp", "host": "127.0.0.1", "port": 4444, "procs": [holder], "uid": 0,
                                    "owner": "root", "hidden": []})
    msg = failing(facts, exp)["cw_listen"]
    assert f"TCP localhost:4444 listens: pid {holder['pid']} (root)" in msg, msg
    assert "it answers every process on this host as root" in msg, msg
    line = f"localhost:4444 root {holder['exe']}"
    assert f'allow_listen = ["{line} sha256:' in msg, msg
    assert "cw_listen" not in failing(facts, allowing(exp, listen=(line,)))
    dropped = clean_facts()  # the same program as a system account (it dropped root): the distribution's
    inv(dropped)["listeners"].append({"proto": "tcp", "host": "127.0.0.1", "port": 4444, "uid": 105,
                                      "owner": "daemon", "hidden": [],
                                      "procs": [dict(holder, user="daemon", uid=105)]})
    assert "cw_listen" not in failing(dropped, exp)


def test_apaches_workers_run_as_the_stacks_user_whatever_the_config_and_allowances_say(exp):
    facts = clean_facts()  # envvars allowed (a locale line), then APACHE_RUN_USER = the app user, restarted
    for p in facts.remote["apache"][1:3]:
        p["user"] = "yourapplication"
    inv(facts)["apache_user"] = "yourapplication"  # DUMP_RUN_CFG agrees with the workers: not evidence
    inv(facts)["processes"] += [proc(p["pid"], "yourapplication", "/usr/sbin/apache2 -k start", ppid=27)
                                for p in facts.remote["apache"][1:3]]
    allowed = allowing(exp, apache_conf=("/etc/apache2/envvars",), processes=("yourapplication: /usr/sbin",))
    msg = failing(facts, allowed)
    assert list(msg) == ["sec_apache_user"], msg
    assert "- yourapplication: pids [137, 138]: they read the app's config (its secrets)" in msg["sec_apache_user"]


def test_a_daemon_caught_before_it_names_itself_is_no_worker_of_the_app_user(exp):
    facts = clean_facts()  # mod_wsgi forked it as the app user; its '(wsgi:app)' name is not set yet
    facts.remote["apache"].append({"argv0": "/usr/sbin/apache2", "comm": "apache2", "pid": 240, "ppid": 27,
                                   "state": "S", "user": "yourapplication"})
    assert outcome("sec_apache_user", facts, exp) == "pass"
    for p in facts.remote["apache"][1:3]:  # no worker of Apache's user at all: the app user's are its workers
        p["user"] = "yourapplication"
    assert outcome("sec_apache_user", facts, exp).startswith("fail")


def test_a_run_user_configured_but_not_in_force_yet_fails_too(exp):
    facts = clean_facts()  # envvars changed, Apache not restarted: the workers are www-data until the next start
    inv(facts)["apache"]["run"] = {"user": "root", "group": "www-data"}
    msg = failing(facts, allowing(exp, apache_conf=("/etc/apache2/envvars",)))
    assert list(msg) == ["sec_apache_user"] and "sets its run user to root: the next start runs the workers so: " \
        "a hole in any module is root on the server" in msg["sec_apache_user"], msg


@pytest.mark.parametrize("group, said", [
    ("yourapplication", "the app's group: they read the app's config (its secrets) and write its data"),
    ("ssl-cert", "bootstrap did not put it there"), ("shadow", "reads every password hash")])
def test_apaches_run_group_is_named_as_the_cause_in_one_line(exp, group, said):
    """blind8's h13: APACHE_RUN_GROUP set to the app's group in envvars: the one line (the changed envvars) names
    what it does, not only 'a hand edit'; with envvars allowed (or a Group line elsewhere) sec_apache_user says it."""
    facts = clean_facts()
    inv(facts)["apache"]["run"] = {"user": "www-data", "group": group}
    inv(facts)["apache"]["files"]["/etc/apache2/envvars"]["dpkg_changed"] = True
    msg = failing(facts, exp)
    assert list(msg) == ["cw_apache_files"], msg
    assert f"Apache's workers run with group {group}: {said}" in msg["cw_apache_files"], msg
    msg = failing(facts, allowing(exp, apache_conf=("/etc/apache2/envvars",)))
    assert list(msg) == ["sec_apache_user"] and f"run with group {group}: {said}" in msg["sec_apache_user"], msg
    inv(facts)["apache"]["run"]["group"] = "www-data"
    assert failing(facts, allowing(exp, apache_conf=("/etc/apache2/envvars",))) == {}


def test_an_upgrade_awaiting_apaches_restart_is_one_line_saying_so(exp):
    facts = clean_facts()
    ld = inv(facts)["loader"]
    ld["daemons"][0]["exe"] = "/usr/sbin/apache2 (deleted)"
    for d in ld["daemons"]:
        d["deleted"] = ["/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"]
    lines = [ln.strip() for ln in failing(facts, exp)["cw_loader"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == 1 and lines[0].startswith("- restart apache2: /usr/sbin/apache2, /usr/lib/x86_64-linux-gnu/"
                                                   "libpython3.11.so.1.0 upgraded since it started"), lines


def test_a_module_removed_not_replaced_is_said_removed_not_upgraded(exp):
    """M4 (blind5's d25, dpkg -r libapache2-mod-wsgi-py3): a mapped file gone from its listed directory is said
    removed, not 'upgraded since it started'; one still there (replaced) stays an upgrade."""
    from deploytests.verify import parse as parse_

    facts = clean_facts()
    gone, kept = "/usr/lib/apache2/modules/mod_wsgi.so-3.11", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"
    for d in inv(facts)["loader"]["daemons"]:
        d["deleted"] = [gone, kept]
    facts.raw = parse_.Snapshot({"files": {}, "dirs": {"/usr/lib/apache2/modules": ["mod_alias.so"],
                                                       "/usr/lib/x86_64-linux-gnu": ["libpython3.11.so.1.0"]}})
    msg = failing(facts, exp)["cw_loader"]
    assert f"{gone} removed from disk since Apache started" in msg and f"restart apache2: {kept} upgraded" in msg \
        and f"{gone} upgraded" not in msg and f"{gone} and" not in msg, msg


def test_parse_reads_dpkg_lists_deleted_maps_and_hidden_holders():
    snap = parse.Snapshot({"dirs": {parse.DPKG_INFO: ["chrony.list", "libc6:amd64.list", "chrony.md5sums"]},
                           "files": {f"{parse.DPKG_INFO}/chrony.list": {"data": "/.\n/usr\n/usr/sbin/chronyd\n"},
                                     f"{parse.DPKG_INFO}/libc6:amd64.list": {"data": "/lib/x86_64-linux-gnu/"
                                                                                            "libc.so.6\n"}}})
    assert parse.dpkg_files(snap)["/usr/sbin/chronyd"] == "chrony"
    assert parse.dpkg_files(snap)["/usr/lib/x86_64-linux-gnu/libc.so.6"] == "libc6"  # merged /usr
    maps = ("7f00-7f10 r-xp 00000000 08:01 12 /usr/lib/libpython3.11.so.1.0 (deleted)\n"
            "7f10-7f20 r-xp 00000000 08:01 13 /usr/lib/libc.so.6\n7f20-7f30 rw-s 00000000 00:01 14 /dev/zero (deleted)"
            "\n7f30-7f40 r--p 00000000 08:01 15 /usr/share/locale/x.mo (deleted)")
    assert parse.deleted_maps(maps) == ["/usr/lib/libpython3.11.so.1.0"]


def test_the_distributions_default_site_is_the_sites_promise_alone(exp):
    facts = clean_facts()  # one root cause, one failure: test_site_enabled_and_default_disabled judges it
    add_conf(facts, "/etc/apache2/sites-enabled/000-default.conf", package="apache2", vhost="localhost")
    assert failing(facts, exp) == {}
    add_conf(facts, "/etc/apache2/sites-enabled/001-old.conf", package="apache2", vhost="old.example")
    assert list(failing(facts, exp)) == ["cw_apache_files"]  # the same file under another name is a finding


def test_allowance_hints_quote_the_value_as_toml(exp):
    facts = clean_facts()
    text = 'Defaults env_keep += "http_proxy"'
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/k", "line": 1, "text": text, "mode": "0440",
                                  "owner": "root"})
    assert 'allow_sudo = ["Defaults env_keep += \\"http_proxy\\""]' in failing(facts, exp)["cw_sudoers"]


def test_a_config_that_does_not_parse_is_the_configtests_failure_alone(exp):
    facts = clean_facts()
    add_conf(facts, "/etc/apache2/conf-enabled/zz-bogus.conf")
    facts.remote["configtest"]["rc"] = 1
    assert failing(facts, exp) == {}
    assert outcome("cw_apache_files", facts, exp) == \
        "skip: Apache's configuration does not parse (the root failure is test_configtest_clean)"


def test_a_loopback_listener_on_both_ip_versions_is_one_finding_and_one_allowance(exp):
    facts = clean_facts()
    exim = dict(proc(900, "Debian-exim", "/usr/sbin/exim4 -bd -q30m"), exe=None)  # (its exe not read)
    for host in ("127.0.0.1", "::1"):
        inv(facts)["listeners"].append({"proto": "tcp", "host": host, "port": 25, "procs": [exim]})
    lines = [ln.strip() for ln in failing(facts, exp)["cw_listen"].splitlines() if ln.strip().startswith("- ")]
    assert lines == ["- TCP localhost:25 listens: pid 900 (Debian-exim) '/usr/sbin/exim4 -bd -q30m'; it answers "
                     'every process on this host. if it is meant to be there, allow it: allow_listen = '
                     '["localhost:25"] in targets.toml']
    assert outcome("cw_listen", facts, allowing(exp, listen=("localhost:25",))) == "pass"


def test_the_sockets_of_one_process_are_one_line_naming_every_entry(exp):
    """Class (several lines for one cause): one daemon listening on several addresses was a line per socket, each
    naming its own entry: rpcbind (nfs-common's, Debian 12 and 13) on TCP and UDP ``*:111``, two lines. Now one
    line naming each socket and one allowance listing their entries; written, it passes; one entry alone leaves
    the other socket's line. Other member: a server's TCP and UDP DNS port (``dnsmasq`` on ``*:53``), and the
    sockets of another process stay another line. A socket whose allowance is stale keeps its own line."""
    facts = clean_facts()
    inv(facts).setdefault("programs", {}).update({"/usr/sbin/rpcbind": ["a" * 64, 1.0, 11],  # (the login's hashes)
                                                  "/usr/sbin/dnsmasq": ["b" * 64, 1.0, 12]})
    for name, pid, user, port, exe in (("/sbin/rpcbind -w", 4242, "_rpc", 111, "/usr/sbin/rpcbind"),
                                       ("/usr/sbin/dnsmasq -k", 4343, "dnsmasq", 53, "/usr/sbin/dnsmasq")):
        for proto in ("tcp", "udp"):
            inv(facts)["listeners"].append({"proto": proto, "host": "0.0.0.0", "port": port,
                                            "procs": [dict(proc(pid, user, name), exe=exe)]})
    lines = [ln.strip() for ln in failing(facts, exp)["cw_listen"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == 2, lines
    rpc, dns = lines
    assert rpc.startswith("- TCP *:111 and UDP *:111 listen: pid 4242 (_rpc) '/sbin/rpcbind -w'; it answers anyone "
                          'who can reach this host. if it is meant to be there, allow it: allow_listen = ["*:111 '
                          '_rpc /usr/sbin/rpcbind sha256:'), rpc
    assert '", "udp/*:111 _rpc /usr/sbin/rpcbind sha256:' in rpc and "dnsmasq" not in rpc, rpc
    assert dns.startswith("- TCP *:53 and UDP *:53 listen: pid 4343 (dnsmasq) "), dns
    entries = [e for ln in lines for e in json.loads(ln.split("allow_listen = ", 1)[1].rsplit(" in ", 1)[0])]
    assert len(entries) == 4 and outcome("cw_listen", facts, allowing(exp, listen=tuple(entries))) == "pass"
    found = outcome("cw_listen", facts, allowing(exp, listen=tuple(entries[1:])))  # (rpcbind's UDP entry alone)
    assert found.startswith("fail: 1 ") and "- TCP *:111 listens: pid 4242 " in found, found
    stale = [e.replace("sha256:", "sha256:0") if e.startswith("*:111") else e for e in entries]
    found = outcome("cw_listen", facts, allowing(exp, listen=tuple(stale)))
    assert found.startswith("fail: 1 ") and "- TCP *:111 listens: " in found, found


@pytest.mark.parametrize("text,found", [
    ("ExecStart=-/var/www/my-app/current/venv/bin/python -m x", True),
    ("ExecStartPre=!@/var/www/my-app/tool tool", True),
    ("APP=/var/www/my-app; $APP/current/run", True),
    ("x=`/var/www/my-app/bin/x`", True),
    ("cd /var/www/my-app && ./tool", True),
    ("cd /var/www/my-app2 && ./tool", False),
    ("/var/www/my-apple/run", False),
    ("/usr/bin/logrotate /etc/logrotate.conf", False),
    # a glob the shell, tmpfiles or logrotate expand (attack8: a root cron job running /var/www/*/current/venv/bin/
    # python ran the deploy login's .pth as root, and 'Z /var/www/*/shared 0777' passed the gate)
    ("* * * * * root /var/www/*/current/venv/bin/python -m tasks", True),
    ("Z /var/www/*/shared 0777 - -", True),
    ("rm -rf /var/www/my-a??/cache", True),
    ("tar czf /b.tgz /var/www/{other,my-app}/shared", True),
    ("find /var/www/[m]y-app -delete", True),
    ("/var/www/*.bak/run", False),
    ("/var/*", False),  # above the tree: tree_reach_from_above's
    ("*/5 * * * * root /tmp/*.sh", False),
])
def test_what_reaches_the_apps_tree_is_a_path_word_not_a_substring(text, found):
    from deploytests.verify.mechanisms import reaches

    assert reaches(text, "/var/www/my-app") is found


def test_raw_texts_come_from_the_root_collectors_files_when_there_are_some():
    from types import SimpleNamespace

    from deploytests.verify.mechanisms import texts

    facts = clean_facts()
    facts.raw = SimpleNamespace(files={  # the collector's files: bytes as latin-1 text, links, stats only
        "/etc/crontab": {"st": [0o100644, 0, 0, 10, 1.0, 1], "data": "x\u00c3\u00a9\x1b[2J\n"},
        "/etc/systemd/system/a.service": {"st": [0o120777, 0, 0, 1, 1.0, 2], "link": "/srv/a.service"},
        "/etc/sudoers.d/x": {"st": [0o100440, 0, 0, 1, 1.0, 3], "why": "not read"}})
    assert texts(facts) == {"/etc/crontab": "x\u00e9\\x1b[2J\n", "/etc/systemd/system/a.service": "-> /srv/a.service"}
    facts.raw = None  # the probe's own texts
    assert texts(facts) == {t["path"]: t["text"] for t in inv(facts)["texts"]} and texts(facts)


def test_an_included_link_is_read_through_the_file_it_names(exp):
    """The root collector sends an enabled conf as a link and the file it names apart: the directive is found
    and named by the path Apache includes."""
    facts = clean_facts()
    enabled, real = "/etc/apache2/conf-enabled/zz-tuning.conf", "/etc/apache2/conf-available/zz-tuning.conf"
    add_apache_text(facts, enabled, "-> ../conf-available/zz-tuning.conf")
    inv(facts)["apache"]["files"][enabled]["real"] = real
    add_text(facts, real, "# tuning\nWSGIScriptReloading Off\n")
    assert f"{enabled}:2: WSGIScriptReloading Off" in outcome("reload", facts, exp)


@pytest.mark.parametrize("crontab, job", [
    ("MAILTO=x \\\n* * * * * /home/deployer/evil\n", "/home/deployer/evil"),    # no continuation in cron
    ('"A B" = 1\n@hourly /home/deployer/evil \\\n', "/home/deployer/evil \\"),  # a quoted env name; a trailing \
    ("  # a comment\nPATH = /usr/bin\n*/5 * * * * /home/deployer/evil\n", "/home/deployer/evil"),
])
def test_cron_lines_are_read_as_cron_reads_them(crontab, job):
    from deploytests.verify.mechanisms import cron_jobs

    found = cron_jobs({"/var/spool/cron/crontabs/deployer": crontab})
    assert [(j["user"], j["job"]) for j in found if "=" not in j["job"]] == [("deployer", job)]
    assert [j["job"] for j in found if "=" in j["job"]] == (["PATH=/usr/bin"] if "PATH" in crontab else [])


def test_sudoers_lines_are_read_as_sudo_reads_them():
    """'#' starts a comment, except '#<uid>': a rule for that uid (sudoers(5)); a parser that took it for a
    comment let '#1001 ALL=(ALL) NOPASSWD: ALL' (the deploy login's uid) pass as no rule at all."""
    text = "# a comment\n#1001 ALL=(ALL) NOPASSWD: ALL\n  #-1 ALL=(ALL) ALL\nroot ALL=(ALL:ALL) ALL\n"
    st = [0o100440, 0, 0, len(text), 0.0, 1]
    snap = parse.Snapshot({"files": {"/etc/sudoers": {"st": st, "data": text},
                                     "/etc/passwd": {"st": st, "data": "root:x:0:0::/root:/bin/sh\n"},
                                     "/etc/group": {"st": st, "data": "root:x:0:\n"}}})
    assert [r["text"] for r in parse.sudoers_lines(snap)] == \
        ["#1001 ALL=(ALL) NOPASSWD: ALL", "#-1 ALL=(ALL) ALL", "root ALL=(ALL:ALL) ALL"]


def test_a_daemon_mod_wsgi_is_still_starting_is_apaches(exp):
    """A daemon Apache's root parent just forked for the app (right after a deploy's reload) still shows
    Apache's name: it has not set its display name yet. Who forked it is the proof, not the name (the rollout
    gate between batches failed a healthy host on 'pid 842 (yourapplication) 'apache2''); the same name on a
    process the app user started itself still fails."""
    facts = clean_facts()
    starting = dict(inv(facts)["processes"][2], pid=842, cmdline="apache2")
    inv(facts)["processes"].append(starting)
    assert outcome("cw_processes", facts, exp) == "pass"
    inv(facts)["processes"].append(dict(starting, pid=843, ppid=842))
    assert "pid 843" in failing(facts, exp)["cw_processes"]


def test_an_apache_file_changed_then_dated_back_is_dated_by_its_ctime():
    """attack5 #2's class for Apache: the configuration in force is judged against the files' change time, and an
    mtime is its owner's to set back (``touch -r``, ``cp -p``, ``rsync -a``): the login collector's ctime wins."""
    conf = "/etc/apache2/sites-enabled/site.conf"
    st = [0o100644, 0, 0, 10, 1000.0, 7]
    text = "ServerName x\n"
    dirs = {"/": ["etc"], "/etc": ["apache2"], "/etc/apache2": ["sites-enabled"], "/etc/apache2/sites-enabled": []}
    for changed, want in ((None, 1000.0), (2000.0, 2000.0)):
        files = {conf: {"st": st + ([changed] if changed else []), "data": text}}
        files.update({d: {"st": [0o40755, 0, 0, 0, 1.0, 1] + ([1.0] if changed else [])} for d in dirs})
        info = parse.apache_files(parse.Snapshot({"files": files, "dirs": dirs}), [conf], {})[conf]
        assert info["mtime"] == want, info


def test_any_account_in_a_group_that_reaches_root_is_a_finding_unless_it_becomes_root_anyway(exp):
    """blind10's p07: the backup agent's account added to shadow 'to back up /etc/shadow': not one of the three
    users the membership rule looked at, yet whatever runs as it reads every hash. Any account in a group of
    ROOT_GROUPS, as a member or by its primary group, is a line (allowed by its own entry); an admin (in sudo:
    root anyway) is not."""
    facts = with_stock_logins(clean_facts())
    base = outcome("cw_groups", facts, exp)
    group = facts.raw.files["/etc/group"]
    group["data"] = group["data"].replace("\nshadow:x:42:", "\nshadow:x:42:bacula").replace(
        "\nsudo:x:27:", "\nsudo:x:27:ops").replace("\ndocker:x:", "\ndocker:x:")
    group["data"] += "docker:x:998:ops\n"
    facts.raw.files["/etc/passwd"]["data"] += ("bacula:x:120:120::/var/lib/bacula:/usr/sbin/nologin\n"
                                               "ops:x:1500:1500::/home/ops:/bin/bash\n"
                                               "imager:x:121:6::/nonexistent:/usr/sbin/nologin\n")  # primary: disk
    facts.raw = parse.Snapshot(facts.raw.raw)
    msg = outcome("cw_groups", facts, exp)
    lines = [ln.strip() for ln in msg.splitlines() if ln.strip().startswith("- ")]
    assert base == "pass" and len(lines) == 2, msg
    assert any(ln.startswith("- bacula is in group shadow: reads every password hash") for ln in lines), lines
    assert any(ln.startswith("- imager is in group disk: reads and writes the raw disks") for ln in lines), lines
    assert outcome("cw_groups", facts, allowing(exp, groups=("bacula: shadow", "imager: disk"))) == "pass"


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
@pytest.mark.parametrize("group_line, acl_user, caught", [
    ("yourapplication:x:999:Debian-snmp", None, "group yourapplication of /var/www/yourapplication/shared/"
                                                "application.cfg, Debian-snmp a member"),
    # a named user's read entry: config_mode's line (one cause, one line), not this rule's
    ("yourapplication:x:999:", 108, None),
    ("yourapplication:x:999:", None, None),  # Debian's snmpd as packaged: its user reads none of the app's
])
def test_an_allowed_public_listener_whose_user_may_read_the_apps_secrets_fails(exp, platform, group_line, acl_user,
                                                                                caught):
    """blind8's k05 (an allowed snmpd on udp:161 serving the process list to 'public'): no class answer had been
    designed. allow_listen accounts for the socket and what its program serves by its configuration; what the
    gate judges beside it is whether that program's user may read the app's secrets (the config's mode, group and
    ACL): an allowed membership (allow_groups accounts for the membership) makes what it serves to the network
    carry them, whatever allow_listen says; an unallowed one, an ACL entry, the other bits are one line of their
    own rules (cw_groups, config_mode). (A secret on a command line, which every local user and snmpd's process
    table show, is sec_secrets'.)"""
    from test_root_reach import host

    facts = host(platform)
    raw = facts.raw
    raw.files["/etc/passwd"]["data"] += "Debian-snmp:x:108:115::/var/lib/snmp:/bin/false\n"
    raw.files["/etc/group"]["data"] += group_line + "\nDebian-snmp:x:115:\n"
    raw.users = parse.Users(raw.text("/etc/passwd"), raw.text("/etc/group"))
    facts.remote["stat"] = copy.deepcopy(RECORDED["stat"])
    if acl_user:
        facts.remote["secret_acls"] = {f"{R}/shared/application.cfg": {"access": (b"\2\0\0\0" + b"".join(
            t.to_bytes(2, "little") + p.to_bytes(2, "little") + i.to_bytes(4, "little") for t, p, i in
            [(1, 6, 0xFFFFFFFF), (2, 4, acl_user), (4, 4, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
             (0x20, 0, 0xFFFFFFFF)])).hex()}}
    inv(facts)["listeners"].append({"proto": "udp", "host": "0.0.0.0", "port": 161, "procs": [
        dict(proc(4242, "Debian-snmp", "/usr/sbin/snmpd -LOw -u Debian-snmp -g Debian-snmp -I -smux -f"),
             exe="/usr/sbin/snmpd")]})
    allowed = allowing(exp, listen=("udp/*:161 Debian-snmp /usr/sbin/snmpd",))
    if caught:  # unallowed, the membership is cw_groups' one line (shown on a container)
        assert outcome("cw_listen", facts, allowed) == "pass"
        allowed = allowing(exp, listen=("udp/*:161 Debian-snmp /usr/sbin/snmpd",),
                           groups=("Debian-snmp: yourapplication",))
    found = outcome("cw_listen", facts, allowed)
    if caught is None:
        assert found == "pass", found
    else:
        assert found.startswith("fail: ") and "UDP *:161 listens: pid 4242 (Debian-snmp)" in found, found
        assert f"Debian-snmp may read the app's config ({caught})" in found and "allow_listen accounts for the " \
            "socket, not for that" in found, found


def test_a_secret_of_the_apps_config_on_a_command_line_fails(exp):
    """The process list (ps, /proc/<pid>/cmdline, snmpd's HOST-RESOURCES-MIB) is every local user's to read: a
    value of the app's config under a secret key on any process's command line fails sec_secrets; the value is
    never printed."""
    from test_root_reach import host

    from deploytests.redaction import secrets_of

    facts = host("debian12")
    secret = secrets_of(exp.cfg.config_file).keyed[0]
    facts.raw.raw.setdefault("proc", {})["4343"] = {"uid": 0, "cmdline": f"/usr/local/bin/app-cli\0--key={secret}\0",
                                                    "exe": "/usr/bin/python3.11", "stat": "", "status": ""}
    found = outcome("sec_secrets", facts, exp)
    assert found.startswith("fail: ") and "process 4343 (/usr/bin/python3.11, uid 0): its command line holds a " \
        "secret of the app's config" in found and secret not in found, found
    facts.raw.raw["proc"]["4343"]["cmdline"] = "/usr/local/bin/app-cli\0--key-file=/etc/app/key\0"
    assert outcome("sec_secrets", facts, exp) == "pass"


# ---------------------------------------------------------------- another app deploytests' bootstrap made

SECOND = "/etc/apache2/sites-available/quotes.conf"


def with_second_app(exp, *, edit=lambda text: text, created="quotes\nyourapplication\n"):
    """A clean server where bootstrap also made app ``quotes`` (its own user, server_name and port 8081): its site
    file as bootstrap writes it (then ``edit``), enabled by a link, its user listed in root's users file, its
    Listen port held by Apache, its daemons running as its user."""
    from deploytests.pipeline.templates import vhost

    facts = with_stock_logins(clean_facts())
    cfg = dataclasses.replace(exp.cfg, app="quotes", app_user="quotes", server_name="quotes.example.com", port=8081)
    text = edit(vhost(cfg, stack=exp.stack))
    root_dir, enabled = [0o40755, 0, 0, 4096, 1.0, 1], "/etc/apache2/sites-enabled/quotes.conf"
    facts.raw.files.update({d: {"st": root_dir} for d in ("/", "/etc", "/etc/apache2", "/etc/apache2/sites-available",
                                                         "/etc/apache2/sites-enabled", "/var", "/var/lib/deploytests")})
    facts.raw.files.update({SECOND: {"st": [0o100644, 0, 0, len(text), 1.0, 2], "data": text},
                            enabled: {"st": [0o120777, 0, 0, 30, 1.0, 3], "link": "../sites-available/quotes.conf"},
                            "/var/lib/deploytests/users": {"st": [0o100644, 0, 0, 22, 1.0, 4], "data": created}})
    add_conf(facts, enabled, directives=[{"line": 2, "name": "listen", "value": "8081"}], vhost="quotes.example.com")
    inv(facts)["apache"]["files"][enabled]["real"] = SECOND
    inv(facts)["apache"]["vhosts"][-1].update(shown=f"*:8081 quotes.example.com ({enabled}:3)", line=3)
    add_text(facts, SECOND, text)
    facts.remote["sites_enabled"].append("quotes.conf")
    inv(facts)["listeners"].append({"proto": "tcp", "host": "::", "port": 8081,
                                    "procs": [proc(27, "root", "/usr/sbin/apache2 -k start")]})
    facts.remote["apache"] += [{"argv0": "(wsgi:quotes)", "comm": "apache2", "pid": 300 + i, "ppid": 27, "state": "S",
                                "user": "quotes"} for i in range(2)]
    inv(facts)["processes"] += [proc(300 + i, "quotes", "(wsgi:quotes)", ppid=27, comm="apache2") for i in range(2)]
    return facts


SECOND_APP_RULES = ("cw_apache_files", "cw_vhosts", "cw_handlers", "sec_apache_user", "cw_listen",
                    "cw_served", "cw_in_front", "cw_mapped")


def test_another_app_bootstrap_made_is_accounted_for_by_what_bootstrap_made(exp):
    facts = with_second_app(exp)
    so = "/var/www/quotes/releases/20261206T080255Z-a9e0709f/venv/lib/python3.11/site-packages/m/_s.so"
    inv(facts)["mapped"].append({"loose": "/var/www/quotes/releases (appuser)", "package": None, "path": so,
                                 "pids": [300, 301]})  # its release's own library, mapped by its daemons alone
    assert {p: outcome(p, facts, exp) for p in SECOND_APP_RULES} == {p: "pass" for p in SECOND_APP_RULES}
    inv(facts)["mapped"][-1]["pids"].append(27)  # Apache's root parent maps it: a finding, whoever's tree
    msg = outcome("cw_mapped", facts, exp)
    assert msg.startswith("fail: 1 file Apache and the daemons map") and f"{so} (mapped by pid 300, 301, 27" in msg


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("    WSGIPassAuthorization On\n", "    WSGIPassAuthorization On\n    Alias /x/ /srv/x/\n"),
    lambda t: t.replace("user=quotes group=quotes", "user=yourapplication group=quotes"),
    lambda t: t.replace("<Directory /var/www/quotes>", "<Directory /var/www/quotes>\n    Options +ExecCGI"),
    lambda t: t + "# one byte more\n",
])
def test_another_apps_site_file_that_differs_from_bootstraps_stays_a_finding(exp, edit):
    """... and is one finding, the file's (one cause, one line): its daemons, script, port and vhost are that app's
    (a tampered second app's site on a container was 4 lines before: the file, its script alias as a handler, its
    release's libraries as mapped by strangers, its daemons' user as Apache's workers)."""
    facts = with_second_app(exp, edit=edit)
    so = "/var/www/quotes/releases/20261206T080255Z-a9e0709f/venv/lib/python3.11/site-packages/m/_s.so"
    inv(facts)["mapped"].append({"loose": "/var/www/quotes 2755 appuser:quotes", "package": None, "path": so,
                                 "pids": [300, 301]})
    msg = failing(facts, exp)
    assert "cw_apache_files" in msg and f"{SECOND.replace('available', 'enabled')}" in msg["cw_apache_files"], msg
    assert "it says bootstrap wrote it for an app, but it is not what bootstrap writes" in msg["cw_apache_files"]
    found = {p: m for p, m in msg.items() if p in SECOND_APP_RULES}
    # (a daemon of it as the app's own user is no longer that app's: its daemons are strangers, said as such)
    assert list(found) == ["cw_apache_files"] or "user=yourapplication" in facts.raw.files[SECOND]["data"], found


def test_another_apps_user_bootstrap_did_not_create_is_a_finding(exp):
    """The users file is root's record of the app users bootstrap created; a site naming another user is not
    bootstrap's, whatever its text, and so is one whose users file someone but root may write."""
    assert "cw_apache_files" in failing(with_second_app(exp, created="yourapplication\n"), exp)
    facts = with_second_app(exp)
    facts.raw.files["/var/lib/deploytests"]["st"] = [0o40777, 0, 0, 4096, 1.0, 1]
    assert "cw_apache_files" in failing(facts, exp)


def test_another_apps_sudoers_grant_is_accounted_for_only_as_bootstrap_writes_it(exp):
    """Its deploy login may be another login: the grant runs that login's releases of that app as its user."""
    facts = with_second_app(exp)
    rule = {"file": "/etc/sudoers.d/deploytests-quotes", "line": 2, "mode": "0440", "owner": "root",
            "text": "deployer ALL=(quotes) NOPASSWD: /var/www/quotes/releases/*/venv/bin/python"}
    inv(facts)["sudoers"].append(rule)
    assert outcome("cw_sudoers", facts, exp) == "pass"
    release = "NOPASSWD: /var/www/quotes/releases/*/venv/bin/python"
    for wider in ("deployer ALL=(quotes) NOPASSWD: ALL", f"deployer ALL=(root) {release}",
                  f"deployer ALL=(yourapplication) {release}"):
        rule["text"] = wider
        assert outcome("cw_sudoers", facts, exp).startswith("fail"), wider


@pytest.mark.parametrize("name", [".local", ".forward", ".config", "bin"])
def test_what_the_deploy_login_leaves_in_the_app_users_home_is_named(exp, name):
    """Class: code the app user's programs load from its home, which is the app's root (the deploy login's). A
    ``.pth`` the deploy login put in ``<root>/.local/lib/python3.11/site-packages`` ran in every system python3 the
    app user started (an allowed worker restarted after each deploy) and outlived every clean deploy: the gate passed.
    Each entry of the root no deploy makes is one line; what deploys make, and a dead deploy's temp names, pass."""
    facts = clean_facts()
    facts.remote["tree"]["home"] = sorted(["releases", "current", "shared", "application.wsgi", ".deploy.lock",
                                           ".configs", ".uploads", ".current.4242", ".application.wsgi.tmp"])
    assert outcome("cw_tree_special", facts, exp) == "pass"
    facts.remote["tree"]["home"].append(name)
    facts.remote["users"]["app"]["home"] = R
    msg = outcome("cw_tree_special", facts, exp)
    assert msg.startswith("fail: 1 setuid") and \
        f"- {R}/{name}: not made by a deploy, in the app user's home" in msg, msg


@pytest.mark.parametrize("where, group, reach", [
    ("gshadow", "sudo", "sudo rule"),  # a hash in gshadow: newgrp for whoever knows it
    ("gshadow", "staff", "it reads and writes what staff may"),  # any group: its reach is what it owns
    ("group", "shadow", "reads every password hash"),  # a hash in world-readable /etc/group (no gshadow line)
])
def test_a_group_with_a_password_is_open_to_whoever_knows_it(exp, where, group, reach):
    """Class: a group's members are not only those listed: a group password (gshadow's, or a hash left in
    /etc/group) lets anyone who knows it newgrp into the group. A stock server sets none; the clean one passes."""
    facts = with_stock_logins(clean_facts())
    assert outcome("cw_groups", facts, exp) == "pass"
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/ops", "line": 1, "text": "%sudo ALL=(ALL:ALL) ALL",
                                  "mode": "0440", "owner": "root"})
    if where == "gshadow":
        facts.raw.raw["gshadow"] = [["root", "none", "", ""], [group, "set", "", ""]]
    else:
        text = facts.raw.text("/etc/group")
        facts.raw.files["/etc/group"]["data"] = "\n".join(
            ln.replace(f"{group}:x:", f"{group}:$6$salt$hash:", 1) for ln in text.splitlines()) + "\n"
    msg = outcome("cw_groups", facts, exp)
    assert msg.startswith("fail: 1 group") and f"group {group} has a password" in msg and reach in msg, msg


@pytest.mark.parametrize("path, text, caught", [
    # a blind fault: adduser's defaults put every new login in the app's group ('give the devs the app's logs')
    ("/etc/adduser.conf", 'EXTRA_GROUPS="users yourapplication"\nADD_EXTRA_GROUPS=1\n', "yourapplication"),
    ("/etc/adduser.conf", 'EXTRA_GROUPS="users yourapplication"\n#ADD_EXTRA_GROUPS=1\n', None),  # (not applied)
    # other members: useradd's own defaults (shadow 4.14+), a group that reaches root
    ("/etc/default/useradd", "GROUPS=users,yourapplication\n", "yourapplication"),
    ("/etc/default/useradd", "SHELL=/bin/bash\nGROUPS=users,sudo\n", "sudo"),
    ("/etc/adduser.conf", 'EXTRA_GROUPS="audio video users"\nADD_EXTRA_GROUPS=1\n', None)])
def test_a_group_every_login_made_later_joins_is_judged_as_a_membership(exp, path, text, caught):
    """Class (a blind fault): who is in the app's group (or a group that reaches root) was read from /etc/group
    now; a default that puts every login made later in it passed, and the next colleague an admin adds reads the
    app's secrets."""
    facts = with_stock_logins(clean_facts())
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/ops", "line": 1, "text": "%sudo ALL=(ALL:ALL) ALL",
                                  "mode": "0440", "owner": "root"})
    facts.raw.files[path] = {"data": text, "st": [0o100644, 0, 0, len(text), 0, 0]}
    msg = outcome("cw_groups", facts, exp)
    assert (msg == "pass") == (caught is None) and (caught is None or f"joins group {caught}" in msg), msg


def certbot_copy(site: str, extra: str = "") -> str:
    """The app's site file as certbot's Apache installer copies it for TLS (``-le-ssl.conf``)."""
    block = site[site.index("<VirtualHost *:80>"):site.index("</VirtualHost>")].replace("*:80>", "*:443>", 1)
    return (f"<IfModule mod_ssl.c>\n{block}{extra}SSLCertificateFile /etc/letsencrypt/live/x/fullchain.pem\n"
            "SSLCertificateKeyFile /etc/letsencrypt/live/x/privkey.pem\n"
            "Include /etc/letsencrypt/options-ssl-apache.conf\n</VirtualHost>\n</IfModule>\n")


@pytest.mark.parametrize("rule", ["cw_apache_effects", "cw_handlers"])
def test_a_tls_copy_of_the_apps_site_routes_the_app_as_its_own_and_another_line_in_it_does_not(exp, rule):
    """certbot --apache copies the app's vhost to *:443: its WSGIScriptAlias and Alias name the app's tree as the
    app's site does (the app's own, not another site's); a line added to the copy is judged as any other file's."""
    facts, path = clean_facts(), "/etc/apache2/sites-enabled/yourapplication-le-ssl.conf"
    texts = {t["path"]: t for t in inv(facts)["texts"]}
    site = texts["/etc/apache2/sites-enabled/yourapplication.conf"]["text"]
    add_conf(facts, path, vhost="localhost")
    inv(facts)["texts"].append({"path": path, "text": certbot_copy(site)})
    assert outcome(rule, facts, exp) == "pass"
    inv(facts)["texts"][-1]["text"] = certbot_copy(site, "    Alias /data/ /var/www/yourapplication/shared/\n")
    said = outcome("cw_apache_effects", facts, exp)
    assert said.startswith("fail") and "alias /data/ /var/www/yourapplication/shared/" in said, said


def test_the_deploy_logins_systemd_user_manager_is_part_of_its_live_sessions(exp):
    """On a systemd server, pam_systemd starts the login's own manager (``systemd --user``, user@<uid>.service,
    with its ``(sd-pam)``) at its first SSH session and stops it after the last: a deploy, and the gate's own login
    as the deploy login, always find one, started by pid 1 and in no session's tree. It is accounted for while the
    same login has a live SSH session (as that session's shells are: the login's own memory either way), run from
    systemd's program with the argv systemd gives it. Without a live session (lingering), with another program or
    argv under that name, or for what it starts (a user service), the process rule's line stands."""
    session = [{"pid": 89, "comm": "sshd-session", "user": "appuser"}, {"pid": 88, "comm": "sshd-session",
                                                                        "user": "root"},
               {"pid": 20, "comm": "sshd", "user": "root"}]
    scope = "0::/user.slice/user-1001.slice/user@1001.service/init.scope\n"
    manager = dict(proc(70, "appuser", "/usr/lib/systemd/systemd --user", comm="systemd"), uid=1001, cgroup=scope)
    helper = dict(proc(71, "appuser", "(sd-pam)", ppid=70, comm="(sd-pam)"), exe="/usr/lib/systemd/systemd",
                  ancestors=[{"pid": 70, "comm": "systemd", "user": "appuser"}], uid=1001, cgroup=scope)
    shell = proc(91, "appuser", "-bash", comm="bash", ancestors=session)

    def judged(*procs):
        facts = clean_facts()
        inv(facts)["processes"] += [dict(p) for p in procs]
        return failing(facts, exp).get("cw_processes", "")

    assert judged(manager, helper, shell) == ""
    assert "pid 70" in judged(manager, helper)  # no live session: lingering
    service = proc(72, "appuser", "python3 -m http.server", ppid=70, ancestors=helper["ancestors"])
    assert "pid 72" in judged(manager, helper, shell, service)
    for other in (dict(manager, exe="/home/appuser/systemd"), dict(manager, cmdline="/usr/lib/systemd/systemd"),
                  dict(manager, ppid=5)):
        assert "pid 70" in judged(other, shell), other
    assert "pid 71" in judged(dict(helper, ppid=5), shell)
    assert judged(dict(manager, cgroup="1:name=systemd:" + scope[3:] + "0::" + scope[3:]), shell) == ""  # hybrid
    # a unified host whose kernel has a name=systemd hierarchy pid 1 does not manage (someone mounted it: a Docker
    # host in hybrid mode): every process is at its root there (measured on a systemd container of such a host)
    assert judged(dict(manager, cgroup="9:name=systemd:/\n" + scope), dict(helper, cgroup="9:name=systemd:/\n"
                                                                         + scope), shell) == ""


def test_the_user_managers_helper_renamed_in_place_is_its_helper():
    """systemd renames the manager's PAM helper in place: ``/proc/<pid>/cmdline`` reads ``(sd-pam)`` and the NULs
    of the zeroed rest of the argv area (measured on Debian 12 booted with systemd: ``(sd-pam)\\0\\0\\0``), empty
    arguments to an exact reader. The live session's manager and its helper were named; another word after the
    name is still no helper's."""
    from types import SimpleNamespace

    from deploytests.verify.promises import _user_manager

    scope = "9:name=systemd:/\n0::/user.slice/user-1000.slice/user@1000.service/init.scope\n"
    manager = {"pid": 81, "ppid": 1, "user": "appuser", "uid": 1000, "exe": "/usr/lib/systemd/systemd"}
    helper = dict(manager, pid=86, ppid=81)
    shell = {"pid": 90, "ppid": 89, "user": "appuser", "ancestors": [{"pid": 88, "comm": "sshd", "user": "root"}]}
    for raw, ok in (("(sd-pam)\0\0\0", True), ("(sd-pam)\0", True), ("(sd-pam)\0x\0", False)):
        snap = SimpleNamespace(raw={"proc": {"81": {"cmdline": "/lib/systemd/systemd\0--user\0", "cgroup": scope},
                                             "86": {"cmdline": raw, "cgroup": scope}}})
        assert _user_manager(helper, [manager, helper, shell], snap) is ok, raw
    # Debian 13 (systemd 257): pid 1 sets the manager up in systemd-executor, which forks the helper, then execs the
    # manager: the helper's program is systemd-executor (measured); the manager's must still be systemd's
    executor = dict(helper, exe="/usr/lib/systemd/systemd-executor")
    snap = SimpleNamespace(raw={"proc": {"81": {"cmdline": "/usr/lib/systemd/systemd\0--user\0", "cgroup": scope},
                                         "86": {"cmdline": "(sd-pam)" + "\0" * 40, "cgroup": scope}}})
    assert _user_manager(executor, [manager, executor, shell], snap)
    assert not _user_manager(dict(manager, exe="/usr/lib/systemd/systemd-executor"), [manager, shell], snap)


def certbot_redirect(site: str, rule: str = "RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]") \
        -> str:
    """The app's site file after ``certbot --redirect``: the redirect to TLS at the end of its ``<VirtualHost>``."""
    return site.replace("</VirtualHost>", f"RewriteEngine on\nRewriteCond %{{SERVER_NAME}} =localhost\n{rule}\n"
                                          "</VirtualHost>", 1)


def test_certbots_redirect_to_its_tls_copy_keeps_the_site_the_apps_and_another_redirect_does_not(exp):
    """certbot --apache --redirect adds its redirect to the app's *:80 site after copying it for *:443: the vhost
    check failed ('differs from what bootstrap writes'), and the copy, no longer the site line for line, was another
    site naming the app's tree (3 more lines). Class: what certbot's Apache installer writes into the app's site.
    The redirect, exactly as certbot writes it to the site's own names, with its copy in force, is the app's site;
    without the copy it is one line; a redirect elsewhere is a hand edit."""
    facts, path = clean_facts(), "/etc/apache2/sites-enabled/yourapplication-le-ssl.conf"
    ours = "/etc/apache2/sites-enabled/yourapplication.conf"
    texts = {t["path"]: t for t in inv(facts)["texts"]}
    site = texts[ours]["text"]
    assert facts.remote["vhost"] == site  # (the check reads the same file)
    texts[ours]["text"] = facts.remote["vhost"] = certbot_redirect(site)
    said = outcome("vhost", facts, exp)
    avail = "/etc/apache2/sites-available/yourapplication.conf"  # (the file the link names)
    assert said.startswith(f"fail: {avail} is what bootstrap writes but for certbot's redirect to https") and \
        "no copy of the site serves it on *:443" in said, said
    add_conf(facts, path, vhost="localhost")
    inv(facts)["texts"].append({"path": path, "text": certbot_copy(site)})
    for rule in ("vhost", "cw_apache_effects", "cw_handlers"):
        assert outcome(rule, facts, exp) == "pass", rule
    # certbot run again once the site redirects: its copy keeps RewriteEngine on, its rules commented out (inert)
    inv(facts)["texts"][-1]["text"] = certbot_copy(site, "RewriteEngine on\n#RewriteCond %{SERVER_NAME} =localhost\n")
    assert outcome("cw_apache_effects", facts, exp) == "pass"
    inv(facts)["texts"][-1]["text"] = certbot_copy(site, "Redirect / https://elsewhere.example/\n")  # another site
    assert outcome("cw_apache_effects", facts, exp).startswith("fail")
    inv(facts)["texts"][-1]["text"] = certbot_copy(site)
    texts[ours]["text"] = facts.remote["vhost"] = certbot_redirect(
        site, "RewriteRule ^ https://elsewhere.example%{REQUEST_URI} [END,NE,R=permanent]")
    assert outcome("vhost", facts, exp).startswith(f"fail: {avail} differs from what bootstrap writes")



def test_a_process_the_deploy_login_starts_as_systemd_user_is_not_its_manager(exp):
    """The login may run systemd's own program itself, with its library preloaded (``LD_PRELOAD``: its code runs
    in the process), the argv ``--user``, and leave it to pid 1 (``setsid``, its shell gone): program, argv and
    parent are the manager's, and on a live SSH session of the login's (the deploy's own gate) it passed for it,
    running the login's code outside any session for good. Where pid 1 put a process (its cgroup) is not the
    login's to choose: what it starts stays in its session's scope."""
    session = [{"pid": 88, "comm": "sshd-session", "user": "root"}]
    shell = proc(91, "appuser", "-bash", comm="bash", ancestors=session)
    scope = "/user.slice/user-1001.slice/user@1001.service/init.scope"
    fake = dict(proc(70, "appuser", "/lib/systemd/systemd --user", comm="systemd"), uid=1001,
                exe="/usr/lib/systemd/systemd", cgroup="0::/user.slice/user-1001.slice/session-3.scope\n")
    for cgroup in (fake["cgroup"], "9:name=systemd:/docker/3d16\n", "", "0::%s\n0::/x\n" % scope, "0::/\n",
                   "9:name=systemd:/\n0::/\n", "9:name=systemd:/x\n0::%s\n" % scope,
                   "0::/user.slice/user-1002.slice/user@1002.service/init.scope\n",
                   "0::/user.slice/user-1001.slice/user@1001.service/app.slice/x.service\n"):
        facts = clean_facts()
        inv(facts)["processes"] += [dict(fake, cgroup=cgroup), dict(shell)]
        assert "pid 70" in failing(facts, exp).get("cw_processes", ""), cgroup


def test_a_setuid_program_the_deploy_login_names_sshd_starts_no_session(exp):
    """Class: which session a process belongs to, taken from what the login chooses. ``newgrp`` (setuid root; with
    Debian's ``SYSLOG_SG_ENAB yes`` it forks and waits for the shell it runs as the caller) run by the deploy login
    through a link named ``sshd-x`` shows root as its ``/proc`` owner (its effective uid) and ``sshd-x`` as its
    name: everything the login ran under it passed for part of an SSH session, outside any session for good. A
    session's root sshd is root's by its real uid (the setuid program's is the caller's) and sshd's by its program
    (the kernel's ``exe``; its name only where that is not readable)."""
    from deploytests.verify import parse

    st = {"st": [0o100644, 0, 0, 100, 0, 0], "data": "root:x:0:0::/root:/bin/sh\n"
          "deployer:x:1001:1001::/home/deployer:/bin/bash\n"}
    rows = [(7, 0, 0, 1, "sshd", "/usr/sbin/sshd"), (1977, 0, 1001, 1, "sshd-x", "/usr/bin/newgrp"),
            (1979, 1001, 1001, 1977, "sh", "/usr/bin/dash"), (249, 0, 0, 7, "sshd", "/usr/sbin/sshd (deleted)"),
            (251, 1001, 1001, 249, "bash", "/usr/bin/bash")]
    proc = {str(pid): {"uid": uid, "stat": f"{pid} ({comm}) S {ppid} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 4096 0",
                       "status": f"Name:\t{comm}\nUid:\t{ruid}\t{uid}\t{uid}\t{uid}\n", "cmdline": comm + "\0",
                       "exe": exe} for pid, uid, ruid, ppid, comm, exe in rows}
    procs = parse.Procs(parse.Snapshot({"proc": proc, "files": {"/etc/passwd": st}}))
    assert procs.table[1977]["user"] == "deployer" and procs.table[1977]["ruid"] == 1001  # its caller's
    assert not parse.in_session(procs.ancestors(1979))  # under the login's setuid newgrp
    assert parse.in_session(procs.ancestors(251))  # under sshd (upgraded since: its program deleted)
    under = [{"pid": 1977, "comm": "sshd-x", "user": "root", "exe": "/usr/bin/newgrp", "ruid": 1001}]
    for chain in (under, [dict(under[0], exe=None)], [dict(under[0], ruid=0)]):  # no exe readable; a real root's
        facts = clean_facts()
        inv(facts)["processes"] += [proc_of(1979, "appuser", "sh -c while :; do ...; done", 1977, chain)]
        assert "pid 1979" in failing(facts, exp).get("cw_processes", ""), chain
    session = [{"pid": 249, "comm": "sshd-session", "user": "root", "exe": "/usr/lib/openssh/sshd-session",
                "ruid": 0}]
    facts = clean_facts()
    inv(facts)["processes"] += [proc_of(251, "appuser", "-bash", 249, session)]
    assert "pid 251" not in failing(facts, exp).get("cw_processes", "")


def test_a_setuid_program_the_app_user_names_apache2_is_no_apache_parent():
    """The same class, another member: Apache's root parents were the processes /proc shows as root's named
    ``apache2``, and each process of the app user one of them forked was taken for a mod_wsgi daemon. A setuid
    program the app user runs through a link named ``apache2`` is its own (its real uid), not Apache's."""
    from deploytests.verify import parse

    st = {"st": [0o100644, 0, 0, 100, 0, 0], "data": "root:x:0:0::/root:/bin/sh\n"
          "yourapplication:x:999:999::/var/www/yourapplication:/usr/sbin/nologin\n"}
    rows = [(29, 0, 0, 1, "apache2", "/usr/sbin/apache2"), (260, 999, 999, 29, "apache2", "/usr/sbin/apache2"),
            (700, 0, 999, 1, "apache2", "/usr/bin/newgrp"), (701, 999, 999, 700, "apache2", "/usr/sbin/apache2")]
    proc = {str(pid): {"uid": uid, "stat": f"{pid} ({comm}) S {ppid} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 4096 0",
                       "status": f"Name:\t{comm}\nUid:\t{ruid}\t{uid}\t{uid}\t{uid}\n",
                       "cmdline": "(wsgi:yourapplication) -k start\0", "exe": exe}
            for pid, uid, ruid, ppid, comm, exe in rows}
    procs = parse.Procs(parse.Snapshot({"proc": proc, "files": {"/etc/passwd": st}}))
    found, daemons = procs.processes("yourapplication", "(wsgi:{app})", "yourapplication")
    assert [d["pid"] for d in daemons] == [260], daemons
    assert procs.table[700]["user"] == "yourapplication"


def proc_of(pid, user, cmdline, ppid, ancestors):
    return dict(proc(pid, user, cmdline, ppid=ppid, ancestors=ancestors), exe="/usr/bin/dash")


@pytest.mark.parametrize("text", ["appuser ALL=(root) NOPASSWD: /usr/bin/tail -f /var/log/*",
                                  "appuser ALL=(root) NOPASSWD: /usr/sbin/apache2ctl graceful",
                                  "appuser ALL=(yourapplication) NOPASSWD: ALL"])
def test_a_narrower_rule_for_the_targets_login_is_judged_like_anyones(exp, text):
    """The target's login (appuser: ALL=(ALL) NOPASSWD:ALL in the images) keeps its root grant as the operator's;
    a further rule naming it is not that grant: it needs allow_sudo like any other line."""
    facts = clean_facts()
    assert outcome("cw_sudoers", facts, exp) == "pass"
    inv(facts)["sudoers"].append({"file": "/etc/sudoers.d/ops", "line": 2, "text": text, "mode": "0440",
                                  "owner": "root"})
    msg = failing(facts, exp)
    assert list(msg) == ["cw_sudoers"] and f"/etc/sudoers.d/ops:2: {text!r}" in msg["cw_sudoers"], msg
    more = {"file": "/etc/sudoers.d/zz", "line": 1, "text": "appuser ALL=(ALL:ALL) ALL", "mode": "0440",
            "owner": "root"}
    inv(facts)["sudoers"] = [r for r in inv(facts)["sudoers"] if r["text"] != text] + [more]
    assert outcome("cw_sudoers", facts, exp) == "pass"  # another line of every command as root: the same grant


@pytest.mark.parametrize("conf, drop", [
    # a blind fault: a central keys dir (root's) held a CI key for the app user; only its home's files were looked at
    ("AuthorizedKeysFile .ssh/authorized_keys {ssh}/authorized_keys/%u\n", ""),
    # another member: a Match block for the app user naming a file in a drop-in, by uid
    ("Include {ssh}/sshd_config.d/*.conf\n", "Match User app\n    AuthorizedKeysFile {ssh}/authorized_keys/%u\n")])
def test_the_app_users_keys_are_looked_for_where_sshd_takes_them(tmp_path, monkeypatch, conf, drop):
    import pwd as pwd_mod

    from deploytests.verify import reader

    ssh, home = tmp_path / "ssh", tmp_path / "home"
    (ssh / "sshd_config.d").mkdir(parents=True)
    (ssh / "authorized_keys").mkdir()
    home.mkdir()
    (ssh / "sshd_config").write_text(conf.format(ssh=ssh))
    (ssh / "sshd_config.d" / "ci.conf").write_text(drop.format(ssh=ssh))
    monkeypatch.setattr(reader.pwd, "getpwnam", lambda name: pwd_mod.struct_passwd(
        ("app", "x", 999, 999, "", str(home), "/usr/sbin/nologin")))
    assert reader.app_keys("app", str(ssh)) == []
    (ssh / "authorized_keys" / "app").write_text("ssh-ed25519 AAAA ci@runner\n")
    assert reader.app_keys("app", str(ssh)) == [str(ssh / "authorized_keys" / "app")]


def test_more_app_processes_under_apache_than_daemons_apache_runs_fail_the_process_rule(exp):
    """Class: a process taken for Apache's by its parent, which a process may choose: ``clone(CLONE_PARENT)`` from a
    daemon (code the app runs: a request's, an exploit's) makes a process whose parent is Apache's root process,
    with the daemon's title, program, working directory and memory. It passed for a daemon Apache forked (on a real
    server: 84 passed), running the app's rights outside Apache's control until the next deploy. Apache starts at
    most the vhost's ``processes=`` daemons of the app's group: more, started since the switch, is one line naming
    them all (which one Apache did not start, nothing on the server says)."""
    facts = clean_facts()
    daemons = facts.remote["daemons"]
    assert len(daemons) == exp.cfg.processes and failing(facts, exp) == {}
    daemons.append(dict(daemons[0], pid=4461, started=max(d["started"] for d in daemons) + 5))
    msg = failing(facts, exp)
    assert list(msg) == ["cw_processes"], msg
    assert "3 processes of the app user (yourapplication) whose parent is Apache's (pid 27)" in msg["cw_processes"] \
        and "[4461, 239, 238]" in msg["cw_processes"] and "processes=2" in msg["cw_processes"], msg
    daemons[-1]["started"] = 0.0  # one from before the switch: test_daemons_run_live_release's line, not this one
    assert outcome("cw_processes", facts, exp) == "pass"
    daemons[-1]["started"] = daemons[0]["started"] + 5  # a vhost Apache runs with processes=3 (deploy.toml says 2:
    vhost = "/etc/apache2/sites-available/yourapplication.conf"  # test_vhost_as_bootstrapped's line): 3 are its
    facts.raw = parse.Snapshot({"files": {vhost: {"st": [0o100644, 0, 0, 1, 0, 1, 0], "data": "WSGIDaemonProcess "
                                                  "yourapplication user=yourapplication processes=3 threads=15\n"}}})
    assert outcome("cw_processes", facts, exp) == "pass"


@pytest.mark.parametrize("member", ["a clone of the daemon", "a clone that ran a program of its own named apache2"])
def test_apaches_old_daemons_count_only_once_they_outlived_its_graceful_restart(exp, member):
    """The same rule, dated by Apache's last load (its pid file's mtime: a graceful restart, logrotate's or a
    bootstrap's): the daemons it stopped finish their requests before they go (mod_wsgi's shutdown-timeout), so
    within 30 s of it only the daemons started since count; after, every one does. The other member: the clone
    that then ran a program of the app user's (in ``shared/``, named ``apache2``: the kernel's ``comm`` is Apache's,
    the process rule took it for Apache's child) is counted as well."""
    facts = clean_facts()
    daemons = facts.remote["daemons"]
    start = max(d["started"] for d in daemons)
    if member != "a clone of the daemon":
        daemons[0].update(exe="/var/www/yourapplication/shared/data/apache2", argv0="/var/www/yourapplication/"
                          "shared/data/apache2")
    daemons += [dict(daemons[1], pid=4471, started=start + 10), dict(daemons[1], pid=4472, started=start + 10)]
    parent = next(p["pid"] for p in facts.remote["apache"] if p["user"] == "root")
    facts.raw = parse.Snapshot({"files": {"/run/apache2/apache2.pid": {"st": [0o100644, 0, 0, 3, start + 9.9, 1, 0],
                                                                       "data": f"{parent}\n"}}})
    facts.raw.raw["time"] = start + 15  # 5 s after a graceful: its old daemons may be finishing their requests
    assert outcome("cw_processes", facts, exp) == "pass"
    facts.raw.raw["time"] = start + 120  # old daemons two minutes after it: Apache did not start them
    line = outcome("cw_processes", facts, exp)
    assert "4 processes of the app user (yourapplication) whose parent is Apache's" in line and \
        f"[4471, 4472, {daemons[1]['pid']}, {daemons[0]['pid']}]" in line, line
