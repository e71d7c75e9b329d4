"""The project's deploy tests between a rollout's phases, the pure parts (no child, no network): the child's
inventory, each host's verdict from the child's records, the option."""

from pathlib import Path

import pytest

from deploytests.errors import ConfigError
from deploytests.servers import Server
from deploytests.settings import resolve
from deploytests.targets import load_inventory
from deploytests.verify.between import ProjectTests, child_names, count, relabel, verdict


def server(label: str, name: str, host="127.0.0.1", port=32768, base_url="http://127.0.0.1:1") -> Server:
    return Server(name=name, label=label, host=host, port=port, user="appuser", key_filename=Path("/k/id"),
                  known_hosts=Path("/k/known hosts"), base_url=base_url)


def test_the_child_inventory_names_exactly_the_phase_hosts_read_only_with_the_pinned_keys(tmp_path):
    servers = [server("docker://web-1", "web-1"), server("ssh://deployer@[::1]:2222", "deployer@[::1]:2222",
                                                           host="::1", port=2222)]
    spec = ProjectTests(tests=("t",), app=tmp_path, cwd=tmp_path, config_file=tmp_path / 'a "b".cfg',
                        env=(("SITE", 'x"y\\z'),))
    names = child_names(servers)
    (tmp_path / 'a "b".cfg').write_text("")
    path = tmp_path / "targets.toml"
    path.write_text(spec.inventory(servers, names))
    target = load_inventory(path)["gate"]
    assert [h.label for h in target.hosts] == ["ssh://appuser@web-1", "ssh://appuser@deployer-1-2222"]
    assert [(h.host, h.port, h.base_url) for h in target.hosts] == [("127.0.0.1", 32768, "http://127.0.0.1:1"),
                                                                    ("::1", 2222, "http://127.0.0.1:1")]
    assert (target.identity_file, target.known_hosts) == (Path("/k/id"), Path("/k/known hosts"))
    assert not target.rights.deploy and not target.rights.destructive
    assert target.config_file == tmp_path / 'a "b".cfg' and dict(target.env) == {"SITE": 'x"y\\z'}


def test_child_names_are_unique():
    names = child_names([server("a", "web:1"), server("b", "web-1"), server("c", "..")])
    assert list(names.values()) == ["web-1", "web-1-2", "host3"]


LABELS = {"ssh://appuser@web-1": "docker://web-1", "ssh://appuser@web-2": "docker://web-2"}
PLANNED = {"planned": [["t.py::test_a[ssh://appuser@web-1]", "ssh://appuser@web-1"],
                       ["t.py::test_a[ssh://appuser@web-2]", "ssh://appuser@web-2"],
                       ["t.py::test_once", None]]}


def test_a_failed_test_fails_its_own_host_under_the_rollouts_label():
    events = [PLANNED, {"start": "t.py::test_a[ssh://appuser@web-1]"},
              {"failed": "t.py::test_a[ssh://appuser@web-1]", "when": "call", "message": "assert 500 == 200"},
              {"failed": "t.py::test_a[ssh://appuser@web-1]", "when": "teardown", "message": "again"},
              {"end": "t.py::test_a[ssh://appuser@web-1]"}, {"start": "t.py::test_a[ssh://appuser@web-2]"},
              {"end": "t.py::test_a[ssh://appuser@web-2]"}, {"start": "t.py::test_once"}, {"end": "t.py::test_once"}]
    got = verdict(events, LABELS, killed=False, timeout=5, output="")
    assert got == {"docker://web-1": ["t.py::test_a[docker://web-1]: assert 500 == 200"], "docker://web-2": []}
    assert count(events, False, 5) == "project deploy tests: 3 run, 2 passed, 1 failed"


def test_a_child_stopped_after_collection_leaves_the_hosts_whose_tests_did_not_end_not_verified():
    """A session stop after collection (a host key refused when the target opens) reports no failure: the tests
    that did not end are what says so."""
    events = [PLANNED, {"start": "t.py::test_a[ssh://appuser@web-1]"}]
    output = "!!! _pytest.outcomes.Exit: deploytests: ssh://appuser@web-2: host key CHANGED !!!\n"
    got = verdict(events, LABELS, killed=False, timeout=5, output=output)
    why = "stopped (_pytest.outcomes.Exit: deploytests: ssh://appuser@web-2: host key CHANGED)"
    assert got["docker://web-1"] == [f"t.py::test_a[docker://web-1]: the run stopped in it: {why}"]
    assert got["docker://web-2"] == [f"not verified: the project's deploy tests {why} before "
                                     "t.py::test_a[docker://web-2] ran"]
    assert count(events, False, 5) == "project deploy tests: 3 run, 0 passed, 0 failed, stopped with 3 not run"


