#!/bin/bash
# gate_ab.sh ROUNDS: bench/run.py --gate-hosts 1 8, the code before (a worktree of main at the start) and after (this
# branch), alternating; each line: which code, the time, the load before, the table's rows
cd /work/wt/perf11
for i in $(seq ${1:-2}); do
  for v in before after; do
    d=/work/wt/perf11; [ $v = before ] && d=/work/wt/perf11-before
    echo "== $v $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    (cd $d && PYTHONPATH=$d /work/wt/perf11/.venv/bin/python bench/run.py --gate-hosts 1 8 2>&1 | tail -2)
  done
done
