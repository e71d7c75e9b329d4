"""The runner's half of the fact probe: every parser of what the server sent, run here, never on the server.

The server runs three small programs (:mod:`deploytests.verify.facts` starts them in one SSH round trip): the
login collector (:mod:`deploytests.verify.collect_login`), which returns raw bytes of the files any login may read,
as the gate's login; the root collector (:mod:`deploytests.verify.collect_root`), which returns raw bytes of what
only root may read (sudoers, crontabs, other users' ``/proc``, ``apache2ctl``'s runs); the two replies are one
snapshot here (:func:`deploytests.verify.facts.read_root`); and the tree reader (:mod:`deploytests.verify.reader`),
which reads the app's tree as the deploy user. This module turns their replies into the facts dict the checks
(:mod:`deploytests.verify.promises`) read -- the same keys
as ever: ``tree``, ``stat``, ``packages``, ``apache``, ``daemons``, ``ports``, ``users``, ``boot``, ``pythons``,
``sites_enabled``, ``vhost``, ``lock_held``, ``sudoers``, ``error_log_size``, ``configtest``, ``inventory``,
``http``, ``errors``, ``as_root``, ``login``, ``python``. Apache's dumps, dpkg's database, sudoers, crontabs,
ELF headers, ``/proc``: each is parsed here as data, from bounded bytes (the collector's bounds; the reply's).

The raw facts stay available under ``facts["raw"]`` (a :class:`Snapshot` of the collector's reply: ``files``,
``dirs``, ``proc``), so a check over files the collector returns (the systemd units under
``/etc/systemd/system``, ``/etc/cron.d``) needs no change on the server: read them with
``Snapshot.text(path)`` / ``Snapshot.listdir(path)``.
"""

from __future__ import annotations

import bisect
import calendar
import errno
import functools
import hashlib
import ipaddress
import itertools
import os
import posixpath
import re
import shlex
import stat
import struct
import threading
import time

from ..stacks.base import is_daemon_of
from . import collect_login as C
from . import collect_root as R

DPKG_INFO = C.LISTED[-1][0]  # dpkg's info/*.list: which package installed each file
PYTHON_HOME = C.STATE + "/python"  # the daemons' python-home bootstrap makes (root's, every app's)
KINDS = {stat.S_IFDIR: "directory", stat.S_IFREG: "regular file", stat.S_IFLNK: "symbolic link"}
MERGED = ("/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/")  # merged-/usr aliases of /usr's dirs
LOADER_ENV = ("PYTHON", "LD_")  # env var prefixes that change what a Python process loads
SEC_DIRECTIVES = ("servertokens", "serversignature", "traceenable", "listen")


class Snapshot:
    """The collector's reply as a read-only file system: ``lstat``/``readlink``/bytes of what it looked at."""

    def __init__(self, raw: dict):
        self.raw, self.files, self.dirs = raw, raw.get("files") or {}, raw.get("dirs") or {}
        self.links: dict[str, str] = raw.get("app_links") or {}  # (:func:`app_links`: for realpath alone)
        self.dpkg: dict[str, str] | None = None  # dpkg_files(self), once parsed
        self.dpkg_lists: dict[str, list[str]] | None = None  # dpkg_lists(self), once made
        self.shipped: dict | None = None  # shipped_files(self), once made
        self.texts: object = None  # mechanisms.texts(): root's text files, each made safe when first read
        self.users = Users(self.text("/etc/passwd") or "", self.text("/etc/group") or "", raw.get("gshadow") or [])

    def st(self, path: str) -> list | None:
        return (self.files.get(path) or {}).get("st")

    def data(self, path: str) -> bytes | None:
        found = (self.files.get(path) or {}).get("data")
        return None if found is None else found.encode("latin-1")

    def text(self, path: str) -> str | None:
        data = self.data(path)
        return None if data is None else data.decode("utf-8", "replace")

    def listdir(self, path: str) -> list[str] | None:
        return self.dirs.get(path)

    def lexists(self, path: str) -> bool:
        return self.st(path) is not None

    def realpath(self, path: str) -> str:
        """``path`` with every link the collector recorded resolved (as far as it looked)."""
        parts, done, hops = [p for p in path.split("/") if p], "", 0
        while parts and hops < 40:
            part = parts.pop(0)  # (a plain name below a normalized ``done`` needs no normpath: ~25,000 calls a gate)
            here = f"{done if done != '/' else ''}/{part}" if part not in (".", "..") else \
                posixpath.normpath(f"{done}/{part}")
            link = (self.files.get(here) or {}).get("link", self.links.get(here))
            if link is None:
                done = here
                continue
            hops += 1
            base = "" if link.startswith("/") else done
            parts = [p for p in posixpath.normpath(f"{base}/{link}").split("/") if p] + parts
            done = ""
        return posixpath.normpath("/" + "/".join([p for p in done.split("/") if p] + parts))

    def lstat_facts(self, path: str) -> dict:
        """``{kind, mode, owner, group, target}`` as the probe reported them (``kind: missing``)."""
        entry = self.files.get(path) or {}
        st = entry.get("st")
        if st is None:
            why = entry.get("why")
            return {"kind": "missing"} if why in (None, "No such file or directory") else \
                {"kind": f"not accessible ({why})"}
        facts = {"kind": KINDS.get(stat.S_IFMT(st[0]), "other"), "mode": "%04o" % (st[0] & 0o7777),
                 "owner": self.users.name(st[1]), "group": self.users.group(st[2])}
        if "link" in entry:
            facts["target"], facts["mtime"] = entry["link"], st[4]
        return facts

    def writable_by_others(self, path: str) -> str | None:
        """The first of ``path`` and its parent dirs (after links; the link's own dir too) that someone but root
        may write, as text; a path the collector did not look at counts as writable (not known) unless a
        directory above it that someone but root may write says more (what lies below it is theirs, looked at or
        not: the root collector never resolves names below it). A path the collector found absent is its
        directory's: whoever may write there may make it be there, any time after the gate."""
        real = self.realpath(path)
        if real != path:
            found = self.writable_by_others(posixpath.dirname(path))
            if found:
                return found
        probe, unseen = real, None
        while True:
            st = self.st(probe)
            if st is None and probe != "/":  # absent (its directory says who may create it), or not looked at
                gone = (self.files.get(probe) or {}).get("why") == os.strerror(errno.ENOENT)
                unseen, probe = unseen or (None if gone else probe), posixpath.dirname(probe)
                continue
            if st is None:
                return f"{unseen or probe} (not looked at)"
            sticky = stat.S_ISDIR(st[0]) and st[0] & stat.S_ISVTX
            if st[1] != 0 or (st[0] & 0o022 and not sticky):  # (what lies below, looked at or not, is theirs)
                return "%s %04o %s:%s" % (probe, st[0] & 0o7777, self.users.name(st[1]), self.users.group(st[2]))
            if probe == "/" or unseen:
                return f"{unseen} (not looked at)" if unseen else None
            probe = posixpath.dirname(probe)


class Users:
    """``/etc/passwd`` and ``/etc/group`` (root's files, sent as bytes) parsed as data; a group's members are those
    ``/etc/group`` names and those ``/etc/gshadow`` names (root's reply, without hashes) as its administrators or
    members: an administrator adds itself with ``gpasswd`` (setuid root), a member listed there alone ``newgrp``s
    into it (a group is as open as its most open file says: every rule on membership sees them)."""

    def __init__(self, passwd: str, group: str, gshadow: list | None = None):
        self.by_name: dict[str, list[str]] = {}
        self.uids: dict[int, str] = {}
        for line in passwd.splitlines():
            f = line.split(":")
            if len(f) >= 7 and f[2].isdigit() and f[3].isdigit():
                self.by_name.setdefault(f[0], f)
                self.uids.setdefault(int(f[2]), f[0])
        self.groups: dict[int, tuple[str, list[str]]] = {}
        self.every: list[tuple[str, int, list[str]]] = []  # every group line, a second name of a gid too
        more = {r[0]: [m for f in r[2:4] for m in str(f).split(",") if m] for r in gshadow or [] if len(r) >= 4}
        for line in group.splitlines():
            f = line.split(":")
            if len(f) >= 4 and f[2].isdigit():
                members = list(dict.fromkeys([m for m in f[3].split(",") if m] + more.get(f[0], [])))
                self.groups.setdefault(int(f[2]), (f[0], members))
                self.every.append((f[0], int(f[2]), members))

    def name(self, uid: int) -> str:
        return self.uids.get(uid, str(uid))

    def group(self, gid: int) -> str:
        return self.groups.get(gid, (str(gid), []))[0]

    def facts(self, name: str) -> dict | None:
        """``{uid, shell, home, group, groups}`` of ``name`` or None (groups: primary and every one naming it)."""
        f = self.by_name.get(name)
        if f is None:
            return None
        gid = int(f[3])
        groups = {self.group(gid)} | {g for g, _, members in self.every if name in members}
        return {"uid": int(f[2]), "shell": f[6], "home": f[5], "group": self.group(gid), "groups": sorted(groups)}

    def nobody_in(self, gid: int) -> bool:
        """Whether no account is in group ``gid``: none names it as a member (under any of its names), none has it
        as its primary group. A root's file such a group alone may write is root's alone: the one definition of
        "a group that writes for no one" of every rule."""
        return not any(g == gid and m for _, g, m in self.every) and \
            not any(f[3] == str(gid) for f in self.by_name.values())

    def members(self, name: str) -> list[str]:
        """Every user in ``name``'s primary group (as a member or by primary gid)."""
        f = self.by_name.get(name)
        if f is None:
            return []
        gid = int(f[3])
        return sorted(set(self.groups.get(gid, ("", []))[1]) | {n for n, g in self.by_name.items() if g[3] == f[3]})


# ---------------------------------------------------------------- parses shared by the hosts of a fleet

_SHARED: dict = {}
_SHARED_LOCK = threading.Lock()


def shared(kind: str, texts: tuple, make):
    """``make()``, once for every ``texts`` alike (the very texts it parses, compared in full on a hit: never a
    digest): the hosts of a fleet built from one image send the same dpkg database, parsed once for all of them
    (each host's parse was ~20 ms of the runner's CPU, one process for every host). What it returns is read,
    never changed, by its callers. The newest 16 are kept."""
    key = (kind, texts)
    with _SHARED_LOCK:
        if key in _SHARED:
            return _SHARED[key]
    found = make()
    with _SHARED_LOCK:
        while len(_SHARED) >= 16:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = found
    return found


def list_texts(snap: Snapshot) -> tuple:
    """``((name, raw text), ...)`` of dpkg's ``info/*.list`` files as the collector sent them: what
    :func:`dpkg_files` and its kin parse (:func:`shared`'s key)."""
    return tuple((n, (snap.files.get(f"{DPKG_INFO}/{n}") or {}).get("data")) for n in snap.listdir(DPKG_INFO) or []
                 if n.endswith(".list"))


# ---------------------------------------------------------------- parsers of single files


def packages(status: bytes | None, names) -> dict:
    """Each package's dpkg state, from dpkg's own database."""
    if status is None:
        raise RuntimeError("/var/lib/dpkg/status is not a regular file owned by root")
    found = dict.fromkeys(names, "not installed")
    for para in status.decode("utf-8", "replace").split("\n\n"):
        fields = dict(ln.split(": ", 1) for ln in para.splitlines() if ": " in ln and not ln.startswith(" "))
        name, state = fields.get("Package"), fields.get("Status", "")
        if name in found and found[name] != "installed":
            found[name] = "installed" if state == "install ok installed" else state or "unknown"
    return found


@functools.lru_cache(maxsize=8)
def conffiles(status: bytes | None) -> dict:
    """``{path: (package, md5)}`` of every conffile dpkg records (kept by the status file's bytes: every check and
    every host of a fleet with the same database; read, never changed, by its callers)."""
    found, package, inside = {}, None, False
    for line in (status or b"").decode("utf-8", "replace").splitlines():
        if line.startswith("Package: "):
            package, inside = line.split()[1], False
        elif line.startswith("Conffiles:"):
            inside = True
        elif inside and line.startswith(" /"):
            words = line.split()
            if len(words) >= 2 and words[1] != "newconffile":
                found[words[0]] = (package, words[1])
        else:
            inside = False
    return found


