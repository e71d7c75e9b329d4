"""The inventory: ``targets.toml`` names the targets and what the suite may do on each.

::

    [targets.staging]
    hosts = ["appuser@web1.example.com", "appuser@web2.example.com:2222"]
    identity_file = "~/.ssh/deploy_ed25519"       # relative paths: relative to this file
    known_hosts = "known_hosts"                   # checked, never auto-added
    deploy = true                                 # may the suite deploy? (default false: read-only)

    [targets.web3]                                # a host may be a table, to give it a short name and URL
    hosts = [{ name = "web3", address = "deployer@10.0.0.13", base_url = "http://10.0.0.13" }]

Every key: :data:`TARGET_FIELDS` and :data:`HOST_FIELDS` (name, kind, default, doc, example; the same tables
check the file, name the allowed keys in errors and render README.md's example). The rules shared with
``deploy.toml`` live in :mod:`deploytests.schema`.
``kind`` (default ``"ssh"``) picks the provider; ``docker`` is built in and needs no entry, but an entry
``[targets.docker]`` may set its ``config_file``. Every error is one line naming the file and, where
known, the line: ``targets.toml:7: target 'staging': key 'deploy' must be true or false, got 'yes'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..allowances import PINNED, RUNS, SWITCHABLE, Allowances, pin_problem
from ..config import env_table
from ..errors import ConfigError
from ..schema import Custom, Document, Field, Flag, Integer, LocalPath, Strings, Table, Text, Url, read_toml, suggest
from ..words import count
from .base import Rights

HOST_RE = re.compile(r"^(?:(?P<user>[a-z_][a-z0-9_.-]*)@)?(?P<host>[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])"
                     r"(?::(?P<port>\d{1,5}))?$")
USER_RE = re.compile(r"^[a-z_][a-z0-9_.-]*$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LOCAL = "a path (relative to the targets file)"
# a pin's form in the examples (the gate's line prints the one to write)
PIN_EXAMPLE = "50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c"

# The keys of a [targets.NAME] table and of a host table, in the order README.md shows them (its example is
# rendered from these by tests/unit/test_schema.py, which keeps them equal).
TARGET_FIELDS: tuple[Field, ...] = (
    Field("kind", Text(r"\S+", "a string (ssh or docker)"), example='"ssh"',
          doc='default "ssh"; the built-in "docker" target needs no entry'),
    Field("hosts", Custom("a list of 'user@host[:port]' strings or tables"),
          example='["deployer@web1.staging.example.com", "deployer@web2.staging.example.com:2222"]'),
    Field("user", Text(USER_RE.pattern, "a login name (a string)"), example='"deployer"',
          doc="the login of hosts written without user@"),
    Field("identity_file", LocalPath(LOCAL), doc="relative paths are relative to targets.toml",
          example='"~/.ssh/deploytests_staging"'),
    Field("known_hosts", LocalPath(LOCAL), doc="host keys are checked; unknown or changed keys stop the run",
          example='"staging_known_hosts"'),
    Field("base_url", Custom("an http(s) URL, or a table of them by host"), example='"https://staging.example.com"',
          doc='or a table by host name, no :port: { "web1.staging.example.com" = "https://..." }'),
    Field("config_file", LocalPath(LOCAL), example='"config/staging.cfg"',
          doc="the app config uploaded there (default: the app's own), or a\n"
              "directory (e.g. a config repository's checkout) with one\n<host>.cfg (or <host>:<port>.cfg) per host"),
    Field("env", Custom('a table of NAME = "value" strings'), example='{ SITE_NAME = "staging" }',
          doc="the app's env here, over deploy.toml's env (not secret)"),
    Field("deploy", Flag(), default=False, doc="default false: read-only verification (pytest and fab)",
          example="true"),
    Field("destructive", Flag(), default=False, doc="failure-injection scenarios (default false)", example="false"),
    Field("before_host", Text(r"(?s).*\S.*", "a shell command (a string)"),
          example='"./lb drain $DEPLOYTESTS_HOST_NAME"',
          doc="rollout: run on the runner before each host's deploy;\nnon-zero exit or timeout: the host failed"),
    Field("after_host", Text(r"(?s).*\S.*", "a shell command (a string)"),
          example='"./lb enable $DEPLOYTESTS_HOST_NAME"',
          doc="rollout: run on the runner after each host's deploy"),
    Field("hook_timeout", Integer(1, 3600), default=60, doc="seconds each hook may take (default 60)",
          example="60"),
    # the closed-world gate's allowances (deploytests.allowances): data the owner writes, never code
    Field("allow_listen", Strings(unique=True), default=(),
          example='["localhost:9100 prometheus /usr/bin/prometheus-node-exporter sha256:' + PIN_EXAMPLE + '"]',
          doc="sockets allowed besides Apache on the app's port,\nsshd and packaged system daemons on loopback only"
              "\n(chrony; as root: the MTA only): \"ADDRESS USER EXE [ARGS] sha256:HEX\""
              "\n(the holder's user and whole command line, every\nargument as the shell quotes it; its "
              "executable and\nan interpreter's script pinned to their content: the\ngate's line prints it),"
              "\nADDRESS \"*:port\" (any),\n"
              "\"localhost:port\" (loopback) or \"host:port\", \"udp/\" before\n"
              "it for a UDP socket (\"udp/*:161 Debian-snmp /usr/sbin/snmpd\"); the\n"
              "address alone: an Apache Listen only; a root\nprocess's UNIX socket others may connect to:\n"
              "\"unix:/path USER EXE sha256:HEX\" (\"unix:@name\": abstract)"),
    Field("allow_sites", Strings(unique=True), default=(), example='["status.example.com"]',
          doc="ServerNames of vhosts allowed besides the app's"),
    Field("allow_apache_conf", Strings(unique=True), default=(),
          example='["/etc/apache2/conf-enabled/ops.conf sha256:' + PIN_EXAMPLE + '"]',
          doc="files Apache may include besides the stock ones and ours,\neach pinned to its content "
              "(the gate's line prints it)"),
    Field("allow_modules", Strings(unique=True), default=(), example='["headers_module"]',
          doc="Apache modules allowed besides the stock ones"),
    Field("allow_processes", Strings(unique=True), default=(),
          example='["deployer: /usr/bin/tmux sha256:' + PIN_EXAMPLE + '"]',
          doc='"user: command sha256:HEX": processes of the app,\ndeploy or Apache user allowed besides ours (and\n'
              "root's left to pid 1 outside a service),"
              "\npinned to their program's content (its executable\nand a script outside the app's tree; the gate's"
              "\nline prints it); the whole command line, every argument\nshell-quoted, split back exactly as a shell "
              "splits it\n(the app user's and the deploy login's: its first words,\ntheir command lines being their "
              "own claim) "
              '(word by word;\nwith -m, -c or a relative script, its working\ndirectory must be the live release '
              "or root's; a\nscript by its path: it and its directories root's\nor the process user's alone, and so "
              "a Python's\nuser site (~/.local/lib/pythonX.Y/site-packages)\nunless -s or -I; the\n"
              "program the kernel runs must be the first word's\n(a venv's python: the stack's), and "
              "no LD_*, PYTHON*,\nPERL*, RUBY*, NODE_* or PATH variable of its\nenvironment may name a place others "
              "may change;\na root process's own script (Python, Perl ...)\nis read: each absolute path in it "
              "root's alone,\nwhatever is allowed; a path it builds at run\ntime is not seen: keep that root's)"),
    Field("allow_cron", Strings(unique=True), default=(),
          example='["/etc/cron.d/app-backup sha256:' + PIN_EXAMPLE + '"]',
          doc="cron files allowed to run jobs as those users\nor with the app's code (never a job of root's that\n"
              "runs, sources or finds commands or modules (PATH,\nPYTHONPATH, venv/bin/x after cd) in the app's tree:\n"
              "the deploy login changes its releases; nor one of the\n"
              "deploy login's doing so in a shared dir, the app\nuser's); any other file root runs later\n"
              "(a hook, an init script, a tmpfiles.d file) by its path;\neach pinned to its content; and every "
              "boot start entry\nno package made: an @reboot job, rc.local, an rc?.d start\nlink's script, an "
              "inittab line, a kernel command line\nword (/etc/default/grub, grub.d, /etc/kernel/cmdline)"),
    Field("allow_units", Strings(unique=True), default=(),
          example='["app-report.service sha256:' + PIN_EXAMPLE + '"]',
          doc="systemd units allowed to run as the app or deploy user\nor with code from the app's tree, each "
              "pinned to its unit\nfile and drop-ins; \"user@NAME\": NAME's systemd user\nmanager (linger, "
              "enabled or run-time user units; no pin). Deny by\ndefault: every unit file, drop-in, alias or "
              "enable link\n"
              "in systemd's admin and runtime dirs no package made (a\npostinst's: deb-systemd-helper's record) "
              "needs its line"),
    Field("allow_sudo", Strings(unique=True), default=(), example='["%ops ALL=(ALL) ALL"]',
          doc="sudoers lines allowed besides Debian's, bootstrap's and the login's;\nalso a doas.conf or "
              "capability.conf line, a polkit rules file's path,\n\"nsswitch: sss\" (accounts, sudo rules from a "
              "directory)"),
    Field("allow_groups", Strings(unique=True), default=(), example='["deployer: docker"]',
          doc='"user: group": any group of the deploy, app or Apache user\nbeyond bootstrap\'s (a login with sudo '
              'rules of its own: none)'),
    Field("allow_privileged", Strings(unique=True), default=(), example='["/usr/bin/mtr-packet 0750 root:netops '
          'cap_net_raw=ep sha256:' + PIN_EXAMPLE + '"]',
          doc='"path MODE owner:group[ caps] sha256:HEX": setuid/setgid\nfiles and files with capabilities allowed '
          'besides the stock ones (a capability\nthat reaches others\' data fails if every user may run the '
          'file);\na place of /etc, /usr or /boot a service\'s own account\nmay change (puppet\'s devices dir): '
          '"dir/ MODE owner:group",\na file pinned (never one a login, the deploy login,\nthe app user or Apache\'s '
          'user may change)'),
    Field("allow_commands", Strings(unique=True), default=(),
          example='["/usr/local/bin/python3 sha256:' + PIN_EXAMPLE + '"]',
          doc="files in /usr/local/{sbin,bin} allowed to shadow a packaged\ncommand of the same name on root's "
              "PATH, each pinned\nto its content; also a perl module, or a Python install in\n/usr/local's site "
              "dir (pinned to its files), taking a\npackaged module's name"),
    Field("allow_mapped", Strings(unique=True), default=(),
          example='["/usr/local/lib/libvendor.so.1 sha256:' + PIN_EXAMPLE + '"]',
          doc="files no package ships that Apache's processes or the app's\ndaemons map as code (a vendor's "
              "library), each pinned to\nits identity as root sees it (inode, size, mtime, ctime,\nmode, owner: "
              "any rewrite or replacement changes it)"),
    Field("allow_pam", Strings(unique=True), default=(),
          example='["pam_access.so sha256:' + PIN_EXAMPLE + '"]',
          doc="PAM modules in sshd's or sudo's stack beyond Debian's\nstock lines (they decide who logs in, when "
              "and from\nwhere), each pinned to its lines there and its own\nconfiguration (access.conf, "
              "time.conf, a file= ...)"),
    Field("allow_keys", Strings(unique=True), default=(), example='["deployer SHA256:'
          'nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"]',
          doc='"login SHA256:fingerprint" (ssh-keygen -lf): SSH keys\nallowed to open the deploy login, the '
              "gate's login or a\nlogin that may become root, besides the key the gate\nlogs in with; "
              '"* SHA256:..." a user CA sshd trusts;\n"login AuthorizedKeysCommand ..." a key source sshd\n'
              'asks for it, as sshd_config has it; "login /path" a key\nfile of it the gate cannot read; '
              '"login password": sshd\ntakes that login\'s password (an account with a shell)'),
    Field("skip_rules", Custom("a table of rule id = reason"),
          example='{ sec_tokens = "behind a proxy that strips it" }',
          doc="rules switched off, each with a reason (closed-world\nor security rules only; the report shows it)"),
)
HOST_FIELDS: tuple[Field, ...] = (
    Field("name", Text(NAME_RE.pattern, "a short name (letters, digits, '.', '_', '-')"), example='"web1"'),
    Field("address", Custom("'user@host[:port]'"), required=True, example='"deployer@10.0.0.11"'),
    Field("base_url", Url(), example='"https://www.example.com"'),
)


@dataclass(frozen=True)
class HostSpec:
    """One host of a target: where to SSH to, and the name shown in test ids."""

    user: str
    host: str
    port: int = 22
    name: str = ""
    base_url: str = ""

    @property
    def label(self) -> str:
        """``ssh://user@name`` (the port is added when it is not 22 and no short name is given)."""
        where = self.name or (self.host if self.port == 22 else f"{self.host}:{self.port}")
        return f"ssh://{self.user}@{where}"


