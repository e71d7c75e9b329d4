"""What a failed test's report carries about a server: collected in one round trip, secrets redacted.

:func:`collect` runs one shell script over the server's open connection and returns sections: the Apache
error log tail, the vhost, the ``.wsgi`` file, the release list (with ``current``) and ``pip freeze`` of the
live venv. The app config is never read. As a second guard, :func:`redact` replaces every value of the
uploaded config file (``KEY = value`` lines) that still shows up, e.g. in a traceback in the error log.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Sequence
from pathlib import Path

from ..stacks import DEFAULT, Stack
from . import freeze as _freeze
from . import since_deploy as _since_deploy

MARK = "@@DT-SECTION "
REDACTED = "[redacted]"


# The programs the script runs, each a real module sent as ``python -c <source>``: ``pip freeze`` without pip
# (venvs are made --without-pip) and the error log lines since the live release's deploy began.
FREEZE = Path(_freeze.__file__).read_text(encoding="utf-8")
SINCE_DEPLOY = Path(_since_deploy.__file__).read_text(encoding="utf-8")
# the live release's creation time, read as the login (never as root: RELEASE.json is the deploy user's)
CREATED = "import json,sys; print(json.load(open(sys.argv[1])).get('created_at', ''))"

_MARKS: dict[str, int] = {}  # server label -> error log size when its verification began


def mark_log(label: str, size: int) -> None:
    """Remember the error log's size when verification of ``label`` began (the gate's fact probe calls it):
    its diagnostics then show the lines logged since, not the log's whole history."""
    _MARKS.setdefault(label, size)


def script(app: str, root: str, stack: Stack = DEFAULT, since: int | None = None) -> str:
    """The shell script printing each section after a ``@@DT-SECTION <title>`` line (sudo only if allowed);
    where the error log and the vhost live is the server ``stack``'s data.

    The error log shows the lines of the live release's deploy and after (``since deploy``) and, when
    ``since`` (a byte offset) is known, those logged since this host's verification began."""
    r, conf = shlex.quote(root), shlex.quote(stack.apache.site_file(app))
    log = shlex.quote(stack.apache.error_log)
    sections = {
        "Apache error log since the deploy of the live release began":
            f"C=$(python3 -c {shlex.quote(CREATED)} {r}/current/RELEASE.json 2>/dev/null); "
            f"$S python3 -c {shlex.quote(SINCE_DEPLOY)} \"$C\" {log}",
        f"vhost {conf}": f"cat {conf}",
        f"{root}/application.wsgi": f"cat {r}/application.wsgi",
        "releases": f"ls -l {r}/releases; echo; echo \"current -> $(readlink {r}/current)\"; "
                    f"cat {r}/releases/failed.log 2>/dev/null | tail -n 5",
        "pip freeze (live venv)": f"{r}/current/venv/bin/python -c {shlex.quote(FREEZE)}",
    }
    if since is not None:
        sections = {f"Apache error log since verification began (byte {since})":
                    f"$S tail -c +{int(since) + 1} {log} | tail -n 40", **sections}
    body = "; ".join(f"echo {shlex.quote(MARK + title)}; {{ {cmd}; }} 2>&1" for title, cmd in sections.items())
    return f"S=''; sudo -n true 2>/dev/null && S='sudo -n'; {body}; true"


def parse(output: str) -> dict[str, str]:
    """Split the script's output into ``{title: text}``."""
    sections: dict[str, str] = {}
    title = None
    for line in output.splitlines():
        if line.startswith(MARK):
            title = line[len(MARK):]
            sections[title] = ""
        elif title is not None:
            sections[title] += line + "\n"
    return sections


SECRET_KEY = re.compile(r"(SECRET|PASSW|TOKEN|KEY|CREDENTIAL|DSN|DATABASE_URL)", re.I)