UCF_HASHES, UCF_REGISTRY = "/var/lib/ucf/hashfile", "/var/lib/ucf/registry"


def shipped_files(snap: Snapshot) -> dict:
    """``{path: (package, md5)}`` of every configuration file a package ships as it ships it: dpkg's conffiles
    (:func:`conffiles`) and the files ucf keeps for packages, not dpkg's conffiles (ucf's hashfile: the md5 of the
    file as its package last shipped it; its registry: which package's), a file with that md5 being as shipped
    whichever keeps it. Made once per snapshot."""
    found = snap.shipped
    if found is None:
        found = dict(conffiles(snap.data("/var/lib/dpkg/status")))
        owners = dict(ln.split()[::-1] for ln in (snap.text(UCF_REGISTRY) or "").splitlines() if len(ln.split()) == 2)
        for ln in (snap.text(UCF_HASHES) or "").splitlines():
            words = ln.split()
            if len(words) == 2 and len(words[0]) == 32 and words[1].startswith("/") and words[1] not in found:
                found[words[1]] = (owners.get(words[1], "ucf"), words[0])
        snap.shipped = found
    return found


def dpkg_files(snap: Snapshot) -> dict[str, str]:
    """``{path: package}`` of every file an installed package put on the server (dpkg's ``info/*.list``, as the
    collector read them); a path under a merged-/usr alias (``/bin``, ``/sbin``, ``/lib*``) also under ``/usr``.
    Parsed once per snapshot (several checks ask)."""
    if snap.dpkg is None:
        snap.dpkg = shared("dpkg_files", list_texts(snap), lambda: _dpkg_files(snap))
    return snap.dpkg


def _dpkg_files(snap: Snapshot) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in snap.listdir(DPKG_INFO) or []:
        if not name.endswith(".list"):
            continue
        package = name[:-len(".list")].split(":")[0]
        for path in (snap.text(f"{DPKG_INFO}/{name}") or "").splitlines():
            found.setdefault(path, package)
            if path.startswith(MERGED):
                found.setdefault("/usr" + path, package)
    return found


def dpkg_lists(snap: Snapshot) -> dict[str, list[str]]:
    """``{package: [its info/*.list paths]}`` (one per architecture), made once per snapshot: a check asking for
    every file of root's jobs scanned all ~800 list names per file (4 million comparisons, 0.15 s per host)."""
    if snap.dpkg_lists is None:
        snap.dpkg_lists = {}
        for name in snap.listdir(DPKG_INFO) or []:
            if name.endswith(".list"):
                snap.dpkg_lists.setdefault(name[:-len(".list")].split(":")[0], []).append(f"{DPKG_INFO}/{name}")
    return snap.dpkg_lists


def deleted_maps(maps: str | None, stats: dict | None = None) -> list[str]:
    """The files a process maps as code (executable) that were deleted since it mapped them (replaced: a package
    upgrade); memory with no file (:data:`MEMORY`) is not listed. Given the root collector's ``lstat``s
    (``stats``), only those :func:`gone` says are: `` (deleted)`` is text a file's own name may end with."""
    found = set()
    for fields in (ln.split(None, 5) for ln in (maps or "").splitlines()):
        if len(fields) == 6 and "x" in fields[1] and fields[5].endswith(" (deleted)") and \
                fields[5].startswith("/") and not fields[5].startswith(("/dev/", *MEMORY)) and \
                (stats is None or gone(stats, fields[5])):
            found.add(fields[5][:-len(" (deleted)")])
    return sorted(found)


# the names the kernel gives in ``maps`` to memory no file on disk holds (a memfd, System V shared memory, a shared
# anonymous mapping, huge pages): each at ``/``, where no one but root names anything
MEMORY = ("/memfd:", "/SYSV", "/dev/zero (deleted)", "/anon_hugepage (deleted)")


def gone(stats: dict, text: str) -> bool:
    """Whether a mapping ``maps`` names ``text`` (`` (deleted)`` at its end) is a file deleted since it was mapped:
    each directory above it root's alone, and root's ``lstat`` of the whole text found nothing there (``stats``: the
    root collector's ``mapped``; a name not looked at is not known to be gone). The kernel adds the words to a
    deleted file's path, and whoever names a file may end its name with them: a library the app user loaded from
    its data dir as ``librt.so (deleted)`` passed for a package upgrade's; one deleted from ``/tmp`` or
    ``/dev/shm`` (sticky, anyone's to write) is anyone's, not an upgrade's."""
    return text in stats and stats[text] is None and not any(  # (a sticky dir too: anyone made what was there)
        st is None or st[1] != 0 or stat.S_ISLNK(st[0]) or st[0] & 0o022
        for st in (stats.get(text[:m.start()] or "/") for m in re.finditer("/", text)))


def hex_address(text: str) -> tuple[str, int]:
    """``0100007F:1F90`` -> ``("127.0.0.1", 8080)``; IPv6 in /proc's four host-order words."""
    addr, port = text.split(":")
    raw = bytes.fromhex(addr)
    if len(raw) == 4:
        return ".".join(str(b) for b in raw[::-1]), int(port, 16)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words)), int(port, 16)


def apache_dump(out: str, rc: int | None) -> dict:
    """``apache2ctl -D DUMP_INCLUDES -D DUMP_VHOSTS -D DUMP_RUN_CFG``'s output: the files included (with the
    line that includes each), the vhosts with their file:line, the run user."""
    includes: list[dict] = []
    vhosts: list[dict] = []
    run: dict[str, str] = {}
    addr = ""  # the address:port a vhost line belongs to (an 'ADDR is a NameVirtualHost' line's, or its own)
    for line in out.splitlines():
        m = re.match(r"^(\S+:\d+)\s+is a NameVirtualHost", line)
        if m:
            addr = m.group(1)
            continue
        m = re.match(r"^(\s+)\((\*|\d+)\) (/\S+)$", line)
        if m:
            depth = len(m.group(1))
            parent = next((i["path"] for i in reversed(includes) if i["depth"] < depth), None)
            includes.append({"at": m.group(2), "path": m.group(3), "depth": depth, "from": parent})
            continue
        m = re.match(r"^(\S+:\d+|\*:\d+)?\s+(?:(?:port \d+ )?namevhost |default server )?(\S+) \((/.+):(\d+)\)$",
                     line)
        if m:
            addr = m.group(1) or addr
            vhosts.append({"name": m.group(2), "file": m.group(3), "line": int(m.group(4)), "shown": line.strip(),
                           "addr": addr})
            continue
        m = re.match(r'^(User|Group): name="([^"]*)"', line)
        if m:
            run[m.group(1).lower()] = m.group(2)
    return {"rc": rc, "includes": includes, "vhosts": vhosts, "run": run, "raw": out[-4000:]}


def refused_dump(why: str) -> dict:
    return {"rc": None, "includes": [], "vhosts": [], "run": {}, "refused": why}


def lines_since(text: str, created, last: int | None = 40) -> str:
    """The error log lines (``text``) logged since ``created`` (RELEASE.json's ``created_at``, UTC; the log's
    stamps are the server's local time); a line without a stamp belongs to the stamped line above it. The last
    ``last`` such lines (None: all of them), or one line saying there are none."""
    try:
        since = calendar.timegm(time.strptime(created[:19], "%Y-%m-%dT%H:%M:%S")) - 1
    except (TypeError, ValueError):
        return "(no live release to date its deploy by)\n"
    keep, out = False, []
    for line in text.splitlines(True):
        if line.startswith("[") and "]" in line:
            words = line[1:line.index("]")].split()
            try:
                words[3] = words[3].split(".")[0]
                keep = time.mktime(time.strptime(" ".join(words), "%a %b %d %H:%M:%S %Y")) >= since
            except (IndexError, ValueError):
                pass
        if keep:
            out.append(line)
    return "".join(out[-last:] if last else out) or \
        f"(no lines since the deploy of the live release began, {created})\n"


# ---------------------------------------------------------------- the kernel's view


def kernel_argv(raw: str) -> list[str]:
    """A process's argv from its ``/proc/<pid>/cmdline`` as the collector sent it (latin-1 text of the bytes): each
    argument NUL-terminated, so an empty one stays one (``a '' b`` is not ``a b``) and an argument's blanks are its
    own (``'a b'`` is one argument): what an allowance of what runs is matched with, exactly."""
    data = raw.encode("latin-1")
    data = data[:-1] if data.endswith(b"\0") else data  # (the last argument's terminator)
    return [a.decode("utf-8", "replace") for a in data.split(b"\0")] if data else []


