"""Root's UNIX sockets that a less trusted user may connect to (``cw_listen``; deploytests.verify.sockets), as pure
functions of recorded facts: a root tmux server whose socket others may write, ``socat UNIX-LISTEN`` with mode 0666,
a root process on an abstract name (no file, no permission) fail naming the socket, its holder, who may connect and
the allowance; the stock sockets (systemd's, journald's, exim's, Apache's own) and root's sockets nobody else may
reach (a 0700 tmux dir, a 0600 socket) pass; ACL entries count as the kernel counts them."""

from __future__ import annotations

import dataclasses
import stat

import pytest
from stock import outcome
from test_root_reach import PLATFORMS, exp, host  # noqa: F401  (exp: the fixture)

from deploytests.allowances import Allowances
from deploytests.verify import parse, sockets

S, D, L = stat.S_IFSOCK, stat.S_IFDIR, stat.S_IFLNK
HEAD = "Num       RefCount Protocol Flags    Type St Inode Path\n"


def with_socket(facts, name: str, exe: str, uid: int = 0, kind: str = "0001", flags: str = "00010000",
                files: dict | None = None, inode: int = 88001):
    """``facts`` with one more UNIX socket in /proc/net/unix, held by a new process 4343 (``uid``, ``exe``), and the
    ``lstat`` entries ``files`` ({path: [mode, uid, gid] or with an "acl"}); the inventory's unix listeners parsed
    again from the snapshot, as the probe does."""
    raw = facts.raw
    rows = raw.files.get("/proc/net/unix", {}).get("data") or HEAD
    raw.files["/proc/net/unix"] = {"data": rows + f"0000000000000000: 00000002 00000000 {flags} {kind} 01 {inode} "
                                                  f"{name}\n"}
    raw.raw.setdefault("proc", {})["4343"] = {
        "uid": uid, "stat": "4343 (x) S 1 4343 4343 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 900 " + "0 " * 30,
        "cmdline": f"{exe}\0", "exe": exe, "cwd": "/",
        "sockets": [f"socket:[{inode}]"], "status": ""}
    for path, st in (files or {}).items():
        entry = {"st": [st[0], st[1], st[2], 0, 0, 7]}
        entry.update({"acl": st[3]} if len(st) > 3 else {})
        entry.update({"link": st[4]} if len(st) > 4 else {})
        raw.files[path] = entry
    facts.remote["inventory"]["unix_listeners"] = sockets.unix_listeners(raw, parse.Procs(raw))
    return facts


def acl(*entries) -> str:
    return (b"\2\0\0\0" + b"".join(t.to_bytes(2, "little") + p.to_bytes(2, "little") + i.to_bytes(4, "little")
                                   for t, p, i in entries)).decode("latin-1")


TMUX_SHARED = {"/tmp": [D | 0o1777, 0, 0], "/tmp/ops": [D | 0o755, 0, 0], "/tmp/ops/tmux.sock": [S | 0o777, 0, 0]}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name, exe, files, who", [
    # blind7's e05: root's tmux on a socket the deploy login may write
    ("/tmp/ops/tmux.sock", "/usr/bin/tmux", TMUX_SHARED, "any local user"),
    # another member: socat UNIX-LISTEN,mode=0666 as root, in a directory everyone may enter
    ("/run/ops-shell.sock", "/usr/bin/socat", {"/run": [D | 0o755, 0, 0], "/run/ops-shell.sock": [S | 0o666, 0, 0]},
     "any local user"),
    # root's default tmux dir, but the socket's group is the deploy login's (appuser, gid 1000)
    ("/tmp/tmux-0/default", "/usr/bin/tmux", {"/tmp": [D | 0o1777, 0, 0], "/tmp/tmux-0": [D | 0o710, 0, 1000],
                                              "/tmp/tmux-0/default": [S | 0o660, 0, 1000]},
     "appuser (the deploy login)"),
    # an ACL naming the deploy login (uid 1000) on a 0700 dir and a 0600 socket (mask rwx)
    ("/srv/ctl/agent.sock", "/usr/local/sbin/agent", {
        "/srv": [D | 0o755, 0, 0], "/srv/ctl": [D | 0o710, 0, 0, acl((1, 7, 0), (2, 1, 1000), (4, 0, 0), (0x10, 1, 0),
                                                                      (0x20, 0, 0))],
        "/srv/ctl/agent.sock": [S | 0o660, 0, 0, acl((1, 6, 0), (2, 6, 1000), (4, 0, 0), (0x10, 6, 0),
                                                     (0x20, 0, 0))]}, "appuser (the deploy login)"),
    # another member: a root python on an abstract name (no file, no permission: anyone)
    ("@ops-control", "/usr/bin/python3.11", {}, "any local user")])
