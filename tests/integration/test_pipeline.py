"""The deploy pipeline against real containers, on both server images.

One container per image (module scope), shared by the tests like an operator's server: bootstrap twice, deploy
v1, deploy v2, no-op redeploy, rollback, broken releases refused while v1 serves, concurrent deploys, the
pyproject app beside it. No test relies on another having run: each one first makes the state it starts from
(``live``: deploying a release that is already live changes nothing), so ``-k`` and ``-n`` pick any of them.
Deploys log in as ``deployer``, a user WITHOUT sudo: bootstrap (as ``appuser``, with sudo) makes it the deploy
user, so every deploy here proves the sudo-less path.
"""

from __future__ import annotations

import shlex
import shutil
import threading
import time
from dataclasses import replace

import pytest
import requests

from deploytests import pipeline
from deploytests.config import load_config
from deploytests.containers import Fleet
from deploytests.errors import DeployError, HostsFailed
from deploytests.examples import APPS

pytestmark = pytest.mark.integration

SECRET = "s3cr3t-do-not-print"


def config(name: str):
    return replace(load_config(APPS / name), deploy_user="deployer")


@pytest.fixture(scope="module")
def artifacts():
    """Every fixture app packed once (third-party wheels from the shared cache)."""
    return {name: pipeline.pack(APPS / name, config(name)) for name in
            ("yourapplication", "yourapplication-v2", "broken-import", "broken-health", "pyproject-app")}


IMAGES = ["debian-apache-wsgi", "debian-bare"]


@pytest.fixture(scope="module", params=IMAGES)
def box(request):
    """One container of the image, named ``box`` (the plugin owns the name ``server``)."""
    with Fleet(count=1, image=request.param, progress=lambda m: None) as fleet:
        yield fleet.servers[0]


@pytest.fixture(params=IMAGES)
def fresh_box(request):
    """A container of its own, for what only a server never bootstrapped shows."""
    with Fleet(count=1, image=request.param, progress=lambda m: None) as fleet:
        yield fleet.servers[0]


@pytest.fixture(scope="module")
def bootstrapped(box):
    """``box`` bootstrapped for the example app (bootstrap is idempotent: once per module is enough)."""
    pipeline.bootstrap(box.connection(), config("yourapplication"))
    return box


@pytest.fixture
def deployer(bootstrapped):
    c = bootstrapped.new_connection(user="deployer")
    yield c
    c.close()


def live(deployer, artifacts, name: str) -> str:
    """Make example release ``name`` live (nothing happens when it already is); its release id."""
    return pipeline.deploy(deployer, config("yourapplication"), artifacts[name]).release_id


def get(box, path="/", host="localhost"):
    return requests.get(box.base_url + path, headers={"Host": host}, timeout=10)


def apache_parent_pid(box) -> str:
    return box.connection().sudo("cat /var/run/apache2/apache2.pid", hide=True).stdout.strip()


class Poller:
    """Requests ``/`` from the runner in a thread while a deploy runs; records (status, release id)."""

    def __init__(self, box):
        self.box, self.seen, self.stop, self.changed = box, [], threading.Event(), threading.Condition()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.slow = 0  # answers that took longer than get()'s 10 s (a loaded runner): no answer, not a wrong one

    def run(self):
        while not self.stop.is_set() and len(self.seen) < 2000:
            try:
                r = get(self.box)
            except requests.exceptions.Timeout:
                self.slow += 1
                continue
            except requests.exceptions.ConnectionError as exc:  # refused or reset: the site was down
                self.seen.append((0, type(exc).__name__))
                continue
            self.seen.append((r.status_code, r.headers.get("X-Deploy-Release")))
            with self.changed:
                self.changed.notify_all()
            self.stop.wait(0.02)

    def wait_for(self, release_id: str, timeout: float = 10) -> bool:
        """Until the poller has seen ``release_id`` answer (bounded)."""
        with self.changed:
            return self.changed.wait_for(lambda: (200, release_id) in self.seen, timeout)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(15)


