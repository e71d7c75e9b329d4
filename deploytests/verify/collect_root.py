"""The gate's root part: the only gate code that can run as root, and it reads only what needs root.

Everything any login may read (Apache's configuration, ``/etc/passwd``, dpkg's database, unit and hook files) is
read by the gate's own login (:mod:`deploytests.verify.collect_login`), in the same ``sh -c`` line, just before
this. What is left needs root: sudoers (``0440``, its directory ``0750``), what ordinary hardening makes root's
alone of what the login reads (:data:`HIDDEN`: a ``0700`` ``/etc/cron.d``, a ``0600`` ``sshd_config``), the
crontabs and ``at`` jobs (their directories ``1730 root:crontab`` and ``1770 daemon:daemon``), other users'
``/proc`` entries (``exe``, ``cwd``, ``environ``, ``maps``, open files: ``CAP_SYS_PTRACE``), the Apache error log
(``0640 root:adm``) and ``apache2ctl``'s runs. The runner sends this file on stdin to the stack's system python
(``sudo -n /usr/bin/python3 -I -S -c BOOT``, or as the login itself when it has no sudo), then the run's nonce. It takes
a closed set of inputs (:data:`PATTERNS`: the app's name, the app and deploy users' names, whether it is the
diagnostics), each matched in full, and the login collector's exit status (0 only when nothing ``apache2ctl`` makes
root run, source or load may be changed by someone but root); **no path comes from its arguments**: every path it
touches is one of the constants below. It parses nothing and runs nothing of anyone but root: it returns raw,
bounded bytes, and the runner parses them as data (:mod:`deploytests.verify.parse`). Rules for this file:
standard library only, Python >= 3.7, no imports from deploytests, flat. docs/security.md counts its lines.

What it returns (one JSON object, zlib-compressed and base64-encoded, after :data:`MARK`); bytes are latin-1 text:

- ``uid``, ``pid`` (its own: the gate's SSH session is above it), ``errors`` ({what: why}) (the clock, the uptime,
  the Python version and the clock tick, anyone's to read, are the login collector's);
- ``files``: ``{path: {"st": [mode, uid, gid, size, mtime, ino, ctime], "link": target, "data": bytes, "why": text}}``
  of ``/etc/sudoers``, every entry of ``/etc/sudoers.d`` (root's regular files, not writable by group or others:
  their bytes), :data:`GRANTS` (at's and cron's lists of who may queue jobs too), every crontab and ``at`` job
  (their owners' files: bytes only, never parsed here; at most 256 each, 64 KiB each) and the error log (its
  ``lstat`` and last 64 KiB: when Apache's root parent last began a reload, ``parse.reload_began``; in
  diagnostics, its tail);
- ``dirs``: ``{directory: [names]}`` of those directories and of root's Python user site (its entries read as
  sudoers' are: root's ``.pth`` files);
- ``proc``: ``{pid: {uid, stat, status, cmdline, exe, cwd, sockets, open}}`` for every process (``sockets`` None:
  its fds were not readable; ``open``: the files it holds open, at most 64), plus ``environ`` and ``maps`` for the
  processes of the app user, the deploy user and Apache's run user (:data:`APACHE_USER`: the processes an
  ``allow_processes`` entry may name, whose environment it binds) and the stack's Apache binary's (the daemons and
  their parents), and ``environ`` for root's (where a root program finds code by name: ``PYTHONPATH``,
  ``LD_PRELOAD``, ``PATH``);
- ``mapped``: ``{path: [mode, uid, gid, size, mtime, ino, ctime] or None}``: the ``lstat`` of each file those ``maps``
  name, of each path those ``environ`` name, of every process's program (its ``exe``), of :data:`ROOT_FILES`,
  and of each absolute path root's own files read here name (crontab, ``at`` jobs,
  user site's ``.pth`` files, sudoers files, root's home's files), and of each directory above it (who may change
  what Apache, the daemons, root's own schedules, shells, tools and sudo's rules run, load or read);
- ``runs``: ``apache2ctl configtest`` (the reload's own check) and ``-t -D DUMP_MODULES -D DUMP_INCLUDES
  -D DUMP_VHOSTS -D DUMP_RUN_CFG`` (one run: Apache prints each dump), one after the other, as root only, with a
  fixed environment, only when the login collector said 0 (else ``refused``);
- ``shadow``, ``gshadow``: each ``/etc/shadow`` and ``/etc/gshadow`` entry without its hash (:func:`shadow`);
  ``files`` also holds root's ``authorized_keys`` (public keys), shell startup files and the configuration root's
  tools read from its home (:data:`ROOT_FILES`), and the key files sshd reads for every login (:func:`keys`: a
  second admin's ``authorized_keys``, ``0600`` in its home; bytes only, read through no link);
- in diagnostics, only the error log's ``files`` entry: its last :data:`LIMIT` bytes (the runner keeps what came
  after the size it saw when verification began).
"""

