"""What the pipeline sends to servers, built by pure functions: command line, agent args, vhost, .wsgi, naming."""

from __future__ import annotations

import datetime as dt
import json
import shlex
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests import stacks
from deploytests.config import load_config
from deploytests.errors import HostOutcome, HostsFailed
from deploytests.examples import APPS
from deploytests.pipeline import remote, templates
from deploytests.pipeline.artifact import Artifact
from deploytests.pipeline.hosts import run_on_hosts
from deploytests.pipeline.provision import bootstrap_args
from deploytests.pipeline.releases import deploy_args, release_id
from deploytests.testing import FakeConn

CFG = load_config(APPS / "yourapplication")
NOW = dt.datetime(2026, 11, 26, 16, 45, 0, tzinfo=dt.UTC)
ART = Artifact(path=Path("/tmp/a.tar"), app="yourapplication", name="yourapplication", version="1.0",
               sha256="ab" * 32, size=123, python_version="3.11", manifest={"git_sha": "f00"})


def test_release_id_is_sortable_utc_time_plus_short_sha():
    assert release_id(NOW, "0123456789abcdef") == "20261126T164500Z-01234567"
    later = dt.datetime(2026, 11, 26, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # 16:00 UTC
    assert release_id(later, "ff") < release_id(NOW, "00")


def test_agent_command_is_short_and_quotes_args():
    line = remote.agent_command("deploy", {"root": "/var/www/a b"}, sudo=True)
    argv = shlex.split(line)
    assert argv[:6] == ["sudo", "-n", "python3", "-I", "-S", "-c"]
    assert f"read({len(remote.AGENT_SOURCE)})" in argv[6]
    assert argv[7] == "deploy" and json.loads(argv[8]) == {"root": "/var/www/a b"}


def test_parse_event():
    assert remote.parse_event('@@DT {"event": "step", "step": "lock"}') == {"event": "step", "step": "lock"}
    assert remote.parse_event("pip says hello") is None and remote.parse_event("@@DT {broken") is None


def test_deploy_args_carry_release_meta_and_no_config_contents():
    args = deploy_args(CFG, ART, now=NOW, lock_timeout=60, gate_timeout=30)
    assert args.release_id == "20261126T164500Z-abababab" and args.artifact_size == 123
    assert args.release["version"] == "1.0" and args.release["source"] == "f00"
    assert args.release["created_at"] == "2026-11-26T16:45:00+00:00"
    assert args.config_path == "/var/www/yourapplication/shared/application.cfg"
    assert args.post_deploy == ["flask --app yourapplication init-data"] and args.keep_releases == 3
    assert "s3cr3t" not in json.dumps(args.to_dict())


def test_bootstrap_args_are_the_root_agents_closed_set_and_never_the_config():
    """What the runner sends root passes the root agent's own fixed patterns, names no interpreter, path or
    config: root builds its paths from the app name and runs the stack's python."""
    from deploytests.pipeline import agent_root

    args = bootstrap_args(CFG, stacks.get("debian13-apache-wsgi"), deploy_user="deployer")
    assert agent_root.check_args(json.loads(json.dumps(args))) == args
    assert args["packages"] == "apache2 libapache2-mod-wsgi-py3 python3-venv iproute2"  # ss: the suite
    assert not {"apache", "apachectl", "shared_paths", "wsgi"} & set(args)  # no path is root's input
    assert (args["deploy_user"], args["app_user"]) == ("deployer", "yourapplication")
    assert not {"python", "root", "config_path", "config_size", "server_name", "port", "stack"} & set(args)
    assert "s3cr3t" not in json.dumps(args)


def test_vhost_daemon_runs_with_umask_0007():
    """Issue 9 item 7: files the app creates (its database) must not be world-readable."""
    assert " umask=0007 " in templates.vhost(CFG)


def test_vhost_daemon_mode_preloaded_utf8_and_no_document_root():
    text = templates.vhost(CFG)
    assert ("WSGIDaemonProcess yourapplication user=yourapplication group=yourapplication" in text
            and "python-home=/var/lib/deploytests/python lang=C.UTF-8 locale=C.UTF-8" in text)
    assert ("\nWSGIImportScript /var/www/yourapplication/application.wsgi process-group=yourapplication "
            "application-group=%{GLOBAL}\n<VirtualHost *:80>\n") in text  # (preloaded; defined before the vhost)
    assert "    WSGIScriptAlias / /var/www/yourapplication/application.wsgi\n" in text
    assert "DocumentRoot" not in text.replace("No DocumentRoot", "") and "Require all denied" in text
    assert "Listen" not in text
    assert templates.vhost(replace(CFG, port=8080)).startswith("# Generated") and "Listen 8080\n" in \
        templates.vhost(replace(CFG, port=8080))



def test_vhost_runs_the_daemons_deploy_toml_asks_for():
    assert " processes=2 threads=15 " in templates.vhost(CFG)  # the default
    assert " processes=1 threads=15 " in templates.vhost(replace(CFG, processes=1))

def test_wsgi_sets_config_env_and_tags_responses(tmp_path):
    text = templates.wsgi(CFG)
    assert "os.environ['YOURAPPLICATION_CONFIG'] = '/var/www/yourapplication/shared/application.cfg'" in text
    compile(text, "application.wsgi", "exec")
    # run it against a fake tree with a fake app: the header carries the live release id
    root = tmp_path / "www"
    rel = root / "releases" / "r1"
    rel.mkdir(parents=True)
    (rel / "RELEASE.json").write_text(json.dumps({"entry_point": "fakeapp:create()"}))
    (root / "current").symlink_to("releases/r1")
    (tmp_path / "fakeapp.py").write_text(
        "def create():\n    def app(environ, start_response):\n"
        "        start_response('200 OK', [('Content-Type', 'text/plain')])\n        return [b'hi']\n    return app\n")
    import os
    import sys
    cwd, sys.path[:0] = os.getcwd(), [str(tmp_path)]
    try:
        ns = {}
        exec(compile(text.replace("/var/www/yourapplication", str(root)), "application.wsgi", "exec"), ns)
        seen = []
        body = ns["application"]({}, lambda status, headers, exc_info=None: seen.append((status, headers)))
    finally:
        os.chdir(cwd)
        sys.path.remove(str(tmp_path))
        sys.modules.pop("fakeapp", None)
    assert body == [b"hi"] and seen == [("200 OK", [("Content-Type", "text/plain"), ("X-Deploy-Release", "r1")])]


def test_run_on_hosts_keeps_every_outcome_and_names_every_failure():
    hosts = [FakeConn("a"), FakeConn("b"), FakeConn("c")]

    def step(c):
        if c.label != "b":
            raise RuntimeError(f"boom on {c.label}")
        return c.label

    lines = []
    with pytest.raises(HostsFailed, match=r"deploy failed on 2 of 3 hosts: a: boom on a; c: boom on c") as info:
        run_on_hosts(hosts, step, step="deploy", progress=lambda *a: lines.append(a))
    outcomes = info.value.outcomes
    assert [(o.host, o.ok) for o in outcomes] == [("a", False), ("b", True), ("c", False)]
    assert outcomes[1].value == "b" and len(lines) == 3


def test_rolling_stops_at_the_first_failure():
    calls = []

    def step(c):
        calls.append(c.label)
        raise RuntimeError("bad release")

    with pytest.raises(HostsFailed) as info:
        run_on_hosts([FakeConn("a"), FakeConn("b")], step, step="deploy", rolling=True)
    assert [type(o.error).__name__ for o in info.value.outcomes] == ["RuntimeError", "NotStarted"]
    assert "not attempted" in str(info.value.outcomes[1].error)
    assert calls == ["a"]


# Class: output to a closed pipe across the CLI's commands. `fab target kept status | head -1` hung for good:
# the second host's progress line raised BrokenPipeError in its thread, outside the host's step, so the host got
# no outcome and the run waited for it without a bound. Now anything a host's task raises is its outcome.
@pytest.mark.parametrize("parallel", [True, False])
def test_a_host_whose_progress_line_raises_still_ends_the_run(parallel):
    import threading

    def progress(host, *rest):
        if host == "b":
            raise BrokenPipeError(32, "Broken pipe")

    result: list = []
    runner = threading.Thread(target=lambda: result.append(_raised(lambda: run_on_hosts(
        [FakeConn("a"), FakeConn("b")], lambda c: 1, step="status", parallel=parallel, progress=progress))),
        daemon=True)
    runner.start()
    runner.join(60)  # a bound for the test itself: before the fix this run never ended
    assert not runner.is_alive(), "run_on_hosts never returned"
    assert isinstance(result[0], HostsFailed)
    assert [(o.host, type(o.error).__name__) for o in result[0].outcomes] == [("a", "NoneType"),
                                                                            ("b", "BrokenPipeError")]


def _raised(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001
        return exc


def test_all_ok_returns_outcomes():
    out = run_on_hosts([FakeConn("a"), FakeConn("b")], lambda c: 1, parallel=True)
    assert out == [HostOutcome("a", 1, None, out[0].seconds), HostOutcome("b", 1, None, out[1].seconds)]


def test_agent_command_runs_locally_with_its_source_on_stdin(tmp_path):
    """The exact remote command line, run by a local shell: the boot line execs the source, then the command."""
    import subprocess
    (tmp_path / "releases" / "r1").mkdir(parents=True)
    (tmp_path / "releases" / "r1" / "RELEASE.json").write_text('{"version": "1.0", "manifest": {"big": 1}}')
    (tmp_path / "current").symlink_to("releases/r1")
    line = remote.agent_command("status", {"root": str(tmp_path)}, python="python3")
    out = subprocess.run(["sh", "-c", line], input=remote.AGENT_SOURCE, capture_output=True, check=True).stdout
    events = [remote.parse_event(x) for x in out.decode().splitlines()]
    assert events == [{"event": "result", "changed": False, "live": "r1", "bootstrapped": True, "dangling": None,
                       "releases": [{"id": "r1", "version": "1.0"}]}]


def fake_channel(monkeypatch, events, exited=0, stderr=""):
    lines = [remote.agent.EVENT + json.dumps(e) for e in events]
    monkeypatch.setattr(remote, "exec_stream", lambda c, line, stdin, on_event, **kw: (
        [on_event(e) for e in events], remote.ChannelResult(exited, "\n".join(lines), stderr, events))[1])


def test_call_agent_maps_events_to_progress_result_and_errors(monkeypatch):
    from deploytests.errors import CommandFailed, DeployError
    c = FakeConn("docker://web-1")
    seen = []
    fake_channel(monkeypatch, [{"event": "step", "step": "lock", "seconds": 0.1, "message": "m"},
                               {"event": "result", "changed": True}])
    assert remote.call_agent(c, "deploy", {}, progress=lambda *a: seen.append(a))["changed"] is True
    assert seen == [("docker://web-1", "lock", 0.1, "m")]
    fake_channel(monkeypatch, [{"event": "error", "what": "no release", "hint": "deploy first", "step": "rollback"}], 3)
    with pytest.raises(DeployError, match=r"^docker://web-1: rollback failed at rollback: no release\. "
                                          r"Hint: deploy first\.$"):
        remote.call_agent(c, "rollback", {}, step="rollback")
    fake_channel(monkeypatch, [], 1, "sudo: a password is required\n")
    with pytest.raises(CommandFailed, match=r"bootstrap: the agent did not finish \(exit 1\): sudo: a password is "
                                            r"required.*passwordless sudo"):
        remote.call_agent(c, "bootstrap", {}, sudo=True, step="bootstrap")
    # the root agent does not format its own crashes: a traceback on stderr, shown here with the step it was in
    fake_channel(monkeypatch, [{"event": "step", "step": "packages", "seconds": 1.0, "message": ""}], 1,
                 "Traceback (most recent call last):\n  File ...\nPermissionError: [Errno 13] Permission denied\n")
    with pytest.raises(CommandFailed, match=r"bootstrap: the agent did not finish during step \S+ \(exit 1\): "
                                            r"PermissionError: \[Errno 13\] Permission denied"):
        remote.call_agent(c, "bootstrap", {}, sudo=True, step="bootstrap")


# ---------------------------------------------------------------- the rollout's decisions (pure: fake hosts)

def test_rollout_phases_canary_then_batches_of_the_fleet():
    from deploytests.pipeline.fleet import Policy
    from deploytests.settings import Count

    hosts = [f"h{i}" for i in range(1, 8)]
    assert Policy().phases(hosts) == [("all", hosts)]
    assert Policy(canary=Count(1), batch=Count(3)).phases(hosts) == [
        ("canary", ["h1"]), ("batch 1/2", ["h2", "h3", "h4"]), ("batch 2/2", ["h5", "h6", "h7"])]
    assert [len(h) for _, h in Policy(canary=Count(10, True), batch=Count(50, True)).phases(hosts)] == [1, 4, 2]
    # a canary as large as the fleet (one host, --canary 1): the canary is the only phase, no empty "all"
    assert Policy(canary=Count(1), batch=Count(1)).phases(["h1"]) == [("canary", ["h1"])]
    assert Policy(canary=Count(3)).phases(hosts[:2]) == [("canary", ["h1", "h2"])]


@pytest.fixture
def fake_fleet(monkeypatch):
    """Hosts a, b, c, d on release r0: ``fail`` names the hosts whose deploy goes live then fails the gate."""
    from deploytests import pipeline
    from deploytests.pipeline.releases import DeployResult

    live = dict.fromkeys("abcd", "r0")

    def deploy(c, cfg, art, progress=None, now=None):
        live.setdefault("now", set()).add(now)
        live[c.label] = "r1"
        return DeployResult(c.label, "r1", True, previous="r0", version="1.0")

    def rollback(c, cfg, to=None, progress=None):
        live[c.label] = to
        return DeployResult(c.label, to, True, previous="r1")

    monkeypatch.setattr(pipeline, "deploy", deploy)
    monkeypatch.setattr(pipeline, "rollback", rollback)
    return live


def _roll(policy, fail, said):
    from deploytests.pipeline.fleet import roll_out

    return roll_out([FakeConn(h) for h in "abcd"], None, lambda label: SimpleNamespace(sha256="s"), policy,
                    gate=lambda c, server, rep, art: "down" if rep.host in fail else None, say=said.append)


def test_a_failed_batch_goes_back_the_rest_stays(fake_fleet):
    from deploytests.pipeline.fleet import Policy
    from deploytests.settings import Count

    said = []
    result = _roll(Policy(batch=Count(2)), {"c"}, said)
    fake_fleet.pop("now")
    assert fake_fleet == {"a": "r1", "b": "r1", "c": "r0", "d": "r0"}
    assert [(r.host, r.state) for r in result.reports] == [("a", "new"), ("b", "new"), ("c", "rolled back"),
                                                           ("d", "rolled back")]
    assert result.stopped == "batch 2/2" and said[-1].endswith("rolled back: c, d; rollout STOPPED, 0 hosts "
                                                                "untouched")


def test_a_host_known_unreachable_before_its_phase_stops_the_rollout_before_the_others_go_live(fake_fleet):
    """Class: a failure known before a phase began, found only after its other hosts went live. ``fab deploy`` to
    four hosts, one of which could not be reached when its Python was read (a name that does not resolve, a host
    that never sent the SSH banner): the three others went live and were rolled back, as --max-failed 0 says,
    two switches on each for a rollout already lost. Now a phase whose hosts known lost are past the rollout's
    tolerance does not start; within it, the others deploy as before."""
    from deploytests.errors import ConnectError
    from deploytests.pipeline.fleet import Policy, roll_out
    from deploytests.settings import Count

    def artifact_of(label):
        if label == "c":
            raise ConnectError("cannot resolve the host name 'c.invalid'", where="c")
        return SimpleNamespace(sha256="s")

    said = []
    result = roll_out([FakeConn(h) for h in "abcd"], None, artifact_of, Policy(), say=said.append)
    fake_fleet.pop("now", None)
    assert fake_fleet == dict.fromkeys("abcd", "r0"), "a host went live"
    assert [r.host for r in result.failed] == ["c"] and result.stopped == "all"
    assert [r.state_line() for r in result.reports] == [
        "untouched (not attempted: c could not be reached before all began)"] * 2 + [
        "unknown (cannot resolve the host name 'c.invalid')"] + [
        "untouched (not attempted: c could not be reached before all began)"]
    assert said == ["[rollout] all: 4 hosts, not started: 1 host could not be reached (c; 1 failed so far, 0 "
                    "allowed); rollout STOPPED, 3 hosts untouched"]
    # within --max-failed the others go on, and the lost host fails alone
    result = roll_out([FakeConn(h) for h in "abcd"], None, artifact_of, Policy(max_failed=Count(1)),
                      say=lambda line: None)
    fake_fleet.pop("now", None)
    assert fake_fleet == {"a": "r1", "b": "r1", "c": "r0", "d": "r1"} and not result.stopped
    assert [r.host for r in result.failed] == ["c"]


def test_one_rollout_gives_every_host_the_same_release_id(fake_fleet):
    """Class: an identity of the whole rollout computed per host. CI at 135447e: three hosts' deploys started
    across a second boundary got ids 120334Z and 120335Z, so no one ``rollback --to`` named the rollout. The
    rollout takes its clock once; each host's id is made from it (the agent moves it only past a newer
    release already on that host)."""
    from deploytests.pipeline.fleet import Policy
    from deploytests.settings import Count

    _roll(Policy(canary=Count(1), batch=Count(2)), set(), [])
    (now,) = fake_fleet.pop("now")
    assert now is not None and now.tzinfo is not None


def test_max_failed_lets_a_failed_host_go_back_alone(fake_fleet):
    from deploytests.pipeline.fleet import Policy
    from deploytests.settings import Count

    result = _roll(Policy(canary=Count(1), max_failed=Count(25, True)), {"b"}, [])
    fake_fleet.pop("now")
    assert fake_fleet == {"a": "r1", "b": "r0", "c": "r1", "d": "r1"} and not result.stopped
    assert [r.host for r in result.failed] == ["b"]
    result = _roll(Policy(canary=Count(1), max_failed=Count(25, True)), {"a"}, [])  # the canary tolerates none
    assert result.stopped == "canary" and [r.state for r in result.reports] == ["rolled back"] + ["untouched"] * 3


@pytest.mark.parametrize("ran, nothing_live, state", [
    (False, False, "refused, live release untouched"),
    (True, False, "refused, the live release still serves, but post_deploy already ran against the live data"),
    (False, True, "refused, nothing was live"),
])
def test_a_refused_host_says_what_it_is_from_the_agents_fields_and_keeps_the_hint(monkeypatch, ran, nothing_live,
                                                                                 state):
    """Class: the rollout dropped the agent's hint and labelled every refusal "live release untouched", also after
    a failing migration in post_deploy. The state comes from the agent's typed fields; the hint reaches the
    host's line."""
    from deploytests import pipeline
    from deploytests.errors import DeployError
    from deploytests.pipeline.fleet import Policy, roll_out

    def deploy(c, cfg, art, progress=None, now=None):
        raise DeployError("deploy failed at preflight: GET /health -> 400 Bad Request", where=c.label,
                          hint="the health GET sent Host: localhost", post_deploy_ran=ran, nothing_live=nothing_live)

    monkeypatch.setattr(pipeline, "deploy", deploy)
    lines = []
    result = roll_out([FakeConn("a")], None, lambda label: SimpleNamespace(sha256="s"), Policy(),
                      progress=lambda host, step, seconds, message: lines.append(message), say=lambda line: None)
    assert result.table()[1].split("  ")[-1] == f"{state} (deploy failed at preflight: GET /health -> 400 Bad Request)"
    assert lines == ["FAILED: deploy failed at preflight: GET /health -> 400 Bad Request. Hint: the health GET "
                     "sent Host: localhost."]


@pytest.mark.parametrize("serving, state", [(True, "rolled back (serves r0)"),
                                             (False, "rolled back to r0, which does NOT serve")])
def test_a_host_switched_back_says_serves_only_when_the_release_it_went_back_to_served(monkeypatch, serving, state):
    """Class: a host's state line saying what it serves from what was switched, not from what was seen serving.
    A host whose mod_wsgi daemons were stopped (kill -STOP) failed the gate, was switched back, and the old
    release did not answer either (the agent: "switched back to r0 (NOT serving ...)"); the rollout's table said
    "rolled back (serves r0)". The table takes the agent's ``serving`` field, as the library's lines do."""
    from deploytests import pipeline
    from deploytests.errors import DeployError
    from deploytests.pipeline.fleet import Policy, roll_out

    def deploy(c, cfg, art, progress=None, now=None):
        raise DeployError("deploy failed at gate: release r1 refused: health gate failed after 30s", where=c.label,
                          live="r0", serving=serving)

    monkeypatch.setattr(pipeline, "deploy", deploy)
    result = roll_out([FakeConn("a")], None, lambda label: SimpleNamespace(sha256="s"), Policy(),
                      progress=lambda *a: None, say=lambda line: None)
    assert result.table()[1].split("  ")[-1] == f"{state} (deploy failed at gate: release r1 refused: health gate " \
        "failed after 30s)", result.table()
    assert [r.host for r in result.failed] == ["a"]


@pytest.mark.parametrize("serving, state", [(False, "FAILED, on r1, which does NOT serve"),
                                            (True, "FAILED, serves r1")])
def test_a_batch_rollback_that_failed_says_serves_only_when_it_was_seen_serving(fake_fleet, monkeypatch, serving,
                                                                                  state):
    """The same class's other member, on a loaded runner (the machine at load 300): a failed batch's hosts were
    rolled back, the rollback's gate timed out on both releases (the agent: 'switched back to r1 (NOT serving:
    TimeoutError)'), and the table said 'FAILED, serves r1'. Now where the agent's rollback ended, and 'serves'
    only when it was seen serving there."""
    from deploytests import pipeline
    from deploytests.errors import DeployError
    from deploytests.pipeline.fleet import Policy

    def rollback(c, cfg, to=None, progress=None):
        raise DeployError("rollback failed at gate: release r0 refused: health gate failed after 30s; switched back "
                          "to r1", where=c.label, live="r1", serving=serving)

    monkeypatch.setattr(pipeline, "rollback", rollback)
    result = _roll(Policy(), {"c"}, [])
    line = result.table()[1].split("  ")[-1]
    assert line.startswith(f"{state}: its batch failed; rolling it back failed: a: rollback failed at gate"), line


def test_a_host_refused_for_its_config_counts_as_failed_and_the_later_ones_do_not(monkeypatch):
    """newuser12: a canary whose per-host config was missing stopped the rollout, and fab ended with "deploy
    failed on 0 of 4 host(s)" (exit 1): the count left out a host untouched for its own error, as it leaves out
    the hosts never attempted. Class: a summary that counts by state instead of by what happened to the host."""
    from deploytests import pipeline
    from deploytests.errors import ConfigError
    from deploytests.pipeline.fleet import Count, Policy, roll_out

    def deploy(c, cfg, art, progress=None, now=None):
        raise ConfigError("no config for host 127.0.0.1 in config/hosts", where="--config")

    monkeypatch.setattr(pipeline, "deploy", deploy)
    result = roll_out([FakeConn("a"), FakeConn("b")], None, lambda label: SimpleNamespace(sha256="s"),
                      Policy(canary=Count(1)), progress=lambda *a: None, say=lambda line: None)
    assert [r.state for r in result.reports] == ["untouched", "untouched"]
    assert [r.host for r in result.failed] == [result.reports[0].host], result.table()


def test_a_hosts_config_refused_before_anything_reached_it_leaves_it_untouched(monkeypatch):
    """newuser5's F8: a per-host config directory without the host's file stopped that host before anything was
    sent, and the table said 'FAILED, serves nothing' while its old release served on. Untouched, with why."""
    from deploytests import pipeline
    from deploytests.errors import ConfigError
    from deploytests.pipeline.fleet import Policy, roll_out

    def deploy(c, cfg, art, progress=None, now=None):
        raise ConfigError("no config for host 127.0.0.1 in config/hosts", where="--config")

    monkeypatch.setattr(pipeline, "deploy", deploy)
    result = roll_out([FakeConn("a")], None, lambda label: SimpleNamespace(sha256="s"), Policy(),
                      progress=lambda *a: None, say=lambda line: None)
    assert [r.state for r in result.reports] == ["untouched"]
    assert result.table()[1].split("  ")[-1] == "untouched (--config: no config for host 127.0.0.1 in config/hosts)", \
        result.table()


def test_the_health_gate_bound_is_deploy_tomls_health_timeout(monkeypatch):
    # An app whose daemons take longer than 30 s to import it (a model loaded at start) was switched back after a
    # fixed 30 s on every deploy and rollback, with nothing to set: deploy.toml's health_timeout (default 30) is
    # the bound of both; an explicit gate_timeout (the lifecycle scenarios') still wins.
    from deploytests.pipeline import releases

    sent = []

    def agent(c, command, args, **kw):
        sent.append((command, args.gate_timeout))
        raise LookupError("stop here")

    monkeypatch.setattr(releases, "call_agent", agent)
    conn = SimpleNamespace(host="web1", port=22, name="web1")
    cfg = replace(CFG, config_file=None)
    assert CFG.health_timeout == 30
    for slow in (replace(cfg, health_timeout=90), cfg):
        with pytest.raises(LookupError):
            releases.deploy(conn, slow, ART)
        with pytest.raises(LookupError):
            releases.rollback(conn, slow)
    with pytest.raises(LookupError):
        releases.deploy(conn, cfg, ART, gate_timeout=10)
    assert sent == [("deploy", 90), ("rollback", 90), ("deploy", 30), ("rollback", 30), ("deploy", 10)]


def test_the_health_gate_reads_the_apps_answer_within_a_deadline(monkeypatch):
    # The light gate (a pytest deploy's rollout) GETs the health path of the site, whose answer is the app's code's:
    # requests' timeout bounds each read, not the answer, so an app that paces its answer (a header line, then a
    # byte now and then) kept the rollout, and every other host's result, waiting for ever. Now one deadline for
    # the whole answer (the suite's client's), and its body is not read (the status and the header say it all).
    import socket
    import threading

    from deploytests import pipeline
    from deploytests.session import Session
    from deploytests.verify import http

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    stop = threading.Event()

    def drip():
        conn, _ = srv.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Deploy-Release: r1\r\n")
        while not stop.wait(0.2):  # (a header line never ended: each read within the per-read timeout)
            try:
                conn.sendall(b"X")
            except OSError:
                break
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    monkeypatch.setattr(pipeline, "status", lambda c, cfg: SimpleNamespace(live="r1"))
    monkeypatch.setattr(http, "DEADLINE", 2.0)
    session = object.__new__(Session)
    session._config, session.settings = CFG, SimpleNamespace(host_timeout=1.0)
    server = SimpleNamespace(base_url=f"http://127.0.0.1:{srv.getsockname()[1]}")
    found: list = []
    worker = threading.Thread(target=lambda: found.append(session.health_gate(None, server, SimpleNamespace(
        live="r1"))), daemon=True)
    worker.start()
    worker.join(30)  # (the bound of this test, not a figure: the gate's own deadline is 2 s here)
    stop.set()
    srv.close()
    assert found and "no whole answer within 2 s" in found[0], found
