#!/bin/sh
# the README's read-only gate, as the admin login (appuser) of the lab in $W (default /tmp/atk17); BASE=1: the code
# of main at 3fd0fb7 (when this round began), extracted in $W/base, run from there
W=${W:-/tmp/atk17}
cd /work/wt/attack17
[ -n "${BASE:-}" ] && cd $W/base && export PYTHONPATH=$W/base
exec /work/wt/attack17/.venv/bin/python -m pytest -p no:cacheprovider --pyargs deploytests.suite --deploytests-target=${TGT:-ro} --deploytests-no-deploy --deploytests-targets-file=$W/${TARGETS:-targets.toml} --deploytests-app=${APP:-$W/proj/yourapplication-1.0} -q "$@"
