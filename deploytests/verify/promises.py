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

import difflib
import hashlib
import io
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .http import describe


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
    # or a callable python_version -> Artifact | None (a read-only run: the project packed locally)
    artifact: object = None
    _packed: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.stack is None:
            from ..stacks import DEFAULT

            self.stack = DEFAULT

    @classmethod
    def from_config(cls, cfg, deploy_user: str, *, stack=None, host: str | None = None, port: int = 22,
                    **kwargs) -> Expected:
        """``host``/``port``: the server's address, which picks its file of a per-host config directory."""
        from ..errors import DeployTestsError
        from ..pipeline import templates
        from ..stacks import DEFAULT

        stack = stack or DEFAULT
        problem, config = "", None
        try:
            config = cfg.config_for(host, port) if host is not None else cfg.config_file
        except DeployTestsError as exc:
            problem = exc.one_line() if hasattr(exc, "one_line") else str(exc)
        config = Path(config) if config else None
        sha = hashlib.sha256(config.read_bytes()).hexdigest() if config and config.is_file() else None
        return cls(cfg=cfg, deploy_user=deploy_user, vhost=templates.vhost(cfg, stack=stack),
                   wsgi=templates.wsgi(cfg), stack=stack, config_file=config, config_sha256=sha,
                   config_problem=problem, **kwargs)

    def artifact_for(self, python_version: str):
        """The artifact to compare the live release with: the one packed for the server's Python (this run's,
        or the project packed locally: nothing is sent anywhere). None when there is none."""
        if isinstance(self.artifact, dict):
            return self.artifact.get(python_version)
        if self.artifact is None or not callable(self.artifact):
            return self.artifact
        if python_version not in self._packed:
            self._packed[python_version] = self.artifact(python_version)
        return self._packed[python_version]


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
        return None if facts.get("apache") else f"Apache is not running on {facts.label} (no {name} process)"
    if fact == "tree":
        kind = ((facts.get("stat") or {}).get(f"{root}/releases") or {}).get("kind", "missing")
        return None if kind == "directory" else f"not bootstrapped: {root}/releases is {kind}"
    if fact == "live":
        tree, current = facts.tree, facts.tree.get("current")
        if current is None:
            return f"nothing deployed: {root}/current does not exist"
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
    if "mode" not in st:
        return f"{path}: {st.get('kind')}"
    link = f" -> {st['target']}" if st.get("target") else ""
    return f"{path}: {st['kind']} {st['mode']} {st['owner']}:{st['group']}{link}"


def _path(facts, path, *, kind, mode=None, owner=None, group=None) -> str | None:
    st = _stat(facts, path)
    want = {"kind": kind, "mode": mode or st.get("mode"), "owner": owner or st.get("owner"),
            "group": group or st.get("group")}
    if all(st.get(k) == v for k, v in want.items()):
        return None
    shown = dict(st, **{k: v for k, v in want.items() if v})
    return f"expected {_describe(path, shown)}\n   found {_describe(path, st)}"


def _group_of(facts, who) -> str:
    return (((facts.get("users") or {}).get(who)) or {}).get("group") or "?"


def _needs_root(facts, what: str) -> None:
    if not facts.get("as_root"):
        raise NotApplicable(f"{facts.get('login') or 'the login'} on {facts.label} has no passwordless sudo; "
                            f"{what} needs root")


def _diff(expected: str, found: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), found.splitlines(), f"{name} (as bootstrap writes it)",
                                 f"{name} (on the server)", lineterm="", n=1)
    return "\n".join(list(lines)[:40])


def _live_id(facts) -> str:
    return facts.tree["current"].rstrip("/").rsplit("/", 1)[-1]


def _response(facts, path):
    resp = facts.responses.get(path)
    if isinstance(resp, str) or resp is None:
        raise AssertionError(f"GET {path} from the runner got no answer: {resp}")
    return resp


# ---------------------------------------------------------------- the checks (bootstrap)

def host_answers(facts, exp):
    assert not facts.error, f"{facts.label} could not be asked for its facts: {facts.error}"
    errors = facts.get("errors") or {}
    assert not errors, f"the fact probe could not read: {errors}"


