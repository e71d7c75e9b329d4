"""Output to a pipe its reader closed: the command does all it does, without a traceback.

Class: output to a closed pipe across the CLI's commands. `deploytests init | head -1` ended in a
BrokenPipeError traceback (after writing some files, before others: the prints are between the writes), and
`fab target NAME status | head -1` hung (tests/unit/test_pipeline_commands.py has that member). Other members
tried: `deploytests --help | head -1`, a fab task whose lines go to a closed stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from deploytests.closedpipe import ClosedPipeTolerant

FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n\n@app.get('/health')\ndef health():\n    return 'ok'\n"


def _closed_after_first_line(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``cmd`` with its stdout read for one line and then closed, as ``| head -1`` does."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    with proc, proc.stderr:
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        rc = proc.wait(120)
    return subprocess.CompletedProcess(cmd, rc, first, err)


def test_deploytests_init_into_a_closed_pipe_writes_every_file_without_a_traceback(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(FLASK_APP)
    done = _closed_after_first_line([sys.executable, "-m", "deploytests", "init", str(tmp_path)], tmp_path)
    assert done.stdout.startswith(b"deploytests init:")
    assert b"Traceback" not in done.stderr and done.returncode == 0, done.stderr.decode()
    for rel in ("deploy.toml", "targets.toml", "fabfile.py", "tests/deploy/test_deploy.py"):
        assert (tmp_path / rel).is_file(), rel


def test_deploytests_help_into_a_closed_pipe(tmp_path):
    done = _closed_after_first_line([sys.executable, "-m", "deploytests", "--help"], tmp_path)
    assert b"Traceback" not in done.stderr and done.returncode == 0, done.stderr.decode()


def test_a_fab_task_into_a_closed_pipe_does_all_it_does(tmp_path):
    script = textwrap.dedent("""
        import sys
        from deploytests.tasks import one_line_errors

        @one_line_errors
        def chatty():
            for i in range(2000):
                print(f"line {i} " + "x" * 60)
            open(sys.argv[1], "w").write("done")

        chatty()
    """)
    marker = tmp_path / "done"
    done = _closed_after_first_line([sys.executable, "-c", script, str(marker)], tmp_path)
    assert b"Traceback" not in done.stderr and done.returncode == 0, done.stderr.decode()
    assert marker.read_text() == "done"


class _Closed:
    def __init__(self):
        self.writes = 0

    def write(self, text):
        self.writes += 1
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        raise ValueError("no descriptor")


def test_the_wrapper_drops_output_once_the_reader_is_gone():
    closed = _Closed()
    out = ClosedPipeTolerant(closed)
    assert out.write("a\n") == 2 and out.reader_gone
    out.write("b\n")
    out.flush()
    assert closed.writes == 1  # the second write never reached the closed stream