import base64
import json
import os
import pwd
import re
import stat
import subprocess
import sys
import zlib

# the mark, the bytes of the nonce line the runner sends after this file, a user's name, Apache's run user
MARK, NONCE, NAME, APACHE_USER = "@@DT-ROOT ", 33, r"[a-z_][a-z0-9_-]{0,31}", "www-data"
PATTERNS = {"app": r"[a-z][a-z0-9_]{0,31}", "app_user": NAME, "deploy_user": NAME, "diagnose": r"true|false"}
# the stack's fixed constants (every supported stack shares Debian's Apache layout; a unit test holds them equal)
APACHECTL, APACHE_BIN, ERROR_LOG = "/usr/sbin/apache2ctl", "/usr/sbin/apache2", "/var/log/apache2/error.log"
# ---- what only root may read: (directory, entries at most, any owner's files) -- sudoers, crontabs, at jobs, and
# root's own Python user site (its .pth files: on the sys.path of every python3 root runs without -s or -I)
ROOT_ONLY = [("/etc/sudoers.d", 5000, False), ("/var/spool/cron/crontabs", 256, True), ("/var/spool/cron/atjobs",
             256, True)] + [("/root/.local/lib/python3.%d/site-packages" % v, 256, False) for v in (11, 13)]
# bytes of a file, bytes in all as the reply writes them (the runner takes 64 MiB: room for its structure),
# processes; the error log and its last rotation (logrotate renames it, then reloads Apache, whose restart signal
# line goes to the renamed file, kept uncompressed by its delaycompress)
LIMIT, BIG, PIDS, LOGS = 1 << 20, 48 << 20, 8192, (ERROR_LOG, ERROR_LOG + ".1")
# the sockets again, after the walk of /proc: one the login collector's read listed before it and still here was
# there the whole walk, its holder with it (a daemon restarting between the reads is neither: not "held by no one")
NET = ["/proc/net/" + n for n in ("tcp", "tcp6", "udp", "udp6", "unix")]
# root's configuration that grants and that only root may read: sudoers (0440), and who may queue jobs: at's lists
# (at.deny 0640 root:daemon, as at ships it) and cron's (often 0600): emptied or widened, the app user may schedule
GRANTS = ["/etc/sudoers", "/etc/at.allow", "/etc/at.deny", "/etc/cron.allow", "/etc/cron.deny"]
# what hardening makes root's alone of what the login collector reads and judges (CIS's and DevSec's: cron's
# places 0700 and 0600, sshd's configuration 0600 and its drop-ins' directory 0700, PAM's and limits' o-rwx; root's
# umask 027, each file root writes there later 0640): root's copy, read as sudoers' is (root's regular files, not
# writable by group or others: their bytes; any other: its lstat). The runner takes it where the login's read was
# refused (deploytests.verify.facts.read_root); where root's is refused too, the rules name the file
HIDDEN = ["/etc/" + n for n in "crontab ssh/sshd_config security/limits.conf security/pam_env.conf".split()]
ROOT_ONLY += [("/etc/" + n, 256, False) for n in "cron.d cron.hourly cron.daily cron.weekly cron.monthly pam.d "
              "profile.d security/limits.d ssh/sshd_config.d".split()]
