"""Where root acts later, what root runs as resolved, and root attached to the app: pure logic over facts (issue 17,
blind round 4's classes 1-3 and message defect M6).

The stock places (``init.d``, ``update-motd.d``, ``rc?.d``, ``tmpfiles.d``, udev rules, dpkg's conffiles and lists,
the processes) are a real clean host's snapshot of each platform (``data/rootacts-stock.json``, recorded from the
project's Debian 12 and 13 images after bootstrap and a deploy): the baseline is derived from dpkg there, never from
a list of names. The same on real servers: tests/integration/test_privilege_and_schedules.py."""

from __future__ import annotations

import copy
import dataclasses
import errno
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from stock import outcome

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_login, parse, promises, rootacts
from deploytests.verify.facts import Facts
from deploytests.verify.promises import BY_ID, Expected

DATA = Path(__file__).parent / "data"
STOCK = json.loads((DATA / "rootacts-stock.json").read_text())
RECORDED = json.loads((DATA / "facts-clean.json").read_text())
ROOT = "/var/www/yourapplication"
F, D, L = stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def allowing(exp, **kw):
    return dataclasses.replace(exp, allow=Allowances(**kw))


def host(platform="debian12", files=None, dirs=None, proc=None, lists=None) -> Facts:
    """A clean host's facts with ``platform``'s recorded snapshot, plus ``files`` ({path: (mode, uid, text or
    "-> target")}), ``dirs`` ({dir: [names added]}), ``proc`` ({pid: entry}) and ``lists`` (dpkg's
    ``info/*.list`` files, as ``files``: which package ships what)."""
    raw = copy.deepcopy(STOCK[platform])
    if lists:
        files = {**(files or {}), **lists}
        dirs = {**(dirs or {}), "/var/lib/dpkg/info": [p.rsplit("/", 1)[1] for p in lists]}
    for path, (mode, uid, text) in (files or {}).items():
        entry = {"st": [mode, uid, uid, len(text), 0, 9]}
        entry.update({"link": text[3:]} if text.startswith("-> ") else {"data": text} if text is not None else {})
        raw["files"][path] = entry
    for d, names in (dirs or {}).items():
        raw["dirs"][d] = sorted(set(raw["dirs"].get(d, [])) | set(names))
        raw["files"].setdefault(d, {"st": [D | 0o755, 0, 0, 0, 0, 8]})
    raw["proc"].update(proc or {})
    facts = Facts("docker://web-1", remote=copy.deepcopy(RECORDED))
    facts.raw = parse.Snapshot(raw)
    if lists:
        facts.raw.dpkg = None  # (parsed again with the added lists)
    return facts


def fails(pid, facts, exp) -> str:
    found = outcome(pid, facts, exp)
    assert found.startswith("fail: "), found
    return found


# ---------------------------------------------------------------- 1. every place root acts later


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_the_stock_places_of_a_clean_host_are_dpkgs_and_pass(exp, platform):
    facts = host(platform)
    snap = facts.raw
    assert outcome("cw_root_acts", facts, exp) == "pass"
    assert outcome("cw_traced", facts, exp) == "pass"
    assert outcome("cw_processes", facts, exp) == "pass"
    # the baseline comes from dpkg: the stock init scripts, motd script and rc links are there and judged stock
    known = parse.conffiles(snap.data("/var/lib/dpkg/status"))
    assert {"/etc/init.d/apache2", "/etc/update-motd.d/10-uname"} <= {p for p, _, _ in rootacts.entries(snap)}
    assert rootacts._stock(snap, "/etc/init.d/apache2", known, rootacts._lists(snap)) == "apache2"


def test_the_places_table_is_what_the_login_collector_reads():
    files = {"/etc/ssh/sshrc", "/usr/sbin/policy-rc.d", "/etc/systemd/user.conf"}  # (the places that are one file)
    dirs = {p for p, (kind, _) in rootacts.PLACES.items() if kind != rootacts.LINKS and p not in files}
    assert dirs == set(collect_login.ACTS) | set(collect_login.STARTS)
    assert files <= set(collect_login.FILES) and files <= set(rootacts.PLACES)
    assert {f"/etc/rc{n}.d" for n in "2345"} <= {t[0] for t in collect_login.TREES}


@pytest.mark.parametrize("path, text, why", [
    ("/etc/update-motd.d/40-build", "#!/bin/sh\n" + ROOT + "/current/venv/bin/python -c 'print(1)'\n",
     "pam_motd runs it as root at every SSH login"),
    ("/etc/init.d/app-queue",
     "#!/bin/sh\ncase $1 in start) cd " + ROOT + "/current && venv/bin/python -m q & ;;\nesac\n",
     "works in " + ROOT + "/current (the app's tree)"),
    ("/etc/tmpfiles.d/app.conf", "# hand the app its tree\nZ " + ROOT + " - yourapplication yourapplication -\n",
     "root sets mode and owner recursively under " + ROOT + " (the app's tree) as yourapplication:yourapplication"),
    ("/usr/local/lib/tmpfiles.d/cache.conf", "L /var/cache/app - - - - " + ROOT + "/shared/data\n",
     "root makes the link /var/cache/app from " + ROOT + "/shared/data (the app's tree)"),
    # members the blind tester did not write: a udev rule, an ifupdown hook, a kernel hook, sshrc
    ("/etc/udev/rules.d/80-usb.rules", 'ACTION=="add", SUBSYSTEM=="usb", RUN+="/bin/sh ' + ROOT +
     '/shared/data/usb.sh"\n', "udevd runs its RUN+=/PROGRAM= commands as root"),
    ("/etc/network/if-up.d/app-routes", "#!/bin/sh\n. " + ROOT + "/shared/data/routes.env\n",
     "it sources " + ROOT + "/shared/data/routes.env (the app's tree)"),
    ("/etc/kernel/postinst.d/zz-notify", "#!/bin/sh\nexec " + ROOT + "/current/venv/bin/flask notify\n",
     "root runs it at every kernel package's install"),
    ("/etc/ssh/sshrc", "PATH=" + ROOT + "/current/venv/bin:$PATH xauth -q\n",
     "it finds commands in " + ROOT + "/current/venv/bin"),
    # blind8's h08 (shown: the release's python ran as uid 0 as systemd-shutdown runs it), and the other directories
    # systemd and kernel-install run each file of: systemd-sleep's, the environment generators', kernel-install's
    ("/usr/lib/systemd/system-shutdown/app-flush", "#!/bin/sh\n" + ROOT + "/current/venv/bin/python -c 'import x'\n",
     "systemd-shutdown runs it as root at the end of every shutdown and reboot"),
    ("/usr/lib/systemd/system-sleep/app", "#!/bin/sh\n" + ROOT + "/current/venv/bin/flask pause\n",
     "systemd-sleep runs it as root before and after every suspend"),
    ("/etc/systemd/system-environment-generators/50-app", "#!/bin/sh\n. " + ROOT + "/shared/data/env.sh\n",
     "its output is every service's environment"),
    ("/etc/kernel/install.d/90-app.install", "#!/bin/sh\n" + ROOT + "/current/venv/bin/python -m k\n",
     "root runs it at every kernel package's install"),
])
def test_an_entry_of_a_place_root_acts_later_that_reaches_the_apps_tree_fails(exp, path, text, why):
    place = path.rsplit("/", 1)[0]
    facts = host(files={path: (F | 0o755, 0, text)}, dirs={} if path == "/etc/ssh/sshrc" else
                 {place: [path.rsplit("/", 1)[1]]})
    msg = fails("cw_root_acts", facts, exp)
    handed = "the app user writes its shared dirs" in msg  # (its shared dirs: no allowance hands root to it)
    assert f"- {path}:" in msg and why in msg and (f'allow_cron = ["{path} sha256:' in msg or handed), msg
    assert (outcome("cw_root_acts", facts, allowing(exp, cron=(path,))) == "pass") is not handed


@pytest.mark.parametrize("text, said", [
    # a blind set's fault: every block device 0666 'for a backup agent that reads the disk raw' (root's file, running
    # nothing: the rule judged only RUN+= and PROGRAM=)
    ('# the backup agent reads the disk raw\nSUBSYSTEM=="block", MODE="0666"\n', "read and write"),
    # the other member, written after reading the gate: input devices readable by all (every keystroke typed there)
    ('SUBSYSTEM=="input", GROUP="input", MODE="0664"\n', "gives every local user read access"),
    ('SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", GROUP="dialout", MODE="0660"\n', None),  # (a group: passes)
    ('# SUBSYSTEM=="block", MODE="0666"\n', None)])
def test_a_udev_rule_by_hand_opening_devices_to_every_user_fails(exp, text, said):
    """Class: what a udev rule by hand grants (the mode of the device nodes it matches), not only what it
    runs: others' bits on a device are every local user's access to it from the next boot."""
    path = "/etc/udev/rules.d/99-local.rules"
    facts = host(files={path: (F | 0o644, 0, text)}, dirs={"/etc/udev/rules.d": ["99-local.rules"]})
    if said is None:
        assert outcome("cw_root_acts", facts, exp) == "pass"
        return
    msg = fails("cw_root_acts", facts, exp)
    assert f"- {path}:" in msg and said in msg and f'allow_cron = ["{path} sha256:' in msg, msg


