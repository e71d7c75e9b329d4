"""The plugin's set-up: options and ini keys, markers, settings and target resolved once (no network), the
per-server parametrization, and the check of settings and deploy config after collection."""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

import pytest

from ..config import DATA_ONLY, confined, has_deploy_config
from ..config import load_config as load_deploy_config
from ..errors import ConfigError, DeployTestsError
from ..settings import OPTIONS, Settings, blame, resolve
from ..targets import provider_for
from .reporting import Reporting
from .state import (
    ALIASES,
    CONFIG,
    DEPLOYS,
    DESTRUCTIVE,
    ERROR,
    MARKERS,
    PENDING,
    PROVIDER,
    ROOTS,
    RUN,
    SETTINGS,
    USED,
    is_worker,
    option,
    say,
    shares_real_target,
    stop,
    uses_deploytests,
)

PYTEST_OPTIONS = tuple(o for o in OPTIONS if o.pytest)
FAULTS_PLUGIN = "deploytests.faults.plugin"
GROUP = "deploytests"
DIST_NOTE = ("deploytests: note: --dist loadscope instead of load: on a real target the workers share, a module's "
             "tests run on one worker (the lifecycle scenarios are one module and must not interleave)")


def no_app(config) -> DeployTestsError:
    return DeployTestsError("no app to deploy", hint=f"pass {option(config, 'app')} PATH, set DEPLOYTESTS_APP or "
                            "the deploytests_app ini key; a project without a deploy config: run "
                            "`deploytests init` in it first")


class Hooks:
    """Hooks a conftest may implement."""

    @pytest.hookspec(firstresult=True)
    def pytest_deploytests_default_app(self, config):
        """Return the project directory to deploy when neither ``--app``, ``DEPLOYTESTS_APP`` nor the
        ``deploytests_app`` ini key sets it (this repository's root conftest returns its example app). Without
        an answer, the app is the rootdir when it has a ``deploy.toml`` or ``[tool.deploytests]``."""


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(Hooks)


def _option_kwargs(opt) -> dict:
    return {"action": "store_true", "default": None} if opt.flag else {"metavar": opt.metavar}


def pytest_addoption(parser):
    """Every option in its prefixed form (``--deploytests-target``); the short aliases the README uses
    (``--target``) come later, in :func:`pytest_load_initial_conftests`, and only where free."""
    group = parser.getgroup(GROUP, "deploy an app to a target and verify it (deploytests)")
    for opt in PYTEST_OPTIONS:
        group.addoption(opt.prefixed, dest=f"deploytests_{opt.name}",
                        help=f"{opt.help} [env {opt.env}]".replace("%", "%%"),  # argparse %-formats help
                        **_option_kwargs(opt))
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


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    """Add the short aliases (``--target`` for ``--deploytests-target``, ...) that this run's command line uses
    (or all, for ``--help``) and no one else took.

    The plugin is loaded into every pytest run of the environment; a project's conftest may define ``--app`` or
    ``--target`` itself, and pytest (argparse) refuses a second option of one name - the run would crash before
    any test. By now every plugin and the initial conftests have added their options (their
    ``pytest_addoption`` ran), and the full command line (with ``addopts`` and ``PYTEST_ADDOPTS``) is parsed
    after this hook: an alias someone else holds stays theirs, the prefixed form stays ours. An alias the
    command line does not use is not added at all: a conftest below the rootdir that is not an initial one
    (pytest registers it at collection, after this hook) may define ``--app`` or ``--platform`` for its own
    tests, and a name of ours would crash that unrelated run at its collection."""
    __tracebackhide__ = True  # a guest: never a frame of the project's own errors
    result = yield
    used = {str(a).split("=", 1)[0] for a in args if str(a).startswith("--")}
    wanted = "--help" in used or "-h" in args
    group, ours = parser.getgroup(GROUP), set()
    for opt in PYTEST_OPTIONS:
        if not (wanted or opt.cli in used):
            continue
        try:
            group.addoption(opt.cli, dest=f"deploytests_{opt.name}", help=f"same as {opt.prefixed}",
                            **_option_kwargs(opt))
        except (argparse.ArgumentError, ValueError):
            continue  # the project's (or another plugin's) option: it keeps the name
        ours.add(opt.name)
    early_config.stash[ALIASES] = ours
    return result


