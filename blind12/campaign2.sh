#!/bin/sh
# waits for campaign1; then debian12 after-fix (whole set, new code) and debian13 after-fix in parallel; then the
# blind controls-allowed (old code, debian12)
cd /work/wt/blind12
L=/work/wt/blind12/blind12/logs
while [ ! -f $L/campaign1.done ]; do sleep 10; done
run() {  # platform mode out-tag [select]
  BLIND_MODE=$2 BLIND_BATCH=2 BLIND_OUT=$L/results-$2-$1-$3.json .venv/bin/python blind12/run_blind.py $1 $4 > $L/$2-$1-$3.log 2>&1
}
( run debian12 plain afterfix; run debian12 allowed afterfix; run debian12 controls afterfix; run debian12 controls-allowed afterfix
  BLIND_POOL=members BLIND_BATCH=2 BLIND_OUT=$L/results-members-debian12-afterfix2.json .venv/bin/python blind12/run_blind.py debian12 > $L/members-debian12-afterfix2.log 2>&1
  echo done > $L/d12.done ) &
( run debian13 plain afterfix; run debian13 allowed afterfix; run debian13 controls afterfix; run debian13 controls-allowed afterfix
  BLIND_POOL=members BLIND_BATCH=2 BLIND_OUT=$L/results-members-debian13-afterfix.json .venv/bin/python blind12/run_blind.py debian13 > $L/members-debian13-afterfix.log 2>&1
  echo done > $L/d13.done ) &
wait
cd /tmp/b12-old && PYTHONPATH=/tmp/b12-old BLIND_MODE=controls-allowed BLIND_BATCH=2 BLIND_OUT=$L/results-controls-allowed-debian12-blind.json /work/wt/blind12/.venv/bin/python blind12/run_blind.py debian12 > $L/controls-allowed-debian12-blind.log 2>&1
echo done > $L/campaign2.done
