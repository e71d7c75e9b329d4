"""The wheel's metadata as users' tools read it: the license as an SPDX expression (PEP 639), built without the
deprecation warning that the old ``license = { text = ... }`` table printed on every build."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_license_is_an_spdx_expression_and_setuptools_can_read_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    requires = project["build-system"]["requires"] + project["project"]["optional-dependencies"]["test"]
    assert [r for r in requires if r.startswith("setuptools")] == ["setuptools>=77", "setuptools>=77"]


def test_the_metadata_says_license_expression_and_building_warns_nothing_about_it(tmp_path):
    """setuptools' own metadata step (what ``python -m build`` and ``pip wheel`` run), with its deprecation warnings
    as errors: the old table said ``project.license as a TOML table is deprecated`` here."""
    code = ("import sys; from setuptools import build_meta; "
            "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))")
    built = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code, str(tmp_path)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "deprecated" not in built.stdout + built.stderr
    metadata = (tmp_path / built.stdout.split()[-1] / "METADATA").read_text()
    assert "License-Expression: MIT\n" in metadata and "\nLicense: " not in metadata
