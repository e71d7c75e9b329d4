"""Keep one server of the project's own image up (debian-apache-wsgi, as the driver's Fleet starts it: docker-init
is PID 1; appuser with sudo, deployer without), bootstrapped by appuser, the example app deployed by deployer,
until ``<dir>/stop`` appears.   .venv/bin/python attack19/lab_img.py DIR &   [--no-init] (writes DIR/lab.json,
targets.toml, ssh_config; attack scripts then give the deploy login its own key, DIR/dkey)"""
import json
import sys
import time
from pathlib import Path

from docker.models.containers import ContainerCollection

from deploytests.containers.driver import Fleet
from deploytests.suite.lab import Lab, example_release

work = Path(sys.argv[1]).resolve()
work.mkdir(parents=True, exist_ok=True)
if "--no-init" in sys.argv:  # the image as `docker run` starts it: its entrypoint execs sshd, which is then PID 1
    real = ContainerCollection.run
    ContainerCollection.run = lambda self, *a, **k: real(self, *a, **dict(k, init=False))
# (sweep=False: never others' containers)
IMAGE = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--image=")), "debian-apache-wsgi")
with Fleet(1, image=IMAGE, name_prefix="atk19", workdir=work, sweep=False) as fleet:
    s = fleet.servers[0]
    lab = Lab(s, deploy_user="deployer")
    lab.bootstrap()
    lab.release = lab.deploy("yourapplication").release_id
    app = example_release(work / "proj", "1.0")
    with (app / "deploy.toml").open("a") as f:
        f.write('deploy_user = "deployer"\n')
    common = f'identity_file = "{s.key_filename}"\nknown_hosts = "{s.known_hosts}"\nbase_url = "{s.base_url}"\n'
    ro, dep = f'hosts = ["{s.user}@{s.host}:{s.port}"]\n', f'hosts = ["deployer@{s.host}:{s.port}"]\n'
    (work / "targets.toml").write_text(f'[targets.ro]\n{ro}{common}deploy = false\n'
                                       f'[targets.dep]\n{dep}{common}deploy = true\n')
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
