"""The fab tasks' own decisions, without servers: which hosts (from Fabric's per-host Connections), once per
run, which config file, which target."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fabric import Config, Connection
from invoke import Context

from deploytests import session as session_module
from deploytests import tasks
from deploytests.errors import DeployTestsError


@pytest.fixture
def fab_run(monkeypatch, tmp_path):
    """A fresh fab run: empty task state, a project, the session's host runs recorded."""
    monkeypatch.setattr(tasks, "STATE", {"target": None, "calls": {}, "artifacts": {}, "hosts": {}, "configs": {}})
    (tmp_path / "deploy.toml").write_text('app = "notes"\nentry_point = "notes:create_app()"\n')
    monkeypatch.setenv("DEPLOYTESTS_APP", str(tmp_path))
    for name in ("DEPLOYTESTS_TARGET", "DEPLOYTESTS_TARGETS", "DEPLOYTESTS_PARALLEL", "DEPLOYTESTS_ROLLING"):
        monkeypatch.delenv(name, raising=False)
    calls = []

    def run_on_hosts(targets, fn, **kwargs):
        calls.append(([t.label for t in targets], kwargs))
        return []

    monkeypatch.setattr(tasks.pipeline, "run_on_hosts", run_on_hosts)
    return SimpleNamespace(calls=calls, project=tmp_path)


def fab(task, *hosts, **options):
    """What Fabric does for ``fab -H h1,h2 task``: the task once per host with that host's Connection (a Context
    without -H), then the task's post-task once."""
    config = Config()
    for host in hosts or (None,):
        task(Connection(host, config=config) if host else Context(), **options)
    for post in task.post:
        post(Context())


def test_many_h_hosts_run_once_in_parallel_on_all_of_them(fab_run):
    fab(tasks.status, "appuser@web1", "appuser@127.0.0.1:2222")
    [(labels, kwargs)] = fab_run.calls
    assert labels == ["appuser@web1", "appuser@127.0.0.1:2222"]
    assert kwargs["step"] == "status" and kwargs["workers"] >= 1 and callable(kwargs["progress"])


def test_the_hosts_come_from_fabrics_connections_not_its_parser():
    """Reviewer: the tasks read ``fabric.main.program.core[0].args.hosts.value`` (Fabric's parser internals)."""
    import inspect

    source = inspect.getsource(tasks) + inspect.getsource(session_module)
    assert "program.core" not in source and "fabric.main" not in source


def test_one_h_host_is_that_host(fab_run):
    fab(tasks.rollback, "appuser@web1")
    fab(tasks.status, "appuser@web1")
    assert [labels for labels, _ in fab_run.calls] == [["appuser@web1"], ["appuser@web1"]]


def test_parallel_and_rolling_come_from_the_same_options_as_pytests(fab_run, monkeypatch):
    monkeypatch.setenv("DEPLOYTESTS_PARALLEL", "3")
    fab(tasks.status, "appuser@web1", "appuser@web2")
    fab(tasks.rollback, "appuser@web1", "appuser@web2", parallel="5")  # what is live, then the rollback
    assert [kw["workers"] for _, kw in fab_run.calls] == [3, 5, 5]


def test_target_task_names_the_target_for_the_tasks_after_it(fab_run, monkeypatch):
    seen = []
    monkeypatch.setattr("deploytests.session.provider_for",
                        lambda settings, **kw: seen.append(settings.target) or (_ for _ in ()).throw(
                            DeployTestsError(f"unknown target {settings.target!r}")))
    tasks.target(Context(), "staging")
    with pytest.raises(SystemExit) as info:
        fab(tasks.status)
    assert seen == ["staging"] and str(info.value) == "fab status: unknown target 'staging'."


def ssh_target(monkeypatch, tmp_path, name: str, host: str) -> None:
    """A targets.toml with ssh target ``name`` on ``host``, its servers opened as labels only (no SSH)."""
    from deploytests.targets.ssh import SshProvider

    (tmp_path / "id_key").write_text("key")
    (tmp_path / "targets.toml").write_text(f'[targets.{name}]\nhosts = ["{host}"]\n'
                                           'identity_file = "id_key"\nknown_hosts = "known_hosts"\n')
    monkeypatch.setenv("DEPLOYTESTS_TARGETS", str(tmp_path / "targets.toml"))
    monkeypatch.setattr(SshProvider, "open", lambda self: [SimpleNamespace(label=h.label) for h in self.spec.hosts])
    monkeypatch.setattr(SshProvider, "close", lambda self: None)


