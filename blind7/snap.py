"""Make the campaign's snapshot (bootstrap, deploy v1-variant, deploy v1) and keep it; print its tag and values."""
import json
import sys

from deploytests.config import load_config
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
camp = Campaign(APP, load_config(APP), faults=[], clean=0, progress=print, stack=for_platform(sys.argv[1]))
tag = camp.snapshot()
print(json.dumps({"tag": tag, "values": camp.values}))
