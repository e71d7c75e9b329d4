"""Root's UNIX sockets that less trusted users may connect to: a way to run code as root that needs no network.

A root process that takes connections on a UNIX socket (a tmux or screen server, ``socat UNIX-LISTEN:... EXEC:sh``,
an agent's control socket) runs, as root, what a client asks of it. Who may connect is the kernel's rule: for a
socket with a path, write permission on the socket file and search permission on every directory on the way
(links resolved: the directories where they lead count); an abstract name (``@name``) has no file and no
permission: any process of the host connects. Datagram sockets bound to a name take messages the same way.

The facts are the probe's own: ``/proc/net/unix`` (every socket of the host's network namespace, read by the gate's
login), each process's socket inodes (root's collector: ``/proc/<pid>/fd``), and the ``lstat`` and access ACL of
each socket path and the directories above it (the login collector's ``unix_sockets``). Everything here is a plain
function of that snapshot, run on the runner.

A process of a login that becomes root (:func:`root_capable`: the gate's own login when it did, a member of the
sudo, wheel or admin group) is judged as root's: an admin's shell shared on a socket (``socat ... EXEC:bash``)
takes a client's ``sudo``.

A socket is accounted for when no less trusted party may connect to it (the deploy login, the app user, Apache's
user, any other local user), when no root process holds it, when its root holders are Apache's own parent (its
sockets, mod_wsgi's and mod_cgid's, come from Apache's configuration, which the Apache rules judge), when every
root holder's program and the socket's name are the stack's baseline (measured on stock Debian 12 and 13 servers
with systemd: ``stacks.base.Stack.baseline_root_unix``), or when ``allow_listen`` names it
(``"unix:NAME USER PROGRAM"``, as the failure line prints it).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import stat
import struct

from ..words import count

LISTENING = 0x10000  # __SO_ACCEPTCON in /proc/net/unix's Flags: a stream or seqpacket socket that listen()ed
TYPES = {"0001": "stream", "0002": "datagram", "0005": "seqpacket"}
AUTOBIND = re.compile(r"@[0-9a-f]{5}")  # a name the kernel chose for a client that sent without binding one
# POSIX ACL entry tags (linux/posix_acl_xattr.h)
USER_OBJ, USER, GROUP_OBJ, GROUP, MASK, OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ANYONE = "any local user"


def unix_listeners(snap, procs) -> list[dict]:
    """Every UNIX socket that takes connections or datagrams by name (``/proc/net/unix``: a listening stream or
    seqpacket socket, or a datagram socket bound to a path or an abstract name; not the kernel's autobind names),
    ``{name, type, procs, hidden}``: its holders as :meth:`Procs.shown` shows them with ``program`` (what an
    ``allow_listen`` entry binds: :meth:`Procs.package`); ``hidden``: no holder seen and some process's file
    descriptors could not be read."""
    from .parse import dpkg_files, lasted

    owners, found, files = procs.sockets(), [], None
    hidden = sorted(p["pid"] for p in procs.table.values() if not p["fds_seen"] and p["state"] not in "ZX")
    for ino, kind, name, listening in _rows(snap):
        if not (listening or kind == "0002") or AUTOBIND.fullmatch(name):
            continue
        holders = [procs.shown(pid) for pid in owners.get(ino, []) if pid in procs.table]
        if not holders and not lasted(snap, "/proc/net/unix", ino):
            continue  # (came or went during root's walk: its holder is not known from this run)
        if holders and files is None:
            files = dpkg_files(snap)
        for p in holders:
            p["program"], p["bare"] = procs.package(p["pid"], files or {})[2:]
        found.append({"name": name, "type": TYPES.get(kind, kind), "procs": holders,
                      "hidden": [] if holders else hidden})
    return found


def _rows(snap) -> list[tuple[int, str, str, int]]:
    """``(inode, type, name, listening)`` of each named UNIX socket: from the kernel's ``sock_diag`` answer (the
    login collector's ``unix_diag``: one entry per inode, the name length-delimited) when the probe got it, else
    from ``/proc/net/unix``'s rows, where a newline in a name another user bound starts a row of its own."""
    diag = snap.raw.get("unix_diag")
    if isinstance(diag, dict):
        return [(int(ino), "%04x" % t, n, int(st == 10)) for ino, (t, st, n) in diag.items() if ino.isdigit() and n]
    rows = []
    for row in (snap.text("/proc/net/unix") or "").splitlines()[1:]:
        f = row.split(None, 7)
        if len(f) == 8 and f[6].isdigit() and re.fullmatch(r"[0-9A-Fa-f]+", f[3]):
            rows.append((int(f[6]), f[4], f[7], int(f[3], 16) & LISTENING))
    return rows


def acl(raw: str | None) -> list[tuple[int, int, int]]:
    """The entries ``(tag, perm, id)`` of a ``system.posix_acl_access`` xattr's bytes (version 2, 8 bytes each)."""
    data = (raw or "").encode("latin-1")
    return [struct.unpack_from("<HHI", data, i) for i in range(4, len(data) - 7, 8)] if data[:4] == b"\2\0\0\0" \
        else []


def permits(entry: dict, uid: int, gids: set, bit: int) -> bool:
    """Whether the kernel's permission check gives ``uid`` (in groups ``gids``) ``bit`` (2 write, 1 search) on a
    file with this snapshot entry (its mode, owner, group and access ACL): owner, named user, group class (the
    owning group or a named group, masked), other."""
    mode, owner, group = entry["st"][0], entry["st"][1], entry["st"][2]
    entries = acl(entry.get("acl"))
    if uid == owner:
        return bool(mode >> 6 & bit)
    mask = next((p for t, p, _ in entries if t == MASK), 7)
    named = [p for t, p, i in entries if t == USER and i == uid]
    if named:
        return bool(named[0] & mask & bit)
    groups = [p for t, p, i in entries if t == GROUP and i in gids]
    if group in gids or groups:
        own = [mode >> 3 & 7] if group in gids and not entries else \
            [p for t, p, _ in entries if t == GROUP_OBJ] if group in gids else []
        return any(p & (mask if entries else 7) & bit for p in own + groups)
    return bool(mode & bit)


def may_connect(snap, path: str, uid: int, gids: set) -> bool | None:
    """Whether ``uid`` may connect to the socket at ``path``: search on every directory on the way (the path as
    named, up to a link, and where it leads) and write on the socket; None when the snapshot does not show it."""
    found = may_open(snap, path, uid, gids, 2)
    return found and stat.S_ISSOCK(snap.files[snap.realpath(path)]["st"][0])


def may_open(snap, path: str, uid: int, gids: set, bit: int) -> bool | None:
    """Whether ``uid`` (in ``gids``) may open ``path`` for ``bit`` (4 read, 2 write): search on every directory on
    the way (the path as named, up to a link, and where it leads) and ``bit`` on the file; None when the snapshot
    does not show it."""
    real = snap.realpath(path)
    dirs = {posixpath.dirname(real)}
    for p in (path, real):
        while p != "/":
            p = posixpath.dirname(p)
            dirs.add(p)
    dirs = {d for d in dirs if "link" not in (snap.files.get(d) or {})}
    for d in sorted(dirs, key=len):
        entry = snap.files.get(d) or {}
        if not entry.get("st"):
            return None
        if not permits(entry, uid, gids, 1):
            return False
    entry = snap.files.get(real) or {}
    if not entry.get("st"):
        return None
    return permits(entry, uid, gids, bit)


def reachers(snap, name: str, parties: dict[str, tuple[int, set]]) -> list[str]:
    """Which of ``parties`` (label -> uid, gids) may connect to the socket ``name``: all of them for an abstract
    name (``@...``); a party the snapshot cannot decide for (a path not looked at, a relative one) counts (deny by
    default)."""
    if not name.startswith("/"):  # abstract, or a relative path (bound from the process's directory): not known
        return list(parties)
    return [who for who, (uid, gids) in parties.items() if may_connect(snap, name, uid, gids) is not False]


def parties(snap, users: dict[str, str]) -> dict[str, tuple[int, set]]:
    """label -> (uid, gids) of the less trusted: each of ``users`` (role -> name) that exists, and any other
    local user (uid -1, no group: the ``other`` bits)."""
    out = {}
    for role, name in users.items():
        f = snap.users.facts(name) if name else None
        if f:
            out[f"{name} ({role})"] = (f["uid"], {g for n, g, _ in snap.users.every if n in f["groups"]})
    out[ANYONE] = (-1, set())
    return out


SUDO_GROUPS = ("sudo", "wheel", "admin")  # Debian's %sudo rule, su's and sudo's wheel, Ubuntu's old %admin


def root_capable(facts, snap) -> dict[int, str]:
    """uid -> who, of everyone whose process acts as root for a client that drives it: root; the gate's own login
    when it became root (passwordless sudo: the probe's run shows it); a user sudoers lets run a command as root
    (:func:`sudo_grantees`: named, through a ``User_Alias``, ``#uid`` or a ``%group``), or a member of the sudo,
    wheel or admin group (sudoers not read): its shell, a client types ``sudo`` into, with its password or a
    cached one."""
    found = {0: "root"}
    login = facts.get("login")
    mine = snap.users.facts(login) if login and facts.get("as_root") else None
    if mine:
        found.setdefault(mine["uid"], f"{login}, the gate's login, who becomes root (sudo)")
    users, groups = sudo_grantees(snap)
    for name, f in snap.users.by_name.items():
        member = set((snap.users.facts(name) or {}).get("groups") or [])
        via = users.get(name) or users.get("#" + f[2]) or next(
            (f"its group {g}: {groups[g]}" for g in sorted(member) if g in groups), None) or next(
            (f"its group {g}" for g in sorted(member & set(SUDO_GROUPS))), None)
        if via and f[2].isdigit():
            found.setdefault(int(f[2]), f"{name}, who becomes root (sudo: {via})")
    return found


def sudo_grantees(snap) -> tuple[dict[str, str], dict[str, str]]:
    """``({user or #uid: where}, {group: where})`` of whom sudoers lets run a command as root (a rule whose run-as
    list, or sudo's default, is root or ALL: ``promises.sudo_root_specs``), each ``User_Alias`` expanded (nested
    too); ``where``: the rule's file:line. ``ALL`` (every user) and negated names are not taken: such a rule is
    the sudoers rule's own finding."""
    from .parse import sudoers_lines
    from .promises import sudo_root_specs

    rules = sudoers_lines(snap) if getattr(snap, "files", None) else []
    aliases = {}
    for r in rules:
        if r["text"].startswith("User_Alias"):
            for part in r["text"][len("User_Alias"):].split(":"):
                alias, _, members = part.partition("=")
                aliases[alias.strip()] = [m.strip() for m in members.split(",") if m.strip()]
    users: dict[str, str] = {}
    groups: dict[str, str] = {}
    for r in rules:
        if "=" not in r["text"] or r["text"].startswith(("Defaults", "User_Alias", "Runas_Alias", "Host_Alias",
                                                         "Cmnd_Alias")) or not sudo_root_specs(r["text"], False):
            continue
        todo, seen = [w.strip() for w in r["text"].split("=", 1)[0].rsplit(None, 1)[0].split(",")], set()
        while todo:
            who = todo.pop()
            if who in seen or who.startswith("!") or who == "ALL":
                continue
            seen.add(who)
            todo += aliases.get(who, [])
            kind = groups if who.startswith("%") else users
            kind.setdefault(who.lstrip("%"), f"{r['file']}:{r['line']}") if who not in aliases else None
    return users, groups


def _widened(snap, name: str) -> list[str]:
    """Who else an Apache socket's own bits let write to it (mod_wsgi makes its daemon socket 0700, its group
    root's): a group other than root's with write on it (whoever is in it: a login without sudo too) and each
    named entry of its ACL with write, as the failure line names them; [] for an abstract or unseen name."""
    entry = snap.files.get(snap.realpath(name)) if name.startswith("/") else None
    if not entry or not entry.get("st"):
        return []
    mode, gid = entry["st"][0], entry["st"][2]
    users = getattr(snap, "users", None)
    named = [f"{'user' if t == USER else 'group'} {i} (an ACL entry)" for t, p, i in acl(entry.get("acl"))
             if t in (USER, GROUP) and p & 2]
    group = users.group(gid) if users is not None and hasattr(users, "group") else gid
    return ([f"group {group}'s members"] if mode & 0o020 and gid != 0 else []) + named


def how(snap, name: str) -> str:
    """How the socket ``name`` is reached, as the failure line shows it: its file's mode and owner, or abstract."""
    if name.startswith("@"):
        return "an abstract name: no file, no permission"
    if not name.startswith("/"):
        return "a path relative to where its process bound it: not looked at"
    real = snap.realpath(name)
    f = snap.lstat_facts(real)
    where = f" (by the link {name} -> {real})" if real != name else ""
    return f"{f.get('mode', '?')} {f.get('owner', '?')}:{f.get('group', '?')}" + where if "mode" in f else \
        f"not looked at: {f['kind']}"


def unix_lines(facts, exp, found: list[dict], apache_bin: str) -> list[str]:
    """One line per UNIX socket a root process holds that a less trusted party may connect to and nothing
    accounts for (see the module doc); ``found``: :func:`unix_listeners`."""
    from .pins import command
    from .promises import _allow_hint, _holders, _listen_allowed

    snap = getattr(facts, "raw", None)
    if snap is None:
        return []
    who = parties(snap, {"the deploy login": exp.deploy_user, "the app user": exp.cfg.app_user,
                         "Apache's user": (facts.get("inventory") or {}).get("apache_user") or
                         exp.stack.apache.run_user})
    baseline = {tuple(e.split(" ", 1)) for e in exp.stack.baseline_root_unix}
    own = [w for w in who if w.endswith(("(Apache's user)", "(the app user)"))]
    capable = root_capable(facts, snap)
    lines = []
    for sock in found:
        root = [p for p in sock["procs"] if p.get("uid") in capable]
        if not root and not sock["hidden"]:
            continue  # no process that acts as root holds it: another user's door is that user's
        if root and all(p.get("exe") == apache_bin for p in root):
            # Apache's own (mod_wsgi's daemons, mod_cgid): made by its configuration, judged there; who may connect
            # is the socket's mode, which a chmod changes whatever the configuration says: its workers only
            # (mod_wsgi makes it 0700 for Apache's user), the app user being the daemons themselves
            others = [w for w in reachers(snap, sock["name"], who) if w not in own] + _widened(snap, sock["name"])
            if others:
                lines.append(f"UNIX {sock['type']} socket {sock['name']} ({how(snap, sock['name'])}) is Apache's own "
                             f"(a mod_wsgi daemon's or mod_cgid's: Apache's workers hand it requests), but "
                             f"{', '.join(others)} may connect too: they send the app's daemons a request with an "
                             f"environ of their own (REMOTE_USER, REMOTE_ADDR, HTTPS, any header), past every access "
                             f"rule and authentication of Apache's. Whatever is allowed: give it back to Apache's "
                             f"user alone (mod_wsgi makes it 0700; a restart of Apache makes it anew)")
            continue
        if root and all(any(p.get("exe") == exe and fnmatch.fnmatchcase(sock["name"], name) for exe, name in baseline)
                        for p in root):
            continue
        mine = {p.get("uid") for p in root}
        reach = [w for w in reachers(snap, sock["name"], who) if who[w][0] not in mine]  # (a holder's own door)
        if not reach:
            continue
        key = f"unix:{sock['name']}"
        allowed = _listen_allowed(exp, {key}, sock["procs"], apache_bin)
        if allowed is True:
            continue
        first = min(root, key=lambda p: p["pid"]) if root else None
        bind = f"{key} {first['user']} {command(exp, first)}" if first and first.get("exe") else key
        held = _holders(sock) if sock["procs"] else (
            f"a process root could not see (the file descriptors of "
            f"{count(len(sock['hidden']), 'process[|es] [was|were]')} not readable: no CAP_SYS_PTRACE?)")
        lines.append(f"UNIX {sock['type']} socket {sock['name']} ({how(snap, sock['name'])}) takes connections for "
                     f"{held}: {', '.join(reach)} may connect, and what it accepts runs as "
                     f"{' and '.join(sorted({capable[u] for u in mine})) or 'root'} (a "
                     f"root tmux or screen session, a shell behind socat: a client's commands). "
                     + (allowed or "") + _allow_hint(exp, "allow_listen", bind))
    return lines
