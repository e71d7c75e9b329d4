"""The gate: every promise of bootstrap and deploy, checked read-only on every server (docs/promises.md).

Each test checks one :class:`~deploytests.verify.promises.Promise` against the server's facts, gathered once
per server in one round trip, for all servers at once (:func:`deploytests.verify.facts.gather_all`). Nothing
here changes a server and nothing needs the deploy right: on a read-only target (``deploy = false``,
``--no-deploy``) every check runs too; the provenance checks then compare the live release with the artifact its
RELEASE.json names, as this runner packed it: a run that deploys nothing packs nothing (packing runs the project's
build here). When a basic fact is wrong (host unreachable, not bootstrapped, Apache down,
nothing deployed) its root check fails and the checks depending on it are skipped, naming it. What to expect
on a server (packages, Apache's paths and tools, its Python) is read from its stack (:mod:`deploytests.stacks`);
each server is compared with the artifact packed for its Python.
"""

from __future__ import annotations

import pytest

from deploytests import plugin as _plugin
from deploytests.verify.facts import gather_all
from deploytests.verify.promises import Expected, NotApplicable, verify
from deploytests.verify.report import DRIFT


@pytest.fixture(scope="session")
def deploy_facts_all(pytestconfig, deploy_target, deploy_config, deployment):
    """Every server's facts (label -> Facts), gathered concurrently the first time a check asks."""
    facts = gather_all(deploy_target.servers, deploy_config)
    pytestconfig.stash[DRIFT] = facts  # the drift section of the report (deploytests/suite/conftest.py)
    run = pytestconfig.stash.get(_plugin.RUN, None)
    if run is not None:  # the run summary's "verify" per host includes its probe (gathered in this setup)
        for label, f in facts.items():
            run["verify"][label] += f.seconds
    return facts


@pytest.fixture(scope="session")
def deploy_facts(deploy_server, deploy_facts_all):
    """This server's :class:`~deploytests.verify.facts.Facts`."""
    return deploy_facts_all[deploy_server.label]


@pytest.fixture(scope="session")
def deploy_artifact_source(request, pytestconfig, deployment):
    """What the provenance checks compare with: the artifacts this run deployed (server Python X.Y -> artifact:
    a fleet mixing platforms has one per Python), or None: a run that deploys nothing packs nothing, whatever runs
    it (packing runs the project's ``build`` commands and its build backend on this machine, as whoever runs the
    gate); the checks then take the artifact the live release's RELEASE.json names from the artifacts this runner
    packed (:meth:`~deploytests.verify.promises.Expected.artifact_by_sha`), as the rollback check does."""
    if deployment.deployed:
        first = request.getfixturevalue("deploy_artifact")
        return dict(pytestconfig.stash[_plugin.RUN].get("artifacts") or {}) or first
    return None


@pytest.fixture(scope="session")
def deploy_expected(deploy_server, deploy_config, deployment, deploy_artifact_source, deploy_target):
    """What this server should look like (:class:`~deploytests.verify.promises.Expected`): from the app's
    config, the release this run deployed there (None: read-only run), the artifact and the target's
    allowances (targets.toml ``allow_*``, ``skip_rules``)."""
    host = deployment.hosts.get(deploy_server.label)
    try:
        stack = deploy_server.stack
    except Exception:  # noqa: BLE001 - unreachable, or an OS no stack knows: test_host_answers names it
        stack = None
    return Expected.from_config(deploy_config, deploy_config.deploy_user or deploy_server.user, stack=stack,
                                host=deploy_server.host, port=deploy_server.port, name=deploy_server.name,
                                deployed_release=host.release_id if deployment.deployed and host else None,
                                artifact=deploy_artifact_source, allow=deploy_target.spec.allow)


@pytest.fixture
def promise(deploy_facts, deploy_expected):
    """``promise("id")`` checks one promise on this server (a skip when it cannot be judged here)."""

    def check(promise_id: str) -> None:
        __tracebackhide__ = True
        try:
            verify(promise_id, deploy_facts, deploy_expected)
            return
        except NotApplicable as why:
            skipped, message = True, str(why)
        except AssertionError as failed:  # the message says it all: expected, found, where (no frames)
            skipped, message = False, str(failed).split("\nassert ")[0]
        if skipped:
            pytest.skip(message)
        pytest.fail(message, pytrace=False)

    return check


# ---------------------------------------------------------------- basic facts (each the root of others)

def test_host_answers(promise):
    promise("host")


def test_sudo_works_for_the_login(promise):
    promise("sudo")


def test_tree_modes_and_owners(promise):
    promise("tree")


def test_apache_running(promise):
    promise("apache")


def test_current_is_a_complete_release(promise):
    promise("current")


# ---------------------------------------------------------------- bootstrap

def test_packages_installed(promise):
    promise("packages")


def test_apache_starts_at_boot(promise):
    promise("boot")


def test_configtest_clean(promise):
    promise("configtest")


def test_mod_wsgi_loaded(promise):
    promise("mod_wsgi")


def test_mod_wsgi_and_live_venv_run_the_stacks_python(promise):
    promise("python")


def test_port_listening(promise):
    promise("port")


def test_site_enabled_and_default_disabled(promise):
    promise("sites")


def test_vhost_as_bootstrapped(promise):
    promise("vhost")


def test_vhost_daemon_mode(promise):
    promise("daemon_mode")


def test_app_user(promise):
    promise("app_user")


def test_deploy_user_in_app_group(promise):
    promise("deploy_group")