# ---------------------------------------------------------------- configure: settings and target, no network

def _settings(config) -> Settings:
    default = config.hook.pytest_deploytests_default_app(config=config)
    defaults = {"app": Path(default).resolve()} if default else None
    if defaults is None and has_deploy_config(Path(config.rootpath)):  # the project being tested
        defaults, source = {"app": Path(config.rootpath)}, "the project at the rootdir"
    else:
        source = "conftest default"
    return resolve(
        cli={o.name: getattr(config.option, f"deploytests_{o.name}", None) for o in PYTEST_OPTIONS},
        env=os.environ,
        ini={o.ini: str(config.getini(o.ini)) for o in PYTEST_OPTIONS if config.getini(o.ini) not in ("", None)},
        cwd=Path(config.invocation_params.dir),
        ini_dir=Path(config.inipath).parent if config.inipath else Path(config.rootpath),
        defaults=defaults, default_source=source,
        spellings={o.name: option(config, o.name) for o in PYTEST_OPTIONS},
    )


def pytest_configure(config):
    """Markers, the reporting plugin, and the settings and target (no network) only when this run asks for
    deploytests on its command line (or, on an xdist controller, names a target: see :func:`_xdist_names_target`).
    Otherwise nothing is resolved until a collected test uses deploytests (:func:`resolved`): the plugin is
    installed for every pytest run of the environment, and a run that does not use it reads no file of ours
    (targets.toml, deploy.toml), runs no conftest hook of ours and says nothing. A bad setting stops the run
    after collection, before any test runs, and only a run that uses deploytests (see
    :func:`pytest_collection_modifyitems`): a stray env var or someone else's ``targets.toml`` must not break
    unrelated suites."""
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.pluginmanager.register(Reporting(config), "deploytests-reporting")
    faults = config.getoption("deploytests_faults")
    if faults and not config.pluginmanager.has_plugin(FAULTS_PLUGIN):
        from ..faults import plugin as campaign

        config.pluginmanager.register(campaign, FAULTS_PLUGIN)
    config.stash[RUN] = {"verify": defaultdict(float), "deployment": None}
    config.stash[USED] = any(getattr(config.option, f"deploytests_{o.name}", None) is not None
                             for o in PYTEST_OPTIONS)
    if not (config.stash[USED] or faults or _xdist_names_target(config)):
        return
    if resolved(config) and shares_real_target(config) and config.getvalue("dist") == "load":
        # a module's tests go to one worker: the lifecycle scenarios (one module) run on one worker only.
        # (xdist's loadgroup would be finer, but with pytest 9 it no longer renames the grouped test ids.)
        # Said in the header (pytest_report_header): a user's option is never changed silently.
        config.option.dist = "loadscope"
        config.stash[RUN]["dist"] = DIST_NOTE


def _xdist_names_target(config) -> bool:
    """An xdist controller about to schedule with ``--dist load`` where the target is named (env var or ini key;
    the command line counts as use already): it must know now whether the workers will share a real target,
    before any worker collected (xdist makes its scheduler first). An unnamed target is the docker one, which
    the workers never share."""
    if is_worker(config) or not getattr(config.option, "numprocesses", None) or config.getvalue("dist") != "load":
        return False
    names = [o for o in PYTEST_OPTIONS if o.name in ("target", "targets_file")]
    return any(os.environ.get(o.env) or config.getini(o.ini) for o in names)


def resolved(config) -> bool:
    """Resolve the settings and the target once, on first need (no network): True when they resolved (in the
    stash as ``SETTINGS`` and ``PROVIDER``), False when they did not (the error in the stash as ``ERROR``,
    raised only in a run that uses deploytests). Called by the first of: :func:`pytest_configure` (a
    deploytests option on the command line), :func:`pytest_generate_tests` (a test of ours being collected),
    :func:`pytest_collection_modifyitems` (the run uses deploytests), the fixtures, the xdist controller's
    summary."""
    if ERROR in config.stash:
        return False
    if SETTINGS in config.stash:
        return True
    try:
        settings = _settings(config)
        default_file = Path(config.rootpath) / "targets.toml"
        provider = provider_for(settings, targets_file=default_file if default_file.is_file() else None,
                                progress=lambda msg: say(config, msg))
    except DeployTestsError as exc:
        config.stash[ERROR] = exc
        return False
    config.stash[SETTINGS], config.stash[PROVIDER] = settings, provider
    return True


