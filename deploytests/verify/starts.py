"""What a later start will run: every *start entry* of the server, judged deny by default (docs/promises.md).

What runs now is accounted for process by process; what boot, a unit's start or a timer will start later is
written down in start entries, and each is a package's own, bootstrap's (none: it enables nothing), the stack's
stock server's, or allowed in writing (``allow_units`` by unit name, ``allow_cron`` by file, both pinned):

- systemd's (:func:`unit_entries`): every unit file, drop-in, alias link and ``.wants``/``.requires``/``.upholds``
  link in the admin's and the runtime's unit dirs. A package's: a file dpkg unpacked there, a link its postinst
  made through ``deb-systemd-helper`` (which records each under :data:`DSH`, as the path below
  ``/etc/systemd/system``), or one the ``systemd`` package's own postinst enables by name (``systemctl enable
  getty@tty1.service``). A mask (a link to ``/dev/null``) starts nothing; nor do scopes and slices (logind's
  sessions: no program of their own).
- the others (:func:`boot_entries`): an ``@reboot`` line of a crontab, ``/etc/crontab`` or ``/etc/cron.d`` (a
  package's conffile as it shipped it aside); an executable ``/etc/rc.local`` with a command; an ``rc?.d`` start
  link to an init script no package ships; an ``/etc/inittab`` line sysvinit's template does not hold; a kernel
  command line word that a boot configuration (``/etc/default/grub``, its ``grub.d``, ``/etc/kernel/cmdline``)
  adds to what its package ships.

Pure functions over the collector's texts (:func:`mechanisms.texts`) and dpkg's records: they parse, never run.
"""

from __future__ import annotations

import posixpath
import re
import stat

from .collect_login import PACKAGED_UNITS
from .grants import as_shipped
from .mechanisms import CRONTABS, UNIT_DIRS, UNIT_TOPS

DSH = "/var/lib/systemd/deb-systemd-helper-enabled"  # deb-systemd-helper's record of the links postinsts made
SYSTEMD_POSTINST = "/var/lib/dpkg/info/systemd.postinst"  # (it enables getty@tty1 and others with systemctl)
ADMIN = "/etc/systemd/system"
USERS, USER = "/usr/lib/systemd/user", "; every user's systemd manager reads it (root's, the app user's)"
LINKS = (".wants", ".requires", ".upholds")
# the unit types that start something (a scope or a slice runs no program of its own: logind's sessions)
TYPES = (".service", ".socket", ".timer", ".path", ".target", ".mount", ".automount", ".swap")
DEFAULT_TARGETS = ("multi-user.target", "graphical.target")  # systemctl set-default's ordinary choices
INITTAB, INITTAB_SHIPPED = "/etc/inittab", "/usr/share/sysvinit/inittab"  # (sysvinit-core's postinst copies it)
GRUB, GRUB_SHIPPED, GRUB_D = "/etc/default/grub", "/usr/share/grub/default/grub", "/etc/default/grub.d/"
KERNEL_CMDLINE = "/etc/kernel/cmdline"  # kernel-install's, systemd-boot's and UKIs' command line
CRON_FILES = ("/etc/crontab", "/etc/cron.d/", CRONTABS)


def _postinst_enables(raw) -> set[str]:
    """The unit names the systemd package's postinst enables with ``systemctl ... enable NAME``."""
    text = raw.get(SYSTEMD_POSTINST) or ""
    return {n for line in text.splitlines() if "systemctl" in line and " enable " in line
            for n in line.split(" enable ", 1)[1].split("||")[0].split() if n.endswith((".service", ".target",
                                                                                       ".socket", ".timer"))}


