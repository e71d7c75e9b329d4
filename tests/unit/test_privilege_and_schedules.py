"""Privilege bits on files and schedules beyond cron, as pure logic over facts (issue 17, the last round's known
gaps): a setuid/setgid bit or file capabilities on any file the gate looks at is judged by its exact bits, not by
dpkg listing the file (dpkg keeps no mode); ``at`` jobs, every crontab, runtime and transient systemd units, and
the users' own systemd managers (linger, enabled user units) are schedules like cron's. The same on real servers:
tests/integration/test_privilege_and_schedules.py."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from stock import outcome, with_stock_logins

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import parse
from deploytests.verify.facts import Facts
from deploytests.verify.mechanisms import user_managers
from deploytests.verify.promises import CLOSED_WORLD, Expected

RECORDED = json.loads((Path(__file__).parent / "data" / "facts-clean.json").read_text())  # with its inventory


def clean_facts() -> Facts:
    return Facts("docker://web-1", remote=copy.deepcopy(RECORDED))


def inv(facts):
    return facts.remote["inventory"]


def add_text(facts, path, text):
    inv(facts)["texts"].append({"path": path, "text": text})


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def allowing(exp, **kw):
    return dataclasses.replace(exp, allow=Allowances(**kw))


def failing(facts, exp):
    """{promise id: message} of every closed-world rule that fails."""
    results = {p.id: outcome(p.id, facts, exp) for p in CLOSED_WORLD}
    return {k: v for k, v in results.items() if v.startswith("fail")}


F = stat.S_IFREG
PASSWD = "root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/sh\nappuser:x:1000:1000::/home/appuser:/bin/sh\n"
GROUP = "root:x:0:\ndaemon:x:1:\nappuser:x:1000:\nshadow:x:42:\ncrontab:x:101:\n"


def snap(files: dict, data: dict | None = None) -> parse.Snapshot:
    out = {"/etc/passwd": {"st": [F | 0o644, 0, 0, 1, 0, 1], "data": PASSWD},
           "/etc/group": {"st": [F | 0o644, 0, 0, 1, 0, 2], "data": GROUP}}
    for path, (mode, uid, gid, *caps) in files.items():
        out[path] = {"st": [F | mode, uid, gid, 1, 0, 3], **({"caps": caps[0].decode("latin-1")} if caps else {})}
    for path, text in (data or {}).items():
        out.setdefault(path, {"st": [F | 0o644, 0, 0, 1, 0, 4]})["data"] = text
    return parse.Snapshot({"files": out, "dirs": {"/var/lib/dpkg/info": [n.rsplit("/", 1)[1] for n in data or {}
                                                                         if n.startswith("/var/lib/dpkg/info/")]}})


# the bytes setcap wrote on Debian 12 (read back with os.getxattr): v2 data
NET_RAW_EP = bytes.fromhex("0100000200200000000000000000000000000000")
SETUID_EP = bytes.fromhex("0100000280000000000000000000000000000000")
TWO_EIP = bytes.fromhex("0100000200300000003000000000000000000000")


def test_file_capabilities_read_as_getcap_shows_them():
    assert parse.file_caps(NET_RAW_EP) == "cap_net_raw=ep"
    assert parse.file_caps(SETUID_EP) == "cap_setuid=ep"
    assert parse.file_caps(TWO_EIP) == "cap_net_admin,cap_net_raw=eip"


def test_privileged_files_carry_their_bits_package_and_dpkgs_override():
    s = snap({"/usr/bin/sudo": (0o4755, 0, 0), "/usr/bin/crontab": (0o2755, 0, 101), "/usr/bin/ls": (0o755, 0, 0),
              "/usr/bin/python3.11": (0o755, 0, 0, SETUID_EP), "/etc/cron.daily/x": (0o4644, 0, 0)},
             {"/var/lib/dpkg/info/sudo.list": "/usr/bin/sudo\n", "/var/lib/dpkg/info/cron.list": "/bin/crontab\n",
              "/var/lib/dpkg/info/python3.11-minimal.list": "/usr/bin/python3.11\n",
              "/var/lib/dpkg/info/cron.postinst": "if ! dpkg-statoverride --list /usr/bin/crontab > /dev/null\n"
                                                  "then\n  dpkg-statoverride --update --add root crontab 2755 "
                                                  "/usr/bin/crontab\nfi\n",
              "/var/lib/dpkg/statoverride": "root crontab 2755 /usr/bin/crontab\n"})
    assert parse.privileged_files(s) == [
        {"path": "/etc/cron.daily/x", "state": "4644 root:root", "package": None, "override": None,
         "override_by_hand": None, "sha256": None, "unpacked": False},
        {"path": "/usr/bin/crontab", "state": "2755 root:crontab", "package": "cron", "override": "2755 root:crontab",
         "override_by_hand": None, "sha256": None, "unpacked": False},
        {"path": "/usr/bin/python3.11", "state": "0755 root:root cap_setuid=ep", "package": "python3.11-minimal",
         "override": None, "override_by_hand": None, "sha256": None, "unpacked": False},
        {"path": "/usr/bin/sudo", "state": "4755 root:root", "package": "sudo", "override": None,
         "override_by_hand": None, "sha256": None, "unpacked": False}]


# blind: statoverride-setuid-find: `dpkg-statoverride --update --add root root 4755 /usr/bin/find` (a setuid-root
# find: root for every local user) passed, dpkg's record taken as the package's design. Class: a record root may
# write for any file taken as proof of a package's intent. An override counts only when the package's own
# maintainer script writes it, with those bits (cron's crontab); other members: an override on a package whose
# postinst writes none (find), one whose postinst writes another (crontab made setuid root), none at all.
@pytest.mark.parametrize("path, pkg, postinst, override, own", [
    ("/usr/bin/crontab", "cron", "dpkg-statoverride --update --add root crontab 2755 /usr/bin/crontab\n",
     "root crontab 2755 /usr/bin/crontab", True),
    ("/bin/crontab", "cron", "dpkg-statoverride --update --add root crontab 2755 /usr/bin/crontab\n",
     "root crontab 2755 /bin/crontab", True),  # (merged /usr: one file)
    ("/usr/bin/find", "findutils", None, "root root 4755 /usr/bin/find", False),
    ("/usr/bin/crontab", "cron", "dpkg-statoverride --update --add root crontab 2755 /usr/bin/crontab\n",
     "root root 4755 /usr/bin/crontab", False),
    ("/usr/bin/crontab", "cron", "#!/bin/sh\nexit 0\n", "root crontab 2755 /usr/bin/crontab", False),
])
def test_a_stat_override_is_a_packages_own_only_when_its_maintainer_script_writes_it(path, pkg, postinst, override,
                                                                                    own):
    mode, owner, group = int(override.split()[2], 8), override.split()[0], override.split()[1]
    s = snap({path: (mode, 0, 101 if group == "crontab" else 0)},
             {f"/var/lib/dpkg/info/{pkg}.list": f"{path}\n", "/var/lib/dpkg/statoverride": override + "\n",
              **({f"/var/lib/dpkg/info/{pkg}.postinst": postinst} if postinst else {})})
    [f] = parse.privileged_files(s)
    bits = f"{mode:04o} {owner}:{group}"
    assert (f["override"], f["override_by_hand"]) == ((bits, None) if own else (None, bits))


def test_a_stat_override_made_by_hand_fails_saying_so(exp):
    facts = clean_facts()
    privileged(facts, *STOCK, ("/usr/bin/find", "4755 root:root", "findutils", None))
    inv(facts)["privileged"][-1]["override_by_hand"] = "4755 root:root"
    msg = failing(facts, exp)["cw_setuid"]
    assert "/usr/bin/find (4755 root:root): whoever runs it (the app user too) gets root's rights (setuid)" in msg
    assert "dpkg's stat override for it (4755 root:root) is not one its package's maintainer script writes" in msg
    assert 'allow_privileged = ["/usr/bin/find 4755 root:root sha256:' in msg


def test_a_packages_own_bits_are_known_by_when_they_were_set():
    """newuser5's F3: `apt-get install cron` pulled in liblockfile-bin, whose /usr/bin/dotlockfile is 2755
    root:mail in its .deb; the gate failed saying the package ships it without privileges (false: the stack's
    baseline simply did not know that package). Class: a package's own bits known only for the baseline's
    packages. dpkg keeps no modes, but the kernel dates each change of them: a file whose ctime is no later than
    its package's list (written at the end of its unpack) has the bits the package gave it; a chmod since
    (the other member: a packaged python made setuid) is later, and still fails."""
    s = snap({"/usr/bin/dotlockfile": (0o2755, 0, 8), "/usr/bin/python3.11": (0o4755, 0, 0)},
             {"/var/lib/dpkg/info/liblockfile-bin.list": "/usr/bin/dotlockfile\n",
              "/var/lib/dpkg/info/python3.11-minimal:amd64.list": "/usr/bin/python3.11\n"})
    for path, ctime in (("/usr/bin/dotlockfile", 1000.0), ("/var/lib/dpkg/info/liblockfile-bin.list", 1001.0),
                        ("/usr/bin/python3.11", 5000.0), ("/var/lib/dpkg/info/python3.11-minimal:amd64.list", 900.0)):
        s.files[path]["ctime"] = ctime
    assert {f["path"]: f["unpacked"] for f in parse.privileged_files(s)} == {
        "/usr/bin/dotlockfile": True, "/usr/bin/python3.11": False}


# Class: a package's own bits set by its maintainer script read as set by someone after dpkg. borgbackup's
# recommends pulled in fuse, whose postinst runs `chmod 4755 /bin/fusermount` (no stat override: Debian's way of
# letting an admin override it); the gate failed test_no_unaccounted_privileged_files ("fuse ships it, and these
# bits are not its stock ones ... set after dpkg unpacked it"). The time the package's install took in dpkg's log
# (from its unpack, when its list is written, to its end) now bounds its own changes. Other members: an admin's
# chmod after the install (still a finding), a package whose log line is gone (rotated: not known, a finding).
# Class: a time of dpkg's log read in the zone of now, not the zone it was written in: the admin set the server's
# zone after installing (mtr-tiny's postinst setcap read as an hour after its install, Europe/Berlin after UTC).
# The span between two of the log's own lines needs no zone. Other member: fuse's chmod with the zone changed the
# other way; a trigger's later end of the package's configuration widens nothing.
UNPACKED = "status unpacked fuse:amd64 2.9.9-6+b1\n"
INSTALLED = "status installed fuse:amd64 2.9.9-6+b1\n"


@pytest.mark.parametrize("zone, log, ctime, own", [
    ("Etc/UTC", f"2026-12-06 01:07:12 {UNPACKED}2026-12-06 01:07:35 {INSTALLED}", 35, True),  # by its postinst
    ("Europe/Berlin", f"2026-12-06 02:07:12 {UNPACKED}2026-12-06 02:07:35 {INSTALLED}", 35, True),  # local time
    ("Europe/Berlin", f"2026-12-06 01:07:12 {UNPACKED}2026-12-06 01:07:35 {INSTALLED}", 35, True),  # zone set since
    ("Etc/UTC", f"2026-12-06 02:07:12 {UNPACKED}2026-12-06 02:07:35 {INSTALLED}", 35, True),  # and the other way
    ("Etc/UTC", f"2026-12-06 01:07:12 {UNPACKED}2026-12-06 01:07:35 {INSTALLED}", 3600, False),  # an admin's chmod
    ("Europe/Berlin", f"2026-12-06 02:07:12 {UNPACKED}2026-12-06 02:07:35 {INSTALLED}", 1800, False),
    ("Etc/UTC", f"2026-12-06 01:07:12 {UNPACKED}2026-12-06 01:07:35 {INSTALLED}"  # a trigger's run a day later
                f"2026-12-07 01:07:00 status half-configured fuse:amd64 2.9.9-6+b1\n2026-12-07 01:07:01 {INSTALLED}",
     3600, False),
    ("Etc/UTC", f"2026-12-06 01:07:12 {UNPACKED}", 35, False),  # no end of its install (rotated away): not known
])
def test_a_packages_postinst_bits_are_its_own(zone, log, ctime, own):
    import datetime as dt
    base = dt.datetime(2026, 12, 6, 1, 7, 0, tzinfo=dt.UTC).timestamp()  # 01:07:00 UTC
    s = snap({"/usr/bin/fusermount": (0o4755, 0, 0)},
             {"/var/lib/dpkg/info/fuse.list": "/bin/fusermount\n", "/var/log/dpkg.log": log})
    s.files["/etc/localtime"] = {"st": [0o120777, 0, 0, 1, 0, 9], "link": f"/usr/share/zoneinfo/{zone}"}
    s.files["/var/lib/dpkg/info/fuse.list"]["ctime"] = base + 12.0
    s.files["/usr/bin/fusermount"]["ctime"] = base + ctime
    assert [(f["package"], f["unpacked"]) for f in parse.privileged_files(s)] == [("fuse", own)]


@pytest.mark.parametrize("postinst, own", [
    (None, False),  # blind8's k03: tcpdump installed, setcap within the same second: dpkg never unpacks capabilities
    ("#!/bin/sh\nset -e\nexit 0\n", False),  # a postinst that sets none
    ("#!/bin/sh\nsetcap cap_net_raw+ep /usr/bin/mtr-packet || chmod u+s /usr/bin/mtr-packet\n", True)])  # its own
def test_a_capability_is_a_packages_own_only_when_its_postinst_sets_one(postinst, own):
    s = snap({"/usr/bin/mtr-packet": (0o755, 0, 0)},
             {"/var/lib/dpkg/info/mtr-tiny.list": "/usr/bin/mtr-packet\n",
              **({"/var/lib/dpkg/info/mtr-tiny.postinst": postinst} if postinst else {})})
    s.files["/usr/bin/mtr-packet"].update(caps="\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                                                "\x00\x00\x00\x00", ctime=1000.0)
    s.files["/var/lib/dpkg/info/mtr-tiny.list"]["ctime"] = 1000.5
    assert [(f["state"], f["unpacked"]) for f in parse.privileged_files(s)] == [
        ("0755 root:root cap_net_raw=ep", own)]


def test_the_rule_takes_a_packages_own_bits_and_nothing_set_after(exp):
    facts = clean_facts()
    inv(facts)["privileged"] = [{"path": "/usr/bin/dotlockfile", "state": "2755 root:mail",
                                 "package": "liblockfile-bin", "override": None, "unpacked": True}]
    assert outcome("cw_setuid", facts, exp) == "pass"
    inv(facts)["privileged"][0]["unpacked"] = False
    assert "liblockfile-bin ships it, and these bits are not its stock ones" in failing(facts, exp)["cw_setuid"]


def privileged(facts, *entries):
    """The privileged files ``entries`` (path, state, package, override), each with the login collector's digest
    of its bytes (here: of its path)."""
    inv(facts)["privileged"] = [dict(zip(("path", "state", "package", "override"), e, strict=True),
                                     sha256=hashlib.sha256(e[0].encode()).hexdigest()) for e in entries]


STOCK = [("/usr/bin/sudo", "4755 root:root", "sudo", None), ("/usr/bin/ping", "0755 root:root cap_net_raw=ep",
                                                             "iputils-ping", None),
         ("/usr/bin/crontab", "2755 root:crontab", "cron", "2755 root:crontab")]


def test_stock_privileged_files_and_dpkgs_overrides_pass(exp):
    facts = clean_facts()
    privileged(facts, *STOCK, ("/usr/sbin/postdrop", "2555 root:postdrop", "postfix", "2555 root:postdrop"))
    assert outcome("cw_setuid", facts, exp) == "pass"


@pytest.mark.parametrize("entry, found", [
    # the gap: a packaged program made setuid by hand was accepted because dpkg lists it
    (("/usr/bin/python3.11", "4755 root:root", "python3.11-minimal", None),
     "/usr/bin/python3.11 (4755 root:root): whoever runs it (the app user too) gets root's rights (setuid); "
     "python3.11-minimal ships it, and these bits are not its stock ones, not a dpkg stat override, and were set "
     "after dpkg installed it"),
    # the same by a capability, on another packaged program
    (("/usr/bin/perl", "0755 root:root cap_net_bind_service=ep", "perl-base", None),
     "gets the capabilities cap_net_bind_service=ep; perl-base ships it, and these bits are not its stock ones"),
    (("/usr/bin/find", "2755 root:shadow", "findutils", None), "gets group shadow's rights (setgid)"),
    # a stock privileged file with more than its stock bits
    (("/usr/bin/sudo", "6755 root:root", "sudo", None), "sudo ships it, but not with these bits (stock: 4755 "
                                                        "root:root)"),
    (("/usr/bin/ping", "0755 root:root cap_net_admin,cap_net_raw=ep", "iputils-ping", None), "not with these bits"),
    # bits that differ from dpkg's own override
    (("/usr/bin/crontab", "6755 root:crontab", "cron", "2755 root:crontab"), "cron ships it, but not with"),
    # the stock name and bits, but no package ships it there (a copy of a shell)
    (("/usr/local/bin/sudo", "4755 root:root", None, None), "no installed package ships it"),
])
def test_privilege_bits_not_stock_nor_dpkgs_override_fail_and_the_allowance_takes_exactly_them(exp, entry, found):
    facts = clean_facts()
    privileged(facts, *STOCK, entry)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_setuid"] and found in msg["cw_setuid"], msg
    assert "1 privileged file" in msg["cw_setuid"]
    line = f"{entry[0]} {entry[1]}"
    assert f'allow_privileged = ["{line} sha256:' in msg["cw_setuid"]
    allowed = outcome("cw_setuid", facts, allowing(exp, privileged=(line,)))  # a capability every user gets is
    assert allowed == "pass" or ("cap_setuid" in line or "cap_net_" in line) and \
        "every local user may run it" in allowed, allowed
    other = f"{entry[0]} 4711 root:root"  # an allowance of other bits accepts nothing else
    assert outcome("cw_setuid", facts, allowing(exp, privileged=(other,))).startswith("fail")


@pytest.mark.parametrize("state, fails", [
    ("0755 root:root cap_net_raw=eip", True),  # blind8's k03: tcpdump allowed as it is: every user captures
    ("0755 root:root cap_dac_read_search=ep", True),  # other members: every file read, every process traced
    ("0711 root:root cap_sys_ptrace=ep", True),
    ("0750 root:pcap cap_net_raw=eip", False),  # only a group runs it: what the allowance says
    ("0755 root:root cap_net_bind_service=ep", False),  # a low port: nothing of anyone else's
])
def test_an_allowed_capability_every_user_gets_is_judged_by_what_it_reaches(exp, state, fails):
    facts = clean_facts()
    privileged(facts, *STOCK, ("/usr/bin/tcpdump", state, "tcpdump", None))
    found = outcome("cw_setuid", facts, allowing(exp, privileged=(f"/usr/bin/tcpdump {state}",)))
    assert (found != "pass") is fails, found
    if fails:
        assert "every local user may run it" in found and ("whatever is allowed" in found or
                                                           "accounts for its bits, not for what they grant" in found)
    assert outcome("cw_setuid", facts, exp).startswith("fail")  # not allowed: the file itself, as before


@pytest.mark.parametrize("entry", [
    ("/usr/bin/tar", "0755 root:root cap_dac_override=ep", "tar", None),  # blind9's k03 (shown: nobody read shadow)
    ("/usr/bin/python3.11", "0755 root:root cap_setuid=ep", "python3.11-minimal", None),
    ("/usr/local/bin/restic", "0755 root:root cap_dac_read_search,cap_net_raw=eip", None, None)])
def test_a_capability_with_roots_power_on_a_file_anyone_runs_fails_even_allowed(exp, entry):
    """Class (blind9's k03, blind8's k03-k04): a file capability that is root's power over files or users
    (dac_override, dac_read_search, setuid, sys_admin ...) on a file every local user may run is theirs, so
    allow_privileged accounts for its bits, not for what they grant; the same bits on 0750 root:<group>, or a
    capability without that power (net_raw), pass when allowed."""
    facts = clean_facts()
    privileged(facts, *STOCK, entry)
    line = f"{entry[0]} {entry[1]}"
    msg = failing(facts, allowing(exp, privileged=(line,)))
    assert list(msg) == ["cw_setuid"] and f"{entry[0]} ({entry[1]}): every local user may run it" in \
        msg["cw_setuid"] and "allow_privileged accounts for its bits, not for what they grant" in msg["cw_setuid"]
    narrow = (entry[0], entry[1].replace("0755 root:root", "0750 root:backup"), entry[2], None)
    privileged(facts, *STOCK, narrow)
    assert outcome("cw_setuid", facts, allowing(exp, privileged=(f"{narrow[0]} {narrow[1]}",))) == "pass"


# ---------------------------------------------------------------- at jobs, every crontab

AT_JOB = """#!/bin/sh
# atrun uid=1000 gid=1000
# mail appuser 0
umask 22
PWD=/var/www/yourapplication/current; export PWD
cd {cwd} || {{
\t echo 'Execution directory inaccessible' >&2
\t exit 1
}}
{job}
"""


def test_at_jobs_are_their_owners_and_read_after_ats_preamble():
    s = snap({"/var/spool/cron/atjobs/a0000101c8de62": (0o700, 1000, 1)},
             {"/var/spool/cron/atjobs/a0000101c8de62": AT_JOB.format(cwd="/tmp", job="/usr/bin/id")})
    s.dirs["/var/spool/cron/atjobs"] = [".SEQ", "a0000101c8de62"]
    assert parse.at_jobs(s) == [{"where": "/var/spool/cron/atjobs/a0000101c8de62", "user": "appuser",
                                 "file": "/var/spool/cron/atjobs/a0000101c8de62", "job": "cd /tmp; /usr/bin/id"}]


def test_an_at_jobs_environment_from_its_submitter_is_part_of_the_job(exp):
    """attack8: an admin's `sudo --preserve-env=PYTHONPATH at ...` (PYTHONPATH=/srv/tools, the deploy team's) queued
    a root job whose preamble exports it: root's python3 then runs /srv/tools/sitecustomize.py; the gate read the
    commands after the preamble only and passed. The preamble's variables are the job's (at's bookkeeping aside)."""
    text = AT_JOB.format(cwd="/tmp", job="/usr/bin/python3 -c 1").replace(
        "umask 22\n", "umask 22\nMAIL=/var/mail/root; export MAIL\nPYTHONPATH=/srv/tools; export PYTHONPATH\n")
    s = snap({"/var/spool/cron/atjobs/a0000201c8de62": (0o700, 0, 0)}, {"/var/spool/cron/atjobs/a0000201c8de62": text})
    s.dirs["/var/spool/cron/atjobs"] = ["a0000201c8de62"]
    assert parse.at_jobs(s)[0]["job"] == "PYTHONPATH=/srv/tools; cd /tmp; /usr/bin/python3 -c 1"


@pytest.mark.parametrize("user, cwd, job, fails", [
    ("yourapplication", "/tmp", "/usr/bin/id", True),       # any job of a watched user
    ("root", "/tmp", "/var/www/yourapplication/current/venv/bin/python -m x", True),  # root with the app's code
    ("root", "/var/www/yourapplication/current", "venv/bin/python -m x", True),       # run from the app's tree
    ("root", "/tmp", "/usr/sbin/logrotate -f /etc/logrotate.conf", False),  # PWD in at's env is no job
    ("operator", "/srv", "/usr/bin/id", False),
])
def test_an_at_job_is_a_schedule_like_crons(exp, user, cwd, job, fails):
    facts = clean_facts()
    path = "/var/spool/cron/atjobs/a00001019ab"
    inv(facts)["at_jobs"] = [{"where": path, "file": path, "user": user, "job": f"cd {cwd}; {job}"}]
    add_text(facts, path, f"#!/bin/sh\ncd {cwd}; {job}\n")  # (root's read of the job file: what a pin holds)
    msg = failing(facts, exp)
    if not fails:
        assert msg == {}
        return
    assert list(msg) == ["cw_schedules"] and f"{path}: runs " in msg["cw_schedules"] and f" as {user}" in \
        msg["cw_schedules"], msg
    # (root with the app's code: no allowance accounts for it, as for a unit)
    assert (outcome("cw_schedules", facts, allowing(exp, cron=(path,))) == "pass") is (user != "root")


STOCK_CRONTAB = ("SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n"
                 "17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n")


@pytest.mark.parametrize("path, text, line", [
    ("/etc/crontab", STOCK_CRONTAB.replace("PATH=", "PATH=/var/www/yourapplication/current/venv/bin:"), 2),
    ("/etc/cron.d/app-env", "BASH_ENV=/var/www/yourapplication/shared/data/env.sh\n0 3 * * * root /usr/bin/true\n",
     1),
    ("/etc/cron.d/report", "PYTHONPATH = /var/www/yourapplication/current/venv/lib/python3.11/site-packages\n"
     "0 3 * * * root /usr/bin/python3 -m report\n", 1)])
def test_a_cron_files_environment_that_loads_from_the_apps_tree_is_a_root_job(exp, path, text, line):
    """blind7's e15: /etc/crontab's PATH put the live release's venv first ('so cron finds flask'): root's stock
    run-parts lines then run the deploy login's 'run-parts'. A crontab's PATH, BASH_ENV, PYTHONPATH ... lines are
    read as what every later job of the file loads from; the stock PATH is root's dirs and passes."""
    facts = clean_facts()
    add_text(facts, path, text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"], msg
    assert f"{path}:{line}: runs " in msg["cw_schedules"] and "as root from the app's tree" in msg["cw_schedules"]
    # (root loading from the app's tree: no allowance accounts for it, whoever writes there)
    assert outcome("cw_schedules", facts, allowing(exp, cron=(path,))).startswith("fail")
    stock = clean_facts()
    add_text(stock, "/etc/crontab", STOCK_CRONTAB)
    assert failing(stock, exp) == {}


def test_the_login_collector_finds_roots_files_under_etc_that_name_the_apps_tree(tmp_path):
    """blind7's e08/e12/e13/e16: incron's tables, needrestart's conf.d, dpkg's dpkg.cfg.d, sysctl.d: root's programs
    read configuration under /etc that no list of places names. The collector searches root's files there for the
    tree's path (the matching lines only) and records links into it; it parses nothing."""
    from deploytests.verify import collect_login

    root = "/var/www/yourapplication"
    (tmp_path / "incron.d").mkdir()
    (tmp_path / "incron.d" / "app").write_text(f"# uploads\n{root}/shared/data/in IN_CLOSE_WRITE {root}/current/x $@\n")
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "other").write_text("NAME=/var/www/yourapplication2\n")  # another tree: its line too
    (tmp_path / "default" / "loose").write_text(f"X={root}\n")
    (tmp_path / "default" / "loose").chmod(0o664)  # group-writable: not read (another rule's)
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "app.conf").symlink_to(f"{root}/shared/data/needrestart.conf")
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, root, top=str(tmp_path))
    mine = os.getuid() == 0  # (root's files only: as root, the test's files are root's)
    assert out["mentions"].get(f"{tmp_path}/incron.d/app") == (
        [[2, f"{root}/shared/data/in IN_CLOSE_WRITE {root}/current/x $@"]] if mine else None)
    assert out["mentions"][f"{tmp_path}/conf.d/app.conf"] == f"-> {root}/shared/data/needrestart.conf"
    assert f"{tmp_path}/default/loose" not in out["mentions"]
    collect_login.mentions(out, root, top=str(tmp_path), most=2)
    assert "more than 2 entries" in out["errors"]["mentions"]



