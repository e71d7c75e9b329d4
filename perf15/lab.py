# ruff: noqa  (scratch: perf15's lab scripts, run by hand)
"""perf15's lab: one deployed container kept (``up``), the probe's command and stdin from a source tree
(``dump SRC OUT``), and CPU of each server program measured by ``docker exec`` (``cpu``).

    python perf15/lab.py up                      -> perf15/lab.json (container id, login, deploy user, probe args)
    python perf15/lab.py dump SRCDIR OUTDIR      -> OUTDIR/{login,root}.{cmd,stdin}, probe.{cmd,stdin}
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def up():
    sys.path.insert(0, str(HERE.parent))
    from deploytests import pipeline
    from deploytests.config import load_config
    from deploytests.containers import Fleet
    from deploytests.examples import APPS
    from deploytests.pipeline.fleet import bootstrap_all
    from deploytests.verify.facts import probe_args

    app = APPS / "yourapplication"
    cfg = load_config(app)
    fleet = Fleet(count=1, name_prefix="perf15", keep=True, progress=print)
    fleet.start()
    boot = bootstrap_all(fleet.servers, cfg)
    art = pipeline.pack(app, cfg, python_version=boot.python_version)
    pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, art), step="deploy")
    s = fleet.servers[0]
    args = probe_args(cfg, cfg.deploy_user or s.user, s.user, s.stack)
    (HERE / "lab.json").write_text(json.dumps({"id": s.container_id, "login": s.user, "python": s.stack.python,
                                               "args": args, "label": s.label}, indent=1))
    print("container", s.container_id)


def dump(src, out):
    sys.path.insert(0, src)
    from deploytests.verify import collect_root as R
    from deploytests.verify import facts as F

    lab = json.loads((HERE / "lab.json").read_text())
    args, python = lab["args"], lab["python"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nonce = "0" * (R.NONCE - 1)
    a, b, c = F.probe_stdin(nonce)
    (out / "probe.cmd").write_text(F.probe_command(args, python))
    (out / "probe.stdin").write_bytes(a + b + c)
    (out / "login.cmd").write_text(F._program(python, F.LOGIN_SOURCE, "deploytests-collect-login", F.root_args(args)))
    (out / "login.stdin").write_bytes(a)
    import shlex
    root = F._program(python, F.ROOT_SOURCE, "deploytests-collect-root", F.root_args(args)) + " 0 " + shlex.quote(
        json.dumps(F.reader_args(args), sort_keys=True))
    (out / "root.cmd").write_text(root)  # run as root: root collector then the reader as the deploy user
    (out / "root.stdin").write_bytes(b + c)
    print(out, F.__file__)


if __name__ == "__main__":
    {"up": up, "dump": dump}[sys.argv[1]](*sys.argv[2:])
