"""The read-only fact probe: one stdlib-only Python program run on a server per verification, one round trip.

It gathers every fact the promise checks (:mod:`deploytests.verify.promises`) look at and prints them as one
JSON document after a ``@@DT-FACTS`` line. It changes nothing: no file is written, no lock is taken, no
service is touched, no code of the app tree is executed (versions are read from ``METADATA`` files, not by
importing). The runner sends this file's source on stdin::

    sh -c 'if sudo -n true 2>/dev/null; then S="sudo -n"; fi; exec $S python3 -c BOOT <json args>'

Run as root (the login may sudo), it reads what only root may read (the sudoers rule, the configtest, the
daemons' ``/proc`` entries, the error log's size); the app tree (owned by the deploy login, which may be
hostile) is read by a forked child that dropped to the deploy user first, so no link planted there can make
root read anything the deploy user could not. Without sudo, the facts only root can read are ``None`` and
the checks that need them skip with that reason.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import grp
import hashlib
import http.client
import json
import os
import pwd
import re
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

def packages(names):
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Status}\n"] + list(names),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    found = dict.fromkeys(names, "not installed")
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        name, _, status = line.partition("\t")
        found[name.split(":")[0]] = "installed" if status.endswith("install ok installed") else status or "unknown"
    return found


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
            daemon = dict(proc, started=boot_time() + int(raw[raw.rindex(")") + 2:].split()[19]) / TICKS)
            try:
                with open(base + "/status") as f:
                    daemon["umask"] = next((ln.split()[1] for ln in f if ln.startswith("Umask:")), None)
            except OSError:
                daemon["umask"] = None
            daemons.append(daemon)
    return procs, daemons


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


def linked_pythons(path):
    """The libpython X.Y versions the shared object ``path`` links (``ldd``), e.g. ``["3.11"]``."""
    proc = subprocess.run(["ldd", path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=20)
    words = proc.stdout.decode("utf-8", "replace").split()
    return sorted({w.split(".so")[0][len("libpython"):] for w in words if w.startswith("libpython")})


def venv_version(venv):
    """``version`` of a venv's ``pyvenv.cfg`` cut to X.Y (``version_info`` on 3.12+), or None."""
    data = read_nofollow(os.path.join(venv, "pyvenv.cfg")) or b""
    m = re.search(rb"^(?:version|version_info) *= *(\d+)\.(\d+)", data, re.M)
    return "%s.%s" % (m.group(1).decode(), m.group(2).decode()) if m else None


def configtest(apachectl):
    """``apache2ctl -t -D DUMP_MODULES``: the syntax check and the loaded modules in one run."""
    proc = subprocess.Popen([apachectl, "-t", "-D", "DUMP_MODULES"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc


def finish_configtest(proc):
    out, err = proc.communicate(timeout=20)
    modules = [ln.split()[0] for ln in out.decode("utf-8", "replace").splitlines() if ln.startswith(" ")]
    return {"rc": proc.returncode, "stderr": err.decode("utf-8", "replace").strip(), "modules": modules}


def lock_held(path):
    """Whether some process holds a lock on ``path`` (``/proc/locks``, read-only: nothing is locked here)."""
    try:
        st = os.stat(path)
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
    """Hashes of every regular file under ``venv/lib`` (relative to the venv), and the entries of the release
    that are not the deploy user's or are writable by group/others (shared links excluded)."""
    hashes, loose, count = {}, [], 0
    venv_lib = os.path.join(release_dir, "venv", "lib")
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
            if stat.S_ISREG(st.st_mode) and path.startswith(venv_lib + "/"):
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
        except ValueError:
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
        "python": os.path.realpath(python) if os.path.lexists(python) else None,
        "venv_version": venv_version(os.path.join(release_dir, "venv")),
        "python_ok": os.path.isfile(python) and os.access(python, os.X_OK),
        "shared": {rel: lstat_facts(os.path.join(release_dir, rel)) for rel in args.get("shared_paths", [])},
        "hashes": hashes, "loose": loose[:10], "loose_count": len(loose), "entries": count,
        "manifest": manifests.get(live),
    }
    return out


def as_user(user, work, *a):
    """Run ``work(*a)`` in a child process that dropped to ``user`` (its groups too); return its result."""
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
    with os.fdopen(rfd, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    result = json.loads(data.decode() or '{"error": "no output"}')
    if "error" in result:
        raise RuntimeError(result["error"])
    return result["ok"]


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
    if root_user and user_facts(args["deploy_user"]):
        section("tree", as_user, args["deploy_user"], tree_facts, args)
    else:
        section("tree", tree_facts, args)
    wsgi = root + "/application.wsgi"
    if root_user and user_facts(args["deploy_user"]):
        section("wsgi_sha256", as_user, args["deploy_user"], lambda: sha256_of(read_nofollow(wsgi)))
    else:
        section("wsgi_sha256", lambda: sha256_of(read_nofollow(wsgi)))
        if "config_sha256" not in facts:
            section("config_sha256", lambda: sha256_of(read_nofollow(args["config_path"], 16 << 20)))
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
    facts["apache"] = [p for p in procs if p["comm"] == args.get("process_name", "apache2")]
    facts["daemons"] = daemons
    section("ports", listening_ports)
    section("users", lambda: {"app": user_facts(args["app_user"]), "deploy": user_facts(args["deploy_user"])})
    section("boot", apache_boot, args.get("service", "apache2"))
    if args.get("wsgi_module_file"):
        section("pythons", lambda: {"mod_wsgi": linked_pythons(args["wsgi_module_file"]),
                                    "python_home": venv_version(PYTHON_HOME)})
    paths = [root, root + "/releases", root + "/shared", root + "/application.wsgi", root + "/current",
             root + "/.deploy.lock", PYTHON_HOME, PYTHON_HOME + "/pyvenv.cfg", args["config_path"], args["vhost"]]
    paths += [root + "/shared/" + rel for rel in args.get("shared_paths", [])]
    sudoers = "/etc/sudoers.d/deploytests-%s" % args["app"]
    section("stat", lambda: {p: lstat_facts(p) for p in paths})
    section("sites_enabled", lambda: sorted(os.listdir(args.get("sites_enabled", "/etc/apache2/sites-enabled"))))
    section("vhost", lambda: (read_nofollow(args["vhost"]) or b"").decode("utf-8", "replace"))
    section("lock_held", lock_held, root + "/.deploy.lock")
    if root_user:
        section("sudoers", lambda: {"stat": lstat_facts(sudoers),
                                    "text": (read_nofollow(sudoers) or b"").decode("utf-8", "replace")})
        section("config_sha256", lambda: sha256_of(read_nofollow(args["config_path"], 16 << 20)))
        section("error_log_size", lambda: os.stat(args["error_log"]).st_size)
    if ctest is not None:
        section("configtest", finish_configtest, ctest)
    fetch.join(15)
    facts["http"] = http_facts
    facts["seconds"] = round(time.monotonic() - started, 3)
    return facts


def main(argv):
    args = json.loads(argv[0])
    sys.stdout.write(MARK + json.dumps(gather(args), sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
