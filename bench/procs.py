"""CPU seconds of a run's containers by process kind: which programs in the servers used the cores.

    python bench/procs.py [--interval 0.02] -- python -m pytest deploytests/suite -q -p no:cacheprovider

Runs the command and, while it runs, samples ``/proc`` of this machine every ``--interval`` seconds: every process
in a Docker container (its ``cpuacct`` cgroup is ``/docker/<id>``) whose container was started by the command
(the containers' ``deploytests.pid`` and ``deploytests.pidstart`` labels name the process that started them: the
command's own process, so a run of other code on the same engine is not counted, nor one in another pid namespace
whose pid is the same). For each process the last ``utime + stime`` seen is
kept, and its kind read from its command line and user: the mod_wsgi daemons (Apache's processes running as
the app's user), Apache's parent and workers, sshd, the deploy agent (the program sent on stdin), the release
check (the preflight program in a release's venv), the post-deploy command, bootstrap's root agent, the
snapshot's and probes' programs, the rest by name. A process's last slice after its last sample is missed (at
20 ms, ~10 % of the containers' CPU: the table shows the cgroups' own totals beside the sum). The engine must
be on this machine (``/proc`` shows the containers' processes) with cgroup v1's ``cpuacct`` or v2.

Figures only, for docs/performance.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PID_LABEL, START_LABEL = "deploytests.pid", "deploytests.pidstart"


def container_of(pid: str) -> str | None:
    """The container id of ``pid`` (its cgroup under ``/docker/``), or None."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            for line in f:
                match = re.search(r"/docker[/-]([0-9a-f]{64})", line)
                if match:
                    return match.group(1)
    except OSError:
        pass
    return None


def read(path: str) -> str:
    with open(path, "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace")


def kind(comm: str, cmd: str, uid: int | None) -> str:
    """The process's kind for the table."""
    if comm == "apache2" or cmd.startswith(("/usr/sbin/apache2", "(wsgi:")):
        return "mod_wsgi daemons (app user)" if uid not in (0, 33) else \
            "apache2 parent" if uid == 0 else "apache2 workers (www-data)"
    if comm.startswith("sshd") or cmd.startswith("sshd"):
        return "sshd (logins, channels, encryption)"
    if "deploytests-agent" in cmd:
        return ("root agent (bootstrap) and root programs" if cmd.startswith(("sudo", "/usr/bin/python3"))
                else "deploy agent (deploy, rollback, status)")
    if "/venv/bin/python" in cmd:
        return ("release check (preflight: import, in-process GET)" if '-c """The head' in cmd
                else "post-deploy command (in the release's venv)")
    if "python" in comm or "python" in cmd.split(" ")[0]:
        return "other python: " + re.sub(r"\s+", " ", cmd)[:60]
    return comm


