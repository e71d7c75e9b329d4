"""CPU of one gate probe: the container's cgroup delta and the runner's own (process time), per gather() and per
part on the runner (the probe round trip, parse, the checks). Uses perf11/lab.json's hosts (kept containers).

    python perf11/probe_cpu.py [repeats]
"""
import json, statistics, sys, time, os
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.servers import Server
from deploytests.verify import facts as F
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify
from deploytests.suite.lab import container_cpu
import docker

cfg = load_config(APPS / "yourapplication")
info = json.loads((ROOT / "perf11" / "lab.json").read_text())
client = docker.from_env()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
servers = [Server(**dict(i, key_filename=Path(i["key_filename"]), known_hosts=Path(i["known_hosts"]))) for i in info]
cids = [i["container_id"] for i in info]
for s in servers:
    s.connection()
rows = []
for _ in range(n):
    c0 = sum(container_cpu(client, c) for c in cids); r0 = time.process_time(); w0 = time.monotonic()
    all_facts = {s.label: F.gather(s, cfg) for s in servers}
    r1 = time.process_time(); c1 = sum(container_cpu(client, c) for c in cids)
    for s in servers:
        exp = Expected.from_config(cfg, s.user, stack=s.stack, host=s.host, port=s.port)
        for p in PROMISES:
            try:
                verify(p.id, all_facts[s.label], exp)
            except (NotApplicable, AssertionError):
                pass
    r2 = time.process_time()
    rows.append((c1 - c0, r1 - r0, r2 - r1, time.monotonic() - w0))
    assert not any(f.error for f in all_facts.values()), [f.error for f in all_facts.values()]
med = [statistics.median(r[i] for r in rows) for i in range(4)]
print("per run (%d hosts): container CPU %.3f s, runner gather CPU %.3f s, runner checks CPU %.3f s, wall %.3f s"
      % (len(servers), *med))