class Procs:
    """The collector's ``/proc`` entries, parsed: ``brief(pid)`` as the checks show a process."""

    def __init__(self, snap: Snapshot):
        raw = snap.raw
        self.snap, self.proc = snap, raw.get("proc") or {}
        uptime = (raw.get("uptime") or "0").split() or ["0"]
        self.boot, self.ticks = float(raw.get("time") or 0) - float(uptime[0]), raw.get("ticks") or 100
        self.table = {p["pid"]: p for p in (self.brief(int(pid)) for pid in self.proc) if p}

    def brief(self, pid: int) -> dict | None:
        """Process ``pid`` as the checks show it; its ``user`` is the one it runs for: its effective uid (``/proc``'s
        owner), but a setuid-root program's (root's effective uid, another's real one: ``newgrp``, ``sudo``, run by
        a login through a link of any name) is its caller's, whose choice it is to run it, and when, and under what
        name; only a process both of whose uids are root's is root's."""
        entry = self.proc.get(str(pid)) or {}
        raw = entry.get("stat") or ""
        try:
            rest = raw[raw.rindex(")") + 2:].split()
            state, ppid, started = rest[0], int(rest[1]), int(rest[19]) / self.ticks
            memory = rest[20] != "0" if len(rest) > 20 else True  # vsize: 0 once an exiting process let its go
        except (ValueError, IndexError):
            return None
        status = dict(ln.split(":", 1) for ln in (entry.get("status") or "").splitlines() if ":" in ln)
        leaderless = state == "Z" and status.get("Threads", "").strip() not in ("", "0", "1")  # its leader thread
        if leaderless:  # exited alone: the process runs on in its other threads (what they show: the collector's)
            state, memory = "S", True
        cmdline = (entry.get("cmdline") or "").encode("latin-1")
        real = status.get("Uid", "").split()[:1]  # (the real uid: a setuid program's is its caller's)
        ruid = int(real[0]) if real and real[0].isdigit() else entry.get("uid", -1)
        uid = ruid if entry.get("uid") == 0 else entry.get("uid", -1)  # (/proc's owner: the effective uid)
        return {"pid": pid, "user": self.snap.users.name(uid), "ppid": ppid, "state": state, "ruid": ruid,
                "comm": raw[raw.index("(") + 1:raw.rindex(")")].encode("latin-1").decode("utf-8", "replace"),
                "cmdline": cmdline.replace(b"\0", b" ").decode("utf-8", "replace").strip()[:200],
                "argv0": cmdline.split(b"\0")[0].decode("utf-8", "replace"),
                "exe": entry.get("exe"), "started": self.boot + started, "uid": uid,
                "fds_seen": entry.get("sockets") is not None, "memory": memory, "leaderless": leaderless}

    def processes(self, app: str, display: str, user: str = "", apache: str = "apache2") -> tuple[list, list]:
        """Every live process (pid, user, ppid, comm, first word of argv, state); the app's mod_wsgi daemons with
        their start time, umask, ``exe`` and mapped libpython files: each process of the app's ``user`` that root's
        Apache forked, whatever it shows (showing the daemons' display name, when Apache's own workers run as that
        user too). A process elsewhere showing the display name is none: the process rule's. Its argv and
        comm are the process's own to write (``exec`` keeps the pid, the parent and the start time: a daemon that
        made itself a program of the app user's, named ``apache2`` and shown as a worker, passed for one
        forever); only an exiting one (the kernel shows no memory left: ``vsize`` 0, argv gone) is none."""
        procs, daemons = [], []
        forks = {p["pid"] for p in self.table.values() if p["user"] == "root" and p["comm"] == apache}  # (root's)
        # (when no child of Apache runs as another user, the app user's are its workers: sec_apache_user's one
        # cause, the run user in force, not each worker a daemon that runs the wrong program)
        others = any(p["ppid"] in forks and p["user"] != user for p in self.table.values())
        for p in sorted(self.table.values(), key=lambda p: p["pid"]):
            if p["state"] in ("Z", "X"):  # a zombie runs nothing
                continue
            word = p["argv0"].split()[0] if p["argv0"].split() else ""
            proc = {k: p[k] for k in ("pid", "user", "ppid", "comm", "state")}
            proc["argv0"] = word
            procs.append(proc)
            child = p["user"] == user and p["ppid"] in forks  # (a title alone is the process's own to write)
            if child and (is_daemon_of(word, app, display) or p["memory"] and others):
                entry = self.proc[str(p["pid"])]
                maps = entry.get("maps")
                libpython = None if maps is None or entry.get("exe") is None else sorted(
                    {ln.split(None, 5)[5] for ln in maps.splitlines()
                     if len(ln.split(None, 5)) == 6 and "/libpython" in ln})
                umask = next((ln.split()[1] for ln in (entry.get("status") or "").splitlines()
                              if ln.startswith("Umask:") and len(ln.split()) > 1), None)
                daemons.append(dict(proc, started=p["started"], exe=entry.get("exe"), libpython=libpython,
                                    umask=umask, leaderless=p["leaderless"]))
        return procs, daemons

    def mapped_pythons(self, exe: str) -> list[str] | None:
        """The libpython X.Y that root's processes of ``exe`` have mapped (Apache's parent loads mod_wsgi and the
        Python it embeds: the effect, not the file); None when none runs."""
        maps = [e.get("maps") or "" for e in self.proc.values() if e.get("uid") == 0 and
                str(e.get("exe") or "").split(" (")[0] == exe]
        return None if not maps else sorted({v for m in maps for v in re.findall(r"/libpython(\d+\.\d+)", m)})

    def sockets(self) -> dict[int, list[int]]:
        owners: dict[int, list[int]] = {}
        for pid, entry in self.proc.items():
            for link in entry.get("sockets") or []:
                if link.startswith("socket:[") and link[8:-1].isdigit():
                    owners.setdefault(int(link[8:-1]), []).append(int(pid))
        return owners

    def listeners(self) -> list[dict]:
        """Every listening TCP socket and every bound UDP socket, with the processes holding it (each with the
        dpkg package its executable is a file of: ``package``) and the socket's owner uid; ``hidden``: no holder
        was seen and some process's file descriptors could not be read (root without CAP_SYS_PTRACE), so who
        holds it is not known; ``lasted`` False: no holder was seen and the socket is in one read of the sockets
        only (:func:`lasted`): it came or went during root's walk, its holder not known from this run, its owner
        the kernel's (a daemon restarting, or a listener replacing its socket faster than the walk: the listener
        rule tells them apart by that owner). The processes of the owner's uid are never named as its holders."""
        owners, found = self.sockets(), []
        hidden = sorted(p["pid"] for p in self.table.values() if not p["fds_seen"] and p["state"] not in "ZX")
        files: dict[str, str] | None = None
        for proto, name, state in (("tcp", "tcp", "0A"), ("tcp", "tcp6", "0A"), ("udp", "udp", "07"),
                                   ("udp", "udp6", "07")):
            for line in (self.snap.text("/proc/net/" + name) or "").splitlines()[1:]:
                fields = line.split()
                if len(fields) < 10 or fields[3] != state:
                    continue
                host, port = hex_address(fields[1])
                if proto == "udp" and hex_address(fields[2])[1] != 0:
                    continue  # a connected UDP socket serves no one
                procs = [self.shown(pid) for pid in owners.get(int(fields[9]), []) if pid in self.table]
                came = not procs and not lasted(self.snap, "/proc/net/" + name, fields[9])  # (during the walk)
                if procs and files is None:
                    files = dpkg_files(self.snap)
                for p in procs:
                    p["package"], p["script"], p["program"], p["bare"] = self.package(p["pid"], files or {})
                found.append({"proto": proto, "host": host, "port": port, "procs": procs, "uid": int(fields[7]),
                              "owner": self.snap.users.name(int(fields[7])), "hidden": [] if procs else hidden,
                              "lasted": not came})
        return found

    def package(self, pid: int, files: dict[str, str]) -> tuple[str | None, str | None, str, str]:
        """``(package, script, program, bare)``: the dpkg package of the program process ``pid`` runs (its executable,
        and every script its command line gives that executable to run when it is an interpreter: ``python3 X``,
        ``sh -c '...'``, ``perl X``, ``node X``, ``java -jar X``, the words :func:`deploytests.verify.rootacts.runs`
        calls run, a relative one from the process's working directory), or None with the first such file no
        package ships: a packaged interpreter running an admin's script is that script, not the interpreter;
        ``program``: the whole command line an ``allow_listen`` entry binds, the kernel's executable and every
        argument after ``argv[0]`` (``shlex.join``: an argument's spaces stay in it; a relative script by its path
        from the working directory, the file it runs), so an entry allows exactly
        what runs (``socat TCP-LISTEN:9100 SYSTEM:date`` is not ``socat TCP-LISTEN:9100 EXEC:/bin/sh``);
        ``bare``: the executable and the first such script, or, when it runs none, the command line's words from
        its code option on (:data:`INLINE`: ``python3 -c CODE``, ``-m MODULE``, ``perl -e CODE``): what an entry
        binds for the deploy login's and the app user's processes, whose command lines are their own claim
        (:func:`.pins.claimed`), and what last round's entries named."""
        from .rootacts import runs

        entry = self.proc.get(str(pid)) or {}
        exe = str(entry.get("exe") or "").split(" (deleted)")[0]
        argv = kernel_argv(entry.get("cmdline") or "")
        scripts = runs(argv, str(entry.get("cwd") or ""))
        code = next((argv[i:] for i, a in enumerate(argv) if i and a in INLINE), []) if not scripts else []
        bare = " ".join(([exe] if exe else []) + scripts[:1] + " ".join(code).split())
        rel = next((a for a in argv[1:] if scripts and not a.startswith("/") and posixpath.join(
            str(entry.get("cwd") or ""), a) == scripts[0]), None)  # (a relative script: the file, by its path)
        program = shlex.join([exe] + [scripts[0] if a == rel else a for a in argv[1:]]) if exe else bare
        package = files.get(exe) or files.get(self.snap.realpath(exe)) if exe else None
        if not package:
            return None, None, program, bare
        for path in scripts:
            if not (files.get(path) or files.get(self.snap.realpath(path))):
                return None, path, program, bare
        return package, None, program, bare

    def shown(self, pid: int) -> dict:
        p = self.table[pid]
        return {k: p[k] for k in ("pid", "user", "uid", "ppid", "comm", "cmdline", "exe", "started")}

    def ancestors(self, pid: int) -> list[dict]:
        chain: list[dict] = []
        seen, q = set(), self.table.get(self.table[pid]["ppid"]) if pid in self.table else None
        while q and q["pid"] not in seen and len(chain) < 64:
            seen.add(q["pid"])
            chain.append({"pid": q["pid"], "comm": q["comm"], "user": q["user"], "exe": q.get("exe"),
                          "ruid": q["ruid"]})
            q = self.table.get(q["ppid"])
        return chain

    def full_cmdline(self, pid: int) -> str:
        raw = ((self.proc.get(str(pid)) or {}).get("cmdline") or "").encode("latin-1")
        return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()

    def reaching(self, root: str, users) -> list[dict]:
        """Every live process of anyone but ``users`` (root's too) whose command line names the app's tree
        ``root`` (a path word: :func:`mechanisms.reaches`), with its ancestors: code the deploy login or the
        app can change, run with that process's rights."""
        from .mechanisms import reaches

        return [dict(self.shown(p["pid"]), ancestors=self.ancestors(p["pid"])) for p in sorted(
            self.table.values(), key=lambda p: p["pid"]) if p["user"] not in users and p["state"] not in "ZX"
            and root and reaches(self.full_cmdline(p["pid"]), root)]

    def from_shared(self) -> list[dict]:
        """Every live process, root's too, whose program (its ``/proc`` exe, removed since or not) is in a directory
        every local user may write (``/tmp``, ``/var/tmp``, ``/dev/shm``: as the snapshot saw them), with its
        ancestors."""
        out = []
        for p in sorted(self.table.values(), key=lambda p: p["pid"]):
            exe = str(p.get("exe") or "").split(" (deleted)")[0]
            st = self.snap.st(posixpath.dirname(exe)) if exe.startswith("/") and p["state"] not in "ZX" else None
            if st and stat.S_ISDIR(st[0]) and st[0] & 0o002:
                out.append(dict(self.shown(p["pid"]), ancestors=self.ancestors(p["pid"])))
        return out

    def apache_parents(self) -> list[dict]:
        """Apache's root processes (the kernel's exe is the stack's binary) with their whole argv."""
        return [{"pid": p["pid"], "argv": [a.decode("utf-8", "replace") for a in (
            (self.proc.get(str(p["pid"])) or {}).get("cmdline") or "").encode("latin-1").split(b"\0") if a]}
            for p in self.table.values() if p["user"] == "root" and p.get("exe") == C.APACHE_BIN]

    def watched(self, users) -> list[dict]:
        """Every live process of ``users`` with its chain of ancestors' comm names."""
        out = []
        for p in sorted(self.table.values(), key=lambda p: p["pid"]):
            if p["user"] not in users:
                continue
            out.append(dict(self.shown(p["pid"]), ancestors=self.ancestors(p["pid"])))
        return out


INLINE = ("-c", "-e", "-E", "-m")  # the options that give a program its code on the command line (or a module)


SSHD = ("/usr/sbin/sshd", "/usr/lib/openssh/sshd-session", "/usr/lib/openssh/sshd-auth")  # sshd's programs


def in_session(ancestors) -> bool:
    """Whether a process is part of a live SSH login session (an operator's shell, the gate's own probe): a root
    sshd other than pid 1 is among its ``ancestors``: root's by its real uid (``status``), and sshd's program by
    the kernel's ``exe`` (its name, ``sshd``/``sshd-session``, where that is not readable). Neither its name nor
    its ``/proc`` owner says so: a setuid program the login starts (``newgrp``, which forks and waits for the
    shell it runs as the login; ``sudo``) runs with root's effective uid, so ``/proc`` shows root as its owner,
    and with the name of the link the login ran it through (``sshd-x``), and everything the login ran under it
    passed for a session's, outside any session for good; its real uid stays the login's. Pid 1 is every
    orphan's parent: where sshd is pid 1 (a container whose entrypoint execs it), a process left running after
    its session ended has it for parent, so the reaper is no session's."""
    return any(a["pid"] != 1 and a["user"] == "root" and a.get("ruid", 0) == 0 and (
        str(a["exe"]).split(" (")[0] in SSHD if a.get("exe") else a["comm"].startswith("sshd")) for a in ancestors)


def lasted(snap: Snapshot, path: str, ino) -> bool:
    """Whether the socket of inode ``ino`` is in both reads of ``path`` (``/proc/net/<proto>``): the login
    collector's, before root's walk of ``/proc`` (``earlier``), and root's, after it. One in both was there the
    whole walk, so a holder of it was seen if any process held it; one in a single read came or went during the
    walk (a daemon restarting: its old socket gone, its new one made after the walk passed it), and who holds it is
    not known from this run: it is not "held by no process" here (the next run judges it; a process started during
    the walk is not seen either). Without root's read (no sudo) every socket lasted."""
    earlier = (snap.raw.get("earlier") or {}).get(path)
    if earlier is None:
        return True
    col = 6 if path.endswith("/unix") else 9  # (the inode's column: a name's newline starts a row of its own, which
    #                                           can only add an inode, never hide one the kernel prints)
    return all(str(ino) in {f[col] for f in (r.split() for r in text.splitlines()[1:]) if len(f) > col}
               for text in (earlier, snap.text(path) or ""))


def listening_ports(snap: Snapshot) -> list[int]:
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in (snap.text(name) or "").splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(ports)


