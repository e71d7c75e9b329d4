"""False alarms: the campaign's legitimate states (after a rollback, a refused release, an interrupted deploy the
next one recovered, a config-only change) and a clean host, two containers at a time; prints each host's result.

    python blind8/controls.py PLATFORM   (copied from blind5)
"""
import sys

from deploytests.config import load_config
from deploytests.faults.run import STATES, Campaign, Item
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
camp = Campaign(APP, load_config(APP), faults=[], clean=1, batch=2, progress=print, stack=for_platform(sys.argv[1]))
tag = camp.snapshot()
items = [Item(name, "state", state=fn) for name, fn in STATES.items()] + [Item("clean-1", "clean")]
try:
    for i in range(0, len(items), 2):
        batch = items[i:i + 2]
        fleet, _ = camp.prepare(batch, tag)
        try:
            camp.gate(batch, fleet)
            for item in batch:
                print(f"=== {item.name}: problem={item.problem!r} passed={item.passed} skipped={item.skipped} "
                      f"failed={item.failed}", flush=True)
        finally:
            fleet.__exit__(None, None, None)
finally:
    camp.client.images.remove(camp.image.id, force=True)
