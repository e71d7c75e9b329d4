"""The plugin's fixtures, one state change each (``pytest --fixtures`` shows their docs):

``deploy_settings`` → ``deploy_target`` (servers up / connected) → ``deploy_config`` → ``deploy_bootstrapped``
→ ``deploy_artifact`` (packed for the servers' Python) → ``deployment`` (live on every host; with
``--no-deploy`` only read) → per server: ``deploy_server``, ``deploy_host`` (testinfra), ``deploy_http``.

A failure a fixture raises is redacted where it is reported (``reporting.Reporting.redact``)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from ..errors import DeployTestsError, HostsFailed, named
from ..redaction import secrets_of
from ..settings import Settings
from ..words import count
from .hooks import load_config, resolved
from .state import ERROR, PROVIDER, RUN, SECRETS, SETTINGS, say, stop
from .workers import shared

if TYPE_CHECKING:  # the rest loads when a test uses deploytests: the plugin is in every pytest run
    from ..config import DeployConfig
    from ..pipeline.fleet import Bootstrapped, Deployment


def _stop_run(config, exc: DeployTestsError) -> NoReturn:
    """A failure every test would repeat (pack, bootstrap, a deploy that failed on every host): stop the session
    with the error's one line, its detail (builder or remote output) written above it."""
    stop(config, exc, pytest.ExitCode.TESTS_FAILED)


def _fail(exc: DeployTestsError) -> NoReturn:
    """Fail the fixture with the error and its detail (remote output, Apache log tail). A step that failed on
    every host is said one host a line. The detail is reported once (``reporting.Reporting.said_once``); later
    tests get one line."""
    if isinstance(exc, HostsFailed):
        bad = [o for o in exc.outcomes if not o.ok]
        head = f"{exc.step} failed on {len(bad)} of {count(len(exc.outcomes), 'host')}:"
        text = "\n".join([head, *(f"  {named(o.host, str(o.error))}" for o in bad)])
        text += f"\n{exc.detail}" if exc.detail else ""
        lines = {o.host: f"{exc.step} failed on {o.host}" for o in bad}
        line = f"{exc.step} failed on {', '.join(o.host for o in bad)}"
    else:
        text, lines, line = exc.render(), {}, exc.one_line()
    failure = pytest.fail.Exception(text, pytrace=False)
    failure.deploytests_once = (lines, line)  # type: ignore[attr-defined]
    causes = {o.host: named(o.host, str(o.error)) for o in exc.outcomes if not o.ok} \
        if isinstance(exc, HostsFailed) else {"": exc.one_line()}
    failure.deploytests_causes = causes  # type: ignore[attr-defined]
    # ``from None``: raised while ``exc`` is handled, the failure would be chained to it and pytest would print
    # the error, "During handling of the above exception...", then the error again
    raise failure from None


def _refuse_host(state, *, nothing_live: bool) -> None:
    """Fail (this server's tests) with the host's one line when its step failed; ``nothing_live``: also when
    all it says is that no release is live (``--no-deploy``)."""
    if state is None or not state.error or (state.nothing_live and not nothing_live):
        return
    failure = pytest.fail.Exception(state.message() + (f"\n{state.detail}" if state.detail else ""), pytrace=False)
    if state.detail:  # said in full once: later tests of this host get the one line
        failure.deploytests_once = ({}, state.error.rstrip("."))  # type: ignore[attr-defined]
    failure.deploytests_causes = {"": state.message()}  # type: ignore[attr-defined]
    raise failure


@pytest.fixture(scope="session")
def deploy_settings(pytestconfig) -> Settings:
    """The resolved :class:`deploytests.settings.Settings` (ini < env var < command line) of this run."""
    if not resolved(pytestconfig):  # requested by name only (getfixturevalue): its error was not raised yet
        stop(pytestconfig, pytestconfig.stash[ERROR])
    return pytestconfig.stash[SETTINGS]


