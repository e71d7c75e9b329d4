"""deploytests from a user's seat: the wheel installed into a fresh venv outside this repository, used from a new
project whose app is unlike the bundled example.

The project ("notes"): a ``create_app()`` factory, its config from ``NOTES_CONFIG``, a SQLite database in the
instance folder (kept across releases by ``shared_paths = ["instance"]``), a POST route, an ``init-db`` command,
its own tests under ``filterwarnings = ["error"]``. From that project, in order (one module, the tests share the
venv, the project and one pair of containers kept by the gate's ``--keep-containers``):

1. ``deploytests init`` writes the starter files and detects the factory;
2. the project's own unit tests pass with deploytests installed, without any deploytests output;
3. the gate: ``pytest --pyargs deploytests.suite tests/deploy`` on 2 containers (the built-in suite, the lifecycle
   scenarios deploying the examples shipped as package data, and the project's own test that POSTs);
4. ``fab -H a,b pack deploy`` on the kept containers (the line printed by ``--keep-containers``);
5. a config change the app then uses (``fab deploy`` uploads the changed config; the config lifecycle);
6. an upgrade (v2.0) that keeps the notes in the database;
7. ``fab -H a,b rollback``;
8. ``fab -H dead,a,b status``: every host answers in the same run, the dead one is named;

and a project with its own ``server``/``http``/``artifact`` fixtures in the same venv passes unchanged with no
deploytests output.

The venv holds what pip installs for deploytests and Flask, nothing more: a fresh Python 3.11 venv's setuptools
(65) cannot build a wheel without the ``wheel`` package, so packing the project needs pack's isolated build (its
build backend in a build environment of its own), and step 5 needs the config lifecycle (deploy uploads a changed
config).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import requests
from venvs import ROOT, Seat, ok, user_venv

pytestmark = pytest.mark.integration

# the team's project and a bystander project, as files: fixtures/projects/{notes,own-fixtures}
PROJECTS = ROOT / "fixtures" / "projects"

CONFIG = 'SECRET_KEY = "notes-secret-{n}"\nGREETING = "{greeting}"\n'


def ours(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith("deploytests") or "deploytests summary" in ln]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The wheel built from a copy of this repository, a fresh venv with it (outside the repo), the project."""
    base = tmp_path_factory.mktemp("own")
    venv, wheel = user_venv(base, "flask>=2.3")
    project = base / "notes"
    # the project as its team has it before deploytests: app, pyproject, unit tests (its deploy test comes later)
    shutil.copytree(PROJECTS / "notes", project, ignore=shutil.ignore_patterns("deploy", "__pycache__"))
    seat = Seat(venv)
    state = {"base": base, "venv": venv, "project": project, "wheel": wheel, "seat": seat}
    yield state
    seat.remove_kept()  # only the containers this module's gate kept
    if state.get("workdir"):
        shutil.rmtree(state["workdir"], ignore_errors=True)


def test_wheel_is_complete_and_installed_outside_the_repo(world):
    venv = world["venv"]
    assert not str(venv).startswith(str(ROOT))
    out = ok(world["seat"].run("python", "-c", "import deploytests, deploytests.examples as e, deploytests.tasks; "
                               "print(deploytests.__file__); print(sorted(p.name for p in e.APPS.iterdir()))",
                               cwd=world["base"]))
    location, apps = out.splitlines()
    assert location.startswith(str(venv)), location
    assert apps == str(["broken-health", "broken-import", "pyproject-app", "yourapplication", "yourapplication-v2"])


