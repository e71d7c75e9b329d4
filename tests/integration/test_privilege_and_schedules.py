"""Privilege bits on files and schedules beyond cron, on real servers (issue 17, the last round's known gaps).

Two classes, each closed by design and tried here with several members, none the catalogue's own:

- *a privilege on a file by hand*: a setuid/setgid bit or file capabilities (``security.capability``) on a file in
  root's PATH, the load path or the app's tree, on a program a Debian package ships (dpkg lists it: the old rule
  took that for stock) or on a copy no package ships: judged by the exact bits against the stack's stock ones,
  dpkg's stat overrides and ``allow_privileged`` (``cw_setuid``, ``cw_tree_special``);
- *a schedule outside cron's files*: an ``at`` job, another login's crontab that runs the app's code, a runtime or
  transient systemd unit (``/run/systemd/{system,transient}``), a unit by hand among the packages' units or in
  ``/usr/local/lib/systemd/system``, a watched user's own systemd manager (linger, an enabled user unit)
  (``cw_schedules``, ``cw_units``).

Each fault runs on its own container of a deployed snapshot (:class:`deploytests.faults.run.Campaign`) with a clean
host as the control, on Debian 12 and 13; the old gate passed every one of them (shown failing first: see the
commit that added this file).

And three classes of root acting on the app's code later (blind round 4), one campaign on Debian 12
(:data:`ROOT_ACTS`; the rules' logic on both platforms' stock baselines: tests/unit/test_rootacts.py): *every place
root acts later* (update-motd.d, init.d with its rc link, a tmpfiles.d file, a udev rule, an ifupdown hook:
``cw_root_acts``), *indirection* (a root cron job's root script that sources a shared file; a root loop whose
working directory is the live release: ``cw_schedules``, ``cw_processes``) and *root attached to the app* (Apache's
root parent seized by a root tracer: ``cw_traced``). Blind round 4 found the gate before this missing every
member of these classes it was given (c05-c10, c16).
"""

from __future__ import annotations

import pytest
from campaigns import assert_caught_by_their_rules

from deploytests.faults.catalogue import Fault

pytestmark = pytest.mark.integration
# file capabilities written as setcap writes them (VFS_CAP_REVISION_2, effective): the stack's python has no setcap
SETCAP = ("python{python_version} -c \"import os, sys; os.setxattr(sys.argv[1], 'security.capability', "
          "bytes.fromhex('01000002' + sys.argv[2] + '0' * 24))\"")
CAP_SETUID, CAP_DAC_READ_SEARCH = "80000000", "04000000"
AT_JOB = ("mkdir -p /var/spool/cron/atjobs; printf '#!/bin/sh\\n# atrun uid=0 gid=0\\n# mail root 0\\numask 22\\n"
          "cd %s || {{\\n\\t exit 1\\n}}\\n%s\\n' > /var/spool/cron/atjobs/{name}; "
          "chown {owner} /var/spool/cron/atjobs/{name}; chmod 700 /var/spool/cron/atjobs/{name}")
HOME = "h=$(getent passwd {user} | cut -d: -f6); "