def test_a_root_unix_socket_others_may_connect_to_fails_naming_it(exp, platform, name, exe, files, who):  # noqa: F811
    facts = with_socket(host(platform), name, exe, files=files)
    msg = outcome("cw_listen", facts, exp)
    assert msg.startswith("fail: "), msg
    assert f"UNIX stream socket {name} (" in msg and "pid 4343 (root)" in msg and who in msg, msg
    assert f'allow_listen = ["unix:{name} root {exe} sha256:' in msg, msg
    allowed = dataclasses.replace(exp, allow=Allowances(listen=(f"unix:{name} root {exe}",)))
    assert outcome("cw_listen", facts, allowed) == "pass"
    other = dataclasses.replace(exp, allow=Allowances(listen=(f"unix:{name} root /usr/bin/other",)))
    assert outcome("cw_listen", facts, other).startswith("fail")  # the allowance binds the program


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name, exe, uid, files", [
    # root's tmux and screen as they start: their dirs are root's 0700
    ("/tmp/tmux-0/default", "/usr/bin/tmux", 0, {"/tmp": [D | 0o1777, 0, 0], "/tmp/tmux-0": [D | 0o700, 0, 0],
                                                 "/tmp/tmux-0/default": [S | 0o660, 0, 0]}),
    ("/run/screen/S-root/77.s", "/usr/bin/screen", 0, {"/run": [D | 0o755, 0, 0], "/run/screen": [D | 0o1777, 0, 43],
                                                       "/run/screen/S-root": [D | 0o700, 0, 0],
                                                       "/run/screen/S-root/77.s": [S | 0o600, 0, 0]}),
    # an ACL whose mask takes the named user's write away
    ("/srv/ctl/agent.sock", "/usr/local/sbin/agent", 0, {
        "/srv": [D | 0o755, 0, 0], "/srv/ctl": [D | 0o755, 0, 0],
        "/srv/ctl/agent.sock": [S | 0o640, 0, 0, acl((1, 6, 0), (2, 6, 1000), (4, 0, 0), (0x10, 4, 0),
                                                     (0x20, 0, 0))]}),
    # the stock ones, measured: systemd's D-Bus socket, journald's, exim's notifier; a user's own agent
    ("/run/dbus/system_bus_socket", "/usr/lib/systemd/systemd", 0, {"/run": [D | 0o755, 0, 0], "/run/dbus": [
        D | 0o755, 0, 0], "/run/dbus/system_bus_socket": [S | 0o666, 0, 0]}),
    ("/run/systemd/journal/stdout", "/usr/lib/systemd/systemd-journald", 0, {
        "/run": [D | 0o755, 0, 0], "/run/systemd": [D | 0o755, 0, 0], "/run/systemd/journal": [D | 0o755, 0, 0],
        "/run/systemd/journal/stdout": [S | 0o666, 0, 0]}),
    ("@/var/spool/exim4/exim_daemon_notify", "/usr/sbin/exim4", 0, {}),
    ("/var/run/apache2/wsgi.27.0.1.sock", "/usr/sbin/apache2", 0, {
        "/var": [D | 0o755, 0, 0], "/var/run": [L | 0o777, 0, 0, "", "/run"], "/run": [D | 0o755, 0, 0],
        "/run/apache2": [D | 0o755, 0, 0], "/run/apache2/wsgi.27.0.1.sock": [S | 0o700, 33, 0],
        "/var/run/apache2": [D | 0o755, 0, 0]}),  # (the collector notes each directory on the path as named)
    ("@ops-control", "/usr/bin/python3.11", 1001, {})])  # (1001: a login that does not become root)
