"""The gate's tree reader: what the fact probe reads of the app's tree, run as the deploy user, never as root.

The runner sends this file on stdin after the root collector's (the login collector ran before both); the root
collector, its reply out, becomes the deploy user for good and runs it (``collect_root.become``: the process is
then not dumpable, so the deploy user cannot attach to it or take its output); without sudo the login itself runs it
(``deploytests.verify.facts.probe_command``). So a link or a file the deploy login planted in its
tree gives this reader only what the deploy login can read already. It reads; nothing of the tree is run,
imported or loaded: versions come from ``METADATA``, the venv's python is judged by its links
(:func:`interpreter`). Every walk is bounded (entries and depth: :data:`ENTRIES`, :data:`DEPTH`) and says so when
the bound is hit; every read is bounded. It also GETs the health path on 127.0.0.1 (the homepage: the runner's
GET).

Its reply is one JSON object after :data:`MARK`; the runner parses it as data, like everything the deploy side
writes (:mod:`deploytests.untrusted`). Rules for this file: standard library only, Python >= 3.7 syntax, no
imports from deploytests.
"""

import base64
import csv
import errno
import grp
import hashlib
import io
import itertools
import json
import os
import pwd
import re
import socket
import stat
import struct
import sys
import threading
import time

MARK = "@@DT-TREE "
KINDS = {stat.S_IFDIR: "directory", stat.S_IFREG: "regular file", stat.S_IFLNK: "symbolic link"}
ENTRIES, DEPTH = 200000, 64  # bounds of every walk of the tree (the deploy login may make any number of files)
RELEASES = 1000  # release directories looked at, at most (the newest by name)
RECORD_ROWS, RECORD_BYTES = 100000, 16 << 20  # per kept release: RECORD rows checked, bytes of one RECORD
UNTRACKED = ("RELEASE.json", "SNAPSHOT.json")  # a release's files its deploy's SNAPSHOT.json cannot record
HOME_FILES = (".bashrc", ".profile", ".bash_profile", ".bash_login", ".bash_logout", ".pam_environment", ".ssh",
              ".ssh/rc", ".ssh/environment", ".ssh/authorized_keys", ".ssh/authorized_keys2")
DPKG_INFO, MD5_BYTES, HASH_BYTES = "/var/lib/dpkg/info", 8 << 20, 256 << 20  # bounds of the packaged-files check
CTIME_SLACK = 2  # seconds: the files and md5sums of one dpkg run (or of an image layer extracted in one go)
JSON_DEPTH = 32  # levels a JSON file of the deploy login's may nest (deploy writes 3): deeper is refused where read
RECORD = ("id", "app", "name", "version", "artifact_sha256", "entry_point", "created_at", "previous", "config_sha256")
NOT_CODE = ("/usr/share/doc/", "/usr/share/man/", "/usr/share/locale/", "/usr/share/info/", "/usr/share/lintian/")


def walk(top, bounds):
    """``os.walk(top)`` (links never followed), at most :data:`ENTRIES` entries and :data:`DEPTH` levels below
    ``top``; a bound hit, or a directory it could not list (its owner may make one that others can list and it
    cannot: ``d--x---r-x``), is added to ``bounds`` as one line: never skipped in silence."""
    seen = 0

    def unlisted(e):  # (whose it is: a directory of the tree not the deploy user's breaks the deploys that write it)
        try:
            st = os.lstat(e.filename)
            whose = " (%04o %s:%s%s)" % (st.st_mode & 0o7777, name_of(pwd.getpwuid, st.st_uid), name_of(
                grp.getgrgid, st.st_gid), "" if st.st_uid == os.getuid() else ": not this user's (%s): a deploy that "
                "writes in it fails" % pwd.getpwuid(os.getuid()).pw_name)
        except (OSError, KeyError):
            whose = ""
        bounds.append("%s: not listed (%s)%s; not looked at" % (one_line(e.filename), e.strerror, whose))
    for base, dirs, files in os.walk(top, onerror=unlisted):
        seen += len(dirs) + len(files)
        if seen > ENTRIES:
            bounds.append("%s: more than %d entries; the rest was not looked at" % (one_line(top), ENTRIES))
            return
        if base[len(top):].count("/") >= DEPTH and dirs:
            bounds.append("%s: deeper than %d levels; not looked at below %s" % (one_line(top), DEPTH,
                                                                                  one_line(base)))
            dirs[:] = []
        yield base, dirs, files

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
        try:  # what the link leads to: its mode and owner are the risk (a shared dir moved to /srv, 0777)
            to = os.stat(path)
            facts["resolved"] = "%s %04o %s:%s" % (KINDS.get(stat.S_IFMT(to.st_mode), "other"), to.st_mode & 0o7777,
                                                   name_of(pwd.getpwuid, to.st_uid), name_of(grp.getgrgid, to.st_gid))
        except OSError as exc:
            facts["resolved"] = "not reachable (%s)" % exc.strerror
    return facts



NAMES = {}  # type: dict  # (lookup, id) -> name: each a read of /etc/passwd or /etc/group (~800 a probe)


def name_of(lookup, ident):
    if (lookup, ident) not in NAMES:
        try:
            NAMES[lookup, ident] = lookup(ident)[0]
        except KeyError:
            NAMES[lookup, ident] = str(ident)
    return NAMES[lookup, ident]



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



