"""Server output is data: every class of character a terminal acts on is shown, never acted on; values stay one
line; everything is bounded; the agent reply parser applies it to every event (pure logic, no server)."""

from __future__ import annotations

import json

import pytest

from deploytests import untrusted
from deploytests.pipeline import agent
from deploytests.pipeline.remote import parse_event


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),                                     # CSI: clear the screen
    ("\x1b]8;;https://evil/\x07here\x1b]8;;\x07", "\\x1b]8;;https://evil/\\x07here\\x1b]8;;\\x07"),  # OSC 8 link
    ("\x9b31m", "\\x9b31m"),                                                 # C1 CSI
    ("a\rb", "a\\x0db"),                                                     # carriage return: overwrite a line
    ("\u202egnp.exe", "\\u202egnp.exe"),                                     # bidi override
    ("x\u2066y\u2069", "x\\u2066y\\u2069"),                                  # bidi isolates
    ("\x00\x08\x7f", "\\x00\\x08\\x7f"),                                      # NUL, backspace, DEL
    ("line\u2028sep", "line\\u2028sep"),                                     # Unicode line separator
    ("Zürich\ttab", "Zürich\ttab"),                                          # ordinary text and tabs stay
    (b"m\x9b31m\xff".decode("utf-8", "surrogateescape"), "m\\udc9b31m\\udcff"),  # a name's raw bytes: 8-bit CSI
])
def test_every_control_class_is_escaped_visibly(raw, shown):
    assert untrusted.line(raw) == shown
    assert untrusted.text(raw) == shown


def test_newlines_make_no_lines_in_values_but_stay_in_multi_line_fields():
    assert untrusted.line("1.0\n[web-1] deploy ok") == "1.0\\n[web-1] deploy ok"
    assert untrusted.text("Traceback:\r\n  boom\n") == "Traceback:\n  boom\n"


def test_values_are_bounded():
    assert untrusted.line("x" * 5000, limit=10) == "x" * 10 + "... (4990 more characters cut)"
    assert len(untrusted.text("y" * (untrusted.TEXT_LIMIT + 1))) < untrusted.TEXT_LIMIT + 40


def test_data_walks_keys_and_values_and_keeps_other_types():
    found = untrusted.data({"evil\x1bname": ["a\nb", 1, None, True], "detail": "l1\nl2\x1b", "n": 2.5})
    assert found == {"evil\\x1bname": ["a\\nb", 1, None, True], "detail": "  | l1\n  | l2\\x1b", "n": 2.5}


def test_the_agent_reply_parser_makes_every_event_safe():
    """An OSC 8 hyperlink and a bidi override in an agent's step message, a forged line in a result field."""
    step = parse_event(agent.EVENT + json.dumps({"event": "step", "step": "lock_wait", "seconds": 0,
                                                 "message": "held by \x1b]8;;http://x/\x07pid=1\u202e"}))
    assert step is not None and step["message"] == "held by \\x1b]8;;http://x/\\x07pid=1\\u202e"
    result = parse_event(agent.EVENT + json.dumps({"event": "result", "releases": [{"version": "1\n[h] ok"}]}))
    assert result is not None and result["releases"][0]["version"] == "1\\n[h] ok"
    error = parse_event(agent.EVENT + json.dumps({"event": "error", "what": "x\ny", "detail": "a\nb\x1b[1m"}))
    assert error is not None and (error["what"], error["detail"]) == ("x\\ny", "  | a\n  | b\\x1b[1m")
    assert parse_event(agent.EVENT + "[1, 2]") is None and parse_event(agent.EVENT + '{"no": "event"}') is None