def lock_held(snap: Snapshot, ino) -> bool | None:
    """Whether some process holds a lock on the inode ``ino`` (``/proc/locks``)."""
    text = snap.text("/proc/locks")
    if ino is None or text is None:
        return None if text is None else False
    for line in text.splitlines():
        fields = line.split()
        dev_ino = fields[5] if len(fields) > 5 else ""
        if dev_ino.count(":") == 2 and dev_ino.rsplit(":", 1)[1].isdigit() and int(dev_ino.rsplit(":", 1)[1]) == ino:
            return True
    return False


# ---------------------------------------------------------------- root's files


def interpreter(snap: Snapshot, path: str) -> dict:
    """How ``path`` resolves in the snapshot, one recorded link at a time: the hops with each link's owner and
    whether its directory is root's, the file reached and whether it and its directories are root's."""
    hops: list[dict] = []
    for _ in range(8):
        entry = snap.files.get(path) or {}
        if entry.get("st") is None:
            return {"hops": hops, "error": f"{path}: {entry.get('why') or 'not looked at'}"}
        if "link" not in entry:
            return {"hops": hops, "target": path, "root_owned": rooted(snap, path)}
        hops.append({"link": path, "to": entry["link"], "owner": snap.users.name(entry["st"][1]),
                     "dir_root_owned": rooted(snap, posixpath.dirname(path))})
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), entry["link"]))
    return {"hops": hops, "error": f"more than 8 links from {hops[0]['link']}"}


def rooted(snap: Snapshot, path: str) -> bool:
    """Whether ``path`` and every directory above it are root's, no link, not writable by group or others."""
    parts = path.split("/")
    for i in range(len(parts), 0, -1):
        st = snap.st("/".join(parts[:i]) or "/")
        if not st or stat.S_ISLNK(st[0]) or st[1] != 0 or st[0] & 0o022:
            return False
    return True


def venv_version(data: bytes | None) -> str | None:
    """``version`` of a ``pyvenv.cfg`` (its bytes) cut to X.Y (``version_info`` on 3.12+), or None."""
    m = re.search(rb"^(?:version|version_info) *= *(\d+)\.(\d+)", data or b"", re.M)
    return f"{m.group(1).decode()}.{m.group(2).decode()}" if m else None


def boot_links(snap: Snapshot, service: str, off: str = "") -> list[str]:
    """How ``service`` is started at boot: systemd's wants link (or its socket's: socket activation), or a SysV rc
    start link; none when systemd masks it (its unit a link to /dev/null in /etc or /run: nothing starts it) or
    while the file ``off`` exists (Debian's ``/etc/ssh/sshd_not_to_be_run``: ssh.service's ConditionPathExists and
    the init script's own test)."""
    found: list[str] = []
    masked = any(snap.realpath(f"{d}/{service}.service") == "/dev/null" for d in ("/etc/systemd/system",
                                                                                 "/run/systemd/system"))
    if masked or off and (snap.lexists(off) or posixpath.basename(off) in (snap.listdir(posixpath.dirname(off)) or [])):
        return found
    for unit in (f"multi-user.target.wants/{service}.service", f"sockets.target.wants/{service}.socket"):
        if snap.lexists(f"/etc/systemd/system/{unit}"):
            found.append(f"systemd: {unit}")
    for level in "2345":
        found += [f"rc{level}.d/{n}" for n in snap.listdir(f"/etc/rc{level}.d") or []
                  if n.startswith("S") and n[3:] == service]
    return found


def sudoers_lines(snap: Snapshot) -> list[dict]:
    """Every rule line (not a comment, not blank; continuation lines joined) of sudoers and the files it
    includes, with file:line. An include of a file the collector did not read is a line of its own (unknown
    rules are never taken for none)."""
    out, queue, seen = [], ["/etc/sudoers"], set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        data = snap.data(path)
        st = snap.st(path)
        if data is None or st is None:
            if path != "/etc/sudoers" and st is not None:
                out.append({"file": path, "line": 0, "text": f"(not read as root's file: "
                            f"{(snap.files.get(path) or {}).get('why')})", "mode": "%04o" % (st[0] & 0o7777),
                            "owner": snap.users.name(st[1])})
            continue
        pending, start = "", 0
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            stripped = line.strip()
            m = re.match(r"^[@#]include(dir)?\s+(\S+)", stripped)
            if m:
                target = m.group(2)
                if m.group(1):
                    names = snap.listdir(target)
                    if names is None:
                        out.append({"file": path, "line": n, "text": stripped + " (not looked at)",
                                    "mode": "%04o" % (st[0] & 0o7777), "owner": snap.users.name(st[1])})
                    queue += [posixpath.join(target, x) for x in names or [] if not x.endswith("~") and "." not in x]
                else:
                    queue.append(target)
                    if target not in snap.files:
                        out.append({"file": path, "line": n, "text": stripped + " (not looked at)",
                                    "mode": "%04o" % (st[0] & 0o7777), "owner": snap.users.name(st[1])})
                continue
            if not pending and (not stripped or stripped.startswith("#") and not re.match(r"#-?\d", stripped)):
                continue  # sudo's rule: '#' starts a comment, except '#<uid>' (a rule for that uid)
            if not pending:
                start = n
            pending += stripped
            if pending.endswith("\\"):
                pending = pending[:-1] + " "
                continue
            out.append({"file": path, "line": start, "text": " ".join(pending.split()),
                        "mode": "%04o" % (st[0] & 0o7777), "owner": snap.users.name(st[1])})
            pending = ""
    return out


def apache_files(snap: Snapshot, paths, dpkg: dict) -> dict:
    """Per file Apache includes (and apache2ctl's envvars): where it really is, who may write it, its hashes and
    the dpkg package whose unchanged conffile it is; the security directives it sets (file:line). Only files
    no one but root may write were read (by the collector)."""
    out = {}
    for path in paths:
        real = snap.realpath(path)
        info: dict = {"real": real, "loose": snap.writable_by_others(path)}
        data = None if info["loose"] else snap.data(real)
        if data is None and not info["loose"]:
            why = (snap.files.get(real) or {}).get("why") or "outside what the collector reads"
            info["loose"] = f"{real} (not read: {why})"
        info["md5"] = hashlib.md5(data).hexdigest() if data is not None else None
        info["sha256"] = hashlib.sha256(data).hexdigest() if data is not None else None
        pkg = dpkg.get(real)
        info["package"] = pkg[0] if pkg and pkg[1] == info["md5"] else None
        listed = None if pkg or data is None else dpkg_files(snap).get(real)  # (a package's file, no conffile:
        if listed and as_unpacked(snap, real, listed, (snap.st(real) or [None] * 7)[6:7]):  # CRS's rules in /usr)
            info["package"] = listed
        info["dpkg_changed"] = bool(pkg and pkg[1] != info["md5"])
        info["dpkg_package"] = pkg[0] if pkg else None
        # when it last changed: its ctime where the collector gave one (a change dated back with touch -r or
        # cp -p still shows: no one sets a ctime back), else its mtime
        times = [st[6] if len(st) > 6 else st[4] for st in (snap.st(path), snap.st(real)) if st]
        info["mtime"] = max(times) if len(times) == 2 else None
        directives = []
        for n, line in enumerate((data or b"").decode("utf-8", "replace").splitlines(), 1):
            words = line.split()
            if words and words[0].lower() in SEC_DIRECTIVES:
                directives.append({"line": n, "name": words[0].lower(), "value": " ".join(words[1:])})
        info["directives"] = directives
        out[path] = info
    return out


def loader_facts(snap: Snapshot, pids, dpkg: dict) -> dict:
    """What can load code into the app's daemons besides the release: their executable, cwd and loader env vars
    (``/proc``; unreadable without CAP_SYS_PTRACE: then Apache's root parent's, which they inherit, stand for
    them), /etc/ld.so.preload, the python-home's pyvenv.cfg and site-packages, and site/user customize modules
    or ``.pth`` files on the stdlib part of their sys.path (with the dpkg package whose unchanged file each is)."""
    proc, py = snap.raw.get("proc") or {}, snap.raw.get("python") or ""
    daemons = []
    for pid in pids:
        entry = proc.get(str(pid)) or {}
        if entry.get("exe") is None or entry.get("environ") is None:
            daemons.append({"pid": pid, "exe": None, "env": None, "cwd": None, "error": "not readable"})
            continue
        env = [kv.encode("latin-1").decode("utf-8", "replace") for kv in entry["environ"].split("\0") if kv]
        daemons.append({"pid": pid, "exe": entry["exe"], "cwd": entry.get("cwd"),
                        "env": [kv for kv in env if kv.startswith(LOADER_ENV)],
                        "deleted": deleted_maps(entry.get("maps"), snap.raw.get("mapped") or {})})
    home_site = f"{PYTHON_HOME}/lib/python{py}/site-packages"
    entries = snap.listdir(home_site)
    hooks = []
    for d in hook_dirs(py):
        for n in snap.listdir(d) or []:
            if C.HOOK.match(n):
                path = f"{d}/{n}"
                real = snap.realpath(path)
                pkg, data = dpkg.get(real), snap.data(real)
                hooks.append({"path": path, "real": real, "package": pkg[0] if pkg and data is not None and
                              hashlib.md5(data).hexdigest() == pkg[1] else None})
    cfg = snap.text(PYTHON_HOME + "/pyvenv.cfg")
    return {"daemons": daemons, "preload": snap.st("/etc/ld.so.preload") is not None, "home_site": home_site,
            # (a python-home that is not there is the tree check's finding, not one more here)
            "home_entries": sorted(entries) if entries is not None else
            ["(unreadable: not looked at)"] if snap.st(home_site) is not None else [],
            "hooks": hooks, "pyvenv_cfg": cfg}


def _loose_entry(snap: Snapshot, path: str) -> str | None:
    """``path`` as text when someone but root may change it (not root's; or, not a link, writable by group or
    others, a sticky directory aside), else None."""
    st = snap.st(path)
    if st is None:
        return None
    sticky = stat.S_ISDIR(st[0]) and st[0] & stat.S_ISVTX
    if st[1] != 0 or (not stat.S_ISLNK(st[0]) and st[0] & 0o022 and not sticky):
        return "%s %04o %s:%s" % (path, st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2]))
    return None


def _loose_above(snap: Snapshot, path: str) -> str | None:
    """The first of ``path`` and the directories above it (as far as they exist) someone but root may change."""
    while True:
        found = _loose_entry(snap, path)
        if found or path == "/":
            return found
        path = posixpath.dirname(path)


def ld_dirs(snap: Snapshot) -> tuple[list[str], list[str]]:
    """The directories the dynamic linker searches (the absolute lines of ``/etc/ld.so.conf`` and of each
    ``/etc/ld.so.conf.d`` file, root's bytes parsed here) and the lines it follows that are not Debian's one
    ``include /etc/ld.so.conf.d/*.conf``."""
    dirs, other = [], []
    for path in ["/etc/ld.so.conf"] + [f"/etc/ld.so.conf.d/{n}" for n in snap.listdir("/etc/ld.so.conf.d") or []]:
        for n, line in enumerate((snap.text(path) or "").splitlines(), 1):
            line = line.split("#")[0].strip()
            if line.startswith("/"):
                dirs.append(line)
            elif line and line != "include /etc/ld.so.conf.d/*.conf":
                other.append(f"{path}:{n}: {line!r}")
    return dirs, other


