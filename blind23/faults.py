"""A blind fault set: written from README.md, docs/ and public knowledge of Debian, Apache and mod_wsgi only,
before reading the gate's checks or the fault catalogue.

Each fault is a root shell snippet run in a deployed server (docker exec), on a server where two releases were
deployed in turn (the previous one is the rollback target). Placeholders: {root} the app's tree, {app} the app
(and app user), {live} / {prev} the live release id and the one a rollback switches to, {py} pythonX.Y, {pyexe}
the stack's python3.X. ``probe``: a root shell snippet run after the gate, that exits 0 when the fault really
has the effect the reason claims (None: the effect is documented, not measured here).
Kinds: rollback (a broken rollback target), config (a mechanism disabled by configuration), drift (operator
drift: security or serving).
"""

from __future__ import annotations

from typing import NamedTuple


class Fault(NamedTuple):
    id: str
    kind: str
    snippet: str
    reason: str
    probe: str | None = None


PREV = "{root}/releases/{prev}"
PREV_SITE = PREV + "/venv/lib/{py}/site-packages"
SUDO_APP = "su -s /bin/sh deployer -c 'sudo -n -u {app} " + PREV + "/venv/bin/python -c \"{code}\"'"

FAULTS = [
    # ---- broken rollback targets -------------------------------------------------------------------------
    Fault("rb-prev-venv-deduped-to-live", "rollback",
          f"rm -rf {PREV}/venv && ln -s {{root}}/releases/{{live}}/venv {PREV}/venv",
          "a disk clean-up replaced the previous release's venv by a link to the live one's (same packages, "
          "it thought): a rollback would switch to the previous id but run the live release's code",
          f"test -L {PREV}/venv"),
    Fault("rb-prev-pyvenv-home-moved", "rollback",
          f"sed -i 's|^home = .*|home = /opt/python/bin|' {PREV}/venv/pyvenv.cfg",
          "pyvenv.cfg's home edited to a Python that is not there (a Python 'relocation'): the previous "
          "release's interpreter cannot find its standard library, a rollback cannot import it",
          f"! {PREV}/venv/bin/python -c 'import flask' 2>/dev/null"),
    Fault("rb-prev-code-hotfixed", "rollback",
          f"f={PREV_SITE}/{{app}}/__init__.py; sed -i '1i import os  # hotfix backported by hand' $f; "
          f"rm -rf {PREV_SITE}/{{app}}/__pycache__",
          "an operator back-ported a 'hotfix' by hand into the previous release's code: a rollback would run "
          "code that was never packed, tested or deployed",
          f"grep -q 'hotfix backported' {PREV_SITE}/{{app}}/__init__.py"),
    Fault("rb-config-copies-removed", "rollback",
          "rm -f {root}/.configs/*",
          "a clean-up of hidden directories removed the kept config copies: a rollback is refused (the config "
          "its release started with is gone), and so is the next config change's rollback",
          "test -z \"$(ls -A {root}/.configs)\""),
    Fault("rb-prev-data-link-repointed", "rollback",
          f"mkdir -p /srv/{{app}}-data-old && cp -a {{root}}/shared/data/. /srv/{{app}}-data-old/ && "
          f"ln -sfn /srv/{{app}}-data-old {PREV}/data",
          "a data migration left the previous release's shared link on a stale copy: a rollback would serve "
          "with other data than shared/ (lost writes, a stale database)",
          f"test \"$(readlink {PREV}/data)\" = /srv/{{app}}-data-old"),
    Fault("rb-prev-archived", "rollback",
          f"mv {PREV} {PREV}.bak",
          "an operator 'archived' the previous release under another name: the live release's recorded "
          "previous is gone, no rollback target",
          f"! test -e {PREV}"),
    Fault("rb-prev-python-wrapped", "rollback",
          f"p={PREV}/venv/bin/python; rm -f $p; printf '#!/bin/sh\\nexec /usr/bin/{{pyexe}} \"$@\"\\n' > $p; "
          "chmod 755 $p; chown deployer: $p",
          "an APM auto-instrumentation step replaced the previous release's venv/bin/python by a wrapper "
          "script: the interpreter it runs is not the venv's (no site-packages), a rollback cannot import it",
          f"! {PREV}/venv/bin/python -c 'import flask' 2>/dev/null"),
    # ---- mechanisms disabled by configuration --------------------------------------------------------------
    Fault("cfg-pidfile-moved", "config",
          "echo 'PidFile /run/apache2/httpd.pid' > /etc/apache2/conf-available/pidfile.conf && a2enconf -q pidfile",
          "a PidFile line no running Apache wrote: apache2ctl graceful (bootstrap's reload, logrotate's nightly "
          "one) finds no server and tries to start a second one: the reload does not happen",
          "apache2ctl graceful; sleep 1; ! test -s /run/apache2/httpd.pid || "
          "! kill -0 $(cat /run/apache2/httpd.pid) 2>/dev/null || "
          "test \"$(cat /run/apache2/httpd.pid)\" != \"$(cat /run/apache2/apache2.pid)\""),
    Fault("cfg-embedded-mode", "config",
          "printf '<Location />\\n    WSGIProcessGroup %%{{GLOBAL}}\\n</Location>\\n' > "
          "/etc/apache2/conf-available/wsgi-embedded.conf && a2enconf -q wsgi-embedded && apache2ctl graceful",
          "a conf line selects mod_wsgi's embedded mode for every URL: the app leaves its daemon (its user, "
          "umask, python-home, and the touch reload a deploy relies on)",
          None),
    Fault("cfg-wsgi-socket-prefix", "config",
          "echo 'WSGISocketPrefix /run/wsgi-sockets/wsgi' > /etc/apache2/conf-available/wsgi-sock.conf && "
          "a2enconf -q wsgi-sock",
          "a WSGISocketPrefix in a directory that does not exist, not yet in force: at Apache's next graceful "
          "restart the daemons cannot make their sockets, the site answers 503",
          "apache2ctl graceful; sleep 3; test \"$(curl -s -o /dev/null -w '%{{http_code}}' -H 'Host: localhost' "
          "http://127.0.0.1/health)\" != 200"),
    Fault("cfg-sudo-requiretty", "config",
          "echo 'Defaults requiretty' > /etc/sudoers.d/zz-hardening && chmod 0440 /etc/sudoers.d/zz-hardening",
          "a CIS-style hardening line: sudo refuses without a terminal, so the deploy's release check "
          "(the deploy login runs the release's Python as the app user over a non-tty SSH exec) fails: every "
          "deploy and rollback is refused",
          "! " + SUDO_APP.replace("{code}", "pass")),
    Fault("cfg-sudo-noexec", "config",
          "echo 'Defaults:deployer noexec' > /etc/sudoers.d/zz-noexec && chmod 0440 /etc/sudoers.d/zz-noexec",
          "sudo's noexec for the deploy login: the release check cannot run the post_deploy commands (execve "
          "fails in it), every deploy is refused",
          "! " + SUDO_APP.replace("{code}", "import subprocess; subprocess.run(['/bin/true'], check=True)")),
    Fault("cfg-health-local-denied", "config",
          "printf '<Location /health>\\n    Require ip 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16\\n</Location>\\n' "
          "> /etc/apache2/conf-available/health-lb.conf && a2enconf -q health-lb && apache2ctl graceful",
          "the health path allowed to the load balancers' networks only: the deploy's own gate (GET on the "
          "server, from 127.0.0.1) gets 403, so every deploy and rollback switches back; the site still answers",
          "test \"$(curl -s -o /dev/null -w '%{{http_code}}' -H 'Host: localhost' http://127.0.0.1/health)\" = 403"),
    Fault("cfg-release-header-stripped", "config",
          "a2enmod -q headers && echo 'Header always unset X-Deploy-Release' > "
          "/etc/apache2/conf-available/no-leak.conf && echo 'Header unset X-Deploy-Release' >> "
          "/etc/apache2/conf-available/no-leak.conf && a2enconf -q no-leak && apache2ctl graceful",
          "an information-leak hardening strips the release header: the deploy's gate never sees the new "
          "release answer, every deploy switches back",
          "! curl -si -H 'Host: localhost' http://127.0.0.1/health | grep -qi '^X-Deploy-Release'"),
    Fault("cfg-loglevel-emerg", "config",
          "echo 'LogLevel emerg' > /etc/apache2/conf-available/quiet.conf && a2enconf -q quiet && "
          "apache2ctl graceful",
          "a 'quiet logs' snippet: mod_wsgi's tracebacks (a release that fails to import, a daemon that dies) "
          "are no longer written: a failed deploy's report and the operator have no error log",
          None),
    Fault("cfg-app-limits", "config",
          "echo '{app} hard as 65536' > /etc/security/limits.d/{app}.conf",
          "an address-space limit for the app user (pam_limits on sudo's session): the release check, run "
          "through sudo as the app user, cannot start Python: every deploy and rollback is refused",
          "! " + SUDO_APP.replace("{code}", "import flask")),
    Fault("cfg-envvars-pythonpath", "config",
          "echo 'export PYTHONPATH={root}/releases/{live}/venv/lib/{py}/site-packages' >> /etc/apache2/envvars",
          "a PYTHONPATH pinned to today's release in Apache's environment (at its next start): every daemon "
          "imports that release first, whatever current names: later deploys and rollbacks switch nothing",
          None),
    # ---- operator drift -------------------------------------------------------------------------------------
    Fault("drift-http-server-left", "drift",
          "su -s /bin/sh deployer -c 'cd {root} && nohup python3 -m http.server 8081 >/dev/null 2>&1 &' ; sleep 1",
          "a file server left running by the deploy login in the app's tree: it serves .configs (the app's "
          "secrets) and shared data to anyone who reaches the port",
          "curl -sf http://127.0.0.1:8081/.configs/ >/dev/null"),
    Fault("drift-config-edited-live", "drift",
          "echo 'DEBUG = True' >> {root}/shared/application.cfg",
          "the live config edited by hand: the daemons run with the config they started with, the next restart "
          "(a graceful, a crash) runs another one, in debug mode",
          "grep -q '^DEBUG = True' {root}/shared/application.cfg"),
    Fault("drift-status-public", "drift",
          "sed -i 's/Require local/Require all granted/' /etc/apache2/mods-available/status.conf && "
          "apache2ctl graceful",
          "server-status opened to everyone (to graph it from a monitoring host): every client's address and "
          "URL, and the server's layout, to anyone",
          "grep -q 'Require all granted' /etc/apache2/mods-available/status.conf"),
]

