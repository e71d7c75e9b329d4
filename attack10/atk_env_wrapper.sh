#!/bin/sh
# A variable set through a wrapper (env VAR=value cmd, sudo VAR=value cmd) was read as a mere name: the shell's
# prefix form (PYTHONPATH=... cmd) has been judged since attack8, the env(1) form not. The admin's precondition as
# attack8/9's (the deploy team's dir, install -d -m 2775 -o root -g deployer /srv/tools, in a root job's line);
# the deploy login drops sitecustomize.py there; root's python3 imports it at every run.
# Usage: attack10/atk_env_wrapper.sh /tmp/atk10   (BASE=1: the code at main 13ee532)
set -eu
W=${1:-/tmp/atk10}; CT=$(cat $W/ct)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; rm -f /tmp/root-ran
printf '* * * * * root env PYTHONPATH=/srv/tools /usr/bin/python3 -c \"import sys\"\n' > /etc/cron.d/ops-report"
echo "--- /etc/cron.d/ops-report:"; docker exec $CT cat /etc/cron.d/ops-report
ssh -F $W/ssh_config deployer 'printf "import os\nopen(\"/tmp/root-ran\", \"a\").write(\"uid=%%d via sitecustomize\\\\n\" %% os.getuid())\n" > /srv/tools/sitecustomize.py; ls -l /srv/tools'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-400 || true
sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'rm -rf /etc/cron.d/ops-report /srv/tools /tmp/root-ran'
