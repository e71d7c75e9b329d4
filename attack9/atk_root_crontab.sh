#!/bin/sh
# Root's own crontab (read by root alone): what its lines name was never lstat'd, so "someone but root may change
# it" was judged there only for the app's tree (attack8's open item). The admin's precondition as attack8's: the
# deploy team's directory (install -d -m 2775 -o root -g deployer /srv/tools) in root's crontab's PYTHONPATH.
# The deploy login drops a sitecustomize.py there: root's python3 imports it at every run; the gate passed.
# Usage: attack9/atk_root_crontab.sh /tmp/atk9   (BASE=1: the code before this branch)
set -eu
W=${1:-/tmp/atk9}; CT=$(cat $W/ct)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; rm -f /tmp/root-ran
printf 'PYTHONPATH=/srv/tools\n* * * * * /usr/bin/python3 -c \"import sys\"\n' | crontab -"
echo "--- root's crontab:"; docker exec $CT crontab -l
ssh -F $W/ssh_config deployer 'printf "import os\nopen(\"/tmp/root-ran\", \"a\").write(\"uid=%%d via sitecustomize\\\\n\" %% os.getuid())\n" > /srv/tools/sitecustomize.py; ls -l /srv/tools'
sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /var/spool" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'crontab -r; rm -rf /srv/tools /tmp/root-ran'
