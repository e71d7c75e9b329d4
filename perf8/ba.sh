#!/bin/bash
# before/after runs of the main job from copies of two commits (each on PYTHONPATH, started from its own dir):
# perf8/ba.sh LABEL:DIR ...   prints wall, load average at start and end, and the run's own summary lines
for spec in "$@"; do
  label=${spec%%:*}; dir=${spec#*:}
  cd "$dir" || exit 1
  l0=$(cut -d' ' -f1-3 /proc/loadavg); s=$(date +%s.%N)
  PYTHONPATH="$dir" PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 /work/wt/perf8/.venv/bin/python -m pytest deploytests/suite -q -p no:cacheprovider -p deploytests.plugin > /tmp/perf8-$label.log 2>&1
  rc=$?; e=$(date +%s.%N); l1=$(cut -d' ' -f1-3 /proc/loadavg)
  printf '%s: %.2fs rc=%d load start [%s] end [%s] at %s | %s\n' "$label" $(echo "$e - $s" | bc) $rc "$l0" "$l1" "$(date -u +%H:%M:%S)" "$(tail -1 /tmp/perf8-$label.log)"
  grep -E '^(run:|cpu:|slots:|lifecycle:|in the labs)' /tmp/perf8-$label.log | cut -c1-330 | sed 's/^/    /'
done
