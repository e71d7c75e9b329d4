"""Settings: precedence ini < env < CLI, relative paths per source, errors that name their source."""

from pathlib import Path

import pytest

from deploytests.errors import ConfigError
from deploytests.settings import OPTIONS, Settings, blame, resolve


def run(cli=None, env=None, ini=None, defaults=None, tmp=Path("/work")):
    return resolve(cli=cli or {}, env=env or {}, ini=ini or {}, cwd=tmp / "cwd", ini_dir=tmp / "ini",
                   defaults=defaults)


def test_defaults():
    s = run()
    assert (s.target, s.containers, s.no_deploy, s.keep_containers, s.app) == ("docker", 2, False, False, None)
    assert s.source_of("target") == "default"


def test_cli_beats_env_beats_ini():
    ini = {"deploytests_target": "ini", "deploytests_containers": "3"}
    env = {"DEPLOYTESTS_TARGET": "env", "DEPLOYTESTS_CONTAINERS": "4"}
    assert run(ini=ini).target == "ini"
    assert run(ini=ini, env=env).containers == 4
    s = run(cli={"target": "cli"}, ini=ini, env=env)
    assert (s.target, s.source_of("target"), s.containers) == ("cli", "command line", 4)


def test_conftest_default_is_lowest():
    s = run(defaults={"app": Path("/x/app")})
    assert (s.app, s.source_of("app")) == (Path("/x/app"), "conftest default")
    assert run(defaults={"app": Path("/x/app")}, ini={"deploytests_app": "a"}).app == Path("/work/ini/a")


def test_relative_paths_follow_their_source():
    assert run(ini={"deploytests_app": "apps/a"}).app == Path("/work/ini/apps/a")
    assert run(env={"DEPLOYTESTS_APP": "apps/a"}).app == Path("/work/cwd/apps/a")
    assert run(cli={"targets_file": "t.toml"}).targets_file == Path("/work/cwd/t.toml")


def test_flags_from_env_and_cli():
    assert run(env={"DEPLOYTESTS_NO_DEPLOY": "yes"}).no_deploy is True
    assert run(env={"DEPLOYTESTS_NO_DEPLOY": "0"}, ini={"deploytests_no_deploy": "true"}).no_deploy is False
    assert run(cli={"keep_containers": True}).keep_containers is True
    assert run(cli={"keep_containers": None}).keep_containers is False


@pytest.mark.parametrize("layer, expected", [
    ({"env": {"DEPLOYTESTS_CONTAINERS": "abc"}},
     "--containers=abc (from DEPLOYTESTS_CONTAINERS environment variable): not a positive integer."),
    ({"ini": {"deploytests_containers": "0"}},
     "--containers=0 (from deploytests_containers ini key): not a positive integer."),
    ({"cli": {"containers": "-1"}}, "--containers=-1: not a positive integer."),
    ({"env": {"DEPLOYTESTS_NO_DEPLOY": "maybe"}},
     "--no-deploy=maybe (from DEPLOYTESTS_NO_DEPLOY environment variable): not a boolean"),
    ({"cli": {"target": "two words"}}, "--target=two words: not a target name"),
])
def test_bad_values_name_their_source(layer, expected):
    with pytest.raises(ConfigError) as err:
        run(**layer)
    assert str(err.value).startswith(expected)


def test_every_option_has_three_spellings():
    spellings = [(o.cli, o.env, o.ini) for o in OPTIONS]
    assert ("--targets-file", "DEPLOYTESTS_TARGETS", "deploytests_targets") in spellings
    assert all(o.env.startswith("DEPLOYTESTS_") and o.ini.startswith("deploytests_") for o in OPTIONS)
    testinfra_names = {"--hosts", "--connection", "--ssh-config", "--sudo", "--ssh-identity-file", "--force-ansible"}
    assert not testinfra_names & {o.cli for o in OPTIONS}


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().target = "x"


BAD = {"target": "two words", "targets_file": " ", "app": " ", "containers": "abc", "no_deploy": "maybe",
       "keep_containers": "maybe", "platform": "debian11", "host_timeout": "-1", "canary": "x", "batch": "0",
       "max_failed": "101%", "parallel": "0", "rolling": "maybe", "gate_tests": "no/such/dir", "gate_timeout": "0",
       "identity": " ", "known_hosts": " "}


