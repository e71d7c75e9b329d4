"""Parsers of what decides who logs in and what a login runs (run on the runner, from the collector's raw bytes).

Each is a plain function of data the probe already sent (root's files as text, ``sudo -n -l``'s listing):

- :func:`sudo_root_grants`: the rules of a login's own ``sudo -l`` listing that reach root;
- :func:`sshd_config`: the SSH server's configuration as its next start reads it (``/etc/ssh/sshd_config`` and
  what it ``Include``\\ s), first value winning as in sshd, ``Match`` blocks kept with their criteria;
- :func:`pam_lines`: every line of ``/etc/pam.d``, with its type, control, module and arguments;
- :func:`limits`: every line of ``/etc/security/limits.conf`` and ``limits.d``;
- :func:`environment`: ``/etc/environment`` and ``/etc/security/pam_env.conf`` (what pam_env sets for every
  login, ``su`` and cron job, root's too);
- :func:`apt_sources`: every apt source and apt setting that turns off the signature check of what apt installs.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

# ---------------------------------------------------------------- sudo's own listing


def sudo_root_grants(listing: str | None) -> list[str]:
    """The rules of ``sudo -n -l``'s listing (its lines joined by tabs) whose run-as users include root or ALL:
    ``["(ALL) ALL", "(root) NOPASSWD: /usr/bin/apt-get"]``. sudo lists a login's rules without a password when
    one of them is NOPASSWD (``listpw=any``, sudo's default)."""
    out, inside = [], False
    for line in (listing or "").split("\t"):
        if "may run the following commands" in line:
            inside = True
            continue
        m = re.match(r"\s+\(([^)]*)\)\s*(.*)$", line) if inside else None
        if m and {u.strip() for u in m.group(1).split(":")[0].split(",")} & {"ALL", "root", "#0"}:
            out.append(" ".join(f"({m.group(1)}) {m.group(2)}".split()))
    return out


# ---------------------------------------------------------------- sshd


SSHD_CONFIG = "/etc/ssh/sshd_config"
SSHD_LISTS = ("allowusers", "denyusers", "allowgroups", "denygroups")  # accumulate across lines (sshd)
SSHD_MANY = ("hostkey", "port", "listenaddress")  # every line counts (each host key loaded, each port and address
# listened on), kept in ``lists`` too


@dataclass
class SshdConfig:
    """``first``: keyword (lower case) -> (value, file:line) of the first global occurrence (sshd's rule: the
    first obtained value is used); ``lists``: the access lists, every line; ``matches``: each ``Match`` block as
    (criteria, file:line, {keyword: (value, file:line)}); ``unread``: files sshd reads that the probe holds
    without their text (file: why)."""

    first: dict[str, tuple[str, str]] = field(default_factory=dict)
    lists: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    matches: list[tuple[str, str, dict[str, tuple[str, str]]]] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)  # (keyword, file:line) of every line of its files


def sshd_config(texts: Mapping[str, str], listing: Mapping[str, list] | None = None,
                why: Mapping[str, str] | None = None, argv: list[str] | None = None,
                where: str = "the command line") -> SshdConfig:
    """The SSH server's configuration from its files' texts (``texts``: path -> text; ``listing``: directory ->
    names, for ``Include`` globs; ``why``: path -> why a file was not read); ``argv``: a running server's
    command line (``where``: whose), whose ``-o key=value`` options come first (sshd reads them before its
    files) and whose ``-f file`` is the file it reads instead of sshd_config."""
    cfg, listing, why = SshdConfig(), listing or {}, why or {}
    args, top = list(argv or []), SSHD_CONFIG
    for i, a in enumerate(args):
        nxt = args[i + 1] if i + 1 < len(args) else ""
        opt = a[2:] if a.startswith("-o") and len(a) > 2 else nxt if a == "-o" else ""
        key, _, value = opt.replace("=", " ", 1).partition(" ")
        if key:
            _set(cfg, None, key.lower(), value.strip(), f"{where} (-o {opt})")
        if a.startswith("-f"):
            top = a[2:] or nxt
        if a.startswith("-p") and (a[2:] or nxt).isdigit():  # (a port given on the command line: listened on too)
            _set(cfg, None, "port", a[2:] or nxt, f"{where} (-p)")
    _read(cfg, top, texts, listing, dict(why, **({top: f"{where} has sshd read it (-f), not {SSHD_CONFIG}"}
                                                 if top != SSHD_CONFIG else {})), 0)
    return cfg


def sshd_seconds(value: str) -> int | None:
    """sshd's time format (``30``, ``30s``, ``5m``, ``1h30m``; s m h d w) in seconds, or None when it is none."""
    parts = re.findall(r"(\d+)([smhdwSMHDW]?)", value)
    if not parts or "".join(n + u for n, u in parts) != value.strip():
        return None
    return sum(int(n) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[u.lower()] for n, u in parts)


def channel_cut(cfg: SshdConfig, bound: int) -> list[str]:
    """``file:line: ...`` of a ``ChannelTimeout`` (the first global one, sshd's rule) closing the pipeline's session
    channels (``session``, 9.2's ``session:command``, or all of them, ``global``) when silent for less than ``bound``
    seconds: a deploy's step that prints nothing that long (an install, a post_deploy migration, the health wait)
    loses its session midway."""
    value, where = cfg.first.get("channeltimeout", ("", ""))
    out = []
    for entry in value.split():
        kind, _, interval = entry.partition("=")
        seconds = sshd_seconds(interval)
        if seconds and seconds < bound and any(fnmatch.fnmatch(t, kind) for t in ("session", "session:command",
                                                                                  "global")):
            out.append(f"{where}: ChannelTimeout {entry}: sshd closes a session channel silent for {seconds} s, less "
                       f"than a deploy's step may stay silent (post_deploy_timeout {bound} s)")
    return out


def sshd_listeners(procs: Mapping[str, dict]) -> dict[str, list[str]]:
    """``{pid: argv}`` of every running SSH server (root's ``/usr/sbin/sshd`` whose command line is its own or
    its listener's title, ``sshd: /usr/sbin/sshd -D [listener] ...``; not a session's ``sshd: user@...``)."""
    out = {}
    for pid, p in procs.items():
        if not isinstance(p, dict) or p.get("uid") != 0 or str(p.get("exe") or "").split(" (")[0] != \
                "/usr/sbin/sshd":
            continue
        line = str(p.get("cmdline") or "").replace("\x00", " ").strip()
        if line.startswith("sshd: /"):
            line = line[6:].split("[listener]")[0] if "[listener]" in line else ""
        if line.startswith("/") or line.startswith("sshd "):
            out[str(pid)] = line.split()[1:]
    return out


def _set(cfg: SshdConfig, block, key: str, value: str, where: str) -> None:
    if block is not None:
        block.setdefault(key, (value, where))
    elif key in SSHD_LISTS + SSHD_MANY:
        cfg.lists.setdefault(key, []).append((value, where))
    else:
        cfg.first.setdefault(key, (value, where))


