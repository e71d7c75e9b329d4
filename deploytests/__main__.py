"""Command line: ``deploytests init | engine up | engine sweep | images build [IMAGE ...]`` (or ``python -m
deploytests``).

``engine up`` uses only the standard library until an engine answers, so it works on a bare machine.
"""

from __future__ import annotations

import argparse
import sys


def _engine_up(args) -> int:
    from .containers.engine import engine_up

    return engine_up(timeout=args.timeout)


def _sweep(args) -> int:
    from .containers import docker_client, sweep

    removed = sweep(docker_client())
    print(f"swept {len(removed)} container(s)")
    return 0


def _build(args) -> int:
    from .containers import docker_client, ensure_image
    from .containers.images import image_spec, image_specs

    specs = [image_spec(name) for name in args.images] or list(image_specs().values())  # an unknown name fails first
    client = docker_client()
    for spec in specs:  # default: every stack's images, each on its own base
        print(ensure_image(client, spec))
    return 0


def _init(args) -> int:
    from pathlib import Path

    from .init import init

    root = Path(args.dir)
    if not root.is_dir():
        print(f"deploytests init: {root} is not a directory", file=sys.stderr)
        return 2
    print(f"deploytests init: {root.resolve()}")
    init(root)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploytests", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="group", required=True)
    start = sub.add_parser("init", help="write deploy.toml, targets.toml, fabfile.py, an example deploy test "
                                        "and the pytest ini keys into a project (never over a file)")
    start.add_argument("dir", nargs="?", default=".", help="the project directory (default: the current one)")
    start.set_defaults(func=_init)
    engine = sub.add_parser("engine", help="the Docker engine").add_subparsers(dest="action", required=True)
    up = engine.add_parser("up", help="install (apt) and start dockerd when no engine answers")
    up.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for dockerd (default 60)")
    up.set_defaults(func=_engine_up)
    engine.add_parser("sweep", help="remove containers left by killed runs").set_defaults(func=_sweep)
    imgs = sub.add_parser("images", help="server images").add_subparsers(dest="action", required=True)
    build = imgs.add_parser("build", help="build images whose content-hash tag is missing")
    build.add_argument("images", nargs="*", default=[],
                       help="image names the server stacks give, e.g. debian13-bare (default: all of them)")
    build.set_defaults(func=_build)
    args = parser.parse_args(argv)
    from .errors import DeployTestsError

    try:
        return args.func(args)
    except DeployTestsError as exc:
        print(f"deploytests: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