def test_a_test_on_no_one_host_judges_every_host_and_a_setup_error_says_so():
    events = [PLANNED, {"failed": "t.py::test_once", "when": "setup", "message": "fixture 'x' not found"},
              *({"end": nodeid} for nodeid, _host in PLANNED["planned"])]
    got = verdict(events, LABELS, killed=False, timeout=5, output="")
    assert got["docker://web-1"] == got["docker://web-2"] == ["t.py::test_once: fixture 'x' not found (in setup)"]


def test_a_killed_child_names_the_hanging_test_and_fails_the_hosts_not_verified():
    events = [PLANNED, {"start": "t.py::test_a[ssh://appuser@web-1]"}]
    got = verdict(events, LABELS, killed=True, timeout=25, output="")
    assert got["docker://web-1"] == ["t.py::test_a[docker://web-1]: did not finish within 25 s (killed)"]
    assert got["docker://web-2"] == ["not verified: the project's deploy tests were killed after 25 s before "
                                     "t.py::test_a[docker://web-2] ran"]
    assert count(events, True, 25) == "project deploy tests: 3 run, 0 passed, 0 failed, killed after 25 s with 3 " \
                                      "not finished"


@pytest.mark.parametrize("output, line", [
    ("deploytests: target 'gate': 1 host(s)\n!!! _pytest.outcomes.Exit: deploytests: ssh://appuser@web-1: host key "
     "CHANGED !!!\n", "_pytest.outcomes.Exit: deploytests: ssh://appuser@web-1: host key CHANGED"),
    ("ERROR: usage: python -m pytest [options]\npython -m pytest: error: unrecognized arguments: --x\n",
     "python -m pytest: error: unrecognized arguments: --x"),
    ("ERROR: file or directory not found: tests/nope\n", "ERROR: file or directory not found: tests/nope"),
    ("", "no output"),
])
def test_a_child_that_could_not_run_fails_every_host_with_why(output, line):
    got = verdict([], LABELS, killed=False, timeout=5, output=output)
    assert got == {label: [f"the project's deploy tests could not run: {line}"] for label in LABELS.values()}


def test_relabel_touches_only_the_parameters():
    assert relabel("ssh://appuser@web-1/t.py::test[ssh://appuser@web-1-x]", LABELS) == \
        "ssh://appuser@web-1/t.py::test[docker://web-1-x]"


def test_the_gate_tests_option(tmp_path):
    (tmp_path / "a").mkdir()
    base = {"ini": {}, "cwd": tmp_path, "ini_dir": tmp_path}
    assert resolve(cli={}, env={}, **base).gate_tests is None
    assert resolve(cli={"gate_tests": "none"}, env={}, **base).gate_tests == ()
    assert resolve(cli={"gate_tests": "a,a"}, env={}, **base).gate_tests == (tmp_path / "a",)
    with pytest.raises(ConfigError, match=r"^--gate-tests=b \(from DEPLOYTESTS_GATE_TESTS environment variable\): "
                                          r"no such file or directory: .*/b"):
        resolve(cli={}, env={"DEPLOYTESTS_GATE_TESTS": "b"}, **base)
    assert resolve(cli={"gate_timeout": "12"}, env={}, **base).gate_timeout == 12.0


# ---------------------------------------------------------------- where the tests sit in the rollout (fake hosts)

@pytest.fixture
def fake_fleet(monkeypatch):
    """Hosts a, b, c, d on release r0; a deploy makes r1 live, a rollback goes back."""
    from deploytests import pipeline
    from deploytests.pipeline.releases import DeployResult

    live = dict.fromkeys("abcd", "r0")

    def deploy(c, cfg, art, progress=None, now=None):
        live[c.label] = "r1"
        return DeployResult(c.label, "r1", True, previous="r0", version="1.0")

    def rollback(c, cfg, to=None, progress=None):
        live[c.label] = to
        return DeployResult(c.label, to, True, previous="r1")

    monkeypatch.setattr(pipeline, "deploy", deploy)
    monkeypatch.setattr(pipeline, "rollback", rollback)
    return live