def test_an_include_spelled_like_a_comment_is_a_line_root_reads(tmp_path, monkeypatch):
    """blind: apt-conf-include-shared: ``#include "<the app's shared dir>/apt.conf";`` in apt.conf.d passed: every
    line starting with ``#`` was dropped as a comment, but apt's (and sudo's) ``#include`` is a directive: apt reads
    that file as root (a ``DPkg::Post-Invoke`` there runs at every apt run). Class: a directive spelled like a
    comment. Other members: the same in ``/etc/apt/apt.conf`` (root's other configuration, not a hook file), and an
    include of a file outside the tree that someone but root may change (only a judged word then, not a tree
    name): the collector now judges its words, and both readers keep the line; a commented-out one stays a
    comment."""
    from deploytests.verify import collect_login

    real = os.lstat  # (the test's files count as root's whoever runs it: the vendor dir is not)
    vendor = tmp_path / "opt" / "vendor"
    vendor.mkdir(parents=True)
    monkeypatch.setattr(collect_login.os, "lstat", lambda p: os.stat_result(
        (*real(p)[:4], 1000 if str(p).startswith(str(vendor)) else 0, *real(p)[5:10])))
    etc = tmp_path / "etc"
    (etc / "apt").mkdir(parents=True)
    (etc / "apt" / "apt.conf").write_text(f'#include "{vendor}/apt.conf";\n# #include "{vendor}/old.conf";\n')
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(etc))
    assert out["mentions"].get(f"{etc}/apt/apt.conf") == [[1, f'#include "{vendor}/apt.conf";']], out["mentions"]
    found = parse.root_mentions(parse.Snapshot({"files": {}, "mentions": {
        "/etc/apt/apt.conf": [[1, '#include "/opt/vendor/apt.conf";'], [2, "# #include x"]],
        "/etc/sudo-ldap.conf": [[1, "#includedir /opt/vendor/sudoers.d"], [2, "#  a comment naming /opt/vendor"]]}}))
    assert [(f["where"], f["job"], f.get("config")) for f in found] == [
        ("/etc/apt/apt.conf:1", '#include "/opt/vendor/apt.conf";', True),
        ("/etc/sudo-ldap.conf:1", "#includedir /opt/vendor/sudoers.d", True)]


def test_a_root_file_above_a_mib_is_searched_or_named_never_passed_over(tmp_path, monkeypatch):
    """attack8/attack9: ``mentions`` skipped root's files over 1 MiB without a word, so a large root file under /etc
    (a padded incron table, a generated hwdb-like blob) naming the app's tree was never looked at. Now every root
    file is searched whatever its size, within one budget for the walk; a file the budget leaves unread is named in
    ``errors`` (the gate's first check fails naming it)."""
    from deploytests.verify import collect_login

    real = os.lstat  # (root's files only: the test's files count as root's whoever runs it)
    monkeypatch.setattr(collect_login.os, "lstat", lambda p: os.stat_result((*real(p)[:4], 0, *real(p)[5:10])))
    root = "/var/www/yourapplication"
    big = tmp_path / "incron.d" / "big"
    big.parent.mkdir()
    big.write_bytes(b"# padding\n" * 200_000 + f"{root}/shared/data/in IN_CLOSE_WRITE {root}/current/x\n".encode())
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, root, top=str(tmp_path))
    assert out["mentions"].get(str(big)) == [[200_001, f"{root}/shared/data/in IN_CLOSE_WRITE {root}/current/x"]]
    assert out["errors"] == {}
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, root, top=str(tmp_path), budget=1 << 20)
    assert str(big) not in out["mentions"]
    assert out["errors"] == {f"mentions: {big}": f"{big.stat().st_size} bytes, more than the 1048576 left to "
                                                 "read: not searched for the app's tree"}, out["errors"]

