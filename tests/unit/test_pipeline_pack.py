"""pack's decisions. The dependency resolution is replaced by stand-in wheels where a test is about something else
(``seeded``); the app wheel is always really built, in its build environment (made once from PyPI and shared
through this session's cache, like ``installer_wheel``: the unit level is hermetic, see conftest.py). Tests named
``*_real_pip`` run pip for real (PyPI for the ``installer`` wheel, local sdists for the rest), without Docker;
those that reach the index are marked ``network``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.pipeline import artifact as packmod
from deploytests.testing import stand_in_wheel


@pytest.fixture(scope="session")
def build_envs() -> Path:
    """Build environments are made once per set of build requirements and kept (this session's cache; made from
    the package index: ``network``, see conftest.py)."""
    return packmod.default_cache_dir() / "buildenv"


@pytest.fixture
def seeded(tmp_path, monkeypatch, installer_wheel, build_envs):
    """A cache dir whose dependency slot for any requirement set holds stand-in wheels (valid, one module each;
    flask has a console script) and pypa installer's real wheel (see ``installer_wheel``); no pip runs for the
    dependencies. The app's build environments come from ``build_envs``."""
    def fake_resolve(requires, python_version, machine, dest, find_links=()):
        shutil.copy(installer_wheel, dest / "installer-0.7.0-py3-none-any.whl")
        stand_in_wheel(dest / "flask-3.0.0-py3-none-any.whl", {"flask": "flask:main"})
        stand_in_wheel(dest / f"markupsafe-2.1.5-cp311-cp311-manylinux2014_{machine}.whl")
        calls.append((tuple(requires), python_version))
    calls = []
    monkeypatch.setattr(packmod, "resolve_wheels", fake_resolve)
    (tmp_path / "cache").mkdir()
    build_envs.mkdir(parents=True, exist_ok=True)
    (tmp_path / "cache" / "buildenv").symlink_to(build_envs)
    return tmp_path / "cache", calls


def copy_app(tmp_path, name):
    dest = tmp_path / name
    shutil.copytree(APPS / name, dest, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    shutil.copy(APPS.parent / "config" / "docker.cfg", tmp_path / "docker.cfg")
    (dest / "deploy.toml").write_text((dest / "deploy.toml").read_text().replace("../../config/", "../"))
    return dest, load_config(dest)


def test_setup_py_only_app_packs_deterministically_and_reuses_its_caches(tmp_path, seeded):
    cache, calls = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    first = packmod.pack(src, cfg, cache_dir=cache)
    assert (first.name, first.version, first.cached) == ("yourapplication", "1.0", False)
    assert first.path.name == f"yourapplication-1.0-{first.sha256[:8]}.tar" and first.size == first.path.stat().st_size
    with tarfile.open(first.path) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    # no wheels: the tree is prebuilt; the static dir (deploy.toml's static) ships as files of the release
    assert names == ["manifest.json", "tree/app.tar", "tree/deps.tar", "yourapplication/static/style.css"]
    assert manifest["static"] == ["yourapplication/static"]
    assert manifest["installer_wheel"] == "installer-0.7.0-py3-none-any.whl" and manifest["python_version"] == "3.11"
    assert manifest["wheels"] == [] and manifest["tree"] == ["tree/app.tar", "tree/deps.tar"]
    assert "installer-0.7.0-py3-none-any.whl" not in manifest["install"]  # the tool, not a dependency
    assert "yourapplication-1.0-py3-none-any.whl" in manifest["install"]
    assert calls == [(("installer", "Flask>=2.3"), "3.11")]
    assert not (src / "build").exists() and not list(src.glob("*.egg-info"))  # the project dir stays clean
    again = packmod.pack(src, cfg, cache_dir=cache)
    assert again.cached and again.sha256 == first.sha256 and len(calls) == 1
    data = first.path.read_bytes()
    shutil.rmtree(cache / "tree")
    shutil.rmtree(cache / "index")
    first.path.unlink()
    rebuilt = packmod.pack(src, cfg, cache_dir=cache)  # installed and compiled again from scratch: same bytes
    assert rebuilt.sha256 == first.sha256 and rebuilt.path.read_bytes() == data
    (src / "yourapplication" / "extra.py").write_text("X = 1\n")
    changed = packmod.pack(src, cfg, cache_dir=cache)
    assert not changed.cached and changed.sha256 != first.sha256 and len(calls) == 1  # deps still cached
    other_python = packmod.pack(src, cfg, cache_dir=cache, python_version="3.12")
    assert calls[-1] == (("installer", "Flask>=2.3"), "3.12") and other_python.python_version == "3.12"


def test_pyproject_app_packs(tmp_path, seeded):
    cache, _ = seeded
    art = packmod.pack(APPS / "pyproject-app", load_config(APPS / "pyproject-app"), cache_dir=cache)
    assert (art.app, art.name, art.version) == ("pyprojectapp", "pyprojectapp", "0.3.0")


def test_tree_hash_ignores_build_junk(tmp_path):
    (tmp_path / "a.py").write_text("1")
    before = packmod.tree_hash(tmp_path)
    for junk in ("build/x.py", "x.egg-info/PKG-INFO", "__pycache__/a.pyc", ".git/HEAD"):
        (tmp_path / junk).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / junk).write_text("junk")
    assert packmod.tree_hash(tmp_path) == before
    (tmp_path / "a.py").write_text("2")
    assert packmod.tree_hash(tmp_path) != before


def test_pip_download_is_isolated_from_the_runner_config(monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    env = packmod.pip_env()
    assert env["PIP_CONFIG_FILE"] == "/dev/null" and "PIP_FIND_LINKS" not in env
    assert env["PIP_INDEX_URL"] == "https://mirror.example/simple"
    cmd = packmod.pip_download_command(["flask"], "3.11", Path("/d"))
    assert cmd[cmd.index("--python-version") + 1] == "3.11" and "--only-binary=:all:" in cmd
    assert cmd[cmd.index("--platform") + 1] == "manylinux2014_x86_64" and cmd[-1] == "flask"
    assert cmd.count("--platform") == 1 and "--find-links" not in cmd
    cmd = packmod.pip_download_command(["flask"], "3.12", Path("/d"), machine="aarch64", find_links=["/v", "/b"],
                                       local=True)  # a runner that is such a server also takes its own builds
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "--platform"] == ["manylinux2014_aarch64", "linux_aarch64"]
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "--find-links"] == ["/v", "/b"]


def test_broken_build_names_the_project_and_the_reason(tmp_path, seeded):
    src = tmp_path / "broken"
    src.mkdir()
    (src / "setup.py").write_text("raise SystemExit('setup.py is broken')\n")
    (src / "deploy.toml").write_text('app = "x"\nentry_point = "x:app"\n')
    with pytest.raises(packmod.DeployError) as info:
        packmod.pack(src, load_config(src), cache_dir=seeded[0])
    assert str(info.value) == (f"{src}: building the app's wheel failed (setuptools.build_meta:__legacy__): "
                               "setup.py is broken. Hint: run `python -m build --wheel` (or `pip wheel .`) in "
                               "the project to see why.")


