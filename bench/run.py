"""Benchmark of the default workload, printed as a table and written as JSON.

Workload (the README's main job, non-destructive part): start N containers, bootstrap, pack, deploy v1, run
the verification suite (``-m "not deploytests_destructive"``), tear down — one whole ``pytest`` process, timed from
outside (wall clock of the process) and broken down per step from the plugin's own timings
(``$DEPLOYTESTS_TIMINGS_JSON``). For each N: one cold run (images, base image and wheel caches removed first)
when ``--cold`` is given, then ``--warm`` warm runs (median, min, max). In the same invocation it runs the
straightforward baseline (``bench/baseline.py``: hosts one after another, a fresh ``ssh`` per command) and
prints our time as a ratio of it. Figures only: nothing here asserts a time.

    python bench/run.py                      # N = 1 2 4 8, 3 warm runs each, baseline for N = 1 2 4 8
    python bench/run.py --hosts 1 8 --warm 5 --cold --baseline-hosts 1
    python bench/run.py --main-job 5         # the main job (every scenario), 5 warm runs, beside the floor

``--main-job`` times the README's main job itself, ``pytest deploytests/suite`` with every scenario (2
containers), and prints where its time went (the plugin's steps, the lifecycle scenarios' wall time and phases)
beside the same run's non-destructive workload on 2 hosts, the straightforward baseline on 2 hosts, and the
prototype's figures for the same cycle on this kind of machine (``PROTOTYPE``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["engine", "images", "container start", "ssh ready", "pack", "bootstrap", "deploy", "verify", "teardown"]
# A throwaway prototype's whole cycle (fresh container -> SSH -> upload -> venv install -> vhost -> first 200 ->
# redeploy -> 21 checks -> removed), measured on a 2-core Debian 12 machine: wall seconds per host count. "tuned":
# the same tools with the known fixes; "floor": wheels unzipped instead of pip, checks as one shell script.
# Molecule (Docker driver, same work): 81 s for 1 host, 146 s for 4.
PROTOTYPE = {"tuned": {1: 3.0, 4: 6.6, 8: 11.0}, "floor": {1: 2.1, 4: 3.8, 8: 8.3}, "molecule": {1: 81.0, 4: 146.0}}


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    docker = subprocess.run(["docker", "version", "-f", "{{.Server.Version}}"], capture_output=True,
                            text=True).stdout.strip()
    return (f"{platform.platform()}, {cpus} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"dockerd {docker}")


def make_cold() -> None:
    """Remove what a warm run reuses: server images, the base image, the wheel and app-build caches."""
    import docker

    client = docker.from_env()
    for image in client.api.images():  # one listing (the SDK's images.list fails on an image removed meanwhile)
        tags = image.get("RepoTags") or []
        if any(t.startswith(("deploytests/", "debian:bookworm-slim")) for t in tags):
            for tag in tags:
                try:
                    client.images.remove(tag, force=True)
                except docker.errors.NotFound:
                    continue  # removed by another run meanwhile
    client.images.prune(filters={"dangling": True})
    from deploytests.pipeline.artifact import default_cache_dir

    cache = default_cache_dir()
    shutil.rmtree(cache, ignore_errors=True)


def pytest_run(n: int) -> dict:
    """One whole pytest process of the workload; returns wall time and per-step seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        env = dict(os.environ, DEPLOYTESTS_TIMINGS_JSON=str(out))
        # only our plugin: unrelated plugins installed on the machine (hypothesis: ~1 s) are not ours to time
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        cmd = [sys.executable, "-m", "pytest", "deploytests/suite", "-q", "-p", "no:cacheprovider",
               "-p", "deploytests.plugin",
               "-m", "not deploytests_destructive", "--containers", str(n),  # the gate + the read-only suite
               "--basetemp", str(Path(tmp) / "basetemp")]  # (see main_job_run)
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"bench: workload failed for N={n} (exit {proc.returncode}):\n{proc.stdout[-3000:]}")
        data = json.loads(out.read_text())
    steps = {k: v for k, v in data["run"].items()}
    for host_steps in data["hosts"].values():  # hosts run in parallel: the slowest host is the step's cost
        for k, v in host_steps.items():
            steps[k] = max(steps.get(k, 0.0), v) if k != "verify" else steps.get(k, 0.0) + v
    tests = proc.stdout.strip().splitlines()[-1]
    return {"wall": wall, "steps": steps, "tests": tests}