R = "/var/www/yourapplication"
MENTIONS = {"/etc/incron.d/app-ingest": [[1, f"{R}/shared/data/incoming IN_CLOSE_WRITE {R}/current/venv/bin/python "
                                              "-m yourapplication.ingest $@/$#"]],
            "/etc/needrestart/conf.d/app.conf": f"-> {R}/shared/data/needrestart.conf",
            "/etc/dpkg/dpkg.cfg.d/app-cache": [[2, f"post-invoke=cd {R}/current && venv/bin/flask x"]],
            "/etc/sysctl.d/60-app-crash.conf": [[1, f"kernel.core_pattern = |{R}/current/venv/bin/python -m c %p"]],
            "/etc/default/apache-htcacheclean": [[3, f"HTCACHECLEAN_PATH={R}/shared/cache"]],  # other members
            "/etc/monit/conf.d/app": f"-> {R}/shared/data/monit.conf",
            "/etc/logrotate.d/httpd-prerotate/app-flush": [[3, f"{R}/current/venv/bin/python -c 'import x'"]],
            # read line by line by other rules, or not root's to act on: never a second line here
            "/etc/apache2/sites-available/yourapplication.conf": [[1, f"DocumentRoot {R}"]],
            "/etc/passwd": [[20, f"yourapplication:x:999:999::{R}:/usr/sbin/nologin"]],
            "/etc/cron.d/app": [[1, f"0 3 * * * root {R}/current/venv/bin/flask x"]],
            "/etc/logrotate.d/app": [[1, f"{R}/shared/*.log {{"]],
            "/etc/update-motd.d/50-app": [[2, f"{R}/current/venv/bin/python -m x"]],
            "/etc/bash.bashrc": [[61, f". {R}/shared/data/shell.env"]],
            "/etc/default/commented": [[1, f"# {R} was here"]]}


def test_roots_other_configuration_naming_the_apps_tree_is_a_schedule_finding(exp):
    """Whatever program reads it (incron, needrestart, dpkg, the kernel's core_pattern, htcacheclean's defaults,
    monit's conf.d): a line of root's configuration under /etc that names the app's tree, or a link there into
    it, is one line naming file:line, allowed by path like a cron file; what another rule reads line by line
    (Apache's files, cron's, the hooks, the places root acts later, logrotate's files, the accounts) is not
    counted twice."""
    digests = {p: "ab" * 32 for p, v in MENTIONS.items() if not isinstance(v, str)}  # (the login collector's)
    snap = parse.Snapshot({"files": {}, "dirs": {}, "mentions": MENTIONS, "digests": digests})
    found = parse.root_mentions(snap)
    assert [j["where"] for j in found] == [
        "/etc/default/apache-htcacheclean:3", "/etc/dpkg/dpkg.cfg.d/app-cache:2", "/etc/incron.d/app-ingest:1",
        "/etc/logrotate.d/httpd-prerotate/app-flush:3", "/etc/monit/conf.d/app", "/etc/needrestart/conf.d/app.conf",
        "/etc/sysctl.d/60-app-crash.conf:1"]
    facts = clean_facts()
    inv(facts)["mentions"] = found
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"], msg
    for where in [j["where"] for j in found]:
        assert f"- {where}: runs " in msg["cw_schedules"], where
    assert "/etc/needrestart/conf.d/app.conf: runs '-> /var/www/yourapplication/shared/data/needrestart.conf' as " \
           "root, naming the app's tree" in msg["cw_schedules"], msg
    files = sorted({j["file"] for j in found})
    assert outcome("cw_schedules", facts, allowing(exp, cron=tuple(files))) == "pass"


@pytest.mark.parametrize("job, caught", [
    (f"15 3 * * * root umask 077; cd {R}/shared/data && tar czf /var/backups/app-data.tgz *", True),  # w03
    (f"0 2 * * * root cd {R}/shared/data; chown -R www-data *.jpg", True),  # another command, another glob
    (f"15 3 * * * root cd {R}/shared/data && tar czf /var/backups/app-data.tgz -- *", False),  # options ended
    (f"15 3 * * * root cd {R}/shared/data && tar czf /var/backups/app-data.tgz ./*", False),
    ("15 3 * * * root cd /var/log && tar czf /var/backups/logs.tgz *", False)])  # root's own dir
def test_a_root_job_globbing_in_a_dir_the_app_writes_fails_whatever_is_allowed(exp, job, caught):
    """blind7's w03: an allowed nightly backup 'cd <shared/data> && tar czf ... *' as root: the app names files
    '--checkpoint=1' and '--checkpoint-action=exec=sh x.sh' there, and root's tar ran x.sh (shown as uid 0). The
    allowance accounts for the job, not for what the app's file names make root run."""
    facts = clean_facts()
    add_text(facts, "/etc/cron.d/app-data-backup", "SHELL=/bin/sh\n" + job + "\n")
    msg = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/app-data-backup",)))
    if not caught:
        assert msg == "pass", msg
        return
    assert "/etc/cron.d/app-data-backup:2: root runs " in msg and "hands the names found there to the command as " \
        "arguments" in msg and "no allowance accounts for it" in msg, msg


@pytest.mark.parametrize("job, caught", [
    (f"17 * * * * root find -L {R}/shared/data/tmp -type f -mmin +1440 -delete", True),  # blind8's k02
    (f"0 4 * * * root rsync -aL {R}/shared/ /srv/copies/shared/", True),  # other members: copies, a chown
    (f"0 4 * * * root chown -RL yourapplication {R}/shared/data", True),
    (f"0 5 * * * root cd /srv && tar -chzf /var/backups/app.tgz {R}/shared", True),
    # blind9's k05 (shown: root rewrote /etc/issue.net through the app's link), and another member
    (f"30 2 * * * root du -sh {R}/shared/data/* > {R}/shared/data/reports/usage.txt 2>&1", True),
    (f"0 1 * * * root /usr/local/sbin/export-db >>{R}/shared/data/export.sql", True),
    ("0 1 * * * root /usr/local/sbin/report > /var/log/report.log 2>/dev/null", False),  # root's own dir
    (f"17 * * * * root find {R}/shared/data/tmp -type f -mmin +1440 -delete", False),  # links not followed
    ("17 * * * * root find -L /var/cache/apt -name '*.bin' -delete", False)])  # root's own dir
def test_a_root_job_following_links_in_a_dir_the_app_writes_fails_whatever_is_allowed(exp, job, caught):
    """blind8's k02: an allowed temp cleaner 'find -L <shared>/tmp ... -delete' as root follows the links the app
    user makes there (to /etc, /var/backups): root deletes there. The allowance accounts for the job, not for
    where the app's links take root."""
    facts = clean_facts()
    add_text(facts, "/etc/cron.d/app-tmp-clean", "SHELL=/bin/sh\n" + job + "\n")
    msg = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/app-tmp-clean",)))
    if not caught:
        assert msg == "pass", msg
        return
    assert "/etc/cron.d/app-tmp-clean:2: r" in msg and ("following the links it meets in" in msg or
                                                       f"it writes {R}/shared/data" in msg and
                                                       "puts a link in its place" in msg) and \
        "no allowance accounts for" in msg and msg.count("- /etc/cron.d/app-tmp-clean") == 1, msg


@pytest.mark.parametrize("job, caught", [
    # blind10 k10 (shown: the app's archive put a setuid-root python in /srv/import: the app user was root)
    (f"*/10 * * * * root [ -f {R}/shared/data/import/latest.tgz ] && tar -xzf {R}/shared/data/import/latest.tgz "
     "-C /srv/import", True),
    # other members: unzip of an upload, tar with its options apart, cpio reading the app's file
    (f"0 3 * * * root unzip -o {R}/shared/data/themes/new.zip -d /usr/local/share/themes", True),
    (f"0 3 * * * root tar --extract --file {R}/shared/data/plugins.tar -C /opt/plugins", True),
    (f"0 3 * * * root cd /srv && cpio -idm < {R}/shared/data/batch.cpio", True),
    # blind10 k02 (shown: the app's json/ package was imported by root's cron job), and another member
    (f"15 * * * * root cd {R}/shared/data && python3 -m json.tool stats.json > /var/lib/app-stats/stats.json", True),
    (f"15 * * * * root cd {R}/shared/data; /usr/bin/python3 -c 'import gzip; print(1)'", True),
    # root's own archive and directory: pass
    ("0 2 * * * root tar -xzf /var/backups/etc.tgz -C /srv/restore", False),
    ("0 2 * * * root cd /var/lib/app-stats && python3 -m json.tool a.json > b.json", False),
    (f"0 2 * * * root tar -czf /var/backups/app.tgz -C {R} shared/data", False)])  # (making one: not unpacking)
def test_a_root_job_taking_code_from_where_the_app_writes_fails_whatever_is_allowed(exp, job, caught):
    """Class: a root job that unpacks an archive the app (or someone but root) writes, or runs Python -m/-c in a
    working directory there: root writes the archive's owners, modes and names, or imports the app's module. The
    allowance accounts for the job, not for what the app's files make root do."""
    facts = clean_facts()
    add_text(facts, "/etc/cron.d/app-job", "SHELL=/bin/sh\n" + job + "\n")
    msg = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/app-job",)))
    if not caught:
        assert "unpacking" not in msg and "first on sys.path" not in msg, msg
        return
    assert ("unpacking" in msg or "first on sys.path" in msg) and "no allowance accounts for it" in msg, msg


def test_a_units_output_file_in_a_dir_the_app_writes_is_followed_by_root_whatever_is_allowed(exp):
    """blind10 k09 (shown: root appended to /etc/ld.so.preload through the app's link): an allowed root unit's
    StandardOutput=append: in the app's dir: systemd opens it, links followed. Another member: StandardError=file:.
    A file in root's own /var/log passes."""
    for key, where, caught in (("StandardOutput=append:", f"{R}/shared/data/reports/report.log", True),
                               ("StandardError=file:", f"{R}/shared/data/err.log", True),
                               ("StandardOutput=append:", "/var/log/app-report.log", False)):
        facts = clean_facts()
        add_text(facts, "/etc/systemd/system/app-report.service", "[Service]\nType=oneshot\nExecStart=/usr/bin/du "
                 f"-sh /var/www\n{key}{where}\n")
        msg = outcome("cw_schedules", facts, allowing(exp, units=("app-report.service",)))
        assert (f"which writes {where}" in msg and "no allowance accounts for it" in msg) == caught, (key, msg)


def test_another_logins_crontab_that_runs_the_apps_code_fails(exp):
    facts = clean_facts()
    add_text(facts, "/var/spool/cron/crontabs/ops", "0 * * * * /var/www/yourapplication/current/venv/bin/flask x\n")
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and "crontabs/ops:1: runs" in msg["cw_schedules"] and " as ops " in \
        msg["cw_schedules"], msg


# ---------------------------------------------------------------- systemd: runtime units, user managers

@pytest.mark.parametrize("service", [
    "User=yourapplication\nExecStartPre=+/var/www/yourapplication/current/venv/bin/python -m x.prepare\n",  # w04
    "User=yourapplication\nExecStartPost=!/var/www/yourapplication/current/venv/bin/flask warm\n",
    "User=appuser\nPermissionsStartOnly=true\nExecStartPre=/bin/sh /var/www/yourapplication/shared/data/pre.sh\n"])
def test_an_allowed_unit_that_runs_the_apps_tree_as_root_all_the_same_fails(exp, service):
    """blind7's w04: allow_units written for the app's worker (User= the app user); a '+' ExecStartPre runs with
    full privileges whatever User= says: root runs the deploy login's interpreter at every start. The allowance
    accounts for the unit, not for that; the same unit without the elevation passes with it."""
    facts = clean_facts()
    path = "/etc/systemd/system/app-worker.service"
    add_text(facts, path, "[Service]\n" + service + "ExecStart=/var/www/yourapplication/current/venv/bin/python -m w\n")
    allowed = allowing(exp, units=("app-worker.service",))
    msg = failing(facts, allowed)
    assert list(msg) == ["cw_units"] and "app-worker.service (/etc/systemd/system/app-worker.service:" in \
        msg["cw_units"] and "runs code the deploy login or the app can change" in msg["cw_units"], msg
    assert "allow_units = [" not in msg["cw_units"]  # no allowance accounts for it
    plain = clean_facts()
    add_text(plain, path, "[Service]\n" + service.replace("=+", "=").replace("=!", "=").replace(
        "PermissionsStartOnly=true\n", "") + "ExecStart=/var/www/yourapplication/current/venv/bin/python -m w\n")
    assert failing(plain, allowed) == {}


@pytest.mark.parametrize("path", ["/run/systemd/transient/run-r1.service", "/run/systemd/system/cache.service"])
def test_a_runtime_or_transient_unit_as_the_app_user_fails(exp, path):
    facts = clean_facts()
    add_text(facts, path, "[Service]\nUser=yourapplication\nExecStart=/usr/bin/sleep infinity\n")
    msg = failing(facts, exp)
    name = path.rsplit("/", 1)[1]
    assert list(msg) == ["cw_units"] and f"- {name} ({path}" in msg["cw_units"], msg


@pytest.mark.parametrize("linger, dirs, found", [
    (["yourapplication"], {}, "yourapplication's systemd user manager starts at boot (linger: "
                              "/var/lib/systemd/linger/yourapplication) (none enabled yet)"),
    ([], {"appuser:~/.config/systemd/user/": ["sync.service", "default.target.wants"],
          "appuser:~/.config/systemd/user/default.target.wants/": ["sync.service"]},
     "appuser's systemd user manager starts at its next session (enabled: default.target.wants/sync.service; "
     "unit files: ~/.config/systemd/user/sync.service)"),
    (["www-data"], {"www-data:~/.local/share/systemd/user/": ["t.timer"]}, "www-data's systemd user manager starts "
                                                                             "at boot"),
    # the deploy login's transient timer (systemd-run --user --on-active=1h, its manager alive while the login has a
    # session: the gate's own keeps it) passed on a systemd host; a runtime unit (--runtime) is of the same class
    ([], {"appuser:/run/user/1000/systemd/transient/": ["utick.service", "utick.timer"]},
     "appuser's systemd user manager holds units made at run time (none enabled yet; units made at run time "
     "(systemd-run --user, --runtime): /run/user/1000/systemd/transient/utick.service, "
     "/run/user/1000/systemd/transient/utick.timer)"),
    ([], {"appuser:/run/user/1000/systemd/user/": ["x.service"]}, "/run/user/1000/systemd/user/x.service"),
])
def test_a_watched_users_own_systemd_manager_fails(exp, linger, dirs, found):
    facts = clean_facts()
    inv(facts).update(linger=linger, user_units=dirs)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_units"] and found in msg["cw_units"], msg
    name = f"user@{(linger or ['appuser'])[0]}"
    assert f'allow_units = ["{name}"]' in msg["cw_units"]
    assert outcome("cw_units", facts, allowing(exp, units=(name,))) == "pass"


def test_other_users_managers_and_unit_files_never_enabled_are_no_finding():
    watched = {"yourapplication": "the app user"}
    assert user_managers(["admin"], {"admin:~/.config/systemd/user/default.target.wants/": ["x.service"]},
                         watched) == {}
    assert user_managers([], {"yourapplication:~/.config/systemd/user/": ["x.service"]}, watched) == {}


L = stat.S_IFLNK


