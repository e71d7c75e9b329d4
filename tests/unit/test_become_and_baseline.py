"""Who becomes root outside sudoers, whether the deploy login keeps logging in, and the host's security baseline
(issue 17, blind round 4's misses c11-c13, c35, c41-c45, c47) as pure functions of snapshots recorded from real
servers with the gate's own collectors (``data/baseline-stock.json``: the project's Debian 12 and 13 images and
plain Debian 12 and 13 with systemd, procps, openssh-server, apache2 and sudo from Debian's mirror). Each stock
server passes; each fault, written here as members of its class the blind test did not write as well as its own,
fails naming the account, file:line or path and what an attacker (or the next deploy) gets."""

from __future__ import annotations

import collections
import copy
import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest
from stock import outcome

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_root, parse
from deploytests.verify.facts import Facts
from deploytests.verify.logins import accounts, fingerprint, key_blobs, key_entries, sysctl_files, sysctl_settings
from deploytests.verify.promises import Expected

STOCK = json.loads((Path(__file__).parent / "data" / "baseline-stock.json").read_text())
RULES = ["cw_become", "cw_deploy_account", "sec_secrets", "sec_logs", "sec_sysctl", "sec_sticky"]
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBz0n3Vq5dKc1p6z9nqJ3x0v2yQ1kT8pL4mW7sR6fE2d"
ADMIN = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq8r2Lw5mN3bV7cX1zT9yU4kP6jD0sF2aG8hE5nR3wQ"


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def host(server="debian12-image", files=None, shadow=None, keys=None, login="admin") -> Facts:
    """The recorded ``server`` with ``files`` (path -> text, or (mode, uid, gid[, text]) for an lstat) applied,
    shadow rows replaced by name (``shadow``: name -> row tail), the deploy login's keys (``keys``)."""
    raw = copy.deepcopy(STOCK[server])
    for path, spec in (files or {}).items():
        mode, uid, gid, data = spec if isinstance(spec, tuple) and len(spec) == 4 else \
            (*spec, None) if isinstance(spec, tuple) else (0o100644, 0, 0, spec)
        raw["files"][path] = {"st": [mode, uid, gid, len(data or ""), 0, 0], **({"data": data} if data is not None
                                                                                 else {})}
        d, name = path.rsplit("/", 1)
        raw["dirs"][d or "/"] = sorted(set(raw["dirs"].get(d or "/", [])) | {name})
    rows = {r[0]: r for r in raw["shadow"]}
    for name, tail in (shadow or {}).items():
        rows[name] = [name] + tail
    raw["shadow"] = list(rows.values())
    facts = Facts("docker://web-1", remote={"login": login, "as_root": True, "runner_key": KEY,
                                            "login_keys": {"~appuser/.ssh/authorized_keys": keys or ""}})
    facts.raw = parse.Snapshot(raw)
    return facts


def admins_key_allowed(exp):
    """``exp`` with the admin's key (:data:`ADMIN`) allowed in writing for root and for the admin's login."""
    fp = fingerprint(ADMIN.split()[1])
    return dataclasses.replace(exp, allow=Allowances(keys=(f"root {fp}", f"admin {fp}")))


def passwd_with(facts, line):
    return {"/etc/passwd": facts.raw.text("/etc/passwd") + line + "\n"}


def today(server="debian12-image"):
    return int(STOCK[server]["time"] // 86400)


# ---------------------------------------------------------------- stock servers pass


@pytest.mark.parametrize("server", sorted(STOCK))
@pytest.mark.parametrize("rule", RULES)
def test_stock_servers_pass(server, rule, exp):
    assert outcome(rule, host(server), exp) == "pass"


def test_the_stock_snapshots_hold_what_the_rules_read():
    for name, raw in STOCK.items():
        snap = parse.Snapshot(raw)
        assert snap.st("/etc/shadow") and snap.st("/tmp") and raw["shadow"], name
        assert not any(len(r) > 8 or r[1] not in ("empty", "locked", "none", "set") for r in raw["shadow"]), name
    plain = parse.Snapshot(STOCK["debian12-plain"])
    assert [n for n in plain.listdir("/etc/ssh") if n.endswith("_key")]  # openssh-server's own keys, as installed
    assert "/etc/sysctl.d/99-sysctl.conf" in sysctl_files(plain.dirs)  # procps: a link to ../sysctl.conf


# ---------------------------------------------------------------- class 1: who becomes root


def test_root_collector_sends_no_hash(tmp_path, monkeypatch):
    shadow = tmp_path / "shadow"
    shadow.write_text("root:$y$j9T$abc$def:20000:0:99999:7:::\nops::20000::::::\ngone:!$6$x$y:1:2:3:4:5:20500:\n"
                      "svc:*:20000:0:99999:7:::\nbroken\n")
    out: dict = {}
    collect_root.shadow(out, str(shadow))
    assert out["shadow"] == [["root", "set", "20000", "0", "99999", "7", "", ""], ["ops", "empty", "20000", "", "", "",
                             "", ""], ["gone", "locked", "1", "2", "3", "4", "5", "20500"],
                             ["svc", "none", "20000", "0", "99999", "7", "", ""]]
    gshadow = tmp_path / "gshadow"  # (its administrators and members: what the runner counts as the group's)
    gshadow.write_text("shadow:*::\nops:$6$x$y:admin:bob,carol\n")
    collect_root.shadow(out, str(gshadow))
    assert out["gshadow"] == [["shadow", "none", "", ""], ["ops", "set", "admin", "bob,carol"]]
    assert "$" not in json.dumps(out)


def test_root_collector_reads_logins_key_files_through_no_link_and_no_other_name(tmp_path, monkeypatch):
    """``collect_root.keys``: each login's ``~/.ssh/authorized_keys(2)`` and what ``AuthorizedKeysFile`` names for
    it (root's sshd_config, its tokens expanded), read as bytes, one name at a time from ``/``: a link on the way
    (its ``~/.ssh`` made a link to another directory) is not followed, a hard link (a second name of another file)
    is not read, a login without a shell is not looked at."""
    home, other = tmp_path / "home" / "ops", tmp_path / "home" / "svc"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "authorized_keys").write_text(f"{ADMIN} bob\n")
    (tmp_path / "secret").write_text("root-only\n")
    os.link(tmp_path / "secret", home / ".ssh" / "authorized_keys2")
    (other / "real").mkdir(parents=True)
    (other / "real" / "authorized_keys").write_text(f"{KEY} not svc's\n")
    (other / ".ssh").symlink_to(other / "real")
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "ops").write_text(f"{KEY} named\n")
    conf = tmp_path / "sshd_config"
    conf.write_text(f"AuthorizedKeysFile .ssh/authorized_keys {keys}/%u\n")
    conf.chmod(0o644)  # (whatever the umask: root reads only a file no one but root may write)
    if os.stat(conf).st_uid != 0 or os.stat(conf).st_mode & 0o022:
        pytest.skip("its sshd_config must be root's and only root's to write: run as root")
    acct = collections.namedtuple("acct", "pw_name pw_uid pw_dir pw_shell")
    monkeypatch.setattr(collect_root.pwd, "getpwall", lambda: [
        acct("ops", 1002, str(home), "/bin/bash"), acct("svc", 1003, str(other), "/bin/sh"),
        acct("app", 999, str(home), "/usr/sbin/nologin")])
    out: dict = {"files": {}, "dirs": {}, "errors": {}, "size": 0}
    collect_root.read(out, str(conf))  # (collect's steps: sshd's files are read before keys, as root's alone)
    collect_root.keys(out, str(conf))
    files = out["files"]
    assert files[f"{home}/.ssh/authorized_keys"]["data"] == f"{ADMIN} bob\n"
    assert files[f"{keys}/ops"]["data"] == f"{KEY} named\n"
    assert files[f"{home}/.ssh/authorized_keys2"]["why"] == "not a regular file with one name: not read"
    assert "data" not in files[f"{other}/.ssh/authorized_keys"], files  # (its ~/.ssh a link: not followed)
    assert files[f"{other}/.ssh/authorized_keys"]["why"] == os.strerror(40)  # (ELOOP)
    assert f"{keys}/app" not in files and out["errors"] == {}, out


def test_root_collector_reads_each_logins_startup_files_in_a_home_only_it_may_enter(tmp_path, monkeypatch):
    """Class (a root-capable login's files the gate cannot read): Debian 13's ``useradd -m`` makes homes ``0700``, so
    the gate's login saw nothing of a second admin's ``.bashrc`` (a home copied with the app user's files: its owner
    the app user) and the gate passed. ``collect_root.keys`` reads the same names in every login's home as in root's
    (:data:`collect_root.ROOT_FILES`: the shell's startup files, the tools' configuration), one name at a time from
    ``/``, never through a link: the runner judges who owns them."""
    home = tmp_path / "home" / "opsadmin"
    (home / ".ssh").mkdir(parents=True)
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    (home / ".profile").write_text("# mine\n")
    (tmp_path / "elsewhere").write_text("x\n")
    (home / ".bash_login").symlink_to(tmp_path / "elsewhere")
    home.chmod(0o700)
    acct = collections.namedtuple("acct", "pw_name pw_uid pw_dir pw_shell")
    monkeypatch.setattr(collect_root.pwd, "getpwall", lambda: [acct("opsadmin", 1002, str(home), "/bin/bash")])
    out: dict = {"files": {}, "dirs": {}, "errors": {}, "size": 0}
    collect_root.keys(out, str(tmp_path / "no-sshd_config"))
    files = out["files"]
    assert files[f"{home}/.bashrc"]["data"] == "alias ll='ls -l'\n", files
    assert files[f"{home}/.profile"]["data"] == "# mine\n"
    assert files[f"{home}/.bash_login"]["link"] == str(tmp_path / "elsewhere")  # (a link: its lstat, not followed)
    assert "data" not in files[f"{home}/.bash_login"]


@pytest.mark.parametrize("odd", ["dir", "fifo", "unreadable"])
def test_one_logins_odd_entry_does_not_end_roots_read_of_the_others(odd, tmp_path, monkeypatch):
    """Class (one entry's error ends a root step over everyone's): root opened a name a login made a directory
    (``~/.bashrc``, ``~/.ssh/authorized_keys2``) and ``open(fd)`` raised outside the entry's ``try``: the key and
    startup files of every later login in /etc/passwd order went unread, a false failure any login could cause on
    purpose to blind the check for the others. Now whatever one entry is (a directory, a FIFO, an error reading
    it) is that entry's ``why``; the next login's files are read. The other member: root's ``lstat`` of what the
    processes name (``mapped``), a name gone between its two reads ended the walk of every later path."""
    first, later = tmp_path / "home" / "aaa", tmp_path / "home" / "zzz"
    for home in (first, later):
        (home / ".ssh").mkdir(parents=True)
    if odd == "dir":
        (first / ".bashrc").mkdir()
    elif odd == "fifo":
        os.mkfifo(first / ".bashrc")
    else:  # (an I/O error reading it: a bad block, a FUSE home)
        (first / ".bashrc").write_text("x\n")
        real = collect_root.os.fstat

        def fstat(fd):
            if os.readlink(f"/proc/self/fd/{fd}").endswith("/aaa/.bashrc"):
                raise OSError(5, "Input/output error")
            return real(fd)
        monkeypatch.setattr(collect_root.os, "fstat", fstat)
    (later / ".bashrc").write_text("alias ll='ls -l'\n")
    acct = collections.namedtuple("acct", "pw_name pw_uid pw_dir pw_shell")
    monkeypatch.setattr(collect_root.pwd, "getpwall", lambda: [acct("aaa", 1001, str(first), "/bin/bash"),
                                                              acct("zzz", 1002, str(later), "/bin/bash")])
    out: dict = {"files": {}, "dirs": {}, "errors": {}, "size": 0}
    collect_root.keys(out, str(tmp_path / "no-sshd_config"))
    assert out["errors"] == {}, out["errors"]
    assert out["files"][f"{later}/.bashrc"]["data"] == "alias ll='ls -l'\n"
    assert "data" not in out["files"][f"{first}/.bashrc"] and out["files"][f"{first}/.bashrc"]["why"]
    # the other member: a name gone between root's two looks at it ends only that name's walk
    (tmp_path / "kept").write_text("")
    gone = str(tmp_path / "gone")
    real_lstat, real_lexists = collect_root.os.lstat, collect_root.os.path.lexists

    def lstat(path, *args, **kwargs):
        if path == gone:
            raise FileNotFoundError(2, "No such file or directory")
        return real_lstat(path, *args, **kwargs)
    monkeypatch.setattr(collect_root.os, "lstat", lstat)
    monkeypatch.setattr(collect_root.os.path, "lexists", lambda p: p == gone or real_lexists(p))  # (there at first)
    mapped: dict = {"proc": {"7": {"exe": None, "maps": None, "environ": f"A={gone}\0B={tmp_path}/kept"}},
                    "errors": {}, "mapped": {}, "files": {}, "size": 0}
    collect_root.mapped(mapped)
    assert mapped["mapped"][gone] is None and mapped["mapped"][f"{tmp_path}/kept"], mapped["mapped"]


