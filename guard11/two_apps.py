"""(guard11, item 3) Two apps bootstrapped on one server; A's read-only gate before and after B's vhost is tampered
(the gate reads the deploy config from the app's directory: only A's gate can be run this way).
``python guard11/two_apps.py PORT`` (B's port: 8081, or 80 for the same port, name-based). One container, removed
at the end."""
import dataclasses
import re
import sys
import xml.etree.ElementTree as ET

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.faults.run import Campaign, Item
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

APP = APPS / "yourapplication"
port = int(sys.argv[1])
cfg_a = load_config(APP)
cfg_b = dataclasses.replace(cfg_a, app="quotes", app_user="quotes", server_name="quotes.example.com", port=port,
                            config_env="YOURAPPLICATION_CONFIG")
stack = for_platform("debian12")
TAMPER = ("sed -i 's|^\\(\\s*WSGIScriptAlias .*\\)$|\\1\\n    Alias /etc-copy/ /etc/|' "
          "/etc/apache2/sites-available/quotes.conf && apache2ctl graceful && sleep 1")


def gate(camp, fleet, name, cfg):
    camp.cfg = cfg
    item = Item(name, "clean")
    camp.gate([item], fleet)
    run = sorted(camp.workdir.glob(f"run-{fleet.run_id}"), key=lambda p: p.stat().st_mtime)[-1]
    cases = list(ET.parse(run / "junit.xml").getroot().iter("testcase")) if (run / "junit.xml").exists() else []
    n = 0
    print(f"=== {name}: passed={item.passed} skipped={item.skipped} failed={len(item.failed)}", flush=True)
    for case in cases:
        node = case.find("failure") if case.find("failure") is not None else case.find("error")
        if node is None:
            continue
        text = (node.text or "") + "\n" + (node.get("message") or "")
        its = sorted({m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", text, re.M)}) or [
            (node.get("message") or "")[:400]]
        n += len(its)
        print(f"  FAIL {case.get('name', '').split('[')[0]}", flush=True)
        for ln in its:
            print(f"    - {ln[:600]}", flush=True)
    print(f"  lines: {n}", flush=True)
    for p in list(camp.workdir.glob("run-*")):
        import shutil
        shutil.rmtree(p)


with Fleet(count=1, name_prefix="guard11-2apps", image=stack.image, base=stack.base_image,
           progress=lambda m: None) as fleet:
    server, container = fleet.servers[0], fleet.containers[0]
    c = server.connection()
    boot = pipeline.bootstrap(c, cfg_a)
    art_a = pipeline.pack(APP, cfg_a, python_version=boot.python_version)
    pipeline.deploy(c, cfg_a, art_a)
    pipeline.bootstrap(c, cfg_b)
    art_b = pipeline.pack(APP, cfg_b, python_version=boot.python_version)
    pipeline.deploy(c, cfg_b, art_b)
    server.close()
    camp = Campaign(APP, cfg_a, clean=0, progress=print, stack=stack, faults=[])
    gate(camp, fleet, f"a-clean-b{port}", cfg_a)
    res = container.exec_run(["sh", "-ec", TAMPER], user="root")
    print("tamper:", res.exit_code, res.output.decode()[-300:], flush=True)
    print(container.exec_run(["grep", "-n", "Alias", "/etc/apache2/sites-available/quotes.conf"]).output.decode())
    gate(camp, fleet, f"a-tampered-b{port}", cfg_a)
