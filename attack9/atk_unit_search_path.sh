#!/bin/sh
# systemd reads units and drop-ins from more directories than the gate read: /etc/systemd/system.control and
# /run/systemd/system.control (where `systemctl set-property` writes; searched first, before /etc/systemd/system),
# /etc/systemd/system.attached and /run/systemd/system.attached (portablectl). A drop-in there changes what a
# service runs as root like one in /etc/systemd/system. The admin's precondition as attack8's: a drop-in names the
# deploy team's directory (install -d -m 2775 -o root -g deployer /srv/tools), here next to a set-property file.
#   apache: DIR/apache2.service.d/ops.conf 'ExecReload=-/srv/tools/reload': bootstrap's graceful is systemd's reload
#           on a systemd host (the lab has none: /run/systemd/system is made so the verdict and apache2ctl see one)
#   cron:   DIR/cron.service.d/ops.conf 'ExecStartPost=/srv/tools/notify': the read-only gate's cw_units
# Usage: attack9/atk_unit_search_path.sh /tmp/atk9 apache|cron [DIR (default /etc/systemd/system.control)]
#   (BASE=1: the code before this branch)
set -eu
W=${1:-/tmp/atk9}; V=${2:-apache}; D=${3:-/etc/systemd/system.control}; CT=$(cat $W/ct)
PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
APP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['app'])")
[ -z "${BASE:-}" ] || export PYTHONPATH=$W/base
case $V in
apache) U=apache2.service; LINE='ExecReload=\nExecReload=-/srv/tools/reload' ;;
cron) U=cron.service; LINE='ExecStartPost=/srv/tools/notify' ;;
esac
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; mkdir -p /run/systemd/system $D/$U.d
printf '# This is a drop-in unit file extension, created via \"systemctl set-property\"\n[Service]\nCPUQuota=50%%\n' > $D/$U.d/50-CPUQuota.conf
printf '[Service]\n$LINE\n' > $D/$U.d/ops.conf"
echo "--- the admin's drop-in:"; docker exec $CT sh -c "head -50 $D/$U.d/*.conf"
if [ $V = apache ]; then
  boot() { (cd "$APP" && DEPLOYTESTS_KNOWN_HOSTS=$W/known_hosts timeout 300 fab -H admin@127.0.0.1:$PORT -i $W/id_ed25519 bootstrap 2>&1 | grep -E "bootstrap" | cut -c1-400); }
  echo "--- bootstrap as admin:"; boot
else
  echo "--- the gate (read-only, as admin):"
  $W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - $D" | cut -c1-400 || true
fi
[ -n "${KEEP:-}" ] || docker exec $CT sh -c "rm -rf $D /run/systemd /srv/tools"
