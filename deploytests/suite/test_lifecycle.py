"""Lifecycle and failure scenarios: redeploy under load, rollback, health gate, interrupted and
concurrent deploys, idempotence, upgrade, changed host key, least privilege.

Every test is ``destructive``: skipped with the reason on real targets without ``destructive = true``.
They run on a server of their own (:func:`lab`): on the docker target each scenario on a fresh container of
its own, started from a snapshot of a server bootstrapped with v1 live (one mod_wsgi daemon unless the scenario
is about several: ``several_daemons``), all of them at once (they share no server), so the session's servers
that the rest of the suite verifies are never touched and no scenario waits for another; on a real target the
target's first server, one scenario after another, where the session's release is deployed again at the end
(and the session's record of it updated).
The payloads are the bundled example releases (``deploytests/examples/apps``), whose behaviour is known: v1, v2,
one that cannot import, one whose health route answers 500. Deploys log in as ``deployer``, a login without sudo.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deploytests import pipeline
from deploytests.errors import DeployError, DeployTestsError, HostKeyError
from deploytests.pipeline.releases import deploy_args
from deploytests.pipeline.remote import call_agent
from deploytests.redaction import secrets_of
from deploytests.suite.lab import (
    Lab,
    example_release,
    fingerprint_diff,
    longer,
    several_daemons,
    starts_with,
    submit,
    switches,
)
from deploytests.verify import wsgi_daemons
from deploytests.verify.load import Load
from deploytests.verify.testinfra import host_for
from deploytests.waiting import wait_until

from ..words import count

pytestmark = pytest.mark.deploytests_destructive

SUITE = Path(__file__).resolve().parent


def pytest_generate_tests(metafunc):
    """A docker fleet of several platforms (``--platform debian12,debian13``) runs the scenarios on a container
    of each platform (ids ``[debian13]``)."""
    if "lab" in metafunc.fixturenames:
        platforms = docker_platforms(metafunc.config)
        if len(platforms) > 1:
            metafunc.parametrize("lab", platforms, indirect=True, ids=platforms)


def docker_platforms(config) -> list[str]:
    """The docker target's platforms; none for another target (or settings the plugin refused)."""
    from deploytests.plugin import PROVIDER, SETTINGS

    provider = config.stash.get(PROVIDER, None)
    return list(config.stash[SETTINGS].platform) if provider is not None and provider.kind == "docker" else []


@pytest.fixture
def lab(request, deploy_target):
    """The scenario's server. On the docker target: the scenario's :class:`~deploytests.suite.lab.Run` (the
    suite's conftest waits for it and reports its outcome as this test's); on a real target: the
    :class:`~deploytests.suite.lab.Lab` of the target's first server, the scenarios one after another."""
    if deploy_target.kind == "docker":
        return submit(request.getfixturevalue("scenarios"), request.node, deploy_target,
                      request.getfixturevalue("tmp_path_factory"))
    return request.getfixturevalue("server_lab")


@pytest.fixture(scope="module")
def server_lab(request, deploy_target):
    """A real target's first server, bootstrapped, for the scenarios one after another (see the module docstring)."""
    session = {n: request.getfixturevalue(n) for n in ("deploy_config", "deploy_artifact", "deployment")}
    example = Lab(deploy_target.servers[0]).config()
    if session["deploy_config"].app != example.app:
        # the scenarios deploy the bundled example releases under the example's name, vhost and user: on a
        # server running another app they would add a second site beside it and leave it there
        pytest.skip(f"the lifecycle scenarios deploy the bundled example app ({example.app!r}); on a real target "
                    f"they run only when that is the app under test, not {session['deploy_config'].app!r}: "
                    "use a server set aside for the drill, or the docker target")
    box = Lab(deploy_target.servers[0], config_file=deploy_target.config_file)
    box.say = print
    box.bootstrap()
    yield box
    box.close()
    c, cfg = box.server.connection(), session["deploy_config"]
    pipeline.bootstrap(c, cfg)
    result = pipeline.deploy(c, cfg, session["deploy_artifact"])
    session["deployment"].hosts[box.server.label].release_id = result.release_id


def needs_container(lab, why: str) -> None:
    if lab.container is None:
        pytest.skip(f"needs a throwaway container ({why}); the docker target has one, {lab.server.label} is real")


def one_line(exc: BaseException) -> str:
    """The error's message, which must be a single line."""
    text = str(exc)
    assert text.strip() and "\n" not in text, f"expected a one-line error, got:\n{text}"
    return text


