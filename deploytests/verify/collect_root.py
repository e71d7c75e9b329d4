"""The gate's root part: a flat collector of raw bytes, the only gate code that can run as root.

The runner sends this file on stdin to the stack's system python (``sudo -n /usr/bin/python3 -I -S -c BOOT``, or as
the login itself when it has no sudo). It takes a closed set of inputs (:data:`PATTERNS`: the app's name, the app
and deploy users' names, the diagnostics' byte offset), each matched in full; **no path comes from its
arguments**: every path it touches is one of the constants below or built from them and those names. It parses
nothing and runs nothing of anyone but root: it returns raw, bounded bytes, and the runner parses them as data
(:mod:`deploytests.verify.parse`). Rules for this file: standard library only, Python >= 3.7, no imports from
deploytests, flat. docs/security.md counts its lines.

What it returns (one JSON object, zlib-compressed and base64-encoded, after :data:`MARK`); bytes are latin-1 text:

- ``uid``, ``pid`` (its own: the gate's SSH session is above it), ``time`` and ``uptime`` (``/proc/uptime``, read
  together), ``python`` (X.Y), ``ticks`` (``SC_CLK_TCK``), ``errors`` ({what: why});
- ``files``: ``{path: {"st": [mode, uid, gid, size, mtime, ino], "link": target, "data": bytes, "why": text}}``:
  the ``lstat`` of every path it looked at (and of each directory above it); ``data`` only for a regular file,
  opened with ``O_NOFOLLOW``, owned by root and not writable by group or others (else ``why`` says which),
  at most :data:`LIMIT` bytes. Read: :data:`FILES`; every file under :data:`TREES` (entries and depth bounded;
  a bound hit is in ``errors``; a link at a tree's top is recorded, never walked); the listing of each directory
  named by an absolute line of ``/etc/ld.so.conf`` or an ``/etc/ld.so.conf.d`` file (only root's files are read,
  so only root's lines are taken: a line is a name to ``lstat``, the one thing it reads out of a file);
  the stdlib's ``*.pth``/``*customize`` hooks,
  through links only root made; dpkg's ``/var/lib/dpkg/info/*.list``; every crontab and ``at`` job (their
  owners' files: bytes only, never parsed here; the directories are root's, cron's ``1730 root:crontab`` and
  at's ``1770 daemon:daemon``); the Apache error log's tail. An executable regular file's ``caps``: its
  ``security.capability`` xattr's raw bytes (file capabilities), when it has one.
- ``dirs``: ``{directory: [names]}`` of every directory listed.
- ``user_units``: the names in the app, deploy and Apache users' systemd user unit dirs (``~/.config/systemd/user``,
  ``~/.local/share/systemd/user``) and their ``*.wants`` dirs (each home walked from ``/`` by directory fds with
  ``O_NOFOLLOW``; names only).
- ``proc``: ``{pid: {uid, stat, status, cmdline, exe, sockets}}`` for every process (``sockets`` None: its fds
  were not readable), plus ``cwd``, ``environ`` and
  ``maps`` for the app user's processes and the stack's Apache binary's (the daemons and their parents).
- ``runs``: ``apache2ctl configtest`` (the reload's own check) and ``-t -D DUMP_MODULES -D DUMP_INCLUDES
  -D DUMP_VHOSTS -D DUMP_RUN_CFG`` (one run: Apache prints each dump; as root
  only, with a fixed environment, and only when the tool, Apache's binary, its modules and everything under the
  ServerRoot are root's and not writable by others: else ``refused`` says what is not).
- ``since``: (diagnostics) the error log from byte ``since``, never more than its last :data:`LIMIT` bytes.
"""

import base64
import glob
import json
import os
import pwd
import re
import stat
import subprocess
import sys
import time
import zlib

MARK, NONCE = "@@DT-ROOT ", 33  # the mark, and the bytes of the nonce line the runner sends after this file
NAME = r"[a-z_][a-z0-9_-]{0,31}"
PATTERNS = {"app": r"[a-z][a-z0-9_]{0,31}", "app_user": NAME, "deploy_user": NAME, "since": r"[0-9]{1,18}",
            "diagnose": r"true|false", "check": r"true|false"}
