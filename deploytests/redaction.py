"""Secrets by value, in every form: the one place that knows what of the app's config must never be printed.

The app config file (``config_file`` of deploy.toml or a target; a file or a directory of ``<host>.cfg``) is
parsed the way the app may read it -- never as raw ``KEY = value`` text, which leaked a ``SECRET_KEY``
holding ``\\"``, a value followed by an inline comment, and ``b"..."`` values -- and never by its name: a JSON
or YAML ``deploy.cfg`` parsed as Python (valid Python, no assignment) printed its token. Every parser that takes
the whole file is read and the union of what they find is redacted:

- Python (Flask's ``from_pyfile``): through :mod:`ast`, never executed. Literal assignments count -- strings,
  bytes, numbers, concatenations of literals (``"a" "b"``, ``"a" + "b"``), tuples, lists, dicts, and names
  assigned such a literal earlier in the file. An assignment whose value is computed when the app starts
  (``SECRET_KEY = os.environ["KEY"]``, a call, an f-string with fields) cannot be known here: it is named in a
  warning (``file:line``), unless another parser takes the file (then every value is a literal of it).
- JSON, TOML and INI through their parsers; dotenv (every line ``KEY=value``, quoted or one word) and YAML's block
  form (every line ``key: value``, ``- item`` or indented), read line by line (no YAML library); every string in
  them, at any depth.

A file in which no parser finds a key (none takes it, or one takes it but it holds no ``key = value``) is read
by the rule of a file no parser takes, with a warning naming it: ``KEY = value`` lines, and every quoted string
and every unquoted word of :data:`MIN_LEN` characters or more is a secret. A parser exhausted by a file built for
it (``RecursionError``) is named in a warning too.

What is secret (:func:`is_secret`) is decided deny-by-default: every value of a key that names a secret
(``*SECRET*``, ``*PASSW*``, ``*PASS``, ``*PWD*``, ``*TOKEN*``, ``*KEY*``, ``*AUTH*``, ``*CREDENTIAL*``, ``*CRED*``,
``*PRIVATE*``, ``*SALT*``, ``*DSN*``, ``*DATABASE_URL*``), whatever its length; a URL with a password part
(``scheme://user:password@host``), under any key; and **any other string of :data:`MIN_LEN` characters or more,
unless it names a place** -- an IP address (``127.0.0.1`` in ``ALLOWED_HOSTS``), a dotted host name
(``www.example.com``), an absolute path (``/var/www/app/shared/data``), a dotted module path
(``mysite.settings``), a URL without a user part (``redis://cache.internal:6379/0``) -- or is one plain
word of letters (``postgresql``, ``production``). Places are left alone
because the server's addresses and paths are in every message (redacting them garbled host labels:
``appuser@[redacted]:2222``); a human password (``Summer2024!``, ``correct horse battery``) under a plain key is
still redacted. Each
secret is redacted in every form a log or report writes it
(:func:`forms`): as is; Python-escaped (``repr``, ``ascii``, inside ``"..."`` and ``'...'``); JSON-escaped
(ASCII or not); URL- and form-encoded; HTML/XML-escaped; as bytes (``b'...'`` repr, ``\\xNN``); every
character escaped (``\\uNNNN``, ``%NN``); whole, as hex and base64 (standard and URL-safe, padded or not); each
of those escaped once more (a JSON document inside a repr); each hex escape in either case.

:class:`Secrets` is the result: ``redact(text)`` and the ``warnings``. The outputs use it at their boundary:
the pytest plugin on every report (terminal, ``-r`` summaries, junit xml, captured logs) and on what it writes
itself; the ``fab`` tasks on every progress line and error.
"""

from __future__ import annotations

import ast
import configparser
import ipaddress
import json
import re
from base64 import b64encode, urlsafe_b64encode
from dataclasses import dataclass, field
from functools import cache
from html import escape as html_escape
from pathlib import Path
from urllib.parse import quote, quote_plus

from . import untrusted
from .schema import regular_bytes, toml_loads

