"""Ordinary admin tooling of blind10's choosing (none of it in tests/integration/test_admin_tooling.py nor in the
blind3/blind4/blind5 rounds' sets), stage by stage on one deployed container: after each stage the read-only gate (the built-in
suite's test_promises.py, as test_admin_tooling's gate()) and every failure line. If every line names an
allowance, the gate again with them written (they accumulate for the later stages).

    python blind10/admin9.py PLATFORM [stage numbers, comma-separated]
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

APT = ("(apt-get update -qq >/dev/null 2>&1 || true); echo 'postfix postfix/main_mailer_type select Local only' | debconf-set-selections; echo 'postfix postfix/mailname string localhost' | debconf-set-selections; DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{ tail -30 /tmp/apt.log; exit 1; }}")
WAIT = ("i=0; until grep -q ':{port} [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null || [ $i -ge 300 ]; "
        "do i=$((i+1)); sleep 0.1; done; grep -q ':{port} ' /proc/net/tcp /proc/net/tcp6")
STAGES = [
    # (name, packages, shell as root after the install)
    ("needrestart, debsums and logwatch (root's apt hook that restarts services after upgrades; root's daily "
     "package-checksum and log-summary cron jobs, perl), as their packages set them up",
     "needrestart debsums logwatch",
     "ls /etc/cron.daily; needrestart -b -r l 2>&1 | head -3; ls /etc/apt/apt.conf.d | grep -i needrestart"),
    ("postfix as a local-only MTA (debconf 'Local only': inet_interfaces = loopback-only, its master process "
     "root's on 127.0.0.1:25 and [::1]:25)",
     "postfix",
     "postconf -e inet_interfaces=loopback-only; postfix start; " + WAIT.format(port="0019") + "; ps -eo user,args | grep -E '[m]aster|[q]mgr' | head -2"),
    ("prometheus-apache-exporter, scraping Apache's stock server-status on localhost, listening on every "
     "address (port 9117) as the prometheus account, as Debian configures it",
     "prometheus-apache-exporter",
     "(setsid runuser -u prometheus -- /usr/bin/prometheus-apache-exporter </dev/null >/tmp/apache-exporter.log 2>&1 &); "
     + WAIT.format(port="239D") + "; ps -eo user,args | grep [a]pache-exporter | head -1"),
    ("nagios-nrpe-server, the Nagios remote plugin executor (every address, port 5666, as the nagios account; "
     "allowed_hosts=127.0.0.1 as shipped)",
     "nagios-nrpe-server monitoring-plugins-basic",
     "mkdir -p /run/nagios && chown nagios /run/nagios; /usr/sbin/nrpe -c /etc/nagios/nrpe.cfg -d; "
     + WAIT.format(port="1622") + "; ps -eo user,args | grep [n]rpe | head -1"),
]


def show(failed):
    for test, items in failed.items():
        for ln in items:
            print(f"    FAIL {test}: {ln[:700]}", flush=True)


stack = for_platform(sys.argv[1])
only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
cfg = load_config(t.APP)
tmp = Path(tempfile.mkdtemp())
with Fleet(count=1, name_prefix="blind10admin", image=stack.image, base=stack.base_image,
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
