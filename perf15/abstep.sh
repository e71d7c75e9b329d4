#!/bin/sh
# perf15: steps.py on the login collector, base (/tmp/cl.py: main's) and this tree's (/tmp/cl2.py) alternated
C=$(jq -r .id perf15/lab.json); L=$(jq -r .login perf15/lab.json)
docker cp deploytests/verify/collect_login.py $C:/tmp/cl2.py
A='{"app": "yourapplication", "app_user": "yourapplication", "deploy_user": "appuser"}'
for i in $(seq ${1:-3}); do
  for v in cl cl2; do echo "== $v $(cut -d' ' -f1 /proc/loadavg)"; docker exec -u $L -e REPEAT=${REPEAT:-5} $C python3 -I -S /tmp/steps.py /tmp/$v.py "$A" | grep -E "${GREP:-collect|local_files|mentions|verdict|acts|tree}"; done
done
