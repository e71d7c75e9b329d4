#!/bin/sh
# Real container: the root collector while N processes of the deploy user each hold a 64 KiB environment of control
# bytes (\x01: JSON writes each as \u0001, 6 bytes). Prints the collector's wall time, peak RSS, the reply's size.
set -eu
SRC=${1:-deploytests/verify/collect_root.py}; N=${2:-1100}
C=$(docker run -d --rm --cap-add SYS_PTRACE deploytests/debian-apache-wsgi:c740b65fb489 sleep 900)
trap 'docker rm -f $C >/dev/null' EXIT
docker cp "$SRC" $C:/tmp/collect_root.py
docker exec $C sh -c 'id app >/dev/null 2>&1 || useradd -r app'
docker exec -u deployer $C python3 -c "
import os, subprocess
env = {'X': '\x01' * 65000}
for i in range($N):
    subprocess.Popen(['sleep', '900'], env=env, start_new_session=True)
"
sleep 2
docker exec $C python3 -I -S -c '
import resource, subprocess, sys, time, json
t = time.time()
p = subprocess.run(["python3", "-I", "-S", "/tmp/collect_root.py", json.dumps({"app": "x", "app_user": "app", "deploy_user": "deployer"}), "1"],
                   input=b"n" * 33, capture_output=True, timeout=600)
print("rc", p.returncode, "wall %.1f s" % (time.time() - t), "peak RSS %d MiB" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024),
      "reply line %d bytes" % len(p.stdout), p.stderr[-300:])
import base64, zlib
d = zlib.decompressobj(); text = d.decompress(base64.b64decode(p.stdout.split()[-1]))
print("inflated %d MiB" % (len(text) >> 20))
'
