"""Engine CPU (dockerd, containerd, shims, runc, docker-proxy: /proc) per container lifecycle of a scenario
snapshot: run (2 published ports, init), wait for the SSH banner, remove; against the same seconds idle."""
import socket
import sys
import time

import docker

sys.path.insert(0, "perf10")
from mainjob import engine_cpu  # noqa: E402

client = docker.from_env()
image = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
for _rnd in range(3):
    t0, e0 = time.monotonic(), engine_cpu()
    for _i in range(n):
        c = client.containers.run(image, detach=True, init=True, labels={"perf10": "1"},
                                  environment={"DEPLOYTESTS_AUTHORIZED_KEY": "ssh-ed25519 AAAA x"},
                                  ports={"22/tcp": ("127.0.0.1", None), "80/tcp": ("127.0.0.1", None)})
        c.reload()
        port = int(c.ports["22/tcp"][0]["HostPort"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    if s.recv(4).startswith(b"SSH"):
                        break
            except OSError:
                pass
            time.sleep(0.05)
        time.sleep(1.0)
        c.remove(force=True)
    busy = engine_cpu() - e0
    wall = time.monotonic() - t0
    e1 = engine_cpu()
    time.sleep(wall)
    idle = engine_cpu() - e1
    print(f"{n} containers: engine {busy:.2f}s CPU in {wall:.1f}s; same time without: {idle:.2f}s; "
          f"per container ~{(busy - idle) / n:.2f}s", flush=True)