@pytest.fixture(scope="session")
def deploy_target(pytestconfig):
    """The target's provider, opened once for the session: its ``.servers`` are up and connected (docker:
    containers started; ssh: every host connected with its pinned key). Closed at the end; containers are
    removed unless ``--keep-containers``. ``.rights`` says what the suite may do there."""
    if not resolved(pytestconfig):
        stop(pytestconfig, pytestconfig.stash[ERROR])
    provider = pytestconfig.stash[PROVIDER]
    try:
        provider.open()
    except DeployTestsError as exc:
        provider.close()
        stop(pytestconfig, exc)
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def deploy_config(pytestconfig, deploy_settings, deploy_target) -> DeployConfig:
    """The app's :class:`deploytests.config.DeployConfig` (from ``--app``), with the target's config file. From
    here on, every output of the run has the config file's values redacted; a value that cannot be known
    statically is named in a warning."""
    try:
        cfg = load_config(pytestconfig)
    except DeployTestsError as exc:
        stop(pytestconfig, exc)
    secrets = pytestconfig.stash[SECRETS] = secrets_of(cfg.config_file)
    for warning in secrets.warnings:
        say(pytestconfig, f"warning: {warning}", yellow=True)
    return cfg


@pytest.fixture(scope="session")
def deploy_bootstrapped(pytestconfig, deploy_settings, deploy_target, deploy_config) -> Bootstrapped:
    """Every server bootstrapped (idempotent: packages, user, tree, config, vhost). Skipped with --no-deploy.
    A failing bootstrap stops the run."""
    if deploy_settings.no_deploy or not deploy_target.rights.deploy:
        pytest.skip("nothing bootstrapped: --no-deploy or the target does not allow deploys")
    from ..pipeline import fleet

    produce = lambda: json.dumps(asdict(fleet.bootstrap_all(deploy_target.servers, deploy_config)))  # noqa: E731
    try:
        return fleet.Bootstrapped(**json.loads(shared(pytestconfig, deploy_target, "bootstrap", produce)))
    except DeployTestsError as exc:
        _stop_run(pytestconfig, exc)


@pytest.fixture(scope="session")
def deploy_artifact(pytestconfig, deploy_settings, deploy_config, deploy_bootstrapped):
    """The packed release (:class:`deploytests.pipeline.Artifact`: path, version, sha256), built once
    for the servers' Python and CPU architecture (wheels cached between runs). A fleet mixing platforms gets one
    artifact per distinct Python (each server deploys its own; ``deployment[label].artifact_sha256`` says which);
    this fixture is then the first server's. A failing pack stops the run."""
    from ..pipeline import pack

    started = time.monotonic()
    try:
        arts = {v: pack(deploy_settings.app, deploy_config, python_version=v, machine=deploy_bootstrapped.machine)
                for v in deploy_bootstrapped.python_versions()}
    except DeployTestsError as exc:
        _stop_run(pytestconfig, exc)
    pytestconfig.stash[RUN]["pack"] = time.monotonic() - started
    pytestconfig.stash[RUN]["artifacts"] = arts
    for warning in dict.fromkeys(w for art in arts.values() for w in art.warnings):
        say(pytestconfig, f"warning: pack: {warning}", yellow=True)
    return arts[deploy_bootstrapped.python_version]


@pytest.fixture(scope="session")
def deployment(request, pytestconfig, deploy_settings, deploy_target, deploy_config) -> Deployment:
    """What is live: the session's deploy of ``artifact`` on every server (parallel), or with
    ``--no-deploy`` (or a target without the deploy right) what was already live, read and unchanged.
    ``deployment[deploy_server.label].release_id`` is the release each host serves."""
    from ..pipeline import fleet
    from ..session import Session

    run = pytestconfig.stash[RUN]
    try:
        if deploy_settings.no_deploy or not deploy_target.rights.deploy:
            result = fleet.read_live(deploy_target.servers, deploy_config)
        else:
            session = Session(deploy_settings, provider=deploy_target, config=deploy_config,  # summary lines
                              say=run.setdefault("rollout", []).append)  # at the end
            servers = deploy_target.servers
            try:  # collected before bootstrap touches a host; a file that cannot be is every test's stop
                tests = _project_tests(request, session, servers)
            except DeployTestsError as exc:
                _stop_run(pytestconfig, exc)
            art = request.getfixturevalue("deploy_artifact")
            boot = request.getfixturevalue("deploy_bootstrapped")

            def produce() -> str:  # the session's rollout policy, hooks and gate (the same as fab's)
                return fleet.deploy_all(servers, deploy_config, art, boot=boot,
                                        pack_seconds=run.get("pack", 0.0), artifacts=run.get("artifacts"),
                                        policy=session.policy, hooks=session.hooks, say=session.say,
                                        gate=session.rollout_gate([s.label for s in servers], suite_follows=True),
                                        tests=tests.run if tests else None).to_json()
            result = fleet.Deployment.from_json(shared(pytestconfig, deploy_target, "deploy", produce))
    except HostsFailed as exc:
        if all(not o.ok for o in exc.outcomes):  # no host to verify: every test would repeat it
            _stop_run(pytestconfig, exc)
        _fail(exc)
    except DeployTestsError as exc:
        _fail(exc)
    run["deployment"] = result
    return result