# written after reading the gate: other members of the classes the blind set found open (not in its figure)
MEMBERS = [
    Fault("cls-errorlog-devnull", "config",
          "echo 'ErrorLog /dev/null' > /etc/apache2/conf-available/central-logging.conf && "
          "a2enconf -q central-logging && apache2ctl graceful",
          "the error log sent to /dev/null ('we ship logs elsewhere'): mod_wsgi's tracebacks are discarded",
          "sleep 1; apache2ctl -t -D DUMP_RUN_CFG >/dev/null; grep -q /dev/null "
          "/etc/apache2/conf-enabled/central-logging.conf"),
    Fault("cls-sudo-noexec-rule", "config",
          "echo 'deployer ALL=({app}) NOPASSWD:NOEXEC: {root}/releases/*/venv/bin/python' > "
          "/etc/sudoers.d/zz-app-noexec && chmod 0440 /etc/sudoers.d/zz-app-noexec",
          "a later rule for the deploy login with NOEXEC: (sudo takes the last match): the release check cannot "
          "run post_deploy, every deploy is refused",
          "! " + SUDO_APP.replace("{code}", "import subprocess; subprocess.run(['/bin/true'], check=True)")),
]

CONTROLS = [
    Fault("ctl-graceful", "control", "apache2ctl graceful; sleep 2",
          "logrotate's nightly reload: Apache restarts its children and the app's daemons"),
    Fault("ctl-touch", "control", "touch {root}/application.wsgi; sleep 2",
          "an operator forcing the app's daemons to restart by hand"),
    Fault("ctl-hardening", "control",
          "printf 'ServerTokens Prod\\nServerSignature Off\\nTraceEnable Off\\n' > "
          "/etc/apache2/conf-available/zz-hardening.conf && a2enconf -q zz-hardening && apache2ctl graceful; sleep 2",
          "ordinary Apache hardening"),
    Fault("ctl-nosniff", "control",
          "a2enmod -q headers && echo 'Header always set X-Content-Type-Options nosniff' > "
          "/etc/apache2/conf-available/nosniff.conf && a2enconf -q nosniff && apache2ctl graceful; sleep 2",
          "a security header added site-wide with Debian's mod_headers"),
    Fault("ctl-tooling", "control",
          "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "
          "cron rsyslog htop >/dev/null && (cron; rsyslogd)",
          "ordinary admin tooling installed by hand and started: cron, rsyslog, htop"),
    Fault("ctl-ops-login", "control",
          "useradd -m -s /bin/bash ops && echo 'Welcome to web' > /etc/motd",
          "a plain login for an operator (no sudo), a motd"),
    Fault("ctl-timezone-sysctl", "control",
          "ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime && echo Europe/Berlin > /etc/timezone && "
          "echo 'net.core.somaxconn = 1024' > /etc/sysctl.d/99-tune.conf",
          "the server's time zone set, a sysctl tuning file"),
]
