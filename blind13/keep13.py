"""blind13: N kept containers of one deployed snapshot, for trying members by hand.

usage: keep13.py PLATFORM N OUTDIR   (BLIND_DEPLOYER=1: deploys as the login without sudo)
Writes OUTDIR/targets.toml (target `k`, the hosts by name h1..hN) and OUTDIR/hosts.json (container ids), and
OUTDIR/gate.sh HOST...: the read-only gate on the named hosts. Remove with OUTDIR/rm.sh.
"""
import json
import sys
from pathlib import Path

from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform

sys.path.insert(0, str(Path(__file__).parent))
from common13 import C, app_path  # noqa: E402

platform, n, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]).resolve()
out.mkdir(parents=True, exist_ok=True)
app = app_path()
cfg = load_config(app)
camp = C(app, cfg, faults=[], clean=0, batch=2, stack=for_platform(platform))
tag = camp.snapshot()
fleet = Fleet(count=n, name_prefix="b13k", image_tag=tag, keep=True, progress=lambda m: None)
fleet.__enter__()
hosts = []
for i, (s, c) in enumerate(zip(fleet.servers, fleet.containers, strict=True), 1):
    hosts.append({"name": f"h{i}", "id": c.id, "addr": f"{s.user}@{s.host}:{s.port}", "base_url": s.base_url})
(out / "hosts.json").write_text(json.dumps({"image": camp.image.id, "app": str(app), "hosts": hosts,
                                            "values": camp.values}, indent=1))
cfgline = f'config_file = "{cfg.config_file}"\n' if cfg.config_file else ""
for h in hosts:
    (out / f"{h['name']}.toml").write_text(
        f'[targets.k]\nhosts = [{{ name = "{h["name"]}", address = "{h["addr"]}", base_url = "{h["base_url"]}" }}]\n'
        f'identity_file = "{fleet.key.path}"\nknown_hosts = "{fleet.known_hosts}"\n{cfgline}deploy = false\n'
        'destructive = false\n')
(out / "gate.sh").write_text(
    "#!/bin/sh\n# gate.sh HOSTNAME [extra toml lines file]: the read-only gate on one kept host\n"
    f"cd {out} && cat {out}/$1.toml ${{2:-/dev/null}} > {out}/$1.run.toml && "
    f"{sys.executable} -m pytest {Path(__file__).parents[1] / 'deploytests/suite'} --deploytests-target k "
    f"--deploytests-targets-file {out}/$1.run.toml --deploytests-app {app} -p no:cacheprovider -q "
    "-o junit_family=xunit2 2>&1 | grep -E '^(FAILED|ERROR)|^E   |passed|failed' | cut -c1-700\n")
(out / "rm.sh").write_text("#!/bin/sh\n" + "".join(f"docker rm -f {h['id']}\n" for h in hosts)
                           + f"docker rmi -f {camp.image.id}\n")
print(json.dumps(hosts, indent=1))
