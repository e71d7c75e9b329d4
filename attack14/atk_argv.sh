#!/bin/sh
# A root worker started by hand (outside any session): python3 with interpreter options before its script,
# `python3 -W ignore -X utf8 /opt/ops/worker.py`, which imports from the deploy login's /srv/appshare. The script
# is the command line's 6th word. Control (SHORT=1): `python3 /opt/ops/worker.py`.
W=${W:-/tmp/atk14}; CT=$(cat $W/ct)
docker exec $CT pkill -f "op[s]/worker"; docker exec $CT sh -c 'mkdir -p /opt/ops /srv/appshare && chown deployer /srv/appshare &&
  printf "#!/usr/bin/python3\nimport sys, time\nsys.path.insert(0, \"/srv/appshare\")\nimport envmod\ntime.sleep(300)\n" > /opt/ops/worker.py &&
  chmod 755 /opt/ops/worker.py && echo "X = 1" > /srv/appshare/envmod.py && chown deployer /srv/appshare/envmod.py'
if [ -n "${SHORT:-}" ]; then docker exec -d $CT setsid /usr/bin/python3 /opt/ops/worker.py
else docker exec -d $CT setsid /usr/bin/python3 -W ignore -X utf8 /opt/ops/worker.py; fi
sleep 1; docker exec $CT ps -eo pid,user,args | grep "op[s]/worker"
echo "--- the gate (read-only, as admin):"
/work/wt/attack14/attack14/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - " | cut -c1-400
docker exec $CT pkill -f "op[s]/worker"
