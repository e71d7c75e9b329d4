"""An allowance accounts for a thing's presence, never for its effect (issue 17, blind round 5's class 1), live:
each fault hides behind an allowance an operator had reason to write, and is caught by the rule of its effect
with that allowance written; the clean host passes with the same allowances. Written differently from the blind
round's own (other files, users, paths, directives, a program run instead of a file sourced):

- apache2ctl's envvars (allowed) sourcing a file the deploy login owns, behind a test (``cw_apache_files``: the
  login collector's verdict refuses apache2ctl as root, naming envvars:line);
- an allowed ``@includedir`` of a directory the gate cannot read, granting the app user find as root
  (``cw_sudoers``);
- an allowed /usr/local/bin link into a tree another account owns (``cw_load_path``);
- an allowed conf whose LogFormat in force writes the Authorization header (``sec_logs``);
- an allowed conf echoing the Origin with an ``expr=`` into Access-Control-Allow-Origin, with credentials
  (``sec_cors``, the runner's GET / from another site);
- an allowed cron job archiving ``shared/`` into /var/tmp, world-readable (``cw_schedules``).

And the records switched off by an allowed file (the allowance covers the line, never the loss of the
records: ``sec_logs``):
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
ALLOWED = (f'allow_apache_conf = ["/etc/apache2/envvars sha256:@", "{CONF}audit-log.conf sha256:@", '
           f'"{CONF}api-access.conf sha256:@", "{CONF}quiet.conf sha256:@", "{CONF}health-log.conf sha256:@"]\n'
           'allow_modules = ["headers_module"]\n'
           'allow_sudo = ["@includedir /etc/sudoers.ops.d (not looked at)", "Defaults !syslog", '
           '"Defaults>root !log_allowed"]\n'
           'allow_commands = ["/usr/local/bin/openssl sha256:@"]\n'
           'allow_cron = ["/etc/cron.d/site-archive sha256:@"]\n')  # (pinned by the campaign: its hosts' content)
SUDO = "chmod 0440 /etc/sudoers.d/{name}; visudo -c >/dev/null"
FAULTS = (
    Fault("allowed-envvars-sources-the-logins-file", "cw_apache_files", "envvars (allowed) sourcing a file the "
          "deploy login owns when it is there", "install -o {deploy_user} -m 0644 /dev/null /srv/apache-extra.env; "
          "echo '[ -r /srv/apache-extra.env ] && . /srv/apache-extra.env' >> /etc/apache2/envvars"),
    Fault("allowed-includedir-grants-the-app-user", "cw_sudoers", "an allowed @includedir of a directory the gate "
          "does not read, granting the app user find as root", "mkdir -m 0750 /etc/sudoers.ops.d; echo "
          "'{app_user} ALL=(root) NOPASSWD: /usr/bin/find' > /etc/sudoers.ops.d/ops; chmod 0440 "
          "/etc/sudoers.ops.d/ops; echo '@includedir /etc/sudoers.ops.d' >> /etc/sudoers; visudo -c >/dev/null"),
    Fault("allowed-command-link-into-anothers-tree", "cw_load_path", "an allowed /usr/local/bin/openssl, a link "
          "into /opt/toolbox that the account toolsmith owns", "useradd -r -M -s /usr/sbin/nologin toolsmith; "
          "mkdir -p /opt/toolbox/bin; cp /bin/true /opt/toolbox/bin/openssl; chown -R toolsmith /opt/toolbox; "
          "ln -s /opt/toolbox/bin/openssl /usr/local/bin/openssl"),
    Fault("allowed-conf-logs-authorization", "sec_logs", "an allowed conf whose LogFormat in force writes the "
          "Authorization header", "printf '%s\\n' 'LogFormat \"%h %t %r %>s %{{Authorization}}i\" audit' "
          "'CustomLog ${{APACHE_LOG_DIR}}/audit.log audit' > /etc/apache2/conf-available/audit-log.conf; "
          f"a2enconf -q audit-log; {GRACEFUL}"),
    Fault("allowed-conf-echoes-origin-with-credentials", "sec_cors", "an allowed conf setting Access-Control-Allow-"
          "Origin to the request's Origin (expr=) with credentials", "a2enmod -q headers; printf '%s\\n' "
          "'Header always set Access-Control-Allow-Origin \"expr=%{{req:Origin}}\"' 'Header always set "
          "Access-Control-Allow-Credentials true' > /etc/apache2/conf-available/api-access.conf; a2enconf -q "
          f"api-access; {GRACEFUL}"),
    Fault("allowed-cron-archives-shared-for-all", "cw_schedules", "an allowed cron job archiving shared/ into "
          "/var/tmp, the archive world-readable (its first run)", "printf '%s\\n' 'SHELL=/bin/sh' '0 4 * * * root "
          "cd {root} && tar cf /var/tmp/site-$(date +\\%u).tar shared' > /etc/cron.d/site-archive; cd {root}; "
          "tar cf /var/tmp/site-$(date +%u).tar shared; chmod 0644 /var/tmp/site-*.tar"),
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


def test_what_an_allowed_thing_does_is_judged_with_its_allowance_written(tmp_path):
    assert_caught_by_their_rules(tmp_path, "debian12", FAULTS, target_keys=ALLOWED)
