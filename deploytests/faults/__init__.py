"""The fault catalogue and the campaign that measures a gate's sensitivity with it (``pytest
--deploytests-faults``): see :mod:`deploytests.faults.catalogue` and :mod:`deploytests.faults.run`."""

from .catalogue import FAULTS, Fault
from .run import Campaign, Report

__all__ = ["FAULTS", "Fault", "Campaign", "Report"]
