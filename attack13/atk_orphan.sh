#!/bin/sh
# The deploy login leaves a daemon (attack13/watcher.sh) running after its SSH session ends, then a clean deploy, the
# app user's python3, and the read-only gate (BASE=1: main at 3fd0fb7).
set -u
W=${W:-/tmp/atk13}; CT=$(cat $W/ct); export DEPLOYTESTS_TARGETS=$W/targets.toml
FAB=/work/wt/attack13/.venv/bin/fab; [ -n "${BASE:-}" ] && export PYTHONPATH=$W/base
echo "--- the deploy login starts its daemon and logs out:"
ssh -F $W/ssh_config deployer 'cat > /tmp/w.sh && (setsid sh /tmp/w.sh >/dev/null 2>&1 </dev/null &)' < /work/wt/attack13/attack13/watcher.sh
sleep 1
docker exec $CT ps -o pid,ppid,user,args -u deployer
docker exec $CT ps -o pid,user,args -p 1
echo "--- the deploy login deploys (clean):"
(cd $W/proj/yourapplication-1.0 && $FAB target dep pack deploy 2>&1 | tail -3 | cut -c1-300)
echo "--- the app user's python3 (as an allowed worker would start):"
docker exec -u yourapplication -w /var/www/yourapplication -e HOME=/var/www/yourapplication $CT /usr/bin/python3 -c 'print("worker ran")'
docker exec $CT cat /tmp/home-hook
echo "--- the gate (read-only, as admin):"
/work/wt/attack13/attack13/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - " | cut -c1-500
echo "--- after the gate: the app user's home:"
sleep 1; docker exec $CT ls -la /var/www/yourapplication/
[ -n "${KEEP:-}" ] || { docker exec $CT pkill -u deployer -f /tmp/w.sh; docker exec $CT rm -rf /var/www/yourapplication/.local /tmp/home-hook; }
