"""Gather a server's facts for the promise checks: one round trip per server, all servers at once.

:func:`gather` runs three small programs on the server in one SSH round trip -- the login collector
(:mod:`deploytests.verify.collect_login`, as the gate's login: raw bytes of what any login may read), the root
collector (:mod:`deploytests.verify.collect_root`, under ``sudo -n`` when the login may: what only root may read,
the kernel's view of other users' processes, ``apache2ctl``'s runs) and the tree reader
(:mod:`deploytests.verify.reader`, as the deploy user) -- parses their replies
here (:mod:`deploytests.verify.parse`), GETs the site from the runner at the same time, and returns a
:class:`Facts`. :func:`gather_all` does
that for every server of a target concurrently, so verifying 8 hosts costs about what one costs. Nothing on
the server is changed. A host that cannot be asked is a :class:`Facts` whose ``error`` says why: the checks
of that host are skipped with that reason and one check (``test_host_answers``) fails naming it.
"""

from __future__ import annotations

import functools
import json
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..words import count
from . import collect_login as _login
from . import collect_root as _root
from . import reader as _reader
from .parse import PYTHON_HOME, above_root


def sent(module, name: str) -> bytes:
    """What the probe sends of the program ``module`` (the bytes BOOT compiles on the server): a stub that runs
    the code this Python compiled from the module's file (``marshal``) when the server's Python has this one's
    bytecode magic number, else compiles that file's source there. Compiling the three programs (~2,000 lines)
    was ~0.03-0.05 s of every probe's CPU on the server; the code is the runner's own, as its source is: nothing of
    the server's is loaded. A traceback names ``name``, as before (no source lines: they were never on disk). Both
    travel zlib-compressed (the server's Python has zlib: the programs import it): the three stubs are ~0.2 MB, not
    ~0.56 MB, to encrypt and send for every host and probe, and to parse on the server."""
    import base64
    import importlib.util
    import marshal
    import zlib

    source = Path(module.__file__).read_bytes()
    code = base64.b64encode(zlib.compress(marshal.dumps(compile(source, name, "exec")), 9))
    return (b"import binascii, marshal, sys, zlib\n"
            b"if sys.modules['_frozen_importlib_external'].MAGIC_NUMBER == %r:\n"
            b"    exec(marshal.loads(zlib.decompress(binascii.a2b_base64(%r))))\n"
            b"else:\n"
            b"    exec(compile(zlib.decompress(binascii.a2b_base64(%r)), %r, 'exec'))\n"
            % (importlib.util.MAGIC_NUMBER, code, base64.b64encode(zlib.compress(source, 9)), name))


LOGIN_SOURCE = sent(_login, "deploytests-collect-login")
ROOT_SOURCE = sent(_root, "deploytests-collect-root")
READER_SOURCE = sent(_reader, "deploytests-reader")
# each program reads exactly its own source from its own stdin (``head -c`` gives it exactly those bytes)
BOOT = "import sys;exec(compile(sys.stdin.buffer.read({n}),{name!r},'exec'))"
READER_TIMEOUT = 60  # seconds the tree reader may take (a tree of 60,000 files reads in ~3 s); then killed
COLLECTOR_TIMEOUT = 30  # seconds more when the collector runs first in the same program (its runs take 20 s)
LOGIN_TIMEOUT = 60  # seconds the login collector may take (it reads bounded files); then killed: root runs nothing
DEADLINE = LOGIN_TIMEOUT + READER_TIMEOUT + 90  # seconds the whole round trip may take
# what the runner GETs: the health path, the homepage, and the files that must never be served
PRIVATE = ("/application.wsgi", "/shared/application.cfg", "/application.cfg", "/releases/", "/current/RELEASE.json",
           "/.deploy.lock", "/current/venv/bin/python")
EXPOSED = ("/server-status", "/server-info")  # Apache's own pages: never served beyond the server (sec_status)


