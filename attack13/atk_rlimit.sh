#!/bin/sh
# The deploy login lowers the gate's tree reader's RLIMIT_NOFILE (prlimit) while the read-only gate runs; what the
# gate says (BASE=1: main at 3fd0fb7). $1: the limit (default 3).
set -u
W=${W:-/tmp/atk13}; CT=$(cat $W/ct)
[ -n "${BASE:-}" ] && export PYTHONPATH=$W/base
ssh -F $W/ssh_config deployer 'cat > /tmp/lim.py' < /work/wt/attack13/attack13/limiter.py
[ -n "${PLANT:-}" ] && ssh -F $W/ssh_config deployer "$PLANT"
ssh -F $W/ssh_config deployer "timeout 40 python3 /tmp/lim.py ${1:-3} 35" > $W/lim.out 2>&1 &
sleep 2
echo "--- the gate (read-only, as admin):"
/work/wt/attack13/attack13/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - |^E  " | cut -c1-400
wait; echo "--- the deploy login's helper:"; cat $W/lim.out
[ -n "${PLANT:-}" ] && [ -z "${KEEP:-}" ] && docker exec $CT rm -rf /var/www/yourapplication/.local
