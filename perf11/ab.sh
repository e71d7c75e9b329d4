#!/bin/bash
# ab.sh USER OLD NEW ARGS [N] [STDIN-FILE]: alternating runs of two versions of a probe program in the lab container,
# CPU seconds (user+sys) of each, medians
C=$(cat /work/wt/perf11/perf11/C); U=$1; OLD=$2; NEW=$3; A=$4; N=${5:-9}; IN=${6:-/dev/null}
docker cp $OLD $C:/tmp/ab_old.py; docker cp $NEW $C:/tmp/ab_new.py; docker exec $C chmod 644 /tmp/ab_old.py /tmp/ab_new.py
docker cp $IN $C:/tmp/ab_in 2>/dev/null; docker exec $C chmod 644 /tmp/ab_in
docker exec -u $U $C bash -c "cd /tmp; TIMEFORMAT='%U %S'; for i in \$(seq $N); do for v in old new; do echo -n \"\$v \"; { time python3 -I -S /tmp/ab_\$v.py '$A' </tmp/ab_in >/dev/null 2>&1; } 2>&1; done; done" | python3 -c "
import sys, statistics
r = {}
for ln in sys.stdin:
    v, u, s = ln.split(); r.setdefault(v, []).append(float(u) + float(s))
for v in ('old', 'new'):
    print(v, 'median %.3f min %.3f' % (statistics.median(r[v]), min(r[v])))
"