# what /proc/<pid>/ gives of every process, and of the watched ones (bytes at most; 0: a link's target)
# (``cwd`` of every process: anyone's, where its relative paths go; ``cgroup`` of the watched and root's: pid 1's)
# the lstat fields of a file the reply gives, in this order: all of them in ``files``' "st" and in ``mapped``
# (ctime: allow_mapped's pin; the kernel sets it at every write and chmod, and no one sets it back)
STAT = ("mode", "uid", "gid", "size", "mtime", "ino", "ctime")
PROC = [("status", 16384), ("cmdline", 4096), ("exe", 0), ("cwd", 0)]
WATCHED = [("environ", 65536), ("maps", LIMIT), ("cgroup", 4096)]
# who logs in as root: root's keys (public: bytes, parsed on the runner); /etc/shadow without its hashes (shadow());
# root's shell startup files and ~/.ssh/rc (/root is 0700: what runs when root logs in or an admin becomes root), and
# the per-user configuration root's tools read (git's, pip's, distutils', npm's, wget's, curl's, the SSH client's,
# sshd's ~/.ssh/environment, the editor sensible-editor runs and vim's ~/.vimrc: what they run or load, and the
# checks they make). keys() reads the same names in every login's home (a second admin's .bashrc in its 0700 home:
# Debian 13's useradd -m)
ROOT_FILES = ["/root/." + n for n in ("ssh/authorized_keys ssh/authorized_keys2 bashrc profile bash_profile "
    "bash_login bash_logout ssh/rc ssh/config ssh/environment gitconfig npmrc config/git/config pip/pip.conf "
    "config/pip/pip.conf pydistutils.cfg wgetrc curlrc selected_editor vimrc").split()]
# "configtest" is the very command the pipeline's reload runs first (agent_root: ``apache2ctl configtest``, which
# ``graceful`` runs too): a config dump (-D DUMP_*) skips checks such as mod_ssl's certificate files
RUNS = {"configtest": ("configtest",), "dump": ("-t", "-D", "DUMP_MODULES", "-D", "DUMP_INCLUDES", "-D", "DUMP_VHOSTS",
                                               "-D", "DUMP_RUN_CFG")}



def check(args):
    """The closed set of inputs: an unknown, missing or off-pattern field stops here, before anything is read."""
    bad = sorted(({"app"} if args.get("diagnose") else {"app", "app_user", "deploy_user"}) - set(args)) + sorted(
        k for k, v in args.items() if not re.fullmatch(PATTERNS.get(k, "^$"), json.dumps(v).strip('"')))
    if bad:
        raise SystemExit("collect_root: missing or off-pattern: %s (the closed set: %s)" % (bad, PATTERNS))


