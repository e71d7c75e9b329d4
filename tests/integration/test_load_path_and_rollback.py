"""Who may write what the daemons load or what runs as root, and kept releases a rollback would make live, on
real servers (issue 17, the blind test's misses f12, f13, f14, f17, f26).

Two classes, each closed by design and tried here with members the catalogue does not have (other paths, other
owners, other files; :data:`deploytests.faults.catalogue.FAULTS` has its own): anything on the daemons' or root's
code-loading path that someone but root may write (``cw_load_path``), setuid/setgid programs in the command
directories that no installed package ships (``cw_setuid``), and a kept release whose files are not what its
installer recorded or are writable by someone but the deploy login (``rollback_ready``). Each fault runs on its own
container of a deployed snapshot (:class:`deploytests.faults.run.Campaign`) with a clean host as the control.
"""

from __future__ import annotations

import pytest
from campaigns import assert_caught_by_their_rules

from deploytests.faults.catalogue import FAULTS, Fault

pytestmark = pytest.mark.integration
PREV_SITE = "{root}/releases/{prev}/venv/lib/python{python_version}/site-packages"

VARIANTS = (
    # class A: who may write what loads code (python-home, stdlib, the dynamic linker's files and dirs)
    Fault("python-home-site-of-the-login", "cw_load_path", "the python-home's site-packages chowned to the deploy "
          "login", "chown -R {deploy_user} {python_home}/lib/python{python_version}/site-packages"),
    Fault("stdlib-package-dir-world-writable", "cw_load_path", "a package dir of the stdlib opened to everyone",
          "chmod o+w /usr/lib/python{python_version}/json"),
    Fault("ld-conf-names-app-user-dir", "cw_load_path", "an ld.so.conf.d file (last) naming a dir of the app "
          "user's", "mkdir -p /srv/ops/lib; chown {app_user} /srv/ops/lib; "
          "echo /srv/ops/lib > /etc/ld.so.conf.d/zz-ops.conf; ldconfig"),
    Fault("stock-ld-dir-group-writable", "cw_load_path", "Debian's /usr/local/lib made writable by the app's group",
          "chgrp {app_group} /usr/local/lib; chmod g+w /usr/local/lib"),
    Fault("ld-conf-file-of-the-login", "cw_load_path", "an ld.so.conf.d file the deploy login owns",
          "echo /usr/local/lib > /etc/ld.so.conf.d/local.conf; chown {deploy_user} /etc/ld.so.conf.d/local.conf"),
    Fault("setgid-shell-in-sbin", "cw_setuid", "a setgid-shadow copy of a shell in /usr/sbin",
          "cp /bin/dash /usr/sbin/opsh; chgrp shadow /usr/sbin/opsh; chmod 2755 /usr/sbin/opsh"),
    # class B: a kept release differs from what was deployed
    Fault("kept-dependency-edited", "rollback_ready", "a line appended to a dependency's module in the previous "
          "release", "echo '# hotfix' >> " + PREV_SITE + "/jinja2/__init__.py"),
    Fault("kept-dependency-removed", "rollback_ready", "a dependency (not the framework) removed from the previous "
          "release", "rm -rf " + PREV_SITE + "/itsdangerous"),
    Fault("kept-app-package-of-www-data", "rollback_ready", "the previous release's app package chowned to "
          "Apache's user", "chown -R www-data " + PREV_SITE + "/{package}"),
    Fault("kept-scripts-group-writable", "rollback_ready", "the previous release's console scripts made group-"
          "writable", "find {root}/releases/{prev}/venv/bin -type f -exec chmod g+w {{}} +"),
)


@pytest.mark.parametrize("platform", ["debian12", "debian13"])
def test_load_path_setuid_and_rollback_target_drift_is_caught_without_false_alarms(tmp_path, platform):
    assert_caught_by_their_rules(tmp_path, platform, VARIANTS)


# ---------------------------------------------------------------- what runs is what is on disk (attack5 #2)
# The deploy login changes what the daemons load, makes them load it (a touch of application.wsgi, one request),
# then puts back every byte, the mtime and the .pyc: the files on disk are right, the daemons run the change. Only
# the ctime keeps it (``loaded``). The catalogue's member (the app's module) and two others: the config, a
# dependency's module.
GET = ("python3 -c \"import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:{port}{health}', "
       "headers=dict(Host='{server_name}')), timeout=60).read()\"")
JINJA = "{site}/jinja2"
LOADED_THEN_RESTORED = (
    next(f for f in FAULTS if f.promise == "loaded"),
    Fault("config-loaded-then-restored", "loaded", "the config changed, loaded by the daemons, then put back byte "
          "for byte with its old mtime", "cp -p {config} /tmp/dt-c; echo 'DEBUG = True' >> {config}; "
          f"touch {{root}}/application.wsgi; {GET}; cat /tmp/dt-c > {{config}}; touch -r /tmp/dt-c {{config}}"),
    Fault("dependency-loaded-then-restored", "loaded", "a dependency's module changed, loaded by the daemons, then "
          "put back with its old mtime and .pyc",
          f"f={JINJA}/__init__.py; c=$(echo {JINJA}/__pycache__/__init__.*.pyc); cp -p $f /tmp/dt-j; "
          f"mv $c /tmp/dt-jc; echo 'CHANGED = 1' >> $f; touch {{root}}/application.wsgi; {GET}; "
          "cat /tmp/dt-j > $f; touch -r /tmp/dt-j $f; mv /tmp/dt-jc $c"),
)


def test_what_the_daemons_loaded_then_was_put_back_is_caught(tmp_path):
    assert_caught_by_their_rules(tmp_path, "debian12", LOADED_THEN_RESTORED)  # (the states: test_closed_world)
