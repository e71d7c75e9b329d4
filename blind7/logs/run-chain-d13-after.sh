cd /work/wt/blind7
BLIND_OUT=blind7/logs/results-d13-after.json .venv/bin/python blind7/run_blind.py debian13 e > blind7/logs/d13-plain-after.log 2>&1
BLIND_OUT=blind7/logs/results-d13-allowed-after.json BLIND_TARGET_KEYS='allow_apache_conf = ["/etc/apache2/conf-enabled/media.conf", "/etc/apache2/conf-enabled/wsgi-tuning.conf", "/etc/apache2/conf-enabled/admin-acl.conf"]
allow_cron = ["/etc/cron.d/app-data-backup"]
allow_units = ["app-worker.service"]' .venv/bin/python blind7/run_blind.py debian13 w > blind7/logs/d13-allowed-after.log 2>&1