def unread_why(path):
    """Why ``path``, which :func:`read_nofollow` could not read, is there but unread (a link, not a regular file,
    its mode and owner), or None when it is not there."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return "is a link"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    return "cannot be read by the deploy login (%04o %d:%d)" % (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def sha256_of(data):
    return hashlib.sha256(data).hexdigest() if data is not None else None



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



def venv_settings(venv):
    """What a venv's ``pyvenv.cfg`` says decides where its python looks besides its own site-packages:
    ``home`` (whose standard library) and ``include-system-site-packages`` (the system's site-packages too), as
    text, or absent when unset."""
    data = read_nofollow(os.path.join(venv, "pyvenv.cfg")) or b""
    out = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, eq, value = line.partition("=")
        if eq and key.strip() in ("home", "include-system-site-packages"):
            out[key.strip()] = one_line(value.strip())
    return out


def venv_version(venv):
    """``version`` of a venv's ``pyvenv.cfg`` cut to X.Y (``version_info`` on 3.12+), or None."""
    data = read_nofollow(os.path.join(venv, "pyvenv.cfg")) or b""
    m = re.search(rb"^(?:version|version_info) *= *(\d+)\.(\d+)", data, re.M)
    return "%s.%s" % (m.group(1).decode(), m.group(2).decode()) if m else None



def inside(args, path):
    """:func:`get`, and when the site sends it to the same URL over TLS (``certbot --redirect``: ``https://`` +
    ``server_name`` + ``path``), the same GET over TLS on 127.0.0.1:443 (the certificate not judged: this asks the
    server itself), its answer marked ``tls``."""
    got = get(args, path)
    if got.get("status") in (301, 302, 307, 308) and got.get("location") == "https://%s%s" % (args["server_name"],
                                                                                              path):
        got = dict(get(args, path, tls=True), tls=True)
    return got


def get(args, path, limit=1 << 16, tls=False):
    """GET ``path`` on 127.0.0.1 with ``Host: server_name``: status, release header (repeated ones joined with
    ``, ``, as ``http.client`` gives them), the body's start. Over a plain socket: importing ``http.client`` (with
    ``email``) was ~25 ms of every probe's CPU, an eighth of this program's. The answer is read to its end
    (``Connection: close``) within 10 s in all and at most ``limit`` bytes, then its head is parsed."""
    deadline = time.monotonic() + 10
    request = "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: deploytests-probe\r\nAccept-Encoding: identity\r\n" \
              "Connection: close\r\n\r\n" % (path, args["server_name"])
    answer = b""
    try:
        with socket.create_connection(("127.0.0.1", 443 if tls else args["port"]), timeout=10) as sock:
            if tls:
                import ssl  # (only then: its import is a cost every probe would pay)

                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
                sock = context.wrap_socket(sock, server_hostname=args["server_name"])
            sock.sendall(request.encode("latin-1"))
            while len(answer) < limit:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except OSError as exc:  # (cut off or out of time after its head came: the head counts, as http.client's did)
        if b"\r\n\r\n" not in answer:
            return {"status": None, "error": "%s: %s" % (type(exc).__name__, exc)}
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(None, 2)
    if len(status) < 2 or not status[0].startswith("HTTP/") or not (status[1].isdigit() and len(status[1]) == 3):
        return {"status": None, "error": "BadStatusLine: %r" % lines[0][:80]}
    release = [v.strip() for n, sep, v in (ln.partition(":") for ln in lines[1:])
               if sep and n.strip().lower() == "x-deploy-release"]
    location = [v.strip() for n, sep, v in (ln.partition(":") for ln in lines[1:])
                if sep and n.strip().lower() == "location"]
    return {"status": int(status[1]), "release": ", ".join(release) if release else None,
            "body": body[:400].decode("utf-8", "replace"), **({"location": location[0]} if location else {})}


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



def may_read(st, uid, gids, acl=b""):
    """Whether ``uid`` (in ``gids``) may read ``st``'s file, or read and enter its directory, as the kernel decides:
    by its mode bits and, when it has one, its access ACL (``acl``: the ``system.posix_acl_access`` bytes, version
    2 then tag/perm/id entries): owner, a named user's entry, the group class (the owning group's entry and every
    named group's the user is in, each under the mask; none granting denies, whatever others may), others. A mode
    shows only the ACL's mask: ``setfacl -m u:app:---`` leaves a 0755 directory listed as 0755."""
    need = 0o5 if stat.S_ISDIR(st.st_mode) else 0o4
    if uid == 0:
        return True
    entries = [struct.unpack_from("<HHI", acl, i) for i in range(4, len(acl) - 7, 8)] \
        if acl[:4] == b"\2\0\0\0" else []
    if st.st_uid == uid or not entries:
        bits = st.st_mode >> 6 if st.st_uid == uid else st.st_mode >> 3 if st.st_gid in gids else st.st_mode
        return bits & need == need
    mask = next((p for t, p, _ in entries if t == 0x10), 7)
    named = [p for t, p, i in entries if t == 0x02 and i == uid]
    if named:
        return named[0] & mask & need == need
    groups = [p for t, p, _ in entries if t == 0x04 and st.st_gid in gids] + \
        [p for t, p, i in entries if t == 0x08 and i in gids]
    if groups:
        return any(p & mask & need == need for p in groups)
    return st.st_mode & need == need


def access_acl(path):
    """A path's ``system.posix_acl_access`` bytes (any user who may look it up may read them), or b"": none."""
    try:
        return os.getxattr(path, "system.posix_acl_access", follow_symlinks=False)
    except OSError:  # none (ENODATA), no xattrs on this file system, or gone
        return b""


def app_ids(name):
    """``(uid, gids)`` of the login ``name`` (its primary group and every group listing it), or None."""
    try:
        user = pwd.getpwnam(name)
    except (KeyError, TypeError):
        return None
    return user.pw_uid, {user.pw_gid} | {g.gr_gid for g in grp.getgrall() if name in g.gr_mem}


def _rel(path, base):
    """``os.path.relpath(path, base)`` of a path the walk of ``base`` made (``base/name/...``) without its cost
    (``abspath`` of both, ~1,400 a probe); any other path through ``relpath``."""
    return path[len(base) + 1:] if path.startswith(base + "/") else os.path.relpath(path, base)


def walk_release(release_dir, owner, shared, bounds, tree=None, reader=None, unreadable=None):
    """Hashes of every regular file under ``venv/lib`` and ``venv/bin`` (relative to the venv), and the entries
    of the release that are not the deploy user's or are writable by group/others (shared links excluded);
    ``tree``: a dict to fill with the hashes of the release's other files (relative to the release; its
    RELEASE.json and SNAPSHOT.json aside); ``reader``: ``(uid, gids)`` of the app user, whose daemons load the
    release: the entries it could not read (or enter) go to ``unreadable``. The release's own directory is judged
    as its entries are (``.``): one closed to the app user, or open to others, is the whole release's."""
    hashes, loose, count = {}, [], 0
    venv = os.path.join(release_dir, "venv")
    venv_lib, venv_bin = os.path.join(venv, "lib"), os.path.join(venv, "bin")
    skip = {os.path.join(release_dir, s) for s in shared}
    for top, dirs, files in itertools.chain([(os.path.dirname(release_dir), [os.path.basename(release_dir)], [])],
                                            walk(release_dir, bounds)):
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
                loose.append("%s %04o %s" % (_rel(path, release_dir), st.st_mode & 0o7777,
                                             name_of(pwd.getpwuid, st.st_uid)))
            acl = access_acl(path) if reader and unreadable is not None else b""
            if reader and unreadable is not None and not may_read(st, *reader, acl):
                unreadable.append("%s %04o %s:%s%s" % (_rel(path, release_dir), st.st_mode & 0o7777,
                                                       name_of(pwd.getpwuid, st.st_uid), name_of(grp.getgrgid,
                                                                                               st.st_gid),
                                                       " and an ACL closing it to the app user" if acl else ""))
            if path == release_dir:
                continue  # (its entries are the walk's)
            if stat.S_ISREG(st.st_mode) and path.startswith((venv_lib + "/", venv_bin + "/")):
                data = read_nofollow(path, 64 << 20)
                hashes[_rel(path, venv)] = sha256_of(data)
            elif tree is not None and stat.S_ISREG(st.st_mode) and not path.startswith(venv + "/") and \
                    _rel(path, release_dir) not in UNTRACKED:
                tree[_rel(path, release_dir)] = sha256_of(read_nofollow(path, 64 << 20))
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip and os.path.join(top, d) != release_dir]
    return hashes, loose, count



def settings_changed(meta, settings):
    """``{"settings_changed": [keys]}``: what of a RELEASE.json the app runs with (its ``env``, which
    application.wsgi sets; its ``entry_point``) is not what its deploy recorded with their digest (``settings``,
    ``settings_sha256``: the runner's ``release_settings``), or the record no longer matches its digest: changed
    after the deploy. Nothing for a release recorded before ``settings`` existed."""
    if not isinstance(meta, dict) or not isinstance(settings, dict):
        return {}
    keys = [k for k in ("env", "entry_point") if k in meta and meta.get(k) != settings.get(k)]
    if hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest() != meta.get("settings_sha256"):
        keys.append("settings")
    return {"settings_changed": keys} if keys else {}


