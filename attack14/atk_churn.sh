#!/bin/sh
# The deploy login makes and removes temp files in a directory the gate's walk lists while the read-only gate runs
# N times (default 12) (BASE=1: main's code as extracted in $W/base).
W=${W:-/tmp/atk14}
scp -q -F $W/ssh_config /work/wt/attack14/attack14/churn.py deployer:/tmp/churn.py
for d in ${DIRS:-/var/tmp/churn /tmp/churn}; do ssh -F $W/ssh_config deployer "python3 /tmp/churn.py $d ${SECS:-60}" >> $W/churn.out 2>&1 & done
sleep 1
for i in $(seq ${N:-12}); do echo "--- the gate (read-only, as admin), run $i:"
/work/wt/attack14/attack14/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^E  .*probe" | cut -c1-400; done
wait; echo "--- the deploy login's churn:"; cat $W/churn.out
