"""The gate's collector of what any login may read: raw bytes, run as the gate's own login, never as root.

Most of what the gate looks at is world-readable (Apache's configuration, ``/etc/passwd``, dpkg's database, the
unit and hook files under ``/etc``): reading it needs no root, and the same bytes and the same owner and mode
checks (``O_NOFOLLOW``, root's, not writable by group or others) hold for any reader. So this program reads it as
the login that runs the gate (the admin: trusted, unprivileged); the root collector
(:mod:`deploytests.verify.collect_root`) reads only what needs root. The runner sends this file on stdin to the
stack's system python (``/usr/bin/python3 -I -S -c BOOT``), then the run's nonce, in the same ``sh -c`` line,
before the root collector (:func:`deploytests.verify.facts.probe_command`). It takes a closed set of inputs
(:data:`PATTERNS`: names), each matched in full; every path it touches is one of the constants below (**the
paths it reads: one place**) or built from them and those names. It parses nothing but the lines of the
dynamic linker's configuration (a line is a directory to list), root's ``sshd_config`` lines naming key files
(:func:`host_keys`, :func:`key_files`: paths to ``lstat``), root's Apache files' ``Include*``,
``LoadModule`` and ``LoadFile`` lines (:func:`loose`), the path and program words of every line Apache reads (what
a start makes root open, run or make: :func:`started`), what ``envvars`` sources or runs (:func:`shell_runs`, for
the verdict), the absolute path words of root's files in the places root acts later (:func:`acts`: a path to
``lstat``), root's Apache files' log lines (:func:`logs`: a path to ``lstat``) and the absolute path words of
root's cron files (:func:`outputs`: what is there, ``lstat``), the first field of ``/etc/fstab``'s swap lines and
the ``What=`` of ``.swap`` units (:func:`swaps`: a path to ``lstat``) and the kernel's mount table's point, options
and type fields (:func:`mounts`); the runner parses the rest
(:mod:`deploytests.verify.parse`).
Rules for this file: standard library only, Python >= 3.7, no imports from deploytests, flat.

What it returns (one JSON object, zlib-compressed and base64-encoded, after :data:`MARK` and the nonce); bytes
are latin-1 text:

- ``errors`` ({what: why}), ``refused``: why root may not run ``apache2ctl`` (:func:`loose`), None when it may;
- ``time`` and ``uptime`` (``/proc/uptime``, read together), ``python`` (X.Y), ``ticks`` (``SC_CLK_TCK``);
- ``files``: ``{path: {"st": [mode, uid, gid, size, mtime, ino, ctime], "link": target, "data": bytes, "why": text}}``:
  the ``lstat`` of every path it looked at (and of each directory above it); ``data`` only for a regular file,
  opened with ``O_NOFOLLOW``, owned by root and not writable by group or others (else ``why`` says which),
  at most :data:`LIMIT` bytes. Read: :data:`FILES`; every file under :data:`TREES` (entries and depth bounded;
  a bound hit is in ``errors``; a link at a tree's top is recorded, never walked); the listing of each directory
  named by an absolute line of ``/etc/ld.so.conf`` or an ``/etc/ld.so.conf.d`` file (only root's files are read,
  so only root's lines are taken); the stdlib's ``*.pth``/``*customize`` hooks, through links only root made;
  dpkg's ``/var/lib/dpkg/info/*.list``; the ``lstat`` of :data:`SHARED` (where a socket may be made). An
  executable regular file's ``caps``: its ``security.capability`` xattr's raw bytes (file capabilities; any reader
  may read them), when it has one.
- ``dirs``: ``{directory: [names]}`` of every directory listed;
- ``named``: entries as ``files``' of what root's files in the places root acts later name (:func:`acts`);
- ``digests``: ``{path: sha256 hex}`` of the privileged files recorded and of /usr/local/{sbin,bin}'s entries
  this login may read, root's (:func:`digests`), and of each file :func:`mentions` found lines in: what an
  allowance of them pins;
- ``programs``: ``{real path: [sha256 hex, ctime, ino]}`` of each regular file a process's command line names
  (:func:`ran`): what an allowance of what runs or listens pins;
- ``py_shadows``: ``{path: sha256 hex or why}`` of each entry of the system Python's local site dir that takes a
  packaged module's name (:func:`py_shadows`), and in ``files`` the ``RECORD`` of each ``*.dist-info`` there;
- ``manager_env``: ``[exit status, output]`` of ``systemctl show-environment`` where systemd is pid 1
  (:func:`manager_env`: the one program it runs, root's, with a fixed environment, 5 s);
- ``own_keys``: ``{path: text}`` of this login's own ``authorized_keys(2)`` (:func:`own_keys`);
- ``outputs``: ``{word: [paths]}`` of what is at each absolute path root's cron files name (:func:`outputs`);
- ``mentions``: ``{path: [[n, line], ...] or "-> target"}`` of every root's file under ``/etc`` whose bytes name
  the app's tree (its lines that do) and every link there into it (:func:`mentions`: a substring search, no parse);
- ``system_dirs``: each directory and regular file under ``/usr``, ``/etc`` and ``/boot`` someone but root may
  change (``[path, mode, uid, gid]``), and
  ``unwalked``: each directory others may go through that this login could not list (:func:`local_files`: one
  walk of every local file system, which also records every setuid, setgid and capability file in ``files``;
  ``/etc``'s judged in :func:`mentions`' walk of it: one walk of ``/etc``).

Its exit status is the verdict the root collector acts on (and bootstrap's look before its ``graceful``): 0 only
when :func:`loose` found nothing of what ``apache2ctl`` (a syntax check, and a start) makes root run, source, load,
open or make that someone but root may change (or that this login could not
look at: what it cannot see counts as not root's); the ``sh -c`` line passes it to the root collector.
"""

import base64
import errno
import fnmatch
import glob
import hashlib
import json
import os
import re
import socket
import stat
import struct
import subprocess
import sys
import time
import zlib
from functools import partial

MARK, NONCE = "@@DT-LOGIN ", 33  # the mark, and the bytes of the nonce line the runner sends after this file
NAME = r"[a-z_][a-z0-9_-]{0,31}"
PATTERNS = {"app": r"[a-z][a-z0-9_]{0,31}", "app_user": NAME, "deploy_user": NAME,
            "diagnose": r"true|false", "check": r"true|false"}
# the stack's fixed constants (every supported stack shares Debian's Apache layout; a unit test holds them equal)
SERVER_ROOT, APACHECTL, APACHE_BIN = "/etc/apache2", "/usr/sbin/apache2ctl", "/usr/sbin/apache2"
ENVVARS = SERVER_ROOT + "/envvars"  # the shell file apache2ctl sources as root before anything else
PIDFILE = "/run/apache2/apache2.pid"  # Apache writes it at every start and graceful restart, after reading its config
MODULES, STATE = "/usr/lib/apache2/modules", "/var/lib/deploytests"
PY = "%d.%d" % sys.version_info[:2]
# ---- what it reads: files (whole), trees (path, depth, whether root's files' bytes are read), listed dirs
FILES = ["/etc/passwd", "/etc/group", "/etc/crontab", "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/logrotate.conf"]
FILES += ["/etc/nsswitch.conf"]  # where the accounts come from besides those files (world-readable)
FILES += [PIDFILE]  # its mtime: when Apache last loaded its configuration (world-readable)
HOOKS = ["/etc/rc.local", "/etc/anacrontab", "/etc/profile", "/etc/bash.bashrc", "/etc/environment",  # root runs
         "/etc/ssh/ssh_config"]  # (root's ssh, scp, rsync and git over ssh run its ProxyCommand, Match exec ...)
FILES += HOOKS
FILES += ["/var/lib/dpkg/status", "/var/lib/dpkg/statoverride", "/proc/locks"]
FILES += ["/var/lib/apt/extended_states"]  # apt's marks: what its next autoremove removes
FILES += ["/var/lib/ucf/hashfile", "/var/lib/ucf/registry"]  # the /etc files ucf keeps for packages, as shipped
FILES += ["/var/log/dpkg.log", "/etc/localtime"]  # when each package's maintainer scripts ran, in which zone
FILES += ["/proc/net/" + n for n in ("tcp", "tcp6", "udp", "udp6", "unix", "packet")]  # packet: who captures
# systemd's system unit search path (systemd.unit(5)), in its order: set-property's and portablectl's dirs too. The
# packages' /lib and /usr/lib are dpkg's files; the generators' /run/systemd/generator* what judged generators write
SYSTEMD_PATH = ["/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
                "/etc/systemd/system", "/etc/systemd/system.attached", "/run/systemd/system",
                "/run/systemd/system.attached", "/usr/local/lib/systemd/system", "/lib/systemd/system",
                "/usr/lib/systemd/system"]
UNITS = SYSTEMD_PATH[:-2]  # the admin's and the runtime's: every unit and drop-in there is read
TREES = [(SERVER_ROOT, 8, True), ("/etc/cron.d", 1, True), (STATE, 6, True), (MODULES, 1, False)]
TREES += [(d, 4, True) for d in UNITS] + [("/var/lib/systemd/linger", 1, False), ("/etc/logrotate.d", 2, True)]
# the packages' own unit dirs (system and user; /lib's where /usr is not merged): an entry no package's list holds
# is a unit or link by hand among the packages' (deploytests.verify.starts); its bytes are what an allowance pins
PACKAGED_UNITS = ["/usr/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/user"]
TREES += [(d, 2, True) for d in PACKAGED_UNITS if os.path.realpath(d) == d or not d.startswith("/lib/")]
TREES += [("/etc/apt/apt.conf.d", 1, True), ("/etc/profile.d", 1, True)]  # apt's and login shells' hooks
# perl's local module dirs, before the packaged ones in every perl's @INC (root's a2enmod, debconf, update-rc.d):
# a module there of a packaged module's name is what root's tools load (its bytes: what an allowance pins)
PERL_SITE = sorted(set(glob.glob("/usr/local/share/perl/*") + glob.glob("/usr/local/lib/*/perl/*"))) + ["/etc/perl"]
TREES += [(d, 8, True) for d in PERL_SITE]
FILES += ["/etc/ssh/sshd_config", "/etc/security/limits.conf", "/etc/security/pam_env.conf"]  # logins (world-readable)
# where root's package updates come from and which versions apt takes (world-readable)
FILES += ["/etc/apt/sources.list", "/etc/apt/preferences", "/etc/apt/apt.conf"]
TREES += [("/etc/ssh/sshd_config.d", 1, True), ("/etc/pam.d", 1, True), ("/etc/security/limits.d", 1, True)]
TREES += [("/etc/ssh/ssh_config.d", 1, True)]  # the SSH client's drop-ins (root's ssh reads them)
TREES += [("/etc/apt/sources.list.d", 1, True), ("/etc/apt/preferences.d", 1, True)]
TREES += [("/etc/ssh", 2, False)]  # (/etc/ssh: who may write its dirs)
TREES += [("/etc/rc%s.d" % n, 1, False) for n in "2345S"] + [("/etc/cron." + n, 1, True)
                                                             for n in ("hourly", "daily", "weekly", "monthly")]
# the places root acts later besides cron's, logrotate's and systemd's units (deploytests.verify.rootacts says what
# each holds and when root runs it): every entry's bytes when root's; /etc/rc?.d's links are listed above
ACTS = ["/etc/update-motd.d", "/etc/init.d", "/etc/tmpfiles.d", "/run/tmpfiles.d", "/usr/local/lib/tmpfiles.d",
        "/usr/lib/tmpfiles.d", "/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d",
        "/etc/systemd/system-generators", "/usr/local/lib/systemd/system-generators", "/etc/initramfs-tools/hooks",
        "/etc/NetworkManager/dispatcher.d", "/etc/dhcp/dhclient-enter-hooks.d", "/etc/dhcp/dhclient-exit-hooks.d"]
ACTS += ["/etc/network/if-%s.d" % n for n in ("pre-up", "up", "down", "post-down")]
ACTS += ["/etc/kernel/%s.d" % n for n in ("preinst", "postinst", "prerm", "postrm", "header_postinst")]
ACTS += ["/etc/ppp/ip-up.d", "/etc/ppp/ip-down.d"]
ACTS += ["/usr/lib/systemd/system-shutdown", "/usr/lib/systemd/system-sleep", "/usr/lib/systemd/system-generators",
         "/run/systemd/system-generators", "/etc/kernel/install.d", "/usr/lib/kernel/install.d"]
ACTS += ["%s/systemd/system-environment-generators" % d for d in ("/etc", "/run", "/usr/local/lib", "/usr/lib")]
# what every login's systemd user manager takes at its start, and systemd-binfmt's and modules-load's places
# (deploytests.verify.rootacts: an entry by hand is a start entry); the user unit dirs two levels down (.wants, .d)
STARTS = ["%s/systemd/user" % d for d in ("/etc", "/run", "/usr/local/lib")]
ACTS += ["%s/systemd/user.conf.d" % d for d in ("/etc", "/run", "/usr/local/lib")]
FILES += ["/etc/systemd/user.conf"]
ACTS += ["%s/%s" % (d, n) for d in ("/etc", "/run", "/usr/local/lib", "/usr/lib") for n in (
    "environment.d", "systemd/user-generators", "systemd/user-environment-generators", "binfmt.d", "modules-load.d")]
USER_DSH = "/var/lib/systemd/deb-systemd-user-helper-enabled"  # (the links postinsts made there: a package's)
TREES += [(d, 1, True) for d in ACTS] + [(d, 2, True) for d in STARTS + [USER_DSH]]
FILES += ["/etc/ssh/sshrc"]  # every SSH login's session runs it (root's too)
FILES += ["/usr/sbin/policy-rc.d"]  # invoke-rc.d asks it before every service action (upgrades, logrotate)
FILES += ["/etc/hosts.allow", "/etc/hosts.deny"]  # Debian's sshd asks libwrap who may connect (world-readable)
FILES += ["/etc/adduser.conf", "/etc/default/useradd"]  # the groups every login made later joins (world-readable)
FILES += ["/etc/login.defs"]  # the uid ranges the next bootstrap checks its users against (world-readable)
# what a later start runs (deploytests.verify.starts): the links postinsts enabled (deb-systemd-helper's record),
# the units systemd's own postinst enables, init's table and the kernel command line boot configs pass (and what
# their packages ship of them)
TREES += [("/var/lib/systemd/deb-systemd-helper-enabled", 2, True), ("/etc/default/grub.d", 1, True)]
FILES += ["/var/lib/dpkg/info/systemd.postinst", "/etc/inittab", "/usr/share/sysvinit/inittab", "/etc/default/grub",
          "/usr/share/grub/default/grub", "/etc/kernel/cmdline"]
# systemd's manager configuration: DefaultEnvironment= / ManagerEnvironment= reach every service it starts, root's
SYSTEMD_CONF = ["/etc/systemd/system.conf.d", "/run/systemd/system.conf.d", "/usr/local/lib/systemd/system.conf.d"]
FILES += ["/etc/systemd/system.conf"]
TREES += [(d, 1, True) for d in SYSTEMD_CONF]
# root's own shell startup files and ~/.ssh/rc: read when this login may (/root is 0700 on Debian: then unread)
ROOT_SHELL = ["/root/.bashrc", "/root/.profile", "/root/.bash_profile", "/root/.bash_login", "/root/.bash_logout",
              "/root/.ssh/rc"]