def tree_facts(args):
    root = args["root"]
    releases = os.path.join(root, "releases")
    out = {"releases": {}, "incomplete": [], "failed": [], "current": None, "live": None}
    manifests = {}
    try:  # the root's own entries (the app user's home: what its programs load from ~ is judged by name)
        out["home"] = sorted(os.listdir(root))[:256]
    except OSError:
        pass
    try:
        names = sorted(os.listdir(releases))
    except OSError as exc:
        out["error"] = "%s: %s" % (releases, exc.strerror)
        return out
    if len(names) > RELEASES:
        out["bounds"] = ["%s: %d entries; only the last %d by name were looked at" % (releases, len(names), RELEASES)]
        names = names[-RELEASES:]
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
            why = unread_why(os.path.join(path, "RELEASE.json"))
            if why is None:  # not there: a dead deploy's leftover (the next deploy removes it)
                out["incomplete"].append(name)
            else:  # there, and not readable: the deploy keeps it (and cannot roll back to it)
                out["releases"][name] = {"unreadable": "RELEASE.json " + why, "has_manifest": False}
                manifests[name] = None
            continue
        meta, why = load_json(data)
        if why:
            meta = {"unreadable": "RELEASE.json is " + why}
        elif not isinstance(meta, dict):
            meta = {"unreadable": "RELEASE.json is not a JSON object"}
        manifest, settings = meta.get("manifest"), meta.get("settings")
        meta = dict({k: meta[k] for k in RECORD + ("unreadable",) if k in meta},  # only what the checks read
                    has_manifest=isinstance(manifest, dict), **settings_changed(meta, settings))
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
    bounds = []
    hashes, loose, count = walk_release(release_dir, pwd.getpwuid(os.getuid()).pw_name,
                                        args.get("shared_paths", []), bounds)
    out["live"] = {
        "id": live, "site_packages": os.path.relpath(site, release_dir),
        "installed_version": dist_version(site, str(meta.get("name") or "")),
        "python": interpreter(python),
        "venv_version": venv_version(os.path.join(release_dir, "venv")),
        "pyvenv": venv_settings(os.path.join(release_dir, "venv")),
        "shared": {rel: lstat_facts(os.path.join(release_dir, rel)) for rel in args.get("shared_paths", [])},
        "hashes": hashes, "loose": loose[:10], "loose_count": len(loose), "entries": count, "bounds": bounds,
        "manifest": manifests.get(live),
        "snapshot": json_file(os.path.join(release_dir, "SNAPSHOT.json")),  # the deploy's record (verify.drift)
    }
    return out


def nested_deeper(value, limit):
    """Whether parsed JSON ``value`` nests deeper than ``limit`` levels, found without recursion (what later walks
    it recurses: a copy, ``json.dumps``, a comparison; ``json.loads`` alone stops only near 1000 levels)."""
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def load_json(data):
    """``(value, None)`` for the JSON bytes the deploy login wrote, or ``(None, why)``: not JSON, or nested deeper
    than :data:`JSON_DEPTH` levels (bounded here, where it is read, for every use after)."""
    try:
        found = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # RecursionError: nested 10^5 deep
        return None, "not JSON"
    if nested_deeper(found, JSON_DEPTH):
        return None, "nested deeper than %d levels" % JSON_DEPTH
    return found, None


def json_file(path, limit=16 << 20):
    """A JSON object file the deploy login wrote, as data: the object, None when absent, or ``{"unreadable": why}``."""
    data = read_nofollow(path, limit)
    if data is None:
        return None
    found, why = load_json(data)
    if why:
        return {"unreadable": why}
    return found if isinstance(found, dict) else {"unreadable": "not a JSON object"}



def installed_distributions(site):
    """``name==version`` of every distribution in ``site`` (its ``*.dist-info/METADATA``: read, never
    imported: ``pip freeze`` would run the venv's python)."""
    found = set()
    try:
        entries = sorted(os.listdir(site))
    except OSError as exc:
        return ["(%s: %s)" % (site, exc.strerror)]
    infos = [e for e in entries if e.endswith(".dist-info")]
    if len(infos) > 2000:  # a bound: the deploy login's directory; said in the list it shows
        found.add("(%s: more than 2000 distributions; the rest not looked at)" % one_line(site))
    for entry in infos[:2000]:
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



def app_keys(user, ssh="/etc/ssh"):
    """Which files sshd takes the app user's keys from exist (``lstat``: a link counts; nothing is read): its
    ``~/.ssh/authorized_keys(2)`` and every path an ``AuthorizedKeysFile`` line of sshd_config or its drop-ins
    names for it, Match blocks too (a superset), tokens expanded as sshd does: a central ``/etc/ssh/keys/%u`` holds
    keys for it as well as its home would. Its home is the app's root (bootstrap makes it so): the deploy user's
    tree. One that cannot be looked at is named as such, never taken for absent."""
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return []
    home, words = pw.pw_dir, []
    try:
        drop = sorted(ssh + "/sshd_config.d/" + n for n in os.listdir(ssh + "/sshd_config.d") if n.endswith(".conf"))
    except OSError:
        drop = []
    for conf in [ssh + "/sshd_config"] + drop:
        text = (read_nofollow(conf, 1 << 20) or b"").decode("latin-1")
        words += [w for v in re.findall(r"(?im)^[ \t]*authorizedkeysfile[ \t=]+(.+)$", text) for w in v.split()]
    subst = {"%": "%", "h": home, "u": user, "U": str(pw.pw_uid)}
    named = [re.sub(r"%([%hUu])|^~([^/]*)", lambda m: subst.get(m.group(1)) or os.path.expanduser(
        "~" + (m.group(2) or "root")), w) for w in words if w.lower() != "none"]  # (~: sshd's own user's, root's)
    paths = [home + "/.ssh/authorized_keys", home + "/.ssh/authorized_keys2"] + \
        [os.path.normpath(p if p.startswith("/") else home + "/" + p) for p in named[:16]]
    found = {p: lstat_facts(p)["kind"] for p in dict.fromkeys(paths)}
    return ["%s (%s)" % (one_line(p), k) if k.startswith("not") else one_line(p) for p, k in found.items()
            if k != "missing"]


def login_keys(user):
    """``{path: [line, ...]}`` of ``user``'s own ``~/.ssh/authorized_keys(2)`` (public keys, at most 64 KiB each;
    the runner compares them with root's: a key that logs in as this login must not log in as root; and judges
    each: :func:`deploytests.verify.promises.key_grants`). Lines, not a text: the runner makes every string of
    the reply one line, which would leave only a file's first key to be seen. A file past the bound fails the
    section, as does a link on the way (sshd follows it): never a file cut or skipped in silence."""
    def read(fd):
        out = {}
        for name in ("authorized_keys", "authorized_keys2"):
            try:
                f = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
            except (FileNotFoundError, PermissionError):  # (sshd reads it as this user: no more)
                continue
            except OSError as exc:  # (a link: sshd follows it; never taken for no keys)
                raise ValueError("~%s/.ssh/%s: %s: not read" % (user, name, exc.strerror)) from None
            with open(f, "rb", buffering=0) as fh:
                data = fh.read(65537) if stat.S_ISREG(os.fstat(f).st_mode) else b""
            if len(data) > 65536:  # (sshd reads it all: a key after the bound was never seen)
                raise ValueError("~%s/.ssh/%s: more than 65536 bytes: not read" % (user, name))
            out[name] = data.decode("utf-8", "replace").split("\n")  # (sshd's lines end at a newline only)
        return out
    return {"~%s/.ssh/%s" % (user, n): t for n, t in (home(user, ".ssh", read, strict=True) or {}).items()}


PRIVATE = b"-----BEGIN OPENSSH PRIVATE KEY-----"


def held_keys(tops, most=2000):
    """``{path: "type base64-blob"}`` of every SSH private key this user (the deploy login) may read under ``tops``
    (its home two levels down, the app's root, ``shared/`` one level: at most ``most`` files of 16 KiB or less
    opened, links never followed; a bound hit says so): its public half, from the OpenSSH format's own header
    (never decrypted, never parsed further), else from the ``.pub`` beside it; ``"?"`` when neither says. The
    runner compares them with the keys sshd trusts for root and the admins (a user CA, root's and the gate's
    login's ``authorized_keys``)."""
    found, opened, bounds = {}, 0, []
    for top, depth in tops:
        for base, dirs, files in walk(top, bounds) if os.path.isdir(top) and not os.path.islink(top) else ():
            if base[len(top):].count("/") >= depth:
                dirs[:] = []
            for name in files:
                path = os.path.join(base, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode) or st.st_size > 16384 or path in found:
                    continue
                opened += 1
                if opened > most:
                    return dict(found, **{"(bound)": "more than %d files looked at under %s" % (most, top)})
                data = read_nofollow(path, 16384)
                if data and b"PRIVATE KEY-----" in data[:64]:
                    found[path] = public_half(data) or public_half(read_nofollow(path + ".pub", 16384) or b"", True)
    return found


