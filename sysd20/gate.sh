#!/bin/sh
# the read-only gate against a kept server: sysd20/gate.sh DIR  (prints its failures, one line each)
d=$1
env -u PYTEST_ADDOPTS .venv/bin/python -m pytest deploytests/suite/test_promises.py --target ops --targets-file "$d/targets.toml" \
  --app deploytests/examples/apps/yourapplication -p no:cacheprovider -q 2>&1 | grep -E "^- ssh://|passed|failed" | cut -c1-${W:-400}