VARIANTS = (
    # a privilege on a file by hand
    Fault("setuid-bit-on-packaged-python", "cw_setuid", "chmod u+s on the stack's python (dpkg lists it)",
          "chmod u+s /usr/bin/python{python_version}"),
    Fault("capability-on-packaged-perl", "cw_setuid", "cap_setuid+ep on Debian's perl (dpkg lists it)",
          f"{SETCAP} /usr/bin/perl {CAP_SETUID}"),
    Fault("setgid-shadow-on-packaged-tac", "cw_setuid", "a packaged program made setgid shadow (reads the hashes)",
          "chgrp shadow /usr/bin/tac; chmod g+s /usr/bin/tac"),
    Fault("setuid-copy-in-a-library-dir", "cw_setuid", "a setuid copy of a shell in a dir the linker searches",
          "cp /usr/bin/dash /usr/local/lib/rescue; chmod 4755 /usr/local/lib/rescue"),
    Fault("capability-on-a-copy-in-the-app-tree", "cw_tree_special", "cap_dac_read_search on a copy of cat in "
          "shared/ (reads every file)", "cp /usr/bin/cat {root}/shared/{shared0}/.viewer; "
          f"{SETCAP} {{root}}/shared/{{shared0}}/.viewer {CAP_DAC_READ_SEARCH}"),
    # a schedule outside cron's files
    Fault("at-job-of-the-app-user", "cw_schedules", "an at job queued by the app user",
          AT_JOB.replace("{name}", "a0000a01c8de62").replace("{owner}", "{app_user}") % ("/tmp", "/usr/bin/id")),
    Fault("at-job-runs-app-code-as-root", "cw_schedules", "a root at job run from the app's tree",
          AT_JOB.replace("{name}", "a0000b01c8de70").replace("{owner}", "root") % ("{root}/current",
                                                                                 "venv/bin/python -m {package}")),
    Fault("another-logins-crontab-runs-app-code", "cw_schedules", "a crontab of another login that runs the app's "
          "python", "useradd -M reporter; mkdir -p /var/spool/cron/crontabs; echo '0 * * * * {root}/current/venv/bin/"
          "python -m {package}.report' > /var/spool/cron/crontabs/reporter; chown reporter "
          "/var/spool/cron/crontabs/reporter; chmod 600 /var/spool/cron/crontabs/reporter"),
    Fault("linger-for-the-app-user", "cw_units", "loginctl enable-linger for the app user (its manager at boot)",
          "mkdir -p /var/lib/systemd/linger; touch /var/lib/systemd/linger/{app_user}"),
    Fault("user-unit-of-the-deploy-login", "cw_units", "an enabled systemd user unit of the deploy login",
          "runuser -u {deploy_user} -- sh -ec '" + HOME.replace("{user}", "{deploy_user}") +
          "d=$h/.config/systemd/user; mkdir -p $d/default.target.wants; printf \"[Service]\\nExecStart=/usr/bin/"
          "sleep infinity\\n\" > $d/sync.service; ln -s ../sync.service $d/default.target.wants/sync.service'"),
    Fault("transient-unit-as-the-app-user", "cw_units", "a systemd-run transient service as the app user",
          "mkdir -p /run/systemd/transient; printf '[Service]\\nUser={app_user}\\nExecStart=/usr/bin/sleep infinity\\n'"
          " > /run/systemd/transient/run-u42.service"),
    Fault("unit-by-hand-among-the-packages-units", "cw_units", "a service written into /lib/systemd/system "
          "(no package ships it) and enabled", "printf '[Service]\\nExecStart=/usr/bin/sleep infinity\\n' > "
          "/lib/systemd/system/cache-warm.service; mkdir -p /etc/systemd/system/multi-user.target.wants; ln -sf "
          "/lib/systemd/system/cache-warm.service /etc/systemd/system/multi-user.target.wants/"),
    Fault("local-vendor-unit-as-the-app-user", "cw_units", "a unit in /usr/local/lib/systemd/system that runs as "
          "the app user, enabled", "mkdir -p /usr/local/lib/systemd/system /etc/systemd/system/timers.target.wants; "
          "printf '[Service]\\nUser={app_user}\\nExecStart=/usr/bin/true\\n' > /usr/local/lib/systemd/system/"
          "beat.service; printf '[Timer]\\nOnCalendar=hourly\\n' > /usr/local/lib/systemd/system/beat.timer; "
          "ln -sf /usr/local/lib/systemd/system/beat.timer /etc/systemd/system/timers.target.wants/"),
    Fault("runtime-unit-runs-app-code", "cw_units", "a runtime unit in /run/systemd/system that runs the app's code "
          "as root", "mkdir -p /run/systemd/system; printf '[Service]\\nExecStart={root}/current/venv/bin/python -m "
          "{package}.sync\\n' > /run/systemd/system/sync-now.service"),
)


