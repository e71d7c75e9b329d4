"""The fab tasks' own decisions, without servers: which hosts, once per run, which config file, which target."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fabric import Config, Connection
from invoke import Context

from deploytests import tasks
from deploytests.errors import DeployTestsError


@pytest.fixture
def fab_run(monkeypatch, tmp_path):
    """A fresh fab run: empty task state, a project, the ``-H`` value Fabric parsed, run_on_hosts recorded."""
    from fabric import main

    monkeypatch.setattr(tasks, "STATE", {"artifact": None, "connections": {}, "target": None, "done": set()})
    (tmp_path / "deploy.toml").write_text('app = "notes"\nentry_point = "notes:create_app()"\n')
    monkeypatch.setenv("DEPLOYTESTS_APP", str(tmp_path))
    monkeypatch.delenv("DEPLOYTESTS_TARGET", raising=False)
    calls = []

    def hosts(value):
        core = [SimpleNamespace(args=SimpleNamespace(hosts=SimpleNamespace(value=value)))]
        monkeypatch.setattr(main.program, "core", core, raising=False)

    def run_on_hosts(targets, fn, **kwargs):
        calls.append(([t.label for t in targets], kwargs))
        return []

    monkeypatch.setattr(tasks.pipeline, "run_on_hosts", run_on_hosts)
    return SimpleNamespace(hosts=hosts, calls=calls, project=tmp_path)


def test_cli_hosts_come_from_the_running_fab(fab_run):
    fab_run.hosts("appuser@web1, deployer@web2:2222,")
    assert tasks.cli_hosts() == ["appuser@web1", "deployer@web2:2222"]
    fab_run.hosts(None)
    assert tasks.cli_hosts() == []


def test_many_h_hosts_run_once_in_parallel_on_all_of_them(fab_run):
    fab_run.hosts("appuser@web1,appuser@127.0.0.1:2222")
    config = Config()
    for host in ("appuser@web1", "appuser@127.0.0.1:2222"):  # Fabric calls the task once per host
        tasks.status(Connection(host, config=config))
    [(labels, kwargs)] = fab_run.calls
    assert labels == ["appuser@web1", "appuser@127.0.0.1:2222"]
    assert kwargs["step"] == "status" and kwargs["rolling"] is False and callable(kwargs["progress"])


def test_one_h_host_is_that_host(fab_run):
    fab_run.hosts("appuser@web1")
    tasks.rollback(Connection("appuser@web1"))
    tasks.status(Connection("appuser@web1"))
    assert [labels for labels, _ in fab_run.calls] == [["appuser@web1"], ["appuser@web1"]]


def test_target_task_names_the_target_for_the_tasks_after_it(fab_run, monkeypatch):
    seen = []
    monkeypatch.setattr("deploytests.targets.provider_for",
                        lambda settings, **kw: seen.append(settings.target) or (_ for _ in ()).throw(
                            DeployTestsError(f"unknown target {settings.target!r}")))
    tasks.target(Context(), "staging")
    with pytest.raises(SystemExit) as info:
        tasks.status(Context())
    assert seen == ["staging"] and str(info.value) == "fab status: unknown target 'staging'."


def test_status_of_a_target_without_base_url_runs(fab_run, monkeypatch, tmp_path):
    """Reviewer: `fab target X status` said `no base_url for ssh://...`; no fab step makes an HTTP request."""
    from deploytests.targets.ssh import SshProvider

    (tmp_path / "id_key").write_text("key")
    (tmp_path / "targets.toml").write_text('[targets.vm]\nhosts = ["appuser@127.0.0.1:2222"]\n'
                                           'identity_file = "id_key"\nknown_hosts = "known_hosts"\n')
    monkeypatch.setenv("DEPLOYTESTS_TARGETS", str(tmp_path / "targets.toml"))
    monkeypatch.setattr(SshProvider, "open", lambda self: [SimpleNamespace(label=h.label) for h in self.spec.hosts])
    monkeypatch.setattr(SshProvider, "close", lambda self: None)
    tasks.target(Context(), "vm")
    tasks.status(Context())
    assert [labels for labels, _ in fab_run.calls] == [["ssh://appuser@127.0.0.1:2222"]]


def test_the_docker_target_is_refused_before_any_container_starts(fab_run, monkeypatch):
    """fab on the throwaway docker target started 2 containers, found nothing live, removed them: refused now."""
    from deploytests.targets.docker import DockerProvider

    def no_containers(self):
        raise AssertionError("a container was started")

    monkeypatch.setattr(DockerProvider, "__enter__", no_containers)
    with pytest.raises(SystemExit) as info:
        tasks.status(Context(), target="docker")
    assert str(info.value).startswith("fab status: target 'docker' is throwaway containers that live for one "
                                      "pytest run"), info.value
    assert "--keep-containers" in str(info.value) and fab_run.calls == []


def test_no_servers_says_how_to_name_them(fab_run):
    with pytest.raises(SystemExit) as info:
        tasks.status(Context())
    assert str(info.value) == ("fab status: no servers: give -H user@host[:port][,...], or a target: "
                               "`fab target NAME status` or `fab status --target NAME`.")


def test_pack_deploy_on_many_h_hosts_packs_once_and_deploys_once(fab_run, monkeypatch, capsys):
    from pathlib import Path

    packs = []
    monkeypatch.setattr(tasks.pipeline, "pack", lambda project, cfg, python_version: packs.append(project) or
                        SimpleNamespace(seconds=0.01, path=Path("notes-1.0-abc.tar"), size=3, cached=True))
    fab_run.hosts("appuser@web1,appuser@web2")
    config = Config()
    for task in (tasks.pack, tasks.deploy):
        for host in ("appuser@web1", "appuser@web2"):
            task(Connection(host, config=config))
    assert packs == [fab_run.project.resolve()]
    assert [(labels, kw["step"]) for labels, kw in fab_run.calls] == [(["appuser@web1", "appuser@web2"], "deploy")]
    assert capsys.readouterr().out.count("[runner] pack") == 1


def test_deploy_without_servers_stops_before_packing(fab_run, monkeypatch):
    """Reviewer: `fab deploy` with no hosts built the artifact first, then said `no servers`."""
    packs = []
    monkeypatch.setattr(tasks.pipeline, "pack", lambda *a, **kw: packs.append(a))
    with pytest.raises(SystemExit) as info:
        tasks.deploy(Context())
    assert str(info.value) == ("fab deploy: no servers: give -H user@host[:port][,...], or a target: "
                               "`fab target NAME deploy` or `fab deploy --target NAME`.") and packs == []


@pytest.mark.parametrize("given, env, source, hint", [
    (["/nonexistent"], {}, "fab -i", "give -i the path of the deploy login's private key"),
    (None, {"DEPLOYTESTS_IDENTITY": "/nonexistent"}, "DEPLOYTESTS_IDENTITY",
     "set DEPLOYTESTS_IDENTITY to the deploy login's private key, or give fab -i PATH"),
    (None, {"HOME": "/nonexistent"}, "the default ~/.ssh/id_ed25519: no -i given, DEPLOYTESTS_IDENTITY unset",
     "give fab -i PATH or set DEPLOYTESTS_IDENTITY to the deploy login's private key"),
])
def test_a_missing_identity_file_names_where_its_path_came_from(fab_run, monkeypatch, given, env, source, hint):
    """Reviewer: `fab -H ... -i /nonexistent status` said `Hint: set identity_file in targets.toml`."""
    monkeypatch.delenv("DEPLOYTESTS_IDENTITY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    c = Connection("appuser@web1", connect_kwargs={"key_filename": given} if given else {})
    with pytest.raises(DeployTestsError) as info:
        tasks._Host(c).connection()
    path = "/nonexistent" if "HOME" not in env else "/nonexistent/.ssh/id_ed25519"
    assert str(info.value) == (f"appuser@web1: identity file {path} (from {source}) does not exist. Hint: {hint}.")


class Writes:
    """A stdout that records each write call (a line split over two writes is what interleaves)."""

    def __init__(self):
        self.writes: list[str] = []

    def write(self, text):
        self.writes.append(text)

    def flush(self):
        pass


def test_progress_and_status_lines_are_written_whole(monkeypatch):
    """Reviewer: parallel `fab status` printed `...  root@vm[appuser@127.0.0.1:33523]   2026...` on one line:
    ``print`` writes a line and its newline separately, so two hosts' threads interleaved."""
    from deploytests.pipeline.releases import ReleaseInfo, Status

    out = Writes()
    monkeypatch.setattr("sys.stdout", out)
    tasks.pipeline.print_progress("web1", "status", 0.2, "ok")
    tasks._show(Status("web1", "r2", [ReleaseInfo("r1", "1.0", "t1", "x", "root@vm"),
                                      ReleaseInfo("r2", "1.1", "t2", "y", "root@vm", live=True)]))
    assert len(out.writes) == 2 and all(w.endswith("\n") for w in out.writes), out.writes
    assert out.writes[1].splitlines() == ["[web1]   r1  1.0        t1  root@vm", "[web1] * r2  1.1        t2  root@vm"]