def load_path(snap: Snapshot, py: str) -> list[dict]:
    """Everything on the code-loading path of the daemons and of root that someone but root may change:
    ``[{area, path}]``. Areas: the python-home (every entry), the stack's interpreter and its stdlib dirs (two
    levels), the dynamic linker's files (``/etc/ld.so.*``, every ``ld.so.conf.d`` file) and every directory
    they name with its entries, Apache's binaries and modules, and the command directories (root's PATH) with
    their entries; each top also with the directories above it. An entry the collector could not see is not
    guessed at: a file it did not read is named by :func:`ld_dirs`' caller."""
    dirs, _ = ld_dirs(snap)
    areas = [("the dynamic linker's configuration", ["/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/ld.so.cache",
                                                      "/etc/ld.so.preload"]),
             ("a directory the dynamic linker searches", dirs),
             ("the daemons' python-home", [PYTHON_HOME]),
             ("the stack's Python and its standard library", [f"/usr/bin/python{py}", f"/usr/lib/python{py}",
                                                               f"/usr/local/lib/python{py}"]),
             ("Apache's binaries and modules", [C.APACHECTL, C.APACHE_BIN, C.MODULES]),
             ("a command directory (root's PATH)", list(C.COMMANDS)),
             ("the directory Apache's root parent opens its logs in", [posixpath.dirname(R.ERROR_LOG)])]
    found: dict[str, dict] = {}
    every = sorted(snap.files)
    for area, tops in areas:
        for top in tops:
            base = top.rstrip("/")  # every path under it sorts between base + "/" and base + "0" ("0" follows "/")
            under = every[bisect.bisect_left(every, base + "/"):bisect.bisect_left(every, base + "0")]
            if area in SEARCHED:
                under = [p for p in under if _searched(snap, base, p, area)]
            for path in [top] + under:
                loose = _loose_above(snap, path) if path == top else _loose_entry(snap, path)
                link = (snap.files.get(path) or {}).get("link") if area == SEARCHED[0] else None
                if not loose and link is not None and ".so" in posixpath.basename(path):  # where ld.so goes from it
                    loose = _loose_above(snap, posixpath.normpath(posixpath.join(posixpath.dirname(path), link)))
                    loose = loose and f"{path} -> {loose}"
                if loose and loose not in found:
                    found[loose] = {"area": area, "path": loose, "top": top}
    return list(found.values())


SEARCHED = ("a directory the dynamic linker searches", "a command directory (root's PATH)")


def _searched(snap: Snapshot, base: str, path: str, area: str) -> bool:
    """Whether ``path`` (under the search directory ``base``) is read by whoever searches it: a directory is searched
    one level down by name (a command on PATH, a library in the linker's directories), so an entry that is not a
    directory counts, a subdirectory and what is under it does not (``/usr/local/lib/nagios``: plugins nobody
    loads) -- bar the subdirectories the linker itself searches (``collect_login.LINKER_SUBDIRS``), whole."""
    rest = path[len(base) + 1:].split("/")
    if area == SEARCHED[0] and rest[0] in C.LINKER_SUBDIRS:
        return True
    st = snap.st(path)
    return len(rest) == 1 and not (st and stat.S_ISDIR(st[0]))


LOGROTATE = ("/etc/logrotate.conf", "/etc/logrotate.d")
SCRIPT = re.compile(r"^\s*(prerotate|postrotate|firstaction|lastaction|preremove)\b")


def logrotate_scripts(snap: Snapshot) -> list[dict]:
    """The scripts logrotate runs as root (``prerotate`` ... ``endscript`` blocks of /etc/logrotate.conf and
    /etc/logrotate.d/*, root's bytes): ``{where (file:line), file, user, job}``; a file logrotate reads that the
    collector did not (someone but root may write it) is a job of its own saying so. A directory there is not
    logrotate's to read (Debian's ``httpd-prerotate``: the apache2 file's prerotate script runs it with
    ``run-parts``, and that job is judged with each script in it: :func:`rootacts.path_problem`)."""
    out = []
    names = [f"{LOGROTATE[1]}/{n}" for n in snap.listdir(LOGROTATE[1]) or []]
    for path in [LOGROTATE[0]] + names:
        text, st = snap.text(path), snap.st(path)
        if text is None:
            if st is not None and not stat.S_ISDIR(st[0]):  # (a directory there is no file of logrotate's: a
                #                                                   hook dir a job runs, judged as that job's)
                why = (snap.files.get(path) or {}).get("why")
                out.append({"where": path, "file": path, "user": "root", "job": f"(not read: {why})"})
            continue
        out += [{"where": f"{path}:{start}", "file": path, "user": "root", "job": "\n".join(body)}
                for start, _, body in script_blocks(text)]
    return out


def script_blocks(text: str) -> list[tuple[int, int, list[str]]]:
    """``(first line, endscript's line, the lines between)`` of each ``prerotate`` ... ``endscript`` block of a
    logrotate file (the scripts logrotate runs as root; its other lines are configuration)."""
    out, start, body = [], 0, None  # type: list[tuple[int, int, list[str]]], int, list[str] | None
    for n, line in enumerate(text.splitlines(), 1):
        if body is None and SCRIPT.match(line):
            start, body = n, []
        elif body is not None and line.strip() == "endscript":
            out.append((start, n, body))
            body = None
        elif body is not None:
            body.append(line)
    return out


def root_hooks(snap: Snapshot) -> list[dict]:
    """What root runs through files other than cron's and systemd's (root's bytes): ``/etc/rc.local`` (every
    boot), ``/etc/anacrontab``, apt's ``apt.conf.d`` (``DPkg::Post-Invoke`` ...: every dpkg run, unattended-
    upgrades' too), the login shells' ``/etc/profile``, ``/etc/bash.bashrc``, ``/etc/profile.d/*`` and pam_env's
    ``/etc/environment`` (root's logins), the SSH client's ``ssh_config`` and ``ssh_config.d/*`` (its
    ``ProxyCommand``, ``LocalCommand``, ``Match exec``, ``KnownHostsCommand`` run for every ssh, scp, rsync or git
    over ssh of root's), root's own ``~/.bashrc``, ``~/.profile`` ... and ``~/.ssh/rc`` (every
    root shell and root SSH login: when the snapshot holds their text; ``/root`` is ``0700``, so only a root read
    or an open ``/root`` gives it), and the configuration root's tools read from its home (``C.ROOT_TOOLS``: each
    line a job marked ``config``: every path it names is what the tool runs or loads): ``{where, file, user,
    job}`` per line, a file not read as one job saying so, and so is one of root's home files that someone but
    root may change or make (it, or a directory above it: the root collector's ``lstat``). The rule keeps the lines
    that name the app's tree or what someone but root may change."""
    from .rootacts import view

    out, loose = [], {}  # type: list[dict], dict[str, list[str]]  # (one cause, one job: each directory someone but root may change, with root's files there)
    paths = list(C.HOOKS) + [f"{d}/{n}" for d in ("/etc/apt/apt.conf.d", "/etc/profile.d", "/etc/ssh/ssh_config.d")
                             for n in snap.listdir(d) or []] + C.ROOT_SHELL + C.ROOT_TOOLS
    for path in paths:
        why = view(snap).writable_by_others(path) if path.startswith("/root/") and snap.files else None
        if why and not why.endswith("(not looked at)"):
            loose.setdefault(why, []).append(path)
            continue
        if path.startswith("/etc/ssh/ssh_config") or path == "/root/.ssh/config":
            out += [{"where": f"{path}:{n}", "file": path, "user": "root", "job": job}
                    for n, job in ssh_client_commands(snap.text(path) or "")]
            continue
        text, st = snap.text(path), snap.st(path)
        if text is None:
            if st is not None and stat.S_ISREG(st[0]) and (path not in C.ROOT_SHELL or st[1] or st[0] & 0o022):
                why = (snap.files.get(path) or {}).get("why")
                out.append({"where": path, "file": path, "user": "root", "job": f"(not read: {why})"})
            continue
        hooks = apt_commands(text) if path.startswith("/etc/apt/apt.conf.d/") else {}
        out += [dict({"where": f"{path}:{n}", "file": path, "user": "root", "job": job},
                     **({"config": True} if path in C.ROOT_TOOLS or DIRECTIVE.match(line) else {}))
                for n, line in enumerate(text.splitlines(), 1) if line.strip() and not commented(line)
                for job in hooks.get(n, [line.strip()])]
    return out + [{"where": paths[0], "file": paths[0], "user": "root", "job": f"(not read: {why}: not root's alone, "
                   f"and root's shell or tools read {', '.join(p[len(why.split()[0]) + 1:] or p for p in paths)} "
                   "there)"} for why, paths in loose.items()]


# apt's and sudo's #include (apt.conf(5), sudoers(5)): a directive spelled like a comment, that reads another file
# (judged as a tool's configuration: the file it names is what root's program loads)
DIRECTIVE = re.compile(r"\s*#include(dir)?\s")


def commented(line: str) -> bool:
    """Whether a configuration line is a comment (``#``, ``;``): not a ``#include`` (:data:`DIRECTIVE`)."""
    return line.lstrip().startswith(("#", ";")) and not DIRECTIVE.match(line)


APT_HOOK = re.compile(r'[\w:-]*(?:Invoke|Install-Pkgs)[\w:-]*\s*(\{[^}]*\}|"(?:[^"\\]|\\.)*")', re.S)


def apt_commands(text: str) -> dict[int, list[str]]:
    """``{line: [command]}`` of the shell commands apt's hooks run as root (apt.conf(5): ``DPkg::Pre-Invoke``,
    ``DPkg::Post-Invoke``, ``DPkg::Pre-Install-Pkgs``, ``APT::Update::Post-Invoke-Success`` ...: each quoted string
    of the key's value or ``{ }`` block is one ``sh -c`` command line), by the line each string starts on: a command
    of several words is judged as a command line, not as one quoted word of the configuration."""
    out: dict[int, list[str]] = {}
    for m in APT_HOOK.finditer(text):
        for q in re.finditer(r'"((?:[^"\\]|\\.)*)"', m.group(1)):
            out.setdefault(text.count("\n", 0, m.start(1) + q.start()) + 1, []).append(q.group(1))
    return out


def ssh_client_commands(text: str) -> list[tuple[int, str]]:
    """``[(line, command)]`` of what the SSH client runs or loads for its user (ssh_config(5)): ``ProxyCommand``,
    ``LocalCommand``, ``KnownHostsCommand`` (command lines), ``Match ... exec "cmd"``, ``PKCS11Provider`` and
    ``SecurityKeyProvider`` (libraries it loads); every other line is no command."""
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        key, _, rest = line.replace("=", " ", 1).partition(" ") if line and not line.startswith("#") else ("", "", "")
        key, rest = key.lower(), rest.strip()
        if key in ("proxycommand", "localcommand", "knownhostscommand", "pkcs11provider", "securitykeyprovider"):
            out.append((n, rest))
        elif key == "match":
            out += [(n, m.group(1) or m.group(2)) for m in re.finditer(r'\bexec\s+(?:"([^"]*)"|(\S+))', rest)]
    return [(n, c) for n, c in out if c and c.lower() != "none"]


# what the other rules read line by line under /etc (Apache's, the units', cron's, sshd's, PAM's, sudo's, the
# accounts', the login shells' and apt's hooks, the places root acts later, logrotate's files) or is deploytests'
JUDGED = ("/etc/apache2/", "/etc/systemd/", "/etc/cron.d/", "/etc/cron.hourly/", "/etc/cron.daily/",
          "/etc/cron.weekly/", "/etc/cron.monthly/", "/etc/ssh/", "/etc/pam.d/", "/etc/security/", "/etc/sudoers",
          "/etc/apt/apt.conf.d/", "/etc/profile.d/")
ACCOUNTS = ("/etc/passwd", "/etc/passwd-", "/etc/group", "/etc/group-", "/etc/shadow", "/etc/shadow-",
            "/etc/gshadow", "/etc/gshadow-", "/etc/subuid", "/etc/subgid")


