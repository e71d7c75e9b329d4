"""Other members of the classes closed after the blind run (not blind): run with BLIND_POOL=members."""
from deploytests.faults.catalogue import Fault

from faults import ALLOW_KEYS, BASE, DATA

KEYS = ALLOW_KEYS
SETPRIV = "setpriv --reuid www-data --regid www-data --clear-groups"
MEMBERS = [
    Fault("m1-allowed-cron-root-runs-shared-script", "d/cron-allowed",
          "the allowed cron file gains a root job running a script in the app's shared data",
          BASE["cron"] + "; mkdir -p " + DATA + "/bin; printf '#!/bin/sh\\ndu -sh " + DATA + "\\n' > " + DATA
          + "/bin/nightly.sh; chown -R {app_user}:{app_group} " + DATA + "/bin; "
          "printf '45 3 * * * root /bin/sh " + DATA + "/bin/nightly.sh\\n' >> /etc/cron.d/app-backup"),
    Fault("m2-allowed-process-script-group-writable", "e/process-allowed",
          "the allowed www-data exporter's script itself made group-writable by the app's group",
          BASE["process"] + "; chgrp {app_group} /opt/metrics/exporter.py; chmod 0664 /opt/metrics/exporter.py; "
          + BASE["start_exporter"].replace("runuser -u www-data --", SETPRIV)),
    Fault("m3-allowed-exporter-pythonpath-no-root-parent", "d/process-allowed",
          "the allowed www-data exporter started (as a service manager would: no root parent) with PYTHONPATH in a "
          "directory the app user owns (/var/tmp/exporter-lib)",
          BASE["process"] + "; install -d -m 0755 -o {app_user} -g {app_group} /var/tmp/exporter-lib; "
          + BASE["start_exporter"].replace("runuser -u www-data --", SETPRIV + " env PYTHONPATH=/var/tmp/exporter-lib")),
    Fault("m4-a05-no-root-parent", "e/process-allowed",
          "a05 without the root runuser parent: /opt/metrics group-writable by the app's group",
          BASE["process"] + "; chgrp {app_group} /opt/metrics; chmod 2775 /opt/metrics; "
          + BASE["start_exporter"].replace("runuser -u www-data --", SETPRIV)),
]
