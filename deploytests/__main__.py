"""Command line: ``deploytests init | fab TASK ... | gate ... | engine up | engine sweep | images build [NAME ...]``
(or ``python -I -m deploytests``: a plain ``-m`` puts the current directory first on ``sys.path``, and a checkout's
``textwrap.py`` ran as root so when the quick start said ``sudo .venv/bin/python -m`` for ``engine up``);
``deploytests --help`` lists the commands.

``engine up`` uses only the standard library until an engine answers, so it works on a bare machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from .closedpipe import tolerate_closed_pipes
from .config import DATA_ONLY
from .errors import DeployTestsError
from .words import count


def _engine_up(args) -> int:
    from .containers.engine import engine_up

    return engine_up(timeout=args.timeout)


def _sweep(args) -> int:
    from .containers import docker_client, sweep

    removed = sweep(docker_client())
    print(f"swept {count(len(removed), 'container')}")
    return 0


def _build(args) -> int:
    from .containers import docker_client, ensure_image
    from .containers.images import image_spec, image_specs

    specs = [image_spec(name) for name in args.images] or list(image_specs().values())
    client = docker_client()
    for spec in specs:  # default: every stack's images, each on its own base
        print(ensure_image(client, spec))
    return 0


def _check_images(build: argparse.ArgumentParser, names: list[str]) -> None:
    """Every name given to ``images build`` is an image of the stacks (a bare NAME: the tag is always the
    content hash of the image's inputs); else one usage error line naming the accepted ones."""
    from .containers.images import image_specs

    known = list(image_specs())
    for name in names:
        if name not in known:
            bare = name.rsplit("/", 1)[-1].split(":", 1)[0]
            build.error(f"unknown image {name!r}; give the name alone, {bare!r}: its tag is always the hash of its "
                        "inputs" if bare in known else f"unknown image {name!r}; give NAME (no tag), one of: "
                        f"{', '.join(known)}")


def _init(args) -> int:
    from .init import init

    root = Path(args.dir)
    if not root.is_dir():
        print(f"deploytests init: error: {root} (the DIR given) is not a directory; give the project's directory, or "
              "nothing for the current one", file=sys.stderr)
        return 2
    print(f"deploytests init: {root.resolve()}")
    init(root)
    return 0


def _fab(args) -> int:
    """Fabric's ``fab`` with deploytests' own tasks as its collection: no ``fabfile.py`` is searched for in the
    current directory or above it, nor the project configuration (``fabric.yaml``) beside one; the project gives
    its deploy.toml, read as data. The admin's bootstrap runs so: the repository's code never runs with the
    admin's keys."""
    from fabric import Config, Executor
    from fabric.main import Fab
    from invoke import Collection

    from . import tasks

    if "bootstrap" in args.rest:  # (the admin's: the project is data, and names no file here outside itself)
        os.environ[DATA_ONLY] = "1"
    program = Fab(name="deploytests fab", binary="deploytests fab", namespace=Collection.from_module(tasks),
                  executor_class=Executor, config_class=Config)
    program.run(["deploytests fab", *args.rest], exit=True)
    return 0


def _gate(args) -> int:
    """pytest with the built-in suite (``--pyargs deploytests.suite``), run from an empty directory with an empty
    ini of its own (``-c``, ``--rootdir``) and no conftest but the suite's: the project's ``pytest.ini``/
    ``pyproject.toml`` keys, their ``addopts`` plugins and ``pythonpath``, its ``conftest.py`` are not loaded, nor
    a pytest plugin of the environment but deploytests' and testinfra's (``pytest11`` entry points: in the
    project's environment, its dependencies' are the repository's choice; ``-p NAME`` loads one, ``-p xdist``) (give
    the app, the target and the targets file on the command line or in ``DEPLOYTESTS_*``: a ``targets.toml`` in a
    checkout is the repository's, and its allowances and ``skip_rules`` decide what the gate accepts). The admin's
    read-only gate runs so."""
    import tempfile

    import pytest

    rest = _absolute(args.rest)
    with tempfile.TemporaryDirectory(prefix="deploytests-gate-") as empty:
        ini = Path(empty) / "pytest.ini"
        ini.write_text("[pytest]\n")
        here, autoload = os.getcwd(), os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
        os.chdir(empty)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # (the environment's pytest11 plugins: the project's too)
        os.environ[DATA_ONLY] = "1"  # (a run that deploys nothing packs nothing: see the suite's artifact source)
        try:
            return int(pytest.main(["-c", str(ini), "--rootdir", empty, "-p", "no:cacheprovider", "-p",
                                    "deploytests.plugin", "-p", "testinfra.plugin", "--pyargs", "deploytests.suite",
                                    *rest]))
        finally:
            os.chdir(here)
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD") if autoload is None else None
            os.environ.pop(DATA_ONLY, None)


def _absolute(argv: list[str]) -> list[str]:
    """``argv`` with the value of each long option (``--app DIR``, ``--targets-file=PATH``) that names a path here
    made absolute (the gate runs from another directory; a path it writes to, give absolute)."""
    out = list(argv)
    for i, word in enumerate(out):
        option, eq, value = word.partition("=")
        if not eq and i and argv[i - 1].startswith("--") and "=" not in argv[i - 1]:
            option, value = "", word
        elif not (eq and option.startswith("--")):
            continue
        if value and not value.startswith("/") and Path(value).exists():
            out[i] = (f"{option}=" if option else "") + str(Path(value).resolve())
    return out


DESCRIPTION = """\
Set up a Flask project for deploytests and prepare this machine's Docker engine and server images.

commands:
  init [DIR]              write deploy.toml, targets.toml, fabfile.py, an example deploy test and the pytest
                          ini keys into a project (default: the current directory); never over a file
  fab TASK ...            Fabric's fab with deploytests' own tasks, never the directory's fabfile.py: for
                          bootstrap (the admin's keys), from a checkout you do not vouch for line by line
  gate [PYTEST ARGS]      the built-in read-only gate (pytest --pyargs deploytests.suite) without the
                          directory's pytest ini, plugins or conftest.py: give --deploytests-app and the target
  engine up               start a Docker engine; installs docker.io and debootstrap with apt when missing
                          (run as root)
  engine sweep            remove the containers left by killed deploytests runs
  images build [NAME ...] build the server images whose tag (a hash of their inputs) is missing
                          (default: every image)

Run `deploytests COMMAND --help` for a command's options. Deploy and verify with `fab` and `pytest`
(see README.md of deploytests)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors in the user's words: ``unknown command 'x'; choose from ...``, never
    argparse's internal names of arguments."""

    def error(self, message: str) -> NoReturn:
        group = self.prog.split(" ", 1)[1] + " " if " " in self.prog else ""  # "engine " for deploytests engine
        choice = re.fullmatch(r"argument (?:COMMAND|ACTION): invalid choice: (\S+) \(choose from (.*)\)", message)
        if choice:
            message = f"unknown {group}command {choice[1]}; choose from {choice[2].replace(chr(39), '')}"
        if re.fullmatch(r"the following arguments are required: (COMMAND|ACTION)", message):
            names = next(a for a in self._actions if isinstance(a, argparse._SubParsersAction)).choices
            message = f"no {group}command given; choose from {', '.join(names)}"
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    """The parser (``images build`` checks its names after parsing)."""
    parser = _Parser(prog="deploytests", usage="deploytests [-h] COMMAND ...", description=DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, help=argparse.SUPPRESS)
    start = sub.add_parser(
        "init", prog="deploytests init", help="set up a project",
        description="Write deploy.toml, targets.toml, fabfile.py, an example deploy test (tests/deploy/) and the "
                    "pytest ini keys into a project, read from the project itself (its entry point, its config). "
                    "Never writes over a file that exists.")
    start.add_argument("dir", nargs="?", default=".", metavar="DIR",
                       help="the project directory (default: the current one)")
    start.set_defaults(func=_init)
    fab = sub.add_parser("fab", prog="deploytests fab", help="fab with deploytests' own tasks", add_help=False,
                         description="Fabric's fab with deploytests' own tasks as its collection.")
    fab.add_argument("rest", nargs=argparse.REMAINDER)
    fab.set_defaults(func=_fab)
    gate = sub.add_parser("gate", prog="deploytests gate", help="the read-only gate", add_help=False,
                          description="pytest --pyargs deploytests.suite, without the directory's ini or conftest.")
    gate.add_argument("rest", nargs=argparse.REMAINDER)
    gate.set_defaults(func=_gate)
    engine = sub.add_parser("engine", prog="deploytests engine", help="the Docker engine",
                            description="The Docker engine the built-in 'docker' target runs its servers on.")
    actions = engine.add_subparsers(dest="action", metavar="ACTION", required=True, title="actions")
    up = actions.add_parser(
        "up", prog="deploytests engine up",
        help="start dockerd when no engine answers; installs docker.io and debootstrap with apt when missing "
             "(run as root)",
        description="Start a Docker engine when none answers; install docker.io and debootstrap with apt when "
                    "missing (needs root).")
    up.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                    help="how long to wait for dockerd to answer (default 60)")
    up.set_defaults(func=_engine_up)
    actions.add_parser(
        "sweep", prog="deploytests engine sweep", help="remove the containers left by killed deploytests runs",
        description="Remove the containers left by killed deploytests runs (only deploytests' own, found by their "
                    "label).").set_defaults(func=_sweep)
    imgs = sub.add_parser("images", prog="deploytests images", help="server images",
                          description="The server images of the built-in 'docker' target, one per stack and role.")
    actions = imgs.add_subparsers(dest="action", metavar="ACTION", required=True, title="actions")
    build = actions.add_parser(
        "build", prog="deploytests images build", help="build the images whose tag (a hash of their inputs) is missing",
        description="Build the server images whose tag, a hash of their inputs, is missing (an image already built "
                    "is not built again).")
    build.add_argument("images", nargs="*", default=[], metavar="NAME",
                       help="an image name without tag, e.g. debian13-bare (default: every image)")
    build.set_defaults(func=_build, check=lambda args: _check_images(build, args.images))
    return parser