def main_job_run(sample: bool = False) -> dict:
    """One whole ``pytest deploytests/suite`` (every scenario, 2 containers): wall time, the plugin's steps and
    the lifecycle scenarios' figures (``$DEPLOYTESTS_TIMINGS_JSON`` and its ``-lifecycle.json`` sibling).

    ``sample``: also split the containers' CPU by process kind (bench/procs.py's sampler, every 20 ms). Never in a
    timed run: the sampler reads every process of the machine 50 times a second and asks the engine about every
    new container, ~0.1 core of this machine's 2 (1.8 CPU s in 15 s with ~300 processes, at load 16): CPU the
    main job's containers then share the cores with, and wall time that is not the main job's. ``own_cpu``: this
    process's CPU during the run (the sampler's, with its ``docker inspect`` children)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        env = dict(os.environ, DEPLOYTESTS_TIMINGS_JSON=str(out), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        # byte-code written and reused, as a user's run and CI's do: a shell with PYTHONDONTWRITEBYTECODE set (some
        # sandboxes set it) makes every pytest process, the host-key scenario's second one too, compile the package
        # and rewrite the suite's asserts again: ~1.2 s more of the runner's CPU per run
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # a temp root of its own: at its end pytest deletes the oldest numbered temp dirs of every pytest run of
        # this user (/tmp/pytest-of-<user>, all but the newest 3): on a machine shared with other test sessions
        # that was their hundreds of MB, 13-26 s of this run's wall in 8 of 18 runs, none of it the main job's work
        cmd = [sys.executable, "-m", "pytest", "deploytests/suite", "-q", "-p", "no:cacheprovider",
               "-p", "deploytests.plugin", "--basetemp", str(Path(tmp) / "basetemp")]
        sampler = None
        if sample and Path("/proc/self/cgroup").exists():  # the containers' CPU by process kind (bench/procs.py)
            from procs import Sampler

            sampler = Sampler(0.02)
            sampler.start()
        started, own = time.monotonic(), os.times()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if sampler is not None:
            sampler.track(proc.pid)
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # the runner's CPU with its start-up and collection
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        kinds = None
        if sampler is not None:
            sampler.stop()
            kinds = sampler.table(proc.pid)
        now = os.times()  # this process and its children but the main job (wait4 added its usage to them)
        own_cpu = (now.user + now.system - own.user - own.system + now.children_user + now.children_system
                   - own.children_user - own.children_system - usage.ru_utime - usage.ru_stime)
        if proc.returncode != 0:
            kept = Path(tempfile.mkstemp(prefix="bench-main-job-", suffix=".txt")[1])
            kept.write_text(stdout)
            raise SystemExit(f"bench: the main job failed (exit {proc.returncode}; its whole output: {kept}):\n"
                             f"{stdout[-3000:]}")
        data = json.loads(out.read_text())
        lifecycle = json.loads(out.with_name(f"{out.stem}-lifecycle.json").read_text())
    return {"wall": wall, "run": data["run"], "lifecycle": lifecycle, "tests": stdout.strip().splitlines()[-1],
            "kinds": kinds, "runner_process_cpu": usage.ru_utime + usage.ru_stime, "own_cpu": own_cpu}


def print_main_job(runs: list[dict], workload: dict, baseline: dict | None, sampled: dict | None = None) -> None:
    walls = sorted(r["wall"] for r in runs)
    median = statistics.median(walls)
    life = [r["lifecycle"] for r in runs]
    print(f"\nmain job: pytest deploytests/suite, every scenario, 2 containers ({runs[-1]['tests']})")
    print(f"  warm wall: median {median:.2f}s, min {walls[0]:.2f}s, max {walls[-1]:.2f}s over {len(walls)} run(s)")
    steps = {k: statistics.median(r["run"].get(k, 0.0) for r in runs) for k in runs[-1]["run"]}
    print("  session steps (median): " + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()))
    print(f"  lifecycle (median): {statistics.median(x['wall'] for x in life):.2f}s wall for "
          f"{life[-1]['scenarios']} scenarios, up to {life[-1]['workers']} at once; summed: "
          + ", ".join(f"{p} {statistics.median(x['summed'][p] for x in life):.2f}s" for p in life[-1]["summed"])
          + (f"; CPU in their containers {statistics.median(x['cpu'] for x in life):.2f}s"
             if all(x.get("cpu") is not None for x in life) else ""))
    if all("run_wall" in x for x in life):
        print(f"  where the wall went (median): scenarios {statistics.median(x['wall'] for x in life):.2f}s, the "
              f"rest (before the first scenario started, after the last ended; the session's deploy and checks "
              f"run beside the scenarios) "
              f"{statistics.median(x['run_wall'] - x['wall'] for x in life):.2f}s"
              + (f" (before {statistics.median(x['head'] for x in life):.2f}s)" if all("head" in x for x in life)
                 else "") + "; load average at the end "
              + ", ".join(f"{x['load']:.1f}" for x in life))
    if all(x.get("runner_cpu") is not None and x.get("session_cpu") is not None and x.get("cpu") is not None
           for x in life):
        whose = {"scenarios' containers": "cpu", "session's containers": "session_cpu", "runner": "runner_cpu"}
        total = statistics.median(sum(x[k] for k in whose.values()) for x in life)
        print("  CPU seconds (median): " + ", ".join(f"{name} {statistics.median(x[k] for x in life):.2f}s"
                                                   for name, k in whose.items())
              + f"; {total:.2f}s in all = at least {total / (os.cpu_count() or 1):.2f}s of wall on "
                f"{os.cpu_count()} cores (the engine's own work not counted)")
    print("  the runner's process from its start (pytest's start-up, plugins, collection, the children it waited "
          "for): " + ", ".join(f"{r['runner_process_cpu']:.2f}s" for r in runs))
    print("  the bench's own CPU during each timed run (nothing sampled): "
          + ", ".join(f"{r['own_cpu']:.2f}s" for r in runs))
    if sampled and sampled.get("kinds") and sampled["kinds"]["containers"]:
        k = sampled["kinds"]
        print(f"  one more run, sampled every 20 ms (bench/procs.py; not timed: the sampler's own CPU "
              f"{sampled['own_cpu']:.2f}s, the run's wall {sampled['wall']:.2f}s): CPU seconds in its containers by "
              "process kind: " + ", ".join(f"{name} {v['cpu']:.2f}s" for name, v in k["kinds"].items()
                                           if v["cpu"] >= 0.3)
              + f"; the containers' cgroups {k['cgroups']:.2f}s")
        print_scenario_kinds(sampled)
    print(f"  same run: non-destructive workload, 2 hosts: {workload['wall']:.2f}s"
          + (f"; straightforward baseline, 2 hosts: {baseline['wall']:.1f}s" if baseline else ""))
    p = PROTOTYPE
    print(f"  prototype (1 host, whole cycle incl. redeploy and 21 checks): tuned {p['tuned'][1]}s, floor "
          f"{p['floor'][1]}s; 4 hosts: tuned {p['tuned'][4]}s, floor {p['floor'][4]}s; Molecule {p['molecule'][1]}s "
          f"(1 host), {p['molecule'][4]}s (4)")


def print_scenario_kinds(run: dict) -> None:
    """The last run's containers, each scenario's and the session's: its cgroup's CPU seconds, then by process kind
    (bench/procs.py's samples: a process's last slice is missed, so the kinds sum to less than the cgroup)."""
    per = run["kinds"].get("per_container", {})
    names = {v.get("id", ""): name for name, v in run["lifecycle"].get("runs", {}).items()}
    print("  CPU seconds per container of the last run (cgroup; by process kind, sampled):")
    for cid, data in sorted(per.items(), key=lambda kv: -kv[1]["cgroup"]):
        kinds = ", ".join(f"{k.split(' (')[0]} {v:.2f}" for k, v in sorted(data["kinds"].items(), key=lambda kv: -kv[1])
                          if v >= 0.02)
        print(f"    {data['cgroup']:5.2f}s {names.get(cid, 'a session container')[:90]}: {kinds}")


def gate_run(n: int, repeat: int = 5) -> dict:
    """The read-only gate alone: N containers deployed once, then every promise check of every host (one fact
    probe per host, all hosts at once, and the pure checks), ``repeat`` times; and the same one host after
    another, for comparison. Seconds: median of the repeats; the CPU seconds of the concurrent run: the runner's
    process (``process_time``) and the containers' (their cgroups: the probes on the servers, sshd included),
    steadier than the wall on a shared machine."""
    from deploytests import pipeline
    from deploytests.config import load_config
    from deploytests.containers import Fleet
    from deploytests.examples import APPS
    from deploytests.pipeline.fleet import bootstrap_all
    from deploytests.verify.facts import gather, gather_all
    from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify

    app = APPS / "yourapplication"
    cfg = load_config(app)
    with Fleet(count=n, name_prefix="gate", progress=lambda m: None) as fleet:
        boot = bootstrap_all(fleet.servers, cfg)
        arts = {v: pipeline.pack(app, cfg, python_version=v) for v in boot.python_versions()}
        art = arts[boot.python_version]
        pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, art), step="deploy")
        for s in fleet.servers:
            s.connection()  # the gate runs on open connections (the session opened them)

        def check_all(all_facts) -> int:
            failed = 0
            for s in fleet.servers:
                exp = Expected.from_config(cfg, s.user, stack=s.stack, host=s.host, port=s.port, artifact=arts)
                for p in PROMISES:
                    try:
                        verify(p.id, all_facts[s.label], exp)
                    except NotApplicable:
                        pass
                    except AssertionError:
                        failed += 1
            return failed

        from deploytests.containers import docker_client
        from deploytests.suite.lab import container_cpu

        client = docker_client()

        def servers_cpu() -> float:  # the containers' CPU so far (cgroups): the probes' server side
            return sum(container_cpu(client, s.container_id) or 0.0 for s in fleet.servers)

        concurrent, sequential, probe, failed, runner_cpu, server_cpu = [], [], [], 0, [], []
        for _ in range(repeat):
            c0, r0, t0 = servers_cpu(), time.process_time(), time.monotonic()
            facts = gather_all(fleet.servers, cfg)
            failed += check_all(facts)
            concurrent.append(time.monotonic() - t0)
            runner_cpu.append(time.process_time() - r0)
            server_cpu.append(servers_cpu() - c0)
            probe.append(statistics.median(f.remote.get("seconds", 0.0) for f in facts.values()))
            t0 = time.monotonic()
            facts = {s.label: gather(s, cfg) for s in fleet.servers}
            failed += check_all(facts)
            sequential.append(time.monotonic() - t0)
    return {"hosts": n, "checks": len(PROMISES), "concurrent": statistics.median(concurrent),
            "runner_cpu": statistics.median(runner_cpu), "server_cpu": statistics.median(server_cpu),
            "sequential": statistics.median(sequential), "probe": statistics.median(probe), "failed": failed,
            "load": os.getloadavg()[0]}


def baseline_run(n: int) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    import baseline

    started = time.monotonic()
    steps = baseline.run(n)
    return {"wall": time.monotonic() - started, "steps": steps}


def summarize(runs: list[dict]) -> dict:
    walls = [r["wall"] for r in runs]
    steps = {k: statistics.median(r["steps"].get(k, 0.0) for r in runs) for k in STEPS}
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "runs": len(runs),
            "steps": steps}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--warm", type=int, default=3, help="warm runs per N (default 3)")
    ap.add_argument("--cold", action="store_true", help="one cold run first (removes images and caches)")
    ap.add_argument("--baseline-hosts", type=int, nargs="*", default=None,
                    help="N values for the baseline (default: same as --hosts; none to skip)")
    ap.add_argument("--json", type=Path, default=None,
                    help="where to write the figures (default: bench/results.json; with --main-job: none)")
    ap.add_argument("--gate-hosts", type=int, nargs="*", default=None,
                    help="N values for the read-only gate alone (e.g. 1 8); alone, skips the workload")
    ap.add_argument("--gate-repeat", type=int, default=5, help="repeats of each gate measurement (default 5)")
    ap.add_argument("--main-job", type=int, default=0, metavar="RUNS",
                    help="time the main job (every scenario) RUNS times warm; alone, skips the workload table")
    ap.add_argument("--kinds", action=argparse.BooleanOptionalAction, default=True,
                    help="with --main-job: one more run, not timed, whose containers' CPU is split by process kind")
    args = ap.parse_args()
    if args.main_job:
        print(f"machine: {machine()}", flush=True)
        main_job_run()  # prime
        runs = []
        for i in range(args.main_job):
            load = os.getloadavg()[0]
            runs.append(main_job_run())
            life = runs[-1]["lifecycle"]
            cpu = [runs[-1]["runner_process_cpu"], life.get("session_cpu"), life.get("cpu")]
            print(f"  main job run {i + 1}: {runs[-1]['wall']:.2f}s, load average {load:.1f} -> "
                  f"{os.getloadavg()[0]:.1f}; CPU " + (f"{sum(cpu):.1f}s (runner process {cpu[0]:.1f}, session's "
                                                       f"containers {cpu[1]:.1f}, scenarios' {cpu[2]:.1f})"
                                                       if None not in cpu else "unknown"), flush=True)
        sampled = None
        if args.kinds:
            try:
                sampled = main_job_run(sample=True)
            except SystemExit as exc:  # untimed: the timed runs' summary still prints
                print(f"  the run sampled for the split by kind failed; no split: {str(exc).splitlines()[0]}",
                      flush=True)
        workload = pytest_run(2)
        baseline = baseline_run(2) if args.baseline_hosts != [] else None
        print_main_job(runs, workload, baseline, sampled)
        if args.json:
            args.json.write_text(json.dumps({"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"),
                                             "main_job": runs, "sampled": sampled, "workload": workload,
                                             "baseline": baseline}, indent=1))
            print(f"\nJSON: {args.json}")
        return 0
    if args.gate_hosts:
        print(f"machine: {machine()}", flush=True)
        print("read-only gate: every promise check of every host (seconds, median of "
              f"{args.gate_repeat})\n{'hosts':>5} {'checks/host':>11} {'concurrent':>10} {'one by one':>10} "
              f"{'probe/host':>10} {'failed':>6} {'load':>5} {'cpu runner':>10} {'cpu servers':>11}")
        for n in args.gate_hosts:
            g = gate_run(n, args.gate_repeat)
            print(f"{n:>5} {g['checks']:>11} {g['concurrent']:>10.2f} {g['sequential']:>10.2f} {g['probe']:>10.2f} "
                  f"{g['failed']:>6} {g['load']:>5.1f} {g['runner_cpu']:>10.2f} {g['server_cpu']:>11.2f}", flush=True)
        return 0
    base_hosts = args.hosts if args.baseline_hosts is None else args.baseline_hosts
    result = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), "cold": None, "warm": {},
              "baseline": {}}
    print(f"machine: {result['machine']}", flush=True)
    if args.cold:
        make_cold()
        n = args.hosts[0]
        print(f"cold run, N={n} (base image, server image, wheel cache all rebuilt) ...", flush=True)
        cold = pytest_run(n)
        result["cold"] = {"hosts": n, **cold}
        print(f"  cold: {cold['wall']:.1f}s  ({cold['tests']})", flush=True)
    for n in args.hosts:
        pytest_run(n)  # prime: the first run after a change to N may pay for image/wheel checks
        runs = [pytest_run(n) for _ in range(args.warm)]
        result["warm"][n] = summarize(runs)
        print(f"  warm N={n}: median {result['warm'][n]['median']:.2f}s ({runs[-1]['tests']})", flush=True)
    for n in base_hosts:
        result["baseline"][n] = baseline_run(n)
        print(f"  baseline N={n}: {result['baseline'][n]['wall']:.1f}s", flush=True)
    out = args.json or ROOT / "bench" / "results.json"
    out.write_text(json.dumps(result, indent=1))
    print_table(result)
    print(f"\nJSON: {out}")
    return 0


def print_table(result: dict) -> None:
    warm, base = result["warm"], result["baseline"]
    print("\nwarm default workload, whole pytest process (seconds)")
    print(f"{'hosts':>5} {'median':>7} {'min':>6} {'max':>6} {'baseline':>9} {'ratio':>6}  "
          + " ".join(f"{s:>9}" for s in STEPS))
    for n, w in warm.items():
        b = base.get(n)
        ratio = f"{w['median'] / b['wall']:.2f}" if b else "-"
        bl = f"{b['wall']:.1f}" if b else "-"
        print(f"{n:>5} {w['median']:>7.2f} {w['min']:>6.2f} {w['max']:>6.2f} {bl:>9} {ratio:>6}  "
              + " ".join(f"{w['steps'][s]:>9.2f}" for s in STEPS))
    ns = list(warm)
    if len(ns) > 1:
        print(f"scaling: {ns[-1]} hosts = {warm[ns[-1]]['median'] / warm[ns[0]]['median']:.2f}x the time of "
              f"{ns[0]} host(s)")
    if result["cold"]:
        c = result["cold"]
        print(f"cold ({c['hosts']} host, base + images + caches rebuilt): {c['wall']:.1f}s; "
              + ", ".join(f"{k} {v:.1f}s" for k, v in c["steps"].items() if v >= 0.05))
    print("(verify = sum over hosts of the suite's test time; other host steps = the slowest host)")


if __name__ == "__main__":
    sys.exit(main())
