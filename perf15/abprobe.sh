#!/bin/sh
# perf15: the whole probe (login collector, sudo, root collector, tree reader) in the lab container, main's (base-*)
# and this branch's (new-*) alternated; CPU of it and its children (cpu.py).
C=$(jq -r .id perf15/lab.json); L=$(jq -r .login perf15/lab.json)
for i in $(seq ${1:-5}); do
  for v in base new; do
    printf "%s %s load %s " $v $i $(cut -d' ' -f1 /proc/loadavg)
    docker exec -u $L $C python3 /tmp/cpu.py /tmp/$v-probe.cmd /tmp/$v-probe.stdin /tmp/out-$v | cut -c1-60
  done
done
