#!/bin/sh
# envvars (which apache2ctl sources as root) is judged only for what it sources or runs (collect_login.shell_runs):
# what it *exports* is never judged. A variable that names where code is found (PYTHONPATH, LD_LIBRARY_PATH,
# LD_PRELOAD) makes root's Apache parent load what is there at its start. Precondition: the admin's envvars names a
# directory the deploy login may write (the deploy team's shared python libraries, /srv/pylib 2775 root:deployer).
# Usage: attack7/atk_envvars_env.sh /tmp/atk7
set -eu
W=${1:-/tmp/atk7}
PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
APP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['app'])")
CT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['container'])")
docker exec "$CT" sh -c "install -d -m 2775 -o root -g deployer /srv/pylib && cp /etc/apache2/envvars /root/envvars.orig && echo 'export PYTHONPATH=/srv/pylib' >> /etc/apache2/envvars && rm -f /tmp/root-ran"
echo "--- root's envvars ends: $(docker exec $CT tail -1 /etc/apache2/envvars)"
ssh -F $W/ssh_config deployer 'printf "import os\nopen(\"/tmp/root-ran\", \"a\").write(\"pid=%%d uid=%%d\\\\n\" %% (os.getpid(), os.getuid()))\n" > /srv/pylib/sitecustomize.py; ls -l /srv/pylib'
cd "$APP" && echo 'from deploytests.tasks import *  # noqa' > fabfile.py
docker exec "$CT" sh -c 'echo "# admin note" >> /etc/apache2/sites-available/yourapplication.conf'
DEPLOYTESTS_KNOWN_HOSTS=$W/known_hosts timeout 300 fab -H admin@127.0.0.1:$PORT -i $W/id_ed25519 bootstrap 2>&1 | grep -E "bootstrap" | head -3
sleep 2
echo "--- after bootstrap: /tmp/root-ran"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"'
[ -n "${KEEP:-}" ] || docker exec "$CT" sh -c 'cp /root/envvars.orig /etc/apache2/envvars; rm -rf /srv/pylib /tmp/root-ran; apache2ctl graceful'
