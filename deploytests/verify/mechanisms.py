"""Parsers of the server's raw texts (run on the runner, never on the server) and the mechanisms they decide.

The probe sends, as root, the raw text of every file Apache reads (only files no one but root may write), the
unit files under ``/etc/systemd/system`` and the cron files (``inventory.texts``: ``[{path, text}]``; a link as
``-> target``). Everything clever about them happens here, as plain functions of that data:

- :func:`apache_directives`: every directive of Apache's configuration in force, with its ``file:line`` and the
  containers it sits in (``<VirtualHost>``, ``<Directory>``...), across ``Include`` lines (the include tree is
  apache2ctl's own ``DUMP_INCLUDES``);
- :func:`reload_problems`: what makes the reload a deploy and a rollback rely on not take effect (they touch
  ``application.wsgi``; mod_wsgi restarts the app's daemons when it sees the file changed);
- :func:`units` and :func:`cron_jobs`: what runs from systemd and cron, as whom, with what.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from . import collect_login as _login


class Texts(Mapping):
    """``{path: text}`` of the root collector's files, each made safe (:func:`deploytests.untrusted.text`) when
    first read and kept: the checks look at a few dozen of the thousands of files the snapshot holds (dpkg's
    lists are never shown; an ELF binary is left out)."""

    def __init__(self, files: dict):
        self.files, self.made = files, {}  # type: dict, dict[str, str]
        self.units: dict | None = None  # units(self), once parsed (a dozen checks ask)
        self.paths = [p for p, e in files.items() if isinstance(e, dict) and (e.get("link") is not None or (
            e.get("data") is not None and not e["data"].startswith("\x7fELF")))]  # (an ELF binary is no text)

    def __getitem__(self, path: str) -> str:
        if path not in self.made:
            from ..untrusted import text

            entry = self.files[path] if path in self.files else {}
            if entry.get("link") is not None:
                self.made[path] = "-> " + text(entry["link"])
            elif isinstance(entry, dict) and entry.get("data") is not None:
                self.made[path] = text(entry["data"].encode("latin-1").decode("utf-8", "replace"), 1 << 20)
            else:
                raise KeyError(path)
        return self.made[path]

    def __iter__(self):
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def texts(facts) -> Mapping[str, str] | None:
    """``{path: text}`` of root's raw files the probe sent (a link as ``-> target``), or None when it sent none
    (no sudo, an older probe). From the root collector's snapshot (``facts.raw``: ``files`` with ``data`` or
    ``link``) when there is one (one :class:`Texts` per snapshot, made safe as read), else from the probe's
    ``inventory.texts``. Made safe for reports (controls escaped, newlines kept): the parsers below read them as
    data."""
    raw = getattr(facts, "raw", None)
    files = getattr(raw, "files", None)
    if raw is not None and isinstance(files, dict) and files:
        if not isinstance(getattr(raw, "texts", None), Texts):
            raw.texts = Texts(files)
        return raw.texts
    found = ((facts.get("inventory") or {}).get("texts"))
    if found is None:
        return None
    return {t["path"]: t["text"] for t in found if isinstance(t, dict) and "path" in t and "text" in t}


# ---------------------------------------------------------------- Apache's configuration, directive by directive

@dataclass(frozen=True)
class Directive:
    file: str
    line: int
    name: str      # lower case
    args: str
    context: tuple  # ((container lower case, its argument, (file, line) of its opening), ...), outermost first

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _logical_lines(text: str):
    """(line number, stripped text) of each logical line (backslash continuations joined), comments dropped."""
    pending, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending:
            start = n
            if not line or line.startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield start, (pending + line).strip()
        pending = ""
    if pending.strip():
        yield start, pending.strip()


@functools.lru_cache(maxsize=1024)
def parse_file(path: str, text: str, outer: tuple = ()) -> tuple[list[Directive], dict[int, tuple]]:
    """The directives of one file, which starts inside the containers ``outer``; and the context of each line
    (what a file included at that line starts inside). Kept by its arguments (read, never changed, by its
    callers): each check that reads Apache's configuration, and each host of a fleet with the same files, parses
    a file once."""
    stack, out, at = list(outer), [], {}
    for n, line in _logical_lines(text):
        at[n] = tuple(stack)
        if line.startswith("</"):
            if len(stack) > len(outer):
                stack.pop()
            continue
        if line.startswith("<"):
            word, _, arg = line[1:].rstrip(">").partition(" ")
            stack.append((word.lower(), arg.strip().strip('"'), (path, n)))
            continue
        word, _, arg = line.partition(" ")
        out.append(Directive(path, n, word.lower(), arg.strip(), tuple(stack)))
    return out, at


def apache_directives(raw: dict[str, str], includes: list[dict]) -> list[Directive]:
    """Every directive of the files Apache includes (``includes``: apache2ctl's ``DUMP_INCLUDES`` as the probe
    parsed it, each with the file and line that include it), in Apache's order, each file parsed inside the
    containers of the line that includes it. A file without text (someone but root may write it) is skipped:
    the closed-world file rule names it."""
    out: list[Directive] = []
    lines_of: dict[str, dict[int, tuple]] = {}
    for inc in includes:
        path, parent = inc["path"], inc.get("from")
        if path not in raw or raw[path].startswith("-> "):
            continue
        outer = ()
        if parent and str(inc.get("at", "")).isdigit():
            outer = lines_of.get(parent, {}).get(int(inc["at"]), ())
        found, at = parse_file(path, raw[path], outer)
        lines_of[path] = at
        out += found
    return out


def _block(directives: list[Directive], opening) -> list[Directive]:
    return [d for d in directives if any(c[2] == opening for c in d.context)]


def applies_to_app(d: Directive, directives: list[Directive], cfg) -> bool:
    """Whether directive ``d`` is in force for the app's requests and script: outside any container, or in
    containers that cover it (its vhost by ServerName/ServerAlias, or a vhost without a name; a Directory or
    Files matching its .wsgi; a Location; a positive IfModule/IfDefine...). Unknown containers do not apply."""
    script = f"{cfg.root}/application.wsgi"
    for kind, arg, opening in d.context:
        if kind == "virtualhost":
            names = [x for b in _block(directives, opening) if b.name in ("servername", "serveralias")
                     and len(b.context) and b.context[-1][2] == opening for x in b.args.split()]
            if names and cfg.server_name not in [n.split(":")[0] for n in names]:
                return False
        elif kind in ("directory", "directorymatch"):
            regex = kind.endswith("match") or arg.startswith("~")
            pattern = arg.lstrip("~").strip().strip('"')
            if regex:
                if not re.search(pattern, script):
                    return False
            elif not (fnmatch.fnmatch(script, pattern.rstrip("/") + "/*") or script.startswith(pattern.rstrip("/")
                                                                                             + "/")):
                return False
        elif kind in ("files", "filesmatch"):
            regex = kind.endswith("match") or arg.startswith("~")
            pattern = arg.lstrip("~").strip().strip('"')
            if not (re.search(pattern, "application.wsgi") if regex else fnmatch.fnmatch("application.wsgi",
                                                                                       pattern)):
                return False
        elif kind in ("ifmodule", "ifdefine", "ifversion", "ifdirective", "iffile", "ifsection"):
            if arg.startswith("!"):
                return False
        elif kind not in ("location", "locationmatch", "if", "elseif", "else", "requireall", "requireany"):
            return False
    return True


# containers whose directives Apache merges over a vhost's (its WSGIProcessGroup among them)
OVER_VHOST = ("location", "locationmatch", "directory", "directorymatch", "files", "filesmatch")

RELOAD_MEANS = ("the next deploy will not take effect: deploy and rollback reload the app by touching "
                "{script}, and mod_wsgi's daemons then keep the release they loaded (each deploy is refused at "
                "its gate and switched back; a rollback cannot take effect either)")


def reload_problems(directives: list[Directive], cfg) -> list[str]:
    """What in Apache's configuration in force defeats the reload deploy and rollback use: ``WSGIScriptReloading
    Off`` wherever it reaches the app; an ``AllowOverride`` of ``All`` or ``FileInfo`` over the app's tree (a
    ``.htaccess`` there may say it, mod_wsgi's directive is of the FileInfo class); a ``WSGIScriptAlias /`` for
    the app that loads another file than the ``application.wsgi`` the deploy touches; a ``WSGIProcessGroup`` over the
    app's vhost (a Location, Directory or Files reaching its script) that sends its requests elsewhere than its
    daemon (``%{GLOBAL}``: mod_wsgi's embedded mode in Apache's workers)."""
    script = f"{cfg.root}/application.wsgi"
    means = RELOAD_MEANS.format(script=script)
    out = []
    for d in directives:
        if not applies_to_app(d, directives, cfg):
            continue
        if d.name == "wsgiscriptreloading" and d.args.split()[:1] and d.args.split()[0].lower() == "off":
            out.append(f"{d.where}: WSGIScriptReloading {d.args}: mod_wsgi no longer looks at the script's "
                       f"mtime; {means}")
        elif d.name == "allowoverride" and {w.lower() for w in d.args.split()} & {"all", "fileinfo"}:
            out.append(f"{d.where}: AllowOverride {d.args}: Apache reads a .htaccess in the app's tree (the deploy "
                       f"login's to write, in shared/ the app's) and obeys its WSGIScriptReloading Off; a less "
                       f"trusted party can switch deploys off: {means}")
        elif d.name == "wsgiprocessgroup" and _words(d.args)[:1] != [cfg.app] and any(
                kind in OVER_VHOST for kind, _, _ in d.context):
            group = (_words(d.args) or ["?"])[0]
            mode = "embedded mode: Apache's own workers" if group == "%{GLOBAL}" else f"process group {group}"
            out.append(f"{d.where}: WSGIProcessGroup {d.args}: the app's requests leave its daemon (over its vhost's "
                       f"WSGIProcessGroup {cfg.app}) for {mode}, which the touch does not restart (its user, umask "
                       f"and python-home are not the daemon's either): {means}")
        elif d.name in ("wsgiscriptalias", "wsgiscriptaliasmatch"):
            words = _words(d.args)
            if len(words) >= 2 and words[0] in ("/", "^/", "^/(.*)$", "^/(.*)") and words[1] != script:
                out.append(f"{d.where}: WSGIScriptAlias {words[0]} loads {words[1]}, not {script}: {means}")
    return out


LOG_DIRECTIVES = ("customlog", "errorlog", "transferlog", "globallog")

# Apache's log levels, most urgent first; mod_wsgi writes a script's failed load, a daemon's traceback and its
# own errors at ``error``
APACHE_LEVELS = ("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug", "trace1", "trace2", "trace3",
                 "trace4", "trace5", "trace6", "trace7", "trace8")
WSGI_MODULE = ("wsgi", "wsgi_module", "mod_wsgi", "mod_wsgi.c")
DISCARDING = ("/dev/null", "/dev/zero", "/dev/full")


def errors_discarded(directives: list[Directive], cfg, where_to=lambda word: (word, word)) -> list[str]:
    """What in Apache's configuration in force for the app stops its error logs from recording the app's errors: a
    ``LogLevel`` above ``error`` for mod_wsgi (its own ``wsgi:`` level, else the general one: tracebacks, a script
    that fails to load and a daemon that dies are written at ``error``), or an ``ErrorLog`` into a device that keeps
    nothing. Two scopes, each as Apache merges it: the main server's (the app's daemons and their preload are
    defined outside its vhost: their start, their import at start and what the app writes to stderr go there), and
    a request's (the main server's, then the app's vhost's, then a Location or Directory over its script). Whatever
    file says it and whatever is allowed: a failed deploy's report, the gate's diagnostics and the operator read
    those logs. ``where_to``: an ErrorLog's word -> (its name, where it really writes: links followed)."""
    scoped = [d for d in directives if d.name in ("loglevel", "errorlog") and applies_to_app(d, directives, cfg)]
    rank = {"": 0, "virtualhost": 1}
    scoped.sort(key=lambda d: max((rank.get(k, 2) for k, _, _ in d.context), default=0))  # (stable: file order)
    main = [d for d in scoped if not any(k in OVER_VHOST or k == "virtualhost" for k, _, _ in d.context)]
    out: list[str] = []
    for scope, what in ((main, "the daemons' own messages and stderr"), (scoped, "its requests")):
        general, module, log = ("warn", "Apache's default"), None, None
        for d in scope:
            words = _words(d.args)
            if d.name == "errorlog":
                log = (*where_to(words[0]), d.where) if words else log
                continue
            for w in words:
                mod, _, level = w.rpartition(":")
                if level.lower() not in APACHE_LEVELS:
                    continue
                if not mod:
                    general = (level.lower(), d.where)
                elif mod.lower() in WSGI_MODULE:
                    module = (level.lower(), d.where)
        level, where = module or general
        found = []
        if APACHE_LEVELS.index(level) < APACHE_LEVELS.index("error"):
            found.append(f"{where}: LogLevel {level} for mod_wsgi: the app's errors (a release's traceback, a "
                         f"script that fails to load, a daemon that dies) are written at error, below what Apache "
                         f"now records ({what}): a failed deploy's report and the operator find no cause; at least "
                         f"LogLevel error (Debian's: warn)")
        if log is not None and log[1] in DISCARDING:
            name = log[0] + (f" -> {log[1]}" if log[1] != log[0] else "")
            found.append(f"{log[2]}: ErrorLog {name}: the app's errors ({what}) are discarded: a failed deploy's "
                         f"report and the operator find no cause; log to a file (Debian's: "
                         f"${{APACHE_LOG_DIR}}/error.log)")
        out += [f for f in found if f.split(": ", 1)[0] not in {o.split(": ", 1)[0] for o in out}]
    return out


