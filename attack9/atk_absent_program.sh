#!/bin/sh
# A root job names a program that is not there yet, in a directory the deploy login may write (the admin's
# precondition as attack8's: install -d -m 2775 -o root -g deployer /srv/tools, a job for a tool the team will
# ship). The gate looks while it is absent and passes; the deploy login makes it afterwards and root runs it.
#   cron: /etc/cron.d/team-notify '* * * * * root /srv/tools/notify'
# Usage: attack9/atk_absent_program.sh /tmp/atk9   (BASE=1: the code before this branch)
set -eu
W=${1:-/tmp/atk9}; CT=$(cat $W/ct)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; rm -f /tmp/root-ran
printf '* * * * * root /srv/tools/notify\n' > /etc/cron.d/team-notify; chmod 644 /etc/cron.d/team-notify"
echo "--- root's /etc/cron.d/team-notify:"; docker exec $CT sh -c 'cat /etc/cron.d/team-notify; ls -la /srv/tools'
echo "--- the gate (read-only, as admin), /srv/tools/notify absent:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-400 || true
echo "--- then the deploy login makes it:"
ssh -F $W/ssh_config deployer 'printf "#!/bin/sh\nid >> /tmp/root-ran\n" > /srv/tools/notify; chmod 775 /srv/tools/notify'
sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'rm -rf /etc/cron.d/team-notify /srv/tools /tmp/root-ran'
