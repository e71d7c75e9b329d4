"""The keys of the v1 scenario snapshots the code on PYTHONPATH makes (1 daemon and deploy.toml's), and the
engine's snapshot images whose key is one of them or derived from one (the v2 ones carry their own key: listed by
the pid that made them, with the v1 ones' pid)."""

import sys
from dataclasses import replace

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers.engine import docker_client
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.suite.lab import L_SNAPSHOT, snapshot_key, snapshots

client = docker_client()
stack = for_platform(sys.argv[1] if len(sys.argv) > 1 else "debian12")
cfg = replace(load_config(APPS / "yourapplication"), deploy_user="deployer")
art = pipeline.pack(APPS / "yourapplication", cfg, python_version=sys.argv[2] if len(sys.argv) > 2 else "3.11")
keys = {snapshot_key(client, stack, None, art, p) for p in (1, None)}
images = snapshots(client, L_SNAPSHOT)
pids = {i["Labels"].get("deploytests.pid") for i in images if i["Labels"].get(L_SNAPSHOT) in keys}
for i in images:
    if i["Labels"].get("deploytests.pid") in pids:
        print(i["Id"], i["Labels"].get("deploytests.pid"), i["Labels"][L_SNAPSHOT][:12])