def test_status_of_a_target_without_base_url_runs(fab_run, monkeypatch, tmp_path):
    """Reviewer: `fab target X status` said `no base_url for ssh://...`; no fab step makes an HTTP request."""
    ssh_target(monkeypatch, tmp_path, "vm", "appuser@127.0.0.1:2222")
    tasks.target(Context(), "vm")
    fab(tasks.status)
    assert [labels for labels, _ in fab_run.calls] == [["ssh://appuser@127.0.0.1:2222"]]


@pytest.mark.parametrize("deploy_line", ["", "deploy = false\n"])
def test_a_target_without_the_deploy_right_is_refused_by_fab_as_by_pytest(fab_run, monkeypatch, tmp_path,
                                                                         deploy_line):
    """Class: a target's rights honoured by one front-end only (`fab target kept pack deploy` deployed on a
    target without `deploy = true`). The session refuses every step that changes what runs; status still runs."""
    from deploytests.targets.ssh import SshProvider

    (tmp_path / "id_key").write_text("key")
    (tmp_path / "targets.toml").write_text('[targets.kept]\nhosts = ["appuser@127.0.0.1:2222"]\n'
                                           'identity_file = "id_key"\nknown_hosts = "known_hosts"\n' + deploy_line)
    monkeypatch.setenv("DEPLOYTESTS_TARGETS", str(tmp_path / "targets.toml"))
    monkeypatch.setattr(SshProvider, "open", lambda self: [SimpleNamespace(label=h.label) for h in self.spec.hosts])
    monkeypatch.setattr(SshProvider, "close", lambda self: None)
    tasks.target(Context(), "kept")
    line = 5 if deploy_line else 1  # its deploy key, else its table
    for step in (tasks.deploy, tasks.rollback, tasks.bootstrap):
        with pytest.raises(SystemExit) as info:
            fab(step)
        name = step.name
        assert str(info.value) == (
            f"fab {name}: {tmp_path / 'targets.toml'}:{line}: target 'kept' may not {name}: its key 'deploy' is not "
            "true (default false: read-only verification). Hint: set deploy = true in that target's table to let "
            f"fab and pytest {name} there, or give the hosts with -H.")
    with pytest.raises(SystemExit, match="target 'kept' may not run: its key 'deploy'"):
        tasks.run(Context(), command="true")
        tasks.run.post[0](Context())
    assert fab_run.calls == []
    fab(tasks.status)  # read-only: allowed
    assert [labels for labels, _ in fab_run.calls] == [["ssh://appuser@127.0.0.1:2222"]]
    tasks.STATE["target"] = None
    fab(tasks.rollback, "appuser@web1")  # -H hosts: the operator's explicit choice
    assert len(fab_run.calls) == 2


def test_the_docker_target_is_refused_before_any_container_starts(fab_run, monkeypatch):
    """fab on the throwaway docker target started 2 containers, found nothing live, removed them: refused now."""
    from deploytests.targets.docker import DockerProvider

    def no_containers(self):
        raise AssertionError("a container was started")

    monkeypatch.setattr(DockerProvider, "__enter__", no_containers)
    with pytest.raises(SystemExit) as info:
        fab(tasks.status, target="docker")
    assert str(info.value).startswith("fab status: target 'docker' is throwaway containers that live for one "
                                      "pytest run"), info.value
    assert "--keep-containers" in str(info.value) and fab_run.calls == []


def test_no_servers_says_how_to_name_them(fab_run):
    with pytest.raises(SystemExit) as info:
        fab(tasks.status)
    assert str(info.value) == ("fab status: no servers: give -H user@host[:port][,...], or a target: "
                               "`fab target NAME status` or `fab status --target NAME`.")


