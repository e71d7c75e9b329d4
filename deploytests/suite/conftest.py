"""Suite-local fixtures: none; the suite uses the plugin's public fixtures (see test_promises.py for the gate's
own: the servers' facts, gathered once per server, and what the servers should look like)."""


def pytest_terminal_summary(terminalreporter, config):
    """The drift section: per host, what changed on the server since its live release was deployed
    (:func:`deploytests.verify.promises.drift_report`), from the facts the gate gathered (no round trip)."""
    from deploytests.verify.promises import drift_report
    from deploytests.verify.report import DRIFT

    facts = config.stash.get(DRIFT, None)
    if not facts:
        return
    terminalreporter.write_sep("-", "deploytests drift since the deploy")
    for label, f in facts.items():
        for line in drift_report(f):
            terminalreporter.write_line(line if line.startswith("  ") else f"{label}: {line}")