@dataclass
class Facts:
    """What one server showed: ``remote`` (the facts parsed from the probe's two replies, made safe),
    ``responses`` (path -> requests Response or the exception text) from the runner, ``error`` when the host
    could not be asked at all, ``raw`` the root collector's reply as a :class:`deploytests.verify.parse.Snapshot`
    (root's files as bytes, for checks that need more of them; raw server bytes: show nothing of it unmade-safe)."""

    label: str
    remote: dict = field(default_factory=dict)
    responses: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    stack: object = None  # the server's deploytests.stacks.Stack (None: the host could not name its OS)
    raw: object = None  # the root collector's reply as a deploytests.verify.parse.Snapshot (raw bytes: not safe)
    notes: list = field(default_factory=list)  # what a check could not compare, said in the drift section

    def __getitem__(self, key):
        return self.remote.get(key)

    def get(self, key, default=None):
        return self.remote.get(key, default)

    @property
    def tree(self) -> dict:
        return self.remote.get("tree") or {}

    @property
    def live(self) -> dict | None:
        return self.tree.get("live")


def probe_args(cfg, deploy_user: str, login: str, stack=None) -> dict:
    """The runner's view of the probe (pure): where the app's tree, config and vhost are, who owns what, and the
    server stack's facts (packages, Apache's paths and tools, how its daemons show in ``ps``). Only the app's and
    the users' names of these reach the root collector (:func:`root_args`); the paths go to the tree reader."""
    from ..stacks import DEFAULT

    stack = stack or DEFAULT
    a = stack.apache
    return {"app": cfg.app, "root": cfg.root, "app_user": cfg.app_user, "deploy_user": deploy_user,
            "config_path": cfg.remote_config_path, "vhost": a.site_file(cfg.app),
            "port": cfg.port, "health_path": cfg.health_path, "server_name": cfg.server_name,
            "shared_paths": list(cfg.shared_paths), "packages": list(stack.packages), "error_log": a.error_log,
            "sites_enabled": a.sites_enabled, "apachectl": a.apachectl, "process_name": a.process_name,
            "service": a.service, "daemon_display": stack.daemon_display,
            "wsgi_module_file": stack.wsgi_module_file, "login": login,
            "verify_packages": [p.format(py=stack.python_version) for p in stack.verified_packages]}


def root_args(args: dict) -> dict:
    """The root collector's whole input: names only (:data:`deploytests.verify.collect_root.PATTERNS`); the login
    collector's too."""
    return {k: args[k] for k in ("app", "app_user", "deploy_user", "diagnose") if k in args}


def reader_args(args: dict) -> dict:
    """The tree reader's input (it runs as the deploy user: paths are fine here): the tree, the config, the site,
    and the paths of the tree to ``lstat``."""
    root = args["root"]
    paths = [root, root + "/releases", root + "/shared", root + "/application.wsgi", root + "/current",
             root + "/.deploy.lock", args.get("config_path") or root + "/shared/application.cfg"]
    paths += [root + "/shared/" + rel for rel in args.get("shared_paths", [])]
    above = above_root(root)
    keys = ("root", "config_path", "shared_paths", "port", "health_path", "server_name", "diagnose", "app_user",
            "deploy_user", "login", "verify_packages")
    return dict({k: args[k] for k in keys if k in args}, python_home=PYTHON_HOME,
                paths=[p for p in paths if p == root or p.startswith(root + "/")] + above)



PROBE_LIMIT = 64 << 20  # bytes of probe output read at most
SUDO_MARK = "@@DT-SUDO "  # the line saying why ``sudo -n`` refused the login (then the collector runs as it)
SUDO_LIST_MARK = "@@DT-SUDOL "  # then what ``sudo -n -l`` lists for it (tab-separated lines): its grants
MULTILINE = frozenset({"vhost", "stderr", "body", "text", "detail"})  # the probe's multi-line facts


def _program(python: str, source: bytes, name: str, args: dict) -> str:
    boot = BOOT.format(n=len(source), name=name)
    return " ".join(shlex.quote(a) for a in (python, "-I", "-S", "-c", boot, json.dumps(args, sort_keys=True)))


