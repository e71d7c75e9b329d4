"""An allowance of what runs or listens names the whole command line it allows, every argument, not a program
alone nor a prefix: ``socat TCP-LISTEN:9100 SYSTEM:date`` is not ``socat TCP-LISTEN:9100 EXEC:/bin/sh``,
``python3 -m http.server 8000 --directory /srv/pub`` is not ``... --directory /``, a root ``rsync`` copying the
app's data to the backup disk is not ``rsync -e 'sh -c ...'``. The deploy login's and the app user's processes are
the exception: their command lines are their own to write, so their entries bind the program (and the prefix)
only (``pins.claimed``). Facts go through the parser (``Procs.package``), then the rules."""

from __future__ import annotations

import json
import shlex

import pytest
from stock import outcome
from test_closed_world import allowing, clean_facts, inv, proc
from test_pins import WHERE, judged, sha
from test_root_reach import listening as parsed

from deploytests.config import load_config
from deploytests.examples import APPS
from deploytests.verify.promises import Expected

SOCAT, PYTHON = "/usr/bin/socat", "/usr/bin/python3.11"


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def serving(argv: list[str], exe: str, user: str = "root", **hashed):
    """Clean facts with one process of ``user`` on ``*:9100``, as the parser makes its holder from its argv."""
    (sock,) = [s for s in parsed("debian12", argv, exe, "/") if s["port"] == 0x2382]
    facts = clean_facts()
    holder = dict(sock["procs"][0], user=user, uid=0 if user == "root" else 999, started=100.0)
    inv(facts)["listeners"].append({"proto": "tcp", "host": "0.0.0.0", "port": 9100, "procs": [holder],
                                    "uid": holder["uid"], "owner": user, "hidden": []})
    inv(facts)["programs"] = {p: [sha(v), 0.0, 1] for p, v in hashed.items()}
    return facts


