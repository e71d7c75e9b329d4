"""CPU seconds of one agent start on a container (status of the lab's tree, and a deploy refused at once for a
missing artifact size, i.e. the imports and argument parsing of the deploy path), median of N runs:
    python perf9/agent_cpu.py CONTAINER [N]
Builds the agent from this tree (deploytests.pipeline.remote.AGENT_SOURCE) and runs it with docker exec as the
deploy login; CPU from the child's rusage inside the container."""
import json
import statistics
import subprocess
import sys

from deploytests.pipeline.contract import StatusArgs
from deploytests.pipeline.remote import AGENT_SOURCE, agent_command

container, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
subprocess.run(["docker", "exec", "-i", container, "sh", "-c", "cat > /tmp/agent.bin"], input=AGENT_SOURCE, check=True)
cmd = agent_command("status", StatusArgs(root="/var/www/yourapplication"))
subprocess.run(["docker", "exec", "-i", container, "sh", "-c", "cat > /tmp/agent.cmd"], input=cmd.encode(), check=True)
probe = r'''
import resource, subprocess, sys, json
cmd = open("/tmp/agent.cmd").read()
out = []
for _ in range(int(sys.argv[1])):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(["su", "deployer", "-s", "/bin/sh", "-c", cmd], stdin=open("/tmp/agent.bin", "rb"),
                       capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    assert b'"result"' in r.stdout, r.stdout[-500:] + r.stderr[-500:]
print(json.dumps(out))
'''
res = subprocess.run(["docker", "exec", container, "python3", "-c", probe, str(n)], capture_output=True, text=True)
if res.returncode:
    sys.exit(res.stderr[-2000:])
cpu = json.loads(res.stdout)
print(f"agent status (incl. su): median {statistics.median(cpu)*1e3:.1f} ms, min {min(cpu)*1e3:.1f}, "
      f"max {max(cpu)*1e3:.1f} over {n}; {len(AGENT_SOURCE)} bytes sent")
