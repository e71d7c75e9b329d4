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

import pytest
from test_closed_world import clean_facts, inv, proc
from test_program_pins import PYTHON, judged, listening, sha

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify import collect_login
from deploytests.verify.promises import Expected


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")  # (appuser: the deploy login)


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


# Class "a less trusted party's own process testifies about itself": a process's command line (and environment)
# is memory its owner writes (``/proc/self/mem`` at ``arg_start``, no privilege), so for a process of the deploy
# login or the app user the script or code its command line names is that party's claim. An entry pinning such a
# script held for any code of theirs that rewrote its title to the allowed one (shown on a Debian 12
# container). The kernel's ``exe`` is still attested, so an entry of the program alone holds; one that
# pins a script or code for these users does not, in one line saying to run it as an account of its own.



SCRIPT = "/opt/report/serve.py"
BOTH = f"{sha('python')}  {PYTHON}\n{sha('serve v1')}  {SCRIPT}\n"


@pytest.mark.parametrize("who", ["yourapplication", "appuser"])  # the app user, the deploy login
def test_a_listener_of_a_less_trusted_user_is_not_bound_by_the_script_its_command_line_names(exp, who):
    facts = listening(f"{PYTHON} {SCRIPT}", PYTHON, SCRIPT, user=who, **{"_usr_bin_python3.11": "python",
                                                                        "_opt_report_serve.py": "serve v1"})
    entry = f"*:9100 {who} {PYTHON} {SCRIPT} sha256:{sha(BOTH)}"
    line = judged("cw_listen", facts, exp, listen=(entry,))
    assert f"cannot hold for a process of {who}" in line and "run it as an account of its own" in line, line
    assert line.count("listens:") == 1
    other = judged("cw_listen", listening(f"{PYTHON} {SCRIPT}", PYTHON, SCRIPT, user="prometheus", **{
        "_usr_bin_python3.11": "python", "_opt_report_serve.py": "serve v1"}), exp,
        listen=(f"*:9100 prometheus {PYTHON} {SCRIPT} sha256:{sha(BOTH)}",))
    assert other == "pass"  # (control: another account's process; its memory is not theirs to write)


def test_a_process_of_a_less_trusted_user_is_not_bound_by_the_script_its_command_line_names(exp):
    facts = clean_facts()
    inv(facts)["processes"].append(proc(777, "yourapplication", "/usr/bin/python3 /opt/report/report.py"))
    inv(facts)["processes"][-1]["exe"] = "/usr/bin/python3"  # (parsed facts without the link python3 -> 3.11)
    inv(facts)["programs"] = {"/usr/bin/python3": [sha("python"), 0.0, 1],
                              "/opt/report/report.py": [sha("report"), 0.0, 2]}
    pin = sha(f"{sha('python')}  /usr/bin/python3\n{sha('report')}  /opt/report/report.py\n")
    entry = f"yourapplication: /usr/bin/python3 /opt/report/report.py sha256:{pin}"
    line = judged("cw_processes", facts, exp, processes=(entry,))
    assert "yourapplication owns the process" in line and "run it as an account of its own" in line, line
    first = judged("cw_processes", facts, exp, processes=())  # (no entry yet: the hint says the same, no pin to paste)
    assert 'run it as an account of its own' in first and '"ACCOUNT: /usr/bin/python3 /opt/report/report.py' in first
    inv(facts)["processes"][-1] = dict(  # (control: the program alone holds)
        proc(777, "yourapplication", "/usr/bin/tmux new -d"), exe="/usr/bin/tmux")
    inv(facts)["programs"] = {"/usr/bin/tmux": [sha("tmux 3.3"), 0.0, 1]}
    assert judged("cw_processes", facts, exp,
                  processes=(f"yourapplication: /usr/bin/tmux sha256:{sha('tmux 3.3')}",)) == "pass"


def test_a_file_that_fails_to_read_is_not_hashed_and_the_collector_goes_on(monkeypatch, tmp_path):
    """``/proc/self/mem`` (EIO at offset 0) and ``/proc/self/pagemap`` (EINVAL for a read not a multiple of 8) named
    on a command line: each a file the step could not read, not the end of the login collector; the next file is
    still hashed (the control)."""
    monkeypatch.setattr(collect_login, "resolved", lambda p: p)
    script = tmp_path / "run.py"
    script.write_text("print(1)\n")
    out = {"errors": {}, "ran": {"/proc/self/mem": 16, "/proc/self/pagemap": 13, str(script): 16}}
    collect_login.ran(out)
    assert list(out["programs"]) == [str(script)]