def pytest_report_header(config):
    """Only what this plugin changed of the run's own options (nothing in runs that do not use it)."""
    note = config.stash.get(RUN, {}).get("dist")
    return [note] if note else []


# ---------------------------------------------------------------- collection: parametrize and refuse

@pytest.hookimpl(tryfirst=True)  # resolved before a module's own pytest_generate_tests reads the target
def pytest_generate_tests(metafunc):
    """Only ``deploy_server`` is parametrized (one test per server); a project's fixtures never are (a test that
    uses a project's own ``server`` has no ``deploy_server`` in its closure). A test of ours being collected
    resolves the settings and target (:func:`resolved`); any other test costs nothing."""
    if not any(name in ROOTS for name in metafunc.fixturenames):
        return
    ok = resolved(metafunc.config)
    if "deploy_server" in metafunc.fixturenames:  # unresolved: the session stops once collection is done
        labels = metafunc.config.stash[PROVIDER].labels() if ok else ["unconfigured"]
        metafunc.parametrize("deploy_server", labels, ids=labels, indirect=True, scope="session")


def refusal(item, provider, settings: Settings) -> str | None:
    """Why ``item`` must not run on this target (a skip reason), or None."""
    where = f"target {provider.name!r}"
    if item.get_closest_marker(DESTRUCTIVE) and not provider.rights.destructive:
        return f"{where} does not allow destructive tests (destructive = false in the targets file)"
    if item.get_closest_marker(DEPLOYS) or item.get_closest_marker(DESTRUCTIVE):  # failure injection deploys
        if not provider.rights.deploy:
            return f"{where} does not allow deploys (deploy = false in the targets file)"
        if settings.no_deploy:
            marker = DESTRUCTIVE if item.get_closest_marker(DESTRUCTIVE) else DEPLOYS
            return (f"--no-deploy: marked {marker} (it changes what the site holds or runs, or compares with what "
                    "this run deploys), and this run changes nothing")
    return None


@pytest.hookimpl(trylast=True)  # after -k, -m and --deselect: the tests that will run
def pytest_collection_modifyitems(config, items):
    """A run that uses deploytests checks its settings, targets file and the app's deploy config here, before
    any test runs: a bad one stops the session (in an xdist worker, at its first test of ours: a worker that
    stops while collecting is an INTERNALERROR). Tests the target has no right for are skipped."""
    ours = [item for item in items if uses_deploytests(item)]
    config.stash[USED] = config.stash[USED] or bool(ours)
    if not config.stash[USED]:
        return
    error = None if resolved(config) else config.stash[ERROR]
    error = error or _app_error(config, ours)
    if error is not None:
        if not is_worker(config):
            stop(config, error)
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
    settings = config.stash[SETTINGS]
    if settings.app is None:
        return no_app(config) if any("deploy_config" in item.fixturenames for item in ours) else None
    try:
        load_config(config)
    except ConfigError as exc:  # no deploy config there: say which option (and source) named the dir
        return blame(settings, "app", ConfigError(exc.what, hint=exc.hint)) if exc.where == str(settings.app) else exc
    except DeployTestsError as exc:
        return exc
    return None


def load_config(config):
    """The app's deploy config with the target's config file, loaded once per run (kept in the stash)."""
    if CONFIG not in config.stash:
        settings, provider = config.stash[SETTINGS], config.stash[PROVIDER]
        if settings.app is None:
            raise no_app(config)
        cfg = load_deploy_config(settings.app, target_config=provider.config_file,
                                 target_env=getattr(provider, "env", None))
        config.stash[CONFIG] = confined(cfg) if os.environ.get(DATA_ONLY) and not provider.config_file else cfg
    return config.stash[CONFIG]
