#!/bin/bash
# alternate main-job runs of two code copies: ab.sh OUT LABEL1=DIR1 LABEL2=DIR2 ROUNDS [prime]
out=$1; a=$2; b=$3; n=$4; prime=${5:-}
py=/work/wt/perf12/.venv/bin/python
if [ -n "$prime" ]; then
  for x in $a $b; do $py /work/wt/perf12/perf12/mj.py --root ${x#*=} --label prime-${x%%=*} --out $out.prime; done
fi
for i in $(seq $n); do
  for x in $a $b; do $py /work/wt/perf12/perf12/mj.py --root ${x#*=} --label ${x%%=*} --out $out; done
done
