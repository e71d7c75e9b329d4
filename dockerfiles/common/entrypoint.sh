#!/bin/sh
# Start-up of a deploytests server container.
#  - generates a fresh ed25519 host key (never baked into the image) and prints it to the log,
#    so the harness can pin it;
#  - installs the authorized key given at run time in $DEPLOYTESTS_AUTHORIZED_KEY;
#  - starts Apache if it is installed (in the background: sshd listens meanwhile, and the harness logs in while
#    Apache starts and its daemons preload the app; it waits for Apache's answer after the login), then runs sshd
#    in the foreground (or exec "$@"), without per-source penalties where sshd has them (below).
set -eu
if [ ! -f /etc/ssh/ssh_host_ed25519_key ]; then
    ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
fi
echo "DEPLOYTESTS-HOSTKEY $(cat /etc/ssh/ssh_host_ed25519_key.pub)"
# appuser: the login with passwordless sudo; deployer: a login WITHOUT sudo (least-privilege deploys).
if [ -n "${DEPLOYTESTS_AUTHORIZED_KEY:-}" ]; then
    for login in ${DEPLOYTESTS_LOGINS:-appuser deployer}; do
        home=$(getent passwd "$login" | cut -d: -f6) || continue
        install -d -m 0700 -o "$login" -g "$login" "$home/.ssh"
        printf '%s\n' "$DEPLOYTESTS_AUTHORIZED_KEY" > "$home/.ssh/authorized_keys"
        chown "$login:$login" "$home/.ssh/authorized_keys"
        chmod 0600 "$home/.ssh/authorized_keys"
    done
fi
if [ "$#" -gt 0 ]; then
    exec "$@"
fi
if [ -x /usr/sbin/apache2ctl ]; then
    (/usr/sbin/apache2ctl start &)  # a subshell: init adopts and reaps it, not sshd
fi
echo "DEPLOYTESTS-READY"
# OpenSSH 9.8+ refuses a source address for a while once connections from it closed without authenticating
# (PerSourcePenalties: 18 banner reads in a row were enough): every connection of the harness comes from one
# address (the bridge's, through docker-proxy) and its readiness probes read the banner and close, so under load a
# container refused the harness's next login. Off where sshd knows the option (an older one refuses it).
if /usr/sbin/sshd -t -o PerSourcePenalties=no 2>/dev/null; then
    exec /usr/sbin/sshd -D -e -o PerSourcePenalties=no
fi
exec /usr/sbin/sshd -D -e