def test_init_writes_the_starter_files(world):
    project = world["project"]
    out = ok(world["seat"].run("deploytests", "init", cwd=project))
    assert "wrote   deploy.toml  (entry_point notes:create_app())" in out, out
    for rel in ("targets.toml", "fabfile.py", "tests/deploy/test_deploy.py"):
        assert f"wrote   {rel}" in out, out
    # the project configures pytest already: the keys are printed, the user adds them
    assert "kept    pyproject.toml: it configures pytest already" in out, out
    assert 'addopts = "--ignore=tests/deploy"' in out
    assert "wrote   config/deploy.cfg" in out and "config_file = 'config/deploy.cfg'" in out, out
    assert "post_deploy 'flask --app notes init-db' found but left commented out" in out, out
    assert "DROP TABLE" not in out, out  # notes' init-db creates its table if missing
    deploy_toml = (project / "deploy.toml").read_text()
    for line in ('entry_point    = "notes:create_app()"', 'config_env     = "NOTES_CONFIG"',
                 'config_file    = "config/deploy.cfg"', 'shared_paths   = ["instance"]',
                 '# post_deploy    = ["flask --app notes init-db"]'):
        assert line in deploy_toml, deploy_toml
    # what the user then does: the settings their servers get (in the config file init wrote), post_deploy
    # uncommented once they checked that init-db keeps the data, the ini keys, a deploy test of their own
    with open(project / "config" / "deploy.cfg", "a") as f:
        f.write(CONFIG.format(n=1, greeting="hello"))
    (project / "deploy.toml").write_text(deploy_toml.replace('# post_deploy    = ["flask --app notes init-db"]',
                                                             'post_deploy    = ["flask --app notes init-db"]  '))
    with open(project / "pyproject.toml", "a") as f:
        f.write('testpaths = ["tests"]\naddopts = "--ignore=tests/deploy"\n')
    shutil.copy(PROJECTS / "notes" / "tests" / "deploy" / "test_notes.py", project / "tests" / "deploy")


def test_own_unit_tests_pass_untouched_by_deploytests(world):
    result = world["seat"].run("pytest", "-W", "error", cwd=world["project"])
    out = ok(result)
    assert re.search(r"^=+ 2 passed", out, re.M), out
    assert not ours(out), out


def test_gate_on_containers_runs_the_suite_and_the_own_tests(world):
    result = world["seat"].run("pytest", "--pyargs", "deploytests.suite", "tests/deploy", "--keep-containers",
                 "-p", "no:cacheprovider", "-v", cwd=world["project"], timeout=900)
    out = result.stdout
    kept = re.findall(r"^docker://(web-\d): container ([0-9a-f]{12}), http (http://127\.0\.0\.1:\d+)$", out, re.M)
    ssh = re.findall(r"^docker://web-\d: ssh -i (\S+) -p (\d+) -o UserKnownHostsFile=(\S+) "
                     r"-o StrictHostKeyChecking=yes (\w+)@127\.0\.0\.1$", out, re.M)
    if ssh:
        world["workdir"] = Path(ssh[0][0]).parent
    ok(result)
    assert f"deploytests: app: {world['project']} (the project at the rootdir)" in out, out
    for web in ("web-1", "web-2"):
        assert f"tests/deploy/test_notes.py::test_post_a_note_then_read_it_back[docker://{web}] PASSED" in out, out
        assert f"tests/deploy/test_deploy.py::test_health_route_refuses_a_post[docker://{web}] PASSED" in out, out
    assert re.search(r"^=+ \d+ passed", out, re.M) and " failed" not in out.splitlines()[-1], out[-3000:]
    assert "test_lifecycle.py" in out and "SKIPPED" not in out, out[-3000:]  # every scenario ran
    assert len(kept) == 2 and len(ssh) == 2, out[-2000:]
    world["hosts"] = [{"host": f"{user}@127.0.0.1:{port}", "url": url} for (_, _, url), (_, port, _, user)
                      in zip(kept, ssh, strict=True)]
    world["env"] = {"DEPLOYTESTS_IDENTITY": ssh[0][0], "DEPLOYTESTS_KNOWN_HOSTS": ssh[0][2]}
    for host in world["hosts"]:
        assert requests.get(host["url"] + "/", timeout=10).text == "hello from notes 1.0\n"


def fab(world, *args):
    hosts = ",".join(h["host"] for h in world["hosts"])
    return world["seat"].run("fab", "-H", hosts, *args, cwd=world["project"], env=world["env"])


def served(world, path="/"):
    return [requests.get(h["url"] + path, timeout=10) for h in world["hosts"]]


@pytest.fixture
def kept(world):
    if not world.get("hosts"):
        pytest.fail("the gate kept no containers (see test_gate_on_containers_runs_the_suite_and_the_own_tests)")
    return world