# the stack's fixed constants (every supported stack shares Debian's Apache layout; a unit test holds them equal)
SERVER_ROOT, APACHECTL, APACHE_BIN = "/etc/apache2", "/usr/sbin/apache2ctl", "/usr/sbin/apache2"
MODULES, ERROR_LOG, STATE = "/usr/lib/apache2/modules", "/var/log/apache2/error.log", "/var/lib/deploytests"
PY = "%d.%d" % sys.version_info[:2]
FILES = ["/etc/sudoers", "/etc/passwd", "/etc/group", "/etc/crontab", "/etc/ld.so.preload", "/etc/ld.so.conf",
         "/etc/logrotate.conf"]
HOOKS = ["/etc/rc.local", "/etc/anacrontab", "/etc/profile", "/etc/bash.bashrc", "/etc/environment"]  # root runs
FILES += HOOKS
FILES += ["/var/lib/dpkg/status", "/var/lib/dpkg/statoverride", "/proc/locks"]
FILES += ["/proc/net/" + n for n in ("tcp", "tcp6", "udp", "udp6", "unix")]
UNITS = ["/etc/systemd/system", "/run/systemd/system", "/run/systemd/transient", "/usr/local/lib/systemd/system"]
TREES = [("/etc/sudoers.d", 1, True), (SERVER_ROOT, 8, True), ("/etc/cron.d", 1, True), (STATE, 6, True),
         (MODULES, 1, False), ("/var/spool/cron/crontabs", 1, False), ("/var/spool/cron/atjobs", 1, False)]
TREES += [(d, 4, True) for d in UNITS] + [("/var/lib/systemd/linger", 1, False), ("/etc/logrotate.d", 1, True)]
TREES += [("/etc/apt/apt.conf.d", 1, True), ("/etc/profile.d", 1, True)]  # apt's and login shells' hooks
FILES += ["/etc/ssh/sshd_config", "/etc/security/limits.conf", "/etc/security/pam_env.conf"]  # logins (world-readable)
FILES += ["/etc/apt/sources.list"]  # where root's package updates come from (world-readable)
TREES += [("/etc/ssh/sshd_config.d", 1, True), ("/etc/pam.d", 1, True), ("/etc/security/limits.d", 1, True)]
TREES += [("/etc/apt/sources.list.d", 1, True), ("/etc/ssh", 2, False)]  # (/etc/ssh: who may write its dirs)
TREES += [("/etc/rc%s.d" % n, 1, False) for n in "2345"] + [("/etc/cron." + n, 1, True)
                                                             for n in ("hourly", "daily", "weekly", "monthly")]
HOOK_DIRS = ["/usr/lib/python" + PY, "/usr/lib/python%s/lib-dynload" % PY, "/usr/local/lib/python" + PY]
COMMANDS = ["/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"]  # setuid files, root's PATH
TREES += [(d, 1, False) for d in COMMANDS + HOOK_DIRS] + [("/etc/ld.so.conf.d", 1, True)]  # who may write them
INCLUDE = re.compile(r"^[ \t]*(Include(?:Optional)?|LoadModule[ \t]+\S+|LoadFile)[ \t]+\"?([^\"\s]+)", re.I | re.M)
HOOK = re.compile(r"((site|user)customize\b.*|.*\.pth)$")
LISTED = [(d, HOOK) for d in HOOK_DIRS] + [("/var/lib/dpkg/info", re.compile(r".+\.list$"))]  # dpkg: whose file
LIMIT, BIG, ENTRIES, PIDS = 1 << 20, 64 << 20, 5000, 8192  # bytes of a file, bytes in all, entries of a tree
# "configtest" is the very command the pipeline's reload runs first (agent_root: ``apache2ctl configtest``, which
# ``graceful`` runs too): a config dump (-D DUMP_*) skips checks such as mod_ssl's certificate files
RUNS = {"configtest": ("configtest",), "dump": ("-t", "-D", "DUMP_MODULES", "-D", "DUMP_INCLUDES", "-D", "DUMP_VHOSTS",
                                               "-D", "DUMP_RUN_CFG")}
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}  # apache2ctl never inherits the login's