def entry_name(path: str) -> tuple[str, str, str]:
    """(its unit dir, its path there, the unit it is an entry of: '' when none) of a path under :data:`UNIT_DIRS`
    or :data:`PACKAGED_UNITS`: a unit file or alias link (``NAME``), a drop-in (``NAME.d/*.conf``; ``service.d/``,
    a type's: every unit of it, named by its type), an enabling link (``OTHER.wants/NAME``)."""
    top = next((d for d in UNIT_DIRS + tuple(PACKAGED_UNITS) if path.startswith(d + "/")), "")
    rel = path[len(top) + 1:]
    parts = rel.split("/")
    name = parts[-1] if len(parts) == 2 and parts[0].endswith(LINKS) else parts[0][:-2] \
        if len(parts) == 2 and parts[0].endswith(".d") else parts[0] if len(parts) == 1 else ""
    return top, rel, name if top and (name.endswith(TYPES) or "." + name in TYPES) else ""  # (service.d/: every one)


def packaged_units(snap) -> dict[str, str]:
    """``{path: package}`` of what packages put on the server (dpkg's lists) and, under the unit dirs, each file ucf
    keeps for a package as that package ships it (ucf's hashfile's md5: clamav-daemon's postinst writes its
    ``clamav-daemon.service.d/extend.conf`` through ucf, from its debconf answers): a unit file or drop-in a
    postinst makes that way is the package's, as dpkg's are; changed since, it is the admin's."""
    from .grants import as_shipped
    from .parse import dpkg_files, shipped_files

    ucf = shipped_files(snap)
    found = dict(dpkg_files(snap))
    found.update((p, pkg) for p, (pkg, _) in ucf.items() if p.startswith(UNIT_TOPS) and as_shipped(snap, p, ucf))
    return found


def unit_entries(raw, shipped) -> dict[str, list[str]]:
    """unit name -> its start entries (``path`` or ``link -> target``, what it is) in :data:`UNIT_DIRS` and the
    packages' own unit dirs (:data:`PACKAGED_UNITS`, system and user: there only dpkg's files are a package's)
    that no package made (``shipped``: dpkg's paths, or None when not known: then nothing is judged)."""
    if shipped is None:
        return {}
    enables, out = _postinst_enables(raw), {}  # type: tuple[set[str], dict[str, list[str]]]
    tops = UNIT_TOPS + tuple(d + "/" for d in PACKAGED_UNITS)  # (made once, not once per path)
    for path in sorted(p for p in raw if p.startswith(tops)):
        top, rel, name = entry_name(path)
        text = raw[path]
        parts, link = rel.split("/"), text[3:].strip() if text.startswith("-> ") else None
        if not name or path in shipped or link == "/dev/null" or top == "/lib/systemd/system" and "/usr" + path in \
                shipped:  # (a merged /usr: what dpkg lists under /usr/lib, read under /lib by systemd's search path)
            continue
        recorded = top == ADMIN and (f"{DSH}/{rel}" in raw or rel in _declared(raw, shipped, link))
        if top in PACKAGED_UNITS:
            out.setdefault(name, []).append(f"{path}{' -> ' + link if link else ''}: by hand among the packages' "
                                            f"units (no installed package's list holds it){USER * (top == USERS)}")
        elif len(parts) == 2 and parts[0].endswith(LINKS):
            if recorded or link is not None and name in enables:
                continue
            what = f"{path} -> {link}" if link is not None else f"{path} (a file where systemd reads a link)"
            starter, verb = parts[0].rsplit(".", 1)
            out.setdefault(name, []).append(f"{what} ({starter} {verb} it: it starts with {starter})")
        elif len(parts) == 2 and parts[0].endswith(".d"):
            if parts[1].endswith(".conf"):
                out.setdefault(name, []).append(f"{path}{' -> ' + link if link else ''}: a drop-in by hand")
        elif len(parts) == 1 and link is not None:
            if recorded or name == "default.target" and posixpath.basename(link) in DEFAULT_TARGETS:
                continue
            out.setdefault(name, []).append(f"{path} -> {link}: a link by hand (an alias, or a unit file from "
                                            "elsewhere)")
        elif len(parts) == 1:
            out.setdefault(name, []).append(f"{path}: a unit file by hand")
    return out