# what sshd 9.2 makes of an AuthorizedKeysFile word for the login ops (uid 1002, home /home/ops): ``~`` and ``~NAME``
# as it reads its configuration (``sshd -T`` prints them expanded: root's home, the named account's), then each
# login's tokens in one pass (``%%`` is a ``%``, never the start of another token); relative: the home's
SSHD_WORDS = [("/etc/ssh/keys/%u", "/etc/ssh/keys/ops"), ("/etc/ssh/keys/%%u", "/etc/ssh/keys/%u"),
              ("/etc/ssh/k/%%%u", "/etc/ssh/k/%ops"), ("/etc/ssh/%%h/%U", "/etc/ssh/%h/1002"),
              (".ssh/%u.keys", "/home/ops/.ssh/ops.keys"), ("%h/keys", "/home/ops/keys"),
              ("~/.ssh/shared_keys", "/root/.ssh/shared_keys"), ("~nobody/k2", "/nonexistent/k2")]


@pytest.mark.parametrize("word, path", SSHD_WORDS)
def test_an_authorized_keys_file_word_is_expanded_as_sshd_does_by_each_of_the_three_readers(word, path, tmp_path,
                                                                                          monkeypatch):
    """The root collector (which reads a second admin's key files), the login collector (their ``lstat``, and the
    runner's list of what root should have read) and the tree reader (the app user's) each expand the word as sshd
    does: a path one of them names differently is a key file root did not read, or one judged in the wrong place."""
    from deploytests.verify import collect_login, reader

    conf = f"AuthorizedKeysFile {word}\n"
    acct = collections.namedtuple("acct", "pw_name pw_uid pw_dir pw_shell")
    debian = {"root": acct("root", 0, "/root", "/bin/bash"), "nobody": acct("nobody", 65534, "/nonexistent",
                                                                           "/usr/sbin/nologin"),
              "ops": acct("ops", 1002, "/home/ops", "/bin/bash")}  # (Debian's accounts, whatever this runner's)
    monkeypatch.setattr(reader.pwd, "getpwnam", debian.__getitem__)  # (the one pwd module: expanduser's ~NAME too)
    monkeypatch.setattr(collect_root.pwd, "getpwall", lambda: [acct("ops", 1002, "/home/ops", "/bin/bash")])
    seen: list = []
    monkeypatch.setattr(collect_root, "read", lambda out, p, *a: seen.append(p))
    collect_root.keys({"files": {"/etc/ssh/sshd_config": {"data": conf}}, "dirs": {}, "errors": {}, "size": 0},
                      "/etc/ssh/sshd_config")
    assert path in seen, seen
    login = collect_login.key_files({"files": {"/etc/ssh/sshd_config": {"data": conf}}, "dirs": {}}, "ops", 1002,
                                    "/home/ops")
    assert login == [path]
    (tmp_path / "sshd_config").write_text(conf)
    monkeypatch.setattr(reader, "lstat_facts", lambda p: {"kind": "a regular file"})
    assert path in reader.app_keys("ops", str(tmp_path)), reader.app_keys("ops", str(tmp_path))


def test_an_empty_root_password_fails_and_a_service_account_without_shell_does_not(exp):
    found = outcome("cw_become", host(shadow={"root": ["empty", "20792", "0", "99999", "7", "", ""]}), exp)
    assert "- root: empty password field: with pam_unix's nullok (Debian's common-auth) any local user, the app " \
           "user too, su's to root without a password: root" in found, found
    assert outcome("cw_become", host(shadow={"www-data": ["empty", "20792", "", "", "", "", ""]}), exp) == "pass"
    deploy = outcome("cw_become", host(shadow={"appuser": ["empty", "20792", "", "", "", "", ""]}), exp)
    assert "- appuser: empty password field" in deploy  # another member: any account that runs commands


def test_a_second_uid0_account_a_gid0_login_and_a_hash_in_passwd_fail(exp):
    base = host()
    found = outcome("cw_become", host(files=passwd_with(base, "backdoor:x:0:0::/nonexistent:/bin/sh\n"
                                                        "ops:x:1002:0::/home/ops:/bin/bash\n"
                                                        "old:$6$salt$hash:1003:1003::/home/old:/bin/bash")), exp)
    assert "- backdoor (/etc/passwd): uid 0: root under another name: whoever logs in as it or su's to it " \
           "(password unknown, shell /bin/sh) is root" in found, found
    assert "- ops (/etc/passwd): primary group 0 (root's)" in found
    assert "- old: a password hash in /etc/passwd, which every user reads: it is cracked offline" in found
    assert "skip_rules = { cw_become = " in found
    empty = outcome("cw_become", host(files=passwd_with(base, "nopw::1004:1004::/home/nopw:")), exp)
    assert "- nopw: empty password field" in empty  # the passwd field itself empty, an empty shell is /bin/sh


@pytest.mark.parametrize("line, owner", [
    ("ops:x:1000:1000::/home/appuser:/bin/bash", "appuser"),  # blind12 p18 (shown: su ops, then sudo -n id: root)
    ("ops:x:999:999::/nonexistent:/bin/sh", "yourapplication"),  # another member: the app user under another name
    ("toor:x:0:0::/root:/bin/sh", "root")])  # the member the rule had: root under another name
def test_an_account_sharing_anothers_uid_is_that_account_under_another_name(exp, line, owner):
    """Class (blind12 p18): the rights of an account are its uid's, not its name's: a second name with the admin
    login's uid (useradd -o) and a password is the admin (its sudo: root) for whoever knows that password; a uid 0
    one was the only member the rule named."""
    base = host()
    passwd = base.raw.text("/etc/passwd")
    if owner == "yourapplication":
        passwd += "yourapplication:x:999:999::/var/www/yourapplication:/usr/sbin/nologin\n"
    found = outcome("cw_become", host(files={"/etc/passwd": passwd + line + "\n"},
                                      shadow={line.split(":")[0]: ["set", "20792", "0", "99999", "7", "", ""]}), exp)
    name, uid = line.split(":")[0], line.split(":")[2]
    assert f"- {name} (/etc/passwd): uid {uid}: {owner} under another name: whoever logs in as it or su's to it " \
           f"(password set, shell /bin/" in found and f"is {owner}" in found, found
    assert found.count(f"- {name} (/etc/passwd)") == 1, found


@pytest.mark.parametrize("conf, caught", [
    ("passwd:         files extrausers\ngroup:          files extrausers\nshadow:         files extrausers\n",
     ["passwd, group, shadow from extrausers too (lines 1, 2, 3)"]),  # blind12 p09 (shown: a login, admin's uid)
    ("passwd: files ldap\ngroup: files [NOTFOUND=return] sss\n", ["passwd from ldap too (line 1)",
                                                                   "group from sss too (line 2)"]),  # other members
    ("passwd:         files systemd\ngroup:          files systemd\nshadow:         files\nhosts: files dns mdns4\n"
     "netgroup:       nis\n", []),  # Debian's own (systemd's dynamic users; hosts and netgroup are no accounts)
    ("passwd: compat\n# group: files ldap\n", [])])
def test_accounts_from_a_source_beside_the_files_fail(exp, conf, caught):
    """Class (blind12 p09): every rule on accounts reads /etc/passwd, /etc/group and /etc/shadow; nsswitch.conf
    adding another source for them (extrausers' files the app's group writes, LDAP, sss) makes accounts the gate
    never sees: the app user made a login with the admin login's uid and its own password there."""
    found = outcome("cw_become", host(files={"/etc/nsswitch.conf": conf}), exp)
    if not caught:
        assert found == "pass", found
        return
    for item in caught:
        assert "/etc/nsswitch.conf:" in found and item + ", which the gate never reads" in found, found
    assert found.count("- /etc/nsswitch.conf:") == len(caught), found


def test_a_directory_client_s_sources_fail_in_one_line_naming_the_allowance_that_passes(exp):
    """Class (fails with no allowance to write): a directory client as Debian's libnss-sss and libsss-sudo install it
    (measured: sss added to passwd, group, shadow and sudoers) is ordinary tooling its owner trusts with accounts;
    the line said only "keep them to files". Other member: sudo's rules from that source (sudoers: sss) were not
    named at all (sudo takes a rule made there)."""
    conf = ("passwd:         files sss\ngroup:          files sss\nshadow:         files sss\ngshadow:        files\n"
            "hosts:          files dns\nservices:       db files sss\nnetgroup:       nis sss\nsudoers: files  sss\n"
            "automount:  sss\n")
    found = outcome("cw_become", host(files={"/etc/nsswitch.conf": conf}), exp)
    assert found.count("- /etc/nsswitch.conf:") == 1, found
    assert "- /etc/nsswitch.conf:1: passwd, group, shadow, sudoers from sss too (lines 1, 2, 3, 8)" in found, found
    assert 'allow it: allow_sudo = ["nsswitch: sss"] in targets.toml' in found, found
    assert outcome("cw_become", host(files={"/etc/nsswitch.conf": conf}),
                   dataclasses.replace(exp, allow=Allowances(sudo=("nsswitch: sss",)))) == "pass"
    # allowing one source allows no other: ldap's sudo rules still fail
    found = outcome("cw_become", host(files={"/etc/nsswitch.conf": conf + "sudoers: ldap\n"}),
                    dataclasses.replace(exp, allow=Allowances(sudo=("nsswitch: sss",))))
    assert "sudoers from ldap too (line 10)" in found and found.count("- /etc/nsswitch.conf:") == 1, found


def test_the_deploy_key_in_roots_authorized_keys_fails_while_sshd_takes_root_keys(exp):
    roots = f'from="10.0.0.0/8",no-pty {KEY} ci@runner\n{ADMIN} admin@laptop\n'
    conf = host().raw.text("/etc/ssh/sshd_config")
    keys = f"# the deploy login\n{KEY} ci@runner\n"
    allowed = host(files={"/root/.ssh/authorized_keys": (0o100600, 0, 0, roots),
                          "/etc/ssh/sshd_config": conf.replace("PermitRootLogin no", "PermitRootLogin "
                                                                                     "prohibit-password")}, keys=keys)
    found = outcome("cw_become", allowed, exp)
    assert "- /root/.ssh/authorized_keys:1: the key of ~appuser/.ssh/authorized_keys:2 logs in as root " \
           "(/etc/ssh/sshd_config:4: PermitRootLogin prohibit-password): whoever holds the deploy login's key (CI) " \
           "is root" in found, found
    # the admin's own key there is no longer the admin's business alone: whoever holds it is root, so it is
    # allowed in writing (by its fingerprint) or named; the deploy key itself stays a failure, whatever is allowed
    admin = fingerprint(ADMIN.split()[1])
    assert f"- root: 1 key beyond the one this gate logs in with: /root/.ssh/authorized_keys:2 ssh-ed25519 {admin} " \
           f"admin@laptop: whoever holds one logs in as root. If each is meant to be there, allow it: allow_keys = " \
           f"[\"root {admin}\"] in targets.toml" in found, found
    found = outcome("cw_become", allowed, dataclasses.replace(exp, allow=Allowances(keys=(f"root {admin}",))))
    assert "1 way to become root" in found, found
    unset = host(files={"/root/.ssh/authorized_keys2": (0o100600, 0, 0, KEY + "\n"),
                        "/etc/ssh/sshd_config": conf.replace("PermitRootLogin no\n", "")}, keys=keys)
    assert "(PermitRootLogin unset (prohibit-password))" in outcome("cw_become", unset, exp)
    match = host(files={"/root/.ssh/authorized_keys": (0o100600, 0, 0, roots), "/etc/ssh/sshd_config": conf +
                        "Match Address 10.0.0.0/8\n  PermitRootLogin forced-commands-only\n"}, keys=keys)
    assert "PermitRootLogin forced-commands-only" in outcome("cw_become", match, exp)
    off = host(files={"/root/.ssh/authorized_keys": (0o100600, 0, 0, roots)}, keys=keys)  # the image's 'no'
    assert outcome("cw_become", off, exp) == "pass"


