cd /work/wt/blind7
BLIND_OUT=blind7/logs/results-d12-after.json .venv/bin/python blind7/run_blind.py debian12 e > blind7/logs/d12-plain-after.log 2>&1
BLIND_OUT=blind7/logs/results-d12-allowed-after.json BLIND_TARGET_KEYS='allow_apache_conf = ["/etc/apache2/conf-enabled/media.conf", "/etc/apache2/conf-enabled/wsgi-tuning.conf", "/etc/apache2/conf-enabled/admin-acl.conf"]
allow_cron = ["/etc/cron.d/app-data-backup"]
allow_units = ["app-worker.service"]' .venv/bin/python blind7/run_blind.py debian12 w > blind7/logs/d12-allowed-after.log 2>&1