def read(out, path, limit=LIMIT, anyone=False, tail=None):
    """Record ``path``'s ``lstat`` and, when it is root's regular file not writable by group or others, at most
    ``limit`` bytes of it (``tail``: from that byte, never before its last ``limit``). ``anyone``: any owner's file
    with no other name (a crontab, a login's key file: a hard link to a file of root's is not read), opened from
    ``/`` one name at a time, none of them followed if it is a link (``O_NOFOLLOW``): its owner may make or swap a
    link on its way (its home, ``~/.ssh``), and root follows none. Whatever it finds there (a directory, a FIFO, a
    name gone meanwhile, an error) is this entry's ``why``: never the end of the step that reads the next one."""
    entry, fd = out["files"].setdefault(path, {}), os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:  # (a link gone between lstat and readlink is recorded as gone)
        st = os.lstat(path)
        entry.update(st=[getattr(st, "st_" + k) for k in STAT])
        entry.update({"link": os.readlink(path)} if stat.S_ISLNK(st.st_mode) else {})
        for name in path.split("/")[1:] if anyone else [path]:  # (an absolute path: opened as it is)
            up, fd = fd, os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
            os.close(up)
        st = os.fstat(fd)  # (what was opened: its type and owner before a byte is read)
        if not stat.S_ISREG(st.st_mode) or (st.st_nlink > 1 if anyone else st.st_uid != 0 or st.st_mode & 0o022):
            return entry.update(why="not a regular file %s: not read" % ("with one name" if anyone else
                                                                         "of root's, not writable by group or others"))
        if tail is None and st.st_size > min(limit, BIG - out["size"]):  # never parsed in part: not at all
            return entry.update(why="larger than the %d bytes it may send: not read" % min(limit, BIG - out["size"]))
        with open(fd, "rb", closefd=False) as f:  # (buffered: it reads to ``limit`` or the end, as slurp)
            f.seek(0 if tail is None else max(tail, st.st_size - limit, 0))
            entry["data"] = f.read(limit).decode("latin-1")  # (/proc/net's files give a page per read call)
        out["size"] = min(BIG, out["size"] + len(json.dumps(entry["data"])))  # (as the reply writes it: 6 a control)
    except Exception as exc:  # (OSError's text, else its kind: EIO, a name another user made a directory ...)
        entry.update(why=getattr(exc, "strerror", None) or "%s: %s" % (type(exc).__name__, exc))
    finally:
        os.close(fd)


def keys(out, sshd="/etc/ssh/sshd_config"):
    """The key files sshd reads for each account with a login shell and an absolute home (root's too; at most 512), and
    the shell's startup files and tools' configuration there (:data:`ROOT_FILES`' names: a second admin's
    ``.bashrc``, in a home only it may enter, Debian 13's ``0700``): ``~/.ssh/authorized_keys(2)`` and each path the
    ``AuthorizedKeysFile`` lines of root's ``sshd_config`` and its drop-ins name (Match blocks too: a superset; at
    most 8), expanded as sshd does: ``~`` (root's home, sshd's own user's) and ``~NAME`` as it reads its
    configuration, then each login's ``%%``, ``%h``, ``%u``, ``%U``, in one pass (``%%h`` is ``%h``); a relative
    path is the home's. Each is read as a crontab is (:func:`read`: any owner's, 64 KiB, never through a link;
    root's own, :data:`ROOT_FILES`, are read as root's): bytes, never parsed here. The runner judges the keys of the
    logins that may become root (a second admin's ``authorized_keys``, 0600 in its home: only root may read it)."""
    words = [f[6:] for f in ROOT_FILES] + [w for p, e in out["files"].items() if p.startswith(sshd) for v in re.findall(
        r"(?im)^\s*authorizedkeysfile[\s=]+(.+)$", e.get("data") or "") for w in v.split() if w.lower() != "none"][:8]
    for a in bounded(out, "logins", [a for a in pwd.getpwall() if a.pw_dir.startswith("/") and not a.pw_shell.endswith(
            ("/nologin", "/false"))], 512):
        named = [re.sub(r"%([%hUu])|^~([^/]*)", lambda m, a=a: {"%": "%", "h": a.pw_dir, "u": a.pw_name, "U": str(
            a.pw_uid)}.get(m[1]) or os.path.expanduser("~" + (m[2] or "root")), w) for w in words]  # (~: root's)
        for path in sorted({os.path.normpath(os.path.join(a.pw_dir, n)) for n in named} - set(ROOT_FILES)):
            read(out, path, 65536, True)