def loose_install(places: list[str] | None = None, most: int = 300000) -> str | None:
    """Why the code this process runs may be changed by someone other than the login running it or root (the
    admin's ``fab``/``gate`` run with that login's keys: root on every server), or None. Every place Python takes
    code from is judged whole: deploytests' own package, the site directories (whose ``.pth`` files run at every
    start of this Python, before any deploytests code), and every directory on ``sys.path`` -- the console
    script's own directory first (``import`` looks there before the standard library: a ``pytest.py`` dropped in
    a ``bin/`` others may write ran in the admin's gate), the standard library, its extension modules --: each,
    every file and directory below it (links not followed; where a link leads, judged with the directories above
    it) and every directory above it, the login's or root's and not writable by group or others (a directory
    others may write only with the sticky bit, root's: ``/tmp``) -- as OpenSSH's ``StrictModes`` judges a home.
    A tree past ``most`` entries, or one it may not list, is refused too: what it did not look at is not taken
    for the login's. It cannot undo what such a file already ran: it refuses to go on with an install others may
    change, so the next start is not theirs either."""
    import site
    import stat

    me = os.getuid()
    places = places if places is not None else [str(Path(__file__).parent), *site.getsitepackages(),
                                                 site.getusersitepackages(), *sys.path]
    seen: set[str] = set()
    for place in dict.fromkeys(os.path.normpath(p) for p in places if os.path.isabs(p)):
        if not os.path.lexists(place):
            continue
        found, todo, led = [(place, os.lstat(place))], [place] if os.path.isdir(place) else [], []
        while todo:  # (scandir: one lstat an entry; links not followed)
            try:
                with os.scandir(todo.pop()) as entries:
                    for e in entries:
                        found.append((e.path, e.stat(follow_symlinks=False)))
                        todo += [e.path] if e.is_dir(follow_symlinks=False) else []
                        led += [os.path.realpath(e.path)] if e.is_symlink() else []
            except OSError as exc:
                return f"{exc.filename} could not be listed ({exc.strerror}): the code this command runs is not known"
            if len(found) > most:
                return f"{place} holds more than {most} entries: not looked at whole, so not taken for yours"
        above = [str(q) for r in [place, *led] for q in Path(r).parents] + led
        for path, st in found + [(q, os.lstat(q)) for q in above if q not in seen and os.path.lexists(q)]:
            if path in seen:
                continue
            seen.add(path)
            sticky = stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX and st.st_uid == 0
            loose = st.st_mode & 0o022 and not sticky and not stat.S_ISLNK(st.st_mode)  # (a link's mode is 0777)
            if st.st_uid not in (me, 0) or loose:
                return (f"{path} is {stat.S_IMODE(st.st_mode):04o} uid {st.st_uid}: someone but you and root may "
                        f"change the code this command runs ({place}: a place this Python imports from, or runs "
                        f".pth files of at every start), with your rights (your keys on every server; root's, run "
                        f"as root); make it and the directories above it yours or root's alone (chmod go-w, chown)")
    return None


def main(argv: list[str] | None = None) -> int:
    tolerate_closed_pipes()  # `deploytests init | head`: the command still does all it does
    argv = sys.argv[1:] if argv is None else argv
    admin = argv[:1] in (["fab"], ["gate"])  # (every word after it is fab's or pytest's own)
    loose = loose_install() if admin or os.geteuid() == 0 else None  # (root: every command, `engine up` too)
    if loose:  # (a name another local user chose, shown escaped: this module's own, nothing more is imported)
        shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in loose)
        print(f"deploytests: refused: {shown}", file=sys.stderr)
        return 2
    if admin:
        return {"fab": _fab, "gate": _gate}[argv[0]](argparse.Namespace(rest=argv[1:]))
    args = _parser().parse_args(argv)
    if getattr(args, "check", None):
        args.check(args)
    try:
        return args.func(args)
    except DeployTestsError as exc:
        print(f"deploytests: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