@pytest.mark.parametrize("text", ["#!/bin/sh\n# image build: never start services\nexit 101\n",
                                  "#!/bin/sh\ncase $2 in restart|reload) exit 101;; esac\nexit 0\n"])
def test_a_service_policy_by_hand_fails_whatever_it_names(exp, text):
    """Class (blind: a policy-rc.d left from an image build denied every service action: package upgrades restarted
    nothing, logrotate's reload of Apache was skipped; the gate passed): what decides later whether root's service
    actions happen, by hand, is a finding whatever it names, as a generator by hand is; one line naming
    ``allow_cron`` (the file, pinned). Other member: a policy denying only restarts and reloads."""
    facts = host(files={"/usr/sbin/policy-rc.d": (F | 0o755, 0, text)})
    msg = fails("cw_root_acts", facts, exp)
    assert "- /usr/sbin/policy-rc.d: invoke-rc.d runs it as root" in msg and "a policy no package ships" in msg, msg
    assert 'allow_cron = ["/usr/sbin/policy-rc.d sha256:' in msg, msg
    assert outcome("cw_root_acts", facts, allowing(exp, cron=("/usr/sbin/policy-rc.d",))) == "pass"


@pytest.mark.parametrize("path", ["/etc/systemd/system-generators/gen", "/usr/local/lib/systemd/system-generators/g",
                                  "/run/systemd/system-generators/gen", "/etc/systemd/system-environment-generators/e"])
def test_a_generator_by_hand_is_a_start_entry_whatever_it_names(exp, path):
    """A generator root wrote (root's alone, naming nothing of the app's or anyone's) wrote a unit and its
    ``multi-user.target.wants`` link into ``/run/systemd/generator`` at every boot and daemon-reload: it passed
    (shown on a container booted with systemd: a root listener started at the next boot, unseen). Class: a
    program systemd runs that writes what starts later, by hand; deny by default, as a unit by hand is: one line
    naming ``allow_cron`` (the file, pinned); a generator a package ships is stock."""
    text = ('#!/bin/sh\nprintf "[Service]\\nExecStart=/usr/bin/python3 -m http.server 8097\\n" > "$1/gen.service"\n'
            'mkdir -p "$1/multi-user.target.wants"\nln -sf ../gen.service "$1/multi-user.target.wants/"\n')
    facts = host(files={path: (F | 0o755, 0, text)}, dirs={path.rsplit("/", 1)[0]: [path.rsplit("/", 1)[1]]})
    msg = fails("cw_root_acts", facts, exp)
    assert msg.startswith("fail: 1 ") and f"- {path}: systemd runs it as root at boot and" in msg and \
        "a generator no package ships, a start entry" in msg and f'allow_cron = ["{path} sha256:' in msg, msg
    assert outcome("cw_root_acts", facts, allowing(exp, cron=(path,))) == "pass"
    assert outcome("cw_root_acts", host(), exp) == "pass"  # (the packaged generators of a clean host)


# the places systemd's managers and boot services read at a later start, each entry by hand whatever it says (shown
# passing on a server booted with systemd as PID 1, and on a plain container: none of them was read): every login's
# user manager's units, settings, environment and generators; systemd-binfmt's interpreters; modules-load's modules
@pytest.mark.parametrize("path,text,why", [
    ("/etc/systemd/user/pull.service", "[Service]\nExecStart=/usr/bin/sleep infinity\n",
     "every login's systemd user manager"),
    ("/etc/systemd/user/default.target.wants/tunnel.service", "-> /usr/lib/systemd/user/tunnel.service",
     "every login's systemd user manager"),
    ("/run/systemd/user/pull.service", "[Service]\nExecStart=/usr/bin/sleep infinity\n", "user manager"),
    ("/etc/systemd/user.conf.d/env.conf", "[Manager]\nDefaultEnvironment=LD_PRELOAD=/tmp/.libpre.so\n",
     "takes its settings"),
    ("/etc/environment.d/50-pre.conf", "LD_PRELOAD=/tmp/.libpre.so\n", "every user service's environment"),
    ("/etc/systemd/user-generators/g", "#!/bin/sh\ntrue\n", "a generator no package ships"),
    ("/usr/lib/systemd/user-environment-generators/50-pre", "#!/bin/sh\necho LD_PRELOAD=/tmp/x\n",
     "a generator no package ships"),
    ("/etc/binfmt.d/pull.conf", ":pull:M::PULL::/tmp/run:\n", "the kernel runs the interpreter it names"),
    ("/etc/modules-load.d/dummy.conf", "dummy\n", "loads the kernel modules it names"),
])
def test_an_entry_by_hand_where_systemd_reads_what_starts_later_is_a_start_entry(exp, path, text, why):
    """Class: what a systemd manager or boot service reads at its next start, by hand, judged by no rule (the
    system's unit dirs, manager settings and generators were; the user managers', binfmt's and modules-load's were
    not read). Deny by default, as a generator by hand: one line naming ``allow_cron`` (the file, pinned)."""
    place, name = path.rsplit("/", 1)
    dirs = {place: [name]}
    if place.endswith(".wants"):  # (a link in a .wants dir of a unit dir: two levels down)
        dirs[place.rsplit("/", 1)[0]] = [place.rsplit("/", 1)[1]]
    facts = host(files={path: (F | 0o644, 0, text)}, dirs=dirs)
    msg = fails("cw_root_acts", facts, exp)
    assert msg.startswith("fail: 1 ") and f"- {path}" in msg and why in msg and f'allow_cron = ["{path} sha256:' \
        in msg, msg
    assert outcome("cw_root_acts", facts, allowing(exp, cron=(path,))) == "pass"


# what a tmpfiles line by hand writes at every boot, whatever the place it writes to is: a grant, a job, a kernel hook
# (shown passing on a server booted with systemd: root's own places, the rule judged only where it acts)
@pytest.mark.parametrize("path,line", [
    ("/etc/tmpfiles.d/zz.conf", "f+ /etc/sudoers.d/zz 0440 root root - appuser ALL=(ALL) NOPASSWD: ALL"),
    ("/run/tmpfiles.d/pull.conf", "L+ /etc/cron.d/pull - - - - /tmp/pull"),
    ("/usr/lib/tmpfiles.d/zz-core.conf", "w /proc/sys/kernel/core_pattern - - - - |/tmp/core"),
    ("/usr/local/lib/tmpfiles.d/unit.conf", "C /etc/systemd/system/x.service - - - - /var/backups/x.service"),
])
def test_a_tmpfiles_line_by_hand_that_writes_content_is_a_start_entry(exp, path, line):
    place, name = path.rsplit("/", 1)
    facts = host(files={path: (F | 0o644, 0, line + "\n")}, dirs={place: [name]})
    msg = fails("cw_root_acts", facts, exp)
    assert msg.startswith("fail: 1 ") and f"- {path}:1: systemd-tmpfiles applies it" in msg and \
        "what the line says" in msg and f'allow_cron = ["{path} sha256:' in msg, msg
    assert outcome("cw_root_acts", facts, allowing(exp, cron=(path,))) == "pass"
    # (a line that only makes a directory or an empty file of root's, or sets modes, writes nothing it says)
    plain = host(files={path: (F | 0o644, 0, "d /run/ops 0755 root root -\nf /var/log/ops.log 0640 root adm\n")},
                 dirs={place: [name]})
    assert outcome("cw_root_acts", plain, exp) == "pass"


def test_a_user_unit_a_postinst_enabled_is_the_packages(exp):
    """Debian 13's openssh-client enables ssh-agent.socket for every login (deb-systemd-helper --user, which records
    the link under /var/lib/systemd/deb-systemd-user-helper-enabled): a stock server booted with systemd failed."""
    link = "/etc/systemd/user/sockets.target.wants/ssh-agent.socket"
    record = "/var/lib/systemd/deb-systemd-user-helper-enabled/sockets.target.wants/ssh-agent.socket"
    files = {link: (L | 0o777, 0, "-> /usr/lib/systemd/user/ssh-agent.socket")}
    dirs = {"/etc/systemd/user": ["sockets.target.wants"],
            "/etc/systemd/user/sockets.target.wants": ["ssh-agent.socket"]}
    assert outcome("cw_root_acts", host(files=files, dirs=dirs), exp).startswith("fail: 1 ")  # (by hand)
    assert outcome("cw_root_acts", host(files={**files, record: (F | 0o644, 0, "")}, dirs=dirs), exp) == "pass"


def test_a_user_unit_by_hand_and_its_wants_link_are_one_line(exp):
    unit, link = "/etc/systemd/user/pull.service", "/etc/systemd/user/default.target.wants/pull.service"
    facts = host(files={unit: (F | 0o644, 0, "[Service]\nExecStart=/usr/bin/sleep infinity\n"),
                        link: (L | 0o777, 0, "-> ../pull.service")},
                 dirs={"/etc/systemd/user": ["pull.service", "default.target.wants"],
                       "/etc/systemd/user/default.target.wants": ["pull.service"]})
    msg = fails("cw_root_acts", facts, exp)
    assert msg.startswith("fail: 1 ") and f"- {unit}:" in msg, msg


