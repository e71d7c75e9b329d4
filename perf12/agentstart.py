import resource
import statistics
import subprocess
import sys


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


labels = sys.argv[1:]
res = {k: [] for k in labels}
for _ in range(40):
    for k in labels:
        data = open("/tmp/agent-%s.bin" % k, "rb").read()
        boot = "import sys;exec(compile(sys.stdin.buffer.read(%d),'deploytests-agent','exec'))" % len(data)
        c = cpu()
        p = subprocess.run(["python3", "-I", "-S", "-c", boot, "nosuch", "{}"], input=data, capture_output=True)
        res[k].append(cpu() - c)
print({k: round(statistics.median(v) * 1000, 2) for k, v in res.items()}, p.stdout[:100])
