"""Build (or find) the systemd-booted lab images for Debian 12 and 13; prints their tags and the seconds taken."""
import sys
import time

sys.path.insert(0, "tests/integration")
from test_closed_world import systemd_image

from deploytests.stacks import for_platform

for p in sys.argv[1:] or ["debian12", "debian13"]:
    t = time.monotonic()
    print(p, systemd_image(for_platform(p)), f"{time.monotonic() - t:.1f}s", flush=True)
