"""Blind set: ordinary hardening applied by hand as root on a deployed server, and faults hidden inside what it
makes root's alone.  Written from public anchors (CIS Debian Linux 12 benchmark's file-permission controls for
cron, at, sshd, bootloader, logs; DevSec os-hardening / ssh-hardening roles' tasks; Lynis FILE-7524's list)
before reading the gate's rule code.

    python harden24/harden.py TREE PLATFORM OUT.json [--each] [--control]

TREE: the source tree whose deploytests and tests/integration are used (a clean export of main, or a branch).
One container: deploy, install cron + at, gate (baseline), apply every hardening step, gate, hide every fault,
gate.  --each: a gate run after each step and each fault (cumulative: what each adds); --control: the faults
on the server not hardened (whether the gate catches them at all).  Each gate run's failed tests and their text
are written to OUT.json; the expectations (FAULTS' last field) say which
string in the gate's output names each fault.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

TREE = Path(sys.argv[1]).resolve()
PLATFORM, OUT = sys.argv[2], Path(sys.argv[3])
sys.path.insert(0, str(TREE / "tests" / "integration"))
sys.path.insert(0, str(TREE))

from wholesuite import gate_read_only  # noqa: E402

from deploytests import pipeline  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.containers import Fleet  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"
LOGIN = "@LOGIN@"      # the deploy login, filled in from the fleet
APPUSER = "yourapplication"

# (id, anchor, root's shell script).  Each step is what an admin ordinarily types as root; none adds a program,
# a listener, a grant or a job: each only takes read access away from others (or sets root's umask).
STEPS = [
    ("H01", "CIS 2.4.1.3-7 (Debian 12) / 5.1.3-7: cron directories og-rwx",
     "for d in /etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly /etc/cron.yearly; "
     "do [ -d $d ] && chown root:root $d && chmod 0700 $d; done; true"),
    ("H02", "CIS 2.4.1.2 / 5.1.2: /etc/crontab 0600",
     "chown root:root /etc/crontab && chmod 0600 /etc/crontab"),
    ("H03", "CIS 5.1.1 (Debian 12): sshd_config 0600; DevSec ssh-hardening writes it 0600",
     "chown root:root /etc/ssh/sshd_config && chmod 0600 /etc/ssh/sshd_config"),
    ("H04", "CIS 5.1.1: files in sshd_config.d 0600; directory 0700 (Lynis: ssh config dir)",
     "chmod 0700 /etc/ssh/sshd_config.d && find /etc/ssh/sshd_config.d -type f -exec chmod 0600 {} +"),
    ("H05", "DevSec ssh-hardening: /etc/ssh/revoked_keys 0600 named by RevokedKeys",
     ": > /etc/ssh/revoked_keys && chmod 0600 /etc/ssh/revoked_keys && "
     "printf 'RevokedKeys /etc/ssh/revoked_keys\\n' > /etc/ssh/sshd_config.d/10-revoked.conf && "
     "chmod 0600 /etc/ssh/sshd_config.d/10-revoked.conf && sshd -t"),
    ("H06", "CIS 2.4.1.8: cron.allow root:crontab 0640, cron.deny removed; 2.4.2.1: at.allow root:daemon 0640",
     "rm -f /etc/cron.deny /etc/at.deny; printf 'root\\n' > /etc/cron.allow; printf 'root\\n' > /etc/at.allow; "
     "chown root:crontab /etc/cron.allow; chown root:daemon /etc/at.allow; chmod 0640 /etc/cron.allow /etc/at.allow"),
    ("H07", "CIS 6.1.4.1 (Debian 12) / Lynis: access to all logfiles: files g-wx,o-rwx, directories g-w,o-rwx",
     "find /var/log -type f -exec chmod g-wx,o-rwx {} + ; find /var/log -type d -exec chmod g-w,o-rwx {} +"),
    ("H08", "DevSec os-hardening: login.defs 0444 with UMASK 027; root's umask 027 (CIS 5.4.3.3)",
     "sed -i 's/^UMASK.*/UMASK\\t\\t027/' /etc/login.defs && chmod 0444 /etc/login.defs && "
     "printf 'umask 027\\n' >> /root/.bashrc && printf 'umask 027\\n' > /etc/profile.d/99-umask.sh"),
    ("H09", "DevSec os-hardening limits.yml: /etc/security/limits.d/10.hardcore.conf 0440 (core dumps off)",
     "mkdir -p /etc/security/limits.d && printf '* hard core 0\\n* soft core 0\\n' > "
     "/etc/security/limits.d/10.hardcore.conf && chmod 0440 /etc/security/limits.d/10.hardcore.conf"),
    ("H10", "Lynis/hardening guides: /etc/security 0750, its files o-rwx",
     "chmod 0750 /etc/security && find /etc/security -type f -exec chmod o-rwx {} +"),
    ("H11", "CIS Apache 2.4 benchmark 3.x: Apache config root's, other access removed",
     "chown -R root:root /etc/apache2 && chmod -R o-rwx /etc/apache2"),
    ("H12", "CIS 5.2.x / sudo hardening guides: /etc/sudoers.d 0750, its files 0440",
     "chmod 0750 /etc/sudoers.d && find /etc/sudoers.d -type f -exec chmod 0440 {} +"),
    ("H13", "DevSec os-hardening minimize_access: /bin/su 0750 root:root",
     "chown root:root /bin/su && chmod 0750 /bin/su"),
    ("H14", "Lynis FILE-7524 / hardening guides: /etc/default files o-rwx",
     "find /etc/default -type f -exec chmod o-rwx {} +"),
    ("H15", "CIS 1.4.2: bootloader config 0400 (when a grub.cfg exists; containers have none)",
     "[ -f /boot/grub/grub.cfg ] && chmod 0400 /boot/grub/grub.cfg; true"),
    ("H16", "DevSec os-hardening: /etc/shadow, gshadow root:shadow 0640; passwd- group- 0600 (Lynis)",
     "chmod 0640 /etc/shadow /etc/gshadow; chmod 0600 /etc/passwd- /etc/group- 2>/dev/null; true"),
]

# (id, the hardening step that hides it, root's script (run under root's umask 027), the string the gate's output
# must carry to have named the fault).
FAULTS = [
    ("F1", "H01", "a root job in the 0700 /etc/cron.d running a script the deploy login may write",
     "h=$(getent passwd @LOGIN@ | cut -d: -f6); mkdir -p $h/bin && "
     "printf '#!/bin/sh\\ntrue\\n' > $h/bin/app-cleanup && "
     "chmod 0755 $h/bin/app-cleanup && chown -R @LOGIN@ $h/bin && "
     "printf \"*/5 * * * * root $h/bin/app-cleanup\\n\" > /etc/cron.d/app-cleanup",
     "app-cleanup"),
    ("F2", "H02", "a root line in the 0600 /etc/crontab running a script the app's user may write",
     "mkdir -p /opt/sync && printf '#!/bin/sh\\ntrue\\n' > /opt/sync/nightly-sync && chmod 0755 /opt/sync/nightly-sync "
     "&& chown -R " + APPUSER + " /opt/sync && printf '30 2 * * * root /opt/sync/nightly-sync\\n' >> /etc/crontab",
     "nightly-sync"),
    ("F3", "H03", "PermitRootLogin yes in the 0600 sshd_config",
     "sed -i '1i PermitRootLogin yes' /etc/ssh/sshd_config && sshd -t",
     "PermitRootLogin"),
    # (the project's image's sshd_config has no Include line, Debian's has: v1 measured a drop-in sshd never read)
    ("F4", "H04", "an AuthorizedKeysCommand run as root, a login-writable program, in the 0700 sshd_config.d",
     "mkdir -p /opt/keys && printf '#!/bin/sh\\nexit 0\\n' > /opt/keys/keys-lookup && "
     "chmod 0755 /opt/keys/keys-lookup && "
     "chown -R @LOGIN@ /opt/keys && "
     "printf 'AuthorizedKeysCommand /opt/keys/keys-lookup %%u\\nAuthorizedKeysCommandUser root\\n' "
     "> /etc/ssh/sshd_config.d/20-keys.conf && (grep -qi '^Include' /etc/ssh/sshd_config || "
     "sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config) && sshd -t",
     "keys-lookup"),
    ("F5", "H12", "a NOPASSWD ALL rule for the app's user in the 0750 /etc/sudoers.d",
     "printf '" + APPUSER + " ALL=(ALL) NOPASSWD: ALL\\n' > /etc/sudoers.d/80-app && chmod 0440 /etc/sudoers.d/80-app "
     "&& visudo -cq",
     "80-app"),
    ("F6", "H01", "a script in the 0700 /etc/cron.daily that runs a login-writable program",
     "h=$(getent passwd @LOGIN@ | cut -d: -f6); mkdir -p $h/bin && printf '#!/bin/sh\\ntrue\\n' > $h/bin/app-report && "
     "chmod 0755 $h/bin/app-report && chown -R @LOGIN@ $h/bin && "
     "printf \"#!/bin/sh\\nexec $h/bin/app-report\\n\" > /etc/cron.daily/app-report && "
     "chmod 0750 /etc/cron.daily/app-report",
     "app-report"),
    ("F7", "H11", "an enabled Apache conf, in the o-rwx /etc/apache2, that serves /etc to anyone",
     "printf 'Alias /etc-view /etc\\n<Directory /etc>\\n  Require all granted\\n  Options +Indexes\\n</Directory>\\n' "
     "> /etc/apache2/conf-available/etc-view.conf && a2enconf -q etc-view && apache2ctl -t",
     "etc-view"),
]


def root(box, script: str) -> str:
    res = box.exec_run(["sh", "-ec", "umask 027\n" + script], user="root")
    out = res.output.decode(errors="replace")
    assert res.exit_code == 0, out[-3000:]
    return out


def gate(tmp: Path, fleet, label: str, extra: str = "") -> dict:
    t = time.time()
    run = tmp / label
    run.mkdir()
    failed, out = gate_read_only(run, fleet, extra)
    print(f"== {PLATFORM} {label}: {len(failed)} failed tests in {int(time.time() - t)} s", flush=True)
    for name, (msg, _text) in failed.items():
        print(f"  [{name}] {msg[:300]}", flush=True)
    return {"failed": {k: [m, t] for k, (m, t) in failed.items()}, "tail": out[-4000:]}


def main() -> None:
    tmp = Path(f"/tmp/harden24-run-{PLATFORM}-{int(time.time())}-{os.getpid()}")
    tmp.mkdir()
    cfg, stack = load_config(APP), for_platform(PLATFORM)
    result: dict = {"platform": PLATFORM, "tree": str(TREE)}
    with Fleet(count=1, name_prefix=f"harden24-{PLATFORM}", image=stack.image, base=stack.base_image,
               progress=lambda m: None, ready_timeout=300) as fleet:
        c = fleet.servers[0].connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        box = fleet.containers[0]
        login = fleet.servers[0].user
        print("container", box.name, "login", login, flush=True)
        root(box, "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                  "--no-install-recommends cron at >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }")
        result["baseline"] = gate(tmp, fleet, "baseline")
        for sid, _anchor, script in [] if "--control" in sys.argv else STEPS:
            root(box, script.replace("@LOGIN@", login))
            if "--each" in sys.argv:
                result[sid] = gate(tmp, fleet, sid)
        result["hardened"] = gate(tmp, fleet, "hardened")
        for fid, _step, _what, script, _named in FAULTS:
            root(box, script.replace("@LOGIN@", login))
            if "--each" in sys.argv:
                result[fid] = gate(tmp, fleet, fid)
        result["faults"] = gate(tmp, fleet, "faults")
        OUT.write_text(json.dumps(result, indent=1))
        if "--keep" in sys.argv:
            input("kept; press enter")


if __name__ == "__main__":
    main()
