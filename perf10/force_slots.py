"""Measurement only: ``-p perf10.force_slots`` with ``PERF10_SLOTS=N`` runs N scenarios at once whatever the load."""

import os
import sys


def pytest_collection_finish(session):
    n = int(os.environ["PERF10_SLOTS"])
    for mod in list(sys.modules.values()):
        if hasattr(mod, "scenarios_early") and hasattr(mod, "scenario_slots"):
            mod.scenario_slots = lambda *a, **k: n