def _read(cfg: SshdConfig, path: str, texts, listing, why, depth: int) -> None:
    if depth > 8:
        return
    if path not in texts:
        if path in why:
            cfg.unread[path] = why[path]
        return
    block: dict[str, tuple[str, str]] | None = None
    for n, raw in enumerate(texts[path].splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        m = re.match(r"([^\s=]+)[\s=]*(.*)$", line)
        key, value, where = m.group(1).lower() if m else line, m.group(2).strip() if m else "", f"{path}:{n}"
        cfg.seen.append((key, where))
        if key == "match":
            block = {}
            cfg.matches.append((value, where, block))
        elif key == "include":
            for pattern in value.split():
                full = pattern if pattern.startswith("/") else posixpath.join("/etc/ssh", pattern)
                names = listing.get(posixpath.dirname(full)) or []
                for name in sorted(n for n in names if fnmatch.fnmatch(n, posixpath.basename(full))):
                    _read(cfg, posixpath.join(posixpath.dirname(full), name), texts, listing, why, depth + 1)
        else:
            _set(cfg, block, key, value, where)


def admits(cfg: SshdConfig, user: str, groups: list[str]) -> str | None:
    """Why sshd's access lists refuse ``user`` (in ``groups``), or None: ``DenyUsers``, ``AllowUsers``,
    ``DenyGroups``, ``AllowGroups``, in sshd's order (a ``user@host`` pattern counts for the user part)."""
    def hit(patterns, names):  # (a deny pattern with a host part refuses from there only: place_bound's)
        return next((p for p in patterns for n in names if _match(p.split("@")[0], n) and not (deny and "@" in p)),
                    None)

    deny = False
    for key, names, deny in (("denyusers", [user], True), ("allowusers", [user], False),
                             ("denygroups", groups, True), ("allowgroups", groups, False)):
        rules = cfg.lists.get(key) or []
        if not rules:
            continue
        patterns = [p for value, _ in rules for p in value.split()]
        found = hit(patterns, names)
        where = rules[0][1]
        if deny and found:
            return f"{where}: {key} {found!r} names it"
        if not deny and not found:
            return f"{where}: {key} {' '.join(patterns)!r} does not name it"
    return None


# what decides whether a key login gets in and runs its commands, in a Match block (sshd_config(5)'s keywords a
# Match block may set): set there for some places only, it refuses or changes the login from other places
SSHD_DECIDES = ("allowusers", "denyusers", "allowgroups", "denygroups", "pubkeyauthentication",
                "authenticationmethods", "authorizedkeysfile", "authorizedkeyscommand", "authorizedprincipalsfile",
                "authorizedprincipalscommand", "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes",
                "casignaturealgorithms", "forcecommand", "chrootdirectory", "maxsessions", "maxauthtries",
                "refuseconnection", "revokedkeys", "trustedusercakeys", "pubkeyauthoptions", "requiredrsasize")
PLACES = ("address", "host", "localaddress", "localport", "rdomain")  # Match criteria that depend on where from


def place_bound(cfg: SshdConfig, user: str, groups: list[str]) -> list[str]:
    """``file:line: what`` of each setting by which sshd lets ``user`` in from some places only: an ``AllowUsers``
    list that names it only as ``user@host``, a ``DenyUsers`` ``user@host`` pattern, and each keyword of
    :data:`SSHD_DECIDES` a ``Match`` block on where the client connects from (:data:`PLACES`) sets for it."""
    out = []
    allow = [(p, w) for value, w in cfg.lists.get("allowusers") or [] for p in value.split()
             if _match(p.split("@")[0], user)]
    if allow and all("@" in p for p, _ in allow):
        out.append(f"{allow[0][1]}: AllowUsers {' '.join(p for p, _ in allow)}: admits {user} only from "
                   f"{', '.join(p.split('@', 1)[1] for p, _ in allow)}")
    out += [f"{w}: DenyUsers {p}: refuses {user} from {p.split('@', 1)[1]}" for value, w in cfg.lists.get(
        "denyusers") or [] for p in value.split() if "@" in p and _match(p.split("@")[0], user)]
    for criteria, where, block in cfg.matches:
        words = criteria.lower().split()
        if not set(words[::2]) & set(PLACES) or not match_applies(criteria, user, groups):
            continue
        out += [f"{w}: {key} {value} (Match {criteria} at {where}): set for {user} when it connects from there only"
                for key, (value, w) in block.items() if key in SSHD_DECIDES and (
                    key not in SSHD_LISTS or admits(SshdConfig(lists={key: [(value, w)]}), user, groups))]
    return out


# what a login sends must run as sent (a deploy's commands, this gate's probe): a setting in force for the login
# everywhere (globally, or a Match block on its name or its groups; one on where it connects from is place_bound's)
# that refuses its key, or runs something else (or elsewhere) in place of what it sends
def key_login_stopped(cfg: SshdConfig, user: str, groups: list[str]) -> list[str]:
    """``file:line: what`` of each setting by which sshd, for ``user`` from anywhere, refuses a key alone or does
    not run the commands it sends: ``ForceCommand`` (``internal-sftp`` too), ``ChrootDirectory``, an
    ``AuthenticationMethods`` whose every list asks for more than the key, ``PubkeyAuthentication no``,
    ``AuthorizedKeysFile none`` with no keys command, ``MaxSessions 0``, ``RefuseConnection yes``."""
    local = SshdConfig(first=cfg.first, lists=cfg.lists, matches=[
        m for m in cfg.matches if not set(m[0].lower().split()[::2]) & set(PLACES)])

    def get(key):
        return setting_for(local, key, user, groups) or ("", "")

    out = []
    for key, shown, stops, means in (
            ("forcecommand", "ForceCommand", lambda v: v.lower() != "none", "runs it instead of every command"),
            ("chrootdirectory", "ChrootDirectory", lambda v: v.lower() != "none", "runs every command inside it"),
            ("authenticationmethods", "AuthenticationMethods", lambda v: v.lower() != "any" and not any(
                set(alt.split(",")) == {"publickey"} for alt in v.split()), "asks more than the key of"),
            ("pubkeyauthentication", "PubkeyAuthentication", lambda v: v.lower() == "no", "takes no key of"),
            ("maxsessions", "MaxSessions", lambda v: v == "0", "opens no session for"),
            ("refuseconnection", "RefuseConnection", lambda v: v.lower() == "yes", "refuses")):
        value, where = get(key)
        if value and stops(value):
            out.append(f"{where}: {shown} {value}: sshd {means} {user} sends" if means.endswith("command") else
                       f"{where}: {shown} {value}: sshd {means} {user}")
    keys, where = get("authorizedkeysfile")
    if keys.lower() == "none" and get("authorizedkeyscommand")[0].lower() in ("", "none"):
        out.append(f"{where}: AuthorizedKeysFile none: sshd reads no key of {user}")
    return out


# OpenSSH's own lists when a keyword is unset (9.2 and 10.0, the union): what a ``-`` list removes from
SSHD_DEFAULT_ALGORITHMS = {
    "kexalgorithms": ("mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
                      "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                      "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                      "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256"),
    "ciphers": ("chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
                "aes256-gcm@openssh.com"),
    "macs": ("umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
             "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com",
             "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"),
    "hostkeyalgorithms": ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                          "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512",
                          "rsa-sha2-256")}
SSHD_DEFAULT_ALGORITHMS["pubkeyacceptedalgorithms"] = SSHD_DEFAULT_ALGORITHMS["hostkeyalgorithms"]
SSHD_DEFAULT_ALGORITHMS["pubkeyacceptedkeytypes"] = SSHD_DEFAULT_ALGORITHMS["hostkeyalgorithms"]
AEAD = ("chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com")  # (no MAC needed)
# an OpenSSH key type -> the signature algorithms that prove it (an RSA key signs with SHA-2 or SHA-1)
KEY_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


def sshd_offers(value: str, default: tuple[str, ...], wanted) -> bool:
    """Whether an sshd algorithm list (``value``: plain, ``+``, ``-`` or ``^``, patterns allowed; empty: OpenSSH's
    ``default``) offers one of ``wanted``."""
    if not value or value[0] in "+^":
        names = list(default) + value.lstrip("+^").split(",")
    elif value[0] == "-":
        names = [d for d in default if not any(fnmatch.fnmatchcase(d, p) for p in value[1:].split(","))]
    else:
        names = value.split(",")
    return any(fnmatch.fnmatchcase(w, n) for n in names if n and not n.startswith("!") for w in wanted)