def test_bootstrap_twice_second_reports_no_change(fresh_box):
    box, cfg = fresh_box, config("yourapplication")
    first = pipeline.bootstrap(box.connection(), cfg)
    assert first.changed and "apache site enabled: yourapplication" in first.changes
    assert not any("application.cfg" in c or SECRET in c for c in first.changes)  # bootstrap never sees the config
    second = pipeline.bootstrap(box.connection(), cfg)
    assert (second.changed, second.changes) == (False, [])
    assert second.python_version == "3.11" and second.machine


def test_deploy_v1_answers_from_the_runner_with_its_release_id(fresh_box, artifacts):
    box = fresh_box
    pipeline.bootstrap(box.connection(), config("yourapplication"))
    deployer, lines = box.new_connection(user="deployer"), []
    try:
        result = pipeline.deploy(deployer, config("yourapplication"), artifacts["yourapplication"],
                                 progress=lambda *a: lines.append(a))
    finally:
        deployer.close()
    assert result.changed and result.version == "1.0" and result.previous is None
    r = get(box)
    assert r.status_code == 200, r.text
    assert r.headers["X-Deploy-Release"] == result.release_id
    assert "yourapplication 1.0 (config: docker)" in r.text and SECRET not in r.text
    # the first deploy installs the config the release starts with (bootstrap's is the same: unchanged on disk)
    assert [step for _, step, _, _ in lines][:3] == ["lock", "config", "upload"] and lines[-1][1] == "prune"
    print(f"\ndeploy v1 on {box.label}: {result.seconds:.2f}s {result.timings}")


def test_deploy_v2_serves_without_restarting_apache(box, deployer, artifacts):
    v1 = live(deployer, artifacts, "yourapplication")
    parent = apache_parent_pid(box)
    with Poller(box) as poller:
        result = pipeline.deploy(deployer, config("yourapplication"), artifacts["yourapplication-v2"])
        assert poller.wait_for(result.release_id), f"the poller never saw {result.release_id}: {poller.seen[-5:]}"
    assert {status for status, _ in poller.seen} == {200}  # no request failed while the daemon restarted
    assert {rid for _, rid in poller.seen} == {v1, result.release_id}
    assert result.previous == v1 and result.version == "2.0"
    r = get(box)
    assert (r.status_code, r.headers["X-Deploy-Release"]) == (200, result.release_id)
    assert "yourapplication 2.0" in r.text
    assert apache_parent_pid(box) == parent
    print(f"\ndeploy v2 on {box.label}: {result.seconds:.2f}s {result.timings}")


def test_bad_vhost_is_refused_by_configtest_and_the_site_keeps_serving(box, deployer, artifacts, monkeypatch):
    from deploytests.pipeline import templates
    cfg, serving = config("yourapplication"), live(deployer, artifacts, "yourapplication-v2")
    monkeypatch.setattr(templates, "vhost", lambda cfg, **kw: "<VirtualHost *:80>\n    NoSuchDirective on\n")
    with pytest.raises(DeployError, match=r"bootstrap failed at apache: apache2ctl configtest failed: .*"
                                          r"Hint: Apache was not reloaded") as info:
        pipeline.bootstrap(box.connection(), cfg)
    assert "<VirtualHost> was not closed" in info.value.detail
    assert get(box).headers["X-Deploy-Release"] == serving
    monkeypatch.undo()
    assert pipeline.bootstrap(box.connection(), cfg).changes == []  # the previous vhost is back, byte for byte


def test_redeploying_the_live_artifact_changes_nothing(box, deployer, artifacts):
    v2 = live(deployer, artifacts, "yourapplication-v2")
    before = pipeline.status(deployer, config("yourapplication")).releases
    result = pipeline.deploy(deployer, config("yourapplication"), artifacts["yourapplication-v2"])
    assert (result.changed, result.release_id) == (False, v2)
    assert pipeline.status(deployer, config("yourapplication")).releases == before