def test_roots_keys_file_someone_else_writes_fails(exp):
    facts = host(files={"/root/.ssh/authorized_keys": (0o100664, 1001, 1001)})
    assert "- deployer owns or may write /root/.ssh/authorized_keys (0664): whoever writes it logs in as root" in \
        outcome("cw_become", facts, exp)
    facts = host(files={"/root/.ssh/authorized_keys": (0o120777, 0, 0)})
    facts.raw.files["/root/.ssh/authorized_keys"]["link"] = "/srv/keys/root"
    assert "- /root/.ssh/authorized_keys -> /srv/keys/root: a link root's collector does not follow" in \
        outcome("cw_become", facts, exp)


def test_key_blobs_ignore_options_and_comments():
    text = f'command="/bin/true",no-agent-forwarding {KEY} a b\n# {ADMIN}\n\nsk-ssh-ed25519@openssh.com ' \
           f'AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA== key\n'
    assert list(key_blobs(text)) == [KEY, "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA=="]


# ---------------------------------------------------------------- class 2: the deploy login stops logging in


def test_an_account_expiring_tomorrow_fails_and_one_in_two_months_passes(exp):
    t = today()
    found = outcome("cw_deploy_account", host(shadow={"appuser": ["none", str(t), "0", "99999", "7", "",
                                                                  str(t + 1)]}), exp)
    assert "- appuser: the account expires (shadow field 8; chage -E) on " in found and "(in 1 days): every " \
           "deploy and rollback will fail at login from then on (chage -l appuser)" in found, found
    late = host(shadow={"appuser": ["none", str(t), "0", "99999", "7", "", str(t + 60)]})
    assert outcome("cw_deploy_account", late, exp) == "pass"
    past = outcome("cw_deploy_account", host(shadow={"appuser": ["none", str(t), "0", "99999", "7", "",
                                                                 str(t - 3)]}), exp)
    assert "since " in past and "every deploy and rollback fail at login" in past


def test_password_aging_that_stops_the_login_fails(exp):
    t = today()
    aged = outcome("cw_deploy_account", host(shadow={"appuser": ["set", str(t - 80), "0", "90", "7", "", ""]}), exp)
    assert "its password expires (last change + maximum age" in aged and "(in 10 days)" in aged, aged
    forced = outcome("cw_deploy_account", host(shadow={"appuser": ["none", "0", "0", "99999", "7", "", ""]}), exp)
    assert "its password must be changed at the next login (shadow field 3 is 0; passwd -e)" in forced
    gate = outcome("cw_deploy_account", host(shadow={"admin": ["set", str(t - 400), "0", "365", "7", "10", ""]},
                                             files=passwd_with(host(), "admin:x:1005:1005::/home/admin:/bin/bash")),
                   exp)
    assert "- admin: the account is disabled, its password expired and the inactive days past" in gate
    assert "this gate and bootstrap fail at login" in gate
    admin = passwd_with(host(), "admin:x:1005:1005::/home/admin:/bin/bash")
    aging = ["set", str(t - 70), "0", "90", "7", "", ""]  # an admin's 90-day policy, 20 days left, warned at 7
    assert outcome("cw_deploy_account", host(shadow={"admin": aging}, files=admin), exp) == "pass"
    assert "(in 20 days)" in outcome("cw_deploy_account", host(shadow={"appuser": aging}), exp)  # the deploy login's
    soon = ["set", str(t - 85), "0", "90", "7", "", ""]
    assert "- admin: its password expires" in outcome("cw_deploy_account", host(shadow={"admin": soon}, files=admin),
                                                       exp)


def test_a_locked_deploy_login_fails_where_sshd_does_not_use_pam(exp):
    locked = {"appuser": ["locked", str(today()), "0", "99999", "7", "", ""]}
    found = outcome("cw_deploy_account", host(shadow=locked), exp)  # the image: UsePAM no
    assert "- appuser: locked (passwd -l: '!' in /etc/shadow) and sshd does not use PAM (UsePAM no)" in found
    conf = host().raw.text("/etc/ssh/sshd_config").replace("UsePAM no", "UsePAM yes")
    assert outcome("cw_deploy_account", host(shadow=locked, files={"/etc/ssh/sshd_config": conf}), exp) == "pass"


def test_accounts_read_passwd_and_the_hash_free_shadow():
    found = accounts("a:x:1:1::/:/bin/sh\nb::2:2::/:\nc:*:3:3::/:/usr/sbin/nologin\nd:x:4:4::/:/bin/sh\n",
                     [["a", "set", "100", "0", "90", "7", "5", "200"]])
    assert [(x.name, x.password, x.changed, x.max_days, x.inactive, x.expires) for x in found] == [
        ("a", "set", 100, 90, 5, 200), ("b", "empty", None, None, None, None), ("c", "none", None, None, None, None),
        ("d", "unknown", None, None, None, None)]
    assert [x.runs_commands for x in found] == [True, True, False, True]


# ---------------------------------------------------------------- class 3: the host's security baseline


def test_readable_password_hashes_and_host_keys_fail(exp):
    found = outcome("sec_secrets", host(files={"/etc/shadow": (0o100644, 0, 42),
                                               "/etc/gshadow-": (0o100660, 0, 42)}), exp)
    assert "- /etc/shadow (0644 root:shadow): every local user" in found and "- /etc/gshadow- (0660 " in found, found
    key = "/etc/ssh/ssh_host_ed25519_key"
    keyed = outcome("sec_secrets", host(files={key: (0o100640, 0, 1001)}), exp)
    assert f"- {key} (0640 root:deployer): whoever reads it (the app user too) impersonates this server" in keyed
    conf = host().raw.text("/etc/ssh/sshd_config") + "HostKey /etc/ssh/keys/host_rsa\n"
    other = outcome("sec_secrets", host(files={"/etc/ssh/sshd_config": conf, "/etc/ssh/keys/host_rsa":
                                               (0o100604, 0, 0)}), exp)
    assert "- /etc/ssh/keys/host_rsa (0604 root:root)" in other, other  # a key by any name sshd serves


@pytest.mark.parametrize("server", sorted(STOCK))
def test_who_reads_the_password_hashes_beyond_the_mode_bits_fails(server, exp):
    """Class: who may read the hashes, judged by the mode bits only (blind10 p06: 'setfacl -m u:nagios:r
    /etc/shadow' left it listing 0640 root:shadow). A named user's or group's ACL read grant (its mask permitting)
    fails; other members: an ACL group entry on a host key; a mask without read passes; the stock server passes.
    (p07, an account in group shadow, is cw_groups' line: any account in a group that reaches root.)"""
    import struct

    assert outcome("sec_secrets", host(server), exp) == "pass"
    uid = int(host(server).raw.text("/etc/passwd").splitlines()[1].split(":")[2])  # (daemon, in every passwd)

    def acl(*entries):  # version 2, then (tag, perm, id); ids of 0xFFFFFFFF for the unnamed
        return (b"\x02\x00\x00\x00" + b"".join(struct.pack("<HHI", *e) for e in entries)).hex()
    shadow = [(1, 6, -1 & 0xFFFFFFFF), (2, 4, uid), (4, 4, -1 & 0xFFFFFFFF), (0x10, 4, -1 & 0xFFFFFFFF),
              (0x20, 0, -1 & 0xFFFFFFFF)]
    facts = host(server, files={"/etc/shadow": (0o100640, 0, 42)})
    facts.raw.files["/etc/shadow"]["acl"] = acl(*shadow)
    found = outcome("sec_secrets", facts, exp)
    assert "- /etc/shadow (0640 root:shadow, ACL user:daemon:r: the mode bits do not show it): every local" in found
    shadow[3] = (0x10, 0, -1 & 0xFFFFFFFF)  # a mask that masks the read: the grant is void
    facts.raw.files["/etc/shadow"]["acl"] = acl(*shadow)
    assert outcome("sec_secrets", facts, exp) == "pass"
    key = "/etc/ssh/ssh_host_ed25519_key"
    facts = host(server, files={key: (0o100600, 0, 0)})
    facts.raw.files[key]["acl"] = acl((1, 6, 0xFFFFFFFF), (8, 4, 4), (4, 0, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
                                      (0x20, 0, 0xFFFFFFFF))
    assert f"- {key} (0600 root:root, ACL group:adm:r" in outcome("sec_secrets", facts, exp)


@pytest.mark.parametrize("server", sorted(STOCK))
def test_roots_home_open_to_others_fails_and_debians_0700_passes(server, exp):
    """Class 7 (blind5's d35, ``chmod -R go+rX /root``): root's home as Debian ships it (0700, the base-files
    default on 12 and 13) passes, one group bit of root's own group too; others let in fail, one line."""
    assert outcome("sec_secrets", host(server, files={"/root": (0o40700, 0, 0)}), exp) == "pass"
    assert outcome("sec_secrets", host(server, files={"/root": (0o40750, 0, 0)}), exp) == "pass"
    found = outcome("sec_secrets", host(server, files={"/root": (0o40755, 0, 0)}), exp)
    assert "- /root (0755 root:root): every local user (the app user too) lists root's home" in found, found
    assert outcome("sec_secrets", host(server, files={"/root": (0o40701, 0, 0)}), exp).startswith("fail")


def test_a_copy_of_the_config_others_may_read_fails_naming_it(exp):
    """Class 7 (d31: ``.configs`` o+rx and its copies o+r): the tree reader's copies of the config by content
    (whatever their name or place), each a line; none: pass."""
    facts = host()
    facts.remote["tree_inventory"] = {"config_copies": [{"path": "/var/www/app/shared/app.cfg.bak", "mode": "0644",
                                                         "owner": "appuser"}]}
    found = outcome("sec_secrets", facts, exp)
    assert "- /var/www/app/shared/app.cfg.bak (0644 appuser): the app's config or a kept one, by content" in found
    facts.remote["tree_inventory"]["config_copies"] = []
    assert outcome("sec_secrets", facts, exp) == "pass"


def test_apache_logs_open_to_others_fail(exp):
    found = outcome("sec_logs", host(files={"/var/log/apache2": (0o40755, 0, 4),
                                            "/var/log/apache2/access.log": (0o100644, 0, 4)}), exp)
    assert "- /var/log/apache2 (0755 root:adm) lets every local user in" in found and \
        "readable by others: /var/log/apache2/access.log" in found, found
    assert outcome("sec_logs", host(files={"/var/log/apache2": (0o40751, 0, 4)}), exp).startswith("fail")


@pytest.mark.parametrize("line,program", [
    ("kernel.core_pattern=|/tmp/core %p", "/tmp/core"),  # the kernel runs it as root at every crash
    ("kernel.modprobe = /tmp/modprobe", "/tmp/modprobe"),  # at every module the kernel asks for
    ("kernel.hotplug = /var/tmp/hook", "/var/tmp/hook"),  # (one into the app's tree is root's mentions' line)
])
def test_a_kernel_setting_naming_a_program_others_may_change_fails(exp, line, program):
    """Class: a kernel setting boot applies that names a program the kernel runs as root (core_pattern's pipe,
    modprobe, hotplug, poweroff_cmd): judged only for lowered security values, so a pipe to /tmp/core passed on a
    server booted with systemd. Now its program is judged as a root job's is: the app's tree or someone but root
    may change it. A package's (systemd-coredump's) passes."""
    theirs = {p: (0o100755, 1000, 1000, "#!/bin/sh\n") for p in ("/tmp/core", "/tmp/modprobe", "/var/tmp/hook")}
    found = outcome("sec_sysctl", host(files={"/etc/sysctl.d/99-core.conf": line + "\n", **theirs}), exp)
    assert "- /etc/sysctl.d/99-core.conf:1: " in found and "the kernel runs" in found and program in found, found
    stock = "kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n"
    assert outcome("sec_sysctl", host(files={"/etc/sysctl.d/99-core.conf": stock}), exp) == "pass"


def test_sysctls_lowered_on_disk_fail_in_boots_order(exp):
    perf = "# tuning guide\nkernel.randomize_va_space = 0\nfs/suid_dumpable=2\n-fs.protected_symlinks = 0\n"
    found = outcome("sec_sysctl", host(files={"/etc/sysctl.d/99-perf.conf": perf}), exp)
    assert "- /etc/sysctl.d/99-perf.conf:2: kernel.randomize_va_space = 0 (secure: 2): address space layout " \
           "randomisation weakened" in found, found
    assert "/etc/sysctl.d/99-perf.conf:3: fs.suid_dumpable = 2 (secure: 0)" in found
    assert "protected_symlinks" not in found  # procps' 99-protect-links.conf sorts after 99-perf.conf: it wins
    coredump = {"/usr/lib/sysctl.d/50-coredump.conf": "kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u "
                "%g %s %t %c %h\nkernel.core_pipe_limit=16\nfs.suid_dumpable=2\n"}  # the systemd-coredump package's
    assert outcome("sec_sysctl", host("debian13-plain", files=coredump), exp) == "pass"
    coredump["/etc/sysctl.d/99-local.conf"] = "kernel.core_pattern = core\n"  # dumps land in the cwd again
    assert "50-coredump.conf:3: fs.suid_dumpable = 2" in outcome("sec_sysctl", host("debian13-plain", files=coredump),
                                                                exp)
    later = host(files={"/etc/sysctl.d/10-perf.conf": perf, "/etc/sysctl.d/20-fix.conf":
                        "kernel.randomize_va_space=2\nfs.suid_dumpable=0\nfs.protected_symlinks=1\n"})
    assert outcome("sec_sysctl", later, exp) == "pass"  # the last value wins, as at boot
    hiding = {"/etc/sysctl.d/99-protect-links.conf": "fs.protected_regular = 0\n"}  # hides procps' file by name
    plain = outcome("sec_sysctl", host("debian12-plain", files=hiding), exp)
    assert "/etc/sysctl.d/99-protect-links.conf:1: fs.protected_regular = 0" in plain, plain
    conf = outcome("sec_sysctl", host(files={"/etc/sysctl.conf": "kernel.dmesg_restrict=0\nkernel.yama.ptrace_scope"
                                                                 " = 0\n"}), exp)
    assert "/etc/sysctl.conf:1: kernel.dmesg_restrict = 0" in conf and "/etc/sysctl.conf:2: kernel.yama." in conf
    loose = outcome("sec_sysctl", host(files={"/etc/sysctl.d/local.conf": (0o100664, 0, 1001)}), exp)
    assert "/etc/sysctl.d/local.conf: not read (None): boot applies it" in loose or "local.conf: not read" in loose


@pytest.mark.parametrize("text, caught", [
    ("# docker\nnet.ipv4.ip_forward=1\n", "net.ipv4.ip_forward = 1 (secure: 0)"),  # blind: left from a removed Docker
    ("net.ipv4.ip_unprivileged_port_start=0\n", "ip_unprivileged_port_start = 0 (secure: 1024)"),  # blind
    ("kernel.perf_event_paranoid = -1\n", "perf_event_paranoid = -1 (secure: 2)"),  # other members (after)
    ("net.ipv4.conf.all.accept_source_route=1\n", "accept_source_route = 1 (secure: 0)"),
    ("vm.unprivileged_userfaultfd = 1\n", "unprivileged_userfaultfd = 1 (secure: 0)"),  # a blind set's fault
    ("net.ipv6.conf.all.accept_source_route=1\n", "ipv6.conf.all.accept_source_route = 1 (secure: 0)"),  # (after)
    ("vm.unprivileged_userfaultfd = 0\nvm.mmap_min_addr = 65536\n", None),  # (DevSec's values: stricter)
    ("net.ipv4.ip_forward=0\nnet.core.somaxconn=1024\nvm.swappiness=10\n", None)])  # tuning and hardening pass
def test_network_and_process_sysctls_set_weaker_than_the_kernel_ships_fail(exp, text, caught):
    """Class (blind faults): the kernel settings judged were a list of memory and file-system guards; the network
    and process half of the same baselines (forwarding, source routing, unprivileged ports, perf) passed, set
    weaker than the kernel ships them."""
    found = outcome("sec_sysctl", host(files={"/etc/sysctl.d/60-local.conf": text}), exp)
    assert (found == "pass") if caught is None else caught in found, found


def test_sysctl_files_hide_by_name_and_end_with_sysctl_conf():
    dirs = {"/etc/sysctl.d": ["50-default.conf", "README.sysctl", "99-x.conf"],
            "/usr/lib/sysctl.d": ["50-default.conf", "10-a.conf"]}
    files = sysctl_files(dirs)
    assert files == ["/usr/lib/sysctl.d/10-a.conf", "/etc/sysctl.d/50-default.conf", "/etc/sysctl.d/99-x.conf",
                     "/etc/sysctl.conf"]
    assert sysctl_settings(files, {"/etc/sysctl.d/99-x.conf": "a.b = 1\n; c = 2\n"}) == {
        "a.b": ("1", "/etc/sysctl.d/99-x.conf:1")}


def test_temp_dirs_without_the_sticky_bit_fail(exp):
    found = outcome("sec_sticky", host(files={"/tmp": (0o40777, 0, 0), "/var/tmp": (0o41777, 1001, 0)}), exp)
    assert "- /tmp (0777 root:root): any user, the app user too, removes or replaces any other user's files" in found
    assert "- /var/tmp (1777 deployer:root)" in found, found
    assert outcome("sec_sticky", host(files={"/dev/shm": (0o40755, 0, 0)}), exp) == "pass"  # not world-writable


def test_a_stock_guard_module_gone_or_switched_off_fails_and_other_stock_modules_may_go(exp):
    from stock import with_stock_logins
    from test_closed_world import add_apache_text, clean_facts

    facts = clean_facts()
    modules = facts.remote["configtest"]["modules"]
    assert "reqtimeout_module" in modules
    modules.remove("reqtimeout_module")
    found = outcome("sec_guards", facts, exp)
    assert "- reqtimeout_module: a stock module of the stack that guards the server is not loaded (a2dismod?): a " \
           "handful of clients sending their requests slowly (Slowloris) hold every worker" in found, found
    facts = clean_facts()
    facts.remote["configtest"]["modules"].remove("autoindex_module")
    assert outcome("sec_guards", facts, exp) == "pass"  # a hardened server drops autoindex: no guard
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/uploads.conf", "# uploads were cut off\n<IfModule "
                    "reqtimeout_module>\n  RequestReadTimeout header=20-40,MinRate=500 body=0\n</IfModule>\n")
    off = outcome("sec_guards", facts, exp)
    assert "- /etc/apache2/conf-enabled/uploads.conf:3: requestreadtimeout header=20-40,MinRate=500 body=0: " \
           "switches reqtimeout_module off" in off, off
    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/uploads.conf", "RequestReadTimeout body=10-60,MinRate=100\n")
    assert outcome("sec_guards", facts, exp) == "pass"  # changed, not switched off
    assert outcome("sec_guards", with_stock_logins(clean_facts()), exp) == "pass"