def health_load(lab, **kwargs) -> Load:
    """~20 requests/s on the health path through the published 127.0.0.1 port; ends by itself. Each GET waits as
    long as the deploy waits for a new release to answer (``health_timeout``): a slower answer on a busy runner is
    no failed request unless the deploy's own bound calls it one."""
    cfg = lab.config()
    return Load(lab.url(cfg.health_path), rate=20, max_requests=1200, max_seconds=60, headers=lab.headers(),
                timeout=cfg.health_timeout, **kwargs)


def answers(load: Load, n: int, when: str) -> None:
    """Wait for ``n`` more answers of the load, as long as it waits for one (its bound, the deploy's own)."""
    seen = len(load.samples)
    wait_until(lambda: len(load.samples) >= seen + n, what=f"{n} answers {when}", timeout=load.timeout,
               interval=0.05)


# ---------------------------------------------------------------- 1. zero downtime

@several_daemons  # none of the daemons fails a request while they restart one by one
def test_redeploy_under_load_has_zero_failed_requests(lab):
    v1 = lab.deploy("yourapplication").release_id
    with health_load(lab) as load:
        answers(load, 5, "before the deploy")
        v2 = lab.deploy("yourapplication-v2")
        answers(load, 10, "after the deploy")
    lab.say(f"redeploy under load: {load.summary()}; deploy {v2.seconds:.2f}s")
    assert not load.failures(), load.summary()
    assert load.releases() == [v1, v2.release_id], \
        f"expected v1 ({v1}) then only v2 ({v2.release_id}), never back: {load.summary()}"
    assert v2.changed and v2.previous == v1 and "yourapplication 2.0" in lab.get("/").text


# ---------------------------------------------------------------- 2. rollback drill

@several_daemons  # every daemon serves the release rolled back to (none left on the one rolled back from)
@starts_with("yourapplication-v2")  # docker target: v1 then v2 deployed in its snapshot, v2 live
def test_rollback_drill(lab):
    v1, v2 = lab.deployed_in_turn("yourapplication", "yourapplication-v2")
    back = lab.rollback()
    assert (back.changed, back.release_id, back.previous) == (True, v1, v2)
    page = lab.get("/")
    assert page.headers["X-Deploy-Release"] == v1 and "yourapplication 1.0" in page.text, page.text

    oldest = lab.status().releases[0].id
    if oldest != v1:
        lab.rollback(to=oldest)
    before = lab.fingerprint()
    with pytest.raises(DeployError) as info:
        lab.rollback()
    assert "no release older than the live one" in one_line(info.value)
    assert lab.serving() == oldest and lab.fingerprint() == before


# ---------------------------------------------------------------- 3. health gate

@starts_with("yourapplication-v2")  # docker target: v2 is live on its container already (its deploy is a no-op)
@switches(0)  # the broken release is refused
@pytest.mark.parametrize("app, refused_at, hint", [
    ("broken-import", "import yourapplication:app", "the live release was not touched"),
    # its post_deploy ran before the health preflight (a release's health may need what post_deploy migrates)
    ("broken-health", "GET /health in-process", "the live release still serves, but post_deploy already ran"),
])
def test_health_gate_refuses_broken_release_while_old_one_serves(lab, app, refused_at, hint):
    old = lab.deploy("yourapplication-v2").release_id
    before = lab.releases()
    with health_load(lab) as load, pytest.raises(DeployError) as info:
        lab.deploy(app)
    message = one_line(info.value)
    assert f"failed its preflight ({refused_at})" in message and f"Hint: {hint}" in message, message
    assert load.samples and not load.failures() and load.releases() == [old], load.summary()
    log = lab.sudo(f"tail -n 1 {lab.config().root}/releases/failed.log")
    assert f'"version": "{lab.artifact(app).version}"' in log, log
    failed_id = log.split('"release": "')[1].split('"')[0]
    assert failed_id not in lab.releases() and lab.releases() == before, \
        f"the refused release {failed_id} was not cleaned up: {lab.releases()} (before: {before})"
    assert lab.live() == old


# ---------------------------------------------------------------- 4. interrupted deploys

