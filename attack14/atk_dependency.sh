#!/bin/sh
# The admin's read-only gate (`deploytests gate`), run in the project's environment (where the README installs
# deploytests), after the repository named a dependency with a pytest11 entry point (attack14/plant_dependency.sh:
# its plugin makes every check pass). A root worker runs a script sourcing the deploy login's file meanwhile
# (the finding the gate names: see atk_scripts.sh). ENV: the environment's bin (default /tmp/atk14/pvenv/bin).
W=${W:-/tmp/atk14}; CT=$(cat $W/ct); BIN=${ENV:-$W/pvenv/bin}
docker exec $CT pkill -f "^/bin/sh /opt/op[s]/worker"; docker exec $CT sh -c 'mkdir -p /opt/ops /srv/appshare && chown deployer /srv/appshare &&
  printf "#!/bin/sh\n. /srv/appshare/env.sh\nwhile :; do sleep 5; done\n" > /opt/ops/worker.sh && chmod 755 /opt/ops/worker.sh &&
  echo "X=1" > /srv/appshare/env.sh && chown deployer /srv/appshare/env.sh'
docker exec -d $CT setsid /bin/sh /opt/ops/worker.sh
rm -f $W/markers; cd /tmp
echo "--- deploytests gate (the admin's read-only gate), in $BIN:"
$BIN/deploytests gate --deploytests-target=ro --deploytests-no-deploy --deploytests-targets-file=$W/targets.toml \
  --deploytests-app=$W/proj/yourapplication-1.0 -q -p no:randomly 2>&1 | grep -E "^FAILED|passed|failed|^  - " | cut -c1-250
echo "--- markers:"; cat $W/markers 2>/dev/null
docker exec $CT pkill -f "^/bin/sh /opt/op[s]/worker"
