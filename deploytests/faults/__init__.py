"""The fault catalogue and the campaign that measures a gate's sensitivity with it (``pytest
--deploytests-faults``): see :mod:`deploytests.faults.catalogue` and :mod:`deploytests.faults.run`.

Imported lazily: the plugin registers :mod:`deploytests.faults.plugin` only in a run given
``--deploytests-faults``, and even that run imports the campaign only when it starts."""

__all__ = ["FAULTS", "Fault", "Campaign", "Report"]


def __getattr__(name):
    if name in ("FAULTS", "Fault"):
        from . import catalogue

        return getattr(catalogue, name)
    if name in ("Campaign", "Report"):
        from . import run

        return getattr(run, name)
    raise AttributeError(name)
