"""How many banner probes (10 ms apart) a scenario container's readiness makes before sshd answers, and how long
the log takes to say DEPLOYTESTS-READY: one container of a lab snapshot, started as the Fleet starts it."""
import socket
import sys
import time

import docker

client = docker.from_env()
image = sys.argv[1]
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 3):
    t0 = time.monotonic()
    c = client.containers.run(image, detach=True, init=True, labels={"perf10": "1"},
                              environment={"DEPLOYTESTS_AUTHORIZED_KEY": "ssh-ed25519 AAAA x"},
                              ports={"22/tcp": ("127.0.0.1", None), "80/tcp": ("127.0.0.1", None)})
    c.reload()
    started = time.monotonic() - t0
    port = int(c.ports["22/tcp"][0]["HostPort"])
    attempts, cpu0 = 0, time.process_time()
    while True:
        attempts += 1
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                if s.recv(64).startswith(b"SSH-"):
                    break
        except OSError:
            pass
        time.sleep(0.01)
    banner = time.monotonic() - t0
    logs = c.logs().decode()
    print(f"run {started:.2f}s, banner at {banner:.2f}s after {attempts} probes (runner CPU "
          f"{time.process_time() - cpu0:.3f}s); READY in log: {'DEPLOYTESTS-READY' in logs}")
    c.remove(force=True)
