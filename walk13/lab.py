"""One container per stack, bootstrapped and deployed once; then each scenario: a fault made as root (docker
exec), the gate's every promise check run read-only, the failures printed (first 400 chars), the fault undone.
The code under test is whatever ``deploytests`` PYTHONPATH gives (main's export, or this branch).

    PYTHONPATH=. .venv/bin/python walk13/lab.py debian-apache-wsgi SCENARIO ...
"""

import sys
import time

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.examples import APPS
from deploytests.pipeline.fleet import bootstrap_all
from deploytests.verify.facts import gather
from deploytests.verify.promises import PROMISES, Expected, NotApplicable, verify

SH = "/bin/sh"
CAP_SETUID = "import os,struct,sys; os.setxattr(sys.argv[1], 'security.capability', struct.pack('<IIIII', " \
             "0x02000001, 1 << 7, 0, 0, 0))"  # vfs_cap_data v2: cap_setuid (bit 7) permitted, effective
SCENARIOS = {
    "clean": ("true", "true"),
    "hold": ("sleep 200", "true"),  # (a deployed container kept for measurements run beside this script)
    "var-tmp-setuid-shell": ("cp /bin/bash /var/tmp/.rs && chmod 4755 /var/tmp/.rs", "rm -f /var/tmp/.rs"),
    "opt-setgid-shadow": ("mkdir -p /opt/tools && cp /usr/bin/find /opt/tools/lookup && chgrp shadow "
                          "/opt/tools/lookup && chmod 2755 /opt/tools/lookup", "rm -rf /opt/tools"),
    "srv-setuid": ("mkdir -p /srv/backup && cp /bin/dash /srv/backup/run && chmod 4755 /srv/backup/run",
                   "rm -rf /srv/backup"),
    "usr-local-share-setuid": ("mkdir -p /usr/local/share/ops && cp /bin/dash /usr/local/share/ops/sh && "
                               "chmod 4755 /usr/local/share/ops/sh", "rm -rf /usr/local/share/ops"),
    "home-setuid": ("useradd -m -s /bin/bash someone && cp /bin/dash /home/someone/.cache-sh && "
                    "chmod 4755 /home/someone/.cache-sh", "userdel -r someone"),
    "usr-lib-cap-setuid": (f"mkdir -p /usr/lib/x86_64-linux-gnu/helper && cp /usr/bin/python3 "
                           f"/usr/lib/x86_64-linux-gnu/helper/py && python3 -c \"{CAP_SETUID}\" "
                           f"/usr/lib/x86_64-linux-gnu/helper/py", "rm -rf /usr/lib/x86_64-linux-gnu/helper"),
    "packaged-dbus": ("apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                      "--no-install-recommends dbus >/dev/null 2>&1; ls -l /usr/lib/dbus-1.0/", "true"),
    # keys and files of a login that may become root (alice: a member of sudo, with a key: blind12b's control c04)
    "admin-alice": ("useradd -m -s /bin/bash -G sudo alice && usermod -p '*' alice && install -d -m 700 -o alice "
                    "-g alice /home/alice/.ssh && ssh-keygen -q -t ed25519 -N '' -f /root/alice && install -m 600 -o "
                    "alice -g alice /root/alice.pub /home/alice/.ssh/authorized_keys", "true"),
    "alice-keys-group-writable": ("groupadd -f devs && usermod -aG devs yourapplication && chgrp devs "
                                  "/home/alice/.ssh/authorized_keys && chmod 660 /home/alice/.ssh/authorized_keys",
                                  "chgrp alice /home/alice/.ssh/authorized_keys && chmod 600 "
                                  "/home/alice/.ssh/authorized_keys"),
    "alice-bashrc-apps": ("chown yourapplication /home/alice/.bashrc", "chown alice /home/alice/.bashrc"),
    "alice-home-0700": ("chmod 700 /home/alice", "chmod 755 /home/alice"),
    "stale-key-deploy-login": ("ssh-keygen -q -t ed25519 -N '' -C former-colleague -f /root/p02key && cat "
                               "/root/p02key.pub >> \"$(getent passwd appuser | cut -d: -f6)/.ssh/authorized_keys\"",
                               "sed -i '$d' \"$(getent passwd appuser | cut -d: -f6)/.ssh/authorized_keys\""),
    "stale-key-alice": ("ssh-keygen -q -t ed25519 -N '' -C former-colleague -f /root/p02b && cat /root/p02b.pub >> "
                        "/home/alice/.ssh/authorized_keys", "sed -i '$d' /home/alice/.ssh/authorized_keys"),
    # sshd's central key files (AuthorizedKeysFile /etc/ssh/keys/%u): root's passes (dated in the drift section),
    # one the app user owns fails
    "central-keys-root": ("mkdir -p /etc/ssh/keys && echo 'AuthorizedKeysFile /etc/ssh/keys/%u .ssh/authorized_keys' "
                          "> /etc/ssh/sshd_config.d/keys.conf && cp /root/alice.pub /etc/ssh/keys/alice && chmod 644 "
                          "/etc/ssh/keys/alice", "true"),
    "central-keys-app": ("chown yourapplication /etc/ssh/keys/alice", "chown root /etc/ssh/keys/alice"),
}


def run(server, cmd):
    import docker

    c = docker.from_env().containers.get(server.container_id)
    code, out = c.exec_run([SH, "-c", cmd], user="root")
    return code, out.decode(errors="replace").strip()


def check(server, cfg, arts):
    t0 = time.process_time()
    facts = gather(server, cfg)
    exp = Expected.from_config(cfg, server.user, stack=server.stack, host=server.host, port=server.port,
                               artifact=arts)
    failed = {}
    for p in PROMISES:
        try:
            verify(p.id, facts, exp)
        except NotApplicable:
            pass
        except AssertionError as exc:
            failed[p.id] = str(exc)
    return facts, failed, time.process_time() - t0


def main(image, names):
    app = APPS / "yourapplication"
    cfg = load_config(app)
    with Fleet(count=1, image=image, name_prefix="walk13", progress=lambda m: None) as fleet:
        s = fleet.servers[0]
        boot = bootstrap_all(fleet.servers, cfg)
        arts = {v: pipeline.pack(app, cfg, python_version=v) for v in boot.python_versions()}
        pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, arts[boot.python_version]),
                              step="deploy")
        s.connection()
        print(f"== {image}: container {s.container_id[:12]}, login {s.user}", flush=True)
        for name in names:
            make, undo = SCENARIOS[name]
            code, out = run(s, make)
            print(f"-- {name}: made (exit {code}) {out[-300:]}", flush=True)
            facts, failed, cpu = check(s, cfg, arts)
            print(f"   probe seconds {facts.remote.get('seconds')}, runner cpu {cpu:.2f}; "
                  f"{len(failed)} failed: {sorted(failed)}", flush=True)
            for pid, msg in failed.items():
                print(f"   {pid}: {msg[:600]}", flush=True)
            from deploytests.verify import drift

            for line in drift.report(facts):
                print(f"   drift| {line[:400]}", flush=True)
            print(f"   undo: exit {run(s, undo)[0]}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