def test_an_entry_for_socat_serving_date_does_not_allow_socat_serving_a_shell(exp):
    date = serving([SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:date"], SOCAT, **{SOCAT: "socat"})
    line = judged("cw_listen", date, exp, listen=())
    entry = f"*:9100 root {SOCAT} TCP-LISTEN:9100,fork SYSTEM:date sha256:{sha('socat')}"
    assert f'allow it: allow_listen = ["{entry}"] in {WHERE}' in line, line  # the exact line to write
    assert judged("cw_listen", date, exp, listen=(entry,)) == "pass"
    shell = serving([SOCAT, "TCP-LISTEN:9100,fork", "EXEC:/bin/sh"], SOCAT, **{SOCAT: "socat"})
    line = judged("cw_listen", shell, exp, listen=(entry,))
    assert line.count("listens:") == 1 and "EXEC:/bin/sh sha256:" in line, line
    assert judged("cw_listen", shell, exp, listen=(f"*:9100 root {SOCAT} sha256:{sha('socat')}",)) != "pass"


def test_last_rounds_entry_of_the_program_alone_is_one_line_naming_it_and_the_new_form(exp):
    shell = serving([SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:date"], SOCAT, **{SOCAT: "socat"})
    line = judged("cw_listen", shell, exp, listen=(f"*:9100 root {SOCAT} sha256:{sha('socat')}",))
    assert line.count("listens:") == 1 and f"names {SOCAT}'s program, not its whole command line" in line, line
    assert f'allow_listen = ["*:9100 root {SOCAT} TCP-LISTEN:9100,fork SYSTEM:date sha256:{sha("socat")}"] in ' \
           f"{WHERE}" in line, line


def test_the_same_module_serving_another_directory_is_another_command(exp):
    argv = ["/usr/bin/python3", "-m", "http.server", "9100", "--directory", "/srv/pub"]
    pub = serving(argv, PYTHON, **{PYTHON: "python"})
    entry = f"*:9100 root {PYTHON} -m http.server 9100 --directory /srv/pub sha256:{sha('python')}"
    assert judged("cw_listen", pub, exp, listen=(entry,)) == "pass"
    everything = serving(argv[:-1] + ["/"], PYTHON, **{PYTHON: "python"})
    line = judged("cw_listen", everything, exp, listen=(entry,))
    assert line.startswith("fail") and "--directory / sha256:" in line, line


def test_an_argument_with_spaces_is_one_word_of_the_entry(exp):
    """``shlex``-quoted: ``sh -c 'a b'`` is not ``sh -c a b`` (which runs ``a`` with ``$0`` b)."""
    files = {"/usr/bin/dash": "dash", SOCAT: "socat"}  # (the shell, and the program its -c runs: both pinned)
    one = serving(["/bin/sh", "-c", "exec /usr/bin/socat TCP-LISTEN:9100 SYSTEM:date"], "/usr/bin/dash", **files)
    words = serving(["/bin/sh", "-c", "exec", "/usr/bin/socat", "TCP-LISTEN:9100", "SYSTEM:date"], "/usr/bin/dash",
                    **files)
    pin = sha(f"{sha('dash')}  /usr/bin/dash\n{sha('socat')}  {SOCAT}\n")
    entry = f"*:9100 root /usr/bin/dash -c {shlex.quote('exec /usr/bin/socat TCP-LISTEN:9100 SYSTEM:date')} " \
            f"sha256:{pin}"
    assert judged("cw_listen", one, exp, listen=(entry,)) == "pass"
    assert judged("cw_listen", words, exp, listen=(entry,)).startswith("fail")


RSYNC = "/usr/bin/rsync -a /var/www/yourapplication/shared/ /srv/backup/"


def test_a_root_process_allowed_runs_exactly_its_command_line(exp):
    """``allow_processes`` the same way: the whole command line of anyone's but the deploy login's and the app
    user's; its program alone no longer allows every command line of it."""
    facts = clean_facts()
    inv(facts)["reaching"] = [proc(91, "root", RSYNC)]
    assert outcome("cw_processes", facts, allowing(exp, processes=(f"root: {RSYNC}",))) == "pass"
    assert outcome("cw_processes", facts, allowing(exp, processes=("root: /usr/bin/rsync",))) != "pass"
    evil = RSYNC.replace("-a ", "-a -e 'sh -c id' ")
    facts = clean_facts()
    inv(facts)["reaching"] = [proc(91, "root", evil)]
    line = outcome("cw_processes", facts, allowing(exp, processes=(f"root: {RSYNC}",)))
    assert line.startswith("fail") and f'allow_processes = ["root: {evil}' in line, line


def test_the_app_users_and_the_deploy_logins_entries_stay_their_program(exp):
    """Their command lines are their own claim (``/proc/self/mem``): what they name is no evidence, so their
    entries name the program (and the words through the script), and the hint says so."""
    from deploytests.verify.rootacts import allow_command

    assert allow_command(exp, "yourapplication", "/usr/bin/python3 -m yourapplication.worker --queue a".split()) == \
        "/usr/bin/python3"
    assert allow_command(exp, "root", "/usr/bin/python3 -m yourapplication.worker --queue a".split()) == \
        "/usr/bin/python3 -m yourapplication.worker --queue a"


# Class: an entry of what runs named its command line as words split on blanks, so two different argv shared one
# entry (an argument's blank, tab or newline, or an empty argument, was lost) and an argument holding a blank could
# not be written at all. An entry is now the command line shell-quoted (shlex), split back exactly.
SHARED = [  # (what the entry was written for, another argv that gave the same words)
    ([SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:echo a b"], [SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:echo a  b"]),
    ([SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:echo a b"], [SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:echo a\tb"]),
    ([SOCAT, "TCP-LISTEN:9100,fork", "SYSTEM:date"], [SOCAT, "", "TCP-LISTEN:9100,fork", "SYSTEM:date"]),
]


@pytest.mark.parametrize("written, other", SHARED, ids=["blanks", "tab", "empty-argument"])
def test_an_allow_listen_entry_names_one_argv_exactly(exp, written, other):
    entry = f"*:9100 root {shlex.join(written)} sha256:{sha('socat')}"
    assert judged("cw_listen", serving(written, SOCAT, **{SOCAT: "socat"}), exp, listen=(entry,)) == "pass"
    line = judged("cw_listen", serving(other, SOCAT, **{SOCAT: "socat"}), exp, listen=(entry,))
    assert line.startswith("fail"), line
    assert f'allow_listen = [{json.dumps("*:9100 root " + shlex.join(other) + " sha256:" + sha("socat"))}]' in line


def raw_process(facts, pid: int, argv: list[str], exe: str):
    """``facts`` with a root snapshot of one process, ``pid``, its argv as the kernel gives it (NUL-terminated)."""
    from deploytests.verify import parse

    stat = f"{pid} (x) S 1 {pid} {pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 0"
    facts.raw = parse.Snapshot({"files": {}, "dirs": {}, "time": 1000.0, "proc": {str(pid): {
        "cmdline": "".join(a + "\0" for a in argv), "exe": exe, "cwd": "/", "uid": 0, "stat": stat}}})
    return facts


@pytest.mark.parametrize("written, other", [
    (["/usr/bin/rsync", "-a", "--filter=-", "/srv/a"], ["/usr/bin/rsync", "-a", "--filter=- /srv/a"]),
    (["/usr/bin/rsync", "-a", "--filter=- /srv/a"], ["/usr/bin/rsync", "-a", "--filter=-\n/srv/a"]),
    (["/usr/bin/rsync", "-a"], ["/usr/bin/rsync", "", "-a"]),
], ids=["blank-in-argument", "newline", "empty-argument"])
def test_an_allow_processes_entry_names_one_argv_exactly(exp, written, other):
    """The hint prints the entry to paste (shell-quoted), which splits back to exactly that argv; the other argv's
    process is not allowed by it; an entry in the old form (the words split on blanks) that named the process
    only so fails in one line naming the new form."""
    from deploytests.allowances import command_argv
    from deploytests.verify.rootacts import allow_command

    tree = ["/var/www/yourapplication/shared/", "/srv/backup/"]
    written, other = [*written, *tree], [*other, *tree]
    entry = f"root: {allow_command(exp, 'root', written)}"
    assert command_argv("processes", entry) == written
    for argv, verdict in ((written, "pass"), (other, "fail")):
        facts = clean_facts()
        inv(facts)["reaching"] = [proc(91, "root", " ".join(argv))]
        facts = raw_process(facts, 91, argv, argv[0])
        line = outcome("cw_processes", facts, allowing(exp, processes=(entry,)))
        assert line.startswith(verdict), line
    assert f'allow_processes = [{json.dumps("root: " + shlex.join(other))[:-1]} sha256:' in line, line
    old = f"root: {' '.join(other)}"  # (last round's hint: the words split on blanks)
    line = outcome("cw_processes", facts, allowing(exp, processes=(old,)))
    assert "is written in the old form (the command line's words split on blanks" in line and \
        f'allow_processes = [{json.dumps("root: " + shlex.join(other))[:-1]} sha256:' in line, line


def test_no_entry_binds_a_process_of_the_deploy_login_its_program_pinned_or_not(exp):
    """An attack: the deploy login started ``sleep 9000`` outside any session, allowed pinned (``appuser: sleep
    sha256:...``, the gate's own hint), then wrote its own code into it (``ptrace(2)``, no privilege: the process is
    its own): exe ``/usr/bin/sleep``, command line ``sleep 9000``, and it ran the login's code; the gate passed.
    A process's memory is its owner's to write, its code as much as its command line: no entry binds a process of
    the deploy login (it may change releases), and the hint says to run it as an account of its own. The app
    user's program alone still holds (what it may run has the app's rights, which the daemons have already)."""
    facts = clean_facts()
    inv(facts)["processes"].append(dict(proc(777, "appuser", "sleep 9000"), exe="/usr/bin/sleep"))
    inv(facts)["programs"] = {"/usr/bin/sleep": [sha("sleep"), 0.0, 1]}
    for entry in (f"appuser: sleep sha256:{sha('sleep')}", f"appuser: /usr/bin/sleep sha256:{sha('sleep')}"):
        line = judged("cw_processes", facts, exp, processes=(entry,))
        assert line.startswith("fail") and "appuser's" in line and "memory" in line and \
            "run it as an account of its own" in line, line
    line = judged("cw_processes", facts, exp)
    assert '"ACCOUNT: sleep sha256:<its sha256>"' in line and '"appuser: sleep' not in line, line
    inv(facts)["processes"][-1].update(user="yourapplication")
    assert judged("cw_processes", facts, exp, processes=(f"yourapplication: sleep sha256:{sha('sleep')}",)) == "pass"