def _declared(raw, shipped, link: str | None) -> set[str]:
    """The links below :data:`ADMIN` (``NAME`` for an alias, ``TARGET.wants/UNIT`` ...) that enabling the packaged
    unit ``link`` leads to makes from the ``[Install]`` lines of its package's files (the unit's and its packaged
    drop-ins'), when a postinst enabled it (deb-systemd-helper recorded one of its enabling links): on a host with
    systemctl, deb-systemd-helper enables a unit with ``systemctl preset``, which reads the drop-ins too, while its
    record holds what the unit file alone says (iptables-persistent's drop-in's ``Alias=iptables.service``). Empty
    for a link that leads elsewhere or to a unit no postinst enabled: that is the admin's."""
    if not link or link not in shipped:
        return set()
    unit = posixpath.basename(link)
    if not any(p.startswith(DSH + "/") and p.endswith("/" + unit) and p.split("/")[-2].endswith(LINKS) for p in raw):
        return set()
    seen = ("/usr" + link) if link.startswith("/lib/") and link not in raw else link  # (merged /usr: read there)
    texts = [raw.get(seen) or ""] + [raw.get(p) or "" for p in raw if p.startswith(seen + ".d/") and p.endswith(
        ".conf") and (p in shipped or p.startswith("/usr/") and p[4:] in shipped)]
    out: set[str] = set()
    for line in (ln.strip() for t in texts for ln in t.splitlines()):
        key, _, value = line.partition("=")
        suffix = {"alias": "", "wantedby": ".wants/", "requiredby": ".requires/", "upheldby": ".upholds/"}.get(
            key.strip().lower())
        if suffix is not None:
            out.update(f"{w}{suffix}{unit}" if suffix else w for w in value.split())
    return out


def what_it_runs(u) -> str:
    """What unit ``u`` (:class:`mechanisms.Unit`, or None) says it runs, for its line."""
    if u is None:
        return ""
    runs = [v for v, _ in u.values("execstart") if v]
    return f"; it runs {runs[-1][:120]!r} as {u.user}" if runs else f"; as {u.user}" if u.values("user") else ""


