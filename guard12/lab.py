"""guard12's lab: N deployed containers kept (keep=True) for repeated measurement; prints their names.

    python guard12/lab.py up N      # start, bootstrap, deploy v1; writes guard12/lab.json (names, ports)
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def up(n: int) -> None:
    from deploytests import pipeline
    from deploytests.config import load_config
    from deploytests.containers import Fleet
    from deploytests.examples import APPS
    from deploytests.pipeline.fleet import bootstrap_all

    app = APPS / "yourapplication"
    cfg = load_config(app)
    work = ROOT / "guard12" / "labdir"
    work.mkdir(exist_ok=True)
    fleet = Fleet(count=n, name_prefix="guard12", keep=True, progress=lambda m: None, workdir=work)
    fleet.__enter__()
    boot = bootstrap_all(fleet.servers, cfg)
    arts = {v: pipeline.pack(app, cfg, python_version=v) for v in boot.python_versions()}
    art = arts[boot.python_version]
    pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, art), step="deploy")
    info = [dict(name=s.name, host=s.host, port=s.port, user=s.user, label=s.label,
                 key_filename=str(s.key_filename), known_hosts=str(s.known_hosts), base_url=s.base_url,
                 container_id=s.container_id) for s in fleet.servers]
    (ROOT / "guard12" / "lab.json").write_text(json.dumps(info, indent=1))
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    up(int(sys.argv[2]))