class Interrupted:
    """A deploy (own connection) told to pause at ``point``; ``.pid`` of its agent once paused there."""

    def __init__(self, lab, name: str, point: str):
        self.lab, self.point, self.conn = lab, point, lab.login()
        self.paused, self.pid, self.error = threading.Event(), None, None
        art, cfg = lab.artifact(name), lab.config()
        # sent before the artifact, as deploy does
        config = cfg.config_for(self.conn.host, self.conn.port, getattr(self.conn, "name", ""))
        config = config.read_bytes() if config else None
        args = deploy_args(cfg, art, now=dt.datetime.now(dt.UTC), lock_timeout=10, gate_timeout=10,
                           config_size=None if config is None else len(config))
        self.release_id = args.release_id
        args = args.replace(pause_at=point, pause_seconds=30)
        payload = (config or b"", art.path.read_bytes())
        self.thread = threading.Thread(target=self._run, args=(args, payload), daemon=True)

    def _run(self, args, payload):
        try:
            call_agent(self.conn, "deploy", args, payload=payload, step="deploy", progress=self._progress)
        except Exception as exc:  # noqa: BLE001 - expected: the agent is killed or its connection cut
            self.error = exc

    def _progress(self, host, step, seconds, message):
        if step == f"paused:{self.point}":
            self.pid = int(message.split("=")[1])
            self.paused.set()

    def __enter__(self):
        self.thread.start()
        assert self.paused.wait(30), f"the deploy never reached {self.point} (error: {self.error})"
        return self

    def __exit__(self, *exc):
        self.thread.join(20)
        self.conn.close()

    def agent_alive(self) -> bool:
        return self.lab.admin.run(f"sudo -n kill -0 {self.pid}", hide=True, warn=True).ok


@longer(1)  # the interrupted deploy (a login of its own, its agent paused, then killed or cut off), all under load
@pytest.mark.parametrize("point, how", [("upload", "kill"), ("install", "kill"), ("reload", "kill"),
                                        ("upload", "disconnect"), ("reload", "disconnect")])
def test_interrupted_deploy_keeps_serving_and_next_deploy_recovers(lab, point, how):
    needs_container(lab, "kills the agent process")
    old = lab.deploy("yourapplication").release_id
    root = lab.config().root
    with health_load(lab) as load:
        with Interrupted(lab, "yourapplication-v2", point) as run:
            holder = lab.sudo(f"cat {root}/.deploy.lock")
            assert f"pid={run.pid} " in holder, holder
            if how == "kill":
                lab.sudo(f"kill -9 {run.pid}")
            else:
                run.conn.close()
            wait_until(lambda: not run.agent_alive(), what=f"the agent (pid {run.pid}) to end", timeout=10,
                       interval=0.05)
        assert run.error is not None, "the interrupted deploy reported success"
        during = lab.serving()
        # a dead holder holds nothing: the lock is free at once for the deploy user, though its line still names it
        assert lab.deployer().run(f"flock -n {root}/.deploy.lock true", hide=True, warn=True).ok
        leftovers = sorted(set(lab.releases()) - {r.id for r in lab.status().releases})
        steps: list[str] = []
        said: dict[str, str] = {}
        again = lab.deploy("yourapplication-v2", lock_timeout=5,
                           progress=lambda h, step, t, m: (steps.append(step), said.setdefault(step, m)))
        answers(load, 5, "after the recovery")
    lab.say(f"interrupted at {point} ({how}): {type(run.error).__name__}; recovery deploy {again.seconds:.2f}s, "
          f"recovered {again.recovered}; {load.summary()}")
    assert during == old, f"after the interruption the site served {during}, expected the old release {old}"
    assert not load.failures(), load.summary()
    assert set(load.releases()) <= {old, again.release_id} and load.releases()[-1] == again.release_id, \
        load.summary()
    assert again.changed and lab.serving() == again.release_id
    assert steps[0] == "lock" and "lock_wait" not in steps, steps  # the interrupted deploy's lock was free at once
    if point == "upload":  # the first MiB arrived before the cut: the same artifact's next upload continues there
        assert said["upload"].endswith(f"resumed at {1 << 20}"), said["upload"]
    if point == "reload":  # complete and current, but never reloaded nor gated: the same deploy again finishes it
        assert leftovers == [] and (again.release_id, again.previous) == (run.release_id, old)
    else:  # killed: the next deploy removes the half-built release; cut off: the agent's failed write ends it
        # and it removes the release itself (an OSError while building is a refused release)
        assert leftovers == ([run.release_id] if how == "kill" else []), leftovers
        assert again.recovered == leftovers and again.previous == old
    assert all(r in [x.id for x in lab.status().releases] for r in lab.releases()), "incomplete release left"


# ---------------------------------------------------------------- 5. concurrent deploys