def boot_entries(raw, snap, conffiles: dict, shipped) -> list[tuple[str, str, str]]:
    """(what, why, the file to allow) of each start entry outside systemd's unit dirs that no package made:
    ``@reboot`` jobs, ``rc.local``, ``rc?.d`` start links, ``inittab`` lines, kernel command line words."""
    out: list[tuple[str, str, str]] = []
    for path in sorted(p for p in raw if p == CRON_FILES[0] or p.startswith(CRON_FILES[1:])):
        text = raw[path]
        if text.startswith("-> ") or as_shipped(snap, path, conffiles):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            words = line.split()
            if words and words[0] == "@reboot":
                user = (words[1] if len(words) > 1 else "?") if not path.startswith(CRONTABS) else \
                    path[len(CRONTABS):]
                job = " ".join(words[2:] if not path.startswith(CRONTABS) else words[1:])
                out.append((f"{path}:{n}: @reboot {job[:160]!r} as {user}",
                            f"cron runs it as {user} at every boot (a listener, a shell, a job that the gate, "
                            "which sees what runs now, cannot see before it runs)", path))
    st = snap.st("/etc/rc.local") if snap is not None else None
    lines = [(n, ln.strip()) for n, ln in enumerate((raw.get("/etc/rc.local") or "").splitlines(), 1)
             if ln.strip() and not ln.strip().startswith("#") and ln.strip() not in ("exit 0", "true", ":")]
    if lines and st and stat.S_ISREG(st[0]) and st[0] & 0o111:
        out.append((f"/etc/rc.local:{lines[0][0]}: {lines[0][1][:160]!r}" + (
            f" (and {len(lines) - 1} more line{'s' * (len(lines) > 2)})" if len(lines) > 1 else ""),
            "root runs it at every boot (systemd's rc-local.service, sysvinit's rc.local)", "/etc/rc.local"))
    links: dict[str, list[str]] = {}  # (the script -> its start links by hand, the first one's why: one line)
    whys: dict[str, str] = {}
    for path in sorted(p for p in raw if re.match(r"/etc/rc[2-5S]\.d/S\d*[^/]+$", p)):
        link = raw[path][3:].strip() if raw[path].startswith("-> ") else None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link)) if link else path
        init = target.startswith("/etc/init.d/") and "/" not in target[len("/etc/init.d/"):]
        why = f"{target} is no package's init script"
        if shipped is not None and init and target in shipped:
            why = postinst_starts(raw, snap, target, shipped[target], path[7]) or ""
            if not why:
                continue
        links.setdefault(target if init else path, []).append(f"{path} -> {link}" if link else
                                                              f"{path} (a file, not a link to an init script)")
        whys.setdefault(target if init else path, why)
    for file, found in links.items():
        more = [posixpath.basename(posixpath.dirname(f.split()[0])) for f in found[1:]]
        out.append((found[0] + (f" (and {', '.join(more)}'s)" if more else ""),
                    f"{whys[file]}: root starts it at boot on sysvinit (on systemd, through its sysv generator when "
                    "no unit has its name)", file))
    if INITTAB in raw:
        stock = {" ".join(ln.split()) for ln in (raw.get(INITTAB_SHIPPED) or "").splitlines()}
        for n, line in enumerate(raw[INITTAB].splitlines(), 1):
            if line.strip() and not line.strip().startswith("#") and " ".join(line.split()) not in stock:
                out.append((f"{INITTAB}:{n}: {line.strip()[:160]!r}", "init runs it as root at boot (respawn: "
                            "again whenever it exits; a getty with autologin, a shell on a console)", INITTAB))
    shipped_words = set(_cmdline_words(raw.get(GRUB_SHIPPED) or ""))
    for path in [GRUB] + sorted(p for p in raw if p.startswith(GRUB_D)) + [KERNEL_CMDLINE]:
        if path not in raw or raw[path].startswith("-> ") or path.startswith(GRUB_D) and shipped is not None and \
                path in shipped:
            continue
        words = (raw[path].split() if path == KERNEL_CMDLINE else _cmdline_words(raw[path]))
        added = [w for w in words if w not in shipped_words and not w.startswith("$")]
        if added:
            out.append((f"{path}: the kernel command line gets {' '.join(added)[:160]!r}",
                        "the next boot's kernel and init take it (init=, systemd.debug_shell, systemd.unit= give "
                        "a root shell on the console without a password)", path))
    return out