def test_the_project_tests_judge_a_phase_after_the_gate_and_before_after_host(fake_fleet, tmp_path):
    """Per phase: the tests get the hosts that passed the built-in gate (not ``b``, which failed it), their
    problems fail their host like a failed gate (the batch goes back), and each ``after_host`` runs after them."""
    from deploytests.pipeline.fleet import Hooks, Policy, roll_out
    from deploytests.settings import Count
    from deploytests.testing import FakeConn

    log = tmp_path / "log"
    seen = []

    def tests(servers):
        seen.append([s.label for s in servers])
        with log.open("a") as out:
            out.write("tests\n")
        return {"c": ["t.py::test_x[c]: assert 500 == 200"]} if any(s.label == "c" for s in servers) else {}

    result = roll_out([FakeConn(h) for h in "abcd"], None, lambda label: type("A", (), {"sha256": "s"})(),
                      Policy(batch=Count(2), max_failed=Count(1)),
                      hooks=Hooks(after_host=f'echo "after $DEPLOYTESTS_HOST" >> {log}'),
                      gate=lambda c, server, rep, art: "down" if rep.host == "b" else None, tests=tests,
                      say=lambda line: None)
    assert seen == [["a"], ["c", "d"]]
    assert log.read_text().splitlines()[0] == "tests" and log.read_text().splitlines()[3] == "tests"
    assert sorted(log.read_text().splitlines()[1:3]) == ["after a", "after b"]
    assert fake_fleet == {"a": "r1", "b": "r0", "c": "r0", "d": "r0"} and result.stopped == "batch 2/2"
    assert [r.error for r in result.reports][2] == "gate: t.py::test_x[c]: assert 500 == 200"


def test_an_interrupt_during_the_project_tests_says_per_host_where_it_stopped_and_after_host_still_runs(
        fake_fleet, tmp_path):
    import signal

    from deploytests.pipeline import Interrupted
    from deploytests.pipeline.fleet import Hooks, Policy, roll_out
    from deploytests.settings import Count
    from deploytests.testing import FakeConn

    signal.signal(signal.SIGINT, signal.default_int_handler)  # hermetic: a background job inherits it ignored
    log = tmp_path / "log"

    def tests(servers):
        raise KeyboardInterrupt  # Ctrl-C while the child runs

    with pytest.raises(Interrupted) as caught:
        roll_out([FakeConn(h) for h in "abcd"], None, lambda label: type("A", (), {"sha256": "s"})(),
                 Policy(canary=Count(1), batch=Count(2)), hooks=Hooks(after_host=f"echo after >> {log}"),
                 tests=tests, say=lambda line: None)
    waiting = "untouched (its batch had not started)"
    assert caught.value.lines == ["a: new (serves r1)", f"b: {waiting}", f"c: {waiting}", f"d: {waiting}"]
    assert log.read_text() == "after\n"


def test_every_line_is_redacted_one_line_and_bounded(monkeypatch, tmp_path):
    """What a failed test said may hold the app config's values (an assertion on a page that shows one): each
    line goes through the config's redaction, on one line, at most 300 characters."""
    from deploytests.redaction import secrets_of

    config = tmp_path / "app.cfg"
    config.write_text('SECRET_KEY = "s3cret-value-0123456789"\n')
    spec = ProjectTests(tests=("t",), app=tmp_path, cwd=tmp_path, redact=secrets_of(config).redact)
    said = "t.py::test_x[docker://web-1]: assert 's3cret-value-0123456789' not in page\nsecond line " + "x" * 600
    monkeypatch.setattr(ProjectTests, "_run", lambda self, servers: {"docker://web-1": [said]})
    [line] = spec.run([server("docker://web-1", "web-1")])["docker://web-1"]
    assert "s3cret" not in line and "\n" not in line and len(line) == 300 and line.endswith("...")


