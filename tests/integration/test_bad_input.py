"""Bad input: each case ends with one error line, a non-zero exit, and no change on any server.

One server (a container of its own, v1 deployed; deploys log in as ``deployer``, without sudo) stands for "any
server": its tree fingerprint (paths, modes, owners, file hashes) and the release it serves are compared before
and after every case. The runs are real command lines in a subprocess: ``pytest --target ...`` against an
inventory naming that server, and ``fab -H ...``. The disk-full case gets a second container with a small
tmpfs over ``releases/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deploytests.containers import Fleet
from deploytests.errors import DeployError
from deploytests.suite.lab import APPS, Lab, example_release, fingerprint_diff

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "deploytests" / "suite"
LOCAL_FRAME = re.compile(r'^\s*File "/.*\.py", line \d+', re.M)  # a traceback of ours (remote app ones are fine)


@pytest.fixture(scope="module")
def lab():
    with Fleet(count=1, name_prefix="bad", progress=lambda msg: None) as fleet:
        box = Lab(fleet.servers[0], deploy_user="deployer")
        box.bootstrap()
        box.deploy("yourapplication")
        yield box


@pytest.fixture
def unchanged(lab):
    """Fail the test if the server's tree or the release it serves changed (a refused release is recorded
    in releases/failed.log, and the deploy login's upload cache holds the last artifact received, a refused one's
    too, so that a retry sends nothing: those are the changes allowed)."""
    before, serving = tree(lab), lab.serving()
    yield
    after = tree(lab)
    assert after == before, f"the server changed:\n{fingerprint_diff(before, after)}"
    assert lab.serving() == serving


def tree(lab) -> list[str]:
    return [line for line in lab.fingerprint() if "/releases/failed.log" not in line and "/.uploads/" not in line]


def inventory(lab, where: Path, **override) -> Path:
    s = lab.server
    keys = {"hosts": f'["{s.user}@{s.host}:{s.port}"]', "identity_file": f'"{s.key_filename}"',
            "known_hosts": f'"{s.known_hosts}"', "base_url": f'"{s.base_url}"', "deploy": "true",
            "destructive": "false"}
    keys.update(override)
    path = where / "targets.toml"
    path.write_text("[targets.lab]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()))
    return path


def run(where: Path, *argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=180, cwd=where,
                          env=dict(os.environ, **(env or {})))


def pytest_run(where: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run(where, sys.executable, "-m", "pytest", str(SUITE / "test_promises.py"), "-p", "no:cacheprovider", "-q",
               *args, env=env)


def error_line(result: subprocess.CompletedProcess, expected: str) -> str:
    """The one line carrying ``expected``; the run must have failed without a traceback."""
    __tracebackhide__ = True
    output = result.stdout + result.stderr
    hits = [line for line in output.splitlines() if expected in line]
    assert result.returncode != 0, f"exit 0:\n{output[-3000:]}"
    assert len(hits) == 1 and not LOCAL_FRAME.search(output), \
        f"expected one line with {expected!r} and no local traceback:\n{output[-3000:]}"
    return hits[0]


def bad_app(where: Path, **toml) -> Path:
    """The example app (version 2.9) with deploy.toml keys replaced (``None`` value: raw text appended)."""
    project = example_release(where, "2.9")
    text = (project / "deploy.toml").read_text()
    for key, value in toml.items():
        lines = [ln for ln in text.splitlines() if not ln.startswith(f"{key} =")]
        text = "\n".join(lines + [value if key == "raw" else f"{key} = {value}"]) + "\n"
    (project / "deploy.toml").write_text(text)
    return project



# ---------------------------------------------------------------- pytest --target ... (the plugin)

def test_unknown_target(lab, tmp_path, unchanged):
    result = pytest_run(tmp_path, "--target", "nope", "--targets-file", str(inventory(lab, tmp_path)))
    line = error_line(result, "unknown target 'nope'")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR and "lab" in line


@pytest.mark.parametrize("override, expected", [
    ({"deploy": "true\n[targets.broken"}, "not valid TOML"),
    ({"deploy": '"yes"'}, "key 'deploy' must be true or false"),
], ids=["syntax", "schema"])
def test_malformed_targets_toml(lab, tmp_path, unchanged, override, expected):
    result = pytest_run(tmp_path, "--target", "lab", "--targets-file", str(inventory(lab, tmp_path, **override)))
    assert "targets.toml:" in error_line(result, expected)


@pytest.mark.parametrize("toml, expected", [
    ({"raw": "app = "}, "not valid TOML"),
    ({"keep_releases": "1"}, "key 'keep_releases' must be an integer from 2 to 1000"),
    ({"config_file": '"missing.cfg"'}, "missing.cfg does not exist"),
], ids=["syntax", "schema", "missing-config-file"])
def test_malformed_deploy_toml(lab, tmp_path, unchanged, toml, expected):
    app = bad_app(tmp_path / "app", **toml)
    result = pytest_run(tmp_path, "--target", "lab", "--targets-file", str(inventory(lab, tmp_path)),
                        "--app", str(app))
    assert "deploy.toml" in error_line(result, expected)


def test_wrong_key(lab, tmp_path, unchanged):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    inv = inventory(lab, tmp_path, identity_file=f'"{tmp_path / "other"}"')
    result = pytest_run(tmp_path, "--target", "lab", "--targets-file", str(inv))
    assert "appuser" in error_line(result, "authentication failed")


def test_unreadable_key(lab, tmp_path, unchanged):
    (tmp_path / "garbage").write_text("this is not a private key\n")
    (tmp_path / "garbage").chmod(0o600)  # private like a key must be (a 0644 key is refused before it is read)
    inv = inventory(lab, tmp_path, identity_file=f'"{tmp_path / "garbage"}"')
    result = pytest_run(tmp_path, "--target", "lab", "--targets-file", str(inv))
    error_line(result, "not a valid OPENSSH private key file")


@pytest.mark.parametrize("host, expected", [
    ("appuser@unreachable.invalid", "cannot resolve the host name 'unreachable.invalid'"),
    ("appuser@127.0.0.1:{port}", "connection refused by 127.0.0.1:{port}")],
                         ids=["unreachable-host", "wrong-port"])
def test_unreachable(lab, tmp_path, unchanged, host, expected, closed_port):
    port = closed_port
    inv = inventory(lab, tmp_path, hosts=f'["{host.format(port=port)}"]')
    result = pytest_run(tmp_path, "--target", "lab", "--targets-file", str(inv))
    error_line(result, expected.format(port=port))


def test_docker_engine_down(lab, tmp_path, unchanged):
    result = pytest_run(tmp_path, "--app", str(APPS / "yourapplication"),
                        env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    error_line(result, "no Docker engine answers")


def test_target_without_the_right_skips_with_reason(lab, tmp_path, unchanged):
    result = run(tmp_path, sys.executable, "-m", "pytest", str(SUITE / "test_lifecycle.py"), "-p",
                 "no:cacheprovider", "-q", "-rs", "--target", "lab", "--targets-file", str(inventory(lab, tmp_path)))
    out = result.stdout
    assert result.returncode == 0 and " passed" not in out and " failed" not in out, out[-3000:]
    reason = "target 'lab' does not allow destructive tests (destructive = false in the targets file)"
    skipped = [line for line in out.splitlines() if line.startswith("SKIPPED") and reason in line]
    assert skipped and f"{sum(int(ln.split('[')[1].split(']')[0]) for ln in skipped)} skipped" in out, out[-3000:]


# ---------------------------------------------------------------- fab -H ... (the recipe's command line)

def fab(lab, where: Path, *tasks: str) -> subprocess.CompletedProcess:
    s = lab.server
    env = {"DEPLOYTESTS_IDENTITY": str(s.key_filename), "DEPLOYTESTS_KNOWN_HOSTS": str(s.known_hosts)}
    fab = str(Path(sys.executable).with_name("fab"))  # this environment's, on PATH or not
    return run(ROOT, fab, "-H", f"deployer@{s.host}:{s.port}", *tasks, env=env)


def test_app_that_does_not_build(lab, tmp_path, unchanged):
    app = bad_app(tmp_path / "app")
    (app / "setup.py").unlink()
    (app / "setup.py").write_text("raise SystemExit('this project does not build')\n")
    result = fab(lab, tmp_path, "deploy", "--app", str(app))
    line = error_line(result, "building the app's wheel failed")
    assert line.startswith("fab deploy: ") and "this project does not build" in result.stderr


def test_entry_point_that_does_not_exist(lab, tmp_path, unchanged):
    app = bad_app(tmp_path / "app", entry_point='"yourapplication:nothing_here"')
    result = fab(lab, tmp_path, "deploy", "--app", str(app))
    error_line(result, "fab deploy: deploy failed on 1 of 1 host")  # the summary names the host...
    host = [ln for ln in result.stdout.splitlines() if "FAILED:" in ln]  # ...whose own line says why
    assert len(host) == 1 and "preflight (import yourapplication:nothing_here)" in host[0] \
        and "AttributeError" in host[0], result.stdout


# ---------------------------------------------------------------- disk full during install

def test_disk_full_during_install(tmp_path):
    releases = "/var/www/yourapplication/releases"
    # building a release needs the artifact (upload), then the venv extracted from it beside it (about as big):
    # with the artifact + 600 kB left, upload and unpack (the manifest only) fit and the install runs out of space
    with Fleet(count=1, name_prefix="full", progress=lambda msg: None,
               run_options={"tmpfs": {releases: "exec,size=32m"}}) as fleet:
        box = Lab(fleet.servers[0], deploy_user="deployer")
        box.bootstrap()
        box.sudo(f"chown deployer:deployer {releases}")  # the admin gives the volume to the deploy login
        v1 = box.deploy("yourapplication").release_id
        left = box.artifact("yourapplication-v2").size // 1024 + 600
        box.sudo(f"avail=$(df -k --output=avail {releases} | tail -1); "
                 f"dd if=/dev/zero of={releases}/.filler bs=1k count=$((avail - {left})) status=none")
        before = tree(box)
        with pytest.raises(DeployError) as info:
            box.deploy("yourapplication-v2")
        message = str(info.value)
        assert "\n" not in message and "deploy failed at install" in message, message
        assert "No space left on device" in message, message
        after = tree(box)
        assert after == before, fingerprint_diff(before, after)
        assert box.serving() == v1 and box.releases() == [v1]
        assert '"version": "2.0"' in box.sudo(f"cat {releases}/failed.log")