def test_deploy_packs_once_per_server_python_and_deploys_once(fab_run, monkeypatch, capsys):
    """A fleet mixing Debian 12 (3.11) and 13 (3.13): one artifact per Python, each host gets its own."""
    from pathlib import Path

    packs, rolled = [], []

    def pack(project, cfg, python_version, machine):
        packs.append((project, python_version, machine))
        return SimpleNamespace(seconds=0.01, path=Path(f"notes-1.0-{python_version}.tar"), size=3, cached=True,
                               sha256=python_version, warnings=())

    pythons = {"appuser@web1": ("3.11", "x86_64"), "appuser@web2": ("3.13", "x86_64")}
    monkeypatch.setattr(tasks.pipeline, "pack", pack)
    monkeypatch.setattr(session_module.Session, "platforms", lambda self, servers: pythons)
    monkeypatch.setattr("deploytests.session.roll_out", lambda servers, cfg, artifact_of, policy, **kw:
                        rolled.append({s.label: artifact_of(s.label).sha256 for s in servers})
                        or SimpleNamespace(reports=[], table=lambda: [], failed=[], stopped=""))
    fab(tasks.pack, "appuser@web1", "appuser@web2")
    fab(tasks.deploy, "appuser@web1", "appuser@web2")
    assert [p[1] for p in packs] == ["3.11", "3.13"]  # pack's own (each host's Python) are reused by deploy
    assert rolled == [{"appuser@web1": "3.11", "appuser@web2": "3.13"}]
    assert capsys.readouterr().out.count("[runner] pack") == 2


# Class: a step that builds for a default platform instead of the named servers'. `fab target kept13 pack deploy`
# (the README's recipe) on a Debian 13 server packed a 36 MB artifact for Python 3.11 (9 s, never used) before
# deploy packed the 3.13 one; `fab target X pack` alone checked a build the servers would never get. Other
# members: -H hosts, a target from DEPLOYTESTS_TARGET; unchanged: --python, and pack with no server named.
@pytest.mark.parametrize("how, expected", [
    ("h", ["3.13"]), ("target-task", ["3.13"]), ("target-env", ["3.13"]), ("python", ["3.11"]), ("none", ["3.11"]),
])
def test_pack_builds_for_the_named_servers_python(fab_run, monkeypatch, tmp_path, how, expected):
    from pathlib import Path

    packs = []

    def pack(project, cfg, python_version, machine):
        packs.append(python_version)
        return SimpleNamespace(seconds=0.01, path=Path(f"notes-1.0-{python_version}.tar"), size=3, cached=True,
                               sha256=python_version, warnings=())

    monkeypatch.setattr(tasks.pipeline, "pack", pack)
    monkeypatch.setattr(session_module.Session, "platforms",
                        lambda self, servers: {s.label: ("3.13", "x86_64") for s in servers})
    ssh_target(monkeypatch, tmp_path, "kept13", "appuser@web13")
    if how == "target-task":
        tasks.target(Context(), "kept13")
    if how == "target-env":
        monkeypatch.setenv("DEPLOYTESTS_TARGET", "kept13")
    hosts = ("appuser@web13",) if how in ("h", "python") else ()
    fab(tasks.pack, *hosts, **({"python": "3.11"} if how == "python" else {}))
    assert packs == expected


def test_deploy_without_servers_stops_before_packing(fab_run, monkeypatch):
    """Reviewer: `fab deploy` with no hosts built the artifact first, then said `no servers`."""
    packs = []
    monkeypatch.setattr(tasks.pipeline, "pack", lambda *a, **kw: packs.append(a))
    with pytest.raises(SystemExit) as info:
        fab(tasks.deploy)
    assert str(info.value) == ("fab deploy: no servers: give -H user@host[:port][,...], or a target: "
                               "`fab target NAME deploy` or `fab deploy --target NAME`.") and packs == []


