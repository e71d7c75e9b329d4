"""Settings that turn off a root-run program's own guard (its owner, signature, certificate or host-key check), and
the one definition of "a group that writes for no one" both rules on root's places use."""
from __future__ import annotations

import hashlib
import os

import pytest
from stock import outcome, with_stock_logins
from test_privilege_and_schedules import D, F, allowing, clean_facts, failing, inv, snap

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_login, parse
from deploytests.verify.promises import Expected, stock_conffiles


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


@pytest.mark.parametrize("path, text, line", [
    # the blind miss: root's git then runs the hooks and fsmonitor of a checkout another account owns
    ("/etc/gitconfig", "[user]\n\tname = ops\n[safe]\n\tdirectory = *\n", 4),
    # the class's other members (each missed on a container before: guard11/logs/guards-before-d12.log)
    ("/etc/ssh/ssh_config.d/10-lab.conf", "Host *\n    StrictHostKeyChecking no\n", 2),
    ("/etc/wgetrc", "# wget\ncheck_certificate = off\n", 2),
    ("/etc/gitconfig", '[http "https://git.internal"]\n\tsslVerify = false\n', 2),
    ("/etc/bash.bashrc", "umask 022\nexport NODE_TLS_REJECT_UNAUTHORIZED=0\n", 2),
    ("/etc/curlrc", "insecure = true\n", 1)])
