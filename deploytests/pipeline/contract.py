"""The contract between the runner and the agents: every argument a command takes and every result it returns.

One class per message, imported by both sides: the runner builds ``DeployArgs`` & co. (``releases.py``,
``provision.py``) and reads the agents' results through ``DeployReply`` & co.; the agent (``agent.py``) parses
its arguments into the same classes and builds its results with them (``agent_root.py`` imports nothing: the
runner reads only its result through ``BootstrapReply``). On the wire a message is a JSON object (the arguments
on the command line, a result in the agent's ``result`` event).

:meth:`Message.from_dict` is the only way in: an unknown field, a missing one or a value of the wrong type is a
:class:`ContractError` naming the message and the field -- never a ``KeyError`` deep in a deploy, never a field
silently ignored. Both sides are always the same deploytests version (the runner sends the agents' sources), so
such an error is a bug, said in one line.

The messages are written as frozen dataclasses, and to mypy they are ones (``dataclasses.dataclass``); at run
time :func:`dataclass` makes them the same shape without the ``dataclasses`` module: importing it (with the
``inspect``, ``ast``, ``dis`` and ``tokenize`` it imports) was a quarter of every agent's start on a server,
~15 ms of CPU per deploy, rollback or status step. A message takes its fields by keyword or in order, fills the
defaults, compares by value, refuses assignment, and has :meth:`Message.replace` (``dataclasses.replace``).

Rules for this file (it is sent to servers with the agents, see ``bundle.py``): standard library only,
Python >= 3.7 syntax, no imports from deploytests. Field types are written in the small grammar
:func:`type_problem` checks: ``str int float bool dict list None``, ``list[T]``, ``dict[str, T]``, ``A | B``.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # mypy takes it for true: it reads the messages as the dataclasses they stand for
if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from typing import Any, ClassVar, TypeVar

    M = TypeVar("M", bound="Message")
else:
    def field(*, default_factory):
        return Default(default_factory)

    def dataclass(*, frozen):
        """The message class with its fields recorded in order (its bases' first), as ``dataclasses`` would;
        the behaviour is :class:`Message`'s."""
        assert frozen, "messages are frozen"

        def make(cls):
            spec = dict(cls._spec)
            for name, kind in cls.__dict__.get("__annotations__", {}).items():
                spec[name] = (kind, cls.__dict__.get(name, MISSING))
                if isinstance(spec[name][1], Default):
                    delattr(cls, name)
            cls._spec = spec
            return cls
        return make


class Default:
    """A field's ``default_factory`` (:func:`field`)."""

    def __init__(self, make):
        self.make = make


MISSING = object()  # a field without a default


class ContractError(ValueError):
    """A message that does not fit its class: one line naming the message, the field and what was wrong."""


def type_problem(value, spec):
    """Why ``value`` is not of type ``spec`` (the grammar above), or None when it is."""
    spec = spec.strip()
    depth, alternatives, start = 0, [], 0
    for i, ch in enumerate(spec):  # split on | outside brackets
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            alternatives.append(spec[start:i].strip())
            start = i + 1
    if alternatives:
        alternatives.append(spec[start:].strip())
        if any(type_problem(value, alt) is None for alt in alternatives):
            return None
        return "expected %s, got %s" % (spec, describe(value))
    simple = {"str": str, "bool": bool, "dict": dict, "list": list}
    if spec == "None":
        ok = value is None
    elif spec in simple:
        ok = isinstance(value, simple[spec])
    elif spec == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif spec == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif spec.startswith("list[") and spec.endswith("]"):
        if not isinstance(value, list):
            return "expected %s, got %s" % (spec, describe(value))
        for i, item in enumerate(value):
            problem = type_problem(item, spec[5:-1])
            if problem:
                return "item %d: %s" % (i, problem)
        return None
    elif spec.startswith("dict[str,") and spec.endswith("]"):
        if not isinstance(value, dict):
            return "expected %s, got %s" % (spec, describe(value))
        for key, item in value.items():
            if not isinstance(key, str):
                return "key %r: expected str" % (key,)
            problem = type_problem(item, spec[9:-1])
            if problem:
                return "%r: %s" % (key, problem)
        return None
    else:
        raise TypeError("contract: unknown type %r" % spec)
    return None if ok else "expected %s, got %s" % (spec, describe(value))


def describe(value):
    text = json.dumps(value, default=repr)
    return "%s %s" % (type(value).__name__, text if len(text) <= 40 else text[:37] + "...")


class Message:
    """Base of the contract's messages: strict parsing from, and conversion to, plain JSON data; the fields as
    :func:`dataclass` recorded them (name: (type, default))."""

    _spec: ClassVar[dict[str, tuple[str, Any]]] = {}

    def __init__(self, *args, **kwargs):
        name = type(self).__name__
        if len(args) > len(self._spec):
            raise TypeError("%s() takes %d fields, %d given" % (name, len(self._spec), len(args)))
        values = dict(zip(self._spec, args))  # noqa: B905 - Python 3.7 on a server
        for key, value in kwargs.items():
            if key not in self._spec or key in values:
                raise TypeError("%s() got %s field %r" % (name, "an unknown" if key not in self._spec else
                                                          "a second value for", key))
            values[key] = value
        for key, (_, default) in self._spec.items():
            if key not in values:
                if default is MISSING:
                    raise TypeError("%s() missing field %r" % (name, key))
                values[key] = default.make() if isinstance(default, Default) else default
            object.__setattr__(self, key, values[key])

    def __setattr__(self, key, value):
        raise AttributeError("cannot assign to field %r of a %s (messages are frozen)" % (key, type(self).__name__))

    def __delattr__(self, key):
        raise AttributeError("cannot delete field %r of a %s (messages are frozen)" % (key, type(self).__name__))

    def _values(self):
        return tuple(getattr(self, key) for key in self._spec)

    def __eq__(self, other):
        return self._values() == other._values() if type(other) is type(self) else NotImplemented

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % (k, getattr(self, k)) for k in self._spec))

    def replace(self: M, **changes) -> M:
        """A copy with ``changes`` (as ``dataclasses.replace``)."""
        return type(self)(**dict({key: getattr(self, key) for key in self._spec}, **changes))

    @classmethod
    def from_dict(cls, data, ignore=()):
        """An instance from ``data`` (a dict, e.g. parsed JSON); ``ignore``: keys that are not fields (the event
        name of a result event). Raises :class:`ContractError` on an unknown, missing or mistyped field."""
        name = cls.__name__
        if not isinstance(data, dict):
            raise ContractError("%s: expected a JSON object, got %s" % (name, describe(data)))
        unknown = sorted(k for k in data if k not in cls._spec and k not in ignore)
        if unknown:
            raise ContractError("%s: unknown field%s %s" % (name, "s" if len(unknown) > 1 else "",
                                                             ", ".join(map(repr, unknown))))
        missing = [n for n, (_, default) in cls._spec.items() if n not in data and default is MISSING]
        if missing:
            raise ContractError("%s: missing field%s %s" % (name, "s" if len(missing) > 1 else "",
                                                             ", ".join(map(repr, missing))))
        values = {}
        for key, (kind, _) in cls._spec.items():
            if key not in data:
                continue
            problem = type_problem(data[key], str(kind))
            if problem:
                raise ContractError("%s.%s: %s" % (name, key, problem))
            values[key] = data[key]
        return cls(**values)

    @classmethod
    def from_json(cls, text):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ContractError("%s: not JSON: %s" % (cls.__name__, exc)) from None
        return cls.from_dict(data)

    def to_dict(self):
        """Plain JSON data (a deep copy): what goes on the wire."""
        return {key: plain(getattr(self, key)) for key in self._spec}


