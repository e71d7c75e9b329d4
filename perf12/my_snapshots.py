"""Print the scenario snapshot keys of the code on PYTHONPATH (run from its directory): v1 and v2, 1 daemon and
deploy.toml's, for the debian12 stack, as Scenarios._base computes them."""

import hashlib
from dataclasses import replace

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers.engine import docker_client
from deploytests.examples import APPS
from deploytests.stacks import for_platform
from deploytests.suite.lab import ONE_DAEMON, snapshot_key

client, stack = docker_client(), for_platform("debian12")
version = stack.python_version


def artifact(name):
    cfg = replace(load_config(APPS / name), deploy_user="deployer")
    return pipeline.pack(APPS / name, cfg, python_version=version)


v1, v2 = artifact("yourapplication"), artifact("yourapplication-v2")
for processes in (ONE_DAEMON, None):
    key = snapshot_key(client, stack, None, v1, processes)
    print(key)
    print(hashlib.sha256(f"{key}\0yourapplication-v2\0{v2.sha256}".encode()).hexdigest())