def test_stock_root_sockets_and_ones_no_one_else_reaches_pass(exp, platform, name, exe, uid, files):  # noqa: F811
    facts = with_socket(host(platform), name, exe, uid=uid, files=files)
    assert outcome("cw_listen", facts, exp) == "pass"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_stock_name_held_by_another_root_program_and_a_datagram_socket_fail(exp, platform):  # noqa: F811
    files = {"/run": [D | 0o755, 0, 0], "/run/systemd": [D | 0o755, 0, 0], "/run/systemd/notify": [S | 0o777, 0, 0]}
    facts = with_socket(host(platform), "/run/systemd/notify", "/usr/bin/socat", kind="0002", flags="00000000",
                        files=files)
    msg = outcome("cw_listen", facts, exp)
    assert "UNIX datagram socket /run/systemd/notify (0777 root:root)" in msg, msg
    assert outcome("cw_listen", with_socket(host(platform), "/run/systemd/notify", "/usr/lib/systemd/systemd",
                                            kind="0002", flags="00000000", files=files), exp) == "pass"


def test_the_kernels_permission_rule_with_acls():
    entry = {"st": [S | 0o660, 0, 5], "acl": acl((1, 6, 0), (2, 6, 1000), (4, 6, 0), (8, 2, 7), (0x10, 2, 0),
                                                  (0x20, 0, 0))}
    assert sockets.permits(entry, 1000, set(), 2)  # named user, masked to w
    assert not sockets.permits(entry, 1000, set(), 4)  # the mask takes r away
    assert sockets.permits(entry, 1001, {7}, 2) and sockets.permits(entry, 1001, {5}, 2)  # named and owning group
    assert not sockets.permits(entry, 1001, {9}, 2)  # other: ---
    assert sockets.permits({"st": [S | 0o602, 0, 5]}, 1001, {5}, 2) is False  # group matched: other bits not used


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["/dev/log", "/var/spool/postfix/dev/log", "/var/lib/haproxy/dev/log"])
def test_every_log_socket_of_rsyslogd_is_the_stacks_and_only_its(exp, platform, name):  # noqa: F811
    """rsyslog and postfix from Debian's mirror, both ordinary: postfix's shipped
    /etc/rsyslog.d/postfix.conf has rsyslogd bind a second log socket in postfix's chroot (0666, root's), and the
    gate failed it as 'what it accepts runs as root'. A log daemon's socket takes log lines: every UNIX socket of
    rsyslogd is the stack's (haproxy's chroot socket: another member); the same name held by another root
    program still fails."""
    dirs = {"/".join(name.split("/")[:i]) or "/": [D | 0o755, 0, 0] for i in range(2, name.count("/") + 1)}
    files = {**dirs, name: [S | 0o666, 0, 0]}
    facts = with_socket(host(platform), name, "/usr/sbin/rsyslogd", kind="0002", flags="00000000", files=files)
    assert outcome("cw_listen", facts, exp) == "pass"
    msg = outcome("cw_listen", with_socket(host(platform), name, "/usr/bin/socat", kind="0002", flags="00000000",
                                           files=files), exp)
    assert f"UNIX datagram socket {name} (0666 root:root)" in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("exe", ["/usr/sbin/syslog-ng", "/usr/sbin/syslogd"])