def plain(value):
    """A deep copy of JSON data (dicts, lists and tuples copied, the rest as it is), as ``dataclasses.asdict``."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


# ---------------------------------------------------------------- deploy, rollback, status (agent.py)

@dataclass(frozen=True)
class GateArgs(Message):
    """What deploy and rollback share: the app's tree, who runs it, and how its health is read on the server."""

    app: str
    root: str  # /var/www/<app>
    port: int  # Apache's port on the server (the gate GETs http://127.0.0.1:<port><health_path>)
    health_path: str
    server_name: str  # the Host header of the gate's requests
    lock_timeout: float  # seconds to wait for another deploy's lock
    gate_timeout: float  # seconds for the new release to answer 200 with its id
    app_user: str
    config_env: str  # the env var naming the config file (set for the release check)
    config_path: str  # the config file on the server
    entry_point: str  # module:attr, or module:factory()


@dataclass(frozen=True)
class DeployArgs(GateArgs):
    """A deploy. The payload on stdin: ``config_size`` bytes of config (when not None), then the artifact."""

    release_id: str  # wanted id (``<UTC stamp>-<sha8>``); the agent moves it past existing ones
    artifact_sha256: str
    artifact_size: int
    release: dict  # what RELEASE.json records (version, created_at, deployed_by, ...), see releases.release_meta
    python: str  # the server's python3 (makes the venv)
    keep_releases: int
    config_size: int | None = None  # None: the deploy carries no config
    shared_paths: list[str] = field(default_factory=list)
    post_deploy: list[str] = field(default_factory=list)
    post_deploy_timeout: float = 300  # seconds per post_deploy command; the release check gets one more period
    preflight: bool = True  # GET the health path in-process before the switch
    pause_at: str | None = None  # test hook of the interrupted-deploy scenarios only (agent.pause_point)
    pause_seconds: float = 30
    env: dict[str, str] = field(default_factory=dict)  # the app's env (deploy.toml), in RELEASE.json
    wsgi: str = ""  # application.wsgi's text (templates.wsgi): the deploy writes it when it changed
    # resumable upload: before the artifact the agent emits an ``upload`` event (``offset``: the bytes of this
    # artifact it kept from a cut upload, ``prefix_sha256``: their sha256) and reads one line, the offset the
    # runner sends from (that offset when its own bytes up to there hash the same, else 0); False: no offer, the
    # whole artifact follows. Set by call_agent when the payload's artifact is a remote.Resumable
    resume: bool = False
    # seconds the agent waits, before its switch, for the runner's "go" (agent.runner_confirms): set by call_agent
    # to the host timeout
    confirm_timeout: float = 30.0