def listed(out, top, most, anyone):
    """Every entry of ``top`` (one level, at most ``most``: a bound hit is in ``errors``), read as :func:`read`
    does (a crontab or ``at`` job: any owner's, 64 KiB; its name a file name, nothing more)."""
    out["dirs"].update({top: sorted(os.listdir(top))} if os.path.exists(top) else {})  # (a spool not there: no error)
    for name in bounded(out, top, [n for n in out["dirs"].get(top, []) if not (anyone and n.startswith("."))], most):
        read(out, top + "/" + name, 65536 if anyone else LIMIT, anyone)


def kernel(out, path, limit=0):
    """What the kernel's ``/proc`` says at ``path``: its link target (``limit`` 0), else at most ``limit`` bytes
    and one more (latin-1 text: the one more says the bound cut it, never taken for the whole); None when it is not
    readable (gone, or no ``CAP_SYS_PTRACE``), or past the reply's one budget
    (:data:`BIG` bytes, files and ``/proc`` alike: the bound is named; the app user's processes, each mapping a
    MiB, once took root's memory past 700 MiB)."""
    if BIG - out["size"] < max(limit, 4096):
        return out["errors"].update({"/proc": "more than %d bytes in all: the rest not read" % BIG})
    try:  # (a link's target counts too: 600 processes' open files once made a 149 MB reply counted as 1 MB)
        text = slurp(path, limit + 1) if limit else os.readlink(path)
    except OSError:
        return None
    out["size"] = min(BIG, out["size"] + len(json.dumps(text)))  # (as the reply writes it: \u0001, 6; once past: full)
    return text


def slurp(path, limit):
    """At most ``limit`` bytes of ``path`` (not through a link at its name), as latin-1 text. Buffered: it reads to
    ``limit`` or the end (``/proc``'s ``maps`` and ``environ`` give a page per read call)."""
    with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as f:
        return f.read(limit).decode("latin-1")


def processes(out, watch):
    """The kernel's view of every process (bounded: a bound hit is in ``errors``): see the module doc."""
    for pid in bounded(out, "processes", [p for p in os.listdir("/proc") if p.isdigit()], PIDS):
        base = "/proc/" + pid
        try:  # a leader thread that exited alone (Z) shows nothing of what its other threads run: the newest shows it
            # (Z: the state, after the last ")": the name before it is the process's own to set, ") Z " too)
            entry = {"uid": os.lstat(base).st_uid, "stat": kernel(out, base + "/stat", 4096)}
            zombie = re.search(r"\) Z [^)]*$", entry["stat"] or "")  # (no ")" after: its name is before the last)
            base += "/task/" + max(os.listdir(base + "/task"), key=int) if zombie else ""
        except OSError:
            continue  # gone meanwhile
        entry.update((name, kernel(out, base + "/" + name, most)) for name, most in PROC)
        watched = WATCHED if entry["uid"] in watch or (entry["exe"] or "").split(" (")[0] == APACHE_BIN else \
            WATCHED[::2] if entry["uid"] == 0 else []  # daemons, parents; root's environment and cgroup (a unit's?)
        entry.update((name, kernel(out, base + "/" + name, most)) for name, most in watched)
        try:
            fds = bounded(out, "open files of " + pid, os.listdir(base + "/fd"), 4096)
        except OSError:  # not visible (no CAP_SYS_PTRACE, or gone): None, never taken for "no sockets"
            fds = None
        fds = fds and [str(t) for t in (kernel(out, base + "/fd/" + f) for f in fds)]
        entry["sockets"], entry["open"] = fds and [t for t in fds if t[:8] == "socket:["], fds and sorted(
            {t for t in fds if t[:1] == "/" and not t.startswith(("/dev/", "/proc/"))})[:64]
        out["proc"][pid] = entry