def test_the_system_log_socket_of_debians_other_loggers_is_the_stacks(exp, platform, exe):  # noqa: F811
    """Class: the stack's baseline knew the system log socket by one logger's program (rsyslogd): syslog-ng-core,
    installed in rsyslog's place as Debian allows (both Provide system-log-daemon), failed /dev/log as 'what it
    accepts runs as root', one line naming allow_listen (measured on Debian 12 and 13). The other member:
    inetutils-syslogd. Their /dev/log only: another socket of theirs, or /dev/log held by another program, fails."""
    files = {"/dev": [D | 0o755, 0, 0], "/dev/log": [S | 0o666, 0, 0], "/run": [D | 0o755, 0, 0],
             "/run/x.ctl": [S | 0o666, 0, 0]}
    facts = with_socket(host(platform), "/dev/log", exe, kind="0002", flags="00000000", files=files)
    assert outcome("cw_listen", facts, exp) == "pass"
    msg = outcome("cw_listen", with_socket(host(platform), "/run/x.ctl", exe, files=files), exp)
    assert "UNIX stream socket /run/x.ctl (0666 root:root)" in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_socket_whose_path_was_not_looked_at_counts_as_reachable(exp, platform):  # noqa: F811
    # bound by a relative name (from the process's directory), or in a directory the gate's login could not enter
    for name, files in (("ops.sock", {}), ("/srv/ops/ctl.sock", {"/srv": [D | 0o755, 0, 0]})):
        msg = outcome("cw_listen", with_socket(host(platform), name, "/usr/local/sbin/agent", files=files), exp)
        assert f"UNIX stream socket {name} (" in msg and "any local user may connect" in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_root_daemons_socket_open_to_a_group_the_deploy_login_is_in_fails(exp, platform):  # noqa: F811
    # another member: dockerd's socket (0660 root:docker): the deploy login in group docker is root; nobody in it: no
    files = {"/run": [D | 0o755, 0, 0], "/run/docker.sock": [S | 0o660, 0, 998]}
    facts = with_socket(host(platform), "/run/docker.sock", "/usr/sbin/dockerd", files=files)
    assert outcome("cw_listen", facts, exp) == "pass"  # no group named docker with the deploy login in it
    group = facts.raw.files["/etc/group"]
    group["data"] += "docker:x:998:appuser\n"
    facts = with_socket(host(platform), "/run/docker.sock", "/usr/sbin/dockerd", files=files)
    facts.raw.files["/etc/group"] = group
    facts.raw.users = parse.Users(facts.raw.text("/etc/passwd") or "", group["data"])
    msg = outcome("cw_listen", facts, exp)
    assert "UNIX stream socket /run/docker.sock (0660 root:" in msg and "appuser (the deploy login) may connect" in \
        msg and "any local user" not in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
def test_postfixs_relative_service_sockets_are_the_mtas_and_only_its(exp, platform):  # noqa: F811
    # postfix's master binds its services by names relative to its spool (measured on Debian 12 and 13 servers
    # with postfix: public/pickup, private/tlsmgr ...): the stack's MTA, as its TCP port 25 is
    for name in ("public/pickup", "private/tlsmgr"):
        facts = with_socket(host(platform), name, "/usr/lib/postfix/sbin/master")
        assert outcome("cw_listen", facts, exp) == "pass", name
    msg = outcome("cw_listen", with_socket(host(platform), "public/pickup", "/usr/bin/socat"), exp)
    assert "UNIX stream socket public/pickup (a path relative to where its process bound it" in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("holder, sudo_group", [("appuser", False), ("deployer", True)])