@pytest.mark.parametrize("target, lists, fails", [
    ("/lib/systemd/system/cron.service", {"cron.list": "/lib/systemd/system/cron.service\n"}, False),
    ("/usr/lib/systemd/system/cron.service", {"cron.list": "/lib/systemd/system/cron.service\n"}, False),
    ("/lib/systemd/system/cron.service", {"cron.list": "/usr/lib/systemd/system/cron.service\n"}, False),
    ("/dev/null", {}, False),  # a masked unit
    ("/lib/systemd/system/sync-cache.service", {"cron.list": "/lib/systemd/system/cron.service\n"}, True),
    ("/opt/tools/sync.service", {}, True),
])
def test_an_enabled_unit_whose_file_no_package_ships_outside_the_units_the_gate_reads_fails(exp, target, lists,
                                                                                             fails):
    facts = clean_facts()
    link = "/etc/systemd/system/multi-user.target.wants/" + target.rsplit("/", 1)[1]
    files = {link: {"st": [L | 0o777, 0, 0, 1, 0, 9], "link": target}}
    files.update({f"/var/lib/dpkg/info/{n}": {"st": [F | 0o644, 0, 0, 1, 0, 9], "data": t} for n, t in lists.items()})
    # (the link as a postinst made it: deb-systemd-helper's record; one made by hand: test_later_starts)
    files[link.replace("/etc/systemd/system/", "/var/lib/systemd/deb-systemd-helper-enabled/")] = {
        "st": [F | 0o644, 0, 0, 0, 0, 9], "data": ""}
    facts.raw = parse.Snapshot({"files": files, "dirs": {"/var/lib/dpkg/info": sorted(lists)}})
    found = outcome("cw_units", facts, exp)
    if not fails:
        assert found == "pass"
        return
    assert found.startswith("fail") and f"its unit file is {target}, which no installed package ships" in found


@pytest.mark.parametrize("target, dir_owner, fails", [
    # blind10's admin stage: postfix replaced exim4; exim4-base's enable link stayed, pointing at nothing
    ("/lib/systemd/system/exim4-base.timer", 0, False),
    ("/usr/lib/systemd/system/old-agent.service", 0, False),
    # a link to nothing in a directory another account may write: they make the unit, systemd runs it as root
    ("/opt/tools/sync.service", 997, True)])
def test_an_enable_link_a_removed_package_left_runs_nothing_unless_others_may_make_its_file(exp, target, dir_owner,
                                                                                            fails):
    """False alarm class: a dangling enable link whose file no installed package ships (apt removed the package,
    not its link) read as 'a unit by hand'. A link to nothing that only root may create runs nothing; one whose
    target others may create is still a finding."""
    facts = clean_facts()
    link = "/etc/systemd/system/timers.target.wants/" + target.rsplit("/", 1)[1]
    top = target.rsplit("/", 1)[0]
    D = stat.S_IFDIR | 0o755
    above = {"/".join(top.split("/")[:i]): {"st": [D, 0, 0, 0, 0, 3]} for i in range(2, top.count("/") + 1)}
    files = {link: {"st": [L | 0o777, 0, 0, 1, 0, 9], "link": target}, "/": {"st": [D, 0, 0, 0, 0, 2]}, **above,
             top: {"st": [D, dir_owner, dir_owner, 0, 0, 4]}}
    facts.raw = parse.Snapshot({"files": files, "dirs": {"/var/lib/dpkg/info": []},
                                "named": {target: {"why": "No such file or directory"}}})
    found = outcome("cw_units", facts, exp)
    assert (f"its unit file is {target}, which no installed package ships" in found) == fails, found


# ---------------------------------------------------------------- the blind test's classes (round 2)

def test_a_packaged_file_owned_by_its_system_user_is_stock_on_the_load_path(exp):
    """Debian's at is 6755 daemon:daemon: a command dir entry someone but root may change, as the package ships
    it (the blind test's false alarm, b26); the same bits on another path or another owner still fail."""
    facts = clean_facts()
    privileged(facts, ("/usr/bin/at", "6755 daemon:daemon", "at", None))
    inv(facts)["load_path"] = [{"area": "a command directory (root's PATH)", "top": "/usr/bin",
                                "path": "/usr/bin/at 6755 daemon:daemon"}]
    assert failing(facts, exp) == {}
    inv(facts)["load_path"][0]["path"] = "/usr/bin/atq 6755 daemon:daemon"
    assert list(failing(facts, exp)) == ["cw_load_path"]


def test_a_log_dir_someone_else_owns_says_root_writes_there(exp):
    facts = clean_facts()
    inv(facts)["load_path"] = [{"area": "the directory Apache's root parent opens its logs in",
                                "top": "/var/log/apache2", "path": "/var/log/apache2 0770 root:yourapplication"}]
    msg = failing(facts, exp)
    assert list(msg) == ["cw_load_path"] and "makes Apache's root parent write any file" in msg["cw_load_path"]


def proc(pid, user, cmdline, ancestors=()):
    return {"pid": pid, "user": user, "uid": 0, "ppid": 1, "comm": cmdline.split()[0][-15:], "cmdline": cmdline,
            "exe": cmdline.split()[0] if cmdline.startswith("/") else "/usr/bin/" + cmdline.split()[0], "started": 0,
            "ancestors": [{"pid": a, "comm": c, "user": u} for a, c, u in ancestors]}


@pytest.mark.parametrize("p, fails", [
    (proc(90, "root", "sh -c while :; do /var/www/yourapplication/shared/data/tidy; sleep 9; done"), True),
    (proc(91, "backup", "/usr/bin/python3 /var/www/yourapplication/current/venv/bin/flask export"), True),
    # the gate's own probe or an operator's shell: inside a live SSH session
    (proc(92, "root", "sudo -n -u deployer python3 -I -c x {\"root\": \"/var/www/yourapplication\"}",
          [(80, "sshd", "root")]), False),
])
def test_anyones_process_that_runs_from_the_apps_tree_outside_a_session_fails(exp, p, fails):
    facts = clean_facts()
    inv(facts)["reaching"] = [p]
    msg = failing(facts, exp)
    assert (list(msg) == ["cw_processes"]) == fails, msg
    if fails:
        assert f"pid {p['pid']} ({p['user']})" in msg["cw_processes"] and "names the app's tree" in msg["cw_processes"]
        argv0 = p["cmdline"].split()[0]  # (its program alone: no longer every command line of it)
        assert outcome("cw_processes", facts, allowing(exp, processes=(f"{p['user']}: {argv0}",))) != "pass"
        whole = outcome("cw_processes", facts, allowing(exp, processes=(f"{p['user']}: {p['cmdline']}",)))
        if " -c " in p["cmdline"]:  # (sh -c: code from its working directory, which this record does not know)
            assert "takes code from its working directory (not known)" in whole, whole
        else:
            assert whole == "pass", whole


@pytest.mark.parametrize("ancestors, fails", [
    ([(1, "sshd", "root")], True),  # sshd is pid 1 (a container's entrypoint execs it): every orphan's parent
    ([(1, "systemd", "root")], True),
    ([(77, "sshd", "deployer"), (76, "sshd", "root"), (1, "sshd", "root")], False),  # a login's session under it
    ([(77, "sshd-session", "deployer"), (76, "sshd-session", "root"), (5, "sshd", "root"), (1, "systemd", "root")],
     False),
])
def test_a_process_left_after_its_session_ended_is_in_none_even_where_sshd_is_pid_1(exp, ancestors, fails):
    """A process of the deploy user (or anyone's naming the app's tree) counts as part of a live SSH session (an
    operator's shell, the gate's own probe) when a root sshd is among its ancestors. Where sshd is pid 1 (the
    project's image run without an init: its entrypoint execs sshd), every orphan's parent is that sshd, so a
    daemon the deploy login left running after it logged out counted as in a session, and the gate passed it.
    Class: a session identified by an ancestor every orphan has. The reaper (pid 1) is no session's."""
    facts = clean_facts()
    left = dict(proc(93, exp.deploy_user, "sh /tmp/w.sh", ancestors), ppid=ancestors[0][0])
    inv(facts)["processes"] = [*inv(facts)["processes"], left]
    msg = failing(facts, exp)
    assert (list(msg) == ["cw_processes"]) == fails, msg
    inv(facts)["processes"].pop()
    inv(facts)["reaching"] = [proc(94, "root", "sh -c /var/www/yourapplication/shared/data/tidy", ancestors)]
    msg = failing(facts, exp)
    assert (list(msg) == ["cw_processes"]) == fails, msg


@pytest.mark.parametrize("argv, fails", [
    (["/usr/sbin/apache2", "-k", "start"], False), (["/usr/sbin/apache2", "-DFOREGROUND"], False),
    (["/usr/sbin/apache2", "-k", "start", "-c", "Include /srv/x.conf"], True),
    (["/usr/sbin/apache2", "-DOPS_DEBUG", "-k", "start"], True),
    (["/usr/sbin/apache2", "-d", "/etc/apache2-two", "-k", "start"], True),
])
def test_apache_started_with_arguments_the_gates_dump_does_not_have_fails(exp, argv, fails):
    facts = clean_facts()
    inv(facts)["apache_argv"] = [{"pid": 27, "argv": argv}]
    msg = failing(facts, exp)
    assert (list(msg) == ["cw_in_force"]) == fails, msg


def test_a_second_name_for_gid_0_reaches_root(exp):
    facts = clean_facts()
    facts.remote["users"]["app"]["groups"].append("ops0")
    inv(facts)["gid0"] = ["ops0"]
    msg = failing(facts, exp)
    assert list(msg) == ["cw_groups"] and "group ops0: gid 0, root's group under another name" in msg["cw_groups"]


def test_every_group_of_a_gid_counts_for_its_members():
    users = parse.Users("u:x:1000:1000::/h:/bin/sh\n", "root:x:0:\nops0:x:0:u\nu:x:1000:\n")
    assert users.facts("u")["groups"] == ["ops0", "u"]


def test_a_second_ssh_server_is_not_the_one_the_gate_came_in_by(exp):
    facts = clean_facts()
    inv(facts)["probe_ancestors"] = [{"pid": 300, "comm": "sh", "user": "appuser", "exe": "/usr/bin/dash"},
                                     {"pid": 200, "comm": "sshd", "user": "root", "exe": "/usr/sbin/sshd"},
                                     {"pid": 7, "comm": "sshd", "user": "root", "exe": "/usr/sbin/sshd"}]
    assert failing(facts, exp) == {}
    second = {"pid": 50, "user": "root", "uid": 0, "ppid": 1, "comm": "sshd", "exe": "/usr/sbin/sshd",
              "cmdline": "sshd: /usr/sbin/sshd -p 2022", "started": 0, "package": "openssh-server"}
    for host in ("0.0.0.0", "127.0.0.1"):  # on loopback too: it is no distribution's daemon of its own
        facts2 = clean_facts()
        inv(facts2)["probe_ancestors"] = inv(facts)["probe_ancestors"]
        inv(facts2)["listeners"].append({"proto": "tcp", "host": host, "port": 2022, "procs": [second], "uid": 0,
                                         "owner": "root", "hidden": []})
        msg = failing(facts2, exp)
        assert list(msg) == ["cw_listen"] and ":2022 listens: pid 50 (root)" in msg["cw_listen"], msg


@pytest.mark.parametrize("text, fails", [
    ("/var/www/yourapplication/shared/log/*.log {\n daily\n postrotate\n  /usr/sbin/apache2ctl graceful\n"
     " endscript\n}\n", False),  # rotating the app's logs is ordinary; the script reaches nothing of the tree
    ("/var/log/app/*.log {\n lastaction\n  /var/www/yourapplication/current/venv/bin/python -m x.compact\n"
     " endscript\n}\n", True),
])
def test_a_logrotate_script_that_runs_the_apps_code_is_a_root_job(exp, text, fails):
    facts = clean_facts()
    s = snap({"/etc/logrotate.d/app": (0o644, 0, 0)}, {"/etc/logrotate.d/app": text})
    s.dirs["/etc/logrotate.d"] = ["app"]
    inv(facts)["logrotate"] = parse.logrotate_scripts(s)
    msg = failing(facts, exp)
    assert (list(msg) == ["cw_schedules"]) == fails, msg
    if fails:
        assert "/etc/logrotate.d/app:2: runs " in msg["cw_schedules"] and " as root from the app's tree" in \
            msg["cw_schedules"]


def test_current_replaced_by_a_directory_is_named_as_such(exp):
    facts = clean_facts()
    facts.remote["tree"]["current"] = None
    facts.remote["stat"]["/var/www/yourapplication/current"] = {"kind": "directory", "mode": "0755"}
    found = outcome("current", facts, exp)
    assert found.startswith("fail: /var/www/yourapplication/current is a directory, not the link to a release "
                            "deploy and rollback switch"), found


def test_a_kept_releases_shared_link_elsewhere_is_no_rollback_target(exp):
    facts = clean_facts()
    releases = facts.remote["tree_inventory"]["releases"]
    live = facts.remote["tree"]["current"].split("/")[-1]
    good = {"kind": "symbolic link", "target": "/var/www/yourapplication/shared/data", "mode": "0777",
            "owner": "appuser", "group": "appuser"}
    releases["20000101T000000Z-00000000"] = dict(releases[live], shared={"data": good})
    assert "its data" not in outcome("rollback_ready", facts, exp)
    releases["20000101T000000Z-00000000"]["shared"]["data"] = dict(good, target="/opt/restore/data")
    msg = failing(facts, exp)
    assert list(msg) == ["rollback_ready"] and "its data: symbolic link 0777 appuser:appuser -> /opt/restore/data, " \
        "not the link to /var/www/yourapplication/shared/data" in msg["rollback_ready"], msg


@pytest.mark.parametrize("refused, found", [
    ("sudo: a password is required", "skip: appuser has no passwordless sudo"),  # a read-only login: supported
    ("sudo: sorry, you must have a tty to run sudo", "fail: sudo refuses appuser on docker://web-1: 'sudo: sorry"),
    ("sudo: /usr/bin/sudo must be owned by uid 0 and have the setuid bit set", "fail: sudo refuses appuser"),
    (">>> /etc/sudoers.d/zz: syntax error near line 1 <<< sudo: parse error in /etc/sudoers.d/zz near line 1",
     "fail: sudo refuses appuser"),
])
def test_sudo_refusing_the_login_for_another_reason_than_a_password_fails(exp, refused, found):
    facts = clean_facts()
    facts.remote.update(as_root=False, sudo_refused=refused, login="appuser", sudo_list=(
        "User appuser may run the following commands on web:\t    (yourapplication) NOPASSWD: "
        "/var/www/yourapplication/releases/*/venv/bin/python\t"))  # (the deploy login: bootstrap's rule applied)
    assert outcome("sudo", facts, exp).startswith(found)
    assert outcome("cw_sudoers", facts, exp).startswith("skip: appuser on docker://web-1 has no passwordless sudo "
                                                        f"(sudo: {refused!r})")
    facts.remote.update(as_root=True)
    assert outcome("sudo", facts, exp) == "pass"


def test_a_root_file_outside_the_dirs_the_gate_reads_is_named_as_such_not_as_writable(exp):
    facts = clean_facts()
    ap = inv(facts)["apache"]
    path, real = "/etc/apache2/mods-enabled/wsgi.load", "/usr/local/etc/apache2/wsgi.load"
    ap["includes"].append({"at": "146", "path": path, "depth": 4, "from": "/etc/apache2/apache2.conf"})
    ap["files"][path] = {"real": real, "loose": f"{real} (not read: outside what the collector reads)",
                         "md5": None, "sha256": None, "package": None, "dpkg_changed": False, "dpkg_package": None,
                         "mtime": 1.0, "directives": []}
    msg = failing(facts, exp)
    assert "cw_apache_files" in msg and f"Apache reads it as root from {real}, a file of root's outside the " \
        "directories the gate reads" in msg["cw_apache_files"] and "writable" not in msg["cw_apache_files"], msg