def test_a_script_root_runs_that_someone_else_may_write_fails_whatever_it_says(exp):
    facts = host(files={"/etc/update-motd.d/90-ops": (F | 0o775, 1000, "#!/bin/sh\necho hi\n")},
                 dirs={"/etc/update-motd.d": ["90-ops"]})
    msg = fails("cw_root_acts", facts, exp)
    assert "/etc/update-motd.d/90-ops: pam_motd runs it" in msg and "someone but root may change it " \
        "(/etc/update-motd.d/90-ops 0775 appuser:appuser)" in msg, msg


def test_an_init_script_others_may_change_is_one_line_naming_its_rc_links(exp):
    """sysstat's /etc/init.d/sysstat made 0666 printed five lines (the script and its four rc?.d links),
    one cause: one line, naming the links it is also run through."""
    for script, links in (("/etc/init.d/sysstat", [f"/etc/rc{n}.d/S01sysstat" for n in "2345"]),):
        files = {script: (F | 0o666, 0, "#!/bin/sh\n")}
        files.update({ln: (L | 0o777, 0, "-> ../init.d/sysstat") for ln in links})
        dirs = {"/etc/init.d": ["sysstat"], **{ln.rsplit("/", 1)[0]: [ln.rsplit("/", 1)[1]] for ln in links}}
        msg = fails("cw_root_acts", host(files=files, dirs=dirs), exp)
        assert msg.startswith("fail: 1 "), msg
        assert f"- {script}: " in msg and f"(root also runs it through {', '.join(links)})" in msg, msg


def test_an_rc_link_to_a_script_outside_init_d_is_judged_by_what_it_runs(exp):
    facts = host(files={"/etc/rc3.d/S02app": (L | 0o777, 0, "-> " + ROOT + "/current/bin/boot")},
                 dirs={"/etc/rc3.d": ["S02app"]})
    msg = fails("cw_root_acts", facts, exp)
    assert "/etc/rc3.d/S02app: root runs what it links to at boot (runlevel 3): it runs /etc/rc3.d/S02app, a link " \
        "to " + ROOT + "/current/bin/boot (the app's tree)" in msg, msg


def test_a_file_a_package_lists_under_a_merged_usr_alias_is_stock_under_usr(exp):
    """Debian 12's packages list /lib/systemd/... (merged-/usr: the same directory as /usr/lib/systemd/...): a
    generator or shutdown hook systemd's or mdadm's package ships is stock where the collector lists it."""
    facts = host()
    snap = facts.raw
    lists = [n for n in snap.listdir("/var/lib/dpkg/info") if n.endswith(".list")]
    name = f"/var/lib/dpkg/info/{lists[0]}"
    snap.files[name]["data"] = snap.text(name) + "/lib/systemd/system-shutdown/mdadm.shutdown\n"
    snap.acts_lists = None
    assert rootacts._lists(snap)["/usr/lib/systemd/system-shutdown/mdadm.shutdown"] == name


def test_a_packaged_file_is_stock_only_while_it_is_what_dpkg_unpacked(exp):
    facts = host()
    snap = facts.raw
    entry = snap.files["/etc/init.d/apache2"]
    known = parse.conffiles(snap.data("/var/lib/dpkg/status"))
    assert hashlib.md5(entry["data"].encode("latin-1")).hexdigest() == known["/etc/init.d/apache2"][1]
    entry["data"] += ROOT + "/current/venv/bin/python -m warm\n"  # edited in place: no longer dpkg's
    msg = fails("cw_root_acts", facts, exp)
    assert "/etc/init.d/apache2:" in msg and "runs " + ROOT + "/current/venv/bin/python" in msg, msg
    # a packaged non-conffile (tmpfiles under /usr/lib): stock by its inode's ctime against its package's list
    facts = host("debian13")
    snap = facts.raw
    path = next(p for p, _, _ in rootacts.entries(snap) if p.startswith("/usr/lib/tmpfiles.d/"))
    assert rootacts._stock(snap, path, {}, rootacts._lists(snap))
    snap.files[path]["ctime"] += 3600  # changed an hour after dpkg unpacked it: judged like any file
    snap.files[path]["data"] += "z " + ROOT + "/releases 0777 - - -\n"
    assert f"- {path}:" in fails("cw_root_acts", facts, exp)


def test_stock_lines_naming_sticky_or_roots_dirs_and_comments_are_no_finding(exp):
    text = ("# " + ROOT + " in a comment\nd /run/app-sock 0755 root root -\nD /tmp/app-cache 1777 root root 1d\n"
            "x /var/tmp/keep-*\n")
    facts = host(files={"/etc/tmpfiles.d/ops.conf": (F | 0o644, 0, text),
                        "/etc/update-motd.d/20-load": (F | 0o755, 0, "#!/bin/sh\n/usr/bin/uptime\n")},
                 dirs={"/etc/tmpfiles.d": ["ops.conf"], "/etc/update-motd.d": ["20-load"]})
    assert outcome("cw_root_acts", facts, exp) == "pass"


# ---------------------------------------------------------------- 2. indirection: what runs, not what is spelled

def cron(job: str, files: dict) -> Facts:
    facts = host(files=dict(files, **{"/etc/cron.d/ops": (F | 0o644, 0, job)}), dirs={"/etc/cron.d": ["ops"]})
    facts.remote["inventory"]["texts"] = []  # (the snapshot's texts stand for them)
    return facts


def test_a_root_job_running_roots_script_that_sources_an_app_file_runs_the_apps_code(exp):
    script = "#!/bin/sh\nset -a\n. " + ROOT + "/shared/data/retention.conf\nfind /var/tmp -delete\n"
    facts = cron("7 1 * * * root /usr/local/sbin/prune-tmp\n",
                 {"/usr/local/sbin/prune-tmp": (F | 0o755, 0, script)})
    msg = fails("cw_schedules", facts, exp)
    assert "/etc/cron.d/ops:1: runs '/usr/local/sbin/prune-tmp' as root from the app's tree" in msg
    assert "it runs /usr/local/sbin/prune-tmp, which sources " + ROOT + "/shared/data/retention.conf (the app's " \
        "tree), which someone but root may change (the app user writes its shared dirs: " + ROOT + \
        "/shared/data/retention.conf) (/usr/local/sbin/prune-tmp:3)" in msg and "runs as root)" in msg, msg


def test_a_root_job_running_a_link_into_the_apps_tree_runs_the_apps_code(exp):
    facts = cron("*/5 * * * * root /usr/local/bin/app-flush -q\n",
                 {"/usr/local/bin/app-flush": (L | 0o777, 0, "-> " + ROOT + "/shared/data/flush.sh")})
    msg = fails("cw_schedules", facts, exp)
    assert "it runs /usr/local/bin/app-flush, a link to " + ROOT + "/shared/data/flush.sh (the app's tree)" in msg


@pytest.mark.parametrize("job", [
    # the shown member: root's job runs a script through the live release's data link (-> shared/data)
    "45 3 * * * root /bin/sh " + ROOT + "/current/data/rotate.sh\n",
    # another: PATH finds commands first in the release's data link (root's tar is the app user's)
    "PATH=" + ROOT + "/current/data/bin:/usr/bin:/bin\n30 3 * * * root tar czf /var/backups/a.tgz -C /srv x\n",
    # and a kept release's link, named by its own path
    "0 4 * * * root . " + ROOT + "/releases/{prev}/data/env.sh; /usr/bin/true\n"])
def test_a_root_job_reaching_a_shared_dir_through_the_trees_links_fails_whatever_is_allowed(exp, job):
    """Class: a path root takes code from, in the app user's shared dir, reached through the app tree's own links
    (``current``, a release's shared path). The tree reader's links resolve it as on the server, naming the app
    user; without them it is the app's tree, the deploy login's code, which root must not run either (blind13)."""
    tree, prev = copy.deepcopy(RECORDED["tree"]), "20261127T030838Z-00000000"
    tree["releases"][prev] = {"shared": {"data": {"kind": "symbolic link", "target": ROOT + "/shared/data"}}}
    job = job.replace("{prev}", prev)
    for with_links in (False, True):
        facts = cron(job, {})
        if with_links:
            facts.raw = parse.Snapshot(dict(facts.raw.raw, app_links=parse.app_links(tree, ROOT)))
        found = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/ops",)))
        assert found.startswith("fail") and ("the app user writes its shared dirs" in found) is with_links, found
    assert "the app user writes its shared dirs: " + ROOT + "/shared/data" in found, found
    assert "no allowance" in found or "whatever" in found, found


def test_the_trees_links_taken_are_only_those_that_stay_in_the_tree():
    """The deploy login's links may move a path within its tree, never make one root's (a data link to /etc)."""
    tree = {"current": "releases/r1", "live": {"id": "r1", "shared": {
        "data": {"kind": "symbolic link", "target": ROOT + "/shared/data"},
        "etc": {"kind": "symbolic link", "target": "/etc"},
        "up": {"kind": "symbolic link", "target": "../../../x"},
        "logs": {"kind": "directory"}}}}
    assert parse.app_links(tree, ROOT) == {ROOT + "/current": "releases/r1",
                                           ROOT + "/releases/r1/data": ROOT + "/shared/data"}
    snap = parse.Snapshot({"files": {}, "app_links": parse.app_links(tree, ROOT)})
    assert snap.realpath(ROOT + "/current/data/bin/tar") == ROOT + "/shared/data/bin/tar"
    assert snap.realpath(ROOT + "/current/etc/passwd") == ROOT + "/releases/r1/etc/passwd"