# and the per-user configuration root's tools read (git's hooksPath, fsmonitor, sshCommand; pip's and distutils'
# find-links and index; npm's prefix and scripts' shell; the SSH client's ProxyCommand; wget's and curl's checks;
# sshd's ~/.ssh/environment for root's logins; the editor select-editor chose, which crontab -e and sensible-editor
# run; vim's ~/.vimrc, whose source and ! lines run at every root edit, visudo's too): the root collector reads
# them all
ROOT_TOOLS = ["/root/.ssh/config", "/root/.gitconfig", "/root/.config/git/config", "/root/.npmrc",
              "/root/.pip/pip.conf", "/root/.config/pip/pip.conf", "/root/.pydistutils.cfg", "/root/.wgetrc",
              "/root/.curlrc", "/root/.ssh/environment", "/root/.selected_editor", "/root/.vimrc"]
FILES += ROOT_SHELL + ROOT_TOOLS
# who becomes root outside sudoers, PAM and sshd: the files other privilege brokers grant by (world-readable but
# doas.conf, often 0400; polkit's rules dirs are 0700 polkitd: listed when this login may, else named unlisted)
GRANTS = ["/etc/doas.conf", "/etc/security/capability.conf"]
FILES += GRANTS
POLKIT = ["/etc/polkit-1/rules.d", "/etc/polkit-1/localauthority"]  # (polkit()'s: unlisted is no probe error)
# libraries loaded by a library's configuration: their absolute path words are followed as root's files' are
# (OpenSSL's engines/providers/.include, sudo's plugins, glibc's gconv modules)
LIBCONF = ["/etc/ssl/openssl.cnf", "/etc/sudo.conf"]
LIBCONF_DIRS = ["/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d", "/usr/lib/aarch64-linux-gnu/gconv/gconv-modules.d",
                "/etc/ssl/openssl.cnf.d"]
FILES += LIBCONF
TREES += [(d, 1, True) for d in LIBCONF_DIRS]
ROOT_RUNS = ["/etc/crontab", "/etc/logrotate.conf", "/etc/ssh/sshrc", "/etc/ssh/sshd_config"] + HOOKS + LIBCONF
HOOK_DIRS = ["/usr/lib/python" + PY, "/usr/lib/python%s/lib-dynload" % PY, "/usr/local/lib/python" + PY]
STDLIB_ZIP = "/usr/lib/python%s.zip" % PY.replace(".", "")  # first on every sys.path of that Python: its lstat
COMMANDS = ["/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"]  # setuid files, root's PATH
TREES += [(d, 1, False) for d in COMMANDS + HOOK_DIRS] + [("/etc/ld.so.conf.d", 1, True)]  # who may write them
HOOK = re.compile(r"((site|user)customize\b.*|.*\.pth)$")
DPKG_INFO = "/var/lib/dpkg/info"
# the system Python's site dirs (every python3 root runs: unattended-upgrades, apt's hooks, admin scripts): their
# .pth hooks are read, and each absolute directory line of them lstat'ed (a directory put on root's sys.path)
ROOT_SITE = ["/usr/local/lib/python%s/dist-packages" % PY, "/usr/lib/python3/dist-packages"]
LISTED = [(d, HOOK) for d in HOOK_DIRS + ROOT_SITE] + [("/var/lib/dpkg/updates", re.compile(r"[0-9]+$"))]  # (*)
LISTED += [(DPKG_INFO, re.compile(r".+\.list$"))]  # dpkg: whose file (last: parse.DPKG_INFO)
# (*) dpkg's journal: a run cut short (world-readable)
# root-only directories (the root collector lists them): their own lstat only
ROOT_ONLY = ["/etc/sudoers.d", "/var/spool/cron/crontabs", "/var/spool/cron/atjobs", "/var/log/apache2"]
ACCOUNTS = ["/etc/passwd", "/etc/login.defs", STATE + "/users"]  # bootstrap's user checks (check mode; runner's)
SHARED = ["/tmp", "/var/tmp", "/dev/shm", "/run", "/run/apache2", "/run/lock"]  # where a socket may be made: lstat
# the host's baseline: the secrets' modes (lstat only; the temp dirs' are SHARED's), the kernel settings boot applies
MODES = ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/root"]  # (root's home: 0700)
MODES += ["/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog"]  # the login records (lstat: kept, not a link)
SYSCTL = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"]
FILES += ["/etc/sysctl.conf"]
# journald's configuration (world-readable): whether the server keeps its records (who logged in, sudo's commands)
JOURNALD_D = ["/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d",
              "/usr/local/lib/systemd/journald.conf.d", "/usr/lib/systemd/journald.conf.d"]
FILES += ["/etc/systemd/journald.conf"]
TREES += [(d, 1, True) for d in JOURNALD_D]
FILES += ["/etc/fstab"]  # the swap areas boot turns on (world-readable): each one's lstat (:func:`swaps`)
TREES += [(d, 1, True) for d in SYSCTL]
# ----
# the lines that make ``apache2 -t`` read or load a file as root: the directive, and its first word naming one
NAMING = {"include": 1, "includeoptional": 1, "loadmodule": 2, "loadfile": 1, "serverroot": 1}
# a word read one way only (see ``named``): no quote inside, no backslash, no variable or mod_macro parameter
PLAIN = re.compile(r"""[^\s"'\\$%@]+|"[^\s"'\\$%@]*"|'[^\s"'\\$%@]*'""")
LIMIT, BIG, ENTRIES = 1 << 20, 64 << 20, 5000  # bytes of a file, bytes in all, entries of a tree


def check(args):
    """The closed set of inputs: an unknown, missing or off-pattern field stops here, before anything is read."""
    need = {"app"} if args.get("diagnose") or args.get("check") else {"app", "app_user", "deploy_user"}
    bad = sorted(need - set(args)) + sorted(k for k, v in args.items() if not re.fullmatch(PATTERNS.get(k, "^$"),
                                                                                           json.dumps(v).strip('"')))
    if bad:
        raise SystemExit("collect_login: missing or off-pattern: %s (the closed set: %s)" % (bad, PATTERNS))


def note(out, path):
    """Record the ``lstat`` of ``path`` and of each directory above it; the stat result, or None. A recorded path's
    directories are recorded already (only this records paths): the walk starts below the deepest one recorded."""
    files, parts = out["files"], path.split("/")
    if path in files:
        return files[path].get("st")
    start = len(parts)
    while start > 1 and ("/".join(parts[:start - 1]) or "/") not in files:
        start -= 1
    for i in range(start, len(parts) + 1):
        p = "/".join(parts[:i]) or "/"
        try:  # (a link gone between lstat and readlink is recorded as gone)
            st = out["files"].get(p) or os.lstat(p)
            if isinstance(st, os.stat_result):
                out["files"][p] = {"st": [st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime, st.st_ino,
                                          st.st_ctime],
                                   **({"link": os.readlink(p)} if stat.S_ISLNK(st.st_mode) else {})}
                if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111:  # a program's capabilities: raw xattr bytes
                    out["files"][p].update(caps(p))
                if stat.S_ISREG(st.st_mode) and (st.st_mode & 0o6000 or "caps" in out["files"][p]):
                    out["files"][p]["ctime"] = st.st_ctime  # (privileged: were its bits set after dpkg installed it?)
        except OSError as exc:
            out["files"][p] = {"why": exc.strerror}
    return out["files"][path].get("st")


def read(out, path, limit=LIMIT):
    """Record ``path`` and, when it is root's regular file not writable by group or others, its bytes (at most
    ``limit``: a larger file is named, never sent in part)."""
    note(out, path)
    entry = out["files"][path]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return entry.update(why=exc.strerror)
    with open(fd, "rb", buffering=0) as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022:
            return entry.update(why="not a regular file of root's, not writable by group or others: not read")
        if st.st_size > min(limit, BIG - out["size"]):  # never parsed in part: not at all
            return entry.update(why="larger than the %d bytes it may send: not read" % min(limit, BIG - out["size"]))
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
    if rooted(out, path) and stat.S_ISREG((note(out, path) or [0])[0]):  # (never a device's open)
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


def loose(out):
    """The first of what ``apache2ctl`` makes root run, source or load that someone but root may change, or that
    this login could not look at whole (what it cannot see counts as not root's): the tool, Apache, its modules,
    every file under the ServerRoot and the file each link there names, and what their ``Include*``,
    ``LoadModule`` and ``LoadFile`` lines name elsewhere (each file, the directory it is matched in, and what an
    included file's own lines name), what a start makes root open, run or make (:func:`started`), and what
    ``envvars`` (which apache2ctl sources first) sources or runs by absolute path, in turn (:func:`shell_runs`).
    Only root's files are read for those lines; a root's file of the ServerRoot this login may not read (an
    ``.htpasswd`` or a TLS key kept there, ``0640 root:www-data``) only when Apache reads it as configuration (an
    ``Include*`` line of what it reads matches it, :func:`reached`). None when root may run it."""
    unseen = sorted(p for p in out["errors"] if p.startswith((SERVER_ROOT, MODULES)))
    if unseen:
        return "%s was not looked at whole here (%s)" % (unseen[0], out["errors"][unseen[0]])
    todo = [APACHECTL, APACHE_BIN] + [p for p in list(out["files"]) if p.startswith((SERVER_ROOT, MODULES))]
    conf = {p for p in todo if p.startswith(SERVER_ROOT + "/")}
    shell = {ENVVARS}  # shell files apache2ctl sources (and what they source in turn)
    texts, includes, shells = {}, {}, {}  # (each file's text, what its Include* lines name, the shell files' texts)
    seen = {}  # (each directory's answer once: ~300 files in a few dozen directories; a recorded lstat never changes)
    unread = {}  # (a root's file of the ServerRoot this login may not read: a problem only if Apache reads it)
    for path in todo:  # (it grows as it is walked, to a bound)
        note(out, path)
        to, ways = path, [os.path.dirname(path)]  # (a link to a link, hop by hop: Debian's munin ships
        for _ in range(8):  # conf-available/munin.conf -> /etc/munin/apache24.conf, a2enconf links to that)
            if "link" not in out["files"].get(to, {}):
                break
            to = os.path.normpath(os.path.join(os.path.dirname(to), out["files"][to]["link"]))
            note(out, to)
            ways.append(os.path.dirname(to))
        else:
            return "%s: more than 8 links: not followed further" % path
        ways.append(to)
        for p in ways:
            if p not in seen:
                seen[p] = rooted(out, p)
        if not all(seen[p] for p in ways):
            return "%s may be changed by someone other than root" % path
        entry = out["files"][to]
        text = path in conf and stat.S_ISREG(entry["st"][0]) and (entry.get("data") or read(out, to))
        if text is None and path.startswith(SERVER_ROOT + "/") and path not in shell:
            unread[path] = entry.get("why")  # (an htpasswd file, a TLS key 0640 root:www-data: read only if included)
            continue
        if text is None:  # (root would read it: what it names must be known)
            return "%s was not read here (%s): what it names is not known" % (path, entry.get("why"))
        if path in shell:  # apache2ctl sources envvars as root: what it sources or runs must be root's alone
            runs = shell_runs(text or "")
            if isinstance(runs, str):
                return "%s: %s" % (path, runs)
            for n, kind, name in runs:
                if not rooted(out, name) or kind == "sources" and not stat.S_ISREG((note(out, name) or [0])[0]):
                    return "%s:%d %s %s: root runs it at every apache2ctl, and someone other than root may change " \
                           "it (or it is not a file of root's this login could look at)" % (path, n, kind, name)
                if kind == "sources" and name not in shell:
                    todo.append(name)
                    shell.add(name)
                    conf.add(name)
            shells[path] = text or ""  # (every path word of its lines: :func:`started`)
            continue
        names = named(text or "")
        if isinstance(names, str):
            return "%s: %s" % (path, names)
        texts[path] = text or ""
        for kind, name in names:
            name = os.path.normpath(os.path.join(SERVER_ROOT, name))
            includes.setdefault(path, []).extend([name] if kind.startswith("include") else [])
            if name.startswith((SERVER_ROOT + "/", MODULES + "/")):
                continue
            if len(todo) > ENTRIES:  # not all looked at: not run
                return "more than %d files to look at in what Apache's configuration names" % ENTRIES
            base = re.split(r"[*?[]", name)[0].rsplit("/", 1)[0] or "/"  # where a match could be added
            while not os.path.lexists(base):
                base = os.path.dirname(base)
            unlisted = [base] if os.path.isdir(base) and not os.access(base, os.R_OK | os.X_OK) else []
            matches = sorted(glob.glob(name))
            found = [m for m in matches if not os.path.isdir(m)]
            found += [os.path.join(b, f) for m in matches if os.path.isdir(m)
                      for b, ds, fs in os.walk(m, onerror=unlisted.append) for f in fs + ds]
            if unlisted:
                return "%s could not be listed here: what it holds is not known" % getattr(unlisted[0], "filename",
                                                                                         unlisted[0])
            todo += [base] + found
            conf.update(found if kind.startswith("include") else ())
    hidden = next((p for p in reached(dict(texts, **dict.fromkeys(unread, "")), includes) if p in unread), None)
    if hidden:  # (Apache reads it: what it names must be known)
        return "%s was not read here (%s): what it names is not known" % (hidden, unread[hidden])
    libs = libraries(out)
    units = libs if isinstance(libs, str) else systemd_units(out)
    if isinstance(units, str):
        return units
    return started(out, texts, includes, shells, {**libs, **units})


# on a systemd host apache2ctl's start, graceful and stop hand the work to systemd (Debian's apache2ctl: when
# /run/systemd/system is there), which runs what apache2.service and its drop-ins (and every service's: service.d)
# say, as root, with their Environment= and EnvironmentFile=: the files it reads for that unit, in its search order
# (SYSTEMD_PATH)


def systemd_units(out):
    """{path: text} of every file systemd reads for ``apache2.service`` on a systemd host (none elsewhere), a
    command's ``-@:+!`` prefix taken off so its path is a word; or why not (a str): a file there this login cannot
    read as root's, a link (what systemd reads through it is not read here), a directory it cannot list. Their
    path words are judged by :func:`started` as openssl.cnf's are."""
    if not stat.S_ISDIR((note(out, "/run/systemd/system") or [0])[0]):
        return {}
    found = {}
    for top in SYSTEMD_PATH:
        paths = [top + "/apache2.service"]
        for sub in (top + "/apache2.service.d", top + "/service.d"):
            try:
                paths += [sub + "/" + n for n in sorted(os.listdir(sub)) if n.endswith(".conf")]
            except FileNotFoundError:
                continue
            except OSError as exc:
                return "%s could not be listed here (%s): what systemd runs for Apache as root is not known: root " \
                       "runs nothing" % (sub, exc.strerror)
        for path in paths:
            st = note(out, path)
            if not st or stat.S_ISLNK(st[0]) and out["files"][path].get("link") == "/dev/null":
                continue  # (not there, or masked)
            text = None if stat.S_ISLNK(st[0]) else out["files"][path].get("data") or read(out, path)
            if text is None:
                return "%s was not read here (%s): what systemd runs for Apache as root at a start or reload is " \
                       "not known: root runs nothing" % (path, out["files"][path].get("why") or "a link")
            found[path] = re.sub(r"(?m)^(\s*\w+\s*=\s*)[-@:+!~]+", r"\1", text)
    return found