def root_mentions(snap: Snapshot) -> list[dict]:
    """Root's other configuration naming the app's tree: each line of a root's file under /etc that names it, and
    each link there into it (the login collector's ``mentions``), outside what another rule reads line by line
    (:data:`JUDGED`, :data:`ACCOUNTS`, the hook files, the places of :mod:`deploytests.verify.rootacts`, of
    ``/etc/logrotate.d``'s files the scripts and the logs: :func:`logrotate_scripts`' and the logrotate rule's):
    ``{where, file, user: root, job, sha256}`` per line or link (``sha256``: the login collector's hash of the
    file, of a link's ``-> target``: what an allowance of it pins). Which program
    reads a file, and what it does with the line, is not for a list to know; that root's configuration names a
    place the deploy login or the app writes is the finding (the rule resolves the line as a job's)."""
    from .rootacts import PLACES

    places = tuple(p.rstrip("/") + "/" for p in PLACES) + tuple(PLACES)
    out, digests = [], snap.raw.get("digests") or {}
    for path, found in sorted((snap.raw.get("mentions") or {}).items()):
        if path.startswith(JUDGED) or path in ACCOUNTS or path in C.HOOKS or path.startswith(places):
            continue
        if posixpath.dirname(path) == LOGROTATE[1] and not isinstance(found, str):  # (its scripts are jobs of
            # logrotate_scripts', the logs it names the logrotate rule's; its directives -- compresscmd's program,
            # olddir -- are root's configuration as any other file's)
            scripts = {n for a, b, _ in script_blocks(snap.text(path) or "") for n in range(a, b + 1)}
            found = [(n, ln) for n, ln in found if n not in scripts and not ln.strip().startswith(("/", '"', "{"))]
        if isinstance(found, str):  # (a link: its target is its content)
            out.append({"where": path, "file": path, "user": "root", "job": found,
                        "sha256": hashlib.sha256(found.encode("utf-8", "surrogateescape")).hexdigest()})
            continue
        out += [{"where": f"{path}:{n}", "file": path, "user": "root", "job": line.strip(),
                 "sha256": digests.get(path), **({"config": True} if DIRECTIVE.match(line) else {})}
                for n, line in found if line.strip() and not commented(line)]
    return out


# what at copies from its submitter's environment that no program takes code by (any other variable is judged as
# what the job runs: PYTHONPATH, PATH, LD_PRELOAD, HOME ...)
AT_DATA = re.compile(r"MAIL|PWD|OLDPWD|SUDO_\w+|XDG_\w+|LOGNAME|USER|SHELL|TERM|COLORTERM|LS_COLORS|DISPLAY"
                     r"|SSH_\w+|LANG|LANGUAGE|LC_\w+|SHLVL|_|MOTD_SHOWN|HOSTNAME")


def at_jobs(snap: Snapshot) -> list[dict]:
    """Every ``at`` job queued (``/var/spool/cron/atjobs``): ``{where, file, user, job}``; atd runs it as its
    file's owner. ``job``: the commands after at's preamble (its ``cd DIR || {...}`` block), with the directory it
    runs in and the preamble's environment (the submitter's, but :data:`AT_DATA`) first; a file not read is its
    why."""
    out = []
    d = "/var/spool/cron/atjobs"
    for name in [n for n in snap.listdir(d) or [] if not n.startswith(".")]:
        path, st = f"{d}/{name}", snap.st(f"{d}/{name}")
        if not st or not stat.S_ISREG(st[0]):
            continue
        text = snap.text(path)
        if text is None:
            job = f"(not read: {(snap.files.get(path) or {}).get('why')})"
        else:
            head, _, body = text.partition("\n}\n")
            where = re.search(r"^cd (.*) \|\| \{$", head, re.M)
            env = [f"{m.group(1)}={m.group(2)}; " for m in re.finditer(r"^([A-Za-z_]\w*)=(.*); export \1$", head, re.M)
                   if where and not AT_DATA.fullmatch(m.group(1))]  # (the submitter's environment: the job's)
            job = "".join(env) + (f"cd {where.group(1)}; " if where else "") + (body if where else text).strip()
        out.append({"where": path, "file": path, "user": snap.users.name(st[1]), "job": job})
    return out


CAPS = ("chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable "
        "net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot "
        "sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease "
        "audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend audit_read "
        "perfmon bpf checkpoint_restore").split()


def file_caps(raw: bytes) -> str:
    """A ``security.capability`` xattr's bytes (``struct vfs_cap_data``, v1-v3) as ``getcap`` shows them:
    ``cap_net_raw=ep``; capabilities of one set of flags grouped (``cap_a,cap_b=eip``)."""
    if len(raw) < 12:
        return f"(unreadable capability data: {raw.hex()})"
    magic, = struct.unpack_from("<I", raw)
    words = struct.unpack_from("<%dI" % min((len(raw) - 4) // 4, 4), raw, 4)
    permitted = words[0] | (words[2] << 32 if len(words) > 2 else 0)
    inheritable = words[1] | (words[3] << 32 if len(words) > 3 else 0)
    groups: dict[str, list[str]] = {}
    for bit in range(64):
        flags = ("e" if magic & 1 and permitted >> bit & 1 else "") + ("i" if inheritable >> bit & 1 else "") + \
            ("p" if permitted >> bit & 1 else "")
        if flags:
            groups.setdefault(flags, []).append("cap_" + (CAPS[bit] if bit < len(CAPS) else str(bit)))
    return " ".join(",".join(names) + "=" + flags for flags, names in groups.items()) or "(no capabilities)"


def privilege(snap: Snapshot, path: str) -> str | None:
    """``path``'s privilege as ``"MODE owner:group[ caps]"`` when it is a regular file that is setuid, setgid
    or has file capabilities; else None. This string is what the stack's baseline and ``allow_privileged``
    list."""
    entry = snap.files.get(path) or {}
    st = entry.get("st")
    if not st or not stat.S_ISREG(st[0]) or not (st[0] & 0o6000 or entry.get("caps")):
        return None
    found = "%04o %s:%s" % (st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2]))
    return found + (" " + file_caps(entry["caps"].encode("latin-1")) if entry.get("caps") else "")


def statoverrides(snap: Snapshot) -> dict[str, str]:
    """dpkg's record of modes it keeps for packaged files (``/var/lib/dpkg/statoverride``, root's bytes: what
    ``dpkg-statoverride --list`` prints): ``{path: "MODE owner:group"}``."""
    out = {}
    for line in (snap.text("/var/lib/dpkg/statoverride") or "").splitlines():
        words = line.split()
        if len(words) == 4 and re.fullmatch(r"[0-7]{1,4}", words[2]):
            out[words[3]] = "%04o %s:%s" % (int(words[2], 8), words[0], words[1])
    return out


def identity(entry: dict) -> str | None:
    """The pin of a privileged file the gate's login may not read (a ``4750 root:netops`` program): the sha256 of
    ``identity INO CTIME SIZE MODE UID GID`` from its ``lstat``. The kernel sets ``ctime`` at every write, ``chmod``,
    ``chown``, link and rename, and no one sets it back; a file put in its place is another inode: it says the file
    is the one reviewed, unchanged, not what its bytes are."""
    st, ctime = entry.get("st"), entry.get("ctime")
    if not st or ctime is None:
        return None
    text = f"identity {st[5]} {ctime!r} {st[3]} {st[0]:o} {st[1]} {st[2]}"
    return hashlib.sha256(text.encode()).hexdigest()


# a maintainer script's ``dpkg-statoverride [--update] --add OWNER GROUP MODE PATH`` (cron's crontab, postfix's
# postdrop)
OVERRIDE_ADD = re.compile(r"dpkg-statoverride\b[^\n]*?--add\s+(\S+)\s+(\S+)\s+([0-7]{3,4})\s+(\S+)")


def _unmerged(path: str) -> str:
    """``path`` without merged /usr's ``/usr`` (``/usr/bin/x`` and ``/bin/x`` are one file)."""
    return path[4:] if path.startswith("/usr/") else path


def privileged_files(snap: Snapshot) -> list[dict]:
    """Every regular file the collector looked at (its walk of the local file systems: root's PATH, the load path,
    ``/var/tmp``, ``/opt``, the homes ...) that is setuid, setgid or has file capabilities: ``[{path, state, package,
    override, override_by_hand, unpacked, sha256}]``: ``state`` (:func:`privilege`), the dpkg package that ships the
    path (its lists, with the merged-/usr twin), dpkg's stat override for it when the package's postinst writes that
    override (``dpkg-statoverride --add`` with those bits: the package's design), else in ``override_by_hand`` (root
    may write dpkg's record for any file: ``dpkg-statoverride --add root root 4755 /usr/bin/find``), and whether its
    inode is as that package's install left it
    (its ``ctime`` no later than the package's list's plus the time the package's last install took in dpkg's
    log, :func:`dpkg_installed`: no ``chmod``, ``chown`` or ``setcap`` since; dpkg keeps no record of modes, but
    the kernel dates every change of them; a file capability only when the package's postinst sets one: dpkg
    never unpacks them, so one set right after the install is the admin's)."""
    shipped, overrides = dpkg_files(snap), statoverrides(snap)
    lists = {n[:-len(".list")].split(":")[0]: f"{DPKG_INFO}/{n}" for n in snap.listdir(DPKG_INFO) or []
             if n.endswith(".list")}
    out = []
    for path in sorted(p for p, e in snap.files.items() if e.get("st") and (e["st"][0] & 0o6000 or e.get("caps"))):
        state = privilege(snap, path)  # (the entries it may say yes to: ~20 of ~2,200)
        if state:
            pkg = shipped.get(path)
            script = snap.text(lists.get(pkg or "", ".list")[:-len(".list")] + ".postinst") or ""
            given = not snap.files[path].get("caps") or "setcap" in script  # (dpkg never unpacks capabilities)
            digest = (snap.raw.get("digests") or {}).get(path)  # (the login's: what a pin holds)
            ident = None if digest else identity(snap.files[path])  # (one the login may not read)
            written = {"%04o %s:%s" % (int(m[2], 8), m[0], m[1]) for m in OVERRIDE_ADD.findall(script)
                       if _unmerged(m[3]) == _unmerged(path)}  # (what its postinst records: the package's design)
            by_hand = overrides.get(path) if overrides.get(path) not in written else None
            out.append({"path": path, "state": state, "package": pkg,
                        "override": None if by_hand else overrides.get(path), "override_by_hand": by_hand,
                        "sha256": digest or ident, **({"identity": True} if ident else {}),
                        "unpacked": given and as_unpacked(snap, path, pkg, [snap.files[path].get("ctime")])})
    return out


def as_unpacked(snap: Snapshot, path: str, pkg: str | None, ctime: list) -> bool:
    """Whether ``path``'s inode (its ``ctime``, ``[]`` or ``[None]``: not known) is as package ``pkg``'s install
    left it: no later than the package's list's ``ctime`` (written at its unpack) plus the time its install took
    from that unpack to its end in dpkg's log (:func:`dpkg_installed`; its maintainer scripts' work: fuse's postinst
    ``chmod 4755 fusermount``), 2 s of slack (one dpkg run): no change since, which the kernel would date."""
    mine, theirs = (ctime or [None])[0], (snap.files.get(([""] + dpkg_lists(snap).get(pkg or "", []))[-1]) or {}
                                          ).get("ctime")
    return mine is not None and theirs is not None and mine <= theirs + 2 + dpkg_installed(snap).get(pkg or "", 0)


DPKG_LOG = "/var/log/dpkg.log"


def dpkg_installed(snap: Snapshot) -> dict[str, float]:
    """How long dpkg took to install each package, the last time it did, ``{package: seconds}``: from its unpack
    (``status unpacked``, when dpkg writes its list) to the end of its configuration (the next ``status
    installed``: its maintainer scripts done), from dpkg's log (root's, world-readable). A package whose postinst
    sets its own file's bits (Debian's fuse: ``chmod 4755 /bin/fusermount`` unless a stat override says otherwise)
    changes them within that time of its list. Both times are the log's own local time, read as they are written:
    the span needs no zone, so a zone the admin set after the install (``/etc/localtime`` changed: the lines
    before it were written in the old one) changes nothing. Empty when the log (a rotated one) cannot be read: no
    more time than the list's own."""
    text = snap.text(DPKG_LOG)
    return shared("dpkg_installed", (text,), lambda: _installed(text)) if text else {}


# Apache's root parent, at the signal of a graceful restart (SIGUSR1) or a restart (SIGHUP), before it reads its
# configuration again: ``[Mon Dec 07 01:06:29.092324 2026] [mpm_event:notice] [pid 20:tid 20] AH00493: ...``
SIGNALLED = re.compile(r"^\[\w{3} (\w{3} +\d+ \d\d:\d\d:\d\d)(\.\d+)? (\d{4})\] \[mpm_\w+:notice\] \[pid (\d+)"
                       r"(?::tid \d+)?\] AH0049[34]: ", re.M)