@pytest.mark.parametrize("job, there, caught", [
    ("15 4 * * * root /bin/sh /var/tmp/rotate.sh\n", False, True),  # (a blind tester's p01 class: not there yet)
    ("15 4 * * * root /dev/shm/job --quiet\n", False, True),  # another member: run directly, in /dev/shm
    ("15 4 * * * root /bin/sh /var/tmp/rotate.sh\n", True, False),  # root's own file there: root's
    ("15 4 * * * root /usr/bin/find /var/tmp/old -delete\n", False, False),  # only named there
])
def test_a_name_root_runs_that_is_not_there_yet_in_a_sticky_dir_is_whoever_makes_it_first(exp, job, there, caught):
    """Class: a program or file root runs that does not exist yet, in a directory anyone may add a name to, a sticky
    one too: whoever makes the name first owns it, and root runs that file. A sticky directory protects names that
    are there, not names to come."""
    path = job.split()[7] if "/bin/sh" in job else job.split()[6]
    files = {d: (D | 0o1777, 0, "") for d in ("/var/tmp", "/dev/shm")}
    if there:
        files[path] = (F | 0o755, 0, "#!/bin/sh\nfind /var/tmp -mtime +7 -delete\n")
    facts = cron(job, files)
    if not there:
        facts.raw.files[path] = {"why": os.strerror(errno.ENOENT)}
    found = outcome("cw_schedules", facts, allowing(exp, cron=("/etc/cron.d/ops",)))
    said = f"{path} is not there, and whoever makes it first owns it" in found
    assert said is caught, found


def test_an_apt_hooks_command_line_is_judged_as_a_command_line_not_as_one_quoted_word():
    """Class: a command root runs, read as configuration (a blind tester's p01: apt's DPkg::Pre-Invoke ran
    ``if [ -x /tmp/apt-pre.sh ]; then /tmp/apt-pre.sh; fi``; the quoted string was one word the hook line named, so
    the program it runs was never judged). apt runs each quoted string of a hook key with ``sh -c``."""
    from deploytests.verify.promises import _job_reach

    text = ('DPkg::Pre-Invoke { "if [ -x /tmp/apt-pre.sh ]; then /tmp/apt-pre.sh; fi"; };\nAPT::Periodic::Enable "1";\n'
            'DPkg::Post-Invoke {\n  "/usr/local/bin/notify --all";\n};\n')
    assert parse.apt_commands(text) == {1: ["if [ -x /tmp/apt-pre.sh ]; then /tmp/apt-pre.sh; fi"],
                                        4: ["/usr/local/bin/notify --all"]}
    assert {h for h, _ in rootacts._words(text.splitlines()[0])} == {"names"}  # (the line read whole: only named)
    facts = host(files={"/etc/apt/apt.conf.d/99pre": (F | 0o644, 0, text), "/tmp": (D | 0o1777, 0, "")},
                 dirs={"/etc/apt/apt.conf.d": ["99pre"]})
    facts.raw.files["/tmp/apt-pre.sh"] = {"why": os.strerror(errno.ENOENT)}
    hooks = [h for h in parse.root_hooks(facts.raw) if h["file"] == "/etc/apt/apt.conf.d/99pre"]
    assert [h["job"] for h in hooks] == ["if [ -x /tmp/apt-pre.sh ]; then /tmp/apt-pre.sh; fi",
                                         'APT::Periodic::Enable "1";', "DPkg::Post-Invoke {",
                                         "/usr/local/bin/notify --all", "};"]
    why, runs = _job_reach(facts.raw, hooks[0], ROOT)
    assert runs and "/tmp/apt-pre.sh is not there, and whoever makes it first owns it" in why, why


def test_a_root_job_that_only_names_the_tree_says_so_not_that_it_runs_it(exp):
    facts = cron("0 2 * * * root borg create /srv/borg::{now} " + ROOT + "/shared /etc\n", {})
    msg = fails("cw_schedules", facts, exp)
    assert "as root, naming the app's tree" in msg and "it names " + ROOT + "/shared (the app's tree)" in msg
    assert "runs as root" not in msg and "root reads or writes there" in msg and len(msg.splitlines()) == 3, msg


def test_another_users_job_running_its_own_script_is_no_finding(exp):
    facts = cron("0 2 * * * backup /home/backup/run.sh\n", {"/home/backup/run.sh": (F | 0o755, 1000, "#!/bin/sh\n")})
    assert outcome("cw_schedules", facts, exp) == "pass"


def proc(pid, uid, cmdline, cwd="/", ppid=1, opened=(), status=""):
    return {str(pid): {"uid": uid, "stat": f"{pid} (x) S {ppid} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0",
                       "status": status, "cmdline": cmdline.replace(" ", "\0"), "cwd": cwd,
                       "exe": cmdline.split()[0] if cmdline.startswith("/") else "/usr/bin/" + cmdline.split()[0],
                       "open": list(opened), "sockets": []}}


def test_a_root_process_working_in_the_apps_tree_runs_from_it_and_its_children_are_one_line(exp):
    facts = host(proc={**proc(901, 0, "/bin/sh /usr/local/sbin/report", cwd=ROOT + "/releases/R1"),
                       **proc(902, 0, "python3 -c pass", cwd=ROOT + "/releases/R1", ppid=901)})
    msg = fails("cw_processes", facts, exp)
    assert "pid 901 (root) '/bin/sh /usr/local/sbin/report', outside any login session: its working directory is " \
        + ROOT + "/releases/R1 (the app's tree)" in msg and "pid 902" not in msg, msg
    assert outcome("cw_processes", facts, allowing(exp, processes=("root: /bin/sh /usr/local/sbin/report",))) == "pass"


def test_a_root_process_holding_an_app_file_open_or_running_a_link_there_fails(exp):
    facts = host(files={"/usr/local/bin/rep": (L | 0o777, 0, "-> " + ROOT + "/shared/data/rep")},
                 proc={**proc(903, 0, "/bin/sh /usr/local/bin/rep"),
                       **proc(904, 0, "/usr/bin/tail -f x", opened=[ROOT + "/shared/data/q.log"])})
    msg = fails("cw_processes", facts, exp)
    assert "pid 903 (root)" in msg and "runs /usr/local/bin/rep, a link to " + ROOT + "/shared/data/rep" in msg
    assert "pid 904 (root)" in msg and "it holds " + ROOT + "/shared/data/q.log open" in msg, msg


# Class: a data file a program reads taken for a script it runs. An admin's tmux pane left running
# ``tail -F /var/log/apache2/error.log`` (Apache's log names the app's WSGI script) was "runs
# /var/log/apache2/error.log, which names .../application.wsgi": the line named the wrong thing, and its
# allowance pinned a log that changes with every request. A file the process holds open that its command line does
# not give it to run is data: its place is judged, its text is not read as a script.
LOG = "/var/log/apache2/error.log"
LOGTEXT = ("[wsgi:error] [pid 7] mod_wsgi (pid=7): Exception occurred processing WSGI script "
           f"'{ROOT}/application.wsgi'.\n")


@pytest.mark.parametrize("cmdline", [f"tail -F {LOG}", f"less {LOG}"])  # (other member: a pager)
def test_a_log_an_admins_process_reads_is_data_not_a_script_it_runs(exp, cmdline):
    # (their programs a package's: one no package ships, left to pid 1, is a finding of its own)
    lists = {f"/var/lib/dpkg/info/{pkg}.list": (F | 0o644, 0, f"/usr/bin/{pkg}\n") for pkg in ("tail", "less", "tmux")}
    files = {LOG: (F | 0o640, 0, LOGTEXT)}
    assert outcome("cw_processes", host(files=files, lists=lists, proc=proc(970, 1002, cmdline, opened=[LOG])),
                   exp) == "pass"
    # the tmux server, whose title is the command it was made with, and its pane's process below it holding the file
    tmux = {**proc(972, 1002, f"tmux new -d -s ops {cmdline}"), **proc(973, 1002, cmdline, ppid=972, opened=[LOG])}
    assert outcome("cw_processes", host(files=files, lists=lists, proc=tmux), exp) == "pass"


