#!/bin/sh
# Debian 13: the plain set and the allowance set (ALLOW_KEYS, with a04z), as run_all.sh does for one platform.
P=debian13; T=d13
PLAIN=$(.venv/bin/python -c "import sys; sys.path.insert(0,'blind7s'); from faults import BLIND7S; print(','.join(f.id for f in BLIND7S))")
KEYS=$(.venv/bin/python -c "import sys; sys.path.insert(0,'blind7s'); from faults import ALLOW_KEYS; print(ALLOW_KEYS)")
BLIND_OUT=blind7s/logs/results-$T.json timeout 3600 .venv/bin/python blind7s/run_blind.py $P "$PLAIN" > blind7s/logs/$T-plain.log 2>&1
echo "exit $?" >> blind7s/logs/$T-plain.log
BLIND_OUT=blind7s/logs/results-$T-allowed.json BLIND_TARGET_KEYS="$KEYS" timeout 2400 .venv/bin/python blind7s/run_blind.py $P "a01-,a03-,a04z-" > blind7s/logs/$T-allowed.log 2>&1
echo "exit $?" >> blind7s/logs/$T-allowed.log