# mod_wsgi's server-wide directives that change how the app's daemons run its code (their Python's flags): not what
# the deploy's release check imported and proved, whatever file says it (a WSGIImportScript into the app's daemons
# can only be in the app's own vhost, which test_vhost_matches_bootstrap compares byte for byte)
INTERPRETER = {"wsgipythonoptimize": "the app's daemons run its code with assertions (at 2 docstrings too) "
                                     "stripped: not what the deploy's release check imported and proved (a check "
                                     "written as an assert is gone)",
               "wsgipythonwarnings": "the app's daemons' Python handles warnings as it says (error: a deprecation "
                                     "the release check passed raises there): not what the deploy's check proved"}


# what certbot's Apache installer adds to its copy of a site for the same site on *:443 (``-le-ssl.conf``): the
# certificate, its key and chain, the TLS switch and the include of its TLS options (a file judged on its own);
# ``RewriteEngine on`` stays where it disabled the redirect of a site it copied (no rule of it is left: inert)
TLS_LINES = ("sslcertificatefile", "sslcertificatekeyfile", "sslcertificatechainfile", "sslengine", "include",
             "rewriteengine")
# what ``certbot --redirect`` adds before the end of the site it secured: every request sent to the same URL over
# TLS, where its copy of the site serves it (one RewriteCond per name of the site, all but the last with [OR])
REDIRECT_RULE = "RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]"


