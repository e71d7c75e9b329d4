"""What a target's owner allows on its servers beyond what deploytests made and the stack's stock baseline.

The closed-world gate (docs/promises.md, "closed world") fails on anything on a server that serves, runs,
grants or loads code into the app unless bootstrap/deploy made it, the stack's stock server has it, or the
target allows it here, in writing (targets.toml, ``allow_*`` keys of ``[targets.NAME]``). Every allowance is
data (an address, a path, a name, a rule's text), never code. ``skip_rules`` switches a closed-world or
security rule off by id, with a reason the report shows.

An allowance that names a container of code (:data:`PINNED`: a file root runs later, a file Apache includes, a unit,
a privileged file, a command in /usr/local, a PAM module of the logins' stacks, a library no package ships that
Apache maps: its identity) pins its content:
``"/etc/cron.d/backup sha256:<64 hex>"``. It holds only while the thing's content hashes to the pin
(:func:`deploytests.verify.pins.effective` resolves the pins against a host's snapshot once per check, so the rules
see the bare names that still hold); an entry without a pin, or whose thing changed since, allows nothing, and the
gate's line prints the pinned form to write after review. A name allows what was there when it was written, not
whatever is put in it later. So does an allowance of what runs or listens (:data:`RUNS`): it names the program it
allows by content, its executable and, for an interpreter, the script it runs, not a port or a process title another
program may take.

Light to import (the pytest plugin loads the inventory into every run): dataclasses only.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# the rules a target may switch off (skip_rules); the pipeline's own promises cannot be switched off
SWITCHABLE = ("cw_listen", "cw_apache_files", "cw_modules", "cw_vhosts", "cw_in_force", "cw_processes",
              "cw_schedules", "cw_units", "cw_sudoers", "cw_groups", "cw_app_login", "cw_tree_special", "cw_loader",
              "cw_load_path", "cw_setuid", "cw_apache_effects", "cw_sshd", "cw_pam", "cw_login_files", "cw_packaged",
              "cw_root_acts", "cw_traced",
              "rollback_ready", "sec_trace", "sec_tokens", "sec_status", "sec_cors", "sec_apache_user", "sec_apt",
              "sec_updates", "cw_served",
              "cw_handlers", "cw_in_front", "cw_mapped", "cw_bytecode",
              "cw_become", "cw_deploy_account", "sec_secrets", "sec_ssh_crypto", "sec_ssh_limits", "sec_logs",
              "sec_guards", "sec_sysctl", "sec_sticky")


# the allowances that name a container of code, whose entries pin its content (``NAME sha256:HEX``); a unit's
# ``user@NAME`` (an account's systemd manager) names no file and takes no pin
PINNED = ("cron", "apache_conf", "units", "privileged", "commands", "pam", "mapped")
# the allowances of what runs or listens, whose entries pin the program they allow (its executable and an
# interpreter's script: ``"*:9100 prometheus /usr/bin/prometheus-node-exporter sha256:HEX"``); an allow_listen
# address alone (an Apache ``Listen``) names no program and takes no pin
RUNS = ("listen", "processes")
PIN = re.compile(r"\s+sha256:(\S*)$")
HEX = re.compile(r"[0-9a-f]{64}")


def split_pin(entry: str) -> tuple[str, str | None]:
    """``"NAME sha256:HEX"`` -> ``("NAME", "HEX")``; an entry without a pin -> ``(entry, None)``. The pin's form
    is checked when the inventory is read (:func:`pin_problem`)."""
    m = PIN.search(entry)
    return (entry[:m.start()], m.group(1)) if m else (entry, None)


def command_argv(kind: str, name: str) -> list[str] | None:
    """The exact argv an entry of what runs names (``name``: its pin off): ``allow_processes``' after ``USER:``,
    ``allow_listen``'s after ``ADDR USER``, split as a POSIX shell splits words (``shlex``: quotes and backslashes,
    nothing expanded), so an argument holding a space, a tab or a newline, or an empty one, is written quoted and
    two different argv never share an entry (``shlex.join`` writes it: the hints print that); None when it does
    not split (an unclosed quote)."""
    rest = name.partition(":")[2] if kind == "processes" else (name.split(None, 2) + ["", "", ""])[2]
    try:
        return shlex.split(rest)
    except ValueError:
        return None


def pin_problem(entry: str) -> str | None:
    """Why ``entry``'s pin is malformed (a ``sha256:`` word that is not 64 lowercase hex digits, or not last), or
    None."""
    bare, pin = split_pin(entry)
    if pin is not None and not HEX.fullmatch(pin):
        return f"its pin 'sha256:{pin}' is not 'sha256:' and 64 lowercase hex digits"
    if "sha256:" in bare:
        return "'sha256:HEX' must be its last word, after one space"
    return None


@dataclass(frozen=True)
class Allowances:
    """A target's written allowances (each a tuple of plain strings) and switched-off rules (id -> reason);
    ``where``: the targets.toml table they came from (file:line), shown with every allowance used."""

    listen: tuple[str, ...] = ()       # "ADDR USER EXE [ARGS] sha256:HEX": ADDR "host:port" or "*:port" (any
    #                                    address), "udp/..." for UDP, "unix:NAME"; ADDR alone: an Apache Listen
    sites: tuple[str, ...] = ()        # ServerName of a vhost
    apache_conf: tuple[str, ...] = ()  # a file Apache includes, as it lists it
    modules: tuple[str, ...] = ()      # an Apache module, e.g. "ssl_module"
    processes: tuple[str, ...] = ()    # "user: command line prefix"
    cron: tuple[str, ...] = ()         # a file root runs later: a crontab or cron.d file, a hook, an init script
    units: tuple[str, ...] = ()        # a systemd unit by name, e.g. "app-report.service"; "user@NAME": NAME's
    #                                    systemd user manager (linger, enabled user units)
    sudo: tuple[str, ...] = ()         # the text of a sudoers line (whitespace normalised)
    groups: tuple[str, ...] = ()       # "user: group"
    privileged: tuple[str, ...] = ()   # "path MODE owner:group[ caps]": a setuid/setgid file or one with capabilities
    commands: tuple[str, ...] = ()     # a file in /usr/local/{sbin,bin} named like a packaged command
    pam: tuple[str, ...] = ()          # a PAM module in sshd's or sudo's stack beyond Debian's, e.g. "pam_access.so"
    mapped: tuple[str, ...] = ()       # a file Apache or the daemons map as code that no package ships (pinned by
    #                                    the identity root's collector sees: pins.digest)
    keys: tuple[str, ...] = ()         # "LOGIN SHA256:FP": an SSH key (ssh-keygen -lf's fingerprint) that opens
    #                                    LOGIN, who deploys or may become root; "* SHA256:FP": a user CA sshd trusts;
    #                                    "LOGIN password": sshd takes LOGIN's password (a login with a shell)
    skip_rules: dict[str, str] = field(default_factory=dict)
    where: str = "targets.toml"
    lines: Mapping[str, str] = field(default_factory=dict, compare=False)  # allow_X key -> file:line of the key
    # set on the allowances a host's rules see (verify.pins.effective): kind, name -> the thing's content hash
    # now (None: not read), and {(kind, name): the pin written ("": none)} of written entries that do not hold
    digest: Callable[[str, str], str | None] | None = field(default=None, compare=False, repr=False)
    unheld: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False)
    # and kind, name, a process's start -> when a file of the program it pins changed after that (None: not since)
    changed: Callable[[str, str, float | None], str | None] | None = field(default=None, compare=False, repr=False)
    identity: Callable[[str, str], str] | None = field(default=None, compare=False, repr=False)  # (pins.identity)
    # and kind, name -> (path, what, whose) of the allowed program's configuration its pin covers (pins.configs)
    configs: Callable[[str, str], list] | None = field(default=None, compare=False, repr=False)
