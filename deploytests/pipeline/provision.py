"""bootstrap: make a server ready for deploys, idempotently; the only step that uses root (one run of one program).

First the server's ``/etc/os-release`` is read and its stack picked (:mod:`deploytests.stacks`; an OS no stack
matches is refused in one line naming the supported ones): the stack supplies the packages, Apache's paths and
tools, the vhost template and the interpreter root runs, a fixed path (``/usr/bin/python3.11`` on Debian 12). Then
one look as the login itself, no sudo (:func:`deploytests.verify.facts.before_bootstrap`: the login collector and
``apache2ctl -S``), which refuses in one line, before anything changes, Apache files root would read that someone
else may change, a ``server_name`` and ``port`` another site answers (:func:`clashes`), and users bootstrap may
not take (:func:`users_problem`, from root's account files). Then one run of the root agent (``agent_root.py``:
``sudo -n <stack python> -c <its source> bootstrap '<json>'``; never ``python`` from deploy.toml, nothing on
stdin), under a server-wide lock (``/var/lib/deploytests/bootstrap.lock``).
Its arguments are a closed set the agent checks against fixed patterns (``agent_root.PATTERNS``); it:

- installs with apt, after waiting (bounded) for dpkg's lock, what the look found missing of the stack's packages
  (dpkg's database, which anyone may read: root runs no query of it);
- creates the app's system user (recorded as deploytests'; root refuses again an existing account of any other
  kind) and adds the deploy login (an existing login, never the app user) to its group;
- makes ``/var/www/<app>``, the deploy login's, group app, setgid (2755), and in it only a placeholder
  ``application.wsgi`` where nothing is (the daemons load it until the first deploy): the deploy login makes
  ``releases/``, ``shared/`` and its data dirs (the app group's, through the setgid bit), the lock and
  ``application.wsgi`` at its first deploy, with its own rights; ``python/``, the daemons' python-home, root's.
  Root writes only in directories of root's that only root may write;
- writes the vhost, enables
  mod_wsgi and the site, disables ``000-default``, adds a global ``ServerName`` if Apache has none, runs
  ``apache2ctl configtest`` and reloads only when something changed and the test passed; the runner then waits
  (bounded, as the login) until Apache has loaded that configuration (:func:`wait_loaded`: its pid file rewritten),
  so the server is in a state its own gate accepts when bootstrap returns;
- last, ``/etc/sudoers.d/deploytests-<app>`` (checked by ``visudo``): the deploy login may run its releases'
  python as the app user; nothing as root. A failed bootstrap removes the grants it added.

The config is not bootstrap's: deploys install it (the deploy login's file, the app group's to read).
"""

from __future__ import annotations

import posixpath
import re
import shlex
import time
from dataclasses import dataclass, field

from ..config import DeployConfig
from ..errors import DeployError
from ..stacks import Stack, detect
from ..verify import parse
from ..verify.collect_login import PIDFILE
from ..verify.facts import before_bootstrap
from ..verify.parse import Users
from . import templates
from .contract import BootstrapReply
from .remote import ROOT_AGENT_SOURCE, Progress, call_agent, label_of


@dataclass
class BootstrapResult:
    """What bootstrap did on one host: ``changes`` (one line each, no secrets), per-step ``timings``."""

    host: str
    changed: bool
    changes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    python_version: str = ""  # the stack's python3, "X.Y": the interpreter root ran
    machine: str = ""  # os.uname().machine of the server: the wheels' platform must match it
    stack: str = ""


def bootstrap_args(cfg: DeployConfig, stack: Stack, *, deploy_user: str, dpkg_lock_timeout: float = 120,
                   lock_timeout: float = 300) -> dict:
    """The root agent's arguments (pure): the app's values deploy.toml's checks passed, and the stack's data
    (``packages``). The agent checks them again against its fixed patterns; the timeouts go as text."""
    return {
        **stack.behaviour("bootstrap").agent_args(stack),
        "app": cfg.app, "app_user": cfg.app_user, "deploy_user": deploy_user,
        "vhost": templates.vhost(cfg, stack=stack),
        "dpkg_lock_timeout": "%.3f" % dpkg_lock_timeout, "lock_timeout": "%.3f" % lock_timeout,
    }


