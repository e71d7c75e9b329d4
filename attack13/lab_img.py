"""Keep one server of the project's own image up (debian-apache-wsgi, as the driver's Fleet starts it: docker-init
is PID 1; appuser with sudo, deployer without), bootstrapped by appuser, the example app deployed by deployer,
until ``<dir>/stop`` appears.   .venv/bin/python attack13/lab_img.py DIR &   (writes DIR/lab.json, targets.toml,
ssh_config; attack scripts then give the deploy login its own key, DIR/dkey)"""
import json
import sys
import time
from pathlib import Path

from deploytests.containers.driver import Fleet
from deploytests.suite.lab import Lab, example_release

work = Path(sys.argv[1]).resolve()
work.mkdir(parents=True, exist_ok=True)
with Fleet(1, name_prefix="atk13", workdir=work) as fleet:
    s = fleet.servers[0]
    lab = Lab(s, deploy_user="deployer")
    lab.bootstrap()
    lab.release = lab.deploy("yourapplication").release_id
    app = example_release(work / "proj", "1.0")
    with (app / "deploy.toml").open("a") as f:
        f.write('deploy_user = "deployer"\n')
    common = f'identity_file = "{s.key_filename}"\nknown_hosts = "{s.known_hosts}"\nbase_url = "{s.base_url}"\n'
    (work / "targets.toml").write_text(f'[targets.ro]\nhosts = ["{s.user}@{s.host}:{s.port}"]\n{common}deploy = false\n'
                                       f'[targets.dep]\nhosts = ["deployer@{s.host}:{s.port}"]\n{common}')
    (work / "ssh_config").write_text("".join(f"""
Host {u}
  HostName {s.host}
  Port {s.port}
  User {u}
  IdentityFile {s.key_filename}
  UserKnownHostsFile {s.known_hosts}
  StrictHostKeyChecking yes
  LogLevel ERROR
""" for u in ("appuser", "deployer")))
    (work / "lab.json").write_text(json.dumps({"container": fleet.containers[0].name, "ssh": s.port,
                                               "http": s.base_url, "app": str(app), "release": lab.release}))
    (work / "ct").write_text(fleet.containers[0].name)
    print("up", fleet.containers[0].name, flush=True)
    while not (work / "stop").exists():
        time.sleep(1)
    lab.close()
