#!/bin/sh
# An allow_processes entry binds the user, the command line's words and (for -m, -c, a relative script) the working
# directory; not the program the kernel runs (exe) nor the environment the process chose. The admin allows the app's
# worker in writing; the deploy login, through its own sudo rule (the release's python as the app user), starts a
# detached process of the app user with exactly that command line, working directory / (root's alone), and
#   env: the release's python itself, PYTHONPATH=/dev/shm/w: -m imports /dev/shm/w/yourapplication/worker.py
#   exe: /bin/bash under the python's name (argv[0] is the caller's choice), PATH=/dev/shm/w: bash -m runs the script
#        it finds by that name in PATH
# The worker's code is the deploy login's file in /dev/shm, not the release's; the gate passes.
# Usage: attack8/atk_allowed_process_env.sh /tmp/atk8 env|exe
set -eu
W=${1:-/tmp/atk8}; V=${2:-env}
cd $W && cp targets.toml targets.before-allow
python3 -c "
p='targets.toml'; s=open(p).read()
open(p,'w').write(s.replace('deploy = false\n', 'deploy = false\nallow_processes = [\"yourapplication: /var/www/yourapplication/current/venv/bin/python -m yourapplication.worker\"]\n', 1))"
ssh -F $W/ssh_config deployer "V=$V"'; set -e; R=$(readlink -f /var/www/yourapplication/current); mkdir -p /dev/shm/w/yourapplication; chmod -R 755 /dev/shm/w
printf "" > /dev/shm/w/yourapplication/__init__.py
printf "import os, time\nwhile True:\n    open(\"/tmp/worker-ran\", \"a\").write(\"%%d %%s python from /dev/shm\\\\n\" %% (os.getuid(), time.strftime(\"%%T\")))\n    time.sleep(5)\n" > /dev/shm/w/yourapplication/worker.py
mkfifo -m 666 /dev/shm/w/f; printf "exec 3<>/dev/shm/w/f; while :; do printf \"%%s %%(%%T)T bash from /dev/shm\\\\n\" \$UID -1 >> /tmp/worker-ran; read -t 5 -u 3; done\n" > /dev/shm/w/yourapplication.worker
chmod 755 /dev/shm/w/yourapplication.worker; chmod 644 /dev/shm/w/yourapplication/*.py
sudo -n -u yourapplication $R/venv/bin/python -c "import os, sys
if os.fork(): sys.exit(0)
os.setsid(); os.chdir(\"/\"); fd = os.open(\"/dev/null\", os.O_RDWR); [os.dup2(fd, n) for n in (0, 1, 2)]
argv = [\"/var/www/yourapplication/current/venv/bin/python\", \"-m\", \"yourapplication.worker\"]
if sys.argv[1] == \"env\":
    os.execve(argv[0], argv, {\"PATH\": \"/usr/bin:/bin\", \"PYTHONPATH\": \"/dev/shm/w\"})
os.execve(\"/bin/bash\", argv, {\"PATH\": \"/dev/shm/w:/usr/bin:/bin\"})" $V
sleep 2; ps -u yourapplication -o user,pid,ppid,args | grep [w]orker; tail -2 /tmp/worker-ran'
echo "--- the gate, with the worker allowed in writing:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed,|failed,|allowed by" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || { cp targets.before-allow targets.toml; ssh -F $W/ssh_config deployer 'R=$(readlink -f /var/www/yourapplication/current); for pid in $(ps -u yourapplication -o pid,args | grep "[y]ourapplication.worker" | awk "{print \$1}"); do sudo -n -u yourapplication $R/venv/bin/python -c "import os,sys; os.kill(int(sys.argv[1]), 9)" $pid; done; rm -rf /dev/shm/w'; docker exec $(cat $W/ct) rm -f /tmp/worker-ran; }