@dataclass(frozen=True)
class TargetSpec:
    """One target of the inventory, validated. ``where`` is ``file:line`` of its table, for messages."""

    name: str
    kind: str = "ssh"
    hosts: tuple[HostSpec, ...] = ()
    identity_file: Path | None = None
    known_hosts: Path | None = None
    base_url: str = ""
    config_file: Path | None = None
    env: tuple[tuple[str, str], ...] = ()  # over deploy.toml's env on this target
    rights: Rights = field(default_factory=Rights)
    where: str = ""
    rights_where: str = ""  # file:line of its ``deploy`` key (else of its table): where a refusal points
    before_host: str = ""
    after_host: str = ""
    hook_timeout: int = 60
    allow: Allowances = field(default_factory=Allowances)


def load_inventory(path: Path) -> dict[str, TargetSpec]:
    """Read and validate every target of ``path``. Raises a one-line ConfigError naming file and line; refused
    unless no one but this login and root may change it (:func:`deploytests.cache.owned_alone`): its hosts, keys,
    allowances and rules switched off decide what the gate accepts and where a deploy ships the config."""
    from ..cache import owned_alone

    owned_alone(path, "the targets file", "its hosts, allowances and skip_rules decide what the gate accepts: make it "
                "and the directories above it yours or root's alone (chmod go-w, chown)")
    doc = read_toml(Path(path), what="targets file",
                    missing_hint="create it (deploytests init writes an example) or pass --targets-file")
    targets = doc.data.get("targets", {})
    if not isinstance(targets, dict) or any(k != "targets" for k in doc.data):
        raise ConfigError("expected only [targets.NAME] tables", where=doc.where(1),
                          hint="put every key under a [targets.NAME] header")
    return {name: _target(name, table, doc) for name, table in targets.items()}


