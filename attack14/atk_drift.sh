#!/bin/sh
# Root's files changed after the deploy are dated against the live release's RELEASE.json created_at, the deploy
# login's file. A key is added to the admin's authorized_keys (a departed colleague's, as root would) and a line to
# a sudoers file; the drift section names both. ATTACK=1: the deploy login then sets created_at to the gate's own
# time, in place, and restarts the daemons (touch application.wsgi, one request) as any deploy does (FUTURE=1: a
# day ahead). (Undone at the end.)
W=${W:-/tmp/atk14}; CT=$(cat $W/ct); REL=$(docker exec $CT ls /var/www/yourapplication/releases | tail -1)
F=/var/www/yourapplication/releases/$REL/RELEASE.json
docker exec $CT sh -c 'cp /home/appuser/.ssh/authorized_keys /tmp/ak.bak; echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbDepartedColleagueKeyxxxxxxxxxxxxxxxxxxxx old@colleague" >> /home/appuser/.ssh/authorized_keys;
  echo "# ops" > /etc/sudoers.d/zz-ops && chmod 0440 /etc/sudoers.d/zz-ops'
sleep 2
if [ -n "${ATTACK:-}" ]; then
  ssh -F $W/ssh_config deployer "cp $F /tmp/rel.bak && python3 - $F ${FUTURE:+86400} <<'PY'
import datetime, json, os, sys
p = sys.argv[1]; d = json.load(open(p)); ahead = float(sys.argv[2]) if sys.argv[2:] else 60
d['created_at'] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=ahead)).replace(microsecond=0).isoformat()
open(p, 'w').write(json.dumps(d)); print('created_at now', d['created_at'])
PY
touch /var/www/yourapplication/application.wsgi; sleep 1; curl -s -o /dev/null http://127.0.0.1/ -H 'Host: localhost' || python3 -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1/health\").read()'"
  sleep 2   # (the deploy login restarts the daemons, as every deploy does: they start after the rewrite)
fi
echo "--- the gate's drift section (read-only, as admin):"
/work/wt/attack14/attack14/gate.sh > $W/drift-gate.out 2>&1; grep -A3 "^ssh://.*live release" $W/drift-gate.out | cut -c1-300; grep -E "^FAILED|passed" $W/drift-gate.out
[ -n "${ATTACK:-}" ] && ssh -F $W/ssh_config deployer "cp /tmp/rel.bak $F"
docker exec $CT sh -c 'cp /tmp/ak.bak /home/appuser/.ssh/authorized_keys; rm -f /etc/sudoers.d/zz-ops'
