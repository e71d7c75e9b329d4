"""The fault catalogue and the campaign that measures a gate's sensitivity with it (``pytest
--deploytests-faults``): see :mod:`deploytests.faults.catalogue` and :mod:`deploytests.faults.run`.

Imported lazily: the plugin registers :mod:`deploytests.faults.plugin` in every pytest run of an environment
where deploytests is installed, and a run without ``--deploytests-faults`` must not pay for the campaign."""

__all__ = ["FAULTS", "Fault", "Campaign", "Report"]


def __getattr__(name):
    if name in ("FAULTS", "Fault"):
        from . import catalogue

        return getattr(catalogue, name)
    if name in ("Campaign", "Report"):
        from . import run

        return getattr(run, name)
    raise AttributeError(name)
