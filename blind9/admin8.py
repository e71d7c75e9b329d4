"""Ordinary admin tooling of blind8's choosing (none of it in tests/integration/test_admin_tooling.py nor in the
blind3/blind4/blind5 rounds' sets), stage by stage on one deployed container: after each stage the read-only gate (the built-in
suite's test_promises.py, as test_admin_tooling's gate()) and every failure line. If every line names an
allowance, the gate again with them written (they accumulate for the later stages).

    python blind8/admin7.py PLATFORM [stage numbers, comma-separated]
"""
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
import test_admin_tooling as t
from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform

APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{ tail -30 /tmp/apt.log; exit 1; }}")
WAIT = ("i=0; until grep -q ':{port} [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null || [ $i -ge 300 ]; "
        "do i=$((i+1)); sleep 0.1; done; grep -q ':{port} ' /proc/net/tcp /proc/net/tcp6")
STAGES = [
    # (name, packages, shell as root after the install)
    ("aide (file integrity: its daily cron job), atop (its logging daemon as root, as atop.service starts it) and "
     "vnstat (vnstatd as the vnstat account)",
     "aide aide-common atop vnstat",
     "ls /etc/cron.daily; (atop -w /var/log/atop/atop_$(date +%Y%m%d) 600 </dev/null >/dev/null 2>&1 &); "
     "runuser -u vnstat -- vnstatd -d --noadd 2>/dev/null || vnstatd -d 2>/dev/null || true; sleep 1; "
     "ps -eo user,args | grep -E 'atop|vnstat' | grep -v grep"),
    ("netdata, the monitoring agent, as Debian configures it (127.0.0.1:19999 as the netdata account)",
     "netdata",
     "grep -n 'bind' /etc/netdata/netdata.conf | head -3; (runuser -u netdata -- /usr/sbin/netdata -D </dev/null >/dev/null 2>&1 &); "
     + WAIT.format(port="4E1F") + "; ps -eo user,args | grep netdata | grep -v grep | head -3"),
    ("restic, a backup agent: a nightly root cron job backing up the app's shared data and /etc into a local "
     "repository (/var/backups/restic, 0700, its password file 0600)",
     "restic cron",
     "install -d -m 0700 /var/backups/restic; head -c 24 /dev/urandom | base64 > /root/.restic-pass; chmod 0600 /root/.restic-pass; "
     "restic init -q -r /var/backups/restic -p /root/.restic-pass; "
     "printf 'SHELL=/bin/sh\\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\\n30 2 * * * root restic -q -r /var/backups/restic -p /root/.restic-pass backup /var/www/yourapplication/shared /etc\\n' "
     "> /etc/cron.d/restic-backup; restic -q -r /var/backups/restic -p /root/.restic-pass backup /var/www/yourapplication/shared /etc; "
     "ls -la /var/backups/restic | head -4"),
]


def show(failed):
    for test, items in failed.items():
        for ln in items:
            print(f"    FAIL {test}: {ln[:700]}", flush=True)


stack = for_platform(sys.argv[1])
only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
cfg = load_config(t.APP)
tmp = Path(tempfile.mkdtemp())
with Fleet(count=1, name_prefix="blind8admin", image=stack.image, base=stack.base_image,
           progress=lambda m: None) as fleet:
    box = fleet.containers[0]
    c = fleet.servers[0].connection()
    boot = pipeline.bootstrap(c, cfg)
    pipeline.deploy(c, cfg, pipeline.pack(t.APP, cfg, python_version=boot.python_version))
    print("clean:", t.gate(tmp, fleet) or "pass", flush=True)
    allowed: dict[str, list[str]] = {}
    for n, (name, pkgs, after) in enumerate(STAGES):
        if only and str(n) not in only:
            continue
        print(f"== stage {n}: {name}", flush=True)
        res = box.exec_run(["sh", "-c", APT.format(pkgs=pkgs) + "; " + after], user="root")
        print(f"  install rc={res.exit_code} {res.output.decode(errors='replace').strip()[-600:]}", flush=True)
        extra = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in allowed.items())
        failed = t.gate(tmp, fleet, extra)
        if not failed:
            print("  gate: pass", flush=True)
            continue
        show(failed)
        new = [re.search(r"allow it: (allow_\w+) = \[(.*?)\] in ", ln) for items in failed.values() for ln in items]
        if not all(new):
            print("  (a line names no allowance: not retried with allowances)", flush=True)
            continue
        for m in new:
            allowed.setdefault(m.group(1), []).extend(x.strip().strip('"') for x in m.group(2).split(", "))
        extra = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in allowed.items())
        print(f"  with the named allowances:\n{extra}", flush=True)
        failed = t.gate(tmp, fleet, extra)
        print("  gate with them:", "pass" if not failed else "", flush=True)
        show(failed)
