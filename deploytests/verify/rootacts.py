"""Every place root acts later, as one table, and one rule for what an entry there makes root run or touch.

Root runs code, and creates and chowns files, long after anyone looked: at every SSH login (pam_motd's
``update-motd.d``, ``sshrc``), at boot (``init.d`` scripts through systemd's sysv generator, ``systemd-tmpfiles``,
generators), at device and network events (udev's ``RUN+=``, ifupdown's, dhclient's, ppp's and NetworkManager's
hooks), at kernel and initramfs updates. :data:`PLACES` says where each place is, what kind of content it holds
(a ``script`` root runs whole, ``tmpfiles`` lines, ``udev`` rules, ``links`` to what runs) and when root acts. Cron,
``at``, logrotate, rc.local, anacron, apt's and the login shells' hooks and systemd's units are the schedule and
unit rules' (``cw_schedules``, ``cw_units``); they use the same resolution of what a command runs
(:func:`command_problem`), and the process rule (:func:`process_problems`) resolves what a running process runs.

**The rule** (:func:`entry_problems`), the same for every place: an entry that is an installed package's file as
dpkg unpacked it (a conffile whose md5 is dpkg's; any other packaged file whose inode did not change since its
package's list was written) is the stock baseline. Any other entry is a finding, named ``file:line`` with why, when

- someone but root may change it (it, a link on the way, or a directory above it): whoever does runs code as root;
- what it names, resolved through the links the snapshot recorded (the link targets are data, never followed on
  the server), is in the app's tree, or is a path someone but root may change; a root script it runs (root's, read
  by the gate's login as data, never run) counts with what that script names, one level further.

How a path is named decides the why: a program, an interpreter's script, a sourced file (``.``/``source``) or a
directory it changes into *runs* there; a path the command line's shape says it *writes* or creates (a redirection,
an output option, what a file utility changes, a copy's destination: :func:`_words`) is judged by who may add a name
to its directory, a link put there redirects root's write (:func:`_written`); any other argument is only *named*,
and the line says which. Everything here is a plain function of the probe's snapshot.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import posixpath
import re
import shlex
import stat

from ..allowances import command_argv
from . import collect_login as C
from .mechanisms import reaches

SCRIPT, TMPFILES, UDEV, LINKS, GENERATOR, POLICY = "script", "tmpfiles", "udev", "links", "generator", "policy"
START = "start"  # an entry is what a later start takes, whatever it says: any entry by hand is one (a generator's too)
BOOT_TMPFILES = "systemd-tmpfiles applies it as root at every boot and daily (creates, chowns, chmods, removes)"
UDEV_RUNS = "udevd runs its RUN+=/PROGRAM= commands as root at every device event (every boot)"
IFUPDOWN = "ifupdown runs it as root whenever an interface goes up or down (every boot)"
KERNEL = "root runs it at every kernel package's install or removal"
USER_STARTS = ("every login's systemd user manager starts what it says as that login (the deploy login's, the app "
               "user's)")
USER_TAKES = "every login's systemd user manager takes its settings from it (DefaultEnvironment=: every user service's)"
USER_ENV = " (its output is every user service's environment)"
PLACES: dict[str, tuple[str, str]] = {  # a directory (each entry) or a file -> (kind, when root acts)
    "/etc/update-motd.d": (SCRIPT, "pam_motd runs it as root at every SSH login (every deploy's and gate's too)"),
    "/etc/init.d": (SCRIPT, "root runs it at boot (systemd's sysv generator makes a unit of it) and by service"),
    **{f"/etc/rc{n}.d": (LINKS, f"root runs what it links to at boot (runlevel {n})") for n in "2345"},
    "/etc/tmpfiles.d": (TMPFILES, BOOT_TMPFILES), "/run/tmpfiles.d": (TMPFILES, BOOT_TMPFILES),
    "/usr/local/lib/tmpfiles.d": (TMPFILES, BOOT_TMPFILES), "/usr/lib/tmpfiles.d": (TMPFILES, BOOT_TMPFILES),
    "/etc/udev/rules.d": (UDEV, UDEV_RUNS), "/run/udev/rules.d": (UDEV, UDEV_RUNS),
    "/usr/lib/udev/rules.d": (UDEV, UDEV_RUNS),
    "/etc/systemd/system-generators": (GENERATOR, "systemd runs it as root at boot and at every daemon-reload"),
    "/usr/local/lib/systemd/system-generators": (GENERATOR, "systemd runs it as root at boot and every daemon-reload"),
    "/etc/initramfs-tools/hooks": (SCRIPT, "update-initramfs runs it as root (every kernel upgrade)"),
    "/etc/NetworkManager/dispatcher.d": (SCRIPT, "NetworkManager runs it as root at every network change"),
    "/etc/dhcp/dhclient-enter-hooks.d": (SCRIPT, "dhclient-script sources it as root at every DHCP lease"),
    "/etc/dhcp/dhclient-exit-hooks.d": (SCRIPT, "dhclient-script sources it as root at every DHCP lease"),
    **{f"/etc/network/if-{n}.d": (SCRIPT, IFUPDOWN) for n in ("pre-up", "up", "down", "post-down")},
    **{f"/etc/kernel/{n}.d": (SCRIPT, KERNEL) for n in ("preinst", "postinst", "prerm", "postrm", "header_postinst")},
    "/etc/ppp/ip-up.d": (SCRIPT, "pppd runs it as root when a link comes up"),
    "/etc/ppp/ip-down.d": (SCRIPT, "pppd runs it as root when a link goes down"),
    "/etc/ssh/sshrc": (SCRIPT, "sshd runs it at every SSH login as the user logging in (root's too)"),
    "/usr/sbin/policy-rc.d": (POLICY, "invoke-rc.d runs it as root before every service action a package's upgrade "
                                      "or logrotate asks for, and its answer may deny or change that action"),
    # every other directory systemd, systemd-shutdown, systemd-sleep and kernel-install run each file of, as root
    "/usr/lib/systemd/system-shutdown": (SCRIPT, "systemd-shutdown runs it as root at the end of every shutdown "
                                                 "and reboot"),
    "/usr/lib/systemd/system-sleep": (SCRIPT, "systemd-sleep runs it as root before and after every suspend"),
    "/usr/lib/systemd/system-generators": (GENERATOR, "systemd runs it as root at boot and at every daemon-reload"),
    "/run/systemd/system-generators": (GENERATOR, "systemd runs it as root at boot and at every daemon-reload"),
    **{f"{d}/systemd/system-environment-generators": (GENERATOR, "systemd runs it as root at boot and every "
                                                      "daemon-reload (its output is every service's environment)")
       for d in ("/etc", "/run", "/usr/local/lib", "/usr/lib")},
    "/etc/kernel/install.d": (SCRIPT, KERNEL), "/usr/lib/kernel/install.d": (SCRIPT, KERNEL),
    # what every login's systemd user manager (the deploy login's, the app user's: as that login) takes at its start,
    # and what systemd's boot services apply as root: its units and links (a .wants dir's too), settings,
    # environment and generators; binfmt's interpreters; the kernel modules loaded at boot
    **{f"{d}/systemd/user": (START, USER_STARTS) for d in ("/etc", "/run", "/usr/local/lib")},
    **{f"{d}/systemd/user.conf.d": (START, USER_TAKES) for d in ("/etc", "/run", "/usr/local/lib")},
    "/etc/systemd/user.conf": (START, USER_TAKES),
    **{f"{d}/environment.d": (START, "every login's systemd user manager puts what it says in every user service's "
                              "environment") for d in ("/etc", "/run", "/usr/local/lib", "/usr/lib")},
    **{f"{d}/systemd/user{e}-generators": (GENERATOR, f"every login's systemd user manager runs it as that login at "
                                           f"its start and every daemon-reload{USER_ENV * bool(e)}")
       for d in ("/etc", "/run", "/usr/local/lib", "/usr/lib") for e in ("", "-environment")},
    **{f"{d}/binfmt.d": (START, "systemd-binfmt registers it as root at every boot: the kernel runs the interpreter "
                         "it names for every file of that format") for d in ("/etc", "/run", "/usr/local/lib",
                                                                              "/usr/lib")},
    **{f"{d}/modules-load.d": (START, "systemd-modules-load loads the kernel modules it names as root at every boot")
       for d in ("/etc", "/run", "/usr/local/lib", "/usr/lib")},
}
RUN_PARTS = re.compile(r"[A-Za-z0-9_-]+")  # the names run-parts runs in a directory (Debian's, without --lsbsysinit)
SKIP = re.compile(r"(^\.|^README$|\.dpkg-(old|dist|new|tmp|bak)$|\.ucf-|~$)")  # never run by their runners
SUFFIX = {TMPFILES: ".conf", UDEV: ".rules"}
# the runners that run a command (found by PATH), not a script file (found from the working directory)
WRAPPERS = {"env", "exec", "nohup", "sudo", "timeout", "nice", "ionice", "setsid", "flock", "chronic", "xargs", "su",
            "runuser", "time", "stdbuf", "taskset", "chroot", "start-stop-daemon", "daemon", "watch"}
RUNNERS = WRAPPERS | {"sh", "bash", "dash", "zsh", "ksh", "busybox", "perl", "ruby", "node", "php", "run-parts",
                      "java", "tclsh", "lua", "Rscript", "awk", "gawk", "mawk"}  # and those that run a script
# a wrapper's options that take a value (a user, a group, a shell, a priority, a signal, a lock's wait), and the
# wrappers whose first operand is not the command (flock's lock file, chroot's new root): neither is what it runs
VALUED = {"sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group", "--chdir"},
          "runuser": {"-u", "-g", "-G", "-s", "-w", "--user", "--group", "--supp-group", "--shell"},
          "su": {"-g", "-G", "-s", "-w", "--group", "--supp-group", "--shell"}, "nice": {"-n", "--adjustment"},
          "ionice": {"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}, "env": {"-u", "-C", "--unset"},
          "timeout": {"-s", "-k", "--signal", "--kill-after"}, "flock": {"-w", "-E", "--timeout"},
          "stdbuf": {"-i", "-o", "-e"}}
OPERAND_FIRST = ("flock", "chroot", "timeout")
# the wrappers that run their command as another account, and how they name it: runuser -u U, sudo -u U, setpriv
# --reuid=U, start-stop-daemon --chuid U[:G], chpst -u U[:G]; su's and runuser's first operand (su U -c ...)
SWITCH = {"runuser": ("-u", "--user"), "sudo": ("-u", "--user"), "setpriv": ("--reuid", "--ruid"),
          "start-stop-daemon": ("-c", "--chuid"), "chpst": ("-u",), "su": ()}


def switched_to(argv: list[str]) -> str | None:
    """The account a user-switching wrapper's command line (``runuser -u zabbix -- zabbix_agent2 -c CONF``, ``su -s
    /bin/sh munin -c ...``) runs its command as, or None (another program, or no account named: root's own)."""
    prog = posixpath.basename(argv[0]) if argv else ""
    if prog not in SWITCH:
        return None
    words, valued = argv[1:], VALUED.get(prog, set())
    for i, w in enumerate(words):
        name, eq, value = w.partition("=")
        if name in SWITCH[prog]:
            return (value if eq else words[i + 1] if i + 1 < len(words) else "").split(":")[0] or None
        if prog in ("su", "runuser") and not w.startswith("-") and (i == 0 or words[i - 1] not in valued):
            return w if w != "--" else None  # (su's user operand; "-" alone is --login)
    return None
TOKEN = re.compile(r"""\$\(|&&|\|\||[;&|()`]|"(?:[^"\\]|\\.)*"|'[^']*'|[^\s;&|()`"']+(?:"[^"]*"|'[^']*')?""")
TMPFILES_VERBS = {"f": "creates the file", "w": "writes to", "d": "creates the directory", "D": "creates and empties",
                  "e": "cleans", "v": "creates the subvolume", "q": "creates the subvolume", "Q": "creates the "
                  "subvolume", "p": "creates the FIFO", "L": "makes the link", "c": "creates the device", "b":
                  "creates the device", "C": "copies into", "x": "leaves alone", "X": "leaves alone", "r": "removes",
                  "R": "removes recursively", "z": "sets mode and owner of", "Z": "sets mode and owner recursively "
                  "under", "t": "sets attributes of", "T": "sets attributes recursively under", "h": "sets file "
                  "attributes of", "H": "sets file attributes recursively under", "a": "sets ACLs on", "A": "sets "
                  "ACLs recursively under"}


def view(snap):
    """The snapshot with what the login collector recorded of the paths root's files name (``named``: kept apart
    from ``files``, which the other rules judge) laid over it, and below both the root collector's ``lstat`` of
    what root's own crontab and ``at`` jobs name (``mapped``: None, absent); once per snapshot."""
    from .parse import Snapshot

    if snap is None or not (snap.raw.get("named") or snap.raw.get("mapped")):
        return snap
    if getattr(snap, "acts_view", None) is None:
        root = {p: {"st": st[:6]} if st else {"why": os.strerror(errno.ENOENT)} for p, st in  # (ctime: the pin's)
                (snap.raw.get("mapped") or {}).items()}
        # (a name the login could not read, root's copy has: its bytes stand, as read_root's merge keeps them)
        named = {p: e for p, e in (snap.raw.get("named") or {}).items() if e.get("data") is not None or
                 (snap.files.get(p) or {}).get("data") is None}
        snap.acts_view = Snapshot(dict(snap.raw, files={**root, **snap.files, **named}))
    return snap.acts_view


# ---------------------------------------------------------------- what a command line names, and how

# where a command writes or creates, by the shape of its command line (not by what each program is): the shell's
# output redirections; an option naming an output (``-o``, ``--output=``, ``--log-file``, ``of=`` ...); an archiver's
# or dumper's ``-f`` (``tar czf X``, ``pg_dump -f X``); every operand of the utilities that write or change the
# files they are given; the destination (last operand) of the ones that copy, move or link; zip's archive
OUT_OPTION = re.compile(r"--out|--output(?:-[a-z]+)?|--outfile|--out-file|--log-?file|--pid-?file|"
                        r"--result-file|--target-directory|--dest(?:ination)?|of")
WRITES_EACH = {"tee", "touch", "truncate", "chown", "chmod", "chgrp", "mkdir", "mkfifo", "mknod", "shred", "sponge"}
WRITES_LAST = {"cp", "mv", "install", "ln", "rsync", "scp", "rclone"}
WRITES_FIRST = {"zip"}
NOT_OUTPUT_O = {"unzip", "grep", "egrep", "fgrep", "rg", "ssh", "scp", "sftp", "mount", "ps", "useradd", "usermod"}
REDIRECT_OUT = re.compile(r"(?:\d*|&)(?:>>?|>\|)(&?)(.*)")


def _file_option(prog: str, word: str, before: list[str]) -> bool:
    """Whether ``word`` is an option whose value is the file ``prog`` makes: ``-o``/``-O`` (curl's, sort's, gpg's,
    a compiler's; not the few whose ``-o`` is another thing), an archiver's ``f`` (``tar czf``, ``tar -cf``: the
    bundle's ``f`` takes the next word), a dumper's ``-f`` (``pg_dump -f``, ``mysqldump -r``)."""
    if word in ("-o", "-O"):  # (an output file but for the few whose -o is another thing: grep's, ssh's, unzip's)
        return prog not in NOT_OUTPUT_O
    if prog in ("tar", "bsdtar"):  # (making an archive: -c or --create in the bundle or before)
        made = any(re.fullmatch(r"-?[A-Za-z]*c[A-Za-z]*|--create", w) for w in before)
        return bool(re.fullmatch(r"-?[A-Za-z]*c[A-Za-z]*f", word)) or word in ("-f", "--file") and made
    return prog.endswith(("dump", "dumpall")) and word in ("-f", "--file", "-r")


def _here(cwd: str, word: str) -> str:
    """``word`` as a path from the working directory ``cwd`` (``cd DIR`` before it) when it is a relative one."""
    return posixpath.join(cwd, word) if cwd and word and not word.startswith(("/", "-", "$", "~", "&")) else word


def _words(line: str, cwd: str = "") -> list[tuple[str, str]]:
    """:func:`_words_of` ``line``, each line of up to 1 KiB read once a process (a pure function of its two strings:
    every host's stock cron and unit lines, and the lines each check asks of again, are the same lines)."""
    return list(_words_once(line, cwd)) if len(line) <= 1024 else _words_of(line, cwd)


@functools.lru_cache(maxsize=4096)
def _words_once(line: str, cwd: str) -> tuple[tuple[str, str], ...]:
    return tuple(_words_of(line, cwd))


def _words_of(line: str, cwd: str = "") -> list[tuple[str, str]]:
    """``(how, path)`` of every absolute path a shell command line names: ``runs`` (a command's program, and the
    program or script a runner such as ``sh``, ``python3``, ``nohup``, ``sudo`` is given), ``sources``
    (``.``/``source``), ``works in`` (``cd``/``pushd``), ``writes`` (where the command writes or creates: an output
    redirection, an output option, an operand a file utility writes or changes: :data:`OUT_OPTION`,
    :data:`WRITES_EACH`, :data:`WRITES_LAST`) or ``names`` (any other argument); a
    variable's value set before a command ``sets NAME to`` (judged as what runs, whatever the variable); the
    string of ``sh -c '...'`` is a command line of its own. After ``cd DIR`` a relative program or script runs from
    DIR (``./x``, ``sh x``; a bare command name is found by PATH); ``cwd``: a ``cd`` of the script's lines before."""
    out: list[tuple[str, str]] = []
    start, runner, prev = True, False, ""
    prog, first, pending, seen = "", 0, False, [""][:0]  # (seen: the command's words so far)

    def done():  # the end of a command: its copier's destination, its zip's archive
        mine = [i for i in range(first, len(out)) if out[i][0] == "names"]
        for i in mine[-1:] if prog in WRITES_LAST else mine[:1] if prog in WRITES_FIRST else []:
            out[i] = ("writes in" if prog in WRITES_LAST else "writes", out[i][1])  # (a directory: names in it)

    for tok in TOKEN.findall(line):
        if tok in (";", "&", "&&", "||", "|", "(", ")", "`", "$(", "{", "}"):
            done()
            start, runner, prev, prog, first, pending, seen = True, False, "", "", len(out), False, []
            continue
        word = tok[1:-1] if tok[:1] in "\"'" and tok[-1:] == tok[:1] and len(tok) > 1 else tok
        if prev == "-c" and runner:
            out += _words(word)
            runner, prev = False, word
            continue
        if runner and not word.startswith("-") and (prev in VALUED.get(prog, ()) or prog in OPERAND_FIRST and
                                                    posixpath.basename(prev) == prog):  # (a user, a lock file)
            out += [("names", _norm(word))] if word.startswith("/") else []
            prev = word
            seen.append(word)
            continue
        if (start or runner) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):  # VAR=value before the command
            # (or after a wrapper: ``env``/``sudo VAR=value cmd`` sets it for cmd as the shell's prefix does)
            # (PATH=: commands are found there; SHELL=, HOME=, PYTHONUSERBASE=, NODE_OPTIONS= ...: which variable a
            # program takes code by is not for a list to know, so every variable's paths are what the command runs)
            name, value = word.split("=", 1)
            # (judged as what runs: never only named; a PATH entry is where commands are found by name, not a
            # directory run-parts runs whole: its entries are not each judged)
            how = "finds commands in" if name == "PATH" else f"sets {name} to"
            out += [(how, _norm(w)) for w in C.WORD.findall(value.replace(":", " "))]
            continue
        if start and word in ("then", "do", "else", "elif", "if", "while", "until", "!", "exec", "time", "export",
                              "declare", "typeset", "readonly", "local"):  # (export PATH=...: an assignment)
            continue
        redirect = bool(re.match(r"\d?[<>]|&>", word))
        if cwd and word and prev not in ("-m", "-e", "-E") and not word.startswith(("/", "-", "$", "~")) and \
                not redirect and (runner and prog not in WRAPPERS or (start or runner) and "/" in word):
            word = posixpath.join(cwd, word)  # (a relative script or program with a '/': from the working dir; a
            # bare command name, as a command or a wrapper's command, is found by PATH)
        shaped = REDIRECT_OUT.fullmatch(word) if redirect else None
        option, _, given = word.partition("=") if not start and re.match(r"-|of=", word) else ("", "", "")
        if shaped and not shaped.group(1):  # '> FILE', '2>>FILE', '&>FILE' (not '2>&1': a descriptor); after
            # 'cd DIR' a relative FILE is DIR's
            out += [("writes", _norm(w)) for w in C.WORD.findall(_here(cwd, shaped.group(2)))[:1]]
            pending = not shaped.group(2)
        elif given and (OUT_OPTION.fullmatch(option) or _file_option(prog, option, seen)):  # '--output=FILE', 'of=FILE'
            out += [("writes", _norm(w)) for w in C.WORD.findall(_here(cwd, given))[:1]]
        elif pending and not start and _here(cwd, word) != word:  # an output's value, relative, after 'cd DIR'
            out.append(("writes", _norm(_here(cwd, word))))
            pending = False
        elif word.startswith("/") and not redirect:
            how = ("sources" if prev in (".", "source") else "works in" if prev in ("cd", "pushd") else
                   "runs" if start or runner else "writes" if pending or prog in WRITES_EACH else "names")
            out.append((how, _norm(word)))
            cwd = _norm(word) if how == "works in" else cwd
            pending = False
        else:
            out += [("names", _norm(w)) for w in C.WORD.findall(word.lstrip("<>&0123456789"))]
            pending = not start and not given and (word.startswith("-") and OUT_OPTION.fullmatch(word) is not None or
                                                   _file_option(prog, word, seen))
        if (start or runner) and not word.startswith("-") and not redirect:
            name = posixpath.basename(word)
            runner = name in RUNNERS or name.startswith(("python", "perl", "ruby")) or (runner and word.isdigit())
            prog = name if not word.isdigit() else prog
        elif not word.startswith("-"):
            runner = False
        start, prev = False, word
        seen.append(word)
    done()
    return out