def packages_installed(facts, exp):
    found = facts.get("packages") or {}
    missing = {p: s for p, s in found.items() if s != "installed"}
    assert found and not missing, f"packages not installed: {missing} (bootstrap installs {', '.join(found)} " \
                                  f"on {exp.stack.title})"


def apache_running(facts, exp):
    procs, name = facts.get("apache") or [], exp.stack.apache.process_name
    assert procs, f"Apache is not running on {facts.label}: no {name} process"
    parents = [p for p in procs if p["user"] == "root" and p["ppid"] not in {q["pid"] for q in procs}]
    assert parents, f"no {name} parent process owned by root; found {[(p['pid'], p['user']) for p in procs]}"


def apache_starts_at_boot(facts, exp):
    boot, service = facts.get("boot"), exp.stack.apache.service
    assert boot, (f"Apache is not started at boot: neither /etc/systemd/system/multi-user.target.wants/"
                  f"{service}.service nor an rc2-5.d S..{service} link exists (systemctl enable {service})")


def configtest_clean(facts, exp):
    apachectl = exp.stack.apache.apachectl
    _needs_root(facts, f"{apachectl} configtest")
    ct = facts.get("configtest") or {}
    ok = exp.stack.configtest_ok
    assert ct.get("rc") == 0 and ct.get("stderr", "") in ("", ok), \
        f"{apachectl} configtest: expected exit 0 and no warnings (at most {ok!r}), got exit {ct.get('rc')}:\n" \
        f"{ct.get('stderr')}"


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
    found = {f"{stack.wsgi_module_file} links libpython": pythons.get("mod_wsgi"),
             f"{exp.cfg.root}/python (python-home) is": pythons.get("python_home"),
             f"the live venv {exp.cfg.root}/current/venv is": live.get("venv_version")}
    want = {k: [stack.python_version] if "links" in k else stack.python_version for k in found}
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
    found = facts.get("vhost") or ""
    assert found == exp.vhost, f"{path} differs from what bootstrap writes ({st.get('mode')}):\n" + \
        _diff(exp.vhost, found, path)


def vhost_daemon_mode(facts, exp):
    cfg, vhost = exp.cfg, facts.get("vhost") or ""
    words = vhost.split()
    assert f"WSGIProcessGroup {cfg.app}" in vhost or f"process-group={cfg.app}" in vhost, \
        f"the vhost does not put the app in daemon process group {cfg.app!r}:\n{vhost}"
    assert any(w == f"user={cfg.app_user}" for w in words), \
        f"the vhost's WSGIDaemonProcess does not run as user={cfg.app_user}:\n{vhost}"
    assert "Require all denied" in vhost, f"the vhost does not deny {cfg.root} as files (Require all denied):\n{vhost}"


def app_user(facts, exp):
    user = (facts.get("users") or {}).get("app")
    name = exp.cfg.app_user
    assert user, f"app user {name!r} does not exist"
    assert user["uid"] != 0, f"app user {name!r} has uid 0"
    assert user["shell"] in exp.stack.nologin_shells, \
        f"app user {name!r} has a login shell: {user['shell']}"


def deploy_user_in_app_group(facts, exp):
    users = facts.get("users") or {}
    deploy, group = users.get("deploy"), _group_of(facts, "app")
    assert deploy, f"deploy user {exp.deploy_user!r} does not exist"
    if exp.deploy_user == exp.cfg.app_user:
        return
    assert group in deploy["groups"], \
        f"deploy user {exp.deploy_user!r} is not in the app group {group!r} (groups: {deploy['groups']})"


