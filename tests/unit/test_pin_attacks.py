"""Attacks on the program pins of ``allow_listen``/``allow_processes`` as a less trusted party (the deploy login,
the app user), each on parsed facts or on the login collector's own step.

Class "the login collector trusts what a file says of itself": ``ran`` hashes every file any process's command
line names, and a process's command line is its owner's to write. The bound it kept was the size ``fstat``
reports, and it opened the file before looking at its type. A /proc file reports size 0 and may yield gigabytes
(``/proc/self/pagemap``, resolved in the collector's own process: 8 bytes per page of its address space, hours
of hashing); a device is opened (its driver's ``open`` runs: ``/dev/ptmx`` makes a terminal pair). The bound is
now the bytes actually read, and only a regular file is opened."""

from __future__ import annotations

import os

from deploytests.verify import collect_login


def test_a_file_whose_size_lies_is_not_hashed_past_its_bound(monkeypatch):
    """``/proc/self/status`` says size 0 and yields ~1.4 KiB: past a 16-byte bound it is not hashed (the same
    step read ``/proc/self/pagemap`` to the end of the address space: a probe that never ends)."""
    monkeypatch.setattr(collect_login, "resolved", lambda p: p)
    out = {"errors": {}, "ran": {"/proc/self/status": 16}}
    collect_login.ran(out)
    assert out["programs"] == {}
    out = {"errors": {}, "ran": {"/proc/self/status": collect_login.BIG}}
    collect_login.ran(out, budget=16)
    assert out["programs"] == {} and "past the bytes left" in str(out["errors"])


def test_a_device_a_command_line_names_is_never_opened(monkeypatch, tmp_path):
    """A command line naming ``/dev/null`` (any device: its driver's open would run as the gate's login) or a FIFO:
    not opened at all; a regular file still is (the control)."""
    opened = []
    real_open = os.open
    monkeypatch.setattr(collect_login, "resolved", lambda p: p)
    monkeypatch.setattr(collect_login.os, "open", lambda p, *a: opened.append(p) or real_open(p, *a))
    fifo, script = tmp_path / "fifo", tmp_path / "run.py"
    os.mkfifo(fifo)
    script.write_text("print(1)\n")
    out = {"errors": {}, "ran": {"/dev/null": collect_login.BIG, str(fifo): 16, str(script): 16}}
    collect_login.ran(out)
    assert opened == [str(script)] and list(out["programs"]) == [str(script)]
