"""The inventory: ``targets.toml`` names the targets and what the suite may do on each.

::

    [targets.staging]
    hosts = ["appuser@web1.example.com", "appuser@web2.example.com:2222"]
    identity_file = "~/.ssh/deploy_ed25519"       # relative paths: relative to this file
    known_hosts = "known_hosts"                   # checked, never auto-added
    base_url = "https://staging.example.com"      # one for all hosts, or a table: {"web1.example.com" = "..."}
    config_file = "config/staging.cfg"            # the app config uploaded there (default: the app's own)
    deploy = true                                 # may the suite deploy? (default false: read-only)
    destructive = false                           # failure-injection scenarios? (default false)

    [targets.web3]                                # a host may be a table, to give it a short name and URL
    hosts = [{ name = "web3", address = "deployer@10.0.0.13", base_url = "http://10.0.0.13" }]
    ...

``kind`` (default ``"ssh"``) picks the provider; ``docker`` is built in and needs no entry, but an entry
``[targets.docker]`` may set its ``config_file``. Every error is one line naming the file and, where
known, the line: ``targets.toml:7: target 'staging': key 'deploy' must be true or false, got 'yes'``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .base import Rights

HOST_RE = re.compile(r"^(?:(?P<user>[a-z_][a-z0-9_.-]*)@)?(?P<host>[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])"
                     r"(?::(?P<port>\d{1,5}))?$")
USER_RE = re.compile(r"^[a-z_][a-z0-9_.-]*$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TARGET_KEYS = ("kind", "hosts", "identity_file", "known_hosts", "base_url", "config_file", "deploy",
               "destructive", "user")
HOST_KEYS = ("name", "address", "base_url")


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
    rights: Rights = field(default_factory=Rights)
    where: str = ""


def load_inventory(path: Path) -> dict[str, TargetSpec]:
    """Read and validate every target of ``path``. Raises a one-line ConfigError naming file and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"targets file {path} does not exist",
                          hint="create it (deploytests init writes an example) or pass --targets-file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read targets file {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", where=_at(path, line),
                          hint="save the file as UTF-8 (TOML files are UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", where=_at(path, int(found[1]) if found else None)) from None
    targets = data.get("targets", {})
    if not isinstance(targets, dict) or any(k != "targets" for k in data):
        raise ConfigError("expected only [targets.NAME] tables", where=_at(path, 1))
    return {name: _target(name, table, path, _line_of(text, name)) for name, table in targets.items()}


def find_target(name: str, path: Path | None) -> TargetSpec:
    """The target ``name`` of the inventory at ``path`` (None: no inventory; only ``docker`` exists)."""
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


def _at(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def _line_of(text: str, name: str) -> int | None:
    pattern = re.compile(rf"^[ \t]*\[[ \t]*targets\.\"?{re.escape(name)}\"?[\s.\]]", re.M)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _target(name: str, table: object, path: Path, line: int | None) -> TargetSpec:
    where = _at(path, line)

    def fail(msg: str) -> ConfigError:
        return ConfigError(f"target {name!r}: {msg}", where=where)

    if not isinstance(table, dict):
        raise fail("must be a table [targets.NAME]")
    unknown = sorted(set(table) - set(TARGET_KEYS))
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(TARGET_KEYS)}")
    kind = table.get("kind", "docker" if name == "docker" else "ssh")
    if not isinstance(kind, str):
        raise fail(f"key 'kind' must be a string (ssh or docker), got {kind!r}")
    rights = Rights(deploy=_flag(table, "deploy", fail, kind == "docker"),
                    destructive=_flag(table, "destructive", fail, kind == "docker"))
    return TargetSpec(
        name=name, kind=kind, hosts=_hosts(table, fail), rights=rights, where=where,
        identity_file=_file(table, "identity_file", path, fail),
        known_hosts=_file(table, "known_hosts", path, fail),
        base_url=_url(table.get("base_url", ""), fail) if not isinstance(table.get("base_url"), dict) else "",
        config_file=_file(table, "config_file", path, fail),
    )


def _flag(table: dict, key: str, fail, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise fail(f"key {key!r} must be true or false, got {value!r}")
    return value


def _file(table: dict, key: str, path: Path, fail) -> Path | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(f"key {key!r} must be a path (relative to the targets file), got {value!r}")
    return (path.parent / Path(value).expanduser()).resolve()


def _url(value: object, fail) -> str:
    if not isinstance(value, str) or (value and not re.match(r"^https?://[^\s/]+", value)):
        raise fail(f"base_url must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _hosts(table: dict, fail) -> tuple[HostSpec, ...]:
    entries = table.get("hosts", [])
    if not isinstance(entries, list):
        raise fail("key 'hosts' must be a list of 'user@host[:port]' strings or tables")
    user = table.get("user", "")
    if not isinstance(user, str) or (user and not USER_RE.match(user)):
        raise fail(f"key 'user' must be a login name (a string), got {user!r}")
    base_url = table.get("base_url")
    urls: dict = base_url if isinstance(base_url, dict) else {}
    hosts = []
    for entry in entries:
        extra: dict[str, str] = {}
        if isinstance(entry, dict):
            unknown = sorted(set(entry) - set(HOST_KEYS))
            if unknown or "address" not in entry:
                raise fail(f"a host table needs 'address' and may have {', '.join(HOST_KEYS)}, got {entry!r}")
            name = entry.get("name", "")
            if not isinstance(name, str) or (name and not NAME_RE.match(name)):
                raise fail(f"host key 'name' must be a short name (letters, digits, '.', '_', '-'), got {name!r}")
            extra = {"name": name, "base_url": _url(entry.get("base_url", ""), fail)}
            entry = entry["address"]
        try:
            spec = parse_host(entry, default_user=user)
        except ValueError as exc:
            raise fail(str(exc)) from None
        url = extra.get("base_url") or _url(urls.get(extra.get("name") or spec.host, ""), fail)
        hosts.append(HostSpec(spec.user, spec.host, spec.port, extra.get("name", ""), url))
    labels = [h.label for h in hosts]
    if len(set(labels)) != len(labels):
        raise fail(f"hosts are listed twice: {', '.join(sorted({x for x in labels if labels.count(x) > 1}))}")
    logins = [f"{h.user}@{h.host}:{h.port}" for h in hosts]  # a string and a table may name the same login
    if len(set(logins)) != len(logins):
        raise fail(f"hosts are listed twice: {', '.join(sorted({x for x in logins if logins.count(x) > 1}))}")
    return tuple(hosts)
