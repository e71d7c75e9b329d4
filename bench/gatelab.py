"""A lab for the read-only gate's cost: deployed containers kept between runs, so two codes can be measured in
turn on the same hosts (each a copy of its commit, on ``PYTHONPATH``), with every verdict's text recorded.

    python bench/gatelab.py up DIR --hosts 8 --faulted 2      # start, bootstrap, deploy; faults on the extra ones
    python bench/gatelab.py measure DIR --repeat 5 [--hosts 8] [--verdicts OUT.json] [--timeline]
    python bench/gatelab.py down DIR                           # remove exactly the lab's containers

``measure`` times what ``bench/run.py --gate-hosts`` times (every host's facts at once, then every check of every
host) on the first ``--hosts`` clean hosts, and prints the wall, the runner's CPU and the containers' (their
cgroups); ``--verdicts`` writes each host's outcome of each promise (passed, not applicable and why, or the
failure's text) for every host of the lab, faulted ones included; ``--timeline`` prints when each host's probe
was sent, answered and parsed, and when the checks ended, on the run's clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# faults that leave the host reachable and the probe whole, each touching another part of what it reads
FAULTED = [
    ["setuid-copy-of-python", "setuid-shell-left-in-var-tmp", "setuid-in-shared", "conf-snippet-by-hand",
     "stock-module-enabled", "program-conf-names-the-tree", "cron-chown-from-above", "app-user-cron",
     "tmpfiles-hands-releases-to-the-app", "sshd-gateway-ports", "stdlib-module-appended", "python-home-pth",
     "venv-file-added", "wsgi-world-writable", "config-edited", "gshadow-readable", "ld-dir-of-the-deploy-login",
     "sysctl-kptr-open", "app-user-process-left", "root-agent-on-open-unix-socket", "unit-runs-app-code-as-root",
     "apt-source-trusted", "sshd-config-writable-by-a-group", "admin-bashrc-of-the-app-user",
     "secret-value-in-apache-conf", "stdlib-bytecode-forged", "library-dir-in-the-linker-cache-only"],
    ["sudo-setuid-bit-removed", "vhost-edited", "releases-world-writable", "python-home-world-writable",
     "run-lock-not-sticky", "sudo-rule-runs-find", "logrotate-takes-app-data"],
]


def _cfg():
    from deploytests.config import load_config
    from deploytests.examples import APPS

    app = APPS / "yourapplication"
    return app, load_config(app)


def up(lab: Path, hosts: int, faulted: int) -> None:
    from deploytests import pipeline
    from deploytests.containers import Fleet, docker_client
    from deploytests.faults.catalogue import FAULTS, render, values_for
    from deploytests.pipeline.fleet import bootstrap_all

    app, cfg = _cfg()
    (lab / "fleet").mkdir(parents=True, exist_ok=True)
    fleet = Fleet(count=hosts + faulted, name_prefix="gatelab", keep=True, workdir=lab / "fleet",
                  progress=lambda m: None, ready_timeout=180.0)
    fleet.start()
    boot = bootstrap_all(fleet.servers, cfg)
    arts = {v: pipeline.pack(app, cfg, python_version=v) for v in boot.python_versions()}
    art = arts[boot.python_version]
    pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, art), step="deploy")
    client, by_id = docker_client(), {f.id: f for f in FAULTS}
    rows = []
    for i, s in enumerate(fleet.servers):
        done: list[str] = []
        if i >= hosts:
            c = client.containers.get(s.container_id)
            live = c.exec_run(["readlink", f"{cfg.root}/current"]).output.decode().strip().split("/")[-1]
            values = values_for(cfg, login=s.user, deploy_user=cfg.deploy_user or s.user, live=live, prev=live,
                                python_version=boot.python_version, artifact=art, stack=s.stack)
            for fid in FAULTED[(i - hosts) % len(FAULTED)]:
                res = c.exec_run(["sh", "-ec", render(by_id[fid], values)], user="root")
                done.append(fid if res.exit_code == 0 else f"{fid} (exit {res.exit_code})")
        rows.append({k: str(getattr(s, k)) if isinstance(getattr(s, k), Path) else getattr(s, k)
                     for k in ("name", "label", "host", "port", "user", "key_filename", "known_hosts", "base_url",
                               "container_id")} | {"faults": done})
    (lab / "servers.json").write_text(json.dumps(rows, indent=1))
    for s in fleet.servers:
        s.close()
    print(json.dumps([[r["label"], r["faults"]] for r in rows], indent=1))


def _servers(lab: Path):
    from deploytests.servers import Server

    rows = json.loads((lab / "servers.json").read_text())
    return [Server(**{k: Path(v) if k in ("key_filename", "known_hosts") else v for k, v in r.items()
                      if k != "faults"}) for r in rows], rows


def measure(lab: Path, repeat: int, hosts: int | None, verdicts: Path | None, timeline: bool) -> dict:
    from deploytests import pipeline
    from deploytests.containers import docker_client
    from deploytests.suite.lab import container_cpu
    from deploytests.verify import facts as factsmod
    from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify

    app, cfg = _cfg()
    servers, rows = _servers(lab)
    clean = [s for s, r in zip(servers, rows, strict=True) if not r["faults"]][:hosts]
    for s in servers:
        s.connection()
    arts = {v: pipeline.pack(app, cfg, python_version=v) for v in {s.stack.python_version for s in servers}}
    client = docker_client()

    def outcome(pid, f, exp):
        try:
            verify(pid, f, exp)
            return "passed"
        except NotApplicable as exc:
            return "n/a: " + str(exc)
        except AssertionError as exc:
            return "FAILED: " + str(exc)

    def check_all(group, all_facts) -> dict:
        out = {}
        for s in group:
            exp = Expected.from_config(cfg, s.user, stack=s.stack, host=s.host, port=s.port, artifact=arts)
            out[s.label] = {p.id: outcome(p.id, all_facts[s.label], exp) for p in PROMISES}
        return out

    def cpu(group) -> float:
        return sum(container_cpu(client, s.container_id) or 0.0 for s in group)

    events: list = []
    if timeline:  # each host's probe: sent, replied, parsed (the runner's clock)
        import threading

        run_programs, read_root, local = factsmod.run_programs, factsmod.read_root, threading.local()

        def timed_programs(server, args, python):
            local.label = server.label
            events.append((time.monotonic(), server.label, "sent"))
            res = run_programs(server, args, python)
            events.append((time.monotonic(), server.label, "replied"))
            return res

        def timed_read_root(res):  # (the same thread as its run_programs)
            out = read_root(res)
            events.append((time.monotonic(), local.label, "decoded"))
            return out

        factsmod.run_programs, factsmod.read_root = timed_programs, timed_read_root

    walls, runner, servers_cpu, failed = [], [], [], []
    for _ in range(repeat):
        events.clear()
        c0, r0, t0 = cpu(clean), time.process_time(), time.monotonic()
        got = factsmod.gather_all(clean, cfg)
        t1 = time.monotonic()
        res = check_all(clean, got)
        walls.append(time.monotonic() - t0)
        runner.append(time.process_time() - r0)
        servers_cpu.append(cpu(clean) - c0)
        failed.append(sum(v.startswith("FAILED") for h in res.values() for v in h.values()))
        if timeline:
            print("  " + "  ".join(f"{e[1].split('-')[-1]}:{e[2][0]}{e[0] - t0:.2f}" for e in sorted(events)))
            print(f"  gathered {t1 - t0:.2f}  checked {walls[-1]:.2f} (checks {t0 + walls[-1] - t1:.2f})")
    fig = {"hosts": len(clean), "repeat": repeat, "wall": statistics.median(walls), "walls": walls,
           "runner_cpu": statistics.median(runner), "server_cpu": statistics.median(servers_cpu),
           "failed": failed, "load": os.getloadavg()[0]}
    if verdicts:
        all_facts = factsmod.gather_all(servers, cfg)
        out = check_all(servers, all_facts)
        verdicts.write_text(json.dumps({r["label"] + (" faulted" if r["faults"] else ""): out[r["label"]]
                                        for r in rows}, indent=1, sort_keys=True))
    for s in servers:
        s.close()
    return fig


def down(lab: Path) -> None:
    _, rows = _servers(lab)
    subprocess.run(["docker", "rm", "-f", *[r["container_id"] for r in rows]], check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("up", "measure", "down"))
    ap.add_argument("lab", type=Path)
    ap.add_argument("--hosts", type=int, default=None)
    ap.add_argument("--faulted", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--verdicts", type=Path, default=None)
    ap.add_argument("--timeline", action="store_true")
    a = ap.parse_args()
    if a.what == "up":
        up(a.lab, a.hosts or 8, a.faulted)
    elif a.what == "down":
        down(a.lab)
    else:
        print(json.dumps(measure(a.lab, a.repeat, a.hosts, a.verdicts, a.timeline)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