def public_half(data, pub=False):
    """``"type base64-blob"`` of an OpenSSH private key's public key (openssh-key-v1: magic, cipher, kdf, kdf
    options, count, then the public key blob, all before the encrypted part), or of a ``.pub`` line; else None."""
    if pub:
        words = data.decode("latin-1").split()
        return "%s %s" % (words[0], words[1]) if len(words) > 1 else "?"
    if not data.startswith(PRIVATE):
        return None
    try:
        raw = base64.b64decode(b"".join(data.split(b"-----")[2].split()))
        at = len(b"openssh-key-v1\0")
        if raw[:at] != b"openssh-key-v1\0":
            return None
        for _ in range(3):  # ciphername, kdfname, kdfoptions
            at += 4 + int.from_bytes(raw[at:at + 4], "big")
        blob_len = int.from_bytes(raw[at + 4:at + 8], "big")
        blob = raw[at + 8:at + 8 + blob_len]
        kind = blob[4:4 + int.from_bytes(blob[:4], "big")].decode("ascii")
        return "%s %s" % (kind, base64.b64encode(blob).decode("ascii"))
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def home(user, rel, work, runtime=False, strict=False):
    """``work(fd)`` on ``user``'s ``~/<rel>`` (``runtime``: its ``/run/user/<uid>/<rel>``) opened by walking from
    ``/`` with ``O_NOFOLLOW``; None when absent (``strict``: below the home, only when absent or not this user's to
    open; a link there, which the program that reads it follows, or a file where a directory is, is a ValueError
    naming it: never taken for nothing there)."""
    fds, below = [os.open("/", os.O_RDONLY | os.O_DIRECTORY)], False
    try:
        entry = pwd.getpwnam(user)
        base = "/run/user/%d" % entry.pw_uid if runtime else entry.pw_dir
        for part in [p for p in base.split("/") if p] + [None] + [p for p in rel.split("/") if p]:
            below = below or part is None
            fds += [os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fds[-1])] if part else []
        return work(fds[-1])
    except OSError as exc:
        if strict and below and exc.errno not in (errno.ENOENT, errno.EACCES):  # (what this user may not open,
            # the program reading as this user may not either)
            raise ValueError("%s%s: %s: not read" % (base + "/" if runtime else "~%s/" % user, rel, exc.strerror)) \
                from None
        return None
    except KeyError:
        return None
    finally:
        list(map(os.close, fds))


def user_units(users):
    """The names in each watched user's systemd user unit dirs and their ``*.wants``/``*.requires`` dirs:
    ``{"user:~/dir/": names, "user:~/dir/x.wants/": names}`` (what its ``systemd --user`` manager may start), and
    in its manager's run-time ones (``{"user:/run/user/<uid>/systemd/transient/": names}``: ``systemd-run --user``'s
    units, ``systemctl --user --runtime``'s). Read as the deploy user: its own home (a ``0700`` home too: its
    manager sees no more than it does) and run-time dir, the app user's (the app's root: the deploy user's tree)
    and the Apache user's (``/var/www``, root's). A link on the way below the home or run-time dir (``~/.config``,
    a ``.wants`` dir: the manager follows it) or a bound hit (64 such dirs, 5000 names a dir) fails the section
    naming it: never taken for no units."""
    out = {}
    for user in users:
        for rel, runtime in ((".config/systemd/user/", False), (".local/share/systemd/user/", False),
                             ("systemd/transient/", True), ("systemd/user/", True)):
            top = home(user, rel, os.listdir, runtime, strict=True)
            where = ("/run/user/%d/" % pwd.getpwnam(user).pw_uid if runtime else "~/") + rel if top else ""
            subs = [n + "/" for n in top or [] if n.endswith((".wants", ".requires"))]
            for sub in [""] + subs:
                found = top if not sub else home(user, rel + sub, os.listdir, runtime, strict=True)
                if len(subs) > 64 or len(found or []) > 5000:
                    raise ValueError("%s:%s%s: more than 64 .wants/.requires dirs or 5000 names: not read" %
                                     (user, where, sub))
                out.update({"%s:%s%s" % (user, where, sub): sorted(found)} if found else {})
    return out


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
    if len(names) > 200:
        out["releases"].append("(%d entries; only the first 200 by name shown)" % len(names))
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
    meta, _ = load_json(read_nofollow(os.path.join(release_dir, "RELEASE.json")) or b"{}")
    out["created_at"] = str(meta.get("created_at", "")) if isinstance(meta, dict) else None
    out["installed"] = installed_distributions(os.path.join(
        release_dir, "venv", "lib", "python%d.%d" % sys.version_info[:2], "site-packages"))
    return out



def record_check(site, bounds):
    """Every file each distribution's ``*.dist-info/RECORD`` under ``site`` lists with a sha256, read (never
    imported) and hashed: ``{dists, checked, missing: [...], changed: [...], unrecorded: [...]}``, each item
    ``"<dist-info>: <path>"``. RECORD is the deploy login's data: its paths stay inside the venv, its rows and
    bytes are bounded (:data:`RECORD_ROWS`, :data:`RECORD_BYTES`; a bound hit is added to ``bounds``)."""
    out = {"dists": 0, "checked": 0, "missing": [], "changed": [], "unrecorded": []}
    venv = os.path.normpath(os.path.join(site, "..", "..", ".."))
    try:
        infos = sorted(e for e in os.listdir(site) if e.endswith(".dist-info"))[:2000]
    except OSError as exc:
        out["missing"].append("%s: %s" % (one_line(site), exc.strerror))
        return out
    rows = 0
    for info in infos:
        out["dists"] += 1
        data = read_nofollow(os.path.join(site, info, "RECORD"), RECORD_BYTES)
        if data is None:
            out["unrecorded"].append(one_line(info))
            continue
        for row in csv.reader(io.StringIO(data.decode("utf-8", "replace"))):
            if len(row) < 2 or not row[1].startswith("sha256="):
                continue  # RECORD itself, .pyc, console scripts (the server rewrites their first line)
            rows += 1
            if rows > RECORD_ROWS:
                bounds.append("%s: more than %d RECORD rows; the rest was not checked" % (one_line(site),
                                                                                         RECORD_ROWS))
                return out
            path = os.path.normpath(os.path.join(site, row[0]))
            if not path.startswith(venv + "/"):
                out["changed"].append("%s: %s (outside the venv: not read)" % (one_line(info), one_line(row[0])))
                continue
            found = read_nofollow(path, 64 << 20)
            out["checked"] += 1
            if found is None:
                out["missing"].append("%s: %s" % (one_line(info), one_line(row[0])))
            elif base64.urlsafe_b64encode(hashlib.sha256(found).digest()).rstrip(b"=").decode() != row[1][7:]:
                out["changed"].append("%s: %s" % (one_line(info), one_line(row[0])))
    return out


def compared(then, now, prefix):
    """``["added venv/x", "changed venv/y", "removed venv/z"]`` between two ``{path: sha256}`` (at most 50)."""
    out = ["added %s%s" % (prefix, one_line(p)) for p in sorted(now) if p not in then]
    out += ["changed %s%s" % (prefix, one_line(p)) for p in sorted(now) if p in then and now[p] != then[p]]
    out += ["removed %s%s" % (prefix, one_line(p)) for p in sorted(then) if p not in now]
    return out[:50] + (["... and %d more" % (len(out) - 50)] if len(out) > 50 else [])