def find_target(name: str, path: Path | None, *, inventory: dict[str, TargetSpec] | None = None) -> TargetSpec:
    """The target ``name`` of the inventory at ``path`` (None: no inventory; only ``docker`` exists).
    ``inventory``: that file, already loaded."""
    if inventory is None:
        inventory = load_inventory(path) if path is not None else {}
    if name in inventory:
        return inventory[name]
    if name == "docker":
        return TargetSpec(name="docker", kind="docker", rights=Rights(deploy=True, destructive=True))
    if path is None:
        raise ConfigError(f"unknown target {name!r}: no targets file",
                          hint="the only built-in target is 'docker'; create targets.toml or pass --targets-file")
    known = ", ".join(sorted({*inventory, "docker"}))
    raise ConfigError(f"unknown target {name!r}; targets in {path}: {known}")


def parse_host(text: str, *, default_user: str = "") -> HostSpec:
    """``user@host:port`` (user and port optional) -> HostSpec. Raises ValueError with the expected form."""
    m = HOST_RE.match(text.strip()) if isinstance(text, str) else None
    if not m or not (m["user"] or default_user) or not 0 < int(m["port"] or 22) < 65536:
        raise ValueError(f"host {text!r} is not 'user@host[:port]'")
    return HostSpec(user=m["user"] or default_user, host=m["host"].strip("[]"), port=int(m["port"] or 22))


