"""Allowances that pin content: where a host's snapshot and the target's written allowances meet.

An allowance of a container of code (:data:`deploytests.allowances.PINNED`: a file root runs later, a file Apache
includes, a systemd unit, a privileged file, a command in /usr/local) holds only while what it names hashes to
the pin written with it (``"/etc/cron.d/backup sha256:<hex>"``). :func:`effective` resolves the pins once per
check against the host's facts: the rules see the bare names whose content still matches (``x in
exp.allow.cron`` as before), and the hint (:func:`hint`) prints the pinned form with the hash found now, saying
when a written pin is stale or missing. What each pin covers (:func:`digest`):

- a cron, hook or Apache file: the sha256 of its bytes (after root's links; ``sha256sum FILE``);
- a file Apache or the daemons map as code that no package ships (``allow_mapped``): the sha256 of ``PATH MODE UID
  GID SIZE MTIME INO CTIME``, the root collector's ``lstat`` of it (no program of the gate hashes what root alone
  sees mapped: its identity, which a rewrite, a replacement or a chmod changes, and a rewrite whose mtime is set
  back with ``touch -d`` too: the kernel sets the ctime, and no one sets it back);
- a unit: the sha256 of ``sha256sum``'s lines (``HEX  PATH``) of its unit file and every drop-in the gate reads
  for it, in systemd's search order (a link whose target is not read: its ``-> target`` text);
- a privileged file or a /usr/local command: the login collector's sha256 of the regular file (through root's
  links only; a file that login may not read has none, and no pin holds for it); a Python install in
  /usr/local's site dir that takes a packaged module's name: the sha256 of ``sha256sum``'s lines of its files
  (:func:`.collect_login.manifest`; several entries one ``dist-info`` records: :func:`.parse.py_shadowing`); a
  /usr/local command that is
  a link to a package's file: the sha256 of ``-> PATH``, the path it resolves to (the package's upgrades, which
  dpkg vouches for, keep the pin; a link made to point elsewhere does not);
- an allowance of what runs or listens (:data:`deploytests.allowances.RUNS`: ``allow_listen``'s ``"ADDR USER
  EXE [ARGS]"``, ``allow_processes``' ``"USER: PROGRAM [ARGS...]"``: the whole command line, :func:`command`):
  the program it names (:func:`programs`: the
  executable, and the script it gives an interpreter outside the app's tree, whose code the deploy's own rules
  judge), each file hashed by the login collector (``programs``: every file a process's command line names, as
  its real path); one file: its sha256 (``sha256sum EXE``), several: the sha256 of ``sha256sum``'s lines of
  them in the entry's order (``sha256sum EXE SCRIPT | sha256sum``). It binds the content only while the process
  runs it: :func:`since` says when a file changed after the process started (what runs is what was there
  before); an executable replaced since (``exe`` ``... (deleted)``) is no longer the path the entry names.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Any

from ..allowances import HEX, PINNED, RUNS, Allowances, command_argv, split_pin


def _bytes(facts, path: str) -> bytes | None:
    """``path``'s bytes as the probe sent them (after links; the login collector's, of what root's files name,
    too: :func:`rootacts.view`); None when it sent none."""
    from .rootacts import view

    snap: Any = getattr(facts, "raw", None)
    if getattr(snap, "files", None):
        for seen in (snap, view(snap)):
            found = seen.data(path)
            found = found if found is not None else seen.data(seen.realpath(path))
            if found is not None:
                return found
        return None
    texts = {t.get("path"): t.get("text") for t in (facts.get("inventory") or {}).get("texts") or []
             if isinstance(t, dict)}
    text = texts.get(path)
    return None if text is None or text.startswith("-> ") else text.encode("utf-8", "surrogateescape")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pam(facts, name: str) -> str | None:
    """The pin of a PAM module in the logins' stacks (:data:`.logins.PAM_LOGINS`): the sha256 of a line per line
    of it there (``FILE TYPE CONTROL MODULE ARGS``, its place in the file aside) and one per file of its own
    configuration (:func:`.logins.pam_config_files`: ``SHA256  PATH``; ``-`` for a file of /etc that is not there
    or is as its package ships it, a directory's files each); None when one of them was not sent (outside /etc)."""
    from .logins import PAM_LOGINS, pam_config_files, pam_stack
    from .mechanisms import texts

    raw, snap = texts(facts) or {}, getattr(facts, "raw", None)
    etc = (getattr(snap, "raw", None) or {}).get("etc_files") if getattr(snap, "files", None) is not None else None
    lines, conf = [], []
    for service in PAM_LOGINS:
        for p in pam_stack(raw, service):
            if name in (p.module, p.module.rsplit("/", 1)[-1]):
                lines.append(f"{p.where.rsplit(':', 1)[0]} {p.type} {p.control} {p.module} {' '.join(p.args.split())}")
                conf += [c for c in pam_config_files(p.module, p.args) if c not in conf]
    for path in conf:
        if path.endswith("/"):  # (a directory the module reads every file of: each file the probe recorded)
            lines += [f"{h if len(h) == 64 else _sha(h.encode())}  {f}" for f, h in sorted((etc or {}).items())
                      if f.startswith(path)]
            continue
        data = _bytes(facts, path)
        found = _sha(data) if data is not None else (etc or {}).get(path)
        if found is None and (etc is None or not path.startswith("/etc/")):
            return None
        found = "-" if found is None else found if len(found) == 64 else _sha(found.encode())  # (identity, link)
        lines.append(f"{found}  {path}")
    return _sha("".join(ln + "\n" for ln in dict.fromkeys(lines)).encode()) if lines else None


def _unit(facts, name: str) -> str | None:
    from .mechanisms import texts, units

    raw = texts(facts)
    if raw is None:
        return None
    from .parse import dpkg_files
    from .starts import PACKAGED_UNITS, entry_name

    unit, lines = units(raw).get(name), []  # type: ignore[arg-type]  # (a Texts: its units parsed once)
    snap: Any = getattr(facts, "raw", None)
    shipped = dpkg_files(snap) if getattr(snap, "files", None) else {}
    dirs = tuple(d + "/" for d in PACKAGED_UNITS)  # (made once, not once per path)
    by_hand = [p for p in raw if p.startswith(dirs) and p not in shipped and
               entry_name(p)[2] == name]  # (an entry by hand among the packages' units: its bytes, or its link)
    for path in list(unit.files if unit else []) + sorted(by_hand):
        data = _bytes(facts, path)
        lines.append(f"{_sha(data if data is not None else raw.get(path, '').encode())}  {path}\n")
    return _sha("".join(lines).encode())


def programs(kind: str, name: str, exp=None) -> list[str]:
    """The files an allowance of what runs or listens (``name``: its entry without the pin) pins: an
    ``allow_listen`` entry's executable and an interpreter's script (code given on its command line, ``-c CODE``,
    is bound as the entry's text; none for an address alone: an Apache ``Listen``); an ``allow_processes`` entry's
    program (a bare name: from root's command dirs, as :func:`.rootacts._program` takes it; a python of the app's
    venvs: the stack's, whose link it is) and the script it gives it, when absolute and outside the app's tree
    (code there, and ``-m``/``-c``/a relative script's working directory, the live release, is the deploy's: its
    own rules judge it)."""
    from . import collect_login as C
    from .mechanisms import reaches
    from .rootacts import code_from_cwd, runs

    if kind == "listen":  # (after the executable: its arguments, text; the script they give it, a file)
        argv = command_argv(kind, name)
        argv = name.split()[2:] if argv is None else argv  # (unbalanced quotes: it names no process's command line)
        return argv[:1] + [s for s in runs(argv)[:1] if s.startswith("/")]
    words = command_argv(kind, name)
    words = name.partition(":")[2].split() if words is None else words
    if not words:
        return []
    root = exp.cfg.root if exp is not None else None
    first = words[0] if words[0].startswith("/") else " ".join(f"{d}/{words[0]}" for d in C.COMMANDS)
    if root and reaches(first, root) and "/venv/bin/python" in first:
        first = f"/usr/bin/python{exp.stack.python_version}"
    script = next((w for w in words[1:] if not w.startswith("-") and "=" not in w), "")
    return [first] + ([script] if script.startswith("/") and not code_from_cwd(words) and not (
        root and reaches(script, root)) else [])


def command(exp, p: dict) -> str:
    """What an ``allow_listen`` entry names of process ``p`` after its user: its whole command line, the kernel's
    executable and every argument (``program``: an allowance says exactly what runs), or for a process of the
    deploy login or the app user, whose command line is its owner's to write (:func:`claimed`), the executable
    and the script it gives an interpreter (``bare``): the rest is that login's claim, not evidence."""
    mine = exp is not None and p.get("user") in (exp.deploy_user, exp.cfg.app_user)
    return str((p.get("bare") if mine else p.get("program")) or p.get("program") or p.get("exe") or "")


def claimed(exp, kind: str, name: str, user: str | None) -> str | None:
    """Why an entry of what runs or listens cannot bind what a process of ``user`` runs, or None. The deploy
    login's and the app user's own processes are memory they write: the command line (no privilege:
    ``/proc/self/mem`` at ``arg_start``), so the script or code one names is its owner's claim; and the code
    itself (``ptrace(2)``, ``/proc/<pid>/mem`` of a process of the same user: no privilege either, Debian sets no
    Yama scope), so the kernel's ``exe`` says only what the process started as: a pinned ``sleep`` of the deploy
    login ran the login's code, its exe and command line unchanged. So no entry binds a process of the deploy
    login (it may change releases: whatever it runs outside a session is the finding). The app user's program
    alone still holds: what an app user's process may run is the app's rights, which the release's code has in
    the daemons already."""
    if exp is None or user not in (exp.deploy_user, exp.cfg.app_user):
        return None
    extra = (command_argv(kind, name) or name.split()[2:])[1:] if kind == "listen" else programs(kind, name, exp)[1:]
    if not extra and user != exp.deploy_user:
        return None
    what = f"the script or code it names ({' '.join(extra)[:80]}) is" if extra else "the program it started as is"
    return (f"{user} owns the process, and its memory is {user}'s to write (its command line; its code through "
            f"ptrace or /proc/<pid>/mem, no privilege needed): {what} that login's claim, not what runs, so no pin "
            f"binds it (run it as an account of its own)")


def _ran(facts, path: str) -> tuple[str, list] | None:
    """``(path, [sha256, ctime, ino])``: the login collector's hash of the file at ``path`` (through the links it
    recorded; a bare command, ``path`` its candidates: the first of root's command dirs holding it), or None."""
    snap: Any = getattr(facts, "raw", None)
    sent = (facts.get("inventory") or {}).get("programs") or {}
    for one in path.split(" "):
        found = sent.get(one) or (sent.get(snap.realpath(one)) if getattr(snap, "files", None) is not None else None)
        if found:
            return one, found
    return None


def since(facts, kind: str, name: str, started: float | None, exp=None) -> str | None:
    """When a file an allowance of what runs pins changed after the process started at ``started`` (it runs what
    was there before, not what the pin was taken of): ``"PATH changed at T, after it started (T0)"``; else None."""
    from .promises import _utc

    for found in filter(None, (_ran(facts, path) for path in programs(kind, name, exp))):
        if started and found[1][1] > started + 1:
            return f"{found[0]} changed at {_utc(found[1][1])}, after it started ({_utc(started)})"
    return None


def _etc_owners(snap) -> dict[str, tuple[frozenset, frozenset]]:
    """``{path under /etc: (the packages whose list names it, their source packages)}`` (dpkg's lists and status;
    once for every host with the same lists)."""
    from .parse import list_texts, shared

    def make() -> dict[str, tuple[frozenset, frozenset]]:
        source: dict[str, str] = {}
        for para in (snap.text("/var/lib/dpkg/status") or "").split("\n\n"):
            fields = dict(ln.split(": ", 1) for ln in para.splitlines() if ": " in ln and not ln.startswith(" "))
            if fields.get("Package"):
                source[fields["Package"]] = (fields.get("Source") or fields["Package"]).split()[0]
        pkgs: dict[str, set] = {}
        for name, text in list_texts(snap):
            for path in (text or "").splitlines():
                if path.startswith("/etc/"):
                    pkgs.setdefault(path, set()).add(name[:-len(".list")].split(":")[0])
        return {p: (frozenset(n), frozenset(source.get(x, x) for x in n)) for p, n in pkgs.items()}

    return shared("etc_owners", list_texts(snap) + (("status", snap.text("/var/lib/dpkg/status")),), make)


# a drop-in directory of /etc's first level (``/etc/apparmor.d``, ``/etc/logrotate.d``, ``/etc/cron.d``) and what
# lies below it: where packages put files for another program (apparmor, logrotate, cron), which judges them (each
# has its own rule); no program's own configuration, however many installed packages list it now
REGISTRY = re.compile(r"/etc/[^/]+\.d(/|$)")


def configs(facts, kind: str, name: str, exp=None) -> list[tuple[str, str, str]]:
    """``(path, what it is, why it counts)`` of each file of the configuration of the program an allowance of what
    runs or listens names that is not as its package ships it: what that program does is its configuration's to
    say (an agent's ``EnableRemoteCommands=1``, nrpe's ``dont_blame_nrpe=1``), so the pin covers it. Its
    configuration: of the package of each file the entry pins (:func:`programs`: the executable, an
    interpreter's script), every conffile and every file ucf keeps for it, and every file or link under a
    directory of /etc its dpkg list names that no other source package's names (its own ``conf.d``: a file an
    admin adds there counts; /etc/default and /etc/logrotate.d, which many packages share, do not), never one at or
    below a drop-in directory of /etc's first level (:data:`REGISTRY`: whether it is shared would change with
    each package installed later, and the pin with it, an allowance no longer holding for nothing); and every
    file the entry's command line names (``-c /etc/x.cfg``, ``--config.file=/srv/x.yml``). As shipped (dpkg's or
    ucf's md5) it is the package's, which its program's pin already binds; else what the gate's login found
    (``etc_files``: a file's sha256, ``identity:`` for one it may not read, ``-> target`` for a link; a
    file outside /etc, its hash of it). Not covered: what a configuration includes from elsewhere
    (``include=/srv/x.cfg``), a directory that a maintainer script makes but no list names, a directory on the
    command line (a textfile collector's: data)."""
    from .parse import dpkg_files, shipped_files

    snap: Any = getattr(facts, "raw", None)
    etc = (getattr(snap, "raw", None) or {}).get("etc_files") if getattr(snap, "files", None) is not None else None
    if etc is None:
        return []  # (an older probe: no record of /etc)
    owners, shipped, files = _etc_owners(snap), shipped_files(snap), dpkg_files(snap)
    pkgs = {files.get(c) or files.get(snap.realpath(c)) for p in programs(kind, name, exp) for c in p.split(" ")}
    pkgs.discard(None)
    mine = {path for path, (names, srcs) in owners.items() if pkgs & names and len(srcs) == 1 and path not in etc
            and path not in shipped and not REGISTRY.match(path)}  # (its directories, no other source package's: no
    # file record; never a drop-in dir of /etc's first level: apparmor.d, logrotate.d, cron.d are their readers')
    want = {p: f"{pkg}'s {'conffile' if p in shipped else 'file'}" for p, (pkg, _) in shipped.items() if pkg in pkgs}
    want.update((p, "no package's") for p in etc if any(p.startswith(d + "/") for d in mine) and p not in want)
    words = name.split()[3:] if kind == "listen" else name.partition(":")[2].split()[1:]
    named = [w.split("=", 1)[1] if "=/" in w else w for w in words]
    want.update((p, "named on its command line") for p in named if p.startswith("/") and p not in want and (
        p in etc or _ran(facts, p)))
    found = []
    for path, whose in sorted(want.items()):
        if path in etc:
            found.append((path, etc[path], whose + (", changed" if path in shipped else "")))
        elif not path.startswith("/etc/") and (ran := _ran(facts, path)) and not _packaged(snap, path):
            found.append((path, ran[1][0] if len(ran[1]) < 4 else "identity:" + ran[1][0], whose))
    return found


def _packaged(snap, path: str) -> bool:
    from .rootacts import packaged

    return packaged(snap, path) is not None


def digest(facts, kind: str, name: str, exp=None) -> str | None:
    """The content hash an allowance of ``kind`` naming ``name`` pins, as found on this host; None when the
    probe sent no bytes of it (then no pin holds)."""
    inv = facts.get("inventory") or {}
    if kind in RUNS:
        found = [_ran(facts, f) for f in programs(kind, name, exp)]
        hashes = [f"{h[0]}  {path}\n" for path, h in filter(None, found)]
        if not found or len(hashes) < len(found):
            return None
        conf = [f"{what if len(what) == 64 else _sha(what.encode())}  {path}\n"
                for path, what, _ in configs(facts, kind, name, exp)]  # (its configuration not as shipped)
        return hashes[0][:64] if len(hashes) == 1 and not conf else _sha("".join(hashes + conf).encode())
    if kind == "units":
        return _unit(facts, name)
    if kind == "mapped":  # (root's lstat of what the daemons map: its identity, which a rewrite or swap changes)
        st = ((getattr(getattr(facts, "raw", None), "raw", None) or {}).get("mapped") or {}).get(name)
        return _sha(f"{name} {' '.join(str(x) for x in st[:7])}".encode()) if isinstance(st, list) and len(
            st) >= 6 else None
    if kind == "pam":
        return _pam(facts, name)
    sent = (getattr(getattr(facts, "raw", None), "raw", None) or {}).get("digests") or {}  # the login collector's
    if kind in ("cron", "apache_conf"):
        info = ((inv.get("apache") or {}).get("files") or {}).get(name) if kind == "apache_conf" else None
        link = ((getattr(getattr(facts, "raw", None), "files", None) or {}).get(name) or {}).get("link")
        data = _bytes(facts, name) if link is None else f"-> {link}".encode()  # (a link by hand: what it points to)
        named = next((e["sha256"] for e in inv.get("mentions") or [] if e.get("file") == name and e.get("sha256")),
                     sent.get(name))  # (a file of /etc the login sent lines of: its hash)
        return info["sha256"] if info and info.get("sha256") else _sha(data) if data is not None else named
    path = name.split(" ")[0]
    snap: Any = getattr(facts, "raw", None)
    if kind == "commands" and getattr(snap, "files", None) and "link" in (snap.files.get(path) or {}):
        from .parse import dpkg_files

        real = snap.realpath(path)  # a link to a package's file: the path it resolves to (upgrades keep it)
        if real in dpkg_files(snap):
            return _sha(f"-> {real}".encode())
    entries = inv.get("privileged") or [] if kind == "privileged" else (inv.get("shadowing") or []) + (
        inv.get("py_shadowing") or [])  # (a Python install in /usr/local: its files' manifest, parse.py_shadowing)
    data = _bytes(facts, path)  # (a root's script in /usr/local, read for what it runs: the same bytes)
    walked = _walked(snap, path) if kind == "privileged" else None
    return next((e["sha256"] for e in entries if e.get("path") == path and e.get("sha256")),
                sent.get(path) or (_sha(data) if data is not None else walked))


def _walked(snap, path: str) -> str | None:
    """A file of /etc as the login's walk knows it (``etc_files``: a file not as shipped, its sha256; one it may not
    read, its identity, :func:`.collect_login.identity`: a service's secret its postinst makes ``0600 mail:mail``,
    nullmailer's ``remotes``; one left out as its package ships it, a hash of that package's md5 of it), or None."""
    from .parse import shipped_files

    etc = (getattr(snap, "raw", None) or {}).get("etc_files")
    if etc is None or not path.startswith("/etc/"):
        return None
    if path in etc:
        found = str(etc[path]).removeprefix("identity:")
        return found if HEX.fullmatch(found) else None
    shipped = shipped_files(snap).get(path)
    return _sha(f"{shipped[1]}  {path} as shipped\n".encode()) if shipped else None


def free(kind: str, name: str) -> bool:
    """Whether an entry takes no pin: a unit's ``user@NAME`` (an account's systemd manager: no file), an
    ``allow_listen`` address alone (an Apache ``Listen``, or holders root could not see: no program to pin), an
    ``allow_privileged`` directory (``PATH/ MODE owner:group``: a service's own, which its account fills)."""
    return kind == "units" and name.startswith("user@") or kind == "listen" and len(name.split()) < 3 or \
        kind == "privileged" and name.split(" ")[0].endswith("/")


def effective(facts, allow: Allowances, exp=None) -> Allowances:
    """``allow`` as this host's rules see it: each pinned entry by its bare name when its thing's content hashes
    to the pin, else left out (recorded in ``unheld``: the hint says so); :func:`free` entries take no pin."""
    kept: dict[str, Any] = {}
    unheld: dict[tuple[str, str], str] = {}
    for kind in PINNED + RUNS:
        names = []
        for entry in getattr(allow, kind):
            name, pin = split_pin(entry)
            if free(kind, name) or pin is not None and pin == digest(facts, kind, name, exp):
                names.append(name)
            else:
                unheld[(kind, name)] = pin or ""
        kept[kind] = tuple(names)
    return dataclasses.replace(allow, **kept, unheld=unheld, digest=lambda kind, name: digest(facts, kind, name, exp),
                               identity=lambda kind, name: identity(facts, kind, name, exp),
                               configs=lambda kind, name: configs(facts, kind, name, exp),
                               changed=lambda kind, name, started: since(facts, kind, name, started, exp))


def _written(allow: Allowances, kind: str, value: str) -> tuple[str, str] | None:
    """The entry written for ``value`` that does not hold, ``(name, pin)``: the same name; for what runs or
    listens, one for the same address (``allow_listen``) or the same user and command (``allow_processes``)
    written in another form (no program, another program, an interpreter without its script)."""
    if (kind, value) in allow.unheld:
        return value, allow.unheld[(kind, value)]
    if kind not in RUNS:
        return None
    same = (lambda n: n.split()[:1] == value.split()[:1]) if kind == "listen" else (
        lambda n: n.partition(":")[0].strip() == value.partition(":")[0].strip() and
        value.partition(":")[2].split()[:1] == n.partition(":")[2].split()[:1])
    return next(((n, pin) for (k, n), pin in allow.unheld.items() if k == kind and same(n)), None)


def hint(exp, key: str, value: str) -> str:
    """What to write to allow ``value`` (one line, after "if it is meant to be there, "): the pinned form with
    the hash found now, and, when targets.toml has a stale pin or none for it, which line and what to do."""
    allow, kind = exp.allow, key[len("allow_"):]
    if kind not in PINNED + RUNS or allow.digest is None or free(kind, value):
        return f"allow it: {key} = [{json.dumps(value)}] in {allow.where}"
    found = allow.digest(kind, value)
    where = allow.lines.get(key) or allow.where
    user = value.split()[1] if kind == "listen" else value.partition(":")[0].strip()
    if kind in RUNS and claimed(exp, kind, value, user):
        words = value.split(None, 2)
        other = " ".join(words[:1] + ["ACCOUNT"] + words[2:]) if kind == "listen" else "ACCOUNT:" + value.partition(
            ":")[2]
        return (f"run it as an account of its own ({user} writes its own processes' memory, command line and code: "
                f"what one names or started as is {user}'s claim, not what runs, and no pin binds it), then allow it "
                f"pinned: "
                f"{key} = [{json.dumps(other + ' sha256:<its sha256>')}] in {where}")
    if found is None and kind in RUNS:
        files = ", ".join(p.split(" ")[0] for p in programs(kind, value, exp))
        return (f"make its program readable to the gate's login ({files}: it hashes each file a process's command "
                f"line names), then allow it pinned: "
                f"{key} = [{json.dumps(value + ' sha256:<its sha256>')}] in {where}")
    ident = allow.identity(kind, value) if allow.identity else ""
    if kind == "mapped":
        ident = (f"review it as root first (sha256sum {value}: the pin is of its identity as root's collector sees "
                 f"it, its inode, size, mtime, ctime, mode and owner, which a rewrite (its mtime set back too), a "
                 f"replacement or a chmod changes, "
                 f"not of its bytes), then ")
    elif ident:
        ident = (f"review it as root first (the gate's login may not read {ident}: the pin is of its identity, its "
                 f"inode, ctime, size, mode and owner, which any change to it changes, not of its bytes), then ")
    if found is None:
        return (f"make its content readable to the gate (root's, not writable by others; the gate's login may "
                f"read it), then allow it pinned: {key} = [{json.dumps(value + ' sha256:<its sha256>')}] in {where}")
    written = _written(allow, kind, value)
    other = "" if written is None else json.dumps(written[0] + (f" sha256:{written[1][:12]}…" if written[1] else ""),
                                                  ensure_ascii=False)
    why = "" if written is None else (
        f"review it ({where} pins it to sha256:{written[1][:12]}…, but it has changed since), then " if written[1]
        and written[0] == value else
        f"review it ({where} allows it with no pin of its content), then " if written[0] == value else
        f"review it ({where}'s {other} names another program than the one running now (its executable, script "
        f"or code){'' if written[1] else ', and no pin'}: an entry names the program it allows, by content), then ")
    conf = allow.configs(kind, value) if kind in RUNS and allow.configs is not None else []
    conf_why = "" if not conf else (
        "review its configuration with it (what it does is its configuration's to say; the pin covers each file "
        "of it not as its package ships it: " + ", ".join(f"{path} ({whose})" for path, _, whose in conf[:6]) + (
            f" and {len(conf) - 6} more" if len(conf) > 6 else "") + "), then ")
    return f"{why or ident}{conf_why}allow it: {key} = [{json.dumps(f'{value} sha256:{found}')}] in {where}"


def hint_all(exp, key: str, values: list[str]) -> str | None:
    """One hint allowing every one of ``values`` (the sockets of one process: rpcbind's TCP and UDP ``*:111``), in
    :func:`hint`'s form with their entries in one list, when each needs only its entry written (no stale pin, no
    configuration or review to name); else None (each keeps its own line)."""
    heads, entries = set(), []
    for value in values:
        found = hint(exp, key, value)
        head, sep, tail = found.partition(f"allow it: {key} = [")
        entry, sep2, where = tail.rpartition("] in ")
        if head or not sep or not sep2:
            return None
        heads.add(where)
        entries.append(entry)
    return f"allow it: {key} = [{', '.join(entries)}] in {heads.pop()}" if len(heads) == 1 else None


def identity(facts, kind: str, value: str, exp=None) -> str:
    """The files an entry's pin covers by their identity, not their bytes (the gate's login may not read them:
    :func:`.collect_login.identity`, :func:`.parse.identity`), comma-separated; "" when none."""
    if kind in RUNS:
        found = [_ran(facts, path) for path in programs(kind, value, exp)]
        return ", ".join(f[0] for f in found if f and len(f[1]) > 3)
    entries = (facts.get("inventory") or {}).get("privileged") or [] if kind == "privileged" else []
    path = value.split(" ")[0]
    etc = (getattr(getattr(facts, "raw", None), "raw", None) or {}).get("etc_files") or {}
    return next((e["path"] for e in entries if e.get("path") == path and e.get("identity")), "") or (
        path if kind == "privileged" and str(etc.get(path, "")).startswith("identity:") else "")
