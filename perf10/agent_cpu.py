"""CPU of N agent starts (``status``) in a container, as the deployer would run them: the bundle on stdin of
``python3 -I -S -c BOOT status '{"root": ...}'``, via docker exec (the container's cgroup CPU before and after)."""
import subprocess
import sys

from deploytests.pipeline.contract import StatusArgs
from deploytests.pipeline.remote import AGENT_SOURCE, agent_command

name, n = sys.argv[1], int(sys.argv[2])
cmd = agent_command("status", StatusArgs(root="/var/www/yourapplication"))
cid = subprocess.run(["docker", "inspect", "-f", "{{.Id}}", name], capture_output=True, text=True).stdout.strip()


def cpu():
    for p in (f"/sys/fs/cgroup/cpuacct/docker/{cid}/cpuacct.usage",
              f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/cpu.stat"):
        try:
            t = open(p).read()
        except OSError:
            continue
        if p.endswith("cpu.stat"):
            return int(t.split()[1]) / 1e6
        return int(t) / 1e9
    raise SystemExit("no cgroup")


rounds = []
for _r in range(5):
    c0 = cpu()
    for _i in range(n):
        out = subprocess.run(["docker", "exec", "-i", "-u", "deployer", name, "sh", "-c", cmd], input=AGENT_SOURCE,
                             capture_output=True)
        assert out.returncode == 0, out.stderr[-500:]
    rounds.append((cpu() - c0) / n * 1000)
print("ms per status agent (incl. docker exec's sh):", " ".join(f"{x:.1f}" for x in rounds),
      "median %.1f" % sorted(rounds)[2])
