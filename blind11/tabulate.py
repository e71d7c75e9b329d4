"""Markdown table of run_blind.py's results: fault, kind, caught?, failing checks, the first line printed.

    python blind11/tabulate.py RESULTS.json [RESULTS.json ...]
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from faults import ALLOWED, BENIGN, CONTROLS, CONTROLS_ALLOWED, PLAIN

KIND = {f.id: f.promise for f in PLAIN + ALLOWED + CONTROLS + CONTROLS_ALLOWED}

results: dict = {}
for p in sys.argv[1:]:
    results.update(json.loads(Path(p).read_text()))
rows, caught, total = [], 0, 0
per_kind: dict = {}
for fid, r in results.items():
    if fid.startswith("clean"):
        rows.append(f"| {fid} | control | {'FALSE ALARM' if r['failed'] or r['problem'] else 'pass'} | "
                    f"{', '.join(r['failed']) or '-'} | {r['problem'] or ''} |")
        continue
    hit = bool(r["failed"]) and not r["problem"]
    first = next((ln for ls in r["failed"].values() for ln in ls), "")
    checks = ", ".join(t.removeprefix("test_").removesuffix("_is_accounted_for") for t in r["failed"])
    if fid not in BENIGN and not r["problem"]:
        total += 1
        caught += hit
        k = per_kind.setdefault(KIND.get(fid, "?").split("/")[0], [0, 0])
        k[0] += hit
        k[1] += 1
    verdict = "caught" if hit else ("INJECTION PROBLEM" if r["problem"] else "**MISSED**")
    if fid in BENIGN:
        verdict += " (benign: not counted)"
    rows.append(f"| {fid} | {KIND.get(fid, '?')} | {verdict} | {checks or '-'} | "
                f"{(first[:260] + ('...' if len(first) > 260 else '')).replace('|', '/') or r['problem']} |")
print("| fault | kind | result | failing checks | the first line the gate printed |")
print("|---|---|---|---|---|")
print("\n".join(rows))
print(f"\ncaught {caught}/{total}" + (f" ({caught / total:.0%})" if total else ""))
for k, (c, n) in sorted(per_kind.items()):
    print(f"- {k}: {c}/{n}")