def runs(argv: list[str], cwd: str = "") -> list[str]:
    """The files a process's command line ``argv`` gives its program to run (the script of ``python3 X``, ``sh X``,
    ``node X``, ``java -jar X``, what ``sh -c '...'`` runs; its program itself is its executable, not a word here),
    a relative one resolved from ``cwd``, the process's working directory (never the module of ``-m``)."""
    cwd = cwd if cwd.startswith("/") else ""  # (a relative word is a script from cwd after an interpreter only:
    # a wrapper's command is found by PATH, its options' values are no command: :func:`_words_of`)
    first = 1 if argv and (argv[0].startswith("/") or cwd and "/" in argv[0]) else 0
    return [p for how, p in _words(" ".join(map(shlex.quote, argv)), cwd)[first:] if how == "runs"]


def exact_argv(p: dict, snap) -> list[str]:
    """Process ``p``'s argv as the kernel holds it (``/proc/<pid>/cmdline``: each argument NUL-terminated, an empty
    one kept: ``a '' b`` is not ``a b``, nor ``'a b'`` two words), from the snapshot; without it (facts made
    by hand) its shown command line split as a shell would."""
    raw = (((getattr(snap, "raw", None) or {}).get("proc") or {}).get(str(p.get("pid"))) or {}).get("cmdline")
    if not raw:
        try:
            return shlex.split(p.get("cmdline") or "")
        except ValueError:
            return (p.get("cmdline") or "").split()
    from .parse import kernel_argv

    return kernel_argv(raw)