def test_a_build_backend_that_cannot_be_installed_is_named_real_pip(tmp_path, seeded):
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["deploytests-no-such-backend>=1"]\n'
                                             'build-backend = "nosuchbackend.api"\n')
    (tmp_path / "deploy.toml").write_text('app = "x"\nentry_point = "x:app"\n')
    with pytest.raises(packmod.DeployError) as info:
        packmod.pack(tmp_path, load_config(tmp_path), cache_dir=tmp_path / "own-cache")
    assert str(info.value).startswith(
        f"{tmp_path}: installing the app's build requirements (deploytests-no-such-backend>=1) failed: ERROR: ")
    assert str(info.value).endswith("Hint: check [build-system] requires in pyproject.toml; the runner needs PyPI "
                                    "(or PIP_INDEX_URL).")
    assert "No matching distribution found for deploytests-no-such-backend" in info.value.detail


def test_installer_is_installed_when_the_app_requires_it(tmp_path):
    wheels = [tmp_path / n for n in ("installer-0.7.0-py3-none-any.whl", "flask-3.0.0-py3-none-any.whl")]
    app = tmp_path / "app-1.0-py3-none-any.whl"
    assert packmod.install_list(app, wheels, ["Flask>=2.3"]) == ["app-1.0-py3-none-any.whl",
                                                                 "flask-3.0.0-py3-none-any.whl"]
    marked = ["installer>=0.7; python_version>'3'"]
    assert "installer-0.7.0-py3-none-any.whl" in packmod.install_list(app, wheels, marked)


def tree_members(art, part):
    import io

    with tarfile.open(art.path) as tar:
        inner = tarfile.open(fileobj=io.BytesIO(tar.extractfile(part).read()))
        return {m.name: (m, inner.extractfile(m).read()) for m in inner.getmembers()}


def test_tree_is_a_venv_layout_with_unchecked_hash_bytecode_and_placeholder_shebangs(seeded, tmp_path):
    import importlib.util
    import sys

    cache, _ = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    art = packmod.pack(src, cfg, cache_dir=cache)
    site = "lib/python3.11/site-packages"
    deps, app = tree_members(art, "tree/deps.tar"), tree_members(art, "tree/app.tar")
    assert not any(n.startswith(f"{site}/installer") for n in deps)  # the tool is not installed
    assert f"{site}/flask/__init__.py" in deps and f"{site}/flask-3.0.0.dist-info/INSTALLER" in deps
    assert f"{site}/yourapplication/__init__.py" in app and not any("flask" in n for n in app)
    pyc = deps[f"{site}/flask/__pycache__/__init__.{sys.implementation.cache_tag}.pyc"][1]
    assert pyc[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(pyc[4:8], "little") == 0b01  # hash, unchecked
    assert f"{site}/yourapplication/__pycache__/__init__.{sys.implementation.cache_tag}.pyc" in app
    script, data = deps["bin/flask"]
    assert data.splitlines()[0] == b"#!" + packmod.PLACEHOLDER.encode() and script.mode == 0o755
    assert art.manifest["placeholder"] == packmod.PLACEHOLDER and art.manifest["site_packages"] == site
    record = deps[f"{site}/flask-3.0.0.dist-info/RECORD"][1].decode()
    assert "../../../bin/flask,,\n" in record.replace("\r\n", "\n")  # the server rewrites it: no stale hash
    assert {m.mtime for m, _ in [*deps.values(), *app.values()]} == {0}


def test_tree_parts_are_cached_by_their_wheels(seeded, tmp_path, monkeypatch):
    cache, _ = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    packmod.pack(src, cfg, cache_dir=cache)
    built = []
    real = packmod.tar_tree
    monkeypatch.setattr(packmod, "tar_tree", lambda root: built.append(root) or real(root))
    (src / "yourapplication" / "extra.py").write_text("X = 1\n")
    changed = packmod.pack(src, cfg, cache_dir=cache)
    assert len(built) == 1  # only the app part was installed again; the deps part came from the cache
    assert "lib/python3.11/site-packages/yourapplication/extra.py" in tree_members(changed, "tree/app.tar")


def test_another_interpreter_of_the_servers_python_builds_the_tree(seeded, tmp_path, monkeypatch):
    cache, _ = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    used = []
    monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda v: used.append(v) or sys.executable)
    art = packmod.pack(src, cfg, cache_dir=cache, python_version="3.13")
    assert used == ["3.13"] and art.manifest["tree"] == ["tree/app.tar", "tree/deps.tar"] and not art.manifest["wheels"]
    assert "lib/python3.13/site-packages/yourapplication/__init__.py" in tree_members(art, "tree/app.tar")


def test_python_mismatch_ships_wheels_for_the_server_to_install(seeded, tmp_path, monkeypatch):
    cache, _ = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda v: None)  # no Python 3.12 on this runner
    art = packmod.pack(src, cfg, cache_dir=cache, python_version="3.12")
    with tarfile.open(art.path) as tar:
        names = tar.getnames()
    assert art.manifest["tree"] == [] and not any(n.startswith("tree/") for n in names)
    assert "wheels/installer-0.7.0-py3-none-any.whl" in names and "wheels/yourapplication-1.0-py3-none-any.whl" in names
    assert sorted(art.manifest["wheels"]) == sorted(n[len("wheels/"):] for n in names if n.startswith("wheels/"))


# ---------------------------------------------------------------- what the artifact id hashes

@pytest.mark.parametrize("python_version", ["3.11", "3.12"], ids=["prebuilt-tree", "wheels-shipped"])
def test_artifact_id_is_a_hash_of_what_ships_not_of_the_source_tree(tmp_path, seeded, python_version):
    cache, _ = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    first = packmod.pack(src, cfg, cache_dir=cache, python_version=python_version)
    with tarfile.open(first.path) as tar:
        shipped = json.load(tar.extractfile("manifest.json"))
    assert "source_hash" not in shipped and "git_sha" not in shipped  # recorded on the server, not hashed
    assert first.manifest["source_hash"] == packmod.tree_hash(src)
    edits = {"tests/test_app.py": "def test_x():\n    assert True\n", "README.md": "# new words\n",
             "targets.toml": "[targets.staging]\nhosts = ['deployer@web1']\n", "instance/app.sqlite": "rows"}
    for rel, text in edits.items():
        (src / rel).parent.mkdir(exist_ok=True)
        (src / rel).write_text(text)
        again = packmod.pack(src, cfg, cache_dir=cache, python_version=python_version)
        assert not again.cached, rel  # the wheel was really built again from the edited tree ...
        assert (again.sha256, again.path) == (first.sha256, first.path), rel  # ... and ships the same bytes
    (src / "yourapplication" / "__init__.py").write_text((src / "yourapplication" / "__init__.py").read_text()
                                                         + "\n# a code change\n")
    changed = packmod.pack(src, cfg, cache_dir=cache, python_version=python_version)
    assert changed.sha256 != first.sha256 and changed.path != first.path


def test_the_app_wheel_is_reproducible(tmp_path, build_envs):
    src, _ = copy_app(tmp_path, "yourapplication")
    one = packmod.build_wheel(src, tmp_path / "one", envs=build_envs)
    (src / "yourapplication" / "__init__.py").touch()  # a newer mtime: SOURCE_DATE_EPOCH stamps the zip
    two = packmod.build_wheel(src, tmp_path / "two", envs=build_envs)
    assert one.read_bytes() == two.read_bytes()


