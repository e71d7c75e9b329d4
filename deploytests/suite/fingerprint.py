"""The fingerprint of what bootstrap and deploy manage on a server, for the lifecycle scenarios to compare
before and after (a second bootstrap and deploy must change nothing; a rollback drill must come back to it).

Run as root on the server by :meth:`deploytests.suite.lab.Lab.fingerprint`: ``python3 -c <this source>
PATH...`` (the app's tree, its vhost and ``sites-enabled`` where the server stack keeps them, ``sudoers.d``).
Prints, sorted, one line per entry under them -- path, permission bits, owner:group, link target -- then
``<sha256>  <path>`` of every regular file. Links are never followed. Byte-code (``*.pyc``, ``__pycache__``)
is left out, and so are the contents of the lock file (its holder's line) and of the example app's visit
counter; a path that does not exist prints ``<path> absent``.

Rules for this file: standard library only, Python >= 3.7 syntax, no imports from deploytests.
"""

import grp
import hashlib
import os
import pwd
import stat
import sys

CONTENT_SKIPPED = (".deploy.lock", "shared/data/visits")


def name(table, ident):
    try:
        return table(ident)[0]
    except KeyError:
        return str(ident)


def walk(top):
    """``top`` and everything below it (not through links), without byte-code."""
    yield top
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for entry in dirnames + filenames:
            if not entry.endswith(".pyc"):
                yield os.path.join(dirpath, entry)


def describe(path):
    st = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(st.st_mode) else ""
    return "%s %o %s:%s %s" % (path, stat.S_IMODE(st.st_mode), name(pwd.getpwuid, st.st_uid),
                               name(grp.getgrgid, st.st_gid), target)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(tops):
    entries, files = [], []
    for top in tops:
        if not os.path.lexists(top):
            entries.append("%s absent" % top)
            continue
        for path in walk(top):
            entries.append(describe(path))
            if stat.S_ISREG(os.lstat(path).st_mode) and not path.endswith(CONTENT_SKIPPED):
                files.append("%s  %s" % (sha256(path), path))
    return sorted(entries) + sorted(files)


def main(argv):
    for line in fingerprint(argv):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
