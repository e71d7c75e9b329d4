"""The worked example of docs/writing-checks.md, run as a user would: its files written into a new project
outside this repository, its deploy checks run by pytest against 2 real containers (deploy, then verify)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
DOC = Path(__file__).resolve().parents[2] / "docs" / "writing-checks.md"
EXAMPLE_FILE = re.compile(r"^File `([^`]+)`:\n\n```\w*\n(.*?)```", re.S | re.M)


def test_worked_example_deploy_checks_pass_on_containers(tmp_path):
    for path, body in EXAMPLE_FILE.findall(DOC.read_text()):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(body)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPLOYTESTS_", "PYTEST_"))}
    # the project's own pyproject.toml (filterwarnings = error) is the ini file; the app is the project itself
    proc = subprocess.run([sys.executable, "-m", "pytest", "tests/deploy", "-p", "no:cacheprovider", "-q", "-rfEs"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert re.search(r"\b10 passed\b", out), out[-3000:]  # 5 checks x 2 servers, none skipped
