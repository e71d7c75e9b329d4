"""Ordinary admin tooling of blind7's choosing (none of it in tests/integration/test_admin_tooling.py nor in the
blind3/blind4/blind5 rounds' sets), stage by stage on one deployed container: after each stage the read-only gate (the built-in
suite's test_promises.py, as test_admin_tooling's gate()) and every failure line. If every line names an
allowance, the gate again with them written (they accumulate for the later stages).

    python blind7/admin7.py PLATFORM [stage numbers, comma-separated]
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
    ("redis-server and memcached, the app's cache and session stores, as Debian configures them (redis on "
     "127.0.0.1:6379 as redis, memcached on 127.0.0.1:11211 as memcache)",
     "redis-server memcached",
     "sed -i 's/^bind .*/bind 127.0.0.1/' /etc/redis/redis.conf; grep -n '^bind' /etc/redis/redis.conf; "
     "runuser -u redis -- redis-server /etc/redis/redis.conf --daemonize yes --supervised no; "
     "setsid runuser -u memcache -- /usr/bin/memcached -m 64 -p 11211 -l 127.0.0.1 </dev/null >/dev/null 2>&1 & "
     + WAIT.format(port="18EB") + "; " + WAIT.format(port="2BCB")),
    ("postgresql, the app's database on the same host, as Debian ships it (cluster 'main', localhost:5432, the "
     "postgres account; its cron job and logrotate file)",
     "postgresql",
     "v=$(ls /etc/postgresql | head -1); pg_ctlcluster $v main start; " + WAIT.format(port="1538")
     + "; runuser -u postgres -- psql -qAtc 'select 1'"),
    ("a cloud VM's base tooling: qemu-guest-agent, smartmontools, ufw (rules written, not enabled), nftables, "
     "lm-sensors, htop, git, vim, jq, ncdu, rsync (no daemon) and screen",
     "qemu-guest-agent smartmontools ufw nftables lm-sensors htop git vim-tiny jq ncdu rsync screen",
     "ufw allow 22/tcp >/dev/null 2>&1 || true; ufw allow 80/tcp >/dev/null 2>&1 || true; ls /etc/ufw; "
     "ls /etc/systemd/system/*.wants 2>/dev/null | head -30"),
    ("apticron (a daily root cron job mailing pending updates) with debian-goodies' checkrestart, and "
     "apt-show-versions",
     "apticron debian-goodies apt-show-versions",
     "ls /etc/cron.d /etc/cron.daily 2>/dev/null; cat /etc/cron.d/apticron 2>/dev/null | tail -2"),
]


def show(failed):
    for test, items in failed.items():
        for ln in items:
            print(f"    FAIL {test}: {ln[:700]}", flush=True)


stack = for_platform(sys.argv[1])
only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
cfg = load_config(t.APP)
tmp = Path(tempfile.mkdtemp())
with Fleet(count=1, name_prefix="blind7admin", image=stack.image, base=stack.base_image,
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