# the library configurations Apache's root parent reads at every apache2ctl: mod_ssl (and any module linking OpenSSL)
# initialises OpenSSL, which reads openssl.cnf and what it .includes, and loads the providers and engines named there
OPENSSL_CNF = "/etc/ssl/openssl.cnf"


def libraries(out):
    """{path: text} of :data:`OPENSSL_CNF` and every file its ``.include`` lines name, in turn (a directory: each
    entry), or why not (a str): a file OpenSSL would read that this login cannot read as root's (what it loads is
    not known), a relative ``.include``, more than 64 files. Their path words are judged by :func:`started`."""
    found, todo, came = {}, [OPENSSL_CNF], {}  # (came: the .include line that named a file)
    for path in todo:
        if path in found:
            continue
        if len(found) >= 64:
            return "%s: more than 64 files included: root runs nothing" % OPENSSL_CNF
        st = note(out, path)
        if not st:
            found[path] = ""  # (not there: OpenSSL's defaults; its directory is judged by started())
            continue
        if stat.S_ISDIR(st[0]):
            try:
                todo += [os.path.join(path, n) for n in sorted(os.listdir(path))]
            except OSError as exc:
                return "%s could not be listed here (%s): what OpenSSL reads there is not known" % (path, exc.strerror)
            found[path] = ""
            continue
        text = out["files"][path].get("data") or read(out, path)
        if text is None:
            return "%s%s was not read here (%s): what OpenSSL loads from it as root is not known: root runs " \
                   "nothing" % (came.get(path, ""), path, out["files"][path].get("why"))
        found[path] = text
        for n, line in enumerate(text.splitlines(), 1):
            m = re.match(r"\s*\.include\s*=?\s*(\S+)", line)
            if m and not m.group(1).startswith("/"):
                return "%s:%d: %r: a relative .include: root runs nothing" % (path, n, line.strip()[:160])
            if m:
                todo.append(os.path.normpath(m.group(1)))
                came.setdefault(todo[-1], "%s:%d: %r: " % (path, n, line.strip()[:160]))
    return found


def named(text):
    """(directive, path) for each path an ``Include``, ``IncludeOptional``, ``LoadModule`` or ``LoadFile`` line of
    ``text`` names (every argument of ``LoadFile``), or why not (a str): this reading must never see less than
    Apache's, so it takes only words Apache reads one way, and says no to the rest. Its lines are read as they
    stand and as Apache joins them (a ``\\`` before the end of a line continues it); a line of those directives
    with a quoted word holding a space, a backslash, a ``${variable}`` or a quote inside a word, a continued
    line, a ``$``, ``%`` or ``@`` in a word (a variable, or a parameter a ``<Macro>``'s ``Use`` fills in) or a
    ``ServerRoot`` other than the stack's makes the answer no."""
    joined = re.sub(r"(?<!\\)\\\r?\n", "", text)  # Apache's continued lines, and each line as it stands too
    found, own = [], text.splitlines()
    mine = set(own)
    for line in dict.fromkeys(own + joined.splitlines()):  # (``own``: its lines as they stand, split once)
        words = line.split(None, 1)
        kind = words[0].lower() if words else ""
        if kind not in NAMING:
            continue
        rest = words[1].strip() if len(words) > 1 else ""
        if "${" in line or line not in mine or not all(PLAIN.fullmatch(w) for w in rest.split()):
            return "%r: Apache may read this line otherwise than this check can: root runs nothing" % line[:200]
        args = [w.strip("\"'") for w in rest.split()]
        if kind == "serverroot":
            if args != [SERVER_ROOT]:
                return "%r: the ServerRoot is not %s: root runs nothing" % (line[:200], SERVER_ROOT)
            continue
        first = NAMING[kind] - 1
        found += [(kind, a) for a in (args[first:] if kind == "loadfile" else args[first:first + 1])]
    return found


# a command's first word in a shell file: at a line's start or after ; & | ( ` $( or a shell keyword
SH_COMMAND = re.compile(r"(?:^|[;&|(`]|\$\(|\b(?:then|do|else|elif|if|while|until|!)\s)[ \t]*"
                        r"(\.(?=[ \t])|source(?=[ \t])|/[^\s;&|()`<>]+)([ \t]+[^\s;&|()`<>]+)?", re.M)