def mapped(out):
    """The ``lstat`` of each file the processes above map (a ``maps`` line's path: from its first ``/``), of every
    process's program (its ``exe``: a root daemon's title names no path, ``setproctitle``), of each
    of :data:`ROOT_FILES` and of each absolute path word (at a line's start or after a blank, quote, ``=`` or
    ``,``) root's own files read here name (its
    crontab, ``at`` jobs, user site's ``.pth`` files, sudoers files, shell startup files, tools' configuration,
    keys' forced commands: only the login collector lstats what other files name, and it cannot read these), at
    most 4096 (and 8 KiB of the reply's budget each: 63 levels of ``/.``), and of each directory above it, from
    ``/`` down, never past a link or a directory someone but root may change (what lies below is that one's
    finding): root resolves no name another user made. At most 63
    levels of a path's first 4096 bytes (``PATH_MAX``): what lies deeper is not looked at, so what a process's
    environment names costs a bounded walk (a 64 KiB path of ``/.`` once took 1 GiB and 171 s)."""
    found = {ln[ln.index("/"):] for e in out["proc"].values()  # (every program: the kernel's exe; environ's paths)
             for ln in re.split("[\n\0:]", "%s\n%s\n%s" % (e.get("exe"), e.get("maps"), e.get("environ"))) if "/" in ln}
    found |= set(ROOT_FILES) | {w for e in out["files"].values() if e.get("st", [0, 1])[1] == 0 for w in re.findall(
        r"/(?<![^\s'\"=,:)!]/)[^\s'\"`=:;,&|<>(){}$]+", e.get("data") or "")}  # (none starts in base64)
    for path in bounded(out, "mapped files", sorted(found), min(4096, max(0, BIG - out["size"]) >> 13)):  # (8 KiB)
        for p in ["/"] + ["/".join(path[:4096].split("/", 64)[:i]) for i in range(2, min(path.count("/"), 63) + 2)]:
            try:  # (gone, or "(deleted)": None, the upgrade rule's)
                st = out["mapped"][p] if p in out["mapped"] else os.lstat(p)
            except OSError:  # (one gone since a process named it ends this path's walk, never the step's)
                st = None
            st = out["mapped"][p] = [getattr(st, "st_" + k) for k in STAT] if isinstance(st, os.stat_result) else st
            if not st or not stat.S_ISDIR(st[0]) or st[1] or st[0] & 0o022 and not st[0] & stat.S_ISVTX:
                break


def shadow(out, path="/etc/shadow"):
    """Each entry of /etc/shadow (or /etc/gshadow: its administrators, members) as [name, "empty"/"locked" (!...)/
    "none" (*)/"set", the other fields], under the file's name: no hash leaves root."""
    out[os.path.basename(path)] = [[r[0], {"": "empty", "!": "locked", "*": "none"}.get(r[1][:1], "set")] + r[2:8]
                                    for r in (ln.split(":") for ln in slurp(path, LIMIT).splitlines()) if len(r) > 1]


def bounded(out, what, items, most):
    out["errors"].update({what: "more than %d: the rest not looked at" % most} if len(items) > most else {})
    return items[:most]


def runs(out, verdict):
    """``apache2ctl``'s runs (20 s each), as root only, and only when the login collector said 0 (its ``verdict``:
    nothing Apache makes root run or load may be changed by someone but root)."""
    ready = out["uid"] == 0 and os.path.lexists(APACHECTL)
    if ready and verdict != "0":
        out["runs"]["refused"] = "not run as root: the login's look at Apache's files said no (%s)" % verdict
    for name, words in RUNS.items() if ready and verdict == "0" else ():
        try:  # (a fixed environment: apache2ctl never inherits the login's)
            proc = subprocess.run((APACHECTL,) + words, stdin=subprocess.DEVNULL, capture_output=True, cwd="/",
                                  env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}, timeout=20)
        except subprocess.TimeoutExpired as exc:  # (killed)
            proc = subprocess.CompletedProcess(exc.cmd, -9, exc.stdout or b"", exc.stderr or b"")
        if max(len(proc.stdout), len(proc.stderr)) > LIMIT:
            out["errors"]["runs " + name] = "more than %d bytes of output: its last %d bytes kept" % (LIMIT, LIMIT)
        out["runs"][name] = {"rc": proc.returncode, "out": proc.stdout[-LIMIT:].decode("latin-1"),
                             "err": proc.stderr[-LIMIT:].decode("latin-1")}


