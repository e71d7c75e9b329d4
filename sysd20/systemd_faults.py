"""Faults of systemd-only mechanisms (a server booted with systemd as PID 1), each one root ``sh -e`` script run
after a clean deploy, like the catalogue's. Placeholders as the catalogue's ({login}, {app_user}, {root}...).
Run: .venv/bin/python sysd20/systemd_faults.py debian12 [ID,...]
"""
import json
import sys
import time
from pathlib import Path

from deploytests.faults.catalogue import Fault

# a library the deploy login owns, to be preloaded by what root starts (a copy of zlib: harmless, but theirs)
LIB = "cp /usr/lib/x86_64-linux-gnu/libz.so.1 /tmp/.libpre.so; chown {login} /tmp/.libpre.so"
RELOAD = "systemctl daemon-reload"
UWAIT = ("uid=$(id -u {who}); i=0; while [ ! -S /run/user/$uid/systemd/private ] && [ $i -lt 150 ]; do sleep 0.1; "
         "i=$((i+1)); done")
SD_PAM = "import os; os.execv('/usr/bin/sleep', ['(sd-pam)', '1000000'])"

F = (
    # -- transient and run-time units -------------------------------------------------------------------
    Fault("sd-transient-scope", "cw_processes", "root: a transient scope holding a sleeper (systemd-run --scope)",
          "setsid systemd-run -q --scope --unit=hold /usr/bin/sleep 1000000 >/dev/null 2>&1 < /dev/null &\n"
          "i=0; while ! systemctl -q is-active hold.scope && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done"),
    Fault("sd-transient-quiet-service", "cw_units", "root: a transient service as the app user, no listener",
          "systemd-run -q --unit=quiet -p User={app_user} /usr/bin/sleep infinity"),
    Fault("sd-transient-socket", "cw_listen", "root: a transient socket + service (systemd-run --socket-property)",
          "systemd-run -q --unit=tsock --socket-property=ListenStream=8094 /usr/bin/cat"),
    Fault("sd-set-environment", "cw_loader", "root: LD_PRELOAD of the login's file in pid 1's environment "
          "(systemctl set-environment, no file), Apache restarted by systemd",
          LIB + "\nsystemctl set-environment LD_PRELOAD=/tmp/.libpre.so\nsystemctl restart apache2"),
    Fault("sd-set-environment-later", "cw_loader", "root: PYTHONPATH in pid 1's environment (no file, no restart)",
          "systemctl set-environment PYTHONPATH=/tmp/py"),
    Fault("sd-runtime-dropin-apache", "cw_loader", "a runtime drop-in (/run/systemd/system) preloading the login's "
          "file into Apache, restarted", LIB + "\nmkdir -p /run/systemd/system/apache2.service.d\n"
          "printf '[Service]\\nEnvironment=LD_PRELOAD=/tmp/.libpre.so\\n' > "
          "/run/systemd/system/apache2.service.d/zz.conf\n" + RELOAD + "\nsystemctl restart apache2"),
    Fault("sd-system-control-dropin", "cw_units", "a drop-in in /etc/systemd/system.control (set-property's place) "
          "adding an ExecStartPre to apache2", "mkdir -p /etc/systemd/system.control/apache2.service.d\n"
          "printf '[Service]\\nExecStartPre=/bin/sh -c \"cp /tmp/x /etc/cron.d/x\"\\n' > "
          "/etc/systemd/system.control/apache2.service.d/50-pre.conf\n" + RELOAD),
    # -- drop-ins on stock units -------------------------------------------------------------------------
    Fault("sd-dropin-apache-pythonpath", "cw_loader", "apache2.service drop-in Environment=PYTHONPATH (not restarted)",
          "mkdir -p /etc/systemd/system/apache2.service.d\nprintf '[Service]\\nEnvironment=PYTHONPATH=/tmp/py\\n' "
          "> /etc/systemd/system/apache2.service.d/env.conf\n" + RELOAD),
    Fault("sd-dropin-apache-restarted", "cw_loader", "apache2.service drop-in LD_PRELOAD of the login's file, "
          "restarted", LIB + "\nmkdir -p /etc/systemd/system/apache2.service.d\nprintf '[Service]\\n"
          "Environment=LD_PRELOAD=/tmp/.libpre.so\\n' > /etc/systemd/system/apache2.service.d/env.conf\n" + RELOAD +
          "\nsystemctl restart apache2"),
    Fault("sd-dropin-ssh-execstart", "cw_units", "ssh.service drop-in replacing ExecStart (root login allowed), "
          "not restarted", "mkdir -p /etc/systemd/system/ssh.service.d\nprintf '[Service]\\nExecStart=\\n"
          "ExecStart=/usr/sbin/sshd -D -o PermitRootLogin=yes\\n' > /etc/systemd/system/ssh.service.d/x.conf\n"
          + RELOAD),
    Fault("sd-dropin-ssh-vendor-dir", "cw_units", "ssh.service drop-in by hand in /usr/lib/systemd/system "
          "(LD_PRELOAD)", LIB + "\nmkdir -p /usr/lib/systemd/system/ssh.service.d\nprintf '[Service]\\n"
          "Environment=LD_PRELOAD=/tmp/.libpre.so\\n' > /usr/lib/systemd/system/ssh.service.d/zz.conf\n" + RELOAD),
    Fault("sd-dropin-protect-off", "cw_units", "systemd-logind.service drop-in turning its sandbox off",
          "mkdir -p /etc/systemd/system/systemd-logind.service.d\nprintf '[Service]\\nProtectSystem=no\\n"
          "ProtectHome=no\\nNoNewPrivileges=no\\n' > /etc/systemd/system/systemd-logind.service.d/open.conf\n"
          + RELOAD),
    Fault("sd-dropin-user-at", "cw_units", "user@.service drop-in: every login's user manager preloads",
          LIB + "\nmkdir -p /etc/systemd/system/user@.service.d\nprintf '[Service]\\n"
          "Environment=LD_PRELOAD=/tmp/.libpre.so\\n' > /etc/systemd/system/user@.service.d/pre.conf\n" + RELOAD),
    Fault("sd-unit-dropin-toplevel", "cw_units", "a top-level drop-in for every service (service.d)",
          "mkdir -p /etc/systemd/system/service.d\nprintf '[Service]\\nExecStartPost=-/bin/sh -c "
          "\"id > /tmp/seen\"\\n' > /etc/systemd/system/service.d/all.conf\n" + RELOAD),
    # -- the managers' own configuration ------------------------------------------------------------------
    Fault("sd-system-conf-env", "cw_loader", "system.conf.d DefaultEnvironment=LD_PRELOAD (every unit's next start)",
          LIB + "\nmkdir -p /etc/systemd/system.conf.d\nprintf '[Manager]\\nDefaultEnvironment=LD_PRELOAD="
          "/tmp/.libpre.so\\n' > /etc/systemd/system.conf.d/env.conf"),
    Fault("sd-user-conf-env", "cw_loader", "user.conf.d DefaultEnvironment=LD_PRELOAD (every user manager's units)",
          LIB + "\nmkdir -p /etc/systemd/user.conf.d\nprintf '[Manager]\\nDefaultEnvironment=LD_PRELOAD="
          "/tmp/.libpre.so\\n' > /etc/systemd/user.conf.d/env.conf"),
    Fault("sd-environment-d", "cw_loader", "/etc/environment.d: LD_PRELOAD for every user manager",
          LIB + "\nmkdir -p /etc/environment.d\necho LD_PRELOAD=/tmp/.libpre.so > /etc/environment.d/50-pre.conf"),
    Fault("sd-pam-systemd-user", "cw_units", "/etc/pam.d/systemd-user runs a hook (pam_exec) at each user "
          "manager's start", "echo 'session optional pam_exec.so /bin/sh -c \"id >> /tmp/seen\"' >> "
          "/etc/pam.d/systemd-user"),
    # -- user managers and lingering ------------------------------------------------------------------------
    Fault("sd-linger-app-user", "cw_units", "lingering for the app user (its manager runs without a login)",
          "loginctl enable-linger {app_user}\n" + UWAIT.replace("{who}", "{app_user}")),
    Fault("sd-linger-login", "cw_units", "lingering for the deploy login (its manager outlives its logins)",
          "loginctl enable-linger {login}"),
    Fault("sd-app-user-transient", "cw_units", "the app user's lingering manager runs a transient user service",
          "loginctl enable-linger {app_user}\n" + UWAIT.replace("{who}", "{app_user}") + "\nrunuser -u {app_user} "
          "-- env XDG_RUNTIME_DIR=/run/user/$uid systemd-run -q --user --unit=appsvc /usr/bin/sleep infinity"),
    Fault("sd-global-user-unit", "cw_units", "a user unit by hand in /etc/systemd/user, wanted by every login's "
          "default.target", "mkdir -p /etc/systemd/user/default.target.wants\nprintf '[Service]\\nExecStart="
          "/usr/bin/sleep infinity\\n[Install]\\nWantedBy=default.target\\n' > /etc/systemd/user/pull.service\n"
          "ln -s ../pull.service /etc/systemd/user/default.target.wants/pull.service"),
    Fault("sd-user-generator", "cw_root_acts", "a user generator by hand (every user manager runs it)",
          "mkdir -p /etc/systemd/user-generators\nprintf '#!/bin/sh\\ntrue\\n' > /etc/systemd/user-generators/g\n"
          "chmod 0755 /etc/systemd/user-generators/g"),
    Fault("sd-user-env-generator", "cw_root_acts", "a user environment generator by hand in /usr/lib",
          "mkdir -p /usr/lib/systemd/user-environment-generators\nprintf '#!/bin/sh\\necho LD_PRELOAD=/tmp/x\\n' > "
          "/usr/lib/systemd/user-environment-generators/50-pre\n"
          "chmod 0755 /usr/lib/systemd/user-environment-generators/50-pre"),
    # -- (sd-pam)-named processes -------------------------------------------------------------------------------
    Fault("sd-pam-named-root", "cw_processes", "a root process named (sd-pam) outside any user manager",
          f"setsid python3 -c \"{SD_PAM}\" >/dev/null 2>&1 < /dev/null &"),
    Fault("sd-pam-named-app-user", "cw_processes", "an app user's process named (sd-pam), no manager",
          f"runuser -u {{app_user}} -- setsid python3 -c \"{SD_PAM}\" >/dev/null 2>&1 < /dev/null &"),
    # -- deleted unit files of running units --------------------------------------------------------------------
    Fault("sd-deleted-unit", "cw_units", "a root unit started, its file deleted (daemon-reload): it runs on",
          "printf '[Service]\\nExecStart=/usr/bin/sleep infinity\\n' > /etc/systemd/system/ghost.service\n"
          + RELOAD + "\nsystemctl start ghost\nrm /etc/systemd/system/ghost.service\n" + RELOAD),
    Fault("sd-deleted-unit-app-user", "cw_units", "a unit as the app user started, its file deleted",
          "printf '[Service]\\nUser={app_user}\\nExecStart=/usr/bin/python3 -c \"import time; time.sleep(10**6)\"\\n'"
          " > /etc/systemd/system/ghost2.service\n" + RELOAD + "\nsystemctl start ghost2\n"
          "rm /etc/systemd/system/ghost2.service"),
    # -- tmpfiles, sysctl, binfmt, modules: what systemd's boot services do as root --------------------------------
    Fault("sd-tmpfiles-sudoers", "cw_root_acts", "tmpfiles.d rule writing a sudoers file at boot",
          "echo 'f+ /etc/sudoers.d/zz 0440 root root - {login} ALL=(ALL) NOPASSWD: ALL' > /etc/tmpfiles.d/zz.conf"),
    Fault("sd-tmpfiles-run", "cw_root_acts", "a runtime tmpfiles rule (/run/tmpfiles.d) linking a cron job",
          "mkdir -p /run/tmpfiles.d\necho 'L+ /etc/cron.d/pull - - - - /tmp/pull' > /run/tmpfiles.d/pull.conf"),
    Fault("sd-tmpfiles-vendor", "cw_root_acts", "a tmpfiles rule by hand among the packages' (core_pattern pipe)",
          "echo 'w /proc/sys/kernel/core_pattern - - - - |/tmp/core' > /usr/lib/tmpfiles.d/zz-core.conf"),
    Fault("sd-sysctl-core-pattern", "cw_root_acts", "sysctl.d: root runs the login's program at every crash",
          "echo 'kernel.core_pattern=|/tmp/core %p' > /etc/sysctl.d/99-core.conf"),
    Fault("sd-binfmt", "cw_root_acts", "binfmt.d: an interpreter by hand for a file magic",
          "echo ':pull:M::PULL::/tmp/run:' > /etc/binfmt.d/pull.conf"),
    Fault("sd-modules-load", "cw_root_acts", "modules-load.d: a kernel module loaded at boot",
          "echo dummy > /etc/modules-load.d/dummy.conf"),
    Fault("sd-shutdown-hook", "cw_root_acts", "a system-shutdown hook by hand (root runs it at every shutdown)",
          "printf '#!/bin/sh\\ntrue\\n' > /usr/lib/systemd/system-shutdown/zz\nchmod 0755 "
          "/usr/lib/systemd/system-shutdown/zz"),
    # -- socket and path activation ------------------------------------------------------------------------------
    Fault("sd-socket-activation", "cw_listen", "a socket unit by hand, enabled: pid 1 listens on :8093",
          "printf '[Socket]\\nListenStream=8093\\nAccept=yes\\n[Install]\\nWantedBy=sockets.target\\n' > "
          "/etc/systemd/system/echo.socket\nprintf '[Service]\\nExecStart=/usr/bin/cat\\nStandardInput=socket\\n' "
          "> /etc/systemd/system/echo@.service\n" + RELOAD + "\nsystemctl enable -q --now echo.socket"),
    Fault("sd-path-unit", "cw_units", "a path unit by hand: root runs a script of the app tree when a file changes",
          "printf '[Path]\\nPathChanged={root}/shared/{shared0}\\n[Install]\\nWantedBy=paths.target\\n' > "
          "/etc/systemd/system/watch.path\nprintf '[Service]\\nType=oneshot\\nExecStart=/bin/sh {root}/current/"
          "hook.sh\\n' > /etc/systemd/system/watch.service\n" + RELOAD + "\nsystemctl enable -q --now watch.path"),
)


