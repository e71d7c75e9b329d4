#!/bin/sh
# two campaigns side by side, 3 containers each (each its own snapshot and clean host)
cd /work/wt/blind12b
L=blind12b/logs
BLIND_BATCH=3 BLIND_OUT=$L/results-1-debian12.json .venv/bin/python blind12b/run12b.py debian12 c01,a01,a02,a03,a04,a05,a06,a07,c02,p01,p02 > $L/run1-debian12.log 2>&1 &
BLIND_BATCH=3 BLIND_OUT=$L/results-2-debian12.json .venv/bin/python blind12b/run12b.py debian12 a08,a09,a10,a11,a12,a13,p03,p04,p05,c03,c04 > $L/run2-debian12.log 2>&1 &
wait
echo done > $L/campaign.done