def spelled(opt, source: str, value: str) -> dict:
    """``value`` for ``opt`` given in one source, as ``resolve`` receives it."""
    return {"cli": {"cli": {opt.name: value}}, "env": {"env": {opt.env: value}},
            "ini": {"ini": {opt.ini: value}}}[source]


@pytest.mark.parametrize("source", ["cli", "env", "ini"])
@pytest.mark.parametrize("opt", OPTIONS, ids=lambda o: o.name)
def test_every_option_names_its_source_in_an_error(opt, source):
    """A bad value of every option, from each source, names the option, the value and the source; so does a
    problem found later with a good-looking value (:func:`blame`: an unknown target, a missing file)."""
    assert set(BAD) == {o.name for o in OPTIONS}
    if opt.flag and source == "cli":  # a flag on the command line has no value to get wrong
        assert run(cli={opt.name: True}).origin(opt.name) == opt.cli
        return
    if not opt.pytest:  # fab -H hosts' settings: only the environment variable is read
        assert source != "env" or str(pytest.raises(ConfigError, run, **spelled(opt, source, BAD[opt.name])).value
                                      ).startswith(f"{opt.env}={BAD[opt.name]}: ")
        assert source == "env" or run(**spelled(opt, source, "x")).source_of(opt.name) == "default"
        return
    where = {"cli": "", "env": f" (from {opt.env} environment variable)", "ini": f" (from {opt.ini} ini key)"}
    origin = f"{opt.cli}={BAD[opt.name]}{where[source]}"
    with pytest.raises(ConfigError) as err:
        run(**spelled(opt, source, BAD[opt.name]))
    assert str(err.value).startswith(f"{origin}: ")
    good = {"target": "nosuch", "targets_file": "t.toml", "app": "app", "containers": "3", "no_deploy": "yes",
            "keep_containers": "yes", "platform": "debian13", "host_timeout": "5", "canary": "1", "batch": "25%",
            "max_failed": "10%", "parallel": "4", "rolling": "yes", "gate_tests": "none",
            "gate_timeout": "60"}[opt.name]
    settings = run(**spelled(opt, source, good))
    later = blame(settings, opt.name, ConfigError("no such thing", hint="fix it"))
    assert str(later) == f"{opt.cli}={good}{where[source]}: no such thing. Hint: fix it."


def test_blame_leaves_defaults_and_plain_settings_alone():
    error = ConfigError("unknown target 'docker2'")
    assert blame(run(), "target", error) is error  # not given: the default is not the user's word
    assert blame(Settings(target="docker2"), "target", error) is error  # built by a script, no sources


def test_rollout_counts_are_hosts_or_percentages_of_the_fleet():
    from deploytests.settings import Count

    s = run(cli={"canary": "1", "batch": "25%", "max_failed": "10%", "parallel": "3"})
    assert (s.canary, s.batch, s.max_failed, s.parallel) == (Count(1), Count(25, True), Count(10, True), 3)
    assert (s.batch.of(10), s.max_failed.of(10), s.max_failed.of(5), Count(7).of(3)) == (3, 1, 1, 3)
    assert run().batch is None and run().canary.of(5) == 0 and run().parallel >= 4
    with pytest.raises(ConfigError, match=r"^--batch=0%: not a number of hosts"):
        run(cli={"batch": "0%"})


def test_the_no_deploy_skip_reason_names_the_marker_not_one_example():
    """newuser5 F10: a test marked deploytests_deploys because it writes a session was skipped under --no-deploy
    with a reason that fits only init's example (it "compares with what this run deploys")."""
    from types import SimpleNamespace

    from deploytests.plugin.hooks import refusal

    item = SimpleNamespace(get_closest_marker=lambda name: name == "deploytests_deploys" or None)
    provider = SimpleNamespace(name="kept", rights=SimpleNamespace(deploy=True, destructive=False))
    reason = refusal(item, provider, SimpleNamespace(no_deploy=True))
    assert reason is not None and reason.startswith("--no-deploy: marked deploytests_deploys (it changes what the "
                                                    "site holds or runs"), reason
    assert refusal(item, provider, SimpleNamespace(no_deploy=False)) is None
