#!/bin/bash
# A/B runs of the main job: each arg is LABEL:ENV=VAL,ENV=VAL (run in that order)
cd /work/wt/perf8
for spec in "$@"; do
  label=${spec%%:*}; envs=${spec#*:}
  l0=$(cut -d' ' -f1-3 /proc/loadavg); s=$(date +%s.%N)
  env $(echo "$envs" | tr ',' ' ') PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 DEPLOYTESTS_TIMINGS_JSON=/tmp/perf8-$label.json .venv/bin/python -m pytest deploytests/suite -q -p no:cacheprovider -p deploytests.plugin > /tmp/perf8-$label.log 2>&1
  rc=$?; e=$(date +%s.%N); l1=$(cut -d' ' -f1-3 /proc/loadavg)
  printf '%s: %.2fs rc=%d load start [%s] end [%s] at %s | %s\n' "$label" $(echo "$e - $s" | bc) $rc "$l0" "$l1" "$(date -u +%H:%M:%S)" "$(tail -1 /tmp/perf8-$label.log)"
  grep -E '^(run|cpu|slots|in the labs)' /tmp/perf8-$label.log | cut -c1-260 | sed 's/^/    /'
done