def test_apaches_user_in_a_group_that_reaches_root_fails(exp):
    """Class 1, another member: not the app's or the deploy login's groups (checked before) but Apache's workers'."""
    from stock import with_stock_logins
    from test_closed_world import clean_facts

    facts = with_stock_logins(clean_facts())
    group = facts.raw.files["/etc/group"]["data"]
    facts.raw.files["/etc/group"]["data"] = group.replace("\ndisk:x:6:", "\ndisk:x:6:www-data")
    facts.raw.users = parse.Users(facts.raw.text("/etc/passwd"), facts.raw.text("/etc/group"))
    found = outcome("cw_groups", facts, exp)
    assert "www-data (the apache user) is in group disk: reads and writes the raw disks (every file)" in found, found
    assert outcome("cw_groups", with_stock_logins(clean_facts()), exp) == "pass"


def test_the_deploy_key_in_the_gates_logins_keys_fails_when_that_login_has_sudo(exp):
    """Class 1, another member: not root's keys but the admin's (who has sudo): the deploy key logs in as it."""
    keys = f"{KEY} ci@runner\n"
    facts = host(keys=keys, login="admin")
    facts.raw.raw["own_keys"] = {"/home/admin/.ssh/authorized_keys": f"{ADMIN} me\n{KEY} ci@runner\n"}
    found = outcome("cw_become", facts, exp)
    assert "- /home/admin/.ssh/authorized_keys:2: the key of ~appuser/.ssh/authorized_keys:1 logs in as admin, who " \
           "becomes root (sudo): whoever holds the deploy login's key (CI) is root" in found, found
    same = host(keys=keys, login="appuser")  # the deploy login is the gate's login: its own key, no escalation
    same.raw.raw["own_keys"] = {"/home/appuser/.ssh/authorized_keys": keys}
    assert outcome("cw_become", same, exp) == "pass"


def test_key_lines_are_read_as_sshd_reads_them_and_fingerprinted_as_ssh_keygen_does():
    text = (f'# old\n\nfrom="10.0.0.0/8",command="/usr/bin/rrsync -ro /x" {ADMIN} bob@laptop\n'
            f'cert-authority,principals="ops" {KEY}\n{KEY} ci runner\n')
    assert key_entries(text) == [
        ("3", 'from="10.0.0.0/8",command="/usr/bin/rrsync -ro /x"', "ssh-ed25519", ADMIN.split()[1], "bob@laptop"),
        ("4", 'cert-authority,principals="ops"', "ssh-ed25519", KEY.split()[1], ""),
        ("5", "", "ssh-ed25519", KEY.split()[1], "ci runner")]
    assert key_blobs(text) == {ADMIN: "3", KEY: "4"}
    # ssh-keygen -lf of the RFC 8709 test key's public half
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
    assert fingerprint(blob) == "SHA256:" + __import__("base64").b64encode(
        __import__("hashlib").sha256(__import__("base64").b64decode(blob)).digest()).decode().rstrip("=")
    assert fingerprint("not base64!") == "?"


def test_a_key_no_one_allowed_that_opens_the_deploy_or_an_admins_login_fails_one_line_per_login(exp):
    """Class: a grant the gate counted by its holder (who may log in) but not by its key (who holds the
    credential): a former colleague's key left in the deploy login's authorized_keys (it has sudo) passed. Deny by
    default: every key that opens the deploy login, the gate's login (sudo) or root is the one the gate logged in
    with, or allowed in writing by login and fingerprint; its options are shown."""
    old = fingerprint(ADMIN.split()[1])
    facts = host(keys=f"{KEY} ci@runner\nfrom=\"10.9.0.0/16\" {ADMIN} bob@old-laptop\n", login="admin")
    named = "/etc/ssh/authorized_keys/admin"  # (an AuthorizedKeysFile the admin's own collector read)
    ca = "AAAAC3NzaC1lZDI1NTE5AAAAIHbgyphj4yWkWu90L2rPPKwFt+aV9vbO8rpaiH3ZujFm"
    facts.raw.raw["own_keys"] = {named: f"cert-authority ssh-ed25519 {ca} ops-ca\n",
                                 "/home/admin/.ssh/authorized_keys2": None}
    found = outcome("cw_become", facts, exp)
    assert "- appuser: 1 key beyond the one this gate logs in with: ~appuser/.ssh/authorized_keys:2 ssh-ed25519 " \
           f'{old} bob@old-laptop [from="10.9.0.0/16"]: whoever holds one logs in as appuser, who deploys the ' \
           f"app's code" in found and f'allow_keys = ["appuser {old}"] in targets.toml' in found, found
    assert f"- admin: 1 key beyond the one this gate logs in with: {named}:1 ssh-ed25519 {fingerprint(ca)} ops-ca " \
           "[cert-authority]: whoever holds one logs in as admin, the gate's login, who becomes root (sudo)" in found
    # its second file there but not read (a link, past the bound): what opens the gate's login is not known
    assert "- admin: /home/admin/.ssh/authorized_keys2: not read by the gate (not looked at), and sshd reads it " \
           "at every key login of admin" in found and "3 ways to become root" in found, found
    allowed = dataclasses.replace(exp, allow=Allowances(keys=(f"appuser {old}", f"admin {old}")))
    assert outcome("cw_become", host(keys=f"{KEY} ci\n{ADMIN} bob\n"), allowed) == "pass"
    assert outcome("cw_become", host(keys=f"{KEY} ci@runner\n"), exp) == "pass"  # the gate's own key alone


def test_the_gate_logins_own_key_file_it_could_not_read_is_judged_from_roots_read(exp):
    """The gate's login reads its own key files; one it could not (a link, past the bound: None) but root's
    collector read (bytes, no link followed on the way) is judged from root's bytes, not called unread."""
    facts = host(keys=f"{KEY} ci@runner\n", login="admin")
    path = "/home/admin/.ssh/authorized_keys2"
    facts.raw.raw["own_keys"] = {path: None}
    facts.raw.files[path] = {"st": [0o100600, 1001, 1001, 99, 0, 0], "data": f"{ADMIN} bob@old-laptop\n"}
    found = outcome("cw_become", facts, exp)
    assert f"- admin: 1 key beyond the one this gate logs in with: {path}:1 ssh-ed25519 " in found, found
    assert "not read by the gate" not in found, found


