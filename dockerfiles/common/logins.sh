#!/bin/sh
# Build step shared by every server image, after its packages are installed: sshd's run dir and the two
# logins the harness uses (their authorized key is installed at start-up by entrypoint.sh):
#  - appuser: passwordless sudo (bootstraps);
#  - deployer: no sudo at all (least-privilege deploys).
# Both have a locked password ('*'): key logins only.
set -eu
mkdir -p /run/sshd
for login in appuser deployer; do
    useradd --create-home --shell /bin/bash "$login"
    usermod -p '*' "$login"
done
echo 'appuser ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/appuser
chmod 0440 /etc/sudoers.d/appuser
