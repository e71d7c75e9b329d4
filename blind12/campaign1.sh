#!/bin/sh
# after-fix runs on debian12 (new code), then the members on the blind code; one after another
cd /work/wt/blind12
L=blind12/logs
BLIND_MODE=plain BLIND_BATCH=3 BLIND_OUT=$L/results-plain-debian12-afterfix.json .venv/bin/python blind12/run_blind.py debian12 p08,p09,p18 > $L/plain-misses-debian12-afterfix.log 2>&1
BLIND_MODE=allowed BLIND_BATCH=3 BLIND_OUT=$L/results-allowed-debian12-afterfix.json .venv/bin/python blind12/run_blind.py debian12 a06,a07,a10 > $L/allowed-misses-debian12-afterfix.log 2>&1
BLIND_POOL=members BLIND_BATCH=3 BLIND_OUT=$L/results-members-debian12-afterfix.json .venv/bin/python blind12/run_blind.py debian12 > $L/members-debian12-afterfix.log 2>&1
cd /tmp/b12-old && PYTHONPATH=/tmp/b12-old BLIND_POOL=members BLIND_BATCH=3 BLIND_OUT=$L/../../blind12/logs/results-members-debian12-oldcode.json /work/wt/blind12/.venv/bin/python blind12/run_blind.py debian12 > /work/wt/blind12/$L/members-debian12-oldcode.log 2>&1
echo done > /work/wt/blind12/$L/campaign1.done