def named_argv(p: dict, exp, snap) -> list[str]:
    """Process ``p``'s argv as an ``allow_processes`` entry names it (:func:`allow_command`, :func:`allowed_process`):
    :func:`exact_argv`, its first word the program the kernel runs (``exe``) when that word does not name it (a
    path, or a bare name in root's command dirs: :func:`_program`): a title the process wrote over its command line
    (lldpd's ``lldpd: no neighbor.``, which changes with its state; sshd's, postgres's) or a program its parent
    ran under another name (postfix's ``qmgr -l -t unix -u``, ``exec -a``) is its own or its parent's word, the
    kernel's program is not. An interpreter keeps its argv: a title hides the script it runs, which no entry then
    pins."""
    argv = exact_argv(p, snap)
    proc = (((getattr(snap, "raw", None) or {}).get("proc") or {}).get(str(p.get("pid"))) or {})
    exe = str(p.get("exe") or proc.get("exe") or "")
    if not argv or not exe.startswith("/") or exe.endswith(" (deleted)") or runs([exe, "/x"]) or exp is None or \
            _program(exe, argv[0], exp, snap) is None:
        return argv
    return [exe] + argv[1:]


def allow_prefix(argv: list[str]) -> str:
    """The command prefix an ``allow_processes`` line names for a process of the deploy login or the app user
    (their command lines are their own claim: :func:`allow_command`) whose argv is ``argv``: its program,
    and when that program is a runner (an interpreter, ``sh``, ``nohup``) the words through the script it runs:
    ``/usr/bin/perl`` would allow every Perl script, ``/usr/bin/perl -wT /opt/x/run.pl`` allows that one
    (shell-quoted: :func:`deploytests.allowances.command_argv`)."""
    script = next(iter(runs(argv)), None)
    return shlex.join(argv[:argv.index(script) + 1] if script in argv else argv[:1])


def allow_command(exp, user: str, argv: list[str]) -> str:
    """What an ``allow_processes`` line names after ``user:`` for a process whose argv is ``argv``: the whole
    command line, every argument, shell-quoted (``shlex.join``: an argument's spaces, tabs and newlines stay in it,
    and the entry splits back to exactly this argv: :func:`deploytests.allowances.command_argv`; an allowance says
    exactly what runs: ``root: /usr/bin/rsync -a SRC DST`` does not allow ``rsync -e 'sh -c ...' SRC DST``); for
    the deploy login's and the app user's processes, whose command lines are their own claim
    (:func:`.pins.claimed`), the prefix :func:`allow_prefix` gives."""
    return allow_prefix(argv) if exp is not None and user in (exp.deploy_user, exp.cfg.app_user) else shlex.join(
        argv)


