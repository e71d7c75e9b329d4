"""perf10/runs.jsonl by label: one line per run (wall, load, slots, CPU by who), then medians per label."""
import json
import statistics
import sys
from pathlib import Path

runs = [json.loads(line) for line in Path(sys.argv[1] if len(sys.argv) > 1 else "perf10/runs.jsonl").open()]
by: dict[str, list[dict]] = {}
for r in runs:
    cpu = sum(x for x in (r["runner"], r["session"], r["scenarios"]) if x)
    r["cpu"] = cpu
    by.setdefault(r["label"], []).append(r)
    print(f"{r['label']:13} {r['at']} wall {r['wall']:6.1f} load {r['load'][0]:5.1f}->{r['load'][1]:5.1f} "
          f"slots {r['workers']} cpu {cpu:5.1f} runner {r['runner']:.2f} session {r['session'] or 0:.2f} "
          f"scenarios {r['scenarios'] or 0:.2f} | {r['result'].split(' in ')[0]}")
print()
for label, rs in by.items():
    def med(k: str, rs: list[dict] = rs) -> float:
        return statistics.median(x[k] or 0 for x in rs)
    print(f"{label:13} n={len(rs)} median wall {med('wall'):.1f} cpu {med('cpu'):.1f} runner {med('runner'):.2f} "
          f"session {med('session'):.2f} scenarios {med('scenarios'):.2f}; cpu min {min(x['cpu'] for x in rs):.1f}")