def bootstrap(c, cfg: DeployConfig, *, progress: Progress | None = None, dpkg_lock_timeout: float = 120,
              lock_timeout: float = 300, stack: Stack | None = None) -> BootstrapResult:
    """Prepare the server behind ``c`` for ``cfg``'s app. The config is not sent: deploys install it.

    ``c`` must be a login with passwordless sudo. The deploy user is ``cfg.deploy_user`` or, if unset, ``c.user``.
    ``stack`` is read from the server's ``/etc/os-release`` unless given (raises
    :class:`~deploytests.stacks.UnsupportedServer` for an OS no stack matches); root runs its ``python``.
    """
    started = time.monotonic()
    stack = stack or detect(c, label_of(c))
    args = bootstrap_args(cfg, stack, deploy_user=cfg.deploy_user or c.user, dpkg_lock_timeout=dpkg_lock_timeout,
                          lock_timeout=lock_timeout)
    wait_started(c, stack.python, stack.apache.process_name)  # (a reload sent while Apache starts is not one)
    look = before_bootstrap(c, cfg.app, stack.python)  # as the login, no sudo: Apache's files, root's accounts
    if look["refused"]:  # root runs apache2ctl: only on a config root alone controls
        raise DeployError(f"bootstrap refused: root does not run apache2ctl here: {look['refused']}",
                          where=label_of(c), hint="make that file (and the directories above it) root's and not "
                          "writable by others, or remove the line of Apache's configuration that names it; then "
                          "bootstrap again")
    other = clashes(look["sites"], cfg.port, cfg.server_name, (cfg.app + ".conf", stack.apache.default_site + ".conf"))
    if other:
        raise DeployError(f"bootstrap failed at apache: server_name {cfg.server_name!r} port {cfg.port} is already "
                          f"served by {', '.join(other)}: two sites would answer for one name", where=label_of(c),
                          hint="set server_name in deploy.toml to this app's own host name")
    args["packages"] = missing_packages(c, look, stack.packages)
    problem = users_problem(look, args["app_user"], args["deploy_user"], cfg.app)
    if problem:
        raise DeployError(f"bootstrap failed at users: {problem[1]}", where=label_of(c),
                          hint="set %s in deploy.toml to %s" % (problem[0], "a new name: bootstrap creates the app "
                               "user" if problem[0] == "app_user" else "the login deploys use"))
    event = call_agent(c, "bootstrap", args, sudo=True, python=stack.python, step="bootstrap", progress=progress,
                       source=ROOT_AGENT_SOURCE)
    res = BootstrapReply.from_dict(event, ignore=("event",))
    if any(change in RELOADS for change in res.changes):
        wait_loaded(c, stack.python, ((look.get("files") or {}).get(PIDFILE) or {}).get("st"))
    return BootstrapResult(host=label_of(c), changed=res.changed, changes=res.changes, timings=res.timings,
                           seconds=time.monotonic() - started, python_version=stack.python_version,
                           machine=res.machine, stack=stack.name)


def missing_packages(c, look: dict, packages) -> str:
    """What root installs: the stack's ``packages`` that dpkg's database, as the look read it (as the login: anyone
    may), does not have installed, one blank between them. A database the look could not read stops bootstrap in
    one line."""
    entry = (look.get("files") or {}).get(DPKG_STATUS) or {}
    if "data" not in entry:
        raise DeployError(f"bootstrap refused: the look could not read {DPKG_STATUS} ({entry.get('why', 'not read')})",
                          where=label_of(c), hint="make it root's regular file, mode 0644, as dpkg keeps it; then "
                          "bootstrap again")
    state = parse.packages(entry["data"].encode("latin-1"), packages)
    return " ".join(p for p in packages if state[p] != "installed")


DPKG_STATUS = "/var/lib/dpkg/status"  # read by the look (collect_login.collect's check mode)


# ---------------------------------------------------------------- Apache's reload, in force

RELOADS = ("apache reloaded (graceful)", "apache started")  # the root agent's changes that (re)load Apache
# Apache's parent rewrites its pid file after it has read its configuration: at a start, and at a graceful reload
# on its next tick, after ``apache2ctl graceful`` has returned. Until then the configuration in force is the old
# one. Run as the login (the file is root's, world-readable); argv: the pid file, its mtime before (-1: none), the
# seconds to wait. Exit 0 once its mtime differs, 1 if it never did.
LOADED = b"""import os, sys, time
path, before, end = sys.argv[1], float(sys.argv[2]), time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    try:
        if os.stat(path).st_mtime != before:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
"""
LOADED_TIMEOUT = 30.0


