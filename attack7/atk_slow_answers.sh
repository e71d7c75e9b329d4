#!/bin/sh
# The app (the deploy login's code) answers every GET whole, a byte each 7 s (each read within its 10 s timeout),
# just inside the 30 s per-answer deadline: the client is
# never marked down, so the gate asks each of its ~13 paths in turn (/, health, the private and Apache paths, the
# static file, GET / with Origin) and one host's check takes ~13 x 21 s; the run waits on it (no bound over the
# site's answers as a whole). Usage: attack7/atk_slow_answers.sh /tmp/atk7 [SECONDS]
set -eu
W=${1:-/tmp/atk7}; S=${2:-21}
ssh -F $W/ssh_config deployer "cp -p /var/www/yourapplication/application.wsgi /tmp/app.wsgi.orig && cat >> /var/www/yourapplication/application.wsgi <<PY

import time as _t
_inner = application
def application(environ, start_response):
    body = list(_inner(environ, start_response))
    def drip():
        data = b\"\".join(body)
        for i in range($S // 7):
            yield data[i:i + 1]
            _t.sleep(7)
        yield data[$S // 7:]
    return drip()
PY
touch /var/www/yourapplication/application.wsgi"
START=$(date +%s)
$W/gate.sh 2>&1 | grep -E "passed|failed" | tail -1
echo "--- the gate took $(( $(date +%s) - START )) s (one host)"
ssh -F $W/ssh_config deployer 'cp -p /tmp/app.wsgi.orig /var/www/yourapplication/application.wsgi; touch /var/www/yourapplication/application.wsgi'
