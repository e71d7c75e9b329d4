#!/bin/sh
# The other member: a root process left running after the admin's session ended, whose command line names the app's
# tree (it runs what the app user writes in shared/data as root): where sshd is pid 1 it counted as in a session.
set -u
W=${W:-/tmp/atk13b}; CT=$(cat $W/ct); [ -n "${BASE:-}" ] && export PYTHONPATH=$W/base
ssh -F $W/ssh_config appuser "sudo sh -c '(setsid sh -c \"while :; do /var/www/yourapplication/shared/data/tidy; sleep 9; done\" >/dev/null 2>&1 </dev/null &)'"
sleep 1; docker exec $CT ps -o pid,ppid,user,args -u root | grep -E "tidy|PID"
/work/wt/attack13/attack13/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - " | cut -c1-400
docker exec $CT pkill -u root -f "shared/data/tidy"