def transport_refused(cfg: SshdConfig, client: Mapping[str, list], host_key: str, host_pubs: Mapping[str, str | None],
                      reached: tuple[str, str] | None) -> list[str]:
    """``file:line: what`` of each way sshd's next start refuses the connection the runner made today: no key
    exchange, cipher or MAC its client (``client``: keyword -> the algorithms it speaks) shares; the host key it
    pinned (``host_key``, ``type blob``) not offered (HostKeyAlgorithms) or not among the keys sshd loads
    (``host_pubs``: each HostKey's path -> its ``.pub`` text, None when not read); none of the non-loopback
    ``(address, port)`` sshd listens on now among those it listens on then (Port, ListenAddress, AddressFamily)."""
    out = []
    for key in ("kexalgorithms", "ciphers", "macs"):
        value, where = cfg.first.get(key, ("", "OpenSSH's default"))
        if key == "macs" and sshd_offers(cfg.first.get("ciphers", ("", ""))[0], SSHD_DEFAULT_ALGORITHMS["ciphers"],
                                         [c for c in client.get("ciphers") or [] if c in AEAD]):
            continue  # (an AEAD cipher in common: no MAC is negotiated)
        if client.get(key) and not sshd_offers(value, SSHD_DEFAULT_ALGORITHMS[key], client[key]):
            out.append(f"{where}: {key} {value}: none of it is what the runner's SSH client speaks "
                       f"({', '.join(client[key][:6])} ...)")
    kind, _, blob = (host_key or "").partition(" ")
    if kind:
        value, where = cfg.first.get("hostkeyalgorithms", ("", ""))
        if not sshd_offers(value, SSHD_DEFAULT_ALGORITHMS["hostkeyalgorithms"], KEY_ALGORITHMS.get(kind, (kind,))):
            out.append(f"{where}: hostkeyalgorithms {value}: sshd no longer offers its {kind} host key, the one the "
                       "runner pinned: the runner refuses the host (a changed key)")
        if host_pubs and None not in host_pubs.values() and not any(
                blob in (text or "").split() for text in host_pubs.values()):
            out.append(f"{', '.join(sorted(host_pubs))}: sshd proves itself with these host keys, none of them the "
                       f"{kind} key the runner pinned (the one it serves now): the runner refuses the host (a "
                       "changed key)")
    family = (cfg.first.get("addressfamily") or ("any", ""))[0].lower()
    ports = [v.split()[0] for v, _ in cfg.lists.get("port") or []] or ["22"]
    then = []
    for value, where in cfg.lists.get("listenaddress") or [("0.0.0.0", ""), ("::", "")]:
        addr = value.split()[0]
        host, _, port = addr.rpartition(":") if addr.count(":") == 1 or addr.startswith("[") else (addr, "", "")
        then += [(host.strip("[]"), p, where) for p in ([port] if port else ports)]
    then = [(h, p, w) for h, p, w in then if family == "any" or (":" in h) == (family == "inet6")]
    if reached:
        at, port = reached[0].removeprefix("::ffff:"), str(reached[1])
        if not any(p == port and (h == at or h == ("::" if ":" in at else "0.0.0.0")) for h, p, _ in then):
            where = ", ".join(dict.fromkeys(w for _, _, w in then if w)) or ", ".join(
                dict.fromkeys(w for _, w in cfg.lists.get("port") or [])) or "sshd_config"
            out.append(f"{where}: sshd will listen on {', '.join(f'{h}:{p}' for h, p, _ in then) or 'nothing'} "
                       f"(Port, ListenAddress, AddressFamily), not on {at}:{port}, where the runner reached it today")
    return out


def key_refused(cfg: SshdConfig, user: str, groups: list[str], key: str, texts: Mapping[str, str | None],
                home: str, uid: int, today: int, horizon: int) -> list[str]:
    """``file:line: what`` of each way sshd's next start (or a date) refuses ``key`` (``type blob``, the key the
    runner logged in with) for ``user``: its algorithm not accepted (PubkeyAcceptedAlgorithms); no file the
    ``AuthorizedKeysFile`` in force for it names holds it (``texts``: path -> text, None when not read); its line's
    ``expiry-time`` past or within ``horizon`` days of ``today`` (days since the epoch)."""
    import datetime

    kind, _, blob = key.partition(" ")
    out = []
    value, where = setting_for(cfg, "pubkeyacceptedalgorithms", user, groups) or \
        setting_for(cfg, "pubkeyacceptedkeytypes", user, groups) or ("", "")
    if not sshd_offers(value, SSHD_DEFAULT_ALGORITHMS["pubkeyacceptedalgorithms"], KEY_ALGORITHMS.get(kind, (kind,))):
        out.append(f"{where}: pubkeyacceptedalgorithms {value}: sshd refuses {user}'s {kind} key, the one the "
                   "runner logs in with")
    files, where = setting_for(cfg, "authorizedkeysfile", user, groups) or (".ssh/authorized_keys "
                                                                             ".ssh/authorized_keys2", "")
    named = [posixpath.normpath(p if p.startswith("/") else f"{home}/{p}") for p in (re.sub(
        r"%([%hUu])", lambda m: {"%": "%", "h": home, "U": str(uid), "u": user}[m.group(1)], w)
        for w in files.split() if w.lower() != "none")]
    holding = [p for p in named if blob and blob in (texts.get(p) or "").split()]
    if named and not holding and all(texts.get(p) is not None or p not in texts for p in named):
        out.append(f"{where or 'OpenSSH default'}: authorizedkeysfile {files}: sshd takes {user}'s keys from "
                   f"{', '.join(named)}, and none holds the key the runner logs in with")
    for path in holding:
        for n, opts, _, b, _ in key_entries(texts.get(path) or ""):
            m = re.search(r'(?:^|,)expiry-time="?(\d{8})', opts, re.I) if b == blob else None
            if m:
                day = (datetime.date(int(m[1][:4]), int(m[1][4:6]), int(m[1][6:])) - datetime.date(1970, 1, 1)).days
                if day - today <= horizon:
                    out.append(f"{path}:{n}: expiry-time {m[1]}: sshd refuses {user}'s key, the one the runner logs "
                               f"in with, from {m[1][:4]}-{m[1][4:6]}-{m[1][6:]} (in {day - today} days)")
    return out


# the ways sshd takes a password instead of a key (OpenSSH's defaults: yes); keyboard-interactive asks PAM (pam_unix:
# the password) and needs UsePAM yes on Linux
PASSWORD_ROUTES = (("passwordauthentication", False), ("kbdinteractiveauthentication", True),
                   ("challengeresponseauthentication", True))


def setting_for(cfg: SshdConfig, key: str, user: str, groups: list[str]) -> tuple[str, str] | None:
    """(value, where) of ``key`` for a login of ``user``: the first Match block that may apply and sets it
    (sshd: a satisfied block's first value overrides the global one), else the global value; None: unset."""
    for criteria, _, block in cfg.matches:
        if key in block and match_applies(criteria, user, groups):
            return block[key]
    return cfg.first.get(key)


def password_route(cfg: SshdConfig, user: str, groups: list[str]) -> str | None:
    """How sshd lets ``user`` in with a password alone (``Keyword value (file:line)``, an unset default named),
    or None: password and keyboard-interactive authentication (the latter through PAM) unless
    ``AuthenticationMethods`` asks every login for a key first."""
    methods = setting_for(cfg, "authenticationmethods", user, groups)
    if methods and methods[0].lower() != "any" and all("publickey" in alt.split(",")
                                                        for alt in methods[0].split()):
        return None
    pam = (setting_for(cfg, "usepam", user, groups) or ("no", ""))[0].lower() == "yes"
    for key, needs_pam in PASSWORD_ROUTES:
        found = setting_for(cfg, key, user, groups)
        if key == "challengeresponseauthentication" and setting_for(cfg, "kbdinteractiveauthentication", user, groups):
            continue  # (the older name of the same setting: the newer one decides)
        value, where = found or ("yes", "")
        if value.lower() == "yes" and (pam or not needs_pam):
            return f"{key} {value} ({where})" if where else f"{key} unset (OpenSSH's default: yes)"
    return None