REDACTED = "[redacted]"
MIN_LEN = 8  # a string under a plain key is a secret from this length on, unless it names a place
SECRET_KEY = re.compile(r"(SECRET|PASSW|PASS$|PWD|TOKEN|KEY|AUTH|CRED|PRIVATE|SALT|DSN|DATABASE_URL)", re.I)
UNKNOWN_KEY = "\0unknown"  # a string guessed from a file no parser takes: its key is not known
PLACE = re.compile(r"[A-Za-z][\w+.-]*://[^\s@/]+(/[^\s]*)?"       # a URL without user info (no password)
                   r"|(/[\w.@%+=:,-]+)+/?"                       # an absolute path
                   r"|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.?"       # a dotted host name or module path
                   r"|[A-Za-z]+")                               # one plain word
# (a scheme is tried once per run of its characters, from the run's start: tried from every letter, each try scanning
# the run to its end, a 40,000-letter value took 6 s, the square of its length)
URL_PASSWORD = re.compile(r"(?<![\w+.-])(?>[\w+.-]*?[A-Za-z])(?>[\w+.-]*)://[^/@:\s]*:([^@/\s]+)@")
MAX_CONFIG_BYTES = 4 << 20  # a config file larger than this is not parsed (a warning says so)


@dataclass(frozen=True)
class Secrets:
    """The values to redact (longest first), those of them under secret-looking keys (``keyed``), and the
    warnings about values that cannot be known statically."""

    values: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    keyed: tuple[str, ...] = ()
    _pattern: list = field(default_factory=list, compare=False, repr=False)  # the compiled regex, made once

    def redact(self, text: str) -> str:
        """``text`` with every form of every value replaced by ``[redacted]``, and the first part of one that a
        bound cut (:func:`deploytests.untrusted.line`: ``... (N more characters cut)``) too."""
        if not self.values or not text:
            return text
        if not self._pattern:
            every = sorted({f for v in self.values for f in forms(v)}, key=len, reverse=True)
            self._pattern.extend([re.compile("|".join(map(re.escape, every))), every])
        text = self._pattern[0].sub(REDACTED, text)
        for cut in reversed(list(untrusted.CUT.finditer(text))):
            head = text[:cut.start()]
            n = max((k for f in self._pattern[1] for k in range(min(4, len(f)), len(f)) if head.endswith(f[:k])),
                    default=0)
            text = head[:len(head) - n] + REDACTED + text[cut.start():] if n else text
        return text


NONE = Secrets()


def secrets_of(config_file: Path | str | None) -> Secrets:
    """The secrets of a config file, or of every file of a per-host config directory (cached by path, size and
    modification time: the outputs ask for each line they print)."""
    if config_file is None:
        return NONE
    path = Path(config_file)
    try:
        st = path.stat()
    except OSError:
        return NONE
    return _secrets_of(str(path), st.st_size, st.st_mtime_ns)


@cache
def _secrets_of(path: str, size: int, mtime_ns: int) -> Secrets:
    del size, mtime_ns  # the cache key: a changed file is parsed again
    p = Path(path)
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    values: set[str] = set()
    keyed: set[str] = set()
    warnings: list[str] = []
    for f in files:
        pairs, warned = parse_config(f)
        warnings += warned
        keyed |= {v for key, v in pairs if v and SECRET_KEY.search(key)}
        values |= {v for key, v in pairs if v and is_secret(key, v)}
    longest = lambda found: tuple(sorted(found, key=len, reverse=True))  # noqa: E731
    return Secrets(longest(values | keyed), tuple(warnings), longest(keyed))


def is_secret(key: str, value: str) -> bool:
    """Whether ``value`` (found under ``key``) is redacted (the rule in the module doc; pure)."""
    if (key != UNKNOWN_KEY and SECRET_KEY.search(key)) or URL_PASSWORD.search(value):
        return True
    if len(value) < MIN_LEN:
        return False
    if key == UNKNOWN_KEY:
        return True
    try:
        ipaddress.ip_address(value.strip("[]"))
        return False  # an address: in every connection label and header
    except ValueError:
        pass
    return not PLACE.fullmatch(value)


# ---------------------------------------------------------------- the forms a value is written in

_HEX = re.compile(r"(\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|%[0-9a-fA-F]{2})")


