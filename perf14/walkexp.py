# ruff: noqa  (scratch: perf14's lab scripts, run by hand)
"""In the container: variants of the local-files walk, CPU each (median of 5)."""
import os
import resource


def cpu():
    t = resource.getrusage(resource.RUSAGE_SELF); return t.ru_utime + t.ru_stime, t.ru_utime, t.ru_stime
ROOTS = ["/"]
def root_only(st):
    return st.st_uid == 0 and not st.st_mode & 0o001 and (not st.st_mode & 0o010 or st.st_gid == 0)
skip = {"/proc", "/sys", "/dev", "/etc", "/var/www/yourapplication"}
def base(statfiles=True, caps=True):
    n = [0, 0, 0, 0]
    todo = ["/"]
    while todo:
        b = todo.pop()
        try:
            with os.scandir(b) as it:
                entries = list(it)
        except OSError:
            continue
        for e in entries:
            n[0] += 1
            if e.is_dir(follow_symlinks=False):
                if e.path in skip: continue
                st = e.stat(follow_symlinks=False)
                if not root_only(st): todo.append(e.path)
            elif e.is_file(follow_symlinks=False):
                n[1] += 1
                if statfiles:
                    st = e.stat(follow_symlinks=False)
                    if st.st_mode & 0o111:
                        n[2] += 1
                        if caps:
                            try:
                                os.getxattr(e.path, "security.capability", follow_symlinks=False)
                                n[3] += 1
                            except OSError:
                                pass
    return n
def fd(statfiles=True, caps=True):
    n = [0, 0, 0, 0]
    todo = ["/"]
    while todo:
        b = todo.pop()
        try:
            dfd = os.open(b, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            with os.scandir(dfd) as it:
                entries = list(it)
            for e in entries:
                n[0] += 1
                if e.is_dir(follow_symlinks=False):
                    p = b.rstrip("/") + "/" + e.name
                    if p in skip: continue
                    st = e.stat(follow_symlinks=False)
                    if not root_only(st): todo.append(p)
                elif e.is_file(follow_symlinks=False):
                    n[1] += 1
                    if statfiles:
                        st = e.stat(follow_symlinks=False)
                        if st.st_mode & 0o111:
                            n[2] += 1
                            if caps:
                                try:
                                    os.getxattr(b.rstrip("/") + "/" + e.name, "security.capability", follow_symlinks=False)
                                    n[3] += 1
                                except OSError:
                                    pass
        finally:
            os.close(dfd)
    return n
for name, f, kw in [("base", base, {}), ("base nocaps", base, {"caps": False}), ("base nostat", base, {"statfiles": False}),
                    ("fd", fd, {}), ("fd nocaps", fd, {"caps": False})] * 1:
    r = []
    for _i in range(5):
        a = cpu(); n = f(**kw); b = cpu()
        r.append((b[0] - a[0], b[1] - a[1], b[2] - a[2]))
    m = sorted(r)[2]
    print("%-12s cpu %.4f user %.4f sys %.4f  %s" % (name, m[0], m[1], m[2], n))
