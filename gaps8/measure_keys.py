"""Run the gate's collectors on a container (login collector as nobody, root collector as root, the tree reader's
held_keys as the deploy login appuser) and judge cw_become and cw_sshd as the gate does.
Usage: .venv/bin/python gaps8/measure_keys.py CONTAINER=PLATFORM ..."""
import json
import subprocess
import sys

sys.path[:0] = ["tests/unit", "gaps8"]
from measure_unix import ARGS, LOGIN, ROOT, run, shlex  # noqa: E402
from stock import outcome  # noqa: E402
from test_root_reach import host  # noqa: E402

from deploytests.config import load_config  # noqa: E402
from deploytests.examples import APPS  # noqa: E402
from deploytests.stacks import for_platform  # noqa: E402
from deploytests.verify import parse  # noqa: E402
from deploytests.verify.promises import Expected  # noqa: E402

READER = open("deploytests/verify/reader.py").read()


def main():
    for spec in sys.argv[1:]:
        name, platform = spec.split("=")
        py, q = for_platform(platform).python, shlex.quote
        boot = "import sys; exec(compile(sys.stdin.buffer.read(%d), 'c', 'exec'))"
        login = run(name, f"su -s /bin/sh nobody -c {q(py + ' -I -S -c ' + q(boot % len(LOGIN)) + ' ' + q(ARGS))}",
                    LOGIN)
        root = run(name, f"{py} -I -S -c {q(boot % len(ROOT))} {q(ARGS)} 3", ROOT)
        merged = dict(login, **root)
        for key in ("files", "dirs", "errors"):
            merged[key] = {**(login.get(key) or {}), **(root.get(key) or {})}
        snippet = ("import sys, json; src = sys.stdin.read(); g = {'__name__': 'r'}; exec(src, g); "
                   "print(json.dumps(g['held_keys']([('/home/appuser', 2), ('/var/www/yourapplication', 0), "
                   "('/var/www/yourapplication/shared', 1)])))")
        held = json.loads(subprocess.run(["docker", "exec", "-i", "-u", "appuser", name, py, "-I", "-S", "-c", snippet],
                                         input=READER.encode(), capture_output=True, check=True).stdout)
        facts = host(platform)
        facts.raw = parse.Snapshot(merged)
        facts.remote.update(held_keys=held, login="admin", as_root=True)
        exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
        print(f"== {name}: held by appuser: {held}")
        for rule in ("cw_become", "cw_sshd"):
            print(f"{rule}: {outcome(rule, facts, exp)}")


main()