def collect(args, verdict):
    check(args)
    out = dict(uid=os.getuid(), pid=os.getpid(), size=0, errors={}, files={}, dirs={}, proc={}, runs={}, mapped={})
    # first, while no program of ours runs: the kernel's view (the app user's processes in full). A step's failure
    # (a name someone else chose, a file gone meanwhile) is in ``errors`` and the rest goes on: never a dead reply
    # (the environment and maps of the app's, the deploy user's and Apache's user's: what an allowance binds)
    watch = {p.pw_uid for p in pwd.getpwall() if p.pw_name in (args.get("app_user"), args.get("deploy_user"),
                                                                APACHE_USER)}
    steps = [("processes", processes, watch - {0})] + [(p, shadow, p) for p in ("/etc/shadow", "/etc/gshadow")] + [
        (p, read, p) for p in NET + GRANTS + HIDDEN + ROOT_FILES] + [(t[0], listed, *t) for t in ROOT_ONLY] + [
        (f, read, f, 1 << 16, False, 0) for f in LOGS] + [("keys", keys), ("mapped", mapped), ("runs", runs, verdict)]
    # diagnostics: the error log's last bytes (the runner takes what came since its mark)
    for what, work, *more in [(ERROR_LOG, read, ERROR_LOG, LIMIT, False, 0)] if args.get("diagnose") else steps:
        try:
            work(out, *more)
        except Exception as exc:
            out["errors"][what] = "%s: %s" % (type(exc).__name__, exc)
    return out


def main(argv):
    """The reply after ``MARK`` and the run's nonce (sent on stdin after this file: the runner takes only the line
    that carries it, so no other program's output can stand for root's); ``argv``: its names (JSON), the login
    collector's exit status, then (optional) the tree reader's arguments: given those, its source the rest of
    stdin, the tree reader runs, as the deploy user (:func:`become`)."""
    nonce, args = sys.stdin.buffer.read(NONCE).decode("ascii", "replace").strip(), json.loads(argv[0])
    # a name's bytes as they are (the runner makes them safe)
    reply = json.dumps(collect(args, argv[1]), sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
    print(MARK + nonce + " " + base64.b64encode(zlib.compress(reply, 1)).decode(), flush=True)
    if argv[2:]:  # then the tree reader: its arguments, its source the rest of stdin
        if os.getuid() == 0:
            become(args.get("deploy_user", ""))
        sys.argv = ["deploytests-reader", argv[2]]
        exec(compile(sys.stdin.buffer.read(), "deploytests-reader", "exec"), {"__name__": "__main__"})


def become(name):
    """Be ``name`` for good (``nobody`` when it is absent or root): its groups, gid, uid; nothing runs as root
    after this. As the uid changes the kernel makes the process non-dumpable: no process of that user may attach
    to it, read its memory or take its file descriptors (its stdout is the probe's), as it could a program it
    started or one ``sudo -u`` started. So the tree reader's reply is not the deploy user's to forge. Its real and
    saved gid are ``nobody``'s (``nogroup``: a group the deploy user is not in), its effective gid and groups the
    deploy user's: it reads what that user may, and prlimit(2), which asks only for equal real, effective and saved
    ids, is refused it: no lowered RLIMIT_NOFILE makes the reader's opens fail and take a file for not there."""
    user = next((p for p in pwd.getpwall() if p.pw_name == name and p.pw_uid), None) or pwd.getpwnam("nobody")
    os.initgroups(user.pw_name, user.pw_gid)
    os.setresgid(pwd.getpwnam("nobody").pw_gid, user.pw_gid, pwd.getpwnam("nobody").pw_gid)
    os.setuid(user.pw_uid)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