def names(exp, user: str, words: list[str] | None, cmd: list[str]) -> bool:
    """Whether an entry's command ``words`` (its argv: :func:`deploytests.allowances.command_argv`) names a process
    of ``user`` whose argv is ``cmd``: all of it, exactly (:func:`allow_command`), or, for the deploy login's and
    the app user's, the arguments it begins with."""
    mine = exp is not None and user in (exp.deploy_user, exp.cfg.app_user)
    return bool(words) and (cmd[:len(words or [])] == words if mine else cmd == words)


def old_form(exp, user: str, entry: str, cmd: list[str]) -> str | None:
    """When ``entry`` (an ``allow_processes`` entry) is written in the form of earlier versions -- the command line's
    words split on blanks, which two command lines can share (``sh -c 'a b'`` and ``sh -c a b``) -- and names
    ``cmd`` only so: one line naming the exact entry to write; else None."""
    rest = entry.partition(":")[2]
    if names(exp, user, command_argv("processes", entry), cmd) or not rest.split():
        return None
    mine = exp is not None and user in (exp.deploy_user, exp.cfg.app_user)
    words = " ".join(cmd).split()
    if (words[:len(rest.split())] if mine else words) != rest.split():
        return None
    from .promises import _allow_hint

    return (f"{entry.strip()!r} in {exp.allow.where} is written in the old form (the command line's words split on "
            f"blanks: two command lines can share it); an entry is now the command line shell-quoted, split back "
            f"exactly as a shell splits it; " + _allow_hint(exp, "allow_processes",
                                                            f"{user}: {allow_command(exp, user, cmd)}"))


def allowed_process(p: dict, exp, snap, live: str | None) -> str | None:
    """None when an ``allow_processes`` entry (``user: command``) accounts for process ``p``; else ``""``
    (no entry names it) or why the entry that names it does not account for what it runs. A process chooses its
    own command line, so an entry binds more than the title: the user; the command line's words, all of them
    (:func:`names`; the deploy login's and the app user's: beginning with the entry's, word by word, ``-m
    app.worker`` is not ``-m app.worker_evil``); and when those words have the program
    take code from its working directory (``-m``, ``-c``, a relative script: ``python -m`` imports from there
    first), that directory is the live release or root's alone (``snap.writable_by_others``: a directory not looked
    at counts as writable); the program the kernel runs (``exe``) is the one the entry names; and no variable by
    which it finds code (``PYTHONPATH``, ``LD_PRELOAD``, ``PATH`` ...) names a place others may change; the entry's
    pin held (:func:`.pins.effective`) and those files did not change after the process started."""
    from .pins import claimed

    cmd = named_argv(p, exp, snap)
    why = ""
    proc = ((getattr(snap, "raw", None) or {}).get("proc") or {}).get(str(p.get("pid"))) or {}
    release = f"{exp.cfg.root}/releases/{live}" if live else None
    for entry in exp.allow.processes:
        user, colon, _ = entry.partition(":")
        words = command_argv("processes", entry) or []
        if colon and user.strip() == p.get("user") and not names(exp, user.strip(), words, cmd):
            why = old_form(exp, user.strip(), entry, cmd) or why
            continue
        if not colon or user.strip() != p.get("user"):
            continue
        said = f"allowed by {entry.strip()!r} in {exp.allow.where}, but "
        claim = claimed(exp, "processes", entry, p.get("user"))
        if claim:
            why = said + claim
            continue
        found = _program(p.get("exe") or proc.get("exe"), words[0], exp, snap) or _environment(proc, release, snap)
        changed = exp.allow.changed("processes", entry, p.get("started")) if exp.allow.changed else None
        if changed and not found:
            why = (said + f"it is pinned to its program's files as they are now, and {changed}: it runs what was "
                   f"there before (restart it after any change to its program)")
            continue
        if found:
            why = said + found + ": the entry accounts for the program it names, not for another"
            continue
        first = next((w for w in words[1:] if not w.startswith("-") and "=" not in w), "/")  # (a script)
        found = _user_site(cmd, p, proc, exp, snap)
        if found:
            why = said + found + ": the entry accounts for the program it names, not for code found there"
            continue
        if not code_from_cwd(words):
            found = _script(first, p.get("user") or "", release, snap) if first != "/" else None
            if not found:
                return None
            why = said + found + ": the entry accounts for the program it names, not for code found there"
            continue
        cwd = str(proc.get("cwd") or "")
        if release and (cwd == release or cwd.startswith(release + "/")):
            return None
        loose = snap.writable_by_others(cwd) if snap is not None and cwd.startswith("/") else "not known"
        if loose is None:
            return None
        why = (said + f"it takes code from its working directory {cwd or '(not known)'} (-m, -c or a relative "
               f"script: imported before anything else), which is not the live release and someone but root may "
               f"change ({loose}): the entry accounts for the program it names, not for code found there")
    return why


def _script(path: str, user: str, release: str | None, snap,
            what: str = "the script is its code, and Python imports a module put beside it before the standard "
                        "library's", how: str = "runs") -> str | None:
    """Why the script an allowed interpreter runs (``python3 /opt/x/run.py``) is code someone else may change, or
    None: it or a directory above it is writable by someone but root and the process's own user (Python puts
    the script's own directory first on sys.path: a module dropped beside it is imported before the stdlib's);
    the live release and what the snapshot did not look at are no claim. ``what``, ``how``: another place the
    interpreter takes code from (:func:`_user_site`)."""
    if snap is None or (release and (path == release or path.startswith(release + "/"))):
        return None
    loose = _loose(snap, path)
    shown = re.fullmatch(r"(\S+) (\d{4}) ([^:]+):(\S*)", loose or "")
    if not loose or (shown and shown.group(3) == user and not int(shown.group(2), 8) & 0o022):
        return None
    return f"it {how} {path}, which someone but root may change ({loose}): {what}"


def _user_site(argv: list[str], p: dict, proc: dict, exp, snap) -> str | None:
    """Why an allowed Python's user site (``~/.local/lib/pythonX.Y/site-packages`` of its user's home, which it
    adds to sys.path and whose ``.pth`` files and ``usercustomize`` it runs at start unless ``-s``, ``-I`` or
    ``PYTHONNOUSERSITE``) is a place someone but root and that user may change, or None (no such dir seen)."""
    exe, user = str(p.get("exe") or proc.get("exe") or ""), p.get("user") or ""
    users = getattr(snap, "users", None)
    home = ((users.by_name.get(user) or [""] * 6)[5] if users else "") or ""
    if not posixpath.basename(exe).startswith("python") or not home.startswith("/") or "PYTHONNOUSERSITE=" in (
            proc.get("environ") or "") or any(set(w[1:]) & {"s", "I"} for w in argv[1:] if w[:1] == "-" != w[1:2]):
        return None
    site = f"{home.rstrip('/')}/.local/lib/python{exp.stack.python_version}/site-packages"
    return _script(site, user, None, snap, "Python runs the .pth files and usercustomize of its user site at every "
                   "start, before its script", "imports from") if snap is not None and snap.st(site) else None


def code_from_cwd(words: list[str]) -> bool:
    """Whether a command line's words take code from the working directory: ``-m``, ``-c`` or a relative script
    (its first word after the program that is no option or assignment), as ``python -m`` imports from there."""
    first = next((w for w in words[1:] if not w.startswith("-") and "=" not in w), "/")
    return any(w in ("-m", "-c") for w in words[1:]) or not first.startswith("/")


# what a program reads from its environment to find code: the dynamic linker's and the interpreters' own variables
CODE_ENV = ("LD_", "PYTHON", "PERL", "RUBY", "NODE_", "GCONV_PATH", "PATH=")


def _program(exe: str | None, word: str, exp, snap) -> str | None:
    """Why the program the kernel runs for a process (``exe``: argv[0] is the caller's choice) is not the one an
    entry's first ``word`` names (through the snapshot's links; a bare name, from root's command dirs; a python
    of the app's venvs, the stack's interpreter, which test_venv_python_is_the_stacks holds them to), or None."""
    if exe is None:
        return "the program it runs is not known (its /proc exe was not readable: CAP_SYS_PTRACE)"
    names = [word] if word.startswith("/") else [f"{d}/{word}" for d in C.COMMANDS]
    want = {n for n in names} | ({snap.realpath(n) for n in names} if snap is not None else set())
    if reaches(word, exp.cfg.root) and "/venv/bin/python" in word:
        want.add(f"/usr/bin/python{exp.stack.python_version}")
    return None if exe in want else f"it runs {exe}, not {word} (its command line's first word is its own choice)"


