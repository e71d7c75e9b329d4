#!/bin/bash
# run the main job N times from a given tree, printing load average with each figure
# usage: perf8/mainjob.sh TREE N LABEL
TREE=$1; N=$2; LABEL=$3
cd "$TREE"
for i in $(seq 1 $N); do
  l0=$(cut -d' ' -f1-3 /proc/loadavg)
  s=$(date +%s.%N)
  PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 /work/wt/perf8/.venv/bin/python -m pytest deploytests/suite -q -p no:cacheprovider -p deploytests.plugin > /tmp/perf8-$LABEL-$i.log 2>&1
  rc=$?
  e=$(date +%s.%N)
  l1=$(cut -d' ' -f1-3 /proc/loadavg)
  printf '%s run %d: %.2fs rc=%d load start [%s] end [%s] %s | %s\n' "$LABEL" $i $(echo "$e - $s" | bc) $rc "$l0" "$l1" "$(date -u +%H:%M:%S)" "$(tail -1 /tmp/perf8-$LABEL-$i.log)"
done