# ---------------------------------------------------------------- the app's own build backend, isolated

FLIT_APP = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4,<4"]\nbuild-backend = "flit_core.buildapi"\n\n'
                      '[project]\nname = "flitapp"\nversion = "0.2"\ndescription = "x"\ndependencies = ["Flask"]\n\n'
                      '[tool.deploytests]\napp = "flitapp"\nentry_point = "flitapp:app"\n',
    "flitapp/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_an_app_whose_backend_is_not_installed_here_packs_in_its_own_build_env(tmp_path, seeded):
    """The issue's case: a flit_core project on a runner without flit_core. The env is made once and kept."""
    import importlib.util

    assert importlib.util.find_spec("flit_core") is None  # not in the runner's environment
    cache, _ = seeded
    src = write_tree(tmp_path / "flitapp", FLIT_APP)
    art = packmod.pack(src, load_config(src), cache_dir=cache)
    assert (art.name, art.version) == ("flitapp", "0.2")
    assert any(n.startswith("flitapp-0.2-") for n in art.manifest["install"])
    env = cache / "buildenv" / packmod.build_env_key(["flit_core>=3.4,<4"])
    assert list((env / "lib").glob("python*/site-packages/flit_core"))
    made = (env / ".complete").stat().st_mtime_ns
    (src / "flitapp" / "extra.py").write_text("X = 1\n")
    packmod.pack(src, load_config(src), cache_dir=cache)
    assert (env / ".complete").stat().st_mtime_ns == made  # the env was reused, not made again


def test_build_system_defaults_are_pips(tmp_path):
    assert packmod.build_system(tmp_path) == (["setuptools>=40.8.0"], "setuptools.build_meta:__legacy__", [])
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["hatchling"]\nbuild-backend = '
                                             '"hatchling.build"\nbackend-path = ["_build"]\n')
    assert packmod.build_system(tmp_path) == (["hatchling"], "hatchling.build", [str(tmp_path / "_build")])
    (tmp_path / "pyproject.toml").write_text('[build-system]\nbuild-backend = "hatchling.build"\n')
    with pytest.raises(packmod.DeployError, match=r"pyproject.toml: \[build-system\] needs 'requires'"):
        packmod.build_system(tmp_path)


def test_pack_refuses_a_machine_that_is_not_one(tmp_path, seeded):
    src, cfg = copy_app(tmp_path, "yourapplication")
    with pytest.raises(packmod.DeployError, match=r"^pack: not a CPU architecture: 'x86-64; rm'"):
        packmod.pack(src, cfg, cache_dir=seeded[0], machine="x86-64; rm")


def test_the_manifest_names_the_machine_and_the_compiled_wheels(tmp_path, seeded):
    src, cfg = copy_app(tmp_path, "yourapplication")
    art = packmod.pack(src, cfg, cache_dir=seeded[0], machine="aarch64")
    assert art.machine == "aarch64" and art.manifest["machine"] == "aarch64"
    assert art.manifest["platform"] == "manylinux2014_aarch64"
    assert art.manifest["platform_wheels"] == ["markupsafe-2.1.5-cp311-cp311-manylinux2014_aarch64.whl"]


# ---------------------------------------------------------------- wheels for the server's Python and CPU