class FloodingChannel:
    """A paramiko channel whose program sends escape codes without end."""

    def __init__(self):
        self.closed, self.eof_received, self.sent = False, False, 0

    def exec_command(self, command):
        pass

    def recv_ready(self):
        return not self.closed

    def recv(self, n):
        self.sent += n
        return b"\x1b[2J" * (n // 4)

    def recv_stderr_ready(self):
        return False

    def exit_status_ready(self):
        return False

    def recv_exit_status(self):
        raise AssertionError("a flooding program's exit status is never waited for")

    def sendall(self, data):
        pass

    def shutdown_write(self):
        pass

    def close(self):
        self.closed = True


def test_a_server_that_floods_its_output_is_cut_at_the_bound_and_made_safe():
    from types import SimpleNamespace

    from deploytests.pipeline import remote

    chan = FloodingChannel()
    c = SimpleNamespace(open=lambda: None, transport=SimpleNamespace(open_session=lambda timeout=None: chan),
                        lost=None)
    res = remote.exec_stream(c, "probe", (b"",), limit=1 << 20)
    assert chan.closed and res.exited == -1 and chan.sent <= (1 << 20) + (1 << 16)
    assert "\x1b" not in res.stdout and res.stdout.startswith("\\x1b[2J")
    assert res.stdout.endswith(f"characters cut)\n(output cut: more than {1 << 20} bytes)")


class OneShotChannel(FloodingChannel):
    """A channel whose program prints ``data`` once and exits 0 (a one-off command of ``fab run``)."""

    def __init__(self, data: bytes):
        super().__init__()
        self.data, self.done = data, False

    def recv_ready(self):
        return True

    def recv(self, n):
        data, self.data = (b"", b"") if self.done else (self.data, b"")
        self.done = self.eof_received = True
        return data

    def exit_status_ready(self):
        return self.done

    def recv_exit_status(self):
        return 0


def test_a_one_off_commands_output_reaches_the_runner_made_safe():
    """``fab run`` streamed its command's lines raw (the attack: a screen clear, an OSC 8 link, a CR and a forged
    ``run: exit 0`` line). Class: a server-to-runner path that skipped the one sanitiser. Each line is made safe
    where it enters the runner, whatever prints it."""
    from types import SimpleNamespace

    from deploytests.pipeline import remote

    chan = OneShotChannel(b"A\x1b[2J\x1b]8;;http://evil/\x1b\\click\rforged: run: exit 0\nsecond \xc2\x9b31m\n")
    c = SimpleNamespace(open=lambda: None, transport=SimpleNamespace(open_session=lambda timeout=None: chan),
                        lost=None)
    lines: list[str] = []
    remote.exec_stream(c, "run", (b"",), on_output=lines.append)
    assert lines == ["A\\x1b[2J\\x1b]8;;http://evil/\\x1b\\click\\x0dforged: run: exit 0", "second \\x9b31m"], lines


def test_multi_line_server_text_cannot_forge_a_line_where_it_is_shown():
    """A deploy login wrote ``ok\\n[web-1] deploy ok`` (a failed.log line, a post_deploy's output, an error log
    line of the app): kept as multi-line text, it reached the terminal and the report as a line of its own.
    Class: server text with newlines shown as lines. Where multi-line server text is shown -- an agent error's
    detail, a failed command's output, a report's diagnostics section, a config quoted in a check -- every one
    of its lines is behind the gutter."""
    from deploytests.errors import CommandFailed
    from deploytests.verify.diagnostics import sections

    forged = "boom\n[web-1] deploy ok\nFAILED nothing"
    error = parse_event(agent.EVENT + json.dumps({"event": "error", "what": "x", "detail": forged}))
    shown = [CommandFailed("web-1", "deploy", 1, stdout=forged).render().split("\n", 4)[-1], error["detail"]]
    raw = {"files": {"/var/log/apache2/error.log": {"st": [0o100640, 0, 4, 10, 0, 1], "data": forged}}}
    tree = {"releases": ["r1"], "current": "releases/r1", "failed": [forged], "wsgi": forged, "installed": []}
    shown += sections(raw, tree, "/var/www/app", "/etc/apache2/sites-available/app.conf",
                      "/var/log/apache2/error.log").values()
    for text in shown:
        assert not [ln for ln in text.split("\n") if ln.startswith(("[web-1]", "FAILED"))], text


def test_an_empty_detail_stays_empty():
    """Class: an empty server text shown as an empty gutter line. A refused `fab rollback` (no older release)
    ended with a '[host]' heading over a lone '  | ' per host: the agent's detail was empty, and the gutter made it
    a block. Other member: the HostsFailed detail built from such errors has no heading for them."""
    from deploytests.errors import DeployError, HostOutcome, HostsFailed
    reply = untrusted.data({"event": "error", "what": "no release older", "detail": ""})
    assert reply["detail"] == ""
    err = DeployError("rollback failed", where="web1", detail=reply["detail"])
    assert HostsFailed("rollback", [HostOutcome("web1", error=err)]).detail == ""
    assert untrusted.data({"detail": "x"})["detail"].endswith("x")


def _unsafe(text: str) -> list[str]:
    """The characters of ``text`` that act on a terminal or make a line of their own."""
    import re

    return re.findall(f"[{untrusted._UNSAFE}\n]", text)


def test_a_hostile_hosts_ssh_banner_reaches_the_operator_as_one_safe_line(tmp_path):
    """Whoever answers a server's address -- before its host key is checked, so a hostile server or anyone on
    the path -- sent an SSH banner that paramiko quotes in its error; the error went to the operator's terminal
    and report raw (``SSH failed: Incompatible version (2.0\\x1b]0;... instead of 2.0)``: an OSC title, a
    screen clear, a CR and a forged line). Class: server text reaching the operator through an error that
    skipped the one sanitiser. Closed where every error is made: :class:`DeployTestsError` makes its one line
    safe whatever it carries (this banner, an os-release, a command's last line)."""
    import socket
    import subprocess
    import threading

    from deploytests import ssh
    from deploytests.errors import ConnectError

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)

    def serve():
        with srv, srv.accept()[0] as s:
            s.sendall(b"SSH-2.0\x1b]0;owned\x07\x1b[2J\r[web-1] deploy ok\x1b[8m\r\n")
            s.settimeout(5)
            s.recv(4096)

    threading.Thread(target=serve, daemon=True).start()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    (tmp_path / "kh").write_text("")
    with pytest.raises(ConnectError) as raised:
        ssh.connect("127.0.0.1", user="x", port=srv.getsockname()[1], key_filename=tmp_path / "id",
                    known_hosts=tmp_path / "kh", timeout=5)
    assert "\\x1b" in str(raised.value) and not _unsafe(str(raised.value)), str(raised.value)


