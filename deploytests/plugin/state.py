"""What the plugin's modules share: the stash keys, the markers, which tests are ours, and the plugin's own output
(a line on the terminal, a session stop), where the app config's values are redacted."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, NoReturn

import pytest

from .. import untrusted
from ..errors import DeployTestsError
from ..settings import Settings

if TYPE_CHECKING:
    from ..config import DeployConfig
    from ..redaction import Secrets
    from ..targets import Provider

SETTINGS = pytest.StashKey[Settings]()
PROVIDER: pytest.StashKey[Provider] = pytest.StashKey()
RUN = pytest.StashKey[dict]()
ERROR = pytest.StashKey[DeployTestsError]()  # a bad setting, raised only if the run uses deploytests
PENDING = pytest.StashKey[DeployTestsError]()  # xdist worker: the stop its first test of ours raises
USED = pytest.StashKey[bool]()  # a collected test uses deploytests, or a deploytests option was given
CONFIG: pytest.StashKey[DeployConfig] = pytest.StashKey()  # the app's deploy config, loaded once per run
SECRETS: pytest.StashKey[Secrets] = pytest.StashKey()  # the app config's values, redacted from every output
ALIASES = pytest.StashKey[set[str]]()  # the options whose short alias (``--target``) this run added

DEPLOYS, DESTRUCTIVE = "deploytests_deploys", "deploytests_destructive"
MARKERS = {
    DEPLOYS: "deploytests: the test changes what runs on the target (needs deploy = true; skipped otherwise)",
    DESTRUCTIVE: "deploytests: failure injection: broken releases, interrupted deploys, rollback drills (needs "
                 "destructive = true; skipped otherwise)",
}
ROOTS = ("deploy_settings", "deploy_target")  # every fixture of this plugin depends on one of them
STOP = "deploytests: "  # the head of the reason of every session stop of ours (see :func:`stop`)


def uses_deploytests(item) -> bool:
    """True when the test carries one of this plugin's markers or its fixture closure (``item.fixturenames``,
    public) holds one of the plugin's root fixtures: every fixture of ours, aliases included, depends on one,
    and a project's own ``server`` or ``deployment`` fixture does not (unless it builds on ours). The
    ``deploy_`` names are this plugin's namespace."""
    if any(item.get_closest_marker(m) for m in MARKERS):
        return True
    return any(name in ROOTS for name in getattr(item, "fixturenames", ()))


def option(config, name: str) -> str:
    """How the user spells option ``name`` in this run: ``--target`` when that alias is ours or free, else the
    prefixed ``--deploytests-target``: a project's conftest or another plugin owns the short name (an option
    that is not ours whose destination is the name, as argparse makes it from ``--target``). The aliases are
    added only where the command line uses them (``hooks.pytest_load_initial_conftests``)."""
    short = "--" + name.replace("_", "-")
    taken = name not in config.stash.get(ALIASES, set()) and hasattr(config.option, name)
    return "--deploytests-" + short[2:] if taken else short


def is_worker(config) -> bool:
    """This process is an xdist worker."""
    return hasattr(config, "workerinput")


def shares_real_target(config) -> bool:
    """xdist workers (or their controller) running against one real target (not per-worker containers)."""
    provider = config.stash.get(PROVIDER, None)
    xdist = is_worker(config) or bool(getattr(config.option, "numprocesses", None))
    return xdist and provider is not None and provider.kind != "docker"


def redact(config, text: str) -> str:
    """``text`` without the app config's values (known once ``deploy_config`` loaded them): every line the
    plugin writes itself goes through here; reports are redacted at :func:`reporting.Reporting.redact`."""
    secrets = config.stash.get(SECRETS, None)
    return secrets.redact(text) if secrets is not None else text


def write(config, text: str, **markup) -> None:
    """A line on the terminal (none without a terminal reporter), also while a fixture or test runs: pytest's
    output capture is off for the line, as for pytest's own live logging (else a line said in a fixture's set-up
    -- an image build, a pack warning, a failed step's output above the stop line -- would land in the capture,
    which pytest discards when the fixture passes or the session stops). Whatever it quotes, nothing in it acts on
    the terminal (:func:`deploytests.untrusted.text`: its lines kept, every other control shown escaped)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    capture = config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        reporter.write_line(redact(config, untrusted.text(text, limit=1 << 22)), **markup)


def say(config, msg: str, **markup) -> None:
    """A ``deploytests: `` line on the terminal."""
    write(config, f"deploytests: {msg}", **markup)


def stop(config, exc: DeployTestsError | str, code: int = pytest.ExitCode.USAGE_ERROR) -> NoReturn:
    """End the session with the error's one line (no traceback) through pytest's public ``pytest.exit``, exit
    code 4 (usage error) unless ``code``. pytest prints it as ``_pytest.outcomes.Exit: deploytests: <line>``,
    framed with ``!`` (on stderr, ``Exit: ...``, before the session started). The error's detail (a builder's or
    a host's output, a container's log: what its hint may point to) is written above that line."""
    if isinstance(exc, DeployTestsError) and exc.detail:
        write(config, "")
        write(config, exc.detail)
    pytest.exit(redact(config, STOP + str(exc)), returncode=code)