def test_a_socket_of_a_login_that_becomes_root_is_judged_as_roots(exp, platform, holder, sudo_group):  # noqa: F811
    """attack9: the rule judged only sockets a uid-0 process holds ("another user's door is that user's"); an
    admin's `socat UNIX-LISTEN:/tmp/pair.sock,mode=777,fork EXEC:bash` (a shared shell) let the deploy login type
    `sudo -n ...` into it: root ran its command, the gate passed. A process of a login that becomes root -- the
    gate's own login when it did (appuser in these facts), a member of the sudo, wheel or admin group -- is
    judged as root's; its own user is not counted among who may connect."""
    facts = host(platform)
    if sudo_group:
        facts.raw.files["/etc/group"]["data"] = facts.raw.text("/etc/group").replace("sudo:x:27:", "sudo:x:27:deployer")
        facts.raw.users = parse.Users(facts.raw.text("/etc/passwd"), facts.raw.text("/etc/group"))
    uid = {"appuser": 1000, "deployer": 1001}[holder]
    files = {"/tmp": [D | 0o1777, 0, 0], "/tmp/pair.sock": [S | 0o777, uid, uid]}
    msg = outcome("cw_listen", with_socket(facts, "/tmp/pair.sock", "/usr/bin/socat", uid=uid, files=files), exp)
    assert msg.startswith("fail: ") and "UNIX stream socket /tmp/pair.sock (" in msg and "any local user" in msg, msg
    assert f"runs as {holder}, " in msg and "who becomes root" in msg, msg
    shown = "ACCOUNT" if holder == exp.deploy_user else holder  # (the deploy login's memory is its own: no entry)
    assert f'allow_listen = ["unix:/tmp/pair.sock {shown} /usr/bin/socat sha256:' in msg, msg
    allowed = dataclasses.replace(exp, allow=Allowances(listen=(f"unix:/tmp/pair.sock {holder} /usr/bin/socat",)))
    assert outcome("cw_listen", with_socket(host(platform), "/tmp/x", "/usr/bin/socat", uid=1001, files={
        "/tmp": [D | 0o1777, 0, 0], "/tmp/x": [S | 0o777, 1001, 1001]}), allowed) == "pass"  # not root's: theirs


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("sudoers, via", [
    ("deployer ALL=(ALL:ALL) ALL\n", "/etc/sudoers.d/ops:1"),  # named in sudoers (not a %group): gaps9's open item
    ("User_Alias OPS = alice, deployer\nOPS ALL=(root) NOPASSWD: /usr/bin/systemctl\n", "/etc/sudoers.d/ops:2"),
    ("User_Alias INNER = deployer\nUser_Alias OPS = INNER\nOPS ALL = ALL\n", "/etc/sudoers.d/ops:3"),
    ("%deployer ALL=(ALL) ALL\n", "its group deployer: /etc/sudoers.d/ops:1"),
    ("#1001 ALL=(ALL) ALL\n", "/etc/sudoers.d/ops:1"),
    ("deployer ALL=(www-data) ALL\n", None),  # not as root: another user's door is that user's
])
def test_a_socket_of_a_login_sudoers_names_is_judged_as_roots(exp, platform, sudoers, via):  # noqa: F811
    """The rule took only members of the sudo, wheel and admin groups for logins that become root; a login named
    in sudoers (directly, through a User_Alias, by #uid) or a member of another %group with a root rule, sharing
    its shell on a socket, passed. Who becomes root is what sudoers says: every rule that runs a command as root."""
    stock = "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n"
    facts = host(platform, files={"/etc/sudoers": (stat.S_IFREG | 0o440, 0, stock),
                                  "/etc/sudoers.d/ops": (stat.S_IFREG | 0o440, 0, sudoers)},
                 dirs={"/etc/sudoers.d": ["ops"]})
    files = {"/tmp": [D | 0o1777, 0, 0], "/tmp/pair.sock": [S | 0o777, 1001, 1001]}
    msg = outcome("cw_listen", with_socket(facts, "/tmp/pair.sock", "/usr/bin/socat", uid=1001, files=files), exp)
    if via is None:
        assert msg == "pass", msg
    else:
        assert msg.startswith("fail: ") and f"runs as deployer, who becomes root (sudo: {via})" in msg, msg


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_row_forged_by_a_newline_in_a_socket_name_is_not_taken_for_a_socket(exp, platform):  # noqa: F811
    """attack9: /proc/net/unix prints a name's bytes raw; the deploy login bound an abstract name holding a newline
    and a whole row naming root's socket inode (sshd's, read from /proc/net/tcp) and a path of its choice: the gate
    reported a root "socket" there, reachable (a false alarm raised at will, with its words). The login collector
    now asks the kernel (sock_diag: one entry per inode, the name length-delimited); /proc/net/unix only when that
    answer is missing. The real socket of that inode is still judged."""
    files = {"/run": [D | 0o755, 0, 0], "/run/ops.sock": [S | 0o666, 0, 0]}
    facts = with_socket(host(platform), "/run/ops.sock", "/usr/bin/socat", files=files)
    raw = facts.raw
    forged = "/run/root-shell.sock"
    raw.files["/proc/net/unix"]["data"] += (f"0000000000000000: 00000002 00000000 00010000 0001 01 4444 @x\n"
                                            f"0000000000000000: 00000002 00000000 00010000 0001 01 88001 {forged}\n")
    raw.raw["unix_diag"] = {"88001": [1, 10, "/run/ops.sock"], "4444": [1, 10, "@x\n0000000000000000: 00000002 "
                                                                       f"00000000 00010000 0001 01 88001 {forged}"]}
    facts.remote["inventory"]["unix_listeners"] = sockets.unix_listeners(raw, parse.Procs(raw))
    msg = outcome("cw_listen", facts, exp)
    assert "UNIX stream socket /run/ops.sock (" in msg and "pid 4343 (root)" in msg, msg
    assert f"socket {forged} " not in msg, msg


