# ruff: noqa  (scratch: perf15, run in the container)
"""Where a program's start goes: ``python3 -I -S stubtime.py STDIN N`` (the stub's bytes: the first N of STDIN)."""
import sys, time
t = time.process_time
s0 = t()
src = open(sys.argv[1], "rb").read(int(sys.argv[2]))
code = compile(src, "stub", "exec")
s1 = t()
import binascii, marshal, zlib
import ast
tree = ast.parse(src)
lits = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, bytes) and len(n.value) > 100]
s2 = t()
raw = zlib.decompress(binascii.a2b_base64(lits[0]))
mod = marshal.loads(raw)
s3 = t()
ns = {"__name__": "x"}
exec(mod, ns)
s4 = t()
print("compile stub %.4f  unpack+unmarshal %.4f  module body (imports, regexes) %.4f" % (s1 - s0, s3 - s2, s4 - s3))