def _project_tests(request, session, servers):
    """The project's read-only deploy tests this run collected (``/abs/path.py::[Class::]test``: each test once
    for all hosts, whatever the rootdir), run by
    the rollout between its phases (:meth:`deploytests.session.Session.project_tests`); None in a rollout of one
    phase, where they run on every host right after it anyway."""
    from .between import read_only_project_test

    if not servers or len(session.policy.phases([s.label for s in servers])) < 2:
        return None
    config = request.config
    ids = dict.fromkeys(f"{item.path}::{item.nodeid.split('[', 1)[0].split('::', 1)[-1]}"  # all its hosts
                        for item in request.session.items if read_only_project_test(item))
    args = (f"--rootdir={config.rootpath}",) + ((f"--config-file={config.inipath}",) if config.inipath else ())
    return session.project_tests(servers, collected=tuple(ids), cwd=Path(config.rootpath), pytest_args=args)


@pytest.fixture(scope="session")
def deploy_server(request, deploy_target, deployment):
    """One server of the target (:class:`deploytests.targets.Server`), with the app deployed (or, with
    ``--no-deploy``, as found). Tests using it run once per server: ``test_x[docker://web-1]``.
    ``deploy_server.connection()`` is the shared, pinned Fabric connection. A server whose bootstrap or deploy
    failed (or that could not be asked) errors its own tests with that one line; the other servers' tests run.
    With ``--no-deploy``, a server with no live release errors the tests that use ``deploy_host`` or
    ``deploy_http`` (they look at a live site); tests that judge the server's facts themselves (the built-in
    gate: one root failure, "nothing deployed", and the bootstrap's promises still checked) run."""
    srv = next(s for s in deploy_target.servers if s.label == request.param)
    _refuse_host(deployment.hosts.get(srv.label), nothing_live=False)
    return srv


@pytest.fixture(scope="session")
def deploy_host(deploy_server, deployment):
    """A testinfra ``Host`` for ``deploy_server`` over its already-open pinned connection (no new SSH login,
    no ``~/.ssh/config``, never testinfra's cached ``get_host``). ``with deploy_host.sudo():`` works
    where the login may sudo."""
    from ..verify.testinfra import host_for

    _refuse_host(deployment.hosts.get(deploy_server.label), nothing_live=True)
    return host_for(deploy_server)


def site_client(base_url: str, cfg):
    """The HTTP client of the deploy checks for the site at ``base_url`` (pure): the Host of ``cfg.server_name``,
    each answer within ``cfg.health_timeout`` seconds (the whole answer: at least the client's default deadline),
    a timeout naming that setting."""
    from ..verify.http import DEADLINE, HttpClient, site_host

    bound = float(cfg.health_timeout)
    return HttpClient(base_url, host_header=site_host(base_url, cfg.server_name), timeout=bound,
                      deadline=max(DEADLINE, bound),
                      slow_hint="an app slower than that to answer (a loaded server) needs a higher health_timeout "
                                "in deploy.toml (seconds, at most 600)")


@pytest.fixture(scope="session")
def deploy_http(deploy_server, deployment, deploy_config):
    """A :class:`deploytests.verify.HttpClient` (a requests session) for ``deploy_server.base_url``:
    ``deploy_http.get("/health")``, ``deploy_http.post("/items", json=...)``, ``deploy_http.url(path)``. Its
    requests send ``Host: server_name`` when the URL is an address (the docker target's 127.0.0.1:PORT). Each
    answer may take deploy.toml's ``health_timeout`` (the seconds the app may take to answer: raise it for a
    slow or loaded server); one that does not come fails in one line naming that setting."""
    _refuse_host(deployment.hosts.get(deploy_server.label), nothing_live=True)
    client = site_client(deploy_server.base_url, deploy_config)
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
