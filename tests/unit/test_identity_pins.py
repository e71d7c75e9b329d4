"""An allowed program or privileged file the gate's login may not read (a ``4750 root:netops`` binary) holds by
its identity: the sha256 of its inode, ``ctime``, size, mode and owner from its ``lstat`` (any write, ``chmod``,
``chown`` or file put in its place changes them; no one sets ``ctime`` back), not of its bytes. Its hint says so
and prints the line to write after a review as root; a change to the file breaks the pin as a content pin does.
Before, such a file had no pin at all: the line said to make it readable, and the entry could never hold."""

from __future__ import annotations

import os

from test_command_pins import SOCAT, exp, serving  # noqa: F401  (the fixture)
from test_pins import clean, judged, one_item, sha

from deploytests.verify import collect_login, parse

PROBE = "/usr/local/bin/netprobe"


def privileged(ctime: float, **more) -> dict:
    entry = {"st": [0o104750, 0, 117, 18000, 1765000000.0, 4242, ctime], "ctime": ctime}
    return {"path": PROBE, "state": "4750 root:netops", "package": None, "override": None, "unpacked": False,
            "sha256": parse.identity(entry), "identity": True, **more}


def test_a_privileged_file_the_login_may_not_read_holds_by_its_identity(exp):  # noqa: F811
    facts = clean()
    facts.remote["inventory"]["privileged"] = [privileged(1765000100.5)]
    line = one_item(judged("cw_setuid", facts, exp, privileged=()))
    pin = privileged(1765000100.5)["sha256"]
    assert f"review it as root first (the gate's login may not read {PROBE}: the pin is of its identity" in line
    assert f'allow_privileged = ["{PROBE} 4750 root:netops sha256:{pin}"]' in line, line
    written = f"{PROBE} 4750 root:netops sha256:{pin}"
    assert judged("cw_setuid", facts, exp, privileged=(written,)) == "pass"
    facts.remote["inventory"]["privileged"] = [privileged(1765000900.25)]  # written to, chmod'ed or swapped since
    line = one_item(judged("cw_setuid", facts, exp, privileged=(written,)))
    assert "but it has changed since" in line, line


def test_the_identity_changes_with_the_files_ctime_inode_and_mode():
    base = {"st": [0o104750, 0, 117, 18000, 1.0, 4242, 5.0], "ctime": 5.0}
    assert parse.identity(base) != parse.identity(dict(base, ctime=6.0))
    assert parse.identity(base) != parse.identity(dict(base, st=[0o104750, 0, 117, 18000, 1.0, 4243, 5.0]))
    assert parse.identity(base) != parse.identity(dict(base, st=[0o104755, 0, 117, 18000, 1.0, 4242, 5.0]))
    assert parse.identity({"st": None}) is None


def test_the_login_records_the_identity_of_a_program_it_may_not_read(tmp_path, monkeypatch):
    program = tmp_path / "netprobe"
    program.write_bytes(b"\x7fELF a netops tool")
    real_open = os.open

    def refuse(path, *a, **kw):  # (the tests run as root: a 4750 root:netops file, as another login sees it)
        if str(path) == str(program):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **kw)

    monkeypatch.setattr(collect_login.os, "open", refuse)
    monkeypatch.setattr(collect_login, "resolved", lambda p: p)
    out = {"errors": {}, "ran": {str(program): collect_login.BIG}}
    collect_login.ran(out)
    st = os.stat(program)
    assert out["programs"][str(program)] == [collect_login.identity(st), st.st_ctime, st.st_ino, "identity"]


def test_an_unreadable_listener_program_holds_by_its_identity(exp):  # noqa: F811
    facts = serving([SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:date"], SOCAT)
    facts.remote["inventory"]["programs"] = {SOCAT: [sha("its identity"), 0.0, 1, "identity"]}
    line = judged("cw_listen", facts, exp, listen=())
    assert f"the gate's login may not read {SOCAT}: the pin is of its identity" in line, line
    entry = f"*:9100 root {SOCAT} TCP-LISTEN:9100,fork SYSTEM:date sha256:{sha('its identity')}"
    assert f'allow_listen = ["{entry}"]' in line, line
    assert judged("cw_listen", facts, exp, listen=(entry,)) == "pass"
