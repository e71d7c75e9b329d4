#!/bin/sh
# the writes13 faults and controls on Debian 12 containers: once on main's code (a copy at /tmp/w13-main with its own venv: git archive main, .ci/run setup), once on
# this branch's; 3 containers each at a time
cd /work/wt/writes13
L=writes13/logs
BLIND_BATCH=3 BLIND_OUT=$L/results-main-debian12.json /tmp/w13-main/.venv/bin/python writes13/run13.py debian12 > $L/run-main-debian12.log 2>&1 &
BLIND_BATCH=3 BLIND_OUT=$L/results-branch-debian12.json .venv/bin/python writes13/run13.py debian12 > $L/run-branch-debian12.log 2>&1 &
wait
echo done > $L/campaign.done