def shell_runs(text):
    """(line, "sources" or "runs", path) of each file a shell file (apache2ctl's envvars) sources (``.``,
    ``source``) or program it runs by absolute path, comments dropped; or why not (a str): a sourced name that
    is not a plain absolute path (a variable, a quote, a relative name) is not known, so root runs nothing."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*", "", line)
        for word, arg in SH_COMMAND.findall(line):
            if word.startswith("/"):
                found.append((n, "runs", word))
                continue
            arg = arg.strip()
            if not re.fullmatch(r"/[^\s\"'`$\\*?\[]+", arg):
                return "line %d sources %r: a name this check cannot resolve: root runs nothing" % (n, arg)
            found.append((n, "sources", os.path.normpath(arg)))
    return found


# What a (re)start makes root open, run or make besides the files above (:func:`started`): every path word of every
# line Apache reads is judged, whatever its directive. The exceptions are data: arguments no root process opens
# (URL paths, and what Apache's children serve or run as their own user); a tuple names the ``key=`` options that are
# (mod_wsgi's daemons use these after they dropped root; ``chroot=``, ``socket-path=`` are root's and judged; a
# WSGIImportScript is loaded by the daemons, or the children, never by the root parent while WSGILazyInitialization
# is On, which the closed world holds whatever is allowed).
CHILDREN = dict.fromkeys(["documentroot", "<directory", "<directorymatch", "<location", "<locationmatch", "<files",
                          "<filesmatch", "<if", "<elseif", "alias", "aliasmatch", "scriptalias", "scriptaliasmatch",
                          "wsgiscriptalias", "wsgiscriptaliasmatch", "wsgiimportscript", "redirect", "redirectmatch",
                          "redirectpermanent", "redirecttemp", "errordocument", "rewriterule", "rewritecond",
                          "rewritebase"])
CHILDREN["wsgidaemonprocess"] = ("home", "python-home", "python-path", "python-eggs")
# mod_dav_fs opens its lock database in Apache's children (its run user), per request; Debian's dav_fs.conf puts it in
# ${APACHE_LOCK_DIR}, the run user's (a stock `a2enmod dav_fs` once made root refuse to run apache2ctl)
CHILDREN["davlockdb"] = None
# so does ModSecurity its request bodies, persistent collections and intercepted uploads (its recommended
# modsecurity.conf puts SecTmpDir and SecDataDir in /tmp: a copy of it as its README says once made root refuse to
# run apache2ctl, with no allowance to write); its audit and debug logs are the root parent's, judged
CHILDREN.update(dict.fromkeys(["sectmpdir", "secdatadir", "secuploaddir"]))
# the stack's own exception: what a start of Apache uses may be Apache's run user's as well as root's, on the way or
# at the end (Debian's apache2ctl makes ${APACHE_LOCK_DIR} its at every start; the apache2 package ships
# /var/cache/apache2/mod_cache_disk and mod_cgid's socks directory so: Apache's own workers write there); neither
# the deploy login nor the app user is ever Apache's run user (bootstrap refuses both)
BY_DESIGN = {"APACHE_LOCK_DIR": "APACHE_RUN_USER"}
WORDS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\S+')
PREFIX = re.compile(r"^(?:\|\$?|[A-Za-z][\w+.-]*:|[\w.-]+=)")  # |prog, |$cmd, exec:, prg:, file:, shmcb:, key=
COMMAND = re.compile(r"^(?:\||exec:|prg:)", re.I)  # what a command follows: a piped log, mod_ssl's, mod_rewrite's
URL, SHELL = re.compile(r"[A-Za-z][\w+.-]*://"), re.compile(r"[$`\\~*?{}\[\]'\"]")


def started(out, texts, includes, shells=None, libs=None):
    """The first path or program a (re)start of Apache makes root open, run, follow or make that someone but root
    may change, as ``file:line: 'the line': why``, or None. The lines judged: every line of every file Apache reads
    (``apache2.conf`` and what its ``Include*`` lines match, in turn; comments left out, continued lines joined and
    as they stand). The words judged: every argument, the program words after ``|``, ``|$``, ``exec:``, ``prg:``,
    the value after ``key=`` or another ``scheme:``; ``${NAME}`` as Debian's ``envvars`` (or a ``Define``) sets it,
    else no (a name no shell could set and no ``Define`` sets stays as it stands, as Apache leaves it); a relative
    word from the ServerRoot. Each must be root's from / down (:func:`owned`), except
    :data:`CHILDREN`' arguments; a ``<Macro>`` (what its ``Use`` makes is not read here) is a no. In the shell files
    apache2ctl sources as root first (``shells``: ``envvars`` and what it sources), every absolute path word of
    every line, a variable's value too (``PATH=/a:/b``, ``LD_LIBRARY_PATH=``, a command ``APACHE_ULIMIT_MAX_FILES``
    names: apache2ctl runs commands by name with that ``PATH``, and Apache loads libraries from those), is judged
    the same way (but :data:`BY_DESIGN`'s lock directory: apache2ctl makes it, and refuses one not the run user's);
    a path built from a variable but ``$SUFFIX`` is a no. So are the library configurations Apache's root parent
    reads (``libs``: OpenSSL's, :func:`libraries`): each file and every absolute path word of its lines (a
    provider's or engine's ``module``/``dynamic_path``, an ``.include``)."""
    env = {}
    for ln in (out["files"].get(SERVER_ROOT + "/envvars", {}).get("data") or "").splitlines():
        m = re.match(r"\s*export\s+([A-Za-z_]\w*)=(\S*)\s*$", ln)
        value = m and m.group(2).replace("${SUFFIX}", "").replace("$SUFFIX", "")
        if m and not re.search(r"[$`'\"\\]", value):
            env[m.group(1)] = value
    out["read"], seen = reached(texts, includes), {}
    lines = [(p, n, ln) for p in out["read"] for n, ln in logical(texts[p])]
    defined = set()
    for path, number, line in lines:  # (which of two values is in force depends on sections not evaluated here)
        m = line.split(None, 2)
        if len(m) == 3 and m[0].lower() == "define":  # (a name without a value, twice, is stock: IfDefine's)
            if m[1] in env or m[1] in defined:
                return "%s:%d: %r: %s is defined more than once (here, before, or in envvars): which value is in " \
                       "force is not read here: root runs nothing" % (path, number, line.strip()[:160], m[1])
            defined.add(m[1])
            env.update({m[1]: m[2].strip("\"'")} if len(m) == 3 and "${" not in m[2] else {})
    run_user = env.get(BY_DESIGN["APACHE_LOCK_DIR"], "")
    uids = [ln.split(":")[2] for ln in (out["files"].get("/etc/passwd", {}).get("data") or "").splitlines()
            if ln.split(":")[0] == run_user and ln.count(":") >= 2]
    side = {"files": dict(out["files"]), "errors": {}}  # (its lstats kept apart: ``started``)

    def judged(say, found):  # the first of ``found`` (paths) someone but root may change, as ``say`` + why
        for target in found:
            top = SERVER_ROOT + "/" + target[len(SERVER_ROOT) + 1:].split("/")[0]
            if target in seen or target.startswith(SERVER_ROOT + "/") and top not in out["files"]:
                continue  # (under a name the ServerRoot does not hold: not there, and only root may make it)
            if len(seen) > ENTRIES:
                return say + "more than %d paths to look at: root runs nothing" % ENTRIES
            seen[target] = owned(side, target, {0} | ({int(uids[0])} if uids else set()))
            if seen[target]:
                return say + seen[target]
        return None
    for path, text in sorted((libs or {}).items()):
        why = judged("%s: " % path, [path]) or next(filter(None, (judged("%s:%d: %r: " % (path, n, ln.strip()[
            :160]), [os.path.normpath(w) for w in WORD.findall(ln.replace(":", " ").replace("=", " = "))])
            for n, ln in enumerate(text.splitlines(), 1) if not ln.lstrip().startswith("#"))), None)
        if why:
            return why
    for path, text in sorted((shells or {}).items()):
        for number, line in enumerate(text.splitlines(), 1):
            line = re.sub(r"(^|\s)#.*", "", line)
            say = "%s:%d: %r: " % (path, number, line.strip()[:160])
            if re.match(r"\s*(?:export\s+)?(%s)=" % "|".join(BY_DESIGN), line):
                continue  # (apache2ctl makes it the run user's at every start, and stops at one that is not)
            if re.search(r"\$\{?(?!SUFFIX\b)\w+\}?/", line):
                return say + "a path built from a variable this check cannot resolve: root runs nothing"
            for value in re.findall(r"(?:^|[\s;])(?:export\s+)?[A-Za-z_]\w*=(\S*)", line):  # a list: from where?
                value = value.strip("\"'")
                if ":" in value and any(not v.startswith(("/", "$")) for v in value.split(":")) or \
                        re.match(r"[\w.~-]+/", value):
                    return say + "a relative or empty entry: apache2ctl resolves it from the directory it runs in " \
                                 "(the admin's at bootstrap): root runs nothing"
            why = judged(say, [os.path.normpath(w) for w in WORD.findall(line.replace(":", " "))])
            if why:
                return why
    for path, number, line in lines:
        kind, _, rest = line.strip().partition(" ")
        kind = kind.lower()
        if kind.startswith("</") or CHILDREN.get(kind, ()) is None:
            continue
        say = "%s:%d: %r: " % (path, number, line.strip()[:160])
        if kind == "<macro":
            return say + "a <Macro>: what its Use lines make is not read here: root runs nothing"
        for name in re.findall(r"\$\{([^}]*)\}", rest):
            if name not in env and not re.fullmatch(r"[A-Za-z_]\w*", name):
                continue  # (no Define's and no shell's: Apache leaves it as it stands, a regex's ``${|<\(``)
            if name not in env:
                return say + "${%s} is not one this check can resolve: root runs nothing" % name
            rest = rest.replace("${%s}" % name, env[name])
        for word in [w.strip("\"'") for w in WORDS.findall(rest.rstrip(">"))]:
            if word.split("=")[0].lower() in (CHILDREN.get(kind) or ()):
                continue
            found = paths(word)
            if isinstance(found, str):
                return say + found + ": root runs nothing"
            why = judged(say, found)
            if why:
                return why
    out["started"] = {p: e for p, e in side["files"].items() if p not in out["files"]}
    return None


def paths(word):
    """The absolute paths ``word`` names (its words with a ``/``, from the ServerRoot), or why it cannot be read:
    after ``|``, ``|$``, ``exec:``, ``prg:`` a command's words (each from ``/`` too: a program's
    own relative paths are from its working directory), where a shell word (a variable, a quote, a glob, a ``~``) is
    a no; after ``key=`` or another ``scheme:`` (``file:``, ModSecurity's ``id:``, ``msg:'...'``) the value, its quotes
    no shell's; a URL names none. A path inside a word is a path too, as the program reads it: each
    piece after ``=``, ``:`` or ``,`` (``PYTHONPATH=/a:/b``, ``--chdir=/a``; joined to ``/``, "/PYTHONPATH=/a" was a
    name not there, root's to make, and ``/a`` never judged); in a command, a piece with a ``/`` glued to something
    else (``-c/a``, ``@/a``) is a no."""
    command = False
    while PREFIX.match(word) and not URL.match(word):
        command = command or bool(COMMAND.match(word))
        word = PREFIX.sub("", word, 1)
    if URL.match(word):
        return []
    if command and SHELL.search(word):
        return "a shell word this check cannot read in %r" % word[:160]
    pieces = [p for part in re.split(r"[\s;&|()<>]+", word) for p in re.split(r"[=:,]", part) if "/" in p]
    glued = [p for p in pieces if command and not re.match(r"[\w./]", p)]
    if glued:
        return "a path glued to something else in %r: %r" % (word[:160], glued[0][:80])
    return [os.path.normpath(os.path.join(base, p)) for p in pieces for base in ([SERVER_ROOT, "/"] if command else
                                                                                    [SERVER_ROOT])]


def reached(texts, includes):
    """The files Apache reads, in order: ``apache2.conf``, then each file of ``texts`` an ``Include*`` line of a
    file read matches (``includes``: file -> absolute patterns; a directory matched: every file below it)."""
    found, names = [SERVER_ROOT + "/apache2.conf"], [(p, p.split("/")) for p in sorted(texts)]  # (split once)
    seen = set(found)
    for path in found:
        for pattern in includes.get(path, []):
            want = pattern.rstrip("/").split("/")
            new = [p for p, parts in names if p not in seen and len(parts) >= len(want)
                   and all(fnmatch.fnmatchcase(parts[i], w) for i, w in enumerate(want))]
            found += new
            seen.update(new)
    return [p for p in found if p in texts]


def logical(text):
    """(number, line) of each line Apache reads in ``text``: a continued line joined (and each of its lines as it
    stands too: the reading must never see less than Apache's); comments and blank lines left out."""
    found, held, first = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        first = first or number
        if line.strip() and not line.lstrip().startswith("#"):  # (a continued line: its directive's)
            found.append((number, (held.split() or [""])[0] + " " + line.rstrip("\\") if held else line.rstrip("\\")))
        if line.endswith("\\"):
            held += line[:-1]
            continue
        if held and not held.lstrip().startswith("#"):
            found.append((first, held + line))
        held, first = "", 0
    return found


def owned(out, path, owners):
    """None when only root (or another of ``owners``: Apache's run user, for what a start of Apache uses) may change
    what ``path`` names, else why: each directory from / down one of ``owners``' and not writable by group or
    others, or writable by them only with the sticky bit above a name of one of ``owners``' that is there
    (``/run/lock/apache2``: Apache's run user's in ``/run/lock``); a link on the way root's in such a directory,
    followed (at most 8); a name not there: its directory decides; a character device of root's; the final name
    this login may not look at (``Permission denied``) in a directory only root may write, and whatever lies below
    a directory only root may go through (:func:`root_only`: certbot's ``/etc/letsencrypt/live``, ``0700``): no one
    else reaches it, so it is root's to make."""
    done, todo, hops = "", [w for w in path.split("/") if w not in ("", ".")], 0
    up = note(out, "/")
    while todo:
        name = todo.pop(0)
        if name == "..":
            done = os.path.dirname(done).rstrip("/")
            up = out["files"][done or "/"]["st"]
            continue
        here = (done or "") + "/" + name
        st, sole = note(out, here), up and up[1] in owners and not up[0] & 0o022
        why = out["files"][here].get("why")
        if not st:
            if sole and (why in ("No such file or directory", "Not a directory") or not todo or
                         why == "Permission denied" and up[1] == 0 and not up[0] & 0o001 and (
                             not up[0] & 0o010 or up[2] == 0)):
                return None  # (below a directory only root may go through: no one else reaches it, root's to make)
            return "%s may be made or changed by someone other than root (%s here): %s is %s" % (
                path, why or "not looked at", done or "/", mode(up))
        if not (sole or up and up[1] == 0 and up[0] & 0o1000 and st[1] in owners):
            return "%s may be changed by someone other than root: %s is %s" % (path, done or "/", mode(up))
        if stat.S_ISLNK(st[0]):
            hops += 1
            if st[1] != 0 or hops > 8:
                return "%s: the link %s is not root's, or more than 8 links" % (path, here)
            target = out["files"][here].get("link", "")
            done, todo = ("" if target.startswith("/") else done), [w for w in target.split("/") if w] + todo
            up = note(out, done or "/") if not target.startswith("/") else note(out, "/")
            continue
        last = not todo
        if (st[1] in owners and not st[0] & 0o022 or st[1] == 0 and not last and
                stat.S_ISDIR(st[0]) and st[0] & 0o1000 or last and st[1] == 0 and stat.S_ISCHR(st[0])):
            done, up = here, st
            continue
        return "%s may be changed by someone other than root: %s is %s" % (path, here, mode(st))
    return None


def mode(st):
    return "%04o %d:%d" % (stat.S_IMODE(st[0]), st[1], st[2]) if st else "not looked at"


def collect(args):
    """The reply (see the module doc); ``check`` (bootstrap, before root runs): Apache's files and the verdict,
    :data:`ACCOUNTS` (the runner checks the users from them), dpkg's database (what root installs: what it
    lacks of the stack's packages) and the ``lstat`` of :data:`PIDFILE` (the runner
    waits after root's reload until Apache has rewritten it); ``diagnose``: the vhost only."""
    check(args)
    out = {"errors": {}, "files": {}, "dirs": {}, "size": 0,
           "ssh_connection": os.environ.get("SSH_CONNECTION", "")[:200],  # (where the runner reached sshd)
           "time": time.time(), "python": "%d.%d" % sys.version_info[:2], "ticks": os.sysconf("SC_CLK_TCK")}
    try:  # (read with ``time``: the boot is their difference, each process's start the runner dates from it)
        with open("/proc/uptime") as f:
            out["uptime"] = f.read(100)
    except OSError as exc:
        out["errors"]["/proc/uptime"] = exc.strerror
    if args.get("diagnose"):
        read(out, "%s/sites-available/%s.conf" % (SERVER_ROOT, args["app"]))
        return out
    steps = [(t[0], tree) + t for t in TREES if not args.get("check") or t[0] in (SERVER_ROOT, MODULES)]
    if not args.get("check"):
        steps += [(p, read, p, BIG if p.endswith("/status") else LIMIT) for p in FILES]
        steps += [("ld.so.conf's dirs", ld_dirs), ("hooks", hooks), ("python shadows", py_shadows),
                  ("manager's environment", manager_env),
                  ("own keys", own_keys), ("links", links), ("polkit", polkit), ("host keys", host_keys),
                  ("acls", acls), ("swaps", swaps), ("login homes", login_homes), ("unix diag", unix_diag),
                  ("unix sockets", unix_sockets)]
        steps += [(p, note, p) for p in ROOT_ONLY + SHARED + MODES + [STDLIB_ZIP, "/var/www/" + args["app"]]]
        steps += [("log dir's link", follow, ROOT_ONLY[-1], 0)]  # (moved to another disk: what its root link reaches)
    else:
        steps += [(p, read, p, BIG) for p in ACCOUNTS + ["/var/lib/dpkg/status"]]  # (the runner's checks of users,
        steps += [("tree", note, "/var/www/" + args["app"])]  # and of what root installs; the tree's owner)
    # after the verdict (what they record is no part of it)
    app_tree = "/var/www/" + args["app"]
    steps += [("refused", verdict)] + ([("acts", acts), ("logs", logs), ("served dirs", served_dirs, app_tree),
                                        ("served links", served_links, app_tree),
                                        ("outputs", outputs, app_tree), ("programs", programs),
                                        ("mentions", mentions, app_tree, "/etc", 50000, homes(args, app_tree)),
                                        ("local files", local_files, [app_tree]), ("postinsts", postinsts),
                                        ("digests", digests),
                                        ("ran", ran)]
                                       if not args.get("check") else [(PIDFILE, note, PIDFILE)])
    for what, work, *more in steps:  # a step's failure is in ``errors`` and the rest goes on
        try:
            work(out, *more)
        except Exception as exc:
            out["errors"][what] = "%s: %s" % (type(exc).__name__, exc)
    return out


def verdict(out):
    out["refused"] = loose(out) if os.path.lexists(APACHECTL) else None


def ld_dirs(out):
    """List each dir the dynamic linker's conf names (an absolute line of a file of root's, read above); read its
    cache (which library names map to which file: the runner checks they are in those dirs)."""
    read(out, "/etc/ld.so.cache")
    confs = ["/etc/ld.so.conf"] + ["/etc/ld.so.conf.d/" + n for n in out["dirs"].get("/etc/ld.so.conf.d", [])]
    lines = {ln.split("#")[0].strip() for c in confs for ln in (out["files"][c].get("data") or "").splitlines()}
    for d in sorted(x for x in lines if x.startswith("/"))[:64]:
        tree(out, d, 1, False)
        for sub in [n for n in out["dirs"].get(d, []) if n in LINKER_SUBDIRS]:
            tree(out, os.path.join(d, sub), 2, False)
        links = [n for n in out["dirs"].get(d, []) if ".so" in n and "link" in out["files"].get(d + "/" + n, {})]
        for n in links[:4096]:  # where the linker goes from a library link: its lstat and the dirs above it
            note(out, os.path.normpath(os.path.join(d, out["files"][d + "/" + n]["link"])))


# the subdirectories the dynamic linker (and ldconfig, for its cache) searches under each directory it is given:
# glibc-hwcaps/<level>/ (glibc >= 2.33) and, before glibc 2.37 (Debian 12's 2.36), the legacy hwcaps and platform
# ones (two levels: tls/x86_64/); it looks in no other subdirectory (a library is found by name in the directory)
LINKER_SUBDIRS = {"glibc-hwcaps", "tls", "x86_64", "haswell", "xeon_phi", "avx512_1", "i386", "i486", "i586", "i686",
                  "sse2", "aarch64", "asimd", "atomics", "power9", "power10", "z13", "z14", "z15", "z16"}


LOG = re.compile(r"^[ \t]*(?:ErrorLog|CustomLog|TransferLog)[ \t]+\"?([^\"\s|]+)", re.I | re.M)


def logs(out):
    """The ``lstat`` of each log file root's Apache files name (``${APACHE_LOG_DIR}``: Debian's envvars) and of the
    directories above it: whether others may read a log (one outside the stack's log directory too). After the
    verdict, never under Apache's own trees."""
    for path in [p for p, e in out["files"].items() if p.startswith(SERVER_ROOT + "/") and e.get("data")]:
        for name in LOG.findall(out["files"][path]["data"])[:64]:
            name = os.path.normpath(os.path.join(SERVER_ROOT, name.replace("${APACHE_LOG_DIR}", "/var/log/apache2")))
            if not name.startswith((SERVER_ROOT + "/", MODULES + "/", "/dev/", "/proc/", "/sys/")) and "\0" not in name:
                note(out, name)


def own_keys(out):
    """This login's own ``~/.ssh/authorized_keys(2)`` and the files ``AuthorizedKeysFile`` names for it
    (:func:`key_files`; public keys, at most 64 KiB each, links not followed): the runner checks that every key
    that opens this login, which may become root, is the one the gate logged in with or allowed in writing."""
    import pwd

    out["own_keys"] = {}
    me = pwd.getpwuid(os.getuid())
    home = os.path.normpath(me.pw_dir)
    for path in dict.fromkeys([home + "/.ssh/authorized_keys", home + "/.ssh/authorized_keys2"]
                              + key_files(out, me.pw_name, me.pw_uid, home)):
        try:
            with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW | os.O_NONBLOCK)) as f:
                data = f.read(65537).decode("latin-1") if stat.S_ISREG(os.fstat(f.fileno())[0]) else ""
            out["own_keys"][path] = data if len(data) <= 65536 else None  # (a key after the bound: never seen)
            if len(data) > 65536:
                out["errors"]["own keys"] = "%s: more than 65536 bytes: not read" % path
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                out["own_keys"][path] = None  # (there, not read: the runner says so)


def host_keys(out):
    """The public halves of the SSH server's host keys (world-readable ``.pub`` files; never a private key): every
    ``*.pub`` of /etc/ssh and the ``.pub`` of each ``HostKey`` path sshd_config and its drop-ins (read above) name,
    at most 32: the runner judges each key's strength. Each ``TrustedUserCAKeys`` file they name (public keys,
    when root's) and the ``lstat`` of its private half beside it (``ca.pub``: ``ca``; never opened): who may sign
    certificates sshd accepts."""
    names = ["/etc/ssh/" + n for n in out["dirs"].get("/etc/ssh", []) if n.endswith(".pub")]
    confs = ["/etc/ssh/sshd_config"] + ["/etc/ssh/sshd_config.d/" + n
                                        for n in out["dirs"].get("/etc/ssh/sshd_config.d", [])]
    for conf in confs:
        for line in (out["files"].get(conf, {}).get("data") or "").splitlines():
            m = re.match(r"\s*hostkey[\s=]+(/[^\s\x00]+)", line, re.I)
            if m:
                names.append(m.group(1) + ".pub")
    for path in sorted(set(names))[:32]:
        read(out, path, 65536)
    for conf in confs:  # a user CA sshd trusts: its public keys, and the lstat of its private half by ssh-keygen's name
        for line in (out["files"].get(conf, {}).get("data") or "").splitlines():
            for path in re.findall(r"^\s*trustedusercakeys[\s=]+(/[^\s\x00]+)", line, re.I)[:1]:
                read(out, path, 65536)
                if path.endswith(".pub"):
                    note(out, path[:-4])


# an absolute path word: at a line's start or after a blank, a quote, = ; | & ( ` < or >; written to start with its
# "/" (the lookbehind after it): a search then skips from "/" to "/" (26x faster over /etc than trying each place)
WORD = re.compile(r"/(?<![^\s'\"=;|&(`<>]/)[^\s'\"`;|&()<>$*?\x00]+")
# a setting that turns its program's own check off (an owner, signature, certificate or host-key check) or widens
# whom it trusts, read as ``[section.]key value`` (which program reads which file is not for a list to know):
# - a key naming a check set off, none or never: git's safe.directory = *, ssh's StrictHostKeyChecking no, wget's
#   check_certificate = off, OpenLDAP's TLS_REQCERT never (not ``insecure = false``: the check's own negation);
# - a key naming the unchecked set on, or a flag that is on by being there: GIT_SSL_NO_VERIFY=1, npm's
#   unsafe-perm = true, curl's ``insecure``, ``--no-check-certificate``;
# - a key naming trust given to someone, by name: pip's trusted-host = HOST, gpg's trust-model always;
# - a permission set for everyone: sshd's PermitUserEnvironment yes; a trust store pointed at nothing:
#   UserKnownHostsFile /dev/null; a default mode for what is made later that lets everyone write it: a umask that
#   keeps others' write (login.defs' UMASK 000, a profile's umask 0), a ``*_MODE`` with it (HOME_MODE 0777)
_KEY, _TAIL, _OFF = r"(?:export\s+|--?)?[\w.:\"-]*?", r"[\w.:\"-]*\s*[=:\s]\s*[\"']?", \
    r"(?:no|false|off|0|disabled?|never|ignore|none|\*)"
GUARD_OFF = re.compile(
    rf"(?i){_KEY}(?:(?:(?<!un)verif|check|strict|(?<!un)safe|(?<!in)secur|validat|reject|require(?!d)|reqcert){_TAIL}{_OFF}"
    rf"|(?:insecure|unauthenticated|unsigned|untrusted|unsafe|no_?verify|skip_?verify|no-check)[\w.:\"-]*"
    rf"(?:\s*[=:\s]\s*[\"']?(?:yes|true|on|1))?|trust{_TAIL}(?!{_OFF}[\"']?\s*;?\s*$)[\w.:/-]+"
    rf"|permit{_TAIL}(?:yes|true|on|any|all)|umask{_TAIL}0*[0-7]{{0,2}}[0145]|(?:[\w-]*_)?mode{_TAIL}0?[0-7]{{2}}[2367]|(?:known|trust|ca[_-]?(?:file|path|cert|bundle)|cert)[\w.:\"-]*\s*[=:\s]\s*[\"']?/dev/null)"
    r"[\"']?\s*;?\s*$")
# a word every such setting holds (lower case): a file without one has none, and is not read line by line. Searched
# for in the file's lower-cased text (latin-1: ``lower()`` maps ASCII letters to theirs and no other letter to one),
# each word at C speed: a (?i) alternation tried at every character took 0.07 s over /etc a probe
GUARD_HINT = ("verif", "check", "strict", "safe", "secur", "validat", "reject", "require", "reqcert",
              "unauthenticated", "unsigned", "trust", "permit", "/dev/null", "umask", "mode")
HINTED = re.compile("|".join(map(re.escape, GUARD_HINT)))  # (one short line: one search)


def guards_off(text, low=None):
    """``{number: setting}`` of each line of ``text`` that sets a check off (:data:`GUARD_OFF`), an INI line read
    with its ``[section]`` (git's ``[safe]`` then ``directory = *`` is ``safe.directory = *``). ``low``: ``text``
    lower-cased (latin-1: the same characters, the same lines), when the caller has it."""
    found, section, hinted = {}, "", False
    lows = (text.lower() if low is None else low).splitlines()  # (as many lines: no line break has a case)
    for n, (ln, lower) in enumerate(zip(text.splitlines(), lows), 1):  # noqa: B905 - Python >= 3.7 here
        line = ln.strip()
        if line.startswith("[") and "]" in line:
            section = line[1:line.index("]")].split(" ")[0].strip('"') + "."
            hinted = bool(HINTED.search(section.lower()))  # (no hint word holds a ".": none spans section and line)
        elif (hinted or HINTED.search(lower)) and (GUARD_OFF.match(line) or section and GUARD_OFF.match(
                section + line)):  # (a line without a hint word is no setting of these: not matched, 30% less CPU)
            found[n] = section + line
    return found


def acts(out):
    """What root's files in the places root acts later name, one hop further, kept apart in ``named`` (the
    other rules judge only what they always read): every absolute path word of root's cron, hook, unit and
    :data:`ACTS` files (and of root's small scripts in /usr/local/{bin,sbin}: what a root job or process may run
    by name) is recorded as :func:`follow` does (its ``lstat``, each directory above it, links through root's
    own), a script reached is read when root's and its words taken in turn (three rounds, at most 1024 paths;
    never under /dev, /proc, /sys or Apache's trees, never a file that is not regular opened); ``ctime`` of each
    :data:`ACTS` entry and each dpkg list (a packaged file not changed since its package was unpacked)."""
    side = {"files": {}, "dirs": {}, "errors": {}, "size": out["size"]}
    tops = tuple(d + "/" for d in ACTS + UNITS + LIBCONF_DIRS + [
        "/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
        "/etc/logrotate.d", "/etc/apt/apt.conf.d", "/etc/profile.d", "/etc/ssh/sshd_config.d", "/etc/ssh/ssh_config.d"]
        + SYSCTL)  # (a kernel setting naming a program the kernel runs: core_pattern's pipe, modprobe)
    for d in COMMANDS[:2]:
        for name in out["dirs"].get(d, []):
            st = out["files"].get(d + "/" + name, {}).get("st")
            if st and stat.S_ISREG(st[0]) and st[1] == 0 and st[3] <= 65536:
                data = read(side, d + "/" + name, 65536)
                if data is not None and not data.startswith("#!"):
                    side["size"] -= len(side["files"][d + "/" + name].pop("data"))
    texts = {p: e["data"] for p, e in out["files"].items() if e.get("data") and (p.startswith(tops) or p in ROOT_RUNS)}
    texts.update({p: e["data"] for p, e in side["files"].items() if e.get("data")})
    # a link there (a run-parts script linked in): what it reaches is what root runs, followed as a word of it
    texts.update({p + " ->": os.path.normpath(os.path.join(os.path.dirname(p), e["link"])) for p, e in
                  out["files"].items() if e.get("link") and p.startswith(tops)})
    texts.update(out.get("own_keys") or {})  # (a key's command="...": sshd runs it as this login, who may be root)
    seen = set()
    for _ in range(3):
        words = []
        for text in texts.values():
            lines = text.splitlines()
            words += [w for n, ln in enumerate(lines) if "/" in ln and (  # (a line without "/" has no path word)
                not ln.lstrip().startswith("#") or n == 0 and ln[:2] == "#!")
                      for w in WORD.findall(ln[2:] if n == 0 and ln[:2] == "#!" else ln)]
        texts = {}
        for word in [os.path.normpath("/" + w.lstrip("/")) for w in dict.fromkeys(words)]:  # (each word once)
            if word in seen or len(seen) >= 1024 or word.startswith(("/dev/", "/proc/", "/sys/", SERVER_ROOT + "/",
                                                                      MODULES + "/")) and \
                    not word.startswith("/dev/shm/"):  # (a tmpfs anyone writes, as /tmp: no device there)
                continue
            seen.add(word)
            try:
                follow(side, word, 65536)
            except (OSError, ValueError) as exc:  # (a name the kernel refuses: named, the rest goes on)
                side["errors"][word] = str(exc)
            entry = side["files"].get(word, {})
            if str(entry.get("data", "")).startswith("\x7fELF"):  # a program: who may write it is what counts
                side["size"] -= len(entry.pop("data"))
            elif entry.get("data"):
                texts[word] = entry["data"]
    units, acted = tuple(d + "/" for d in UNITS), tuple(d + "/" for d in ACTS)  # (made once, not per path)
    for path, e in list(out["files"].items()):  # where each unit link leads (a link to nothing runs nothing)
        if "link" in e and path.startswith(units):
            to = os.path.normpath(os.path.join(os.path.dirname(path), e["link"]))
            note(side, to)
            note(side, os.path.realpath(to))  # (/lib on a merged /usr is a link: the real directory too)
    out["named"] = {p: e for p, e in side["files"].items() if p not in out["files"] or e.get("data")}
    out["size"] = side["size"]
    listed = [DPKG_INFO + "/" + n for n in out["dirs"].get(DPKG_INFO, []) if n.endswith(".list")]
    for path in listed + [p for p in out["files"] if p.startswith(acted)]:
        entry = out["files"].get(path)
        try:  # (the ctime of the lstat note() recorded: not a second lstat of each of ~850 files)
            if entry is not None:
                entry["ctime"] = entry["st"][6] if entry.get("st") else os.lstat(path).st_ctime
        except OSError:
            pass


def postinsts(out):
    """dpkg never unpacks file capabilities: only a package's postinst sets them (setcap); nor does dpkg or
    update-rc.d record the start links a postinst makes: read the postinst of the package whose list holds a file
    with capabilities (or its merged-/usr twin) or an init script. A step after every step that records files (a
    running program's directory, ``programs``, holds files with capabilities no earlier step saw: sssd's)."""
    listed = [DPKG_INFO + "/" + n for n in out["dirs"].get(DPKG_INFO, []) if n.endswith(".list")]
    capped = {t for p, e in out["files"].items() if "caps" in e for t in (p, p[4:] if p.startswith("/usr/") else
                                                                          "/usr" + p)}
    # and of the package whose list holds a file with a stat override: is it its postinst's (its own design)?
    overrides = (out["files"].get("/var/lib/dpkg/statoverride") or {}).get("data") or ""
    capped |= {t for ln in overrides.splitlines() if len(ln.split()) == 4 for p in ln.split()[3:]
               for t in (p, p[4:] if p.startswith("/usr/") else "/usr" + p)}
    for path in listed:
        data = out["files"].get(path, {}).get("data") or ""
        if capped & set(data.splitlines()) or "\n/etc/init.d/" in "\n" + data:
            read(out, path[:-len(".list")] + ".postinst")


PIDS, SCRIPTS, SCRIPT_WORDS = 8192, 256, 256  # processes looked at, root's scripts read, path words of each
NAMED = 16 << 20  # bytes of the names command lines' paths may make programs() record (each directory above too)


def argv_paths(argv):
    """Each absolute path a command line names, normalized: a word that is one, and each path inside a word
    (:data:`WORD`'s, a ``:`` list split: ``python3 -c "sys.path.insert(0, '/srv/x')"``, ``sh -c '. /srv/x/env'``,
    ``--config=/srv/x/conf.py``, ``-Dpath=/a:/b``, a class path ``/a.jar:/b.jar``; not a URL's ``//host``): what
    the program runs, sources or loads may stand anywhere in it."""
    return list(dict.fromkeys(os.path.normpath(p) for a in argv for p in (
        [a] if a.startswith("/") and "\n" not in a else []) + WORD.findall(a.replace(":", " ")) if p[1:2] != "/"))


def open_lines(path):
    with open(path) as f:
        return f.read(65536).splitlines()


def programs(out, most=PIDS, proc="/proc"):
    """The ``lstat`` of each absolute path of every process's command line (:func:`argv_paths`: what it runs, its
    program, the script it gives an interpreter, after options and their values too, a path inside a word, the
    code of ``-c``; at most 64 a process, ``most``
    processes), of a Python's user site (its
    user's ``~/.local/lib/pythonX.Y/site-packages``), and of each directory above; a root process's own script
    (root's, at most 64 KiB, ``#!``; at most :data:`SCRIPTS`) read, and each absolute path word of it ``lstat``ed
    (at most :data:`SCRIPT_WORDS` a script): what root's program takes by its own code; kept apart in ``named``
    as :func:`acts` keeps what root's files name: who may change what root runs, and what an allowed process of
    another user runs (its script, the directory Python imports from first). A root process is one whose real
    and effective uids are 0 (``status``): a setuid program another user started (``sudo`` at its password
    prompt, ``su``) runs as root with the command line that user chose, which names no script root runs. A bound
    hit is in ``errors``: what lies past it is not looked at, never taken for clean."""
    import pwd

    side, scripts, hashed = {"files": {}, "dirs": {}, "errors": {}, "size": 0}, [], out.setdefault("ran", {})
    cost = 0  # (bytes of names recorded: a path of 2,000 components is 2,000 names of up to 4 KiB each)
    pids = sorted((p for p in os.listdir(proc) if p.isdigit()), key=int)
    for pid in pids[:most]:
        try:
            with open("%s/%s/cmdline" % (proc, pid), "rb") as f:
                argv = f.read(4096).split(b"\0")
            with open("%s/%s/comm" % (proc, pid), "rb") as f:  # (a daemon that retitles itself: its name at exec)
                comm = f.read(64).strip().decode("latin-1")
            uid = os.stat(proc + "/" + pid).st_uid
            root = [ln.split()[1:3] for ln in open_lines("%s/%s/status" % (proc, pid)) if ln[:4] == "Uid:"] == [
                ["0", "0"]]  # (real and effective: the kernel's word; /proc's owner is a setuid program's root)
        except OSError:
            continue
        words = [a.decode("latin-1") for a in argv if a.startswith(b"/") and b"\n" not in a][:64]
        head = argv[0].startswith(b"/")  # its program: its first word, or a bare one in each command dir
        bare = argv[0].decode("latin-1") if argv[0] and b"/" not in argv[0] and b"\n" not in argv[0] else ""
        mine = int(pid) == os.getpid()  # (this probe's own python: no program of anyone's)
        for word in [] if mine else (words[:1] if head else []) + [d + "/" + n for d in COMMANDS
                                                                   for n in {bare, comm} - {""} if "/" not in n]:
            hashed[word] = BIG
        for word in [] if mine else words[1 if head else 0:8]:  # what it gives an interpreter to run (a script)
            hashed.setdefault(word, SCRIPT)
        for word in argv_paths([a.decode("latin-1") for a in argv])[:64]:  # (a path inside a word too: -c CODE)
            cost += len(word) * word.count("/")
            if cost > NAMED:
                break
            st = note(side, word)
            if root and st and stat.S_ISREG(st[0]) and st[1] == 0 and st[3] <= 65536:
                scripts.append(word)
        if os.path.basename(argv[0].decode("latin-1")).startswith("python"):  # its user site, sys.path's too
            try:
                home = pwd.getpwuid(uid).pw_dir
            except KeyError:
                continue
            note(side, "%s/.local/lib/python%s/site-packages" % (home.rstrip("/"), PY))
    scripts = sorted(dict.fromkeys(scripts))
    for path in scripts[:SCRIPTS]:  # a root process's own script (not a program): each path word it names
        text = read(side, path, 65536) or ""
        if not text.startswith("#!"):
            side["size"] -= len(side["files"][path].pop("data", ""))
            continue
        words = [w for ln in text.splitlines() if not ln.lstrip().startswith("#") for w in WORD.findall(ln)]
        for word in words[:SCRIPT_WORDS]:
            if not word.startswith(("/dev/", "/proc/", "/sys/")):
                note(side, os.path.normpath(word))
        if len(words) > SCRIPT_WORDS:
            out["errors"][path] = "more than %d path words in a root process's script: the rest not looked at" % (
                SCRIPT_WORDS)
    for what, count, bound in [("processes", len(pids), most), ("root processes' scripts", len(scripts), SCRIPTS),
                               ("bytes of paths their command lines name", cost, NAMED)]:
        if count > bound:
            out["errors"]["programs: " + what] = "more than %d %s: the rest not looked at" % (bound, what)
    out["named"] = dict({p: e for p, e in side["files"].items() if p not in out["files"]}, **out.get("named", {}))


def acls(out):
    """The POSIX ACL (``system.posix_acl_access``: any user may read it) of the secrets and root's home
    (:data:`MODES`) and the SSH host keys, as hex: a named user's or group's read grant shows in no mode bit (the
    mask shows as the group's)."""
    for path in MODES + sorted(glob.glob("/etc/ssh/ssh_host_*_key")):
        try:
            acl = os.getxattr(path, "system.posix_acl_access", follow_symlinks=False)
        except OSError:  # none (ENODATA), or no ACLs here
            continue
        note(out, path)
        out["files"][path]["acl"] = acl.hex()


def swaps(out):
    """The ``lstat`` of each swap area boot turns on, where the kernel writes every process's memory: the absolute
    first field of each ``/etc/fstab`` line of type ``swap`` (a ``UUID=``/``LABEL=`` is a device, named by udev's
    links), and each ``What=`` of a ``.swap`` unit read above (the unit dirs: :data:`UNITS`)."""
    for line in (out["files"].get("/etc/fstab", {}).get("data") or "").splitlines():
        f = line.split()
        if len(f) > 2 and f[2] == "swap" and f[0].startswith("/"):
            note(out, f[0])
    for path, entry in list(out["files"].items()):
        if path.endswith(".swap"):
            for what in re.findall(r"(?m)^[ \t]*What[ \t]*=[ \t]*(/[^\s\x00]+)", entry.get("data") or ""):
                note(out, what)


def links(out):
    """The ``lstat`` of what each link in root's command dirs reaches (/usr/local/{bin,sbin} first, then the
    packaged ones: an alternative's /etc/alternatives hop), hop by hop (at most 8), and of each directory above:
    root's PATH runs the file at the end, so who may change it and its directories counts (at most 2048 links)."""
    found = [d + "/" + n for d in COMMANDS for n in out["dirs"].get(d, [])
             if "link" in (out["files"].get(d + "/" + n) or {})]
    for path in found[:2048]:
        for _ in range(8):
            entry = out["files"].get(path) or {}
            if "link" not in entry:
                break
            path = os.path.normpath(os.path.join(os.path.dirname(path), entry["link"]))
            note(out, path)


def outputs(out, tree):
    """Where root's jobs may write: for each absolute path word of /etc/crontab, /etc/cron.d, the
    cron.{hourly,daily,weekly,monthly} scripts, the units (a timer's service) and the admin's scripts they run
    (``named`` by :func:`acts`, outside the distribution's program dirs) (root's, read above; at most 256 words,
    never under the system's
    own trees), the ``lstat`` of what is there: a directory's entries, or, for a name that is not there (built at
    run time: ``/var/backups/app-$(date +%F).tgz`` is cut at its ``$``), its directory's entries starting with it
    (at most 64 each); never in the app's ``tree``. ``outputs``: {word: [paths]} (who may read a job's copies of
    what it reads)."""
    tops = ("/etc/cron.d/", "/etc/cron.hourly/", "/etc/cron.daily/", "/etc/cron.weekly/", "/etc/cron.monthly/")
    units, system = tuple(d + "/" for d in UNITS), ("/usr/bin/", "/usr/sbin/", "/usr/lib", "/usr/share/", "/bin/",
                                                     "/sbin/", "/lib")  # (the distribution's programs: not admin's)
    named = [(p, e) for p, e in out.get("named", {}).items() if str(e.get("data", "")).startswith("#!")
             and not p.startswith(system)]
    words = []
    for path, entry in list(out["files"].items()) + named:
        if entry.get("data") and (path == "/etc/crontab" or path.startswith(tops + units) or (path, entry) in named):
            words += [w for ln in entry["data"].splitlines() if not ln.lstrip().startswith("#")
                      for w in WORD.findall(ln)]
    out["outputs"] = {}
    skip = ("/dev/", "/proc/", "/sys/", "/usr/", "/bin/", "/sbin/", "/lib", "/etc/", tree + "/")
    words = [os.path.normpath(w) + ("/" if w.endswith("/") else "") for w in words]  # ("//", "/./": the root dir)
    for word in [w for w in dict.fromkeys(words) if not (w.rstrip("/") + "/").startswith(skip) and w.strip("/")][:256]:
        st, parts = note(out, word.rstrip("/")), word.rstrip("/").split("/")
        top, stem = (word.rstrip("/"), "") if st and stat.S_ISDIR(st[0]) else (os.path.dirname(word), parts[-1])
        if any("link" in e and e["st"][1] for e in (out["files"].get("/".join(parts[:i])) or {} for i in
                                                     range(2, len(parts) + (not stem)))):
            continue  # (a link on the way that someone but root made: they chose what would be listed)
        try:
            names = sorted(n for n in os.listdir(top) if n.startswith(stem))[:64]
        except OSError:
            continue
        out["outputs"][word] = [top + "/" + n for n in names]
        for name in out["outputs"][word]:
            note(out, name)


SERVED = re.compile(r"""^\s*(?:<Directory\s+|(?:WSGI)?ScriptAlias\s+\S+\s+|Alias\s+\S+\s+|DocumentRoot\s+)["']?"""
                    r"""(/[^"'\s>]+)""", re.I | re.M)


def served_dirs(out, tree, most=256):
    """The ``lstat`` of each ``<Directory>``, each ``WSGIScriptAlias``/``ScriptAlias``/``Alias`` target and each
    ``DocumentRoot`` root's Apache files name (and of the directories above it): where a handler runs the files it
    finds, the runner judges who may write there (an uploads dir the app writes). Data only: nothing here decides
    whether root runs ``apache2ctl``. At most ``most`` paths; never one in the app's ``tree`` (the deploy login's:
    looking there would resolve its links, and the runner counts a path not looked at as one others may write)."""
    found = []
    for path, entry in list(out["files"].items()):
        if path.startswith(SERVER_ROOT + "/") and entry.get("data"):
            found += SERVED.findall(entry["data"])
    paths = (p for p in dict.fromkeys(os.path.normpath(p) for p in found) if p != tree and not p.startswith(tree + "/"))
    for path in list(paths)[:most]:
        note(out, path)


ROOTS = re.compile(r"""^\s*(?:ScriptAlias\s+\S+\s+|Alias\s+\S+\s+|DocumentRoot\s+)["']?(/[^"'\s>]+)""", re.I | re.M)


def served_links(out, tree, most=4096):
    """Each link under a directory Apache serves files from (each ``DocumentRoot``, ``Alias`` and ``ScriptAlias``
    target root's Apache files name; never below the app's ``tree``; a target that is itself a link is recorded, not
    walked), links not followed, at most ``most`` entries in all (a bound hit is in ``errors``): the ``lstat`` of
    the link and of where it leads (and of the directories above; not when that is in ``tree``), in ``named``;
    ``served``: ``{root: [links]}``. The runner judges what Apache, by the Options in force there, would follow."""
    side, count, found = {"files": {}, "dirs": {}, "errors": {}, "size": 0}, 0, []
    for path, entry in list(out["files"].items()):
        if path.startswith(SERVER_ROOT + "/") and entry.get("data"):
            found += ROOTS.findall(entry["data"])
    out["served"] = {}
    inside = lambda p: p == tree or p.startswith(tree + "/")  # noqa: E731
    for top in [p for p in dict.fromkeys(os.path.normpath(p) for p in found) if not inside(p)]:
        if count > most:
            break
        links = out["served"].setdefault(top, [])
        for base, dirs, files in os.walk(top) if not os.path.islink(top) else ():
            dirs[:] = [d for d in dirs if not inside(os.path.join(base, d))]
            for name in dirs + files:
                count += 1
                path = os.path.join(base, name)
                if count <= most and os.path.islink(path):
                    links.append(path)
                    note(side, path)
                    to = os.path.normpath(os.path.join(base, side["files"][path].get("link", "")))
                    if not inside(to):
                        note(side, to)
            if count > most:
                out["errors"]["served links"] = "more than %d entries under the served dirs: the rest not looked " \
                                                 "at" % most
                break
    named = out.setdefault("named", {})
    named.update((p, e) for p, e in side["files"].items() if p not in named and p not in out["files"])


# what sshd and a login's shell read from its home at every login (reader.HOME_FILES; sshd's default
# AuthorizedKeysFile): whoever may write one of them logs in as that login, or runs code as it at its next login
HOME_FILES = (".bashrc", ".profile", ".bash_profile", ".bash_login", ".bash_logout", ".pam_environment", ".ssh",
              ".ssh/rc", ".ssh/environment", ".ssh/authorized_keys", ".ssh/authorized_keys2")


def key_files(out, name, uid, home):
    """Each path every ``AuthorizedKeysFile`` line of root's ``sshd_config`` and its drop-ins (read above; Match
    blocks too: a superset) names for this account, expanded as sshd does (``~``, root's home, and ``~NAME`` as it
    reads the file; then ``%%``, ``%h``, ``%u``, ``%U`` in one pass; a relative path is the home's), at most 8: as
    the root collector's ``keys`` does, which reads them."""
    confs = ["/etc/ssh/sshd_config"] + ["/etc/ssh/sshd_config.d/" + n for n in out["dirs"].get("/etc/ssh/sshd_config.d",
                                                                                             [])]
    words = [w for c in confs for v in re.findall(r"(?im)^\s*authorizedkeysfile[\s=]+(.+)$",
                                                  (out["files"].get(c) or {}).get("data") or "") for w in v.split()]
    found = []
    for word in [w for w in words if w.lower() != "none"][:8]:
        path = re.sub(r"%([%hUu])|^~([^/]*)", lambda m: {"%": "%", "h": home, "U": str(uid), "u": name}.get(
            m.group(1)) or os.path.expanduser("~" + (m.group(2) or "root")), word)
        found.append(os.path.normpath(path if path.startswith("/") else home + "/" + path))
    return found


NOLOGIN = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")  # (Stack.nologin_shells' too)


def login_homes(out, most=512):
    """The ``lstat`` (:func:`note`: each directory above too) of every account's home and of what sshd and its
    shell read there (:data:`HOME_FILES`, and each file ``AuthorizedKeysFile`` names for it: :func:`key_files`),
    and of where a link among them leads, for at most ``most`` accounts that may log in (not a :data:`NOLOGIN`
    shell: the app user, whose home is the app's tree, the deploy login's, is never looked into): the runner
    judges those of the logins that may become root (who may write what lets one in as them). A home this login
    may not enter leaves its files' ``why``: not known."""
    import pwd

    for a in [a for a in pwd.getpwall()[:most] if a.pw_dir.startswith("/") and os.path.normpath(a.pw_dir) != "/"
              and a.pw_shell not in NOLOGIN]:
        home = os.path.normpath(a.pw_dir)
        mine = [home + "/" + rel for rel in HOME_FILES] if note(out, home) else []
        for path in mine + key_files(out, a.pw_name, a.pw_uid, home):
            if note(out, path) and stat.S_ISLNK(out["files"][path]["st"][0]):
                note(out, os.path.realpath(path))


def homes(args, tree):
    """The homes of the app user and the deploy user that are theirs (a directory they own, outside ``tree``):
    what those logins may change besides the tree."""
    import pwd

    found = []
    for name in (args.get("deploy_user"), args.get("app_user")):
        try:
            home = os.path.normpath(pwd.getpwnam(name).pw_dir)
            st = os.stat(home)
        except (KeyError, OSError, TypeError):
            continue
        if home != "/" and stat.S_ISDIR(st.st_mode) and st.st_uid != 0 and not (home + "/").startswith(tree + "/"):
            found.append(home)
    return found


def loose_at(seen, path, hops=8):
    """The first of ``path``'s directories (from ``/`` down) and ``path`` itself that someone but root may change
    (another's, or writable by group or others: not a device, not a sticky directory of root's), going on only
    through links root made; None when all are root's (a name absent from a root's directory is root's to
    make). ``seen``: the ``lstat`` cache."""
    parts, probe = path.strip("/").split("/"), ""
    for i, part in enumerate(parts):
        probe += "/" + part
        if probe not in seen:
            try:
                seen[probe] = os.lstat(probe)
            except (OSError, ValueError):
                seen[probe] = None
        st = seen[probe]
        if st is None:
            return None
        inert = stat.S_ISLNK(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) or \
            stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX  # (a device; a sticky dir: each name its maker's)
        if st.st_uid != 0 or st.st_mode & 0o022 and not inert:
            return probe
        if stat.S_ISLNK(st.st_mode):
            try:
                to = os.path.normpath(os.path.join(os.path.dirname(probe), os.readlink(probe)))
            except OSError:
                return None
            return probe if hops == 0 else loose_at(seen, "/".join([to] + parts[i + 1:]), hops - 1)
    return None


def mentions(out, tree, top="/etc", most=50000, also=(), budget=BIG):
    """Every root's regular file under ``top`` (not writable by group or others, whatever its size) whose bytes
    name ``tree`` (or one of ``also``: the deploy and app users' homes) or whose uncommented lines name, as an
    absolute path word, a place someone but root may change (:func:`loose_at`), with the lines that
    do (at most 16, 300 bytes each), and every link there whose target names the tree: root's programs read
    their configuration under /etc, and which of them runs what from where is not for this list to know
    (incron's tables, needrestart's Perl, dpkg's hooks, sysctl's core_pattern, git's hooksPath, pip's
    find-links, vim's ``source``, tmux's ``run-shell``, modprobe's ``install`` ...). Nothing is followed but
    root's links; only those lines leave, and of a file with a line naming such a place, in ``named``, its bytes
    (is it a package's as shipped?) and the ``lstat`` of that place and the directories above it.
    ``mentions``: {path: lines or "-> target"} (and in ``digests`` the sha256 of each file with lines); at most
    ``most`` entries walked and ``budget`` bytes read in all (a bound hit, and each file left unread by it, is in
    ``errors``: never passed over unnamed). Of each dpkg conffile
    under ``top`` (the status file's md5s), ``named`` holds the bytes when they are not as dpkg shipped them, and
    the ``lstat`` when the walk did not read it (gone: every line it shipped is gone); ucf's files (its hashfile's
    md5s) count as conffiles. ``etc_files``: ``{path: what it is}`` of every regular file and link under ``top``
    that is not a conffile as shipped: a file's sha256, ``identity:<hex>`` for one this login may not read or that
    is not root's alone (:func:`identity`), a link's ``-> target``: what an allowance of a program pins of its
    configuration (:func:`deploytests.verify.pins.configs`)."""
    names = [tree] + [h for h in also if h]
    out["mentions"], out["etc_files"], needles, seen = {}, {}, [n.encode() for n in names], {}
    out["private_keys"] = []
    status = (out["files"].get("/var/lib/dpkg/status") or {}).get("data") or ""
    shipped = dict(re.findall(r"(?m)^ (%s/\S+) ([0-9a-f]{32})$" % re.escape(top), status))  # dpkg's conffiles
    ucf = (out["files"].get("/var/lib/ucf/hashfile") or {}).get("data") or ""  # ucf's: "md5  path" as shipped
    shipped.update((p, md5) for md5, p in re.findall(r"(?m)^([0-9a-f]{32})  (%s/\S+)$" % re.escape(top), ucf)
                   if p not in shipped)
    named, side = out.setdefault("named", {}), {"files": {}, "shipped": shipped}
    try:
        walk(out, top, most, names, needles, seen, side, budget)
        for path in sorted(shipped)[:4096]:  # a conffile the walk did not read: gone, or not root's file
            note(side, path)
    finally:
        named.update((p, e) for p, e in side["files"].items() if p not in out["files"] and p not in named)


# a private key's block (PEM, PKCS#8, OpenSSH's; encrypted or not): its header, PEM's "Key: value" lines, then a
# full line of base64 (a comment naming the header alone is none; no backtracking: linear in the file)
PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\r?\n(?:[A-Za-z-]+: [^\r\n]*\r?\n)*(?:\r?\n)?"
                         rb"[A-Za-z0-9+/=]{64}")