@pytest.mark.parametrize("uid,cmdline,opened,said", [
    # the same file given to a shell to run is a script: read as before
    (1002, f"/bin/sh {LOG}", [LOG], f"runs {LOG}, which names {ROOT}/application.wsgi"),
    # a file the process does not hold open (a configuration read at start): read as before
    (1002, f"tail -n 5 {LOG}", [], f"runs {LOG}, which names {ROOT}/application.wsgi"),
    # a data file in the app's tree, and root reading one someone but root may change: judged by their place
    (1002, f"tail -F {ROOT}/shared/data/q.log", [f"{ROOT}/shared/data/q.log"], f"{ROOT}/shared/data/q.log (the app"),
    (0, "tail -F /tmp/q.log", ["/tmp/q.log"], "/tmp/q.log, which someone but root may change"),
])
def test_a_file_a_process_runs_or_a_data_file_in_a_loose_place_stays_judged(exp, uid, cmdline, opened, said):
    files = {LOG: (F | 0o640, 0, LOGTEXT), "/tmp/q.log": (F | 0o644, 1002, "x\n"), "/tmp": (D | 0o1777, 0, "")}
    msg = fails("cw_processes", host(files=files, proc=proc(971, uid, cmdline, opened=opened)), exp)
    assert "pid 971 (" in msg and said in msg, msg


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])  # (other member: a job's '</dev/zero')
def test_a_character_device_a_root_job_names_is_no_file_someone_may_change(exp, device):
    """Class (a flaky false alarm, found by the integration test when the admin's */10 munin-run cron job was
    running as the gate looked): a root process ``sh -c '/usr/sbin/munin-run cpu >/dev/null 2>&1'`` was "runs
    /dev/null, which someone but root may change (/dev/null 0666 root:root)". A character device holds no file's
    content anyone changes; a regular file others may write in /dev (``/dev/shm``) stays judged."""
    files = {device: (stat.S_IFCHR | 0o666, 0, ""), "/dev/shm/x": (F | 0o666, 0, "#!/bin/sh\n")}
    snap = host(files=files).raw
    assert rootacts.path_problem(snap, "runs", device, ROOT, loose=True) is None
    assert "someone but root may change" in (rootacts.path_problem(snap, "runs", "/dev/shm/x", ROOT, loose=True) or "")


# Class: a package's own program read as root's script. munin-node (Perl) runs as root and munin-run from an admin's
# cron job; the gate read their lines as shell and took the FILES section of their documentation
# ("    /var/run/munin/munin-node.pid", a dir of the munin user) for a command they run: two false alarms on an
# ordinary monitoring agent. A package's unchanged file is the distribution's, as every place's entries are; the
# same script written or changed after its package was unpacked is read as before. Members: a root process
# (perl script) and a root cron job running the packaged program.
MUNIN = "#!/usr/bin/perl -wT\nuse strict;\n__END__\n\n=head1 FILES\n\n    /run/munin/munin-node.pid\n"


def munin(exp, changed: bool) -> Facts:
    facts = cron("*/10 * * * * root /usr/sbin/munin-run cpu\n", {
        "/usr/sbin/munin-node": (F | 0o755, 0, MUNIN), "/usr/sbin/munin-run": (F | 0o755, 0, MUNIN),
        "/run/munin": (D | 0o755, 105, ""), "/run/munin/munin-node.pid": (F | 0o644, 105, "960\n"),
        "/var/lib/dpkg/info/munin-node.list": (
            F | 0o644, 0, "/usr/sbin/munin-node\n/usr/sbin/munin-run\n"),
        "/var/lib/dpkg/info/perl-base.list": (F | 0o644, 0, "/usr/bin/perl\n")})  # (its interpreter: a package's)
    files = facts.raw.files
    files["/var/lib/dpkg/info/munin-node.list"]["ctime"] = 1000.0
    for prog in ("/usr/sbin/munin-node", "/usr/sbin/munin-run"):
        files[prog]["st"] = files[prog]["st"][:6] + [2000.0 if changed else 999.0]
    facts.raw.raw["dirs"]["/var/lib/dpkg/info"] += ["munin-node.list", "perl-base.list"]
    facts.raw.dpkg = None  # (parsed again with the added list)
    facts.raw.raw["proc"].update(proc(960, 0, "/usr/bin/perl -wT /usr/sbin/munin-node --foreground"))
    return facts


def test_a_packaged_programs_own_lines_are_not_read_as_roots_script(exp):
    facts = munin(exp, changed=False)
    assert rootacts.packaged(facts.raw, "/usr/sbin/munin-node") == "munin-node"
    assert outcome("cw_processes", facts, exp) == "pass"
    assert outcome("cw_schedules", facts, exp) == "pass"
    facts = munin(exp, changed=True)  # changed after dpkg unpacked it: root's script, read as before
    assert rootacts.packaged(facts.raw, "/usr/sbin/munin-node") is None
    msg = fails("cw_processes", facts, exp)
    # a Perl script's path word is what its own code takes (a module, a file it reads or writes): here a pid file
    # munin (uid 105) may change, which root's program reads; no allowance accounts for that
    assert "runs /usr/sbin/munin-node, which loads /run/munin/munin-node.pid, which someone but root may change" \
        in msg and "no allowance accounts for it" in msg, msg
    allowed = allowing(exp, processes=("root: /usr/bin/perl -wT /usr/sbin/munin-node",))
    assert fails("cw_processes", facts, allowed) == msg
    # an allowance binds the script: "root: /usr/bin/perl" would allow every Perl script root runs
    assert rootacts.allow_prefix("/usr/bin/perl -wT /usr/sbin/munin-node --foreground".split()) == \
        "/usr/bin/perl -wT /usr/sbin/munin-node"
    assert "/etc/cron.d/ops:1:" in fails("cw_schedules", facts, exp)


def test_a_packaged_program_of_another_owner_in_a_path_dir_a_root_job_runs_is_the_stock_baseline(exp):
    """attack8, a false alarm found on the lab: Debian's `at` installs /usr/bin/at 6755 daemon:daemon, and a
    directory a root job runs (run-parts; /etc/profile's PATH too, before a PATH entry was read as where commands
    are found) had its entries judged one by one: 'runs /usr/bin, which runs /usr/bin/at, which someone but root
    may change'. A package's program as dpkg unpacked it is the stock baseline, its owner the package's choice; the
    same file changed after (its ctime) is judged as before."""
    def facts(changed: bool) -> Facts:
        f = cron("0 3 * * * root run-parts --report /usr/bin\n", {
            "/usr/bin/at": (F | 0o6755, 1, ""), "/var/lib/dpkg/info/at.list": (F | 0o644, 0, "/usr/bin/at\n")})
        f.raw.raw["dirs"]["/usr/bin"] = sorted(set(f.raw.raw["dirs"].get("/usr/bin", [])) | {"at"})
        for d in ("/usr", "/usr/bin"):
            f.raw.files.setdefault(d, {"st": [D | 0o755, 0, 0, 0, 0, 8]})
        f.raw.raw["dirs"]["/var/lib/dpkg/info"].append("at.list")
        f.raw.files["/var/lib/dpkg/info/at.list"]["ctime"] = 1000.0
        f.raw.files["/usr/bin/at"]["st"] = f.raw.files["/usr/bin/at"]["st"][:6] + [2000.0 if changed else 999.0]
        f.raw.dpkg = None
        return f

    assert "/usr/bin/at" not in outcome("cw_schedules", facts(False), exp)
    assert "runs /usr/bin/at, which someone but root may change" in fails("cw_schedules", facts(True), exp)


def test_an_allowed_process_binds_the_code_it_runs_not_the_command_line_it_chose(exp):
    """A process chooses its command line: the app's worker allowed in writing by its exact command line, started
    by the deploy login from a directory of its own so that ``-m`` imports its module from there, is not the app's
    worker; nor is ``-m ...worker_evil`` (word by word, not a prefix). From the live release or root's ``/``: the
    allowed worker."""
    def app_process(cmd, cwd):
        facts = host(proc=proc(930, 999, cmd, cwd=cwd))
        facts.get("inventory")["processes"].append({
            "pid": 930, "user": "yourapplication", "ppid": 1, "comm": "python", "cmdline": cmd, "exe": None,
            "started": 0.0, "ancestors": [{"pid": 1, "comm": "docker-init", "user": "root"}]})
        return facts

    worker = f"{ROOT}/current/venv/bin/python -m yourapplication.worker"
    allowed = allowing(exp, processes=(f"yourapplication: {worker}",))
    live = ROOT + "/" + host().tree["current"]
    for cwd in (live, "/"):
        assert outcome("cw_processes", app_process(worker, cwd), allowed) == "pass", cwd
    for cwd in ("/dev/shm/w", ROOT + "/shared/data", "/home/deployer"):
        msg = fails("cw_processes", app_process(worker, cwd), allowed)
        assert f"it takes code from its working directory {cwd} (-m, -c or a relative script" in msg, msg
    msg = fails("cw_processes", app_process(worker + "_evil", "/"), allowed)
    assert "a process of the app user (yourapplication)" in msg, msg
    # another member: a relative script, under an allowance naming it, from a directory the deploy login writes
    script = "/usr/bin/python3 worker.py"
    msg = fails("cw_processes", app_process(script, "/dev/shm/w"), allowing(exp, processes=(f"yourapplication: "
                                                                                           f"{script}",)))
    assert "working directory /dev/shm/w" in msg, msg


