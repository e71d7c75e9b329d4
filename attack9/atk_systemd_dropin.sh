#!/bin/sh
# On a systemd host, Debian's apache2ctl hands start/graceful/stop to systemd: bootstrap's graceful is systemd's
# `reload apache2`, which runs the unit's ExecReload (and its Environment) as root, and a drop-in changes both.
# The lab has no systemd; /run/systemd/system is made so the verdict sees a systemd host (what Debian's apache2ctl
# and the collector test), then the admin's drop-in names the deploy team's directory
# (install -d -m 2775 -o root -g deployer /srv/tools): bootstrap must refuse before root runs apache2ctl.
# Usage: attack8/atk_systemd_dropin.sh /tmp/atk8 [reload|env|file]
set -eu
W=${1:-/tmp/atk8}; V=${2:-reload}; CT=$(cat $W/ct)
PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
APP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['app'])")
case $V in
reload) LINE='ExecReload=\nExecReload=-/srv/tools/reload' ;;
env) LINE='Environment=LD_PRELOAD=/srv/tools/x.so' ;;
file) LINE='EnvironmentFile=-/srv/tools/apache.env' ;;
esac
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; mkdir -p /run/systemd/system /etc/systemd/system/apache2.service.d
printf '[Service]\n$LINE\n' > /etc/systemd/system/apache2.service.d/ops.conf; ls /lib/systemd/system/apache2.service"
echo "--- the admin's drop-in:"; docker exec $CT cat /etc/systemd/system/apache2.service.d/ops.conf
boot() { (cd "$APP" && DEPLOYTESTS_KNOWN_HOSTS=$W/known_hosts timeout 300 fab -H admin@127.0.0.1:$PORT -i $W/id_ed25519 bootstrap 2>&1 | grep -E "bootstrap" | cut -c1-400); }
echo "--- bootstrap as admin:"; boot
docker exec $CT sh -c 'rm -rf /etc/systemd/system/apache2.service.d'
echo "--- without the drop-in (the package's unit only):"; boot
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'rm -rf /run/systemd /srv/tools'
