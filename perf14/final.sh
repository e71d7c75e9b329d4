#!/bin/sh
# perf14: a quiet-window pair (base, branch) of bench/run.py --gate-hosts 1 8, then the drift integration test
cd /work/wt/perf14
perf14/ab.sh 5 5 >> perf14/ab.log 2>&1
timeout 1200 .venv/bin/python -m pytest -q -p no:cacheprovider "tests/integration/test_closed_world.py::test_drift_the_catalogue_does_not_name_is_caught_without_false_alarms[debian12]" > perf14/integration-3.log 2>&1
echo "exit $?" >> perf14/integration-3.log
