"""Inventory parsing and provider selection: pure, no network, no Docker."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests.errors import ConfigError
from deploytests.targets import PROVIDERS, find_target, load_inventory, parse_host, provider_class, provider_for
from deploytests.targets.docker import DockerProvider
from deploytests.targets.ssh import SshProvider

GOOD = """
[targets.staging]
hosts = ["appuser@web1", "deployer@10.0.0.2:2222"]
identity_file = "id_key"
known_hosts = "known_hosts"
base_url = "http://staging.example.com/"
config_file = "staging.cfg"
deploy = true

[targets.prod]
user = "deployer"
hosts = [{ name = "web1", address = "10.0.0.11", base_url = "https://www.example.com" }, "web2.example.com"]
identity_file = "id_key"
known_hosts = "known_hosts"
base_url = { "web2.example.com" = "https://web2.example.com" }
"""


@pytest.fixture
def inventory(tmp_path):
    (tmp_path / "id_key").write_text("key")
    path = tmp_path / "targets.toml"
    path.write_text(GOOD)
    return path


def settings(target, path=None, containers=2, keep=False):
    return SimpleNamespace(target=target, targets_file=path, containers=containers, keep_containers=keep)


def test_parse_host():
    assert parse_host("appuser@web1") == parse_host("appuser@web1:22")
    h = parse_host("deployer@10.0.0.2:2222")
    assert (h.user, h.host, h.port, h.label) == ("deployer", "10.0.0.2", 2222, "ssh://deployer@10.0.0.2:2222")
    assert parse_host("web1", default_user="u").label == "ssh://u@web1"
    for bad in ("web1", "a@b:0", "a@b:99999", "a@b c", ""):
        with pytest.raises(ValueError, match="is not 'user@host\\[:port\\]'"):
            parse_host(bad)


def test_inventory(inventory):
    targets = load_inventory(inventory)
    staging, prod = targets["staging"], targets["prod"]
    assert [h.label for h in staging.hosts] == ["ssh://appuser@web1", "ssh://deployer@10.0.0.2:2222"]
    assert staging.base_url == "http://staging.example.com"
    assert staging.identity_file == inventory.parent / "id_key"
    assert (staging.rights.deploy, staging.rights.destructive) == (True, False)
    assert (prod.rights.deploy, prod.rights.destructive) == (False, False)
    assert [(h.label, h.base_url) for h in prod.hosts] == [
        ("ssh://deployer@web1", "https://www.example.com"), ("ssh://deployer@web2.example.com", "https://web2.example.com")]
    assert staging.where == f"{inventory}:2" and prod.where == f"{inventory}:10"


def test_unknown_target_lists_the_targets(inventory):
    with pytest.raises(ConfigError, match=r"unknown target 'nope'; targets in .*targets.toml: docker, prod, staging"):
        find_target("nope", inventory)
    with pytest.raises(ConfigError, match="unknown target 'nope': no targets file"):
        find_target("nope", None)


def test_docker_is_built_in(inventory):
    assert find_target("docker", None).kind == "docker"
    assert find_target("docker", inventory).rights.destructive is True


@pytest.mark.parametrize("text, message", [
    ("[targets.a\nhosts = []", r"targets.toml:1: not valid TOML: .*\(at line 1, column \d+\)"),
    ("x = 1", r"targets.toml:1: expected only \[targets.NAME\] tables"),
    ("\n[targets.a]\nhosts = 'u@h'", r"targets.toml:3: target 'a': key 'hosts' must be a list"),
    ("[targets.a]\nhosts = ['nouser']", r"target 'a': host 'nouser' is not 'user@host\[:port\]'"),
    ("[targets.a]\ndeploy = 'yes'", r"target 'a': key 'deploy' must be true or false, got 'yes'"),
    ("[targets.a]\nhostz = []", r"target 'a': unknown key 'hostz'; allowed keys: kind, hosts"),
    ("[targets.a]\nbase_url = 'ftp://x'", r"target 'a': key 'base_url' must be an http\(s\) URL"),
    ("[targets.a]\nhosts = ['u@h', 'u@h:22']", r"target 'a': key 'hosts' lists ssh://u@h twice"),
    # two servers on one address (containers kept by the gate) would both be checked at one URL
    ("[targets.a]\nhosts = ['u@127.0.0.1:2201', 'u@127.0.0.1:2202']\n"
     "base_url = { '127.0.0.1' = 'http://127.0.0.1:8001' }",
     r"targets.toml:3: target 'a': base_url: key '127.0.0.1' names 2 "
     r"hosts \(ssh://u@127.0.0.1:2201, ssh://u@127.0.0.1:2202\), which would all be checked at that one URL. "
     r"Hint: give each host its own URL"),
    # one key two ways: a host table's name that is another host's host name (the labels collide first)
    ("[targets.a]\nhosts = [{ name = 'web1', address = 'u@10.0.0.1' }, 'u@web1']\n"
     "base_url = { 'web1' = 'http://web1' }", r"targets.toml:2: target 'a': key 'hosts' lists ssh://u@web1 twice"),
])
def test_malformed_inventory_is_one_line_with_file_and_line(tmp_path, text, message):
    path = tmp_path / "targets.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_inventory(path)
    assert "\n" not in str(err.value)


def test_missing_inventory(tmp_path):
    with pytest.raises(ConfigError, match="targets file .*missing.toml does not exist. Hint:"):
        load_inventory(tmp_path / "missing.toml")


def test_providers_registry(inventory):
    assert {kind: provider_class(kind) for kind in PROVIDERS} == {"docker": DockerProvider, "ssh": SshProvider}
    docker = provider_for(settings("docker", containers=3))
    assert docker.labels() == ["docker://web-1", "docker://web-2", "docker://web-3"]
    assert docker.rights.deploy and docker.rights.destructive
    staging = provider_for(settings("staging", inventory))
    assert staging.labels() == ["ssh://appuser@web1", "ssh://deployer@10.0.0.2:2222"]
    assert "2 hosts over SSH" in staging.describe()


@pytest.mark.parametrize("change, message", [
    ("identity_file = \"id_key\"", "identity file .*nothere does not exist"),
    ("known_hosts = \"known_hosts\"", "missing key 'known_hosts'"),
    ("base_url = \"http://staging.example.com/\"", "no base_url for ssh://appuser@web1"),
    ("hosts = [\"appuser@web1\", \"deployer@10.0.0.2:2222\"]", "no hosts"),
    ("deploy = true", None),
])
def test_ssh_target_checks(inventory, change, message):
    replacement = {"identity_file": 'identity_file = "nothere"', "hosts": "hosts = []"}.get(change.split()[0], "")
    inventory.write_text(GOOD.replace(change, replacement))
    if message is None:
        assert provider_for(settings("staging", inventory)).rights.deploy is False
        return
    with pytest.raises(ConfigError, match=f"target 'staging': {message}"):
        provider_for(settings("staging", inventory))


def test_ssh_target_without_base_url_is_fine_where_nothing_makes_http_requests(inventory):
    """``fab status`` / ``deploy`` (the health gate runs on the server) never reach the site from the runner."""
    inventory.write_text(GOOD.replace('base_url = "http://staging.example.com/"', ""))
    assert provider_for(settings("staging", inventory), http=False).labels() == [
        "ssh://appuser@web1", "ssh://deployer@10.0.0.2:2222"]
    with pytest.raises(ConfigError, match="no base_url for ssh://appuser@web1"):
        provider_for(settings("staging", inventory))


def test_unknown_kind(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text("[targets.k8s]\nkind = 'kubectl'\n")
    with pytest.raises(ConfigError, match="unknown kind 'kubectl'; known kinds: docker, ssh"):
        provider_for(settings("k8s", Path(path)))


def test_once_per_run_hands_the_first_result_to_later_workers(tmp_path):
    from deploytests.targets.sharing import once_per_run

    calls = []
    produce = lambda: calls.append(1) or "deployed"  # noqa: E731
    assert once_per_run(tmp_path / "run" / "deploy.json", produce) == "deployed"
    assert once_per_run(tmp_path / "run" / "deploy.json", produce) == "deployed" and calls == [1]


def test_once_per_run_failure_is_not_retried_by_later_workers(tmp_path):
    from deploytests.errors import DeployTestsError
    from deploytests.targets.sharing import once_per_run

    def boom():
        raise RuntimeError("ssh went away")

    with pytest.raises(RuntimeError):
        once_per_run(tmp_path / "deploy.json", boom)
    with pytest.raises(DeployTestsError, match=r"^the deploy of another worker failed: RuntimeError: ssh went away"):
        once_per_run(tmp_path / "deploy.json", lambda: pytest.fail("a later worker must not deploy again"))


def test_bootstrap_all_refuses_servers_of_different_machines(monkeypatch):
    from deploytests import pipeline
    from deploytests.errors import DeployTestsError, HostOutcome
    from deploytests.pipeline.fleet import bootstrap_all
    from deploytests.pipeline.provision import BootstrapResult

    def outcomes(*machines):
        return [HostOutcome(f"web{i}", BootstrapResult(f"web{i}", False, python_version="3.11", machine=m), None, 0.1)
                for i, m in enumerate(machines)]
    monkeypatch.setattr(pipeline, "run_on_hosts", lambda servers, fn, step: outcomes("x86_64", "x86_64"))
    assert bootstrap_all([], None).machine == "x86_64"
    monkeypatch.setattr(pipeline, "run_on_hosts", lambda servers, fn, step: outcomes("x86_64", "aarch64"))
    with pytest.raises(DeployTestsError, match=r"^the servers have different CPU architectures \(aarch64, x86_64\); "
                                               r"one artifact cannot serve them all"):
        bootstrap_all([], None)
def test_kept_containers_are_printed_with_container_url_and_ssh_line():
    from deploytests.settings import Settings
    from deploytests.targets.base import Server

    servers = [Server(name=f"web-{i}", label=f"docker://web-{i}", host="127.0.0.1", port=32000 + i, user="appuser",
                      key_filename=Path("/tmp/run/id_ed25519"), known_hosts=Path("/tmp/run/known_hosts"),
                      base_url=f"http://127.0.0.1:{33000 + i}", container_id=f"{i}" * 64) for i in (1, 2)]
    kept = DockerProvider(find_target("docker", None), Settings(keep_containers=True), progress=lambda m: None)
    kept.servers = servers
    assert kept.keep_lines()[:4] == [
        "docker://web-1: container 111111111111, http http://127.0.0.1:33001",
        "docker://web-1: ssh -i /tmp/run/id_ed25519 -p 32001 -o UserKnownHostsFile=/tmp/run/known_hosts "
        "-o StrictHostKeyChecking=yes appuser@127.0.0.1",
        "docker://web-2: container 222222222222, http http://127.0.0.1:33002",
        "docker://web-2: ssh -i /tmp/run/id_ed25519 -p 32002 -o UserKnownHostsFile=/tmp/run/known_hosts "
        "-o StrictHostKeyChecking=yes appuser@127.0.0.1",
    ]
    assert "  [targets.kept]" in kept.keep_lines()  # then the table to paste (test_kept_target)
    removed = DockerProvider(find_target("docker", None), Settings(), progress=lambda m: None)
    removed.servers = servers
    assert removed.keep_lines() == []


def test_pipeline_package_names_load_on_first_use():
    """``deploytests.pipeline`` exports its public names lazily; each one resolves, ``__all__`` lists them all."""
    import subprocess
    import sys

    from deploytests import pipeline
    from deploytests.pipeline import _WHERE

    assert sorted(pipeline.__all__) == sorted(_WHERE)
    for name in pipeline.__all__:
        assert getattr(pipeline, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pipeline.nope  # noqa: B018
    # loading the plugin (every pytest run of a user's environment) imports the fleet, not the packer or Fabric
    code = ("import sys, deploytests.plugin; "
            "print(sorted(m for m in ('fabric', 'deploytests.pipeline.artifact', 'deploytests.pipeline.remote') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


HEAVY = ("deploytests.containers", "deploytests.containers.driver", "deploytests.pipeline.fleet", "tarfile",
         "docker", "fabric", "paramiko", "invoke")


def test_loading_the_plugin_imports_no_driver_transport_or_fleet():
    """The plugin is loaded into every pytest run of a user's environment: importing it, and a whole pytest
    session of tests that do not use it (settings resolved, the default docker target built), import none of
    the container driver, the fleet, tarfile, the Docker SDK, Fabric or paramiko."""
    import subprocess
    import sys

    code = f"import sys, pytest, deploytests.plugin; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_plain_session_imports_no_driver_transport_or_fleet(pytester):
    pytester.makepyfile("def test_plain():\n    pass\n")
    pytester.makeconftest(f"import sys\n\ndef pytest_unconfigure(config):\n"
                          f"    print('plugin:', 'deploytests.plugin' in sys.modules)\n"
                          f"    print('loaded:', sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["plugin: True", "loaded: []"])


@pytest.mark.parametrize("source, where", [
    ("cli", "--target=nosuch: "),
    ("env", "--target=nosuch (from DEPLOYTESTS_TARGET environment variable): "),
    ("ini", "--target=nosuch (from deploytests_target ini key): "),
])
def test_an_unknown_target_names_the_option_and_its_source(tmp_path, source, where):
    from deploytests.settings import resolve

    (tmp_path / "targets.toml").write_text(GOOD)
    layer = {"cli": {"target": "nosuch"}, "env": {"DEPLOYTESTS_TARGET": "nosuch"},
             "ini": {"deploytests_target": "nosuch"}}[source]
    settings = resolve(cli=layer if source == "cli" else {}, env=layer if source == "env" else {},
                       ini=layer if source == "ini" else {}, cwd=tmp_path, ini_dir=tmp_path)
    with pytest.raises(ConfigError) as err:
        provider_for(settings, targets_file=tmp_path / "targets.toml")
    assert str(err.value) == (f"{where}unknown target 'nosuch'; targets in {tmp_path / 'targets.toml'}: docker, "
                              "prod, staging.")
    with pytest.raises(ConfigError) as err:  # no targets file at all
        provider_for(settings)
    assert str(err.value).startswith(f"{where}unknown target 'nosuch': no targets file. Hint:")


@pytest.mark.parametrize("source, where", [
    ("cli", "--targets-file=gone.toml: "),
    ("env", "--targets-file=gone.toml (from DEPLOYTESTS_TARGETS environment variable): "),
    ("ini", "--targets-file=gone.toml (from deploytests_targets ini key): "),
])
def test_a_missing_targets_file_names_the_option_and_its_source(tmp_path, source, where):
    from deploytests.settings import resolve

    layer = {"cli": {"targets_file": "gone.toml"}, "env": {"DEPLOYTESTS_TARGETS": "gone.toml"},
             "ini": {"deploytests_targets": "gone.toml"}}[source]
    settings = resolve(cli=layer if source == "cli" else {}, env=layer if source == "env" else {},
                       ini=layer if source == "ini" else {}, cwd=tmp_path, ini_dir=tmp_path)
    with pytest.raises(ConfigError) as err:
        provider_for(settings)
    assert str(err.value).startswith(f"{where}targets file {tmp_path / 'gone.toml'} does not exist.")
    (tmp_path / "gone.toml").write_text("x = 1\n")  # a fault inside the file: its file and line, not the option
    with pytest.raises(ConfigError, match=r"^[^ ]*gone.toml:1: expected only \[targets.NAME\] tables"):
        provider_for(settings)


def test_platform_on_the_command_line_is_refused_for_an_ssh_target(inventory):
    """The servers' OS decides a real target's platform: ``--platform`` given for one is a one-line usage error;
    from an env var or ini key (set for other runs, perhaps) it is a header note; the docker target reads it."""
    from deploytests.settings import resolve

    def provider(**layers):
        base = {"cli": {}, "env": {}, "ini": {}} | layers
        return provider_for(resolve(**base, cwd=inventory.parent, ini_dir=inventory.parent), targets_file=inventory)

    with pytest.raises(ConfigError) as err:
        provider(cli={"target": "staging", "platform": "debian13"})
    assert str(err.value) == ("--platform=debian13: does not apply to target 'staging' (ssh): its servers' OS "
                              "decides their platform. Hint: drop --platform for this target (it picks the docker "
                              "target's container platform).")
    from_env = provider(cli={"target": "staging"}, env={"DEPLOYTESTS_PLATFORM": "debian13"})
    assert from_env.notes() == ["--platform=debian13 (from DEPLOYTESTS_PLATFORM environment variable) does not "
                                "apply to target 'staging' (ssh): its servers' OS decides their platform"]
    from_ini = provider(cli={"target": "staging"}, ini={"deploytests_platform": "debian12,debian13"})
    assert from_ini.notes() == ["--platform=debian12,debian13 (from deploytests_platform ini key) does not apply to "
                                "target 'staging' (ssh): its servers' OS decides their platform"]
    assert provider(cli={"target": "staging"}).notes() == []
    docker = provider(cli={"platform": "debian13"}, env={"DEPLOYTESTS_PLATFORM": "debian12"})
    assert docker.notes() == [] and docker.settings.platform == ("debian13",)


def test_the_runs_shared_dir_another_local_user_made_first_is_refused(tmp_path):
    # xdist workers sharing a real target read the deploy-once record from $TMPDIR/deploytests-<run id>: with a run
    # id given on the command line (--testrunuid), another local user could make that directory first and write the
    # record ("deployed", the release it names): the workers skipped the deploy and checked what was there.
    import os

    from deploytests.errors import ConfigError
    from deploytests.targets.sharing import TargetLock, once_per_run

    theirs = tmp_path / "deploytests-ci-42"
    theirs.mkdir(mode=0o755)
    (theirs / "ro-deploy.json").write_text('{"ok": "the release they chose"}')
    os.chown(theirs, 4242, 4242)
    with pytest.raises(ConfigError, match=r"refused: .*deploytests-ci-42 is 0755 uid 4242: someone but you and root "):
        once_per_run(theirs / "ro-deploy.json", lambda: "deployed")
    with pytest.raises(ConfigError, match="uid 4242"):
        TargetLock(theirs / "ro.rwlock").hold(exclusive=False)
    mine = tmp_path / "deploytests-mine"
    assert once_per_run(mine / "ro-deploy.json", lambda: "deployed") == "deployed"
    assert mine.stat().st_mode & 0o777 == 0o700
