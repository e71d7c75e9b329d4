"""Ordinary hardening applied by hand as root on a deployed server (CIS's Debian benchmark and DevSec's roles: cron's
directories ``0700``, ``sshd_config`` ``0600`` and its drop-ins' directory ``0700``, ``/etc/security`` and
``limits.d`` o-rwx, root's umask ``027``, so each file root writes later is ``0640``): the read-only gate passes,
with nothing allowed. Then faults hidden in what hardening made root's alone, written by root under that umask: a
root job in the ``0700`` ``/etc/cron.d`` and a script in the ``0700`` ``/etc/cron.daily`` running programs the
deploy login may change, and ``PermitRootLogin yes`` in the ``0600`` ``sshd_config``: each fails, named (the root
collector's copy of what the login may not read). No package is installed: these places are on the image."""

from __future__ import annotations

import pytest
from test_admin_tooling import APP, gate, root

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.stacks import for_platform

pytestmark = pytest.mark.integration
SCHEDULES = "test_no_unaccounted_scheduled_jobs[ssh://appuser@web]"
SSHD = "test_sshd_config_is_accounted_for[ssh://appuser@web]"

HARDEN = """
chmod 0700 /etc/cron.d /etc/cron.daily
chmod 0600 /etc/ssh/sshd_config
grep -qi '^Include' /etc/ssh/sshd_config || sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config
printf 'MaxAuthTries 4\\n' > /etc/ssh/sshd_config.d/50-cis.conf
chmod 0600 /etc/ssh/sshd_config.d/50-cis.conf && chmod 0700 /etc/ssh/sshd_config.d && sshd -t
mkdir -p /etc/security/limits.d && printf '* hard core 0\\n' > /etc/security/limits.d/10.hardcore.conf
chmod 0440 /etc/security/limits.d/10.hardcore.conf && chmod 0750 /etc/security
printf 'umask 027\\n' >> /root/.bashrc
"""
# written as root under its umask 027 (each file 0640, root's alone) once the server is hardened
HIDE = """
umask 027
install -d -o appuser /home/appuser/bin
printf '#!/bin/sh\\ntrue\\n' > /home/appuser/bin/tidy && chown appuser /home/appuser/bin/tidy
chmod 0755 /home/appuser/bin/tidy
printf '*/5 * * * * root /home/appuser/bin/tidy\\n' > /etc/cron.d/tidy
printf '#!/bin/sh\\nexec /home/appuser/bin/tidy --daily\\n' > /etc/cron.daily/tidy && chmod 0750 /etc/cron.daily/tidy
sed -i '1i PermitRootLogin yes' /etc/ssh/sshd_config && sshd -t
"""


def test_ordinary_hardening_passes_and_what_it_hides_is_still_judged(tmp_path):
    cfg, stack = load_config(APP), for_platform("debian12")
    with Fleet(count=1, name_prefix="hardened", image=stack.image, base=stack.base_image,
               progress=lambda m: None) as fleet:
        c = fleet.servers[0].connection()
        boot = pipeline.bootstrap(c, cfg)
        pipeline.deploy(c, cfg, pipeline.pack(APP, cfg, python_version=boot.python_version))
        box = fleet.containers[0]
        root(box, HARDEN)
        (tmp_path / "hardened").mkdir()
        (tmp_path / "hidden").mkdir()
        assert gate(tmp_path / "hardened", fleet) == {}  # (each place read by root: nothing to allow)
        root(box, HIDE)
        failed = gate(tmp_path / "hidden", fleet)
        assert set(failed) == {SCHEDULES, SSHD}, failed
        jobs = "\n".join(failed[SCHEDULES])
        assert "/etc/cron.d/tidy:1: runs '/home/appuser/bin/tidy' as root: it runs /home/appuser/bin/tidy, which " \
               "someone but root may change" in jobs, jobs
        assert "/etc/cron.daily/tidy: runs " in jobs and "Permission denied" not in jobs, jobs
        assert failed[SSHD] == ["/etc/ssh/sshd_config:1: permitrootlogin yes: root logs in with a password: one "
                                "guessed or leaked password is root"], failed[SSHD]
