#!/bin/sh
# A process of the app user started outside Apache, titled as mod_wsgi titles the app's daemons: what the deploy's
# gate and the read-only gate make of it. Deploys 1.1 then 1.2 (BASE=1: the code at a36eac8, before this fix).
set -eu
W=${1:-/tmp/atk12}; CT=$(cat $W/ct)
export DEPLOYTESTS_TARGETS=$W/targets.toml
FAB=/work/wt/attack12/.venv/bin/fab; if [ -n "${BASE:-}" ]; then export PYTHONPATH=$W/oldagent; fi
docker exec $CT ps -o pid,ppid,user,lstart,args -u yourapplication
for v in 1.1 1.2; do
  echo "--- the deploy login deploys $v:"
  (cd $W/rce/yourapplication-$v && $FAB target dep pack deploy 2>&1 | grep -E "gate |live:|FAILED|rolled back" | cut -c1-300)
done
echo "--- the gate (read-only, as admin):"
APP=$W/rce/yourapplication-1.2 $W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - |^mod_wsgi daemons" | cut -c1-300 || true
