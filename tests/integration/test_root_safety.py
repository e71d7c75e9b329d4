"""Bootstrap runs as root: hostile deploy logins and careless configs must not turn it against the server.

One ``debian-bare`` container (sshd, sudo, python3 and two logins: ``appuser`` with passwordless sudo,
``deployer`` without sudo), used in file order like an operator would:

1. a held dpkg lock: bootstrap waits with a message, then stops with one clear line (not apt's ``exit 100``);
2. the whole built-in suite against the bare server (the plugin bootstraps it): green (issue 10, finding 6);
3. a link planted by ``deployer`` where bootstrap writes: refused, ``/etc/shadow`` unchanged (finding 1);
4. ``app_user = "root"`` / an existing system account / a failed bootstrap: no grant left behind (finding 2);
5. ``config_path`` outside the app's own trees: refused, the system file unchanged (finding 3);
6. six bootstraps at once: all succeed (finding 8).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from wholesuite import run_whole_suite

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.errors import DeployError
from deploytests.pipeline import templates
from deploytests.waiting import wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "deploytests" / "examples" / "apps" / "yourapplication"

HOLD_DPKG_LOCK = ("import fcntl, os, time\n"
                  "fd = os.open('/var/lib/dpkg/lock-frontend', os.O_RDWR | os.O_CREAT, 0o640)\n"
                  "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
                  "open('/tmp/dpkg-holder.pid', 'w').write(str(os.getpid()))\n"
                  "time.sleep(120)\n")
LOCK_IS_HELD = ("import fcntl, os, sys\n"
                "fd = os.open('/var/lib/dpkg/lock-frontend', os.O_RDWR)\n"
                "try:\n    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n    sys.exit(0)\n"
                "sys.exit(1)\n")


@pytest.fixture(scope="module")
def bare():
    with Fleet(count=1, image="debian-bare", name_prefix="bare", progress=lambda msg: None) as fleet:
        fleet.bare_container = fleet.containers[0]
        yield fleet.servers[0], fleet.containers[0]


def config(**changes):
    return replace(load_config(APP), deploy_user="deployer", **changes)


def sh(server, command: str, *, sudo: bool = True) -> str:
    c = server.connection()
    res = (c.sudo if sudo else c.run)(command, hide=True, warn=True, in_stream=False)
    return res.stdout.strip()


def fingerprint(server, path: str) -> str:
    return sh(server, f"stat -c '%a %U:%G %s' {path} && sha256sum {path}")


def one_line(exc: DeployError) -> str:
    return exc.render().splitlines()[0]


def test_held_dpkg_lock_waits_with_a_message_then_stops_clearly(bare):
    server, container = bare
    container.exec_run(["python3", "-c", HOLD_DPKG_LOCK], detach=True)
    wait_until(lambda: container.exec_run(["python3", "-c", LOCK_IS_HELD]).exit_code == 0,
               what="the dpkg lock to be held by the test's holder", timeout=20)
    seen = []
    try:
        with pytest.raises(DeployError) as info:
            pipeline.bootstrap(server.connection(), config(), dpkg_lock_timeout=2,
                               progress=lambda host, step, seconds, message: seen.append((step, message)))
    finally:
        container.exec_run(["sh", "-c", "kill $(cat /tmp/dpkg-holder.pid)"])
    line = one_line(info.value)
    assert "dpkg lock" in line and "gave up after 2s" in line, line
    assert "exit 100" not in line, line
    assert any(step == "dpkg_wait" and "waiting for the dpkg lock" in message for step, message in seen), seen


def test_bare_server_bootstrapped_passes_the_whole_suite(pytester, bare):
    server, _ = bare
    kh = pytester.path / "known_hosts"
    kh.write_text(Path(server.known_hosts).read_text())
    run_whole_suite(pytester, "bare", f"{server.user}@{server.host}:{server.port}", key=server.key_filename,
                    known_hosts="known_hosts", base_url=server.base_url)


def test_link_planted_by_the_deploy_user_is_never_followed(bare):
    server, _ = bare
    cfg = config()
    pipeline.bootstrap(server.connection(), cfg)
    shadow = fingerprint(server, "/etc/shadow")
    deployer = server.new_connection(user="deployer")
    try:
        deployer.run(f"ln -sf /etc/shadow {cfg.root}/.deploy.lock", hide=True)
        with pytest.raises(DeployError) as info:
            pipeline.bootstrap(server.connection(), cfg)
        assert fingerprint(server, "/etc/shadow") == shadow
        line = one_line(info.value)
        assert f"{cfg.root}/.deploy.lock" in line and "link" in line, line
        deployer.run(f"rm {cfg.root}/.deploy.lock", hide=True)
    finally:
        deployer.close()
    assert pipeline.bootstrap(server.connection(), cfg).changes  # the lock file is made again
    assert fingerprint(server, "/etc/shadow") == shadow


def grants(server, app: str) -> tuple[str, str]:
    return (sh(server, f"ls /etc/sudoers.d/ | grep -x deploytests-{app} || true"),
            sh(server, "id -nG deployer", sudo=False))


@pytest.mark.parametrize("app, app_user, refusal", [
    ("rootapp", "root", "app_user 'root'"),
    ("wwwapp", "www-data", "app_user 'www-data' is an existing system account"),
])
def test_app_user_root_or_a_system_account_is_refused_without_a_grant(bare, app, app_user, refusal):
    server, _ = bare
    with pytest.raises(DeployError) as info:
        pipeline.bootstrap(server.connection(), config(app=app, app_user=app_user))
    assert refusal in one_line(info.value), one_line(info.value)
    sudoers, groups = grants(server, app)
    assert sudoers == "" and app_user not in groups.split(), (sudoers, groups)


def test_failed_bootstrap_leaves_no_grant_behind(bare, monkeypatch):
    server, _ = bare
    monkeypatch.setattr(templates, "vhost", lambda cfg, **kw: "<VirtualHost *:80>\n    NoSuchDirective x\n")
    with pytest.raises(DeployError) as info:
        pipeline.bootstrap(server.connection(), config(app="failapp"))
    assert "configtest" in one_line(info.value)
    sudoers, groups = grants(server, "failapp")
    assert sudoers == "" and "failapp" not in groups.split(), (sudoers, groups)


def test_config_path_outside_the_apps_trees_is_refused_and_nothing_written(bare):
    server, _ = bare
    before = {p: fingerprint(server, p) for p in ("/etc/passwd", "/etc/shadow")}
    for path in ("/etc/otherapp/app.cfg", "/etc/ld.so.preload", "/etc//passwd", "/etc/./passwd",
                 "/var/www/yourapplication/../otherapp/shared/application.cfg",
                 "/var/www/yourapplication/releases/x.cfg"):
        with pytest.raises(DeployError) as info:
            pipeline.bootstrap(server.connection(), config(config_path=path))
        assert "config_path" in one_line(info.value) and path in one_line(info.value), one_line(info.value)
        assert sh(server, "ls /etc/ld.so.preload /etc/otherapp 2>&1 || true").count("No such file") == 2
        assert {p: fingerprint(server, p) for p in before} == before


def test_six_concurrent_bootstraps_all_succeed(bare):
    server, _ = bare
    cfg, errors = config(), []

    def one():
        c = server.new_connection()
        try:
            pipeline.bootstrap(c, cfg)
        except Exception as exc:  # noqa: BLE001 - collected and shown below
            errors.append(exc)
        finally:
            c.close()

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, [str(e) for e in errors]