def entry_defined(site, entry_point):
    """Whether the entry point's module (``pkg.mod:attr`` or ``pkg:factory()``) defines its attribute at its top
    level (a def, class, assignment or import of that name, read with :mod:`ast`, never imported); None when it
    cannot be told (no module file, a ``*`` import or a module ``__getattr__``, a file too big or not Python)."""
    import ast

    module, _, attr = entry_point.partition(":")
    attr = re.split(r"[.(\s]", attr.strip(), maxsplit=1)[0]
    base = os.path.join(site, *module.split("."))
    data = read_nofollow(base + ".py", 4 << 20) or read_nofollow(os.path.join(base, "__init__.py"), 4 << 20)
    if not attr or data is None:
        return None
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names, unsure = set(), False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in getattr(node, "targets", None) or [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif type(node).__name__ in ("If", "Try", "TryStar", "With", "AsyncWith", "For", "AsyncFor", "While",
                                     "Match"):
            unsure = True  # a block at the top may bind it
    return True if attr in names else None if unsure or {"*", "__getattr__"} & names else False


SHELL_RC = (".bashrc", ".profile", ".bash_profile", ".bash_login", ".bash_logout")  # what its shell runs: text too


def login_files(users):
    """``{user: {path: [mode, uid, gid(, text)]}}`` of what each login runs or trusts in its home
    (:data:`HOME_FILES`, and the home itself): a link as the file it reaches; the lines of its shell's startup
    files (:data:`SHELL_RC`, 64 KiB at most) when this user may read them, for what they run or source. Read as
    the deploy user (the homes it cannot enter: not listed)."""
    out = {}
    for user in users:
        try:
            home = pwd.getpwnam(user).pw_dir
        except KeyError:
            continue
        found = {}
        for rel in ("",) + HOME_FILES:
            path = os.path.join(home, rel) if rel else home
            try:
                st = os.stat(path) if rel else os.lstat(path)
            except OSError:
                continue
            text = read_nofollow(os.path.realpath(path), 64 << 10) if rel in SHELL_RC else None
            found[path if not os.path.islink(path) else "%s -> %s" % (path, os.path.realpath(path))] = [
                st.st_mode, st.st_uid, st.st_gid] + ([text.decode("utf-8", "replace").splitlines()[:2000]]
                                                     if text is not None else [])  # (lines: each value is one line)
        out[user] = found
    return out


def lstat_in(seen, path):
    """``path``'s ``lstat`` (None: none), kept in ``seen``: :func:`bytecode` takes the sources' from
    :func:`packaged`'s walk of the same files instead of asking the kernel again."""
    if path not in seen:
        try:
            seen[path] = os.lstat(path)
        except OSError:
            seen[path] = None
    return seen[path]


def packaged(patterns, lines=None, seen=None):
    """The files of the packages named by ``patterns`` (fnmatch) compared with dpkg's ``info/<pkg>.md5sums``:
    only those whose inode changed after the package's md5sums file was written (dpkg writes it as it unpacks:
    a file changed since has a newer ctime, which no one can set back) are hashed. dpkg-divert's paths are
    skipped (dpkg's own record of a file moved aside by a package); one a local ``dpkg-divert --local`` moved aside
    is in ``diverted`` (``[path, package, where dpkg's file went]``): what is at the path is an admin's file, not the
    package's. ``{checked, hashed, changed: [[path, package]], diverted, bounds}``."""
    out, seen = {"checked": 0, "hashed": 0, "changed": [], "diverted": [], "bounds": []}, {} if seen is None else seen
    triples = (read_nofollow("/var/lib/dpkg/diversions", MD5_BYTES) or b"").decode("utf-8", "replace").splitlines()
    diverted = {f: (to, by) for f, to, by in zip(triples[0::3], triples[1::3], triples[2::3], strict=False)}
    hashed = 0
    for package, since, md5, file in (lines or md5sums)(patterns):
        if file in diverted and diverted[file][1] == ":" and not file.startswith(NOT_CODE):
            out["diverted"].append([file, package, diverted[file][0]])
        if file.startswith(NOT_CODE) or file in diverted:
            continue
        st = lstat_in(seen, file)
        if st is None:
            continue
        out["checked"] += 1
        if not stat.S_ISREG(st.st_mode) or st.st_ctime <= since:
            continue
        if hashed + st.st_size > HASH_BYTES:
            out["bounds"].append("more than %d bytes of packaged files changed since installed: the rest "
                                 "not hashed" % HASH_BYTES)
            return out
        found = read_nofollow(file, st.st_size + 1)
        if found is None:
            continue
        hashed += len(found)
        out["hashed"] += 1
        if hashlib.md5(found).hexdigest() != md5:
            out["changed"].append([file, package])
    return out


def md5sums(patterns):
    """``(package, since, md5, path)`` for each line of dpkg's md5sums of the installed packages whose names match
    ``patterns``; ``since``: when dpkg wrote that list, plus :data:`CTIME_SLACK` (a file changed later has a newer
    ctime, which no one can set back)."""
    import fnmatch

    for name in sorted(os.listdir(DPKG_INFO)):
        package = name[:-8].split(":")[0]
        if not name.endswith(".md5sums") or not any(fnmatch.fnmatchcase(package, p) for p in patterns):
            continue
        try:
            since = os.stat(os.path.join(DPKG_INFO, name)).st_ctime + CTIME_SLACK
        except OSError:
            continue
        for line in (read_nofollow(os.path.join(DPKG_INFO, name), MD5_BYTES) or b"").decode(
                "utf-8", "replace").splitlines():
            yield package, since, line[:32], "/" + line[34:]


PYC_WINDOW, PYC_BYTES = 3600, 16 << 20  # seconds a package's own compile may follow its unpack; source compiled


def bytecode(patterns, lines=None, seen=None):
    """The modules of the packages named by ``patterns`` whose bytecode (``__pycache__/*.<tag>[.opt-N].pyc``, which
    dpkg's md5sums never list) is not what their source compiles to. Compared: a pyc written more than
    :data:`PYC_WINDOW` after its source (a package compiles its modules in its postinst, right after dpkg unpacked
    them; a ctime cannot be set back), or one whose source changed after its package was installed; a timestamp
    pyc whose header names another mtime or size than its source's is never loaded (not compared). The source is
    compiled with this Python (the stack's, the daemons' own) and its code compared with the pyc's
    (``marshal.loads``: data, never run). ``{checked, compared, forged: [[pyc, source, package]], bounds}``."""
    import marshal

    magic = sys.modules["_frozen_importlib_external"].MAGIC_NUMBER  # (importlib.util's, without its import)
    out, tag, budget = {"checked": 0, "compared": 0, "forged": [], "bounds": []}, sys.implementation.cache_tag, 0
    caches = {}  # directory -> the names in its __pycache__ (None: not listable, each name lstat'ed)
    seen = {} if seen is None else seen
    for package, since, _, src in (lines or md5sums)(patterns):
        if src.endswith(".py"):
            head, base = os.path.split(src)
            s = lstat_in(seen, src)
            if s is None:
                continue
            if head not in caches:
                try:
                    caches[head] = set(os.listdir(head + "/__pycache__"))
                except (FileNotFoundError, NotADirectoryError):
                    caches[head] = set()
                except OSError:
                    caches[head] = None
            for opt in ("", ".opt-1", ".opt-2"):
                pyc = "%s/__pycache__/%s.%s%s.pyc" % (head, base[:-3], tag, opt)
                if caches[head] is not None and pyc[len(head) + 13:] not in caches[head]:
                    continue  # (not there: one listing of the directory, not an lstat of each name)
                try:
                    c = os.lstat(pyc)
                except OSError:
                    continue
                out["checked"] += 1
                if c.st_ctime <= s.st_ctime + PYC_WINDOW and s.st_ctime <= since:
                    continue
                budget += s.st_size
                if budget > PYC_BYTES:
                    out["bounds"].append("more than %d bytes of sources to compile: the rest not compared" % PYC_BYTES)
                    return out
                data, source = read_nofollow(pyc, 64 << 20), read_nofollow(src, 64 << 20)
                if source is None or not stat.S_ISREG(s.st_mode):
                    continue
                if data is not None and not loaded(data, s, magic):
                    continue  # another Python's, or stale: the import system does not load it
                out["compared"] += 1
                code = compile(source, src, "exec", dont_inherit=True, optimize=int(opt[-1:] or 0))
                if data is None or data[16:] != marshal.dumps(code) and not same_code(data[16:], code):
                    out["forged"].append([pyc, src, package])
    return out


def loaded(data, st, magic):
    """Whether the import system would load the pyc ``data`` for a source of ``lstat`` ``st``: this Python's magic
    number, and a hash-based pyc (flags != 0: PEP 552) or a timestamp one naming the source's mtime and size (a
    pyc too short to say is taken as loaded: compared, it differs)."""
    word = [int.from_bytes(data[at:at + 4], "little") for at in (4, 8, 12)]
    return len(data) < 16 or data[:4] == magic and (word[0] != 0 or (word[1], word[2]) == (
        int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF))


def same_code(body, code):
    """Whether the marshalled ``body`` (a pyc's, after its header) is ``code`` (equal code objects: the same
    instructions, constants, names and line table); unreadable data is not."""
    import marshal

    try:
        return marshal.loads(body) == code
    except Exception:  # noqa: BLE001 - bytes someone wrote: anything they make marshal raise is "not the same"
        return False


def caps(path):
    """Whether ``path`` has file capabilities (a ``security.capability`` xattr: rights whoever runs it)."""
    try:
        return bool(os.getxattr(path, "security.capability", follow_symlinks=False))
    except OSError:
        return False


# a password hash as shadow(5) and crypt(5) write one, on a line of its own account (yescrypt, gost-yescrypt,
# scrypt, bcrypt, SHA-512/256, sunmd5, MD5): what a copy of /etc/shadow (or a line of it) holds, whatever its name
HASH_LINE = re.compile(rb"(?m)^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?:(\$(?:y|gy|7|2[abxy]?|6|5|md5|1)\$[./A-Za-z0-9$,=]{8,}):")


def others_reach():
    """A test of a directory: may others enter it and every directory above it (kept per directory)."""
    reach = {}

    def others_enter(d):
        if d not in reach:
            try:
                reach[d] = bool(os.stat(d).st_mode & stat.S_IXOTH) and (d == "/" or others_enter(os.path.dirname(d)))
            except OSError:
                reach[d] = False
        return reach[d]
    return others_enter


def seen_by_others(path, st):
    """What the reader sends of a file others may read: its path, mode and owner (never its content)."""
    return {"path": path, "mode": "%04o" % (st.st_mode & 0o7777), "owner": name_of(pwd.getpwuid, st.st_uid)}


def hash_copies(found, most=1 << 16):
    """The files among ``found`` (``(path, lstat)`` others may read) that hold a password hash on a line of its
    account (:data:`HASH_LINE`, in their first ``most`` bytes: a copy of /etc/shadow, a line of it pasted), that
    others reach (every directory above them others may enter): ``[{path, mode, owner}]``. No hash is sent."""
    others_enter = others_reach()
    return [seen_by_others(path, st) for path, st in found if 0 < st.st_size <= 16 << 20 and others_enter(
        os.path.dirname(path)) and HASH_LINE.search(read_nofollow(path, most) or b"")][:20]


# a value under a secret-looking key in a config's line (``redaction.SECRET_KEY``'s words, held equal by a unit
# test; 8 characters or more, as redaction's): what the app's config keeps secret, by value
SECRET_KEY = re.compile(r"(SECRET|PASSW|PASS$|PWD|TOKEN|KEY|AUTH|CRED|PRIVATE|SALT|DSN|DATABASE_URL)", re.I)
SETTING = re.compile(r"""(?m)^[ \t]*(?:export[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*[=:][ \t]*[bru]?["']?"""
                     r"""([^"'\s,#]{8,})""")
# a private key's block (collect_login.PRIVATE_KEY's, held equal by a unit test)
PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\r?\n(?:[A-Za-z-]+: [^\r\n]*\r?\n)*(?:\r?\n)?"
                         rb"[A-Za-z0-9+/=]{64}")