def _environment(proc: dict, release: str | None, snap) -> str | None:
    """Why a variable of a process's environment by which its program finds code (:data:`CODE_ENV`) names a place
    outside the live release that someone but root may change, or None (an environment not read: other users'
    processes; root's and the watched users' are)."""
    for pair in (proc.get("environ") or "").split("\0"):
        if not pair.startswith(CODE_ENV) or "=" not in pair:
            continue
        for path in C.WORD.findall(pair.split("=", 1)[1].replace(":", " ")):
            path = _norm(path)
            inside = release and (path == release or path.startswith(release + "/"))
            loose = None if inside or snap is None else snap.writable_by_others(path)
            if loose:
                return f"its environment's {pair[:160]!r} names {path}, which someone but root may change ({loose})"
    return None


def _norm(path: str) -> str:
    return posixpath.normpath("/" + path.lstrip("/"))


def _loose(snap, path: str) -> str | None:
    """Why someone but root may change ``path`` (it, a link on the way, a directory above), when the snapshot
    shows it; None when root's alone or not looked at (never guessed)."""
    found = snap.writable_by_others(path)
    return None if not found or found.endswith("(not looked at)") else found


def _unmade(snap, real: str) -> str | None:
    """For a program or file root takes code from that is not there: its first directory that is, when anyone may
    add a name to it, a sticky one too (``/tmp``, ``/var/tmp``, ``/dev/shm``): a name not there yet is whoever
    makes it first's, and root then runs that one's file. (What root only names there is not judged so.)"""
    if snap.st(real) is not None or (snap.files.get(real) or {}).get("why") != os.strerror(errno.ENOENT):
        return None
    probe = posixpath.dirname(real)
    while probe != "/" and snap.st(probe) is None:
        probe = posixpath.dirname(probe)
    st = snap.st(probe)
    return None if not st or not stat.S_ISDIR(st[0]) or not st[0] & 0o002 else \
        "%s %04o %s:%s: %s is not there, and whoever makes it first owns it" % (
            probe, st[0] & 0o7777, snap.users.name(st[1]), snap.users.group(st[2]), real)


APP_WRITES = "the app user writes its shared dirs"


def app_writes(how: str, path: str, real: str, root: str) -> str:
    """What a path in the app's tree that root runs from (not only names, nor works in) says when it lies in a
    shared dir (``shared/<dir>``: the app user's to write, its data; not a file of ``shared/`` itself, the app's
    config the deploy login uploads; a variable only when a program finds code by it, :data:`CODE_ENV`,
    ``BASH_ENV``): root takes its code from the least trusted account, which no allowance accounts for (an
    allowance for a job with the app's code means the deploy's released code)."""
    shared = root.rstrip("/") + "/shared/"

    def in_shared_dir(p: str) -> bool:
        rel = p[len(shared):].strip("/") if p.startswith(shared) else ""
        return bool(rel) and ("/" in rel or "." not in rel)

    inside = next((p for p in (path, real) if in_shared_dir(p)), None)
    var = how.split()[1] if how.startswith("sets ") else ""  # (a variable: one a program finds its code by)
    code = not var or var.startswith(CODE_ENV) or var in ("BASH_ENV", "ENV", "SHELL")
    return "" if how in ("names", "works in") or not code or inside is None else \
        f", which someone but root may change ({APP_WRITES}: {inside})"


WRITE_MEANS = ("whoever may write there puts a link in its place, and root truncates or overwrites the file it "
               "leads to (/etc/shadow, a sudoers file, a script root runs)")


def _written(snap, path: str, real: str, root: str, into: bool = False) -> str | None:
    """Why a path a root job writes or creates is a finding, or None: its directory (as written, or after the
    snapshot's links) is in the app's tree, or someone but root may add a name to it or a directory above it
    (:meth:`Snapshot.writable_by_others` of the directory: a sticky one of root's, ``/tmp``, is not: the kernel's
    ``fs.protected_symlinks`` and ``fs.protected_regular``, which the host baseline holds on, refuse root a link
    or another's file planted there; nor one a login that is root anyway owns alone: :func:`_admins`). Whose the
    file itself is says nothing (another's file in root's directory
    cannot become a link), but a copy's destination (``into``) that is a directory is where its names are made; a
    directory not looked at is no claim."""
    if path.startswith(("/dev/", "/proc/", "/sys/")):
        return None
    st = snap.st(real) if snap is not None else None
    ups = [posixpath.dirname(p) for p in dict.fromkeys((path, real))] + ([real] if into and st and stat.S_ISDIR(
        st[0]) else [])
    found = next(("the app's tree: the deploy login's and the app user's to write" for d in ups if reaches(d, root)),
                 None) or next((w for d in ups if snap is not None and (w := _loose(snap, d)) and not _admins(snap, w)),
                               None)
    return f"writes {path}, which someone but root may change ({found}): {WRITE_MEANS}" if found else None


def _admins(snap, why: str) -> bool:
    """Whether the place ``why`` names (``_loose``'s text) is a directory only its owner may write, and that owner
    is root anyway: a member of the sudo, wheel or admin group, or named (by name, ``%group``) by a sudoers rule
    that lets it run ``ALL`` as root (once per snapshot; a rule for one command, the app user's reload, is not):
    an admin's own place counts as root's (a backup into an admin's home)."""
    from .parse import sudoers_lines
    from .promises import sudo_root_specs
    from .sockets import SUDO_GROUPS

    if getattr(snap, "admins", None) is None:
        groups, names = set(SUDO_GROUPS), {""} - {""}
        for r in sudoers_lines(snap) if getattr(snap, "files", None) else []:
            if any(cmd == "ALL" for cmd, _ in sudo_root_specs(r["text"], False)):
                who = r["text"].split(None, 1)[0]
                (groups if who.startswith("%") else names).add(who.lstrip("%"))
        snap.admins = {0} | {int(f[2]) for n, f in snap.users.by_name.items() if n in names or groups & set(
            (snap.users.facts(n) or {}).get("groups") or [])}
    st = snap.st(why.split(" ")[0])
    return bool(st) and st[1] in snap.admins and not st[0] & 0o022


def path_problem(snap, how: str, path: str, root: str, depth: int = 1, loose: bool = True) -> str | None:
    """Why a path that root ``how`` (runs, sources, works in, names) is a finding, or None: it is in the app's tree
    (as written, or after the snapshot's links), someone but root may change it (``loose``: counted for root's
    jobs only: another user's own files are that user's), or (a program root runs) it is a root script that
    names such a path itself (``depth`` levels further)."""
    real = snap.realpath(path) if snap is not None else path
    if how.startswith("writes") and loose:
        return _written(snap, path, real, root, how == "writes in")
    how = "names" if how.startswith("writes") else how  # (another user's job: where it writes is its own)
    if reaches(path, root) or reaches(real, root):
        return (f"{how} {path} (the app's tree)" if reaches(path, root) else
                f"{how} {path}, a link to {real} (the app's tree)") + app_writes(how, path, real, root)
    if how == "names" or snap is None:
        return None
    st = snap.st(real)
    if st and stat.S_ISCHR(st[0]):  # a character device (/dev/null of a job's '>/dev/null 2>&1'): no file's content
        return None  # anyone changes, root runs or reads back as code
    found = (_loose(snap, path) or _unmade(snap, real) if how != "works in" else _loose(snap, path)) if loose \
        else None
    if found:
        return f"{how} {path}, which someone but root may change ({found})"
    if how == "runs" and depth > 0 and st and stat.S_ISDIR(st[0]):  # a directory root runs: run-parts, each entry
        for name in [n for n in snap.listdir(real) or [] if RUN_PARTS.fullmatch(n)]:
            entry = snap.st(f"{real}/{name}")  # (a package's unchanged program is the stock baseline, its owner
            why = path_problem(snap, how, f"{real}/{name}", root, depth, loose) if entry and not stat.S_ISDIR(
                entry[0]) and not packaged(snap, f"{real}/{name}") else None  # too: at's 6755 daemon:daemon)
            if why:
                return f"{how} {path}, which {why}"
    text = snap.text(real) if depth > 0 and not real.startswith(("/dev/", "/proc/", "/sys/")) and \
        not packaged(snap, real) else None
    if text is not None and not text.startswith("\x7fELF"):
        shell, cwd = _shell_script(text), ""  # (a 'cd' line holds for the script's later lines)
        for n, line in _lines(text):
            for h, p in _words(line, cwd) if shell or n == 1 else [("loads", _norm(w)) for w in C.WORD.findall(line)]:
                cwd = p if h == "works in" else cwd
                why = path_problem(snap, h, p, root, depth - 1, loose)
                if why:
                    return f"{how} {path}, which {why} ({real}:{n})"
    return None


SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "busybox"}


def _shell_script(text: str) -> bool:
    """Whether a script is the shell's (no ``#!``: ``sh`` runs it), whose words :func:`_words` reads as a command
    line's. Another interpreter's (Python, Perl ...) says by its own code what it does with a path it names
    (``sys.path.insert``, ``require``, ``open``): each absolute path word of it is taken as code it loads."""
    first = text.split("\n", 1)[0]
    words = first[2:].split() if first.startswith("#!") else []
    name = posixpath.basename(words[0]) if words else "sh"
    return (posixpath.basename(words[1]) if name == "env" and len(words) > 1 else name) in SHELLS


