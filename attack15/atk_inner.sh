#!/bin/sh
# Root processes (an admin's, started by hand, outside any session) whose command line names the deploy login's
# directory inside a word, not as a word of its own: python -c CODE, sh -c CODE, --opt=/path. MODE=control: the
# same directory as a word of its own (named on main). MODE=clean: stop them.
CT=$(cat ${W:-/tmp/atk15}/ct)
docker exec $CT sh -c 'pkill -f "[a]ppshare" ; true'
[ "${MODE:-}" = clean ] && exit 0
docker exec $CT sh -c 'mkdir -p /srv/appshare && chown deployer:deployer /srv/appshare && chmod 755 /srv/appshare
printf "import time\n" > /srv/appshare/envmod.py; printf ":\n" > /srv/appshare/env.sh; chown deployer /srv/appshare/*'
if [ "${MODE:-}" = control ]; then
  docker exec $CT sh -c 'cd / && setsid /usr/bin/python3 /srv/appshare/envmod.py 9000 </dev/null >/dev/null 2>&1 &'
  docker exec $CT sh -c 'cd / && setsid /usr/bin/python3 -c "import time; time.sleep(9000)" /srv/appshare </dev/null >/dev/null 2>&1 &'
else
  docker exec $CT sh -c "cd / && setsid /usr/bin/python3 -c \"import sys; sys.path.insert(0, '/srv/appshare'); import envmod, time; time.sleep(9000)\" </dev/null >/dev/null 2>&1 &"
  docker exec $CT sh -c "cd / && setsid /bin/sh -c 'while :; do . /srv/appshare/env.sh; sleep 5; done' </dev/null >/dev/null 2>&1 &"
  docker exec $CT sh -c "cd / && setsid /usr/bin/python3 -X pycache_prefix=/tmp/pyc -c 'import time; time.sleep(9000)' --plugins=/srv/appshare </dev/null >/dev/null 2>&1 &"
fi
sleep 1
docker exec $CT ps -eo pid,user,args | grep "[a]ppshare"