def _target(name: str, table: object, doc: Document) -> TargetSpec:
    where = doc.where(doc.table_line("targets", name))
    t = Table(table, TARGET_FIELDS, where=where, label=f"target {name!r}", base=doc.path.parent,
              form="[targets.NAME]", doc=doc, header=("targets", name))
    kind = t.get("kind", "docker" if name == "docker" else "ssh")
    base_url = t.raw("base_url")
    return TargetSpec(
        name=name, kind=kind, hosts=_hosts(t), where=where, rights_where=t.where_of("deploy"),
        rights=Rights(deploy=t.get("deploy", kind == "docker"), destructive=t.get("destructive", kind == "docker")),
        identity_file=t.get("identity_file"),
        known_hosts=t.get("known_hosts"),
        base_url="" if base_url is None or isinstance(base_url, dict) else Url().convert(base_url, t, "base_url"),
        config_file=t.get("config_file"),
        env=env_table(t),
        before_host=t.get("before_host") or "", after_host=t.get("after_host") or "",
        hook_timeout=t.get("hook_timeout", 60),
        allow=_allowances(t),
    )


def _allowances(t: Table) -> Allowances:
    """The target's ``allow_*`` keys and ``skip_rules`` (an unknown rule id or an empty reason is refused)."""
    skip = t.raw("skip_rules") or {}
    if not isinstance(skip, dict):
        raise t.fail("skip_rules", t.fields["skip_rules"].kind.allowed, skip)
    for rule, reason in skip.items():
        if rule not in SWITCHABLE:
            raise t.error(f"skip_rules: unknown rule {rule!r}; rules that can be switched off: "
                          f"{', '.join(SWITCHABLE)}", hint=suggest(rule, SWITCHABLE), key="skip_rules")
        if not isinstance(reason, str) or not reason.strip():
            raise t.error(f"skip_rules: rule {rule!r} needs a reason (a non-empty string), got {reason!r}",
                          hint=f'write {rule} = "why it does not apply here"', key="skip_rules")
    allowed = {name[len("allow_"):]: t.get(name) for name in t.fields if name.startswith("allow_")}  # allow_X: X
    for kind in PINNED + RUNS:
        for entry in allowed[kind]:
            problem = pin_problem(entry)
            if problem:
                raise t.error(f"allow_{kind} entry {entry!r}: {problem}", value=entry, entry_of=f"allow_{kind}",
                              hint="copy the pinned line the gate prints for it (\"NAME sha256:<64 hex>\")")
    lines = {f"allow_{k}": t.where_of(f"allow_{k}") for k in PINNED + RUNS if allowed[k]}
    return Allowances(**allowed, skip_rules=dict(skip), where=t.where_of("skip_rules") if skip else t.where,
                      lines=lines)


