"""The catalogue faults this round added (by mechanism), through the campaign as --deploytests-faults runs them.

    python blind8/catalogue8.py PLATFORM
"""
import sys

from deploytests.config import load_config
from deploytests.faults.catalogue import FAULTS
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS

NEW = {"password-login-for-the-deploy-login", "host-based-ssh-logins", "root-conf-in-the-deploy-logins-home",
       "root-job-runs-a-network-fetch", "sleep-hook-runs-the-release", "config-copy-outside-the-tree",
       "secret-value-in-apache-conf", "sshd-config-writable-by-a-group", "sudo-setenv-rule"}
APP = APPS / "yourapplication"
camp = Campaign(APP, load_config(APP), faults=[f for f in FAULTS if f.id in NEW], clean=1, batch=5, states=False,
                progress=print, stack=for_platform(sys.argv[1]))
print("\n".join(camp.run().lines()))