def tls_redirect(text: str, port: int) -> tuple[str, list[str]]:
    """``text`` (a site file) without the lines of ``certbot --redirect`` at the end of its ``<VirtualHost
    *:port>``, and those lines (normalized; none: ``text`` as it is). They count only as certbot writes them, just
    before ``</VirtualHost>``: ``RewriteEngine on``, a ``RewriteCond %{SERVER_NAME} =NAME`` for each of the
    site's own names (``ServerName``, ``ServerAlias``), the :data:`REDIRECT_RULE`."""
    raw = text.splitlines(keepends=True)
    norm = [" ".join(r.split()) for r in raw]
    if f"<VirtualHost *:{port}>" not in norm or "</VirtualHost>" not in norm:
        return text, []
    start = norm.index(f"<VirtualHost *:{port}>")
    end = norm.index("</VirtualHost>", start)
    names = {w for n in norm[start:end] if n.split()[:1] in (["ServerName"], ["ServerAlias"]) for w in n.split()[1:]}
    rule = end - 1
    conds = rule - 1
    while conds > start and norm[conds].startswith("RewriteCond %{SERVER_NAME} ="):
        conds -= 1
    got = norm[conds + 1:rule]
    want = [f"RewriteCond %{{SERVER_NAME}} ={c.split('=', 1)[1].split()[0]}" + (" [OR]" if i < len(got) - 1 else "")
            for i, c in enumerate(got)]
    if not (norm[rule] == REDIRECT_RULE and got and got == want and norm[conds] == "RewriteEngine on" and
            {c.split("=", 1)[1].split()[0] for c in got} <= names):
        return text, []
    return "".join(raw[:conds] + raw[end:]), norm[conds:end]


@functools.lru_cache(maxsize=1024)
def _spaced_lines(text: str) -> list[str]:
    """``text``'s logical lines, each word spaced by one blank. Kept by the text (read, never changed, by its
    callers): :func:`mirrors` reads every file in force, several checks ask it, and a fleet's hosts share files."""
    return [" ".join(ln.split()) for _, ln in _logical_lines(text)]


def mirrors(texts: dict, ours: str, port: int) -> frozenset:
    """The files of ``texts`` (Apache's files in force) that are the app's own site file ``ours`` copied for TLS:
    its ``<VirtualHost>`` block line for line (blank lines and comments aside), on ``*:443`` instead of the app's
    port, wrapped in ``<IfModule mod_ssl.c>`` or not, with nothing added but :data:`TLS_LINES` before its end, as
    certbot's installer writes it. Such a file routes the app exactly as its site does: the app's, not another
    site naming its tree (the file itself, its certificate and options, and the port are still the admin's to
    allow)."""
    lines = _spaced_lines
    site = lines(tls_redirect(texts.get(ours) or "", port)[0])  # (the copy is made before the redirect is added)
    if f"<VirtualHost *:{port}>" not in site or "</VirtualHost>" not in site:
        return frozenset()
    block = site[site.index(f"<VirtualHost *:{port}>") + 1:site.index("</VirtualHost>")]
    found = set()
    for path, text in texts.items():
        words = lines(text or "")
        if path == ours or "<VirtualHost *:443>" not in words:
            continue
        if words[:1] == ["<IfModule mod_ssl.c>"] and words[-1:] == ["</IfModule>"]:
            words = words[1:-1]
        body = words[1:-1] if words[:1] == ["<VirtualHost *:443>"] and words[-1:] == ["</VirtualHost>"] else []
        if body[:len(block)] == block and len(body) > len(block) and all(
                w.split()[0].lower() in TLS_LINES for w in body[len(block):]):
            found.add(path)
    return frozenset(found)


def effect_problems(directives: list[Directive], cfg, ours: str, modules: str, loose) -> list[str]:
    """What Apache's configuration in force makes its root parent load or run, or serve from the app's tree,
    whatever file says it and whatever is allowed: a ``LoadModule`` of a file outside the stack's module dir
    (``modules``: root's, checked for who may write it); a piped log (``CustomLog "|prog"``: Apache's root parent
    starts it) whose program someone but root may change (``loose(path)``: why, or None); and any directive
    outside the app's own site file ``ours`` that names the app's tree (an ``Alias``, a ``WSGIScriptAlias`` of its
    script in another vhost or in embedded mode: the app's files served or its code run outside its daemons); an
    ``AllowOverride``/``AllowOverrideList`` other than None on a directory someone but root may write (or the
    gate did not look at): a ``.htaccess`` there hands Apache's configuration to whoever writes it;
    ``WSGILazyInitialization Off``: Python started in the root parent, before any daemon drops root; what changes
    how the app's daemons run their Python (:data:`INTERPRETER`: ``WSGIPythonOptimize``, ``WSGIPythonWarnings``)."""
    out = []
    for d in directives:
        words = _words(d.args)
        if d.name == "loadmodule" and len(words) >= 2 and not words[1].startswith(modules.rstrip("/") + "/"):
            out.append(f"{d.where}: LoadModule {words[0]} {words[1]}: a module from outside {modules} is loaded "
                       f"into Apache's root parent at every (re)load")
        elif d.name in LOG_DIRECTIVES and words and words[0].startswith("|"):
            prog = words[0].lstrip("|$").split()[0] if words[0].lstrip("|$").split() else ""
            why = loose(prog) if prog.startswith("/") else f"{prog or '?'} is not an absolute path"
            if why:
                out.append(f"{d.where}: {d.name} pipes to {prog}: Apache's root parent runs it, and {why}")
        elif d.name in ("allowoverride", "allowoverridelist") and words and words[0].lower() != "none":
            where = next((arg for kind, arg, _ in reversed(d.context) if kind in ("directory", "directorymatch")),
                         "/")
            why = loose(where.strip('"')) if where.startswith("/") else f"{where} is a pattern"
            if why and not reaches(where, cfg.root):  # (over the app's tree: the reload rule's finding)
                out.append(f"{d.where}: {d.name} {d.args} for {where}: a .htaccess there is Apache configuration "
                           f"(handlers, aliases, access rules), and {why}: whoever writes there configures "
                           f"Apache")
        elif d.name == "wsgilazyinitialization" and words and words[0].lower() in ("off", "false", "0"):
            out.append(f"{d.where}: WSGILazyInitialization {d.args}: mod_wsgi starts Python in Apache's root parent "
                       f"(the system Python's site hooks, .pth files and sitecustomize run as root at every "
                       f"(re)start) and the daemons inherit that interpreter instead of starting their own from "
                       f"their python-home (mod_wsgi's docs: leave it On)")
        elif d.name in INTERPRETER and (d.name != "wsgipythonoptimize" or words[:1] != ["0"]):
            out.append(f"{d.where}: {d.name} {d.args[:120]}: {INTERPRETER[d.name]}")
        elif d.file != ours and reaches(d.args, cfg.root):
            out.append(f"{d.where}: {d.name} {d.args[:120]}: names the app's tree outside the app's site file: "
                       f"Apache serves its files or runs its code there, outside the app's daemons and vhost")
    return out


