"""The fault catalogue against servers booted with systemd as PID 1 (or plain, for the comparison).

    .venv/bin/python sysd20/campaign.py debian12 systemd [SELECT,...]

Prints the campaign's table and writes sysd20/results-<platform>-<mode>.json (each item: its tests that failed).
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, "tests/integration")
from test_closed_world import SYSTEMD, systemd_image  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.faults.run import Campaign  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

platform, mode = sys.argv[1], sys.argv[2]
select = [s for s in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if s]
stack = for_platform(platform)
boot = (systemd_image(stack), SYSTEMD) if mode == "systemd" else None
app = APPS / "yourapplication"
t = time.monotonic()
Campaign.ready = property(lambda self: 180.0)  # (this loaded machine: a plain container's sshd took over 30 s too)
campaign = Campaign(app, load_config(app), stack=stack, boot=boot, select=select, clean=int(sys.argv[4]) if
                    len(sys.argv) > 4 else 10, progress=lambda m: print(m, flush=True))
report = campaign.run()
print("\n".join(report.lines()), flush=True)
out = Path(__file__).parent / f"results-{platform}-{mode}{'-select' if select else ''}.json"
out.write_text(json.dumps({"seconds": round(time.monotonic() - t, 1), "items": [
    {"name": i.name, "kind": i.kind, "failed": i.failed, "problem": i.problem, "passed": i.passed}
    for i in report.items]}, indent=1))
