#!/bin/sh
# An allow_processes entry ("USER: COMMAND-LINE PREFIX") binds the command line, which its process chooses; the same
# user's other code passes under it. The admin allows the app's worker (app user, run from the live release); the
# deploy login (through its own sudo rule: the release's python as the app user) starts a detached process of the app
# user with that very command line whose code is its own file in /dev/shm (python -m imports from the working
# directory first). The gate passes; the worker it allowed is not running at all.
# Usage: attack7/atk_allowed_process_title.sh /tmp/atk7
set -eu
W=${1:-/tmp/atk7}
cd $W && cp targets.toml targets.before-allow
python3 -c "
p='targets.toml'; s=open(p).read()
open(p,'w').write(s.replace('deploy = false\n', 'deploy = false\nallow_processes = [\"yourapplication: /var/www/yourapplication/current/venv/bin/python -m yourapplication.worker\"]\n', 1))"
ssh -F $W/ssh_config deployer 'set -e; R=$(readlink -f /var/www/yourapplication/current); mkdir -p /dev/shm/w/yourapplication; chmod -R 755 /dev/shm/w
printf "" > /dev/shm/w/yourapplication/__init__.py
printf "import os, time\nwhile True:\n    open(\"/tmp/worker-ran\", \"a\").write(\"%%d %%s\\\\n\" %% (os.getuid(), time.strftime(\"%%T\")))\n    time.sleep(5)\n" > /dev/shm/w/yourapplication/worker.py
chmod 644 /dev/shm/w/yourapplication/*.py
cd /dev/shm/w && sudo -n -u yourapplication $R/venv/bin/python -c "import os, sys
if os.fork(): sys.exit(0)
os.setsid(); os.chdir(\"/dev/shm/w\"); fd = os.open(\"/dev/null\", os.O_RDWR); [os.dup2(fd, n) for n in (0, 1, 2)]
os.execv(\"/var/www/yourapplication/current/venv/bin/python\", [\"/var/www/yourapplication/current/venv/bin/python\", \"-m\", \"yourapplication.worker\"])"
sleep 2; ps -eo user,pid,ppid,args | grep [w]orker; cat /tmp/worker-ran'
echo "--- the gate, with the worker allowed in writing:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed" || true
[ -n "${KEEP:-}" ] || { cp targets.before-allow targets.toml; ssh -F $W/ssh_config deployer 'R=$(readlink -f /var/www/yourapplication/current); pid=$(ps -eo pid,args | grep "[y]ourapplication.worker" | awk "{print \$1}"); sudo -n -u yourapplication $R/venv/bin/python -c "import os,sys; os.kill(int(sys.argv[1]), 15)" $pid; rm -rf /dev/shm/w'; }