# Apache's root parent writes its pid file once it has read its configuration and opened its sockets: until then
# it is starting, and what root writes meanwhile may or may not be read by it (a graceful sent then is no reload
# of its own: it lands while that start reads). Run as the login (/proc/<pid>/stat and status are world-readable,
# the pid file too); argv: the pid file, Apache's process name, the seconds to wait, its parent's uid (root's).
# Exit 0 once no such process runs, or the pid file names one of them (started); 1 with the pids if never.
STARTED = b"""import os, sys, time
path, name, end, owner = sys.argv[1], sys.argv[2], time.monotonic() + float(sys.argv[3]), sys.argv[4].encode()
while True:
    roots = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid, "rb") as f:
                comm = f.read().split(b"(", 1)[1].rsplit(b")", 1)[0]
            with open("/proc/%s/status" % pid, "rb") as f:
                uid = [ln.split()[1] for ln in f if ln.startswith(b"Uid:")][0]
        except (OSError, IndexError):
            continue
        if comm == name.encode() and uid == owner:
            roots.add(int(pid))
    try:
        with open(path, "rb") as f:
            named = int(f.read().strip() or 0)
    except (OSError, ValueError):
        named = None
    if not roots or named in roots:
        sys.exit(0)
    if time.monotonic() > end:
        print(" ".join(map(str, sorted(roots))))
        sys.exit(1)
    time.sleep(0.05)
"""


def wait_started(c, python: str, name: str, timeout: float = LOADED_TIMEOUT) -> None:
    """Return once Apache is not in the middle of its start: no root ``name`` process runs, or its pid file names
    one (it has read its configuration). Bootstrap changes Apache's configuration and reloads it; on a server
    whose Apache is still starting (just booted, just installed, a container's entrypoint) what root wrote
    meanwhile may or may not be in force, and the gate rightly cannot tell. One round trip, as the login; a
    :class:`DeployError` naming the pids when Apache is still starting after ``timeout`` seconds."""
    line = "%s -I -S -c %s %s %s %g 0" % (shlex.quote(python), shlex.quote(STARTED.decode()), PIDFILE,
                                          shlex.quote(name), timeout)
    res = c.run(line, hide=True, warn=True, in_stream=False, timeout=timeout + 30)
    if not res.ok:
        raise DeployError(f"bootstrap: Apache (root pid {res.stdout.strip()[:80]}) was still starting after "
                          f"{timeout:g}s ({PIDFILE} names no running parent): a configuration root changed now "
                          f"might not be the one it runs", where=label_of(c),
                          hint="see /var/log/apache2/error.log; bootstrap again once Apache has started (or stop it)")


def wait_loaded(c, python: str, before: list | None, timeout: float = LOADED_TIMEOUT) -> None:
    """Return once Apache has loaded the configuration root just (re)loaded: its pid file's mtime differs from
    ``before`` (its ``lstat`` from the look before root ran: ``[mode, uid, gid, size, mtime, ...]``, None when
    absent). The gate dates the configuration in force by that file, so a gate started after bootstrap returns
    judges what bootstrap wrote, not the configuration Apache ran before. One round trip, as the login; a
    :class:`DeployError` when Apache has not rewritten it within ``timeout`` seconds."""
    line = "%s -I -S -c %s %s %r %g" % (shlex.quote(python), shlex.quote(LOADED.decode()), PIDFILE,
                                        before[4] if before else -1.0, timeout)
    res = c.run(line, hide=True, warn=True, in_stream=False, timeout=timeout + 30)
    if not res.ok:
        raise DeployError(f"bootstrap: Apache did not load its new configuration within {timeout:g}s of its reload "
                          f"({PIDFILE} not rewritten): the configuration in force is not the one on disk",
                          where=label_of(c), hint="see /var/log/apache2/error.log (sudo apache2ctl graceful once "
                          "it is fixed), then bootstrap again")


# ---------------------------------------------------------------- the users (checked here, before root runs)

ACCOUNTS = ("/etc/passwd", "/etc/login.defs", "/var/lib/deploytests/users")  # collect_login.ACCOUNTS
RANGES = {"UID_MIN": 1000, "UID_MAX": 60000, "SYS_UID_MIN": 100, "SYS_UID_MAX": 999}  # Debian's defaults


