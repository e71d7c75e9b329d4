#!/bin/sh
# perf14: the whole probe (sh, sudo, the three programs) run in the lab container as the login, base (c378e2c)
# and this branch alternated N times: CPU of it and its children (perf14/cpu.py), one JSON line each.
C=$(jq -r .id /work/wt/perf14/perf14/lab.json)
for i in $(seq 1 ${1:-10}); do
  for v in base new; do
    echo "$v $(docker exec -u appuser $C python3 /tmp/cpu.py /tmp/$v/probe.cmd /tmp/$v/probe.stdin /tmp/$v.out | cut -c1-60) load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