def sudoers_rule_minimal(facts, exp):
    """Exactly the rules bootstrap's root agent writes (``agent_root.sudoers_rule``): the release venv's python
    as the app user, and the config helper for this app as root; any other line, or a wider one, fails."""
    from ..pipeline.agent_root import sudoers_rule

    if exp.deploy_user == "root":
        raise NotApplicable("the deploy user is root: bootstrap writes no sudoers rule")
    _needs_root(facts, "reading /etc/sudoers.d")
    rule = facts.get("sudoers") or {}
    path = f"/etc/sudoers.d/deploytests-{exp.cfg.app}"
    want = sudoers_rule(exp.deploy_user, exp.cfg.app_user, exp.cfg.app, exp.cfg.root,
                        facts.get("executable") or "/usr/bin/python3")
    st = rule.get("stat") or {"kind": "missing"}
    assert (st.get("kind"), st.get("mode"), st.get("owner")) == ("regular file", "0440", "root"), \
        f"expected {path}: regular file 0440 root:root\n   found {_describe(path, st)}"
    found = rule.get("text") or ""
    rules = lambda text: [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]  # noqa: E731
    assert found == want, \
        f"{path} must grant only what deploys run (the release python as {exp.cfg.app_user}, the config " \
        f"helper as root): expected {rules(want)}, found {rules(found)}"


def tree_modes_and_owners(facts, exp):
    root, deploy = exp.cfg.root, exp.deploy_user
    problem = basic_problem(facts, "tree", exp)
    assert problem is None, f"{problem} (bootstrap makes it; run fab bootstrap)"
    dgroup = _group_of(facts, "deploy")
    problems = [p for p in (
        _path(facts, root, kind="directory", mode="0755", owner=deploy, group=dgroup),
        _path(facts, f"{root}/releases", kind="directory", mode="0755", owner=deploy),
        _path(facts, f"{root}/application.wsgi", kind="regular file", mode="0644", owner=deploy),
        _path(facts, f"{root}/.deploy.lock", kind="regular file", mode="0644", owner=deploy),
        _path(facts, f"{root}/python", kind="directory", mode="0755", owner="root", group="root"),
        _path(facts, f"{root}/python/pyvenv.cfg", kind="regular file", owner="root"),
    ) if p]
    assert not problems, "\n".join(problems)


def shared_dirs(facts, exp):
    root, group = exp.cfg.root, _group_of(facts, "app")
    problems = [_path(facts, f"{root}/shared", kind="directory", mode="0750", owner="root", group=group)]
    problems += [_path(facts, f"{root}/shared/{rel}", kind="directory", mode="0770", owner=exp.cfg.app_user,
                       group=group) for rel in exp.cfg.shared_paths]
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


def config_private(facts, exp):
    path = exp.cfg.remote_config_path
    problem = _path(facts, path, kind="regular file", mode="0640", owner="root", group=_group_of(facts, "app"))
    assert problem is None, problem


def config_is_targets(facts, exp):
    assert not exp.config_problem, exp.config_problem
    if exp.config_sha256 is None:
        raise NotApplicable("this run has no config file to compare with (config_file unset)")
    found = facts.get("config_sha256")
    if found is None:
        raise NotApplicable(f"{exp.cfg.remote_config_path} is not readable by {facts.get('login')} on {facts.label}")
    assert found == exp.config_sha256, \
        f"{exp.cfg.remote_config_path} is not this host's config file {exp.config_file}: " \
        f"sha256 {found[:12]} on the server, {exp.config_sha256[:12]} here"


def wsgi_as_bootstrapped(facts, exp):
    want = hashlib.sha256(exp.wsgi.encode()).hexdigest()
    found = facts.get("wsgi_sha256")
    assert found == want, f"{exp.cfg.root}/application.wsgi differs from what bootstrap writes: sha256 " \
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
    if art is None:
        raise NotApplicable("no artifact to compare with: pass --app (the project is packed locally, "
                            "nothing is sent to the server)")
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


def tree_files(artifact) -> dict[str, str]:
    """sha256 of every file of the artifact's prebuilt venv tree under ``lib/`` (relative to the venv)."""
    hashes = {}
    with tarfile.open(artifact.path) as outer:
        for part in artifact.manifest.get("tree", []):
            with tarfile.open(fileobj=io.BytesIO(_read_member(outer, part))) as inner:
                for member in inner.getmembers():
                    if member.isfile() and member.name.startswith("lib/"):
                        hashes[member.name] = hashlib.sha256(_read_member(inner, member)).hexdigest()
    return hashes