@dataclass(frozen=True)
class RunArgs(GateArgs):
    """A one-off command (``sh -c command``) in the live release, as the app user, with its config and env."""

    command: str


@dataclass(frozen=True)
class RunReply(Message):
    """The command's exit status and the release it ran in (its output went to the channel as it came)."""

    exit: int
    release_id: str
    changed: bool = False


@dataclass(frozen=True)
class RollbackArgs(GateArgs):
    """A rollback to the previous release, or to release ``to``."""

    to: str | None = None
    # seconds the agent waits, before its switch, for the runner's "go" (agent.runner_confirms): set by call_agent
    # to the host timeout
    confirm_timeout: float = 30.0


@dataclass(frozen=True)
class StatusArgs(Message):
    root: str


@dataclass(frozen=True)
class DeployReply(Message):
    """The result of a deploy or a rollback (``pruned``/``recovered`` are a deploy's)."""

    changed: bool
    release_id: str
    previous: str | None = None
    version: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    pruned: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    config_changed: bool = False


@dataclass(frozen=True)
class StatusReply(Message):
    """The releases (``id`` and what status shows of each RELEASE.json, as bounded strings: agent.SHOWN), oldest
    first, and the live one."""

    live: str | None
    releases: list[dict[str, str]]
    bootstrapped: bool
    changed: bool = False
    dangling: str | None = None  # where ``current`` points when that is no complete release


# ---------------------------------------------------------------- bootstrap (agent_root.py)
# agent_root.py imports nothing: it checks its own arguments against fixed patterns (agent_root.PATTERNS), and
# the runner reads its result through BootstrapReply.

@dataclass(frozen=True)
class BootstrapReply(Message):
    changed: bool
    changes: list[str]  # one line per change, no secrets
    timings: dict[str, float]
    machine: str = ""  # os.uname().machine: the wheels' platform must match it
