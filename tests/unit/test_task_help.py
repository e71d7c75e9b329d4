"""``fab --help TASK`` describes every option of every task (the ``help=`` of ``@task``).

Each check runs in a fresh interpreter: invoke hands a task's help texts out once (``get_arguments`` pops them),
so a task already parsed in this process would show none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deploytests.init import FABFILE

UNDESCRIBED = """\
import json
from fabric.tasks import Task
from deploytests import tasks
print(json.dumps({name: [a.name for a in obj.get_arguments() if not a.help]
                  for name, obj in sorted(vars(tasks).items()) if isinstance(obj, Task)}))
"""


def test_every_task_option_has_a_help_text():
    out = subprocess.run([sys.executable, "-c", UNDESCRIBED], capture_output=True, text=True, check=True).stdout
    tasks = ("bootstrap", "deploy", "pack", "rollback", "run", "status", "target")
    assert json.loads(out) == {name: [] for name in tasks}


def test_fab_help_deploy_says_what_config_overrides(tmp_path: Path):
    (tmp_path / "fabfile.py").write_text(FABFILE)  # the project's fabfile, as init writes it
    fab = Path(sys.executable).with_name("fab")
    out = subprocess.run([str(fab), "--help", "deploy"], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout
    text = " ".join(out.split())
    for option, words in [("--config=STRING", "default: the target's config_file, else deploy.toml's (with -H: "
                                              "always deploy.toml's)"),
                          ("--target=STRING", "a target of targets.toml"), ("--rolling", "one host at a time"),
                          ("--app=STRING", "the app's project directory")]:
        assert f"{option} " in text and words in text, out
