"""pin13's demonstration on one Debian 12 container (not a test: its output is recorded in REPORT.md).

Four containers of code an admin allows (a cron file, an Apache conf, a unit, a setuid file), then a change
inside each (a second cron line, a ProxyPass, an ExecStartPost= drop-in, the setuid file replaced by another
program with the same bits). The gate of a given checkout (``--repo``: its .venv's python and its suite) runs
read-only against the container with the allowances given; each run prints its failure lines.

usage: python pin13/demo.py BRANCH_REPO MAIN_REPO
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
ADD = r"""
printf '0 3 * * * yourapplication /usr/bin/true\n' > /etc/cron.d/app-report
a2enmod -q proxy proxy_http headers
printf 'Header always set X-Ops 1\n' > /etc/apache2/conf-available/ops.conf
a2enconf -q ops
printf '[Service]\nUser=yourapplication\nExecStart=/usr/bin/true\n' > /etc/systemd/system/app-report.service
cp /usr/bin/id /usr/local/bin/ops-id && chmod 4755 /usr/local/bin/ops-id
apache2ctl graceful
"""
CHANGE = r"""
printf '*/5 * * * * yourapplication /usr/bin/find /var/www/yourapplication/shared -mmin +1 -delete\n' \
  >> /etc/cron.d/app-report
printf 'ProxyPass /internal http://127.0.0.1:9100/\n' >> /etc/apache2/conf-available/ops.conf
mkdir -p /etc/systemd/system/app-report.service.d
printf '[Service]\nExecStartPost=/usr/bin/curl -s -o /tmp/x http://example.com/\n' \
  > /etc/systemd/system/app-report.service.d/override.conf
cp /usr/bin/bash /usr/local/bin/ops-id && chmod 4755 /usr/local/bin/ops-id
apache2ctl graceful
"""
BARE = ('allow_cron = ["/etc/cron.d/app-report"]\n'
        'allow_apache_conf = ["/etc/apache2/conf-enabled/ops.conf"]\n'
        'allow_modules = ["proxy_module", "proxy_http_module", "headers_module"]\n'
        'allow_units = ["app-report.service"]\n'
        'allow_privileged = ["/usr/local/bin/ops-id 4755 root:root"]\n')


def gate(repo: Path, tmp: Path, s, key, known, extra: str) -> list[str]:
    """The failure lines (``test: - item``) of the repo's built-in suite read-only on the container."""
    (tmp / "targets.toml").write_text(
        f'[targets.ops]\nhosts = [{{ name = "web", address = "{s.user}@{s.host}:{s.port}", base_url = '
        f'"{s.base_url}" }}]\nidentity_file = "{key}"\nknown_hosts = "{known}"\ndeploy = false\n{extra}')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYTESTS_", "PYTEST_ADDOPTS"))}
    junit = tmp / "junit.xml"
    proc = subprocess.run([str(repo / ".venv/bin/python"), "-m", "pytest",
                           str(repo / "deploytests/suite/test_promises.py"), "--target", "ops", "--targets-file",
                           str(tmp / "targets.toml"), "--app", str(APP), "-p", "no:cacheprovider", "-q", "--junitxml",
                           str(junit)], cwd=tmp, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
    if not junit.exists():
        return ["NO JUNIT: " + (proc.stdout + proc.stderr).decode(errors="replace")[-2000:]]
    out = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        node = case.find("failure") if case.find("failure") is not None else case.find("error")
        if node is not None:
            text = (node.get("message") or "") + "\n" + (node.text or "")
            items = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text, re.M)}) or \
                [(node.get("message") or "").strip()]
            out += [f"{case.get('name')}: {i}" for i in items]
    return out


def show(title: str, lines: list[str]) -> list[str]:
    print(f"\n### {title}: {len(lines)} failure line(s)", flush=True)
    for ln in lines:
        print("  " + ln, flush=True)
    return lines


def pinned(lines: list[str]) -> str:
    """The allowances the gate's hints say to write, merged per key (plus the modules, which pin nothing)."""
    keys: dict[str, list[str]] = {"allow_modules": ['"proxy_module"', '"proxy_http_module"', '"headers_module"']}
    for ln in lines:
        for m in re.finditer(r"allow it: (allow_\w+) = \[(.*?)\] in ", ln):
            keys.setdefault(m.group(1), []).append(m.group(2))
    return "".join(f"{k} = [{', '.join(dict.fromkeys(v))}]\n" for k, v in keys.items())


def main(branch: Path, main_repo: Path) -> None:
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"pin13-demo-{os.getpid()}"
    tmp.mkdir(parents=True)
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="pin13demo", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        s, box = fleet.servers[0], fleet.containers[0]
        c = s.connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        run = lambda repo, extra="": gate(repo, tmp, s, fleet.key.path, fleet.known_hosts, extra)  # noqa: E731
        show("branch, clean server, no allowances", run(branch))
        res = box.exec_run(["sh", "-ec", ADD], user="root")
        assert res.exit_code == 0, res.output.decode(errors="replace")
        first = show("branch, the four things added, no allowances", run(branch))
        show("branch, allowances written bare (unpinned)", run(branch, BARE))
        allow = pinned(first)
        print("\npinned allowances from the hints:\n" + allow, flush=True)
        show("branch, pinned allowances", run(branch, allow))
        show("branch, pinned allowances, nothing changed (again)", run(branch, allow))
        show("main, bare allowances, before the change", run(main_repo, BARE))
        res = box.exec_run(["sh", "-ec", CHANGE], user="root")
        assert res.exit_code == 0, res.output.decode(errors="replace")
        show("main, bare allowances, after the change inside each", run(main_repo, BARE))
        show("branch, pinned allowances, after the change inside each", run(branch, allow))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