def test_a_setting_that_turns_a_root_programs_own_check_off_is_a_finding(exp, path, text, line):
    """Whatever program reads the file: a setting of root's configuration under /etc that turns off its program's
    own check or opens it to everyone (``[section.]key value``, INI sections read) fails, naming file:line,
    unless its package ships it so (dpkg's md5 of the conffile) or ``allow_cron`` names the file."""
    found = collect_login.guards_off(text)
    assert list(found) == [line], found
    shown = {"[safe]": "safe.directory = *", "[http ": "http.sslVerify = false"}.get(
        next((h for h in ("[safe]", "[http ") if h in text), ""), text.splitlines()[line - 1].strip())
    assert found[line] == shown, found  # (the setting as its program reads it: the INI section with the key)
    lines = [[n, ln] for n, ln in enumerate(text.splitlines(), 1) if n in found]
    named = {path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": text}}
    base = snap({}, {})
    facts = clean_facts()
    facts.raw = parse.Snapshot(dict(base.raw, named=named, mentions={path: lines}))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"], msg
    assert f"- {path}:{line}: {found[line]!r}: turns off a check" in msg["cw_schedules"], msg
    assert f'allow_cron = ["{path} sha256:' in msg["cw_schedules"], msg
    assert outcome("cw_schedules", facts, allowing(exp, cron=(path,))) == "pass"
    md5 = hashlib.md5(text.encode()).hexdigest()  # the package's own conffile, as shipped: its stock choice
    status = f"Package: tool\nStatus: install ok installed\nConffiles:\n {path} {md5}\n"
    files = dict(base.raw["files"], **{"/var/lib/dpkg/status": {"st": [F | 0o644, 0, 0, 1, 0, 9], "data": status}})
    facts.raw = parse.Snapshot(dict(base.raw, files=files, named=named, mentions={path: lines}))
    assert failing(facts, exp) == {}


@pytest.mark.parametrize("text", [
    "[user]\n\tname = ops\n[core]\n\teditor = vim\n",  # settings that turn off no check
    "[safe]\n\tdirectory = /srv/repo\n",  # a path: the naming rule's (who may change it)
    "Host *\n    StrictHostKeyChecking yes\n    PasswordAuthentication no\n    HashKnownHosts no\n",
    "# check_certificate = off\n", "expand-check=0x\n"])
def test_settings_that_turn_no_check_off_are_not_guards(text):
    assert collect_login.guards_off(text) == {}, text


def test_an_environment_variable_that_turns_a_check_off_is_pam_envs_one_line(exp):
    """/etc/environment is cw_pam's: a variable there that turns a check off (GIT_SSL_NO_VERIFY=1: every login's
    and root's git) is its line, and cw_schedules says nothing of it (one cause, one line)."""
    facts = with_stock_logins(clean_facts())
    assert outcome("cw_pam", facts, exp) == "pass"
    text = "LANG=C.UTF-8\nGIT_SSL_NO_VERIFY=1\n"
    facts.raw.files["/etc/environment"] = {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": text}
    facts.raw = parse.Snapshot(dict(facts.raw.raw, mentions={"/etc/environment": [[2, "GIT_SSL_NO_VERIFY=1"]]}))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    msg = outcome("cw_pam", facts, exp)
    assert "/etc/environment:2: GIT_SSL_NO_VERIFY=1: " in msg and "turns off a check" in msg, msg
    assert outcome("cw_schedules", facts, exp) == "pass"


def test_the_login_collector_sends_a_guard_off_line_with_its_files_bytes(tmp_path):
    """The collector's side: the walk of /etc sends each guard-off line (the section read) and the file's bytes
    (is it as its package ships it?), and nothing of a file without one."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "gitconfig").write_text("[safe]\n\tdirectory = *\n")
    (tmp_path / "etc" / "other").write_text("[safe]\n\tdirectory = /srv/x\n# StrictModes no\n")
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(tmp_path / "etc"))
    if os.getuid() == 0:  # (root's files only: as root, the test's files are root's)
        assert out["mentions"] == {f"{tmp_path}/etc/gitconfig": [[2, "\tdirectory = *"]]}, out["mentions"]
        assert out["named"][f"{tmp_path}/etc/gitconfig"]["data"].startswith("[safe]")
    else:
        assert out["mentions"] == {}


GROUPS = {"no one": ("tools:x:77:\n", ""),
          "a member": ("tools:x:77:dev\n", "dev:x:1501:1501::/home/dev:/bin/bash\n"),
          "a primary-group member": ("tools:x:77:\n", "dev:x:1501:77::/home/dev:/bin/bash\n")}


@pytest.mark.parametrize("who", GROUPS)
def test_a_group_that_writes_for_no_one_is_one_definition_for_both_rules(exp, who):
    """A root's place writable by its group is root's alone only when no account is in that group (none lists it,
    none has it as its primary group): one definition (parse.Users.nobody_in) for the rule on what root's
    configuration names (cw_schedules: before, any static gid < 100 passed, its members or not) and the rule on the
    system's directories (cw_load_path)."""
    group, passwd = GROUPS[who]
    users = parse.Users("root:x:0:0::/root:/bin/sh\n" + passwd, "root:x:0:\n" + group)
    # the system's directories (gid 77: a static gid, which the old naming rule passed whatever its members)
    facts = with_stock_logins(clean_facts())
    facts.raw.files["/etc/passwd"]["data"] += passwd
    facts.raw.files["/etc/group"]["data"] += group
    facts.raw = parse.Snapshot(facts.raw.raw)
    inv(facts)["system_dirs"] = [["/usr/local/share/tools", D | 0o2775, 0, 77]]
    msg = outcome("cw_load_path", facts, exp)
    assert ("/usr/local/share/tools (2775 root:tools)" in msg) is (who != "no one"), msg
    # what root's configuration names: a root's dir of that group
    line = "\thooksPath = /opt/tools/hooks"  # (names a place: a line that sources it is rootacts' to judge)
    named = {"/opt": {"st": [D | 0o755, 0, 0, 1, 0, 5]}, "/opt/tools": {"st": [D | 0o2775, 0, 77, 1, 0, 6]},
             "/etc/gitconfig": {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": f"[core]\n{line}\n"}}
    found = snap({}, {})
    found.raw["files"]["/etc/passwd"]["data"] += passwd
    found.raw["files"]["/etc/group"]["data"] += group
    found = parse.Snapshot(dict(found.raw, named=named, mentions={"/etc/gitconfig": [[2, line]]}))
    facts = clean_facts()
    facts.raw = found
    inv(facts)["mentions"] = parse.root_mentions(found)
    msg = outcome("cw_schedules", facts, exp)
    assert ("/opt/tools 2775 root:tools" in msg) is (who != "no one"), msg
    assert users.nobody_in(77) is (who == "no one")


@pytest.mark.parametrize("word", ["/opt/a:b/alert", "/opt/a,b/alert", "/opt/a=b/alert"])
def test_the_runner_reads_the_words_the_collector_lstat_d(exp, word):
    """A path word the collector and the runner split differently was "not looked at" (no claim) on the runner:
    the collector lstat'd '/opt/a:b' (loose), the runner asked for '/opt/a'. The naming rule now reads the
    collector's own words (collect_login.WORD): one parser for both sides."""
    line = f"install dccp {word} dccp"
    place = word.rsplit("/", 1)[0]
    named = {"/opt": {"st": [D | 0o755, 0, 0, 1, 0, 5]}, place: {"st": [D | 0o755, 998, 998, 1, 0, 6]},
             "/etc/modprobe.d/x.conf": {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": f"{line}\n"}}
    assert collect_login.WORD.findall(line) == [word]
    found = snap({}, {})
    found.raw["files"]["/etc/passwd"]["data"] += "devtools:x:998:998::/nonexistent:/usr/sbin/nologin\n"
    found = parse.Snapshot(dict(found.raw, named=named, mentions={"/etc/modprobe.d/x.conf": [[1, line]]}))
    facts = clean_facts()
    facts.raw = found
    inv(facts)["mentions"] = parse.root_mentions(found)
    msg = outcome("cw_schedules", facts, exp)
    assert f"{place} 0755 devtools:998" in msg, msg


@pytest.mark.parametrize("path, line", [
    # a blind set's fault: logrotate's compress program in a tools dir another login owns: logrotate.d's files were
    # left whole to the rule that reads only their scripts, so no other line of theirs was judged
    ("/etc/logrotate.d/ops-jobs", "    compresscmd /opt/ops/zstd-wrap"),
    # the other member, written after reading the gate: uncompresscmd (logrotate runs it as root too)
    ("/etc/logrotate.d/ops-jobs", "    uncompresscmd /opt/ops/unzstd"),
    # (passed before: dpkg's own hook, judged by the naming rule already when the tools dir is not an admin's)
    ("/etc/dpkg/dpkg.cfg.d/etc-snapshot", 'post-invoke="/opt/ops/etc-snapshot"')])
def test_a_root_configuration_line_naming_a_program_another_login_may_change_fails(exp, path, line):
    """Class: every line of root's configuration under /etc that no other rule turns into a job is judged
    by the naming rule (logrotate.d's directives too: its scripts are jobs, its log paths the logrotate rule's); a
    root's tools dir there passes."""
    named = {"/opt": {"st": [D | 0o755, 0, 0, 1, 0, 5]}, "/opt/ops": {"st": [D | 0o755, 1001, 1001, 1, 0, 6]},
             path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": f"/var/log/ops/*.log {{\n{line}\n}}\n"}}
    found = snap({}, {})
    found.raw["files"]["/etc/passwd"]["data"] += "ops:x:1001:1001::/home/ops:/bin/bash\n"
    mentions = {path: [[1, "/var/log/ops/*.log {"], [2, line]]}
    found = parse.Snapshot(dict(found.raw, named=named, mentions=mentions))
    facts = clean_facts()
    facts.raw = found
    inv(facts)["mentions"] = parse.root_mentions(found)
    msg = outcome("cw_schedules", facts, exp)
    assert f"{path}:2: names /opt/ops/" in msg and "(/opt/ops 0755 ops:1001)" in msg, msg
    assert f"{path}:1:" not in msg, msg  # (the logs it rotates: the logrotate rule's)
    named["/opt/ops"] = {"st": [D | 0o755, 0, 0, 1, 0, 6]}  # (root's tools dir: nothing handed to anyone)
    facts.raw = parse.Snapshot(dict(found.raw, named=named))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    assert outcome("cw_schedules", facts, exp) == "pass"


@pytest.mark.parametrize("text, shown", [
    # a setting that widens trust with no check word in its key: whom it trusts past the check, by name
    ("[global]\ntrusted-host = pypi.internal\n", "global.trusted-host = pypi.internal"),  # pip: no TLS check there
    ("trust-model always\n", "trust-model always"),  # gpg: every key valid
    ("[install]\ntrusted-host=mirror.lan\n", "install.trusted-host=mirror.lan"),
    # a flag that is on by being there (curl's ~/.curlrc: `insecure`, `--insecure`; wget's --no-check-certificate)
    ("insecure\n", "insecure"), ("--insecure\n", "--insecure"), ("--no-check-certificate\n", "--no-check-certificate"),
    # a requirement switched off (OpenLDAP's client: TLS_REQCERT never accepts any server certificate)
    ("TLS_REQCERT never\n", "TLS_REQCERT never"), ("ssl_verify_mode = none\n", "ssl_verify_mode = none"),
    # an unsafe mode set on (npm runs package scripts as root without dropping to nobody)
    ("unsafe-perm = true\n", "unsafe-perm = true"),
    # a permission set for everyone (sshd: every login sets LD_PRELOAD ... before its shell or forced command)
    ("PermitUserEnvironment yes\n", "PermitUserEnvironment yes"),
    # a trust store pointed at nothing (ssh: every host key accepted, none remembered)
    ("Host *\n  UserKnownHostsFile /dev/null\n", "UserKnownHostsFile /dev/null")])
def test_a_setting_that_widens_trust_without_a_check_word_in_its_key_is_a_guard_off(text, shown):
    """The class past check words: a key naming trust given to someone (``trusted-host``, ``trust-model``), a flag
    whose presence is the switch (``insecure``), a requirement set to never or none, an unsafe mode set on, a
    permission set for all, a trust store pointed at /dev/null. One pattern (``collect_login.GUARD_OFF``), no
    program named."""
    found = collect_login.guards_off(text)
    assert list(found.values()) == [shown], found


@pytest.mark.parametrize("text", [
    "allow-hotplug eth0\n", "auto lo\niface lo inet loopback\n",  # ifupdown: no trust
    "insecure = false\n", "unsafe-perm = false\n", "trusted-host =\n",  # the switch off, or nothing named
    "PermitRootLogin prohibit-password\n", "PermitTTY no\n", "TLS_REQCERT demand\n",
    "mozilla/Trustwave_Global_Certification_Authority.crt\n",  # ca-certificates.conf: a certificate's name
    "UserKnownHostsFile ~/.ssh/known_hosts\n", "max_requests = 0\n", "required_version = 0\n",
    "# insecure\n"])
def test_settings_that_widen_no_trust_are_not_guards_off(text):
    assert collect_login.guards_off(text) == {}, text


def _stock(exp, path):
    """(md5, package, lines) of ``path`` in the stack's baseline of conffiles as shipped (read here as text)."""
    from importlib import resources

    text = (resources.files("deploytests.stacks.apache_wsgi") / "conffiles.txt").read_text()
    head = next(ln for ln in text.splitlines() if ln.startswith(path + " "))
    body = text.split("\n" + head + "\n", 1)[1].split("\n")
    lines = [ln[1:] for ln in body[:next(i for i, ln in enumerate(body) if not ln.startswith(" "))]]
    return head.split()[1], head.split()[2], lines


def _with_conffile(path, pkg, md5, text):
    """Clean facts whose dpkg records ``path`` as ``pkg``'s conffile shipped with ``md5``, and whose file holds
    ``text`` (None: gone; root's read for /etc/sudoers, the login collector's ``named`` for the rest)."""
    status = f"Package: {pkg}\nStatus: install ok installed\nConffiles:\n {path} {md5}\n"
    base = snap({}, {"/var/lib/dpkg/status": status})
    entry = {"st": [F | 0o440, 0, 0, 1, 0, 7], "data": text} if text is not None else {"why": os.strerror(2)}
    # (/etc/sudoers is 0440: root's read has its bytes, the login collector's walk only its lstat)
    files, named = (dict(base.raw["files"], **{path: entry}), {path: {"st": entry.get("st")}}) \
        if path == "/etc/sudoers" else (base.raw["files"], {path: entry})
    facts = clean_facts()
    facts.raw = parse.Snapshot(dict(base.raw, files=files, named=named, mentions={}))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    return facts


@pytest.mark.parametrize("path, drop, edit", [
    # the open item: sudo's use_pty (a root command's terminal kept from the user who ran it), commented out
    ("/etc/sudoers", "Defaults\tuse_pty", lambda ln: "#" + ln),
    # other members: PAM's nologin check for SSH logins deleted; su's root-only shortcut is stock, its removal is
    # not a weakening, but a stock line gone is judged the same (deny by default: one allowance)
    ("/etc/pam.d/sshd", "account    required     pam_nologin.so", lambda ln: ""),
    ("/etc/sudoers", "Defaults\tenv_reset", lambda ln: "Defaults\tmail_badpass"),  # replaced by a stock line
    ("/etc/login.defs", "ENCRYPT_METHOD SHA512", lambda ln: "")])  # crypt falls back to DES
def test_a_stock_line_gone_from_a_conffile_is_a_finding(exp, path, drop, edit):
    """A guard taken away by deleting (or commenting out) a line a package ships is no line for the rules on lines
    present: the conffile, not as dpkg shipped it, is compared with the stack's baseline of it as shipped (by dpkg's
    md5), and each shipped line that sets something and is gone is named, in one line per file."""
    md5, pkg, lines = _stock(exp, path)
    shipped = "# as shipped\n" + "\n".join(lines) + "\n"
    assert " ".join(drop.split()) in [" ".join(ln.split()) for ln in lines], lines
    changed = "\n".join(edit(ln) if " ".join(ln.split()) == " ".join(drop.split()) else ln for ln in
                        shipped.splitlines()) + "\n"
    msg = outcome("cw_schedules", with_conffile := _with_conffile(path, pkg, md5, changed), exp)
    assert f"- {path}: 1 line {pkg} ships setting something is not there ({' '.join(drop.split())!r})" in msg, msg
    assert f'allow_cron = ["{path} sha256:' in msg, msg
    assert outcome("cw_schedules", with_conffile, allowing(exp, cron=(path,))) == "pass"
    # the same lines with other comments (not as shipped by its md5): nothing gone, nothing to say
    assert outcome("cw_schedules", _with_conffile(path, pkg, md5, shipped), exp) == "pass"


def test_a_conffile_gone_whole_and_a_value_changed_in_place(exp):
    """A conffile deleted takes every line it set (PAM's ``other``: the services without a file of their own); a
    key the shipped file sets once, set to another value, is changed in place: the rules on lines present judge
    that value (login.defs' UMASK 027), and nothing is gone. The lines it ships unchanged stay the distribution's:
    login.defs' ``MAIL_DIR /var/mail`` (2775 root:mail, the mail account's group) was the admin's to allow once
    UMASK was edited (a false alarm on a real container: guard12/logs/guards-before-d12.log, c01)."""
    md5, pkg, lines = _stock(exp, "/etc/pam.d/other")
    msg = outcome("cw_schedules", _with_conffile("/etc/pam.d/other", pkg, md5, None), exp)
    assert "- /etc/pam.d/other: libpam-runtime's conffile is gone, and with it what it set ('@include" in msg, msg
    md5, pkg, lines = _stock(exp, "/etc/login.defs")
    text = "\n".join("UMASK 027" if ln.startswith("UMASK") else ln for ln in lines) + "\n"
    facts = _with_conffile("/etc/login.defs", pkg, md5, text)
    mail = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("MAIL_DIR"))
    files = dict(facts.raw.files, **{"/var/mail": {"st": [D | 0o2775, 0, 8, 1, 0, 9]}})
    files["/etc/passwd"] = dict(files["/etc/passwd"], data=files["/etc/passwd"]["data"] + "mail:x:8:8::/:/bin/sh\n")
    files["/etc/group"] = dict(files["/etc/group"], data=files["/etc/group"]["data"] + "mail:x:8:\n")
    facts.raw = parse.Snapshot(dict(facts.raw.raw, files=files, mentions={"/etc/login.defs": [
        [mail, text.splitlines()[mail - 1]]]}))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    assert outcome("cw_schedules", facts, exp) == "pass"


def test_the_login_collector_sends_a_changed_conffiles_bytes_and_a_gone_ones_lstat(tmp_path):
    """The collector's side of removed stock lines: of each dpkg conffile under the walked tree (the status file's
    md5s, read before the walk), the bytes when they are not as shipped, the ``lstat`` when the walk did not read it
    (gone), and nothing of one as shipped."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "changed.conf").write_text("Defaults env_reset\n#Defaults use_pty\n")
    (etc / "same.conf").write_text("KEY value\n")
    md5 = {n: hashlib.md5(t.encode()).hexdigest() for n, t in (("changed.conf", "Defaults env_reset\nDefaults "
                                                                  "use_pty\n"), ("same.conf", "KEY value\n"),
                                                                 ("gone.conf", "x\n"))}
    status = "Package: p\nStatus: install ok installed\nConffiles:\n" + "".join(
        f" {etc}/{n} {m}\n" for n, m in md5.items())
    out = {"errors": {}, "files": {"/var/lib/dpkg/status": {"data": status}}, "dirs": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(etc))
    named = out["named"]
    assert named[f"{etc}/gone.conf"] == {"why": os.strerror(2)}, named
    assert f"{etc}/same.conf" not in named, named
    if os.getuid() == 0:  # (root's files only: as root, the test's files are root's)
        assert named[f"{etc}/changed.conf"]["data"] == "Defaults env_reset\n#Defaults use_pty\n", named


def test_a_point_release_of_a_recorded_conffile_is_judged_by_the_lines_every_recorded_version_ships(exp):
    """Class: a baseline that goes stale when Debian moves on. A conffile shipped at an md5 the stack's baseline has
    not recorded (a point release changed its comments) was not compared at all: a stock line deleted from it went
    unseen. It is now judged by the lines every version the baseline holds of that file sets; another member: the
    distribution's own lines of it still count as shipped, so an edited file's stock lines are no admin's line."""
    md5, pkg, lines = _stock(exp, "/etc/sudoers")
    newer = "0" * 32  # an md5 the baseline does not hold
    assert ("/etc/sudoers", newer) not in stock_conffiles(exp.stack)
    text = "# a point release's comments\n" + "\n".join(ln for ln in lines if "use_pty" not in ln) + "\n"
    msg = outcome("cw_schedules", _with_conffile("/etc/sudoers", pkg, newer, text), exp)
    assert "- /etc/sudoers: 1 line sudo ships setting something is not there ('Defaults use_pty')" in msg, msg
    whole = "# a point release's comments\n" + "\n".join(lines) + "\n"
    assert outcome("cw_schedules", _with_conffile("/etc/sudoers", pkg, newer, whole), exp) == "pass"
    # a file from another package at the same path, or a path the baseline never held: nothing to compare
    assert outcome("cw_schedules", _with_conffile("/etc/sudoers", "sudo-ldap", newer, text), exp) == "pass"


@pytest.mark.parametrize("path, md5, text", [
    # blind13's control (a false alarm on a container): an admin's login banner in place of Debian's
    ("/etc/issue.net", "3ae9b9ff69a78d614864f1957778fecb", "Authorized use only. Ops: #ops-oncall\n"),
    # other members: the console banner, the release file an admin's tool rewrote
    ("/etc/issue", "349d61a0e072d678e3e94923f0c3ce0e", "Property of Example Corp \\n \\l\n"),
    ("/etc/debian_version", "da9f3e5a56d6162ea9d5feed57fbf349", "12.15-example\n")])
def test_a_conffile_that_is_text_for_people_sets_nothing_to_take_away(exp, path, md5, text):
    """Class (blind13): base-files' banners and release string are conffiles whose lines no program reads as a
    setting; an admin's banner replacing Debian's took away no guard. The stack's baseline leaves them out (as it
    leaves out keys and tables), so a changed or emptied one is no finding."""
    assert outcome("cw_schedules", _with_conffile(path, "base-files", md5, text), exp) == "pass"
    assert outcome("cw_schedules", _with_conffile(path, "base-files", md5, ""), exp) == "pass"


def test_a_file_ucf_keeps_as_shipped_is_its_packages_and_changed_is_the_admins(exp):
    """rkhunter's /etc/default/rkhunter is ucf's, no dpkg conffile, and ships ``RUN_CHECK_ON_BATTERY="false"``: as
    ucf's hashfile records it, the package's choice (a clean install was a false alarm); edited, the admin's."""
    path, text = "/etc/default/rkhunter", 'APT_AUTOGEN="false"\nRUN_CHECK_ON_BATTERY="false"\n'
    base = snap({}, {})

    def judged(now: str) -> dict:
        found = collect_login.guards_off(now)
        named = {path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": now}}
        ucf = {"/var/lib/ucf/hashfile": {"st": [F | 0o644, 0, 0, 1, 0, 9],
                                         "data": f"{hashlib.md5(text.encode()).hexdigest()}  {path}\n"},
               "/var/lib/ucf/registry": {"st": [F | 0o644, 0, 0, 1, 0, 9], "data": f"rkhunter \t {path}\n"}}
        facts = clean_facts()
        facts.raw = parse.Snapshot(dict(base.raw, files=dict(base.raw["files"], **ucf), named=named,
                                        mentions={path: [[n, ln] for n, ln in enumerate(now.splitlines(), 1)
                                                         if n in found]}))
        inv(facts)["mentions"] = parse.root_mentions(facts.raw)
        return failing(facts, exp)

    assert judged(text) == {}
    edited = judged(text.replace('APT_AUTOGEN="false"', 'APT_AUTOGEN="true"'))
    assert list(edited) == ["cw_schedules"] and f"{path}:2: " in edited["cw_schedules"], edited


def _with_queue_lists(files):
    """Clean facts with at installed (its stock ``/etc/at.deny`` recorded by dpkg) and ``files``: ``{path: text or
    None (there, not read: not root's alone)}``, as root's read gives them (the gate's login reads none: 0640, 0600)."""
    status = "Package: at\nStatus: install ok installed\nConffiles:\n /etc/at.deny 8cb7e7632119dc26115436938efd2522\n"
    base = snap({}, {"/var/lib/dpkg/status": status})
    found = {p: {"st": [F | 0o640, 0, 1, 1, 0, 7], "data": t} if t is not None else
             {"st": [F | 0o666, 1000, 1000, 1, 0, 7], "why": "not a regular file of root's, not writable by group or "
                                                               "others: not read"} for p, t in files.items()}
    facts = clean_facts()
    facts.raw = parse.Snapshot(dict(base.raw, files=dict(base.raw["files"], **found), named={}, mentions={}))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    return facts


def test_who_may_queue_jobs_emptied_or_widened_is_a_finding(exp):
    """Class: root's configuration that grants and that only root may read. at's ``/etc/at.deny`` (``0640
    root:daemon``: it keeps www-data and the other system accounts from queueing at jobs) emptied passed: the gate's
    login cannot read it and root did not (sec21's ``at-deny-emptied``). Root now reads at's and cron's lists
    (``collect_root.GRANTS``, beside sudoers): at.deny as at ships it is the stack's baseline, a stock line gone is
    :func:`stock_lines_gone`'s; the other member, a list that widens who may queue (``/etc/at.allow``,
    ``/etc/cron.allow``, often 0600) naming the app user or Apache's user, is a line of its own."""
    md5, pkg, stock = _stock(exp, "/etc/at.deny")
    assert (md5, pkg) == ("8cb7e7632119dc26115436938efd2522", "at") and "www-data" in stock
    shipped = "\n".join(stock) + "\n"
    assert outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": shipped}), exp) == "pass"  # as at ships it
    msg = outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": ""}), exp)  # emptied
    assert "- /etc/at.deny: 24 lines at ships setting something are not there ('alias'; 'backup'; 'bin' ...)" in msg
    thinned = outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": shipped.replace("www-data\n", "")}), exp)
    assert "- /etc/at.deny: 1 line at ships setting something is not there ('www-data')" in thinned, thinned
    assert outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": ""}), allowing(exp, cron=("/etc/at.deny",))) \
        == "pass"
    # the other member: a list that lets only whom it names queue, naming the app's accounts
    for path, user, role in (("/etc/cron.allow", "yourapplication", "the app user"),
                             ("/etc/at.allow", "www-data", "Apache's user")):
        msg = outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": shipped, path: f"root\nops\n{user}\n"}), exp)
        assert f"- {path}:3: {user!r}: {role} may queue " in msg and f'allow_cron = ["{path}' in msg, msg
        assert msg.startswith("fail: 1 scheduled job not accounted for"), msg  # (one cause, one line)
        assert outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": shipped, path: "root\nops\n"}), exp) \
            == "pass"  # (an admin's list of logins: a narrowing)
        assert outcome("cw_schedules", _with_queue_lists({path: f"{user}\n"}), allowing(exp, cron=(path,))) == "pass"
    msg = outcome("cw_schedules", _with_queue_lists({"/etc/at.deny": shipped, "/etc/cron.allow": None}), exp)
    assert "- /etc/cron.allow: crontab lets only whom it lists queue jobs, and the gate could not read it" in msg, msg


@pytest.mark.parametrize("path, text, line", [
    # a miss of a blind set: login.defs' UMASK 000 (useradd makes every new home 0777: anyone plants its ~/.bashrc)
    ("/etc/login.defs", "MAIL_DIR        /var/mail\nUMASK\t\t000\n", 2),
    # other members: the home mode itself, a profile's umask for every login shell, root's too
    ("/etc/login.defs", "HOME_MODE\t0777\n", 1),
    ("/etc/profile.d/ops-umask.sh", "# shared dirs\numask 0\n", 2),
    ("/etc/adduser.conf", "DIR_MODE=0777\n", 1)])
def test_a_default_mode_that_lets_everyone_write_what_is_made_later_is_a_finding(exp, path, text, line):
    """A umask that keeps others' write, or a ``*_MODE`` that has it, set in root's configuration under /etc
    (whatever program reads it: useradd, a login shell, adduser) makes what that program makes later writable by
    every local user; judged as a guard turned off, naming file:line, in a file not as its package ships it."""
    assert list(collect_login.guards_off(text)) == [line], collect_login.guards_off(text)
    base = snap({}, {})
    facts = clean_facts()
    facts.raw = parse.Snapshot(dict(base.raw, files=dict(base.raw["files"], **{
        path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": text}}), named={}, mentions={
        path: [[n, ln] for n, ln in enumerate(text.splitlines(), 1) if n == line]}))
    inv(facts)["mentions"] = parse.root_mentions(facts.raw)
    found = failing(facts, exp)
    assert list(found) == ["cw_schedules"] and f"{path}:{line}: " in found["cw_schedules"], found


@pytest.mark.parametrize("text", ["UMASK\t\t022\n", "UMASK 027\n", "HOME_MODE\t0700\n", "umask 0002\n",
                                  "DIR_MODE=0755\n", "# UMASK 000\n", "ssl_mode = 0644\n", "mode = strict\n"])
def test_a_default_mode_that_keeps_others_from_writing_is_none(text):
    assert collect_login.guards_off(text) == {}


def test_a_deny_list_gone_beside_its_allow_list_is_no_guard_gone(exp):
    """CIS's hardening of at and cron removes ``/etc/at.deny`` (at's conffile) and writes ``/etc/at.allow`` naming
    root (``0640 root:daemon``: root's read): at reads the allow list alone when it exists (at(1)), so the deny list
    gone takes nothing away, and the allow list is judged as who may queue jobs (``queue_grants``). Without its
    allow list, the deny list gone stays a guard gone (everyone but those it named may queue)."""
    md5, pkg, _ = _stock(exp, "/etc/at.deny")
    gone = _with_conffile("/etc/at.deny", pkg, md5, None)
    assert "- /etc/at.deny: at's conffile is gone" in outcome("cw_schedules", gone, exp)
    files = dict(gone.raw.files, **{"/etc/at.allow": {"st": [F | 0o640, 0, 1, 5, 0, 8], "data": "root\n"}})
    gone.raw = parse.Snapshot(dict(gone.raw.raw, files=files))
    assert outcome("cw_schedules", gone, exp) == "pass"