def _match(pattern: str, name: str) -> bool:
    """sshd's pattern list entry (``*``/``?`` wildcards; ``!`` negation is no admission)."""
    return not pattern.startswith("!") and fnmatch.fnmatchcase(name, pattern)


def match_applies(criteria: str, user: str, groups: list[str]) -> bool:
    """Whether a ``Match`` block's criteria may apply to ``user`` (criteria on address, host or port may: they
    depend on where the client connects from)."""
    words = criteria.split()
    if words and words[0].lower() == "all":
        return True
    for key, value in zip(words[::2], words[1::2], strict=False):
        names = {"user": [user], "group": groups}.get(key.lower())
        if names is not None and not any(_match(p, n) for p in value.split(",") for n in names):
            return False
    return True


# ---------------------------------------------------------------- PAM


@dataclass(frozen=True)
class PamLine:
    where: str  # file:line
    type: str  # auth, account, session, password (a leading '-' dropped)
    control: str  # required, sufficient, [success=1 default=ignore], ...
    module: str  # pam_unix.so, or a path
    args: str


def pam_lines(texts: Mapping[str, str], names: list[str], top: str = "/etc/pam.d") -> list[PamLine]:
    """Every rule line of every file in ``/etc/pam.d`` (``@include`` lines are files of their own, read too)."""
    out = []
    for name in names:
        text = texts.get(f"{top}/{name}")
        for n, raw in enumerate((text or "").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("@"):
                continue
            m = re.match(r"-?(\S+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", line)
            if m:
                out.append(PamLine(f"{top}/{name}:{n}", m.group(1).lower(), m.group(2), m.group(3), m.group(4)))
    return out


def stack_lets_in(texts: Mapping[str, str], names: list[str], credentials, top: str = "/etc/pam.d",
                 kind: str = "auth") -> list[str]:
    """The files of ``/etc/pam.d`` whose ``kind`` stack (auth, account; its ``@include``, ``include`` and
    ``substack`` files read in place) ends in success when every module that proves a secret or an account's
    standing (``credentials``: pam_unix ...) fails and every other one succeeds: a wrong password, or an expired or
    locked account, gets in. What takes that guard away is often a line removed (common-auth's and
    common-account's ``requisite pam_deny.so``, which pam-auth-update writes: no conffile to compare) or a control
    weakened (``requisite`` made ``optional``), neither of which leaves a line that says so. A file whose included
    file already lets in is that one's finding (one cause, one line)."""
    stacks = {n: _auth_stack(texts, top, n, kind) for n in names}
    bad = {n for n, (stack, _) in stacks.items() if _lets_in(stack, credentials)}
    return [f"{top}/{n}" for n in sorted(bad) if not bad & set(stacks[n][1])]


def _auth_stack(texts, top, name, kind="auth", depth=0) -> tuple[list[tuple[str, str]], list[str]]:
    """``([(control, module)], [files it includes directly])`` of a PAM file's ``kind`` lines, includes in place."""
    stack, included = [], []
    for at, typ, control, module in _pam_rules(texts.get(f"{top}/{name}") or ""):
        other = at if at is not None else \
            module if typ == kind and control in ("include", "substack") else None
        if other:
            included.append(other)
            stack += _auth_stack(texts, top, other, kind, depth + 1)[0] if depth < 8 else []
        elif typ == kind:
            stack.append((control, posixpath.basename(module)))
    return stack, included


@functools.lru_cache(maxsize=1024)
def _pam_rules(text: str) -> tuple[tuple[str | None, str | None, str, str], ...]:
    """``(included, type, control, module)`` of each line of a PAM file's text: ``included`` the file an
    ``@include`` line names (else None), ``type`` lower-cased (None: not a rule line). A pure function of the text,
    made once a process: every host of one image, and each of the stacks a check asks of (auth, account, for each
    service), reads the same files (``cw_pam`` parsed them ~100 times a host)."""
    out = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        m = re.match(r"-?(\S+)\s+(\[[^\]]*\]|\S+)\s+(\S+)", " ".join(words))
        at = words[1] if words[:1] == ["@include"] and len(words) > 1 else None
        if at is not None or m:
            out.append((at, m.group(1).lower() if m else None, m.group(2) if m else "", m.group(3) if m else ""))
    return tuple(out)


def pam_stack(texts: Mapping[str, str], name: str, top: str = "/etc/pam.d", depth: int = 0) -> list[PamLine]:
    """Every rule line a PAM service ``name`` runs, of every type, in order, its ``@include`` files and its
    ``TYPE include``/``substack`` files read in place (those of that type only)."""
    out: list[PamLine] = []
    for n, raw in enumerate((texts.get(f"{top}/{name}") or "").splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        m = re.match(r"-?(\S+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", " ".join(words))
        if words[:1] == ["@include"] and len(words) > 1:
            out += pam_stack(texts, words[1], top, depth + 1) if depth < 8 else []
        elif m and m.group(2) in ("include", "substack"):
            out += [p for p in (pam_stack(texts, m.group(3), top, depth + 1) if depth < 8 else [])
                    if p.type == m.group(1).lower()]
        elif m:
            out.append(PamLine(f"{top}/{name}:{n}", m.group(1).lower(), m.group(2), m.group(3), m.group(4)))
    return out


# the PAM services the deploy login's and the gate's logins run: sshd (a key login: account and session; auth only
# when sshd asks PAM for a second factor) and sudo (sudo -n with NOPASSWD: account and session, no auth); sudo -i's
PAM_LOGINS = ("sshd", "sudo", "sudo-i")
# the files a module reads its rule from besides /etc/security/<name>.conf and <name>.d/ (pam_access's access.conf,
# pam_time's time.conf, pam_group's, pam_faillock's, pam_namespace's ...) and the paths its arguments name
PAM_CONF = {"pam_securetty.so": ("/etc/securetty",), "pam_shells.so": ("/etc/shells",),
            "pam_nologin.so": ("/etc/nologin", "/run/nologin"), "pam_rhosts.so": ("/etc/hosts.equiv",),
            "pam_listfile.so": ()}


def pam_config_files(module: str, args: str) -> list[str]:
    """The files a PAM module takes its rule from: ``/etc/security/<name>.conf`` and every file of
    ``/etc/security/<name>.d/`` (named with its ``/``) for ``pam_<name>.so`` (access, time, group, faillock,
    pwquality, namespace, limits ...), :data:`PAM_CONF`'s, and each absolute path its arguments name
    (``accessfile=``, ``conffile=``, ``file=``, ``conf=``)."""
    base = posixpath.basename(module)
    stem = base[4:-3] if base.startswith("pam_") and base.endswith(".so") else ""
    found = list(PAM_CONF.get(base, (f"/etc/security/{stem}.conf", f"/etc/security/{stem}.d/") if stem else ()))
    found += [w.split("=", 1)[-1] for w in args.split() if w.split("=", 1)[-1].startswith("/")]
    return list(dict.fromkeys(found))


def pam_stock_key(line: PamLine) -> str:
    """A PAM line as a stack's baseline names it: ``TYPE MODULE [ARGS]`` (the module's file name; its control,
    which pam-auth-update writes as jumps that vary with the profiles enabled, is another rule's)."""
    return " ".join([line.type, posixpath.basename(line.module)] + line.args.split())


PAM_ACTS = {"required": ("ok", "bad"), "requisite": ("ok", "die"), "sufficient": ("done", "ignore"),
            "optional": ("ok", "ignore")}  # (pam.conf(5): each simple control as its [value=action] form)


def _lets_in(stack: list[tuple[str, str]], credentials) -> bool:
    """Whether PAM's verdict over ``stack`` is success when each of ``credentials`` fails (``auth_err``), as
    pam_deny always does, and every other module succeeds (pam.conf(5)'s actions: ok, bad, die, done, ignore,
    reset, N: a jump)."""
    verdict, failed, i = False, False, 0
    while i < len(stack):
        control, module = stack[i]
        good = module not in credentials and module != "pam_deny.so"  # (pam_deny: fails always)
        if control.startswith("["):
            acts = dict(kv.split("=", 1) for kv in control.strip("[]").split() if "=" in kv)
            act = acts.get("success" if good else "auth_err", acts.get("default", "bad"))
        else:
            act = PAM_ACTS.get(control.lower(), ("ok", "bad"))[0 if good else 1]
        i += 1
        if act.isdigit():
            i += int(act)
        elif act == "reset":
            verdict, failed = False, False
        elif act in ("ok", "done") and good:
            verdict = True
            if act == "done":
                return not failed
        elif act != "ignore":  # (bad, die, or ok/done with a failure: the stack fails)
            failed = True
            if act in ("die", "done"):
                return False
    return verdict and not failed


def ends_with_success(control: str) -> bool:
    """Whether a PAM control lets this module's success end the stack (or jump over a later check): sufficient,
    or a ``[...]`` control with ``success=done``/``success=ok`` with ``default`` other than die/bad, or
    ``success=N`` (a jump: over a later ``pam_deny``)."""
    if control == "sufficient":
        return True
    if not control.startswith("["):
        return False
    values = dict(kv.split("=", 1) for kv in control.strip("[]").split() if "=" in kv)
    return values.get("success", "") in ("done",) or values.get("success", "").isdigit()


# ---------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limit:
    where: str
    domain: str
    kind: str  # soft, hard, -
    item: str
    value: str


def limits(texts: Mapping[str, str], names: list[str]) -> list[Limit]:
    """Every line of /etc/security/limits.conf and limits.d/*.conf (pam_limits reads only ``*.conf`` there)."""
    paths = ["/etc/security/limits.conf"] + [f"/etc/security/limits.d/{n}" for n in sorted(names)
                                               if n.endswith(".conf")]
    out = []
    for path in paths:
        for n, raw in enumerate((texts.get(path) or "").splitlines(), 1):
            words = raw.split("#", 1)[0].split()
            if len(words) == 4:
                out.append(Limit(f"{path}:{n}", *words))
    return out


def limit_applies(domain: str, user: str, uid: int | None, groups: list[str]) -> bool:
    """Whether a limits.conf domain names ``user``: the name, ``*``, ``@group``/``%group``, a uid range
    ``a:b`` (``%`` alone: maxsyslogins for everyone)."""
    if domain in ("*", "%", user):
        return True
    if domain[:1] in "@%":
        return domain[1:] in groups
    m = re.fullmatch(r"@?(\d*):(\d*)", domain)
    if m and uid is not None:
        low, high = int(m.group(1) or 0), int(m.group(2) or 1 << 31)
        return low <= uid <= high
    return False


# ---------------------------------------------------------------- pam_env


def environment(texts: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``[(file:line, NAME, value)]`` of ``/etc/environment`` (``NAME=value``, optional ``export``) and
    ``/etc/security/pam_env.conf`` (``NAME DEFAULT=... OVERRIDE=...``)."""
    out = []
    for n, raw in enumerate((texts.get("/etc/environment") or "").splitlines(), 1):
        line = raw.strip()
        line = line[7:].strip() if line.startswith("export ") else line
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            out.append((f"/etc/environment:{n}", name.strip(), value.strip().strip("\"'")))
    for n, raw in enumerate((texts.get("/etc/security/pam_env.conf") or "").splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if len(words) >= 2:
            value = " ".join(w.partition("=")[2] for w in words[1:])
            out.append((f"/etc/security/pam_env.conf:{n}", words[0], value.strip("\"'")))
    return out + manager_environment(texts)


SYSTEMD_CONF = ("/etc/systemd/system.conf", "/etc/systemd/system.conf.d/", "/run/systemd/system.conf.d/",
                "/usr/local/lib/systemd/system.conf.d/")


def manager_environment(texts: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``[(file:line, NAME, value)]`` of systemd's ``DefaultEnvironment=`` and ``ManagerEnvironment=`` in its
    manager configuration (``system.conf`` and the ``system.conf.d`` dirs): variables every service it starts
    gets, root's daemons and timers' jobs too (``"A=1" B=2``: shell-like words)."""
    out = []
    for path in sorted(p for p in texts if p == SYSTEMD_CONF[0] or p.startswith(SYSTEMD_CONF[1:]) and
                       p.endswith(".conf")):
        for n, raw in enumerate((texts.get(path) or "").splitlines(), 1):
            key, _, rest = raw.strip().partition("=")
            if key.strip() not in ("DefaultEnvironment", "ManagerEnvironment"):
                continue
            try:
                words = shlex.split(rest)
            except ValueError:
                words = rest.split()
            out += [(f"{path}:{n}", w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]
    return out


RUNTIME = "pid 1's environment (systemctl show-environment)"


def runtime_environment(sent, texts: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``[(where, NAME, value)]`` of pid 1's environment as ``systemctl show-environment`` printed it (``sent``: the
    login collector's ``[exit status, output]``) that no file of systemd's manager configuration sets
    (:func:`manager_environment`): set at run time (``systemctl set-environment``, ``import-environment``), every
    unit started from then on gets it and no file holds it. The locale's (``LANG``, ``LANGUAGE``, ``LC_*``: pid 1
    reads them from the locale's file) are not taken; ``PATH`` is (judged by its dirs). Values in systemctl's
    ``$'...'`` quoting are unquoted."""
    if not isinstance(sent, list) or len(sent) != 2 or sent[0] != 0 or not isinstance(sent[1], str):
        return []
    files = {(name, value) for _, name, value in manager_environment(texts)}
    out = []
    for line in sent[1].splitlines():
        name, _, value = line.partition("=")
        if value.startswith("$'") and value.endswith("'"):
            value = value[2:-1].encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")
        if name and not re.fullmatch(r"LANG|LANGUAGE|LC_[A-Z_]+", name) and (name, value) not in files:
            out.append((RUNTIME, name, value))
    return out


# ---------------------------------------------------------------- apt


APT_INSECURE_OPTIONS = {"trusted": "yes", "allow-insecure": "yes", "allow-weak": "yes",
                        "allow-downgrade-to-insecure": "yes"}
APT_INSECURE_SETTINGS = ("apt::get::allowunauthenticated", "acquire::allowinsecurerepositories",
                         "acquire::allowdowngradetoinsecurerepositories", "acquire::allowweakrepositories")


def apt_unsigned(texts: Mapping[str, str], lists: list[str], confs: list[str]) -> list[tuple[str, str]]:
    """``[(file:line, what)]``: every apt source whose options turn the signature check off (one-line
    ``[trusted=yes]``, ``allow-insecure=yes``...; deb822 ``Trusted: yes``...) and every apt setting that does it
    for all sources (``APT::Get::AllowUnauthenticated``, ``Acquire::AllowInsecureRepositories``...)."""
    out = []
    for path in ["/etc/apt/sources.list"] + [f"/etc/apt/sources.list.d/{n}" for n in sorted(lists)]:
        text = texts.get(path) or ""
        if path.endswith(".sources"):
            for n, raw in enumerate(text.splitlines(), 1):
                key, _, value = raw.partition(":")
                if key.strip().lower() in APT_INSECURE_OPTIONS and value.strip().lower() in ("yes", "true"):
                    out.append((f"{path}:{n}", raw.strip()))
            continue
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            m = re.match(r"deb(?:-src)?\s+\[([^\]]*)\]", line)
            opts = dict(o.split("=", 1) for o in (m.group(1).split() if m else []) if "=" in o)
            if any(opts.get(k, "").lower() in ("yes", "true") for k in APT_INSECURE_OPTIONS):
                out.append((f"{path}:{n}", line))
    for path in [f"/etc/apt/apt.conf.d/{n}" for n in sorted(confs)]:
        for n, raw in enumerate((texts.get(path) or "").splitlines(), 1):
            line = re.sub(r"//.*|#.*", "", raw).strip()
            m = re.match(r"([\w:-]+)\s+\"?(true|yes|1)\"?\s*;", line, re.I)
            if m and m.group(1).lower() in APT_INSECURE_SETTINGS:
                out.append((f"{path}:{n}", line))
    return out


# apt.conf(5)'s booleans (apt's StringToBool: these and any number but 0 are true)
APT_TRUE = ("yes", "true", "with", "on", "enable")
APT_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|//.*|/\*|[{};]|[^\s{};"]+')


def apt_settings(text: str) -> list[tuple[int, str, str]]:
    """``[(line, key, value)]`` of apt.conf(5) text as apt reads it: a flat ``A::B "v";`` and the same in scopes
    (``A { B "v"; };``, ``A::B { C "v"; };``) alike (``key`` lower-cased, its scopes joined by ``::``; a list item's
    key is its scope's), comments left out (``//`` and ``/* */`` outside quotes, a line starting with ``#`` but
    ``#include``/``#clear``, which are not followed here)."""
    out: list[tuple[int, str, str]] = []
    scope: list[str] = []
    words: list[tuple[int, str]] = []
    comment = False
    for n, line in enumerate(text.splitlines(), 1):
        if not comment and line.lstrip().startswith("#"):
            continue
        for tok in APT_TOKEN.findall(line):
            if comment or tok == "/*":
                comment = comment and "*/" not in tok or tok == "/*"
                continue
            if tok.startswith("//"):
                break
            if tok == "{":
                scope.append(words[0][1] if words else "")
            elif tok == "}":
                scope = scope[:-1]
            elif tok == ";" and words:
                key = "::".join(scope + [words[0][1]] if len(words) > 1 else scope)  # ("A::B:: v": a list item)
                out.append((words[0][0], key.rstrip(":").lower(), words[-1][1]))
            elif tok == ";":
                pass  # (the ";" after a scope's "}")
            else:
                words.append((n, tok[1:-1] if tok.startswith('"') else tok))
                continue
            words = []
        comment = comment and "*/" not in line.split("/*")[-1]
    return out


def apt_root_kept(texts: Mapping[str, str], confs: list[str], accounts) -> list[tuple[str, str]]:
    """``[(file:line, what)]`` of the settings, as apt reads them (``apt.conf.d`` in name order, the files it takes:
    letters, digits, ``_-.``, no extension or ``.conf``; then ``apt.conf``: the last one wins), that keep apt from
    dropping root for its methods (apt.conf(5), apt's ``DropPrivileges``): ``APT::Sandbox::User`` other than
    ``_apt`` (root; an account the server does not have: apt says so and goes on as root; another account, whose
    other processes may trace and change them) and ``Debug::NoDropPrivs`` true. apt's methods (http, https, gpgv,
    store) parse what a mirror, or whoever is on the way, sends, and check its signatures."""
    found: dict[tuple[str, str], tuple[str, str, str]] = {}  # (Binary::NAME:: or "", key) -> the last setting
    for path in _apt_read_order(confs):
        for n, key, value in apt_settings(texts.get(path) or ""):
            m = re.fullmatch(r"(binary::[^:]+::)?(apt::sandbox::user|debug::nodropprivs)", key)
            if m:
                found[m.group(1) or "", m.group(2)] = (path, f"{path}:{n}", value)
    out = []
    for (binary, key), (path, where, value) in sorted(found.items()):
        name = f"{binary.title()}{'APT::Sandbox::User' if key.startswith('apt') else 'Debug::NoDropPrivs'}"
        if key == "apt::sandbox::user" and value != "_apt":
            who = "as root" if value == "root" else f"as root (no account {value!r} here: apt says so and keeps " \
                "root)" if value not in accounts else f"as {value}, whose other processes may trace and change them"
        elif key == "debug::nodropprivs" and (value.lower() in APT_TRUE or value.isdigit() and int(value)):
            who = "as root"
        else:
            continue
        out.append((path, f"{where}: {name} {value!r}: apt runs its download and signature methods (http, https, "
                          f"gpgv) {who}, not as _apt"))
    return out


def _apt_read_order(confs: list[str]) -> list[str]:
    """The apt configuration files apt reads, in its order: ``apt.conf.d``'s by name (letters, digits, ``_-.``; no
    extension or ``.conf``: apt skips the rest, ``.dpkg-old``, ``.disabled``), then ``apt.conf``."""
    return [f"/etc/apt/apt.conf.d/{n}" for n in sorted(confs) if re.fullmatch(r"[\w.-]+", n) and (
        "." not in n or n.endswith(".conf"))] + ["/etc/apt/apt.conf"]


def uu_blacklisted(texts: Mapping[str, str], confs: list[str], patterns) -> list[tuple[str, str]]:
    """``[(file:line, what)]`` of each ``Unattended-Upgrade::Package-Blacklist`` entry (a regular expression
    matched from the start of a package's name, as unattended-upgrades matches it) that names an installed package
    matching ``patterns`` (the stack's), where unattended-upgrades is installed and switched on
    (``APT::Periodic::Unattended-Upgrade`` not 0, the last setting apt reads): the mechanism this server takes its
    security updates by skips that package, silently (its log says so at debug level only)."""
    status = texts.get("/var/lib/dpkg/status") or ""
    if not _installed(status, ("unattended-upgrades",)):
        return []
    names, on, entries = _installed(status, tuple(patterns)), "0", []
    for path in _apt_read_order(confs):
        for n, key, value in apt_settings(texts.get(path) or ""):
            if key == "apt::periodic::unattended-upgrade":
                on = value
            elif key == "unattended-upgrade::package-blacklist" and value:  # ("": the scope's own empty value)
                entries.append((f"{path}:{n}", value))
    if not on.strip().isdigit() or not int(on):
        return []
    out = []
    for where, entry in entries:
        try:
            hit = sorted(n for n in names if re.match(entry, n))
        except re.error:
            hit = sorted(n for n in names if n.startswith(entry))
        if hit:
            out.append((where, f"Unattended-Upgrade::Package-Blacklist {entry!r} ({', '.join(hit[:4])}"
                               f"{' ...' if len(hit) > 4 else ''}): unattended-upgrades, switched on here "
                               f"(APT::Periodic::Unattended-Upgrade {on!r}), never installs their security updates"))
    return out


APT_SECURITY = 500  # the priority apt gives an update from the security archive (a source not the target release)


def apt_held(texts: Mapping[str, str], prefs: list[str], confs: list[str], patterns) -> list[tuple[str, str]]:
    """``[(where, what)]``: every setting that keeps the installed packages matching ``patterns`` (fnmatch) from
    taking a newer version, security updates too: a dpkg hold (``apt-mark hold``), an apt preferences stanza naming
    them (a name, glob, ``/regex/`` or ``*``) that pins a version above :data:`APT_SECURITY`, ranks another
    release or origin above it, or ranks the security archive below it (or below 0), and an
    ``APT::Default-Release`` (990 to that release: the security suite is another one)."""
    names, out = _installed(texts.get("/var/lib/dpkg/status") or "", tuple(patterns)), []
    out += [("/var/lib/dpkg/status", f"{n}: {st!r} (apt-mark hold)") for n, st in sorted(names.items())
            if st.startswith("hold ")]
    for path in ["/etc/apt/preferences"] + [f"/etc/apt/preferences.d/{n}" for n in sorted(prefs)]:
        for first, stanza in _stanzas(texts.get(path) or ""):
            hit = sorted(n for n in names for e in stanza.get("package", "").split() if _apt_matches(e, n))
            why = _pin_holds(stanza.get("pin", ""), stanza.get("pin-priority", "0"))
            if hit and why:
                out.append((f"{path}:{first}", f"Package: {stanza['package']} / Pin: {stanza['pin']} / Pin-Priority: "
                                                f"{stanza['pin-priority']} ({', '.join(dict.fromkeys(hit))}): {why}"))
    for path in ["/etc/apt/apt.conf"] + [f"/etc/apt/apt.conf.d/{n}" for n in sorted(confs)]:
        for n, raw in enumerate((texts.get(path) or "").splitlines(), 1):
            m = re.match(r"\s*APT::Default-Release\s+\"([^\"]*)\"", re.sub(r"//.*|#.*", "", raw), re.I)
            if m and "security" not in m.group(1):
                out.append((f"{path}:{n}", f"APT::Default-Release {m.group(1)!r}: that release ranks 990 and the "
                                           "security suite (another release) 500: its updates are never installed"))
    return out


EXTENDED_STATES = "/var/lib/apt/extended_states"  # apt's marks: Auto-Installed: 1 (apt-mark auto)
KEPT_BY = ("pre-depends", "depends", "recommends", "suggests")  # what apt's autoremove keeps by default


def apt_autoremoved(texts: Mapping[str, str], patterns) -> list[tuple[str, str]]:
    """``[(where, what)]``: each installed package matching ``patterns`` (fnmatch) that apt's next ``autoremove``
    (run by hand, by unattended-upgrades' ``Remove-Unused-Dependencies``, or offered after every install) removes:
    marked installed automatically (``apt-mark auto``, :data:`EXTENDED_STATES`) and reached by no dependency
    (:data:`KEPT_BY`, any alternative, any version, a virtual package's every provider: generous, so never a false
    alarm from a version apt would not take) from an installed package that is not so marked, or is Essential,
    Important or Protected (apt's roots)."""
    auto = {m.group(1).split(":")[0] for para in (texts.get(EXTENDED_STATES) or "").split("\n\n")
            for m in [re.search(r"^Package: (\S+)", para, re.M)] if m and re.search(
                r"^Auto-Installed: *1\s*$", para, re.M)}
    if not auto:
        return []
    fields: dict[str, dict[str, str]] = {}
    provides: dict[str, set[str]] = {}
    for para in (texts.get("/var/lib/dpkg/status") or "").split("\n\n"):
        head = dict((k.lower(), v.strip()) for k, v in re.findall(r"^([\w-]+):(.*(?:\n[ \t].*)*)", para, re.M))
        if head.get("package") and head.get("status", "").endswith(" installed"):
            fields[head["package"]] = head
            for name in re.findall(r"([^\s,(|]+)", head.get("provides", "")):
                provides.setdefault(name.split(":")[0], set()).add(head["package"])
    kept = [n for n, f in fields.items() if n not in auto or "yes" in (f.get("essential"), f.get("important"),
                                                                        f.get("protected"))]
    seen = set(kept)
    while kept:
        f = fields[kept.pop()]
        for name in re.findall(r"(?:^|[,|])\s*([^\s,(|]+)", ", ".join(f.get(k, "") for k in KEPT_BY)):
            for dep in {name.split(":")[0]} | provides.get(name.split(":")[0], set()):
                if dep in fields and dep not in seen:
                    seen.add(dep)
                    kept.append(dep)
    gone = sorted(n for n in _installed(texts.get("/var/lib/dpkg/status") or "", tuple(patterns)) if n not in seen)
    return [(EXTENDED_STATES, f"{', '.join(gone[:6])}{' ...' if len(gone) > 6 else ''}: marked installed "
                              "automatically (apt-mark auto) and needed by no package that is not: the next apt "
                              "autoremove removes them (apt-mark manual puts them back)")] if gone else []


@functools.lru_cache(maxsize=16)
def _installed(status: str, patterns: tuple) -> dict[str, str]:
    """``{package: its Status value}`` of dpkg's ``status`` text for the installed packages matching ``patterns``
    (fnmatch). Kept by the very text (compared in full): a fleet's hosts of one image send the same database, and
    each host's verdict is still made from its own text. Read, never changed, by its caller."""
    names = {}
    for para in status.split("\n\n"):
        m, st = re.search(r"^Package: (\S+)", para, re.M), re.search(r"^Status: (.*)$", para, re.M)
        if m and st and st.group(1).endswith(" installed") and any(fnmatch.fnmatch(m.group(1), p) for p in patterns):
            names[m.group(1)] = st.group(1)
    return names


def _stanzas(text: str):
    """apt preferences' stanzas: (line of its first field, {field lower: value})."""
    stanza: dict[str, str] = {}
    first = 0
    for n, raw in enumerate(text.splitlines() + [""], 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            if stanza:
                yield first, stanza
            stanza = {}
            continue
        key, _, value = line.partition(":")
        first = first if stanza else n
        stanza[key.strip().lower()] = value.strip()


def _apt_matches(entry: str, name: str) -> bool:
    if len(entry) > 2 and entry.startswith("/") and entry.endswith("/"):
        return re.search(entry[1:-1], name) is not None
    return fnmatch.fnmatchcase(name, entry)


def _pin_holds(pin: str, priority: str) -> str:
    """Why a pin keeps its packages from security updates, or ""."""
    try:
        prio = int(priority)
    except ValueError:
        return ""
    kind, _, terms = pin.partition(" ")
    security = "security" in terms.lower()
    everything = terms.strip() in ("*", "") or re.fullmatch(r"\s*[ol]=Debian\s*", terms) is not None
    if kind == "version" and prio > APT_SECURITY:
        return f"keeps version {terms.strip()}: a newer one (a security update) is never installed"
    if kind in ("release", "origin") and prio > APT_SECURITY and not (security or everything):
        return f"ranks {terms.strip()} above the security archive ({APT_SECURITY}): its updates are never installed"
    if kind in ("release", "origin") and prio < APT_SECURITY and (security or everything and prio < 0):
        return f"ranks {terms.strip()} below what is installed: security updates are never installed"
    return ""


# ---------------------------------------------------------------- accounts: who becomes root, whose login stops

NO_SHELL = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")  # no command runs as it


@dataclass(frozen=True)
class Account:
    """One account as ``/etc/passwd`` and the root collector's hash-free ``/etc/shadow`` say: ``password`` is
    ``empty``, ``locked`` (``!...``: passwd -l), ``none`` (``*``), ``set``, ``in passwd`` (a hash in the
    world-readable file) or ``unknown`` (shadow not read); the aging fields are days since 1970 (None: unset)."""

    name: str
    uid: int
    gid: int
    shell: str
    password: str
    changed: int | None = None
    max_days: int | None = None
    inactive: int | None = None
    expires: int | None = None
    warn_days: int | None = None

    @property
    def runs_commands(self) -> bool:
        """Whether a login or ``su`` to it runs commands (an empty shell field is /bin/sh)."""
        return self.shell not in NO_SHELL


def accounts(passwd: str, shadow: list | None) -> list[Account]:
    """Every line of ``/etc/passwd`` (a second line of a name too) with its shadow entry: ``shadow`` is the root
    collector's ``[[name, state, lastchg, min, max, warn, inactive, expire], ...]`` (None: not read)."""
    def day(v):
        return int(v) if isinstance(v, str) and v.strip().isdigit() else None

    entries = {r[0]: r for r in shadow or [] if isinstance(r, list) and len(r) >= 2}
    out = []
    for line in passwd.splitlines():
        f = line.split(":")
        if len(f) < 7 or not f[2].isdigit() or not f[3].isdigit():
            continue
        s = (entries.get(f[0]) or []) + [None] * 8
        password = (s[1] or "unknown") if f[1] == "x" else "empty" if f[1] == "" else \
            "locked" if f[1][:1] == "!" else "none" if f[1][:1] == "*" else "in passwd"
        out.append(Account(f[0], int(f[2]), int(f[3]), f[6], str(password), day(s[2]), day(s[4]), day(s[6]),
                           day(s[7]), day(s[5])))
    return out


def account_stops(acct: Account, today: int) -> list[tuple[int, str]]:
    """``[(day, what)]``: the days the account stops logging in (by its shadow fields: the account's expiry, its
    password's end of life and, after it, the inactive days; a password to change at once is day ``today``)."""
    out = []
    if acct.expires is not None:
        out.append((acct.expires, "the account expires (shadow field 8; chage -E)"))
    if acct.changed == 0:
        out.append((today, "its password must be changed at the next login (shadow field 3 is 0; passwd -e)"))
    elif acct.changed is not None and acct.max_days is not None and acct.max_days < 99999:
        end = acct.changed + acct.max_days
        out.append((end, "its password expires (last change + maximum age, shadow fields 3 and 5; chage -M): "
                         "sshd and PAM then require a new password before any command"))
        if acct.inactive is not None:
            out.append((end + acct.inactive, "the account is disabled, its password expired and the inactive days "
                                             "past (shadow field 7; chage -I)"))
    return out


# a key type as sshd(8) takes one at a key line's start: a name (``ssh-ed25519``, ``ecdsa-sha2-nistp256``,
# ``sk-...@openssh.com``, a ``-cert-v01@openssh.com``) or, any case, a plain type's short name (sshkey_type_from_name)
KEY_TYPE = re.compile(r"(?:ssh|ecdsa|sk|rsa)-[\w@.+-]+|(?i:rsa|dsa|ecdsa|ecdsa-sk|ed25519|ed25519-sk|xmss)")


def key_at(text: str) -> tuple[str, str, str] | None:
    """``(type, base64-blob, comment)`` of the key at ``text``'s start as sshd's ``sshkey_read`` takes one -- a
    type word, blanks, a base64 word that decodes to a key blob (its own type first) -- else None. The type is
    the blob's own (what sshd compares), whatever the word said."""
    import base64
    import binascii

    m = re.match(r"([^ \t]+)[ \t]+([^ \t]+)(.*)", text, re.S)
    if not m or not KEY_TYPE.fullmatch(m.group(1)):
        return None
    blob = re.sub(r"(?:\r|\\r)+$", "", m.group(2))  # (a CRLF line: sshd's base64 decoder skips the CR, as is or shown)
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return None
    size = int.from_bytes(raw[:4], "big")
    kind = raw[4:4 + size].decode("ascii", "replace")
    if len(raw) < 4 + size or not size or not KEY_TYPE.fullmatch(kind):
        return None
    return kind, blob, m.group(3).strip()


def key_blobs(text: str) -> dict[str, str]:
    """``{"type base64-blob": line number}`` of every key line of an ``authorized_keys`` text (options before the
    key type and a comment after it are not part of the key)."""
    out: dict[str, str] = {}
    for n, _, kind, blob, _ in [e for e in key_entries(text) if e[3]]:
        out.setdefault(f"{kind} {blob}", n)
    return out


def key_entries(text: str) -> list[tuple[str, str, str, str, str]]:
    """``[(line number, options, type, base64-blob, comment)]`` of every line of an ``authorized_keys`` (or a
    ``TrustedUserCAKeys``) text that is not blank or a comment, read as sshd(8) reads one (auth2-pubkeyfile.c):
    lines end at a newline only; a key at the line's start, else options up to the first blank outside double
    quotes (``from="..."``, ``command="..."``, ``cert-authority`` ...) and then a key; a comment after the key. A
    line read so as no key has type and blob ``""`` and the whole line as its options: deny by default, it is not
    taken for no key (a key hidden behind a word the gate took for the key -- ``from="*,x ssh-ed25519 <the gate's
    key> y" <another key>``, which sshd lets in -- was the gate's own to a looser reading)."""
    out = []
    for n, raw in enumerate((text or "").split("\n"), 1):
        line = raw.lstrip(" \t")
        if not line.strip() or line.startswith("#"):
            continue
        opts, key = "", key_at(line)
        if key is None:
            quoted, end = False, 0  # (sshkey_advance_past_options: \" inside quotes is a quote)
            while end < len(line) and (quoted or line[end] not in " \t"):
                quoted, end = (quoted, end + 2) if line[end:end + 2] == '\\"' else \
                    (quoted != (line[end] == '"'), end + 1)
            opts, key = line[:end], key_at(line[end:].lstrip(" \t"))
        out.append((str(n), opts, *key[:2], key[2]) if key else (str(n), line.strip(), "", "", ""))
    return out


def fingerprint(blob: str) -> str:
    """OpenSSH's ``SHA256:`` fingerprint of a key's base64 blob (what ``ssh-keygen -lf`` prints); ``?`` when the
    blob is not base64."""
    import base64
    import binascii
    import hashlib

    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return "?"
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def key_commands(text: str, option: str = "command") -> list[tuple[str, str]]:
    """``[(line number, command)]`` of each key line's ``command="..."`` option (sshd(8)'s AUTHORIZED_KEYS FILE
    FORMAT: sshd runs it, as the file's login, instead of whatever a login with that key asks for); ``option``
    ``environment``: each ``environment="NAME=value"`` (what sshd sets for that login when PermitUserEnvironment
    lets it)."""
    out = []
    for n, opts, _, blob, _ in key_entries(text):
        out += [(n, c.replace('\\"', '"')) for c in re.findall(r'(?i)(?:^|,)\s*%s="((?:[^"\\]|\\.)*)"' % option,
                                                                opts)] if blob else []
    return out


# ---------------------------------------------------------------- kernel settings boot applies

SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d")


def sysctl_files(listing: Mapping[str, list]) -> list[str]:
    """The files boot applies, in order (systemd-sysctl's and ``sysctl --system``'s): every ``*.conf`` of the
    sysctl.d dirs sorted by name, a name in an earlier dir hiding the same name in a later one, then
    ``/etc/sysctl.conf``."""
    chosen: dict[str, str] = {}
    for d in SYSCTL_DIRS:
        for name in listing.get(d) or []:
            if name.endswith(".conf"):
                chosen.setdefault(name, f"{d}/{name}")
    return [chosen[n] for n in sorted(chosen)] + ["/etc/sysctl.conf"]


def sysctl_settings(files: list[str], texts: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``{key: (value, file:line)}`` in effect after boot applied ``files`` (the last value wins; ``a/b`` keys as
    ``a.b``; a leading ``-`` only says to ignore errors). ``texts``: path -> text, a link as its target's text."""
    out: dict[str, tuple[str, str]] = {}
    for path in files:
        for n, raw in enumerate((texts.get(path) or "").splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;" or "=" not in line:
                continue
            key, _, value = line.partition("=")
            out[key.strip().lstrip("-").replace("/", ".")] = (value.strip(), f"{path}:{n}")
    return out