@pytest.mark.parametrize("given, env, source, hint", [
    (["/nonexistent"], {}, "fab -i", "give -i the path of the deploy login's private key"),
    (None, {"DEPLOYTESTS_IDENTITY": "/nonexistent"}, "DEPLOYTESTS_IDENTITY",
     "set DEPLOYTESTS_IDENTITY to the deploy login's private key, or give fab -i PATH"),
    (None, {"HOME": "/nonexistent"}, "the default ~/.ssh/id_ed25519: no -i given, DEPLOYTESTS_IDENTITY unset",
     "set DEPLOYTESTS_IDENTITY to the deploy login's private key, or give fab -i PATH"),
])
def test_a_missing_identity_file_names_where_its_path_came_from(fab_run, monkeypatch, given, env, source, hint):
    """Reviewer: `fab -H ... -i /nonexistent status` said `Hint: set identity_file in targets.toml`."""
    monkeypatch.delenv("DEPLOYTESTS_IDENTITY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    c = Connection("appuser@web1", connect_kwargs={"key_filename": given} if given else {})
    with pytest.raises(DeployTestsError) as info:
        session_module.cli_host(c).connection()
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
    out = Writes()
    monkeypatch.setattr("sys.stdout", out)
    tasks.pipeline.print_progress("web1", "status", 0.2, "ok")
    tasks.print_lines(["[web1]   r1  1.0        t1  root@vm", "[web1] * r2  1.1        t2  root@vm"])
    assert len(out.writes) == 2 and all(w.endswith("\n") for w in out.writes), out.writes
    assert out.writes[1].splitlines() == ["[web1]   r1  1.0        t1  root@vm", "[web1] * r2  1.1        t2  root@vm"]


def test_failed_hosts_are_counted_and_named_in_the_summary_not_said_again(fab_run, monkeypatch):
    """Reviewer: each host's error was printed on its line, then again in `fab status: status failed on ...`."""
    from deploytests.errors import DeployError, HostOutcome, HostsFailed

    def run_on_hosts(targets, fn, **kwargs):
        raise HostsFailed("status", [HostOutcome("appuser@web1", error=DeployError("UNIQUE-ERROR", detail="OUT")),
                                     HostOutcome("appuser@web2", value=None)])

    monkeypatch.setattr(tasks.pipeline, "run_on_hosts", run_on_hosts)
    with pytest.raises(SystemExit) as info:
        fab(tasks.status, "appuser@web1")
    assert str(info.value) == ("fab status: status failed on 1 of 2 hosts: appuser@web1 (each error is on its "
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
        session_module.cli_host(Connection("appuser@web1", connect_kwargs={"key_filename": [str(key)]})).connection()
    path = env.get("DEPLOYTESTS_KNOWN_HOSTS", "/nonexistent/.ssh/known_hosts")
    assert str(info.value) == (
        f"appuser@web1: known_hosts file {path} (from {source}) does not exist. Hint: create it with `ssh-keyscan "
        "-p PORT HOST > FILE` after checking the key out of band, or set DEPLOYTESTS_KNOWN_HOSTS to the file that "
        "has them.")


def test_a_hosts_progress_line_is_redacted(tmp_path, capsys):
    """A failed host's line carries its error (the summary only names the host): the config's values are
    redacted there as in the summary."""
    from deploytests.session import Session
    from deploytests.settings import Settings

    (tmp_path / "deploy.toml").write_text('app = "notes"\nentry_point = "notes:app"\nconfig_file = "app.cfg"\n')
    (tmp_path / "app.cfg").write_text('SECRET_KEY = "s3cret-value-for-the-line"\n')
    tasks._progress(Session(Settings(app=tmp_path), hosts=[session_module.cli_host(Connection("u@web1"))]))(
        "web1", "deploy", 1.0, "FAILED: boom: s3cret-value-for-the-line")
    out = capsys.readouterr().out
    assert "s3cret-value-for-the-line" not in out and "FAILED: boom: [redacted]" in out, out


def test_a_bad_rollout_value_is_one_line_naming_its_source_before_any_host_is_asked(fab_run, monkeypatch):
    with pytest.raises(SystemExit) as info:
        fab(tasks.deploy, "appuser@web1", batch="0")
    assert str(info.value) == ("fab deploy: --batch=0: not a number of hosts (N) or a percentage of them (P%) of "
                               "at least 1.")
    monkeypatch.setenv("DEPLOYTESTS_MAX_FAILED", "lots")
    with pytest.raises(SystemExit) as info:
        fab(tasks.deploy, "appuser@web1")
    assert str(info.value).startswith("fab deploy: --max-failed=lots (from DEPLOYTESTS_MAX_FAILED environment "
                                      "variable): not a number of hosts")
    assert fab_run.calls == []


def test_the_apps_deploy_config_is_loaded_once_per_fab_run(fab_run, monkeypatch):
    loads, real = [], session_module.load_config
    monkeypatch.setattr(session_module, "load_config", lambda *a, **kw: loads.append(a) or real(*a, **kw))
    fab(tasks.status, "appuser@web1", "appuser@web2")
    fab(tasks.rollback, "appuser@web1", "appuser@web2")  # what is live, then the rollback
    assert len(loads) == 1 and len(fab_run.calls) == 3


def test_run_output_is_redacted_and_host_labels_are_not(fab_run, monkeypatch, capsys):
    """Class: one of fab's outputs bypassed the redaction (`fab run 'grep SECRET "$MYSITE_CONFIG"'` printed the
    SECRET_KEY); and 127.0.0.1, a plain ALLOWED_HOSTS value, was redacted out of the host label."""
    (fab_run.project / "deploy.toml").write_text('app = "notes"\nentry_point = "notes:create_app()"\n'
                                                 'config_file = "app.cfg"\n')
    (fab_run.project / "app.cfg").write_text('SECRET_KEY = "s3cr3t-django-key-value"\n'
                                             'ALLOWED_HOSTS = ["127.0.0.1", "localhost"]\n')

    def run_command(c, cfg, command, *, output):
        output(c.label, "SECRET_KEY = 's3cr3t-django-key-value'")
        return SimpleNamespace(host=c.label, exit=0, release_id="r1")

    monkeypatch.setattr(tasks.pipeline, "run_command", run_command)
    monkeypatch.setattr(tasks.pipeline, "run_on_hosts", lambda servers, fn, **kw: [fn(s) for s in servers])
    fab(tasks.run, "appuser@127.0.0.1:35171", command='grep SECRET "$MYSITE_CONFIG"')
    out = capsys.readouterr().out
    assert "s3cr3t-django-key-value" not in out
    assert "[appuser@127.0.0.1:35171] SECRET_KEY = '[redacted]'" in out, out


def test_a_status_value_padded_to_the_terminals_width_cannot_wrap_into_a_line_of_its_own():
    """The deploy login wrote ``RELEASE.json``'s version as ``1.0`` + spaces + ``[host] * <forged release>``: one line
    (controls escaped), but a terminal wrapped it and the forged part started a row of its own, read as a release
    line. Class: a server value making the terminal show a line deploytests did not print. On a terminal every
    line is cut to its width; each RELEASE.json value to tasks.FIELD characters anywhere."""
    from deploytests.pipeline.releases import ReleaseInfo, Status

    host = "admin@web-1:22"
    forged = "1.0" + " " * 200 + f"[{host}] * 29990101T000000Z-forged  9.9"
    st = Status(host=host, live="20261205T000000Z-aaaa", releases=[
        ReleaseInfo(id="20261205T000000Z-aaaa", version=forged, created_at="2026-12-05", artifact_sha256="",
                    deployed_by="root@vm", live=True)])
    for width in (80, 120, 200):
        (line,) = tasks.status_lines(st, width)
        assert len(line) < width and line.startswith(f"[{host}] * 20261205T000000Z-aaaa  1.0"), line
    (line,) = tasks.status_lines(st)  # not a terminal: no wrap to fear, each value still bounded
    assert "forged" not in line and len(line) < 200, line
    # attack5: the cut counted characters, the terminal cells: 73 wide characters (two cells each) or tabs (up to
    # eight) filled the row with fewer characters than the cut allowed. Every character is shown as one cell.
    for pad in ("\u3000" * 73, "\t" * 30, "e\u0301" * 60):
        st.releases[0].version = pad + f"[{host}] * 29990101T000000Z-forged  9.9"
        for width in (80, 200):
            (line,) = tasks.status_lines(st, width)
            assert line.isascii() and "\t" not in line and len(line) < width, line


def test_status_says_in_one_line_when_the_hosts_do_not_serve_one_release():
    """A rollout killed part way, a host lost, ``--max-failed`` reached: each host's lines were right, but nothing said
    the fleet was mixed (with 8 hosts, a reader compares 8 stars). Class: a fleet-wide fact left to the reader to
    assemble from per-host lines. One ``[fleet]`` line, by version, newest first, naming each group's hosts; none
    when they agree or one host answered; the login's RELEASE.json values shown safe, as on the hosts' lines."""
    from deploytests.pipeline.releases import ReleaseInfo, Status

    def st(host, live, version="1.0"):
        rels = [ReleaseInfo(id=r, version=version if r == live else "0.9", created_at="x", artifact_sha256="",
                            deployed_by="d", live=r == live) for r in sorted({"20261130T000000Z-z", live or ""} - {""})]
        return Status(host=host, live=live, releases=rels)

    new, old = "20261202T000000Z-b", "20261201T000000Z-a"
    assert tasks.fleet_lines([st("web-1", new, "2.0"), st("web-2", new, "2.0")]) == []
    assert tasks.fleet_lines([st("web-1", new, "2.0")]) == []
    (line,) = tasks.fleet_lines([st("web-3", old), st("web-1", new, "2.0"), st("web-2", new, "2.0"),
                                 st("web-4", None)])
    assert line.startswith("[fleet] mixed: 2 serve version 2.0: web-1, web-2; 1 serves version 1.0: web-3; "
                           "1 serves nothing: web-4 ("), line
    # one deploy to a fleet of two Pythons: an artifact, so a release id, each; one version: not mixed
    assert tasks.fleet_lines([st("web-1", new, "2.0"), st("web-2", "20261202T000000Z-c", "2.0")]) == []
    import io

    from deploytests.pipeline.hosts import print_lines

    out = io.StringIO()  # printed as status prints it: one line, whatever the login wrote
    print_lines(tasks.fleet_lines([st("web-1", new, "2.0\n[web-9] * forged\u3000"), st("web-2", old)]), file=out)
    assert out.getvalue().count("\n") == 1 and out.getvalue().isascii(), out.getvalue()


def test_each_hosts_connection_is_closed_at_the_end_of_its_turn(tmp_path):
    """``fab bootstrap``/``status``/``rollback``/``run`` (``Session.run``): a host's connection closes when its turn
    ends, so the runner holds at most ``--parallel`` connections whatever the fleet (measured: 1 thread and
    ~1 MiB per host at rest before, on 32 containers)."""
    import threading

    from deploytests.session import Session
    from deploytests.settings import Settings

    lock, open_now, most = threading.Lock(), set(), []

    class Server:
        def __init__(self, label):
            self.label = label

        def connection(self):
            with lock:
                open_now.add(self.label)
                most.append(len(open_now))
            return SimpleNamespace(label=self.label)

        def close(self):
            with lock:
                open_now.discard(self.label)

    (tmp_path / "deploy.toml").write_text('app = "notes"\nentry_point = "notes:create_app()"\n')
    session = Session(Settings(app=tmp_path, parallel=3), say=lambda line: None)
    servers = [Server(f"h{i}") for i in range(12)]
    seen = session.run(servers, lambda c: c.label, "status")
    assert [o.value for o in seen] == [s.label for s in servers]
    assert open_now == set() and max(most) <= 3


# Class: a fleet-wide preparatory step that turns one host's failure into the whole fleet's. `docker pause` of one
# of three servers, then `fab target prod pack deploy --canary 1 --batch 1 --max-failed 1`: the servers' Python
# was asked first (to pack for it), web3 did not answer, and `fab pack: facts failed on 1 of 3 host(s)` ended the
# run: nothing deployed anywhere, whatever --max-failed allowed. Members: `fab pack` (packs for the hosts that
# answered, names the one that did not, and lets `deploy` run), `fab deploy` (the lost host fails in the rollout
# under its rules, the others deploy), and the platform query itself (a HostsFailed is no longer raised).
def test_a_host_whose_python_cannot_be_read_fails_alone_in_the_rollout(fab_run, monkeypatch, capsys):
    from pathlib import Path

    from deploytests.errors import ConnectError, HostOutcome, HostsFailed

    packs, rolled = [], []
    frozen = ConnectError("appuser@web3: no answer for 30 s while connecting to 10.0.0.3:22 (no SSH banner)")

    def pack(project, cfg, python_version, machine):
        packs.append(python_version)
        return SimpleNamespace(seconds=0.01, path=Path(f"notes-1.0-{python_version}.tar"), size=3, cached=True,
                               sha256=python_version, warnings=())

    def run(self, servers, fn, step):  # the facts step: web3 frozen
        outcomes = [HostOutcome(s.label, value=("3.11", "x86_64")) if s.label != "appuser@web3"
                    else HostOutcome(s.label, error=frozen) for s in servers]
        if any(o.error for o in outcomes):
            raise HostsFailed(step, outcomes)
        return outcomes

    def roll_out(servers, cfg, artifact_of, policy, **kw):
        for s in servers:
            try:
                rolled.append((s.label, artifact_of(s.label).sha256))
            except ConnectError as e:
                rolled.append((s.label, e))
        return SimpleNamespace(reports=[], table=lambda: [], failed=[], stopped="")

    monkeypatch.setattr(tasks.pipeline, "pack", pack)
    monkeypatch.setattr(session_module.Session, "run", run)
    monkeypatch.setattr("deploytests.session.roll_out", roll_out)
    hosts = ("appuser@web1", "appuser@web2", "appuser@web3")
    fab(tasks.pack, *hosts)  # no SystemExit: the two that answered are packed for
    out = capsys.readouterr().out
    assert packs == ["3.11"] and "[runner] pack" in out
    assert "no artifact for appuser@web3: its Python could not be read (appuser@web3: no answer for 30 s" in out
    fab(tasks.deploy, *hosts)
    assert rolled == [("appuser@web1", "3.11"), ("appuser@web2", "3.11"), ("appuser@web3", frozen)]


# Class: a host found lost by one task is waited for again by the next task of the same fab run (`fab pack
# deploy` with a frozen server waited the host timeout in pack's facts, then again in deploy's: 77 s). Members:
# pack then deploy, pack twice; and a fleet pack that packed nothing exits 0 (no artifact, no error).
def test_each_hosts_python_is_asked_once_per_run_and_a_pack_of_nothing_fails(fab_run, monkeypatch, capsys):
    import contextlib
    from pathlib import Path

    from deploytests.errors import ConnectError, HostOutcome, HostsFailed

    asked = []
    frozen = ConnectError("appuser@web3: no answer for 30 s while connecting to 10.0.0.3:22 (no SSH banner)")

    def run(self, servers, fn, step):
        asked.extend(s.label for s in servers)
        outcomes = [HostOutcome(s.label, value=("3.11", "x86_64")) if s.label != "appuser@web3"
                    else HostOutcome(s.label, error=frozen) for s in servers]
        if any(o.error for o in outcomes):
            raise HostsFailed(step, outcomes)
        return outcomes

    monkeypatch.setattr(tasks.pipeline, "pack", lambda *a, **k: SimpleNamespace(
        seconds=0.01, path=Path("notes.tar"), size=3, cached=True, sha256="x", warnings=()))
    monkeypatch.setattr(session_module.Session, "run", run)
    monkeypatch.setattr("deploytests.session.roll_out", lambda *a, **k: SimpleNamespace(
        reports=[], table=lambda: [], failed=[], stopped=""))
    hosts = ("appuser@web1", "appuser@web2", "appuser@web3")
    fab(tasks.pack, *hosts)
    fab(tasks.pack, *hosts)
    fab(tasks.deploy, *hosts)
    assert sorted(asked) == sorted(hosts), asked  # once each, the frozen one too
    session = session_module.Session(tasks.fab_settings({}), platforms={})
    monkeypatch.setattr(session, "servers", lambda: contextlib.nullcontext([SimpleNamespace(label="appuser@web3")]))
    monkeypatch.setattr(tasks, "session_of", lambda step, conns, options: session)
    monkeypatch.setitem(tasks.STATE, "target", "prod")
    with pytest.raises(SystemExit) as exc:
        tasks.pack(Context())
    assert str(exc.value.code).startswith("fab pack: nothing packed: none of the 1 named host said its Python "
                                          "(appuser@web3: each line above says why)"), exc.value.code


# Class: a fleet command applied host by host without regard to what the fleet's last change reached. After a
# rollout of 0.3.0 that web3's before_host hook refused (web3 still on 0.2.0), `fab target prod rollback` took
# the four 0.3.0 hosts back to 0.2.0 and web3 on to 0.1.0: a mixed fleet, a release nobody asked for. Other
# members: a host rolled back within --max-failed, a host down during the rollout (each: not on the newest
# release). --to ID, one host, and hosts whose status cannot be read keep the old behaviour.
def test_a_fleet_rollback_undoes_the_newest_release_only(fab_run, monkeypatch, capsys):
    from deploytests.pipeline.releases import ReleaseInfo, Status

    def rel(rid, version, live=False):
        return ReleaseInfo(id=rid, version=version, created_at="", artifact_sha256="", live=live)

    fleet = {"web1": "20261206T065900Z-0bcb01ff", "web2": "20261206T065900Z-0bcb01ff",
             "web3": "20261206T064204Z-92654c12", "web4": "down"}
    versions = {"20261206T065900Z-0bcb01ff": "0.3.0", "20261206T064204Z-92654c12": "0.2.0"}

    def status(c, cfg):
        live = fleet[c.host]
        if live == "down":
            raise OSError("no answer for 30 s")
        return Status(host=c.label, live=live, releases=[rel(i, v, i == live) for i, v in versions.items()])

    rolled = []

    def run_on_hosts(targets, fn, **kwargs):
        fab_run.calls.append(([t.label for t in targets], kwargs))
        for t in targets:
            try:
                fn(t)
            except OSError:
                pass
        return []

    monkeypatch.setattr(tasks.pipeline, "run_on_hosts", run_on_hosts)
    monkeypatch.setattr(tasks.pipeline, "status", status)
    monkeypatch.setattr(tasks.pipeline, "rollback", lambda c, cfg, to, progress=None: rolled.append(c.host) or
                        SimpleNamespace(changed=True, release_id="r", version="v", config_changed=False,
                                        host=c.label, previous="p", seconds=0.1))
    fab(tasks.rollback, "appuser@web1", "appuser@web2", "appuser@web3", "appuser@web4")
    assert sorted(rolled) == ["web1", "web2", "web4"]  # web4: its own error, as before
    out = capsys.readouterr().out
    assert ("[appuser@web3] untouched: serves 20261206T064204Z-92654c12 (0.2.0), not the fleet's newest release "
            "20261206T065900Z-0bcb01ff (0.3.0)") in out, out
    rolled.clear()
    fab(tasks.rollback, "appuser@web1", "appuser@web3", to="20261206T064204Z-92654c12")
    assert sorted(rolled) == ["web1", "web3"]


# Class: one root cause said once per host. `fab target kept pack deploy` of a release with an
# import its wheel does not declare printed the same hint and 20-line traceback under each of the 2 hosts (59
# lines); the pytest session and the other fab tasks (HostsFailed) name hosts that failed alike together, their
# output once. Members: the deploy's own detail; a host that failed otherwise keeps its own.
def test_hosts_that_failed_deploy_alike_get_their_detail_once(fab_run, monkeypatch, capsys):
    from pathlib import Path

    monkeypatch.setattr(tasks.pipeline, "pack", lambda *a, **kw: SimpleNamespace(
        seconds=0.01, path=Path("notes-1.0.tar"), size=3, cached=True, sha256="x", warnings=()))
    monkeypatch.setattr(session_module.Session, "platforms",
                        lambda self, servers: {s.label: ("3.11", "x86_64") for s in servers})
    why = SimpleNamespace(hint="add flask_wtf to the dependencies", detail="Traceback ...\nModuleNotFoundError")
    bad = [SimpleNamespace(host=h, state="refused", **vars(why)) for h in ("ssh://a@web1", "ssh://a@web2")]
    bad.append(SimpleNamespace(host="ssh://a@web3", state="refused", hint="", detail="host key changed"))
    monkeypatch.setattr("deploytests.session.roll_out", lambda *a, **kw: SimpleNamespace(
        reports=bad, table=lambda: [], failed=bad, stopped=""))
    with pytest.raises(SystemExit) as stop:
        fab(tasks.deploy, "a@web1", "a@web2", "a@web3")
    text = str(stop.value.code)
    assert text.count("ModuleNotFoundError") == 1 and "[ssh://a@web1, ssh://a@web2] Hint: add flask_wtf" in text, text
    assert "[ssh://a@web3]\nhost key changed" in text, text
