from deploytests.tasks import *  # noqa: F401,F403  the recipe's tasks: pack, bootstrap, deploy, rollback, status, target
