#!/bin/sh
# Alternating before/after runs of the main job (perf10/mainjob.py), each code from its own copy; first a priming
# run of each (its snapshots made, then found). Usage: perf10/pairs.sh BEFORE_DIR AFTER_DIR PAIRS [LOG]
set -u
before=$1 after=$2 pairs=$3
py=.venv/bin/python
env -u PYTHONDONTWRITEBYTECODE $py perf10/mainjob.py --label prime-after --code "$after"
env -u PYTHONDONTWRITEBYTECODE $py perf10/mainjob.py --label prime-before --code "$before"
i=0
while [ $i -lt "$pairs" ]; do
    env -u PYTHONDONTWRITEBYTECODE $py perf10/mainjob.py --label after --code "$after" --timeline
    env -u PYTHONDONTWRITEBYTECODE $py perf10/mainjob.py --label before --code "$before" --timeline
    i=$((i + 1))
done