def parents(path):
    """The directories above ``path``, from ``/`` down."""
    parts = path.split("/")[1:-1]
    return ["/" + "/".join(parts[:i]) for i in range(len(parts) + 1)]


def walk(out, top, most, names, needles, seen, side, budget):
    """:func:`mentions`' walk (``side``: what the runner is sent in ``named``), one ``scandir`` stack in sorted
    order (``os.walk``'s, top down), links not followed. The same walk judges each directory as
    :func:`system_dirs` does: when it went through all of ``top``, ``out["system_dirs"]`` holds what it found there
    (``{"top", "found", "dirs"}``), and :func:`system_dirs` does not walk ``top`` again."""
    count, judged, todo, found, dirs = 0, {}, [(top, False)], [], 0
    while todo:
        base, under = todo.pop()
        try:
            with os.scandir(base) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:  # (gone meanwhile, or not listable: nothing below is claimed)
            continue
        below = []
        for entry in entries:
            count += 1
            if count > most:
                out["errors"]["mentions"] = "more than %d entries under %s: the rest not looked at" % (most, top)
                return
            path = entry.path
            try:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    dirs += 1
                    if not under and loose_dir(st):
                        found.append([path, st.st_mode, st.st_uid, st.st_gid])
                    below.append((path, under or loose_dir(st)))
                    continue
                privileged(out, path, st)  # (the walk of the local file systems leaves /etc to this one)
                if not under and loose_file(st):
                    found.append([path, st.st_mode, st.st_uid, st.st_gid])
                if stat.S_ISLNK(st.st_mode):
                    target = os.readlink(path)
                    out["etc_files"][path] = "-> " + target
                    if any(n in os.path.normpath(os.path.join(base, target)) or n in target for n in names):
                        out["mentions"][path] = "-> " + target
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                out["etc_files"][path] = "identity:" + identity(st)  # (until its bytes are read)
                if st.st_size > budget:
                    out["errors"]["mentions: " + path] = "%d bytes, more than the %d left to read: not searched " \
                        "for the app's tree" % (st.st_size, budget)
                    continue
                data = kept(out, path, st)
                if data is None:
                    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as f:
                        data = f.read(budget)  # (buffered: to its end, or the budget)
                budget -= len(data)
                if st.st_mode & 0o004 and len(out["private_keys"]) < 64 and PRIVATE_KEY.search(data) and all(
                        os.stat(d).st_mode & 0o001 for d in parents(path)):
                    out["private_keys"].append([path, st.st_mode, st.st_uid, st.st_gid])  # (every local user's)
            except OSError:
                continue
            mine = st.st_uid == 0 and not st.st_mode & 0o022  # (another's, or others may write it: hashed only)
            md5 = side["shipped"].pop(path, None) if mine else side["shipped"].get(path)
            changed = md5 is not None and md5 != hashlib.md5(data).hexdigest()  # (hashed only when shipped)
            if md5 is not None and not changed:
                del out["etc_files"][path]  # (as its package ships it: its package's word)
            else:
                out["etc_files"][path] = hashlib.sha256(data).hexdigest()
            if not mine:
                continue
            searched(out, path, data, names, needles, seen, side, judged, changed)
        todo += reversed(below)
    out["system_dirs"] = {"top": top, "found": found, "dirs": dirs}


