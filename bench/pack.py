"""Pack timings: cold (empty cache), warm (nothing changed), after editing a test file, after editing code.

Figures only, nothing asserted. Each case packs a copy of the app in a temporary directory::

    python bench/pack.py                       # the bundled example app (setup.py, setuptools)
    python bench/pack.py --app PATH --runs 3   # any project with a deploy config

"cold" starts from an empty cache directory: the app's build environment is made (its build backend from
PyPI), the dependency wheels are downloaded, everything is installed into the release tree and byte-compiled.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploytests.config import load_config
from deploytests.pipeline import artifact as packmod


def default_app() -> Path:
    for candidate in (ROOT / "deploytests" / "examples" / "apps" / "yourapplication",):
        if candidate.is_dir():
            return candidate
    raise SystemExit("no example app found; pass --app")


def timed(src: Path, cache: Path) -> tuple[float, str]:
    started = time.perf_counter()
    art = packmod.pack(src, load_config(src), cache_dir=cache)
    return time.perf_counter() - started, art.sha256[:8]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3, help="warm runs (median)")
    args = parser.parse_args()
    app = (args.app or default_app()).resolve()
    with tempfile.TemporaryDirectory(prefix="deploytests-bench-pack-") as tmp:
        src = Path(tmp) / "app"
        shutil.copytree(app, src, symlinks=False)
        deploy = src / "deploy.toml"
        if deploy.is_file():  # config_file paths are relative to the original location
            text = deploy.read_text()
            deploy.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("config_file")) + "\n")
        cache = Path(tmp) / "cache"
        rows = [("cold", *timed(src, cache))]
        warm = [timed(src, cache) for _ in range(args.runs)]
        rows.append((f"warm (median of {args.runs})", statistics.median(t for t, _ in warm), warm[0][1]))
        (src / "tests").mkdir(exist_ok=True)
        (src / "tests" / "test_bench.py").write_text(f"def test_x():\n    assert {time.time()!r}\n")
        rows.append(("a test file edited", *timed(src, cache)))
        pkg = next(p.parent for p in sorted(src.rglob("__init__.py")) if "tests" not in p.parts)
        (pkg / "bench_extra.py").write_text(f"X = {time.time()!r}\n")
        rows.append(("app code edited", *timed(src, cache)))
    print(f"pack of {app.name}, Python {sys.version.split()[0]}")
    for name, seconds, sha in rows:
        print(f"  {name:24} {seconds:7.2f} s   artifact {sha}")


if __name__ == "__main__":
    main()
