"""Exploration helper (not part of the product): keep a deployed container, run the read-only gate against it.

python tooling22/lab.py up debian12 DIR      # deploys the example app into a kept container, state in DIR/state.json
python tooling22/lab.py gate DIR [ALLOWED]   # the read-only gate; prints one failure item per line
python tooling22/lab.py root DIR SCRIPT      # runs SCRIPT (sh -ec) as root in the container
python tooling22/lab.py down DIR             # removes the container
"""
import json
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from wholesuite import gate_read_only  # noqa: E402

from deploytests import pipeline  # noqa: E402
from deploytests.config import load_config  # noqa: E402
from deploytests.containers import Fleet  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.suite.lab import APPS  # noqa: E402

APP = APPS / "yourapplication"


def up(platform: str, d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    cfg, stack = load_config(APP), for_platform(platform)
    fleet = Fleet(count=1, name_prefix="tooling22", image=stack.image, base=stack.base_image, keep=True,
                  progress=lambda m: None, workdir=d)
    fleet.__enter__()
    c = fleet.servers[0].connection()
    boot = pipeline.bootstrap(c, cfg)
    pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
    s = fleet.servers[0]
    (d / "state.json").write_text(json.dumps({"user": s.user, "host": s.host, "port": s.port, "base_url": s.base_url,
                                              "key": str(fleet.key.path), "known_hosts": str(fleet.known_hosts),
                                              "container": fleet.containers[0].id}))
    print(fleet.containers[0].name, fleet.containers[0].id)


def state(d: Path):
    st = json.loads((d / "state.json").read_text())
    return SimpleNamespace(servers=[SimpleNamespace(**{k: st[k] for k in ("user", "host", "port", "base_url")})],
                           key=SimpleNamespace(path=st["key"]), known_hosts=st["known_hosts"]), st


def gate(d: Path, allowed: str = "") -> None:
    fleet, _ = state(d)
    t = time.monotonic()
    failed, out = gate_read_only(d, fleet, allowed)
    n = 0
    for name, (message, text) in failed.items():
        items = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text + "\n" + message, re.M)})
        for ln in items or [message.strip()]:
            n += 1
            print(f"[{name}] {ln}")
    print(f"== {n} line(s) in {len(failed)} test(s), {time.monotonic() - t:.1f} s; {out.strip().splitlines()[-1]}")


def root(d: Path, script: str) -> None:
    import docker
    _, st = state(d)
    box = docker.from_env().containers.get(st["container"])
    res = box.exec_run(["sh", "-ec", script], user="root")
    sys.stdout.write(res.output.decode(errors="replace"))
    print(f"== exit {res.exit_code}")


def down(d: Path) -> None:
    import docker
    _, st = state(d)
    docker.from_env().containers.get(st["container"]).remove(force=True)


if __name__ == "__main__":
    cmd, d = sys.argv[1], None
    if cmd == "up":
        up(sys.argv[2], Path(sys.argv[3]))
    elif cmd == "gate":
        gate(Path(sys.argv[2]), Path(sys.argv[3]).read_text() if len(sys.argv) > 3 else "")
    elif cmd == "root":
        root(Path(sys.argv[2]), sys.argv[3])
    elif cmd == "down":
        down(Path(sys.argv[2]))
