"""The read-only fact probe: one stdlib-only Python program run on a server per verification, one round trip.

It gathers every fact the promise checks (:mod:`deploytests.verify.promises`) look at and prints them as one
JSON document after a ``@@DT-FACTS`` line; with ``"diagnose": true`` in its arguments it prints a failed check's
diagnostics sections instead (:func:`diagnose`). It changes nothing: no file is written, no lock is taken, no
service is touched, and **nothing of the app's trees is executed**: versions are read from ``METADATA`` files,
the venv's python is judged by its links (:func:`interpreter`), libpython linkage is read from the ELF file
(:func:`elf_needed`, not ``ldd``), packages from dpkg's database (not ``dpkg-query``). The one program it starts
is the stack's ``apache2ctl`` configtest, a root file in root's directories, with a fixed environment. The
runner sends this file's source on stdin, to the system interpreter at its fixed path in isolated mode::

    sh -c 'if sudo -n true 2>/dev/null; then exec sudo -n /usr/bin/python3 -I -c BOOT <json args>; else ...'

Run as root (the login may sudo), it reads only what root owns (the sudoers rule, the vhost, dpkg's status, the
error log, mod_wsgi's file: :func:`read_root_owned`) and asks the kernel (``/proc``: processes, the daemons'
``exe`` and mapped libpython, listening ports, locks); the app tree and the app config (owned by the deploy login,
which may be hostile) are read by a forked child that dropped to the deploy user first, so no link planted there
can make root read anything the deploy user could not. Without sudo, the facts only root can read are ``None``
and the checks that need them skip with that reason. docs/security.md lists each read and who makes it.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import grp
import hashlib
import http.client
import json
import os
import pwd
import re
import select
import signal
import stat
import subprocess
import sys
import threading
import time

MARK = "@@DT-FACTS "
KINDS = {stat.S_IFDIR: "directory", stat.S_IFREG: "regular file", stat.S_IFLNK: "symbolic link"}
PYTHON_HOME = "/var/lib/deploytests/python"  # the daemons' python-home bootstrap makes (root's, every app's)


def lstat_facts(path):
    """``{kind, mode, owner, group, target}`` of ``path`` without following links (``kind: missing``)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {"kind": "missing"}
    except OSError as exc:
        return {"kind": "not accessible (%s)" % exc.strerror}
    facts = {"kind": KINDS.get(stat.S_IFMT(st.st_mode), "other"), "mode": "%04o" % (st.st_mode & 0o7777),
             "owner": name_of(pwd.getpwuid, st.st_uid), "group": name_of(grp.getgrgid, st.st_gid)}
    if stat.S_ISLNK(st.st_mode):
        facts["target"] = os.readlink(path)
        facts["mtime"] = st.st_mtime
    return facts