def test_a_key_no_one_allowed_in_another_root_capable_logins_files_fails_read_by_root(exp):
    """Class: the keys that open a login which may become root, read only where the gate's own rights reach: a
    second admin's ``authorized_keys`` (0600 in its home) and what ``AuthorizedKeysFile`` names for root
    (``/etc/ssh/keys/root``) were never read, so a key added there passed (the drift section said "not known").
    The root collector reads them (``collect_root.keys``: bytes only) and the runner judges them as the deploy
    login's are: the gate's own key passes, any other needs ``allow_keys``; a file there but not read is said."""
    def with_ops(facts, text, named=""):
        files = facts.raw.files
        files["/etc/passwd"]["data"] += "ops:x:1002:1002::/home/ops:/bin/bash\n"
        files["/etc/group"]["data"] = files["/etc/group"]["data"].replace("\nsudo:x:27:", "\nsudo:x:27:ops")
        files["/home/ops/.ssh/authorized_keys"] = {"st": [0o100600, 1002, 1002, len(text), 0, 0], "data": text}
        files["/home/ops/.ssh/authorized_keys2"] = {"why": os.strerror(2)}
        if named:
            files["/etc/ssh/sshd_config"]["data"] = "AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/keys/%u\n" \
                "PermitRootLogin prohibit-password\n" + files["/etc/ssh/sshd_config"]["data"]
            files["/etc/ssh/keys/root"] = {"st": [0o100600, 0, 0, len(named), 0, 0], "data": named}
            files["/etc/ssh/keys/ops"] = {"st": [0o100600, 0, 0, 0, 0, 0], "why": "Too many levels of symbolic links"}
        facts.raw.users = parse.Users(facts.raw.text("/etc/passwd"), facts.raw.text("/etc/group"))
        return facts

    old = fingerprint(ADMIN.split()[1])
    assert outcome("cw_become", with_ops(host(keys=f"{KEY} ci\n"), f"{KEY} ci@runner\n"), exp) == "pass"
    facts = with_ops(host(keys=f"{KEY} ci\n"), f"{KEY} ci@runner\n{ADMIN} bob@old-laptop\n")
    found = outcome("cw_become", facts, exp)
    assert f"- ops: 1 key beyond the one this gate logs in with: /home/ops/.ssh/authorized_keys:2 ssh-ed25519 {old} " \
           "bob@old-laptop: whoever holds one logs in as ops, who becomes root (sudo: its group sudo). If each is " \
           f'meant to be there, allow it: allow_keys = ["ops {old}"] in targets.toml' in found, found
    assert not any(n.startswith("ops (") for n in facts.notes), facts.notes  # (read: no longer "not known")
    allowed = dataclasses.replace(exp, allow=Allowances(keys=(f"ops {old}",)))
    assert outcome("cw_become", with_ops(host(keys=f"{KEY} ci\n"), f"{ADMIN} bob\n"), allowed) == "pass"
    # another member: a key in the file AuthorizedKeysFile names for root, where sshd takes root keys
    facts = with_ops(host(keys=f"{KEY} ci\n"), f"{KEY} ci\n", named=f"{ADMIN} bob@old-laptop\n")
    found = outcome("cw_become", facts, exp)
    assert f"- root: 1 key beyond the one this gate logs in with: /etc/ssh/keys/root:1 ssh-ed25519 {old} " \
           f"bob@old-laptop: whoever holds one logs in as root." in found, found
    assert "- ops: /etc/ssh/keys/ops: not read by the gate (Too many levels of symbolic links), and sshd reads it " \
           "at every key login of ops" in found, found  # (a link on its way: see the test below)


# a second admin's key file the gate could not read, as the root collector records it (``read``: its lstat, why):
# (case, its entry, what the gate says: a failure naming the allowance, or nothing: sshd takes nothing from it)
UNREAD_KEY_FILES = [
    ("a link on its way (~/.ssh a link)", {"st": [0o100600, 1002, 1002, 99, 0, 0], "why": os.strerror(40)}, "fails"),
    ("the file itself a link", {"st": [0o120777, 1002, 1002, 20, 0, 0], "link": "/srv/keys/ops",
                                "why": os.strerror(40)}, "fails"),
    ("a hard link (a second name)", {"st": [0o100600, 1002, 1002, 99, 0, 0],
                                     "why": "not a regular file with one name: not read"}, "fails"),
    ("past the bound", {"st": [0o100600, 1002, 1002, 1 << 20, 0, 0],
                        "why": "larger than the 65536 bytes it may send: not read"}, "fails"),
    ("not looked at (no entry)", None, "fails"),
    ("a FIFO (sshd refuses a file not regular)", {"st": [0o10600, 1002, 1002, 0, 0, 0],
                                                  "why": "not a regular file with one name: not read"}, "passes"),
    ("no ~/.ssh at all", {"why": os.strerror(2)}, "passes"),
    ("~/.ssh a plain file (ENOTDIR)", {"why": os.strerror(20)}, "passes"),
]


@pytest.mark.parametrize("case, entry, verdict", UNREAD_KEY_FILES, ids=[c[0] for c in UNREAD_KEY_FILES])
def test_a_key_file_of_a_root_capable_login_the_gate_could_not_read_fails_unless_allowed(case, entry, verdict, exp):
    """Deny by default: a key file sshd reads for a login that may become root (a second admin, in group sudo),
    which root's collector did not read (a link on its way or the file a link: root follows none, sshd does; a
    second name; past the bound; not looked at), grants root to keys no one can account for: one line naming the
    login, the file and why, and ``allow_keys = ["LOGIN PATH"]``; allowed, a drift note. A file sshd takes nothing
    from (absent, a FIFO, a name on its way not a directory) is no finding."""
    facts = host(keys=f"{KEY} ci\n")
    files = facts.raw.files
    files["/etc/passwd"]["data"] += "ops:x:1002:1002::/home/ops:/bin/bash\n"
    files["/etc/group"]["data"] = files["/etc/group"]["data"].replace("\nsudo:x:27:", "\nsudo:x:27:ops")
    files["/home/ops/.ssh/authorized_keys2"] = {"why": os.strerror(2)}
    if entry is not None:
        files["/home/ops/.ssh/authorized_keys"] = copy.deepcopy(entry)
    facts.raw.users = parse.Users(facts.raw.text("/etc/passwd"), facts.raw.text("/etc/group"))
    found = outcome("cw_become", facts, exp)
    if verdict == "passes":
        assert found == "pass", found
        return
    assert "- ops: /home/ops/.ssh/authorized_keys: not read by the gate (" in found, found
    assert "whoever holds one logs in as ops, who becomes root (sudo: its group sudo)" in found, found
    assert 'allow it: allow_keys = ["ops /home/ops/.ssh/authorized_keys"] in targets.toml' in found, found
    assert found.count("\n  - ") + found.count("\n- ") == 1, repr(found)  # (one cause, one line)
    allowed = dataclasses.replace(exp, allow=Allowances(keys=("ops /home/ops/.ssh/authorized_keys",)))
    facts = copy.deepcopy(facts)
    facts.notes.clear()
    assert outcome("cw_become", facts, allowed) == "pass"
    assert any(n.startswith("/home/ops/.ssh/authorized_keys: not read (") for n in facts.notes), facts.notes


def test_a_log_apache_writes_elsewhere_that_others_read_fails(exp):
    """sec_logs, another member: not the log directory opened but a log written where everyone reads it (a vhost's
    CustomLog under the web root is downloadable too). The login collector lstats what root's files name."""
    from stock import with_stock_logins
    from test_closed_world import add_apache_text, clean_facts

    facts = clean_facts()
    add_apache_text(facts, "/etc/apache2/conf-enabled/stats.conf", 'CustomLog "/var/www/html/stats.log" combined\n'
                    "ErrorLog ${APACHE_LOG_DIR}/stats-error.log\nCustomLog \"|/usr/bin/rotatelogs x 86400\" common\n")
    facts = with_stock_logins(facts)
    for path, mode in (("/var", 0o40755), ("/var/www", 0o40755), ("/var/www/html", 0o40755),
                       ("/var/www/html/stats.log", 0o100644)):
        facts.raw.files[path] = {"st": [mode, 0, 0, 0, 0, 0]}
    facts.raw.files["/"] = {"st": [0o40755, 0, 0, 0, 0, 0]}
    found = outcome("sec_logs", facts, exp)
    assert "- /var/www/html/stats.log (0644, /etc/apache2/conf-enabled/stats.conf:1: customlog): every local user " \
           "reads it" in found, found
    assert "stats-error" not in found and "rotatelogs" not in found
    facts.raw.files["/var/www/html"]["st"][0] = 0o40750  # others cannot reach it
    assert outcome("sec_logs", facts, exp) == "pass"


@pytest.mark.parametrize("shell", ["/bin/bash", "/bin/sh"])
def test_apaches_user_with_a_login_shell_fails(exp, shell):
    """blind7's e21: www-data given a shell and the deploy key in /var/www/.ssh (0700 www-data: the gate's login
    cannot read it). Debian ships Apache's user with /usr/sbin/nologin; a login shell is the door a key or a
    password opens, so the shell is the finding, whatever key file the gate cannot see."""
    from stock import with_stock_logins
    from test_closed_world import clean_facts

    facts = with_stock_logins(clean_facts())
    assert outcome("cw_app_login", facts, exp) == "pass"
    passwd = facts.raw.files["/etc/passwd"]
    stock = "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin"
    assert stock in passwd["data"]
    passwd["data"] = passwd["data"].replace(stock, f"www-data:x:33:33:www-data:/var/www:{shell}")
    facts.raw.users = parse.Users(facts.raw.text("/etc/passwd"), facts.raw.text("/etc/group"))
    found = outcome("cw_app_login", facts, exp)
    assert found.startswith(f"fail: Apache's user www-data has a login shell ({shell}; Debian's is "
                            "/usr/sbin/nologin)"), found


# ---------------------------------------------------------------- logins without the user's key (blind round 8)


@pytest.mark.parametrize("conf_change", [
    # a cloud-init drop-in through Debian's Include (the blind fault), and the other member of the class:
    # keyboard-interactive through PAM (pam_unix asks the same password)
    ("PasswordAuthentication no", "PasswordAuthentication yes"),
    ("KbdInteractiveAuthentication no\n", "KbdInteractiveAuthentication yes\n"),
])
def test_a_password_that_logs_in_as_the_deploy_login_fails(exp, conf_change):
    conf = host().raw.text("/etc/ssh/sshd_config").replace(*conf_change).replace("UsePAM no", "UsePAM yes")
    with_password = {"appuser": ["set", str(today()), "0", "99999", "7", "", ""]}
    found = outcome("cw_become", host(shadow=with_password, files={"/etc/ssh/sshd_config": conf}), exp)
    key = conf_change[1].split()[0].lower()
    assert f"- appuser: a password in /etc/shadow, and sshd takes it for a login: {key} yes (/etc/ssh/sshd_config:" \
           in found and "the deploy login: it changes every release" in found
    # the same password where sshd takes keys only, or where every login needs a key first, passes
    assert outcome("cw_become", host(shadow=with_password), exp) == "pass"
    first = conf.replace("Port 22", "Port 22\nAuthenticationMethods publickey,password")
    assert outcome("cw_become", host(shadow=with_password, files={"/etc/ssh/sshd_config": first}), exp) == "pass"


def test_host_based_logins_fail(exp):
    conf = host().raw.text("/etc/ssh/sshd_config")
    found = outcome("cw_sshd", host(files={"/etc/ssh/sshd_config": "HostbasedAuthentication yes\nIgnoreRhosts no\n"
                                           + conf}), exp)
    assert "- /etc/ssh/sshd_config:1: hostbasedauthentication yes: a login needs no key of its own" in found


