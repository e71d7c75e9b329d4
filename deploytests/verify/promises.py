"""The pipeline's promises and their checks: what bootstrap and deploy establish, verified read-only.

Every postcondition of a bootstrap or deploy step is a :class:`Promise` in :data:`PROMISES`, with the test of
the built-in suite that checks it (``deploytests/suite/test_promises.py``) and the check function here. Checks
are pure functions of a server's :class:`~deploytests.verify.facts.Facts` (gathered in one round trip) and an
:class:`Expected` (what the app's config says the server should look like); they never touch the server, so
the whole gate of a host costs one probe, and they run the same on a target without deploy rights.

A check raises ``AssertionError`` with what was expected and what was found, or :class:`NotApplicable` when
the fact it needs is not there for a reason that is not a failure of this promise (no sudo to read it; a basic
fact wrong, see below). :func:`blocked` implements "one root cause, one failure": the basic facts (the host
answers; the tree exists; Apache runs; something is live) each have one root check; the checks that depend on
a basic fact are skipped, naming the root check, when it is wrong.

``docs/promises.md`` is rendered from :data:`PROMISES` by :func:`table` (a unit test keeps it in sync).
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import errno
import fnmatch
import functools
import hashlib
import io
import json
import os
import posixpath
import re
import shlex
import stat
import tarfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..allowances import Allowances
from ..config import APPS_ROOT
from ..untrusted import block
from ..words import count
from . import rootacts
from .http import describe

STATE_DIR = "/var/lib/deploytests"  # root's: users lists the app users bootstrap created (agent_root.STATE_DIR)
RUNTIME = "/var/lib/deploytests/python"  # the daemons' python-home bootstrap makes (pipeline.templates.RUNTIME)


class NotApplicable(Exception):
    """This check cannot judge the promise here; the message says why (it becomes a skip reason)."""


@dataclass(frozen=True)
class Promise:
    """One postcondition: ``step`` establishes ``promise``; ``test`` checks it; ``message`` is what a failure
    prints (an example); ``needs`` are the basic facts it depends on."""

    id: str
    step: str
    promise: str
    test: str
    message: str
    needs: tuple[str, ...] = ("host",)
    root_only: bool = False


@dataclass
class Expected:
    """What one server should look like, from the app's config, the server's stack (its platform's packages,
    Apache paths, Python) and, when known, the artifact packed for that server's Python."""

    cfg: Any
    deploy_user: str
    vhost: str
    wsgi: str
    stack: Any = None  # deploytests.stacks.Stack (None: the default platform's)
    config_file: Path | None = None  # this host's config file (per-host config directories: its <host>.cfg)
    config_sha256: str | None = None
    config_problem: str = ""  # why this host has no config file to compare with (a config dir without it)
    deployed_release: str | None = None  # the release this run deployed (None: a read-only run)
    # the artifact: one (a deploy run on one platform), a dict python X.Y -> artifact (one per server Python),
    # or a callable python_version -> Artifact | None (callers' own; a read-only gate run gives None: it packs nothing)
    artifact: object = None
    _packed: dict = field(default_factory=dict, repr=False)
    allow: Allowances = field(default_factory=Allowances)  # the target's allowances (closed-world rules)

    def __post_init__(self):
        if self.stack is None:
            from ..stacks import DEFAULT

            self.stack = DEFAULT

    @classmethod
    def from_config(cls, cfg, deploy_user: str, *, stack=None, host: str | None = None, port: int = 22,
                    name: str = "", **kwargs) -> Expected:
        """``host``/``port``/``name``: the server's address and name, which pick its file of a per-host config
        directory."""
        from ..errors import DeployTestsError
        from ..pipeline import templates
        from ..stacks import DEFAULT

        stack = stack or DEFAULT
        problem, config = "", None
        try:
            config = cfg.config_for(host, port, name) if host is not None else cfg.config_file
        except DeployTestsError as exc:
            problem = exc.one_line() if hasattr(exc, "one_line") else str(exc)
        config = Path(config) if config else None
        sha = hashlib.sha256(config.read_bytes()).hexdigest() if config and config.is_file() else None
        return cls(cfg=cfg, deploy_user=deploy_user, vhost=templates.vhost(cfg, stack=stack),
                   wsgi=templates.wsgi(cfg), stack=stack, config_file=config, config_sha256=sha,
                   config_problem=problem, **kwargs)

    def artifact_for(self, python_version: str):
        """The artifact to compare the live release with: the one packed for the server's Python (this run's,
        or a callable's). None when there is none (a run that deploys nothing packs nothing)."""
        if isinstance(self.artifact, dict):
            return self.artifact.get(python_version)
        if self.artifact is None or not callable(self.artifact):
            return self.artifact
        if python_version not in self._packed:
            self._packed[python_version] = self.artifact(python_version)
        return self._packed[python_version]

    def artifact_by_sha(self, sha256: str):
        """The artifact this runner packed with that sha256 (a kept release's RELEASE.json names it): one of this
        run's, else the file in the directories it packs into (:func:`deploytests.pipeline.artifact.packed`).
        None when the runner has no such artifact."""
        from ..pipeline.artifact import Artifact, packed

        if sha256 not in _BY_SHA:  # (found ones kept for the process: every host of a fleet shares them)
            known = [a for a in ([self.artifact] if isinstance(self.artifact, Artifact) else []) +
                     list((self.artifact if isinstance(self.artifact, dict) else {}).values()) +
                     list(self._packed.values()) if isinstance(a, Artifact)]
            same = [a for a in known if a.sha256 == sha256]
            found = same[0] if same else packed(sha256, *dict.fromkeys(a.path.parent for a in known))
            if found is None:
                return None
            _BY_SHA[sha256] = found
        return _BY_SHA[sha256]


_BY_SHA: dict = {}  # sha256 -> the runner's artifact of it (Expected.artifact_by_sha)


def _runner_artifacts() -> str:
    """Where this runner keeps the artifacts it packed (the directory :func:`~deploytests.pipeline.artifact.packed`
    looks in), with ``~`` for the home directory."""
    from ..cache import cache_dir

    path, home = str(cache_dir() / "artifacts"), str(Path.home())
    return "~" + path[len(home):] if path.startswith(home + "/") else path


# ---------------------------------------------------------------- basic facts: one root cause, one failure

BASICS = {  # basic fact -> (the check that fails for it, the facts it needs itself)
    "host": ("test_host_answers", ()),
    "tree": ("test_tree_modes_and_owners", ("host",)),
    "apache": ("test_apache_running", ("host",)),
    "live": ("test_current_is_a_complete_release", ("tree",)),
}


def basic_problem(facts, fact: str, exp: Expected) -> str | None:
    """Why the basic ``fact`` does not hold on this server (one line), or None."""
    root = exp.cfg.root
    if fact == "host":
        return f"{facts.label} could not be asked: {facts.error}" if facts.error else None
    if fact == "apache":
        name = exp.stack.apache.process_name
        held = stopped(apache_processes(facts))
        return f"Apache is not running on {facts.label} (no {name} process)" if not facts.get("apache") else \
            f"Apache does not run on {facts.label}: {held}" if held else None
    if fact == "tree":  # (bootstrap makes the app's root; the first deploy makes releases/ and the rest)
        kind = ((facts.get("stat") or {}).get(root) or {}).get("kind", "missing")
        return None if kind == "directory" else f"not bootstrapped: {root} is {kind}"
    if fact == "live":
        tree, current = facts.tree, facts.tree.get("current")
        if current is None:
            kind = ((facts.get("stat") or {}).get(f"{root}/current") or {}).get("kind", "missing")
            return f"nothing deployed: {root}/current does not exist" if kind in ("missing", "symbolic link") else \
                f"{root}/current is a {kind}, not the link to a release deploy and rollback switch"
        rid = current.rstrip("/").rsplit("/", 1)[-1]
        if rid not in tree.get("releases", {}):
            return f"current -> {current}: not a complete release under {root}/releases"
        return None
    raise ValueError(fact)


def blocked(facts, needs, exp: Expected, *, own: str = "") -> str | None:
    """The skip reason when a basic fact ``needs`` (or what it depends on) is wrong, else None.
    ``own``: the basic fact the calling check is the root check of (it is not blocked by itself)."""
    seen: list[str] = []

    def expand(fact):
        for dep in BASICS[fact][1]:
            expand(dep)
        if fact not in seen:
            seen.append(fact)

    for fact in needs:
        expand(fact)
    for fact in seen:
        if fact == own:
            continue
        problem = basic_problem(facts, fact, exp)
        if problem:
            return f"{problem} (the root failure is {BASICS[fact][0]})"
    return None


# ---------------------------------------------------------------- helpers

def _stat(facts, path) -> dict:
    return (facts.get("stat") or {}).get(path) or {"kind": "missing"}


def _describe(path, st) -> str:
    """One line for a stat record, however much of it there is: a missing path has only its kind, an expected
    record only what is expected (an owner, no group); a field it lacks shows as ``?``, never a KeyError."""
    if "mode" not in st:
        return f"{path}: {st.get('kind', '?')}"
    link = f" -> {st['target']}" if st.get("target") else ""
    link += f" ({st['resolved']})" if st.get("target") and st.get("resolved") else ""
    return f"{path}: {st.get('kind', '?')} {st['mode']} {st.get('owner') or '?'}:{st.get('group') or '?'}{link}"


def _path(facts, path, *, kind, mode=None, owner=None, group=None) -> str | None:
    st = _stat(facts, path)
    want = {"kind": kind, "mode": mode or st.get("mode"), "owner": owner or st.get("owner"),
            "group": group or st.get("group")}
    if all(st.get(k) == v for k, v in want.items()):
        return None
    shown = dict({k: v for k, v in st.items() if k not in ("target", "resolved")}, **{k: v for k, v in want.items()
                                                                                      if v})
    return f"expected {_describe(path, shown)}\n   found {_describe(path, st)}"


def _group_of(facts, who) -> str:
    return (((facts.get("users") or {}).get(who)) or {}).get("group") or "?"


def _needs_root(facts, what: str) -> None:
    if not facts.get("as_root"):
        why = f" (sudo: {facts.get('sudo_refused')!r})" if facts.get("sudo_refused") else ""
        raise NotApplicable(f"{facts.get('login') or 'the login'} on {facts.label} has no passwordless sudo{why}; "
                            f"{what} needs root")


NO_PASSWORDLESS_SUDO = "a password is required"  # what `sudo -n` says (LC_ALL=C) when the login has no NOPASSWD


def sudo_works(facts, exp):
    """The login's sudo works: when ``sudo -n`` refuses it, only for want of a password (a login without
    passwordless sudo gets the read-only checks, the root ones skip naming why). Any other refusal -- requiretty,
    a sudoers file sudo cannot parse, sudo without its setuid bit or gone -- is sudo broken on this server: the
    gate's root checks would all skip, and every deploy's import preflight (``sudo -n -u <app user>``) fails."""
    refused = facts.get("sudo_refused")
    if facts.get("as_root") or refused is None:
        return
    if NO_PASSWORDLESS_SUDO in refused:
        root = _root_with_password(facts)
        if root:
            raise AssertionError(
                f"{facts.get('login')} may become root on {facts.label} ({root}), but sudo -n refuses it "
                f"({refused!r}){_shadowed(facts)}: not a read-only login, yet the gate cannot read root's view: "
                f"every check that needs root would be skipped. Give the gate's login passwordless sudo, or run a "
                f"read-only gate with a login that cannot become root")
        unapplied = _deploy_rule_unapplied(facts, exp)
        if unapplied:
            raise AssertionError(unapplied)
        raise NotApplicable(f"{facts.get('login')} has no passwordless sudo on {facts.label} ({refused!r})")
    raise AssertionError(f"sudo refuses {facts.get('login')} on {facts.label}: {refused!r}: not for want of a "
                         f"password, sudo itself is broken here: every check that needs root would be skipped, and "
                         f"every deploy's import preflight (sudo -n -u {exp.cfg.app_user}) fails; fix sudo on the "
                         f"server")


def _deploy_rule_unapplied(facts, exp) -> str:
    """When the gate's login is the deploy user and sudo asks it a password: whether sudo applies bootstrap's rule
    (the release venv's python as the app user, NOPASSWD), read from its own ``sudo -n -l`` listing (sudo lists a
    login's rules without a password when one is NOPASSWD): the rule file may be there, exact, and yet not in force
    (the includedir gone from /etc/sudoers, the file moved into a subdirectory or renamed with a '.' or '~', which
    sudo skips). "" when it is applied, or the login is not the deploy user."""
    from ..pipeline.agent_root import sudoers_rule

    login = facts.get("login") or ""
    if not login or login != exp.deploy_user or login == "root":
        return ""
    want = sudoers_rule(login, exp.cfg.app_user, exp.cfg.app).strip().splitlines()[-1].split("=", 1)[1]
    runas, command = want.split(")", 1)[0].strip("( "), want.rsplit(" ", 1)[-1]
    listed = [" ".join(ln.split()) for ln in (facts.get("sudo_list") or "").split("\t")]
    runs_as = lambda ln: {u.strip() for u in ln[1:ln.find(")")].split(":")[0].split(",")}  # noqa: E731
    matching = [ln for ln in listed if ln.startswith("(") and runs_as(ln) & {runas, "ALL"} and
                ln.endswith((" " + command, " ALL"))]  # (sudo takes the last matching line)
    if matching and "NOPASSWD:" in matching[-1]:
        return ""
    return (f"sudo asks the deploy login {login} a password on {facts.label} and does not apply bootstrap's rule "
            f"({login} may run {command} as {runas}, NOPASSWD: /etc/sudoers.d/deploytests-{exp.cfg.app}): its "
            f"sudo -n -l lists no such rule ({(facts.get('sudo_list') or 'nothing')[:120]!r}): the file is not read "
            f"(the @includedir line gone from /etc/sudoers, the file moved or renamed where sudo skips it) or a later "
            f"rule shadows it: every deploy's import preflight and post_deploy (sudo -n -u {runas}) fail; put "
            f"@includedir /etc/sudoers.d back in /etc/sudoers, or bootstrap again")


def _shadowed(facts) -> str:
    """Why sudo asks a password of a login it lists a NOPASSWD rule for: sudo takes the last matching line, and
    ``sudo -l`` lists them in sudoers' order, so a later rule without NOPASSWD (a later file of /etc/sudoers.d)
    asks for it."""
    from .logins import sudo_root_grants

    grants = sudo_root_grants(facts.get("sudo_list"))
    free = [g for g in grants if "NOPASSWD:" in g]
    if not free or "NOPASSWD:" in grants[-1]:
        return ""
    return (f": sudo takes the last matching line, and {grants[-1]!r} comes after {free[-1]!r} (a later line or "
            "file of sudoers): it shadows the passwordless rule, bootstrap's rules for the deploy login too; give "
            "it NOPASSWD or remove it")


SUDO_GROUPS = ("sudo", "admin", "wheel")  # Debian's %sudo rule (root with the login's password), Ubuntu's %admin


def _root_with_password(facts) -> str:
    """How a login that sudo -n refuses may still become root: rules of its own ``sudo -l`` listing (sudo lists
    them when one is NOPASSWD) whose run-as is root or ALL, or a group Debian's sudoers admits; "" if none."""
    from .logins import sudo_root_grants

    found = [f"sudo -l lists {r!r}" for r in sudo_root_grants(facts.get("sudo_list"))]
    users = getattr(getattr(facts, "raw", None), "users", None)
    me = users.facts(facts.get("login") or "") if users else None
    found += [f"it is in group {g}" for g in (me or {}).get("groups", []) if g in SUDO_GROUPS]
    return "; ".join(found)


def _diff(expected: str, found: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), found.splitlines(), f"{name} (as bootstrap writes it)",
                                 f"{name} (on the server)", lineterm="", n=1)
    return "\n".join(list(lines)[:40])


def _live_id(facts) -> str:
    return facts.tree["current"].rstrip("/").rsplit("/", 1)[-1]


def _response(facts, path, root=False):
    """The runner's answer to GET ``path``. A redirect to TLS (the runner asks over http), or no answer to any GET,
    is one cause for every check of the runner's GETs: the ``root`` check (the health path's) fails naming it, the
    others skip."""
    if not facts.responses:  # the runner does not reach this host's site (a fab rollout without base_url)
        raise NotApplicable(f"GET {path} was not made: the runner has no base_url for {facts.label}")
    resp = facts.responses.get(path)
    if isinstance(resp, str) or resp is None:
        if not root and all(isinstance(r, str) or r is None for r in facts.responses.values()):
            raise NotApplicable("no GET from the runner got an answer: one cause, its failure is "
                                "test_health_from_runner's")
        raise AssertionError(f"GET {path} from the runner got no answer: {resp}")
    to = urllib.parse.urlsplit(resp.headers.get("Location") or "")
    if resp.is_redirect and to.scheme == "https" and urllib.parse.urlsplit(resp.url).scheme == "http":
        asked = urllib.parse.urlsplit(resp.url)
        if not root:
            raise NotApplicable(f"the site sends the runner's GETs on to https://{to.netloc}: one cause, its failure "
                                f"is test_health_from_runner's")
        raise AssertionError(f"the site sends the runner's GETs to http://{asked.netloc} on to https://{to.netloc} "
                             f"(a redirect to TLS in Apache's configuration: certbot --redirect): it is reached over "
                             f"TLS; give {facts.label} base_url = \"https://{to.netloc}\" in the targets file")
    return resp


# ---------------------------------------------------------------- the checks (bootstrap)

def host_answers(facts, exp):
    assert not facts.error, f"{facts.label} could not be asked for its facts: {facts.error}"
    errors = {k: v for k, v in (facts.get("errors") or {}).items()  # (sudo refused: sudo_works says why; the
              if facts.get("as_root") or not k.startswith("root: ")}  # root collector ran as the login, skipped)
    assert not errors, f"the fact probe could not read: {errors}" + _why_root_could_not_run(facts, errors)


def _why_root_could_not_run(facts, errors: dict) -> str:
    """The cause when the root collector was refused running a program: sudo's ``noexec`` (a ``Defaults noexec``
    line or a ``NOEXEC:`` tag: every program a sudo command starts is refused ``execve``), named by file:line."""
    if not any("PermissionError" in str(v) for k, v in errors.items() if k.startswith("root")):
        return ""
    rules = [r for r in (facts.get("inventory") or {}).get("sudoers") or []
             if re.search(r"(?i)\bnoexec\b|NOEXEC:", r.get("text", "")) and "!noexec" not in r.get("text", "")]
    where = ", ".join(f"{r['file']}:{r['line']}: {r['text']!r}" for r in rules[:3])
    return f"; root was refused running a program: {where}: sudo's noexec makes every program a sudo command " \
           "starts fail (the gate's root collector, and the deploy's apache2ctl reload too): remove it" if rules else ""


def packages_installed(facts, exp):
    found = facts.get("packages") or {}
    missing = {p: s for p, s in found.items() if s not in ("installed", "hold ok installed")}  # (held: sec_updates)
    assert found and not missing, f"packages not installed: {missing} (bootstrap installs {', '.join(found)} " \
                                  f"on {exp.stack.title})"


def apache_running(facts, exp):
    procs, name = facts.get("apache") or [], exp.stack.apache.process_name
    assert procs, f"Apache is not running on {facts.label}: no {name} process"
    parents = [p for p in procs if p["user"] == "root" and p["ppid"] not in {q["pid"] for q in procs}]
    assert parents, f"no {name} parent process owned by root; found {[(p['pid'], p['user']) for p in procs]}"
    held = stopped(apache_processes(facts))
    assert not held, f"Apache runs on {facts.label} but {held}: " + (
        "the root parent takes no signal, so no reload (deploy's, logrotate's) takes effect and no worker is "
        "replaced" if any(p in parents for p in procs if p.get("state") == "T") else "the requests Apache hands "
        "them hang until someone resumes them") + "; resume it (kill -CONT) or restart Apache"


def apache_processes(facts) -> list[dict]:
    """Apache's processes: its root parent, its workers and the app's mod_wsgi daemons (each once, by pid)."""
    return list({p["pid"]: p for p in (facts.get("apache") or []) + (facts.get("daemons") or [])}.values())


def stopped(procs) -> str:
    """Which of ``procs`` (Apache's, the app's daemons) are stopped by a signal (state ``T``: SIGSTOP, SIGTSTP, a
    job control stop): present, and so counted as running, yet they run nothing until someone sends SIGCONT. A
    tracer's stop (``t``) is the trace rule's (test_no_process_of_the_app_is_traced)."""
    held = [f"pid {p['pid']} ({p.get('user')}, {p.get('argv0') or p.get('comm')})" for p in procs
            if p.get("state") == "T"]
    return f"{', '.join(held)} {'is' if len(held) == 1 else 'are'} stopped (state T: kill -STOP)" if held else ""


def apache_starts_at_boot(facts, exp):
    """Apache, and the SSH server every deploy, rollback and gate run comes in by, start again after a reboot:
    a wants link (or the socket's) or an rc start link, not masked (:func:`deploytests.verify.parse.boot_links`)."""
    from .parse import boot_links

    snap, ssh = getattr(facts, "raw", None), exp.stack.ssh_service
    down = [] if facts.get("boot") else [exp.stack.apache.service]
    listed = getattr(snap, "dirs", None) and any(snap.listdir(d) is not None for d in ("/etc/systemd/system",
                                                                                       "/etc/rc2.d"))
    down += [ssh] if listed and not boot_links(snap, ssh, exp.stack.ssh_off_flag) else []
    assert not down, "\n".join(
        f"{'Apache' if s != ssh else 'the SSH server'} is not started at boot: neither /etc/systemd/system/"
        f"multi-user.target.wants/{s}.service{' (or sockets.target.wants/' + s + '.socket)' if s == ssh else ''} "
        f"nor an rc2-5.d S..{s} link exists, or /etc/systemd/system/{s}.service masks it"
        + (f", or {exp.stack.ssh_off_flag} switches it off (after the next reboot no deploy, rollback or gate run "
           f"reaches the server, nor an admin's login)" if s == ssh else "")
        + f" (systemctl unmask {s}; systemctl enable {s}{'; rm ' + exp.stack.ssh_off_flag if s == ssh else ''})"
        for s in down)


def configtest_clean(facts, exp):
    apachectl = exp.stack.apache.apachectl
    _needs_root(facts, f"{apachectl} configtest")
    ct = facts.get("configtest") or {}
    refused = (((facts.get("inventory") or {}).get("apache")) or {}).get("refused")
    if ct.get("rc") is None and refused and "cw_apache_files" not in exp.allow.skip_rules:
        raise NotApplicable(f"{apachectl} configtest was not run: {refused} (the root failure is "
                            f"test_every_apache_file_is_accounted_for)")  # one root cause, one failure
    ok = exp.stack.configtest_ok
    assert ct.get("rc") == 0 and ct.get("stderr", "") in ("", ok), \
        f"{apachectl} configtest: expected exit 0 and no warnings (at most {ok!r}), got exit {ct.get('rc')}:\n" \
        f"{block(ct.get('stderr'))}"


def mod_wsgi_loaded(facts, exp):
    _needs_root(facts, "listing Apache's modules")
    ct = facts.get("configtest") or {}
    if ct.get("rc") != 0:
        raise NotApplicable("Apache's configuration does not parse, its modules cannot be listed "
                            "(the root failure is test_configtest_clean)")
    module = f"{exp.stack.wsgi_module}_module"
    assert module in ct.get("modules", []), f"{module} is not among Apache's modules: {ct.get('modules')}"


def stack_python(facts, exp):
    """mod_wsgi embeds one Python; the daemons' python-home and the live venv must be of that same X.Y: the
    stack's (what pack built the artifact for)."""
    stack, live = exp.stack, facts.live or {}
    pythons = facts.get("pythons") or {}
    found = {f"{RUNTIME} (python-home) is": pythons.get("python_home"),
             f"the live venv {exp.cfg.root}/current/venv is": live.get("venv_version")}
    if pythons.get("mod_wsgi") is not None:  # /proc maps, as root: what Apache runs, whatever is on disk
        found["Apache's parent (mod_wsgi) has mapped libpython"] = pythons["mod_wsgi"]
    daemons = [d for d in facts.get("daemons") or [] if d.get("libpython") is not None]
    if daemons:
        found["the app's daemons have mapped libpython"] = sorted(
            {re.sub(r"^.*/libpython(\d+\.\d+).*$", r"\1", p) for d in daemons for p in d["libpython"]})
    want = {k: [stack.python_version] if "libpython" in k else stack.python_version for k in found}
    assert found == want, f"{stack.title} serves with Python {stack.python_version}: " + \
        "; ".join(f"{k} {v}" for k, v in found.items())


def port_listening(facts, exp):
    port = exp.cfg.port
    assert port in (facts.get("ports") or []), f"nothing listens on TCP port {port}; listening: {facts.get('ports')}"


def site_enabled_default_disabled(facts, exp):
    sites, default = facts.get("sites_enabled") or [], exp.stack.apache.default_site
    app = f"{exp.cfg.app}.conf"
    assert app in sites, f"the app's site {app} is not enabled; {exp.stack.apache.sites_enabled}: {sites}"
    assert f"{default}.conf" not in sites, \
        f"the distribution's {default} site is enabled (it answers for every other name: 'It works!'); " \
        f"{exp.stack.apache.sites_enabled}: {sites}"


def vhost_as_bootstrapped(facts, exp):
    path = exp.stack.apache.site_file(exp.cfg.app)
    st = _stat(facts, path)
    problem = _path(facts, path, kind="regular file", mode="0644", owner="root", group="root")
    assert problem is None, problem
    from .mechanisms import tls_redirect

    found = facts.get("vhost") or ""
    plain, redirect = tls_redirect(found, exp.cfg.port)
    if redirect and plain == exp.vhost:  # certbot --redirect: every request to the same URL on its copy for TLS
        try:
            copies = _in_force(facts, exp, "the TLS copy of the site")[2].mirrors
        except NotApplicable:
            copies = frozenset()
        assert copies, f"{path} is what bootstrap writes but for certbot's redirect to https ({redirect[-1]}), and " \
                       "no copy of the site serves it on *:443 (certbot's -le-ssl.conf): every request is sent away; " \
                       "run certbot --apache again, or bootstrap again (fab target NAME bootstrap) to drop the redirect"
        return
    assert found == exp.vhost, f"{path} differs from what bootstrap writes ({st.get('mode')}): a hand edit, or a " \
        "server bootstrapped by another deploytests version; bootstrap again writes this one's (fab target NAME " \
        "bootstrap):\n" + _diff(exp.vhost, found, path)


def vhost_daemon_mode(facts, exp):
    cfg, vhost = exp.cfg, facts.get("vhost") or ""
    words = vhost.split()
    assert f"WSGIProcessGroup {cfg.app}" in vhost or f"process-group={cfg.app}" in vhost, \
        f"the vhost does not put the app in daemon process group {cfg.app!r}:\n{block(vhost)}"
    assert any(w == f"user={cfg.app_user}" for w in words), \
        f"the vhost's WSGIDaemonProcess does not run as user={cfg.app_user}:\n{block(vhost)}"
    assert "Require all denied" in vhost, \
        f"the vhost does not deny {cfg.root} as files (Require all denied):\n{block(vhost)}"


def app_user(facts, exp):
    user = (facts.get("users") or {}).get("app")
    name = exp.cfg.app_user
    assert user, f"app user {name!r} does not exist"
    assert user["uid"] != 0, f"app user {name!r} has uid 0"
    assert user["shell"] in exp.stack.nologin_shells, \
        f"app user {name!r} has a login shell: {user['shell']}"
    snap, record = getattr(facts, "raw", None), f"{STATE_DIR}/users"
    if getattr(snap, "dirs", None) and snap.listdir(STATE_DIR) is not None:  # bootstrap's record of what it created
        ours = (snap.text(record) or "").split()
        wrong = ([f"does not list the app user {name!r}"] if name not in ours else []) + \
            ([f"lists the deploy login {exp.deploy_user!r}"] if exp.deploy_user in ours else [])
        assert not wrong, f"{record} (bootstrap's record of the app users it created" \
            f"{', missing' if snap.st(record) is None else ''}) {' and '.join(wrong)}: the next bootstrap (a changed " \
            f"server_name or port, another app, an upgrade) refuses the server, taking {name!r} for an account it " \
            f"did not create or {exp.deploy_user!r} for one it did; write the file back as bootstrap keeps it, one " \
            f"app user per line (root's, 0644)"
    if getattr(snap, "files", None) and exp.deploy_user not in ("root", name):
        from ..pipeline.provision import ACCOUNTS, users_problem

        if all(p in snap.files for p in ACCOUNTS):  # (what bootstrap reads: else an older probe, not judged here)
            refused = users_problem({"files": snap.files}, name, exp.deploy_user, exp.cfg.app)
            assert not refused, f"the next bootstrap (a changed server_name or port, another app, an upgrade) " \
                f"refuses this server as it stands, before root runs: {refused[1]}; put back what changed " \
                f"({', '.join(ACCOUNTS)}, the owner of /var/www/{exp.cfg.app})"


def deploy_user_in_app_group(facts, exp):
    users = facts.get("users") or {}
    deploy, group = users.get("deploy"), _group_of(facts, "app")
    assert deploy, f"deploy user {exp.deploy_user!r} does not exist"
    if exp.deploy_user == exp.cfg.app_user:
        return
    assert group in deploy["groups"], \
        f"deploy user {exp.deploy_user!r} is not in the app group {group!r} (groups: {deploy['groups']})"


def sudoers_rule_minimal(facts, exp):
    """Exactly the rule bootstrap's root agent writes (``agent_root.sudoers_rule``): the release venv's python
    as the app user; nothing as root; any other line, or a wider one, fails."""
    from ..pipeline.agent_root import sudoers_rule

    if exp.deploy_user == "root":
        raise NotApplicable("the deploy user is root: bootstrap writes no sudoers rule")
    _needs_root(facts, "reading /etc/sudoers.d")
    rule = facts.get("sudoers") or {}
    path = f"/etc/sudoers.d/deploytests-{exp.cfg.app}"
    want = sudoers_rule(exp.deploy_user, exp.cfg.app_user, exp.cfg.app)
    st = rule.get("stat") or {"kind": "missing"}
    assert (st.get("kind"), st.get("mode"), st.get("owner")) == ("regular file", "0440", "root"), \
        f"expected {path}: regular file 0440 root:root\n   found {_describe(path, st)}"
    found = rule.get("text") or ""
    rules = lambda text: [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]  # noqa: E731
    assert found == want, \
        f"{path} must grant only what deploys run (the release python as {exp.cfg.app_user}, nothing as " \
        f"root): expected {rules(want)}, found {rules(found)}"


def tree_modes_and_owners(facts, exp):
    root, deploy = exp.cfg.root, exp.deploy_user
    problem = basic_problem(facts, "tree", exp)
    assert problem is None, f"{problem} (bootstrap makes it; run fab bootstrap)"
    deployed = _deployed(facts, root)  # (the first deploy makes releases/ and the lock: before it, not expected)
    problems = [p for p in (
        _path(facts, root, kind="directory", mode="2755", owner=deploy, group=_group_of(facts, "app")),
        deployed and _path(facts, f"{root}/releases", kind="directory", mode="0755", owner=deploy),
        _path(facts, f"{root}/application.wsgi", kind="regular file", mode="0644", owner=deploy),
        deployed and _lock_path(facts, f"{root}/.deploy.lock", deploy),
        _path(facts, RUNTIME, kind="directory", mode="0755", owner="root", group="root"),
        _path(facts, f"{RUNTIME}/pyvenv.cfg", kind="regular file", owner="root"),
    ) if p] + _above_root(facts, root, deploy)
    assert not problems, "\n".join(problems)


def _above_root(facts, root: str, deploy: str) -> list[str]:
    """A line for each directory above the app's root (as the tree reader's ``lstat`` saw it; one it did not look
    at says nothing) that someone but root and the deploy login may change: another's, or writable by group or
    others and not sticky (an ACL entry's write shows in the group bits). Whoever may renames the app's root aside
    and puts a tree of its own there: its ``application.wsgi`` and releases are what Apache's daemons load next."""
    from .parse import above_root

    lines = []
    for d in above_root(root):
        st = _stat(facts, d)
        mode = int(str(st.get("mode") or "0"), 8)
        if "mode" in st and (st.get("owner") not in ("root", deploy) or mode & 0o022 and not mode & 0o1000):
            lines.append(f"{d}: directory {st['mode']} {st.get('owner')}:{st.get('group')} holds the app's root "
                         f"{root}, and someone but root and the deploy login {deploy} may change it: they may "
                         f"rename the app's root aside and put their own there (application.wsgi, releases: what "
                         f"Apache's daemons load at their next start); make it root's, not writable by group or "
                         f"others (chown root: {d}; chmod go-w {d})")
    return lines


def _lock_path(facts, path: str, deploy: str) -> str | None:
    """The deploy lock's line: the deploy user's regular file 0600, and what a lock others may open means."""
    problem = _path(facts, path, kind="regular file", mode="0600", owner=deploy)
    opened = problem and _stat(facts, path).get("kind") == "regular file" and int(
        str(_stat(facts, path).get("mode") or "0"), 8) & 0o077
    return problem and problem + (" (others may open it, and flock needs only an open fd: the app may hold the "
                                  "deploy lock while every deploy and rollback waits; the next deploy makes it 0600, "
                                  f"or run `chmod 600 {path}` as {deploy})" if opened else "")


def shared_dirs(facts, exp):
    root, group = exp.cfg.root, _group_of(facts, "app")
    problems = [_path(facts, f"{root}/shared", kind="directory", mode="2750", owner=exp.deploy_user, group=group)]
    problems += [_path(facts, f"{root}/shared/{rel}", kind="directory", mode="2770", owner=exp.deploy_user,
                       group=group) for rel in exp.cfg.shared_paths]
    problems = [p for p in problems if p]
    problems += secret_acl_grants(facts, exp, [f"{root}/shared/{rel}" for rel in exp.cfg.shared_paths])
    assert not problems, "\n".join(problems)


def _needs_config(exp):
    """The config promises apply when the app has a config (``config_file``); skipped, saying so, when not."""
    assert not exp.config_problem, exp.config_problem
    if exp.config_sha256 is None:
        raise NotApplicable("the app has no config file (config_file unset): the config promises do not apply")


def config_private(facts, exp):
    """The config is 0640 <deploy user>:<app group>, and no ACL entry lets anyone else read it or a kept one
    (:func:`secret_acl_grants`): who reads the app's secrets is judged by the mode and the ACL together."""
    _needs_config(exp)
    path = exp.cfg.remote_config_path
    problem = _path(facts, path, kind="regular file", mode="0640", owner=exp.deploy_user, group=_group_of(facts, "app"))
    lines = ([problem] if problem else []) + secret_acl_grants(facts, exp)
    assert not lines, "\n".join(lines)


def _unhex(raw) -> str | None:
    """An ACL's bytes sent as hex (the tree reader's ``secret_acls``), as :func:`sockets.acl` takes them."""
    try:
        return bytes.fromhex(raw).decode("latin-1")
    except (TypeError, ValueError):
        return None


def secret_acl_grants(facts, exp, paths=None) -> list[str]:
    """A line for each POSIX ACL entry that lets a user or group other than the deploy login, the app user and
    the app's group read the app's secrets (the tree reader's ``secret_acls``): a named ``user:``/``group:`` entry
    with read (under the ACL's mask) on the config or a kept one, or in the default ACL of a directory above them
    (every config a deploy writes there later gets it), and a shared path's default ACL with an ``other`` entry
    (what the app makes there gets it instead of the umask: the daemons' 0007 does not apply; the deploy's own
    files have explicit modes, which the ACL only narrows). Deny by default: no
    allowance accounts for it. ``paths``: those of the ACLs sent to judge (the shared paths' are test_shared_dirs',
    the rest the config's); None: all but the shared paths'."""
    from .sockets import GROUP, MASK, OTHER, USER, acl

    users = getattr(getattr(facts, "raw", None), "users", None)
    ours = {("u", exp.deploy_user), ("u", exp.cfg.app_user), ("g", _group_of(facts, "app")),
            ("g", _group_of(facts, "deploy"))}
    shared = tuple(f"{exp.cfg.root}/shared/{rel}" for rel in exp.cfg.shared_paths)
    lines = []
    for path, found in sorted((facts.get("secret_acls") or {}).items()):
        if path not in paths if paths is not None else path in shared:
            continue
        for kind, raw in sorted(found.items()):
            entries = acl(_unhex(raw))
            mask = next((p for t, p, _ in entries if t == MASK), 7)
            lines += [f"{path}: its default ACL has other::{'r' if p & 4 else '-'}{'w' if p & 2 else '-'}"
                      f"{'x' if p & 1 else '-'}: every file made there later gets it instead of the umask (the "
                      f"daemons' 0007, the deploy's): anyone on the server reads or changes what the app and the "
                      f"deploys write there; remove it (setfacl -k {path})"
                      for t, p, _ in entries if kind == "default" and t == OTHER and p and path in shared]
            for tag, perm, ident in entries:
                if tag not in (USER, GROUP) or not perm & mask & 4:
                    continue
                name = (users.name(ident) if tag == USER else users.group(ident)) if users else str(ident)
                if (("u" if tag == USER else "g"), name) in ours:
                    continue
                entry = f"{'user' if tag == USER else 'group'}:{name}:r"
                lines.append(f"{path}: its {'default ' if kind == 'default' else ''}ACL has {entry} ("
                             + ("every file made there later, the next config a deploy writes included, gets it" if
                                kind == "default" else "the mode shows only the ACL's mask") +
                             f"): {name} reads the app's secrets (SECRET_KEY, passwords, tokens) whatever the mode "
                             f"says; remove it (setfacl -{'k' if kind == 'default' else 'x ' + entry[:-2]} {path})")
    return lines


def config_is_targets(facts, exp):
    _needs_config(exp)
    found = facts.get("config_sha256")
    if found is None:
        raise NotApplicable(f"{exp.cfg.remote_config_path} is not readable by {facts.get('login')} on {facts.label}")
    if found == exp.config_sha256:
        return
    live = facts.tree["releases"].get(_live_id(facts)) or {} if facts.tree.get("current") else {}
    why = ("the live release started with the one on the server: a rollback brings back its release's config"
           if live.get("config_sha256") == found else
           "the live release did not start with the one on the server: find who changed it")  # (wording only)
    raise AssertionError(f"{exp.cfg.remote_config_path} is not this host's config file {exp.config_file}: sha256 "
                         f"{found[:12]} on the server, {exp.config_sha256[:12]} here; deploy to install this host's "
                         f"config ({why})")


def _deployed(facts, root) -> bool:
    """Whether a deploy made the app's tree (``releases/``, or a ``current``): bootstrap makes only its root."""
    return bool(((facts.get("stat") or {}).get(f"{root}/releases") or {}).get("kind", "missing") != "missing"
                or facts.tree.get("current"))


def wsgi_as_bootstrapped(facts, exp):
    from ..pipeline.agent_root import PLACEHOLDER

    deployed = _deployed(facts, exp.cfg.root)
    want = hashlib.sha256(exp.wsgi.encode() if deployed else PLACEHOLDER).hexdigest()
    found = facts.get("wsgi_sha256")
    assert found == want, f"{exp.cfg.root}/application.wsgi differs from what " \
                          f"{'deploys write' if deployed else 'bootstrap writes before the first deploy'}: sha256 " \
                          f"{(found or 'unreadable')[:12]} on the server, {want[:12]} expected"


# ---------------------------------------------------------------- the checks (deploy)

def current_complete(facts, exp):
    root, tree = exp.cfg.root, facts.tree
    problem = basic_problem(facts, "live", exp)
    assert problem is None, problem
    st = _stat(facts, f"{root}/current")
    assert st["kind"] == "symbolic link", f"{root}/current is a {st['kind']}, not a symbolic link"
    assert tree["current"] == f"releases/{_live_id(facts)}", \
        f"current -> {tree['current']}: expected a relative link releases/<id> (as deploy switches it)"


def release_records_complete(facts, exp):
    problems = []
    for rid, meta in facts.tree.get("releases", {}).items():
        if "unreadable" in meta:
            problems.append(f"{rid}: {meta['unreadable']}")
            continue
        missing = [k for k in ("app", "name", "version", "artifact_sha256", "entry_point", "created_at")
                   if not meta.get(k)]
        if missing or not meta.get("has_manifest"):
            problems.append(f"{rid}: RELEASE.json lacks {missing + ([] if meta.get('has_manifest') else ['manifest'])}")
        elif meta.get("id") != rid:
            problems.append(f"{rid}: RELEASE.json names release {meta.get('id')!r}")
        elif meta["app"] != exp.cfg.app:
            problems.append(f"{rid}: RELEASE.json is of app {meta['app']!r}, not {exp.cfg.app!r}")
        elif not re.fullmatch(r"[0-9a-f]{64}", str(meta["artifact_sha256"])):
            problems.append(f"{rid}: artifact_sha256 {meta['artifact_sha256']!r} is not a sha256")
        elif meta.get("settings_changed"):
            problems.append(f"{rid}: RELEASE.json's {' and '.join(meta['settings_changed'])} not what its deploy "
                            f"recorded (its settings and their settings_sha256): changed after the deploy, and the "
                            f"app runs with it (application.wsgi sets its env) after a rollback to it, or the next "
                            f"daemon start of the live one")
    assert not problems, "releases with a broken record:\n" + "\n".join(problems)


def installed_version_is_recorded(facts, exp):
    live, meta = facts.live, facts.tree["releases"][_live_id(facts)]
    assert live is not None, f"the live release {_live_id(facts)} could not be read"
    found, want = live.get("installed_version"), meta.get("version")
    assert found == want, \
        f"{meta.get('name')} {found} is installed in the live venv ({live['site_packages']}), " \
        f"but current/RELEASE.json records version {want}"


def _artifact(facts, exp):
    """(artifact, live release's record, same build?): the artifact to compare with, and whether the live
    release is that build: the same sha256, or the same manifest (packing is deterministic and hashes only what
    is shipped: the same shipped content gives the same bytes, whichever commit it was packed from)."""
    meta = facts.tree["releases"][_live_id(facts)]
    art = exp.artifact_for(facts.get("python") or exp.stack.python_version)
    if art is None:  # a run that deploys nothing packs nothing: the artifact its record names, as this runner has it
        sha = str(meta.get("artifact_sha256") or "")
        if rewritten := _record_rewritten(_live_id(facts), sha):
            raise AssertionError(f"live release {_live_id(facts)}: {rewritten}")
        art = exp.artifact_by_sha(sha)
        if art is None:
            line = (f"live release {_live_id(facts)}: its artifact {sha[:12] or None} not compared "
                    "(test_release_json_matches_artifact, test_installed_files_match_artifact skip): a run that "
                    "deploys nothing packs nothing (packing runs the project's build commands and build backend "
                    f"here); put the deploy's artifact file ({meta.get('app') or '<app>'}-"
                    f"{meta.get('version') or '<version>'}-{sha[:8]}.tar) in {_runner_artifacts()} to compare")
            facts.notes.append(line) if line not in facts.notes else None
            raise NotApplicable(line)
    manifest = (facts.live or {}).get("manifest")
    # the artifact's own manifest, without where it came from (source hash, git sha: recorded, not shipped)
    shipped = {k: v for k, v in (art.manifest or {}).items() if k not in ("source_hash", "git_sha")}
    same = meta.get("artifact_sha256") == art.sha256 or (manifest is not None and manifest == shipped)
    return art, meta, same


def release_json_matches_artifact(facts, exp):
    art, meta, same = _artifact(facts, exp)
    found = {k: meta.get(k) for k in ("artifact_sha256", "version", "name")}
    want = {"artifact_sha256": art.sha256, "version": art.version, "name": art.name}
    if exp.deployed_release is None and not same:
        raise NotApplicable(f"the live release came from artifact {str(found['artifact_sha256'])[:12]} "
                            f"({found['name']} {found['version']}); this project packs {art.sha256[:12]} "
                            f"({art.name} {art.version}): another build is live (a rollback, an older deploy)")
    assert found == want, f"current/RELEASE.json says {found}, but the live release is the build of the " \
                          f"packed artifact {want}" + ("" if exp.deployed_release is None else
                                                       f" (this run deployed it as {exp.deployed_release})")


def tree_files(artifact) -> tuple[dict[str, str], dict[str, bytes]]:
    """The artifact's prebuilt venv tree: sha256 of every file under ``lib/``, and the bytes of every console
    script under ``bin/`` (relative to the venv; their first line is the placeholder deploy rewrites)."""
    hashes, scripts = {}, {}
    with tarfile.open(artifact.path) as outer:
        for part in artifact.manifest.get("tree", []):
            with tarfile.open(fileobj=io.BytesIO(_read_member(outer, part))) as inner:
                for member in inner.getmembers():
                    if member.isfile() and member.name.startswith("lib/"):
                        hashes[member.name] = hashlib.sha256(_read_member(inner, member)).hexdigest()
                    elif member.isfile() and member.name.startswith("bin/"):
                        scripts[member.name] = _read_member(inner, member)
    return hashes, scripts


def static_members(artifact) -> dict[str, str]:
    """sha256 of each file of the artifact's static dirs (its members ``<dir>/<path>``, extracted beside venv/)."""
    dirs = tuple(d.rstrip("/") + "/" for d in artifact.manifest.get("static") or [])
    with tarfile.open(artifact.path) as outer:
        return {m.name: hashlib.sha256(_read_member(outer, m)).hexdigest() for m in outer.getmembers()
                if m.isfile() and m.name.startswith(dirs)}


def installed_scripts(scripts: dict[str, bytes], placeholder: str, venv: str) -> dict[str, str]:
    """sha256 of each console script as deploy installs it: the placeholder interpreter line replaced by the
    release venv's python (the agent's own rewrite, :func:`deploytests.pipeline.agent.shebang`)."""
    from ..pipeline.agent import shebang

    real, marker = shebang(venv + "/bin/python"), b"#!" + placeholder.encode("utf-8")
    out = {}
    for name, data in scripts.items():
        first, nl, rest = data.partition(b"\n")
        out[name] = hashlib.sha256(real + nl + rest if first == marker else data).hexdigest()
    return out


# what `python3 -m venv` itself writes into bin/ (never run by anyone: the gate reads, deploys call bin/python)
VENV_STOCK = frozenset({"bin/activate", "bin/activate.csh", "bin/activate.fish", "bin/Activate.ps1"})


def _read_member(tar: tarfile.TarFile, member) -> bytes:
    f = tar.extractfile(member)
    if f is None:
        raise ValueError(f"{member}: not a file in the artifact")
    return f.read()


_TREE_CACHE: dict[str, tuple[dict[str, str], dict[str, bytes]]] = {}
_STATIC_CACHE: dict[str, dict[str, str]] = {}  # (the artifact's static files, by its sha256)


def installed_files_match_artifact(facts, exp):
    art, meta, same = _artifact(facts, exp)
    if not same:
        raise NotApplicable(f"the live release is not this project's artifact ({art.sha256[:12]}); "
                            "test_release_json_matches_artifact says which is live")
    if not art.manifest.get("tree"):
        raise NotApplicable("the artifact ships wheels (built for another Python), not a prebuilt tree")
    lib, scripts = _TREE_CACHE.get(art.sha256) or _TREE_CACHE.setdefault(art.sha256, tree_files(art))
    venv = f"{exp.cfg.root}/releases/{_live_id(facts)}/venv"
    want = {**lib, **installed_scripts(scripts, art.manifest.get("placeholder", ""), venv)}
    found = {p: h for p, h in ((facts.live or {}).get("hashes") or {}).items() if p not in VENV_STOCK}
    changed = sorted(p for p in want if p in found and found[p] != want[p])
    missing = sorted(p for p in want if p not in found)
    extra = sorted(p for p in found if p not in want)
    shown = [f"changed: {p}" for p in changed[:5]] + [f"missing: {p}" for p in missing[:5]] + \
        [f"not from the artifact: {p}" for p in extra[:5]]
    assert not (changed or missing or extra), \
        f"the live venv is not the artifact {art.sha256[:12]} ({art.name} {art.version}): " \
        f"{count(len(changed), 'file')} " \
        f"changed, {len(missing)} missing, {len(extra)} not from the artifact\n" + "\n".join(shown)


def app_written(live: dict, app_user: str) -> list[str]:
    """The places in the live release where the app writes (relative to it): for each entry its user made (the
    tree reader's ``loose`` entries, ``"<path> <mode> <owner>"``, owned by the app user: the deploy login cannot
    give a file away, so the daemons or a program of theirs made it), the outermost loose entry holding it (the
    dir the app made, or one made writable for it). Its data there is lost at the next deploy or rollback."""
    loose = [line.rsplit(" ", 2) for line in live.get("loose") or [] if line.count(" ") >= 2]
    places: list[str] = []
    for path, _, owner in loose:
        top = next((p for p, _, _ in loose if p != "." and (p == path or path.startswith(p + "/"))), None)
        if owner == app_user and top and top not in places:
            places.append(top)
    return places


def release_code_not_writable(facts, exp):
    live = facts.live or {}
    if not live.get("loose_count", 0):
        return
    if places := app_written(live, exp.cfg.app_user):
        rest = [line for line in live["loose"] if not any(line.startswith((f"{p} ", f"{p}/")) for p in places)]
        raise AssertionError(
            f"the app writes into its live release {live['id']}: {', '.join(places)} (files of "
            f"{exp.cfg.app_user}, not the deploy's): what it writes there is lost at the next deploy or rollback, "
            f"and its user writes in the tree it runs; list {', '.join(repr(p) for p in places)} in deploy.toml's "
            f"shared_paths (a deploy links each to shared/: move the data there) and deploy again" +
            "".join(f"\n  also not {exp.deploy_user}'s or writable by group/others: {line}" for line in rest))
    raise AssertionError(
        f"{live['loose_count']} entries of the live release {live['id']} are not {exp.deploy_user}'s or are "
        f"writable by group/others (the app user could change the code it runs):\n" + "\n".join(live["loose"]))


def venv_python_problem(found: dict, release: str, want: str) -> str | None:
    """What is wrong with a release's venv python as the probe read it (:func:`probe.interpreter`: its links,
    never run), or None: it must be a link (through the venv's own bin/ links) to the stack's interpreter
    ``want``, a file root owns in directories root owns."""
    hops = " -> ".join([h["link"].rsplit("/", 1)[-1] for h in found.get("hops", [])[:1]] +
                       [h["to"] for h in found.get("hops", [])])
    if found.get("error"):
        return f"does not resolve: {found['error']}"
    if not found.get("hops"):
        return f"is a {(found.get('facts') or {}).get('kind')} ({_describe('python', found.get('facts') or {})}), " \
               f"not a link to the stack's interpreter {want}: something replaced what `python3 -m venv` made"
    venv_bin = f"/releases/{release}/venv/bin/"
    foreign = [h["link"] for h in found["hops"] if venv_bin not in h["link"] and
               (h.get("owner") != "root" or not h.get("dir_root_owned"))]
    if foreign:
        return f"resolves through links not root's: {foreign} ({hops})"
    if found.get("target") != want or not found.get("root_owned"):
        return f"resolves to {found.get('target')} ({hops}), expected the stack's interpreter {want}, a file " \
               "root owns in directories root owns"
    return None


def pyvenv_problems(cfg: dict, whose: str) -> list[str]:
    """What a venv's ``pyvenv.cfg`` (its settings, :func:`deploytests.verify.reader.venv_settings`) makes its
    python load beyond the venv and the stack's interpreter: ``include-system-site-packages`` on (the system's
    and ``/usr/local``'s site-packages, what pip or apt put there, come before the release's) or a ``home`` other
    than ``/usr/bin`` (another standard library). ``python3 -m venv`` writes neither; one rule for every venv:
    the daemons' python-home, the live release's, each kept one a rollback may switch to."""
    out = []
    if str(cfg.get("include-system-site-packages", "false")).lower() != "false":
        out.append(f"include-system-site-packages = {cfg['include-system-site-packages']}: the system's "
                   f"site-packages (anything pip or apt put there) are on {whose} sys.path")
    if cfg.get("home") not in (None, "/usr/bin"):
        out.append(f"home = {cfg['home']}: {whose} standard library comes from there, not from /usr/bin's Python")
    return out


def venv_python_is_the_stacks(facts, exp):
    """The live venv's python is the stack's system interpreter, judged by reading its links, never by running
    it (a wrapper put there by the deploy login would run with the gate's rights), and its ``pyvenv.cfg`` adds
    nothing to what it loads (:func:`pyvenv_problems`)."""
    live = facts.live or {}
    problem = venv_python_problem(live.get("python") or {}, str(live.get("id")),
                                  f"/usr/bin/python{exp.stack.python_version}")
    assert problem is None, f"the live venv's python {exp.cfg.root}/current/venv/bin/python {problem}"
    problems = pyvenv_problems(live.get("pyvenv") or {}, "its python's (post_deploy, fab run)")
    assert not problems, f"the live venv's {exp.cfg.root}/current/venv/pyvenv.cfg: {'; '.join(problems)}"


def shared_links(facts, exp):
    live, root = facts.live or {}, exp.cfg.root
    problems = [f"{rel}: expected a link to {root}/shared/{rel}, found {_describe(rel, st)}"
                for rel, st in live.get("shared", {}).items()
                if st.get("kind") != "symbolic link" or st.get("target") != f"{root}/shared/{rel}"]
    assert not problems, f"shared paths of the live release {live.get('id')}:\n" + "\n".join(problems)


def releases_pruned_and_complete(facts, exp):
    tree, keep = facts.tree, exp.cfg.keep_releases
    releases = sorted(tree.get("releases", {}))
    assert len(releases) <= keep, f"{count(len(releases), 'release')} kept, keep_releases = {keep}: {releases}"
    if tree.get("incomplete") and not facts.get("lock_held"):
        raise AssertionError(f"release dirs without RELEASE.json (a dead deploy's leftovers; the next deploy "
                             f"removes them) while no deploy holds the lock: {tree['incomplete']}")


def daemons_run_as_app_user(facts, exp):
    daemons = facts.get("daemons") or []
    shown = exp.stack.daemon_display.format(app=exp.cfg.app)
    assert daemons, f"no mod_wsgi daemon process '{shown}' runs (daemon mode not active?)"
    users = sorted({d["user"] for d in daemons})
    assert users == [exp.cfg.app_user], \
        f"mod_wsgi daemons of {exp.cfg.app} run as {users}, expected only {exp.cfg.app_user!r}"


def daemons_run_live_release(facts, exp):
    daemons = facts.get("daemons") or []
    if not daemons:
        raise NotApplicable("no daemon runs (test_daemons_run_as_app_user fails for that)")
    stale = stale_daemons(facts, exp)
    masked = [f"pid {d['pid']} shows as {d['argv0']!r}" + (f" and runs {d['exe']}" if d.get("exe") not in (
              None, apache_bin(exp)) else "") for d in stale if not exp.stack.is_daemon_of(d["argv0"], exp.cfg.app)]
    masked += [f"pid {d['pid']} shows as a zombie (ps: <defunct>): its leader thread exited alone and its other "
               f"threads run on" for d in stale if d.get("leaderless")]  # (Apache forked each: parse.Procs.processes)
    assert not stale, \
        f"mod_wsgi daemons {[d['pid'] for d in stale]} started before current was switched to {_live_id(facts)} " \
        f"and were not restarted since: they may still run the previous release's code (deploy reloads by " \
        f"touching application.wsgi)" + (f"; {', '.join(masked)}, not as a daemon: the app's code replaced, " \
                                         f"renamed or hid it, and no reload restarts it: kill it (kill -9)"
                                         if masked else "")
    # per process, where root may read it (not in a container without CAP_SYS_PTRACE): application.wsgi chdirs
    # into the release it loads, so each daemon's working directory names the release it runs
    live = f"{exp.cfg.root}/releases/{_live_id(facts)}"
    pids = {d["pid"] for d in daemons}
    seen = [d for d in ((facts.get("inventory") or {}).get("loader") or {}).get("daemons", []) if d["pid"] in pids]
    elsewhere = [f"pid {d['pid']} in {d['cwd']}" for d in seen if d.get("cwd") not in (None, live)]
    assert not elsewhere, f"mod_wsgi daemons that do not run the live release {live} (their /proc cwd): " + \
        ", ".join(elsewhere)


START_SLACK = 0.02  # seconds: a start time is counted in clock ticks from boot (10 ms), boot from /proc/uptime (10 ms)


def stale_daemons(facts, exp) -> list[dict]:
    """The app's daemons that started before ``current`` was switched to the live release: each is
    test_daemons_run_live_release's one line (what it loads and runs is that line's cause, not another check's)."""
    switched = _stat(facts, f"{exp.cfg.root}/current").get("mtime") or 0
    return [d for d in facts.get("daemons") or [] if d["started"] < switched - START_SLACK]


def apache_bin(exp) -> str:
    return "/usr/sbin/" + exp.stack.apache.process_name


def daemons_load_what_is_on_disk(facts, exp):
    """Nothing the daemons load changed after the oldest of them started. The other checks judge the files on disk
    when the gate looks; the deploy login owns those files and decides when the daemons load them (a touch of
    application.wsgi and one request): it may change a module, let the daemons load it, then put back every byte,
    the mtime (``touch -r``) and the ``.pyc``. No user may set a ``ctime`` back, so the newest ``ctime`` of what
    the daemons load (the live release's tree, ``current``, application.wsgi, the config, the python-home: the
    tree reader's ``loaded``) must be no later than the oldest daemon's start. A deploy and a rollback write all
    of it before they switch and reload, so their daemons start after."""
    daemons = facts.get("daemons") or []
    if not daemons:
        raise NotApplicable("no daemon runs (test_daemons_run_as_app_user fails for that)")
    loaded = facts.get("loaded")
    assert loaded, f"the tree reader could not date what the daemons load: " \
                   f"{(facts.get('errors') or {}).get('loaded') or 'no answer'}"
    stale = {d["pid"] for d in stale_daemons(facts, exp)}
    if not (fresh := [d for d in daemons if d["pid"] not in stale]):
        raise NotApplicable("every daemon started before the switch (test_daemons_run_live_release fails for that)")
    oldest = min(fresh, key=lambda d: d["started"])
    release = f"{exp.cfg.root}/releases/{_live_id(facts)}/"
    data = [p for p in app_written(facts.live or {}, exp.cfg.app_user)
            if f"{loaded.get('path')}/".startswith(release + p + "/")]
    if data and loaded["ctime"] > oldest["started"] + START_SLACK:
        raise NotApplicable(f"the newest change of what the daemons load is the app's own data in its release "
                            f"({loaded['path']}: test_release_code_not_writable fails for that); the rest is dated "
                            f"again once {data[0]!r} is in shared_paths")
    assert loaded["ctime"] <= oldest["started"] + START_SLACK, \
        f"{loaded['path']} changed at {_utc(loaded['ctime'])}, after the app's mod_wsgi daemon {oldest['pid']} " \
        f"started ({_utc(oldest['started'])}): what the daemons run may not be what is on disk now (a file " \
        f"changed, loaded and put back with its old mtime looks untouched; a chmod or chown moves the ctime too: " \
        f"then the mode checks name it). Reload them (touch application.wsgi " \
        f"as the deploy login, or apache2ctl graceful) and run the gate again; if nobody changed it, find who did"


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1000):03d} UTC"


def daemon_umask(facts, exp):
    daemons = facts.get("daemons") or []
    if not daemons:
        raise NotApplicable("no daemon runs (test_daemons_run_as_app_user fails for that)")
    m = re.search(r"\bumask=(0?[0-7]{3})\b", exp.vhost)
    want = (m.group(1) if m else "0022").zfill(4)  # Apache's own umask when the vhost sets none
    found = sorted({d.get("umask") for d in daemons})
    assert found == [want], f"mod_wsgi daemons of {exp.cfg.app} run with umask {found}, expected {want} " \
                            f"(files the app creates in shared/ must not be readable by others)"


def health_from_runner(facts, exp):
    resp = _response(facts, exp.cfg.health_path, root=True)
    got = f"{resp.status_code}{' with an empty body' if resp.status_code == 200 else ''}"
    assert resp.status_code == 200 and resp.content, \
        f"GET {exp.cfg.health_path} answered {got}, expected HTTP 200 with a body\n{describe(resp)}"


def homepage_is_the_app(facts, exp):
    resp = _response(facts, "/")
    assert resp.status_code < 500, f"GET / answered {resp.status_code}\n{describe(resp)}"
    found, live = resp.headers.get("X-Deploy-Release"), _live_id(facts)
    why = "Apache refused it before the app (an access rule in force: Require, <Location>, <If>; " \
        "test_every_apache_file_is_accounted_for names files that are not stock)" if resp.status_code in (401, 403) \
        else "another site answered, e.g. Debian's 'It works!' page"
    assert found == live, \
        f"GET / was not answered by the app's live release {live}: X-Deploy-Release is {found!r} " \
        f"({why})\n{describe(resp)}"


def site_serves_current_release(facts, exp):
    resp = _response(facts, exp.cfg.health_path)
    found, live = resp.headers.get("X-Deploy-Release"), _live_id(facts)
    assert found == live, f"the site serves release {found!r}, current -> releases/{live}\n{describe(resp)}"


def health_from_inside(facts, exp):
    got = (facts.get("http") or {}).get("health") or {}
    cfg, live = exp.cfg, _live_id(facts)
    bound = [v for v in _by_address((facts.get("inventory") or {}).get("apache") or {}, exp)
             if v["addr"].startswith("127.")]
    if bound and [got.get("status"), got.get("release")] != [200, live]:
        raise NotApplicable(f"{bound[0]['name']} at {bound[0]['file']}:{bound[0]['line']} is <VirtualHost "
                            f"{bound[0]['addr']}>: it takes the requests at 127.0.0.1 (the root failure is "
                            f"test_every_vhost_is_accounted_for)")
    assert [got.get("status"), got.get("release")] == [200, live], \
        f"GET http://127.0.0.1:{cfg.port}{cfg.health_path} (Host: {cfg.server_name}) on {facts.label} answered " \
        f"{'(over TLS on 127.0.0.1:443, where the site sends it) ' if got.get('tls') else ''}" \
        f"{got.get('status')} with release {got.get('release')} {got.get('error', '')}, " \
        f"expected 200 with release {live}"


def app_files_not_downloadable(facts, exp):
    """A private file is served when Apache answers its path (no X-Deploy-Release), or when the answer holds what
    only the file holds: a config secret marks it unless the app's own front page or health answer shows that value
    (a greeting, a site name in every page's layout, a catch-all's one answer), which marks nothing."""
    from ..redaction import secrets_of
    from .http import served_as_file

    secrets = secrets_of(exp.cfg.config_file).values
    forbidden = {"/application.wsgi": "X-Deploy-Release", "/current/RELEASE.json": "artifact_sha256"}
    from .facts import PRIVATE

    leaks = []
    for path in PRIVATE:
        resp = _response(facts, path)
        shown = "".join(r.text for p in ("/", exp.cfg.health_path)  # (after _response: there are responses)
                        if not isinstance(r := facts.responses.get(p), str | None))
        marker = forbidden.get(path) or next((s for s in secrets if s not in shown), "")
        if served_as_file(resp) or (marker and marker in resp.text):
            leaks.append(f"{resp.url}: status {resp.status_code}, {len(resp.content)} bytes")
    assert not leaks, "files under the app's tree must not be downloadable, but:\n" + "\n".join(leaks)


# ---------------------------------------------------------------- static files served by Apache (issue 18)

# paths tried under each static prefix: nothing but the static dir may answer (encoded dots are decoded by Apache
# before it maps the URL; an encoded slash is refused by its default AllowEncodedSlashes Off)
STATIC_ESCAPES = ("/%2e%2e/RELEASE.json", "/%2e%2e/venv/pyvenv.cfg", "/..%2fRELEASE.json",
                  "/%2e%2e/%2e%2e/application.wsgi", "/%2e%2e/%2e%2e/shared/application.cfg", "/.%2e/RELEASE.json",
                  "/%252e%252e/RELEASE.json", "/", "/..;/RELEASE.json")


def static_known_file(cfg, directory: str) -> str | None:
    """The file of the static dir ``directory`` the check GETs: the first (by name) regular file of that dir in
    the project on the runner, as pack shipped it (its path relative to the dir), or None when there is none. In the
    admin's gate (``config.DATA_ONLY``), a dir whose real path leaves the project (a link of the checkout:
    ``staticfiles -> ~``) is none: the repository names no file of this machine for it to list and read."""
    import os

    from ..config import DATA_ONLY

    base = Path(cfg.project_dir) / directory
    if not base.is_dir() or os.environ.get(DATA_ONLY) and Path(cfg.project_dir).resolve() not in \
            base.resolve().parents:
        return None
    files = sorted(p for p in base.rglob("*") if p.is_file() and not p.is_symlink())
    return files[0].relative_to(base).as_posix() if files else None


def static_paths(cfg) -> list[str]:
    """What the runner GETs for the static promise: per alias, its known file and the escape attempts."""
    out = []
    for prefix, directory in getattr(cfg, "static", ()):
        known = static_known_file(cfg, directory)
        if known:
            out.append(f"{prefix}/{known}")
        out += [prefix + e for e in STATIC_ESCAPES]
    return out


def static_served_by_apache(facts, exp):
    import mimetypes

    cfg, problems = exp.cfg, []
    for prefix, directory in getattr(cfg, "static", ()):
        known = static_known_file(cfg, directory)
        if known is None:
            raise NotApplicable(f"static {prefix}: {directory}/ has no file in the project here to compare with "
                                "(run the build, e.g. collectstatic, then the gate)")
        path = f"{prefix}/{known}"
        resp = _response(facts, path)
        local = (Path(cfg.project_dir) / directory / known).read_bytes()
        want = mimetypes.guess_type(known)[0]
        got = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        if resp.status_code != 200 or resp.content != local:
            problems.append(f"{path}: expected HTTP 200 with the {len(local)} bytes of {directory}/{known}\n"
                            f"{describe(resp)}")
        elif "X-Deploy-Release" in resp.headers:
            problems.append(f"{path} was answered by the app (X-Deploy-Release), not by Apache from "
                            f"{cfg.root}/current/{directory}\n{describe(resp)}")
        elif want and got != want:
            problems.append(f"{path}: Content-Type {got!r}, expected {want!r}\n{describe(resp)}")
        for escape in STATIC_ESCAPES:
            resp = _response(facts, prefix + escape)
            if resp.status_code < 400 and "X-Deploy-Release" not in resp.headers:
                problems.append(f"{prefix + escape} must not be served from outside {directory}/ (nor listed), "
                                f"but Apache answered\n{describe(resp)}")
    assert not problems, "static files:\n" + "\n".join(problems)


# ---------------------------------------------------------------- closed world: account for the server (issue 17)
# Deny by default: everything on the server that serves, runs, grants or loads code into the app must be what
# bootstrap/deploy made, what the stack's stock server has (deploytests.stacks: baseline_*), or allowed in
# writing by the target (targets.toml allow_*, deploytests.allowances). Each unaccounted item is one line:
# what, where it comes from, why it matters, and the allowance that would accept it.

def _inv(facts, what: str) -> dict:
    _needs_root(facts, what)
    inv = facts.get("inventory")
    if not inv:
        why = (facts.get("errors") or {}).get("inventory") or "no apache2ctl"
        raise NotApplicable(f"the probe could not take the server's inventory ({why})")
    return inv


def _allow_hint(exp, key: str, value: str) -> str:
    """The allowance to write for ``value`` (pinned to its content where ``key`` pins: :func:`pins.hint`)."""
    from ..allowances import command_argv
    from .pins import hint

    words = command_argv(key[len("allow_"):], value) if key in ("allow_processes", "allow_listen") else None
    if words and not words[0].startswith("/") and len(words[0].split()) > 1:
        # a title written over argv is one string ("gunicorn: master [app]"), where an exec's argv[0] is one word:
        # named_argv put the kernel's program in its place unless it is an interpreter's (or not known)
        return (f"no {key} entry accounts for it: its command line {words[0]!r} is a title the process wrote over "
                "its own (setproctitle's), which hides the script an interpreter runs, and an entry holds only for "
                "the program the kernel runs; if it is meant to be there, have it keep its command line (no process "
                "title: without the setproctitle module, or the program's own option) and allow that")
    return f"if it is meant to be there, {hint(exp, key, value)}"


def _unaccounted(what: str, lines: list[str], rule: str = "", exp=None) -> None:
    """Fail with one line per item; ``what`` names one item, in :func:`deploytests.words.count`'s form
    (``"scheduled job"``, ``"file[s] of Apache's configuration"``); ``rule``: a rule with no allowance of its own
    names how to switch it off."""
    __tracebackhide__ = True
    off = (f"\nif this is meant to be so, switch the rule off with a reason: skip_rules = {{ {rule} = \"...\" }} in "
           f"{exp.allow.where if exp else 'targets.toml'}") if rule else ""
    assert not lines, f"{count(len(lines), what)} not accounted for (not made by deploytests, not on a stock " \
                      f"server of this stack, not allowed):\n" + "\n".join(f"- {ln}" for ln in lines) + off


def _proc(p) -> str:
    return f"pid {p['pid']} ({p['user']}) {p.get('cmdline') or p.get('comm')!r}"


def _apache_parents(facts) -> set:
    return {p["pid"] for p in facts.get("apache") or [] if p["user"] == "root"}


SYSTEM_UIDS = range(0, 1000)  # root and Debian's system accounts (adduser --system: 100-999)
DOCKER_DNS = "127.0.0.11"  # Docker's embedded resolver on user-defined networks: its sockets are dockerd's, held
#                            from outside the container's processes


def _system_daemon(p, exp) -> bool:
    """Whether process ``p`` is a daemon the distribution installed: its executable a file of an installed dpkg
    package, and so is every script its command line gives it to run (``/usr/bin/python3 /usr/local/sbin/x`` is
    ``x``: :meth:`deploytests.verify.parse.Procs.package`), run by a system account that is not one of the users
    the gate watches (the app's, the deploy login's, Apache's), or by root when its executable is one of the
    stack's baseline root daemons (the MTA). Loopback is no trust boundary: every process of the host, the app's
    code and Apache's workers included (and any request the app makes for a client), reaches it, so a packaged
    program answering there as root (``socat ... EXEC:/bin/bash``, inetd's ``sh -i`` line, an rsync daemon's
    read-write module) is root's door for them, whatever package ships the program."""
    people = {exp.cfg.app_user, exp.deploy_user, exp.stack.apache.run_user}
    if not p.get("package") or p.get("uid", -1) not in SYSTEM_UIDS or p["user"] in people:
        return False
    return p.get("uid") != 0 or p.get("exe") in exp.stack.baseline_root_listeners


def _holders(sock) -> str:
    """Who holds a listening socket, as the gate saw it: its processes, or why they are not known."""
    if sock["procs"]:
        return ", ".join(_proc(p) for p in sock["procs"][:2])
    if sock.get("lasted") is False:
        return (f"owner uid {sock.get('uid')} ({sock.get('owner')}), a socket made while root walked /proc for its "
                f"holder (in one read of the sockets only: a listener replacing its socket faster than the walk "
                f"is never seen holding the one listed), so its process is not known from this run")
    if sock.get("hidden"):
        return (f"owner uid {sock.get('uid')} ({sock.get('owner')}), process not visible: root could not read "
                f"the file descriptors of {count(len(sock['hidden']), 'process')} here (no CAP_SYS_PTRACE?)")
    return f"owner uid {sock.get('uid')} ({sock.get('owner')}), held by no process of this server"


from .parse import SSHD  # noqa: E402 (sshd's programs)


def _roots(procs, binaries) -> bool:
    """Whether a process of ``procs`` is root's and runs one of ``binaries`` (its ``exe``; where the kernel did
    not show it, root's process of that name: a name alone, any user's to choose, never counts)."""
    names = {b.rsplit("/", 1)[-1][:15] for b in binaries}
    return any(p["user"] == "root" and (p.get("exe") in binaries or not p.get("exe") and p["comm"] in names)
               for p in procs)


def cw_listen(facts, exp):
    """Every listening socket: Apache on the app's port, the SSH server the gate came in by, a loopback-only
    socket of a daemon the distribution installed (:func:`_system_daemon`), or allowed. A socket whose holder
    root cannot see is a finding that says so."""
    from .sockets import unix_lines

    inv = _inv(facts, "listing every process's sockets")
    apache_bin, port = "/usr/sbin/" + exp.stack.apache.process_name, exp.cfg.port
    ports = {port} | {c.port for c in bootstrapped_apps(facts, exp, True).values()}  # another app's (bootstrap made it)
    seen, lines, readers, held = set(), [], secret_readers(facts, exp), {}
    came_by = {a["pid"] for a in inv.get("probe_ancestors") or [] if a["user"] == "root" and a.get("exe") in SSHD}
    # an Apache port a file by hand opens is that file's finding (test_every_apache_file_is_accounted_for)
    by_hand = {_listen_key(d["value"]).rsplit(":", 1)[-1] for path in unaccounted_apache_files(facts, exp)
               for d in inv["apache"]["files"][path].get("directives", []) if d["name"] == "listen"} \
        if inv.get("apache", {}).get("files") else set()
    for sock in inv["listeners"]:
        procs = sock["procs"]
        if sock.get("lasted") is False and sock.get("owner") not in (exp.deploy_user, exp.cfg.app_user):
            continue  # came or went during root's walk: a daemon restarting; the next run sees its holder. The two
            # less trusted parties' own are judged whoever holds them: one replacing its socket faster than the
            # walk was never in both reads, never seen held, and passed
        comms = {p["comm"] for p in procs}
        # who a socket is: root's process of the binary (the kernel's exe), never the name its owner chose
        if sock["proto"] == "tcp" and sock["port"] in ports and _roots(procs, (apache_bin,)):
            continue
        sshd = sock["proto"] == "tcp" and _roots(procs, SSHD)
        if sshd and (not came_by or came_by & {p["pid"] for p in procs}):
            continue  # the SSH server the gate came in by (an ancestor of the probe), not a second one
        if not procs and not sock.get("hidden") and sock.get("uid") == 0 and sock["host"] == DOCKER_DNS:
            continue  # every process's fds were read and none holds it: Docker's resolver, held by dockerd
        if exp.stack.apache.process_name in comms and str(sock["port"]) in by_hand:
            continue
        anyaddr = sock["host"] in ("0.0.0.0", "::")
        loopback = sock["host"].startswith("127.") or sock["host"] == "::1"  # IPv4 and IPv6: one finding
        if loopback and procs and all(_system_daemon(p, exp) for p in procs) and not sshd:
            continue  # the distribution's daemon, answering this host only (chrony's command port, the MTA)
        shown = f"{_shown_host(sock['host'])}:{sock['port']}"
        key = ("udp/" if sock["proto"] == "udp" else "") + shown
        allowed = _listen_allowed(exp, {key, f"{sock['host']}:{sock['port']}"}, procs, apache_bin)
        secrets = [] if loopback else [p["user"] for p in procs if p["user"] in readers and any(
            f"{p['user']}: {g}" in exp.allow.groups for g in readers[p["user"]][1])]  # (else another rule's line)
        if allowed is True and not secrets:
            continue
        who = _holders(sock)
        ident = (key, tuple(sorted(p["pid"] for p in procs)))
        if ident in seen:  # the same process on 0.0.0.0 and :: is one finding
            continue
        seen.add(ident)
        reach = "anyone who can reach this host" if anyaddr else "every process on this host" if loopback else \
            f"whoever can reach {sock['host']}"
        reach += " as root" if any(p.get("uid") == 0 or p["user"] == "root" for p in procs) and \
            not _roots(procs, (apache_bin,)) else ""
        first = min(procs, key=lambda p: p["pid"]) if procs else None
        bind = key if not first or not first.get("exe") or _roots(procs, (apache_bin,)) else \
            f"{key} {first['user']} {_command(exp, first)}"
        script = next((p["script"] for p in procs if p.get("script")), None)
        who += f" (its program is {script}, a file no package ships)" if script else ""
        if secrets:
            lines.append(f"{sock['proto'].upper()} {shown} listens: {who}; it answers {reach}, and {secrets[0]} may "
                         f"read the app's config ({readers[secrets[0]][0]}): what it serves to the network may carry "
                         f"the app's secrets. allow_listen accounts for the socket, not for that: keep the app's "
                         f"secrets from its user")
            continue
        if procs and not allowed:  # (one process, another socket: its line names this one too)
            same, this = held.get(ident[1]), (f"{sock['proto'].upper()} {shown}", bind)
            if same is not None and same[1:3] == (who, reach):
                same[3].append(this)
                continue
            held.setdefault(ident[1], (len(lines), who, reach, [this]))
        lines.append(f"{sock['proto'].upper()} {shown} listens: {who}; it answers {reach}. " + (allowed or "")
                     + _allow_hint(exp, "allow_listen", bind))
    lines += _one_line_per_holder(exp, lines, held)
    lines += unix_lines(facts, exp, inv.get("unix_listeners") or [], apache_bin)
    _unaccounted("listening socket", lines)


def _one_line_per_holder(exp, lines: list[str], held: dict) -> list[str]:
    """The sockets of one process (one set of holders) in one line, naming each and one allowance listing their
    entries (rpcbind's TCP and UDP ``*:111``: one daemon, one cause); ``held``: ``{pids: (its line's index, who,
    reach, [(socket, entry)])}``. Returns the lines of the sockets whose entries cannot share a line (a stale pin, a
    configuration to review: :func:`.pins.hint_all`), each its own as before."""
    from .pins import hint_all

    more = []
    for n, who, reach, socks in held.values():
        if len(socks) < 2:
            continue
        merged = hint_all(exp, "allow_listen", [b for _, b in socks])
        if merged is None:
            more += [f"{s} listens: {who}; it answers {reach}. " + _allow_hint(exp, "allow_listen", b)
                     for s, b in socks[1:]]
            continue
        lines[n] = f"{' and '.join(s for s, _ in socks)} listen: {who}; it answers {reach}. if it is meant to be " \
                   f"there, {merged}"
    return more


def secret_readers(facts, exp) -> dict[str, tuple[str, set]]:
    """user -> (how, the groups it reads it through), of every local user but root, the deploy login and the app
    user (theirs by design) whom the config's mode and ACL (the tree reader's ``stat`` and ``secret_acls``) let read
    it: its group's members, anyone (its other bits), a named user or group in its ACL. The directories above are
    not judged here. (An ACL entry and the other bits are config_mode's findings, a membership cw_groups' unless
    allowed: cw_listen says what an allowed membership serves.)"""
    from .sockets import GROUP, MASK, USER, acl

    snap = getattr(facts, "raw", None)
    users = getattr(snap, "users", None)
    st = (facts.get("stat") or {}).get(exp.cfg.remote_config_path) or {} if exp.cfg.config_file else {}
    if users is None or not st.get("mode"):
        return {}
    mode, out = int(st["mode"], 8), {}
    entries = acl(_unhex(((facts.get("secret_acls") or {}).get(exp.cfg.remote_config_path) or {}).get("access")))
    mask = next((p for t, p, _ in entries if t == MASK), 7)
    groups = {users.group(i): "its ACL" for t, p, i in entries if t == GROUP and p & mask & 4}
    groups.update({st.get("group"): f"group {st.get('group')} of {exp.cfg.remote_config_path}"} if mode & 0o040 else {})
    named = {users.name(i) for t, p, i in entries if t == USER and p & mask & 4}
    for name in users.by_name:
        mine = set((users.facts(name) or {}).get("groups") or [])
        how = ("every local user (others may read it)" if mode & 0o004 else "its ACL" if name in named else
               next((f"{groups[g]}, {name} a member" for g in sorted(mine & set(groups))), None))
        if how and name not in ("root", exp.deploy_user, exp.cfg.app_user):
            out[name] = (how, mine & set(groups))
    return out


def _command(exp, p: dict) -> str:
    from .pins import command

    return command(exp, p)


def _listen_allowed(exp, keys: set, procs: list, apache_bin: str) -> bool | str:
    """Whether an ``allow_listen`` entry accounts for a socket at one of ``keys`` held by ``procs``: ``"ADDR"``
    alone for Apache's own (the stack's binary, its root parent among them: a ``Listen`` of an allowed file) or for
    holders whose program root could not see (no ``CAP_SYS_PTRACE``: nothing to bind), else
    ``"ADDR USER EXE [ARGS...]"`` (its pin held: :func:`.pins.effective`): every holder runs EXE (the kernel's exe)
    with exactly ARGS, its whole command line after ``argv[0]`` (:func:`.pins.command`; the deploy login's and the
    app user's: EXE and the script it gives an interpreter, their command lines being their own claim), started
    after the files pinned last changed (:func:`.pins.since`), and the first of them runs as USER. An allowance
    binds what it was written for: when another program takes the
    port, it no longer accounts for it (True); the text to say so when an entry names the address only; else
    ``""``."""
    from .pins import claimed, command

    found = ""
    for entry in exp.allow.listen:
        words = entry.split()
        if not words or words[0] not in keys:
            continue
        if len(words) == 1 and procs and _roots(procs, (apache_bin,)) and all(  # (no exe shown: _roots' rule)
                p.get("exe") == apache_bin or not p.get("exe") and p["comm"] == apache_bin[-15:].rsplit("/")[-1]
                for p in procs):
            return True
        if len(words) == 1 and procs and not any(p.get("exe") for p in procs):
            return True  # root could not see which program holds it (no CAP_SYS_PTRACE): nothing to bind
        first = min(procs, key=lambda p: p["pid"]) if procs else None
        gone = next((p for p in procs if str(p.get("exe") or "").endswith(" (deleted)")), None)
        if len(words) >= 3 and gone:
            found = (f"{entry!r} in {exp.allow.where} pins {words[2]}, but pid {gone['pid']} runs {gone['exe']}: a "
                     f"file replaced or removed since it started, not the one pinned (restart it). ")
            continue
        who = first["user"] if first else None
        if len(words) >= 3 and claimed(exp, "listen", entry, who):
            found = f"{entry!r} in {exp.allow.where} cannot hold for a process of {who}. "
            continue
        if len(words) >= 3 and first and first["user"] == words[1] and all(  # (its whole command line)
                _same_command(exp, p, entry) for p in procs):
            changed = next(filter(None, (exp.allow.changed("listen", entry, p.get("started")) for p in procs)),
                           None) if exp.allow.changed else None
            if not changed:
                return True
            found = (f"{entry!r} in {exp.allow.where} is pinned to the program's files as they are now, but {changed}: "
                     f"it runs what was there before (restart it after any change to its program). ")
            continue
        if len(words) >= 3 and first and first["user"] == words[1] and all(
                " ".join(command(exp, p).split()) == " ".join(words[2:]) for p in procs):
            found = (f"{entry!r} in {exp.allow.where} names the command line in words split on blanks, which two "
                     f"command lines can share; an entry is the command line shell-quoted, split back exactly as a "
                     f"shell splits it: {words[0]} {words[1]} {command(exp, first)}. ")
            continue
        if len(words) >= 3 and first and first["user"] == words[1] and all(
                p.get("bare") == " ".join(words[2:]) for p in procs):
            found = (f"{entry!r} in {exp.allow.where} names {words[2]}'s program, not its whole command line "
                     f"({command(exp, first)[:160]}): an entry names the command line it allows, every argument "
                     f"(last round's form). ")
            continue
        found = (f"{entry!r} in {exp.allow.where} allows this address for "
                 f"{'Apache' if len(words) == 1 else words[1] + ' running ' + ' '.join(words[2:])} only, not for "
                 f"what holds it now. ")
    return found


def _same_command(exp, p: dict, entry: str) -> bool:
    """Whether ``allow_listen`` ``entry`` names holder ``p``'s command line (:func:`.pins.command`) exactly: both split
    as a shell splits words (:func:`deploytests.allowances.command_argv`: an argument's blanks are its own, two
    command lines never share an entry); the deploy login's and the app user's, whose command line is their own
    claim, by their words."""
    from ..allowances import command_argv
    from .pins import command

    if p.get("user") in (exp.deploy_user, exp.cfg.app_user):
        return " ".join(command(exp, p).split()) == " ".join(entry.split()[2:])
    try:
        return shlex.split(command(exp, p)) == command_argv("listen", entry)
    except ValueError:
        return False


def _ours_conf(exp) -> dict:
    """The Apache files bootstrap writes, or whose state another promise judges: path as Apache lists it ->
    what it is (one root cause, one failure: the distribution's default site enabled is test_site_enabled_...)."""
    a = exp.stack.apache
    return {f"{a.sites_enabled}/{exp.cfg.app}.conf": "the app's vhost (test_vhost_as_bootstrapped checks it)",
            f"{a.conf_available.replace('-available', '-enabled')}/deploytests-servername.conf":
                "bootstrap's global ServerName",
            f"{a.sites_enabled}/{a.default_site}.conf": "the distribution's default site (the sites promise)"}


BOOTSTRAPPED = {"server_name": r"^    ServerName (\S+)$", "port": r"^<VirtualHost \*:(\d+)>$",
                "app_user": r"^WSGIDaemonProcess \S+ user=(\S+) ", "processes": r" processes=(\d+) threads="}


def bootstrapped_apps(facts, exp, claimed: bool = False) -> dict[str, Any]:
    """The other apps deploytests' bootstrap made on this server, by what it made, never by a name: site file as
    Apache lists it (``sites-enabled/<app>.conf``) -> that app's settings (a DeployConfig), for each enabled site
    whose file, as root's collector read it (root's alone), is byte-equal to what bootstrap writes for the settings
    read back from it, and whose app user bootstrap created (listed in root's ``/var/lib/deploytests/users``). The
    closed-world checks account for such an app's vhost, Listen port, daemons and handlers as for the app's own.
    ``claimed``: also a file that says bootstrap wrote it (its first line) for such a user but differs by a byte:
    its one finding is the file's (:func:`unaccounted_apache_files`, which takes only the exact ones); what it makes
    Apache run (the app's daemons, its script, its port and vhost) is that app's, not four more findings."""
    import dataclasses

    from ..pipeline.templates import vhost

    snap, a = getattr(facts, "raw", None), exp.stack.apache
    users_file = f"{STATE_DIR}/users"
    if snap is None or not getattr(snap, "files", None) or snap.writable_by_others(users_file):
        return {}
    created, found = set((snap.text(users_file) or "").split()), {}
    for name in facts.get("sites_enabled") or []:
        app, path = name[:-len(".conf")], f"{a.sites_available}/{name}"
        text = snap.text(path) if name.endswith(".conf") and snap.writable_by_others(path) is None else None
        if not text or app == exp.cfg.app or snap.realpath(f"{a.sites_enabled}/{name}") != path:
            continue
        got = {k: next(iter(re.findall(rx, text, re.M)), "") for k, rx in BOOTSTRAPPED.items()}
        static = tuple(sorted(re.findall(rf"^    Alias (\S+)/ {APPS_ROOT}/{re.escape(app)}/current/(\S+)/$", text,
                                         re.M)))
        if not all(got.values()) or got["app_user"] not in created or got["app_user"] == exp.cfg.app_user:
            continue
        try:
            cfg = dataclasses.replace(exp.cfg, app=app, app_user=got["app_user"], server_name=got["server_name"],
                                      port=int(got["port"]), processes=int(got["processes"]), static=static,
                                      shared_paths=())
            made = vhost(cfg, stack=exp.stack)
        except ValueError:
            continue
        if made == text or claimed and text.startswith(VHOST_MARK):
            found[f"{a.sites_enabled}/{name}"] = cfg
    return found


VHOST_MARK = "# Generated by deploytests bootstrap for "  # the site file's first line (the stacks' vhost templates)


def _text_of(facts, path: str) -> str | None:
    """``path``'s text in root's snapshot, or None (no snapshot, not read)."""
    snap = getattr(facts, "raw", None)
    return snap.text(path) if snap is not None and getattr(snap, "files", None) else None


def _others_daemons(facts, exp) -> dict[int, Any]:
    """pid -> app settings, for each mod_wsgi daemon of another app bootstrap made (:func:`bootstrapped_apps`):
    named as its daemons are, running as its user."""
    return {p["pid"]: c for c in bootstrapped_apps(facts, exp, True).values() for p in facts.get("apache") or []
            if p["user"] == c.app_user and exp.stack.is_daemon_of(p.get("argv0", ""), c.app)}


def _listen_key(value: str) -> str:
    """The ``allow_listen`` address of an Apache ``Listen`` value (``8443 https``, ``127.0.0.1:8080``,
    ``[::]:443``), in the form the listener rule shows its socket: ``*``, ``localhost`` or the address, ``:PORT``."""
    host, _, port = value.split()[0].rpartition(":") if value.split() else ("", "", "")
    return f"{_shown_host(host.strip('[]'))}:{port}"


def _shown_host(host: str) -> str:
    """How a listening address is shown and allowed: ``*`` for any address, ``localhost`` for loopback, else itself."""
    return "*" if host in ("", "*", "0.0.0.0", "::") else "localhost" if host.startswith("127.") or host == "::1" \
        else host


def unaccounted_apache_files(facts, exp) -> dict[str, str]:
    """path -> why, for each file Apache's root parent reads that is not accounted for: someone but root may
    write it, or it is not a stock include with dpkg's unchanged content, bootstrap's, or allowed. The line says
    what the file makes Apache do (its vhosts, its Listen ports): those effects are this one finding."""
    ap = facts["inventory"]["apache"]
    ours = dict(_ours_conf(exp), **{p: f"{c.app}'s vhost, as bootstrap wrote it" for p, c in
                                    bootstrapped_apps(facts, exp).items()})
    baseline = {p.format(app=exp.cfg.app) for p in exp.stack.baseline_includes}
    found = {}
    for path, info in ap.get("files", {}).items():
        inc = next((i for i in ap["includes"] if i["path"] == path), None)
        origin = f" (included from {inc['from']}:{inc['at']})" if inc and inc.get("from") else ""
        if info.get("loose") and "(not read: outside what the collector reads)" in info["loose"]:
            found[path] = (f"{path}{origin}: Apache reads it as root from {info['real']}, a file of root's outside "
                           f"the directories the gate reads: a file by hand whose content the gate cannot account "
                           f"for (what it loads or serves is unknown). {_allow_hint(exp, 'allow_apache_conf', path)}")
            continue
        if info.get("loose"):
            found[path] = (f"{path}{origin}: Apache reads it as root, but {info['loose']} is writable by someone "
                           f"other than root: whoever can write it controls Apache (code as root at the next reload)")
            continue
        if path in exp.allow.apache_conf or path in ours:
            continue
        if info.get("dpkg_changed"):
            why = f"a conffile of {info.get('dpkg_package') or 'a package'}, changed on this server (its md5 is " \
                  f"not dpkg's): a hand edit is in Apache's config"
        elif not info.get("package") and (_text_of(facts, info.get("real") or path) or "").startswith(VHOST_MARK):
            why = ("it says bootstrap wrote it for an app, but it is not what bootstrap writes for the settings it "
                   "names, or its user is not one bootstrap created: a hand edit in Apache's config (bootstrap that "
                   "app again to write its own back)")
        elif not info.get("package"):
            why = "no package ships it and bootstrap did not write it: a file by hand in Apache's config"
        # a stock module's own unchanged files, and the packages' unchanged files they include (in turn: the CRS's
        # rules, by libapache2-mod-security2's security2.conf), are accounted by the module rule (which modules load)
        elif inc is not None and path not in baseline and not _a_modules(ap, path, exp.stack.apache.mods_enabled):
            why = f"{info['package']}'s file, but not enabled on a stock server: it changes what Apache serves or loads"
        else:
            continue
        effects = [f"vhost {v['name']} (line {v['line']})" for v in _vhosts(ap) if v["file"] == path]
        run = _run_as(facts, exp) if path.endswith("/envvars") else []
        effects += [f"Listen {d['value']} (line {d['line']})" for d in info.get("directives", [])
                    if d["name"] == "listen"]
        sites = sorted({v["name"] for v in _vhosts(ap) if v["file"] == path and v["name"] not in exp.allow.sites})
        opens = sorted({_listen_key(d["value"]) for d in info.get("directives", []) if d["name"] == "listen"}
                       - set(exp.allow.listen))
        found[path] = f"{path}{origin}: {why}" + (f"; it defines {', '.join(effects)}" if effects else "") + \
            "".join(f"; by it {r}" for r in run) + f". {_allow_hint(exp, 'allow_apache_conf', path)}" + (
                f", with what it serves: allow_sites = {json.dumps(sites)}" if sites else "") + (
                f", with what it opens: allow_listen = {json.dumps(opens)}" if opens else "")
    return found


def _a_modules(ap, path: str, mods: str) -> bool:
    """Whether ``path`` is a module's file (in ``mods``, Apache's ``mods-enabled``) or reached from one through
    ``Include`` lines of packages' unchanged files only."""
    seen = set()
    while not path.startswith(mods + "/"):
        seen.add(path)
        inc = next((i for i in ap["includes"] if i["path"] == path), None)
        path = (inc or {}).get("from") or ""
        if path in seen or not (ap["files"].get(path) or {}).get("package"):
            return False
    return True


def _vhosts(ap) -> list[dict]:
    """Apache's vhosts, one per file:line (apache2ctl -S lists a name-based default twice)."""
    seen, out = set(), []
    for v in ap.get("vhosts", []):
        if (v["file"], v["line"]) not in seen:
            seen.add((v["file"], v["line"]))
            out.append(v)
    return out


def _inv_apache(facts, what: str) -> dict:
    inv = _inv(facts, what)
    if inv["apache"].get("refused"):
        raise NotApplicable("apache2ctl was not run as root (the root failure is "
                            "test_every_apache_file_is_accounted_for)")
    if inv["apache"].get("rc") not in (0, None) or (facts.get("configtest") or {}).get("rc") not in (0, None):
        raise NotApplicable("Apache's configuration does not parse (the root failure is test_configtest_clean)")
    return inv


def cw_apache_files(facts, exp):
    """Every file Apache's root parent reads is accounted for (:func:`unaccounted_apache_files`)."""
    refused = facts["inventory"]["apache"].get("refused") if facts.get("inventory") else None
    # (a file or directory of Apache's that hardening or root's umask 027 made root's alone: the gate's login must
    # look at all of it before root runs apache2ctl, and it is already root's: the remedy is read access)
    assert not refused or "(Permission denied)" not in refused, \
        f"Apache's configuration was {refused}: the gate's login must read every file Apache's root parent reads " \
        f"before root runs apache2ctl's checks (made root's alone by hardening, or written 0640 under root's umask " \
        f"027): let it read them (chmod o+r on the file, o+rx on its directories; CIS's Apache benchmark asks " \
        f"only that others may not write them): no allowance accounts for what the gate may not read"
    assert not refused, f"Apache's configuration was {refused}: whoever can write there controls Apache's root " \
                        f"parent (code as root at the next reload); make what it names root's alone (not writable " \
                        f"by group or others, in root's directories) or remove it: no allowance accounts for it"
    _inv_apache(facts, "Apache's own list of its configuration files")  # (skips when it does not parse)
    _unaccounted("file[s] of Apache's configuration", list(unaccounted_apache_files(facts, exp).values()))


def cw_modules(facts, exp):
    _needs_root(facts, "listing Apache's modules")
    ct = facts.get("configtest") or {}
    if ct.get("rc") != 0:
        raise NotApplicable("Apache's configuration does not parse (the root failure is test_configtest_clean)")
    known = set(exp.stack.baseline_modules) | {f"{exp.stack.wsgi_module}_module"} | set(exp.allow.modules)
    lines = [f"{m}: loaded into Apache's root parent and every worker (a module is code, and may add handlers "
             f"that serve). " + _allow_hint(exp, "allow_modules", m) for m in ct.get("modules", []) if m not in known]
    _unaccounted("Apache module", lines)


def cw_vhosts(facts, exp):
    """Every virtual host Apache serves: the app's (its ServerName in its site file), or allowed by ServerName."""
    inv = _inv_apache(facts, "Apache's own list of its virtual hosts")
    try:  # (the app's site file, and each copy of it for TLS: its vhost is the app's, :class:`_Site`)
        ours = _in_force(facts, exp, "Apache's own list of its virtual hosts")[2]
    except NotApplicable:
        ours = _Site(f"{exp.stack.apache.sites_enabled}/{exp.cfg.app}.conf")
    default = f"{exp.stack.apache.sites_enabled}/{exp.stack.apache.default_site}.conf"  # the sites promise's
    files = unaccounted_apache_files(facts, exp)  # a vhost of such a file is that file's finding
    others = bootstrapped_apps(facts, exp, True)  # another app's vhost, bootstrap's (or the file's finding)
    by_address = _by_address(inv["apache"], exp)
    taken = _default_site(facts, exp)
    taken = None if taken and any(v["file"] == taken["file"] for v in by_address) else taken
    lines = [f"{v['name']} at {v['file']}:{v['line']} is <VirtualHost {v['addr']}>, the app's is <VirtualHost "
             f"*:{exp.cfg.port}>: Apache picks a virtual host by address before name, so every request that arrives "
             f"at {v['addr']} goes to it, whatever its Host, and never to the app"
             + (" (the deploy's and the rollback's health check asks the server at 127.0.0.1: every deploy and "
                "rollback is refused)" if v["addr"].startswith("127.") else "")
             + f", whatever is allowed: write it <VirtualHost *:{exp.cfg.port}> (its ServerName keeps it apart)"
             for v in by_address]
    lines += [f"{taken['name']} at {taken['file']}:{taken['line']} is Apache's default virtual host for port "
             f"{exp.cfg.port} (its file sorts before the app's): every request that does not name "
             f"{exp.cfg.server_name} goes to it, the runner's checks of the app by address too, whatever is allowed "
             f"(name its file after the app's, or give the target's base_url the app's name)"] if taken else []
    lines += [f"{v['name']} at {v['file']}:{v['line']}: a virtual host besides the app's: it serves requests for "
             f"{v['name']} (and for every name when it comes first). " + _allow_hint(exp, "allow_sites", v["name"])
             for v in _vhosts(inv["apache"])
             if not (v["file"] == ours and v["name"] == exp.cfg.server_name) and v["name"] not in exp.allow.sites
             and v["file"] not in files and v["file"] != default and v["name"] != getattr(others.get(v["file"]),
                                                                                      "server_name", None)
             and (v["file"], v["line"]) not in {(b["file"], b["line"]) for b in by_address}]
    _unaccounted("virtual host", lines)


HTTP_CHECKS = ("health", "homepage", "serves", "private", "static", "sec_status", "sec_cors")  # the runner's requests


def _by_address(ap, exp) -> list[dict]:
    """The vhosts bound to a specific address on the app's port (``<VirtualHost 127.0.0.1:80>``) when the app's
    is ``*:port``: Apache matches the address first, so they take every request that arrives there."""
    ours = f"{exp.stack.apache.sites_enabled}/{exp.cfg.app}.conf"
    port = f":{exp.cfg.port}"
    found = [dict(v, addr=v.get("addr") or next(iter(re.findall(r"^(\S+:\d+)\s", v.get("shown", ""))), ""))
             for v in _vhosts(ap)]
    if not any(v["file"] == ours and v["addr"].startswith("*:") for v in found):
        return []
    return [v for v in found if v["addr"].endswith(port) and not v["addr"].startswith(("*", "_default_"))
            and v["file"] != ours]


def _default_site(facts, exp) -> dict | None:
    """The virtual host that is Apache's default for the app's port when it is not the app's and the runner's
    requests do not name the app (they go to the default: blind4's M3), else None."""
    names = {urlsplit(getattr(r, "url", "") or "").hostname for r in (getattr(facts, "responses", None) or {}).values()
             if not isinstance(r, str) and r is not None}
    if not names or exp.cfg.server_name in names:
        return None
    port = exp.cfg.port
    ap = (facts.get("inventory") or {}).get("apache") or {}
    first = next((v for v in ap.get("vhosts", []) if v.get("shown", "").startswith(f"port {port} namevhost ") or
                  re.match(rf"^\S*:{port}\s", v.get("shown", ""))), None)
    ours = f"{exp.stack.apache.sites_enabled}/{exp.cfg.app}.conf"
    return first if first and (first["file"], first["name"]) != (ours, exp.cfg.server_name) else None


def cw_in_force(facts, exp):
    """The configuration Apache runs with is the one on disk: nothing of it changed after Apache last (re)loaded
    it: no file it lists (through its link; envvars too) and no directory its Includes read files from (a file
    removed or added there changes only the directory's ``ctime``: an Alias or a ``WSGIScriptReloading Off`` in
    force whose file is gone is unseen by every check that reads the files), by ``ctime``, which no one sets back.
    When Apache last loaded it: its pid file's mtime (it writes it at every start and graceful restart, after
    reading its configuration; root's) when it names the running root parent, else the oldest of its current
    children (which a graceful reload replaces). A load is not an instant: Apache reads its files after the restart
    signal and writes the pid file after reading them (~0.4 s on Debian 12), so a change in between may or may not
    be in force; when the load's start is known (:func:`_reload_began`: the root parent's last restart signal in
    its error log) a change after it is a line too, saying so."""
    from . import collect_login as C

    inv = _inv_apache(facts, "Apache's configuration files")
    args = [f"pid {a['pid']} runs {' '.join(a['argv'])!r}: {' '.join(a['argv'][1:])!r} beyond '-k start' changes "
            f"what it reads or serves (a -c/-C/-f/-d/-D), unlike the dump the gate judges (apache2ctl's own)"
            for a in inv.get("apache_argv") or [] if _apache_extra(a["argv"][1:])]
    parents = _apache_parents(facts)
    kids = [p["started"] for p in inv["processes"] if p["ppid"] in parents and p.get("started")]
    snap = getattr(facts, "raw", None)
    pid = snap.st(C.PIDFILE) if getattr(snap, "files", None) and (snap.text(C.PIDFILE) or "").strip() in {
        str(p) for p in parents} else None
    entry = snap.files.get(C.PIDFILE) if getattr(snap, "files", None) and parents else None
    if entry is not None and not pid and ("data" in entry or entry.get("why") == os.strerror(errno.ENOENT)):
        args.append(f"{C.PIDFILE}: " + (f"names pid {(snap.text(C.PIDFILE) or '').strip()[:20]!r}" if "data" in entry
                                        else "is gone") + f", not Apache's running parent {sorted(parents)}: "
                    "apache2ctl graceful and stop (bootstrap's reload, logrotate's) do not reach it (graceful starts "
                    "a second server, which fails): no reload takes effect; restart Apache (stop its parent by pid)")
    if not kids and not pid:
        assert not args, "Apache's configuration on disk is not the one in force:\n" + "\n".join(args)
        raise NotApplicable("Apache has no child processes to date its last reload by")
    loaded = pid[4] if pid else min(kids)
    import datetime as _dt

    when = lambda t: _dt.datetime.fromtimestamp(t, _dt.UTC).strftime("%H:%M:%S.%f")[:-3]  # noqa: E731
    began = _reload_began(facts, snap, parents, loaded) if pid else None
    since = loaded + 0.05 if began is None else min(began - JIFFY, loaded + 0.05)
    during = "" if began is None else f"(its load began at {when(began)}, its pid file was written at {when(loaded)})"

    def dated(t: float, what: str) -> str:
        if t > loaded + 0.05:
            return f"changed at {when(t)}, after Apache last loaded its configuration ({when(loaded)}): {what}"
        return (f"changed at {when(t)}, while Apache was loading its configuration {during}: whether it read it "
                f"before or after that change is not known (nothing on the server records what it read): reload "
                f"Apache (apache2ctl graceful) and run the gate again")

    files = inv["apache"].get("files", {})
    lines = [f"{path} " + dated(info["mtime"], "the server does not run what is on disk; the next reload "
                                               "(logrotate's, a bootstrap's) applies it unchecked")
             for path, info in files.items() if info.get("mtime") and info["mtime"] > since]
    ctime = lambda path: ((snap.st(path) or [])[6:] or [0])[0] if getattr(snap, "files", None) else 0  # noqa: E731
    included = {p: _include_dirs(snap, i.get("real") or p) for p, i in files.items()}
    unread = [f"{p}: {why}: the directories it includes from are not dated (reload Apache after any change there, "
              f"and write the line so this gate reads it as Apache does)" for p, why in included.items()
              if isinstance(why, str)]
    read = {posixpath.dirname(p) for p in files} | {d for ds in included.values() if not isinstance(ds, str)
                                                    for d in ds}
    lines += [f"{d} " + dated(ctime(d), "a file of it was removed, added or renamed there; what Apache serves is "
                                        "what was there then (a file removed without a reload stays in force, "
                                        "unseen by every check): reload Apache (apache2ctl graceful) and run the "
                                        "gate again")
              for d in sorted(read - {C.SERVER_ROOT}) if ctime(d) > since]
    lines = args + unread + lines
    assert not lines, "Apache's configuration on disk is not the one in force:\n" + "\n".join(lines)


JIFFY = 0.01  # seconds: a file's ctime is the kernel's coarse clock, up to a tick behind the log's fine one
START_ERROR = 0.05  # seconds: a start the kernel counts in clock ticks, its boot from /proc/uptime's 10 ms


def _reload_began(facts, snap, parents: set, loaded: float) -> float | None:
    """When Apache's root parent began the load whose pid file is dated ``loaded``: the last restart signal it
    logged (:func:`.parse.reload_began`), when it is this parent's (not older than its start: the log outlives
    its parent, and pids repeat after a reboot or in a snapshot's container); else None: not known (the load's
    window, between its start and its pid file, is then not judged: a parent's start, the kernel's tick, dates a
    first load too coarsely to tell a file written just before it, and a reload whose line is not there from it).
    Its log's local time is in the zone it started with (glibc reads ``/etc/localtime`` once): a zone set since
    (the link's ``ctime`` later than the parent's start) is not the one its lines are written in: not known."""
    from .parse import reload_began

    found = reload_began(snap, parents, loaded) if getattr(snap, "files", None) else None
    starts = [p["started"] for p in facts.get("apache") or [] if p["pid"] in parents and p.get("started")]
    if found is not None and starts and found < min(starts) - START_ERROR:
        return None  # (an earlier parent's line, of the same pid: before a reboot, in a snapshot's log)
    zoned = ((snap.files.get("/etc/localtime") or {}).get("st") or [])[6:7] if getattr(snap, "files", None) else []
    return None if starts and zoned and zoned[0] > min(starts) else found


def _include_dirs(snap, path: str) -> list[str] | str:
    """The directories each ``Include``/``IncludeOptional`` line of Apache's file ``path`` reads files from (a
    glob's, or a directory named whole; from the ServerRoot), whether or not a file is there now: the last file
    removed from a directory an Include reads leaves no file of it to date it by, and stays in force until a
    reload. Its lines are read as the login collector's verdict reads them (``collect_login.named``: continued
    lines joined, a ``${variable}`` or a word Apache may read otherwise is a no, returned as why, a str): the
    dating never reads less than Apache. A directory Apache reads whole (named so, or matched by the glob's last
    part) it reads with every directory below it, each dated."""
    from . import collect_login as C

    names = C.named((snap.text(path) if getattr(snap, "files", None) else None) or "")
    if isinstance(names, str):
        return names
    isdir = lambda d: stat.S_ISDIR((snap.st(d) or [0])[0])  # noqa: E731

    def below(top: str) -> list[str]:  # (Apache reads a directory whole: its subdirectories too, in turn)
        todo = [top]
        for d in todo:
            todo += [f"{d}/{n}" for n in sorted(snap.listdir(d) or []) if isdir(f"{d}/{n}") and len(todo) < 5000]
        return todo

    out: list[str] = []
    for kind, name in names:
        if not kind.startswith("include"):
            continue
        word = posixpath.normpath(posixpath.join(C.SERVER_ROOT, name))
        head = re.split(r"[*?\[]", word)[0]
        if head == word:  # (a file or a directory named whole)
            out += below(word) if isdir(word) else [posixpath.dirname(word)]
            continue
        found = [posixpath.dirname(head)]  # (a wildcard in a directory's name too: each directory it matches now)
        for part in filter(None, posixpath.dirname(word)[len(posixpath.dirname(head)):].strip("/").split("/")):
            out += found
            found = [f"{d}/{n}" for d in found for n in (snap.listdir(d) or []) if fnmatch.fnmatchcase(n, part) and
                     stat.S_ISDIR((snap.st(f"{d}/{n}") or [stat.S_IFDIR])[0])] if re.search(r"[*?\[]", part) else [
                posixpath.join(d, part) for d in found]
        out += found
        last = posixpath.basename(word)  # (what the last part matches now that is a directory: read whole)
        out += [x for d in found for n in sorted(snap.listdir(d) or []) if fnmatch.fnmatchcase(n, last) and
                isdir(f"{d}/{n}") for x in below(f"{d}/{n}")]
    return out


def _apache_extra(argv: list[str]) -> list[str]:
    """What of Apache's argv (after its name) is not how Debian's apache2ctl and the official images start it
    (``-k start|restart|graceful``, ``-DFOREGROUND``)."""
    extra, rest = [], list(argv)
    while rest:
        word = rest.pop(0)
        if word == "-k" and rest and rest[0] in ("start", "restart", "graceful"):
            rest.pop(0)
        elif word not in ("-DFOREGROUND",) and not (word == "-D" and rest[:1] == ["FOREGROUND"] and rest.pop(0)):
            extra.append(word)
    return extra


def cw_processes(facts, exp):
    """Every process of the app user is one of its mod_wsgi daemons; of Apache's user, an Apache child; of the
    deploy user, part of a live SSH session (the gate's probe, an operator's shell; on a systemd server, the
    login's own ``systemd --user`` while it has one: :func:`_user_manager`); and no process of anyone
    else (root included) outside a live SSH session names the app's tree on its command line, or runs a program
    from a directory every local user may write (``/tmp``, ``/dev/shm``: the exe the kernel shows)."""
    from .parse import in_session
    from .rootacts import allow_command, allowed_process, named_argv, process_lines, view

    inv = _inv(facts, "reading every process")
    snap, live = view(getattr(facts, "raw", None)), (facts.tree or {}).get("current") and _live_id(facts)
    parents = _apache_parents(facts)
    app, deploy, www = exp.cfg.app_user, exp.deploy_user, exp.stack.apache.run_user  # the stack's, not the config's
    daemons = {d["pid"] for d in facts.get("daemons") or []}
    lines = []
    for p in inv["processes"]:
        user, argv0 = p["user"], allow_command(exp, p["user"], named_argv(p, exp, snap))
        found = allowance_lines(facts, exp, p, allowed_process(p, exp, snap, live))
        if found is not None:
            lines += found
            continue
        child = p["ppid"] in parents and p["comm"] == exp.stack.apache.process_name
        if user == app and child:  # a daemon mod_wsgi forked (its display name is set once it started: not proof)
            continue
        if user == www and (child or p.get("exe") in exp.stack.baseline_www_daemons):
            continue  # (a stock daemon of the stack's packages run as Apache's user: its program, unchanged, is
            # among the packages' files compared with dpkg's md5sums)
        if child and p["pid"] not in daemons:
            continue  # an Apache worker of another user than the stack's: test_apache_workers_not_root's finding
        if user == deploy and (in_session(p.get("ancestors", [])) or _user_manager(p, inv["processes"], snap)):
            continue
        role = "the app user" if user == app else "Apache's user" if user == www else "the deploy user"
        why = ("it runs with the app's rights and data, outside Apache's control (left running, it keeps old "
               "code and open files)" if user == app else
               "it runs with Apache's user's rights (it reads what Apache serves, the app's static files and "
               "logs) outside Apache's control" if user == www else
               "it runs with the deploy user's rights (it can change releases) outside any login session")
        lines.append(f"{_proc(p)}, a process of {role} ({user}) started by pid {p['ppid']}: {why}. "
                     + _allow_hint(exp, "allow_processes", f"{user}: {argv0}"))
    for p in inv.get("reaching") or []:  # anyone else's, root's too, that runs something from the app's tree
        argv0 = allow_command(exp, p["user"], named_argv(p, exp, snap))
        if in_session(p.get("ancestors", [])):
            continue  # in a live SSH session (an operator's shell, the gate's own probe)
        found = allowance_lines(facts, exp, p, allowed_process(p, exp, snap, live))
        if found is not None:
            lines += found
            continue
        lines.append(f"{_proc(p)} names the app's tree ({exp.cfg.root}) on its command line, outside any login "
                     f"session: what the deploy login or the app writes there runs with {p['user']}'s rights. "
                     + _allow_hint(exp, "allow_processes", f"{p['user']}: {argv0}"))
    lines += process_lines(facts, exp, inv.get("reaching") or [])  # what runs from the tree, resolved
    lines += _more_than_apache_starts(facts, exp, parents)
    lines += [f"{_proc(p)} runs {p['exe']}, a program in a directory every local user may write, outside any login "
              f"session: whoever made that name first chose what runs with {p['user']}'s rights" +
              (" (and removed it since: it runs unseen)" if p["exe"].endswith(" (deleted)") else "") +
              "; stop it and find who started it: no allowance accounts for it"
              for p in inv.get("from_shared") or [] if not in_session(p.get("ancestors", []))]
    named = {p["pid"] for p in inv.get("reaching") or []} | {int(m) for ln in lines for m in re.findall(
        r"^pid (\d+) ", ln)}  # (one process, one line: what is said of it above says why it matters)
    named |= {p["pid"] for sock in inv.get("listeners") or [] for p in sock["procs"]}  # (cw_listen's: what it
    # serves is judged there, and allowed there by its program: allow_listen)
    _unaccounted("process", lines + _unpackaged_root(facts, exp, live, named))


GRACEFUL_WINDOW = 30  # seconds after Apache's last load in which the daemons it stopped may still be shutting down


def _more_than_apache_starts(facts, exp, parents: set) -> list[str]:
    """One line when more processes of the app user have Apache's root process for their parent, started since the
    switch, than the daemons its vhost runs (``processes=``). A parent is no proof of who started a process: one
    may make its parent's parent its own (``clone(CLONE_PARENT)``), so code the app runs in a daemon left a process
    with the daemon's title, program, working directory and memory, Apache's child by every field the kernel
    shows, running with the app's rights outside Apache's control (no reload stops it). Apache itself starts no
    more than ``processes=`` daemons of the group; which one it did not start, nothing on the server says. Within
    :data:`GRACEFUL_WINDOW` of Apache's last load (a graceful restart: logrotate's, a bootstrap's) only the daemons
    started since count: those it stopped finish their requests first (mod_wsgi's shutdown-timeout)."""
    from . import collect_login as C

    snap = getattr(facts, "raw", None)
    st, now, vhost = None, 0.0, ""
    if snap is not None and getattr(snap, "files", None):  # (the pid file's mtime: Apache's last load, a graceful)
        st, now = snap.st(C.PIDFILE), float(snap.raw.get("time") or 0)
        vhost = snap.text(exp.stack.apache.site_file(exp.cfg.app)) or ""
    young = st[4] if st and now - st[4] < GRACEFUL_WINDOW else 0  # (the daemons it stopped may not be gone yet)
    most = max([exp.cfg.processes] + [int(n) for n in re.findall(BOOTSTRAPPED["processes"], vhost)])  # (a vhost
    # not as deploy.toml says is test_vhost_as_bootstrapped's line: its daemons are not counted against it twice)
    stale = {d["pid"] for d in stale_daemons(facts, exp)}  # (test_daemons_run_live_release's line)
    fresh = sorted((d for d in facts.get("daemons") or [] if d["pid"] not in stale and d["started"] >= young -
                    START_SLACK), key=lambda d: -d["started"])
    if len(fresh) <= most:
        return []
    return [f"{count(len(fresh), 'process')} of the app user ({exp.cfg.app_user}) whose parent is Apache's (pid "
            f"{', '.join(map(str, sorted(parents)))}), for the {count(most, 'daemon')} its vhost runs "
            f"(WSGIDaemonProcess processes={most}), newest first: {[d['pid'] for d in fresh]}: Apache "
            f"did not start {len(fresh) - most} of them (a process may make itself its parent's "
            f"child: clone(CLONE_PARENT) from a daemon, by code the app runs) and it runs with the app's rights "
            f"outside Apache's control, never reloaded; kill -9 them all (Apache starts its daemons again), then "
            f"find what the app ran"]


STACK_DAEMONS = frozenset({"/usr/sbin/apache2", *SSHD})  # root's own daemons of the stack (each judged by its rules)


def _unpackaged_root(facts, exp, live, named: set) -> list[str]:
    """Every account's processes (root's, a system account's: nobody's, a vendor's) that pid 1 holds (their parent
    is pid 1: daemonized, or left behind by a session's
    ``nohup``/``setsid``), outside any login session and any systemd service (its cgroup, where the kernel shows
    one: a unit is the units rule's), that run a program no package ships: the kernel's executable, a script it
    gives an interpreter (``python3 /usr/local/sbin/x`` is ``x``: :meth:`.parse.Procs.package`), or code on its
    command line (``python3 -c``, ``sh -c``, ``perl -e``); not allowed (``allow_processes``), not already named
    (``named``: its command line or what it runs reaches the app's tree). A root process started by a cron job, by
    Apache or by a session is its starter's; one no unit, job or session accounts for does whatever it does
    (connects out and runs what it is sent, serves, watches) as root, and nothing on the server says who started it."""
    from .parse import INLINE, Procs, dpkg_files, in_session, kernel_argv
    from .rootacts import allow_command, allowed_process, named_argv

    snap = getattr(facts, "raw", None)
    if snap is None or not getattr(snap, "files", None) or not isinstance(snap.raw, dict) or \
            not snap.raw.get("proc"):
        return []
    procs, files, lines = Procs(snap), dpkg_files(snap), []
    judged = {exp.cfg.app_user, exp.deploy_user, exp.stack.apache.run_user} - {"root"}  # (each process: cw_processes')
    for pid, p in sorted(procs.table.items()):
        entry = snap.raw["proc"].get(str(pid)) or {}
        cgroup = str(entry.get("cgroup") or "")
        if p["ppid"] != 1 or p["user"] in judged or pid in (1, snap.raw.get("pid")) or pid in named or p["state"] in (
                "Z", "X") or not entry.get("exe") or in_session(procs.ancestors(pid)) or re.search(
                r"/system\.slice/\S+\.service\b", cgroup):
            continue
        if str(entry["exe"]) in STACK_DAEMONS:  # (Apache's root parent, the SSH server: their own rules')
            continue
        pkg, script, _, bare = procs.package(pid, files)
        argv = kernel_argv(entry.get("cmdline") or "")
        inline = pkg and not script and any(a in INLINE for a in argv[1:])
        if pkg and not inline:
            continue
        found = allowance_lines(facts, exp, p, allowed_process(p, exp, snap, live))
        if found is not None:
            lines += found
            continue
        what = f"{script}, a script no package ships" if script else f"code on its command line ({bare[:100]!r})" \
            if inline else f"{str(entry['exe']).split(' (deleted)')[0]}, a program no package ships"
        user = p["user"] if p["uid"] else "root"
        lines.append(f"{_proc(p)}, {user}'s, outside any login session, service or scheduler (its parent is pid 1), "
                     f"runs {what}: whatever it does (connects out and runs what it is sent, serves, watches) it does "
                     f"as {user}, and nothing on the server says who started it; stop it and find who did, or "
                     + _allow_hint(exp, "allow_processes",
                                   f"{user}: {allow_command(exp, user, named_argv(p, exp, snap))}"))
    return lines


USER_MANAGER = ("/usr/lib/systemd/systemd", "/lib/systemd/systemd")  # systemd's program (merged /usr or not)
# its PAM helper is forked before the manager's exec: by systemd's program, or (systemd 255+: Debian 13) by
# systemd-executor, which pid 1 runs to set a service up
PAM_HELPER = USER_MANAGER + ("/usr/lib/systemd/systemd-executor", "/lib/systemd/systemd-executor")


def _user_manager(p: dict, procs: list, snap) -> bool:
    """Whether ``p`` is systemd's manager of its user's logins while that user has a live SSH session: pam_systemd
    starts it (``systemd --user``, user@<uid>.service, with its ``(sd-pam)``) at the user's first session and stops
    it after the last, so on a systemd server every login has one, started by pid 1, in no session's tree. The same
    login's shells are accounted for the same way (a process's memory is its owner's to write: either is the
    login's own while it is logged in). What tells it apart is where pid 1 put it, its cgroup
    (``/user.slice/user-<uid>.slice/user@<uid>.service/init.scope``, :func:`_placed`): its program, argv and
    parent are the login's to copy (it may run systemd's own program with its library preloaded, argv
    ``--user``, and leave it to pid 1), but a process the login starts sits in its session's scope and may not
    leave it (moving a process needs write access to the cgroup above both, ``user-<uid>.slice``: root's). Its
    program must be systemd's (its helper's: systemd's or systemd-executor, :data:`PAM_HELPER`), its argv the one
    systemd gives it, its parent pid 1 (the manager's own services may
    move into its scope, that subtree being delegated to the login, but their parent is the manager, a subreaper;
    what sits in its scope lives only as long as it: pid 1 stops the unit after the login's last session). Without
    a live session (lingering) it is not accounted for, nor is anything it starts (a user service: the process
    rule's line)."""
    from .parse import in_session
    from .rootacts import exact_argv

    if p.get("exe") not in PAM_HELPER or not _placed(p, snap) or not any(
            q["user"] == p["user"] and in_session(q.get("ancestors", [])) for q in procs):
        return False
    argv = exact_argv(p, snap)
    if argv[:1] == ["(sd-pam)"] and not any(argv[1:]):  # (systemd renames it in place: the rest of argv's area zeroed)
        parent = next((q for q in procs if q["pid"] == p["ppid"] and q["user"] == p["user"]), None)
        return parent is not None and parent is not p and parent["ppid"] == 1 and _user_manager(parent, procs, snap)
    return p["exe"] in USER_MANAGER and p["ppid"] == 1 and argv in ([m, "--user"] for m in USER_MANAGER)


def _placed(p: dict, snap) -> bool:
    """Whether the kernel shows ``p`` in its user's manager's scope (``/proc/<pid>/cgroup``: the unified
    hierarchy's line, and a legacy ``name=systemd`` one, each naming it or at that hierarchy's root, where pid 1
    does not manage it: a unified host's kernel shows a ``name=systemd`` line of ``/`` for every process once
    anyone mounted that hierarchy, a Docker host in hybrid mode; moving a process to a root needs root; facts made
    by hand: ``p["cgroup"]``)."""
    entry = (((getattr(snap, "raw", None) or {}).get("proc") or {}).get(str(p.get("pid"))) or {})
    text, uid = (entry.get("cgroup") if entry else p.get("cgroup")) or "", p.get("uid")
    paths = {ln.split(":", 2)[2] for ln in text.splitlines() if ln.count(":") >= 2 and ln.split(":")[1] in (
        "", "name=systemd")}
    return paths - {"/"} == {f"/user.slice/user-{uid}.slice/user@{uid}.service/init.scope"}


def allowance_lines(facts, exp, p: dict, why: str | None) -> list[str] | None:
    """For a process an ``allow_processes`` entry names (``why``: :func:`.rootacts.allowed_process`), the lines it
    still fails with: the entry does not account for what it runs, or it runs another release than the live one;
    None when no entry names it (the process rule's own lines then)."""
    if why:
        return [f"{_proc(p)}: {why}"]
    if why is None:
        stale = _stale_release(facts, exp, p)  # allowed to run, not to run another release than the live one
        return [f"{_proc(p)}, a process of {p['user']} allowed in {exp.allow.where}: {stale}"] if stale else []
    return None


def _stale_release(facts, exp, p: dict) -> str | None:
    """Why a process (allowed) runs another release than the live one, or None: its command line names a release
    by id that is not the live one, or names ``current``, or it takes code from its working directory (``-m``,
    ``-c``, a relative script) and works in a release (its ``/proc`` cwd), and it started before ``current`` was
    switched to the live release (it resolved the link then: it runs the code, venv and files of the release live
    at its start; a process may ``chdir`` into each new release, its start time no one sets)."""
    from .rootacts import code_from_cwd

    root, cmd = exp.cfg.root, p.get("cmdline") or ""
    raw = getattr(getattr(facts, "raw", None), "raw", None) or {}
    cwd = str(((raw.get("proc") or {}).get(str(p.get("pid"))) or {}).get("cwd") or "")
    live = _live_id(facts)
    named = re.search(re.escape(root) + r"/releases/([^/\s]+)", cmd)
    tail = ("restart it after every deploy and rollback (its unit: a deploy touches only application.wsgi); "
            "allow_processes accounts for the process, not for the release it runs")
    if named and live and named.group(1) != live:
        return f"it runs release {named.group(1)} by name, not the live {live}: {tail}"
    switched = _stat(facts, f"{root}/current").get("mtime") or 0
    works = cwd.startswith((root + "/releases/", root + "/current")) and code_from_cwd(cmd.split(" "))
    if (re.search(re.escape(root) + r"/current(/|\s|$)", cmd) or works) and p.get("started") and \
            p["started"] < switched - START_SLACK:
        return (f"it started at {_utc(p['started'])}, before current was switched to {live} ({_utc(switched)}): it "
                f"resolved {'its code (it works in ' + cwd + ' now)' if works else 'current'} then and runs the "
                f"release live at its start, not {live}: {tail}")
    return None


def cw_schedules(facts, exp):
    """Every cron or at job that runs as the app, deploy or Apache user, or (as anyone, root included) runs
    something from the app's tree: every crontab, /etc/crontab, /etc/cron.d, /etc/cron.{hourly,daily,weekly,
    monthly} scripts, at's queue (each job as its file's owner), logrotate's scripts (``postrotate`` ...: root's,
    daily); a logrotate file someone but root may write is a job the gate could not read. Root's other hooks
    (rc.local, anacrontab, apt's Post-Invoke, the login shells' profile files, /etc/environment) count when a line
    names the app's tree, and so does a line of any other root's file under /etc (incron's tables, needrestart's
    conf.d, dpkg's hooks, sysctl's core_pattern: whatever program reads it) or a link there into the tree. A file
    cron reads that the snapshot holds without its text is a finding of its own."""
    from .mechanisms import cron_jobs, reaches, texts, unread_schedules
    from .rootacts import APP_WRITES, WRITE_MEANS

    inv = _inv(facts, "reading crontabs")
    raw, root = texts(facts), exp.cfg.root
    watched = {exp.cfg.app_user, exp.deploy_user, exp.stack.apache.run_user, inv.get("apache_user") or "www-data"}
    snap = getattr(facts, "raw", None)
    if raw is None:
        raise NotApplicable("the probe sent no crontabs (an older probe)")
    cron, units = cron_jobs(raw), unit_jobs(raw)  # (parsed once for every use below; each use only reads them)
    jobs = cron + (inv.get("at_jobs") or []) + (inv.get("logrotate") or [])
    # what each job runs or names, resolved (rootacts.command_problem: links, root's scripts)
    found = {id(j): _job_reach(snap, j, root) for j in jobs + (inv.get("root_hooks") or [])}
    jobs = [j for j in jobs if j["user"] in watched or found[id(j)] or j["job"].startswith("(not read")]
    jobs += [j for j in inv.get("root_hooks") or [] if found[id(j)] or j["job"].startswith(
        "(not read")]  # root's boot, apt and login hooks: a line naming the app's tree, a file not root's alone
    other = inv.get("mentions") or []  # root's other configuration under /etc naming the app's tree, or a link
    aside = _places_aside(snap, exp, facts) if other and getattr(snap, "files", None) else (lambda place: False)
    found.update((id(j), _mention_reach(snap, j, root, aside)) for j in other)  # (another tool's syntax)
    # (a line whose syntax the command reader does not split, binfmt's ':name:E::ext::/path:C', still names the tree)
    jobs += [j for j in other if found[id(j)] or reaches(" ".join(j["job"].split()), root)]
    jobs, via = _one_cause(jobs, found)
    lines, plain = [], {}  # type: list[str], dict[tuple[str, str], tuple[int, str]]
    for s in jobs:
        why, runs = found.get(id(s)) or ((f"names {root}", True) if reaches(" ".join(s["job"].split()), root) else
                                         ("", False))
        # what to allow: the file that holds the cause (a script in a hook dir a stock job runs), else the job's
        where = (re.findall(r"\((/[^():\s]+):\d+\)", why) or [s["where"].split(":")[0].split(" ")[0]])[-1]
        allowed = where in exp.allow.cron or s["where"].split(":")[0].split(" ")[0] in exp.allow.cron
        mention = any(s is o for o in other)  # (another tool's syntax: not a command line)
        handed = runs and (ROOT_TO_OTHERS in why or _code_from_tree(why, s["job"], root) and not mention
                           if s["user"] == "root" else APP_WRITES in why and s["user"] != exp.cfg.app_user) and not (
            APP_WRITES in why and mention)
        # (no allowance accounts for root running what someone but root, the deploy login too, can change, as
        # allow_units never does; nor for another account running what the app user writes)
        if allowed and not handed:
            continue
        job = " ".join(s["job"].split())
        file = s["where"].split(":")[0].split(" ")[0]
        if not why and not handed and (file, s["user"]) in plain:  # (another job of a file one line names already,
            # for the same account and the same allowance: one cause, one line naming each job)
            n, head = plain[(file, s["user"])]
            lines[n] = lines[n][:len(head)] + f" (and {s['where']}: {job[:160]!r})" + lines[n][len(head):]
            plain[(file, s["user"])] = (n, head + f" (and {s['where']}: {job[:160]!r})")
            continue
        if not why and not handed:
            plain[(file, s["user"])] = (len(lines), f"{s['where']}: runs {job[:160]!r} as {s['user']}")
        reach = (f" from the app's tree ({root})" if "the app's tree" in why else "") if runs else \
            f", naming the app's tree ({root})" if why else ""
        lines.append(f"{s['where']}: runs {job[:160]!r} as {s['user']}{reach}: " + (f"it {why}: " if why else "") +
                     "code on a schedule with that user's rights, outside any deploy" +
                     ("" if WRITE_MEANS in why else
                      f" (what the deploy login or the app writes there runs as {s['user']})" if why and runs and
                      s["user"] not in (exp.cfg.app_user,) else " (root reads or writes there what the deploy login "
                      "or the app can change; a link planted there redirects it)" if why else "") +
                     (f" (root also runs it through {', '.join(via[s['where']])})" if via.get(s["where"]) else "") +
                     ". " + (root_to_others(exp, "allow_cron", allowed, s["user"]) if handed else
                             _allow_hint(exp, "allow_cron", where)))
    for s in cron + (inv.get("root_hooks") or []):  # a job reaching the tree from a directory above it
        deep = tree_reach_from_above(s["job"], root)
        where = s["where"].split(":")[0].split(" ")[0]
        if deep and where not in exp.allow.cron and not any(ln.startswith(s["where"] + ":") for ln in lines):
            lines.append(f"{s['where']}: runs {' '.join(s['job'].split())[:160]!r} as {s['user']}: it {deep}. "
                         + _allow_hint(exp, "allow_cron", where))
    for where, pattern, su in rotations_into_tree(raw, root):
        if where.split(":")[0] not in exp.allow.cron:
            lines.append(f"{where}: logrotate rotates {pattern}, which matches files in the app's tree: as "
                         f"{su + ' (its su line)' if su else 'root'}, daily, it renames, compresses, empties and "
                         "re-creates them (the app's data, its database, the deploy's files). "
                         + _allow_hint(exp, "allow_cron", where.split(":")[0]))
    lines += [f"{where}: names {path}, in the home of {user} ({role}): whatever program of root's reads this file "
              f"reads or runs what that login writes there (a hook dir, a package index, a file it sources). "
              + _allow_hint(exp, "allow_cron", file) for file, where, path, user, role in
              homes_named(snap, [j for j in other if not found[id(j)]], exp) if file not in exp.allow.cron]
    lines += [f"{where}: names {path}, which someone but root may change ({who}): whatever program of root's reads "
              f"this file reads or runs what they put there (a script, a module, a hook dir, a config it includes). "
              + _allow_hint(exp, "allow_cron", file) for file, where, path, who in
              others_named(snap, [j for j in other if not found[id(j)]], exp, facts) if file not in exp.allow.cron]
    lines += guards_off(snap, exp) + stock_lines_gone(snap, exp) + queue_grants(snap, exp)
    lines += [f"{why}: cron reads it whole, so its jobs are not accounted for" for why in unread_schedules(facts)]
    lines += copies_others_read(snap, cron + units, root)
    lines += globbed_by_root(snap, cron + (inv.get("at_jobs") or []), root)
    lines += [ln for ln in fed_to_root(snap, cron + (inv.get("at_jobs") or []) + units, root, exp.cfg.app_user)
              if not any(x.startswith(ln.split(": ", 1)[0] + ":") for x in lines)]  # (one cause, one line)
    lines += [ln for ln in followed_by_root(snap, cron + (inv.get("at_jobs") or []) + units, root) if not any(
        x.startswith(ln.split(": ", 1)[0] + ":") for x in lines)]  # (one cause, one line)
    lines += network_code(cron + (inv.get("at_jobs") or []) + (inv.get("root_hooks") or []) + units, exp, snap)
    lines += hook_dirs_others_write(snap)
    lines += boot_jobs(raw, exp, snap, lines)
    lines += [f"{name}: not the content that was allowed: what it holds now (a job, a hook line) runs "
              f"unreviewed. " + _allow_hint(exp, "allow_cron", name) for name in sorted(
                  n for k, n in exp.allow.unheld if k == "cron") if exp.allow.digest is not None and
              exp.allow.digest("cron", name) is not None and not any(name in ln for ln in lines)]  # (one cause)
    _unaccounted("scheduled job", _one_per_stale_file(lines, [n for k, n in exp.allow.unheld if k == "cron"]))


def _one_per_stale_file(lines: list[str], stale: list[str]) -> list[str]:
    """``lines`` with the job lines of each file whose written allowance no longer holds (``stale``: its pin is
    stale or missing, which each line's hint says) made one: the first, naming the others' line numbers (one
    cause, one line)."""
    out: list[str] = []
    for line in lines:
        name = next((n for n in stale if line.startswith(n + ":")), None)
        first = next((i for i, x in enumerate(out) if name and x.startswith(name + ":")), None)
        if first is None:
            out.append(line)
        else:
            number = line[len(name or "") + 1:].split(":", 1)[0]
            out[first] += f" (and {name}:{number}: the same file)" if number.isdigit() else f" (and: {line[:200]})"
    return out


# where another rule judges the guards of the program reading it (sudo's Defaults, apt's sources, PAM, pam_env's and
# systemd's environment, sshd, the kernel's settings, Apache's, units): one cause, one line
GUARDS_JUDGED = ("/etc/apache2/", "/etc/systemd/", "/etc/sudoers", "/etc/apt/", "/etc/pam.d/", "/etc/security/",
                 "/etc/ssh/sshd_config", "/etc/sysctl.", "/etc/environment")
GUARD_MEANS = ("turns off a check of the program that reads it, or opens it to everyone (whose files it trusts, "
               "what it accepts unsigned or over unchecked TLS, which host keys): root's runs of that program then "
               "act on what another account, or whoever answers on the network, puts in their way")


def guards_off(snap, exp) -> list[str]:
    """A line per setting of root's configuration under /etc (the login collector's ``mentions``: whatever program
    reads the file) that turns its program's own check off or opens it to everyone (``collect_login.GUARD_OFF``:
    git's ``safe.directory = *``, ssh's ``StrictHostKeyChecking no``, wget's ``check_certificate = off``), in a
    file not as its package ships it (dpkg's md5 of a conffile: a stock setting is the distribution's choice), and
    in root's own shell startup files and tools' configuration in its home (``C.ROOT_SHELL``, ``C.ROOT_TOOLS``: the
    root collector's read), judged as /etc's. Files whose program another rule judges (:data:`GUARDS_JUDGED`) are
    that rule's."""
    from . import collect_login as C
    from .rootacts import packaged, view

    shown = view(snap) if getattr(snap, "files", None) else None
    if shown is None:
        return []
    lines = []
    for path, found in sorted((shown.raw.get("mentions") or {}).items()):
        if isinstance(found, str) or path.startswith(GUARDS_JUDGED) or path in exp.allow.cron or \
                packaged(shown, path):
            continue
        text = shown.text(path)
        raw = dict(enumerate(text.splitlines(), 1)) if text is not None else dict(found)
        numbered = C.guards_off(text) if text is not None else \
            {n: ln for n, ln in found if C.GUARD_OFF.match(ln.strip())}
        lines += [f"{path}:{n}: {ln.strip()[:160]!r}: {GUARD_MEANS}. " + _allow_hint(exp, "allow_cron", path)
                  for n, ln in sorted(numbered.items()) if not shipped_line(snap, exp, path, raw.get(n, ln))]
    for path in [p for p in C.ROOT_SHELL + C.ROOT_TOOLS if p not in exp.allow.cron]:  # root's own, from root's read
        lines += [f"{path}:{n}: {ln.strip()[:160]!r}: {GUARD_MEANS}. " + _allow_hint(exp, "allow_cron", path)
                  for n, ln in sorted(C.guards_off(shown.text(path) or "").items())]
    return lines


def stock_conffiles(stack) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """``{(path, md5): (package, lines)}``: the lines that set something of each conffile as its package ships it
    (the stack's ``baseline_conffiles``, a file of its kind's package; md5: dpkg's record of the shipped bytes)."""
    return _conffiles_of(stack.kind, getattr(stack, "baseline_conffiles", ""))


@functools.lru_cache(maxsize=8)
def _conffiles_of(kind: str, name: str) -> dict[tuple[str, str], tuple[str, list[str]]]:
    from importlib import resources

    if not name:
        return {}
    found = _Baseline()
    found.memo = {}
    lines: list[str] = []
    text = (resources.files(f"deploytests.stacks.{kind}") / name).read_text()
    for line in text.splitlines():
        if line.startswith("/"):
            path, md5, pkg = line.split()
            lines = []
            found[(path, md5)] = (pkg, lines)
        elif line.startswith(" "):
            lines.append(line[1:])
    return found


def shipped_as(shipped: dict, path: str, pkg: str, md5: str, every: bool) -> list[str] | None:
    """The lines ``path`` sets as ``pkg`` ships it at dpkg's ``md5``: the baseline's record of that version, or,
    for a version it has not recorded (a point release), the lines of the versions it has of that file, those
    ``every`` one sets (what a line gone is judged by) or those any sets (what counts as the distribution's
    line); None when the baseline has no version of it from that package."""
    if (path, md5) in shipped:
        return shipped[(path, md5)][1]
    memo = getattr(shipped, "memo", None)  # (a stack's baseline: each answer made once for every host and check)
    if memo is not None and (path, pkg, md5, every) in memo:
        found = memo[(path, pkg, md5, every)]
        return None if found is None else list(found)
    known = [collections.Counter(" ".join(ln.split()) for ln in lines) for (p, _), (pk, lines) in shipped.items()
             if p == path and pk == pkg]
    found = list(functools.reduce(lambda a, b: a & b if every else a | b, known).elements()) if known else None
    if memo is not None:
        memo[(path, pkg, md5, every)] = found
    return None if found is None else list(found)


class _Baseline(dict):
    """A stack's ``{(path, md5): (package, lines)}`` and :func:`shipped_as`' answers of it (``memo``)."""

    memo: dict


def shipped_line(snap, exp, path: str, line: str) -> bool:
    """Whether ``line`` is one the conffile ``path`` sets as its package ships it (the stack's baseline of that
    file, by dpkg's md5): the distribution's line, in a file an admin changed elsewhere (login.defs' ``MAIL_DIR
    /var/mail`` when its UMASK was edited), is no line of the admin's to judge."""
    from .parse import conffiles

    if getattr(snap, "shipped_lines", None) is None:
        shipped, found = stock_conffiles(exp.stack), conffiles(snap.data("/var/lib/dpkg/status"))
        snap.shipped_lines = {p: set(_set_lines("\n".join(lines))) for p, (pkg, md5) in found.items()
                              if (lines := shipped_as(shipped, p, pkg, md5, every=False)) is not None}
    return " ".join(line.split()) in snap.shipped_lines.get(path, ())


def _set_lines(text: str) -> list[str]:
    """The lines of a configuration file that set something (not blank, not a comment), blanks made one space."""
    return [" ".join(ln.split()) for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(
        ("#", ";", "//"))]


def _gone(stock: list[str], text: str) -> list[str]:
    """The lines of ``stock`` (a conffile as shipped) that ``text`` no longer has. A line whose key (its first word)
    the shipped file sets once, set again to something else, is changed in place, not gone: the rules on lines
    present judge that value (sshd's ``X11Forwarding no``); a key set more than once (sudo's ``Defaults``, PAM's
    ``auth``) is a list, and a line of it not there is gone."""
    def key(line):
        return re.split(r"[\s=:]", line, maxsplit=1)[0].lower()

    now, stock = collections.Counter(_set_lines(text)), [" ".join(ln.split()) for ln in stock]
    once = {k for k, n in collections.Counter(key(ln) for ln in stock).items() if n == 1}
    keys, out = {key(ln) for ln in now}, []
    for line in stock:
        if now[line] > 0:
            now[line] -= 1
        elif not (key(line) in once and key(line) in keys):
            out.append(line)
    return out


STOCK_GONE = ("the program falls back to its built-in default or to nothing there (a guard the distribution ships "
              "on: sudo's use_pty, PAM's pam_deny, a TLS or host-key check), and the rules on lines present see no "
              "line to judge")


def stock_lines_gone(snap, exp) -> list[str]:
    """A line per conffile of an installed package (dpkg's record, its md5 of the shipped bytes) that the stack's
    baseline holds as shipped (:func:`stock_conffiles`; a version it has not recorded: :func:`shipped_as`) and
    that no longer has a line it shipped setting something, or is gone: a guard taken away by a line deleted or
    commented out is no line for the rules on what is there.
    Apache's conffiles are its rule's (a changed one is a finding whole)."""
    from .parse import conffiles
    from .rootacts import view

    shown, shipped = view(snap), stock_conffiles(exp.stack)
    if shown is None or not shipped:
        return []
    status = (snap.data("/var/lib/dpkg/status") or b"").decode("utf-8", "replace")
    installed = set(re.findall(r"(?m)^Package: (\S+)\n(?:[^\n]+\n)*?Status: install ok installed$", status))
    lines = []
    for path, (pkg, md5) in sorted(conffiles(snap.data("/var/lib/dpkg/status")).items()):
        # (root's read wins: the login collector's walk only lstat'd /etc/sudoers, 0440, as it does a file gone)
        stock = shipped_as(shipped, path, pkg, md5, every=True)
        data = snap.data(path) if snap.data(path) is not None else shown.data(path)
        if stock is None or pkg not in installed or path in exp.allow.cron or \
                data is not None and hashlib.md5(data).hexdigest() == md5 or snap.st(DENY_READ_IF.get(path, "-")):
            continue  # (a deny list beside its allow list: the tool reads the allow list alone, queue_grants')
        if data is None and (snap.files.get(path) or shown.files.get(path) or {}).get("why") == \
                os.strerror(errno.ENOENT):
            lines.append(f"{path}: {pkg}'s conffile is gone, and with it what it set "
                         f"({'; '.join(repr(ln) for ln in stock[:3])}{' ...' if len(stock) > 3 else ''}): "
                         f"{STOCK_GONE}. " + _allow_hint(exp, "allow_cron", path))
        elif data is not None and (gone := _gone(stock, data.decode("utf-8", "replace"))):
            lines.append(f"{path}: {len(gone)} line{'s' * (len(gone) > 1)} {pkg} ships setting something "
                         f"{'are' if len(gone) > 1 else 'is'} not there ({'; '.join(repr(ln) for ln in gone[:3])}"
                         f"{' ...' if len(gone) > 3 else ''}): {STOCK_GONE}. " + _allow_hint(exp, "allow_cron", path))
    return lines


QUEUE_LISTS = {"/etc/at.allow": "at", "/etc/cron.allow": "crontab"}
# a deny list and the allow list that, when it exists, is the only one its tool reads (at(1), crontab(1)): CIS's
# hardening removes the deny lists and writes allow lists naming root
DENY_READ_IF = {"/etc/at.deny": "/etc/at.allow", "/etc/cron.deny": "/etc/cron.allow"}


def queue_grants(snap, exp) -> list[str]:
    """A line per list of who may queue jobs (at's ``/etc/at.allow``, cron's ``/etc/cron.allow``: no package ships
    one, and they are often made ``0600``: root's read, ``collect_root.GRANTS``) that names the app user or Apache's
    user, or that the gate could not read: whoever it names queues code that runs with its rights at a time it
    picks, outliving any deploy. at's stock ``/etc/at.deny`` (``0640 root:daemon``: it keeps www-data and the
    other system accounts out) emptied or thinned is :func:`stock_lines_gone`'s: a line its package ships gone."""
    if not getattr(snap, "files", None):
        return []
    who, lines = {exp.cfg.app_user: "the app user", exp.stack.apache.run_user: "Apache's user"}, []
    for path, tool in QUEUE_LISTS.items():
        st, text = snap.st(path), snap.text(path)
        if not st or not stat.S_ISREG(st[0]) or path in exp.allow.cron:
            continue
        if text is None:
            why = (snap.files.get(path) or {}).get("why") or "not read"
            lines.append(f"{path}: {tool} lets only whom it lists queue jobs, and the gate could not read it ({why}): "
                         f"whether the app user or Apache's user may is not known; make it root's, not writable by "
                         f"others (root reads it), or remove it")
            continue
        named = [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() in who]
        lines += [f"{path}:{n}: {user!r}: {who[user]} may queue {tool} jobs: code that runs as {user} at a time it "
                  f"picks, outliving any deploy and unseen until it is queued (at's and cron's stock lists let no "
                  f"service account in by name). remove the line; " + _allow_hint(exp, "allow_cron", path)
                  for n, user in named if user != "root"]
    return lines


def hook_dirs() -> list[str]:
    """The directories root runs or reads every file of (:func:`hook_dirs_others_write`)."""
    from . import collect_login as C

    return ["/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
            "/etc/profile.d", "/etc/apt/apt.conf.d", "/etc/logrotate.d", "/etc/pam.d", "/etc/ssh/ssh_config.d",
            "/etc/security/limits.d"] + C.UNITS + C.ACTS + C.SYSTEMD_CONF


# what a root job, hook or unit running what someone but root may change is told when its file is allowed: an
# allowance accounts for the file, never for handing root to whoever may change what it runs
ROOT_TO_OTHERS = "which someone but root may change"


def root_to_others(exp, key: str, allowed: bool, user: str = "root") -> str:
    return (f"(allowed in {exp.allow.where}: {key} accounts for the file, not for that) " if allowed else "") + \
        f"make what it runs {user}'s alone, or remove it: no allowance accounts for handing {user}'s rights to " \
        "someone else"


def hook_dirs_others_write(snap) -> list[str]:
    """Each directory root runs or reads every file of (cron's, the login shells' profile.d, apt's apt.conf.d,
    logrotate.d, the units' dirs, the SSH client's and server's drop-ins, PAM's, the places root acts later) that
    someone but root may add a file to: its mode as the kernel shows it (a POSIX ACL granting a user write shows as
    the group's write bits: its mask), whatever is allowed -- no allowance accounts for a directory: a file put
    there later runs as root. A directory the probe did not see is no claim."""
    if not getattr(snap, "files", None):
        return []
    lines = []
    for d in hook_dirs():
        st = snap.st(d)
        if st is None or not stat.S_ISDIR(st[0]) or not (st[1] != 0 or st[0] & 0o022):
            continue
        lines.append("%s (%04o %s:%s): root runs or reads every file there, and someone but root may add one (a "
                     "group or ACL write, or an owner other than root): whatever they put there runs as root; make "
                     "it root's alone (chown root:root, chmod go-w, setfacl -b)"
                     % (d, st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2])))
    return lines


HOME_WORD = re.compile(r"/[^\s'\"=;,:|&()<>`]+")


def homes_named(snap, jobs: list[dict], exp) -> list[tuple[str, str, str, str, str]]:
    """``(file, where, path, user, role)`` of each line of root's configuration (``root_mentions``: the login
    collector searched /etc for the deploy and app users' homes too) that names a path in the home of the deploy
    login or the app user: theirs to change, so root's program reads or runs what they put there (git's
    ``core.hooksPath``, pip's ``find-links``: the program need not be known). A home under the app's tree is the
    tree's rule's; a home root owns (the snapshot's stat) is no one else's."""
    users = getattr(snap, "users", None)
    roles = {exp.deploy_user: "the deploy login", exp.cfg.app_user: "the app user"}
    homes = {}
    for name, role in roles.items():
        f = users.facts(name) if users is not None else None
        home = posixpath.normpath(f.get("home") or "/") if f else "/"
        st = snap.st(home) if hasattr(snap, "st") else None
        if home in ("/", "/nonexistent") or (home + "/").startswith(exp.cfg.root + "/") or (st and st[1] == 0):
            continue
        homes[home] = (name, role)
    out = []
    for j in jobs:
        for word in HOME_WORD.findall(j["job"]):
            path = posixpath.normpath(word)
            hit = next((h for h in homes if path == h or path.startswith(h + "/")), None)
            if hit:
                out.append((j["file"], j["where"], path, *homes[hit]))
                break
    return out


STATE = ("/var/log/", "/var/lib/", "/var/cache/", "/var/spool/", "/run/")  # where services keep what they change


def others_named(snap, jobs: list[dict], exp, facts) -> list[tuple[str, str, str, str]]:
    """``(file, where, path, who)`` of each line of root's configuration under /etc (``root_mentions``) that names a
    place someone but root may change (the login collector's ``lstat`` of it, in ``named``), whatever program
    reads the file: root's vim ``source``, tmux's ``run-shell``, modprobe's ``install``, a logout script's ``.``
    run what that account writes there. Not counted: the deploy and app users' homes (:func:`homes_named`), a
    file a package ships as shipped, a place a package made so (dpkg lists it: Apache's cache dir, ``/var/mail``),
    a service's state, log, cache, spool or runtime dir of a system account (:data:`STATE`: chrony's
    ``/var/log/chrony`` that its postinst made; Apache's, the app's and the deploy login's counted), a place of a
    login that becomes root (an admin's own), a root's file or dir only a group no account is in may write
    (:func:`_no_ones`: ``/var/log/btmp``'s utmp)."""
    from . import collect_login as C
    from .rootacts import packaged, view

    shown = view(snap) if getattr(snap, "files", None) else None
    if shown is None:
        return []
    users = shown.users
    homes = {posixpath.normpath((users.facts(n) or {}).get("home") or "/") for n in (exp.deploy_user, exp.cfg.app_user)}
    aside = _places_aside(snap, exp, facts)
    out = []
    for j in jobs:
        if packaged(shown, j["file"]) or shipped_line(snap, exp, j["file"], j["job"]):
            continue
        for word in C.WORD.findall(j["job"]):  # (the collector's own words: what it lstat'd, never another split)
            path = posixpath.normpath(word)
            why = shown.writable_by_others(path)
            place = (why or "").split(" ")[0]
            if not why or why.endswith("(not looked at)") or aside(place) or \
                    any(place == h or place.startswith(h + "/") for h in homes):
                continue
            out.append((j["file"], j["where"], path, why))
            break
    return out


def _places_aside(snap, exp, facts):
    """Whether a place someone but root may change, that a line of root's configuration under /etc names (another
    tool's syntax), is one no finding is about (:func:`others_named`): a place a package made so (dpkg lists it), a
    system account's own state, log, cache, spool or runtime place (:data:`STATE`: zabbix's pid file in
    ``/run/zabbix``, its log in ``/var/log/zabbix-agent``; Apache's, the app's and the deploy login's counted), an
    admin's own, a root's one only a group no account is in may write."""
    from .parse import dpkg_files
    from .rootacts import view
    from .sockets import root_capable

    shown = view(snap)
    users, listed, admins = shown.users, dpkg_files(snap), root_capable(facts, snap)
    ours = {exp.stack.apache.run_user, exp.cfg.app_user, exp.deploy_user}

    def aside(place: str) -> bool:
        st = shown.st(place)
        return st is None or place in listed or st[1] in admins and not st[0] & 0o022 or \
            place.startswith(STATE) and 0 < st[1] < 1000 and users.name(st[1]) not in ours or \
            _no_ones(users, st[0], st[1], st[2])
    return aside


def _mention_reach(snap, job: dict, root: str, aside):
    """:func:`_job_reach` of a line of root's configuration under /etc (another tool's syntax: where it writes is
    not known), but a place someone but root may change that is one of those :func:`_places_aside` sets aside (a
    daemon's ``PidFile=/run/zabbix/...`` in its own config): the same line judged as :func:`others_named` judges
    it, one rule for both."""
    found = _job_reach(snap, job, root, shell=False)
    place = re.search(ROOT_TO_OTHERS + r" \((\S+) ", found[0]) if found else None
    return None if place and "the app's tree" not in found[0] and aside(place.group(1)) else found


def _reads_secrets(text: str, root: str) -> bool:
    """Whether a job names what holds the app's secrets: shared/ or .configs (under the root, or by name beside
    it), or the whole tree as an argument (``cd ROOT`` alone names where it runs, not what it copies)."""
    words = [w for w in re.split(r"[\s'\"=;|&()`<>]+", text) if w]
    secret = (f"{root}/shared", f"{root}/.configs")
    return any(w.startswith(secret) or w.rstrip("/") in ("shared", ".configs") or
               w.rstrip("/") == root and (i == 0 or words[i - 1] != "cd") for i, w in enumerate(words))


def unit_jobs(raw, every: bool = False) -> list[dict]:
    """Each Exec line of the units under /etc/systemd/system ... (a timer's service) as a job: ``{where, user,
    job, unit}``, like :func:`mechanisms.cron_jobs`'; ``every``: their working directories, environment files and
    ``Environment=`` assignments too, as the shell line each is (``cd DIR``, ``. FILE``, ``NAME=value``). A
    command's ``+``/``!`` prefix runs it as root whatever ``User=`` says."""
    from .mechanisms import EXEC_KEYS, units

    shape = {"workingdirectory": "cd {}", "rootdirectory": "cd {}", "environmentfile": ". {}"}
    found = [{"where": at, "user": "root" if "+" in v[:len(v) - len(v.lstrip("-@:+!"))] or "!" in v[:3] else u.user,
              "job": shape.get(k, "{}").format(v.lstrip("-@:+!~")), "unit": u.name} for u in units(raw).values()
             for k in (EXEC_KEYS + ("environment",) if every else EXEC_KEYS[:7]) for v, at in u.values(k)]
    return found + [{"where": at, "user": u.user, "job": f"{k}={v.strip()}", "unit": u.name}  # (systemd opens them)
                    for u in units(raw).values() for k in ("standardoutput", "standarderror")
                    for v, at in u.values(k) if OUTPUT_FILE.fullmatch(v.strip())]


OUTPUT_FILE = re.compile(r"(?:file|append|truncate):(/\S+)")  # a unit's StandardOutput=/StandardError= file


def _with_scripts(snap, job: str) -> str:
    """``job`` and, one level further, the text of each root script it runs that is no package's unchanged file
    (a backup script a cron line or a timer's service runs: what it copies is in the script)."""
    from .rootacts import _lines, _words, packaged

    out = [job]
    for _, line in _lines(job):
        for how, path in _words(line):
            real = snap.realpath(path) if how == "runs" else ""
            st = snap.st(real) if real else None
            text = snap.text(real) if st and st[1] == 0 and not packaged(snap, real) else None
            out += [text] if text and not text.startswith("\x7fELF") else []
    return "\n".join(out)


def _host_secrets(snap, words: list[str]) -> list[str]:
    """The files others may not read (``/etc/shadow``, an SSH host key, a root-only log) that ``words`` name, each
    itself or as a directory above it (``/etc``; not ``/``), as far as the probe saw: what a job naming them copies
    is a secret of the host."""
    import bisect

    out, names = [], None  # (the recorded paths, sorted once: each word's are then one range of them)
    for word in dict.fromkeys(w.rstrip("/") for w in words if w.strip("/")):
        names = sorted(snap.files) if names is None else names
        under = names[bisect.bisect_left(names, word + "/"):bisect.bisect_left(names, word + "0")]  # ("0": "/" + 1)
        out += [p for p in [word] * (word in snap.files) + under
                if (snap.files[p].get("st") or [0])[0] & 0o170004 == 0o100000][:1]
    return out


def copies_others_read(snap, jobs: list[dict], root: str) -> list[str]:
    """Each file a job of root's schedule (a cron job, a unit's Exec line: a timer's) that names the app's tree
    (its config's secrets in shared/ and .configs), or a file others may not read (:func:`_host_secrets`: ``tar
    czf /var/backups/etc.tgz /etc`` copies /etc/shadow; then only what it writes by its command line's shape),
    itself or in a root script it runs, writes elsewhere, as the
    probe saw it there (``outputs``: the entries at each absolute path they name, a name built at run time by its
    fixed part), that every local user may read: whatever allow_cron says (an allowance accounts for the job, not
    for where its copies of the app's secrets land)."""
    from .collect_login import WORD
    from .mechanisms import reaches
    from .rootacts import _lines, _words, view

    found = (getattr(snap, "raw", None) or {}).get("outputs") or {}
    if not found:  # (nothing where the jobs write, or no snapshot: no copy to judge)
        return []
    acts, lines, shown = view(snap), [], set()
    for job in jobs:
        text = _with_scripts(acts, job["job"])
        app = reaches(text, root) and _reads_secrets(text, root)
        written = [] if app else [p for _, ln in _lines(text) for how, p in _words(ln) if how == "writes"]
        secrets = [] if app else _host_secrets(snap, [w for w in WORD.findall(text) if w not in written])
        if not app and not (secrets and written):
            continue
        what = f"the app's tree ({root}: its config's secrets in shared/ and .configs)" if app else \
            f"{secrets[0]}, which others may not read"
        for word in dict.fromkeys(WORD.findall(text) if app else written):
            for path in found.get(word, []) if not (word == root or word.startswith(root + "/")) else []:
                st = snap.st(path)
                ups = [posixpath.dirname(path)]
                while ups[-1] != "/":
                    ups.append(posixpath.dirname(ups[-1]))
                if path not in shown and st and stat.S_ISREG(st[0]) and st[0] & 0o004 and all(
                        (snap.st(u) or [0])[0] & 0o001 for u in ups):
                    shown.add(path)  # (a copy two of the job's words name: one line)
                    f = snap.lstat_facts(path)
                    lines.append(f"{path} ({f['mode']} {f['owner']}:{f['group']}): written by {job['where']} "
                                 f"({job['job'][:100]!r}, as {job['user']}), which copies from {what}: every "
                                 f"local user, the app's code too, reads that copy; set umask 077 in the job (or "
                                 f"write where only root may enter) and remove the copies others may read: no "
                                 f"allowance accounts for it")
                    break
    return lines



# what a scheduled command does to every file under a directory it names: delete, change owner or mode, sync over
DEEP = re.compile(r"\bfind\b[^|;&]*\s-(delete|exec|execdir|ok)\b|\brm\s+(-\w*[rR]|--recursive)|\bch(own|mod|grp)\s+"
                  r"(-\w*R|--recursive)|\brsync\b[^|;&]*--delete|\btmp(reaper|watch)\b|\bshred\b")


def tree_reach_from_above(job: str, root: str) -> str | None:
    """Why a job reaches into the app's tree through a directory above it (``/var/www``, ``/var``, ``/``) with a
    command that deletes or changes every file it finds there (:data:`DEEP`), or None. (A job naming the tree
    itself is judged by :func:`_job_reach`.)"""
    above = {posixpath.dirname(root)}
    while posixpath.dirname(min(above, key=len)) not in above:
        above.add(posixpath.dirname(min(above, key=len)))
    words = [w.rstrip("/") or "/" for w in re.split(r"[\s'\"=;|&()`<>]+", job) if w.startswith("/")]
    hit = next((w for w in words if w in above), None)
    deep = DEEP.search(job)
    if hit is None or deep is None:
        return None
    return (f"reaches into the app's tree through {hit} ({deep.group(0).strip()[:60]}): it deletes or changes the "
            f"files it finds there, the deploy's own (its lock, the releases, the config) and the app's data")


def rotations_into_tree(raw, root: str) -> list[tuple[str, str, str]]:
    """``[(file:line, pattern, su user)]`` of each log pattern of logrotate's configuration (/etc/logrotate.conf
    and /etc/logrotate.d/*, their stanzas' heads; ``raw``: path -> text) that matches a path inside the app's tree:
    logrotate, daily, renames, compresses, empties and re-creates every file it matches there, as root or as the
    user of the stanza's (else the file's) ``su`` line ("" when none)."""
    import fnmatch

    from .parse import LOGROTATE

    tops = root.strip("/").split("/")
    out: list[tuple[str, str, str]] = []
    for path in sorted(p for p in raw or {} if p == LOGROTATE[0] or p.startswith(LOGROTATE[1] + "/")):
        body, inside, su, own = False, False, "", ""  # (the file's su line; in a stanza: its heads, its su line)
        heads: list[tuple[str, str]] = []
        for n, line in enumerate((raw[path] or "").splitlines() + ["}"], 1):  # (a stanza never closed ends here)
            bare = line.split("#", 1)[0].strip()
            if re.match(r"(pre|post|first|last)rotate\b|preremove\b", bare):
                body = True
            elif bare == "endscript":
                body = False
            elif not body and re.match(r"su\s+\S", bare):
                su, own = (su, bare.split()[1]) if inside else (bare.split()[1], own)
            elif not body and (bare.startswith("}") or "{" in bare) and inside:
                out += [(where, pattern, own or su) for where, pattern in heads]
                inside, heads, own = False, [], ""
            if not body and "{" in bare:
                inside = True
                for pattern in re.findall(r"\S+", bare.split("{", 1)[0].replace('"', " ")):
                    parts = pattern.strip("/").split("/")
                    if pattern.startswith("/") and len(parts) > len(tops) and all(
                            fnmatch.fnmatchcase(top, part) for top, part in zip(tops, parts[:len(tops)], strict=True)):
                        heads.append((f"{path}:{n}", pattern))
    return out
GLOB_AFTER_CD = re.compile(r"""\bcd\s+("[^"]+"|'[^']+'|[^\s;&|]+)\s*(?:&&|;)([^;&|]*)""")
BARE_GLOB = re.compile(r"""(?:^|\s)([^\s'"/]*\*[^\s'"]*)(?=\s|$)""")  # (a word from / or ./ names no option)


def globbed_by_root(snap, jobs: list[dict], root: str) -> list[str]:
    """Each root job that changes into a directory the app's tree holds (or someone but root may write) and then
    hands a bare glob (``*``, ``*.log``) to a command: the names found there become the command's arguments, and
    the app names its files (``--checkpoint-action=exec=sh x.sh`` for ``tar ... *``, ``--reference=...`` for
    ``chown -R x *``): whatever allow_cron says (it accounts for the job, not for what the app's file names make
    root run). ``-- *`` or ``./*`` ends the options: no finding."""
    from .mechanisms import reaches

    lines = []
    for job in (j for j in jobs if j["user"] == "root"):
        for m in GLOB_AFTER_CD.finditer(job["job"]):
            where, rest = m.group(1).strip("\"'"), m.group(2)
            glob = BARE_GLOB.search(rest)
            if not glob or glob.group(1).startswith("./") or " -- " in rest[:glob.start() + 1] + " ":
                continue
            why = "the app's tree" if reaches(where, root) else (snap.writable_by_others(where) if getattr(
                snap, "files", None) and where.startswith("/") else None)
            if why and not why.endswith("(not looked at)"):
                lines.append(f"{job['where']}: root runs {rest.strip()[:100]!r} in {where} ({why}): the glob "
                             f"{glob.group(1)!r} hands the names found there to the command as arguments, and whoever "
                             f"writes there names a file '--checkpoint-action=exec=...' (tar), '--reference=...' "
                             f"(chown): code or changes as root; pass '--' before it or './{glob.group(1)}': no "
                             f"allowance accounts for it")
    return lines


# the options by which a program that walks or copies a tree follows the symbolic links it meets there
FOLLOWS = {"find": r"-L|-follow", "cp": r"-[a-zA-Z]*L[a-zA-Z]*|--dereference", "rsync": r"-[a-zA-Z]*[Lk][a-zA-Z]*|"
           r"--copy-links|--copy-dirlinks|--copy-unsafe-links", "tar": r"-[a-zA-Z]*h[a-zA-Z]*|--dereference",
           "chown": r"-[a-zA-Z]*L[a-zA-Z]*|--dereference", "chgrp": r"-[a-zA-Z]*L[a-zA-Z]*|--dereference",
           "du": None, "ls": None}


REDIRECT = re.compile(r"(?:(?<![<&\d])\d?>>?\|?\s*[\"']?|\b(?:file|append|truncate):)(/(?!dev/)[^\s\"';|&()<>]+)")
# ('> /path', '2>>/path', a unit's 'StandardOutput=append:/path': systemd opens it as the unit's user, links followed)


UNPACK = re.compile(r"(?:^|[\s/])(?:tar\s+(?:\S+\s+)*?(?:-?[a-zA-Z]*x[a-zA-Z]*|--extract|--get)(?=\s)|unzip|cpio\s+"
                    r"(?:\S+\s+)*?(?:-\w*i\w*|--extract)|bsdtar\s+-?\w*x\w*|7za?\s+x|dpkg\s+(?:-i|--install|-x|-X))(?=\s|$)")
PY_HERE = re.compile(r"(?:^|[\s/])python[0-9.]*\s+(?:-[a-zA-Z]+\s+)*-[mc](?=\s)")


def _whose(snap, path: str, root: str) -> str | None:
    """The app's tree, or who but root may change ``path`` (its first such directory); None: root's alone, or not
    looked at."""
    from .mechanisms import reaches

    why = "the app's tree" if reaches(path, root) else (snap.writable_by_others(path) if getattr(
        snap, "files", None) else None)
    return None if not why or why.endswith("(not looked at)") else why


def fed_to_root(snap, jobs: list[dict], root: str, app: str = "") -> list[str]:
    """Each root job that takes what it runs from where the app or someone but root writes, whatever allow_cron
    says (it accounts for the job, not for what the app's files make root do): it unpacks an archive there (tar,
    unzip, cpio, dpkg -i: root writes the owners and modes the archive records, a setuid-root file among them,
    and the names it holds, links and ``..`` too), or runs Python with ``-m``/``-c`` in a working directory there
    (Python puts it first on sys.path: a module of that name there is imported as root) that others or the app
    user ``app`` may add to (its own mode: the deploy login's release dir is the allowed job's own code); the Python
    one for a job of any account but the app user's own (the deploy login's: its sudo is handed over too)."""
    from .mechanisms import reaches

    lines = []
    for job in (j for j in jobs if j["user"] != app):
        for command in re.split(r"&&|\|\||[;|]", job["job"]) if job["user"] == "root" else []:
            if not UNPACK.search(command):
                continue
            path = next((w for w in (w.strip("\"'") for w in command.split()) if w.startswith("/") and
                         _whose(snap, w, root)), None)
            if path:
                lines.append(f"{job['where']}: root runs {command.strip()[:100]!r}, unpacking {path} "
                             f"({_whose(snap, path, root)}): whoever writes it chooses the owners, modes and names "
                             f"root writes (a setuid-root program, a link out of the target dir): root for them; "
                             f"unpack as an unprivileged user, or from where root alone may write: no allowance "
                             f"accounts for it")
                break
        for m in GLOB_AFTER_CD.finditer(job["job"]):
            where, rest = m.group(1).strip("\"'"), m.group(2)
            st = snap.st(where) if getattr(snap, "files", None) and where.startswith("/") else None
            why = None if not PY_HERE.search(" " + rest) else "the app's shared dir: the app writes there" if (
                reaches(where, root + "/shared")) else "%s %04o %s:%s" % (
                where, st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2])) if st and (
                st[0] & 0o022 or snap.users.name(st[1]) == app) else None
            if why:
                who = job["user"]
                lines.append(f"{job['where']}: {who} runs {rest.strip()[:100]!r} in {where} ({why}): Python puts "
                             f"the working directory first on sys.path for -m and -c: a module of that name written "
                             f"there runs as {who}; run it from a directory {who} alone may write: no allowance "
                             f"accounts for it")
    return lines


def followed_by_root(snap, jobs: list[dict], root: str) -> list[str]:
    """Each root job that walks or copies a directory of the app's tree (or one someone but root may write)
    following the symbolic links it meets there (``find -L``, ``cp -L``, ``rsync -L``, ``tar -h``, ``chown -L``):
    whoever writes there links it anywhere (/etc, /root) and root deletes, copies or changes what the link points
    at; and each that writes (the shell's ``>``, ``>>``; a unit's ``StandardOutput=append:``) a file in such a
    directory, through whatever link is there:
    whatever allow_cron says (it accounts for the job, not for where the app's links take root)."""
    from .mechanisms import reaches
    from .rootacts import _words, _written

    def whose(path: str) -> str | None:  # the app's tree, or who but root may change it; None: root's alone
        why = "the app's tree" if reaches(path, root) else (snap.writable_by_others(path) if getattr(
            snap, "files", None) else None)
        return None if not why or why.endswith("(not looked at)") else why

    lines = []
    for job in (j for j in jobs if j["user"] == "root"):
        for command in re.split(r"[;&|]+|\$\(|`", job["job"]):
            words = command.split()
            name = words[0].rsplit("/", 1)[-1] if words else ""
            # a unit's Exec line and its StandardOutput= file (a cron or at job's writes: cw_schedules' own line,
            # rootacts.path_problem, with the scripts it runs)
            for path in ((REDIRECT.findall(command) + [p for how, p in _words(command) if how.startswith("writes")])
                         if "unit" in job else []):
                shown = snap if getattr(snap, "files", None) else None
                why = _written(shown, path, shown.realpath(path) if shown else path, root)
                if why:
                    lines.append(f"{job['where']}: root runs {' '.join(words)[:100]!r}, which {why}; write the "
                                 f"output where root alone may: no allowance accounts for it")
                    break
            flag = FOLLOWS.get(name)
            if not flag or not any(re.fullmatch(flag, w) for w in words[1:]):
                continue
            for path in (w.strip("\"'") for w in words[1:] if w.strip("\"'").startswith("/")):
                why = whose(path)
                if why:
                    lines.append(f"{job['where']}: root runs {' '.join(words)[:100]!r}, following the links it meets "
                                 f"in {path} ({why}): whoever writes there links it to /etc or /root and root "
                                 f"deletes, copies or changes what the link points at; drop the option that follows "
                                 f"links: no allowance accounts for it")
                    break
    return lines


def _one_cause(jobs: list[dict], found: dict) -> tuple[list[dict], dict[str, list[str]]]:
    """One root cause, one line: ``jobs`` without a second job at the same ``file:line`` (a hook's line that is also
    a mention) and without a job whose finding is another job's line (``/etc/profile:27`` sources
    ``/etc/bash.bashrc``, whose line 61 sources the app's file: the cause is bash.bashrc:61; Debian's apache2
    logrotate file runs ``httpd-prerotate/`` with run-parts, and the cause is the script there); ``via``: for each
    kept job, the lines of the jobs dropped for it (the line says root also runs it through them)."""
    wheres = {j["where"] for j in jobs}
    kept, via, seen = [], {}, set()  # type: list[dict], dict[str, list[str]], set[str]
    for j in jobs:
        why = (found.get(id(j)) or ("", False))[0]
        cited = next((w for w in wheres if w != j["where"] and f"({w})" in why), None)
        if cited:
            via.setdefault(cited, []).append(j["where"])
        elif j["where"] not in seen:
            seen.add(j["where"])
            kept.append(j)
    return kept, via


# what reads a program from its standard input when given none on its command line (a shell, python, perl ...), or
# takes commands from it to run later (at, batch, crontab -)
INTERPRETER = re.compile(r"(?:(?:ba|da|z|k|a|c|tc|fi|mk)?sh|busybox|python[0-9.]*|pypy[0-9.]*|perl[0-9.]*|"
                         r"ruby[0-9.]*|php[0-9.]*|node(?:js)?|lua[0-9.]*|tclsh[0-9.]*|pwsh|at|batch|crontab|parallel)")
CODE_FLAGS = ("-c", "-e", "-E", "-m", "-r", "-f", "-x", "--command", "--eval")  # a program given another way
STDIN = ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")  # a script operand that is the pipe itself
# a program taken from another command's output: 'eval "$(...)"', '. <(...)', 'sh -c "$(...)"', 'bash <(...)'
SUBSTITUTED = re.compile(rf"(?:^|[\s;&|(])(?:eval|source|\.|(?:\S*/)?{INTERPRETER.pattern})\s+(?:-\S+\s+)*"
                         r"(?:<<<\s*|<\s+)?[\"']?(?:\$\(|`|<\()(?P<cmd>[^)`]*)")
# what a command that reaches another host names: an address (scheme://, user@host), or a client's name
REMOTE = re.compile(r"\w[\w+.-]*://|\b[\w.-]+@[\w-]+\.[\w.-]+|(?:^|[\s/])(?:curl|wget|fetch|aria2c|lwp-request|GET|xh|"
                    r"https?|nc|ncat|netcat|socat|ssh|scp|sftp|rsync|openssl|tftp|ftp|git|s3cmd|aws|gsutil|rclone)\b")


# what reads a pipe as data and runs none of its operands (a pipe stage led by any other command may be a wrapper
# that runs its operand, a site's own 'mywrap sh' too: an interpreter word later in it is judged)
CONSUMERS = {"grep", "egrep", "fgrep", "rg", "mail", "mailx", "s-nail", "sendmail", "logger", "tee", "cat", "head",
             "tail", "wc", "sort", "uniq", "cut", "tr", "sed", "awk", "gawk", "mawk", "jq", "gzip", "gunzip", "zcat",
             "xz", "bzip2", "base64", "sha256sum", "sha1sum", "md5sum", "column", "ts", "pv", "cmp", "diff", "iconv"}
FETCH_OUT = re.compile(r"^(?:-[A-Za-z]*[oO]|--output|--output-document)(?:=(.+))?$")  # where a fetcher writes


def fetched_run(text: str) -> str | None:
    """How a job runs, as a program, a file it has just written from the network, judged by data flow, not by a
    fetcher's name: a command that reaches another host (:data:`REMOTE`) writes a file (``-o``/``-O``/``--output``
    file, ``> file``, ``| tee file``, or a URL's last name: ``curl -O``, ``wget URL``), and a later command of the
    job (any line after, ``&&``, ``;``) runs that file: it is the command, or the program an interpreter or ``.``
    before it is given (``sh x``, ``bash -x x``, ``mywrap sh x``: whatever wraps it; ``sh report x`` runs
    ``report``). None otherwise."""
    written: dict[str, str] = {}
    for pipeline in re.split(r"\n|&&|\|\||;", text):
        net = ""
        for stage in re.split(r"(?<!\|)\|(?!\|)", pipeline):
            words = [w.strip("\"'") for w in re.sub(r"(\d*>>?)\s*", r" \1", stage).split()]
            net = net or (stage.strip()[:80] if REMOTE.search(stage) else "")
            runs = [i for i, w in enumerate(words) if posixpath.normpath(w) in written and (i == 0 or any(
                (INTERPRETER.fullmatch(v.rsplit("/", 1)[-1]) or j == 0 and v in (".", "source")) and
                all(u.startswith("-") for u in words[j + 1:i]) for j, v in enumerate(words[:i])))]
            if runs:
                w = posixpath.normpath(words[runs[0]])
                return f"{words[runs[0]]}, a file it has just written from the network ({written[w]})"
            if not net:
                continue
            for i, w in enumerate(words):
                m = FETCH_OUT.match(w)
                out = (m.group(1) or (words[i + 1] if i + 1 < len(words) else "")) if m else \
                    w.lstrip("0123456789>") if re.match(r"\d*>", w) else \
                    w if i and words[0].rsplit("/", 1)[-1] == "tee" and not w.startswith("-") else \
                    w.rsplit("/", 1)[-1] if re.match(r"\w[\w+.-]*://\S+/[^/]+$", w) else ""
                if out and not out.startswith(("-", "/dev/")) and "://" not in out:
                    written[posixpath.normpath(out)] = net
    return None


def stream_run(line: str) -> str | None:
    """How a shell line runs, as a program, what another command prints: an interpreter after a pipe with no
    program of its own (no script operand, no ``-c``/``-e``/``-m``; ``-s`` and ``-`` are stdin's), leading its
    pipe stage or after any command not known to only read data (:data:`CONSUMERS`: ``sudo -u root bash``,
    ``timeout 60 sh``, a site's ``mywrap sh``), whatever the commands before it are (curl, wget, python's urllib,
    nc, ssh, a tee between: which commands fetch from the network is not for a list to know; a pipe into a shell
    is no local idiom); or a command's output where the
    program goes (``eval "$(...)"``, ``. <(...)``, ``sh -c "$(...)"``, ``bash <(...)``) when that command
    reaches another host (:data:`REMOTE`: ``eval "$(dircolors)"`` and apt's ``eval $(apt-config shell ...)``
    are local idioms); or the stream made the program another way: ``bash /dev/stdin``, ``xargs``/``parallel``
    handing it to an interpreter's ``-c`` (``xargs sh -c``, ``xargs -I{} sh -c "{}"``), ``parallel`` alone, a
    ``while read line`` loop that ``eval``s it; None otherwise."""
    if any(REMOTE.search(m.group("cmd")) for m in SUBSTITUTED.finditer(line)):
        return "a remote command's output where its program goes"
    for whole in re.split(r"(?<!\|)\|(?![|&])", line)[1:]:
        seg = re.split(r"&&|\|\||[;&)]", re.sub(r"\d*[<>]+&?\S*", " ", whole))[0]
        raw = [w.strip("\"'") for w in seg.split() if "=" not in w.split("/")[0]]
        words = [w.rsplit("/", 1)[-1] for w in raw]
        loop = re.match(r"\s*while\s+(?:IFS=\S*\s+)?read\s+(?:-\w+\s+)*(\w+)", whole)  # over the stream's lines
        if loop and re.search(rf"\beval\s+[\"']?\$\{{?{loop.group(1)}\b", whole):
            return "what comes down the pipe, each line eval'd"
        for i, name in enumerate(words if words and words[0] not in CONSUMERS else words[:1]):
            rest, fed = words[i + 1:] + ["(end)"], {"xargs", "parallel"} & set(words[:i])  # (stdin made arguments)
            if not INTERPRETER.fullmatch(name):
                continue
            at = next(k for k, r in enumerate(rest) if r in ("-", "-s", "(end)") or r in CODE_FLAGS or
                      not r.startswith("-"))
            first, given = rest[at], (raw[i + 1:] + ["(end)", "(end)"])[at + 1]  # (the code flag's program)
            if first in ("-", "-s", "(end)") if name not in ("at", "batch", "crontab") else \
                    "-f" not in rest if name != "crontab" else first in ("-", "(end)"):
                return f"what comes down the pipe, as {name}'s program"
            if (raw[i + 1:] + ["(end)"])[at] in STDIN or fed and first in CODE_FLAGS and (given == "(end)" or "{}"
                                                                                          in given):
                return f"what comes down the pipe, as {name}'s program"
    return None


def network_code(jobs: list[dict], exp, snap=None) -> list[str]:
    """Each root job (cron, at, a unit's Exec line, root's hooks) that runs as its program what another command
    prints (:func:`stream_run`): whoever fills that output (a network answer, a file the command reads) runs
    commands as root at every run, and over plain http:// (or ftp://) anyone on the path too (DNS, ARP, a proxy):
    no TLS, no signature. A package's file as dpkg unpacked it is the stock baseline (apt's daily job evals
    ``apt-config``'s output). Allowed by path (allow_cron) only when the line names no plain http:// or ftp://
    address: a plain one fails whatever is allowed."""
    from .rootacts import packaged, view

    snap = view(snap) if getattr(snap, "files", None) else None
    lines = []
    for job in (j for j in jobs if j["user"] == "root"):
        if snap is not None and job.get("file") and packaged(snap, job["file"]):
            continue
        how = next((h for h in map(stream_run, job["job"].splitlines()) if h), None) or fetched_run(job["job"])
        if not how:
            continue
        text = " ".join(job["job"].split())
        where = job["where"].split(":")[0].split(" ")[0]
        plain = re.search(r"\b(?:http|ftp)://\S+", text)
        if where in exp.allow.cron and not plain:
            continue
        plain_how = (f" ({plain.group(0)[:80]}: plain, no TLS and no signature) or sits on the path (DNS, ARP, "
                     f"a proxy)") if plain else ""
        lines.append(f"{job['where']}: runs {text[:160]!r} as root: it runs as root {how}, another command's "
                     f"output, not a file root keeps (which command it is is not judged): whoever fills that output "
                     f"(answers for an address it fetches{plain_how}, or writes a file it reads) runs any command "
                     f"as root at every run; fetch a signed file and check it, or install a package" +
                     (": no allowance accounts for it" if plain else ". " + _allow_hint(exp, "allow_cron", where)))
    return lines


def _code_from_tree(why: str, job: str, root: str) -> bool:
    """Whether a job reaching the app's tree (``why``, :func:`_job_reach`'s: ``runs X, which sources Y (the app's
    tree)``) takes code from it: the last step runs, sources or loads from there (a program, PATH, PYTHONPATH ...),
    or the job works there and runs a program by a relative path (``venv/bin/python``, ``./x``) or a Python with
    -m or -c (its working dir first on sys.path); a job or root script only reading or naming the tree (``tar
    czf ... shared``) does not. (In the app user's shared dirs, the rules of what root takes from where the app
    writes say it in their own line.)"""
    if "the app's tree" not in why:
        return False
    last = why.split(", which ")[-1]
    if last.startswith("names "):
        return False
    if last is not why or not why.startswith("works in"):
        return not last.startswith("works in")
    if why.startswith(f"works in {root.rstrip('/')}/shared/"):
        return False
    for part in re.split(r"&&|\|\||[;|]", job):
        words = [w for w in part.split() if not re.match(r"^[A-Za-z_]\w*=", w)] or ["cd"]
        if words[0] != "cd" and ("/" in words[0] and not words[0].startswith("/") or re.fullmatch(
                r"python[\d.]*", words[0].rsplit("/", 1)[-1]) and {"-m", "-c"} & set(words[1:])):
            return True
    return False


def _job_reach(snap, job: dict, root: str, shell: bool = True):
    """(why, runs) of what a job runs or names from the app's tree, resolved (:mod:`deploytests.verify.rootacts`);
    for root's, what someone but root may change too, unless the job's file is a package's as dpkg unpacked it
    (the stock baseline: ``/etc/cron.daily/apache2``'s cache directory is Apache's run user's by design)."""
    from . import collect_login as C
    from .mechanisms import reaches
    from .rootacts import command_problem, packaged, path_problem, view

    text = " ".join(job["job"].split()[3:]) if job["where"].startswith("/etc/anacrontab:") else job["job"]
    snap = view(snap) if getattr(snap, "files", None) else None
    mine = job["user"] == "root" and not (snap is not None and job.get("file") and packaged(snap, job["file"]))
    if job.get("config"):  # a tool's configuration: each path it names is what the tool runs or loads for root
        plain = re.search(r"\bhttp://\S+", text)
        words = C.WORD.findall(re.sub(r"\bfile://", " ", text))
        found = next((w for w in (path_problem(snap, "loads", p, root, loose=mine) for p in words) if w), None) \
            if snap is not None else next((f"loads {p} (the app's tree)" for p in words if reaches(p, root)), None)
        return (found, True) if found else (f"fetches from {plain.group(0)[:80]} (plain http: whoever answers "
                                            "for it or sits on the path gives root's tool its code)", True) if plain \
            else None
    return command_problem(snap, text, root, loose=mine, shell=shell)


def cw_units(facts, exp):
    """Every systemd unit and drop-in in systemd's unit search path but the packages' (/etc/systemd/system, its
    .control and .attached twins, /run/systemd/{system,transient} ...: :data:`collect_login.SYSTEMD_PATH`) that runs as
    the app, deploy or Apache user (by name or uid), or runs code from the app's tree (its unit file, an
    Exec*/WorkingDirectory/EnvironmentFile path or an Environment= value there), and the systemd user manager of
    the app, deploy or Apache user that starts at boot (linger) or has enabled units
    (:func:`mechanisms.user_managers`), is allowed by name; so is an override of how Apache's or sshd's unit
    starts, reloads or stops, but not a mask of either or a reload that stops the server
    (:func:`mechanisms.relied_unit_problems`)."""
    from .mechanisms import relied_unit_problems, root_reach, texts, unit_problems, user_managers
    from .parse import dpkg_files
    from .rootacts import APP_WRITES, view

    _inv(facts, "reading /etc/systemd/system")
    raw = texts(facts)
    if raw is None:
        raise NotApplicable("the probe sent no unit files (an older probe)")
    watched = {exp.cfg.app_user: "the app user (its data, its config's secrets)",
               exp.deploy_user: "the deploy login (it can change every release)"}
    snap = getattr(facts, "raw", None)
    seen = view(snap) if getattr(snap, "files", None) else None
    # Apache's user too: a unit of it is a process of it (cw_processes accounts for each), started later; and each
    # watched user by uid, as systemd reads User= (User=33)
    watched[exp.stack.apache.run_user] = "Apache's user (it reads what Apache serves, the app's static files)"
    users = getattr(seen, "users", None) if seen is not None else None
    watched.update({str(f["uid"]): f"{name}, {role}" for name, role in list(watched.items())
                    for f in [users.facts(name) if users is not None else None] if f})
    watched.update({str(f["uid"]): f"{who}, {watched.get(name, '')}" for who, name in
                    (("app", exp.cfg.app_user), ("deploy", exp.deploy_user))
                    for f in [(facts.get("users") or {}).get(who)] if f and f.get("uid") is not None})
    problems = unit_problems(raw, exp.cfg.root, watched, dpkg_files(snap) if seen is not None else None,
                             lambda p: seen is not None and seen.st(p) is None and not seen.writable_by_others(p) and
                             (seen.files.get(p) or {}).get("why") == os.strerror(errno.ENOENT))
    inv = facts["inventory"]
    problems.update(user_managers(inv.get("linger") or [], inv.get("user_units") or {}, watched))
    # what a root unit runs that others may change, as a cron job's is judged (allow_units accounts for the unit,
    # not for that); the app user's shared dirs among it: that unit's one line, which no allowance answers
    jobs = [(j, why) for j in unit_jobs(raw, every=True) for why, runs in [_job_reach(snap, j, exp.cfg.root) or
            ("", False)] if runs and j["user"] == "root" and "someone but root may change" in why]
    handed = {j["unit"] for j, why in jobs if APP_WRITES in why}
    loads = _unit_loader_env(raw, exp, seen)
    lines = [f"{why}. " + _allow_hint(exp, "allow_units", name) for name, why in problems.items()
             if name not in exp.allow.units and name not in handed and name not in {j["unit"] for j, _ in loads}]
    lines += [f"{j['where']}: {j['unit']} runs as {j['user']} with {why}: whoever can write there runs code with "
              f"{j['user']}'s rights; make it {j['user']}'s or root's alone, or remove it" + (
                  f" (allowed in {exp.allow.where}: allow_units accounts for the unit, not for that)"
                  if j["unit"] in exp.allow.units else "") for j, why in loads]
    relied = {f"{exp.stack.apache.service}.service": "Apache serves the site and takes the reloads of logrotate "
              "and bootstrap", "ssh.service": "every deploy, rollback and this gate log in through sshd"}
    for name, (why, always) in relied_unit_problems(raw, relied).items():
        if always or name not in exp.allow.units:
            lines.append(f"{why}. " + (f"(allowed in {exp.allow.where}: allow_units accounts for the unit, not for "
                                       "that)" if name in exp.allow.units else _allow_hint(exp, "allow_units", name)
                                       if not always else "remove it"))
    lines += [f"{why}: no allowance accounts for it (allow_units accounts for the unit, not for what it runs as "
              f"root)" for name, why in root_reach(raw, exp.cfg.root).items()
              if name in exp.allow.units and name not in {j["unit"] for j, _ in jobs}]  # (one cause, one line)
    lines += later_starts(raw, exp, snap, set(problems) | handed | {j["unit"] for j, _ in loads} | set(
        relied_unit_problems(raw, relied)), "\n".join(lines + [j["where"] for j, _ in jobs]))  # (jobs: below)
    lines += unit_groups(facts, exp, raw)
    lines += [f"{why}: allow_units accounts for the unit, not for that; drop the capability, or give it to a "
              f"program of root's alone" for name, why in _ambient(raw, problems).items() if name in exp.allow.units]
    for job, why in jobs:
        lines.append(f"{job['where']}: {job['unit']} runs {' '.join(job['job'].split())[:160]!r} as root: it "
                     f"{why}: whoever can change it runs code as root. " + (
                         "remove it, or make what it runs root's alone" if job["unit"] in (*exp.allow.units, *handed)
                         else _allow_hint(exp, "allow_units", job["unit"])))
    _unaccounted("systemd unit", lines)


STARTS_MEAN = ("no package made it (dpkg's files, deb-systemd-helper's record of what a postinst enabled), nor "
               "bootstrap, nor the stack's stock server: systemd starts what it says at the next boot or start (a "
               "listener, a console login, a job), which the gate, seeing what runs now, does not see before it runs")


def later_starts(raw, exp, snap, named: set, said: str = "") -> list[str]:
    """Each unit with a start entry in the admin's or the runtime's unit dirs that no package made
    (:func:`starts.unit_entries`: a unit file, a drop-in, an alias or an enabling link), unless allowed by name;
    one line per unit (``named``: the units another line of cw_units names already, ``said``: those lines: of such
    a unit only the entries they do not name, a second drop-in by hand among the packages' units beside the
    override in /etc a line names: the allowance of the unit pins both, so both are named)."""
    from .mechanisms import units
    from .starts import packaged_units, unit_entries, what_it_runs

    found = units(raw)
    entries = {name: e for name, e in unit_entries(raw, packaged_units(snap) if getattr(snap, "files", None) else
                                                     None).items() if name not in exp.allow.units}
    entries = {name: kept for name, e in entries.items() for kept in [
        [x for x in e if name not in named or re.split(r" -> |: | \(", x, maxsplit=1)[0] not in said]] if kept}
    # a service only a timer, path or socket of its own name starts, both by hand: one cause, the starter's line
    started = {u.name: s.name for s in found.values() if s.name in entries and s.name.endswith((".timer", ".path",
                                                                                                 ".socket"))
               for u in [found.get(s.values("unit")[-1][0] if s.values("unit") else s.name.rsplit(".", 1)[0] +
                                   ".service")] if u is not None and u.name in entries and not u.enabled}
    lines = []
    for name, e in entries.items():
        if name in started:
            continue
        more = [n for n, by in started.items() if by == name]
        hint = _allow_hint(exp, "allow_units", name)
        for n in more:  # (the entries to write, together)
            extra = re.search(r"allow_units = \[(.*)\]", _allow_hint(exp, "allow_units", n))
            at = hint.rfind("] in ") if extra else -1
            hint = hint[:at] + ", " + extra.group(1) + hint[at:] if extra and at >= 0 else hint
        lines.append(f"{name} ({'; '.join(e)}{what_it_runs(found.get(name))}" + "".join(
            f"; it starts {n} ({'; '.join(entries[n])}{what_it_runs(found.get(n))})" for n in more) +
            f"): {STARTS_MEAN}. " + hint)
    return lines


def boot_jobs(raw, exp, snap, lines: list[str]) -> list[str]:
    """Each start entry outside systemd's unit dirs that no package made (:func:`starts.boot_entries`: an
    ``@reboot`` job, rc.local, an rc?.d start link, an inittab line, a boot config's kernel command line), unless
    its file is allowed (allow_cron); not one another line of ``lines`` names already (one cause, one line)."""
    from .parse import conffiles, dpkg_files
    from .starts import boot_entries

    if not getattr(snap, "files", None):
        return []
    return [f"{what}: {why}. " + _allow_hint(exp, "allow_cron", file) for what, why, file in boot_entries(
        raw, snap, conffiles(snap.data("/var/lib/dpkg/status")), dpkg_files(snap))
        if file not in exp.allow.cron and not any(ln.startswith(what.split(": ", 1)[0] + ":") for ln in lines)]


def _unit_loader_env(raw, exp, seen) -> list[tuple[dict, str]]:
    """(job, why) for each ``Environment=`` assignment of a unit that runs as another user than root (the app's, the
    deploy login's, a service account) by which its program finds code (:data:`rootacts.CODE_ENV`: PYTHONPATH,
    LD_*, PATH ...) naming a place outside the live release that someone but root may change, or make first (a
    name not there yet in /tmp): whoever writes there runs code as the unit's user, whatever allow_units says, as
    for an allowed process's environment (a root unit's: its own rule, what root runs). A place the probe did not
    see is no claim."""
    from .collect_login import WORD
    from .rootacts import CODE_ENV, _loose, _unmade

    out: list[tuple[dict, str]] = []
    current = f"{exp.cfg.root}/current"
    for j in unit_jobs(raw, every=True) if seen is not None else []:
        if j["user"] == "root" or j["job"].startswith(("cd ", ". ")):
            continue
        try:
            pairs = [w for w in shlex.split(j["job"]) if w.startswith(CODE_ENV) and "=" in w]
        except ValueError:
            pairs = [w for w in j["job"].split() if w.startswith(CODE_ENV) and "=" in w]
        for pair in pairs:
            paths = [posixpath.normpath(p) for p in WORD.findall(pair.split("=", 1)[1].replace(":", " "))]
            found = next(((p, w) for p in paths if not (p == current or p.startswith(current + "/"))
                          for w in [_loose(seen, p) or _unmade(seen, seen.realpath(p))]
                          if w and "(not looked at)" not in w), None)
            if found:
                out.append((j, f"{pair[:160]!r}: {found[0]}, which someone but root may change ({found[1]})"))
                break
    return out


def unit_groups(facts, exp, raw) -> list[str]:
    """Each unit, allowed or not, whose ``Group=`` or ``SupplementaryGroups=`` gives what it runs a group that
    reaches root (:data:`ROOT_GROUPS`, a group a sudoers rule names, a gid-0 alias): the grant of a membership,
    judged as the membership is (test_users_groups_are_accounted_for), whatever allow_units says."""
    from .mechanisms import units

    reach = {g: why for g, why in _reaching_groups(facts, exp).items()
             if g not in (_group_of(facts, "app"), _group_of(facts, "deploy"))}
    lines = []
    for u in units(raw).values():
        for key in ("group", "supplementarygroups"):
            for value, at in u.values(key):
                hit = [g for g in value.split() if g in reach]
                lines += [f"{at}: {u.name} runs what it starts with group {g} ({key}): {reach[g]}; remove it (a "
                          f"file the service needs: give that file to a group of its own)" +
                          (f" (allowed in {exp.allow.where}: allow_units accounts for the unit, not for the groups "
                           f"it grants)" if u.name in exp.allow.units else "") for g in hit]
    return lines


def _ambient(raw, problems: dict) -> dict[str, str]:
    """unit name -> why, for each unit flagged as the app's or the deploy login's (``problems``: it runs as them or
    runs the app's tree) whose ``AmbientCapabilities=`` hold a capability that reaches what is not theirs
    (:data:`WIDE_CAPS`): the release's code, or whatever the app writes, acts with it."""
    from .mechanisms import units

    out = {}
    for u in units(raw).values():
        given = [(v, at) for v, at in u.values("ambientcapabilities")]
        wide = _wide(" ".join(v for v, _ in given))
        if wide and u.name in problems and u.user != "root":
            out[u.name] = (f"{u.name} ({given[-1][1]}): AmbientCapabilities {', '.join(wide)} for {u.user}: the "
                           f"code it runs (the app's or the deploy login's) {'; '.join(WIDE_CAPS[c] for c in wide)}")
    return out


def reload_takes_effect(facts, exp):
    """The reload deploy and rollback rely on (they touch application.wsgi; mod_wsgi restarts the daemons that
    loaded it) takes effect with Apache's configuration as it is: nothing in force turns it off or points the app
    at another script (:func:`deploytests.verify.mechanisms.reload_problems`). Whether the daemons running now
    restarted since the last switch is test_daemons_run_live_release's."""
    from .mechanisms import apache_directives, reload_problems, texts

    inv = _inv_apache(facts, "reading Apache's configuration")
    raw = texts(facts)
    if raw is None:
        raise NotApplicable("the probe sent no raw texts of Apache's configuration (an older probe)")
    files, includes = inv["apache"].get("files") or {}, inv["apache"].get("includes", [])
    real = {i["path"]: (files.get(i["path"]) or {}).get("real") or i["path"] for i in includes}
    texts_in_force = {p: t for p, t in ((p, raw.get(p, "")) for p in real) if not t.startswith("-> ") and t} | \
        {p: raw[r] for p, r in real.items() if r in raw and not raw[r].startswith("-> ")}  # a link: its file's text
    problems = reload_problems(apache_directives(texts_in_force, includes), exp.cfg)
    assert not problems, "the reload deploys rely on will not take effect on this server:\n" + \
        "\n".join(f"- {p}" for p in problems)


def cw_apache_effects(facts, exp):
    """What the configuration in force makes Apache's root parent load or run, or serve from the app's tree, is
    root's and the app's own, whatever is allowed (:func:`deploytests.verify.mechanisms.effect_problems`): an
    allowance accounts for a file's presence, never for what it loads or runs."""
    from .mechanisms import effect_problems

    _, directives, site = _in_force(facts, exp, "reading Apache's configuration")
    snap = getattr(facts, "raw", None)
    loose = snap.writable_by_others if getattr(snap, "files", None) else lambda p: f"{p} (not looked at)"
    lines = effect_problems(directives, exp.cfg, site, posixpath.dirname(exp.stack.wsgi_module_file), loose)
    _unaccounted("thing[s] Apache's configuration loads, runs or serves", lines)


class _Site(str):
    """The app's own site file's path, which compares equal to each file that copies it for TLS too (``mirrors``:
    :func:`deploytests.verify.mechanisms.mirrors`): what such a copy routes is the app's own."""

    mirrors: frozenset = frozenset()

    def __eq__(self, other) -> bool:
        return str.__eq__(self, other) or other in self.mirrors

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


def _in_force(facts, exp, what: str):
    """(the inventory, every directive of Apache's configuration in force, the app's own site file: equal to each
    file that copies it for TLS, :class:`_Site`), or skip."""
    from .mechanisms import apache_directives, mirrors, texts

    inv = _inv_apache(facts, what)
    raw = texts(facts)
    if raw is None:
        raise NotApplicable("the probe sent no raw texts of Apache's configuration (an older probe)")
    files, includes = inv["apache"].get("files") or {}, inv["apache"].get("includes", [])
    real = {i["path"]: (files.get(i["path"]) or {}).get("real") or i["path"] for i in includes}
    in_force = {p: raw[r] for p, r in real.items() if r in raw and not raw[r].startswith("-> ")}
    site = _Site(f"{exp.stack.apache.sites_enabled}/{exp.cfg.app}.conf")
    site.mirrors = mirrors(dict(in_force, **{site: in_force.get(site) or raw.get(site) or ""}), site, exp.cfg.port)
    return inv, apache_directives(in_force, includes), site


def cw_served(facts, exp):
    """What Apache serves from the filesystem holds the app's tree only through the app's own vhost: no
    DocumentRoot, Alias or ScriptAlias elsewhere lies above it where the most specific <Directory> grants it
    (:func:`deploytests.verify.mechanisms.served_problems`); and what it serves on every site, the app's included,
    comes from directories root's alone (:func:`deploytests.verify.mechanisms.writable_served`), and no link under
    a served directory that Apache follows by the Options in force leads out of it
    (:func:`deploytests.verify.mechanisms.links_served`), whatever file says it and whatever is allowed."""
    from .mechanisms import links_served, served_problems, writable_served
    from .rootacts import view

    _, directives, ours = _in_force(facts, exp, "reading Apache's configuration")
    snap = view(getattr(facts, "raw", None)) if getattr(getattr(facts, "raw", None), "files", None) else None
    linked = links_served(directives, ours, snap.raw.get("served") or {}, snap.realpath,
                          lambda p: (snap.st(p) or [None, None])[1], exp.cfg.root) if snap is not None else []
    _unaccounted("place[s] where Apache serves the app's tree outside its vhost, or what others write",
                 served_problems(directives, exp.cfg, ours) + writable_served(directives, ours, _loose_of(facts)) +
                 linked, "cw_served", exp)


def _loose_of(facts):
    """``path -> why someone but root may change it, or None`` from the snapshot (a path not looked at: None: a
    script outside the dirs the collectors read is not judged by who owns it); recorded facts without a
    snapshot: nothing is known to be anyone's."""
    snap = getattr(facts, "raw", None)
    if not getattr(snap, "files", None):
        return lambda p: None
    return lambda p: (lambda w: None if not w or w.endswith("(not looked at)") else w)(snap.writable_by_others(p))


def cw_handlers(facts, exp):
    """Nothing in Apache's configuration in force writes files or runs code for whoever asks but the app's own
    daemons: no anonymous WebDAV, no WSGI daemon of another app as the app's or deploy login's user, no WSGI or
    CGI script someone but root may change, no WSGISocketPrefix in a directory others may write
    (:func:`deploytests.verify.mechanisms.handler_problems`), whatever is allowed."""
    from .mechanisms import handler_problems

    inv, directives, ours = _in_force(facts, exp, "reading Apache's configuration")
    others = bootstrapped_apps(facts, exp, True)  # another app bootstrap made: its own daemon and script, as ours
    directives = [d for d in directives if d.file not in others]
    snap = getattr(facts, "raw", None)
    loose = _loose_of(facts)  # (a script outside the dirs the collectors read: its daemon's user is judged)
    shared = (lambda d: _shared_dir(snap, d)) if getattr(snap, "files", None) else (  # noqa: E731
        lambda p: f"{p} (not looked at)")
    users = {exp.cfg.app_user: "the app's user", exp.deploy_user: "the deploy login"}
    groups = {g: who for g, who in ((_group_of(facts, "deploy"), "the deploy login's group"),
                                    (_group_of(facts, "app"), "the app's group")) if g != "?"}
    cgi = bool({"cgi_module", "cgid_module"} & set((facts.get("configtest") or {}).get("modules") or []))
    lines = handler_problems(directives, exp.cfg, ours, users, groups, loose, shared, cgi)
    if not any(d.name == "wsgisocketprefix" for d in directives):  # (mod_wsgi's default: Apache's runtime dir)
        run = posixpath.dirname(exp.stack.apache.pid_file)
        run = next((d.args.strip('"').replace("${APACHE_RUN_DIR}", run) for d in directives
                    if d.name == "defaultruntimedir"), run)
        run = "/run/" + run[len("/var/run/"):] if run.startswith("/var/run/") else run  # (Debian: /var/run -> /run)
        why = shared(run) if run.startswith("/") else None
        why = None if why and why.endswith("(not looked at)") else why  # (a server whose run dir was not read)
        lines += [f"{run} (DefaultRuntimeDir, where mod_wsgi makes the daemons' sockets: no WSGISocketPrefix) is "
                  f"{why}: its owner may unlink a daemon's socket and bind its own in its place, receiving the "
                  f"app's requests, cookies included (and replace Apache's pid file): make it root's, 0755"] if why \
            else []
    _unaccounted("handler[s] that write[s|] files or run[s|] code for whoever asks", lines, "cw_handlers", exp)


def _shared_dir(snap, path: str) -> str | None:
    """``path`` (a directory) as text when someone but root may add an entry to it (a sticky directory too: a name
    taken first is taken) or the gate did not look at it; else None."""
    real = snap.realpath(path)
    st = snap.st(real)
    if st is None:
        return f"{real} (not looked at)"
    if st[1] != 0 or st[0] & 0o022:
        return "%s %04o %s:%s" % (real, st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2]))
    return snap.writable_by_others(real)


def cw_in_front(facts, exp):
    """Nothing stands between a client and the app on the app's URL space but Apache itself: no cache, proxy or
    rewrite in force for the app's site, no alias, redirect or handler taking the health path the deploy's gate
    asks, in any file that is not a stock file as shipped (:func:`deploytests.verify.mechanisms.
    in_front_problems`), whatever is allowed."""
    from .mechanisms import in_front_problems

    inv, directives, ours = _in_force(facts, exp, "reading Apache's configuration")
    files = inv["apache"].get("files") or {}
    judged = lambda path: path != ours and not (files.get(path) or {}).get("package")  # noqa: E731
    _unaccounted("thing[s] between the clients and the app", in_front_problems(directives, exp.cfg, judged),
                 "cw_in_front", exp)


def cw_mapped(facts, exp):
    """Every file Apache's processes and the app's daemons have mapped (the kernel's maps: what they load, whatever
    the loader's configuration says) is root's, not writable by group or others, in directories only root may
    change (:func:`deploytests.verify.parse.mapped_files`), and none maps as code memory no file holds (a memfd);
    the releases' own files are the deploy's (their rules:
    test_installed_files_match_artifact, test_rollback_targets_are_complete). A packaged one is also compared with
    dpkg's md5sums (test_packaged_files_are_as_installed); one mapped as code that no installed package ships (a
    library built by hand the linker prefers, whoever may change it) is a finding unless allowed (allow_mapped,
    pinned to the identity root sees: :func:`pins.digest`): deny by default."""
    inv = _inv(facts, "reading what Apache's processes map")
    found = inv.get("mapped")
    if found is None:
        raise NotApplicable("root could not read the maps of Apache's processes (no CAP_SYS_PTRACE?)")
    releases, others = f"{exp.cfg.root}/releases/", _others_daemons(facts, exp)
    theirs = lambda m: bool(m["pids"]) and all(  # noqa: E731  (another bootstrapped app's releases, its daemons alone)
        p in others and m["path"].startswith(f"{others[p].root}/releases/") for p in m["pids"])
    lines = [f"{m['path']} (mapped by pid {', '.join(map(str, m['pids']))}"
             f"{'; ' + m['package'] + ' ships it' if m.get('package') else '; no installed package ships it'}): "
             f"{m['loose']} may be changed by someone but root: whoever that is runs code in Apache's root parent "
             f"and the app's daemons at their next start" for m in found
             if m["loose"] and not m["path"].startswith(releases) and not theirs(m)]
    lines += [f"{m['path']} (mapped as code by pid {', '.join(map(str, m['pids']))}): no installed package ships "
              f"it (a library built by hand, make install, a copy the linker prefers): Apache's root parent and the "
              f"app's daemons run code no package accounts for and no security update reaches; install it from a "
              f"package, or remove it and run ldconfig; " + _allow_hint(exp, "allow_mapped", m["path"]) for m in found
              if m.get("code") and not m.get("package") and not m["loose"] and not m["path"].startswith(releases)
              and not theirs(m) and m["path"] not in exp.allow.mapped and not m.get("memory")]
    lines += [f"{m['path']} (mapped as code by pid {', '.join(map(str, m['pids']))}): code in memory no file on disk "
              f"holds (a memfd, shared memory: what a process wrote there and runs, a library loaded without a "
              f"file): no package, release or root's file accounts for it, and no allowance can pin it; restart "
              f"Apache and find what loaded it" for m in found if m.get("memory")]
    unread = inv.get("maps_unread") or []
    said = (f"root could not read the maps of {count(len(unread), 'pid')} {', '.join(map(str, unread[:6]))} (Apache's "
            f"workers, the app's daemons: no CAP_SYS_PTRACE?): what they load at run time is not judged here")
    if unread and not lines:
        raise NotApplicable(said)
    _unaccounted("file[s] Apache and the daemons map", lines + ([said] if unread else []), "cw_mapped", exp)


def cw_bytecode(facts, exp):
    """The bytecode of the stack's Python modules (``__pycache__``, which dpkg's md5sums never list) is what their
    sources compile to: compiled on the server by the stack's Python, compared as code, never run
    (:func:`deploytests.verify.reader.bytecode`)."""
    found = facts.get("bytecode")
    if found is None:
        raise NotApplicable(f"the tree reader did not compare the stack's bytecode: "
                            f"{(facts.get('errors') or {}).get('bytecode')}")
    lines = [f"{pyc}: not what {src} compiles to ({pkg}'s module): the daemons (and root's python3) import this "
             f"bytecode, not the source dpkg checks; remove it (Python compiles the source again) or reinstall "
             f"{pkg}" for pyc, src, pkg in found.get("forged") or []]
    lines += [f"{b}: not compared" for b in found.get("bounds") or []]
    _unaccounted("bytecode file[s] that [is|are] not [its|their] source's", lines, "cw_bytecode", exp)


def cw_sudoers(facts, exp):
    """Every sudoers line: Debian's own, bootstrap's rule file (test_sudoers_rule_minimal checks its text),
    the target's login's root grant (:func:`operator_grant`: how bootstrap gets root, the operator's own), another
    bootstrapped app's grant exactly as bootstrap writes it for the login it names (:func:`bootstrapped_apps`), or
    allowed. Any other line naming the target's login is judged like anyone's: it adds nothing while the login
    holds every command as root, and is what is left granted when that grant is narrowed or removed."""
    from ..pipeline.agent_root import sudoers_rule

    inv = _inv(facts, "reading sudoers")
    ours = f"/etc/sudoers.d/deploytests-{exp.cfg.app}"
    theirs = {f"/etc/sudoers.d/deploytests-{c.app}": c for c in bootstrapped_apps(facts, exp).values()}
    granted = lambda rule, c: (rule["mode"], rule["owner"]) == ("0440", "root") and rule["text"] + "\n" == \
        sudoers_rule(rule["text"].split(" ")[0], c.app_user, c.app).split("\n", 1)[1]  # noqa: E731
    login = facts.get("login") or ""
    lines = []
    for rule in inv["sudoers"]:
        text, first = rule["text"], rule["text"].split(" ")[0]
        if text.endswith("(not looked at)") or text.startswith("(not read"):  # what it grants is not known
            lines.append(f"{rule['file']}:{rule['line']}: {text!r}: sudo reads the rules there as root, the gate "
                         f"could not (only /etc/sudoers and the files of /etc/sudoers.d are read): whoever they "
                         f"name may run anything as root, unseen; no allowance accounts for what it grants: put "
                         f"its rules in a file of /etc/sudoers.d (read and judged there) or remove it")
            continue
        if rule["file"] == ours or first == login and login != exp.cfg.app_user and operator_grant(text):
            continue
        if rule["file"] in theirs and first != "root" and granted(rule, theirs[rule["file"]]):
            continue
        blocks = sudo_blocks_deploy(text, exp.cfg, exp.cfg.deploy_user or login)
        if blocks:  # what the line does to every deploy, whatever is allowed
            lines.append(f"{rule['file']}:{rule['line']}: {text!r}: {blocks}" + (
                f" (allowed in {exp.allow.where}: allow_sudo accounts for the line, not for what it stops)"
                if text in exp.allow.sudo else ""))
            continue
        reach = _sudo_reach(getattr(facts, "raw", None), text, exp.cfg.root) or sudo_grants_root(text)
        if reach:  # what the line grants, whatever is allowed: an allowance accounts for the line, not its reach
            lines.append(f"{rule['file']}:{rule['line']}: {text!r}: {reach}" + (
                f" (allowed in {exp.allow.where}: allow_sudo accounts for the line, not for what it reaches)"
                if text in exp.allow.sudo else ""))
            continue
        if text in exp.allow.sudo or rule["file"] == "/etc/sudoers" and text in exp.stack.baseline_sudoers:
            continue
        stock = {o.strip() for b in exp.stack.baseline_sudoers if b.startswith("Defaults ") for o in b[9:].split(",")}
        if first.startswith("Defaults") and {o.strip() for o in text[len(first):].split(",")} <= SUDO_AS_BUILT | stock:
            continue  # (sudo's own defaults, or the distribution's sudoers' own, said again: the line changes nothing)
        if first == "Defaults" or first.startswith("Defaults"):
            why = "it changes how every sudo runs (environment, logging, who may use it)"
        else:
            why = f"{first} may run commands as another user through it"
        lines.append(f"{rule['file']}:{rule['line']}: {text!r}: {why}. " + _allow_hint(exp, "allow_sudo", text))
    _unaccounted("sudoers line", lines)


# sudo settings under which the deploy's release check (the deploy login runs its release's python as the app
# user with ``sudo -n -u``, over an SSH exec without a terminal; the check runs the post_deploy commands) cannot work
SUDO_BLOCKING = {"noexec": "sudo stops the release's python from running any program (the post_deploy commands, "
                           "the installer)",
                 "intercept": "sudo lets the release's python run no program its rules do not name (the post_deploy "
                              "commands, the installer)",
                 "requiretty": "sudo refuses without a terminal, and deploys run over an SSH command without one"}


def sudo_defaults(text: str) -> tuple[str, list[str]] | None:
    """A ``Defaults`` line's scope (``""``, or ``:``/``@``/``>``/``!`` and the names it lists, joined by commas) and
    its options (split at commas not escaped); None for any other line. Read as sudo's lexer reads it: blanks may
    follow the scope's mark and stand around its list's commas (``Defaults: deployer !syslog``, ``Defaults:ops ,
    deployer !log_allowed``: sudo applies both; read to the first blank, each passed for an option of no one)."""
    m = re.fullmatch(r"Defaults(?:([:@>!])\s*((?:[^\s,]+\s*,\s*)*[^\s,]+))?(?:\s+(.*))?", text)
    if m is None:
        return None
    scope = m[1] + ",".join(n.strip() for n in m[2].split(",")) if m[1] else ""
    return scope, [o.strip() for o in re.split(r"(?<!\\),", m[3] or "")]


def sudo_blocks_deploy(text: str, cfg, deploy_user: str | None) -> str | None:
    """Why a sudoers line stops the deploy's own sudo from working (every deploy and rollback refused at the release
    check), or None: a ``Defaults`` line whose scope reaches that sudo (all, ``:`` the deploy login or ALL, ``>`` the
    app user or ALL, ``!`` the releases' python or ALL) setting an option of :data:`SUDO_BLOCKING`; or a rule for
    the deploy login running as the app user with the ``NOEXEC:`` or ``INTERCEPT:`` tag (sudo uses the last rule
    that matches: it overrides bootstrap's)."""
    first, defaults = text.split(" ")[0], sudo_defaults(text)
    python = f"{cfg.root}/releases/*/venv/bin/python"
    if defaults is not None:
        (scope, options), kind = defaults, defaults[0][:1]
        listed = {n.strip() for n in scope[1:].split(",")}
        reach = {"": True, "@": True, ":": bool(listed & {deploy_user, "ALL"}), ">": bool(listed & {cfg.app_user,
                 "ALL"}), "!": bool(listed & {python, "ALL"}) or any(fnmatch.fnmatch(python, n) or
                                                                   fnmatch.fnmatch(n, python) for n in listed)}
        if not reach.get(kind, False):
            return None
        for option in options:
            if option in SUDO_BLOCKING:
                return (f"{SUDO_BLOCKING[option]}: every deploy and rollback is refused at its release check (sudo "
                        f"-n -u {cfg.app_user} {python})")
        return None
    if first != deploy_user or "=" not in text:
        return None
    m = re.match(r"\s*\(([^)]*)\)\s*((?:(?:NO)?[A-Z_]+:\s*)*)", text.split("=", 1)[1])
    if m and {u.strip() for u in m.group(1).split(":")[0].split(",")} & {cfg.app_user, "ALL"} and \
            re.search(r"\b(NOEXEC|INTERCEPT):", m.group(2)) and python.split("*")[0] in text:
        tag = "noexec" if "NOEXEC:" in m.group(2) else "intercept"
        return (f"a later rule for {deploy_user} as {cfg.app_user} with the {tag.upper()} tag (sudo uses the last "
                f"rule that matches): {SUDO_BLOCKING[tag]}: every deploy and rollback is refused at its release check")
    return None


def sudo_commands(text: str) -> list[str]:
    """The absolute command paths a sudoers rule or ``Cmnd_Alias`` line names (after its ``=``; each comma-separated
    command without its ``(runas)``, tags and ``!``): what sudo runs for it. Defaults and other aliases: none."""
    first = text.split(" ")[0]
    if "=" not in text or first.startswith(("Defaults", "User_Alias", "Runas_Alias", "Host_Alias", "@", "#")):
        return []
    found = []
    for part in re.split(r"(?<!\\),|:\s*[A-Za-z_]+\s*=", text.split("=", 1)[1]):
        part = re.sub(r"^\s*(\([^)]*\)\s*)?((NO)?[A-Z_]+:\s*)*!?\s*", "", part)
        word = part.split(" ")[0] if part else ""
        if word.startswith("/"):
            found.append(word)
    return found


def _sudo_reach(snap, text: str, root: str = "/nonexistent") -> str | None:
    """Why a sudoers line reaches further than its text says, or None: a command that is a directory (sudo runs
    every file in it) or a command file someone but root may change, or its directories (its grantee replaces
    it); a root script it runs that runs or sources what someone but root may change, or the app's tree ``root``
    (read as a root job's script is: :func:`rootacts.command_problem`; the login collector reads root's scripts in
    /usr/local/{bin,sbin}); or a fixed path argument of a root command that someone but root may change or create
    (the root collector's ``lstat`` of what root's sudoers files name: ``rootacts.view``; their archive to
    extract, their file to copy, a link to any file). A directory the gate did not see counts as not root's; a
    file it did not see is no claim."""
    from .rootacts import WRITE_MEANS, forwards, view

    if not getattr(snap, "files", None):
        return None
    seen = view(snap)  # (with root's lstat of what sudoers names)
    for cmd, args in sudo_root_specs(text):
        for word in [w.split("=", 1)[-1] for w in args.split()]:
            loose = seen.writable_by_others(word) if word.startswith("/") and not re.search(r"[*?\[]", word) else None
            if loose and not loose.endswith("(not looked at)"):
                return (f"{cmd} {args}: {word}: {loose} may be changed by someone but root: whoever that is chooses "
                        "what root reads, writes or runs through this line (their archive, their file, a link to any "
                        "file); keep the command's files where root alone may change them")
    for cmd in sudo_commands(text):
        if cmd.endswith("/") or re.search(r"[*?\[]", cmd):  # a directory, or a pattern: every file it matches
            loose = seen.writable_by_others(re.split(r"[*?\[]", cmd)[0].rsplit("/", 1)[0] or "/")
            if not loose:
                continue
            return (f"{cmd} is a directory or pattern: sudo runs every file it matches for this rule, and " +
                    (f"{loose} may be changed by someone but root (the grantee puts a program there and runs it)"
                     if loose and "(not looked at)" not in loose else "the gate did not see who may add a file "
                     "there") + ": list its commands one by one (each root's alone), or remove the line")
        loose = seen.writable_by_others(cmd)
        if loose and not loose.endswith("(not looked at)"):
            return (f"{cmd}: {loose} may be changed by someone but root: whoever that is replaces the command and "
                    f"runs it through this rule; make it and its directories root's alone, or remove the line")
    for cmd, _ in sudo_root_specs(text):
        found = _script_reach(seen, cmd, root)
        if found:
            return (f"{cmd} runs as root and {found}: " + ("" if WRITE_MEANS in found else
                    "whoever may change that runs code as root whenever the rule is used; ") + "make what the script "
                    "runs, sources or writes root's alone, outside the app's tree")
    for cmd, args in sudo_root_specs(text):
        found = forwards(seen, cmd) if not args or re.search(r"[*?\[]", args) else None
        if found:
            return (f"{cmd} runs as root and hands the arguments its caller gives on to a command ({found}): with "
                    f"{'any arguments (none written in the rule)' if not args else 'a wildcard'}, whoever the line "
                    "names chooses root's arguments there (apache2ctl -f their config, systemctl link their unit, cp "
                    "over /etc/sudoers, rsync -e their command); write the arguments in the script (one fixed command "
                    "per case), or the exact arguments in the rule (sudo then allows those alone)")
    return None


# programs that, run as root through sudo, give whoever runs them root: interactive ones with a shell escape or a
# file dialog whatever their arguments (a pager's !sh and :e, an editor's :!sh), and ones that run any command or
# write any file when their arguments are free (a rule naming no arguments allows any; a wildcard matches any text):
# find -exec, tar --checkpoint-action, python -c, cp over /etc/sudoers ... (GTFOBins' sudo entries, the common ones)
SUDO_INTERACTIVE = frozenset({"less", "more", "most", "pg", "man", "vi", "vim", "view", "rvim", "nvim", "nano",
                              "pico", "ed", "ex", "emacs", "journalctl"})
SUDO_RUNNERS = frozenset({
    "find", "tar", "zip", "awk", "gawk", "mawk", "nawk", "perl", "python", "ruby", "lua", "php", "node", "sh", "bash",
    "dash", "zsh", "ksh", "csh", "env", "nice", "ionice", "timeout", "stdbuf", "xargs", "rsync", "ssh", "scp", "git",
    "systemctl", "apt", "apt-get", "aptitude", "dpkg", "cp", "mv", "tee", "dd", "sed", "nmap", "openssl", "curl",
    "wget", "docker", "crontab", "strace", "gdb", "script", "watch", "flock", "busybox", "socat", "nc", "ncat",
    "make", "install", "chmod", "chown", "ln", "mount", "unshare", "nsenter", "chroot"})


# what sudo may keep of its caller's environment without handing them what a root program loads, runs or reads
# as code (sudo's own defaults, locale, terminal, proxies, identity for mail and commits); env_keep of any other
# variable (PYTHONPATH, LD_*, PERL5LIB, BASH_ENV, EDITOR, HOME, APACHE_*) is the caller's to set for root
SUDO_ENV_INERT = frozenset({
    "COLORS", "DISPLAY", "HOSTNAME", "KRB5CCNAME", "LS_COLORS", "PS1", "PS2", "TZ", "XAUTHORITY", "XAUTHORIZATION",
    "LANG", "LANGUAGE", "LINGUAS", "_XKB_CHARSET", "TERM", "COLUMNS", "LINES", "http_proxy", "https_proxy",
    "ftp_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY",
    "EMAIL", "DEBEMAIL", "DEBFULLNAME", "GREP_COLOR", "SSH_AGENT_PID", "SSH_AUTH_SOCK", "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"})
# Defaults options that say what sudo does unless told otherwise (sudoers(5)'s defaults, as Debian builds it): a
# Defaults line of only these changes nothing ('Defaults !requiretty', habitual in config management)
SUDO_AS_BUILT = frozenset({"!requiretty", "env_reset", "!visiblepw", "!rootpw", "!runaspw", "!targetpw",
                           "authenticate", "passwd_tries=3", "timestamp_timeout=15"})  # (sudo -V as root: Debian's)
SUDO_STDIN_WRITERS = frozenset({"tee", "dd", "sponge"})  # write, as root, what their caller pipes in


def sudo_kept_env(text: str) -> list[str]:
    """The variables a ``Defaults`` line's ``env_keep`` (``=``, ``+=``) keeps from sudo's caller that are not
    inert (:data:`SUDO_ENV_INERT`, ``LC_*``); other lines: none."""
    first = text.split(" ")[0]
    if not first.startswith("Defaults"):
        return []
    kept = []
    for m in re.finditer(r"(?:^|[\s,])env_keep\s*\+?=\s*(\"[^\"]*\"|[^\s,]+)", text[len(first):]):
        kept += [v for v in m.group(1).strip('"').split() if v not in SUDO_ENV_INERT and not v.startswith("LC_")]
    return kept


def operator_grant(text: str) -> bool:
    """Whether a sudoers rule gives the users it names every command as root (``login ALL=(ALL) NOPASSWD: ALL``,
    ``(ALL:ALL) ALL``): the operator's own root, by which bootstrap and the gate run; a narrower rule is not."""
    return ("ALL", "") in sudo_root_specs(text, named=False)


def sudo_root_specs(text: str, named: bool = True) -> list[tuple[str, str]]:
    """``(command, arguments)`` of each command a sudoers rule lets run as root (its run-as list, or sudo's
    default, is root, ALL or #0); Defaults and alias lines: none. ``arguments`` as written ('' : any);
    ``named``: commands by path only (else ``ALL`` and a ``Cmnd_Alias`` count too)."""
    first = text.split(" ")[0]
    if "=" not in text or first.startswith(("Defaults", "User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias",
                                            "@", "#include")):  # ('#1001 ALL=...': a rule for that uid)
        return []
    out, as_root = [], True
    for part in re.split(r"(?<!\\),", text.split("=", 1)[1]):
        m = re.match(r"\s*(\(([^)]*)\))?\s*((?:(?:NO)?[A-Z_]+:\s*)*)!?\s*(.*)$", part)
        if not m:
            continue
        if m.group(1) is not None:
            users = m.group(2).split(":")[0]
            as_root = not users.strip() or bool({u.strip() for u in users.split(",")} & {"ALL", "root", "#0"})
        cmd, _, args = m.group(4).strip().partition(" ")
        if as_root and (cmd.startswith("/") or not named and cmd):
            out.append((cmd, args.strip()))
    return out


def sudo_grants_root(text: str) -> str | None:
    """Why a sudoers line gives whoever it names root through what its command does, whatever the command file is:
    an interactive program (:data:`SUDO_INTERACTIVE`), a program that runs commands or writes files
    (:data:`SUDO_RUNNERS`) with free arguments (none written: sudo allows any; or a wildcard), or a wildcard in a
    path argument (sudo's ``*`` matches ``/``, ``..`` and spaces: any file); or any root command whose
    environment its user sets (the ``SETENV`` tag, ``Defaults setenv`` or ``!env_reset``: ``sudo
    APACHE_ENVVARS=/tmp/x apache2ctl graceful`` has root source any file, ``PYTHONPATH``, ``PERL5LIB``, ``BASH_ENV``
    load any code into the command)."""
    first = text.split(" ")[0]
    if first.startswith("Defaults") and re.search(r"(?:^|[\s,])(?:setenv|!\s*env_reset)\b", text[len(first):]):
        return ("it lets the users it applies to set the environment of every command they run through sudo "
                "(APACHE_ENVVARS, PYTHONPATH, BASH_ENV ... make a root command source or load their file): any "
                "root rule of theirs makes them root; remove it (keep sudo's env_reset)")
    path = re.search(r"(?:^|[\s,])secure_path\s*=\s*(\"[^\"]*\"|[^\s,]+)", text[len(first):]) \
        if first.startswith("Defaults") else None
    odd = [d for d in path.group(1).strip('"').split(":") if d.rstrip("/") not in COMMAND_DIRS] if path else []
    if odd:
        return (f"secure_path has {', '.join(odd) or '(an empty entry)'}: sudo finds every command it runs by name "
                "there, as root, outside the command dirs the gate checks for who may write them (a directory "
                "another account keeps: its files run as root for every admin's 'sudo cmd'); keep secure_path to "
                "the system's command dirs")
    kept = sudo_kept_env(text)
    if kept:
        return (f"env_keep keeps {', '.join(kept)} from the caller: the users it applies to set "
                f"{'them' if len(kept) > 1 else 'it'} for every command they run through sudo (PYTHONPATH, LD_*, "
                "PERL5LIB, BASH_ENV, EDITOR load or run their code in the root command): any root rule of theirs "
                "makes them root; keep only inert variables (locale, terminal, proxies)")
    if re.search(r"=.*\bSETENV:", text) and sudo_root_specs(text):
        cmd = sudo_root_specs(text)[0][0]
        return (f"SETENV: whoever the line names sets any environment variable for {cmd} as root (sudo "
                "APACHE_ENVVARS=/tmp/x apache2ctl: root sources their file; PYTHONPATH, PERL5LIB, BASH_ENV ... load "
                "their code): this line makes them root; drop SETENV (a variable the command needs: env_keep, "
                "fixed)")
    for cmd, args in sudo_root_specs(text):
        name = cmd.rsplit("/", 1)[-1]
        base = "python" if name.startswith("python") else re.sub(r"[0-9.]+$", "", name) or name
        wild = bool(re.search(r"[*?\[]", args))
        if base in SUDO_INTERACTIVE:
            return (f"{cmd} is interactive: as root it opens any file and runs a shell for whoever uses it (a "
                    "pager's !sh and :e, an editor's :!sh), whatever its arguments: this line makes them root; give "
                    "them read access another way (a group, a root-owned script that prints the one file)")
        if base in SUDO_RUNNERS and (not args or wild):
            return (f"{cmd} with {'any arguments (none written: sudo allows any)' if not args else 'a wildcard'}: "
                    "it runs commands or writes files as root for whoever the line names (find -exec, tar "
                    "--checkpoint-action, python -c, cp over /etc/sudoers): this line makes them root; write the "
                    "exact arguments, or give them a root-owned script that does the one thing")
        words = args.split()
        if base in SUDO_STDIN_WRITERS and words and not any(w.startswith("if=") for w in words):
            return (f"{cmd} {args}: it writes, as root, what its caller pipes in: whoever the line names chooses "
                    "the content of the file it writes (a configuration or script root reads: their commands as "
                    "root); give them a root-owned script that makes the one change")
        # a path in a directory anyone may create names in (TEMP_DIRS) is whoever's makes it first (a link to any
        # file): a root command's fixed argument there is its caller's choice
        temp = [w.split("=", 1)[-1] for w in words if w.split("=", 1)[-1].startswith(tuple(d + "/" for d in TEMP_DIRS))]
        if temp:
            return (f"{cmd} {args}: {temp[0]} is in a directory anyone may create names in: whoever makes it first "
                    "(a link to any file, their own archive) chooses what root reads or writes through this line; "
                    "keep the command's files where root alone may change them")
        if wild and any("/" in a and re.search(r"[*?\[]", a) for a in args.split()):
            return (f"{cmd} {args}: sudo's wildcards in arguments match '/', '..' and spaces: whoever the line names "
                    "passes any path (../../../etc/shadow) and any further option, as root; list the exact "
                    "arguments, or give them a root-owned script")
    return None


ROOT_GROUPS = {  # a member of these is root, or reads what makes it root (Debian's groups)
    "root": "root's group (root's group-writable files)", "shadow": "reads every password hash",
    "disk": "reads and writes the raw disks (every file)", "kmem": "reads kernel memory",
    "docker": "runs containers as root with the host mounted", "lxd": "runs containers as root with the host mounted",
    "sudo": "Debian's %sudo rule: root with its password", "wheel": "root through su or sudo",
    "admin": "Ubuntu's old %admin rule: root"}


OTHER_GROUP = ("bootstrap did not put it there and a stock server has no such membership: every process of it "
               "(any code it runs or loads) reads and writes what that group may (a secret file, a device, a "
               "script root runs)")


def _reaching_groups(facts, exp) -> dict[str, str]:
    """group -> why it reaches root or the app: root-equivalent groups, every group a sudoers rule names (%g),
    the app's group and the deploy login's (the app's code and data)."""
    reach = dict(ROOT_GROUPS)
    for rule in (facts.get("inventory") or {}).get("sudoers") or []:
        first = rule["text"].split(" ")[0]
        if first.startswith("%") and first != "%" and not first.startswith("%:"):
            reach.setdefault(first[1:], f"sudo rule {rule['file']}:{rule['line']} is for %{first[1:]}")
    for name in (facts.get("inventory") or {}).get("gid0") or []:
        reach[name] = "gid 0, root's group under another name (root's group-writable files)"
    reach[_group_of(facts, "app")] = "the app's group: it reads the app's config (its secrets) and shared data"
    reach[_group_of(facts, "deploy")] = "the deploy login's group: the releases' files"
    return reach


def cw_groups(facts, exp):
    """The deploy user is in its own group and the app's; the app user and Apache's in their own only (a hole in any
    module acts with Apache's workers' groups). Deny by default: any membership beyond those is a finding unless
    allowed (``allow_groups``), whatever the group is called: a group's reach is what it owns (ssl-cert reads the
    TLS private keys, adm every log, a group that may write a file root runs is root), which no list of names
    keeps up with; the line says the reach when it is known (:func:`_reaching_groups`). A login that holds a root
    grant of its own (:func:`operator_grant`) is the operator's, and so are its groups (Debian's cloud login: adm,
    sudo, ...).
    A group that reaches root (:data:`ROOT_GROUPS`, a group a sudoers rule names, a gid-0 alias) fails whatever
    allow_groups says: the allowance accounts for the membership, not for root's power it hands the app's or
    Apache's code (as a unit's ``SupplementaryGroups=``: :func:`unit_groups`)."""
    users = facts.get("users") or {}
    app_group = _group_of(facts, "app")
    login = facts.get("login") or ""
    operator = login not in ("", exp.cfg.app_user) and any(
        r["text"].split(" ")[0] == login and operator_grant(r["text"])
        for r in (facts.get("inventory") or {}).get("sudoers") or [])
    reach = _reaching_groups(facts, exp)
    root = {g for g in reach if g not in (app_group, _group_of(facts, "deploy"))}  # reaches root: no allowance
    lines, said = [], set()  # one membership, one line: the app group's members list repeats the three users'
    apache = exp.stack.apache.run_user  # Apache's workers: a hole in any module acts with their groups
    known = getattr(getattr(facts, "raw", None), "users", None)
    users = dict(users, apache=known.facts(apache) if known else None)
    for who, name, want in (("deploy", exp.deploy_user, {_group_of(facts, "deploy"), app_group}),
                            ("app", exp.cfg.app_user, {app_group}),
                            ("apache", apache, {(users["apache"] or {}).get("group")})):
        u = users.get(who)
        if not u or (who == "deploy" and name == exp.cfg.app_user) or (name == login and operator):
            continue
        for g in u["groups"]:
            if g in want or f"{name}: {g}" in exp.allow.groups and g not in root:
                continue
            said.add((name, g))
            lines.append(f"{name} (the {who} user) is in group {g}: {reach.get(g, OTHER_GROUP)}. " + (
                f"(allowed in {exp.allow.where}: allow_groups accounts for the membership, not for the root it "
                f"reaches); remove it (a file it needs: give that file to a group of its own)"
                if f"{name}: {g}" in exp.allow.groups else _allow_hint(exp, "allow_groups", f"{name}: {g}")))
    members = (facts.get("inventory") or {}).get("app_group_members") or []
    for user in members:
        if user not in (exp.cfg.app_user, exp.deploy_user) and (user, app_group) not in said \
                and f"{user}: {app_group}" not in exp.allow.groups:
            said.add((user, app_group))
            lines.append(f"{user} is in the app's group {app_group}: it reads the app's config (its secrets) and "
                         f"shared data. " + _allow_hint(exp, "allow_groups", f"{user}: {app_group}"))
    lines += _root_group_members(facts, known, said, exp) + _group_passwords(getattr(facts, "raw", None), reach)
    lines += _default_groups(getattr(facts, "raw", None), reach, {app_group, _group_of(facts, "deploy")})
    _unaccounted("group membership", lines)


def _default_groups(snap, reach: dict, ours: set) -> list[str]:
    """Each group every login made later joins by default that is the app's or the deploy login's or reaches root
    (``reach``): adduser's ``EXTRA_GROUPS`` when ``ADD_EXTRA_GROUPS=1`` (/etc/adduser.conf), useradd's ``GROUPS=``
    (/etc/default/useradd): the next colleague an admin adds is a member, listed nowhere yet."""
    if not getattr(snap, "files", None):
        return []
    lines, ours_means = [], "the app's group: it reads the app's config (its secrets) and shared data"
    for path, key, split in (("/etc/adduser.conf", "EXTRA_GROUPS", None), ("/etc/default/useradd", "GROUPS", ",")):
        found = {m.group(1): (n, m.group(2).strip().strip("\"'")) for n, line in enumerate(
            (snap.text(path) or "").splitlines(), 1) for m in [re.match(r"\s*([A-Z_]+)\s*=(.*)$", line)] if m}
        if key not in found or path == "/etc/adduser.conf" and found.get("ADD_EXTRA_GROUPS", (0, "0"))[1] != "1":
            continue
        n, value = found[key]
        lines += [f"{path}:{n}: {key}={value}: every login made later (adduser, useradd) joins group {g}: "
                  f"{reach.get(g) or ours_means}; "
                  f"remove {g} from it" for g in (x.strip() for x in value.split(split)) if g in ours or g in reach]
    return lines


def _group_passwords(snap, reach: dict) -> list[str]:
    """Each group with a password (a hash in /etc/gshadow, root's reply says "set"; or in world-readable
    /etc/group, where anyone may also try to crack it): whoever knows it joins the group with ``newgrp``, so the
    group's members are not the ones listed. A stock server sets none; ``gpasswd -r`` removes one."""
    if not getattr(snap, "files", None):
        return []
    found = {r[0]: "/etc/gshadow" for r in snap.raw.get("gshadow") or [] if len(r) > 1 and r[1] == "set"}
    for line in (snap.text("/etc/group") or "").splitlines():
        f = line.split(":")
        if len(f) >= 4 and f[1] not in ("x", "", "*") and not f[1].startswith("!"):
            found[f[0]] = "/etc/group, which every local user reads"
    other = "it reads and writes what {} may (a log, a secret, a device, a script root runs)"
    return [f"group {g} has a password ({where}): whoever knows it joins the group with newgrp: "
            f"{reach.get(g) or other.format(g)}. remove it: gpasswd -r {g}" for g, where in sorted(found.items())]


def _root_group_members(facts, known, said: set, exp) -> list[str]:
    """Any account (a backup agent's, a CI runner's: not only the three above) in a group that reaches root or
    its secrets (:data:`ROOT_GROUPS`: shadow's hashes, disk's raw devices, docker's root containers ...), as a
    member or by its primary group, unless it is root or becomes root anyway (:func:`sockets.root_capable`: an
    admin), or allowed (``allow_groups``): whatever runs as it (its daemon, a plugin, a hole in either) has that
    reach."""
    from .sockets import root_capable

    if known is None:
        return []
    capable = root_capable(facts, facts.raw)
    lines = []
    for group, gid, members in known.every:
        if group not in ROOT_GROUPS:
            continue
        primary = [n for n, f in known.by_name.items() if f[3] == str(gid)]
        for name in sorted(set(members) | set(primary)):
            f = known.by_name.get(name)
            if not f or name == "root" or int(f[2]) in capable or (name, group) in said or \
                    f"{name}: {group}" in exp.allow.groups:
                continue
            said.add((name, group))
            lines.append(f"{name} is in group {group}: {ROOT_GROUPS[group]}, so does whatever runs as {name} (its "
                         "daemon, a plugin, a hole in either). " + _allow_hint(exp, "allow_groups", f"{name}: {group}"))
    return lines


def cw_app_login(facts, exp):
    inv = _inv(facts, "reading the app user's home")
    keys = inv.get("app_keys")
    assert keys is not None, "whether the app user has an authorized_keys file is not known: the tree reader " \
                             "did not say (test_host_answers names why)"
    assert not keys, f"{', '.join(keys)} exists: whoever holds a key listed there can log in as the app user " \
                     f"{exp.cfg.app_user} (its data, its config; the app user never logs in)"
    snap, www = getattr(facts, "raw", None), exp.stack.apache.run_user
    found = snap.users.facts(www) if getattr(snap, "files", None) else None
    assert not found or found["shell"] in exp.stack.nologin_shells, \
        f"Apache's user {www} has a login shell ({found['shell'] if found else ''}; Debian's is /usr/sbin/nologin): " \
        f"a key in {found['home'] if found else '~'}/.ssh or a password set for it logs in as Apache's user (its " \
        f"workers, the app's daemons' sockets, every file Apache may read or write; the gate cannot read that home's " \
        f"keys): set its shell back to /usr/sbin/nologin"


def cw_tree_special(facts, exp):
    tree = facts.get("tree_inventory")
    if not tree:
        raise NotApplicable(f"the app's tree could not be walked: {(facts.get('errors') or {}).get('tree_inventory')}")
    lines = [f"{s['path']}: {' and '.join(s['what'])} ({s['mode']} {s['owner']}): "
             + ("anyone on the server can change it (code the app runs, data it trusts)" if "world-writable" in
                s["what"] else "it runs with its owner's or group's rights or its capabilities whoever starts it")
             for s in tree["special"]]
    lines += home_strangers(facts, exp)
    _unaccounted("setuid, setgid, capability-holding or world-writable entr[y|ies] in the app's tree, or "
                 "stranger[s] in its root" + (" (the walk stopped after 200000 entries)" if tree.get("truncated")
                                              else ""), lines)


DEPLOY_MADE = {"releases", "current", "shared", "application.wsgi", ".deploy.lock", ".configs", ".uploads"}


def home_strangers(facts, exp) -> list[str]:
    """A line for each entry of the app's root that no deploy makes (:data:`DEPLOY_MADE`; a dead deploy's
    ``.current.<pid>`` and ``.application.wsgi.tmp`` aside). The root is the app user's home: the programs it runs
    read code from there, outside every release, and a deploy never removes it: Python's user site
    (``~/.local/lib/pythonX.Y/site-packages``: its ``.pth`` files and ``usercustomize`` run in every system python3
    the app user starts: an allowed worker, a cron job), ``~/.config`` (systemd --user), ``~/.forward`` (mail
    delivery runs its commands)... The deploy login writes there: a ``.pth`` it left outlived every clean deploy."""
    names = (facts.get("tree") or {}).get("home")
    if names is None:
        return []
    home = ((facts.get("users") or {}).get("app") or {}).get("home")
    whose = f"the app user's home ({exp.cfg.app_user}'s HOME): the programs it runs read code from there (Python's " \
        f"user site ~/.local and usercustomize, systemd --user's ~/.config, .forward), outside every release" \
        if home and home.rstrip("/") == exp.cfg.root.rstrip("/") else "the app's root"
    return [f"{exp.cfg.root}/{name}: not made by a deploy, in {whose}; a deploy never removes it: remove it (a "
            f"deploy makes only {', '.join(sorted(DEPLOY_MADE))} there)" for name in names
            if name not in DEPLOY_MADE and not re.fullmatch(r"\.current\.\d+|\.application\.wsgi\.tmp", name)]


LOADER_MEANING = "changes what Python or the dynamic linker loads into the daemons before the app's code"


def cw_loader(facts, exp):
    """What loads code into the daemons is the release and nothing else: the daemons are Apache's binary with
    no loader env vars, no /etc/ld.so.preload, the python-home exactly an empty venv of the system Python,
    no sitecustomize/usercustomize/.pth on the stdlib path but the distribution's own, and nothing in the stdlib
    dirs (or a ``pythonXY.zip``) that no package ships (:func:`_stdlib_strangers`)."""
    inv = _inv(facts, "reading the daemons' /proc entries")
    ld = inv["loader"]
    binary, stale = apache_bin(exp), {d["pid"] for d in stale_daemons(facts, exp)}
    lines = []
    upgraded: dict[str, list[int]] = {}  # a file replaced on disk since a daemon mapped it -> the pids
    env: dict[str, list[int]] = {}  # a loader variable -> the pids that have it (one cause, one line)
    for d in ld["daemons"]:
        if d.get("exe") == binary + " (deleted)":
            upgraded.setdefault(binary, []).append(d["pid"])
        elif d.get("exe") and d["exe"] != binary and d["pid"] not in stale:  # (a stale one: its own line)
            lines.append(f"pid {d['pid']} runs {d['exe']}, not {binary}")
        for path in d.get("deleted") or []:
            upgraded.setdefault(path, []).append(d["pid"])
        for kv in d.get("env") or []:
            env.setdefault(kv, []).append(d["pid"])
    lines += [f"{count(len(pids), 'pid')} {', '.join(map(str, pids[:6]))} (Apache, its daemons inherit it) "
              f"{'has' if len(pids) == 1 else 'have'} {kv}: it {LOADER_MEANING}" for kv, pids in env.items()]
    if ld.get("preload"):
        lines.append("/etc/ld.so.preload exists: every program, Apache and the daemons too, loads what it names")
    if ld.get("home_entries"):
        lines.append(f"{ld['home_site']} (the daemons' python-home) holds {ld['home_entries'][:5]}: imported or "
                     f"run (.pth) at every daemon start; bootstrap leaves it empty")
    text = (ld.get("pyvenv_cfg") or "").replace("\\n", "\n")  # (seen escaped once after the merge: see report)
    cfg = dict(ln.split("=", 1) for ln in text.splitlines() if "=" in ln)
    lines += [f"{RUNTIME}/pyvenv.cfg: {p}" for p in pyvenv_problems({k.strip(): v.strip() for k, v in cfg.items()},
                                                                    "the daemons'")]
    for h in ld.get("hooks", []):
        if not h.get("package"):
            lines.append(f"{h['path']}" + (f" -> {h['real']}" if h["real"] != h["path"] else "") +
                         f": a site hook of the system Python that no package ships unchanged: every python"
                         f"{exp.stack.python_version} on the host runs it at start-up, root's and the app's daemons' "
                         f"alike (what it imports or adds to sys.path is code they run)")
    snap = getattr(facts, "raw", None)
    lines += _stdlib_strangers(snap, exp.stack.python_version)
    gone = {f: upgraded.pop(f) for f in list(upgraded) if snap is not None and getattr(snap, "dirs", None) and
            posixpath.basename(f) not in (snap.listdir(posixpath.dirname(f)) or [posixpath.basename(f)])}
    if gone:  # removed, not replaced (M4: dpkg -r of mod_wsgi is no upgrade)
        lines.append(f"{', '.join(sorted(gone)[:4])} removed from disk since Apache started (pids "
                     f"{sorted({p for v in gone.values() for p in v})[:6]} still run it from memory): its package "
                     "was removed (test_packages_installed names it); a restart loads without it and fails if the "
                     "configuration needs it")
    if upgraded:
        service, pids = exp.stack.apache.service, sorted({p for v in upgraded.values() for p in v})
        first = sorted(upgraded, key=lambda f: (f != binary, "/libpython" not in f, f))  # what matters first
        lines.append(f"restart {service}: {', '.join(first[:4])}"
                     f"{f' and {len(upgraded) - 4} more' if len(upgraded) > 4 else ''} upgraded since it started "
                     f"(replaced on disk by a package upgrade; pids {pids[:6]}"
                     f" still run the old code, which the gate cannot read): restart Apache (systemctl restart "
                     f"{service}; a graceful reload keeps the parent's old code), then run the gate again")
    _unaccounted("thing[s] that load[s|] code into the app", lines)


def _stdlib_strangers(snap, py: str) -> list[str]:
    """What sits in the stack's Python standard library that no package ships: the daemons' sys.path is
    ``pythonXY.zip``, the stdlib dir and its ``lib-dynload`` before the release's venv, so a module there (a
    'hotfixed' MarkupSafe copied in for every app, a ``.so`` in lib-dynload) shadows the release's own, in every
    kept release too: no deploy and no rollback changes it. Each top entry of those dirs is dpkg's (its
    ``__pycache__`` aside), and the zip, which Debian does not ship, is not there. Nothing when the snapshot holds
    no listing (an older probe)."""
    from .parse import dpkg_files

    if not getattr(snap, "files", None) or snap.listdir(f"/usr/lib/python{py}") is None:
        return []
    shipped, lines = dpkg_files(snap), []
    for top in (f"/usr/lib/python{py}", f"/usr/lib/python{py}/lib-dynload"):
        extra = [f"{top}/{n}" for n in snap.listdir(top) or [] if n != "__pycache__" and f"{top}/{n}" not in shipped]
        if extra:
            lines.append(f"{', '.join(extra[:4])}{f' and {len(extra) - 4} more' if len(extra) > 4 else ''}: in the "
                         f"stack's Python standard library ({top}), which no package ships: the daemons import from "
                         f"there before the release's venv, so it shadows a module of that name in every release "
                         f"(no deploy or rollback changes it): {LOADER_MEANING}")
    zipped = f"/usr/lib/python{py.replace('.', '')}.zip"
    if snap.st(zipped):
        lines.append(f"{zipped} exists: first on the sys.path of every python{py}, the daemons' too, before the "
                     f"standard library; no package ships it: what it holds shadows any module ({LOADER_MEANING})")
    return lines


def cw_load_path(facts, exp):
    """Who may write what loads code into the daemons or runs as root: root alone (see :func:`parse.load_path`);
    and nothing in /usr/local/{sbin,bin} takes a packaged command's name on root's PATH (allowed: allow_commands).
    One line per area (python-home, stdlib, the linker's files and dirs, Apache, the command dirs), naming the
    first entries someone else may change and how many there are."""
    inv = _inv(facts, "lstat of the code-loading path")
    # a privileged file is cw_setuid's to judge, by its exact bits and owner (at's stock 6755 daemon:daemon passes
    # there; one root cause, one failure): its owner is no second finding here
    privileged = {f"{f['path']} {f['state'].split(' cap_')[0]}" for f in inv.get("privileged") or []}
    by_area: dict[str, list[str]] = {}
    for item in inv.get("load_path") or []:
        if item["path"] not in privileged:
            by_area.setdefault(f"{item['area']} ({item['top']})", []).append(item["path"])
    lines = [f"{area}: {len(paths)} entr{'y' if len(paths) == 1 else 'ies'} someone but root may change: "
             f"{', '.join(paths[:3])}{' ...' if len(paths) > 3 else ''}: " +
             ("whoever that is makes Apache's root parent write any file at its next (re)open of the logs (a link "
              "in its place)" if "logs" in area else "whoever that is gets code into Apache's root parent, the "
              "app's daemons or root's commands at their next start") for area, paths in by_area.items()]
    lines += [f"{x['path']} comes before {x['shadows']} on root's PATH (and sudo's secure_path): root typing "
              f"{x['shadows'].rsplit('/', 1)[1]} runs it, not the packaged command. " +
              _allow_hint(exp, "allow_commands", x["path"]) for x in inv.get("shadowing") or []
              if x["path"] not in exp.allow.commands]
    lines += [f"{x['path']} comes before {x['shadows']} in perl's @INC: every perl root runs (a2enmod, a2ensite, "
              f"debconf, deb-systemd-helper, update-rc.d) that uses that module loads it, not the packaged one. " +
              _allow_hint(exp, "allow_commands", x["path"]) for x in inv.get("perl_shadowing") or []
              if x["path"] not in exp.allow.commands]
    lines += [f"{x['path']}: {', '.join(x['modules'])}{' and ' + ', '.join(x['pth']) if x.get('pth') else ''} no "
              f"package ships, before "
              f"{', '.join(x['shadows'])} ({', '.join(x['packages'])}) on the sys.path of every python3 root runs "
              f"(apt's hooks, unattended-upgrades, certbot, debconf's, an admin's script): they import it, not the "
              f"packaged module, and no security update of the package reaches them. " + (
                  _allow_hint(exp, "allow_commands", x["path"]) if x["path"].startswith("/usr/") else
                  "Root's own user site: no pin of it holds (the gate's login may not read it); install it for root's "
                  "tools from a package, or remove it (python3 -m pip uninstall as root)")
              for x in inv.get("py_shadowing") or [] if x["path"] not in exp.allow.commands]
    lines += [f"{ln}: a line of the dynamic linker's configuration the gate does not follow (only directories and "
              "Debian's include of /etc/ld.so.conf.d/*.conf are checked)" for ln in inv.get("ld_other") or []]
    sudo = {c for r in (facts.get("inventory") or {}).get("sudoers") or [] for c in sudo_commands(r["text"])}
    lines += _command_links(getattr(facts, "raw", None), exp, sudo)
    lines += _library_loads(facts, exp)
    lines += _linker_cache(getattr(facts, "raw", None))
    lines += _root_python_paths(getattr(facts, "raw", None), exp.stack.python_version, exp, {
        p for x in inv.get("py_shadowing") or [] for p in x.get("pth") or ()})  # (an install's .pth: its line)
    said = [item["path"].split(" ")[0] for item in inv.get("load_path") or []]
    lines += _system_dirs(facts, inv.get("system_dirs") or [], said, exp)
    _unaccounted("place[s] on the code-loading path writable by someone but root", lines)


def _no_ones(users, mode: int, uid: int, gid: int) -> bool:
    """Whether a file or dir of this owner and mode is root's alone: root's, not writable by others, its group (when
    it may write) one no account is in (``Users.nobody_in``: a member, or an account whose primary group it is,
    writes there). The one definition of both rules that pass such a place (the configuration naming it, the
    system's directories)."""
    return uid == 0 and not mode & 0o002 and (not mode & 0o020 or users.nobody_in(gid))


def _system_dirs(facts, found: list, said: list[str], exp=None) -> list[str]:
    """Each directory or regular file of the system's trees (``/usr``, ``/etc``, ``/boot``: the login collector's
    walk) someone but root may change (a world-writable ``/etc/needrestart/conf.d`` file, Perl apt's hook runs),
    whatever else is allowed: which of root's programs loads code from or reads configuration in what lies there (perl's
    @INC under ``/usr/local/share/perl``, a tool's plugin or hook dir) is not for a list to know. Not counted:
    what another line says already (the load path's areas, the hook dirs' rule), an admin's own (a login that
    becomes root), a root's one only a group no account is in may write (an old Debian's ``root:staff``
    ``/usr/local``). A system account's own (a service's: puppet's ``/etc/puppet/devices``, which its root agent
    makes its account's at every run; clamav's ``freshclam.conf``, which its postinst hands it) may be allowed
    in writing, its owner trusted with root's configuration there: ``allow_privileged = ["PATH MODE
    owner:group"]`` (a directory ``PATH/``, which its owner fills: no pin; a file pinned to its content); never
    one the deploy login, the app user or Apache's user may change."""
    from .sockets import root_capable

    snap = getattr(facts, "raw", None)
    users = getattr(snap, "users", None)
    if not found or users is None:
        return []
    from . import collect_login as C

    admins = root_capable(facts, snap)
    # a hook dir, and a file in it or a file a rule reads (crontab, sshd_config, envvars, sudoers.d ...), is that
    # rule's: it names the file it could not read as root's; but no rule names a unit, a drop-in or systemd's or the
    # SSH client's configuration it could not read (a 0666 timer's service): this one does
    unread = tuple(d + "/" for d in C.UNITS + C.SYSTEMD_CONF) + ("/etc/ssh/ssh_config",)  # (and its .d)
    # nor the account database every rule reads its users from (/etc/passwd 0666: no user known, a dozen checks
    # failing for want of them, and none naming why): this one names it
    from .parse import ACCOUNTS

    unread += ACCOUNTS
    files = getattr(snap, "files", None) or {}
    lines = []
    for path, mode, uid, gid in found:
        theirs = stat.S_ISREG(mode) and (files.get(path) or {}).get("why") or any(
            path.startswith(s + "/") for s in hook_dirs())
        if any(path == s or path.startswith(s + "/") or s.startswith(path + "/") for s in said) or \
                any(path == s or s.startswith(path + "/") for s in hook_dirs()) or \
                theirs and not (stat.S_ISREG(mode) and path.startswith(unread)) or \
                uid in admins and not mode & 0o022 or _no_ones(users, mode, uid, gid):
            continue
        entry = (f"{path}{'' if stat.S_ISREG(mode) else '/'} {mode & 0o7777:04o} {users.name(uid)}:"
                 f"{users.group(gid)}")
        offer = _service_own(exp, users, entry, mode, uid, gid)  # (only a service's place may be allowed)
        if offer and entry in exp.allow.privileged:
            continue
        what = (f"{path} ({mode & 0o7777:04o} {users.name(uid)}:{users.group(gid)}): a "
                f"{'file' if stat.S_ISREG(mode) else 'directory'} of the system's trees someone but root may change: ")
        lines.append(what + ("root's programs read it as configuration or load it as code (needrestart's conf.d is "
                             "Perl, a daemon's config names what it runs as root): whoever that is gets code run as "
                             "root; make it root's alone (chown root:root, chmod go-w)" if stat.S_ISREG(mode) else
                             "root's programs load code from or read configuration in what lies there (perl's @INC, "
                             "a tool's plugin or hook dir, a library dir): whoever that is gets code run as root; make "
                             "it root's alone (chown -R root:root, chmod -R go-w)") + offer)
    return lines


def _service_own(exp, users, entry: str, mode: int, uid: int, gid: int) -> str:
    """The end of a system-tree line (:func:`_system_dirs`) for a place only system accounts may change (its owner,
    a group it writes through: uids and gids 1 to 999, every member of that group one too) none of which is the
    deploy login, the app user or Apache's user: the allowance that trusts them with it (the place's mode and
    owner pinned; a file's content too: :func:`.pins.hint`); else ""."""
    if exp is None:
        return ""
    less = {exp.cfg.app_user, exp.deploy_user, exp.stack.apache.run_user}
    names = {users.name(uid)} if uid else set()
    if mode & 0o020:  # (a group's members, and each account whose primary group it is)
        names |= {m for _, n, ms in users.every if n == gid for m in ms} | {
            name for name, f in users.by_name.items() if f[3] == str(gid)}
    ids = [(users.facts(n) or {}).get("uid") for n in names]
    if mode & 0o002 or not names or names & less or not all(isinstance(i, int) and 0 < i < 1000 for i in ids):
        return ""
    return (f"; or, if {', '.join(sorted(names))} (a service's account) is meant to change it, "
            + _allow_hint(exp, "allow_privileged", entry).removeprefix("if it is meant to be there, "))


def _root_python_paths(snap, py: str, exp=None, installed=frozenset()) -> list[str]:
    """Each directory a ``.pth`` of the system Python's site dirs (``/usr/local/lib/python3.X/dist-packages``,
    ``/usr/lib/python3/dist-packages``) or of root's own user site (``/root/.local/lib/python3.X/site-packages``,
    which only the root collector reads) puts on the sys.path of every python3 root runs (unattended-upgrades,
    apt's hooks, an admin's script: before /usr/lib/python3/dist-packages, so its modules shadow apt's), when
    someone but root may change it (the root collector's ``lstat`` of what root's user site names included:
    ``rootacts.view``); such a ``.pth`` the gate could not read as root's alone; and an ``import`` line of one no
    package ships as dpkg unpacked it (a root ``pip install``'s): site.py runs that line in every python3 root runs,
    the gate's own root collector too -- code no package and no allowance accounts for (allow_commands, pinned)."""
    from .rootacts import packaged, view

    lines: list[str] = []
    raw, snap = snap, view(snap)
    for top in (f"/usr/local/lib/python{py}/dist-packages", "/usr/lib/python3/dist-packages",
                f"/root/.local/lib/python{py}/site-packages") if getattr(raw, "files", None) else ():
        for name in [n for n in snap.listdir(top) or [] if n.endswith(".pth")]:
            path = f"{top}/{name}"
            text = snap.text(path)
            if text is None:
                why = (snap.files.get(path) or {}).get("why")
                lines.append(f"{path}: a .pth of the system Python the gate could not read as root's alone ({why}): "
                             f"every python3 root runs processes it")
                continue
            ours = packaged(snap, path) or exp is not None and path in exp.allow.commands or path in installed
            for n, line in enumerate(text.splitlines(), 1):
                word = line.strip()
                if line.startswith(("import ", "import\t")) and not ours:  # (site.py's own test: exec'd)
                    lines.append(f"{path}:{n}: {word[:120]!r}: no package ships this .pth: every python3 root runs "
                                 f"(unattended-upgrades, apt's hooks, an admin's script) runs this line at its start. "
                                 + (_allow_hint(exp, "allow_commands", path) if exp is not None else ""))
                    break
                loose = snap.writable_by_others(posixpath.normpath(word)) if word.startswith("/") else None
                if loose and not loose.endswith("(not looked at)"):
                    lines.append(f"{path}:{n}: {word}: every python3 root runs (unattended-upgrades, apt's hooks, an "
                                 f"admin's script) imports from there before /usr/lib/python3/dist-packages, and "
                                 f"{loose} may be changed by someone but root: whoever that is runs code as root")
    return lines


def _command_links(snap, exp, sudo=frozenset()) -> list[str]:
    """Each link in root's command dirs -- /usr/local/{bin,sbin} (before the packaged commands) and the packaged
    ones (an alternative: /usr/bin/pager -> /etc/alternatives/pager -> ...) -- that reaches a file someone but root
    may change, or whose directories they may: judged as resolved, whatever allow_commands says (an allowance
    accounts for the name taking a packaged command's place, never for what it runs). A packaged dir's link whose
    end the probe did not see is no claim (an older probe follows /usr/local's only)."""
    from .rootacts import packaged

    if not getattr(snap, "files", None):
        return []
    lines = []
    for top in ("/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"):
        for name in snap.listdir(top) or []:
            path = f"{top}/{name}"
            if "link" not in (snap.files.get(path) or {}):
                continue
            loose, real = snap.writable_by_others(path), snap.realpath(path)
            if loose and "/local/" not in top and loose.endswith("(not looked at)"):
                continue
            if loose and loose.startswith(real + " ") and packaged(snap, real):  # a package's unchanged file: its
                continue  # owner is the package's choice, the stock baseline (at's /usr/bin/atq -> at, 6755 daemon)
            if loose:
                allowed = f" (allowed in {exp.allow.where}: allow_commands accounts for its name, not for what " \
                          f"it runs)" if path in exp.allow.commands else ""
                lines.append(f"{path} -> {snap.realpath(path)}: {loose} may be changed by someone but root: root "
                             f"(cron, sudo's secure_path, an admin) and the deploy login run it as {name}, so whoever "
                             f"that is runs code as root{allowed}; make the file it reaches and its directories "
                             f"root's alone, or remove the link")
    return lines + _command_scripts(snap, exp, sudo)


def _script_reach(seen, path: str, root: str) -> str | None:
    """What the root script ``path`` runs or sources (through root's scripts, :func:`rootacts.path_problem`) that
    the app's tree holds or someone but root may change, as ``runs X`` / ``sources X ...``; None, also when it only
    names such a path (a backup script reading shared/ is the copy rules')."""
    from .rootacts import path_problem

    why = path_problem(seen, "runs", path, root)
    inner = why.split(", which ", 1)[1] if why and why.startswith(f"runs {path}, which ") else ""
    return inner if inner.startswith(("runs ", "sources ", "works in ", "sets ", "writes ")) and \
        ", which names " not in inner \
        else None


def _command_scripts(snap, exp, sudo=frozenset()) -> list[str]:
    """Each root's script in /usr/local/{bin,sbin} (read by the login collector: a wrapper such as ``exec
    /opt/openssl-3.3/bin/openssl "$@"``) that runs or sources what someone but root may change, or the app's tree:
    a link's sibling, judged as resolved the same way (:func:`rootacts.path_problem`, one level of root's scripts
    further), whatever allow_commands says; one a sudoers rule runs (``sudo``) is that rule's line (one cause), and
    what such a script writes is judged where root runs it (a job, a hook, a sudo rule: one cause, one line)."""
    from .rootacts import WRITE_MEANS, view

    seen, lines = view(snap), []
    for top in ("/usr/local/bin", "/usr/local/sbin"):
        for name in snap.listdir(top) or []:
            path = f"{top}/{name}"
            st = seen.st(path)
            text = seen.text(path) if st and stat.S_ISREG(st[0]) and st[1] == 0 else None
            why = _script_reach(seen, path, exp.cfg.root) if text and text.startswith("#!") and \
                path not in sudo else None
            if why and WRITE_MEANS not in why:
                allowed = f" (allowed in {exp.allow.where}: allow_commands accounts for its name, not for what " \
                          f"it runs)" if path in exp.allow.commands else ""
                lines.append(f"{path}: root (cron, sudo's secure_path, an admin) and the deploy login run it as "
                             f"{name}, and it {why}: whoever may change that runs code as root{allowed}; make what "
                             f"it runs root's alone")
    return lines


CACHE = b"glibc-ld.so.cache1.1"  # glibc's cache format (ldconfig's since 2.32: Debian 12's and 13's)


def cache_paths(data: bytes) -> list[str] | None:
    """The file each entry of glibc's linker cache loads (its header, then 24-byte entries: flags, the name's and
    the file's offsets into the cache, ...), or None when ``data`` is not that format, or an entry points past it."""
    import struct

    start = data.find(CACHE)
    if start < 0 or len(data) < start + 48:
        return None
    count, out = struct.unpack_from("<I", data, start + 20)[0], []
    for i in range(count if start + 48 + 24 * count <= len(data) else -1):
        at = start + struct.unpack_from("<I", data, start + 48 + 24 * i + 8)[0]
        end = data.find(b"\0", at)
        if not start < at < end:
            return None
        out.append(data[at:end].decode("utf-8", "surrogateescape"))
    return out if count >= 0 and len(out) == count else None


def _linker_cache(snap) -> list[str]:
    """The dynamic linker's cache (``/etc/ld.so.cache``: which file each library name loads, for every program
    that starts) maps names only to files in the directories its configuration names (``/etc/ld.so.conf`` and
    its includes, and the subdirectories the linker searches there): ``ldconfig DIR`` (a vendor's installer) puts
    DIR's libraries first for every program, root's too, until the next ``ldconfig`` drops them, and no rule on
    ``ld.so.conf`` sees it. Each entry is read as the linker reads it (:func:`cache_paths`), whatever its path's
    characters (a directory with a blank was passed over by a pattern of paths): a cache not read, or not of a
    format read here, is a line too. One line: the first such file and how many."""
    from ..untrusted import line
    from .collect_login import LINKER_SUBDIRS

    st, data = (snap.st("/etc/ld.so.cache"), snap.data("/etc/ld.so.cache")) if getattr(snap, "files", None) else (
        None, None)
    if st is None:
        return []
    found = cache_paths(data) if data is not None else None
    if found is None:
        why = "not read: " + str((snap.files.get("/etc/ld.so.cache") or {}).get("why")) if data is None else \
            "not a cache of glibc's format (glibc-ld.so.cache1.1)"
        return [f"/etc/ld.so.cache: {why}: which file each library name loads, for every program root starts too, "
                f"is not known; run ldconfig (it rebuilds the cache from /etc/ld.so.conf)"]
    confs = ["/etc/ld.so.conf"] + [f"/etc/ld.so.conf.d/{n}" for n in snap.listdir("/etc/ld.so.conf.d") or []]
    dirs = {ln.split("#")[0].strip().rstrip("/") for c in confs for ln in (snap.text(c) or "").splitlines()}
    dirs |= {"/lib", "/usr/lib"}  # (the linker's own trusted dirs; Debian's multiarch ones are in ld.so.conf.d)

    def configured(path: str) -> bool:
        parts = posixpath.dirname(path).split("/")
        return any("/".join(parts[:i]) in dirs and all(p in LINKER_SUBDIRS or p.startswith("x86-64-v")
                                                       for p in parts[i:]) for i in range(2, len(parts) + 1))
    stray = sorted({p for p in found if not configured(p)})
    return [f"/etc/ld.so.cache maps libraries to {line(stray[0], 300)}"
            f"{f' and {len(stray) - 1} more' if len(stray) > 1 else ''}, in no directory /etc/ld.so.conf names "
            f"(someone ran ldconfig {line(shlex.quote(posixpath.dirname(stray[0])), 300)}): every program that starts, "
            f"root's, Apache's and the daemons' too, loads it from there instead of the system's; run ldconfig (it "
            f"rebuilds the cache from ld.so.conf), or name that directory in /etc/ld.so.conf.d when it is meant to "
            f"be there"] if stray else []


def _library_loads(facts, exp) -> list[str]:
    """What a library's configuration makes it load (:func:`deploytests.verify.grants.library_loads`) that the
    app's tree holds or someone but root may change: judged as what root runs (rootacts.path_problem)."""
    from .grants import library_loads
    from .rootacts import path_problem, view

    snap = view(getattr(facts, "raw", None))
    if not getattr(snap, "files", None):
        return []
    lines = []
    for where, path, who in library_loads(snap):
        why = path_problem(snap, "loads", path, exp.cfg.root, depth=0)
        if why:
            lines.append(f"{where}: it {why}: {who}: whoever may change it runs code there; make it root's (chown "
                         f"root, not writable by group or others) or remove the line")
    return lines


# capabilities that are root's power over files and users (capabilities(7)): held by a program anyone may run,
# they are every local user's
ROOT_CAPS = frozenset({"cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_chown", "cap_setuid",
                       "cap_setgid", "cap_setfcap", "cap_sys_admin", "cap_sys_ptrace", "cap_sys_module",
                       "cap_sys_rawio", "cap_mknod", "cap_linux_immutable"})


def _broad_capabilities(state: str) -> list[str]:
    """The root-power capabilities (:data:`ROOT_CAPS`) a ``MODE owner:group caps`` state grants whoever may run
    the file (others may execute it: mode ``o+x``); [] otherwise. Caps are libcap's text: ``cap_a,cap_b=ep``."""
    words = state.split()
    if len(words) < 3 or not int(words[0], 8) & 0o001:
        return []
    caps = []
    for clause in words[2:]:
        names, _, flags = clause.partition("=")
        if "e" in flags or "p" in flags or not flags:
            caps += [c for c in names.split(",") if c in ROOT_CAPS]
    return caps


# capabilities that reach what is not the caller's: every user's traffic, files, processes or root itself
WIDE_CAPS = {"cap_net_raw": "captures every packet on the host (the session cookies and form passwords of every "
                            "request)",
             "cap_net_admin": "reconfigures the network and the firewall, captures traffic",
             "cap_dac_override": "reads and writes every file", "cap_dac_read_search": "reads every file",
             "cap_fowner": "changes the mode of every file", "cap_chown": "takes the ownership of every file",
             "cap_setuid": "becomes any user, root too", "cap_setgid": "joins any group", "cap_setfcap": "gives "
             "any file any capability", "cap_sys_admin": "is root in all but name", "cap_sys_ptrace": "reads and "
             "changes every process's memory", "cap_sys_module": "loads kernel code", "cap_sys_rawio": "reads and "
             "writes the raw disks and memory", "cap_bpf": "reads kernel and process memory"}


def _wide(caps: str) -> list[str]:
    """The :data:`WIDE_CAPS` a capability text names (``cap_net_raw=eip``, ``CAP_DAC_OVERRIDE CAP_CHOWN``)."""
    named = {c.lower() for c in re.findall(r"(?i)cap_[a-z_]+", caps)}
    every = re.search(r"(?i)(^|[\s,])(all|=ep|=eip)\b", caps) and not named
    return sorted(WIDE_CAPS) if every else sorted(c for c in named if c in WIDE_CAPS)


def _caps_for_everyone(path: str, state: str) -> list[str]:
    """An allowed file that every user may run whose capabilities capture or reconfigure everyone's traffic
    (``cap_net_raw``, ``cap_net_admin``: root's power over files and users is :func:`_broad_capabilities`'): the
    allowance accounts for the file (the admin's ``setcap`` on tcpdump), not for every user getting them."""
    words = state.split()
    mode, caps = int(words[0], 8), " ".join(words[2:])
    wide = [c for c in _wide(caps) if c in ("cap_net_raw", "cap_net_admin")] if mode & 0o001 and caps else []
    return [f"{path} ({state}): every local user may run it (mode {words[0]}: others execute), the app's code and "
            f"Apache's workers too, with {', '.join(wide)}: {'; '.join(WIDE_CAPS[c] for c in wide)}. An allowance "
            f"accounts for the file, not for that: let only a group run it (chmod 0750, chgrp a group of the people "
            f"who need it), whatever is allowed"] if wide else []


def cw_setuid(facts, exp):
    """Every setuid/setgid file and every file with capabilities on the host's local file systems (the login
    collector's walk of every mount that honours those bits: ``/var/tmp``, ``/opt``, a home as much as root's
    PATH; the app's tree is :func:`cw_tree_special`'s) is accounted for by its exact bits (``MODE owner:group[ caps]``):
    the stack's stock one of the package dpkg says ships it (``Stack.baseline_privileged``), dpkg's own stat
    override for it (``dpkg-statoverride --list``: how a package's maintainer script or an admin records a
    mode), the bits the package's own install gave it (its inode unchanged since: ``ctime`` no later than the
    package's list's plus the time its last install took in dpkg's log, when its postinst set them; a package
    the stack's baseline does not know, installed by the admin), or allowed
    (``allow_privileged``). dpkg keeps no record of a file's mode: that it lists a file says nothing of the
    file's bits (``chmod u+s`` on a packaged python keeps it listed, and dates the change). A directory others may
    go through that the gate's login could not list (another login's 0700 home, ``root:adm`` logs) is said in the
    drift section (``facts.notes``): what lies there is not known; a bound of the walk hit is the probe's failure."""
    inv = _inv(facts, "the privilege bits of the host's files")
    users = getattr(getattr(facts, "raw", None), "users", None)
    named = lambda uid, gid: f"{users.name(uid) if users else uid}:{users.group(gid) if users else gid}"  # noqa: E731
    # root's by its bits, yet the walk found it opened to others: only an ACL's named entry does that (the login
    # collector's root_only), and Debian's packages set none: deny by default, what lies below is not known
    by_acl = [(path, mode, uid, gid) for path, mode, uid, gid in inv.get("unwalked") or []
              if uid == 0 and not mode & 0o001 and (not mode & 0o010 or gid == 0)]
    shut = [f"{path} ({mode & 0o7777:04o} {named(uid, gid)})" for path, mode, uid, gid in inv.get("unwalked") or []
            if (path, mode, uid, gid) not in by_acl]
    if shut:
        facts.notes.append(f"setuid, setgid and capability files in {count(len(shut), 'dir')} that the gate's "
                           f"login may not list and a user other than root may go through (their owner, their group): "
                           f"{', '.join(shut[:4])}{' ...' if len(shut) > 4 else ''}")
    stock = {}
    for line in exp.stack.baseline_privileged:
        path, _, state = line.partition(" ")
        stock.setdefault(path, set()).add(state)
    lines = [f"{path} ({mode & 0o7777:04o} {named(uid, gid)}): its mode lets only root through, but an entry of "
             f"its ACL lets a named user or group search it, and the gate's login may not list it: a setuid-root or "
             f"capability file below it runs with root's rights for them, unjudged (getfacl {path}); remove the "
             f"entry (setfacl -b) or give the gate's login the same entry" for path, mode, uid, gid in by_acl]
    for f in inv.get("privileged") or []:
        path, state, pkg = f["path"], f["state"], f.get("package")
        broad = _broad_capabilities(state) if state not in stock.get(path, ()) else []
        if broad:  # what it grants, whatever accounts for its presence
            allowed = f"{path} {state}" in exp.allow.privileged
            lines.append(f"{path} ({state}): every local user may run it (the app user, www-data, nobody) and "
                         f"gets {', '.join(broad)}: root's power over every file (read /etc/shadow, the app's "
                         f"config, the host keys; write what root runs); give it 0750 and a group of those who "
                         f"need it, or drop the capability" + (f" (allowed in {exp.allow.where}: allow_privileged "
                                                               f"accounts for its bits, not for what they grant)"
                                                               if allowed else ""))
            continue
        if pkg and (state in stock.get(path, ()) or state == f.get("override") or f.get("unpacked")):
            continue  # (a package's own design: mtr-packet's cap_net_raw, set by its postinst)
        if f"{path} {state}" in exp.allow.privileged:
            lines += _caps_for_everyone(path, state)  # the admin's: accounted for, not its effect on every user
            continue
        mode, owner = int(state.split()[0], 8), state.split()[1]
        rights = [f"{owner.split(':')[0]}'s rights (setuid)" if mode & 0o4000 else "",
                  f"group {owner.split(':')[1]}'s rights (setgid)" if mode & 0o2000 else "",
                  f"the capabilities {' '.join(state.split()[2:])}" if len(state.split()) > 2 else ""]
        hand = (f"; dpkg's stat override for it ({f['override_by_hand']}) is not one its package's maintainer "
                f"script writes: root recorded it by hand (dpkg-statoverride --add), not the package's design"
                if f.get("override_by_hand") else "")
        origin = (f"{pkg} ships it, but not with these bits (stock: {' or '.join(sorted(stock[path]))})"
                  if pkg and path in stock else f"{pkg} ships it, and these bits are not its stock ones, not a "
                  f"dpkg stat override, and were set after dpkg installed it (or when is not known)" if pkg else
                  "no installed package ships it")
        lines.append(f"{path} ({state}): whoever runs it (the app user too) gets {' and '.join(r for r in rights if r)}"
                     f"; {origin}{hand}. " + _allow_hint(exp, "allow_privileged", f"{path} {state}"))
    _unaccounted("privileged file[s] (setuid, setgid, file capabilities)", lines)


# ---------------------------------------------------------------- who logs in, and what a login runs


def _snapshot(facts, what: str):
    """The root collector's snapshot (it reads these world-readable files as the login too), or skip."""
    snap = getattr(facts, "raw", None)
    if not getattr(snap, "files", None):
        raise NotApplicable(f"the probe sent no snapshot of root's files: {what} not read")
    return snap


def _unread(snap, paths) -> list[str]:
    """Each of ``paths`` that exists but whose text the collector did not send (someone but root may write it)."""
    return [f"{p}: not read ({(snap.files.get(p) or {}).get('why')})" for p in paths
            if snap.st(p) is not None and stat.S_ISREG(snap.st(p)[0]) and snap.data(p) is None]


def _loose_path(snap, path: str) -> str | None:
    """Why someone but root may change ``path`` (a template's fixed directory part), or None."""
    fixed = path.split("%")[0]
    return snap.writable_by_others(fixed.rstrip("/") if fixed.endswith("/") else posixpath.dirname(fixed) or "/") \
        if "%" in path else snap.writable_by_others(path)


# sshd settings that let in without a secret, or let a login serve: (key, its values that do, what that means).
# Forwarding as such is sshd's default (a login's own ports on loopback); these publish what a login forwards, or
# what a tunnel carries, on the server's network interfaces, past every loopback-only service and firewall rule
SSHD_BAD = (("permitrootlogin", ("yes",), "root logs in with a password: one guessed or leaked password is root"),
            ("permitemptypasswords", ("yes",), "an account without a password logs in with none"),
            ("strictmodes", ("no",), "sshd uses key files and homes others may write"),
            ("gatewayports", ("yes", "clientspecified"), "every login that may forward (the deploy login, whoever "
             "holds its key) opens ports on the server's public addresses ('ssh -R 0.0.0.0:PORT:...'): it serves "
             "to the network what only this host should reach (a loopback-only service, another host's port)"),
            ("permittunnel", ("yes", "point-to-point", "ethernet"), "every login that may open a tun/tap device "
             "bridges its own network into the server's: the server serves as a router past its firewall"),
            ("hostbasedauthentication", ("yes",), "a login needs no key of its own: any account of the same name on "
             "a host /etc/ssh/shosts.equiv or /etc/hosts.equiv lists (or a user's ~/.shosts where IgnoreRhosts is "
             "no) logs in as it, on that host's word (the deploy login: every release; the gate's: root)"),
            ("loglevel", ("quiet", "silent", "fatal", "error"), "sshd records no login from its next start (INFO "
             "is the least that logs one: who logged in, with which key, every refused attempt): a login by a "
             "stolen deploy key, or an attack on the server, leaves no trace on it"))
# what any other sshd setting matching collect_login.GUARD_OFF means (PermitUserEnvironment yes: a login restricted
# to one command by its key's command= or a ForceCommand sets LD_PRELOAD or BASH_ENV in ~/.ssh/environment, and runs
# what it likes)
SSHD_GUARD = ("it turns off a check sshd makes, or widens it to every login: a login it restricts (a key's command=, "
              "a ForceCommand) or whoever answers for a host it trusts gets past it")
SSH_KEY_PATHS = ("authorizedkeysfile", "authorizedprincipalsfile", "trustedusercakeys", "revokedkeys")


def cw_sshd(facts, exp):
    """The SSH server's configuration as its next start reads it (sshd_config and what it includes; sshd's
    first-value rule; Match blocks): no root login with a password, no empty passwords, StrictModes on, every
    file that decides a login (AuthorizedKeysFile, AuthorizedPrincipalsFile, TrustedUserCAKeys, RevokedKeys) in
    the user's own home or root's alone, any AuthorizedKeysCommand root's alone, no password login for the app
    user, and the access lists (AllowUsers, DenyGroups ...) admit the deploy login and the gate's."""
    from .logins import SSHD_CONFIG, channel_cut, sshd_config, sshd_listeners
    from .mechanisms import texts

    snap = _snapshot(facts, "the SSH server's configuration")
    if snap.st(SSHD_CONFIG) is None:
        raise NotApplicable(f"{SSHD_CONFIG} does not exist on {facts.label}: no OpenSSH server configuration")
    raw = texts(facts) or {}
    why = {p: str((e or {}).get("why")) for p, e in snap.files.items() if p.startswith("/etc/ssh/")}
    running = sshd_listeners(snap.raw.get("proc") or {})  # (its -o and -f: a running server's own arguments)
    lines = []
    for cfg in [sshd_config(raw, snap.dirs, why)] + [sshd_config(raw, snap.dirs, why, argv, f"pid {pid}'s command "
                                                                 "line") for pid, argv in sorted(running.items())]:
        lines += _sshd_problems(cfg, facts, exp, snap)
    known = set(exp.stack.sshd_keywords)  # (a keyword this sshd does not take: its next start refuses every line)
    lines += [f"{where}: {key!r} is no option of {exp.stack.title}'s sshd: its next start (a reboot, an openssh "
              f"upgrade's restart) refuses its whole configuration ('Bad configuration option') and no deploy, "
              f"rollback, gate run or admin login reaches the server; correct or remove the line"
              for key, where in sshd_config(raw, snap.dirs, why).seen if known and key not in known]
    starts = [sshd_config(raw, snap.dirs, why, argv, f"pid {pid}'s command line") for pid, argv in sorted(
        running.items())] or [sshd_config(raw, snap.dirs, why)]  # (its next start: as the running one was started)
    for cfg in starts:
        lines += _runner_refused(cfg, facts, exp, snap)
    lines += [f"{ln}: from its next start a deploy whose install, post_deploy command or health wait prints nothing "
              f"that long loses its session midway, and so does a long `fab run`. " +
              _allow_hint(exp, "allow_cron", ln.split(":", 1)[0]) for cfg in starts
              for ln in channel_cut(cfg, exp.cfg.post_deploy_timeout) if ln.split(":", 1)[0] not in exp.allow.cron]
    lines += tcp_wrappers(raw, exp)
    loose = _sshd_sources_loose(snap, raw)
    said = tuple(ln.split(": ", 1)[0] + ": sshd reads it to decide who logs in, but the gate could not" for ln in loose)
    lines = [ln for ln in lines if not ln.startswith(said)] + loose  # (one cause: others may change it, so not read)
    _unaccounted("setting[s] of the SSH server", list(dict.fromkeys(lines)), "cw_sshd", exp)


def tcp_wrappers(raw, exp) -> list[str]:
    """A line per rule of /etc/hosts.allow and /etc/hosts.deny (libwrap's: Debian's sshd links it, 12 and 13) not
    allowed (``allow_cron``, the file pinned): a rule decides which addresses may connect to sshd (or runs a command,
    ``spawn``/``twist``), before any login, and this gate connects from one place. Both files ship with comments
    only (libwrap0 writes them): deny by default, whatever daemon the rule names."""
    lines = []
    for path in ("/etc/hosts.allow", "/etc/hosts.deny"):
        text = raw.get(path) or ""
        rules = [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not
                 ln.lstrip().startswith("#")]
        if rules and path not in exp.allow.cron:
            n, rule = rules[0]
            lines.append(f"{path}:{n}: {rule[:120]!r}{f' (and {len(rules) - 1} more)' if len(rules) > 1 else ''}: "
                         f"sshd asks libwrap at every connection whether its address may log in (or runs what a "
                         f"rule spawns), before any key: a rule may refuse the deploy login from other places than "
                         f"this gate's. " + _allow_hint(exp, "allow_cron", path))
    return lines


def _sshd_sources_loose(snap, raw) -> list[str]:
    """A line for sshd_config, each file it includes and each directory an ``Include`` reads, that someone but
    root may change (it, a link on the way, a directory above): sshd runs as root and takes who logs in, and how,
    from there at its next start. A path the probe did not look at is no claim."""
    from .logins import SSHD_CONFIG

    paths = [SSHD_CONFIG]
    for path in paths:  # (sshd_config's Includes, and theirs: not ssh_config's, the client's, under /etc/ssh too)
        for pattern in re.findall(r"(?im)^[ \t]*include[ \t=]+(.+)$", raw.get(path) or ""):
            for word in pattern.split():
                full = word if word.startswith("/") else posixpath.join("/etc/ssh", word)
                top = posixpath.dirname(full)
                paths += [p for p in [top] + [posixpath.join(top, n) for n in snap.listdir(top) or []
                                              if fnmatch.fnmatch(n, posixpath.basename(full))] if p not in paths]
    lines = []
    for path in dict.fromkeys(paths):
        loose = snap.writable_by_others(path) if snap.st(path) else None
        if loose and not loose.endswith("(not looked at)"):
            lines.append(f"{path}: sshd (root) reads who logs in, and how, from there at its next start (a reload, "
                         f"a reboot, an openssh upgrade), and {loose} may be changed by someone but root: whoever "
                         f"writes there sets PermitRootLogin, AuthorizedKeysCommand ...: root")
    return lines


# what sshd runs by its configuration, and for whom (each judged as root's jobs are: rootacts.command_problem)
SSHD_COMMANDS = {
    "authorizedkeyscommand": "sshd runs it as {user} before authentication, for anyone who offers a key, and its "
                             "output decides every key login",
    "authorizedprincipalscommand": "sshd runs it as {user} before authentication, for anyone who offers a "
                                   "certificate, and its output decides every certificate login",
    "forcecommand": "sshd runs it instead of every command of the logins it applies to (an admin's, root's)",
    "subsystem": "sshd runs it for every login that asks for the subsystem (sftp: an admin's, root's)"}
SSHD_NAMES = {"authorizedkeyscommand": "AuthorizedKeysCommand", "authorizedprincipalscommand":
              "AuthorizedPrincipalsCommand", "forcecommand": "ForceCommand", "subsystem": "Subsystem",
              "authorizedprincipalsfile": "AuthorizedPrincipalsFile"}


def _sshd_problems(cfg, facts, exp, snap) -> list[str]:
    from . import collect_login as C
    from .logins import admits, key_login_stopped, match_applies, place_bound
    from .rootacts import command_problem, view

    lines = [f"{p}: sshd reads it to decide who logs in, but the gate could not ({w})" for p, w in cfg.unread.items()]
    users = snap.users
    app = users.facts(exp.cfg.app_user) or {"groups": [exp.cfg.app_user]}
    blocks = [("", cfg.first)] + [(f" (Match {c} at {w})", b) for c, w, b in cfg.matches]
    for label, values in blocks:
        for key, values_off, means in SSHD_BAD:
            value, where = values.get(key, ("", ""))
            if value.lower() in values_off:
                lines.append(f"{where}: {key} {value}{label}: {means}")
        # any other setting that turns a check off or widens trust: one pattern (the files that decide a key login
        # are judged below and in cw_become: a user CA is its key's line, allow_keys)
        judged = {k for k, _, _ in SSHD_BAD} | set(SSH_KEY_PATHS)
        lines += [f"{where}: {key} {value}{label}: {SSHD_GUARD}" for key, (value, where) in sorted(values.items())
                  if key not in judged and isinstance(value, str) and C.GUARD_OFF.match(f"{key} {value}")]
        for key in SSH_KEY_PATHS:
            value, where = values.get(key, ("", ""))
            for path in value.split() if value.lower() != "none" else []:
                if not path.startswith("/") or path.startswith(("%h/", "~/")):
                    continue  # in the user's own home: that user's files (test_login_files_are_the_logins)
                loose = _loose_path(snap, path)
                if loose:
                    lines.append(f"{where}: {key} {path}{label}: sshd takes who may log in from there, and "
                                 f"{loose} may be changed by someone but root (or was not looked at): whoever "
                                 f"writes there logs in as any user it names (the deploy login: every release)")
        for key, means in SSHD_COMMANDS.items():
            value, where = values.get(key, ("", ""))
            command = (value.split(None, 1) or [""])[-1] if key == "subsystem" else value
            if not command or command.lower() in ("none", "internal-sftp") or not command.startswith("/") and \
                    key != "forcecommand":
                continue
            user = (values.get(key + "user") or cfg.first.get(key + "user") or ("", ""))[0]
            means = means.format(user=user or "its user")
            loose = snap.writable_by_others(command.split()[0]) if key == "authorizedkeyscommand" else None
            bad = f"runs {command.split()[0]}, which someone but root may change ({loose})" if loose else \
                (command_problem(view(snap), command, exp.cfg.root) or ("", False))[0]
            if bad:
                lines.append(f"{where}: {SSHD_NAMES[key]} {value}{label}: {means}; it {bad}")
    for criteria, where, settings in cfg.matches:
        if match_applies(criteria, exp.cfg.app_user, app["groups"]):
            for key in ("passwordauthentication", "kbdinteractiveauthentication", "challengeresponseauthentication"):
                value, at = settings.get(key, ("", ""))
                if value.lower() == "yes":
                    lines.append(f"{at}: {key} yes in Match {criteria} ({where}): the app user "
                                 f"{exp.cfg.app_user} may log in with a password (it never logs in: its data and "
                                 f"config's secrets)")
    logins = {exp.deploy_user: "deploy login"}
    logins.setdefault(facts.get("login") or exp.deploy_user, "gate's login")
    for name, who in logins.items():
        found = users.facts(name) if name else None
        refused = admits(cfg, name, found["groups"]) if found else None
        if refused:
            lines.append(f"{refused}: sshd refuses the {who} {name} at its next start (a reload, a reboot, an "
                         f"openssh upgrade): deploys, rollbacks and this gate are locked out")
        lines += [f"{bound}: sshd lets the {who} in from some places only (at its next start), and this gate's "
                  f"login, from here, tries one: a deploy or rollback from another runner or address is refused or "
                  f"changed. " + _allow_hint(exp, "allow_cron", bound.split(":", 1)[0])
                  for bound in (place_bound(cfg, name, found["groups"]) if found else [])
                  if bound.split(":", 1)[0] not in exp.allow.cron]
        lines += [f"{stop} (the {who}), at its next start (a reload, a reboot, an openssh upgrade): deploys, "
                  f"rollbacks and this gate send commands a key login runs as sent. " +
                  _allow_hint(exp, "allow_cron", stop.split(":", 1)[0])
                  for stop in (key_login_stopped(cfg, name, found["groups"]) if found else [])
                  if stop.split(":", 1)[0] not in exp.allow.cron]
    return lines


def _runner_refused(cfg, facts, exp, snap) -> list[str]:
    """The connection the runner made today (its SSH client's algorithms, the host key it pinned, the port it
    reached, the key the gate's login logged in with) against the SSH server's configuration as its next start reads
    it (and the key's own expiry): each way that start refuses every deploy, rollback and gate run."""
    from .logins import key_refused, transport_refused
    from .mechanisms import texts

    raw = texts(facts) or {}
    pubs = {}
    for value, _ in cfg.lists.get("hostkey") or [(p, "") for p in SSHD_DEFAULT_HOST_KEYS]:
        pub = value.split()[0] + ".pub"
        entry = snap.files.get(pub)
        if pub in raw or (entry is not None and entry.get("why") != os.strerror(errno.ENOENT)):
            pubs[pub] = raw.get(pub)
    reached = (str(snap.raw.get("ssh_connection") or "").split() + ["", "", "", ""])[2:4]  # (the server's half)
    found = transport_refused(cfg, facts.get("runner_client") or {}, facts.get("runner_host_key") or "", pubs,
                              (reached[0], reached[1]) if all(reached) else None)
    login = facts.get("login") or ""
    me = snap.users.facts(login) if login else None
    if me and facts.get("runner_key"):
        found += key_refused(cfg, login, me["groups"], facts["runner_key"], snap.raw.get("own_keys") or {},
                             posixpath.normpath(me["home"] or "/"), me["uid"],
                             int(float(snap.raw.get("time") or 0) // 86400), ACCOUNT_HORIZON)
    who = "the gate's login and the deploy login" if login == exp.deploy_user else "the gate's login"
    return [f"{line}: at its next start (a reload, a reboot, an openssh upgrade), or on that date, every deploy, "
            f"rollback and gate run that connects as this runner did today ({who} {login}) fails. " +
            _allow_hint(exp, "allow_cron", line.split(":", 1)[0])
            for line in found if line.split(":", 1)[0] not in exp.allow.cron]


# PAM modules whose success proves a secret (or that the caller is root already): a module that may end the auth
# stack with success ('sufficient', [success=done], a jump over pam_deny) and is none of these lets in without one
PAM_CREDENTIALS = frozenset({"pam_unix.so", "pam_rootok.so", "pam_sss.so", "pam_krb5.so", "pam_ldap.so",
                             "pam_winbind.so", "pam_systemd_home.so", "pam_google_authenticator.so", "pam_u2f.so",
                             "pam_yubico.so", "pam_oath.so", "pam_fprintd.so", "pam_radius_auth.so",
                             "pam_pkcs11.so", "pam_gnome_keyring.so", "pam_ssh_agent_auth.so", "pam_duo.so",
                             "pam_faillock.so", "pam_tally2.so"})  # (faillock's 'authsucc': after unix's jump)
PAM_DIRS = ("/lib/x86_64-linux-gnu/security/", "/usr/lib/x86_64-linux-gnu/security/", "/lib/security/",
            "/usr/lib/security/", "/lib/aarch64-linux-gnu/security/", "/usr/lib/aarch64-linux-gnu/security/")
# pam_unix's password hashing options that store a password in a form cracked quickly (crypt(5))
WEAK_HASHES = {"md5": "MD5-crypt", "bigcrypt": "DES-based bigcrypt"}
# limits that make the deploy's own steps fail for a user (below the bound; 'unlimited' never): its SSH
# session, sudo -u <app user> (install, import preflight, post_deploy), the daemons' threads
LIMIT_BOUNDS = {"nproc": 1024, "nofile": 1024, "maxlogins": 16, "maxsyslogins": 16, "sigpending": 1024}
LIMIT_ANY = ("as", "data", "fsize", "cpu", "stack")  # any finite value: a step fails when it grows past it
COMMAND_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/games",
                "/usr/local/games", "/snap/bin")


def cw_pam(facts, exp):
    """What every login, su and sudo runs through (PAM, read from /etc/pam.d): no auth module that ends the
    stack with success without a secret (pam_permit, pam_wheel trust, pam_succeed_if ... as 'sufficient'), no auth
    stack that a wrong password gets through, no account stack an expired account gets through
    (:func:`~.logins.stack_lets_in`), no
    pam_exec (a program run as root at every login), no module from outside the system's PAM dirs; pam_limits'
    limits.conf and limits.d leave the app user, the deploy user and the gate's login room for a deploy (nproc,
    nofile, maxlogins ...); pam_env's /etc/environment and pam_env.conf set no loader variable and no PATH entry
    outside the stock command dirs (every login's, root's too)."""
    from . import collect_login as C
    from .logins import (
        RUNTIME,
        ends_with_success,
        environment,
        limit_applies,
        limits,
        pam_lines,
        runtime_environment,
        stack_lets_in,
    )
    from .mechanisms import texts

    snap = _snapshot(facts, "PAM's configuration")
    raw = texts(facts) or {}
    pam_names = [n for n in snap.listdir("/etc/pam.d") or [] if not n.startswith(".")]
    limit_names = snap.listdir("/etc/security/limits.d") or []
    lines = _unread(snap, [f"/etc/pam.d/{n}" for n in pam_names] + ["/etc/security/limits.conf",
                           "/etc/environment", "/etc/security/pam_env.conf"] +
                    [f"/etc/security/limits.d/{n}" for n in limit_names if n.endswith(".conf")])
    lines = [f"{ln}: PAM reads it for every login, su and sudo" for ln in lines]
    for p in pam_lines(raw, pam_names):
        module = posixpath.basename(p.module)
        if p.module.startswith("/") and not p.module.startswith(PAM_DIRS):
            lines.append(f"{p.where}: {p.type} {p.control} {p.module}: a PAM module from outside the system's "
                         "module dirs, loaded into every login, su and sudo (as root)")
        elif module == "pam_exec.so":
            lines.append(f"{p.where}: {p.type} {p.control} pam_exec.so {p.args}: runs a program at every login, su "
                         "or sudo through it, as root")
        elif p.type == "password" and module == "pam_unix.so" and set(p.args.lower().split()) & set(WEAK_HASHES):
            weak = sorted(set(p.args.lower().split()) & set(WEAK_HASHES))[0]
            lines.append(f"{p.where}: password {p.control} pam_unix.so {p.args}: every password set through it from "
                         f"now on (root's, an admin's: passwd, chpasswd) is stored as {WEAK_HASHES[weak]}, cracked "
                         "quickly from any copy of /etc/shadow; use yescrypt (Debian's) or sha512")
        elif p.type == "auth" and ends_with_success(p.control) and module not in PAM_CREDENTIALS:
            lines.append(f"{p.where}: auth {p.control} {module} {p.args}: its success ends the authentication "
                         f"without a password or key: whoever it accepts becomes the target user (su/sudo: root) "
                         f"without one")
    lines += [f"{path}: its auth stack (what it includes read in place) lets in with a wrong password: when every "
              "module that proves a secret fails, the rest end in success (a requisite pam_deny.so gone, a check "
              "made optional): whoever asks becomes the user (su, sudo: root) without one"
              for path in stack_lets_in(raw, pam_names, PAM_CREDENTIALS)
              if not any(ln.startswith(path + ":") for ln in lines)]  # (a module's own line says it: one cause)
    lines += [f"{path}: its account stack (what it includes read in place) lets in an account pam_unix refuses "
              "(expired, its password expired, locked by its expiry date): when every module that checks the "
              "account fails, the rest end in success (a requisite pam_deny.so gone, a check made optional)"
              for path in stack_lets_in(raw, pam_names, PAM_CREDENTIALS, kind="account")]
    lines += pam_not_stock(facts, exp, snap, raw, lines)
    users = snap.users
    who = {exp.cfg.app_user: "the app user", exp.deploy_user: "the deploy login"}
    who.setdefault(facts.get("login") or exp.deploy_user, "the gate's login")
    for lim in limits(raw, limit_names):
        value = lim.value.lower()
        if lim.kind not in ("soft", "hard", "-") or value in ("unlimited", "infinity", "-1"):
            continue
        small = lim.item in LIMIT_ANY or (lim.item in LIMIT_BOUNDS and value.isdigit() and
                                          int(value) < LIMIT_BOUNDS[lim.item])
        hit = [f"{name} ({role})" for name, role in who.items() if users.facts(name) and limit_applies(
            lim.domain, name, users.facts(name)["uid"], users.facts(name)["groups"])]
        if small and hit:
            lines.append(f"{lim.where}: {lim.domain} {lim.kind} {lim.item} {lim.value}: applies to "
                         f"{', '.join(hit)}: a deploy's SSH session and its sudo -u {exp.cfg.app_user} steps "
                         f"(install, import, post_deploy) fail when they reach it")
    for where, name, value in environment(raw) + runtime_environment(snap.raw.get("manager_env"), raw):
        runtime = where == RUNTIME
        who = "systemd sets it for every service it starts, root's daemons and timers' jobs too" if runtime or \
            where.startswith("/etc/systemd/") or "/systemd/system.conf.d/" in where else \
            "pam_env sets it for every login, su and cron job, root's too"
        fix = (f" (set at run time: no file holds it, the next boot drops it; unset it: systemctl unset-environment "
               f"{name}, or set it where it is kept and judged: DefaultEnvironment= in /etc/systemd/system.conf.d/, "
               f"allowed there)") if runtime else ""
        if name.startswith(("LD_", "PYTHON")):
            lines.append(f"{where}: {name}={value}: {who}: it changes what they load{fix}")
        elif C.GUARD_OFF.match(f"{name}={value}"):
            lines.append(f"{where}: {name}={value}: {who}: it {GUARD_MEANS}{fix}")
        elif runtime and name != "PATH":
            lines.append(f"{where}: {name}={value}: {who}, from now on{fix}")
        elif name == "PATH":
            odd = [d for d in value.split(":") if d.rstrip("/") not in COMMAND_DIRS]
            if odd:
                whose = "every service's PATH (root's too)" if who.startswith("systemd") else \
                    "every login's PATH (SSH, su, cron; root's too)"
                lines.append(f"{where}: PATH has {', '.join(odd) or '(an empty entry)'}: {whose} looks there for "
                             f"commands, outside the command dirs the gate checks for who may write them{fix}")
    _unaccounted("rule[s] of the login stack (PAM, limits, pam_env)", lines, "cw_pam", exp)


def pam_not_stock(facts, exp, snap, raw, said=()) -> list[str]:
    """A line per PAM module of the stacks the deploy login's and the gate's logins run (:data:`.logins.PAM_LOGINS`:
    sshd's account and session, its auth where sshd asks PAM for a factor after the key; sudo's account and session,
    its auth not: sudo -n with NOPASSWD asks none; includes read in place; the password stack runs only at a
    password change) that is none of the stack's stock lines -- a line of that file's conffile as Debian ships it
    (the baseline's lines of that path, any version) or one pam-auth-update writes from Debian's templates and
    ordinary profiles (``Stack.baseline_pam``) -- nor allowed (``allow_pam``, pinned to its lines and its own
    configuration: :func:`.pins._pam`). Deny by default: such a module decides who logs in, when and from where by a
    rule of its own (pam_access's access.conf, pam_time's time.conf, pam_listfile's file, pam_succeed_if's
    arguments, a directory's policy), and this gate's own login, now and from here, tries only one case of it. A
    line another rule of the stack already names (``said``) is that rule's (one cause)."""
    from .logins import PAM_LOGINS, pam_config_files, pam_stack, pam_stock_key, sshd_config
    from .parse import conffiles

    cfg = sshd_config(raw, snap.dirs)
    sshd_pam = (cfg.first.get("usepam") or ("no", ""))[0].lower() == "yes" or snap.data(
        "/etc/ssh/sshd_config") is None
    names = set(snap.listdir("/etc/pam.d") or [])
    stock = set(getattr(exp.stack, "baseline_pam", ()))
    for (path, _), (_, shipped) in stock_conffiles(exp.stack).items():
        if path.startswith("/etc/pam.d/"):
            stock |= {pam_stock_key(p) for p in pam_stack({path: "\n".join(shipped)}, path[11:])}
    found: dict[str, list] = {}
    for service in PAM_LOGINS:
        if service == "sshd" and not sshd_pam or service != "sshd" and service not in names:
            continue
        kinds = ("account", "session") + (("auth",) if service == "sshd" and _sshd_asks_pam(cfg, facts, exp, snap)
                                          else ())
        for p in pam_stack(raw, service if service in names else "other"):
            if p.type in kinds and pam_stock_key(p) not in stock and not any(
                    s.startswith(p.where + ":") for s in said):
                found.setdefault(p.module.rsplit("/", 1)[-1] if p.module.startswith(PAM_DIRS) or
                                 "/" not in p.module else p.module, []).append((p, service))
    known = set((snap.raw.get("etc_files") or {}) if isinstance(snap.raw, dict) else ()) | set(
        conffiles(snap.data("/var/lib/dpkg/status")))  # (what /etc holds: the login collector's record, dpkg's)
    lines = []
    for module, seen in found.items():
        if module in exp.allow.pam:
            continue
        p = seen[0][0]
        more = list(dict.fromkeys(q.where for q, _ in seen[1:] if q.where != p.where))
        runs = ", ".join(dict.fromkeys(s for _, s in seen))
        runs = " and ".join(runs.rsplit(", ", 1))
        conf = ", ".join(c for c in pam_config_files(p.module, p.args) if (snap.listdir(c.rstrip("/")) if
                         c.endswith("/") else c in known or snap.st(c) is not None or raw.get(c) is not None)) or \
            "its arguments"
        lines.append(f"{p.where}: {p.type} {p.control} {p.module}{' ' + p.args if p.args else ''}: not a line of "
                     f"Debian's stock PAM stacks (the conffiles as shipped, pam-auth-update's profiles)"
                     f"{' (also ' + ', '.join(more[:3]) + ')' if more else ''}: {runs} "
                     f"run{'s' * (' and ' not in runs)} "
                     f"it at every login of the deploy user and of the gate's login; it decides who gets in, when "
                     f"and from where by its own rule ({conf}), which the gate's login, now and from here, tries in "
                     f"one case only: deploys and rollbacks may be refused at other times or from other places. "
                     + (f"(the gate records /etc only: keep {', '.join(outside)} there, or no pin of it holds) "
                        if (outside := list(dict.fromkeys(c for q, _ in seen for c in pam_config_files(
                            q.module, q.args) if not c.startswith("/etc/")))) else "")
                     + _allow_hint(exp, "allow_pam", module))
    return lines


def _sshd_asks_pam(cfg, facts, exp, snap) -> bool:
    """Whether sshd runs PAM's auth stack for every login of the deploy user or the gate's: each alternative of its
    ``AuthenticationMethods`` asks for ``keyboard-interactive`` or ``password`` (a key alone does not get in)."""
    from .logins import setting_for

    for name in dict.fromkeys([exp.deploy_user, facts.get("login") or exp.deploy_user]):
        groups = (snap.users.facts(name) or {}).get("groups") or []
        methods = (setting_for(cfg, "authenticationmethods", name, groups) or ("any", ""))[0]
        if methods.lower() != "any" and all("keyboard-interactive" in alt or "password" in alt
                                             for alt in methods.split()):
            return True
    return False


def _login_runs(path: str, text: list | None, user: str, root: str) -> list[str]:
    """A line per line of a login's shell startup file (its lines as the tree reader read them) that runs, sources or
    finds commands in what the app user writes (the app's shared dirs: :func:`rootacts.command_problem`, as for
    root's own startup files): the login hands its rights, its sudo included, to the least trusted account."""
    from .rootacts import APP_WRITES, _lines, command_problem

    out = []
    for n, line in _lines("\n".join(str(x) for x in text) if isinstance(text, list) else ""):
        found = command_problem(None, line, root, loose=False)
        when = "at every SSH command (a deploy, this gate)" if path.endswith("/.bashrc") else "at each login"
        if found and found[1] and APP_WRITES in found[0]:
            out.append(f"{path}:{n}: its login's shell ({user}) runs it {when}: it "
                       f"{found[0]}: the app user's code runs as {user}, its sudo too; make what it runs {user}'s or "
                       f"root's alone, or remove the line")
    return out


def _written_by_others(users, user: str, mode: int, uid: int, gid: int) -> list[str]:
    """Who but ``user`` and root may write a file or directory of ``user``'s login with this ``lstat``: its owner,
    everyone (not a sticky dir), or a group with someone else in it."""
    others = []
    if uid not in (0, (users.facts(user) or {}).get("uid") if users else None):
        others.append(f"owned by {users.name(uid) if users else uid}")
    if mode & 0o002 and not (stat.S_ISDIR(mode) and mode & stat.S_ISVTX):
        others.append("writable by everyone")
    if mode & 0o020 and not stat.S_ISLNK(mode):
        group = users.group(gid) if users else str(gid)
        members = set(users.groups.get(gid, ("", []))[1]) | {
            n for n, f in users.by_name.items() if f[3] == str(gid)} if users else {"?"}
        if members - {user, "root"}:
            others.append(f"writable by group {group} ({', '.join(sorted(members - {user, 'root'})[:4])})")
    return others


def _root_logins_files(facts, snap, covered: set, nologin=()) -> list[str]:
    """A line for each file sshd or the shell reads from the home of a login that may become root
    (:func:`sockets.root_capable`: a sudoers rule or a root-reaching group; not root, whose own are
    :func:`cw_become`'s, nor the logins the tree reader looked at, ``covered``) -- the home, ~/.ssh,
    authorized_keys(2), rc, environment, the shell's startup files, where a link among them leads -- that
    someone but that login and root may write (:func:`_written_by_others`): whoever may adds a key, or a line its
    next login runs, and is that login, so root. sshd's StrictModes refuses a key file or a directory up to the
    home that others may write, but not the shell's files, and not a home above which a directory is loose. A home
    the gate's login may not enter (Debian 13's 0700) is judged from the root collector's read of its files
    (``collect_root.keys``); what neither read is said in the drift section (``facts.notes``): not known.
    An account whose shell is a ``nologin`` one (the app user: its home is the app's root, the tree rules') has
    no login whose files run: sshd runs every session of it, a key's command too, through that shell."""
    from .collect_login import HOME_FILES, key_files
    from .sockets import root_capable

    users, lines = snap.users, []
    for uid, who in sorted(root_capable(facts, snap).items()):
        name = users.name(uid)
        home = posixpath.normpath((users.facts(name) or {}).get("home") or "/")
        if uid == 0 or name in covered or home == "/" or snap.st(home) is None or \
                (users.facts(name) or {}).get("shell") in nologin:
            continue
        named = key_files({"files": snap.files, "dirs": snap.dirs}, name, uid, home)  # (AuthorizedKeysFile's)
        for path in dict.fromkeys([home] + [f"{home}/{rel}" for rel in HOME_FILES] + named):
            real = snap.realpath(path)
            st = snap.st(real)
            others = _written_by_others(users, name, *st[:3]) if st and not stat.S_ISLNK(st[0]) else []
            if others:
                label = path if real == path else f"{path} -> {real}"
                does = "adds a key that logs in as" if "authorized_keys" in path or path in named else "runs code as"
                lines.append(f"{label} ({st[0] & 0o7777:04o}): {' and '.join(others)}: {who}; sshd or its shell "
                             f"reads it at every login of {name}: whoever else may write it {does} {name}, and so "
                             f"is root")
        unseen = {rel: why for rel in HOME_FILES for why in [(snap.files.get(f"{home}/{rel}") or {}).get("why")]
                  if why and why != os.strerror(errno.ENOENT)}
        if unseen:
            names = ", ".join(list(unseen)[:3]) + (" ..." if len(unseen) > 3 else "")
            facts.notes.append(f"{home} ({name}: {who}): {names} not looked at ({next(iter(unseen.values()))}): "
                               f"who may write {name}'s keys is not known here (sshd's StrictModes refuses a key file "
                               f"others may write)")
    return lines


def cw_login_files(facts, exp):
    """The files a login of the deploy user (and of the gate's login, and of every other login that may become
    root: :func:`_root_logins_files`) runs or trusts -- its home, ~/.bashrc,
    ~/.profile, ~/.bash_profile, ~/.bash_login, ~/.bash_logout, ~/.pam_environment, ~/.ssh and its rc,
    environment and authorized_keys -- are that user's or root's and writable by no one else (a group only when
    no one else is in it): bash runs ~/.bashrc for every SSH command (Debian's bash), so whoever may write it runs
    code as the deploy login at its next deploy, its sudo included; and no line of its shell's startup files runs,
    sources or finds commands in what the app user writes (:func:`_login_runs`). And no ~/.ssh/rc (sshd runs it at
    every login, before the command: the deploy's and this gate's sessions too), nor a ~/.ssh/environment where sshd's
    PermitUserEnvironment reads it. Read as the deploy user."""
    found = facts.get("login_files")
    snap = getattr(facts, "raw", None)
    users = getattr(snap, "users", None)
    lines = _root_logins_files(facts, snap, set(found or ()), exp.stack.nologin_shells) \
        if getattr(snap, "files", None) else []
    if found is None and not lines:
        raise NotApplicable(f"the tree reader did not read the logins' homes: "
                            f"{(facts.get('errors') or {}).get('login_files')}")
    for user, entries in sorted((found or {}).items()):
        for path, st in sorted(entries.items()):
            mode, uid, gid = st[:3]
            lines += _login_runs(path.split(" -> ")[0], st[3] if len(st) > 3 else None, user, exp.cfg.root)
            others = _written_by_others(users, user, mode, uid, gid)
            if others:
                lines.append(f"{path} ({'%04o' % (mode & 0o7777)}): {' and '.join(others)}: its login ({user}) "
                             f"runs or trusts it at every SSH command (a deploy, this gate): whoever else may "
                             f"write it runs code as {user}")
    env_on = snap is not None and getattr(snap, "files", None) and any(
        v.lower() not in ("no", "") for v, _ in _sshd_values(facts, snap, "permituserenvironment"))
    for user, entries in sorted(found.items()):  # what sshd runs or sets at every login, before the command
        for path in entries:
            name = path.split(" -> ")[0]
            if name.endswith("/.ssh/rc") or name.endswith("/.ssh/environment") and env_on:
                lines.append(f"{name}: sshd {'runs it' if name.endswith('/rc') else 'sets the variables it lists'} "
                             f"at every SSH login of {user}, before the command (every deploy, rollback and this "
                             f"gate's own session): code no deploy put there, which the login itself (whoever "
                             f"holds its key) keeps there, e.g. to put a key back after a rotation")
    _unaccounted("file[s] a login runs or trusts, writable by someone else or run at its every login", lines,
                 "cw_login_files", exp)


def cw_packaged(facts, exp):
    """The files of the stack's packages (what Apache, mod_wsgi, the stack's Python and its stdlib, sudo, sshd,
    PAM and the C library load or run) are what dpkg installed: each file whose inode changed after its package
    was installed is hashed against dpkg's md5sums (the rest cannot have changed since), read as the deploy
    user. A file a package's dpkg-divert moved aside is dpkg's own record and not compared; one a local
    ``dpkg-divert --local`` moved aside is a finding (an admin's file in the package's place)."""
    found = facts.get("packaged")
    if found is None:
        raise NotApplicable(f"the tree reader did not compare the stack's packages with dpkg's md5sums: "
                            f"{(facts.get('errors') or {}).get('packaged')}")
    lines = [f"{path}: not what {pkg} installed (dpkg's md5sums): whoever changed it changed code that root, "
             f"Apache or the daemons run; reinstall the package (apt-get install --reinstall {pkg})"
             for path, pkg in sorted(found.get("changed") or [])]
    lines += [f"{path}: moved aside by a local dpkg-divert ({pkg}'s file is now {to}): what is at {path} is an "
              f"admin's file no package ships, never compared, and root, Apache or the daemons run it in the "
              f"package's place; remove the diversion (dpkg-divert --local --rename --remove {path})"
              for path, pkg, to in sorted(found.get("diverted") or [])]
    lines += [f"{b}: not compared" for b in found.get("bounds") or []]
    _unaccounted("packaged file[s] changed since dpkg installed [it|them]", lines, "cw_packaged", exp)


def sec_apt(facts, exp):
    """Every apt source is signature-checked: no ``[trusted=yes]``/``allow-insecure=yes`` source (one-line or
    deb822), no apt setting that allows unauthenticated packages for all: what apt installs as root (every
    upgrade, unattended-upgrades' too) is signed by a key apt trusts; and apt trusts for every source only the
    keyrings packages ship (``/etc/apt/trusted.gpg``, ``/etc/apt/trusted.gpg.d``: the login collector's list of
    /etc's files that are not conffiles as shipped): a vendor's key put there signs for Debian's archive too. And
    apt drops root for its methods, as it ships (``APT::Sandbox::User`` ``_apt``, no ``Debug::NoDropPrivs``:
    :func:`deploytests.verify.logins.apt_root_kept`), unless the file is allowed (``allow_cron``, pinned)."""
    from . import collect_login as C
    from .logins import apt_root_kept, apt_unsigned
    from .mechanisms import texts
    from .parse import dpkg_files

    snap = _snapshot(facts, "apt's sources")
    lists = snap.listdir("/etc/apt/sources.list.d") or []
    confs = snap.listdir("/etc/apt/apt.conf.d") or []
    lines = [f"{ln}: apt reads it as root" for ln in _unread(
        snap, ["/etc/apt/sources.list"] + [f"/etc/apt/sources.list.d/{n}" for n in lists])]
    etc = (snap.raw.get("etc_files") or {}) if isinstance(snap.raw, dict) else {}
    shipped = dpkg_files(snap)
    lines += [f"{p}{' (' + str(etc[p]) + ')' if str(etc[p]).startswith('-> ') else ''}: a keyring no package ships, "
              f"trusted for every apt source (no signed-by): whoever holds a key in it signs packages for any "
              f"source, Debian's archive too, and apt installs them as root at the next upgrade; move it to "
              f"/etc/apt/keyrings and name it in its own source's signed-by= option"
              for p in sorted(etc) if (p == "/etc/apt/trusted.gpg" or p.startswith("/etc/apt/trusted.gpg.d/"))
              and p not in shipped]
    lines += [f"{where}: {what!r}: apt installs what this source serves without checking a signature: whoever "
              f"answers for it (or sits on the way) installs code as root at the next upgrade"
              for where, what in apt_unsigned(texts(facts) or {}, lists, confs)]
    lines += [f"{path}:{n}: {setting!r}: {GUARD_MEANS}" for path in [f"/etc/apt/apt.conf.d/{c}" for c in sorted(confs)]
              for n, setting in sorted(C.guards_off((texts(facts) or {}).get(path) or "").items())
              if not any(ln.startswith(f"{path}:{n}: ") for ln in lines)]  # (any other check apt makes: one pattern)
    # apt's privilege drop for its methods (a privilege drop the stack relies on, switched off by a setting)
    lines += [f"{what}: they parse what a mirror, or whoever is on the way, sends and check its signatures: a flaw "
              f"in one, or whoever may change them, is root at the next update, unattended-upgrades' too. "
              + _allow_hint(exp, "allow_cron", path) for path, what in apt_root_kept(
                  texts(facts) or {}, confs, set(snap.users.by_name) if snap.users else set())
              if path not in exp.allow.cron]
    assert not lines, "apt installs packages it does not verify, or fetches and checks them as root:\n" + \
        "\n".join(f"- {ln}" for ln in lines) + \
        f"\nif this is meant to be so, switch the rule off with a reason: skip_rules = {{ sec_apt = \"...\" }} in " \
        f"{exp.allow.where}"


def dpkg_stuck(journal: list[str], status: str) -> list[str]:
    """What in dpkg's own state makes every apt run refuse, whatever the settings say: its journal of updates not
    applied (``/var/lib/dpkg/updates/<digits>``: a run cut short; apt answers "dpkg was interrupted") and a package
    dpkg left needing a reinstall (``reinstreq``, or ``half-installed``: apt stops at it before anything else)."""
    cut = sorted(n for n in journal if n.isdigit())
    lines = [f"/var/lib/dpkg/updates/{cut[0]}: dpkg was interrupted ({count(len(cut), 'update')} of its journal not "
             f"applied): every apt run refuses until root runs dpkg --configure -a, so the stack's security updates "
             f"stop and the next bootstrap's package step fails"] if cut else []
    for stanza in status.split("\n\n"):
        name, state = re.search(r"(?m)^Package: (\S+)", stanza), re.search(r"(?m)^Status: (\S+ (\S+) (\S+))$", stanza)
        if name and state and (state.group(2) == "reinstreq" or state.group(3) == "half-installed"):
            lines.append(f"/var/lib/dpkg/status: {name.group(1)} is {state.group(1)!r}: dpkg left it needing a "
                         f"reinstall, and every apt run stops there (the stack's security updates with it); "
                         f"apt-get install --reinstall {name.group(1)}")
    return lines


def sec_updates(facts, exp):
    """The stack's packages (what Apache, the daemons, sudo, sshd and PAM load: the stack's verified packages) take
    their updates: no dpkg hold, no apt pin keeping a version or ranking the security archive below another, no
    ``APT::Default-Release`` (:func:`deploytests.verify.logins.apt_held`): else their security updates stop,
    silently (apt says nothing, unattended-upgrades skips them). Where unattended-upgrades is installed and
    switched on, it is how the server takes them: its ``Package-Blacklist`` naming one of them is that hold for
    it (:func:`deploytests.verify.logins.uu_blacklisted`), unless the file is allowed (``allow_cron``, pinned). A
    server without it passes: the packages can take their updates, by hand."""
    from .logins import apt_autoremoved, apt_held, uu_blacklisted
    from .mechanisms import texts

    snap = _snapshot(facts, "apt's preferences")
    py = exp.stack.python_version
    found = apt_held(texts(facts) or {}, snap.listdir("/etc/apt/preferences.d") or [],
                     snap.listdir("/etc/apt/apt.conf.d") or [], [p.format(py=py) for p in exp.stack.verified_packages])
    lines = [f"{ln}: apt reads it as root" for ln in _unread(
        snap, [f"/etc/apt/preferences.d/{n}" for n in snap.listdir("/etc/apt/preferences.d") or []])]
    lines += [f"{where}: {what}" for where, what in found + apt_autoremoved(texts(facts) or {}, [
        p.format(py=py) for p in exp.stack.verified_packages])]
    lines += dpkg_stuck(snap.listdir("/var/lib/dpkg/updates") or [], snap.text("/var/lib/dpkg/status") or "")
    lines += [f"{where}: {what}: the stack's fixes wait for someone to run apt by hand. "
              + _allow_hint(exp, "allow_cron", where.rsplit(":", 1)[0]) for where, what in uu_blacklisted(
                  texts(facts) or {}, snap.listdir("/etc/apt/apt.conf.d") or [],
                  [p.format(py=py) for p in exp.stack.verified_packages])
              if where.rsplit(":", 1)[0] not in exp.allow.cron]
    _unaccounted("setting[s] holding back the stack's updates", lines, "sec_updates", exp)


def _rollback_content(r: dict, exp) -> list[str]:
    """What a kept release's content says against a rollback to it: entries someone but the deploy login may
    change, files its distributions' RECORDs list that are missing or changed (the reader's ``loose`` and
    ``record``: :func:`deploytests.verify.reader.record_check`)."""
    out = []
    if r.get("loose_count"):
        out.append(f"{count(r['loose_count'], 'entry')} not {exp.deploy_user}'s or writable by group/others "
                   f"(the app user could plant code a rollback makes live): {', '.join(r['loose'][:3])}")
    if r.get("unreadable_count"):
        out.append(f"{r['unreadable_count']} entries the app user {exp.cfg.app_user} cannot read (the daemons run "
                   f"as it: after a rollback they fail to import or serve them): {', '.join(r['unreadable'][:3])}")
    rec = r.get("record")
    for what, meaning in (("missing", "missing"), ("changed", "not what its installer recorded (sha256)")):
        if rec and rec.get(what):
            out.append(f"{count(len(rec[what]), 'file')} its RECORDs list {meaning}: {', '.join(rec[what][:3])}")
    if rec and rec.get("unrecorded"):
        out.append(f"no RECORD to check {', '.join(rec['unrecorded'][:3])} against")
    since = r.get("since_deploy") or []
    if since:
        out.append(f"{count(len(since), 'file[s] differ[s|]')} from what its deploy recorded (SNAPSHOT.json): "
                   f"{', '.join(since[:4])}{' ...' if len(since) > 4 else ''}: a rollback would run or serve them")
    if r.get("entry_defined") is False:
        attr = re.split(r"[.(\s]", r.get("entry_attr") or "", maxsplit=1)[0] or "such"
        out.append(f"its entry point's module {r['module']!r} defines no {attr!r} attribute (read with ast, never "
                   f"imported): the rollback's WSGI script fails at import")
    return out


def _record_rewritten(rid: str, sha: str) -> str | None:
    """Why release ``rid``'s RELEASE.json, naming artifact ``sha``, was rewritten: its id (``<time>-<sha8>``, made by
    its deploy) carries another artifact's sha8; None when they agree (or the id is not of that form)."""
    if sha and re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}(-\d+)?", rid) and rid.split("-")[1] != sha[:8]:
        return f"its RELEASE.json names artifact {sha[:12] or None}, its id says {rid.split('-')[1]} (someone " \
               "rewrote the record)"
    return None


def _against_artifact(facts, rid: str, r: dict, exp) -> list[str]:
    """A kept release's venv against the artifact its RELEASE.json names, as the runner packed it (the reference
    out of the deploy login's reach; its own SNAPSHOT.json and RECORDs are that login's files): files changed,
    missing or not from it. The release id carries the artifact's sha8: a RELEASE.json naming another is a line.
    No such artifact here (packed on another machine, the cache cleared): not compared, said in the drift section
    (``facts.notes``), not a failure: its SNAPSHOT.json still vouches for it against everyone but that login."""
    sha = str((((facts.tree or {}).get("releases") or {}).get(rid) or {}).get("artifact_sha256") or "")
    if rewritten := _record_rewritten(rid, sha):
        return [rewritten]
    art = exp.artifact_by_sha(sha) if "hashes" in r else None
    if art is None or not art.manifest.get("tree"):
        why = "the runner has no artifact with that sha256 (packed elsewhere, or its cache cleared)" if art is None \
            else "the artifact ships wheels, not a prebuilt tree"
        if "hashes" in r and sha:
            facts.notes.append(f"releases/{rid}: not compared with its artifact {sha[:12]}: {why}; only its own "
                               "SNAPSHOT.json, which the deploy login can rewrite, vouches for it")
        return []
    lib, scripts = _TREE_CACHE.get(art.sha256) or _TREE_CACHE.setdefault(art.sha256, tree_files(art))
    want = {**lib, **installed_scripts(scripts, art.manifest.get("placeholder", ""),
                                       f"{exp.cfg.root}/releases/{rid}/venv")}
    found = {p: h for p, h in r["hashes"].items() if p not in VENV_STOCK}
    diff = [f"changed {p}" for p in sorted(want) if p in found and found[p] != want[p]] + \
        [f"missing {p}" for p in sorted(want) if p not in found] + \
        [f"added {p}" for p in sorted(found) if p not in want]
    out = [f"{count(len(diff), 'file[s] of its venv [is|are]')} not the artifact {sha[:12]} the runner packed "
           f"({art.path.name}): {', '.join(diff[:3])}{' ...' if len(diff) > 3 else ''}: a rollback would run "
           "them"] if diff else []
    if isinstance(r.get("static"), dict) and art.manifest.get("static"):  # (a reader that sends them)
        want = _STATIC_CACHE.get(art.sha256) or _STATIC_CACHE.setdefault(art.sha256, static_members(art))
        found = r["static"]
        diff = [f"changed {p}" for p in sorted(want) if p in found and found[p] != want[p]] + \
            [f"missing {p}" for p in sorted(want) if p not in found] + \
            [f"added {p}" for p in sorted(found) if p not in want]
        out += [f"{count(len(diff), 'file[s] of its static dirs [is|are]')} not the artifact {sha[:12]} the runner "
                f"packed: {', '.join(diff[:3])}{' ...' if len(diff) > 3 else ''}: after a rollback Apache serves "
                "them"] if diff else []
    return out


def rollback_ready(facts, exp):
    """Every kept release a rollback may switch to is complete and is what was deployed (read, never run), its
    venv compared with the artifact the runner packed (:func:`_against_artifact`); its
    venv's python, the stack's Python version, the entry point's module (and the attribute it names, read with
    ast) and its recorded distribution in site-packages, every file as its deploy recorded it in SNAPSHOT.json
    (venv, __pycache__ and the release's static files: none added, changed or removed; a release deployed before
    that record: every file each distribution's RECORD lists, with its sha256), the config it started with kept
    for the rollback to put back (when it is not the live one's), and none of it writable by
    anyone but the deploy login; and a rollback target is left when a prune would have kept one."""
    tree = facts.get("tree_inventory")
    if not tree:
        raise NotApplicable(f"the app's tree could not be walked: {(facts.get('errors') or {}).get('tree_inventory')}")
    live = _live_id(facts)
    lines = []
    meta = ((facts.tree or {}).get("releases") or {}).get(live) or {}
    older = [rid for rid in tree["releases"] if rid < live]
    previous = meta.get("previous")
    linked, unread = tree.get("linked") or {}, tree.get("unread") or {}
    lines += [f"{exp.cfg.root}/releases/{name}: its {why}: a rollback to it cannot read what it would switch to "
              f"(fab rollback refuses it; application.wsgi, as the app user, cannot start it)"
              for name, why in sorted(unread.items())]
    lines += [f"{exp.cfg.root}/releases/{name}: a link to {to}, not a directory the deploy made: a rollback does not "
              f"take it (fab rollback: 'no release older than the live one' when it is the only one), and its files "
              f"are wherever the link leads, out of the tree's checks"
              for name, to in sorted(linked.items())]
    if previous and not older and previous not in tree["releases"] and previous not in linked and \
            previous not in unread and \
            len(tree["releases"]) < exp.cfg.keep_releases:
        lines.append(f"{exp.cfg.root}/releases/{previous}: gone, though the live release {live} records it as the "
                     f"one it replaced and fewer than keep_releases ({exp.cfg.keep_releases}) are kept (a prune "
                     f"keeps it; someone removed it): no release is left for a rollback (fab rollback: 'no release "
                     f"older than the live one')")
    for rid, r in sorted(tree["releases"].items()):
        if rid == live:
            continue
        broken = []
        python = venv_python_problem(r["python"] if isinstance(r["python"], dict) else {}, rid,
                                     f"/usr/bin/python{exp.stack.python_version}")
        if python:
            broken.append(f"venv/bin/python {python}")
        if r["venv_version"] != exp.stack.python_version:
            broken.append(f"its venv is of Python {r['venv_version']}, the server's mod_wsgi runs "
                          f"{exp.stack.python_version}")
        broken += [f"venv/pyvenv.cfg: {p}" for p in pyvenv_problems(r.get("pyvenv") or {}, "its python's")]
        if not r["module_found"] and r["module"]:  # (no module named: the broken record is release_records')
            broken.append(f"the entry point's module {r['module']!r} is not in venv/{r['site'] or '?'}")
        if r["dist_version"] != r["version"]:
            broken.append(f"site-packages has version {r['dist_version']} of the app, RELEASE.json records "
                          f"{r['version']}")
        broken += [f"its {_describe(rel, st)}, not the link to {exp.cfg.root}/shared/{rel} (after a "
                   f"rollback the app would use that instead of its shared data)" for rel, st in
                   (r.get("shared") or {}).items() if st.get("kind") != "symbolic link" or
                   st.get("target") != f"{exp.cfg.root}/shared/{rel}"]
        broken += _rollback_content(r, exp)
        broken += _against_artifact(facts, rid, r, exp)
        shared = r.get("config_sha256") == (tree["releases"].get(live) or {}).get("config_sha256")
        if r.get("config_kept") is False and not shared:
            broken.append(f"the config it started with (sha256 {r['config_sha256'][:12]}) is no longer kept as it "
                          f"was in {exp.cfg.root}/.configs: a rollback would run it with the live release's config, "
                          f"a pairing never deployed (deploy its version with its config instead)")
        elif r.get("config_kept") is False:  # (nothing needs the copy while the config stays: the next change does)
            broken.append(f"the config it and the live release started with (sha256 {r['config_sha256'][:12]}) is no "
                          f"longer kept as it was in {exp.cfg.root}/.configs (gone, changed or a link): after the next "
                          f"config change a rollback to it, or a refused release's way back, has no config to put "
                          f"back and is refused; keep it again as the deploy login: a regular file "
                          f".configs/{r['config_sha256']} (0600) with the live config's bytes")
        if broken:
            lines.append(f"{exp.cfg.root}/releases/{rid}: " + "; ".join(broken))
    assert not lines, "kept releases a rollback may switch to are broken or not what was deployed (a rollback " \
                      "would switch to code that cannot start, or that someone changed):\n" + "\n".join(lines)


# ---------------------------------------------------------------- security baseline (DevSec, CIS Apache)

def _directive(facts, name: str):
    """The last value of a main-server directive across Apache's files, with its file:line (None: unset)."""
    inv = facts.get("inventory") or {}
    ap = inv.get("apache") or {}
    found = None
    for inc in ap.get("includes", []):
        for d in ((ap.get("files") or {}).get(inc["path"]) or {}).get("directives", []):
            if d["name"] == name:
                found = (d["value"], f"{inc['path']}:{d['line']}")
    return found


def sec_trace(facts, exp):
    _inv_apache(facts, "reading Apache's configuration")
    found = _directive(facts, "traceenable")
    value = (found or ("On (Apache's default)", "unset"))
    assert found and found[0].lower() == "off", \
        f"TraceEnable is {value[0]} ({value[1]}): TRACE echoes a request back, its cookies and auth headers " \
        f"included (cross-site tracing); Debian's security.conf says TraceEnable Off"


def sec_tokens(facts, exp):
    """The Server header names no module or language versions (ServerTokens Full, Apache's default when unset,
    lists mod_wsgi's and Python's). Debian's stock ServerTokens OS (product, version, OS) is accepted."""
    _inv_apache(facts, "reading Apache's configuration")
    found = _directive(facts, "servertokens")
    value = found[0].lower() if found else "full"
    assert value in ("prod", "productonly", "major", "minor", "min", "minimal", "os"), \
        f"ServerTokens is {found[0] if found else 'Full (Apache default)'} ({found[1] if found else 'unset'}): " \
        f"every response names Apache's, mod_wsgi's and Python's versions, a list of known holes for an attacker"


def sec_status(facts, exp):
    """Apache's own status and info pages are not served to the runner (Debian's status.conf: Require local), not
    even when it claims to be the server itself in the headers a proxy sets (X-Forwarded-For, X-Real-IP,
    Forwarded ...: :data:`deploytests.verify.facts.SPOOF_HEADERS`): a server that takes a client's word for its
    address (mod_remoteip trusting the client's network, a SetEnvIf on the header) lets anyone through every IP
    rule."""
    from .facts import SPOOF_HEADERS, SPOOFED

    leaks = []
    for path in EXPOSED:
        resp = facts.responses.get(path)
        if resp is not None and not isinstance(resp, str) and resp.status_code == 200 and \
                resp.headers.get("X-Deploy-Release") is None:
            leaks.append(f"{resp.url}: status 200, {len(resp.content)} bytes (not the app's answer)")
    resp, plain = facts.responses.get(SPOOFED), facts.responses.get("/server-status")
    if not leaks and resp is not None and not isinstance(resp, str) and resp.status_code == 200 and \
            resp.headers.get("X-Deploy-Release") is None:
        leaks.append(f"{resp.url}: status 200, {len(resp.content)} bytes when the request claims the server's own "
                     f"address ({', '.join(f'{k}: {v}' for k, v in SPOOF_HEADERS.items())}), "
                     f"{getattr(plain, 'status_code', plain)} without: Apache takes a client's word for its address "
                     "(mod_remoteip trusting the client's network, a rule on the header): anyone passes every IP "
                     "rule (Require local, Require ip) with one header")
    assert not leaks, "Apache's status/info pages answer from outside the server (every request in flight, " \
                      "client addresses, URLs, the whole configuration):\n" + "\n".join(leaks)


def sec_cors(facts, exp):
    """GET / from the runner as a browser on another site sends it (``Origin:`` a random name of its own) is not
    answered with that origin in ``Access-Control-Allow-Origin`` and ``Access-Control-Allow-Credentials: true``:
    else any site a logged-in user visits reads the app's answers with that user's cookies. Judged by the answer,
    whatever file (or the app) says it; the lines in force that set the header are named."""
    from .facts import CROSS_ORIGIN

    if not getattr(facts, "responses", None):  # the runner does not reach this host's site
        raise NotApplicable(f"GET / was not made: the runner has no base_url for {facts.label}")
    resp = facts.responses.get(CROSS_ORIGIN)
    if resp is None or isinstance(resp, str):
        raise NotApplicable(f"GET / with an Origin header was not answered: {resp or 'not made'} (the site's own "
                            f"checks say why)")
    origin = resp.request.headers.get("Origin")
    allowed = resp.headers.get("Access-Control-Allow-Origin")
    credentials = (resp.headers.get("Access-Control-Allow-Credentials") or "").strip().lower() == "true"
    if allowed != origin or not credentials:
        return
    try:
        where = [d.where for d in _in_force(facts, exp, "reading Apache's configuration")[1]
                 if d.name in ("header", "requestheader") and "access-control-allow-origin" in d.args.lower()]
    except NotApplicable:
        where = []
    raise AssertionError(
        f"GET {resp.url} with Origin: {origin} (a site the app never heard of) -> Access-Control-Allow-Origin: "
        f"{allowed} and Access-Control-Allow-Credentials: true: any web site a logged-in user visits reads the "
        f"app's answers with that user's cookies (their data, CSRF tokens) and acts as them" +
        (f"; set at {', '.join(where)}" if where else " (no Header line in force sets it: the app does)") +
        ": answer only a fixed list of trusted origins, or drop the credentials header")


def _run_as(facts, exp) -> list[str]:
    """What Apache's configuration (``apache2ctl -D DUMP_RUN_CFG``) makes its workers run with, when not the stack's
    Apache user and that user's own group: named with what it gives every module and every request Apache serves."""
    run = ((facts.get("inventory") or {}).get("apache") or {}).get("run") or {}
    want = exp.stack.apache.run_user
    known = getattr(getattr(facts, "raw", None), "users", None)
    group = ((known.facts(want) if known else None) or {}).get("group") or want
    reach = dict(_reaching_groups(facts, exp), **{_group_of(facts, "app"): "the app's group: they read the app's "
                                                  "config (its secrets) and write its data"})
    found = [f"Apache's workers run as user {run['user']} (a hole in any module acts as it)"
             for _ in [0] if run.get("user") and run["user"] != want]
    found += [f"Apache's workers run with group {run['group']}: {reach.get(run['group'], OTHER_GROUP)}"
              for _ in [0] if run.get("group") and run["group"] != group]
    return found


def sec_apache_user(facts, exp):
    """Apache's workers (its root parent's children but the app's mod_wsgi daemons) run as the stack's Apache user,
    read from /proc, whatever the configuration (envvars, a ``User`` line) says; no allowance changes it."""
    _needs_root(facts, "reading Apache's processes")
    parents, want = _apache_parents(facts), exp.stack.apache.run_user
    daemons = {d["pid"] for d in facts.get("daemons") or []} | set(_others_daemons(facts, exp))  # (its user's)
    workers = [p for p in facts.get("apache") or [] if p["ppid"] in parents and p["pid"] not in daemons]
    if not workers:
        raise NotApplicable("Apache has no worker processes to read the user of")
    why = {"root": "a hole in any module is root on the server",
           exp.cfg.app_user: "they read the app's config (its secrets) and write its data: a hole in any module, or "
                             "any request Apache serves itself, acts as the app",
           exp.deploy_user: "they can change every release: a hole in any module is a deploy"}
    other = "a user the gate does not expect: whatever it may read or write, every request may"
    users = {p["user"] for p in workers} - {want}
    if want in {p["user"] for p in workers}:  # an app-user child not named yet is a daemon starting, not a worker
        users.discard(exp.cfg.app_user)
    lines = [f"- {u}: pids {sorted(p['pid'] for p in workers if p['user'] == u)[:5]}: {why.get(u, other)} "
             f"(Apache's envvars APACHE_RUN_USER or a User line says so; restart Apache after fixing it)"
             for u in sorted(users)]
    run = ((facts.get("inventory") or {}).get("apache") or {}).get("run", {})
    configured = run.get("user")
    if run.get("group") and not any(p.endswith("/envvars") for p in unaccounted_apache_files(facts, exp)):
        lines += [f"- {ln} (Apache's configuration says so: a Group line, envvars' APACHE_RUN_GROUP)"
                  for ln in _run_as(facts, exp) if "group" in ln.split(":")[0]]  # (envvars changed: its line)
    if configured and configured != want:  # not in force yet: the next start (a reboot, a restart) applies it
        lines.append(f"- {configured}: Apache's configuration (apache2ctl -D DUMP_RUN_CFG) sets its run user to "
                     f"{configured}: the next start runs the workers so: {why.get(configured, other)}")
    assert not lines, f"Apache's workers do not run as the stack's Apache user {want}:\n" + "\n".join(lines)


# ---------------------------------------------------------------- who becomes root; whose login stops; the host

KEY_LOGINS = ("yes", "prohibit-password", "without-password", "forced-commands-only")  # root logs in with a key
ACCOUNT_HORIZON = 30  # days: an account or password that stops within this is a finding (the next release's)


def _accounts(facts, what: str):
    """Every account with its hash-free shadow entry (the root collector's), or skip."""
    from .logins import accounts

    _needs_root(facts, what)
    snap = _snapshot(facts, what)
    if snap.raw.get("shadow") is None:
        raise NotApplicable(f"/etc/shadow was not read: {(snap.raw.get('errors') or {}).get('/etc/shadow')}")
    return snap, accounts(snap.text("/etc/passwd") or "", snap.raw["shadow"])


def _sshd_values(facts, snap, key: str) -> list[tuple[str, str]]:
    """``[(value, where)]`` of an sshd keyword as its next start reads it, globally and in every Match block, for
    the files and for each running server's own arguments (unset: ``[]``)."""
    from .logins import sshd_config, sshd_listeners
    from .mechanisms import texts

    raw = texts(facts) or {}
    cfgs = [sshd_config(raw, snap.dirs)] + [sshd_config(raw, snap.dirs, argv=argv, where=f"pid {pid}'s command line")
                                            for pid, argv in sorted(sshd_listeners(snap.raw.get("proc") or {}).items())]
    return [v for cfg in cfgs for v in [cfg.first.get(key)] + [b.get(key) for _, _, b in cfg.matches] if v]


def cw_become(facts, exp):
    """Who becomes root (or another account) outside sudoers and group names: no account but root has uid 0 or
    gid 0, nor a second name for any account's uid (its rights are the uid's); the accounts come from the files
    alone (:func:`account_sources`); no account that runs commands has an empty password (Debian's pam_unix
    ``nullok``: anyone su's to it without one) or a hash in the world-readable /etc/passwd; root's authorized_keys
    is root's alone and holds no key of the deploy login while sshd lets root log in with a key (PermitRootLogin,
    Debian's default prohibit-password); nor does the gate's login (sudo: root), when it is not the deploy login."""
    from .logins import key_blobs

    snap, accts = _accounts(facts, "reading /etc/shadow")
    lines, first = [], {}  # type: list[str], dict[int, str]
    for a in accts:
        owner = "root" if a.uid == 0 else first.setdefault(a.uid, a.name)  # (the uid's first name owns its rights)
        if owner != a.name:
            lines.append(f"{a.name} (/etc/passwd): uid {a.uid}: {owner} under another name: whoever logs in as it "
                         f"or su's to it (password {a.password}, shell {a.shell or '/bin/sh'}) is {owner}, with "
                         f"{owner}'s files, sudo rules and keys")
        elif a.gid == 0 and a.name != "root":
            lines.append(f"{a.name} (/etc/passwd): primary group 0 (root's): its processes write root's "
                         f"group-writable files")
        if a.password == "empty" and (a.runs_commands or a.uid == 0):
            lines.append(f"{a.name}: empty password field: with pam_unix's nullok (Debian's common-auth) any local "
                         f"user, the app user too, su's to {a.name} without a password"
                         + (": root" if a.uid == 0 else ""))
        elif a.password == "in passwd":
            lines.append(f"{a.name}: a password hash in /etc/passwd, which every user reads: it is cracked "
                         f"offline")
    mine = {b: f"{p}:{n}" for p, text in deploy_login_keys(facts).items() for b, n in key_blobs(text).items()}
    allowed = [(v, w) for v, w in _sshd_values(facts, snap, "permitrootlogin") if v.lower() in KEY_LOGINS]
    default = not _sshd_values(facts, snap, "permitrootlogin")  # unset: OpenSSH's prohibit-password
    from . import collect_root as R

    for path in [p for p in R.ROOT_FILES if "/authorized_keys" in p]:
        st = snap.st(path)
        if st is None:
            continue
        if stat.S_ISLNK(st[0]):
            lines.append(f"{path} -> {(snap.files.get(path) or {}).get('link')}: a link root's collector does not "
                         f"follow: the keys that log in as root are not known")
            continue
        if st[1] != 0 or st[0] & 0o022:
            lines.append(f"{snap.lstat_facts(path)['owner']} owns or may write {path} "
                         f"({'%04o' % (st[0] & 0o7777)}): whoever writes it logs in as root")
            continue
        if stat.S_ISREG(st[0]) and snap.data(path) is None:
            lines.append(f"{path}: not read ({(snap.files.get(path) or {}).get('why')}): the keys that log in as "
                         f"root are not known")
        for blob, n in key_blobs(snap.text(path) or "").items():
            if blob in mine and (allowed or default):
                how = f"{allowed[0][1]}: PermitRootLogin {allowed[0][0]}" if allowed else \
                    "PermitRootLogin unset (prohibit-password)"
                lines.append(f"{path}:{n}: the key of {mine[blob]} logs in as root ({how}): whoever holds the "
                             f"deploy login's key (CI) is root")
    lines += _password_logins(facts, snap, accts, exp)
    login = facts.get("login") or ""
    keys = {p: (snap.text(p) or "", "root") for p in R.ROOT_FILES if "/authorized_keys" in p and (allowed or default)}
    if login and login != exp.deploy_user and facts.get("as_root"):  # the gate's login: sudo, so root
        for path, text in sorted((snap.raw.get("own_keys") or {}).items()):
            keys[path] = (text, f"{login}, who becomes root (sudo)")
            lines += [f"{path}:{n}: the key of {mine[blob]} logs in as {login}, who becomes root (sudo): whoever "
                      f"holds the deploy login's key (CI) is root"
                      for blob, n in key_blobs(text).items() if blob in mine]
    env_on = any(v.lower() != "no" for v, _ in _sshd_values(facts, snap, "permituserenvironment"))
    lines += _key_command_lines(snap, keys, exp.cfg.root, env_on)
    lines += minted_logins(facts, exp, snap, bool(allowed or default), mine)
    lines += key_grants(facts, exp, snap, bool(allowed or default))
    from .grants import broker_grants
    from .parse import shipped_files

    lines += [f"{line}. " + _allow_hint(exp, "allow_sudo", text) for text, line in
              broker_grants(snap, shipped_files(snap)) if text not in exp.allow.sudo]
    from .pins import hint

    lines += [ln if not src else f"{ln}; or, if that source is meant to be trusted with them, "
              f"{hint(exp, 'allow_sudo', src)}" for src, ln in account_sources(snap) if src not in exp.allow.sudo]
    _unaccounted("way[s] to become root outside sudoers", lines, "cw_become", exp)


ACCOUNT_DBS = ("passwd", "group", "shadow", "gshadow", "initgroups", "sudoers")
LOCAL_SOURCES = ("files", "compat", "systemd")


def account_sources(snap) -> list[tuple[str, str]]:
    """``(the allowance, its line)`` per source of accounts, groups, passwords or sudo rules that
    ``/etc/nsswitch.conf`` adds beyond the local files (``files``, ``compat``) and systemd's (its dynamic users,
    never a login): every rule on accounts here reads /etc/passwd, /etc/group, /etc/shadow and the sudoers files,
    so an account, a uid, a membership, a password hash or a sudo rule from another source (extrausers' files,
    LDAP, sss, a database) is not known: whoever writes there mints logins, root's uid or the admin's among them.
    A directory its owner trusts with them is allowed in writing (``allow_sudo = ["nsswitch: sss"]``): the gate
    still judges every local account, group, key and rule. The file not read (when it exists) is a line too."""
    text, st = snap.text("/etc/nsswitch.conf"), snap.st("/etc/nsswitch.conf")
    if text is None:
        return [("", "/etc/nsswitch.conf: not read: where the accounts come from is not known")] if st else []
    by_source = {}  # type: dict[str, list[tuple[int, str]]]  # (one source, one line: its databases)
    for n, line in enumerate(text.splitlines(), 1):
        db, _, rest = line.split("#", 1)[0].partition(":")
        for src in (w for w in re.sub(r"\[[^]]*\]", " ", rest).split() if w not in LOCAL_SOURCES):
            if db.strip() in ACCOUNT_DBS:
                by_source.setdefault(src, []).append((n, db.strip()))
    return [(f"nsswitch: {src}", f"/etc/nsswitch.conf:{where[0][0]}: {', '.join(d for _, d in where)} from {src} "
             f"too (line{'s' if len(where) > 1 else ''} {', '.join(str(n) for n, _ in where)}), which the gate never "
             f"reads: an account, group, password hash or sudo rule made there (the admin's uid, a member of sudo) is "
             f"not known; whoever writes that source mints logins. Keep them to files (and systemd)")
            for src, where in by_source.items()]


def deploy_login_keys(facts) -> dict[str, str]:
    """``{path: text}`` of the deploy login's ``authorized_keys(2)`` as the tree reader read them (each a list of
    its lines: a text would reach the runner as one line)."""
    return {p: "\n".join(v) if isinstance(v, list) else v or "" for p, v in (facts.get("login_keys") or {}).items()}


def _key_texts(snap, name: str, uid: int, home: str) -> dict[str, str | None]:
    """``{path: text}`` of the key files sshd reads for the login ``name`` -- ``~/.ssh/authorized_keys(2)`` and each
    file ``AuthorizedKeysFile`` names for it (``collect_login.key_files``, expanded as the root collector does) --
    as the probe saw them: a file read, its text; a file there (or not looked at) but not read, None; a file found
    absent, left out."""
    from .collect_login import key_files

    home = posixpath.normpath(home or "/")
    paths = [f"{home.rstrip('/')}/.ssh/authorized_keys", f"{home.rstrip('/')}/.ssh/authorized_keys2"]
    found = {}  # type: dict[str, str | None]
    for path in dict.fromkeys(paths + key_files({"files": snap.files, "dirs": snap.dirs}, name, uid, home)):
        entry = snap.files.get(path) or {}
        if "data" in entry or entry.get("why") != os.strerror(errno.ENOENT):
            found[path] = snap.text(path)
    return found


def _key_file_unread(snap, path: str) -> str | None:
    """Why the key file ``path`` the probe did not read is one sshd reads all the same (its ``why``: a link on its
    way, which root's collector never follows and sshd does; a second name, which root does not read; past the
    bound; not looked at), or None when sshd takes nothing from it either: not there, a name on its way not a
    directory (``ENOTDIR``), or not a regular file (a directory, a FIFO: sshd's ``auth_openfile`` refuses it)."""
    entry = snap.files.get(path) or {}
    why, st = entry.get("why") or ("not looked at" if "data" not in entry else None), entry.get("st")
    if why in (None, os.strerror(errno.ENOENT), os.strerror(errno.ENOTDIR)) or \
            st and not (stat.S_ISREG(st[0]) or stat.S_ISLNK(st[0])):
        return None
    return why + (f", {path} -> {entry['link']}" if entry.get("link") else "")


def admin_keys(facts, exp, snap) -> dict[str, tuple[str, dict[str, str | None]]]:
    """``{login: (who, {path: text})}`` of every login that may become root (:func:`sockets.root_capable`: a
    sudoers rule, a root-reaching group) other than root, the gate's login and the deploy login (their keys are
    read as they are), with a login shell: the key files sshd reads for it (:func:`_key_texts`), which only root may
    read (a second admin's ``authorized_keys``, 0600 in its home): the root collector's (``collect_root.keys``).
    Empty when the gate's login did not become root (nothing was read)."""
    from .sockets import root_capable

    if not facts.get("as_root"):
        return {}
    found = {}
    for uid, who in sorted(root_capable(facts, snap).items()):
        name = snap.users.name(uid)
        f = snap.users.facts(name) or {}
        if uid and name not in (facts.get("login"), exp.deploy_user) and f.get("shell") not in \
                exp.stack.nologin_shells and (f.get("home") or "").startswith("/"):
            found[name] = (who, _key_texts(snap, name, uid, f["home"]))
    return found


def key_grants(facts, exp, snap, root_by_key: bool) -> list[str]:
    """A line per login that deploys or may become root -- the deploy login, the gate's login (sudo), root (while
    sshd lets root log in with a key) -- that a key opens which is neither the one this gate logged in with
    (``runner_key``: what the SSH transport authenticated with) nor allowed in writing (``allow_keys``,
    ``"LOGIN SHA256:FP"``); and a line for a user CA sshd trusts (``TrustedUserCAKeys``: it signs certificates
    for any of them; ``"* SHA256:FP"``). Each key is named by file:line, type, fingerprint, comment and options
    (``from=``, ``command=``, ``cert-authority`` ...). The keys are read as the gate may: the login's own files
    (its ``authorized_keys(2)`` and what ``AuthorizedKeysFile`` names), the deploy login's through the tree
    reader, root's and every other login's that may become root by the root collector (:func:`admin_keys`); without
    root those logins' keys, and a key file not read, are said in the drift section (``facts.notes``): not known."""
    from . import collect_root as R
    from .logins import fingerprint, key_entries
    from .rootacts import view
    from .sockets import root_capable

    runner, login, deploy = facts.get("runner_key") or "", facts.get("login") or "", exp.deploy_user
    capable = {snap.users.name(uid): who for uid, who in root_capable(facts, snap).items()}
    own = snap.raw.get("own_keys") or {}
    opened = {}  # type: dict[str, tuple[str, dict]]  # login -> (what whoever holds a key of it does, {path: text})
    deploy_keys = own if login == deploy else deploy_login_keys(facts) if facts.get("login_keys") is not None else None
    if deploy_keys is None:
        facts.notes.append(f"{deploy} (the deploy login): its keys were not read "
                           f"({(facts.get('errors') or {}).get('login_keys')}): who may deploy is not known")
    else:
        sudo = capable.get(deploy, "").partition(", who ")[2]
        opened[deploy] = (f"logs in as {deploy}, who deploys the app's code" + (f" and {sudo}" if sudo else ""),
                          deploy_keys)
    if login and login != deploy and facts.get("as_root"):
        opened[login] = (f"logs in as {login}, the gate's login, who becomes root (sudo)", own)
    if root_by_key:
        opened["root"] = ("logs in as root", {p: snap.text(p) for p in R.ROOT_FILES if "/authorized_keys" in p} | (
            _key_texts(snap, "root", 0, (snap.users.facts("root") or {}).get("home") or "/root")
            if facts.get("as_root") else {}))  # (and what AuthorizedKeysFile names for root: /etc/ssh/keys/root)
    opened.update((name, (f"logs in as {who}", files)) for name, (who, files) in admin_keys(facts, exp, snap).items())
    for name, who in sorted(capable.items()):
        shell = (snap.users.facts(name) or {}).get("shell")
        if name not in opened and name != "root" and shell not in exp.stack.nologin_shells:
            facts.notes.append(f"{name} ({who}): the keys that open it are its own, which only root may read, and "
                               f"the gate's login did not become root here: who may log in as it, and so be root, "
                               f"is not known here")
    acts = view(snap)
    cas = {p: acts.text(p) for v, _ in _sshd_values(facts, snap, "trustedusercakeys") for p in v.split()
           if p.startswith("/")}
    if cas:
        opened["*"] = ("signs a certificate for any login sshd takes one for (TrustedUserCAKeys): root's where "
                       "PermitRootLogin lets keys in, the deploy login's, every sudo login's", cas)
    lines = key_sources(facts, exp, snap, {deploy: f"logs in as {deploy}, who deploys the app's code"} | {
        n: w for n, (w, _) in opened.items() if n != "*"} | {
        n: f"logs in as {who}" for n, who in capable.items() if n not in opened and n != "root" and
        (snap.users.facts(n) or {}).get("shell") not in exp.stack.nologin_shells})
    for name, (what, files) in sorted(opened.items()):
        found, entries = [], []
        for path, text in sorted(files.items()):
            text = snap.text(path) if text is None and name != "*" else text  # (the login's own, not read: root's)
            blind = _key_file_unread(snap, path) if text is None and (name != "root" or snap.st(path)) else None
            if blind and (name == "*" or path in R.ROOT_FILES or f"{name} {path}" in exp.allow.keys):
                facts.notes.append(f"{path}: not read ({blind}): the keys that open {name} there are not known")
            elif blind:  # (root's own file not read: cw_become's line; a CA's file: the CA rules')
                lines.append(f"{name}: {path}: not read by the gate ({blind}), and sshd reads it at every key login "
                             f"of {name}: the keys there are not known, and whoever holds one {what}. Put the keys in "
                             f"a regular file with one name, in place (no link on its way), or, if that file is meant "
                             f"to be there unread, allow it: allow_keys = {json.dumps([f'{name} {path}'])} in "
                             f"{exp.allow.where}")
            for n, opts, kind, blob, comment in key_entries(text or ""):
                fp = fingerprint(blob)
                if blob and (blob == runner.partition(" ")[2] or f"{name} {fp}" in exp.allow.keys):
                    continue
                unread = (f"{path}:{n} a line of {count(len(opts), 'character')} the gate does not read as a key (sshd "
                          f"may; not shown: a private key pasted there is a secret)")
                found.append(f"{path}:{n} {kind} {fp} {comment or '(no comment)'}"
                             + (f" [{opts[:160]}]" if opts else "") if blob else unread)
                entries += [f"{name} {fp}"] if blob else []
        if found:
            lines.append(f"{'a user CA sshd trusts' if name == '*' else name}: {count(len(found), 'key')} beyond the "
                         f"one this gate logs in with: {'; '.join(found)}: whoever holds one {what}. If each is "
                         f"meant to be there, allow it: allow_keys = {json.dumps(list(dict.fromkeys(entries)))} in "
                         f"{exp.allow.where}" + ("; write a line the gate does not read as one key line per key "
                                                 "(options, type, base64, comment), or remove it"
                                                 if len(entries) < len(found) else ""))
    return lines


# where sshd takes what opens a login from besides its key files (sshd_config(5)): a program's output, and for a
# certificate of a CA it trusts (TrustedUserCAKeys), the principals it accepts for the login (unset: its own name)
KEY_SOURCES = {"authorizedkeyscommand": "sshd runs it at each key login and takes every key it prints as opening "
                                        "the login",
               "authorizedprincipalsfile": "sshd takes a certificate of a CA it trusts (TrustedUserCAKeys) as "
                                           "opening the login for every principal that file lists, not only the "
                                           "login's own name",
               "authorizedprincipalscommand": "sshd runs it at each certificate login and takes a certificate of a "
                                              "CA it trusts (TrustedUserCAKeys) for every principal it prints"}


def key_sources(facts, exp, snap, logins: dict[str, str]) -> list[str]:
    """A line per sshd setting in force for a login of ``logins`` (name -> what whoever gets in does) that hands
    out what opens it beyond its key files, which the gate reads (:data:`KEY_SOURCES`: an
    ``AuthorizedKeysCommand``; ``AuthorizedPrincipalsFile`` and ``AuthorizedPrincipalsCommand`` where a
    ``TrustedUserCAKeys`` is in force for it), as its next start reads it (each running server's own arguments
    too; a Match block that may apply counts), unless allowed in writing (``allow_keys``: ``"LOGIN Keyword
    value"``, the value as written). What such a source answers is a directory's or a program's, not a file the
    gate can judge key by key: deny by default, one line per setting naming every login it opens."""
    from .logins import SSHD_CONFIG, setting_for, sshd_config, sshd_listeners
    from .mechanisms import texts

    raw = texts(facts) or {}
    if SSHD_CONFIG not in raw:
        return []
    cfgs = [sshd_config(raw, snap.dirs)] + [sshd_config(raw, snap.dirs, argv=argv, where=f"pid {pid}'s command line")
                                            for pid, argv in sorted(sshd_listeners(snap.raw.get("proc") or {}).items())]
    found = {}  # type: dict[tuple[str, str, str], list[str]]  # (keyword, value, where) -> the logins it opens
    for cfg in cfgs:
        for name in sorted(logins):
            groups = (snap.users.facts(name) or {}).get("groups") or [name]
            ca = setting_for(cfg, "trustedusercakeys", name, groups)
            for key in KEY_SOURCES:
                value, where = setting_for(cfg, key, name, groups) or ("none", "")
                if value.lower() == "none" or key != "authorizedkeyscommand" and (ca or ("none",))[0].lower() == \
                        "none" or f"{name} {SSHD_NAMES[key]} {value}" in exp.allow.keys:
                    continue
                got = found.setdefault((key, value, where), [])
                got += [name] if name not in got else []
    return [f"{where}: {SSHD_NAMES[key]} {value}: {KEY_SOURCES[key]}, which the gate does not see: whoever it "
            f"answers for {'; '.join(logins[n] for n in names)}. If it is meant to be there, allow it: allow_keys = "
            f"{json.dumps([f'{n} {SSHD_NAMES[key]} {value}' for n in names])} in {exp.allow.where}"
            for (key, value, where), names in found.items()]


def minted_logins(facts, exp, snap, root_by_key: bool, deploy_keys: dict) -> list[str]:
    """SSH trust anchors a less trusted party can mint credentials from: a user CA sshd trusts
    (``TrustedUserCAKeys``, any block) whose private half by ssh-keygen's name (``ca`` beside ``ca.pub``) the
    deploy login, the app user, Apache's user or any local user may read, and every key that opens root (its
    ``authorized_keys`` while sshd lets root log in with a key), the gate's login (sudo) or any login by a CA
    certificate whose private key the deploy login may read (the tree reader's ``held_keys``: the private keys
    it, as the deploy user, found readable in its home and the app's tree, by their public halves; never
    decrypted). The deploy login's own keys that open root are the caller's line (``deploy_keys``)."""
    from . import collect_root as R
    from .logins import key_blobs
    from .rootacts import view
    from .sockets import may_open, parties

    held = facts.get("held_keys") or {}
    lines = [f"private keys the deploy login may read: {why}: not all looked at" for p, why in held.items()
             if p == "(bound)"]
    by_blob = {b: p for p, b in sorted(held.items()) if p != "(bound)" and b != "?"}
    acts, anchors = view(snap), []  # (key, where, what it opens)
    who = parties(snap, {"the deploy login": exp.deploy_user, "the app user": exp.cfg.app_user,
                         "Apache's user": exp.stack.apache.run_user})
    for value, where in _sshd_values(facts, snap, "trustedusercakeys"):
        for path in [p for p in value.split() if p.startswith("/")]:
            what = (f"a user CA sshd trusts ({where}: TrustedUserCAKeys): its holder signs a certificate for any "
                    f"login sshd accepts one for, root's too where PermitRootLogin lets keys in")
            anchors += [(blob, f"{path}:{n}", what) for blob, n in key_blobs(acts.text(path) or "").items()]
            key = path[:-4] if path.endswith(".pub") else ""
            readers = [w for w, (uid, gids) in who.items() if key and may_open(acts, key, uid, gids, 4)]
            if readers:
                f = acts.lstat_facts(key)
                lines.append(f"{where}: TrustedUserCAKeys {path}: its private key {key} ({f['mode']} "
                             f"{f['owner']}:{f['group']}) may be read by {', '.join(readers)}: whoever reads it "
                             f"signs a certificate for any login sshd accepts one for (root's too where "
                             f"PermitRootLogin lets keys in)")
    if root_by_key:
        for path in [p for p in R.ROOT_FILES if "/authorized_keys" in p]:
            anchors += [(b, f"{path}:{n}", "it logs in as root") for b, n in key_blobs(snap.text(path) or "").items()]
    login = facts.get("login") or ""
    if login and login != exp.deploy_user and facts.get("as_root"):
        anchors += [(b, f"{p}:{n}", f"it logs in as {login}, who becomes root (sudo)")
                    for p, text in sorted((snap.raw.get("own_keys") or {}).items())
                    for b, n in key_blobs(text).items()]
    for blob, where, what in anchors:
        if blob in by_blob and blob not in deploy_keys:
            lines.append(f"{where}: {what}; its private key {by_blob[blob]} is readable by the deploy login "
                         f"{exp.deploy_user} (the gate read it as that user): whoever holds that login (every "
                         f"release's code it runs, its SSH key) mints or uses it")
    return list(dict.fromkeys(lines))


def _key_command_lines(snap, keys: dict, root: str, env_on: bool = False) -> list[str]:
    """A line for each ``command="..."`` of a key that logs in as root (or as a login that becomes root) that runs
    what someone but root may change, or code from the app's tree: sshd runs it for every login with that key, as
    ``ForceCommand`` (judged as root's jobs are: ``rootacts.command_problem`` on root's ``lstat``). One that only
    names the tree (a backup's ``rrsync -ro .../shared``) is no finding: reading it is what that key is for.
    ``env_on`` (PermitUserEnvironment): each ``environment="NAME=value"`` of such a key is judged as a variable
    set before what that login runs (``NAME=value cmd``: LD_PRELOAD, BASH_ENV, PYTHONPATH naming another's file)."""
    from .logins import key_commands
    from .rootacts import command_problem, view

    acts = view(snap)
    lines = [f"{path}:{n}: command=\"{cmd[:160]}\": sshd runs it as {who} for every login with that key; it {bad}"
             for path, (text, who) in sorted(keys.items()) for n, cmd in key_commands(text)
             for bad, runs in [command_problem(acts, cmd, root) or ("", False)] if bad and runs]
    return lines + [f"{path}:{n}: environment=\"{env[:160]}\": sshd sets it (PermitUserEnvironment) for every login "
                    f"with that key, as {who}, before its shell and commands run; it {bad}"
                    for path, (text, who) in sorted(keys.items()) if env_on
                    for n, env in key_commands(text, "environment")
                    for bad, runs in [command_problem(acts, f"{env} /bin/sh", root) or ("", False)] if bad]


def _password_logins(facts, snap, accts, exp) -> list[str]:
    """A line for each login that holds the releases or root (the deploy login, the gate's login, the app user)
    and that sshd lets in with a password alone (its shadow entry holds one; ``logins.password_route``): one
    guessed, phished or reused password stands for the key the deploy meant. (The app user's password login set in
    a Match block is cw_sshd's line.)"""
    from .logins import match_applies, password_route, sshd_config, sshd_listeners
    from .mechanisms import texts

    raw = texts(facts) or {}
    cfgs = [sshd_config(raw, snap.dirs)] + [sshd_config(raw, snap.dirs, argv=argv, where=f"pid {pid}'s command line")
                                            for pid, argv in sorted(sshd_listeners(snap.raw.get("proc") or {}).items())]
    who = {exp.deploy_user: "the deploy login: it changes every release", exp.cfg.app_user: "the app user: its "
           "data and its config's secrets"}
    if facts.get("login") and facts.get("as_root"):
        who.setdefault(facts.get("login"), "the gate's login: it becomes root (sudo)")
    by_name = {a.name: a for a in reversed(accts)}
    lines = []
    for name, holds in who.items():
        a = by_name.get(name)
        if a is None or a.password != "set" or not a.runs_commands:
            continue
        groups = (snap.users.facts(name) or {}).get("groups") or [name]
        route = next((r for r in (password_route(cfg, name, groups) for cfg in cfgs) if r), None)
        in_match = any(match_applies(c, name, groups) and b.get(k, ("",))[0].lower() == "yes" for cfg in cfgs
                       for c, _, b in cfg.matches for k in ("passwordauthentication", "kbdinteractiveauthentication",
                                                            "challengeresponseauthentication"))
        if route and not (name == exp.cfg.app_user and in_match):
            lines.append(f"{name}: a password in /etc/shadow, and sshd takes it for a login: {route}: whoever "
                         f"guesses or reuses it logs in as {holds}, no key needed (PasswordAuthentication no, or "
                         f"lock the password: passwd -l {name})")
    # every other account with a shell sshd lets in with a password alone: the network's way to a shell on the
    # app's server by guessing (DevSec ssh-baseline: PasswordAuthentication no), whoever the account is. Root's is
    # cw_sshd's (PermitRootLogin); an admin's password login meant to be there is written down, by login
    for a in accts:
        if a.name in who or a.uid == 0 or a.password != "set" or not a.runs_commands or \
                f"{a.name} password" in exp.allow.keys:
            continue
        groups = (snap.users.facts(a.name) or {}).get("groups") or [a.name]
        route = next((r for r in (password_route(cfg, a.name, groups) for cfg in cfgs) if r), None)
        if route:
            lines.append(f"{a.name}: a password in /etc/shadow, a shell ({a.shell or '/bin/sh'}), and sshd takes "
                         f"the password for a login: {route}: whoever guesses or reuses it from the network has a "
                         f"shell on the app's server (what every local user reads and runs; the app's daemon "
                         f"socket's and the kernel's attack surface) with no key (PasswordAuthentication no, or "
                         f"lock it: passwd -l {a.name}). If it is meant to be so, allow it: allow_keys = "
                         f"{json.dumps([a.name + ' password'])} in {exp.allow.where}")
    return lines


def cw_deploy_account(facts, exp):
    """The deploy login (and the gate's) keep logging in: no account expiry, password end of life or forced
    password change past or within :data:`ACCOUNT_HORIZON` days (shadow fields 3, 5, 7, 8; for the gate's login,
    an admin's whose password a policy may age on purpose: within its own warning days, field 6, as login warns),
    not locked (``!``) where sshd does not use PAM, a shell that runs commands."""
    import datetime

    from .logins import account_stops

    snap, accts = _accounts(facts, "reading /etc/shadow")
    today = int(float(snap.raw.get("time") or 0) // 86400)
    by_name = {a.name: a for a in reversed(accts)}
    who = {exp.deploy_user: ("every deploy and rollback", None)}
    who.setdefault(facts.get("login") or exp.deploy_user, ("this gate and bootstrap", 7))
    pam = [v for v, _ in _sshd_values(facts, snap, "usepam")]
    lines = []
    for name, (uses, warn) in who.items():
        a = by_name.get(name)
        if a is None:
            continue
        horizon = ACCOUNT_HORIZON if warn is None else a.warn_days if a.warn_days is not None else warn
        for day, what in account_stops(a, today):
            if day <= today + horizon:
                date = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
                when = f"since {date}" if day <= today else f"on {date} (in {day - today} days)"
                lines.append(f"{name}: {what} {when}: {uses} {'fail' if day <= today else 'will fail'} at login "
                             f"from then on (chage -l {name})")
        if a.password == "locked" and not any(v.lower() == "yes" for v in pam):
            lines.append(f"{name}: locked (passwd -l: '!' in /etc/shadow) and sshd does not use PAM (UsePAM "
                         f"{pam[0] if pam else 'unset'}): sshd refuses it, keys too: {uses} fail")
        if not a.runs_commands:
            lines.append(f"{name}: shell {a.shell}: no command runs as it: {uses} fail")
    _unaccounted("account[s] the pipeline logs in as that stop[s|] logging in", lines, "cw_deploy_account", exp)


def _mode_lines(snap, paths, bad: int, means: str, groups=("root",)) -> list[str]:
    """A line for each of ``paths`` the snapshot holds whose owner is not root, whose group is not one of
    ``groups`` when the group has bits, or whose mode has a bit of ``bad``, or whose POSIX ACL gives a named user,
    or a group not in ``groups``, read (its mask permitting: :func:`acl_readers`)."""
    lines = []
    for path in paths:
        st, f = snap.st(path), snap.lstat_facts(path)
        if st is None or stat.S_ISLNK(st[0]):
            continue
        wrong = st[0] & bad or st[1] != 0 or (st[0] & 0o070 and f["group"] not in groups)
        acl = [e for e in acl_readers((snap.files.get(path) or {}).get("acl"), snap.users)
               if e not in {f"group:{g}" for g in groups}]
        if wrong or acl:
            lines.append(f"{path} ({f['mode']} {f['owner']}:{f['group']}" + (
                f", ACL {', '.join(a + ':r' for a in acl)}: the mode bits do not show it" if acl else "") +
                f"): {means}")
    return lines


def acl_readers(hexed: str | None, users) -> list[str]:
    """``user:NAME`` / ``group:NAME`` of each named entry of a POSIX ACL (the kernel's
    ``system.posix_acl_access`` bytes, as hex: version 2, then tag/perm/id entries) that may read, its mask
    permitting; the owner's, the owning group's and others' entries are the mode's."""
    import struct

    data = bytes.fromhex(hexed) if hexed else b""
    entries = [struct.unpack_from("<HHI", data, at) for at in range(4, len(data) - 7, 8)] if data[:4] == \
        b"\x02\x00\x00\x00" else []
    mask = next((perm for tag, perm, _ in entries if tag == 0x10), 7)
    return [f"user:{users.name(i)}" if tag == 0x02 else f"group:{users.group(i)}" for tag, perm, i in entries
            if tag in (0x02, 0x08) and perm & mask & 4]


SECRETS = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-")


def swap_areas(snap) -> list[str]:
    """The swap areas boot turns on, as the login collector recorded them (:func:`collect_login.swaps`): the
    absolute first field of each ``/etc/fstab`` line of type ``swap``, each ``What=`` of a ``.swap`` unit read."""
    found = [f[0] for f in (ln.split() for ln in (snap.text("/etc/fstab") or "").splitlines())
             if len(f) > 2 and f[2] == "swap" and f[0].startswith("/")]
    for path in sorted(p for p in snap.files if p.endswith(".swap")):
        found += re.findall(r"(?m)^[ \t]*What[ \t]*=[ \t]*(/[^\s\x00]+)", snap.text(path) or "")
    return list(dict.fromkeys(found))


def sec_secrets(facts, exp):
    """The password hashes (/etc/shadow, /etc/gshadow and their backups: Debian's 0640 root:shadow) and the SSH
    server's host private keys (/etc/ssh/ssh_host_*_key and every HostKey: 0600 root) are root's and readable by
    no one else (their group: shadow, root). Read by ``lstat`` (sshd 9.8+ keeps serving with readable keys).
    Root's home lets no one else in (Debian's 0700). Every swap area boot turns on (an ``/etc/fstab`` swap line, a
    ``.swap`` unit: :func:`swap_areas`) is readable by no one but root and the disk group: the kernel writes every
    process's memory there (the app daemons' secrets). No copy of the app's config or of a kept one (found by
    content: the tree reader's ``config_copies``, whatever its name or place in the app's tree, or in the places
    copies are left: the directory holding the app's tree, /tmp, /var/tmp, /dev/shm, /var/backups, /srv, /home,
    /opt, /var/local, /var/opt, /usr/local, /mnt, /media) is readable by others through directories they may
    enter; nor is a copy of the password hashes there (the tree reader's ``hash_copies``: a file holding a line of
    an account with its crypt(5) hash, whatever its name: ``cp /etc/shadow /var/backups/...`` under umask 022),
    nor of a file of the app's ``shared/`` others may not read (the tree reader's ``private_copies``: the app's
    data, by size then sha256: a database copied out before a migration). No private key under /etc (the login
    collector's walk: a PEM or OpenSSH key block, whatever the file's name) is readable by every local user."""
    snap = _snapshot(facts, "the secrets' modes")
    lines = _mode_lines(snap, SECRETS, 0o027, "every local user, the app user and Apache's too, reads every "
                        "password hash (cracked offline: su, sudo, console logins)", ("root", "shadow"))
    keys = [f"/etc/ssh/{n}" for n in snap.listdir("/etc/ssh") or [] if re.fullmatch(r"ssh_host_\w+_key", n)]
    confs = ["/etc/ssh/sshd_config"] + [f"/etc/ssh/sshd_config.d/{n}" for n in snap.listdir("/etc/ssh/sshd_config.d")
                                        or []]
    for conf in confs:  # (HostKey lines add up: every one is a key sshd serves)
        keys += re.findall(r"(?im)^[ \t]*hostkey[ \t=]+(/\S+)", snap.text(conf) or "")
    lines += _mode_lines(snap, list(dict.fromkeys(keys)), 0o077, "whoever reads it (the app user too) impersonates "
                         "this server to the deploy runner, whose pinned known_hosts entry is all that tells it the "
                         "server is real", ())
    lines += _mode_lines(snap, swap_areas(snap), 0o007, "a swap area boot turns on: the kernel writes there the "
                         "memory of every process (the app daemons' secrets, keys, root's buffers) and whoever reads "
                         "it reads them; chmod 600 it (mkswap asks for 0600 root)", ("root", "disk"))
    lines += _mode_lines(snap, ["/root"], 0o007, "every local user (the app user too) lists root's home and reads "
                         "what is readable there: keys, shell history, an admin's scripts (Debian's: 0700; DevSec "
                         "linux-baseline); chmod 700 /root", ("root",))
    lines += [f"{c['path']} ({c['mode']} {c['owner']}): the app's config or a kept one, by content (sha256), that "
              "every local user reads (others may enter each directory above it): its SECRET_KEY, database password "
              "and tokens; chmod o-r it (or remove the copy)" for c in (facts.get("tree_inventory") or {}).get(
                  "config_copies") or []]
    lines += [f"{c['path']} ({c['mode']} {c['owner']}): password hashes (a line of an account with its crypt(5) "
              "hash: a copy of /etc/shadow, or part of one), by content, that every local user reads (others may "
              "enter each directory above it): the app's code too cracks them offline (su, sudo, console logins); "
              "remove the copy (or chmod 600 it)" for c in (facts.get("tree_inventory") or {}).get("hash_copies")
              or []]
    users = snap.users
    keys_read = (snap.raw.get("private_keys") if isinstance(snap.raw, dict) else None) or []
    lines += [f"{p} ({m & 0o7777:04o} {users.name(u) if users else u}:{users.group(g) if users else g}): a private "
              "key (its PEM or OpenSSH block) that every local user reads (others may enter each directory above "
              "it): whoever reads it, the app's code too, is what it is the key of (the site's TLS, a service, a "
              "login elsewhere); chmod 600 it, or remove it" for p, m, u, g in keys_read
              if not any(ln.startswith(f"{p} (") for ln in lines)]  # (a host key: its own line above)
    said = {c["path"] for c in (facts.get("tree_inventory") or {}).get("config_copies") or []}
    lines += [f"{c['path']} ({c['mode']} {c['owner']}): " + (
        "a private key (its PEM or OpenSSH block), by content, that every local user reads (others may enter each "
        "directory above it): whoever reads it, the app's code too, is what it is the key of (the app's client "
        "certificate, a service, a login elsewhere); chmod 600 it, or remove it" if c.get("what") == "key" else
        "holds a secret of the app's config by value (a value under a secret key, e.g. SECRET_KEY: moved into a "
        "script, an env file, a note), that every local user reads (others may enter each directory above it): "
        "the app's code and Apache's workers too; keep it in the config (0640) only, or chmod o-r this file")
              for c in (facts.get("tree_inventory") or {}).get("secret_copies") or []
              if c["path"] not in said and not any(ln.startswith(f"{c['path']} (") for ln in lines)]
    lines += [f"{c['path']} ({c['mode']} {c['owner']}): a copy, by content (sha256), of {c['of']}, the app's data "
              "others may not read, that every local user reads (others may enter each directory above it): what "
              "the app keeps there (its users, their password hashes, uploads, keys) to any account on the server; "
              "remove the copy (or chmod 600 it)" for c in (facts.get("tree_inventory") or {}).get("private_copies")
              or [] if c["path"] not in said]
    lines += _secret_values_others_read(snap, exp)
    lines += _secrets_on_command_lines(snap, exp)
    _unaccounted("secret[s] readable by others", lines, "sec_secrets", exp)


def _secrets_on_command_lines(snap, exp) -> list[str]:
    """A line for each process whose command line holds a value of the app's config under a secret-looking key
    (8 characters or more; the root collector's ``cmdline`` of every process): the kernel shows every process's
    command line to every local user (``ps``, ``/proc/<pid>/cmdline``), and a daemon that serves the process list
    to the network (snmpd's HOST-RESOURCES-MIB, a status page) serves it to whoever it answers. The value is never
    printed."""
    from ..redaction import secrets_of

    keyed = [v for v in secrets_of(exp.cfg.config_file).keyed if len(v) >= 8] if exp.cfg.config_file else []
    return [f"process {pid} ({(e.get('exe') or '?').split(' (')[0]}, uid {e.get('uid')}): its command line holds a "
            f"secret of the app's config (a value under a secret key, e.g. SECRET_KEY): every local user reads it "
            f"(ps), and so does whoever a daemon serving the process list answers (snmpd); pass it in a file or "
            f"the environment" for pid, e in sorted((snap.raw.get("proc") or {}).items())
            if any(v in (e.get("cmdline") or "") for v in keyed)]


def _secret_values_others_read(snap, exp) -> list[str]:
    """A line for each file the probe read (Apache's configuration, root's files under /etc ...) that holds a
    value of the app's config under a secret-looking key (``redaction``'s keyed values, 8 characters or more) and
    that every local user may read (others' read bit, every directory above enterable): the secret moved out of
    the config (a ``SetEnv APP_SECRET_KEY ...`` in Apache's configuration, 0644 like all of it). The value is
    never printed; the file is named."""
    from ..redaction import secrets_of

    keyed = [v for v in secrets_of(exp.cfg.config_file).keyed if len(v) >= 8]
    if not keyed:
        return []
    lines = []
    for path, entry in sorted(snap.files.items()):
        data, st = entry.get("data"), entry.get("st")
        if not isinstance(data, str) or not st or not st[0] & 0o004 or path.startswith(exp.cfg.root + "/"):
            continue
        if not any(v in data for v in keyed):
            continue
        ups, up = [], posixpath.dirname(path)
        while up not in ups:
            ups.append(up)
            up = posixpath.dirname(up)
        if all((snap.st(u) or [0o001])[0] & 0o001 for u in ups):
            f = snap.lstat_facts(path)
            lines.append(f"{path} ({f['mode']} {f['owner']}:{f['group']}): holds a secret of the app's config (a "
                         f"value under a secret key, e.g. SECRET_KEY): every local user, the app's code and Apache's "
                         f"workers too, reads it; keep it in the config (0640) only, or make this file 0640")
    return lines


# what sshd may offer that the DevSec ssh-baseline (and Mozilla's OpenSSH guidelines) call weak, per keyword; none is
# in Debian's OpenSSH defaults (12: 9.2p1, 13: 10.0p1), so what sshd offers beyond them is what a plain list, a ``+``
# or a ``^`` list names (patterns too: sshd matches them against what it supports); a ``-`` list only removes
SSH_WEAK = {
    "kexalgorithms": (r"sha1|group1-", "a key exchange an attacker on the path can break (SHA-1, a 1024-bit group): "
                      "the session keys, and with them every command and file a deploy sends"),
    "ciphers": (r"-cbc$|cbc@|^3des|^arcfour|^blowfish|^cast128|^none$", "a cipher with plaintext-recovery attacks "
                "(CBC, 3DES's 64-bit blocks: Sweet32, RC4)"),
    "macs": (r"md5|-96|ripemd", "an integrity check an attacker may forge (MD5, 96-bit tags)"),
    "hostkeyalgorithms": (r"^ssh-(rsa|dss)(-cert-v01@openssh\.com)?$", "a host key signed with SHA-1 (ssh-rsa) or "
                          "DSA: a forged signature impersonates this server to the deploy runner"),
    "pubkeyacceptedalgorithms": (r"^ssh-(rsa|dss)(-cert-v01@openssh\.com)?$", "client keys accepted with SHA-1 or "
                                 "DSA signatures"),
    "casignaturealgorithms": (r"^ssh-(rsa|dss)$", "certificates signed with SHA-1 or DSA accepted")}
SSH_WEAK["pubkeyacceptedkeytypes"] = SSH_WEAK["pubkeyacceptedalgorithms"]  # (its name before OpenSSH 8.5)
SSH_KNOWN_WEAK = ("diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
                  "3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "rijndael-cbc@lysator.liu.se", "none",
                  "hmac-md5", "hmac-md5-96", "hmac-sha1-96", "hmac-md5-etm@openssh.com",
                  "hmac-md5-96-etm@openssh.com", "hmac-sha1-96-etm@openssh.com", "hmac-ripemd160",
                  "ssh-rsa", "ssh-dss", "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com")


def ssh_weak_offered(key: str, value: str) -> list[str]:
    """The weak algorithms an sshd ``key value`` line makes the server offer beyond Debian's defaults: the names
    of a plain, ``+`` or ``^`` list that are weak, and the known weak names its patterns (``*``, ``?``) match."""
    import fnmatch

    pattern = SSH_WEAK[key][0]
    if not value or value.startswith("-"):
        return []
    names = value.lstrip("+^").split(",")
    found = [n for n in names if not any(c in n for c in "*?!") and re.search(pattern, n)]
    found += [w for w in SSH_KNOWN_WEAK if re.search(pattern, w) and any(
        fnmatch.fnmatchcase(w, n) for n in names if any(c in n for c in "*?"))]
    return list(dict.fromkeys(found))


def sec_ssh_crypto(facts, exp):
    """The SSH server offers no weak key exchange, cipher, MAC or signature algorithm (DevSec ssh-baseline): the
    algorithm keywords of its configuration as its next start reads it (sshd_config, Include files, the first
    value; a running server's own ``-o``) over Debian's defaults, which offer none (:data:`SSH_WEAK`)."""
    from .logins import SSHD_CONFIG, sshd_config, sshd_listeners
    from .mechanisms import texts

    snap = _snapshot(facts, "the SSH server's configuration")
    if snap.st(SSHD_CONFIG) is None:
        raise NotApplicable(f"{SSHD_CONFIG} does not exist on {facts.label}: no OpenSSH server configuration")
    why = {p: str((e or {}).get("why")) for p, e in snap.files.items() if p.startswith("/etc/ssh/")}
    running = sshd_listeners(snap.raw.get("proc") or {})
    lines = []
    for cfg in [sshd_config(texts(facts) or {}, snap.dirs, why)] + [
            sshd_config(texts(facts) or {}, snap.dirs, why, argv, f"pid {pid}'s command line")
            for pid, argv in sorted(running.items())]:
        for key, (_, means) in SSH_WEAK.items():
            value, where = cfg.first.get(key, ("", ""))
            weak = ssh_weak_offered(key, value)
            if weak:
                lines.append(f"{where}: {key} {value}: sshd offers {', '.join(weak)} to every client: {means}; "
                             "remove them (a legacy client that needs one: switch sec_ssh_crypto off with the reason)")
    _unaccounted("weak SSH algorithm[s] offered", list(dict.fromkeys(lines)), "sec_ssh_crypto", exp)


# the SSH server's bounds beyond its algorithms (DevSec ssh-baseline): what a login may open, what a stranger may
# hold before authenticating, how strong the keys it proves itself with are
SSHD_SESSIONS = 4  # sessions the pipeline may hold on one SSH connection at once (MaxSessions below it: refused)
SSHD_PREAUTH_FULL = 10  # MaxStartups' full (or only) value below this: a handful of idle connections lock logins out
SSHD_DEFAULT_HOST_KEYS = ("/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key")
SSH_KEY_MIN_BITS = {"ssh-rsa": 2048}


def _sshd_seconds(value: str) -> int | None:
    """sshd's time format (``120``, ``2m``, ``1h30m``) in seconds; None when it is not one."""
    units = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    parts = re.findall(r"(\d+)([smhdw]?)", value.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != value.strip().lower():
        return None
    return sum(int(n) * units[u] for n, u in parts)


def ssh_key_weakness(text: str) -> str | None:
    """Why an OpenSSH public key line (``type base64 [comment]``, a host key's ``.pub``) is weak, or None: an RSA
    modulus under :data:`SSH_KEY_MIN_BITS` bits, or a DSA key (1024 bits by its standard)."""
    import base64
    import struct

    fields = (text.strip().splitlines() or [""])[0].split()
    if len(fields) < 2:
        return "not an OpenSSH public key line"
    kind = fields[0]
    if kind == "ssh-dss":
        return "a DSA key (1024 bits, SHA-1 signatures)"
    if kind != "ssh-rsa":
        return None
    try:
        blob, at = base64.b64decode(fields[1]), 0
        parts: list[bytes] = []
        while at < len(blob) and len(parts) < 3:
            (n,) = struct.unpack(">I", blob[at:at + 4])
            parts.append(blob[at + 4:at + 4 + n])
            at += 4 + n
        bits = int.from_bytes(parts[2], "big").bit_length()
    except (ValueError, struct.error, IndexError):
        return "an RSA key the gate could not read"
    return f"an RSA key of {bits} bits (at least {SSH_KEY_MIN_BITS[kind]})" if bits < SSH_KEY_MIN_BITS[kind] else None


def _host_key_lines(cfg, snap, raw) -> list[str]:
    keys = cfg.lists.get("hostkey") or [(p, "sshd's default (no HostKey line)") for p in SSHD_DEFAULT_HOST_KEYS]
    lines = []
    for value, where in keys:
        for path in value.split()[:1]:
            pub, d = path + ".pub", posixpath.dirname(path)
            if pub in raw:
                weak = ssh_key_weakness(raw[pub])
                if weak:
                    lines.append(f"{where}: hostkey {path} is {weak} ({pub}): clients that choose it authenticate "
                                 f"the server with a key within reach of an attacker who would then impersonate "
                                 f"it (to the runner too); use an RSA key of 3072 bits or ed25519")
                continue
            why = str((snap.files.get(pub) or {}).get("why") or "")
            listed = snap.dirs.get(d)
            if why:
                lines.append(f"{where}: hostkey {path}: its public half {pub} was not read ({why}): the gate "
                             "cannot tell the key's strength")
            elif listed is not None and posixpath.basename(path) in listed and posixpath.basename(pub) not in listed \
                    and (snap.files.get(path) is not None):
                lines.append(f"{where}: hostkey {path} has no public half ({pub}): the gate cannot tell the key's "
                             "strength; ssh-keygen -y -f the key > its .pub, or remove the key")
    return lines


def _runner_limits(cfg) -> list[str]:
    """sshd's limits below what the pipeline itself opens at once: connections from one address
    (``PerSourceMaxStartups``: a fleet's parallel hosts, a gate's workers, a deploy beside a gate, the probe's
    login and root collectors) and sessions on one connection (``MaxSessions``, a ``Match`` block's too: the probe's
    session beside testinfra's, a status while a deploy streams). Past them sshd drops the connection or refuses
    the session: deploys, rollbacks and gates fail at random, not on the first try."""
    lines = []
    value, where = cfg.first.get("persourcemaxstartups", ("", ""))
    if value.isdigit() and int(value) < SSHD_PREAUTH_FULL:
        lines.append(f"{where}: persourcemaxstartups {value}: sshd drops a connection from an address that already "
                     f"has {value} not yet logged in: the runner's parallel connections to this host (a fleet's "
                     f"deploy, the gate's workers and collectors) fail at random (at least {SSHD_PREAUTH_FULL}, or "
                     "none)")
    blocks = [("", cfg.first)] + [(f" (Match {c} at {w})", b) for c, w, b in cfg.matches]
    for label, values in blocks:
        value, where = values.get("maxsessions", ("", ""))
        if value.isdigit() and int(value) < SSHD_SESSIONS:
            lines.append(f"{where}: maxsessions {value}{label}: sshd refuses a session past {value} on one "
                         f"connection ('ChannelException(2, Connect failed)'): the pipeline opens up to "
                         f"{SSHD_SESSIONS} at once (the probe beside testinfra, a status beside a deploy): gates, "
                         "deploys and rollbacks fail at random (Debian's default: 10)")
    return lines


def sec_ssh_limits(facts, exp):
    """The SSH server keeps DevSec ssh-baseline's bounds besides its algorithms, as its next start reads them
    (sshd_config, Include files, Match blocks, a running server's own ``-o``): no login's forwarded X11 display
    listens beyond loopback (X11UseLocalhost with X11 forwarding; GatewayPorts is cw_sshd's), what a stranger
    holds before authenticating is bounded (LoginGraceTime not 0, MaxStartups' full value at least 10), the
    pipeline's own connections and sessions fit (:func:`_runner_limits`), and every host key it offers is strong
    (RSA of 2048 bits or more, no DSA: from each key's world-readable ``.pub``)."""
    from .logins import SSHD_CONFIG, sshd_config, sshd_listeners
    from .mechanisms import texts

    snap = _snapshot(facts, "the SSH server's configuration")
    if snap.st(SSHD_CONFIG) is None:
        raise NotApplicable(f"{SSHD_CONFIG} does not exist on {facts.label}: no OpenSSH server configuration")
    raw = texts(facts) or {}
    why = {p: str((e or {}).get("why")) for p, e in snap.files.items() if p.startswith("/etc/ssh/")}
    running = sshd_listeners(snap.raw.get("proc") or {})
    lines = []
    for cfg in [sshd_config(raw, snap.dirs, why)] + [sshd_config(raw, snap.dirs, why, argv, f"pid {pid}'s command "
                                                                 "line") for pid, argv in sorted(running.items())]:
        blocks = [("", cfg.first)] + [(f" (Match {c} at {w})", b) for c, w, b in cfg.matches]
        for label, values in blocks:
            x11, at = values.get("x11uselocalhost", ("", ""))
            forwarding = (values.get("x11forwarding") or cfg.first.get("x11forwarding") or ("no", ""))[0]
            if x11.lower() == "no" and forwarding.lower() == "yes":
                lines.append(f"{at}: x11uselocalhost no{label} with X11 forwarding on: the X11 display sshd opens "
                             "for a login listens on every interface (ports 6010 and up): whoever reaches the host "
                             "talks to that login's forwarded display")
        value, where = cfg.first.get("logingracetime", ("", ""))
        if _sshd_seconds(value) == 0:
            lines.append(f"{where}: logingracetime {value}: a connection that never authenticates is never cut: a "
                         "few idle connections from anyone hold sshd's pre-authentication slots (MaxStartups) "
                         "for good, and no login gets in: no deploy, no rollback, no gate")
        value, where = cfg.first.get("maxstartups", ("", ""))
        full = value.split(":")[-1] if value else ""
        if full.isdigit() and int(full) < SSHD_PREAUTH_FULL:
            lines.append(f"{where}: maxstartups {value}: {full} unauthenticated connections from anyone refuse "
                         f"every other login (at least {SSHD_PREAUTH_FULL}: Debian's 10:30:100): no deploy, no "
                         "rollback, no gate while they last")
        lines += _runner_limits(cfg)
        lines += _host_key_lines(cfg, snap, raw)
    lines += _ssh_client_lines(snap, exp)
    _unaccounted("SSH server bound", list(dict.fromkeys(lines)), "sec_ssh_limits", exp)


# the SSH client's settings that hand a login's credentials to the hosts it connects to, or take any host for the one
# asked for (ssh_config(5); DevSec ssh-baseline's client controls): (key, values, what whoever answers gets)
SSH_CLIENT_RISKS = (
    ("forwardagent", None, "the agent of whoever connects from here (an admin's keys, forwarded to this server) is "
                           "lent to every host that matches: its root signs with them while the connection lasts"),
    ("gssapidelegatecredentials", ("yes",), "the Kerberos tickets of whoever connects from here go to every host "
                                             "that matches: its root uses them elsewhere"),
    ("stricthostkeychecking", ("no", "off"), "any host key is taken for the host asked for: whoever is on the path "
                                             "answers root's and the admins' ssh, scp, rsync and git (backups, "
                                             "deploy keys, passwords typed) in its place"),
)


def _ssh_client_lines(snap, exp) -> list[str]:
    """Each line of the SSH client's configuration (``/etc/ssh/ssh_config`` and ``ssh_config.d``: every login's
    ssh, root's too) that sets one of :data:`SSH_CLIENT_RISKS` (in any Host or Match block: it applies to the hosts
    that match), unless its file is allowed (``allow_cron``, pinned). ``ForwardAgent`` counts unless ``no``."""
    files = ["/etc/ssh/ssh_config"] + [f"/etc/ssh/ssh_config.d/{n}" for n in sorted(
        snap.listdir("/etc/ssh/ssh_config.d") or []) if n.endswith(".conf")]
    lines = []
    for path in files:
        if path in exp.allow.cron:
            continue
        for n, raw in enumerate((snap.text(path) or "").splitlines(), 1):
            words = raw.strip().replace("=", " ", 1).split(None, 1)
            if len(words) < 2 or words[0].startswith("#"):
                continue
            key, value = words[0].lower(), words[1].strip().strip('"')
            for risky, values, means in SSH_CLIENT_RISKS:
                if key == risky and (value.lower() in values if values else value.lower() != "no"):
                    lines.append(f"{path}:{n}: {words[0]} {value}: the SSH client every login here uses: {means}. "
                                 + _allow_hint(exp, "allow_cron", path))
    return lines


def sec_logs(facts, exp):
    """Apache's log directory (Debian's 0750 root:adm) lets others in neither to list nor to open its logs: the
    error log holds tracebacks with request data and config values, the access logs query strings with tokens.
    The server keeps its records: the login records (:func:`login_records`), journald's
    (:func:`journal_discarded`) and the app's errors in Apache's error log
    (:func:`deploytests.verify.mechanisms.errors_discarded`)."""
    from .mechanisms import errors_discarded

    snap = _snapshot(facts, "Apache's log directory")
    top = posixpath.dirname(exp.stack.apache.error_log)
    st, real = snap.st(top), top
    if st is not None and stat.S_ISLNK(st[0]) and st[1] == 0:  # moved aside by root (another disk): what it reaches
        real = snap.realpath(top)
        st = snap.st(real) if real != top else None
    if st is None:
        raise NotApplicable(f"{real} was not looked at: {(snap.files.get(real) or {}).get('why')}")
    f = snap.lstat_facts(real)
    open_logs = sorted(p for p in snap.files if p.startswith(top + "/") and "/" not in p[len(top) + 1:] and (
        snap.st(p) or [0])[0] & 0o004)  # (the entries of ``top``: ``dirname(p) == top``, without ~2,200 dirname calls)
    means = "Apache's logs hold request data, tokens in query strings and tracebacks with config values"
    lines = []
    if st[0] & 0o007:
        shown = f"; readable by others: {', '.join(open_logs[:5])}" if open_logs else ""
        lines.append(f"{top}{' -> ' + real if real != top else ''} ({f['mode']} {f['owner']}:{f['group']}) lets every "
                     f"local user in (the app user's code "
                     f"too){shown}: {means}")
    procs = (snap.raw.get("proc") or {}) if isinstance(snap.raw, dict) else {}  # (root's: each one's open files)
    gone = {str(t)[:-len(" (deleted)")] for p in facts.get("apache") or [] for t in
            (procs.get(str(p.get("pid"))) or {}).get("open") or [] if str(t).endswith(" (deleted)")}
    try:  # a log elsewhere (a vhost's CustomLog ...): from the configuration in force, where root could read it
        in_force = _in_force(facts, exp, "reading Apache's configuration")[1]
    except NotApplicable:
        in_force = []
    for d in in_force:
        words = d.args.replace('"', " ").split() if d.name in ("errorlog", "customlog", "transferlog") else []
        name = words[0].replace("${APACHE_LOG_DIR}", top) if words else "|"
        path = posixpath.normpath(posixpath.join("/etc/apache2", name))
        if name.startswith(("|", "syslog")):
            continue
        if path in gone and not any(ln.startswith(f"{path} (") for ln in lines):
            lines.append(f"{path} ({d.where}: {d.name}): removed while Apache holds it open: Apache opened it at "
                         f"its start and writes into a file removed since, which nobody reads and whose space "
                         f"is not freed: the app's errors and the requests go unrecorded; apache2ctl graceful "
                         f"opens it again (after a clean-up: truncate, or logrotate, instead of rm)")
        if posixpath.dirname(path) == top:
            continue
        up = [path]
        while up[-1] != "/":
            up.append(posixpath.dirname(up[-1]))
        sts = [snap.st(p) for p in up]
        if all(sts) and sts[0][0] & 0o004 and all(x[0] & 0o001 for x in sts[1:]):
            lines.append(f"{path} ({snap.lstat_facts(path)['mode']}, {d.where}: {d.name}): every local user reads "
                         f"it: {means}")
    lines += logged_credentials(in_force)
    where_to = log_target(top, snap.realpath)
    lines += errors_discarded(in_force, exp.cfg, where_to)
    lines += access_unrecorded(in_force, exp, where_to)
    lines += login_records(snap)
    lines += journal_discarded(snap)
    lines += sudo_unlogged((facts.get("inventory") or {}).get("sudoers") or [], exp)
    _unaccounted("log[s] others may read, or discarded,", lines, "sec_logs", exp)


def log_target(top: str, realpath=lambda p: p):
    """A log directive's first word -> (the name written, where it really writes: ``""`` for a pipe or syslog);
    ``${APACHE_LOG_DIR}`` is ``top``, a relative name is under ServerRoot, a link is followed."""
    def where(word: str) -> tuple[str, str]:
        name = word.replace("${APACHE_LOG_DIR}", top)
        if name.startswith(("|", "syslog")):
            return name, ""
        return name, realpath(posixpath.normpath(posixpath.join("/etc/apache2", name)))
    return where


def access_unrecorded(directives, exp, where_to) -> list[str]:
    """Apache's access records discarded in the configuration in force, whatever file says it and whatever allows
    that file (an allowance accounts for the file, not for the records it drops): a ``CustomLog``,
    ``TransferLog`` or ``GlobalLog`` in force for the app's requests (outside any container, or in the app's vhost)
    written to the null device (directly or through a link). A site of someone else's that logs nowhere is not
    the app's records. (The error log and its level: :func:`deploytests.verify.mechanisms.errors_discarded`.)"""
    from .mechanisms import DISCARDING, applies_to_app

    lines, top = [], posixpath.dirname(exp.stack.apache.error_log)
    for d in directives:
        if d.name not in ("customlog", "transferlog", "globallog") or not applies_to_app(d, directives, exp.cfg):
            continue
        words = d.args.replace('"', " ").split()
        name, real = where_to(words[0]) if words else ("|", "")
        if real in DISCARDING:
            scope = "the app's site" if any(c[0] == "virtualhost" for c in d.context) else "every site without its own"
            lines.append(f"{d.where}: {d.name} {name}{' -> ' + real if real != name else ''}: the access log (who "
                         f"asked for what, when, and what was answered) of {scope} goes nowhere: after an incident "
                         f"there is no record to read; log to a file under {top}")
    return lines


def sudo_unlogged(sudoers: list[dict], exp) -> list[str]:
    """Each sudoers ``Defaults`` line after which sudo keeps no record, for everyone or for the users, hosts,
    run-as users or commands its ``Defaults:``/``@``/``>``/``!`` names (sudo applies the scoped lines over the
    global ones, wherever they stand): ``!syslog`` (Debian's sudo logs to syslog, journald's, and to no file) where
    no log file is set for them, or the log file is the null device; ``!log_allowed`` (the commands it runs) or
    ``!log_denied`` (the refusals). Whatever allows the line: ``allow_sudo`` accounts for the line, not for the
    records it drops."""
    from .mechanisms import DISCARDING

    scopes: dict[str, dict[str, tuple[object, dict]]] = {}
    for rule in sudoers:
        defaults = sudo_defaults(str(rule.get("text", "")))
        if defaults is None:
            continue
        mine = scopes.setdefault(defaults[0], {})
        for opt in defaults[1]:
            name, eq, value = opt.lstrip("!").partition("=")
            name = name.rstrip("+-").strip()
            if name in ("syslog", "logfile", "log_allowed", "log_denied"):
                on = not opt.startswith("!") and (not eq or value.strip().strip('"') != "")
                mine[name] = (value.strip().strip('"') if name == "logfile" and on else on, rule)
    lines, base = [], scopes.get("", {})
    for scope, mine in scopes.items():
        whose = "anyone" if not scope else \
            f"the {({':': 'user', '@': 'host', '>': 'run-as user', '!': 'command'}).get(scope[0], '')} {scope[1:]}"

        def said(name, default, mine=mine):
            return mine.get(name) or base.get(name) or (default, None)

        lost = []
        for name, what in (("log_allowed", "the commands it runs"), ("log_denied", "its refusals")):
            if name in mine and not mine[name][0]:
                lost.append((mine[name][1], f"{what} (!{name})"))
        (syslog, s_rule), (logfile, f_rule) = said("syslog", True), said("logfile", False)
        if not syslog and (not logfile or logfile in DISCARDING) and ("syslog" in mine or "logfile" in mine):
            lost.append((mine.get("syslog", (0, s_rule))[1] if "syslog" in mine else f_rule,
                         "anything (no syslog" + (f", its log file {logfile}" if logfile else ", no log file") + ")"))
        for rule, what in lost:
            allowed = f" (allowed in {exp.allow.where}: allow_sudo accounts for the line, not for the records it " \
                      "drops)" if rule["text"] in exp.allow.sudo else ""
            lines.append(f"{rule['file']}:{rule['line']}: {rule['text']!r}: sudo keeps no record of {what} for "
                         f"{whose}: a sudo by a stolen login leaves no trace{allowed}; remove the option, or set "
                         "a log file (Defaults logfile=/var/log/sudo.log)")
    return lines


# journald's levels, most urgent first: a journal storing less than ``info`` drops sshd's logins (info) and less
# than ``notice`` sudo's commands (notice)
LEVELS = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")


def journal_discarded(snap) -> list[str]:
    """journald's ``Storage=none`` (it keeps nothing) or ``MaxLevelStore`` below ``info`` (sshd's logins, sudo's
    commands and refusals not kept), as systemd reads them: ``journald.conf``, then the ``.conf`` drop-ins of
    :data:`collect_login.JOURNALD_D` in name order (a name in an earlier dir hides a later one's), the last setting
    winning."""
    from . import collect_login as C

    names: dict[str, str] = {}
    for d in C.JOURNALD_D:
        for name in snap.listdir(d) or []:
            if name.endswith(".conf"):
                names.setdefault(name, f"{d}/{name}")
    last: dict[str, tuple[str, str]] = {}
    for path in ["/etc/systemd/journald.conf"] + [names[n] for n in sorted(names)]:
        for n, line in enumerate((snap.text(path) or "").splitlines(), 1):
            m = re.match(r"[ \t]*(Storage|MaxLevelStore)[ \t]*=[ \t]*(\S*)", line)
            if m:
                last[m.group(1)] = (m.group(2), f"{path}:{n}")
    lines = []
    storage, where = last.get("Storage", ("", ""))
    if storage.lower() == "none":
        lines.append(f"{where}: Storage=none: journald keeps no record (sshd's logins, sudo's commands and refusals, "
                     "the kernel's and the services' messages; Debian keeps no other log by default): a break-in, or "
                     "a sudo by a stolen login, leaves no trace; remove the line (Storage=auto or persistent)")
    level, where = last.get("MaxLevelStore", ("", ""))
    rank = int(level) if level.isdigit() else LEVELS.index(level.lower()) if level.lower() in LEVELS else 7
    if rank < LEVELS.index("info"):
        lines.append(f"{where}: MaxLevelStore={level}: journald keeps nothing below {LEVELS[min(rank, 7)]}: sshd's "
                     "logins (info)" + (" and sudo's commands (notice)" if rank < LEVELS.index("notice") else "")
                     + " are dropped: a break-in leaves no trace; remove the line (journald's default: debug)")
    return lines


# the records of who logged in (wtmp: last), who failed (btmp: lastb) and each account's last login (lastlog)
LOGIN_RECORDS = ("/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog")


def login_records(snap) -> list[str]:
    """Each login record (:data:`LOGIN_RECORDS`) that is not a regular file others may not write, where the probe
    looked: a link (to /dev/null: an intruder's first step, or a "disk full" fix), a device or FIFO discards every
    record; a file others may write lets anyone forge or erase them. A record not there is none: a server that
    never had one (a minimal image) keeps none to lose."""
    out = []
    for path in LOGIN_RECORDS:
        st = snap.st(path)
        if st is None:
            continue
        f = snap.lstat_facts(path)
        link = (snap.files.get(path) or {}).get("link", snap.links.get(path))
        if not stat.S_ISREG(st[0]):
            what = f"a link to {link}" if stat.S_ISLNK(st[0]) else "not a regular file"
            out.append(f"{path} ({f['mode']} {f['owner']}:{f['group']}): {what}: the server keeps no record of who "
                       "logged in, from where, or who failed to (last, lastb): a deploy, or an intrusion, leaves no "
                       f"login trace; make it a file again (rm {path}; install -m 0660 -g utmp /dev/null {path})")
        elif st[0] & 0o002:
            out.append(f"{path} ({f['mode']} {f['owner']}:{f['group']}): every local user may write it: anyone "
                       f"forges or erases the records of who logged in; chmod o-w {path}")
    return out


# a log format item writing a request's or answer's credentials: %{Cookie}i, %400{Authorization}i, %{Set-Cookie}o
CREDENTIALS = re.compile(r"%[!<>0-9,]*\{(cookie|authorization|proxy-authorization|set-cookie|[\w-]*(?:token|api-?key|"
                         r"secret|session|passw)[\w-]*)\}[io]|%[!<>0-9,]*\{[^}]+\}C", re.I)  # (%{NAME}C: a cookie)
OFF = ("off", "/dev/null")
# directives that write every request's headers (credentials included) to a log: mod_log_forensic's, mod_dumpio's
LOGS_HEADERS = {"forensiclog": "writes every request's headers (Cookie, Authorization) before it is served",
                "dumpioinput": "dumps every request, its headers included, into the error log (at LogLevel "
                               "dumpio:trace7)",
                "dumpiooutput": "dumps every answer, its Set-Cookie included, into the error log (at LogLevel "
                                "dumpio:trace7)"}


def logged_credentials(directives) -> list[str]:
    """Each CustomLog/TransferLog in force whose format (its own, or the LogFormat nickname it names, as defined in
    force) writes a request's or answer's credentials (Cookie, Authorization, Set-Cookie, a token or API-key header,
    a cookie's value ``%{NAME}C``), and each directive that logs every request's headers whatever the format
    (:data:`LOGS_HEADERS`: mod_log_forensic, mod_dumpio): whoever reads that log (adm, a log shipper, a backup)
    replays every user's session. Whatever file says it."""
    from .mechanisms import _words

    words = lambda d: _words(d.args)  # noqa: E731 (split as the shell does, once a line)
    formats, default = {}, ("", "")
    for d in directives:
        w = words(d) if d.name == "logformat" else []
        if len(w) > 1:
            formats[w[1]] = (w[0], d.where)
        elif w:
            default = (w[0], d.where)
    lines = [f"{d.where}: {d.name} {d.args}: it {LOGS_HEADERS[d.name]}: every session cookie or password sent to "
             f"the site is in that log, for whoever reads it (adm, a log shipper, a backup) to replay: remove it"
             for d in directives if d.name in LOGS_HEADERS and (words(d) or ["on"])[0].lower() not in OFF]
    for d in directives:
        w = words(d) if d.name in ("customlog", "transferlog") else []
        if not w:
            continue
        fmt, where = default if d.name == "transferlog" or len(w) < 2 else \
            (w[1], d.where) if "%" in w[1] else formats.get(w[1], ("", ""))
        found = sorted({m.group(0) for m in CREDENTIALS.finditer(fmt)})
        if found:
            lines.append(f"{d.where}: {d.name} {w[0]} writes {', '.join(found)} (its format: {where}): every "
                         f"session cookie or password sent to the site is in that log, for whoever reads it (adm, "
                         f"a log shipper, a backup) to replay: drop those items from the format")
    return lines


def sec_guards(facts, exp):
    """The stock modules that guard the server (the stack's ``baseline_guards``: Debian's reqtimeout) are loaded
    and not switched off by their directive: a stock module gone is no finding, a guard gone is."""
    _needs_root(facts, "listing Apache's modules")
    ct = facts.get("configtest") or {}
    if ct.get("rc") != 0:
        raise NotApplicable("Apache's configuration does not parse (the root failure is test_configtest_clean)")
    in_force = _in_force(facts, exp, "reading Apache's configuration")[1]
    lines = []
    for module, directive, off, means in exp.stack.baseline_guards:
        if module not in ct.get("modules", []):
            lines.append(f"{module}: a stock module of the stack that guards the server is not loaded (a2dismod?): "
                         f"{means}")
        lines += [f"{d.where}: {d.name} {d.args}: switches {module} off: {means}" for d in in_force
                  if d.name == directive and re.search(off, d.args)]
    _unaccounted("stock guard[s] of Apache gone", lines, "sec_guards", exp)


SYSCTL_SECURE = {  # key -> (the kernel's or Debian's secure value, True: lower is weaker / False: higher, meaning)
    "kernel.randomize_va_space": (2, True, "address space layout randomisation weakened: memory-corruption "
                                  "exploits find their addresses"),
    "fs.suid_dumpable": (0, False, "setuid programs and processes that changed their uid dump core: their memory "
                         "(password hashes, keys) lands in core files (2 with a piped or absolute core_pattern, as "
                         "systemd-coredump sets, is accepted)"),
    "fs.protected_symlinks": (1, True, "a link another user planted in /tmp redirects what root opens there"),
    "fs.protected_hardlinks": (1, True, "any user hard-links root's files (setuid programs kept after an upgrade)"),
    "fs.protected_fifos": (1, True, "a FIFO another user planted in /tmp is opened by root's writes"),
    "fs.protected_regular": (1, True, "a file another user planted in /tmp is opened by root's writes"),
    "kernel.dmesg_restrict": (1, True, "any user reads the kernel log (addresses that defeat randomisation)"),
    "kernel.kptr_restrict": (1, True, "any user reads kernel addresses"),
    "kernel.unprivileged_bpf_disabled": (1, True, "any user loads BPF programs into the kernel"),
    "kernel.yama.ptrace_scope": (1, True, "any process attaches to every other process of its user (a hole in the "
                                 "app reads the memory of the app's other daemons and tools)"),
    "net.ipv4.tcp_syncookies": (1, True, "a SYN flood fills the connection queue: the site stops answering"),
    # the network and process half of the same baselines (DevSec linux-baseline, the kernel's own defaults): each
    # secure as the kernel ships it, so only a file that sets it weaker is a finding
    "net.ipv4.ip_forward": (0, False, "the server routes packets between its networks (a way around the firewall "
                            "in front of it)"),
    "net.ipv6.conf.all.forwarding": (0, False, "the server routes IPv6 packets between its networks"),
    "net.ipv4.conf.all.accept_source_route": (0, False, "a sender chooses the route of its packets through the "
                                              "server"),
    "net.ipv4.conf.default.accept_source_route": (0, False, "a sender chooses the route of its packets"),
    "net.ipv4.icmp_echo_ignore_broadcasts": (1, True, "the server answers broadcast pings (a smurf amplifier)"),
    "net.ipv4.ip_unprivileged_port_start": (1024, True, "any user, the app's code too, binds the ports below it "
                                            "(80, 22) while Apache or sshd restarts, and answers in their place"),
    "kernel.perf_event_paranoid": (2, True, "any user profiles the kernel and other users' CPUs (a side channel)"),
    "vm.mmap_min_addr": (4096, True, "a kernel NULL-pointer bug becomes a way to root"),
    "vm.unprivileged_userfaultfd": (0, False, "any user stalls the kernel mid-copy with userfaultfd: a kernel race "
                                    "(use-after-free) becomes a reliable way to root"),
    "net.ipv6.conf.all.accept_source_route": (0, False, "a sender chooses the route of its IPv6 packets"),
    "net.ipv6.conf.default.accept_source_route": (0, False, "a sender chooses the route of its IPv6 packets"),
}


def sec_sysctl(facts, exp):
    """The kernel settings boot applies (/etc/sysctl.conf, the sysctl.d dirs in systemd-sysctl's order) lower none
    of :data:`SYSCTL_SECURE` below its secure value. Read on disk, never from /proc/sys: a container's is its host's
    kernel, and what a server runs after its next boot is what its files say."""
    from .logins import sysctl_files, sysctl_settings
    from .mechanisms import reaches
    from .rootacts import path_problem, view

    snap = _snapshot(facts, "the kernel settings boot applies")
    files = sysctl_files(snap.dirs)
    lines = [f"{ln}: boot applies it" for ln in _unread(snap, [f for f in files if snap.st(f) and
                                                               not stat.S_ISLNK(snap.st(f)[0])])]
    resolved = {f: snap.text(snap.realpath(f)) or "" for f in files}
    settings = sysctl_settings(files, resolved)
    # suid_dumpable 2 ("suidsafe") dumps only where root's handler or root's absolute path takes the core: safe when
    # core_pattern is a pipe or absolute (systemd-coredump's own 50-coredump.conf sets both)
    piped = settings.get("kernel.core_pattern", ("core", ""))[0].startswith(("|", "/"))
    for key, (value, where) in settings.items():
        secure = SYSCTL_SECURE.get(key)
        if key == "fs.suid_dumpable" and value == "2" and piped:
            continue
        if secure and value.lstrip("-").isdigit() and (int(value) < secure[0] if secure[1] else int(value) > secure[0]):
            lines.append(f"{where}: {key} = {value} (secure: {secure[0]}): {secure[2]}, after the next boot")
        program = value[value.startswith("|"):].split()[:1] if key in SYSCTL_RUNS and (
            key != "kernel.core_pattern" or value.startswith("|")) else []
        why = path_problem(view(snap), "runs", program[0], exp.cfg.root) if program and program[0][:1] == "/" and \
            not reaches(program[0], exp.cfg.root) else None  # (one naming the app's tree: root's mentions' line)
        if why:  # (a program the kernel runs as root: judged as a root job's, wherever it is)
            lines.append(f"{where}: {key} = {value}: the kernel runs it as root {SYSCTL_RUNS[key]}: it {why}")
    _unaccounted("kernel setting[s] below [its|their] secure value[s] or running what others may change", lines,
                 "sec_sysctl", exp)


# the kernel settings that name a program the kernel itself runs as root, and when
SYSCTL_RUNS = {"kernel.core_pattern": "at every crash (a pipe)", "kernel.modprobe": "for every module it asks for",
               "kernel.hotplug": "at every device event", "kernel.poweroff_cmd": "at an orderly power-off"}


TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")  # every user writes there by design


def sec_sticky(facts, exp):
    """The directories every user writes by design (/tmp, /var/tmp, /dev/shm, /run/lock) are root's and, when
    world-writable, sticky (1777): only a file's owner removes or renames it."""
    snap = _snapshot(facts, "the shared temp dirs")
    lines = []
    for path in TEMP_DIRS:
        st, f = snap.st(path), snap.lstat_facts(path)
        if st is None or not stat.S_ISDIR(st[0]):
            continue
        if st[1] != 0 or (st[0] & 0o002 and not st[0] & stat.S_ISVTX):
            lines.append(f"{path} ({f['mode']} {f['owner']}:{f['group']}): any user, the app user too, removes or "
                         f"replaces any other user's files there, root's included")
    _unaccounted("shared temp dir[s] without the sticky bit", lines, "sec_sticky", exp)


from .facts import EXPOSED  # noqa: E402, I001 - the runner fetches them with the others


# ---------------------------------------------------------------- drift since the deploy (a report, not a check)

def drift_report(facts) -> list[str]:
    """What changed on the server since the live release was deployed (:func:`deploytests.verify.drift.report`)."""
    from .drift import report

    return report(facts)


CW, SEC = "closed world", "security"
CLOSED_WORLD: tuple[Promise, ...] = (
    Promise("cw_listen", f"{CW}: serves", "every listening socket is Apache on the app's port, the SSH server, a "
            "loopback-only socket of a packaged daemon (its executable a file of an installed dpkg package, and so "
            "every script its command line gives it to run: root's python3 running /usr/local/sbin/x is x, run by "
            "a system account not the app's, deploy's or Apache's, or by root only as the stack's baseline: the "
            "MTA; loopback is no trust boundary: every local process, the app's code too, reaches it), or allowed "
            "(allow_listen: \"ADDRESS USER "
            "EXE [ARGS] sha256:HEX\", the holder's user and whole command line, every argument, its executable "
            "and, for an interpreter, its script pinned by content, and with them its configuration not as its "
            "package ships it (its package's conffiles and ucf's files, files under the package's own /etc "
            "directories, files its command line names; stock ones add nothing): another argument, a file of it "
            "changed, or changed after the holder started, allows nothing, and the line names each changed "
            "configuration file; ADDRESS "
            "\"*:port\" any address, \"localhost:port\" loopback, \"host:port\"; the address alone accounts "
            "for an Apache Listen only: a port another program took is not allowed); a socket whose process "
            "root cannot see is a finding "
            "that says so; and every UNIX socket a root process holds (listening, or a datagram one bound to a "
            "name) that the deploy login, the app user, Apache's user or any local user may connect to (write on "
            "the socket file and search on every directory on the way, ACLs counted; an abstract name: anyone) is "
            "Apache's own, the stack's baseline (systemd's, journald's, the system logger's, the MTA's: measured) or "
            "allowed (allow_listen: \"unix:NAME USER EXE [ARGS] sha256:HEX\"): a root tmux or screen server, "
            "socat's UNIX-LISTEN, an "
            "agent's control socket run a client's commands as root (a process of a login sudoers lets run a "
            "command as root, by name, User_Alias, #uid or %group, is judged as root's); whatever is allowed, no "
            "socket on an address beyond loopback is held by a user, but root, the deploy login and the app user, "
            "whose allowed membership of the config's group lets it read the app's secrets (what it serves may "
            "carry them)",
            "test_every_listener_is_accounted_for",
            'TCP *:9100 listens: pid 812 (prometheus) \'/usr/bin/prometheus-node-exporter\'; it answers anyone who '
            'can reach this host. if it is meant to be there, allow it: allow_listen = ["*:9100 prometheus '
            '/usr/bin/prometheus-node-exporter sha256:9f86d081…"] in targets.toml',
            root_only=True),
    Promise("cw_apache_files", f"{CW}: serves", "every file in Apache's configuration (as apache2ctl lists it, and "
            "envvars) is root's alone, and a stock include with dpkg's unchanged content, or bootstrap's (another "
            "app's site file too, byte-equal to what bootstrap writes for it, its user one bootstrap created), or "
            "allowed",
            "test_every_apache_file_is_accounted_for", "/etc/apache2/conf-enabled/hardening.conf (included from "
            "/etc/apache2/apache2.conf:222): no package ships it and bootstrap did not write it ...",
            root_only=True, needs=("tree",)),
    Promise("cw_modules", f"{CW}: serves", "every Apache module loaded is stock (the stack's baseline), mod_wsgi, or "
            "allowed", "test_every_apache_module_is_accounted_for", "info_module: loaded into Apache's root parent "
            "and every worker ...", root_only=True, needs=("tree",)),
    Promise("cw_vhosts", f"{CW}: serves", "the only virtual host Apache serves is the app's (apache2ctl -S), or "
            "one allowed by name", "test_every_vhost_is_accounted_for", "*:80 ops.example.com (/etc/apache2/"
            "sites-enabled/ops.conf:1): a virtual host besides the app's ...", root_only=True, needs=("tree",)),
    Promise("cw_in_force", f"{CW}: serves", "the configuration Apache runs with is the one on disk (no file of it, "
            "and no directory its Includes read, changed since Apache last loaded it: its pid file's mtime, else "
            "its oldest child; nor while it was reloading it, from the restart signal its running root parent "
            "logged to its pid file), and its pid file names its running parent (what apache2ctl graceful and "
            "stop signal)", "test_apache_config_on_disk_is_in_force",
            "/etc/apache2/ports.conf changed at 04:01:12.204, after Apache last loaded its configuration "
            "(03:58:40.017) ...",
            root_only=True, needs=("apache",)),
    Promise("cw_apache_effects", f"{CW}: loads code", "whatever is allowed, Apache's configuration in force loads "
            "modules only from /usr/lib/apache2/modules, pipes logs only to programs no one but root may change, "
            "names the app's tree only in the app's own site file, lets no .htaccess configure it where "
            "someone but root may write (AllowOverride), and starts no Python in its root parent "
            "(WSGILazyInitialization Off)", "test_apache_loads_and_runs_only_roots_files",
            "/etc/apache2/conf-enabled/ops.conf:3: LoadModule headers_module /opt/mods/mod_headers.so: a module from "
            "outside /usr/lib/apache2/modules is loaded into Apache's root parent ...", root_only=True,
            needs=("apache",)),
    Promise("cw_served", f"{CW}: serves", "whatever is allowed, Apache serves the app's tree only through the app's "
            "own vhost: no DocumentRoot, Alias or ScriptAlias elsewhere lies above the app's root where the most "
            "specific <Directory> covering it grants access (Debian's <Directory /var/www/> does); and what it "
            "serves on every site, the app's too (a DocumentRoot, Alias or ScriptAlias outside any vhost, a "
            "UserDir), comes from directories root's alone; and no link under a served directory that Apache follows "
            "by the Options in force there (FollowSymLinks; SymLinksIfOwnerMatch with the same owners) leads out of "
            "it",
            "test_apache_serves_the_apps_tree_only_through_its_vhost",
            "/etc/apache2/sites-enabled/intranet.conf:3: documentroot /var/www: serves /var/www, which holds the "
            "app's tree /var/www/app (Require all granted at /etc/apache2/apache2.conf:172): its releases' code "
            "... are downloadable there ...", root_only=True, needs=("apache",)),
    Promise("cw_handlers", f"{CW}: serves", "whatever is allowed, nothing in Apache's configuration in force writes "
            "files or runs code for whoever asks but the app's daemons (and another app's, as bootstrap wrote its site "
            "file): no WebDAV without a required user, no "
            "WSGIDaemonProcess of another app as the app's or deploy login's user or group, no WSGI script (or CGI "
            "directory, with a CGI module loaded) someone but root may change, no wsgi-script or cgi-script handler "
            "with ExecCGI in a <Directory> someone but root may write, or for URLs an Alias or DocumentRoot maps "
            "there, no WSGISocketPrefix in a directory "
            "others may write (sticky /tmp included), nor, without one, Apache's runtime dir (mod_wsgi's default "
            "for the daemons' sockets) someone but root may change",
            "test_apache_handlers_write_and_run_only_whats_ours",
            "/etc/apache2/conf-enabled/share.conf:3: Dav On for /srv/share and no Require of a user: anyone may "
            "upload, change and delete files there ...", root_only=True, needs=("apache",)),
    Promise("cw_in_front", f"{CW}: serves", "whatever is allowed, nothing stands between a client and the app on its "
            "URL space: no cache (CacheEnable), proxy (ProxyPass) or rewrite in force for the app's site, no alias, "
            "redirect or handler taking the health path the deploy's gate asks, in any file but a stock one as "
            "shipped", "test_nothing_stands_between_clients_and_the_app",
            "/etc/apache2/conf-enabled/cache.conf:1: cacheenable disk /: in force for the app's site: a cache "
            "answers in the app's place (the deploy's health gate ... every deploy is refused)", root_only=True,
            needs=("apache",)),
    Promise("cw_mapped", f"{CW}: loads code", "every file Apache's processes and the app's daemons have mapped (the "
            "kernel's maps: what they load, whatever ld.so.conf, the ld.so cache or a LoadFile says) is root's, not "
            "writable by group or others, in directories only root may change; the releases' own files are the "
            "deploy's rules'; and every file mapped as code is a package's (a library built by hand that the linker "
            "prefers, root's or not, is a finding unless allowed: allow_mapped, pinned to its identity as root "
            "sees it); no code is mapped from memory no file holds (a memfd); a mapping is judged by who may name "
            "it, never by the words its name holds ('(deleted)', /dev/shm)",
            "test_what_apache_and_the_daemons_map_is_roots",
            "/opt/vendor/lib/libz.so.1 (mapped by pid 27, 251; no installed package ships it): /opt/vendor/lib 0755 "
            "vendor:vendor may be changed by someone but root ...", root_only=True, needs=("apache",)),
    Promise("cw_bytecode", f"{CW}: loads code", "the bytecode of the stack's Python modules (__pycache__, which "
            "dpkg's md5sums do not list) is what their sources compile to: each pyc written well after its source "
            "(or whose source changed since installed) is compared as code with compile() of the source, on the "
            "server by the stack's Python, never run", "test_stdlib_bytecode_is_its_sources",
            "/usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc: not what /usr/lib/python3.11/json/"
            "__init__.py compiles to (libpython3.11-stdlib's module) ..."),
    Promise("cw_processes", f"{CW}: runs", "every process of the app user is one of its mod_wsgi daemons (no "
            "more of them under Apache than its vhost's processes=: a process may make its parent's parent its own, "
            "clone(CLONE_PARENT)), of "
            "Apache's user an Apache child, of the deploy user part of a live SSH session (its own systemd --user "
            "while it has one); no process of anyone else outside a live SSH session runs from the app's tree, "
            "as spelled (its command line) or as resolved (its working directory, executable, open files, a "
            "link or a root's script it runs); no process of any account (root's, a system account's) left to pid 1 "
            "outside a session and a service "
            "(its cgroup) runs a program, a script or command-line code no package ships; an allowed one "
            "(allow_processes: \"USER: COMMAND sha256:HEX\") runs exactly the command line its entry "
            "names (the app user's: the words it begins with, its command line being its own claim; the deploy "
            "login's: none, its code being memory it writes; a first word that is not its program, a title it "
            "wrote, lldpd's: its program's path in that word's place) and the program it pins by content (its "
            "executable and a script outside the app's tree), unchanged since it started",
            "test_every_process_is_accounted_for", "pid 4711 (yourapplication) 'python3 -m http.server', a "
            "process of the app user ...", root_only=True, needs=("apache",)),
    Promise("cw_schedules", f"{CW}: runs", "no cron or at job runs as the app, deploy or Apache user, nor as anyone "
            "(root included) with something from the app's tree (every crontab, /etc/crontab, /etc/cron.d, "
            "/etc/cron.{hourly,daily,weekly,monthly}, at's queue), resolved through links and the root scripts it "
            "runs (and what they source); root's boot, apt and login-shell hooks (profile, bash.bashrc, profile.d, "
            "/etc/environment; root's own ~/.bashrc, ~/.profile, ~/.bash_logout, ~/.ssh/rc, and its tools' "
            "~/.ssh/config, ~/.ssh/environment, ~/.gitconfig, ~/.npmrc, pip.conf, ~/.pydistutils.cfg, ~/.wgetrc, "
            "~/.curlrc, the editor ~/.selected_editor names, ~/.vimrc, each path they name judged as what the tool "
            "loads, when the probe may read them) and any "
            "other root's file under /etc (whatever program reads it: incron, needrestart, dpkg, "
            "sysctl's core_pattern) when a line reaches the tree, or a link there leads into it, or a line names a "
            "path in the deploy login's or the app user's home (git's hooksPath, pip's find-links) or, in a file no "
            "package ships as it is, a place another account may change (vim's source, tmux's run-shell, "
            "modprobe's install: a place a package made so, a sticky dir's name, an admin's own aside); no root "
            "job runs as a program what another command prints (a pipe into a shell with no script of its own, "
            "whatever comes before it or wraps it: curl ... | tee log | sh, ... | mywrap sh; a remote command's "
            "output eval'd; a file a network command just wrote, run later in the job: curl -o x URL && sh x; over "
            "plain http:// whatever is allowed); nor as root with a path someone but root may change (its program, "
            "a script it runs, a variable's value whatever the variable: a crontab's SHELL, HOME, PATH ... lines "
            "are jobs too), or code from the app's tree (its releases are the deploy login's to change), its file "
            "a package's as dpkg unpacked it aside, whatever is allowed (allow_cron accounts for the file, not for "
            "that); a job that only names the tree is said to, unless allowed; no "
            "setting of root's configuration (under /etc, and root's own startup files and tools' configuration "
            "above) turns its program's check off or widens whom it trusts (a check word set off, none or never; "
            "an unchecked or unsafe mode set on, or a bare flag: curl's insecure; trust given by name: pip's "
            "trusted-host; a trust store at /dev/null) in a file not as its package ships it, and no line a "
            "conffile ships setting something is gone from it (deleted, commented out, the file removed: sudo's "
            "use_pty, PAM's pam_nologin, a name of at's /etc/at.deny, 0640 and read as root; compared with the "
            "stack's baseline of Debian's conffiles as shipped, by dpkg's md5), and no list of who may queue jobs "
            "(/etc/at.allow, /etc/cron.allow, read as root) names the app user or Apache's user, unless allowed; "
            "whatever is allowed, no root job hands a bare glob to a command in a directory the app writes (its "
            "file names become options: tar's --checkpoint-action), and none (nor a root script it runs) writes or "
            "creates a file in a directory the app's tree holds or someone but root may add a name to (a link put "
            "there redirects root's write: a redirection, tee, an -o/--output/of= or an archiver's -f file, what "
            "chown, touch, mkdir change, a copy's destination; a sticky dir of root's, /tmp, aside: the kernel's "
            "protected_symlinks and protected_regular guard it); "
            "and every start entry a later boot runs outside systemd's units is a package's or allowed (allow_cron "
            "by file): an @reboot job (a conffile as its package ships it aside), an executable rc.local with a "
            "command, an rc?.d start link to an init script no package ships or that its package's postinst "
            "does not make (its update-rc.d calls, its LSB Default-Start), an /etc/inittab line sysvinit's "
            "template does not hold, a kernel command line word /etc/default/grub, grub.d or /etc/kernel/cmdline "
            "adds to what grub ships",
            "test_no_unaccounted_scheduled_jobs",
            "/var/spool/cron/crontabs/yourapplication (crontab of yourapplication): runs '* * * * * ...' ...",
            root_only=True),
    Promise("cw_root_acts", f"{CW}: runs", "every entry of the places root acts later besides cron and units "
            "(update-motd.d at every SSH login, init.d and the rc?.d links, tmpfiles.d, udev rules' RUN+=/PROGRAM= "
            "and the device modes they grant others, "
            "systemd's generators, shutdown and sleep hooks, ifupdown's, dhclient's, ppp's, NetworkManager's, "
            "kernel's, kernel-install's and initramfs' hooks, sshrc, invoke-rc.d's policy-rc.d) is a package's file "
            "as dpkg unpacked it, or "
            "root's alone and runs or touches nothing in the app's tree or that someone but root may change, "
            "resolved through links and root's own scripts (whatever is allowed, writes no file where someone but "
            "root may put a link), "
            "unless allowed (allow_cron; never for what someone but root may change); a generator (or environment "
            "generator) no package ships is a start entry whatever it names (the units and links it writes start at "
            "the next boot or daemon-reload), and so is a policy-rc.d no package ships (it decides whether every "
            "service action of an upgrade or of logrotate happens), allowed by file only; so is any entry no package "
            "ships of what every "
            "login's systemd user manager takes at its start (/etc, /run, /usr/local/lib systemd/user units and "
            "their .wants links, user.conf and user.conf.d, environment.d, user generators and user environment "
            "generators) and of systemd-binfmt's binfmt.d and systemd-modules-load's modules-load.d, and a tmpfiles "
            "line by hand that writes what it says (f, w, L, C with an argument: a grant, a job, a kernel hook)",
            "test_places_root_acts_later_are_accounted_for",
            "/etc/update-motd.d/50-release:2: pam_motd runs it as root at every SSH login ...: it runs "
            "/var/www/app/current/venv/bin/python (the app's tree). if it is meant to be there, allow it: "
            "allow_cron = [\"/etc/update-motd.d/50-release sha256:...\"] ..."),
    Promise("cw_traced", f"{CW}: runs", "no process of the app user or Apache (its root parent, workers, the "
            "app's daemons) is traced (TracerPid: strace -p, gdb -p), and no process but a DHCP client captures "
            "the host's packets (a packet socket: tcpdump), unless the tracer or capturer is allowed "
            "(allow_processes)", "test_no_process_of_the_app_is_traced",
            "pid 812 (yourapplication) '(wsgi:app) -k start' is traced by pid 901 (root) 'strace -f -p 812': the "
            "tracer reads and may change everything it reads, writes and holds ...", root_only=True,
            needs=("apache",)),
    Promise("cw_units", f"{CW}: runs", "no systemd unit, timer or drop-in under /etc/systemd/system, "
            "/etc/systemd/system.{control,attached}, /run/systemd/{system,system.control,system.attached,transient} "
            "or /usr/local/lib/systemd/system (systemd's search path but the packages') runs as the app, deploy or "
            "Apache user (by name or uid), or runs code from the app's tree (its unit file, an Exec*/WorkingDirectory/"
            "EnvironmentFile path or an Environment= value there); no unit file linked "
            "from there is one no package ships; the app, deploy and Apache users have no systemd "
            "user manager at boot (linger), no enabled user units and none made at run time (`systemd-run --user`, "
            "`--runtime`: the manager's /run/user/UID/systemd/transient and systemd/user); no drop-in or unit file "
            "there changes how "
            "systemd starts, reloads or stops Apache's or sshd's unit, or its sandbox (ProtectSystem=, "
            "ReadOnlyPaths= ...); each unit's Exec*, WorkingDirectory, "
            "EnvironmentFile and Environment values judged as a cron job's line (a root unit's path someone but "
            "root may change, whatever the variable); unless allowed (allow_units), which never accounts for a "
            "command that runs as root with what someone but root may change, nor for one that runs as root (no "
            "User= but root, or '+'/'!' prefixes, PermissionsStartOnly) and reaches the app's tree; "
            "whatever is allowed, neither unit is masked and no "
            "reload of theirs stops the server; and, deny by default, every start entry there (a unit file, a "
            "drop-in, an alias link, a .wants/.requires/.upholds link: what a later boot, start or timer runs) is a "
            "package's (a file dpkg unpacked; a link a postinst made, deb-systemd-helper's record; one systemd's "
            "own postinst enables) or allowed by unit name (allow_units), and so is every entry of the packages' "
            "own unit dirs (/usr/lib/systemd/system, /lib's, /usr/lib/systemd/user: there dpkg's files only); a "
            "mask, a scope or a slice starts nothing",
            "test_no_unaccounted_systemd_units",
            "app-report.service (/etc/systemd/system/app-report.service; enabled by .../timers.target.wants/"
            "app-report.timer; started by app-report.timer): /etc/systemd/system/app-report.service:5: execstart "
            "reaches the app's tree (/var/www/app/current/venv/bin/python -m app.report): code the deploy login "
            "or the app can change runs as root ...", root_only=True, needs=("tree",)),
    Promise("cw_sudoers", f"{CW}: grants", "every sudoers line is Debian's, bootstrap's rule file, the target's "
            "login's root grant, or allowed; whatever is allowed, no root rule whose command is a file or directory "
            "someone but root may change, a program that makes its user root (free arguments to one that runs "
            "commands or writes files, an interactive one, a chosen environment), or a root script that runs, "
            "sources or writes what someone but root may change or hands its caller's free arguments on to a command "
            "(\"$@\", $1, sys.argv); and no sudo setting that stops the deploy's own sudo (noexec, intercept or "
            "requiretty reaching the deploy login's run of its releases' python as the app user, a later NOEXEC rule "
            "of that login)", "test_every_sudoers_line_is_accounted_for",
            "/etc/sudoers.d/ops:1: 'deployer ALL=(ALL) NOPASSWD: /usr/bin/systemctl': deployer may run commands "
            "as another user through it ...", root_only=True, needs=("tree",)),
    Promise("cw_groups", f"{CW}: grants", "the deploy, app and Apache users are in no group besides their own and "
            "the app's (deny by default: ssl-cert, adm or any other group gives its files to the app's or Apache's "
            "code; a login holding a root grant of its own is the operator's) unless allowed; no one else in the "
            "app's group; no account but root and the logins that become root anyway in a group that reaches root "
            "(shadow, disk, kmem, docker ...: a backup agent's, a CI runner's) unless allowed; no group has a password "
            "(gshadow's, or a hash in /etc/group: newgrp for whoever knows it); no group every login made later "
            "joins by default (adduser's EXTRA_GROUPS, useradd's GROUPS) is the app's, the deploy login's or one "
            "that reaches root",
            "test_users_groups_are_accounted_for",
            "yourapplication (the app user) is in group ssl-cert: bootstrap did not put it there ...", needs=("tree",)),
    Promise("cw_app_login", f"{CW}: grants", "no one can log in as the app user with a key (no authorized_keys, "
            "in its home or wherever an AuthorizedKeysFile line names for it), "
            "nor as Apache's user (its shell Debian's nologin: the gate cannot read its home's keys)",
            "test_no_key_logs_in_as_the_app_user", "/home/yourapplication/.ssh/authorized_keys exists: whoever "
            "holds a key listed there can log in as the app user ...", root_only=True),
    Promise("cw_tree_special", f"{CW}: grants", "nothing in the app's tree is setuid, setgid, has file "
            "capabilities or is world-writable, and its root (the app user's home) holds only what deploys make",
            "test_no_setuid_or_world_writable_in_app_tree", "/var/www/app/shared/data/tool: setuid (4755 app): "
            "it runs with its owner's ... rights whoever starts it", needs=("tree",)),
    Promise("cw_loader", f"{CW}: loads code", "nothing loads code into the daemons but the release: Apache's binary, "
            "no PYTHON*/LD_* env vars, no /etc/ld.so.preload, an empty python-home of the system Python, no "
            "site hook but the distribution's, nothing in the stdlib dirs (or a pythonXY.zip) that no package ships",
            "test_nothing_else_loads_code_into_the_app",
            "pid 27 (Apache, its daemons inherit it) has PYTHONPATH=/opt/x: it changes what Python ... loads",
            root_only=True, needs=("apache", "tree")),
    Promise("cw_load_path", f"{CW}: loads code", "everything on the code-loading path of the daemons and of root "
            "is root's and not writable by group/others: the python-home (every entry), the stack's Python and its "
            "stdlib dirs, /etc/ld.so.conf{,.d/*}, ld.so.cache/preload and every directory they name with what the "
            "linker reads there (its files, where its .so links lead, glibc-hwcaps/ and the legacy platform subdirs; "
            "not other subdirectories), each directory a .pth of the system Python's site dirs puts on root's "
            "python3 path, Apache's binaries and modules, the command directories and their files, "
            "Apache's log "
            "directory (a package's own owner of its file, e.g. at's daemon, is stock), every directory and file "
            "of /usr, /etc and /boot (perl's @INC, a tool's plugin dir, a root daemon's config: an admin's own and a "
            "group no one is in aside; a service's own account's, e.g. puppet's devices dir, only if allowed: "
            "allow_privileged); nothing in /usr/local/{sbin,"
            "bin} takes a packaged command's name on root's PATH, and no module perl's local dirs hold (/etc/perl, "
            "/usr/local/{share,lib/<arch>}/perl) takes a packaged module's name in perl's @INC (root's a2enmod, "
            "debconf, update-rc.d load it), nor any install in /usr/local/lib/python3.X/dist-packages or root's "
            "user site a packaged module's in /usr/lib/python3/dist-packages (apt's hooks, unattended-upgrades, "
            "certbot import it: a root pip install, pinned by the manifest of its files), unless allowed "
            "(allow_commands, pinned); what a "
            "library's configuration makes it load (openssl.cnf's engines, providers and .include, sudo.conf's "
            "Plugin and Path, glibc's gconv-modules.d) is root's alone and outside the app's tree",
            "test_nothing_on_the_load_path_is_writable_by_others", "the daemons' python-home "
            "(/var/lib/deploytests/python): 12 entries someone but root may change: /var/lib/deploytests/python/lib "
            "0757 root:root ...", root_only=True),
    Promise("cw_setuid", f"{CW}: grants", "every setuid/setgid file and every file with capabilities on the "
            "host's local file systems (every mount that honours them, walked whole, bounded: /var/tmp, /opt, /srv, "
            "homes, /usr/lib as much as root's PATH) has exactly the bits of the stack's stock server for "
            "the package that ships it, or dpkg's stat override for it (dpkg-statoverride --list), or is allowed "
            "(allow_privileged): dpkg keeps no mode, so a file it lists may still carry bits by hand",
            "test_no_unaccounted_privileged_files", "/usr/bin/python3.11 (4755 root:root): whoever runs it (the "
            "app user too) gets root's rights (setuid); python3.11 ships it without privileges ...", root_only=True),
    Promise("cw_sshd", f"{CW}: grants", "the SSH server's configuration as its next start reads it (sshd_config and "
            "its Include files, sshd's first-value rule, Match blocks; each running server's own -o and -f "
            "arguments first): no keyword the stack's sshd does not take (its next start refuses the whole "
            "configuration), no ChannelTimeout closing a silent session sooner than post_deploy_timeout, no root "
            "login with a password, no empty "
            "passwords, StrictModes on, no GatewayPorts or PermitTunnel (a login's forwards and tunnels serve "
            "the network), no HostbasedAuthentication (a trusted host's word stands for the user's key), no LogLevel "
            "below INFO (no login recorded), sshd_config, "
            "no other setting that turns a check of sshd's off or widens whom it trusts (the one guard pattern of "
            "root's configuration: PermitUserEnvironment yes), its Include dirs and files root's alone, every "
            "file that decides a key login (AuthorizedKeysFile, "
            "AuthorizedPrincipalsFile, TrustedUserCAKeys, RevokedKeys) in the user's home or root's alone; what "
            "sshd runs (AuthorizedKeysCommand, AuthorizedPrincipalsCommand: before authentication, for anyone; "
            "ForceCommand, Subsystem), resolved through links and root's scripts, runs and names nothing in the "
            "app's tree or that someone but root may change; no password login for the app user, and AllowUsers/"
            "DenyUsers/AllowGroups/DenyGroups admit the deploy login and the gate's, from anywhere: no user@host "
            "pattern for them, no Match block on the address, host or local port setting what decides their key "
            "login (access lists, PubkeyAuthentication, AuthenticationMethods, ForceCommand ...), no hosts.allow or "
            "hosts.deny rule (Debian's sshd asks libwrap), and nothing in force for them from anywhere (globally, "
            "a Match on their name or groups) that replaces their commands or refuses their key alone (ForceCommand, "
            "ChrootDirectory, AuthenticationMethods asking more, AuthorizedKeysFile none ...), unless allowed "
            "(allow_cron, the file pinned): the gate's login, from here, tries one place only; and the connection "
            "the runner made today still works at that start: a key exchange, cipher and MAC its SSH client speaks, "
            "the host key it pinned loaded and offered, the address and port it reached listened on, its key's "
            "algorithm accepted and in a file AuthorizedKeysFile names, no expiry-time on that key within 30 days",
            "test_sshd_config_is_accounted_for",
            "/etc/ssh/sshd_config:9: authorizedkeysfile /var/www/app/shared/data/keys/%u: sshd takes who may log "
            "in from there, and /var/www/app/shared/data/keys 2770 yourapplication:yourapplication may be changed "
            "by someone but root ..."),
    Promise("cw_pam", f"{CW}: grants", "every login, su and sudo goes through PAM as Debian ships it in effect: no "
            "auth module that ends the stack with success without a secret (pam_permit, pam_wheel trust, "
            "pam_succeed_if as 'sufficient'), no auth or account stack (its includes read in place) that ends in "
            "success when every module proving a secret or the account's standing fails (common-auth's or "
            "common-account's requisite pam_deny.so deleted or made optional), "
            "no pam_exec, no module from outside the system's PAM dirs, no password stack storing new passwords as "
            "MD5-crypt or bigcrypt; "
            "limits.conf/limits.d leave the app, deploy and gate's users room for a deploy (nproc, nofile, "
            "maxlogins ...); /etc/environment and pam_env.conf set no LD_*/PYTHON* variable and no PATH entry outside "
            "the stock command dirs, nor systemd's manager configuration, nor pid 1's environment (where systemd "
            "is pid 1, systemctl show-environment), which holds no variable set at run time (systemctl "
            "set-environment: every unit started afterwards gets it) but the locale's; every module of the stacks "
            "the deploy login's and the gate's logins run (sshd's "
            "account and session, and auth where sshd asks PAM for more than a key; sudo's account and session) is "
            "a line of Debian's conffile as shipped or of pam-auth-update's stock profiles, or allowed (allow_pam, "
            "pinned to its lines and its own configuration: access.conf, time.conf, a file= ...): pam_access, "
            "pam_time, pam_listfile, pam_succeed_if decide who logs in, when and from where, and the gate's login "
            "tries now and from here only", "test_login_stack_is_accounted_for",
            "/etc/pam.d/su:15: auth sufficient pam_wheel.so trust group=adm: its success ends the authentication "
            "without a password or key ..."),
    Promise("cw_login_files", f"{CW}: grants", "the files a login of the deploy user, of the gate's login and of "
            "every login that may become root (a sudoers rule, a root-reaching group) runs "
            "or trusts (its home, ~/.bashrc, ~/.profile, ~/.bash_profile, ~/.bash_login, ~/.bash_logout, "
            "~/.pam_environment, ~/.ssh and its rc, environment and authorized_keys) are its own or root's and "
            "writable by no one else (a group only when no one else is in it): bash runs ~/.bashrc for every SSH "
            "command; no line of its shell's startup files runs, sources or finds commands in what the app user "
            "writes (its shared dirs); and no ~/.ssh/rc (sshd runs it before every login's command), nor "
            "~/.ssh/environment where PermitUserEnvironment reads it", "test_login_files_are_the_logins",
            "/home/appuser/.bashrc (0664): writable by group yourapplication (yourapplication): its login (appuser) "
            "runs or trusts it at every SSH command ..."),
    Promise("cw_packaged", f"{CW}: loads code", "the files of the stack's packages (Apache, mod_wsgi, the stack's "
            "Python and stdlib, the C library, sudo, sshd, PAM) are what dpkg installed: each file changed since its "
            "package was installed (by its inode's ctime) is hashed against dpkg's md5sums; dpkg-divert's paths "
            "aside", "test_packaged_files_are_as_installed",
            "/usr/lib/python3.11/json/__init__.py: not what libpython3.11-stdlib installed (dpkg's md5sums) ..."),
    Promise("rollback_ready", "deploy: prune / rollback", "every kept release a rollback may switch to is complete "
            "and is what was deployed: its venv's python, the stack's Python, its pyvenv.cfg adding nothing to what "
            "that python loads, the entry point's module and the "
            "attribute it names (read with ast), the recorded version installed, every file as its deploy recorded "
            "it (SNAPSHOT.json: venv, __pycache__, static files; before that record: each distribution's RECORD "
            "with its sha256) and its venv and static dirs every file of the artifact its RELEASE.json names as "
            "the runner packed "
            "it (the runner's cache, by sha256: out of the deploy login's reach; no such artifact here: said in "
            "the drift section, not a failure), its files the deploy login's, not writable by group/others, every "
            "entry readable by the app user as the kernel decides (mode bits and access ACL: an ACL entry "
            "closing it, which the mode does not show, is the daemons' import error after a rollback) (read "
            "as the deploy user, never run), the config it started with kept as it was in .configs (a regular "
            "file of its bytes: the live release's config too, which the next config change needs); a rollback "
            "target is left while fewer than keep_releases are kept",
            "test_rollback_targets_are_complete", "kept releases a rollback may switch to are broken ...: "
            "/var/www/app/releases/R: 2 file(s) differ from what its deploy recorded (SNAPSHOT.json): added "
            "venv/lib/python3.11/site-packages/apm_sdk_init.pth, ...", needs=("live",)),
    Promise("sec_trace", f"{SEC}: Apache", "TraceEnable Off (DevSec apache-baseline, CIS Apache): an attacker "
            "cannot have requests, cookies and auth headers echoed back", "test_trace_disabled",
            "TraceEnable is On (...): TRACE echoes a request back ...", root_only=True),
    Promise("sec_tokens", f"{SEC}: Apache", "the Server header names no module or Python versions (ServerTokens "
            "not Full; Debian's stock OS accepted): an attacker gets no version list of mod_wsgi and Python",
            "test_server_header_names_no_modules", "ServerTokens is Full (Apache default) (unset): every "
            "response names ... versions", root_only=True),
    Promise("sec_status", f"{SEC}: Apache", "/server-status and /server-info are not served to the runner, not "
            "even when it claims the server's own address (X-Forwarded-For, X-Real-IP, Forwarded ...): an attacker "
            "does not see requests in flight, client addresses or the configuration, and passes no IP rule with a "
            "header",
            "test_status_pages_not_exposed", "Apache's status/info pages answer from outside the server ...: "
            "http://.../server-status: status 200", needs=("apache",)),
    Promise("sec_cors", f"{SEC}: Apache", "GET / from the runner with another site's Origin is not answered with "
            "that origin and Access-Control-Allow-Credentials: true (whatever file or the app says it): another site "
            "a logged-in user visits cannot read the app's answers with that user's cookies",
            "test_no_other_site_reads_answers_with_credentials", "GET http://.../ with Origin: https://1a2b.invalid "
            "... -> Access-Control-Allow-Origin: https://1a2b.invalid and Access-Control-Allow-Credentials: true: "
            "any web site a logged-in user visits reads the app's answers ...", needs=("apache",)),
    Promise("sec_updates", f"{SEC}: packages", "the stack's packages (Apache, mod_wsgi, the stack's Python, sudo, "
            "sshd, PAM, the C library and their libraries) take their updates: no dpkg hold, no apt pin that keeps "
            "a version or ranks the security archive below another release, no APT::Default-Release, and where "
            "unattended-upgrades is installed and on, no Package-Blacklist entry naming one (allow_cron, pinned): "
            "their security updates do not stop silently; and stay installed: none marked installed automatically "
            "(apt-mark auto) with nothing installed by hand needing it, which the next apt autoremove removes",
            "test_stack_packages_take_their_updates",
            "/etc/apt/preferences.d/apache2-pin:2: Package: apache2 ... / Pin: version 2.4.62-1~deb12u2 / "
            "Pin-Priority: 1001 (apache2): keeps version ..."),
    Promise("sec_apt", f"{SEC}: packages", "every apt source is signature-checked: no [trusted=yes] or "
            "allow-insecure source (one-line or deb822), no apt setting allowing unauthenticated packages, no "
            "keyring trusted for every source (trusted.gpg, trusted.gpg.d) that no package ships: what apt "
            "installs as root at the next upgrade is signed; and apt drops root for its methods as shipped (no "
            "APT::Sandbox::User but _apt, no Debug::NoDropPrivs; allow_cron, pinned)", "test_apt_sources_are_signed",
            "/etc/apt/sources.list.d/mirror.list:1: 'deb [trusted=yes] http://mirror.example/debian bookworm main': "
            "apt installs what this source serves without checking a signature ..."),
    Promise("sec_apache_user", f"{SEC}: Apache", "Apache's workers run as the stack's Apache user (www-data), read "
            "from /proc whatever the configuration says and whatever is allowed: never root (a hole in a module is "
            "root), the app user (its secrets) or the deploy user", "test_apache_workers_not_root",
            "Apache's workers do not run as the stack's Apache user www-data: - yourapplication: pids [...]: they "
            "read the app's config ...", root_only=True),
    Promise("cw_become", f"{CW}: grants", "no one becomes root outside sudoers and groups: no account but root "
            "with uid 0 or primary gid 0, no second name for any account's uid (useradd -o: that account under "
            "another name), no account database beside the files (nsswitch.conf: passwd, group, shadow, sudoers "
            "from extrausers, LDAP, sss ...: unless allowed by its source's name, allow_sudo: \"nsswitch: sss\"); "
            "no account that runs commands with an empty password (pam_unix nullok: "
            "anyone su's to it) or a hash in /etc/passwd; no password that sshd takes (PasswordAuthentication, "
            "keyboard-interactive through PAM; unless AuthenticationMethods asks for a key first) for the deploy "
            "login, the app user or the gate's login, nor for any other account with a shell (the network's "
            "shell on the server by guessing; DevSec ssh-baseline) unless allowed by login (allow_keys: \"LOGIN "
            "password\"); root's authorized_keys root's alone and without the "
            "deploy login's keys while sshd lets root log in with a key, nor the gate's login's (sudo); every key "
            "that opens the deploy login, the gate's login (sudo), root (while sshd takes root keys) or another "
            "login that may become root (a second admin's 0600 file: read by root), each file AuthorizedKeysFile "
            "names too, and every user CA sshd trusts (TrustedUserCAKeys), is the key the gate "
            "logged in with or allowed (allow_keys: \"LOGIN SHA256:FP\" as ssh-keygen -lf prints it; \"* SHA256:FP\" "
            "a CA); no key source beside those files is in force for one of them or another login that may become "
            "root (an AuthorizedKeysCommand; an AuthorizedPrincipalsFile or AuthorizedPrincipalsCommand where a CA "
            "is trusted: what they hand out the gate does not see), unless allowed (allow_keys: \"LOGIN Keyword "
            "value\" as sshd_config has it) (/etc/shadow "
            "read by root, reduced there to empty/locked/none/set and its aging fields: no hash leaves the server); "
            "no SSH trust anchor the deploy login can mint or use: no user CA sshd trusts (TrustedUserCAKeys) whose "
            "private key the deploy login may read (its home, the app's tree: by the key's public half) or others "
            "may read beside it (ca for ca.pub, by its mode), no private key it may read whose public half opens "
            "root or the gate's login; "
            "no other broker grants root: no doas rule (/etc/doas.conf), no capability at login (pam_cap's "
            "capability.conf), no polkit rule no package ships, and none of them unread, unless allowed (allow_sudo: "
            "the rule's line, a polkit file's path)",
            "test_no_one_else_becomes_root", "root: empty password field: with pam_unix's nullok ... any local user, "
            "the app user too, su's to root without a password: root", root_only=True),
    Promise("cw_deploy_account", f"{CW}: logins", f"the deploy login and the gate's keep logging in: no account "
            f"expiry, password end of life or forced password change past or within {ACCOUNT_HORIZON} days (shadow "
            f"fields 3, 5, 7, 8; the gate's login, whose password a policy may age on purpose: within its warning "
            f"days, field 6), not locked where sshd does not use PAM, a shell that runs commands",
            "test_deploy_login_keeps_logging_in", "deployer: the account expires (shadow field 8; chage -E) on "
            "2026-12-06 (in 1 days): every deploy and rollback will fail at login from then on", root_only=True),
    Promise("sec_secrets", f"{SEC}: host", "the password hashes (/etc/shadow, /etc/gshadow and their - backups) and "
            "the SSH host private keys are root's and readable by no one else (their group: shadow), root's home "
            "is root's alone (0700), no private key under /etc (a TLS key, any name: by its key block) is readable by "
            "every local user, and no copy of the app's config or of a kept one (or of a file of its shared "
            "data others may not read: its database, uploads) anywhere in the app's tree "
            "or where copies are left (beside the app's tree, /tmp, /var/tmp, /dev/shm, /var/backups, /srv, /home, "
            "/opt, /var/local, /var/opt, /usr/local, /mnt, /media) (found by "
            "content, any name: .configs/*, a .bak, a release's copy), nor a copy of the password hashes there (a "
            "line of an account with its crypt(5) hash, by content, any name: cp /etc/shadow under umask 022), "
            "nor a file there holding a secret value of the config (a value under a secret key, moved into a script "
            "or an env file) or a private key's block (outside /etc too), and no file the probe reads (Apache's "
            "configuration, root's files under /etc) holding a secret value of it, is readable by others through "
            "directories they may enter, nor is any process's command line holding one (every local user's to read, "
            "and a process table snmpd serves): an attacker with any local account gets no hash to crack, no host key "
            "to impersonate the server to the runner, nothing of root's and none of the app's secrets",
            "test_secrets_not_readable_by_others", "/etc/shadow (0644 root:shadow): every local user ... reads every "
            "password hash ..."),
    Promise("sec_ssh_crypto", f"{SEC}: host", "the SSH server offers no weak key exchange (SHA-1, 1024-bit group), "
            "cipher (CBC, 3DES, RC4), MAC (MD5, 96-bit) or SHA-1/DSA signature algorithm (HostKeyAlgorithms, "
            "PubkeyAcceptedAlgorithms, CASignatureAlgorithms): its configuration's plain, + and ^ lists over Debian's "
            "defaults, which offer none (DevSec ssh-baseline): an attacker on the path breaks no session of a deploy "
            "and forges no host key", "test_ssh_offers_no_weak_algorithms", "/etc/ssh/sshd_config:14: kexalgorithms "
            "+diffie-hellman-group1-sha1: sshd offers diffie-hellman-group1-sha1 to every client: a key exchange an "
            "attacker on the path can break ..."),
    Promise("sec_ssh_limits", f"{SEC}: host", "the SSH server keeps DevSec ssh-baseline's bounds besides its "
            "algorithms, as its next start reads them (sshd_config, Include files, Match blocks): no login's forwarded "
            "X11 display listens beyond loopback (X11UseLocalhost), what a stranger holds before "
            "authenticating is bounded (LoginGraceTime not 0, MaxStartups' full value at least 10), the pipeline's own "
            "connections and sessions fit (PerSourceMaxStartups at least 10, MaxSessions at least 4), every host key "
            "it offers is strong (RSA of 2048 bits or more, no DSA; from each key's .pub): a login opens no port "
            "to the world, no stranger locks deploys out with a few idle connections, no one impersonates the "
            "server with a factored key; and the SSH client every login here uses (ssh_config, ssh_config.d) lends no "
            "login's agent or Kerberos tickets to the hosts it connects to (ForwardAgent, GSSAPIDelegateCredentials) "
            "and takes no unchecked host key (StrictHostKeyChecking no): no host reached from here signs with an "
            "admin's keys, no one on the path answers root's backups", "test_ssh_server_keeps_its_bounds",
            "/etc/ssh/sshd_config:1: "
            "logingracetime 0: a connection that never authenticates is never cut ..."),
    Promise("sec_logs", f"{SEC}: Apache", "Apache's log directory (Debian's 0750 root:adm) lets no one else in, and "
            "no log the configuration in force writes elsewhere (ErrorLog, CustomLog, TransferLog) is readable by "
            "others, and no log format in force writes a request's or answer's credentials (Cookie, Authorization, "
            "Set-Cookie): an attacker with a local account (the app's code too) or a log's reader gets no request "
            "data, session, tokens in query strings or tracebacks; and the server's login records (wtmp, btmp, "
            "lastlog) are files others may not write, not a link or a device that discards them, and journald is not "
            "told to keep nothing (Storage=none) or nothing below a warning (MaxLevelStore), nor sudo to log nothing "
            "(!syslog with no log file, !log_allowed), nor Apache to drop the app's requests (an access log to "
            "/dev/null), whatever allows the file: a deploy or an intrusion leaves its trace; and Apache's error log "
            "keeps the app's errors (no LogLevel in force for the app above error for mod_wsgi, no ErrorLog into "
            "/dev/null): a failed deploy's report has its cause", "test_apache_logs_not_readable_by_others",
            "/var/log/apache2 (0755 root:adm) lets every local user in ..."),
    Promise("sec_guards", f"{SEC}: Apache", "the stock modules that guard the server (the stack's baseline: Debian's "
            "mod_reqtimeout) are loaded and not switched off by their directive: an attacker cannot hold every "
            "worker with a few slow connections", "test_stock_guards_in_force", "reqtimeout_module: a stock module of "
            "the stack that guards the server is not loaded ...", root_only=True),
    Promise("sec_sysctl", f"{SEC}: host", "the kernel settings boot applies (/etc/sysctl.conf, sysctl.d in "
            "systemd-sysctl's order; on disk: a container's /proc/sys is its host's) keep ASLR, suid_dumpable 0, "
            "the fs.protected_* link and file guards, dmesg/kptr restrictions, Yama's ptrace scope, unprivileged BPF "
            "off, SYN cookies; a setting naming a program the kernel runs as root (core_pattern's pipe, modprobe, "
            "hotplug, poweroff_cmd) names none that someone but root may change (one in the app's tree: cw_schedules)",
            "test_kernel_settings_at_boot_are_secure", "/etc/sysctl.d/99-perf.conf:1: kernel.randomize_va_space = 0 "
            "(secure: 2): address space layout randomisation weakened ..."),
    Promise("sec_sticky", f"{SEC}: host", "/tmp, /var/tmp, /dev/shm, /run/lock are root's and sticky when "
            "world-writable: no user removes or replaces another's (root's) files there", "test_temp_dirs_are_sticky",
            "/tmp (0777 root:root): any user, the app user too, removes or replaces any other user's files there ..."),
)
CLOSED_WORLD_CHECKS = {
    "cw_listen": cw_listen, "cw_apache_files": cw_apache_files, "cw_modules": cw_modules, "cw_vhosts": cw_vhosts,
    "cw_in_force": cw_in_force, "cw_processes": cw_processes, "cw_schedules": cw_schedules, "cw_units": cw_units,
    "cw_sudoers": cw_sudoers, "cw_groups": cw_groups, "cw_app_login": cw_app_login,
    "cw_tree_special": cw_tree_special, "cw_loader": cw_loader, "cw_load_path": cw_load_path,
    "cw_setuid": cw_setuid, "rollback_ready": rollback_ready, "cw_apache_effects": cw_apache_effects,
    "cw_sshd": cw_sshd, "cw_pam": cw_pam, "cw_login_files": cw_login_files, "cw_packaged": cw_packaged,
    "cw_root_acts": rootacts.cw_root_acts, "cw_traced": rootacts.cw_traced,
    "sec_apt": sec_apt, "sec_updates": sec_updates, "cw_served": cw_served, "cw_handlers": cw_handlers,
    "cw_in_front": cw_in_front,
    "cw_mapped": cw_mapped, "cw_bytecode": cw_bytecode,
    "sec_trace": sec_trace, "sec_tokens": sec_tokens, "sec_status": sec_status, "sec_cors": sec_cors,
    "sec_apache_user": sec_apache_user,
    "cw_become": cw_become, "cw_deploy_account": cw_deploy_account, "sec_secrets": sec_secrets, "sec_logs": sec_logs,
    "sec_ssh_crypto": sec_ssh_crypto, "sec_ssh_limits": sec_ssh_limits,
    "sec_guards": sec_guards, "sec_sysctl": sec_sysctl, "sec_sticky": sec_sticky,
}


# ---------------------------------------------------------------- the registry

B, D = "bootstrap", "deploy"
PROMISES: tuple[Promise, ...] = (
    Promise("host", "(any)", "the host answers over its pinned SSH login and every fact can be read",
            "test_host_answers", "web-1 could not be asked for its facts: ConnectError: ...", needs=()),
    Promise("sudo", "(any)", "the login's sudo works: when sudo -n refuses it, only for want of a password (a "
            "broken sudo fails here, instead of every root check skipping), and then the login cannot become root "
            "at all (no rule of its sudo -l listing runs as root, not in Debian's sudo group): a login that may "
            "become root with a password is no read-only gate; and when that login is the deploy login, sudo applies "
            "bootstrap's rule (its sudo -n -l lists the release python as the app user, NOPASSWD, as the last "
            "matching line): a rule file on disk that sudo does not read (its @includedir gone, the file moved) "
            "leaves every deploy's sudo -n -u <app user> refused", "test_sudo_works_for_the_login",
            "sudo refuses appuser on web-1: 'sudo: sorry, you must have a tty to run sudo': not for want of a "
            "password, sudo itself is broken here ..."),
    Promise("packages", f"{B}: packages", "the server stack's packages are installed (Debian 12 and 13: apache2, "
            "libapache2-mod-wsgi-py3, python3-venv, iproute2)",
            "test_packages_installed", "packages not installed: {'python3-venv': 'deinstall ok config-files'}"),
    Promise("apache", f"{B}: apache", "Apache runs, its parent process as root, and no process of it (its "
            "workers, the app's mod_wsgi daemons) is stopped by a signal (kill -STOP: present, yet its parent "
            "takes no reload, its workers and daemons answer nothing: every check that needs Apache skips, naming "
            "this one)",
            "test_apache_running",
            "Apache is not running on docker://web-1: no apache2 process"),
    Promise("boot", f"{B}: packages", "Apache starts again after a reboot, and so does the SSH server every deploy, "
            "rollback and gate run comes in by (systemd wants link, the SSH server's socket's, or rc start link; "
            "neither masked; no /etc/ssh/sshd_not_to_be_run)",
            "test_apache_starts_at_boot", "Apache is not started at boot: neither ... apache2.service nor ..."),
    Promise("configtest", f"{B}: apache", "Apache's configuration passes the reload's own check, `apache2ctl "
            "configtest` (what deploy's and logrotate's reloads run first; a config dump skips mod_ssl's certificate "
            "files), without warnings: a reload would work",
            "test_configtest_clean", "apache2ctl configtest: expected exit 0 and no warnings, got exit 1: ...",
            root_only=True),
    Promise("mod_wsgi", f"{B}: apache", "mod_wsgi is loaded", "test_mod_wsgi_loaded",
            "wsgi_module is not among Apache's modules: [...]", root_only=True),
    Promise("python", f"{B}: packages / {D}: install", "mod_wsgi, the daemons' python-home and the live venv run "
            "the stack's Python (what pack built the artifact for)",
            "test_mod_wsgi_and_live_venv_run_the_stacks_python",
            "Debian 12 (bookworm) serves with Python 3.11: ... Apache's parent (mod_wsgi) has mapped libpython "
            "['3.11']; the live venv /var/www/app/current/venv is 3.13", needs=("live",)),
    Promise("port", f"{B}: apache", "Apache listens on the app's port", "test_port_listening",
            "nothing listens on TCP port 80; listening: [22]", needs=("apache",)),
    Promise("sites", f"{B}: apache", "the app's site is enabled; the distribution's default site (answers every "
            "name) is not", "test_site_enabled_and_default_disabled",
            "the distribution's 000-default site is enabled (...'It works!')", needs=("tree",)),
    Promise("vhost", f"{B}: apache", "the vhost is exactly what bootstrap writes, 0644 root:root (or that and "
            "certbot --redirect's redirect, its copy for TLS in force)",
            "test_vhost_as_bootstrapped", "/etc/apache2/sites-available/app.conf differs from what bootstrap "
            "writes: a hand edit, or a server bootstrapped by another deploytests version; bootstrap again ...: <diff>",
            needs=("tree",)),
    Promise("daemon_mode", f"{B}: apache", "the vhost runs the app in daemon mode as the app user and denies the "
            "app's tree as files", "test_vhost_daemon_mode", "the vhost's WSGIDaemonProcess does not run as user=app",
            needs=("tree",)),
    Promise("app_user", f"{B}: users", "the app user exists, is not root and has no login shell, and root's record "
            "of the app users bootstrap created (/var/lib/deploytests/users) lists it and not the deploy login: else "
            "the next bootstrap refuses the server", "test_app_user",
            "app user 'yourapplication' has a login shell: /bin/bash", needs=("tree",)),
    Promise("deploy_group", f"{B}: users", "the deploy user is in the app's group",
            "test_deploy_user_in_app_group", "deploy user 'appuser' is not in the app group 'yourapplication'",
            needs=("tree",)),
    Promise("sudoers", f"{B}: sudoers", "the deploy user may run exactly one thing: the release venv's python as "
            "the app user; nothing as root, nothing wider (/etc/sudoers.d/deploytests-<app>, 0440 root)",
            "test_sudoers_rule_minimal",
            "... must grant only what deploys run ...: expected ['deployer ALL=(yourapplication) NOPASSWD: "
            "/var/www/yourapplication/releases/*/venv/bin/python'], found ['deployer ALL=(ALL) NOPASSWD: ALL']",
            root_only=True, needs=("tree",)),
    Promise("tree", f"{B}: tree", "/var/www/<app> 2755 (group app: what the deploy user makes in it is the app "
            "group's), releases/ 0755, application.wsgi 0644, .deploy.lock 0600 (flock needs only an open fd: a "
            "lock others may open, the app may hold, and every deploy and rollback waits; the next deploy makes an "
            "older 0644 one 0600): all the deploy user's (no one else may write them), and every directory above "
            "/var/www/<app> root's (or the deploy user's), not writable by group or others (who may, renames the "
            "app's root aside); /var/lib/deploytests/python (the daemons' python-home, an empty venv) root's",
            "test_tree_modes_and_owners",
            "expected /var/www/app/releases: directory 0755 appuser:appuser\n   found ...: directory 0777 ..."),
    Promise("shared", f"{B}: tree", "shared/ is 2750 <deploy user>:<app group>; each shared path 2770 (the app "
            "writes its data there; what the deploy writes there is the app group's), with no default ACL giving "
            "others or a named user what is made there (it would replace the daemons' umask)",
            "test_shared_dirs", "expected /var/www/app/shared/data: directory 2770 ... found ... 0777 ...",
            needs=("live",)),  # (the first deploy makes them)
    Promise("config_mode", f"{D}: config", "the config (when the app has one) is 0640 <deploy user>:<app group>: "
            "not world-readable; no ACL entry (on it, a kept one, or a default ACL of a directory above them) lets "
            "anyone else read it", "test_config_not_world_readable",
            "expected ...application.cfg: regular file 0640 ...",
            needs=("live",)),
    Promise("config", f"{D}: config", "the config on the server (when the app has one) is this host's config "
            "file (the target's, or its <host>.cfg of a per-host config directory; sha256)",
            "test_config_is_the_targets_config", "... is not this host's config file ...: sha256 1a2b... on the "
            "server, 3c4d... here", needs=("live",)),
    Promise("wsgi", f"{B}: tree", "application.wsgi is exactly what deploys write (bootstrap's placeholder until "
            "the first deploy)", "test_wsgi_as_bootstrapped",
            "/var/www/app/application.wsgi differs from what deploys write: sha256 ...", needs=("tree",)),
    Promise("current", f"{D}: switch", "current is a relative link releases/<id> to a complete release (with "
            "RELEASE.json)", "test_current_is_a_complete_release",
            "nothing deployed: /var/www/app/current does not exist", needs=("tree",)),
    Promise("records", f"{D}: build", "every complete release records app, name, version, artifact sha256, entry "
            "point, creation time and its manifest in RELEASE.json, under its own id, and the env and entry point "
            "the app runs with as its deploy recorded them (its settings, which hash to its settings_sha256)",
            "test_release_records",
            "releases with a broken record: R: RELEASE.json lacks ['version']", needs=("live",)),
    Promise("installed", f"{D}: install", "the live venv has the recorded version of the app installed",
            "test_installed_version_is_recorded_version",
            "yourapplication 1.1 is installed in the live venv (...), but current/RELEASE.json records version "
            "1.0", needs=("live",)),
    Promise("artifact", f"{D}: upload", "the live release came from the artifact (sha256, name, version) this "
            "run deployed for that server's Python (a run that deploys nothing packs nothing: the one its "
            "RELEASE.json names, as this runner packed it)", "test_release_json_matches_artifact",
            "current/RELEASE.json says {...}, the packed artifact is {...}", needs=("live",)),
    Promise("files", f"{D}: install", "every file of the live venv's lib/ and every console script in bin/ is "
            "byte-identical to the artifact's (scripts: after deploy's interpreter rewrite), none missing, none "
            "added", "test_installed_files_match_artifact",
            "the live venv is not the artifact ...: 1 file(s) changed, 0 missing, 0 not from the artifact\n"
            "changed: lib/python3.11/site-packages/app/__init__.py", needs=("live",)),
    Promise("code_mode", f"{D}: install", "the live release's files are the deploy user's and not writable by "
            "group or others (the app cannot change its own code); a place in it holding the app user's files is "
            "named as where the app writes into its release (lost at the next deploy or rollback)",
            "test_release_code_not_writable", "2 entries of the live release R are not appuser's or are writable "
            "by group/others; the app writes into its live release R: media (files of app, not the deploy's)",
            needs=("live",)),
    Promise("venv_python", f"{D}: install", "the live venv's python links to the stack's interpreter, root's "
            "(read, never run), and its pyvenv.cfg adds nothing to what it loads (no system site-packages, no other "
            "home)", "test_venv_python_is_the_stacks_interpreter",
            "the live venv's python .../current/venv/bin/python is a regular file (...), not a link to the "
            "stack's interpreter /usr/bin/python3.11", needs=("live",)),
    Promise("shared_links", f"{D}: install", "each shared path of the live release links to shared/<path>",
            "test_shared_links", "data: expected a link to /var/www/app/shared/data, found data: directory ...",
            needs=("live",)),
    Promise("prune", f"{D}: prune", "at most keep_releases complete releases; no half-built release dir unless a "
            "deploy holds the lock", "test_releases_pruned_and_complete",
            "4 releases kept, keep_releases = 3: [...]", needs=("tree",)),
    Promise("daemon_user", f"{D}: gate", "the app's mod_wsgi daemons run, as the app user only",
            "test_daemons_run_as_app_user", "mod_wsgi daemons of app run as ['www-data'], expected only 'app'",
            needs=("apache", "live")),
    Promise("reload", f"{D}: reload", "the reload deploy and rollback use takes effect on this server as "
            "configured: no WSGIScriptReloading Off in force for the app, no AllowOverride letting a .htaccess in "
            "the app's tree say it, the app's WSGIScriptAlias loads the application.wsgi deploy touches, no "
            "WSGIProcessGroup over its vhost sending its requests out of its daemon (embedded mode) (read from "
            "Apache's configuration in force, file by file)",
            "test_reload_takes_effect", "the reload deploys rely on will not take effect on this server:\n- "
            "/etc/apache2/conf-enabled/perf.conf:2: WSGIScriptReloading Off: ... the next deploy will not take "
            "effect ...", root_only=True, needs=("apache", "tree")),
    Promise("daemon_code", f"{D}: reload", "every daemon (every process of the app user Apache's root process "
            "forked, whatever its argv or name say: one the app's code replaced or renamed is still judged) was "
            "(re)started after current was last switched and, where root may read it, runs in the live release's "
            "directory (/proc/<pid>/cwd): each runs the live release", "test_daemons_run_live_release",
            "mod_wsgi daemons [123, 124] started "
            "before current was switched to R and were not restarted since...", needs=("apache", "live")),
    Promise("loaded", f"{D}: reload", "nothing the daemons load (the live release's tree with its __pycache__ and "
            "venv, current, application.wsgi, the config, the python-home) changed after the oldest daemon started "
            "(ctime, which no one can set back): what runs is what is on disk", "test_daemons_run_what_is_on_disk",
            ".../site-packages/app/__init__.py changed at 2026-12-05 15:21:43.120 UTC, after the app's mod_wsgi "
            "daemon 123 started (...): what the daemons run may not be what is on disk now...",
            needs=("apache", "live")),
    Promise("umask", f"{B}: apache", "the daemons run with the umask the vhost sets (files the app writes are not "
            "opened to others)", "test_daemons_umask", "mod_wsgi daemons of app run with umask ['0000'], expected "
            "0022", needs=("apache", "live")),
    Promise("health", f"{D}: gate", "the health path answers 200 from the runner", "test_health_from_runner",
            "GET /health answered 503, expected HTTP 200 with a body\nGET http://.../health -> 503 ...",
            needs=("apache", "live")),
    Promise("homepage", f"{D}: gate", "/ is answered by the app's live release, not another site",
            "test_homepage_is_the_app", "GET / was not answered by the app's live release R: X-Deploy-Release is "
            "None (another site answered, e.g. Debian's 'It works!' page)", needs=("apache", "live")),
    Promise("serves", f"{D}: gate", "the site serves the release current points at (X-Deploy-Release)",
            "test_site_serves_current_release", "the site serves release 'OLD', current -> releases/NEW",
            needs=("apache", "live")),
    Promise("inside", f"{D}: gate", "the health path answers 200 with the live release from the server itself "
            "(Host: server_name)", "test_health_from_inside_server",
            "GET http://127.0.0.1:80/health (Host: localhost) on web-1 answered 500 ...", needs=("apache", "live")),
    Promise("private", f"{B}: apache", "nothing under the app's tree is downloadable (.wsgi, config, RELEASE.json, "
            "venv, lock)", "test_app_files_not_downloadable",
            "files under the app's tree must not be downloadable, but:\nhttp://.../application.wsgi: status 200",
            needs=("apache",)),
    Promise("static", f"{B}: apache / {D}: unpack", "each static alias (deploy.toml's static) serves its files from "
            "the live release by Apache itself (not the app), with their content type; nothing outside the static "
            "dir answers through it (encoded '..', an encoded slash, no listing)", "test_static_served_by_apache",
            "static files:\n/static/app.css was answered by the app (X-Deploy-Release), not by Apache ...",
            needs=("apache", "live")),
)

CHECKS = {
    "host": host_answers, "sudo": sudo_works, "packages": packages_installed, "apache": apache_running,
    "boot": apache_starts_at_boot,
    "configtest": configtest_clean, "mod_wsgi": mod_wsgi_loaded, "python": stack_python, "port": port_listening,
    "sites": site_enabled_default_disabled, "vhost": vhost_as_bootstrapped, "daemon_mode": vhost_daemon_mode,
    "app_user": app_user, "deploy_group": deploy_user_in_app_group, "sudoers": sudoers_rule_minimal,
    "tree": tree_modes_and_owners, "shared": shared_dirs, "config_mode": config_private, "config": config_is_targets,
    "wsgi": wsgi_as_bootstrapped, "current": current_complete,
    "records": release_records_complete, "installed": installed_version_is_recorded,
    "artifact": release_json_matches_artifact, "files": installed_files_match_artifact,
    "code_mode": release_code_not_writable, "venv_python": venv_python_is_the_stacks, "shared_links": shared_links,
    "prune": releases_pruned_and_complete, "daemon_user": daemons_run_as_app_user,
    "daemon_code": daemons_run_live_release, "loaded": daemons_load_what_is_on_disk, "reload": reload_takes_effect,
    "umask": daemon_umask,
    "health": health_from_runner,
    "homepage": homepage_is_the_app,
    "serves": site_serves_current_release, "inside": health_from_inside, "private": app_files_not_downloadable,
    "static": static_served_by_apache,
}
PROMISES += CLOSED_WORLD  # the closed-world and security rules (their own block above)
CHECKS.update(CLOSED_WORLD_CHECKS)
BY_ID = {p.id: p for p in PROMISES}
ROOT_OF = {test: fact for fact, (test, _) in BASICS.items()}


def verify(promise_id: str, facts, exp: Expected) -> None:
    """Check one promise on one server's facts: returns, raises AssertionError, or NotApplicable (skip). The
    check sees the allowances whose pins hold on this host (:func:`pins.effective`). What it says is made safe
    here, once (:func:`deploytests.untrusted.text`: its lines kept, every other control shown escaped): a rule may
    quote the raw snapshot (``Facts.raw``, not made safe), and its message goes to the admin's terminal as it is
    (pytest prints a failure's text; the plugin only redacts it)."""
    from .. import untrusted

    __tracebackhide__ = True
    try:
        _verify(promise_id, facts, exp)
    except (AssertionError, NotApplicable) as said:
        said.args = (untrusted.text(str(said), limit=1 << 22),)
        raise


def _verify(promise_id: str, facts, exp: Expected) -> None:
    from .pins import effective

    __tracebackhide__ = True
    promise = BY_ID[promise_id]
    off = exp.allow.skip_rules.get(promise_id)
    if off:
        raise NotApplicable(f"switched off in {exp.allow.where}: skip_rules {promise_id} = {off!r}")
    reason = blocked(facts, promise.needs, exp, own=ROOT_OF.get(promise.test, ""))
    if reason:
        raise NotApplicable(reason)
    taken = _default_site(facts, exp) if promise_id in HTTP_CHECKS else None
    if taken and "cw_vhosts" not in exp.allow.skip_rules:
        raise NotApplicable(f"the runner's requests reach {taken['name']} ({taken['file']}:{taken['line']}), "
                            f"Apache's default virtual host for port {exp.cfg.port}, not the app's site (the root "
                            f"failure is test_every_vhost_is_accounted_for)")
    CHECKS[promise_id](facts, dataclasses.replace(exp, allow=effective(facts, exp.allow, exp)))


BASIC_NAMES = {"host": "host unreachable", "tree": "not bootstrapped", "apache": "Apache down",
               "live": "nothing live"}


def table() -> str:
    """The Markdown table of docs/promises.md: step, promise, test, what a failure prints."""
    rows = ["| step | promise | check (`deploytests/suite/test_promises.py`) | a failure prints (example) | "
            "skipped when |", "|---|---|---|---|---|"]
    for p in PROMISES:
        skip = ", ".join(BASIC_NAMES[n] for n in p.needs if BASICS[n][0] != p.test) or "host unreachable"
        if p.id == "host":
            skip = "never"
        if p.root_only:
            skip += "; the login has no sudo"
        msg = p.message.replace("\n", " ").replace("|", "\\|")
        rows.append(f"| {p.step} | {p.promise} | `{p.test}` | `{msg}` | {skip} |")
    return "\n".join(rows)