def test_a_local_command_named_like_a_packaged_one_fails_unless_allowed(exp):
    s = snap({"/usr/local/sbin/apache2ctl": (0o755, 0, 0), "/usr/local/bin/node_exporter": (0o755, 0, 0)})
    s.dirs.update({"/usr/local/sbin": ["apache2ctl"], "/usr/local/bin": ["node_exporter"],
                   "/usr/sbin": ["apache2", "apache2ctl"], "/usr/bin": ["python3"]})
    assert parse.shadowing(s) == [{"path": "/usr/local/sbin/apache2ctl", "shadows": "/usr/sbin/apache2ctl",
                                   "sha256": None}]
    facts = clean_facts()
    inv(facts)["shadowing"] = [dict(x, sha256="cd" * 32) for x in parse.shadowing(s)]  # (the login's digest)
    msg = failing(facts, exp)
    line = msg["cw_load_path"]
    assert list(msg) == ["cw_load_path"] and "/usr/local/sbin/apache2ctl comes before /usr/sbin/apache2ctl on " \
        "root's PATH" in line and 'allow_commands = ["/usr/local/sbin/apache2ctl sha256:' in line
    assert outcome("cw_load_path", facts, allowing(exp, commands=("/usr/local/sbin/apache2ctl",))) == "pass"


@pytest.mark.parametrize("path, text, fails", [
    ("/etc/rc.local", "#!/bin/sh -e\n/var/www/yourapplication/shared/data/boot.sh &\nexit 0\n", True),
    ("/etc/apt/apt.conf.d/99cache", 'DPkg::Post-Invoke { "/var/www/yourapplication/current/venv/bin/python -m x"; };\n',
     True),
    ("/etc/profile.d/app.sh", ". /var/www/yourapplication/shared/data/env.sh\n", True),
    ("/etc/anacrontab", "1 5 app.daily /var/www/yourapplication/current/venv/bin/flask tidy\n", True),
    ("/etc/apt/apt.conf.d/20listchanges", 'DPkg::Pre-Install-Pkgs { "/usr/bin/apt-listchanges --apt"; };\n', False),
    ("/etc/profile.d/bash_completion.sh", "# /var/www/yourapplication in a comment\n. /usr/share/bc.sh\n", False),
    # blind: apt-conf-include-shared: apt's #include (a directive spelled like a comment) of a file the app writes
    ("/etc/apt/apt.conf.d/99local", '#include "/var/www/yourapplication/shared/data/apt.conf";\n', True),
    ("/etc/apt/apt.conf.d/99local", '# #include "/var/www/yourapplication/shared/data/apt.conf";\n', False),
])
def test_a_root_hook_that_runs_the_apps_code_is_a_root_job(exp, path, text, fails):
    facts = clean_facts()
    s = snap({path: (0o644, 0, 0)}, {path: text})
    s.dirs.update({"/etc/apt/apt.conf.d": [path.rsplit("/", 1)[1]] if "/apt.conf.d/" in path else [],
                   "/etc/profile.d": [path.rsplit("/", 1)[1]] if "/profile.d/" in path else []})
    inv(facts)["root_hooks"] = parse.root_hooks(s)
    msg = failing(facts, exp)
    assert (list(msg) == ["cw_schedules"]) == fails, msg
    if fails:
        assert f"{path}:" in msg["cw_schedules"] and " as root from the app's tree" in msg["cw_schedules"]


@pytest.mark.parametrize("path,text", [
    # blind9's h04 (shown: root's ssh ran the bastion account's script as root)
    ("/etc/ssh/ssh_config.d/20-bastion.conf", 'Match exec "/opt/bastion/bin/off-vpn"\n    ProxyJump bastion\n'),
    # other member: a ProxyCommand in the client's main file
    ("/etc/ssh/ssh_config", "Host *.internal\n    ProxyCommand /opt/bastion/bin/connect %h %p\n")])
def test_the_ssh_clients_commands_are_root_hooks(exp, path, text):
    """Class (blind9's h04): the SSH client's configuration runs commands for every ssh, scp, rsync or git over
    ssh root runs (Match exec, ProxyCommand, LocalCommand, KnownHostsCommand): judged as root's hooks: a
    program someone but root may change is a finding; Debian's stock ssh_config passes."""
    facts = clean_facts()
    prog = "/opt/bastion/bin/" + ("off-vpn" if "exec" in text else "connect")
    s = snap({path: (0o644, 0, 0), prog: (0o755, 998, 998)}, {path: text})
    for d, uid in (("/opt", 0), ("/opt/bastion", 998), ("/opt/bastion/bin", 998)):
        s.files[d] = {"st": [stat.S_IFDIR | 0o755, uid, uid, 1, 0, 5]}
    s.dirs["/etc/ssh/ssh_config.d"] = [path.rsplit("/", 1)[1]] if "/ssh_config.d/" in path else []
    facts.raw = s
    inv(facts)["root_hooks"] = parse.root_hooks(s)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and f"{path}:" in msg["cw_schedules"] and prog in msg["cw_schedules"], msg
    stock = "Include /etc/ssh/ssh_config.d/*.conf\nHost *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n"
    s = snap({"/etc/ssh/ssh_config": (0o644, 0, 0)}, {"/etc/ssh/ssh_config": stock})
    facts.raw = s
    inv(facts)["root_hooks"] = parse.root_hooks(s)
    assert "cw_schedules" not in failing(facts, exp)


DIR = stat.S_IFDIR


@pytest.mark.parametrize("path, text, dirs, said", [
    # git's hooks dir for every repository root touches, the CI account's (1000 here: appuser, the deploy login)
    ("/root/.gitconfig", "[user]\n\tname = root\n[core]\n\thooksPath = /srv/hooks\n", {"/srv/hooks": 1000},
     "/root/.gitconfig:4: runs 'hooksPath = /srv/hooks' as root: it loads /srv/hooks, which someone but root may "
     "change (/srv/hooks 0755 appuser:appuser)"),
    ("/root/.config/git/config", "[core]\n\tfsmonitor = /srv/hooks/fsmon\n", {"/srv/hooks": 1000}, "fsmonitor"),
    # pip's find-links (a file:// URL) in a login's home; npm's registry over plain http
    ("/root/.config/pip/pip.conf", "[global]\nfind-links = file:///home/appuser/wheels\n", {"/home/appuser": 1000},
     "/root/.config/pip/pip.conf:2: runs 'find-links = file:///home/appuser/wheels' as root: it loads "
     "/home/appuser/wheels"),
    ("/root/.npmrc", "registry=http://npm.internal/\n", {}, "fetches from http://npm.internal/ (plain http"),
    # the SSH client's ProxyCommand in root's own ~/.ssh/config; root's .bashrc sourcing the CI account's file
    ("/root/.ssh/config", "Host *.internal\n    ProxyCommand /srv/hooks/connect %h %p\n", {"/srv/hooks": 1000},
     "/root/.ssh/config:2: runs '/srv/hooks/connect %h %p' as root"),
    ("/root/.bashrc", "[ -f /srv/hooks/env.sh ] && . /srv/hooks/env.sh\n", {"/srv/hooks": 1000},
     "sources /srv/hooks/env.sh, which someone but root may change"),
    # absent, in a directory another account owns: it makes the file root's pip reads
    ("/root/.config/pip/pip.conf", None, {"/root/.config": 1000}, "/root/.config/git/config: runs \"(not read: "
     "/root/.config 0755 appuser:appuser: not root's alone, and root's shell or tools read git/config, pip/pip.conf "
     "there)\" as root"),
    # a blind set's fault: the editor select-editor chose for root (crontab -e and sensible-editor run it) in another
    # login's dir; the other member, written after reading the gate: root's ~/.vimrc sourcing a team's file
    ("/root/.selected_editor", '# Generated by /usr/bin/select-editor\nSELECTED_EDITOR="/srv/hooks/vi"\n',
     {"/srv/hooks": 1000}, "/root/.selected_editor:2: runs 'SELECTED_EDITOR=\"/srv/hooks/vi\"' as root: it loads "
     "/srv/hooks/vi, which someone but root may change"),
    ("/root/.vimrc", "set nocompatible\nsource /srv/hooks/team.vim\n", {"/srv/hooks": 1000},
     "/root/.vimrc:2: runs 'source /srv/hooks/team.vim' as root: it loads /srv/hooks/team.vim"),
    ("/root/.selected_editor", 'SELECTED_EDITOR="/bin/nano"\n', {}, None),  # (a packaged editor: passes)
    # pass: root's own paths, a pager by name, an https index
    ("/root/.gitconfig", "[core]\n\tpager = less\n\thooksPath = /etc/git-hooks\n", {"/etc/git-hooks": 0}, None),
    ("/root/.config/pip/pip.conf", "[global]\nindex-url = https://pypi.internal/simple\n", {}, None),
])
def test_configuration_roots_tools_read_from_its_home_that_names_what_others_control_fails(exp, path, text, dirs,
                                                                                           said):
    """Root's per-user hooks (gaps9/blind9's open class; root's user site was the one member read): git's
    hooksPath and fsmonitor, pip's find-links and index, npm's registry, the SSH client's ProxyCommand, a .bashrc
    sourcing a file: configuration root's tools read from /root (0700: the root collector reads it, and lstats
    every path it names from / down) that names code or paths someone but root controls, or fetches over plain
    http, runs their code as root. A file of root's home someone but root may make or change is one too."""
    facts = clean_facts()
    files = {path: (0o600, 0, 0)} if text is not None else {}
    s = snap(files, {path: text} if text is not None else {})
    s.files["/root"] = {"st": [DIR | 0o700, 0, 0, 1, 0, 5]}
    if text is None:
        s.files[path] = {"why": "No such file or directory"}
    for d, uid in dirs.items():
        s.files[d] = {"st": [DIR | 0o755, uid, uid, 1, 0, 5]}
        s.files.setdefault(d.rsplit("/", 1)[0], {"st": [DIR | 0o755, 0, 0, 1, 0, 5]})
    facts.raw = s
    inv(facts)["root_hooks"] = parse.root_hooks(s)
    msg = failing(facts, exp)
    if said is None:
        assert "cw_schedules" not in msg, msg
    else:
        assert list(msg) == ["cw_schedules"] and said in msg["cw_schedules"], msg


@pytest.mark.parametrize("top,mode,uid", [("/etc/profile.d", 0o775, 0),  # blind9's h06 (an ACL u:ops:rwx: mask rwx)
                                           ("/etc/cron.d", 0o755, 1001),  # other member: a directory chowned away
                                           ("/etc/apt/apt.conf.d", 0o757, 0)])
def test_a_directory_root_runs_every_file_of_that_someone_else_may_write_fails(exp, top, mode, uid):
    """Class (blind9's h06: 'setfacl -m u:ops:rwx /etc/profile.d'): a directory root runs or reads every file of,
    that someone but root may add a file to, is a finding (an ACL's write shows in the group bits, its mask);
    the same directory root's alone passes."""
    facts = clean_facts()
    s = snap({})
    s.files[top] = {"st": [stat.S_IFDIR | mode, uid, 0, 1, 0, 5]}
    facts.raw = s
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and f"{top} ({mode:04o} " in msg["cw_schedules"] and \
        "root runs or reads every file there, and someone but root may add one" in msg["cw_schedules"], msg
    s.files[top] = {"st": [stat.S_IFDIR | 0o755, 0, 0, 1, 0, 5]}
    assert "cw_schedules" not in failing(facts, exp)


def test_a_root_hook_file_someone_else_may_write_is_a_job_the_gate_could_not_read(exp):
    facts = clean_facts()
    s = snap({"/etc/profile.d/app.sh": (0o664, 1000, 1000)})
    s.files["/etc/profile.d/app.sh"]["why"] = "not a regular file of root's, not writable by group or others: not read"
    s.dirs["/etc/profile.d"] = ["app.sh"]
    inv(facts)["root_hooks"] = parse.root_hooks(s)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and "/etc/profile.d/app.sh: runs " in msg["cw_schedules"] and \
        "(not read: not a regular file of root's" in msg["cw_schedules"], msg