def packaged(snap, path: str) -> str | None:
    """The package whose file ``path`` is as dpkg unpacked it: a conffile only by dpkg's md5 (an admin's edit is
    not, and dpkg keeps it through every upgrade, which rewrites the package's list: its ctime says nothing), any
    other file when dpkg lists it and its inode did not change after that package's list was written, or later
    within the time its install took in dpkg's log (:func:`.parse.dpkg_installed`: its maintainer scripts' work,
    lldpd's postinst ``dpkg-statoverride --update --add _lldpd adm 4750`` of lldpcli): the distribution's program,
    whose lines are not read as root's own script (munin-node's Perl documentation naming its pid file is no
    command); None when not known. dpkg's conffiles read once per snapshot."""
    from .parse import dpkg_files, dpkg_installed, dpkg_lists, shipped_files

    if getattr(snap, "dpkg_conffiles", None) is None:
        snap.dpkg_conffiles = shipped_files(snap)  # (ucf's files as shipped too)
    if path in snap.dpkg_conffiles:
        pkg, md5 = snap.dpkg_conffiles[path]
        data = snap.data(path)
        return pkg if data is not None and hashlib.md5(data).hexdigest() == md5 else None
    pkg, st = dpkg_files(snap).get(path), snap.st(path)
    if not pkg or not st or len(st) < 7:
        return None
    lists, took = dpkg_lists(snap).get(pkg, []), dpkg_installed(snap).get(pkg, 0)
    return pkg if any(t is not None and st[6] <= t + 2 + took for t in ((snap.files.get(ls) or {}).get("ctime")
                                                                         for ls in lists)) else None


POSITIONAL = r"\$(?:[@*1-9]|\{[@*1-9][^}]*\})"  # a shell's arguments ("$@", $*, $1, ${1:-x}, ${@:-x}; not $#)
ARGV = re.compile(r"\bsys\.argv\b|@ARGV\b|\$ARGV\[|\bprocess\.argv\b|\bARGV\b")  # an interpreter's
CHECKS = ("[", "[[", "test", "case", "echo", "printf", "logger", "shift", ":", "exit", "return", "esac", ";;")


def forwards(snap, path: str) -> str | None:
    """Where the root script ``path`` (root's, read by the gate's login; a package's unchanged file is not read as
    root's own) hands its caller's arguments on to a command, as ``file:line 'text'``, or None: a line that runs
    something with ``"$@"``, ``$*``, ``$1``... or with a variable set from them (``ARGS="$@"``, ``for a in
    "$@"``, ``getopts``' ``OPTARG``), not one that only tests or prints them; for another interpreter's script, a
    line naming its argument vector (``sys.argv``, ``@ARGV``, ``process.argv``). A ``case`` that checks the
    argument against fixed words still hands it on: the words belong in the command (``start) systemctl start
    app ;;``)."""
    real = snap.realpath(path)
    st, text = snap.st(real), snap.text(real)
    if not st or st[1] != 0 or text is None or not text.startswith("#!") or packaged(snap, real):
        return None
    shell = re.match(r"#!\s*(?:/usr)?/bin/(?:env\s+)?(?:ba|da|k|z)?sh\b", text) is not None
    tainted: set[str] = set()
    for n, line in list(_lines(text))[1:]:
        bare = line.strip()
        if not shell:
            if ARGV.search(bare):
                return f"{real}:{n} {bare[:100]!r}"
            continue
        uses = POSITIONAL + "".join(f"|\\$\\{{?{v}\\b" for v in sorted(tainted))
        if "getopts" in bare:
            tainted |= {"OPTARG"} | set(re.findall(r"getopts\s+\S+\s+(\w+)", bare))
        if not re.search(uses, bare):
            continue
        tainted |= set(re.findall(r"(?:^|[\s;)])([A-Za-z_]\w*)=", bare)) | set(re.findall(r"\bfor\s+(\w+)\s+in\b",
                                                                                         bare))
        uses = POSITIONAL + "".join(f"|\\$\\{{?{v}\\b" for v in sorted(tainted))
        for part in re.split(r"&&|\|\||;|(?<![|])\|(?![|])", bare):
            words = re.sub(r"^(?:(?:if|elif|while|until|then|do|else|!|for|local|export|readonly|declare)\s+|"
                           r"[^\s()]+\)\s*)+", "", part.strip()).split()  # (a case label 'x)' too)
            if not words or words[0] in CHECKS or re.match(r"[A-Za-z_]\w*=|\w+\s+in\b", " ".join(words)) or \
                    not re.search(uses, part):
                continue  # (a test, a print, an assignment: the variable is judged where it is used)
            return f"{real}:{n} {bare[:100]!r}"
    return None


def _lines(text: str):
    """(number, line) of a script's lines that run something: not blank, not a comment (the ``#!`` line is)."""
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#!") and n == 1:
            yield n, stripped[2:]
        elif stripped and not stripped.startswith("#"):
            yield n, line


def command_problem(snap, job: str, root: str, loose: bool = True, shell: bool = True) -> tuple[str, bool] | None:
    """What a command line (or a whole script) makes its user run or touch that the deploy login or the app can
    change: ``(why, runs)`` for its first such path (``runs``: code runs from there; else it is only named), a
    path that runs preferred, one someone but root may change first; or None. ``loose``: a path someone but root
    may change counts (root's jobs); ``shell``: the text is a shell's (else where it writes is not judged)."""
    found, cwd = [], ""  # (a 'cd' line holds for the script's later lines)
    for _, line in _lines(job):
        for how, path in _words(line, cwd):  # (not a shell's line, another tool's syntax: where it writes is not known)
            cwd = path if how == "works in" else cwd
            why = path_problem(snap, how if shell or not how.startswith("writes") else "names", path, root, loose=loose)
            if why:
                found.append((why, how != "names"))
    return next((f for f in found if f[1] and "which someone but root may change" in f[0]),  # (what hands it over
                next((f for f in found if f[1]), found[0] if found else None))  # first: one cause, one line)


# ---------------------------------------------------------------- the places

def _stock(snap, path: str, conffiles: dict, lists: dict) -> str | None:
    """The package whose file ``path`` is as dpkg unpacked it: a conffile with dpkg's md5, or a file of a
    package's list whose inode did not change after that list was written (the snapshot's ``ctime``)."""
    if path in conffiles:
        data = snap.data(path)
        pkg, md5 = conffiles[path]
        return pkg if data is not None and hashlib.md5(data).hexdigest() == md5 else None
    listed = lists.get(path)
    mine, theirs = (snap.files.get(path) or {}).get("ctime"), (snap.files.get(listed or "") or {}).get("ctime")
    if listed and mine is not None and theirs is not None and mine <= theirs + 2:
        return listed.rsplit("/", 1)[1][:-len(".list")].split(":")[0]
    return None


def _lists(snap) -> dict[str, str]:
    """``{path: dpkg list file}`` of every packaged path in :data:`PLACES` (once per snapshot); a path a package
    lists under a merged-/usr alias (Debian 12's ``/lib/systemd/...``) counts under ``/usr`` too."""
    from .parse import MERGED, list_texts, shared

    if getattr(snap, "acts_lists", None) is None:
        snap.acts_lists = shared("acts_lists", list_texts(snap), lambda: _listed(snap, MERGED))
    return snap.acts_lists


def _listed(snap, merged: tuple) -> dict[str, str]:
    tops = tuple(p + "/" for p in PLACES) + tuple(p for p in PLACES if not p.endswith(".d"))
    found: dict[str, str] = {}
    for name in snap.listdir(C.DPKG_INFO) or []:
        if name.endswith(".list"):
            for line in (snap.text(f"{C.DPKG_INFO}/{name}") or "").splitlines():
                for path in (line, "/usr" + line) if line.startswith(merged) else (line,):
                    if path.startswith(tops):
                        found.setdefault(path, f"{C.DPKG_INFO}/{name}")
    return found


def entries(snap) -> list[tuple[str, str, str]]:
    """``(path, kind, when)`` of every entry of :data:`PLACES` the snapshot holds (their runners' name rules)."""
    out = []
    for place, (kind, when) in PLACES.items():
        names = snap.listdir(place)
        if names is None:
            out += [(place, kind, when)] if snap.st(place) is not None and not stat.S_ISDIR(snap.st(place)[0]) else []
            continue
        out += [(f"{place}/{n}", kind, when) for n in names if not SKIP.search(n) and n.endswith(SUFFIX.get(kind, ""))]
        out += [(f"{place}/{n}/{m}", kind, when) for n in names if kind == START and not SKIP.search(n)
                for m in snap.listdir(f"{place}/{n}") or [] if not SKIP.search(m)]  # (a unit dir's .wants, .d)
    return out