def probe_command(args: dict, python: str) -> str:
    """One ``sh -c`` line: the three programs, fed exactly their sources by ``head -c``, each under ``timeout``.

    1. the login collector (:mod:`~deploytests.verify.collect_login`) as the login itself, never under sudo: what
       any login may read; its exit status (``$ok``: 0 only when nothing ``apache2ctl`` makes root run, source or
       load may be changed by someone but root) is passed to
    2. the root collector (:mod:`~deploytests.verify.collect_root`) under ``sudo -n`` when the login may: what only
       root may read, and ``apache2ctl``'s runs when ``$ok`` is 0; its only other inputs are names
       (:func:`root_args`); once its reply is out it becomes the deploy user for good (``collect_root.become``:
       groups, gid, uid; ``nobody`` when that user does not exist or is root) and runs the tree reader
       (:mod:`~deploytests.verify.reader`, its source the rest of stdin, its arguments :func:`reader_args`). A
       process that changed its uid is not dumpable: no process of the deploy user may attach to the reader or
       take its stdout, as it could one ``sudo -u`` started (which execs: dumpable).
    3. without sudo, the three as the login itself, one after the other.

    ``python`` is the stack's system interpreter at its fixed path, in isolated mode (``-I``: no user site, no
    ``PYTHON*`` variables, no current directory on the path): nothing of the app's trees or the login's
    environment is loaded into any program. The stdin is :func:`probe_stdin`: each collector's source and the
    run's nonce (on stdin, never the command line, which ``/proc`` shows everyone), the reader's source."""
    login = _program(python, LOGIN_SOURCE, "deploytests-collect-login", root_args(args))
    root = _program(python, ROOT_SOURCE, "deploytests-collect-root", root_args(args)) + ' "$ok"'
    tree = _program(python, READER_SOURCE, "deploytests-reader", reader_args(args))
    n0, n1, n2 = len(LOGIN_SOURCE) + _login.NONCE, len(ROOT_SOURCE) + _root.NONCE, len(READER_SOURCE)
    first = f"head -c {n0} | timeout -k 5 {LOGIN_TIMEOUT} {login}; ok=$?; "
    both = f"{root} {shlex.quote(json.dumps(reader_args(args), sort_keys=True))}"
    both = f"timeout -k 5 {READER_TIMEOUT + COLLECTOR_TIMEOUT} sudo -n {both}"
    script = (f"if e=$(LC_ALL=C sudo -n true 2>&1 </dev/null); then {first}head -c {n1 + n2} | {both}; else "
              f"printf '{SUDO_MARK}%s\\n' \"$(printf %s \"$e\" | tr -c '[:print:]' ' ' | head -c 300)\"; "
              f"printf '{SUDO_LIST_MARK}%s\\n' \"$(LC_ALL=C sudo -n -l 2>&1 </dev/null | tr '\\n' '\\t' | "
              f"tr -c '[:print:]\\t' ' ' | head -c 4000)\"; "
              f"{first}head -c {n1} | {root}; head -c {n2} | timeout -k 5 {READER_TIMEOUT} {tree}; fi")
    return "sh -c " + shlex.quote(script)