@several_daemons  # after both deploys every daemon serves the later one
@switches(2)
@longer(1)  # the later deploy waits on the lock for the earlier one's gate
def test_concurrent_deploys_are_serialized_never_interleaved(lab, tmp_path):
    lab.artifact("yourapplication-v21", example_release(tmp_path, "2.1"))
    old = lab.deploy("yourapplication").release_id
    events, results, errors = [], {}, {}
    start = threading.Barrier(2)

    def run(name, c):  # each deploy on a connection of its own: the lab's, and a second login
        c.open()
        start.wait(10)
        try:
            results[name] = pipeline.deploy(c, lab.config(), lab.artifact(name), lock_timeout=60, progress=lambda
                                            h, step, s, m: events.append((time.monotonic(), name, step)))
        except DeployTestsError as exc:
            errors[name] = exc

    other = lab.login()
    threads = [threading.Thread(target=run, args=(n, c)) for n, c in (("yourapplication-v2", lab.deployer()),
                                                                        ("yourapplication-v21", other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    other.close()
    assert not errors, errors
    first, second = sorted(results, key=lambda n: next(t for t, who, s in events if who == n and s == "upload"))
    steps = lambda name: [s for _, who, s in events if who == name]  # noqa: E731
    done_first = max(t for t, who, _ in events if who == first)
    began_second = min(t for t, who, s in events if who == second and s == "upload")
    assert began_second >= done_first, f"interleaved: {events}"
    assert "lock_wait" in steps(second) and "lock_wait" not in steps(first), events
    assert results[first].previous == old and results[second].previous == results[first].release_id
    # apart, so a failure says which side differs: `current` (the deploy lock and release order) or what the site
    # serves right after the later deploy's gate (every mod_wsgi daemon process reloaded)
    assert lab.live() == results[second].release_id, f"current names {lab.live()}, not the later deploy's release"
    assert lab.serving() == results[second].release_id, "the site serves another release than the later deploy's"
    assert {results[first].release_id, results[second].release_id} <= set(lab.releases())


# ---------------------------------------------------------------- 6. idempotence

@starts_with("yourapplication-v2")  # docker target: v2 deployed once already, in the snapshot
@switches(0)
def test_bootstrap_and_deploy_twice_change_nothing(lab):
    lab.deploy("yourapplication-v2")
    before = lab.fingerprint()
    again = lab.bootstrap()
    same = lab.deploy("yourapplication-v2")
    after = lab.fingerprint()
    assert (again.changed, again.changes) == (False, [])
    assert (same.changed, same.release_id) == (False, lab.live())
    assert after == before, fingerprint_diff(before, after)
    lab.say(f"idempotence: {count(len(before), 'fingerprint line')} equal; bootstrap {again.seconds:.2f}s, "
          f"no-op deploy {same.seconds:.2f}s")


# ---------------------------------------------------------------- 7. upgrade path

def test_upgrade_keeps_shared_data_and_config(lab):
    cfg = lab.config()
    lab.deploy("yourapplication")
    for _ in range(3):
        last = lab.get("/")
    visits = int(last.text.rsplit("visits:", 1)[1])
    data_file = f"{cfg.root}/shared/data/visits"
    keep = f"sha256sum {data_file} {cfg.remote_config_path}"
    kept = lab.sudo(keep)
    v2 = lab.deploy("yourapplication-v2")
    assert lab.sudo(keep) == kept, "the shared data or the config changed with the upgrade"
    page = lab.get("/")
    assert page.headers["X-Deploy-Release"] == v2.release_id
    assert f"yourapplication 2.0 (config: {_config_name(lab)}) visits: {visits + 1}" in page.text, page.text
    assert lab.sudo(f"readlink {cfg.root}/current/data").strip() == f"{cfg.root}/shared/data"


def _config_name(lab) -> str:
    path = lab.config().config_file
    line = next((ln for ln in path.read_text().splitlines() if ln.startswith("CONFIG_NAME")), "= 'defaults'")
    return line.split("=", 1)[1].strip().strip("'\"")


# ---------------------------------------------------------------- 8. host key changed

@switches(0)  # refused at the login
@longer(1)  # a second pytest (its start, collection, the stop)
def test_changed_host_key_stops_the_run_and_nothing_is_deployed(lab, tmp_path):
    needs_container(lab, "rotates the server's host key")
    lab.deploy("yourapplication")
    before = lab.fingerprint()
    key = "/etc/ssh/ssh_host_ed25519_key"
    lab.sudo(f"mv {key} {key}.dt-old && mv {key}.pub {key}.pub.dt-old && ssh-keygen -q -t ed25519 -N '' -f {key}")
    reload_sshd(lab, f"{key}.pub")
    try:
        with pytest.raises(HostKeyError) as info:  # a new login (the lab's own one predates the change)
            lab.deploy("yourapplication-v2", c=lab.login())
        assert "host key CHANGED" in one_line(info.value)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider", "-q", "--deploytests-target", "lab",
             "--deploytests-targets-file", str(_inventory(lab, tmp_path)),
             "--deploytests-app", str(lab.config().project_dir)],
            capture_output=True, text=True, timeout=120, cwd=tmp_path, env=plugin_env())
    finally:
        lab.sudo(f"mv {key}.dt-old {key} && mv {key}.pub.dt-old {key}.pub")
        reload_sshd(lab, f"{key}.pub")
    stops = [ln for ln in result.stdout.splitlines() if "host key CHANGED" in ln]
    assert result.returncode == pytest.ExitCode.USAGE_ERROR and len(stops) == 1, result.stdout[-2000:]
    assert f"deploytests: {_label(lab)}: host key CHANGED: server offered" in stops[0], stops[0]
    assert lab.fingerprint() == before, fingerprint_diff(before, lab.fingerprint())


def plugin_env() -> dict[str, str]:
    """This process's environment for a child pytest that must load the plugin from its entry point (a run with
    ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 -p deploytests.plugin``, as the bench's, would hand it a pytest without it)."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}


def offered_host_key(server) -> str:
    """The host key (base64) the server's sshd offers right now: one bare SSH handshake, no login."""
    import paramiko

    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        transport = paramiko.Transport(sock)
        try:
            transport.start_client(timeout=5)
            return transport.get_remote_server_key().get_base64()
        finally:
            transport.close()


def reload_sshd(lab, pub: str) -> None:
    """Make sshd use the host key now in ``pub``, and wait until it offers it. Since OpenSSH 9.8 (Debian 13)
    the listener loads host keys once and hands them to each session; SIGHUP re-executes it, which re-reads
    them, and only the re-executed listener offers the new key. An older sshd re-reads them per connection: it
    offers the new key at once and is not re-executed (a wait that the old listener already satisfies would end
    before the re-exec, whose moment without a listener then refuses the next login)."""
    want = lab.sudo(f"cat {pub}").split()[1]
    if offered_host_key(lab.server) == want:  # an older sshd reads it per connection: no re-exec, whose moment
        return  # without a listener refused the next login (seen on a remote engine: 'connection refused')
    lab.sudo("kill -HUP $(cat /run/sshd.pid)")
    wait_until(lambda: offered_host_key(lab.server) == want, what=f"sshd to offer the host key in {pub}",
               where=lab.server.label, timeout=15, interval=0.05)


def _label(lab) -> str:
    return f"ssh://{lab.server.user}@{lab.server.host}:{lab.server.port}"


def _inventory(lab, tmp_path: Path) -> Path:
    s = lab.server
    path = tmp_path / "targets.toml"
    path.write_text(f'[targets.lab]\nhosts = ["{s.user}@{s.host}:{s.port}"]\nidentity_file = "{s.key_filename}"\n'
                    f'known_hosts = "{s.known_hosts}"\nbase_url = "{s.base_url}"\ndeploy = true\n')
    return path


# ---------------------------------------------------------------- 9. least privilege

def test_deploy_user_without_sudo_deploys_and_nothing_runs_as_root(lab):
    needs_container(lab, "logs in as 'deployer', a user without sudo")
    cfg, c = lab.config(), lab.deployer()  # the lab's own deploy-user login (no second one)
    refused = c.run("sudo -n true", hide=True, warn=True)
    assert refused.failed, f"{lab.deploy_user} may sudo; this test needs a login without sudo"
    lines = []
    result = pipeline.deploy(c, cfg, lab.artifact("yourapplication-v2"),
                             progress=lambda *a: lines.append(" ".join(map(str, a))))
    host = host_for(lab.server)
    owner = lab.sudo(f"stat -c %U {cfg.root}/releases/{result.release_id}").strip()
    assert owner == lab.deploy_user == "deployer"
    daemons = wsgi_daemons(host, cfg.app, lab.stack)
    assert daemons and {user for user, _ in daemons} == {cfg.app_user}, daemons
    assert lab.sudo(f"stat -c '%a %U:%G' {cfg.remote_config_path}").split() == ["640", f"deployer:{cfg.app_user}"]
    world = lab.admin.run(f"sudo -n -u nobody cat {cfg.remote_config_path}", hide=True, warn=True)
    assert world.failed, "the config is readable by other users"
    secrets = secrets_of(cfg.config_file).keyed
    assert secrets, f"no secret values found in {cfg.config_file} to look for"
    logs = lab.sudo(f"cat {lab.stack.apache.log_dir}/*.log")
    for where, text in {"deploy progress": "\n".join(lines), "deploy result": repr(result),
                        "Apache logs": logs, "failed.log": lab.sudo(f"cat {cfg.root}/releases/failed.log || true"),
                        "served pages": lab.get("/").text + lab.get(cfg.health_path).text}.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"a config secret ({len(leaked[0])} chars) appears in the {where}"
