"""Allowances of what runs or listens pin the program they allow (deploytests.verify.pins, RUNS). Class: "an
allowance names a container, not its content", for sockets and processes: an ``allow_listen`` entry named an
address, a user and an executable path, an ``allow_processes`` entry a user and a command prefix, so another
program put at that path, a different daemon on the same port, or the allowed interpreter running another script
passed. Each member on parsed facts: the pinned entry passes; the thing changed fails in one line saying why
and giving the pinned entry to write after review; an entry without a pin allows nothing, in one line naming
its file:line and the new form."""

from __future__ import annotations

import hashlib
import os

import pytest
from test_closed_world import clean_facts, inv, proc
from test_pins import judged, sha

from deploytests.config import load_config
from deploytests.errors import ConfigError
from deploytests.examples import APPS
from deploytests.targets.inventory import load_inventory
from deploytests.verify import collect_login
from deploytests.verify.promises import Expected

WHERE = "targets.toml:7"
EXPORTER, PYTHON = "/usr/bin/prometheus-node-exporter", "/usr/bin/python3.11"


@pytest.fixture
def exp():
    return Expected.from_config(load_config(APPS / "yourapplication"), "appuser")


def listening(cmdline: str, exe: str, script: str | None = None, user: str = "prometheus", started: float = 100.0,
              **hashed):
    """Clean facts with one process of ``user`` on ``*:9100`` and the login collector's hashes ``hashed``
    (path -> content, or ``(content, ctime)``)."""
    facts = clean_facts()
    holder = dict(proc(4242, user, cmdline), exe=exe, started=started, uid=999,
                  program=" ".join([exe] + ([script] if script else [])), script=script, package=None)
    inv(facts)["listeners"].append({"proto": "tcp", "host": "0.0.0.0", "port": 9100, "procs": [holder], "uid": 999,
                                    "owner": user, "hidden": []})
    inv(facts)["programs"] = {p.replace("_", "/"): [sha(v if isinstance(v, str) else v[0]),
                                                    0.0 if isinstance(v, str) else v[1], 1] for p, v in hashed.items()}
    return facts


def exporter(content="node exporter 1.5", **more):
    return listening(EXPORTER, EXPORTER, **{"_usr_bin_prometheus-node-exporter": content}, **more)


def test_the_allowed_exporter_unchanged_passes_and_its_hint_is_the_line_to_paste(exp):
    facts = exporter()
    line = judged("cw_listen", facts, exp, listen=())
    entry = f"*:9100 prometheus {EXPORTER} sha256:{sha('node exporter 1.5')}"
    assert f"allow it: allow_listen = [\"{entry}\"] in {WHERE}" in line, line
    assert judged("cw_listen", facts, exp, listen=(entry,)) == "pass"


def test_the_exporters_binary_swapped_for_another_program_at_the_same_path_fails(exp):
    entry = f"*:9100 prometheus {EXPORTER} sha256:{sha('node exporter 1.5')}"
    line = judged("cw_listen", exporter("a copy of bash"), exp, listen=(entry,))
    assert line.startswith("fail: 1 listening socket not") and line.count("listens:") == 1, line
    assert f"review it ({WHERE} pins it to sha256:{sha('node exporter 1.5')[:12]}…, but it has changed since)" in line
    assert f"{EXPORTER} sha256:{sha('a copy of bash')}" in line


def test_the_same_port_held_by_another_program_fails_naming_the_entry(exp):
    entry = f"*:9100 prometheus {EXPORTER} sha256:{sha('node exporter 1.5')}"
    facts = listening("/usr/bin/socat TCP-LISTEN:9100,fork EXEC:/bin/sh", "/usr/bin/socat",
                      **{"_usr_bin_socat": "socat", "_usr_bin_prometheus-node-exporter": "node exporter 1.5"})
    line = judged("cw_listen", facts, exp, listen=(entry,))
    assert f"allows this address for prometheus running {EXPORTER} only, not for what holds it now" in line, line
    assert f"allow_listen = [\"*:9100 prometheus /usr/bin/socat sha256:{sha('socat')}\"]" in line