@pytest.mark.parametrize("path,text,said", [
    # blind7s m03: a rotation meant for the app's logs whose glob takes its data
    ("/etc/logrotate.d/yourapplication", "/var/www/yourapplication/shared/data/* {\n    daily\n    rotate 7\n}\n",
     "/etc/logrotate.d/yourapplication:1: logrotate rotates /var/www/yourapplication/shared/data/*, which matches "
     "files in the app's tree"),
    # other member: a glob above the tree that reaches into every app's data, in another file, after another stanza
    ("/etc/logrotate.d/sites", "/var/log/sites/*.log {\n    weekly\n}\n\"/var/www/*/shared/*/*.db\" {\n    "
     "copytruncate\n}\n", "/etc/logrotate.d/sites:4: logrotate rotates /var/www/*/shared/*/*.db"),
    # blind7s m01: a clean-up from a directory above the tree that deletes what it finds there
    ("/etc/cron.d/stale-locks", "*/5 * * * * root find /var/www -name \"*.lock\" -mmin +5 -delete\n",
     "reaches into the app's tree through /var/www (find /var/www -name \"*.lock\" -mmin +5 -delete)"),
    # other members: a recursive chown from /var, an rsync --delete onto /var/www
    ("/etc/cron.d/perms", "0 3 * * * root chown -R www-data: /var/www\n", "reaches into the app's tree through "
     "/var/www (chown -R)"),
    ("/etc/cron.d/mirror", "0 4 * * * root rsync -a --delete /srv/www-mirror/ /var/www/\n",
     "reaches into the app's tree through /var/www"),
])
def test_a_scheduled_job_that_rotates_or_deletes_in_the_tree_fails(exp, path, text, said):
    """Class (blind7s's m01, m03): root's scheduled file operations that reach the app's tree without running its
    code -- logrotate's patterns matching files there, a find -delete, chown -R or rsync --delete from a directory
    above it -- each named by file:line, allowed by allow_cron; a rotation of /var/log and a find in /var/cache
    pass."""
    facts = clean_facts()
    add_text(facts, path, text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and said in msg["cw_schedules"], msg
    assert outcome("cw_schedules", facts, allowing(exp, cron=(path,))) == "pass"
    for fine in ("/var/log/app/*.log {\n    daily\n}\n", "0 5 * * * root find /var/cache/app -mtime +7 -delete\n",
                 "0 5 * * * root du -s /var/www > /var/log/www-size\n"):
        facts = clean_facts()
        add_text(facts, path, fine)
        assert "cw_schedules" not in failing(facts, exp), fine


# ---------------------------------------------------------------- one root cause, one line (blind7's e14 and e10)

APACHE2_LOGROTATE = ("/var/log/apache2/*.log {\n\tdaily\n\tsharedscripts\n\tprerotate\n\t\tif [ -d "
                     "/etc/logrotate.d/httpd-prerotate ]; then\n\t\t\trun-parts /etc/logrotate.d/httpd-prerotate\n"
                     "\t\tfi\n\tendscript\n}\n")  # Debian's apache2 package's, as it ships


def hook_dir(script: str, mention: bool, extra: dict | None = None):
    """A snapshot with Debian's apache2 logrotate file and a script in the hook directory it runs (run-parts)."""
    hook = "/etc/logrotate.d/httpd-prerotate"
    s = snap({"/etc/logrotate.d/apache2": (0o644, 0, 0), hook + "/app-flush": (0o755, 0, 0), **(extra or {})},
             {"/etc/logrotate.d/apache2": APACHE2_LOGROTATE, hook + "/app-flush": script})
    s.files[hook] = {"st": [stat.S_IFDIR | 0o755, 0, 0, 1, 0, 5]}
    s.dirs.update({"/etc/logrotate.d": ["apache2", "httpd-prerotate"], hook: ["app-flush"]})
    s.raw["mentions"] = {hook + "/app-flush": [[n, ln] for n, ln in enumerate(script.splitlines(), 1)
                                               if R in ln]} if mention else {}
    facts = clean_facts()
    facts.raw = s
    inv(facts).update(logrotate=parse.logrotate_scripts(s), mentions=parse.root_mentions(s))
    return facts


@pytest.mark.parametrize("script, extra, said", [
    # blind7's e14: a script in the hook dir runs the live release's python as root
    (f"#!/bin/sh\n# flush the app's cache before rotation\n{R}/current/venv/bin/python -c 'import x' || true\n", None,
     f"/etc/logrotate.d/httpd-prerotate/app-flush:3: runs \"{R}/current/venv/bin/python"),
    # another member: it runs a tool the deploy login may change, outside the app's tree
    ("#!/bin/sh\n/srv/tools/flush\n", {"/srv/tools/flush": (0o775, 1000, 1000)},
     "runs /etc/logrotate.d/httpd-prerotate, which runs /etc/logrotate.d/httpd-prerotate/app-flush, which runs "
     "/srv/tools/flush, which someone but root may change"),
])
def test_a_script_in_a_hook_directory_a_stock_job_runs_is_named_once(exp, script, extra, said):
    msg = failing(hook_dir(script, R in script, extra), exp)
    assert list(msg) == ["cw_schedules"], msg
    lines = [ln.strip() for ln in msg["cw_schedules"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == 1 and said in lines[0] and "not read" not in lines[0], lines


def test_a_hook_directorys_harmless_script_and_the_directory_itself_raise_nothing(exp):
    assert "cw_schedules" not in failing(hook_dir("#!/bin/sh\n/usr/sbin/apache2ctl status >/dev/null\n", False), exp)


def test_a_file_sourcing_a_file_that_sources_the_apps_tree_is_one_cause(exp):
    facts = clean_facts()
    profile = "if [ -f /etc/bash.bashrc ]; then\n  . /etc/bash.bashrc\nfi\n"
    bashrc = f"# system-wide .bashrc\n[ -r {R}/shared/data/shell.env ] && . {R}/shared/data/shell.env\n"
    s = snap({"/etc/profile": (0o644, 0, 0), "/etc/bash.bashrc": (0o644, 0, 0)},
             {"/etc/profile": profile, "/etc/bash.bashrc": bashrc})
    facts.raw = s
    inv(facts)["root_hooks"] = parse.root_hooks(s)
    msg = failing(facts, exp)
    lines = [ln.strip() for ln in msg["cw_schedules"].splitlines() if ln.strip().startswith("- ")]
    assert len(lines) == 1 and lines[0].startswith("- /etc/bash.bashrc:2: runs ") and "/etc/profile:2" in lines[0], \
        lines


def test_the_login_collector_also_finds_roots_files_naming_the_deploy_and_app_users_homes(tmp_path):
    """blind8's h05/h06: git's system config (core.hooksPath) and pip's (find-links) name a directory in the deploy
    login's home; the collector searches root's files for those homes too (its own, not root's)."""
    from deploytests.verify import collect_login

    home = str(tmp_path / "home" / "appuser")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "gitconfig").write_text(f"[core]\n\thooksPath = {home}/git-hooks\n")
    (tmp_path / "etc" / "pip.conf").write_text(f"[global]\nfind-links = {home}/wheels\n")
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(tmp_path / "etc"), also=[home])
    if os.getuid() == 0:  # (root's files only: as root, the test's files are root's)
        assert out["mentions"][f"{tmp_path}/etc/gitconfig"] == [[2, f"\thooksPath = {home}/git-hooks"]]
        assert out["mentions"][f"{tmp_path}/etc/pip.conf"] == [[2, f"find-links = {home}/wheels"]]
    (tmp_path / "home" / "appuser").mkdir(parents=True)
    mine = os.getuid() != 0 and os.stat(home).st_uid == os.getuid()
    import pwd
    me = pwd.getpwuid(os.getuid()).pw_name
    assert collect_login.homes({"deploy_user": me, "app_user": "no-such-user"}, "/var/www/x") == (
        [os.path.normpath(pwd.getpwnam(me).pw_dir)] if mine and os.path.isdir(pwd.getpwnam(me).pw_dir) else
        collect_login.homes({"deploy_user": me}, "/var/www/x"))


@pytest.mark.parametrize("where, line", [
    ("/etc/gitconfig:2", "\thooksPath = /home/appuser/git-hooks"),  # blind8's h05
    ("/etc/pip.conf:3", "find-links = /home/appuser/wheels"),  # h06
    ("/etc/wgetrc:9", "input = /home/appuser/urls.txt"),  # the class's other members
    ("/etc/vim/vimrc.local:1", "source /home/appuser/.vim/team.vim")])
def test_roots_configuration_naming_the_deploy_logins_home_is_a_finding(exp, where, line):
    """Root's configuration that names a path in the deploy login's (or the app user's) home: that login changes
    what root's program reads or runs there, whatever the program (git's hooks run as root at every root
    commit: shown as uid 0; pip installs the login's wheels)."""
    path = where.rsplit(":", 1)[0]
    found = snap({}, {})
    found.raw["mentions"] = {path: [[int(where.rsplit(":", 1)[1]), line]]}
    found.raw["digests"] = {path: "ab" * 32}  # (the login collector's hash of a file it sent lines of)
    facts = clean_facts()
    facts.raw = found  # (the homes: from its /etc/passwd)
    inv(facts)["mentions"] = parse.root_mentions(found)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"], msg
    assert f"- {where}: names /home/appuser/" in msg["cw_schedules"] and "in the home of appuser (the deploy " \
           "login)" in msg["cw_schedules"] and f'allow_cron = ["{path} sha256:' in msg["cw_schedules"], msg
    assert outcome("cw_schedules", facts, allowing(exp, cron=(path,))) == "pass"
    # another user's home (an admin's: root-capable anyway) and a name that only starts like the home pass
    for other in (line.replace("/home/appuser/", "/home/admin/"), line.replace("/home/appuser/", "/home/appuser2/")):
        found.raw["mentions"] = {path: [[1, other]]}
        inv(facts)["mentions"] = parse.root_mentions(found)
        assert failing(facts, exp) == {}, other


def test_where_root_jobs_write_is_never_a_system_tree_they_name_whole():
    """blind8's admin stage (restic backing up shared/ and /etc nightly, as root): the job names /etc as a
    source; the collector listed /etc's entries as the job's outputs (its skip list held '/etc/', not the
    directory itself), and every world-readable file there became 'a copy of the app's secrets others may read'.
    A system tree or the app's, named whole or with a trailing slash, is never where the copies are looked for."""
    from deploytests.verify import collect_login

    job = ("30 2 * * * root restic -r /var/backups/restic backup /var/www/yourapplication/shared /etc /usr/ "
           "/var/www/yourapplication\n")
    out = {"errors": {}, "files": {"/etc/cron.d/restic-backup": {"data": job}}, "dirs": {}, "size": 0}
    collect_login.outputs(out, "/var/www/yourapplication")
    assert not [w for w in out["outputs"] if w.rstrip("/") in ("/etc", "/usr", "/var/www/yourapplication")], out


@pytest.mark.parametrize("path, text, allowed_passes", [
    # blind8's h18: a 'config management light' pull, plain HTTP into sh (shown: whoever answered ran as uid 0)
    ("/etc/cron.d/ops-pull", "*/30 * * * * root curl -fsS http://ops-config.internal/bootstrap.sh | sh\n", False),
    # the class's other members: the fetch run through $(...), a vendor's https installer piped into bash
    ("/etc/cron.d/agent", "0 4 * * * root sh -c \"$(wget -qO- http://vendor.example/agent-update)\"\n", False),
    ("/etc/cron.d/vendor", "0 5 * * 0 root curl -fsSL https://get.vendor.example/update.sh | bash -s --\n", True),
    # attack9: the same stream run as a program, the producer or the pipe not in the old pattern's name list (the
    # first three shown on a lab: root ran what the deploy login served, the gate passed)
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS http://ops/run.sh | tee -a /var/log/pull.log | sh\n", False),
    ("/etc/cron.d/ops-pull", "* * * * * root python3 -c \"import urllib.request as u; print(u.urlopen("
                             "'http://ops/run.sh').read().decode())\" | sh\n", False),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS http://ops/run.sh | /usr/bin/env bash\n", False),
    ("/etc/cron.d/ops-pull", "* * * * * root nc ops.internal 9000 | sudo -u root bash -s -- --quiet\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root ssh -q ops@ops.internal cat run.sh | timeout 60 sh >/dev/null 2>&1\n",
     True),
    ("/etc/cron.d/ops-pull", "* * * * * root eval \"$(ssh ops@ops.internal cat env.sh)\"\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/jobs.txt | at now + 5 minutes\n", True),
    # attack10: the stream made the program another way (xargs shown on a container: root ran the answer)
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS http://ops/run.sh | xargs -0 bash -c\n", False),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/cmds | xargs -I{} sh -c '{}'\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/run.sh | bash /dev/stdin --quiet\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/cmds | parallel\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/cmds | while read c; do eval \"$c\"; done\n", True),
    # attack9's open items, judged by data flow: a site's own wrapper before the shell; a file just fetched, then run
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/run.sh | /usr/local/bin/mywrap sh\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsSo /tmp/x https://ops/run.sh && sh /tmp/x\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root wget -qO /usr/local/sbin/upd http://ops/upd; chmod +x "
                             "/usr/local/sbin/upd; /usr/local/sbin/upd --quiet\n", False),
    ("/etc/cron.d/ops-pull", "* * * * * root cd /tmp && curl -fsSO https://ops/get/install.sh && mywrap bash -x "
                             "./install.sh\n", True),
    ("/etc/cron.d/ops-pull", "* * * * * root ssh ops@ops.internal cat env.sh > /run/ops.env; . /run/ops.env\n",
     True),
    ("/etc/cron.d/ops-pull", "* * * * * root curl -fsS https://ops/run.py | tee /tmp/r.py >/dev/null && "
                             "python3 /tmp/r.py\n", True)])
def test_a_root_job_that_runs_what_the_network_sends_fails(exp, path, text, allowed_passes):
    facts = clean_facts()
    add_text(facts, path, "SHELL=/bin/sh\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n" + text)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"], msg
    assert f"- {path}:3: runs " in msg["cw_schedules"] and "another command's output, not a file root keeps" in \
        msg["cw_schedules"], msg
    assert ("sits on the path" in msg["cw_schedules"]) is not allowed_passes
    assert (outcome("cw_schedules", facts, allowing(exp, cron=(path,))) == "pass") is allowed_passes
    # a fetch whose output is not run (a health ping, a download checked later) is no finding
    quiet = clean_facts()
    add_text(quiet, path, "*/5 * * * * root curl -fsS http://localhost/health >/dev/null\n"
                          "*/5 * * * * root ls /var/backups | grep sh | mail -s sh root\n"
                          "*/5 * * * * root curl -fsS https://ops/report.json | python3 -m json.tool >/dev/null\n"
                          "*/5 * * * * root /usr/bin/python3 /usr/local/sbin/report.py \"$(date +\\%F)\"\n"
                          "*/5 * * * * root eval \"$(dircolors -b)\"; ls --color /srv\n"
                          "*/5 * * * * root ls /srv/in | xargs -n1 sh -c 'gzip \"$0\"'\n"
                          "*/5 * * * * root cat /etc/old.list | while read f; do rm -f \"$f\"; done\n"
                          "*/5 * * * * root ls /srv/in | parallel gzip\n"
                          "*/5 * * * * root curl -fsSo /var/lib/ops/feed.json https://ops/feed && jq . "
                          "/var/lib/ops/feed.json | logger -t feed\n"
                          "*/5 * * * * root curl -fsS https://ops/status | grep -q bash && logger ok\n"
                          "*/5 * * * * root wget -qO /tmp/report.txt https://ops/report; sh /usr/local/sbin/mail-it "
                          "/tmp/report.txt\n")
    assert failing(quiet, exp) == {}