def kept(out, path, st):
    """The bytes :func:`read` recorded of ``path`` when this ``lstat`` is the one it recorded (the same inode, size,
    mtime and ctime: any write since changes the ctime) and they are the whole file; else None (read it again)."""
    entry = out["files"].get(path) or {}
    was, data = entry.get("st"), entry.get("data")
    if data is not None and was and len(data) == st.st_size and was[3:] == [
            st.st_size, st.st_mtime, st.st_ino, st.st_ctime]:
        return data.encode("latin-1")
    return None


INCLUDE = re.compile(r"\s*#include(dir)?\s")  # (apt's and sudo's #include: a directive, not a comment)


def searched(out, path, data, names, needles, seen, side, judged, changed=False):
    """One file of :func:`mentions`' walk: its lines naming the app's tree (or ``names``) or a place someone but
    root may change (``judged``: each word's verdict, :func:`loose_at`), and that place's ``lstat`` in ``side``;
    the bytes of a file with a guard-off line, or of a conffile not as dpkg shipped it (``changed``: is a stock
    line gone?)."""
    text, places, lines, binary = data.decode("latin-1"), set(), [], b"\0" in data
    low = "" if binary else text.lower()
    guards = guards_off(text, low) if any(w in low for w in GUARD_HINT) else {}
    if not guards and not changed and not any(n in data for n in needles) and (binary or not any(  # (lines if found)
            judged[w] if w in judged else judged.setdefault(w, loose_at(seen, os.path.normpath(w)))
            for w in WORD.findall(text))):  # (each word judged once: setdefault's default is made every time)
        return
    for n, ln in enumerate(text.splitlines(), 1):
        found = set() if binary or ln.lstrip().startswith(("#", ";", '"')) and not INCLUDE.match(ln) else \
            {loose_at(seen, os.path.normpath(w)) for w in WORD.findall(ln)} - {None}
        if found or n in guards or any(x in ln for x in names):
            lines.append([n, ln[:300]])
        places |= found
    if lines:
        out["mentions"][path] = lines[:16]
        out.setdefault("digests", {})[path] = hashlib.sha256(data).hexdigest()  # (what allow_cron of it pins)
    for place in sorted(places)[:16] + ([path] if places or guards or changed else []):
        note(side, place)  # (who may change it: the runner judges; of the file, is it a package's?)
    if (places or guards or changed) and path not in out["files"] and out["size"] + len(text) <= BIG:
        side["files"][path]["data"] = text
        out["size"] += len(text)