def test_the_allowed_python_agent_running_another_script_fails(exp):
    both = f"{sha('python')}  {PYTHON}\n{sha('agent v1')}  /opt/agent/agent.py\n"
    entry = f"*:9100 prometheus {PYTHON} /opt/agent/agent.py sha256:{sha(both)}"
    hashes = {"_usr_bin_python3.11": "python", "_opt_agent_agent.py": "agent v1", "_opt_agent_other.py": "a shell"}
    ok = listening(f"{PYTHON} /opt/agent/agent.py", PYTHON, "/opt/agent/agent.py", **hashes)
    assert judged("cw_listen", ok, exp, listen=(entry,)) == "pass"  # (sha256sum EXE SCRIPT | sha256sum)
    other = listening(f"{PYTHON} /opt/agent/other.py", PYTHON, "/opt/agent/other.py", **hashes)
    assert "/opt/agent/other.py sha256:" in judged("cw_listen", other, exp, listen=(entry,))
    edited = listening(f"{PYTHON} /opt/agent/agent.py", PYTHON, "/opt/agent/agent.py",
                       **dict(hashes, **{"_opt_agent_agent.py": "agent v2"}))
    assert "but it has changed since" in judged("cw_listen", edited, exp, listen=(entry,))
    alone = f"*:9100 prometheus {PYTHON} sha256:{sha('python')}"  # the interpreter alone allows no script
    assert judged("cw_listen", ok, exp, listen=(alone,)).startswith("fail")


def test_a_script_changed_after_the_agent_started_fails_it_runs_what_was_there_before(exp):
    both = f"{sha('python')}  {PYTHON}\n{sha('agent v1')}  /opt/agent/agent.py\n"
    entry = f"*:9100 prometheus {PYTHON} /opt/agent/agent.py sha256:{sha(both)}"
    facts = listening(f"{PYTHON} /opt/agent/agent.py", PYTHON, "/opt/agent/agent.py", started=100.0,
                      **{"_usr_bin_python3.11": "python", "_opt_agent_agent.py": ("agent v1", 500.0)})
    line = judged("cw_listen", facts, exp, listen=(entry,))
    assert "/opt/agent/agent.py changed at" in line and "after it started" in line, line


def test_a_program_replaced_since_it_started_fails(exp):
    entry = f"*:9100 prometheus {EXPORTER} sha256:{sha('node exporter 1.5')}"
    facts = listening(EXPORTER, EXPORTER + " (deleted)", **{"_usr_bin_prometheus-node-exporter": "node exporter 1.5"})
    line = judged("cw_listen", facts, exp, listen=(entry,))
    assert "(deleted): a file replaced or removed since it started" in line, line


def test_an_entry_without_a_pin_allows_nothing_in_one_line_naming_it(exp):
    line = judged("cw_listen", exporter(), exp, listen=(f"*:9100 prometheus {EXPORTER}",))
    assert line.count("listens:") == 1 and f"review it ({WHERE} allows it with no pin of its content)" in line, line
    old = judged("cw_listen", listening(f"{PYTHON} /opt/agent/agent.py", PYTHON, "/opt/agent/agent.py",
                                        **{"_usr_bin_python3.11": "p", "_opt_agent_agent.py": "a"}),
                 exp, listen=("*:9100 prometheus /opt/agent/agent.py",))  # last round's form: the script alone
    assert (f"{WHERE}'s \"*:9100 prometheus /opt/agent/agent.py\" names another program than the one running now "
            "(its executable, script or code), and no pin") in old, old
    assert f"{PYTHON} /opt/agent/agent.py sha256:" in old


def test_a_program_the_gates_login_could_not_hash_says_what_to_do(exp):
    line = judged("cw_listen", listening(EXPORTER, EXPORTER), exp, listen=())
    assert f"make its program readable to the gate's login ({EXPORTER}:" in line, line
    assert judged("cw_listen", listening(EXPORTER, EXPORTER), exp,
                  listen=(f"*:9100 prometheus {EXPORTER} sha256:{sha('x')}",)).startswith("fail")