def postinst_starts(raw, snap, script: str, package: str, level: str) -> str | None:
    """Why a start link in runlevel ``level`` to ``package``'s init ``script`` is not one its postinst made, or
    None (it is one, or the postinst was not looked at or not read: no claim). Debian keeps no record of
    ``update-rc.d``: its postinst's own calls say what it makes (``defaults``: a start link in each runlevel of the
    script's LSB ``Default-Start``; ``disable``, ``defaults-disabled``: none, unless a ``defaults`` lies in another
    branch of the same ``if`` or ``case`` as every such call: a choice, a debconf answer's, the package makes at
    install, either way its own), as dpkg unpacked it; a package removed
    and not purged (its postinst gone, its conffiles and links kept until the purge) is no claim. A unit of the
    script's name enabled in ``/etc/systemd/system`` is the unit rule's (``systemctl enable`` and ``update-rc.d
    enable`` make both)."""
    from .parse import dpkg_lists, packages

    name = posixpath.basename(script)
    enabled = re.compile(rf"{ADMIN}/[^/]+({'|'.join(map(re.escape, LINKS))})/{re.escape(name)}\.service$")
    if any(enabled.match(p) for p in raw if p.startswith(ADMIN)):  # (the pattern made once, not once per path)
        return None
    posts = [p[:-len(".list")] + ".postinst" for p in dpkg_lists(snap).get(package, [])] if snap is not None else []
    seen = [(snap.files.get(p), p) for p in posts]
    if not posts or any(e is None or e.get("st") and p not in raw for e, p in seen):
        return None  # (not looked at: an older probe; there, not read)
    if packages(snap.data("/var/lib/dpkg/status") or b"", [package])[package].endswith(" config-files"):
        return None  # (removed, not purged: dpkg deleted its postinst and keeps its conffiles; update-rc.d's links
        # go at its purge, its postrm's: exim4's when postfix replaced it)
    found = [c for p in posts for c in _rc_calls(raw.get(p) or "", name)]
    calls = {how for how, _ in found}
    if not calls & {"defaults", "enable", "start"}:
        return f"{script} is {package}'s init script, and its postinst makes no start link for it: enabled by hand"
    off = [at for how, at in found if how in ("disable", "defaults-disabled")]
    if off and "enable" not in calls and not any(
            how in ("defaults", "start") and all(_apart(at, o) for o in off) for how, at in found):
        return (f"{script} is {package}'s init script, and its postinst disables it (update-rc.d {name} disable): "
                f"enabled by hand")
    m = re.search(r"(?m)^#\s*Default-Start:(.*)$", raw.get(script) or "")
    if m and level not in m.group(1).split():
        return (f"{script} is {package}'s init script, and its postinst starts it in runlevels "
                f"{' '.join(m.group(1).split()) or '(none)'} only (its LSB header's Default-Start): added by hand")
    return None


def _rc_calls(text: str, name: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """Each ``update-rc.d NAME ACTION`` call of a maintainer script (a comment is none), with the branches it lies
    in: one ``(conditional, branch)`` pair per ``if``/``elif``/``else`` or ``case`` arm around it, outermost
    first (:func:`_apart`)."""
    call = re.compile(rf"\bupdate-rc\.d\s+(?:-f\s+)?{re.escape(name)}\s+([\w-]+)")
    found: list[tuple[str, tuple[tuple[int, int], ...]]] = []
    stack: list[list] = []  # ([conditional, branch, a case's], ...)
    made = 0
    for line in text.splitlines():
        words = line.split("#", 1)[0].strip()
        first = re.split(r"[\s;]", words, maxsplit=1)[0]
        if first in ("if", "case"):
            made += 1
            stack.append([made, 0, first == "case"])
        elif stack and (first in ("elif", "else") and not stack[-1][2] or stack[-1][2] and re.match(
                r"\(?[^\s()]+(\s*\|\s*[^\s()]+)*\)", words)):
            stack[-1][1] += 1  # (another branch: elif, else, a case arm's pattern)
        found += [(m.group(1), tuple((c, n) for c, n, _ in stack)) for m in call.finditer(words)]
        if stack and re.search(r"(^|[;\s])(fi|esac)\s*;?$", words):
            stack.pop()
    return found


def _apart(one: tuple, other: tuple) -> bool:
    """Whether two places of a script (:func:`_rc_calls`) lie in different branches of one conditional: at most one
    of them runs (a debconf answer choosing between ``update-rc.d X defaults`` and ``update-rc.d X disable``)."""
    for a, b in zip(one, other, strict=False):
        if a != b:
            return a[0] == b[0]
    return False


def _cmdline_words(text: str) -> list[str]:
    """The words of the ``GRUB_CMDLINE_LINUX*`` values a grub defaults file sets (as the shell would see them,
    quotes dropped; an expansion kept as written)."""
    words: list[str] = []
    for line in text.splitlines():
        m = re.match(r"\s*(?:export\s+)?GRUB_CMDLINE_LINUX(?:_DEFAULT)?\s*=\s*(.*)$", line)
        if m:
            value = m.group(1).strip()
            if value[:1] in "\"'" and value.endswith(value[:1]) and len(value) > 1:
                value = value[1:-1]
            words += value.split()
    return words