@pytest.mark.parametrize("wheel, python_version, machine, local, fits", [
    ("six-1.16.0-py2.py3-none-any.whl", "3.11", "aarch64", False, True),
    ("flask-3.0.0-py3-none-any.whl", "3.13", "x86_64", False, True),
    ("markupsafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.11", "x86_64", False, True),
    ("markupsafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.11", "aarch64", False, False),
    ("markupsafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.12", "x86_64", False, False),
    ("markupsafe-2.1.5-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "3.11", "aarch64", False, True),
    ("cryptography-42.0.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.13", "x86_64", False, True),
    ("cryptography-42.0.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.8", "x86_64", False, False),
    ("psycopg2_binary-2.9.9-cp311-cp311-manylinux1_i686.whl", "3.11", "i686", False, True),
    ("newer-1.0-cp311-cp311-manylinux_2_28_x86_64.whl", "3.11", "x86_64", False, False),  # above the 2.17 baseline
    ("alpine-1.0-cp311-cp311-musllinux_1_1_x86_64.whl", "3.11", "x86_64", False, False),
    ("mac-1.0-cp311-cp311-macosx_11_0_arm64.whl", "3.11", "aarch64", False, False),
    ("tinyc-0.1-cp311-cp311-linux_x86_64.whl", "3.11", "x86_64", False, False),  # built somewhere, no guarantee
    ("tinyc-0.1-cp311-cp311-linux_x86_64.whl", "3.11", "x86_64", True, True),  # built on a runner like the server
    ("tinyc-0.1-cp311-cp311-linux_x86_64.whl", "3.11", "aarch64", True, False),
    ("not-a-wheel.whl", "3.11", "x86_64", False, False),
])
def test_wheel_fits_by_its_tags(wheel, python_version, machine, local, fits):
    assert packmod.wheel_fits(wheel, python_version, machine, local=local) is fits


def test_runner_builds_for_only_its_own_python_and_machine(monkeypatch):
    import sys

    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    machine = os.uname().machine
    assert packmod.runner_builds_for(here, machine)
    assert not packmod.runner_builds_for(here, "s390x" if machine != "s390x" else "x86_64")
    assert not packmod.runner_builds_for("3.99", machine)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not packmod.runner_builds_for(here, machine)


def test_missing_requirement_is_read_from_pips_error():
    err = ("ERROR: Could not find a version that satisfies the requirement tinydep>=0.1 (from app==1.0) (from "
           "versions: none)\nERROR: No matching distribution found for tinydep>=0.1\n")
    assert packmod.missing_requirement(err) == "tinydep>=0.1"
    assert packmod.missing_requirement("ERROR: HTTP error 503 while getting https://pypi.org/simple/x/\n") is None
    offline = ("WARNING: Retrying (Retry(total=4, ...)) after connection broken by 'NewConnectionError('<pip._vendor."
               "urllib3.connection.HTTPSConnection object>: Failed to establish a new connection: [Errno -3] Temporary "
               "failure in name resolution')': /simple/flask/\n" + err)
    assert packmod.index_unreachable(offline) and not packmod.index_unreachable(err)


def test_an_unreachable_index_is_named_not_mistaken_for_a_missing_wheel_real_pip(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")  # discard port: nothing listens
    monkeypatch.setenv("PIP_RETRIES", "1")  # pip names the connection error only when it retries
    with pytest.raises(packmod.CommandFailed) as info:
        packmod.dependency_wheels(["flask"], "3.11", tmp_path)
    assert str(info.value).startswith("runner: the package index is unreachable from the runner (exit 1): ")


def test_a_compiled_wheel_built_here_for_another_server_is_refused_in_one_line(tmp_path, monkeypatch):
    def fake_pip(cmd, what, extra_env=None):  # pip wheel "built" a wheel compiled for this runner
        dest = Path(cmd[cmd.index("--wheel-dir") + 1])
        stand_in_wheel(dest / f"tinyc-0.1-cp{sys.version_info[0]}{sys.version_info[1]}-"
                              f"cp{sys.version_info[0]}{sys.version_info[1]}-linux_{os.uname().machine}.whl")
        return subprocess.CompletedProcess(cmd, 0, "", "")
    import subprocess
    import sys

    monkeypatch.setattr(packmod, "_run_pip", fake_pip)
    here, machine = f"{sys.version_info[0]}.{sys.version_info[1]}", os.uname().machine
    other = "aarch64" if machine != "aarch64" else "x86_64"
    with pytest.raises(packmod.DeployError) as info:
        packmod.build_from_source("tinyc>=0.1", tmp_path, here, other)
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert str(info.value) == (
        f"pack: requirement 'tinyc>=0.1': no wheel of it for CPython {here} on {other} exists, and the one this "
        f"runner's pip made for it (tinyc-0.1-{tag}-{tag}-linux_{machine}.whl: found for, or built from its sdist by, "
        f"CPython {here} on {machine}) is compiled for CPython {here} on {machine}. Hint: pack on a runner with "
        f"CPython {here} on {other}, require a release of it that publishes manylinux2014_{other} wheels, or "
        "publish one.")
    assert not list(tmp_path.iterdir())  # nothing half-made left in the wheelhouse
    built = packmod.build_from_source("tinyc>=0.1", tmp_path, here, machine, local=True)
    assert built.parent == tmp_path and built.name.endswith(f"-linux_{machine}.whl")


def test_a_compiled_dependency_without_a_wheel_for_the_servers_python_is_built_by_that_python_here(tmp_path,
                                                                                                   monkeypatch):
    # Class: a compiled dependency built by the wrong interpreter. msgpack==1.0.5 has wheels up to CPython 3.11;
    # for a Debian 13 server (3.13) pack ran `pip wheel` with the runner's 3.11, which fetched the cp311 wheel, and
    # refused saying it was "built from its sdist" and to "pack on a runner with CPython 3.13" -- while this runner
    # had one (pyenv's), which the tree build already used. The server's Python here builds it; without one, the
    # refusal says what pip made and to install that Python. Other member: a direct reference to an sdist.
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    target = "3.99" if here != "3.99" else "3.98"
    builder, machine = "/opt/fake/python" + target, os.uname().machine
    calls: list[list[str]] = []

    def fake_pip(cmd, what, extra_env=None):
        calls.append(cmd)
        if "download" in cmd:
            dest = Path(cmd[cmd.index("--dest") + 1])
            links = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--find-links"]
            made = [p for link in links for p in Path(link).glob("*.whl")] if Path(links[-1]).is_dir() else []
            if not made:
                return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found for tinyc\n")
            shutil.copy(made[0], dest / made[0].name)
            stand_in_wheel(dest / f"{packmod.TOOL}-1-py3-none-any.whl")
            return subprocess.CompletedProcess(cmd, 0, "", "")
        tag = "cp" + (target if cmd[0] == builder else here).replace(".", "")
        stand_in_wheel(Path(cmd[cmd.index("--wheel-dir") + 1]) / f"tinyc-0.1-{tag}-{tag}-linux_{machine}.whl")
        return subprocess.CompletedProcess(cmd, 0, "", "")
    import subprocess

    monkeypatch.setattr(packmod, "_run_pip", fake_pip)
    monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda v: builder if v == target else None)
    packmod.resolve_wheels(["tinyc"], target, machine, tmp_path)
    assert [c[0] for c in calls if "wheel" in c] == [builder]
    tag = "cp" + target.replace(".", "")
    assert sorted(p.name for p in tmp_path.glob("tinyc-*.whl")) == [f"tinyc-0.1-{tag}-{tag}-linux_{machine}.whl"]
    monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda v: None)  # no such Python here
    with pytest.raises(packmod.DeployError) as info:
        packmod.resolve_wheels(["tinyc"], target, machine, tmp_path / "none")
    assert f"Hint: install CPython {target} on this runner (pack builds with python{target} on PATH or pyenv's)" \
        in str(info.value) and "found for, or built from its sdist by" in str(info.value), str(info.value)


def test_a_wheel_pip_chose_that_does_not_fit_is_refused(tmp_path, monkeypatch):
    def fake_pip(cmd, what, extra_env=None):
        stand_in_wheel(Path(cmd[cmd.index("--dest") + 1]) / "odd-1.0-cp311-cp311-manylinux2014_aarch64.whl")
        return subprocess.CompletedProcess(cmd, 0, "", "")
    import subprocess

    monkeypatch.setattr(packmod, "_run_pip", fake_pip)
    with pytest.raises(packmod.DeployError, match=r"^pack: dependency odd: odd-1.0-cp311-cp311-manylinux2014_aarch64"
                                                  r".whl does not run on the server \(CPython 3.11 on x86_64\)"):
        packmod.resolve_wheels(["odd"], "3.11", "x86_64", tmp_path)


# ---------------------------------------------------------------- sdist-only dependencies, with real pip

def make_sdist(project: Path, out: Path, requires: list[str], backend: str, build_envs: Path) -> Path:
    """The project's sdist, made by its real backend's ``build_sdist`` in a build env (what ``python -m build
    --sdist`` does)."""
    import subprocess

    env = packmod.build_env(requires, build_envs, str(project))
    out.mkdir(parents=True, exist_ok=True)
    mod, _, obj = backend.partition(":")
    code = f"import {mod} as b; print('@@' + b{'.' + obj if obj else ''}.build_sdist({str(out)!r}))"
    proc = subprocess.run([str(env / "bin" / "python"), "-I", "-c", code], cwd=project, capture_output=True,
                          text=True, check=True)
    return out / proc.stdout.split("@@")[-1].strip()


TINYDEP = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4,<4"]\nbuild-backend = "flit_core.buildapi"\n\n'
                      '[project]\nname = "dt-sdistonly"\nversion = "0.1"\ndescription = "published as an sdist '
                      'only"\n',
    "dt_sdistonly/__init__.py": "def shout(text):\n    return text.upper() + '!'\n",
}

TINYC = {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
                      '[project]\nname = "dt-sdistonly-c"\nversion = "0.1"\n',
    "setup.py": "from setuptools import Extension, setup\nsetup(ext_modules=[Extension('dt_sdistonly_c', "
                "['dt_sdistonly_c.c'])])\n",
    "dt_sdistonly_c.c": "#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, "
                        "\"dt_sdistonly_c\"};\nPyMODINIT_FUNC PyInit_dt_sdistonly_c(void) { return "
                        "PyModule_Create(&m); }\n",
}


@pytest.fixture(scope="module")
def vendor(tmp_path_factory, build_envs) -> Path:
    """A find-links dir holding only sdists: a pure-Python project and one with a C extension."""
    root = tmp_path_factory.mktemp("sdists")
    out = root / "vendor"
    make_sdist(write_tree(root / "tinydep", TINYDEP), out, ["flit_core>=3.4,<4"], "flit_core.buildapi", build_envs)
    make_sdist(write_tree(root / "tinyc", TINYC), out, ["setuptools>=61"], "setuptools.build_meta", build_envs)
    return out


