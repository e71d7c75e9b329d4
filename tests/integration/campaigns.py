"""One assertion for the closed-world integration tests: a fault campaign on real containers in which every fault
is caught by the rule of its own mechanism, the clean host and the pipeline's states raise no false alarm."""

from __future__ import annotations

from deploytests.config import load_config
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS
from deploytests.verify.promises import BY_ID

APP = APPS / "yourapplication"


def assert_caught_by_their_rules(tmp_path, platform: str, faults, *, target_keys: str = "", batch: int = 6):
    """Run ``faults`` (each on its own container of a deployed snapshot) with a clean host, on ``platform``,
    read-only; fail unless every fault is caught, by the test of its ``Fault.promise`` (a promise id, or a test
    name), and the clean host passes. Returns the campaign's report."""
    __tracebackhide__ = True
    campaign = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=batch, cwd=tmp_path,
                        progress=lambda m: None, stack=for_platform(platform), target_keys=target_keys)
    report = campaign.run()
    shown = "\n".join(report.lines())
    assert not [i.name for i in report.faults if not i.caught or i.problem], shown
    assert not report.false_alarms, shown
    for item in report.faults:  # caught by the rule of its mechanism, not by luck
        want = BY_ID[item.fault.promise].test if item.fault.promise in BY_ID else item.fault.promise
        assert any(t.split("::")[-1].startswith(want) for t in item.failed), (item.name, item.failed, shown)
    return report