class Sampler(threading.Thread):
    """Samples ``/proc`` until :meth:`stop`; ``procs`` keeps per (pid, start) its last CPU, kind and container."""

    def __init__(self, interval: float):
        super().__init__(daemon=True)
        self.interval, self.done = interval, threading.Event()
        self.procs: dict[tuple[str, str], dict | None] = {}
        self.owners: dict[str, str] = {}  # container id -> the pid that started it (its label), "" unknown
        self.usage: dict[str, float] = {}  # container id -> its cgroup's CPU seconds, last seen
        self.starts: dict[int, str | None] = {}  # the commands' pids -> their start times (track())

    def track(self, pid: int) -> None:
        """Note the start time of ``pid`` (the command just started) while it runs: :meth:`table` needs it after
        it ended."""
        from deploytests.containers.sweep import process_start

        self.starts[pid] = process_start(pid)

    def owner(self, cid: str) -> str:
        """``pid:start`` of the process that started container ``cid`` (its labels): a pid alone is not enough,
        other sessions on the same engine have their own pid namespaces, and one of them had this run's pid."""
        if cid not in self.owners:
            out = subprocess.run(["docker", "inspect", "-f", '{{index .Config.Labels "%s"}}:{{index .Config.Labels '
                                  '"%s"}}' % (PID_LABEL, START_LABEL), cid], capture_output=True, text=True, timeout=10)
            self.owners[cid] = out.stdout.strip()
            for path in (f"/sys/fs/cgroup/cpuacct/docker/{cid}/cpuacct.usage",
                         f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/cpu.stat"):
                if os.path.exists(path):
                    self.owners[cid + ":usage"] = path
        return self.owners[cid]

    def cgroup_usage(self, cid: str) -> None:
        path = self.owners.get(cid + ":usage")
        try:
            text = read(path) if path else ""
        except OSError:
            return
        if path and path.endswith("cpuacct.usage"):
            self.usage[cid] = int(text) / 1e9
        elif path:
            self.usage[cid] = int(text.split("usage_usec ")[1].split()[0]) / 1e6

    def sample(self) -> None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = read(f"/proc/{pid}/stat")
                comm = stat[stat.find("(") + 1:stat.rfind(")")]
                fields = stat[stat.rfind(")") + 2:].split()
                key, cpu = (pid, fields[19]), (int(fields[11]) + int(fields[12])) / TICK
                entry = self.procs.get(key, {})
                if entry is None:
                    continue
                if not entry:
                    cid = container_of(pid)
                    if cid is None:
                        self.procs[key] = None
                        continue
                    entry = self.procs[key] = {"container": cid, "comm": "", "kind": comm}
                entry["cpu"] = cpu
                # new, or it exec'd, or Apache's child not yet a daemon (forked as root, then it drops to the
                # app's user): its kind from what it runs now
                if entry["comm"] != comm or entry["kind"] == "apache2 parent":
                    uid = next((int(ln.split()[1]) for ln in read(f"/proc/{pid}/status").splitlines()
                                if ln.startswith("Uid:")), None)
                    entry.update(comm=comm, kind=kind(comm, read(f"/proc/{pid}/cmdline")[:300], uid))
            except (OSError, ValueError, IndexError):
                continue
        for cid in {e["container"] for e in self.procs.values() if e}:
            self.owner(cid)
            self.cgroup_usage(cid)

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.interval)

    def stop(self) -> None:
        self.done.set()
        self.join()

    def table(self, owner_pid: int) -> dict:
        """CPU seconds by kind (and process count) of the containers ``owner_pid`` started."""
        from deploytests.containers.sweep import process_start

        me = f"{owner_pid}:{self.starts.get(owner_pid) or process_start(owner_pid)}"  # see track()
        mine = {cid for cid, owner in self.owners.items() if ":usage" not in cid and owner == me}
        cpu: dict[str, float] = collections.defaultdict(float)
        count: dict[str, int] = collections.Counter()
        per: dict[str, dict[str, float]] = collections.defaultdict(lambda: collections.defaultdict(float))
        for entry in self.procs.values():
            if entry and entry["container"] in mine:
                cpu[entry["kind"]] += entry["cpu"]
                count[entry["kind"]] += 1
                per[entry["container"]][entry["kind"]] += entry["cpu"]
        return {"containers": len(mine), "cgroups": sum(self.usage.get(c, 0.0) for c in mine),
                "kinds": {k: {"cpu": round(v, 2), "processes": count[k]} for k, v in
                          sorted(cpu.items(), key=lambda kv: -kv[1])},
                "per_container": {c: {"cgroup": round(self.usage.get(c, 0.0), 3),
                                      "kinds": {k: round(v, 3) for k, v in kinds.items()}}
                                  for c, kinds in per.items()}}


def print_table(data: dict) -> None:
    seen = sum(k["cpu"] for k in data["kinds"].values())
    print(f"\nCPU in the run's {data['containers']} containers by process kind (sampled; the cgroups' totals "
          f"{data['cgroups']:.2f}s, the processes seen {seen:.2f}s)")
    for name, k in data["kinds"].items():
        if k["cpu"] >= 0.05:
            print(f"  {k['cpu']:7.2f}s  {k['processes']:4d} process(es)  {name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--interval", type=float, default=0.02, help="seconds between samples (default 0.02)")
    ap.add_argument("--json", type=Path, help="also write the table as JSON here")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- the command to run")
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("give the command to run after --")
    sampler = Sampler(args.interval)
    sampler.start()
    proc = subprocess.Popen(command)
    sampler.track(proc.pid)
    code = proc.wait()
    sampler.stop()
    data = sampler.table(proc.pid)
    print_table(data)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1))
    sys.exit(code)


if __name__ == "__main__":
    main()
