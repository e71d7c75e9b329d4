"""Exploration: deploy, then install tool batches one at a time, printing the gate's lines after each."""
import sys, time, json
from pathlib import Path
sys.path.insert(0, "/work/wt/tooling23/tests/integration")
from test_admin_tooling import gate, root, APP, START  # noqa
from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform

platform, stepsfile = sys.argv[1], sys.argv[2]
steps = json.loads(Path(stepsfile).read_text())
tmp = Path(f"/tmp/t23/run-{platform}-{int(time.time())}"); tmp.mkdir()
cfg, stack = load_config(APP), for_platform(platform)
with Fleet(count=1, name_prefix=f"tooling23-{platform}", image=stack.image, base=stack.base_image,
           progress=lambda m: None, ready_timeout=180) as fleet:
    c = fleet.servers[0].connection()
    boot = pipeline.bootstrap(c, cfg)
    pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
    box = fleet.containers[0]
    print("container", box.name, flush=True)
    root(box, "apt-get update -qq")
    for label, packages, script in steps:
        t = time.time()
        if packages:
            r = box.exec_run(["sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "
                              + packages + " >/tmp/apt.log 2>&1; echo rc=$?; tail -5 /tmp/apt.log"], user="root")
            print(f"== {label}: apt {r.output.decode(errors='replace')[-600:]}", flush=True)
        if script:
            r = box.exec_run(["sh", "-c", script], user="root")
            print(f"== {label}: script rc={r.exit_code} {r.output.decode(errors='replace')[-800:]}", flush=True)
        if '(preseed)' in label:
            continue
        failed = gate(tmp, fleet)
        print(f"== {label}: gate {int(time.time()-t)}s, {sum(len(v) for v in failed.values())} lines", flush=True)
        for name, items in failed.items():
            for ln in items:
                print(f"  [{name.split('[')[0]}] {ln}", flush=True)
    if "--keep" in sys.argv:
        input("kept; press enter")
