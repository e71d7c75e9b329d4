"""The fault catalogue (:mod:`deploytests.faults.catalogue`) and the campaign that measures a gate's sensitivity
with it (:mod:`deploytests.faults.run`, ``pytest --deploytests-faults``).

Nothing here is imported by an ordinary pytest run: the plugin registers :mod:`deploytests.faults.plugin` only in
a run given ``--deploytests-faults``, and even that run imports the campaign only when it starts."""
