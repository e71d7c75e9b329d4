#!/bin/sh
# A root daemon (an admin's vendor agent, started by hand, outside any session) whose program is in a directory the
# deploy login may write (/opt/vendor, given to the deploy team), and which sets its own title (as setproctitle
# does): its command line names no path. MODE=control: the same daemon keeping its path as argv[0]. MODE=clean.
CT=$(cat ${W:-/tmp/atk15}/ct)
docker exec $CT sh -c 'pkill -f "[a]gentd" ; true'
[ "${MODE:-}" = clean ] && exit 0
docker exec $CT sh -c 'mkdir -p /opt/vendor/bin && chown -R deployer /opt/vendor && cp /bin/sleep /opt/vendor/bin/agentd && chown deployer /opt/vendor/bin/agentd'
if [ "${MODE:-}" = control ]; then
  docker exec -w / $CT setsid -f /opt/vendor/bin/agentd 9000 </dev/null >/dev/null 2>&1
else
  docker exec -w / $CT setsid -f bash -c 'exec -a "agentd: worker" /opt/vendor/bin/agentd 9000' </dev/null >/dev/null 2>&1
fi
sleep 1
docker exec $CT sh -c 'ps -eo pid,user,args | grep "[a]gentd"; readlink /proc/$(pgrep -f "[a]gentd")/exe'