def new_nonce() -> str:
    """A fresh random nonce for one run (``NONCE - 1`` hex digits): only the two collectors are sent it."""
    import secrets

    return secrets.token_hex((_root.NONCE - 1) // 2)


def probe_stdin(nonce: str) -> tuple[bytes, bytes, bytes]:
    return LOGIN_SOURCE + nonce.encode() + b"\n", ROOT_SOURCE + nonce.encode() + b"\n", READER_SOURCE


@dataclass
class ProbeResult:
    """What came back from one probe round trip, and the nonce that run's collector was sent."""

    exited: int
    stdout: str
    stderr: str
    nonce: str

    @functools.cached_property
    def lines(self) -> list[str]:
        """``stdout``'s lines, split once (~0.7 MB: each reply and mark is looked for among them)."""
        return self.stdout.splitlines()


def _line(res, mark: str) -> str | None:
    return next((ln[len(mark):] for ln in res.lines if ln.startswith(mark)), None)


def _why(res, what: str) -> str:
    from .. import untrusted

    last = (res.stderr.strip() or res.stdout.strip() or "no output").splitlines()[-1]
    return f"the {what} did not finish (exit {res.exited}): {untrusted.line(last, 500)}"


def read_root(res) -> dict:
    """The two collectors' replies as one snapshot: the login collector's (what any login may read) under the root
    collector's (what only root may read: its files, directories and errors win; its ``proc`` and ``runs``, its
    ``uid``: whether the root-only facts are there). When root did not run ``apache2ctl`` because the login's look
    at Apache's files said no, ``runs`` says the login's reason. Each reply is the one line carrying this run's
    nonce (:func:`_reply`)."""
    root, login = _reply(res, _root.MARK, "collector"), _reply(res, _login.MARK, "login collector")
    merged = dict(login, **root)
    for key in ("files", "dirs"):
        merged[key] = {**(login.get(key) or {}), **(root.get(key) or {})}
    # what hardening made root's alone (a 0700 /etc/cron.d, a 0600 sshd_config): root's copy stands for the login's
    # refused read, and the login's entry, with what only it records (ctime, caps), for the same bytes read by both
    merged["files"].update({p: e for p, e in (login.get("files") or {}).items() if e.get("data") is not None and
                            e.get("data") == merged["files"][p].get("data")})
    listed = root.get("dirs") or {}  # (a login's error on a place root listed is no error of the snapshot's)
    merged["errors"] = {**{p: why for p, why in (login.get("errors") or {}).items() if p not in listed},
                        **(root.get("errors") or {})}
    merged["earlier"] = {p: (login.get("files") or {}).get(p, {}).get("data") for p in _root.NET if p in (
        root.get("files") or {})}  # (the login's reads of the sockets, before root's walk: parse.lasted)
    if "refused" in (root.get("runs") or {}) and login.get("refused"):
        merged["runs"] = {"refused": "not run as root: " + login["refused"]}
    return merged


def _reply(res, mark: str, what: str) -> dict:
    """The reply of the program whose mark is ``mark``: the one line carrying this run's nonce (``res.nonce``: no
    other program on the host was sent it, so nothing the deploy login can write into the shared output stands for
    it), base64 of zlib-compressed JSON inflated to at most :data:`PROBE_LIMIT` bytes (parsed as data; its strings
    are raw bytes, made safe only once parsed). A missing or a second such line fails the host."""
    import base64
    import zlib

    mark = f"{mark}{res.nonce} "
    lines = [ln[len(mark):] for ln in res.lines if ln.startswith(mark)] if res.nonce else []
    if len(lines) > 1:
        raise RuntimeError(f"the {what}'s reply is duplicated: {count(len(lines), 'line')} carry this run's nonce "
                           "(something on the host wrote into the probe's output)")
    if not lines:
        raise RuntimeError(f"the {what}'s reply is missing: " + _why(res, what if what != "collector" else
                                                                     "root collector"))
    line = lines[0]
    inflate = zlib.decompressobj()
    text = inflate.decompress(base64.b64decode(line), PROBE_LIMIT)
    if inflate.unconsumed_tail:
        raise RuntimeError(f"the {what} sent more than {PROBE_LIMIT} bytes")
    try:  # (JSON nested past the collectors' few levels: every walk of it after, _escaped's too, recurses)
        try:
            reply = json.loads(text.decode("utf-8"))
        except UnicodeDecodeError:  # a name the OS gave that is not UTF-8 (anyone may make one): its bytes escaped
            reply = json.loads(text.decode("utf-8", "surrogateescape"))
            reply = None if _reader.nested_deeper(reply, _reader.JSON_DEPTH) else _escaped(reply)
    except RecursionError:  # (nested 10^5 deep)
        reply = None
    if reply is None or _reader.nested_deeper(reply, _reader.JSON_DEPTH):
        raise RuntimeError(f"the {what} sent no JSON object nested at most {_reader.JSON_DEPTH} levels deep")
    if not isinstance(reply, dict):
        raise RuntimeError(f"the {what} sent {type(reply).__name__}, not a JSON object")
    return reply


def _escaped(value):
    """``value`` with every byte of a name that is not UTF-8 shown as ``\\xNN`` (the rest as it was)."""
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value


def read_tree(res, what: str = "tree reader") -> dict:
    """The tree reader's reply (JSON after its mark; the deploy user wrote it: made safe once parsed), or
    ``{"errors": {"tree": why}}`` when it gave none."""
    line = _line(res, _reader.MARK)
    if line is None:
        return {"errors": {"tree": _why(res, what)}}
    try:
        reply = json.loads(line)
    except (ValueError, RecursionError):
        return {"errors": {"tree": f"the {what} sent something that is not JSON"}}
    return reply if isinstance(reply, dict) else {"errors": {"tree": f"the {what} sent no JSON object"}}


def run_programs(server, args: dict, python: str) -> ProbeResult:
    """Run both programs on ``server`` in one round trip, within :data:`DEADLINE` seconds in all (past it the host
    fails, named with the bound); the raw result and the run's nonce (a stopped tree reader: what came)."""
    from ..pipeline.remote import Overdue, Stalled, exec_stream

    nonce = new_nonce()
    try:
        res = exec_stream(server.connection(), probe_command(args, python), probe_stdin(nonce), limit=PROBE_LIMIT,
                          step_timeout=READER_TIMEOUT + 30, deadline=DEADLINE)
    except Stalled as exc:  # the deploy user may SIGSTOP its reader: what the collector said still counts
        res = exc.result
    except Overdue:
        raise RuntimeError(f"{server.label}: the probe's round trip did not end within {DEADLINE} s (something on "
                           "the host kept its output open): stopped") from None
    return ProbeResult(res.exited, res.stdout, res.stderr, nonce)


def before_bootstrap(c, app: str, python: str) -> dict:
    """The look before bootstrap, as the login itself (no sudo), in one round trip: the login collector's reply in
    its check mode -- what Apache's configuration makes root read and load (``refused``: why root may not run
    ``apache2ctl`` now, or None; nothing there can change but by root in between, or it would have said no) and
    root's account files the user checks read (``/etc/passwd``, ``/etc/login.defs``,
    ``/var/lib/deploytests/users``) -- and, only when it said yes, ``sites``: what ``apache2ctl -S`` says of the
    sites (run as the login: root's configuration, root's modules, the stack's tool with a fixed environment;
    empty when Apache is not installed yet). The raw reply (``files``, ...)."""
    from ..pipeline.remote import exec_stream

    nonce = new_nonce()
    command = _program(python, LOGIN_SOURCE, "deploytests-collect-login", {"app": app, "check": True})
    tool = shlex.quote(_login.APACHECTL)
    command += f" && if [ -x {tool} ]; then env -i PATH={_ENV_PATH} LANG=C timeout 20 {tool} -S 2>&1; fi"
    res = exec_stream(c, command, (LOGIN_SOURCE + nonce.encode() + b"\n",), limit=PROBE_LIMIT, deadline=DEADLINE)
    reply = _reply(ProbeResult(res.exited, res.stdout, res.stderr, nonce), _login.MARK, "login collector")
    if "refused" not in reply:
        reply["refused"] = f"the look at Apache's files failed: {reply.get('errors')}"
    mark = f"{_login.MARK}{nonce} "
    reply["sites"] = res.stdout.split(mark, 1)[-1].partition("\n")[2] if not reply["refused"] else ""
    return reply


_ENV_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"  # what apache2ctl runs with (collect_root.runs')


def run_probe(server, args: dict, python: str) -> tuple[dict, object]:
    """Run the probe on ``server`` (one round trip); its facts (made safe) and the raw snapshot of root's files."""
    from .. import untrusted
    from ..ssh import CLIENT_ALGORITHMS, login_key, server_key
    from .parse import facts

    started = time.monotonic()
    res = run_programs(server, args, python)
    raw, tree = read_root(res), read_tree(res)
    found = facts(raw, tree, dict(args, python=python))
    found["sudo_refused"] = None if found.get("as_root") else _line(res, SUDO_MARK)
    found["sudo_list"] = None if found.get("as_root") else _line(res, SUDO_LIST_MARK)
    found["runner_key"] = login_key(server)  # (the key this gate logged in with: it opens its login)
    found["runner_host_key"] = server_key(server)  # (the host key the runner pinned, as the server proved it)
    found["runner_client"] = CLIENT_ALGORITHMS  # (what the runner's SSH client speaks: sshd's next start must too)
    snapshot = found.pop("raw")
    found["seconds"] = round(time.monotonic() - started, 3)  # the round trip, both programs
    return untrusted.data(found, multiline=MULTILINE), snapshot


CROSS_ORIGIN = "/ from another site"  # the key of GET / sent with a foreign Origin (sec_cors)
# the key of GET /server-status sent claiming the server's own address in every header a proxy may set (sec_status:
# a server that takes a client's word for its address lets anyone through every IP rule, Debian's Require local too)
SPOOFED = "/server-status claiming 127.0.0.1"
SPOOF_HEADERS = {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "Forwarded": "for=127.0.0.1",
                 "X-Client-IP": "127.0.0.1", "True-Client-IP": "127.0.0.1", "CF-Connecting-IP": "127.0.0.1"}


ANSWERS_DEADLINE = 60.0  # seconds all of one host's GETs may take together (each answer: http.DEADLINE at most)


def fetch(server, paths, host_header: str | None = None, origin: str | None = None) -> dict:
    """GET each path from the runner (no redirects, no proxies): path -> Response, or the error's text; with
    ``origin``, GET / once more as a browser on that other site sends it (``Origin:``), under :data:`CROSS_ORIGIN`,
    and GET /server-status claiming the server's own address (:data:`SPOOF_HEADERS`), under :data:`SPOOFED`.
    The app paces its answers and chooses their size: each is read within the client's deadline, at most 1 MiB,
    and all of them within :data:`ANSWERS_DEADLINE` (an answer paced to end just inside its own deadline, each in
    turn, made one host's check take 303 s): past it, what is left is not asked, and says so."""
    from .http import HttpClient

    client = HttpClient(server.base_url, host_header=host_header, limit=1 << 20)
    out: dict[str, object] = {}
    asks: list[tuple[str, str, dict[str, str]]] = [(path, path, {}) for path in paths]
    asks += [(CROSS_ORIGIN, "/", {"Origin": origin}), (SPOOFED, "/server-status", SPOOF_HEADERS)] if origin else []
    end = time.monotonic() + ANSWERS_DEADLINE
    try:
        for key, path, headers in asks:
            client.deadline = min(client.deadline, end - time.monotonic())  # (what is left of the one bound)
            if client.deadline <= 0:
                out[key] = f"not asked: this site's answers took more than {ANSWERS_DEADLINE:g} s in all"
                continue
            try:
                out[key] = client.get(path, headers=headers)
            except Exception as exc:  # noqa: BLE001 - a refused connection is a fact the checks report
                out[key] = f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return out


def refused_why(exc: Exception) -> str:
    """The cause when sshd refused a channel on an open connection (``ChannelException(2, 'Connect failed')``,
    sshd's answer to a session past ``MaxSessions``): named, as sec_ssh_limits names it when the probe gets in."""
    if type(exc).__name__ == "ChannelException" and getattr(exc, "code", None) == 2:
        return (": sshd refused a session on an open connection: its MaxSessions (sshd_config, a Match block) is "
                "below the sessions the pipeline opens on one connection: gates, deploys and rollbacks fail at "
                "random; raise it (Debian's default: 10)")
    return ""


def gather(server, cfg, *, deploy_user: str | None = None, python: str | None = None) -> Facts:
    """The facts of one server (never raises: a host that cannot be asked is ``Facts.error``). The probe runs
    with the server stack's python at its fixed path, as bootstrap does: never ``python`` from deploy.toml (the
    probe may run under sudo; that key names the deploy login's interpreter)."""
    from ..stacks import DEFAULT
    from .diagnostics import mark_log

    started, began = time.monotonic(), time.time()
    facts = Facts(server.label)
    with ThreadPoolExecutor(max_workers=1) as pool:
        from .http import site_host
        from .promises import static_paths

        responses = pool.submit(fetch, server, ("/", cfg.health_path, *PRIVATE, *EXPOSED, *static_paths(cfg)),
                                site_host(server.base_url, cfg.server_name), f"https://{new_nonce()[:12]}.invalid")
        try:
            args = probe_args(cfg, deploy_user or cfg.deploy_user or server.user, server.user, server.stack)
            facts.stack = server.stack
            facts.remote, facts.raw = run_probe(server, args, python or (server.stack or DEFAULT).python)
        except Exception as exc:  # noqa: BLE001 - the host is gone, frozen, refuses: one fact, named
            facts.error = f"{type(exc).__name__}: {exc}" + refused_why(exc)
        facts.responses = responses.result()
    if facts.remote.get("error_log_size") is not None:
        mark_log(server.label, facts.remote["error_log_size"], began)
    facts.seconds = time.monotonic() - started
    return facts


def gather_all(servers, cfg, **kwargs) -> dict[str, Facts]:
    """:func:`gather` on every server at once: label -> Facts."""
    if not servers:
        return {}
    with ThreadPoolExecutor(max_workers=min(16, len(servers))) as pool:
        return dict(zip([s.label for s in servers], pool.map(lambda s: gather(s, cfg, **kwargs), servers),
                        strict=True))
