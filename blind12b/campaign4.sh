#!/bin/sh
# run5 again (its snapshot's upload arrived damaged under load): the baseline and a01-a06, ALLOW_KEYS fixed
cd /work/wt/blind12b
L=blind12b/logs
BLIND_BATCH=3 BLIND_OUT=$L/results-7-debian12.json .venv/bin/python blind12b/run12b.py debian12 c01,a01,a02,a03 > $L/run7-debian12.log 2>&1 &
BLIND_BATCH=3 BLIND_OUT=$L/results-8-debian12.json .venv/bin/python blind12b/run12b.py debian12 a04,a05,a06 > $L/run8-debian12.log 2>&1 &
wait
echo done > $L/campaign4.done
