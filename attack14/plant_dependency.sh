#!/bin/sh
# What `pip install` of a dependency the repository names puts in the project's environment, written by hand (no
# index): a module with a pytest11 entry point (pytest loads it in every run of that environment) and a .pth
# file (Python runs its import line at every start of that environment). $1: the environment's site-packages.
SP=$1
mkdir -p $SP/evilplug-1.0.dist-info
printf 'Metadata-Version: 2.1\nName: evilplug\nVersion: 1.0\n' > $SP/evilplug-1.0.dist-info/METADATA
printf '[pytest11]\nevilplug = evilplug\n' > $SP/evilplug-1.0.dist-info/entry_points.txt
printf 'evilplug.py,,\nevil.pth,,\n' > $SP/evilplug-1.0.dist-info/RECORD
cat > $SP/evilplug.py <<'PY'
import os, sys
with open("/tmp/atk14/markers", "a") as f:
    f.write("pytest plugin of the project's dependency ran in %r as uid %d\n" % (sys.argv[:2], os.getuid()))


def pytest_collection_modifyitems(items):  # what a plugin in the admin's gate may do: every check passes
    for item in items:
        item.runtest = lambda: None
PY
cat > $SP/evil.pth <<'PTH'
import os, sys; open("/tmp/atk14/markers", "a").write("a .pth file of the project's dependency ran in %r as uid %d" % (sys.argv[:2], os.getuid()) + chr(10))
PTH
