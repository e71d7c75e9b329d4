"""One server container of this code's image started and removed; prints its Fleet step seconds as JSON.

    PYTHONPATH=<copy> python perf12/ready_ab.py    (run from <copy>; alternate copies for an A/B)
"""

import json
import os
import time

from deploytests.containers import Fleet
from deploytests.stacks import for_platform

stack = for_platform("debian12")
started = time.monotonic()
with Fleet(count=1, image=stack.image, base=stack.base_image, progress=lambda msg: None) as fleet:
    ready = time.monotonic() - started
    times = dict(fleet.times)
print(json.dumps({"tag": fleet.tag, "ready": ready, "load": os.getloadavg()[0], **times}))
