# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""In the container: a program's reply (``collect`` or the reader's ``gather``) as JSON, for comparing versions."""
import json
import sys

ns = {"__name__": "dump"}
exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"), ns)
out = ns[sys.argv[2]](json.loads(sys.argv[3]), *sys.argv[5:])
open(sys.argv[4], "w").write(json.dumps(out, sort_keys=True, ensure_ascii=False, indent=0))
