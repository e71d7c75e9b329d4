#!/bin/sh
# perf14: bench/run.py --gate-hosts 1 8, the base (c378e2c, /tmp/perf14-base) and this branch alternated, each run's
# output in perf14/bench-<tag>-<i>.log; the lab container paused meanwhile (it is ours).
cd /work/wt/perf14
C=$(jq -r .id perf14/lab.json)
docker pause $C >/dev/null 2>&1
for i in $(seq ${1:-1} ${2:-2}); do
  for v in base new; do
    echo "$(date -u +%T) start $v $i load $(cut -d' ' -f1 /proc/loadavg)"
    if [ $v = base ]; then
      (cd /tmp/perf14-base && PYTHONPATH=/tmp/perf14-base /work/wt/perf14/.venv/bin/python bench/run.py --gate-hosts 1 8) > perf14/bench-$v-$i.log 2>&1
    else
      .venv/bin/python bench/run.py --gate-hosts 1 8 > perf14/bench-$v-$i.log 2>&1
    fi
    tail -2 perf14/bench-$v-$i.log
  done
done
docker unpause $C >/dev/null 2>&1
echo "$(date -u +%T) done"
