# ruff: noqa
"""Keep containers of some blind faults for poking: prints each one's ssh address; Enter removes them.

    .venv/bin/python sec21/debug.py debian12 id...
"""
import sys, time
from pathlib import Path
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent)); sys.path.insert(0, str(HERE))
import measure, faults as blind
from deploytests.config import load_config
from deploytests.faults.run import Campaign, Item
from deploytests.stacks import for_platform

platform, ids = sys.argv[1], sys.argv[2:]
entries = [e for e in blind.F if e["id"] in ids]
camp = Campaign(measure.APP, load_config(measure.APP), faults=[measure.as_fault(e) for e in entries], clean=0,
                batch=4, cwd=Path("/tmp"), progress=print, stack=for_platform(platform), states=False)
tag = camp.snapshot()
items = [Item(e["id"], "fault", fault=measure.as_fault(e)) for e in entries]
fleet, _ = camp.prepare(items, tag)
for i, s, c in zip(items, fleet.servers, fleet.containers):
    print(i.name, i.problem, s.user, s.host, s.port, s.base_url, c.id[:12], flush=True)
from deploytests.verify import facts as F, promises as P
from deploytests.verify.sockets import root_capable
import pickle
cfg = load_config(measure.APP)
for i, s in zip(items, fleet.servers):
  try:
        fa = F.gather(s, cfg)
        inv = fa.get("inventory") or {}
        print(i.name, "system_dirs:", [x for x in inv.get("system_dirs") or [] if "/home/" not in x[0]][:20])
        print(i.name, "admins:", root_capable(fa, getattr(fa, "raw", None)))
        try:
            exp = None
        except Exception: pass
        print(i.name, "lines:", P._system_dirs(fa, inv.get("system_dirs") or [], []))
        raw = getattr(fa, "raw", None)
        print(i.name, "mentions:", [m for m in inv.get("mentions") or [] if "dpkg" in m["file"] or "logrotate" in m["file"]])
        print(i.name, "raw mentions:", {k: v for k, v in (raw.raw.get("mentions") or {} if isinstance(raw.raw, dict) else {}).items() if "dpkg.cfg" in k or "logrotate" in k})
        print(i.name, "known:", (getattr(fa, "raw", None).files or {}).get("/etc/ssh/ssh_known_hosts"))
  except Exception as e:
    import traceback; traceback.print_exc()
print("key", fleet.key.path, "known_hosts", fleet.known_hosts, flush=True)
try:
    Path("/tmp/sec21-debug.ready").write_text("\n".join(c.id for c in fleet.containers))
    while Path("/tmp/sec21-debug.ready").exists():
        time.sleep(2)
finally:
    fleet.__exit__(None, None, None)
    camp.remove_image()
