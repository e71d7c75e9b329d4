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

APT = ("(apt-get update -qq >/dev/null 2>&1 || true); DEBIAN_FRONTEND=noninteractive timeout 400 apt-get install -y -qq "
       "--no-install-recommends {pkgs} >/tmp/apt.log 2>&1 || {{ tail -30 /tmp/apt.log; exit 1; }}")
WAIT = ("i=0; until grep -q ':{port} [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null || [ $i -ge 300 ]; "
        "do i=$((i+1)); sleep 0.1; done; grep -q ':{port} ' /proc/net/tcp /proc/net/tcp6")
STAGES = [
    # (name, packages, shell as root after the install)
    ("sysstat (its root cron job sa1/sa2, collection enabled) and auditd with audispd-plugins (installed as a "
     "compliance baseline asks; the daemon needs the host kernel's audit and is not started in a container)",
     "sysstat auditd audispd-plugins",
     "sed -i 's/^ENABLED=.*/ENABLED=\"true\"/' /etc/default/sysstat; ls /etc/cron.d; /usr/lib/sysstat/debian-sa1 1 1 || true; ls /var/log/sysstat | head -3"),
    ("zabbix-agent, a monitoring agent, as Debian configures it (listening on every address, port 10050, as "
     "the zabbix account; Server=127.0.0.1)",
     "zabbix-agent",
     "install -d -o zabbix -g zabbix /run/zabbix; runuser -u zabbix -- /usr/sbin/zabbix_agentd -c /etc/zabbix/zabbix_agentd.conf; "
     + WAIT.format(port="2742") + "; ps -eo user,args | grep zabbix_agentd | grep -v grep | head -2"),
    ("monit, a process supervisor (root daemon) watching Apache, with its web interface on localhost:2812 "
     "(admin:monit, as its docs show)",
     "monit",
     "printf '%s\\n' 'set httpd port 2812 and' '    use address localhost' '    allow localhost' '    allow admin:monit' '' "
     "'check process apache2 with pidfile /var/run/apache2/apache2.pid' '    start program = \"/usr/sbin/apache2ctl start\"' "
     "'    stop program = \"/usr/sbin/apache2ctl stop\"' > /etc/monit/conf.d/local; chmod 0600 /etc/monit/conf.d/local; monit -t; "
     "monit -c /etc/monit/monitrc; " + WAIT.format(port="0AFC") + "; ps -eo user,args | grep monit | grep -v grep | head -2"),
    ("etckeeper (git): /etc under version control, its daily autocommit and apt hooks, as its package sets "
     "them up",
     "etckeeper git",
     "cd /etc && git log --oneline | head -2; ls /etc/etckeeper; ls -ld /etc/.git"),
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