def test_rollback_serves_v1_again(box, deployer, artifacts):
    v1 = live(deployer, artifacts, "yourapplication")
    v2 = live(deployer, artifacts, "yourapplication-v2")
    result = pipeline.rollback(deployer, config("yourapplication"))
    assert (result.changed, result.release_id, result.previous) == (True, v1, v2)
    r = get(box)
    assert r.headers["X-Deploy-Release"] == v1 and "yourapplication 1.0" in r.text
    st = pipeline.status(deployer, config("yourapplication"))
    assert st.live == v1 and st.live_version == "1.0"


@pytest.mark.parametrize("app, refused_at", [("broken-import", "preflight (import"),
                                             ("broken-health", "preflight (GET /health")])
def test_broken_release_is_refused_while_v1_serves_throughout(box, deployer, artifacts, app, refused_at):
    v1 = live(deployer, artifacts, "yourapplication")
    with Poller(box) as poller, pytest.raises(DeployError) as info:
        pipeline.deploy(deployer, config(app), artifacts[app])
    assert refused_at in str(info.value) and str(info.value).startswith(box.label)
    assert poller.seen and set(poller.seen) == {(200, v1)}
    assert pipeline.status(deployer, config("yourapplication")).live == v1
    log = deployer.run("cat /var/www/yourapplication/releases/failed.log", hide=True).stdout
    assert artifacts[app].version in log


def test_gate_failure_after_switch_switches_back_and_reports_apache_log(box, deployer, artifacts):
    """Without the preflight the broken-health release goes live; the HTTP gate must catch it and undo."""
    v1 = live(deployer, artifacts, "yourapplication")
    before = pipeline.status(deployer, config("yourapplication")).releases
    with pytest.raises(DeployError) as info:
        pipeline.deploy(deployer, config("broken-health"), artifacts["broken-health"], preflight=False,
                        gate_timeout=15)  # the 500 is seen well within it, even on a loaded runner
    message = str(info.value)
    assert "health gate failed" in message and "HTTP 500" in message
    assert f"switched back to {v1} (serving)" in message
    assert "error.log" in info.value.detail
    r = get(box)
    assert (r.status_code, r.headers["X-Deploy-Release"]) == (200, v1)
    assert pipeline.status(deployer, config("yourapplication")).releases == before  # the refused one removed


def test_a_rollback_target_that_fails_to_load_is_refused_before_its_switch(box, deployer, artifacts):
    """A kept release whose sources were deleted after its deploy ("shrunk" to its bytecode, which Python never
    imports without them) went live by a rollback and failed while the daemons loaded application.wsgi (mod_wsgi
    runs a failed load again in the same interpreter, whose sys.path still held the refused release: the switch
    back left the site at 500, fixed then). A rollback now imports its target first, as the deploy's release
    check does: refused at import, never switched, the live release serving throughout."""
    live(deployer, artifacts, "yourapplication")
    v2 = live(deployer, artifacts, "yourapplication-v2")
    others = "find /var/www/yourapplication/releases -mindepth 1 -maxdepth 1 -type d ! -name " + v2
    script = others + " -exec find {} -name '*.py' -delete ';'"  # every release a rollback may switch to
    box.connection().run(("" if box.user == "root" else "sudo -n ") + "sh -ec " + shlex.quote(script), hide=True)
    try:
        with pytest.raises(DeployError) as info:
            pipeline.rollback(deployer, config("yourapplication"), gate_timeout=15)
        message = str(info.value)
        assert "rollback failed at import: the release to roll back to (" in message and "failed its preflight " \
            "(import yourapplication:app)" in message and "the live release was not touched" in message, message
        r = get(box)
        assert (r.status_code, r.headers["X-Deploy-Release"]) == (200, v2)
    finally:  # the damaged release is no rollback target for the tests after this one
        deployer.run(others + " -exec rm -rf {} +", hide=True)


