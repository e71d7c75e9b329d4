#!/bin/sh
# perf14: one lab container's full gather (SSH probe + the runner's GETs), the base (c378e2c) and this branch's
# runner (each sends its own programs) alternated; the container's cgroup CPU per gather and the runner's CPU.
cd /work/wt/perf14
for i in $(seq 1 ${1:-3}); do
  echo "base: $(cd /tmp/perf14-base && PYTHONPATH=/tmp/perf14-base /work/wt/perf14/.venv/bin/python /work/wt/perf14/perf14/gather.py base-ab ${2:-5} | tail -1)  load $(cut -d' ' -f1 /proc/loadavg)"
  echo "new:  $(.venv/bin/python perf14/gather.py new ${2:-5} | tail -1)  load $(cut -d' ' -f1 /proc/loadavg)"
done
