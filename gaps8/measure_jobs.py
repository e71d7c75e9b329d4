"""Run the gate's collectors on a container (login collector as nobody, root collector as root) and judge the
scheduled jobs as cw_schedules does. Usage: .venv/bin/python gaps8/measure_jobs.py CONTAINER=PLATFORM ..."""
import sys

from measure_unix import ARGS, LOGIN, ROOT, F, run, shlex  # noqa: F401

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.verify import parse
from deploytests.verify.mechanisms import cron_jobs  # noqa: F401
from deploytests.verify.promises import Expected


def main():
    from stock import outcome  # tests/unit's helper: one promise's outcome

    for spec in sys.argv[1:]:
        name, platform = spec.split("=")
        stack = for_platform(platform)
        py, boot, q = stack.python, "import sys; exec(compile(sys.stdin.buffer.read(%d), 'c', 'exec'))", shlex.quote
        login = run(name, f"su -s /bin/sh nobody -c {q(py + ' -I -S -c ' + q(boot % len(LOGIN)) + ' ' + q(ARGS))}",
                    LOGIN)
        root = run(name, f"{py} -I -S -c {q(boot % len(ROOT))} {q(ARGS)} 3", ROOT)
        merged = dict(login, **root)
        for key in ("files", "dirs", "errors"):
            merged[key] = {**(login.get(key) or {}), **(root.get(key) or {})}
        snap = parse.Snapshot(merged)
        print(f"== {name}: /etc/logrotate.d/httpd-prerotate listed: {snap.listdir('/etc/logrotate.d/httpd-prerotate')}")
        from test_privilege_and_schedules import clean_facts, inv
        facts = clean_facts()
        facts.raw = snap
        inv(facts).update(logrotate=parse.logrotate_scripts(snap), mentions=parse.root_mentions(snap),
                          root_hooks=parse.root_hooks(snap), at_jobs=[])
        exp = Expected.from_config(load_config(APPS / "yourapplication"), "appuser")
        print(outcome("cw_schedules", facts, exp))


sys.path[:0] = ["tests/unit", "gaps8"]
main()