SLOW_LOAD = """
import sys as _sys, time as _time
if _sys.argv[:1] == ["mod_wsgi"] or "mod_wsgi" in _sys.modules:  # the daemons' load only, not the release check
    _time.sleep(4)
"""


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """Release 3.0 of the example app, whose import takes 4 s in a mod_wsgi daemon (a big app's load)."""
    src = tmp_path_factory.mktemp("slow") / "yourapplication"
    shutil.copytree(APPS / "yourapplication-v2", src, symlinks=False)
    (src / "VERSION").write_text("3.0\n")
    init = src / "yourapplication" / "__init__.py"
    head, sep, rest = init.read_text().partition('"""\n\n')
    init.write_text(head + sep + SLOW_LOAD.lstrip() + rest)
    return pipeline.pack(src, config("yourapplication"))


def test_a_switch_made_while_the_daemons_load_the_old_release_takes_effect(box, deployer, artifacts, slow):
    """Class: a reload signal taken in while the daemons load (a lost reload). mod_wsgi preloads application.wsgi
    when a daemon starts and takes the file's mtime after the load: a rollback's switch and touch made while the
    daemons (restarted by Apache) still import the release ``current`` named before were that load's own, and the
    daemons served the release rolled back from until the gate refused the rollback. The gate touches again."""
    v1 = live(deployer, artifacts, "yourapplication")
    v3 = pipeline.deploy(deployer, config("yourapplication"), slow).release_id
    try:
        box.connection().run(("" if box.user == "root" else "sudo -n ") + "/usr/sbin/apache2ctl graceful", hide=True)
        time.sleep(1.5)  # the daemons are importing v3 (4 s)
        result = pipeline.rollback(deployer, config("yourapplication"), gate_timeout=20)
        assert (result.release_id, result.previous) == (v1, v3)
        answers = {get(box).headers["X-Deploy-Release"] for _ in range(12)}
        assert answers == {v1}, answers
    finally:  # no rollback target that loads slowly for the tests after this one
        live(deployer, artifacts, "yourapplication")
        deployer.run(f"rm -rf /var/www/yourapplication/releases/{v3}", hide=True)


def test_second_deploy_waits_for_the_first_or_fails_clearly(box, deployer, artifacts):
    """While a deploy holds the lock (it is uploading: the lock is taken before and kept to the end), an
    impatient deploy fails naming the holder, and a patient one waits, then deploys after it."""
    live(deployer, artifacts, "yourapplication")  # so that the first deploy (v2) uploads
    cfg, results, errors = config("yourapplication"), {}, {}
    waits, uploading = [], threading.Event()
    conns = {name: box.new_connection(user="deployer") for name in ("first", "impatient", "patient")}

    def progress(name):
        def note(host, step, seconds, message):
            waits.append((name, step))
            if name == "first" and step == "upload":
                uploading.set()
        return note

    def run(name, artifact, **kw):
        try:
            results[name] = pipeline.deploy(conns[name], cfg, artifact, progress=progress(name), **kw)
        except DeployError as exc:
            errors[name] = exc

    first = threading.Thread(target=run, args=("first", artifacts["yourapplication-v2"]))
    first.start()
    try:
        assert uploading.wait(30), f"the first deploy never reached its upload: {waits}"
        run("impatient", artifacts["yourapplication"], lock_timeout=0.2)
        run("patient", artifacts["yourapplication"], lock_timeout=60)
        first.join(60)
    finally:
        for c in conns.values():
            c.close()
    assert "another deploy holds" in str(errors["impatient"]) and "release=" in str(errors["impatient"])
    assert ("patient", "lock_wait") in waits and "first" not in errors
    assert results["patient"].previous == results["first"].release_id
    assert get(box).headers["X-Deploy-Release"] == results["patient"].release_id


