"""Exploration helper: the allowances file with every pinned entry the gate's lines (stdin) name added."""
import re
import sys
from pathlib import Path

keys: dict[str, list[str]] = {}
old = Path(sys.argv[1]).read_text() if len(sys.argv) > 1 else ""
for key, entries in re.findall(r"^(allow_\w+) = \[(.*)\]$", old, re.M):
    keys.setdefault(key, []).append(entries)
for line in sys.stdin:
    for m in re.finditer(r"allow it: (allow_\w+) = \[(.*?)\] in ", line):
        keys.setdefault(m.group(1), []).append(m.group(2))
    m = re.search(r", with what it serves: allow_sites = \[(.*)\]$", line)
    if m:
        keys.setdefault("allow_sites", []).append(m.group(1))
print("".join(f"{k} = [{', '.join(dict.fromkeys(v))}]\n" for k, v in keys.items()), end="")
