#!/bin/sh
# The deploy login leaves a daemon running after its session ended (attack14/daemon.py: python3, cwd /). Control:
# as it is. ATTACK=1: the daemon first makes itself non-dumpable (prctl PR_SET_DUMPABLE 0): the kernel then shows
# its /proc/<pid> as root's. What the gate says, and who the process is. (BASE=1: main's code.)
W=${W:-/tmp/atk14}; CT=$(cat $W/ct)
scp -q -F $W/ssh_config /work/wt/attack14/attack14/daemon.py deployer:/tmp/daemon.py
ssh -F $W/ssh_config deployer "python3 /tmp/daemon.py 120 ${ATTACK:+undumpable}"
sleep 1
PID=$(docker exec $CT pgrep -f "daemon.py 120")
echo "--- the daemon: pid $PID; /proc/$PID's owner, its status' Uid and PPid lines:"
docker exec $CT sh -c "stat -c '%U:%G' /proc/$PID; grep -E '^(Uid|PPid)' /proc/$PID/status"
echo "--- the gate (read-only, as admin):"
/work/wt/attack14/attack14/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - " | cut -c1-400
docker exec $CT kill $PID
