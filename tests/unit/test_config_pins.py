"""An allowance of what runs or listens pins the program's configuration (deploytests.verify.pins.configs). Class:
"an allowance trusts a program whose behaviour its configuration decides": nrpe allowed on ``*:5666`` kept passing
after ``dont_blame_nrpe=1`` and a command taking arguments were added; zabbix's agent after ``AllowKey=system.run[*]``
in its ``conf.d``. Each member on a parsed snapshot: the configuration as its package ships it (dpkg's conffiles,
ucf's files by its hashfile) adds nothing to the pin (an entry written before still holds); a changed conffile, a
changed ucf file, a file added to the package's own /etc directory or a file its command line names changes the
pin and is named; a file in a directory many packages share (/etc/default) is no program's."""

from __future__ import annotations

import hashlib

from deploytests.verify import parse, pins
from deploytests.verify.rootacts import packaged

NRPE, ZABBIX = "/usr/sbin/nrpe", "/usr/sbin/zabbix_agentd"
NRPE_CFG = "command[check_load]=/usr/lib/nagios/plugins/check_load\ndont_blame_nrpe=0\n"
ZABBIX_CONF = "Server=127.0.0.1\nInclude=/etc/zabbix/zabbix_agentd.conf.d/*.conf\n"
STATUS = f"""Package: nagios-nrpe-server
Status: install ok installed
Source: nrpe
Conffiles:
 /etc/default/nagios-nrpe-server 6aba3e540e38900a23de74d58efb0c3f
 /etc/nagios/nrpe.cfg {hashlib.md5(NRPE_CFG.encode()).hexdigest()}

Package: zabbix-agent
Status: install ok installed
Source: zabbix
Conffiles:
 /etc/logrotate.d/zabbix-agent 170b8411c233b03fd84418bde66b36a4

Package: prometheus-node-exporter
Status: install ok installed

Package: logrotate
Status: install ok installed

"""
LISTS = {"nagios-nrpe-server": ["/etc", "/etc/default", "/etc/default/nagios-nrpe-server", "/etc/nagios",
                                "/etc/nagios/nrpe.cfg", "/etc/nagios/nrpe.d", NRPE],
         "zabbix-agent": ["/etc", "/etc/logrotate.d", "/etc/logrotate.d/zabbix-agent", "/etc/zabbix",
                          "/etc/zabbix/zabbix_agentd.conf.d", ZABBIX],
         "prometheus-node-exporter": ["/etc", "/etc/default", "/usr/bin/prometheus-node-exporter"],
         "logrotate": ["/etc", "/etc/logrotate.d", "/usr/sbin/logrotate"]}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Facts(dict):
    raw: parse.Snapshot


def facts(etc: dict, *, zabbix: str = ZABBIX_CONF, programs: dict | None = None) -> Facts:
    """A snapshot with dpkg's status and lists, ucf's registry and hashfile (zabbix's config as shipped), the
    login collector's record of /etc (``etc``: path -> sha256 / ``-> target``) and its hashes of programs."""
    files = {"/var/lib/dpkg/status": {"data": STATUS},
             "/var/lib/ucf/hashfile": {"data": f"{hashlib.md5(ZABBIX_CONF.encode()).hexdigest()}  "
                                               "/etc/zabbix/zabbix_agentd.conf\n"},
             "/var/lib/ucf/registry": {"data": "zabbix-agent \t /etc/zabbix/zabbix_agentd.conf\n"},
             "/etc/zabbix/zabbix_agentd.conf": {"data": zabbix, "st": [0o100644, 0, 0, 0, len(zabbix), 0, 0]}}
    files.update({f"{parse.DPKG_INFO}/{p}.list": {"data": "\n".join(paths) + "\n"} for p, paths in LISTS.items()})
    snap = parse.Snapshot({"files": files, "dirs": {parse.DPKG_INFO: [f"{p}.list" for p in LISTS]},
                           "etc_files": etc})
    found = Facts(inventory={"programs": {NRPE: [sha("nrpe"), 0.0, 1], ZABBIX: [sha("zabbix"), 0.0, 2],
                                          **(programs or {})}})
    found.raw = snap
    return found


ENTRY = f"*:5666 nagios {NRPE} -c /etc/nagios/nrpe.cfg -d"


def test_a_stock_configuration_adds_nothing_to_the_pin():
    stock = facts({"/etc/default/nagios-nrpe-server": sha("changed, but a shared dir's")})
    assert pins.configs(stock, "listen", ENTRY) == [(
        "/etc/default/nagios-nrpe-server", sha("changed, but a shared dir's"), "nagios-nrpe-server's conffile, "
        "changed")]  # (its own conffile, wherever it lies)
    assert pins.configs(facts({}), "listen", ENTRY) == []
    assert pins.digest(facts({}), "listen", ENTRY) == sha("nrpe")  # (an entry written before still holds)