def secret_copies(config_path, found, most=1 << 16):
    """The files among ``found`` (``(path, lstat)`` others may read: where copies are left, the app's tree) that
    hold, in their first ``most`` bytes, a secret of the app's config by value (a value under a secret-looking key
    of ``config_path``: moved into a script, an env file, a unit) or a private key's block (a TLS or SSH key,
    whatever its name: outside /etc, which the login collector's walk judges), and that others reach (every
    directory above them others may enter): ``[{path, mode, owner, what}]``. Neither value nor key is sent."""
    text = (read_nofollow(config_path, 1 << 20) or b"").decode("utf-8", "replace") if config_path else ""
    values = {m.group(2).encode() for m in SETTING.finditer(text) if SECRET_KEY.search(m.group(1))}
    others_enter, out = others_reach(), []
    for path, st in found:
        if path == config_path or not 0 < st.st_size <= 16 << 20 or not others_enter(os.path.dirname(path)):
            continue
        head = read_nofollow(path, most) or b""
        what = "key" if PRIVATE_KEY.search(head) else "secret" if any(v in head for v in values) else None
        if what:
            out.append(dict(seen_by_others(path, st), what=what))
        if len(out) >= 20:
            break
    return out


def config_copies(root, config_path, found):
    """The files among ``found`` (paths of the app's tree others may read, with their sizes) that are the app's
    config or a kept one by content (sha256 of the live config and of each file in ``<root>/.configs``), whatever
    their names, and that others reach (every directory above them others may enter): ``[{path, mode, owner}]``.
    The live config file itself is test_config_not_world_readable's."""
    shas, kept = {}, os.path.join(root, ".configs")
    try:
        names = sorted(os.listdir(kept))[:1000]
    except OSError:
        names = []
    for path in [config_path] + [os.path.join(kept, n) for n in names]:
        data = read_nofollow(path, 16 << 20)
        if data is not None:
            shas[sha256_of(data)] = len(data)
    sizes, others_enter = set(shas.values()), others_reach()
    return [seen_by_others(path, st) for path, st in found if path != config_path and st.st_size in sizes and
            others_enter(os.path.dirname(path)) and sha256_of(read_nofollow(path, 16 << 20)) in shas][:20]


# where copies are left outside the tree (an incident's 'cp application.cfg /tmp/...', a hand backup): the
# shared scratch places, the local admin's places of the FHS, /etc and /var as a whole (a copy kept 'before the
# edit' beside a config, under /var/lib or /var/cache: a list of /var's places missed the next one), and (the
# caller adds it) the directory holding the app's tree, where 'cp -a app app.bak' and 'cp app/shared/app.cfg
# app.cfg.bak' land: what the deploy user may read there, others may too, so they are searched as it
LEFT_COPIES = ("/tmp", "/var/tmp", "/dev/shm", "/var/backups", "/srv", "/home", "/opt", "/var/local", "/var/opt",
               "/usr/local", "/mnt", "/media", "/etc", "/var")


def left_around(bases=LEFT_COPIES, depth=2, most=8000, skip=None):
    """``(path, lstat)`` of each regular file others may read under ``bases`` (at most ``depth`` levels below,
    ``most`` entries in all, links never followed, the directory ``skip`` left out: the app's tree, walked
    already): a copy of the config there is one every local user reads."""
    out, seen = [], 0
    for base in bases:
        for top, dirs, files in os.walk(base):
            level = top[len(base):].count("/")
            dirs[:] = [] if level >= depth else [d for d in dirs if os.path.join(top, d) != skip]
            for name in files:
                seen += 1
                if seen > most:
                    return out
                try:
                    st = os.lstat(os.path.join(top, name))
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) and st.st_mode & stat.S_IROTH:
                    out.append((os.path.join(top, name), st))
    return list(dict(out).items())  # (a place below another walked twice: once)


