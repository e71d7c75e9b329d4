"""What the installed plugin costs a pytest run that does not use it, printed as figures.

The plugin is loaded into every pytest run of an environment that installs deploytests (entry point
``pytest11``). This times an unrelated project -- plain unit tests, no deploytests option, no deploy.toml, no
``deploytests.suite`` -- run with the plugin and with ``-p no:deploytests``, best of N (the machine's load only
ever adds; wall and CPU seconds, the runs interleaved), for the modes such a project runs: a plain run,
``--collect-only``, ``--help`` and, when pytest-xdist is installed, ``-n 2``. It also prints what importing the
plugin costs beyond pytest (the part a loaded plugin always pays). Figures only: nothing here asserts a time.

    python bench/inert.py                 # 200 tests in 10 files, best of 7
    python bench/inert.py --tests 1000 --runs 11
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def project(root: Path, tests: int, files: int) -> None:
    """A project with plain unit tests only (and a fixture named like one of ours, as projects have)."""
    root.joinpath("pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    root.joinpath("conftest.py").write_text("import pytest\n\n\n@pytest.fixture\ndef server():\n    return 'mine'\n")
    per = max(1, tests // files)
    for f in range(files):
        body = "".join(f"def test_{i}(server):\n    assert server == 'mine'\n\n\n" for i in range(per))
        root.joinpath(f"test_unit_{f}.py").write_text(body)


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; the CPU time (user + system of the run and the processes it waited
    for: xdist's workers) moves far less than the wall time on a machine other jobs load."""
    before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall, after = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 5):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(commands: list[list[str]], cwd: Path, runs: int) -> list[tuple[float, float]]:
    """The best of ``runs`` (wall, CPU) seconds of each command, run in turn (so a change of the machine's load
    falls on each of them alike)."""
    times: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            times[i].append(timed(cmd, cwd))
    return [(min(w for w, _ in t), min(c for _, c in t)) for t in times]


def import_cost(runs: int) -> float:
    """Best-of-N seconds of ``import deploytests.plugin`` in a process that already imported pytest."""
    code = ("import time, pytest; t = time.perf_counter(); import deploytests.plugin; "
            "print(time.perf_counter() - t)")
    return min(float(subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.PIPE,
                                    text=True).stdout) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    modes = {"plain run": ["-q"], "--collect-only": ["-q", "--co"], "--help": ["--help"]}
    if importlib.util.find_spec("xdist") is not None:
        modes["-n 2"] = ["-q", "-n", "2"]
    with tempfile.TemporaryDirectory(prefix="deploytests-inert-") as tmp:
        root = Path(tmp)
        project(root, args.tests, args.files)
        base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
        print(f"unrelated project: {args.tests} tests in {args.files} files; best of {args.runs} "
              f"(python {sys.version.split()[0]})")
        print(f"{'mode':<16}{'wall without':>14}{'with':>10}{'cost':>10}{'CPU without':>14}{'with':>10}{'cost':>10}")
        for name, extra in modes.items():
            without, with_ = best([[*base, "-p", "no:deploytests", *extra], [*base, *extra]], root, args.runs)
            print(f"{name:<16}{without[0]:>13.3f}s{with_[0]:>9.3f}s{with_[0] - without[0]:>+9.3f}s"
                  f"{without[1]:>13.3f}s{with_[1]:>9.3f}s{with_[1] - without[1]:>+9.3f}s")
        print(f"import deploytests.plugin beyond pytest: {import_cost(args.runs):.3f}s")


if __name__ == "__main__":
    main()
