#!/bin/sh
# perf15: bench/run.py --gate-hosts 1 8 runs in the order given (new-1 base-1 new-2 ...): main (/tmp/perf15-main)
# or this branch; each run's output in perf15/bench-<tag>.log; the lab container paused meanwhile (it is ours).
cd /work/wt/perf15
C=$(jq -r .id perf15/lab.json)
docker pause $C >/dev/null 2>&1
for tag in "$@"; do
  v=${tag%-*}
  echo "$(date -u +%T) start $tag load $(cut -d' ' -f1 /proc/loadavg)"
  if [ $v = base ]; then
    (cd /tmp/perf15-main && PYTHONPATH=/tmp/perf15-main /work/wt/perf15/.venv/bin/python bench/run.py --gate-hosts 1 8) > perf15/bench-$tag.log 2>&1
  else
    PYTHONPATH=/work/wt/perf15 .venv/bin/python bench/run.py --gate-hosts 1 8 > perf15/bench-$tag.log 2>&1
  fi
  echo "$(date -u +%T) end $tag load $(cut -d' ' -f1 /proc/loadavg)"; tail -2 perf15/bench-$tag.log
done
docker unpause $C >/dev/null 2>&1
echo "$(date -u +%T) done"