def users_problem(look: dict, app_user: str, deploy_user: str, app: str = "app") -> tuple[str, str] | None:
    """(role, why) when ``app_user`` or ``deploy_user`` may not be bootstrap's for ``app``, from root's account
    files and the ``lstat`` of ``/var/www/<app>`` as the login collector read them (``look``: its check-mode reply;
    only root's files, not writable by others, have their bytes). Only root changes those files and that
    directory's owner, so what they say here holds when root runs; root checks its own invariants again (neither
    is root, two users, an existing app user is one bootstrap created). An app user belongs to the app bootstrap
    made it for (its home is that app's tree), and an app's tree to the deploy login bootstrap gave it to."""
    texts = {}
    for path in ACCOUNTS:
        entry = (look.get("files") or {}).get(path) or {}
        if "data" not in entry and not (path != ACCOUNTS[0] and entry.get("why") == "No such file or directory"):
            return "app_user", f"bootstrap refused: {path} could not be read ({entry.get('why')}): the users are " \
                               "not checked against it"
        texts[path] = entry.get("data", "")
    users, ranges = Users(texts[ACCOUNTS[0]], ""), dict(RANGES)
    for words in (line.split() for line in texts[ACCOUNTS[1]].splitlines()):
        if len(words) == 2 and words[0] in ranges and words[1].isdigit():
            ranges[words[0]] = int(words[1])
    ours = set(texts[ACCOUNTS[2]].split())
    for role, name, other in (("app_user", app_user, deploy_user), ("deploy_user", deploy_user, app_user)):
        problem = user_problem(role, name, users.facts(name), ours, ranges, other)
        if problem:
            return role, problem
    home, tree = (users.facts(app_user) or {}).get("home"), f"/var/www/{app}"
    if home not in (None, tree):
        return "app_user", f"app_user {app_user!r} is another app's (its home is {home}): each app has its own " \
                           "app user, and a deploy login of this app would get that app's group and its code's rights"
    st = ((look.get("files") or {}).get(tree) or {}).get("st")
    owner = users.name(st[1]) if st else None
    if st and st[1] != 0 and owner != deploy_user and (users.facts(deploy_user) or {}).get("uid") != st[1]:
        return "deploy_user", f"{tree} is {owner}'s, the deploy login bootstrap gave it to, not {deploy_user}'s: " \
                              f"its releases, config and data stay {owner}'s; to hand the app over, move the tree " \
                              f"aside (sudo mv {tree} {tree}.old), bootstrap with {deploy_user} and deploy"
    return None


def user_problem(role: str, name: str, entry: dict | None, ours: set[str], ranges: dict, other: str) -> str | None:
    """Why ``name`` may not be the ``role`` (app_user or deploy_user), None when it may. ``entry``: its
    ``{uid, shell}`` (:meth:`Users.facts`) or None; ``ours``: the app users bootstrap created; ``ranges``:
    login.defs' uid ranges; ``other``: the other role's name. The app user is created by bootstrap (a system uid,
    no login); the deploy user is an existing login (a login uid). Neither is root, nor the other, nor an account
    of another kind."""
    if name == "root" or (entry is not None and entry["uid"] == 0):
        return f"{role} {name!r} is root: deploys never run as root"
    if name == other:
        return "%s %r is also the %s: the app and the deploy login must be two users" % (
            role, name, "deploy_user" if role == "app_user" else "app_user")
    if role == "app_user":
        if entry is None:
            return None
        low, high = ranges["SYS_UID_MIN"], ranges["SYS_UID_MAX"]
        if name not in ours or not low <= entry["uid"] <= high or "nologin" not in entry["shell"]:
            return ("app_user %r is an existing account (uid %d) that bootstrap did not create: the app user is "
                    "created by bootstrap (a system uid from %d to %d, no login)" % (name, entry["uid"], low, high))
        return None
    low, high = ranges["UID_MIN"], ranges["UID_MAX"]
    if entry is None:
        return f"deploy_user {name!r} does not exist: it is the login deploys use; create it first"
    if name in ours or not low <= entry["uid"] <= high:
        return ("deploy_user %r (uid %d) is not a login of this server: logins have uids from %d to %d "
                "(/etc/login.defs)" % (name, entry["uid"], low, high))
    return None


def clashes(out: str, port: int, name: str, own: tuple[str, ...]) -> list[str]:
    """The sites of ``apachectl -S`` output ``out`` other than the files named in ``own`` that answer ``name``
    (or one of its aliases) on ``port``: a list of config files. An alias line belongs to the site above it."""
    found: list[str] = []
    last: tuple[str, ...] | None = None
    for line in out.splitlines():
        m = re.match(r"\s+port (\d+) namevhost (\S+) \((.+):\d+\)$", line) or \
            re.match(r"\S+:(\d+)\s+(\S+) \((.+):\d+\)$", line)
        alias = re.match(r"\s+(?:wild )?alias (\S+)$", line) if last else None
        last = m.groups() if m else (last[0], alias.group(1), last[2]) if alias and last else last
        if (m or alias) and last and last[0] == str(port) and last[1].lower() == name.lower() \
                and posixpath.basename(last[2]) not in own and last[2] not in found:
            found.append(last[2])
    return found