def test_a_changed_conffile_and_a_file_added_to_its_own_dir_change_the_pin_and_are_named():
    changed = facts({"/etc/nagios/nrpe.cfg": sha("dont_blame_nrpe=1"),
                     "/etc/nagios/nrpe.d/remote.cfg": sha("command[x]=/bin/sh -c $ARG1$")})
    assert [(p, why) for p, _, why in pins.configs(changed, "listen", ENTRY)] == [
        ("/etc/nagios/nrpe.cfg", "nagios-nrpe-server's conffile, changed"),
        ("/etc/nagios/nrpe.d/remote.cfg", "no package's")]
    assert pins.digest(changed, "listen", ENTRY) not in (None, sha("nrpe"), pins.digest(facts({
        "/etc/nagios/nrpe.cfg": sha("dont_blame_nrpe=1")}), "listen", ENTRY))


def test_a_file_in_a_directory_packages_share_is_no_programs():
    other = facts({"/etc/default/other": sha("x"), "/etc/logrotate.d/mine": sha("y")})
    assert pins.configs(other, "listen", f"*:10050 zabbix {ZABBIX}") == []


def test_ucfs_file_as_shipped_is_the_packages_and_changed_is_named():
    entry = f"*:10050 zabbix {ZABBIX}"
    assert pins.configs(facts({}), "listen", entry) == []
    assert packaged(facts({}).raw, "/etc/zabbix/zabbix_agentd.conf") == "zabbix-agent"
    edited = ZABBIX_CONF + "AllowKey=system.run[*]\n"
    changed = facts({"/etc/zabbix/zabbix_agentd.conf": sha(edited)}, zabbix=edited)
    assert [(p, why) for p, _, why in pins.configs(changed, "listen", entry)] == [
        ("/etc/zabbix/zabbix_agentd.conf", "zabbix-agent's conffile, changed")]
    assert packaged(changed.raw, "/etc/zabbix/zabbix_agentd.conf") is None
    added = facts({"/etc/zabbix/zabbix_agentd.conf.d/remote.conf": sha("AllowKey=system.run[*]")})
    assert [p for p, _, _ in pins.configs(added, "listen", entry)] == ["/etc/zabbix/zabbix_agentd.conf.d/remote.conf"]


def test_a_file_its_command_line_names_is_its_configuration_whoever_ships_it():
    entry = "*:9100 prometheus /opt/exporter/bin/exporter --config.file=/srv/exporter/web.yml"
    hashed = {"/opt/exporter/bin/exporter": [sha("exporter"), 0.0, 3], "/srv/exporter/web.yml": [sha("tls"), 0.0, 4]}
    found = facts({}, programs=hashed)
    assert pins.configs(found, "listen", entry) == [("/srv/exporter/web.yml", sha("tls"),
                                                     "named on its command line")]
    linked = facts({"/etc/nagios/nrpe.d/extra.cfg": "-> /srv/nrpe/extra.cfg"})
    assert [(p, w) for p, w, _ in pins.configs(linked, "listen", ENTRY)] == [
        ("/etc/nagios/nrpe.d/extra.cfg", "-> /srv/nrpe/extra.cfg")]


def test_a_drop_in_dir_of_etc_s_first_level_is_no_program_s_own_however_many_packages_list_it(monkeypatch):
    """Class: an allowance's pin moved by an unrelated install (over-pinning). A directory only the allowed
    program's package listed counted as its own, so an admin's file in it was part of its pin; a later package
    listing the same directory made it shared and the file dropped out: the allowance, written before, no longer
    held ("has changed since") with nothing of the program changed (sssd-common's /etc/apparmor.d/local, then
    unbound's). A drop-in directory of /etc's first level, and below it, is another program's (apparmor's,
    logrotate's: their files are judged by their own rules), never a program's own, whatever else is installed.
    Members: /etc/apparmor.d/local (a profile's local include dir), /etc/logrotate.d with no logrotate installed."""
    lists = {**LISTS, "nagios-nrpe-server": LISTS["nagios-nrpe-server"] + ["/etc/apparmor.d", "/etc/apparmor.d/local"],
             "logrotate": ["/etc"]}  # (logrotate.d listed by zabbix-agent alone)
    monkeypatch.setitem(LISTS, "nagios-nrpe-server", lists["nagios-nrpe-server"])
    monkeypatch.setitem(LISTS, "logrotate", lists["logrotate"])
    admin = {"/etc/apparmor.d/local/usr.sbin.unbound": sha("# site-specific additions"),
             "/etc/logrotate.d/app": sha("/var/log/app/*.log { weekly }")}
    assert pins.configs(facts(admin), "listen", ENTRY) == []
    assert pins.configs(facts(admin), "listen", f"*:10050 zabbix {ZABBIX}") == []
    # the program's own directory below /etc's first level still counts (an admin's nrpe.d file)
    own = {**admin, "/etc/nagios/nrpe.d/remote.cfg": sha("command[x]=/bin/true")}
    assert [p for p, *_ in pins.configs(facts(own), "listen", ENTRY)] == ["/etc/nagios/nrpe.d/remote.cfg"]
