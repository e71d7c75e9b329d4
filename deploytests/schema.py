"""One validator for deploytests' own TOML files: ``deploy.toml`` (or ``[tool.deploytests]``) and ``targets.toml``.

Each file declares its keys as data: a tuple of :class:`Field` (name, :class:`Kind`, default, doc, example).
The same tuple gives the unknown-key check (with a "did you mean" hint), the typed value of every key
(:meth:`Table.get`), and the example blocks of README.md (:func:`example`; a unit test keeps them equal).
Every rule is written once here; every failure is one :class:`~deploytests.errors.ConfigError` line naming
the file and the line of the offending key (else of its table's header), the table, the key, what is allowed and
what was found::

    targets.toml:7: target 'staging': key 'deploy' must be true or false, got 'yes'.
    deploy.toml:4: key 'port' must be an integer from 1 to 65535, got 0.
    pyproject.toml:12: [tool.deploytests]: unknown key 'keep_release'; allowed keys: app, ... Hint: did you mean ...

Light to import (the pytest plugin loads it into every run): re, tomllib and pathlib only.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tomllib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Generic, TypeVar

from .errors import ConfigError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


# ---------------------------------------------------------------- reading a file

class Document:
    """A TOML file read and parsed: its ``text`` (for line numbers) and its ``data``."""

    __slots__ = ("path", "text", "data")

    def __init__(self, path: Path, text: str, data: dict[str, Any]):
        self.path, self.text, self.data = path, text, data

    def where(self, line: int | None = None) -> str:
        """``path:line`` (or ``path`` when the line is unknown), the ``where`` of every error about this file."""
        return f"{self.path}:{line}" if line else str(self.path)

    def table_line(self, *names: str) -> int | None:
        """The line of the header ``[names...]`` (or of a sub-table of it), None when it has none."""
        return table_line(self.text, names)


FILE_LIMIT = 4 << 20  # bytes of a TOML file, or of a project's file init and the gate read, at most


def within(path: Path | str, root: Path | str) -> bool:
    """Whether ``path``'s real path (its links followed, a dangling one's too) lies in ``root``'s: a link of a project
    leading out of it names a file of this machine, not of the project."""
    real, top = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return real == top or top in real.parents


TOML_DEPTH = 32  # dots of one dotted key or table name, and arrays/inline tables one inside another, at most
TOML_LIMIT = 256 << 10  # characters of a TOML text parsed, at most (deploy.toml, pyproject.toml, targets.toml)
_TOML_QUOTES = {'"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*'), "'": re.compile(r"[^'\n]*")}


def toml_loads(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)`` once its cost is known to be bounded by its size, else a ``TOMLDecodeError`` saying
    why: the one way deploytests parses TOML, every file of which (a repository's ``deploy.toml`` and
    ``pyproject.toml``, read by the admin's read-only gate and bootstrap too) is someone's text. ``tomllib`` keeps,
    for each key, every prefix of its dotted path: its memory is the square of the key's length (a 40 KB
    ``deploy.toml`` holding one key of 20,000 dots took the admin's read-only gate 2.4 GB; one of 400 KB was killed
    out of memory), and
    it recurses once per nested array or inline table (2,000 of them: a RecursionError out of pytest, a traceback).
    So, before it parses: at most :data:`TOML_LIMIT` characters, and at most :data:`TOML_DEPTH` dots in one dotted
    key (counted outside strings and comments between the characters that end a key: more, never fewer, than
    ``tomllib`` joins) and brackets one inside another."""
    if len(text) > TOML_LIMIT:
        raise tomllib.TOMLDecodeError(f"larger than {TOML_LIMIT} characters: not parsed")
    depth = dots = line = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            run = 3 if text.startswith(ch * 3, i) else 1
            if run == 3:  # a multi-line string ends at the last three quotes of a run of 3 to 5
                end = text.find(ch * 3, i + 3) if ch == "'" else _ml_basic_end(text, i + 3)
                end = n if end < 0 else end
                while text.startswith(ch, end + 3) and end + 3 < n:
                    end += 1
                line += text.count("\n", i, end)
                i = end + 3
            else:
                m = _TOML_QUOTES[ch].match(text, i + 1)  # (always: a newline ends it, where tomllib stops)
                end = m.end() if m else n
                i = end + (text.startswith(ch, end))
            continue
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == ".":
            dots += 1
        elif ch in "=,\n[]{}":
            dots = 0
            depth = max(0, depth + (ch in "[{") - (ch in "]}"))
            line += ch == "\n"
        if dots > TOML_DEPTH or depth > TOML_DEPTH:
            what = "a dotted key or table name of more than {} dots" if dots > TOML_DEPTH else \
                "arrays or inline tables more than {} deep"
            raise tomllib.TOMLDecodeError(f"{what.format(TOML_DEPTH)} (at line {line + 1}): not parsed")
        i += 1
    return tomllib.loads(text)