@pytest.fixture
def open_tmp():
    """A directory under /tmp others may enter (pytest's own open_tmp sits in a 0700 directory)."""
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp(dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_a_copy_of_the_config_left_outside_the_tree_is_found_by_content(open_tmp):
    """blind8's h16: 'cp shared/application.cfg /tmp/application.cfg.20261205' by root during an incident, 0644:
    every local user read SECRET_KEY (shown as nobody). The tree reader searches the places copies are left
    (/tmp, /var/tmp, /dev/shm, /var/backups, /srv, /home, /opt) as it searches the tree: by size, then sha256;
    another member: a hand backup in a home two levels down. A file of another content, or one others may not
    read, is no copy."""
    from deploytests.verify import reader

    root = open_tmp / "var" / "www" / "app"
    (root / "shared").mkdir(parents=True)
    config = root / "shared" / "application.cfg"
    config.write_text('SECRET_KEY = "s3cr3t"\n')
    scratch, home = open_tmp / "tmp", open_tmp / "home" / "admin" / "old"
    scratch.mkdir()
    home.mkdir(parents=True)
    for d in (open_tmp, open_tmp / "home", open_tmp / "home" / "admin", home, scratch):
        d.chmod(0o755)
    (scratch / "application.cfg.20261205").write_text(config.read_text())
    (scratch / "application.cfg.20261205").chmod(0o644)
    (home / "app.cfg.bak").write_text(config.read_text())
    (home / "app.cfg.bak").chmod(0o644)
    (scratch / "other.cfg").write_text('SECRET_KEY = "other"\n')  # same size, other content
    (scratch / "private.cfg").write_text(config.read_text())
    (scratch / "private.cfg").chmod(0o600)
    found = reader.left_around((str(scratch), str(open_tmp / "home")))
    copies = {c["path"] for c in reader.config_copies(str(root), str(config), found)}
    assert copies == {str(scratch / "application.cfg.20261205"), str(home / "app.cfg.bak")}, copies


def test_a_copy_beside_the_apps_tree_or_in_a_local_admins_place_is_found(open_tmp, monkeypatch):
    """Class (a blind fault): a copy of the config left readable by others where the search did not look. The places
    were a list of scratch dirs; 'cp shared/app.cfg /var/www/app.cfg.bak' (0644, beside the app's tree) and a
    sibling 'cp -a' of the whole tree passed. The directory holding the tree is searched (the tree itself left
    out: walked already) and so are the FHS's local-admin places (another member: /var/local)."""
    from deploytests.verify import reader

    www = open_tmp / "var" / "www"
    root = www / "app"
    (root / "shared").mkdir(parents=True)
    for d in (open_tmp / "var", www, root):
        d.chmod(0o755)
    config = root / "shared" / "application.cfg"
    config.write_text('SECRET_KEY = "s3cr3t"\n')
    config.chmod(0o640)
    backup = www / "app.cfg.bak"
    backup.write_text(config.read_text())
    backup.chmod(0o644)
    monkeypatch.setattr(reader, "LEFT_COPIES", ())  # (not the runner's own /tmp and /home)
    found = reader.tree_inventory(str(root), config_path=str(config))["config_copies"]
    assert [c["path"] for c in found] == [str(backup)], found
    assert {"/var/local", "/var/opt", "/usr/local", "/mnt", "/media"} <= set(reader.left_around.__defaults__[0])


@pytest.mark.parametrize("place", [
    "etc",  # a blind fault: 'cp application.cfg /etc/app.cfg.orig' (0644): /etc was not searched
    "var/lib/app-backup",  # another member: /var's places beyond its listed few
    "var/cache"])
def test_a_copy_kept_beside_root_configs_or_under_var_is_found(open_tmp, monkeypatch, place):
    from deploytests.verify import reader

    root = open_tmp / "var" / "www" / "app"
    (root / "shared").mkdir(parents=True)
    config = root / "shared" / "application.cfg"
    config.write_text('SECRET_KEY = "s3cr3t"\n')
    config.chmod(0o640)
    where = open_tmp / place
    where.mkdir(parents=True, exist_ok=True)
    for d in [open_tmp / p for p in ("var", "var/www", "var/www/app", "etc", "var/lib", "var/cache", place)]:
        if d.exists():
            d.chmod(0o755)
    copy = where / "app.cfg.orig"
    copy.write_text(config.read_text())
    copy.chmod(0o644)
    bases = tuple(str(open_tmp / b.lstrip("/")) for b in reader.LEFT_COPIES if b in ("/etc", "/var"))
    monkeypatch.setattr(reader, "LEFT_COPIES", bases)
    assert len(bases) == 2, "/etc and /var are searched"
    found = reader.tree_inventory(str(root), config_path=str(config))["config_copies"]
    assert [c["path"] for c in found] == [str(copy)], found


@pytest.mark.parametrize("place, content, what", [
    # a blind set's faults: a secret value of the config in a root script in /usr/local/sbin (0755), the private
    # key of the app's client certificate under /usr/local/share (0644): only whole copies were searched for, and
    # private keys only under /etc
    ("usr/local/sbin/app-export", '#!/bin/sh\nexport APP_TOKEN=s3cr3t-value-1\n', "secret"),
    ("usr/local/share/app-mtls/client.key", "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 64 + "\n", "key"),
    # the other members, written after reading the gate: the database password in a DSN of an env file under /opt,
    # an OpenSSH key under /srv
    ("opt/report/.env", "DATABASE_URL=postgresql://app:hunter2-db-pw@db/app\n", "secret"),
    ("srv/backup/id_backup", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3Blbn" * 11 + "\n", "key")])
def test_secret_material_others_may_read_where_copies_are_left_is_found(open_tmp, monkeypatch, place, content, what):
    """Class: secret material others may read in the places copies are left, not only whole copies of the
    config: a value of the config under a secret-looking key, or a private key's block, in any file there the tree
    reader reads; the value never leaves the server. A file without either, or one others may not read, is no
    finding."""
    from deploytests.verify import reader

    root = open_tmp / "var" / "www" / "app"
    (root / "shared").mkdir(parents=True)
    config = root / "shared" / "application.cfg"
    config.write_text('SECRET_KEY = "s3cr3t-value-1"\nDATABASE_URL = "postgresql://app:hunter2-db-pw@db/app"\n'
                      'DATA_DIR = "data-files-here"\n')
    config.chmod(0o640)
    top = open_tmp / ("usr/local" if place.startswith("usr/") else place.split("/")[0])  # (the real bases)
    leak = open_tmp / place
    leak.parent.mkdir(parents=True, exist_ok=True)
    for d in [open_tmp / "var", open_tmp / "var" / "www", root] + [leak.parent, *leak.parent.parents]:
        if str(d).startswith(str(open_tmp)) and d.exists():
            d.chmod(0o755)
    leak.write_text(content)
    leak.chmod(0o644)
    (leak.parent / "notes.txt").write_text("DATA_DIR = data-files-here\n")  # (no secret: a plain value)
    (leak.parent / "notes.txt").chmod(0o644)
    (leak.parent / "private").write_text(content)
    (leak.parent / "private").chmod(0o600)
    monkeypatch.setattr(reader, "LEFT_COPIES", (str(top),))
    found = reader.tree_inventory(str(root), config_path=str(config))["secret_copies"]
    assert [(c["path"], c["what"]) for c in found] == [(str(leak), what)], found


def test_secret_material_others_may_read_fails_naming_it(exp):
    facts = host()
    facts.remote["tree_inventory"] = {"secret_copies": [
        {"path": "/usr/local/sbin/app-export", "mode": "0755", "owner": "root", "what": "secret"},
        {"path": "/usr/local/share/app-mtls/client.key", "mode": "0644", "owner": "root", "what": "key"}]}
    found = outcome("sec_secrets", facts, exp)
    assert "- /usr/local/sbin/app-export (0755 root): holds a secret of the app's config by value" in found, found
    assert "- /usr/local/share/app-mtls/client.key (0644 root): a private key" in found, found
    facts.remote["tree_inventory"]["secret_copies"] = []
    assert outcome("sec_secrets", facts, exp) == "pass"


def test_the_readers_secret_patterns_are_redactions_and_the_login_collectors():
    from deploytests import redaction
    from deploytests.verify import collect_login, reader

    assert reader.SECRET_KEY.pattern == redaction.SECRET_KEY.pattern
    assert reader.PRIVATE_KEY.pattern == collect_login.PRIVATE_KEY.pattern


@pytest.mark.parametrize("path, spec", [
    # blind8's h09: Debian's Include dir made 2775 root:adm 'so the ops team can drop snippets' (logcheck, in adm,
    # wrote PermitRootLogin yes and sshd -T took it); the other members: sshd_config itself, a file it includes
    ("/etc/ssh/sshd_config.d", (0o042775, 0, 4)),
    ("/etc/ssh/sshd_config", (0o100664, 0, 4, "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n")),
    ("/etc/ssh/sshd_config.d/10-ops.conf", (0o100644, 1000, 1000, "X11Forwarding no\n"))])
def test_a_file_or_dir_sshd_reads_its_configuration_from_that_others_may_change_fails(exp, path, spec):
    conf = "Include /etc/ssh/sshd_config.d/*.conf\n" + host().raw.text("/etc/ssh/sshd_config")
    files = {"/etc/ssh/sshd_config": conf, "/etc/ssh/sshd_config.d": (0o040755, 0, 0),
             "/etc/ssh/sshd_config.d/10-ops.conf": "X11Forwarding no\n"}
    assert outcome("cw_sshd", host(files=files), exp) == "pass"
    found = outcome("cw_sshd", host(files={**files, path: spec}), exp)
    assert f"- {path}: sshd (root) reads who logs in, and how, from there at its next start" in found, found


def test_the_ssh_clients_drop_ins_are_not_sshds(exp):
    """an admin's /etc/ssh/ssh_config.d/ops.conf (the SSH client's, which Debian's ssh_config includes)
    made 0666 was named 'sshd (root) reads who logs in ... from there': the Includes of every file under /etc/ssh
    were taken for sshd's. sshd reads sshd_config and what it includes, in turn; the client's drop-in is the
    configuration rule's (root's ssh runs its ProxyCommand), not sshd's."""
    conf = "Include /etc/ssh/sshd_config.d/*.conf\n" + host().raw.text("/etc/ssh/sshd_config")
    files = {"/etc/ssh/sshd_config": conf, "/etc/ssh/sshd_config.d": (0o040755, 0, 0),
             "/etc/ssh/ssh_config": "Include /etc/ssh/ssh_config.d/*.conf\nHost *\n",
             "/etc/ssh/ssh_config.d": (0o040755, 0, 0), "/etc/ssh/ssh_config.d/ops.conf": (0o100666, 0, 0, "Host *\n")}
    assert "sshd (root) reads who logs in" not in outcome("cw_sshd", host(files=files), exp)
    nested = {**files, "/etc/ssh/sshd_config.d/10-ops.conf": "Include /etc/ssh/ops/*.conf\n",
              "/etc/ssh/ops": (0o040755, 0, 0), "/etc/ssh/ops/x.conf": (0o100666, 0, 0, "X11Forwarding no\n")}
    found = outcome("cw_sshd", host(files=nested), exp)  # (an Include of an included file: sshd's, in turn)
    assert "- /etc/ssh/ops/x.conf: sshd (root) reads who logs in" in found, found
    # sshd_config itself 0666: one cause (others may change it, so the gate does not read it as root's), one line
    found = outcome("cw_sshd", host(files={**files, "/etc/ssh/sshd_config": (0o100666, 0, 0, conf)}), exp)
    assert found.startswith("fail: 1 ") and "- /etc/ssh/sshd_config: sshd (root) reads who logs in" in found, found


@pytest.mark.parametrize("path, text", [
    # blind8's k08 (an allowed app-env.conf: nobody read the secret), and the class's other members: the value in
    # pam_env's /etc/environment, in Apache's envvars
    ("/etc/apache2/conf-available/app-env.conf", "SetEnv APP_SECRET_KEY s3cr3t-do-not-print\n"),
    ("/etc/environment", 'APP_SECRET_KEY="s3cr3t-do-not-print"\n'),
    ("/etc/apache2/envvars", "export APP_SECRET_KEY='s3cr3t-do-not-print'\n")])
def test_a_secret_of_the_config_in_a_file_others_read_fails_without_printing_it(exp, path, text):
    found = outcome("sec_secrets", host(files={path: (0o100644, 0, 0, text)}), exp)
    assert f"- {path} (0644 root:root): holds a secret of the app's config" in found, found
    assert "s3cr3t-do-not-print" not in found
    assert outcome("sec_secrets", host(files={path: (0o100640, 0, 33, text)}), exp) == "pass"
    assert outcome("sec_secrets", host(files={path: (0o100644, 0, 0, "SetEnv APP_MODE production\n")}), exp) == "pass"


@pytest.mark.parametrize("cmd, said", [
    ("/srv/tools/backup-recv", "it runs /srv/tools/backup-recv, which someone but root may change (/srv/tools 2775 "),
    ('/usr/bin/env PYTHONPATH=/srv/tools /usr/bin/python3 -m recv \\"$SSH_ORIGINAL_COMMAND\\"',
     "it sets PYTHONPATH to /srv/tools, which someone but root may change (/srv/tools 2775 "),
    ("/var/www/yourapplication/current/venv/bin/python -m yourapplication.recv",
     "it runs /var/www/yourapplication/current/venv/bin/python (the app's tree)")])
@pytest.mark.parametrize("whose", ["/root/.ssh/authorized_keys", "/home/admin/.ssh/authorized_keys"])
def test_a_forced_command_of_a_key_that_logs_in_as_root_is_judged_as_roots_jobs_are(exp, cmd, said, whose):
    """attack10 (shown on a container: the admin's backup key for root, forced to the deploy team's receive
    script; the deploy login wrote the script, the backup's next login ran it as root; the gate passed): sshd runs
    a key's command="..." as the file's login for every login with that key, as ForceCommand (which was judged).
    Class: what sshd runs as root (or as the gate's login, who becomes root) named by a per-key option. Root's
    keys count while sshd lets root in with a key; a command root's alone passes."""
    exp = admins_key_allowed(exp)  # (which keys open the login is cw_become's key rule: test_key_grants)
    conf = host().raw.text("/etc/ssh/sshd_config").replace("PermitRootLogin no", "PermitRootLogin prohibit-password")
    text = f'command="{cmd}",no-pty {ADMIN} backup@nas\n'
    files = {"/etc/ssh/sshd_config": conf} if whose.startswith("/root/") else {}
    if whose.startswith("/root/"):
        files[whose] = (0o100600, 0, 0, text)
    facts = host(files=files)
    facts.raw.raw["own_keys"] = {whose: text} if whose.startswith("/home/") else {}
    D = stat.S_IFDIR
    mapped = {"/": [D | 0o755, 0, 0, 0, 0, 2], "/srv": [D | 0o755, 0, 0, 0, 0, 3]}
    facts.raw.raw["mapped"] = dict(mapped, **{"/srv/tools": [D | 0o2775, 0, 1001, 0, 0, 4]})
    found = outcome("cw_become", facts, exp)
    who = "root" if whose.startswith("/root/") else "admin, who becomes root (sudo)"
    assert f"- {whose}:1: command=" in found and f"sshd runs it as {who} for every login with that key; " \
           f"{said}" in found, found
    if "/srv/tools" in cmd:  # the deploy team's directory made root's: passes
        facts.raw.raw["mapped"] = dict(mapped, **{"/srv/tools": [D | 0o755, 0, 0, 0, 0, 4],
                                                  "/srv/tools/backup-recv": [stat.S_IFREG | 0o755, 0, 0, 0, 0, 5]})
        facts.raw.acts_view = None
        assert outcome("cw_become", facts, exp) == "pass"
    names = host(files=files)  # a backup key reading the app's data (rrsync as root): what that key is for
    keyed = f'command="/usr/bin/rrsync -ro /var/www/yourapplication/shared",restrict {ADMIN} backup@nas\n'
    names.raw.files.get(whose, {}).update(data=keyed)
    names.raw.raw["own_keys"] = {whose: keyed} if whose.startswith("/home/") else {}
    assert outcome("cw_become", names, exp) == "pass"
    if whose.startswith("/root/"):  # root may not log in with a key: the command never runs
        off = host(files={whose: (0o100600, 0, 0, text)})
        off.raw.raw["mapped"] = facts.raw.raw["mapped"]
        assert outcome("cw_become", off, exp) == "pass"


@pytest.mark.parametrize("env, said", [
    ("LD_PRELOAD=/srv/tools/hook.so", "/srv/tools 2775 "), ("BASH_ENV=/srv/tools/env.sh", "/srv/tools 2775 "),
    ("PYTHONPATH=/var/www/yourapplication/shared", "the app's tree")])
def test_a_key_environment_option_of_a_login_that_becomes_root_is_judged_when_sshd_applies_it(exp, env, said):
    """attack10's open item: a key's environment="NAME=value" (sshd(8), AUTHORIZED_KEYS FILE FORMAT) is set for
    every login with that key, before its shell runs, when PermitUserEnvironment lets it: on the gate's login (who
    becomes root) a loader variable naming another account's file, or the app's tree, runs their code on the way to
    root. Judged as a variable set before a command (``NAME=value cmd``); PermitUserEnvironment no (the default):
    sshd ignores it, no finding."""
    exp = admins_key_allowed(exp)
    whose = "/home/admin/.ssh/authorized_keys"
    text = f'environment="{env}" {ADMIN} admin@laptop\n'
    D = stat.S_IFDIR
    mapped = {"/": [D | 0o755, 0, 0, 0, 0, 2], "/srv": [D | 0o755, 0, 0, 0, 0, 3],
              "/srv/tools": [D | 0o2775, 0, 1001, 0, 0, 4]}
    for on in (True, False):
        conf = host().raw.text("/etc/ssh/sshd_config") + ("PermitUserEnvironment yes\n" if on else "")
        facts = host(files={"/etc/ssh/sshd_config": conf})
        facts.raw.raw["own_keys"] = {whose: text}
        facts.raw.raw["mapped"] = mapped
        found = outcome("cw_become", facts, exp)
        if not on:
            assert found == "pass", found
            continue
        assert f'- {whose}:1: environment="{env}": sshd sets it (PermitUserEnvironment) for every login with that ' \
               "key, as admin, who becomes root (sudo)" in found and said in found, found
    on_conf = host().raw.text("/etc/ssh/sshd_config") + "PermitUserEnvironment yes\n"
    harmless = host(files={"/etc/ssh/sshd_config": on_conf})
    harmless.raw.raw["own_keys"] = {whose: f'environment="LANG=C.UTF-8" {ADMIN} admin@laptop\n'}
    harmless.raw.raw["mapped"] = mapped
    assert outcome("cw_become", harmless, exp) == "pass"


def test_the_login_collector_lstats_what_its_own_keys_force(tmp_path):
    """The collector's side of the forced-command rule for the gate's login: its own authorized_keys (read by
    itself) have their command="..." paths lstat'd with what root's files name (``named``); root's keys are the
    root collector's (its ``mapped``: every file of root's it read)."""
    from deploytests.verify import collect_login

    (tmp_path / "recv").write_text("#!/bin/sh\n")
    out = {"files": {}, "dirs": {}, "errors": {}, "size": 0,
           "own_keys": {"/home/admin/.ssh/authorized_keys": f'command="{tmp_path}/recv",no-pty {KEY} backup\n'}}
    collect_login.acts(out)
    assert out["named"][f"{tmp_path}/recv"]["st"][1] == os.getuid(), out["named"]


# ---------------------------------------------------------------- keys read as sshd reads them

OTHER = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDSPMKyaRFIP6KY8XO0b1XcGS3SmpOnAJbiLPYHUNTY7"


def test_a_key_behind_a_word_the_gate_took_for_its_own_key_fails_the_gate(exp):
    """Class: a file another program parses (sshd's ``authorized_keys``) read by the gate with a grammar of its own:
    the first ``type base64`` anywhere on a line was taken for the line's key. On a real sshd (Debian 12) a key
    after ``from="*,x <the gate's key> y"`` or after ``command="eval \\"$SSH_ORIGINAL_COMMAND\\" # <the gate's key> "``
    logged in as the deploy login while the gate saw only its own key there. Read as sshd reads a line (a key at
    its start, else options up to a blank outside quotes, then a key); a line read so as no key is named, never
    taken for none (another member: a line of no grammar at all)."""
    keys = (f"{KEY} ci@runner\nfrom=\"*,x {KEY} y\" {OTHER} att4\n"
            f'command="eval \\"$SSH_ORIGINAL_COMMAND\\" # {KEY} " {OTHER} att1\nfrom="unterminated {OTHER} x\n')
    found = outcome("cw_become", host(keys=keys, login="admin"), exp)
    fp = fingerprint(OTHER.split()[1])
    assert f"- appuser: 3 keys beyond the one this gate logs in with: ~appuser/.ssh/authorized_keys:2 ssh-ed25519 " \
           f"{fp} att4 [from=\"*,x {KEY} y\"]; ~appuser/.ssh/authorized_keys:3 ssh-ed25519 {fp} att1 [command=" \
           in found, found
    assert "~appuser/.ssh/authorized_keys:4 a line of 101 characters the gate does not read as a key (sshd may; " \
           "not shown: a private key pasted there is a secret)" in found and f'allow_keys = ["appuser {fp}"] in ' \
           "targets.toml; write a line the gate does not read as one key line per key" in found, found
    pasted = "-----BEGIN OPENSSH PRIVATE KEY-----\n" \
             "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    found = outcome("cw_become", host(keys=f"{KEY} ci@runner\n{pasted}", login="admin"), exp)
    assert "authorized_keys:3 a line of 70 characters" in found and "b3BlbnNz" not in found, found


def test_the_deploy_key_behind_another_word_still_meets_roots_keys(exp):
    """Class above, another member: the deploy login hides its own key (the one root's authorized_keys holds) from
    the comparison with root's by a word the looser reading took for the line's key."""
    conf = host().raw.text("/etc/ssh/sshd_config").replace("PermitRootLogin no\n", "")
    facts = host(keys=f'from="*,x {ADMIN} y" {OTHER} ci\n', login="admin",
                 files={"/root/.ssh/authorized_keys": (0o100600, 0, 0, f"{OTHER} ci\n"), "/etc/ssh/sshd_config": conf})
    found = outcome("cw_become", facts, exp)
    assert "- /root/.ssh/authorized_keys:1: the key of ~appuser/.ssh/authorized_keys:1 logs in as root" in found, found


def test_key_lines_end_at_a_newline_only_and_blanks_are_spaces_or_tabs():
    """sshd reads a line to its newline (a form feed or ``\\x1c`` inside quotes is no line end: split there, the
    quoted gate key began a line of its own)."""
    assert [e[3] for e in key_entries(f'from="*,x\x0c{KEY} y"\t{OTHER} a\n')] == [OTHER.split()[1]]
    assert key_entries(f"  \t# {OTHER}\n\n") == []
    assert [e[3] for e in key_entries(f"{OTHER}\r\n{KEY}\\r\n")] == [OTHER.split()[1], KEY.split()[1]]  # (CRLF)


def test_the_deploy_logins_keys_file_past_the_bound_or_behind_a_link_is_named(tmp_path, monkeypatch):
    """Class: a keys file sshd reads whole, through links, that the reader cut at its bound or skipped (a link is
    not opened with ``O_NOFOLLOW``) and took for no keys: a key after 64 KiB of comments, ``~/.ssh`` a link to a
    directory of the login's, ``authorized_keys`` a link. Each is a ValueError naming it (the section fails)."""
    from deploytests.verify import reader

    home = tmp_path / "home"
    (home / "real").mkdir(parents=True)
    monkeypatch.setattr(reader.pwd, "getpwnam", lambda name: type("P", (), {"pw_dir": str(home), "pw_uid": 2 ** 31}))
    (home / ".ssh").mkdir()
    (home / ".ssh" / "authorized_keys").write_text(f"{KEY} a\n")
    assert reader.login_keys("dep") == {"~dep/.ssh/authorized_keys": [f"{KEY} a", ""]}
    (home / ".ssh" / "authorized_keys").write_text("#" * 70000 + f"\n{OTHER} b\n")
    with pytest.raises(ValueError, match=r"~dep/.ssh/authorized_keys: more than 65536 bytes: not read"):
        reader.login_keys("dep")
    (home / ".ssh" / "authorized_keys").unlink()
    (home / ".ssh" / "authorized_keys").symlink_to(home / "real" / "k")
    (home / "real" / "k").write_text(f"{OTHER} b\n")
    with pytest.raises(ValueError, match=r"~dep/.ssh/authorized_keys: .*: not read"):
        reader.login_keys("dep")
    (home / ".ssh" / "authorized_keys").unlink()
    (home / ".ssh").rmdir()
    (home / ".ssh").symlink_to(home / "real")
    with pytest.raises(ValueError, match=r"~dep/.ssh: .*: not read"):
        reader.login_keys("dep")
    (home / ".ssh").unlink()
    assert reader.login_keys("dep") == {}  # (no ~/.ssh: no keys, no error)


def test_a_users_unit_dirs_behind_a_link_or_past_a_bound_are_named(tmp_path, monkeypatch):
    """The class above, other members (what a ``systemd --user`` manager starts): a ``.wants`` dir the deploy login
    made a link (the manager follows it; the reader did not, and took it for no enabled unit), and more ``.wants``
    dirs than the reader's bound (it looked at the first 64 in directory order, in silence)."""
    from deploytests.verify import reader

    home = tmp_path / "home"
    units = home / ".config" / "systemd" / "user"
    (home / "real").mkdir(parents=True)
    units.mkdir(parents=True)
    monkeypatch.setattr(reader.pwd, "getpwnam", lambda name: type("P", (), {"pw_dir": str(home), "pw_uid": 2 ** 31}))
    (units / "sync.service").write_text("[Service]\nExecStart=/bin/true\n")
    (units / "default.target.wants").mkdir()
    (units / "default.target.wants" / "sync.service").symlink_to(units / "sync.service")
    assert reader.user_units(["dep"])["dep:~/.config/systemd/user/default.target.wants/"] == ["sync.service"]
    (units / "default.target.wants" / "sync.service").rename(home / "real" / "sync.service")
    (units / "default.target.wants").rmdir()
    (units / "default.target.wants").symlink_to(home / "real")
    with pytest.raises(ValueError, match=r"~dep/.config/systemd/user/default.target.wants/: .*: not read"):
        reader.user_units(["dep"])
    (units / "default.target.wants").unlink()
    for n in range(65):
        (units / f"a{n}.target.wants").mkdir()
    with pytest.raises(ValueError, match=r"more than 64 .wants/.requires dirs or 5000 names: not read"):
        reader.user_units(["dep"])


# ---------------------------------------------------------------- the pipeline's logins run what they send


@pytest.mark.parametrize("prepend, append, said", [
    # blind faults: an SFTP-only hardening block for the app's group matched the deploy login (in that group), and
    # two factors asked of the deploy login, which has no password (both at sshd's next start only)
    ("", "Match Group appuser\n    ForceCommand internal-sftp\n",
     "ForceCommand internal-sftp: sshd runs it instead of every command appuser sends"),
    ("", "Match User appuser\n    AuthenticationMethods publickey,password\n",
     "AuthenticationMethods publickey,password: sshd asks more than the key of appuser"),
    # other members: the same settings globally, and the keys file taken away
    ("ForceCommand /usr/local/sbin/audit-shell\n", "", "ForceCommand /usr/local/sbin/audit-shell: sshd runs it"),
    ("AuthorizedKeysFile none\n", "", "AuthorizedKeysFile none: sshd reads no key of appuser"),
    ("", "Match User appuser,admin\n    ChrootDirectory /srv/jail\n", "ChrootDirectory /srv/jail: sshd runs every "
                                                                    "command inside it")])
def test_sshd_settings_that_stop_the_deploy_logins_commands_at_its_next_start_fail(exp, prepend, append, said):
    """Class (blind faults): what sshd does at a key login of the deploy login (and the gate's) was judged by the
    access lists and the Match blocks on places only; a setting in force for the login everywhere -- globally or
    in a Match on its name or groups -- that replaces its commands or refuses its key alone passed."""
    conf = prepend + host().raw.text("/etc/ssh/sshd_config") + append
    found = outcome("cw_sshd", host(files={"/etc/ssh/sshd_config": conf}), exp)
    assert said in found and "at its next start" in found and "allow_cron" in found, found


@pytest.mark.parametrize("append", ["Match User appuser\n    AuthenticationMethods publickey\n",
                                    "Match User backup\n    ForceCommand internal-sftp\n",
                                    "Match Group sftponly\n    ChrootDirectory %h\n    ForceCommand internal-sftp\n"])
def test_sshd_settings_for_other_logins_or_a_key_alone_pass(exp, append):
    conf = host().raw.text("/etc/ssh/sshd_config") + append
    assert outcome("cw_sshd", host(files={"/etc/ssh/sshd_config": conf}), exp) == "pass"


# ---------------------------------------------------------------- blind set 5: the runner's connection at sshd's start

HOST_PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq3mZ7xW1vB9cN2dF4gH6jK8lP0qR5sT7uV9wX1yZ3a"
CLIENT = {"kexalgorithms": ["mlkem768x25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"],
          "ciphers": ["aes128-ctr", "aes256-ctr", "aes128-gcm@openssh.com"],
          "macs": ["hmac-sha2-256", "hmac-sha2-512", "hmac-sha2-256-etm@openssh.com"]}


def connected(conf_head="", keys=None, pub=HOST_PUB, reached="172.17.0.5 22"):
    """The stock Debian 12 image as the runner reached it today: the deploy login (appuser, the gate's login here)
    with :data:`KEY`, the host key :data:`HOST_PUB` pinned, reached at ``reached`` (address, port); ``conf_head`` put
    before sshd_config's lines (sshd's first value wins)."""
    base = host(login="appuser")
    conf = conf_head + base.raw.text("/etc/ssh/sshd_config").replace("Port 22\n", "" if "Port" in conf_head else
                                                                      "Port 22\n")
    facts = host(login="appuser", files={"/etc/ssh/sshd_config": conf, "/etc/ssh/ssh_host_ed25519_key.pub": pub + "\n"})
    facts.raw.raw["own_keys"] = {"/home/appuser/.ssh/authorized_keys": KEY + " ci\n"} if keys is None else keys
    facts.raw.raw["ssh_connection"] = f"172.17.0.1 50122 {reached}"
    facts.remote.update(runner_client=CLIENT, runner_host_key=HOST_PUB)
    return facts


@pytest.mark.parametrize("head, keys, pub, said", [
    ("KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n", None, HOST_PUB, "kexalgorithms"),
    ("Ciphers chacha20-poly1305@openssh.com\n", None, HOST_PUB, "ciphers"),
    ("HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256\n", None, HOST_PUB, "hostkeyalgorithms"),
    ("PubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256\n", None, HOST_PUB, "pubkeyacceptedalgorithms"),
    ("ListenAddress 127.0.0.1\n", None, HOST_PUB, "will listen on 127.0.0.1:22"),
    ("AddressFamily inet6\n", None, HOST_PUB, "will listen on :::22"),
    ("Port 2222\n", None, HOST_PUB, "not on 172.17.0.5:22"),
    ("", None, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDifferentKeyOnDisk0000000000000000000000x", "none of them"),
    ("AuthorizedKeysFile /etc/ssh/authorized_keys/%u\n", None, HOST_PUB, "/etc/ssh/authorized_keys/appuser"),
    ("", {"/home/appuser/.ssh/authorized_keys": f'expiry-time="20000101" {KEY} ci\n'}, HOST_PUB, "expiry-time"),
])
def test_sshds_next_start_that_refuses_the_runners_own_connection_fails(exp, head, keys, pub, said):
    """Class (blind set 5): what sshd's next start does to the connection the runner made today was judged for the
    login's commands and access lists only: a key exchange, cipher, host key or key algorithm the runner's client
    does not share, a port or address it no longer listens on, a host key on disk that is not the one pinned, a keys
    file without the runner's key, a key option that expires it -- each passed, and every deploy failed at the
    next reload or reboot."""
    found = outcome("cw_sshd", connected(head, keys, pub), exp)
    assert said in found and "at its next start" in found and "allow_cron" in found, found


@pytest.mark.parametrize("head", [
    "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org\n",
    "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr\n"
    "MACs hmac-sha2-512-etm@openssh.com\n",
    "KexAlgorithms -diffie-hellman-group14-sha256\nHostKeyAlgorithms ssh-ed25519,rsa-sha2-512\n",
    "ListenAddress 0.0.0.0\nClientAliveInterval 300\n"])
def test_sshd_hardening_that_keeps_the_runners_connection_passes(exp, head):
    assert outcome("cw_sshd", connected(head), exp) == "pass"


def test_a_port_sshds_command_line_gives_counts_as_listened_on(exp):
    """sshd started with -p 2222 (its init's arguments) listens there whatever Port its file says: the runner that
    reached port 2222 is not refused at the next start that reuses those arguments."""
    facts = connected("Port 2201\n", reached="172.17.0.5 2222")
    facts.raw.raw["proc"] = {"7": {"uid": 0, "exe": "/usr/sbin/sshd", "cmdline": "/usr/sbin/sshd\0-D\0-p\0002222"}}
    assert "not on 172.17.0.5:2222" not in outcome("cw_sshd", facts, exp)
    facts.raw.raw["proc"] = {}
    assert "not on 172.17.0.5:2222" in outcome("cw_sshd", facts, exp)


@pytest.mark.parametrize("files, named", [
    # sec22's blind fault: a swap file made 0644 (mkswap without chmod 0600), named in fstab
    ({"/etc/fstab": "# <file system> <mount point> <type>\n/swapfile none swap sw 0 0\n",
      "/swapfile": (0o100644, 0, 0)}, "/swapfile (0644 root:root)"),
    # the other members, written after reading the gate: a swap file the adm group reads; a systemd swap unit's area
    ({"/etc/fstab": "/var/swap\tnone\tswap\tsw,pri=5\t0\t0\n", "/var/swap": (0o100640, 0, 4)},
     "/var/swap (0640 root:adm)"),
    ({"/etc/systemd/system/srv-swap.img.swap": "[Swap]\nWhat=/srv/swap.img\n", "/srv/swap.img": (0o100604, 0, 0)},
     "/srv/swap.img (0604 root:root)")])
def test_a_swap_area_others_may_read_fails(exp, files, named):
    """Class: the memory of every process written where others may read it: a swap area boot turns on (an
    ``/etc/fstab`` swap line, a systemd ``.swap`` unit) that someone but root (and the disk group) may read. The same
    areas 0600 root pass, and so does a block device 0660 root:disk."""
    found = outcome("sec_secrets", host(files=files), exp)
    assert f"- {named}: a swap area boot turns on" in found, found
    fine = {p: (0o100600, 0, 0) if isinstance(s, tuple) else s for p, s in files.items()}
    assert outcome("sec_secrets", host(files=fine), exp) == "pass"
    device = {"/etc/fstab": "/dev/sda2 none swap sw 0 0\n", "/dev/sda2": (0o060660, 0, 6)}
    assert outcome("sec_secrets", host(files=device), exp) == "pass"


def test_the_login_collector_records_each_swap_area(tmp_path):
    from deploytests.verify import collect_login as C

    area, other = tmp_path / "swapfile", tmp_path / "swap.img"
    area.write_bytes(b"")
    other.write_bytes(b"")
    out = {"errors": {}, "files": {
        "/etc/fstab": {"data": f"# {tmp_path}/not-this none swap sw 0 0\n{area} none swap sw 0 0\n"
                               f"UUID=abc none swap sw 0 0\n/dev/sda1 / ext4 defaults 0 1\n"},
        "/etc/systemd/system/x.swap": {"data": f"[Swap]\nWhat={other}\n"}}}
    C.swaps(out)
    assert str(area) in out["files"] and str(other) in out["files"], sorted(out["files"])
    assert f"{tmp_path}/not-this" not in out["files"] and "/dev/sda1" not in out["files"]


@pytest.mark.parametrize("conf_change", [
    # the blind fault (a QA account with a password, password logins on), and another member of the class written
    # after: keyboard-interactive through PAM, for one account's Match block
    ("PasswordAuthentication no", "PasswordAuthentication yes"),
    ("UsePAM no", "UsePAM yes\nMatch User qa\n    KbdInteractiveAuthentication yes"),
])
def test_a_password_sshd_takes_for_any_account_with_a_shell_fails_unless_allowed(exp, conf_change):
    """Class: a login the network opens by guessing a password, whoever the account is (not only the deploy,
    app and gate's logins): an account with a shell and a password set, and sshd taking passwords for it. One line
    naming the allowance; a locked password, a nologin shell, a key-only sshd and the allowance each pass."""
    import dataclasses

    conf = host().raw.text("/etc/ssh/sshd_config").replace(*conf_change)
    passwd = host().raw.text("/etc/passwd") + "qa:x:1500:1500:QA:/home/qa:/bin/bash\n"
    row = ["set", str(today()), "0", "99999", "7", "", ""]
    found = outcome("cw_become", host(shadow={"qa": row}, files={"/etc/ssh/sshd_config": conf,
                                                                 "/etc/passwd": passwd}), exp)
    assert "- qa: a password in /etc/shadow, a shell (/bin/bash), and sshd takes the password for a login: " in found
    assert 'allow_keys = ["qa password"]' in found, found
    assert outcome("cw_become", host(shadow={"qa": ["!" + row[0]] + row[1:]}, files={
        "/etc/ssh/sshd_config": conf, "/etc/passwd": passwd}), exp) == "pass"  # locked: passwd -l
    nologin = passwd.replace("/home/qa:/bin/bash", "/home/qa:/usr/sbin/nologin")
    assert outcome("cw_become", host(shadow={"qa": row}, files={"/etc/ssh/sshd_config": conf,
                                                                "/etc/passwd": nologin}), exp) == "pass"
    assert outcome("cw_become", host(shadow={"qa": row}, files={"/etc/passwd": passwd}), exp) == "pass"  # keys only
    allowed = dataclasses.replace(exp, allow=dataclasses.replace(exp.allow, keys=("qa password",)))
    assert outcome("cw_become", host(shadow={"qa": row}, files={"/etc/ssh/sshd_config": conf,
                                                                "/etc/passwd": passwd}), allowed) == "pass"
