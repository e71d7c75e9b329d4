from deploytests.tasks import *  # noqa: F401,F403  pack, bootstrap, deploy, rollback, status, run, target
