"""An allowance never covers the loss of the server's records, live: each fault is a file an operator allowed for
what it does (a sudoers line, an Apache conf), which also switches off the records the team reads after an
incident; the records rule (``sec_logs``) catches it with that allowance written, and the clean host passes with
the same allowances.

- an allowed sudoers file saying ``Defaults !syslog`` (Debian's sudo logs to syslog only: every sudo unrecorded);
- an allowed sudoers line ``Defaults>root !log_allowed`` (the commands run as root unrecorded);
- an allowed conf lowering Apache's ``LogLevel`` to ``crit`` (the app's tracebacks, logged at error, dropped);
- an allowed conf writing the access log of every site without its own to ``/dev/null``.
"""

from __future__ import annotations

import pytest
from campaigns import assert_caught_by_their_rules

from deploytests.faults.catalogue import GRACEFUL, Fault

pytestmark = pytest.mark.integration

CONF = "/etc/apache2/conf-enabled/"
ALLOWED = (f'allow_apache_conf = ["{CONF}quiet.conf sha256:@", "{CONF}health-log.conf sha256:@"]\n'
           'allow_sudo = ["Defaults !syslog", "Defaults>root !log_allowed"]\n')  # (pinned by the campaign)
SUDO = "chmod 0440 /etc/sudoers.d/{name}; visudo -c >/dev/null"
FAULTS = (
    Fault("allowed-sudoers-stops-syslog", "sec_logs", "an allowed sudoers file telling sudo not to log to syslog "
          "('auth.log noise'), with no log file: no sudo is recorded",
          "echo 'Defaults !syslog' > /etc/sudoers.d/quiet; " + SUDO.format(name="quiet")),
    Fault("allowed-sudoers-unlogs-root-commands", "sec_logs", "an allowed sudoers line telling sudo not to log "
          "the commands it runs as root", "echo 'Defaults>root !log_allowed' > /etc/sudoers.d/audit; "
          + SUDO.format(name="audit")),
    Fault("allowed-conf-loglevel-crit", "sec_logs", "an allowed conf lowering Apache's LogLevel to crit: the "
          "app's tracebacks (error) are dropped", "echo 'LogLevel crit' > /etc/apache2/conf-available/quiet.conf; "
          f"a2enconf -q quiet; {GRACEFUL}"),
    Fault("allowed-conf-access-log-to-null", "sec_logs", "an allowed conf sending the access log of every site "
          "without its own to /dev/null", "echo 'CustomLog /dev/null combined' > "
          f"/etc/apache2/conf-available/health-log.conf; a2enconf -q health-log; {GRACEFUL}"),
)


def test_records_switched_off_under_an_allowance_are_caught_with_it_written(tmp_path):
    assert_caught_by_their_rules(tmp_path, "debian12", FAULTS, target_keys=ALLOWED)