SYSTEM = ["/usr", "/etc", "/boot"]  # the system's trees: root's alone, whatever program reads what lies there


def loose_dir(st):
    """Whether someone but root may change a directory with this ``lstat``: another's, or writable by group or
    others and not sticky."""
    return st.st_uid != 0 or st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX


def loose_file(st):
    """Whether someone but root may change a regular file with this ``lstat``: another's, or writable by group or
    others (a config file root's program reads, a plugin it loads: which program reads which is not known)."""
    return stat.S_ISREG(st.st_mode) and (st.st_uid != 0 or st.st_mode & 0o022)


def root_only(st, path=None):
    """Whether only root may go through a directory with this ``lstat`` (root's, no search for others, nor for its
    group unless that is root's group) and, given its ``path``, no entry of its access ACL lets a named user or
    group search it (the mode's group bits show the ACL's mask, not who it names: ``setfacl -m u:NAME:x`` on a
    ``0700`` directory shows ``0710 root:root``): no one else runs, or reaches, anything below it."""
    if not (st.st_uid == 0 and not st.st_mode & 0o001 and (not st.st_mode & 0o010 or st.st_gid == 0)):
        return False
    try:
        raw = os.getxattr(path, "system.posix_acl_access", follow_symlinks=False) if path else b""
    except OSError:  # (no ACL: ENODATA; a file system without them)
        raw = b""
    named = [struct.unpack_from("<HHI", raw, i) for i in range(4, len(raw) - 7, 8)] if raw[:4] == b"\2\0\0\0" else []
    return not any(tag in (0x02, 0x08) and perm & 1 for tag, perm, _ in named)  # (a named user's, a named group's)


def privileged(out, path, st):
    """Record (:func:`note`) a regular file that is setuid or setgid, or executable with file capabilities."""
    if st and stat.S_ISREG(st.st_mode) and (st.st_mode & 0o6000 or st.st_mode & 0o111 and caps(path)):
        note(out, path)


def lstat_of(entry):
    """A listed entry's ``lstat``, or None when it is gone since the listing (anyone may remove a name in a
    directory they write, between a walk's listing and its look: gone is gone, not a failed step)."""
    try:
        return entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return None


# the kernel's views, devices' nodes, cgroups ...: no file there is one someone put there to run
PSEUDO = {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "mqueue", "debugfs", "tracefs", "securityfs",
          "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc", "efivarfs", "rpc_pipefs",
          "nsfs", "selinuxfs"}
MOUNTINFO, WALK_MOST, WALK_SECONDS = "/proc/self/mountinfo", 1000000, 30  # bounds of the walk: entries, CPU s


def mounts():
    """``[(mount point, file system type, mount options)]`` of the kernel's ``mountinfo`` (fields 5 and 6, and the
    type after `` - ``; the point's octal escapes decoded)."""
    with open(MOUNTINFO) as f:
        rows = [(ln.split()[4], ln.split()[5], ln.split(" - ", 1)[1].split()[0]) for ln in f if " - " in ln]
    return [(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), p), kind, opts) for p, opts, kind in rows]


def local_files(out, skip=(), most=WALK_MOST, seconds=WALK_SECONDS):
    """One walk of every mounted file system whose programs may run with their file's privileges (``mountinfo``:
    not one of :data:`PSEUDO`, not mounted ``nosuid`` or ``noexec``), each from its own mount point (``find
    -xdev`` for each), links not followed: every setuid, setgid or capability-holding file there is recorded
    (:func:`privileged`; the runner judges it, wherever it lies: ``/var/tmp``, ``/opt``, a home). Not walked: a
    directory only root may go through (:func:`root_only`: nothing below it is anyone else's to run; a mount
    below one too, a container engine's layers), ``skip`` (the app's tree: the tree reader's walk judges it), and
    ``/etc`` when :func:`mentions`' walk went through it whole (it records what it finds there alike). A directory
    this login may not list, that others may go through, is in ``unwalked`` (``[path, mode, uid, gid]``: what
    lies there is not known). The same walk gives ``system_dirs``: each directory and regular file under
    :data:`SYSTEM` that someone but root may change (:func:`loose_dir`, :func:`loose_file`; not judged again below
    a directory named). At most ``most`` entries and
    ``seconds`` seconds of this process's CPU (a loaded host's wall clock says nothing of the walk): a bound hit is
    in ``errors``, never a silent pass."""
    done = out.get("system_dirs") if isinstance(out.get("system_dirs"), dict) else {"top": None, "found": [], "dirs": 0}
    found, unwalked, count, end = list(done["found"]), [], 0, time.process_time() + seconds
    rows = mounts()
    points, skip = {p for p, _, _ in rows}, set(skip) | {done["top"]}
    todo = [(p, False) for p, kind, opts in rows if kind not in PSEUDO and not {"nosuid", "noexec"} & set(
        opts.split(",")) and p not in skip and not beyond(p)]
    system, files, listed = tuple(t + "/" for t in SYSTEM), out["files"], 0
    while todo and count <= most and (listed % 64 or time.process_time() <= end):  # (the clock: a system call)
        base, under = todo.pop()
        listed += 1
        try:  # (listed through its fd: each entry's lstat is relative to it, no path looked up again)
            fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except NotADirectoryError:  # (a file mounted on its own: a container's /etc/hosts)
            privileged(out, base, os.lstat(base))
            continue
        except OSError as exc:
            try:
                st = os.lstat(base)
            except OSError as why:  # gone since; or a name the kernel will not take (longer than PATH_MAX): named
                out["errors"].update({} if isinstance(why, FileNotFoundError) else {"local files: " + base[:200]: "%s "
                                      "(%d characters): what lies there is not looked at for setuid, setgid and "
                                      "capability files" % (why.strerror, len(base))})
                continue
            if not root_only(st, base) and not isinstance(exc, FileNotFoundError) and len(unwalked) < 256:
                unwalked.append([base, st.st_mode, st.st_uid, st.st_gid])
            continue
        below, at = [], base.rstrip("/") + "/"
        try:
            with os.scandir(fd) as listing:
                entries = list(listing)[:most + 1 - count]
            count += len(entries)
            judge = not under and at.startswith(system)
            for entry in entries:  # (~13,000 a walk: the test inline, files first, each name made once)
                if entry.is_file(follow_symlinks=False):
                    path = at + entry.name
                    was = files.get(path)
                    if was is not None and "st" in was:  # note()d moments ago (privileged() judged it there):
                        mode, uid, gid = was["st"][:3]  # its lstat, not the kernel's again (~1,300 a walk)
                    else:
                        try:  # (privileged()'s test, inline)
                            st = entry.stat(follow_symlinks=False)
                        except FileNotFoundError:
                            continue
                        mode, uid, gid = st.st_mode, st.st_uid, st.st_gid
                        if mode & 0o6000 or mode & 0o111 and caps(path):
                            privileged(out, path, st)
                    if judge and stat.S_ISREG(mode) and (uid != 0 or mode & 0o022):  # (loose_file()'s test)
                        found.append([path, mode, uid, gid])
                elif entry.is_dir(follow_symlinks=False):
                    path = at + entry.name
                    if path in points or path in skip:
                        continue
                    st = lstat_of(entry)
                    if st is None:
                        continue
                    judged = path.startswith(system) and not under and loose_dir(st)
                    if judged:
                        found.append([path, st.st_mode, st.st_uid, st.st_gid])
                    if not root_only(st, path):
                        below.append((path, under or judged))
        finally:
            os.close(fd)
        todo += below
    if todo or count > most:
        bound = "%d entries" % most if count > most else "%d CPU seconds" % seconds
        out["errors"]["local files"] = "more than %s: the rest of the local file systems not looked at for " \
            "setuid, setgid and capability files" % bound
    out["system_dirs"], out["unwalked"] = sorted(found), unwalked


def beyond(path):
    """Whether a directory above ``path`` is one only root may go through (:func:`root_only`)."""
    parts = path.rstrip("/").split("/")
    for i in range(1, len(parts)):
        try:
            if root_only(os.lstat("/".join(parts[:i]) or "/"), "/".join(parts[:i]) or "/"):
                return True
        except OSError:
            return True
    return False


def polkit(out):
    """polkit's rules dirs, listed and their root's files read when this login may (Debian makes them ``0700
    polkitd``): a directory it could not list has that as its ``why`` (a grant not known: the runner's finding,
    not a failure of the probe), at most :data:`ENTRIES` entries."""
    for top in [p for p in POLKIT if note(out, p)]:
        gone = lambda e: out["files"].setdefault(e.filename, {}).update(why="not listed (%s)" % e.strerror)  # noqa
        for base, dirs, files in os.walk(top, onerror=gone):
            out["dirs"][base] = sorted(dirs + files)[:ENTRIES]
            for name in out["dirs"][base]:
                (read if name in files else note)(out, base + "/" + name)
            dirs[:] = dirs if base.count("/") < 6 and len(out["dirs"]) < 64 else []