@pytest.mark.parametrize("platform", ["debian12"])  # (Debian 13: test_closed_world's drift campaign)
def test_privilege_bits_and_schedules_outside_cron_are_caught_without_false_alarms(tmp_path, platform):
    assert_caught_by_their_rules(tmp_path, platform, VARIANTS)


SH = "printf '#!/bin/sh\\n%s\\n' > {path}; chmod 755 {path}"  # a root script of one line
SHARED = "{root}/shared/{shared0}"
ROOT_ACTS = (
    Fault("motd-runs-the-release-python", "cw_root_acts", "an update-motd.d script printing the live version with "
          "the release's python (pam_motd runs it as root at every SSH login)",
          SH.format(path="/etc/update-motd.d/55-app-version") % "{root}/current/venv/bin/python -V"),
    Fault("init-script-works-in-shared", "cw_root_acts", "an init.d script with an rc3.d link that runs a tool from a "
          "shared path at boot", "mkdir -p /etc/init.d /etc/rc3.d; " + SH.format(path="/etc/init.d/app-sync") % (
              "cd " + SHARED + " && ./sync") + "; ln -sf ../init.d/app-sync /etc/rc3.d/S05app-sync"),
    Fault("local-tmpfiles-chowns-releases", "cw_root_acts", "a tmpfiles.d file in /usr/local/lib that makes every "
          "release the app user's at boot", "mkdir -p /usr/local/lib/tmpfiles.d; echo 'Z {root}/releases - "
          "{app_user} {app_group} -' > /usr/local/lib/tmpfiles.d/app-perms.conf"),
    Fault("udev-rule-runs-a-link-into-shared", "cw_root_acts", "a udev rule whose RUN+= command is a link in "
          "/usr/local/sbin to a script in a shared path", "mkdir -p /etc/udev/rules.d; echo 'ACTION==\"add\", "
          "SUBSYSTEM==\"usb\", RUN+=\"/usr/local/sbin/usb-hook\"' > /etc/udev/rules.d/70-app-usb.rules; "
          "ln -sf " + SHARED + "/usb.sh /usr/local/sbin/usb-hook"),
    Fault("if-up-hook-sources-shared", "cw_root_acts", "an ifupdown if-up.d hook that sources its settings from a "
          "shared path", "mkdir -p /etc/network/if-up.d; " + SH.format(path="/etc/network/if-up.d/app-routes") % (
              ". " + SHARED + "/routes.env")),
    Fault("root-cron-script-sources-shared", "cw_schedules", "a root cron.d job running a root script that sources "
          "a file in a shared path (the cron line names no path of the app)", "mkdir -p /etc/cron.d; " +
          SH.format(path="/usr/local/bin/tidy-tmp") % (". " + SHARED + "/tidy.conf") +
          "; echo '5 4 * * * root /usr/local/bin/tidy-tmp' > /etc/cron.d/tidy-tmp"),
    Fault("root-loop-working-in-current", "cw_processes", "a root loop started in the live release's directory "
          "running python3 -c (the cwd is first on sys.path)", SH.format(path="/usr/local/sbin/app-stats") %
          "while :; do python3 -c pass; sleep 30; done" + "; cd {root}/current; setsid nohup /bin/sh "
          "/usr/local/sbin/app-stats </dev/null >/dev/null 2>&1 & sleep 1"),
    Fault("apache-parent-seized-by-a-root-tracer", "cw_traced", "Apache's root parent traced by a root process "
          "(ptrace, as strace -p does) left running", "p=$(pgrep -o -x apache2); test -n \"$p\"; setsid nohup "
          "python3 -c \"import ctypes, time; c = ctypes.CDLL(None); c.ptrace.argtypes = [ctypes.c_long] * 4; "
          "assert c.ptrace(0x4206, $p, 0, 0) == 0; time.sleep(10 ** 6)\" </dev/null >/dev/null 2>&1 & sleep 1"),
)


def test_root_acting_later_on_the_apps_code_is_caught_without_false_alarms(tmp_path):
    assert_caught_by_their_rules(tmp_path, "debian12", ROOT_ACTS)