def reload_began(snap: Snapshot, parents: set, loaded: float) -> float | None:
    """When Apache's root parent (one of ``parents``) began its last reload: the time of its last restart signal
    line (:data:`SIGNALLED`, logged before it reads its configuration again) in the error log's last bytes the root
    collector sent, or, when it sent that log whole and there is none in it, in the last bytes of its last rotation
    (``error.log.1``: logrotate renames the log, then reloads Apache, which logs the signal to the file it has open,
    the renamed one), read in the server's zone (``/etc/localtime``'s), at or before ``loaded`` (its pid file's
    mtime, written after the reading); None when there is none (no sudo, the log longer than what was sent, rotated
    twice since, another ``ErrorLog``, a zone not known). The app's daemons write to that log too (their
    stderr): a line they forge can only be later than the real one and at most ``loaded``, never earlier than
    the reload it stands for, since the latest is taken."""
    import datetime as dt
    import zoneinfo

    link = (snap.files.get("/etc/localtime") or {}).get("link") or ""
    if "zoneinfo/" not in link:
        return None
    try:
        zone = zoneinfo.ZoneInfo(link.split("zoneinfo/", 1)[1])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None

    def signalled(path: str) -> list[float]:
        found = []
        for m in SIGNALLED.finditer(snap.text(path) or ""):
            try:
                when = dt.datetime.strptime(f"{m.group(1)} {m.group(3)}", "%b %d %H:%M:%S %Y").replace(tzinfo=zone)
            except ValueError:
                continue
            stamp = when.timestamp() + float(m.group(2) or 0)
            if int(m.group(4)) in parents and stamp <= loaded + 0.05:
                found.append(stamp)
        return found

    found = signalled(R.ERROR_LOG)
    whole = len(snap.data(R.ERROR_LOG) or b"") >= ((snap.st(R.ERROR_LOG) or [0] * 4)[3] or 0)
    if not found and whole:  # (logrotate renamed the log, then reloaded: the signal line went to the renamed file)
        found = signalled(R.ERROR_LOG + ".1")
    return max(found, default=None)


def _installed(text: str) -> dict[str, float]:
    import datetime as dt

    out: dict[str, float] = {}
    unpacked: dict[str, dt.datetime] = {}  # (a package's unpack not yet followed by its end)
    for line in text.splitlines():
        words = line.split()
        if len(words) < 5 or words[2] != "status" or words[3] not in ("unpacked", "installed"):
            continue
        try:
            when = dt.datetime.strptime(f"{words[0]} {words[1]}", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        pkg = words[4].split(":")[0]
        if words[3] == "unpacked":
            unpacked.setdefault(pkg, when)  # (its configure logs "unpacked" again: the unpack is the first)
        elif pkg in unpacked:  # (a trigger's run ends "installed" with no unpack before it: not its install)
            out[pkg] = max(0.0, (when - unpacked.pop(pkg)).total_seconds())
    return out


def shadowing(snap: Snapshot) -> list[dict]:
    """Every entry of /usr/local/sbin and /usr/local/bin (first on root's PATH, sudo's ``secure_path`` too) whose
    name is also a command in /usr/sbin or /usr/bin: ``[{path, shadows, sha256}]`` (root typing the name runs the
    local one; ``sha256``: the login collector's digest of it, or None)."""
    out = []
    for local in C.COMMANDS[:2]:
        for name in snap.listdir(local) or []:
            later = [f"{d}/{name}" for d in ("/usr/sbin", "/usr/bin") if name in (snap.listdir(d) or [])]
            if later:
                out.append({"path": f"{local}/{name}", "shadows": later[0],
                            "sha256": (snap.raw.get("digests") or {}).get(f"{local}/{name}")})
    return out


# a module of perl's packaged dirs (its name below the dir: Getopt/Long.pm), and of its local dirs, which come
# first in every perl's @INC (/etc/perl, /usr/local/lib/<arch>/perl/<v>, /usr/local/share/perl/<v>)
PERL_PACKAGED = re.compile(r"/usr/(?:share/perl5|share/perl/[\d.]+|lib/[^/]+/perl5/[\d.]+|lib/[^/]+/perl/[\d.]+|"
                           r"lib/[^/]+/perl-base)/(.+\.pm)")
PERL_LOCAL = re.compile(r"(?:/etc/perl|/usr/local/share/perl/[\d.]+|/usr/local/lib/[^/]+/perl/[\d.]+)/(.+\.pm)")


def perl_shadowing(snap: Snapshot) -> list[dict]:
    """Each module in perl's local dirs that no package ships and that takes a packaged module's name (every perl
    root runs loads it in its place: a root ``cpan Getopt::Long``): ``[{path, shadows}]``."""
    files = dpkg_files(snap)
    packaged = {m.group(1): p for p in files if p.startswith("/usr/") and (m := PERL_PACKAGED.fullmatch(p))}
    out = []
    for path in sorted(p for p in snap.files if p.startswith(("/etc/perl/", "/usr/local/")) and p not in files):
        m = PERL_LOCAL.fullmatch(path)
        st = snap.st(path) if m else None
        if m and st is not None and stat.S_ISREG(st[0]) and m.group(1) in packaged:
            out.append({"path": path, "shadows": packaged[m.group(1)]})
    return out


def py_shadowing(snap: Snapshot) -> list[dict]:
    """Each install in the system Python's local site dir (``/usr/local/lib/python3.X/dist-packages``) or root's
    own user site (``/root/.local/lib/python3.X/site-packages``, which only the root collector lists) that no
    package ships and that takes the module name of a packaged entry of ``/usr/lib/python3/dist-packages``: every
    python3 root runs (apt's hooks, unattended-upgrades, certbot, an admin's script) imports it in the packaged
    one's place. One per install: the entries one ``*.dist-info``'s ``RECORD`` lists go together under that
    ``dist-info`` (a root ``pip install setuptools`` puts ``setuptools``, ``pkg_resources`` and ``_distutils_hack``
    there), each other entry (a copy by hand) alone; a ``.pth`` the same RECORD lists goes with them (one install,
    one line: ``distutils-precedence.pth``). ``[{path, entries, pth, shadows, sha256}]``: ``sha256``, what an
    allowance pins, is the login collector's manifest of the entry (:func:`collect_login.manifest`), or of several
    the sha256 of their ``HEX  PATH`` lines (a ``.pth``: its bytes' sha256) and the RECORD's; None when one was not
    hashed (root's user site: the gate's login may not read it)."""
    files, packaged_dir = dpkg_files(snap), "/usr/lib/python3/dist-packages"
    packaged: dict[str, str] = {}
    for name in snap.listdir(packaged_dir) or []:
        module = C.py_module(name)
        if module and f"{packaged_dir}/{name}" in files:
            packaged.setdefault(module, f"{packaged_dir}/{name}")
    sums = snap.raw.get("py_shadows") or {}
    out: list[dict] = []
    for top in sorted(d for d in snap.dirs if re.fullmatch(r"/usr/local/lib/python3\.\d+/dist-packages|"
                                                          r"/root/\.local/lib/python3\.\d+/site-packages", d)):
        shadows = {f"{top}/{n}": packaged[m] for n in snap.listdir(top) or []
                   if (m := C.py_module(n)) in packaged and f"{top}/{n}" not in files}
        records = {f"{top}/{n}": {ln.split(",")[0].split("/")[0] for ln in (snap.text(
            f"{top}/{n}/RECORD") or "").splitlines()} for n in snap.listdir(top) or [] if n.endswith(".dist-info")}
        groups: dict[str, list[str]] = {}
        for path in shadows:
            owner = next((r for r, tops in sorted(records.items()) if path.rsplit("/", 1)[1] in tops), path)
            groups.setdefault(owner, []).append(path)
        for owner, entries in groups.items():
            found = [sums.get(e) for e in entries]
            record = snap.data(f"{owner}/RECORD") if owner not in entries else None
            pth = [f"{top}/{n}" for n in snap.listdir(top) or [] if n.endswith(".pth") and n in records.get(
                owner, ()) and f"{top}/{n}" not in files]  # (the install's .pth: site.py runs it, its line's too)
            found += [hashlib.sha256(d).hexdigest() if (d := snap.data(p)) is not None else None for p in pth]
            lines = "".join(f"{h}  {e}\n" for h, e in zip(found, entries + pth, strict=True))
            sha = None if not all(isinstance(h, str) and len(h) == 64 for h in found) else found[0] if \
                owner in entries else None if record is None else \
                hashlib.sha256((lines + hashlib.sha256(record).hexdigest()).encode()).hexdigest()
            out.append({"path": owner, "entries": entries, "pth": pth, "shadows": [shadows[e] for e in entries],
                        "modules": [C.py_module(e.rsplit("/", 1)[1]) for e in entries],
                        "packages": sorted({files[shadows[e]] for e in entries}), "sha256": sha})
    return out


def hook_dirs(py: str) -> list[str]:
    return [f"/usr/lib/python{py}", f"/usr/lib/python{py}/lib-dynload", f"/usr/local/lib/python{py}"]


def mtimes(snap: Snapshot, vhost: str, sudoers) -> dict:
    """When the root-owned files the drift report dates last changed (their ``lstat``): the vhost, the user and
    group databases, every sudoers file, the cron files, the python-home's pyvenv.cfg."""
    paths = [vhost, "/etc/passwd", "/etc/group", "/etc/crontab", PYTHON_HOME + "/pyvenv.cfg"]
    paths += sorted({r["file"] for r in sudoers})
    for d in ("/etc/sudoers.d", "/etc/cron.d", "/var/spool/cron/crontabs", "/etc/cron.hourly", "/etc/cron.daily",
              "/etc/cron.weekly", "/etc/cron.monthly"):
        paths += [f"{d}/{n}" for n in snap.listdir(d) or []]
    paths += sorted(p for p in snap.files if p.startswith("/etc/systemd/system/"))
    return {p: st[4] for p, st in ((p, snap.st(p)) for p in paths) if st}


def inventory(snap: Snapshot, procs: Procs, args: dict, daemons: list, dpkg: dict) -> dict:
    """The closed-world inventory: everything that can serve, run, grant or load code into the app, as data."""
    runs = snap.raw.get("runs") or {}
    dump = refused_dump(runs["refused"]) if "refused" in runs else \
        apache_dump(runs["dump"]["out"].encode("latin-1").decode("utf-8", "replace") +
                    runs["dump"]["err"].encode("latin-1").decode("utf-8", "replace"), runs["dump"]["rc"])
    apache_user = dump["run"].get("user") or "www-data"  # what the configuration says (the checks read /proc)
    users = sorted({args["app_user"], args["deploy_user"], apache_user, "www-data"})
    parents = sorted({d["ppid"] for d in daemons})
    files = [i["path"] for i in dump["includes"]] + [C.SERVER_ROOT + "/envvars"]
    sudoers = sudoers_lines(snap)
    from .sockets import unix_listeners

    return {"mtimes": mtimes(snap, args["vhost"], sudoers), "listeners": procs.listeners(),
            "unix_listeners": unix_listeners(snap, procs),
            "processes": procs.watched(users), "apache_user": apache_user,
            "apache": dict(dump, files=apache_files(snap, files, dpkg)), "sudoers": sudoers,
            "app_keys": args.get("app_keys"),  # the reader's
            "loader": loader_facts(snap, parents + [d["pid"] for d in daemons], dpkg),
            "load_path": load_path(snap, snap.raw.get("python") or ""), "ld_other": ld_dirs(snap)[1],
            "privileged": privileged_files(snap), "at_jobs": at_jobs(snap),
            "linger": sorted(snap.listdir("/var/lib/systemd/linger") or []),
            "user_units": dict(args.get("user_units") or {}),  # the reader's
            "app_group_members": snap.users.members(args["app_user"]),
            "reaching": procs.reaching(args.get("root", ""), users), "apache_argv": procs.apache_parents(),
            "from_shared": procs.from_shared(),
            "probe_ancestors": procs.ancestors(snap.raw.get("pid") or -1),
            "gid0": sorted(n for n, gid, _ in snap.users.every if gid == 0 and n != "root"),
            "logrotate": logrotate_scripts(snap), "shadowing": shadowing(snap), "root_hooks": root_hooks(snap),
            "perl_shadowing": perl_shadowing(snap), "py_shadowing": py_shadowing(snap),
            "mentions": root_mentions(snap), "system_dirs": snap.raw.get("system_dirs"),
            "programs": snap.raw.get("programs") or {},  # (the login's hashes of what processes run: pins.programs)
            "unwalked": snap.raw.get("unwalked"),
            "mapped": mapped_files(snap), "maps_unread": maps_unread(snap)}


def above_root(root: str) -> list[str]:
    """The directories above the app's root, its parent first, ``/`` last."""
    out, d = [], root.rstrip("/") or "/"
    while d != "/":
        d = posixpath.dirname(d)
        out.append(d)
    return out


def mapped_files(snap: Snapshot) -> list[dict] | None:
    """Every file the stack's Apache binary's processes (its root parent, its workers, the app's daemons) have
    mapped, from the kernel's ``maps``: what they actually load, whatever the loader's configuration says (an
    ``ldconfig DIR`` run puts DIR in ``/etc/ld.so.cache`` with no ``ld.so.conf`` line). ``[{path, pids, loose,
    package}]``: ``loose`` is the first of the file and the directories above it that someone but root may change
    (the root collector's ``lstat`` of each: ``mapped``), or None; ``package``: the dpkg package that ships it.
    Shared memory and devices are no file; a file replaced since it was mapped (``(deleted)``) is the upgrade
    rule's. None when no such process's maps were readable."""
    proc, stats = snap.raw.get("proc") or {}, snap.raw.get("mapped") or {}
    found: dict[str, set] = {}
    code: set[str] = set()  # (mapped executable: code, not data such as a locale archive)
    seen = False
    for pid, entry in proc.items():
        if str(entry.get("exe") or "").split(" (")[0] != C.APACHE_BIN or entry.get("maps") is None:
            continue
        seen = True
        for fields in (ln.split(None, 5) for ln in entry["maps"].splitlines()):
            if len(fields) < 6 or not fields[5].startswith("/"):
                continue  # (anonymous memory, [heap], [stack], [vdso])
            path, runs = fields[5], "x" in fields[1]
            # what it is, by who may name it, never by words its own name may hold: memory is the kernel's name at
            # /, a deleted file one gone() from root's dirs; a device's memory (/dev/zero, a GPU's) is data, but
            # code mapped from a file under /dev (/dev/shm, any user's tmpfs) is judged as any file
            if path.startswith(MEMORY) and not runs or path.startswith("/dev/") and not runs or \
                    path.endswith(" (deleted)") and not path.startswith(MEMORY) and gone(stats, path):
                continue
            found.setdefault(path, set()).add(int(pid))
            if runs:
                code.add(path)
    if not seen:
        return None
    shipped = dpkg_files(snap)
    def loose(path: str) -> str | None:
        said = None if path.startswith(MEMORY) else _loose_mapped(snap, stats, path)
        if said == f"{path} (not looked at)" and path in stats and path.endswith(" (deleted)"):  # (root found it gone,
            return f"{posixpath.dirname(path)} (anyone's to write: who made the file deleted since is not known)"
        return said  # in a directory others may write: gone() did not vouch for it)
    return [{"path": path, "pids": sorted(pids)[:4], "package": shipped.get(path), "code": path in code,
             "loose": loose(path), "memory": path.startswith(MEMORY)} for path, pids in sorted(found.items())]


def maps_unread(snap: Snapshot) -> list[int]:
    """The live children of the stack's Apache binary's processes (its workers, the app's daemons: the kernel's
    parent pid, anyone's to read) whose ``maps`` root could not read (no ``CAP_SYS_PTRACE``, which reading another
    user's needs; Apache's root parent's, root's own, it reads): what they load is not judged, and says so."""
    proc = snap.raw.get("proc") or {}
    apache = {pid for pid, e in proc.items() if str(e.get("exe") or "").split(" (")[0] == C.APACHE_BIN}
    unread = []
    for pid, entry in proc.items():
        rest = (entry.get("stat") or "").rpartition(")")[2].split()
        if len(rest) > 1 and rest[1] in apache and rest[0] not in "ZX" and entry.get("maps") is None:
            unread.append(int(pid))
    return sorted(unread)


def _loose_mapped(snap: Snapshot, stats: dict, path: str) -> str | None:
    """The first, from ``/`` down, of the directories above ``path`` and ``path`` itself (``stats``: the root
    collector's ``lstat`` of each, taken the same way down) that is not root's, is a link, or is writable by group
    or others (a sticky directory aside), as text; None when only root may change any of them. Each level is
    cut from the path as the walk reaches it, never all first (the root collector's walk goes 63 deep: a deeper
    path's level 64 is "not looked at"; a 64 KiB path of ``/.``, every level built first, took the runner 1 GiB)."""
    for p in itertools.chain("/", (path[:m.start()] for m in re.finditer("/", path + "/") if m.start())):
        st = stats.get(p)
        if st is None:
            return f"{p} (not looked at)"
        sticky = stat.S_ISDIR(st[0]) and st[0] & stat.S_ISVTX
        if st[1] != 0 or stat.S_ISLNK(st[0]) or (st[0] & 0o022 and not sticky):
            return "%s %04o %s:%s" % (p, st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2]))
    return None


