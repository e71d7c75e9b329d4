"""Keep one container of the campaign's snapshot (deployed: live + previous release) for trying injections by
hand; prints its name and the campaign's placeholder values; removes it when /tmp/blind12-explore-stop exists.

    python blind12/explore.py PLATFORM
"""
import json
import sys
import time
from pathlib import Path

from deploytests.config import load_config
from deploytests.faults.run import Campaign, Item
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
camp = Campaign(APP, load_config(APP), faults=[], clean=0, batch=2, progress=print, stack=for_platform(sys.argv[1]))
tag = camp.snapshot()
print("snapshot", tag, json.dumps(camp.base), flush=True)
print("values", json.dumps({k: str(v) for k, v in camp.values.items()}), flush=True)
stop = Path("/tmp/blind12-explore-stop")
stop.unlink(missing_ok=True)
fleet, _ = camp.prepare([Item("x1", "clean"), Item("x2", "clean")], tag)
try:
    for s, c in zip(fleet.servers, fleet.containers, strict=True):
        print("container", c.name, s.host, s.port, s.base_url, s.key_filename, s.user, flush=True)
    while not stop.exists():
        time.sleep(2)
finally:
    fleet.__exit__(None, None, None)
    camp.client.images.remove(camp.image.id, force=True)
