"""Who becomes root outside sudoers, PAM and sshd, and what a library's configuration makes it load: pure functions
of the probe's snapshot (issue 17, blind round 5's classes 4 and 5).

- :func:`broker_grants`: the files other privilege brokers grant by — doas's ``/etc/doas.conf`` (opendoas: setuid
  root, any ``permit`` line makes its identity another user), pam_cap's ``/etc/security/capability.conf`` (the
  capabilities a login gets: ``cap_dac_override`` reads every file, ``cap_setuid`` is root) and polkit's rules
  (``/etc/polkit-1/rules.d``, ``localauthority``: who may run ``pkexec`` and privileged D-Bus actions). A package's
  unchanged file is the stock baseline; every other grant is a finding (file:line), and a file or directory the
  gate's login could not read or list is one too: what it grants is not known.
- :func:`library_loads`: the absolute paths a library's configuration makes it ``dlopen`` — OpenSSL's
  ``openssl.cnf`` (``dynamic_path``/``so_path`` of an engine, ``module`` of a provider, ``.include``: every process
  that loads OpenSSL's default configuration, python's ``ssl`` in the app's daemons, ``curl``, root's tools),
  ``/etc/sudo.conf`` (``Plugin``, ``Path``: sudo loads or runs them as root at every sudo) and glibc's
  ``gconv-modules.d`` (``module ... FILE``: iconv loads it into any program converting that charset) — each judged
  as root's commands are (:func:`deploytests.verify.rootacts.path_problem`): in the app's tree, or a path someone
  but root may change (the file, a link on the way, a directory above it), is a finding.

The gate's login reads these files as data (:mod:`deploytests.verify.collect_login`: ``GRANTS``, ``LIBCONF``),
and lstats every absolute path word of the library configurations and each directory above it, as it does for
root's jobs; nothing here runs or loads anything.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
import stat

from . import collect_login as C

DOAS, CAPS = C.GRANTS
POLKIT_RULES = tuple(C.POLKIT)
DOAS_OPTIONS = {"nopass", "nolog", "persist", "keepenv"}
# the keys whose value a library loads: OpenSSL (engine: dynamic_path, so_path; provider: module)
OPENSSL_LOADS = {"dynamic_path", "so_path", "module"}
WHO_LOADS = {
    "/etc/ssl/openssl.cnf": "every program that loads OpenSSL's default configuration loads it (python's ssl and "
                            "hashlib in the app's daemons, curl, root's tools)",
    "/etc/sudo.conf": "sudo loads or runs it as root at every sudo (the deploy's, the gate's)",
    "gconv": "glibc's iconv loads it into any program converting that character set (the app's daemons too)"}


def as_shipped(snap, path: str, conffiles: dict) -> bool:
    """Whether ``path`` is a conffile whose bytes are what its package shipped (dpkg's md5)."""
    data = snap.data(path) if snap is not None else None
    return path in conffiles and data is not None and hashlib.md5(data).hexdigest() == conffiles[path][1]


def _lines(text: str):
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield n, line


def doas_rules(text: str) -> list[tuple[int, str, str, str, bool, str]]:
    """``(line, text, identity, target, nopass, command)`` of every ``permit`` rule of a doas.conf (``deny`` rules
    grant nothing); ``command`` empty: any command."""
    out = []
    for n, line in _lines(text):
        words = line.split()
        if not words or words[0] != "permit":
            continue
        rest, nopass = words[1:], False
        while rest and (rest[0] in DOAS_OPTIONS or rest[0].startswith("setenv")):
            nopass |= rest[0] == "nopass"
            if rest[0].startswith("setenv"):  # setenv { ... }
                while rest and "}" not in rest[0]:
                    rest = rest[1:]
            rest = rest[1:]
        identity = rest[0] if rest else "?"
        target = rest[rest.index("as") + 1] if "as" in rest and rest.index("as") + 1 < len(rest) else "root"
        command = " ".join(rest[rest.index("cmd") + 1:]) if "cmd" in rest else ""
        out.append((n, line, identity, target, nopass, command))
    return out


def broker_grants(snap, conffiles: dict) -> list[tuple[str, str]]:
    """``(allowance text, line)`` of every grant outside sudoers, PAM and sshd (see the module doc); the allowance
    text is the rule's line (doas, capability.conf) or the file's path (polkit)."""
    out = []
    for path in (DOAS, CAPS):
        st = snap.st(path)
        if st is None or not stat.S_ISREG(st[0]) or as_shipped(snap, path, conffiles):
            continue
        text = snap.text(path)
        what = "doas (setuid root)" if path == DOAS else "pam_cap, at every login through PAM,"
        if text is None:
            why = (snap.files.get(path) or {}).get("why") or "not read"
            out.append((path, f"{path}: {what} grants by it, and the gate could not read it ({why}): who becomes "
                              f"root through it is not known; make it root's and readable (0644: its rules are no "
                              f"secret), or remove it"))
            continue
        if path == DOAS:
            for n, line, who, target, nopass, command in doas_rules(text):
                out.append((line, f"{path}:{n}: {line!r}: {who} becomes {target} through doas (setuid root)"
                                  f"{' without a password' if nopass else ''}, running "
                                  f"{command or 'any command'}"))
        else:
            for n, line in _lines(text):
                caps, _, users = line.partition(" ")
                if caps.lower() != "none":
                    out.append((line, f"{path}:{n}: {line!r}: {users.strip() or '?'} gets {caps} at login "
                                      f"(cap_setuid, cap_dac_override, cap_sys_admin ...: as good as root)"))
    unlisted = [p for p in sorted(snap.files) if p.startswith(POLKIT_RULES)
                and str((snap.files.get(p) or {}).get("why")).startswith("not listed")]
    for top in POLKIT_RULES:
        if snap.st(top) is None:
            continue
        for d in [top] + [d for d in sorted(snap.dirs) if d.startswith(top + "/")]:
            for name in snap.listdir(d) or []:
                path = f"{d}/{name}"
                st = snap.st(path)
                if st is None or not stat.S_ISREG(st[0]) or as_shipped(snap, path, conffiles):
                    continue
                out.append((path, f"{path}: a polkit rule no package ships unchanged: whom it names runs pkexec "
                                  f"and privileged actions (systemctl, mounts) as root"))
    out += [(p, f"{p}: polkit's rules, and the gate's login could not list it ({snap.files[p]['why']}): who runs "
                f"pkexec and privileged actions as root is not known") for p in unlisted]
    return out


def library_loads(snap) -> list[tuple[str, str, str]]:
    """``(where, path, who loads it)`` of every absolute path a library's configuration makes it load (see the
    module doc); OpenSSL's ``.include`` files are read in turn (a directory: its ``.cnf`` files the snapshot
    lists), at most 64 files."""
    out: list[tuple[str, str, str]] = []
    todo = [(p, p) for p in C.LIBCONF] + [(f"{d}/{n}", "gconv" if "gconv" in d else "/etc/ssl/openssl.cnf")
                                          for d in C.LIBCONF_DIRS for n in snap.listdir(d) or []
                                          if n.endswith(".conf") or n.endswith(".cnf")]
    seen: set[str] = set()
    while todo and len(seen) < 64:
        path, kind = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        text = snap.text(path)
        for n, line, names in _loads(kind, text) if text is not None else ():
            for name in names:
                if kind == "/etc/ssl/openssl.cnf" and re.match(r"\.include\b", line):
                    base = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
                    todo += [(base, kind)] + [(f"{base}/{x}", kind) for x in snap.listdir(base) or []
                                              if x.endswith(".cnf")]
                if name.startswith("/"):
                    out.append((f"{path}:{n}", posixpath.normpath(name), WHO_LOADS[kind]))
    return out


@functools.lru_cache(maxsize=256)
def _loads(kind: str, text: str) -> tuple[tuple[int, str, list[str]], ...]:
    """``(line number, line, paths it loads)`` of each line of a library's configuration of ``kind`` that loads
    something. Kept by the very text: a fleet's hosts of one image read the same files (glibc's gconv modules
    lists are ~64 KB), and each host's findings are still made from its own."""
    return tuple((n, line, names) for n, line in _lines(text) if (names := _loaded(kind, line)))


def _loaded(kind: str, line: str) -> list[str]:
    if kind == "/etc/ssl/openssl.cnf":
        if re.match(r"\.include\b", line):
            return [line[len(".include"):].lstrip(" \t=").strip().strip("\"'")]
        key, eq, value = line.partition("=")
        return [value.strip().strip("\"'")] if eq and key.strip().lower() in OPENSSL_LOADS else []
    words = line.split()
    if kind == "/etc/sudo.conf":
        return [words[2]] if len(words) > 2 and words[0] in ("Plugin", "Path") else []
    return [words[3]] if len(words) > 3 and words[0] == "module" else []  # gconv: module FROM TO FILE COST