def test_fab_pack_deploy_on_both_hosts(kept):
    out = ok(fab(kept, "pack", "deploy"))
    assert re.search(r"^\[runner\] pack +\d+\.\d\ds  notes-1\.0-", out, re.M), out
    for h in kept["hosts"]:
        assert re.search(rf"^\[{re.escape(h['host'])}\] (live: |no change: )\S+", out, re.M), out
    releases = {r.headers["X-Deploy-Release"] for r in served(kept)}
    assert len(releases) == 1, releases
    note = requests.post(kept["hosts"][0]["url"] + "/notes", data={"text": "kept across releases"}, timeout=10)
    assert note.status_code == 201, note.text


def test_config_change_is_deployed_and_used(kept):
    """Needs the config lifecycle (deploy uploads the target's config when it changed, the new release starts
    with it)."""
    project = kept["project"]
    (project / "config" / "deploy.cfg").write_text(CONFIG.format(n=2, greeting="bonjour"))
    out = ok(fab(kept, "deploy"))
    assert "notes-secret-2" not in out and "notes-secret-2" not in fab_status(kept)
    assert [r.text for r in served(kept)] == ["bonjour from notes 1.0\n"] * 2, out


def fab_status(world) -> str:
    return fab(world, "status").stdout


def test_upgrade_keeps_the_data(kept):
    project = kept["project"]
    (project / "pyproject.toml").write_text((project / "pyproject.toml").read_text()
                                            .replace('version = "1.0"', 'version = "2.0"'))
    out = ok(fab(kept, "pack", "deploy"))
    assert re.search(r"^\[runner\] pack +\d+\.\d\ds  notes-2\.0-", out, re.M), out
    assert all(r.text.endswith("from notes 2.0\n") for r in served(kept)), out
    texts = [n["text"] for n in requests.get(kept["hosts"][0]["url"] + "/notes", timeout=10).json()]
    assert "kept across releases" in texts and "written by the gate" in texts, texts


def test_rollback_on_both_hosts(kept):
    out = ok(fab(kept, "rollback"))
    for h in kept["hosts"]:
        assert re.search(rf"^\[{re.escape(h['host'])}\] live: \S+ \(1\.0\)", out, re.M), out
    assert all(r.text.endswith("from notes 1.0\n") for r in served(kept)), out
    texts = [n["text"] for n in requests.get(kept["hosts"][0]["url"] + "/notes", timeout=10).json()]
    assert "kept across releases" in texts, texts



def test_status_of_many_hosts_reports_every_host_in_one_run(kept, closed_port):
    """``fab -H dead,a,b status``: Fabric alone would stop at the first host; every host is reported."""
    dead = f"appuser@127.0.0.1:{closed_port}"
    hosts = ",".join([dead] + [h["host"] for h in kept["hosts"]])
    result = kept["seat"].run("fab", "-H", hosts, "status", cwd=kept["project"], env=kept["env"])
    assert result.returncode == 1, result.stdout + result.stderr
    for h in kept["hosts"]:
        lines = re.findall(rf"^\[{re.escape(h['host'])}\] ([* ]) \S+  (\d\.\d)", result.stdout, re.M)
        assert ("*", "1.0") in lines and (" ", "2.0") in lines, result.stdout
    error = [ln for ln in result.stderr.splitlines() if ln.startswith("fab status: ")]
    assert len(error) == 1 and f"status failed on 1 of 3 hosts: {dead} " in error[0], result.stderr
    assert re.search(rf"^\[{re.escape(dead)}\] status .* connection refused by", result.stdout, re.M), result.stdout


def test_a_project_with_its_own_server_http_artifact_fixtures_passes_unchanged(world):
    other = world["base"] / "other"
    shutil.copytree(PROJECTS / "own-fixtures", other, ignore=shutil.ignore_patterns("__pycache__"))
    out = ok(world["seat"].run("pytest", "-W", "error", "-v", cwd=other))
    assert "test_other.py::test_server PASSED" in out and re.search(r"^=+ 2 passed", out, re.M), out
    assert "docker://" not in out and not ours(out), out