def check(args):
    """The closed set of inputs: an unknown, missing or off-pattern field stops here, before anything is read."""
    need = {"app"} if args.get("diagnose") or args.get("check") else {"app", "app_user", "deploy_user"}
    bad = sorted(need - set(args)) + sorted(k for k, v in args.items() if not re.fullmatch(PATTERNS.get(k, "^$"),
                                                                                           json.dumps(v).strip('"')))
    if bad:
        raise SystemExit("collect_root: missing or off-pattern: %s (the closed set: %s)" % (bad, PATTERNS))


def note(out, path):
    """Record the ``lstat`` of ``path`` and of each directory above it; the stat result, or None."""
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        p = "/".join(parts[:i]) or "/"
        try:  # (a link gone between lstat and readlink is recorded as gone)
            st = out["files"].get(p) or os.lstat(p)
            if isinstance(st, os.stat_result):
                out["files"][p] = {"st": [st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime, st.st_ino],
                                   **({"link": os.readlink(p)} if stat.S_ISLNK(st.st_mode) else {})}
                if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111:  # a program's capabilities: raw xattr bytes
                    out["files"][p].update(caps(p))
        except OSError as exc:
            out["files"][p] = {"why": exc.strerror}
    return out["files"][path].get("st")


def read(out, path, limit=LIMIT, anyone=False, tail=None):
    """Record ``path`` and, when it is root's regular file not writable by others (``anyone``: any owner's),
    at most ``limit`` bytes of it (``tail``: from that byte, never before its last ``limit``)."""
    note(out, path)
    entry = out["files"][path]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return entry.update(why=exc.strerror)
    with open(fd, "rb", buffering=0) as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not anyone and (st.st_uid != 0 or st.st_mode & 0o022):
            return entry.update(why="not a regular file of root's, not writable by group or others: not read")
        if tail is None and st.st_size > min(limit, BIG - out["size"]):  # never parsed in part: not at all
            return entry.update(why="larger than the %d bytes it may send: not read" % min(limit, BIG - out["size"]))
        f.seek(0 if tail is None else max(tail, st.st_size - limit, 0))
        entry["data"] = f.read(limit).decode("latin-1")  # a regular file: one read returns all up to ``limit``
        out["size"] += len(entry["data"])
        return entry["data"]


def caps(path):
    try:
        return {"caps": os.getxattr(path, "security.capability", follow_symlinks=False).decode("latin-1")}
    except OSError:  # none (ENODATA), or no xattrs here
        return {}


def rooted(out, path):
    """Whether ``path`` and every directory above it are root's, not links, not writable by group or others."""
    note(out, path)
    up = [out["files"].get("/".join(path.split("/")[:i]) or "/", {}) for i in range(1, path.count("/") + 2)]
    return all(u.get("st") and not stat.S_ISLNK(u["st"][0]) and u["st"][1] == 0 and not u["st"][0] & 0o022 for u in up)


def follow(out, path, limit=LIMIT):
    """Record ``path``'s links hop by hop (at most 8), going on only through a link of root's in root's
    directories, and read the file reached when it and its directories are root's."""
    for _ in range(8):
        st = note(out, path)
        if not st or not stat.S_ISLNK(st[0]):
            break
        if st[1] != 0 or not rooted(out, os.path.dirname(path)):
            return
        path = os.path.normpath(os.path.join(os.path.dirname(path), out["files"][path]["link"]))
    else:
        return out["errors"].update({path: "more than 8 links: not followed further"})
    if rooted(out, path):
        read(out, path, limit)


