"""(writes13) CPU seconds of the login collector, main's against this branch's, on one deployed lab container with
writes13's control c2 (BASE: the status site, its /docs Alias, a link in a served dir) made: each collector run N
times in turn as the gate's login (appuser), ``time.process_time()`` of its ``collect()`` (user + system CPU of the
process), median and range printed. python writes13/cpu13.py MAIN_COLLECT_LOGIN_PY [N]."""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

from faults13 import ALL

MEASURE = ("import sys, time; sys.path.insert(0, '/tmp/{d}'); import collect_login as c; t = time.process_time(); "
           "c.collect({{'app': 'yourapplication', 'app_user': 'yourapplication', 'deploy_user': 'deployer'}}); "
           "print(time.process_time() - t)")
main_py, n = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 7
cfg = load_config(APPS / "yourapplication")
fault = next(f for f in ALL if f.id.startswith("c2"))
camp = Campaign(APPS / "yourapplication", cfg, faults=[fault], clean=0, batch=2, progress=print,
                stack=for_platform("debian12"))
tag = camp.snapshot()
try:
    with Fleet(count=1, name_prefix="w13cpu", image_tag=tag, progress=lambda m: None) as fleet:
        container = fleet.containers[0]
        values = {"root": cfg.root, "app_user": cfg.app_user}
        print("inject", container.exec_run(["sh", "-c", fault.command.format(**values)], user="root").exit_code)
        for d, src in (("main", main_py), ("branch", Path("deploytests/verify/collect_login.py"))):
            container.exec_run(["mkdir", "-p", f"/tmp/{d}"], user="root")
            container.exec_run(["sh", "-c", f"cat > /tmp/{d}/collect_login.py && chmod 755 /tmp/{d} && chmod 644 "
                                f"/tmp/{d}/collect_login.py"], user="root", stdin=False, socket=False)
            import io
            import tarfile
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as tar:
                tar.add(src, arcname="collect_login.py")
            container.put_archive(f"/tmp/{d}", buf.getvalue())
        found = {"main": [], "branch": []}
        for _ in range(n):
            for d in found:
                res = container.exec_run(["python3", "-I", "-S", "-c", MEASURE.format(d=d)], user="appuser",
                                         workdir="/tmp")
                found[d].append(float(res.output.decode().strip().splitlines()[-1]))
        for d, xs in found.items():
            print(f"{d}: median {statistics.median(xs):.3f} s CPU (min {min(xs):.3f}, max {max(xs):.3f}, n={n})")
finally:
    camp.client.images.remove(camp.image.id, force=True)
