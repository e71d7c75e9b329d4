"""Keep one hand-made Debian 12 (or 13) server up (tests/integration/handmade.py: admin with sudo, deployer without;
root with CAP_SYS_PTRACE, as on a normal server), bootstrapped by admin, the example app deployed by deployer,
until ``<dir>/stop`` appears.

    .venv/bin/python attack11/lab.py DIR [NAME [IMAGE]] &   # writes DIR/lab.json, DIR/targets.toml, DIR/proj/
    (IMAGE: debian:trixie-slim for Debian 13; default debian:bookworm-slim as handmade.py)

Then: attack scripts use ``ssh -F DIR/ssh_config deployer`` / ``admin``; ``touch DIR/stop`` removes the server.
"""
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from docker.models.containers import ContainerCollection  # noqa: E402
from handmade import deployed_by_hand  # noqa: E402

from deploytests.suite.lab import example_release  # noqa: E402

work = Path(sys.argv[1]).resolve()
work.mkdir(parents=True, exist_ok=True)
name = sys.argv[2] if len(sys.argv) > 2 else "atk12"
image = sys.argv[3] if len(sys.argv) > 3 else None  # another base image (debian:trixie-slim: Debian 13)
real = ContainerCollection.run
# a normal server's root has CAP_SYS_PTRACE (reads every process's fds and maps): give the container's root it
ContainerCollection.run = lambda self, _image, *a, **k: real(self, image or _image, *a,
                                                             **dict(k, cap_add=["SYS_PTRACE"]))
with deployed_by_hand(work, name) as lab:
    s = lab.server
    app = example_release(work / "proj", "1.0")
    with (app / "deploy.toml").open("a") as f:
        f.write('deploy_user = "deployer"\n')
    (work / "targets.toml").write_text(f"""
[targets.ro]
hosts = ["{s.user}@{s.host}:{s.port}"]
identity_file = "{s.key_filename}"
known_hosts = "{s.known_hosts}"
base_url = "{s.base_url}"
deploy = false

[targets.dep]
hosts = ["deployer@{s.host}:{s.port}"]
identity_file = "{s.key_filename}"
known_hosts = "{s.known_hosts}"
base_url = "{s.base_url}"
""")
    (work / "ssh_config").write_text("".join(f"""
Host {u}
  HostName 127.0.0.1
  Port {s.port}
  User {u}
  IdentityFile {s.key_filename}
  UserKnownHostsFile {s.known_hosts}
  StrictHostKeyChecking yes
  LogLevel ERROR
""" for u in ("admin", "deployer")))
    (work / "lab.json").write_text(json.dumps({"container": lab.container.name, "ssh": s.port,
                                               "http": s.base_url, "app": str(app), "release": lab.release,
                                               "root": lab.config().root}))
    print("up", lab.container.name, flush=True)
    while not (work / "stop").exists():
        time.sleep(1)
    lab.close()
