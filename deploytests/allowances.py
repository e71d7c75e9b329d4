"""What a target's owner allows on its servers beyond what deploytests made and the stack's stock baseline.

The closed-world gate (docs/promises.md, "closed world") fails on anything on a server that serves, runs,
grants or loads code into the app unless bootstrap/deploy made it, the stack's stock server has it, or the
target allows it here, in writing (targets.toml, ``allow_*`` keys of ``[targets.NAME]``). Every allowance is
data (an address, a path, a name, a rule's text), never code. ``skip_rules`` switches a closed-world or
security rule off by id, with a reason the report shows.

Light to import (the pytest plugin loads the inventory into every run): dataclasses only.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Allowances:
    """A target's written allowances (each a tuple of plain strings) and switched-off rules (id -> reason);
    ``where``: the targets.toml table they came from (file:line), shown with every allowance used."""

    listen: tuple[str, ...] = ()       # "host:port" or "*:port" (any address), "udp/..." for UDP
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
    skip_rules: dict[str, str] = field(default_factory=dict)
    where: str = "targets.toml"