def test_an_sdist_only_dependency_becomes_a_wheel_for_any_server_real_pip(tmp_path, vendor):
    """Before: pip's saved sdist was dropped by a ``*.whl`` glob and the server raised ModuleNotFoundError."""
    for machine in ("x86_64", "aarch64"):  # pure Python: fine for any architecture
        wheels = packmod.dependency_wheels(["dt-sdistonly>=0.1"], "3.11", tmp_path / machine, machine=machine,
                                           find_links=[str(vendor)])
        assert sorted(w.name.split("-")[0] for w in wheels) == ["dt_sdistonly", "installer"]
        built = next(w.name for w in wheels if w.name.startswith("dt_sdistonly-"))
        assert built.startswith("dt_sdistonly-0.1-") and built.endswith("-none-any.whl")
    direct = f"dt-sdistonly @ {next(vendor.glob('dt_sdistonly-*.tar.gz')).as_uri()}"  # a direct reference
    wheels = packmod.dependency_wheels([direct], "3.11", tmp_path / "direct")
    assert min(w.name for w in wheels).startswith("dt_sdistonly-0.1-")
    assert not list((tmp_path / "direct").glob("*/*.tar.gz"))


def test_a_compiled_sdist_only_dependency_fits_only_a_server_like_the_runner_real_pip(tmp_path, vendor):
    import sys

    here, machine = f"{sys.version_info[0]}.{sys.version_info[1]}", os.uname().machine
    wheels = packmod.dependency_wheels(["dt-sdistonly-c"], here, tmp_path / "same", machine=machine,
                                       find_links=[str(vendor)])
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert f"dt_sdistonly_c-0.1-{tag}-{tag}-linux_{machine}.whl" in [w.name for w in wheels]
    other = "aarch64" if machine != "aarch64" else "x86_64"
    with pytest.raises(packmod.DeployError) as info:
        packmod.dependency_wheels(["dt-sdistonly-c"], here, tmp_path / "other", machine=other,
                                  find_links=[str(vendor)])
    assert str(info.value).startswith(f"pack: requirement 'dt-sdistonly-c': no wheel of it for CPython {here} on "
                                      f"{other} exists, and the one this runner's pip made for it")
    assert not list((tmp_path / "other").glob("*"))  # no half-filled cache slot left behind


@pytest.mark.network
def test_a_requirement_with_neither_wheel_nor_sdist_is_refused_naming_it_real_pip(tmp_path):
    with pytest.raises(packmod.DeployError) as info:
        packmod.dependency_wheels(["deploytests-no-such-dist>=1"], "3.11", tmp_path)
    assert str(info.value).startswith(
        "pack: requirement 'deploytests-no-such-dist>=1': no wheel of it for CPython 3.11 on x86_64, and building "
        "one from source on this runner failed: ERROR: ")


def test_a_compiled_app_is_packed_only_for_a_server_like_the_runner(tmp_path, seeded, monkeypatch):
    import sys

    src, cfg = copy_app(tmp_path, "yourapplication")
    tag, machine = f"cp{sys.version_info[0]}{sys.version_info[1]}", os.uname().machine
    wheel = tmp_path / f"yourapplication-1.0-{tag}-{tag}-linux_{machine}.whl"
    stand_in_wheel(wheel)
    monkeypatch.setattr(packmod, "app_wheel_for", lambda project, source_hash, cache, python=None: (wheel, True))
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert packmod.pack(src, cfg, cache_dir=seeded[0], python_version=here, machine=machine).manifest[
        "platform_wheels"][-1] == wheel.name
    other = "aarch64" if machine != "aarch64" else "x86_64"
    with pytest.raises(packmod.DeployError) as info:
        packmod.pack(src, cfg, cache_dir=seeded[0], python_version=here, machine=other)
    assert str(info.value) == (f"{src}: the app's wheel {wheel.name}, built on this runner, does not run on the "
                               f"server (CPython {here} on {other}). Hint: pack on a runner with CPython {here} on "
                               f"{other}.")


def test_a_compiled_app_for_another_python_is_built_by_that_python_here(tmp_path, seeded, monkeypatch):
    """Class: compiled code built by the wrong interpreter (a dependency's was closed before). The app's own C
    extension was built by the runner's 3.11 for a Debian 13 server (3.13) and refused with "a compiled app must
    be packed on a runner with CPython 3.13" -- while this runner had one (pyenv's), which already builds the
    dependencies and the tree. That Python builds the app's wheel; without one, the hint says which to install."""
    src, cfg = copy_app(tmp_path, "yourapplication")
    here, machine = f"{sys.version_info[0]}.{sys.version_info[1]}", os.uname().machine
    target = "3.13" if here != "3.13" else "3.12"
    calls = []

    def fake_app_wheel(project, source_hash, cache, python=None):
        calls.append(python)
        tag = "cp" + (target if python else here).replace(".", "")
        wheel = tmp_path / f"yourapplication-1.0-{tag}-{tag}-linux_{machine}.whl"
        stand_in_wheel(wheel)
        return wheel, True
    monkeypatch.setattr(packmod, "app_wheel_for", fake_app_wheel)
    monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda v: sys.executable if v == target else None)
    art = packmod.pack(src, cfg, cache_dir=seeded[0], python_version=target, machine=machine)
    tag = "cp" + target.replace(".", "")
    assert calls == [None, sys.executable] and art.manifest["app_wheel"].startswith(f"yourapplication-1.0-{tag}-")
    monkeypatch.setattr(packmod.bytecode, "interpreter_for", lambda v: None)  # no such Python here
    with pytest.raises(packmod.DeployError) as info:
        packmod.pack(src, cfg, cache_dir=seeded[0], python_version=target, machine=machine)
    assert f"Hint: install CPython {target} on this runner (pack builds with python{target} on PATH or pyenv's)" \
        in str(info.value), str(info.value)


