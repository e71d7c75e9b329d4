#!/bin/sh
# Real container: the root collector (as root, CAP_SYS_PTRACE as the docker target gives it) while a process of the
# deploy user holds one environment variable naming a 64 KiB path of "." components under a root directory.
# $1: the collect_root.py to run. Prints the collector's wall time, peak RSS and how many paths it lstat'ed.
set -eu
SRC=${1:-deploytests/verify/collect_root.py}
C=$(docker run -d --rm --cap-add SYS_PTRACE deploytests/debian-apache-wsgi:c740b65fb489 sleep 600)
trap 'docker rm -f $C >/dev/null' EXIT
docker cp "$SRC" $C:/tmp/collect_root.py
docker exec $C sh -c 'id deployer; id app || useradd -r app; getent passwd deployer'
docker exec -u deployer -d $C sh -c 'exec env X="/usr$(python3 -c "print(\"/.\"*32700)")" sleep 600'
sleep 1
docker exec $C python3 -I -S -c '
import resource, subprocess, sys, time, json, base64, zlib
t = time.time()
p = subprocess.run(["python3", "-I", "-S", "/tmp/collect_root.py", json.dumps({"app": "x", "app_user": "app", "deploy_user": "deployer"}), "1"],
                   input=b"n" * 33, capture_output=True, timeout=300)
r = json.loads(zlib.decompress(base64.b64decode(p.stdout.split()[-1])))
print("rc", p.returncode, "wall %.1f s" % (time.time() - t), "peak RSS %d MiB" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024),
      "mapped entries", len(r["mapped"]), "deepest", max(k.count("/") for k in r["mapped"]), "errors", {k: v for k, v in r["errors"].items() if "mapped" in k})
'
