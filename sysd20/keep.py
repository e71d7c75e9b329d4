"""A deployed server booted with systemd, kept for poking: .venv/bin/python sysd20/keep.py debian12 DIR
Writes DIR/targets.toml (target ops, read-only) and DIR/container (its id). Remove it with docker rm -f ID."""
import sys
from pathlib import Path

sys.path.insert(0, "tests/integration")
from test_closed_world import SYSTEMD, systemd_image  # noqa: E402

from deploytests import pipeline  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.containers import Fleet  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

platform, out = sys.argv[1], Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
app = APPS / "yourapplication"
cfg, stack = load_config(app), for_platform(platform)
fleet = Fleet(count=1, name_prefix="sysd20", image=stack.image, image_tag=systemd_image(stack), run_options=SYSTEMD,
              progress=lambda m: None, ready_timeout=180, keep=True, workdir=out / "fleet")
with fleet:
    c = fleet.servers[0].connection()
    boot = pipeline.bootstrap(c, cfg)
    pipeline.deploy(c, cfg, pipeline.pack(app, cfg, python_version=boot.python_version))
    s = fleet.servers[0]
    (out / "targets.toml").write_text(
        f'[targets.ops]\nhosts = [{{ name = "web", address = "{s.user}@{s.host}:{s.port}", base_url = '
        f'"{s.base_url}" }}]\nidentity_file = "{fleet.key.path}"\nknown_hosts = "{fleet.known_hosts}"\n'
        'deploy = false\n')
    (out / "container").write_text(fleet.containers[0].id)
    print(fleet.containers[0].id, s.port)
