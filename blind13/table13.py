"""blind13: the report's tables from the runs' JSON (the deployer setup's shared-key line, on every host, left out)."""
import json
import sys
from pathlib import Path

HARNESS = "the key of ~deployer/.ssh/authorized_keys:1 logs in as appuser"


def row(name, r):
    if r is None:
        return f"| {name} | not run | |"
    if r["problem"]:
        return f"| {name} | not injected | {r['problem'][:120]} |"
    fails = {t: [x for x in ls if HARNESS not in x] for t, ls in r["failed"].items()}
    fails = {t: ls for t, ls in fails.items() if ls or t != "test_no_one_else_becomes_root"}
    control = name.startswith(("ctl_", "r2_ctl_", "clean", "allowed-states"))
    if not fails:
        return f"| {name} | {'pass' if control else '**missed**'} | |"
    t, ls = next(iter(fails.items()))
    line = (ls[0] if ls else "").replace("|", "\\|").replace("\n", " ")[:230]
    more = f" (+{len(fails) - 1} more)" if len(fails) > 1 else ""
    return f"| {name} | {'**FALSE ALARM**' if control else 'caught'} | `{t}`{more}: {line} |"


for path in sys.argv[1:]:
    data = json.loads(Path(path).read_text())
    print(f"\n{path}\n\n| item | result | gate's first line |\n|---|---|---|")
    for name, r in data.items():
        print(row(name, r))
