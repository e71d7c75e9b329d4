#!/bin/sh
# The app user (code in the app) takes the deploy lock: .deploy.lock is 0644, and flock(2) needs only an open fd, a
# read-only one too. Then the deploy login deploys; what it says. (BASE=1: main at 3fd0fb7.)
set -u
W=${W:-/tmp/atk13}; CT=$(cat $W/ct); export DEPLOYTESTS_TARGETS=$W/targets.toml
FAB=/work/wt/attack13/.venv/bin/fab; [ -n "${BASE:-}" ] && export PYTHONPATH=$W/base
docker exec $CT ls -l /var/www/yourapplication/.deploy.lock
docker exec -d -u yourapplication $CT python3 -c 'import fcntl,os,time; fd=os.open("/var/www/yourapplication/.deploy.lock", os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); time.sleep(900)'
sleep 1
docker exec $CT sh -c 'for p in /proc/[0-9]*; do [ "$(stat -c %U $p)" = yourapplication ] && echo "$(basename $p) $(tr "\0" " " < $p/cmdline | cut -c1-80)"; done' | grep flock
echo "--- the deploy login deploys (the lock's default bound: 60 s):"
(cd $W/proj/yourapplication-1.0 && $FAB target dep pack deploy 2>&1 | grep -v "^\[runner\]" | tail -4 | cut -c1-400)
docker exec $CT pkill -u yourapplication -f "fcntl.flock"
echo "--- after: the lock's mode, and the app user opening it again:"
docker exec $CT ls -l /var/www/yourapplication/.deploy.lock
docker exec -u yourapplication $CT python3 -c 'import fcntl,os; fd=os.open("/var/www/yourapplication/.deploy.lock", os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX|fcntl.LOCK_NB); print("the app user holds the lock")' 2>&1 | tail -1
