"""One assertion for the closed-world integration tests: a fault campaign on real containers in which every fault
is caught by the rule of its own mechanism, the clean host and the pipeline's states raise no false alarm."""

from __future__ import annotations

import atexit

from deploytests.config import load_config
from deploytests.faults.run import Campaign
from deploytests.stacks import for_platform
from deploytests.suite.lab import APPS
from deploytests.verify.promises import BY_ID

APP = APPS / "yourapplication"


SNAPSHOTS: dict[str, Campaign] = {}  # per platform, this process's first campaign: its snapshot serves the rest


@atexit.register
def _remove_snapshots() -> None:  # (a process killed outright leaves them to the sweep: their owner is gone)
    for campaign in SNAPSHOTS.values():
        campaign.remove_image()


def assert_caught_by_their_rules(tmp_path, platform: str, faults, *, target_keys: str = "", batch: int = 6,
                                 states: bool = False):
    """Run ``faults`` (each on its own container of a deployed snapshot) with a clean host, on ``platform``,
    read-only; fail unless every fault is caught, by the test of its ``Fault.promise`` (a promise id, or a test
    name), and the clean host passes. ``states``: the pipeline's legitimate states too, as controls (every rule
    runs on each, so one campaign per platform with them is enough). The deployed snapshot is built once per
    platform and process and shared (the image is immutable: every host is a fresh container of it). Returns the
    campaign's report."""
    __tracebackhide__ = True
    first = SNAPSHOTS.get(platform)
    campaign = Campaign(APP, load_config(APP), faults=faults, clean=1, batch=batch, cwd=tmp_path,
                        progress=lambda m: None, stack=for_platform(platform), target_keys=target_keys,
                        states=states, snapshot_from=first)
    if first is None:
        campaign.keep_image = True
        SNAPSHOTS[platform] = campaign
    report = campaign.run()
    shown = "\n".join(report.lines())
    assert not [i.name for i in report.faults if not i.caught or i.problem], shown
    assert not report.false_alarms, shown
    for item in report.faults:  # caught by the rule of its mechanism, not by luck
        want = BY_ID[item.fault.promise].test if item.fault.promise in BY_ID else item.fault.promise
        assert any(t.split("::")[-1].startswith(want) for t in item.failed), (item.name, item.failed, shown)
    return report