# ---------------------------------------------------------------- the facts


def app_links(tree: dict, root: str) -> dict[str, str]:
    """``{path: target}`` of the app tree's links the tree reader found (``current``, each release's shared paths),
    which the collectors do not look below: with them a path root names through the tree (``current/data/x``)
    resolves as on the server, into the shared dir the app user writes (:func:`deploytests.verify.rootacts.
    app_writes`). They can only move a path within the app's tree: the reader is the deploy login, whose tree it
    is, and nothing it says makes a path root's."""
    if not root:
        return {}
    links = {f"{root}/current": tree.get("current")}
    live = tree.get("live") or {}
    for rid, release in [(live.get("id"), live), *(tree.get("releases") or {}).items()]:
        for rel, st in ((release or {}).get("shared") or {}).items():
            if rid and isinstance(st, dict) and st.get("kind") == "symbolic link":
                links[f"{root}/releases/{rid}/{rel}"] = st.get("target")
    return {p: t for p, t in links.items() if isinstance(t, str) and t and posixpath.normpath(
        posixpath.join(posixpath.dirname(p), t)).startswith(root + "/")}


def cut_proc(raw: dict) -> dict[str, str]:
    """``{"root: /proc/<pid>/<file>": why}`` of each process's ``environ`` and ``maps`` root's bound cut (it reads
    one byte more than the bound: :func:`deploytests.verify.collect_root.kernel`): what comes past the bound -- a
    library a process mapped after a MiB of mappings, ``LD_PRELOAD`` after 64 KiB of variables -- was never seen,
    so what it maps and finds code by is not known (a fact not read, never a fact read whole). Its ``cmdline``,
    ``status`` and ``stat`` are cut as before: a title is the process's own, the rest the kernel's, bounded."""
    from . import collect_root as R

    bounds = dict(R.WATCHED)
    return {f"root: /proc/{pid}/{name}": f"more than {most} bytes: what comes after them was not read"
            for pid, entry in sorted((raw.get("proc") or {}).items()) for name, most in bounds.items()
            if name != "cgroup" and len((entry or {}).get(name) or "") > most}


def facts(raw: dict, tree: dict, args: dict) -> dict:
    """The facts dict the checks read, from the collector's ``raw`` reply and the tree reader's ``tree`` reply
    (``args``: :func:`deploytests.verify.facts.probe_args`)."""
    snap = Snapshot(dict(raw, app_links=app_links(tree.get("tree") or {}, args.get("root", "").rstrip("/"))))
    as_root = raw.get("uid") == 0
    out: dict = {"login": args.get("login"), "as_root": as_root, "python": raw.get("python"),
                 "executable": args.get("python"), "errors": dict(tree.get("errors") or {}), "raw": snap}
    for key in ("tree", "wsgi_sha256", "config_sha256", "tree_inventory", "http", "login_files", "packaged",
                "bytecode", "login_keys", "loaded", "held_keys", "secret_acls"):
        out[key] = tree.get(key)
    out["errors"].update({f"root: {k}": v for k, v in (raw.get("errors") or {}).items()})
    out["errors"].update(cut_proc(raw))

    def section(name, work, *a):
        try:
            out[name] = work(*a)
        except Exception as exc:  # noqa: BLE001 - one unreadable fact must not hide the others
            out[name] = None
            out["errors"][name] = f"{type(exc).__name__}: {exc}"

    status = snap.data("/var/lib/dpkg/status")
    section("packages", packages, status, args["packages"])
    procs = Procs(snap)
    procs_found, daemons = procs.processes(args["app"], args.get("daemon_display", "(wsgi:{app})"),
                                           args["app_user"], args.get("process_name", "apache2"))
    out["apache"] = [dict(p, started=procs.table[p["pid"]]["started"]) for p in procs_found
                     if p["comm"] == args.get("process_name", "apache2")]
    out["daemons"] = daemons
    out["ports"] = listening_ports(snap)
    out["users"] = {"app": snap.users.facts(args["app_user"]), "deploy": snap.users.facts(args["deploy_user"])}
    section("boot", boot_links, snap, args.get("service", "apache2"))
    section("pythons", lambda: {"mod_wsgi": procs.mapped_pythons(C.APACHE_BIN),
                                "python_home": venv_version(snap.data(PYTHON_HOME + "/pyvenv.cfg"))})
    outside = [PYTHON_HOME, PYTHON_HOME + "/pyvenv.cfg", args["vhost"]]
    # root's view of its paths wins; the reader (the deploy user) is taken only for paths under the app's root
    app_root = args.get("root", "").rstrip("/")
    # (the directories above the app's root: root's view when the collectors looked, else the reader's lstat)
    above = {p: snap.lstat_facts(p) if snap.st(p) is not None else v for p, v in (tree.get("stat") or {}).items()
             if app_root and p in above_root(app_root)}
    out["stat"] = dict({p: v for p, v in (tree.get("stat") or {}).items() if app_root and (
        p == app_root or p.startswith(app_root + "/"))}, **above, **{p: snap.lstat_facts(p) for p in outside}) \
        if tree.get("stat") is not None else None
    if out["stat"] is None:
        out["errors"]["stat"] = out["errors"].pop("stat", "the tree's reader failed")
    out["sites_enabled"] = sorted(snap.listdir(args.get("sites_enabled", C.SERVER_ROOT + "/sites-enabled")) or [])
    out["vhost"] = snap.text(args["vhost"]) or ""
    out["lock_held"] = lock_held(snap, tree.get("lock_ino"))
    if as_root:
        sudoers = f"/etc/sudoers.d/deploytests-{args['app']}"
        out["sudoers"] = {"stat": snap.lstat_facts(sudoers), "text": snap.text(sudoers) or ""}
        st = snap.st(R.ERROR_LOG)
        if st and stat.S_ISREG(st[0]) and st[1] == 0:
            out["error_log_size"] = st[3]
        else:  # (gone while Apache holds it: no probe failure, sec_logs names it)
            out["error_log_size"] = None
            if st or posixpath.basename(R.ERROR_LOG) in (snap.listdir(posixpath.dirname(R.ERROR_LOG)) or [""]):
                out["errors"]["error_log_size"] = f"{R.ERROR_LOG} is not a regular file owned by root"
        runs = raw.get("runs") or {}
        if "refused" in runs:
            out["configtest"] = {"rc": None, "stderr": runs["refused"], "modules": []}
        elif "configtest" in runs:
            ct, mods = runs["configtest"], runs.get("modules") or runs.get("dump") or {"out": "", "rc": None}
            err = (ct["out"] + ct["err"]).encode("latin-1").decode("utf-8", "replace")
            text = mods["out"].encode("latin-1").decode("utf-8", "replace")
            out["configtest"] = {"rc": ct["rc"], "stderr": err.strip(), "modules_rc": mods["rc"],
                                 "modules": re.findall(r"^ (\w+) \((?:static|shared)\)$", text, re.M)}
        if runs:
            section("inventory", inventory, snap, procs, dict(args, app_keys=tree.get("app_keys"),
                                                       user_units=tree.get("user_units")), daemons,
                    conffiles(status))
    return out