def forms(secret: str) -> set[str]:
    """Every way a log, a traceback or a report writes ``secret``."""
    raw = secret.encode("utf-8", "surrogateescape")
    found = {secret, repr(secret)[1:-1], ascii(secret)[1:-1], _quoted(secret, '"'), _quoted(secret, "'"),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             repr(raw)[2:-1], _quoted(repr(raw)[2:-1], '"'), "".join(f"\\x{b:02x}" for b in raw),
             quote(raw, safe=""), quote(raw), quote_plus(raw), html_escape(secret), html_escape(secret, quote=False),
             "".join(f"%{b:02x}" for b in raw), "".join(json.dumps(c)[1:-1] if ord(c) > 0xFFFF else f"\\u{ord(c):04x}"
                                                  for c in secret),  # every character escaped
             raw.hex(), raw.hex().upper(), b64encode(raw).decode(), urlsafe_b64encode(raw).decode(),  # encoded whole
             b64encode(raw).decode().rstrip("="), urlsafe_b64encode(raw).decode().rstrip("=")}
    for form in list(found):  # escaped twice: a JSON document in a repr, a repr in a JSON log line
        found |= {repr(form)[1:-1], json.dumps(form)[1:-1]}
    for form in list(found):  # as server text reaches an output: made safe (untrusted), behind the gutter
        safe = untrusted.text(form, limit=len(form) * 6)
        found |= {untrusted.line(form, limit=len(form) * 6), safe, safe.replace("\n", "\n" + untrusted.GUTTER)}
    for form in list(found):
        found.add(_HEX.sub(lambda m: m[0][:2] + m[0][2:].upper() if m[0][0] == "\\" else m[0].upper(), form))
        found.add(_HEX.sub(lambda m: m[0].lower(), form))
    return {f for f in found if f}


def _quoted(s: str, quote_char: str) -> str:
    """``s`` as the inside of a ``quote_char``-quoted Python or shell string with backslash escapes."""
    return s.replace("\\", "\\\\").replace(quote_char, "\\" + quote_char)


# ---------------------------------------------------------------- parsing a config as the app reads it

