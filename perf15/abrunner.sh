#!/bin/sh
# perf15: the runner's CPU for one host's gather (GETs, probe, decode, parse) and checks on the lab container, main's
# code (/tmp/perf15-main) and this branch's alternated (gather.py, 5 gathers each; its medians printed).
cd /work/wt/perf15
for i in $(seq ${1:-3}); do
  for v in base new; do
    printf "%s %s load %s: " $v $i $(cut -d' ' -f1 /proc/loadavg)
    if [ $v = base ]; then
      (cd /tmp/perf15-main && PYTHONPATH=/tmp/perf15-main /work/wt/perf15/.venv/bin/python /work/wt/perf15/perf15/gather.py $v 5 | tail -1)
    else
      PYTHONPATH=/work/wt/perf15 .venv/bin/python perf15/gather.py $v 5 | tail -1
    fi
  done
done