def tree(out, top, depth, data):
    """Record every entry under ``top`` (links not followed), at most :data:`ENTRIES` and ``depth`` levels (1: a
    listing); the bytes of root's files among them when ``data``. A bound hit is in ``errors``."""
    count = 0
    if note(out, top) and stat.S_ISLNK(out["files"][top]["st"][0]):
        return  # a link: recorded, never walked (/bin on a merged /usr is /usr/bin, walked as itself)
    unlisted = lambda e: isinstance(e, FileNotFoundError) or out["errors"].setdefault(e.filename, e.strerror)  # noqa
    for base, dirs, files in os.walk(top, onerror=unlisted):  # (a tree that is not there is not an error)
        out["dirs"][base] = sorted(dirs + files)
        for name in out["dirs"][base]:
            count += 1
            if count > ENTRIES:
                out["errors"][top] = "more than %d entries: the rest not looked at" % ENTRIES
                return
            st = note(out, os.path.join(base, name))
            if data and st and stat.S_ISREG(st[0]):
                read(out, os.path.join(base, name))
        if dirs and base[len(top):].count("/") + 1 >= depth:
            if depth > 1:
                out["errors"].setdefault(top, "deeper than %d levels: not looked at below %s" % (depth, base))
            dirs[:] = []


def proc_read(path, limit):
    """At most ``limit`` bytes of a file of the kernel's ``/proc`` (latin-1 text), or None."""
    try:
        with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as f:  # buffered: reads to EOF
            return f.read(limit).decode("latin-1")  # (/proc's maps and environ give a page per read call)
    except OSError:
        return None


def processes(out, watch):
    """The kernel's view of every process (bounded: a bound hit is in ``errors``): see the module doc."""
    for pid in bounded(out, "processes", [p for p in os.listdir("/proc") if p.isdigit()], PIDS):
        base = "/proc/" + pid
        try:
            entry = {"uid": os.lstat(base).st_uid}
        except OSError:
            continue  # gone meanwhile
        for name, limit in (("stat", 4096), ("status", 16384), ("cmdline", 4096)):
            entry[name] = proc_read(base + "/" + name, limit)
        entry["exe"] = link(base + "/exe")
        if entry["uid"] in watch or (entry["exe"] or "").split(" (")[0] == APACHE_BIN:  # daemons, parents
            entry.update(cwd=link(base + "/cwd"), environ=proc_read(base + "/environ", 65536),
                         maps=proc_read(base + "/maps", LIMIT))
        try:
            fds = bounded(out, "open files of " + pid, os.listdir(base + "/fd"), 4096)
        except OSError:  # not visible (no CAP_SYS_PTRACE, or gone): None, never taken for "no sockets"
            fds = None
        entry["sockets"] = fds and [t for t in map(link, (base + "/fd/" + f for f in fds)) if str(t)[:8] == "socket:["]
        out["proc"][pid] = entry


def bounded(out, what, items, most):
    out["errors"].update({what: "more than %d: the rest not looked at" % most} if len(items) > most else {})
    return items[:most]


def link(path):
    try:
        return os.readlink(path)
    except OSError:
        return None


def loose(out):
    """The first of what ``apache2ctl`` makes root run, source or load that someone but root may change: the tool,
    Apache, its modules, every file under the ServerRoot and the file each link there names, and what their
    ``Include*``, ``LoadModule`` and ``LoadFile`` lines name elsewhere (each file, the directory it is matched in,
    and what an included file's own lines name). Only root's files are read for those lines."""
    todo = [APACHECTL, APACHE_BIN] + [p for p in list(out["files"]) if p.startswith((SERVER_ROOT, MODULES))]
    conf = {p for p in todo if p.startswith(SERVER_ROOT + "/")}
    for path in todo:  # (it grows as it is walked, to a bound)
        note(out, path)
        to = os.path.normpath(os.path.join(os.path.dirname(path), out["files"][path].get("link", path)))
        if not rooted(out, os.path.dirname(path)) or not rooted(out, to):
            return "%s may be changed by someone other than root" % path
        entry = out["files"][to]
        text = path in conf and stat.S_ISREG(entry["st"][0]) and (entry.get("data") or read(out, to)) or ""
        for kind, name in INCLUDE.findall(text):
            name = os.path.normpath(os.path.join(SERVER_ROOT, name))
            if name.startswith((SERVER_ROOT + "/", MODULES + "/")):
                continue
            if len(todo) > ENTRIES:  # not all looked at: not run
                return "more than %d files to look at in what Apache's configuration names" % ENTRIES
            base = re.split(r"[*?[]", name)[0].rsplit("/", 1)[0] or "/"  # where a match could be added
            while not os.path.lexists(base):
                base = os.path.dirname(base)
            matches = sorted(glob.glob(name))
            found = [m for m in matches if not os.path.isdir(m)]
            found += [os.path.join(b, f) for m in matches for b, ds, fs in os.walk(m) for f in fs + ds]
            todo += [base] + found
            conf.update(found if kind[:7].lower() == "include" else ())
    return None