def name_of(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def read_nofollow(path, limit=1 << 20):
    """Bytes of ``path`` (its last component never a link), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    finally:
        os.close(fd)


def sha256_of(data):
    return hashlib.sha256(data).hexdigest() if data is not None else None


# ---------------------------------------------------------------- system facts (root where possible)

def packages(names, status_file="/var/lib/dpkg/status"):
    """Each package's dpkg state, read from dpkg's own database (root's file; no program is run)."""
    found = dict.fromkeys(names, "not installed")
    data = read_root_owned(status_file, 64 << 20)
    if data is None:
        raise RuntimeError("%s is not a regular file owned by root" % status_file)
    for para in data.decode("utf-8", "replace").split("\n\n"):
        fields = dict(ln.split(": ", 1) for ln in para.splitlines() if ": " in ln and not ln.startswith(" "))
        name, status = fields.get("Package"), fields.get("Status", "")
        if name in found and found[name] != "installed":
            found[name] = "installed" if status == "install ok installed" else status or "unknown"
    return found


def read_root_owned(path, limit=1 << 20, tail=False, start=None):
    """At most ``limit`` bytes of ``path`` (its first; with ``tail``, from byte ``start`` but never before its last
    ``limit`` bytes), when it is a regular file owned by root (never through a link at its last component), else
    None: what the probe reads as root is only what root wrote."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != 0:
            return None
        if tail:
            os.lseek(fd, max(0, st.st_size - limit) if start is None else max(int(start), st.st_size - limit), 0)
        return os.read(fd, limit)
    finally:
        os.close(fd)


TICKS = os.sysconf("SC_CLK_TCK")


def boot_time():
    """The boot's wall-clock time to 10 ms (``btime`` in /proc/stat is whole seconds, truncated)."""
    with open("/proc/uptime") as f:
        return time.time() - float(f.read().split()[0])


def is_daemon_of(argv0, app, display):
    """Whether ``argv0`` is one of ``app``'s mod_wsgi daemons as ``ps`` shows them (``display``: the stack's
    ``(wsgi:{app})``); the kernel cuts the name to the length of Apache's argv[0]: a non-empty prefix of the
    app name matches (the same rule as deploytests.stacks.Stack.is_daemon_of)."""
    fixed, _, tail = display.partition("{app}")
    shown = argv0[len(fixed):]
    if tail and shown.endswith(tail):
        shown = shown[:-len(tail)]
    return argv0.startswith(fixed) and bool(shown) and app.startswith(shown)


def processes(app, display="(wsgi:{app})"):
    """Every process: pid, user, parent pid, comm, first word of argv; the app's mod_wsgi daemons with their
    start time (epoch seconds) and umask."""
    procs, daemons = [], []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        base = "/proc/" + entry
        try:
            with open(base + "/stat", "rb") as f:
                raw = f.read().decode("utf-8", "replace")
            comm = raw[raw.index("(") + 1:raw.rindex(")")]
            state, ppid = raw[raw.rindex(")") + 2:].split()[:2]
            ppid = int(ppid)
            uid = os.stat(base).st_uid
            with open(base + "/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode("utf-8", "replace")
        except (OSError, ValueError):
            continue  # gone meanwhile
        word = argv0.split()[0] if argv0.split() else ""
        proc = {"pid": int(entry), "user": name_of(pwd.getpwuid, uid), "ppid": ppid, "comm": comm, "argv0": word,
                "state": state}
        if state in ("Z", "X"):  # a zombie runs nothing
            continue
        procs.append(proc)
        if is_daemon_of(word, app, display):
            daemon = dict(proc, started=boot_time() + int(raw[raw.rindex(")") + 2:].split()[19]) / TICKS,
                          **interpreter_of(base))
            try:
                with open(base + "/status") as f:
                    daemon["umask"] = next((ln.split()[1] for ln in f if ln.startswith("Umask:")), None)
            except OSError:
                daemon["umask"] = None
            daemons.append(daemon)
    return procs, daemons


def interpreter_of(base):
    """What a process runs, asked of the kernel: ``/proc/<pid>/exe`` and the libpython files it has mapped
    (root reads them; nothing is followed or run)."""
    found = {"exe": None, "libpython": None}
    try:
        found["exe"] = os.readlink(base + "/exe")
        with open(base + "/maps", "rb") as f:
            maps = f.read(16 << 20).decode("utf-8", "replace")
        found["libpython"] = sorted({ln.split(None, 5)[5] for ln in maps.splitlines()
                                     if len(ln.split(None, 5)) == 6 and "/libpython" in ln})
    except OSError:
        pass
    return found


def interpreter(path, limit=8):
    """How ``path`` (a venv's ``bin/python``) resolves, one link at a time (``readlink``: nothing is run or
    followed blindly): the hops with each link's owner, the file reached, and whether that file and every
    directory above it are root's and not writable by others."""
    hops = []
    for _ in range(limit):
        try:
            st = os.lstat(path)
        except OSError as exc:
            return {"hops": hops, "error": "%s: %s" % (path, exc.strerror)}
        if not stat.S_ISLNK(st.st_mode):
            return {"hops": hops, "target": path, "facts": lstat_facts(path), "root_owned": owned_by_root(path)}
        target = os.readlink(path)
        hops.append({"link": path, "to": target, "owner": name_of(pwd.getpwuid, st.st_uid),
                     "dir_root_owned": owned_by_root(os.path.dirname(path))})
        path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    return {"hops": hops, "error": "more than %d links from %s" % (limit, hops[0]["link"])}


def listening_ports():
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                for line in list(f)[1:]:
                    fields = line.split()
                    if len(fields) > 3 and fields[3] == "0A":
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return sorted(ports)


def user_facts(name):
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        return None
    groups = sorted({name_of(grp.getgrgid, g) for g in os.getgrouplist(name, pw.pw_gid)})
    return {"uid": pw.pw_uid, "shell": pw.pw_shell, "group": name_of(grp.getgrgid, pw.pw_gid), "groups": groups}


def apache_boot(service="apache2"):
    """How Apache is started at boot: systemd's wants link, or a SysV rc start link."""
    found = []
    if os.path.lexists("/etc/systemd/system/multi-user.target.wants/%s.service" % service):
        found.append("systemd: multi-user.target.wants/%s.service" % service)
    for level in "2345":
        try:
            links = os.listdir("/etc/rc%s.d" % level)
        except OSError:
            continue
        found += ["rc%s.d/%s" % (level, n) for n in links if n.startswith("S") and n[3:] == service]
    return found


def elf_needed(data):
    """The DT_NEEDED names of an ELF64 little-endian shared object (its bytes), read as data: nothing is loaded
    or run (``ldd`` may execute what it inspects)."""
    import struct

    if data[:4] != b"\x7fELF" or data[4:6] != b"\x02\x01":
        raise ValueError("not an ELF64 little-endian file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(min(shnum, 4096))]
    needed = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 6 or not entsize:  # SHT_DYNAMIC; its sh_link is the string table
            continue
        strtab = sections[link][4]
        for i in range(0, min(size, 1 << 20), entsize):
            tag, value = struct.unpack_from("<qQ", data, offset + i)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strtab + value)
                needed.append(data[strtab + value:end].decode("ascii", "replace"))
    return needed


def read_through_root_links(path, limit=1 << 20):
    """Bytes of ``path`` through links only root could have made (each link root's, in a directory root owns;
    Debian's alternatives: ``mod_wsgi.so -> mod_wsgi.so-3.11``), reaching root's regular file; else None."""
    found = interpreter(path)
    if found.get("error") or not found.get("root_owned") or \
            any(h["owner"] != "root" or not h["dir_root_owned"] for h in found["hops"]):
        return None
    return read_root_owned(found["target"], limit)


def linked_pythons(path):
    """The libpython X.Y versions the shared object ``path`` (root's) links, e.g. ``["3.11"]``."""
    data = read_through_root_links(path, 64 << 20)
    if data is None:
        raise RuntimeError("%s is not a file of root's reached through root's links only" % path)
    return sorted({n.split(".so")[0][len("libpython"):] for n in elf_needed(data) if n.startswith("libpython")})


def venv_version(venv):
    """``version`` of a venv's ``pyvenv.cfg`` cut to X.Y (``version_info`` on 3.12+), or None."""
    data = read_nofollow(os.path.join(venv, "pyvenv.cfg")) or b""
    m = re.search(rb"^(?:version|version_info) *= *(\d+)\.(\d+)", data, re.M)
    return "%s.%s" % (m.group(1).decode(), m.group(2).decode()) if m else None


def configtest(apachectl):
    """``apache2ctl -t -D DUMP_MODULES``: the syntax check and the loaded modules in one run. The one program
    the probe starts: the stack's own tool (root's, checked, never from the app's trees), with a fixed
    environment, parsing root's configuration."""
    if not owned_by_root(apachectl):
        raise RuntimeError("%s is not a file owned by root in directories owned by root" % apachectl)
    return subprocess.Popen([apachectl, "-t", "-D", "DUMP_MODULES"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=APACHECTL_ENV, cwd="/")


APACHECTL_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}  # apache2ctl never inherits the login's


def owned_by_root(path):
    """Whether ``path`` and every directory above it are root's and not writable by group or others (nothing
    followed: a link anywhere is a no)."""
    parts = os.path.abspath(path).split("/")
    for i in range(len(parts), 1, -1):
        try:
            st = os.lstat("/".join(parts[:i]) or "/")
        except OSError:
            return False
        if stat.S_ISLNK(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
            return False
    return True


def finish_configtest(proc):
    out, err = proc.communicate(timeout=20)
    modules = [ln.split()[0] for ln in out.decode("utf-8", "replace").splitlines() if ln.startswith(" ")]
    return {"rc": proc.returncode, "stderr": err.decode("utf-8", "replace").strip(), "modules": modules}


def root_file_size(path):
    """The size of root's regular file ``path`` (a link or another owner's file: an error, never followed)."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != 0:
        raise RuntimeError("%s is not a regular file owned by root" % path)
    return st.st_size


def lock_held(path):
    """Whether some process holds a lock on ``path`` (``/proc/locks``, read-only: nothing is locked here)."""
    try:
        st = os.lstat(path)
        with open("/proc/locks") as f:
            for line in f:
                fields = line.split()
                dev_ino = fields[5] if len(fields) > 5 else ""
                if dev_ino.count(":") == 2 and int(dev_ino.rsplit(":", 1)[1]) == st.st_ino:
                    return True
    except (OSError, ValueError):
        return None
    return False


def get(args, path):
    """GET ``path`` on 127.0.0.1 with ``Host: server_name``: status, release header, the body's start."""
    conn = http.client.HTTPConnection("127.0.0.1", args["port"], timeout=10)
    try:
        conn.request("GET", path, headers={"Host": args["server_name"], "User-Agent": "deploytests-probe"})
        resp = conn.getresponse()
        body = resp.read(400).decode("utf-8", "replace")
        return {"status": resp.status, "release": resp.getheader("X-Deploy-Release"), "body": body}
    except (OSError, http.client.HTTPException) as exc:
        return {"status": None, "error": "%s: %s" % (type(exc).__name__, exc)}
    finally:
        conn.close()


# ---------------------------------------------------------------- the app tree (as the deploy user)

def dist_version(site, name):
    """The version in ``<name>-*.dist-info/METADATA`` under ``site`` (PEP 503-normalized name), or None."""
    want = re.sub(r"[-_.]+", "_", name).lower()
    try:
        entries = os.listdir(site)
    except OSError:
        return None
    for entry in entries:
        if entry.endswith(".dist-info") and re.sub(r"[-_.]+", "_", entry[:-10].rsplit("-", 1)[0]).lower() == want:
            data = read_nofollow(os.path.join(site, entry, "METADATA")) or b""
            m = re.search(rb"^Version: *(\S+)", data, re.M)
            return m.group(1).decode() if m else None
    return None


def walk_release(release_dir, owner, shared):
    """Hashes of every regular file under ``venv/lib`` and ``venv/bin`` (relative to the venv), and the entries of
    the release that are not the deploy user's or are writable by group/others (shared links excluded)."""
    hashes, loose, count = {}, [], 0
    venv_lib, venv_bin = os.path.join(release_dir, "venv", "lib"), os.path.join(release_dir, "venv", "bin")
    skip = {os.path.join(release_dir, s) for s in shared}
    for top, dirs, files in os.walk(release_dir):
        for name in dirs + files:
            path = os.path.join(top, name)
            if path in skip:
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            count += 1
            if stat.S_ISLNK(st.st_mode):
                continue
            if st.st_mode & 0o022 or name_of(pwd.getpwuid, st.st_uid) != owner:
                loose.append("%s %04o %s" % (os.path.relpath(path, release_dir), st.st_mode & 0o7777,
                                             name_of(pwd.getpwuid, st.st_uid)))
            if stat.S_ISREG(st.st_mode) and path.startswith((venv_lib + "/", venv_bin + "/")):
                data = read_nofollow(path, 64 << 20)
                hashes[os.path.relpath(path, os.path.join(release_dir, "venv"))] = sha256_of(data)
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip]
    return hashes, loose, count


def tree_facts(args):
    root = args["root"]
    releases = os.path.join(root, "releases")
    out = {"releases": {}, "incomplete": [], "failed": [], "current": None, "live": None}
    manifests = {}
    try:
        names = sorted(os.listdir(releases))
    except OSError as exc:
        out["error"] = "%s: %s" % (releases, exc.strerror)
        return out
    for name in names:
        path = os.path.join(releases, name)
        if name == "failed.log":
            data = read_nofollow(path) or b""
            out["failed"] = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()][-5:]
            continue
        if name.startswith(".") or not os.path.isdir(path) or os.path.islink(path):
            continue
        data = read_nofollow(os.path.join(path, "RELEASE.json"))
        if data is None:
            out["incomplete"].append(name)
            continue
        try:
            meta = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):  # RecursionError: nested 10^5 deep (the deploy login writes it)
            meta = {"unreadable": "RELEASE.json is not JSON"}
        if not isinstance(meta, dict):
            meta = {"unreadable": "RELEASE.json is not a JSON object"}
        manifest = meta.pop("manifest", None)
        meta["has_manifest"] = isinstance(manifest, dict)
        manifests[name] = manifest
        out["releases"][name] = meta
    try:
        out["current"] = os.readlink(os.path.join(root, "current"))
    except OSError:
        return out
    live = os.path.basename(out["current"].rstrip("/"))
    release_dir = os.path.join(releases, live)
    if out["current"].rstrip("/") not in ("releases/" + live, release_dir) or live not in out["releases"]:
        return out
    meta = out["releases"][live]
    site = os.path.join(release_dir, "venv", "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    python = os.path.join(release_dir, "venv", "bin", "python")
    hashes, loose, count = walk_release(release_dir, pwd.getpwuid(os.getuid()).pw_name,
                                        args.get("shared_paths", []))
    out["live"] = {
        "id": live, "site_packages": os.path.relpath(site, release_dir),
        "installed_version": dist_version(site, str(meta.get("name") or "")),
        "python": interpreter(python),
        "venv_version": venv_version(os.path.join(release_dir, "venv")),
        "shared": {rel: lstat_facts(os.path.join(release_dir, rel)) for rel in args.get("shared_paths", [])},
        "hashes": hashes, "loose": loose[:10], "loose_count": len(loose), "entries": count,
        "manifest": manifests.get(live),
        "snapshot": json_file(os.path.join(release_dir, "SNAPSHOT.json")),  # the deploy's record (verify.drift)
    }
    return out


def json_file(path, limit=16 << 20):
    """A JSON object file the deploy login wrote, read by its reader (never through a link) as data: the object,
    None when absent, or ``{"unreadable": why}``."""
    data = read_nofollow(path, limit)
    if data is None:
        return None
    try:
        found = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return {"unreadable": "not JSON"}
    return found if isinstance(found, dict) else {"unreadable": "not a JSON object"}


AS_USER_TIMEOUT = 60.0  # seconds the dropped reader may take (a tree of 60,000 files reads in ~3 s)
AS_USER_LIMIT = 64 << 20  # bytes of its answer


def as_user(user, work, *a, timeout=AS_USER_TIMEOUT, limit=AS_USER_LIMIT):
    """Run ``work(*a)`` in a child process that dropped to ``user`` (its groups too); return its result.

    The child runs as the less trusted user, who may signal it (SIGSTOP) or slow it down: the wait for its answer
    is bounded (``timeout``, then SIGKILL, which a stopped process cannot refuse, and a RuntimeError naming the
    bound) and so is the answer's size. Its answer is parsed as data (a RecursionError is a bad answer too)."""
    pw = pwd.getpwnam(user)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(rfd)
            os.setgroups(os.getgrouplist(user, pw.pw_gid))
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
            data = json.dumps({"ok": work(*a)}).encode()
        except BaseException as exc:  # noqa: B036 - report, never escape a forked child
            data = json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}).encode()
        with os.fdopen(wfd, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(wfd)
    chunks, size, deadline, problem = [], 0, time.monotonic() + timeout, None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                problem = "the reader running as %s gave no answer within %gs (stopped or slowed down: %s may " \
                          "signal it)" % (user, timeout, user)
                break
            if not select.select([rfd], [], [], min(left, 1.0))[0]:
                continue
            chunk = os.read(rfd, 1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                problem = "the reader running as %s answered more than %d bytes" % (user, limit)
                break
            chunks.append(chunk)
    finally:
        os.close(rfd)
        if problem:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if problem:
        raise RuntimeError(problem)
    try:
        result = json.loads(b"".join(chunks).decode() or '{"error": "no output"}')
    except (ValueError, RecursionError):
        result = {"error": "the reader running as %s gave an answer that is not JSON" % user}
    if not isinstance(result, dict) or ("error" not in result and "ok" not in result):
        raise RuntimeError("the reader running as %s gave an answer of the wrong shape" % user)
    if "error" in result:
        raise RuntimeError(str(result["error"]))
    return result["ok"]


# ---------------------------------------------------------------- diagnostics (what a failed check's report shows)

def lines_since(text, created):
    """The error log lines (``text``) logged since ``created`` (RELEASE.json's ``created_at``, UTC; the log's
    stamps are the server's local time); a line without a stamp belongs to the stamped line above it. The last
    40 such lines, or one line saying there are none."""
    import calendar

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
    return "".join(out[-40:]) or "(no lines since the deploy of the live release began, %s)\n" % created


def read_root_tail(path, start=None, limit=1 << 20):
    """Text of root's regular file ``path`` from byte ``start`` (default: its last ``limit`` bytes), at most
    ``limit`` bytes; None when it is not root's regular file (never through a link)."""
    data = read_root_owned(path, limit, tail=True, start=start)
    return None if data is None else data.decode("utf-8", "replace")


def installed_distributions(site):
    """``name==version`` of every distribution in ``site`` (its ``*.dist-info/METADATA``: read, never
    imported: ``pip freeze`` would run the venv's python)."""
    found = set()
    try:
        entries = sorted(os.listdir(site))
    except OSError as exc:
        return ["(%s: %s)" % (site, exc.strerror)]
    for entry in entries:
        if entry.endswith(".dist-info"):
            data = read_nofollow(os.path.join(site, entry, "METADATA"), 64 << 10) or b""
            name = re.search(rb"^Name: *(\S+)", data, re.M)
            version = re.search(rb"^Version: *(\S+)", data, re.M)
            if name and version:
                found.add("%s==%s" % (name.group(1).decode("utf-8", "replace"),
                                      version.group(1).decode("utf-8", "replace")))
    return sorted(found)


def one_line(name):
    """A name the deploy login chose (a release dir, a link target) as one visible line: every character outside
    printable ASCII escaped (a newline cannot start a forged line, a look-alike slash shows as \\u2215)."""
    return name if name.isascii() and name.isprintable() else name.encode("unicode_escape").decode("ascii")


def stat_each(paths):
    """``{path: lstat facts}`` of each path (run by the tree's reader for paths in the app tree)."""
    return {p: lstat_facts(p) for p in paths}


def tree_report(args):
    """The app tree as the diagnostics show it, read as the deploy user: the releases, ``current``, the last
    refusals, application.wsgi, the live release's date and its installed distributions."""
    root = args["root"]
    releases = os.path.join(root, "releases")
    out = {"releases": [], "current": None, "failed": "", "wsgi": None, "created_at": None, "installed": []}
    try:
        names = sorted(os.listdir(releases))
    except OSError as exc:
        names, out["releases"] = [], ["(%s: %s)" % (releases, exc.strerror)]
    for name in names[:200]:
        st = lstat_facts(os.path.join(releases, name))
        out["releases"].append("%s  %s %s %s" % (one_line(name), st.get("kind"), st.get("mode", ""),
                                                  st.get("owner", "")))
    out["failed"] = (read_nofollow(os.path.join(releases, "failed.log"), 1 << 20) or b"").decode(
        "utf-8", "replace").splitlines()[-5:]
    wsgi = read_nofollow(os.path.join(root, "application.wsgi"), 64 << 10)
    out["wsgi"] = None if wsgi is None else wsgi.decode("utf-8", "replace")
    try:
        out["current"] = os.readlink(os.path.join(root, "current"))
    except OSError:
        return out
    live = os.path.basename(out["current"].rstrip("/"))
    if out["current"].rstrip("/") not in ("releases/" + live, os.path.join(releases, live)):
        return out  # current names something else than a release: shown, not followed
    release_dir = os.path.join(releases, live)
    if os.path.islink(release_dir):
        return out
    try:
        meta = json.loads((read_nofollow(os.path.join(release_dir, "RELEASE.json")) or b"{}").decode("utf-8"))
        out["created_at"] = str(meta.get("created_at", "")) if isinstance(meta, dict) else None
    except (ValueError, RecursionError):
        pass
    out["installed"] = installed_distributions(os.path.join(
        release_dir, "venv", "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
    return out


def diagnose(args):
    """The sections of a failed check's report ``{title: text}``: root reads only root's files (the error log,
    the vhost); the app tree is read by a child dropped to the deploy user; nothing is run."""
    root, log = args["root"], args["error_log"]
    tree = as_reader(args, tree_report, args)
    unreadable = "(%s: not readable here as root's regular file)\n" % log
    sections = {}
    if args.get("since") is not None:
        text = read_root_tail(log, args["since"])
        sections["Apache error log since verification began (byte %d)" % args["since"]] = unreadable \
            if text is None else "".join(text.splitlines(True)[-40:])
    text = read_root_tail(log)
    sections["Apache error log since the deploy of the live release began"] = unreadable if text is None \
        else lines_since(text, tree["created_at"])
    vhost = read_root_owned(args["vhost"])
    sections["vhost " + args["vhost"]] = "(not root's regular file)" if vhost is None else \
        vhost.decode("utf-8", "replace")
    sections[root + "/application.wsgi"] = tree["wsgi"] if tree["wsgi"] is not None else "(not a regular file)"
    current = None if tree["current"] is None else one_line(tree["current"])
    failed = ["failed.log: " + one_line(line) for line in tree["failed"]]  # the deploy login writes that file
    sections["releases"] = "\n".join(tree["releases"] + ["", "current -> %s" % current] + failed)
    sections["installed distributions (live venv, read from METADATA)"] = "\n".join(tree["installed"])
    return sections


def as_reader(args, work, *a):
    """``work(*a)`` as the app tree's reader. As root: in a child dropped to the deploy user, or to ``nobody``
    when the deploy user does not exist or is root (the tree is never read as root). As anyone else: here."""
    if os.getuid() != 0:
        return work(*a)
    found = user_facts(args["deploy_user"])
    return as_user(args["deploy_user"] if found and found["uid"] != 0 else "nobody", work, *a)


# ---------------------------------------------------------------- the closed-world inventory (root; read-only)
# Everything on the server that can serve, run, grant or load code into the app, as data: the checks
# (deploytests.verify.promises, "closed world") account for each item or name it. Nothing here executes a
# program other than the stack's own root-owned apache2ctl (it parses root's config), and nothing from the
# app's trees is parsed as root: those are read by a child dropped to the deploy user (tree_inventory).

LOADER_ENV = ("PYTHON", "LD_")
BOOT = boot_time()  # env var prefixes that change what a Python process loads


def socket_inodes():
    """``{socket inode: [pid, ...]}`` from every process's open file descriptors."""
    owners = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir("/proc/%s/fd" % entry)
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink("/proc/%s/fd/%s" % (entry, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                owners.setdefault(int(link[8:-1]), []).append(int(entry))
    return owners


def hex_address(text):
    """``0100007F:1F90`` -> ``("127.0.0.1", 8080)``; IPv6 in /proc's four host-order words."""
    addr, port = text.split(":")
    raw = bytes.fromhex(addr)
    if len(raw) == 4:
        host = ".".join(str(b) for b in raw[::-1])
    else:
        words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        import ipaddress
        host = str(ipaddress.IPv6Address(words))
    return host, int(port, 16)


def proc_brief(pid):
    base = "/proc/%d" % pid
    try:
        uid = os.stat(base).st_uid
        with open(base + "/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:200]
        with open(base + "/stat", "rb") as f:
            raw = f.read().decode("utf-8", "replace")
        rest = raw[raw.rindex(")") + 2:].split()
        ppid, started = int(rest[1]), int(rest[19]) / TICKS
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
    except (OSError, ValueError, IndexError):
        return None
    try:
        exe = os.readlink(base + "/exe")
    except OSError:
        exe = None
    return {"pid": pid, "user": name_of(pwd.getpwuid, uid), "ppid": ppid, "comm": comm, "cmdline": cmdline,
            "exe": exe, "started": BOOT + started}


def listeners():
    """Every listening TCP socket and every bound UDP socket, with the processes holding it. Where root may
    not read another user's file descriptors (a container without CAP_SYS_PTRACE), the socket's owner (its
    uid in /proc/net) and that user's processes stand for them (``by_owner``)."""
    owners, found, by_uid = socket_inodes(), [], None
    for proto, name, state in (("tcp", "tcp", "0A"), ("tcp", "tcp6", "0A"), ("udp", "udp", "07"),
                               ("udp", "udp6", "07")):
        try:
            with open("/proc/net/" + name) as f:
                lines = list(f)[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != state:
                continue
            host, port = hex_address(fields[1])
            if proto == "udp" and hex_address(fields[2])[1] != 0:
                continue  # a connected UDP socket serves no one
            procs = [p for p in (proc_brief(pid) for pid in owners.get(int(fields[9]), [])) if p]
            sock = {"proto": proto, "host": host, "port": port, "procs": procs,
                    "owner": name_of(pwd.getpwuid, int(fields[7]))}
            if not procs:
                if by_uid is None:
                    by_uid = {}
                    for entry in os.listdir("/proc"):
                        p = proc_brief(int(entry)) if entry.isdigit() else None
                        if p:
                            by_uid.setdefault(p["user"], []).append(p)
                sock["by_owner"] = by_uid.get(sock["owner"], [])[:3]
            found.append(sock)
    return found


def watched_processes(users):
    """Every live process of ``users`` (name list) with its chain of ancestors' comm names."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            p = proc_brief(int(entry))
            if p:
                table[p["pid"]] = p
    out = []
    for p in table.values():
        if p["user"] not in users:
            continue
        chain, seen, q = [], set(), table.get(p["ppid"])
        while q and q["pid"] not in seen and len(chain) < 64:
            seen.add(q["pid"])
            chain.append({"pid": q["pid"], "comm": q["comm"], "user": q["user"]})
            q = table.get(q["ppid"])
        out.append(dict(p, ancestors=chain))
    return out


def loose_under(top, limit=5000):
    """The first entry under ``top`` (and ``top`` itself, and the dirs above it) that someone but root may
    write, as text, or None."""
    found = writable_by_others(top)
    for n, (base, dirs, files) in enumerate(os.walk(top)):
        for name in dirs + files:
            path = os.path.join(base, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if st.st_uid != 0 or (st.st_mode & 0o022 and not stat.S_ISLNK(st.st_mode)):
                return "%s %04o %s" % (path, st.st_mode & 0o7777, name_of(pwd.getpwuid, st.st_uid))
        if found or n > limit:
            break
    return found


def apache_dump(apachectl, server_root="/etc/apache2"):
    """Apache's own view of the configuration it would load (the stack's root-owned apache2ctl; parses root's
    config): the files included (with the line that includes each), the vhosts with their file:line, the run
    user. Started here, finished by :func:`finish_apache_dump` (it runs while the rest is read). Not run when
    apache2ctl, its envvars or anything under the ServerRoot may be written by someone but root (root would
    run what they wrote): the returned text says what."""
    loose = writable_by_others(apachectl) or loose_under(server_root)
    if loose:
        return "not run as root: %s is writable by someone other than root" % loose
    return subprocess.Popen([apachectl, "-t", "-D", "DUMP_INCLUDES", "-D", "DUMP_VHOSTS", "-D", "DUMP_RUN_CFG"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=APACHECTL_ENV, cwd="/")


def finish_apache_dump(proc):
    if isinstance(proc, str):
        return {"rc": None, "includes": [], "vhosts": [], "run": {}, "refused": proc}
    out = proc.communicate(timeout=20)[0].decode("utf-8", "replace")
    includes, vhosts, run = [], [], {}
    for line in out.splitlines():
        m = re.match(r"^(\s+)\((\*|\d+)\) (/\S+)$", line)
        if m:
            depth = len(m.group(1))
            parent = next((i["path"] for i in reversed(includes) if i["depth"] < depth), None)
            includes.append({"at": m.group(2), "path": m.group(3), "depth": depth, "from": parent})
            continue
        m = re.match(r"^(\S+:\d+|\*:\d+)?\s+(?:(?:port \d+ )?namevhost |default server )?(\S+) \((/.+):(\d+)\)$",
                     line)
        if m:
            vhosts.append({"name": m.group(2), "file": m.group(3), "line": int(m.group(4)), "shown": line.strip()})
            continue
        m = re.match(r'^(User|Group): name="([^"]*)"', line)
        if m:
            run[m.group(1).lower()] = m.group(2)
    return {"rc": proc.returncode, "includes": includes, "vhosts": vhosts, "run": run, "raw": out[-4000:]}


def dpkg_conffiles():
    """``{path: (package, md5)}`` of every conffile dpkg records (/var/lib/dpkg/status)."""
    found, package, inside = {}, None, False
    try:
        with open("/var/lib/dpkg/status", encoding="utf-8", errors="replace") as f:
            for line in f:
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
    except OSError:
        pass
    return found


def writable_by_others(path):
    """The first of ``path`` and its parent dirs (after links; the link's own dir too) that someone but root
    may write, as text."""
    real = os.path.realpath(path)
    if real != path:
        link_dir = writable_by_others(os.path.dirname(path))
        if link_dir:
            return link_dir
    probe = real
    while True:
        try:
            st = os.stat(probe)
        except OSError:
            return None
        sticky = stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX
        if st.st_uid != 0 or (st.st_mode & 0o022 and not sticky):
            return "%s %04o %s:%s" % (probe, st.st_mode & 0o7777, name_of(pwd.getpwuid, st.st_uid),
                                      name_of(grp.getgrgid, st.st_gid))
        if probe == "/":
            return None
        probe = os.path.dirname(probe)


SEC_DIRECTIVES = ("servertokens", "serversignature", "traceenable", "listen")


def apache_files(paths, conffiles):
    """Per file Apache includes (and apache2ctl's envvars): where it really is, who may write it, its md5 and
    the dpkg package whose unchanged conffile it is; the security directives it sets (file:line). Only files
    no one but root may write are parsed."""
    out = {}
    for path in paths:
        real = os.path.realpath(path)
        info = {"real": real, "loose": writable_by_others(path)}
        data = None if info["loose"] else read_nofollow(real, 4 << 20)
        info["md5"] = hashlib.md5(data).hexdigest() if data is not None else None
        info["sha256"] = sha256_of(data)
        pkg = conffiles.get(real)
        info["package"] = pkg[0] if pkg and pkg[1] == info["md5"] else None
        info["dpkg_changed"] = bool(pkg and pkg[1] != info["md5"])
        info["dpkg_package"] = pkg[0] if pkg else None
        try:
            info["mtime"] = max(os.lstat(path).st_mtime, os.stat(real).st_mtime)
        except OSError:
            info["mtime"] = None
        directives = []
        for n, line in enumerate((data or b"").decode("utf-8", "replace").splitlines(), 1):
            words = line.split()
            if words and words[0].lower() in SEC_DIRECTIVES:
                directives.append({"line": n, "name": words[0].lower(), "value": " ".join(words[1:])})
        info["directives"] = directives
        out[path] = info
    return out


def sudoers_lines():
    """Every rule line (not a comment, not blank; continuation lines joined) of sudoers and the files it
    includes, with file:line."""
    out, queue, seen = [], ["/etc/sudoers"], set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        data = read_nofollow(path)
        if data is None:
            continue
        st = os.stat(path)
        pending, start = "", 0
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            stripped = line.strip()
            m = re.match(r"^[@#]include(dir)?\s+(\S+)", stripped)
            if m:
                target = m.group(2)
                if m.group(1):
                    try:
                        names = sorted(os.listdir(target))
                    except OSError:
                        names = []
                    queue += [os.path.join(target, x) for x in names if not x.endswith("~") and "." not in x]
                else:
                    queue.append(target)
                continue
            if not pending and (not stripped or stripped.startswith("#")):
                continue
            if not pending:
                start = n
            pending += stripped
            if pending.endswith("\\"):
                pending = pending[:-1] + " "
                continue
            out.append({"file": path, "line": start, "text": " ".join(pending.split()),
                        "mode": "%04o" % (st.st_mode & 0o7777), "owner": name_of(pwd.getpwuid, st.st_uid)})
            pending = ""
    return out


def schedules(users):
    """Cron jobs that run as one of ``users``: their crontabs, and /etc/crontab, /etc/cron.d lines naming them."""
    out = []
    for user in users:
        path = "/var/spool/cron/crontabs/" + user
        data = read_nofollow(path)
        if data is not None:
            jobs = [ln for ln in data.decode("utf-8", "replace").splitlines()
                    if ln.strip() and not ln.lstrip().startswith("#") and not re.match(r"^\s*\w+\s*=", ln)]
            out += [{"where": "%s (crontab of %s)" % (path, user), "user": user, "job": j} for j in jobs]
    files = ["/etc/crontab"]
    try:
        files += ["/etc/cron.d/" + n for n in sorted(os.listdir("/etc/cron.d"))]
    except OSError:
        pass
    for path in files:
        data = read_nofollow(path) or b""
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            words = line.split()
            if len(words) > 6 and not words[0].startswith("#") and words[5] in users:
                out.append({"where": "%s:%d" % (path, n), "user": words[5], "job": line.strip()})
            elif len(words) > 1 and words[0].startswith("@") and words[1] in users:
                out.append({"where": "%s:%d" % (path, n), "user": words[1], "job": line.strip()})
    return out


def group_members(user):
    """Every user in ``user``'s primary group (as a member or by primary gid): who shares the app's files."""
    try:
        gid = pwd.getpwnam(user).pw_gid
        members = set(grp.getgrgid(gid).gr_mem)
    except KeyError:
        return []
    members |= {p.pw_name for p in pwd.getpwall() if p.pw_gid == gid}
    return sorted(members)


def authorized_keys(user):
    """Whether ``user`` has an ~/.ssh/authorized_keys(2) (a way to log in as it)."""
    try:
        home = pwd.getpwnam(user).pw_dir
    except KeyError:
        return []
    return [p for p in (home + "/.ssh/authorized_keys", home + "/.ssh/authorized_keys2") if os.path.lexists(p)]


def loader_facts(daemon_pids, python_home, python_version):
    """What can load code into the app's daemons besides the release: their executable and the loader env
    vars they run with (/proc; the daemons of a container are not readable without CAP_SYS_PTRACE, then
    Apache's root parent's, which they inherit at fork, stand for them), /etc/ld.so.preload, the python-home's
    pyvenv.cfg and site-packages, and
    site/user customize modules or .pth files on the stdlib part of their sys.path."""
    daemons = []
    for pid in daemon_pids:
        try:
            exe = os.readlink("/proc/%d/exe" % pid)
            cwd = os.readlink("/proc/%d/cwd" % pid)
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = [kv.decode("utf-8", "replace") for kv in f.read().split(b"\0") if kv]
        except OSError as exc:
            daemons.append({"pid": pid, "exe": None, "env": None, "cwd": None, "error": exc.strerror})
            continue
        daemons.append({"pid": pid, "exe": exe, "cwd": cwd, "env": [kv for kv in env if kv.startswith(LOADER_ENV)]})
    home_site = "%s/lib/python%s/site-packages" % (python_home, python_version)
    try:
        home_entries = sorted(os.listdir(home_site))
    except OSError as exc:
        home_entries = ["(unreadable: %s)" % exc.strerror]
    hooks = []
    stdlib = "/usr/lib/python%s" % python_version
    for d in (stdlib, stdlib + "/lib-dynload", "/usr/local/lib/python%s" % python_version):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            if n.split(".")[0] in ("sitecustomize", "usercustomize") or n.endswith(".pth"):
                p = os.path.join(d, n)
                hooks.append({"path": p, "real": os.path.realpath(p)})
    cfg = read_nofollow(python_home + "/pyvenv.cfg")
    return {"daemons": daemons, "preload": read_nofollow("/etc/ld.so.preload") is not None,
            "home_site": home_site, "home_entries": home_entries, "hooks": hooks,
            "pyvenv_cfg": cfg.decode("utf-8", "replace") if cfg is not None else None}


def inventory(args, daemons, dump):
    """The closed-world inventory (root): see the section comment. ``dump``: :func:`finish_apache_dump`'s."""
    apache_user = (dump or {}).get("run", {}).get("user") or "www-data"
    users = sorted({args["app_user"], args["deploy_user"], apache_user})
    conffiles = dpkg_conffiles()
    parents = sorted({d["ppid"] for d in daemons})
    loader = loader_facts(parents + [d["pid"] for d in daemons], PYTHON_HOME,
                          "%d.%d" % sys.version_info[:2])
    for hook in loader["hooks"]:
        pkg = conffiles.get(hook["real"])  # read only when dpkg names it: a root-owned conffile
        data = read_nofollow(hook["real"]) if pkg else None
        hook["package"] = pkg[0] if pkg and data is not None and hashlib.md5(data).hexdigest() == pkg[1] else None
    files = [i["path"] for i in (dump or {}).get("includes", [])] + [args.get("apache_envvars", "/etc/apache2/envvars")]
    sudoers, jobs = sudoers_lines(), schedules(users)
    return {"mtimes": mtimes(args, sudoers), "listeners": listeners(), "processes": watched_processes(users),
            "texts": [{"path": p, "text": t} for p, t in sorted(raw_texts(files).items())],
            "apache_user": apache_user,
            "apache": dict(dump or {}, files=apache_files(files, conffiles)), "sudoers": sudoers,
            "schedules": jobs, "app_keys": authorized_keys(args["app_user"]), "loader": loader,
            "app_group_members": group_members(args["app_user"])}


TEXT_DIRS = ("/etc/systemd/system", "/etc/cron.d", "/var/spool/cron/crontabs", "/etc/cron.hourly",
             "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly")


def raw_texts(apache_files):
    """Raw texts for the runner's parsers (deploytests.verify.mechanisms, .schedules): ``{path: text}`` of every
    file Apache reads that no one but root may write, /etc/crontab, and every regular file under ``TEXT_DIRS``
    (unit files and drop-ins, cron files, crontabs, cron.daily scripts); ``{path: "-> target"}`` for the links
    there (an enabled unit is a link). Read, never followed or run; each file at most 64 KiB, 4000 entries."""
    out, count = {}, 0
    for path in apache_files:
        if not writable_by_others(path):
            data = read_nofollow(os.path.realpath(path), 1 << 20)
            if data is not None:
                out[path] = data.decode("utf-8", "replace")
    paths = ["/etc/crontab"]
    for top in TEXT_DIRS:
        for base, dirs, files in os.walk(top):
            paths += [os.path.join(base, n) for n in sorted(dirs + files) if os.path.islink(os.path.join(base, n))
                      or n in files]
            count += len(dirs) + len(files)
            if count > 4000:
                break
    for path in paths:
        if os.path.islink(path):
            out[path] = "-> " + os.readlink(path)
            continue
        data = read_nofollow(path, 64 << 10)
        if data is not None:
            out[path] = data.decode("utf-8", "replace")
    return out


def mtimes(args, sudoers):
    """When the root-owned files the drift report dates last changed (``lstat``: links are not followed):
    the vhost, the user and group databases, every sudoers file, the cron files, the systemd units (and their
    links), the python-home's pyvenv.cfg. Files of the app's tree are not stat'ed as root."""
    paths = [args["vhost"], "/etc/passwd", "/etc/group", "/etc/crontab",
             PYTHON_HOME + "/pyvenv.cfg"] + sorted({r["file"] for r in sudoers})
    for d in ("/etc/sudoers.d",) + TEXT_DIRS:
        for base, dirs, names in os.walk(d):
            paths += [os.path.join(base, n) for n in sorted(dirs + names)]
            if len(paths) > 4000:
                break
    out = {}
    for path in paths:
        try:
            out[path] = os.lstat(path).st_mtime
        except OSError:
            pass
    return out


def tree_inventory(root):
    """(as the deploy user) Entries of the app's tree that are setuid/setgid, or writable by others (links and
    sticky dirs aside); and, per kept release, what a rollback to it needs: RELEASE.json, the venv's python
    link, pyvenv.cfg's version, the entry point's module and the recorded distribution in site-packages."""
    special, seen, truncated = [], 0, False
    for top, dirs, files in os.walk(root):
        seen += len(dirs) + len(files)
        if seen > 200000:  # a bound: shared data may hold any number of files
            truncated = True
            break
        for name in dirs + files:
            path = os.path.join(top, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            mode = st.st_mode
            what = [w for w, bit in (("setuid", stat.S_ISUID), ("setgid", stat.S_ISGID)) if mode & bit
                    and not stat.S_ISDIR(mode)]  # on a directory: new entries get its group (shared/), no rights
            if mode & 0o002 and not (stat.S_ISDIR(mode) and mode & stat.S_ISVTX):
                what.append("world-writable")
            if what:
                special.append({"path": path, "what": what, "mode": "%04o" % (mode & 0o7777),
                                "owner": name_of(pwd.getpwuid, st.st_uid)})
        if len(special) > 50:
            break
    releases = {}
    base = os.path.join(root, "releases")
    try:
        names = sorted(os.listdir(base))
    except OSError:
        names = []
    for name in names:
        rel = os.path.join(base, name)
        if name.startswith(".") or not os.path.isdir(rel) or os.path.islink(rel):
            continue
        data = read_nofollow(os.path.join(rel, "RELEASE.json"))
        if data is None:
            continue
        try:
            meta = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            meta = {}
        if not isinstance(meta, dict):
            meta = {}
        manifest = meta.get("manifest") if isinstance(meta.get("manifest"), dict) else {}
        site_rel = str(manifest.get("site_packages") or "")
        site = os.path.join(rel, "venv", site_rel) if site_rel else ""
        python = os.path.join(rel, "venv", "bin", "python")
        module = str(meta.get("entry_point") or "").split(":")[0].split(".")[0]
        found_module = bool(site and module) and (os.path.isfile(os.path.join(site, module, "__init__.py")) or
                                                  os.path.isfile(os.path.join(site, module + ".py")) or
                                                  os.path.isdir(os.path.join(site, module)))
        releases[name] = {
            "python": interpreter(python),  # its links, read: never run
            "venv_version": venv_version(os.path.join(rel, "venv")), "site": site_rel,
            "module": module, "module_found": found_module,
            "dist_version": dist_version(site, str(meta.get("name") or "")) if site else None,
            "version": meta.get("version"),
            "pth": sorted(n for n in (os.listdir(site) if site and os.path.isdir(site) else []) if n.endswith(".pth")),
        }
    return {"special": special[:50], "releases": releases, "truncated": truncated}


# ---------------------------------------------------------------- main

def gather(args):
    started = time.monotonic()
    root_user = os.getuid() == 0
    root = args["root"]
    facts = {"login": args.get("login"), "as_root": root_user, "errors": {}, "python": "%d.%d" % sys.version_info[:2],
             "executable": sys.executable}

    def section(name, work, *a):
        try:
            facts[name] = work(*a)
        except Exception as exc:  # one unreadable fact must not hide the others
            facts[name] = None
            facts["errors"][name] = "%s: %s" % (type(exc).__name__, exc)

    # the forks that read the app tree as the deploy user come first, before any thread is started
    section("tree", as_reader, args, tree_facts, args)
    wsgi = root + "/application.wsgi"
    hashes = lambda: [sha256_of(read_nofollow(wsgi)), sha256_of(read_nofollow(args["config_path"], 16 << 20))]  # noqa: E731
    section("hashes", as_reader, args, hashes)  # the config is read as the deploy user, never as root
    facts["wsgi_sha256"], facts["config_sha256"] = facts.pop("hashes") or (None, None)
    section("tree_inventory", as_reader, args, tree_inventory, root)
    paths = [root, root + "/releases", root + "/shared", root + "/application.wsgi", root + "/current",
             root + "/.deploy.lock", PYTHON_HOME, PYTHON_HOME + "/pyvenv.cfg", args["config_path"], args["vhost"]]
    paths += [root + "/shared/" + rel for rel in args.get("shared_paths", [])]
    in_tree = [p for p in paths if p == root or p.startswith(root + "/")]
    # lstat follows a link in the middle of a path: the app tree's paths are stat'ed by its reader, never as
    # root (a deploy login's shared -> /root/secret made root describe what only root may see)
    section("tree_stat", as_reader, args, stat_each, in_tree)
    http_facts = {}
    fetch = threading.Thread(target=lambda: http_facts.update(
        health=get(args, args["health_path"]), home=get(args, "/")), daemon=True)
    fetch.start()

    section("packages", packages, args["packages"])
    section("processes", processes, args["app"], args.get("daemon_display", "(wsgi:{app})"))
    procs, daemons = facts.pop("processes") or ([], [])
    # started only now: its apache2 process must not be taken for a running Apache
    apachectl = args.get("apachectl", "/usr/sbin/apache2ctl")
    ctest = configtest(apachectl) if root_user and os.path.exists(apachectl) else None
    dump = apache_dump(apachectl) if ctest is not None else None
    facts["apache"] = [p for p in procs if p["comm"] == args.get("process_name", "apache2")]
    facts["daemons"] = daemons
    section("ports", listening_ports)
    section("users", lambda: {"app": user_facts(args["app_user"]), "deploy": user_facts(args["deploy_user"])})
    section("boot", apache_boot, args.get("service", "apache2"))
    if args.get("wsgi_module_file"):
        section("pythons", lambda: {"mod_wsgi": linked_pythons(args["wsgi_module_file"]),
                                    "python_home": venv_version(PYTHON_HOME)})
    sudoers = "/etc/sudoers.d/deploytests-%s" % args["app"]
    tree_stat = facts.pop("tree_stat")
    if tree_stat is None:
        facts["errors"]["stat"] = facts["errors"].pop("tree_stat", "the tree's reader failed")
        facts["stat"] = None
    else:
        section("stat", lambda: dict({p: lstat_facts(p) for p in paths if p not in in_tree}, **tree_stat))
    section("sites_enabled", lambda: sorted(os.listdir(args.get("sites_enabled", "/etc/apache2/sites-enabled"))))
    section("vhost", lambda: (read_root_owned(args["vhost"]) or b"").decode("utf-8", "replace"))
    section("lock_held", lock_held, root + "/.deploy.lock")
    if root_user:
        section("sudoers", lambda: {"stat": lstat_facts(sudoers),
                                    "text": (read_root_owned(sudoers) or b"").decode("utf-8", "replace")})
        section("error_log_size", root_file_size, args["error_log"])
    if ctest is not None:
        section("configtest", finish_configtest, ctest)
    if dump is not None:
        section("inventory", lambda: inventory(args, daemons, finish_apache_dump(dump)))
    fetch.join(15)
    facts["http"] = http_facts
    facts["seconds"] = round(time.monotonic() - started, 3)
    return facts


def main(argv):
    args = json.loads(argv[0])
    if args.get("diagnose"):
        reply = {"sections": [{"title": k, "text": v} for k, v in diagnose(args).items()]}
    else:
        reply = gather(args)
    sys.stdout.write(MARK + json.dumps(reply, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
