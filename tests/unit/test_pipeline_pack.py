"""pack without network: the dependency cache is seeded with stand-in wheels, the app wheel is really built."""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from deploytests.config import load_config
from deploytests.pipeline import artifact as packmod

APPS = Path(__file__).resolve().parents[2] / "fixtures" / "apps"




@pytest.fixture(scope="session")
def installer_wheel(tmp_path_factory) -> Path:
    """pypa installer's real wheel: from this machine's deploytests cache, else downloaded once (PyPI)."""
    cached = sorted((packmod.default_cache_dir() / "wheels").glob("*/installer-*-py3-none-any.whl"))
    if cached:
        return cached[-1]
    dest = tmp_path_factory.mktemp("installer")
    packmod.pip_download(["installer"], "3.11", dest)
    return next(dest.glob("installer-*-py3-none-any.whl"))


def stand_in_wheel(path: Path, scripts: dict[str, str] | None = None) -> None:
    """A minimal valid wheel (one module, dist-info, optional console scripts) named like ``path``."""
    name, version = path.name.split("-")[:2]
    info = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f"NAME = {path.name!r}\n",
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    if scripts:
        files[f"{info}/entry_points.txt"] = "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())
    files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in files.items():
            zf.writestr(member, text)


@pytest.fixture
def seeded(tmp_path, monkeypatch, installer_wheel):
    """A cache dir whose dependency slot for any requirement set holds stand-in wheels (valid, one module each;
    flask has a console script) and pypa installer's real wheel (see ``installer_wheel``); no pip runs."""
    def fake_download(requires, python_version, dest):
        shutil.copy(installer_wheel, dest / "installer-0.7.0-py3-none-any.whl")
        stand_in_wheel(dest / "flask-3.0.0-py3-none-any.whl", {"flask": "flask:main"})
        stand_in_wheel(dest / "markupsafe-2.1.5-cp311-cp311-manylinux2014_x86_64.whl")
        calls.append((tuple(requires), python_version))
    calls = []
    monkeypatch.setattr(packmod, "pip_download", fake_download)
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
    assert names == ["manifest.json", "tree/app.tar", "tree/deps.tar"]  # no wheels: the tree is prebuilt
    assert manifest["installer_wheel"] == "installer-0.7.0-py3-none-any.whl" and manifest["python_version"] == "3.11"
    assert manifest["wheels"] == [] and manifest["tree"] == ["tree/app.tar", "tree/deps.tar"]
    assert "installer-0.7.0-py3-none-any.whl" not in manifest["install"]  # the tool, not a dependency
    assert "yourapplication-1.0-py3-none-any.whl" in manifest["install"]
    assert calls == [(("installer", "Flask>=2.3"), "3.11")]
    assert not (src / "build").exists() and not list(src.glob("*.egg-info"))  # the project dir stays clean
    again = packmod.pack(src, cfg, cache_dir=cache)
    assert again.cached and again.sha256 == first.sha256 and again.seconds < 0.5 and len(calls) == 1
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


def test_broken_build_names_the_project_and_the_reason(tmp_path, seeded):
    (tmp_path / "setup.py").write_text("raise SystemExit('setup.py is broken')\n")
    (tmp_path / "deploy.toml").write_text('app = "x"\nentry_point = "x:app"\n')
    with pytest.raises(packmod.DeployError) as info:
        packmod.pack(tmp_path, load_config(tmp_path), cache_dir=seeded[0])
    assert str(info.value) == (f"{tmp_path}: building the app's wheel failed (setuptools.build_meta:__legacy__): "
                               "setup.py is broken. Hint: run `python -m build --wheel` (or `pip wheel .`) in "
                               "the project to see why.")


def test_missing_build_backend_is_named(tmp_path, seeded, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["nosuchbackend"]\n'
                                             'build-backend = "nosuchbackend.api"\n')
    (tmp_path / "deploy.toml").write_text('app = "x"\nentry_point = "x:app"\n')
    monkeypatch.setattr(packmod, "_build_isolated", lambda *a: (_ for _ in ()).throw(ImportError("build")))
    with pytest.raises(packmod.DeployError, match=r"building the app's wheel failed: its build backend "
                                                  r"nosuchbackend.api is not installed here"):
        packmod.pack(tmp_path, load_config(tmp_path), cache_dir=seeded[0])


def test_installer_is_installed_when_the_app_requires_it(tmp_path):
    wheels = [tmp_path / n for n in ("installer-0.7.0-py3-none-any.whl", "flask-3.0.0-py3-none-any.whl")]
    app = tmp_path / "app-1.0-py3-none-any.whl"
    assert packmod.install_list(app, wheels, ["Flask>=2.3"]) == ["app-1.0-py3-none-any.whl",
                                                                 "flask-3.0.0-py3-none-any.whl"]
    assert "installer-0.7.0-py3-none-any.whl" in packmod.install_list(app, wheels, ["installer>=0.7; python_version>'3'"])


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