def test_a_5xx_a_project_test_met_names_the_exception_the_app_logged(monkeypatch, tmp_path):
    """Class: a 5xx found after the switch reported without the app's exception. A Falcon release whose new route
    raised IndexError failed the project's test with `GET .../notes/1 -> 500: '{"title": ...}'` and nothing else
    (the app's error page says nothing): `fab deploy` rolled it back, the user had to read the server's error
    log. The project tests' line names what the app logged, as the built-in gate's does; other lines as they were."""
    said = {"docker://web-1": ["t.py::test_read[docker://web-1]: AssertionError: GET /notes/1 -> 500: 'x'",
                               "t.py::test_other[docker://web-1]: assert 1 == 2"],
            "docker://web-2": ["t.py::test_read[docker://web-2]: assert 404 == 200"]}
    asked = []
    spec = ProjectTests(tests=("t",), app=tmp_path, cwd=tmp_path,
                        logged=lambda s: asked.append(s.label) or "IndexError: list index out of range (app.py:12)")
    monkeypatch.setattr(ProjectTests, "_run", lambda self, servers: dict(said))
    got = spec.run([server("docker://web-1", "web-1"), server("docker://web-2", "web-2")])
    assert got["docker://web-1"] == [said["docker://web-1"][0] + ": the app logged IndexError: list index out of "
                                     "range (app.py:12)", said["docker://web-1"][1]]
    assert got["docker://web-2"] == said["docker://web-2"] and asked == ["docker://web-1"]  # no 5xx: not asked


# ---------------------------------------------------------------- a test file that cannot be collected

def test_an_uncollectable_file_fails_every_host_with_its_name_and_error():
    """A file pytest could not collect (it then runs nothing: the plan never starts) is named, with its error."""
    events = [{"uncollectable": "tests/deploy/test_bad.py", "message": "ModuleNotFoundError: No module named 'x'"},
              {"uncollectable": "tests/deploy/test_worse.py", "message": "SyntaxError: invalid syntax"}, PLANNED]
    got = verdict(events, LABELS, killed=False, timeout=5, output="Interrupted: 2 errors during collection")
    line = ("the project's deploy tests could not run: tests/deploy/test_bad.py: ModuleNotFoundError: No module "
            "named 'x' (and 1 more file)")
    assert got == {label: [line] for label in LABELS.values()}
    assert count(events, False, 5) == "the project's deploy tests could not run"