def _tmpfiles(snap, line: str, root: str) -> str | None:
    fields = line.split()
    if len(fields) < 2:
        return None
    kind, path = fields[0].rstrip("!+-=~^"), fields[1]
    verb = TMPFILES_VERBS.get(kind[:1], f"acts ({kind}) on")
    owner = ":".join(f for f in fields[3:5] if f != "-")
    target = fields[6] if len(fields) > 6 else ""
    if reaches(path, root) or reaches(snap.realpath(path), root):
        return f"root {verb} {path} (the app's tree)" + (f" as {owner}" if owner else "")
    if target.startswith("/") and (reaches(target, root) or reaches(snap.realpath(target), root)):
        return f"root {verb} {path} from {target} (the app's tree)"
    loose = _loose(snap, posixpath.dirname(path.split("%")[0].rstrip("/")) or "/")
    if loose and not kind.startswith(("x", "X", "r", "R", "e")):
        return f"root {verb} {path}, where someone but root may change what it acts on ({loose})"
    said = " ".join(fields[6:])
    if kind[:1] in "fwLC" and said not in ("", "-"):  # (content the line says: wherever it goes, a start entry)
        return (f"root {verb} {path} with what the line says ({said[:100]!r}) at every boot: a start entry (a grant, "
                f"a job, a link, a kernel setting written then)")
    return None


UDEV_CMD = re.compile(r"\b(RUN|PROGRAM|IMPORT\{program\})(?:\{program\})?\s*\+?=\s*\"([^\"]*)\"")
# the mode udevd gives the device nodes a rule matches (at every boot and device event): others' bits open them to
# every local user (a disk: every file; memory, input: keys, keystrokes), whatever else the rule says
UDEV_MODE = re.compile(r"\bMODE\s*:?=\s*\"([0-7]{3,4})\"")


def entry_problems(snap, path: str, kind: str, when: str, root: str, conffiles: dict) -> list[str]:
    """The rule for one entry (see the module doc): ``file[:line]: why`` lines, none when it is stock or
    harmless."""
    if _stock(snap, path, conffiles, _lists(snap)):
        return []
    st = snap.st(path)
    if st is None:
        return []
    loose = _loose(snap, path)
    if loose:
        return [f"{path}: {when}, and someone but root may change it ({loose}): whoever can runs code as root"]
    real = snap.realpath(path)
    if kind == START:
        st, link = snap.st(real), (snap.files.get(path) or {}).get("link")
        by_hand = link and PLACES.get(posixpath.dirname(real), ("",))[0] == START and \
            not _stock(snap, real, conffiles, _lists(snap))  # (a link to an entry by hand: that entry's line)
        made = path.startswith("/etc/systemd/user/") and snap.st(C.USER_DSH + path[len("/etc/systemd/user"):])
        return [] if st is not None and stat.S_ISDIR(st[0]) or by_hand or made else [
            f"{path}{' -> ' + link if link else ''}: {when}: an entry no package ships, a start entry (what it says "
            "applies at the next start, which the gate, seeing what runs now, does not see before it does)"]
    if kind == LINKS:
        if real.startswith("/etc/init.d/") or "link" not in (snap.files.get(path) or {}):
            return []  # the init script itself is judged as an entry of its own
        why = path_problem(snap, "runs", path, root)
        return [f"{path}: {when}: it {why}"] if why else []
    text = snap.text(real)
    if text is None:
        why = (snap.files.get(real) or {}).get("why") or "not looked at"
        return [] if stat.S_ISDIR((snap.st(real) or [0])[0]) else [
            f"{path}: {when}, and the gate could not read it ({why}): what it runs is not accounted for"]
    if text.startswith("\x7fELF"):
        return [f"{path}: {when}: a program no package ships (only a package's unchanged file is accounted for)"]
    out = []
    for n, line in _lines(text):
        if kind == TMPFILES:
            why = None if line.lstrip().startswith("#") else _tmpfiles(snap, line, root)
        elif kind == UDEV:
            why = next((w for _, cmd in UDEV_CMD.findall(line) if (w := (command_problem(snap, cmd, root) or
                                                                            ("", False))[0])), None) or next((
                f"gives every local user {('write', 'read', 'read and write')[(int(m, 8) & 6) // 2 - 1]} access to "
                f"the devices it matches (MODE=\"{m}\"): a disk is every file, memory or an input device "
                "root's keys and keystrokes: make it 0660 with a group" for m in UDEV_MODE.findall(line)
                if not line.lstrip().startswith("#") and int(m, 8) & 0o006), None)
        else:
            why = (command_problem(snap, line, root) or ("", False))[0]
        if why:
            out.append(f"{path}:{n}: {when}: {'it ' if kind != TMPFILES else ''}{why}")
    return out or ([f"{path}: {when}: {BY_HAND[kind]}"] if kind in BY_HAND else [])


# the kinds of entry that are a finding by hand whatever they name: what they decide happens later, unseen now
BY_HAND = {GENERATOR: "a generator no package ships, a start entry: the units, links and environment it writes "
                      "start at the next boot or daemon-reload (a listener, a login, a job), which the gate, seeing "
                      "what runs now, does not see before it runs",
           POLICY: "a policy no package ships: what it denies is not done and nothing says so (an upgrade of Apache, "
                   "OpenSSH or OpenSSL that never restarts what it fixed, logrotate's reload of Apache skipped)"}


# ---------------------------------------------------------------- processes

def process_problems(snap, root: str, skip_users, skip_pids) -> list[tuple[dict, str]]:
    """``(process, why)`` of each live process of anyone but ``skip_users``, outside a live SSH session and not
    in ``skip_pids`` (its command line names the app's tree: the process rule's own line), that runs from the
    app's tree as resolved, not as spelled: its working directory there (a relative path, and Python's
    ``sys.path[0]`` for ``python -c``/``-m``, resolve there), its executable there, a word of its command line
    that resolves there (a link) or a root script it runs that names it, or a file there it holds open; a root
    process also when its program (the kernel's ``exe``: its command line is its own to write, ``setproctitle``)
    or a path its command line names, wherever in a word, or a place a variable of its environment by which it
    finds code names (:func:`_environment`: ``PYTHONPATH``, ``LD_PRELOAD``, ``PATH`` ...; the root collector reads
    root's processes' environments and lstats the paths they name), is one someone but root may change."""
    from ..untrusted import line  # (the kernel's /proc text: names the deploy login chose, as they are)
    from .collect_root import APACHE_BIN  # (Apache's environment, envvars: the loader rule's line)
    from .parse import Procs, in_session

    procs, out, flagged = Procs(snap), [], set()
    below: dict[int, set[str]] = {}  # pid -> the files it or a process below it holds open (tmux's pane's tail)
    for pid in procs.table:
        opened = set(((snap.raw.get("proc") or {}).get(str(pid)) or {}).get("open") or [])
        for q in [procs.table[pid]] + procs.ancestors(pid):
            below.setdefault(q["pid"], set()).update(opened)
    for pid in sorted(procs.table):
        p, entry = procs.table[pid], (snap.raw.get("proc") or {}).get(str(pid)) or {}
        if p["user"] in skip_users or p["state"] in ("Z", "X") or pid in skip_pids or pid == snap.raw.get("pid"):
            continue
        if in_session(procs.ancestors(pid)):
            continue
        why = None
        cwd, exe = entry.get("cwd") or "", (entry.get("exe") or "").split(" (deleted)")[0]
        if reaches(cwd, root) or reaches(snap.realpath(cwd) if cwd.startswith("/") else "", root):
            why = (f"its working directory is {line(cwd)} (the app's tree): what it runs by a relative path, and "
                   f"Python's first sys.path entry (python -c, -m), come from there")
        elif reaches(exe, root):
            why = f"its executable is {line(exe)} (the app's tree)"
        else:
            argv = [a for a in (entry.get("cmdline") or "").split("\0") if a]
            # a file it (or a process below it: a tmux pane's) holds open that its command line does not give it to
            # run (what tail -F, less read) is data: its place is judged, its text is not read as a script it runs
            data = below.get(pid, set()) - set(runs(argv, cwd)) - {exe}
            # (a root wrapper that runs its command as another account, runuser -u zabbix --: what that command
            # runs and reads is that account's, judged as its own process is; the wrapper's program stays root's)
            other = switched_to(argv) not in (None, "root", "0")
            found = [path_problem(snap, "runs", a, root, depth=0 if a in data else 1,
                                  loose=p["uid"] == 0 and (not other or n == 0))
                     for n, a in enumerate(C.argv_paths([exe] + argv))]  # (its program, the kernel's exe,
            # whatever its title; every path, wherever in a word)
            found += [_environment(entry, None, snap)] if p["uid"] == 0 and exe != APACHE_BIN else []
            held = [f for f in entry.get("open") or [] if reaches(f, root)]
            why = next((w for w in found if w), None) or (f"it holds {line(held[0])} open (the app's tree): it reads "
                                                         f"or runs a file the deploy login or the app can change"
                                                         if held else None)
        if why and p["ppid"] not in flagged:  # (a child of a process named for it: one cause, one line)
            out.append((procs.shown(pid), why))
        flagged.update([pid] if why else [])
    return out