def test_sudoers_rule_minimal(promise):
    promise("sudoers")


def test_shared_dirs(promise):
    promise("shared")


def test_config_not_world_readable(promise):
    promise("config_mode")


def test_config_is_the_targets_config(promise):
    promise("config")


def test_wsgi_as_bootstrapped(promise):
    promise("wsgi")


def test_app_files_not_downloadable(promise):
    promise("private")


# ---------------------------------------------------------------- deploy

def test_release_records(promise):
    promise("records")


def test_installed_version_is_recorded_version(promise):
    promise("installed")


def test_release_json_matches_artifact(promise):
    promise("artifact")


def test_installed_files_match_artifact(promise):
    promise("files")


def test_release_code_not_writable(promise):
    promise("code_mode")


def test_venv_python_is_the_stacks_interpreter(promise):
    promise("venv_python")


def test_shared_links(promise):
    promise("shared_links")


def test_releases_pruned_and_complete(promise):
    promise("prune")


def test_daemons_run_as_app_user(promise):
    promise("daemon_user")


def test_daemons_run_live_release(promise):
    promise("daemon_code")


def test_daemons_run_what_is_on_disk(promise):
    promise("loaded")


def test_reload_takes_effect(promise):
    promise("reload")


def test_daemons_umask(promise):
    promise("umask")


def test_health_from_runner(promise):
    promise("health")


def test_homepage_is_the_app(promise):
    promise("homepage")


def test_site_serves_current_release(promise):
    promise("serves")


def test_static_served_by_apache(promise):
    promise("static")


def test_health_from_inside_server(promise):
    promise("inside")


# ---------------------------------------------------------------- closed world: the server accounted for

def test_every_listener_is_accounted_for(promise):
    promise("cw_listen")


def test_every_apache_file_is_accounted_for(promise):
    promise("cw_apache_files")


def test_every_apache_module_is_accounted_for(promise):
    promise("cw_modules")


def test_every_vhost_is_accounted_for(promise):
    promise("cw_vhosts")


def test_apache_config_on_disk_is_in_force(promise):
    promise("cw_in_force")


def test_every_process_is_accounted_for(promise):
    promise("cw_processes")


def test_no_unaccounted_scheduled_jobs(promise):
    promise("cw_schedules")


def test_no_unaccounted_systemd_units(promise):
    promise("cw_units")


def test_places_root_acts_later_are_accounted_for(promise):
    promise("cw_root_acts")


def test_no_process_of_the_app_is_traced(promise):
    promise("cw_traced")


def test_every_sudoers_line_is_accounted_for(promise):
    promise("cw_sudoers")


def test_users_groups_are_accounted_for(promise):
    promise("cw_groups")


def test_no_key_logs_in_as_the_app_user(promise):
    promise("cw_app_login")


def test_no_setuid_or_world_writable_in_app_tree(promise):
    promise("cw_tree_special")


def test_nothing_else_loads_code_into_the_app(promise):
    promise("cw_loader")


def test_nothing_on_the_load_path_is_writable_by_others(promise):
    promise("cw_load_path")


def test_apache_loads_and_runs_only_roots_files(promise):
    promise("cw_apache_effects")


def test_apache_serves_the_apps_tree_only_through_its_vhost(promise):
    promise("cw_served")


def test_apache_handlers_write_and_run_only_whats_ours(promise):
    promise("cw_handlers")


def test_nothing_stands_between_clients_and_the_app(promise):
    promise("cw_in_front")


def test_what_apache_and_the_daemons_map_is_roots(promise):
    promise("cw_mapped")


def test_stdlib_bytecode_is_its_sources(promise):
    promise("cw_bytecode")


def test_no_unaccounted_privileged_files(promise):
    promise("cw_setuid")


def test_rollback_targets_are_complete(promise):
    promise("rollback_ready")


def test_sshd_config_is_accounted_for(promise):
    promise("cw_sshd")


def test_login_stack_is_accounted_for(promise):
    promise("cw_pam")


def test_login_files_are_the_logins(promise):
    promise("cw_login_files")


def test_packaged_files_are_as_installed(promise):
    promise("cw_packaged")


# ---------------------------------------------------------------- security baseline

def test_trace_disabled(promise):
    promise("sec_trace")


def test_server_header_names_no_modules(promise):
    promise("sec_tokens")


def test_status_pages_not_exposed(promise):
    promise("sec_status")


def test_no_other_site_reads_answers_with_credentials(promise):
    promise("sec_cors")


def test_apache_workers_not_root(promise):
    promise("sec_apache_user")


def test_apt_sources_are_signed(promise):
    promise("sec_apt")


def test_stack_packages_take_their_updates(promise):
    promise("sec_updates")


def test_no_one_else_becomes_root(promise):
    promise("cw_become")


def test_deploy_login_keeps_logging_in(promise):
    promise("cw_deploy_account")


def test_secrets_not_readable_by_others(promise):
    promise("sec_secrets")


def test_ssh_offers_no_weak_algorithms(promise):
    promise("sec_ssh_crypto")


def test_ssh_server_keeps_its_bounds(promise):
    promise("sec_ssh_limits")


def test_apache_logs_not_readable_by_others(promise):
    promise("sec_logs")


def test_stock_guards_in_force(promise):
    promise("sec_guards")


def test_kernel_settings_at_boot_are_secure(promise):
    promise("sec_sysctl")


def test_temp_dirs_are_sticky(promise):
    promise("sec_sticky")