if __name__ == "__main__":
    sys.path.insert(0, "tests/integration")
    import os

    from test_closed_world import SYSTEMD, systemd_image

    from deploytests.config import load_config
    from deploytests.faults.run import Campaign
    from deploytests.stacks import for_platform
    from deploytests.suite.lab import APPS
    if os.environ.get("GATE_FROM"):  # (the gate's runs only, e.g. main's tree: this process keeps this tree's harness)
        os.environ["PYTHONPATH"] = os.environ["GATE_FROM"]
    platform = sys.argv[1]
    mode = sys.argv[3] if len(sys.argv) > 3 else "systemd"
    select = [s for s in (sys.argv[2] if len(sys.argv) > 2 else "").split(",") if s]
    from deploytests.faults.catalogue import FAULTS
    faults = [f for f in F + FAULTS if any(s == f.id for s in select)] if select else list(F)
    stack = for_platform(platform)
    app = APPS / "yourapplication"
    t = time.monotonic()
    states = bool(select) and not os.environ.get("GATE_FROM")
    cwd = os.environ.get("GATE_FROM") or None  # (python -m pytest puts its cwd first on sys.path: that tree's gate)
    if cwd:
        import deploytests.faults.run as run
        run.SUITE = Path(cwd) / "deploytests" / "suite"  # (and that tree's suite)
    campaign = Campaign(app, load_config(app), stack=stack, faults=faults, states=states, clean=2, batch=4, cwd=cwd,
                        boot=(systemd_image(stack), SYSTEMD) if mode == "systemd" else None,
                        progress=lambda m: print(m, flush=True))
    report = campaign.run()
    print("\n".join(report.lines()), flush=True)
    out = Path(__file__).parent / (f"sd-results-{platform}-{mode}{'-select' if select else ''}"
                                   f"{'-main' if os.environ.get('GATE_FROM') else ''}.json")
    out.write_text(json.dumps({"seconds": round(time.monotonic() - t, 1), "items": [
        {"name": i.name, "kind": i.kind, "failed": i.failed, "problem": i.problem, "passed": i.passed}
        for i in report.items]}, indent=1))