def test_the_login_collector_takes_socket_names_from_the_kernel_whole():
    """The collector's side, on this machine's kernel: a listening socket whose abstract name holds a newline and
    a path socket are listed by inode with their names whole (``@`` for the abstract name's NUL)."""
    import os
    import socket
    import tempfile

    from deploytests.verify import collect_login

    with tempfile.TemporaryDirectory() as d, socket.socket(socket.AF_UNIX) as a, socket.socket(socket.AF_UNIX) as p:
        a.bind("\0attack9\n0000: forged")
        a.listen(1)
        p.bind(f"{d}/s.sock")
        out: dict = {"files": {}, "errors": {}}
        collect_login.unix_diag(out)
        ia, ip = (str(os.fstat(s.fileno()).st_ino) for s in (a, p))
    assert out["unix_diag"][ia] == [1, 10, "@attack9\n0000: forged"], out["unix_diag"].get(ia)
    assert out["unix_diag"][ip][2] == f"{d}/s.sock", out["unix_diag"].get(ip)


APACHE_RUN = {"/var": [D | 0o755, 0, 0], "/var/run": [L | 0o777, 0, 0, "", "/run"], "/run": [D | 0o755, 0, 0],
              "/run/apache2": [D | 0o755, 0, 0], "/var/run/apache2": [D | 0o755, 0, 0]}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name, mode, gid, who", [
    # a miss of a blind set: the app's mod_wsgi daemon socket chmod'ed 0777 (mod_wsgi makes it 0700 for Apache's user)
    ("/var/run/apache2/wsgi.27.0.1.sock", 0o777, 0, "any local user"),
    # another member: its group the deploy login's, group-writable
    ("/var/run/apache2/wsgi.27.0.1.sock", 0o770, 1000, "appuser (the deploy login)"),
    # another member (missed on a container before this line): its group a login's without sudo, not a party of
    # the gate's list (the deploy login, the app user, Apache's user, anyone): the group's members
    ("/var/run/apache2/wsgi.27.0.1.sock", 0o770, 1001, "group deployer's members"),
    # another member: mod_cgid's socket opened to everyone (its CGI runs what a request names, as Apache's user)
    ("/run/apache2/cgisock.27", 0o666, 0, "any local user")])
def test_apaches_own_socket_opened_beyond_its_workers_fails(exp, platform, name, mode, gid, who):  # noqa: F811
    """Apache's own sockets (its root parent made them from its configuration) were passed over whoever could
    connect: a chmod of mod_wsgi's daemon socket let any local user hand the app's daemons a request with an
    environ of its own (REMOTE_USER ...), past every access rule of Apache's. Its workers' user (and the app user:
    the daemons themselves) may connect; anyone else fails, whatever is allowed."""
    path = name.replace("/var/run/", "/run/")
    facts = with_socket(host(platform), name, "/usr/sbin/apache2", files={**APACHE_RUN, path: [S | mode, 33, gid]})
    msg = outcome("cw_listen", facts, exp)
    assert msg.startswith("fail: ") and f"UNIX stream socket {name} (" in msg and "is Apache's own" in msg, msg
    assert who in msg and "REMOTE_USER" in msg, msg
    allowed = dataclasses.replace(exp, allow=Allowances(listen=(f"unix:{name} root /usr/sbin/apache2",)))
    assert outcome("cw_listen", facts, allowed).startswith("fail: ")