def _read_member(tar: tarfile.TarFile, member) -> bytes:
    f = tar.extractfile(member)
    if f is None:
        raise ValueError(f"{member}: not a file in the artifact")
    return f.read()


_TREE_CACHE: dict[str, dict[str, str]] = {}


def installed_files_match_artifact(facts, exp):
    art, meta, same = _artifact(facts, exp)
    if not same:
        raise NotApplicable(f"the live release is not this project's artifact ({art.sha256[:12]}); "
                            "test_release_json_matches_artifact says which is live")
    if not art.manifest.get("tree"):
        raise NotApplicable("the artifact ships wheels (built for another Python), not a prebuilt tree")
    want = _TREE_CACHE.get(art.sha256) or _TREE_CACHE.setdefault(art.sha256, tree_files(art))
    found = (facts.live or {}).get("hashes") or {}
    changed = sorted(p for p in want if p in found and found[p] != want[p])
    missing = sorted(p for p in want if p not in found)
    extra = sorted(p for p in found if p not in want)
    shown = [f"changed: {p}" for p in changed[:5]] + [f"missing: {p}" for p in missing[:5]] + \
        [f"not from the artifact: {p}" for p in extra[:5]]
    assert not (changed or missing or extra), \
        f"the live venv is not the artifact {art.sha256[:12]} ({art.name} {art.version}): {len(changed)} file(s) " \
        f"changed, {len(missing)} missing, {len(extra)} not from the artifact\n" + "\n".join(shown)


def release_code_not_writable(facts, exp):
    live = facts.live or {}
    assert live.get("loose_count", 0) == 0, \
        f"{live['loose_count']} entries of the live release {live['id']} are not {exp.deploy_user}'s or are " \
        f"writable by group/others (the app user could change the code it runs):\n" + "\n".join(live["loose"])


def venv_python_runs(facts, exp):
    live = facts.live or {}
    assert live.get("python_ok"), \
        f"the live venv's python {exp.cfg.root}/current/venv/bin/python is not an executable file " \
        f"(resolves to {live.get('python')})"


def shared_links(facts, exp):
    live, root = facts.live or {}, exp.cfg.root
    problems = [f"{rel}: expected a link to {root}/shared/{rel}, found {_describe(rel, st)}"
                for rel, st in live.get("shared", {}).items()
                if st.get("kind") != "symbolic link" or st.get("target") != f"{root}/shared/{rel}"]
    assert not problems, f"shared paths of the live release {live.get('id')}:\n" + "\n".join(problems)


def releases_pruned_and_complete(facts, exp):
    tree, keep = facts.tree, exp.cfg.keep_releases
    releases = sorted(tree.get("releases", {}))
    assert len(releases) <= keep, f"{len(releases)} releases kept, keep_releases = {keep}: {releases}"
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
    switched = _stat(facts, f"{exp.cfg.root}/current").get("mtime") or 0
    stale = [d["pid"] for d in daemons if d["started"] < switched - 0.02]
    assert not stale, \
        f"mod_wsgi daemons {stale} started before current was switched to {_live_id(facts)} and were not " \
        f"restarted since: they may still run the previous release's code (deploy reloads by touching " \
        f"application.wsgi)"


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
    resp = _response(facts, exp.cfg.health_path)
    assert resp.status_code == 200 and resp.content, f"expected HTTP 200 with a body\n{describe(resp)}"


def homepage_is_the_app(facts, exp):
    resp = _response(facts, "/")
    assert resp.status_code < 500, f"GET / answered {resp.status_code}\n{describe(resp)}"
    found, live = resp.headers.get("X-Deploy-Release"), _live_id(facts)
    assert found == live, \
        f"GET / was not answered by the app's live release {live}: X-Deploy-Release is {found!r} " \
        f"(another site answered, e.g. Debian's 'It works!' page)\n{describe(resp)}"


