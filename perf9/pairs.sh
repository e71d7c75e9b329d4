#!/bin/sh
# before/after pairs of the main job, alternating so both see the same load: perf9/pairs.sh N BEFORE_DIR
# (BEFORE_DIR: a copy of the before commit, `git archive <commit> | tar -x -C DIR`; its snapshots made first by a
# priming run of it). Appends to perf9/runs.jsonl (perf9/summary.py prints them).
cd "$(dirname "$0")/.." || exit 1
for i in $(seq 1 "$1"); do
  env -u PYTHONDONTWRITEBYTECODE .venv/bin/python perf9/mainjob.py --runs 1 --label after | grep -v '^  '
  env -u PYTHONDONTWRITEBYTECODE .venv/bin/python perf9/mainjob.py --runs 1 --label before --code "$2" | grep -v '^  '
done