def parse_config(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """``([(key, string value), ...], [warning, ...])`` of one config file: the union of what every parser that
    takes it reads (never chosen by the file's name; see the module doc)."""
    try:
        data = regular_bytes(path, MAX_CONFIG_BYTES)  # (a regular file: a link to a FIFO once waited for ever)
    except OSError as exc:
        return [], [f"{path}: cannot be read ({exc.strerror}); its values cannot be redacted"]
    src = data.decode("utf-8", "surrogateescape")
    pairs: list[tuple[str, str]] = []
    warnings: dict[str, list[str]] = {}
    refused: list[str] = []
    for parser in PARSERS:
        try:
            found, warned = parser(src, path)
        except (SyntaxError, ValueError, configparser.Error, RecursionError, MemoryError) as exc:
            # A file built to exhaust a parser (10^5 nested brackets, a 50,000-term concatenation) is named: it
            # must never switch redaction off, and is read by the others or as text, never as nothing.
            if isinstance(exc, RecursionError | MemoryError):
                refused.append(f"{path}: does not parse as {_name(parser)} ({type(exc).__name__}); its values "
                               "were read by the other parsers or guessed from the text")
            continue
        pairs += [p for p in found if p not in pairs]
        warnings[_name(parser)] = warned
    if len(warnings) > 1:  # another parser took it whole, every value a literal: what Python calls computed
        warnings.pop("python", None)  # (API_TOKEN=abc-123, an INI value x-y-1) is known
    if not any(key and key != UNKNOWN_KEY for key, _ in pairs) and not any(warnings.values()):
        text = re.sub(r"(?m)^[ \t]*[#;].*$", "", src)  # whole-line comments: nothing an app reads (init's file)
        guessed = [p for p in _lines(text) + _quoted_strings(text) + _unquoted(text) if p not in pairs]
        if guessed:  # no parser found a key: the rule of a file no parser takes, said aloud (never silence)
            pairs += guessed
            kinds = ", ".join(_name(p) for p in PARSERS)
            how = f"reads as {', '.join(warnings)} but holds no key=value" if warnings else f"does not parse as {kinds}"
            refused.append(f"{path}: {how}; every value of {MIN_LEN} characters or more in it is taken for a "
                           "secret, and values it holds in another form may not be redacted")
    return pairs, refused + [w for warned in warnings.values() for w in warned]


def _name(parser) -> str:
    return parser.__name__.strip("_").replace("_", "-")


def _walk(value, key: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, bytes):
        out.append((key, value.decode("utf-8", "surrogateescape")))
    elif isinstance(value, str):
        out.append((key, value))
    elif isinstance(value, int | float) and not isinstance(value, bool) and SECRET_KEY.search(key):
        out.append((key, str(value)))  # a numeric PIN; other numbers (sizes, ports) are no secret
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(v, f"{key}.{k}" if key else str(k), out)
            if isinstance(k, str | bytes) and SECRET_KEY.search(key):  # keyed by secrets: API_TOKENS = {tok: user}
                _walk(k, key, out)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            _walk(v, key, out)


def _toml(src: str, path: Path):
    out: list[tuple[str, str]] = []
    _walk(toml_loads(src), "", out)
    return out, []


def _json(src: str, path: Path):
    out: list[tuple[str, str]] = []
    _walk(json.loads(src), "", out)
    return out, []


def _ini(src: str, path: Path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(src, source=str(path))
    out = [(f"{s}.{k}", v) for s in parser.sections() for k, v in parser.items(s, raw=True)]
    return out, []


_SIGNIFICANT = re.compile(r"(?m)^[ \t]*(?!#)(?!---[ \t]*$)(?!\.\.\.[ \t]*$)\S.*$")
_QUOTED = r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
# (a value's words run to its last one in atomic groups, which never give back (not possessive quantifiers: Python
# 3.11.2's, Debian 12's, gave a group's failed last step back): a lazy value followed by optional
# blanks let the regex try every split of a run of blanks, the square of a line's length: a 100 KB line of a
# config took the runner 97 s, every gate's start, the admin's read-only one too when the config is the project's)
_WORDS = r"(?>(?:(?>[ \t]*)[^ \t])*)"  # any text up to its last character that is not a blank
_WORDS_S = r"(?>(?:(?>\s*)\S)+)"  # the same, ``\s`` for blanks, one character at least
_DOTENV = re.compile(rf"[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.]*)[ \t]*=[ \t]*({_QUOTED}|[^\s'\"`()\[\]{{}}\\#]"
                     r"(?>(?:[^ \t\n'\"`()\[\]{}\\]|(?>[ \t]+)(?=[^ \t\n'\"`()\[\]{}\\#]))*)|)(?:[ \t]+#.*)?[ \t]*")
_YAML = re.compile(rf"[ \t]*(?:-[ \t]+)?([\w.-]+|{_QUOTED})[ \t]*:(?:[ \t]+({_WORDS}))?[ \t]*"
                   rf"|[ \t]*-[ \t]+({_WORDS})[ \t]*|[ \t]+\S.*")


def _every_line(src: str, form: re.Pattern) -> list[re.Match]:
    """The match of ``form`` of every line that is not blank or a comment; ValueError at the first that is not
    in that form (a parser takes a file only if it takes all of it)."""
    found = []
    for line in _SIGNIFICANT.finditer(src):
        m = form.fullmatch(line[0])
        if m is None:
            raise ValueError(f"line {src.count(chr(10), 0, line.start()) + 1} is not in this form")
        found.append(m)
    return found


def _unquote(value: str) -> str:
    if value[:1] == '"' and value[-1:] == '"' and len(value) > 1:
        return value[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape", "replace")
    return value[1:-1] if value[:1] == "'" and value[-1:] == "'" and len(value) > 1 else value


def _dotenv(src: str, path: Path):
    """``KEY=value`` lines as dotenv tools read them: ``export`` prefix, quotes (escapes inside ``"..."``),
    ``# comments`` after values; an unquoted value holds no quotes or brackets (``x = f(y)`` is Python)."""
    return [(m[1], _unquote(m[2])) for m in _every_line(src, _DOTENV)], []


def _yaml_lines(src: str, path: Path):
    """YAML's block form read line by line (no YAML library): ``key: value`` (the key of a nested value is its
    own), ``- item`` under the last key, quotes stripped, a ``# comment`` after an unquoted value dropped; indented
    lines of a block scalar (``key: |``) belong to that key."""
    out, key = [], ""
    for m in _every_line(src, _YAML):
        if m[1] is not None:
            key, value = _unquote(m[1]), m[2] or ""
        else:
            value = m[3] if m[3] is not None else m[0].strip()
        value = value if value[:1] in "\"'" else value.split(" #", 1)[0].strip()
        if value and value not in ("|", ">", "|-", ">-", "~", "null", "true", "false", "True", "False", "{}", "[]"):
            out.append((key, _unquote(value)))
    if not any(m[1] is not None for m in _every_line(src, _YAML)):
        raise ValueError("no key: value line")
    return out, []


def _quoted_strings(src: str, limit: int = 100_000) -> list[tuple[str, str]]:
    """Every single- or double-quoted string of the text (escapes left as written), at most ``limit``: the
    fallback for a file no parser takes."""
    found = re.finditer(r'"((?:[^"\\\n]|\\.){1,4096})"|\'((?:[^\'\\\n]|\\.){1,4096})\'', src)
    out = []
    for _, m in zip(range(limit), found, strict=False):
        out.append((UNKNOWN_KEY, m.group(1) if m.group(1) is not None else m.group(2)))
    return out


def _unquoted(src: str) -> list[tuple[str, str]]:
    """Every unquoted word of :data:`MIN_LEN` characters or more (split at blanks, quotes, brackets, ``,;=``; a
    ``key:`` loses its colon): the fallback's other half."""
    words = (w.rstrip(":") for w in re.findall(r"[^\s'\"`,;{}\[\]()=<>]+", src))
    return [(UNKNOWN_KEY, w) for w in words if len(w) >= MIN_LEN]


def _lines(src: str) -> list[tuple[str, str]]:
    """The last resort: ``KEY = value`` / ``KEY: value`` lines, quotes stripped."""
    out = []
    for line in src.splitlines():
        m = re.match(rf"^\s*([A-Za-z_][\w.]*)\s*[=:]\s*({_WORDS_S})\s*$", line)
        if m and m.group(2).strip("'\"").lower() not in ("true", "false", "none", ""):
            out.append((m.group(1), m.group(2).strip("'\"")))
    return out


class _NotStatic(Exception):
    """A value computed when the app starts."""


def _python(src: str, path: Path):
    """Top-level literal assignments (also inside ``if``/``try``/``with`` blocks), never executed."""
    tree = ast.parse(src, filename=str(path))
    lines = re.split(r"\r\n|\r|\n", src)  # (as ast counts them; ast.get_source_segment splits the whole text again
    #  at every call, one character at a time: 200,000 lines "A = b" took the square of that)
    known: dict[str, object] = {}
    out: list[tuple[str, str]] = []
    warnings: list[str] = []

    def visit(body):
        for node in body:
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [n for t in targets for n in _names(t)]
                try:
                    value = _literal(node.value, known)
                    if isinstance(node, ast.AugAssign):
                        raise _NotStatic
                except _NotStatic:
                    for name in names:
                        known.pop(name, None)
                    shown = _first_line(lines, node) or ", ".join(names)
                    warnings.append(f"{path}:{node.lineno}: {shown[:120]}: computed when the app "
                                    "starts, so its value is not known here and cannot be redacted")
                    continue
                for name in names:
                    known[name] = value
                    _walk(value, name, out)
            for attr in ("body", "orelse", "finalbody", "handlers"):
                if isinstance(node, ast.If | ast.Try | ast.With | ast.ExceptHandler) and hasattr(node, attr):
                    visit(getattr(node, attr))

    visit(tree.body)
    return out, warnings


def _first_line(lines: list[str], node) -> str:
    """The first line of ``node``'s source (its offsets are UTF-8 bytes), as ``ast.get_source_segment`` gives it."""
    line = lines[node.lineno - 1].encode("utf-8", "surrogateescape")
    end = node.end_col_offset if node.end_lineno == node.lineno else len(line)
    return line[node.col_offset:end].decode("utf-8", "replace")


def _names(target) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for t in target.elts for n in _names(t)]
    return [ast.unparse(target)]  # CONFIG["X"] = ...: named as written


def _literal(node, known: dict):
    """The value of a literal expression (see :func:`_python`), or :class:`_NotStatic`."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in known:
        return known[node.id]
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, known), _literal(node.right, known)
        if type(left) is type(right) and isinstance(left, str | bytes | list | tuple):
            return left + right
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [_literal(e, known) for e in node.elts]
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_key(k, known): _literal(v, known) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, int | float):
        return -node.operand.value
    raise _NotStatic


def _key(node, known: dict):
    value = _literal(node, known)
    return value if isinstance(value, str | bytes | int | float | bool) or value is None else repr(value)


PARSERS = (_json, _toml, _ini, _dotenv, _yaml_lines, _python)  # every one that takes a file is read