def test_an_allowed_process_binds_the_program_the_kernel_runs_and_its_code_finding_environment(exp):
    """attack8: the entry bound the command line's words and the working directory, not the program the kernel
    runs nor the environment the process chose: the deploy login (its sudo rule: the release's python as the app
    user) started the allowed worker's exact command line from / with PYTHONPATH=/dev/shm/w (-m imported its own
    module), and /bin/bash under the python's name with PATH=/dev/shm/w:... (bash -m ran the script of that name
    in PATH): the gate passed both. The exe is now the entry's program (a venv's python: the stack's
    interpreter), and no PYTHON*, LD_*, PERL*, RUBY*, NODE_* or PATH variable names a place others may change."""
    worker = f"{ROOT}/current/venv/bin/python -m yourapplication.worker"
    allowed = allowing(exp, processes=(f"yourapplication: {worker}",))
    python = f"/usr/bin/python{exp.stack.python_version}"

    def worker_process(exe, environ):
        facts = host(proc=proc(931, 999, worker, cwd="/"), dirs={"/usr/bin": [], "/bin": []})  # (root's, as read)
        facts.raw.raw["proc"]["931"].update(exe=exe, environ="\0".join(environ))
        facts.get("inventory")["processes"].append({
            "pid": 931, "user": "yourapplication", "ppid": 1, "comm": "python", "cmdline": worker, "exe": exe,
            "started": 0.0, "ancestors": [{"pid": 1, "comm": "docker-init", "user": "root"}]})
        return facts

    assert outcome("cw_processes", worker_process(python, ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"]), allowed) == "pass"
    msg = fails("cw_processes", worker_process(python, ["PATH=/usr/bin:/bin", "PYTHONPATH=/dev/shm/w"]), allowed)
    assert "its environment's 'PYTHONPATH=/dev/shm/w' names /dev/shm/w, which someone but root may change" in msg, msg
    msg = fails("cw_processes", worker_process("/usr/bin/bash", ["PATH=/usr/bin:/bin"]), allowed)
    assert f"it runs /usr/bin/bash, not {ROOT}/current/venv/bin/python" in msg, msg
    msg = fails("cw_processes", worker_process(python, ["PATH=/dev/shm/w:/usr/bin:/bin"]), allowed)
    assert "'PATH=/dev/shm/w:/usr/bin:/bin' names /dev/shm/w" in msg, msg
    msg = fails("cw_processes", worker_process(None, []), allowed)
    assert "the program it runs is not known" in msg, msg


# ---------------------------------------------------------------- 3. root attached to the app

def test_a_traced_daemon_names_its_tracer_and_an_allowed_tracer_passes(exp):
    facts = host()
    table = parse.Procs(facts.raw).table
    daemon = next(p for p in table.values() if p["user"] == "yourapplication")
    entry = facts.raw.raw["proc"][str(daemon["pid"])]
    assert "TracerPid:\t0\n" in entry["status"]
    entry["status"] = entry["status"].replace("TracerPid:\t0\n", "TracerPid:\t950\n")
    facts.raw.raw["proc"].update(proc(950, 0, "strace -f -p %d -o /tmp/t" % daemon["pid"]))
    msg = fails("cw_traced", facts, exp)
    assert f"pid {daemon['pid']} (yourapplication)" in msg and "is traced by pid 950 (root) 'strace -f -p" in msg
    assert outcome("cw_traced", facts, allowing(exp, processes=("root: strace -f -p",))) != "pass"  # (a prefix)
    assert f'allow_processes = ["root: strace -f -p {daemon["pid"]} -o /tmp/t sha256:' in msg, msg
    allowed = "root: strace -f -p %d -o /tmp/t" % daemon["pid"]
    assert outcome("cw_traced", facts, allowing(exp, processes=(allowed,))) == "pass"


@pytest.mark.parametrize("cmdline, user, uid", [
    ("tcpdump -i any -s 0 -U -w /tmp/lb-debug.pcap tcp port 80", "nobody", 65534),  # e17: it drops root
    ("/usr/bin/python3 /opt/sniff/watch.py", "root", 0)])  # another capturer: a script with scapy
def test_a_process_capturing_the_hosts_packets_fails_and_a_dhcp_client_passes(exp, cmdline, user, uid):
    """blind7's e17: tcpdump left capturing port 80 into a world-readable file: every request to the app (cookies,
    passwords) readable by every local user (shown). Whoever holds a packet socket (/proc/net/packet) reads the
    app's traffic, as a tracer reads its memory; a DHCP client holds one by design."""
    facts = host(proc={**proc(960, uid, cmdline)})
    facts.raw.raw["proc"]["960"]["sockets"] = ["socket:[88001]"]
    facts.raw.files["/proc/net/packet"] = {"data": "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                                                   "ffff8881 3      3    0003   0     1 0      106    88001\n"}
    msg = fails("cw_traced", facts, exp)
    assert "pid 960 (" in msg and "holds a packet socket (it captures the host's traffic" in msg, msg
    allowed = f"{user}: {cmdline}"  # (the whole command line: its program alone is every capture it could make)
    assert outcome("cw_traced", facts, allowing(exp, processes=(f"{user}: {cmdline.split()[0]}",))) != "pass"
    assert outcome("cw_traced", facts, allowing(exp, processes=(allowed,))) == "pass"
    facts.raw.raw["proc"]["960"]["exe"] = "/usr/sbin/dhclient"
    assert outcome("cw_traced", facts, exp) == "pass"


# Class: a process whose command line's first word is not its program (a title it wrote over its argv, or a name
# its parent ran it under) could not be allowed: the printed entry named the title ('_lldpd: lldpd: no neighbor.'),
# looked up as a bare command ("make its program readable ... /usr/local/bin/lldpd:", no pin), and an entry of it
# never held (the kernel's program is not the title). The entry now names the kernel's program with the rest of
# argv. Other members: postfix's 'qmgr -l -t unix -u' (a bare name outside root's command dirs); not widened: an
# interpreter's title keeps its argv (its script is unknown), and a title naming another program is no entry of it.
@pytest.mark.parametrize("raw, exe, entry", [
    ("lldpd: no neighbor.", "/usr/sbin/lldpd", "nobody: /usr/sbin/lldpd"),  # lldpd's privilege-separated child
    ("qmgr\0-l\0-t\0unix\0-u", "/usr/lib/postfix/sbin/qmgr", "nobody: /usr/lib/postfix/sbin/qmgr -l -t unix -u"),
])
def test_a_process_named_by_a_title_is_allowed_by_its_program(exp, raw, exe, entry):
    facts = host(proc={**proc(960, 65534, "x")})
    facts.raw.raw["proc"]["960"].update(cmdline=raw, exe=exe, sockets=["socket:[88001]"])
    facts.raw.files["/proc/net/packet"] = {"data": "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                                                   "ffff8881 3      3    0003   0     1 0      65534  88001\n"}
    msg = fails("cw_traced", facts, exp)
    assert f'allow_processes = ["{entry} ' in msg, msg
    assert outcome("cw_traced", facts, allowing(exp, processes=(entry,))) == "pass"
    other = allowing(exp, processes=("nobody: /usr/sbin/tcpdump" + entry.partition(exe)[2],))
    assert outcome("cw_traced", facts, other) != "pass"  # (another program of that name or title: not it)



# Class: a failure line printing an allowance that can never hold. A process that renamed itself (setproctitle:
# gunicorn's 'gunicorn: master [app]', celery's, a sniffer's 'sniffer: idle') over an interpreter keeps its title as
# its command line: the script the interpreter runs is unknown, so no entry accounts for it (an entry holds only for
# the program the kernel runs, and the interpreter alone would allow every script). Decision: not allowable; the
# line said 'allow_processes = ["nobody: 'sniffer: idle' ..."]', which never held; it now says why none holds and
# what to do. Other member: a program the gate could not read (exe unknown), whose title stays its command line too.
@pytest.mark.parametrize("exe", ["/usr/bin/python3.11", None])
def test_a_process_titled_over_an_interpreter_is_refused_without_an_entry_that_never_holds(exp, exe):
    facts = host(proc={**proc(960, 65534, "x")})
    facts.raw.raw["proc"]["960"].update(cmdline="sniffer: idle", exe=exe, sockets=["socket:[88001]"])
    facts.raw.files["/proc/net/packet"] = {"data": "sk       RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                                                   "ffff8881 3      3    0003   0     1 0      65534  88001\n"}
    msg = fails("cw_traced", facts, exp)
    assert "allow_processes = [" not in msg, msg
    assert "no allow_processes entry accounts for it: its command line 'sniffer: idle' is a title the process " \
           "wrote over its own (setproctitle's), which hides the script an interpreter runs" in msg, msg
    assert outcome("cw_traced", facts, allowing(exp, processes=("nobody: 'sniffer: idle'",))) != "pass"

def test_the_new_rules_are_in_the_promises_table_and_switchable():
    table = promises.table()
    from deploytests.allowances import SWITCHABLE

    for pid in ("cw_root_acts", "cw_traced"):
        assert f"`{BY_ID[pid].test}`" in table

    assert {"cw_root_acts", "cw_traced"} <= set(SWITCHABLE)


def allowed_exporter(facts, exp, cmd):
    """``exp`` allowing www-data's process 932 running ``cmd``, listed as the inventory lists it."""
    facts.get("inventory")["processes"].append({
        "pid": 932, "user": "www-data", "ppid": 1, "comm": "python3", "cmdline": cmd, "exe": "/usr/bin/python3",
        "started": 0.0, "ancestors": [{"pid": 1, "comm": "docker-init", "user": "root"}]})
    return allowing(exp, processes=(f"www-data: {cmd}",))


@pytest.mark.parametrize("dir_mode, script, caught", [
    (0o755, (F | 0o644, 0), False),  # root's script in root's dir: what the entry names
    (0o2775, (F | 0o644, 0), True),  # blind11 a05: the dir group-writable (shown: the app user's socketserver.py ran)
    (0o755, (F | 0o664, 0), True),  # other members: the script itself writable by a group, or another user's
    (0o755, (F | 0o644, 999), True),
    (0o755, (F | 0o644, 33), False)])  # the process's own user's script: its own code
def test_an_allowed_interpreters_script_is_its_code_and_where_it_lies_too(exp, dir_mode, script, caught):
    """Class (blind11 a05): an allow_processes entry for 'python3 /opt/x/script.py' bound the program and the command
    line, not the script and its directory: Python puts the script's own directory first on sys.path, so whoever may
    write there (or the script) runs code as the allowed process's user; the user's own file passes."""
    cmd = "/usr/bin/python3 /opt/metrics/exporter.py"
    facts = host(files={"/opt": (D | 0o755, 0, ""), "/opt/metrics": (D | dir_mode, 0, ""),
                        "/opt/metrics/exporter.py": (script[0], script[1], "print(1)\n")},
                 proc=proc(932, 33, cmd), dirs={"/usr/bin": []})
    allowed = allowed_exporter(facts, exp, cmd)
    if not caught:
        assert outcome("cw_processes", facts, allowed) == "pass"
        return
    msg = fails("cw_processes", facts, allowed)
    assert "it runs /opt/metrics/exporter.py, which someone but root may change" in msg and \
        msg.count("- pid 932 ") == 1, msg


@pytest.mark.parametrize("site, flags, env, caught", [
    ((0o2775, 999), "", "", True),  # blind12 a07: www-data's user site writable by the app's group (shown: the app
    #                                 user's usercustomize ran in the restarted exporter, uid 33)
    ((0o755, 999), "", "", True),  # other member: the user site another user owns
    ((0o755, 33), "", "", False),  # the process user's own user site: its own code
    ((0o2775, 999), "-s ", "", False),  # -s / -I: Python does not add it
    ((0o2775, 999), "-I ", "", False),
    ((0o2775, 999), "", "PYTHONNOUSERSITE=1", False)])
def test_an_allowed_pythons_user_site_is_its_code_too(exp, site, flags, env, caught):
    """Class (blind12 a07): an allowed Python takes code from more places than its script's: its user's user site
    (~/.local/lib/pythonX.Y/site-packages, whose .pth files and usercustomize run at every start). Whoever may
    write there runs code as the allowed process's user (www-data: Apache's)."""
    cmd = f"/usr/bin/python3 {flags}/opt/metrics/exporter.py"
    py = exp.stack.python_version
    base = "/var/www/.local"
    files = {"/opt": (D | 0o755, 0, ""), "/opt/metrics": (D | 0o755, 0, ""),
             "/opt/metrics/exporter.py": (F | 0o644, 0, "print(1)\n"), "/var/www": (D | 0o755, 0, "")}
    for d in (base, f"{base}/lib", f"{base}/lib/python{py}", f"{base}/lib/python{py}/site-packages"):
        files[d] = (D | site[0], site[1], "")
    facts = host(files=files, proc=proc(932, 33, cmd), dirs={"/usr/bin": []})
    facts.raw.raw["proc"]["932"]["environ"] = env
    allowed = allowed_exporter(facts, exp, cmd)
    if not caught:
        assert outcome("cw_processes", facts, allowed) == "pass"
        return
    msg = fails("cw_processes", facts, allowed)
    assert f"it imports from {base}/lib/python{py}/site-packages, which someone but root may change" in msg and \
        "usercustomize" in msg and msg.count("- pid 932 ") == 1, msg


AGENT = "#!/usr/bin/python3\n# the ops agent\nimport sys\nsys.path.insert(0, \"/opt/agent/lib\")\nimport plugins\n"


@pytest.mark.parametrize("lib, script, caught", [
    ((D | 0o755, 1000), AGENT, True),  # blind12b a04: its import dir the deploy login's (shown: deployer's plugins.py
    #                                    ran as root in the restarted agent)
    ((D | 0o2775, 0), AGENT.replace("sys.path.insert(0, ", "CONF = ("), True),  # another member: a file it opens, in a
    #                                    group-writable dir (Perl's ``use lib``, a config it evals: same words)
    ((D | 0o755, 0), AGENT, False),  # root's alone: passes
    ((D | 0o755, 1000), AGENT.replace("#!/usr/bin/python3", "#!/bin/sh").replace("sys.path", ": sys.path"),
     False)])  # a shell script's argument is only named (the shell's words are read as a command line's)
def test_what_a_root_programs_own_code_names_is_what_it_loads(exp, lib, script, caught):
    """Class: what an allowed (or any) root program loads by its own code (blind12b a04: an allowed root listener's
    Python script did sys.path.insert of a directory the deploy login owned). A non-shell script's path words are
    what its code takes (a module dir, a file it reads, evals or writes); whoever may change one is given root,
    whatever allow_processes or allow_listen says."""
    cmd = "/usr/bin/python3 /opt/agent/agent.py"
    facts = host(files={"/opt": (D | 0o755, 0, ""), "/opt/agent": (D | 0o755, 0, ""),
                        "/opt/agent/agent.py": (F | 0o755, 0, script), "/opt/agent/lib": (lib[0], lib[1], "")},
                 proc=proc(940, 0, cmd), dirs={"/usr/bin": []})
    allowed = allowing(exp, processes=(f"root: {cmd}",))
    if not caught:
        assert outcome("cw_processes", facts, allowed) == "pass"
        return
    msg = fails("cw_processes", facts, allowed)
    assert "runs /opt/agent/agent.py, which loads /opt/agent/lib, which someone but root may change" in msg and \
        "no allowance accounts for it" in msg and msg.count("- pid 940 ") == 1, msg


@pytest.mark.parametrize("env, fails", [
    # blind13 (shown on a container): the allowed report unit (User=the app user) got a drop-in PYTHONPATH in /var/tmp
    ("PYTHONPATH=/var/tmp/report", True),
    # other members: a library path in /tmp, PATH with a world-writable dir first, in a quoted list of assignments
    ('"LANG=C.UTF-8" "LD_LIBRARY_PATH=/tmp/libs"', True),
    ("PATH=/var/tmp/bin:/usr/bin:/bin", True),
    # the live release's own code, root's dirs, a variable that finds no code: pass
    ("PYTHONPATH=/var/www/yourapplication/current/src", False),
    ("PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8", False)])
def test_an_allowed_units_environment_loading_from_where_others_write_fails(exp, env, fails):
    """Class (blind13): allow_units accounts for a unit running as the app user, not for what its environment makes
    its program load: a PYTHONPATH, LD_* or PATH naming a place someone but root may change gives whoever writes
    there code with the unit's user's rights (the app's secrets), as an allowed process's environment does."""
    name, unit = "app-report.service", "/etc/systemd/system/app-report.service"
    facts = host(files={unit: (F | 0o644, 0, "[Service]\nUser=yourapplication\nExecStart=/var/www/yourapplication/"
                               "current/venv/bin/python -m yourapplication.report\n"),
                        f"{unit}.d": (D | 0o755, 0, ""), f"{unit}.d/env.conf": (F | 0o644, 0,
                                                                                f"[Service]\nEnvironment={env}\n"),
                        "/tmp": (D | 0o1777, 0, ""), "/var/tmp": (D | 0o1777, 0, "")},
                 dirs={"/etc/systemd/system": [name, f"{name}.d"], f"{unit}.d": ["env.conf"]})
    facts.remote["inventory"]["texts"] = []  # (the snapshot's texts stand for them)
    for gone in ("/var/tmp/report", "/tmp/libs", "/var/tmp/bin"):  # (not there yet: whoever makes it first owns it)
        facts.raw.files[gone] = {"why": os.strerror(errno.ENOENT)}
    found = outcome("cw_units", facts, allowing(exp, units=(name,)))
    assert (found != "pass") is fails, found
    if fails:
        assert f"/etc/systemd/system/{name}.d/env.conf:2: {name} runs as yourapplication with " in found and \
            "allow_units accounts for the unit, not for that" in found and found.count("- /etc/systemd") == 1, found
        unallowed = outcome("cw_units", facts, exp)  # not allowed: the same one line, no allowance offered
        assert unallowed.count("\n  - ") == 1 and "allow_units = [" not in unallowed, unallowed


# blind: root-callhome-loop: a root python looping to hand a root shell to whoever answers on 203.0.113.7:4444,
# started with setsid nohup from a session and left (parent pid 1): it opens no port and names nothing of the app's,
# and the gate passed on both platforms. Class: a root process no unit, job or session accounts for, running a
# program no package ships. Other members: the same as inline code (python3 -c), a binary in /opt; a packaged
# program left that way, a systemd service's process (the units rule's) and a cron job's child pass.
LISTS = {"/var/lib/dpkg/info/coreutils.list": (F | 0o644, 0, "/usr/bin/tail\n"),
         "/var/lib/dpkg/info/python3.11-minimal.list": (F | 0o644, 0, "/usr/bin/python3.11\n")}


@pytest.mark.parametrize("cmdline, exe, said", [
    ("/usr/bin/python3.11 /usr/local/sbin/ops-callhome", None,
     "runs /usr/local/sbin/ops-callhome, a script no package ships"),
    ("/usr/bin/python3.11 -c import socket,subprocess", None, "runs code on its command line"),
    ("/opt/agent/bin/agentd --daemon", None, "runs /opt/agent/bin/agentd, a program no package ships"),
    ("/usr/bin/tail -f /var/log/syslog", None, None),
])
def test_a_root_process_no_package_ships_left_to_pid_1_fails_until_allowed(exp, cmdline, exe, said):
    facts = host(lists=LISTS, proc=proc(950, 0, cmdline))
    found = outcome("cw_processes", facts, exp)
    if said is None:
        assert found == "pass", found
        return
    assert f"pid 950 (root) '{cmdline}', root's, outside any login session, service or scheduler (its parent is " \
        f"pid 1), {said}" in found and "allow_processes" in found, found
    assert "1 process not accounted for" in found, found
    assert outcome("cw_processes", facts, allowing(exp, processes=(f"root: {cmdline}",))) == "pass"


@pytest.mark.parametrize("where", ["service", "cron"])
def test_a_root_process_a_unit_or_a_job_started_is_its_starters(exp, where):
    entry = proc(951, 0, "/usr/bin/python3.11 /usr/local/sbin/ops-agent", ppid=1 if where == "service" else 940)
    if where == "service":
        entry["951"]["cgroup"] = "0::/system.slice/ops-agent.service\n"
    else:
        entry.update(proc(940, 0, "/usr/sbin/cron -f"))
    facts = host(lists=LISTS, proc=entry)
    found = outcome("cw_processes", facts, exp)
    assert "pid 951" not in found, found


@pytest.mark.parametrize("argv, want", [
    (["runuser", "-u", "prometheus", "--", "/usr/bin/prometheus-node-exporter"], ["/usr/bin/prometheus-node-exporter"]),
    (["/usr/bin/sudo", "-u", "www-data", "/srv/ops/x.sh"], ["/srv/ops/x.sh"]),
    (["flock", "/var/lock/job", "/usr/local/bin/job"], ["/usr/local/bin/job"]),
    (["chroot", "/srv/jail", "/bin/sh"], ["/bin/sh"]),
    (["timeout", "10s", "python3", "/opt/y.py"], ["/opt/y.py"]),
    (["nice", "-n", "5", "nohup", "python3", "x.py"], ["/srv/app/x.py"]),
    (["setsid", "./run.sh"], ["/srv/app/run.sh"]),
    (["sh", "x"], ["/srv/app/x"])])
def test_a_wrappers_option_values_and_its_command_name_are_not_files_it_runs(argv, want):
    """Class: a wrapper's arguments taken for what it runs (``runuser -u prometheus -- X`` ran "/prometheus", a
    script no package ships, from the working directory: a false alarm on a packaged exporter started by hand).
    A wrapper's option value (a user, a priority, a duration), its first operand (flock's lock, chroot's root) and
    its command's bare name (found by PATH) are not files from the working directory; an interpreter's script and
    a name with a '/' are."""
    from deploytests.verify.rootacts import runs

    assert runs(argv, "/srv/app") == want


def test_a_root_process_left_to_pid_1_that_listens_is_the_listener_rules(exp):
    """One program, one line: a root process no package ships that holds a listening socket is judged (and
    allowed, by its program: allow_listen) by the listener rule, not a second time by the process rule."""
    facts = host(lists=LISTS, proc=proc(952, 0, "/opt/agent/bin/agentd --daemon"))
    assert "pid 952" in outcome("cw_processes", facts, exp)
    facts.remote["inventory"]["listeners"].append(
        {"proto": "tcp", "addr": "127.0.0.1", "port": 9999, "procs": [{"pid": 952, "comm": "agentd", "user": "root"}]})
    assert "pid 952" not in outcome("cw_processes", facts, exp)


@pytest.mark.parametrize("uid, user, cmdline", [(65534, "nobody", "/opt/sysmon/sysmond 100000"),
                                               (1, "daemon", "/usr/bin/python3.11 /var/lib/vendor/agent.py")])
def test_any_accounts_process_no_package_ships_left_to_pid_1_fails(exp, uid, user, cmdline):
    """Class (blind set 5): a program no package ships, left running by pid 1 outside any session, service or
    scheduler, was judged for root only: a vendor's agent run as nobody (setpriv, setsid) passed; whatever account
    it runs as, nothing on the server accounts for it."""
    facts = host(lists=LISTS, proc=proc(952, uid, cmdline))
    found = outcome("cw_processes", facts, exp)
    assert f"pid 952 ({user}) '{cmdline}', {user}'s, outside any login session, service or scheduler" in found and \
        f'allow_processes = ["{user}: ' in found, found


# Class: a root wrapper that runs its command as another account. An admin's ``runuser -u zabbix -- zabbix_agent2 -c
# /etc/zabbix/zabbix_agent2.conf`` (no init system: the service started by hand) stays as a root parent; the gate
# judged its command line as root's: "runs /etc/zabbix/zabbix_agent2.conf, which sets PidFile to
# /run/zabbix/zabbix_agent2.pid, which someone but root may change", no allowance to write. What the command runs
# and reads is the target account's (its own process, below, is judged as that account's); the wrapper's program
# stays root's. Members: runuser -u, setpriv --reuid=.
SWITCHED = {"/etc/zabbix/zabbix_agent2.conf": (F | 0o644, 0, "PidFile=/run/zabbix/zabbix_agent2.pid\n"),
            "/run/zabbix": (D | 0o755, 113, ""), "/run/zabbix/zabbix_agent2.pid": (F | 0o644, 113, "977\n"),
            "/srv/metrics": (D | 0o755, 112, "")}
WRAPPED = {f"/var/lib/dpkg/info/{pkg}.list": (F | 0o644, 0, f"{path}\n") for pkg, path in (
    ("runuser", "/usr/bin/runuser"), ("setpriv", "/usr/bin/setpriv"), ("zabbix", "/usr/sbin/zabbix_agent2"),
    ("exporter", "/usr/bin/prometheus-node-exporter"))}


ZABBIX2 = "/usr/sbin/zabbix_agent2 -c /etc/zabbix/zabbix_agent2.conf"
EXPORTER = "/usr/bin/prometheus-node-exporter --collector.textfile.directory=/srv/metrics"


@pytest.mark.parametrize("cmdline,as_root,said", [
    (f"runuser -u zabbix -- {ZABBIX2}", [f"runuser -u root -- {ZABBIX2}", ZABBIX2],
     "which sets PidFile to /run/zabbix/zabbix_agent2.pid, which someone but root may change"),
    (f"setpriv --reuid=prometheus --init-groups {EXPORTER}", [f"setpriv --init-groups {EXPORTER}", EXPORTER],
     "/srv/metrics, which someone but root may change")])
def test_what_a_root_wrapper_runs_as_another_account_is_that_account_s(exp, cmdline, as_root, said):
    assert rootacts.switched_to(cmdline.split()) in ("zabbix", "prometheus")
    facts = host(files=SWITCHED, lists=WRAPPED, proc=proc(976, 0, cmdline))
    msg = outcome("cw_processes", facts, exp)  # (a root process started by hand: at most its allow_processes line)
    assert said.split(", which")[-2] not in msg and (msg == "pass" or "allow_processes = [" in msg), msg
    for same in as_root:  # (the same command run as root, no switch or to root: root's, judged as before)
        msg = fails("cw_processes", host(files=SWITCHED, lists=WRAPPED, proc=proc(976, 0, same)), exp)
        assert "pid 976 (root)" in msg and said in msg, (same, msg)


def test_the_jobs_of_one_cron_file_for_one_account_and_one_allowance_are_one_line(exp):
    """Class: one cause, two lines. awstats' ``/etc/cron.d/awstats`` (its package's, Debian 12 and 13) runs two jobs
    as www-data (``update.sh`` and ``buildstatic.sh``): two lines naming the same allowance of the same file. Now one
    line naming both jobs; a job of the file with a finding of its own (the app's tree), or as another account,
    keeps its own line. Other member: an admin's cron file with two root-less jobs of the app user's."""
    two = ("0,10,20,30,40,50 * * * * www-data [ -x /usr/share/awstats/tools/update.sh ] && "
           "/usr/share/awstats/tools/update.sh\n10 03 * * * www-data /usr/share/awstats/tools/buildstatic.sh\n")
    for text, user in ((two, "www-data"), (two.replace("www-data", "yourapplication"), "yourapplication")):
        msg = fails("cw_schedules", cron(text, {}), exp)
        assert msg.startswith("fail: 1 ") and "/etc/cron.d/ops:1: runs " in msg and f"as {user}" in msg, msg
        assert f" as {user} (and /etc/cron.d/ops:2: '/usr/share/awstats/tools/buildstatic.sh'): " in msg, msg
        assert msg.count('allow_cron = ["/etc/cron.d/ops') == 1, msg
    msg = fails("cw_schedules", cron(two + f"5 4 * * * www-data {ROOT}/releases/x/report\n", {}), exp)
    assert msg.startswith("fail: 2 ") and "/etc/cron.d/ops:3: runs " in msg, msg
