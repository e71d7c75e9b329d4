"""The runs perf9/mainjob.py recorded (perf9/runs.jsonl), by label: CPU seconds (runner, session's containers,
scenarios' containers, total) as median and range, wall and load at start, results.

    python perf9/summary.py [perf9/runs.jsonl]
"""

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("runs.jsonl"))
by = defaultdict(list)
for line in path.read_text().splitlines():
    r = json.loads(line)
    if r.get("scenarios") is None:
        continue
    r["total"] = r["runner"] + (r["session"] or 0) + r["scenarios"]
    by[r["label"]].append(r)


def spread(values):
    return f"{statistics.median(values):5.1f} ({min(values):.1f}-{max(values):.1f})"


print(f"{'label':16} {'n':>2}  {'total CPU s':18} {'runner':18} {'session':18} {'scenarios':18} wall s (load at start)")
for label, runs in by.items():
    print(f"{label:16} {len(runs):2d}  " + "  ".join(spread([r[k] for r in runs]) for k in
                                                    ("total", "runner", "session", "scenarios"))
          + "  " + ", ".join(f"{r['wall']:.0f} ({r['load'][0]:.0f})" for r in runs)
          + ("" if all("failed" not in r["result"] and "error" not in r["result"] for r in runs)
             else "  [" + "; ".join(r["result"] for r in runs if "failed" in r["result"] or "error" in r["result"])
             + "]"))