def site_serves_current_release(facts, exp):
    resp = _response(facts, exp.cfg.health_path)
    found, live = resp.headers.get("X-Deploy-Release"), _live_id(facts)
    assert found == live, f"the site serves release {found!r}, current -> releases/{live}\n{describe(resp)}"


def health_from_inside(facts, exp):
    got = (facts.get("http") or {}).get("health") or {}
    cfg, live = exp.cfg, _live_id(facts)
    assert [got.get("status"), got.get("release")] == [200, live], \
        f"GET http://127.0.0.1:{cfg.port}{cfg.health_path} (Host: {cfg.server_name}) on {facts.label} answered " \
        f"{got.get('status')} with release {got.get('release')} {got.get('error', '')}, " \
        f"expected 200 with release {live}"


def app_files_not_downloadable(facts, exp):
    from .diagnostics import secret_values

    secrets = secret_values(exp.cfg.config_file)
    forbidden = {"/application.wsgi": "X-Deploy-Release", "/current/RELEASE.json": "artifact_sha256"}
    from .facts import PRIVATE

    leaks = []
    for path in PRIVATE:
        resp = _response(facts, path)
        marker = forbidden.get(path) or (secrets[0] if secrets else "")
        if resp.status_code == 200 or (marker and marker in resp.text):
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
    the project on the runner, as pack shipped it (its path relative to the dir), or None when there is none."""
    base = Path(cfg.project_dir) / directory
    if not base.is_dir():
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


# ---------------------------------------------------------------- the registry

B, D = "bootstrap", "deploy"
PROMISES: tuple[Promise, ...] = (
    Promise("host", "(any)", "the host answers over its pinned SSH login and every fact can be read",
            "test_host_answers", "web-1 could not be asked for its facts: ConnectError: ...", needs=()),
    Promise("packages", f"{B}: packages", "the server stack's packages are installed (Debian 12 and 13: apache2, "
            "libapache2-mod-wsgi-py3, python3-venv, iproute2)",
            "test_packages_installed", "packages not installed: {'python3-venv': 'deinstall ok config-files'}"),
    Promise("apache", f"{B}: apache", "Apache runs, its parent process as root", "test_apache_running",
            "Apache is not running on docker://web-1: no apache2 process"),
    Promise("boot", f"{B}: packages", "Apache starts again after a reboot (systemd wants link or rc start link)",
            "test_apache_starts_at_boot", "Apache is not started at boot: neither ... apache2.service nor ..."),
    Promise("configtest", f"{B}: apache", "Apache's configuration parses without warnings (a reload would work)",
            "test_configtest_clean", "apache2ctl configtest: expected exit 0 and no warnings, got exit 1: ...",
            root_only=True),
    Promise("mod_wsgi", f"{B}: apache", "mod_wsgi is loaded", "test_mod_wsgi_loaded",
            "wsgi_module is not among Apache's modules: [...]", root_only=True),
    Promise("python", f"{B}: packages / {D}: install", "mod_wsgi, the daemons' python-home and the live venv run "
            "the stack's Python (what pack built the artifact for)",
            "test_mod_wsgi_and_live_venv_run_the_stacks_python",
            "Debian 12 (bookworm) serves with Python 3.11: /usr/lib/apache2/modules/mod_wsgi.so links libpython "
            "['3.11']; ... the live venv /var/www/app/current/venv is 3.13", needs=("live",)),
    Promise("port", f"{B}: apache", "Apache listens on the app's port", "test_port_listening",
            "nothing listens on TCP port 80; listening: [22]", needs=("apache",)),
    Promise("sites", f"{B}: apache", "the app's site is enabled; the distribution's default site (answers every "
            "name) is not", "test_site_enabled_and_default_disabled",
            "the distribution's 000-default site is enabled (...'It works!')", needs=("tree",)),
    Promise("vhost", f"{B}: apache", "the vhost is exactly what bootstrap writes, 0644 root:root",
            "test_vhost_as_bootstrapped", "/etc/apache2/sites-available/app.conf differs from what bootstrap "
            "writes: <diff>", needs=("tree",)),
    Promise("daemon_mode", f"{B}: apache", "the vhost runs the app in daemon mode as the app user and denies the "
            "app's tree as files", "test_vhost_daemon_mode", "the vhost's WSGIDaemonProcess does not run as user=app",
            needs=("tree",)),
    Promise("app_user", f"{B}: users", "the app user exists, is not root and has no login shell", "test_app_user",
            "app user 'yourapplication' has a login shell: /bin/bash", needs=("tree",)),
    Promise("deploy_group", f"{B}: users", "the deploy user is in the app's group (reads the config it uploads)",
            "test_deploy_user_in_app_group", "deploy user 'appuser' is not in the app group 'yourapplication'",
            needs=("tree",)),
    Promise("sudoers", f"{B}: sudoers", "the deploy user may run exactly two things: the release venv's python as "
            "the app user, the config helper for this app as root; nothing wider "
            "(/etc/sudoers.d/deploytests-<app>, 0440 root)", "test_sudoers_rule_minimal",
            "... must grant only what deploys run ...: expected ['appuser ALL=(yourapplication) NOPASSWD: "
            "/var/www/yourapplication/releases/*/venv/bin/python', 'appuser ALL=(root) NOPASSWD: /usr/bin/python3 -I "
            "/var/lib/deploytests/agent_root.py config yourapplication'], found ['appuser ALL=(ALL) NOPASSWD: ALL']",
            root_only=True, needs=("tree",)),
    Promise("tree", f"{B}: tree", "/var/www/<app> and releases/ 0755, application.wsgi 0644, .deploy.lock: all the "
            "deploy user's (no one else may write them); python/ (the daemons' python-home, an empty venv) root's",
            "test_tree_modes_and_owners",
            "expected /var/www/app/releases: directory 0755 appuser:appuser\n   found ...: directory 0777 ..."),
    Promise("shared", f"{B}: tree", "shared/ is 0750 root:<app group>; each shared path 0770 <app user>:<app group>",
            "test_shared_dirs", "expected /var/www/app/shared/data: directory 0770 ... found ... 0777 ...",
            needs=("tree",)),
    Promise("config_mode", f"{B}: tree", "the config is 0640 root:<app group> (not world-readable, not writable by "
            "the app)", "test_config_not_world_readable", "expected ...application.cfg: regular file 0640 ...",
            needs=("tree",)),
    Promise("config", f"{B}: tree / deploy", "the config on the server is this host's config file (the target's, or "
            "its <host>.cfg of a per-host config directory; sha256)",
            "test_config_is_the_targets_config", "... is not this host's config file ...: sha256 1a2b... on the "
            "server, 3c4d... here", needs=("tree",)),
    Promise("wsgi", f"{B}: tree", "application.wsgi is exactly what bootstrap writes", "test_wsgi_as_bootstrapped",
            "/var/www/app/application.wsgi differs from what bootstrap writes: sha256 ...", needs=("tree",)),
    Promise("current", f"{D}: switch", "current is a relative link releases/<id> to a complete release (with "
            "RELEASE.json)", "test_current_is_a_complete_release",
            "nothing deployed: /var/www/app/current does not exist", needs=("tree",)),
    Promise("records", f"{D}: build", "every complete release records app, name, version, artifact sha256, entry "
            "point, creation time and its manifest in RELEASE.json, under its own id", "test_release_records",
            "releases with a broken record: R: RELEASE.json lacks ['version']", needs=("live",)),
    Promise("installed", f"{D}: install", "the live venv has the recorded version of the app installed",
            "test_installed_version_is_recorded_version",
            "yourapplication 1.1 is installed in the live venv (...), but current/RELEASE.json records version "
            "1.0", needs=("live",)),
    Promise("artifact", f"{D}: upload", "the live release came from the artifact (sha256, name, version) this "
            "project packs for that server's Python", "test_release_json_matches_artifact",
            "current/RELEASE.json says {...}, the packed artifact is {...}", needs=("live",)),
    Promise("files", f"{D}: install", "every file of the live venv's lib/ is byte-identical to the artifact's, "
            "none missing, none added", "test_installed_files_match_artifact",
            "the live venv is not the artifact ...: 1 file(s) changed, 0 missing, 0 not from the artifact\n"
            "changed: lib/python3.11/site-packages/app/__init__.py", needs=("live",)),
    Promise("code_mode", f"{D}: install", "the live release's files are the deploy user's and not writable by "
            "group or others (the app cannot change its own code)", "test_release_code_not_writable",
            "2 entries of the live release R are not appuser's or are writable by group/others", needs=("live",)),
    Promise("venv_python", f"{D}: install", "the live venv's python is an executable", "test_venv_python_runs",
            "the live venv's python .../current/venv/bin/python is not an executable file", needs=("live",)),
    Promise("shared_links", f"{D}: install", "each shared path of the live release links to shared/<path>",
            "test_shared_links", "data: expected a link to /var/www/app/shared/data, found data: directory ...",
            needs=("live",)),
    Promise("prune", f"{D}: prune", "at most keep_releases complete releases; no half-built release dir unless a "
            "deploy holds the lock", "test_releases_pruned_and_complete",
            "4 releases kept, keep_releases = 3: [...]", needs=("tree",)),
    Promise("daemon_user", f"{D}: gate", "the app's mod_wsgi daemons run, as the app user only",
            "test_daemons_run_as_app_user", "mod_wsgi daemons of app run as ['www-data'], expected only 'app'",
            needs=("apache", "live")),
    Promise("daemon_code", f"{D}: reload", "every daemon was (re)started after current was last switched, so "
            "each runs the live release", "test_daemons_run_live_release", "mod_wsgi daemons [123, 124] started "
            "before current was switched to R and were not restarted since...", needs=("apache", "live")),
    Promise("umask", f"{B}: apache", "the daemons run with the umask the vhost sets (files the app writes are not "
            "opened to others)", "test_daemons_umask", "mod_wsgi daemons of app run with umask ['0000'], expected "
            "0022", needs=("apache", "live")),
    Promise("health", f"{D}: gate", "the health path answers 200 from the runner", "test_health_from_runner",
            "expected HTTP 200 with a body\nGET http://.../health -> 503 ...", needs=("apache", "live")),
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
    "host": host_answers, "packages": packages_installed, "apache": apache_running, "boot": apache_starts_at_boot,
    "configtest": configtest_clean, "mod_wsgi": mod_wsgi_loaded, "python": stack_python, "port": port_listening,
    "sites": site_enabled_default_disabled, "vhost": vhost_as_bootstrapped, "daemon_mode": vhost_daemon_mode,
    "app_user": app_user, "deploy_group": deploy_user_in_app_group, "sudoers": sudoers_rule_minimal,
    "tree": tree_modes_and_owners, "shared": shared_dirs, "config_mode": config_private, "config": config_is_targets,
    "wsgi": wsgi_as_bootstrapped, "current": current_complete,
    "records": release_records_complete, "installed": installed_version_is_recorded,
    "artifact": release_json_matches_artifact, "files": installed_files_match_artifact,
    "code_mode": release_code_not_writable, "venv_python": venv_python_runs, "shared_links": shared_links,
    "prune": releases_pruned_and_complete, "daemon_user": daemons_run_as_app_user,
    "daemon_code": daemons_run_live_release, "umask": daemon_umask, "health": health_from_runner,
    "homepage": homepage_is_the_app,
    "serves": site_serves_current_release, "inside": health_from_inside, "private": app_files_not_downloadable,
    "static": static_served_by_apache,
}
BY_ID = {p.id: p for p in PROMISES}
ROOT_OF = {test: fact for fact, (test, _) in BASICS.items()}


def verify(promise_id: str, facts, exp: Expected) -> None:
    """Check one promise on one server's facts: returns, raises AssertionError, or NotApplicable (skip)."""
    __tracebackhide__ = True
    promise = BY_ID[promise_id]
    reason = blocked(facts, promise.needs, exp, own=ROOT_OF.get(promise.test, ""))
    if reason:
        raise NotApplicable(reason)
    CHECKS[promise_id](facts, exp)


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
