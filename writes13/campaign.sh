#!/bin/sh
# the writes13 faults and controls on Debian 12 containers, 3 containers at a time: once on main's code, once on this
# branch's. Main's code: a copy made with `git archive main | tar -x -C /tmp/w13-main`, its own venv
# (`bash .ci/run setup` there), this writes13/ dir copied in, and the run started from /tmp/w13-main, so the gate's
# child pytest (cwd-relative `python -m pytest`) imports main's package, not this worktree's.
L=/work/wt/writes13/writes13/logs
(cd /tmp/w13-main && BLIND_BATCH=3 BLIND_OUT=$L/results-main-debian12.json /tmp/w13-main/.venv/bin/python writes13/run13.py debian12 > $L/run-main-debian12.log 2>&1) &
(cd /work/wt/writes13 && BLIND_BATCH=3 BLIND_OUT=$L/results-branch-debian12.json .venv/bin/python writes13/run13.py debian12 > $L/run-branch-debian12.log 2>&1) &
wait
echo done > $L/campaign.done
