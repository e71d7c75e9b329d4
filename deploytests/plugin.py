"""pytest plugin (entry point ``deploytests``): options, markers, report header, per-server parametrization
and thin fixtures over :mod:`deploytests.targets`, :mod:`deploytests.pipeline` and :mod:`deploytests.verify`.

Fixtures, one state change each (``pytest --fixtures`` shows their docs):

``deploy_settings`` → ``deploy_target`` (servers up / connected) → ``deploy_config`` → ``deploy_bootstrapped``
→ ``deploy_artifact`` (packed for the servers' Python) → ``deployment`` (live on every host; with
``--no-deploy`` only read) → per server: ``deploy_server``, ``deploy_host`` (testinfra), ``deploy_http``.

Tests that use ``deploy_server`` run once per server of the target, with ids like ``[docker://web-1]``; it
is the only parametrized fixture. Short aliases (``server``, ``http``, ``artifact``, ``testinfra_host``,
``bootstrapped``) return the ``deploy_`` fixtures; a project's own fixture of such a name (in its conftest)
wins and is never parametrized or touched. Tests marked ``deploytests_deploys`` or
``deploytests_destructive`` are skipped (never run) where the target does not grant that right. Errors that
make the whole session pointless stop it with one line (``pytest.exit``, which pytest prints as ``!!!
_pytest.outcomes.Exit: deploytests: <what>. Hint: <next step> !!!``):
a bad option, targets file or deploy config (after collection, before any test runs), no Docker engine, a host
key mismatch, no reachable host (when the target is opened), a failed pack or bootstrap.

The plugin is loaded in every pytest run of an environment where deploytests is installed. It stays inert in
runs that use none of its fixtures or markers and pass none of its options: no header lines, no summary, no
parametrization, no network, no errors from its settings.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from .errors import DeployTestsError
from .settings import OPTIONS, Settings, resolve
from .targets import provider_for

if TYPE_CHECKING:  # the rest loads when a test uses deploytests: the plugin is in every pytest run
    from .pipeline.fleet import Bootstrapped, Deployment
    from .redaction import Secrets
    from .targets import Provider

SETTINGS = pytest.StashKey[Settings]()
PROVIDER = pytest.StashKey["Provider"]()
RUN = pytest.StashKey[dict]()
ERROR = pytest.StashKey[DeployTestsError]()  # a bad setting, raised only if the run uses deploytests
PENDING = pytest.StashKey[DeployTestsError]()  # xdist worker: the stop its first test of ours raises
USED = pytest.StashKey[bool]()  # a collected test uses deploytests, or a deploytests option was given
SAID = pytest.StashKey[set]()  # failures a session fixture repeats, already reported in full (see _say_once)
SECRETS = pytest.StashKey["Secrets"]()  # the app config's values, redacted from every report (redaction.py)
SHARED_LOCK = pytest.StashKey[object]()  # xdist on a real target: the readers-writer lock (targets/sharing.py)

DEPLOYS, DESTRUCTIVE = "deploytests_deploys", "deploytests_destructive"
MARKERS = {
    DEPLOYS: "deploytests: the test changes what runs on the target (needs deploy = true; skipped otherwise)",
    DESTRUCTIVE: "deploytests: failure injection: broken releases, interrupted deploys, rollback drills (needs "
                 "destructive = true; skipped otherwise)",
}


STOP = "deploytests: "  # the head of the reason of every session stop of ours (see :func:`_stop`)


class Hooks:
    """Hooks a conftest may implement."""

    @pytest.hookspec(firstresult=True)
    def pytest_deploytests_default_app(self, config):
        """Return the project directory to deploy when neither ``--app``, ``DEPLOYTESTS_APP`` nor the
        ``deploytests_app`` ini key sets it (this repository's root conftest returns its example app). Without
        an answer, the app is the rootdir when it has a ``deploy.toml`` or ``[tool.deploytests]``."""


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(Hooks)


def pytest_addoption(parser):
    group = parser.getgroup("deploytests", "deploy an app to a target and verify it (deploytests)")
    for opt in OPTIONS:
        extra = {"action": "store_true", "default": None} if opt.flag else {"metavar": opt.metavar}
        group.addoption(opt.cli, dest=f"deploytests_{opt.name}", help=f"{opt.help} [env {opt.env}]".replace("%", "%%"),
                        **extra)  # argparse %-formats help: "P%" must be written "P%%"
        parser.addini(opt.ini, help=f"deploytests: {opt.help}", default="")
    # the fault campaign's options; its hooks (deploytests.faults.plugin) are registered only when it is asked
    # for (pytest_configure), never in an ordinary run
    group.addoption("--deploytests-faults", action="store_true", default=False,
                    help="measure the gate: inject each fault of deploytests' catalogue into a throwaway "
                         "container running the app, run the gate (built-in suite + the given paths) read-only "
                         "against it, print what caught each fault and the false alarms")
    group.addoption("--deploytests-faults-select", metavar="IDS", default="",
                    help="comma-separated fault ids, parts of ids, or promise ids (default: the whole catalogue)")
    group.addoption("--deploytests-faults-clean", metavar="N", type=int, default=10,
                    help="clean hosts verified alongside the faults, for false alarms (default 10)")
    group.addoption("--deploytests-faults-batch", metavar="N", type=int, default=8,
                    help="hosts per gate run (default 8)")


FAULTS_PLUGIN = "deploytests.faults.plugin"


# ---------------------------------------------------------------- configure: settings and target, no network

def project_app(rootdir: Path) -> Path | None:
    """The project being tested, when it has a deploy config (``deploy.toml`` or ``[tool.deploytests]``)."""
    if (rootdir / "deploy.toml").is_file():
        return rootdir
    pyproject = rootdir / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        try:
            return rootdir if "deploytests" in tomllib.loads(pyproject.read_text()).get("tool", {}) else None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # pytest itself reports a broken pyproject.toml
    return None


def _settings(config) -> Settings:
    default = config.hook.pytest_deploytests_default_app(config=config)
    defaults = {"app": Path(default).resolve()} if default else None
    if defaults is None and (project := project_app(Path(config.rootpath))) is not None:
        defaults, source = {"app": project}, "project (rootdir)"
    else:
        source = "conftest default"
    return resolve(
        cli={o.name: getattr(config.option, f"deploytests_{o.name}", None) for o in OPTIONS},
        env=os.environ,
        ini={o.ini: str(config.getini(o.ini)) for o in OPTIONS if config.getini(o.ini) not in ("", None)},
        cwd=Path(config.invocation_params.dir),
        ini_dir=Path(config.inipath).parent if config.inipath else Path(config.rootpath),
        defaults=defaults, default_source=source,
    )


_CONFIG: dict = {}


def pytest_configure(config):
    """Resolve the settings and the target (no network). A bad setting stops the run after collection, before
    any test runs, when a deploytests option was given or a collected test uses deploytests (see
    :func:`pytest_collection_modifyitems`): the plugin is installed for every pytest run of the environment,
    and a stray env var or someone else's ``targets.toml`` must not break unrelated suites."""
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    _CONFIG["config"] = config  # pytest_keyboard_interrupt gets no config
    if config.getoption("deploytests_faults") and not config.pluginmanager.has_plugin(FAULTS_PLUGIN):
        from .faults import plugin as faults

        config.pluginmanager.register(faults, FAULTS_PLUGIN)
    config.stash[RUN] = {"verify": defaultdict(float), "deployment": None}
    config.stash[USED] = _options_given(config)
    try:
        settings = _settings(config)
        default_file = Path(config.rootpath) / "targets.toml"
        provider = provider_for(settings, targets_file=default_file if default_file.is_file() else None,
                                progress=lambda msg: _say(config, msg))
    except DeployTestsError as exc:
        config.stash[ERROR] = exc
        return
    config.stash[SETTINGS], config.stash[PROVIDER] = settings, provider
    if _shares_real_target(config) and config.getvalue("dist") == "load":
        # a module's tests go to one worker: the lifecycle scenarios (one module) run on one worker only.
        # (xdist's loadgroup would be finer, but with pytest 9 it no longer renames the grouped test ids.)
        # Said in the header (pytest_report_header): a user's option is never changed silently.
        config.option.dist = "loadscope"
        config.stash[RUN]["dist"] = DIST_NOTE


DIST_NOTE = ("deploytests: note: --dist loadscope instead of load: on a real target the workers share, a module's "
             "tests run on one worker (the lifecycle scenarios are one module and must not interleave)")


def pytest_report_header(config):
    """Only what this plugin changed of the run's own options (nothing in runs that do not use it)."""
    note = config.stash.get(RUN, {}).get("dist")
    return [note] if note else []


def _shares_real_target(config) -> bool:
    """xdist workers (or their controller) running against one real target (not per-worker containers)."""
    provider = config.stash.get(PROVIDER, None)
    xdist = hasattr(config, "workerinput") or bool(getattr(config.option, "numprocesses", None))
    return xdist and provider is not None and provider.kind != "docker"


def _options_given(config) -> bool:
    return any(getattr(config.option, f"deploytests_{o.name}", None) is not None for o in OPTIONS)


ROOTS = ("deploy_settings", "deploy_target")  # every fixture of this plugin depends on one of them


def _uses_deploytests(item) -> bool:
    """True when the test carries one of this plugin's markers or its fixture closure (``item.fixturenames``,
    public) holds one of the plugin's root fixtures: every fixture of ours, aliases included, depends on one,
    and a project's own ``server`` or ``deployment`` fixture does not (unless it builds on ours). The
    ``deploy_`` names are this plugin's namespace."""
    if any(item.get_closest_marker(m) for m in MARKERS):
        return True
    return any(name in ROOTS for name in getattr(item, "fixturenames", ()))


def _say(config, msg: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"deploytests: {msg}")


def pytest_report_collectionfinish(config, items):
    """The header, after collection: only in runs that use deploytests (see :func:`_uses_deploytests`)."""
    if not config.stash[USED] or ERROR in config.stash:
        return []
    config.stash[RUN]["header_shown"] = True
    return header_lines(config.stash[SETTINGS], config.stash[PROVIDER])


def header_lines(settings: Settings, provider: Provider) -> list[str]:
    app = f"{settings.app} ({settings.source_of('app')})" if settings.app else "(none: set --app)"
    deploying = provider.rights.deploy and not settings.no_deploy
    return [
        f"deploytests: target {provider.name!r}: {provider.describe()}",
        f"deploytests: hosts: {', '.join(provider.labels())}",
        f"deploytests: app: {app}",
        f"deploytests: rights: {provider.rights.describe()}; "
        f"{'deploying before verifying' if deploying else 'verifying what is live'}"
        f"{' (--no-deploy)' if settings.no_deploy else ''}",
    ] + ([f"deploytests: rollout: {rollout_text(settings)}"] if deploying and any(
        settings.source_of(n) != "default" for n in ("canary", "batch", "max_failed", "rolling")) else []) + [
        f"deploytests: note: {note}" for note in provider.notes()]


def rollout_text(settings: Settings) -> str:
    """The rollout policy in words, for the header."""
    if settings.rolling:
        return "one host at a time, stopping at the first failure (--rolling)"
    canary = f"canary {settings.canary}, then " if settings.canary.number else ""
    batch = f"batches of {settings.batch}" if settings.batch else "all at once"
    return f"{canary}{batch}; up to {settings.max_failed} failed host(s) tolerated; at most {settings.parallel} " \
        "at once; gate between batches: the release live per its agent + its health URL"


# ---------------------------------------------------------------- collection: parametrize and refuse

def pytest_generate_tests(metafunc):
    """Only ``deploy_server`` is parametrized (one test per server); a project's fixtures never are (a test that
    uses a project's own ``server`` has no ``deploy_server`` in its closure)."""
    if "deploy_server" not in metafunc.fixturenames:
        return
    if ERROR in metafunc.config.stash:  # stops the session once collection is done
        metafunc.parametrize("deploy_server", ["unconfigured"], indirect=True, scope="session")
        return
    labels = metafunc.config.stash[PROVIDER].labels()
    metafunc.parametrize("deploy_server", labels, ids=labels, indirect=True, scope="session")


def refusal(item, provider: Provider, settings: Settings) -> str | None:
    """Why ``item`` must not run on this target (a skip reason), or None."""
    where = f"target {provider.name!r}"
    if item.get_closest_marker(DESTRUCTIVE) and not provider.rights.destructive:
        return f"{where} does not allow destructive tests (destructive = false in the targets file)"
    if item.get_closest_marker(DEPLOYS) or item.get_closest_marker(DESTRUCTIVE):  # failure injection deploys
        if not provider.rights.deploy:
            return f"{where} does not allow deploys (deploy = false in the targets file)"
        if settings.no_deploy:
            return "--no-deploy: this check compares with what this run deploys"
    return None


@pytest.hookimpl(trylast=True)  # after -k, -m and --deselect: the tests that will run
def pytest_collection_modifyitems(config, items):
    """A run that uses deploytests checks its settings, targets file and the app's deploy config here, before
    any test runs: a bad one stops the session (in an xdist worker, at its first test of ours: a worker that
    stops while collecting is an INTERNALERROR). Tests the target has no right for are skipped."""
    ours = [item for item in items if _uses_deploytests(item)]
    config.stash[USED] = config.stash[USED] or bool(ours)
    if not config.stash[USED]:
        return
    error = config.stash.get(ERROR, None) or _app_error(config, ours)
    if error is not None:
        if not hasattr(config, "workerinput"):
            _stop(error)
        config.stash[PENDING] = error
    if ERROR in config.stash:
        return
    provider, settings = config.stash[PROVIDER], config.stash[SETTINGS]
    for item in ours:
        reason = refusal(item, provider, settings)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def _app_error(config, ours) -> DeployTestsError | None:
    """Why the app's deploy config cannot be used (read and validated now, not after the tests that need no app
    ran), or None. ``--collect-only`` runs nothing and checks nothing of the app."""
    if config.option.collectonly:
        return None
    from .config import load_config
    from .errors import ConfigError
    from .settings import blame

    settings, provider = config.stash[SETTINGS], config.stash[PROVIDER]
    if settings.app is None:
        if any("deploy_config" in item.fixturenames for item in ours):
            return _NO_APP
        return None
    try:
        load_config(settings.app, target_config=provider.config_file, target_env=getattr(provider, "env", None))
    except ConfigError as exc:  # no deploy config there: say which option (and source) named the dir
        return blame(settings, "app", ConfigError(exc.what, hint=exc.hint)) if exc.where == str(settings.app) else exc
    except DeployTestsError as exc:
        return exc
    return None


_NO_APP = DeployTestsError("no app to deploy", hint="pass --app PATH, set DEPLOYTESTS_APP or the deploytests_app "
                                                    "ini key")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """xdist on a real target: ordinary checks hold the target's lock shared, destructive scenarios exclusive
    (from the first of a run of them to the last, whose teardown restores the release): see targets/sharing."""
    config = item.config
    if not (hasattr(config, "workerinput") and _shares_real_target(config) and _uses_deploytests(item)):
        return (yield)
    from .targets.sharing import TargetLock, keep_exclusive

    if SHARED_LOCK not in config.stash:
        uid = config.workerinput.get("testrunuid", "run")
        provider = config.stash[PROVIDER]
        config.stash[SHARED_LOCK] = TargetLock(Path(tempfile.gettempdir()) / f"deploytests-{uid}" /
                                               f"{provider.name}.rwlock")
    lock = config.stash[SHARED_LOCK]
    destructive = item.get_closest_marker(DESTRUCTIVE) is not None
    lock.hold(exclusive=destructive)
    try:
        return (yield)
    finally:
        following = nextitem is not None and nextitem.get_closest_marker(DESTRUCTIVE) is not None
        if not keep_exclusive(destructive, following):
            lock.release()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """In an xdist worker, a session stop (``pytest.exit``) becomes this test's error plus ``shouldstop``: the
    worker ends cleanly, sends the stop to the controller (:func:`pytest_sessionfinish`), which ends the session
    with it (:func:`pytest_runtestloop`). pytest-xdist turns a worker's ``pytest.exit`` into ``INTERNALERROR ...
    AssertionError`` (pytest-dev/pytest-xdist#1239)."""
    config = item.config
    try:
        return (yield)
    except pytest.exit.Exception as exc:
        if not hasattr(config, "workerinput"):
            raise
        stop = exc
    code = None if stop.returncode is None else int(stop.returncode)  # sent to the controller: plain data
    config.stash[RUN].setdefault("stop", {"msg": stop.msg, "returncode": code})
    item.session.shouldstop = stop.msg
    pytest.fail(stop.msg, pytrace=False)


@pytest.hookimpl(specname="pytest_runtest_setup", trylast=True)
def pytest_runtest_setup_stop_pending(item):  # a second impl of pytest_runtest_setup (specname)
    """An xdist worker's pending stop for a test of ours that uses none of its fixtures (a marker only): after
    pytest's own setup, inside the wrapper above."""
    if _uses_deploytests(item):
        _stop_pending(item.config)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    """On the xdist controller: a worker's stop (see :func:`pytest_runtest_setup`) ends the session as it does
    without xdist (xdist raises its own ``Interrupted`` for a worker's ``shouldstop``)."""
    try:
        return (yield)
    except KeyboardInterrupt:
        stops = session.config.stash[RUN].get("stops")
        if not stops:
            raise
        pytest.exit(stops[0]["msg"], returncode=stops[0]["returncode"])


def pytest_keyboard_interrupt(excinfo):
    """Ctrl-C or SIGTERM during a deploy: after the hosts' running steps ended, one line per host."""
    from .pipeline.hosts import Interrupted

    if isinstance(excinfo.value, Interrupted):
        config = _CONFIG.get("config")
        reporter = config.pluginmanager.get_plugin("terminalreporter") if config is not None else None
        secrets = config.stash.get(SECRETS, None) if config is not None else None
        for line in excinfo.value.lines:
            if reporter is not None:
                reporter.write_line(f"deploytests: {secrets.redact(line) if secrets else line}")


# ---------------------------------------------------------------- fixtures

def _stop(exc: DeployTestsError | str, code: int = pytest.ExitCode.USAGE_ERROR) -> NoReturn:
    """End the session with the error's one line (no traceback) through pytest's public ``pytest.exit``, exit
    code 4 (usage error) unless ``code``. pytest prints it as ``_pytest.outcomes.Exit: deploytests: <line>``,
    framed with ``!`` (on stderr, ``Exit: ...``, before the session started)."""
    pytest.exit(STOP + str(exc), returncode=code)


def _stop_pending(config) -> None:
    """In an xdist worker, the stop found at collection (see :func:`pytest_collection_modifyitems`): raised by
    the root fixtures, so that the first test of ours errors with it and the worker stops."""
    if PENDING in config.stash:
        _stop(config.stash[PENDING])


@pytest.fixture(scope="session")
def deploy_settings(pytestconfig) -> Settings:
    """The resolved :class:`deploytests.settings.Settings` (ini < env var < command line) of this run."""
    _stop_pending(pytestconfig)
    return pytestconfig.stash[SETTINGS]


@pytest.fixture(scope="session")
def deploy_target(pytestconfig):
    """The target's provider, opened once for the session: its ``.servers`` are up and connected (docker:
    containers started; ssh: every host connected with its pinned key). Closed at the end; containers are
    removed unless ``--keep-containers``. ``.rights`` says what the suite may do there."""
    _stop_pending(pytestconfig)
    provider = pytestconfig.stash[PROVIDER]
    try:
        provider.open()
    except DeployTestsError as exc:
        provider.close()
        _stop(exc)
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def deploy_config(pytestconfig, deploy_settings, deploy_target):
    """The app's :class:`deploytests.config.DeployConfig` (from ``--app``), with the target's config file. From
    here on, every report of the run has the config file's values redacted (see :func:`_redact_report`); a
    value that cannot be known statically is named in a warning."""
    from .config import load_config

    if deploy_settings.app is None:
        _stop(_NO_APP)
    try:
        cfg = load_config(deploy_settings.app, target_config=deploy_target.config_file,
                          target_env=getattr(deploy_target, "env", None))
    except DeployTestsError as exc:
        _stop(exc)
    secrets = pytestconfig.stash[SECRETS] = _secrets(cfg)
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    for warning in secrets.warnings if reporter is not None else ():
        reporter.write_line(f"deploytests: warning: {warning}", yellow=True)
    return cfg


def _secrets(cfg) -> Secrets:
    """The values of ``cfg``'s config file to redact (:mod:`deploytests.redaction`), none without a config."""
    from .redaction import NONE, secrets_of

    return secrets_of(cfg.config_file) if cfg is not None else NONE


def _shared(pytestconfig, provider: Provider, step: str, produce):
    """Run ``produce`` here, or once for all xdist workers when they share a real target. Only a process that is
    itself an xdist worker shares (``workerinput``): a pytest run started from inside a worker (a test running
    pytest) inherits the worker's ``PYTEST_XDIST_TESTRUNUID`` but must deploy for itself."""
    workerinput = getattr(pytestconfig, "workerinput", None)
    uid = workerinput.get("testrunuid") if workerinput else None
    if provider.kind == "docker" or not uid:
        return produce()
    from .targets.sharing import once_per_run

    path = Path(tempfile.gettempdir()) / f"deploytests-{uid}" / f"{provider.name}-{step}.json"
    return once_per_run(path, produce)


def _stop_run(config, exc: DeployTestsError, cfg=None) -> NoReturn:
    """A failure every test would repeat (pack, bootstrap): stop the session with the error's one line, its
    detail (builder or remote output) written above it; values of the target's config file redacted."""
    redact = _secrets(cfg).redact
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if exc.detail and reporter is not None:
        reporter.write_line("")
        reporter.write_line(redact(exc.detail))
    _stop(redact(exc.one_line()), pytest.ExitCode.TESTS_FAILED)


def _fail(exc: DeployTestsError, cfg=None) -> NoReturn:
    """Fail the fixture with the error and its detail (remote output, Apache log tail), the values of the
    target's config file redacted: an app's traceback may quote them. A step that failed on every host is
    said one host a line. The detail is reported once (see :func:`_say_once`); later tests get one line."""
    from .errors import HostsFailed, _named

    redact = _secrets(cfg).redact
    if isinstance(exc, HostsFailed):
        bad = [o for o in exc.outcomes if not o.ok]
        head = f"{exc.step} failed on {len(bad)} of {len(exc.outcomes)} host(s):"
        text = "\n".join([head, *(f"  {_named(o.host, str(o.error))}" for o in bad)])
        text += f"\n{exc.detail}" if exc.detail else ""
        lines = {o.host: f"{exc.step} failed on {o.host}" for o in bad}
        line = f"{exc.step} failed on {', '.join(o.host for o in bad)}"
    else:
        text, lines, line = exc.render(), {}, exc.one_line()
    failure = pytest.fail.Exception(redact(text), pytrace=False)
    failure.deploytests_once = (  # type: ignore[attr-defined]
        {k: redact(v) for k, v in lines.items()}, redact(line))
    # ``from None``: raised while ``exc`` is handled, the failure would be chained to it and pytest would print
    # the error, "During handling of the above exception...", then the error again
    raise failure from None


def _say_once(item, call, rep) -> bool:
    """pytest repeats a failed session fixture's error in every test that needs it (80 tests: 80 copies of
    one remote traceback). The first report keeps the detail; later ones get the one line, for this test's
    host when known. True when ``rep`` was cut so."""
    once = getattr(call.excinfo.value, "deploytests_once", None) if call.excinfo is not None else None
    if once is None or rep.when != "setup":
        return False
    said = item.config.stash.setdefault(SAID, set())
    text = str(call.excinfo.value)
    if text not in said:
        said.add(text)
        return False
    lines, line = once
    label = getattr(item, "callspec", None) and item.callspec.params.get("deploy_server")
    try:
        pytest.fail(f"{lines.get(label, line).rstrip('.')} (details in the first error above)", pytrace=False)
    except pytest.fail.Exception:
        rep.longrepr = item.repr_failure(pytest.ExceptionInfo.from_current())
    return True


@pytest.fixture(scope="session")
def deploy_bootstrapped(pytestconfig, deploy_settings, deploy_target, deploy_config) -> Bootstrapped:
    """Every server bootstrapped (idempotent: packages, user, tree, config, vhost). Skipped with --no-deploy.
    A failing bootstrap stops the run."""
    if deploy_settings.no_deploy or not deploy_target.rights.deploy:
        pytest.skip("nothing bootstrapped: --no-deploy or the target does not allow deploys")
    import json
    from dataclasses import asdict

    from .pipeline import fleet

    produce = lambda: json.dumps(asdict(fleet.bootstrap_all(deploy_target.servers, deploy_config)))  # noqa: E731
    try:
        return fleet.Bootstrapped(**json.loads(_shared(pytestconfig, deploy_target, "bootstrap", produce)))
    except DeployTestsError as exc:
        _stop_run(pytestconfig, exc, deploy_config)


@pytest.fixture(scope="session")
def deploy_artifact(pytestconfig, deploy_settings, deploy_config, deploy_bootstrapped):
    """The packed release (:class:`deploytests.pipeline.Artifact`: path, version, sha256), built once
    for the servers' Python and CPU architecture (wheels cached between runs). A fleet mixing platforms gets one
    artifact per distinct Python (each server deploys its own; ``deployment[label].artifact_sha256`` says which);
    this fixture is then the first server's. A failing pack stops the run."""
    from .pipeline import pack

    started = time.monotonic()
    try:
        arts = {v: pack(deploy_settings.app, deploy_config, python_version=v, machine=deploy_bootstrapped.machine)
                for v in deploy_bootstrapped.python_versions()}
    except DeployTestsError as exc:
        _stop_run(pytestconfig, exc, deploy_config)
    pytestconfig.stash[RUN]["pack"] = time.monotonic() - started
    pytestconfig.stash[RUN]["artifacts"] = arts
    return arts[deploy_bootstrapped.python_version]


@pytest.fixture(scope="session")
def deployment(request, pytestconfig, deploy_settings, deploy_target, deploy_config) -> Deployment:
    """What is live: the session's deploy of ``artifact`` on every server (parallel), or with
    ``--no-deploy`` (or a target without the deploy right) what was already live, read and unchanged.
    ``deployment[deploy_server.label].release_id`` is the release each host serves."""
    from .pipeline import fleet

    try:
        if deploy_settings.no_deploy or not deploy_target.rights.deploy:
            result = fleet.read_live(deploy_target.servers, deploy_config)
        else:
            art = request.getfixturevalue("deploy_artifact")
            boot = request.getfixturevalue("deploy_bootstrapped")

            def produce() -> str:  # the session's rollout policy, hooks and gate (the same as fab's)
                from .session import Session

                session = Session(deploy_settings, provider=deploy_target, config=deploy_config,  # summary lines
                                  say=pytestconfig.stash[RUN].setdefault("rollout", []).append)  # at the end
                return fleet.deploy_all(deploy_target.servers, deploy_config, art, boot=boot,
                                        pack_seconds=pytestconfig.stash[RUN].get("pack", 0.0),
                                        artifacts=pytestconfig.stash[RUN].get("artifacts"), policy=session.policy,
                                        hooks=session.hooks, say=session.say, gate=session.rollout_gate(
                                            [s.label for s in deploy_target.servers], suite_follows=True)).to_json()
            result = fleet.Deployment.from_json(_shared(pytestconfig, deploy_target, "deploy", produce))
    except DeployTestsError as exc:
        _fail(exc, deploy_config)
    pytestconfig.stash[RUN]["deployment"] = result
    return result


@pytest.fixture(scope="session")
def deploy_server(request, deploy_target, deployment, deploy_config):
    """One server of the target (:class:`deploytests.targets.Server`), with the app deployed (or, with
    ``--no-deploy``, as found). Tests using it run once per server: ``test_x[docker://web-1]``.
    ``deploy_server.connection()`` is the shared, pinned Fabric connection. A server whose bootstrap or deploy
    failed (or that could not be asked) errors its own tests with that one line; the other servers' tests run.
    With ``--no-deploy``, a server with no live release errors the tests that use ``deploy_host`` or
    ``deploy_http`` (they look at a live site); tests that judge the server's facts themselves (the built-in
    gate: one root failure, "nothing deployed", and the bootstrap's promises still checked) run."""
    srv = next(s for s in deploy_target.servers if s.label == request.param)
    _refuse_host(deployment.hosts.get(srv.label), deploy_config, nothing_live=False)
    return srv


def _refuse_host(state, cfg, *, nothing_live: bool) -> None:
    """Fail (this server's tests) with the host's one line when its step failed; ``nothing_live``: also when
    all it says is that no release is live (``--no-deploy``)."""
    if state is None or not state.error or (state.nothing_live and not nothing_live):
        return
    redact = _secrets(cfg).redact
    failure = pytest.fail.Exception(redact(state.message() + (f"\n{state.detail}" if state.detail else "")),
                                    pytrace=False)
    if state.detail:  # said in full once (see _say_once): later tests of this host get the one line
        line = (state.error or "").rstrip(".")
        failure.deploytests_once = ({}, redact(line))  # type: ignore[attr-defined]
    raise failure


@pytest.fixture(scope="session")
def deploy_host(deploy_server, deployment, deploy_config):
    """A testinfra ``Host`` for ``deploy_server`` over its already-open pinned connection (no new SSH login,
    no ``~/.ssh/config``, never testinfra's cached ``get_host``). ``with deploy_host.sudo():`` works
    where the login may sudo."""
    from .verify.testinfra import host_for

    _refuse_host(deployment.hosts.get(deploy_server.label), deploy_config, nothing_live=True)
    return host_for(deploy_server)


@pytest.fixture(scope="session")
def deploy_http(deploy_server, deployment, deploy_config):
    """A :class:`deploytests.verify.HttpClient` (a requests session) for ``deploy_server.base_url``:
    ``deploy_http.get("/health")``, ``deploy_http.post("/items", json=...)``, ``deploy_http.url(path)``."""
    from .verify import HttpClient

    _refuse_host(deployment.hosts.get(deploy_server.label), deploy_config, nothing_live=True)
    client = HttpClient(deploy_server.base_url)
    yield client
    client.close()


# Short aliases. A project's own fixture of one of these names (conftest) wins over these: its tests then get
# the project's fixture, unparametrized, and deploytests stays out of them.

@pytest.fixture(scope="session")
def server(deploy_server):
    """Alias of ``deploy_server`` (a project's own ``server`` fixture wins over it)."""
    return deploy_server


@pytest.fixture(scope="session")
def http(deploy_http):
    """Alias of ``deploy_http`` (a project's own ``http`` fixture wins over it)."""
    return deploy_http


@pytest.fixture(scope="session")
def artifact(deploy_artifact):
    """Alias of ``deploy_artifact`` (a project's own ``artifact`` fixture wins over it)."""
    return deploy_artifact


@pytest.fixture(scope="session")
def testinfra_host(deploy_host):
    """Alias of ``deploy_host`` (a project's own ``testinfra_host`` fixture wins over it)."""
    return deploy_host


@pytest.fixture(scope="session")
def bootstrapped(deploy_bootstrapped):
    """Alias of ``deploy_bootstrapped`` (a project's own ``bootstrapped`` fixture wins over it)."""
    return deploy_bootstrapped


# ---------------------------------------------------------------- reporting

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Every report: a repeated fixture failure said once, the server's diagnostics added to a failed check,
    then the config's values redacted from all of it (the output boundary, :func:`_redact_report`)."""
    rep = yield
    try:
        _add_to_report(item, call, rep)
    finally:
        _redact_report(rep, item)
    return rep


def _add_to_report(item, call, rep) -> None:
    if _say_once(item, call, rep):  # said in full before, diagnostics included
        return
    srv = getattr(item, "funcargs", {}).get("deploy_server")
    if srv is None:  # not a test of a server (or its setup failed before the server was known)
        return
    from .config import DeployConfig
    from .servers import Server

    if not isinstance(srv, Server):
        return
    if rep.when == "call":
        item.config.stash[RUN]["verify"][srv.label] += rep.duration
    if rep.failed and rep.when in ("setup", "call"):
        from .verify.diagnostics import collect

        cfg = item.funcargs.get("deploy_config")
        if isinstance(cfg, DeployConfig):
            for title, text in collect(srv, cfg.app, cfg.root, _secrets(cfg),
                                       cfg.deploy_user or srv.user).items():
                rep.sections.append((f"deploytests {srv.label}: {title}", text))
                # junitxml writes user properties as <property> of the test case: CI keeps the diagnostics
                item.user_properties.append((f"deploytests {srv.label}: {title}", text))


def _redact_report(rep, item) -> None:
    """Every report of a run that loaded the app's config (passed, failed or skipped; setup, call, teardown):
    its failure text, captured output and logs, and the test's user properties, with the config file's values
    redacted in all their forms (a check's assertion may quote a command's output, e.g. the config itself; a
    passing test may print it). The terminal, ``-r`` summaries and the junit xml all read the report, so they
    all get the redacted text: this is the output boundary. The failure text is replaced only when it held a
    secret (it then loses pytest's colouring, not its content)."""
    secrets = item.config.stash.get(SECRETS, None)
    if secrets is None or not secrets.values:
        return
    if isinstance(rep.longrepr, tuple):  # a skip: (path, line, reason)
        rep.longrepr = (*rep.longrepr[:2], secrets.redact(str(rep.longrepr[2])))
    elif rep.longrepr is not None:
        text = rep.longreprtext
        clean = secrets.redact(text)
        if clean != text:
            rep.longrepr = clean
    rep.sections = [(title, secrets.redact(body)) for title, body in rep.sections]
    item.user_properties[:] = [(name, secrets.redact(v) if isinstance(v, str) else v)
                               for name, v in item.user_properties]
    rep.user_properties = [(name, secrets.redact(v) if isinstance(v, str) else v)
                           for name, v in rep.user_properties]


def pytest_sessionfinish(session):
    """An xdist worker sends its timings and keep lines to the controller (``workeroutput``)."""
    config = session.config
    if hasattr(config, "workeroutput") and "stop" in config.stash[RUN]:
        config.workeroutput["deploytests_stop"] = config.stash[RUN]["stop"]
    if hasattr(config, "workeroutput") and PROVIDER in config.stash and config.stash[USED]:
        provider = config.stash[PROVIDER]
        config.workeroutput["deploytests"] = {"timings": timings(provider, config.stash[RUN]),
                                              "keep": provider.keep_lines()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the xdist controller: collect what each worker sent (see :func:`pytest_sessionfinish`)."""
    stop = getattr(node, "workeroutput", {}).get("deploytests_stop")
    if stop:
        node.config.stash[RUN].setdefault("stops", []).append(stop)
    data = getattr(node, "workeroutput", {}).get("deploytests")
    if data:
        node.config.stash[RUN].setdefault("workers", {})[node.gateway.id] = data
    uid = getattr(node, "workerinput", {}).get("testrunuid")
    if uid:  # the workers' shared dir (a real target's lock, the deploy-once record): removed at the end
        node.config.stash[RUN].setdefault("runuids", set()).add(uid)


def pytest_unconfigure(config):
    """On the xdist controller, once every worker is down: remove the run's shared dir
    (``$TMPDIR/deploytests-<testrunuid>``), which only this run's workers wrote."""
    if hasattr(config, "workerinput"):
        return
    import shutil

    for uid in config.stash.get(RUN, {}).get("runuids", ()):
        shutil.rmtree(Path(tempfile.gettempdir()) / f"deploytests-{uid}", ignore_errors=True)


def pytest_terminal_summary(terminalreporter, config):
    if PROVIDER not in config.stash or not (config.stash[USED] or config.stash[RUN].get("workers")):
        return
    provider, run = config.stash[PROVIDER], config.stash[RUN]
    data = timings(provider, run)
    lines = run.get("rollout", []) + summary_lines(data) + provider.keep_lines()
    for worker, sent in sorted(run.get("workers", {}).items()):  # under xdist each worker has its own fleet
        lines += [f"[{worker}] {line}" for line in summary_lines(sent["timings"]) + sent["keep"]]
    if run.get("workers") and not run.get("header_shown"):  # an xdist controller collects nothing itself
        lines = header_lines(config.stash[SETTINGS], provider) + lines
    if lines:
        terminalreporter.write_sep("-", "deploytests summary")
        for line in lines:
            terminalreporter.write_line(line)
    out = os.environ.get("DEPLOYTESTS_TIMINGS_JSON")
    if out and data:
        import json

        Path(out).write_text(json.dumps(data, indent=1))


def timings(provider: Provider, run: dict) -> dict:
    """Seconds per step: ``{"run": {step: s}, "hosts": {label: {step: s}}, "releases": {label: id}}``.

    Written as JSON to ``$DEPLOYTESTS_TIMINGS_JSON`` when set (the bench reads it)."""
    deployment, verify = run.get("deployment"), run.get("verify", {})
    if deployment is None and not verify:
        return {}
    overall = dict(provider.times)
    if deployment is not None:
        overall.update(deployment.times)
    hosts, releases, errors = {}, {}, {}
    for label in provider.labels():
        host = deployment.hosts.get(label) if deployment else None
        hosts[label] = {**(host.times if host else {}), "verify": verify.get(label, 0.0)}
        releases[label] = host.release_id if host else None
        if host is not None and host.error:
            errors[label] = host.error
    return {"run": overall, "hosts": hosts, "releases": releases, "errors": errors}


def summary_lines(data: dict) -> list[str]:
    """Per host: bootstrap, deploy and verify seconds; per run: pack and the target's own steps."""
    if not data:
        return []
    lines = []
    if data["run"]:
        lines.append("run: " + ", ".join(f"{k} {v:.2f}s" for k, v in data["run"].items()))
    for label, steps in data["hosts"].items():
        release = f" release {data['releases'][label]}" if data["releases"][label] else ""
        error = data.get("errors", {}).get(label)
        if error:  # the host serves nothing this run verified: say why, once, in the summary
            error = error.rstrip(".")
            release = " NOT VERIFIED (" + (error[len(label) + 2:] if error.startswith(f"{label}: ") else error) + ");"
        lines.append(f"{label}:{release} " + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()))
    return lines
