#!/bin/sh
# perf15: bench/run.py --gate-hosts 1 8, main (/tmp/perf15-main: git archive of main) and this branch alternated,
# each run's output in perf15/bench-<tag>-<i>.log; the lab container paused meanwhile (it is ours).
cd /work/wt/perf15
C=$(jq -r .id perf15/lab.json)
docker pause $C >/dev/null 2>&1
for i in $(seq ${1:-1} ${2:-2}); do
  for v in ${ORDER:-base new}; do
    echo "$(date -u +%T) start $v $i load $(cut -d' ' -f1 /proc/loadavg)"
    if [ $v = base ]; then
      (cd /tmp/perf15-main && PYTHONPATH=/tmp/perf15-main /work/wt/perf15/.venv/bin/python bench/run.py --gate-hosts 1 8) > perf15/bench-$v-$i.log 2>&1
    else
      PYTHONPATH=/work/wt/perf15 .venv/bin/python bench/run.py --gate-hosts 1 8 > perf15/bench-$v-$i.log 2>&1
    fi
    echo "$(date -u +%T) end load $(cut -d' ' -f1 /proc/loadavg)"; tail -3 perf15/bench-$v-$i.log
  done
done
docker unpause $C >/dev/null 2>&1
echo "$(date -u +%T) done"