def release_shared(meta, shared):
    """The shared paths a release was deployed with (its RELEASE.json's ``settings``), each a plain relative path;
    else ``shared`` (deploy.toml's): a release made before the record, or a record that is not that."""
    paths = (meta.get("settings") or {}).get("shared_paths") if isinstance(meta.get("settings"), dict) else None
    plain = isinstance(paths, list) and all(isinstance(p, str) and re.fullmatch(r"[\w.-]+(/[\w.-]+)*", p) and
                                            ".." not in p.split("/") for p in paths)
    return list(paths) if plain else list(shared)


def tree_inventory(root, shared=(), app_user=None, config_path=None):
    """(as the deploy user) Entries of the app's tree that are setuid/setgid or have file capabilities, or
    writable by others (links and sticky dirs aside); and, per kept release, what a rollback to it needs:
    RELEASE.json, the venv's python link, pyvenv.cfg's version, the entry point's module and the recorded
    distribution in site-packages; and,
    per kept release but the live one, its entries not the deploy user's or writable by group/others
    (``loose``), every file its distributions' RECORDs list, hashed (:func:`record_check`), and whether the
    config it started with is kept in ``<root>/.configs`` as it was (``config_kept``)."""
    special, bounds, readable, private = [], [], [], []
    data = os.path.join(root, "shared") + "/"
    for top, dirs, files in walk(root, bounds):
        for name in dirs + files:
            path = os.path.join(top, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            mode = st.st_mode
            if stat.S_ISREG(mode) and mode & stat.S_IROTH and len(readable) < 10000:
                readable.append((path, st))  # (a copy of the config? config_copies, by size then content)
            elif stat.S_ISREG(mode) and path.startswith(data) and 0 < st.st_size <= 16 << 20 and len(private) < 2000:
                private.append((path, st))  # (the app's data others may not read: private_copies)
            what = [w for w, bit in (("setuid", stat.S_ISUID), ("setgid", stat.S_ISGID)) if mode & bit
                    and not stat.S_ISDIR(mode)]  # on a directory: new entries get its group (shared/), no rights
            if mode & 0o002 and not (stat.S_ISDIR(mode) and mode & stat.S_ISVTX):
                what.append("world-writable")
            if stat.S_ISREG(mode) and mode & 0o111 and caps(path):
                what.append("file capabilities")
            if what:
                special.append({"path": path, "what": what, "mode": "%04o" % (mode & 0o7777),
                                "owner": name_of(pwd.getpwuid, st.st_uid)})
        if len(special) > 50:
            break
    releases, owner = {}, pwd.getpwuid(os.getuid()).pw_name
    try:
        live = os.path.basename(os.readlink(os.path.join(root, "current")).rstrip("/"))
    except OSError:
        live = None
    base = os.path.join(root, "releases")
    try:
        names = sorted(os.listdir(base))[-RELEASES:]
    except OSError:
        names = []
    linked = {}  # a release entry that is a link (the deploy makes directories): name -> where it leads
    unread = {}  # a release whose RELEASE.json is there but unread: name -> why
    for name in names:
        rel = os.path.join(base, name)
        if os.path.islink(rel):
            linked[one_line(name)] = one_line(os.readlink(rel))
        if name.startswith(".") or not os.path.isdir(rel) or os.path.islink(rel):
            continue
        data = read_nofollow(os.path.join(rel, "RELEASE.json"))
        if data is None:
            why = unread_why(os.path.join(rel, "RELEASE.json"))
            if why is not None:
                unread[one_line(name)] = "RELEASE.json " + why
            continue
        meta, _ = load_json(data)
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
            "pyvenv": venv_settings(os.path.join(rel, "venv")),
            "module": module, "module_found": found_module,
            "entry_attr": str(meta.get("entry_point") or "").partition(":")[2],
            "dist_version": dist_version(site, str(meta.get("name") or "")) if site else None,
            "version": meta.get("version"),
            "config_sha256": meta.get("config_sha256") if isinstance(meta.get("config_sha256"), str) else None,
            "pth": sorted(n for n in (os.listdir(site) if site and os.path.isdir(site) else []) if n.endswith(".pth")),
        }
        if name != live:  # a rollback target: by content and by who may write it (the live one: test_installed_*)
            own = release_shared(meta, shared)  # the links it was deployed with: a rollback runs it with those
            releases[name]["shared"] = {p: lstat_facts(os.path.join(rel, p)) for p in own}  # what it would use
            sha = releases[name]["config_sha256"]
            if sha and re.fullmatch(r"[0-9a-f]{64}", sha):  # the config a rollback puts back with it, as kept
                kept = read_nofollow(os.path.join(root, ".configs", sha), 16 << 20)
                releases[name]["config_kept"] = kept is not None and sha256_of(kept) == sha
            releases[name]["entry_defined"] = entry_defined(site, str(meta.get("entry_point") or "")) if site \
                else None
            recorded = json_file(os.path.join(rel, "SNAPSHOT.json"))
            recorded = recorded if isinstance(recorded, dict) and isinstance(recorded.get("files"), dict) else None
            tree = {}  # (its other files: the runner compares its static dirs with the artifact, SNAPSHOT or not)
            unreadable = []
            hashes, loose = walk_release(rel, owner, own, bounds, tree=tree, reader=app_ids(app_user),
                                         unreadable=unreadable)[:2]
            static = [d for d in ((meta.get("manifest") or {}).get("static") or []) if isinstance(d, str)] \
                if isinstance(meta.get("manifest"), dict) else []
            releases[name].update(loose=loose[:10], loose_count=len(loose), unreadable=unreadable[:10],
                                  unreadable_count=len(unreadable), hashes=hashes,  # (the runner: its artifact's)
                                  static={p: h for p, h in tree.items()
                                          if p.startswith(tuple(d.rstrip("/") + "/" for d in static))})
            if recorded is None:  # deployed before the deploy recorded its files: their RECORDs, hashed
                releases[name]["record"] = record_check(site, bounds) if site else None
            else:  # what the deploy recorded (its SNAPSHOT.json), file by file, __pycache__ and static files too
                releases[name]["since_deploy"] = compared(recorded["files"], hashes, "venv/")
                if isinstance(recorded.get("tree"), dict):
                    releases[name]["since_deploy"] += compared(recorded["tree"], tree, "")
    around = readable + left_around((os.path.dirname(root.rstrip("/")),) + LEFT_COPIES, skip=root.rstrip("/"))
    releases_dir = root.rstrip("/") + "/releases/"  # (each release's files: compared with its deploy's record)
    narrow = [(p, st) for p, st in around if not p.startswith(releases_dir) and not wide_only(p, root)]  # (read)
    return {"special": special[:50], "releases": releases, "linked": dict(list(linked.items())[:10]),
            "unread": dict(list(unread.items())[:10]),
            "truncated": bool(bounds), "bounds": bounds,
            "config_copies": config_copies(root, config_path, around) if config_path else None,
            "hash_copies": hash_copies(narrow), "secret_copies": secret_copies(config_path, narrow),
            "private_copies": private_copies(private, [(p, st) for p, st in around if not p.startswith(
                releases_dir)])}