def traced(snap, users, apache_bin: str) -> list[tuple[dict | None, str]]:
    """Each process of ``users`` (the app's, Apache's) or of Apache's binary that another process traces
    (``/proc/<pid>/status`` ``TracerPid``: ptrace, e.g. ``strace -p``, ``gdb -p``): the tracer reads and may change
    everything the process reads, writes and holds (requests, cookies, the app's secrets). ``(tracer, line)``."""
    from .parse import Procs

    procs, out = Procs(snap), []
    for pid in sorted(procs.table):
        p, entry = procs.table[pid], (snap.raw.get("proc") or {}).get(str(pid)) or {}
        if p["user"] not in users and (entry.get("exe") or "") != apache_bin:
            continue
        tracer = next((ln.split()[1] for ln in (entry.get("status") or "").splitlines()
                       if ln.startswith("TracerPid:") and len(ln.split()) > 1), "0")
        if tracer.isdigit() and int(tracer):
            t = procs.table.get(int(tracer))
            by = f"pid {tracer} ({t['user']}) {procs.full_cmdline(int(tracer))[:160] or t['comm']!r}" if t else \
                f"pid {tracer} (not seen)"
            out.append((t, f"pid {pid} ({p['user']}) {procs.full_cmdline(pid)[:80] or p['comm']!r} is traced by {by}: "
                           f"the tracer reads and may change everything it reads, writes and holds (requests, "
                           f"cookies, the app's secrets)"))
    return out


# DHCP clients hold a packet socket by design (they speak DHCP before the host has an address): the distribution's
DHCP_CLIENTS = ("/usr/sbin/dhclient", "/sbin/dhclient", "/usr/sbin/dhcpcd", "/usr/lib/systemd/systemd-networkd",
                "/lib/systemd/systemd-networkd", "/usr/sbin/NetworkManager")


def capturing(snap) -> list[tuple[dict, str]]:
    """Each process holding a packet socket (``/proc/net/packet``: AF_PACKET, what tcpdump, a sniffer or a
    capture library opens) but the distribution's DHCP clients: it reads every packet this host sends and
    receives, the app's requests (session cookies, passwords of a login form, the deploy's health gate) among
    them, plain HTTP behind a TLS-terminating proxy too. ``(holder, line)``."""
    from .parse import Procs

    procs = Procs(snap)
    inodes = {int(f[8]) for f in (ln.split() for ln in (snap.text("/proc/net/packet") or "").splitlines()[1:])
              if len(f) > 8 and f[8].isdigit()}
    owners, out = procs.sockets(), []
    for pid in sorted({pid for inode in inodes for pid in owners.get(inode, []) if pid in procs.table}):
        p, entry = procs.table[pid], (snap.raw.get("proc") or {}).get(str(pid)) or {}
        if (entry.get("exe") or "") in DHCP_CLIENTS:
            continue
        out.append((p, f"pid {pid} ({p['user']}) {procs.full_cmdline(pid)[:160] or p['comm']!r} holds a packet socket "
                       f"(it captures the host's traffic, as tcpdump does): it reads every request to the app and "
                       f"every answer (session cookies, login passwords), whatever a file it writes them to allows"))
    return out


# ---------------------------------------------------------------- the rules (registered in promises.py)

def cw_root_acts(facts, exp):
    """Every entry of the places root acts later (:data:`PLACES`) is a package's unchanged file, or root's alone
    and runs or touches nothing the deploy login or the app can change (:func:`entry_problems`); allow a file by
    its path (``allow_cron``)."""
    from .parse import shipped_files
    from .promises import ROOT_TO_OTHERS, NotApplicable, _allow_hint, _snapshot, _unaccounted, root_to_others

    snap = view(_snapshot(facts, "the places root acts later"))
    if snap.listdir("/etc/init.d") is None and snap.listdir("/etc/update-motd.d") is None:
        raise NotApplicable("the probe did not read the places root acts later (an older probe)")
    known = shipped_files(snap)
    lines, via = [], {}  # (one cause, one line: the rc?.d links to an init script others may change are its own line's)
    for path, kind, when in entries(snap):  # (allowed: still what hands root to someone else)
        for ln in entry_problems(snap, path, kind, when, exp.cfg.root, known):
            loose = re.search(r"someone but root may change it (\(.*?\)): ", ln)
            if loose and loose.group(1) in via:
                via[loose.group(1)].append(path)
                continue
            if path not in exp.allow.cron or ROOT_TO_OTHERS in ln or loose:
                via.update({loose.group(1): []} if loose else {})
                lines.append((loose.group(1) if loose else None, f"{ln}. " + (
                    root_to_others(exp, "allow_cron", path in exp.allow.cron) if ROOT_TO_OTHERS in ln or loose else
                    _allow_hint(exp, "allow_cron", path))))
    lines = [ln.replace(": whoever can", f" (root also runs it through {', '.join(via[c])}): whoever can", 1)
             if c and via[c] else ln for c, ln in lines]
    _unaccounted("entr[y|ies] of the places root acts later", lines, "cw_root_acts", exp)


def cw_traced(facts, exp):
    """No process of the app user or Apache's (its root parent, its workers, the app's daemons) is traced
    (``TracerPid``): a root ``strace -p``/``gdb -p`` copies every request and secret of the app; and no process but
    a DHCP client captures the host's packets (:func:`capturing`: a ``tcpdump`` left running); a tracer or capturer
    allowed by ``allow_processes`` (its ``user: command``, the whole command line) aside."""
    from .promises import NotApplicable, _allow_hint, _live_id, _needs_root, _snapshot, _unaccounted

    _needs_root(facts, "reading every process's status")
    snap = _snapshot(facts, "the processes' status")
    if not snap.raw.get("proc"):
        raise NotApplicable("the probe read no process (no sudo)")
    users = {exp.cfg.app_user, exp.stack.apache.run_user}
    live = (getattr(facts, "tree", None) or {}).get("current") and _live_id(facts)
    lines = []
    for tracer, line in traced(snap, users, "/usr/sbin/" + exp.stack.apache.process_name) + capturing(snap):
        cmd = named_argv(tracer or {}, exp, snap)
        why = allowed_process(tracer, exp, snap, live) if tracer else ""
        if why is None:
            continue
        user = (tracer or {}).get("user", "?")
        hint = _allow_hint(exp, "allow_processes", f"{user}: {allow_command(exp, user, cmd)}")
        lines.append(line + (f"; {why}" if why else "") + ". " + hint)
    _unaccounted("process[|es] traced", lines, "cw_traced", exp)



def process_lines(facts, exp, reaching) -> list[str]:
    """The process rule's lines for what runs from the app's tree as resolved (:func:`process_problems`): anyone's
    process but the app's, the deploy login's and Apache's user's (their own rule), outside a live SSH session,
    not already named for its command line (``reaching``), not allowed (``allow_processes``) -- except a root
    process running what someone but root may change (its program, the script it gives an interpreter, their
    directories: the login collector lstats every path a root process's command line names), which no allowance accounts
    for: allow_processes and allow_listen account for the process or its socket, not for who may change what it
    runs."""
    from .promises import _allow_hint, _proc

    snap = view(getattr(facts, "raw", None))
    if snap is None or not getattr(snap, "files", None) or not snap.raw.get("proc"):
        return []
    users = {exp.cfg.app_user, exp.deploy_user, exp.stack.apache.run_user}
    lines = []
    for p, why in process_problems(snap, exp.cfg.root, users, {r["pid"] for r in reaching}):
        cmd = exact_argv(p, snap)
        loose = p["uid"] == 0 and re.match(r"(?:runs|its environment's .*? names) \S+, which .*?someone but root "
                                           r"may change", why)  # (nested too)
        if loose:
            takes = "whoever that is runs code as root at its next start" if loose.group(0).count(", which ") == 1 \
                and why.startswith("runs ") \
                else "root's program takes what it names there (code it imports, a file it reads or writes) from " \
                     "whoever that is"
            lines.append(f"{_proc(p)}, outside any login session: {why}: {takes}; make it and its directories "
                         f"root's alone: no allowance accounts for it")
            continue
        if any(a.split(":", 1)[0].strip() == p["user"] and names(exp, p["user"], command_argv("processes", a), cmd)
               for a in exp.allow.processes if ":" in a):
            continue
        lines.append(f"{_proc(p)}, outside any login session: {why}: what the deploy login or the app writes there "
                     f"runs with {p['user']}'s rights. " + _allow_hint(
                         exp, "allow_processes", f"{p['user']}: {allow_command(exp, p['user'], cmd)}"))
    return lines
