"""blind14: build a faults snapshot of the example app and keep one container of it for looking around
(the process stays alive while /tmp/blind14-inspect-<platform>.hold exists; then removes container and image).

    python blind14/inspect14.py debian12
"""
import json
import sys
import time
from pathlib import Path

from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
platform = sys.argv[1]
hold = Path(f"/tmp/blind14-inspect-{platform}.hold")
camp = Campaign(APP, load_config(APP), faults=[], clean=0, progress=print, stack=for_platform(platform))
tag = camp.snapshot()
print("snapshot", tag, json.dumps(camp.values), flush=True)
Path(f"/tmp/blind14-values-{platform}.json").write_text(json.dumps(camp.values, indent=1))
try:
    fleet = Fleet(count=1, name_prefix="b14inspect", image_tag=tag, progress=lambda m: None)
    fleet.__enter__()
    try:
        print("container", fleet.containers[0].id, flush=True)
        hold.write_text(fleet.containers[0].id)
        while hold.exists():
            time.sleep(2)
    finally:
        fleet.__exit__(None, None, None)
finally:
    camp.remove_image()
