#!/bin/sh
# The deploy login leaves a .pth (and usercustomize) in the app user's home (the app's root): Python's user site of
# every system python3 the app user runs (an allowed worker, a cron job). A clean deploy of 1.2 by the deploy login,
# then the worker as the admin's unit would start it after the deploy, then the read-only gate (BASE=1: 8440015).
set -eu
W=${1:-/tmp/atk12}; CT=$(cat $W/ct); export DEPLOYTESTS_TARGETS=$W/targets.toml
FAB=/work/wt/attack12/.venv/bin/fab; if [ -n "${BASE:-}" ]; then export PYTHONPATH=$W/base; fi
echo "--- the deploy login plants the hook (ssh deployer):"
ssh -F $W/ssh_config -i $W/dkey deployer 'S=/var/www/yourapplication/.local/lib/python3.11/site-packages; mkdir -p $S &&
  echo "import os; os.system(\"echo pth: \$(id) >> /tmp/home-hook\")" > $S/zz.pth &&
  echo "import os; os.system(\"echo usercustomize: \$(id) >> /tmp/home-hook\")" > $S/usercustomize.py && ls -la $S'
echo "--- the deploy login deploys the clean 1.2.1:"
(cd $W/rce/yourapplication-1.2.1 && $FAB target dep pack deploy 2>&1 | grep -E "live:|FAILED|rolled back" | cut -c1-300)
echo "--- the allowed worker starts, as the app user, in the live release (as its unit would after the deploy):"
docker exec -u yourapplication -w /var/www/yourapplication/current -e HOME=/var/www/yourapplication $CT /usr/bin/python3 -c 'print("worker ran")'
docker exec $CT cat /tmp/home-hook
echo "--- the gate (read-only, as admin):"
APP=$W/rce/yourapplication-1.2.1 $W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^- " | cut -c1-400 || true
[ -n "${KEEP:-}" ] || docker exec $CT rm -rf /var/www/yourapplication/.local /tmp/home-hook