BROKEN = {  # what a project's deploy test file or conftest may hold that pytest cannot collect: file -> text, line
    "import": ({"test_bad.py": "import nosuchmodule_dt\n\ndef test_x(deploy_http):\n    pass\n"},
               "tests/deploy/test_bad.py: the project's deploy tests cannot be collected, nothing was deployed: "
               "ModuleNotFoundError: No module named 'nosuchmodule_dt'"),
    "syntax": ({"test_bad.py": "def test_x(deploy_http:\n    pass\n"},
               "tests/deploy/test_bad.py: the project's deploy tests cannot be collected, nothing was deployed: "
               "SyntaxError: "),
    "raises at import": ({"test_bad.py": "raise RuntimeError('no config here')\n"},
                         "tests/deploy/test_bad.py: the project's deploy tests cannot be collected, nothing was "
                         "deployed: RuntimeError: no config here"),
    "conftest": ({"conftest.py": "import nosuchmodule_dt\n", "test_ok.py": "def test_ok(deploy_http):\n    pass\n"},
                 "the project's deploy tests cannot be collected, nothing was deployed: "),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_test_file_that_cannot_be_collected_is_refused_in_one_line_before_any_host(tmp_path, broken):
    """:meth:`ProjectTests.check` collects the tests in a real child pytest as the rollout's children will
    (``--collect-only``: the hosts, here unreachable, are never contacted) and refuses a file it cannot collect
    in one line: the file, the error, what to do."""
    from deploytests.errors import DeployTestsError
    from deploytests.examples import APPS

    files, expected = BROKEN[broken]
    (tmp_path / "tests" / "deploy").mkdir(parents=True)
    for name, text in {**files, "test_fine.py": "def test_fine(deploy_http):\n    pass\n"}.items():
        (tmp_path / "tests" / "deploy" / name).write_text(text)
    spec = ProjectTests(tests=("tests/deploy",), app=APPS / "yourapplication", cwd=tmp_path, timeout=60,
                        pytest_args=(f"--rootdir={tmp_path}",))
    with pytest.raises(DeployTestsError) as info:
        spec.check([server("docker://web-1", "web-1", port=1), server("docker://web-2", "web-2", port=1)])
    line = str(info.value)
    assert "\n" not in line and line.startswith(expected), line
    assert "Hint: fix it (`pytest --collect-only " in line and "--gate-tests" in line, line
    if broken == "conftest":
        assert "conftest.py" in line and "nosuchmodule_dt" in line, line


def test_collectable_tests_pass_the_check(tmp_path, monkeypatch):
    from deploytests.examples import APPS

    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # the child loads the plugin all the same
    (tmp_path / "tests" / "deploy").mkdir(parents=True)
    (tmp_path / "tests" / "deploy" / "test_fine.py").write_text("def test_fine(deploy_http):\n    pass\n")
    spec = ProjectTests(tests=("tests/deploy",), app=APPS / "yourapplication", cwd=tmp_path, timeout=60,
                        pytest_args=(f"--rootdir={tmp_path}",))
    spec.check([server("docker://web-1", "web-1", port=1)])


# Class: a hook given the host in a form its tools cannot take. README's `./lb drain $DEPLOYTESTS_HOST` passed
# the label, 'ssh://deployer@web3', to a load balancer that knows 'web3' (a host table's name, a host's DNS
# name); the script had to cut the scheme and the login off. Other member: a host written "deployer@web3:2222",
# whose name is 'web3' without the port.
def test_hooks_get_the_hosts_name(tmp_path):
    from types import SimpleNamespace

    from deploytests.pipeline.fleet import Hooks

    out = tmp_path / "env"
    hooks = Hooks(before_host=f'echo "$DEPLOYTESTS_HOST_NAME $DEPLOYTESTS_HOST $DEPLOYTESTS_HOST_ADDRESS '
                              f'$DEPLOYTESTS_HOST_PORT" >> {out}')
    for name, port in (("web3", 33141), ("web3.example.com", 2222)):
        hooks.run("before_host", SimpleNamespace(name=name, label=f"ssh://deployer@{name}", host="127.0.0.1",
                                                 port=port))
    assert out.read_text().splitlines() == ["web3 ssh://deployer@web3 127.0.0.1 33141",
                                            "web3.example.com ssh://deployer@web3.example.com 127.0.0.1 2222"]


# Class: a summary line saying an action happened that did not. A first deploy of a second app whose gate
# failed on both hosts printed "[rollout] all: ...; rolled back: web1, web2" while the table said "FAILED, serves
# <the new release>": there was no release to go back to. Other member: a rollback that failed on the server
# (its agent's error) was listed as rolled back too.
def test_the_phase_line_names_only_the_hosts_really_rolled_back(monkeypatch):
    from deploytests import pipeline
    from deploytests.errors import DeployError
    from deploytests.pipeline.fleet import Policy, roll_out
    from deploytests.pipeline.releases import DeployResult
    from deploytests.testing import FakeConn

    previous = {"a": None, "b": "r0", "c": "r0"}
    monkeypatch.setattr(pipeline, "deploy", lambda c, cfg, art, progress=None, now=None: DeployResult(
        c.label, "r1", True, previous=previous[c.label], version="1.0"))

    def rollback(c, cfg, to=None, progress=None):
        if c.label == "c":
            raise DeployError("the old release failed its health gate", where=c.label)
        return DeployResult(c.label, to, True, previous="r1")

    monkeypatch.setattr(pipeline, "rollback", rollback)
    lines: list[str] = []
    result = roll_out([FakeConn(h) for h in "abc"], None, lambda label: type("A", (), {"sha256": "s"})(),
                      Policy(), gate=lambda c, server, rep, art: "down", say=lines.append)
    line = next(ln for ln in lines if ln.startswith("[rollout] all:"))
    assert "; rolled back: b;" in line or line.endswith("; rolled back: b"), line
    assert "not rolled back: a (no previous release to go back to (this was the first deploy)), c (" in line, line
    assert [r.state for r in result.reports] == ["failed", "rolled back", "failed"]