def test_every_error_is_one_safe_line_whatever_it_carries():
    """Other members of the class: a server's ``/etc/os-release`` read by a deploy's platform look (the session's
    ``uname -m; cat /etc/os-release``, never made safe) named in :class:`UnsupportedServer`; the last line of a
    failed command (a build's output on the runner, :func:`why_failed`); a pid list the server printed, quoted by
    bootstrap's wait. Each is one line, nothing in it acts on the terminal; the detail keeps its lines, made safe."""
    from deploytests.errors import CommandFailed, DeployError
    from deploytests.stacks import UnsupportedServer, for_os_release

    with pytest.raises(UnsupportedServer) as raised:
        for_os_release('PRETTY_NAME="Debian\x1b[2J\x1b]8;;http://evil/\x07\rFAILED"\nID=debian\nVERSION_ID="99"\n')
    made = [str(raised.value), str(CommandFailed("web-1", "build", 1, stdout="x\nboom \x1b[31m\u202egnp.exe\r ok\n")),
            str(DeployError("Apache (root pid 12\x1b[1A\x9b2K) was still starting", where="web-1\nFAILED x",
                            hint="see\x1b[8m"))]
    for message in made:
        assert not _unsafe(message), message
    detail = DeployError("x", detail="line 1\nline 2 \x1b[2J").detail
    assert detail == "line 1\nline 2 \\x1b[2J"


def test_a_host_line_quoting_an_unexpected_errors_text_is_one_safe_line(capsys):
    """Other member: an error that is not deploytests' (invoke's ``CommandTimedOut`` of a flooding server quotes its
    output's last lines in its text) reached the host's progress line raw: ``[web-1] facts FAILED: ...``. The one
    printer of host lines makes each line safe."""
    from deploytests.pipeline.hosts import print_progress

    print_progress("web-1", "facts", 1.0, "FAILED: Command did not complete\nStdout:\n\x1b]0;owned\x07\x1b[2J\rok")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and not _unsafe(out.rstrip("\n")), out


def test_the_plugins_terminal_lines_are_made_safe():
    """The other printer of the run: the plugin's ``deploytests: ...`` lines (a deploy's progress, a pack warning, a
    failed step's output above the stop line) reach pytest's terminal made safe too, their lines kept."""
    from types import SimpleNamespace

    from deploytests.plugin import state

    lines: list[str] = []
    reporter = SimpleNamespace(write_line=lambda text, **markup: lines.append(text))
    config = SimpleNamespace(pluginmanager=SimpleNamespace(get_plugin=lambda name: reporter if name ==
                                                           "terminalreporter" else None),
                             stash={})
    state.say(config, "[web-1] facts FAILED: \x1b]0;owned\x07\x1b[2J\rok\nsecond line")
    assert lines == ["deploytests: [web-1] facts FAILED: \\x1b]0;owned\\x07\\x1b[2J\\x0dok\nsecond line"], lines


@pytest.mark.parametrize("levels", [40, 600, 100000])
def test_nested_json_from_a_host_is_no_event_and_no_reply(levels):
    """An agent's event line (the deploy login's python, or a hostile host, writes what it likes) and a collector's
    reply (a hostile host's) are walked recursively after parsing (made safe, escaped): nested 600 deep, the runner
    raised RecursionError out of the output loop, naming nothing, its channel left open; 10^5 deep, from
    ``json.loads`` itself. Now a line nested past the agents' JSON_DEPTH is no event, and such a reply fails its
    host in one line naming the bound."""
    import base64
    import zlib

    from deploytests.verify import facts

    nested = "[" * levels + "]" * levels
    assert parse_event(agent.EVENT + '{"event": "step", "x": %s}' % nested) is None
    for text in ('{"x": %s}' % nested, '{"x": %s, "name": "\udcff"}' % nested):
        line = base64.b64encode(zlib.compress(text.encode("utf-8", "surrogateescape"))).decode()
        res = facts.ProbeResult(0, f"@@DT-ROOT n0nce {line}\n", "", "n0nce")
        with pytest.raises(RuntimeError, match=r"^the collector sent no JSON object nested at most 32 levels deep$"):
            facts._reply(res, "@@DT-ROOT ", "collector")
    assert parse_event(agent.EVENT + '{"event": "step", "x": [[["ok"]]]}') == {"event": "step", "x": [[["ok"]]]}