def test_failed_hosts_are_counted_and_named_in_the_summary_not_said_again(fab_run, monkeypatch):
    """Reviewer: each host's error was printed on its line, then again in `fab status: status failed on ...`."""
    from deploytests.errors import DeployError, HostOutcome, HostsFailed

    def run_on_hosts(targets, fn, **kwargs):
        raise HostsFailed("status", [HostOutcome("appuser@web1", error=DeployError("UNIQUE-ERROR", detail="OUT")),
                                     HostOutcome("appuser@web2", value=None)])

    monkeypatch.setattr(tasks.pipeline, "run_on_hosts", run_on_hosts)
    fab_run.hosts("appuser@web1")
    with pytest.raises(SystemExit) as info:
        tasks.status(Connection("appuser@web1"))
    assert str(info.value) == ("fab status: status failed on 1 of 2 host(s): appuser@web1 (each error is on its "
                               "host's line above)\n[appuser@web1]\nOUT")


@pytest.mark.parametrize("env, source", [
    ({"DEPLOYTESTS_KNOWN_HOSTS": "/nonexistent/kh"}, "DEPLOYTESTS_KNOWN_HOSTS"),
    ({"HOME": "/nonexistent"}, "the default ~/.ssh/known_hosts: DEPLOYTESTS_KNOWN_HOSTS unset"),
])
def test_a_missing_known_hosts_file_names_where_its_path_came_from(fab_run, monkeypatch, tmp_path, env, source):
    """Reviewer: the hint for a missing known_hosts file did not mention DEPLOYTESTS_KNOWN_HOSTS."""
    import paramiko

    key = tmp_path / "id_rsa"
    paramiko.RSAKey.generate(1024).write_private_key_file(str(key))
    monkeypatch.delenv("DEPLOYTESTS_KNOWN_HOSTS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(DeployTestsError) as info:
        tasks._Host(Connection("appuser@web1", connect_kwargs={"key_filename": [str(key)]})).connection()
    path = env.get("DEPLOYTESTS_KNOWN_HOSTS", "/nonexistent/.ssh/known_hosts")
    assert str(info.value) == (
        f"appuser@web1: known_hosts file {path} (from {source}) does not exist. Hint: create it with `ssh-keyscan "
        "-p PORT HOST > FILE` after checking the key out of band, or set DEPLOYTESTS_KNOWN_HOSTS to the file that "
        "has them.")


def test_a_hosts_progress_line_is_redacted(tmp_path, capsys):
    """A failed host's line carries its error (the summary only names the host): the config's values are
    redacted there as in the summary."""
    from deploytests.config import load_config

    (tmp_path / "deploy.toml").write_text('app = "notes"\nentry_point = "notes:app"\nconfig_file = "app.cfg"\n')
    (tmp_path / "app.cfg").write_text('SECRET_KEY = "s3cret-value-for-the-line"\n')
    tasks._progress(load_config(tmp_path))("web1", "deploy", 1.0, "FAILED: boom: s3cret-value-for-the-line")
    out = capsys.readouterr().out
    assert "s3cret-value-for-the-line" not in out and "FAILED: boom: [redacted]" in out, out