def test_where_root_jobs_write_is_never_listed_through_a_link_another_user_made(tmp_path):
    """attack8's open item: collect_login.outputs listed the directory a root cron line names with os.path.isdir
    and os.listdir, which follow links: the gate's login listed whatever a link the deploy login planted pointed
    to. A link on the way that someone but root made is not listed through; root's own directory still is."""
    import os

    from deploytests.verify import collect_login

    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "payroll.csv").write_text("x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "app.tgz").write_text("x")
    (tmp_path / "planted").symlink_to(tmp_path / "secret")
    os.lchown(tmp_path / "planted", 1001, 1001)
    job = f"0 3 * * * root tar czf {tmp_path}/planted/ /var/www/yourapplication/shared; cp x {tmp_path}/out/\n"
    out = {"errors": {}, "files": {"/etc/cron.d/backup": {"data": job}}, "dirs": {}, "size": 0}
    collect_login.outputs(out, "/var/www/yourapplication")
    listed = [p for paths in out["outputs"].values() for p in paths]
    assert f"{tmp_path}/out/app.tgz" in listed and not any("payroll" in p for p in listed), out["outputs"]


D = stat.S_IFDIR


@pytest.mark.parametrize("where, line", [
    ("/etc/vim/vimrc.local:2", "source /opt/devtools/vim/team.vim"),  # root's vim (visudo, crontab -e) runs it
    ("/etc/tmux.conf:2", "run-shell -b /opt/devtools/tmux/status.sh"),  # every root tmux server
    ("/etc/modprobe.d/cis-dccp.conf:1", "install dccp /opt/devtools/bin/module-alert dccp"),  # any user's socket()
    ("/etc/bash.bash_logout:3", "[ -r /opt/devtools/logout.sh ] && . /opt/devtools/logout.sh"),  # root's logout
    ("/etc/screenrc:4", "source /opt/devtools/screen/team.rc")])
def test_roots_configuration_naming_a_place_another_account_changes_is_a_finding(exp, where, line):
    """Whatever program reads it: a line of root's configuration under /etc (by hand: no package ships it as it is)
    naming a place an account but root may change runs or reads as root what that account puts there. The login
    collector sends the line and the lstat of the place (``named``); a package's place, a sticky dir's name, a
    runtime dir of a system account and an admin's own place are not counted."""
    path = where.rsplit(":", 1)[0]
    named = {"/opt": {"st": [D | 0o755, 0, 0, 1, 0, 5]}, "/opt/devtools": {"st": [D | 0o755, 998, 998, 1, 0, 6]},
             path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": f"# team\n\n{line}\n"}}
    found = snap({}, {})
    found.raw["files"]["/etc/passwd"]["data"] += "devtools:x:998:998::/nonexistent:/usr/sbin/nologin\n"
    found = parse.Snapshot(dict(found.raw, named=named, mentions={path: [[int(where.rsplit(":", 1)[1]), line]]}))
    facts = clean_facts()
    facts.raw = found
    inv(facts)["mentions"] = parse.root_mentions(found)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"], msg
    assert f"- {where}: " in msg["cw_schedules"] and "/opt/devtools 0755 devtools:998" in msg["cw_schedules"], msg
    if " source " in f" {line} " or " . " in line:  # (what root sources: the scheduled jobs' own rule says it, and
        assert "sources /opt/devtools/" in msg["cw_schedules"], msg  # no allowance accounts for root running it)
        assert outcome("cw_schedules", facts, allowing(exp, cron=(path,))).startswith("fail"), msg
        return
    assert f'allow_cron = ["{path} sha256:' in msg["cw_schedules"], msg
    assert outcome("cw_schedules", facts, allowing(exp, cron=(path,))) == "pass"
    facts.remote["as_root"], facts.remote["login"] = True, "appuser"  # the gate's login became root: an admin
    for mode, uid, listed in ((0o1777, 0, ""), (0o755, 1000, ""), (0o755, 998, "/opt/devtools\n")):
        named["/opt/devtools"]["st"] = [D | mode, uid, uid, 1, 0, 6]  # a sticky dir of root's; the admin's; dpkg's
        more = {"/var/lib/dpkg/info/devtools.list": listed} if listed else {}
        base = snap({}, more)
        facts.raw = parse.Snapshot(dict(found.raw, named=named, files=dict(found.raw["files"], **base.raw["files"]),
                                        dirs=base.raw["dirs"]))
        assert failing(facts, exp) == {}, (mode, uid)


@pytest.mark.parametrize("where, line, place, owner", [
    ("/etc/zabbix/zabbix_agentd.conf:13", "PidFile=/run/zabbix/zabbix_agentd.pid", "/run/zabbix", "zabbix"),
    ("/etc/zabbix/zabbix_agentd.conf:32", "LogFile=/var/log/zabbix-agent/zabbix_agentd.log", "/var/log/zabbix-agent",
     "zabbix"),
    ("/etc/nagios/nrpe.cfg:23", "pid_file=/run/nagios/nrpe.pid", "/run/nagios", "nagios")])
def test_a_daemons_config_naming_its_own_runtime_or_log_place_is_no_finding(exp, where, line, place, owner):
    """zabbix-agent's ``zabbix_agentd.conf`` (ucf's, not a dpkg conffile; an admin edits its
    ``Server=`` anyway) names the agent's pid file and log, its system account's own: the gate said 'runs
    PidFile=... as root ... no allowance accounts for handing root's rights to someone else' (a ``KEY=value`` of
    another tool's syntax read as a shell's variable run as root, without the rule for such lines' places). One
    rule for a line of root's configuration and the places it names: a system account's own runtime, log or state
    place is set aside, as for any other line; another account's place stays a finding, with its allowance."""
    path, n = where.rsplit(":", 1)
    file = f"{place}/{line.split('=', 1)[1].rsplit('/', 1)[1]}"
    named = {place: {"st": [D | 0o755, 998, 998, 1, 0, 5]}, file: {"st": [F | 0o664, 998, 998, 1, 0, 6]},
             path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": f"# agent\n\n{line}\n"}}
    found = snap({}, {})
    found.raw["files"]["/etc/passwd"]["data"] += f"{owner}:x:998:998::/nonexistent:/usr/sbin/nologin\n"
    found = parse.Snapshot(dict(found.raw, named=named, mentions={path: [[int(n), line]]}))
    facts = clean_facts()
    facts.raw = found
    inv(facts)["mentions"] = parse.root_mentions(found)
    assert failing(facts, exp) == {}
    elsewhere = line.replace(place, "/opt/devtools")  # another account's place, not a state dir: still a finding
    named = {"/opt": {"st": [D | 0o755, 0, 0, 1, 0, 5]}, "/opt/devtools": {"st": [D | 0o755, 998, 998, 1, 0, 6]},
             path: {"st": [F | 0o644, 0, 0, 1, 0, 7], "data": f"# agent\n\n{elsewhere}\n"}}
    found = parse.Snapshot(dict(found.raw, named=named, mentions={path: [[int(n), elsewhere]]}))
    facts.raw = found
    inv(facts)["mentions"] = parse.root_mentions(found)
    msg = failing(facts, exp)
    assert list(msg) == ["cw_schedules"] and f"- {where}: " in msg["cw_schedules"], msg


def test_the_login_collector_sends_lines_naming_a_place_someone_but_root_may_change(tmp_path):
    """The collector's side: an uncommented line of root's file naming a path below a directory others may write
    (or another's) is sent, with the lstat of that place and the file's bytes; a comment, a device and a path
    below root's own directories are not."""
    from deploytests.verify import collect_login

    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "tmux.conf").write_text(f"# {loose}/a\nrun-shell -b {loose}/status.sh\nx /dev/null /usr/bin\n")
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(tmp_path / "etc"))
    if os.getuid() == 0:  # (root's files only: as root, the test's files are root's)
        assert out["mentions"][f"{tmp_path}/etc/tmux.conf"] == [[2, f"run-shell -b {loose}/status.sh"]]
        assert out["named"][str(loose)]["st"][0] & 0o777 == 0o777
        assert out["named"][f"{tmp_path}/etc/tmux.conf"]["data"].startswith("# ")
    else:
        assert out["mentions"] == {}
    assert collect_login.loose_at({}, "/dev/null") is None and collect_login.loose_at({}, "/usr/bin/env") is None
    assert collect_login.loose_at({}, f"{loose}/status.sh") in (str(loose), str(tmp_path)[:len(str(tmp_path))])


def test_a_system_directory_someone_but_root_may_change_is_a_finding(exp):
    """blind10's p05: 'chown -R dev /usr/local/share/perl' (perl's site library, first on root's @INC: debconf's
    perl at every apt install loads a strict.pm put there). Which of root's programs loads what from a directory
    of /usr, /etc or /boot is not for a list to know: the login collector walks their directories and the rule
    names each one someone but root may change; an admin's own and a group no account is in are not counted."""
    facts = with_stock_logins(clean_facts())
    assert outcome("cw_load_path", facts, exp) == "pass"
    facts.raw.files["/etc/passwd"]["data"] += "dev:x:1501:1501::/home/dev:/bin/bash\n"
    facts.raw.files["/etc/group"]["data"] += "dev:x:1501:\nstaff:x:50:\n"
    facts.raw = parse.Snapshot(facts.raw.raw)
    for path, mode, uid, gid in (("/usr/local/share/perl", 0o40755, 1501, 1501),  # the fault
                                 ("/etc/nagios-plugins/config", 0o40775, 0, 1501),  # a group dev is in (primary)
                                 ("/usr/lib/x86_64-linux-gnu/lua/5.4", 0o40777, 0, 0)):  # anyone
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        msg = outcome("cw_load_path", facts, exp)
        assert msg.startswith("fail: 1 ") and f"{path} ({mode & 0o7777:04o} " in msg, msg
    for path, mode, uid, gid in (("/usr/local/share/perl", 0o40755, 1000, 1000),  # the gate's login: becomes root
                                 ("/usr/local/lib/python3.11/dist-packages", 0o42775, 0, 50),  # staff: no members
                                 ("/usr/local/bin", 0o40775, 0, 1501)):  # the command dirs' own line says it
        facts.remote["as_root"], facts.remote["login"] = True, "appuser"
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        inv(facts)["load_path"] = [{"area": "a command directory (root's PATH)", "top": path,
                                    "path": f"{path} 0775 root:dev"}] if path == "/usr/local/bin" else []
        msg = outcome("cw_load_path", facts, exp)
        assert "a directory of the system's trees" not in msg, (path, msg)


def test_a_system_file_someone_but_root_may_change_is_a_finding(exp):
    """A world-writable ``/etc/needrestart/conf.d`` file (Perl that apt's hook runs as root), a postfix ``main.cf``
    0666, a module another login owns under ``/usr/local/lib``: the file class of the system directories' rule.
    Which of root's programs reads which file is not for a list to know; a root's file only a group no account is
    in may write, and an admin's own, are not counted."""
    facts = with_stock_logins(clean_facts())
    facts.raw.files["/etc/passwd"]["data"] += "dev:x:1501:1501::/home/dev:/bin/bash\n"
    facts.raw.files["/etc/group"]["data"] += "dev:x:1501:\nstaff:x:50:\n"
    facts.raw = parse.Snapshot(facts.raw.raw)
    for path, mode, uid, gid in (("/etc/needrestart/conf.d/zz-local.conf", 0o100666, 0, 0),
                                 ("/etc/postfix/main.cf", 0o100664, 0, 1501),
                                 ("/usr/local/lib/python3.11/dist-packages/apt_helper.py", 0o100644, 1501, 1501)):
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        msg = outcome("cw_load_path", facts, exp)
        assert msg.startswith("fail: 1 ") and f"{path} ({mode & 0o7777:04o} " in msg, msg
        assert "a file of the system's trees" in msg and "chmod go-w" in msg, msg
    # a unit file or drop-in systemd reads, the gate cannot (no other rule names it): a timer's service 0666
    for path in ("/etc/systemd/system/prune-logs.service", "/etc/systemd/system/cron.service.d/nice.conf",
                 "/etc/systemd/system.conf.d/ops.conf", "/etc/ssh/ssh_config.d/ops.conf",
                 # a blind fault: /etc/passwd 0666 (a restore without -p): the gate read no user, a dozen checks failed
                 # for want of them, none naming /etc/passwd; the other member: /etc/group
                 "/etc/passwd", "/etc/group"):
        inv(facts)["system_dirs"] = [[path, 0o100666, 0, 0]]
        facts.raw.files[path] = {"st": [0o100666, 0, 0, 9, 0, 7], "why": "not a regular file of root's ...: not read"}
        assert f"{path} (0666 root:root): a file of the system's trees" in outcome("cw_load_path", facts, exp), path
    # a file another rule reads and names when it cannot (cron's /etc/crontab, sshd's sshd_config): that rule's line
    for path in ("/etc/crontab", "/etc/ssh/sshd_config"):
        inv(facts)["system_dirs"] = [[path, 0o100666, 0, 0]]
        facts.raw.files[path] = {"st": [0o100666, 0, 0, 9, 0, 7], "why": "not a regular file of root's ...: not read"}
        assert "of the system's trees" not in outcome("cw_load_path", facts, exp), path
    facts.remote["as_root"], facts.remote["login"] = True, "appuser"
    for path, mode, uid, gid in (("/etc/tool.conf", 0o100664, 0, 50),  # staff: no members
                                 ("/etc/cron.d/ops", 0o100666, 0, 0),  # cron's rule names the file it cannot read
                                 ("/usr/local/sbin/report", 0o100755, 1000, 1000)):  # the gate's login: root anyway
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        assert "of the system's trees" not in outcome("cw_load_path", facts, exp), path


def test_the_login_collector_names_each_system_file_someone_but_root_may_change(tmp_path, monkeypatch):
    """Both walks (``/etc``'s and the local file systems') record a regular file of the system's trees writable by
    group or others (or another's), once, not one below a directory already named, not a root's 0644 file."""
    from deploytests.verify import collect_login

    etc, usr = tmp_path / "etc", tmp_path / "usr"
    for top in (etc, usr):
        (top / "conf.d").mkdir(parents=True)
        (top / "conf.d" / "open.conf").write_text("x\n")
        (top / "conf.d" / "open.conf").chmod(0o666)
        (top / "conf.d" / "fine.conf").write_text("x\n")
        (top / "loose").mkdir()
        (top / "loose" / "inside.conf").write_text("x\n")
        (top / "loose" / "inside.conf").chmod(0o666)
        (top / "loose").chmod(0o777)
    one_mount(tmp_path, monkeypatch, collect_login, tmp_path)
    monkeypatch.setattr(collect_login, "SYSTEM", [str(usr), str(etc)])
    out = {"errors": {}, "files": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(etc))
    collect_login.local_files(out)
    names = [p for p, *_ in out["system_dirs"]]
    if os.getuid() == 0:  # (as another user, each top dir is theirs: named, not walked below)
        assert names == sorted([str(t / n) for t in (etc, usr) for n in ("conf.d/open.conf", "loose")]), names


@pytest.mark.parametrize("word", ["//", "///", "/./", "/../"])
def test_a_root_jobs_word_that_names_the_root_dir_is_no_output_and_no_crash(word):
    """blind10's admin stage (needrestart, debsums, logwatch pulling exim4): the outputs step of the probe died with
    KeyError '' and the host's every test failed: a path word that is '/' spelled otherwise ('//' in a stock cron
    script) became the empty name once its slashes were stripped. The root dir is a system tree: never an output."""
    from deploytests.verify import collect_login

    job = f"#!/bin/sh\nfind {word} -xdev -name core -delete 2>/dev/null\n"
    out = {"errors": {}, "files": {"/etc/cron.daily/cleanup": {"data": job}}, "dirs": {}, "size": 0}
    collect_login.outputs(out, "/var/www/yourapplication")
    assert out["outputs"] == {} and "" not in out["files"], out


def one_mount(tmp_path, monkeypatch, collect_login, top):
    info = tmp_path / "mountinfo"
    info.write_text(f"20 1 0:20 / {top} rw,relatime - ext4 /dev/sda1 rw\n")
    monkeypatch.setattr(collect_login, "MOUNTINFO", str(info))
    monkeypatch.setattr(collect_login, "beyond", lambda p: False)  # (pytest's own tmp dir is root's 0700)


def test_the_login_collector_names_each_system_directory_someone_but_root_may_change(tmp_path, monkeypatch):
    """The walk of the system's trees: a directory writable by others (or another's) is named and not judged
    again below; a sticky one, a link and what lies below a root's directory are walked or skipped as root's."""
    from deploytests.verify import collect_login

    (tmp_path / "lib" / "perl" / "site").mkdir(parents=True)
    (tmp_path / "lib" / "perl" / "site").chmod(0o777)
    (tmp_path / "lib" / "perl" / "site" / "deeper").mkdir()
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp").chmod(0o1777)
    (tmp_path / "link").symlink_to(tmp_path / "lib")
    one_mount(tmp_path, monkeypatch, collect_login, tmp_path)
    monkeypatch.setattr(collect_login, "SYSTEM", [str(tmp_path)])
    out = {"errors": {}, "files": {}}
    collect_login.local_files(out)
    names = [p for p, *_ in out["system_dirs"]]
    loose = tmp_path / "lib" / ("perl/site" if os.getuid() == 0 else "")  # (as another user, its lib is theirs)
    assert str(loose).rstrip("/") in names and str(tmp_path / "tmp") not in names, names
    assert not [p for p in names if p.endswith(("deeper", "link"))], names
    collect_login.local_files(out, most=1)
    assert "more than 1 entries" in out["errors"]["local files"]


def test_the_etc_walk_judges_the_system_dirs_there_once(tmp_path, monkeypatch):
    """One walk of /etc: mentions' walk judges each directory as the local walk does (and records each privileged
    file there), and the local walk takes /etc from it (listing each other tree once)."""
    from deploytests.verify import collect_login

    etc, usr = tmp_path / "etc", tmp_path / "usr"
    (etc / "cron.d").mkdir(parents=True)
    (etc / "loose" / "below").mkdir(parents=True)
    (etc / "loose").chmod(0o777)
    (etc / "cron.d" / "sh").write_text("")
    (etc / "cron.d" / "sh").chmod(0o4755)
    (usr / "share" / "doc" / "bash" / "open").mkdir(parents=True)
    (usr / "share" / "doc" / "bash" / "open").chmod(0o777)
    one_mount(tmp_path, monkeypatch, collect_login, tmp_path)
    monkeypatch.setattr(collect_login, "SYSTEM", [str(usr), str(etc)])
    alone = {"errors": {}, "files": {}}
    collect_login.local_files(alone)
    listed = []
    real, real_open = os.scandir, os.open
    monkeypatch.setattr(collect_login.os, "scandir", lambda p: (isinstance(p, str) and listed.append(p)) or real(p))
    monkeypatch.setattr(collect_login.os, "open", lambda p, flags, *a: (  # (the local walk lists through an fd)
        flags & os.O_DIRECTORY and listed.append(p)) or real_open(p, flags, *a))
    out = {"errors": {}, "files": {}, "size": 0}
    collect_login.mentions(out, "/var/www/yourapplication", top=str(etc))
    collect_login.local_files(out)
    assert out["system_dirs"] == alone["system_dirs"], (out, alone)
    assert listed.count(str(etc)) == 1 and listed.count(str(usr)) == 1, listed
    assert str(etc / "cron.d" / "sh") in out["files"] and str(etc / "cron.d" / "sh") in alone["files"]
    names = [p for p, *_ in out["system_dirs"]]
    if os.getuid() == 0:  # (as another user, each top dir is theirs: named, not walked below)
        assert names == [str(etc / "loose"), str(usr / "share" / "doc" / "bash" / "open")], names


@pytest.mark.parametrize("text, who", [
    ("/var/www/yourapplication/shared/data/logs/*.log {\n    su yourapplication yourapplication\n    weekly\n}\n",
     "as yourapplication (its su line)"),  # blind11 b02: Debian's way for a dir the app user writes
    ("su www-data www-data\n/var/www/yourapplication/shared/data/logs/*.log {\n    weekly\n}\n",
     "as www-data (its su line)"),  # the file's su line, for every stanza after it
    ("/var/log/x.log {\n    su nobody nogroup\n}\n/var/www/yourapplication/shared/data/logs/*.log {\n    daily\n}\n",
     "as root"),  # another stanza's su is not this one's
])
def test_a_rotation_in_the_tree_says_who_rotates_by_its_su_line(exp, text, who):
    """blind11's b02 (a control): a rule for the app's logs with Debian's ``su app app`` failed (allow_cron named)
    saying logrotate acts there 'as root': its su line makes it act as that user. The one line says who."""
    facts = clean_facts()
    add_text(facts, "/etc/logrotate.d/yourapplication", text)
    msg = outcome("cw_schedules", facts, exp)
    assert "logrotate rotates /var/www/yourapplication/shared/data/logs/*.log, which matches files in the app's " \
        f"tree: {who}, daily" in msg and msg.count("- /etc/logrotate.d/") == 1, msg


@pytest.mark.parametrize("text, caught", [
    # blind11 a02 (shown: root's job, as cron runs it with the file's PATH, ran the app user's 'tar' as uid 0)
    (f"PATH={R}/shared/data/bin:/usr/sbin:/usr/bin:/sbin:/bin\n30 3 * * * root tar czf /var/backups/a.tgz "
     f"-C {R}/shared data\n", True),
    # other members: root runs a script the app user writes, sources its file, a variable naming its dir
    (f"0 3 * * * root /bin/sh {R}/shared/data/nightly.sh\n", True),
    (f"0 3 * * * root . {R}/shared/data/backup.env; /usr/local/sbin/backup\n", True),
    (f"BASH_ENV={R}/shared/data/env.sh\n0 3 * * * root /usr/bin/true\n", True),
    # the app user's own job: what allow_cron accounts for (root with the released code: blind13's test below)
    (f"0 3 * * * yourapplication /bin/sh {R}/shared/data/nightly.sh\n", False),
    (f"0 2 * * * root tar -czf /var/backups/app.tgz -C {R} shared/data\n", False),  # (only named: read)
    # blind12: a relative script after cd is run from the working dir (root's job, and a10: the deploy login's, which
    # has sudo: a job of any account but the app user's own hands that account's rights over); python -m from there
    (f"0 3 * * * root cd {R}/shared/data && sh ./sync.sh\n", True),
    (f"*/30 * * * * appuser cd {R}/shared/data && sh ./sync.sh\n", True),
    (f"0 3 * * * appuser cd {R}/shared/data && /usr/bin/python3 -m report\n", True),
    (f"0 3 * * * appuser {R}/shared/data/bin/nightly\n", True),
    (f"0 3 * * * appuser cd {R}/current && venv/bin/python -c 'print(1)'\n", False),
    (f"0 3 * * * root cd {R}/shared/data && tar czf /var/backups/d.tgz .\n", False)])  # (a command by PATH: named)
def test_an_allowed_root_job_taking_code_from_the_apps_shared_dirs_fails(exp, text, caught):
    """Class (blind11): allow_cron accounts for a job with the app's code (the deploy's releases), but the shared
    dirs are the app user's to write: a root job that runs, sources or finds its commands (PATH) there hands root
    to the least trusted account, whatever is allowed; the app user's own job and root only naming the dir pass."""
    facts = clean_facts()
    add_text(facts, "/etc/cron.d/app-backup", "SHELL=/bin/sh\n" + text)
    msg = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/app-backup",)))
    if not caught:
        assert msg == "pass", msg
        return
    who = "appuser" if " appuser " in text else "root"
    assert "/etc/cron.d/app-backup:" in msg and ("the app user writes its shared dirs" in msg and f"no allowance "
                                                 f"accounts for handing {who}'s rights to someone else" in msg or
                                                 f"first on sys.path for -m and -c: a module of that name written "
                                                 f"there runs as {who}" in msg), msg
    assert msg.count("- /etc/cron.d/app-backup:") == 1, msg  # (one cause, one line)


@pytest.mark.parametrize("path, text", [
    # blind13 (shown on a container, the deploy login without sudo): the allowed app-backup file got a second line
    ("/etc/cron.d/app-backup", f"30 2 * * * yourapplication cd {R}/current && venv/bin/python -m x\n"
     f"45 2 * * * root {R}/shared/backup-hook.sh\n"),
    # other members: root runs the released code (the deploy login's), from cron, logrotate's script, an at job's line
    ("/etc/cron.d/app-backup", f"0 3 * * * root cd {R}/current && venv/bin/python -c 'print(1)'\n"),
    ("/etc/logrotate.d/app-logs", "/var/log/app/*.log {\n    daily\n    postrotate\n"
     f"        {R}/current/venv/bin/python -m yourapplication.reopen || true\n    endscript\n}}\n"),
    ("/var/spool/cron/atjobs/a0001", f"cd {R}/current; venv/bin/python -m x")])
def test_an_allowed_root_job_never_runs_what_the_deploy_login_can_change(exp, path, text):
    """Class (blind13): an allowance accounts for a scheduled job, never for root running code the deploy login can
    change (its releases, shared/ itself: every deploy, and the login any time, would run code as root), as allow_units
    never does for a unit; a job of the app user with the released code, and root only naming the tree, still pass
    when allowed."""
    facts = clean_facts()
    if path.startswith("/etc/logrotate.d/"):
        s = snap({path: (0o644, 0, 0)}, {path: text})
        s.dirs["/etc/logrotate.d"] = [path.rsplit("/", 1)[1]]
        inv(facts)["logrotate"] = parse.logrotate_scripts(s)
    elif path.startswith("/var/spool/"):
        inv(facts)["at_jobs"] = [{"where": path, "file": path, "user": "root", "job": text}]
    else:
        add_text(facts, path, text)
    assert outcome("cw_schedules", facts, exp).startswith("fail")  # (not allowed: the allowance hint as before)
    msg = outcome("cw_schedules", facts, allowing(exp, cron=(path,)))
    assert msg.startswith("fail") and f"- {path}:" in msg and "root" in msg and \
        "no allowance accounts for handing root's rights to someone else" in msg, msg
    assert msg.count(f"- {path}:") == 1, msg  # (one cause, one line)


@pytest.mark.parametrize("text", [
    f"0 3 * * * yourapplication cd {R}/current && venv/bin/python -c 'print(1)'\n",
    f"0 2 * * * root tar -czf /var/backups/app.tgz -C {R} shared/data\n"])
def test_an_allowed_job_of_the_app_user_or_root_naming_the_tree_passes(exp, text):
    facts = clean_facts()
    add_text(facts, "/etc/cron.d/app-backup", text)
    assert outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/app-backup",))) == "pass"


def test_the_postinsts_are_read_after_every_step_that_records_a_privileged_file(monkeypatch):
    """Class (a package's own capabilities read as set by hand): the login collector read the postinst of each
    package holding a file with capabilities in a step before the one recording running programs' files, so
    sssd's krb5_child and ldap_child (setcap in sssd-krb5-common's postinst, Debian 13, seen through the running
    sssd's directory) were two lines 'set after dpkg installed it'. Other member: any file first recorded by the
    later steps (``local files``). The postinsts are now read after them."""
    from deploytests.verify import collect_login

    order = []
    names = ("tree", "read", "note", "ld_dirs", "hooks", "own_keys", "links", "polkit", "host_keys", "acls",
             "login_homes", "unix_diag", "unix_sockets", "verdict", "acts", "logs", "served_dirs", "served_links",
             "outputs", "programs", "mentions", "local_files", "postinsts", "digests", "ran")
    for name in names:
        if hasattr(collect_login, name):
            monkeypatch.setattr(collect_login, name, lambda out, *a, _n=name: order.append(_n))
    collect_login.collect({"app": "app", "app_user": "app", "deploy_user": "deployer"})
    assert "postinsts" in order, order
    assert all(order.index("postinsts") > order.index(step) for step in ("programs", "local_files", "acts")), order


def test_a_service_account_s_own_place_in_the_system_s_trees_fails_naming_the_allowance_that_trusts_it(exp):
    """Class: a place of /etc a service's own account may change, made so by its package or its root program, not
    by an admin: puppet's ``/etc/puppet/devices`` (0750 puppet:puppet: its root agent re-makes it its account's at
    every run, so no chown holds), clamav's ``freshclam.conf`` (0444 clamav:adm: its postinst's chown; freshclam
    starts as root and reads it), logcheck's ``/etc/logcheck`` (0750 logcheck:logcheck: its postinst's). Each was a
    line with no allowance to write. The risk is real (whoever acts as that account changes what root reads there:
    a per-device puppet.conf, freshclam's ``DatabaseOwner``/``OnUpdateExecute``), so it still fails, now naming
    the allowance that trusts that account with it (a directory ``PATH/``: no pin; a file: its content pinned);
    never one a login, the deploy login, the app user or Apache's user may change, nor one anyone may."""
    facts = with_stock_logins(clean_facts())
    facts.raw.files["/etc/passwd"]["data"] += ("dev:x:1501:1501::/home/dev:/bin/bash\npuppet:x:112:117::/var/lib/"
                                               "puppet:/usr/sbin/nologin\nclamav:x:113:118::/var/lib/clamav:/bin/false\n"
                                               "www-data:x:33:33::/var/www:/usr/sbin/nologin\n")
    facts.raw.files["/etc/group"]["data"] += "dev:x:1501:\npuppet:x:117:\nclamav:x:118:\nadm:x:4:\nwww-data:x:33:\n"
    facts.raw = parse.Snapshot(facts.raw.raw)
    for path, mode, uid, gid, entry in (
            ("/etc/puppet/devices", 0o40750, 112, 117, "/etc/puppet/devices/ 0750 puppet:puppet"),
            ("/etc/clamav/freshclam.conf", 0o100444, 113, 4, "/etc/clamav/freshclam.conf 0444 clamav:adm"),
            ("/etc/nagios/conf.d", 0o40775, 0, 117, "/etc/nagios/conf.d/ 0775 root:puppet")):  # (a group's)
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        if stat.S_ISREG(mode):  # (its bytes, as the login collector sends them: the pin)
            facts.raw.files[path] = {"st": [mode, uid, gid, 24, 0, 1], "data": "DatabaseMirror db.local\n"}
        msg = outcome("cw_load_path", facts, exp)
        assert msg.startswith("fail: 1 ") and f"{path} ({mode & 0o7777:04o} " in msg, msg
        pin = f" sha256:{hashlib.sha256(b'DatabaseMirror db.local' + bytes([10])).hexdigest()}" if stat.S_ISREG(mode) \
            else ""
        assert f"a service's account) is meant to change it, allow it: allow_privileged = " \
               f"[{json.dumps(entry + pin)}]" in msg, msg
        assert outcome("cw_load_path", facts, allowing(exp, privileged=(entry,))) == "pass", entry
        other = entry.replace(f" {mode & 0o7777:04o} ", " 0770 ")  # (the place's mode or owner since: not allowed)
        assert outcome("cw_load_path", facts, allowing(exp, privileged=(other,))).startswith("fail: 1 "), other
    for path, mode, uid, gid in (("/etc/tool.d", 0o40755, 1501, 1501),  # a login's
                                 ("/etc/tool.d", 0o40755, 33, 33),  # Apache's user's
                                 ("/etc/tool.d", 0o40775, 0, 1000),  # a group the deploy login is in
                                 ("/etc/tool.d", 0o40777, 112, 117)):  # anyone's
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        msg = outcome("cw_load_path", facts, exp)
        assert msg.startswith("fail: 1 ") and "allow_privileged" not in msg and "make it root's alone" in msg, msg
        written = f"/etc/tool.d/ {mode & 0o7777:04o} {msg.split(f'{mode & 0o7777:04o} ', 1)[1].split(')', 1)[0]}"
        assert outcome("cw_load_path", facts, allowing(exp, privileged=(written,))) == msg, written  # (written: no)


def test_a_service_account_s_file_the_gate_s_login_may_not_read_is_allowed_by_its_identity(exp):
    """Class (a line naming an allowance that cannot be written): a file of /etc a package's postinst hands to its
    service's account, ``0600`` or ``0640`` because it holds a secret: nullmailer's ``remotes`` (``0600 mail:mail``,
    the relay's password; Debian 12 and 13), apt-cacher-ng's ``security.conf`` (``0600 apt-cacher-ng``, its admin
    password: the other member). The line offered ``allow_privileged`` with ``sha256:<its sha256>`` and said to make
    the file readable to the gate's login (which hands the secret to every local user, or breaks the service): no
    entry could ever hold. Such a file is now pinned by its identity (the login's ``lstat`` of it: inode, ``ctime``,
    size, mode, owner; any write, chmod, chown or swap changes it), as a privileged program it may not read is; the
    line says to review it as root first, and a change since breaks the pin."""
    facts = with_stock_logins(clean_facts())
    facts.raw.files["/etc/passwd"]["data"] += "acng:x:114:119::/var/cache/apt-cacher-ng:/usr/sbin/nologin\n"
    facts.raw.files["/etc/group"]["data"] += "acng:x:119:\n"
    facts.raw = parse.Snapshot(facts.raw.raw)
    for path, mode, uid, gid, entry in (
            ("/etc/nullmailer/remotes", 0o100600, 8, 8, "/etc/nullmailer/remotes 0600 mail:mail"),
            ("/etc/apt-cacher-ng/security.conf", 0o100600, 114, 119,
             "/etc/apt-cacher-ng/security.conf 0600 acng:acng")):
        inv(facts)["system_dirs"] = [[path, mode, uid, gid]]
        facts.raw.files.pop(path, None)  # (no bytes: the login may not read it)
        ident = hashlib.sha256(f"identity 64769 4242 1765000100.5 41 {mode:o} {uid} {gid}".encode()).hexdigest()
        facts.raw.raw["etc_files"] = {path: "identity:" + ident}
        msg = outcome("cw_load_path", facts, exp)
        assert msg.startswith("fail: 1 ") and "<its sha256>" not in msg, msg
        assert f"review it as root first (the gate's login may not read {path}: the pin is of its identity" in msg, msg
        assert f"allow_privileged = [{json.dumps(entry + ' sha256:' + ident)}]" in msg, msg
        assert outcome("cw_load_path", facts, allowing(exp, privileged=(f"{entry} sha256:{ident}",))) == "pass"
        facts.raw.raw["etc_files"] = {path: "identity:" + "0" * 64}  # (written to, chmod'ed or swapped since)
        msg = outcome("cw_load_path", facts, allowing(exp, privileged=(f"{entry} sha256:{ident}",)))
        assert msg.startswith("fail: 1 ") and "but it has changed since" in msg, msg
