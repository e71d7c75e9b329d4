#!/bin/sh
# The whole set on one platform: the plain faults (+ a clean control), then the allowance-dependent ones with
# their allowances written (+ a clean control with the same allowances). Two containers at a time.
# usage: sh blind7s/run_all.sh PLATFORM TAG   (logs: blind7s/logs/TAG-plain.log, TAG-allowed.log; results-TAG*.json)
P=$1; T=$2
PLAIN=$(.venv/bin/python -c "import sys; sys.path.insert(0,'blind7s'); from faults import BLIND7S; print(','.join(f.id for f in BLIND7S))")
ALLOW=$(.venv/bin/python -c "import sys; sys.path.insert(0,'blind7s'); from faults import ALLOWED; print(','.join(f.id for f in ALLOWED))")
KEYS=$(.venv/bin/python -c "import sys; sys.path.insert(0,'blind7s'); from faults import ALLOW_KEYS; print(ALLOW_KEYS)")
BLIND_OUT=blind7s/logs/results-$T.json timeout 3600 .venv/bin/python blind7s/run_blind.py $P "$PLAIN" > blind7s/logs/$T-plain.log 2>&1
echo "exit $?" >> blind7s/logs/$T-plain.log
BLIND_OUT=blind7s/logs/results-$T-allowed.json BLIND_TARGET_KEYS="$KEYS" timeout 2400 .venv/bin/python blind7s/run_blind.py $P "$ALLOW" > blind7s/logs/$T-allowed.log 2>&1
echo "exit $?" >> blind7s/logs/$T-allowed.log