def private_copies(private, found):
    """The files among ``found`` (``(path, lstat)`` others may read) that are, by content, one of ``private``
    (the files of the app's ``shared/`` others may not read: its database, uploads, a key it made), found by size
    then sha256 (only a file of a private one's size is read), that others reach (every directory above them
    others may enter): ``[{path, mode, owner, of}]``. A private file this login may not read is not compared."""
    sizes: dict = {}
    for path, st in private:
        sizes.setdefault(st.st_size, []).append(path)
    others_enter, shas, out = others_reach(), {}, []
    for path, st in found:
        if st.st_size not in sizes or not others_enter(os.path.dirname(path)):
            continue
        for mine in sizes[st.st_size]:
            if mine not in shas:
                data = read_nofollow(mine, 16 << 20)
                shas[mine] = sha256_of(data) if data is not None else None
        sha = sha256_of(read_nofollow(path, 16 << 20) or b"")
        of = next((mine for mine in sizes[st.st_size] if shas[mine] == sha), None)
        if of:
            out.append(dict(seen_by_others(path, st), of=of))
        if len(out) >= 20:
            break
    return out


def wide_only(path, root):
    """Whether ``path`` was found only by the wide bases (/etc, /var as a whole): searched for the config's copies
    by size (cheap), not read whole for a password hash (a shadow copy's places are the narrower ones)."""
    narrow = [b for b in LEFT_COPIES if b not in ("/etc", "/var")] + [os.path.dirname(root.rstrip("/"))]
    return path.startswith(("/etc/", "/var/")) and not any(path.startswith(b.rstrip("/") + "/") for b in narrow)




def entries(top, bounds):
    """``top`` and, when it is a directory (not a link to one), every entry under it (:func:`walk`'s bounds)."""
    yield top
    try:
        if not stat.S_ISDIR(os.lstat(top).st_mode):
            return
    except OSError:
        return
    for base, dirs, files in walk(top, bounds):
        for name in dirs + files:
            yield os.path.join(base, name)


def secret_acls(root, config_path, shared=()):
    """The POSIX ACLs of where the app's secrets are (the config, each kept config in ``<root>/.configs``, and each
    directory above them up to ``/``): ``{path: {"access": raw, "default": raw}}`` (``system.posix_acl_access`` and,
    of a directory, ``system.posix_acl_default``: what a file made there later gets; its bytes as hex, which any
    user who may look the path up may read; the reply's strings are made safe on the runner) of each that has
    one. A mode shows only the ACL's mask: a named user's read grant (``setfacl -m u:www-data:r``) leaves a 0640
    config listed as 0640. ``shared``: the shared paths too (the app writes its data there: a default ACL gives what
    it makes there its entries instead of the daemons' umask)."""
    kept = os.path.join(root, ".configs")
    try:
        names = sorted(os.listdir(kept))[:256]
    except OSError:
        names = []
    paths = [config_path] + [os.path.join(kept, n) for n in names]
    for path in list(paths):
        while path != "/":
            path = os.path.dirname(path)
            paths.append(path)
    paths += [os.path.join(root, "shared", os.path.normpath(p)) for p in list(shared)[:256]
              if not os.path.normpath(p).startswith(("/", ".."))]
    out = {}
    for path in dict.fromkeys(paths):
        for kind in ("access", "default"):
            try:
                out.setdefault(path, {})[kind] = os.getxattr(path, "system.posix_acl_" + kind,
                                                             follow_symlinks=False).hex()
            except OSError:  # none (ENODATA), no xattrs here, or not there
                pass
    return {p: v for p, v in out.items() if v}


def loaded_changed(args, bounds):
    """The newest ``ctime`` among everything the app's daemons load, and the path that has it: the live release's
    tree (its ``__pycache__``, venv and RELEASE.json), ``current``, ``application.wsgi``, the config and the
    daemons' python-home. A ``ctime`` is set by the kernel at every change of a file (bytes, mode, owner, a link
    or rename in a directory) and no user may set it back (``touch -r`` sets only mtime and atime): a module
    changed after the daemons loaded it and put back byte for byte still shows here. Entries are ``lstat``ed
    (links never followed), walks bounded as every walk of this reader (a bound hit goes to ``bounds``)."""
    root = args["root"]
    tops = [os.path.join(root, "current"), os.path.join(root, "application.wsgi")]
    try:
        target = os.readlink(tops[0]).rstrip("/")
    except OSError:
        target = ""
    if target.startswith("releases/") and "/" not in target[len("releases/"):]:
        tops.append(os.path.join(root, target))
    tops += [p for p in (args.get("config_path"), args.get("python_home")) if p]
    newest, where, count = 0.0, None, 0
    for path in (p for top in tops for p in entries(top, bounds)):
        try:
            changed = os.lstat(path).st_ctime
        except OSError:
            continue  # absent (its own check names it) or gone since the walk listed it
        count += 1
        if changed > newest:
            newest, where = changed, path
    return {"ctime": newest, "path": where, "entries": count}


def gather(args):
    """Every fact of the app's tree the checks need, and the site's answers on 127.0.0.1 (see the module doc)."""
    started, facts, errors = time.monotonic(), {}, {}
    root = args["root"]
    http_facts = {}
    fetch = threading.Thread(target=lambda: http_facts.update(
        health=inside(args, args["health_path"])), daemon=True)  # (test_health_from_inside's; GET / is the runner's)
    fetch.start()

    def section(name, work, *a):
        try:
            facts[name] = work(*a)
        except Exception as exc:  # one unreadable fact must not hide the others
            facts[name] = None
            errors[name] = "%s: %s" % (type(exc).__name__, exc)

    section("tree", tree_facts, args)
    section("wsgi_sha256", lambda: sha256_of(read_nofollow(root + "/application.wsgi")))
    section("config_sha256", lambda: sha256_of(read_nofollow(args["config_path"], 16 << 20)))
    section("tree_inventory", tree_inventory, root, args.get("shared_paths", []), args.get("app_user"),
            args["config_path"])
    section("stat", stat_each, args["paths"])
    section("secret_acls", secret_acls, root, args["config_path"], args.get("shared_paths", []))
    loaded_bounds = []
    section("loaded", loaded_changed, args, loaded_bounds)
    section("app_keys", app_keys, args.get("app_user", ""))
    section("login_keys", login_keys, args.get("deploy_user", ""))
    try:  # (what the deploy user may read: only when this is the deploy user, as under sudo after ``become``)
        deploy = pwd.getpwnam(args.get("deploy_user", ""))
    except KeyError:
        deploy = None
    if deploy and deploy.pw_uid == os.getuid():
        section("held_keys", held_keys, [(deploy.pw_dir, 2), (root, 0), (root + "/shared", 1)])
    section("user_units", user_units, [u for u in (args.get("app_user"), args.get("deploy_user"), "www-data") if u])
    me = pwd.getpwuid(os.getuid()).pw_name
    section("login_files", login_files, sorted({me, args.get("login") or me}))
    read = {}  # dpkg's md5sums, read once for both (their ``lines``)

    def once(patterns):
        if "rows" not in read:
            read["rows"] = list(md5sums(patterns))
        return read["rows"]
    seen = {}  # (the packaged files' lstat, once for both)
    section("packaged", packaged, args.get("verify_packages") or [], once, seen)
    section("bytecode", bytecode, args.get("verify_packages") or [], once, seen)
    try:
        facts["lock_ino"] = os.lstat(root + "/.deploy.lock").st_ino
    except OSError:
        facts["lock_ino"] = None
    fetch.join(15)
    bounds = (facts["tree"] or {}).get("bounds", []) + ((facts["tree"] or {}).get("live") or {}).get("bounds", []) \
        + (facts["tree_inventory"] or {}).get("bounds", []) + loaded_bounds
    if bounds:
        errors["tree"] = "; ".join(dict.fromkeys(bounds))  # a bound hit fails the gate's first check, named
    return dict(facts, http=http_facts, errors=errors, user=pwd.getpwuid(os.getuid()).pw_name,
                seconds=round(time.monotonic() - started, 3))


def main(argv):
    args = json.loads(argv[0])
    reply = tree_report(args) if args.get("diagnose") else gather(args)
    sys.stdout.write(MARK + json.dumps(reply, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