def finish(out, started):
    for name, proc in started.items():
        try:
            stdout, stderr = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        if max(len(stdout), len(stderr)) > LIMIT:
            out["errors"]["runs " + name] = "more than %d bytes of output: its last %d bytes kept" % (LIMIT, LIMIT)
        out["runs"][name] = {"rc": proc.returncode, "out": stdout[-LIMIT:].decode("latin-1"),
                             "err": stderr[-LIMIT:].decode("latin-1")}


def home(user, rel, work):
    """``work(fd)`` on ``user``'s ``~/<rel>`` opened by walking from ``/`` with ``O_NOFOLLOW``; None when absent."""
    fds = [os.open("/", os.O_RDONLY | os.O_DIRECTORY)]
    try:
        for part in [p for p in (pwd.getpwnam(user).pw_dir + "/" + rel).split("/") if p]:
            fds.append(os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fds[-1]))
        return work(fds[-1])
    except (KeyError, OSError):
        return None
    finally:
        list(map(os.close, fds))


def user_units(out, users):
    """The names in each watched user's systemd user unit dirs and their ``*.wants``/``*.requires`` dirs:
    ``{"user:~/dir/": names, "user:~/dir/x.wants/": names}`` (what its ``systemd --user`` manager may start)."""
    for user in users:
        for rel in (".config/systemd/user/", ".local/share/systemd/user/"):
            top = home(user, rel, os.listdir)
            for sub in [""] + [n + "/" for n in top or [] if n.endswith((".wants", ".requires"))][:64]:
                found = top if not sub else home(user, rel + sub, os.listdir)
                out["user_units"].update({"%s:~/%s%s" % (user, rel, sub): sorted(found)[:ENTRIES]} if found else {})


def collect(args):
    check(args)
    out = {"uid": os.getuid(), "pid": os.getpid(), "time": time.time(), "uptime": proc_read("/proc/uptime", 100),
           "python": PY, "ticks": os.sysconf("SC_CLK_TCK"), "errors": {}, "files": {}, "dirs": {}, "proc": {},
           "runs": {}, "size": 0, "user_units": {}}
    if args.get("diagnose"):
        read(out, "%s/sites-available/%s.conf" % (SERVER_ROOT, args["app"]))
        out["since"] = read(out, ERROR_LOG, tail=args["since"]) if "since" in args else None
        read(out, ERROR_LOG, tail=0)
        return out
    if args.get("check"):  # (bootstrap, before root runs apache2ctl) whether it may
        for top, depth, data in [t for t in TREES if t[0] in (SERVER_ROOT, MODULES)]:
            tree(out, top, depth, data)
        out["runs"]["refused"] = loose(out) if os.path.lexists(APACHECTL) else None
        return out
    users = [args["app_user"], args["deploy_user"], "www-data", "root"]  # root's: what runs as root on a schedule
    started = {}
    # first, while no program of ours runs: the kernel's view (the app user's processes in full). A step's failure
    # (a name someone else chose, a file gone meanwhile) is in ``errors`` and the rest goes on: never a dead reply
    steps = [("processes", processes, {p.pw_uid for p in pwd.getpwall() if p.pw_name == users[0]} - {0})]
    steps += [(t[0], tree) + t for t in TREES] + [("runs", start, started)]
    steps += [(p, read, p, BIG if p.endswith("/status") else LIMIT) for p in FILES]
    steps += [("crontabs", crontabs)]
    steps += [("ld.so.conf's dirs", ld_dirs)]
    steps += [("hooks", hooks), (ERROR_LOG, note, ERROR_LOG), ("app", note, "/var/www/" + args["app"]),
              ("user units", user_units, users[:3]), ("runs", finish, started)]
    for what, work, *more in steps:
        try:
            work(out, *more)
        except Exception as exc:
            out["errors"][what] = "%s: %s" % (type(exc).__name__, exc)
    return out