def unix_diag(out):
    """Every UNIX socket of the host's network namespace as the kernel's ``sock_diag`` netlink answer gives it
    (any user may ask): ``{inode: [type, state, name]}``, the name length-delimited (``/proc/net/unix`` prints a
    name's bytes raw: a newline in a name another user binds forges a row there), an abstract one ``@`` and its
    NULs ``@`` as ``/proc`` shows them; None when the kernel gave no name."""
    found, sock = {}, socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4)  # NETLINK_SOCK_DIAG
    with sock:  # SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST|NLM_F_DUMP; unix_diag_req: every state, UDIAG_SHOW_NAME
        req = struct.pack("=BBHIIIII", socket.AF_UNIX, 0, 0, 0xFFFFFFFF, 0, 1, 0xFFFFFFFF, 0xFFFFFFFF)
        sock.settimeout(5)  # (each answer within 5 s)
        sock.sendto(struct.pack("=IHHII", 16 + len(req), 20, 0x301, 1, 0) + req, (0, 0))
        while len(found) < 65536:
            data, at = sock.recv(1 << 16), 0
            while at + 16 <= len(data):
                size, kind = struct.unpack_from("=IH", data, at)
                if kind in (2, 3) or size < 32:  # NLMSG_ERROR, NLMSG_DONE (or no room for a socket's message)
                    out["unix_diag"] = found
                    return
                _, utype, state, _, ino = struct.unpack_from("=BBBBI", data, at + 16)
                name, a = None, at + 32
                while a + 4 <= at + size:  # rtattrs: UNIX_DIAG_NAME (0)
                    alen, atype = struct.unpack_from("=HH", data, a)
                    raw = data[a + 4:a + alen].decode("latin-1") if atype == 0 and alen >= 4 else None
                    name = ("@" + raw[1:] if raw[:1] == "\0" else raw[:-1]).replace("\0", "@") if raw else name
                    a += max(4, (alen + 3) & ~3)
                found[str(ino)] = [utype, state, name]
                at += (size + 3) & ~3
    raise OSError("more than 65536 UNIX sockets: the kernel's list not taken")


def unix_sockets(out):
    """Who may connect to each UNIX socket that takes connections or datagrams by path (the kernel's
    :func:`unix_diag`, else ``/proc/net/unix``, read above: a listening one, or a datagram one bound to a path; at
    most 256): the ``lstat`` of the path and of where its links lead (:func:`note`: each directory above too) and
    the access ACL's raw bytes (``system.posix_acl_access``, which any reader may read) of each of them that has
    one. Abstract names have no file: anyone on the host may connect."""
    rows = [r.split(None, 7) for r in (out["files"].get("/proc/net/unix", {}).get("data") or "").splitlines()[1:]]
    names = [r[7] for r in rows if len(r) == 8 and r[7][:1] == "/" and (int(r[3], 16) & 0x10000 or r[4] == "0002")]
    if isinstance(out.get("unix_diag"), dict):
        names = [n for t, st, n in out["unix_diag"].values() if (n or "")[:1] == "/" and (st == 10 or t == 2)]
    for path in list(dict.fromkeys(names))[:256]:
        note(out, path)
        note(out, os.path.realpath(path))
        for p in {"/".join(q.split("/")[:i]) or "/" for q in (path, os.path.realpath(path))
                  for i in range(1, q.count("/") + 2)}:
            try:
                out["files"][p]["acl"] = os.getxattr(p, "system.posix_acl_access", follow_symlinks=False).decode(
                    "latin-1")
            except (OSError, KeyError):  # none (ENODATA), no xattrs here, or not looked at
                pass


DIGESTS = 256  # files hashed at most (the privileged ones recorded, then /usr/local/{sbin,bin}'s entries)


def digests(out, most=DIGESTS, budget=BIG):
    """``digests``: ``{path: sha256 hex}`` of each privileged regular file recorded (setuid, setgid, file
    capabilities) and each entry of /usr/local/{sbin,bin}, through links only root made (:func:`resolved`), when
    it is a regular file of root's this login may read: what an allowance of it pins (``allow_privileged``,
    ``allow_commands``). At most ``most`` files and ``budget`` bytes in all (a file past them: in ``errors``)."""
    seen = dict(out.get("named") or {}, **out["files"])
    want = [p for p, e in sorted(seen.items()) if e.get("st") and stat.S_ISREG(e["st"][0]) and e["st"][1] == 0 and
            (e["st"][0] & 0o6000 or "caps" in e)] + [d + "/" + n for d in COMMANDS[:2] for n in out["dirs"].get(d, [])]
    found, want = out.setdefault("digests", {}), list(dict.fromkeys(want))
    if len(want) > most:  # (root's files only: no one else's setuid files crowd them out)
        out["errors"]["digests"] = "more than %d files to hash: the rest not hashed (no pin of theirs holds)" % most
    for path in want[:most]:
        try:
            fd = os.open(resolved(path) or "", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # (unreadable to this login, gone, or through a link of someone's: no digest, no pin holds)
        with open(fd, "rb", buffering=0) as f:
            st, h = os.fstat(fd), hashlib.sha256()
            if not stat.S_ISREG(st.st_mode) or st.st_uid != 0 or st.st_size > budget:
                out["errors"].update({path: "not hashed (not root's regular file, or past the bytes left)"}
                                     if st.st_size > budget else {})
                continue
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
            budget -= st.st_size
            found[path] = h.hexdigest()


SYSTEMCTL = "/usr/bin/systemctl"


def manager_env(out, timeout=5):
    """``manager_env``: ``[exit status, output]`` of ``systemctl show-environment`` (pid 1's environment, what every
    unit it starts gets; ``systemctl set-environment`` changes it in memory: no file holds it), run as this login
    (reading it is a D-Bus property any login may read) when systemd is pid 1 (``/run/systemd/system``) and
    ``systemctl`` and every directory above it are root's alone: ``--no-pager``, a fixed environment, no stdin,
    ``timeout`` seconds, at most 64 KiB of output kept."""
    if not os.path.isdir("/run/systemd/system") or not rooted(out, SYSTEMCTL):
        return
    try:
        proc = subprocess.run([SYSTEMCTL, "--no-pager", "show-environment"], stdin=subprocess.DEVNULL, cwd="/",
                              capture_output=True, timeout=timeout, env={"PATH": "/usr/bin:/bin", "LANG": "C"})
        out["manager_env"] = [proc.returncode, proc.stdout[:65536].decode("latin-1")]
    except subprocess.TimeoutExpired:
        out["errors"]["manager_env"] = "systemctl show-environment: no answer in %d s" % timeout


def py_module(name):
    """The module an entry of a Python site dir is imported as (``apt/``, ``debconf.py``,
    ``apt_pkg.cpython-311-x86_64-linux-gnu.so``: ``apt``, ``debconf``, ``apt_pkg``), or None (metadata, a ``.pth``)."""
    found = re.fullmatch(r"([A-Za-z_]\w*)(\.py|\.pyc|\.[\w.-]*\.so|\.so)?", name)
    return found.group(1) if found and name != "__pycache__" else None


def manifest(top, left):
    """The sha256 of ``sha256sum``'s lines (``HEX  PATH``; a link: ``-> TARGET  PATH``) of every file under ``top``
    (or of ``top``, a file), in name order, opened through no link; ``left``: ``[files, bytes]`` still allowed (an
    ``OSError`` past them, or for anything this login may not list or read). Not ``__pycache__``: Python rewrites
    it at an import after a source changed (its ``.pyc`` holds the source's mtime and size), so a pin of it would
    not hold from one run to the next."""
    lines = []

    def fail(exc):
        raise exc

    for d, subdirs, files in [("", [], [top])] if os.path.islink(top) or not os.path.isdir(top) else os.walk(
            top, onerror=fail):
        subdirs[:] = sorted(n for n in subdirs if n != "__pycache__")  # (Python's own: rewritten at an import)
        for path in [os.path.join(d, n) for n in sorted(files + [n for n in subdirs if os.path.islink(
                os.path.join(d, n))])]:
            left[0] -= 1
            if os.path.islink(path):
                lines.append("-> %s  %s\n" % (os.readlink(path), path))
                continue
            if not stat.S_ISREG(os.lstat(path).st_mode):  # (a device or FIFO is never opened)
                raise OSError(0, "not a regular file: %s" % path)
            with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb", buffering=0) as f:
                st, h = os.fstat(f.fileno()), hashlib.sha256()
                left[1] -= st.st_size
                if min(left) < 0 or not stat.S_ISREG(st.st_mode):
                    raise OSError(0, "past the files or bytes it may hash, or not a regular file")
                for chunk in iter(partial(f.read, 1 << 20), b""):
                    h.update(chunk)
            lines.append("%s  %s\n" % (h.hexdigest(), path))
    return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def py_shadows(out, most=5000, budget=BIG):
    """``py_shadows``: ``{path: sha256 hex or why}`` of each entry of the system Python's local site dir
    (``/usr/local/lib/python3.X/dist-packages``: before the packaged one on every python3 root runs' sys.path)
    whose module name one of the packaged dir's entries has (a root ``pip install`` of a packaged module, a copy by
    hand): its :func:`manifest`, what an allowance of it pins; and the ``RECORD`` of each ``*.dist-info`` there
    (which install put it there). At most ``most`` files and ``budget`` bytes in all; a file this login may not
    read, or a bound hit: its why, no pin holds."""
    local, packaged = ROOT_SITE
    names, left = {py_module(n) for n in out["dirs"].get(packaged) or []} - {None}, [most, budget]
    found = out["py_shadows"] = {}
    for top in [local + "/" + n for n in out["dirs"].get(local) or [] if py_module(n) in names]:
        try:
            found[top] = manifest(top, left)
        except OSError as exc:
            found[top] = "not hashed: %s" % (exc.strerror or exc)
    for n in [n for n in out["dirs"].get(local) or [] if n.endswith(".dist-info")][:256] if found else ():
        read(out, "%s/%s/RECORD" % (local, n))


RAN, SCRIPT = 256, 16 << 20  # programs hashed at most; a later word of a command line (a script): bytes at most


def ran(out, most=RAN, budget=4 * BIG):
    """``programs``: ``{path: [sha256 hex, ctime, ino]}`` of each regular file a process's command line names
    (one this login may not read: ``[its identity, ctime, ino, "identity"]``, :func:`identity`)
    (:func:`programs`: its program, a bare first word in each of :data:`COMMANDS`, and what it gives an
    interpreter to run), under its real path (where anyone's links lead: the path the kernel shows as a process's
    ``exe``), opened from there through root's links only: what an allowance of what runs or listens pins
    (``allow_listen``, ``allow_processes``), and when it last changed. At most ``most`` files and ``budget`` bytes
    read in all (a file past them: in ``errors``; the bytes read count, not the size a file reports: a /proc file
    says 0); a regular file only (a device or FIFO is never opened); any owner's file: hashed, never parsed."""
    found, want = out.setdefault("programs", {}), {}
    for word, limit in out.pop("ran", {}).items():
        if word.count("/") <= 64:  # (deeper than any program's: not resolved, a lstat each; no pin of it holds)
            real = os.path.realpath(word)
            want[real] = max(want.get(real, 0), limit)
    for real, limit in list(want.items())[:most]:
        bound = min(limit, budget)  # (bytes read, not the size a file reports: a /proc file says 0)
        st = None
        try:
            st = os.stat(real)
            if not stat.S_ISREG(st.st_mode):
                continue  # (a device, a FIFO, a directory: never opened)
            fd = os.open(resolved(real) or "", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except PermissionError:  # (a 4750 root:netops program: its identity, which any change to it changes)
            found.update({real: [identity(st), st.st_ctime, st.st_ino, "identity"]} if st and resolved(real) == real
                         else {})
            continue
        except OSError:
            continue  # (gone, or a link of someone's on the way: no pin holds)
        with open(fd, "rb", buffering=0) as f:
            st, h = os.fstat(fd), hashlib.sha256()
            size = st.st_size if st.st_size > bound else 0  # (past it by its own say: not read at all)
            try:  # (a read may fail: /proc/self/mem's EIO, pagemap's EINVAL: then no hash, as for a file past it)
                while stat.S_ISREG(st.st_mode) and size <= bound:
                    chunk = f.read(min(1 << 20, bound + 1 - size))
                    if not chunk:
                        break
                    h.update(chunk)
                    size += len(chunk)
            except OSError:
                size = bound + 1
        if not stat.S_ISREG(st.st_mode) or size > bound:
            out["errors"].update({real: "not hashed (past the bytes left)"} if size > budget else {})
            continue  # (swapped for something else after the stat; a data file past a script's bound)
        budget -= size
        found[real] = [h.hexdigest(), st.st_ctime, st.st_ino]


def identity(st):
    """The pin of a file this login may not read: the sha256 of its device, inode, ``ctime``, size, mode and owner
    (``identity DEV INO CTIME SIZE MODE UID GID``). The kernel sets
    ``ctime`` at every write, ``chmod``, ``chown``, link and rename of it, and no one sets it back; a file put in
    its place is another inode. It says the file is the one reviewed, unchanged, not what its bytes are."""
    text = "identity %d %d %r %d %o %d %d" % (st.st_dev, st.st_ino, st.st_ctime, st.st_size, st.st_mode, st.st_uid,
                                               st.st_gid)
    return hashlib.sha256(text.encode()).hexdigest()


def resolved(path, hops=40):
    """``path`` with every link in it resolved, when each is root's (a link someone else owns: None)."""
    parts, done = [p for p in path.split("/") if p], ""
    while parts:
        part = parts.pop(0)
        if part in (".", ".."):
            done = os.path.dirname(done) if part == ".." else done
            continue
        st = os.lstat(done + "/" + part)
        if not stat.S_ISLNK(st.st_mode):
            done += "/" + part
            continue
        hops -= 1
        if st.st_uid != 0 or hops < 0:
            return None
        link = os.readlink(done + "/" + part)
        parts, done = [p for p in link.split("/") if p] + parts, "" if link.startswith("/") else done
    return done or "/"


def hooks(out):
    for d, pattern in [(d, p) for d, p in LISTED if os.path.isdir(d)]:
        out["dirs"][d] = sorted(os.listdir(d))
        for name in filter(pattern.match, out["dirs"][d]):
            follow(out, d + "/" + name)
            data = out["files"].get(d + "/" + name, {}).get("data") if d in ROOT_SITE else None
            for line in (data or "").splitlines()[:64]:  # a .pth's directory lines: where root's Python imports
                if line.strip().startswith("/"):
                    note(out, os.path.normpath(line.strip()))


def main(argv):
    """The reply after :data:`MARK` and the run's nonce (sent on stdin after this file); the exit status is the
    verdict: 0 only when root may run ``apache2ctl`` (:func:`loose` found nothing)."""
    nonce, args = sys.stdin.buffer.read(NONCE).decode("ascii", "replace").strip(), json.loads(argv[0])
    out = collect(args)
    reply = json.dumps(out, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
    sys.stdout.write(MARK + nonce + " " + base64.b64encode(zlib.compress(reply, 1)).decode() + "\n")
    sys.stdout.flush()
    return 0 if "refused" in out and out["refused"] is None else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
