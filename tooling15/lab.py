"""Scratch lab (not product): a kept, bootstrapped and deployed container per platform; run the read-only gate
against it with extra allowance lines and print its failure lines.

  python tooling15/lab.py up debian12          # prints the state dir
  python tooling15/lab.py gate debian12 [allowances.toml]
  python tooling15/lab.py sh debian12 'script' # as root in the container
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
from wholesuite import gate_read_only  # noqa: E402

from deploytests import pipeline  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.containers import Fleet  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"
STATE = Path("/tmp/tooling15-lab")


class Kept:
    """Enough of a Fleet for gate_read_only."""
    def __init__(self, st):
        import docker
        self.servers = [type("S", (), st["server"])()]
        self.key = type("K", (), {"path": st["key"]})()
        self.known_hosts = st["known_hosts"]
        self.containers = [docker.from_env().containers.get(st["id"])]


def up(platform):
    cfg, stack = load_config(APP), for_platform(platform)
    fleet = Fleet(count=1, name_prefix=f"tooling15{platform}", image=stack.image, base=stack.base_image, keep=True,
                  progress=lambda m: None)
    fleet.start()
    c = fleet.servers[0].connection()
    boot = pipeline.bootstrap(c, cfg)
    pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
    s = fleet.servers[0]
    st = {"id": fleet.containers[0].id, "key": str(fleet.key.path), "known_hosts": str(fleet.known_hosts),
          "server": {"user": s.user, "host": s.host, "port": s.port, "base_url": s.base_url}}
    d = STATE / platform
    d.mkdir(parents=True, exist_ok=True)
    (d / "state.json").write_text(json.dumps(st))
    print(d, st["id"][:12])


def gate(platform, extra_file=None):
    d = STATE / platform
    st = json.loads((d / "state.json").read_text())
    extra = Path(extra_file).read_text() if extra_file else ""
    run = d / "run"
    run.mkdir(exist_ok=True)
    failed, out = gate_read_only(run, Kept(st), extra)
    for name, (message, text) in failed.items():
        items = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text + "\n" + message, re.M)})
        print(f"FAIL {name}: {len(items)} line(s)")
        for i in items or [message.strip()]:
            print("   -", i)
    print(f"== {len(failed)} failed")
    (d / "last.out").write_text(out)


def sh(platform, script):
    st = json.loads((STATE / platform / "state.json").read_text())
    import docker
    box = docker.from_env().containers.get(st["id"])
    res = box.exec_run(["sh", "-ec", script], user="root")
    sys.stdout.write(res.output.decode(errors="replace"))
    sys.exit(res.exit_code)


if __name__ == "__main__":
    {"up": up, "gate": gate, "sh": sh}[sys.argv[1]](*sys.argv[2:])
