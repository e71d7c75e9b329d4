#!/bin/sh
# the README's read-only gate, as admin (BASE=1: the code of main when this round began, 8440015, extracted in
# /tmp/atk12/base: run from there, so that neither the worktree's pytest ini nor its editable install is in the way)
cd /work/wt/attack12
[ -n "${BASE:-}" ] && cd /tmp/atk12/base && export PYTHONPATH=/tmp/atk12/base
exec /work/wt/attack12/.venv/bin/python -m pytest -p no:cacheprovider --pyargs deploytests.suite --deploytests-target=ro --deploytests-no-deploy --deploytests-targets-file=/tmp/atk12/targets.toml --deploytests-app=${APP:-/tmp/atk12/proj/yourapplication-1.0} -q "$@"