def _words(args: str) -> list[str]:
    return list(_split(args))


@functools.lru_cache(maxsize=8192)
def _split(args: str) -> tuple[str, ...]:
    """A directive's arguments split as the shell does (``shlex``: pure Python, ~30 us a line), once for every check
    and every host: the same lines come back in each check that reads Apache's configuration, and on each host of
    a fleet."""
    try:
        return tuple(shlex.split(args))
    except ValueError:
        return tuple(args.split())


# ---------------------------------------------------------------- systemd units

# the admin's, the runtime's (systemd-run's transient units) and the admin's local vendor dir: read and judged;
# a unit file elsewhere (the packages' /usr/lib/systemd/system) must be a package's (:func:`unit_problems`)
UNIT_DIRS = tuple(_login.UNITS)
UNIT_TOPS = tuple(d + "/" for d in UNIT_DIRS)
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path")
EXEC_KEYS = ("execstart", "execstartpre", "execstartpost", "execstop", "execstoppost", "execreload",
             "execcondition", "workingdirectory", "rootdirectory", "environmentfile")


@dataclass
class Unit:
    name: str
    files: list      # the unit file (or its link) and its drop-ins, in order
    keys: dict       # lower-case key -> [(value, "file:line")]
    enabled: list    # the wants/requires links that start it
    link: str = ""   # the unit file is a link to this

    def values(self, key: str) -> list[tuple[str, str]]:
        return self.keys.get(key, [])

    @property
    def user(self) -> str:
        found = self.values("user")
        return found[-1][0] if found and found[-1][0] else "root"


