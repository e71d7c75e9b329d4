#!/bin/sh
# the README's read-only gate, as the admin login (appuser) of the lab in $W (default /tmp/atk19); BASE=1: the code
# of main, extracted in $W/base, run from there
W=${W:-/tmp/atk19}
cd /work/wt/attack19
[ -n "${BASE:-}" ] && cd $W/base && export PYTHONPATH=$W/base
exec /work/wt/attack19/.venv/bin/python -m pytest -p no:cacheprovider --pyargs deploytests.suite --deploytests-target=${TGT:-ro} --deploytests-no-deploy --deploytests-targets-file=$W/${TARGETS:-targets.toml} --deploytests-app=${APP:-$W/proj/yourapplication-1.0} -q "$@"