def crontabs(out):
    """Every crontab and every at job (their owners' files: bytes only, never parsed here; the directories are
    root's and cron's or at's own, ``1730 root:crontab`` and ``1770 daemon:daemon``)."""
    for d in ("/var/spool/cron/crontabs", "/var/spool/cron/atjobs"):
        for name in [n for n in out["dirs"].get(d, []) if not n.startswith(".")][:256]:
            read(out, d + "/" + name, 65536, True)


def ld_dirs(out):
    """List each dir the dynamic linker's conf names (an absolute line of a file of root's, read above)."""
    note(out, "/etc/ld.so.cache")
    confs = ["/etc/ld.so.conf"] + ["/etc/ld.so.conf.d/" + n for n in out["dirs"].get("/etc/ld.so.conf.d", [])]
    lines = {ln.split("#")[0].strip() for c in confs for ln in (out["files"][c].get("data") or "").splitlines()}
    for d in sorted(x for x in lines if x.startswith("/"))[:64]:
        tree(out, d, 1, False)


def hooks(out):
    for d, pattern in [(d, p) for d, p in LISTED if os.path.isdir(d)]:
        out["dirs"][d] = sorted(os.listdir(d))
        for name in filter(pattern.match, out["dirs"][d]):
            follow(out, d + "/" + name)


def start(out, started):
    if out["uid"] == 0 and os.path.lexists(APACHECTL):
        refused = loose(out)
        if refused:
            out["runs"]["refused"] = "not run as root: " + refused
        else:  # all at once, while the rest is read
            started.update({k: subprocess.Popen((APACHECTL,) + w, stdin=subprocess.DEVNULL,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd="/")
                            for k, w in RUNS.items()})


def main(argv):
    """The reply after ``MARK`` and the run's nonce (sent on stdin after this file: the runner takes only the line
    that carries it, so no other program's output can stand for root's); then, given its arguments (``argv[1]``)
    and its source (the rest of stdin), the tree reader, as the deploy user (:func:`become`)."""
    nonce, args = sys.stdin.buffer.read(NONCE).decode("ascii", "replace").strip(), json.loads(argv[0])
    reply = json.dumps(collect(args), sort_keys=True, ensure_ascii=False)
    reply = reply.encode("utf-8", "surrogateescape")  # a name's bytes as they are (the runner makes them safe)
    sys.stdout.write(MARK + nonce + " " + base64.b64encode(zlib.compress(reply, 1)).decode() + "\n")
    sys.stdout.flush()
    if argv[1:]:  # then the tree reader: its arguments, its source the rest of stdin
        if os.getuid() == 0:
            become(args.get("deploy_user", ""))
        sys.argv = ["deploytests-reader", argv[1]]
        exec(compile(sys.stdin.buffer.read(), "deploytests-reader", "exec"), {"__name__": "__main__"})
    return 0


def become(name):
    """Be ``name`` for good (``nobody`` when it is absent or root): its groups, gid, uid; nothing runs as root
    after this. As the uid changes the kernel makes the process non-dumpable: no process of that user may attach
    to it, read its memory or take its file descriptors (its stdout is the probe's), as it could a program it
    started or one ``sudo -u`` started. So the tree reader's reply is not the deploy user's to forge."""
    user = next((p for p in pwd.getpwall() if p.pw_name == name and p.pw_uid), None) or pwd.getpwnam("nobody")
    os.initgroups(user.pw_name, user.pw_gid)
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