def _ini(path: str, text: str, keys: dict) -> None:
    for n, line in _logical_lines(text):
        if line.startswith(("[", ";")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        keys.setdefault(key.strip().lower(), []).append((value.strip(), f"{path}:{n}"))


def units(raw: dict[str, str]) -> dict[str, Unit]:
    """The units configured under :data:`UNIT_DIRS` (the admin's ``/etc/systemd/system``, the runtime's
    ``/run/systemd/system``, ``systemd-run``'s ``/run/systemd/transient``, ``systemctl set-property``'s
    ``system.control`` and portablectl's ``system.attached`` dirs): files, links to unit files
    (``systemctl link``, an enabled unit), drop-ins (``NAME.d/*.conf``, merged into NAME), and the wants/requires
    links enabling them. A name in two dirs is one unit with both files' keys (more, never fewer, to judge)."""
    if isinstance(raw, Texts) and raw.units is not None:
        return raw.units  # (read, never changed, by its callers)
    found: dict[str, Unit] = {}

    def unit(name):
        return found.setdefault(name, Unit(name, [], {}, []))

    for path in sorted(p for p in raw if p.startswith(UNIT_TOPS)):
        top = next(d for d in UNIT_DIRS if path.startswith(d + "/"))
        rel, text = path[len(top) + 1:], raw[path]
        parts = rel.split("/")
        if len(parts) == 1 and rel.endswith(UNIT_SUFFIXES):
            u = unit(rel)
            u.files.append(path)
            if text.startswith("-> "):
                u.link = text[3:]
            else:
                _ini(path, text, u.keys)
        elif len(parts) == 2 and parts[0].endswith(".d") and parts[1].endswith(".conf") and not text.startswith("-> "):
            u = unit(parts[0][:-2])
            u.files.append(path)
            _ini(path, text, u.keys)
        elif len(parts) == 2 and parts[0].endswith((".wants", ".requires")) and parts[1].endswith(UNIT_SUFFIXES):
            u = unit(parts[1])
            u.enabled.append(path)
            if text.startswith("-> ") and not u.link and not text[3:].startswith(UNIT_DIRS):
                u.link = text[3:]
    if isinstance(raw, Texts):
        raw.units = found
    return found


def reaches(text: str, root: str) -> bool:
    """Whether a command line, a unit's value or a script names ``root`` or a path under it (as a word: split at
    blanks, quotes, ``=``, ``;``, ``|``, ``&``, parentheses, backquotes and the ``:`` of a list
    (``PYTHONPATH=/a:/b``, binfmt's fields), systemd's ``-@:+!`` prefixes dropped),
    as written or as a glob the shell, tmpfiles or logrotate expand (``/var/www/*/current/venv/bin/python``)."""
    words = (w.lstrip("-@:+!") for w in re.split(r"[\s'\"=;|&()`<>:]+", text))
    return any(w.rstrip("/") == root or w.startswith(root + "/") or GLOB.search(w) and _glob_reaches(w, root)
               for w in words)


GLOB = re.compile(r"[*?\[{]")


def _glob_reaches(word: str, root: str) -> bool:
    """Whether the absolute glob ``word`` (``*``, ``?``, ``[...]`` within a name; ``{a,b}``) may match ``root`` or a
    path under it: each of its names matches the tree's name at that depth, and it is no shorter than the tree."""
    want, todo, seen = root.strip("/").split("/"), [word], 0
    while todo and seen < 64:
        pattern, seen = todo.pop(), seen + 1
        brace = re.search(r"\{([^{}]*)\}", pattern)
        if brace:  # (the shell's and logrotate's alternatives: each in turn)
            todo += [pattern[:brace.start()] + alt + pattern[brace.end():] for alt in brace.group(1).split(",")]
            continue
        names = posixpath.normpath(pattern).strip("/").split("/")
        if pattern.startswith("/") and len(names) >= len(want) and all(
                fnmatch.fnmatchcase(w, n) for w, n in zip(want, names, strict=False)):
            return True
    return False


def _shipped(path: str, shipped) -> bool:
    twin = path[4:] if path.startswith("/usr/lib/") else "/usr" + path if path.startswith("/lib/") else path
    return path in shipped or twin in shipped


def unit_problems(raw: dict[str, str], root: str, watched: dict[str, str], shipped=None,
                  gone=None) -> dict[str, str]:
    """unit name -> why, for each unit that runs as one of ``watched`` (user -> its role) or runs code from the
    app's tree ``root`` (its unit file there, or an Exec*/WorkingDirectory/EnvironmentFile path under it, or an
    ``Environment=`` value naming it: ``PYTHONPATH``, ``LD_PRELOAD``, a ``:`` list; whatever the variable, as for
    cron's environment lines: which one a program finds its code by is not for a list to know), or whose
    unit file is a link out of :data:`UNIT_DIRS` to a file no package ships (``shipped``: dpkg's paths; a unit by
    hand in the packages' dir, which the gate does not read), unless ``gone(link)`` says it leads to nothing only
    root may create (the enable link a removed package leaves: systemd runs nothing through it). A timer or path
    unit that starts a flagged service is named in that service's line."""
    found = units(raw)
    out = {}
    for u in found.values():
        why = []
        if reaches(u.link, root):
            why.append(f"its unit file is {u.link}, in the app's tree (whoever writes there decides what systemd runs)")
        elif u.link.startswith("/") and u.link != "/dev/null" and shipped is not None and not _shipped(
                u.link, shipped) and not (gone and gone(u.link)):
            why.append(f"its unit file is {u.link}, which no installed package ships: a unit by hand among the "
                       f"packages' units (the gate reads units in {', '.join(UNIT_DIRS)} only)")
        if u.user in watched:
            why.append(f"it runs as {u.user}, {watched[u.user]}")
        reach = [(k, v, at) for k in EXEC_KEYS + ("environment",) for v, at in u.values(k) if reaches(v, root)]
        if reach:
            k, v, at = reach[0]
            why.append(f"{at}: {k} reaches the app's tree ({v[:120]}): code the deploy login or the app can "
                       f"change runs as {u.user}")
        if not why:
            continue
        starters = [t.name for t in found.values() if t.name.endswith((".timer", ".path", ".socket")) and
                    (t.values("unit")[-1][0] if t.values("unit") else t.name.rsplit(".", 1)[0] + ".service")
                    == u.name]
        how = "; ".join(([f"enabled by {', '.join(u.enabled)}"] if u.enabled else []) + [
            f"started by {t}" + (f" (enabled by {', '.join(found[t].enabled)})" if found[t].enabled else "")
            for t in starters]) or "not enabled (started by hand or by another unit)"
        out[u.name] = f"{u.name} ({', '.join(u.files) or 'a link'}; {how}): " + "; ".join(why)
    return out


# what an override of a unit the site and the pipeline rely on may change (its drop-ins or a unit file of its name in
# the admin's dirs): how systemd starts, reloads and stops it
UNIT_CONTROL_KEYS = ("execstart", "execstartpre", "execstartpost", "execreload", "execstop", "execstoppost",
                     "execcondition", "killsignal", "killmode", "reloadsignal", "restartkillsignal", "type", "user",
                     "group", "environment", "environmentfile", "unsetenvironment", "pidfile")
# systemd.exec(5)'s sandboxing and security keys, lower case: what a unit's processes may see, write or do
SANDBOX = re.compile(r"(protect|private|readwrite|readonly|inaccessible|(no)?execpaths|temporaryfilesystem|bind|"
                     r"rootdirectory|rootimage|restrict|systemcall|capabilityboundingset|nonewprivileges|"
                     r"memorydenywriteexecute|dynamicuser|ipaddress(deny|allow))")
# a reload or stop command that ends the server instead: Apache's graceful-stop (WINCH), stop (TERM), or a kill
STOPS = re.compile(r"(^|\s)(-(s\s*)?(SIG)?(WINCH|TERM|KILL|INT|QUIT)\b|-(9|15|28)\b|graceful-stop\b|\bstop\b)")


def relied_unit_problems(raw: dict[str, str], relied: dict[str, str]) -> dict[str, tuple[str, bool]]:
    """unit name -> (why, whatever is allowed), for each unit of ``relied`` (name -> who relies on it: Apache's,
    the SSH server's) that the admin's unit dirs mask (a link to /dev/null: systemd never starts it, not at boot,
    not for a restart) or override (a drop-in ``NAME.d/*.conf`` or a unit file of its name setting a key of
    :data:`UNIT_CONTROL_KEYS` or of :data:`SANDBOX`, each named ``file:line``): how it starts, reloads or stops,
    and what its sandbox takes away (``ProtectSystem=strict``: the app's daemons cannot write ``shared/``). A mask
    and a reload that stops the server are findings whatever is allowed (allow_units accounts for the override,
    not for that)."""
    found, out = units(raw), {}
    for name, role in relied.items():
        u = found.get(name)
        if u is None:
            continue
        if u.link == "/dev/null":
            out[name] = (f"{name} is masked ({', '.join(u.files)} -> /dev/null): systemd never starts it, not at boot, "
                         f"not for a restart: {role}", True)
            continue
        # how systemd starts, reloads and stops it, and what its sandbox takes away from the server and the app's
        # daemons after the next start (systemd.exec(5)'s sandboxing keys: a read-only /var/www, a hidden /tmp)
        changed = [f"{at}: {key}={value[:100]}" for key in (*UNIT_CONTROL_KEYS, *sorted(
            k for k in u.keys if SANDBOX.match(k))) for value, at in u.values(key)]
        stops = [f"{at}: {key}={value[:100]}" for key in ("execreload",) for value, at in u.values(key)
                 if STOPS.search(value)] + [f"{at}: {key}={value}" for key in ("reloadsignal",)
                                            for value, at in u.values(key) if STOPS.search("-" + value.upper())]
        if stops:
            out[name] = (f"{name}'s reload stops it ({'; '.join(stops[:2])}): every 'systemctl reload {name}' "
                         f"(logrotate's nightly reload, certbot's hooks, an admin's) takes it down: {role}", True)
        elif changed:
            out[name] = (f"{name} is overridden in how systemd starts, reloads or stops it, or in its sandbox "
                         f"({'; '.join(changed[:4])}): {role}; a reload, restart or boot no longer does what its "
                         f"package's unit does", False)
    return out


PRIVILEGED_PREFIX = {"+": "its '+' prefix runs it with full privileges, whatever User= says",
                     "!": "its '!' prefix runs it without User= and Group= (as root)"}
RUN_AS_ROOT_TOO = ("execstartpre", "execstartpost", "execstop", "execstoppost", "execreload")


def root_reach(raw: dict[str, str], root: str) -> dict[str, str]:
    """unit name -> why, for each unit with a command that runs as root and reaches the app's tree ``root``: the
    unit's own user is root (no ``User=``, an empty last one, ``root`` or ``0``: a hand edit deleting the line an
    allowance was written for), or a ``+``/``!`` prefix (systemd.service(5): full privileges, or User= not
    applied), or PermissionsStartOnly=yes for the commands around ExecStart. An allowance for a unit that runs as
    the app user accounts for that, never for root running code the deploy login or the app can change."""
    out: dict[str, str] = {}
    for u in units(raw).values():
        only = any(v.lower() in ("yes", "true", "1", "on") for v, _ in u.values("permissionsstartonly"))
        rooted = u.user in ("root", "0")
        for key in EXEC_KEYS + ("environment",) if rooted else EXEC_KEYS[:7]:  # (root's make in a release dir: its
            #                  working directory; what its program loads by: PYTHONPATH, LD_* of Environment=)
            for value, at in u.values(key):
                prefix = value[:len(value) - len(value.lstrip("-@:+!"))]
                how = "it runs as root (no User= but root's)" if rooted else next(
                    (PRIVILEGED_PREFIX[c] for c in "+!" if c in prefix), "") or (
                    "PermissionsStartOnly=yes runs it as root" if only and key in RUN_AS_ROOT_TOO else "")
                if how and reaches(value, root):
                    out.setdefault(u.name, f"{u.name} ({at}): {key}={value[:120]}: {how}, and it reaches the app's "
                                           f"tree ({root}): root runs code the deploy login or the app can change")
    return out


def user_managers(linger: list[str], dirs: dict[str, list], watched: dict[str, str]) -> dict[str, str]:
    """``user@NAME`` -> why, for each watched user (name -> its role) whose systemd user manager starts at boot
    (``/var/lib/systemd/linger/NAME``) or who has enabled user units (``dirs``: the collector's ``user_units``,
    ``{"NAME:~/dir/": names, "NAME:~/dir/x.wants/": names}``): that manager runs the user's own units, which the
    user (the app, the deploy login) writes and starts itself, with its rights and outside any deploy."""
    out = {}
    for user, role in watched.items():
        mine = {where.split(":", 1)[1]: names for where, names in dirs.items() if where.split(":", 1)[0] == user}
        enabled = sorted(f"{where.rstrip('/').rsplit('/', 1)[-1]}/{n}" for where, names in mine.items()
                         if where.endswith((".wants/", ".requires/")) for n in names)
        made = sorted(f"{where}{n}" for where, names in mine.items() if where.startswith("/run/") for n in names
                      if not n.endswith((".wants", ".requires")))
        if user not in linger and not enabled and not made:
            continue
        units = sorted({f"{where}{n}" for where, names in mine.items() if not where.endswith((".wants/",
                        ".requires/")) and not where.startswith("/run/") for n in names
                        if not n.endswith((".wants", ".requires"))})
        start = (f"starts at boot (linger: /var/lib/systemd/linger/{user})" if user in linger else
                 "starts at its next session" if enabled else "holds units made at run time")
        what = (f"enabled: {', '.join(enabled[:5])}" if enabled else "none enabled yet") + \
            (f"; unit files: {', '.join(units[:5])}" if units else "") + \
            (f"; units made at run time (systemd-run --user, --runtime): {', '.join(made[:5])}" if made else "")
        out[f"user@{user}"] = (f"{user}'s systemd user manager {start} ({what}): it runs units {user} writes and "
                               f"starts itself, as {user}, {role}, outside Apache and any deploy")
    return out


# ---------------------------------------------------------------- cron

CRONTABS = "/var/spool/cron/crontabs/"
PERIODIC = ("/etc/cron.hourly/", "/etc/cron.daily/", "/etc/cron.weekly/", "/etc/cron.monthly/")


CRON_ENV = re.compile(r"""("[^"]*"|'[^']*'|[^=\s]+)\s*=""")  # cron's env line: a name, then '=' (env.c)


def unread_schedules(facts) -> list[str]:
    """``path: why`` of each file cron reads that root's snapshot holds without its text (larger than the
    collector's bound: a crontab the deploy login padded past 64 KiB hid the job at its end; not root's, for a
    run-parts script): its jobs cannot be accounted for, so it is itself a finding, never skipped."""
    import stat

    files = getattr(getattr(facts, "raw", None), "files", None) or {}
    cron = ("/etc/crontab", "/etc/cron.d/", CRONTABS) + PERIODIC
    return [f"{path}: {entry['why']}" for path, entry in sorted(files.items()) if isinstance(entry, dict)
            and entry.get("why") and entry.get("st") and stat.S_ISREG(entry["st"][0]) and path.startswith(cron)]


def cron_jobs(raw: dict[str, str]) -> list[dict]:
    """Every cron job: ``{where (file:line), file, user, job}``. /etc/crontab and /etc/cron.d name the user in
    the sixth field; a crontab under /var/spool/cron/crontabs is its owner's; a script in /etc/cron.{hourly,...}
    runs as root (run-parts), the whole script one job. An environment line whose value names a path is a job of
    its own, as the file's user (root for /etc/crontab and /etc/cron.d), whatever the variable: every later job of
    the file runs with it, and which variable a program finds its code by is not for a list to know (cron runs
    each job with ``$SHELL``, Python adds ``$HOME``'s user site and ``$PYTHONUSERBASE``'s, ``PATH``, ``BASH_ENV``).
    Lines are cron's: no continuation (a ``\\`` at the end of a line is part of it;
    Apache's continuations made ``MAILTO=x \\`` hide the job on the next line)."""
    out = []
    for path in sorted(p for p in raw if p == "/etc/crontab" or p.startswith(("/etc/cron.d/", CRONTABS) + PERIODIC)):
        text = raw[path]  # (made safe when read: only cron's files are)
        if path.startswith(PERIODIC):
            name = path.rsplit("/", 1)[-1]
            if name.startswith(".") or name == "placeholder" or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                continue  # run-parts runs only such names
            if text.startswith("-> "):  # a link: run-parts runs what it reaches, judged as the program it is
                text = posixpath.normpath(posixpath.join(posixpath.dirname(path), text[3:].strip()))
            out.append({"where": path, "file": path, "user": "root", "job": text})
            continue
        if text.startswith("-> "):
            continue
        system = path == "/etc/crontab" or path.startswith("/etc/cron.d/")
        if not system and not path.startswith(CRONTABS):
            continue
        for n, line in enumerate(text.splitlines(), 1):  # cron's own rule: one physical line, one entry
            line = line.strip()
            words = line.split()
            env = CRON_ENV.match(line)
            if env and "/" in line.partition("=")[2]:  # (every later job of the file runs with it)
                name, _, value = line.partition("=")
                out.append({"where": f"{path}:{n}", "file": path, "user": "root" if system else path[len(CRONTABS):],
                            "job": f"{name.strip()}={value.strip()}"})
                continue
            if not words or line.startswith("#") or env:
                continue
            if words[0].startswith("@"):
                user, job = (words[1], words[2:]) if system and len(words) > 1 else (None, words[1:])
            else:
                user, job = (words[5], words[6:]) if system and len(words) > 5 else (None, words[5:])
            out.append({"where": f"{path}:{n}", "file": path,
                        "user": (user or "?") if system else path[len(CRONTABS):], "job": " ".join(job)})
    return out


# ---------------------------------------------------------------- what Apache's configuration does (issue 17, round 4)
# An allowance accounts for a file's presence, never for its effect: these read what the directives in force do,
# whichever file says them (the app's own site file aside: test_vhost_as_bootstrapped holds it to bootstrap's text).

SERVING = ("documentroot", "alias", "aliasmatch", "scriptalias", "scriptaliasmatch")
AUTHENTICATED = ("valid-user", "user", "group", "file-owner", "file-group", "ldap-user", "ldap-group",
                 "ldap-dn", "ldap-attribute", "ldap-filter", "dbd-group")


def _under(path: str, top: str) -> bool:
    """Whether ``path`` is ``top`` or lies below it (plain paths; ``top`` may end with ``/``)."""
    top = top.rstrip("/") or "/"
    return path == top or path.startswith(top.rstrip("/") + "/")


def _vhost_of(d: Directive):
    return next((c[2] for c in d.context if c[0] == "virtualhost"), None)


def _access(directives: list[Directive], scope, path: str) -> str:
    """What the most specific ``<Directory>`` covering ``path`` (global, or in the vhost ``scope``) says with its
    ``Require`` lines: ``"denied"``, or how it grants (its Require, file:line), or that nothing restricts it."""
    best: tuple[int, list[Directive]] = (-1, [])
    for d in directives:
        if d.name != "require" or _vhost_of(d) not in (None, scope):
            continue
        inner = next(((k, a, o) for k, a, o in reversed(d.context) if k in ("directory", "directorymatch")), None)
        if inner is None or inner[0] != "directory" or inner[1].startswith("~"):
            continue
        top = inner[1].strip('"')
        if (fnmatch.fnmatch(path, top.rstrip("/") + "*") and "*" in top) or _under(path, top):
            depth = len(top.rstrip("/"))
            if depth > best[0]:
                best = (depth, [d])
            elif depth == best[0]:
                best[1].append(d)
    if not best[1]:
        return "no <Directory> restricts it"
    words = [" ".join(d.args.lower().split()) for d in best[1]]
    if "all denied" in words and "all granted" not in words:
        return "denied"
    return "; ".join(f"Require {d.args} at {d.where}" for d in best[1])


def served_problems(directives: list[Directive], cfg, ours: str) -> list[str]:
    """What Apache serves from the filesystem outside the app's own site file that holds the app's tree: a
    ``DocumentRoot``, ``Alias`` or ``ScriptAlias`` whose directory lies above the app's root (what names the app's
    tree itself is :func:`effect_problems`' finding), unless the most specific ``<Directory>`` covering the app's root
    in that scope denies it (the app's own ``Require all denied`` holds in its vhost only)."""
    root, out = cfg.root.rstrip("/"), []
    for d in directives:
        if d.file == ours or d.name not in SERVING:
            continue
        words = _words(d.args)
        target = (words[-1] if words else "").split("$")[0] if d.name.endswith("match") else \
            (words[-1] if words else "")
        if not target.startswith("/") or not root.startswith(target.rstrip("/") + "/"):
            continue
        access = _access(directives, _vhost_of(d), root)
        if access != "denied":
            out.append(f"{d.where}: {d.name} {d.args[:120]}: serves {target}, which holds the app's tree {root} "
                       f"({access}): its releases' code and records, application.wsgi and shared/ are "
                       f"downloadable there, outside the app's vhost and its 'Require all denied'")
    return out


def writable_served(directives: list[Directive], ours: str, loose) -> list[str]:
    """What Apache serves on every site, the app's included, from a directory someone but root may write: a
    ``DocumentRoot``, ``Alias`` or ``ScriptAlias`` outside any ``<VirtualHost>`` (a ``conf-enabled`` file's, as
    certbot's webroot ``Alias /.well-known/acme-challenge/``) whose directory ``loose(path)`` says others may
    change (why, or None), unless the most specific ``<Directory>`` denies it; a ``UserDir`` not disabled (every
    local user's own directory). What they put there is served on the app's origin: a page or script the browser
    runs with the app's cookies and same-origin rights, a phishing form under the app's name, and code wherever a
    handler runs files. An allowance accounts for the file, not for who writes what it serves."""
    out = []
    for d in directives:
        words = _words(d.args)
        if d.file == ours or _vhost_of(d) is not None or not words:
            continue
        if d.name == "userdir" and words[0].lower() != "disabled":
            out.append(f"{d.where}: UserDir {d.args}: every local user's {words[0]} is served on every site, the "
                       f"app's too, at /~name/: what any account puts there is served on the app's origin")
        elif d.name in SERVING:
            target = (words[-1].split("$")[0] if d.name.endswith("match") else words[-1]).rstrip("/") or "/"
            why = loose(target) if target.startswith("/") else None
            if why and _access(directives, None, target) != "denied":
                out.append(f"{d.where}: {d.name} {d.args[:120]}: serves {target} on every site, the app's too, and "
                           f"{why} may be changed by someone but root: what they put there is served on the app's "
                           f"origin (a page or script run with its cookies, a form under its name)")
    return out


OPTIONS_ALL = {"indexes", "includes", "followsymlinks", "execcgi"}  # Apache's ``Options All`` (not MultiViews)


def symlinks_followed(directives: list[Directive], scope, path: str) -> tuple[str, str]:
    """How Apache follows a link at ``path`` by the ``Options`` in force there (in the vhost ``scope``):
    ``("followsymlinks" | "symlinksifownermatch" | "", where)``. Options merge as Apache merges them: its default
    (``FollowSymlinks``), the server's, the vhost's, then each non-regex ``<Directory>`` covering ``path``, shortest
    first (a vhost's after the server's of the same length); a line of only ``+``/``-`` words changes the set, any
    other replaces it (``All``, ``None``). ``.htaccess`` files are not read (Debian's ``AllowOverride None``)."""
    found = []
    for d in directives:
        vhost = _vhost_of(d)
        if d.name != "options" or vhost not in (None, scope):
            continue
        inner = [c for c in d.context if c[0] != "virtualhost"]
        if not inner:
            found.append(((-1 if vhost is None else 0, 0), d))
        elif len(inner) == 1 and inner[0][0] == "directory" and not inner[0][1].startswith("~"):
            top = inner[0][1].strip('"')
            if _under(path, top) or "*" in top and fnmatch.fnmatch(path, top.rstrip("/") + "*"):
                found.append(((len(top.rstrip("/")) + 1, vhost is not None), d))
    opts, where = {"followsymlinks"}, "Apache's default"
    for _, d in sorted(found, key=lambda f: f[0]):
        words = [w.lower() for w in _words(d.args)]
        if words and all(w[:1] in "+-" for w in words):
            for w in words:
                named = OPTIONS_ALL if w[1:] == "all" else {w[1:]}
                opts = opts | named if w[0] == "+" else opts - named
        else:
            opts = set().union(*[OPTIONS_ALL if w == "all" else set() if w == "none" else {w} for w in words])
        where = f"Options {d.args} at {d.where}"
    mode = "followsymlinks" if "followsymlinks" in opts else "symlinksifownermatch" if \
        "symlinksifownermatch" in opts else ""
    return mode, where


def links_served(directives: list[Directive], ours: str, links: dict, realpath, owner, tree: str) -> list[str]:
    """Each link under a directory Apache serves (a ``DocumentRoot``, ``Alias`` or ``ScriptAlias`` outside the app's
    own site file; ``links``: ``{served dir: [links]}``, the login collector's walk) that leads out of that
    directory (``realpath``: through the links the snapshot recorded), where Apache would follow it: not denied
    there, and ``FollowSymLinks`` in force, or ``SymLinksIfOwnerMatch`` with the link's owner the target's
    (``owner(path)``: uid or None, not known: counted as the same). Whoever asks gets what it leads to: the app's
    code and config (``tree``), another directory's files, a secret."""
    out, seen = [], set()
    for d in directives:
        words = _words(d.args)
        if d.file == ours or d.name not in ("documentroot", "alias", "scriptalias") or not words:
            continue
        top = posixpath.normpath(words[-1]) if words[-1].startswith("/") else ""
        for link in links.get(top, []) if top else []:
            real, scope = realpath(link), _vhost_of(d)
            if link in seen or _under(real, top) or _access(directives, scope, link) == "denied":
                continue
            mode, where = symlinks_followed(directives, scope, posixpath.dirname(link))
            theirs, mine = owner(real), owner(link)
            if not mode or mode == "symlinksifownermatch" and None not in (theirs, mine) and theirs != mine:
                continue
            seen.add(link)
            what = "the app's tree: its code, its config's secrets" if _under(real, tree) else \
                "outside what it serves"
            out.append(f"{d.where}: {d.name} {d.args[:120]}: serves {top}, and {link} there is a link to {real} "
                       f"({what}); Apache follows it ({where}): whoever asks for it by URL gets what it leads to; "
                       f"remove the link (an Alias names what is served, with its own <Directory>)")
    return out


def _authenticated(d: Directive, directives: list[Directive]) -> bool:
    """Whether the container ``d`` sits in requires a user (a ``Require`` naming users, groups or valid-user)."""
    if not d.context:
        return False
    opening = d.context[-1][2]
    return any(r.name == "require" and r.context and r.context[-1][2] == opening and
               (r.args.split()[:1] or [""])[0].lower() in AUTHENTICATED for r in directives)


HANDLERS = ("wsgi-script", "cgi-script")  # handlers that run the file a URL names (cgi: with a CGI module loaded)


def _exec_cgi(d: Directive, directives: list[Directive]) -> bool:
    """Whether ``Options`` in the same container as ``d`` switch ExecCGI on (mod_wsgi and mod_cgi run a script by
    handler only there)."""
    return any(o.name == "options" and o.context == d.context and any(
        w.lstrip("+").lower() in ("execcgi", "all") for w in _words(o.args)) for o in directives)


def handler_problems(directives: list[Directive], cfg, ours: str, users: dict, groups: dict, loose, shared,
                     cgi: bool) -> list[str]:
    """What in Apache's configuration in force writes files or runs code for whoever asks, outside the app's own
    site file: WebDAV (``Dav On``) where no user is required (anyone uploads, changes and deletes files, which are
    then served); a ``WSGIDaemonProcess`` of another app that runs as one of ``users`` or ``groups`` (name -> who:
    the app's or the deploy login's: code the deploy did not ship, with the app's rights); a WSGI script or, when a
    CGI module is loaded (``cgi``), a CGI directory someone but root may change (``loose(path)``: why, or None), or
    a handler (``AddHandler wsgi-script .py``, ``SetHandler cgi-script``) with ExecCGI in a ``<Directory>`` someone
    but root may change (an uploads dir the app writes: every file saved there runs for whoever asks it by URL);
    ``WSGISocketPrefix`` in a directory others may write (``shared(dir)``: why, or None: another user takes the
    daemons' socket name before Apache does, mod_wsgi's docs warn)."""
    out = []
    for d in directives:
        if d.file == ours:
            continue
        words = _words(d.args)
        if d.name == "dav" and words and words[0].lower() in ("on", "filesystem") and \
                not _authenticated(d, directives):
            where = d.context[-1][1] if d.context else "every URL"
            out.append(f"{d.where}: Dav {d.args} for {where} and no Require of a user: anyone may upload, change and "
                       f"delete files there (WebDAV), and what is uploaded is served back from this host")
        elif d.name == "wsgidaemonprocess" and words and words[0] != cfg.app:
            opts = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            who = [f"{k}={opts[k]} ({known[opts[k]]})" for k, known in (("user", users), ("group", groups))
                   if opts.get(k) in known]
            if who:
                out.append(f"{d.where}: WSGIDaemonProcess {words[0]} runs as {' '.join(who)}: code the deploy did not "
                           f"ship runs with the app's rights (its config's secrets, its data)")
        elif d.name in ("wsgiscriptalias", "wsgiscriptaliasmatch") + (("scriptalias", "scriptaliasmatch")
                                                                      if cgi else ()) and len(words) >= 2:
            target = words[1].split("$")[0]
            why = loose(target.rstrip("/") or "/") if target.startswith("/") else f"{target} is not an absolute path"
            if why:
                out.append(f"{d.where}: {d.name} {words[0]} runs {words[1]}: Apache runs it for whoever asks, and "
                           f"{why}: whoever that is runs code on this host")
        elif d.name in ("addhandler", "sethandler") and words and words[0].lower() in HANDLERS[:1 + cgi] and \
                d.context and d.context[-1][0] == "directory" and _exec_cgi(d, directives):
            top = d.context[-1][1].strip("\"'")
            why = loose(top.rstrip("/") or "/") if top.startswith("/") else None
            if why:
                out.append(f"{d.where}: {d.name} {d.args} in <Directory {top}> (with ExecCGI): Apache runs every "
                           f"such file there for whoever asks it by URL, and {why}: whoever writes there (an upload "
                           f"the app saves) runs code on this host")
        elif d.name in ("addhandler", "sethandler") and words and words[0].lower() in HANDLERS[:1 + cgi] and any(
                o.name == "options" and any(w.lstrip("+").lower() in ("execcgi", "all") for w in _words(o.args))
                for o in directives):  # for URLs (<Location>, <Files>, a vhost, the server): what they map to
            for t in (t for t in directives if t.file != ours and t.name in ("alias", "aliasmatch", "documentroot")):
                tw = _words(t.args)
                target = (tw[:1] if t.name == "documentroot" else tw[1:2] or [""])[0].split("$")[0]
                why = loose(target.rstrip("/") or "/") if target.startswith("/") else None
                if why:
                    out.append(f"{d.where}: {d.name} {d.args} (with ExecCGI) runs files for the URLs it covers, and "
                               f"{t.where}: {t.name} {t.args} maps URLs to {target}: {why}: whoever writes there runs "
                               f"code on this host for whoever asks it by URL")
                    break
        elif d.name == "wsgisocketprefix" and words:
            prefix = words[0] if words[0].startswith("/") else "/etc/apache2/" + words[0]
            why = shared(posixpath.dirname(prefix))
            if why:
                out.append(f"{d.where}: WSGISocketPrefix {words[0]}: the daemons' sockets are made in {why}: "
                           f"another user may take a socket's name before Apache does and receive the app's "
                           f"requests (mod_wsgi's docs: never a world-writable directory)")
    return out


FRONT = {"cacheenable": "a cache answers in the app's place (the deploy's health gate and every client get what "
                        "it stored: a new release looks like the old one, every deploy is refused)",
         "proxypass": "requests are proxied elsewhere before the app sees them",
         "proxypassmatch": "requests are proxied elsewhere before the app sees them",
         "rewriterule": "requests are rewritten before the app sees them (or proxied, or redirected)"}
# switches that make Apache fetch for whoever asks, on any URL: anyone who reaches the site reaches, through the
# server, what only it may (its loopback services, the private network, a cloud's metadata address)
OPEN_PROXY = {"proxyrequests": "Apache is a forward proxy for whoever reaches the site: through it anyone reaches "
                               "what only this server may (its loopback services, the private network, the cloud's "
                               "metadata address)"}
TAKES = ("alias", "aliasmatch", "scriptalias", "scriptaliasmatch", "redirect", "redirectmatch", "redirectpermanent",
         "redirecttemp", "sethandler")


def in_front_problems(directives: list[Directive], cfg, judged) -> list[str]:
    """What stands between a client and the app on the app's URL space, in a file that is not a stock file as
    shipped (``judged(path)``: the allowed and hand-written ones): a cache, a proxy or a rewrite in force for the
    app's vhost, and an alias, redirect or handler that takes the URL the deploy's health gate asks
    (``cfg.health_path``) from the app: the pipeline's health gate and every client then talk to something else."""
    out = []
    for d in directives:
        if not judged(d.file) or not applies_to_app(d, directives, cfg):
            continue
        words = _words(d.args)
        if d.name in OPEN_PROXY and words and words[0].lower() == "on":
            out.append(f"{d.where}: {d.name} {d.args[:40]}: in force for the app's site: {OPEN_PROXY[d.name]}")
        elif d.name in FRONT and words and not (d.name.startswith("proxypass") and words[1:2] == ["!"]) and \
                (d.name != "rewriterule" or d.context):
            out.append(f"{d.where}: {d.name} {d.args[:120]}: in force for the app's site: {FRONT[d.name]}")
        elif d.name in TAKES and (words or d.name == "sethandler"):
            url = next((a for k, a, _ in reversed(d.context) if k in ("location", "locationmatch")), None) \
                if d.name == "sethandler" else (words[1] if d.name.startswith("redirect") and len(words) > 2 and
                                                not words[0].startswith("/") else words[0])
            if url is None:
                continue
            regex = d.name.endswith("match") or url.startswith("~")
            health = cfg.health_path
            if (re.search(url.lstrip("~").strip(), health) if regex else _under(health, url) or url == "/"):
                out.append(f"{d.where}: {d.name} {d.args[:120]}: takes {health} (what the deploy's health gate asks) "
                           f"from the app: the gate and every client get another answer, every deploy is judged on "
                           f"it")
    return out