def test_killed_deploy_frees_the_lock_and_its_leftovers_are_recovered(box, deployer, artifacts):
    """kill -9 the agent mid-deploy: the kernel drops its flock; the next deploy removes the half-built release."""
    live(deployer, artifacts, "yourapplication")  # so that the doomed deploy (v2) uploads
    cfg, outcome, uploaded = config("yourapplication"), {}, threading.Event()

    def doomed():
        c = box.new_connection(user="deployer")
        try:
            pipeline.deploy(c, cfg, artifacts["yourapplication-v2"],
                            progress=lambda h, step, t, m: step == "upload" and uploaded.set())
        except Exception as exc:  # noqa: BLE001 - expected: the agent dies
            outcome["error"] = exc
        finally:
            c.close()

    listing = lambda: set(deployer.run("ls /var/www/yourapplication/releases", hide=True).stdout.split())  # noqa: E731
    before = listing()
    thread = threading.Thread(target=doomed)
    thread.start()
    assert uploaded.wait(30)
    holder = deployer.run("cat /var/www/yourapplication/.deploy.lock", hide=True).stdout
    pid = int(holder.split("pid=")[1].split()[0])
    box.connection().sudo(f"kill -9 {pid}", hide=True)
    thread.join(30)
    assert "the agent did not finish" in str(outcome["error"])
    half_built = listing() - before
    assert len(half_built) == 1
    steps = []
    result = pipeline.deploy(deployer, cfg, artifacts["yourapplication-v2"], lock_timeout=5,
                             progress=lambda h, step, t, m: steps.append(step))
    assert sorted(half_built) == result.recovered
    assert steps[0] == "lock" and "lock_wait" not in steps  # the dead holder's lock was free at once
    assert get(box).headers["X-Deploy-Release"] == result.release_id


def test_old_releases_are_pruned_to_keep_releases(box, deployer, artifacts):
    cfg = config("yourapplication")  # keep_releases = 3
    for name in ("yourapplication-v2", "yourapplication", "yourapplication-v2"):
        last = pipeline.deploy(deployer, cfg, artifacts[name])
    st = pipeline.status(deployer, cfg)
    assert len(st.releases) == 3 and st.live == last.release_id
    assert last.previous in [r.id for r in st.releases]


def test_pyproject_app_with_a_factory_deploys_beside_it(box, deployer, artifacts):
    live(deployer, artifacts, "yourapplication")
    cfg = config("pyproject-app")
    assert pipeline.bootstrap(box.connection(), cfg).changed
    result = pipeline.deploy(deployer, cfg, artifacts["pyproject-app"])
    r = get(box, "/", host="pyprojectapp.localhost")
    assert (r.status_code, r.headers["X-Deploy-Release"]) == (200, result.release_id)
    assert "pyprojectapp 0.3.0 (config: docker)" in r.text
    assert "yourapplication" in get(box).text  # the first app still answers for its own name


def test_many_hosts_in_parallel_and_every_failure_named(artifacts):
    cfg = load_config(APPS / "yourapplication")  # deploy user = the bootstrap login (appuser)
    with Fleet(count=2, progress=lambda m: None) as fleet:
        lines = []
        progress = lambda *a: lines.append(a)  # noqa: E731
        pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.bootstrap(c, cfg), step="bootstrap")
        out = pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, artifacts["yourapplication"]),
                                    step="deploy", progress=progress)
        assert [o.host for o in out] == ["docker://web-1", "docker://web-2"] and all(o.ok for o in out)
        assert {(h, s) for h, s, _, _ in lines} == {("docker://web-1", "deploy"), ("docker://web-2", "deploy")}
        with pytest.raises(HostsFailed) as info:
            pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.rollback(c, cfg), step="rollback")
        assert [o.host for o in info.value.outcomes if not o.ok] == ["docker://web-1", "docker://web-2"]
        assert "rollback failed on 2 of 2 hosts" in str(info.value) and "no release older" in str(info.value)
        with pytest.raises(HostsFailed) as info:
            pipeline.run_on_hosts(fleet.servers, lambda c: pipeline.deploy(c, cfg, artifacts["broken-import"]),
                                  step="deploy", rolling=True)
        first, second = info.value.outcomes
        assert "preflight" in str(first.error) and "not attempted" in str(second.error)