def secret_values(config_file: Path | None, min_len: int = 8, *, keys_only: bool = False) -> list[str]:
    """What must never be printed from the config file (``KEY = value`` lines, quotes stripped): the values of
    secret-looking keys (``*SECRET*``, ``*PASSWORD*``, ``*TOKEN*``, ``*KEY*``, DSNs) whatever their length, and
    (unless ``keys_only``) any other value of ``min_len`` characters or more. Short plain values (``"data"``,
    ``"docker"``) are left alone: redacting them would mangle every message that happens to contain the word."""
    if config_file is not None and Path(config_file).is_dir():  # per-host configs: every host's secrets
        return sorted({v for f in sorted(Path(config_file).iterdir()) if f.is_file()
                       for v in secret_values(f, min_len, keys_only=keys_only)}, key=len, reverse=True)
    if config_file is None or not Path(config_file).is_file():
        return []
    values = []
    for line in Path(config_file).read_text(errors="replace").splitlines():
        m = re.match(r"^\s*([A-Za-z_][\w.]*)\s*[=:]\s*(.+?)\s*$", line)
        if m:
            key, value = m.group(1), m.group(2).strip("'\"")
            if value.lower() in ("true", "false", "none", ""):
                continue
            if SECRET_KEY.search(key) or (not keys_only and len(value) >= min_len):
                values.append(value)
    return sorted(set(values), key=len, reverse=True)


def spellings(secret: str) -> set[str]:
    """The ways logs write ``secret``: as is; its UTF-8 bytes as ``\\xNN`` (repr of bytes); ``\\xNN`` and
    ``\\uNNNN`` escapes of the str (``ascii()``, JSON with ensure_ascii, either hex case); JSON-escaped
    (quotes, backslashes); URL- and form-encoded (either hex case)."""
    from urllib.parse import quote, quote_plus

    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], ascii(secret)[1:-1],
             repr(secret.encode("utf-8"))[2:-1], quote(secret, safe=""), quote(secret), quote_plus(secret)}
    hexed = re.compile(r"(\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|%[0-9a-fA-F]{2})")
    for form in list(forms):
        forms.add(hexed.sub(lambda m: m[0][:2] + m[0][2:].upper() if m[0][0] == "\\" else m[0].upper(), form))
        forms.add(hexed.sub(lambda m: m[0].lower(), form))
    return {f for f in forms if f}


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every spelling of every secret (see :func:`spellings`) replaced by ``[redacted]``."""
    forms = sorted({f for s in secrets if s for f in spellings(s)}, key=len, reverse=True)
    if not forms:
        return text
    return re.compile("|".join(map(re.escape, forms))).sub(REDACTED, text)


_COLLECTED: dict[str, tuple[float, dict[str, str]]] = {}
REUSE_SECONDS = 5.0  # failures of one host this close together share one collection


def collect(server, app: str, root: str, secrets: Sequence[str] = ()) -> dict[str, str]:
    """Run :func:`script` on ``server``'s connection (for its stack, read from the server once); never raises
    (the host may be gone, or run an OS no stack knows: that is a section).

    The gate's checks of a host judge one snapshot of its facts, so when several of them fail, the sections
    collected for the first failure are reused for those failing within :data:`REUSE_SECONDS` (one round trip
    instead of one per failed check)."""
    label = getattr(server, "label", "")
    hit = _COLLECTED.get(label)
    if hit is not None and time.monotonic() - hit[0] < REUSE_SECONDS:
        return hit[1]
    sections = _collect(server, app, root, secrets)
    _COLLECTED[label] = (time.monotonic(), sections)
    return sections


def _collect(server, app: str, root: str, secrets: Sequence[str] = ()) -> dict[str, str]:
    try:
        result = server.connection().run(script(app, root, server.stack, _MARKS.get(server.label)), hide=True,
                                         warn=True, timeout=30)
        return {k: redact(v, list(secrets)) for k, v in parse(result.stdout).items()}
    except Exception as exc:  # noqa: BLE001 - diagnostics must not hide the test's own failure
        return {"diagnostics": f"could not collect: {type(exc).__name__}: {exc}"}