def test_a_file_git_ignores_inside_the_package_is_named_when_the_wheel_ships_it(tmp_path, seeded, monkeypatch):
    """Class: what the project's VCS keeps local ships anyway. A gitignored ``local_settings.py`` with a
    SECRET_KEY inside the package (src layout) is in the wheel, installed world-readable on every server: pack
    says so, with the ignore rule (file:line) that names it. A tracked file and a project outside git: nothing."""
    cache, _ = seeded
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    src = tmp_path / "pyproject-app"
    shutil.copytree(APPS / "pyproject-app", src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    (src / "src" / "pyprojectapp" / "local_settings.py").write_text('SECRET_KEY = "s3cret-local"\n')
    (src / "pyproject.toml").write_text((src / "pyproject.toml").read_text().replace("../../config/", "../"))
    shutil.copy(APPS.parent / "config" / "pyprojectapp.cfg", tmp_path / "pyprojectapp.cfg")
    cfg = load_config(src)
    assert packmod.pack(src, cfg, cache_dir=cache).warnings == ()  # not a git work tree: nothing to ask
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    (src / ".gitignore").write_text("*.pyc\nlocal_settings.py\n")
    art = packmod.pack(src, cfg, cache_dir=cache)
    assert art.warnings == (
        "src/pyprojectapp/local_settings.py is ignored by git (.gitignore:2: local_settings.py) but the app's wheel "
        "ships it: every server installs it, readable by any local user; if it holds settings or secrets, keep it "
        "out of the package (or exclude it from the build) and give the servers their settings with config_file "
        "in the deploy config",)
    (src / ".gitignore").write_text("*.pyc\n")
    assert packmod.pack(src, cfg, cache_dir=cache).warnings == ()


def test_ignored_files_are_one_line_per_rule_and_a_build_output_of_a_tracked_file_is_none(tmp_path, monkeypatch):
    """Class: one cause, one line. Flask-Babel's compiled catalogs (``*.mo`` gitignored, 2 languages) gave a
    warning per file, each asking whether it held secrets: a ``.mo`` compiled from the tracked ``.po`` beside it
    is the build's output of what the repository holds, never a local file. Other member: ``site.css`` built from
    a tracked ``site.scss``; a C extension built in place (``_speed.cpython-311-x86_64-linux-gnu.so``, an
    editable install's) from a tracked ``_speed.c`` was called a possible secret too, and so is a Cython one
    (``_fast.abi3.so`` from ``_fast.pyx``). Two local files matching one rule (``*.local.py``) are one line."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    files = ["pkg/__init__.py", "pkg/tr/de/LC_MESSAGES/messages.po", "pkg/tr/de/LC_MESSAGES/messages.mo",
             "pkg/tr/fr/LC_MESSAGES/messages.po", "pkg/tr/fr/LC_MESSAGES/messages.mo", "pkg/static/site.scss",
             "pkg/static/site.css", "pkg/a.local.py", "pkg/b.local.py", "pkg/_speed.c",
             "pkg/_speed.cpython-311-x86_64-linux-gnu.so", "pkg/_fast.pyx", "pkg/_fast.abi3.so"]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    (tmp_path / ".gitignore").write_text("*.mo\nsite.css\n*.local.py\n*.so\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    wheel = _wheel(tmp_path / "pkg-1-py3-none-any.whl", *files)
    assert packmod.ignored_but_shipped(tmp_path, wheel) == [
        "pkg/a.local.py and 1 other file are ignored by git (.gitignore:3: *.local.py) but the app's "
        "wheel ships them: every server installs them, readable by any local user; if it holds settings or secrets, "
        "keep it out of the package (or exclude it from the build) and give the servers their settings with "
        "config_file in the deploy config"]


def test_catalogs_shipped_without_their_compiled_mo_are_named_in_one_line(tmp_path):
    """Class: a file the app reads at run time that a build step makes, missing from a fresh checkout. Flask-Babel
    catalogs with ``*.mo`` gitignored: a clean clone's wheel had the ``.po`` only, and the servers answered in
    English (the gate passed unless a deploy test asked for another language). Other member: a Django app's
    ``locale/`` (``django.po``, compiled by ``compilemessages``)."""
    po = ["lingua/translations/de/LC_MESSAGES/messages.po", "lingua/translations/fr/LC_MESSAGES/messages.po"]
    bare = _wheel(tmp_path / "a.whl", "lingua/__init__.py", *po)
    (line,) = packmod.uncompiled_catalogs(bare)
    assert line.startswith(f"the app's wheel ships {po[0]} and 1 other catalog without the compiled .mo beside it: ")
    assert "`pybabel compile -d <package>/translations`" in line
    django = _wheel(tmp_path / "d.whl", "polls/locale/de/LC_MESSAGES/django.po")
    assert packmod.uncompiled_catalogs(django)[0].startswith(
        "the app's wheel ships polls/locale/de/LC_MESSAGES/django.po without")
    assert packmod.uncompiled_catalogs(_wheel(tmp_path / "b.whl", *po, *(p[:-3] + ".mo" for p in po))) == []


def test_a_wheel_built_here_for_one_platform_without_a_compiled_module_is_named_in_one_line(tmp_path):
    """Class: a compiled part the build left out, silently. msgpack 1.0.5 has no wheel for CPython 3.13: built here
    from its sdist by 3.13, its C extension failed to compile and its setup.py went on without it: the wheel
    (``cp313-cp313-linux_x86_64``: a platform's, as a project with an extension is tagged) held only the pure-Python
    fallback, and pack said nothing. Other member: the app's own wheel with an optional extension. A wheel from an
    index (manylinux) is not judged: it is what its publisher built."""
    dropped = _wheel(tmp_path / "msgpack-1.0.5-cp313-cp313-linux_x86_64.whl", "msgpack/__init__.py",
                     "msgpack/fallback.py", "msgpack-1.0.5.dist-info/RECORD")
    app = _wheel(tmp_path / "tallyho-0.1-cp311-cp311-linux_x86_64.whl", "tallyho/__init__.py")
    fine = _wheel(tmp_path / "ok-1-cp313-cp313-linux_x86_64.whl", "ok/__init__.py",
                  "ok/_c.cpython-313-x86_64-linux-gnu.so")
    index = _wheel(tmp_path / "idx-1-cp313-cp313-manylinux_2_17_x86_64.whl", "idx/__init__.py")
    pure = _wheel(tmp_path / "p-1-py3-none-any.whl", "p/__init__.py")
    assert packmod.dropped_extensions([app, dropped, fine, index, pure]) == [
        "tallyho-0.1-cp311-cp311-linux_x86_64.whl and msgpack-1.0.5-cp313-cp313-linux_x86_64.whl: built on this "
        "runner for one platform, yet no compiled module in the wheel: its build left the extension out (a compile "
        "that failed and was tolerated), so the servers run the pure-Python code, if there is any; require a release "
        "of it published as a wheel for the servers' Python (often a newer one), or make its build succeed here "
        "(`pip wheel -v` shows the compiler's errors)"]
    assert packmod.dropped_extensions([fine, index, pure]) == []


def _wheel(path: Path, *names: str) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, "")
    return path


# Class: packaging assumed (works only with projects shaped like the examples). A one-module project without
# packaging got a wheel setuptools named after init's config/ dir, holding no module: the deploy failed on the
# server with a hint blaming entry_point. pack refuses it first, whatever made the wheel empty.
@pytest.mark.parametrize("entry, shipped", [
    ("counter:application", ["counter.py"]),
    ("mysite.wsgi:application", ["mysite/__init__.py", "mysite/wsgi.py"]),
    ("fast:app", ["fast.cpython-311-x86_64-linux-gnu.so"]),
    ("notes:create_app()", ["x-1.data/purelib/notes/__init__.py"]),
])
def test_pack_accepts_a_wheel_that_holds_the_entry_module(tmp_path, entry, shipped):
    (tmp_path / "deploy.toml").write_text(f'app = "x"\nentry_point = "{entry}"\n')
    cfg = load_config(tmp_path)
    wheel = _wheel(tmp_path / "x-1-py3-none-any.whl", *shipped, "x-1.dist-info/METADATA")
    packmod.entry_module_shipped(cfg, wheel, [wheel])


@pytest.mark.parametrize("shipped, held", [
    ([], "no module at all"),                                        # setuptools named it after config/
    (["counterlib/__init__.py"], "counterlib"),                      # another package than the entry's
    (["x-1.data/data/counter.py"], "no module at all"),              # data, not an importable module
])
def test_pack_refuses_a_wheel_without_the_entry_module_in_one_line(tmp_path, shipped, held):
    (tmp_path / "deploy.toml").write_text('app = "counter"\n\nentry_point = "counter:application"\n')
    cfg = load_config(tmp_path)
    wheel = _wheel(tmp_path / "config-0.0.0-py3-none-any.whl", *shipped, "config-0.0.0.dist-info/METADATA")
    dep = _wheel(tmp_path / "flask-3-py3-none-any.whl", "flask/__init__.py")
    with pytest.raises(packmod.DeployError) as caught:
        packmod.entry_module_shipped(cfg, wheel, [wheel, dep])
    text = str(caught.value)
    assert "config-0.0.0-py3-none-any.whl holds no module 'counter'" in text and held in text
    assert f"{tmp_path / 'deploy.toml'}:3" in text and "py-modules" in text and "\n" not in text


def test_a_failed_build_command_says_it_ran_with_the_servers_settings_here(tmp_path):
    # Class: a failure whose hint points only at the command when what failed is what it ran. collectstatic under
    # split Django settings died on os.environ["DJANGO_SECRET_KEY"] (the servers' settings, run on the runner
    # without their config file), and the hint said only "fix the command (key 'build')".
    from deploytests.config import load_config
    from deploytests.errors import DeployError
    from deploytests.pipeline.artifact import run_build

    (tmp_path / "deploy.toml").write_text(
        'app = "inv"\nentry_point = "inv.wsgi:application"\nenv = { DJANGO_SETTINGS_MODULE = "inv.settings.prod" }\n'
        'build = ["python -c \\"import os; os.environ[\'DJANGO_SECRET_KEY\']\\""]\n')
    with pytest.raises(DeployError) as info:
        run_build(tmp_path, load_config(tmp_path))
    text = str(info.value)
    assert "KeyError: 'DJANGO_SECRET_KEY'" in text, text
    assert f"it ran in {tmp_path} on this machine with deploy.toml's env (DJANGO_SETTINGS_MODULE=inv.settings.prod)" \
           ": the servers' settings, without their config file" in text, text


def test_a_failed_build_command_is_one_line_naming_where_it_raised_its_output_in_the_detail(tmp_path):
    # Class: a command's whole output put into an error's one line. collectstatic's 20-line traceback was the
    # middle of the `pytest.exit` line; the line must say what and where (the project's file:line), the
    # traceback belongs in the detail printed above it. Other members: the app's wheel build, a remote command.
    from deploytests.config import load_config
    from deploytests.errors import DeployError, why_failed
    from deploytests.pipeline.artifact import run_build

    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "settings.py").write_text("import os\n\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n")
    (tmp_path / "deploy.toml").write_text(
        'app = "inv"\nentry_point = "inv.wsgi:application"\n'
        'build = ["python -c \\"import runpy; runpy.run_path(\'mysite/settings.py\')\\""]\n')
    with pytest.raises(DeployError) as info:
        run_build(tmp_path, load_config(tmp_path))
    err = info.value
    assert "\n" not in str(err), str(err)
    assert "KeyError: 'DJANGO_SECRET_KEY' (mysite/settings.py:3)" in str(err), str(err)
    assert "Traceback (most recent call last)" in err.detail and "runpy" in err.detail
    # the class's other members share the summary
    assert why_failed("error: subprocess-exited-with-error\n\nnote: This error originates from a subprocess\n") \
        == "note: This error originates from a subprocess"
    assert why_failed(b"") == "no output"
    assert why_failed('Traceback (most recent call last):\n  File "/srv/x/a.py", line 9, in <module>\n'
                      '    f()\n  File "/usr/lib/python3/os.py", line 679, in __getitem__\nKeyError: \'K\'\n',
                      "/srv/x") == "KeyError: 'K' (a.py:9)"


# Class: the app's wheel is built from a copy of the project's files (no .git, nothing above the project), so a
# build that reads the checkout failed: setuptools-scm in a monorepo's service (root = "../..") stopped the gate
# with "setuptools-scm was unable to detect version for /tmp". Other members: hatch-vcs, at the repository's top;
# setuptools-scm's file finder (git's list of the package's files: a template left out of the wheel, silently).
@pytest.mark.network
@pytest.mark.parametrize("layout, files", [
    ("services/api", {"pyproject.toml": '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n'
                                        'build-backend = "setuptools.build_meta"\n\n[project]\nname = "api"\n'
                                        'dynamic = ["version"]\n\n[tool.setuptools_scm]\nroot = "../.."\n',
                      "api/__init__.py": "X = 1\n", "api/templates/page.html": "<p>hi</p>\n"}),
    (".", {"pyproject.toml": '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"'
                             '\n\n[project]\nname = "api"\ndynamic = ["version"]\n\n[tool.hatch.version]\n'
                             'source = "vcs"\n', "api/__init__.py": "X = 1\n",
           "api/templates/page.html": "<p>hi</p>\n"}),
])
def test_a_vcs_versioned_app_gets_the_version_of_its_checkout(tmp_path, seeded, layout, files):
    repo = tmp_path / "repo"
    src = write_tree(repo / layout, files)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    subprocess.run(git + ["tag", "v1.4.0"], check=True)
    cache, _ = seeded
    wheel, built = packmod.app_wheel_for(src, packmod.tree_hash(src), cache)
    assert built and wheel.name.startswith("api-1.4.0-py"), wheel.name
    # and the files git lists, which setuptools-scm tells setuptools to ship (no MANIFEST.in, no package-data)
    import zipfile

    assert "api/templates/page.html" in zipfile.ZipFile(wheel).namelist()
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "two"], check=True)
    subprocess.run(git + ["tag", "v1.5.0"], check=True)  # a new version, not one file changed: built again
    wheel, built = packmod.app_wheel_for(src, packmod.tree_hash(src), cache)
    assert built and wheel.name.startswith("api-1.5.0-py"), wheel.name


# Class (the same: a build reading the checkout, run on a copy without .git): poetry-core leaves out of the wheel
# what git ignores, asking git. A Flask-Babel app built with poetry-core and `*.mo` gitignored: `pip wheel .` in the
# checkout shipped no .mo, pack's wheel (from a copy without .git) did; so would a gitignored local_settings.py
# with a SECRET_KEY in the package, which the project's own build leaves out. Other member: that local_settings.py.
@pytest.mark.network
def test_a_poetry_core_wheel_leaves_out_what_git_ignores_as_in_the_checkout(tmp_path, seeded):
    import zipfile

    src = write_tree(tmp_path / "lingua", {
        "pyproject.toml": '[build-system]\nrequires = ["poetry-core>=2.0.0,<3.0.0"]\nbuild-backend = '
                          '"poetry.core.masonry.api"\n\n[project]\nname = "lingua"\nversion = "0.1.0"\n',
        "lingua/__init__.py": "X = 1\n", "lingua/translations/de/LC_MESSAGES/messages.po": "msgid \"\"\n",
        "lingua/translations/de/LC_MESSAGES/messages.mo": "compiled\n",
        "lingua/local_settings.py": "SECRET_KEY = 'local'\n", ".gitignore": "*.mo\nlocal_settings.py\n"})
    git = ["git", "-C", str(src), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    wheel, built = packmod.app_wheel_for(src, packmod.tree_hash(src), seeded[0])
    names = zipfile.ZipFile(wheel).namelist()
    assert built and "lingua/translations/de/LC_MESSAGES/messages.po" in names, names
    assert "lingua/translations/de/LC_MESSAGES/messages.mo" not in names and "lingua/local_settings.py" not in names


def test_a_wheel_cached_by_an_older_way_of_building_is_built_again(tmp_path, seeded, monkeypatch):
    """Class: a cache keyed by its inputs but not by the code that makes its entries. After pack began to build
    poetry-core wheels as the checkout does (what git ignores left out), an unchanged project reused the wheel an
    older deploytests had cached, with the gitignored files in it, until a file changed. Other member: the
    dependency slots, keyed by DEPS_FORMAT since before."""
    src, _ = copy_app(tmp_path, "yourapplication")
    cache, _ = seeded
    digest = packmod.tree_hash(src)
    first, built = packmod.app_wheel_for(src, digest, cache)
    assert built and packmod.app_wheel_for(src, digest, cache) == (first, False)
    monkeypatch.setattr(packmod, "APP_FORMAT", packmod.APP_FORMAT + 1)
    again, built = packmod.app_wheel_for(src, digest, cache)
    assert built and again != first


def test_the_vcs_file_list_is_skipped_where_git_is_not_installed(tmp_path, monkeypatch):
    """A version setuptools-scm read without git (PKG-INFO, .git_archival.txt): no file list to add, no crash."""
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    packmod.vcs_manifest(tmp_path, tmp_path)
    assert not (tmp_path / "MANIFEST.in").exists()


def _wheel_of(path: Path, files: dict[str, str]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


SPEED = ("try:\n    from ._speed import checksum\nexcept ImportError:  # (the pure-Python fallback)\n"
         "    def checksum(data):\n        return sum(data)\n")


def test_a_module_the_apps_wheel_imports_of_its_own_and_does_not_hold_is_named(tmp_path):
    """Class: the app's wheel lacks a module of its own that its code imports. A project whose setup skips its C
    extension when it cannot compile it builds a wheel tagged ``py3-none-any``: nothing in its name says an
    extension was meant (the platform-tag check sees only ``linux_*`` wheels), and the servers ran the fallback,
    or failed at import. Pack now reads the wheel's own imports (``ast``, nothing runs) against the modules it holds,
    by no name of any project. Other member: a plain module the packaging config left out."""
    dropped = _wheel_of(tmp_path / "tallyho-0.7-py3-none-any.whl", {
        "tallyho/__init__.py": "import os\nfrom flask import Flask\n" + SPEED, "tallyho/views.py": "X = 1\n",
        "tallyho-0.7.dist-info/RECORD": ""})
    (line,) = packmod.unheld_imports(dropped)
    assert line.startswith("the app's wheel tallyho-0.7-py3-none-any.whl does not hold tallyho._speed, which "
                           "tallyho/__init__.py:4 imports: its build left it out"), line
    built = _wheel_of(tmp_path / "tallyho-0.7-cp311-cp311-linux_x86_64.whl", {
        "tallyho/__init__.py": SPEED, "tallyho/_speed.cpython-311-x86_64-linux-gnu.so": "\x7fELF"})
    assert packmod.unheld_imports(built) == []
    # the other member: a module of its own the packaging config does not list, imported absolutely
    listed = _wheel_of(tmp_path / "shop-1-py3-none-any.whl", {
        "shop/__init__.py": "from shop.views import bp\nfrom shop import helpers\n", "shop/helpers.py": ""})
    (line,) = packmod.unheld_imports(listed)
    assert "does not hold shop.views, which shop/__init__.py:1 imports" in line, line
    # not modules: a name its package binds, a * import or a module __getattr__, another project's, the stdlib's
    fine = _wheel_of(tmp_path / "ok-1-py3-none-any.whl", {
        "ok/__init__.py": "from .core import run\nVERSION = '1'\ndef helper():\n    pass\n",
        "ok/core.py": "from ok import VERSION, helper\nfrom . import run as again\nimport ok.core\n",
        "lazy/__init__.py": "def __getattr__(name):\n    return name\n", "lazy/use.py": "from lazy import thing\n",
        "star/__init__.py": "from .core import *\n", "star/core.py": "A = 1\n", "star/use.py": "from star import A\n",
        "ok/ext.py": "import requests\nfrom json import loads\nfrom .. import nothing_above\nfrom ok import __file__\n"
                     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ok.stubs import Thing\n",
        # a namespace another distribution shares (zope.interface imports zope.event), a vendoring import hook
        "zope/interface/__init__.py": "import zope.event\nfrom zope import schema\n",
        "shim/__init__.py": "import sys\nsys.meta_path.append(object())\n",
        "shim/use.py": "from shim.extern import six\n"})
    assert packmod.unheld_imports(fine) == []


OPTIONAL_EXT_SETUP = '''\
# MarkupSafe's and simplejson's pattern: build the speedups, and when they fail to compile, build without them
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildFailed(Exception):
    pass


class TolerantBuildExt(build_ext):
    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            raise BuildFailed() from exc


def run_setup(with_ext):
    setup(name="yourapplication", version=(Path(__file__).parent / "VERSION").read_text().strip(),
          packages=["yourapplication"], include_package_data=True, zip_safe=False, install_requires=["Flask>=2.3"],
          ext_modules=[Extension("yourapplication._speed", ["yourapplication/_speed.c"])] if with_ext else [],
          cmdclass={"build_ext": TolerantBuildExt})


try:
    run_setup(True)
except BuildFailed:
    print("WARNING: the C extension could not be compiled, speedups are not enabled")
    run_setup(False)
'''


def test_pack_names_the_apps_own_extension_its_build_skipped_in_a_wheel_tagged_pure(tmp_path, seeded):
    """The real member: setuptools builds the app (MarkupSafe's pattern: a C extension that fails to compile, the
    setup run again without it): the wheel is ``py3-none-any``, pack said nothing, and the servers ran the
    fallback. Now pack's warnings name the module its code imports and the wheel does not hold."""
    cache, _ = seeded
    src, cfg = copy_app(tmp_path, "yourapplication")
    (src / "setup.py").unlink()
    (src / "setup.py").write_text(OPTIONAL_EXT_SETUP)
    (src / "yourapplication" / "_speed.c").write_text('#error "not ported to this Python"\n')
    init = src / "yourapplication" / "__init__.py"
    init.write_text(init.read_text() + "\n" + SPEED)
    packed = packmod.pack(src, cfg, cache_dir=cache)
    assert "yourapplication-1.0-py3-none-any.whl" in packed.manifest["install"], packed.manifest
    assert any(w.startswith("the app's wheel yourapplication-1.0-py3-none-any.whl does not hold "
                            "yourapplication._speed, which yourapplication/__init__.py:") for w in packed.warnings), \
        packed.warnings