def test_an_allowed_process_pins_its_program_and_script_not_the_releases_code(exp):
    facts = clean_facts()
    inv(facts)["processes"].append(proc(777, "yourapplication", "/usr/bin/tmux new -d"))
    inv(facts)["programs"] = {"/usr/bin/tmux": [sha("tmux 3.3"), 0.0, 1]}
    entry = f"yourapplication: /usr/bin/tmux sha256:{sha('tmux 3.3')}"
    assert judged("cw_processes", facts, exp, processes=(entry,)) == "pass"
    inv(facts)["programs"] = {"/usr/bin/tmux": [sha("a shell"), 0.0, 1]}
    line = judged("cw_processes", facts, exp, processes=(entry,))
    assert "but it has changed since" in line and f"yourapplication: /usr/bin/tmux sha256:{sha('a shell')}" in line
    assert judged("cw_processes", facts, exp, processes=("yourapplication: /usr/bin/tmux",)).startswith("fail")
    from deploytests.verify.pins import programs

    worker = "yourapplication: /var/www/yourapplication/current/venv/bin/python /var/www/yourapplication/current/w.py"
    assert programs("processes", worker, exp) == [PYTHON]  # the release's code is the deploy's to judge
    assert programs("processes", "root: /bin/sh /usr/local/sbin/report", exp) == ["/bin/sh", "/usr/local/sbin/report"]


def test_a_pin_on_an_address_alone_or_malformed_is_refused_with_its_line(tmp_path):
    f = tmp_path / "targets.toml"
    f.write_text('[targets.web]\nhosts = ["a@web1"]\nallow_listen = ["*:9100 prometheus /usr/bin/x sha256:ab12"]\n')
    with pytest.raises(ConfigError) as err:
        load_inventory(f)
    assert "targets.toml:3" in str(err.value) and "64 lowercase hex digits" in str(err.value)


def test_the_login_collector_hashes_what_command_lines_name_by_real_path(tmp_path, monkeypatch):
    real = tmp_path / "agent.py"
    real.write_text("print('agent')\n")
    link = tmp_path / "current"
    os.symlink(real, link)  # (anyone's link: the file is hashed under the path it leads to, as the kernel shows it)
    big = tmp_path / "data.bin"
    big.write_bytes(b"x" * 64)
    out = {"errors": {}, "ran": {str(link): collect_login.BIG, str(big): 16}}
    monkeypatch.setattr(collect_login, "resolved", lambda p: p)  # (tmp_path's own links are not root's)
    collect_login.ran(out)
    assert out["programs"][str(real)][0] == hashlib.sha256(b"print('agent')\n").hexdigest()
    assert str(big) not in out["programs"]  # past a script's bound: not hashed
    out = {"errors": {}, "ran": {str(real): collect_login.BIG}}
    collect_login.ran(out, budget=4)
    assert out["programs"] == {} and "past the bytes left" in out["errors"][str(real)]


@pytest.mark.parametrize("argv, exe, program, bare", [
    (["/usr/bin/python3", "-m", "http.server", "9100"], PYTHON, f"{PYTHON} -m http.server 9100",
     f"{PYTHON} -m http.server 9100"),
    (["/usr/bin/python3", "-c", "import pty;  pty.spawn('sh')"], PYTHON,
     f"""{PYTHON} -c 'import pty;  pty.spawn('"'"'sh'"'"')'""", f"{PYTHON} -c import pty; pty.spawn('sh')"),
    (["/usr/bin/perl", "-e", "exec q(/bin/sh)"], "/usr/bin/perl", "/usr/bin/perl -e 'exec q(/bin/sh)'",
     "/usr/bin/perl -e exec q(/bin/sh)"),
    (["/usr/bin/python3", "/opt/agent/agent.py"], PYTHON, f"{PYTHON} /opt/agent/agent.py",
     f"{PYTHON} /opt/agent/agent.py"),
    (["/usr/sbin/exporter", "--port", "9100"], "/usr/sbin/exporter", "/usr/sbin/exporter --port 9100",
     "/usr/sbin/exporter"),
    (["/usr/bin/socat", "TCP-LISTEN:9100", "SYSTEM:date"], "/usr/bin/socat", "/usr/bin/socat TCP-LISTEN:9100 "
     "SYSTEM:date", "/usr/bin/socat")])
def test_an_entry_binds_the_whole_command_line(argv, exe, program, bare):
    """``python3.11`` alone would allow any ``-c`` code or ``-m`` module, ``socat`` alone any address it serves
    (``EXEC:/bin/sh`` for ``SYSTEM:date``): the entry names the whole command line, each argument as it is (shell
    quoted); a script file is pinned by content too. ``bare`` (the executable and script or code) is what the
    deploy login's and the app user's entries bind, and what last round's entries named."""
    from test_root_reach import listening as held

    (sock,) = [s for s in held("debian12", argv, exe, "/") if s["port"] == 0x2382]
    assert (sock["procs"][0]["program"], sock["procs"][0]["bare"]) == (program, bare)
