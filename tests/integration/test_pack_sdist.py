"""Acceptance: an app whose dependency exists only as an sdist deploys, and the server imports it.

What a user does: their library is published nowhere as a wheel; they run ``python -m build --sdist`` in it, put
the ``.tar.gz`` into ``vendor/`` of the app project and name that directory in the deploy config
(``find_links = ["vendor"]``). pack builds the wheel on the runner (pure Python: fine for the server's CPU), the
app itself is built with its own backend (hatchling, not installed on the runner) in an isolated build env. The
app's own deploy test GETs a route that calls the library on a real container. Before this, pack dropped the
sdist and the server raised ModuleNotFoundError.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deploytests.pipeline.artifact import default_cache_dir

pytestmark = pytest.mark.integration

LIBRARY = {
    "pyproject.toml": '[build-system]\nrequires = ["flit_core>=3.4,<4"]\nbuild-backend = "flit_core.buildapi"\n\n'
                      '[project]\nname = "dt-sdistonly"\nversion = "0.1"\ndescription = "published as an sdist only"\n',
    "dt_sdistonly/__init__.py": "def shout(text):\n    return text.upper() + '!'\n",
}

APP = {
    "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
                      '[project]\nname = "shoutapp"\nversion = "1.0"\n'
                      'dependencies = ["Flask>=2.3", "dt-sdistonly>=0.1"]\n\n'
                      '[tool.hatch.build.targets.wheel]\npackages = ["shoutapp"]\n\n'
                      '[tool.deploytests]\napp = "shoutapp"\nentry_point = "shoutapp:create_app()"\n'
                      'find_links = ["vendor"]\n',
    "shoutapp/__init__.py": (
        "from flask import Flask\n\n\ndef create_app():\n    import dt_sdistonly\n\n    app = Flask(__name__)\n\n"
        "    @app.get('/health')\n    def health():\n        return 'ok'\n\n"
        "    @app.get('/shout/<word>')\n    def shout(word):\n        return dt_sdistonly.shout(word)\n\n"
        "    return app\n"),
    "tests/test_deployed.py": (
        "def test_the_sdist_only_library_runs_on_the_server(http):\n"
        "    answer = http.get('/shout/hello')\n"
        "    assert answer.status_code == 200 and answer.text == 'HELLO!', answer.text\n"),
    "pytest.ini": "[pytest]\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_an_sdist_only_dependency_deploys_and_imports_on_the_server(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(default_cache_dir().parent))  # build envs are kept between runs
    library = write_tree(tmp_path / "library", LIBRARY)
    app = write_tree(pytester.path, APP)
    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(app / "vendor"),
                            str(library)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    assert [p.name for p in (app / "vendor").iterdir()] == ["dt_sdistonly-0.1.tar.gz"]  # no wheel anywhere

    result = pytester.runpytest_subprocess("tests", "--app", str(app), "--containers", "1", "-p", "no:cacheprovider",
                                           timeout=600)
    out = result.stdout.str()
    assert result.ret == 0, out
    result.assert_outcomes(passed=1)
    assert "docker://web-1: release " in out

    # the same app without the vendor dir: pack refuses naming the requirement, and the session stops once
    pyproject = app / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('find_links = ["vendor"]\n', ""))
    result = pytester.runpytest_subprocess("tests", "--app", str(app), "--containers", "1", "-p", "no:cacheprovider",
                                           timeout=600)
    out = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, out
    refusals = [ln for ln in out.splitlines() if "requirement 'dt-sdistonly>=0.1': no wheel of it" in ln]
    assert len(refusals) == 1 and "building one from source on this runner failed" in refusals[0], out
    assert result.parseoutcomes() == {}, out  # "no tests ran": not one error per test
    print("\n".join(ln for ln in out.splitlines() if "deploytests" in ln or "no tests ran" in ln))