def _ml_basic_end(text: str, i: int) -> int:
    """Where the ``\"\"\"`` ending a multi-line basic string that starts at ``i`` is (-1: none): a backslash escapes
    the character after it."""
    q = text.find('"""', i)
    while q >= 0:
        b = text.find("\\", i, q)
        if b < 0:
            return q
        i = b + 2
        if i > q:
            q = text.find('"""', i)
    return -1


def regular_bytes(path: Path | str, limit: int = FILE_LIMIT) -> bytes:
    """The bytes of ``path`` (where its links lead) when it is a regular file of at most ``limit`` bytes, else an
    OSError saying why. Opened without blocking: a repository's file that is a link to ``/dev/zero`` filled the
    runner's memory (every gate reads the project's ``deploy.toml`` and, for its warnings, its source at its start,
    the admin's read-only gate too), one to a FIFO or a terminal waited for ever."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
    return data


def read_toml(path: Path, *, what: str = "file", missing_hint: str = "") -> Document:
    """Read ``path`` as UTF-8 TOML. A missing or unreadable file, bytes that are not UTF-8 and TOML syntax errors
    are one-line ConfigErrors naming the file and, where known, the line."""
    path = Path(path)
    try:
        raw = regular_bytes(path)
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist", hint=missing_hint) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}",
                          hint="check the path and its permissions") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", where=f"{path}:{line}",
                          hint="save the file as UTF-8 (TOML files are UTF-8)") from None
    try:
        data = toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", where=f"{path}:{found[1]}" if found else str(path),
                          hint="fix the TOML syntax at that line") from None
    return Document(path, text, data)


def table_line(text: str, names: Sequence[str]) -> int | None:
    """The line of the first header ``[a.b]`` (keys bare or quoted) or ``[a.b.sub]`` in ``text``, None when it has
    none."""
    parts = r"[ \t]*\.[ \t]*".join(rf"(?:{re.escape(n)}|\"{re.escape(n)}\"|'{re.escape(n)}')" for n in names)
    m = re.search(rf"^[ \t]*\[[ \t]*{parts}[ \t]*[.\]]", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*[\w\"'-]", re.M)


def _section(text: str, header: Sequence[str]) -> tuple[int, str] | None:
    """``(line of its first line, text)`` of the table ``[header...]``: from the line after its header up to the
    next header (``()``: from the top of the file); None when there is no such header."""
    if header:
        first = table_line(text, header)
        if first is None:
            return None
    else:
        first = 0
    lines = text.splitlines()[first:]
    end = next((i for i, line in enumerate(lines) if _HEADER.match(line)), len(lines))
    return first + 1, "\n".join(lines[:end])


def _key(key: str) -> str:
    return rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"


def _line_of(section: tuple[int, str], pattern: str, *, unique: bool = False) -> int | None:
    start, body = section
    found = [body.count("\n", 0, m.start()) for m in re.finditer(pattern, body, re.M)]
    if not found or (unique and len(set(found)) != 1):
        return None
    return start + found[0]


def key_line(text: str, header: Sequence[str], key: str) -> int | None:
    """The line of the first ``key =`` at the start of a line of the table ``[header...]`` (``()``: the file's top
    level, before any header), None when it is not written there as such (an inline or dotted form)."""
    section = _section(text, header)
    return _line_of(section, rf"^[ \t]*{_key(key)}[ \t]*=") if section else None


def entry_line(text: str, header: Sequence[str], array: str, key: str | None, value: object = None) -> int | None:
    """The line, within the value of ``array = [...]`` of the table ``[header...]``, of one entry's ``key = value``
    (``key =`` when ``value`` is not a string; ``key`` None: the quoted string ``value``); None unless exactly one
    line matches."""
    start = key_line(text, header, array)
    section = _section(text, header)
    if start is None or section is None:
        return None
    lines = section[1].splitlines()[start - section[0]:]
    quoted = rf"(?:\"{re.escape(value)}\"|'{re.escape(value)}')" if isinstance(value, str) else None
    if key is None:
        if quoted is None:
            return None
        pattern = quoted
    else:
        pattern = rf"(?<![\w\"'-]){_key(key)}[ \t]*=[ \t]*" + (quoted or "")
    return _line_of((start, "\n".join(lines)), pattern, unique=True)


# ---------------------------------------------------------------- kinds of value

class Kind(ABC, Generic[T_co]):
    """What a key may hold: ``allowed`` (said in errors and docs) and :meth:`convert` (checks, returns the value)."""

    allowed = "a value"

    @abstractmethod
    def convert(self, value: object, at: Table, key: str) -> T_co:
        """The value checked (and normalised); a bad one raises ``at.fail(...)``: a one-line ConfigError."""


class Text(Kind[str]):
    """A string that matches ``pattern`` as a whole (never empty unless the pattern allows it); ``refuse``: values
    that match but are never allowed, each with the reason and the hint said when it is given."""

    def __init__(self, pattern: str, allowed: str, refuse: dict[str, tuple[str, str]] | None = None):
        self.pattern, self.allowed, self.refuse = pattern, allowed, refuse or {}  # compiled on first use (re caches)

    def convert(self, value: object, at: Table, key: str) -> str:
        if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
            raise at.fail(key, self.allowed, value)
        if value in self.refuse:
            why, hint = self.refuse[value]
            raise at.error(f"key {key!r} may not be {value!r}: {why}", hint=hint, key=key, value=value)
        return value


class Integer(Kind[int]):
    """An integer from ``low`` to ``high`` (``true``/``false`` are not integers here)."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high
        self.allowed = f"an integer from {low} to {high}"

    def convert(self, value: object, at: Table, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            raise at.fail(key, self.allowed, value)
        return value


class Flag(Kind[bool]):
    allowed = "true or false"

    def convert(self, value: object, at: Table, key: str) -> bool:
        if not isinstance(value, bool):
            raise at.fail(key, self.allowed, value)
        return value


class Strings(Kind[tuple[str, ...]]):
    """A list of non-empty strings; ``unique``: none listed twice."""

    allowed = "a list of non-empty strings"

    def __init__(self, *, unique: bool = False):
        self.unique = unique

    def convert(self, value: object, at: Table, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            raise at.fail(key, self.allowed, value)
        if self.unique:
            at.no_duplicates(key, value)
        return tuple(value)


class RelPaths(Kind[tuple[str, ...]]):
    """A list of relative POSIX paths of plain characters without ``..``, normalised (``./data/`` is ``data``);
    one path listed twice, or inside another listed one, is refused (each is a directory of its own)."""

    def __init__(self, allowed: str = "a list of relative paths without '..'"):
        self.allowed = allowed

    def convert(self, value: object, at: Table, key: str) -> tuple[str, ...]:
        paths = Strings().convert(value, at, key)
        for p in paths:
            pure = PurePosixPath(p)
            if pure.is_absolute() or ".." in pure.parts or not re.fullmatch(r"[\w./-]+", p) or not pure.parts:
                raise at.fail(key, self.allowed, value)
        normal = tuple(str(PurePosixPath(p)) for p in paths)
        at.no_duplicates(key, normal)
        inside = sorted((a, b) for a in normal for b in normal if b.startswith(a + "/"))
        if inside:
            raise at.error(f"key {key!r}: {inside[0][1]!r} is inside {inside[0][0]!r}", key=key, value=value,
                           hint=f"list {inside[0][0]!r} alone: what is under it is shared with it")
        return normal


class LocalPath(Kind[Path]):
    """A path on this machine, relative to the file it is written in (``~`` expands); ``exists``: it must name a
    file or a directory, else ``missing_hint`` says what to do."""

    def __init__(self, allowed: str, *, exists: bool = False, missing_hint: str = ""):
        self.allowed, self.exists, self.missing_hint = allowed, exists, missing_hint

    def convert(self, value: object, at: Table, key: str) -> Path:
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise at.fail(key, self.allowed, value)
        path = at.resolve(value)
        if self.exists and not path.is_file() and not path.is_dir():
            raise at.error(f"key {key!r}: {path} does not exist", hint=self.missing_hint, key=key, value=value)
        return path


class Url(Kind[str]):
    """An http(s) URL, returned without its trailing ``/``."""

    allowed = "an http(s) URL like 'https://www.example.com'"

    def convert(self, value: object, at: Table, key: str) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise at.fail(key, self.allowed, value)
        return value.rstrip("/")


class Custom(Kind[T]):
    """A kind checked by the loader itself (the value is returned as written): for keys whose rule needs other
    keys (a target's hosts, a URL per host), so that their names, docs and examples still live in the table."""

    def __init__(self, allowed: str):
        self.allowed = allowed

    def convert(self, value: object, at: Table, key: str) -> Any:
        return value


# ---------------------------------------------------------------- the keys of a table

class Field(Generic[T]):
    """One key of a table: its name, what it holds, its default (None: absent), and for the docs a one-line
    ``doc`` (``\\n`` continues the comment on the next line) and an ``example`` value written as TOML.
    (A plain class, not a dataclass: this module is imported into every pytest run, and stays cheap.)"""

    __slots__ = ("name", "kind", "default", "required", "doc", "example")

    def __init__(self, name: str, kind: Kind[T], default: T | None = None, *, required: bool = False,
                 doc: str = "", example: str = ""):
        self.name, self.kind, self.default, self.required, self.doc, self.example = (
            name, kind, default, required, doc, example)

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {type(self.kind).__name__})"


class Table:
    """One TOML table checked against its fields: its own keys only (an unknown one is named, with the nearest
    allowed key as a hint), then typed values by :meth:`get`. ``where`` is the file (and line), ``label`` names the
    table in messages (``target 'staging'``, ``[tool.deploytests]``; empty for a file's top level), ``base`` is
    the directory relative paths start from.

    With ``doc`` (the file read) and ``header`` (the table's names, ``()`` for the top level), an error about a key
    names the line of that key; for an entry of an array of tables, ``within`` is the array's key and the line is
    the entry's key (when one line of the array matches) or else the array's key. Without a key line found, the
    line stays the one in ``where``."""

    def __init__(self, data: object, fields: Sequence[Field[Any]], *, where: str, label: str = "",
                 base: Path | None = None, form: str = "", doc: Document | None = None,
                 header: Sequence[str] = (), within: str | None = None):
        self.where, self.label, self.base = where, label, base
        self.doc, self.header, self.within = doc, tuple(header), within
        self.fields = {f.name: f for f in fields}
        if not isinstance(data, dict):
            raise self.error(f"must be a table{' ' + form if form else ''}, got {data!r}", key=within)
        self.data: dict[str, Any] = data
        unknown = sorted(set(data) - set(self.fields), key=str)
        if unknown:
            raise self.error(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(self.fields) or 'none'}",
                             hint=suggest(unknown[0], self.fields), key=unknown[0])

    def where_of(self, key: str | None = None, value: object = None, *, entry_of: str | None = None) -> str:
        """``path:line`` of ``key`` (with ``value``) in this table when it can be found, else :attr:`where`;
        ``entry_of``: of the string ``value`` listed in that array key (else of the array key)."""
        doc = self.doc
        if doc is None or (key is None and entry_of is None):
            return self.where
        text, header = doc.text, self.header
        if entry_of is not None:
            line = entry_line(text, header, entry_of, None, value) or key_line(text, header, entry_of)
        elif self.within is not None:
            line = (entry_line(text, header, self.within, key, value) if key != self.within else None) \
                or key_line(text, header, self.within)
        else:
            line = key_line(text, header, key) if key is not None else None
        return doc.where(line) if line else self.where

    def error(self, what: str, hint: str = "", *, key: str | None = None, value: object = None,
              entry_of: str | None = None) -> ConfigError:
        """A ConfigError about this table (about ``key``, when given: its line; see :meth:`where_of`): ``where:
        label: what. Hint: hint``."""
        return ConfigError(f"{self.label}: {what}" if self.label else what,
                           where=self.where_of(key, value, entry_of=entry_of), hint=hint)

    def fail(self, key: str, allowed: str, got: object) -> ConfigError:
        return self.error(f"key {key!r} must be {allowed}, got {got!r}", key=key, value=got)

    def get(self, name: str, default: Any = None) -> Any:
        """The checked value of the key ``name``: converted by its kind; when absent, ``default`` (else the
        field's), or a ConfigError when the field is required."""
        field = self.fields[name]
        value = self.data.get(name)
        if value is None:
            if field.required:
                raise self.error(f"missing required key {name!r} ({field.kind.allowed})",
                                 hint=f"add {name} = {field.example or '...'}", key=self.within)
            return default if default is not None else field.default
        return field.kind.convert(value, self, name)

    def raw(self, name: str) -> Any:
        """The value of ``name`` as written (None when absent), for keys of a :class:`Custom` kind."""
        assert name in self.fields, name
        return self.data.get(name)

    def resolve(self, value: str) -> Path:
        """A local path written in this file: ``~`` expanded, then relative to :attr:`base`."""
        path = Path(value).expanduser()
        return (self.base / path).resolve() if self.base is not None else path.resolve()

    def no_duplicates(self, key: str, values: Iterable[str], shown: Callable[[str], str] = repr) -> None:
        """A ConfigError naming every value of ``key`` listed more than once."""
        seen: set[str] = set()
        twice: set[str] = set()
        for v in values:
            (twice if v in seen else seen).add(v)
        if twice:
            raise self.error(f"key {key!r} lists {', '.join(shown(v) for v in sorted(twice))} twice",
                             hint="list each once", key=key)


def suggest(word: str, allowed: Iterable[str]) -> str:
    """The hint for an unknown key: the nearest allowed key, or what to do without one."""
    import difflib  # only on this error path: the plugin imports this module into every pytest run

    close = difflib.get_close_matches(str(word), list(allowed), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? Otherwise remove it" if close else "remove it or fix its name"


# ---------------------------------------------------------------- docs from the same fields
