#!/bin/sh
# the allowed faults and the baseline again, ALLOW_KEYS with the status site's file
cd /work/wt/blind12b
L=blind12b/logs
BLIND_BATCH=3 BLIND_OUT=$L/results-5-debian12.json .venv/bin/python blind12b/run12b.py debian12 c01,a01,a02,a03,a04,a05,a06 > $L/run5-debian12.log 2>&1 &
BLIND_BATCH=3 BLIND_OUT=$L/results-6-debian12.json .venv/bin/python blind12b/run12b.py debian12 a07,a08,a09,a10,a11,a12,a13 > $L/run6-debian12.log 2>&1 &
wait
echo done > $L/campaign3.done