def _hosts(t: Table) -> tuple[HostSpec, ...]:
    entries = t.raw("hosts")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise t.fail("hosts", t.fields["hosts"].kind.allowed, entries)
    user = t.get("user", "")
    hint = "write user@host[:port], or set the target's user for hosts written without one"
    hosts = []
    for i, entry in enumerate(entries, 1):
        name, url = "", ""
        if isinstance(entry, dict):
            h = Table(entry, HOST_FIELDS, where=t.where, label=f"{t.label}: host {i}", form="{ address = ... }",
                      doc=t.doc, header=t.header, within="hosts")
            name, url, entry = h.get("name", ""), h.get("base_url", ""), h.get("address")
            try:
                spec = parse_host(entry, default_user=user)
            except ValueError:
                raise h.error(f"key 'address' must be 'user@host[:port]', got {entry!r}", hint=hint, key="address",
                              value=entry) from None
        else:
            try:
                spec = parse_host(entry, default_user=user)
            except ValueError as exc:
                raise t.error(str(exc), hint=hint, value=entry, entry_of="hosts") from None
        hosts.append(HostSpec(spec.user, spec.host, spec.port, name, url))
    t.no_duplicates("hosts", [h.label for h in hosts], shown=str)
    # a string and a table may name one login under two labels
    t.no_duplicates("hosts", [f"{h.user}@{h.host}:{h.port}" for h in hosts], shown=str)
    return _with_urls(t, tuple(hosts))


def _with_urls(t: Table, hosts: tuple[HostSpec, ...]) -> tuple[HostSpec, ...]:
    """Each host's base_url: its own, else its entry in a ``base_url`` table (keyed by short name or host name;
    an entry naming no host of this target is refused, and so is a host name two hosts would take their URL
    from: several sshd ports on one address, as containers are, are several servers, each with its own site)."""
    table = t.raw("base_url")
    if not isinstance(table, dict):
        return hosts
    keys = dict.fromkeys(k for h in hosts for k in (h.name, h.host) if k)
    urls = Table(table, [Field(k, Url()) for k in keys], where=t.where, label=f"{t.label}: base_url", doc=t.doc,
                 header=t.header, within="base_url")
    takers: dict[str, list[str]] = {}  # key -> the hosts taking their URL from it
    for h in hosts:
        key = h.name if h.name and h.name in table else h.host
        if not h.base_url and key in table:
            takers.setdefault(key, []).append(h.label)
    for key, labels in takers.items():
        if len(labels) > 1:
            raise urls.error(f"key {key!r} names {count(len(labels), 'host')} ({', '.join(labels)}), which would all "
                             "be checked at that one URL", key=key, hint="give each host its own URL: a host table "
                             "{ name = \"web1\", address = \"user@host:port\", base_url = \"http://...\" }")
    return tuple(h if h.base_url else replace(h, base_url=urls.get(h.name or h.host, "") or urls.get(h.host, ""))
                 for h in hosts)
