#!/bin/bash
# alternate main-job runs: ab.sh OUT ROUNDS LABEL1=DIR1[:sample] LABEL2=DIR2[:sample] ...
out=$1; n=$2; shift 2
py=/work/wt/perf13/.venv/bin/python
for i in $(seq $n); do
  for x in "$@"; do
    spec=${x#*=}; dir=${spec%%:*}; flag=""
    [ "$spec" != "$dir" ] && flag="--sample"
    $py /work/wt/perf13/perf13/mj.py --root $dir --label ${x%%=*} --out $out $flag
  done
done
